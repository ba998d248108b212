// Package audio is uncompressed sound in memory and in WAV files: [PCM]
// samples and their arithmetic (mixing, gain, levels, trimming silence),
// a lookahead [Limiter], band-limited resampling, and reading and writing
// WAV, whole or as a stream ([WAVWriter]).
//
// It is pure Go and runs no programs: decoding and encoding other formats
// is media's work, through ffmpeg, and media imports this package, never
// the other way round.
package audio
