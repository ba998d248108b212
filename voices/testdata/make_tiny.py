#!/usr/bin/env python3
"""Writes tiny.onnx and tiny-duo.onnx, with their .onnx.json configs: random,
untrained models shaped like Piper voices, for Slate's tests.

They take what a Piper (VITS) voice takes, under the same names and ranks:

    input          int64   [batch, phonemes]   phoneme ids
    input_lengths  int64   [batch]             how many ids
    scales         float32 [3]                 noise_scale, length_scale, noise_w
    sid            int64   [batch]             speaker (tiny-duo only)

and give

    output         float32 [batch, 1, 1, time] audio at 22050 Hz

Each id becomes HOP samples (an embedding, a hidden layer and tanh), which
are then stretched to input_lengths * HOP * STRETCH * length_scale samples,
so the audio lasts about as long as real speech and follows length_scale.
Like a real voice, the model adds random noise scaled by noise_scale and
noise_w; with both 0 its output is the same on every run.

The weights come from a seeded generator, so running this again writes the
same files. It needs Debian's python3-onnx and python3-numpy:

    sudo apt-get install python3-onnx python3-numpy
    /usr/bin/python3 voices/testdata/make_tiny.py
"""

import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
RATE = 22050
HOP = 256
STRETCH = 3.5
EMBED, HIDDEN = 32, 64

# The symbols of Piper's espeak phoneme_id_map, in its order: pad, start and
# end of sentence, space, punctuation, then the letters and IPA symbols
# espeak-ng writes for English (and a few more), one code point each.
SYMBOLS = (
    ["_", "^", "$", " ", "!", "'", "(", ")", ",", "-", ".", ":", ";", "?"]
    + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    + list("æçðøħŋœǀǁǂǃɐɑɒɓɔɕɖɗɘəɚɛɜɝɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢʲˈˌːˑ˞βθχᵻⱱ")
    + ["\u0303", "\u0329", "\u032a", "\u032f", "\u0361", "\u2191", "\u2193", "\u2197", "\u2198"]
)


def config(name, speakers):
    return {
        "dataset": name,
        "audio": {"sample_rate": RATE, "quality": "x_low"},
        "espeak": {"voice": "en-us"},
        "language": {"code": "en_US", "family": "en", "region": "US"},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_map": {},
        "phoneme_id_map": {s: [i] for i, s in enumerate(SYMBOLS)},
        "num_symbols": len(SYMBOLS),
        "num_speakers": max(len(speakers), 1),
        "speaker_id_map": {s: i for i, s in enumerate(speakers)},
        "piper_version": "1.0.0",
    }


def model(speakers, seed):
    rng = np.random.default_rng(seed)

    def weight(name, *shape):
        w = rng.normal(0, 1 / np.sqrt(shape[0]), shape).astype(np.float32)
        return numpy_helper.from_array(w, name)

    def const(name, value, dtype):
        return numpy_helper.from_array(np.array(value, dtype=dtype), name)

    inits = [
        weight("embedding", len(SYMBOLS), EMBED),
        weight("w1", EMBED, HIDDEN),
        const("b1", rng.normal(0, 0.1, HIDDEN), np.float32),
        weight("w2", HIDDEN, HOP),
        const("i0", 0, np.int64),
        const("i1", 1, np.int64),
        const("i2", 2, np.int64),
        const("flat", [1, 1, 1, -1], np.int64),
        const("ones3", [1, 1, 1], np.int64),
        const("one_dim", [1], np.int64),
        const("samples_per_id", HOP * STRETCH, np.float32),
        const("noise_gain", 0.1, np.float32),
        const("noise_w_gain", 0.05, np.float32),
        const("half", 0.5, np.float32),
    ]
    nodes = [helper.make_node("Gather", ["embedding", "input"], ["emb"])]
    inputs = [
        helper.make_tensor_value_info("input", TensorProto.INT64, ["batch_size", "phonemes"]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, ["batch_size"]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
    ]
    x = "emb"
    if speakers:
        inits.append(weight("speaker_embedding", len(speakers), EMBED))
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, ["batch_size"]))
        nodes += [
            helper.make_node("Gather", ["speaker_embedding", "sid"], ["spk"]),  # [b, C]
            helper.make_node("Unsqueeze", ["spk", "i1_axes"], ["spk3"]),  # [b, 1, C]
            helper.make_node("Add", ["emb", "spk3"], ["emb_spk"]),
        ]
        inits.append(const("i1_axes", [1], np.int64))
        x = "emb_spk"
    nodes += [
        helper.make_node("MatMul", [x, "w1"], ["h0"]),
        helper.make_node("Add", ["h0", "b1"], ["h1"]),
        helper.make_node("Tanh", ["h1"], ["h"]),
        helper.make_node("MatMul", ["h", "w2"], ["f0"]),
        helper.make_node("Tanh", ["f0"], ["frames"]),  # [b, N, HOP]
        helper.make_node("Reshape", ["frames", "flat"], ["audio0"]),  # [1, 1, 1, N*HOP]
        # The noise a real voice samples, scaled by noise_scale and noise_w.
        helper.make_node("Gather", ["scales", "i0"], ["noise_scale"]),
        helper.make_node("Gather", ["scales", "i1"], ["length_scale"]),
        helper.make_node("Gather", ["scales", "i2"], ["noise_w"]),
        helper.make_node("Mul", ["noise_scale", "noise_gain"], ["n1"]),
        helper.make_node("Mul", ["noise_w", "noise_w_gain"], ["n2"]),
        helper.make_node("Add", ["n1", "n2"], ["noise_amount"]),
        helper.make_node("RandomNormalLike", ["audio0"], ["noise"]),
        helper.make_node("Mul", ["noise", "noise_amount"], ["noise_scaled"]),
        helper.make_node("Add", ["audio0", "noise_scaled"], ["audio1"]),
        # time = floor(input_lengths * HOP * STRETCH * length_scale)
        helper.make_node("Cast", ["input_lengths"], ["len_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["len_f", "samples_per_id"], ["t0"]),
        helper.make_node("Mul", ["t0", "length_scale"], ["t1"]),
        helper.make_node("Floor", ["t1"], ["t2"]),
        helper.make_node("Cast", ["t2"], ["t3"], to=TensorProto.INT64),
        # One utterance: a fixed [1], so the sizes' length is known.
        helper.make_node("Reshape", ["t3", "one_dim"], ["time"]),
        helper.make_node("Concat", ["ones3", "time"], ["sizes"], axis=0),
        helper.make_node("Resize", ["audio1", "", "", "sizes"], ["stretched"], mode="nearest"),
        helper.make_node("Mul", ["stretched", "half"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "slate_tiny_piper",
        inputs,
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", 1, 1, "time"])],
        initializer=inits,
    )
    m = helper.make_model(graph, producer_name="slate make_tiny.py", opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def write(name, speakers, seed):
    onnx.save(model(speakers, seed), os.path.join(HERE, name + ".onnx"))
    with open(os.path.join(HERE, name + ".onnx.json"), "w", encoding="utf-8") as f:
        json.dump(config(name, speakers), f, ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    write("tiny", [], 1)
    write("tiny-duo", ["alice", "bob"], 2)
