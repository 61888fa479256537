"""Declarative exercises: specific feedback for every known mistake, never a bare traceback.

An exercise is a variable ``q1``, ``q2``, ... of ``helpers/exercises/nbNN.py`` (whose docstring starts
"Exercises of notebook NN (topic)"); the notebook calls ``ex.q1.check(answer)``, ``ex.q1.hint()`` and
``ex.q1.solution()``. The question itself is written once, in the notebook's Markdown cell above the
check, with its formulas and pictures; the module holds the answer, the mistakes, the hint and the
solution. The kinds::

    q1 = Number(42, what="The number of steps", example="10", whole=True,
                mistakes=numbered([(41, "that rounds down ..."), (2000, "that is the number of images ...")]),
                otherwise="Steps per epoch = ceil(N / B).", ...)  # an array answer compares arrays
    q2 = Shape((None, 13, 13, 16), axes=("batch", "height", "width", "channels"), mistakes=[...], ...)
    q3 = Choice("b", options="abcd", mistakes=[("a", "..."), ("c", "...")], ...)  # normalise=plain_name
    q4 = Function(reference_fn, stub="max_pool_2x2", cases=[(x1,), (x2,)], mistakes=[(average_pool, "...")], ...)
    q5 = Model(build_reference, stub="build_model", input_shape=(28, 28, 1), layers=("Conv2D",), ...)
    q6 = Check(checker, answer=right_answer, ...)  # checker(answer) returns praise (or None) or raises Wrong

Every kind also takes ``title`` (a few words for ``progress()``), ``hint``, ``solution`` (Markdown;
``code_of(function, stub)`` shows a reference function as the solution, so that the code a learner
reads is the code the tests run) and ``praise`` (shown when right).

**Known mistakes** are wrong answers a learner is likely to give, each with its message, tried in
order. Number, Shape and Choice recognise one by its value, Function by its outputs on the cases, Model
by output shape and parameter counts. Tables are validated when declared (Model tables at the first
check): no two mistakes alike, none equal to the answer. After the table an ``explain`` hook (Number,
Shape, Function) may raise Wrong for patterns no table lists; then comes a generic message. The answers
the tests try, right and wrong, are in ``tests/exercise_cases/``.

**Code exercises.** The learner fills in a stub whose body ends with ``return ____`` and passes the
function, without brackets, to ``check``; while it returns ``____`` the check says "Not attempted".
Checkers call learner code only through ``run(func, *args)``, which turns an exception into an "error"
result naming the learner's line (``LearnerError.original`` holds the exception). Any other exception
is a fault of the checker: it is shown as such (status ``broken``), and the tests fail on it.

**Progress.** ``check`` records the outcome in ``exercise-progress.json`` in the course cache folder
(``COURSE_CACHE_DIR``, else ``data/`` in a clone); nothing is sent anywhere. ``progress()`` lists the
solved and open exercises of every notebook.
"""

from __future__ import annotations

import html
import importlib
import inspect
import json
import os
import pkgutil
import re
import sys
import textwrap
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np


class _Blank:
    """The placeholder ``____`` that a learner replaces with an answer."""

    def __repr__(self) -> str:
        return "____"


____ = _Blank()


class Wrong(Exception):
    """Raised by a checker with the specific feedback for a wrong answer."""


class _NotAttempted(Exception):
    """The learner's code returned ``____``: the stub is not filled in yet."""


class LearnerError(Exception):
    """The learner's code raised ``original``; the message names the exception and the learner's line."""

    def __init__(self, message: str, original: BaseException):
        super().__init__(message)
        self.original = original


def run(func: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call learner code: ``____`` as result means not attempted, an exception becomes an error result."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = func(*args, **kwargs)
    except Exception as exc:  # the learner's code, whatever it raises
        frames = traceback.extract_tb(exc.__traceback__)
        where = next(
            (
                f
                for f in reversed(frames)
                if f"{os.sep}helpers{os.sep}" not in f.filename and f"{os.sep}site-packages{os.sep}" not in f.filename
            ),
            None,
        )
        place = f" (in {where.name}, line {where.lineno})" if where else ""
        raise LearnerError(
            f"{type(exc).__name__}: {str(exc).rstrip('.')}{place}. Fix it and run the cell again.", exc
        ) from None
    if isinstance(result, _Blank):
        raise _NotAttempted
    return result


@dataclass(frozen=True)
class Result:
    """One check: ``status`` is ``correct``, ``wrong``, ``blank``, ``error`` (the learner's code raised)
    or ``broken`` (the checker itself failed: a fault of the course)."""

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
        "broken": ("#b35c00", "The checker failed"),
    }

    def __str__(self) -> str:
        return f"{self._STYLE[self.status][1]}: {self.message}"

    def _repr_html_(self) -> str:
        colour, label = self._STYLE[self.status]
        body = html.escape(self.message).replace("\n", "<br>")
        body = re.sub(r"`([^`]+)`", r"<code>\1</code>", body)  # `code` in a message, as in Markdown
        return f'<div style="color:{colour}"><b>{label}:</b> {body}</div>'

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class _Text:
    label: str
    text: str

    def __repr__(self) -> str:
        return f"{self.label}: {self.text}"

    def _repr_markdown_(self) -> str:
        return f"**{self.label}:** {self.text}"


# ---------------------------------------------------------------------------------- the kinds


class Exercise:
    """The common part of every kind: feedback, hint, solution, progress. Subclasses implement ``_judge``."""

    def __init__(
        self,
        *,
        title: str,
        hint: str,
        solution: str,
        praise: str = "well done.",
        mistakes: Sequence[tuple[Any, str]] = (),
        answer: Any = ____,
    ):
        self.title, self.hint_text, self.solution_text, self.praise = title, hint, solution, praise
        self.mistakes, self.answer = list(mistakes), answer
        for _, message in self.mistakes:
            if not isinstance(message, str) or len(message) < 15:
                raise ValueError(f"{title}: a mistake's message must say what is off, not {message!r}")

    # the learner's side
    def check(self, answer: Any) -> Result:
        """Check ``answer``, record the outcome for ``progress()``, and show the feedback."""
        result = self.evaluate(answer)
        _record(self, result)
        return result

    def hint(self) -> _Text:
        """A nudge in the right direction."""
        return _Text("Hint", self.hint_text)

    def solution(self) -> _Text:
        """The worked solution."""
        return _Text("Solution", self.solution_text)

    def evaluate(self, answer: Any) -> Result:
        """Check ``answer`` and return a Result (never raises, records nothing)."""
        if isinstance(answer, _Blank):
            return Result("blank", "replace ____ with your answer and run the cell again.")
        try:
            praise = self._judge(answer)
        except Wrong as feedback:
            return Result("wrong", str(feedback))
        except _NotAttempted as blank:  # a checker may say which stub line is still unfilled
            return Result("blank", str(blank) or "your code still returns ____; fill it in and run the cell again.")
        except LearnerError as exc:
            return Result("error", str(exc))
        except Exception as exc:  # a fault in the checker, not in the answer
            return Result(
                "broken",
                f"{type(exc).__name__}: {exc}. This is a fault of the course's "
                f"checker, not of your answer; please report it.",
            )
        return Result("correct", praise or self.praise)

    def _judge(self, answer: Any) -> str | None:
        raise NotImplementedError

    @property
    def name(self) -> str:
        return _locate(self)[1]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} exercise {self.name}: {self.title}>"


def _distinct(title: str, answer: Any, keys: Iterable[Any], same: Callable[[Any, Any], bool]) -> None:
    """Validate a mistake table: no mistake equal to the answer, no two mistakes alike."""
    keys = list(keys)
    for i, key in enumerate(keys):
        if same(key, answer):
            raise ValueError(f"{title}: the known mistake {key!r} equals the answer")
        for other in keys[:i]:
            if same(key, other):
                raise ValueError(
                    f"{title}: two known mistakes are alike, {other!r} and {key!r}; one message would never be shown"
                )


def number(answer: Any, what: str, example: str | None = None) -> float:
    """``answer`` as a float, or Wrong naming ``what`` when it is not a number."""
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.integer, np.floating)):
        such_as = f", such as {example}" if example else ""
        raise Wrong(f"{what} should be a number{such_as}, but you gave {type(answer).__name__} {answer!r}.")
    return float(answer)


def _show(value: float) -> str:
    return f"{int(value):,}" if value.is_integer() and abs(value) < 1e15 else f"{value:,g}"


class Number(Exercise):
    """A number, or an array of numbers when ``answer`` is one. Equality within ``tol`` (absolute) or
    ``rel_tol``; ``accept`` lists other right values with their own praise (``[(515, "that is MiB
    ...")]``); ``whole`` rejects fractions; ``explain(value)`` may raise Wrong for what no table lists
    (it runs after the table); ``otherwise`` follows "<your answer> is not right."."""

    def __init__(
        self,
        answer: Any,
        *,
        what: str,
        example: str | None = None,
        whole: bool = False,
        why: str = "",
        tol: float = 0.0,
        rel_tol: float = 1e-9,
        accept: Sequence[tuple[Any, str]] = (),
        otherwise: str = "",
        explain: Callable[[Any], None] | None = None,
        **common: Any,
    ):
        super().__init__(answer=answer, **common)
        self.what, self.example, self.whole, self.why, self.explain = what, example, whole, why, explain
        self.tol, self.rel_tol, self.accept, self.otherwise = tol, rel_tol, list(accept), otherwise
        self.array = np.ndim(answer) > 0
        _distinct(self.title, answer, [k for k, _ in self.mistakes] + [v for v, _ in self.accept], self._same)

    def _same(self, a: Any, b: Any) -> bool:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=self.rel_tol, atol=self.tol))

    def _judge(self, answer: Any) -> str | None:
        if self.array:
            value = None if answer is None or isinstance(answer, (str, bytes)) else _as_array(answer)
            if value is None:
                raise Wrong(
                    f"{self.what} should be an array of numbers, such as {self.example}; you gave "
                    f"{type(answer).__name__} {answer!r}."
                )
        else:
            value = number(answer, self.what, self.example)
        if self._same(value, self.answer):
            return self.praise
        for right, praise in self.accept:
            if self._same(value, right):
                return praise
        for wrong, message in self.mistakes:
            if self._same(value, wrong):
                raise Wrong(message)
        if self.explain:
            self.explain(value)
        if self.array:
            expected = np.asarray(self.answer, dtype=float)
            if value.shape != expected.shape:
                raise Wrong(f"{self.what} has shape {value.shape} but should have shape {expected.shape}.")
            if not np.allclose(value, expected, atol=max(self.tol, 1e-9)):
                raise Wrong(
                    f"{self.what} has the right shape, but {_differ(value, expected, max(self.tol, 1e-9), 'its')}."
                )
        if self.whole and not value.is_integer():
            raise Wrong(f"{self.what} is a whole number, but you gave {value:,}. {self.why}".rstrip())
        raise Wrong(f"{_show(value)} is not right. {self.otherwise}".rstrip())


def numbered(mistakes: Sequence[tuple[float, str]]) -> list[tuple[float, str]]:
    """Mistakes whose message starts with the wrong number itself: ``[(41, "41: that rounds down.")]``."""
    return [(value, f"{_show(float(value))}: {message}") for value, message in mistakes]


def as_shape(answer: Any, example: str = "a tuple such as (None, 10, 10, 8)") -> tuple:
    """A shape answer as a tuple of ints and None (from a tuple, list or TensorShape); raise Wrong otherwise."""
    if isinstance(answer, np.ndarray) and answer.ndim > 1:
        raise Wrong(f"you gave an array of shape {answer.shape}; give a shape, a tuple of numbers.")
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"give the shape as {example}; you gave {type(answer).__name__} {answer!r}.")
    shape = []
    for item in answer:
        if item is None:
            shape.append(None)
        elif isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            shape.append(int(item))
        elif isinstance(item, (float, np.floating)) and float(item).is_integer():
            shape.append(int(item))
        else:
            raise Wrong(f"every entry of the shape should be a whole number or None; {item!r} is not.")
    return tuple(shape)


class Shape(Exercise):
    """A shape (a tuple of whole numbers and None). ``explain(shape)`` may raise Wrong for patterns
    a table cannot list (it runs after the table); ``axes`` names the entries in the generic feedback."""

    def __init__(
        self,
        answer: tuple,
        *,
        axes: Sequence[str] | None = None,
        otherwise: str = "",
        explain: Callable[[tuple], None] | None = None,
        **common: Any,
    ):
        super().__init__(answer=tuple(answer), **common)
        self.axes = tuple(axes) if axes else tuple(f"entry {i}" for i in range(len(answer)))
        self.otherwise, self.explain = otherwise, explain
        self.mistakes = [(tuple(k), m) for k, m in self.mistakes]
        _distinct(self.title, self.answer, [k for k, _ in self.mistakes], lambda a, b: a == b)

    def _judge(self, answer: Any) -> str | None:
        shape = as_shape(answer, f"a tuple of {len(self.answer)} entries")
        if shape == self.answer:
            return self.praise
        for wrong, message in self.mistakes:
            if shape == wrong:
                raise Wrong(message)
        if self.explain:
            self.explain(shape)
        if len(shape) != len(self.answer):
            raise Wrong(
                f"your shape has {len(shape)} entries, but it should have {len(self.answer)}: "
                f"({', '.join(self.axes)}). {self.otherwise}".rstrip()
            )
        i = next(i for i, (a, b) in enumerate(zip(shape, self.answer)) if a != b)
        raise Wrong(f"entry {i + 1} ({self.axes[i]}) is {shape[i]}, which is not right. {self.otherwise}".rstrip())


def batch_axes(shape: tuple, expected: tuple) -> None:
    """An ``explain`` for a (None, side, side, channels) answer: a missing or fixed batch axis, unequal sides."""
    if len(shape) == 3 and shape == expected[1:]:
        raise Wrong(f"{shape} is right for one image, but Keras writes the batch axis first: {(None, *shape)}.")
    if len(shape) == 4 and shape[0] is not None:
        raise Wrong(f"the batch axis is {shape[0]}, but a model takes batches of any size, so Keras writes None there.")
    if len(shape) == 4 and shape[1] != shape[2]:
        raise Wrong("the input is square and every layer treats height and width alike, so they are equal.")


def plain_name(item: Any) -> str:
    """A name in lower case without separators, for a string, a function or a Keras object.

    ``"Binary_CrossEntropy"``, ``keras.losses.binary_crossentropy`` and
    ``keras.losses.BinaryCrossentropy()`` all give ``"binarycrossentropy"``.
    """
    text = item if isinstance(item, str) else getattr(item, "__name__", None) or type(item).__name__
    return "".join(ch for ch in text.lower() if ch.isalnum())


def letter(answer: Any) -> str:
    if not isinstance(answer, str):
        raise Wrong(
            f"give the letter of your choice as a string, such as 'a'; you gave {type(answer).__name__} {answer!r}."
        )
    return answer.strip().strip("()").strip().lower()


class Choice(Exercise):
    """One of a few options. ``normalise`` turns an answer into an option (default: a letter, so
    ``"B"``, ``" (b) "`` give ``"b"``; use ``plain_name`` for names); it may raise Wrong."""

    def __init__(
        self,
        answer: Any,
        *,
        options: Iterable[Any],
        normalise: Callable[[Any], Any] = letter,
        otherwise: str = "",
        **common: Any,
    ):
        super().__init__(answer=answer, **common)
        self.options, self.normalise, self.otherwise = list(options), normalise, otherwise
        keys = [normalise(k) for k, _ in self.mistakes]
        _distinct(self.title, normalise(answer), keys, lambda a, b: a == b)
        unknown = [k for k in keys + [normalise(answer)] if k not in self.options]
        if unknown:
            raise ValueError(f"{self.title}: {unknown} not among the options {self.options}")

    def _judge(self, answer: Any) -> str | None:
        value = self.normalise(answer)
        if value not in self.options:
            raise Wrong(f"{answer!r} is not one of the options; pick one of {', '.join(map(str, self.options))}.")
        if value == self.normalise(self.answer):
            return self.praise
        for wrong, message in self.mistakes:
            if value == self.normalise(wrong):
                raise Wrong(message)
        raise Wrong(f"{value} is not right. {self.otherwise}".rstrip())


def function_only(answer: Any, stub: str, layer: bool = True) -> None:
    """Wrong unless ``answer`` is a function (a Keras layer counts only when ``layer``)."""
    import keras

    if not callable(answer) or (not layer and isinstance(answer, keras.layers.Layer)):
        raise Wrong(f"pass the function itself, `{stub}` (no brackets); you gave {type(answer).__name__}.")


def code_of(function: Callable, name: str) -> str:
    """The source of ``function`` (a def or a class) as a Markdown code block, renamed ``name``."""
    code = textwrap.dedent(inspect.getsource(function))
    code = re.sub(rf"^(def|class) {function.__name__}\b", rf"\1 {name}", code, count=1, flags=re.M)
    return f"```python\n{code}```"


def _copy(case: tuple) -> tuple:
    return tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in case)


def _as_array(value: Any) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _differ(got: np.ndarray, expected: np.ndarray, atol: float, whose: str) -> str:
    bad = np.argwhere(~np.isclose(got, expected, atol=atol))
    first = tuple(int(i) for i in bad[0])
    return (
        f"{len(bad)} of {whose} {got.size} values {'differs' if len(bad) == 1 else 'differ'}; "
        f"the first is at index {first}: you have {got[first]:g}, expected {expected[first]:g}"
    )


def _describe(case: tuple) -> str:
    if all(np.ndim(a) > 1 for a in case):
        shapes = " and ".join(str(np.shape(a)) for a in case)
        return f"an input of shape {shapes}" if len(case) == 1 else f"inputs of shapes {shapes}"
    return "the input " + ", ".join(repr(np.round(a, 4).tolist() if np.ndim(a) else a) for a in case)


class Function(Exercise):
    """The learner writes a function; it is run on ``cases`` (tuples of arguments) and its outputs
    are compared, as arrays, with those of ``reference``. A known mistake is a wrong function:
    an answer whose output equals the mistake's on a case gets that mistake's message.
    ``explain(output, case)`` may raise Wrong for a wrong output that no table lists."""

    def __init__(
        self,
        reference: Callable,
        *,
        stub: str,
        cases: Sequence[tuple],
        atol: float = 1e-6,
        explain: Callable[[np.ndarray, tuple], None] | None = None,
        otherwise: str = "",
        **common: Any,
    ):
        super().__init__(answer=reference, **common)
        self.stub, self.cases, self.atol, self.otherwise = stub, [tuple(c) for c in cases], atol, otherwise
        self.explain = explain
        self.expected = [np.asarray(reference(*_copy(c)), dtype=float) for c in self.cases]
        self._mistake_outputs = [[self._output(fn, c) for c in self.cases] for fn, _ in self.mistakes]
        _distinct(self.title, self.expected, self._mistake_outputs, self._same_outputs)

    def _output(self, fn: Callable, case: tuple) -> np.ndarray | None:
        try:
            return _as_array(run(fn, *_copy(case)))
        except Exception:
            return None

    def _close(self, got: np.ndarray | None, want: np.ndarray | None) -> bool:
        return (
            got is not None
            and want is not None
            and got.shape == want.shape
            and bool(np.allclose(got, want, atol=self.atol, equal_nan=True))
        )

    def _same_outputs(self, a: list, b: list) -> bool:
        return all(self._close(x, y) for x, y in zip(a, b))

    def _judge(self, answer: Any) -> str | None:
        function_only(answer, self.stub)
        for i, (case, expected) in enumerate(zip(self.cases, self.expected)):
            raw = run(answer, *_copy(case))
            if raw is None:
                raise Wrong("your function returns None; end it with `return` and the result.")
            got = _as_array(raw)
            if got is None:
                raise Wrong(f"your function returns {type(raw).__name__}, not an array of numbers.")
            if self._close(got, expected):
                continue
            for (_, message), outputs in zip(self.mistakes, self._mistake_outputs):
                if self._close(got, outputs[i]):
                    raise Wrong(message)
            if self.explain:
                self.explain(got, case)
            where = _describe(case)
            if got.shape != expected.shape:
                should = "be one number" if expected.shape == () else f"have shape {expected.shape}"
                raise Wrong(
                    f"for {where} your output has shape {got.shape} but should {should}. {self.otherwise}".rstrip()
                )
            if expected.size == 1:  # one number: say it, not "1 of the 1 values differs"
                raise Wrong(
                    f"for {where} your function returns {got.item():g}, but it should return "
                    f"{expected.item():g}. {self.otherwise}".rstrip()
                )
            differ = _differ(got, expected, self.atol, "the")
            raise Wrong(f"for {where} the shape is right but {differ}. {self.otherwise}".rstrip())
        return self.praise


def layers_in(layer: Any, kind: type = object) -> list:
    """The layers inside ``layer`` (a model), nested models included, that are instances of ``kind``."""
    found = []
    for sub in getattr(layer, "layers", []):
        if isinstance(sub, kind):
            found.append(sub)
        found += layers_in(sub, kind)
    return found


def numpy(value: Any) -> np.ndarray:
    """A tensor, array or number as a float64 NumPy array."""
    if hasattr(value, "numpy"):  # a TensorFlow tensor (np.asarray on it warns under NumPy 2)
        value = value.numpy()
    return np.asarray(value, dtype=np.float64)


def output(model: Any, x: np.ndarray, *, training: bool) -> np.ndarray:
    """The learner's model or layer called on ``x`` (through ``run``), as a float64 NumPy array."""
    return numpy(run(model, x, training=training))


class Model(Exercise):
    """The learner writes ``build_model()`` (the ``stub``) returning a Keras model or layer, or passes one.

    The checker calls it on a batch of two random inputs of ``input_shape`` and compares with the
    ``reference`` builder: output shape, parameter count, trainable count, the ``layers`` types
    (class names) that must be present, and ``training``: ``"same"`` (inference and training
    agree), ``"random"`` (two training calls differ, inference is repeatable) or ``"identity"``
    (random in training, the identity at inference). ``extra(model)`` may raise Wrong. A known
    mistake is a wrong builder, recognised by its output shape and parameter counts. With ``start``
    (a function that builds a model), the learner's function receives ``start()`` and returns it
    changed, as when it freezes layers.
    """

    def __init__(
        self,
        reference: Callable,
        *,
        stub: str,
        input_shape: tuple,
        layers: Sequence[str] = (),
        training: str | None = None,
        extra: Callable[[Any], None] | None = None,
        start: Callable[[], Any] | None = None,
        **common: Any,
    ):
        super().__init__(answer=reference, **common)
        self.stub, self.input_shape, self.layers = stub, tuple(input_shape), tuple(layers)
        self.training, self.extra, self.start = training, extra, start
        self._signatures: list | None = None

    def _built(self, answer: Any) -> Any:
        import keras

        model = answer
        if callable(answer) and not isinstance(answer, keras.layers.Layer):
            model = run(answer, self.start()) if self.start else run(answer)
        if model is None:
            raise Wrong(f"`{self.stub}` returns None; end it with `return` and the model.")
        if not isinstance(model, keras.layers.Layer):
            raise Wrong(f"`{self.stub}` should return a Keras model (or layer); it returns {type(model).__name__}.")
        return model

    def _probe(self, model: Any) -> tuple:
        x = np.random.default_rng(0).uniform(size=(2, *self.input_shape)).astype("float32")
        out = output(model, x, training=False)
        trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
        return x, out, (None, *out.shape[1:]), model.count_params(), trainable

    def _signature(self, builder: Callable) -> tuple:
        return self._probe(self._built(builder))[2:]

    def _table(self) -> tuple[tuple, list]:
        if self._signatures is None:
            want = self._signature(self.answer)
            sigs = [self._signature(b) for b, _ in self.mistakes]
            _distinct(self.title, want, sigs, lambda a, b: a == b)
            self._signatures = [want, sigs]
        return self._signatures[0], self._signatures[1]

    def _judge(self, answer: Any) -> str | None:
        function_only(answer, self.stub)
        want, sigs = self._table()
        model = self._built(answer)
        x, out, *got = self._probe(model)
        got = tuple(got)
        for (_, message), sig in zip(self.mistakes, sigs):
            if got == sig:
                raise Wrong(message)
        names = {type(layer).__name__ for layer in [model, *layers_in(model)]}
        missing = [name for name in self.layers if name not in names]
        if missing:
            raise Wrong(
                f"your model has no {missing[0]} layer; its layers are "
                f"{', '.join(sorted(names - {'Functional', 'Sequential'}))}."
            )
        for what, have, should in zip(("output shape", "parameter count", "trainable parameter count"), got, want):
            if have != should:
                shown = (lambda v: f"{v:,}") if isinstance(should, int) else repr
                raise Wrong(f"your model's {what} is {shown(have)}, but it should be {shown(should)}.")
        self._check_training(model, x, out)
        if self.extra:
            self.extra(model)
        return self.praise

    def _check_training(self, model: Any, x: np.ndarray, out: np.ndarray) -> None:
        if self.training is None:
            return
        again = output(model, x, training=False)
        if not np.allclose(out, again):
            raise Wrong(
                "called twice on the same input at inference (training=False), your model gives "
                "different outputs; at inference it should be repeatable."
            )
        if self.training == "same":
            if not np.allclose(out, output(model, x, training=True), atol=1e-5):
                raise Wrong(
                    "your model gives different outputs in training and at inference; this one "
                    "should behave the same in both."
                )
            return
        first, second = (output(model, x, training=True) for _ in range(2))
        if np.allclose(first, second):
            raise Wrong(
                "in training (training=True) your model gives the same output twice for the same "
                "input; it should be random there."
            )
        if self.training == "identity" and not (out.shape == x.shape and np.allclose(out, x, atol=1e-5)):
            raise Wrong(
                "at inference (training=False) your model changes its input; it should pass it through unchanged."
            )


class Check(Exercise):
    """Anything else: ``checker(answer)`` returns a praise string (or None) or raises Wrong; it calls
    learner code through ``run``. ``answer`` is a right answer. The checker computes its messages, so
    a Check has no mistake table: the tests pair wrong answers with the exact message."""

    def __init__(self, checker: Callable[[Any], str | None], *, answer: Any, **common: Any):
        if "mistakes" in common:
            raise TypeError(f"{common.get('title')}: a Check computes its messages; it takes no mistake table")
        super().__init__(answer=answer, **common)
        self.checker = checker

    def _judge(self, answer: Any) -> str | None:
        return self.checker(answer)


# ---------------------------------------------------------------------------------- progress

PROGRESS_FILE = "exercise-progress.json"
_PACKAGE = __name__.rsplit(".", 1)[0]


def exercises_in(module: ModuleType) -> list[Exercise]:
    """Every Exercise defined at the top level of ``module``, in order."""
    return [value for value in vars(module).values() if isinstance(value, Exercise)]


def notebook_modules() -> list[ModuleType]:
    """The exercise modules ``nb01``, ``nb02``, ... of the package, imported."""
    package = importlib.import_module(_PACKAGE)
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if re.fullmatch(r"nb\d+", m.name))
    return [importlib.import_module(f"{_PACKAGE}.{name}") for name in names]


def _locate(exercise: Exercise) -> tuple[str, str]:
    """(module stem, variable name) of an exercise declared in a notebook module."""
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith(f"{_PACKAGE}.nb"):
            for name, value in vars(module).items():
                if value is exercise:
                    return module_name.rsplit(".", 1)[1], name
    return "", "exercise"


PROGRESS_ENV = "COURSE_PROGRESS_FILE"


def progress_path() -> Path:
    """The progress file: ``COURSE_PROGRESS_FILE`` if set (the tests point it at a temporary folder),
    else ``exercise-progress.json`` in the course cache folder (``COURSE_CACHE_DIR``, else ``data/``
    in a clone)."""
    raw = os.environ.get(PROGRESS_ENV, "").strip()
    if raw:
        return Path(raw).expanduser()
    from ..store import cache_dir

    return cache_dir() / PROGRESS_FILE


# The progress file's layout. 2: notebook 03's second half became notebook 04 (its exercises q5 to
# q7 are now nb04's q1 to q3) and the notebooks 04 to 13 became 05 to 14.
PROGRESS_FORMAT = 2


def _migrate(data: dict) -> dict:
    """A progress file of an earlier layout, with each result under today's notebook and exercise."""
    if data.get("format") == PROGRESS_FORMAT:
        return data
    moved: dict = {"format": PROGRESS_FORMAT}
    for key, entry in data.items():
        match = re.fullmatch(r"nb(\d+)", key)
        if not match or not isinstance(entry, dict):
            continue
        number = int(match.group(1))
        for name, status in entry.items():
            exercise = re.fullmatch(r"q(\d+)", name)
            if number == 3 and exercise and int(exercise.group(1)) >= 5:
                moved.setdefault("nb04", {})[f"q{int(exercise.group(1)) - 4}"] = status
            else:
                target = f"nb{number + 1:02d}" if 4 <= number <= 13 else key
                moved.setdefault(target, {})[name] = status
    return moved


def _load() -> dict:
    try:
        data = json.loads(progress_path().read_text())
        return _migrate(data) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _record(exercise: Exercise, result: Result) -> None:
    if result.status == "blank":
        return
    notebook, name = _locate(exercise)
    if not notebook:
        return
    data = _load()
    entry = data.setdefault(notebook, {})
    if entry.get(name) != "solved":
        entry[name] = "solved" if result.correct else "tried"
    try:
        path = progress_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True))
    except OSError:
        pass  # a read-only cache must not break the exercise


@dataclass(frozen=True)
class Progress:
    """Solved and open exercises of every notebook (``rows``: notebook, solved, open lists)."""

    rows: tuple

    def _lines(self) -> list[tuple[str, str, str]]:
        def names(items: list) -> str:
            return ", ".join(f"{n} ({t})" for n, t in items) or "-"

        return [(title, names(solved), names(open_)) for title, solved, open_ in self.rows]

    @property
    def solved(self) -> int:
        return sum(len(s) for _, s, _ in self.rows)

    @property
    def total(self) -> int:
        return sum(len(s) + len(o) for _, s, o in self.rows)

    def __repr__(self) -> str:
        lines = [f"{self.solved} of {self.total} exercises solved."]
        lines += [f"{title}: solved {solved}; open {open_}" for title, solved, open_ in self._lines()]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        lines = [
            f"**{self.solved} of {self.total} exercises solved.**",
            "",
            "| Notebook | Solved | Open |",
            "|---|---|---|",
        ]
        lines += [f"| {title} | {solved} | {open_} |" for title, solved, open_ in self._lines()]
        return "\n".join(lines)


def progress() -> Progress:
    """Which exercises of every notebook are solved and which are open (from the local progress file)."""
    data = _load()
    rows = []
    for module in notebook_modules():
        stem = module.__name__.rsplit(".", 1)[1]
        doc = (module.__doc__ or stem).strip().splitlines()[0]
        title = re.sub(r"^Exercises of (notebook \d+(?: \([^)]*\))?).*$", r"\1", doc)
        done = data.get(stem, {}) if isinstance(data.get(stem), dict) else {}
        items = [(_locate(ex)[1], ex.title) for ex in exercises_in(module)]
        rows.append(
            (title, [i for i in items if done.get(i[0]) == "solved"], [i for i in items if done.get(i[0]) != "solved"])
        )
    return Progress(tuple(rows))
