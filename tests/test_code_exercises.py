"""The exercises in which the learner writes code (notebooks 05-14): each checker accepts the
reference solution and the code its solution() shows, gives each known mistake its exact message,
rejects the other wrong answers without crashing, and says "Not attempted" for an unfilled stub.

The two "reach X" exercises (05 q4, 07 q5) train small models; in the fast profile they train on
2,000 images, a few seconds each.
"""

from __future__ import annotations

import re
import time

import keras
import numpy as np
import pytest

import exercise_cases
from helpers.exercises import Function, ____, exercises_in, nb05, nb06, nb07, nb08, nb09, nb10, nb11, nb12, nb13, nb14
from helpers.exercises.building import Code

CASES = exercise_cases.all_cases()

CODE_EXERCISES = {
    "nb05.q4": nb05.q4,
    "nb06.q4": nb06.q4,
    "nb07.q4": nb07.q4,
    "nb07.q5": nb07.q5,
    "nb08.q4": nb08.q4,
    "nb09.q4": nb09.q4,
    "nb10.q5": nb10.q5,
    "nb11.q5": nb11.q5,
    "nb13.q4": nb13.q4,
    "nb14.q4": nb14.q4,
}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """No test writes progress into the real cache folder."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))


def _solution_function(exercise):
    """The function defined by the code block of ``exercise.solution()``."""
    code = re.findall(r"```python\n(.*?)```", exercise.solution_text, flags=re.S)[0]
    namespace = {"np": np, "keras": keras}
    exec(code, namespace)
    return namespace[exercise.stub]


def test_every_notebook_from_04_on_has_a_code_exercise():
    for module in (nb05, nb06, nb07, nb08, nb09, nb10, nb11, nb12, nb13, nb14):
        assert any(hasattr(exercise, "stub") for exercise in exercises_in(module)), module.__name__
    assert all(hasattr(exercise, "stub") for exercise in CODE_EXERCISES.values())


@pytest.mark.parametrize("name", CODE_EXERCISES)
def test_the_reference_and_the_shown_solution_are_accepted(name):
    exercise = CODE_EXERCISES[name]
    for answer in (exercise.answer, *CASES[name].right, _solution_function(exercise)):
        result = exercise.evaluate(answer)
        assert result.status == "correct", f"{exercise.title}: {result}"


@pytest.mark.parametrize("name", CODE_EXERCISES)
def test_each_known_mistake_gets_its_exact_message(name):
    exercise = CODE_EXERCISES[name]
    mistakes = [*exercise.mistakes, *CASES[name].mistakes]
    assert len(mistakes) >= 2, f"{exercise.title}: fewer than two typical mistakes"
    for answer, message in mistakes:
        result = exercise.evaluate(answer)
        assert (result.status, result.message) == ("wrong", message), f"{exercise.title}: {answer!r}"


@pytest.mark.parametrize("name", CODE_EXERCISES)
def test_other_wrong_answers_are_rejected_by_the_checker_not_by_a_crash(name):
    exercise = CODE_EXERCISES[name]
    for answer in CASES[name].wrong:
        result = exercise.evaluate(answer)
        assert result.status in ("wrong", "error"), f"{exercise.title}: {answer!r} gave {result}"
        assert "Traceback" not in result.message and len(result.message) > 15


@pytest.mark.parametrize("name", CODE_EXERCISES)
def test_an_unfilled_stub_is_not_attempted_and_a_non_function_is_named(name):
    exercise = CODE_EXERCISES[name]
    assert exercise.evaluate(lambda *args, **kwargs: ____).status == "blank"
    assert exercise.evaluate(____).status == "blank"
    assert f"pass the function itself, `{exercise.stub}`" in exercise.evaluate(42).message


def test_an_error_in_the_learners_code_names_the_line_and_is_no_traceback():
    def build_regularised():
        return keras.Sequential([keras.Input((28, 28)), keras.layers.Dense(128, activation="rleu")])

    result = nb06.q4.evaluate(build_regularised)
    assert result.status == "error" and "build_regularised" in result.message and "Traceback" not in result.message


# ------------------------------------------------------------------------------------- reach X


def test_reach_x_rejects_a_model_below_the_target_with_its_accuracy():
    result = nb05.q4.evaluate(exercise_cases.nb05._q4_one_epoch_sgd)
    assert result.status == "wrong"
    assert re.fullmatch(
        rf"accuracy 0\.\d{{3}} on {nb05.Q4_HELD_OUT:,} images your function did not train on, after \d+ s of "
        rf"training; the target is {nb05.Q4_TARGET:.2f}\. Train a few more epochs, or give the "
        rf"network more units\.",
        result.message,
    ), result.message
    accuracy = float(result.message.split()[1])
    assert accuracy < nb05.Q4_TARGET


def test_reach_x_with_a_cnn_rejects_a_weak_network():
    result = nb07.q5.evaluate(exercise_cases.nb07._q5_too_short)
    assert result.status == "wrong" and re.match(
        rf"accuracy 0\.\d{{3}} on {nb07.Q5_HELD_OUT:,} images", result.message
    ), result


def test_reach_x_enforces_the_time_limit(monkeypatch):
    monkeypatch.setattr(nb05, "Q4_SECONDS", 0.001)
    result = nb05.q4.evaluate(nb05._q4_solution)
    assert result.status == "wrong"
    assert re.match(
        r"building and training took \d+ s, more than the 0 s allowed \(accuracy 0\.\d{3}\)\. ", result.message
    ), result.message


def test_reach_x_evaluates_on_images_the_function_never_saw():
    seen = {}

    def train_digits(x, y):
        seen["x"] = x
        seen["model"] = nb05._q4_solution(x, y)
        return seen["model"]

    result = nb05.q4.evaluate(train_digits)
    assert result.correct, result
    x_train, _, x_held, y_held = nb05._q4_data()
    assert seen["x"].shape == x_train.shape == (nb05.Q4_TRAIN_IMAGES, 28, 28)
    flat_train = {row.tobytes() for row in x_train.reshape(len(x_train), -1)}
    assert not any(row.tobytes() in flat_train for row in x_held.reshape(len(x_held), -1))
    # the accuracy it reports is the returned model's on the held-out images, not on the training ones
    held_out = np.mean(seen["model"].predict(x_held, verbose=0).argmax(axis=1) == y_held)
    assert result.message.startswith(f"accuracy {held_out:.3f} on {len(y_held):,} held-out images"), result.message


# ------------------------------------------------------------------------------- a few behaviours


def test_the_augmentation_check_names_the_layer_that_acts_at_inference():
    message = nb09.q4.evaluate(exercise_cases.nb09.Q4_WRONG["rescaling inside"]).message
    assert "layer 1 (Rescaling)" in message


def test_the_bottleneck_reference_has_the_counted_parameters():
    x = keras.Input((8, 8, 64))
    model = keras.Model(x, nb11._q5_solution(x, 16))
    assert model.count_params() == nb11._q5_params(64) == 4_736


def test_the_split_reference_is_stratified_on_a_larger_case():
    labels = np.repeat(np.arange(4), [100, 7, 50, 3])
    train, val = nb13._q4_solution(labels, 0.2, 5)
    assert np.bincount(labels[val]).tolist() == [20, 1, 10, 1]
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(len(labels)))


def test_nms_keeps_the_best_of_each_cluster():
    assert nb14._q4_reference(*nb14._CHAIN, 0.5).tolist() == [0, 2, 3]
    assert nb14._q4_reference(*nb14._HALF, 0.5).tolist() == [1, 0]  # IoU exactly 0.5: both kept


@pytest.mark.parametrize("name", [name for name in CODE_EXERCISES if name not in ("nb05.q4", "nb07.q5")])
def test_a_check_takes_seconds(name):
    exercise = CODE_EXERCISES[name]
    start = time.perf_counter()
    exercise.evaluate(exercise.answer)
    assert time.perf_counter() - start < 30, "a check should take seconds (the limit is loose: the CI is shared)"


def test_code_is_the_generic_checker_kind():
    assert all(isinstance(CODE_EXERCISES[name], Code) for name in CODE_EXERCISES if name != "nb14.q4")
    assert isinstance(nb14.q4, Function)
