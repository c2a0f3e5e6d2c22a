-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "lifecycle" AS ENUM ('initial', 'provisioning', 'active', 'disabled', 'terminated', 'migrating');

-- CreateEnum
CREATE TYPE "workflow_target" AS ENUM ('CREATE', 'MODIFY', 'TERMINATE', 'VALIDATE', 'SYSTEM', 'RECONCILE');

-- CreateEnum
CREATE TYPE "process_status" AS ENUM ('created', 'running', 'waiting', 'suspended', 'completed', 'aborted', 'failed');

-- CreateEnum
CREATE TYPE "step_status" AS ENUM ('pending', 'running', 'success', 'skipped', 'waiting', 'failed');

-- CreateEnum
CREATE TYPE "device_status" AS ENUM ('offline', 'active', 'planned', 'staged', 'failed', 'inventory', 'decommissioning');

-- CreateTable
CREATE TABLE "subscriptions" (
    "id" UUID NOT NULL,
    "product" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "note" TEXT,
    "lifecycle" "lifecycle" NOT NULL DEFAULT 'initial',
    "insync" BOOLEAN NOT NULL DEFAULT false,
    "locked_by" UUID,
    "start_date" TIMESTAMPTZ(3),
    "end_date" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "domain_model" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processes" (
    "id" UUID NOT NULL,
    "workflow" TEXT NOT NULL,
    "target" "workflow_target" NOT NULL,
    "status" "process_status" NOT NULL DEFAULT 'created',
    "created_by" TEXT NOT NULL,
    "assignee" TEXT,
    "failure" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "processes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "process_subscriptions" (
    "process_id" UUID NOT NULL,
    "subscription_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "process_subscriptions_pkey" PRIMARY KEY ("process_id","subscription_id")
);

-- CreateTable
CREATE TABLE "process_steps" (
    "id" UUID NOT NULL,
    "process_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "status" "step_status" NOT NULL DEFAULT 'pending',
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "state_delta" JSONB,
    "error" JSONB,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "answered_by" TEXT,

    CONSTRAINT "process_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dcim_devices" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "vendor" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "site" TEXT NOT NULL,
    "status" "device_status" NOT NULL DEFAULT 'planned',
    "management_address" INET,
    "primary_ipv4" INET,
    "primary_ipv6" INET,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dcim_devices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "subscriptions_product_lifecycle_idx" ON "subscriptions"("product", "lifecycle");

-- CreateIndex
CREATE INDEX "subscriptions_customer_id_idx" ON "subscriptions"("customer_id");

-- CreateIndex
CREATE INDEX "processes_status_created_at_idx" ON "processes"("status", "created_at");

-- CreateIndex
CREATE INDEX "processes_workflow_created_at_idx" ON "processes"("workflow", "created_at");

-- CreateIndex
CREATE INDEX "processes_assignee_status_idx" ON "processes"("assignee", "status");

-- CreateIndex
CREATE INDEX "process_subscriptions_subscription_id_idx" ON "process_subscriptions"("subscription_id");

-- CreateIndex
CREATE UNIQUE INDEX "process_steps_process_id_name_key" ON "process_steps"("process_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "dcim_devices_name_key" ON "dcim_devices"("name");

-- CreateIndex
CREATE INDEX "dcim_devices_status_idx" ON "dcim_devices"("status");

-- CreateIndex
CREATE INDEX "dcim_devices_site_idx" ON "dcim_devices"("site");

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_locked_by_fkey" FOREIGN KEY ("locked_by") REFERENCES "processes"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "process_subscriptions" ADD CONSTRAINT "process_subscriptions_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "processes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "process_subscriptions" ADD CONSTRAINT "process_subscriptions_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "process_steps" ADD CONSTRAINT "process_steps_process_id_fkey" FOREIGN KEY ("process_id") REFERENCES "processes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

