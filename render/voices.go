package render

import (
	"context"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/voices"
)

// Voices speaks the lines of dialogue Soundtrack puts in a shot.
// voices.Speaker is the one Slate uses: an installed Piper voice for a
// voice named "piper:NAME", espeak-ng for every other.
type Voices interface {
	// Speak says text in voice at about wpm words a minute, as mono PCM at
	// AudioRate with the silence around the words trimmed, so the line
	// starts when its cue says.
	Speak(ctx context.Context, text, voice string, wpm int) (*audio.PCM, error)
	// Version identifies how voice sounds, for the render cache key: it
	// changes when the files behind the voice change, and is "" for voices
	// built into the program (espeak-ng's), whose keys stay as they were.
	Version(voice string) string
}

var _ Voices = (*voices.Speaker)(nil)

// VoicedBackend is a Backend that speaks dialogue with Voices of its own,
// which Key asks for the versions of the voices a shot uses. A backend that
// is not one is keyed with the versions of DefaultVoices.
type VoicedBackend interface {
	Backend
	Voices() Voices
}

// DefaultVoices are the voices Soundtrack speaks with when given none:
// Piper voices installed in the data folder's voices/ and in $SLATE_VOICES
// (see voices.Dirs), espeak-ng from tools for the rest. The caller closes
// it, which releases the Piper voices it loaded.
func DefaultVoices(tools media.Tools) *voices.Speaker {
	dir, err := library.DefaultDir()
	if err != nil {
		dir = "" // no data folder: only $SLATE_VOICES, and espeak-ng
	}
	return voices.NewSpeaker(tools, voices.Dirs(dir))
}

// voicesOf are the voices that speak b's dialogue.
func voicesOf(b Backend) Voices {
	if vb, ok := b.(VoicedBackend); ok {
		if vs := vb.Voices(); vs != nil {
			return vs
		}
	}
	// Version reads only the files' sizes and times: no tools needed.
	return DefaultVoices(media.Tools{})
}
