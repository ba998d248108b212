package account

// MaxProjectBytes bounds a project's document in PutProject: a
// 10,000-shot project is a few MB. The body of PUT Prefix/projects/{id}
// may be a little larger, for the fields around it.
const MaxProjectBytes = 16 << 20

// Validate checks a new revision's fields; the server checks the document
// itself (it is a .slate file).
func (p PutProject) Validate() error {
	switch {
	case p.BaseRev < 0:
		return fieldErr("base_rev", "%d is negative; send 0 for a new project, else the revision it was made from", p.BaseRev)
	case p.Deleted && len(p.Document) > 0 && string(p.Document) != "null":
		return fieldErr("document", "a deleted project carries no document; leave it out")
	case !p.Deleted && (len(p.Document) == 0 || string(p.Document) == "null"):
		return fieldErr("document", "missing: send the project as a .slate file, or deleted: true")
	case len(p.Document) > MaxProjectBytes:
		return fieldErr("document", "the project is %d MB; a project synced through the server is at most %d MB", len(p.Document)>>20, MaxProjectBytes>>20)
	}
	return checkText("title", p.Title, 0, 200)
}

// Validate checks a project clip's fields.
func (c ProjectClip) Validate() error {
	switch {
	case !ValidSHA256(c.SHA256):
		return fieldErr("sha256", "%q is not a SHA-256 in lower-case hex", c.SHA256)
	case c.Size <= 0:
		return fieldErr("size", "must be more than 0 bytes")
	case c.Width <= 0 || c.Height <= 0:
		return fieldErr("width", "%dx%d is not a frame size", c.Width, c.Height)
	case c.FPS <= 0:
		return fieldErr("fps", "must be more than 0")
	case c.Frames <= 0:
		return fieldErr("frames", "must be more than 0")
	case c.Created.IsZero():
		return fieldErr("created", "missing")
	}
	for _, f := range []struct{ name, v string }{{"shot", c.Shot}, {"key", c.Key}, {"backend", c.Backend}} {
		if err := checkText(f.name, f.v, 1, 200); err != nil {
			return err
		}
	}
	return nil
}
