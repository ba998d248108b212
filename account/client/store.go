package client

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/internal/atomicfile"
)

// Credentials are what a studio keeps of a session between runs.
type Credentials struct {
	Server  string          `json:"server"`
	Account account.Account `json:"account"`
	Device  string          `json:"device"`
	// DeviceID is the device ID the session was started with; empty for a
	// session from before device IDs.
	DeviceID  string `json:"device_id,omitempty"`
	SessionID string `json:"session_id"`
	Token     string `json:"token"`
	// Key is the server's ed25519 signing key, pinned at log-in.
	Key []byte `json:"key"`
}

// ErrNoCredentials is returned by a TokenStore that holds nothing for a
// server.
var ErrNoCredentials = errors.New("no stored session")

// TokenStore keeps sessions between runs of the studio, one per server.
type TokenStore interface {
	Load(server string) (Credentials, error)
	Save(c Credentials) error
	Delete(server string) error
}

// keyringService is the service name the studio's secrets are filed under
// in the system keyring.
const keyringService = "slate"

// Keyring is the part of a system keyring the store uses; go-keyring's
// functions have these shapes.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// SystemKeyring is the desktop's keyring through go-keyring: the Secret
// Service over D-Bus on Linux, the Keychain on macOS, the Credential
// Manager on Windows.
type SystemKeyring struct{}

// Get reads a secret.
func (SystemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }

// Set stores a secret.
func (SystemKeyring) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}

// Delete removes a secret.
func (SystemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// KeyringStore keeps sessions in a keyring, filed under the server's
// address and the device. Every data folder of this user shares the one
// keyring, and each folder is a device with a session of its own, so each
// has its own entry.
type KeyringStore struct {
	Ring Keyring
	// Device is the device ID of the data folder whose sessions these are.
	// Empty files them under the server's address alone, as Slate did
	// before device IDs.
	Device string
}

// entry is the keyring's user name for a server's session.
func (k KeyringStore) entry(server string) string {
	if k.Device == "" {
		return server
	}
	return server + " device " + k.Device
}

// Load reads the session for a server. An entry filed under the server
// alone, by a Slate from before device IDs, is taken over by the first
// data folder that looks for it: it was the session of one of them, and a
// second folder that used it too logs in again.
func (k KeyringStore) Load(server string) (Credentials, error) {
	s, err := k.Ring.Get(keyringService, k.entry(server))
	if errors.Is(err, keyring.ErrNotFound) && k.Device != "" {
		if s, err = k.Ring.Get(keyringService, server); err == nil {
			// Moving it is best effort: a failure leaves it to be moved
			// next time.
			if k.Ring.Set(keyringService, k.entry(server), s) == nil {
				k.Ring.Delete(keyringService, server)
			}
		}
	}
	if errors.Is(err, keyring.ErrNotFound) {
		return Credentials{}, ErrNoCredentials
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("read the keyring: %w", err)
	}
	var c Credentials
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return Credentials{}, fmt.Errorf("the keyring's entry for %s is damaged; log in again: %w", server, err)
	}
	return c, nil
}

// Save stores a session.
func (k KeyringStore) Save(c Credentials) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := k.Ring.Set(keyringService, k.entry(c.Server), string(b)); err != nil {
		return fmt.Errorf("write the keyring: %w", err)
	}
	return nil
}

// Delete forgets a server's session.
func (k KeyringStore) Delete(server string) error {
	err := k.Ring.Delete(keyringService, k.entry(server))
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write the keyring: %w", err)
	}
	return nil
}

// String says where sessions are kept, for the studio to show.
func (k KeyringStore) String() string { return "the system keyring" }

// OpenStore returns where the studio keeps the sessions of the data folder
// dataDir, whose device ID is device: the system keyring when one answers
// (filed under the device), else an encrypted file in dataDir (a
// FileStore). Machines without a desktop keyring — no D-Bus Secret
// Service, as on a headless Linux box — get the file.
func OpenStore(dataDir, device string) TokenStore {
	return openStore(SystemKeyring{}, dataDir, device)
}

func openStore(ring Keyring, dataDir, device string) TokenStore {
	// A lookup that finds nothing proves the keyring works; any other
	// error means there is no usable keyring.
	if _, err := ring.Get(keyringService, "slate-probe"); err == nil || errors.Is(err, keyring.ErrNotFound) {
		return KeyringStore{Ring: ring, Device: device}
	}
	return NewFileStore(dataDir)
}

// FileStore keeps sessions in an encrypted file, for machines without a
// system keyring:
//
//	DIR/credentials.secret  32 random bytes, created 0600 on first use
//	DIR/credentials.enc     "slate-credentials-v1\n", a 24-byte nonce, then
//	                        XChaCha20-Poly1305 of the JSON of every session
//
// The key is HKDF-SHA256 of the secret file, salted with the machine's ID
// (/etc/machine-id, where there is one).
//
// What this protects, honestly: the credentials file on its own (copied
// into a backup or a bug report without the secret beside it) gives away
// nothing, and cannot be altered without notice; a copy of the whole data
// folder taken to another machine does not open there when the machine ID
// differs. What it does not protect: anyone who can read this user's files
// on this machine — another program the user runs, malware, an
// administrator — can read the secret and the machine ID just as the
// studio does, and so the session. Against them only the file permissions
// (0600), disk encryption and a real keyring help. A stolen session can be
// ended from any other device (the list of sessions), and it never gives
// away the password.
type FileStore struct {
	dir string
	// machineID reads the machine's ID; tests replace it.
	machineID func() []byte
}

// NewFileStore returns a store in dir.
func NewFileStore(dir string) *FileStore {
	return &FileStore{dir: dir, machineID: readMachineID}
}

// String says where sessions are kept, for the studio to show.
func (f *FileStore) String() string { return "an encrypted file in " + f.dir }

const (
	credentialsMagic = "slate-credentials-v1\n"
	secretName       = "credentials.secret"
	credentialsName  = "credentials.enc"
)

// readMachineID returns the machine's ID, or nothing where it has none.
func readMachineID() []byte {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(p); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return bytes.TrimSpace(b)
		}
	}
	return nil
}

// secret reads the secret file, creating it if create is set.
func (f *FileStore) secret(create bool) ([]byte, error) {
	p := filepath.Join(f.dir, secretName)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) && create {
		b = make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(f.dir, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", f.dir, err)
		}
		if err := atomicfile.WriteFile(p, b, 0o600); err != nil {
			return nil, err
		}
		return b, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("%s is damaged (%d bytes, want 32); delete it and log in again", p, len(b))
	}
	return b, nil
}

func (f *FileStore) aead(secret []byte) (cipherAEAD, error) {
	key, err := hkdf.Key(sha256.New, secret, f.machineID(), "slate session credentials v1", chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	return chacha20poly1305.NewX(key)
}

// cipherAEAD is the AEAD the store seals with.
type cipherAEAD interface {
	Seal(dst, nonce, plaintext, additionalData []byte) []byte
	Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
	NonceSize() int
}

// readAll decrypts every stored session.
func (f *FileStore) readAll() (map[string]Credentials, error) {
	secret, err := f.secret(false)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(f.dir, credentialsName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	a, err := f.aead(secret)
	if err != nil {
		return nil, err
	}
	rest, ok := bytes.CutPrefix(data, []byte(credentialsMagic))
	if !ok || len(rest) < a.NonceSize() {
		return nil, fmt.Errorf("%s is not a Slate credentials file; log in again", credentialsName)
	}
	plain, err := a.Open(nil, rest[:a.NonceSize()], rest[a.NonceSize():], []byte(credentialsMagic))
	if err != nil {
		return nil, fmt.Errorf("%s cannot be decrypted (changed, or made on another machine); log in again", credentialsName)
	}
	var all map[string]Credentials
	if err := json.Unmarshal(plain, &all); err != nil {
		return nil, fmt.Errorf("%s is damaged; log in again: %w", credentialsName, err)
	}
	return all, nil
}

// writeAll encrypts and stores every session, with a fresh nonce.
func (f *FileStore) writeAll(all map[string]Credentials) error {
	secret, err := f.secret(true)
	if err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	a, err := f.aead(secret)
	if err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	plain, err := json.Marshal(all)
	if err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	out := append([]byte(credentialsMagic), nonce...)
	out = a.Seal(out, nonce, plain, []byte(credentialsMagic))
	if err := atomicfile.WriteFile(filepath.Join(f.dir, credentialsName), out, 0o600); err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	return nil
}

// Load reads the session for a server.
func (f *FileStore) Load(server string) (Credentials, error) {
	all, err := f.readAll()
	if err != nil {
		return Credentials{}, err
	}
	c, ok := all[server]
	if !ok {
		return Credentials{}, ErrNoCredentials
	}
	return c, nil
}

// Save stores a session. A file that cannot be read any more (made on
// another machine, or damaged) is replaced: its sessions are lost, which
// costs a log-in, not data.
func (f *FileStore) Save(c Credentials) error {
	all, err := f.readAll()
	if err != nil {
		all = map[string]Credentials{}
	}
	all[c.Server] = c
	return f.writeAll(all)
}

// Delete forgets a server's session.
func (f *FileStore) Delete(server string) error {
	all, err := f.readAll()
	if errors.Is(err, ErrNoCredentials) {
		return nil
	}
	if err != nil {
		// Unreadable: nothing in it can be used, so forgetting means
		// removing it.
		if rerr := os.Remove(filepath.Join(f.dir, credentialsName)); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return rerr
		}
		return nil
	}
	delete(all, server)
	return f.writeAll(all)
}
