"""Exercises of notebook 05 (dense networks on MNIST): a stopping callback, a parameter count, a loss."""

from __future__ import annotations

import functools as _functools
import re
from types import SimpleNamespace
from typing import Any

import keras

from ..profile import get_profile as _get_profile
from .building import Code
from .building import call as _call
from .building import reach as _reach
from .framework import Check, Choice, LearnerError, Number, Wrong, _NotAttempted, code_of, plain_name, run

# ---------------------------------------------------------------------------------------- q1

Q1_THRESHOLD = 0.98
Q1_KEY = "val_accuracy"

# Sequences of epoch logs, as Keras 3 passes them to on_epoch_end, and the epoch (0-based, as
# Keras counts) at which training must stop; None: it must run to the end.
_TRAINING_ACC = [0.935, 0.975, 0.9855, 0.989, 0.991, 0.993, 0.995]  # above 0.98 from epoch 2 on
_Q1_RUNS = [
    # validation accuracy first exceeds 0.98 at epoch 3; it equals 0.98 exactly at epoch 2
    ([0.950, 0.972, 0.980, 0.9812, 0.983, 0.982, 0.984], 3),
    # never above 0.98 (the last one is exactly 0.98): must not stop at all
    ([0.940, 0.961, 0.972, 0.975, 0.978, 0.979, 0.980], None),
    # above 0.98 at once: must stop after the first epoch
    ([0.9805, 0.983, 0.985, 0.986, 0.987, 0.987, 0.988], 0),
]


class _Logs(dict):
    """The logs dict of one epoch; remembers which keys the callback asked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: list[str] = []

    def __getitem__(self, key):
        self.asked.append(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.asked.append(key)
        return super().get(key, default)


def _epoch_logs(epoch: int, val_accuracy: float) -> _Logs:
    train_acc = _TRAINING_ACC[epoch]
    return _Logs(
        {
            "accuracy": train_acc,
            "loss": round(0.3 * (1 - train_acc) / 0.07, 4),
            "val_accuracy": val_accuracy,
            "val_loss": round(0.25 * (1 - val_accuracy) / 0.05, 4),
        }
    )


_UNFILLED = "on_epoch_end still holds only `pass`; write its body in place of `pass` and run the cell again."


def _stub_body(self, epoch, logs=None):
    pass  # the notebook's stub: `pass  # your code here`


def _unfilled(method: Any) -> bool:
    """True for the stub as the notebook gives it: a body of nothing but `pass` (and comments)."""
    code = getattr(method, "__code__", None)
    if code is None:
        return False
    stub = _stub_body.__code__
    return (code.co_code, code.co_argcount, code.co_names) == (stub.co_code, stub.co_argcount, stub.co_names)


def _make_callback(answer: Any) -> keras.callbacks.Callback:
    if isinstance(answer, keras.callbacks.Callback):
        if _unfilled(type(answer).on_epoch_end):
            raise _NotAttempted(_UNFILLED)
        return answer
    if not isinstance(answer, type):
        raise Wrong(
            f"pass your callback class itself, ex.q1.check(StopAtValAccuracy) (no brackets), but you "
            f"gave {type(answer).__name__} {answer!r}."
        )
    if not issubclass(answer, keras.callbacks.Callback):
        raise Wrong(
            f"{answer.__name__} must subclass keras.callbacks.Callback, otherwise "
            f"model.fit() does not know how to call it: class {answer.__name__}"
            f"(keras.callbacks.Callback)."
        )
    if answer.on_epoch_end is keras.callbacks.Callback.on_epoch_end:
        raise Wrong(
            f"{answer.__name__} does not define on_epoch_end(self, epoch, logs=None), so it "
            f"never looks at the logs after an epoch."
        )
    if _unfilled(answer.on_epoch_end):
        raise _NotAttempted(_UNFILLED)  # the stub's `pass` is still the whole body
    try:
        return run(answer)
    except LearnerError as error:
        if isinstance(error.original, TypeError):
            raise Wrong(
                f"{answer.__name__}() could not be created without arguments ({error.original}); "
                f"give any argument of __init__ a default value."
            ) from None
        raise


def _run(callback: keras.callbacks.Callback, val_accs: list[float]) -> tuple[int | None, list[str]]:
    """Feed one sequence of epoch logs; return the epoch at which it stopped and the keys it read."""
    model = SimpleNamespace(stop_training=False)
    callback.set_model(model)
    asked: list[str] = []
    for epoch, val_acc in enumerate(val_accs):
        logs = _epoch_logs(epoch, val_acc)
        try:
            _call(callback.on_epoch_end, epoch, logs)  # a print in the callback is fine, but not shown here
        except LearnerError as error:
            _explain_error(error, logs)
        except _NotAttempted:  # `return ____` kept below a body that does the work: Keras ignores it too
            if not logs.asked and model.stop_training is not True:
                raise
        asked.extend(logs.asked)
        if getattr(callback, "stop_training", False) is True and model.stop_training is not True:
            raise Wrong(
                "you set self.stop_training = True, but Keras reads the flag on the model: "
                "set self.model.stop_training = True."
            )
        if model.stop_training is True:
            return epoch, asked
    return None, asked


def _explain_error(error: LearnerError, logs: _Logs) -> None:
    """Turn the usual errors of a callback into feedback; re-raise any other."""
    exc = error.original
    if isinstance(exc, KeyError):
        raise Wrong(_wrong_key_message(exc.args[0] if exc.args else "?")) from None
    if isinstance(exc, TypeError) and re.search(r"positional argument|unexpected keyword argument", str(exc)):
        raise Wrong(
            f"Keras calls on_epoch_end(epoch, logs): define it as def on_epoch_end(self, epoch, logs=None) ({exc})."
        ) from None
    missing = [k for k in logs.asked if k not in logs]
    if isinstance(exc, TypeError) and "NoneType" in str(exc) and missing:
        raise Wrong(_wrong_key_message(missing[0])) from None
    raise error


def _wrong_key_message(key: str) -> str:
    names = "'accuracy', 'loss', 'val_accuracy' and 'val_loss'"
    if key in ("val_acc", "acc"):
        return (
            f"you read logs['{key}'], an old Keras name; Keras 3 writes the metric's full name, "
            f"so the keys are {names}. Use '{Q1_KEY}'."
        )
    return f"you read logs['{key}'], which is not in the logs; the keys are {names}."


def _describe(epoch: int | None) -> str:
    return "never" if epoch is None else f"after epoch {epoch + 1} (epoch={epoch})"


def _check_callback(answer: Any) -> str:
    for val_accs, expected in _Q1_RUNS:
        callback = _make_callback(answer)
        stopped, asked = _run(callback, val_accs)
        if stopped == expected:
            continue
        shown = ", ".join(f"{v:g}" for v in val_accs)
        unknown = [k for k in asked if k not in ("accuracy", "loss", "val_accuracy", "val_loss")]
        if unknown:
            raise Wrong(_wrong_key_message(unknown[0]))
        if stopped is None and Q1_KEY in asked:
            raise Wrong(
                f"with validation accuracies {shown} your callback never stopped training, "
                f"though epoch {expected + 1} ({val_accs[expected]:g}) is above {Q1_THRESHOLD}. "
                f"Check the threshold and the comparison, and that you set "
                f"self.model.stop_training = True (returning True does not stop Keras)."
            )
        if stopped is None:
            raise Wrong(
                f"your callback never stopped training, and it did not read "
                f"logs['{Q1_KEY}']: the validation accuracy of the epoch is logs['{Q1_KEY}']."
            )
        if Q1_KEY not in asked:
            if "accuracy" in asked:
                raise Wrong(
                    "your callback reads logs['accuracy'], the training accuracy; this one should watch "
                    "the validation accuracy, logs['val_accuracy']."
                )
            raise Wrong(
                f"your callback stopped {_describe(stopped)} without reading "
                f"logs['{Q1_KEY}'], the validation accuracy it should watch."
            )
        if val_accs[stopped] == Q1_THRESHOLD and (expected is None or stopped < expected):
            raise Wrong(
                "your callback stopped at a validation accuracy of exactly 0.98; 'passes 98%' means "
                "strictly above: use > rather than >=."
            )
        raise Wrong(
            f"with validation accuracies {shown} your callback stopped {_describe(stopped)}, "
            f"but it should stop {_describe(expected)}: the end of the first epoch whose "
            f"validation accuracy is above {Q1_THRESHOLD}."
        )
    return (
        "it stops at the end of the first epoch with validation accuracy above 0.98, and not "
        "before. Pass an instance to fit(..., validation_split=0.1, callbacks=[...])."
    )


class _RightCallback(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs["val_accuracy"] > 0.98:
            self.model.stop_training = True


q1 = Check(
    _check_callback,
    answer=_RightCallback,
    title="a callback that stops training",
    hint="Subclass keras.callbacks.Callback and define on_epoch_end(self, epoch, logs=None). "
    "With a validation split, Keras puts the validation accuracy of the epoch in "
    "logs['val_accuracy']; to stop, set self.model.stop_training = True.",
    solution=code_of(_RightCallback, "StopAtValAccuracy"),
)

# ---------------------------------------------------------------------------------------- q2

Q2_UNITS = (784, 128, 64, 10)  # flattened input, two hidden layers, output
Q2_ANSWER = sum((n_in + 1) * n_out for n_in, n_out in zip(Q2_UNITS, Q2_UNITS[1:]))  # 109,386


_Q2_LAYERS = [(n_in + 1) * n_out for n_in, n_out in zip(Q2_UNITS, Q2_UNITS[1:])]

q2 = Number(
    Q2_ANSWER,
    title="parameters of a dense network",
    what="The number of parameters",
    praise=(
        "(784 + 1) * 128 + (128 + 1) * 64 + (64 + 1) * 10 = 100,480 + 8,256 + 650 = 109,386. "
        "You can confirm it with model.count_params()."
    ),
    mistakes=[
        (
            Q2_ANSWER - 128 - 64 - 10,
            "you counted the weights but not the biases: every unit of a Dense layer "
            "also has one bias, so a layer has (inputs + 1) * units parameters.",
        ),
        (sum(_Q2_LAYERS[:2]), "that is the two hidden layers only; add the output layer Dense(10)."),
        (
            _Q2_LAYERS[0] + _Q2_LAYERS[2],
            "you left out the second hidden layer, Dense(64), which takes the 128 "
            "outputs of the first one as its inputs.",
        ),
        (
            (28 + 1) * 128 + sum(_Q2_LAYERS[1:]),
            "the first Dense layer sees the flattened image, 28 * 28 = 784 inputs, not 28.",
        ),
        (
            (784 + 1) * (128 + 64 + 10),
            "only the first layer sees the 784 pixels; each later layer has as many "
            "inputs as the layer before has units.",
        ),
        (
            101_770,
            "101,770 is the network with one hidden layer; this one has Dense(64) between Dense(128) and the output.",
        ),
        (Q2_ANSWER + 784, "Flatten has no parameters: it only reshapes (28, 28) into 784 numbers."),
    ],
    otherwise="Count layer by layer with (inputs + 1) * units, then add the three layers up.",
    hint="Flatten has no parameters. A Dense layer with n_in inputs and n_out units has "
    "n_in * n_out weights and n_out biases. The inputs of each layer are the units of "
    "the layer before it (784 for the first).",
    solution="`answer = (784 + 1) * 128 + (128 + 1) * 64 + (64 + 1) * 10`, which is 109,386.",
)

# ---------------------------------------------------------------------------------------- q3

_LOSS_NAMES = {
    "categoricalcrossentropy": "categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "binarycrossentropy": "binary_crossentropy",
    "meansquarederror": "mse",
    "mse": "mse",
    "meanabsoluteerror": "mae",
    "mae": "mae",
    "kldivergence": "kl_divergence",
    "kld": "kl_divergence",
    "kullbackleiblerdivergence": "kl_divergence",
    "hinge": "hinge",
    "categoricalhinge": "hinge",
}


def _loss_name(answer: Any) -> str:
    if isinstance(answer, keras.losses.CategoricalCrossentropy) and getattr(answer, "from_logits", False):
        return "categorical_crossentropy_logits"
    key = plain_name(answer)
    if key not in _LOSS_NAMES and "crossentropy" in key:
        raise Wrong(
            "which cross-entropy? Keras has three: binary_crossentropy, "
            "categorical_crossentropy and sparse_categorical_crossentropy."
        )
    if key not in _LOSS_NAMES:
        raise Wrong(
            f"{answer!r} is not a Keras loss this notebook uses; answer with a loss name such as "
            f"'mse' or a class such as keras.losses.MeanSquaredError."
        )
    return _LOSS_NAMES[key]


q3 = Choice(
    "categorical_crossentropy",
    options=sorted(set(_LOSS_NAMES.values())) + ["categorical_crossentropy_logits"],
    normalise=_loss_name,
    title="the loss for one-hot labels",
    praise=(
        "one-hot rows such as [0, 0, 1, 0, ...] go with categorical_crossentropy; integer "
        "labels with sparse_categorical_crossentropy. Both give the same loss value."
    ),
    mistakes=[
        (
            "sparse_categorical_crossentropy",
            "the sparse loss reads one integer per image (shape (N,)); these "
            "labels are one-hot rows of shape (N, 10). Its non-sparse "
            "sibling reads those.",
        ),
        (
            "binary_crossentropy",
            "binary cross-entropy treats the 10 outputs as 10 independent yes/no questions "
            "(multi-label). It runs without an error, but it averages ten yes/no losses instead "
            "of taking -log of the probability of the one right class, the loss of one class "
            "out of ten.",
        ),
        (
            "mse",
            "mean squared error is for regression (predicting numbers); for class probabilities use a cross-entropy.",
        ),
        (
            "mae",
            "mean absolute error is for regression (predicting numbers); for class probabilities use a cross-entropy.",
        ),
        (
            "kl_divergence",
            "for one-hot labels KL divergence happens to equal the cross-entropy, but the loss "
            "Keras provides for one class out of K, and the one this notebook uses, is a "
            "cross-entropy: which one reads one-hot rows?",
        ),
        ("hinge", "hinge losses belong to support vector machines; a softmax output goes with a cross-entropy."),
        (
            keras.losses.CategoricalCrossentropy(from_logits=True),
            "right loss, but with from_logits=True: this model ends in softmax and outputs probabilities, so "
            "keep the default from_logits=False.",
        ),
    ],
    hint="Two losses compute the cross-entropy of 10 softmax outputs; they differ in the "
    "labels they read: integers or one-hot rows.",
    solution='`answer = "categorical_crossentropy"` (or `keras.losses.CategoricalCrossentropy()`).',
)

# ===================================================================== code exercises
# q4: a "reach X" task. The learner writes train_digits(x, y), which builds, compiles and
# trains a model; the checker runs it on a fixed subset of the training images, times it,
# and measures the model on held-out training images the function never sees (the test set stays for the end).


_PROFILE = _get_profile()
Q4_TRAIN_IMAGES = _PROFILE.pick(full=10_000, fast=2_000)  # the first images of the training set
Q4_HELD_OUT = _PROFILE.pick(full=2_000, fast=1_000)  # the last images of the training set
Q4_TARGET = _PROFILE.pick(full=0.93, fast=0.82)  # accuracy on the held-out images
Q4_SECONDS = _PROFILE.pick(full=60, fast=240)  # building and training; fast: for tests on shared machines


@_functools.lru_cache(maxsize=1)
def _q4_data():
    from ..data import load_mnist

    (x, y), _ = load_mnist()  # the test set stays for the end
    return (
        x[:Q4_TRAIN_IMAGES].astype("float32") / 255.0,
        y[:Q4_TRAIN_IMAGES],
        x[-Q4_HELD_OUT:].astype("float32") / 255.0,
        y[-Q4_HELD_OUT:],
    )


def _check_q4(answer: Any) -> str:
    return _reach(answer, signature="train_digits(x, y)", data=_q4_data, target=Q4_TARGET, seconds=Q4_SECONDS)


# fmt: off
def _q4_solution(x, y):
    model = keras.Sequential([
        keras.Input((28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=10, batch_size=64, verbose=0)
    return model
# fmt: on


q4 = Code(
    _check_q4,
    answer=_q4_solution,
    stub="train_digits",
    title="reach 93% on MNIST digits",
    hint="Everything of sections 2 and 3 inside one function: keras.Sequential with keras.Input((28, 28)), "
    "Flatten, a Dense hidden layer with ReLU and Dense(10, activation='softmax'); compile with "
    "Adam and 'sparse_categorical_crossentropy'; fit on x and y (verbose=0 keeps it quiet); "
    "return the model, not the History. With so few images, ten epochs fit well inside the time allowed.",
    solution=code_of(_q4_solution, "train_digits"),
)
