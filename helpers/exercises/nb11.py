"""Exercises of notebook 11 (classic architectures): the arithmetic behind the building blocks."""

from __future__ import annotations

import re
from typing import Any

import keras
import numpy as np

from .building import Code
from .building import call as _call
from .framework import LearnerError, Number, Shape, Wrong, batch_axes, code_of, numbered
from .framework import output as _output

# --------------------------------------------------------------------------- q1: separable convolution

Q1_K, Q1_C_IN, Q1_C_OUT = 3, 128, 256
Q1_DEPTHWISE = Q1_K * Q1_K * Q1_C_IN  # 1,152
Q1_POINTWISE = Q1_C_IN * Q1_C_OUT  # 32,768
Q1_EXPECTED = Q1_DEPTHWISE + Q1_POINTWISE + Q1_C_OUT  # 34,176


k, c_in, c_out = Q1_K, Q1_C_IN, Q1_C_OUT

q1 = Number(
    Q1_EXPECTED,
    title="parameters of a separable convolution",
    what="The parameter count",
    example="1000",
    whole=True,
    praise="3*3*128 + 128*256 + 256 = 1,152 + 32,768 + 256 = 34,176 (a regular Conv2D would have 295,168).",
    mistakes=numbered(
        [
            (
                Q1_DEPTHWISE + Q1_POINTWISE,
                "that is right for the weights, but the layer also has a bias per "
                "output channel (use_bias=True is the default): add 256.",
            ),
            (
                (k * k * c_in + 1) * c_out,
                "that is a regular Conv2D(256, 3): every filter has 3 x 3 x 128 weights. "
                "A separable convolution splits that into a depthwise and a pointwise step.",
            ),
            (
                k * k * c_in * c_out,
                "that is a regular 3 x 3 convolution without bias. A separable one has one "
                "3 x 3 filter per input channel, then a 1 x 1 convolution.",
            ),
            (
                Q1_DEPTHWISE,
                "that is only the depthwise step (one 3 x 3 filter per input channel). The pointwise "
                "1 x 1 convolution that mixes 128 channels into 256 comes next.",
            ),
            (
                Q1_DEPTHWISE + c_in,
                "that is a DepthwiseConv2D with its biases. SeparableConv2D adds a 1 x 1 "
                "convolution from 128 to 256 channels.",
            ),
            (
                Q1_POINTWISE,
                "that is only the pointwise 1 x 1 step. Add the depthwise 3 x 3 filters (one per input "
                "channel) and the biases.",
            ),
            (
                Q1_POINTWISE + c_out,
                "that is the pointwise step with its biases. Add the depthwise step: one 3 x 3 "
                "filter per input channel.",
            ),
            (
                Q1_DEPTHWISE + Q1_POINTWISE + c_in,
                "the bias belongs to the output channels (256), not the input channels (128).",
            ),
            (
                Q1_DEPTHWISE + Q1_POINTWISE + c_in + c_out,
                "SeparableConv2D has one bias per output channel only: the depthwise step inside it has none.",
            ),
            (
                k * k * c_out + c_out * c_in + c_out,
                "the depthwise filters run over the input channels: 3 * 3 * 128, not 3 * 3 * 256.",
            ),
        ]
    ),
    otherwise="Add the depthwise weights (k * k * c_in), the pointwise weights (c_in * c_out) and one bias "
    "per output channel.",
    hint=(
        "Two steps: a depthwise $3 \\times 3$ filter for each of the 128 input channels, then a "
        "1 x 1 convolution from 128 to 256 channels. The bias is added once per output channel."
    ),
    solution=(
        "$k^2 c_\\text{in} + c_\\text{in} c_\\text{out} + c_\\text{out} = 9 \\cdot 128 + 128 \\cdot 256 "
        "+ 256 = 1{,}152 + 32{,}768 + 256 = 34{,}176$. Check it: "
        "`layer = keras.layers.SeparableConv2D(256, 3)`, `layer(keras.Input((16, 16, 128)))`, "
        "`layer.count_params()`."
    ),
)


# --------------------------------------------------------------------------- q2: receptive field

Q2_LAYERS, Q2_K = 5, 3
Q2_EXPECTED = 1 + Q2_LAYERS * (Q2_K - 1)  # 11


q2 = Number(
    Q2_EXPECTED,
    title="receptive field of a stack",
    what="The receptive field",
    example="7",
    whole=True,
    praise="1 + 5 * (3 - 1) = 11: five 3 x 3 layers see as far as one 11 x 11 (45 C^2 weights against 121 C^2).",
    mistakes=numbered(
        [
            (
                Q2_LAYERS * Q2_K,
                "each layer adds k - 1 = 2 pixels, not 3: the layers overlap. One 3 x 3 layer sees 3, "
                "two see 5, three see 7 ...",
            ),
            (
                Q2_K**Q2_LAYERS,
                "the receptive field grows by a constant amount per layer, not by a factor: two "
                "3 x 3 layers see 5 x 5, not 9 x 9.",
            ),
            (Q2_LAYERS * (Q2_K - 1), "you forgot the centre pixel: one layer sees 3 = 1 + 2, so five see 1 + 5 * 2."),
            (Q2_EXPECTED - 2, "that is four layers. With five, add 2 once more."),
            (Q2_EXPECTED + 2, "that is six layers: start from 1 pixel and add 2 for each of the five layers."),
            (Q2_EXPECTED**2, "that is the number of pixels in the 11 x 11 square; the question asks for its width."),
            (
                Q2_LAYERS * Q2_K * Q2_K,
                "that is the number of weights per pair of channels in the stack (5 * 9); the "
                "receptive field is a width: 1 + 5 * 2.",
            ),
        ]
    ),
    otherwise="Use r = 1 + n(k - 1) with n = 5 layers and k = 3.",
    hint=("One 3 x 3 layer sees 3 pixels, two see 5, three see 7: each layer adds $k - 1$. Section 5 has the formula."),
    solution=(
        "$r_n = 1 + n(k - 1) = 1 + 5 \\cdot 2 = 11$: the stack sees an 11 x 11 square, like one "
        "11 x 11 convolution, with $5 \\cdot 9 = 45\\,C^2$ weights instead of $121\\,C^2$."
    ),
)


# --------------------------------------------------------------------------- q3: shape after a residual unit

Q3_FILTERS, Q3_STRIDES = 128, 2
Q3_EXPECTED = (None, 28, 28, 128)  # 'same' padding with stride 2: ceil(56 / 2) = 28


def _explain_q3(shape: tuple) -> None:
    batch_axes(shape, Q3_EXPECTED)
    if len(shape) == 4 and shape[3] != 128:
        raise Wrong(
            f"{shape[3]} channels is not right: the unit outputs one channel per filter, "
            f"ResidualUnit(128, ...) has 128."
        )


q3 = Shape(
    Q3_EXPECTED,
    title="output shape of a residual unit",
    axes=("batch", "height", "width", "channels"),
    praise=(
        "56 / 2 = 28 ('same' padding with stride 2), 128 filters: (None, 28, 28, 128). "
        "The skip path's 1 x 1 convolution with stride 2 gives the input the same shape."
    ),
    mistakes=[
        (
            (None, 28, 28, 64),
            "64 is the number of input channels. Both convolutions of the unit have 128 "
            "filters, and the 1 x 1 convolution on the skip path turns the input into 128 "
            "channels too, so that the two can be added.",
        ),
        (
            (None, 56, 56, 128),
            "a side of 56: the first 3 x 3 convolution of the unit has strides=2, so the side "
            "is halved: with 'same' padding, ceil(56 / 2) = 28.",
        ),
        (
            (None, 27, 27, 128),
            "a side of 27: the convolutions use padding='same': with stride 2 the side "
            "becomes ceil(56 / 2) = 28; 27 would come from 'valid' padding.",
        ),
        (
            (None, 14, 14, 128),
            "a side of 14: only the first convolution has stride 2; the second has stride 1 and keeps the side.",
        ),
        ((None, 112, 112, 128), "a side of 112: a stride of 2 halves the side, it does not double it."),
    ],
    explain=_explain_q3,
    otherwise="With padding='same' and stride 2 the side becomes ceil(56 / 2).",
    hint=(
        "The unit's first 3 x 3 convolution has `strides=2` and `padding='same'`: the side becomes "
        "$\\lceil n / 2 \\rceil$. The channels are the unit's filters; the skip path is made to match."
    ),
    solution=(
        "`(None, 28, 28, 128)`: $\\lceil 56 / 2 \\rceil = 28$, 128 filters. The skip path is a "
        "1 x 1 convolution with 128 filters and stride 2, so $F(x)$ and the skip have the same shape "
        "and can be added. Check it: `ResidualUnit(128, strides=2)(keras.Input((56, 56, 64))).shape`."
    ),
)


# --------------------------------------------------------------------------- q4: squeeze-and-excitation

Q4_C, Q4_R = 512, 16
Q4_HIDDEN = Q4_C // Q4_R  # 32
Q4_EXPECTED = (Q4_C + 1) * Q4_HIDDEN + (Q4_HIDDEN + 1) * Q4_C  # 16,416 + 16,896 = 33,312


c, h = Q4_C, Q4_HIDDEN

q4 = Number(
    Q4_EXPECTED,
    title="parameters of a squeeze-and-excitation block",
    what="The parameter count",
    example="1000",
    whole=True,
    praise="(512 + 1) * 32 + (32 + 1) * 512 = 16,416 + 16,896 = 33,312.",
    mistakes=numbered(
        [
            (
                2 * c * h,
                "those are the weights only; each of the two dense layers also has a bias per unit: 32 + 512 more.",
            ),
            (
                (c + 1) * h,
                "that is only the first dense layer (512 -> 32). The second one maps the 32 values back "
                "to 512 channel weights.",
            ),
            ((h + 1) * c, "that is only the second dense layer (32 -> 512). Add the first one, 512 -> 32."),
            ((c + 1) * c, "the hidden layer has c / r = 512 / 16 = 32 units, not 512: that is the 'squeeze'."),
            (2 * (c + 1) * c, "the hidden layer has c / r = 32 units, not 512."),
            ((c + 1) * 16 + (16 + 1) * c, "16 is the ratio r; the hidden layer has c / r = 512 / 16 = 32 units."),
            ((c + 1) * h + (h + 1) * c + c, "the final Multiply (scaling the maps) has no parameters."),
            (2 * (c + 1) * h, "the second dense layer has 512 units with 32 inputs each: (32 + 1) * 512."),
        ]
    ),
    otherwise="The block has two dense layers, c -> c/r and c/r -> c, each with a bias per unit; pooling and "
    "scaling have no parameters.",
    hint=(
        "Global average pooling and the final multiplication have no parameters. The two dense layers "
        "go from 512 to $512 / 16$ units and back to 512, each with a bias per unit."
    ),
    solution=(
        "$(c + 1)\\,c/r + (c/r + 1)\\,c = 513 \\cdot 32 + 33 \\cdot 512 = 16{,}416 + 16{,}896 = 33{,}312$. "
        "Check it: `inputs = keras.Input((7, 7, 512))`, "
        "`keras.Model(inputs, se_block(inputs)).count_params()`."
    ),
)

# ===================================================================== code exercises
# q5: the bottleneck unit (ResNet-50 and deeper). The learner writes bottleneck_unit(x, filters) in
# the functional API; the checker applies it to two inputs (64 channels: the shortcut is the input
# itself; 32 channels: the shortcut needs a 1 x 1 projection) and reads the resulting models.


Q5_SIDE = 8
Q5_FILTERS = 16
Q5_OUT = 4 * Q5_FILTERS  # 64


def _q5_params(c_in: int) -> int:
    """Parameters of the unit on c_in input channels: convolutions without bias, BN with 4 per channel."""
    f, out = Q5_FILTERS, Q5_OUT
    main = c_in * f + 9 * f * f + f * out + 4 * (f + f + out)
    projection = (c_in * out + 4 * out) if c_in != out else 0
    return main + projection


_Q5_SHAPE = re.compile(r"[\[(]((?:None|\d+)(?:, (?:None|\d+))*)[\])]")


def _q5_mismatch(problem: LearnerError, what: str, c_in: int) -> Wrong | None:
    """The Wrong for a main path and shortcut that cannot be added (Add() or +), read from the shapes
    that Keras names in its error; None when the error is another one."""
    message = str(problem.original)
    if "incompatible shapes" not in message.lower() and "cannot broadcast" not in message.lower():
        return None
    shapes = [tuple(part.split(", "))[-3:] for part in _Q5_SHAPE.findall(message)][-2:]
    sides = {shape[:2] for shape in shapes}
    channels = sorted({int(shape[2]) for shape in shapes if shape[2] != "None"})
    if len(shapes) < 2 or sides != {(str(Q5_SIDE), str(Q5_SIDE))}:
        return Wrong(
            f"{what} fails where the shortcut is added: the main path has shrunk the "
            f"{Q5_SIDE} x {Q5_SIDE} maps, so they no longer match the input; give the 3 x 3 "
            f'convolution padding="same".'
        )
    if c_in != Q5_OUT and channels == sorted({c_in, Q5_OUT}):
        return Wrong(
            f"{what} fails where the shortcut is added: the input has {c_in} channels and the "
            f"main path {Q5_OUT}, so they cannot be added. Project the shortcut first: "
            f"Conv2D({Q5_OUT}, 1, use_bias=False) + BatchNormalization."
        )
    if c_in == Q5_OUT and len(channels) == 2 and Q5_OUT in channels:
        main = next(n for n in channels if n != Q5_OUT)
        return Wrong(
            f"{what} fails where the shortcut is added: the main path ends with "
            f"{main} channels and the input has {Q5_OUT}. The last "
            f"1 x 1 convolution must expand back to 4 x filters = {Q5_OUT} channels."
        )
    return Wrong(
        f"{what} fails where the shortcut is added: the two have {' and '.join(map(str, channels))} channels. "
        f"Both must have 4 x filters = {Q5_OUT}: the last 1 x 1 convolution expands to {Q5_OUT}, and the "
        f"shortcut is the input itself or, when the input has other channels, its 1 x 1 projection to {Q5_OUT}."
    )


def _q5_build(answer, c_in: int):
    x = keras.Input((Q5_SIDE, Q5_SIDE, c_in))
    what = f"bottleneck_unit(x, {Q5_FILTERS}) on an input with {c_in} channels"
    try:
        y = _call(answer, x, Q5_FILTERS, what=what)
    except LearnerError as problem:
        mismatch = _q5_mismatch(problem, what, c_in)
        if mismatch is not None:
            raise mismatch from None
        raise
    if y is None:
        raise Wrong("bottleneck_unit returned None: end it with `return` and the output tensor.")
    if not isinstance(y, keras.KerasTensor):
        raise Wrong(
            f"bottleneck_unit should return the output tensor of its last layer (functional API), "
            f"but it returned {type(y).__name__}."
        )
    return keras.Model(x, y), what


def _q5_convs(model) -> list[tuple[int, int]]:
    return [(layer.kernel_size[0], layer.filters) for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def _q5_relu_before_add(model, what: str, x: np.ndarray) -> None:
    """Raise Wrong when a ReLU sits between the last BatchNormalization and the addition: the
    tensor it gives to the Add is then never negative (with random inputs, a convolution followed
    by BatchNormalization at its starting statistics gives negative values as often as positive)."""
    add = [op for op in model.operations if type(op).__name__ == "Add"][-1]
    for tensor in add._inbound_nodes[0].input_tensors:
        if tensor is model.inputs[0]:
            continue  # the identity shortcut: the input itself
        branch = keras.Model(model.inputs[0], tensor)
        values = _output(branch, x, training=False)
        if (values < 0).any():
            continue
        main = any(
            isinstance(layer, keras.layers.Conv2D) and tuple(layer.kernel_size) == (3, 3) for layer in branch.layers
        )
        if main:
            raise Wrong(
                f"{what}: the main path has no negative values where it meets the shortcut, so a ReLU "
                f"follows its last BatchNormalization. Leave that one without ReLU: the only ReLU after "
                f"it is the one on the sum, y = ReLU(main + shortcut)."
            )
        raise Wrong(
            f"{what}: the shortcut has no negative values where it meets the main path, so a ReLU "
            f"follows its BatchNormalization. The projection is Conv2D + BatchNormalization only; the "
            f"ReLU comes after the addition."
        )


def _check_q5(answer: Any) -> str:

    for c_in in (Q5_OUT, 32):
        model, what = _q5_build(answer, c_in)
        shape = tuple(model.outputs[0].shape)
        expected_shape = (None, Q5_SIDE, Q5_SIDE, Q5_OUT)
        if shape[1:3] != (Q5_SIDE, Q5_SIDE):
            raise Wrong(
                f'{what} gives {shape}; the unit keeps the side {Q5_SIDE}: give the 3 x 3 convolution padding="same".'
            )
        if shape[3] == Q5_FILTERS:
            raise Wrong(
                f"{what} gives {shape}: the last 1 x 1 convolution must expand back to 4 x filters = {Q5_OUT} channels."
            )
        if shape != expected_shape:
            raise Wrong(f"{what} gives {shape}, but the unit's output is {expected_shape}.")
        convs = _q5_convs(model)
        adds = [op for op in model.operations if type(op).__name__ == "Add"]  # keras.layers.Add or +
        if not adds:
            raise Wrong(
                f"{what} has no shortcut: add the unit's input to the main path with "
                f"keras.layers.Add()([main, shortcut]) before the last ReLU."
            )
        main = [conv for conv in convs if conv != (1, Q5_OUT)] + [(1, Q5_OUT)]
        if sorted(main[:2]) != sorted([(1, Q5_FILTERS), (3, Q5_FILTERS)]) or len(main) != 3:
            raise Wrong(
                f"{what} has the convolutions (kernel, filters) {convs}; the main path is "
                f"1 x 1 ({Q5_FILTERS}) -> 3 x 3 ({Q5_FILTERS}) -> 1 x 1 ({Q5_OUT})."
            )
        if main[:2] != [(1, Q5_FILTERS), (3, Q5_FILTERS)]:
            raise Wrong(
                f"{what}: the 3 x 3 convolution comes before the first 1 x 1; the 1 x 1 first reduces "
                f"the channels, so that the 3 x 3 works on {Q5_FILTERS} channels only."
            )
        projections = convs.count((1, Q5_OUT)) - 1
        if c_in == Q5_OUT and projections:
            raise Wrong(
                f"with {c_in} input channels the input already has the {Q5_OUT} channels of the output, so "
                f"the shortcut is the input itself; project it only when the channels differ."
            )
        if c_in != Q5_OUT and not projections:
            raise Wrong(f"with {c_in} input channels the shortcut needs a 1 x 1 projection to {Q5_OUT} channels.")
        norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
        if len(norms) != len(convs):
            raise Wrong(
                f"{what} has {len(convs)} convolutions but {len(norms)} BatchNormalization layers; every "
                f"convolution is followed by one."
            )
        if model.count_params() != _q5_params(c_in):
            biases = sum(1 for layer in model.layers if isinstance(layer, keras.layers.Conv2D) and layer.use_bias)
            why = (
                f" {biases} convolution(s) have a bias, which the BatchNormalization after them makes "
                f"useless: use_bias=False."
                if biases
                else ""
            )
            raise Wrong(f"{what} has {model.count_params():,} parameters, expected {_q5_params(c_in):,}.{why}")
        x = np.random.default_rng(1).normal(size=(2, Q5_SIDE, Q5_SIDE, c_in)).astype("float32")
        if (_output(model, x, training=False) < 0).any():
            raise Wrong(f"{what} can output negative values: apply ReLU after the addition, y = ReLU(main + shortcut).")
        _q5_relu_before_add(model, what, x)
    return (
        f"{_q5_params(Q5_OUT):,} parameters with the input as shortcut, {_q5_params(32):,} with a projection "
        f"from 32 channels. A 3 x 3 convolution from 64 to 64 channels alone would have "
        f"{9 * 64 * 64:,} weights: the bottleneck does its 3 x 3 work on {Q5_FILTERS} channels."
    )


def _q5_solution(x, filters):
    shortcut = x
    y = keras.layers.Conv2D(filters, 1, use_bias=False)(x)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.Conv2D(4 * filters, 1, use_bias=False)(y)
    y = keras.layers.BatchNormalization()(y)
    if x.shape[-1] != 4 * filters:  # the channels differ: project the shortcut
        shortcut = keras.layers.Conv2D(4 * filters, 1, use_bias=False)(x)
        shortcut = keras.layers.BatchNormalization()(shortcut)
    return keras.layers.Activation("relu")(keras.layers.Add()([y, shortcut]))


q5 = Code(
    _check_q5,
    answer=_q5_solution,
    stub="bottleneck_unit",
    title="the bottleneck unit",
    hint="Keep the input in a variable before the main path. Each convolution: "
    "keras.layers.Conv2D(n, k, use_bias=False), then BatchNormalization(), then "
    'Activation("relu") for the first two; the 3 x 3 needs padding="same". Compare x.shape[-1] '
    "with 4 * filters to decide on the projection. Finish with "
    'Activation("relu")(Add()([main, shortcut])).',
    solution=code_of(_q5_solution, "bottleneck_unit"),
)
