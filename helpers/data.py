"""Datasets and pretrained weights, from an offline mirror, the local cache or the official download.

Every loader looks in three places, in this order:

1. the offline mirror named by ``COURSE_DATA_DIR``, when that variable is set
   (a classroom copies one folder to every machine; CI uses one);
2. the course's download cache (``data/`` in a clone of the course, or
   ``COURSE_CACHE_DIR``, or ``~/.cache/cnn-course`` when the helpers were
   installed without a clone, as on Colab);
3. the official download, checked against a published checksum before it is
   used, then unpacked into the cache.

The cache is laid out exactly like a mirror, so a filled cache folder *is* a
mirror: copy it to a lab machine and point ``COURSE_DATA_DIR`` at it.

When nothing works (offline, with nothing cached) the loaders raise
``DataUnavailableError`` with a message that names the dataset, the address it
comes from and the ``COURSE_DATA_DIR`` option. Nothing is ever replaced by
made-up data, and every fallback is announced.

Everything the course reads is one entry of ``CATALOGUE``: its key, its place in
the layout, where it comes from and how it is checked. ``helpers.store`` resolves
the entries; ``helpers.mirror`` builds an offline folder from the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .store import (  # noqa: F401 (the errors and FolderDataset are part of this module's interface)
    ChecksumError,
    Damaged,
    DataUnavailableError,
    File,
    FolderDataset,
    IdxArrays,
    ImageFolders,
    Remote,
    Store,
    TfdsDataset,
    UnsafeArchiveError,
)

ArrayPair = tuple[np.ndarray, np.ndarray]

# --------------------------------------------------------------------------- #
# MNIST and Fashion-MNIST
# --------------------------------------------------------------------------- #

_KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

_NPZ_SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}


def _read_npz(path: Path) -> tuple[ArrayPair, ArrayPair]:
    """Read a Keras-style npz, checking its keys and shapes; raise Damaged (with the reason) otherwise."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in _NPZ_SHAPES}
    except Exception as exc:  # zipfile, KeyError, ValueError, OSError
        raise Damaged(f"the file {path} cannot be read ({exc})") from None
    for key, shape in _NPZ_SHAPES.items():
        if arrays[key].shape != shape:
            raise Damaged(f"{key} in {path} has shape {arrays[key].shape}, expected {shape}")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _idx(filename: str, sha256: str) -> Remote:
    return Remote(_KERAS_DATASETS + filename, filename, checksum=sha256)


MNIST = File(
    "mnist",
    "MNIST",
    "mnist.npz",
    "11 MB",
    reader=_read_npz,
    remote=Remote(
        _KERAS_DATASETS + "mnist.npz",
        "mnist.npz",
        checksum="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    ),
)

FASHION_MNIST = IdxArrays(
    "fashion-mnist",
    "Fashion-MNIST",
    "fashion-mnist.npz",
    "31 MB",
    reader=_read_npz,
    remotes={
        "y_train": _idx(
            "train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
        ),
        "x_train": _idx(
            "train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
        ),
        "y_test": _idx("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        "x_test": _idx("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
    },
)

# --------------------------------------------------------------------------- #
# Image folders: horses-or-humans, cats-and-dogs
# --------------------------------------------------------------------------- #

_TFDS_DATA = "https://storage.googleapis.com/download.tensorflow.org/data/"

HORSES_OR_HUMANS = ImageFolders(
    "horses-or-humans",
    "horses-or-humans",
    "horse-or-human",
    "150 MB",
    counts={"train": {"horses": 500, "humans": 527}, "validation": {"horses": 128, "humans": 128}},
    archives={
        "train": (
            Remote(
                _TFDS_DATA + "horse-or-human.zip",
                "horse-or-human.zip",
                checksum="e2e6f70d3d549c5dd10a57165e55af253ee66ad750403f95c0fb76bb943633a9",
                size=149574867,
            ),
            "",
        ),
        "validation": (
            Remote(
                _TFDS_DATA + "validation-horse-or-human.zip",
                "validation-horse-or-human.zip",
                checksum="ae5fff2f4f5554791f05358108e2e05d9801b191f1896ea101402f0e7f6c32c0",
                size=11480187,
            ),
            "",
        ),
    },
)

CATS_AND_DOGS = ImageFolders(
    "cats-and-dogs",
    "cats-and-dogs (filtered)",
    "cats_and_dogs_filtered",
    "68 MB",
    counts={"train": {"cats": 1000, "dogs": 1000}, "validation": {"cats": 500, "dogs": 500}},
    # No checksum is published for this archive: it is checked by its exact size, and its
    # unpacked images by a digest of their sha256 sums.
    archives={
        "*": (
            Remote(
                "https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip",
                "cats_and_dogs_filtered.zip",
                size=68606236,
            ),
            "cats_and_dogs_filtered",
        ),
    },
    content_digest="7d0418bfcd35ecb61c47f2189e318bb9851a76193526948928970d4522c0960e",
)

# --------------------------------------------------------------------------- #
# Pretrained Keras application weights
# --------------------------------------------------------------------------- #

_KERAS_WEIGHTS = "https://storage.googleapis.com/tensorflow/keras-applications/"


@dataclass(frozen=True)
class Application:
    """A ``keras.applications`` network whose ImageNet weights the course uses.

    Keras publishes MD5 sums for its ImageNet weights (keras/src/applications/*.py).
    """

    constructor: str  # keras.applications.<constructor>
    module: str  # keras.applications.<module> holds preprocess_input and decode_predictions
    side: int  # the default square input side
    family: str  # the folder of its weight files at the official address
    md5: dict[bool, str]  # include_top -> MD5 of the weights file

    def weights(self, name: str) -> tuple[File, File]:
        """The two weight files (with and without the classifier top) as catalogue entries."""
        files = []
        for top in (True, False):
            filename = f"{self.module}_weights_tf_dim_ordering_tf_kernels{'' if top else '_notop'}.h5"
            remote = Remote(f"{_KERAS_WEIGHTS}{self.family}/{filename}", filename, checksum=self.md5[top])
            files.append(
                File(
                    weights_key(name, top),
                    f"{name} ImageNet weights",
                    f"keras-weights/{filename}",
                    "80-100 MB",
                    remote=remote,
                )
            )
        return tuple(files)


APPLICATIONS: dict[str, Application] = {
    "resnet50": Application(
        "ResNet50",
        "resnet50",
        224,
        "resnet",
        {True: "2cb95161c43110f7111970584f804107", False: "4d473c1dd8becc155b73f8504c6f6626"},
    ),
    "xception": Application(
        "Xception",
        "xception",
        299,
        "xception",
        {True: "0a58e3b7378bc2990ea3b43d5981f1f6", False: "b0042744bf5b25fce3cb969f33bebb97"},
    ),
}


def weights_key(architecture: str, include_top: bool) -> str:
    """The catalogue key of a network's weights file: ``weights-resnet50`` or ``weights-resnet50-notop``."""
    return f"weights-{architecture.lower()}{'' if include_top else '-notop'}"


# The names of ImageNet's 1,000 classes, the file ``decode_predictions`` reads (its MD5 as in
# keras/src/applications/imagenet_utils.py).
IMAGENET_CLASS_INDEX = File(
    "imagenet-class-names",
    "ImageNet class names",
    "keras-weights/imagenet_class_index.json",
    "40 KB",
    remote=Remote(
        _TFDS_DATA + "imagenet_class_index.json",
        "imagenet_class_index.json",
        checksum="c2c37ea517e94d9795004a39431a14cb",
    ),
)

# --------------------------------------------------------------------------- #
# The catalogue and the store the loaders use
# --------------------------------------------------------------------------- #

CATALOGUE: tuple = (
    MNIST,
    FASHION_MNIST,
    HORSES_OR_HUMANS,
    CATS_AND_DOGS,
    *(file for name, application in APPLICATIONS.items() for file in application.weights(name)),
    IMAGENET_CLASS_INDEX,
    TfdsDataset("tf_flowers", "tf_flowers", "tensorflow_datasets/tf_flowers", "220 MB"),
)

_store = Store(CATALOGUE)


def use_store(store: Store | None) -> Store:
    """Make the loaders below use ``store`` (None: the course's catalogue, folders from the environment).

    Returns the store used until now. Tests use it to serve small files of their
    own; a notebook never needs it.
    """
    global _store
    previous, _store = _store, store or Store(CATALOGUE)
    return previous


def load_mnist() -> tuple[ArrayPair, ArrayPair]:
    """MNIST digits as ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 28, 28), labels 0-9."""
    return _store.load("mnist")


def load_fashion_mnist() -> tuple[ArrayPair, ArrayPair]:
    """Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``; names in ``FASHION_CLASSES``."""
    return _store.load("fashion-mnist")


def load_horses_or_humans() -> FolderDataset:
    """The horses-or-humans images: 1,027 for training and 256 for validation, 300x300 RGB."""
    return _store.load("horses-or-humans")


def load_cats_and_dogs() -> FolderDataset:
    """The filtered cats-and-dogs images: 2,000 for training and 1,000 for validation, varied sizes."""
    return _store.load("cats-and-dogs")


def imagenet_class_index() -> Path:
    """Path to ``imagenet_class_index.json``, the names of ImageNet's classes (mirror, cache or download)."""
    return _store.load(IMAGENET_CLASS_INDEX.key)


def application_weights(architecture: str, *, include_top: bool = True) -> Path:
    """Path to the ImageNet weights of a ``keras.applications`` model (mirror, cache or download).

    Pass the result as ``weights=`` when building the model. Raises
    DataUnavailableError, with the reason, when the weights cannot be had; a
    notebook then says so and runs its labelled alternative.
    """
    key = weights_key(architecture, include_top)
    if key not in _store.assets:
        raise ValueError(f"No weights are registered for {architecture!r}; known: {sorted(APPLICATIONS)}")
    return _store.load(key)


def load_tfds(name: str, split, **kwargs):
    """``tfds.load`` with the course's data folders, for datasets such as ``tf_flowers``.

    ``split`` uses the slicing API, for example ``["train[:10%]", "train[10%:25%]",
    "train[25%:]"]``. A mirror is read with ``<COURSE_DATA_DIR>/tensorflow_datasets``
    and no download; otherwise the cache's ``tensorflow_datasets`` folder is used
    and filled. Returns what ``tfds.load`` returns. Raises DataUnavailableError,
    saying what failed and what to do, when tensorflow-datasets cannot be imported
    or the dataset cannot be had.
    """
    asset = _store.assets.get(name) or TfdsDataset(name, name, f"tensorflow_datasets/{name}", "")
    return _store.load(asset, split=split, **kwargs)


# --------------------------------------------------------------------------- #
# Photos that need no download
# --------------------------------------------------------------------------- #


def sample_photos() -> dict[str, np.ndarray]:
    """The two photos that scikit-learn ships, as float32 RGB arrays in [0, 1] of shape (427, 640, 3)."""
    from sklearn.datasets import load_sample_image

    return {name: (load_sample_image(f"{name}.jpg") / 255.0).astype(np.float32) for name in ("china", "flower")}
