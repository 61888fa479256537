"""The exercise framework: specific feedback, never a bare traceback."""

from __future__ import annotations

import html
import traceback
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Sequence

import numpy as np


class _Blank:
    """The placeholder ``____`` that a learner replaces with an answer."""

    def __repr__(self) -> str:
        return "____"


____ = _Blank()


class Wrong(Exception):
    """Raised by a checker with the specific feedback for a wrong answer."""


@dataclass(frozen=True)
class Result:
    """The outcome of one check: ``status`` is ``correct``, ``wrong``, ``blank`` or ``error``."""

    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    _STYLE = {
        "correct": ("#1b7f3b", "Correct"),
        "wrong": ("#b3261e", "Not yet"),
        "blank": ("#555555", "Not attempted"),
        "error": ("#b35c00", "Your code raised an error"),
    }

    def __str__(self) -> str:
        return f"{self._STYLE[self.status][1]}: {self.message}"

    def _repr_html_(self) -> str:
        colour, label = self._STYLE[self.status]
        body = html.escape(self.message).replace("\n", "<br>")
        return f'<div style="color:{colour}"><b>{label}:</b> {body}</div>'

    def __repr__(self) -> str:
        return str(self)


@dataclass
class Exercise:
    """One exercise: a checker with hint and solution, plus the answers used to test the checker.

    ``checker(answer)`` returns nothing (or a praise string) for a right answer
    and raises ``Wrong("what exactly is off")`` otherwise. ``right`` and
    ``wrong`` hold example answers the checker must accept and reject; the test
    suite runs them all.
    """

    name: str
    prompt: str
    checker: Callable[[Any], str | None]
    hint_text: str
    solution_text: str
    right: Sequence[Any] = field(default_factory=list)
    wrong: Sequence[Any] = field(default_factory=list)

    def evaluate(self, answer: Any) -> Result:
        """Check ``answer`` and return a Result (never raises)."""
        if answer is ____ or isinstance(answer, _Blank):
            return Result("blank", "replace ____ with your answer and run the cell again.")
        try:
            praise = self.checker(answer)
        except Wrong as feedback:
            return Result("wrong", str(feedback))
        except Exception as exc:  # the learner's own function blew up inside the checker
            frames = traceback.extract_tb(exc.__traceback__)
            where = next((f for f in reversed(frames) if "helpers" not in f.filename), None)
            place = f" (in {where.name}, line {where.lineno})" if where else ""
            return Result("error", f"{type(exc).__name__}: {exc}{place}. Fix it and run the cell again.")
        return Result("correct", praise or "well done.")

    def check(self, answer: Any) -> Result:
        """Check ``answer`` and show the feedback (the Result is the cell's output)."""
        return self.evaluate(answer)

    def hint(self) -> "_Text":
        """A nudge in the right direction."""
        return _Text("Hint", self.hint_text)

    def solution(self) -> "_Text":
        """The worked solution."""
        return _Text("Solution", self.solution_text)


@dataclass(frozen=True)
class _Text:
    label: str
    text: str

    def __repr__(self) -> str:
        return f"{self.label}: {self.text}"

    def _repr_markdown_(self) -> str:
        return f"**{self.label}:** {self.text}"


def exercises_in(module: ModuleType) -> list[Exercise]:
    """Every Exercise defined at the top level of ``module``."""
    return [value for value in vars(module).values() if isinstance(value, Exercise)]


# ---------------------------------------------------------------- checker building blocks


def plain_name(item: Any) -> str:
    """A name in lower case without separators, for a string, a function or a Keras object.

    ``"Binary_CrossEntropy"``, ``keras.losses.binary_crossentropy`` and
    ``keras.losses.BinaryCrossentropy()`` all give ``"binarycrossentropy"``.
    """
    text = item if isinstance(item, str) else getattr(item, "__name__", None) or type(item).__name__
    return "".join(ch for ch in text.lower() if ch.isalnum())


def whole_number(answer: Any, what: str, *, example: str | None = None, why: str = "") -> int:
    """Return ``answer`` as an int, or raise Wrong when it is not a whole number.

    ``what`` names the quantity in the message, ``example`` shows a number of the
    expected kind, ``why`` may say why it must be whole (for example what it counts).
    """
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.integer, np.floating)):
        such_as = f", such as {example}" if example else ""
        raise Wrong(f"{what} should be a number{such_as}, but you gave {type(answer).__name__} {answer!r}.")
    if not float(answer).is_integer():
        raise Wrong(f"{what} is a whole number, but you gave {answer}. {why}".rstrip())
    return int(answer)


def expect_number(answer: Any, expected: float, *, what: str, tol: float = 1e-6) -> None:
    """Raise Wrong unless ``answer`` is a number within ``tol`` of ``expected``."""
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Wrong(f"{what} should be a number, but you gave {type(answer).__name__} {answer!r}.")
    if abs(float(answer) - expected) > tol:
        raise Wrong(f"{what}: you gave {answer}, which is not right.")


def expect_array(answer: Any, expected: np.ndarray, *, what: str, atol: float = 1e-5) -> None:
    """Raise Wrong unless ``answer`` is an array of the expected shape and values."""
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be an array of numbers, but you gave {type(answer).__name__}.") from None
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        raise Wrong(f"{what} has shape {got.shape} but should have shape {expected.shape}.")
    if not np.allclose(got, expected, atol=atol):
        bad = np.argwhere(~np.isclose(got, expected, atol=atol))
        first = tuple(int(i) for i in bad[0])
        raise Wrong(
            f"{what} has the right shape, but {len(bad)} of its {got.size} values differ; "
            f"the first is at index {first}: you have {got[first]:g}, expected {expected[first]:g}."
        )


def as_shape(answer: Any) -> tuple:
    """A shape answer as a tuple of ints and None (from a tuple, list or TensorShape); raise Wrong otherwise."""
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"give the shape as a tuple, such as (None, 10, 10, 8); you gave "
                    f"{type(answer).__name__} {answer!r}.")
    shape = []
    for item in answer:
        if item is None:
            shape.append(None)
        elif isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            shape.append(int(item))
        else:
            raise Wrong(f"every entry of the shape should be a whole number or None; {item!r} is not.")
    return tuple(shape)


def expect_batch_shape(answer: Any, expected: tuple) -> tuple[int, int]:
    """Check the frame of a square (None, side, side, channels) answer; return (side, channels).

    Raises Wrong for a shape without the batch axis, with the wrong number of
    entries, with a fixed batch size or with unequal height and width; the
    caller then checks the side and the channels with feedback of its own.
    """
    shape = as_shape(answer)
    _, h, w, c = expected
    if len(shape) == 3 and shape == (h, w, c):
        raise Wrong(f"({h}, {w}, {c}) is right for one image, but Keras writes the batch axis first: "
                    f"(None, {h}, {w}, {c}).")
    if len(shape) != 4:
        raise Wrong(f"your shape has {len(shape)} entries; Keras shows four: (batch, height, width, channels), "
                    f"with None for the batch.")
    if shape[0] is not None:
        raise Wrong(f"the batch axis is {shape[0]}, but a model takes batches of any size, so Keras "
                    f"writes None there.")
    if shape[1] != shape[2]:
        raise Wrong("the input is square and every layer treats height and width alike, so they are equal.")
    return shape[1], shape[3]
