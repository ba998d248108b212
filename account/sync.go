package account

import (
	"encoding/json"
	"time"
)

// What a studio syncs through the account server besides consent: its
// projects, as revisions of the .slate document, and the files they use
// (rendered clips, exported films), as content-addressed blobs sent with
// tus so that an upload resumes at the byte.

// TusPath is where the server's tus endpoint lives, beside Prefix: a
// studio creates an upload with POST TusPath and sends it with PATCH.
const TusPath = "/files/"

// Upload-Metadata keys of a tus upload. tusd implements no checksum
// extension, so the whole file's sha256 travels here and the server
// checks it before the upload is accepted into its blob store.
const (
	TusSHA256  = "sha256"  // hex sha256 of the whole file: required
	TusKind    = "kind"    // BlobClip or BlobFilm: required
	TusProject = "project" // the project it belongs to: optional
)

// Kinds of blob an account holds.
const (
	BlobClip = "clip" // a rendered shot
	BlobFilm = "film" // an exported film
)

// CodeQuota is the error code of 507 Insufficient Storage: the account's
// space on the server is full.
const CodeQuota = "quota_exceeded"

// CodeDamaged is the error code of an upload whose bytes do not hash to
// the sha256 it was sent with: nothing was stored; send it again.
const CodeDamaged = "checksum_mismatch"

// Storage is what an account uses on the server: GET Prefix/storage.
type Storage struct {
	// Quota is the account's space in bytes; 0 means no limit.
	Quota int64 `json:"quota"`
	// Used is the bytes of the account's blobs and project revisions.
	Used  int64         `json:"used"`
	Items []StorageItem `json:"items"`
}

// StorageItem is one thing that takes space, largest first.
type StorageItem struct {
	Kind    string `json:"kind"` // BlobClip, BlobFilm, or "project" (its revisions)
	Project string `json:"project,omitempty"`
	Title   string `json:"title,omitempty"` // the project's title, when known
	SHA256  string `json:"sha256,omitempty"`
	Size    int64  `json:"size"`
}

// Project change kinds in the change feed, read by every device of the
// account.
const (
	// ChangeProject: a project has a new revision (Project, Rev, DeviceID).
	ChangeProject = "project"
	// ChangeClip: a clip of a project is on the server (Project, ClipSHA256).
	ChangeClip = "clip"
)

// ProjectClip is a rendered clip of a project, as the library files it.
type ProjectClip struct {
	Shot    string    `json:"shot"`
	Key     string    `json:"key"`
	SHA256  string    `json:"sha256"`
	Size    int64     `json:"size"`
	Backend string    `json:"backend"`
	Width   int       `json:"width"`
	Height  int       `json:"height"`
	FPS     int       `json:"fps"`
	Frames  int       `json:"frames"`
	Created time.Time `json:"created"`
}

// ProjectClips lists a project's clips: GET Prefix/projects/{id}/clips.
type ProjectClips struct {
	Clips []ProjectClip `json:"clips"`
}

// ProjectRevision is one revision of a project on the server. Lists carry
// no Document.
type ProjectRevision struct {
	Project  string    `json:"project"` // the project's ID, the same on every device
	Rev      int64     `json:"rev"`     // 1, 2, …: one counter per project
	Title    string    `json:"title"`
	DeviceID string    `json:"device_id"` // the device that sent it
	Device   string    `json:"device"`    // that device's name, for conflict copies
	At       time.Time `json:"at"`        // when the server took it
	Size     int64     `json:"size"`      // the document's bytes
	Deleted  bool      `json:"deleted,omitempty"`
	// Document is the project as a .slate file (timeline.Encode).
	Document json.RawMessage `json:"document,omitempty"`
}

// PutProject is PUT Prefix/projects/{id}: a new revision. BaseRev is the
// revision it was made from (0 for a new project); if the server's latest
// is another, it answers 409 CodeConflict with a ProjectConflict body and
// takes nothing.
type PutProject struct {
	BaseRev  int64           `json:"base_rev"`
	Title    string          `json:"title"`
	Deleted  bool            `json:"deleted,omitempty"`
	Document json.RawMessage `json:"document,omitempty"` // required unless Deleted
}

// ProjectConflict is the body of a 409 answer to PutProject: the error, and
// the server's latest revision with its document.
type ProjectConflict struct {
	Error   ErrorBody       `json:"error"`
	Current ProjectRevision `json:"current"`
}

// Projects lists the latest revision of each of the account's projects
// (deleted ones too, so that a device learns of a deletion): GET
// Prefix/projects. Revisions lists one project's kept revisions, newest
// first: GET Prefix/projects/{id}/revisions.
type Projects struct {
	Projects []ProjectRevision `json:"projects"`
}
