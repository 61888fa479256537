"""Auto-checked exercises, in the style of Kaggle Learn: ``q1.check(answer)``, ``q1.hint()``, ``q1.solution()``.

The framework is in ``framework``; each notebook's exercises are in a module of
their own (``nb01``, ``nb02``, ...), which lists for every checker the answers it
must accept and the wrong answers it must reject, so the tests can prove it.
"""

from .framework import Exercise, Wrong, ____, exercises_in

__all__ = ["Exercise", "Wrong", "____", "exercises_in"]
