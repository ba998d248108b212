-- A placeholder, so that this branch's migrations run in sequence on their
-- own: 0004 is another part of issue 12's (the render service). Delete this
-- file when that one lands; it changes nothing.
SELECT 1;
