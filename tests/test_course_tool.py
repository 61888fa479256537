"""tools.course: running notebooks, measuring them and reading their metrics into a report."""

from __future__ import annotations

import json
import sys

import nbformat
import pytest

from tools import course

# ----------------------------------------------------------------- metrics read from printed lines


@pytest.mark.parametrize("line, expected", [
    # lines as notebooks 04-06 print them
    ("test accuracy: 0.9812, test loss: 0.0712", [("test", 0.9812)]),
    ("         sparse: test loss 0.0800, test accuracy 0.9790", [("test", 0.9790)]),
    ("test accuracy with the restored weights: 0.9791", [("test", 0.9791)]),
    ("6.1 s per epoch; test accuracy 0.9810 (Dense(128), section 3: 0.9790)", [("test", 0.9810)]),
    ("best epoch 7: validation loss 0.310, validation accuracy 0.8842", [("validation", 0.8842)]),
    ("dense network: test accuracy 0.8660, 101,770 parameters, 2.1 s per epoch", [("test", 0.8660)]),
    ("CNN: test accuracy 0.9190 (test loss 0.231)", [("test", 0.9190)]),
    ("validation accuracy: 88.4%", [("validation", 0.884)]),
    ("test accuracy 91 %", [("test", 0.91)]),
    # not metrics
    ("difference in test accuracy: 0.0012", []),
    ("CNN minus dense: +5.3 percentage points of test accuracy", []),
    ("469/469 - 3s - 6ms/step - accuracy: 0.9012 - loss: 0.3 - val_accuracy: 0.88 - val_loss: 0.3", []),
    ("training accuracy (last epoch): 0.9950", []),
    ("model    test accuracy  parameters", []),
])
def test_metric_lines(line, expected):
    found = course.metrics_in_text(line)
    assert [(m.kind, pytest.approx(m.value)) for m in found] == expected


def test_headline_is_the_last_test_accuracy_else_the_last_validation_accuracy():
    text = "validation accuracy 0.90\ntest accuracy 0.85\nvalidation accuracy 0.91\ntest accuracy 0.88\n"
    assert course.headline(course.metrics_in_text(text)).value == 0.88
    assert course.headline(course.metrics_in_text("validation accuracy 0.7\nvalidation accuracy 0.8")).value == 0.8
    assert course.headline([]) is None


def test_selecting_notebooks_by_number_and_name(tmp_path):
    for name in ("01_a", "02_b", "10_c"):
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / f"{name}.ipynb")
    assert [p.stem for p in course.select([], tmp_path)] == ["01_a", "02_b", "10_c"]
    assert [p.stem for p in course.select(["2", "10_c", "01"], tmp_path)] == ["02_b", "10_c", "01_a"]
    with pytest.raises(SystemExit, match="No notebook matches '07'.*01_a, 02_b, 10_c"):
        course.select(["07"], tmp_path)


def test_formatting():
    assert course.fmt_seconds(31.4) == "31 s"
    assert course.fmt_seconds(309) == "5 min 9 s"
    assert course.fmt_seconds(3725) == "1 h 2 min"
    assert course.fmt_bytes(1_234_000_000) == "1.23 GB"


# ----------------------------------------------------------------- a real run, in real kernels


def notebook(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A tiny notebook")]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """Two notebooks, one that works and one that fails in its second code cell, run once."""
    folder = tmp_path_factory.mktemp("notebooks")
    nbformat.write(notebook(
        "import os\nprint('profile', os.environ['COURSE_PROFILE'])",
        "import numpy as np\nblock = np.ones(300_000_000 // 8)  # 300 MB held by the kernel",
        "print('dense network: test accuracy 0.8660, 101,770 parameters')\n"
        "print('best epoch 3: validation loss 0.31, validation accuracy 0.9012')",
        "print('CNN: test accuracy 0.9190 (test loss 0.231)')",
    ), folder / "01_works.ipynb")
    nbformat.write(notebook(
        "import os\nos.write(2, b'a message written by the kernel process itself\\n')",
        "print('about to fail')\nraise ValueError('the data folder is empty')",
        "print('never runs')",
    ), folder / "02_fails.ipynb")
    out = tmp_path_factory.mktemp("report")
    report = course.run(course.select([], folder), out, profile="fast", timeout=120,
                        memory_limit=250 * 10**6)
    return out, report


def test_report_has_time_memory_metrics_and_copies(finished_run):
    out, report = finished_run
    assert json.loads((out / "report.json").read_text()) == json.loads(json.dumps(report))
    assert report["complete"] and report["profile"] == "fast"
    works, fails = report["notebooks"]
    assert works["status"] == "ok" and works["cells_executed"] == works["code_cells"] == 4
    assert 0 < works["seconds"] < 120
    if sys.platform.startswith("linux"):
        assert works["peak_memory_source"] == "VmHWM"
        assert works["peak_memory_bytes"] > 300 * 10**6, "the 300 MB array must show in the peak"
    assert [(m["kind"], m["value"], m["cell"]) for m in works["metrics"]] == [
        ("test", 0.866, 4), ("validation", 0.9012, 4), ("test", 0.919, 5)]
    assert works["headline"]["value"] == 0.919

    executed = nbformat.read(out / "01_works.ipynb", as_version=4)
    assert executed.cells[1].outputs[0]["text"] == "profile fast\n", "the kernel runs the chosen profile"
    assert "CNN: test accuracy 0.9190" in (out / "01_works.html").read_text()


def test_a_failing_notebook_is_reported_and_the_run_goes_on(finished_run):
    out, report = finished_run
    fails = report["notebooks"][1]
    assert fails["status"] == "failed"
    assert fails["error"]["cell"] == 3 and fails["error"]["execution_count"] == 2
    assert fails["error"]["ename"] == "ValueError" and fails["error"]["evalue"] == "the data folder is empty"
    assert fails["error"]["source"] == "print('about to fail')"
    assert fails["cells_executed"] == 1 and fails["code_cells"] == 3
    assert "a message written by the kernel process itself" in (out / fails["kernel_log"]).read_text()
    executed = nbformat.read(out / "02_fails.ipynb", as_version=4)
    assert executed.cells[2].outputs[-1]["output_type"] == "error", "the executed copy shows the error"
    assert report["summary"]["failed"] == ["02_fails"] and report["summary"]["ok"] == 1

    markdown = (out / "report.md").read_text()
    assert "| 02_fails | **failed** in cell 3 |" in markdown
    assert "**02_fails**, cell 3 (In [2]), `print('about to fail')`: ValueError: the data folder is empty" in markdown


def test_peak_memory_over_the_limit_is_flagged(finished_run):
    out, report = finished_run
    if not sys.platform.startswith("linux"):
        pytest.skip("the kernel's peak memory is measured exactly on Linux")
    works = report["notebooks"][0]
    assert works["over_memory_limit"], "300 MB is over the 250 MB limit this test sets"
    assert "01_works" in report["summary"]["over_memory_limit"]
    assert report["summary"]["largest_peak_memory"]["notebook"] == "01_works"
    markdown = (out / "report.md").read_text()
    assert "(over the limit)" in markdown and "limit 0.25 GB, over it: 01_works" in markdown
    assert "| 01_works | ok |" in markdown and "test accuracy 91.9%" in markdown
