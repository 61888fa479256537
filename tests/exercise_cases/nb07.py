"""Answers to test the exercises of notebook 07 with (see ``__init__.py``)."""

from __future__ import annotations

import keras
import numpy as np

from helpers.exercises.nb07 import _q4_solution

from . import Cases


def _q4_model(
    *, first_padding="same", head="average", filters=(16, 32, 64), bias=True, softmax=True, extra_dense=False
):
    layers = [
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(filters[0], 3, padding=first_padding, activation="relu", use_bias=bias),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(filters[1], 3, activation="relu", use_bias=bias),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(filters[2], 3, activation="relu", use_bias=bias),
        {
            "average": keras.layers.GlobalAveragePooling2D,
            "max": keras.layers.GlobalMaxPooling2D,  # also one number per channel: accepted
            "flatten": keras.layers.Flatten,
        }[head](),
    ]
    if extra_dense:
        layers.append(keras.layers.Dense(64, activation="relu"))
    layers.append(keras.layers.Dense(10, activation="softmax" if softmax else None))
    return keras.Sequential(layers)


Q4_WRONG = {
    "valid padding first": lambda: _q4_model(first_padding="valid"),
    "Flatten instead of global average pooling": lambda: _q4_model(head="flatten"),
    "32 filters in the last convolution": lambda: _q4_model(filters=(16, 32, 32)),
    "no biases": lambda: _q4_model(bias=False),
    "no softmax": lambda: _q4_model(softmax=False),
    "an extra dense layer": lambda: _q4_model(extra_dense=True),
}


def _q5_flat_input(x, y):  # a model for (28, 28) images
    model = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x[..., 0], y, epochs=1, verbose=0)
    return model


def _q5_too_short(x, y):  # a tiny network trained one epoch with plain SGD: far below the target
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=256, verbose=0)
    return model


def _q5_untrained(x, y):
    return _q4_solution()


def _q5_no_return(x, y):  # trains, but forgets to return the model
    model = _q4_solution()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x[:64], y[:64], epochs=1, verbose=0)


def _q5_wrong_loss(x, y):  # categorical cross-entropy on integer labels raises inside fit
    model = _q4_solution()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    return model


CASES = {
    "q1": Cases(
        right=[2304.0, np.int64(2304)],
        mistakes=[
            (
                2305,
                (
                    "2,305 is not right. Follow one side: a 3 x 3 'valid' convolution gives n - 2, MaxPooling2D(2) "
                    "gives floor(n / 2); then multiply side x side x channels."
                ),
            ),
            ("2304", "The flatten size should be a number, such as 1600, but you gave str '2304'."),
            (2304.5, "The flatten size is a whole number, but you gave 2,304.5. It counts values."),
            (None, "The flatten size should be a number, such as 1600, but you gave NoneType None."),
        ],
    ),
    "q2": Cases(
        right=[18496.0, np.int64(18496)],
        mistakes=[
            (18497, "18,497 is not right. Use (k * k * c_in + 1) * c_out with k = 3, c_in = 32, c_out = 64."),
            ("18,496", "The parameter count should be a number, such as 1600, but you gave str '18,496'."),
            (None, "The parameter count should be a number, such as 1600, but you gave NoneType None."),
        ],
    ),
    "q3": Cases(
        right=[[None, 30, 30, 32], (None, np.int64(30), 30, 32), (None, 30.0, 30, 32)],
        mistakes=[
            (
                (30, 30, 32),
                "(30, 30, 32) is right for one image, but Keras writes the batch axis first: (None, 30, 30, 32).",
            ),
            (
                (1, 30, 30, 32),
                "the batch axis is 1, but a model takes batches of any size, so Keras writes None there.",
            ),
            (
                (None, 30, 31, 32),
                "the input is square and every layer treats height and width alike, so they are equal.",
            ),
            ("(None, 30, 30, 32)", "give the shape as a tuple of 4 entries; you gave str '(None, 30, 30, 32)'."),
            (30, "give the shape as a tuple of 4 entries; you gave int 30."),
            ((None, 30, 30, 64), "64 channels is not right: a Conv2D outputs one channel per filter."),
            (
                (None, 28, 28, 32),
                (
                    "entry 2 (height) is 28, which is not right. Follow the side: 'same' keeps the size, "
                    "MaxPooling2D(2) halves it, a 3 x 3 'valid' convolution takes 2 off."
                ),
            ),
        ],
    ),
    "q4": Cases(
        right=[lambda: _q4_model(), lambda: _q4_model(head="max")],
        wrong=["build_small_cnn"],
        mistakes=[
            (
                Q4_WRONG["valid padding first"],
                (
                    "step 1 of the chain, layer 1 (Conv2D), turns (None, 28, 28, 1) into (None, 26, 26, "
                    "16), but the chain has (None, 28, 28, 16): the first convolution keeps the side 28: "
                    'give it padding="same".'
                ),
            ),
            (
                Q4_WRONG["Flatten instead of global average pooling"],
                "step 6 of the chain, layer 6 (Flatten), turns (None, 4, 4, 64) into (None, 1024), "
                "but the chain has (None, 64): Flatten lays the 4 x 4 x 64 maps out in 1,024 values; "
                "global average pooling (keras.layers.GlobalAveragePooling2D) keeps one mean per "
                "channel: 64.",
            ),
            (
                Q4_WRONG["32 filters in the last convolution"],
                "step 5 of the chain, layer 5 (Conv2D), turns (None, 6, 6, 32) into (None, 4, 4, "
                "32), but the chain has (None, 4, 4, 64): this layer gives 32 channels where the "
                "chain has 64: check its number of filters.",
            ),
            (
                Q4_WRONG["no biases"],
                "the shapes are right, but the model has 23,834 parameters instead of 23,946 (Conv2D "
                "144, Conv2D 4,608, Conv2D 18,432, Dense 650): keep the biases (use_bias=True, the "
                "default).",
            ),
            (
                Q4_WRONG["no softmax"],
                (
                    "the shapes and the parameters are right, but the outputs are not probabilities: "
                    'give the last Dense layer activation="softmax".'
                ),
            ),
            (
                Q4_WRONG["an extra dense layer"],
                "the shapes are right, but the model has 28,106 parameters instead of 23,946 (Conv2D "
                "160, Conv2D 4,640, Conv2D 18,496, Dense 4,160, Dense 650): add no layer with weights "
                "beyond the three Conv2D and the output Dense(10).",
            ),
        ],
    ),
    "q5": Cases(
        wrong=[_q5_flat_input, _q5_too_short, _q5_wrong_loss, "train_clothes"],
        mistakes=[
            (
                _q5_untrained,
                "the model was never trained: call model.fit(x, y, ...) inside your function before "
                "returning the model.",
            ),
            (_q5_no_return, "train_clothes(x, y) returned None: end it with `return model`."),
        ],
    ),
}
