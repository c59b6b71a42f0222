-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "lead_media_id" UUID;

-- AlterTable
ALTER TABLE "people" ADD COLUMN     "image_media_id" UUID;

-- AlterTable
ALTER TABLE "teasers" ADD COLUMN     "image_media_id" UUID;

-- CreateTable
CREATE TABLE "media" (
    "id" UUID NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "mime_type" VARCHAR(50) NOT NULL,
    "bytes" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "alt" VARCHAR(1000),
    "caption" VARCHAR(2000),
    "credit" VARCHAR(300),
    "copyright_holder" VARCHAR(300),
    "usage_terms" VARCHAR(1000),
    "captured_at" TIMESTAMPTZ(3),
    "focal_x" REAL NOT NULL DEFAULT 0.5,
    "focal_y" REAL NOT NULL DEFAULT 0.5,
    "placeholder" VARCHAR(100) NOT NULL,
    "search_key" VARCHAR(3400) NOT NULL,
    "credit_key" VARCHAR(300),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by_id" UUID,
    "updated_by_id" UUID,

    CONSTRAINT "media_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "article_media" (
    "article_id" UUID NOT NULL,
    "media_id" UUID NOT NULL,

    CONSTRAINT "article_media_pkey" PRIMARY KEY ("article_id","media_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "media_sha256_key" ON "media"("sha256");

-- CreateIndex
CREATE INDEX "media_created_at_id_idx" ON "media"("created_at", "id");

-- CreateIndex
CREATE INDEX "media_credit_key_id_idx" ON "media"("credit_key", "id");

-- CreateIndex
CREATE INDEX "media_mime_type_created_at_id_idx" ON "media"("mime_type", "created_at", "id");

-- CreateIndex
CREATE INDEX "media_search_key_trgm_idx" ON "media" USING GIN ("search_key" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "article_media_media_id_idx" ON "article_media"("media_id");

-- CreateIndex
CREATE INDEX "articles_lead_media_id_idx" ON "articles"("lead_media_id");

-- CreateIndex
CREATE INDEX "people_image_media_id_idx" ON "people"("image_media_id");

-- CreateIndex
CREATE INDEX "teasers_image_media_id_idx" ON "teasers"("image_media_id");

-- AddForeignKey
ALTER TABLE "articles" ADD CONSTRAINT "articles_lead_media_id_fkey" FOREIGN KEY ("lead_media_id") REFERENCES "media"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "people" ADD CONSTRAINT "people_image_media_id_fkey" FOREIGN KEY ("image_media_id") REFERENCES "media"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "teasers" ADD CONSTRAINT "teasers_image_media_id_fkey" FOREIGN KEY ("image_media_id") REFERENCES "media"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_media" ADD CONSTRAINT "article_media_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_media" ADD CONSTRAINT "article_media_media_id_fkey" FOREIGN KEY ("media_id") REFERENCES "media"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Focal points are fractions of the picture; sizes are positive.
ALTER TABLE "media" ADD CONSTRAINT "media_focal_point_range"
  CHECK ("focal_x" BETWEEN 0 AND 1 AND "focal_y" BETWEEN 0 AND 1);
ALTER TABLE "media" ADD CONSTRAINT "media_positive_size"
  CHECK ("bytes" > 0 AND "width" > 0 AND "height" > 0);

-- Media and its uses drop the response caches of every instance when they change, as the other
-- content tables do (see the body_html_and_change_notifications migration).
CREATE TRIGGER "media_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "media"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "article_media_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "article_media"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
