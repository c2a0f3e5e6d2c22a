-- CreateTable
CREATE TABLE "device_host_keys" (
    "device" TEXT NOT NULL,
    "key_type" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "first_host" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "device_host_keys_pkey" PRIMARY KEY ("device")
);
