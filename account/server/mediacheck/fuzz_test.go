package mediacheck

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
)

// FuzzMedia feeds the media check arbitrary files of each kind, seeded
// with real ones (the MP4 and WebM in testdata/media, a JPEG, a PNG, a
// WAV) and with the kinds of fake seen in attacks: a real start followed
// by random bytes, a file cut short. It must never panic, and what it
// accepts must be of a type the kind may have.
func FuzzMedia(f *testing.F) {
	var seeds [][]byte
	for _, name := range []string{"../testdata/media/take.mp4", "../testdata/media/take.webm"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data, data[:len(data)/2], append(data[:64:64], bytes.Repeat([]byte{0xa5}, 512)...))
	}
	var j, p bytes.Buffer
	jpeg.Encode(&j, image.NewGray(image.Rect(0, 0, 8, 8)), nil)
	png.Encode(&p, image.NewGray(image.Rect(0, 0, 8, 8)))
	wav := []byte("RIFF\x2c\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x08\x00\x00\x00\x01\x00\x02\x00\x03\x00\x04\x00")
	seeds = append(seeds, j.Bytes(), p.Bytes(), wav, j.Bytes()[:40], p.Bytes()[:40], wav[:30],
		[]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\xde\xad\xbe\xef\xff\xff\xff\xff"),
		[]byte{0x1a, 0x45, 0xdf, 0xa3, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		[]byte{0x1a, 0x45, 0xdf, 0xa3, 0x84, 0x42, 0x82, 0x81, 'w', 0x18, 0x53, 0x80, 0x67, 0xff},
		[]byte(""))
	for _, s := range seeds {
		for k := range account.MediaKinds {
			f.Add(uint8(k), s)
		}
	}
	allowed := map[account.MediaKind]string{account.MediaTake: "video/mp4 video/webm", account.MediaFrontal: "image/jpeg image/png",
		account.MediaLeft: "image/jpeg image/png", account.MediaRight: "image/jpeg image/png", account.MediaSample: "audio/wav"}
	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		kind := account.MediaKinds[int(k)%len(account.MediaKinds)]
		ct, err := Check(kind, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if ct == "" || !strings.Contains(allowed[kind], ct) {
			t.Fatalf("Check(%s) accepted %q as %q", kind, data, ct)
		}
	})
}
