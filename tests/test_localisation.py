"""helpers.localisation: intersection over union, box conversions and the digits-on-a-canvas generator."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.localisation import (
    BoxError,
    Canvases,
    box_area,
    center_to_corners,
    corners_to_center,
    ink_boxes,
    iou,
    make_canvases,
    place_digits,
)


def _digits(n: int = 12, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Fake uint8 digits: a random rectangle of ink (with a faint fringe) inside each 28 x 28 patch."""
    rng = np.random.default_rng(seed)
    digits = np.zeros((n, 28, 28), dtype=np.uint8)
    for d in digits:
        y0, x0 = rng.integers(0, 14, size=2)
        y1, x1 = y0 + rng.integers(3, 14), x0 + rng.integers(1, 14)
        d[y0:y1, x0:x1] = rng.integers(1, 256, size=(y1 - y0, x1 - x0))
        d[y0, x0] = 1  # the faintest ink still counts
    return digits, rng.integers(0, 10, size=n)


# ------------------------------------------------------------------ IoU


def test_iou_of_hand_made_cases():
    assert iou([0, 0, 1, 1], [0, 0, 1, 1]) == pytest.approx(1.0)
    assert iou([0, 0, 1, 1], [2, 2, 3, 3]) == pytest.approx(0.0)
    assert iou([0, 0, 1, 1], [1, 0, 2, 1]) == pytest.approx(0.0)  # touching edges share no area
    # half of A overlaps B, B the same size: intersection 0.5, union 1.5
    assert iou([0, 0, 1, 1], [0.5, 0, 1.5, 1]) == pytest.approx(1 / 3)
    # B inside A, a quarter of its area
    assert iou([0, 0, 0.4, 0.4], [0.1, 0.1, 0.3, 0.3]) == pytest.approx(0.25)
    # corner overlap: intersection 1 x 1, areas 4 and 4
    assert iou([0, 0, 2, 2], [1, 1, 3, 3]) == pytest.approx(1 / 7)


def test_iou_is_symmetric_and_between_zero_and_one():
    rng = np.random.default_rng(0)
    a = np.sort(rng.random((200, 2, 2)), axis=1).reshape(200, 4)  # (x_min, y_min, x_max, y_max)
    b = np.sort(rng.random((200, 2, 2)), axis=1).reshape(200, 4)  # (x_min, y_min, x_max, y_max)
    np.testing.assert_allclose(iou(a, b), iou(b, a))
    assert np.all((iou(a, b) >= 0) & (iou(a, b) <= 1))
    np.testing.assert_allclose(iou(a, a), 1.0)


def test_iou_broadcasts_over_leading_axes():
    a = np.array([[0, 0, 1, 1], [0, 0, 2, 2], [5, 5, 6, 6]], dtype=float)
    assert iou(a, a).shape == (3,)
    assert iou(a[:, None, :], a[None, :, :]).shape == (3, 3)
    assert iou(a, [0, 0, 1, 1]).shape == (3,)
    np.testing.assert_allclose(iou(a, [0, 0, 1, 1]), [1.0, 0.25, 0.0])
    assert np.ndim(iou([0, 0, 1, 1], [0, 0, 1, 1])) == 0


def test_degenerate_and_inverted_boxes_have_no_area():
    assert box_area([[0, 0, 0, 1], [0, 0, 1, 0], [1, 1, 0, 0], [0, 0, 2, 3]]).tolist() == [0, 0, 0, 6]
    assert iou([0, 0, 0, 0], [0, 0, 0, 0]) == 0.0  # empty union: 0, not NaN
    assert iou([0.5, 0.5, 0.5, 0.5], [0, 0, 1, 1]) == 0.0
    assert iou([1, 1, 0, 0], [0, 0, 1, 1]) == 0.0  # max < min: an empty box
    assert box_area([[1, 0, 0, 1], [0, 1, 1, 0]]).tolist() == [0, 0]  # inverted in one direction only
    assert iou([0.6, 0, 0.4, 1], [0, 0, 1, 1]) == 0.0
    with np.errstate(all="raise"):
        iou(np.zeros((5, 4)), np.zeros((5, 4)))


def test_iou_rejects_boxes_without_four_numbers():
    with pytest.raises(BoxError, match="4 numbers"):
        iou([0, 0, 1], [0, 0, 1, 1])


def test_box_conversions_round_trip():
    corners = np.array([[0.1, 0.2, 0.5, 0.9], [0.0, 0.0, 1.0, 1.0]])
    center = corners_to_center(corners)
    np.testing.assert_allclose(center[0], [0.3, 0.55, 0.4, 0.7])
    np.testing.assert_allclose(center_to_corners(center), corners)
    np.testing.assert_allclose(center_to_corners([0.5, 0.5, 0.2, 0.4]), [0.4, 0.3, 0.6, 0.7])


# ------------------------------------------------------------------ ink boxes and canvases


def test_ink_boxes_are_tight_and_exclusive():
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[5:9, 10:20] = 200
    assert ink_boxes(digit).tolist() == [10, 5, 20, 9]
    digit[27, 27] = 1
    assert ink_boxes(digit).tolist() == [10, 5, 28, 28]
    assert ink_boxes(digit, threshold=1).tolist() == [10, 5, 20, 9]
    with pytest.raises(BoxError, match="no pixel"):
        ink_boxes(np.zeros((2, 28, 28)))


def test_canvases_have_the_promised_shapes_and_types():
    digits, labels = _digits()
    data = make_canvases(digits, labels, size=48, seed=1)
    assert isinstance(data, Canvases) and len(data) == 12 and data.size == 48
    assert data.images.shape == (12, 48, 48, 1) and data.images.dtype == np.float32
    assert data.boxes.shape == (12, 4) and data.boxes.dtype == np.float32
    assert data.labels.dtype == np.int64 and data.labels.tolist() == labels.tolist()
    assert 0 <= data.images.min() and data.images.max() <= 1
    assert np.all((data.boxes >= 0) & (data.boxes <= 1))
    assert np.all(data.boxes[:, 2] > data.boxes[:, 0]) and np.all(data.boxes[:, 3] > data.boxes[:, 1])


def test_canvas_box_encloses_all_the_ink_and_is_tight():
    digits, labels = _digits(40)
    data = make_canvases(digits, labels, size=64, seed=7)
    for image, box, digit in zip(data.images[..., 0], data.boxes, digits):
        x0, y0, x1, y1 = np.rint(box * 64).astype(int)
        inside = np.zeros_like(image, dtype=bool)
        inside[y0:y1, x0:x1] = True
        assert not image[~inside].any(), "ink outside the box"
        # tight: every edge row and column of the box holds ink
        assert image[y0, x0:x1].any() and image[y1 - 1, x0:x1].any()
        assert image[y0:y1, x0].any() and image[y0:y1, x1 - 1].any()
        # the ink is the digit, scaled to 0..1 and moved, not changed
        assert image.sum() == pytest.approx(digit.sum() / 255.0, rel=1e-5)


def test_canvases_are_deterministic_with_a_seed():
    digits, labels = _digits()
    a = make_canvases(digits, labels, seed=5)
    b = make_canvases(digits, labels, seed=5)
    c = make_canvases(digits, labels, seed=6)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    assert not np.array_equal(a.boxes, c.boxes)


def test_positions_cover_the_whole_canvas():
    digits = np.full((400, 28, 28), 255, dtype=np.uint8)  # ink fills the patch: box = patch
    data = make_canvases(digits, np.zeros(400), size=40, seed=0)
    corners = np.rint(data.boxes[:, :2] * 40).astype(int)
    assert corners.min() == 0 and corners.max() == 40 - 28
    np.testing.assert_allclose(data.boxes[:, 2:] - data.boxes[:, :2], 28 / 40)


def test_canvas_errors_speak_to_the_learner():
    digits, labels = _digits(3)
    with pytest.raises(BoxError, match="size >= 28"):
        make_canvases(digits, labels, size=20)
    with pytest.raises(BoxError, match="labels"):
        make_canvases(digits, labels[:2])
    with pytest.raises(BoxError, match=r"\(N, 28, 28\)"):
        make_canvases(digits[:, :20], labels)


def test_place_digits_puts_each_digit_where_asked():
    digits, _ = _digits(2)
    canvas = place_digits(digits, [(0, 0), (40, 10)], (50, 70))
    assert canvas.shape == (50, 70) and canvas.dtype == np.float32
    np.testing.assert_allclose(canvas[10:38, 40:68], digits[1] / 255.0)
    np.testing.assert_allclose(canvas[:28, :28], digits[0] / 255.0)
    with pytest.raises(BoxError, match="does not fit"):
        place_digits(digits, [(50, 0)], 64)
