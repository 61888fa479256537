"""The run profile: one switch that sizes every notebook, and the hardware it sizes for.

``COURSE_PROFILE`` and ``COURSE_DEVICE`` are read here and nowhere else.

* ``full`` (the default) is for learners: real epochs, whole datasets, real
  image sizes, real accuracy.
* ``fast`` is for continuous integration and quick checks on weak machines:
  small subsets, one or two epochs, smaller images. The notebooks run the same
  code in both profiles; only the numbers they ask for change.

A notebook asks for a number with both values side by side, so the learner
always sees what the real run uses::

    EPOCHS = PROFILE.pick(full=10, fast=1)

Where a GPU affords a larger setting, the notebook adds it, and the full
profile takes it on a GPU (the fast profile ignores it, so the course's tests
run the same everywhere)::

    TRANSFER_SIZE = PROFILE.pick(full=128, gpu=224, fast=96)

The device (``"cpu"`` or ``"gpu"``) is decided once, at the first question
that needs it: ``COURSE_DEVICE`` if set (for instructors who want a CPU-sized
run on a GPU machine, or the reverse), else whether TensorFlow sees a GPU.
TensorFlow is imported only then, never by ``get_profile`` itself:
``helpers.start()`` imports it quietly first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

T = TypeVar("T")

ENV_VAR = "COURSE_PROFILE"
PROFILES = ("full", "fast")
DEFAULT = "full"

DEVICE_ENV_VAR = "COURSE_DEVICE"
DEVICES = ("cpu", "gpu")

_NOT_GIVEN: Any = object()  # pick(..., gpu=) left out


class ProfileError(ValueError):
    """Raised when ``COURSE_PROFILE`` or ``COURSE_DEVICE`` holds a value the course does not know."""


def detect_accelerator(devices: Iterable | None = None) -> str:
    """Return ``"gpu"`` if ``devices`` holds a device whose ``device_type`` is ``"GPU"``, else ``"cpu"``.

    ``devices`` defaults to ``tf.config.list_physical_devices()`` (TensorFlow is
    imported here, at the first call); where TensorFlow cannot be imported the
    answer is ``"cpu"``. Tests pass a list of simple objects with a ``device_type``.
    """
    if devices is None:
        try:
            import tensorflow as tf
        except ImportError:
            return "cpu"
        devices = tf.config.list_physical_devices()
    return "gpu" if any(getattr(d, "device_type", None) == "GPU" for d in devices) else "cpu"


def device_from_environment() -> str | None:
    """``COURSE_DEVICE`` as ``"cpu"`` or ``"gpu"``; None where it is unset or empty.

    Raises ProfileError for any other value, naming the values that work.
    """
    raw = os.environ.get(DEVICE_ENV_VAR, "").strip().lower()
    if not raw:
        return None
    if raw not in DEVICES:
        raise ProfileError(
            f"{DEVICE_ENV_VAR}={os.environ.get(DEVICE_ENV_VAR)!r} is not a device the course sizes for. "
            f"Use one of {', '.join(DEVICES)}, or leave it unset to size for the hardware TensorFlow finds."
        )
    return raw


@dataclass(frozen=True)
class RunProfile:
    """The active run profile (``"full"`` or ``"fast"``) and the device it sizes for.

    ``device_override`` (``"cpu"``, ``"gpu"`` or None) fixes the device, as
    ``COURSE_DEVICE`` does; ``devices`` is the device list to look at instead of
    TensorFlow's (None: TensorFlow's), for tests that simulate hardware.
    """

    name: str
    device_override: str | None = None
    devices: Sequence | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.device_override is not None and self.device_override not in DEVICES:
            raise ProfileError(
                f"device_override={self.device_override!r} is not a device; use one of {', '.join(DEVICES)} or None."
            )

    @property
    def is_fast(self) -> bool:
        """True in the ``fast`` profile."""
        return self.name == "fast"

    @property
    def is_full(self) -> bool:
        """True in the ``full`` profile."""
        return self.name == "full"

    @cached_property
    def device(self) -> str:
        """``"gpu"`` or ``"cpu"``: the override if given, else what ``devices`` (or TensorFlow) holds.

        Decided at the first call and kept: the answer never changes during a run.
        """
        return self.device_override or detect_accelerator(self.devices)

    @property
    def on_gpu(self) -> bool:
        """True where this run sizes for a GPU (see ``device``)."""
        return self.device == "gpu"

    def pick(self, *, full: T, fast: T, gpu: T = _NOT_GIVEN) -> T:
        """Return the value that belongs to this profile and device.

        ``fast`` in the fast profile, whatever the device. In the full profile,
        ``gpu`` where it is given and the run sizes for a GPU, else ``full``. The
        device is only looked up when ``gpu`` is given in the full profile.
        """
        if self.is_fast:
            return fast
        if gpu is not _NOT_GIVEN and self.on_gpu:
            return gpu
        return full

    def take(self, *arrays: Sequence, fast: int) -> tuple:
        """Return the arrays unchanged (full) or only their first ``fast`` items.

        All arrays are cut to the same length, so images and labels stay
        paired. With a single array the result is still a tuple.
        """
        if not self.is_fast:
            return tuple(arrays)
        return tuple(a[:fast] for a in arrays)

    def describe(self) -> str:
        """One line for the top of a notebook: which profile runs, for which device, and how to switch.

        In the full profile it names the device, where that needs no new import
        of TensorFlow (``helpers.start()`` has imported it quietly before); the
        fast profile ignores the device.
        """
        if self.is_fast:
            return (
                "Run profile: fast (small subsets, 1-2 epochs, smaller images; "
                "for quick checks, so accuracies are lower than the text quotes). "
                f"Unset {ENV_VAR} for the real run."
            )
        sized = ""
        if self.device_override:
            sized = f", sized for a {self.device.upper()} ({DEVICE_ENV_VAR}={self.device_override})"
        elif self.devices is not None or "tensorflow" in sys.modules:
            sized = ", sized for a GPU (found by TensorFlow)" if self.on_gpu else ", sized for a CPU (no GPU found)"
        return (
            f"Run profile: full (whole datasets, real epochs; the figures in the text come from "
            f"this profile){sized}. Set {ENV_VAR}=fast for a quick check."
        )


def get_profile() -> RunProfile:
    """Read ``COURSE_PROFILE`` and ``COURSE_DEVICE``; return the profile they name (``full`` if unset).

    The device itself is found later, at the first question that needs it
    (``RunProfile.device``), so this does not import TensorFlow. Raises
    ProfileError for an unknown value of either variable, naming the values that work.
    """
    raw = os.environ.get(ENV_VAR, "").strip().lower()
    name = raw or DEFAULT
    if name not in PROFILES:
        raise ProfileError(
            f"{ENV_VAR}={os.environ.get(ENV_VAR)!r} is not a run profile. "
            f"Use one of {', '.join(PROFILES)} (or leave it unset for '{DEFAULT}')."
        )
    return RunProfile(name, device_from_environment())
