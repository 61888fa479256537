"""helpers.models: the networks that more than one notebook trains."""

from __future__ import annotations

import ast
from pathlib import Path

import keras
import nbformat
import numpy as np

from helpers.models import augmentation, compact_cnn

NOTEBOOK_08 = Path(__file__).resolve().parent.parent / "notebooks" / "09_cats_vs_dogs.ipynb"


def notebook_08_builders() -> dict:
    """Notebook 09's own ``make_augment`` and ``build_compact``, taken from its code cells.

    Only the two function definitions and the ``WIDTHS`` and ``BN_MOMENTUM`` they use are run, not the cells
    around them (which load data and train)."""
    wanted = []
    for cell in nbformat.read(NOTEBOOK_08, as_version=4).cells:
        if cell.cell_type != "code" or cell.source.startswith("# Set-up."):  # the bootstrap has %pip
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name in {"make_augment", "build_compact"}:
                wanted.append(node)
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) in {"WIDTHS", "BN_MOMENTUM"} for t in node.targets
            ):
                wanted.append(node)
    assert len(wanted) == 4, "notebook 09 must define WIDTHS, BN_MOMENTUM, make_augment and build_compact"
    namespace = {"keras": keras}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), str(NOTEBOOK_08), "exec"), namespace)
    return namespace


def layer_configs(model) -> list[tuple[str, dict]]:
    """(type, config) of every layer, nested Sequential models (augmentation) layer by layer.
    Names are left out where Keras makes them up (the input, the augmentation's own layers)."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            found.append(("InputLayer", {k: v for k, v in layer.get_config().items() if k != "name"}))
        elif isinstance(layer, keras.Sequential):
            found.append(("Sequential", {"name": layer.name}))
            found += [
                (type(inner).__name__, {k: v for k, v in inner.get_config().items() if k != "name"})
                for inner in layer.layers
            ]
        else:
            found.append((type(layer).__name__, layer.get_config()))
    return found


def test_compact_cnn_is_notebook_08s_network_layer_by_layer():
    # Notebook 09 ends in one sigmoid unit (cats or dogs); compact_cnn in a softmax over n_classes.
    # Everything before the output layer must be the same: types, order and configs, with the
    # augmentation's and the dropout's settings (which a parameter count does not see).
    ours = layer_configs(compact_cnn(150, 2))
    theirs = layer_configs(notebook_08_builders()["build_compact"](150))
    assert [kind for kind, _ in ours] == [kind for kind, _ in theirs]
    assert ours[:-1] == theirs[:-1]
    (_, our_output), (_, their_output) = ours[-1], theirs[-1]
    assert (our_output["units"], our_output["activation"]) == (2, "softmax")
    assert (their_output["units"], their_output["activation"]) == (1, "sigmoid")
    for config in (our_output, their_output):
        del config["units"], config["activation"]
    assert our_output == their_output
    assert [kind for kind, _ in ours][:7] == [
        "InputLayer",
        "Sequential",
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomContrast",
    ]
    assert dict(ours)["Dropout"]["rate"] == 0.3 and dict(ours)["RandomRotation"]["factor"] == (-0.07, 0.07)
    assert {config["momentum"] for kind, config in ours if kind == "BatchNormalization"} == {0.9}


def test_augmentation_is_notebook_08s():
    assert layer_configs(keras.Sequential([augmentation()])) == layer_configs(
        keras.Sequential([notebook_08_builders()["make_augment"]()])
    )


def test_a_changed_layer_is_noticed():
    # The comparison above can fail: one different setting shows.
    builders = notebook_08_builders()
    reference = layer_configs(builders["build_compact"](64))
    builders["WIDTHS"] = (16, 32, 64, 128, 255)
    assert layer_configs(builders["build_compact"](64)) != reference
    builders["WIDTHS"], builders["BN_MOMENTUM"] = (16, 32, 64, 128, 256), 0.99
    assert layer_configs(builders["build_compact"](64)) != reference


def test_notebook_08s_run_without_augmentation_differs_only_by_the_augmentation():
    builders = notebook_08_builders()
    with_augmentation = layer_configs(builders["build_compact"](64))
    without = layer_configs(builders["build_compact"](64, augment=False))
    assert without == with_augmentation[:1] + with_augmentation[7:]  # the input, then everything after augment


def test_compact_cnn_parameters():
    # Notebook 09 asserts 394,353 parameters for its compact model, whose output is one sigmoid unit:
    # with one output unit this is the same count, with two the output layer adds (256 + 1) more.
    assert compact_cnn(150, 1).count_params() == 394_353
    assert compact_cnn(150, 2).count_params() == 394_353 + 257
    model = compact_cnn(150, 2)
    assert [model.get_layer(f"conv{i}").filters for i in range(1, 6)] == [16, 32, 64, 128, 256]
    assert model.get_layer("output").activation.__name__ == "softmax"


def test_augmentation_layers_and_inference_is_unchanged_pixels():
    layers = [type(layer).__name__ for layer in augmentation().layers]
    assert layers == ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast"]
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(augmentation()(x, training=False)), x, atol=1e-4)
    model = compact_cnn(32, 3)
    probabilities = np.asarray(model(x, training=False))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(probabilities, np.asarray(model(x, training=False)))  # no randomness
