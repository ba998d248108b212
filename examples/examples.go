// Package examples holds Slate's example storyboards, embedded so the
// studio can open the demo on first launch from any folder.
package examples

import _ "embed"

// Demo is examples/demo.slate, "Last Light": five shots with dialogue,
// sound cues and transitions. Decode it with timeline.Decode.
//
//go:embed demo.slate
var Demo []byte
