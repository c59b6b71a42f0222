-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "allow_syndication" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "copyright_holder" VARCHAR(300),
ADD COLUMN     "copyright_notice" VARCHAR(1000),
ADD COLUMN     "syndicatable" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "syndication_override" VARCHAR(1000),
ADD COLUMN     "usage_terms" VARCHAR(1000);

-- AlterTable
ALTER TABLE "sources" ADD COLUMN     "credit_line" VARCHAR(200),
ADD COLUMN     "redistribution" VARCHAR(20) NOT NULL DEFAULT 'allowed';

-- CreateIndex
CREATE INDEX "articles_syndicatable_published_at_id_idx" ON "articles"("syndicatable", "published_at" DESC, "id" DESC);

-- The service checks these; the database keeps them true whatever writes.
ALTER TABLE "sources" ADD CONSTRAINT "sources_redistribution_check"
  CHECK ("redistribution" IN ('allowed', 'credit-required', 'forbidden'));
-- An override is a reason: never an empty one.
ALTER TABLE "articles" ADD CONSTRAINT "articles_syndication_override_check"
  CHECK ("syndication_override" IS NULL OR length(btrim("syndication_override")) > 0);
