-- API keys: an account's keys for programs (scripts, a studio rendering on
-- this server) that use the API without a person logging in. Only the
-- SHA-256 of a key is kept, as for session tokens: a key carries 256
-- random bits, so a copy of the database lets nobody in and there is
-- nothing to guess. A revoked key keeps its row, with the time, so that
-- whoever still sends it is told it was revoked rather than that it is
-- unknown.
CREATE TABLE api_keys (
	id           TEXT PRIMARY KEY,
	key_sha256   BLOB NOT NULL UNIQUE,
	account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at   INTEGER
) STRICT;
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);

-- The audit trail records keys made and revoked as well. SQLite cannot
-- change a CHECK, so the table is made again with every row and its seq
-- kept (the rename carries AUTOINCREMENT's counter along); the triggers
-- went with the old table and are made again. Dropping a table fires no
-- DELETE trigger.
CREATE TABLE audit_new (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	at        INTEGER NOT NULL,
	kind      TEXT NOT NULL CHECK (kind IN ('grant', 'refusal', 'revocation', 'use', 'removal', 'key_created', 'key_revoked')),
	actor_id  TEXT NOT NULL,
	owner_id  TEXT NOT NULL,
	member_id TEXT NOT NULL,
	grant_id  TEXT NOT NULL DEFAULT '',
	use_id    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO audit_new (seq, at, kind, actor_id, owner_id, member_id, grant_id, use_id, detail)
	SELECT seq, at, kind, actor_id, owner_id, member_id, grant_id, use_id, detail FROM audit;
DROP TABLE audit;
ALTER TABLE audit_new RENAME TO audit;
CREATE INDEX audit_owner ON audit (owner_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
