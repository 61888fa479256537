"""Exercises of notebook 08 (horses or humans): steps per epoch, shapes of a deep stack, cache memory."""

from __future__ import annotations

import math

import numpy as np

from .. import reference
from .building import Code
from .building import call as _call
from .framework import Number, Wrong, code_of

# --------------------------------------------------------------------------- q1: steps per epoch

Q1_IMAGES, Q1_BATCH = 2000, 48
Q1_EXPECTED = math.ceil(Q1_IMAGES / Q1_BATCH)  # 42: 41 full batches and one of 32

q1 = Number(
    Q1_EXPECTED,
    title="steps per epoch",
    what="The number of steps",
    example="10",
    whole=True,
    rel_tol=1e-3,
    why="There is one step per batch.",
    praise="2,000 / 48 = 41.67, rounded up: 42 steps, 41 full batches of 48 and a last one of 32 images.",
    mistakes=[
        (
            Q1_IMAGES / Q1_BATCH,
            "41.6667 is 2,000 / 48, but a step processes a whole batch: there is no "
            "two-thirds of a step. The images left over form one more, smaller batch.",
        ),
        (
            Q1_IMAGES // Q1_BATCH,
            "41: that rounds down, and would leave the last 32 images out of every epoch. "
            "The leftover images form one more, smaller batch: round up.",
        ),
        (Q1_IMAGES, "2,000: that is the number of images. A step processes a whole batch of 48 images at once."),
        (Q1_BATCH, "48 is the batch size, the number of images per step. How many batches do 2,000 images fill?"),
        (Q1_IMAGES * Q1_BATCH, "96,000: multiplying goes the wrong way: divide the images by the batch size."),
        (math.ceil(Q1_IMAGES / 32), "63: that is for batch size 32 (the notebook's). Here the batch size is 48."),
        (math.ceil(1027 / Q1_BATCH), "22: 1,027 is the horses-or-humans training set; this folder holds 2,000 images."),
    ],
    otherwise="Steps per epoch = ceil(N / B): N = 2,000 images, B = 48 per batch.",
    hint="One step per batch. Divide the number of images by the batch size; what happens to the images left over?",
    solution=(
        "$\\lceil 2000 / 48 \\rceil = \\lceil 41.67 \\rceil = 42$: 41 full batches of 48 "
        "and a last batch of $2000 - 41 \\cdot 48 = 32$ images. In code: `math.ceil(2000 / 48)`."
    ),
)


# --------------------------------------------------------------------------- q2: five blocks at 150 px

Q2_SIZE, Q2_BLOCKS, Q2_CHANNELS = 150, 5, 64


def _sides(n: int, blocks: int, *, padding: str = "valid", round_up: bool = False) -> list[int]:
    sides = [n]
    for _ in range(blocks):
        conv = (
            reference.output_size(sides[-1], 3, padding=1) if padding == "same" else reference.output_size(sides[-1], 3)
        )
        pooled = math.ceil(conv / 2) if round_up else conv // 2
        sides += [conv, pooled]
    return sides


Q2_SIDES = tuple(_sides(Q2_SIZE, Q2_BLOCKS))  # 150, 148, 74, 72, 36, 34, 17, 15, 7, 5, 2
Q2_EXPECTED = Q2_SIDES[-1] ** 2 * Q2_CHANNELS  # 2 * 2 * 64 = 256
_UP = _sides(Q2_SIZE, Q2_BLOCKS, round_up=True)[-1]
_SAME = _sides(Q2_SIZE, Q2_BLOCKS, padding="same")[-1]

q2 = Number(
    Q2_EXPECTED,
    title="flatten size of five blocks at 150 pixels",
    what="The flatten size",
    example="1600",
    whole=True,
    why="Flatten outputs a whole number of values (height x width x channels).",
    praise=(
        "150 -> 148 -> 74 -> 72 -> 36 -> 34 -> 17 -> 15 -> 7 -> 5 -> 2: the maps end at 2 x 2, so Flatten "
        "gives 2 * 2 * 64 = 256 values. That is why the 150-pixel model stops after three blocks: two more "
        "leave almost no picture."
    ),
    mistakes=[
        (
            Q2_SIDES[-1] ** 2,
            "4: that is one channel only. The last Conv2D has 64 filters, and Flatten lays out "
            "all 64 maps: multiply by 64.",
        ),
        (
            _UP * _UP * Q2_CHANNELS,
            f"{_UP * _UP * Q2_CHANNELS:,}: you rounded an odd side up when pooling "
            "(15 -> 8 or 5 -> 3). MaxPooling2D(2) drops an odd last row and column: "
            "floor(15 / 2) = 7, floor(5 / 2) = 2.",
        ),
        (
            _SAME * _SAME * Q2_CHANNELS,
            f"{_SAME * _SAME * Q2_CHANNELS:,}: that is what padding='same' gives (the "
            "side only halves: 150 -> 75 -> 37 -> 18 -> 9 -> 4). These convolutions "
            "are 'valid': each takes 2 off the side.",
        ),
        (
            Q2_SIDES[6] ** 2 * Q2_CHANNELS,
            "18,496 = 17 x 17 x 64 is the flatten size after three blocks, the "
            "model of section 6. Keep going through blocks four and five.",
        ),
        (
            Q2_SIDES[8] ** 2 * Q2_CHANNELS,
            "3,136 = 7 x 7 x 64 is the flatten size of the five-block model at 300 "
            "pixels, or you stopped before the last block. Follow 150 through all "
            "five blocks.",
        ),
        (
            Q2_SIDES[9] ** 2 * Q2_CHANNELS,
            "1,600: 5 x 5 is the output of the fifth convolution; its pooling layer still follows: floor(5 / 2) = 2.",
        ),
        (
            Q2_SIDES[-1] ** 2 * 3,
            "12: the 3 colour channels are used up by the first Conv2D; Flatten sees the last Conv2D's 64 channels.",
        ),
    ],
    otherwise="Follow the side: a 3 x 3 'valid' convolution gives n - 2, MaxPooling2D(2) gives floor(n / 2), "
    "five times; then side x side x 64.",
    hint=(
        "Follow the side: $n \\to n - 2$ for each convolution, $n \\to \\lfloor n/2 \\rfloor$ for "
        "each pooling, five times over. Then multiply side x side x the last layer's 64 channels."
    ),
    solution=(
        "$150 \\to 148 \\to 74 \\to 72 \\to 36 \\to 34 \\to 17 \\to 15 \\to 7 \\to 5 \\to 2$, so "
        "Flatten gives $2 \\cdot 2 \\cdot 64 = 256$ values. Check: "
        "`build_model(150, blocks=5).get_layer('flatten').output.shape`."
    ),
)


# --------------------------------------------------------------------------- q3: cache memory

Q3_IMAGES, Q3_SIZE, Q3_CHANNELS, Q3_BYTES = 2000, 150, 3, 4
_BYTES = Q3_IMAGES * Q3_SIZE * Q3_SIZE * Q3_CHANNELS * Q3_BYTES
Q3_EXPECTED = _BYTES / 1e6  # 540 MB

q3 = Number(
    Q3_EXPECTED,
    title="memory of a cached dataset",
    what="The memory in megabytes",
    example="100",
    rel_tol=0.01,
    praise=(
        "2,000 x 150 x 150 x 3 values x 4 bytes = 540,000,000 bytes = 540 MB. Stored as uint8 "
        "(1 byte per value), as this notebook's pipeline does, it is a quarter of that: 135 MB."
    ),
    accept=[
        (
            _BYTES / 2**20,
            "that is 540,000,000 bytes in MiB (1 MiB = 1,048,576 bytes); in MB of 1,000,000 "
            "bytes it is 540. Both are right.",
        )
    ],
    mistakes=[
        (_BYTES, "540,000,000: that is the number of bytes. The question asks for megabytes: divide by 1,000,000."),
        (_BYTES / 1e3, "540,000: that is in kilobytes: divide by 1,000 once more."),
        (_BYTES / 1e9, "0.54: that is in gigabytes (0.54 GB); the question asks for megabytes."),
        (
            _BYTES / Q3_CHANNELS / 1e6,
            "180: that leaves out the colour channels: each pixel has 3 values, red, green and blue.",
        ),
        (
            _BYTES / Q3_BYTES / 1e6,
            "135: that counts 1 byte per value, as the uint8 cache of this notebook does. "
            "The question asks for float32 values: 4 bytes each.",
        ),
        (
            _BYTES / Q3_BYTES / Q3_CHANNELS / 1e6,
            "45: that counts one byte per pixel: each pixel has 3 values, and each float32 value takes 4 bytes.",
        ),
        (_BYTES * 4 / 1e6, "2,160: that is for 300 x 300 images: at 150 x 150 each image has a quarter of the pixels."),
        (_BYTES * 2 / 1e6, "1,080: that counts 8 bytes per value (float64). The pipeline gives float32: 4 bytes."),
        (_BYTES / Q3_SIZE / 1e6, "3.6: the image has 150 x 150 pixels: multiply by the side twice."),
    ],
    otherwise="Multiply images x height x width x channels x bytes per value, then divide by 1,000,000.",
    hint="Count the values: images x height x width x colour channels. A float32 value takes 4 bytes.",
    solution=(
        "$2000 \\cdot 150 \\cdot 150 \\cdot 3 \\cdot 4 = 540{,}000{,}000$ bytes $= 540$ MB. "
        "In code: `2000 * 150 * 150 * 3 * 4 / 1e6`."
    ),
)

# ===================================================================== code exercises
# q4: a tf.data pipeline. The learner writes pipeline(images, training); the checker feeds it a
# small dataset whose every image is filled with one value that its label encodes, and reads
# back the batches: their size, dtype, values, order (shuffled in training only, anew in every
# epoch, image by image) and whether the files would be read once (the cache).

Q4_BATCH = 32
Q4_IMAGES = 70  # two full batches and one of 6
Q4_BATCHES_SHUFFLED = (
    "whole batches were shuffled (the images of a batch stay together, in their original order); "
    "shuffle single images, before .batch()."
)


def _q4_source(counter: list[int]):
    """Single (image, label) pairs: image k is 8 x 8 x 3 filled with k + 0.6, its label is [k] as float32."""
    import tensorflow as tf

    def generate():
        for k in range(Q4_IMAGES):
            counter[0] += 1
            yield np.full((8, 8, 3), k + 0.6, "float32"), np.array([k], "float32")

    # a known length, as image_dataset_from_directory gives: len(images) works in the answer
    return tf.data.Dataset.from_generator(
        generate, output_signature=(tf.TensorSpec((8, 8, 3), tf.float32), tf.TensorSpec((1,), tf.float32))
    ).apply(tf.data.experimental.assert_cardinality(Q4_IMAGES))


def _q4_epoch(dataset) -> list[tuple[np.ndarray, np.ndarray]]:
    try:
        return [(images.numpy(), labels.numpy()) for images, labels in dataset]
    except ValueError:
        raise Wrong(
            "the dataset does not yield (images, labels) pairs; keep the label next to its image "
            "in every map: lambda image, label: (..., label)."
        ) from None


def _q4_run(answer, training: bool):
    import tensorflow as tf

    counter = [0]
    result = _call(answer, _q4_source(counter), training, what=f"pipeline(images, training={training})")
    if result is None:
        raise Wrong("pipeline returned None: end it with `return images` (the dataset you built).")
    if not isinstance(result, tf.data.Dataset):
        raise Wrong(f"pipeline should return a tf.data.Dataset, but it returned {type(result).__name__}.")
    epochs = [_q4_epoch(result) for _ in range(2)]
    return epochs, counter[0]


def _check_q4(answer) -> str:
    for training in (False, True):
        epochs, reads = _q4_run(answer, training)
        first = epochs[0]
        sizes = [len(labels) for _, labels in first]
        if sizes and min(len(images.shape) for images, _ in first) != 4:
            raise Wrong(
                f"the dataset yields single images of shape {first[0][0].shape}; batch them with .batch({Q4_BATCH})."
            )
        expected = [Q4_BATCH, Q4_BATCH, Q4_IMAGES - 2 * Q4_BATCH]
        if sorted(sizes) == sorted(expected) and sizes != expected:
            raise Wrong(Q4_BATCHES_SHUFFLED)
        if sizes != expected:
            raise Wrong(
                f"{Q4_IMAGES} images came out in batches of {sizes}; expected batches of {Q4_BATCH} "
                f"(the last one smaller): .batch({Q4_BATCH})."
            )
        dtypes = {images.dtype.name for images, _ in first}
        if dtypes != {"float32"}:
            raise Wrong(
                f"the batches hold {', '.join(sorted(dtypes))} values; the model takes float32: after "
                f"batching, map the uint8 batch back with tf.cast(batch, tf.float32)."
            )
        images = np.concatenate([b for b, _ in first])
        ids = np.concatenate([labels for _, labels in first])[:, 0].astype(int)
        values = images.reshape(len(images), -1)
        if not np.all(values == values[:, :1]):
            raise Wrong(
                "the pixels of an image no longer hold the one value they had: keep the images as "
                "they are apart from rounding, and do not scale them (the model's Rescaling does)."
            )
        values = values[:, 0]
        if np.allclose(values, ids + 0.6):
            raise Wrong(
                "the pixel values are still the decoded float32 values; round them and store them as "
                "uint8 before the cache: tf.cast(tf.round(image), tf.uint8)."
            )
        if np.allclose(values, ids):
            raise Wrong(
                "a pixel value of 0.6 became 0: tf.cast to uint8 cuts the fraction off. Round first: "
                "tf.cast(tf.round(image), tf.uint8)."
            )
        if np.allclose(values, (ids + 1) / 255) or np.allclose(values, (ids + 0.6) / 255):
            raise Wrong(
                "the pixel values were divided by 255; leave them from 0 to 255, because the model "
                "scales them itself with Rescaling(1 / 255)."
            )
        if np.allclose(values, np.round((ids + 0.6) / 255)):
            raise Wrong(
                "the pixel values were divided by 255 before they were stored as uint8, which holds "
                "whole numbers only, so every value 0 to 255 became 0 or 1. Leave them from 0 to 255: "
                "the model scales them itself with Rescaling(1 / 255)."
            )
        if not np.allclose(values, ids + 1):
            raise Wrong(
                "an image no longer sits next to its own label; map image and label together: "
                "lambda image, label: (..., label)."
            )
        if reads > Q4_IMAGES:
            raise Wrong(
                f"two epochs read the {Q4_IMAGES} images {reads} times; cache() the rounded uint8 "
                f"images, so that the files are read and decoded only once."
            )
        orders = [np.concatenate([labels for _, labels in epoch])[:, 0].astype(int) for epoch in epochs]
        if not training:
            if not np.array_equal(orders[0], np.arange(Q4_IMAGES)):
                raise Wrong(
                    "with training=False the images came out in another order; shuffle the training "
                    "images only (the validation set needs no shuffling)."
                )
            continue
        if np.array_equal(orders[0], np.arange(Q4_IMAGES)):
            raise Wrong(
                "with training=True the images come out in their original order; shuffle them: "
                ".shuffle(1_000, seed=SEED) after the cache."
            )
        if np.array_equal(orders[0], orders[1]):
            raise Wrong(
                "both epochs brought the images in the same order: a shuffle before cache() is "
                "frozen into the cache. Shuffle after cache(), so that every epoch is drawn anew."
            )
        runs = [np.all(np.diff(orders[0][start : start + Q4_BATCH]) == 1) for start in (0, Q4_BATCH)]
        if all(runs):
            raise Wrong(Q4_BATCHES_SHUFFLED)
    return (
        "rounded uint8 images in a cache (read once), shuffled image by image in every training epoch, "
        "batches of 32 turned back into float32, and the validation order kept."
    )


def _q4_solution(images, training):
    import tensorflow as tf

    images = images.map(lambda image, label: (tf.cast(tf.round(image), tf.uint8), label)).cache()
    if training:
        images = images.shuffle(1_000, seed=42)  # SEED
    images = images.batch(32).map(lambda batch, labels: (tf.cast(batch, tf.float32), labels))  # BATCH_SIZE
    return images.prefetch(tf.data.AUTOTUNE)


q4 = Code(
    _check_q4,
    answer=_q4_solution,
    stub="pipeline",
    title="a tf.data pipeline",
    hint="The order of the steps matters: map (round, cast to uint8) -> cache() -> shuffle (only when "
    "training; after the cache, so that every epoch is shuffled anew) -> batch(32) -> map (cast the "
    "batch to float32) -> prefetch(tf.data.AUTOTUNE). Every map keeps the label: "
    "lambda image, label: (..., label).",
    solution=code_of(_q4_solution, "pipeline"),
)
