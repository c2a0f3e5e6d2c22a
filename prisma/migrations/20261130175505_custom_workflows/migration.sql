-- AlterTable
ALTER TABLE "processes" ADD COLUMN     "workflow_version_id" UUID;

-- CreateTable
CREATE TABLE "custom_workflows" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL DEFAULT 'default',
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "latest_version" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "custom_workflows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "custom_workflow_versions" (
    "id" UUID NOT NULL,
    "workflow_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "definition_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "custom_workflow_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "custom_workflows_tenant_id_created_at_id_idx" ON "custom_workflows"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "custom_workflow_versions_workflow_id_version_key" ON "custom_workflow_versions"("workflow_id", "version");

-- AddForeignKey
ALTER TABLE "processes" ADD CONSTRAINT "processes_workflow_version_id_fkey" FOREIGN KEY ("workflow_version_id") REFERENCES "custom_workflow_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "custom_workflow_versions" ADD CONSTRAINT "custom_workflow_versions_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "custom_workflows"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- One live custom workflow per name and tenant (a deleted one frees its name; its versions stay for the processes that ran them).
CREATE UNIQUE INDEX "custom_workflows_tenant_id_name_live_key" ON "custom_workflows"("tenant_id", "name") WHERE "deleted_at" IS NULL;

-- A version is what processes ran: never changed, never removed.
CREATE FUNCTION custom_workflow_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'custom_workflow_versions is immutable: % is refused; register a new version instead', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER custom_workflow_versions_immutable BEFORE UPDATE OR DELETE ON "custom_workflow_versions" FOR EACH ROW EXECUTE FUNCTION custom_workflow_versions_immutable();
