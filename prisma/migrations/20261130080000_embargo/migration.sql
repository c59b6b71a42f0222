-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "embargoed_until" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "articles_embargoed_until_idx" ON "articles"("embargoed_until");

-- Embargoes of published articles not yet lifted write their events when they lift (none exist
-- before this migration; kept so the pattern of scheduled moments holds for every due instant).
INSERT INTO "scheduled_changes" ("resource_type", "resource_id", "due_at")
  SELECT 'article', "id", "embargoed_until" FROM "articles"
  WHERE "status" IN ('scheduled', 'published') AND "embargoed_until" > now() AND "deleted_at" IS NULL
    AND "published_at" < "embargoed_until"
  ON CONFLICT DO NOTHING;
