"""Exercises of notebook 02 (pooling).

``q1`` output shape of a pooling layer, ``q2`` a 2x2 max pooling function,
``q3`` the weights of a pooling layer, ``q4`` global average pooling of a small array.
Each checker lists the answers it must accept (``right``) and typical mistakes it
must reject (``wrong``); the test suite runs them all.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import reference
from .framework import Exercise, Wrong

# ------------------------------------------------------------------ q1: output shape

Q1_INPUT_SHAPE = (8, 27, 27, 16)
Q1_POOL_SIZE = 3
Q1_STRIDE = 2
_Q1_SIDE = reference.output_size(27, Q1_POOL_SIZE, stride=Q1_STRIDE)  # (27 - 3) // 2 + 1 = 13
_Q1_EXPECTED = (8, _Q1_SIDE, _Q1_SIDE, 16)


def _as_shape(answer: Any) -> tuple:
    """A tuple of ints (or None) from a tuple, list or TensorShape; raise Wrong for anything else."""
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise Wrong(
            f"give the shape as a tuple of four numbers, such as (8, 10, 10, 16); "
            f"you gave {type(answer).__name__} {answer!r}."
        )
    items = list(answer)
    shape = []
    for item in items:
        if item is None:
            shape.append(None)
        elif isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            shape.append(int(item))
        else:
            raise Wrong(f"every entry of the shape should be a whole number; {item!r} is not.")
    return tuple(shape)


def _check_q1(answer: Any) -> str:
    shape = _as_shape(answer)
    n, h, w, c = _Q1_EXPECTED
    if len(shape) != 4:
        if shape == (h, w):
            raise Wrong(
                f"({h}, {w}) is the right height and width, but Keras keeps all four axes: "
                f"(batch, height, width, channels)."
            )
        raise Wrong(f"your shape has {len(shape)} entries; a batch of feature maps has four: "
                    f"(batch, height, width, channels).")
    if shape[0] != n:
        raise Wrong(f"the batch axis is {shape[0]}, but pooling never changes it: the batch still holds {n} maps.")
    if shape[3] != c:
        raise Wrong(
            f"the channel axis is {shape[3]}, but MaxPooling2D pools each channel on its own, "
            f"so all {c} channels come out."
        )
    if shape[1] != shape[2]:
        raise Wrong("the input is square and the pooling is the same along both axes, so height and width are equal.")
    side = shape[1]
    if side == h:
        return "the window fits 13 times along each side."
    if side == 27 // Q1_POOL_SIZE:
        raise Wrong(
            f"{side} is what a stride of {Q1_POOL_SIZE} (the pool size) gives. Here the stride is "
            f"{Q1_STRIDE}: the windows overlap by one pixel."
        )
    if side == -(-27 // Q1_STRIDE):
        raise Wrong(f"{side} = ceil(27 / 2) is the 'same' padding size. With 'valid' padding use "
                    f"floor((n - k) / s) + 1.")
    if side == (27 - Q1_POOL_SIZE) // Q1_STRIDE:
        raise Wrong(f"{side} is floor((n - k) / s); you left out the + 1 (the first window).")
    if side == 27 // Q1_STRIDE:
        raise Wrong(f"{side} = 27 // 2 ignores the window size; use floor((n - k) / s) + 1.")
    raise Wrong(f"a side of {side} is not right; use floor((n - k) / s) + 1 with n = 27, k = 3, s = 2.")


q1 = Exercise(
    name="q1",
    prompt=(
        "A batch of feature maps has shape (8, 27, 27, 16). What is the shape after "
        "MaxPooling2D(pool_size=3, strides=2) (padding 'valid')? Give a tuple of four numbers."
    ),
    checker=_check_q1,
    hint_text=(
        "Batch and channels do not change. For height and width use "
        "floor((n - k) / s) + 1 with n = 27, k = 3 and s = 2."
    ),
    solution_text=(
        "(27 - 3) // 2 + 1 = 13, so the answer is `(8, 13, 13, 16)`. Check it with "
        "`keras.layers.MaxPooling2D(pool_size=3, strides=2)(np.zeros((8, 27, 27, 16))).shape`."
    ),
    right=[(8, 13, 13, 16), [8, 13, 13, 16], (np.int64(8), 13, 13, 16)],
    wrong=[(8, 9, 9, 16), (8, 14, 14, 16), (8, 12, 12, 16), (13, 13), (1, 13, 13, 16),
           (8, 13, 13, 8), (8, 13, 13), 13, "(8, 13, 13, 16)", (8, 13.0, 13, 16)],
)


# ------------------------------------------------------------------ q2: max_pool_2x2

# Inputs the learner's function is tried on: a tiny one the learner can follow by
# hand, a 26x26 map (the size in the notebook) and one with odd sides.
_Q2_SMALL = np.array([[1.0, 3.0, 2.0, 0.0],
                      [4.0, 6.0, 1.0, 5.0],
                      [7.0, 2.0, 9.0, 8.0],
                      [0.0, 1.0, 3.0, 4.0]])


def _q2_inputs() -> list[np.ndarray]:
    rng = np.random.default_rng(2)
    return [_Q2_SMALL.copy(), rng.normal(size=(26, 26)), rng.normal(size=(7, 9))]


def _check_q2(func: Any) -> str:
    if not callable(func):
        raise Wrong(f"pass the function itself, `max_pool_2x2` (no brackets); you gave {type(func).__name__}.")
    for x in _q2_inputs():
        expected = reference.pool2d(x, size=2, mode="max")
        got = func(x.copy())
        if got is None:
            raise Wrong("your function returns None; end it with `return` and the pooled array.")
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise Wrong(f"your function returns {type(got).__name__}, not an array of numbers.") from None
        if got.shape != expected.shape:
            if got.shape == x.shape:
                extra = " It looks like the input came back unchanged (or a stride of 1 was kept)."
            elif got.shape == tuple(s - 1 for s in x.shape):
                extra = " That is a stride of 1; a 2x2 max pool moves its window 2 pixels at a time."
            elif got.shape == tuple(-(-s // 2) for s in x.shape):
                extra = (" For an odd side the last row or column is dropped (floor, as 'valid' "
                         "padding does), not kept as a half window.")
            else:
                extra = ""
            raise Wrong(
                f"for an input of shape {x.shape} your output has shape {got.shape} "
                f"but should be {expected.shape}.{extra}"
            )
        if np.allclose(got, expected):
            continue
        if np.allclose(got, reference.pool2d(x, size=2, mode="avg")):
            raise Wrong("your output looks like average pooling: it has the mean of each window, not its maximum.")
        minimum = -reference.pool2d(-x, size=2, mode="max")
        if np.allclose(got, minimum):
            raise Wrong("your output holds the minimum of each window, not the maximum.")
        bad = np.argwhere(~np.isclose(got, expected))
        r, c = (int(i) for i in bad[0])
        raise Wrong(
            f"for an input of shape {x.shape} the shape is right but {len(bad)} of the {got.size} values "
            f"differ; the first is at [{r}, {c}]: you have {got[r, c]:g}, the maximum of the window "
            f"x[{2 * r}:{2 * r + 2}, {2 * c}:{2 * c + 2}] is {expected[r, c]:g}."
        )
    return "it matches MaxPooling2D(2) on a 4x4, a 26x26 and a 7x9 input."


def _max_pool_loops(x):
    x = np.asarray(x)
    out = np.zeros((x.shape[0] // 2, x.shape[1] // 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = x[2 * i: 2 * i + 2, 2 * j: 2 * j + 2].max()
    return out


def _max_pool_reshape(x):
    x = np.asarray(x)
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    return x[:h, :w].reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))


def _max_pool_slices(x):
    x = np.asarray(x)
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    x = x[:h, :w]
    return np.maximum(np.maximum(x[0::2, 0::2], x[0::2, 1::2]), np.maximum(x[1::2, 0::2], x[1::2, 1::2]))


def _wrong_average(x):
    x = np.asarray(x)
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    return x[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def _wrong_minimum(x):
    x = np.asarray(x)
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    return x[:h, :w].reshape(h // 2, 2, w // 2, 2).min(axis=(1, 3))


def _wrong_stride_one(x):
    x = np.asarray(x)
    return np.maximum(np.maximum(x[:-1, :-1], x[:-1, 1:]), np.maximum(x[1:, :-1], x[1:, 1:]))


def _wrong_identity(x):
    return x


def _wrong_no_return(x):
    _max_pool_reshape(x)


def _wrong_ceil(x):
    x = np.asarray(x)
    h, w = -(-x.shape[0] // 2), -(-x.shape[1] // 2)
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = x[2 * i: 2 * i + 2, 2 * j: 2 * j + 2].max()
    return out


def _wrong_max_of_first_row(x):
    x = np.asarray(x)
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    return np.maximum(x[0:h:2, 0:w:2], x[0:h:2, 1:w:2])


def _raises_on_odd_sides(x):
    # reshape without cropping: fine for 26x26, a ValueError for 7x9
    x = np.asarray(x)
    return x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3))


q2 = Exercise(
    name="q2",
    prompt=(
        "Write `max_pool_2x2(x)`: for a 2-D array x of shape (H, W), return the maximum of each "
        "2x2 block, stride 2, shape (H // 2, W // 2). An odd last row or column is dropped, as "
        "MaxPooling2D(2) does with 'valid' padding."
    ),
    checker=_check_q2,
    hint_text=(
        "Crop x to even sides with `x[:H // 2 * 2, :W // 2 * 2]`. Then either loop over the output "
        "positions (i, j) and take `x[2*i:2*i+2, 2*j:2*j+2].max()`, or reshape to "
        "(H // 2, 2, W // 2, 2) and take `.max(axis=(1, 3))`."
    ),
    solution_text=(
        "```python\n"
        "def max_pool_2x2(x):\n"
        "    x = np.asarray(x)\n"
        "    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2   # drop an odd last row/column\n"
        "    blocks = x[:h, :w].reshape(h // 2, 2, w // 2, 2)   # axis 1 and 3: inside one block\n"
        "    return blocks.max(axis=(1, 3))\n"
        "```"
    ),
    right=[_max_pool_loops, _max_pool_reshape, _max_pool_slices],
    wrong=[_wrong_average, _wrong_minimum, _wrong_stride_one, _wrong_identity, _wrong_no_return,
           _wrong_ceil, _wrong_max_of_first_row, _raises_on_odd_sides, "max_pool_2x2", None],
)


# ------------------------------------------------------------------ q3: weights of a pooling layer


def _check_q3(answer: Any) -> str:
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Wrong(f"give a number, such as 12; you gave {type(answer).__name__} {answer!r}.")
    value = float(answer)
    if value == 0:
        return "a pooling layer has a fixed rule (take the max) and nothing to learn."
    if value == 9:
        raise Wrong("9 is the size of the 3x3 window, but the window holds no weights: it only picks the largest value.")
    if value in (9 * 64, 9 * 64 + 64):
        raise Wrong(
            f"{answer} would be right for a layer that multiplies its window by learned numbers "
            f"(such as Conv2D). Max pooling multiplies by nothing: it takes the largest value."
        )
    raise Wrong(f"{answer} is not right. Ask what a max pooling layer could learn: it only picks the largest value.")


q3 = Exercise(
    name="q3",
    prompt=(
        "How many trainable weights does `MaxPooling2D(pool_size=3)` have when it pools a "
        "(None, 26, 26, 64) feature map? Give a number."
    ),
    checker=_check_q3,
    hint_text="A Conv2D layer multiplies each window by a learned kernel. What does a max pooling layer multiply by?",
    solution_text=(
        "`0`. The layer takes the maximum of each window: a fixed rule with nothing to learn, so "
        "`layer.count_params() == 0` whatever the pool size or number of channels."
    ),
    right=[0, 0.0, np.int64(0)],
    wrong=[9, 576, 640, 64, 1, "0", None, [0]],
)


# ------------------------------------------------------------------ q4: global average pooling

Q4_INPUT = np.stack(
    [np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
     np.array([[0.0, 0.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]])],
    axis=-1,
)[None]
"""The (1, 3, 3, 2) batch of q4: channel 0 counts 1 to 9, channel 1 is one bright pixel."""

_Q4_EXPECTED = reference.global_average_pool(Q4_INPUT)  # [[5.0, 1.0]]


def _check_q4(answer: Any) -> str:
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"give an array of numbers, such as np.array([[0.5, 0.5]]); you gave {type(answer).__name__}.") from None
    if got.shape == (2,) and np.allclose(got, _Q4_EXPECTED[0]):
        raise Wrong("the values are right, but GlobalAveragePooling2D keeps the batch axis: the shape is (1, 2).")
    if got.shape == (1, 3, 3) or got.shape == (3, 3):
        raise Wrong(
            f"your array has shape {got.shape}: that is an average over the channels at each pixel. "
            f"Global average pooling averages each channel over all its pixels: (1, 3, 3, 2) -> (1, 2)."
        )
    if got.size == 1:
        raise Wrong("a single number mixes the two channels; global average pooling gives one number per channel.")
    if got.shape != (1, 2):
        raise Wrong(f"your array has shape {got.shape} but should have shape (1, 2): one batch item, two channels.")
    if np.allclose(got, Q4_INPUT.max(axis=(1, 2))):
        raise Wrong("those are the maxima of each channel (global max pooling); take the mean instead.")
    if np.allclose(got, Q4_INPUT.sum(axis=(1, 2))):
        raise Wrong("those are the sums of each channel; divide by the number of pixels, 3 x 3 = 9.")
    if np.allclose(got, _Q4_EXPECTED):
        return "channel 0 averages to 5 and the single bright pixel of channel 1 to 9 / 9 = 1."
    bad = [c for c in range(2) if not np.isclose(got[0, c], _Q4_EXPECTED[0, c])]
    raise Wrong(f"the value for channel {bad[0]} is {got[0, bad[0]]:g}, which is not its mean.")


q4 = Exercise(
    name="q4",
    prompt=(
        "`ex.Q4_INPUT` is a batch of one 3x3 map with 2 channels, shape (1, 3, 3, 2). Write down "
        "(by hand or with NumPy) what GlobalAveragePooling2D returns for it, as an array of shape (1, 2)."
    ),
    checker=_check_q4,
    hint_text=(
        "One number per channel: the mean of its 9 pixels. In NumPy, average over the height and "
        "width axes, 1 and 2."
    ),
    solution_text=(
        "`np.array([[5.0, 1.0]])`: channel 0 holds 1..9, mean 45 / 9 = 5; channel 1 holds a single 9, "
        "mean 9 / 9 = 1. In code: `ex.Q4_INPUT.mean(axis=(1, 2))`."
    ),
    right=[np.array([[5.0, 1.0]]), [[5, 1]], Q4_INPUT.mean(axis=(1, 2))],
    wrong=[np.array([5.0, 1.0]), np.array([[9.0, 9.0]]), np.array([[45.0, 9.0]]), Q4_INPUT.mean(axis=-1),
           3.0, np.array([[5.0, 2.0]]), "5, 1", np.array([[1.0, 5.0]])],
)
