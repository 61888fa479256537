"""Answers to test the exercises of notebook 05 with (see ``__init__.py``)."""

from __future__ import annotations

import keras

from helpers.exercises import ____
from helpers.exercises.nb05 import _RightCallback

from . import Cases


class _RightWithThreshold(keras.callbacks.Callback):
    def __init__(self, threshold=0.98):
        super().__init__()
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if logs.get("val_accuracy", 0.0) > self.threshold:
            print(f"validation accuracy above {self.threshold:.0%} after epoch {epoch + 1}: stopping")
            self.model.stop_training = True


class _BodyAbovePass(keras.callbacks.Callback):  # the learner wrote the body and kept the stub's `pass`
    def on_epoch_end(self, epoch, logs=None):
        if logs["val_accuracy"] > 0.98:
            self.model.stop_training = True
        pass  # your code here: read logs, set self.model.stop_training


class _BodyAboveReturnBlank(keras.callbacks.Callback):  # an older stub's `return ____` kept below the body
    def on_epoch_end(self, epoch, logs=None):
        if logs["val_accuracy"] > 0.98:
            self.model.stop_training = True
        return ____


def _wrong(body):
    """A Callback subclass whose on_epoch_end is ``body`` (for the checker's tests)."""
    return type("LearnerCallback", (keras.callbacks.Callback,), {"on_epoch_end": body})


def _set_flag(self, condition):
    if condition:
        self.model.stop_training = True


def _q4_untrained(x, y):  # builds and compiles, forgets to fit
    model = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _q4_returns_history(x, y):  # returns what fit gives back
    model = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model.fit(x, y, epochs=1, verbose=0)


def _q4_one_epoch_sgd(x, y):  # trains, but far too little to reach the target
    model = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=256, verbose=0)
    return model


def _q4_three_outputs(x, y):  # the wrong number of output units
    model = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _q4_not_compiled(x, y):  # fit before compile
    model = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )
    model.fit(x, y, epochs=1, verbose=0)
    return model


CASES = {
    "q1": Cases(
        right=[_RightWithThreshold, _RightCallback(), _BodyAbovePass, _BodyAboveReturnBlank],
        wrong=[
            _wrong(lambda self, epoch, logs=None: _set_flag(self, logs.get("val_acc", 0) > 0.98)),
            _wrong(lambda self, epoch, logs=None: logs["val_accuracy"] > 0.98),
            _wrong(lambda self, epoch, logs=None: _set_flag(self, logs["val_accuracy"] < 0.98)),
            _wrong(lambda self, epoch, logs=None: _set_flag(self, logs["val_accuracy"] > 0.99)),
            _wrong(lambda self, epoch, logs=None: _set_flag(self, epoch >= 3)),
            _wrong(lambda self, logs=None: None),
            _wrong(lambda self, epoch, logs=None: 1 / 0),
            type("NotACallback", (), {"on_epoch_end": lambda self, epoch, logs=None: None}),
            "StopAtValAccuracy",
            0.98,
        ],
        mistakes=[
            (
                _wrong(lambda self, epoch, logs=None: _set_flag(self, logs["val_accuracy"] >= 0.98)),
                "your callback stopped at a validation accuracy of exactly 0.98; 'passes 98%' means "
                "strictly above: use > rather than >=.",
            ),
            (
                _wrong(lambda self, epoch, logs=None: _set_flag(self, logs["val_acc"] > 0.98)),
                "you read logs['val_acc'], an old Keras name; Keras 3 writes the metric's full name, "
                "so the keys are 'accuracy', 'loss', 'val_accuracy' and 'val_loss'. Use "
                "'val_accuracy'.",
            ),
            (
                _wrong(lambda self, epoch, logs=None: _set_flag(self, logs.get("val_acc") > 0.98)),
                "you read logs['val_acc'], an old Keras name; Keras 3 writes the metric's full name, "
                "so the keys are 'accuracy', 'loss', 'val_accuracy' and 'val_loss'. Use "
                "'val_accuracy'.",
            ),
            (
                _wrong(lambda self, epoch, logs=None: _set_flag(self, logs["accuracy"] > 0.98)),
                "your callback reads logs['accuracy'], the training accuracy; this one should watch "
                "the validation accuracy, logs['val_accuracy'].",
            ),
            (
                _wrong(lambda self, epoch, logs=None: setattr(self, "stop_training", logs["val_accuracy"] > 0.98)),
                "you set self.stop_training = True, but Keras reads the flag on the model: set "
                "self.model.stop_training = True.",
            ),
            (
                type("NoEpochEnd", (keras.callbacks.Callback,), {}),
                "NoEpochEnd does not define on_epoch_end(self, epoch, logs=None), so it never looks "
                "at the logs after an epoch.",
            ),
        ],
    ),
    "q2": Cases(
        right=[109386.0],
        mistakes=[
            (
                109_000,
                "109,000 is not right. Count layer by layer with (inputs + 1) * units, then add the three layers up.",
            ),
            ("109386", "The number of parameters should be a number, but you gave str '109386'."),
            (None, "The number of parameters should be a number, but you gave NoneType None."),
        ],
    ),
    "q3": Cases(
        right=[
            "CategoricalCrossentropy",
            keras.losses.CategoricalCrossentropy,
            keras.losses.CategoricalCrossentropy(),
            keras.losses.categorical_crossentropy,
            "categorical cross-entropy",
        ],
        mistakes=[
            (
                keras.losses.BinaryCrossentropy(),
                (
                    "binary cross-entropy treats the 10 outputs as 10 independent yes/no questions (multi-label). "
                    "It runs without an error, but it averages ten yes/no losses instead of taking -log of the "
                    "probability of the one right class, the loss of one class out of ten."
                ),
            ),
            (
                keras.losses.SparseCategoricalCrossentropy(),
                (
                    "the sparse loss reads one integer per image (shape (N,)); these labels are one-hot rows of "
                    "shape (N, 10). Its non-sparse sibling reads those."
                ),
            ),
            (
                "mean_absolute_error",
                (
                    "mean absolute error is for regression (predicting numbers); for class probabilities use a "
                    "cross-entropy."
                ),
            ),
            (
                "cross_entropy",
                (
                    "which cross-entropy? Keras has three: binary_crossentropy, categorical_crossentropy and "
                    "sparse_categorical_crossentropy."
                ),
            ),
            (
                3,
                (
                    "3 is not a Keras loss this notebook uses; answer with a loss name such as 'mse' or a class "
                    "such as keras.losses.MeanSquaredError."
                ),
            ),
        ],
    ),
    "q4": Cases(
        wrong=[_q4_one_epoch_sgd, _q4_not_compiled, "train_digits"],
        mistakes=[
            (
                _q4_untrained,
                "the model was never trained: call model.fit(x, y, ...) inside your function before "
                "returning the model.",
            ),
            (
                _q4_returns_history,
                "train_digits(x, y) returned the History that fit() gives back; return the model itself.",
            ),
            (
                _q4_three_outputs,
                (
                    "the model's output has shape (3,) for one image, but it should give one score per "
                    'class: (10,). End it with Dense(10, activation="softmax").'
                ),
            ),
        ],
    ),
}
