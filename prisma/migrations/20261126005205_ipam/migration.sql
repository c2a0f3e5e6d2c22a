-- CreateEnum
CREATE TYPE "ipam_role" AS ENUM ('loopback', 'link', 'management', 'customer');

-- CreateTable
CREATE TABLE "ipam_pools" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" INET NOT NULL,
    "role" "ipam_role" NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ipam_pools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ipam_allocations" (
    "id" UUID NOT NULL,
    "pool_id" UUID NOT NULL,
    "prefix" INET NOT NULL,
    "subscription_id" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ipam_allocations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ipam_pools_name_key" ON "ipam_pools"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ipam_pools_prefix_key" ON "ipam_pools"("prefix");

-- CreateIndex
CREATE INDEX "ipam_pools_role_idx" ON "ipam_pools"("role");

-- CreateIndex
CREATE INDEX "ipam_allocations_pool_id_prefix_idx" ON "ipam_allocations"("pool_id", "prefix");

-- CreateIndex
CREATE UNIQUE INDEX "ipam_allocations_subscription_id_purpose_key" ON "ipam_allocations"("subscription_id", "purpose");

-- AddForeignKey
ALTER TABLE "ipam_allocations" ADD CONSTRAINT "ipam_allocations_pool_id_fkey" FOREIGN KEY ("pool_id") REFERENCES "ipam_pools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What the schema cannot say: a prefix is a network (no host bits set), and neither pools nor allocations ever
-- overlap, whatever code writes them (GiST on inet_ops, part of PostgreSQL itself).
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_prefix_is_network" CHECK ("prefix" = network("prefix")::inet);
ALTER TABLE "ipam_pools" ADD CONSTRAINT "ipam_pools_no_overlap" EXCLUDE USING gist ("prefix" inet_ops WITH &&);
ALTER TABLE "ipam_allocations" ADD CONSTRAINT "ipam_allocations_prefix_is_network" CHECK ("prefix" = network("prefix")::inet);
ALTER TABLE "ipam_allocations" ADD CONSTRAINT "ipam_allocations_no_overlap" EXCLUDE USING gist ("prefix" inet_ops WITH &&);
