-- This data folder as a device of the account server: one row, made on
-- first use. The ID is random and never changes, so the server tells this
-- folder's session apart from every other folder's, on this computer or
-- another. The name is the one a person gave it ('' until then: the
-- studio's default from the user's name and the host name); name_sent is
-- the name the account server last heard, so a rename made offline is
-- sent at the next sync.
CREATE TABLE device (
	one       INTEGER PRIMARY KEY CHECK (one = 1),
	id        TEXT NOT NULL,
	name      TEXT NOT NULL DEFAULT '',
	name_sent TEXT NOT NULL DEFAULT ''
);
