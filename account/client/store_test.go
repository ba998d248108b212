package client

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/zalando/go-keyring"
)

func creds(server, token string) Credentials {
	return Credentials{Server: server, Account: account.Account{ID: "a1", Username: "mara"}, Device: "laptop",
		SessionID: "s1", Token: token, Key: make([]byte, 32)}
}

func TestFileStore(t *testing.T) {
	dir := t.TempDir()
	f := NewFileStore(dir)
	f.machineID = func() []byte { return []byte("machine-one") }
	if _, err := f.Load("https://a"); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("Load(empty) = %v, want ErrNoCredentials", err)
	}
	if err := f.Delete("https://a"); err != nil {
		t.Fatalf("Delete(empty) = %v", err)
	}
	for _, c := range []Credentials{creds("https://a", "slt_one"), creds("https://b", "slt_two"), creds("https://a", "slt_three")} {
		if err := f.Save(c); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := f.Load("https://a"); err != nil || c.Token != "slt_three" || c.Account.Username != "mara" {
		t.Errorf("Load(a) = %+v, %v; want the last session saved", c, err)
	}
	if c, err := f.Load("https://b"); err != nil || c.Token != "slt_two" {
		t.Errorf("Load(b) = %+v, %v", c, err)
	}
	for _, name := range []string{secretName, credentialsName} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", name, fi.Mode().Perm(), err)
		}
	}
	// The token is not in the file in the clear.
	data, _ := os.ReadFile(filepath.Join(dir, credentialsName))
	for _, s := range []string{"slt_three", "mara"} {
		if contains(data, s) {
			t.Errorf("the credentials file holds %q in the clear", s)
		}
	}
	if err := f.Delete("https://a"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Load("https://a"); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("Load after Delete = %v, want ErrNoCredentials", err)
	}
	if _, err := f.Load("https://b"); err != nil {
		t.Errorf("Delete(a) lost b: %v", err)
	}
}

func contains(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}

// A changed file, or the folder copied to another machine, does not
// decrypt; saving then starts afresh.
func TestFileStoreRefusesTamperingAndOtherMachines(t *testing.T) {
	dir := t.TempDir()
	f := NewFileStore(dir)
	f.machineID = func() []byte { return []byte("machine-one") }
	if err := f.Save(creds("https://a", "slt_one")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, credentialsName)
	good, _ := os.ReadFile(p)

	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 1
	os.WriteFile(p, bad, 0o600)
	if _, err := f.Load("https://a"); err == nil || errors.Is(err, ErrNoCredentials) {
		t.Errorf("Load(tampered) = %v, want a decryption error", err)
	}

	os.WriteFile(p, good, 0o600)
	other := NewFileStore(dir)
	other.machineID = func() []byte { return []byte("machine-two") }
	if _, err := other.Load("https://a"); err == nil || errors.Is(err, ErrNoCredentials) {
		t.Errorf("Load on another machine = %v, want a decryption error", err)
	}
	if err := other.Save(creds("https://b", "slt_two")); err != nil {
		t.Fatalf("Save over an unreadable file = %v", err)
	}
	if c, err := other.Load("https://b"); err != nil || c.Token != "slt_two" {
		t.Errorf("Load after starting afresh = %+v, %v", c, err)
	}
}

// memRing is a keyring in memory.
type memRing map[string]string

func (m memRing) Get(service, user string) (string, error) {
	s, ok := m[service+"/"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return s, nil
}

func (m memRing) Set(service, user, secret string) error {
	m[service+"/"+user] = secret
	return nil
}

func (m memRing) Delete(service, user string) error {
	if _, ok := m[service+"/"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(m, service+"/"+user)
	return nil
}

// brokenRing is a machine without a keyring service.
type brokenRing struct{}

var errNoDBus = errors.New("the name org.freedesktop.secrets was not provided by any .service files")

func (brokenRing) Get(string, string) (string, error) { return "", errNoDBus }
func (brokenRing) Set(string, string, string) error   { return errNoDBus }
func (brokenRing) Delete(string, string) error        { return errNoDBus }

func TestKeyringStore(t *testing.T) {
	ring := memRing{}
	s := openStore(ring, t.TempDir(), "")
	ks, ok := s.(KeyringStore)
	if !ok {
		t.Fatalf("openStore with a working keyring = %T, want KeyringStore", s)
	}
	if _, err := ks.Load("https://a"); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("Load(empty) = %v", err)
	}
	if err := ks.Save(creds("https://a", "slt_one")); err != nil {
		t.Fatal(err)
	}
	if c, err := ks.Load("https://a"); err != nil || c.Token != "slt_one" {
		t.Errorf("Load = %+v, %v", c, err)
	}
	if err := ks.Delete("https://a"); err != nil {
		t.Fatal(err)
	}
	if err := ks.Delete("https://a"); err != nil {
		t.Errorf("Delete twice = %v", err)
	}
}

func TestOpenStoreFallsBackToFile(t *testing.T) {
	if s, ok := openStore(brokenRing{}, t.TempDir(), "").(*FileStore); !ok {
		t.Errorf("openStore without a keyring = %T, want *FileStore", s)
	}
	// The real thing, on a machine where D-Bus is not there: this
	// machine, or any with the session bus pointed nowhere.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	dir := t.TempDir()
	s := OpenStore(dir, "")
	if _, ok := s.(*FileStore); !ok {
		t.Fatalf("OpenStore without a session bus = %T, want *FileStore", s)
	}
	if err := s.Save(creds("https://a", "slt_one")); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Load("https://a"); err != nil || c.Token != "slt_one" {
		t.Errorf("Load = %+v, %v", c, err)
	}
}

func TestNewChecksTheAddress(t *testing.T) {
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://slate.example", true},
		{"https://slate.example:8443/", true},
		{"http://127.0.0.1:8787", true},
		{"http://localhost:8787", true},
		{"http://[::1]:8787", true},
		{"http://slate.example", false},
		{"http://10.0.0.2:8787", false},
		{"ftp://slate.example", false},
		{"slate.example", false},
		{"https://user:pw@slate.example", false},
		{"https://slate.example?x=1", false},
	} {
		if _, err := New(tt.url, Options{}); (err == nil) != tt.ok {
			t.Errorf("New(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

// Two data folders of one user share the keyring but not a session: each
// folder's session is filed under its device. An entry from before device
// IDs is taken over by the first folder that looks.
func TestKeyringStoreKeepsFoldersApart(t *testing.T) {
	ring := memRing{}
	if err := (KeyringStore{Ring: ring}).Save(creds("https://a", "slt_old")); err != nil {
		t.Fatal(err)
	}
	one := openStore(ring, t.TempDir(), "0123456789abcdef0123456789abcdef")
	two := openStore(ring, t.TempDir(), "fedcba9876543210fedcba9876543210")
	if c, err := one.Load("https://a"); err != nil || c.Token != "slt_old" {
		t.Fatalf("the first folder's Load = %+v, %v; want the session from before device IDs", c, err)
	}
	if _, err := two.Load("https://a"); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("the second folder's Load = %v, want nothing: the old session went to the first", err)
	}
	if err := two.Save(creds("https://a", "slt_two")); err != nil {
		t.Fatal(err)
	}
	if c, err := one.Load("https://a"); err != nil || c.Token != "slt_old" {
		t.Errorf("after the second folder logged in, the first's Load = %+v, %v; want its own session", c, err)
	}
	if err := one.Delete("https://a"); err != nil {
		t.Fatal(err)
	}
	if c, err := two.Load("https://a"); err != nil || c.Token != "slt_two" {
		t.Errorf("after the first folder logged out, the second's Load = %+v, %v; want its own session", c, err)
	}
}
