"""The exercise progress file: where a learner's results go, and that the tests never write into the clone."""

from __future__ import annotations

import json
import os
from pathlib import Path

from helpers.exercises import framework, nb01

ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_keeps_progress_out_of_the_clone():
    target = Path(os.environ[framework.PROGRESS_ENV]).resolve()
    assert ROOT not in target.parents, f"the tests would write progress into the clone: {target}"


def test_progress_follows_the_environment_variable(tmp_path, monkeypatch):
    target = tmp_path / "deep" / "progress.json"
    monkeypatch.setenv(framework.PROGRESS_ENV, str(target))
    assert framework.progress_path() == target
    exercise = framework.exercises_in(nb01)[0]
    framework._record(exercise, exercise.evaluate(exercise.answer))
    assert json.loads(target.read_text())["nb01"] == {"q1": "solved"}


def test_without_the_variable_progress_sits_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(framework.PROGRESS_ENV, raising=False)
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    assert framework.progress_path() == tmp_path / "cache" / framework.PROGRESS_FILE
