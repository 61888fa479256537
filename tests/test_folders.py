"""helpers.folders: checking, splitting and reading a learner's folder of class sub-folders."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from helpers.folders import FolderError, check_image_folder, image_dataset, split_folder, unreadable_reason


def _image_bytes(value: int, fmt: str = "PNG", mode: str = "RGB", side: int = 12) -> bytes:
    buffer = io.BytesIO()
    colour = value if mode in ("L", "P") else (value,) * len(mode)
    Image.new(mode, (side, side), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def _make(root, layout: dict[str, int], value=None):
    """root/<class>/<i>.png for {class: count}; class k gets grey level 40 + 150 k unless given."""
    for k, (name, count) in enumerate(layout.items()):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(count):
            (folder / f"{i:03d}.png").write_bytes(_image_bytes(value if value is not None else 40 + 150 * k))
    return root


def test_a_good_folder_gives_its_classes_in_alphabetical_order(tmp_path):
    _make(tmp_path, {"dogs": 7, "cats": 6})
    check = check_image_folder(tmp_path, progress=False)
    assert check.class_names == ("cats", "dogs")
    assert check.counts == {"cats": 6, "dogs": 7}
    assert not check.unreadable and not check.skipped
    assert "cats/" in check.report() and "13 usable images" in check.report()


def test_few_images_and_unbalanced_classes_get_warnings_not_errors(tmp_path):
    _make(tmp_path, {"a": 40, "b": 6})
    check = check_image_folder(tmp_path, progress=False)
    text = " ".join(check.warnings)
    assert "few images in b (6)" in text and "a (40)" not in text.split("unbalanced")[0]
    assert "unbalanced" in text
    balanced = _make(tmp_path / "balanced", {"a": 31, "b": 31})
    assert check_image_folder(balanced, progress=False).warnings == []


@pytest.mark.parametrize(
    "prepare, expected",
    [
        (lambda root: None, "There is no folder"),
        (lambda root: (root.parent.mkdir(parents=True, exist_ok=True), root.write_text("x")), "is a file"),
        (lambda root: root.mkdir(parents=True), "holds no class folders"),
        (
            lambda root: (root.mkdir(parents=True), (root / "a.jpg").write_bytes(_image_bytes(1, "JPEG"))),
            "but no class folders",
        ),
    ],
    ids=["missing", "a-file", "empty", "loose-images"],
)
def test_a_folder_without_class_folders_is_refused_with_what_to_do(tmp_path, prepare, expected):
    root = tmp_path / "photos"
    prepare(root)
    with pytest.raises(FolderError, match=expected):
        check_image_folder(root, progress=False)


def test_one_class_only_is_refused(tmp_path):
    _make(tmp_path, {"cats": 10})
    with pytest.raises(FolderError, match="only one class folder \\(cats/\\)"):
        check_image_folder(tmp_path, progress=False)


def test_an_empty_class_is_named(tmp_path):
    _make(tmp_path, {"cats": 10, "dogs": 10})
    (tmp_path / "birds").mkdir()
    with pytest.raises(FolderError, match="birds/ is empty: it has no image files"):
        check_image_folder(tmp_path, progress=False)


def test_too_few_images_in_a_class_is_refused_with_the_count(tmp_path):
    _make(tmp_path, {"cats": 10, "dogs": 3})
    with pytest.raises(FolderError, match="dogs has only 3 usable image\\(s\\); at least 5"):
        check_image_folder(tmp_path, progress=False)
    assert check_image_folder(tmp_path, min_per_class=3, progress=False).counts["dogs"] == 3


def test_unreadable_files_are_left_out_and_named(tmp_path):
    _make(tmp_path, {"cats": 6, "dogs": 6})
    bad = {
        "cats/notes.jpg": b"not a picture at all",
        "cats/empty.png": b"",
        "dogs/cut.png": _image_bytes(9, side=64)[:-40],
        "dogs/web.jpg": _image_bytes(9, "WEBP"),
    }
    for name, payload in bad.items():
        (tmp_path / name).write_bytes(payload)
    (tmp_path / "cats" / "readme.txt").write_text("hello")
    (tmp_path / "dogs" / "._001.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    check = check_image_folder(tmp_path, progress=False)
    reasons = {str(p.relative_to(tmp_path)): r for p, r in check.unreadable}
    assert set(reasons) == set(bad)
    assert reasons["cats/notes.jpg"].startswith("not an image")
    assert reasons["cats/empty.png"] == "empty file (0 bytes)"
    assert reasons["dogs/cut.png"].startswith("damaged or truncated")
    assert "WEBP" in reasons["dogs/web.jpg"] and "convert" in reasons["dogs/web.jpg"]
    assert check.counts == {"cats": 6, "dogs": 6}
    assert {p.name for p in check.skipped} == {"readme.txt", "._001.png"}
    report = check.report()
    assert "4 file(s) TensorFlow cannot read" in report and "readme.txt" in report


def test_a_class_whose_every_file_is_unreadable_counts_as_empty(tmp_path):
    _make(tmp_path, {"cats": 6})
    (tmp_path / "dogs").mkdir()
    for i in range(6):
        (tmp_path / "dogs" / f"{i}.jpg").write_bytes(b"broken")
    with pytest.raises(FolderError, match="dogs/ is empty: all 6 of its image files are unreadable") as info:
        check_image_folder(tmp_path, progress=False)
    assert "dogs/0.jpg: not an image" in str(info.value)


@pytest.mark.parametrize("fmt, mode", [("JPEG", "RGB"), ("PNG", "RGBA"), ("PNG", "L"), ("GIF", "P"), ("BMP", "RGB")])
def test_formats_tensorflow_reads_are_accepted(tmp_path, fmt, mode):
    path = tmp_path / f"x.{fmt.lower()}"
    path.write_bytes(_image_bytes(120, fmt, mode))
    assert unreadable_reason(path) is None


def test_split_is_stratified_repeatable_and_disjoint(tmp_path):
    _make(tmp_path, {"a": 20, "b": 10, "c": 5})
    check = check_image_folder(tmp_path, progress=False)
    train, val = split_folder(check, 0.2, seed=3)
    assert split_folder(check, 0.2, seed=3) == (train, val)
    assert split_folder(check, 0.2, seed=4) != (train, val)
    assert not {p for p, _ in train} & {p for p, _ in val}
    assert len(train) + len(val) == 35
    per_class = [sum(1 for _, y in val if y == k) for k in range(3)]
    assert per_class == [4, 2, 1]
    for path, label in train + val:  # the label is the class folder's position
        assert check.class_names[label] in path
    with pytest.raises(ValueError, match="between 0 and 1"):
        split_folder(check, 1.0)


def test_image_dataset_decodes_resizes_and_keeps_labels(tmp_path):
    _make(tmp_path, {"dark": 5, "light": 6})
    (tmp_path / "light" / "grey.png").write_bytes(_image_bytes(190, "PNG", "L", side=30))
    check = check_image_folder(tmp_path, progress=False)
    train, _ = split_folder(check, 0.2)
    batches = list(image_dataset(train, 8, batch_size=4, shuffle_seed=1))
    images = np.concatenate([x.numpy() for x, _ in batches])
    labels = np.concatenate([y.numpy() for _, y in batches])
    assert images.shape == (len(train), 8, 8, 3) and images.dtype == np.float32
    assert np.allclose(images[labels == 0], 40) and np.allclose(images[labels == 1], 190)
    assert sorted(labels.tolist()) == sorted(label for _, label in train)


def test_every_class_keeps_a_validation_and_a_training_image(tmp_path):
    _make(tmp_path, {"a": 3, "b": 4})
    check = check_image_folder(tmp_path, min_per_class=3, progress=False)
    for fraction in (0.05, 0.2, 0.95):
        train, val = split_folder(check, fraction)
        for label in (0, 1):
            assert any(y == label for _, y in val) and any(y == label for _, y in train), fraction
