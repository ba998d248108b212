package account

import (
	"strings"
	"time"
)

// APIKeyPrefix starts every API key, as "slt_" starts a session token: the
// server tells the two apart by it, and a person who finds one in a
// script or a log can tell what it is.
const APIKeyPrefix = "slk_"

// MaxAPIKeys is the most keys, revoked ones aside, that an account may
// hold at once: enough for every machine and script a person runs, and a
// bound on what a session that is not theirs could pile up.
const MaxAPIKeys = 100

// Audit kinds for API keys: made and revoked.
const (
	AuditKeyCreated = "key_created"
	AuditKeyRevoked = "key_revoked"
)

// NewAPIKey asks for an API key: POST /api/v1/keys.
type NewAPIKey struct {
	// Name says what the key is for ("gpu-box", "nightly renders"), as
	// the account's list of keys shows it.
	Name string `json:"name"`
}

// Validate checks the name: one line, 1 to MaxNameRunes characters.
func (k *NewAPIKey) Validate() error {
	if strings.TrimSpace(k.Name) == "" {
		return fieldErr("name", "missing: say what the key is for, such as gpu-box")
	}
	return checkLine("name", k.Name, 1, MaxNameRunes)
}

// APIKey is one of an account's API keys, as its list shows it. The key
// itself is never in it: the server keeps only its hash.
type APIKey struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// LastUsed is when the key last made a request (to the minute); nil
	// if it never has.
	LastUsed *time.Time `json:"last_used,omitempty"`
	// Revoked is when the key was revoked; nil while it works.
	Revoked *time.Time `json:"revoked,omitempty"`
}

// CreatedAPIKey answers POST /api/v1/keys: the new key, the one time the
// server shows it.
type CreatedAPIKey struct {
	APIKey
	// Key authenticates requests as "Authorization: Bearer KEY", wherever
	// a session token does, except for managing keys and deleting the
	// account.
	Key string `json:"key"`
}

// APIKeys lists an account's API keys, revoked ones included, oldest
// first.
type APIKeys struct {
	Keys []APIKey `json:"keys"`
}
