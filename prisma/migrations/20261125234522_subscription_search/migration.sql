-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- DropIndex
DROP INDEX "subscriptions_product_lifecycle_idx";

-- AlterTable
ALTER TABLE "subscriptions" ADD COLUMN     "search_text" TEXT NOT NULL DEFAULT '';

-- Backfill: the same text the application writes (libs/domain/src/products/search-text.ts)
UPDATE "subscriptions" SET "search_text" = lower(concat_ws(' ', "description", "customer_id", "product",
  (SELECT string_agg(v #>> '{}', ' ') FROM jsonb_path_query("domain_model", 'strict $.**') AS v WHERE jsonb_typeof(v) IN ('string', 'number'))));

-- CreateIndex
CREATE INDEX "subscriptions_product_lifecycle_created_at_id_idx" ON "subscriptions"("product", "lifecycle", "created_at", "id");

-- CreateIndex
CREATE INDEX "subscriptions_created_at_id_idx" ON "subscriptions"("created_at", "id");

-- CreateIndex
CREATE INDEX "subscriptions_search_text_trgm" ON "subscriptions" USING GIN ("search_text" gin_trgm_ops);
