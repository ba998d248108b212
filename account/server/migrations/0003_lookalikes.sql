-- Look-alike names. Each username and handle keeps its confusable key
-- (package account/confusable: the Unicode UTS #39 skeleton, without
-- case), and no two may share one, so that "@rnara" cannot be registered
-- beside "@mara": the unique index decides, whatever the order of two
-- registrations that race. The keys of the rows already here are filled
-- in by the server's Go step for this migration (fillLookAlikeKeys), in
-- the same transaction; where two old rows share a key, the newer keeps
-- NULL, which the index lets stand, and keeps its name.

ALTER TABLE accounts ADD COLUMN username_skeleton TEXT;
ALTER TABLE members ADD COLUMN handle_skeleton TEXT;
CREATE UNIQUE INDEX accounts_username_skeleton ON accounts (username_skeleton);
CREATE UNIQUE INDEX members_handle_skeleton ON members (handle_skeleton);
