-- A section event names the section by its path: up to 8 slugs of 100 characters and their
-- slashes (807 characters), more than the 200 a slug or key needed. Widening a varchar rewrites nothing.
-- AlterTable
ALTER TABLE "change_events" ALTER COLUMN "resource_slug" SET DATA TYPE VARCHAR(1000);
