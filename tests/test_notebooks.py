"""The notebooks follow the course's conventions (nbval runs them; this checks their shape)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from tools.notebooks import BOOTSTRAP, CHECK_TAG, all_notebooks, is_checked, problems

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = all_notebooks()
IDS = [p.name for p in NOTEBOOKS]
REMOVED_APIS = re.compile(r"fit_generator|\blr\s*=|\.subsplit\(|ImageDataGenerator\(")


def code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_clean(path):
    assert problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_starts_with_the_bootstrap_then_the_profile(path):
    cells = code_cells(path)
    assert cells[0].source == BOOTSTRAP, "the first cell must be the shared set-up cell (tools/notebooks.py)"
    assert "helpers.start(" in cells[1].source, "the second code cell reports the run profile"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_has_checked_outputs_and_exercises(path):
    cells = code_cells(path)
    assert any(is_checked(c) for c in cells), f"no cell is tagged {CHECK_TAG}"
    assert sum(len(re.findall(r"\bq\d+\.check\(", c.source)) for c in cells) >= 2, "fewer than two exercises"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_uses_no_removed_api(path):
    for cell in code_cells(path):
        match = REMOVED_APIS.search(cell.source)
        assert match is None, f"uses {match.group(0)!r}; teach the current Keras 3 API"


TRAINING = [p for p in NOTEBOOKS if int(p.name[:2]) >= 5]  # from 05 on, every notebook scores a model


@pytest.mark.parametrize("path", TRAINING, ids=[p.name for p in TRAINING])
def test_notebook_declares_its_key_metric_for_the_course_report(path):
    calls = []
    for cell in code_cells(path)[1:]:  # the bootstrap has a %pip line
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # another IPython magic
            continue
        calls += [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "report_metric"
        ]
    assert any(keyword.arg == "key" for call in calls for keyword in call.keywords), (
        "no helpers.report_metric(..., key=True): the course report (tools/course.py) would show no key metric"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_on_the_readme_course_map(path):
    assert path.name in (ROOT / "README.md").read_text()


def test_the_cleanliness_check_catches_stray_outputs(tmp_path):
    nb = nbformat.v4.new_notebook()
    stray = nbformat.v4.new_code_cell("print(1)", execution_count=3)
    stray.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    checked = nbformat.v4.new_code_cell("print(2)", metadata={"tags": [CHECK_TAG]})
    nb.cells = [stray, checked]
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    found = problems(path)
    assert "cell 0: has an execution count" in found
    assert "cell 0: stores outputs that nbval does not check" in found
    assert "cell 1: is checked by nbval but has no stored output" in found
    assert "cell 1: is checked by nbval but has no execution count (nbval needs one)" in found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_ends_with_the_progress_of_the_exercises(path):
    assert code_cells(path)[-1].source.endswith("progress()"), "the last cell shows helpers.exercises.progress()"
