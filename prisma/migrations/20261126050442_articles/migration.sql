-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "body_text" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "canonical_url" VARCHAR(2048),
ADD COLUMN     "created_by_id" UUID,
ADD COLUMN     "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN     "first_published_at" TIMESTAMPTZ(3),
ADD COLUMN     "lead_image_caption" VARCHAR(1000),
ADD COLUMN     "lead_image_credit" VARCHAR(300),
ADD COLUMN     "lead_image_url" VARCHAR(2048),
ADD COLUMN     "search_vector" tsvector,
ADD COLUMN     "updated_by_id" UUID;

-- CreateTable
CREATE TABLE "article_revisions" (
    "article_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "changed_fields" TEXT[],
    "snapshot" JSONB NOT NULL,
    "key_id" UUID,
    "request_id" VARCHAR(128),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "article_revisions_pkey" PRIMARY KEY ("article_id","version")
);

-- CreateTable
CREATE TABLE "article_slugs" (
    "slug" VARCHAR(200) NOT NULL,
    "article_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "article_slugs_pkey" PRIMARY KEY ("slug")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "key_id" UUID NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "status" INTEGER NOT NULL,
    "body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("key_id","key")
);

-- CreateIndex
CREATE INDEX "article_slugs_article_id_idx" ON "article_slugs"("article_id");

-- CreateIndex
CREATE INDEX "idempotency_records_created_at_idx" ON "idempotency_records"("created_at");

-- CreateIndex
CREATE INDEX "articles_published_at_id_idx" ON "articles"("published_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "articles_deleted_at_id_idx" ON "articles"("deleted_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "articles_search_vector_idx" ON "articles" USING GIN ("search_vector");

-- AddForeignKey
ALTER TABLE "articles" ADD CONSTRAINT "articles_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "articles" ADD CONSTRAINT "articles_updated_by_id_fkey" FOREIGN KEY ("updated_by_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_revisions" ADD CONSTRAINT "article_revisions_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_slugs" ADD CONSTRAINT "article_slugs_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Full-text search. Prisma does not model functions or triggers, so they live here.
-- The text search configuration for an article's language (BCP 47 primary subtag); languages
-- PostgreSQL has no stemmer for (Armenian, for one) use 'simple'.
CREATE FUNCTION newsdesk_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE lower(split_part(language, '-', 1))
    WHEN 'ar' THEN 'arabic' WHEN 'da' THEN 'danish' WHEN 'de' THEN 'german' WHEN 'el' THEN 'greek'
    WHEN 'en' THEN 'english' WHEN 'es' THEN 'spanish' WHEN 'fi' THEN 'finnish' WHEN 'fr' THEN 'french'
    WHEN 'hu' THEN 'hungarian' WHEN 'id' THEN 'indonesian' WHEN 'it' THEN 'italian' WHEN 'lt' THEN 'lithuanian'
    WHEN 'nl' THEN 'dutch' WHEN 'no' THEN 'norwegian' WHEN 'nb' THEN 'norwegian' WHEN 'pt' THEN 'portuguese'
    WHEN 'ro' THEN 'romanian' WHEN 'ru' THEN 'russian' WHEN 'sv' THEN 'swedish' WHEN 'tr' THEN 'turkish'
    ELSE 'simple'
  END::regconfig
$$;

-- Headline weighs most, then the summary, then the body. Each part is indexed twice: stemmed
-- in the article's language (queried when a list is filtered by language) and as written
-- ('simple', queried across languages), so every search has one constant query the GIN index serves.
CREATE FUNCTION newsdesk_articles_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  config regconfig := newsdesk_search_config(NEW.language);
  headline text := coalesce(NEW.headline, '');
  summary text := coalesce(NEW.summary, '');
  body text := coalesce(NEW.body_text, '');
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector(config, headline), 'A') || setweight(to_tsvector('simple', headline), 'A') ||
    setweight(to_tsvector(config, summary), 'B') || setweight(to_tsvector('simple', summary), 'B') ||
    setweight(to_tsvector(config, body), 'C') || setweight(to_tsvector('simple', body), 'C');
  RETURN NEW;
END
$$;

CREATE TRIGGER articles_search_vector
  BEFORE INSERT OR UPDATE OF headline, summary, body_text, language ON "articles"
  FOR EACH ROW EXECUTE FUNCTION newsdesk_articles_search_vector();

-- Existing rows: fill body_text's vector (body_text is filled by the application from now on).
UPDATE "articles" SET "body_text" = "body";
