"""Localisation: digits placed on a larger canvas with their boxes, intersection over union, box drawing.

A box is four numbers ``(x_min, y_min, x_max, y_max)``, measured on pixel edges and
divided by the canvas side, so every coordinate lies in 0..1: ink in columns 10 to
19 (inclusive) of a 64-pixel canvas gives ``x_min = 10 / 64`` and
``x_max = 20 / 64``. ``x`` runs to the right, ``y`` downwards, as in an image.
The ground-truth box is the tight box around the digit's ink (its non-zero
pixels), not the 28 x 28 patch the digit comes in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIGIT_SIDE = 28


class BoxError(ValueError):
    """Raised for an input that cannot give a box (no ink, a canvas too small, boxes of the wrong shape)."""


@dataclass(frozen=True)
class Canvases:
    """Digits on blank canvases: ``images`` float32 (N, S, S, 1) in 0..1, ``boxes`` float32 (N, 4)
    as normalised ``(x_min, y_min, x_max, y_max)``, ``labels`` int64 (N,) digit classes."""

    images: np.ndarray
    boxes: np.ndarray
    labels: np.ndarray

    @property
    def size(self) -> int:
        """The side of the canvases in pixels."""
        return int(self.images.shape[1])

    def __len__(self) -> int:
        return len(self.labels)


def ink_boxes(digits: np.ndarray, threshold: float = 0) -> np.ndarray:
    """Tight pixel boxes around the ink of each digit: int64 (N, 4) ``(x_min, y_min, x_max, y_max)``.

    ``digits`` is (N, H, W) or (H, W) (then the result is (4,)); ink is every pixel
    above ``threshold``. The maxima are exclusive (one past the last ink column and
    row), so ``x_max - x_min`` is the width in pixels. Raises BoxError for a digit
    without ink.
    """
    digits = np.asarray(digits)
    single = digits.ndim == 2
    if single:
        digits = digits[np.newaxis]
    if digits.ndim != 3:
        raise BoxError(f"expected digits of shape (N, H, W) or (H, W), got {digits.shape}")
    ink = digits > threshold
    cols, rows = ink.any(axis=1), ink.any(axis=2)  # (N, W): a column holds ink; (N, H): a row does
    empty = ~cols.any(axis=1)
    if empty.any():
        raise BoxError(f"digit {int(np.argmax(empty))} has no pixel above {threshold}: it has no box")
    w, h = cols.shape[1], rows.shape[1]
    boxes = np.stack(
        [cols.argmax(axis=1), rows.argmax(axis=1), w - cols[:, ::-1].argmax(axis=1), h - rows[:, ::-1].argmax(axis=1)],
        axis=1,
    ).astype(np.int64)
    return boxes[0] if single else boxes


def make_canvases(digits: np.ndarray, labels: np.ndarray, *, size: int = 64, seed: int = 0) -> Canvases:
    """Place each digit (uint8 or float, (N, 28, 28)) at a random spot of its own blank canvas.

    The 28 x 28 patch is put at a uniformly random top-left corner so that it fits
    entirely (``0 .. size - 28`` in each direction); the same ``seed`` gives the same
    canvases. Pixel values are scaled to 0..1 (divided by 255 for uint8 input).
    Returns Canvases with the tight normalised ink boxes.
    """
    digits = np.asarray(digits)
    labels = np.asarray(labels)
    if digits.ndim != 3 or digits.shape[1:] != (DIGIT_SIDE, DIGIT_SIDE):
        raise BoxError(f"expected digits of shape (N, 28, 28), got {digits.shape}")
    if len(labels) != len(digits):
        raise BoxError(f"{len(digits)} digits but {len(labels)} labels")
    if size < DIGIT_SIDE:
        raise BoxError(f"a canvas of {size} pixels cannot hold a 28 x 28 digit; use size >= 28")
    scale = 255.0 if digits.dtype == np.uint8 else 1.0
    rng = np.random.default_rng(seed)
    n = len(digits)
    offsets = rng.integers(0, size - DIGIT_SIDE + 1, size=(n, 2))  # (x, y) of the top-left corner
    images = np.zeros((n, size, size, 1), dtype=np.float32)
    for i, (x, y) in enumerate(offsets):
        images[i, y : y + DIGIT_SIDE, x : x + DIGIT_SIDE, 0] = digits[i] / scale
    pixel_boxes = ink_boxes(digits) + np.concatenate([offsets, offsets], axis=1)
    return Canvases(images, (pixel_boxes / size).astype(np.float32), labels.astype(np.int64))


def place_digits(digits: np.ndarray, corners: list[tuple[int, int]], size: int | tuple[int, int]) -> np.ndarray:
    """One blank canvas (float32, (H, W) in 0..1) holding several 28 x 28 digits.

    ``corners`` gives each digit's top-left ``(x, y)`` in pixels; ``size`` is the side
    (int) or ``(height, width)``. Where digits overlap the brighter pixel wins.
    """
    height, width = (size, size) if isinstance(size, (int, np.integer)) else size
    canvas = np.zeros((height, width), dtype=np.float32)
    for digit, (x, y) in zip(digits, corners):
        digit = np.asarray(digit, dtype=np.float32)
        digit = digit / 255.0 if digit.max() > 1 else digit
        h, w = digit.shape
        if x < 0 or y < 0 or x + w > width or y + h > height:
            raise BoxError(f"a digit at (x={x}, y={y}) does not fit on a canvas of {width} x {height}")
        canvas[y : y + h, x : x + w] = np.maximum(canvas[y : y + h, x : x + w], digit)
    return canvas


def _as_boxes(boxes, name: str) -> np.ndarray:
    array = np.asarray(boxes, dtype=np.float64)
    if array.shape[-1:] != (4,):
        raise BoxError(
            f"{name} should have 4 numbers (x_min, y_min, x_max, y_max) on its last axis; its shape is {array.shape}"
        )
    return array


def box_area(boxes) -> np.ndarray:
    """Area of each box; a box with x_max <= x_min or y_max <= y_min has area 0."""
    b = _as_boxes(boxes, "boxes")
    return np.clip(b[..., 2] - b[..., 0], 0, None) * np.clip(b[..., 3] - b[..., 1], 0, None)


def iou(boxes_a, boxes_b) -> np.ndarray:
    """Intersection over union of corner boxes ``(..., 4)``, broadcast over the leading axes.

    IoU = area(A and B) / (area(A) + area(B) - area(A and B)), between 0 (no overlap)
    and 1 (the same box). Degenerate boxes (no width or height, or max < min) have
    area 0; when the union is empty too the IoU is 0. Returns float64 of the
    broadcast leading shape (a 0-d array for two single boxes).
    """
    a, b = _as_boxes(boxes_a, "boxes_a"), _as_boxes(boxes_b, "boxes_b")
    inter_w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    inter_h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = inter_w * inter_h
    union = box_area(a) + box_area(b) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def corners_to_center(boxes) -> np.ndarray:
    """``(x_min, y_min, x_max, y_max)`` -> ``(cx, cy, w, h)``, over the last axis."""
    b = _as_boxes(boxes, "boxes")
    return np.stack(
        [(b[..., 0] + b[..., 2]) / 2, (b[..., 1] + b[..., 3]) / 2, b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]],
        axis=-1,
    )


def center_to_corners(boxes) -> np.ndarray:
    """``(cx, cy, w, h)`` -> ``(x_min, y_min, x_max, y_max)``, over the last axis."""
    b = _as_boxes(boxes, "boxes")
    return np.stack(
        [b[..., 0] - b[..., 2] / 2, b[..., 1] - b[..., 3] / 2, b[..., 0] + b[..., 2] / 2, b[..., 1] + b[..., 3] / 2],
        axis=-1,
    )


def draw_box(ax, box, size: int, *, color: str = "lime", label: str | None = None, linestyle: str = "-"):
    """Draw a normalised corner box on an image of side ``size`` shown with ``imshow``; return the patch.

    Pixel ``i`` of an ``imshow`` image covers ``i - 0.5 .. i + 0.5``, so a box
    edge at pixel edge ``e`` is drawn at ``e - 0.5``.
    """
    from matplotlib.patches import Rectangle

    x0, y0, x1, y1 = (np.asarray(box, dtype=float) * size).tolist()
    patch = Rectangle(
        (x0 - 0.5, y0 - 0.5),
        x1 - x0,
        y1 - y0,
        fill=False,
        edgecolor=color,
        linewidth=1.8,
        linestyle=linestyle,
        label=label,
    )
    ax.add_patch(patch)
    return patch
