"""helpers.models: the networks that more than one notebook trains."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers.models import augmentation, compact_cnn  # noqa: E402


def test_compact_cnn_is_notebook_08s_network():
    # Notebook 08 asserts 394,353 parameters for its compact model, whose output is one sigmoid unit:
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
