package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/slatestudio/slate/account/server/password"
	throttles "github.com/slatestudio/slate/account/server/throttle"
	"github.com/slatestudio/slate/internal/clock"
)

// Passwords are hashed with argon2id by package password; these are its
// two calls under the names the server's code has always used.
func hashPassword(pw string) (string, error)         { return password.Hash(pw) }
func checkPassword(encoded, pw string) (bool, error) { return password.Check(encoded, pw) }

// throttle slows down password guessing at log-in (package throttle).
type throttle = throttles.Throttle

func newThrottle(c clock.Clock) *throttle { return throttles.New(c) }

// newToken returns a fresh session token (256 random bits) and the hash
// the database keeps in its place.
func newToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("new session token: %w", err)
	}
	token = "slt_" + base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token), nil
}

// tokenHash is what the database keeps of a token. A plain SHA-256 is
// enough: the token has 256 bits of entropy, so there is nothing to guess.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newID returns a random ID: 128 bits in hex.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("account: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// hashers bounds how many password hashes run at once. Each takes 19 MiB
// and tens of milliseconds of a core: without a bound, a burst of log-ins
// could exhaust the server's memory.
type hashers chan struct{}

func (h hashers) do(ctx context.Context, fn func()) error {
	select {
	case h <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-h }()
	fn()
	return nil
}
