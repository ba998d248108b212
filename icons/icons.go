// Package icons holds Slate's icons, embedded in the binary.
//
// slate.png is rendered from slate.svg (see the comment in that file); change
// the SVG and render it again rather than editing the PNG.
package icons

import _ "embed"

// AppPNG is the application icon: a 512×512 PNG of a film clapperboard. The
// studio wraps it in a fyne.StaticResource for the app and window icon.
//
//go:embed slate.png
var AppPNG []byte
