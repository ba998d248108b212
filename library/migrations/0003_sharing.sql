-- The account server this studio is logged in to: at most one row. The
-- key is the server's grant-signing key, pinned at log-in; the cursor is
-- how far the change feed has been read.
CREATE TABLE account (
	one         INTEGER PRIMARY KEY CHECK (one = 1),
	server      TEXT NOT NULL,
	account_id  TEXT NOT NULL,
	username    TEXT NOT NULL,
	key         BLOB NOT NULL,
	feed_cursor TEXT NOT NULL DEFAULT '',
	logged_in   INTEGER NOT NULL
);

-- Cast members: remote ones are other people's, known from the server
-- (no media here); approved lists the usernames the owner approved; dirty
-- marks one of mine whose consent changed since the server last heard it.
ALTER TABLE cast_members ADD COLUMN owner_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cast_members ADD COLUMN remote     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cast_members ADD COLUMN approved   TEXT NOT NULL DEFAULT '[]';
ALTER TABLE cast_members ADD COLUMN dirty      INTEGER NOT NULL DEFAULT 1;

-- Grants this studio holds to feature other people's members, as the
-- server signed them.
CREATE TABLE grants (
	id         TEXT PRIMARY KEY,
	member_id  TEXT NOT NULL,
	project_id TEXT NOT NULL,
	shot_id    TEXT NOT NULL, -- '' covers every shot of the project
	scope      TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	token      TEXT NOT NULL
);
CREATE INDEX grants_by_member ON grants (member_id, project_id);

-- What was made under a grant: a clip (draft) or an exported film (final).
-- A use with no server_id is in the outbox, waiting to be registered. A
-- use the owner removed keeps its row, with removed_at, so the person
-- can be told.
CREATE TABLE uses (
	id            INTEGER PRIMARY KEY,
	grant_id      TEXT NOT NULL,
	member_id     TEXT NOT NULL,
	sha256        TEXT NOT NULL,
	project_id    TEXT NOT NULL,
	shot_id       TEXT NOT NULL DEFAULT '',
	project_title TEXT NOT NULL,
	scope         TEXT NOT NULL,
	path          TEXT NOT NULL DEFAULT '', -- an exported film's file
	at            INTEGER NOT NULL,
	server_id     TEXT NOT NULL DEFAULT '',
	removed_at    INTEGER,
	UNIQUE (grant_id, sha256)
);
CREATE INDEX uses_outbox ON uses (server_id) WHERE server_id = '';
CREATE INDEX uses_by_sha ON uses (sha256);
