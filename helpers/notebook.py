"""What every notebook calls at its top, the report of its key figures, and small display utilities."""

from __future__ import annotations

import inspect
import logging
import os
import platform

from .profile import RunProfile, get_profile
from .repro import course_seed, seed_everything


def start(seed: int | None = None, *, quiet_tf: bool = True) -> RunProfile:
    """Prepare a notebook: read the run profile, seed everything, set plot defaults; report them.

    The seed is ``seed`` if given, else the environment variable ``COURSE_SEED`` (for instructors who
    want to see how far a figure moves with the seed), else 42. Returns the RunProfile, which the
    notebook asks for its sizes (``PROFILE.pick(full=..., fast=...)``).
    """
    if seed is None:
        seed = seed_from_environment()
    if quiet_tf:
        import_tensorflow_quietly()
    profile = get_profile()
    seed_everything(seed)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.dpi": 90, "axes.grid": False, "image.interpolation": "nearest"})
    print(profile.describe())
    print(f"Seed: {seed}. Python {platform.python_version()}, {_versions()}")
    for line in dependency_problems():
        print(line)
    return profile


def seed_from_environment() -> int:
    """``COURSE_SEED`` as a whole number, 42 where it is unset or empty; a clear error otherwise."""
    return course_seed()


def dependency_problems(package: str = "cnn-course-helpers") -> list[str]:
    """One line for each of the course's dependencies that is missing or older than its bound.

    On Colab the first cell installs the helpers without their dependencies, to
    keep Colab's own versions; this says plainly, at the top of the notebook, if
    one of them is not there or too old, and what to type. Empty when all is well,
    or when the helpers are used from a clone without being installed.
    """
    from importlib import metadata

    try:
        from packaging.requirements import Requirement

        required = [Requirement(r) for r in metadata.requires(package) or []]
    except (ImportError, metadata.PackageNotFoundError):
        return []
    problems = []
    for req in required:
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # an optional extra (lab, test): not needed by the notebooks
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            problems.append(f'Missing: {req.name}, which the course needs. Install it with: %pip install "{req}"')
            continue
        if not req.specifier.contains(version, prereleases=True):
            problems.append(
                f"Too old or too new: {req.name} {version}; the course is tested with {req}. "
                f'Install it with: %pip install "{req}", then restart the kernel.'
            )
    return problems


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and find its devices with its C++ start-up messages silenced.

    On a machine without a GPU, TensorFlow writes several lines about missing
    CUDA drivers straight to the process's standard error, which Jupyter shows
    under the cell. They say nothing a learner needs, so they go to /dev/null;
    Python errors are still raised as usual.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        saved = os.dup(2)
    except OSError:  # no real standard error (some embedded interpreters)
        saved = None
    try:
        if saved is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        try:
            import tensorflow as tf
        except ImportError:
            return
        tf.config.list_physical_devices()
        _drop_retracing_warnings(tf.get_logger())
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


class _RetracingFilter(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" warning and nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def _drop_retracing_warnings(logger: logging.Logger) -> None:
    """Silence the retracing warning that every notebook training several models would show.

    Each new Keras model compiles its own training function, and TensorFlow warns
    when it sees many such traces in a row, advising to define the function outside
    a loop. A notebook that compares a model from scratch with a frozen and a
    fine-tuned one builds new models on purpose, so the warning only confuses a
    learner; every other TensorFlow message still shows.
    """
    if not any(isinstance(f, _RetracingFilter) for f in logger.filters):
        logger.addFilter(_RetracingFilter())


def _versions() -> str:
    parts = []
    try:
        import keras
        import tensorflow as tf

        parts.append(f"TensorFlow {tf.__version__}, Keras {keras.__version__}")
    except ImportError:
        parts.append("TensorFlow not installed")
    import numpy as np

    parts.append(f"NumPy {np.__version__}")
    return ", ".join(parts)


# Where report_metric puts a figure in the output's metadata; tools/course.py reads it there.
METRIC_METADATA = "cnn-course/metric"


def report_metric(name: str, value: float, sentence: str | None = None, *, key: bool = False) -> None:
    """Show one of the notebook's figures, and record it for the course report.

    Shows ``sentence`` (by default ``"<name>: <value>"``) as printed text, and stores
    ``name``, ``value`` and ``key`` in the metadata of that output, where the course report
    (``make course``, ``tools/course.py``) reads them: rewording the sentence changes
    nothing there. ``key=True`` marks the notebook's key metric, the figure the report
    puts in its table (the last one so marked, when a notebook marks several)::

        helpers.report_metric("test accuracy", test_acc, f"CNN: test accuracy {test_acc:.4f}", key=True)

    Outside IPython (a plain Python script) it only prints the sentence.
    """
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"report_metric({name!r}, ...) needs a number, got {value!r}") from None
    if sentence is None:
        sentence = f"{name}: {value:.4f}"
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(sentence)
        return
    record = {"name": name, "value": value, "key": bool(key)}
    # Plain text, so every front end shows it as it shows printed output.
    display({"text/plain": sentence}, raw=True, metadata={METRIC_METADATA: record})


def show_source(obj) -> _Code:
    """Display the source code of a function or class, highlighted, so a notebook can show a helper."""
    return _Code(inspect.getsource(obj))


class _Code:
    def __init__(self, source: str):
        self.source = source

    def __repr__(self) -> str:
        return self.source

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.source}```"
