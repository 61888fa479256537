"""Exercises of notebook 01 (convolution math).

* ``q1`` - the output size of a strided "valid" convolution (a number)
* ``q2`` - the parameter count of a Conv2D layer (a number)
* ``q3`` - write ``conv2d_single(image, kernel)``, a "valid" cross-correlation (a function)
* ``q4`` - the shape of the convolution matrix of a small image (a pair of numbers)

Every checker names what is off ("your output has shape (4, 4) but should be
(3, 3)") instead of failing with a bare assertion. ``right`` and ``wrong`` list
answers the checkers must accept and reject; the test suite runs them.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import reference
from .framework import Exercise, Result, Wrong, _Blank, whole_number

# --------------------------------------------------------------------------- helpers




# --------------------------------------------------------------------------- q1: output size

Q1_N, Q1_K, Q1_S = 64, 5, 2
Q1_EXPECTED = reference.output_size(Q1_N, Q1_K, stride=Q1_S)  # 30


def _check_q1(answer: Any) -> str:
    value = whole_number(answer, "The output height",
                         why="The size formula rounds the division down: floor((n + 2p - k) / s) + 1.")
    if value == Q1_EXPECTED:
        return f"floor((64 - 5) / 2) + 1 = floor(29.5) + 1 = {Q1_EXPECTED}."
    known = {
        Q1_N - Q1_K + 1: "that is the output for a stride of 1 (64 - 5 + 1). With a stride of 2 "
                         "the window jumps two pixels at a time, so divide by the stride.",
        (Q1_N - Q1_K) // Q1_S: "you are one short: add 1, because the window's first position "
                               "(at the top) counts too.",
        -(-(Q1_N - Q1_K) // Q1_S) + 1: "you rounded (64 - 5) / 2 = 29.5 up; the formula rounds down "
                                       "(a window that would stick out of the image is not used).",
        -(-Q1_N // Q1_S): "that is what padding=\"same\" gives (ceil(64 / 2)). "
                          "With padding=\"valid\" there is no padding: p = 0.",
    }
    if value in known:
        raise Wrong(f"{value}: {known[value]}")
    raise Wrong(f"{value} is not right. Use floor((n + 2p - k) / s) + 1 with n = 64, p = 0, k = 5, s = 2.")


q1 = Exercise(
    name="q1",
    prompt=("A Conv2D layer with kernel_size=5, strides=2 and padding='valid' receives 64 x 64 images. "
            "How many pixels tall is its output?"),
    checker=_check_q1,
    hint_text=("Use $\\lfloor (n + 2p - k)/s \\rfloor + 1$. With `padding='valid'` there is no padding "
               "($p = 0$); $\\lfloor x \\rfloor$ rounds down."),
    solution_text=("$\\lfloor (64 + 0 - 5)/2 \\rfloor + 1 = \\lfloor 29.5 \\rfloor + 1 = 30$. In code: "
                   "`(64 - 5) // 2 + 1`, or `reference.output_size(64, 5, stride=2)`."),
    right=[30, 30.0, np.int64(30)],
    wrong=[60, 29, 31, 32, 31.5, 30.5, "30", None, 0],
)


# --------------------------------------------------------------------------- q2: parameter count

Q2_K, Q2_C_IN, Q2_C_OUT, Q2_HW = 5, 32, 64, 28
Q2_EXPECTED = reference.conv_params(Q2_K, Q2_K, Q2_C_IN, Q2_C_OUT)  # 51,264


def _check_q2(answer: Any) -> str:
    value = whole_number(answer, "The parameter count")
    k, c_in, c_out = Q2_K, Q2_C_IN, Q2_C_OUT
    if value == Q2_EXPECTED:
        return f"(5 * 5 * 32 + 1) * 64 = {Q2_EXPECTED:,}: 51,200 weights and 64 biases."
    known = {
        k * k * c_in * c_out: "those are the weights only. Each filter also has one bias: add c_out.",
        (k * k + 1) * c_out: "each filter looks at all 32 input channels, so it has 5 * 5 * 32 weights, "
                             "not 5 * 5.",
        k * k * c_in * c_out + c_in: "there is one bias per filter (per output channel, 64), "
                                     "not one per input channel.",
        k * k * c_in + 1: "that is one filter. The layer has 64 of them.",
        (k * c_in + 1) * c_out: "a 5 x 5 kernel has 5 * 5 = 25 weights per input channel, not 5.",
        (k * k * c_in + 1) * c_in: "the layer has 64 filters (c_out = 64); 32 is the number of input channels.",
    }
    if value in known:
        raise Wrong(f"{value:,}: {known[value]}")
    if value > Q2_EXPECTED * 10:
        raise Wrong(f"{value:,} is far too many. The count does not depend on the image size (28 x 28): "
                    "the same weights slide over every position. Use (k_h * k_w * c_in + 1) * c_out.")
    raise Wrong(f"{value:,} is not right. Use (k_h * k_w * c_in + 1) * c_out.")


q2 = Exercise(
    name="q2",
    prompt=("keras.layers.Conv2D(64, kernel_size=5, padding='same') receives feature maps of shape "
            "(28, 28, 32). How many trainable parameters does it have?"),
    checker=_check_q2,
    hint_text=("Each of the 64 filters is a $5 \\times 5 \\times 32$ block of weights plus one bias. "
               "The image size (28 x 28) and the padding do not matter."),
    solution_text=("$(k_h k_w c_\\text{in} + 1)\\,c_\\text{out} = (5 \\cdot 5 \\cdot 32 + 1) \\cdot 64 = 51{,}264$. "
                   "Check it in code: `layer = keras.layers.Conv2D(64, 5, padding='same')`, "
                   "`layer(keras.Input(shape=(28, 28, 32)))`, then `layer.count_params()`."),
    right=[51264, 51264.0, np.int64(51264)],
    wrong=[51200, 1664, 51232, 801, 10304, 25632, 40190976, 51265, "51,264", 51264.5],
)


# --------------------------------------------------------------------------- q3: conv2d_single

# (image shape, kernel shape) pairs the learner's function is run on, in this order.
Q3_CASES = [((6, 6), (3, 3)), ((5, 7), (3, 3)), ((7, 5), (2, 3)), ((4, 4), (4, 4)), ((9, 8), (1, 1))]


def _q3_inputs(index: int) -> tuple[np.ndarray, np.ndarray]:
    (h, w), (kh, kw) = Q3_CASES[index]
    rng = np.random.default_rng(100 + index)
    return rng.integers(-5, 6, size=(h, w)).astype(float), rng.integers(-3, 4, size=(kh, kw)).astype(float)


def _check_q3(answer: Any) -> str:
    if not callable(answer):
        raise Wrong(f"pass the function itself, `ex.q3.check(conv2d_single)`, not its result "
                    f"(you gave {type(answer).__name__}).")
    for index in range(len(Q3_CASES)):
        image, kernel = _q3_inputs(index)
        expected = reference.correlate2d(image, kernel)
        result = answer(image.copy(), kernel.copy())
        where = f"(for a {image.shape} image and a {kernel.shape} kernel)"
        if result is None:
            raise Wrong("conv2d_single returned None: did you forget the `return` at the end?")
        try:
            got = np.asarray(result, dtype=float)
        except (TypeError, ValueError):
            raise Wrong(f"conv2d_single should return an array of numbers, but it returned "
                        f"{type(result).__name__}.") from None
        if got.shape != expected.shape:
            message = f"your output has shape {got.shape} but should be {expected.shape} {where}."
            if got.shape == image.shape:
                message += (" It has the image's shape, as with 'same' padding; 'valid' keeps only the "
                            "positions where the whole kernel fits: n - k + 1 along each axis.")
            elif got.shape == tuple(n - k for n, k in zip(image.shape, kernel.shape)):
                message += (" Your loops stop one position too early: there are n - k + 1 positions "
                            "along each axis, so use range(n - k + 1).")
            elif got.shape == expected.shape[::-1]:
                message += " Rows and columns are swapped: the output has (image rows - kernel rows + 1) rows."
            else:
                message += " Along each axis there are n - k + 1 positions where the kernel fits."
            raise Wrong(message)
        if np.allclose(got, expected):
            continue
        if np.allclose(got, reference.convolve2d(image, kernel)):
            raise Wrong(f"your output matches mathematical convolution {where}: the kernel is flipped. "
                        "Deep learning 'convolution' is cross-correlation: multiply each window by the "
                        "kernel as it is, kernel[0, 0] with the window's top-left pixel.")
        if kernel.shape[0] == kernel.shape[1] and np.allclose(got, reference.correlate2d(image, kernel.T)):
            raise Wrong(f"your output matches the kernel transposed {where}: rows and columns of the "
                        "kernel are swapped somewhere.")
        if np.allclose(got, reference.correlate2d(image, np.ones_like(kernel))):
            raise Wrong(f"your output is the plain sum of each window {where}: multiply the window by "
                        "the kernel element-wise before summing.")
        bad = np.argwhere(~np.isclose(got, expected))
        first = tuple(int(i) for i in bad[0])
        raise Wrong(f"the shape is right but {len(bad)} of the {got.size} values {'differs' if len(bad) == 1 else 'differ'} {where}; the first "
                    f"is at {first}: you have {got[first]:g}, expected {expected[first]:g}. Output [i, j] "
                    "is the sum of image[i:i+k_h, j:j+k_w] * kernel.")
    return f"it agrees with the reference on {len(Q3_CASES)} images and kernels of different shapes."


class _FunctionExercise(Exercise):
    """An exercise whose answer is a function; a stub that still returns ``____`` counts as not attempted."""

    def evaluate(self, answer: Any) -> Result:
        if callable(answer):
            try:
                probe = answer(np.zeros((3, 3)), np.zeros((2, 2)))
            except Exception:  # the real check reports it
                probe = None
            if isinstance(probe, _Blank):
                return Result("blank", "your function still returns ____: write its body, then run the cell again.")
        return super().evaluate(answer)


Q3_SOLUTION_CODE = '''\
def conv2d_single(image, kernel):
    kh, kw = kernel.shape
    out_h = image.shape[0] - kh + 1
    out_w = image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out
'''


def _solution(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    kh, kw = kernel.shape
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def _vectorised(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijuv,uv->ij", windows, kernel)


def _as_nested_lists(image: np.ndarray, kernel: np.ndarray) -> list:
    return _solution(image, kernel).tolist()


def _flipped(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return _solution(image, kernel[::-1, ::-1])


def _transposed(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return _solution(image, kernel.T) if kernel.shape[0] == kernel.shape[1] else _solution(image, kernel)


def _same_size(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return reference.correlate2d(image, kernel, padding="same")


def _one_short(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    kh, kw = kernel.shape
    return _solution(image, kernel)[: image.shape[0] - kh, : image.shape[1] - kw]


def _window_sum(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return _solution(image, np.ones_like(kernel))


def _off_by_one_value(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    out = _solution(image, kernel)
    out[-1, -1] += 1.0
    return out


def _no_return(image: np.ndarray, kernel: np.ndarray) -> None:
    _solution(image, kernel)


def _index_error(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    out = np.zeros((2, 2))
    return out[image.shape[0]]  # raises IndexError


def _returns_text(image: np.ndarray, kernel: np.ndarray) -> str:
    return "done"


q3: Exercise = _FunctionExercise(
    name="q3",
    prompt=("Write conv2d_single(image, kernel): the 'valid' cross-correlation (stride 1) of a 2-D image "
            "with a 2-D kernel, as a NumPy array of shape (H - k_h + 1, W - k_w + 1)."),
    checker=_check_q3,
    hint_text=("The output has $H - k_h + 1$ rows and $W - k_w + 1$ columns. Make it with `np.zeros`, "
               "then loop over `i` and `j`: `out[i, j]` is the sum of "
               "`image[i:i + kh, j:j + kw] * kernel`. Do not flip the kernel."),
    solution_text="one output value per window position:\n\n```python\n" + Q3_SOLUTION_CODE + "```",
    right=[_solution, _vectorised, _as_nested_lists, lambda image, kernel: reference.correlate2d(image, kernel)],
    wrong=[_flipped, _transposed, _same_size, _one_short, _window_sum, _off_by_one_value, _no_return,
           _index_error, _returns_text, np.zeros((4, 4)), "conv2d_single"],
)


# --------------------------------------------------------------------------- q4: convolution matrix shape

Q4_IMAGE, Q4_K = (10, 10), 3
Q4_EXPECTED = reference.convolution_matrix(np.ones((Q4_K, Q4_K)), Q4_IMAGE).shape  # (64, 100)


def _check_q4(answer: Any) -> str:
    if isinstance(answer, np.ndarray) and answer.ndim == 2 and answer.shape == Q4_EXPECTED:
        raise Wrong("you gave a matrix; give its shape as a pair of numbers, for example (rows, columns).")
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__"):
        raise Wrong(f"give the shape as a pair of numbers, (rows, columns); you gave {answer!r}.")
    if len(answer) != 2:
        raise Wrong(f"a matrix shape has two numbers, (rows, columns); yours has {len(answer)}.")
    rows = whole_number(answer[0], "The number of rows")
    cols = whole_number(answer[1], "The number of columns")
    got = (rows, cols)
    if got == Q4_EXPECTED:
        return "64 rows (one per output pixel of the 8 x 8 result) and 100 columns (one per input pixel)."
    if got == Q4_EXPECTED[::-1]:
        raise Wrong(f"{got} is transposed: M @ x multiplies the 100 flattened input pixels, so M has 100 "
                    "columns, and it makes one row per output pixel.")
    if got == (8, 8):
        raise Wrong("(8, 8) is the shape of the output image. M has one row per output pixel and one "
                    "column per input pixel.")
    if cols == Q4_K * Q4_K:
        raise Wrong(f"{got}: the columns are the input pixels (10 * 10 of them), not the kernel's 9 weights.")
    if rows == 100:
        raise Wrong(f"{got}: with 'valid' padding the output is 8 x 8, so M has 64 rows, not 100.")
    raise Wrong(f"{got} is not right. The 'valid' output is (10 - 3 + 1) x (10 - 3 + 1); "
                "M has one row per output pixel and one column per input pixel.")


q4 = Exercise(
    name="q4",
    prompt=("For a 10 x 10 image and a 3 x 3 kernel ('valid', stride 1), what is the shape of the matrix M "
            "with M @ image.ravel() == the flattened convolution output? Answer as (rows, columns)."),
    checker=_check_q4,
    hint_text=("`M @ x` takes the flattened image (how many numbers?) and returns the flattened output "
               "(how many numbers for an $8 \\times 8$ result?)."),
    solution_text=("The output is $8 \\times 8 = 64$ pixels and the input $10 \\times 10 = 100$, so "
                   "`M.shape == (64, 100)`; check with "
                   "`reference.convolution_matrix(np.ones((3, 3)), (10, 10)).shape`."),
    right=[(64, 100), [64, 100], (np.int64(64), 100.0)],
    wrong=[(100, 64), (8, 8), (64, 9), (100, 100), (36, 100), "(64, 100)", 6400, (64, 100, 1),
           np.zeros((64, 100)), (64.5, 100)],
)
