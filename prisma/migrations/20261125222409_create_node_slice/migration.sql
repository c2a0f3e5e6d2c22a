-- AlterTable
ALTER TABLE "dcim_devices" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "process_steps" ADD COLUMN     "result" JSONB;

-- CreateTable
CREATE TABLE "resource_claims" (
    "resource_type" TEXT NOT NULL,
    "resource_key" TEXT NOT NULL,
    "process_id" UUID NOT NULL,
    "subscription_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "resource_claims_pkey" PRIMARY KEY ("resource_type","resource_key")
);

-- CreateIndex
CREATE INDEX "resource_claims_process_id_idx" ON "resource_claims"("process_id");

-- CreateIndex
CREATE INDEX "resource_claims_subscription_id_idx" ON "resource_claims"("subscription_id");

-- AddForeignKey
ALTER TABLE "resource_claims" ADD CONSTRAINT "resource_claims_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "processes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "resource_claims" ADD CONSTRAINT "resource_claims_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
