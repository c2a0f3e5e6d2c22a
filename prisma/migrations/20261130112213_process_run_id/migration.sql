-- AlterTable
ALTER TABLE "processes" ADD COLUMN     "run_id" TEXT;
