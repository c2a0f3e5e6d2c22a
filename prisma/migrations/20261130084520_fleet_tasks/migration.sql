-- CreateEnum
CREATE TYPE "fleet_group_state" AS ENUM ('pending', 'running', 'done');

-- CreateEnum
CREATE TYPE "fleet_outcome" AS ENUM ('completed', 'failed', 'skipped');

-- CreateTable
CREATE TABLE "fleet_tasks" (
    "process_id" UUID NOT NULL,
    "operation" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "policy" TEXT NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "max_down_per_site" INTEGER,
    "halt_failure_rate" DOUBLE PRECISION,
    "halt_min_devices" INTEGER NOT NULL,
    "halted" TEXT,
    "round" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fleet_tasks_pkey" PRIMARY KEY ("process_id")
);

-- CreateTable
CREATE TABLE "fleet_groups" (
    "process_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "wave" INTEGER NOT NULL,
    "site" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "state" "fleet_group_state" NOT NULL DEFAULT 'pending',
    "lane" INTEGER,
    "claimed_at" TIMESTAMPTZ(3),

    CONSTRAINT "fleet_groups_pkey" PRIMARY KEY ("process_id","key","wave")
);

-- CreateTable
CREATE TABLE "fleet_task_devices" (
    "process_id" UUID NOT NULL,
    "device" TEXT NOT NULL,
    "site" TEXT NOT NULL,
    "dev_type" TEXT NOT NULL,
    "rack" TEXT,
    "group_key" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "wave" INTEGER NOT NULL,
    "os_version" TEXT,
    "outcome" "fleet_outcome",
    "changed" BOOLEAN,
    "from_version" TEXT,
    "error" TEXT,
    "round" INTEGER,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "fleet_task_devices_pkey" PRIMARY KEY ("process_id","device")
);

-- CreateIndex
CREATE INDEX "fleet_groups_process_id_wave_state_weight_key_idx" ON "fleet_groups"("process_id", "wave", "state", "weight" DESC, "key");

-- CreateIndex
CREATE INDEX "fleet_task_devices_process_id_group_key_wave_position_idx" ON "fleet_task_devices"("process_id", "group_key", "wave", "position");

-- CreateIndex
CREATE INDEX "fleet_task_devices_device_idx" ON "fleet_task_devices"("device");

-- AddForeignKey
ALTER TABLE "fleet_tasks" ADD CONSTRAINT "fleet_tasks_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "processes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fleet_groups" ADD CONSTRAINT "fleet_groups_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "fleet_tasks"("process_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fleet_task_devices" ADD CONSTRAINT "fleet_task_devices_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "fleet_tasks"("process_id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A fleet task's progress streams like its steps (GET /api/processes/{id}/events): a device done, a halt.
CREATE TRIGGER "fleet_task_devices_notify" AFTER UPDATE ON "fleet_task_devices" FOR EACH ROW EXECUTE FUNCTION "notify_process_change"();
CREATE TRIGGER "fleet_tasks_notify" AFTER UPDATE ON "fleet_tasks" FOR EACH ROW EXECUTE FUNCTION "notify_process_change"();
