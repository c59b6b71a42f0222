-- CreateTable
CREATE TABLE "preview_links" (
    "id" UUID NOT NULL,
    "article_id" UUID NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "pinned_version" INTEGER,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "uses" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "preview_links_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "preview_links_token_hash_key" ON "preview_links"("token_hash");

-- CreateIndex
CREATE INDEX "preview_links_article_id_created_at_id_idx" ON "preview_links"("article_id", "created_at" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "preview_links" ADD CONSTRAINT "preview_links_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preview_links" ADD CONSTRAINT "preview_links_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The token is a SHA-256 hash in hex; a link lives at most 30 days (the API's bound, kept here too);
-- versions start at 1; uses only grow from 0.
ALTER TABLE "preview_links" ADD CONSTRAINT "preview_links_token_hash_check" CHECK ("token_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "preview_links" ADD CONSTRAINT "preview_links_expiry_check"
  CHECK ("expires_at" > "created_at" AND "expires_at" <= "created_at" + interval '30 days');
ALTER TABLE "preview_links" ADD CONSTRAINT "preview_links_pinned_version_check" CHECK ("pinned_version" IS NULL OR "pinned_version" >= 1);
ALTER TABLE "preview_links" ADD CONSTRAINT "preview_links_uses_check" CHECK ("uses" >= 0);
