package media

import (
	"slices"
	"testing"
)

// The character editor offers espeak-ng's variants as espeak-ng lists
// them, each one a voice Speak accepts after a language.
func TestEspeakVariants(t *testing.T) {
	tools := needTools(t, ToolEspeak)
	variants, err := tools.EspeakVariants(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range variants {
		ids = append(ids, v.Language)
	}
	for _, want := range []string{"m3", "f3", "Alex"} {
		if !slices.Contains(ids, want) {
			t.Errorf("variants lack %s: %v", want, ids)
		}
	}
	if _, err := tools.Speak(testCtx(t), "Hello.", SpeakOptions{Voice: "en-gb+" + variants[0].Language}); err != nil {
		t.Errorf("speak with variant %s: %v", variants[0].Language, err)
	}
}

func TestParseVariants(t *testing.T) {
	out := []byte(`Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  variant         --/F      Alicia             !v/Alicia
 5  variant         --/F      Odd                !v/../x
 5  variant         --/M      Gmw                gmw/en
`)
	got, err := parseVariants(out)
	if err != nil || len(got) != 1 || got[0] != (Voice{Language: "Alicia", Name: "Alicia", Identifier: "!v/Alicia", Gender: "female"}) {
		t.Errorf("variants = %+v, %v", got, err)
	}
}
