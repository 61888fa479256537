"""Notebook 12's ImageNet path, run end to end with weights files this test makes and serves on 127.0.0.1.

The real ImageNet weights cannot be downloaded on the test machines. So the test
builds ResNet-50 (with and without its classifier) and Xception (without) with
weights of its own, saves them in the legacy .h5 layout Keras publishes, serves
them with a 1,000-class name file, and points the course's data layer at them: one
cell put in front of the notebook gives the loaders a store whose catalogue is the
course's with only those addresses and checksums changed, and whose ``tf_flowers``
entry yields a few random images in the form tensorflow-datasets gives them, after
checking the notebook's split strings with tensorflow-datasets' own parser.
Sections 1 to 4 of the notebook then run in the fast profile and must take the
ImageNet path (the later sections run under nbval). The cats and dogs come from the
course data mirror named by ``COURSE_DATA_DIR`` (see README.md); without it the
test is skipped.

What this proves: the code of sections 2 to 4 runs, and the weights travel through
the data layer (download, checksum, cache) into the models. Not the accuracies:
those need the real weights (the notebook quotes them as expected, not measured).

With ``COURSE_TIME_IMAGENET_PATH=1`` a second test times the same sections in the
full profile: the generated weights have the real architectures, so they cost the
real compute, and the fake ``tf_flowers`` has the real dataset's size (3,670 photos
of about 240 x 320 pixels, decoded from JPEG). It prints the time of each section and
fails when sections 2 to 4 take more than 10 minutes. It takes that long, so it only
runs when asked for::

    COURSE_TIME_IMAGENET_PATH=1 COURSE_DATA_DIR=... python -m pytest tests/test_imagenet_path.py -k time -s
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime
from pathlib import Path

import h5py
import keras
import nbclient
import nbformat
import pytest
from archives import importable_tfds

from helpers import data

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "12_transfer_learning.ipynb"
MIRROR = Path(os.environ.get("COURSE_DATA_DIR", ""))

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("COURSE_DATA_DIR") or not (MIRROR / data.CATS_AND_DOGS.path).is_dir(),
        reason="needs the course data mirror with cats_and_dogs_filtered: set COURSE_DATA_DIR",
    ),
    # Keras' legacy .h5 writer and loader use NumPy 2's copy keyword and warn once per variable
    # (keras/src/backend/tensorflow/core.py); the warning is Keras', not the course's.
    pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"),
]

SETUP = r"""# Put in front of the notebook by tests/test_imagenet_path.py; not part of the course.
import dataclasses, json, re, types
import numpy as np
import tensorflow as tf
import helpers.data as data
from helpers.store import Remote, Store, TfdsDataset, import_tfds
from keras.src.applications import imagenet_utils

SERVED = json.loads({served!r})  # file name -> (address on 127.0.0.1, MD5)


def served(entry):
    remote = getattr(entry, "remote", None)
    if remote is None or remote.filename not in SERVED:
        return entry  # not served: left as it is
    url, md5 = SERVED[remote.filename]
    return dataclasses.replace(entry, remote=Remote(url, remote.filename, checksum=md5))


FLOWERS = {flowers!r}  # None: 12 small random images per split; a number: that many photos, split as asked


def jpeg_photos(n, total, rng):
    # total random photos of about 240 x 320, decoded from a pool of n JPEG files as tensorflow-datasets decodes
    pool = [tf.io.encode_jpeg(rng.integers(0, 256, (rng.integers(220, 261), rng.integers(300, 341), 3),
                                           dtype=np.uint8)) for _ in range(n)]
    pool, labels = tf.stack(pool), tf.constant(rng.integers(0, 5, total))
    return lambda i: (tf.io.decode_jpeg(tf.gather(pool, i % n), channels=3), tf.gather(labels, i))


def split_range(spec, total):
    # "train[10%:25%]" -> (367, 918) for 3,670 photos, rounded to the closest photo as tensorflow-datasets does
    start, end = re.fullmatch(r"train\[(\d*)%?:(\d*)%?\]", spec).groups()
    return round(int(start or 0) * total / 100), round(int(end or 100) * total / 100)


class FakeFlowers(TfdsDataset):
    def open(self, path, origin, split, with_info=False, **kwargs):
        tfds = import_tfds("tf_flowers")  # the course's error where tensorflow-datasets cannot load
        for spec in split:
            tfds.core.ReadInstruction.from_spec(spec)  # raises on a split string tfds would refuse
        rng = np.random.default_rng(0)
        if FLOWERS is None:
            parts = [tf.data.Dataset.from_tensor_slices((rng.integers(0, 256, (12, 160, 200, 3), dtype=np.uint8),
                                                         rng.integers(0, 5, 12)))
                     for _ in split]
        else:
            photo = jpeg_photos(50, FLOWERS, rng)
            parts = [tf.data.Dataset.range(*split_range(spec, FLOWERS)).map(photo) for spec in split]
        names = ["dandelion", "daisy", "tulips", "sunflowers", "roses"]
        info = types.SimpleNamespace(features={{"label": types.SimpleNamespace(names=names)}})
        return (parts, info) if with_info else parts


# The course's catalogue with the served weights and a few flowers; mirror and cache from the environment.
data.use_store(Store([FakeFlowers(e.key, e.name, e.path, e.size) if e.key == "tf_flowers" else served(e)
                      for e in data.CATALOGUE]))
# decode_predictions checks its file against the real file's MD5; hand it the served names directly.
imagenet_utils.CLASS_INDEX = json.loads(open({names_path!r}).read())
"""


def _save_legacy_h5(model, path: Path) -> str:
    from keras.src.legacy.saving import legacy_h5_format  # the layout of the published *.h5 files

    with h5py.File(path, "w") as fh:
        legacy_h5_format.save_weights_to_hdf5_group(fh, model)
    return hashlib.md5(path.read_bytes()).hexdigest()


def _serve_imagenet_files(root: Path, base: str, only: set[str] | None = None) -> dict[str, tuple[str, str]]:
    """Make, save and serve the weights files notebook 12 asks for (or those of ``only``, by file
    name), and the 1,000-class name file; return {file name: (address, MD5)}."""
    served = {}
    keras.utils.set_random_seed(0)
    for architecture, constructor in (
        ("resnet50", keras.applications.ResNet50),
        ("xception", keras.applications.Xception),
    ):
        for include_top, entry in zip((True, False), data.APPLICATIONS[architecture].weights(architecture)):
            if architecture == "xception" and include_top:
                continue  # the notebook never asks for Xception's classifier
            if only is not None and entry.remote.filename not in only:
                continue
            model = constructor(weights=None, include_top=include_top)
            name = entry.remote.filename
            served[name] = (base + name, _save_legacy_h5(model, root / name))
            keras.backend.clear_session()
    names = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    index = root / data.IMAGENET_CLASS_INDEX.remote.filename
    index.write_text(json.dumps(names))
    served[index.name] = (base + index.name, hashlib.md5(index.read_bytes()).hexdigest())
    return served


def _execute_with_served_weights(
    path: Path,
    served: dict,
    root: Path,
    tmp_path,
    monkeypatch,
    *,
    profile: str,
    until_section: int | None,
    flowers,
    timeout: int,
):
    """Run the notebook at ``path`` (up to the heading of ``until_section``, or whole) with the data
    layer pointed at the served files, the mirror and a fresh cache; return it executed and its
    printed text, the sentences helpers.report_metric shows included (display data as plain text)."""
    monkeypatch.setenv("COURSE_PROFILE", profile)
    monkeypatch.setenv("COURSE_DATA_DIR", str(MIRROR))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    notebook = nbformat.read(path, as_version=4)
    if until_section is not None:
        notebook.cells = notebook.cells[: _section_starts(notebook)[until_section]]
    setup = SETUP.format(
        served=json.dumps(served), names_path=str(root / data.IMAGENET_CLASS_INDEX.remote.filename), flowers=flowers
    )
    notebook.cells.insert(1, nbformat.v4.new_code_cell(setup))
    nbclient.NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    printed = "\n".join(
        output.get("text", "") or output.get("data", {}).get("text/plain", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    return notebook, printed


def _run_sections_1_to_4(http_root, tmp_path, monkeypatch, *, profile: str, flowers: int | None):
    """Run sections 1 to 4 of notebook 12 with served weights; return the executed notebook and its printed text."""
    root, base, requests = http_root
    served = _serve_imagenet_files(root, base)
    cache = tmp_path / "cache"
    # Sections 1 to 4 are the ImageNet path; the rest runs under nbval in every test run anyway.
    notebook, printed = _execute_with_served_weights(
        NOTEBOOK, served, root, tmp_path, monkeypatch, profile=profile, until_section=5, flowers=flowers, timeout=900
    )
    assert "PATH: ImageNet weights available" in printed
    assert "ResNet-50 with its ImageNet classifier: 25,636,712 parameters" in printed
    assert "16 bottleneck units [3, 4, 6, 3]: 1 + 3 x 16 + 1 = 50 layers" in printed
    assert "china:" in printed and "flower:" in printed and "class_" in printed  # decode_predictions, top 5
    assert "cats vs dogs, softmax head, fine-tuned" in printed  # the comparison table
    assert "expected" in printed and "took" in printed  # the time forecast and the time taken
    if importable_tfds() is None:  # as on Colab's listed versions: the flowers part says why it is skipped
        assert "Skipped: the tf_flowers part needs tensorflow-datasets" in printed
        assert "tensorflow-datasets cannot be imported here" in printed
        assert printed.count("Skipped") == 1
    else:
        assert "Skipped" not in printed
        assert "classes: ['dandelion', 'daisy', 'tulips', 'sunflowers', 'roses']" in printed
        assert "flowers test accuracy" in printed

    # Every file came once through the data layer, was checked, and is now in the course's cache.
    assert sorted(requests) == sorted("/" + name for name in served)
    for name, (_, md5) in served.items():
        assert hashlib.md5((cache / "keras-weights" / name).read_bytes()).hexdigest() == md5
    assert (tmp_path / "keras-home" / "models" / data.IMAGENET_CLASS_INDEX.remote.filename).is_file()
    return notebook, printed


def _section_starts(notebook) -> dict[int, int]:
    """Section number -> index of its "## N." heading cell."""
    starts = {}
    for i, cell in enumerate(notebook.cells):
        found = re.search(r"^## (\d+)\.", cell.source, re.MULTILINE) if cell.cell_type == "markdown" else None
        if found:
            starts[int(found.group(1))] = i
    return starts


def _cell_seconds(cell) -> float:
    """Wall-clock seconds of one executed cell, from the timestamps nbclient records."""
    timing = cell.metadata.get("execution", {})
    if "iopub.execute_input" not in timing:
        return 0.0
    begin, end = (
        datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
        for key in ("iopub.execute_input", "shell.execute_reply")
    )
    return (end - begin).total_seconds()


def section_seconds(notebook) -> dict[str, float]:
    """Seconds per section of an executed notebook; the cells before section 1 count as "set-up"."""
    starts = sorted((index, number) for number, index in _section_starts(notebook).items())
    seconds = {"set-up": 0.0}
    for i, cell in enumerate(notebook.cells):
        before = [number for index, number in starts if index <= i]
        key = f"section {before[-1]}" if before else "set-up"
        seconds[key] = seconds.get(key, 0.0) + (_cell_seconds(cell) if cell.cell_type == "code" else 0.0)
    return seconds


def test_notebook_12_takes_the_imagenet_path_with_served_weights(http_root, tmp_path, monkeypatch):
    _run_sections_1_to_4(http_root, tmp_path, monkeypatch, profile="fast", flowers=None)


@pytest.mark.skipif(
    os.environ.get("COURSE_TIME_IMAGENET_PATH") != "1",
    reason="times the full profile (about 10 minutes): set COURSE_TIME_IMAGENET_PATH=1",
)
def test_time_of_the_imagenet_path_in_the_full_profile(http_root, tmp_path, monkeypatch, capsys):
    notebook, printed = _run_sections_1_to_4(http_root, tmp_path, monkeypatch, profile="full", flowers=3_670)
    seconds = section_seconds(notebook)
    imagenet = sum(seconds.get(f"section {n}", 0.0) for n in (2, 3, 4))
    with capsys.disabled():
        print("\nNotebook 12, full profile, generated weights (times only; the accuracies mean nothing):")
        for section, value in seconds.items():
            print(f"  {section:<10} {value:7.1f} s")
        print(f"  sections 2 to 4: {imagenet / 60:.1f} min")
        print(
            "\n".join(line for line in printed.splitlines() if re.search(r"expected|took|  +\S.* min$|features:", line))
        )
    assert "flowers test accuracy" in printed
    assert imagenet < 600, f"sections 2 to 4 took {imagenet / 60:.1f} min, more than 10"


# ----------------------------------------------------------------------------- notebook 13

NOTEBOOK_13 = NOTEBOOK.parent / "13_your_own_images.ipynb"


def _run_notebook_13(http_root, tmp_path, monkeypatch, *, profile: str, whole: bool = True):
    """Run notebook 13 with served ResNet-50 weights (no classifier), from top to bottom or, with
    ``whole=False``, up to its training (sections 1 to 5: the full profile's accuracy floors of
    section 6 are for real weights); return the executed notebook and its printed text."""
    root, base, requests = http_root
    notop = data.APPLICATIONS["resnet50"].weights("resnet50")[1].remote.filename
    served = _serve_imagenet_files(root, base, only={notop})
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DEVICE", "cpu")  # the CPU sizes, as on the machines the course is timed on
    notebook, printed = _execute_with_served_weights(
        NOTEBOOK_13,
        served,
        root,
        tmp_path,
        monkeypatch,
        profile=profile,
        until_section=None if whole else 6,
        flowers=None,
        timeout=1800,
    )
    assert "ResNet-50 ImageNet weights found" in printed
    assert "No pretrained weights here" not in printed
    assert "transfer model:" in printed and "output layer: (2048 + 1) * 2 = 4,098 parameters" in printed
    assert "training expected to take about" in printed  # the forecast, before the training
    assert "fine-tuning:" in printed and "s per epoch" in printed
    # The summary line counts every epoch, the head's and the fine-tuning's (Keras prints one line each).
    epochs = len(re.findall(r"^\d+/\d+ - .* - val_accuracy: ", printed, re.MULTILINE))
    assert epochs >= 2 and f"\n{epochs} epochs, " in printed, (epochs, re.findall(r".*s per epoch.*", printed))
    assert "test accuracy" in printed or not whole
    # The weights came once through the data layer, were checked, and are now in the course's cache.
    assert requests == ["/" + notop]
    assert hashlib.md5((cache / "keras-weights" / notop).read_bytes()).hexdigest() == served[notop][1]
    return notebook, printed


def test_notebook_13_takes_the_pretrained_path_with_served_weights(http_root, tmp_path, monkeypatch):
    _run_notebook_13(http_root, tmp_path, monkeypatch, profile="fast")


@pytest.mark.skipif(
    os.environ.get("COURSE_TIME_IMAGENET_PATH") != "1",
    reason="times notebook 13 in the full profile (about 10 minutes): set COURSE_TIME_IMAGENET_PATH=1",
)
def test_time_of_notebook_13_with_pretrained_weights(http_root, tmp_path, monkeypatch, capsys):
    notebook, printed = _run_notebook_13(http_root, tmp_path, monkeypatch, profile="full", whole=False)
    seconds = section_seconds(notebook)
    with capsys.disabled():
        print("\nNotebook 13, full profile, generated weights (times only; the accuracies mean nothing):")
        for section, value in seconds.items():
            print(f"  {section:<10} {value:7.1f} s")
        print(f"  sections 1 to 5: {sum(seconds.values()) / 60:.1f} min")
        wanted = re.compile(r"expected|s per epoch|fine-tuning|/step")
        print("\n".join(line for line in printed.splitlines() if wanted.search(line)))
