-- DropForeignKey
ALTER TABLE "teasers" DROP CONSTRAINT "teasers_collection_id_fkey";

-- AlterTable
ALTER TABLE "collections" ADD COLUMN     "created_by_id" UUID,
ADD COLUMN     "updated_by_id" UUID;

-- AlterTable
ALTER TABLE "teasers" ADD COLUMN     "created_by_id" UUID,
ADD COLUMN     "image_alt" VARCHAR(500),
ADD COLUMN     "image_url" VARCHAR(2048),
ADD COLUMN     "updated_by_id" UUID;

-- CreateTable
CREATE TABLE "collection_events" (
    "id" UUID NOT NULL,
    "collection_id" UUID NOT NULL,
    "action" VARCHAR(50) NOT NULL,
    "teaser_id" UUID,
    "key_id" UUID,
    "request_id" VARCHAR(128),
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lineup" JSONB NOT NULL,

    CONSTRAINT "collection_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "collection_events_collection_id_at_id_idx" ON "collection_events"("collection_id", "at" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "teasers" ADD CONSTRAINT "teasers_collection_id_fkey" FOREIGN KEY ("collection_id") REFERENCES "collections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "collection_events" ADD CONSTRAINT "collection_events_collection_id_fkey" FOREIGN KEY ("collection_id") REFERENCES "collections"("id") ON DELETE CASCADE ON UPDATE CASCADE;
