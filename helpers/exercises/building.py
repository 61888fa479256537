"""Building blocks for the exercises in which the learner writes code: a layer, a model, a function, a training.

The checkers run the learner's code on small inputs and turn whatever goes wrong into a ``Wrong``
that names it (a shape, a parameter count, a missing layer, the behaviour in training or at
inference, a value on a stated case), never a traceback. ``reach`` runs a "reach X" task: it times
the learner's training function on a fixed subset and measures the accuracy of the returned model
on images it did not train on.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .framework import Check, Wrong, function_only, run


def call(function: Any, *args, what: str = "", **kwargs) -> Any:
    """``run(function, *args, **kwargs)`` with what the function prints swallowed (fit's progress bars);
    ``what`` describes the call, for the message when ``function`` is not callable."""
    if not callable(function):
        raise Wrong(
            f"pass the function itself (no brackets); you gave {type(function).__name__} "
            f"{function!r:.80}{' for ' + what if what else ''}."
        )
    with contextlib.redirect_stdout(io.StringIO()):
        return run(function, *args, **kwargs)


class Code(Check):
    """A code exercise with a checker of its own: the learner writes the function ``stub`` and passes it
    (without brackets) to ``check``; ``checker(function)`` runs it through ``run`` or ``call``."""

    def __init__(self, checker: Callable[[Any], str | None], *, stub: str, **common: Any):
        super().__init__(checker, **common)
        self.stub = stub

    def _judge(self, answer: Any) -> str | None:
        function_only(answer, self.stub, layer=False)
        return self.checker(answer)


def expect_model(value: Any, what: str) -> Any:
    """Raise Wrong unless ``value`` is a ``keras.Model`` (a Sequential is one); return it."""
    import keras

    if value is None:
        raise Wrong(f"{what} returned None: end it with `return model`.")
    if isinstance(value, keras.callbacks.History):
        raise Wrong(f"{what} returned the History that fit() gives back; return the model itself.")
    if not isinstance(value, keras.Model):
        raise Wrong(f"{what} should return a Keras model, but it returned {type(value).__name__}.")
    return value


def input_shape(model, example: str) -> tuple:
    """The input shape of ``model``, batch axis included; Wrong when the model has no input yet."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise Wrong(f"the model has no input yet: start the list of layers with {example}.")
    return tuple(inputs[0].shape)


def expect_layer(value: Any, what: str) -> Any:
    """Raise Wrong unless ``value`` is a Keras layer (a model is one too); return it."""
    import keras

    if value is None:
        raise Wrong(f"{what} returned None: end it with a `return`.")
    if not isinstance(value, keras.layers.Layer):
        raise Wrong(f"{what} should return a Keras layer or model, but it returned {type(value).__name__}.")
    return value


# --------------------------------------------------------------------------- "reach X" tasks


def reach(
    train: Any,
    *,
    signature: str,
    data: Callable[[], tuple],
    target: float,
    seconds: float,
    n_classes: int = 10,
    seed: int = 0,
) -> str:
    """Run a "reach X" task: raise Wrong unless it is met, else return the praise.

    ``data()`` returns ``(x_train, y_train, x_held_out, y_held_out)``; ``train(x_train,
    y_train)`` must build, compile and train a model and return it within ``seconds``,
    and the model must reach ``target`` accuracy on the held-out images, which the
    learner's function never sees.
    """
    import keras

    x_train, y_train, x_held, y_held = data()
    keras.utils.set_random_seed(seed)  # the same run every time the cell runs
    start = time.perf_counter()
    model = call(train, x_train.copy(), y_train.copy(), what=signature)
    took = time.perf_counter() - start
    model = expect_model(model, signature)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            scores = model.predict(x_held, batch_size=256, verbose=0)
    except Exception as exc:
        raise Wrong(
            f"the model your function returned cannot predict images of shape "
            f"{x_held.shape[1:]} ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
            f"its input should be keras.Input({x_held.shape[1:]})."
        ) from None
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[1] != n_classes:
        raise Wrong(
            f"the model's output has shape {scores.shape[1:]} for one image, but it should give one "
            f'score per class: ({n_classes},). End it with Dense({n_classes}, activation="softmax").'
        )
    accuracy = float(np.mean(scores.argmax(axis=1) == y_held))
    if took > seconds:
        raise Wrong(
            f"building and training took {took:.0f} s, more than the {seconds:.0f} s allowed "
            f"(accuracy {accuracy:.3f}). Train fewer epochs, use larger batches or a smaller network."
        )
    optimizer = getattr(model, "optimizer", None)
    steps = int(keras.ops.convert_to_numpy(optimizer.iterations)) if optimizer is not None else 0
    if steps == 0:
        raise Wrong(
            "the model was never trained: call model.fit(x, y, ...) inside your function before returning the model."
        )
    if accuracy < target:
        raise Wrong(
            f"accuracy {accuracy:.3f} on {len(y_held):,} images your function did not train on, "
            f"after {took:.0f} s of training; the target is {target:.2f}. Train a few more epochs, "
            f"or give the network more units."
        )
    return (
        f"accuracy {accuracy:.3f} on {len(y_held):,} held-out images your function never saw, after "
        f"{took:.0f} s of training on {len(y_train):,} images (target {target:.2f})."
    )
