"""Answers to test the exercises of notebook 08 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from helpers.exercises.nb08 import Q4_BATCH, Q4_IMAGES

from . import Cases

SEED = 42  # the seed of the shuffles


def _q4_pipeline(
    *,
    round_first=True,
    cache=True,
    shuffle="after cache",
    batch=Q4_BATCH,
    to_float=True,
    scale=False,
    scale_first=False,
    buffer_from_length=False,
):
    """A pipeline function with one thing changed (for the checker's tests)."""
    import tensorflow as tf

    def pipeline(images, training):
        if round_first:
            divisor = 255.0 if scale_first else 1.0
            images = images.map(lambda image, label: (tf.cast(tf.round(image / divisor), tf.uint8), label))
        else:
            images = images.map(lambda image, label: (tf.cast(image, tf.uint8), label))
        if training and shuffle == "before cache":
            images = images.shuffle(Q4_IMAGES, seed=SEED, reshuffle_each_iteration=False)
        if cache:
            images = images.cache()
        if training and shuffle == "after cache":
            images = images.shuffle(len(images) if buffer_from_length else Q4_IMAGES, seed=SEED)
        if shuffle == "always":
            images = images.shuffle(Q4_IMAGES, seed=SEED)
        images = images.batch(batch)
        if training and shuffle == "batches":
            images = images.shuffle(8, seed=SEED)
        if to_float:
            images = images.map(lambda b, labels: (tf.cast(b, tf.float32) / (255.0 if scale else 1.0), labels))
        return images.prefetch(tf.data.AUTOTUNE)

    return pipeline


Q4_WRONG = {
    "no rounding": _q4_pipeline(round_first=False),
    "no cache": _q4_pipeline(cache=False),
    "shuffle before the cache": _q4_pipeline(shuffle="before cache"),
    "no shuffle": _q4_pipeline(shuffle="never"),
    "validation shuffled too": _q4_pipeline(shuffle="always"),
    "whole batches shuffled": _q4_pipeline(shuffle="batches"),
    "batches of 16": _q4_pipeline(batch=16),
    "left as uint8": _q4_pipeline(to_float=False),
    "scaled to [0, 1]": _q4_pipeline(scale=True),
    "scaled to [0, 1] before the uint8 cast": _q4_pipeline(scale_first=True),
}


CASES = {
    "q1": Cases(
        right=[42.0, np.int64(42)],
        mistakes=[
            (
                41.67,
                (
                    "41.6667 is 2,000 / 48, but a step processes a whole batch: there is no two-thirds of a step. "
                    "The images left over form one more, smaller batch."
                ),
            ),
            (43, "43 is not right. Steps per epoch = ceil(N / B): N = 2,000 images, B = 48 per batch."),
            (41.5, "The number of steps is a whole number, but you gave 41.5. There is one step per batch."),
            ("42", "The number of steps should be a number, such as 10, but you gave str '42'."),
            (None, "The number of steps should be a number, such as 10, but you gave NoneType None."),
            (True, "The number of steps should be a number, such as 10, but you gave bool True."),
        ],
    ),
    "q2": Cases(
        right=[256.0, np.int64(256)],
        mistakes=[
            (
                255,
                (
                    "255 is not right. Follow the side: a 3 x 3 'valid' convolution gives n - 2, MaxPooling2D(2) "
                    "gives floor(n / 2), five times; then side x side x 64."
                ),
            ),
            (
                256.5,
                (
                    "The flatten size is a whole number, but you gave 256.5. Flatten outputs a whole number of "
                    "values (height x width x channels)."
                ),
            ),
            ("256", "The flatten size should be a number, such as 1600, but you gave str '256'."),
            (None, "The flatten size should be a number, such as 1600, but you gave NoneType None."),
        ],
    ),
    "q3": Cases(
        right=[540, 5.4e2, np.float64(540.0), 514.98],
        mistakes=[
            (
                600,
                (
                    "600 is not right. Multiply images x height x width x channels x bytes per value, then divide "
                    "by 1,000,000."
                ),
            ),
            ("540", "The memory in megabytes should be a number, such as 100, but you gave str '540'."),
            (None, "The memory in megabytes should be a number, such as 100, but you gave NoneType None."),
        ],
    ),
    "q4": Cases(
        # len(images): the input has a known length, as image_dataset_from_directory's has
        right=[_q4_pipeline(), _q4_pipeline(buffer_from_length=True)],
        wrong=["pipeline"],
        mistakes=[
            (
                Q4_WRONG["no rounding"],
                "a pixel value of 0.6 became 0: tf.cast to uint8 cuts the fraction off. Round first: "
                "tf.cast(tf.round(image), tf.uint8).",
            ),
            (
                Q4_WRONG["no cache"],
                "two epochs read the 70 images 140 times; cache() the rounded uint8 images, so that "
                "the files are read and decoded only once.",
            ),
            (
                Q4_WRONG["shuffle before the cache"],
                "both epochs brought the images in the same order: a shuffle before cache() is "
                "frozen into the cache. Shuffle after cache(), so that every epoch is drawn anew.",
            ),
            (
                Q4_WRONG["no shuffle"],
                "with training=True the images come out in their original order; shuffle them: "
                ".shuffle(1_000, seed=SEED) after the cache.",
            ),
            (
                Q4_WRONG["validation shuffled too"],
                "with training=False the images came out in another order; shuffle the training "
                "images only (the validation set needs no shuffling).",
            ),
            (
                Q4_WRONG["whole batches shuffled"],
                "whole batches were shuffled (the images of a batch stay together, in their original "
                "order); shuffle single images, before .batch().",
            ),
            (
                Q4_WRONG["batches of 16"],
                "70 images came out in batches of [16, 16, 16, 16, 6]; expected batches of 32 (the "
                "last one smaller): .batch(32).",
            ),
            (
                Q4_WRONG["left as uint8"],
                "the batches hold uint8 values; the model takes float32: after batching, map the "
                "uint8 batch back with tf.cast(batch, tf.float32).",
            ),
            (
                Q4_WRONG["scaled to [0, 1]"],
                "the pixel values were divided by 255; leave them from 0 to 255, because the model "
                "scales them itself with Rescaling(1 / 255).",
            ),
            (
                Q4_WRONG["scaled to [0, 1] before the uint8 cast"],
                "the pixel values were divided by 255 before they were stored as uint8, which holds "
                "whole numbers only, so every value 0 to 255 became 0 or 1. Leave them from 0 to 255: "
                "the model scales them itself with Rescaling(1 / 255).",
            ),
        ],
    ),
}
