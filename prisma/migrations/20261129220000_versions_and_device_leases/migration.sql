-- CreateTable
CREATE TABLE "subscription_versions" (
    "subscription_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "lifecycle" "lifecycle" NOT NULL,
    "description" TEXT NOT NULL,
    "domain_model" JSONB NOT NULL,
    "process_id" UUID,
    "step" TEXT,
    "actor" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscription_versions_pkey" PRIMARY KEY ("subscription_id","version")
);

-- CreateTable
CREATE TABLE "device_leases" (
    "device" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "device_leases_pkey" PRIMARY KEY ("device")
);

-- AddForeignKey
ALTER TABLE "subscription_versions" ADD CONSTRAINT "subscription_versions_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every new version of a subscription is kept as it is after the change. The process is the one holding the
-- lock (a process writes only what it has locked) unless the writing transaction names one; the step and the
-- actor come from the transaction's settings loom.step and loom.actor when it sets them.
CREATE FUNCTION "keep_subscription_version"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  process uuid := COALESCE(NULLIF(current_setting('loom.process_id', true), '')::uuid, NEW."locked_by");
BEGIN
  INSERT INTO "subscription_versions" ("subscription_id", "version", "lifecycle", "description", "domain_model", "process_id", "step", "actor")
  VALUES (NEW."id", NEW."version", NEW."lifecycle", NEW."description", NEW."domain_model", process,
          NULLIF(current_setting('loom.step', true), ''),
          COALESCE(NULLIF(current_setting('loom.actor', true), ''), (SELECT "created_by" FROM "processes" WHERE "id" = process)))
  ON CONFLICT ("subscription_id", "version") DO UPDATE
    SET "lifecycle" = EXCLUDED."lifecycle", "description" = EXCLUDED."description", "domain_model" = EXCLUDED."domain_model";
  RETURN NULL;
END
$$;

CREATE TRIGGER "subscriptions_keep_version" AFTER INSERT ON "subscriptions" FOR EACH ROW EXECUTE FUNCTION "keep_subscription_version"();
CREATE TRIGGER "subscriptions_keep_new_version" AFTER UPDATE ON "subscriptions" FOR EACH ROW
  WHEN (OLD."version" IS DISTINCT FROM NEW."version" OR OLD."lifecycle" IS DISTINCT FROM NEW."lifecycle" OR OLD."domain_model" IS DISTINCT FROM NEW."domain_model" OR OLD."description" IS DISTINCT FROM NEW."description")
  EXECUTE FUNCTION "keep_subscription_version"();

-- Subscriptions that existed before versions were kept start with their present state.
INSERT INTO "subscription_versions" ("subscription_id", "version", "lifecycle", "description", "domain_model", "created_at")
SELECT "id", "version", "lifecycle", "description", "domain_model", "updated_at" FROM "subscriptions";
