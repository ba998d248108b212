-- Exported films kept in the blob store (issue 13), so that they sync to
-- the account's other devices: the file a person exported stays where
-- they put it; this is the library's copy. A film of a project whose use
-- of someone else's cast was removed goes with the use (RemoveUse).
CREATE TABLE films (
	project_id TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '', -- the file's name, e.g. "The Kite.mp4"
	size       INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL DEFAULT 0, -- unix milliseconds
	PRIMARY KEY (project_id, sha256)
) WITHOUT ROWID;
CREATE INDEX films_sha256 ON films (sha256);
