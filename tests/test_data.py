"""The data layer: mirror, cache, checked downloads from 127.0.0.1, safe unpacking, clear errors."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest

from archives import sha256, tiny_png, zip_bytes
from helpers import data
from helpers.data import ChecksumError, DataUnavailableError, FolderSpec, Remote


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


# ----------------------------------------------------------------- downloads


def test_good_download_is_verified_cached_and_not_fetched_twice(http_root, isolated_data, monkeypatch):
    root, base, requests = http_root
    payload = npz_bytes()
    (root / "mnist.npz").write_bytes(payload)
    monkeypatch.setattr(data, "MNIST_REMOTE", Remote(base + "mnist.npz", "mnist.npz", checksum=sha256(payload)))

    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert (isolated_data / "mnist.npz").read_bytes() == payload
    assert not list(isolated_data.glob("*.part")), "a finished download must not leave a .part file"

    data.load_mnist()
    assert requests == ["/mnist.npz"], "the second load must come from the cache"


def test_wrong_checksum_is_rejected_and_nothing_kept(http_root, isolated_data, monkeypatch):
    root, base, _ = http_root
    (root / "mnist.npz").write_bytes(npz_bytes())
    monkeypatch.setattr(data, "MNIST_REMOTE", Remote(base + "mnist.npz", "mnist.npz", checksum="0" * 64))

    with pytest.raises(ChecksumError) as info:
        data.load_mnist()
    message = str(info.value)
    assert "damaged or is not the expected file" in message and base + "mnist.npz" in message
    assert not any(isolated_data.iterdir()), "a file that fails its checksum must not stay in the cache"


def test_truncated_transfer_is_caught_by_its_size(http_root, isolated_data):
    root, base, _ = http_root
    payload = zip_bytes({"a.txt": b"x" * 1000})
    (root / "cut.zip").write_bytes(payload[:-100])
    remote = Remote(base + "cut.zip", "cut.zip", size=len(payload))

    with pytest.raises(ChecksumError, match=f"{len(payload) - 100:,} bytes instead of {len(payload):,}"):
        data.download(remote, isolated_data)


def test_truncated_archive_gets_a_clear_message(tmp_path):
    payload = zip_bytes({"horses/h1.png": tiny_png(1) * 50})
    archive = tmp_path / "cut.zip"
    archive.write_bytes(payload[: len(payload) // 2])
    with pytest.raises(DataUnavailableError, match="damaged .* cut off during the download"):
        data.safe_extract_zip(archive, tmp_path / "out")


@pytest.mark.parametrize("member", ["../escape.txt", "horses/../../escape.txt", "/abs/escape.txt"])
def test_archive_member_escaping_the_target_is_refused(tmp_path, member):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(zip_bytes({"horses/ok.txt": b"ok", member: b"evil"}))
    target = tmp_path / "deep" / "out"
    with pytest.raises(ChecksumError, match="outside"):
        data.safe_extract_zip(archive, target)
    assert not (tmp_path / "deep" / "escape.txt").exists() and not (tmp_path / "escape.txt").exists()
    assert not (target / "horses" / "ok.txt").exists(), "nothing is unpacked from a refused archive"


def test_offline_with_nothing_cached_names_dataset_url_and_mirror_option(isolated_data, monkeypatch, closed_port_url):
    url = closed_port_url + "mnist.npz"
    monkeypatch.setattr(data, "MNIST_REMOTE", Remote(url, "mnist.npz", checksum="0" * 64))
    with pytest.raises(DataUnavailableError) as info:
        data.load_mnist()
    message = str(info.value)
    assert "MNIST" in message and url in message and "COURSE_DATA_DIR" in message
    assert not any(isolated_data.iterdir())


def test_fashion_mnist_is_downloaded_as_idx_files_and_cached_in_mirror_layout(http_root, isolated_data, monkeypatch):
    import gzip

    root, base, requests = http_root
    rng = np.random.default_rng(1)
    arrays = {
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 60000, dtype=np.uint8),
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 10000, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8),
    }
    remotes = []
    for name, array in arrays.items():
        header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
        payload = gzip.compress(header + array.tobytes())
        (root / name).write_bytes(payload)
        remotes.append(Remote(base + name, name, checksum=sha256(payload)))
    monkeypatch.setattr(data, "FASHION_REMOTES", tuple(remotes))

    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert (isolated_data / "fashion-mnist.npz").is_file()
    data.load_fashion_mnist()
    assert len(requests) == 4


# ----------------------------------------------------------------- image folders


def _folder_spec(base: str, archives: dict[str, bytes], root: Path, digest: str | None = None) -> FolderSpec:
    remotes = {}
    for split, payload in archives.items():
        (root / f"{split}.zip").write_bytes(payload)
        remotes[split] = (Remote(base + f"{split}.zip", f"{split}.zip", checksum=sha256(payload)), "")
    return FolderSpec(
        name="tiny-pets",
        folder="tiny_pets",
        counts={"train": {"cats": 2, "dogs": 1}, "validation": {"cats": 1, "dogs": 1}},
        remotes=remotes,
        content_digest=digest,
    )


TRAIN = {"cats/c1.png": tiny_png(10), "cats/c2.png": tiny_png(20), "dogs/d1.png": tiny_png(30)}
VALID = {"cats/c3.png": tiny_png(40), "dogs/d2.png": tiny_png(50)}


def test_image_folders_are_downloaded_unpacked_and_counted(http_root, isolated_data):
    root, base, requests = http_root
    spec = _folder_spec(base, {"train": zip_bytes(TRAIN), "validation": zip_bytes(VALID)}, root)

    ds = data.load_image_folders(spec)
    assert ds.class_names == ("cats", "dogs")
    assert ds.train == isolated_data / "tiny_pets" / "train"
    assert ds.counts == {"train": {"cats": 2, "dogs": 1}, "validation": {"cats": 1, "dogs": 1}}
    assert (ds.validation / "dogs" / "d2.png").read_bytes() == VALID["dogs/d2.png"]
    assert "cats/      2 images" in ds.tree()
    assert not (isolated_data / "downloads" / "train.zip").exists(), "archives are removed once unpacked"

    data.load_image_folders(spec)
    assert len(requests) == 2, "a second load reads the cache"


def test_single_archive_with_inner_folder_and_content_digest(http_root, isolated_data):
    """The cats-and-dogs case: one archive holding <folder>/train and <folder>/validation, no published
    checksum, so the unpacked images are checked against a digest of their sha256 sums."""
    root, base, _ = http_root
    members = {f"pets/train/{k}": v for k, v in TRAIN.items()}
    members.update({f"pets/validation/{k}": v for k, v in VALID.items()})
    members["pets/vectorize.py"] = b"# not an image"
    payload = zip_bytes(members)
    (root / "pets.zip").write_bytes(payload)
    lines = sorted(f"{name[len('pets/'):]} {sha256(data_)}" for name, data_ in members.items() if name.endswith(".png"))
    digest = hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()
    spec = FolderSpec(
        name="pets",
        folder="pets",
        counts={"train": {"cats": 2, "dogs": 1}, "validation": {"cats": 1, "dogs": 1}},
        remotes={"*": (Remote(base + "pets.zip", "pets.zip", size=len(payload)), "pets")},
        content_digest=digest,
    )
    ds = data.load_image_folders(spec)
    assert ds.counts["train"] == {"cats": 2, "dogs": 1}
    assert sorted(p.name for p in (isolated_data / "pets").iterdir()) == ["train", "validation"]


def test_unpacked_images_must_match_the_content_digest(http_root, isolated_data):
    root, base, _ = http_root
    spec = _folder_spec(base, {"train": zip_bytes(TRAIN), "validation": zip_bytes(VALID)}, root, digest="f" * 64)
    with pytest.raises(ChecksumError, match="not the official ones"):
        data.load_image_folders(spec)
    assert not (isolated_data / "tiny_pets").exists(), "nothing half-checked stays in the cache"


def test_incomplete_mirror_folder_says_what_is_missing(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    for split, members in (("train", TRAIN), ("validation", VALID)):
        for name, payload in members.items():
            path = mirror / "tiny_pets" / split / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload)
    (mirror / "tiny_pets" / "train" / "cats" / "c2.png").unlink()
    monkeypatch.setenv("COURSE_DATA_DIR", str(mirror))
    spec = _folder_spec("http://127.0.0.1:1/", {}, tmp_path)
    with pytest.raises(DataUnavailableError, match=r"holds 1 images, expected 2.*mirror"):
        data.load_image_folders(spec)


# ----------------------------------------------------------------- the mirror


def _mirror_with_mnist(tmp_path: Path, payload: bytes, listed_hash: str | None) -> Path:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "mnist.npz").write_bytes(payload)
    if listed_hash:
        (mirror / "MANIFEST.sha256").write_text(f"{listed_hash}  ./mnist.npz\n")
    return mirror


def test_mirror_is_read_without_any_download(tmp_path, isolated_data, monkeypatch, closed_port_url):
    payload = npz_bytes(3)
    monkeypatch.setenv("COURSE_DATA_DIR", str(_mirror_with_mnist(tmp_path, payload, sha256(payload))))
    monkeypatch.setattr(data, "MNIST_REMOTE", Remote(closed_port_url + "mnist.npz", "mnist.npz"))
    (x_train, _), _ = data.load_mnist()
    assert x_train.shape == (60000, 28, 28)
    assert not isolated_data.exists() or not any(isolated_data.iterdir()), "nothing is downloaded"


def test_mirror_file_that_fails_its_manifest_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(_mirror_with_mnist(tmp_path, npz_bytes(), "0" * 64)))
    with pytest.raises(ChecksumError, match="MANIFEST.sha256"):
        data.load_mnist()


def test_corrupt_npz_in_mirror_gets_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(_mirror_with_mnist(tmp_path, b"not a zip at all", None)))
    with pytest.raises(DataUnavailableError, match="cannot be read.*copy mnist.npz into the mirror again"):
        data.load_mnist()


def test_dataset_missing_from_mirror_falls_back_and_says_so(
    tmp_path, http_root, isolated_data, monkeypatch, capsys
):
    root, base, _ = http_root
    payload = npz_bytes()
    (root / "mnist.npz").write_bytes(payload)
    monkeypatch.setattr(data, "MNIST_REMOTE", Remote(base + "mnist.npz", "mnist.npz", checksum=sha256(payload)))
    empty_mirror = tmp_path / "empty-mirror"
    empty_mirror.mkdir()
    monkeypatch.setenv("COURSE_DATA_DIR", str(empty_mirror))

    data.load_mnist()
    assert "MNIST is not in the offline mirror" in capsys.readouterr().out


def test_mirror_variable_pointing_nowhere_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nope"))
    with pytest.raises(DataUnavailableError, match="does not exist"):
        data.load_mnist()


# ----------------------------------------------------------------- weights and tfds


def test_application_weights_download_checked_against_published_md5(http_root, isolated_data, monkeypatch):
    root, base, _ = http_root
    payload = b"pretend h5 weights" * 100
    (root / "w.h5").write_bytes(payload)
    remote = Remote(base + "w.h5", "w.h5", checksum=hashlib.md5(payload).hexdigest())
    monkeypatch.setitem(data.APPLICATION_WEIGHTS, "tinynet", {True: remote, False: remote})
    path = data.application_weights("tinynet")
    assert path == isolated_data / "keras-weights" / "w.h5" and path.read_bytes() == payload


def test_application_weights_offline_raises_clear_error(isolated_data, monkeypatch, closed_port_url):
    remote = Remote(closed_port_url + "w.h5", "w.h5", checksum="0" * 32)
    monkeypatch.setitem(data.APPLICATION_WEIGHTS, "tinynet", {True: remote, False: remote})
    with pytest.raises(DataUnavailableError, match="(?s)tinynet ImageNet weights.*COURSE_DATA_DIR"):
        data.application_weights("tinynet")


def test_application_weights_are_read_from_mirror(tmp_path, monkeypatch):
    payload = b"weights"
    remote = Remote("http://127.0.0.1:1/w.h5", "w.h5", checksum=hashlib.md5(payload).hexdigest())
    monkeypatch.setitem(data.APPLICATION_WEIGHTS, "tinynet", {True: remote, False: remote})
    (tmp_path / "keras-weights").mkdir()
    (tmp_path / "keras-weights" / "w.h5").write_bytes(payload)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert data.application_weights("tinynet") == tmp_path / "keras-weights" / "w.h5"


def _spy_on_tfds_load(monkeypatch):
    import tensorflow_datasets as tfds

    calls = []
    real_load = tfds.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(tfds, "load", spy)
    return calls


def test_tfds_slicing_api_through_the_helper(isolated_data, monkeypatch):
    import tensorflow_datasets as tfds

    calls = _spy_on_tfds_load(monkeypatch)
    splits = ["train[:10%]", "train[10%:25%]", "train[25%:]"]
    with tfds.testing.mock_data(num_examples=4):
        train, valid, test = data.load_tfds("tf_flowers", splits)
        image, label = next(iter(train))
    assert image.shape[-1] == 3 and label.dtype.is_integer
    assert calls[0]["split"] == splits and calls[0]["as_supervised"] is True
    assert calls[0]["data_dir"] == str(isolated_data / "tensorflow_datasets") and calls[0]["download"] is True


def test_tfds_reads_a_mirror_without_downloading(tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    (tmp_path / "tensorflow_datasets" / "tf_flowers").mkdir(parents=True)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    calls = _spy_on_tfds_load(monkeypatch)
    with tfds.testing.mock_data(num_examples=2):
        data.load_tfds("tf_flowers", "train[:50%]")
    assert calls[0]["data_dir"] == str(tmp_path / "tensorflow_datasets") and calls[0]["download"] is False


def test_tfds_offline_error_names_the_dataset(isolated_data, monkeypatch):
    import tensorflow_datasets as tfds

    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(tfds, "load", offline)
    with pytest.raises(DataUnavailableError, match="(?s)tf_flowers.*COURSE_DATA_DIR"):
        data.load_tfds("tf_flowers", "train[:10%]")


def test_sample_photos_need_no_download():
    photos = data.sample_photos()
    assert set(photos) == {"china", "flower"}
    for image in photos.values():
        assert image.shape == (427, 640, 3) and 0.0 <= image.min() and image.max() <= 1.0


def test_cats_and_dogs_digest_matches_the_real_images():
    """The digest the download is checked against is the one of the real, unchanged image files."""
    import os

    mirror = os.environ.get("COURSE_DATA_DIR")
    folder = Path(mirror or "/nonexistent") / data.CATS_AND_DOGS.folder
    if not folder.is_dir():
        pytest.skip("needs the offline mirror (COURSE_DATA_DIR) with cats_and_dogs_filtered")
    assert data._content_digest(folder, ["train", "validation"]) == data.CATS_AND_DOGS.content_digest
