-- Projects synced between an account's devices (issue 13): each project is
-- a series of revisions of its .slate document, one counter per project;
-- the server keeps the last few (slate-server --project-history). The
-- latest is never trimmed, so max(rev) is always the project's counter.
CREATE TABLE project_revisions (
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	project    TEXT NOT NULL,
	rev        INTEGER NOT NULL CHECK (rev > 0),
	title      TEXT NOT NULL,
	device_id  TEXT NOT NULL,
	device     TEXT NOT NULL,
	at         INTEGER NOT NULL,
	size       INTEGER NOT NULL,
	deleted    INTEGER NOT NULL DEFAULT 0,
	document   BLOB NOT NULL,
	PRIMARY KEY (account_id, project, rev)
) STRICT;

-- A project's rendered clips, as the library files them; the bytes are the
-- account's blobs (blob_holds).
CREATE TABLE project_clips (
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	project    TEXT NOT NULL,
	shot       TEXT NOT NULL,
	key        TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	size       INTEGER NOT NULL,
	backend    TEXT NOT NULL,
	width      INTEGER NOT NULL,
	height     INTEGER NOT NULL,
	fps        INTEGER NOT NULL,
	frames     INTEGER NOT NULL,
	created    INTEGER NOT NULL,
	PRIMARY KEY (account_id, project, shot, key)
) STRICT;
-- A removed use deletes its creator's clips by sha256.
CREATE INDEX project_clips_sha256 ON project_clips (account_id, sha256);

-- The feed carries project changes: which project, which revision, and the
-- device that made it (so a device can tell its own changes).
ALTER TABLE changes ADD COLUMN project TEXT NOT NULL DEFAULT '';
ALTER TABLE changes ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE changes ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
