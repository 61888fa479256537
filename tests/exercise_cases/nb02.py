"""Answers to test the exercises of notebook 02 with (see ``__init__.py``)."""

from __future__ import annotations

import keras
import numpy as np

from helpers.exercises.nb02 import Q4_INPUT, _blocks, _conv, _model, _pool

from . import Cases


def _max_pool_loops(x):
    out = np.zeros((x.shape[0] // 2, x.shape[1] // 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max()
    return out


CASES = {
    "q1": Cases(
        right=[[8, 13, 13, 16], (np.int64(8), 13, 13, 16)],
        mistakes=[
            (
                (8, 13, 14, 16),
                (
                    "entry 3 (width) is 14, which is not right. Use floor((n - k) / s) + 1 with n = 27, k = 3, s = "
                    "2 for height and width."
                ),
            ),
            ((1, 13, 13, 16), "the batch axis is 1, but pooling never changes it: the batch still holds 8 maps."),
            (
                (8, 13, 13, 8),
                "the channel axis is 8, but MaxPooling2D pools each channel on its own, so all 16 channels come out.",
            ),
            (
                (8, 13, 13),
                (
                    "your shape has 3 entries, but it should have 4: (batch, height, width, channels). Use "
                    "floor((n - k) / s) + 1 with n = 27, k = 3, s = 2 for height and width."
                ),
            ),
            (13, "give the shape as a tuple of 4 entries; you gave int 13."),
            ("(8, 13, 13, 16)", "give the shape as a tuple of 4 entries; you gave str '(8, 13, 13, 16)'."),
            ((8, 13.5, 13, 16), "every entry of the shape should be a whole number or None; 13.5 is not."),
        ],
    ),
    "q2": Cases(
        right=[_max_pool_loops, lambda x: _blocks(x).max(axis=(1, 3)).tolist()],
        wrong=[lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3))],
        mistakes=[
            (lambda x: None, "your function returns None; end it with `return` and the result."),
            ("max_pool_2x2", "pass the function itself, `max_pool_2x2` (no brackets); you gave str."),
            (None, "pass the function itself, `max_pool_2x2` (no brackets); you gave NoneType."),
        ],
    ),
    "q3": Cases(
        right=[
            lambda: _model(_conv(padding="same"), keras.layers.MaxPooling2D(4)),
            lambda: _model(keras.layers.Conv2D(16, 3, padding="same"), keras.layers.ReLU(), _pool(), _pool()),
        ],
        mistakes=[
            (
                lambda: _model(keras.layers.Conv2D(16, 3, padding="same"), _pool(), _pool()),
                (
                    "the shape and the 160 parameters are right, but your Conv2D has no activation: Keras' default "
                    'is linear, so negative responses reach the pooling. Add `activation="relu"`.'
                ),
            ),
            (
                lambda: _model(keras.layers.Conv2D(16, 3, padding="same", activation="sigmoid"), _pool(), _pool()),
                "your model uses the activation 'sigmoid'; this exercise asks for `activation=\"relu\"`.",
            ),
            (
                lambda: _model(keras.layers.Conv2D(16, 3, strides=4, padding="same")),
                "your model has no MaxPooling2D layer; its layers are Conv2D.",
            ),
            (
                lambda: _model(_conv(padding="same"), keras.layers.AveragePooling2D(4)),
                "your model has no MaxPooling2D layer; its layers are AveragePooling2D, Conv2D.",
            ),
            (
                lambda: _model(keras.layers.Conv2D(32, 3, padding="same"), _pool(), _pool()),
                "your model's output shape is (None, 7, 7, 32), but it should be (None, 7, 7, 16).",
            ),
            (
                lambda: _model(_conv(padding="same"), _pool(), _pool(), keras.layers.Dropout(0.5)),
                (
                    "your model gives different outputs in training and at inference; this one should behave the "
                    "same in both."
                ),
            ),
            (
                lambda: _model(_conv(), keras.layers.MaxPooling2D(4)),
                (
                    "your output is 6 x 6: the Conv2D uses the default padding='valid', which takes 28 to 26, and "
                    "halving 26 twice gives 6 (26 -> 13 -> 6). With padding='same' the convolution keeps 28 x 28."
                ),
            ),
            (lambda: "model", "`build_model` should return a Keras model (or layer); it returns str."),
            ("build_model", "pass the function itself, `build_model` (no brackets); you gave str."),
        ],
    ),
    "q4": Cases(
        right=[[[5, 1]], Q4_INPUT.mean(axis=(1, 2))],
        mistakes=[
            (
                np.array([[5.0, 2.0]]),
                (
                    "The pooled array has the right shape, but 1 of its 2 values differs; the first is at index "
                    "(0, 1): you have 2, expected 1."
                ),
            ),
            (
                "5, 1",
                (
                    "The pooled array should be an array of numbers, such as np.array([[0.5, 0.5]]); you gave str "
                    "'5, 1'."
                ),
            ),
            (
                np.array([[1.0, 5.0]]),
                (
                    "The pooled array has the right shape, but 2 of its 2 values differ; the first is at index (0, "
                    "0): you have 1, expected 5."
                ),
            ),
        ],
    ),
}
