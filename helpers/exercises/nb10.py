"""Exercises of notebook 10 (what the network sees).

Activation shapes and the Grad-CAM formula (``ex.GRADIENTS``, ``ex.MAPS``)."""

from __future__ import annotations

import functools as _functools
from typing import Any

import keras
import numpy as np

from .. import reference
from .building import Code
from .building import call as _call
from .framework import Choice, Number, Shape, Wrong, batch_axes, code_of, plain_name
from .framework import numpy as _numpy

# --------------------------------------------------------------------------- the notebook's CNN

INPUT_SIDE = 200  # the notebook trains its CNN on 150 x 150 images; the exercises ask about 200 x 200
# (name, kind, filters) in the order of the model; every Conv2D is 3 x 3 'valid', every pooling 2 x 2
LAYERS = (
    ("conv1", "conv", 16),
    ("pool1", "pool", None),
    ("conv2", "conv", 32),
    ("pool2", "pool", None),
    ("conv3", "conv", 64),
    ("pool3", "pool", None),
    ("conv4", "conv", 64),
    ("pool4", "pool", None),
)


def _shapes() -> dict[str, tuple[int, int, int]]:
    """(side, side, channels) of every layer's output, from the output-size formulas."""
    side, channels, shapes = INPUT_SIDE, 3, {}
    for name, kind, filters in LAYERS:
        if kind == "conv":
            side, channels = reference.output_size(side, 3), filters
        else:
            side = side // 2
        shapes[name] = (side, side, channels)
    return shapes


SHAPES = _shapes()  # conv1 (198, 198, 16), pool1 (99, 99, 16), conv2 (97, 97, 32) ... pool4 (10, 10, 64)


# --------------------------------------------------------------------------- q1: a layer's output shape

Q1_LAYER = "conv3"
Q1_EXPECTED = (None,) + SHAPES[Q1_LAYER]  # (None, 46, 46, 64)


def _explain_q1(shape: tuple) -> None:
    batch_axes(shape, Q1_EXPECTED)
    if len(shape) == 4 and shape[3] != 64:
        raise Wrong(f"{shape[3]} channels is not right: conv3 has 64 filters, one output channel each.")


def _side(side: int) -> tuple:
    return (None, side, side, 64)


q1 = Shape(
    Q1_EXPECTED,
    title="output shape of a layer",
    axes=("batch", "height", "width", "channels"),
    praise="200 -> 198 -> 99 -> 97 -> 48 -> 46: conv3 gives (None, 46, 46, 64).",
    mistakes=[
        (
            (None, 46, 46, 32),
            "32 is the number of filters of conv2. conv3 outputs one channel per filter of its own: 64.",
        ),
        ((None, 46, 46, 3), "the 3 colour channels are used up by conv1; a Conv2D outputs one channel per filter."),
        (
            _side(48),
            "a side of 48: 48 x 48 is the input of conv3 (the output of pool2). A 3 x 3 'valid' "
            "convolution takes one pixel off each border: 48 - 3 + 1 = 46.",
        ),
        (_side(23), "a side of 23: 23 x 23 is after pool3. The question asks for conv3, before its pooling."),
        (
            _side(200),
            "a side of 200: that would need padding='same' everywhere and no pooling; the layers here "
            "use 'valid' and every pooling halves the side.",
        ),
        (
            _side(47),
            "a side of 47: either pool2 rounded 97 / 2 up to 49 (MaxPooling2D(2) rounds down, to 48), or "
            "conv3 took only 1 off (a 3 x 3 'valid' convolution takes 2: n - 3 + 1).",
        ),
        (_side(45), "a side of 45: a 3 x 3 'valid' convolution takes 2 off the side (n - 3 + 1), not 3."),
        (
            _side(49),
            "a side of 49: that is 97 / 2 rounded up, the output of pool2. MaxPooling2D(2) rounds down, "
            "and conv3 comes after pool2 and takes 2 more off the side.",
        ),
        (
            _side(34),
            "a side of 34: that is conv3's side for the notebook's 150 x 150 images. Follow the side from 200 instead.",
        ),
        (_side(194), "a side of 194: you left out the pooling layers: each MaxPooling2D(2) halves the side."),
    ],
    explain=_explain_q1,
    otherwise="Follow the side from 200: a 3 x 3 'valid' convolution takes 2 off, MaxPooling2D(2) halves "
    "and rounds down.",
    hint=(
        "Follow the side from 200: each 3 x 3 'valid' convolution gives $n - 3 + 1$, each "
        "MaxPooling2D(2) gives $\\lfloor n/2 \\rfloor$. The channels of a Conv2D are its filters; "
        "the batch axis is None."
    ),
    solution=(
        "$200 \\to 198 \\to 99 \\to 97 \\to \\lfloor 97/2 \\rfloor = 48 \\to 46$, and conv3 has "
        "64 filters: `(None, 46, 46, 64)`. Check it: build the model with "
        "`keras.Input((200, 200, 3))` and read `model.get_layer('conv3').output.shape`."
    ),
)


# --------------------------------------------------------------------------- q2: which layer, from a shape

Q2_SHAPE = (1, 48, 48, 32)
Q2_EXPECTED = "pool2"
assert SHAPES[Q2_EXPECTED] == Q2_SHAPE[1:]


def _layer_name(answer: Any) -> str:
    name = answer if isinstance(answer, str) else getattr(answer, "name", None)
    if not isinstance(name, str):
        raise Wrong(
            f"answer with the layer's name as a string, such as 'conv1'; you gave {type(answer).__name__} {answer!r}."
        )
    return plain_name(name)


_WHY_NOT = {
    "conv2": " conv2 has the 32 channels, but it is pooled before the maps reach 48 x 48.",
    "conv3": " conv3 reads the 48 x 48 maps, but its own output is smaller and has 64 channels.",
    "pool1": " pool1's maps have 16 channels, those of conv1.",
}

q2 = Choice(
    Q2_EXPECTED,
    options=SHAPES,
    normalise=_layer_name,
    title="which layer, from a shape",
    praise="conv2 gives (97, 97, 32) and pool2 halves it, rounding down, to (48, 48, 32).",
    mistakes=[
        (name, f"'{name}' outputs {shape} for one image, not {Q2_SHAPE[1:]}.{_WHY_NOT.get(name, '')}")
        for name, shape in SHAPES.items()
        if name != Q2_EXPECTED
    ],
    hint=(
        "The first axis is the batch (one image). 32 channels means conv2 or the pooling after it; "
        "now follow the side: 200 -> 198 -> 99 -> 97 -> ..."
    ),
    solution=(
        "32 channels: conv2 or pool2. conv2 outputs $99 - 2 = 97$ per side, pool2 halves that to "
        "$\\lfloor 97/2 \\rfloor = 48$: "
        "`'pool2'`."
    ),
)


# --------------------------------------------------------------------------- q3, q4: Grad-CAM by hand

# d score / d A for a layer with 2 x 2 positions and K = 3 channels: GRADIENTS[i, j, k]
GRADIENTS = np.stack(
    [
        [[0.2, 0.4], [0.0, 0.2]],
        [[-0.1, -0.3], [0.1, -0.1]],
        [[0.5, 0.3], [0.1, 0.3]],
    ],
    axis=-1,
)
# the layer's activations A[i, j, k] (after ReLU, so never negative)
MAPS = np.stack(
    [
        [[1.0, 0.0], [2.0, 0.0]],
        [[0.0, 4.0], [1.0, 0.0]],
        [[0.0, 1.0], [0.0, 2.0]],
    ],
    axis=-1,
)
Q3_EXPECTED = GRADIENTS.mean(axis=(0, 1))  # [0.2, -0.1, 0.3]
Q4_EXPECTED = np.maximum((MAPS * Q3_EXPECTED).sum(axis=-1), 0.0)  # [[0.2, 0.0], [0.3, 0.6]]


q3 = Number(
    Q3_EXPECTED,
    title="Grad-CAM channel weights",
    what="Your array of weights",
    example="np.array([0.1, 0.2, 0.3])",
    tol=1e-6,
    praise="a = (0.2, -0.1, 0.3): channel 1 argues against the class, channels 0 and 2 for it.",
    mistakes=[
        (
            GRADIENTS.mean(axis=-1),
            "your array has shape (2, 2): you averaged over the channel axis. Average "
            "over the positions instead, the first two axes: .mean(axis=(0, 1)), one "
            "weight per channel.",
        ),
        (
            GRADIENTS.mean(),
            "you gave one number; Grad-CAM has one weight per channel (3 here). Average over "
            "the positions only: .mean(axis=(0, 1)).",
        ),
        (
            GRADIENTS.sum(axis=(0, 1)),
            "those are the sums over the 4 positions. The weight is the average: "
            "divide by h * w = 4, or use .mean(axis=(0, 1)).",
        ),
        (MAPS.mean(axis=(0, 1)), "you averaged the maps A. The weights come from the gradients: ex.GRADIENTS."),
        (
            (GRADIENTS * MAPS).mean(axis=(0, 1)),
            "you multiplied the gradients by the maps before averaging. The "
            "weights are the plain average of the gradients; the maps come "
            "in at the next step.",
        ),
        (
            np.abs(GRADIENTS).mean(axis=(0, 1)),
            "keep the sign of the gradients: a negative weight means the channel argues against the class.",
        ),
    ],
    hint=(
        "$\\alpha_k = \\frac{1}{Z} \\sum_{i,j} \\partial y^c / \\partial A^k_{ij}$: for each channel, "
        "the average of its gradients over the positions (the first two axes)."
    ),
    solution="`answer = ex.GRADIENTS.mean(axis=(0, 1))`, which is `[0.2, -0.1, 0.3]`.",
)

q4 = Number(
    Q4_EXPECTED,
    title="the Grad-CAM heatmap",
    what="The heatmap",
    example="np.array([[0.1, 0.2], [0.3, 0.4]])",
    tol=1e-6,
    praise="[[0.2, 0], [0.3, 0.6]]: the top-right position (-0.1 before ReLU) is cut to 0.",
    mistakes=[
        (
            MAPS * Q3_EXPECTED,
            "your array still has the channel axis: add the weighted maps up over the channels, "
            ".sum(axis=-1), to get one number per position.",
        ),
        (
            (MAPS * Q3_EXPECTED).sum(axis=-1),
            "close: the top-right value is negative (-0.1). Grad-CAM keeps only "
            "what argues for the class: apply ReLU, np.maximum(..., 0).",
        ),
        (
            np.maximum((GRADIENTS * Q3_EXPECTED).sum(axis=-1), 0),
            "you weighted the gradients; weight the maps A (ex.MAPS) instead.",
        ),
        (
            np.maximum((MAPS * GRADIENTS.sum(axis=(0, 1))).sum(axis=-1), 0),
            "you used the summed gradients as weights: 4 times too large. Use their mean.",
        ),
        (
            np.maximum((MAPS * GRADIENTS).sum(axis=-1), 0),
            "you multiplied each position by its own gradient. Grad-CAM uses one weight per channel, the same at "
            "every position: the averages of q3.",
        ),
    ],
    hint=(
        "$L = \\mathrm{ReLU}\\left(\\sum_k \\alpha_k A^k\\right)$: multiply each channel of the maps by "
        "its weight (NumPy broadcasting does it: `ex.MAPS * weights`), sum over the channel axis, "
        "then `np.maximum(..., 0)`."
    ),
    solution=(
        "`weights = ex.GRADIENTS.mean(axis=(0, 1))`, then "
        "`answer = np.maximum((ex.MAPS * weights).sum(axis=-1), 0)`: `[[0.2, 0.0], [0.3, 0.6]]`."
    ),
)

# ===================================================================== code exercises
# q5: Grad-CAM at another layer. The learner writes grad_cam_at(model, image, layer_name); the
# checker runs it on a small CNN built like the notebook's (random weights, 36 x 36 images) at two
# layers and compares with helpers.inspection.grad_cam. A heatmap is compared up to a positive
# factor: differentiating the probability p or the logit z changes all values by the same factor.

Q5_SIDE = 36
Q5_LAYERS = ("conv2", "conv1")


@_functools.lru_cache(maxsize=1)
def _q5_case():
    """The small CNN and one image (raw pixel values 0..255) the checker runs the learner's function on."""
    conv = {"kernel_size": 3, "activation": "relu"}
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input((Q5_SIDE, Q5_SIDE, 3)),
            keras.layers.Rescaling(1 / 255, name="rescaling"),
            keras.layers.Conv2D(8, **conv, name="conv1"),
            keras.layers.MaxPooling2D(2, name="pool1"),
            keras.layers.Conv2D(16, **conv, name="conv2"),
            keras.layers.MaxPooling2D(2, name="pool2"),
            keras.layers.Conv2D(16, **conv, name="conv3"),
            keras.layers.MaxPooling2D(2, name="pool3"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(8, activation="relu", name="dense"),
            keras.layers.Dense(1, activation="sigmoid", name="output"),
        ],
        name="small_cnn",
    )
    image = np.random.default_rng(3).uniform(0, 255, (Q5_SIDE, Q5_SIDE, 3)).astype("float32")
    return model, image


def _q5_expected(layer_name: str, class_index: int = 1) -> np.ndarray:
    from ..inspection import grad_cam  # TensorFlow and Matplotlib: imported when first needed

    model, image = _q5_case()
    return grad_cam(model, image, layer_name, class_index=class_index, use_logit=False).heatmap


@_functools.lru_cache(maxsize=4)
def _q5_batch_and_rows(layer_name: str) -> np.ndarray:
    """The heatmap of humans when the weights average the (1, h, w, channels) gradient over axes 0 and 1,
    the batch axis and the rows: one weight per column and channel instead of one per channel."""
    import tensorflow as tf

    model, image = _q5_case()
    grad_model = keras.Model(model.inputs[0], [model.get_layer(layer_name).output, model.outputs[0]])
    with tf.GradientTape() as tape:
        maps, p = grad_model(image[np.newaxis], training=False)
        score = p[0, 0]
    grads = tape.gradient(score, maps)  # (1, h, w, channels)
    weights = tf.reduce_mean(grads, axis=(0, 1))  # (w, channels)
    return tf.nn.relu(tf.reduce_sum(maps[0] * weights, axis=-1)).numpy()


def _proportional(got: np.ndarray, expected: np.ndarray) -> bool:
    """True when ``got`` = c * ``expected`` for some c > 0 (up to float32 rounding)."""
    scale = float(np.abs(expected).max())
    if scale == 0:
        return bool(np.abs(got).max() == 0)
    factor = float(np.sum(got * expected) / np.sum(expected * expected))
    return factor > 0 and np.allclose(got, factor * expected, atol=1e-4 * abs(factor) * scale)


def _check_q5(answer: Any) -> str:
    model, image = _q5_case()
    shapes = {name: tuple(model.get_layer(name).output.shape[1:3]) for name in ("conv1", "conv2", "conv3")}
    for layer_name in Q5_LAYERS:
        result = _call(answer, model, image.copy(), layer_name, what=f'grad_cam_at(model, image, "{layer_name}")')
        if result is None:
            raise Wrong("grad_cam_at returned None: end it with `return heatmap`.")
        try:
            heatmap = _numpy(result)
        except Exception:
            raise Wrong(
                f"grad_cam_at should return the heatmap as an array, but it returned {type(result).__name__}."
            ) from None
        if heatmap.ndim == 3 and heatmap.shape[0] == 1:
            raise Wrong(
                f"the heatmap has shape {heatmap.shape}, with the batch axis still in front; return "
                f"the map of the one image, shape {shapes[layer_name]}: maps[0]."
            )
        if heatmap.shape == image.shape[:2] != shapes[layer_name]:
            raise Wrong(
                f'for layer_name="{layer_name}" the heatmap has shape {heatmap.shape}, the size of the image: '
                f"you scaled it up to the image, which is only for drawing it over the picture (as "
                f"inspection.overlay does). Return it at the size of {layer_name}'s maps, "
                f"{shapes[layer_name]}, before any resizing."
            )
        if heatmap.shape != shapes[layer_name]:
            others = [name for name, shape in shapes.items() if shape == heatmap.shape]
            which = f", the size of {others[0]}'s maps" if others else ""
            raise Wrong(
                f'for layer_name="{layer_name}" the heatmap has shape {heatmap.shape}{which}; it should '
                f"have the size of {layer_name}'s maps, {shapes[layer_name]}. Take the maps of "
                f"model.get_layer(layer_name)."
            )
        if (heatmap < -1e-7).any():
            raise Wrong(
                f"the heatmap at {layer_name} has negative values; Grad-CAM "
                f"keeps only what speaks for the class: ReLU of the weighted sum, tf.nn.relu(...)."
            )
        expected = _q5_expected(layer_name)
        if _proportional(heatmap, expected):
            continue
        if _proportional(heatmap, _q5_expected(layer_name, class_index=0)):
            raise Wrong(
                f"at {layer_name} this is the heatmap of class 0 (horses, score 1 - p); the task asks for "
                f"humans, the class whose probability the sigmoid gives: differentiate p itself."
            )
        if _proportional(heatmap, _q5_batch_and_rows(layer_name)):
            h, w = shapes[layer_name]
            channels = model.get_layer(layer_name).output.shape[-1]
            raise Wrong(
                f"at {layer_name} the weights are not one per channel. The gradient has the shape of the "
                f"maps, (1, {h}, {w}, {channels}), with the batch axis first, so averaging it over axes "
                f"(0, 1) averages over the batch and the rows and leaves one weight per column and channel. "
                f"Average over the positions, axes 1 and 2: tf.reduce_mean(grads, axis=(1, 2)); or drop the "
                f"batch axis first, grads[0], and then average over axes (0, 1)."
            )
        worst = np.unravel_index(
            int(np.argmax(np.abs(heatmap / max(heatmap.max(), 1e-12) - expected / max(expected.max(), 1e-12)))),
            expected.shape,
        )
        raise Wrong(
            f"at {layer_name} the heatmap has the right shape {expected.shape} but another pattern (scaled "
            f"to its maximum, it differs most at position {tuple(int(i) for i in worst)}). Check the weights: "
            f"one per channel, the gradient averaged over all positions (axes 1 and 2 of the gradient, "
            f"whose axis 0 is the batch), then the weighted sum of the maps over the channels."
        )
    return (
        f"your heatmaps at {Q5_LAYERS[1]} {shapes[Q5_LAYERS[1]]} and {Q5_LAYERS[0]} {shapes[Q5_LAYERS[0]]} "
        f"match inspection.grad_cam. Earlier layers give finer but less class-specific maps."
    )


def _q5_solution(model, image, layer_name):
    import tensorflow as tf

    grad_model = keras.Model(model.inputs[0], [model.get_layer(layer_name).output, model.outputs[0]])
    with tf.GradientTape() as tape:
        maps, p = grad_model(image[np.newaxis], training=False)
        score = p[0, 0]  # the probability of humans
    grads = tape.gradient(score, maps)[0]  # (h, w, channels)
    weights = tf.reduce_mean(grads, axis=(0, 1))  # one weight per channel
    return tf.nn.relu(tf.reduce_sum(maps[0] * weights, axis=-1)).numpy()


q5 = Code(
    _check_q5,
    answer=_q5_solution,
    stub="grad_cam_at",
    title="Grad-CAM at any layer",
    hint="A keras.Model with two outputs, model.get_layer(layer_name).output and model.outputs[0]; call "
    "it on image[np.newaxis] inside tf.GradientTape(); the score is p[0, 0]. tape.gradient(score, maps) "
    "gives one gradient per map value, batch axis first; average it over the positions (axes 1 and 2, "
    "or axes 0 and 1 after dropping the batch axis with [0]) for one weight per channel, then ReLU of "
    "the weighted sum of the maps over the channels.",
    solution=code_of(_q5_solution, "grad_cam_at"),
)
