"""Every exercise checker accepts its right answers and rejects the wrong ones, with feedback."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import helpers.exercises as package
from helpers.exercises import Exercise, Wrong, ____, exercises_in

MODULES = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("nb"))
EXERCISES = [
    pytest.param(ex, id=f"{name}.{ex.name}")
    for name in MODULES
    for ex in exercises_in(importlib.import_module(f"helpers.exercises.{name}"))
]


def test_every_notebook_module_has_at_least_two_exercises():
    assert MODULES, "no exercise modules found"
    for name in MODULES:
        found = exercises_in(importlib.import_module(f"helpers.exercises.{name}"))
        assert len(found) >= 2, f"{name} has {len(found)} exercise(s)"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_right_answers_are_accepted(exercise: Exercise):
    assert exercise.right, f"{exercise.name} lists no right answer to test its checker with"
    for answer in exercise.right:
        result = exercise.evaluate(answer)
        assert result.status == "correct", f"{exercise.name} rejected a right answer: {result}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_wrong_answers_are_rejected_with_specific_feedback(exercise: Exercise):
    assert exercise.wrong, f"{exercise.name} lists no wrong answer to test its checker with"
    for answer in exercise.wrong:
        result = exercise.evaluate(answer)
        assert result.status in ("wrong", "error"), f"{exercise.name} accepted a wrong answer {answer!r}"
        assert len(result.message) > 15, f"feedback too vague: {result.message!r}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_blank_answer_and_hint_and_solution(exercise: Exercise):
    assert exercise.evaluate(____).status == "blank"
    assert exercise.hint().text and exercise.solution().text


def _checker(answer):
    if answer != 4:
        raise Wrong(f"you gave {answer}, but 2 + 2 is 4")
    return "2 + 2 is 4."


DEMO = Exercise("demo", "2 + 2?", _checker, "add", "4", right=[4], wrong=[5])


def test_framework_reports_each_outcome_without_raising():
    assert DEMO.check(4).correct and str(DEMO.check(4)) == "Correct: 2 + 2 is 4."
    wrong = DEMO.check(5)
    assert wrong.status == "wrong" and "you gave 5" in str(wrong) and "Not yet" in wrong._repr_html_()


def test_an_answer_that_raises_becomes_an_error_result_not_a_traceback():
    def learner_function(x):
        return x / 0

    ex = Exercise("f", "", lambda f: f(1), "", "", right=[], wrong=[])
    result = ex.check(learner_function)
    assert result.status == "error" and "ZeroDivisionError" in result.message and "learner_function" in result.message


def test_whole_number_accepts_whole_numbers_and_explains_the_rest():
    from helpers.exercises.framework import Wrong, whole_number

    assert [whole_number(v, "The count") for v in (3, 3.0, np.int64(3), np.float32(3))] == [3, 3, 3, 3]
    for bad, message in ((True, "should be a number, such as 7"), ("3", "should be a number, such as 7"),
                         (None, "should be a number"), (2.5, "is a whole number, but you gave 2.5. It counts.")):
        with pytest.raises(Wrong, match=message):
            whole_number(bad, "The count", example="7", why="It counts.")
