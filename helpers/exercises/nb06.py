"""Exercises of notebook 06 (a CNN on Fashion-MNIST): shapes and parameter counts of a conv/pool stack."""

from __future__ import annotations

import numpy as np

from .. import reference
from .framework import Number, Shape, Wrong, batch_axes


def _pool(n: int) -> int:
    """Side after MaxPooling2D(2): floor(n / 2)."""
    return n // 2


# --------------------------------------------------------------------------- q1: flatten size

Q1_INPUT = (32, 32, 3)
Q1_LAYERS = "Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten()"
_Q1_SIDES = [32]
for _step in ("conv", "pool", "conv", "pool"):
    _Q1_SIDES.append(reference.output_size(_Q1_SIDES[-1], 3) if _step == "conv" else _pool(_Q1_SIDES[-1]))
Q1_SIDES = tuple(_Q1_SIDES)  # (32, 30, 15, 13, 6)
Q1_EXPECTED = Q1_SIDES[-1] ** 2 * 64  # 6 * 6 * 64 = 2304


q1 = Number(
    Q1_EXPECTED,
    title="flatten size of a conv/pool stack", what="The flatten size", example="1600", whole=True,
    why="It counts values.",
    praise="32 -> 30 -> 15 -> 13 -> 6, and 6 * 6 * 64 = 2,304 values.",
    mistakes=[
        (36, "36: that is one channel only. The last Conv2D has 64 filters, and Flatten lays out all 64 maps "
             "of 6 x 6 one after the other: multiply by 64."),
        (8 * 8 * 64, "4,096: that is what padding='same' gives (32 -> 32 -> 16 -> 16 -> 8). These Conv2D layers "
                     "use the default padding='valid': a 3 x 3 kernel cuts one pixel off each border, so each "
                     "convolution takes 2 off the side."),
        (7 * 7 * 64, "3,136: you rounded 13 / 2 up to 7. MaxPooling2D(2) drops an odd last row and column: 13 "
                     "pooled gives floor(13 / 2) = 6."),
        (6 * 6 * 32, "1,152: 32 is the number of filters of the first Conv2D. Flatten sees the output of the "
                     "second one, which has 64 channels."),
        (6 * 6 * 64 * 3, "6,912: the 3 colour channels of the input do not survive the first Conv2D: each "
                         "filter sums over all input channels and gives one map, so only the last layer's 64 "
                         "channels count."),
        (5 * 5 * 64, "1,600 is the flatten size of the notebook's 28 x 28 model. This input is 32 x 32: follow "
                     "the sides 32 -> 30 -> 15 -> 13 -> 6."),
        (13 * 13 * 64, "10,816: you stopped before the last MaxPooling2D: the 13 x 13 maps are pooled once more."),
        (28 * 28 * 64, "50,176: without the pooling layers the sides would go 32 -> 30 -> 28; each "
                       "MaxPooling2D(2) halves the side."),
        (6 * 6 * (32 + 64), "3,456: Flatten only sees the last layer's output: 6 x 6 x 64. The first layer's "
                            "32 maps are not passed along beside it."),
    ],
    otherwise="Follow one side: a 3 x 3 'valid' convolution gives n - 2, MaxPooling2D(2) gives floor(n / 2); "
              "then multiply side x side x channels.",
    hint=("Follow the side of the square maps: a 3 x 3 'valid' convolution takes 2 off "
          "($n - 3 + 1$), MaxPooling2D(2) halves and rounds down. At the end multiply "
          "height x width x the number of channels of the last Conv2D."),
    solution=("Sides: $32 \\to 30 \\to 15 \\to 13 \\to \\lfloor 13/2 \\rfloor = 6$; the last "
              "Conv2D has 64 channels, so Flatten gives $6 \\cdot 6 \\cdot 64 = 2304$ values. "
              "Check it: build the model from `keras.Input((32, 32, 3))` and read "
              "`model.layers[-1].output.shape`."),
    right=[2304.0, np.int64(2304)],
    wrong=[2305, "2304", 2304.5, None],
)


# --------------------------------------------------------------------------- q2: parameters of a Conv2D

Q2_K, Q2_C_IN, Q2_C_OUT = 3, 32, 64
Q2_EXPECTED = reference.conv_params(Q2_K, Q2_K, Q2_C_IN, Q2_C_OUT)  # (3*3*32 + 1) * 64 = 18,496


q2 = Number(
    Q2_EXPECTED,
    title="parameters of the second Conv2D", what="The parameter count", example="1600", whole=True,
    why="It counts weights.",
    praise="(3 * 3 * 32 + 1) * 64 = 18,496: 18,432 weights and 64 biases.",
    mistakes=[
        (18_432, "18,432: those are the weights only. Every filter also has one bias: add 64."),
        (640, "640: each filter spans all 32 channels of its input (the maps of the first Conv2D), so it has "
              "3 * 3 * 32 weights, not 3 * 3."),
        (576, "576: each filter spans all 32 input channels, and it has a bias too: (3 * 3 * 32 + 1) * 64."),
        (1_792, "1,792: 3 is the number of channels of the image, but this layer's input is the output of the "
                "first Conv2D, which has 32 channels."),
        (18_464, "18,464: there is one bias per filter (per output channel, 64), not one per input channel."),
        (289, "289: that is one filter. The layer has 64 of them."),
        (9_248, "9,248: the layer has 64 filters (c_out = 64); 32 is its number of input channels."),
        (896, "896: that is the first Conv2D (32 filters over the 3 colour channels). The question asks about "
              "the second one: 64 filters over 32 input channels."),
        (Q2_EXPECTED * 15 * 15, "4,161,600 is far too many. The count does not depend on the size of the maps "
                                "(15 x 15): the same weights slide over every position."),
    ],
    otherwise="Use (k * k * c_in + 1) * c_out with k = 3, c_in = 32, c_out = 64.",
    hint=("A filter has a $3 \\times 3$ window in each of its input channels, plus one bias. How many "
          "input channels does this layer see, and how many filters does it have? The 15 x 15 "
          "does not matter."),
    solution=("$(k \\cdot k \\cdot c_\\text{in} + 1)\\,c_\\text{out} = (3 \\cdot 3 \\cdot 32 + 1) \\cdot 64 "
              "= 18{,}496$. In code: `layer = keras.layers.Conv2D(64, 3)`, "
              "`layer(keras.Input((15, 15, 32)))`, then `layer.count_params()`."),
    right=[18496.0, np.int64(18496)],
    wrong=[18497, "18,496", None],
)


# --------------------------------------------------------------------------- q3: output shape

Q3_INPUT = (None, 64, 64, 3)
Q3_LAYERS = "Conv2D(16, 3, padding='same') -> MaxPooling2D(2) -> Conv2D(32, 3)"
Q3_EXPECTED = (None, reference.output_size(_pool(64), 3), reference.output_size(_pool(64), 3), 32)  # 30



def _explain_q3(shape: tuple) -> None:
    batch_axes(shape, Q3_EXPECTED)
    if len(shape) == 4 and shape[3] != 32:
        raise Wrong(f"{shape[3]} channels is not right: a Conv2D outputs one channel per filter.")


q3 = Shape(
    Q3_EXPECTED,
    title="output shape with 'same' and 'valid' padding", axes=("batch", "height", "width", "channels"),
    praise="64 -> 64 ('same') -> 32 (pooling) -> 30 ('valid'): (None, 30, 30, 32).",
    mistakes=[
        ((None, 30, 30, 16), "16 is the number of filters of the first Conv2D; the shape after the last layer "
                             "has the last Conv2D's 32 channels."),
        ((None, 30, 30, 3), "the 3 colour channels are used up by the first Conv2D; the last Conv2D outputs one "
                            "map per filter: 32."),
        ((None, 32, 32, 32), "a side of 32: the last Conv2D has no padding argument, so it uses the default "
                             "'valid': 32 - 3 + 1 = 30. Only the first layer pads."),
        ((None, 29, 29, 32), "a side of 29: you treated the first Conv2D as 'valid' (64 -> 62 -> 31 -> 29). "
                             "With padding='same' it keeps 64 x 64."),
        ((None, 31, 31, 32), "a side of 31 would come from a 62 x 62 map after pooling; but padding='same' "
                             "keeps the first Conv2D at 64 x 64, and the last Conv2D takes 2 off."),
        ((None, 62, 62, 32), "a side of 62: you left out the MaxPooling2D(2): it halves 64 to 32 before the "
                             "last Conv2D."),
        ((None, 16, 16, 32), "a side of 16: the pooling halves the side only once (64 -> 32), and the last "
                             "Conv2D takes 2 off: 30."),
    ],
    explain=_explain_q3,
    otherwise="Follow the side: 'same' keeps the size, MaxPooling2D(2) halves it, a 3 x 3 'valid' "
              "convolution takes 2 off.",
    hint=("'same' padding keeps height and width (with stride 1); MaxPooling2D(2) halves them; "
          "a Conv2D without a padding argument uses 'valid' and takes $k - 1$ off. The channels "
          "are the last Conv2D's filters; the batch axis is None."),
    solution=("$64 \\to 64$ ('same') $\\to 32$ (pooling) $\\to 32 - 3 + 1 = 30$ ('valid'), with "
              "32 channels: `(None, 30, 30, 32)`. Check it with `keras.Sequential([keras.Input((64, 64, 3)), "
              "keras.layers.Conv2D(16, 3, padding='same'), keras.layers.MaxPooling2D(2), "
              "keras.layers.Conv2D(32, 3)]).output.shape`."),
    right=[[None, 30, 30, 32], (None, np.int64(30), 30, 32), (None, 30.0, 30, 32)],
    wrong=[(30, 30, 32), (1, 30, 30, 32), (None, 30, 31, 32), "(None, 30, 30, 32)", 30, (None, 30, 30, 64),
           (None, 28, 28, 32)],
)
