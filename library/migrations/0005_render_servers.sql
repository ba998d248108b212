-- Render servers this studio renders on: a Slate server or any other
-- /v1/videos endpoint, by the name a person gave it. The API key is not
-- here but in the system keyring (or the encrypted credentials file),
-- filed under the name. kind is what the last test found ('slate' or
-- 'generic'); profile is what a generic endpoint renders as the person
-- described it (JSON, '' when it lists its own models); models is the
-- last model listing (JSON), so its backends are registered at start
-- without asking the network.
CREATE TABLE render_servers (
	name             TEXT PRIMARY KEY,
	url              TEXT NOT NULL,
	kind             TEXT NOT NULL,
	profile          TEXT NOT NULL DEFAULT '',
	models           TEXT NOT NULL DEFAULT '[]',
	keep_model_audio INTEGER NOT NULL DEFAULT 0,
	added            INTEGER NOT NULL -- unix milliseconds
);

-- The job a render server runs for a queued job, kept so that a render
-- cut off (the studio quit or was killed) polls that job again instead of
-- submitting the shot a second time.
ALTER TABLE jobs ADD COLUMN remote_server TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN remote_id TEXT NOT NULL DEFAULT '';
