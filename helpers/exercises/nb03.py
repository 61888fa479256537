"""Exercises of notebook 03 (activations): softmax, leaky ReLU, output layer and loss."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..reference import leaky_relu, softmax
from .framework import Check, Function, Number, Wrong, plain_name

# ---------------------------------------------------------------------------------------- q1


def _fmt(z: np.ndarray) -> str:
    """A score vector as a learner would type it: [1000, 1001, 1002]."""
    return "[" + ", ".join(f"{v:g}" for v in np.asarray(z).ravel()) + "]"


def _explain_q1(got: np.ndarray, case: tuple) -> None:
    z = case[0]
    bad = got[~np.isfinite(got)]
    if bad.size:
        word = "nan" if np.isnan(bad).any() else "inf"
        raise Wrong(f"your function returns {word} for {_fmt(z)}: subtract the maximum first.")
    if got.shape == z.shape and not np.isclose(got.sum(), 1.0, atol=1e-6):
        raise Wrong(
            f"your outputs sum to {got.sum():.3g} instead of 1 for the scores {_fmt(z)}: "
            f"divide the exponentials by their sum."
        )


q1 = Function(
    softmax,
    stub="stable_softmax",
    cases=[(np.array([0.5, 1.5, 1.0, 1.2]),)]
    + [(np.round(np.random.default_rng(3).normal(0, 3, size=n), 2),) for n in (3, 5, 10)]
    + [(np.array(z),) for z in ([1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0], [-1002.0, -1001.0, -1000.0])],
    title="write stable_softmax",
    praise="your softmax is right on ordinary scores and stays finite on scores like [1000, 1001, 1002].",
    mistakes=[
        (
            lambda z: np.exp(z) / np.exp(z).sum(),
            "your function returns nan for [1000, 1001, 1002]: np.exp(1000) overflows to inf, and inf / inf "
            "is nan. Subtract the maximum first.",
        ),
        (
            lambda z: np.exp(z - np.min(z)) / np.sum(np.exp(z - np.min(z))),
            "your function returns nan for [-1000, 0, 1000]: shifting by the minimum makes the largest "
            "exponent exp(2000). Subtract the maximum instead.",
        ),
        (lambda z: np.exp(z - np.max(z)), "your outputs do not sum to 1: divide the exponentials by their sum."),
        (
            lambda z: (z == np.max(z)).astype(float),
            "that is a one-hot of the largest score (a hard max); softmax gives every score a share.",
        ),
        (lambda z: z / np.sum(z), "z / sum(z) skips the exponential; softmax divides exp(z - max(z)) by its sum."),
    ],
    explain=_explain_q1,
    otherwise="Use exp(z - max(z)) divided by its sum.",
    hint="Shift the scores first: `shifted = z - np.max(z)`. The largest shifted score is 0, so no "
    "`np.exp` overflows, and the shift does not change the result. Then divide the "
    "exponentials by their sum.",
    solution="""
```python
def stable_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z))  # the largest exponent is exp(0) = 1
    return e / np.sum(e)
```""",
)

# ---------------------------------------------------------------------------------------- q2

Q2_X = np.array([-4.0, -1.5, 0.0, 0.5, 3.0])
Q2_ALPHA = 0.1

q2 = Number(
    leaky_relu(Q2_X, Q2_ALPHA),
    title="leaky ReLU by hand",
    what="Your leaky ReLU output",
    example="[1.0, 2.0, 0.0, 0.5, 3.0]",
    tol=1e-6,
    praise="negative inputs shrink to a tenth, positive ones pass unchanged.",
    mistakes=[
        (
            np.maximum(Q2_X, 0.0),
            "you applied plain ReLU: leaky ReLU does not set negative inputs to 0, it multiplies them by alpha = 0.1.",
        ),
        (
            leaky_relu(Q2_X, 0.3),
            "these are the values for alpha = 0.3, the default of keras.layers.LeakyReLU; "
            "this exercise uses alpha = 0.1.",
        ),
        (
            leaky_relu(Q2_X, 0.2),
            "these are the values for alpha = 0.2, the default of "
            "keras.activations.leaky_relu; this exercise uses alpha = 0.1.",
        ),
        (
            Q2_ALPHA * Q2_X,
            "positive inputs pass through leaky ReLU unchanged; only negative ones are multiplied by alpha.",
        ),
        (np.abs(leaky_relu(Q2_X, Q2_ALPHA)), "check the signs: a negative input times alpha = 0.1 is still negative."),
        (
            np.where(Q2_X > 0, Q2_ALPHA * Q2_X, Q2_X),
            "you multiplied the positive inputs by alpha instead of the negative ones.",
        ),
    ],
    hint="Leaky ReLU keeps x when x > 0 and gives alpha * x otherwise. Go through the five "
    "numbers one by one; only the negative ones change.",
    solution="`answer = [-0.4, -0.15, 0.0, 0.5, 3.0]`; in Keras: "
    "`keras.activations.leaky_relu(x, negative_slope=0.1)`.",
)

# ---------------------------------------------------------------------------- q3 and q4

ACTIVATIONS = ("relu", "sigmoid", "softmax", "tanh", "linear")
LOSSES = {
    "binarycrossentropy": "binary_crossentropy",
    "categoricalcrossentropy": "categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "meansquarederror": "mse",
    "mse": "mse",
    "meanabsoluteerror": "mae",
    "mae": "mae",
}


def _parse_pair(answer: Any) -> tuple[str, str]:
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Wrong("answer with a pair (activation, loss), for example ('tanh', 'mse').")
    activation, loss = (plain_name(item) for item in answer)
    if activation == "identity" or activation == "none":
        activation = "linear"
    if activation not in ACTIVATIONS:
        raise Wrong(
            f"'{answer[0]}' is not an output activation this notebook uses; pick one of {', '.join(ACTIVATIONS)}."
        )
    if loss not in LOSSES:
        raise Wrong(
            f"'{answer[1]}' is not a loss this notebook uses; pick one of binary_crossentropy, "
            f"categorical_crossentropy, sparse_categorical_crossentropy, mse."
        )
    return activation, LOSSES[loss]


def _pair_exercise(
    pair: tuple[str, str], advice: dict[tuple[str, str], str], default_activation: str, default_loss: str, **common: Any
) -> Check:
    """An (activation, loss) exercise, with advice for the pairs learners often pick.

    ``advice`` maps a pair to its feedback; ``"*"`` in a pair matches anything.
    """

    def check(answer: Any) -> None:
        given = _parse_pair(answer)
        if given == pair:
            return None
        for (act, loss), message in advice.items():
            if act in ("*", given[0]) and loss in ("*", given[1]):
                raise Wrong(message)
        raise Wrong(default_activation if given[0] != pair[0] else default_loss)

    return Check(check, answer=pair, **common)


q3 = _pair_exercise(
    ("sigmoid", "binary_crossentropy"),
    {
        ("softmax", "*"): "softmax over a single unit always outputs 1.0, whatever the input, so the "
        "model could never learn. One unit that gives a probability needs sigmoid.",
        ("sigmoid", "categorical_crossentropy"): "categorical cross-entropy expects one probability per "
        "class (two units here); one sigmoid unit goes with "
        "binary cross-entropy.",
        ("sigmoid", "sparse_categorical_crossentropy"): "sparse categorical cross-entropy expects one "
        "probability per class (two units here); one "
        "sigmoid unit goes with binary cross-entropy.",
        ("sigmoid", "mse"): "mean squared error is the loss for regression (predicting a number). For a "
        "probability of one of two classes use binary cross-entropy.",
        ("linear", "*"): "a linear output is a raw score, not a probability in [0, 1]; it works only "
        "with a loss built with from_logits=True, and this model outputs a probability.",
    },
    "the output must be a probability between 0 and 1 for one unit: which activation does that?",
    "the labels are 0 or 1 and the output one probability: which cross-entropy fits?",
    title="output layer and loss for two classes",
    praise="one sigmoid unit gives P(human), and 1 - P(human) is P(horse).",
    hint="Only one function squashes a single score into (0, 1) on its own. The loss is the "
    "cross-entropy for two classes.",
    solution='`answer = ("sigmoid", "binary_crossentropy")`: '
    '`keras.layers.Dense(1, activation="sigmoid")` with '
    "`loss=keras.losses.BinaryCrossentropy()`.",
)

q4 = _pair_exercise(
    ("softmax", "sparse_categorical_crossentropy"),
    {
        ("softmax", "categorical_crossentropy"): "categorical cross-entropy expects one-hot labels (10 "
        "numbers per image), but these labels are integers "
        "0-9: use its sparse version.",
        ("sigmoid", "*"): "ten sigmoid units give ten independent yes/no probabilities that need not "
        "sum to 1 (that suits multi-label tasks). With exactly one class per image, "
        "the probabilities should compete and sum to 1.",
        ("softmax", "binary_crossentropy"): "binary cross-entropy is for yes/no outputs; with 10 "
        "classes and one integer label per image use a "
        "categorical cross-entropy.",
        ("softmax", "mse"): "mean squared error is the loss for regression (predicting a number), not "
        "for class probabilities.",
        ("linear", "*"): "a linear output gives raw scores, not probabilities; it works only with a "
        "loss built with from_logits=True, and this model should output probabilities.",
    },
    "the 10 outputs should be probabilities that sum to 1: which activation does that?",
    "the labels are integers 0-9, not one-hot vectors: which cross-entropy reads those?",
    title="output layer and loss for ten classes",
    praise="softmax turns the 10 scores into probabilities, and the sparse loss reads integer labels directly.",
    hint="The probabilities of the 10 classes must sum to 1. Of the two categorical "
    "cross-entropies, one reads one-hot labels, the other integer labels.",
    solution='`answer = ("softmax", "sparse_categorical_crossentropy")`: '
    '`keras.layers.Dense(10, activation="softmax")` with '
    "`loss=keras.losses.SparseCategoricalCrossentropy()`.",
)
