package library

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxDeviceNameRunes is the longest name a device may have; the account
// server takes names of up to the same length.
const MaxDeviceNameRunes = 80

// Device is this data folder as the account server knows it. A device is a
// data folder, not a computer: two folders on one computer (two
// SLATE_HOMEs) are two devices, each logged in on its own.
type Device struct {
	// ID tells this folder's session apart from every other folder's: 32
	// lower-case hex digits, random, made on first use and kept in
	// slate.db. It survives reopening and moving the folder, and a copy of
	// the folder (a backup restored, a new disk) carries it along, so the
	// copy is the same device.
	ID string
	// Name is the name a person gave this device; empty until they do,
	// and then the studio shows DefaultDeviceName.
	Name string
	// NameSent is the name the account server last heard for this device;
	// a rename made offline differs from it until the next sync.
	NameSent string
}

// Device returns this data folder's device, making its ID on first use.
func (l *Library) Device(ctx context.Context) (Device, error) {
	// Two processes on one folder (the studio and slate render) may both
	// get here first; the one row's key lets only one ID in, and both read
	// the one that got in.
	_, err := l.db.ExecContext(ctx, `INSERT INTO device (one, id) VALUES (1, ?) ON CONFLICT (one) DO NOTHING`, newDeviceID())
	if err != nil {
		return Device{}, fmt.Errorf("make this folder's device ID: %w", err)
	}
	var d Device
	err = l.db.QueryRowContext(ctx, `SELECT id, name, name_sent FROM device WHERE one = 1`).Scan(&d.ID, &d.Name, &d.NameSent)
	if err != nil {
		return Device{}, fmt.Errorf("read this folder's device: %w", err)
	}
	return d, nil
}

// newDeviceID returns 128 random bits in hex.
func newDeviceID() string {
	var b [16]byte
	rand.Read(b[:]) // crypto/rand never fails; it crashes the program instead
	return hex.EncodeToString(b[:])
}

// SetDeviceName names this device. Spaces around the name are dropped; an
// empty name goes back to the default. A name that is too long or holds a
// line break or other control character is refused, and the name stays as
// it was.
func (l *Library) SetDeviceName(ctx context.Context, name string) (Device, error) {
	name = strings.TrimSpace(name)
	if err := CheckDeviceName(name); err != nil {
		return Device{}, err
	}
	if _, err := l.Device(ctx); err != nil {
		return Device{}, err
	}
	if _, err := l.db.ExecContext(ctx, `UPDATE device SET name = ? WHERE one = 1`, name); err != nil {
		return Device{}, fmt.Errorf("rename this device: %w", err)
	}
	return l.Device(ctx)
}

// SetDeviceNameSent records the name the account server now has for this
// device.
func (l *Library) SetDeviceNameSent(ctx context.Context, name string) error {
	if _, err := l.db.ExecContext(ctx, `UPDATE device SET name_sent = ? WHERE one = 1`, name); err != nil {
		return fmt.Errorf("record this device's name on the server: %w", err)
	}
	return nil
}

// CheckDeviceName says what is wrong with a device name, or nil. The empty
// name is fine: it stands for the default.
func CheckDeviceName(name string) error {
	switch {
	case !utf8.ValidString(name):
		return errors.New("the device name is not valid text (UTF-8); type it again")
	case strings.ContainsFunc(name, unicode.IsControl):
		return errors.New("the device name holds a line break or another control character; keep it to one line")
	case utf8.RuneCountInString(name) > MaxDeviceNameRunes:
		return fmt.Errorf("the device name is %d characters long; keep it to %d", utf8.RuneCountInString(name), MaxDeviceNameRunes)
	}
	return nil
}

// DefaultDeviceName is the name a device in the data folder dir goes by
// until a person names it: whose computer it is and the computer's name,
// such as "olive's thinkpad", so that a person recognises it in the list
// of devices. A data folder other than the default one (which is called
// slate) adds its own folder's name, "olive's thinkpad (film-school)", so
// that two folders on one computer are told apart.
func DefaultDeviceName(dir string) string {
	return defaultDeviceName(personName(), hostName(), dir)
}

func defaultDeviceName(person, host, dir string) string {
	var name string
	switch {
	case person != "" && host != "":
		name = person + "'s " + host
	case person != "":
		name = person + "'s computer"
	case host != "":
		name = host
	default:
		name = "A Slate studio"
	}
	if base := filepath.Base(dir); dir != "" && base != "slate" && base != "." && base != string(filepath.Separator) {
		name += " (" + base + ")"
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > MaxDeviceNameRunes {
		name = strings.TrimSpace(string(r[:MaxDeviceNameRunes-1])) + "…"
	}
	return name
}

// personName is the first name of whoever runs Slate, from their account's
// full name, else the login name.
func personName() string {
	u, err := user.Current()
	if err != nil {
		return ""
	}
	full, _, _ := strings.Cut(u.Name, ",") // the GECOS field: name, room, phone…
	if f := strings.Fields(full); len(f) > 0 {
		return f[0]
	}
	_, name, _ := strings.Cut(u.Username, `\`) // Windows: DOMAIN\user
	if name == "" {
		name = u.Username
	}
	return name
}

// hostName is the computer's name without its network domain.
func hostName() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	h, _, _ = strings.Cut(h, ".")
	return h
}
