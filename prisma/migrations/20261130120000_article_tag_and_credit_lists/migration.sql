-- What every read of an article shows of its tags and credits, stored on the article's row: a
-- read (a list page of 20, one article) then takes them with the row instead of looking them up
-- through article_tags / article_credits and tags / sources for each article (most of a list
-- statement's time). article_tags and article_credits stay what filters and writes use; the lists
-- are kept by the triggers below in the statement that changes them, whatever writes: the links
-- of an article (inserted, deleted, moved by a tag merge), and a tag's or source's fields the
-- lists show (a rename, a new credit line or redistribution).
-- AlterTable
ALTER TABLE "articles" ADD COLUMN "tag_list" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN "credit_list" JSONB NOT NULL DEFAULT '[]';

-- The tags of an article in slug order, as reads list them.
CREATE FUNCTION "newsdesk_article_tag_list"(article uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'slug', t.slug, 'name', t.name, 'type', t.type, 'uri', t.uri)
    ORDER BY t.slug), '[]')
  FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = article
$$;

-- The credits of an article in order, with what its rights and credit line need of each source.
CREATE FUNCTION "newsdesk_article_credit_list"(article uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('sourceId', c.source_id, 'role', c.role, 'position', c.position,
      'rights', jsonb_build_object('slug', s.slug, 'name', s.name, 'redistribution', s.redistribution,
        'creditLine', s.credit_line))
    ORDER BY c.position), '[]')
  FROM article_credits c JOIN sources s ON s.id = c.source_id WHERE c.article_id = article
$$;

-- Links inserted or deleted (the transition table is "changed" for both).
CREATE FUNCTION "newsdesk_article_tags_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE articles a SET tag_list = newsdesk_article_tag_list(a.id)
  WHERE a.id IN (SELECT DISTINCT article_id FROM changed);
  RETURN NULL;
END
$$;
CREATE FUNCTION "newsdesk_article_tags_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE articles a SET tag_list = newsdesk_article_tag_list(a.id)
  WHERE a.id IN (SELECT article_id FROM old_rows UNION SELECT article_id FROM new_rows);
  RETURN NULL;
END
$$;
CREATE TRIGGER "article_tags_list_insert" AFTER INSERT ON "article_tags"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_article_tags_changed"();
CREATE TRIGGER "article_tags_list_delete" AFTER DELETE ON "article_tags"
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_article_tags_changed"();
CREATE TRIGGER "article_tags_list_update" AFTER UPDATE ON "article_tags"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_article_tags_updated"();

CREATE FUNCTION "newsdesk_article_credits_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE articles a SET credit_list = newsdesk_article_credit_list(a.id)
  WHERE a.id IN (SELECT DISTINCT article_id FROM changed);
  RETURN NULL;
END
$$;
CREATE FUNCTION "newsdesk_article_credits_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE articles a SET credit_list = newsdesk_article_credit_list(a.id)
  WHERE a.id IN (SELECT article_id FROM old_rows UNION SELECT article_id FROM new_rows);
  RETURN NULL;
END
$$;
CREATE TRIGGER "article_credits_list_insert" AFTER INSERT ON "article_credits"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_article_credits_changed"();
CREATE TRIGGER "article_credits_list_delete" AFTER DELETE ON "article_credits"
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_article_credits_changed"();
CREATE TRIGGER "article_credits_list_update" AFTER UPDATE ON "article_credits"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_article_credits_updated"();

-- A tag's or a source's fields that the lists show: the articles linking to it are written again
-- (the service locks them first, so that no write links the record meanwhile).
CREATE FUNCTION "newsdesk_tags_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE articles a SET tag_list = newsdesk_article_tag_list(a.id)
  WHERE a.id IN (SELECT x.article_id FROM article_tags x WHERE x.tag_id IN (
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.slug, n.name, n.type, n.uri) IS DISTINCT FROM (o.slug, o.name, o.type, o.uri)));
  RETURN NULL;
END
$$;
CREATE TRIGGER "tags_article_lists" AFTER UPDATE ON "tags"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_tags_updated"();

CREATE FUNCTION "newsdesk_sources_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE articles a SET credit_list = newsdesk_article_credit_list(a.id)
  WHERE a.id IN (SELECT c.article_id FROM article_credits c WHERE c.source_id IN (
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.slug, n.name, n.redistribution, n.credit_line) IS DISTINCT FROM (o.slug, o.name, o.redistribution, o.credit_line)));
  RETURN NULL;
END
$$;
CREATE TRIGGER "sources_article_lists" AFTER UPDATE ON "sources"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_sources_updated"();

-- Existing articles.
UPDATE "articles" a SET tag_list = newsdesk_article_tag_list(a.id)
WHERE EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = a.id);
UPDATE "articles" a SET credit_list = newsdesk_article_credit_list(a.id)
WHERE EXISTS (SELECT 1 FROM article_credits c WHERE c.article_id = a.id);
