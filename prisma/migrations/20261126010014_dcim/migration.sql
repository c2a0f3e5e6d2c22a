-- CreateEnum
CREATE TYPE "device_role" AS ENUM ('edge', 'spine', 'leaf', 'router');

-- CreateEnum
CREATE TYPE "interface_status" AS ENUM ('planned', 'active', 'decommissioning');

-- CreateEnum
CREATE TYPE "cable_status" AS ENUM ('planned', 'connected', 'decommissioning');

-- AlterTable: the slice's free-text roles become the enum; anything else was a router.
ALTER TABLE "dcim_devices" ADD COLUMN "rack_id" UUID,
ALTER COLUMN "role" TYPE "device_role"
  USING (CASE WHEN "role" IN ('edge', 'spine', 'leaf', 'router') THEN "role" ELSE 'router' END)::"device_role";

-- CreateTable
CREATE TABLE "dcim_sites" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dcim_sites_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dcim_racks" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dcim_racks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dcim_interfaces" (
    "id" UUID NOT NULL,
    "device_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "speed_mbps" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "description" TEXT NOT NULL DEFAULT '',
    "status" "interface_status" NOT NULL DEFAULT 'planned',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dcim_interfaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dcim_cables" (
    "id" UUID NOT NULL,
    "status" "cable_status" NOT NULL DEFAULT 'planned',
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dcim_cables_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dcim_cable_ends" (
    "interface_id" UUID NOT NULL,
    "cable_id" UUID NOT NULL,
    "side" TEXT NOT NULL,

    CONSTRAINT "dcim_cable_ends_pkey" PRIMARY KEY ("interface_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dcim_sites_name_key" ON "dcim_sites"("name");

-- The slice's devices named their site in free text: each such site becomes a row.
INSERT INTO "dcim_sites" ("id", "name") SELECT gen_random_uuid(), s."site" FROM (SELECT DISTINCT "site" FROM "dcim_devices") AS s;

-- CreateIndex
CREATE UNIQUE INDEX "dcim_racks_site_id_name_key" ON "dcim_racks"("site_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "dcim_interfaces_device_id_name_key" ON "dcim_interfaces"("device_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "dcim_cable_ends_cable_id_side_key" ON "dcim_cable_ends"("cable_id", "side");

-- AddForeignKey
ALTER TABLE "dcim_devices" ADD CONSTRAINT "dcim_devices_site_fkey" FOREIGN KEY ("site") REFERENCES "dcim_sites"("name") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dcim_devices" ADD CONSTRAINT "dcim_devices_rack_id_fkey" FOREIGN KEY ("rack_id") REFERENCES "dcim_racks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dcim_racks" ADD CONSTRAINT "dcim_racks_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "dcim_sites"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dcim_interfaces" ADD CONSTRAINT "dcim_interfaces_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "dcim_devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dcim_cable_ends" ADD CONSTRAINT "dcim_cable_ends_cable_id_fkey" FOREIGN KEY ("cable_id") REFERENCES "dcim_cables"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dcim_cable_ends" ADD CONSTRAINT "dcim_cable_ends_interface_id_fkey" FOREIGN KEY ("interface_id") REFERENCES "dcim_interfaces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "dcim_cable_ends" ADD CONSTRAINT "dcim_cable_ends_side" CHECK ("side" IN ('a', 'b'));
