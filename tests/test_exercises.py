"""Every exercise accepts its right answers and its own solution, and gives each known mistake its exact message.

The answers tried are in ``tests/exercise_cases/``, one module per notebook."""

from __future__ import annotations

import json
import re

import keras
import numpy as np
import pytest

import helpers.exercises as package
from exercise_cases import all_cases
from helpers.exercises import Check, Function, Number, Shape, Wrong, ____, exercises_in, framework

MODULES = framework.notebook_modules()
EXERCISES = {f"{m.__name__.rsplit('.', 1)[1]}.{ex.name}": ex for m in MODULES for ex in exercises_in(m)}
CASES = all_cases()
# The "reach X" tasks train a model per check; tests/test_code_exercises.py trains their reference and
# shown solutions once each, so the two tests below that would train them again leave them out.
REACH_X = {"nb05.q4", "nb07.q5"}
WITHOUT_REACH_X = [name for name in EXERCISES if name not in REACH_X]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """No test writes progress into the real cache folder: each test's own cache holds it."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_PROGRESS_FILE", raising=False)


def test_the_reach_x_tasks_left_out_above_exist_and_are_trained_elsewhere():
    assert REACH_X <= set(EXERCISES)
    import test_code_exercises

    assert REACH_X <= set(test_code_exercises.CODE_EXERCISES)


def test_every_exercise_is_tested_with_a_right_answer_and_two_wrong_ones_with_their_messages():
    assert sorted(CASES) == sorted(EXERCISES), "tests/exercise_cases/ and the exercises name different exercises"
    for name, exercise in EXERCISES.items():
        cases = CASES[name]
        assert cases.right or _solution_code(exercise), f"{name}: no right answer besides the reference"
        # wrong answers written here, each with the exact message it must get (the table of mistakes in the
        # exercise module is tried too, but its values and messages come from the module itself)
        assert len(cases.mistakes) >= 2, f"{name}: fewer than two wrong answers with their exact message"


def test_every_notebook_module_has_at_least_two_exercises():
    assert len(MODULES) >= 13
    for module in MODULES:
        assert len(exercises_in(module)) >= 2, module.__name__


def right_answers(name: str) -> list:
    """The reference answer, the other values a Number accepts, and the right answers of the cases."""
    exercise = EXERCISES[name]
    return [exercise.answer, *(value for value, _ in getattr(exercise, "accept", ())), *CASES[name].right]


@pytest.mark.parametrize("name", WITHOUT_REACH_X)
def test_right_answers_are_accepted(name):
    for answer in right_answers(name):
        result = EXERCISES[name].evaluate(answer)
        assert result.status == "correct", f"rejected the right answer {answer!r}: {result}"


@pytest.mark.parametrize("name", EXERCISES)
def test_each_known_mistake_gets_its_exact_message(name):
    exercise = EXERCISES[name]
    for answer, message in [*exercise.mistakes, *CASES[name].mistakes]:
        result = exercise.evaluate(answer)
        assert (result.status, result.message) == ("wrong", message), f"for {answer!r}"


@pytest.mark.parametrize("name", EXERCISES)
def test_wrong_answers_are_rejected_by_the_checker_not_by_a_crash(name):
    for answer in CASES[name].wrong:
        result = EXERCISES[name].evaluate(answer)
        assert result.status in ("wrong", "error"), f"{answer!r} gave {result}"
        assert len(result.message) > 15, f"feedback too vague: {result.message!r}"


def _solution_code_of(exercise) -> str | None:
    blocks = re.findall(r"```python\n(.*?)```", exercise.solution_text, flags=re.S)
    return blocks[0] if blocks else None


def _solution_code(exercise) -> str | None:
    """The code of a code exercise's solution(), which defines the stub."""
    return _solution_code_of(exercise) if getattr(exercise, "stub", None) else None


@pytest.mark.parametrize("name", WITHOUT_REACH_X)
def test_the_solution_passes_its_own_check(name):
    exercise = EXERCISES[name]
    assert exercise.evaluate(exercise.answer).status == "correct"
    code = _solution_code(exercise)
    if code is not None:  # a code exercise: the code shown in solution() is what passes
        namespace = {"np": np, "keras": keras}
        exec(code, namespace)
        result = exercise.evaluate(namespace[exercise.stub])
        assert result.status == "correct", result


@pytest.mark.parametrize("name", EXERCISES)
def test_blank_answer_and_hint_and_solution(name):
    exercise = EXERCISES[name]
    assert exercise.evaluate(____).status == "blank"
    assert exercise.title and exercise.hint().text and exercise.solution().text


def test_code_exercises_follow_the_stub_convention():
    stubs = [ex for ex in EXERCISES.values() if hasattr(ex, "stub")]
    assert stubs
    for ex in stubs:
        assert ex.evaluate(lambda *args, **kwargs: ____).status == "blank", ex
        assert "pass the function itself" in ex.evaluate(42).message


# ------------------------------------------------------------------------ the framework itself


def _demo(answer):
    if answer != 4:
        raise Wrong(f"you gave {answer}, but 2 + 2 is 4")
    return "2 + 2 is 4."


DEMO = Check(_demo, answer=4, title="add", hint="add", solution="4")


def test_framework_reports_each_outcome_without_raising():
    assert DEMO.check(4).correct and str(DEMO.check(4)) == "Correct: 2 + 2 is 4."
    wrong = DEMO.check(5)
    assert wrong.status == "wrong" and "you gave 5" in str(wrong) and "Not yet" in wrong._repr_html_()


def test_feedback_in_html_escapes_the_message_and_shows_code_spans_as_code():
    html = framework.Result("wrong", "end it with `return` and the <result>")._repr_html_()
    assert "end it with <code>return</code> and the &lt;result&gt;" in html and "`" not in html


def test_a_checker_that_crashes_is_reported_as_broken_not_as_the_learners_error():
    crashing = Check(lambda answer: answer + 1, answer=1, title="t", hint="h", solution="s")
    result = crashing.evaluate("a string")
    assert result.status == "broken" and "TypeError" in result.message and "checker" in result.message


def test_an_error_in_the_learners_code_names_the_learners_line():
    def learner_function(x):
        return x / 0

    result = Check(lambda f: framework.run(f, 1), answer=None, title="t", hint="h", solution="s").check(
        learner_function
    )
    assert result.status == "error" and "ZeroDivisionError" in result.message and "learner_function" in result.message


def test_mistake_tables_are_validated_when_declared():
    common = dict(title="t", hint="h", solution="s", what="The count")
    with pytest.raises(ValueError, match="two known mistakes are alike"):
        Number(256, mistakes=[(3136, "first message here"), (3136.0, "second message here")], **common)
    with pytest.raises(ValueError, match="equals the answer"):
        Number(256, mistakes=[(256, "a message that can never show")], **common)
    with pytest.raises(ValueError, match="equals the answer"):
        Shape((2, 3), mistakes=[([2, 3], "a message that can never show")], title="t", hint="h", solution="s")
    with pytest.raises(ValueError, match="equals the answer"):
        Function(
            np.abs,
            stub="f",
            cases=[(np.array([-1.0, 2.0]),)],
            title="t",
            hint="h",
            solution="s",
            mistakes=[(lambda x: np.sqrt(x * x), "a message that can never show")],
        )


def test_a_check_takes_no_mistake_table():
    with pytest.raises(TypeError, match="no mistake table"):
        Check(_demo, answer=4, title="add", hint="add", solution="4", mistakes=[(5, "you gave 5, but 2 + 2 is 4")])


def test_code_of_shows_a_reference_class_under_the_learners_name():
    from helpers.exercises import nb05

    code = _solution_code_of(nb05.q1)
    assert code.startswith("class StopAtValAccuracy(keras.callbacks.Callback):\n")
    namespace = {"keras": keras}
    exec(code, namespace)
    assert nb05.q1.evaluate(namespace["StopAtValAccuracy"]).correct


def test_nb05_q1_the_notebooks_stub_is_not_attempted():
    from pathlib import Path

    import nbformat

    from helpers.exercises import nb05

    path = Path(__file__).resolve().parent.parent / "notebooks" / "05_mnist_dense.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    stub = next(c.source for c in cells if c.source.startswith("class StopAtValAccuracy"))
    namespace = {"keras": keras}
    exec(stub.split("\n\n\n")[0], namespace)  # the class, without the check below it
    result = nb05.q1.evaluate(namespace["StopAtValAccuracy"])
    assert (result.status, result.message) == ("blank", nb05._UNFILLED)


def test_number_feedback():
    ex = Number(
        42,
        what="The number of steps",
        example="10",
        whole=True,
        why="One step per batch.",
        mistakes=[(41, "41: that rounds down.")],
        otherwise="Use ceil(N / B).",
        title="t",
        hint="h",
        solution="s",
    )
    assert ex.evaluate(np.float32(42)).correct and ex.evaluate(41).message == "41: that rounds down."
    assert ex.evaluate(True).message == "The number of steps should be a number, such as 10, but you gave bool True."
    assert ex.evaluate(41.5).message == "The number of steps is a whole number, but you gave 41.5. One step per batch."
    assert ex.evaluate(1000).message == "1,000 is not right. Use ceil(N / B)."


# ------------------------------------------------------------------------ progress


def test_progress_lists_solved_and_open_exercises_and_survives_a_damaged_file(tmp_path):
    from helpers.exercises import nb01

    empty = package.progress()
    assert empty.solved == 0 and empty.total == len(EXERCISES) and "0 of" in repr(empty)
    nb01.q1.check(____)  # not attempted: nothing recorded
    assert not (tmp_path / "cache" / framework.PROGRESS_FILE).exists()
    nb01.q1.check(30)
    nb01.q2.check(1)
    nb01.q1.check(29)  # a later wrong answer does not undo a solved exercise
    saved = json.loads((tmp_path / "cache" / framework.PROGRESS_FILE).read_text())
    assert saved == {"format": framework.PROGRESS_FORMAT, "nb01": {"q1": "solved", "q2": "tried"}}
    shown = package.progress()
    assert shown.solved == 1 and shown.total == empty.total
    first = shown.rows[0]
    assert first[0].startswith("notebook 01") and [n for n, _ in first[1]] == ["q1"]
    assert "q2" in [n for n, _ in first[2]] and "| notebook 01" in shown._repr_markdown_()
    (tmp_path / "cache" / framework.PROGRESS_FILE).write_text("{not json")
    assert package.progress().solved == 0


# ------------------------------------------------------------------------ notebook 04: how a network learns


def test_nb04_gradient_exercise_agrees_with_gradient_tape_and_names_typical_slips():
    import tensorflow as tf

    from helpers.exercises import nb04

    for w, x, y in nb04.Q1_CASES:  # the reference is the derivative TensorFlow computes
        weight = tf.Variable(w, dtype=tf.float64)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((weight * x - y) ** 2)
        assert np.isclose(float(tape.gradient(loss, weight)), nb04._mse_gradient(w, x, y), rtol=1e-12)

    def learner_right(w, x, y):
        total = 0.0
        for xi, yi in zip(x, y):
            total += 2 * (w * xi - yi) * xi
        return total / len(x)

    def learner_no_two(w, x, y):
        return ((w * x - y) * x).mean()

    def learner_summed(w, x, y):
        return (2 * (w * x - y) * x).sum()

    assert nb04.q1.evaluate(learner_right).correct
    assert nb04.q1.evaluate(learner_no_two).message.startswith("your gradient is half the right one")
    assert nb04.q1.evaluate(learner_summed).message.startswith("your gradient is n times too large")
    assert nb04.q1.evaluate(lambda w, x, y: ____).status == "blank"


def test_nb04_descent_exercise_accepts_a_loop_and_names_typical_slips():
    from helpers.exercises import nb04

    def learner_right(gradient, w, learning_rate, steps):
        for _ in range(steps):
            w -= learning_rate * gradient(w)
        return w

    def learner_ascends(gradient, w, learning_rate, steps):
        for _ in range(steps):
            w = w + learning_rate * gradient(w)
        return w

    def learner_forgets_to_assign(gradient, w, learning_rate, steps):
        for _ in range(steps):
            new_w = w - learning_rate * gradient(w)  # noqa: F841 (the slip under test)
        return w

    def learner_crashes(gradient, w, learning_rate, steps):
        return w - learning_rate * gradient(w)[0]

    assert nb04.q2.evaluate(learner_right).correct
    assert nb04.q2.evaluate(learner_ascends).message.startswith("your w moves uphill")
    assert nb04.q2.evaluate(learner_forgets_to_assign).message.startswith(
        "your function returns the starting w unchanged"
    )
    crashed = nb04.q2.evaluate(learner_crashes)
    assert crashed.status == "error" and "learner_crashes" in crashed.message
    final = nb04._descend(nb04.Q2_CASES[0][0], 0.0, 0.1, 200)
    assert abs(final - 3.0) < 1e-9  # the reference really reaches the minimum of (w - 3)**2


def test_nb04_steps_per_epoch_feedback():
    from helpers.exercises import nb04

    assert nb04.q3.evaluate(32).correct and nb04.q3.evaluate(32.0).correct
    assert nb04.q3.evaluate(31).message.startswith("that is the number of full batches")
    assert nb04.q3.evaluate(1000).message.startswith("that would be one update per image")
    assert nb04.q3.evaluate(64).message == (
        "64 is not right. An epoch makes one update per batch: ceil(N / B) of them."
    )
