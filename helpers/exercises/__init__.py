"""Auto-checked exercises, in the style of Kaggle Learn: ``q1.check(answer)``, ``q1.hint()``, ``q1.solution()``.

The framework is in ``framework`` (its docstring shows how to declare each kind
of exercise); each notebook's exercises are in a module of their own (``nb01``,
``nb02``, ...). ``progress()`` lists the solved and open exercises of every notebook.
"""

from .framework import (
    Check,
    Choice,
    Exercise,
    Function,
    LearnerError,
    Model,
    Number,
    Shape,
    Wrong,
    ____,
    exercises_in,
    progress,
    run,
)

__all__ = [
    "Check",
    "Choice",
    "Exercise",
    "Function",
    "LearnerError",
    "Model",
    "Number",
    "Shape",
    "Wrong",
    "____",
    "exercises_in",
    "progress",
    "run",
]
