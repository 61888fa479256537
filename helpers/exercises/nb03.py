"""Exercises of notebook 03 (activations): softmax, leaky ReLU, output layer and loss.

Use in the notebook::

    from helpers.exercises import nb03 as ex
    ex.q1.check(answer)   # ex.q1.hint(), ex.q1.solution()
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from ..reference import leaky_relu, softmax
from .framework import legacy as Exercise, Wrong, expect_array, plain_name

# ---------------------------------------------------------------------------------------- q1


def _fmt(z: np.ndarray) -> str:
    """A score vector as a learner would type it: [1000, 1001, 1002]."""
    return "[" + ", ".join(f"{v:g}" for v in np.asarray(z).ravel()) + "]"


def _call_quietly(fn: Callable, z: np.ndarray) -> Any:
    """Call the learner's function without letting NumPy's overflow warnings through."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(z.copy())


_SOFTMAX_CASES = [np.array([0.5, 1.5, 1.0, 1.2])] + [
    np.round(np.random.default_rng(3).normal(0, 3, size=n), 2) for n in (3, 5, 10)
]
_SOFTMAX_HUGE = [np.array([1000.0, 1001.0, 1002.0]), np.array([-1000.0, 0.0, 1000.0]),
                 np.array([-1002.0, -1001.0, -1000.0])]


def _check_stable_softmax(fn: Any) -> str:
    if not callable(fn):
        raise Wrong(
            f"the answer should be your function itself (answer = stable_softmax, without "
            f"parentheses), but you gave {type(fn).__name__}."
        )
    for z in _SOFTMAX_CASES + _SOFTMAX_HUGE:
        out = _call_quietly(fn, z)
        if out is None:
            raise Wrong("your function returns None: did you forget the `return` line?")
        try:
            got = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            raise Wrong(f"your function should return an array of numbers, but it returns "
                        f"{type(out).__name__}.") from None
        if got.shape != z.shape:
            raise Wrong(f"for {len(z)} scores your function returns shape {got.shape}; "
                        f"it should return one probability per score, shape {z.shape}.")
        bad = got[~np.isfinite(got)]
        if bad.size:
            word = "nan" if np.isnan(bad).any() else "inf"
            raise Wrong(f"your function returns {word} for {_fmt(z)}: subtract the maximum first.")
        total = got.sum()
        if not np.isclose(total, 1.0, atol=1e-6):
            raise Wrong(f"your outputs sum to {total:.3g} instead of 1 for the scores {_fmt(z)}: "
                        f"divide the exponentials by their sum.")
        expected = softmax(z)
        if not np.allclose(got, expected, atol=1e-6):
            raise Wrong(f"your outputs sum to 1, but they are not the softmax of {_fmt(z)}: "
                        f"you return {np.round(got, 4)}, expected {np.round(expected, 4)}. "
                        f"Use exp(z - max(z)) divided by its sum.")
    return "your softmax is right on ordinary scores and stays finite on scores like [1000, 1001, 1002]."


def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum()


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


q1 = Exercise(
    name="q1",
    prompt="Write stable_softmax(z): the softmax of a 1-D array of scores, finite even for scores like "
           "[1000, 1001, 1002].",
    checker=_check_stable_softmax,
    hint_text="Shift the scores first: `shifted = z - np.max(z)`. The largest shifted score is 0, so no "
              "`np.exp` overflows, and the shift does not change the result. Then divide the "
              "exponentials by their sum.",
    solution_text="""
```python
def stable_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z))  # the largest exponent is exp(0) = 1
    return e / np.sum(e)

answer = stable_softmax
```""",
    right=[_stable_softmax, _log_sum_exp_softmax, softmax],
    wrong=[
        _naive_softmax,                                                  # overflows: nan
        lambda z: np.exp(z - np.max(z)),                                 # not normalised
        lambda z: np.exp(z - np.max(z)) / np.max(np.exp(z - np.max(z))),  # divides by the maximum
        lambda z: np.exp(z - np.min(z)) / np.sum(np.exp(z - np.min(z))),  # shifts by the minimum
        lambda z: (z == np.max(z)).astype(float),                        # one-hot of the argmax
        lambda z: z / np.sum(z),                                         # no exponential
        lambda z: None,                                                  # forgot return
        np.array([0.09, 0.24, 0.67]),                                    # a result, not a function
        _raises,                                                         # raises: 'error'
    ],
)

# ---------------------------------------------------------------------------------------- q2

Q2_X = np.array([-4.0, -1.5, 0.0, 0.5, 3.0])
Q2_ALPHA = 0.1


def _check_leaky(answer: Any) -> str:
    expected = leaky_relu(Q2_X, Q2_ALPHA)
    try:
        got = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"the answer should be an array (or list) of 5 numbers, but you gave "
                    f"{type(answer).__name__}.") from None
    if got.shape == expected.shape and not np.allclose(got, expected, atol=1e-6):
        known = {
            "you applied plain ReLU: leaky ReLU does not set negative inputs to 0, it multiplies "
            "them by alpha = 0.1.": np.maximum(Q2_X, 0.0),
            "these are the values for alpha = 0.3, the default of keras.layers.LeakyReLU; "
            "this exercise uses alpha = 0.1.": leaky_relu(Q2_X, 0.3),
            "these are the values for alpha = 0.2, the default of keras.activations.leaky_relu; "
            "this exercise uses alpha = 0.1.": leaky_relu(Q2_X, 0.2),
            "positive inputs pass through leaky ReLU unchanged; only negative ones are "
            "multiplied by alpha.": Q2_ALPHA * Q2_X,
            "check the signs: a negative input times alpha = 0.1 is still negative.": np.abs(expected),
            "you multiplied the positive inputs by alpha instead of the negative ones.":
                np.where(Q2_X > 0, Q2_ALPHA * Q2_X, Q2_X),
        }
        for message, values in known.items():
            if np.allclose(got, values, atol=1e-6):
                raise Wrong(message)
    expect_array(got, expected, what="your leaky ReLU output", atol=1e-6)
    return "negative inputs shrink to a tenth, positive ones pass unchanged."


q2 = Exercise(
    name="q2",
    prompt="Write down (by hand, as a list) the output of leaky ReLU with alpha = 0.1 on "
           "x = [-4.0, -1.5, 0.0, 0.5, 3.0].",
    checker=_check_leaky,
    hint_text="Leaky ReLU keeps x when x > 0 and gives alpha * x otherwise. Go through the five "
              "numbers one by one; only the negative ones change.",
    solution_text="`answer = [-0.4, -0.15, 0.0, 0.5, 3.0]`; in Keras: "
                  "`keras.activations.leaky_relu(x, negative_slope=0.1)`.",
    right=[[-0.4, -0.15, 0.0, 0.5, 3.0], np.array([-0.4, -0.15, 0.0, 0.5, 3.0]), (-0.4, -0.15, -0.0, 0.5, 3)],
    wrong=[
        [0.0, 0.0, 0.0, 0.5, 3.0],          # plain ReLU
        [-1.2, -0.45, 0.0, 0.5, 3.0],       # alpha 0.3
        [-0.8, -0.3, 0.0, 0.5, 3.0],        # alpha 0.2
        [-0.4, -0.15, 0.0, 0.05, 0.3],      # everything times alpha
        [0.4, 0.15, 0.0, 0.5, 3.0],         # sign lost
        [-4.0, -1.5, 0.0, 0.05, 0.3],       # alpha on the wrong side
        [-0.4, -0.15, 0.5, 3.0],            # a value missing
        [-0.4, -0.15, 0.0, 0.5, 30.0],      # a slip
        "-0.4, -0.15, 0, 0.5, 3",           # a string, not numbers
    ],
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


def _name(item: Any) -> str:
    """A lower-case name without separators, for a string, a function or a Keras object."""
    return plain_name(item)


def _parse_pair(answer: Any) -> tuple[str, str]:
    if isinstance(answer, str) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Wrong("answer with a pair (activation, loss), for example ('tanh', 'mse').")
    activation, loss = (_name(item) for item in answer)
    if activation == "identity" or activation == "none":
        activation = "linear"
    if activation not in ACTIVATIONS:
        raise Wrong(f"'{answer[0]}' is not an output activation this notebook uses; "
                    f"pick one of {', '.join(ACTIVATIONS)}.")
    if loss not in LOSSES:
        raise Wrong(f"'{answer[1]}' is not a loss this notebook uses; pick one of binary_crossentropy, "
                    f"categorical_crossentropy, sparse_categorical_crossentropy, mse.")
    return activation, LOSSES[loss]


def _output_checker(right: tuple[str, str], advice: dict[tuple[str, str], str],
                    default_activation: str, default_loss: str, praise: str) -> Callable[[Any], str]:
    """A checker for a (activation, loss) answer, with advice for the pairs learners often pick.

    ``advice`` maps a pair to its feedback; ``"*"`` in a pair matches anything.
    """

    def check(answer: Any) -> str:
        pair = _parse_pair(answer)
        if pair == right:
            return praise
        for (act, loss), message in advice.items():
            if act in ("*", pair[0]) and loss in ("*", pair[1]):
                raise Wrong(message)
        if pair[0] != right[0]:
            raise Wrong(default_activation)
        raise Wrong(default_loss)

    return check


q3 = Exercise(
    name="q3",
    prompt="A model looks at a photo and says whether it shows a horse (0) or a human (1). Its last "
           "layer has ONE unit that outputs the probability of 'human'. Which output activation and "
           "which loss? Answer with a pair such as ('tanh', 'mse').",
    checker=_output_checker(
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
        "one sigmoid unit gives P(human), and 1 - P(human) is P(horse).",
    ),
    hint_text="Only one function squashes a single score into (0, 1) on its own. The loss is the "
              "cross-entropy for two classes.",
    solution_text="`answer = (\"sigmoid\", \"binary_crossentropy\")`: "
                  "`keras.layers.Dense(1, activation=\"sigmoid\")` with "
                  "`loss=keras.losses.BinaryCrossentropy()`.",
    right=[("sigmoid", "binary_crossentropy"), ["Sigmoid", "BinaryCrossentropy"],
           ("sigmoid", "binary cross-entropy")],
    wrong=[
        ("softmax", "binary_crossentropy"),
        ("softmax", "categorical_crossentropy"),
        ("sigmoid", "categorical_crossentropy"),
        ("sigmoid", "sparse_categorical_crossentropy"),
        ("sigmoid", "mse"),
        ("linear", "binary_crossentropy"),
        ("relu", "binary_crossentropy"),
        ("tanh", "mse"),
        ("sigmod", "binary_crossentropy"),
        ("sigmoid", "hinge"),
        "sigmoid",
        ("sigmoid",),
    ],
)

q4 = Exercise(
    name="q4",
    prompt="A model sorts Fashion-MNIST images into 10 classes; each image has exactly one class, and "
           "the labels are stored as integers 0-9. The last layer has 10 units. Which output "
           "activation and which loss? Answer with a pair such as ('tanh', 'mse').",
    checker=_output_checker(
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
        "softmax turns the 10 scores into probabilities, and the sparse loss reads integer labels directly.",
    ),
    hint_text="The probabilities of the 10 classes must sum to 1. Of the two categorical "
              "cross-entropies, one reads one-hot labels, the other integer labels.",
    solution_text="`answer = (\"softmax\", \"sparse_categorical_crossentropy\")`: "
                  "`keras.layers.Dense(10, activation=\"softmax\")` with "
                  "`loss=keras.losses.SparseCategoricalCrossentropy()`.",
    right=[("softmax", "sparse_categorical_crossentropy"), ("Softmax", "SparseCategoricalCrossentropy")],
    wrong=[
        ("softmax", "categorical_crossentropy"),
        ("sigmoid", "binary_crossentropy"),
        ("sigmoid", "sparse_categorical_crossentropy"),
        ("softmax", "binary_crossentropy"),
        ("softmax", "mse"),
        ("relu", "sparse_categorical_crossentropy"),
        ("linear", "sparse_categorical_crossentropy"),
        ("softmax", "sparse_categorical_crossentropy", "adam"),
    ],
)
