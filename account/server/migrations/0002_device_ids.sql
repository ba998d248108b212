-- A device is a studio's data folder, not a computer's name: two folders on
-- one computer log in side by side. Sessions gain the device ID the studio
-- sends; logging in replaces only the session of the same account and
-- device ID. Sessions from clients that send no ID (device_id '') are told
-- apart by their name, as before. SQLite cannot drop the old
-- UNIQUE (account_id, device), so the table is made again.
CREATE TABLE sessions_new (
	id           TEXT PRIMARY KEY,
	token_sha256 BLOB NOT NULL UNIQUE,
	account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	device       TEXT NOT NULL, -- the name a person reads
	device_id    TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL
) STRICT;
INSERT INTO sessions_new (id, token_sha256, account_id, device, device_id, created_at, last_seen_at)
	SELECT id, token_sha256, account_id, device, '', created_at, last_seen_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE UNIQUE INDEX sessions_device_id ON sessions (account_id, device_id) WHERE device_id != '';
CREATE UNIQUE INDEX sessions_device_name ON sessions (account_id, device) WHERE device_id = '';
CREATE INDEX sessions_account ON sessions (account_id, created_at);
