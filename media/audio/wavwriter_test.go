package audio

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWAVWriterMatchesWriteWAV(t *testing.T) {
	p := sine(48000, 2, 4801, 440, 0.5)
	var want bytes.Buffer
	if err := WriteWAV(&want, p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWAVWriter(f, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	// In uneven pieces, as a microphone hands them over.
	for i := 0; i < len(p.Samples); {
		n := min(2*(37+i%101), len(p.Samples)-i)
		if err := w.Write(p.Samples[i : i+n]); err != nil {
			t.Fatal(err)
		}
		i += n
	}
	if err := w.Write([]float32{1}); err == nil {
		t.Error("Write(half a frame) = nil, want an error")
	}
	if got := w.Frames(); got != 4801 {
		t.Errorf("Frames() = %d, want 4801", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	if err := w.Write(p.Samples[:2]); err == nil {
		t.Error("Write after Close = nil, want an error")
	}
	f.Close()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("WAVWriter wrote %d bytes that differ from WriteWAV's %d", len(got), want.Len())
	}
}

// A recording cut off before Close still reads, to its end.
func TestWAVWriterUnclosedReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewWAVWriter(f, 16000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSilence(10000); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]float32{0.5, -0.5}); err != nil {
		t.Fatal(err)
	}
	if err := w.bw.Flush(); err != nil { // what the page cache has after a crash
		t.Fatal(err)
	}
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := ReadWAV(r)
	if err != nil {
		t.Fatalf("ReadWAV(unclosed) = %v", err)
	}
	if p.Frames() != 10002 || p.Samples[10000] != 0.5 || p.Samples[10001] != -0.5 {
		t.Errorf("ReadWAV(unclosed) = %d frames ending %v, want 10002 ending [0.5 -0.5]", p.Frames(), p.Samples[len(p.Samples)-2:])
	}
}

func TestNewWAVWriterRefusesFormats(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "a.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct{ rate, channels int }{{0, 1}, {48000, 0}, {48000, 65}, {MaxRate + 1, 1}} {
		if _, err := NewWAVWriter(f, c.rate, c.channels); err == nil {
			t.Errorf("NewWAVWriter(%d Hz, %d channels) = nil error, want one", c.rate, c.channels)
		}
	}
}
