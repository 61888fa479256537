"""tools.course: running notebooks, measuring them and reading their metrics into a report."""

from __future__ import annotations

import json
import os
import sys

import nbformat
import numpy as np
import pytest

from helpers.notebook import METRIC_METADATA, report_metric
from tools import course

# ----------------------------------------------------------------- metrics read from output metadata


def metric_output(name, value, sentence, key=False):
    return nbformat.v4.new_output(
        "display_data",
        data={"text/plain": sentence},
        metadata={METRIC_METADATA: {"name": name, "value": value, "key": key}},
    )


def test_metrics_are_read_from_metadata_not_from_the_words():
    nb = notebook("a", "b", "c")
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="test accuracy 0.5000\n"),  # printed: not a metric
        metric_output("validation accuracy", 0.9012, "best epoch 3: 90.1% of the held-out images right"),
    ]
    nb.cells[3].outputs = [
        metric_output("test accuracy", 0.919, "The CNN gets 91.9% of the test images right.", key=True),
        nbformat.v4.new_output("display_data", data={"text/plain": "test accuracy 0.7"}),  # no metadata
    ]
    found = course.metrics_in_notebook(nb)
    assert [(m.name, m.value, m.key, m.cell) for m in found] == [
        ("validation accuracy", 0.9012, False, 2),
        ("test accuracy", 0.919, True, 4),
    ]
    assert found[1].sentence == "The CNN gets 91.9% of the test images right."
    assert course.key_metric(found) is found[1]


def test_the_key_metric_is_the_last_declared_one_and_may_be_missing():
    metrics = [
        course.Metric("a", 0.1, True, "", 1),
        course.Metric("b", 0.2, False, "", 2),
        course.Metric("c", 0.3, True, "", 3),
        course.Metric("d", 0.4, False, "", 4),
    ]
    assert course.key_metric(metrics).name == "c"
    assert course.key_metric(metrics[1:2]) is None
    assert course.key_metric([]) is None
    assert course.fmt_metric(None) == "no key metric"
    assert course.fmt_metric(metrics[2]) == "c = 0.3"


def test_report_metric_outside_ipython_prints_the_sentence(capsys):
    report_metric("test accuracy", np.float32(0.875), "CNN: test accuracy 0.8750")
    report_metric("mean IoU", 0.61234)
    assert capsys.readouterr().out == "CNN: test accuracy 0.8750\nmean IoU: 0.6123\n"
    with pytest.raises(TypeError, match="report_metric\\('loss', ...\\) needs a number, got 'low'"):
        report_metric("loss", "low")


def test_selecting_notebooks_by_number_and_name(tmp_path):
    for name in ("01_a", "02_b", "11_c"):
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / f"{name}.ipynb")
    assert [p.stem for p in course.select([], tmp_path)] == ["01_a", "02_b", "11_c"]
    assert [p.stem for p in course.select(["2", "11_c", "01"], tmp_path)] == ["02_b", "11_c", "01_a"]
    with pytest.raises(SystemExit, match="No notebook matches '07'.*01_a, 02_b, 11_c"):
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
    """Three notebooks run once: one that works and declares a key metric, one that fails in its
    second code cell, one that reports a metric but declares none as its key metric."""
    folder = tmp_path_factory.mktemp("notebooks")
    nbformat.write(
        notebook(
            "import os\nprint('profile', os.environ['COURSE_PROFILE'])",
            "import numpy as np\nblock = np.ones(300_000_000 // 8)  # 300 MB held by the kernel",
            "import helpers\n"
            "print('test accuracy 0.5000')  # printed, not reported: not a metric\n"
            "helpers.report_metric('test accuracy, dense', 0.866, 'dense network: test accuracy 0.8660')\n"
            "helpers.report_metric('validation accuracy', np.float64(0.9012))",
            # a sentence without the words "test accuracy": the metric is still read
            "helpers.report_metric('test accuracy', 0.919, 'The CNN gets 91.9% of the test images right.', key=True)",
        ),
        folder / "01_works.ipynb",
    )
    nbformat.write(
        notebook(
            "import os\nos.write(2, b'a message written by the kernel process itself\\n')",
            "print('about to fail')\nraise ValueError('the data folder is empty')",
            "print('never runs')",
        ),
        folder / "02_fails.ipynb",
    )
    nbformat.write(
        notebook(
            "import helpers\nhelpers.report_metric('mean IoU', 0.61, 'boxes: mean IoU 0.610')",
            "import sys, warnings\nprint('a line on stderr that is no warning', file=sys.stderr)\n"
            "warnings.warn('the input ran out of data')",
        ),
        folder / "03_no_key.ipynb",
    )
    out = tmp_path_factory.mktemp("report")
    # The kernel gets the chosen profile in its own environment; this process keeps its own.
    before = os.environ.get("COURSE_PROFILE")
    os.environ["COURSE_PROFILE"] = "full"
    try:
        report = course.run(course.select([], folder), out, profile="fast", timeout=120, memory_limit=250 * 10**6)
        assert os.environ["COURSE_PROFILE"] == "full", "the tool must not change its own environment"
    finally:
        if before is None:
            del os.environ["COURSE_PROFILE"]
        else:
            os.environ["COURSE_PROFILE"] = before
    return out, report


def test_report_has_time_memory_metrics_and_copies(finished_run):
    out, report = finished_run
    assert json.loads((out / "report.json").read_text()) == json.loads(json.dumps(report))
    assert report["complete"] and report["profile"] == "fast"
    works, fails, no_key = report["notebooks"]
    assert works["status"] == "ok" and works["cells_executed"] == works["code_cells"] == 4
    assert 0 < works["seconds"] < 120
    if sys.platform.startswith("linux"):
        assert works["peak_memory_source"] == "VmHWM"
        assert works["peak_memory_bytes"] > 300 * 10**6, "the 300 MB array must show in the peak"
    assert [(m["name"], m["value"], m["key"], m["cell"]) for m in works["metrics"]] == [
        ("test accuracy, dense", 0.866, False, 4),
        ("validation accuracy", 0.9012, False, 4),
        ("test accuracy", 0.919, True, 5),
    ]
    assert works["key_metric"]["value"] == 0.919
    assert works["key_metric"]["sentence"] == "The CNN gets 91.9% of the test images right."

    executed = nbformat.read(out / "01_works.ipynb", as_version=4)
    assert executed.cells[1].outputs[0]["text"] == "profile fast\n", "the kernel runs the chosen profile"
    outputs = executed.cells[3].outputs
    assert [o["output_type"] for o in outputs] == ["stream", "display_data", "display_data"]
    assert outputs[0]["text"] == "test accuracy 0.5000\n", "printed text stays where it was printed"
    assert outputs[2]["data"]["text/plain"] == "validation accuracy: 0.9012", "the default sentence"
    assert "The CNN gets 91.9% of the test images right." in (out / "01_works.html").read_text()


def test_a_notebook_without_a_key_metric_is_reported_as_such(finished_run):
    out, report = finished_run
    no_key = report["notebooks"][2]
    assert no_key["status"] == "ok" and no_key["key_metric"] is None
    assert [(m["name"], m["value"]) for m in no_key["metrics"]] == [("mean IoU", 0.61)]
    assert report["notebooks"][1]["metrics"] == [] and report["notebooks"][1]["key_metric"] is None
    markdown = (out / "report.md").read_text()
    assert "| no key metric |" in markdown.split("| 03_no_key |")[1].splitlines()[0]
    assert "- 03_no_key: (no key metric)\n  - cell 2: mean IoU = 0.61: `boxes: mean IoU 0.610`" in markdown
    assert "- 02_fails: none" in markdown


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
    assert report["summary"]["failed"] == ["02_fails"] and report["summary"]["ok"] == 2

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
    assert "| 01_works | ok |" in markdown and "| test accuracy = 0.919 |" in markdown
    assert "- 01_works:\n  - cell 4: test accuracy, dense = 0.866: `dense network: test accuracy 0.8660`" in markdown
    assert "  - cell 5: test accuracy = 0.919 (key metric): `The CNN gets 91.9% of the test images right.`" in markdown


def test_python_warnings_the_learner_sees_are_reported(finished_run):
    out, report = finished_run
    by_name = {nb["name"]: nb for nb in report["notebooks"]}
    assert by_name["01_works"]["warnings"] == []
    assert by_name["03_no_key"]["warnings"] == ["cell 3: UserWarning: the input ran out of data"]
    text = (out / "report.md").read_text()
    assert "## Python warnings shown to the learner" in text
    assert "- 03_no_key, cell 3: UserWarning: the input ran out of data" in text
