package account

import (
	"regexp"
	"strings"
)

var deviceIDRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ValidDeviceID reports whether s is a device ID: 32 lower-case hex digits
// (128 random bits, made by the studio for its data folder).
func ValidDeviceID(s string) bool { return deviceIDRe.MatchString(s) }

// checkDeviceID checks a log-in's device ID, which may be left out.
func checkDeviceID(id string) error {
	if id != "" && !ValidDeviceID(id) {
		return fieldErr("device_id", "must be 32 lower-case hex digits, or left out")
	}
	return nil
}

// Validate checks the new name: one line of 1 to MaxDeviceRunes
// characters, not only spaces.
func (p *SessionPatch) Validate() error {
	if strings.TrimSpace(p.Device) == "" {
		return fieldErr("device", "missing: give the device a name")
	}
	return checkLine("device", p.Device, 1, MaxDeviceRunes)
}
