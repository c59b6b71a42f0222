-- CreateTable
CREATE TABLE "article_months" (
    "month" DATE NOT NULL,
    "articles" INTEGER NOT NULL DEFAULT 0,
    "canonical_articles" INTEGER NOT NULL DEFAULT 0,
    "last_value" TIMESTAMPTZ(3),
    "canonical_last_value" TIMESTAMPTZ(3),

    CONSTRAINT "article_months_pkey" PRIMARY KEY ("month")
);

-- A month's figures, kept at commit by a deferred trigger: the lock on a month's row is taken as
-- the writing transaction commits, not at its first statement, so concurrent writes of the same
-- month (every new story goes to the current one) queue for a moment, not for a transaction.
-- Counts move by one per row event, which sums right whatever the events of a transaction are.
-- A latest value only grows by GREATEST; when a row leaves a month or its value goes down, the
-- month's latest values are read again from the table, after the row lock is held (a new snapshot
-- then sees every transaction that has already added to the row).
CREATE FUNCTION newsdesk_article_months() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  old_in boolean := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL
    AND OLD.status IN ('published', 'scheduled') AND OLD.published_at IS NOT NULL;
  new_in boolean := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL
    AND NEW.status IN ('published', 'scheduled') AND NEW.published_at IS NOT NULL;
  old_month date;
  new_month date;
  old_value timestamptz;
  new_value timestamptz;
  old_canonical boolean;
  new_canonical boolean;
BEGIN
  IF old_in THEN
    old_month := date_trunc('month', OLD.published_at AT TIME ZONE 'UTC')::date;
    old_value := GREATEST(OLD.updated_at, OLD.published_at, OLD.embargoed_until);
    old_canonical := OLD.canonical_url IS NOT NULL;
  END IF;
  IF new_in THEN
    new_month := date_trunc('month', NEW.published_at AT TIME ZONE 'UTC')::date;
    new_value := GREATEST(NEW.updated_at, NEW.published_at, NEW.embargoed_until);
    new_canonical := NEW.canonical_url IS NOT NULL;
  END IF;
  IF old_in AND new_in AND old_month = new_month AND old_canonical = new_canonical AND new_value >= old_value THEN
    IF new_value > old_value THEN
      UPDATE article_months SET last_value = GREATEST(last_value, new_value),
        canonical_last_value = CASE WHEN new_canonical THEN GREATEST(canonical_last_value, new_value)
          ELSE canonical_last_value END
      WHERE month = new_month;
    END IF;
    RETURN NULL;
  END IF;
  IF old_in THEN
    UPDATE article_months SET articles = articles - 1, canonical_articles = canonical_articles - old_canonical::int
    WHERE month = old_month;
    UPDATE article_months m SET last_value = x.last_value, canonical_last_value = x.canonical_last_value
    FROM (
      SELECT max(GREATEST(a.updated_at, a.published_at, a.embargoed_until)) AS last_value,
        max(GREATEST(a.updated_at, a.published_at, a.embargoed_until)) FILTER (WHERE a.canonical_url IS NOT NULL)
          AS canonical_last_value
      FROM articles a
      WHERE a.published_at >= (old_month::timestamp AT TIME ZONE 'UTC')
        AND a.published_at < ((old_month + interval '1 month')::timestamp AT TIME ZONE 'UTC')
        AND a.deleted_at IS NULL AND a.status IN ('published', 'scheduled')
    ) x
    WHERE m.month = old_month;
  END IF;
  IF new_in THEN
    INSERT INTO article_months AS m (month, articles, canonical_articles, last_value, canonical_last_value)
    VALUES (new_month, 1, new_canonical::int, new_value, CASE WHEN new_canonical THEN new_value END)
    ON CONFLICT (month) DO UPDATE SET articles = m.articles + 1,
      canonical_articles = m.canonical_articles + EXCLUDED.canonical_articles,
      last_value = GREATEST(m.last_value, EXCLUDED.last_value),
      canonical_last_value = GREATEST(m.canonical_last_value, EXCLUDED.canonical_last_value);
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER articles_months
  AFTER INSERT OR DELETE OR UPDATE OF status, deleted_at, published_at, embargoed_until, updated_at, canonical_url
  ON articles DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION newsdesk_article_months();

-- The months of the articles already written.
INSERT INTO article_months (month, articles, canonical_articles, last_value, canonical_last_value)
SELECT date_trunc('month', a.published_at AT TIME ZONE 'UTC')::date, count(*)::int,
  (count(*) FILTER (WHERE a.canonical_url IS NOT NULL))::int,
  max(GREATEST(a.updated_at, a.published_at, a.embargoed_until)),
  max(GREATEST(a.updated_at, a.published_at, a.embargoed_until)) FILTER (WHERE a.canonical_url IS NOT NULL)
FROM articles a
WHERE a.deleted_at IS NULL AND a.status IN ('published', 'scheduled') AND a.published_at IS NOT NULL
GROUP BY 1;
