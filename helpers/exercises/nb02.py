"""Exercises of notebook 02 (pooling): output shape, max_pool_2x2, a pooling model, global average pooling."""

from __future__ import annotations

import keras
import numpy as np

from .. import reference
from .framework import Function, Model, Number, Shape, Wrong, code_of, layers_in

# ------------------------------------------------------------------ q1: output shape


def _explain_q1(shape: tuple) -> None:
    if len(shape) == 4 and shape[0] != 8:
        raise Wrong(f"the batch axis is {shape[0]}, but pooling never changes it: the batch still holds 8 maps.")
    if len(shape) == 4 and shape[3] != 16:
        raise Wrong(
            f"the channel axis is {shape[3]}, but MaxPooling2D pools each channel on its own, "
            f"so all 16 channels come out."
        )


q1 = Shape(
    (8, reference.output_size(27, 3, stride=2), reference.output_size(27, 3, stride=2), 16),  # (8, 13, 13, 16)
    title="output shape of a pooling layer",
    axes=("batch", "height", "width", "channels"),
    praise="the window fits 13 times along each side.",
    mistakes=[
        (
            (8, 9, 9, 16),
            "9 is what a stride of 3 (the pool size) gives. Here the stride is 2: the windows overlap by one pixel.",
        ),
        (
            (8, 14, 14, 16),
            "14 = ceil(27 / 2) is the 'same' padding size. With 'valid' padding use floor((n - k) / s) + 1.",
        ),
        ((8, 12, 12, 16), "12 is floor((n - k) / s); you left out the + 1 (the first window)."),
        (
            (8, 13, 13, 16)[1:3],
            "(13, 13) is the right height and width, but Keras keeps all four axes: (batch, height, width, channels).",
        ),
    ],
    explain=_explain_q1,
    otherwise="Use floor((n - k) / s) + 1 with n = 27, k = 3, s = 2 for height and width.",
    hint=(
        "Batch and channels do not change. For height and width use "
        "floor((n - k) / s) + 1 with n = 27, k = 3 and s = 2."
    ),
    solution=(
        "(27 - 3) // 2 + 1 = 13, so the answer is `(8, 13, 13, 16)`. Check it with "
        "`keras.layers.MaxPooling2D(pool_size=3, strides=2)(np.zeros((8, 27, 27, 16))).shape`."
    ),
)


# ------------------------------------------------------------------ q2: max_pool_2x2

_Q2_SMALL = np.array([[1.0, 3.0, 2.0, 0.0],
                      [4.0, 6.0, 1.0, 5.0],
                      [7.0, 2.0, 9.0, 8.0],
                      [0.0, 1.0, 3.0, 4.0]])  # fmt: skip
_RNG = np.random.default_rng(2)


def _blocks(x: np.ndarray) -> np.ndarray:
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    return np.asarray(x)[:h, :w].reshape(h // 2, 2, w // 2, 2)


def _ceil(x):
    out = np.zeros((-(-x.shape[0] // 2), -(-x.shape[1] // 2)))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max()
    return out


q2 = Function(
    lambda x: reference.pool2d(x, size=2, mode="max"),
    stub="max_pool_2x2",
    cases=[(_Q2_SMALL,), (_RNG.normal(size=(26, 26)),), (_RNG.normal(size=(7, 9)),)],
    title="write max_pool_2x2",
    praise="it matches MaxPooling2D(2) on a 4x4, a 26x26 and a 7x9 input.",
    mistakes=[
        (
            lambda x: _blocks(x).mean(axis=(1, 3)),
            "your output looks like average pooling: it has the mean of each window, not its maximum.",
        ),
        (lambda x: _blocks(x).min(axis=(1, 3)), "your output holds the minimum of each window, not the maximum."),
        (
            lambda x: np.maximum(np.maximum(x[:-1, :-1], x[:-1, 1:]), np.maximum(x[1:, :-1], x[1:, 1:])),
            "your output is one row and one column smaller than the input: that is a stride of 1; a 2x2 max "
            "pool moves its window 2 pixels at a time.",
        ),
        (lambda x: x, "your output is the input unchanged: return the pooled array, not x."),
        (
            _ceil,
            "for an odd side the last row or column is dropped (floor, as 'valid' padding does), not "
            "kept as a half window.",
        ),
        (
            lambda x: np.maximum(
                x[0 : x.shape[0] // 2 * 2 : 2, 0 : x.shape[1] // 2 * 2 : 2],
                x[0 : x.shape[0] // 2 * 2 : 2, 1 : x.shape[1] // 2 * 2 : 2],
            ),
            "your output takes the maximum of the first row of each window only; a window has two rows.",
        ),
    ],
    otherwise="Output [i, j] is the maximum of x[2*i:2*i+2, 2*j:2*j+2].",
    hint=(
        "Crop x to even sides with `x[:H // 2 * 2, :W // 2 * 2]`. Then either loop over the output "
        "positions (i, j) and take `x[2*i:2*i+2, 2*j:2*j+2].max()`, or reshape to "
        "(H // 2, 2, W // 2, 2) and take `.max(axis=(1, 3))`."
    ),
    solution=(
        "```python\n"
        "def max_pool_2x2(x):\n"
        "    x = np.asarray(x)\n"
        "    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2   # drop an odd last row/column\n"
        "    blocks = x[:h, :w].reshape(h // 2, 2, w // 2, 2)   # axis 1 and 3: inside one block\n"
        "    return blocks.max(axis=(1, 3))\n"
        "```"
    ),
)


# ------------------------------------------------------------------ q3: a model that pools for free


def _model(*layers: keras.layers.Layer) -> keras.Model:
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), *layers])


def _conv(**options) -> keras.layers.Layer:
    return keras.layers.Conv2D(16, 3, activation="relu", **options)


def _pool() -> keras.layers.Layer:
    return keras.layers.MaxPooling2D(2)


# fmt: off
def _build_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),  # 28x28x16, 160 parameters
        keras.layers.MaxPooling2D(2),                                    # 14x14x16, none
        keras.layers.MaxPooling2D(2),                                    # 7x7x16, none
    ])
# fmt: on


def _has_relu(model: keras.Model) -> None:
    """Wrong unless a ReLU follows the convolution: as its activation, or as a layer of its own."""
    used = []
    for layer in layers_in(model):
        name = getattr(getattr(layer, "activation", None), "__name__", "")
        if name == "relu" or isinstance(layer, keras.layers.ReLU):
            return
        if name and name != "linear":
            used.append(name)
    if used:
        raise Wrong(f"your model uses the activation '{used[0]}'; this exercise asks for `activation=\"relu\"`.")
    raise Wrong(
        "the shape and the 160 parameters are right, but your Conv2D has no activation: Keras' default is "
        'linear, so negative responses reach the pooling. Add `activation="relu"`.'
    )


q3 = Model(
    _build_model,
    stub="build_model",
    input_shape=(28, 28, 1),
    layers=("Conv2D", "MaxPooling2D"),
    training="same",
    extra=_has_relu,
    title="a model that shrinks the maps without adding weights",
    praise=(
        "Conv2D: (3 * 3 * 1 + 1) * 16 = 160 parameters; the two MaxPooling2D(2) layers take 28 to 14 "
        "to 7 and add none (MaxPooling2D(4) does the same in one layer)."
    ),
    mistakes=[
        (
            lambda: _model(_conv(padding="same"), _pool()),
            "your output is 14 x 14: one MaxPooling2D(2) halves the side once, 28 -> 14. Halve it once more "
            "to reach 7; a pooling layer adds no parameters.",
        ),
        (
            lambda: _model(_conv(), _pool(), _pool()),
            "your output is 6 x 6: the Conv2D uses the default padding='valid', which takes 28 to 26, and "
            "halving 26 twice gives 6 (26 -> 13 -> 6). With padding='same' the convolution keeps 28 x 28.",
        ),
        (
            lambda: _model(_conv(padding="same"), _pool(), _conv(padding="same"), _pool()),
            "the shape is right, but you have 2,480 parameters: the second Conv2D adds (3 * 3 * 16 + 1) * 16 "
            "= 2,320. Shrink with pooling instead: it has no weights.",
        ),
    ],
    hint=(
        "`Conv2D(16, 3, padding='same')` keeps 28 x 28 and has (3 * 3 * 1 + 1) * 16 = 160 parameters. "
        "What takes 28 to 7 without adding any?"
    ),
    solution=code_of(_build_model, "build_model")
    + "\n`model.summary()` shows 160 parameters in all: pooling is a fixed rule with nothing to learn.",
)


# ------------------------------------------------------------------ q4: global average pooling

Q4_INPUT = np.stack(
    [
        np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
        np.array([[0.0, 0.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]),
    ],
    axis=-1,
)[None]
"""The (1, 3, 3, 2) batch of q4: channel 0 counts 1 to 9, channel 1 is one bright pixel."""

q4 = Number(
    reference.global_average_pool(Q4_INPUT),  # [[5.0, 1.0]]
    title="global average pooling by hand",
    what="The pooled array",
    example="np.array([[0.5, 0.5]])",
    praise="channel 0 averages to 5 and the single bright pixel of channel 1 to 9 / 9 = 1.",
    mistakes=[
        ([5.0, 1.0], "the values are right, but GlobalAveragePooling2D keeps the batch axis: the shape is (1, 2)."),
        (
            Q4_INPUT.mean(axis=-1),
            "your array has shape (1, 3, 3): that is an average over the channels at "
            "each pixel. Global average pooling averages each channel over all its "
            "pixels: (1, 3, 3, 2) -> (1, 2).",
        ),
        (
            Q4_INPUT.max(axis=(1, 2)),
            "those are the maxima of each channel (global max pooling); take the mean instead.",
        ),
        (Q4_INPUT.sum(axis=(1, 2)), "those are the sums of each channel; divide by the number of pixels, 3 x 3 = 9."),
        (3.0, "a single number mixes the two channels; global average pooling gives one number per channel."),
    ],
    hint=(
        "One number per channel: the mean of its 9 pixels. In NumPy, average over the height and width axes, 1 and 2."
    ),
    solution=(
        "`np.array([[5.0, 1.0]])`: channel 0 holds 1..9, mean 45 / 9 = 5; channel 1 holds a single 9, "
        "mean 9 / 9 = 1. In code: `ex.Q4_INPUT.mean(axis=(1, 2))`."
    ),
)
