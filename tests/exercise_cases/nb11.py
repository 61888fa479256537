"""Answers to test the exercises of notebook 11 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from . import Cases


def _q5_make(
    *,
    order=(1, 3),
    expand=True,
    shortcut=True,
    project=True,
    final_relu=True,
    bias=False,
    padding="same",
    always_project=False,
    project_unless_four_filters=False,
    plus=False,
    relu_before_add=False,
    relu_on_projection=False,
):
    """A bottleneck_unit with one thing changed (for the checker's tests)."""
    import keras

    def conv_bn(x, filters, kernel, relu=True):
        x = keras.layers.Conv2D(filters, kernel, padding=padding if kernel == 3 else "valid", use_bias=bias)(x)
        x = keras.layers.BatchNormalization()(x)
        return keras.layers.Activation("relu")(x) if relu else x

    def bottleneck_unit(x, filters):
        out = 4 * filters if expand else filters
        keep_input = 4 * filters if project_unless_four_filters else out  # channels that need no projection
        y = conv_bn(x, filters, order[0])
        y = conv_bn(y, filters, order[1])
        y = conv_bn(y, out, 1, relu=relu_before_add)
        if shortcut:
            s = x
            if project and (always_project or x.shape[-1] != keep_input):
                s = conv_bn(x, out, 1, relu=relu_on_projection)
            y = y + s if plus else keras.layers.Add()([y, s])
        return keras.layers.Activation("relu")(y) if final_relu else y

    return bottleneck_unit


Q5_WRONG = {
    "3 x 3 first": _q5_make(order=(3, 1)),
    "no expansion": _q5_make(expand=False),
    "no expansion, projection as asked": _q5_make(expand=False, project_unless_four_filters=True),
    "no expansion, added with +": _q5_make(expand=False, project_unless_four_filters=True, plus=True),
    "no shortcut": _q5_make(shortcut=False),
    "no projection": _q5_make(project=False),
    "always a projection": _q5_make(always_project=True),
    "no final ReLU": _q5_make(final_relu=False),
    "convolutions with bias": _q5_make(bias=True),
    "valid padding": _q5_make(padding="valid"),
    "ReLU before the addition": _q5_make(relu_before_add=True),
    "ReLU on the projection": _q5_make(relu_on_projection=True),
}


CASES = {
    "q1": Cases(
        right=[34176.0, np.int64(34176)],
        mistakes=[
            (
                34177,
                (
                    "34,177 is not right. Add the depthwise weights (k * k * c_in), the pointwise weights (c_in * "
                    "c_out) and one bias per output channel."
                ),
            ),
            ("34176", "The parameter count should be a number, such as 1000, but you gave str '34176'."),
            (34176.5, "The parameter count is a whole number, but you gave 34,176.5."),
            (None, "The parameter count should be a number, such as 1000, but you gave NoneType None."),
        ],
    ),
    "q2": Cases(
        right=[11.0, np.int64(11)],
        mistakes=[
            (12, "12 is not right. Use r = 1 + n(k - 1) with n = 5 layers and k = 3."),
            (7, "7 is not right. Use r = 1 + n(k - 1) with n = 5 layers and k = 3."),
            ("11", "The receptive field should be a number, such as 7, but you gave str '11'."),
            (11.5, "The receptive field is a whole number, but you gave 11.5."),
            (None, "The receptive field should be a number, such as 7, but you gave NoneType None."),
        ],
    ),
    "q3": Cases(
        right=[[None, 28, 28, 128], (None, np.int64(28), 28, 128), (None, 28.0, 28, 128)],
        mistakes=[
            (
                (28, 28, 128),
                "(28, 28, 128) is right for one image, but Keras writes the batch axis first: (None, 28, 28, 128).",
            ),
            (
                (1, 28, 28, 128),
                "the batch axis is 1, but a model takes batches of any size, so Keras writes None there.",
            ),
            (
                (None, 28, 27, 128),
                "the input is square and every layer treats height and width alike, so they are equal.",
            ),
            (
                (None, 28, 28, 256),
                "256 channels is not right: the unit outputs one channel per filter, ResidualUnit(128, ...) has 128.",
            ),
            ("(None, 28, 28, 128)", "give the shape as a tuple of 4 entries; you gave str '(None, 28, 28, 128)'."),
            (28, "give the shape as a tuple of 4 entries; you gave int 28."),
            (
                (None, 30, 30, 128),
                (
                    "entry 2 (height) is 30, which is not right. With padding='same' and stride 2 the side becomes "
                    "ceil(56 / 2)."
                ),
            ),
        ],
    ),
    "q4": Cases(
        right=[33312.0, np.int64(33312)],
        mistakes=[
            (
                33313,
                (
                    "33,313 is not right. The block has two dense layers, c -> c/r and c/r -> c, each with a bias "
                    "per unit; pooling and scaling have no parameters."
                ),
            ),
            ("33312", "The parameter count should be a number, such as 1000, but you gave str '33312'."),
            (33312.5, "The parameter count is a whole number, but you gave 33,312.5."),
            (None, "The parameter count should be a number, such as 1000, but you gave NoneType None."),
        ],
    ),
    "q5": Cases(
        right=[_q5_make(), _q5_make(plus=True)],
        wrong=["bottleneck_unit"],
        mistakes=[
            (
                Q5_WRONG["3 x 3 first"],
                "bottleneck_unit(x, 16) on an input with 64 channels: the 3 x 3 convolution comes "
                "before the first 1 x 1; the 1 x 1 first reduces the channels, so that the 3 x 3 "
                "works on 16 channels only.",
            ),
            (
                Q5_WRONG["no expansion"],
                "bottleneck_unit(x, 16) on an input with 64 channels gives (None, 8, 8, 16): the "
                "last 1 x 1 convolution must expand back to 4 x filters = 64 channels.",
            ),
            (
                Q5_WRONG["no expansion, projection as asked"],
                "bottleneck_unit(x, 16) on an input with 64 channels fails where the shortcut is "
                "added: the main path ends with 16 channels and the input has 64. The last 1 x 1 "
                "convolution must expand back to 4 x filters = 64 channels.",
            ),
            (
                Q5_WRONG["no expansion, added with +"],
                "bottleneck_unit(x, 16) on an input with 64 channels fails where the shortcut is "
                "added: the main path ends with 16 channels and the input has 64. The last 1 x 1 "
                "convolution must expand back to 4 x filters = 64 channels.",
            ),
            (
                Q5_WRONG["no shortcut"],
                "bottleneck_unit(x, 16) on an input with 64 channels has no shortcut: add the unit's "
                "input to the main path with keras.layers.Add()([main, shortcut]) before the last "
                "ReLU.",
            ),
            (
                Q5_WRONG["no projection"],
                "bottleneck_unit(x, 16) on an input with 32 channels fails where the shortcut is "
                "added: the input has 32 channels and the main path 64, so they cannot be added. "
                "Project the shortcut first: Conv2D(64, 1, use_bias=False) + BatchNormalization.",
            ),
            (
                Q5_WRONG["always a projection"],
                "with 64 input channels the input already has the 64 channels of the output, so the "
                "shortcut is the input itself; project it only when the channels differ.",
            ),
            (
                Q5_WRONG["no final ReLU"],
                "bottleneck_unit(x, 16) on an input with 64 channels can output negative values: "
                "apply ReLU after the addition, y = ReLU(main + shortcut).",
            ),
            (
                Q5_WRONG["convolutions with bias"],
                "bottleneck_unit(x, 16) on an input with 64 channels has 4,832 parameters, expected "
                "4,736. 3 convolution(s) have a bias, which the BatchNormalization after them makes "
                "useless: use_bias=False.",
            ),
            (
                Q5_WRONG["ReLU before the addition"],
                "bottleneck_unit(x, 16) on an input with 64 channels: the main path has no negative values "
                "where it meets the shortcut, so a ReLU follows its last BatchNormalization. Leave that one "
                "without ReLU: the only ReLU after it is the one on the sum, y = ReLU(main + shortcut).",
            ),
            (
                Q5_WRONG["ReLU on the projection"],
                "bottleneck_unit(x, 16) on an input with 32 channels: the shortcut has no negative values "
                "where it meets the main path, so a ReLU follows its BatchNormalization. The projection is "
                "Conv2D + BatchNormalization only; the ReLU comes after the addition.",
            ),
            (
                Q5_WRONG["valid padding"],
                (
                    "bottleneck_unit(x, 16) on an input with 64 channels fails where the shortcut is "
                    "added: the main path has shrunk the 8 x 8 maps, so they no longer match the input; "
                    'give the 3 x 3 convolution padding="same".'
                ),
            ),
        ],
    ),
}
