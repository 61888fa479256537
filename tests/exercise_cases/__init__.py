"""Answers that test the exercises, one module per notebook: ``CASES["q1"]`` of ``nb07`` holds the
right answers the check of notebook 07's q1 must accept, wrong answers with the exact message each
must get (``mistakes``, at least two per exercise), and wrong answers it must reject with feedback,
not a crash, whose message is not fixed (``wrong``: errors in the learner's code). The mistake tables
that give feedback at run time stay in the exercise modules."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cases:
    right: list[Any] = field(default_factory=list)
    wrong: list[Any] = field(default_factory=list)
    mistakes: list[tuple[Any, str]] = field(default_factory=list)


def all_cases() -> dict[str, Cases]:
    """The cases of every notebook, keyed ``"nb07.q1"``."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.update({f"{info.name}.{name}": cases for name, cases in module.CASES.items()})
    return found
