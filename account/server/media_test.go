package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/png"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
)

// junk is n random bytes after prefix, from a fixed seed.
func junk(prefix []byte, n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	out := append([]byte{}, prefix...)
	for len(out) < n {
		out = append(out, byte(r.Uint32()))
	}
	return out
}

// pngOf is a real PNG image of w×h.
func pngOf(w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// The server reads what it stores: a take must be an MP4 or WebM video
// with a sane picture and length, a still a JPEG or PNG within the limits,
// a voice sample a PCM WAV file. Anything else is refused with 415,
// saying what was expected, and leaves no blob, no temporary file and no
// row.
func TestMediaAreChecked(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	u := e.signUp("olive")
	m := must(u.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive"}))
	webm, err := os.ReadFile("testdata/media/take.webm")
	if err != nil {
		t.Fatal(err)
	}
	mp := mp4("")
	// A take whose track header claims a 5000×5000 picture: tkhd ends
	// with the width and height in 16.16 fixed point.
	huge := bytes.Clone(mp)
	i := bytes.Index(huge, []byte("tkhd"))
	binary.BigEndian.PutUint32(huge[i+4+76:], 5000<<16)
	binary.BigEndian.PutUint32(huge[i+4+80:], 5000<<16)
	cut := wav(strings.Repeat("ab", 100))
	binary.LittleEndian.PutUint32(cut[40:], 1<<20) // data longer than the file

	for _, tt := range []struct {
		name string
		kind account.MediaKind
		data []byte
		want string
	}{
		{"an MP4 file type box and random bytes", account.MediaTake, junk([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), 20<<10), "MP4"},
		{"WebM magic and random bytes", account.MediaTake, junk([]byte{0x1a, 0x45, 0xdf, 0xa3}, 20<<10), "WebM"},
		{"half an MP4", account.MediaTake, mp[:len(mp)/2], "MP4"},
		{"an MP4 of 5000×5000", account.MediaTake, huge, "5000×5000"},
		{"half a WebM", account.MediaTake, webm[:len(webm)/2], "WebM"},
		{"a JPEG as a take", account.MediaTake, jpeg("x"), "neither an MP4 nor a WebM"},
		{"a JPEG start and random bytes", account.MediaFrontal, junk([]byte{0xff, 0xd8, 0xff, 0xe0}, 4<<10), "JPEG"},
		{"half a JPEG", account.MediaLeft, jpeg("")[:100], "JPEG"},
		{"a PNG of 5000×1", account.MediaRight, pngOf(5000, 1), "5000×1"},
		{"a PNG start and random bytes", account.MediaFrontal, junk([]byte("\x89PNG\r\n\x1a\n"), 4<<10), "PNG"},
		{"a WAV start and random bytes", account.MediaSample, junk([]byte("RIFF\x00\x00\x00\x00WAVEfmt "), 4<<10), "WAV"},
		{"a WAV whose data runs past the end", account.MediaSample, cut, "does not fit"},
		{"an MP4 as a voice sample", account.MediaSample, mp, "not a WAV"},
	} {
		_, err := u.UploadMedia(ctx, m.ID, tt.kind, bytes.NewReader(tt.data), int64(len(tt.data)))
		if !statusIs(err, http.StatusUnsupportedMediaType) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "must be") {
			t.Errorf("%s as a %s: %v, want 415 saying what it must be and %q", tt.name, tt.kind, err, tt.want)
		}
	}
	if got := must(u.Member(ctx, m.ID)); len(got.Media) != 0 {
		t.Errorf("refused media were stored: %+v", got.Media)
	}
	for _, d := range []string{filepath.Join(e.dir, "blobs", "sha256"), filepath.Join(e.dir, "tmp")} {
		if entries, _ := os.ReadDir(d); len(entries) != 0 {
			t.Errorf("refused uploads left files in %s: %v", d, entries)
		}
	}

	// The real thing is stored, with the type read from it.
	for _, tt := range []struct {
		kind account.MediaKind
		data []byte
		ct   string
	}{
		{account.MediaTake, mp, "video/mp4"}, {account.MediaTake, webm, "video/webm"},
		{account.MediaFrontal, jpeg("face"), "image/jpeg"}, {account.MediaLeft, pngOf(640, 480), "image/png"},
		{account.MediaSample, wav("hello"), "audio/wav"},
	} {
		md, err := u.UploadMedia(ctx, m.ID, tt.kind, bytes.NewReader(tt.data), int64(len(tt.data)))
		if err != nil || md.ContentType != tt.ct {
			t.Errorf("a real %s (%s) = %+v, %v", tt.kind, tt.ct, md, err)
		}
	}
}
