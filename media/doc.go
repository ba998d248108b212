// Package media is the one place in Slate that runs ffmpeg, ffprobe and
// espeak-ng. It probes, encodes and decodes video, decodes audio into
// [audio.PCM] samples, speaks text and measures loudness, and it enforces
// Slate's limits on media inputs (frame size, duration, and file and pipe
// protocols only). The samples themselves, and WAV files, are package
// media/audio's, which runs no programs.
//
// Everything hangs off a [Tools] value that names the programs to run, so
// tests and callers choose the programs and nothing is global. The package
// knows nothing of shots, projects or GUIs.
//
// espeak-ng is a GPL program: Slate only ever runs it as a subprocess and
// never links it.
package media
