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
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import socket
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

MIRROR_ENV = "COURSE_DATA_DIR"
CACHE_ENV = "COURSE_CACHE_DIR"
DOWNLOAD_TIMEOUT_S = 30
_CHUNK = 1 << 20

ArrayPair = tuple[np.ndarray, np.ndarray]


class DataUnavailableError(RuntimeError):
    """A dataset or weights file could not be found or fetched; the message says what to do."""


class ChecksumError(DataUnavailableError):
    """A downloaded or mirrored file is not the file the course expects."""


# --------------------------------------------------------------------------- #
# Where things live
# --------------------------------------------------------------------------- #


def mirror_dir() -> Path | None:
    """The offline mirror folder from ``COURSE_DATA_DIR``, or None when it is not set.

    Raises DataUnavailableError when the variable names a folder that does not exist.
    """
    raw = os.environ.get(MIRROR_ENV, "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser().resolve()
    if not path.is_dir():
        raise DataUnavailableError(
            f"{MIRROR_ENV} is set to '{raw}', but that folder does not exist.\n"
            f"Next step: point {MIRROR_ENV} at the folder that holds the course data "
            f"(see data/README.md for its layout), or unset it to download instead."
        )
    return path


def cache_dir() -> Path:
    """The download cache: ``COURSE_CACHE_DIR``, else ``data/`` in a clone, else ``~/.cache/cnn-course``."""
    raw = os.environ.get(CACHE_ENV, "").strip()
    if raw:
        path = Path(raw).expanduser()
    else:
        clone_data = Path(__file__).resolve().parent.parent / "data"
        if (clone_data / "README.md").is_file():
            path = clone_data
        else:
            path = Path.home() / ".cache" / "cnn-course"
    path.mkdir(parents=True, exist_ok=True)
    return path


def describe_sources() -> str:
    """One line saying where data comes from in this session."""
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if mirror:
        return f"Data: offline mirror {mirror} ({MIRROR_ENV}), then the cache {cache_dir()}"
    return f"Data: cache {cache_dir()}, downloading what is missing"


# --------------------------------------------------------------------------- #
# Downloading and unpacking
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Remote:
    """One file at its official address, with what it must hash to.

    ``checksum`` is the published SHA-256 (64 hex digits) or MD5 (32 hex digits,
    where that is all the publisher gives). ``size`` is the exact length in
    bytes, also used where no checksum was published.
    """

    url: str
    filename: str
    checksum: str | None = None
    size: int | None = None


def file_hash(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _matches(path: Path, remote: Remote) -> tuple[bool, str]:
    """Whether ``path`` is the file ``remote`` describes, and what was found."""
    if remote.size is not None and path.stat().st_size != remote.size:
        return False, f"{path.stat().st_size:,} bytes instead of {remote.size:,}"
    if remote.checksum:
        algorithm = "md5" if len(remote.checksum) == 32 else "sha256"
        found = file_hash(path, algorithm)
        if found != remote.checksum.lower():
            return False, f"{algorithm} {found} instead of {remote.checksum}"
    return True, ""


def _progress(total: int | None, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc, leave=False)


def download(remote: Remote, dest_dir: Path, *, what: str | None = None) -> Path:
    """Download ``remote`` into ``dest_dir`` (unless a verified copy is there) and return its path.

    The file is written under a temporary name and only renamed once its
    checksum (or size) matches, so an interrupted or corrupted transfer never
    looks like a finished one. Raises ChecksumError for a file that does not
    match, and DataUnavailableError when the address cannot be reached.
    """
    what = what or remote.filename
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / remote.filename
    if target.exists():
        ok, _ = _matches(target, remote)
        if ok:
            return target
        print(f"The cached {target} does not match its checksum; downloading it again.")
        target.unlink()

    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(remote.url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else remote.size
            with open(partial, "wb") as out, _progress(total, f"Downloading {what}") as bar:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise DataUnavailableError(_offline_message(what, remote.url, exc)) from None

    ok, found = _matches(partial, remote)
    if not ok:
        partial.unlink(missing_ok=True)
        raise ChecksumError(
            f"The download of {what} from {remote.url} is damaged or is not the expected file "
            f"({found}).\nNothing was kept. Next step: run the cell again (a transfer can break "
            f"off); if it keeps failing, download the file by hand on another machine and "
            f"use an offline folder through {MIRROR_ENV} (see data/README.md)."
        )
    partial.replace(target)
    return target


def _offline_message(what: str, url: str, exc: BaseException | None = None) -> str:
    reason = f" ({getattr(exc, 'reason', exc)})" if exc is not None else ""
    return (
        f"Could not get {what}: its official address {url} cannot be reached{reason}, "
        f"and no copy was found in the cache ({cache_dir()}) or an offline mirror.\n"
        f"Next step: connect to the internet and run the cell again, or set "
        f"{MIRROR_ENV} to a folder that holds the course data (a teacher can prepare one; "
        f"data/README.md shows its layout), then restart the kernel."
    )


def safe_extract_zip(archive: Path, target: Path) -> Path:
    """Unpack a zip archive into ``target``, refusing any member that would land outside it.

    Absolute paths, ``..`` components and symbolic links are refused with
    ChecksumError; a damaged (for example truncated) archive raises
    DataUnavailableError. Returns ``target``.
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            for info in members:
                name = info.filename
                dest = (root / name).resolve()
                is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
                if name.startswith(("/", "\\")) or ".." in Path(name).parts or is_link or (
                    dest != root and root not in dest.parents
                ):
                    raise ChecksumError(
                        f"The archive {archive.name} contains the entry '{name}', which would be "
                        f"written outside {target}. It was not unpacked. Next step: delete "
                        f"{archive} and download it again from the official address."
                    )
            bad = zf.testzip()
            if bad is not None:
                raise zipfile.BadZipFile(f"bad CRC for {bad}")
            for info in members:
                zf.extract(info, root)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DataUnavailableError(
            f"The archive {archive} is damaged ({exc}); it was probably cut off during the "
            f"download. Next step: delete it and run the cell again."
        ) from None
    return target


# --------------------------------------------------------------------------- #
# MNIST and Fashion-MNIST
# --------------------------------------------------------------------------- #

_KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

MNIST_REMOTE = Remote(
    _KERAS_DATASETS + "mnist.npz",
    "mnist.npz",
    checksum="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
)

FASHION_REMOTES = (
    Remote(_KERAS_DATASETS + "train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz",
           checksum="a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
    Remote(_KERAS_DATASETS + "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz",
           checksum="3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
    Remote(_KERAS_DATASETS + "t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
           checksum="67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
    Remote(_KERAS_DATASETS + "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz",
           checksum="346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
)

FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

_NPZ_SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}


def _manifest_hash(mirror: Path, relative: str) -> str | None:
    """The sha256 that the mirror's MANIFEST.sha256 lists for ``relative``, if any."""
    manifest = mirror / "MANIFEST.sha256"
    if not manifest.is_file():
        return None
    wanted = {relative, "./" + relative}
    with open(manifest, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(maxsplit=1)
            if len(parts) == 2 and parts[1].strip() in wanted:
                return parts[0]
    return None


def _read_npz(path: Path, name: str, origin: str) -> tuple[ArrayPair, ArrayPair]:
    """Read a Keras-style npz, checking its keys and shapes; raise a learner-readable error otherwise."""
    fix = (
        f"Next step: delete {path} so that it is downloaded again"
        if origin == "cache"
        else f"Next step: copy {path.name} into the mirror again, or unset {MIRROR_ENV} to download it"
    )
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in _NPZ_SHAPES}
    except Exception as exc:  # zipfile, KeyError, ValueError, OSError
        raise DataUnavailableError(f"{name}: the file {path} cannot be read ({exc}). {fix}.") from None
    for key, shape in _NPZ_SHAPES.items():
        if arrays[key].shape != shape:
            raise DataUnavailableError(
                f"{name}: {key} in {path} has shape {arrays[key].shape}, expected {shape}. {fix}."
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _from_mirror_file(relative: str, name: str) -> Path | None:
    """The mirror's copy of ``relative`` after checking it against the mirror's manifest, or None."""
    mirror = mirror_dir()
    if mirror is None:
        return None
    path = mirror / relative
    if not path.is_file():
        print(f"Note: {name} is not in the offline mirror {mirror} (no {relative}); "
              f"using the cache or the official download instead.")
        return None
    expected = _manifest_hash(mirror, relative)
    if expected is not None and file_hash(path) != expected:
        raise ChecksumError(
            f"{name}: {path} does not match the sha256 listed in {mirror / 'MANIFEST.sha256'}; "
            f"the copy is damaged. Next step: copy it into the mirror again, or unset "
            f"{MIRROR_ENV} to download it."
        )
    return path


def load_mnist() -> tuple[ArrayPair, ArrayPair]:
    """MNIST digits as ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 28, 28), labels 0-9."""
    path = _from_mirror_file("mnist.npz", "MNIST")
    if path is not None:
        return _read_npz(path, "MNIST", "mirror")
    path = download(MNIST_REMOTE, cache_dir(), what="MNIST (11 MB)")
    return _read_npz(path, "MNIST", "cache")


def _read_idx(path: Path) -> np.ndarray:
    """Read one gzip-compressed IDX file (the format of the MNIST family)."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion_mnist() -> tuple[ArrayPair, ArrayPair]:
    """Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``; names in ``FASHION_CLASSES``."""
    path = _from_mirror_file("fashion-mnist.npz", "Fashion-MNIST")
    if path is not None:
        return _read_npz(path, "Fashion-MNIST", "mirror")
    cached = cache_dir() / "fashion-mnist.npz"
    if cached.is_file():
        return _read_npz(cached, "Fashion-MNIST", "cache")
    folder = cache_dir() / "downloads" / "fashion-mnist"
    y_train, x_train, y_test, x_test = (
        _read_idx(download(remote, folder, what=f"Fashion-MNIST {remote.filename}"))
        for remote in FASHION_REMOTES
    )
    # Store in the mirror layout, so this cache can serve as a mirror elsewhere.
    np.savez_compressed(cached, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    shutil.rmtree(folder, ignore_errors=True)
    return _read_npz(cached, "Fashion-MNIST", "cache")


# --------------------------------------------------------------------------- #
# Image folders: horses-or-humans, cats-and-dogs
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class FolderSpec:
    """An image dataset stored as ``<folder>/<split>/<class>/*.jpg``, and how to fetch it."""

    name: str
    folder: str
    counts: dict[str, dict[str, int]]
    # split -> (archive, sub-folder of the archive that holds the class folders)
    remotes: dict[str, tuple[Remote, str]]
    # sha256 over the sorted lines "<split>/<class>/<file> <sha256>" of the official files,
    # for archives without a published checksum of their own.
    content_digest: str | None = None


@dataclass(frozen=True)
class FolderDataset:
    """Paths to a dataset of class folders, as the loaders return it."""

    name: str
    root: Path
    train: Path
    validation: Path
    class_names: tuple[str, ...]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def tree(self) -> str:
        """The folder tree with the number of images in each class folder."""
        lines = [f"{self.root}/"]
        for split in ("train", "validation"):
            lines.append(f"  {split}/")
            for cls in self.class_names:
                n = self.counts.get(split, {}).get(cls, 0)
                lines.append(f"    {cls}/  {n:>5} images")
        return "\n".join(lines)


_TFDS_DATA = "https://storage.googleapis.com/download.tensorflow.org/data/"

HORSES_OR_HUMANS = FolderSpec(
    name="horses-or-humans",
    folder="horse-or-human",
    counts={"train": {"horses": 500, "humans": 527}, "validation": {"horses": 128, "humans": 128}},
    remotes={
        "train": (Remote(_TFDS_DATA + "horse-or-human.zip", "horse-or-human.zip",
                         checksum="e2e6f70d3d549c5dd10a57165e55af253ee66ad750403f95c0fb76bb943633a9",
                         size=149574867), ""),
        "validation": (Remote(_TFDS_DATA + "validation-horse-or-human.zip",
                              "validation-horse-or-human.zip",
                              checksum="ae5fff2f4f5554791f05358108e2e05d9801b191f1896ea101402f0e7f6c32c0",
                              size=11480187), ""),
    },
)

CATS_AND_DOGS = FolderSpec(
    name="cats-and-dogs (filtered)",
    folder="cats_and_dogs_filtered",
    counts={"train": {"cats": 1000, "dogs": 1000}, "validation": {"cats": 500, "dogs": 500}},
    # No checksum is published for this archive: it is checked by its exact size, and its
    # unpacked images by a digest of their sha256 sums.
    remotes={
        "*": (Remote("https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip",
                     "cats_and_dogs_filtered.zip", size=68606236), "cats_and_dogs_filtered"),
    },
    content_digest="7d0418bfcd35ecb61c47f2189e318bb9851a76193526948928970d4522c0960e",
)

_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif"}


def _count_images(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES) if folder.is_dir() else 0


def _check_folders(spec: FolderSpec, root: Path, origin: str) -> dict[str, dict[str, int]]:
    """Count the images per split and class; raise a learner-readable error when any are missing."""
    counts: dict[str, dict[str, int]] = {}
    for split, classes in spec.counts.items():
        counts[split] = {}
        for cls, expected in classes.items():
            found = _count_images(root / split / cls)
            counts[split][cls] = found
            if found < expected:
                fix = (
                    f"delete the folder {root} so that it is downloaded and unpacked again"
                    if origin == "cache"
                    else f"copy the complete dataset into the mirror, or unset {MIRROR_ENV} to download it"
                )
                raise DataUnavailableError(
                    f"{spec.name}: {root / split / cls} holds {found} images, expected {expected}; "
                    f"the copy is incomplete. Next step: {fix}."
                )
    return counts


def _content_digest(root: Path, splits: Iterable[str]) -> str:
    lines = []
    for split in splits:
        for path in sorted((root / split).rglob("*")):
            if path.is_file():
                lines.append(f"{path.relative_to(root).as_posix()} {file_hash(path)}")
    lines.sort()
    return hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()


def _fetch_folders(spec: FolderSpec, root: Path) -> None:
    """Download the official archives of ``spec`` and unpack them into ``root`` (mirror layout)."""
    downloads = cache_dir() / "downloads"
    staging = Path(tempfile.mkdtemp(prefix=f".{spec.folder}-", dir=cache_dir()))
    try:
        for split, (remote, inner) in spec.remotes.items():
            archive = download(remote, downloads, what=f"{spec.name} {remote.filename}")
            unpacked = safe_extract_zip(archive, staging / "unpacked" / split)
            source = unpacked / inner if inner else unpacked
            if split == "*":
                for sub in spec.counts:
                    shutil.move(str(source / sub), str(staging / sub))
            else:
                shutil.move(str(source), str(staging / split))
        if spec.content_digest is not None:
            found = _content_digest(staging, spec.counts)
            if found != spec.content_digest:
                raise ChecksumError(
                    f"The images unpacked from the {spec.name} archive are not the official ones "
                    f"(content digest {found}). Nothing was kept. Next step: delete the archives "
                    f"in {downloads} and run the cell again."
                )
        shutil.rmtree(staging / "unpacked")
        _check_folders(spec, staging, "cache")
        staging.replace(root)
        for remote, _ in spec.remotes.values():
            (downloads / remote.filename).unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_image_folders(spec: FolderSpec) -> FolderDataset:
    """Find (mirror, cache) or fetch (official archive) an image-folder dataset; return its paths."""
    mirror = mirror_dir()
    root, origin = None, "cache"
    if mirror is not None:
        if (mirror / spec.folder).is_dir():
            root, origin = mirror / spec.folder, "mirror"
        else:
            print(f"Note: {spec.name} is not in the offline mirror {mirror} (no {spec.folder}/); "
                  f"using the cache or the official download instead.")
    if root is None:
        root = cache_dir() / spec.folder
        if not root.is_dir():
            _fetch_folders(spec, root)
    counts = _check_folders(spec, root, origin)
    classes = tuple(sorted(next(iter(spec.counts.values()))))
    return FolderDataset(spec.name, root, root / "train", root / "validation", classes, counts)


def load_horses_or_humans() -> FolderDataset:
    """The horses-or-humans images: 1,027 for training and 256 for validation, 300x300 RGB."""
    return load_image_folders(HORSES_OR_HUMANS)


def load_cats_and_dogs() -> FolderDataset:
    """The filtered cats-and-dogs images: 2,000 for training and 1,000 for validation, varied sizes."""
    return load_image_folders(CATS_AND_DOGS)


# --------------------------------------------------------------------------- #
# Pretrained Keras application weights
# --------------------------------------------------------------------------- #

_KERAS_WEIGHTS = "https://storage.googleapis.com/tensorflow/keras-applications/"

def _keras_weights(family: str, stem: str, top_md5: str, notop_md5: str) -> dict[bool, Remote]:
    """The two weight files (with and without the classifier top) that Keras publishes for a model."""
    files = {True: f"{stem}_weights_tf_dim_ordering_tf_kernels.h5",
             False: f"{stem}_weights_tf_dim_ordering_tf_kernels_notop.h5"}
    sums = {True: top_md5, False: notop_md5}
    return {top: Remote(f"{_KERAS_WEIGHTS}{family}/{name}", name, checksum=sums[top]) for top, name in files.items()}


# Keras publishes MD5 sums for its ImageNet weights (keras/src/applications/*.py).
APPLICATION_WEIGHTS: dict[str, dict[bool, Remote]] = {
    "resnet50": _keras_weights("resnet", "resnet50", "2cb95161c43110f7111970584f804107",
                               "4d473c1dd8becc155b73f8504c6f6626"),
    "xception": _keras_weights("xception", "xception", "0a58e3b7378bc2990ea3b43d5981f1f6",
                               "b0042744bf5b25fce3cb969f33bebb97"),
}


# The names of ImageNet's 1,000 classes, the file ``decode_predictions`` reads (its MD5 as in
# keras/src/applications/imagenet_utils.py).
IMAGENET_CLASS_INDEX = Remote(
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json",
    "imagenet_class_index.json", checksum="c2c37ea517e94d9795004a39431a14cb")


def _keras_file(remote: Remote, what: str) -> Path:
    """A Keras file from ``<mirror>/keras-weights/`` (checked), else the cache or the official download."""
    relative = f"keras-weights/{remote.filename}"
    mirror = mirror_dir()
    if mirror is not None:
        path = mirror / relative
        if path.is_file():
            ok, found = _matches(path, remote)
            if not ok:
                raise ChecksumError(f"{path} is not the published {what} file ({found}).")
            return path
        print(f"Note: the {what} file is not in the offline mirror {mirror} (no {relative}); "
              f"trying the cache or the official download.")
    return download(remote, cache_dir() / "keras-weights", what=what)


def imagenet_class_index() -> Path:
    """Path to ``imagenet_class_index.json``, the names of ImageNet's classes (mirror, cache or download)."""
    return _keras_file(IMAGENET_CLASS_INDEX, "ImageNet class names")


def application_weights(architecture: str, *, include_top: bool = True) -> Path:
    """Path to the ImageNet weights of a ``keras.applications`` model (mirror, cache or download).

    Pass the result as ``weights=`` when building the model. Raises
    DataUnavailableError, with the reason, when the weights cannot be had; a
    notebook then says so and runs its labelled alternative.
    """
    key = architecture.lower()
    if key not in APPLICATION_WEIGHTS:
        raise ValueError(f"No weights are registered for {architecture!r}; known: {sorted(APPLICATION_WEIGHTS)}")
    return _keras_file(APPLICATION_WEIGHTS[key][include_top], f"{architecture} ImageNet weights")


# --------------------------------------------------------------------------- #
# tensorflow-datasets (tf_flowers and friends)
# --------------------------------------------------------------------------- #


def load_tfds(name: str, split, **kwargs):
    """``tfds.load`` with the course's data folders, for datasets such as ``tf_flowers``.

    ``split`` uses the slicing API, for example ``["train[:10%]", "train[10%:25%]",
    "train[25%:]"]``. A mirror is read with ``<COURSE_DATA_DIR>/tensorflow_datasets``
    and no download; otherwise the cache's ``tensorflow_datasets`` folder is used
    and filled. Returns what ``tfds.load`` returns.
    """
    import tensorflow_datasets as tfds

    kwargs.setdefault("as_supervised", True)
    mirror = mirror_dir()
    data_dir, download_ok = cache_dir() / "tensorflow_datasets", True
    if mirror is not None:
        if (mirror / "tensorflow_datasets" / name).is_dir():
            data_dir, download_ok = mirror / "tensorflow_datasets", False
        else:
            print(f"Note: {name} is not in the offline mirror {mirror} "
                  f"(no tensorflow_datasets/{name}/); trying the cache or the official download.")
    try:
        return tfds.load(name, split=split, data_dir=str(data_dir), download=download_ok, **kwargs)
    except Exception as exc:  # tfds raises many kinds when offline
        raise DataUnavailableError(
            _offline_message(f"the tensorflow-datasets dataset '{name}'",
                             f"https://www.tensorflow.org/datasets/catalog/{name}", exc)
        ) from None


# --------------------------------------------------------------------------- #
# Photos that need no download
# --------------------------------------------------------------------------- #


def sample_photos() -> dict[str, np.ndarray]:
    """The two photos that scikit-learn ships, as float32 RGB arrays in [0, 1] of shape (427, 640, 3)."""
    from sklearn.datasets import load_sample_image

    return {
        name: (load_sample_image(f"{name}.jpg") / 255.0).astype(np.float32)
        for name in ("china", "flower")
    }
