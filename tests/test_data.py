"""The data layer: mirror, cache, checked downloads from 127.0.0.1, safe unpacking, clear errors.

Each test builds a small catalogue of its own (served on 127.0.0.1 or written
into a folder) and a Store over it, the way helpers.data builds the course's.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import os
from pathlib import Path

import numpy as np
import pytest
from archives import TFDS_BROKEN, importable_tfds, sha256, tiny_png, zip_bytes

from helpers import data
from helpers.data import ChecksumError, DataUnavailableError, UnsafeArchiveError
from helpers.store import (
    File,
    IdxArrays,
    ImageFolders,
    Remote,
    Store,
    TfdsDataset,
    download,
    import_tfds,
    safe_extract_zip,
)

TFDS = importable_tfds()
needs_tfds = pytest.mark.skipif(TFDS is None, reason=TFDS_BROKEN)


def npz_bytes(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, 60000, dtype=np.uint8),
        x_test=rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 10000, dtype=np.uint8),
    )
    return buffer.getvalue()


def mnist_asset(remote: Remote) -> File:
    """The course's MNIST entry with another address and checksum."""
    return File(
        data.MNIST.key, data.MNIST.name, data.MNIST.path, data.MNIST.size, remote=remote, reader=data.MNIST.reader
    )


def served_mnist(http_root, payload: bytes | None = None, checksum: str | None = None) -> File:
    root, base, _ = http_root
    payload = npz_bytes() if payload is None else payload
    (root / "mnist.npz").write_bytes(payload)
    return mnist_asset(Remote(base + "mnist.npz", "mnist.npz", checksum=checksum or sha256(payload)))


# ----------------------------------------------------------------- downloads


def test_good_download_is_verified_cached_and_not_fetched_twice(http_root, tmp_path):
    payload = npz_bytes()
    store = Store([served_mnist(http_root, payload)], mirror=None, cache=tmp_path / "cache")

    (x_train, y_train), (x_test, y_test) = store.load("mnist")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert (tmp_path / "cache" / "mnist.npz").read_bytes() == payload
    assert not list((tmp_path / "cache").glob("*.part")), "a finished download must not leave a .part file"

    store.load("mnist")
    assert http_root[2] == ["/mnist.npz"], "the second load must come from the cache"


def test_wrong_checksum_is_rejected_and_nothing_kept(http_root, tmp_path):
    store = Store([served_mnist(http_root, checksum="0" * 64)], mirror=None, cache=tmp_path / "cache")
    with pytest.raises(ChecksumError) as info:
        store.load("mnist")
    message = str(info.value)
    assert "damaged or is not the expected file" in message and http_root[1] + "mnist.npz" in message
    assert not any((tmp_path / "cache").iterdir()), "a file that fails its checksum must not stay in the cache"


def test_damaged_cached_copy_is_fetched_again_and_said_so(http_root, tmp_path, capsys):
    payload = npz_bytes()
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "mnist.npz").write_bytes(payload[:1000])
    store = Store([served_mnist(http_root, payload)], mirror=None, cache=cache)
    store.load("mnist")
    printed = capsys.readouterr().out
    assert "the copy of MNIST in" in printed and "fetching it again" in printed
    assert (cache / "mnist.npz").read_bytes() == payload and http_root[2] == ["/mnist.npz"]


def test_truncated_transfer_is_caught_by_its_size(http_root, tmp_path):
    root, base, _ = http_root
    payload = zip_bytes({"a.txt": b"x" * 1000})
    (root / "cut.zip").write_bytes(payload[:-100])
    remote = Remote(base + "cut.zip", "cut.zip", size=len(payload))

    with pytest.raises(ChecksumError, match=f"{len(payload) - 100:,} bytes instead of {len(payload):,}"):
        download(remote, tmp_path / "cache")


def test_truncated_archive_gets_a_clear_message(tmp_path):
    payload = zip_bytes({"horses/h1.png": tiny_png(1) * 50})
    archive = tmp_path / "cut.zip"
    archive.write_bytes(payload[: len(payload) // 2])
    with pytest.raises(DataUnavailableError, match="damaged .* cut off during the download"):
        safe_extract_zip(archive, tmp_path / "out")


@pytest.mark.parametrize("member", ["../escape.txt", "horses/../../escape.txt", "/abs/escape.txt"])
def test_archive_member_escaping_the_target_is_refused_as_unsafe(tmp_path, member):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(zip_bytes({"horses/ok.txt": b"ok", member: b"evil"}))
    target = tmp_path / "deep" / "out"
    with pytest.raises(UnsafeArchiveError, match="outside") as info:
        safe_extract_zip(archive, target)
    assert not isinstance(info.value, ChecksumError), "an unsafe entry is not a checksum problem"
    assert not (tmp_path / "deep" / "escape.txt").exists() and not (tmp_path / "escape.txt").exists()
    assert not (target / "horses" / "ok.txt").exists(), "nothing is unpacked from a refused archive"


def test_offline_with_nothing_cached_names_dataset_url_and_mirror_option(tmp_path, closed_port_url):
    url = closed_port_url + "mnist.npz"
    store = Store([mnist_asset(Remote(url, "mnist.npz", checksum="0" * 64))], mirror=None, cache=tmp_path / "c")
    with pytest.raises(DataUnavailableError) as info:
        store.load("mnist")
    message = str(info.value)
    assert "MNIST" in message and url in message and "COURSE_DATA_DIR" in message and str(tmp_path / "c") in message
    assert not any((tmp_path / "c").iterdir())


def test_fashion_mnist_is_downloaded_as_idx_files_and_cached_in_mirror_layout(http_root, tmp_path):
    import gzip

    root, base, requests = http_root
    rng = np.random.default_rng(1)
    arrays = {
        "y_train": ("train-labels-idx1-ubyte.gz", rng.integers(0, 10, 60000, dtype=np.uint8)),
        "x_train": ("train-images-idx3-ubyte.gz", rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8)),
        "y_test": ("t10k-labels-idx1-ubyte.gz", rng.integers(0, 10, 10000, dtype=np.uint8)),
        "x_test": ("t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8)),
    }
    remotes = {}
    for key, (name, array) in arrays.items():
        header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
        payload = gzip.compress(header + array.tobytes())
        (root / name).write_bytes(payload)
        remotes[key] = Remote(base + name, name, checksum=sha256(payload))
    fashion = data.FASHION_MNIST
    store = Store(
        [IdxArrays(fashion.key, fashion.name, fashion.path, fashion.size, remotes=remotes, reader=fashion.reader)],
        mirror=None,
        cache=tmp_path / "cache",
    )

    (x_train, y_train), (x_test, y_test) = store.load("fashion-mnist")
    np.testing.assert_array_equal(x_train, arrays["x_train"][1])
    np.testing.assert_array_equal(y_test, arrays["y_test"][1])
    assert sorted(p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()) == ["fashion-mnist.npz"]
    store.load("fashion-mnist")
    assert len(requests) == 4


# ----------------------------------------------------------------- image folders


def _folders(base: str, archives: dict[str, bytes], root: Path, digest: str | None = None) -> ImageFolders:
    remotes = {}
    for split, payload in archives.items():
        (root / f"{split}.zip").write_bytes(payload)
        remotes[split] = (Remote(base + f"{split}.zip", f"{split}.zip", checksum=sha256(payload)), "")
    return ImageFolders(
        "tiny-pets",
        "tiny-pets",
        "tiny_pets",
        "1 KB",
        counts={"train": {"cats": 2, "dogs": 1}, "validation": {"cats": 1, "dogs": 1}},
        archives=remotes,
        content_digest=digest,
    )


TRAIN = {"cats/c1.png": tiny_png(10), "cats/c2.png": tiny_png(20), "dogs/d1.png": tiny_png(30)}
VALID = {"cats/c3.png": tiny_png(40), "dogs/d2.png": tiny_png(50)}


def test_image_folders_are_downloaded_unpacked_and_counted(http_root, tmp_path):
    root, base, requests = http_root
    cache = tmp_path / "cache"
    store = Store(
        [_folders(base, {"train": zip_bytes(TRAIN), "validation": zip_bytes(VALID)}, root)], mirror=None, cache=cache
    )

    ds = store.load("tiny-pets")
    assert ds.class_names == ("cats", "dogs")
    assert ds.train == cache / "tiny_pets" / "train"
    assert ds.counts == {"train": {"cats": 2, "dogs": 1}, "validation": {"cats": 1, "dogs": 1}}
    assert (ds.validation / "dogs" / "d2.png").read_bytes() == VALID["dogs/d2.png"]
    assert "cats/      2 images" in ds.tree()
    assert sorted(p.name for p in cache.iterdir()) == ["downloads", "tiny_pets"]
    assert not any((cache / "downloads").iterdir()), "archives are removed once unpacked"

    store.load("tiny-pets")
    assert len(requests) == 2, "a second load reads the cache"


def test_single_archive_with_inner_folder_and_content_digest(http_root, tmp_path):
    """The cats-and-dogs case: one archive holding <folder>/train and <folder>/validation, no published
    checksum, so the unpacked images are checked against a digest of their sha256 sums."""
    root, base, _ = http_root
    members = {f"pets/train/{k}": v for k, v in TRAIN.items()}
    members.update({f"pets/validation/{k}": v for k, v in VALID.items()})
    members["pets/vectorize.py"] = b"# not an image"
    payload = zip_bytes(members)
    (root / "pets.zip").write_bytes(payload)
    lines = sorted(
        f"{name[len('pets/') :]} {sha256(data_)}" for name, data_ in members.items() if name.endswith(".png")
    )
    digest = hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()
    pets = ImageFolders(
        "pets",
        "pets",
        "pets",
        "1 KB",
        counts={"train": {"cats": 2, "dogs": 1}, "validation": {"cats": 1, "dogs": 1}},
        archives={"*": (Remote(base + "pets.zip", "pets.zip", size=len(payload)), "pets")},
        content_digest=digest,
    )
    ds = Store([pets], mirror=None, cache=tmp_path / "cache").load("pets")
    assert ds.counts["train"] == {"cats": 2, "dogs": 1}
    assert sorted(p.name for p in (tmp_path / "cache" / "pets").iterdir()) == ["train", "validation"]


def test_unpacked_images_must_match_the_content_digest(http_root, tmp_path):
    root, base, _ = http_root
    spec = _folders(base, {"train": zip_bytes(TRAIN), "validation": zip_bytes(VALID)}, root, digest="f" * 64)
    with pytest.raises(ChecksumError, match="not the official ones"):
        Store([spec], mirror=None, cache=tmp_path / "cache").load("tiny-pets")
    assert not (tmp_path / "cache" / "tiny_pets").exists(), "nothing half-checked stays in the cache"
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["downloads"], "no staging folder is left"


def _write_folders(root: Path) -> None:
    for split, members in (("train", TRAIN), ("validation", VALID)):
        for name, payload in members.items():
            path = root / split / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload)


def test_incomplete_mirror_folder_says_what_is_missing(tmp_path, closed_port_url):
    _write_folders(tmp_path / "mirror" / "tiny_pets")
    (tmp_path / "mirror" / "tiny_pets" / "train" / "cats" / "c2.png").unlink()
    store = Store([_folders(closed_port_url, {}, tmp_path)], mirror=tmp_path / "mirror", cache=tmp_path / "cache")
    with pytest.raises(ChecksumError, match=r"(?s)holds 1 images, expected 2.*copy tiny_pets into the mirror again"):
        store.load("tiny-pets")


def test_incomplete_cached_folder_is_fetched_again(http_root, tmp_path, capsys):
    root, base, requests = http_root
    cache = tmp_path / "cache"
    _write_folders(cache / "tiny_pets")
    (cache / "tiny_pets" / "validation" / "dogs" / "d2.png").unlink()
    store = Store(
        [_folders(base, {"train": zip_bytes(TRAIN), "validation": zip_bytes(VALID)}, root)], mirror=None, cache=cache
    )
    assert store.load("tiny-pets").counts["validation"] == {"cats": 1, "dogs": 1}
    assert "holds 0 images, expected 1" in capsys.readouterr().out and len(requests) == 2


# ----------------------------------------------------------------- the mirror


def _mirror_with_mnist(tmp_path: Path, payload: bytes, listed_hash: str | None) -> Path:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "mnist.npz").write_bytes(payload)
    if listed_hash:
        (mirror / "MANIFEST.sha256").write_text(f"{listed_hash}  ./mnist.npz\n")
    return mirror


def test_mirror_is_read_without_any_download(tmp_path, closed_port_url):
    payload = npz_bytes(3)
    mirror = _mirror_with_mnist(tmp_path, payload, sha256(payload))
    # The published checksum differs: a file the manifest lists is checked against the manifest.
    asset = mnist_asset(Remote(closed_port_url + "mnist.npz", "mnist.npz", checksum="0" * 64))
    (x_train, _), _ = Store([asset], mirror=mirror, cache=tmp_path / "cache").load("mnist")
    assert x_train.shape == (60000, 28, 28)
    assert not (tmp_path / "cache").exists(), "nothing is downloaded, not even a cache folder made"


def test_mirror_file_that_fails_its_manifest_is_refused(tmp_path, closed_port_url):
    mirror = _mirror_with_mnist(tmp_path, npz_bytes(), "0" * 64)
    asset = mnist_asset(Remote(closed_port_url + "mnist.npz", "mnist.npz"))
    with pytest.raises(ChecksumError, match="MANIFEST.sha256"):
        Store([asset], mirror=mirror, cache=tmp_path / "cache").load("mnist")


def test_unlisted_mirror_file_is_checked_against_its_published_checksum(tmp_path, closed_port_url):
    payload = npz_bytes()
    mirror = _mirror_with_mnist(tmp_path, payload, None)
    for checksum, ok in ((sha256(payload), True), ("0" * 64, False)):
        store = Store(
            [mnist_asset(Remote(closed_port_url + "mnist.npz", "mnist.npz", checksum=checksum))],
            mirror=mirror,
            cache=tmp_path / "cache",
        )
        if ok:
            store.load("mnist")
        else:
            with pytest.raises(ChecksumError, match="(?s)MNIST.*offline mirror.*sha256"):
                store.load("mnist")


def test_corrupt_npz_in_mirror_gets_a_message_not_a_traceback(tmp_path, closed_port_url):
    mirror = _mirror_with_mnist(tmp_path, b"not a zip at all", None)
    asset = mnist_asset(Remote(closed_port_url + "mnist.npz", "mnist.npz"))
    with pytest.raises(DataUnavailableError, match="(?s)cannot be read.*copy mnist.npz into the mirror again"):
        Store([asset], mirror=mirror, cache=tmp_path / "cache").load("mnist")


def test_dataset_missing_from_mirror_falls_back_and_says_so(tmp_path, http_root, capsys):
    (tmp_path / "empty-mirror").mkdir()
    store = Store([served_mnist(http_root)], mirror=tmp_path / "empty-mirror", cache=tmp_path / "cache")
    store.load("mnist")
    assert f"the offline mirror {tmp_path / 'empty-mirror'} does not hold MNIST" in capsys.readouterr().out


def test_mirror_variable_pointing_nowhere_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nope"))
    with pytest.raises(DataUnavailableError, match="does not exist"):
        data.load_mnist()


def test_the_loaders_use_the_store_they_are_given(tmp_path, http_root):
    payload = npz_bytes(5)
    previous = data.use_store(Store([served_mnist(http_root, payload)], mirror=None, cache=tmp_path / "cache"))
    try:
        (x_train, _), _ = data.load_mnist()
    finally:
        data.use_store(previous)
    with np.load(io.BytesIO(payload)) as f:
        np.testing.assert_array_equal(x_train, f["x_train"])


def test_catalogue_keys_and_paths_are_unique():
    keys = [asset.key for asset in data.CATALOGUE]
    paths = [asset.path for asset in data.CATALOGUE]
    assert len(set(keys)) == len(keys) and len(set(paths)) == len(paths)
    assert set(data.APPLICATIONS) == {"resnet50", "xception"}
    assert {data.weights_key(a, top) for a in data.APPLICATIONS for top in (True, False)} <= set(keys)


# ----------------------------------------------------------------- weights and tfds


def _weights(remote: Remote) -> File:
    return File(
        "weights-tinynet", "tinynet ImageNet weights", f"keras-weights/{remote.filename}", "1 KB", remote=remote
    )


def test_application_weights_download_checked_against_published_md5(http_root, tmp_path):
    root, base, _ = http_root
    payload = b"pretend h5 weights" * 100
    (root / "w.h5").write_bytes(payload)
    store = Store(
        [_weights(Remote(base + "w.h5", "w.h5", checksum=hashlib.md5(payload).hexdigest()))],
        mirror=None,
        cache=tmp_path / "cache",
    )
    path = store.load("weights-tinynet")
    assert path == tmp_path / "cache" / "keras-weights" / "w.h5" and path.read_bytes() == payload


def test_application_weights_offline_raises_clear_error(tmp_path, closed_port_url):
    store = Store(
        [_weights(Remote(closed_port_url + "w.h5", "w.h5", checksum="0" * 32))], mirror=None, cache=tmp_path / "cache"
    )
    with pytest.raises(DataUnavailableError, match="(?s)tinynet ImageNet weights.*COURSE_DATA_DIR"):
        store.load("weights-tinynet")


def test_application_weights_are_read_from_mirror_and_checked(tmp_path):
    payload = b"weights"
    store = Store(
        [_weights(Remote("http://127.0.0.1:1/w.h5", "w.h5", checksum=hashlib.md5(payload).hexdigest()))],
        mirror=tmp_path,
        cache=tmp_path / "cache",
    )
    (tmp_path / "keras-weights").mkdir()
    (tmp_path / "keras-weights" / "w.h5").write_bytes(payload)
    assert store.load("weights-tinynet") == tmp_path / "keras-weights" / "w.h5"
    (tmp_path / "keras-weights" / "w.h5").write_bytes(b"changed")
    with pytest.raises(ChecksumError, match="(?s)tinynet ImageNet weights.*md5"):
        store.load("weights-tinynet")


def test_unknown_architecture_is_named():
    with pytest.raises(ValueError, match="known: \\['resnet50', 'xception'\\]"):
        data.application_weights("alexnet")


def _spy_on_tfds_load(monkeypatch):
    import tensorflow_datasets as tfds

    calls = []
    real_load = tfds.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(tfds, "load", spy)
    return calls


FLOWERS = TfdsDataset("tf_flowers", "tf_flowers", "tensorflow_datasets/tf_flowers", "220 MB")


@needs_tfds
def test_tfds_slicing_api_through_the_store(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    calls = _spy_on_tfds_load(monkeypatch)
    splits = ["train[:10%]", "train[10%:25%]", "train[25%:]"]
    with tfds.testing.mock_data(num_examples=4):
        train, valid, test = Store([FLOWERS], mirror=None, cache=tmp_path / "cache").load("tf_flowers", split=splits)
        image, label = next(iter(train))
    assert image.shape[-1] == 3 and label.dtype.is_integer
    assert calls[0]["split"] == splits and calls[0]["as_supervised"] is True
    assert calls[0]["data_dir"] == str(tmp_path / "cache" / "tensorflow_datasets") and calls[0]["download"] is True


@needs_tfds
def test_tfds_reads_a_mirror_without_downloading(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    (tmp_path / "tensorflow_datasets" / "tf_flowers" / "3.0.1").mkdir(parents=True)
    (tmp_path / "tensorflow_datasets" / "tf_flowers" / "3.0.1" / "dataset_info.json").write_text("{}")
    calls = _spy_on_tfds_load(monkeypatch)
    with tfds.testing.mock_data(num_examples=2):
        Store([FLOWERS], mirror=tmp_path, cache=tmp_path / "cache").load("tf_flowers", split="train[:50%]")
    assert calls[0]["data_dir"] == str(tmp_path / "tensorflow_datasets") and calls[0]["download"] is False


@needs_tfds
def test_tfds_offline_error_names_the_dataset(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(tfds, "load", offline)
    with pytest.raises(DataUnavailableError, match="(?s)tf_flowers.*COURSE_DATA_DIR"):
        Store([FLOWERS], mirror=None, cache=tmp_path / "cache").load("tf_flowers", split="train[:10%]")


def test_tfds_that_cannot_be_imported_gives_the_course_error(isolated_data, monkeypatch):
    """As on Colab when tensorflow-metadata needs a newer protobuf: the import itself fails."""
    real_import = builtins.__import__
    failure = "cannot import name 'runtime_version' from 'google.protobuf'"

    def failing_import(name, *args, **kwargs):
        if name == "tensorflow_datasets" or name.startswith("tensorflow_datasets."):
            raise ImportError(failure)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing_import)
    with pytest.raises(DataUnavailableError) as info:
        data.load_tfds("tf_flowers", ["train[:10%]"])
    message = str(info.value)
    assert "tf_flowers" in message and failure in message and "pip install" in message and "restart" in message


def test_a_partly_imported_tfds_gives_the_course_error(monkeypatch):
    """As on Colab's listed versions: the import logs a protobuf clash and returns a module without ``load``."""
    import sys
    import types

    monkeypatch.setitem(sys.modules, "tensorflow_datasets", types.ModuleType("tensorflow_datasets"))
    with pytest.raises(DataUnavailableError, match="(?s)tf_flowers.*cannot be imported.*no load or builder.*restart"):
        import_tfds("tf_flowers")


@pytest.mark.skipif(
    TFDS is not None, reason="tensorflow-datasets imports here; the two tests above simulate the failure"
)
def test_tfds_broken_here_gives_the_course_error(tmp_path):
    with pytest.raises(DataUnavailableError, match="(?s)tf_flowers.*cannot be imported.*restart the kernel"):
        Store([FLOWERS], mirror=None, cache=tmp_path / "cache").load("tf_flowers", split="train[:10%]")


def test_sample_photos_need_no_download():
    photos = data.sample_photos()
    assert set(photos) == {"china", "flower"}
    for image in photos.values():
        assert image.shape == (427, 640, 3) and 0.0 <= image.min() and image.max() <= 1.0


@pytest.mark.skipif(not os.environ.get("COURSE_DATA_DIR"), reason="needs the course data mirror (COURSE_DATA_DIR)")
def test_the_course_mirror_is_read_and_cats_and_dogs_digest_matches_it():
    """The digest the download is checked against is the one of the real, unchanged image files."""
    pets = data.load_cats_and_dogs()
    assert pets.root == Path(os.environ["COURSE_DATA_DIR"]).resolve() / data.CATS_AND_DOGS.path
    assert data.CATS_AND_DOGS.damage(pets.root, thorough=True) is None
