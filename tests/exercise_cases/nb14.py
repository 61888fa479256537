"""Answers to test the exercises of notebook 14 with (see ``__init__.py``)."""

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


def _q4_endless(boxes, scores, threshold):  # filters into a new name, so order never shrinks
    order = list(np.argsort(-np.asarray(scores)))
    keep = []
    while order:
        best = order[0]
        if best not in keep:
            keep.append(best)
        remaining = [i for i in order if iou(boxes[best], boxes[i]) <= threshold]  # noqa: F841
    return np.array(keep)


CASES = {
    "q1": Cases(
        right=[0.2308, 0.231, np.float32(3 / 13)],
        mistakes=[
            (
                0.5,
                (
                    "0.5 is not right. Find the overlap: from the larger minimum to the smaller maximum, in x and "
                    "in y; then divide its area by area(A) + area(B) - overlap."
                ),
            ),
            (
                1.5,
                (
                    "1.5 is not between 0 and 1. The intersection is never larger than the union, so an IoU lies "
                    "between 0 (no overlap) and 1 (the same box)."
                ),
            ),
            ("0.23", "The IoU should be a number, such as 0.5, but you gave str '0.23'."),
            (None, "The IoU should be a number, such as 0.5, but you gave NoneType None."),
        ],
    ),
    "q2": Cases(
        right=[25.0, np.int64(25)],
        mistakes=[
            (
                26,
                (
                    "26 is not right. Use (S - window) / stride + 1 with S = 124, a 28-pixel window and a total "
                    "stride of 4; or follow the side layer by layer."
                ),
            ),
            ("25", "The side of the output map should be a number, such as 10, but you gave str '25'."),
            (None, "The side of the output map should be a number, such as 10, but you gave NoneType None."),
            (2.5, "The side of the output map is a whole number, but you gave 2.5."),
        ],
    ),
    "q3": Cases(
        right=[(0.4, 0.25, 0.6, 0.55), [0.4, 0.25, 0.6, 0.55]],
        mistakes=[
            ((0.4, 0.25, 0.6), "Your box has shape (3,) but should have shape (4,)."),
            (
                "0.4, 0.25, 0.6, 0.55",
                (
                    "Your box should be an array of numbers, such as (0.1, 0.2, 0.3, 0.4); you gave str '0.4, "
                    "0.25, 0.6, 0.55'."
                ),
            ),
            (0.4, "Your box has shape () but should have shape (4,)."),
            (
                (0.4, 0.25, 0.5, 0.5),
                (
                    "the top-left corner (x_min, y_min) is right; the bottom-right is the centre plus half the "
                    "width and half the height."
                ),
            ),
            (
                ("a", 0.25, 0.6, 0.55),
                (
                    "Your box should be an array of numbers, such as (0.1, 0.2, 0.3, 0.4); you gave tuple ('a', "
                    "0.25, 0.6, 0.55)."
                ),
            ),
            (
                (0.3, 0.25, 0.6, 0.55),
                (
                    "Your box has the right shape, but 1 of its 4 values differs; the first is at index (0,): you "
                    "have 0.3, expected 0.4."
                ),
            ),
        ],
    ),
    "q4": Cases(
        right=[_q4_by_mask],
        mistakes=[
            (
                lambda boxes, scores, threshold: boxes[:1],
                (
                    "for the input [[0.5, 0.5, 0.8, 0.8], [0.0, 0.0, 0.3, 0.3], [0.05, 0.0, 0.35, 0.3], [0.52, "
                    "0.5, 0.82, 0.8]], [0.3, 0.6, 0.95, 0.5], 0.5 your output has shape (1, 4) but should have "
                    "shape (2,)."
                ),
            ),
            (lambda boxes, scores, threshold: None, "your function returns None; end it with `return` and the result."),
            (
                _q4_endless,
                "your function ran for more than 2 s on a case of at most 4 boxes without returning, so it most "
                "likely loops forever. A `while order:` loop ends only if every pass makes order shorter: assign "
                "the filtered list back to order itself (order = [i for i in order if ...]), not to a new name, "
                "and make sure the kept box leaves order too (order.pop(0), or a filter that drops it).",
            ),
        ],
    ),
}
