package tempfile

import (
	"bytes"
	"errors"
	"os"
	"strconv"
)

// startTime reads when process pid started: field 22 of /proc/PID/stat,
// in clock ticks since boot. The second field, the command name, is in
// parentheses and may itself hold spaces and parentheses, so the fields
// are counted from the last ')'.
func startTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	fields := bytes.Fields(b[i+1:])
	// fields[0] is field 3 (the state), so field 22 is fields[19].
	if len(fields) < 20 {
		return 0, errors.New("malformed /proc stat")
	}
	return strconv.ParseUint(string(fields[19]), 10, 64)
}
