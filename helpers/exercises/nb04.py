"""Exercises of notebook 04 (how a network learns): a gradient, the gradient-descent loop, steps per epoch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .framework import Function, LearnerError, Number, Wrong, code_of

# ---------------------------------------------------------------------------------------- q1 to q3


def _mse_gradient(w, x, y):
    # L = mean((w * x - y) ** 2); the chain rule gives 2 * (w * x - y) * x for each term
    return np.mean(2 * (w * x - y) * x)


_q1_rng = np.random.default_rng(5)
Q1_CASES = [
    (2.0, np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0])),
    (-0.5, np.round(_q1_rng.normal(size=5), 2), np.round(_q1_rng.normal(size=5), 2)),
    (1.5, np.round(_q1_rng.uniform(0.5, 2, size=8), 2), np.round(_q1_rng.normal(size=8), 2)),
]

q1 = Function(
    _mse_gradient,
    stub="mse_gradient",
    cases=Q1_CASES,
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


class LossGradient:
    """The ``gradient`` argument the checker passes to a learner's ``descend``: call it on ``w``.

    ``repr`` states the loss, for the checker's messages; a learner who uses it as a number or
    calls it with other arguments gets ``_GRADIENT_NOT_A_NUMBER`` or ``_GRADIENT_TAKES_W``."""

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
Q2_CASES = [
    (LossGradient("the gradient 2 * (w - 3) of (w - 3)**2", lambda w: 2 * (w - 3)), 0.0, 0.1, 15),
    (
        LossGradient("the gradient of sum(scales * (w - target)**2)", lambda w: 2 * _SCALES * (w - _TARGET)),
        np.zeros(3),
        0.2,
        15,
    ),
    (LossGradient("the gradient 2 * (w + 1) of (w + 1)**2", lambda w: 2 * (w + 1)), 4.0, 0.3, 5),
]


def _one_step(gradient, w, learning_rate, steps):
    return w - learning_rate * gradient(w)


def _gradient_once(gradient, w, learning_rate, steps):
    g = gradient(w)
    for _ in range(steps):
        w = w - learning_rate * g
    return w


_GRADIENT_NOT_A_NUMBER = (
    "`gradient` is a function, not a number: call it on w, `gradient(w)`, to get the gradient at the "
    "current w, then subtract `learning_rate * gradient(w)`."
)
_GRADIENT_TAKES_W = (
    "`gradient` takes one argument, w: call `gradient(w)` to get the gradient at the current w, and "
    "multiply the result by `learning_rate` yourself."
)


class _DescentExercise(Function):
    """A Function exercise that explains a misuse of ``gradient`` instead of showing Python's error."""

    def _judge(self, answer):
        try:
            return super()._judge(answer)
        except LearnerError as error:
            message = str(error.original)
            if isinstance(error.original, TypeError) and f"{LossGradient.__name__}.__call__()" in message:
                raise Wrong(_GRADIENT_TAKES_W) from None
            if LossGradient.__name__ in message:
                raise Wrong(_GRADIENT_NOT_A_NUMBER) from None
            raise


q2 = _DescentExercise(
    _descend,
    stub="descend",
    cases=Q2_CASES,
    title="the gradient-descent loop",
    praise="each pass takes a fresh gradient and steps against it, exactly what the loops of sections 3 to 6 do.",
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

q3 = Number(
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
