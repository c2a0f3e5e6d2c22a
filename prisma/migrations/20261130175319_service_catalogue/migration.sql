-- CreateTable
CREATE TABLE "catalog_services" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL DEFAULT 'default',
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "group_name" TEXT NOT NULL,
    "input_schema" JSONB,
    "workflows" JSONB NOT NULL,
    "content_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "catalog_services_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "catalog_instances" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL DEFAULT 'default',
    "service_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "parameters" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delete_requested_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "catalog_instances_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "catalog_services_tenant_id_created_at_id_idx" ON "catalog_services"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "catalog_services_tenant_id_group_name_idx" ON "catalog_services"("tenant_id", "group_name");

-- CreateIndex
CREATE INDEX "catalog_instances_tenant_id_created_at_id_idx" ON "catalog_instances"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "catalog_instances_service_id_idx" ON "catalog_instances"("service_id");

-- AddForeignKey
ALTER TABLE "catalog_instances" ADD CONSTRAINT "catalog_instances_id_fkey" FOREIGN KEY ("id") REFERENCES "processes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "catalog_instances" ADD CONSTRAINT "catalog_instances_service_id_fkey" FOREIGN KEY ("service_id") REFERENCES "catalog_services"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A name is one service per tenant while it is not deleted: registering it again answers that service (or a 409).
CREATE UNIQUE INDEX "catalog_services_tenant_id_name_live_key" ON "catalog_services"("tenant_id", "name") WHERE "deleted_at" IS NULL;
