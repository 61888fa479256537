"""Answers to test the exercises of notebook 03 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from . import Cases


def _stable_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def _log_sum_exp_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    m = z.max()
    return np.exp(z - (m + np.log(np.sum(np.exp(z - m)))))


def _raises(z):
    raise NameError("name 'z_max' is not defined")


CASES = {
    "q1": Cases(
        right=[_stable_softmax, _log_sum_exp_softmax],
        wrong=[_raises],
        mistakes=[
            (lambda z: None, "your function returns None; end it with `return` and the result."),
            (
                np.array([0.09, 0.24, 0.67]),
                "pass the function itself, `stable_softmax` (no brackets); you gave ndarray.",
            ),
            (
                lambda z: np.exp(z - np.max(z)) / 2,
                (
                    "your outputs sum to 1.36 instead of 1 for the scores [0.5, 1.5, 1, 1.2]: divide the "
                    "exponentials by their sum."
                ),
            ),
            (
                lambda z: np.exp(z - 1000) / np.sum(np.exp(z - 1000)),
                "your function returns nan for [0.5, 1.5, 1, 1.2]: subtract the maximum first.",
            ),
        ],
    ),
    "q2": Cases(
        right=[[-0.4, -0.15, 0.0, 0.5, 3.0], (-0.4, -0.15, -0.0, 0.5, 3)],
        mistakes=[
            ([-0.4, -0.15, 0.5, 3.0], "Your leaky ReLU output has shape (4,) but should have shape (5,)."),
            (
                [-0.4, -0.15, 0.0, 0.5, 30.0],
                (
                    "Your leaky ReLU output has the right shape, but 1 of its 5 values differs; the first is at "
                    "index (4,): you have 30, expected 3."
                ),
            ),
            (
                "-0.4, -0.15, 0, 0.5, 3",
                (
                    "Your leaky ReLU output should be an array of numbers, such as [1.0, 2.0, 0.0, 0.5, 3.0]; you "
                    "gave str '-0.4, -0.15, 0, 0.5, 3'."
                ),
            ),
        ],
    ),
    "q3": Cases(
        right=[["Sigmoid", "BinaryCrossentropy"], ("sigmoid", "binary cross-entropy")],
        wrong=[
            ("softmax", "categorical_crossentropy"),
            ("relu", "binary_crossentropy"),
            ("tanh", "mse"),
            ("sigmod", "binary_crossentropy"),
            ("sigmoid", "hinge"),
            "sigmoid",
            ("sigmoid",),
        ],
        mistakes=[
            (
                ("softmax", "binary_crossentropy"),
                "softmax over a single unit always outputs 1.0, whatever the input, so the model "
                "could never learn. One unit that gives a probability needs sigmoid.",
            ),
            (
                ("sigmoid", "categorical_crossentropy"),
                "categorical cross-entropy expects one probability per class (two units here); one "
                "sigmoid unit goes with binary cross-entropy.",
            ),
            (
                ("sigmoid", "sparse_categorical_crossentropy"),
                "sparse categorical cross-entropy expects one probability per class (two units "
                "here); one sigmoid unit goes with binary cross-entropy.",
            ),
            (
                ("sigmoid", "mse"),
                "mean squared error is the loss for regression (predicting a number). For a "
                "probability of one of two classes use binary cross-entropy.",
            ),
            (
                ("linear", "binary_crossentropy"),
                "a linear output is a raw score, not a probability in [0, 1]; it works only with a "
                "loss built with from_logits=True, and this model outputs a probability.",
            ),
        ],
    ),
    "q4": Cases(
        right=[("Softmax", "SparseCategoricalCrossentropy")],
        wrong=[
            ("sigmoid", "binary_crossentropy"),
            ("relu", "sparse_categorical_crossentropy"),
            ("softmax", "sparse_categorical_crossentropy", "adam"),
        ],
        mistakes=[
            (
                ("softmax", "categorical_crossentropy"),
                "categorical cross-entropy expects one-hot labels (10 numbers per image), but these "
                "labels are integers 0-9: use its sparse version.",
            ),
            (
                ("sigmoid", "sparse_categorical_crossentropy"),
                "ten sigmoid units give ten independent yes/no probabilities that need not sum to 1 "
                "(that suits multi-label tasks). With exactly one class per image, the probabilities "
                "should compete and sum to 1.",
            ),
            (
                ("softmax", "binary_crossentropy"),
                "binary cross-entropy is for yes/no outputs; with 10 classes and one integer label "
                "per image use a categorical cross-entropy.",
            ),
            (
                ("softmax", "mse"),
                "mean squared error is the loss for regression (predicting a number), not for class probabilities.",
            ),
            (
                ("linear", "sparse_categorical_crossentropy"),
                "a linear output gives raw scores, not probabilities; it works only with a loss "
                "built with from_logits=True, and this model should output probabilities.",
            ),
        ],
    ),
}
