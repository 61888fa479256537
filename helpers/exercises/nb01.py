"""Exercises of notebook 01 (convolution math): output size, parameter count, conv2d_single, matrix shape."""

from __future__ import annotations

import numpy as np

from .. import reference
from .framework import Function, Number, Shape, Wrong, code_of

# --------------------------------------------------------------------------- q1: output size

q1 = Number(
    reference.output_size(64, 5, stride=2),  # 30
    title="output size of a strided convolution",
    what="The output height",
    whole=True,
    why="The size formula rounds the division down: floor((n + 2p - k) / s) + 1.",
    praise="floor((64 - 5) / 2) + 1 = floor(29.5) + 1 = 30.",
    mistakes=[
        (
            60,
            "60: that is the output for a stride of 1 (64 - 5 + 1). With a stride of 2 the window jumps "
            "two pixels at a time, so divide by the stride.",
        ),
        (29, "29: you are one short: add 1, because the window's first position (at the top) counts too."),
        (
            31,
            "31: you rounded (64 - 5) / 2 = 29.5 up; the formula rounds down (a window that would stick "
            "out of the image is not used).",
        ),
        (32, '32: that is what padding="same" gives (ceil(64 / 2)). With padding="valid" there is no padding: p = 0.'),
    ],
    otherwise="Use floor((n + 2p - k) / s) + 1 with n = 64, p = 0, k = 5, s = 2.",
    hint=(
        "Use $\\lfloor (n + 2p - k)/s \\rfloor + 1$. With `padding='valid'` there is no padding "
        "($p = 0$); $\\lfloor x \\rfloor$ rounds down."
    ),
    solution=(
        "$\\lfloor (64 + 0 - 5)/2 \\rfloor + 1 = \\lfloor 29.5 \\rfloor + 1 = 30$. In code: "
        "`(64 - 5) // 2 + 1`, or `reference.output_size(64, 5, stride=2)`."
    ),
)


# --------------------------------------------------------------------------- q2: parameter count

q2 = Number(
    reference.conv_params(5, 5, 32, 64),  # 51,264
    title="parameter count of a Conv2D layer",
    what="The parameter count",
    whole=True,
    praise="(5 * 5 * 32 + 1) * 64 = 51,264: 51,200 weights and 64 biases.",
    mistakes=[
        (51_200, "51,200: those are the weights only. Each filter also has one bias: add c_out."),
        (1_664, "1,664: each filter looks at all 32 input channels, so it has 5 * 5 * 32 weights, not 5 * 5."),
        (51_232, "51,232: there is one bias per filter (per output channel, 64), not one per input channel."),
        (801, "801: that is one filter. The layer has 64 of them."),
        (10_304, "10,304: a 5 x 5 kernel has 5 * 5 = 25 weights per input channel, not 5."),
        (25_632, "25,632: the layer has 64 filters (c_out = 64); 32 is the number of input channels."),
        (
            51_264 * 28 * 28,
            "40,190,976 is far too many. The count does not depend on the image size (28 x 28): "
            "the same weights slide over every position.",
        ),
    ],
    otherwise="Use (k_h * k_w * c_in + 1) * c_out.",
    hint=(
        "Each of the 64 filters is a $5 \\times 5 \\times 32$ block of weights plus one bias. "
        "The image size (28 x 28) and the padding do not matter."
    ),
    solution=(
        "$(k_h k_w c_\\text{in} + 1)\\,c_\\text{out} = (5 \\cdot 5 \\cdot 32 + 1) \\cdot 64 = 51{,}264$. "
        "Check it in code: `layer = keras.layers.Conv2D(64, 5, padding='same')`, "
        "`layer(keras.Input(shape=(28, 28, 32)))`, then `layer.count_params()`."
    ),
)


# --------------------------------------------------------------------------- q3: conv2d_single


def _case(index: int, image: tuple, kernel: tuple) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(100 + index)
    return rng.integers(-5, 6, size=image).astype(float), rng.integers(-3, 4, size=kernel).astype(float)


Q3_CASES = [
    _case(i, *shapes)
    for i, shapes in enumerate(
        [((6, 6), (3, 3)), ((5, 7), (3, 3)), ((7, 5), (2, 3)), ((4, 4), (4, 4)), ((9, 8), (1, 1))]
    )
]
"""(image, kernel) pairs the learner's function is run on, in this order."""


def _solution(image, kernel):
    kh, kw = kernel.shape
    out_h = image.shape[0] - kh + 1
    out_w = image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


def _one_short(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return _solution(image, kernel)[: image.shape[0] - kernel.shape[0], : image.shape[1] - kernel.shape[1]]


q3 = Function(
    _solution,
    stub="conv2d_single",
    cases=Q3_CASES,
    title="write conv2d_single",
    praise="it agrees with the reference on 5 images and kernels of different shapes.",
    mistakes=[
        (
            lambda image, kernel: reference.convolve2d(image, kernel),
            "your output matches mathematical convolution: the kernel is flipped. Deep learning 'convolution' "
            "is cross-correlation: multiply each window by the kernel as it is, kernel[0, 0] with the window's "
            "top-left pixel.",
        ),
        (
            lambda image, kernel: _solution(image, kernel.T if kernel.shape[0] == kernel.shape[1] else kernel),
            "your output matches the kernel transposed: rows and columns of the kernel are swapped somewhere.",
        ),
        (
            lambda image, kernel: reference.correlate2d(image, kernel, padding="same"),
            "your output has the image's shape, as with 'same' padding; 'valid' keeps only the positions "
            "where the whole kernel fits: n - k + 1 along each axis.",
        ),
        (
            _one_short,
            "your loops stop one position too early: there are n - k + 1 positions along each "
            "axis, so use range(n - k + 1).",
        ),
        (
            lambda image, kernel: _solution(image, np.ones_like(kernel)),
            "your output is the plain sum of each window: multiply the window by the kernel element-wise "
            "before summing.",
        ),
    ],
    otherwise="Output [i, j] is the sum of image[i:i+k_h, j:j+k_w] * kernel, with n - k + 1 positions along each axis.",
    hint=(
        "The output has $H - k_h + 1$ rows and $W - k_w + 1$ columns. Make it with `np.zeros`, "
        "then loop over `i` and `j`: `out[i, j]` is the sum of "
        "`image[i:i + kh, j:j + kw] * kernel`. Do not flip the kernel."
    ),
    solution="one output value per window position:\n\n" + code_of(_solution, "conv2d_single"),
)


# --------------------------------------------------------------------------- q4: convolution matrix shape


def _explain_q4(shape: tuple) -> None:
    if len(shape) == 2 and shape[1] == 9:
        raise Wrong(f"{shape}: the columns are the input pixels (10 * 10 of them), not the kernel's 9 weights.")
    if len(shape) == 2 and shape[0] == 100:
        raise Wrong(f"{shape}: with 'valid' padding the output is 8 x 8, so M has 64 rows, not 100.")


q4 = Shape(
    reference.convolution_matrix(np.ones((3, 3)), (10, 10)).shape,  # (64, 100)
    title="shape of the convolution matrix",
    axes=("rows", "columns"),
    praise="64 rows (one per output pixel of the 8 x 8 result) and 100 columns (one per input pixel).",
    mistakes=[
        (
            (100, 64),
            "(100, 64) is transposed: M @ x multiplies the 100 flattened input pixels, so M has 100 "
            "columns, and it makes one row per output pixel.",
        ),
        (
            (8, 8),
            "(8, 8) is the shape of the output image. M has one row per output pixel and one column per input pixel.",
        ),
    ],
    explain=_explain_q4,
    otherwise="The 'valid' output is (10 - 3 + 1) x (10 - 3 + 1); M has one row per output pixel and one "
    "column per input pixel.",
    hint=(
        "`M @ x` takes the flattened image (how many numbers?) and returns the flattened output "
        "(how many numbers for an $8 \\times 8$ result?)."
    ),
    solution=(
        "The output is $8 \\times 8 = 64$ pixels and the input $10 \\times 10 = 100$, so "
        "`M.shape == (64, 100)`; check with "
        "`reference.convolution_matrix(np.ones((3, 3)), (10, 10)).shape`."
    ),
)
