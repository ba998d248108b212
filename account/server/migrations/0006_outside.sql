-- Whether a member's likeness may be sent to outside render services
-- (a render endpoint that is not a Slate server): the owner's choice, no
-- until they say yes. A grant says whether it allows that, as its signed
-- token does, so that turning the choice off can revoke exactly those.
ALTER TABLE members ADD COLUMN outside INTEGER NOT NULL DEFAULT 0 CHECK (outside IN (0, 1));
ALTER TABLE grants ADD COLUMN outside INTEGER NOT NULL DEFAULT 0;
