-- The account server's database. Times are Unix milliseconds (UTC).

CREATE TABLE accounts (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL, -- argon2id, PHC string format
	created_at    INTEGER NOT NULL
) STRICT;

-- One session per device. Only the SHA-256 of a session token is kept, so
-- a copy of the database logs nobody in.
CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	token_sha256 BLOB NOT NULL UNIQUE,
	account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	device       TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	UNIQUE (account_id, device)
) STRICT;

CREATE TABLE members (
	id          TEXT PRIMARY KEY,
	owner_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	handle      TEXT NOT NULL UNIQUE,
	level       TEXT NOT NULL CHECK (level IN ('only_me', 'approved', 'everyone')),
	preferences TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX members_owner ON members (owner_id);

-- Accounts the owner approved for a member, or blocked from it.
CREATE TABLE member_accounts (
	member_id  TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	relation   TEXT NOT NULL CHECK (relation IN ('approved', 'blocked')),
	PRIMARY KEY (member_id, relation, account_id)
) STRICT;
CREATE INDEX member_accounts_account ON member_accounts (account_id);

-- A member's media, as blobs in blobs/sha256/.
CREATE TABLE media (
	member_id    TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	sha256       TEXT NOT NULL,
	size         INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	uploaded_at  INTEGER NOT NULL,
	PRIMARY KEY (member_id, kind)
) STRICT;
CREATE INDEX media_sha256 ON media (sha256);

CREATE TABLE requests (
	id           TEXT PRIMARY KEY,
	member_id    TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
	requester_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	message      TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
	created_at   INTEGER NOT NULL,
	decided_at   INTEGER
) STRICT;
CREATE UNIQUE INDEX requests_pending ON requests (member_id, requester_id) WHERE status = 'pending';

-- Grants and uses are history: they name members and accounts by ID with
-- no foreign keys, so they outlive a deleted member.
CREATE TABLE grants (
	id         TEXT PRIMARY KEY,
	member_id  TEXT NOT NULL,
	owner_id   TEXT NOT NULL,
	grantee_id TEXT NOT NULL,
	project    TEXT NOT NULL,
	shot       TEXT NOT NULL,
	scope      TEXT NOT NULL,
	issued_at  INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	token      TEXT NOT NULL,
	revoked_at INTEGER
) STRICT;
CREATE INDEX grants_outstanding ON grants (member_id, expires_at) WHERE revoked_at IS NULL;

CREATE TABLE uses (
	id            TEXT PRIMARY KEY,
	grant_id      TEXT NOT NULL,
	member_id     TEXT NOT NULL,
	handle        TEXT NOT NULL,
	owner_id      TEXT NOT NULL,
	creator_id    TEXT NOT NULL,
	clip_sha256   TEXT NOT NULL,
	project_title TEXT NOT NULL,
	scope         TEXT NOT NULL,
	used_at       INTEGER NOT NULL,
	registered_at INTEGER NOT NULL,
	removed_at    INTEGER,
	UNIQUE (grant_id, clip_sha256, scope)
) STRICT;
CREATE INDEX uses_owner ON uses (owner_id, registered_at);
CREATE INDEX uses_member ON uses (member_id) WHERE removed_at IS NULL;

-- Each account's change feed; seq is the cursor.
CREATE TABLE changes (
	seq           INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	kind          TEXT NOT NULL,
	at            INTEGER NOT NULL,
	member_id     TEXT NOT NULL DEFAULT '',
	handle        TEXT NOT NULL DEFAULT '',
	grant_id      TEXT NOT NULL DEFAULT '',
	use_id        TEXT NOT NULL DEFAULT '',
	clip_sha256   TEXT NOT NULL DEFAULT '',
	project_title TEXT NOT NULL DEFAULT '',
	request_id    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX changes_account ON changes (account_id, seq);

-- The audit trail: one row per grant, refusal, revocation, use and
-- removal. Rows are only ever added; the triggers refuse anything else.
CREATE TABLE audit (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	at        INTEGER NOT NULL,
	kind      TEXT NOT NULL CHECK (kind IN ('grant', 'refusal', 'revocation', 'use', 'removal')),
	actor_id  TEXT NOT NULL,
	owner_id  TEXT NOT NULL,
	member_id TEXT NOT NULL,
	grant_id  TEXT NOT NULL DEFAULT '',
	use_id    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_owner ON audit (owner_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
