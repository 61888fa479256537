"""Answers to test the exercises of notebook 04 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from helpers.exercises.nb04 import _descend

from . import Cases


def _gradient_as_a_number(gradient, w, learning_rate, steps):
    for _ in range(steps):
        w = w - learning_rate * gradient  # gradient used as a number, not called
    return w


def _gradient_given_the_rate(gradient, w, learning_rate, steps):
    for _ in range(steps):
        w = w - gradient(w, learning_rate)  # gradient called with the learning rate as well
    return w


# What a learner who misuses `gradient` sees: never the name of the checker's gradient class.
NOT_A_NUMBER = (
    "`gradient` is a function, not a number: call it on w, `gradient(w)`, to get the gradient at the "
    "current w, then subtract `learning_rate * gradient(w)`."
)
TAKES_W = (
    "`gradient` takes one argument, w: call `gradient(w)` to get the gradient at the current w, and "
    "multiply the result by `learning_rate` yourself."
)

CASES = {
    "q1": Cases(
        right=[lambda w, x, y: 2 * np.dot(w * x - y, x) / len(x), lambda w, x, y: float(np.mean(2 * (w * x - y) * x))],
        mistakes=[
            (lambda w, x, y: None, "your function returns None; end it with `return` and the result."),
            (
                lambda w, x, y: "0.5",
                (
                    "for the input 2.0, [1.0, 2.0, 3.0], [1.0, 3.0, 2.0] your function returns 0.5, but it should "
                    "return 10. The gradient is the mean over the examples of 2 * (w * x - y) * x."
                ),
            ),
            (
                lambda w, x, y: np.mean(2 * (w * x - y) * x) + 0.1,
                (
                    "for the input 2.0, [1.0, 2.0, 3.0], [1.0, 3.0, 2.0] your function returns 10.1, but it should "
                    "return 10. The gradient is the mean over the examples of 2 * (w * x - y) * x."
                ),
            ),
            (
                lambda w, x, y: [1, 2],
                (
                    "for the input 2.0, [1.0, 2.0, 3.0], [1.0, 3.0, 2.0] your output has shape (2,) but should be "
                    "one number. The gradient is the mean over the examples of 2 * (w * x - y) * x."
                ),
            ),
        ],
    ),
    "q2": Cases(
        right=[_descend],
        mistakes=[
            (
                lambda gradient, w, learning_rate, steps: None,
                "your function returns None; end it with `return` and the result.",
            ),
            (lambda gradient, w, learning_rate, steps: "w", "your function returns str, not an array of numbers."),
            (
                lambda gradient, w, learning_rate, steps: _descend(gradient, w, learning_rate / 2, steps),
                (
                    "for the input the gradient 2 * (w - 3) of (w - 3)**2, 0.0, 0.1, 15 your function returns "
                    "2.38233, but it should return 2.89445. Start from w and repeat `steps` times: w = w - "
                    "learning_rate * gradient(w)."
                ),
            ),
            (_gradient_as_a_number, NOT_A_NUMBER),
            (_gradient_given_the_rate, TAKES_W),
            (lambda gradient, w, learning_rate, steps: w - learning_rate * gradient(), TAKES_W),
            (lambda gradient, w, learning_rate, steps: w - learning_rate * gradient.shape, NOT_A_NUMBER),
        ],
        wrong=[lambda gradient, w, learning_rate, steps: w - learning_rate * gradient(w)[0]],  # Python's own error
    ),
    "q3": Cases(
        right=[32.0, np.int64(32)],
        mistakes=[
            ("32", "The number of updates should be a number, such as 10, but you gave str '32'."),
            (
                32.5,
                (
                    "The number of updates is a whole number, but you gave 32.5. A step is one update with one "
                    "batch, and the last batch may hold fewer images."
                ),
            ),
            (None, "The number of updates should be a number, such as 10, but you gave NoneType None."),
            (0, "0 is not right. An epoch makes one update per batch: ceil(N / B) of them."),
        ],
    ),
}
