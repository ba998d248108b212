package timeline

import "strings"

// SetProjectSettings sets the project's title, frame size and rate as one
// edit: File ▸ Project settings applies all it shows at once, and one undo
// takes it back whole. The title is trimmed and may not be empty; the
// whole project is checked (the format by ValidateFormat), so a bad size
// is refused and nothing changes.
func SetProjectSettings(title string, width, height, fps int) Command {
	return editMeta("Change project settings", func(m *meta) error {
		title = strings.TrimSpace(title)
		if title == "" {
			return projectErr("title", "the project has no title; give it one")
		}
		m.title, m.width, m.height, m.fps = title, width, height, fps
		return nil
	})
}
