-- CreateTable
CREATE TABLE "change_events" (
    "id" BIGSERIAL NOT NULL,
    "type" VARCHAR(50) NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "resource_type" VARCHAR(20) NOT NULL,
    "resource_id" UUID NOT NULL,
    "resource_slug" VARCHAR(200),
    "resource_version" INTEGER,
    "changed_fields" TEXT[],
    "surrogate_keys" TEXT[],
    "public" BOOLEAN NOT NULL,
    "source_ids" UUID[],
    "tags" TEXT[],
    "collection_ids" UUID[],
    "key_id" UUID,
    "request_id" VARCHAR(128),

    CONSTRAINT "change_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_positions" (
    "position" BIGINT NOT NULL,
    "event_id" BIGINT NOT NULL,

    CONSTRAINT "change_positions_pkey" PRIMARY KEY ("position")
);

-- CreateTable
CREATE TABLE "change_queue" (
    "event_id" BIGINT NOT NULL,

    CONSTRAINT "change_queue_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "scheduled_changes" (
    "resource_type" VARCHAR(20) NOT NULL,
    "resource_id" UUID NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "scheduled_changes_pkey" PRIMARY KEY ("resource_type","resource_id","due_at")
);

-- CreateTable
CREATE TABLE "change_log" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "last_position" BIGINT NOT NULL DEFAULT 0,
    "pruned_through" BIGINT NOT NULL DEFAULT 0,
    "pruned_at" TIMESTAMPTZ(3),

    CONSTRAINT "change_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" UUID NOT NULL,
    "url" VARCHAR(2048) NOT NULL,
    "description" VARCHAR(500),
    "events" TEXT[],
    "filter_source_id" UUID,
    "filter_tag" VARCHAR(100),
    "filter_collection_id" UUID,
    "secret" VARCHAR(100) NOT NULL,
    "previous_secret" VARCHAR(100),
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    "preview" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" VARCHAR(500),
    "disabled_at" TIMESTAMPTZ(3),
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_by_id" UUID,
    "updated_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event_id" BIGINT,
    "event_type" VARCHAR(50) NOT NULL,
    "payload" JSONB,
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "locked_until" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_attempts" (
    "id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL,
    "status_code" INTEGER,
    "duration_ms" INTEGER NOT NULL,
    "error" VARCHAR(500),
    "response_body" VARCHAR(4096),

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "change_events_source_ids_idx" ON "change_events" USING GIN ("source_ids");

-- CreateIndex
CREATE INDEX "change_events_tags_idx" ON "change_events" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "change_events_collection_ids_idx" ON "change_events" USING GIN ("collection_ids");

-- CreateIndex
CREATE INDEX "change_events_occurred_at_idx" ON "change_events"("occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "change_positions_event_id_key" ON "change_positions"("event_id");

-- CreateIndex
CREATE INDEX "scheduled_changes_due_at_idx" ON "scheduled_changes"("due_at");

-- CreateIndex
CREATE INDEX "webhooks_created_at_id_idx" ON "webhooks"("created_at", "id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_id_created_at_id_idx" ON "webhook_deliveries"("webhook_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "webhook_deliveries_event_id_idx" ON "webhook_deliveries"("event_id");

-- CreateIndex
CREATE INDEX "webhook_attempts_delivery_id_attempted_at_idx" ON "webhook_attempts"("delivery_id", "attempted_at");

-- AddForeignKey
ALTER TABLE "change_positions" ADD CONSTRAINT "change_positions_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "change_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "change_queue" ADD CONSTRAINT "change_queue_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "change_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "change_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The feed's one row of state.
INSERT INTO "change_log" ("id", "pruned_through") VALUES (1, 0);

-- Articles already scheduled, and teaser windows not yet turned, write their events when due.
INSERT INTO "scheduled_changes" ("resource_type", "resource_id", "due_at")
  SELECT 'article', "id", "published_at" FROM "articles"
  WHERE "status" IN ('scheduled', 'published') AND "published_at" > now() AND "deleted_at" IS NULL;
INSERT INTO "scheduled_changes" ("resource_type", "resource_id", "due_at")
  SELECT 'teaser', "id", "starts_at" FROM "teasers" WHERE "starts_at" > now()
  UNION SELECT 'teaser', "id", "ends_at" FROM "teasers" WHERE "ends_at" > now();

-- An event written with no content change (a scheduled article going live, found when it falls
-- due) changes the feed: caches of it are dropped as for any other change, and every instance's
-- delivery worker wakes.
CREATE TRIGGER "change_events_notify_change" AFTER INSERT OR DELETE OR TRUNCATE ON "change_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "newsdesk_notify_content_change"();
