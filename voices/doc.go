// Package voices speaks dialogue: in a Piper neural voice when a line asks
// for one ("piper:en_US-lessac-medium"), with espeak-ng otherwise.
//
// A Piper voice is a pair of files: NAME.onnx, a VITS model, and
// NAME.onnx.json, its configuration (sample rate, espeak-ng voice,
// inference scales, the phoneme-to-id table, speakers). Voices are
// installed in the data folder's voices/ and in the folders listed in
// $SLATE_VOICES. Speaking a line takes three steps, the ones Piper itself
// takes: espeak-ng writes the text's phonemes in IPA (through media, the
// one package that runs it), the voice's table turns them into ids, and
// the model, run on ONNX Runtime through ml, turns the ids into audio.
//
// Speaker puts the two kinds of voice behind one Speak call, which is what
// render's Soundtrack consumes.
package voices
