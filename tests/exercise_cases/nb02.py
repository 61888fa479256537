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
        wrong=[(8, 13, 14, 16), (1, 13, 13, 16), (8, 13, 13, 8), (8, 13, 13), 13, "(8, 13, 13, 16)", (8, 13.5, 13, 16)],
    ),
    "q2": Cases(
        right=[_max_pool_loops, lambda x: _blocks(x).max(axis=(1, 3)).tolist()],
        wrong=[
            lambda x: None,
            lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3)),
            "max_pool_2x2",
            None,
        ],
    ),
    "q3": Cases(
        right=[lambda: _model(_conv(padding="same"), keras.layers.MaxPooling2D(4))],
        wrong=[
            lambda: _model(keras.layers.Conv2D(16, 3, strides=4, padding="same")),
            lambda: _model(_conv(padding="same"), keras.layers.AveragePooling2D(4)),
            lambda: _model(keras.layers.Conv2D(32, 3, padding="same"), _pool(), _pool()),
            lambda: _model(_conv(padding="same"), _pool(), _pool(), keras.layers.Dropout(0.5)),
            lambda: "model",
            "build_model",
        ],
    ),
    "q4": Cases(
        right=[[[5, 1]], Q4_INPUT.mean(axis=(1, 2))],
        wrong=[np.array([[5.0, 2.0]]), "5, 1", np.array([[1.0, 5.0]])],
    ),
}
