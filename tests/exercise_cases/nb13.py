"""Answers to test the exercises of notebook 13 with (see ``__init__.py``)."""

from __future__ import annotations

import numpy as np

from helpers.exercises.nb13 import _q4_solution

from . import Cases


def _q4_permuted(labels, fraction, seed):  # also right: one permutation per class, lists instead of arrays
    rng = np.random.default_rng(seed)
    val = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        val += members[: min(len(members) - 1, max(1, round(fraction * len(members))))].tolist()
    return [i for i in range(len(labels)) if i not in val], val


def _q4_tail(labels, fraction, seed):  # the last fifth of the whole array: not stratified, not random
    n_val = round(fraction * len(labels))
    return np.arange(len(labels) - n_val), np.arange(len(labels) - n_val, len(labels))


def _q4_shuffled_whole(labels, fraction, seed):  # random but not stratified
    order = np.random.default_rng(seed).permutation(len(labels))
    n_val = round(fraction * len(labels))
    return order[n_val:], order[:n_val]


def _q4_last_of_each(labels, fraction, seed):  # stratified, but always the same images
    val = np.concatenate(
        [np.flatnonzero(labels == c)[-max(1, round(fraction * np.sum(labels == c))) :] for c in np.unique(labels)]
    )
    return np.setdiff1d(np.arange(len(labels)), val), val


def _q4_unseeded(labels, fraction, seed):  # ignores the seed
    return _q4_solution(labels, fraction, None)


def _q4_floor(labels, fraction, seed):  # int() instead of round(), and no minimum of 1
    rng = np.random.default_rng(seed)
    val = np.concatenate(
        [
            rng.choice(np.flatnonzero(labels == c), int(fraction * np.sum(labels == c)), replace=False)
            for c in np.unique(labels)
        ]
    )
    return np.setdiff1d(np.arange(len(labels)), val), val


def _q4_floor_at_least_one(labels, fraction, seed):  # int() instead of round(), with the minimum of 1
    rng = np.random.default_rng(seed)
    val = np.concatenate(
        [
            rng.choice(np.flatnonzero(labels == c), max(1, int(fraction * np.sum(labels == c))), replace=False)
            for c in np.unique(labels)
        ]
    )
    return np.setdiff1d(np.arange(len(labels)), val), val


def _q4_within_class(labels, fraction, seed):  # each class's positions counted from 0, not positions in labels
    rng = np.random.default_rng(seed)
    train, val = [], []
    for label in np.unique(labels):
        count = int(np.sum(labels == label))
        order = rng.permutation(count)
        n_val = min(count - 1, max(1, round(fraction * count)))
        val += order[:n_val].tolist()
        train += order[n_val:].tolist()
    return np.array(train), np.array(val)


def _q4_overlap(labels, fraction, seed):  # the training part keeps everything
    return np.arange(len(labels)), _q4_last_of_each(labels, fraction, seed)[1]


CASES = {
    "q1": Cases(
        right=[14.0, np.int64(14)],
        mistakes=[
            (
                16,
                (
                    "16 is not right. For each class compute 0.2 * n, round it to the nearest whole number (at "
                    "least 1), then add up the three classes."
                ),
            ),
            (14.5, "The number of images is a whole number, but you gave 14.5. Each class's share is rounded."),
            ("14", "The number of images should be a number, such as 10, but you gave str '14'."),
            (None, "The number of images should be a number, such as 10, but you gave NoneType None."),
            (True, "The number of images should be a number, such as 10, but you gave bool True."),
        ],
    ),
    "q2": Cases(
        right=["d", " D "],
        mistakes=[
            ("F", "'F' is not one of the options; pick one of A, B, C, D, E."),
            ("DE", "'DE' is not one of the options; pick one of A, B, C, D, E."),
            (["D"], "give the letter of your choice as a string, such as 'a'; you gave list ['D']."),
            (4, "give the letter of your choice as a string, such as 'a'; you gave int 4."),
            (None, "give the letter of your choice as a string, such as 'a'; you gave NoneType None."),
        ],
    ),
    "q3": Cases(
        right=[[0.9, 0.56, 0.875], (0.90, 0.56, 0.88), [45 / 50, 28 / 50, 35 / 40]],
        mistakes=[
            ([0.9, 0.56], "Your per-class accuracy has shape (2,) but should have shape (3,)."),
            (
                [0.9, 0.6, 0.875],
                (
                    "Your per-class accuracy has the right shape, but 1 of its 3 values differs; the first is at "
                    "index (1,): you have 0.6, expected 0.56."
                ),
            ),
            (
                "0.9, 0.56, 0.875",
                (
                    "Your per-class accuracy should be an array of numbers, such as [0.5, 0.5, 0.5]; you gave str "
                    "'0.9, 0.56, 0.875'."
                ),
            ),
            (0.9, "Your per-class accuracy has shape () but should have shape (3,)."),
            (
                None,
                (
                    "Your per-class accuracy should be an array of numbers, such as [0.5, 0.5, 0.5]; you gave "
                    "NoneType None."
                ),
            ),
            (
                ["a", "b", "c"],
                (
                    "Your per-class accuracy should be an array of numbers, such as [0.5, 0.5, 0.5]; you gave list "
                    "['a', 'b', 'c']."
                ),
            ),
        ],
    ),
    "q4": Cases(
        right=[_q4_permuted],
        wrong=[_q4_shuffled_whole, "split_indices", lambda labels, fraction, seed: None],
        mistakes=[
            (
                _q4_tail,
                "the validation part has about the right size, 8 images, but per class {0: 0, 1: 4, "
                "2: 4} instead of {0: 3, 1: 5, 2: 1}: split every class on its own (stratified), so "
                "that each keeps its share.",
            ),
            (
                _q4_last_of_each,
                "seeds 0 and 1 give the same split, so the validation images are not drawn at "
                "random: choose them with np.random.default_rng(seed).choice(..., replace=False) or "
                "a permutation.",
            ),
            (
                _q4_unseeded,
                "called twice with seed 0 it gave two different splits; draw with a generator made "
                "from the seed, np.random.default_rng(seed), so that the split repeats.",
            ),
            (
                _q4_floor,
                "the validation part holds {0: 2, 1: 5, 2: 0} images per class; with fraction 0.2 it "
                "should be {0: 3, 1: 5, 2: 1}: round(fraction * count) of each class, at least 1.",
            ),
            (
                _q4_floor_at_least_one,
                "the validation part holds {0: 2, 1: 5, 2: 1} images per class instead of {0: 3, 1: 5, 2: 1}: you "
                "rounded down, 0.2 * 13 = 2.6 -> 2. Round to the nearest whole number: round(2.6) = 3.",
            ),
            (
                _q4_within_class,
                "your indices run only from 0 to 24 although labels has 42 positions, and some of them repeat: "
                "they look like positions within each class (each class counted from 0). Return positions in "
                "labels itself: np.flatnonzero(labels == label) gives a class's positions in the whole array; "
                "draw the validation positions from those.",
            ),
            (
                _q4_overlap,
                "9 index(es) are in both parts, for example 10; an image is either for training or for validation.",
            ),
        ],
    ),
}
