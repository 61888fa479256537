"""Looking inside a trained convnet: feature maps, first-layer kernels and Grad-CAM.

* ``conv_and_pool_layers`` / ``feature_map_model`` - a multi-output ``keras.Model``
  from the input to every convolution and pooling layer
* ``show_channels``  - one layer's activations for one image as a grid of channels
* ``kernel_images`` / ``show_kernels`` - a layer's learned kernels as small pictures
* ``grad_cam``       - the Grad-CAM heatmap of a class, with the arrays it is made from
* ``overlay``        - a heatmap laid over its image, for display

The functions take the course's models as they are: built from ``keras.Input``,
fed raw pixel values (0..255) because they start with their own ``Rescaling``
layer, and ending in one sigmoid unit or a softmax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

POOLING_LAYERS = (
    keras.layers.MaxPooling2D,
    keras.layers.AveragePooling2D,
)


def _model_input(model: keras.Model):
    """The model's input tensor (or list of them when it has several), as ``keras.Model(inputs=...)`` takes it."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def conv_and_pool_layers(model: keras.Model) -> list[str]:
    """Names of the model's 2-D convolution and pooling layers, in the order of the model."""
    kinds = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.SeparableConv2D) + POOLING_LAYERS
    return [layer.name for layer in model.layers if isinstance(layer, kinds)]


def feature_map_model(model: keras.Model, layer_names: Sequence[str] | None = None) -> keras.Model:
    """A model with the same input and weights that returns the outputs of the named layers.

    ``layer_names`` defaults to every convolution and pooling layer
    (``conv_and_pool_layers``). Calling the result on a batch returns one
    array of feature maps per layer, in the order of ``layer_names``.
    """
    names = list(layer_names) if layer_names is not None else conv_and_pool_layers(model)
    if not names:
        raise ValueError(
            "The model has no convolution or pooling layers to take feature maps from; "
            "name the layers you want with layer_names=[...]."
        )
    known = {layer.name for layer in model.layers}
    missing = [name for name in names if name not in known]
    if missing:
        raise ValueError(f"The model has no layer called {missing[0]!r}; its layers are {sorted(known)}.")
    outputs = [model.get_layer(name).output for name in names]
    return keras.Model(inputs=_model_input(model), outputs=outputs, name=f"{model.name}_feature_maps")


def show_channels(
    maps: np.ndarray,
    title: str,
    *,
    max_channels: int | None = None,
    ncols: int = 16,
    size: float = 0.9,
    cmap: str = "viridis",
) -> plt.Figure:
    """Draw one image's activations of one layer, (H, W, C), as a grid of C small pictures.

    Each channel gets its own colour scale (bright = its largest value); a channel
    that is zero everywhere is drawn black and marked "0". ``max_channels``
    limits the grid to the first channels. Returns the figure.
    """
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(
            f"show_channels expects one image's maps of shape (H, W, C), not {maps.shape}; "
            "take one image out of the batch first, for example maps[0]."
        )
    channels = maps.shape[-1] if max_channels is None else min(max_channels, maps.shape[-1])
    ncols = max(1, min(ncols, channels))
    nrows = int(np.ceil(channels / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= channels:
            continue
        channel = maps[:, :, i]
        peak = float(channel.max())
        ax.imshow(channel, cmap=cmap, vmin=float(channel.min()), vmax=peak if peak > channel.min() else peak + 1)
        if not channel.any():
            ax.text(0.5, 0.5, "0", color="white", fontsize=7, ha="center", va="center", transform=ax.transAxes)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(pad=0.2, h_pad=0.1, w_pad=0.1)
    return fig


def kernel_images(kernel: np.ndarray) -> np.ndarray:
    """Turn a convolution kernel (k_h, k_w, c_in, c_out) into c_out pictures in [0, 1].

    Returns an array (c_out, k_h, k_w, c_in). Each filter is scaled on its own,
    symmetrically around zero: a weight of 0 becomes 0.5 (mid-grey for an RGB
    kernel), the filter's largest weight in absolute value becomes 0 or 1. So an
    RGB filter is drawn in the colour it responds to most strongly.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 4:
        raise ValueError(f"A Conv2D kernel has 4 axes (k_h, k_w, c_in, c_out); this one has shape {kernel.shape}.")
    filters = np.moveaxis(kernel, -1, 0)  # (c_out, k_h, k_w, c_in)
    scale = np.abs(filters).max(axis=(1, 2, 3), keepdims=True)
    return 0.5 + 0.5 * filters / np.where(scale > 0, scale, 1.0)


def show_kernels(kernel: np.ndarray, *, ncols: int = 8, size: float = 0.9, title: str | None = None) -> plt.Figure:
    """Draw every filter of a convolution kernel as a small picture (see ``kernel_images``); return the figure.

    Kernels with 3 input channels are drawn in colour; others show their first input channel in grey.
    """
    pictures = kernel_images(kernel)
    n = len(pictures)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        picture = pictures[i] if pictures.shape[-1] == 3 else pictures[i, :, :, 0]
        ax.imshow(picture, cmap=None if picture.ndim == 3 else "gray", vmin=0, vmax=1)
        ax.set_title(str(i), fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    height = fig.get_size_inches()[1]
    fig.tight_layout(pad=0.2, rect=(0, 0, 1, 1 - 0.4 / height if title else 1))  # room for the title
    return fig


@dataclass(frozen=True)
class GradCam:
    """A Grad-CAM result and the arrays it was computed from (all NumPy).

    * ``heatmap``    (h, w): ReLU of the channel maps weighted by ``weights``, not rescaled
    * ``maps``       (h, w, K): the chosen layer's activations for the image
    * ``gradients``  (h, w, K): d score / d maps
    * ``weights``    (K,): the gradients averaged over the h * w positions
    * ``class_index``: the class explained; ``score``: the class score that was differentiated
    * ``probability``: the model's probability for that class
    """

    heatmap: np.ndarray
    maps: np.ndarray
    gradients: np.ndarray
    weights: np.ndarray
    class_index: int
    score: float
    probability: float


def _logits_from_last_dense(model: keras.Model) -> bool:
    """True when the model ends in a Dense layer with a sigmoid or softmax, whose logits can be recomputed."""
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    return isinstance(last, keras.layers.Dense) and activation in ("sigmoid", "softmax")


def grad_cam(
    model: keras.Model,
    image: np.ndarray,
    layer_name: str,
    class_index: int | None = None,
    *,
    use_logit: bool = True,
) -> GradCam:
    """Grad-CAM of one image for one class, from the maps of the convolution layer ``layer_name``.

    ``image`` is one image (H, W, C) as the model takes it (raw pixel values
    for the course's models). ``class_index`` defaults to the predicted class.
    The class score that is differentiated:

    * softmax output: the logit of the class (``use_logit=False``: its probability);
    * one sigmoid unit (probability p of class 1, logit z): z for class 1 and -z
      for class 0 (``use_logit=False``: p and 1 - p). Both choices give the same
      heatmap up to a positive factor, but the logit's gradient does not vanish
      when p is saturated at 0 or 1.

    With A the maps and y the score: weights ``a_k = mean_ij dy/dA_ijk`` and
    ``heatmap = ReLU(sum_k a_k A_k)``. Returns a GradCam.
    """
    last = model.layers[-1]
    logits_here = use_logit and _logits_from_last_dense(model)
    head_input = last.input if logits_here else model.outputs[0]
    grad_model = keras.Model(inputs=_model_input(model), outputs=[model.get_layer(layer_name).output, head_input])
    batch = tf.convert_to_tensor(np.asarray(image, dtype="float32")[np.newaxis])
    with tf.GradientTape() as tape:
        maps, head = grad_model(batch, training=False)
        if logits_here:
            logits = tf.matmul(head, tf.convert_to_tensor(last.kernel)) + tf.convert_to_tensor(last.bias)
            probabilities = last.activation(logits)
        else:
            logits, probabilities = None, head
        binary = probabilities.shape[-1] == 1
        if binary:
            p = probabilities[0, 0]
            chosen = int(p >= 0.5) if class_index is None else int(class_index)
            if chosen not in (0, 1):
                raise ValueError(f"A model with one sigmoid unit has the classes 0 and 1, not {class_index}.")
            sign = 1.0 if chosen == 1 else -1.0
            probability = p if chosen == 1 else 1.0 - p
            if logits_here:
                score = sign * logits[0, 0]
            else:
                score = probability
        else:
            n_classes = probabilities.shape[-1]
            chosen = int(tf.argmax(probabilities[0])) if class_index is None else int(class_index)
            if not 0 <= chosen < n_classes:
                raise ValueError(f"class_index {class_index} is outside the model's {n_classes} classes.")
            probability = probabilities[0, chosen]
            score = logits[0, chosen] if logits_here else probability
    gradients = tape.gradient(score, maps)[0]
    maps = maps[0]
    weights = tf.reduce_mean(gradients, axis=(0, 1))
    heatmap = tf.nn.relu(tf.tensordot(maps, weights, axes=[[2], [0]]))
    return GradCam(
        heatmap=heatmap.numpy(),
        maps=maps.numpy(),
        gradients=gradients.numpy(),
        weights=weights.numpy(),
        class_index=chosen,
        score=float(score),
        probability=float(probability),
    )


def upsample(heatmap: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a (h, w) heatmap to ``size`` = (H, W) with bilinear interpolation."""
    resized = tf.image.resize(np.asarray(heatmap, dtype="float32")[:, :, np.newaxis], size, method="bilinear")
    return resized.numpy()[:, :, 0]


def overlay(image: np.ndarray, heatmap: np.ndarray, *, alpha: float = 0.45, cmap: str = "jet") -> np.ndarray:
    """Lay a heatmap over an RGB image; return an (H, W, 3) array in [0, 1] for ``imshow``.

    ``image`` holds values in 0..255 (or in 0..1); the heatmap is resized to the
    image, scaled to [0, 1] by its maximum and coloured with ``cmap``. Each pixel
    mixes in the colour with weight ``alpha`` times its heat, so where the heatmap
    is 0 the image shows unchanged (an all-zero heatmap returns the image).
    """
    image = np.asarray(image, dtype=np.float64)
    if image.max() > 1.0:
        image = image / 255.0
    heat = upsample(heatmap, image.shape[:2]).astype(np.float64)
    peak = heat.max()
    if peak <= 0:
        return np.clip(image, 0.0, 1.0)
    colours = plt.get_cmap(cmap)(heat / peak)[..., :3]
    weight = alpha * (heat / peak)[..., np.newaxis]
    return np.clip((1 - weight) * image + weight * colours, 0.0, 1.0)
