"""helpers.transfer: ImageNet weights on both paths (offline, and served from 127.0.0.1), freezing, unfreezing."""

from __future__ import annotations

import dataclasses
import hashlib
import time

import h5py
import keras
import numpy as np
import pytest

from helpers import data, transfer
from helpers.data import ChecksumError, DataUnavailableError
from helpers.store import Remote, Store

# Keras' legacy .h5 loader converts TensorFlow variables with NumPy 2's copy keyword and warns
# once per variable (keras/src/backend/tensorflow/core.py); the warning is Keras', not the course's.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

SMALL = (32, 32, 3)  # ResNet-50 without its top accepts any side >= 32; keeps the test fast


def _resnet_weights_file(path, seed: int):
    """A ResNet-50 (no top) with weights of its own, saved in the legacy .h5 layout Keras publishes.

    Returns (model, path). The weights are not ImageNet's: they are random, then
    shifted, so that loading them is distinguishable from a fresh random init.
    """
    keras.utils.set_random_seed(seed)
    model = keras.applications.ResNet50(weights=None, include_top=False, input_shape=SMALL)
    model.set_weights([w + 0.01 * (i % 7) for i, w in enumerate(model.get_weights())])
    from keras.src.legacy.saving import legacy_h5_format  # the format of the published *.h5 files

    with h5py.File(path, "w") as fh:
        legacy_h5_format.save_weights_to_hdf5_group(fh, model)
    return model, path


@pytest.fixture
def serve(tmp_path):
    """``serve(entries)``: the loaders use a store of these catalogue entries and a cache in tmp_path."""
    previous = []

    def use(*entries, mirror=None):
        previous.append(data.use_store(Store(entries, mirror=mirror, cache=tmp_path / "cache")))
        return tmp_path / "cache"

    yield use
    if previous:
        data.use_store(previous[0])


def _resnet_notop(url: str, filename: str, md5: str):
    """The course's entry for ResNet-50's weights without the classifier, fetched from ``url`` instead."""
    entry = data.APPLICATIONS["resnet50"].weights("resnet50")[1]
    return dataclasses.replace(
        entry, path=f"keras-weights/{filename}", remote=Remote(url + filename, filename, checksum=md5)
    )


# ----------------------------------------------------------------- offline path


def test_offline_weights_give_none_and_say_why(serve, closed_port_url, capsys):
    cache = serve(_resnet_notop(closed_port_url, "resnet50_notop.h5", "0" * 32))
    assert transfer.imagenet_weights("resnet50", include_top=False) is None
    printed = capsys.readouterr().out
    assert "not available here" in printed and "COURSE_DATA_DIR" in printed and "resnet50" in printed
    assert not list(cache.rglob("*.h5")), "nothing may be left in the cache"


def test_data_layer_itself_raises_when_offline(serve, closed_port_url):
    serve(_resnet_notop(closed_port_url, "resnet50_notop.h5", "0" * 32))
    with pytest.raises(DataUnavailableError, match="resnet50 ImageNet weights"):
        data.application_weights("resnet50", include_top=False)


def test_no_pretrained_model_is_built_without_weights(tmp_path):
    for missing in (None, tmp_path / "absent.h5"):
        with pytest.raises(ValueError, match="random weights is not pretrained"):
            transfer.pretrained_base("resnet50", missing, input_shape=SMALL)


def test_unknown_architecture_is_named():
    with pytest.raises(ValueError, match="resnet50"):
        transfer.imagenet_weights("alexnet")


# ----------------------------------------------------------------- weights available (served on loopback)


def test_weights_are_downloaded_checked_cached_and_loaded(http_root, serve):
    root, base, requests = http_root
    saved, path = _resnet_weights_file(root / "resnet50_notop.h5", seed=3)
    cache = serve(_resnet_notop(base, path.name, hashlib.md5(path.read_bytes()).hexdigest()))

    weights = transfer.imagenet_weights("resnet50", include_top=False)
    assert weights == cache / "keras-weights" / path.name
    assert weights.read_bytes() == path.read_bytes()

    keras.utils.set_random_seed(99)  # a different init: only loading can make the weights equal
    loaded = transfer.pretrained_base("resnet50", weights, input_shape=SMALL)
    for a, b in zip(saved.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(0).uniform(0, 255, (2, *SMALL)).astype("float32")
    np.testing.assert_allclose(saved.predict(x, verbose=0), loaded.predict(x, verbose=0), rtol=1e-5, atol=1e-5)

    assert transfer.imagenet_weights("resnet50", include_top=False) == weights
    assert len(requests) == 1, "the cached file must not be fetched again"


def test_weights_with_a_wrong_checksum_are_rejected(http_root, serve):
    root, base, _ = http_root
    (root / "resnet50_notop.h5").write_bytes(b"not the published weights" * 50)
    cache = serve(_resnet_notop(base, "resnet50_notop.h5", "0" * 32))
    with pytest.raises(ChecksumError, match="damaged or is not the expected file"):
        transfer.imagenet_weights("resnet50", include_top=False)
    assert not list(cache.rglob("*.h5")) and not list(cache.rglob("*.part"))


CLASS_NAMES = b'{"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]}'


def _class_index(url: str, content: bytes = CLASS_NAMES):
    """The course's entry for the class-index file, to be fetched from ``url`` with the MD5 of ``content``."""
    return dataclasses.replace(
        data.IMAGENET_CLASS_INDEX,
        remote=Remote(
            url + "imagenet_class_index.json", "imagenet_class_index.json", checksum=hashlib.md5(content).hexdigest()
        ),
    )


def test_class_names_come_through_the_data_layer_into_keras_home(http_root, serve, monkeypatch, tmp_path):
    root, base, requests = http_root
    (root / "imagenet_class_index.json").write_bytes(CLASS_NAMES)
    cache = serve(_class_index(base))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    assert transfer.imagenet_class_names() is True
    placed = tmp_path / "keras-home" / "models" / "imagenet_class_index.json"
    assert placed.read_bytes() == CLASS_NAMES  # where decode_predictions looks for it
    assert (cache / "keras-weights" / "imagenet_class_index.json").read_bytes() == CLASS_NAMES
    assert transfer.imagenet_class_names() is True and len(requests) == 1  # cached: not fetched again


def test_class_names_offline_say_why(serve, monkeypatch, closed_port_url, tmp_path, capsys):
    serve(_class_index(closed_port_url, b"never served"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    assert transfer.imagenet_class_names() is False
    assert "not available here" in capsys.readouterr().out
    assert not (tmp_path / "keras-home" / "models" / "imagenet_class_index.json").exists()


def test_class_names_from_a_mirror_are_checked(serve, monkeypatch, tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "keras-weights").mkdir(parents=True)
    (mirror / "keras-weights" / "imagenet_class_index.json").write_bytes(CLASS_NAMES)
    serve(_class_index("http://127.0.0.1:9/"), mirror=mirror)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    assert data.imagenet_class_index() == mirror / "keras-weights" / "imagenet_class_index.json"
    assert transfer.imagenet_class_names() is True
    (mirror / "keras-weights" / "imagenet_class_index.json").write_bytes(CLASS_NAMES.replace(b"tench", b"trout"))
    with pytest.raises(ChecksumError, match="ImageNet class names"):
        transfer.imagenet_class_names()


def test_application_module_has_the_preprocessing():
    module = transfer.application_module("ResNet50")
    assert hasattr(module, "preprocess_input") and hasattr(module, "decode_predictions")


# ----------------------------------------------------------------- freezing and unfreezing


def _small_base():
    return keras.Sequential(
        [
            keras.Input((12, 12, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv1"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.MaxPooling2D(2, name="pool"),
            keras.layers.Conv2D(8, 3, activation="relu", name="conv2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(6, activation="relu", name="features"),
        ],
        name="base",
    )


def test_freeze_makes_nothing_trainable_and_training_leaves_the_base_unchanged():
    keras.utils.set_random_seed(0)
    base = _small_base()
    transfer.freeze(base)
    model = keras.Sequential([keras.Input((12, 12, 1)), base, keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
    assert transfer.count_trainable(base) == 0
    assert transfer.count_trainable(model) == 6 + 1
    before = [w.copy() for w in base.get_weights()]
    head_before = model.layers[-1].get_weights()[0].copy()
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(32, 12, 12, 1)), rng.integers(0, 2, 32).astype("float32"), epochs=2, verbose=0)
    for a, b in zip(before, base.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(head_before, model.layers[-1].get_weights()[0])


def test_unfreeze_top_counts_layers_with_weights_and_keeps_batchnorm_frozen():
    base = _small_base()
    assert transfer.unfreeze_top(base, 2) == ["conv2", "features"]
    assert transfer.trainable_layer_names(base) == ["conv2", "features"]
    expected = (3 * 3 * 4 + 1) * 8 + (3 * 3 * 8 + 1) * 6  # conv2 on 5 x 5 -> 3 x 3 x 8 = 72 into Dense(6)
    assert transfer.count_trainable(base) == expected
    assert transfer.unfreeze_top(base, 4) == ["conv1", "conv2", "features"]  # bn counted, not unfrozen
    assert transfer.unfreeze_top(base, 4, keep_batchnorm_frozen=False) == ["conv1", "bn", "conv2", "features"]
    assert transfer.unfreeze_top(base, 0) == [] and transfer.count_trainable(base) == 0
    with pytest.raises(ValueError, match="only 4 layers with weights"):
        transfer.unfreeze_top(base, 5)


def test_copy_model_has_equal_but_independent_weights():
    base = _small_base()
    twin = transfer.copy_model(base)
    for a, b in zip(base.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)
    twin.layers[0].kernel.assign(twin.layers[0].kernel + 1.0)
    assert not np.array_equal(base.layers[0].get_weights()[0], twin.layers[0].get_weights()[0])


def test_unfreeze_reaches_the_layers_of_a_copied_frozen_model():
    base = _small_base()
    transfer.freeze(base)
    model = keras.Sequential([keras.Input((12, 12, 1)), base, keras.layers.Dense(1)])
    twin = transfer.copy_model(model)
    twin_base = twin.get_layer("base")
    transfer.unfreeze(twin_base)
    assert transfer.trainable_layer_names(twin_base) == ["conv1", "conv2", "features"]  # bn stays frozen
    transfer.unfreeze(twin_base, keep_batchnorm_frozen=False)
    assert transfer.count_trainable(twin) == twin.count_params() - 2 * 4  # all but bn's moving mean/variance
    transfer.freeze(twin)
    assert transfer.count_trainable(twin) == 0


def test_seconds_per_batch_leaves_out_the_warm_up_call():
    class Slow:  # the first call is slow (building the graph), the later ones fast
        calls = 0

        def predict_on_batch(self, batch):
            Slow.calls += 1
            time.sleep(0.3 if Slow.calls == 1 else 0.05)
            return batch

    seconds = transfer.seconds_per_batch(Slow(), np.zeros((2, 3)))
    assert Slow.calls == 2
    assert 0.05 <= seconds < 0.3


def test_seconds_per_batch_of_a_keras_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert 0 < transfer.seconds_per_batch(model, np.zeros((8, 4), dtype="float32")) < 5


def test_seconds_per_batch_of_a_dataset_counts_reading_but_not_the_warm_up():
    class Fast:  # the model's own time: the first call slow, the later ones instant
        calls = 0

        def predict_on_batch(self, batch):
            Fast.calls += 1
            if Fast.calls == 1:
                time.sleep(0.4)
            return batch

    def slow_to_read(n):  # every batch takes 0.1 s to read, as decoding photos does
        for _ in range(n):
            time.sleep(0.1)
            yield np.zeros((2, 3)), np.zeros(2)

    seconds = transfer.seconds_per_batch(Fast(), slow_to_read(10), timed=3)
    assert Fast.calls == 4  # the warm-up and three timed batches, not the whole dataset
    assert 0.1 <= seconds < 0.3, seconds


def test_seconds_per_batch_of_a_one_batch_dataset_times_the_model_alone():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    dataset = [(np.zeros((8, 4), dtype="float32"), np.zeros(8))]
    assert 0 < transfer.seconds_per_batch(model, dataset) < 5
