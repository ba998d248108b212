// Package syncui is what a filmmaker sees of sync between devices in the
// studio: the words each project's row in the Library and each clip's
// card on the timeline say ("Synced", "Uploading 42 %", "Waiting for
// network"), the sync part of the status line with its progress and its
// Pause and Resume, the notice of a conflict copy, and Account ▸
// Storage…, what the account's films use on the server. It reads sync
// through a Source (package sharing/projectsync's Engine) and puts
// nothing on screen itself that the shell does not place.
package syncui

import (
	"fmt"
	"strings"

	"github.com/slatestudio/slate/sharing/projectsync"
)

// ProjectWords is what a project's row in the Library says of its sync,
// and whether it is worth a look (warn); "" when it says nothing, as when
// no one is logged in.
func ProjectWords(st projectsync.Status) (text string, warn bool) {
	switch st.State {
	case projectsync.Synced:
		return "Synced", false
	case projectsync.Uploading:
		return withPercent("Uploading", st), false
	case projectsync.Downloading:
		return withPercent("Downloading", st), false
	case projectsync.Waiting:
		return "Waiting for network", true
	case projectsync.Paused:
		return "Paused", false
	case projectsync.Conflict:
		return "Conflict copy made", true
	case projectsync.Failed:
		return "Not synced", true
	}
	return "", false
}

// ClipWords is what a clip's card on the timeline says of its sync, small
// and quiet: "uploading 42 %", "waiting", "synced"; "" for nothing.
func ClipWords(st projectsync.Status) string {
	switch st.State {
	case projectsync.Synced:
		return "synced"
	case projectsync.Uploading:
		return withPercent("uploading", st)
	case projectsync.Downloading:
		return withPercent("downloading", st)
	case projectsync.Waiting:
		return "waiting"
	case projectsync.Paused:
		return "paused"
	case projectsync.Failed:
		return "not synced"
	}
	return ""
}

// OverallWords is what the status line says of the whole studio's sync,
// and whether it is a problem; "" when there is nothing to say (no one
// logged in).
func OverallWords(st projectsync.Status) (text string, problem bool) {
	pending := ""
	if st.Pending > 0 {
		pending = fmt.Sprintf(" · %s to go", changes(st.Pending))
	}
	switch st.State {
	case projectsync.Synced:
		return "Sync: all synced", false
	case projectsync.Uploading:
		return withPercent("Sync: uploading", st) + pending, false
	case projectsync.Downloading:
		return withPercent("Sync: downloading", st) + pending, false
	case projectsync.Waiting:
		text = "Sync: waiting for network" + pending
		if st.Err != "" {
			text += " (" + st.Err + ")"
		}
		return text, true
	case projectsync.Paused:
		return "Sync paused" + pending, false
	case projectsync.Conflict:
		return "Sync: a conflict copy was made of “" + st.Conflict + "”", true
	case projectsync.Failed:
		text = "Sync failed"
		if st.Err != "" {
			text += ": " + st.Err
		}
		return text, true
	}
	return "", false
}

// withPercent adds how far the transfers in flight are, when any are.
func withPercent(what string, st projectsync.Status) string {
	if st.Total <= 0 {
		return what
	}
	return fmt.Sprintf("%s %d %%", what, st.Percent())
}

// changes counts what waits, as a person says it.
func changes(n int) string {
	if n == 1 {
		return "1 change"
	}
	return fmt.Sprintf("%d changes", n)
}

// NoticeText says in plain words what a conflict copy is and where it
// is: copyTitle is the copy's title in the Library ("The Kite (from
// laptop, 7 Dec 14:02)").
func NoticeText(n projectsync.Notice, copyTitle string) string {
	from := strings.TrimSpace(n.From)
	if from == "" {
		from = "another device"
	}
	if copyTitle == "" {
		copyTitle = n.Title + " (from " + from + ")"
	}
	return fmt.Sprintf("Both this computer and %s changed “%s” while apart. "+
		"Changes to different shots were put together; where both changed the same thing, "+
		"the later change is kept in “%s”, and %s's version is in “%s”, beside it in the Library. "+
		"Nothing was lost: keep the one you want and delete the other.",
		from, n.Title, n.Title, from, copyTitle)
}

// Size writes a number of bytes as a person reads it, in the units the
// server's quota is given in: "2.4 GB", "10 GB", "512 MB", "3 kB".
func Size(n int64) string {
	const kb, mb, gb = 1_000, 1_000_000, 1_000_000_000
	one := func(n int64, unit int64, name string) string {
		if n%unit == 0 || n >= 100*unit {
			return fmt.Sprintf("%d %s", (n+unit/2)/unit, name)
		}
		return strings.Replace(fmt.Sprintf("%.1f %s", float64(n)/float64(unit), name), ".0 ", " ", 1)
	}
	switch {
	case n >= gb:
		return one(n, gb, "GB")
	case n >= mb:
		return one(n, mb, "MB")
	case n >= kb:
		return one(n, kb, "kB")
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}
