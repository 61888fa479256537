"""Exercises of notebook 14 (beyond classification): boxes, IoU and fully convolutional output maps."""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
import time
from typing import Any

import numpy as np

from .. import localisation
from .framework import Function, Number, Wrong, code_of, numbered

# --------------------------------------------------------------------------- q1: IoU of two boxes

Q1_A = (10, 10, 30, 30)  # pixels, (x_min, y_min, x_max, y_max): 20 x 20
Q1_B = (20, 15, 40, 35)  # 20 x 20, shifted 10 right and 5 down
Q1_INTERSECTION = (30 - 20) * (30 - 15)  # 150
Q1_AREA = 20 * 20  # each box
Q1_UNION = 2 * Q1_AREA - Q1_INTERSECTION  # 650
Q1_EXPECTED = float(localisation.iou(Q1_A, Q1_B))  # 150 / 650 = 3 / 13
assert abs(Q1_EXPECTED - Q1_INTERSECTION / Q1_UNION) < 1e-12
Q1_TOL = 1e-3


def _explain_q1(value: float) -> None:
    if not 0 <= value <= 1:
        raise Wrong(
            f"{value:g} is not between 0 and 1. The intersection is never larger than the union, "
            "so an IoU lies between 0 (no overlap) and 1 (the same box)."
        )


q1 = Number(
    Q1_EXPECTED,
    title="IoU of two boxes",
    what="The IoU",
    example="0.5",
    tol=Q1_TOL,
    praise=(
        f"the boxes overlap in a 10 x 15 = 150 pixel rectangle; the union is 400 + 400 - 150 = 650, "
        f"and 150 / 650 = {Q1_EXPECTED:.4f}."
    ),
    mistakes=numbered(
        [
            (
                Q1_INTERSECTION / Q1_AREA,
                "that is the intersection divided by the area of one box. IoU divides "
                "by the union: both areas minus the overlap, which they share.",
            ),
            (
                Q1_INTERSECTION / (2 * Q1_AREA),
                "you divided by the sum of the two areas, which counts the overlap "
                "twice. Subtract it once: 400 + 400 - 150.",
            ),
            (Q1_INTERSECTION, "that is the intersection in pixels. IoU is a ratio: divide it by the union."),
            (Q1_UNION, "that is the union in pixels. IoU is the intersection divided by it."),
            (
                Q1_UNION / Q1_INTERSECTION,
                "you divided the union by the intersection; it is the other way round (an IoU is never above 1).",
            ),
            (
                (20 * 20) / Q1_UNION,
                "the overlap is not a full 20 x 20: in x it runs from 20 to 30 (10 pixels), in y "
                "from 15 to 30 (15 pixels).",
            ),
            ((10 * 20) / (2 * Q1_AREA - 10 * 20), "in y the boxes overlap from 15 to 30, 15 pixels, not 20."),
            (
                (10 * 5) / (2 * Q1_AREA - 50),
                "the overlap in y runs from the larger y_min (15) to the smaller y_max (30): 15 pixels, not 5.",
            ),
        ]
    ),
    explain=_explain_q1,
    otherwise=(
        "Find the overlap: from the larger minimum to the smaller maximum, in x and in y; then divide "
        "its area by area(A) + area(B) - overlap."
    ),
    hint=(
        "The overlap runs from $\\max(x_{\\min})$ to $\\min(x_{\\max})$ in x, and likewise in y. The "
        "union is $|A| + |B| - |A \\cap B|$: adding the two areas counts the overlap twice."
    ),
    solution=(
        "Overlap: x from 20 to 30 (10), y from 15 to 30 (15), area 150. Each box is 20 x 20 = 400, "
        "so the union is $400 + 400 - 150 = 650$ and IoU $= 150 / 650 = 3/13 \\approx 0.231$. "
        "In code: `iou((10, 10, 30, 30), (20, 15, 40, 35))` from `helpers.localisation`."
    ),
)


# --------------------------------------------------------------------------- q2: output map side

Q2_WINDOW, Q2_STRIDE = 28, 4  # the notebook's network: two 'valid' 3 x 3 convs, two 2 x 2 poolings, a 5 x 5 conv
Q2_INPUT = 124


def _fcn_side(side: int) -> int:
    """Follow one side through the notebook's fully convolutional network, layer by layer."""
    side = side - 2  # Conv2D 3 x 3, 'valid'
    side //= 2  # MaxPooling2D(2)
    side -= 2  # Conv2D 3 x 3
    side //= 2  # MaxPooling2D(2)
    return side - 5 + 1  # the 5 x 5 convolution that replaced the Dense layer; the 1 x 1 keeps the side


Q2_EXPECTED = _fcn_side(Q2_INPUT)  # 25
assert Q2_EXPECTED == (Q2_INPUT - Q2_WINDOW) // Q2_STRIDE + 1 == 25 and _fcn_side(28) == 1


n, k, s = Q2_INPUT, Q2_WINDOW, Q2_STRIDE

q2 = Number(
    Q2_EXPECTED,
    title="side of the output map of a fully convolutional network",
    what="The side of the output map",
    example="10",
    whole=True,
    praise="(124 - 28) / 4 + 1 = 25: a 25 x 25 grid of predictions, one per window position.",
    mistakes=numbered(
        [
            (
                (n - k) / s,
                "you forgot the + 1: the window at offset 0 is a position too (a 28 x 28 input gives one "
                "output, not zero).",
            ),
            (
                n / s,
                "124 / 4 counts every 4-pixel step, but the 28-pixel window must fit inside the image: "
                "(124 - 28) / 4 + 1.",
            ),
            (
                n - k + 1,
                "that would be a stride of 1. The two poolings make the network step 2 x 2 = 4 input pixels "
                "from one output position to the next.",
            ),
            ((n - k) / 2 + 1, "the network has two 2 x 2 poolings, so its total stride is 2 x 2 = 4, not 2."),
            ((n - k) / 8 + 1, "there are two poolings, not three: the total stride is 4."),
            (n / s - k + 1, "the window is 28 input pixels wide; in the last feature map it covers 5, not 28."),
        ]
    ),
    otherwise=(
        "Use (S - window) / stride + 1 with S = 124, a 28-pixel window and a total stride of 4; or "
        "follow the side layer by layer."
    ),
    hint=(
        "Each output looks at a 28 x 28 window; moving one output position to the right moves the "
        "window by the total stride, 2 x 2 = 4 input pixels. How many positions fit in 124?"
    ),
    solution=(
        "$(S - 28) / 4 + 1 = (124 - 28) / 4 + 1 = 25$. Layer by layer: $124 \\to 122 \\to 61 "
        "\\to 59 \\to 29 \\to 25$ (the 5 x 5 convolution) $\\to 25$ (the 1 x 1). Check it with "
        "`fcn(np.zeros((1, 124, 124, 1))).shape`."
    ),
)


# --------------------------------------------------------------------------- q3: centre box -> corners

Q3_CENTER = (0.5, 0.4, 0.2, 0.3)  # (cx, cy, w, h)
Q3_EXPECTED = tuple(float(v) for v in localisation.center_to_corners(Q3_CENTER))  # (0.4, 0.25, 0.6, 0.55)


cx, cy, w, h = Q3_CENTER


def _explain_q3(got: np.ndarray) -> None:
    if got.shape == (4,) and np.allclose(got[:2], Q3_EXPECTED[:2], atol=1e-6):
        raise Wrong(
            "the top-left corner (x_min, y_min) is right; the bottom-right is the centre plus half "
            "the width and half the height."
        )


q3 = Number(
    np.array(Q3_EXPECTED),
    title="centre and size to corners",
    what="Your box",
    example="(0.1, 0.2, 0.3, 0.4)",
    tol=1e-6,
    praise="x: 0.5 -/+ 0.1, y: 0.4 -/+ 0.15, so (0.4, 0.25, 0.6, 0.55).",
    mistakes=[
        (
            (cx - w, cy - h, cx + w, cy + h),
            "you went the whole width and height out from the centre. The centre "
            "is in the middle, so each edge is half the width (or height) away.",
        ),
        (
            (cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2),
            "x and y are swapped: the order is (x_min, y_min, x_max, y_max), x first.",
        ),
        (
            (cx - w / 2, cy - h / 2, w, h),
            "the last two numbers are still the width and height; the corner form "
            "wants the far corner: x_max = x_min + w, y_max = y_min + h.",
        ),
        ((cx, cy, cx + w, cy + h), "(cx, cy) is the centre of the box, not its top-left corner."),
        (
            (cx - w / 2, cy - h / 2, cx - w / 2 + h, cy - h / 2 + w),
            "width goes with x and height with y; you swapped them.",
        ),
    ],
    explain=_explain_q3,
    otherwise="x_min = cx - w/2, y_min = cy - h/2, x_max = cx + w/2, y_max = cy + h/2.",
    hint=(
        "The centre sits halfway between the edges: the left edge is half a width to the left of "
        "$c_x$, the right edge half a width to the right; the same in y with the height."
    ),
    solution=(
        "$x_{\\min} = c_x - w/2 = 0.4$, $y_{\\min} = c_y - h/2 = 0.25$, $x_{\\max} = c_x + w/2 = 0.6$, "
        "$y_{\\max} = c_y + h/2 = 0.55$: `(0.4, 0.25, 0.6, 0.55)`. `center_to_corners` in "
        "`helpers.localisation` does the same for many boxes."
    ),
)

# ===================================================================== code exercises
# q4: non-max suppression, a Function exercise: the learner's nms(boxes, scores, threshold) runs on
# the stated cases and its kept indices are compared with the reference's; a known mistake is a
# wrong function, recognised by its output on a case.

Q4_THRESHOLD = 0.5
# First two pairs of overlapping boxes (IoU 0.875 and 0.71), the scores not sorted. Then a chain: box 0
# overlaps box 1 (IoU 0.6), box 1 overlaps box 2 (IoU 0.6), box 0 and box 2 overlap less (IoU 1/3), so
# box 2 is kept once box 1 is dropped; box 3 overlaps none. Then two boxes with IoU exactly 0.5.
_CHAIN = (
    np.array([[0.0, 0.0, 0.4, 0.4], [0.1, 0.0, 0.5, 0.4], [0.2, 0.0, 0.6, 0.4], [0.7, 0.7, 0.9, 0.9]]),
    np.array([0.9, 0.8, 0.7, 0.6]),
)
_SHUFFLED = (
    np.array([[0.5, 0.5, 0.8, 0.8], [0.0, 0.0, 0.3, 0.3], [0.05, 0.0, 0.35, 0.3], [0.52, 0.5, 0.82, 0.8]]),
    np.array([0.3, 0.6, 0.95, 0.5]),
)
_HALF = (np.array([[0.0, 0.0, 0.75, 0.5], [0.25, 0.0, 1.0, 0.5]]), np.array([0.6, 0.9]))  # IoU 0.25 / 0.5 = 0.5
Q4_CASES = [(*_SHUFFLED, Q4_THRESHOLD), (*_CHAIN, Q4_THRESHOLD), (*_HALF, Q4_THRESHOLD)]


def _q4_reference(boxes, scores, threshold):
    from helpers.localisation import iou

    order = list(np.argsort(-np.asarray(scores), kind="stable"))  # stable: ties keep their order
    keep = []
    while order:
        best = order.pop(0)  # the most confident box left
        keep.append(best)
        order = [i for i in order if iou(boxes[best], boxes[i]) <= threshold]
    return np.array(keep, dtype=int)


def _greedy(boxes, order, keep_if):
    """The loop of non-max suppression over ``order``, with ``keep_if(iou)`` in place of iou <= threshold."""
    order, keep = list(order), []
    while order:
        best = order.pop(0)
        keep.append(best)
        order = [i for i in order if keep_if(localisation.iou(boxes[best], boxes[i]))]
    return np.array(keep, dtype=int)


def _by_score(scores):
    return np.argsort(-np.asarray(scores), kind="stable")


def _q4_suppressed_suppress(boxes, scores, threshold):  # drops every box that overlaps any higher-scored box
    order = _by_score(scores)
    return np.array(
        [i for k, i in enumerate(order) if all(localisation.iou(boxes[j], boxes[i]) <= threshold for j in order[:k])],
        dtype=int,
    )


# The learner's nms runs under a time limit: a while loop whose list of boxes never shrinks would
# otherwise run until the kernel is interrupted, and end in a bare KeyboardInterrupt traceback.
Q4_SECONDS = 2.0  # the cases have 2 to 4 boxes: a right answer takes well under a millisecond


class _TooLong(BaseException):
    """Raised inside the learner's function when its time is up (a BaseException, so that the
    learner's own ``except Exception`` cannot swallow it and ``run`` does not report it as an error)."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise ``_TooLong`` in the code of the ``with`` block once it has run for ``seconds``.

    On the main thread (a notebook kernel, pytest) an alarm signal interrupts the code even in a
    loop that calls nothing; elsewhere a trace function checks the clock at every line of Python.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():

        def alarm(signum, frame):
            raise _TooLong

        previous = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    deadline = time.monotonic() + seconds

    def tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise _TooLong
        return tracer

    previous_trace = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous_trace)


class TimedFunction(Function):
    """A ``Function`` exercise whose answer must return within ``seconds`` on each case; ``too_long``
    is the message when it does not (most often a loop that never ends)."""

    def __init__(self, reference, *, seconds: float, too_long: str, **kwargs: Any):
        super().__init__(reference, **kwargs)
        self.seconds, self.too_long = seconds, too_long

    def _judge(self, answer: Any) -> str | None:
        if not callable(answer):
            return super()._judge(answer)

        @functools.wraps(answer)
        def limited(*args, **kwargs):
            with time_limit(self.seconds):
                return answer(*args, **kwargs)

        try:
            return super()._judge(limited)
        except _TooLong:
            raise Wrong(self.too_long) from None


q4 = TimedFunction(
    _q4_reference,
    seconds=Q4_SECONDS,
    too_long=(
        f"your function ran for more than {Q4_SECONDS:g} s on a case of at most 4 boxes without returning, "
        "so it most likely loops forever. A `while order:` loop ends only if every pass makes order "
        "shorter: assign the filtered list back to order itself (order = [i for i in order if ...]), not "
        "to a new name, and make sure the kept box leaves order too (order.pop(0), or a filter that drops it)."
    ),
    stub="nms",
    cases=Q4_CASES,
    title="non-max suppression",
    praise="the most confident box first, then every box that overlaps a kept one by more than the threshold "
    "dropped; a box that was dropped suppresses nothing.",
    mistakes=[
        (
            lambda boxes, scores, threshold: _greedy(boxes, range(len(boxes)), lambda iou: iou <= threshold),
            "you kept boxes in the order they were given; non-max suppression starts with the highest "
            "score: order = np.argsort(-scores).",
        ),
        (
            _q4_suppressed_suppress,
            "a box that was already dropped still suppressed another one; compare each box "
            "only with the boxes you keep.",
        ),
        (
            lambda boxes, scores, threshold: _greedy(boxes, _by_score(scores), lambda iou: iou < threshold),
            "a box whose IoU with a kept box is exactly the threshold (0.5) was dropped; only an IoU "
            "above the threshold means the same object: keep the box when IoU <= threshold.",
        ),
        (
            lambda boxes, scores, threshold: _greedy(boxes, _by_score(scores), lambda iou: iou > threshold),
            "you dropped the boxes that do not overlap and kept the ones that do; drop a box when its IoU "
            "with a kept box is above the threshold.",
        ),
        (
            lambda boxes, scores, threshold: _by_score(scores),
            "you returned every box, sorted by score, without dropping any; remove each box whose IoU "
            "with a kept box is above the threshold.",
        ),
    ],
    hint="order = list(np.argsort(-scores)); then, while order is not empty: take the first index, append it to "
    "keep, and keep in order only the indices i with iou(boxes[best], boxes[i]) <= threshold. iou is the "
    "function of section 2 (helpers.localisation.iou).",
    solution=code_of(_q4_reference, "nms"),
)
