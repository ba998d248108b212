-- Projects: everything but the shots, which get a row each so that an edit
-- of one shot writes one row.
CREATE TABLE projects (
	id         TEXT PRIMARY KEY,
	title      TEXT NOT NULL,
	width      INTEGER NOT NULL,
	height     INTEGER NOT NULL,
	fps        INTEGER NOT NULL,
	cast_json  TEXT NOT NULL DEFAULT '[]',
	created_at INTEGER NOT NULL, -- unix milliseconds
	updated_at INTEGER NOT NULL
);

-- Shots in a project, ordered by pos. Positions leave gaps so that adding or
-- moving a shot rewrites only that shot's row.
CREATE TABLE shots (
	project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	id         TEXT NOT NULL,
	pos        INTEGER NOT NULL,
	data       TEXT NOT NULL, -- the shot in the .slate file's JSON layout
	PRIMARY KEY (project_id, id)
) WITHOUT ROWID;
CREATE INDEX shots_by_pos ON shots (project_id, pos);

-- Rendered clips: a render key (a hash of everything that decides a shot's
-- pixels and sound) linked to a blob, for the project and shot it was made
-- for. The same key from another project reuses the blob.
CREATE TABLE clips (
	project_id TEXT NOT NULL,
	shot_id    TEXT NOT NULL,
	key        TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	size       INTEGER NOT NULL,
	backend    TEXT NOT NULL,
	width      INTEGER NOT NULL,
	height     INTEGER NOT NULL,
	fps        INTEGER NOT NULL,
	frames     INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, shot_id, key)
);
CREATE INDEX clips_by_key ON clips (key);

-- Render jobs, in the shape of the /v1/videos job object, with what is
-- needed to run them again after a restart.
CREATE TABLE jobs (
	id            TEXT PRIMARY KEY,
	project_id    TEXT NOT NULL,
	shot_id       TEXT NOT NULL,
	key           TEXT NOT NULL,
	backend       TEXT NOT NULL,
	status        TEXT NOT NULL,
	progress      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	started_at    INTEGER,
	completed_at  INTEGER,
	error_code    TEXT NOT NULL DEFAULT '',
	error_message TEXT NOT NULL DEFAULT '',
	request       BLOB NOT NULL
);
CREATE INDEX jobs_by_status ON jobs (status, created_at);
