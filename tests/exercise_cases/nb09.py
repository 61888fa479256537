"""Answers to test the exercises of notebook 09 with (see ``__init__.py``)."""

from __future__ import annotations

import keras
import numpy as np

from . import Cases


class _AlwaysFlip(keras.layers.Layer):
    """A random left-right flip that ignores ``training``: random at inference too."""

    def call(self, images, training=None):
        import tensorflow as tf

        return tf.map_fn(tf.image.random_flip_left_right, images)


class _FixedFlip(keras.layers.Layer):
    """Flips every image in training: always the same change, nothing random."""

    def call(self, images, training=None):
        return images[:, :, ::-1, :] if training else images


Q4_WRONG = {
    "rescaling inside": lambda: keras.Sequential(
        [keras.layers.Rescaling(1 / 255), keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.05)]
    ),
    "vertical flips": lambda: keras.Sequential(
        [keras.layers.RandomFlip("horizontal_and_vertical"), keras.layers.RandomRotation(0.05)]
    ),
    "upside down only": lambda: keras.Sequential(
        [keras.layers.RandomFlip("vertical"), keras.layers.RandomRotation(0.05)]
    ),
    "half turns": lambda: keras.Sequential([keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.5)]),
    "no rotation": lambda: keras.Sequential([keras.layers.RandomFlip("horizontal")]),
    "random at inference": lambda: keras.Sequential([_AlwaysFlip(), keras.layers.RandomRotation(0.05)]),
    "not random": lambda: keras.Sequential([_FixedFlip()]),
    "a list": lambda: [keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.05)],
}


CASES = {
    "q1": Cases(
        right=[3_211_776.0, np.int64(3_211_776)],
        mistakes=[
            (
                3_211_777,
                (
                    "3,211,777 is not right. First follow the side (a 3 x 3 'valid' Conv2D takes 2 off, "
                    "MaxPooling2D(2) halves and rounds down) to get the flatten size, then use (n_in + 1) * n_out."
                ),
            ),
            ("3211776", "The parameter count should be a number, such as 1000, but you gave str '3211776'."),
            (3_211_776.5, "The parameter count is a whole number, but you gave 3,211,776.5. It counts weights."),
            (None, "The parameter count should be a number, such as 1000, but you gave NoneType None."),
        ],
    ),
    "q2": Cases(
        right=[["F", "E", "C", "A"], "ACEF", "a, c, e, f", frozenset("ACEF")],
        wrong=[set(), set("ABCDEFG"), "ACEFX", {"AC", "E"}, 3, None],
        mistakes=[
            (
                {"A", "B", "C", "E", "F"},
                "B (vertical flip): an upside-down cat is still a cat, but photos of pets are taken "
                "upright, so the model would spend its capacity on images it never meets.",
            ),
            (
                {"A", "C", "D", "E", "F"},
                "D (up to 180 degrees): pets standing on their heads are as rare as upside-down "
                "photos; small rotations (C) imitate a tilted camera, large ones do not.",
            ),
            (
                {"A", "C", "E", "F", "G"},
                "G (a 24 x 24 patch of 150 x 150): such a small crop often shows only fur, grass or "
                "a sofa, so the label may no longer be visible in the image.",
            ),
            (
                {"A", "C", "E"},
                "One more option suits these photos: for each option you left out, ask again whether "
                "another photo of a pet could look like that, with the label still true.",
            ),
            (
                {"A"},
                "Three more options suit these photos: for each option you left out, ask again whether "
                "another photo of a pet could look like that, with the label still true.",
            ),
            (
                {"B", "C", "E", "F"},
                "B (vertical flip): an upside-down cat is still a cat, but photos of pets are taken "
                "upright, so the model would spend its capacity on images it never meets. One more "
                "option suits these photos: for each option you left out, ask again whether another "
                "photo of a pet could look like that, with the label still true.",
            ),
        ],
    ),
    "q3": Cases(
        right=[["Overfitting", "Underfitting"], ("over-fitting", "under_fitting"), ("overfit", "underfit")],
        wrong=[
            ("good fit", "good fit"),
            "overfitting, underfitting",
            ("overfitting",),
            ("overfitting", "sideways"),
            (1, 2),
            None,
        ],
        mistakes=[
            (
                ("underfitting", "overfitting"),
                "you swapped the two runs. Which one has a large gap between training and validation?",
            ),
            (
                ("overfitting", "good fit"),
                "Run B is not 'good fit': training and validation accuracy are close, but both are "
                "low (0.66 after 6 epochs) and still rising: the model has not learned enough yet.",
            ),
            (
                ("good fit", "underfitting"),
                "Run A is not 'good fit': its training accuracy reaches 0.98, but validation stops "
                "at about 0.70 and even falls: a gap of almost 0.3 that grows with every epoch.",
            ),
            (
                ("overfitting", "overfitting"),
                "Run B is not 'overfitting': training and validation accuracy are close, but both "
                "are low (0.66 after 6 epochs) and still rising: the model has not learned enough "
                "yet.",
            ),
            (
                ("underfitting", "underfitting"),
                "Run A is not 'underfitting': its training accuracy reaches 0.98, but validation "
                "stops at about 0.70 and even falls: a gap of almost 0.3 that grows with every epoch.",
            ),
        ],
    ),
    "q4": Cases(
        right=[
            lambda: keras.Sequential([keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation((-0.1, 0.1))]),
        ],
        wrong=["make_augmentation"],
        mistakes=[
            (
                Q4_WRONG["rescaling inside"],
                "at inference (training=False) the block changes the images: layer 1 (Rescaling) "
                "changes them. At inference an augmentation block must pass them through unchanged; "
                "use only Keras' Random* layers and keep preprocessing such as Rescaling out of it.",
            ),
            (
                Q4_WRONG["vertical flips"],
                (
                    'RandomFlip("horizontal_and_vertical") flips photos left-right and also upside down, '
                    'and pets are not photographed upside down; use RandomFlip("horizontal").'
                ),
            ),
            (
                Q4_WRONG["upside down only"],
                (
                    'RandomFlip("vertical") flips photos upside down only, never left-right, and pets are '
                    'not photographed upside down; use RandomFlip("horizontal").'
                ),
            ),
            (
                Q4_WRONG["half turns"],
                "RandomRotation(0.5) turns photos by up to 180 degrees; the factor is a fraction of "
                "a full turn, so keep it at most 0.1 (36 degrees).",
            ),
            (
                Q4_WRONG["no rotation"],
                "the block has no RandomRotation layer; add keras.layers.RandomRotation(0.05), a "
                "small tilt either way.",
            ),
            (
                Q4_WRONG["random at inference"],
                "at inference (training=False) the block changes the images: layer 1 (_AlwaysFlip) "
                "changes them. At inference an augmentation block must pass them through unchanged; "
                "use only Keras' Random* layers and keep preprocessing such as Rescaling out of it.",
            ),
            (
                Q4_WRONG["not random"],
                "two calls in training changed the images in the same way; augmentation must draw "
                "new random changes at every call (no fixed seed per call, no fixed transformation).",
            ),
            (
                Q4_WRONG["a list"],
                "make_augmentation() returned a list of layers; wrap them in one block: keras.Sequential([...]).",
            ),
        ],
    ),
}
