"""Exercises of notebook 13 (your own images): the split, folder layouts, a confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from .building import Code, call
from .framework import Choice, Number, Wrong, code_of, letter, numbered

# --------------------------------------------------------------------------- q1: the split

Q1_COUNTS = {"apples": 8, "pears": 18, "plums": 41}
Q1_FRACTION = 0.2


def validation_count(n: int, fraction: float) -> int:
    """Validation images of a class of ``n`` images, as ``helpers.folders.split_folder`` counts them."""
    return min(n - 1, max(1, round(fraction * n)))


Q1_PER_CLASS = {name: validation_count(n, Q1_FRACTION) for name, n in Q1_COUNTS.items()}  # 2, 4, 8
Q1_EXPECTED = sum(Q1_PER_CLASS.values())  # 14
_Q1_TOTAL = sum(Q1_COUNTS.values())  # 67


q1 = Number(
    Q1_EXPECTED,
    title="validation images of a split",
    what="The number of images",
    example="10",
    whole=True,
    why="Each class's share is rounded.",
    praise=(
        "0.2 * 8 = 1.6 -> 2, 0.2 * 18 = 3.6 -> 4, 0.2 * 41 = 8.2 -> 8: 14 validation images "
        "(and 53 for training). Each class is split on its own, so each keeps its share."
    ),
    mistakes=numbered(
        [
            (
                round(Q1_FRACTION * _Q1_TOTAL),
                "that is 20% of all 67 images, rounded. split_folder splits each class on "
                "its own and rounds each share: add up three rounded numbers.",
            ),
            (
                sum(int(Q1_FRACTION * n) for n in Q1_COUNTS.values()),
                "that comes from rounding every share down (1, 3, 8). split_folder rounds to the nearest whole number: "
                "1.6 -> 2 and 3.6 -> 4.",
            ),
            (
                sum(int(np.ceil(Q1_FRACTION * n)) for n in Q1_COUNTS.values()),
                "that comes from rounding every share up (2, 4, 9). split_folder rounds to the nearest whole number: "
                "8.2 -> 8.",
            ),
            (_Q1_TOTAL - Q1_EXPECTED, "that is the number of training images; the question asks for validation."),
            (_Q1_TOTAL, "that is every image of the folder; the question asks how many go to validation."),
            (len(Q1_COUNTS), "that is one per class, the least split_folder gives a class; these classes get more."),
        ]
    ),
    otherwise=(
        "For each class compute 0.2 * n, round it to the nearest whole number (at least 1), then add "
        "up the three classes."
    ),
    hint=(
        "Each class is split on its own: a class of $n$ images gets "
        "$\\min(n - 1, \\max(1, \\operatorname{round}(f \\cdot n)))$ validation images. Do it for the "
        "three classes and add up."
    ),
    solution=(
        "$0.2 \\cdot 8 = 1.6 \\to 2$, $0.2 \\cdot 18 = 3.6 \\to 4$, $0.2 \\cdot 41 = 8.2 \\to 8$: "
        "$2 + 4 + 8 = 14$ validation images, 53 for training. Check: "
        "`sum(ex.validation_count(n, 0.2) for n in (8, 18, 41))`."
    ),
)


# --------------------------------------------------------------------------- q2: folder layouts

Q2_LAYOUTS = {
    "A": "photos/ holds 80 files IMG_0001.jpg ... IMG_0080.jpg, 40 of cats and 40 of dogs",
    "B": "photos/cats/ holds 40 photos, photos/dogs/ holds 3 photos",
    "C": "photos/pets/cats/ holds 40 photos, photos/pets/dogs/ holds 40 photos",
    "D": ("photos/cats/ holds 40 photos and notes.txt, photos/dogs/ holds 35 photos and broken.jpg (a damaged file)"),
    "E": "photos/cats/ holds 40 photos, photos/dogs/ holds 40 photos, photos/birds/ is empty",
}
Q2_EXPECTED = "D"
_Q2_WHY_NOT = {
    "A": (
        "A has no class folders: the labels come from the sub-folder names, so check_image_folder stops with "
        "'holds 80 images but no class folders'. Sort them into cats/ and dogs/."
    ),
    "B": (
        "B has a class with 3 images: check_image_folder stops, since at least 5 per class are needed so "
        "that training and validation both get some."
    ),
    "C": (
        "C has one class folder, pets/: the images in its sub-folders all count as the class 'pets', so "
        "check_image_folder stops with 'only one class folder'. Point FOLDER at photos/pets instead."
    ),
    "E": (
        "E has an empty class folder, birds/: check_image_folder stops ('The class folder birds/ is "
        "empty'). Add bird photos or remove the folder."
    ),
}


q2 = Choice(
    Q2_EXPECTED,
    options=Q2_LAYOUTS,
    normalise=lambda answer: letter(answer).upper(),
    title="a folder layout that trains",
    praise=(
        "D trains: notes.txt is ignored (not an image by its name) and broken.jpg is left out and "
        "named in the report; 40 cats and 35 dogs remain. A has no class folders, B too few dogs, "
        "C one class, E an empty class."
    ),
    mistakes=list(_Q2_WHY_NOT.items()),
    hint=(
        "Section 2 shows what stops check_image_folder: no class folders, one class only, an empty class, "
        "too few images in a class. Unreadable files and files that are not images by their name are left out "
        "with a note, not an error."
    ),
    solution=(
        "`'D'`. A: images but no class folders. B: a class of 3 images (at least 5 are needed). C: a "
        "single class folder, pets/ (nested folders do not make classes). E: an empty class folder. "
        "D has two classes with enough images; notes.txt is ignored and broken.jpg is left out and "
        "listed in the report."
    ),
)


# --------------------------------------------------------------------------- q3: reading a confusion matrix

Q3_CLASSES = ("apples", "pears", "plums")
Q3_MATRIX = np.array([[45, 3, 2], [10, 28, 12], [1, 4, 35]])  # rows: true class, columns: predicted
Q3_EXPECTED = np.diag(Q3_MATRIX) / Q3_MATRIX.sum(axis=1)  # 0.9, 0.56, 0.875

q3 = Number(
    Q3_EXPECTED,
    title="per-class accuracy of three classes",
    what="Your per-class accuracy",
    example="[0.5, 0.5, 0.5]",
    tol=0.01,
    praise=(
        "apples 45/50 = 0.90, pears 28/50 = 0.56, plums 35/40 = 0.875. The overall accuracy, "
        "108/140 = 0.77, hides that pears are recognised barely more than half of the time: most "
        "often they are taken for plums (12) or apples (10)."
    ),
    mistakes=[
        (Q3_EXPECTED * 100, "those are percentages; give fractions between 0 and 1, such as 0.9."),
        (
            np.diag(Q3_MATRIX) / Q3_MATRIX.sum(axis=0),
            "you divided by the column sums: that is how often a prediction of the class is right (precision). "
            "Per-class accuracy divides the diagonal by the row sums, the images that truly are of the class.",
        ),
        (
            np.full(3, np.trace(Q3_MATRIX) / Q3_MATRIX.sum()),
            "0.77 for every class is the overall accuracy (108 of 140). Work out each row separately.",
        ),
        (np.diag(Q3_MATRIX), "those are the counts on the diagonal; divide each by its row's sum."),
    ],
    hint=(
        "Row $i$ holds every image whose true class is $i$; the diagonal entry $m_{ii}$ is how many of "
        "them were predicted right. Per-class accuracy is $m_{ii} / \\sum_j m_{ij}$."
    ),
    solution=(
        "$45/50 = 0.9$, $28/50 = 0.56$, $35/40 = 0.875$, so `[0.9, 0.56, 0.875]`. Check: "
        "`np.diag(ex.Q3_MATRIX) / ex.Q3_MATRIX.sum(axis=1)`, the formula that `per_class_accuracy` of "
        "section 6 applies to the matrix it counts from the labels."
    ),
)

# ===================================================================== code exercises
# q4: a stratified split. The learner writes split_indices(labels, fraction, seed); the checker
# runs it on a small, unbalanced, sorted label array and reads the two index arrays: disjoint and
# complete, the right number of validation images per class, random and repeatable.


Q4_LABELS = np.repeat([0, 1, 2], [13, 25, 4])  # sorted by class, as a folder listing is
Q4_FRACTION = 0.2


def q4_expected_counts(labels: np.ndarray, fraction: float) -> dict[int, int]:
    """Validation images per class: round(fraction * count), at least 1 and at most count - 1."""
    return {
        int(c): min(int(n) - 1, max(1, round(fraction * int(n))))
        for c, n in zip(*np.unique(labels, return_counts=True))
    }


def _q4_indices(result: Any) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Wrong(
            f"split_indices should return two arrays, (train_indices, val_indices); it returned "
            f"{type(result).__name__}."
        )
    arrays = []
    for name, part in zip(("train_indices", "val_indices"), result):
        array = np.asarray(part)
        if array.ndim != 1 or not (array.size == 0 or np.issubdtype(array.dtype, np.integer)):
            raise Wrong(
                f"{name} should be a 1-D array of whole numbers (positions in labels); it has shape "
                f"{array.shape} and dtype {array.dtype}."
            )
        arrays.append(array.astype(int))
    return arrays[0], arrays[1]


def _per_class_positions(labels: np.ndarray, train: np.ndarray, val: np.ndarray) -> None:
    """Wrong when the indices look counted within each class (every class from 0), not in ``labels``."""
    largest = int(np.unique(labels, return_counts=True)[1].max())
    every = np.concatenate([train, val])
    if len(every) != len(labels) or every.size == 0 or every.min() < 0 or every.max() >= largest:
        return
    if np.unique(every).size < every.size:  # positions repeat across classes: each class counted from 0
        raise Wrong(
            f"your indices run only from {int(every.min())} to {int(every.max())} although labels has "
            f"{len(labels)} positions, and some of them repeat: they look like positions within each class "
            f"(each class counted from 0). Return positions in labels itself: np.flatnonzero(labels == label) "
            f"gives a class's positions in the whole array; draw the validation positions from those."
        )


def _check_q4(answer: Any) -> str:
    labels = Q4_LABELS
    train, val = _q4_indices(call(answer, labels.copy(), Q4_FRACTION, 0))
    n = len(labels)
    _per_class_positions(labels, train, val)
    both = np.intersect1d(train, val)
    if both.size:
        raise Wrong(
            f"{both.size} index(es) are in both parts, for example {int(both[0])}; an image is either for "
            f"training or for validation."
        )
    if len(set(train.tolist())) != len(train) or len(set(val.tolist())) != len(val):
        raise Wrong("an index appears twice in one part; draw without replacement (replace=False).")
    missing = np.setdiff1d(np.arange(n), np.concatenate([train, val]))
    if (
        missing.size
        or min(train.min(initial=0), val.min(initial=0)) < 0
        or max(train.max(initial=0), val.max(initial=0)) >= n
    ):
        raise Wrong(
            f"the two parts should hold every index from 0 to {n - 1} exactly once; "
            f"{missing.size} are missing (for example {int(missing[0]) if missing.size else '-'})."
        )
    expected = q4_expected_counts(labels, Q4_FRACTION)
    got = {c: int(np.sum(labels[val] == c)) for c in expected}
    if got != expected:
        counts = dict(zip(*np.unique(labels, return_counts=True)))
        if got == {c: min(counts[c] - 1, max(1, int(Q4_FRACTION * counts[c]))) for c in expected}:
            c = next(c for c in expected if got[c] != expected[c])
            raise Wrong(
                f"the validation part holds {got} images per class instead of {expected}: you rounded down, "
                f"{Q4_FRACTION} * {counts[c]} = {Q4_FRACTION * counts[c]:g} -> {got[c]}. Round to the nearest "
                f"whole number: round({Q4_FRACTION * counts[c]:g}) = {expected[c]}."
            )
        if abs(len(val) - sum(expected.values())) <= 1:
            raise Wrong(
                f"the validation part has about the right size, {len(val)} images, but per class {got} instead of "
                f"{expected}: split every class on its own (stratified), so that each keeps its share."
            )
        raise Wrong(
            f"the validation part holds {got} images per class; with fraction {Q4_FRACTION} it should be "
            f"{expected}: round(fraction * count) of each class, at least 1."
        )
    again = _q4_indices(call(answer, labels.copy(), Q4_FRACTION, 0))
    if not (np.array_equal(np.sort(again[1]), np.sort(val))):
        raise Wrong(
            "called twice with seed 0 it gave two different splits; draw with a generator made from the "
            "seed, np.random.default_rng(seed), so that the split repeats."
        )
    other = _q4_indices(call(answer, labels.copy(), Q4_FRACTION, 1))
    if np.array_equal(np.sort(other[1]), np.sort(val)):
        raise Wrong(
            "seeds 0 and 1 give the same split, so the validation images are not drawn at random: "
            "choose them with np.random.default_rng(seed).choice(..., replace=False) or a permutation."
        )
    return (
        f"validation images per class {expected}: every class keeps its share, even the small class 2, and "
        f"the same seed gives the same split."
    )


def _q4_solution(labels, fraction, seed):
    rng = np.random.default_rng(seed)
    val = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        n_val = min(len(members) - 1, max(1, round(fraction * len(members))))
        val.extend(rng.choice(members, n_val, replace=False))
    val = np.sort(np.array(val))
    train = np.setdiff1d(np.arange(len(labels)), val)
    return train, val


q4 = Code(
    _check_q4,
    answer=_q4_solution,
    stub="split_indices",
    title="a stratified split",
    hint="Loop over the classes, np.unique(labels). For each, np.flatnonzero(labels == label) gives its "
    "positions; draw round(fraction * count) of them (at least 1) with rng.choice(..., replace=False), "
    "where rng = np.random.default_rng(seed) is made once, before the loop. The training part is every "
    "other position: np.setdiff1d(np.arange(len(labels)), val).",
    solution=code_of(_q4_solution, "split_indices"),
)
