"""The offline mirror builder (helpers.mirror), against archives served on 127.0.0.1.

Each kind of entry of the course's catalogue gets a small counterpart that these
tests make and serve, in a catalogue of their own; the loaders of helpers.data
must then read the built folder as a mirror, without any download.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from archives import TFDS_BROKEN, importable_tfds, sha256, tiny_png, zip_bytes

from helpers import data, mirror
from helpers.store import Remote, Store

ITEMS = [
    "mnist",
    "fashion-mnist",
    "horses-or-humans",
    "cats-and-dogs",
    "weights-tinynet",
    "weights-tinynet-notop",
    "imagenet-class-names",
]


def mnist_like(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        x_train=np.zeros((60000, 28, 28), np.uint8),
        y_train=rng.integers(0, 10, 60000, dtype=np.uint8),
        x_test=np.zeros((10000, 28, 28), np.uint8),
        y_test=rng.integers(0, 10, 10000, dtype=np.uint8),
    )
    return buffer.getvalue()


def idx_gz(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes(), mtime=0)


class Official:
    """The fake official downloads: what is served on 127.0.0.1, and the catalogue that points at it."""

    def __init__(self, root: Path, base: str, requests: list):
        self.root, self.base, self.requests = root, base, requests
        self.payloads: dict[str, bytes] = {}
        self.catalogue: list = []

    def serve(self, name: str, payload: bytes, *, checksum: str = "sha256") -> Remote:
        """Serve ``payload``; the remote carries its sha256 or md5, or only its size (``checksum=""``)."""
        (self.root / name).write_bytes(payload)
        self.payloads[name] = payload
        digest = hashlib.new(checksum, payload).hexdigest() if checksum else None
        return Remote(self.base + name, name, checksum=digest, size=None if checksum else len(payload))


HORSES = {
    "train": {"horses/h1.png": tiny_png(1), "horses/h2.png": tiny_png(2), "humans/p1.png": tiny_png(3)},
    "validation": {"horses/h3.png": tiny_png(4), "humans/p2.png": tiny_png(5)},
}
PETS = {
    f"pets/{split}/{name}": payload
    for split, members in {
        "train": {"cats/c1.jpg": tiny_png(10), "dogs/d1.jpg": tiny_png(11), "dogs/d2.jpg": tiny_png(12)},
        "validation": {"cats/c2.jpg": tiny_png(13), "dogs/d3.jpg": tiny_png(14)},
    }.items()
    for name, payload in members.items()
}


def pets_digest() -> str:
    lines = sorted(f"{name[len('pets/') :]} {sha256(payload)}" for name, payload in PETS.items())
    return hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()


def _like(entry, **changes):
    """The course's catalogue entry ``entry`` with other sources (and, for folders, other counts)."""
    return dataclasses.replace(entry, **changes)


@pytest.fixture
def official(http_root):
    """Every kind of entry of the course's catalogue, small, served on 127.0.0.1: a catalogue of its own."""
    site = Official(*http_root)
    rng = np.random.default_rng(1)
    site.fashion = {
        "y_train": rng.integers(0, 10, 60000, dtype=np.uint8),
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_test": rng.integers(0, 10, 10000, dtype=np.uint8),
        "x_test": np.full((10000, 28, 28), 7, np.uint8),
    }
    weights = data.APPLICATIONS["resnet50"].weights("tinynet")
    site.catalogue = [
        _like(data.MNIST, remote=site.serve("mnist.npz", mnist_like(0))),
        _like(
            data.FASHION_MNIST,
            remotes={key: site.serve(f"{key}.gz", idx_gz(array)) for key, array in site.fashion.items()},
        ),
        _like(
            data.HORSES_OR_HUMANS,
            counts={"train": {"horses": 2, "humans": 1}, "validation": {"horses": 1, "humans": 1}},
            archives={
                split: (site.serve(f"{split}-hoh.zip", zip_bytes(members)), "") for split, members in HORSES.items()
            },
        ),
        _like(
            data.CATS_AND_DOGS,
            counts={"train": {"cats": 1, "dogs": 2}, "validation": {"cats": 1, "dogs": 1}},
            archives={"*": (site.serve("pets.zip", zip_bytes(PETS), checksum=""), "pets")},
            content_digest=pets_digest(),
        ),
        # Keras publishes MD5 sums for its weights
        *(
            _like(entry, path=f"keras-weights/{name}", remote=site.serve(name, name.encode() * 50, checksum="md5"))
            for entry, name in zip(weights, ("tiny.h5", "tiny_notop.h5"))
        ),
        _like(
            data.IMAGENET_CLASS_INDEX,
            remote=site.serve("imagenet_class_index.json", b'{"0": ["n01440764", "tench"]}', checksum="md5"),
        ),
    ]
    return site


def test_the_course_catalogue_covers_every_dataset_and_weights_file():
    assert [asset.key for asset in data.CATALOGUE] == [
        "mnist",
        "fashion-mnist",
        "horses-or-humans",
        "cats-and-dogs",
        "weights-resnet50",
        "weights-resnet50-notop",
        "weights-xception",
        "weights-xception-notop",
        "imagenet-class-names",
        "tf_flowers",
    ]


def test_list_names_every_entry(capsys):
    assert mirror.main(["list"]) == 0
    printed = capsys.readouterr().out
    assert all(asset.key in printed and asset.path in printed for asset in data.CATALOGUE)


def test_good_build_is_verified_complete_and_read_by_the_loaders(official, tmp_path):
    target = tmp_path / "course-data"
    count = mirror.build(target, ITEMS, log=lambda line: None, catalogue=official.catalogue)

    # layout: what COURSE_DATA_DIR readers expect, and nothing else
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == sorted(
        [
            "MANIFEST.sha256",
            "mnist.npz",
            "fashion-mnist.npz",
            "horse-or-human/train/horses/h1.png",
            "horse-or-human/train/horses/h2.png",
            "horse-or-human/train/humans/p1.png",
            "horse-or-human/validation/horses/h3.png",
            "horse-or-human/validation/humans/p2.png",
            "cats_and_dogs_filtered/train/cats/c1.jpg",
            "cats_and_dogs_filtered/train/dogs/d1.jpg",
            "cats_and_dogs_filtered/train/dogs/d2.jpg",
            "cats_and_dogs_filtered/validation/cats/c2.jpg",
            "cats_and_dogs_filtered/validation/dogs/d3.jpg",
            "keras-weights/tiny.h5",
            "keras-weights/tiny_notop.h5",
            "keras-weights/imagenet_class_index.json",
        ]
    ), "no archives, downloads/ or staging folders are left behind"
    assert count == len(files) - 1
    assert (target / "mnist.npz").read_bytes() == official.payloads["mnist.npz"]
    assert mirror.verify(target) == []
    manifest = (target / "MANIFEST.sha256").read_text().splitlines()
    paths = [line.split("  ", 1)[1] for line in manifest]
    assert paths == sorted(paths) and all(path.startswith("./") for path in paths)
    assert f"{sha256(official.payloads['mnist.npz'])}  ./mnist.npz" in manifest

    # The loaders take everything from the mirror and download nothing.
    requests_before = len(official.requests)
    previous = data.use_store(Store(official.catalogue, mirror=target, cache=tmp_path / "cache"))
    try:
        (x_train, y_train), (x_test, _) = data.load_mnist()
        (fx_train, fy_train), (fx_test, _) = data.load_fashion_mnist()
        horses = data.load_horses_or_humans()
        pets = data.load_cats_and_dogs()
        weights = data.application_weights("tinynet", include_top=False)
        names = data.imagenet_class_index()
    finally:
        data.use_store(previous)
    assert x_train.shape == (60000, 28, 28)
    np.testing.assert_array_equal(fy_train, official.fashion["y_train"])
    np.testing.assert_array_equal(fx_test, official.fashion["x_test"])
    assert horses.root == target / "horse-or-human" and horses.counts["train"] == {"horses": 2, "humans": 1}
    assert pets.class_names == ("cats", "dogs") and pets.counts["validation"] == {"cats": 1, "dogs": 1}
    assert weights == target / "keras-weights" / "tiny_notop.h5"
    assert names == target / "keras-weights" / "imagenet_class_index.json"
    assert len(official.requests) == requests_before, "nothing is downloaded when the mirror is used"
    assert not (tmp_path / "cache").exists()


def test_rerunning_is_idempotent_and_downloads_nothing(official, tmp_path):
    target = tmp_path / "course-data"
    mirror.build(target, ITEMS, log=lambda line: None, catalogue=official.catalogue)
    manifest = (target / "MANIFEST.sha256").read_bytes()
    requests = list(official.requests)

    lines = []
    mirror.build(target, ITEMS, log=lines.append, catalogue=official.catalogue)
    assert official.requests == requests, "a second build must not download anything"
    assert (target / "MANIFEST.sha256").read_bytes() == manifest
    assert len(lines) >= len(ITEMS) and all("kept" in line for line in lines), lines


def test_corrupt_archive_fails_clearly_and_leaves_nothing_half_written(official, tmp_path):
    # The server sends a damaged copy of the horses training archive (one byte changed).
    good = official.payloads["train-hoh.zip"]
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0xFF
    (official.root / "train-hoh.zip").write_bytes(bytes(damaged))
    target = tmp_path / "course-data"

    lines = []
    with pytest.raises(mirror.MirrorError, match="Not built: horses-or-humans.*no MANIFEST.sha256"):
        mirror.build(target, ITEMS, log=lines.append, catalogue=official.catalogue)
    assert any("horses-or-humans" in line and "damaged or is not the expected file" in line for line in lines)
    assert not (target / "horse-or-human").exists(), "a dataset that failed must be absent"
    assert not (target / "MANIFEST.sha256").exists(), "an incomplete folder has no manifest"
    leftovers = [p.name for p in target.rglob("*") if p.name.endswith(".part") or p.name.startswith(".")]
    assert leftovers == []
    assert (target / "mnist.npz").is_file(), "the other items are built"
    assert mirror.verify(target)[0].endswith("the build did not finish")

    # Once the server is fixed, the same command completes the folder without fetching the rest again.
    (official.root / "train-hoh.zip").write_bytes(good)
    before = len(official.requests)
    mirror.build(target, ITEMS, log=lines.append, catalogue=official.catalogue)
    fetched = official.requests[before:]
    assert "/train-hoh.zip" in fetched and "/mnist.npz" not in fetched
    assert mirror.verify(target) == []


def test_archive_whose_images_are_not_the_official_ones_is_refused(official, tmp_path):
    catalogue = [
        _like(asset, content_digest="0" * 64) if asset.key == "cats-and-dogs" else asset for asset in official.catalogue
    ]
    target = tmp_path / "course-data"
    with pytest.raises(mirror.MirrorError, match="Not built: cats-and-dogs"):
        mirror.build(target, ["cats-and-dogs", "mnist"], log=lambda line: None, catalogue=catalogue)
    assert not (target / "cats_and_dogs_filtered").exists() and not (target / "MANIFEST.sha256").exists()


def test_a_damaged_file_in_a_built_mirror_is_found_and_fetched_again(official, tmp_path):
    target = tmp_path / "course-data"
    mirror.build(target, ITEMS, log=lambda line: None, catalogue=official.catalogue)
    image = target / "horse-or-human" / "validation" / "humans" / "p2.png"
    image.write_bytes(b"broken")
    assert mirror.verify(target) == ["changed: horse-or-human/validation/humans/p2.png"]

    lines = []
    mirror.build(target, ITEMS, log=lines.append, catalogue=official.catalogue)
    assert any("horses-or-humans: 1 file(s) no longer match" in line for line in lines)
    assert image.read_bytes() == HORSES["validation"]["humans/p2.png"]
    assert mirror.verify(target) == []


def test_unknown_item_is_named(official, tmp_path):
    with pytest.raises(mirror.MirrorError, match="Unknown item.*imagenet.*choose from: mnist"):
        mirror.build(tmp_path / "m", ["imagenet"], catalogue=official.catalogue)


@pytest.mark.skipif(importable_tfds() is None, reason=TFDS_BROKEN)
def test_tf_flowers_is_prepared_by_tfds_in_staging_and_moved_into_place(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    calls = []

    class FakeBuilder:
        def __init__(self, name, data_dir):
            self.name, self.data_dir = name, Path(data_dir)
            self.info = "info"

        def download_and_prepare(self, download_dir):
            calls.append((self.data_dir, Path(download_dir)))
            version = self.data_dir / self.name / "3.0.1"
            version.mkdir(parents=True)
            (version / "dataset_info.json").write_text("{}")

    monkeypatch.setattr(tfds, "builder", lambda name, data_dir: FakeBuilder(name, data_dir))
    target = tmp_path / "course-data"
    mirror.build(target, ["tf_flowers"], log=lambda line: None)
    assert (target / "tensorflow_datasets" / "tf_flowers" / "3.0.1" / "dataset_info.json").is_file()
    assert calls[0][0].parent.parent == target and calls[0][0].parent.name.startswith(".tfds-")
    assert sorted(p.name for p in target.iterdir()) == ["MANIFEST.sha256", "tensorflow_datasets"]
    mirror.build(target, ["tf_flowers"], log=lambda line: None)
    assert len(calls) == 1, "a prepared dataset is kept"
