"""Answers to test the exercises of notebook 13 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from helpers.localisation import iou

from . import Cases


def _q4_by_mask(boxes, scores, threshold):  # also right: a mask of the boxes still in play, a list
    alive, keep = np.ones(len(boxes), dtype=bool), []
    for i in np.argsort(-np.asarray(scores), kind="stable"):
        if alive[i]:
            keep.append(int(i))
            alive &= [iou(boxes[i], box) <= threshold for box in boxes]
    return keep


CASES = {
    "q1": Cases(
        right=[0.2308, 0.231, np.float32(3 / 13)],
        wrong=[0.5, 1.5, "0.23", None],
    ),
    "q2": Cases(
        right=[25.0, np.int64(25)],
        wrong=[26, "25", None, 2.5],
    ),
    "q3": Cases(
        right=[(0.4, 0.25, 0.6, 0.55), [0.4, 0.25, 0.6, 0.55]],
        wrong=[
            (0.4, 0.25, 0.6),
            "0.4, 0.25, 0.6, 0.55",
            0.4,
            (0.4, 0.25, 0.5, 0.5),
            ("a", 0.25, 0.6, 0.55),
            (0.3, 0.25, 0.6, 0.55),
        ],
    ),
    "q4": Cases(
        right=[_q4_by_mask],
        wrong=[lambda boxes, scores, threshold: boxes[:1], lambda boxes, scores, threshold: None],
    ),
}
