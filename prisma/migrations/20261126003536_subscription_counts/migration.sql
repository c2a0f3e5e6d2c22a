-- CreateTable
CREATE TABLE "subscription_counts" (
    "product" TEXT NOT NULL,
    "lifecycle" "lifecycle" NOT NULL,
    "customer_id" TEXT NOT NULL,
    "insync" BOOLEAN NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "subscription_counts_pkey" PRIMARY KEY ("product","lifecycle","customer_id","insync")
);

-- Subscriptions recorded before the catalogue existed (the create_node slice) keep their product: a placeholder
-- row by that name, which the catalogue sync at the next start fills in.
INSERT INTO "products" ("id", "name", "type", "description", "tag", "updated_at")
SELECT gen_random_uuid(), s."product", s."product", 'recorded before the product catalogue existed', '', now()
FROM (SELECT DISTINCT "product" FROM "subscriptions") AS s
ON CONFLICT ("name") DO NOTHING;

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_product_fkey" FOREIGN KEY ("product") REFERENCES "products"("name") ON DELETE RESTRICT ON UPDATE RESTRICT;


-- The counts follow every write to subscriptions, in the writing transaction, once per statement (a bulk
-- insert touches each group once). Groups are upserted in key order so that two writers lock them alike.
CREATE FUNCTION "subscription_counts_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "subscription_counts" AS c ("product", "lifecycle", "customer_id", "insync", "n")
    SELECT "product", "lifecycle", "customer_id", "insync", count(*) FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("product", "lifecycle", "customer_id", "insync") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "subscription_counts" AS c ("product", "lifecycle", "customer_id", "insync", "n")
    SELECT "product", "lifecycle", "customer_id", "insync", -count(*) FROM old_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("product", "lifecycle", "customer_id", "insync") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
  ELSE
    INSERT INTO "subscription_counts" AS c ("product", "lifecycle", "customer_id", "insync", "n")
    SELECT "product", "lifecycle", "customer_id", "insync", sum(d) FROM (
      SELECT "product", "lifecycle", "customer_id", "insync", 1 AS d FROM new_rows
      UNION ALL
      SELECT "product", "lifecycle", "customer_id", "insync", -1 FROM old_rows
    ) AS moved GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("product", "lifecycle", "customer_id", "insync") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "subscription_counts_insert" AFTER INSERT ON "subscriptions"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "subscription_counts_follow"();
CREATE TRIGGER "subscription_counts_update" AFTER UPDATE ON "subscriptions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "subscription_counts_follow"();
CREATE TRIGGER "subscription_counts_delete" AFTER DELETE ON "subscriptions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "subscription_counts_follow"();

INSERT INTO "subscription_counts" ("product", "lifecycle", "customer_id", "insync", "n")
SELECT "product", "lifecycle", "customer_id", "insync", count(*) FROM "subscriptions" GROUP BY 1, 2, 3, 4;
