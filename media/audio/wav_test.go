package audio

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// wavSpec builds a WAV file for tests.
type wavSpec struct {
	tag        uint16 // 1 PCM, 3 float, 0xFFFE extensible
	subTag     uint16 // for extensible
	channels   int
	rate       int
	bits       int
	data       []byte
	dataSize   uint32 // 0 with sizeSet false: the real size
	sizeSet    bool
	before     string // raw chunks before fmt
	between    string // raw chunks between fmt and data
	blockAlign int    // 0: computed
}

func (s wavSpec) bytes() []byte {
	le := binary.LittleEndian
	var fmtc []byte
	fmtc = le.AppendUint16(fmtc, s.tag)
	fmtc = le.AppendUint16(fmtc, uint16(s.channels))
	fmtc = le.AppendUint32(fmtc, uint32(s.rate))
	ba := s.blockAlign
	if ba == 0 {
		ba = s.channels * s.bits / 8
	}
	fmtc = le.AppendUint32(fmtc, uint32(s.rate*ba))
	fmtc = le.AppendUint16(fmtc, uint16(ba))
	fmtc = le.AppendUint16(fmtc, uint16(s.bits))
	if s.tag == wavExtensible {
		fmtc = le.AppendUint16(fmtc, 22)
		fmtc = le.AppendUint16(fmtc, uint16(s.bits))
		fmtc = le.AppendUint32(fmtc, 3)
		fmtc = le.AppendUint16(fmtc, s.subTag)
		fmtc = append(fmtc, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71"...)
	}
	var b bytes.Buffer
	b.WriteString("RIFF\x00\x00\x00\x00WAVE")
	b.WriteString(s.before)
	b.WriteString("fmt ")
	b.Write(le.AppendUint32(nil, uint32(len(fmtc))))
	b.Write(fmtc)
	b.WriteString(s.between)
	b.WriteString("data")
	size := uint32(len(s.data))
	if s.sizeSet {
		size = s.dataSize
	}
	b.Write(le.AppendUint32(nil, size))
	b.Write(s.data)
	out := b.Bytes()
	le.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

func i16(v ...int16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, uint16(x))
	}
	return b
}

// wavTests is the table for TestReadWAV and the seed corpus of FuzzReadWAV.
var wavTests = []struct {
	name    string
	in      []byte
	want    *PCM
	wantErr string
}{
	{"16-bit mono", wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, data: i16(0, 16384, -32768, 32767)}.bytes(),
		&PCM{Rate: 8000, Channels: 1, Samples: []float32{0, 0.5, -1, 32767.0 / 32768}}, ""},
	{"16-bit stereo", wavSpec{tag: 1, channels: 2, rate: 48000, bits: 16, data: i16(1, -1, 2, -2)}.bytes(),
		&PCM{Rate: 48000, Channels: 2, Samples: []float32{1.0 / 32768, -1.0 / 32768, 2.0 / 32768, -2.0 / 32768}}, ""},
	{"8-bit", wavSpec{tag: 1, channels: 1, rate: 8000, bits: 8, data: []byte{128, 0, 192}}.bytes(),
		&PCM{Rate: 8000, Channels: 1, Samples: []float32{0, -1, 0.5}}, ""},
	{"24-bit", wavSpec{tag: 1, channels: 1, rate: 44100, bits: 24, data: []byte{0, 0, 0x40, 0, 0, 0x80, 0xff, 0xff, 0xff}}.bytes(),
		&PCM{Rate: 44100, Channels: 1, Samples: []float32{0.5, -1, -1.0 / (1 << 23)}}, ""},
	{"32-bit int", wavSpec{tag: 1, channels: 1, rate: 44100, bits: 32, data: binary.LittleEndian.AppendUint32(nil, 1<<30)}.bytes(),
		&PCM{Rate: 44100, Channels: 1, Samples: []float32{0.5}}, ""},
	{"32-bit float", wavSpec{tag: 3, channels: 1, rate: 48000, bits: 32, data: binary.LittleEndian.AppendUint32(nil, math.Float32bits(-0.25))}.bytes(),
		&PCM{Rate: 48000, Channels: 1, Samples: []float32{-0.25}}, ""},
	{"extensible float", wavSpec{tag: wavExtensible, subTag: 3, channels: 1, rate: 48000, bits: 32, data: binary.LittleEndian.AppendUint32(nil, math.Float32bits(0.75))}.bytes(),
		&PCM{Rate: 48000, Channels: 1, Samples: []float32{0.75}}, ""},
	{"extensible 16-bit", wavSpec{tag: wavExtensible, subTag: 1, channels: 1, rate: 8000, bits: 16, data: i16(16384)}.bytes(),
		&PCM{Rate: 8000, Channels: 1, Samples: []float32{0.5}}, ""},
	{"unknown chunks skipped, odd size padded", wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, data: i16(16384),
		before: "JUNK\x03\x00\x00\x00abc\x00", between: "LIST\x04\x00\x00\x00INFO"}.bytes(),
		&PCM{Rate: 8000, Channels: 1, Samples: []float32{0.5}}, ""},
	{"espeak-ng pipe size", wavSpec{tag: 1, channels: 1, rate: 22050, bits: 16, data: i16(16384, 16384), dataSize: 0x7ffff000, sizeSet: true}.bytes(),
		&PCM{Rate: 22050, Channels: 1, Samples: []float32{0.5, 0.5}}, ""},
	{"size 0xFFFFFFFF", wavSpec{tag: 1, channels: 1, rate: 22050, bits: 16, data: i16(16384), dataSize: 0xFFFFFFFF, sizeSet: true}.bytes(),
		&PCM{Rate: 22050, Channels: 1, Samples: []float32{0.5}}, ""},
	{"size 0 streams to the end, partial frame dropped", wavSpec{tag: 1, channels: 1, rate: 22050, bits: 16, data: append(i16(16384), 7), dataSize: 0, sizeSet: true}.bytes(),
		&PCM{Rate: 22050, Channels: 1, Samples: []float32{0.5}}, ""},
	{"trailing chunk after data ignored", append(wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, data: i16(16384)}.bytes(), "LIST\x04\x00\x00\x00INFO"...),
		&PCM{Rate: 8000, Channels: 1, Samples: []float32{0.5}}, ""},
	{"empty data", wavSpec{tag: 1, channels: 2, rate: 8000, bits: 16}.bytes(), &PCM{Rate: 8000, Channels: 2}, ""},

	{"not riff", []byte("RIFX\x00\x00\x00\x00WAVEfmt "), nil, "byte 0: not a RIFF WAVE file"},
	{"short header", []byte("RIFF"), nil, "byte 4: header"},
	{"no data chunk", []byte("RIFF\x04\x00\x00\x00WAVE"), nil, "byte 12: no data chunk"},
	{"data before fmt", []byte("RIFF\x00\x00\x00\x00WAVEdata\x00\x00\x00\x00"), nil, "byte 12: data chunk before fmt chunk"},
	{"cut-off data", wavSpec{tag: 1, channels: 1, rate: 8000, bits: 16, data: i16(1, 2), dataSize: 100, sizeSet: true}.bytes(), nil, "byte 36: data chunk declares 100 bytes but only 4 follow"},
	{"cut-off chunk", []byte("RIFF\x00\x00\x00\x00WAVEJUNK\xff\x00\x00\x00ab"), nil, `byte 12: chunk "JUNK" of 255 bytes`},
	{"tiny fmt", []byte("RIFF\x00\x00\x00\x00WAVEfmt \x02\x00\x00\x00ab"), nil, "byte 12: fmt chunk is 2 bytes"},
	{"adpcm", wavSpec{tag: 2, channels: 1, rate: 8000, bits: 4, blockAlign: 1}.bytes(), nil, "byte 20: format 0x2 is not PCM or float"},
	{"zero channels", wavSpec{tag: 1, channels: 0, rate: 8000, bits: 16, blockAlign: 2}.bytes(), nil, "byte 22: 0 channels"},
	{"zero rate", wavSpec{tag: 1, channels: 1, rate: 0, bits: 16}.bytes(), nil, "byte 24: sample rate 0 Hz"},
	{"12-bit", wavSpec{tag: 1, channels: 1, rate: 8000, bits: 12, blockAlign: 2}.bytes(), nil, "byte 34: 12-bit samples"},
	{"64-bit float", wavSpec{tag: 3, channels: 1, rate: 8000, bits: 64}.bytes(), nil, "byte 34: 64-bit float samples"},
	{"bad block align", wavSpec{tag: 1, channels: 2, rate: 8000, bits: 16, blockAlign: 3}.bytes(), nil, "byte 32: block align 3"},
	{"extensible too short", []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\xfe\xff\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00"), nil, "extensible fmt chunk is 16 bytes"},
	{"empty", nil, nil, "byte 0: header"},
}

func TestReadWAV(t *testing.T) {
	for _, tc := range wavTests {
		got, err := ReadWAV(bytes.NewReader(tc.in))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: ReadWAV() = %v, want error containing %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.Rate != tc.want.Rate || got.Channels != tc.want.Channels || !slices.Equal(got.Samples, tc.want.Samples) {
			t.Errorf("%s: ReadWAV() = %+v, %v, want %+v", tc.name, got, err, tc.want)
		}
	}
}

func FuzzReadWAV(f *testing.F) {
	for _, tc := range wavTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadWAV(bytes.NewReader(data))
		if err != nil {
			if !strings.Contains(err.Error(), "byte ") {
				t.Errorf("ReadWAV error %q does not give a byte offset", err)
			}
			return
		}
		if p.Channels < 1 || p.Rate < 1 || len(p.Samples)%p.Channels != 0 {
			t.Errorf("ReadWAV() = %d Hz, %d channels, %d samples: not a valid PCM", p.Rate, p.Channels, len(p.Samples))
		}
		// Whatever was read can be written and read back.
		var b bytes.Buffer
		if err := WriteWAV(&b, p); err != nil {
			t.Fatalf("WriteWAV(ReadWAV()) = %v", err)
		}
		if q, err := ReadWAV(&b); err != nil || q.Frames() != p.Frames() {
			t.Errorf("ReadWAV(WriteWAV(p)) = %v frames, %v, want %d", q, err, p.Frames())
		}
	})
}

func TestWAVRoundTrip16Exact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	raw := make([]int16, 2*4801)
	for i := range raw {
		raw[i] = int16(r.IntN(65536) - 32768)
	}
	raw[0], raw[1] = -32768, 32767
	in := wavSpec{tag: 1, channels: 2, rate: 48000, bits: 16, data: i16(raw...)}.bytes()
	p, err := ReadWAV(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteWAV(&out, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), in) {
		t.Errorf("WriteWAV(ReadWAV(x)) differs from x (%d vs %d bytes), want bit-exact 16-bit round trip", out.Len(), len(in))
	}
}

func TestWriteWAVClipsAndRounds(t *testing.T) {
	for _, tc := range []struct {
		in   float32
		want int16
	}{
		{0, 0}, {1, 32767}, {-1, -32768}, {1.5, 32767}, {-7, -32768},
		{0.5, 16384}, {1.4 / 32768, 1}, {1.6 / 32768, 2}, {-1.6 / 32768, -2},
		{float32(math.NaN()), 0}, {float32(math.Inf(1)), 32767},
	} {
		var b bytes.Buffer
		if err := WriteWAV(&b, &PCM{Rate: 8000, Channels: 1, Samples: []float32{tc.in}}); err != nil {
			t.Fatal(err)
		}
		if got := int16(binary.LittleEndian.Uint16(b.Bytes()[44:])); got != tc.want {
			t.Errorf("WriteWAV(%v) sample = %d, want %d", tc.in, got, tc.want)
		}
	}
	if err := WriteWAV(io.Discard, &PCM{Rate: 0, Channels: 1}); err == nil {
		t.Errorf("WriteWAV(rate 0) = nil, want an error")
	}
}

func TestWriteWAVFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "line.wav")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := sine(48000, 1, 4800, 440, 0.5)
	if err := WriteWAVFile(path, p); err != nil {
		t.Fatalf("WriteWAVFile() = %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadWAV(f)
	if err != nil || got.Frames() != 4800 {
		t.Errorf("ReadWAV(WriteWAVFile()) = %v, %v, want 4800 frames", got, err)
	}
	if extra := leftovers(t, dir, "line.wav"); len(extra) != 0 {
		t.Errorf("files left: %q, want none", extra)
	}
	if err := WriteWAVFile(filepath.Join(dir, "no", "such", "dir.wav"), p); err == nil {
		t.Errorf("WriteWAVFile(missing dir) = nil, want an error")
	}
	if err := WriteWAVFile(filepath.Join(dir, "bad.wav"), &PCM{}); err == nil {
		t.Errorf("WriteWAVFile(invalid PCM) = %v, want an error", err)
	}
	if extra := leftovers(t, dir, "line.wav"); len(extra) != 0 {
		t.Errorf("files left after failures: %q, want none", extra)
	}
}
