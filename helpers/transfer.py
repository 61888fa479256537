"""Transfer learning: pretrained ``keras.applications`` bases with honest weights, freezing and unfreezing.

* ``imagenet_weights`` - the path of a model's ImageNet weights (mirror, cache or
  checked download, through ``helpers.data``), or None with the reason printed
  when they cannot be had here;
* ``imagenet_class_names`` - the file of ImageNet's class names, through the same
  data layer, put where ``decode_predictions`` looks for it;
* ``pretrained_base`` - a ``keras.applications`` model built *with* those weights;
  it refuses to build one without them, so random weights are never passed off
  as pretrained;
* ``copy_model`` - an independent copy of a model with the same weights;
* ``freeze``, ``unfreeze_top``, ``trainable_layer_names``, ``count_trainable`` -
  the switches of feature extraction and fine-tuning, and what they changed;
* ``seconds_per_batch`` - how long one batch takes through a model on this
  machine (read from a dataset, or given), for the expected run time a notebook
  prints before its long cells.

Changing ``trainable`` only takes effect in training once the model is compiled
again: ``model.compile(...)`` after every ``freeze`` or ``unfreeze_top``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import data
from .store import ChecksumError, DataUnavailableError, file_hash


def _architecture(name: str) -> data.Application:
    """The course's entry for a ``keras.applications`` network (helpers.data.APPLICATIONS)."""
    key = name.lower()
    if key not in data.APPLICATIONS:
        raise ValueError(f"Unknown architecture {name!r}; the course knows {sorted(data.APPLICATIONS)}.")
    return data.APPLICATIONS[key]


def application_module(architecture: str):
    """The ``keras.applications`` module of ``architecture`` (it holds ``preprocess_input``, ``decode_predictions``)."""
    import keras

    return getattr(keras.applications, _architecture(architecture).module)


def imagenet_weights(architecture: str, *, include_top: bool = True) -> Path | None:
    """Path to the ImageNet weights of ``architecture``, or None when they cannot be had here.

    The weights come through ``helpers.data.application_weights`` (offline
    mirror, then the course cache, then the official download checked against
    its published MD5). When that fails, the reason is printed and None is
    returned, so a notebook can take its labelled alternative path. A file that
    fails its checksum is an error, not a None: it is never used.
    """
    _architecture(architecture)
    try:
        return data.application_weights(architecture, include_top=include_top)
    except ChecksumError:
        raise
    except DataUnavailableError as exc:
        print(f"ImageNet weights for {architecture} are not available here.\n{exc}")
        return None


def _keras_home() -> Path:
    """The folder where Keras keeps downloaded files, found as ``keras.utils.get_file`` finds it."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)  # Keras creates it when it is imported
    except OSError:
        pass
    if os.access(home, os.W_OK):
        return home
    return Path("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()) / ".keras"


def imagenet_class_names() -> bool:
    """Get the names of ImageNet's classes through the course's data layer, for ``decode_predictions``.

    ``decode_predictions`` downloads ``imagenet_class_index.json`` into Keras' own
    cache on first use, past the course's offline mirror. This fetches the file
    through ``helpers.data`` (mirror, cache or download, MD5 checked) and puts it
    where Keras looks (``$KERAS_HOME/models``, by default ``~/.keras/models``), so
    ``decode_predictions`` then downloads nothing. Returns True when the file is in
    place; prints the reason and returns False when it cannot be had.
    """
    try:
        source = data.imagenet_class_index()
    except ChecksumError:
        raise
    except DataUnavailableError as exc:
        print(f"The names of the ImageNet classes are not available here.\n{exc}")
        return False
    target = _keras_home() / "models" / source.name
    if not (target.is_file() and file_hash(target, "md5") == file_hash(source, "md5")):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return True


def pretrained_base(
    architecture: str,
    weights: Path | str | None,
    *,
    include_top: bool = False,
    input_shape: Sequence[int] | None = None,
    **kwargs,
):
    """Build ``keras.applications.<architecture>`` with the ImageNet weights file ``weights``.

    ``weights`` is what ``imagenet_weights`` returned (with the same
    ``include_top``). Raises ValueError when it is None or missing: a network
    with random weights is not a pretrained network, and the course never
    builds one under that name.
    """
    import keras

    application = _architecture(architecture)
    if weights is None or not Path(weights).is_file():
        raise ValueError(
            f"No ImageNet weights file for {architecture} ({weights!r}). A model with random weights "
            f"is not pretrained, so none is built. Get the weights with "
            f"helpers.transfer.imagenet_weights({architecture!r}, include_top={include_top}) first."
        )
    if input_shape is None:
        input_shape = (application.side, application.side, 3)
    build = getattr(keras.applications, application.constructor)
    return build(weights=str(weights), include_top=include_top, input_shape=tuple(input_shape), **kwargs)


def copy_model(model):
    """An independent copy of ``model``: same architecture, same weight values, new variables."""
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def _has_weights(layer) -> bool:
    return bool(layer.weights)


def _all_layers(model):
    """Every layer inside ``model``, nested models included, outermost first."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def freeze(model) -> None:
    """Make ``model`` and every layer in it untrainable (feature extraction). Compile again afterwards."""
    model.trainable = False
    for layer in _all_layers(model):
        layer.trainable = False


def unfreeze(model, *, keep_batchnorm_frozen: bool = True) -> None:
    """Make ``model`` and every layer in it trainable again (BatchNormalization layers excepted when
    ``keep_batchnorm_frozen``). Compile again afterwards.

    Each layer is switched explicitly: in a copy made with ``keras.models.clone_model``
    the layers keep the ``trainable`` flag they were copied with, and setting it on the
    container alone does not always reach them.
    """
    import keras

    model.trainable = True
    for layer in _all_layers(model):
        batchnorm = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = not (batchnorm and keep_batchnorm_frozen)


def unfreeze_top(model, n: int, *, keep_batchnorm_frozen: bool = True) -> list[str]:
    """Make only the top ``n`` layers *that have weights* trainable; return their names, bottom first.

    Every other layer is frozen. BatchNormalization layers stay frozen when
    ``keep_batchnorm_frozen`` (the usual advice for fine-tuning: their moving
    statistics were computed on the original data) but still count towards
    ``n``. ``n = 0`` freezes everything. Compile again afterwards.
    """
    import keras

    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}.")
    model.trainable = True
    weighted = [layer for layer in model.layers if _has_weights(layer)]
    top = weighted[len(weighted) - n :] if n else []
    if n > len(weighted):
        raise ValueError(f"{model.name} has only {len(weighted)} layers with weights; cannot unfreeze {n}.")
    chosen = {id(layer) for layer in top}
    names = []
    for layer in model.layers:
        batchnorm = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = id(layer) in chosen and not (batchnorm and keep_batchnorm_frozen)
        if layer.trainable:
            names.append(layer.name)
    return names


def trainable_layer_names(model) -> list[str]:
    """Names of the layers of ``model`` that have weights and are trainable, bottom first."""
    return [layer.name for layer in model.layers if _has_weights(layer) and layer.trainable]


def count_trainable(model) -> int:
    """Number of trainable parameters (the values an optimizer will change) in ``model``."""
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def seconds_per_batch(model, source, *, timed: int = 2) -> float:
    """Seconds that one batch takes on this machine: ``model.predict_on_batch`` after a warm-up call.

    ``source`` is either one batch of inputs, or a dataset of (inputs, labels)
    batches (anything iterable, such as a ``tf.data.Dataset``). Given a batch,
    the result is the model's time alone. Given a dataset, the result also counts
    reading the batch (decoding and resizing the images), as a pass over the
    dataset does: the first batch warms up, the next ``timed`` batches are read
    and predicted, and their mean is returned (a dataset of a single batch gives
    the model's time alone on it).

    The first call is not timed: it builds the computation graph, which takes
    longer than the arithmetic. Multiply the result by a number of batches for
    the expected time of a pass over a dataset.
    """
    if hasattr(source, "shape"):  # one batch
        model.predict_on_batch(source)  # warm-up
        start = time.perf_counter()
        model.predict_on_batch(source)
        return time.perf_counter() - start
    batches = iter(source)
    first = next(batches)[0]
    model.predict_on_batch(first)  # warm-up
    start, count = time.perf_counter(), 0
    for inputs, *_ in batches:
        model.predict_on_batch(inputs)
        count += 1
        if count == timed:
            break
    if count == 0:  # a dataset of one batch: time the model alone on it
        start = time.perf_counter()
        model.predict_on_batch(first)
        count = 1
    return (time.perf_counter() - start) / count
