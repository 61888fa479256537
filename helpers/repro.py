"""Reproducibility: one call seeds every random number generator the course uses."""

from __future__ import annotations

import os
import random

import numpy as np

DEFAULT_SEED = 42


def seed_everything(seed: int = DEFAULT_SEED) -> int:
    """Seed Python's ``random``, NumPy and TensorFlow/Keras with ``seed``; return it.

    Runs on a CPU are then repeatable up to the order in which threads add
    floating-point numbers, which can move the last digits of a loss.
    """
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    try:
        import keras
    except ImportError:  # NumPy-only use of the helpers
        return seed
    keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the backend
    return seed
