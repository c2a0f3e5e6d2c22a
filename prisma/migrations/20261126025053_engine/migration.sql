-- AlterTable
ALTER TABLE "processes" ADD COLUMN     "parent_id" UUID;

-- CreateTable
CREATE TABLE "process_callbacks" (
    "process_id" UUID NOT NULL,
    "step" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "process_callbacks_pkey" PRIMARY KEY ("process_id","step")
);

-- CreateTable
CREATE TABLE "engine_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "running" BOOLEAN NOT NULL DEFAULT true,
    "reason" TEXT,
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "engine_settings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "process_callbacks_token_hash_key" ON "process_callbacks"("token_hash");

-- CreateIndex
CREATE INDEX "processes_parent_id_idx" ON "processes"("parent_id");

-- AddForeignKey
ALTER TABLE "processes" ADD CONSTRAINT "processes_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "processes"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "process_callbacks" ADD CONSTRAINT "process_callbacks_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "processes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One row: the engine runs until someone stops it.
ALTER TABLE "engine_settings" ADD CONSTRAINT "engine_settings_one_row" CHECK ("id" = 1);
INSERT INTO "engine_settings" ("id") VALUES (1);
