package onnx

import (
	"errors"
	"fmt"
	"strings"

	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
)

// The environment variables a person chooses the pack and the provider
// with.
const (
	PackEnv     = "SLATE_MODEL_PACK"
	ProviderEnv = "SLATE_ORT_PROVIDER"
)

// Choice is what a person chose for the on-device backend; an empty field
// leaves that choice to Resolve.
type Choice struct {
	// Pack is the installed pack to render with.
	Pack string
	// Provider overrides the pack's execution provider: "auto" (the best
	// available), "CPU", "CUDA", "CoreML" or "DirectML".
	Provider string
}

// ChoiceFromEnv reads the choice from SLATE_MODEL_PACK and
// SLATE_ORT_PROVIDER.
func ChoiceFromEnv(getenv func(string) string) Choice {
	return Choice{Pack: getenv(PackEnv), Provider: getenv(ProviderEnv)}
}

// Resolution is the pack and execution provider the on-device backend
// renders with.
type Resolution struct {
	// Pack is the installed pack it renders with.
	Pack *pack.Pack
	// Provider is the execution provider, named as the library names it.
	Provider string
	// Why says what chose Provider, for people: "chosen by
	// SLATE_ORT_PROVIDER", "chosen by the pack's manifest", or that it is
	// the best the library offers.
	Why string
}

// Resolve decides which installed pack in store the on-device backend
// renders with and on which execution provider: the pack c names, or the
// only one installed; the provider c names, else the one the pack's
// manifest names, else the best the library offers. providers lists what
// the library offers, best first (ml.Runtime.Providers); it is called
// only once the pack is known, so a missing pack is reported before a
// missing ONNX Runtime.
//
// It is the one place this is decided: the backend (OpenInstalled), slate
// doctor and the studio's Models window all call it, so what they report
// is what renders use. Every failure says what to install or choose; none
// installed wraps ErrNoPack.
func Resolve(store *pack.Store, c Choice, providers func() ([]string, error)) (Resolution, error) {
	p, err := installed(store, c.Pack)
	if err != nil {
		return Resolution{}, err
	}
	offered, err := providers()
	if err != nil {
		return Resolution{}, err
	}
	provider, why, err := chooseProvider(offered, p.Manifest, c.Provider)
	if err != nil {
		return Resolution{}, err
	}
	return Resolution{Pack: p, Provider: provider, Why: why}, nil
}

// installed opens the installed pack called name, or the only installed
// pack when name is empty.
func installed(store *pack.Store, name string) (*pack.Pack, error) {
	if name == "" {
		names, err := store.Names()
		if err != nil {
			return nil, err
		}
		switch len(names) {
		case 0:
			return nil, fmt.Errorf("%w in %s: install one with `slate models install PATH|URL`", ErrNoPack, store.Dir())
		case 1:
			name = names[0]
		default:
			return nil, fmt.Errorf("%d model packs are installed (%v): choose one with %s", len(names), names, PackEnv)
		}
	}
	return store.Open(name)
}

// chooseProvider picks the provider for a pack with manifest m among
// those offered, best first: override (a person's choice), else the
// manifest's, else the best. It says why, and a refusal names who asked
// and what to do.
func chooseProvider(offered []string, m *pack.Manifest, override string) (provider, why string, err error) {
	want, by, fix, pick := override, ProviderEnv, "change it", "choose one of"
	if want == "" {
		want, by = m.Provider, "model pack "+m.Name+"'s manifest"
		fix, pick = "set "+ProviderEnv+" to one it has", "set "+ProviderEnv+" to one of"
	}
	provider, err = ml.ChooseProvider(offered, want)
	var pe *ml.ProviderError
	switch {
	case errors.As(err, &pe) && pe.Known != "":
		return "", "", fmt.Errorf("%s asks for the %s provider, which this ONNX Runtime does not offer (it has %s): %s, or install an ONNX Runtime built with %s",
			by, pe.Known, strings.Join(pe.Offered, ", "), fix, pe.Known)
	case errors.As(err, &pe):
		return "", "", fmt.Errorf("%s: execution provider %q is unknown; %s %s, or auto", by, pe.Want, pick, strings.Join(pe.Offered, ", "))
	case err != nil:
		return "", "", err
	case want == "" || strings.EqualFold(want, ml.Auto):
		return provider, "the best this ONNX Runtime offers; " + ProviderEnv + "=CPU overrides", nil
	}
	if by == ProviderEnv {
		return provider, "chosen by " + ProviderEnv, nil
	}
	return provider, "chosen by the pack's manifest", nil
}
