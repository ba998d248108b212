-- A render job's previews (GET /v1/videos/{id}/content?variant=thumbnail
-- and variant=spritesheet): JPEG blobs in blobs/sha256/, made with the
-- clip, recorded with it and removed with it when it expires. NULL where
-- the renderer makes none.
ALTER TABLE videos ADD COLUMN thumbnail_sha256 TEXT;
ALTER TABLE videos ADD COLUMN spritesheet_sha256 TEXT;
CREATE INDEX videos_thumbnail ON videos (thumbnail_sha256) WHERE thumbnail_sha256 IS NOT NULL;
CREATE INDEX videos_spritesheet ON videos (spritesheet_sha256) WHERE spritesheet_sha256 IS NOT NULL;
-- The jobs waiting to start, in order: GET /v1/videos says how many are
-- ahead of each (queue_ahead).
CREATE INDEX videos_queued ON videos (seq) WHERE status = 'queued';
