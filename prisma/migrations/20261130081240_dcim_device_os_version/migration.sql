-- AlterTable
ALTER TABLE "dcim_devices" ADD COLUMN     "os_version" TEXT;
