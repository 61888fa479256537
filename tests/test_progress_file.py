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


def test_a_progress_file_from_before_the_renumbering_is_read_under_todays_notebooks(tmp_path, monkeypatch):
    target = tmp_path / "progress.json"
    monkeypatch.setenv(framework.PROGRESS_ENV, str(target))
    target.write_text(
        json.dumps(
            {
                "nb01": {"q1": "solved"},
                "nb03": {"q1": "solved", "q6": "solved", "q7": "tried"},  # q5-q7 are notebook 04's now
                "nb04": {"q2": "solved"},  # MNIST, now notebook 05
                "nb13": {"q4": "tried"},  # beyond classification, now notebook 14
            }
        )
    )
    assert framework._load() == {
        "format": framework.PROGRESS_FORMAT,
        "nb01": {"q1": "solved"},
        "nb03": {"q1": "solved"},
        "nb04": {"q2": "solved", "q3": "tried"},
        "nb05": {"q2": "solved"},
        "nb14": {"q4": "tried"},
    }
    exercise = framework.exercises_in(nb01)[1]
    framework._record(exercise, exercise.evaluate(exercise.answer))  # written back in today's layout
    saved = json.loads(target.read_text())
    assert saved["format"] == framework.PROGRESS_FORMAT and saved["nb05"] == {"q2": "solved"}
    assert saved["nb01"] == {"q1": "solved", "q2": "solved"}
    assert framework._migrate(saved) == saved  # today's layout is left as it is
