"""Exercises of notebook 05 (Fashion-MNIST with a dense network).

``q1`` per-class accuracy from a small confusion matrix, ``q2`` the best epoch of a
training history, ``q3`` why the test set must not steer early stopping.
Each checker lists the answers it must accept (``right``) and typical mistakes it
must reject (``wrong``); the test suite runs them all.

Use in the notebook::

    from helpers.exercises import nb05 as ex
    ex.q1.check(answer)   # ex.q1.hint(), ex.q1.solution()
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .framework import legacy as Exercise, Wrong, expect_array

# ------------------------------------------------------------- q1: per-class accuracy

Q1_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Shirt")
# Rows: true class, columns: predicted class (the layout of the notebook's heatmap).
Q1_CONFUSION = np.array([
    [84, 1, 3, 12],
    [2, 194, 1, 3],
    [5, 0, 120, 25],
    [30, 2, 18, 50],
])

_Q1_DIAG = np.diag(Q1_CONFUSION).astype(float)
_Q1_EXPECTED = _Q1_DIAG / Q1_CONFUSION.sum(axis=1)  # [0.84, 0.97, 0.80, 0.50]


def _check_q1(answer: Any) -> str:
    if isinstance(answer, (str, bytes)):
        raise Wrong("give the answer as numbers (a list or an array of 4 fractions), not as text.")
    if answer is None:
        raise Wrong("the answer is None: did your computation return nothing? Give an array of 4 fractions.")
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"the answer should be an array of 4 numbers, but you gave {type(answer).__name__}.") from None
    if got.ndim == 0:
        if np.isclose(float(got), _Q1_DIAG.sum() / Q1_CONFUSION.sum(), atol=1e-3):
            raise Wrong(
                f"{float(got):.4f} is the overall accuracy (trace / total). Per-class accuracy is one "
                f"number per class: 4 numbers here."
            )
        raise Wrong("the answer is a single number; per-class accuracy has one number per class (4 here).")
    if got.shape == (4, 4):
        raise Wrong("you gave a 4x4 matrix (perhaps the matrix divided by its row sums); the answer is only "
                    "its diagonal: one fraction per class.")
    if got.shape == _Q1_EXPECTED.shape and not np.allclose(got, _Q1_EXPECTED, atol=1e-3):
        columns = _Q1_DIAG / Q1_CONFUSION.sum(axis=0)
        known = {
            "you divided by the column sums. A column holds every image PREDICTED as that class, so this "
            "is the precision ('when the model says Shirt, how often is it right?'). Per-class accuracy "
            "divides by the row sums: all images that truly belong to the class.": columns,
            "these are counts of correct predictions; divide each by the number of images of its class "
            "(the row sum).": _Q1_DIAG,
            "these look like percentages; give fractions between 0 and 1.": 100 * _Q1_EXPECTED,
            "you divided by the total number of images in the matrix. Each class needs its own "
            "denominator: the number of images of that class (its row sum).": _Q1_DIAG / Q1_CONFUSION.sum(),
            "these are the error rates (1 - accuracy): the fraction of each class the model got wrong.":
                1 - _Q1_EXPECTED,
        }
        for message, values in known.items():
            if np.allclose(got, values, atol=1e-3):
                raise Wrong(message)
    expect_array(got, _Q1_EXPECTED, what="your per-class accuracy", atol=1e-3)
    return ("Shirt is right only half the time, and its row shows why: 30 of its images were taken for a "
            "T-shirt/top and 18 for a pullover.")


q1 = Exercise(
    name="q1",
    prompt="From the 4x4 confusion matrix Q1_CONFUSION (rows: true class, columns: predicted class) compute "
           "the per-class accuracy: for each class, the fraction of its images that were classified correctly.",
    checker=_check_q1,
    hint_text="The correct predictions are on the diagonal (`np.diag`). How many images of a class are "
              "there? Add up its row: `matrix.sum(axis=1)`.",
    solution_text="`answer = np.diag(ex.Q1_CONFUSION) / ex.Q1_CONFUSION.sum(axis=1)`, which gives "
                  "`[0.84, 0.97, 0.8, 0.5]`. Dividing by the column sums (`axis=0`) would give the "
                  "precision instead.",
    right=[[0.84, 0.97, 0.80, 0.50], np.array([0.84, 0.97, 0.8, 0.5]), _Q1_EXPECTED, (0.8401, 0.97, 0.8, 0.4999)],
    wrong=[
        _Q1_DIAG / Q1_CONFUSION.sum(axis=0),  # precision
        _Q1_DIAG,  # counts
        [84, 97, 80, 50],  # percentages
        _Q1_DIAG / Q1_CONFUSION.sum(),  # one denominator for all
        1 - _Q1_EXPECTED,  # error rates
        _Q1_DIAG.sum() / Q1_CONFUSION.sum(),  # overall accuracy
        Q1_CONFUSION / Q1_CONFUSION.sum(axis=1, keepdims=True),  # the whole normalised matrix
        [0.84, 0.97, 0.80],  # a class missing
        [0.84, 0.97, 0.80, 0.60],  # a slip
        "0.84, 0.97, 0.8, 0.5",  # text
        None,
    ],
)

# ------------------------------------------------------------------ q2: the best epoch

# A training history as `model.fit(...).history` returns it: one value per epoch, 12 epochs.
HISTORY = {
    "loss": [0.502, 0.378, 0.338, 0.313, 0.294, 0.279, 0.266, 0.254, 0.243, 0.233, 0.224, 0.216],
    "accuracy": [0.823, 0.863, 0.876, 0.884, 0.891, 0.896, 0.901, 0.905, 0.909, 0.913, 0.916, 0.919],
    "val_loss": [0.420, 0.380, 0.361, 0.346, 0.338, 0.332, 0.336, 0.341, 0.347, 0.356, 0.362, 0.375],
    "val_accuracy": [0.850, 0.862, 0.869, 0.874, 0.877, 0.880, 0.881, 0.883, 0.880, 0.879, 0.881, 0.878],
}
_Q2_INDEX = int(np.argmin(HISTORY["val_loss"]))  # 5
_Q2_EPOCH = _Q2_INDEX + 1  # 6, counted from 1 as Keras prints "Epoch 6/12"


def _check_q2(answer: Any) -> str:
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer, float, np.floating)):
        raise Wrong(f"give the epoch as a whole number, such as 3; you gave {type(answer).__name__} {answer!r}.")
    if float(answer) != int(answer):
        raise Wrong(f"{answer} is not a whole number; epochs are counted 1, 2, 3, ...")
    epoch = int(answer)
    if epoch == _Q2_EPOCH:
        return (f"validation loss is lowest after epoch {_Q2_EPOCH} ({HISTORY['val_loss'][_Q2_INDEX]}); from "
                f"then on it rises while training loss keeps falling. EarlyStopping(monitor='val_loss', "
                f"restore_best_weights=True) would hand back the weights of epoch {_Q2_EPOCH}.")
    n = len(HISTORY["loss"])
    if epoch == _Q2_INDEX:
        raise Wrong(f"{epoch} is the position of the minimum in the Python list, which counts from 0 "
                    f"(np.argmin). Keras and the plots count epochs from 1: add 1.")
    if epoch == int(np.argmax(HISTORY["val_accuracy"])) + 1:
        raise Wrong(f"epoch {epoch} has the highest validation ACCURACY. The question asks about validation "
                    f"loss, which is what EarlyStopping watches by default; the two need not peak together.")
    if epoch in (n, int(np.argmin(HISTORY["loss"])) + 1):
        raise Wrong(f"epoch {epoch} is the last one, where the TRAINING loss is lowest; training loss falls "
                    f"all the way. Look at val_loss instead.")
    if epoch == _Q2_EPOCH + 1:
        raise Wrong(f"epoch {epoch} is the first one where validation loss went up again; the best weights "
                    f"are those of the epoch before it.")
    if not 1 <= epoch <= n:
        raise Wrong(f"the history has {n} epochs, numbered 1 to {n}; {epoch} is not one of them.")
    raise Wrong(f"at epoch {epoch} validation loss is {HISTORY['val_loss'][epoch - 1]}, but it gets lower "
                f"elsewhere. Find the smallest value of HISTORY['val_loss'].")


q2 = Exercise(
    name="q2",
    prompt="HISTORY is the history of a 12-epoch run. At which epoch (counted from 1, as Keras prints them) "
           "is the validation loss lowest, that is, after which epoch does the model start to overfit?",
    checker=_check_q2,
    hint_text="`np.argmin(HISTORY['val_loss'])` finds the position of the smallest validation loss, "
              "counting from 0. Keras prints the first epoch as 'Epoch 1/12'.",
    solution_text=f"`answer = int(np.argmin(ex.HISTORY['val_loss'])) + 1`, which is {_Q2_EPOCH}: "
                  f"validation loss falls to {HISTORY['val_loss'][_Q2_INDEX]} and rises after that.",
    right=[_Q2_EPOCH, np.int64(_Q2_EPOCH), float(_Q2_EPOCH)],
    wrong=[_Q2_INDEX, 8, 12, 7, 1, 0, 13, 6.5, "6", [6], True, None],
)

# --------------------------------------------------------- q3: no early stopping on test

Q3_CHOICES = {
    "a": "The test set is too small to measure accuracy reliably.",
    "b": "Picking the epoch by its test score makes the test set part of the training decisions, so the "
         "test accuracy is no longer an honest estimate for new images: it comes out too optimistic.",
    "c": "Keras raises an error when validation_data is the test set.",
    "d": "The test images would then be used by gradient descent to update the weights.",
}
_Q3_FEEDBACK = {
    "a": "with 10,000 test images the standard error of an accuracy near 88% is about 0.3 percentage "
         "points; size is not the problem. Think about what happens to the test score once it has been used to choose something.",
    "c": "Keras accepts any arrays as validation_data and will not stop you. That is why you have to keep "
         "the test set out yourself.",
    "d": "validation data never updates the weights: fit only evaluates the model on it. The leak is subtler: "
         "the test score would choose the epoch (and the weights that are kept).",
}


def _check_q3(answer: Any) -> str:
    if not isinstance(answer, str):
        raise Wrong(f"answer with one letter as a string, for example 'a'; you gave {type(answer).__name__}.")
    letter = answer.strip().strip("()").strip().lower()
    if letter == "b":
        return ("every decision taken by looking at a data set (when to stop, which model to keep) fits the "
                "model a little to that set. The validation set pays that price so that the test set can "
                "stay untouched for one final, honest measurement.")
    if letter in _Q3_FEEDBACK:
        raise Wrong(_Q3_FEEDBACK[letter])
    raise Wrong(f"{answer!r} is not one of the choices; answer with one of 'a', 'b', 'c' or 'd'.")


q3 = Exercise(
    name="q3",
    prompt="Why must the test set not be passed as validation_data to a model trained with EarlyStopping? "
           + " ".join(f"({k}) {v}" for k, v in Q3_CHOICES.items()),
    checker=_check_q3,
    hint_text="EarlyStopping with restore_best_weights=True chooses which weights you keep by the score on "
              "validation_data. What is a score worth once it has been used to choose?",
    solution_text="`answer = 'b'`. A score used to make a choice is biased towards that choice; only data "
                  "that played no part in any decision gives an honest estimate.",
    right=["b", "B", " (b) "],
    wrong=["a", "c", "d", "e", "bc", 2, None],
)
