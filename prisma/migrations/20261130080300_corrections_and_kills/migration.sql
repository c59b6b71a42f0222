-- CreateEnum
CREATE TYPE "correction_kind" AS ENUM ('correction', 'clarification', 'update');

-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "kill_notice" VARCHAR(2000),
ADD COLUMN     "kill_reason" VARCHAR(2000),
ADD COLUMN     "killed_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "audit_entries" ADD COLUMN     "detail" VARCHAR(2000);

-- AlterTable
ALTER TABLE "change_events" ADD COLUMN     "data" JSONB;

-- AlterTable
ALTER TABLE "webhook_deliveries" ADD COLUMN     "priority" SMALLINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "article_corrections" (
    "id" UUID NOT NULL,
    "article_id" UUID NOT NULL,
    "kind" "correction_kind" NOT NULL,
    "text" VARCHAR(2000) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "article_corrections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "article_corrections_at_id_idx" ON "article_corrections"("at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "article_corrections_article_id_at_id_idx" ON "article_corrections"("article_id", "at", "id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_priority_next_attempt_at_idx" ON "webhook_deliveries"("status", "priority" DESC, "next_attempt_at");

-- AddForeignKey
ALTER TABLE "article_corrections" ADD CONSTRAINT "article_corrections_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A killed article is a deleted one, with its reason and notice.
ALTER TABLE "articles" ADD CONSTRAINT "articles_killed_check"
  CHECK ("killed_at" IS NULL OR ("deleted_at" IS NOT NULL AND "kill_reason" IS NOT NULL AND "kill_notice" IS NOT NULL));
ALTER TABLE "article_corrections" ADD CONSTRAINT "article_corrections_text_check" CHECK (btrim("text") <> '');
ALTER TABLE "article_corrections" ADD CONSTRAINT "article_corrections_version_check" CHECK ("version" >= 1);
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_priority_check" CHECK ("priority" >= 0);

-- Corrections are shown on public articles and on GET /v1/corrections: their writes drop the
-- response caches like the other content tables (see 20261126065656_body_html_and_change_notifications).
CREATE TRIGGER "article_corrections_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "article_corrections"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
