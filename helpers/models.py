"""Models that more than one notebook trains.

* ``augmentation`` - the random flip, rotation, zoom, shift and contrast layers of
  notebook 09 (active only in training);
* ``compact_cnn`` - notebook 09's compact network for photos (five blocks of
  convolution, batch normalisation, ReLU and max pooling, global average pooling,
  dropout), with a softmax over ``n_classes``.

Notebook 09 builds both step by step and explains each choice; notebook 13 calls
them here so that it trains exactly the same network on any folder of classes.
"""

from __future__ import annotations

from collections.abc import Sequence

# Filters of the five blocks of the compact network (notebook 09, section 5).
COMPACT_WIDTHS = (16, 32, 64, 128, 256)
# Momentum of its batch normalisation's moving averages: 0.9 rather than Keras' 0.99, since short
# trainings need averages that catch up within an epoch or two (notebook 11, section 10).
COMPACT_MOMENTUM = 0.9


def augmentation():
    """A fresh ``keras.Sequential`` of notebook 09's augmentation layers, named ``augment``."""
    import keras

    return keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomRotation(0.07),
            keras.layers.RandomZoom(0.2),
            keras.layers.RandomTranslation(0.1, 0.1),
            keras.layers.RandomContrast(0.2),
        ],
        name="augment",
    )


def compact_cnn(size: int, n_classes: int, widths: Sequence[int] = COMPACT_WIDTHS):
    """Notebook 09's compact network for ``size`` x ``size`` RGB images with pixel values 0..255.

    Augmentation and ``Rescaling(1/255)`` are inside the model, so it takes raw pixels,
    and its output is a softmax with one unit per class.
    """
    import keras

    inputs = keras.Input(shape=(size, size, 3))
    x = augmentation()(inputs)
    x = keras.layers.Rescaling(1 / 255, name="rescale")(x)
    for block, filters in enumerate(widths, start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{block}")(x)
        x = keras.layers.BatchNormalization(momentum=COMPACT_MOMENTUM, name=f"norm{block}")(x)
        x = keras.layers.Activation("relu", name=f"relu{block}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{block}")(x)
    x = keras.layers.GlobalAveragePooling2D(name="average")(x)
    x = keras.layers.Dropout(0.3, name="dropout")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="compact")
