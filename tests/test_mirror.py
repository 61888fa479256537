"""The offline mirror builder (helpers.mirror), against archives served on 127.0.0.1.

Every official address and checksum is replaced by a small file these tests
make and serve; the loaders of helpers.data must then accept the built folder
through COURSE_DATA_DIR without any download.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path

import numpy as np
import pytest

from archives import sha256, tiny_png, zip_bytes
from helpers import data, mirror
from helpers.data import FolderSpec, Remote

ITEMS = ["mnist", "fashion-mnist", "horses-or-humans", "cats-and-dogs",
         "weights-tinynet", "weights-tinynet-notop", "imagenet-class-names"]


def mnist_like(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        x_train=np.zeros((60000, 28, 28), np.uint8), y_train=rng.integers(0, 10, 60000, dtype=np.uint8),
        x_test=np.zeros((10000, 28, 28), np.uint8), y_test=rng.integers(0, 10, 10000, dtype=np.uint8),
    )
    return buffer.getvalue()


def idx_gz(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes(), mtime=0)


class Official:
    """The fake official downloads: what is served, and the remotes patched into helpers.data."""

    def __init__(self, root: Path, base: str, requests: list, monkeypatch):
        self.root, self.base, self.requests, self.monkeypatch = root, base, requests, monkeypatch
        self.payloads: dict[str, bytes] = {}

    def serve(self, name: str, payload: bytes, *, checksum: bool = True, published: bytes | None = None) -> Remote:
        """Serve ``payload``; the remote's checksum is that of ``published`` (default: the payload)."""
        (self.root / name).write_bytes(payload)
        self.payloads[name] = payload
        reference = payload if published is None else published
        return Remote(self.base + name, name, checksum=sha256(reference) if checksum else None,
                      size=None if checksum else len(reference))


HORSES = {"train": {"horses/h1.png": tiny_png(1), "horses/h2.png": tiny_png(2), "humans/p1.png": tiny_png(3)},
          "validation": {"horses/h3.png": tiny_png(4), "humans/p2.png": tiny_png(5)}}
PETS = {f"pets/{split}/{name}": payload for split, members in
        {"train": {"cats/c1.jpg": tiny_png(10), "dogs/d1.jpg": tiny_png(11), "dogs/d2.jpg": tiny_png(12)},
         "validation": {"cats/c2.jpg": tiny_png(13), "dogs/d3.jpg": tiny_png(14)}}.items()
        for name, payload in members.items()}


def pets_digest() -> str:
    lines = sorted(f"{name[len('pets/'):]} {sha256(payload)}" for name, payload in PETS.items())
    return hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()


@pytest.fixture
def official(http_root, isolated_data, monkeypatch):
    """Every dataset and weights file of the course, small, served on 127.0.0.1 and patched in."""
    root, base, requests = http_root
    site = Official(root, base, requests, monkeypatch)
    monkeypatch.setattr(data, "MNIST_REMOTE", site.serve("mnist.npz", mnist_like(0)))
    rng = np.random.default_rng(1)
    fashion = {
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 60000, dtype=np.uint8),
        "train-images-idx3-ubyte.gz": np.zeros((60000, 28, 28), np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 10000, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": np.full((10000, 28, 28), 7, np.uint8),
    }
    monkeypatch.setattr(data, "FASHION_REMOTES",
                        tuple(site.serve(name, idx_gz(array)) for name, array in fashion.items()))
    site.fashion = fashion
    monkeypatch.setattr(data, "HORSES_OR_HUMANS", FolderSpec(
        name="horses-or-humans", folder="horse-or-human",
        counts={"train": {"horses": 2, "humans": 1}, "validation": {"horses": 1, "humans": 1}},
        remotes={split: (site.serve(f"{split}-hoh.zip", zip_bytes(members)), "")
                 for split, members in HORSES.items()},
    ))
    monkeypatch.setattr(data, "CATS_AND_DOGS", FolderSpec(
        name="cats-and-dogs (filtered)", folder="cats_and_dogs_filtered",
        counts={"train": {"cats": 1, "dogs": 2}, "validation": {"cats": 1, "dogs": 1}},
        remotes={"*": (site.serve("pets.zip", zip_bytes(PETS), checksum=False), "pets")},
        content_digest=pets_digest(),
    ))
    weights = {top: site.serve(name, name.encode() * 50) for top, name in ((True, "tiny.h5"), (False, "tiny_notop.h5"))}
    weights = {top: Remote(r.url, r.filename, checksum=hashlib.md5(site.payloads[r.filename]).hexdigest())
               for top, r in weights.items()}  # Keras publishes MD5 sums for its weights
    monkeypatch.setattr(data, "APPLICATION_WEIGHTS", {"tinynet": weights})
    names = site.serve("imagenet_class_index.json", b'{"0": ["n01440764", "tench"]}')
    monkeypatch.setattr(data, "IMAGENET_CLASS_INDEX", Remote(
        names.url, names.filename, checksum=hashlib.md5(site.payloads[names.filename]).hexdigest()))
    return site


def test_items_cover_every_dataset_and_weights_file(official):
    names = [item.name for item in mirror.items()]
    assert names == ITEMS + ["tf_flowers"]


def test_good_build_is_verified_complete_and_read_by_the_loaders(official, tmp_path, monkeypatch, closed_port_url):
    target = tmp_path / "course-data"
    count = mirror.build(target, ITEMS, log=lambda line: None)

    # layout: what COURSE_DATA_DIR readers expect, and nothing else
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == sorted([
        "MANIFEST.sha256", "mnist.npz", "fashion-mnist.npz",
        "horse-or-human/train/horses/h1.png", "horse-or-human/train/horses/h2.png",
        "horse-or-human/train/humans/p1.png", "horse-or-human/validation/horses/h3.png",
        "horse-or-human/validation/humans/p2.png",
        "cats_and_dogs_filtered/train/cats/c1.jpg", "cats_and_dogs_filtered/train/dogs/d1.jpg",
        "cats_and_dogs_filtered/train/dogs/d2.jpg", "cats_and_dogs_filtered/validation/cats/c2.jpg",
        "cats_and_dogs_filtered/validation/dogs/d3.jpg",
        "keras-weights/tiny.h5", "keras-weights/tiny_notop.h5", "keras-weights/imagenet_class_index.json",
    ]), "no archives, downloads/ or staging folders are left behind"
    assert count == len(files) - 1
    assert (target / "mnist.npz").read_bytes() == official.payloads["mnist.npz"]
    assert mirror.verify(target) == []
    manifest = (target / "MANIFEST.sha256").read_text().splitlines()
    paths = [line.split("  ", 1)[1] for line in manifest]
    assert paths == sorted(paths) and all(path.startswith("./") for path in paths)
    assert f"{sha256(official.payloads['mnist.npz'])}  ./mnist.npz" in manifest

    # The loaders take everything from the mirror: every official address now fails.
    monkeypatch.setattr(data, "MNIST_REMOTE", Remote(closed_port_url + "mnist.npz", "mnist.npz"))
    monkeypatch.setattr(data, "FASHION_REMOTES", ())
    monkeypatch.setenv("COURSE_DATA_DIR", str(target))
    requests_before = len(official.requests)
    (x_train, y_train), (x_test, _) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28)
    (fx_train, fy_train), (fx_test, _) = data.load_fashion_mnist()
    np.testing.assert_array_equal(fy_train, official.fashion["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(fx_test, official.fashion["t10k-images-idx3-ubyte.gz"])
    horses = data.load_horses_or_humans()
    assert horses.root == target / "horse-or-human" and horses.counts["train"] == {"horses": 2, "humans": 1}
    pets = data.load_cats_and_dogs()
    assert pets.class_names == ("cats", "dogs") and pets.counts["validation"] == {"cats": 1, "dogs": 1}
    assert data.application_weights("tinynet", include_top=False) == target / "keras-weights" / "tiny_notop.h5"
    assert data.imagenet_class_index() == target / "keras-weights" / "imagenet_class_index.json"
    assert len(official.requests) == requests_before, "nothing is downloaded when the mirror is used"


def test_rerunning_is_idempotent_and_downloads_nothing(official, tmp_path):
    target = tmp_path / "course-data"
    mirror.build(target, ITEMS, log=lambda line: None)
    manifest = (target / "MANIFEST.sha256").read_bytes()
    requests = list(official.requests)

    lines = []
    mirror.build(target, ITEMS, log=lines.append)
    assert official.requests == requests, "a second build must not download anything"
    assert (target / "MANIFEST.sha256").read_bytes() == manifest
    assert all("kept" in line for line in lines), lines


def test_corrupt_archive_fails_clearly_and_leaves_nothing_half_written(official, tmp_path, monkeypatch, capsys):
    # The server sends a damaged copy of the horses training archive (one byte changed).
    good = official.payloads["train-hoh.zip"]
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0xFF
    (official.root / "train-hoh.zip").write_bytes(bytes(damaged))
    target = tmp_path / "course-data"

    status = mirror.main(["build", str(target), "--only", *ITEMS])
    message = capsys.readouterr()
    assert status == 1
    assert "horses-or-humans" in message.out and "damaged or is not the expected file" in message.out
    assert "Not built: horses-or-humans" in message.err and "no MANIFEST.sha256" in message.err
    assert not (target / "horse-or-human").exists(), "a dataset that failed must be absent"
    assert not (target / "MANIFEST.sha256").exists(), "an incomplete folder has no manifest"
    leftovers = [p.name for p in target.rglob("*") if p.name.endswith(".part") or p.name.startswith(".")]
    assert leftovers == []
    assert (target / "mnist.npz").is_file(), "the other items are built"
    assert mirror.verify(target)[0].endswith("the build did not finish")

    # Once the server is fixed, the same command completes the folder without fetching the rest again.
    (official.root / "train-hoh.zip").write_bytes(good)
    before = len(official.requests)
    assert mirror.main(["build", str(target), "--only", *ITEMS]) == 0
    fetched = official.requests[before:]
    assert "/train-hoh.zip" in fetched and "/mnist.npz" not in fetched
    assert mirror.verify(target) == []


def test_archive_whose_images_are_not_the_official_ones_is_refused(official, tmp_path, monkeypatch):
    spec = data.CATS_AND_DOGS
    monkeypatch.setattr(data, "CATS_AND_DOGS", FolderSpec(spec.name, spec.folder, spec.counts, spec.remotes,
                                                          content_digest="0" * 64))
    target = tmp_path / "course-data"
    with pytest.raises(mirror.MirrorError, match="Not built: cats-and-dogs"):
        mirror.build(target, ["cats-and-dogs", "mnist"], log=lambda line: None)
    assert not (target / "cats_and_dogs_filtered").exists() and not (target / "MANIFEST.sha256").exists()


def test_a_damaged_file_in_a_built_mirror_is_found_and_fetched_again(official, tmp_path):
    target = tmp_path / "course-data"
    mirror.build(target, ITEMS, log=lambda line: None)
    image = target / "horse-or-human" / "validation" / "humans" / "p2.png"
    image.write_bytes(b"broken")
    assert mirror.verify(target) == ["changed: horse-or-human/validation/humans/p2.png"]

    lines = []
    mirror.build(target, ITEMS, log=lines.append)
    assert any("horses-or-humans: 1 file(s) no longer match" in line for line in lines)
    assert image.read_bytes() == HORSES["validation"]["humans/p2.png"]
    assert mirror.verify(target) == []


def test_unknown_item_is_named(official, tmp_path):
    with pytest.raises(mirror.MirrorError, match="Unknown item.*imagenet.*choose from: mnist"):
        mirror.build(tmp_path / "m", ["imagenet"])


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
