-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateEnum
CREATE TYPE "source_kind" AS ENUM ('publisher', 'agency', 'partner');

-- CreateEnum
CREATE TYPE "article_status" AS ENUM ('draft', 'scheduled', 'published', 'archived');

-- CreateTable
CREATE TABLE "sources" (
    "id" UUID NOT NULL,
    "slug" VARCHAR(100) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "name_key" VARCHAR(200) NOT NULL,
    "kind" "source_kind" NOT NULL,
    "homepage_url" VARCHAR(2048),
    "description" VARCHAR(2000),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "articles" (
    "id" UUID NOT NULL,
    "slug" VARCHAR(200) NOT NULL,
    "headline" VARCHAR(300) NOT NULL,
    "summary" VARCHAR(1000),
    "body" TEXT NOT NULL DEFAULT '',
    "dateline" VARCHAR(200),
    "bylines" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "language" VARCHAR(35) NOT NULL DEFAULT 'en',
    "status" "article_status" NOT NULL DEFAULT 'draft',
    "published_at" TIMESTAMPTZ(3),
    "source_id" UUID,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "articles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "article_credits" (
    "article_id" UUID NOT NULL,
    "source_id" UUID NOT NULL,
    "role" VARCHAR(50) NOT NULL DEFAULT 'wire',
    "position" INTEGER NOT NULL,

    CONSTRAINT "article_credits_pkey" PRIMARY KEY ("article_id","source_id")
);

-- CreateTable
CREATE TABLE "tags" (
    "id" UUID NOT NULL,
    "slug" VARCHAR(100) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "article_tags" (
    "article_id" UUID NOT NULL,
    "tag_id" UUID NOT NULL,

    CONSTRAINT "article_tags_pkey" PRIMARY KEY ("article_id","tag_id")
);

-- CreateTable
CREATE TABLE "collections" (
    "id" UUID NOT NULL,
    "key" VARCHAR(100) NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "description" VARCHAR(2000),
    "max_items" INTEGER NOT NULL DEFAULT 10,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "collections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "teasers" (
    "id" UUID NOT NULL,
    "collection_id" UUID NOT NULL,
    "text" VARCHAR(500) NOT NULL,
    "title" VARCHAR(300),
    "article_id" UUID,
    "url" VARCHAR(2048),
    "source_id" UUID,
    "position" INTEGER NOT NULL,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "starts_at" TIMESTAMPTZ(3),
    "ends_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "teasers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sources_slug_key" ON "sources"("slug");

-- CreateIndex
CREATE INDEX "sources_name_key_id_idx" ON "sources"("name_key", "id");

-- CreateIndex
CREATE INDEX "sources_kind_name_key_id_idx" ON "sources"("kind", "name_key", "id");

-- CreateIndex
CREATE INDEX "sources_name_key_trgm_idx" ON "sources" USING GIN ("name_key" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "sources_created_at_id_idx" ON "sources"("created_at", "id");

-- CreateIndex
CREATE INDEX "sources_kind_created_at_id_idx" ON "sources"("kind", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "articles_slug_key" ON "articles"("slug");

-- CreateIndex
CREATE INDEX "articles_status_published_at_id_idx" ON "articles"("status", "published_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "articles_source_id_published_at_id_idx" ON "articles"("source_id", "published_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "articles_language_published_at_id_idx" ON "articles"("language", "published_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "articles_updated_at_id_idx" ON "articles"("updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "article_credits_source_id_idx" ON "article_credits"("source_id");

-- CreateIndex
CREATE UNIQUE INDEX "tags_slug_key" ON "tags"("slug");

-- CreateIndex
CREATE INDEX "article_tags_tag_id_article_id_idx" ON "article_tags"("tag_id", "article_id");

-- CreateIndex
CREATE UNIQUE INDEX "collections_key_key" ON "collections"("key");

-- CreateIndex
CREATE INDEX "teasers_collection_id_pinned_position_idx" ON "teasers"("collection_id", "pinned" DESC, "position");

-- CreateIndex
CREATE INDEX "teasers_article_id_idx" ON "teasers"("article_id");

-- CreateIndex
CREATE INDEX "teasers_source_id_idx" ON "teasers"("source_id");

-- AddForeignKey
ALTER TABLE "articles" ADD CONSTRAINT "articles_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_credits" ADD CONSTRAINT "article_credits_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_credits" ADD CONSTRAINT "article_credits_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_tags" ADD CONSTRAINT "article_tags_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_tags" ADD CONSTRAINT "article_tags_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "teasers" ADD CONSTRAINT "teasers_collection_id_fkey" FOREIGN KEY ("collection_id") REFERENCES "collections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "teasers" ADD CONSTRAINT "teasers_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "teasers" ADD CONSTRAINT "teasers_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
