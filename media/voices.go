package media

import (
	"context"
	"fmt"
	"strings"
)

// EspeakVariants lists espeak-ng's voice variants ("espeak-ng
// --voices=variant"), which change how any of its voices sounds: a
// voice and a variant are spoken as "en-gb+f3". Each Variant's Language is
// what follows the "+" ("f3", "Alex"); a variant whose name SpeakOptions
// would refuse is left out.
func (t Tools) EspeakVariants(ctx context.Context) ([]Voice, error) {
	out, err := t.output(ctx, ToolEspeak, "--voices=variant")
	if err != nil {
		return nil, fmt.Errorf("espeak-ng voice variants: %w", err)
	}
	return parseVariants(out)
}

func parseVariants(out []byte) ([]Voice, error) {
	all, err := ParseVoices(out)
	if err != nil {
		return nil, fmt.Errorf("espeak-ng voice variants: %w", err)
	}
	var variants []Voice
	for _, v := range all {
		id, ok := strings.CutPrefix(v.Identifier, "!v/")
		if !ok || !validVoice(id) {
			continue
		}
		v.Language = id
		variants = append(variants, v)
	}
	return variants, nil
}
