"""The run profile is read in one place and sizes everything."""

import numpy as np
import pytest

from helpers.profile import ProfileError, get_profile
from helpers.repro import seed_everything


def test_full_is_the_default(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    profile = get_profile()
    assert profile.name == "full" and profile.is_full and not profile.is_fast
    assert profile.pick(full=10, fast=1) == 10


def test_fast_profile_picks_fast_values_and_cuts_arrays_together(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", " FAST ")
    profile = get_profile()
    assert profile.pick(full=(300, 300), fast=(150, 150)) == (150, 150)
    x, y = profile.take(np.arange(100), np.arange(100) * 2, fast=7)
    assert len(x) == len(y) == 7 and y[-1] == 12
    assert "fast" in profile.describe()


def test_full_profile_keeps_arrays_whole(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    (x,) = get_profile().take(np.arange(100), fast=7)
    assert len(x) == 100


def test_unknown_profile_is_refused_with_the_valid_names(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    with pytest.raises(ProfileError, match="full, fast"):
        get_profile()


def test_seed_everything_makes_numpy_and_tensorflow_repeatable():
    import keras

    seed_everything(7)
    a = np.random.rand(3), keras.random.uniform((3,)).numpy()
    seed_everything(7)
    b = np.random.rand(3), keras.random.uniform((3,)).numpy()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_start_drops_only_the_retracing_warning(capsys):
    import logging

    import helpers

    helpers.start()
    helpers.start()  # twice: the filter is added once
    logger = logging.getLogger("tensorflow")
    from helpers.notebook import _RetracingFilter

    assert sum(isinstance(f, _RetracingFilter) for f in logger.filters) == 1
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        logger.warning(
            "5 out of the last 9 calls to <function f> triggered tf.function retracing. Tracing is expensive"
        )
        logger.warning("Skipping variable loading for optimizer 'adam'")
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records] == ["Skipping variable loading for optimizer 'adam'"]


def test_the_seed_comes_from_course_seed_else_42(monkeypatch, capsys):
    from helpers.notebook import seed_from_environment, start

    monkeypatch.delenv("COURSE_SEED", raising=False)
    assert seed_from_environment() == 42
    monkeypatch.setenv("COURSE_SEED", " 7 ")
    assert seed_from_environment() == 7
    start()
    assert "Seed: 7." in capsys.readouterr().out
    first = np.random.random(3)
    start()
    np.testing.assert_array_equal(first, np.random.random(3))
    start(seed=3)  # an explicit seed wins over the environment
    assert "Seed: 3." in capsys.readouterr().out
    monkeypatch.setenv("COURSE_SEED", "forty-two")
    with pytest.raises(ValueError, match="COURSE_SEED must be a whole number"):
        seed_from_environment()
