"""helpers.folders.split_folder with a test part (notebook 13): three disjoint parts per class,
the validation part unchanged by the test part, and the two-part call as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.folders import FolderCheck, split_folder


def _check(counts: dict[str, int]) -> FolderCheck:
    """A FolderCheck of made-up paths (split_folder never opens them)."""
    files = {name: [Path(f"/photos/{name}/{i:03d}.jpg") for i in range(n)] for name, n in counts.items()}
    return FolderCheck(Path("/photos"), tuple(files), files)


def test_three_parts_are_disjoint_complete_and_counted_per_class():
    check = _check({"cats": 100, "dogs": 41, "owls": 5})
    train, val, test = split_folder(check, 0.2, seed=7, test_fraction=0.15)
    paths = [p for p, _ in train + val + test]
    assert len(paths) == len(set(paths)) == 146
    for label, n in enumerate((100, 41, 5)):
        n_val = min(n - 1, max(1, round(0.2 * n)))
        n_test = min(n - n_val - 1, max(1, round(0.15 * n)))
        assert sum(y == label for _, y in val) == n_val
        assert sum(y == label for _, y in test) == n_test
        assert sum(y == label for _, y in train) == n - n_val - n_test >= 1
    assert [sum(y == 2 for _, y in part) for part in (train, val, test)] == [3, 1, 1]


def test_the_test_part_leaves_the_validation_part_as_it_was_and_repeats_with_the_seed():
    check = _check({"a": 60, "b": 23})
    train2, val2 = split_folder(check, 0.2, seed=3)
    train3, val3, test3 = split_folder(check, 0.2, seed=3, test_fraction=0.2)
    assert val3 == val2
    assert sorted(train3 + test3) == sorted(train2)
    assert split_folder(check, 0.2, seed=3, test_fraction=0.2) == (train3, val3, test3)
    assert split_folder(check, 0.2, seed=4, test_fraction=0.2)[2] != test3


def test_a_tiny_class_keeps_one_training_image_and_bad_fractions_are_refused():
    train, val, test = split_folder(_check({"a": 2, "b": 10}), 0.2, test_fraction=0.2)
    assert [sum(y == 0 for _, y in part) for part in (train, val, test)] == [1, 1, 0]
    for bad in (-0.1, 0.8, 0.9):
        with pytest.raises(ValueError, match="test_fraction"):
            split_folder(_check({"a": 10, "b": 10}), 0.2, test_fraction=bad)
