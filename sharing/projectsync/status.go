// Package projectsync keeps a studio's projects and their clips the same
// on every device of an account, through the account server: project
// changes go out as revisions of the .slate document, clips as resumable
// tus uploads, and what other devices did comes back through the change
// feed. Edits to different shots merge; when both sides changed the same
// field, the later one is kept and the other becomes a conflict copy.
package projectsync

// State is where a project, a clip or the whole studio stands with sync.
type State string

// States, in the words the studio shows them in (Label).
const (
	Off         State = "off"         // not logged in to an account server
	Synced      State = "synced"      // the server and this device agree
	Uploading   State = "uploading"   // sending a revision or a clip
	Downloading State = "downloading" // fetching a revision or a clip
	Waiting     State = "waiting"     // changes wait for the network
	Paused      State = "paused"      // a person paused sync
	Conflict    State = "conflict"    // a conflict copy was made; see Status.Conflict
	Failed      State = "failed"      // something went wrong; see Status.Err
)

// Status is where one project, one clip or the whole studio stands.
type Status struct {
	State State
	// Done and Total are the bytes of transfers in flight (Total 0: none),
	// for "uploading 42 %".
	Done, Total int64
	// Pending counts changes and files waiting to go out or come in.
	Pending int
	// Conflict is the title of the conflict copy, with State Conflict.
	Conflict string
	// Err says what went wrong, in a filmmaker's words, with State Failed
	// or Waiting.
	Err string
}

// Percent is how far the transfers in flight are, 0–100.
func (s Status) Percent() int {
	if s.Total <= 0 {
		return 0
	}
	return int(s.Done * 100 / s.Total)
}
