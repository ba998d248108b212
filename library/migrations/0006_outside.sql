-- Whether a cast member's likeness may be sent to outside render services
-- (a render endpoint that is not a Slate server): for one of mine, my
-- choice, pushed to the account server; for someone else's, their owner's
-- as the server shows it. No until someone says yes.
ALTER TABLE cast_members ADD COLUMN outside INTEGER NOT NULL DEFAULT 0;
