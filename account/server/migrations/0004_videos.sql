-- The render jobs of /v1/videos (package account/server/videos). River
-- keeps the queue in its own tables (river_*, migrated by rivermigrate at
-- start); this table is each job as the API shows it. A job's clip and its
-- input image are blobs in blobs/sha256/, like members' media. Times are
-- Unix milliseconds.
CREATE TABLE videos (
	seq           INTEGER PRIMARY KEY AUTOINCREMENT,
	id            TEXT NOT NULL UNIQUE,
	account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	job_id        INTEGER NOT NULL,   -- River's job
	status        TEXT NOT NULL CHECK (status IN ('queued', 'completed', 'failed')), -- in_progress is the workers' to tell
	progress      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	completed_at  INTEGER,
	expires_at    INTEGER,
	spec          TEXT NOT NULL,      -- the request, resolved against its model (JSON)
	remixed_from  TEXT,
	input_sha256  TEXT,
	video_sha256  TEXT,               -- the clip; NULL until made, and again once expired
	failures      INTEGER NOT NULL DEFAULT 0,
	error_code    TEXT,
	error_message TEXT
) STRICT;
CREATE INDEX videos_account ON videos (account_id, seq);
CREATE INDEX videos_video ON videos (video_sha256) WHERE video_sha256 IS NOT NULL;
CREATE INDEX videos_input ON videos (input_sha256) WHERE input_sha256 IS NOT NULL;
CREATE INDEX videos_expiry ON videos (expires_at) WHERE video_sha256 IS NOT NULL;
