-- The blobs each account holds (issue 13): rendered clips and exported
-- films a studio sent with tus to /files/, content-addressed in
-- blobs/sha256/. A blob's bytes stay while any hold, medium or video job
-- names them (videos.BlobUses). A hold is written only once its blob is in
-- the store, so no hold is ever without its bytes.
CREATE TABLE blob_holds (
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	sha256     TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('clip', 'film')),
	project    TEXT NOT NULL DEFAULT '',
	size       INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (account_id, sha256)
) STRICT;
CREATE INDEX blob_holds_sha256 ON blob_holds (sha256);
-- A creator's removed uses are looked up by clip at every tus create.
CREATE INDEX uses_creator_clip ON uses (creator_id, clip_sha256) WHERE removed_at IS NOT NULL;
