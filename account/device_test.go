package account

import (
	"strings"
	"testing"
)

const deviceID = "0123456789abcdef0123456789abcdef"

// The bodies that carry a device: its ID at log-in, its name at a rename.
var deviceDecodeTests = []struct {
	kind string
	body string
	want string // "" decodes; else part of the error message
}{
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","device_id":"` + deviceID + `"}`, ""},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","device_id":""}`, ""},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","device_id":"laptop"}`, `field "device_id": must be 32 lower-case hex digits`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","device_id":"` + strings.ToUpper(deviceID) + `"}`, `field "device_id"`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","device_id":"` + deviceID + `0"}`, `field "device_id"`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","device_id":"` + deviceID[:31] + `"}`, `field "device_id"`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","device_id":42}`, `field "device_id": expected string`},
	{"session_patch", `{"device":"Olive's laptop"}`, ""},
	{"session_patch", `{"device":"` + strings.Repeat("é", MaxDeviceRunes) + `"}`, ""},
	{"session_patch", `{}`, `field "device": missing`},
	{"session_patch", `{"device":"  "}`, `field "device": missing`},
	{"session_patch", `{"device":"a\tb"}`, `field "device": holds a control character`},
	{"session_patch", `{"device":"` + strings.Repeat("x", MaxDeviceRunes+1) + `"}`, `field "device": longer`},
	{"session_patch", `{"device":"x","device_id":"` + deviceID + `"}`, `unknown field "device_id"`},
}

func TestDecodeDevice(t *testing.T) {
	for _, tt := range deviceDecodeTests {
		v := kinds[kindIndex(tt.kind)].new()
		err := Decode(strings.NewReader(tt.body), v)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Decode(%s, %.80q) = %v, want nil", tt.kind, tt.body, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Decode(%s, %.80q) = %v, want an error containing %q", tt.kind, tt.body, err, tt.want)
		}
	}
}

func TestValidDeviceID(t *testing.T) {
	for id, want := range map[string]bool{deviceID: true, "": false, deviceID[:16]: false, strings.ToUpper(deviceID): false, deviceID[:31] + "g": false} {
		if got := ValidDeviceID(id); got != want {
			t.Errorf("ValidDeviceID(%q) = %v, want %v", id, got, want)
		}
	}
}
