"""The run profile: one switch that sizes every notebook.

``COURSE_PROFILE`` is read here and nowhere else.

* ``full`` (the default) is for learners: real epochs, whole datasets, real
  image sizes, real accuracy.
* ``fast`` is for continuous integration and quick checks on weak machines:
  small subsets, one or two epochs, smaller images. The notebooks run the same
  code in both profiles; only the numbers they ask for change.

A notebook asks for a number with both values side by side, so the learner
always sees what the real run uses::

    EPOCHS = PROFILE.pick(full=10, fast=1)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

ENV_VAR = "COURSE_PROFILE"
PROFILES = ("full", "fast")
DEFAULT = "full"


class ProfileError(ValueError):
    """Raised when ``COURSE_PROFILE`` holds a value the course does not know."""


@dataclass(frozen=True)
class RunProfile:
    """The active run profile (``"full"`` or ``"fast"``)."""

    name: str

    @property
    def is_fast(self) -> bool:
        """True in the ``fast`` profile."""
        return self.name == "fast"

    @property
    def is_full(self) -> bool:
        """True in the ``full`` profile."""
        return self.name == "full"

    def pick(self, *, full: T, fast: T) -> T:
        """Return ``full`` or ``fast``, whichever belongs to this profile."""
        return fast if self.is_fast else full

    def take(self, *arrays: Sequence, fast: int) -> tuple:
        """Return the arrays unchanged (full) or only their first ``fast`` items.

        All arrays are cut to the same length, so images and labels stay
        paired. With a single array the result is still a tuple.
        """
        if not self.is_fast:
            return tuple(arrays)
        return tuple(a[:fast] for a in arrays)

    def describe(self) -> str:
        """One line for the top of a notebook: which profile runs, and how to switch."""
        if self.is_fast:
            return (
                "Run profile: fast (small subsets, 1-2 epochs, smaller images; "
                "for quick checks, so accuracies are lower than the text quotes). "
                f"Unset {ENV_VAR} for the real run."
            )
        return (
            "Run profile: full (whole datasets, real epochs; the figures in the "
            f"text come from this profile). Set {ENV_VAR}=fast for a quick check."
        )


def get_profile() -> RunProfile:
    """Read ``COURSE_PROFILE`` and return the profile it names (``full`` if unset).

    Raises ProfileError for an unknown value, naming the values that work.
    """
    raw = os.environ.get(ENV_VAR, "").strip().lower()
    name = raw or DEFAULT
    if name not in PROFILES:
        raise ProfileError(
            f"{ENV_VAR}={os.environ.get(ENV_VAR)!r} is not a run profile. "
            f"Use one of {', '.join(PROFILES)} (or leave it unset for '{DEFAULT}')."
        )
    return RunProfile(name)
