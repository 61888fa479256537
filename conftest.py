"""Suite-wide pytest hooks: a per-notebook time table at the end of every run."""

from __future__ import annotations

from collections import defaultdict

_notebook_seconds: dict[str, float] = defaultdict(float)
_notebook_failed: set[str] = set()


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
