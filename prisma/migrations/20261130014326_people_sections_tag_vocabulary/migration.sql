-- CreateEnum
CREATE TYPE "contributor_role" AS ENUM ('author', 'editor', 'photographer', 'videographer', 'translator', 'contributor');

-- CreateEnum
CREATE TYPE "tag_type" AS ENUM ('subject', 'place', 'organisation', 'person', 'event');

-- AlterTable
ALTER TABLE "tags" ADD COLUMN     "created_by_id" UUID,
ADD COLUMN     "description" VARCHAR(2000),
ADD COLUMN     "type" "tag_type" NOT NULL DEFAULT 'subject',
ADD COLUMN     "updated_by_id" UUID,
ADD COLUMN     "uri" VARCHAR(2048);

-- CreateTable
CREATE TABLE "tag_slugs" (
    "slug" VARCHAR(100) NOT NULL,
    "tag_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tag_slugs_pkey" PRIMARY KEY ("slug")
);

-- CreateTable
CREATE TABLE "people" (
    "id" UUID NOT NULL,
    "slug" VARCHAR(100) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "name_key" VARCHAR(200) NOT NULL,
    "bio" TEXT,
    "bio_html" TEXT,
    "job_title" VARCHAR(200),
    "email" VARCHAR(320),
    "image_url" VARCHAR(2048),
    "same_as" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "affiliation_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by_id" UUID,
    "updated_by_id" UUID,

    CONSTRAINT "people_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "article_contributors" (
    "article_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "role" "contributor_role" NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "article_contributors_pkey" PRIMARY KEY ("article_id","position")
);

-- CreateTable
CREATE TABLE "sections" (
    "id" UUID NOT NULL,
    "slug" VARCHAR(100) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "description" VARCHAR(2000),
    "parent_id" UUID,
    "path" VARCHAR(1000) NOT NULL,
    "depth" INTEGER NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by_id" UUID,
    "updated_by_id" UUID,

    CONSTRAINT "sections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "article_sections" (
    "article_id" UUID NOT NULL,
    "section_id" UUID NOT NULL,
    "is_primary" BOOLEAN NOT NULL DEFAULT false,
    "position" INTEGER NOT NULL,

    CONSTRAINT "article_sections_pkey" PRIMARY KEY ("article_id","section_id")
);

-- CreateIndex
CREATE INDEX "tag_slugs_tag_id_idx" ON "tag_slugs"("tag_id");

-- CreateIndex
CREATE UNIQUE INDEX "people_slug_key" ON "people"("slug");

-- CreateIndex
CREATE INDEX "people_name_key_id_idx" ON "people"("name_key", "id");

-- CreateIndex
CREATE INDEX "people_created_at_id_idx" ON "people"("created_at", "id");

-- CreateIndex
CREATE INDEX "people_name_key_trgm_idx" ON "people" USING GIN ("name_key" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "people_affiliation_id_idx" ON "people"("affiliation_id");

-- CreateIndex
CREATE INDEX "article_contributors_person_id_article_id_idx" ON "article_contributors"("person_id", "article_id");

-- CreateIndex
CREATE UNIQUE INDEX "article_contributors_article_id_person_id_role_key" ON "article_contributors"("article_id", "person_id", "role");

-- CreateIndex
CREATE UNIQUE INDEX "sections_path_key" ON "sections"("path");

-- CreateIndex
CREATE INDEX "sections_parent_id_position_slug_idx" ON "sections"("parent_id", "position", "slug");

-- CreateIndex
CREATE INDEX "article_sections_section_id_article_id_idx" ON "article_sections"("section_id", "article_id");

-- AddForeignKey
ALTER TABLE "tag_slugs" ADD CONSTRAINT "tag_slugs_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "people" ADD CONSTRAINT "people_affiliation_id_fkey" FOREIGN KEY ("affiliation_id") REFERENCES "sources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_contributors" ADD CONSTRAINT "article_contributors_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_contributors" ADD CONSTRAINT "article_contributors_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sections" ADD CONSTRAINT "sections_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "sections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_sections" ADD CONSTRAINT "article_sections_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_sections" ADD CONSTRAINT "article_sections_section_id_fkey" FOREIGN KEY ("section_id") REFERENCES "sections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A tree at most 8 levels deep, whose roots (and only they) are at depth 1.
ALTER TABLE "sections" ADD CONSTRAINT "sections_depth_check" CHECK ("depth" BETWEEN 1 AND 8 AND ("parent_id" IS NULL) = ("depth" = 1));

-- The new content tables drop the response caches of every instance when they change, as the
-- others do (see the body_html_and_change_notifications migration).
CREATE TRIGGER "tag_slugs_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "tag_slugs"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "people_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "people"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "article_contributors_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "article_contributors"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "sections_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sections"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "article_sections_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "article_sections"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
