-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "bylines_derived" BOOLEAN NOT NULL DEFAULT false;
