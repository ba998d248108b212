package render

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/timeline"
)

// AudioRate is the sample rate of every clip's sound and of the film's mix.
const AudioRate = 48000

// Caption is a line of dialogue as shown on screen: who says what, from
// when to when within the shot.
type Caption struct {
	Speaker    string
	Text       string
	Start, End time.Duration
}

// The espeak-ng voices given to speakers who have none of their own, in
// cast order, chosen to sound different from each other.
var defaultVoices = []string{"en-gb+f3", "en-us+m3", "en-us+f2", "en-gb+m4", "en-gb-scotland+f4", "en-us+m7", "en-029+f5", "en-gb-x-rp+m2"}

// narratorVoice is a calm voice unlike any default cast voice.
const narratorVoice = "en-gb-x-rp+m1"

// VoiceFor is the voice a line is spoken in: the line's own, else its
// speaker's, else a distinct default picked by the speaker's place in the
// cast. A voice is an espeak-ng voice ("en-gb+m3") or an installed Piper
// voice ("piper:en_US-lessac-medium"; see package voices); the defaults are
// espeak-ng's, which every studio has.
func VoiceFor(cast []timeline.CastRef, l timeline.Line) string {
	if l.Voice != "" {
		return l.Voice
	}
	if l.Speaker == timeline.Narrator || l.Speaker == "" {
		return narratorVoice
	}
	i := slices.IndexFunc(cast, func(c timeline.CastRef) bool { return c.ID == l.Speaker })
	if i < 0 {
		return defaultVoices[0]
	}
	if cast[i].Voice != "" {
		return cast[i].Voice
	}
	return defaultVoices[i%len(defaultVoices)]
}

// speakingWPM is the rate dialogue is spoken at: a little quicker than the
// rate lines are checked against, so a line that passes fits.
const speakingWPM = 165

// captionHold keeps a caption on screen a little after the words end.
const captionHold = 400 * time.Millisecond

// Soundtrack is SoundtrackWith the DefaultVoices, loaded for this one
// shot. A backend that renders many shots keeps Voices of its own and calls
// SoundtrackWith, so each Piper voice is loaded once.
func Soundtrack(ctx context.Context, tools media.Tools, req *Request) (*audio.PCM, []Caption, error) {
	vs := DefaultVoices(tools)
	defer vs.Close()
	return SoundtrackWith(ctx, tools, vs, req)
}

// SoundtrackWith builds a shot's sound: every line spoken by vs at its
// start offset in its voice (see VoiceFor), and every cue with a file
// mixed in at its gain, decoded with tools. It returns 48 kHz stereo
// exactly as long as the shot's frames, and the captions for the lines.
// Cues without a file are described, not heard.
func SoundtrackWith(ctx context.Context, tools media.Tools, vs Voices, req *Request) (*audio.PCM, []Caption, error) {
	frames := req.Frames()
	samples := int(int64(frames) * AudioRate / int64(req.Format.FPS))
	mix := audio.NewPCM(AudioRate, 2, samples)
	end := time.Duration(int64(samples) * int64(time.Second) / AudioRate)

	var captions []Caption
	for j, l := range req.Shot.Lines {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		voice := VoiceFor(req.Cast, l)
		room := end - l.Start - 50*time.Millisecond
		speech, err := speakToFit(ctx, vs, l.Text, voice, room)
		if err != nil {
			return nil, nil, fmt.Errorf("shot %d, line %d: %w", req.Index+1, j+1, err)
		}
		at := int(int64(l.Start) * AudioRate / int64(time.Second))
		if err := mix.Mix(speech, at, 1); err != nil {
			return nil, nil, err
		}
		captions = append(captions, Caption{
			Speaker: speakerName(req.Cast, l.Speaker), Text: l.Text,
			Start: l.Start, End: min(end, l.Start+speech.Duration()+captionHold),
		})
	}
	for j, c := range req.Shot.Cues {
		if c.File == "" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		sound, err := tools.DecodeAudio(ctx, c.File, AudioRate, 2)
		if err != nil {
			return nil, nil, fmt.Errorf("shot %d, sound cue %d: %w", req.Index+1, j+1, err)
		}
		from := min(sound.Frames(), int(int64(c.Offset)*AudioRate/int64(time.Second)))
		n := min(sound.Frames()-from, int(int64(c.Duration)*AudioRate/int64(time.Second)))
		part := &audio.PCM{Rate: AudioRate, Channels: 2, Samples: sound.Samples[from*2 : (from+n)*2]}
		fadeEdges(part, 10*time.Millisecond)
		at := int(int64(c.Start) * AudioRate / int64(time.Second))
		if err := mix.Mix(part, at, float32(math.Pow(10, c.GainDB/20))); err != nil {
			return nil, nil, err
		}
	}
	return mix, captions, nil
}

func speakerName(cast []timeline.CastRef, id string) string {
	if id == timeline.Narrator || id == "" {
		return "Narrator"
	}
	for _, c := range cast {
		if c.ID == id {
			return c.Name
		}
	}
	return id
}

// LineSpeech is line j of shot sh as SoundtrackWith speaks it: in its
// voice (VoiceFor), spoken faster where it would run past the shot's end.
// The studio draws its waveform on the timeline's dialogue lane.
func LineSpeech(ctx context.Context, vs Voices, cast []timeline.CastRef, sh *timeline.Shot, j int) (*audio.PCM, error) {
	l := sh.Lines[j]
	return speakToFit(ctx, vs, l.Text, VoiceFor(cast, l), sh.Duration-l.Start-50*time.Millisecond)
}

// speakToFit speaks text and, when it runs past the room left in the shot,
// speaks it again faster; as a last resort the end is faded out. A Piper
// voice speeds up by shortening its length_scale in proportion to wpm, so
// one retry usually fits.
func speakToFit(ctx context.Context, vs Voices, text, voice string, room time.Duration) (*audio.PCM, error) {
	wpm := speakingWPM
	for {
		speech, err := vs.Speak(ctx, text, voice, wpm)
		if err != nil {
			return nil, err
		}
		d := speech.Duration()
		if d <= room || room <= 0 {
			return speech, nil
		}
		if wpm >= 320 {
			n := int(int64(max(room, 0)) * AudioRate / int64(time.Second))
			speech.Samples = speech.Samples[:n*speech.Channels]
			fadeEdges(speech, 30*time.Millisecond)
			return speech, nil
		}
		wpm = min(320, int(math.Ceil(float64(wpm)*float64(d)/float64(room)*1.05)))
	}
}

// fadeEdges ramps the first and last d of p, so a sound cut from a longer
// one starts and stops without a click.
func fadeEdges(p *audio.PCM, d time.Duration) {
	n := min(p.Frames()/2, int(int64(d)*int64(p.Rate)/int64(time.Second)))
	ch := p.Channels
	for i := range n {
		g := float32(i) / float32(n)
		for c := range ch {
			p.Samples[i*ch+c] *= g
			p.Samples[(p.Frames()-1-i)*ch+c] *= g
		}
	}
}
