-- Project sync with the account server (issue 13). One row per project,
-- kept after the project is deleted as a tombstone until the server has
-- heard of the deletion: server_rev is the server's revision this device
-- last agreed with, base that revision's .slate document (the common
-- ancestor for a three-way merge), edits counts local changes (bumped in
-- the transaction of every change) and synced_edits the count the server
-- has. The project is dirty while they differ.
CREATE TABLE project_sync (
	project_id   TEXT PRIMARY KEY,
	title        TEXT NOT NULL DEFAULT '', -- kept for a tombstone's name
	server_rev   INTEGER NOT NULL DEFAULT 0,
	base         BLOB,
	edits        INTEGER NOT NULL DEFAULT 0,
	synced_edits INTEGER NOT NULL DEFAULT 0,
	deleted      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Projects made before sync go out on the first sync: dirty.
INSERT INTO project_sync (project_id, title, edits) SELECT id, title, 1 FROM projects;

-- Blob transfers to and from the server, durable across restarts: url is
-- a tus upload's address, so an upload resumes at the byte.
CREATE TABLE transfers (
	sha256    TEXT NOT NULL,
	direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),
	kind      TEXT NOT NULL DEFAULT '',
	project   TEXT NOT NULL DEFAULT '',
	size      INTEGER NOT NULL DEFAULT 0,
	done      INTEGER NOT NULL DEFAULT 0,
	url       TEXT NOT NULL DEFAULT '',
	state     TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'done', 'failed')),
	error     TEXT NOT NULL DEFAULT '',
	updated   INTEGER NOT NULL DEFAULT 0, -- unix milliseconds
	PRIMARY KEY (sha256, direction)
) WITHOUT ROWID;
CREATE INDEX transfers_pending ON transfers (state) WHERE state != 'done';

-- Clips rendered before sync are uploaded too, those of the library's
-- projects (not those "slate render" made from a .slate file).
INSERT OR IGNORE INTO transfers (sha256, direction, kind, project, size)
	SELECT sha256, 'up', 'clip', project_id, size FROM clips WHERE project_id IN (SELECT id FROM projects);

-- Whether the person paused sync.
CREATE TABLE sync_settings (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	paused INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_settings (id, paused) VALUES (1, 0);
