"""Your own image folders: check them, split them, and read them into ``tf.data`` pipelines.

A labelled image collection is usually a folder with one sub-folder per class::

    my_photos/
        cats/   IMG_0001.jpg, IMG_0002.jpg, ...
        dogs/   ...

``check_image_folder`` looks at every file before any training starts. It stops with
one ``FolderError`` that lists everything to fix (no such folder, images not sorted
into class folders, only one class, an empty class, too few images in a class), and
it leaves out, and names, the files TensorFlow could not read (not an image, empty,
truncated, or a format such as WebP or HEIC that must be converted first), so that
training does not fail half-way through an epoch. ``split_folder`` splits each class
separately (stratified, repeatable), and ``image_dataset`` turns a split into a
cached, batched pipeline like the ones of notebooks 08 and 09.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

#: File endings the pipeline reads (the ones ``image_dataset_from_directory`` reads).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp"})
#: Formats, by content, that ``tf.io.decode_image`` decodes (MPO: JPEG from cameras).
TENSORFLOW_FORMATS = frozenset({"JPEG", "PNG", "GIF", "BMP", "MPO"})
#: Fewer images than this in a class is an error: validation would get one or none of them.
MIN_IMAGES_PER_CLASS = 5
#: Fewer images than this in a class gets a warning: the accuracy will be noisy.
FEW_IMAGES_PER_CLASS = 30


class FolderError(ValueError):
    """An image folder that cannot be trained on; the message lists what to fix."""


@dataclass
class FolderCheck:
    """What ``check_image_folder`` found: the usable images of each class and what it left out."""

    root: Path
    class_names: tuple[str, ...]
    files: dict[str, list[Path]]
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(self.files[name]) for name in self.class_names}

    def report(self, max_listed: int = 10) -> str:
        """A few lines for the learner: images per class, and what was left out and why."""
        width = max(len(name) for name in self.class_names)
        lines = [f"{self.root}/: {len(self.class_names)} classes, {sum(self.counts.values()):,} usable images"]
        lines += [f"  {name + '/':<{width + 1}} {count:>6,} images" for name, count in self.counts.items()]
        if self.unreadable:
            lines.append(f"Left out, {len(self.unreadable)} file(s) TensorFlow cannot read:")
            lines += [f"  {path.relative_to(self.root)}: {reason}" for path, reason in self.unreadable[:max_listed]]
            if len(self.unreadable) > max_listed:
                lines.append(f"  ... and {len(self.unreadable) - max_listed} more")
        if self.skipped:
            names = ", ".join(str(p.relative_to(self.root)) for p in self.skipped[:max_listed])
            more = f", ... ({len(self.skipped)} in all)" if len(self.skipped) > max_listed else ""
            lines.append(f"Ignored, not image files by their name: {names}{more}")
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def unreadable_reason(path: Path) -> str | None:
    """Why TensorFlow could not use this image file, or None if it can."""
    if path.stat().st_size == 0:
        return "empty file (0 bytes)"
    try:
        with Image.open(path) as img:
            kind = img.format
            img.load()  # decode every pixel: finds truncated files
    except UnidentifiedImageError:
        return "not an image (or a format this course cannot read)"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"damaged or truncated ({exc})"
    if kind not in TENSORFLOW_FORMATS:
        return f"a {kind} image with a {path.suffix} name; convert it to JPEG or PNG"
    return None


def _is_hidden(path: Path) -> bool:
    return path.name.startswith(".")


def check_image_folder(
    root: str | Path,
    *,
    min_per_class: int = MIN_IMAGES_PER_CLASS,
    few_per_class: int = FEW_IMAGES_PER_CLASS,
    progress: bool = True,
) -> FolderCheck:
    """Check a folder of class sub-folders and return its usable images per class.

    Raises FolderError with every problem found. Unreadable files are left out and
    listed in the result (``report()`` prints them); so are files whose names are not
    image files (``.txt``, ``.heic``, hidden files such as ``.DS_Store``).
    """
    root = Path(root).expanduser()
    if not root.exists():
        raise FolderError(
            f"There is no folder {root}. Set the path to the folder that holds one "
            f"sub-folder per class (relative paths start in {Path.cwd()})."
        )
    if not root.is_dir():
        raise FolderError(f"{root} is a file, not a folder. Give the folder that holds one sub-folder per class.")

    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not _is_hidden(p))
    loose = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not class_dirs:
        if loose:
            raise FolderError(
                f"{root} holds {len(loose)} images but no class folders. Sort them into one sub-folder "
                f"per class, named after the class: {root}/cats/..., {root}/dogs/... The folder names "
                f"become the labels."
            )
        raise FolderError(
            f"{root} holds no class folders. Make one sub-folder per class and put that class's images in it."
        )

    candidates: dict[str, list[Path]] = {}
    skipped: list[Path] = []
    for folder in class_dirs:
        entries = sorted(p for p in folder.rglob("*") if p.is_file())
        candidates[folder.name] = [p for p in entries if p.suffix.lower() in IMAGE_SUFFIXES and not _is_hidden(p)]
        skipped += [p for p in entries if p.suffix.lower() not in IMAGE_SUFFIXES or _is_hidden(p)]

    everything = [p for paths in candidates.values() for p in paths]
    unreadable: list[tuple[Path, str]] = []
    bad: set[Path] = set()
    if progress:
        from tqdm.auto import tqdm

        everything = tqdm(everything, desc="checking images", unit="file", leave=False)
    for path in everything:
        reason = unreadable_reason(path)
        if reason is not None:
            unreadable.append((path, reason))
            bad.add(path)
    files = {name: [p for p in paths if p not in bad] for name, paths in candidates.items()}

    problems = []
    if len(class_dirs) == 1:
        problems.append(
            f"There is only one class folder ({class_dirs[0].name}/). A classifier needs at least "
            f"two classes: add a folder for each other class, next to it."
        )
    for name, paths in files.items():
        if not paths:
            why = (
                f"all {len(candidates[name])} of its image files are unreadable (listed below)"
                if candidates[name]
                else "it has no image files"
            )
            problems.append(
                f"The class folder {name}/ is empty: {why}. Add images to it, or remove the "
                f"folder if the class is not wanted."
            )
        elif len(paths) < min_per_class:
            problems.append(
                f"The class {name} has only {len(paths)} usable image(s); at least {min_per_class} "
                f"per class are needed, so that training and validation both get some."
            )
    check = FolderCheck(root, tuple(files), files, unreadable, skipped)
    if problems:
        details = check.report() if unreadable else ""
        raise FolderError(
            "This folder cannot be trained on yet:\n- " + "\n- ".join(problems) + (f"\n\n{details}" if details else "")
        )
    few = [f"{name} ({len(paths)})" for name, paths in files.items() if len(paths) < few_per_class]
    if few:
        check.warnings.append(
            f"few images in {', '.join(few)}: with fewer than {few_per_class} per class "
            f"the validation accuracy rests on a handful of images and will jump between runs."
        )
    counts = check.counts
    if max(counts.values()) > 3 * min(counts.values()):
        check.warnings.append(
            "the classes are unbalanced (" + ", ".join(f"{k} {v}" for k, v in counts.items()) + "): "
            "accuracy then rewards guessing the big class; look at the per-class accuracy too."
        )
    return check


def split_folder(
    check: FolderCheck, validation_fraction: float = 0.2, seed: int = 42, *, test_fraction: float = 0.0
) -> tuple[list[tuple[str, int]], ...]:
    """Split each class separately into (path, label) pairs for training and validation.

    Labels are the positions of the classes in ``check.class_names`` (alphabetical).
    Every class gets at least one validation and one training image; the split is
    the same for the same seed. With ``test_fraction`` above 0 it returns three lists,
    ``(train, validation, test)``: a class of ``n`` images also gives
    ``min(n - n_val - 1, max(1, round(test_fraction * n)))`` images to the test part,
    taken after its validation images, so the validation part is the same as without
    a test part.
    """
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be between 0 and 1, not {validation_fraction}")
    if not 0 <= test_fraction < 1 - validation_fraction:
        raise ValueError(
            f"test_fraction must be at least 0 and leave images for training, not {test_fraction} "
            f"(with validation_fraction {validation_fraction})"
        )
    rng = np.random.default_rng(seed)
    train, validation, test = [], [], []
    for label, name in enumerate(check.class_names):
        paths = [str(p) for p in check.files[name]]
        order = rng.permutation(len(paths))
        n_val = min(len(paths) - 1, max(1, round(validation_fraction * len(paths))))
        n_test = min(len(paths) - n_val - 1, max(1, round(test_fraction * len(paths)))) if test_fraction else 0
        validation += [(paths[i], label) for i in order[:n_val]]
        test += [(paths[i], label) for i in order[n_val : n_val + n_test]]
        train += [(paths[i], label) for i in order[n_val + n_test :]]
    return (train, validation, test) if test_fraction else (train, validation)


def image_dataset(
    pairs: Sequence[tuple[str, int]], size: int, batch_size: int = 32, *, shuffle_seed: int | None = None
):
    """A ``tf.data`` pipeline of (float32 images 0..255 of size x size x 3, int labels) batches.

    Each file is decoded once (JPEG, PNG, GIF first frame, BMP; grey images get three
    channels), resized like ``image_dataset_from_directory`` (bilinear) and cached as
    uint8; with ``shuffle_seed`` the order changes every epoch.
    """
    import tensorflow as tf

    paths = tf.constant([p for p, _ in pairs])
    labels = tf.constant([label for _, label in pairs], dtype=tf.int32)

    def load(path, label):
        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        image = tf.image.resize(tf.cast(image, tf.float32), (size, size))
        return tf.cast(tf.round(tf.clip_by_value(image, 0, 255)), tf.uint8), label

    images = tf.data.Dataset.from_tensor_slices((paths, labels)).map(load, num_parallel_calls=tf.data.AUTOTUNE)
    images = images.cache()
    if shuffle_seed is not None:
        images = images.shuffle(len(pairs), seed=shuffle_seed, reshuffle_each_iteration=True)
    images = images.batch(batch_size).map(lambda x, y: (tf.cast(x, tf.float32), y))
    return images.prefetch(tf.data.AUTOTUNE)
