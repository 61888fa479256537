"""Answers to test the exercises of notebook 01 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from helpers.exercises.nb01 import _solution

from . import Cases


def _vectorised(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijuv,uv->ij", windows, kernel)


def _off_by_one_value(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    out = _solution(image, kernel)
    out[-1, -1] += 1.0
    return out


def _no_return(image: np.ndarray, kernel: np.ndarray) -> None:
    _solution(image, kernel)


def _index_error(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return np.zeros((2, 2))[image.shape[0]]  # raises IndexError


CASES = {
    "q1": Cases(
        right=[30.0, np.int64(30)],
        mistakes=[
            (
                31.5,
                (
                    "The output height is a whole number, but you gave 31.5. The size formula rounds the division "
                    "down: floor((n + 2p - k) / s) + 1."
                ),
            ),
            (
                30.5,
                (
                    "The output height is a whole number, but you gave 30.5. The size formula rounds the division "
                    "down: floor((n + 2p - k) / s) + 1."
                ),
            ),
            ("30", "The output height should be a number, but you gave str '30'."),
            (None, "The output height should be a number, but you gave NoneType None."),
            (0, "0 is not right. Use floor((n + 2p - k) / s) + 1 with n = 64, p = 0, k = 5, s = 2."),
        ],
    ),
    "q2": Cases(
        right=[51264.0, np.int64(51264)],
        mistakes=[
            (51265, "51,265 is not right. Use (k_h * k_w * c_in + 1) * c_out."),
            ("51,264", "The parameter count should be a number, but you gave str '51,264'."),
            (51264.5, "The parameter count is a whole number, but you gave 51,264.5."),
        ],
    ),
    "q3": Cases(
        right=[_vectorised, lambda image, kernel: _solution(image, kernel).tolist()],
        wrong=[_index_error],
        mistakes=[
            (
                _off_by_one_value,
                (
                    "for inputs of shapes (6, 6) and (3, 3) the shape is right but 1 of the 16 values differs; the "
                    "first is at index (3, 3): you have -15, expected -16. Output [i, j] is the sum of "
                    "image[i:i+k_h, j:j+k_w] * kernel, with n - k + 1 positions along each axis."
                ),
            ),
            (_no_return, "your function returns None; end it with `return` and the result."),
            (lambda image, kernel: "done", "your function returns str, not an array of numbers."),
            (np.zeros((4, 4)), "pass the function itself, `conv2d_single` (no brackets); you gave ndarray."),
            ("conv2d_single", "pass the function itself, `conv2d_single` (no brackets); you gave str."),
        ],
    ),
    "q4": Cases(
        right=[[64, 100], (np.int64(64), 100.0)],
        mistakes=[
            ((64, 9), "(64, 9): the columns are the input pixels (10 * 10 of them), not the kernel's 9 weights."),
            ((100, 100), "(100, 100): with 'valid' padding the output is 8 x 8, so M has 64 rows, not 100."),
            (
                (36, 100),
                (
                    "entry 1 (rows) is 36, which is not right. The 'valid' output is (10 - 3 + 1) x (10 - 3 + 1); "
                    "M has one row per output pixel and one column per input pixel."
                ),
            ),
            ("(64, 100)", "give the shape as a tuple of 2 entries; you gave str '(64, 100)'."),
            (6400, "give the shape as a tuple of 2 entries; you gave int 6400."),
            (
                (64, 100, 1),
                (
                    "your shape has 3 entries, but it should have 2: (rows, columns). The 'valid' output is (10 - "
                    "3 + 1) x (10 - 3 + 1); M has one row per output pixel and one column per input pixel."
                ),
            ),
            (np.zeros((64, 100)), "you gave an array of shape (64, 100); give a shape, a tuple of numbers."),
            ((64.5, 100), "every entry of the shape should be a whole number or None; 64.5 is not."),
        ],
    ),
}
