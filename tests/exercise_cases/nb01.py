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
        wrong=[31.5, 30.5, "30", None, 0],
    ),
    "q2": Cases(
        right=[51264.0, np.int64(51264)],
        wrong=[51265, "51,264", 51264.5],
    ),
    "q3": Cases(
        right=[_vectorised, lambda image, kernel: _solution(image, kernel).tolist()],
        wrong=[
            _off_by_one_value,
            _no_return,
            _index_error,
            lambda image, kernel: "done",
            np.zeros((4, 4)),
            "conv2d_single",
        ],
    ),
    "q4": Cases(
        right=[[64, 100], (np.int64(64), 100.0)],
        wrong=[(64, 9), (100, 100), (36, 100), "(64, 100)", 6400, (64, 100, 1), np.zeros((64, 100)), (64.5, 100)],
    ),
}
