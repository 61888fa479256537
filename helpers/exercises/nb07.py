"""Exercises of notebook 07 (a CNN on Fashion-MNIST): shapes and parameter counts of a conv/pool stack."""

from __future__ import annotations

import functools as _functools
from typing import Any

import keras
import numpy as np

from .. import reference
from ..profile import get_profile as _get_profile
from .building import Code
from .building import call as _call
from .building import expect_model as _expect_model
from .building import input_shape as _input_shape
from .building import reach as _reach
from .framework import Number, Shape, Wrong, batch_axes, code_of
from .framework import output as _output


def _pool(n: int) -> int:
    """Side after MaxPooling2D(2): floor(n / 2)."""
    return n // 2


# --------------------------------------------------------------------------- q1: flatten size

_Q1_SIDES = [32]
for _step in ("conv", "pool", "conv", "pool"):
    _Q1_SIDES.append(reference.output_size(_Q1_SIDES[-1], 3) if _step == "conv" else _pool(_Q1_SIDES[-1]))
Q1_SIDES = tuple(_Q1_SIDES)  # (32, 30, 15, 13, 6)
Q1_EXPECTED = Q1_SIDES[-1] ** 2 * 64  # 6 * 6 * 64 = 2304


q1 = Number(
    Q1_EXPECTED,
    title="flatten size of a conv/pool stack",
    what="The flatten size",
    example="1600",
    whole=True,
    why="It counts values.",
    praise="32 -> 30 -> 15 -> 13 -> 6, and 6 * 6 * 64 = 2,304 values.",
    mistakes=[
        (
            36,
            "36: that is one channel only. The last Conv2D has 64 filters, and Flatten lays out all 64 maps "
            "of 6 x 6 one after the other: multiply by 64.",
        ),
        (
            8 * 8 * 64,
            "4,096: that is what padding='same' gives (32 -> 32 -> 16 -> 16 -> 8). These Conv2D layers "
            "use the default padding='valid': a 3 x 3 kernel cuts one pixel off each border, so each "
            "convolution takes 2 off the side.",
        ),
        (
            7 * 7 * 64,
            "3,136: you rounded 13 / 2 up to 7. MaxPooling2D(2) drops an odd last row and column: 13 "
            "pooled gives floor(13 / 2) = 6.",
        ),
        (
            6 * 6 * 32,
            "1,152: 32 is the number of filters of the first Conv2D. Flatten sees the output of the "
            "second one, which has 64 channels.",
        ),
        (
            6 * 6 * 64 * 3,
            "6,912: the 3 colour channels of the input do not survive the first Conv2D: each "
            "filter sums over all input channels and gives one map, so only the last layer's 64 "
            "channels count.",
        ),
        (
            5 * 5 * 64,
            "1,600 is the flatten size of the notebook's 28 x 28 model. This input is 32 x 32: follow "
            "the sides 32 -> 30 -> 15 -> 13 -> 6.",
        ),
        (13 * 13 * 64, "10,816: you stopped before the last MaxPooling2D: the 13 x 13 maps are pooled once more."),
        (
            28 * 28 * 64,
            "50,176: without the pooling layers the sides would go 32 -> 30 -> 28; each "
            "MaxPooling2D(2) halves the side.",
        ),
        (
            6 * 6 * (32 + 64),
            "3,456: Flatten only sees the last layer's output: 6 x 6 x 64. The first layer's "
            "32 maps are not passed along beside it.",
        ),
    ],
    otherwise="Follow one side: a 3 x 3 'valid' convolution gives n - 2, MaxPooling2D(2) gives floor(n / 2); "
    "then multiply side x side x channels.",
    hint=(
        "Follow the side of the square maps: a 3 x 3 'valid' convolution takes 2 off "
        "($n - 3 + 1$), MaxPooling2D(2) halves and rounds down. At the end multiply "
        "height x width x the number of channels of the last Conv2D."
    ),
    solution=(
        "Sides: $32 \\to 30 \\to 15 \\to 13 \\to \\lfloor 13/2 \\rfloor = 6$; the last "
        "Conv2D has 64 channels, so Flatten gives $6 \\cdot 6 \\cdot 64 = 2304$ values. "
        "Check it: build the model from `keras.Input((32, 32, 3))` and read "
        "`model.layers[-1].output.shape`."
    ),
)


# --------------------------------------------------------------------------- q2: parameters of a Conv2D

Q2_K, Q2_C_IN, Q2_C_OUT = 3, 32, 64
Q2_EXPECTED = reference.conv_params(Q2_K, Q2_K, Q2_C_IN, Q2_C_OUT)  # (3*3*32 + 1) * 64 = 18,496


q2 = Number(
    Q2_EXPECTED,
    title="parameters of the second Conv2D",
    what="The parameter count",
    example="1600",
    whole=True,
    why="It counts weights.",
    praise="(3 * 3 * 32 + 1) * 64 = 18,496: 18,432 weights and 64 biases.",
    mistakes=[
        (18_432, "18,432: those are the weights only. Every filter also has one bias: add 64."),
        (
            640,
            "640: each filter spans all 32 channels of its input (the maps of the first Conv2D), so it has "
            "3 * 3 * 32 weights, not 3 * 3.",
        ),
        (576, "576: each filter spans all 32 input channels, and it has a bias too: (3 * 3 * 32 + 1) * 64."),
        (
            1_792,
            "1,792: 3 is the number of channels of the image, but this layer's input is the output of the "
            "first Conv2D, which has 32 channels.",
        ),
        (18_464, "18,464: there is one bias per filter (per output channel, 64), not one per input channel."),
        (289, "289: that is one filter. The layer has 64 of them."),
        (9_248, "9,248: the layer has 64 filters (c_out = 64); 32 is its number of input channels."),
        (
            896,
            "896: that is the first Conv2D (32 filters over the 3 colour channels). The question asks about "
            "the second one: 64 filters over 32 input channels.",
        ),
        (
            Q2_EXPECTED * 15 * 15,
            "4,161,600 is far too many. The count does not depend on the size of the maps "
            "(15 x 15): the same weights slide over every position.",
        ),
    ],
    otherwise="Use (k * k * c_in + 1) * c_out with k = 3, c_in = 32, c_out = 64.",
    hint=(
        "A filter has a $3 \\times 3$ window in each of its input channels, plus one bias. How many "
        "input channels does this layer see, and how many filters does it have? The 15 x 15 "
        "does not matter."
    ),
    solution=(
        "$(k \\cdot k \\cdot c_\\text{in} + 1)\\,c_\\text{out} = (3 \\cdot 3 \\cdot 32 + 1) \\cdot 64 "
        "= 18{,}496$. In code: `layer = keras.layers.Conv2D(64, 3)`, "
        "`layer(keras.Input((15, 15, 32)))`, then `layer.count_params()`."
    ),
)


# --------------------------------------------------------------------------- q3: output shape

Q3_EXPECTED = (None, reference.output_size(_pool(64), 3), reference.output_size(_pool(64), 3), 32)  # 30


def _explain_q3(shape: tuple) -> None:
    batch_axes(shape, Q3_EXPECTED)
    if len(shape) == 4 and shape[3] != 32:
        raise Wrong(f"{shape[3]} channels is not right: a Conv2D outputs one channel per filter.")


q3 = Shape(
    Q3_EXPECTED,
    title="output shape with 'same' and 'valid' padding",
    axes=("batch", "height", "width", "channels"),
    praise="64 -> 64 ('same') -> 32 (pooling) -> 30 ('valid'): (None, 30, 30, 32).",
    mistakes=[
        (
            (None, 30, 30, 16),
            "16 is the number of filters of the first Conv2D; the shape after the last layer "
            "has the last Conv2D's 32 channels.",
        ),
        (
            (None, 30, 30, 3),
            "the 3 colour channels are used up by the first Conv2D; the last Conv2D outputs one map per filter: 32.",
        ),
        (
            (None, 32, 32, 32),
            "a side of 32: the last Conv2D has no padding argument, so it uses the default "
            "'valid': 32 - 3 + 1 = 30. Only the first layer pads.",
        ),
        (
            (None, 29, 29, 32),
            "a side of 29: you treated the first Conv2D as 'valid' (64 -> 62 -> 31 -> 29). "
            "With padding='same' it keeps 64 x 64.",
        ),
        (
            (None, 31, 31, 32),
            "a side of 31: either the last Conv2D took only 1 off (a 3 x 3 'valid' convolution "
            "takes 2: n - 3 + 1), or you pooled a 62 x 62 map and stopped there: padding='same' "
            "keeps the first Conv2D at 64 x 64, and the last Conv2D still follows the pooling.",
        ),
        (
            (None, 62, 62, 32),
            "a side of 62: you left out the MaxPooling2D(2): it halves 64 to 32 before the last Conv2D.",
        ),
        (
            (None, 16, 16, 32),
            "a side of 16: the pooling halves the side only once (64 -> 32), and the last Conv2D takes 2 off: 30.",
        ),
    ],
    explain=_explain_q3,
    otherwise="Follow the side: 'same' keeps the size, MaxPooling2D(2) halves it, a 3 x 3 'valid' "
    "convolution takes 2 off.",
    hint=(
        "'same' padding keeps height and width (with stride 1); MaxPooling2D(2) halves them; "
        "a Conv2D without a padding argument uses 'valid' and takes $k - 1$ off. The channels "
        "are the last Conv2D's filters; the batch axis is None."
    ),
    solution=(
        "$64 \\to 64$ ('same') $\\to 32$ (pooling) $\\to 32 - 3 + 1 = 30$ ('valid'), with "
        "32 channels: `(None, 30, 30, 32)`. Check it: build `model = keras.Sequential([keras.Input((64, 64, 3)), "
        "keras.layers.Conv2D(16, 3, padding='same'), keras.layers.MaxPooling2D(2), "
        "keras.layers.Conv2D(32, 3)])` and read `model.layers[-1].output.shape`."
    ),
)

# ===================================================================== code exercises
# q4: a CNN with a given shape chain and parameter count (the learner writes build_small_cnn()).
# q5: a "reach X" task: train_clothes(x, y) trains a CNN on a fixed subset; the checker times
#     it and measures the model on held-out training images the function never sees.


# The chain of output shapes, one per layer that changes the shape, and the parameter count.
Q4_CHAIN = [
    (None, 28, 28, 16),
    (None, 14, 14, 16),
    (None, 12, 12, 32),
    (None, 6, 6, 32),
    (None, 4, 4, 64),
    (None, 64),
    (None, 10),
]
Q4_PARAMS = (3 * 3 * 1 + 1) * 16 + (3 * 3 * 16 + 1) * 32 + (3 * 3 * 32 + 1) * 64 + (64 + 1) * 10  # 23,946


def _q4_chain(model) -> list[tuple[str, tuple]]:
    """(layer name, output shape) of each layer whose output shape differs from its input shape."""
    chain = []
    for position, layer in enumerate(model.layers, start=1):
        shape_in, shape_out = tuple(layer.input.shape), tuple(layer.output.shape)
        if shape_in != shape_out:
            chain.append((f"layer {position} ({type(layer).__name__})", shape_out))
    return chain


def _q4_why(step: int, got: tuple, expected: tuple) -> str:
    """What most likely makes step ``step`` of the chain differ."""
    if len(got) == 2 and len(expected) == 4:
        return "the chain still has maps here; flatten only at the end."
    if len(got) == 2 and len(expected) == 2 and step == 5:
        return (
            f"Flatten lays the 4 x 4 x 64 maps out in {4 * 4 * 64:,} values; global average pooling "
            f"(keras.layers.GlobalAveragePooling2D) keeps one mean per channel: 64."
        )
    if len(got) == 4 and len(expected) == 4:
        if got[3] != expected[3]:
            return f"this layer gives {got[3]} channels where the chain has {expected[3]}: check its number of filters."
        if step == 0 and got[1] == 26:
            return 'the first convolution keeps the side 28: give it padding="same".'
        if step > 0 and got[1] == Q4_CHAIN[step - 1][1]:
            return 'this convolution should shrink the side by 2: keep the default padding "valid".'
        return "check the kernel size, the padding and the pooling size of this layer."
    return "compare the layers with the list in the task."


def _check_q4(answer: Any) -> str:
    model = _expect_model(_call(answer, what="build_small_cnn()"), "build_small_cnn()")
    shape = _input_shape(model, "keras.Input((28, 28, 1))")
    if shape != (None, 28, 28, 1):
        raise Wrong(f"the model takes {shape}; the images are (None, 28, 28, 1): keras.Input((28, 28, 1)).")
    chain = _q4_chain(model)
    for step, expected in enumerate(Q4_CHAIN):
        if step >= len(chain):
            raise Wrong(f"the chain stops after {len(chain)} shape changes; it needs {len(Q4_CHAIN)}, next {expected}.")
        name, got = chain[step]
        if got != expected:
            before = Q4_CHAIN[step - 1] if step else (None, 28, 28, 1)
            raise Wrong(
                f"step {step + 1} of the chain, {name}, turns {before} into {got}, but the chain has "
                f"{expected}: {_q4_why(step, got, expected)}"
            )
    if len(chain) > len(Q4_CHAIN):
        raise Wrong(
            f"after {Q4_CHAIN[-1]} the model still has {chain[len(Q4_CHAIN)][0]}; the output layer "
            f"Dense(10, softmax) is the last."
        )
    if model.count_params() != Q4_PARAMS:
        counts = ", ".join(
            f"{type(layer).__name__} {layer.count_params():,}" for layer in model.layers if layer.count_params()
        )
        fix = (
            "keep the biases (use_bias=True, the default)"
            if model.count_params() < Q4_PARAMS
            else "add no layer with weights beyond the three Conv2D and the output Dense(10)"
        )
        raise Wrong(
            f"the shapes are right, but the model has {model.count_params():,} parameters instead of "
            f"{Q4_PARAMS:,} ({counts}): {fix}."
        )
    scores = _output(model, np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32"), training=False)
    if not np.allclose(scores.sum(axis=1), 1, atol=1e-4) or (scores < 0).any():
        raise Wrong(
            "the shapes and the parameters are right, but the outputs are not probabilities: give the "
            'last Dense layer activation="softmax".'
        )
    return (
        f"{Q4_PARAMS:,} parameters: 160 + 4,640 + 18,496 in the convolutions and 650 in the output layer; "
        f"the global pooling layer has none, where Flatten would have fed 1,024 values to the dense layer."
    )


# fmt: off
def _q4_solution():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),  # (28, 28, 16): 160
        keras.layers.MaxPooling2D(2),                                   # (14, 14, 16)
        keras.layers.Conv2D(32, 3, activation="relu"),                  # (12, 12, 32): 4,640
        keras.layers.MaxPooling2D(2),                                   # (6, 6, 32)
        keras.layers.Conv2D(64, 3, activation="relu"),                  # (4, 4, 64): 18,496
        keras.layers.GlobalAveragePooling2D(),                          # (64,)
        keras.layers.Dense(10, activation="softmax"),                   # (10,): 650
    ])
# fmt: on


q4 = Code(
    _check_q4,
    answer=_q4_solution,
    stub="build_small_cnn",
    title="a CNN with a given shape chain",
    hint="Three Conv2D layers with 3 x 3 kernels (16, 32 and 64 filters, ReLU); only the first keeps the "
    'side, with padding="same". Two MaxPooling2D(2) between them. From (4, 4, 64) to (64,) is '
    'GlobalAveragePooling2D, one mean per channel. Then Dense(10, activation="softmax").',
    solution=code_of(_q4_solution, "build_small_cnn"),
)

# ---------------------------------------------------------------------------------------- q5

_PROFILE = _get_profile()
Q5_TRAIN_IMAGES = _PROFILE.pick(full=10_000, fast=2_000)  # the first images of the training set
Q5_HELD_OUT = _PROFILE.pick(full=2_000, fast=1_000)  # the last images of the training set
Q5_TARGET = _PROFILE.pick(full=0.85, fast=0.75)  # accuracy on the held-out images
Q5_SECONDS = _PROFILE.pick(full=120, fast=240)  # building and training (the solution: 71 s on a loaded 2-core CPU)


@_functools.lru_cache(maxsize=1)
def _q5_data():
    from ..data import load_fashion_mnist

    (x, y), _ = load_fashion_mnist()  # the test set stays for the end

    def prepare(images):
        return (images[..., np.newaxis] / 255.0).astype("float32")

    return prepare(x[:Q5_TRAIN_IMAGES]), y[:Q5_TRAIN_IMAGES], prepare(x[-Q5_HELD_OUT:]), y[-Q5_HELD_OUT:]


def _check_q5(answer: Any) -> str:
    return _reach(answer, signature="train_clothes(x, y)", data=_q5_data, target=Q5_TARGET, seconds=Q5_SECONDS)


# fmt: off
def _q5_solution(x, y):
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=6, batch_size=64, verbose=0)
    return model
# fmt: on


q5 = Code(
    _check_q5,
    answer=_q5_solution,
    stub="train_clothes",
    title="reach X with a CNN on Fashion-MNIST",
    hint="The CNN of section 2 made smaller is enough: two blocks of Conv2D + MaxPooling2D, Flatten, a "
    "small Dense layer and Dense(10, softmax). Compile with Adam and "
    "'sparse_categorical_crossentropy' (the labels are integers), fit for a few epochs with "
    "verbose=0 and return the model.",
    solution=code_of(_q5_solution, "train_clothes"),
)
