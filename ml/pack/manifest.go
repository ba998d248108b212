// Package pack reads, installs and checks model packs: the folders of ONNX
// models, tokenizer and settings that Slate's on-device video backend
// runs. A pack is a folder with a manifest.json that names the pack, its
// licence and source, lists every file with its sha256 and size, says
// which tensor of which model the pipeline reads and writes, and gives the
// model's defaults (steps, guidance, frame rate, latent layout).
//
// Packs are installed into a Store, the models/ folder of Slate's data
// folder, one folder per pack named after it. Installing copies from a
// folder or downloads over HTTP(S), checks each file's size and sha256 as
// it goes, and makes the pack appear at once and whole (a temporary folder
// renamed into place), so a half-installed pack is never seen.
//
// The manifest maps any layout: the diffusers/optimum export
// (text_encoder/model.onnx, transformer/model.onnx or unet/model.onnx,
// vae_decoder/model.onnx, tokenizer/tokenizer.json) or a flat folder of
// separately exported models, such as the public Wan 2.1 export.
package pack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/slatestudio/slate/internal/jsonpos"
)

// ManifestFile is the name of a pack's manifest, at the top of its folder.
const ManifestFile = "manifest.json"

// Format is the manifest format this package reads.
const Format = 1

// maxManifest bounds a manifest's size: a real one is a few kilobytes.
const maxManifest = 1 << 20

// Manifest describes a model pack. Its JSON form is documented field by
// field; see testdata/wan2.1-t2v-1.3b.json for a full example.
type Manifest struct {
	// Format is the manifest format, 1.
	Format int `json:"format"`
	// Name names the pack and its folder: lowercase letters, digits, '.',
	// '_' and '-', such as "wan2.1-t2v-1.3b".
	Name string `json:"name"`
	// Family is the model family, which decides how its models are run:
	// "wan2.1-t2v".
	Family string `json:"family"`
	// Title is the pack's name as a person writes it (optional).
	Title string `json:"title,omitempty"`
	// Licence is the models' licence, as an SPDX identifier where there is
	// one ("Apache-2.0"), shown before anyone installs or uses the pack.
	Licence string `json:"licence"`
	// Source is where the models come from (an http or https URL).
	Source string `json:"source"`
	// Provider, when set, is the execution provider the pack wants
	// ("CPU", "CUDA", or "auto"); a run may still override it.
	Provider string `json:"provider,omitempty"`
	// Files lists every file of the pack but the manifest, with its sha256
	// and size in bytes; paths are relative, with forward slashes.
	Files []File `json:"files"`

	Tokenizer         Tokenizer          `json:"tokenizer"`
	TextEncoder       TextEncoder        `json:"text_encoder"`
	Transformer       Transformer        `json:"transformer"`
	VAEDecoder        VAEDecoder         `json:"vae_decoder"`
	ImageConditioning *ImageConditioning `json:"image_conditioning,omitempty"`
	Defaults          Defaults           `json:"defaults"`
	Latent            Latent             `json:"latent"`
	Memory            Memory             `json:"memory"`
}

// File is one file of a pack.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Tokenizer is the text tokenizer: a Hugging Face tokenizer.json.
type Tokenizer struct {
	// File is the tokenizer.json, one of Files.
	File string `json:"file"`
	// MaxLength is the number of tokens the text encoder takes: prompts
	// are cut to it and padded up to it (512 for UMT5, 77 for CLIP).
	MaxLength int `json:"max_length"`
	// PadToken pads the ids after the prompt; empty means "<pad>" where
	// the vocabulary has it, else id 0. Padded positions are masked, and
	// their embeddings zeroed, so the choice matters little.
	PadToken string `json:"pad_token,omitempty"`
}

// TextEncoder names the text encoder model and its tensors.
type TextEncoder struct {
	Model    string `json:"model"`
	InputIDs string `json:"input_ids"`
	// AttentionMask is empty for an encoder that takes only the ids.
	AttentionMask string `json:"attention_mask,omitempty"`
	// Output is the last hidden state, [batch, tokens, width].
	Output string `json:"output"`
}

// Transformer names the denoising model (a video diffusion transformer or
// UNet) and its tensors.
type Transformer struct {
	Model string `json:"model"`
	// HiddenStates is the noisy latent in, [batch, channels, frames,
	// height, width].
	HiddenStates string `json:"hidden_states"`
	// Timestep is the diffusion time, sigma × 1000: a scalar or [batch].
	Timestep string `json:"timestep"`
	// EncoderHiddenStates is the text embedding, [batch, tokens, width].
	EncoderHiddenStates string `json:"encoder_hidden_states"`
	// Output is the predicted velocity, shaped as HiddenStates.
	Output string `json:"output"`
}

// VAEDecoder names the latent decoder and its tensors.
type VAEDecoder struct {
	Model string `json:"model"`
	// Latent is the de-normalised latent in, [batch, channels, frames,
	// height, width].
	Latent string `json:"latent"`
	// Output is the video out, [batch, 3, frames, height, width], in −1..1.
	Output string `json:"output"`
	// ChunkFrames is how many latent frames one decoder run takes: the
	// video is decoded in chunks so memory stays bounded. 0 means 2.
	ChunkFrames int `json:"chunk_frames,omitempty"`
}

// ImageConditioning says how a shot can start from a given picture: the
// picture is encoded to a latent and handed to the transformer with a
// mask saying which frames it fixes. A pack without it renders from text
// alone.
type ImageConditioning struct {
	// Encoder is the VAE encoder model, one of Files.
	Encoder string `json:"encoder"`
	// EncoderInput takes the picture, [batch, 3, 1, height, width] in −1..1.
	EncoderInput string `json:"encoder_input"`
	// EncoderOutput is its latent, [batch, channels, 1, height/s, width/s].
	EncoderOutput string `json:"encoder_output"`
	// TransformerInput is the transformer input that takes the condition,
	// [batch, mask_channels + channels, frames, height, width]: mask
	// channels (1 on the first latent frame, 0 after), then the
	// normalised picture latent on the first frame and zeros after. Empty
	// means the condition is appended to hidden_states' channels instead,
	// as Wan's image-to-video models take it.
	TransformerInput string `json:"transformer_input,omitempty"`
	// MaskChannels is the number of mask channels (Wan: 4).
	MaskChannels int `json:"mask_channels"`
}

// Defaults are the model's settings.
type Defaults struct {
	Steps    int     `json:"steps"`
	Guidance float64 `json:"guidance"`
	// Shift is the flow-matching time shift (Wan 2.1 at 480p: 5).
	Shift float64 `json:"shift"`
	// FPS is the rate the model was trained at; clips are retimed from it
	// to the project's rate.
	FPS int `json:"fps"`
	// Frames is the clip length the model was trained at.
	Frames int `json:"frames"`
	// MaxFrames is the most frames the pack renders in one clip; 0 sets
	// no limit.
	MaxFrames int `json:"max_frames,omitempty"`
	// Width and Height are the native frame size.
	Width  int `json:"width"`
	Height int `json:"height"`
	// NegativePrompt is the unconditional prompt for guidance.
	NegativePrompt string `json:"negative_prompt,omitempty"`
}

// Latent describes the latent space.
type Latent struct {
	Channels int `json:"channels"`
	// TemporalCompression: 1 + t·(n−1) frames become n latent frames.
	TemporalCompression int `json:"temporal_compression"`
	// SpatialCompression: the latent is this many times smaller each way.
	SpatialCompression int `json:"spatial_compression"`
	// SizeMultiple is what frame sizes are rounded up to (the spatial
	// compression times the transformer's patch size); 0 means
	// SpatialCompression.
	SizeMultiple int `json:"size_multiple,omitempty"`
	// Mean and Std de-normalise the latent per channel before decoding:
	// x·std + mean.
	Mean []float64 `json:"mean"`
	Std  []float64 `json:"std"`
}

// Memory tunes the memory planner's estimate (see render/onnx).
type Memory struct {
	// ActivationFactor multiplies the latent's size to estimate the
	// transformer's working memory; 0 means the planner's default.
	ActivationFactor float64 `json:"activation_factor,omitempty"`
	// VAEActivationFactor multiplies one decoded chunk's size to estimate
	// the decoder's working memory; 0 means the planner's default.
	VAEActivationFactor float64 `json:"vae_activation_factor,omitempty"`
}

// ParseManifest reads and checks a manifest. name says where it came from,
// for errors: "wan/manifest.json". Every error names it and the field.
func ParseManifest(name string, data []byte) (*Manifest, error) {
	if len(data) > maxManifest {
		return nil, fmt.Errorf("%s: %d bytes, more than a manifest's %d", name, len(data), maxManifest)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonError(data, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: %s: more after the manifest's closing brace", name, jsonpos.At(data, dec.InputOffset()))
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &m, nil
}

// jsonError says what is wrong with the JSON and where.
func jsonError(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	pos, _ := jsonpos.Of(data, err)
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s: not valid JSON: %v", pos, syn)
	case errors.As(err, &typ):
		return fmt.Sprintf("%s: field %s: %s where a %s belongs", pos, typ.Field, typ.Value, typ.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the file ends before the manifest does"
	}
	// DisallowUnknownFields: `json: unknown field "x"`.
	return strings.TrimPrefix(err.Error(), "json: ")
}

var (
	nameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ValidName reports whether name can name a pack (and its folder).
func ValidName(name string) bool { return nameRE.MatchString(name) && !strings.Contains(name, "..") }

// Validate checks every field, returning the first problem, named by its
// field: "files[2].sha256: …".
func (m *Manifest) Validate() error {
	fail := func(field, format string, args ...any) error {
		return fmt.Errorf("field %s: %s", field, fmt.Sprintf(format, args...))
	}
	switch {
	case m.Format != Format:
		return fail("format", "%d; this Slate reads format %d (a newer Slate may read it)", m.Format, Format)
	case !ValidName(m.Name):
		return fail("name", "%q: use 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit", m.Name)
	case strings.TrimSpace(m.Family) == "":
		return fail("family", "missing; say which model family the pack holds, such as \"wan2.1-t2v\"")
	case strings.TrimSpace(m.Licence) == "":
		return fail("licence", "missing; say under which licence the models may be used")
	}
	if u, err := url.Parse(m.Source); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail("source", "%q: give the http or https address the models come from", m.Source)
	}
	if len(m.Files) == 0 {
		return fail("files", "empty; list every file of the pack with its sha256 and size")
	}
	seen := map[string]bool{}
	for i, f := range m.Files {
		field := fmt.Sprintf("files[%d]", i)
		if err := checkPath(f.Path); err != nil {
			return fail(field+".path", "%q: %v", f.Path, err)
		}
		if seen[f.Path] {
			return fail(field+".path", "%q is listed twice", f.Path)
		}
		seen[f.Path] = true
		if !sha256RE.MatchString(f.SHA256) {
			return fail(field+".sha256", "%q: want 64 lowercase hex digits", f.SHA256)
		}
		if f.Size < 0 {
			return fail(field+".size", "%d is negative", f.Size)
		}
	}
	file := func(field, p string) error {
		if p == "" {
			return fail(field, "missing")
		}
		if !seen[p] {
			return fail(field, "%q is not one of the files", p)
		}
		return nil
	}
	names := func(prefix string, fields map[string]string) error {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if strings.TrimSpace(fields[k]) == "" {
				return fail(prefix+"."+k, "missing; give the tensor's name as the model declares it")
			}
		}
		return nil
	}
	if err := file("tokenizer.file", m.Tokenizer.File); err != nil {
		return err
	}
	if m.Tokenizer.MaxLength < 1 || m.Tokenizer.MaxLength > 4096 {
		return fail("tokenizer.max_length", "%d: want 1 to 4096 tokens", m.Tokenizer.MaxLength)
	}
	if err := file("text_encoder.model", m.TextEncoder.Model); err != nil {
		return err
	}
	if err := names("text_encoder", map[string]string{"input_ids": m.TextEncoder.InputIDs, "output": m.TextEncoder.Output}); err != nil {
		return err
	}
	t := m.Transformer
	if err := file("transformer.model", t.Model); err != nil {
		return err
	}
	if err := names("transformer", map[string]string{"hidden_states": t.HiddenStates, "timestep": t.Timestep, "encoder_hidden_states": t.EncoderHiddenStates, "output": t.Output}); err != nil {
		return err
	}
	v := m.VAEDecoder
	if err := file("vae_decoder.model", v.Model); err != nil {
		return err
	}
	if err := names("vae_decoder", map[string]string{"latent": v.Latent, "output": v.Output}); err != nil {
		return err
	}
	if v.ChunkFrames < 0 || v.ChunkFrames > 1024 {
		return fail("vae_decoder.chunk_frames", "%d: want 1 to 1024, or 0 for the default", v.ChunkFrames)
	}
	if ic := m.ImageConditioning; ic != nil {
		if err := file("image_conditioning.encoder", ic.Encoder); err != nil {
			return err
		}
		if err := names("image_conditioning", map[string]string{"encoder_input": ic.EncoderInput, "encoder_output": ic.EncoderOutput}); err != nil {
			return err
		}
		if ic.MaskChannels < 0 || ic.MaskChannels > 64 {
			return fail("image_conditioning.mask_channels", "%d: want 0 to 64", ic.MaskChannels)
		}
	}
	d := m.Defaults
	switch {
	case d.Steps < 1 || d.Steps > 1000:
		return fail("defaults.steps", "%d: want 1 to 1000", d.Steps)
	case d.Guidance < 0 || d.Guidance > 100:
		return fail("defaults.guidance", "%g: want 0 to 100 (1 or less turns guidance off)", d.Guidance)
	case d.Shift <= 0 || d.Shift > 100:
		return fail("defaults.shift", "%g: want more than 0, at most 100", d.Shift)
	case d.FPS < 1 || d.FPS > 240:
		return fail("defaults.fps", "%d: want 1 to 240", d.FPS)
	case d.Frames < 1:
		return fail("defaults.frames", "%d: want 1 or more", d.Frames)
	case d.MaxFrames < 0:
		return fail("defaults.max_frames", "%d is negative (0 sets no limit)", d.MaxFrames)
	case d.MaxFrames > 0 && d.Frames > d.MaxFrames:
		return fail("defaults.frames", "%d is more than max_frames %d", d.Frames, d.MaxFrames)
	}
	l := m.Latent
	switch {
	case l.Channels < 1 || l.Channels > 1024:
		return fail("latent.channels", "%d: want 1 to 1024", l.Channels)
	case l.TemporalCompression < 1 || l.TemporalCompression > 64:
		return fail("latent.temporal_compression", "%d: want 1 to 64", l.TemporalCompression)
	case l.SpatialCompression < 1 || l.SpatialCompression > 64:
		return fail("latent.spatial_compression", "%d: want 1 to 64", l.SpatialCompression)
	case l.SizeMultiple < 0 || (l.SizeMultiple > 0 && l.SizeMultiple%l.SpatialCompression != 0):
		return fail("latent.size_multiple", "%d: want a multiple of spatial_compression %d, or 0", l.SizeMultiple, l.SpatialCompression)
	case len(l.Mean) != l.Channels:
		return fail("latent.mean", "%d values for %d channels", len(l.Mean), l.Channels)
	case len(l.Std) != l.Channels:
		return fail("latent.std", "%d values for %d channels", len(l.Std), l.Channels)
	}
	for i, s := range l.Std {
		if !(s > 0) {
			return fail(fmt.Sprintf("latent.std[%d]", i), "%g: want more than 0", s)
		}
	}
	if mult := m.SizeMultiple(); d.Width < mult || d.Height < mult || d.Width%mult != 0 || d.Height%mult != 0 {
		return fail("defaults.width", "%d×%d: want a size in multiples of %d", d.Width, d.Height, mult)
	}
	if m.Memory.ActivationFactor < 0 || m.Memory.VAEActivationFactor < 0 {
		return fail("memory", "factors must not be negative")
	}
	return nil
}

// SizeMultiple is what frame sizes are rounded up to.
func (m *Manifest) SizeMultiple() int {
	if m.Latent.SizeMultiple > 0 {
		return m.Latent.SizeMultiple
	}
	return m.Latent.SpatialCompression
}

// ChunkFrames is how many latent frames the decoder takes at a time.
func (m *Manifest) ChunkFrames() int {
	if m.VAEDecoder.ChunkFrames > 0 {
		return m.VAEDecoder.ChunkFrames
	}
	return 2
}

// File returns the entry for path.
func (m *Manifest) File(p string) (File, bool) {
	i := slices.IndexFunc(m.Files, func(f File) bool { return f.Path == p })
	if i < 0 {
		return File{}, false
	}
	return m.Files[i], true
}

// Size is the pack's size: every file's bytes.
func (m *Manifest) Size() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// checkPath refuses a file path that could reach outside the pack's
// folder, or that the folder could not hold on every system.
func checkPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty")
	case strings.Contains(p, `\`):
		return errors.New(`use forward slashes, not '\'`)
	case strings.HasPrefix(p, "/") || (len(p) > 1 && p[1] == ':'):
		return errors.New("must be relative to the pack's folder")
	case path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../") || p == "..":
		return errors.New("must be a plain relative path (no '..', '.', '//' or trailing '/')")
	case p == ManifestFile:
		return errors.New("the manifest does not list itself")
	}
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") {
			return fmt.Errorf("%q: no part of a path may start with '.'", part)
		}
		for _, r := range part {
			if r < 0x20 || r == 0x7f || strings.ContainsRune(`<>:"|?*`, r) {
				return fmt.Errorf("%q holds a character some systems cannot name a file with", part)
			}
		}
	}
	return nil
}

// FormatSize writes a pack's or a download's size as people read it:
// "30 kB", "5.7 GB".
func FormatSize(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}
