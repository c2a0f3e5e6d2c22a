-- CreateEnum
CREATE TYPE "tenant_member_kind" AS ENUM ('user', 'api_key');

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "tenant_ids" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "processes" ADD COLUMN     "tenant_id" TEXT NOT NULL DEFAULT 'default';

-- The counts gain the tenant as a key column: emptied here, counted again at the end.
TRUNCATE "subscription_counts";

-- AlterTable
ALTER TABLE "subscription_counts" DROP CONSTRAINT "subscription_counts_pkey",
ADD COLUMN     "tenant_id" TEXT NOT NULL,
ADD CONSTRAINT "subscription_counts_pkey" PRIMARY KEY ("tenant_id", "product", "lifecycle", "customer_id", "insync");

-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "tenant_id" TEXT NOT NULL DEFAULT 'default';

-- CreateTable
CREATE TABLE "tenants" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- Everything recorded before tenancy belongs to the tenant `default` (the columns' default), which must exist
-- before the foreign keys below are checked.
INSERT INTO "tenants" ("id", "name", "created_by", "updated_at") VALUES ('default', 'Default tenant', 'migration', now());

-- CreateTable
CREATE TABLE "tenant_members" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "kind" "tenant_member_kind" NOT NULL,
    "member" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_members_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tenant_members_kind_member_idx" ON "tenant_members"("kind", "member");

-- CreateIndex
CREATE UNIQUE INDEX "tenant_members_tenant_id_kind_member_key" ON "tenant_members"("tenant_id", "kind", "member");

-- CreateIndex
CREATE INDEX "processes_tenant_id_created_at_id_idx" ON "processes"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "processes_tenant_id_status_created_at_idx" ON "processes"("tenant_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "subscriptions_tenant_id_created_at_id_idx" ON "subscriptions"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "subscriptions_tenant_id_product_lifecycle_created_at_id_idx" ON "subscriptions"("tenant_id", "product", "lifecycle", "created_at", "id");

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "processes" ADD CONSTRAINT "processes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "tenant_members" ADD CONSTRAINT "tenant_members_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The counts follow every write to subscriptions as before, now per tenant too (a scoped list's total).
CREATE OR REPLACE FUNCTION "subscription_counts_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "subscription_counts" AS c ("tenant_id", "product", "lifecycle", "customer_id", "insync", "n")
    SELECT "tenant_id", "product", "lifecycle", "customer_id", "insync", count(*) FROM new_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ("tenant_id", "product", "lifecycle", "customer_id", "insync") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "subscription_counts" AS c ("tenant_id", "product", "lifecycle", "customer_id", "insync", "n")
    SELECT "tenant_id", "product", "lifecycle", "customer_id", "insync", -count(*) FROM old_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ("tenant_id", "product", "lifecycle", "customer_id", "insync") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
  ELSE
    INSERT INTO "subscription_counts" AS c ("tenant_id", "product", "lifecycle", "customer_id", "insync", "n")
    SELECT "tenant_id", "product", "lifecycle", "customer_id", "insync", sum(d) FROM (
      SELECT "tenant_id", "product", "lifecycle", "customer_id", "insync", 1 AS d FROM new_rows
      UNION ALL
      SELECT "tenant_id", "product", "lifecycle", "customer_id", "insync", -1 FROM old_rows
    ) AS moved GROUP BY 1, 2, 3, 4, 5 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ("tenant_id", "product", "lifecycle", "customer_id", "insync") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
  END IF;
  RETURN NULL;
END
$$;

INSERT INTO "subscription_counts" ("tenant_id", "product", "lifecycle", "customer_id", "insync", "n")
SELECT "tenant_id", "product", "lifecycle", "customer_id", "insync", count(*) FROM "subscriptions" GROUP BY 1, 2, 3, 4, 5;

-- A subscription a process inserts (locked by it) belongs to that process's tenant, whatever the insert says:
-- the column's default exists for direct inserts (tests, benchmarks), and must never let a process's
-- subscription fall into `default`.
CREATE FUNCTION "subscriptions_take_process_tenant"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."locked_by" IS NOT NULL THEN
    NEW."tenant_id" := coalesce((SELECT "tenant_id" FROM "processes" WHERE "id" = NEW."locked_by"), NEW."tenant_id");
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "subscriptions_take_process_tenant" BEFORE INSERT ON "subscriptions"
  FOR EACH ROW EXECUTE FUNCTION "subscriptions_take_process_tenant"();
