-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "body_html" TEXT;

-- Content change notifications: every transaction that changes published content (articles and
-- their credits, tags and old slugs; sources; tags; collections and teasers) sends one NOTIFY on
-- "newsdesk_content" when it commits — never for a rolled-back one. Each API instance listens and
-- drops its response cache. Identical notifications of one transaction are folded into one by
-- PostgreSQL, so a bulk write costs one message. Writes made outside the API (SQL, imports) are
-- covered too.
CREATE FUNCTION "newsdesk_notify_content_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('newsdesk_content', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "articles_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "articles"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "article_credits_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "article_credits"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "article_tags_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "article_tags"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "article_slugs_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "article_slugs"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "sources_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sources"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "tags_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "tags"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "collections_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "collections"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
CREATE TRIGGER "teasers_notify_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "teasers"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
