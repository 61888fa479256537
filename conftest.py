"""Suite-wide pytest hooks: the exercise progress file in a temporary folder, a per-notebook time
table at the end of every run, and, when asked, the notebooks as nbval executed them.

``COURSE_SAVE_EXECUTED=<folder>`` makes the nbval run (``make test``) write each notebook it ran,
with the outputs of every cell, to ``<folder>/<notebook>.ipynb``: the same executed copies that
``make course`` writes, from which ``make book`` builds the site. CI sets it to
``build/course/fast``, so the book needs no second run of the notebooks. With pytest-xdist's
``--dist loadscope`` each notebook runs whole on one worker, which writes it when its last cell
has run (and again at the end of the session, for a notebook cut short).
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from pathlib import Path

SAVE_ENV = "COURSE_SAVE_EXECUTED"

_notebook_seconds: dict[str, float] = defaultdict(float)
_notebook_failed: set[str] = set()
# nbval's notebook collector (IPyNbFile) -> {id of a code cell: the outputs it produced}
_executed: dict[object, dict[int, list]] = {}


def pytest_configure(config):
    # Checked exercises record their results (helpers/exercises/framework.py). The tests, and the
    # notebook kernels nbval starts (they inherit this environment), write them to a temporary
    # folder, never to data/ in the clone.
    if not os.environ.get("COURSE_PROGRESS_FILE"):
        folder = tempfile.mkdtemp(prefix="course-progress-")
        os.environ["COURSE_PROGRESS_FILE"] = str(Path(folder) / "exercise-progress.json")


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration
        if report.failed:
            _notebook_failed.add(path)


def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    terminalreporter.section("time per notebook (all cells, set-up included)")
    for path in sorted(_notebook_seconds):
        mark = "FAILED" if path in _notebook_failed else "ok"
        terminalreporter.write_line(f"{_notebook_seconds[path]:8.1f} s  {mark:6}  {path}")
    terminalreporter.write_line(f"{sum(_notebook_seconds.values()):8.1f} s  total")


# ----------------------------------------------------------------- executed copies


def _save_folder() -> Path | None:
    folder = os.environ.get(SAVE_ENV, "").strip()
    return Path(folder) if folder else None


def _write(notebook_item) -> None:
    folder = _save_folder()
    nb = getattr(notebook_item, "nb", None)
    if folder is None or nb is None:
        return
    import nbformat

    from tools.notebooks import executed_notebook

    folder.mkdir(parents=True, exist_ok=True)
    executed = executed_notebook(nb, _executed.get(notebook_item, {}))
    target = folder / Path(str(notebook_item.fspath)).name
    partial = target.with_suffix(".ipynb.part")
    nbformat.write(executed, partial)
    partial.replace(target)


def pytest_runtest_teardown(item, nextitem):
    """After each nbval cell: keep its outputs; after a notebook's last cell, write the notebook."""
    if _save_folder() is None or not hasattr(item, "test_outputs") or not hasattr(item, "cell"):
        return
    notebook = item.parent
    if item.test_outputs is not None:
        _executed.setdefault(notebook, {})[id(item.cell)] = list(item.test_outputs)
    else:
        _executed.setdefault(notebook, {})
    if nextitem is None or nextitem.parent is not notebook:
        _write(notebook)


def pytest_sessionfinish(session):
    for notebook in _executed:
        _write(notebook)
