-- Cast members: a recorded likeness (face and voice) that shots can
-- feature. The media are blobs: the whole take, three stills picked from
-- it and a voice sample.
CREATE TABLE cast_members (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	handle       TEXT NOT NULL UNIQUE,
	owner        TEXT NOT NULL,
	consent      TEXT NOT NULL DEFAULT 'only_me',
	preferences  TEXT NOT NULL DEFAULT '',
	voice        TEXT NOT NULL DEFAULT '', -- a voice to speak their lines in
	take_sha256    TEXT NOT NULL DEFAULT '',
	frontal_sha256 TEXT NOT NULL DEFAULT '',
	left_sha256    TEXT NOT NULL DEFAULT '',
	right_sha256   TEXT NOT NULL DEFAULT '',
	sample_sha256  TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);
