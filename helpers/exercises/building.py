"""Building blocks for the exercises in which the learner writes code: a layer, a model, a function, a training.

The checkers run the learner's code on small inputs and turn whatever goes wrong
into a ``Wrong`` that names it (a shape, a parameter count, a missing layer, the
behaviour in training or at inference, a value on a stated case), never a
traceback:

* ``call`` runs the learner's function and reports an exception it raises as the
  exception's name, message and the line of the learner's code;
* ``expect_model`` / ``expect_layer`` check the kind of object a function returned;
* ``count_trainable`` counts the parameters an optimizer would change;
* ``reach`` runs a "reach X" task: it times the learner's training function on a
  fixed subset and measures the accuracy of the returned model on images it did
  not train on.
"""

from __future__ import annotations

import contextlib
import io
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .framework import Wrong


def _learner_frame(exc: BaseException) -> str:
    """`` (in name, line n)`` for the innermost frame outside the course's helpers, or ``""``."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f for f in reversed(frames) if "helpers" not in f.filename and "keras" not in f.filename
                  and "tensorflow" not in f.filename), None)
    return f" (in {where.name}, line {where.lineno})" if where else ""


def call(function: Any, *args, what: str, quiet: bool = True, **kwargs) -> Any:
    """``function(*args, **kwargs)``; any exception becomes a Wrong that names it and the learner's line.

    ``what`` describes the call in the message, for example ``"bottleneck_unit(x, 4)"``.
    ``quiet`` swallows what the function prints (fit's progress bars, say).
    """
    import keras

    if isinstance(function, keras.layers.Layer):  # a model or layer is callable too, but is not the function
        raise Wrong(f"you gave a {type(function).__name__} object; the answer should be your function itself, "
                    f"without parentheses, so that the checker can call it.")
    if not callable(function):
        raise Wrong(f"the answer should be your function itself (without parentheses), but you gave "
                    f"{type(function).__name__} {function!r:.80}.")
    try:
        if quiet:
            with contextlib.redirect_stdout(io.StringIO()):
                return function(*args, **kwargs)
        return function(*args, **kwargs)
    except Wrong:
        raise
    except NotImplementedError:
        raise Wrong(f"{what} is not written yet: replace the line that raises NotImplementedError with "
                    f"your code.") from None
    except Exception as exc:  # the learner's code failed: say how and where, without a traceback
        message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        raise Wrong(f"{what} raised {type(exc).__name__}: {message}{_learner_frame(exc)}. "
                    f"Fix it and run the cell again.") from None


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


def count_trainable(model) -> int:
    """Number of trainable parameters of ``model``."""
    return int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))


def layers_of(model, kind) -> list:
    """The layers of ``model`` (nested models included) that are instances of ``kind``."""
    found = []
    for layer in model.layers:
        if isinstance(layer, kind):
            found.append(layer)
        if hasattr(layer, "layers"):
            found.extend(layers_of(layer, kind))
    return found


def numpy(value: Any) -> np.ndarray:
    """A tensor, array or number as a float64 NumPy array."""
    import keras

    return np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)


# --------------------------------------------------------------------------- "reach X" tasks


@dataclass(frozen=True)
class Reach:
    """The outcome of one ``reach`` run."""

    accuracy: float
    seconds: float


def reach(train: Any, *, signature: str, data: Callable[[], tuple], target: float, seconds: float,
          n_classes: int = 10, seed: int = 0) -> Reach:
    """Run a "reach X" task and raise Wrong unless it is met.

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
        raise Wrong(f"the model your function returned cannot predict images of shape "
                    f"{x_held.shape[1:]} ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
                    f"its input should be keras.Input({x_held.shape[1:]}).") from None
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[1] != n_classes:
        raise Wrong(f"the model's output has shape {scores.shape[1:]} for one image, but it should give one "
                    f"score per class: ({n_classes},). End it with Dense({n_classes}, activation=\"softmax\").")
    accuracy = float(np.mean(scores.argmax(axis=1) == y_held))
    if took > seconds:
        raise Wrong(f"building and training took {took:.0f} s, more than the {seconds:.0f} s allowed "
                    f"(accuracy {accuracy:.3f}). Train fewer epochs, use larger batches or a smaller network.")
    optimizer = getattr(model, "optimizer", None)
    steps = int(keras.ops.convert_to_numpy(optimizer.iterations)) if optimizer is not None else 0
    if steps == 0:
        raise Wrong(f"the model was never trained (accuracy {accuracy:.3f}, about chance): call "
                    f"model.fit(x, y, ...) inside your function before returning the model.")
    if accuracy < target:
        raise Wrong(f"accuracy {accuracy:.3f} on {len(y_held):,} images your function did not train on, "
                    f"after {took:.0f} s of training; the target is {target:.2f}. Train a few more epochs, "
                    f"or give the network more units.")
    return Reach(accuracy, took)
