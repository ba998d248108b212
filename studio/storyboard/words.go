package storyboard

import "github.com/slatestudio/slate/timeline"

// backendLabel names a backend as a filmmaker knows it: the animatic is
// drawn storyboard cards, the on-device backend renders with model packs.
// The inspector offers these; the project keeps the backend's own name.
func backendLabel(name string) string {
	switch name {
	case "animatic":
		return "Animatic (storyboard cards)"
	case "onnx":
		return "On-device models"
	}
	if server, model, ok := timeline.RemoteServer(name); ok {
		return model + " on " + server
	}
	return name
}

// backendChoices are the inspector's choices of what renders a shot: the
// project's default first, then each backend by its label.
func backendChoices(defaultBackend string, backends []string) []string {
	out := []string{"Project default: " + backendLabel(defaultBackend)}
	for _, b := range backends {
		out = append(out, backendLabel(b))
	}
	return out
}

// backendNamed is the backend a choice of backendChoices names; "" for
// the project's default.
func backendNamed(choice string, backends []string) string {
	for _, b := range backends {
		if backendLabel(b) == choice {
			return b
		}
	}
	return ""
}
