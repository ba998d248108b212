package projectsync

// Notice tells the person that a conflict copy was made: both this device
// and another changed the same project while apart, edits to different
// shots were merged, and where both changed the same thing the later
// change is in the project and the other device's version is in the copy.
// The engine hands each out once (Engine.Notices); the studio shows it.
type Notice struct {
	// Project is the ID of the project both devices changed.
	Project string
	// Copy is the ID of the conflict copy made beside it.
	Copy string
	// Title is the title of the project both devices changed.
	Title string
	// From is the name of the other device.
	From string
}
