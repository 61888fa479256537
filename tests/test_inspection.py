"""The inspection helpers: feature-map models, kernel pictures, Grad-CAM and overlays.

Grad-CAM is tested on hand-built models whose answer is known: a fixed
convolution that only responds to bright pixels, a bright patch placed in one
corner of a dark image, and a head that scores that response. The heat must sit
on the patch, and follow it when the patch moves.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import inspection

SIDE = 16
PATCH = 4


def small_cnn() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((20, 20, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(2, name="pool1"),
            keras.layers.Conv2D(6, 3, activation="relu", name="conv2"),
            keras.layers.AveragePooling2D(2, name="pool2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(1, activation="sigmoid", name="output"),
        ]
    )


def detector_model(n_classes: int = 1) -> keras.Model:
    """Channel 0 fires on bright pixels, channel 1 on dark ones; the head scores channel 0 for class 1.

    ``n_classes=1``: one sigmoid unit, logit = 100 mean(bright) - mean(dark) (class 1 wins with one patch).
    ``n_classes=2``: softmax with logits (mean(dark), mean(bright)).
    """
    inputs = keras.Input((SIDE, SIDE, 3))
    conv = keras.layers.Conv2D(2, 1, activation="relu", name="detector")
    maps = conv(inputs)
    pooled = keras.layers.GlobalAveragePooling2D()(maps)
    head = keras.layers.Dense(n_classes, activation="sigmoid" if n_classes == 1 else "softmax", name="head")
    model = keras.Model(inputs, head(pooled))
    kernel = np.zeros((1, 1, 3, 2), dtype="float32")
    kernel[0, 0, :, 0] = 1 / 3  # mean of the channels ...
    kernel[0, 0, :, 1] = -1 / 3  # ... and its opposite
    conv.set_weights([kernel, np.array([-0.5, 0.5], dtype="float32")])  # bright: > 0.5; dark: < 0.5
    if n_classes == 1:
        head.set_weights([np.array([[100.0], [-1.0]], dtype="float32"), np.zeros(1, dtype="float32")])
    else:
        head.set_weights([np.array([[0.0, 10.0], [10.0, 0.0]], dtype="float32"), np.zeros(2, dtype="float32")])
    return model


def image_with_patch(row: int, col: int) -> np.ndarray:
    image = np.zeros((SIDE, SIDE, 3), dtype="float32")
    image[row : row + PATCH, col : col + PATCH] = 1.0
    return image


def patch_mask(row: int, col: int) -> np.ndarray:
    mask = np.zeros((SIDE, SIDE), dtype=bool)
    mask[row : row + PATCH, col : col + PATCH] = True
    return mask


# --------------------------------------------------------------------------- feature maps


def test_conv_and_pool_layers_lists_them_in_order():
    assert inspection.conv_and_pool_layers(small_cnn()) == ["conv1", "pool1", "conv2", "pool2"]


def test_feature_map_model_returns_one_array_per_layer_with_its_shape():
    model = small_cnn()
    maps = inspection.feature_map_model(model)(np.zeros((2, 20, 20, 3), dtype="float32"))
    assert [tuple(m.shape) for m in maps] == [(2, 18, 18, 4), (2, 9, 9, 4), (2, 7, 7, 6), (2, 3, 3, 6)]


def test_feature_map_model_shares_the_weights_of_the_model():
    model = small_cnn()
    x = np.random.default_rng(0).uniform(0, 255, (1, 20, 20, 3)).astype("float32")
    conv1 = inspection.feature_map_model(model, ["conv1"])(x)
    conv1 = conv1[0] if isinstance(conv1, (list, tuple)) else conv1
    kernel, bias = model.get_layer("conv1").get_weights()
    by_hand = np.maximum(np.einsum("ijc,ijcf->f", x[0, :3, :3] / 255, kernel) + bias, 0)
    np.testing.assert_allclose(np.asarray(conv1)[0, 0, 0], by_hand, rtol=1e-5, atol=1e-6)


def test_feature_map_model_names_a_missing_layer():
    with pytest.raises(ValueError, match="no layer called 'conv9'"):
        inspection.feature_map_model(small_cnn(), ["conv9"])


def test_show_channels_draws_one_panel_per_channel_and_the_title():
    maps = np.random.default_rng(0).uniform(size=(5, 5, 10))
    maps[:, :, 3] = 0
    fig = inspection.show_channels(maps, "conv1 (5, 5, 10)", ncols=4)
    assert len([ax for ax in fig.axes if ax.images]) == 10
    assert fig._suptitle.get_text() == "conv1 (5, 5, 10)"
    plt.close(fig)
    with pytest.raises(ValueError, match="one image"):
        inspection.show_channels(maps[np.newaxis], "batch")


def test_kernel_images_are_scaled_around_mid_grey():
    kernel = np.zeros((3, 3, 3, 2))
    kernel[1, 1, 0, 0] = 2.0  # red centre
    kernel[0, 0, 2, 1] = -4.0
    pictures = inspection.kernel_images(kernel)
    assert pictures.shape == (2, 3, 3, 3)
    assert pictures.min() >= 0 and pictures.max() <= 1
    assert pictures[0, 1, 1, 0] == 1.0 and pictures[0, 0, 0, 0] == 0.5
    assert pictures[1, 0, 0, 2] == 0.0
    fig = inspection.show_kernels(kernel)
    assert len([ax for ax in fig.axes if ax.images]) == 2
    plt.close(fig)


# --------------------------------------------------------------------------- Grad-CAM


@pytest.mark.parametrize("corner", [(0, 0), (0, SIDE - PATCH), (SIDE - PATCH, 0), (SIDE - PATCH, SIDE - PATCH)])
def test_grad_cam_puts_the_heat_on_the_bright_patch_and_follows_it(corner):
    model = detector_model()
    cam = inspection.grad_cam(model, image_with_patch(*corner), "detector")
    assert cam.heatmap.shape == (SIDE, SIDE) and cam.maps.shape == cam.gradients.shape == (SIDE, SIDE, 2)
    assert cam.class_index == 1 and cam.probability > 0.5
    mask = patch_mask(*corner)
    assert cam.heatmap[mask].min() > 0
    assert np.all(cam.heatmap[~mask] == 0)
    assert np.unravel_index(cam.heatmap.argmax(), cam.heatmap.shape) in set(zip(*np.nonzero(mask)))


def test_grad_cam_of_the_other_sigmoid_class_is_everywhere_but_the_patch():
    model = detector_model()
    cam = inspection.grad_cam(model, image_with_patch(0, 0), "detector", class_index=0)
    mask = patch_mask(0, 0)
    assert cam.class_index == 0 and cam.probability < 0.5
    assert np.all(cam.heatmap[mask] == 0) and cam.heatmap[~mask].min() > 0
    assert cam.weights[0] < 0 < cam.weights[1]


def test_grad_cam_matches_its_formula_on_its_own_arrays():
    cam = inspection.grad_cam(detector_model(), image_with_patch(SIDE - PATCH, 3), "detector")
    weights = cam.gradients.mean(axis=(0, 1))
    np.testing.assert_allclose(cam.weights, weights, rtol=1e-6)
    np.testing.assert_allclose(cam.heatmap, np.maximum((cam.maps * weights).sum(axis=-1), 0), rtol=1e-5, atol=1e-7)
    # the head is a global average and a dense layer, so the gradients are the same at every position
    np.testing.assert_allclose(weights, np.array([100.0, -1.0]) / SIDE**2, rtol=1e-5)


def test_grad_cam_with_the_probability_gives_the_same_picture_when_not_saturated():
    model = detector_model()
    model.get_layer("head").set_weights([np.array([[0.5], [-0.5]], dtype="float32"), np.zeros(1, dtype="float32")])
    image = image_with_patch(4, 4)
    by_logit = inspection.grad_cam(model, image, "detector")
    by_probability = inspection.grad_cam(model, image, "detector", use_logit=False)
    assert by_logit.class_index == by_probability.class_index == 0
    np.testing.assert_allclose(
        by_logit.heatmap / by_logit.heatmap.max(), by_probability.heatmap / by_probability.heatmap.max(), rtol=1e-4
    )


def test_grad_cam_on_a_softmax_model_explains_the_predicted_or_the_asked_class():
    model = detector_model(n_classes=2)
    image = image_with_patch(SIDE - PATCH, SIDE - PATCH)
    predicted = inspection.grad_cam(model, image, "detector")
    mask = patch_mask(SIDE - PATCH, SIDE - PATCH)
    assert predicted.class_index == 0  # dark background covers most of the image
    assert np.all(predicted.heatmap[mask] == 0) and predicted.heatmap[~mask].min() > 0
    bright = inspection.grad_cam(model, image, "detector", class_index=1)
    assert bright.heatmap[mask].min() > 0 and np.all(bright.heatmap[~mask] == 0)
    with pytest.raises(ValueError, match="outside"):
        inspection.grad_cam(model, image, "detector", class_index=2)


def test_overlay_keeps_the_image_size_and_range():
    image = np.full((32, 48, 3), 200.0)
    heat = np.zeros((4, 6))
    heat[0, 0] = 1.0
    mixed = inspection.overlay(image, heat)
    assert mixed.shape == (32, 48, 3) and 0 <= mixed.min() and mixed.max() <= 1
    assert not np.allclose(mixed[0, 0], 200 / 255) and np.allclose(mixed[-1, -1], 200 / 255)
    np.testing.assert_allclose(inspection.overlay(image, np.zeros((4, 6))), image / 255)
    assert inspection.upsample(heat, (32, 48)).shape == (32, 48)
