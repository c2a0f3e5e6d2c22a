-- CreateTable
CREATE TABLE "subscription_relations" (
    "in_use_by_id" UUID NOT NULL,
    "path" TEXT NOT NULL,
    "depends_on_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscription_relations_pkey" PRIMARY KEY ("in_use_by_id","path")
);

-- CreateIndex
CREATE INDEX "subscription_relations_depends_on_id_idx" ON "subscription_relations"("depends_on_id");

-- AddForeignKey
ALTER TABLE "subscription_relations" ADD CONSTRAINT "subscription_relations_in_use_by_id_fkey" FOREIGN KEY ("in_use_by_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscription_relations" ADD CONSTRAINT "subscription_relations_depends_on_id_fkey" FOREIGN KEY ("depends_on_id") REFERENCES "subscriptions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
