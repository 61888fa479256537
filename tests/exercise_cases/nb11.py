"""Answers to test the exercises of notebook 11 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from helpers.exercises.nb11 import _unfreeze

from . import Cases

CASES = {
    "q1": Cases(
        right=[525058.0, np.int64(525058)],
        wrong=[524801, 525057, "525058", None, 525058.5],
    ),
    "q2": Cases(
        right=[0.0001, np.float32(1e-4)],
        wrong=[1e-5, 0.5, "1e-4", None, True],
    ),
    "q3": Cases(
        right=[lambda model: _unfreeze(model, ("conv2", "conv3"))],
        wrong=[
            lambda model: model,
            lambda model: None,
            lambda model: _unfreeze(model, ("conv1", "conv2", "conv3")),
            lambda model: model.get_layer("bas"),
        ],
    ),
}
