"""Exercises of notebook 03 (activations): softmax, leaky ReLU, output layer and loss."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..reference import leaky_relu, softmax
from .framework import Check, Function, Number, Wrong, code_of, plain_name

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


# ------------------------------------------------------------- q5 to q7: how a network learns


def _mse_gradient(w, x, y):
    # L = mean((w * x - y) ** 2); the chain rule gives 2 * (w * x - y) * x for each term
    return np.mean(2 * (w * x - y) * x)


_q5_rng = np.random.default_rng(5)
Q5_CASES = [
    (2.0, np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0])),
    (-0.5, np.round(_q5_rng.normal(size=5), 2), np.round(_q5_rng.normal(size=5), 2)),
    (1.5, np.round(_q5_rng.uniform(0.5, 2, size=8), 2), np.round(_q5_rng.normal(size=8), 2)),
]

q5 = Function(
    _mse_gradient,
    stub="mse_gradient",
    cases=Q5_CASES,
    title="the gradient of a one-weight model",
    praise="that is dL/dw, the number tf.GradientTape would give for this loss.",
    mistakes=[
        (
            lambda w, x, y: np.mean((w * x - y) * x),
            "your gradient is half the right one: the derivative of a square u**2 is 2 * u, so keep the factor 2.",
        ),
        (
            lambda w, x, y: np.mean(2 * (y - w * x) * x),
            "your gradient has the wrong sign, so a step against it would climb: the error is w * x - y "
            "(prediction minus target), and the derivative of (w * x - y)**2 is 2 * (w * x - y) * x.",
        ),
        (
            lambda w, x, y: np.sum(2 * (w * x - y) * x),
            "your gradient is n times too large: the loss is the mean over the examples, so average "
            "(np.mean) instead of summing.",
        ),
        (
            lambda w, x, y: np.mean(2 * (w * x - y)),
            "the chain rule's inner factor is missing: w * x - y changes by x when w changes by 1, so each "
            "term is 2 * (w * x - y) * x.",
        ),
        (
            lambda w, x, y: 2 * (w * x - y) * x,
            "you return one number per example; the loss is their mean, so its gradient is the mean of "
            "these terms: one number.",
        ),
        (
            lambda w, x, y: np.mean((w * x - y) ** 2),
            "that is the loss itself, not its gradient: differentiate (w * x - y)**2 with respect to w.",
        ),
    ],
    otherwise="The gradient is the mean over the examples of 2 * (w * x - y) * x.",
    hint="Differentiate one term, $(w x_i - y_i)^2$, with the chain rule: the outer square gives "
    "$2(w x_i - y_i)$, the inner $w x_i - y_i$ gives $x_i$. The loss is the mean of the terms, so "
    "its derivative is the mean of theirs.",
    solution="$dL/dw = \\frac{1}{n}\\sum_i 2\\,(w x_i - y_i)\\,x_i$:\n\n" + code_of(_mse_gradient, "mse_gradient"),
)


class _Gradient:
    """The gradient of a stated loss, with a readable name for the checker's messages."""

    def __init__(self, text: str, fn: Callable):
        self.text, self.fn = text, fn

    def __call__(self, w):
        return self.fn(w)

    def __repr__(self) -> str:
        return self.text


def _descend(gradient, w, learning_rate, steps):
    for _ in range(steps):
        w = w - learning_rate * gradient(w)  # a fresh gradient at every step
    return w


_SCALES = np.array([1.0, 0.5, 2.0])
_TARGET = np.array([1.0, -2.0, 0.5])
Q6_CASES = [
    (_Gradient("the gradient 2 * (w - 3) of (w - 3)**2", lambda w: 2 * (w - 3)), 0.0, 0.1, 15),
    (
        _Gradient("the gradient of sum(scales * (w - target)**2)", lambda w: 2 * _SCALES * (w - _TARGET)),
        np.zeros(3),
        0.2,
        15,
    ),
    (_Gradient("the gradient 2 * (w + 1) of (w + 1)**2", lambda w: 2 * (w + 1)), 4.0, 0.3, 5),
]


def _one_step(gradient, w, learning_rate, steps):
    return w - learning_rate * gradient(w)


def _gradient_once(gradient, w, learning_rate, steps):
    g = gradient(w)
    for _ in range(steps):
        w = w - learning_rate * g
    return w


q6 = Function(
    _descend,
    stub="descend",
    cases=Q6_CASES,
    title="the gradient-descent loop",
    praise="each pass takes a fresh gradient and steps against it, exactly what the loops of sections 10 to 13 do.",
    mistakes=[
        (
            lambda gradient, w, learning_rate, steps: _descend(lambda v: -gradient(v), w, learning_rate, steps),
            "your w moves uphill, away from the minimum: the gradient points to where the loss grows, so "
            "subtract learning_rate * gradient(w).",
        ),
        (
            lambda gradient, w, learning_rate, steps: _descend(gradient, w, 1.0, steps),
            "your steps ignore the learning rate: multiply the gradient by learning_rate before subtracting it.",
        ),
        (_one_step, "your function makes only one update: put it in a loop that runs `steps` times."),
        (
            lambda gradient, w, learning_rate, steps: _descend(gradient, w, learning_rate, steps - 1),
            "your loop makes one update too few: range(steps) runs exactly `steps` times.",
        ),
        (
            lambda gradient, w, learning_rate, steps: _descend(gradient, w, learning_rate, steps + 1),
            "your loop makes one update too many: range(steps) runs exactly `steps` times.",
        ),
        (
            lambda gradient, w, learning_rate, steps: w,
            "your function returns the starting w unchanged: assign each update back to w "
            "(w = w - learning_rate * gradient(w)) and return w at the end.",
        ),
        (
            _gradient_once,
            "you compute the gradient once, at the start, and reuse it: it changes as w moves, so call "
            "gradient(w) again inside the loop.",
        ),
    ],
    otherwise="Start from w and repeat `steps` times: w = w - learning_rate * gradient(w).",
    hint="One line inside a `for _ in range(steps):` loop does it: the new `w` is the old one minus "
    "`learning_rate` times `gradient(w)`. Return `w` after the loop.",
    solution=code_of(_descend, "descend"),
)

q7 = Number(
    32,
    what="The number of updates",
    example="10",
    whole=True,
    why="A step is one update with one batch, and the last batch may hold fewer images.",
    title="steps per epoch",
    praise="31 full batches of 32 and one last batch of 8: ceil(1000 / 32) = 32 updates.",
    mistakes=[
        (
            31,
            "that is the number of full batches, 1000 // 32 = 31. The 8 images left over form a last, "
            "smaller batch, and fit makes an update with it too.",
        ),
        (
            31.25,
            "1000 / 32 = 31.25, but an update is made once per batch, a whole number of times: 31 "
            "full batches and one smaller batch of 8.",
        ),
        (1000, "that would be one update per image; fit makes one update per batch of 32 images."),
        (
            1,
            "one update per epoch is full-batch gradient descent; with batch_size=32, fit updates the "
            "weights after every batch.",
        ),
    ],
    otherwise="An epoch makes one update per batch: ceil(N / B) of them.",
    hint="Count the batches: how many batches of 32 does it take to cover 1,000 images, when the last "
    "one may be smaller?",
    solution="`answer = 32`: `math.ceil(1000 / 32)`, 31 batches of 32 and one of 8.",
)
