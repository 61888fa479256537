"""Reproducibility: one call seeds every random number generator the course uses."""

from __future__ import annotations

import os
import random

import numpy as np

DEFAULT_SEED = 42


def course_seed() -> int:
    """The course's seed: ``COURSE_SEED`` as a whole number, 42 where it is unset or empty.

    Instructors set ``COURSE_SEED`` to see how far a notebook's figures move with the seed; every
    notebook that reseeds between models asks this function, so the variable reaches them all.
    """
    value = os.environ.get("COURSE_SEED", "").strip()
    if not value:
        return DEFAULT_SEED
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"COURSE_SEED must be a whole number such as 1 or 42, not {value!r}.") from None


def seed_everything(seed: int | None = None) -> int:
    """Seed Python's ``random``, NumPy and TensorFlow/Keras with ``seed``; return it.

    Without ``seed``, the course's seed (``course_seed()``: ``COURSE_SEED``, else 42).

    Runs on a CPU are then repeatable up to the order in which threads add
    floating-point numbers, which can move the last digits of a loss.
    """
    if seed is None:
        seed = course_seed()
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    try:
        import keras
    except ImportError:  # NumPy-only use of the helpers
        return seed
    keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the backend
    return seed
