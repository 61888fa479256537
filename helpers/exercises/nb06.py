"""Exercises of notebook 06 (Fashion-MNIST with a dense network): per-class accuracy, best epoch, test set."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .building import Code
from .building import call as _call
from .building import expect_model as _expect_model
from .building import input_shape as _input_shape
from .framework import Choice, Number, Wrong, code_of
from .framework import numpy as _numpy
from .framework import output as _output

# ------------------------------------------------------------- q1: per-class accuracy

Q1_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Shirt")
# Rows: true class, columns: predicted class (the layout of the notebook's heatmap).
Q1_CONFUSION = np.array(
    [
        [84, 1, 3, 12],
        [2, 194, 1, 3],
        [5, 0, 120, 25],
        [30, 2, 18, 50],
    ]
)

_Q1_DIAG = np.diag(Q1_CONFUSION).astype(float)
_Q1_EXPECTED = _Q1_DIAG / Q1_CONFUSION.sum(axis=1)  # [0.84, 0.97, 0.80, 0.50]


q1 = Number(
    _Q1_EXPECTED,
    title="per-class accuracy from a confusion matrix",
    what="Your per-class accuracy",
    example="[0.5, 0.5, 0.5, 0.5]",
    tol=1e-3,
    praise=(
        "Shirt is right only half the time, and its row shows why: 30 of its images were taken for a "
        "T-shirt/top and 18 for a pullover."
    ),
    mistakes=[
        (
            _Q1_DIAG / Q1_CONFUSION.sum(axis=0),
            "you divided by the column sums. A column holds every image PREDICTED as that class, so this "
            "is the precision ('when the model says Shirt, how often is it right?'). Per-class accuracy "
            "divides by the row sums: all images that truly belong to the class.",
        ),
        (
            _Q1_DIAG,
            "these are counts of correct predictions; divide each by the number of images of its class (the row sum).",
        ),
        (100 * _Q1_EXPECTED, "these look like percentages; give fractions between 0 and 1."),
        (
            _Q1_DIAG / Q1_CONFUSION.sum(),
            "you divided by the total number of images in the matrix. Each class "
            "needs its own denominator: the number of images of that class (its "
            "row sum).",
        ),
        (1 - _Q1_EXPECTED, "these are the error rates (1 - accuracy): the fraction of each class the model got wrong."),
        (
            _Q1_DIAG.sum() / Q1_CONFUSION.sum(),
            f"{_Q1_DIAG.sum() / Q1_CONFUSION.sum():.4f} is the overall accuracy (trace / total, "
            f"{_Q1_DIAG.sum():.0f} / {Q1_CONFUSION.sum()}). Per-class accuracy is one number per class: "
            "4 numbers here.",
        ),
        (
            Q1_CONFUSION / Q1_CONFUSION.sum(axis=1, keepdims=True),
            "you gave a 4x4 matrix (the matrix divided by its row sums); the answer is only its diagonal: one "
            "fraction per class.",
        ),
    ],
    hint="The correct predictions are on the diagonal (`np.diag`). How many images of a class are "
    "there? Add up its row: `matrix.sum(axis=1)`.",
    solution="`answer = np.diag(ex.Q1_CONFUSION) / ex.Q1_CONFUSION.sum(axis=1)`, which gives "
    "`[0.84, 0.97, 0.8, 0.5]`. Dividing by the column sums (`axis=0`) would give the "
    "precision instead.",
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


q2 = Number(
    _Q2_EPOCH,
    title="the epoch with the lowest validation loss",
    what="The epoch",
    example="3",
    whole=True,
    why="Epochs are counted 1, 2, 3, ...",
    praise=(
        f"validation loss is lowest after epoch {_Q2_EPOCH} ({HISTORY['val_loss'][_Q2_INDEX]}); from "
        f"then on it rises while training loss keeps falling. EarlyStopping(monitor='val_loss', "
        f"restore_best_weights=True) would hand back the weights of epoch {_Q2_EPOCH}."
    ),
    mistakes=[
        (
            _Q2_INDEX,
            f"{_Q2_INDEX} is the position of the minimum in the Python list, which counts from 0 "
            f"(np.argmin). Keras and the plots count epochs from 1: add 1.",
        ),
        (
            int(np.argmax(HISTORY["val_accuracy"])) + 1,
            "epoch 8 has the highest validation ACCURACY. The question asks about validation loss, which is "
            "what EarlyStopping watches by default; the two need not peak together.",
        ),
        (
            len(HISTORY["loss"]),
            "epoch 12 is the last one, where the TRAINING loss is lowest; training loss "
            "falls all the way. Look at val_loss instead.",
        ),
        (
            _Q2_EPOCH + 1,
            f"epoch {_Q2_EPOCH + 1} is the first one where validation loss went up again; the "
            f"best weights are those of the epoch before it.",
        ),
    ],
    otherwise="Find the smallest value of HISTORY['val_loss']; the epochs are numbered 1 to 12.",
    hint="`np.argmin(HISTORY['val_loss'])` finds the position of the smallest validation loss, "
    "counting from 0. Keras prints the first epoch as 'Epoch 1/12'.",
    solution=f"`answer = int(np.argmin(ex.HISTORY['val_loss'])) + 1`, which is {_Q2_EPOCH}: "
    f"validation loss falls to {HISTORY['val_loss'][_Q2_INDEX]} and rises after that.",
)

# --------------------------------------------------------- q3: no early stopping on test

Q3_CHOICES = {
    "a": "The test set is too small to measure accuracy reliably.",
    "b": "Picking the epoch by its test score makes the test set part of the training decisions, so the "
    "test accuracy is no longer an honest estimate for new images: it comes out too optimistic.",
    "c": "Keras raises an error when validation_data is the test set.",
    "d": "The test images would then be used by gradient descent to update the weights.",
}
q3 = Choice(
    "b",
    options=Q3_CHOICES,
    title="why the test set must not steer early stopping",
    praise=(
        "every decision taken by looking at a data set (when to stop, which model to keep) fits the "
        "model a little to that set. The validation set pays that price so that the test set can "
        "stay untouched for one final, honest measurement."
    ),
    mistakes=[
        (
            "a",
            "with 10,000 test images the standard error of an accuracy near 88% is about 0.3 percentage "
            "points; size is not the problem. Think about what happens to the test score once it has been "
            "used to choose something.",
        ),
        (
            "c",
            "Keras accepts any arrays as validation_data and will not stop you. That is why you have to keep "
            "the test set out yourself.",
        ),
        (
            "d",
            "validation data never updates the weights: fit only evaluates the model on it. The leak is "
            "subtler: the test score would choose the epoch (and the weights that are kept).",
        ),
    ],
    hint="EarlyStopping with restore_best_weights=True chooses which weights you keep by the score on "
    "validation_data. What is a score worth once it has been used to choose?",
    solution="`answer = 'b'`. A score used to make a choice is biased towards that choice; only data "
    "that played no part in any decision gives an honest estimate.",
)

# ===================================================================== code exercises
# q4: a regularised model. The learner writes build_regularised(); the checker builds it and
# checks its layers, its parameter count, its L2 penalty, and that it behaves differently in
# training (dropout active) and at inference (deterministic).


Q4_L2 = 1e-4
Q4_RATE = 0.3
Q4_PARAMS = (784 + 1) * 128 + (128 + 1) * 10  # 101,770: Dropout and the penalty add none


def _check_q4(answer: Any) -> str:
    model = _expect_model(_call(answer, what="build_regularised()"), "build_regularised()")
    shape = _input_shape(model, "keras.Input((28, 28))")[1:]
    if shape != (28, 28):
        raise Wrong(
            f"the model takes images of shape {shape}; Fashion-MNIST images are (28, 28): keras.Input((28, 28))."
        )
    layers = list(model.layers)
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    dropouts = [layer for layer in layers if isinstance(layer, keras.layers.Dropout)]
    if len(dense) != 2:
        raise Wrong(
            f"the network of section 3 has two Dense layers (128 ReLU units, then 10 softmax "
            f"units); yours has {len(dense)}."
        )
    hidden, output = dense
    if hidden.units != 128 or output.units != 10:
        raise Wrong(
            f"the Dense layers have {hidden.units} and {output.units} units; keep the network of "
            f"section 3: Dense(128, relu), then Dense(10, softmax)."
        )
    if output.kernel_regularizer is not None and hidden.kernel_regularizer is None:
        raise Wrong(
            "the L2 penalty is on the output layer; put kernel_regularizer=keras.regularizers.L2(1e-4) "
            "on the hidden Dense(128) layer, whose 100,352 weights are the ones that can overfit."
        )
    penalty = hidden.kernel_regularizer
    if penalty is None:
        raise Wrong(
            "the hidden Dense layer has no kernel_regularizer: give it kernel_regularizer=keras.regularizers.L2(1e-4)."
        )
    config = penalty.get_config()
    if config.get("l1", 0.0):
        raise Wrong(
            f"the hidden layer has an L1 penalty ({type(penalty).__name__} with l1={config['l1']:g}); "
            f"the task asks for L2: keras.regularizers.L2(1e-4)."
        )
    if abs(config.get("l2", 0.0) - Q4_L2) > 1e-9:
        raise Wrong(f"the L2 factor is {config.get('l2', 0.0):g}; the task asks for {Q4_L2:g}.")
    if not dropouts:
        raise Wrong(
            f"the model has no Dropout layer: add keras.layers.Dropout({Q4_RATE}) between the hidden "
            f"Dense layer and the output layer."
        )
    if len(dropouts) > 1:
        raise Wrong(
            f"the model has {len(dropouts)} Dropout layers; the task asks for one, between the hidden "
            f"layer and the output."
        )
    position = layers.index(dropouts[0])
    if position > layers.index(output):
        raise Wrong(
            "the Dropout layer comes after the softmax: in training it would zero some of the "
            "probabilities and scale up the others, so they no longer sum to 1. Put it between the "
            "hidden layer and the output."
        )
    if position < layers.index(hidden):
        raise Wrong(
            "the Dropout layer comes before the hidden layer, so it drops input pixels; put it "
            "between the hidden Dense(128) and the output, where it drops hidden units."
        )
    if abs(dropouts[0].rate - Q4_RATE) > 1e-9:
        raise Wrong(f"the Dropout rate is {dropouts[0].rate:g}; the task asks for {Q4_RATE}.")
    if model.count_params() != Q4_PARAMS:
        raise Wrong(
            f"the model has {model.count_params():,} parameters, but the network of section 3 has "
            f"{Q4_PARAMS:,} and dropout and the penalty add none."
        )
    # behaviour: random in training, repeatable at inference, and the penalty reaches the loss
    images = np.random.default_rng(0).random((8, 28, 28)).astype("float32")
    first, second = (_output(model, images, training=False) for _ in range(2))
    in_training = _output(model, images, training=True)
    if not np.allclose(first, second):
        raise Wrong(
            "two predictions of the same images at inference differ; at inference the model must be deterministic."
        )
    if np.allclose(first, in_training):
        raise Wrong("in training mode the output equals the inference output, so dropout never acts.")
    if not model.losses:
        raise Wrong("the model collects no penalty term (model.losses is empty), so L2 never reaches the loss.")
    return (
        f"{Q4_PARAMS:,} parameters as before; in training dropout zeroes each of the 128 hidden values "
        f"with probability {Q4_RATE} at each step, and fit adds {Q4_L2:g} x the sum of the squared hidden "
        f"weights to the loss "
        f"({float(_numpy(sum(model.losses))):.4f} for these initial weights)."
    )


# fmt: off
def _q4_solution():
    return keras.Sequential([
        keras.Input((28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-4)),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(10, activation="softmax"),
    ])
# fmt: on


q4 = Code(
    _check_q4,
    answer=_q4_solution,
    stub="build_regularised",
    title="a regularised dense network",
    hint="Start from the list of layers in build_dense: pass "
    "kernel_regularizer=keras.regularizers.L2(1e-4) to the Dense(128) layer and insert "
    "keras.layers.Dropout(0.3) right after it. Return the model; compiling is not needed.",
    solution=code_of(_q4_solution, "build_regularised"),
)
