"""Answers to test the exercises of notebook 10 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from helpers.inspection import grad_cam

from . import Cases


def _q5_make(*, layer="given", relu=True, weights="mean", score="p", squeeze=True, resize=False):
    """A grad_cam_at with one thing changed (for the checker's tests)."""
    import keras
    import tensorflow as tf

    def grad_cam_at(model, image, layer_name):
        name = layer_name if layer == "given" else "conv3"
        grad_model = keras.Model(model.inputs[0], [model.get_layer(name).output, model.outputs[0]])
        with tf.GradientTape() as tape:
            maps, p = grad_model(image[np.newaxis], training=False)
            value = p[0, 0] if score == "p" else 1 - p[0, 0]
        grads = tape.gradient(value, maps)
        if weights == "mean":
            heat = tf.reduce_sum(maps * tf.reduce_mean(grads, axis=(1, 2), keepdims=True), axis=-1)
        elif weights == "batch and rows":  # axis=(0, 1) on the gradient that still has its batch axis
            heat = tf.reduce_sum(maps[0] * tf.reduce_mean(grads, axis=(0, 1)), axis=-1)[tf.newaxis]
        elif weights == "none":
            heat = tf.reduce_mean(maps, axis=-1)
        else:  # "elementwise": each position weighted by its own gradient
            heat = tf.reduce_sum(maps * grads, axis=-1)
        heat = tf.nn.relu(heat) if relu else heat
        if resize:  # scaled up to the image, as for drawing it over the picture
            heat = tf.image.resize(heat[..., tf.newaxis], image.shape[:2])[..., 0]
        return heat[0].numpy() if squeeze else heat.numpy()

    return grad_cam_at


def _q5_by_helper(model, image, layer_name):
    return grad_cam(model, image, layer_name, class_index=1).heatmap  # with the logit: same up to a factor


Q5_WRONG = {
    "always the last convolution": _q5_make(layer="last"),
    "no ReLU": _q5_make(relu=False),
    "maps not weighted": _q5_make(weights="none"),
    "gradient times maps, position by position": _q5_make(weights="elementwise"),
    "the other class": _q5_make(score="1 - p"),
    "batch axis kept": _q5_make(squeeze=False),
    "averaged over the batch axis and the rows": _q5_make(weights="batch and rows"),
    "resized to the image": _q5_make(resize=True),
}


CASES = {
    "q1": Cases(
        right=[[None, 46, 46, 64], (None, np.int64(46), 46, 64)],
        mistakes=[
            (
                (46, 46, 64),
                "(46, 46, 64) is right for one image, but Keras writes the batch axis first: (None, 46, 46, 64).",
            ),
            (
                (1, 46, 46, 64),
                "the batch axis is 1, but a model takes batches of any size, so Keras writes None there.",
            ),
            (
                (None, 46, 45, 64),
                "the input is square and every layer treats height and width alike, so they are equal.",
            ),
            (
                (None, 40, 40, 64),
                (
                    "entry 2 (height) is 40, which is not right. Follow the side from 200: a 3 x 3 'valid' "
                    "convolution takes 2 off, MaxPooling2D(2) halves and rounds down."
                ),
            ),
            ("(None, 46, 46, 64)", "give the shape as a tuple of 4 entries; you gave str '(None, 46, 46, 64)'."),
            (46, "give the shape as a tuple of 4 entries; you gave int 46."),
        ],
    ),
    "q2": Cases(
        right=["Pool2", " pool2"],
        mistakes=[
            (
                "dense",
                (
                    "'dense' is not one of the options; pick one of conv1, pool1, conv2, pool2, conv3, pool3, "
                    "conv4, pool4."
                ),
            ),
            (2, "answer with the layer's name as a string, such as 'conv1'; you gave int 2."),
            (None, "answer with the layer's name as a string, such as 'conv1'; you gave NoneType None."),
        ],
    ),
    "q3": Cases(
        right=[[0.2, -0.1, 0.3], (0.2, -0.1, 0.3)],
        mistakes=[
            (
                [0.2, 0.1, 0.3],
                (
                    "Your array of weights has the right shape, but 1 of its 3 values differs; the first is at "
                    "index (1,): you have 0.1, expected -0.1."
                ),
            ),
            (
                "0.2, -0.1, 0.3",
                (
                    "Your array of weights should be an array of numbers, such as np.array([0.1, 0.2, 0.3]); you "
                    "gave str '0.2, -0.1, 0.3'."
                ),
            ),
            ([0.2, -0.1], "Your array of weights has shape (2,) but should have shape (3,)."),
        ],
    ),
    "q4": Cases(
        right=[[[0.2, 0.0], [0.3, 0.6]]],
        mistakes=[
            (
                [[0.2, 0.0], [0.3, 0.5]],
                (
                    "The heatmap has the right shape, but 1 of its 4 values differs; the first is at index (1, 1): "
                    "you have 0.5, expected 0.6."
                ),
            ),
            (
                "heatmap",
                (
                    "The heatmap should be an array of numbers, such as np.array([[0.1, 0.2], [0.3, 0.4]]); you "
                    "gave str 'heatmap'."
                ),
            ),
            ([0.2, 0.0, 0.3, 0.6], "The heatmap has shape (4,) but should have shape (2, 2)."),
        ],
    ),
    "q5": Cases(
        right=[_q5_make(), _q5_by_helper],
        wrong=["grad_cam_at"],
        mistakes=[
            (
                Q5_WRONG["always the last convolution"],
                (
                    'for layer_name="conv2" the heatmap has shape (5, 5), the size of conv3\'s maps; it '
                    "should have the size of conv2's maps, (15, 15). Take the maps of "
                    "model.get_layer(layer_name)."
                ),
            ),
            (
                Q5_WRONG["no ReLU"],
                "the heatmap at conv1 has negative values; Grad-CAM keeps only what speaks for the "
                "class: ReLU of the weighted sum, tf.nn.relu(...).",
            ),
            (
                Q5_WRONG["maps not weighted"],
                "at conv2 the heatmap has the right shape (15, 15) but another pattern (scaled to "
                "its maximum, it differs most at position (7, 9)). Check the weights: one per "
                "channel, the gradient averaged over all positions (axes 1 and 2 of the gradient, "
                "whose axis 0 is the batch), then the weighted sum of the maps over the channels.",
            ),
            (
                Q5_WRONG["gradient times maps, position by position"],
                "at conv2 the heatmap has the right shape (15, 15) but another pattern (scaled to "
                "its maximum, it differs most at position (10, 8)). Check the weights: one per "
                "channel, the gradient averaged over all positions (axes 1 and 2 of the gradient, "
                "whose axis 0 is the batch), then the weighted sum of the maps over the channels.",
            ),
            (
                Q5_WRONG["the other class"],
                "at conv2 this is the heatmap of class 0 (horses, score 1 - p); the task asks for "
                "humans, the class whose probability the sigmoid gives: differentiate p itself.",
            ),
            (
                Q5_WRONG["batch axis kept"],
                "the heatmap has shape (1, 15, 15), with the batch axis still in front; return the "
                "map of the one image, shape (15, 15): maps[0].",
            ),
            (
                Q5_WRONG["averaged over the batch axis and the rows"],
                "at conv2 the weights are not one per channel. The gradient has the shape of the maps, "
                "(1, 15, 15, 16), with the batch axis first, so averaging it over axes (0, 1) averages "
                "over the batch and the rows and leaves one weight per column and channel. Average over "
                "the positions, axes 1 and 2: tf.reduce_mean(grads, axis=(1, 2)); or drop the batch axis "
                "first, grads[0], and then average over axes (0, 1).",
            ),
            (
                Q5_WRONG["resized to the image"],
                'for layer_name="conv2" the heatmap has shape (36, 36), the size of the image: you scaled '
                "it up to the image, which is only for drawing it over the picture (as inspection.overlay "
                "does). Return it at the size of conv2's maps, (15, 15), before any resizing.",
            ),
        ],
    ),
}
