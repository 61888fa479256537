"""Notebook 11's ImageNet path, run end to end with weights files this test makes and serves on 127.0.0.1.

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
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import h5py
import keras
import nbclient
import nbformat
import pytest
from archives import importable_tfds

from helpers import data

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "11_transfer_learning.ipynb"
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

SETUP = """# Put in front of the notebook by tests/test_imagenet_path.py; not part of the course.
import dataclasses, json, types
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


class FewFlowers(TfdsDataset):
    def open(self, path, origin, split, with_info=False, **kwargs):
        tfds = import_tfds("tf_flowers")  # the course's error where tensorflow-datasets cannot load
        for spec in split:
            tfds.core.ReadInstruction.from_spec(spec)  # raises on a split string tfds would refuse
        rng = np.random.default_rng(0)
        parts = [tf.data.Dataset.from_tensor_slices((rng.integers(0, 256, (12, 160, 200, 3), dtype=np.uint8),
                                                     rng.integers(0, 5, 12)))
                 for _ in split]
        names = ["dandelion", "daisy", "tulips", "sunflowers", "roses"]
        info = types.SimpleNamespace(features={{"label": types.SimpleNamespace(names=names)}})
        return (parts, info) if with_info else parts


# The course's catalogue with the served weights and a few flowers; mirror and cache from the environment.
data.use_store(Store([FewFlowers(e.key, e.name, e.path, e.size) if e.key == "tf_flowers" else served(e)
                      for e in data.CATALOGUE]))
# decode_predictions checks its file against the real file's MD5; hand it the served names directly.
imagenet_utils.CLASS_INDEX = json.loads(open({names_path!r}).read())
"""


def _save_legacy_h5(model, path: Path) -> str:
    from keras.src.legacy.saving import legacy_h5_format  # the layout of the published *.h5 files

    with h5py.File(path, "w") as fh:
        legacy_h5_format.save_weights_to_hdf5_group(fh, model)
    return hashlib.md5(path.read_bytes()).hexdigest()


def _serve_imagenet_files(root: Path, base: str) -> dict[str, tuple[str, str]]:
    served = {}
    keras.utils.set_random_seed(0)
    for architecture, constructor in (
        ("resnet50", keras.applications.ResNet50),
        ("xception", keras.applications.Xception),
    ):
        for include_top, entry in zip((True, False), data.APPLICATIONS[architecture].weights(architecture)):
            if architecture == "xception" and include_top:
                continue  # the notebook never asks for Xception's classifier
            model = constructor(weights=None, include_top=include_top)
            name = entry.remote.filename
            served[name] = (base + name, _save_legacy_h5(model, root / name))
            keras.backend.clear_session()
    names = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    index = root / data.IMAGENET_CLASS_INDEX.remote.filename
    index.write_text(json.dumps(names))
    served[index.name] = (base + index.name, hashlib.md5(index.read_bytes()).hexdigest())
    return served


def test_notebook_11_takes_the_imagenet_path_with_served_weights(http_root, tmp_path, monkeypatch):
    root, base, requests = http_root
    served = _serve_imagenet_files(root, base)
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    monkeypatch.setenv("COURSE_DATA_DIR", str(MIRROR))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Sections 1 to 4 are the ImageNet path; the rest runs under nbval in every test run anyway.
    section_5 = next(
        i for i, cell in enumerate(notebook.cells) if cell.cell_type == "markdown" and cell.source.startswith("## 5.")
    )
    notebook.cells = notebook.cells[:section_5]
    setup = SETUP.format(served=json.dumps(served), names_path=str(root / data.IMAGENET_CLASS_INDEX.remote.filename))
    notebook.cells.insert(1, nbformat.v4.new_code_cell(setup))
    nbclient.NotebookClient(
        notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()

    # Printed text, and the sentences helpers.report_metric shows (display data as plain text).
    printed = "\n".join(
        output.get("text", "") or output.get("data", {}).get("text/plain", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "PATH: ImageNet weights available" in printed
    assert "ResNet-50 with its ImageNet classifier: 25,636,712 parameters" in printed
    assert "china:" in printed and "flower:" in printed and "class_" in printed  # decode_predictions, top 5
    assert "cats vs dogs, global average pooling, fine-tuned" in printed  # the comparison table
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
