"""Answers to test the exercises of notebook 06 with (see ``__init__.py``)."""

from __future__ import annotations

import keras
import numpy as np

from helpers.exercises.nb06 import _Q2_EPOCH, Q4_L2, Q4_RATE, _q4_solution

from . import Cases


def _q4_model(*, l2=Q4_L2, rate=Q4_RATE, dropout_at="middle", regularizer="L2", penalty_on="hidden"):
    """The model of the task, or one with one thing changed (for the checker's tests)."""
    penalty = {"L2": keras.regularizers.L2(l2), "L1": keras.regularizers.L1(l2), None: None}[regularizer]
    hidden = keras.layers.Dense(128, activation="relu", kernel_regularizer=penalty if penalty_on == "hidden" else None)
    output = keras.layers.Dense(
        10, activation="softmax", kernel_regularizer=penalty if penalty_on == "output" else None
    )
    middle = [hidden, keras.layers.Dropout(rate), output] if dropout_at == "middle" else [hidden, output]
    if dropout_at == "end":
        middle.append(keras.layers.Dropout(rate))
    if dropout_at == "start":
        middle.insert(0, keras.layers.Dropout(rate))
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), *middle])


def _q4_with(penalty):
    """The task's model with the penalty written another way (the review tried these)."""
    return lambda: keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu", kernel_regularizer=penalty),
            keras.layers.Dropout(Q4_RATE),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def _q4_no_input():
    return keras.Sequential(
        [
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def _q4_forgets_return():
    _q4_solution()


Q4_WRONG = {
    "no penalty": lambda: _q4_model(regularizer=None),
    "no dropout": lambda: _q4_model(dropout_at="none"),
    "dropout after the softmax": lambda: _q4_model(dropout_at="end"),
    "dropout on the pixels": lambda: _q4_model(dropout_at="start"),
    "rate 0.5": lambda: _q4_model(rate=0.5),
    "factor 1e-3": lambda: _q4_model(l2=1e-3),
    "L1": lambda: _q4_model(regularizer="L1"),
    "penalty on the output": lambda: _q4_model(penalty_on="output"),
    "no Input": _q4_no_input,
    "no return": _q4_forgets_return,
}


CASES = {
    "q1": Cases(
        right=[[0.84, 0.97, 0.80, 0.50], (0.8401, 0.97, 0.8, 0.4999)],
        mistakes=[
            ([0.84, 0.97, 0.80], "Your per-class accuracy has shape (3,) but should have shape (4,)."),
            (
                448 / 550,
                "0.8145 is the overall accuracy (trace / total, 448 / 550). Per-class accuracy is one number "
                "per class: 4 numbers here.",
            ),
            (
                [0.84, 0.97, 0.80, 0.60],
                (
                    "Your per-class accuracy has the right shape, but 1 of its 4 values differs; the first is at "
                    "index (3,): you have 0.6, expected 0.5."
                ),
            ),
            (
                "0.84, 0.97, 0.8, 0.5",
                (
                    "Your per-class accuracy should be an array of numbers, such as [0.5, 0.5, 0.5, 0.5]; you gave "
                    "str '0.84, 0.97, 0.8, 0.5'."
                ),
            ),
            (
                None,
                (
                    "Your per-class accuracy should be an array of numbers, such as [0.5, 0.5, 0.5, 0.5]; you gave "
                    "NoneType None."
                ),
            ),
        ],
    ),
    "q2": Cases(
        right=[np.int64(_Q2_EPOCH), float(_Q2_EPOCH)],
        mistakes=[
            (1, ("1 is not right. Find the smallest value of HISTORY['val_loss']; the epochs are numbered 1 to 12.")),
            (0, ("0 is not right. Find the smallest value of HISTORY['val_loss']; the epochs are numbered 1 to 12.")),
            (13, ("13 is not right. Find the smallest value of HISTORY['val_loss']; the epochs are numbered 1 to 12.")),
            (6.5, "The epoch is a whole number, but you gave 6.5. Epochs are counted 1, 2, 3, ..."),
            ("6", "The epoch should be a number, such as 3, but you gave str '6'."),
            ([6], "The epoch should be a number, such as 3, but you gave list [6]."),
            (True, "The epoch should be a number, such as 3, but you gave bool True."),
            (None, "The epoch should be a number, such as 3, but you gave NoneType None."),
        ],
    ),
    "q3": Cases(
        right=["B", " (b) "],
        mistakes=[
            ("e", "'e' is not one of the options; pick one of a, b, c, d."),
            ("bc", "'bc' is not one of the options; pick one of a, b, c, d."),
            (2, "give the letter of your choice as a string, such as 'a'; you gave int 2."),
            (None, "give the letter of your choice as a string, such as 'a'; you gave NoneType None."),
        ],
    ),
    "q4": Cases(
        right=[
            lambda: _q4_model(),
            _q4_with(keras.regularizers.l2(Q4_L2)),
            _q4_with(keras.regularizers.L1L2(l2=Q4_L2)),
        ],
        wrong=["build_regularised"],
        mistakes=[
            (
                Q4_WRONG["no penalty"],
                "the hidden Dense layer has no kernel_regularizer: give it "
                "kernel_regularizer=keras.regularizers.L2(1e-4).",
            ),
            (
                Q4_WRONG["no dropout"],
                "the model has no Dropout layer: add keras.layers.Dropout(0.3) between the hidden "
                "Dense layer and the output layer.",
            ),
            (
                Q4_WRONG["dropout after the softmax"],
                "the Dropout layer comes after the softmax: in training it would zero some of the "
                "probabilities and scale up the others, so they no longer sum to 1. Put it between "
                "the hidden layer and the output.",
            ),
            (
                Q4_WRONG["dropout on the pixels"],
                "the Dropout layer comes before the hidden layer, so it drops input pixels; put it "
                "between the hidden Dense(128) and the output, where it drops hidden units.",
            ),
            (Q4_WRONG["rate 0.5"], "the Dropout rate is 0.5; the task asks for 0.3."),
            (Q4_WRONG["factor 1e-3"], "the L2 factor is 0.001; the task asks for 0.0001."),
            (
                Q4_WRONG["L1"],
                "the hidden layer has an L1 penalty (L1 with l1=0.0001); the task asks for L2: "
                "keras.regularizers.L2(1e-4).",
            ),
            (
                Q4_WRONG["penalty on the output"],
                "the L2 penalty is on the output layer; put "
                "kernel_regularizer=keras.regularizers.L2(1e-4) on the hidden Dense(128) layer, "
                "whose 100,352 weights are the ones that can overfit.",
            ),
            (Q4_WRONG["no Input"], "the model has no input yet: start the list of layers with keras.Input((28, 28))."),
            (Q4_WRONG["no return"], "build_regularised() returned None: end it with `return model`."),
        ],
    ),
}
