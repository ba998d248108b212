package studio

// voiceDirs are where the character editor finds Piper voices: the
// Models window's folders, so it offers what that window lists.
func (d Deps) voiceDirs() []string {
	if d.Models == nil {
		return nil
	}
	return d.Models.VoiceDirs
}
