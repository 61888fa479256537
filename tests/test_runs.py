"""tools.runs: reference runs as data. Publishing a course report (no local paths, no failing or
partial run), writing from the committed reports the README's course map, the book's run page,
the landing page's run times and the notebooks' title lines, and the check that they agree
with them (on this repository too)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tools import book, course, runs

NAMES = list(runs.TOPICS)[:3]  # real notebook names, in a made-up repository
SECRET = "/home/alice/lab-data"  # a local path that must never reach a published report


def machine(**changes) -> dict:
    info = {
        "system": "Linux 6.1.0 x86_64",
        "cpu": "Test CPU 3000",
        "cores": 4,
        "memory_bytes": 16 * 10**9,
        "gpus": [],
        "python": "3.11.7",
        "tensorflow": "2.21.0",
        "keras": "3.15.1",
        "data": SECRET,
    }
    return {**info, **changes}


def result(name: str, seconds: float, status: str = "ok") -> course.NotebookResult:
    key = course.Metric("test accuracy", 0.9, True, f"test accuracy 0.9000 on photos in {SECRET}/photos", 12)
    other = course.Metric("validation accuracy", 0.88, False, "validation accuracy 0.8800", 10)
    return course.NotebookResult(
        name=name,
        status=status,
        seconds=seconds,
        peak_memory_bytes=2 * 10**9,
        peak_memory_source="VmHWM",
        metrics=[other, key],
        key_metric=key,
        error=None if status == "ok" else {"cell": 7, "execution_count": 5, "ename": "ValueError", "evalue": "bad"},
        executed=f"{name}.ipynb",
        kernel_log=f"{SECRET}/{name}.kernel.log",
    )


def report(seconds=(32, 224, 1088), profile="full", complete=True, started="2026-12-07 12:00 UTC", **kw) -> dict:
    """A report as `make course` writes it (tools.course.report_json), of NAMES."""
    results = [result(name, s) for name, s in zip(NAMES, seconds)]
    return course.report_json(profile, started, machine(**kw), results, complete)


# Title lines as the notebooks write them, with the times of an older run; the second with words
# after "machine" that held for that run only.
TITLES = {
    NAMES[0]: "**Run time:** about half a minute on a 2-core CPU (50 s on the README's reference machine); "
    "GPU: not measured.",
    NAMES[1]: "**Run time:** about 4 min on a 2-core CPU (22 s on the README's reference machine, before this "
    "version), plus a one-off download; GPU: not measured.",
    NAMES[2]: "**Run time:** about 18 min on a 2-core CPU (35 min 26 s on the README's reference machine); "
    "GPU: not measured.",
}


def notebook(name: str) -> dict:
    """A notebook as stored: a title cell with its run-time line, and more cells that stay as they are."""
    title = f"# {name} — Überblick\n\nWhat it teaches.\n\n{TITLES[name]}\n\nNotes: [here](../docs/notes/x.md)."
    later = "Measured (1 s on the README's reference machine), and said again here."
    return {
        "cells": [
            {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": title.splitlines(keepends=True)},
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "a2",
                "metadata": {"tags": ["x"]},
                "outputs": [],
                "source": ["print('ü')\n", "x = 1"],
            },
            {"cell_type": "markdown", "id": "a3", "metadata": {}, "source": [later]},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def stored(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


# The landing page's table with hand-typed times of an older run, a parenthetical and a cell with
# an escaped |; the sentences around it name that run by hand.
ROWS = [
    f"| 01 | [Convolution math](../notebooks/{NAMES[0]}.ipynb) | a convolution, by hand | 2 h | 50 s |",
    f"| 02 | [Pooling](../notebooks/{NAMES[1]}.ipynb) | max \\| average pooling | 1.5 h | 22 s (from scratch) |",
    f"| 03 | [Activations](../notebooks/{NAMES[2]}.ipynb) | ReLU and softmax | 2 h | 35 min 26 s |",
]
INDEX_BEFORE = "# Course\n\n## The notebooks\n\nStudy time is an estimate, not a measurement.\n\n"
INDEX_AFTER = "\n\nThe data folder of that run held no weights.\n"


def index_text(rows=ROWS) -> str:
    return (
        f"{INDEX_BEFORE}{runs.TIMES_START}\n"
        "Run time on a 2-core AMD EPYC, typed by hand (2026-11-29).\n\n"
        "| # | notebook | what it teaches | study time | run time |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nIn all about 29 hours of study and an hour of running: 1 h 37 min in that run.\n"
        f"{runs.TIMES_END}{INDEX_AFTER}"
    )


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository with three notebooks, a README and a landing page with the markers, and no published run."""
    (tmp_path / "notebooks").mkdir()
    for name in NAMES:
        (tmp_path / "notebooks" / f"{name}.ipynb").write_text(stored(notebook(name)), encoding="utf-8")
    (tmp_path / "README.md").write_text(
        f"# Course\n\n## Course map\n\n{runs.START}\n{runs.END}\n\nAfter the table.\n", encoding="utf-8"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(index_text(), encoding="utf-8")
    return tmp_path


def publish(repo: Path, data: dict, name: str, **kw) -> dict:
    path = repo / f"{name}-report.json"
    path.write_text(json.dumps(data))
    return json.loads(runs.publish(path, name=name, root=repo, **kw).read_text())


# ----------------------------------------------------------------- publishing


def test_publish_keeps_what_a_reader_needs_and_no_local_path(repo):
    data = report(gpus=["GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1234-abcd)"])
    data["machine"]["cpu"] = f"CPU read from {SECRET}/cpuinfo"
    published = publish(repo, data, "2026-12-07-full")
    text = (repo / "docs" / "runs" / "2026-12-07-full.json").read_text()
    assert "/home" not in text and "alice" not in text and runs.absolute_paths(published) == []
    assert published["machine"]["data"].startswith("a data folder (COURSE_DATA_DIR")
    assert published["machine"]["gpus"] == ["GPU 0: NVIDIA H100 80GB HBM3"]
    assert published["machine"]["cpu"] == "CPU read from <path>"
    first = published["notebooks"][0]
    assert set(first) == {"name", "status", "seconds", "peak_memory_bytes", "key_metric", "metrics"}
    assert first["key_metric"] == {
        "name": "test accuracy",
        "value": 0.9,
        "sentence": "test accuracy 0.9000 on photos in <path>",
    }
    assert [m["name"] for m in first["metrics"]] == ["validation accuracy", "test accuracy"]
    assert published["summary"]["seconds"] == 32 + 224 + 1088
    assert published["profile"] == "full" and published["started"] == "2026-12-07 12:00 UTC"
    assert not published["partial"]


def test_a_run_without_a_data_folder_says_so(repo):
    published = publish(repo, report(data="cache and downloads (COURSE_DATA_DIR not set)"), "x")
    assert published["machine"]["data"] == "the download cache (COURSE_DATA_DIR not set)"


@pytest.mark.parametrize(
    "text, paths",
    [
        (
            "data from /work/shared/course-data and C:\\Users\\bo\\data",
            ["/work/shared/course-data", "C:\\Users\\bo\\data"],
        ),
        ("kept in ~/.cache/cnn-course, or /tmp", ["~/.cache/cnn-course", "/tmp"]),
        ("1/3 of train/test; 0.5 / 0.6; https://github.com/cnn-course/cnn-course/blob/main/x", []),
    ],
)
def test_absolute_paths_are_found_and_ratios_pairs_and_addresses_are_not(text, paths):
    assert runs.absolute_paths({"a": [text]}) == paths
    assert runs.absolute_paths(runs.strip_paths(text)) == []


@pytest.mark.parametrize(
    "change, message",
    [
        ({"profile": "fast"}, "it is a run in the `fast` profile; a reference run is in the `full` profile"),
        ({"complete": False}, "the run did not finish"),
        ({"notebooks": []}, "the report has no notebooks"),
        ({"machine": None, "notebooks": None}, "not a report of `make course`"),
    ],
)
def test_publish_refuses_a_run_that_is_no_reference(repo, capsys, change, message):
    data = {k: v for k, v in {**report(), **change}.items() if v is not None}
    (repo / "report.json").write_text(json.dumps(data))
    assert runs.main(["publish", str(repo / "report.json")], root=repo) == 1
    assert message in capsys.readouterr().err
    assert not (repo / "docs" / "runs").exists()


def test_publish_refuses_a_failing_notebook_and_names_it(repo, capsys):
    data = report()
    data["notebooks"][1] = dataclasses.asdict(result(NAMES[1], 10, status="failed"))
    (repo / "report.json").write_text(json.dumps(data))
    assert runs.main(["publish", str(repo / "report.json")], root=repo) == 1
    assert f"{NAMES[1]} failed in cell 7: ValueError: bad" in capsys.readouterr().err


def test_a_run_of_some_notebooks_needs_partial_and_is_marked(repo, capsys):
    data = report(seconds=(30,))
    (repo / "report.json").write_text(json.dumps(data))
    assert runs.main(["publish", str(repo / "report.json")], root=repo) == 1
    err = capsys.readouterr().err
    assert f"lacks 2 of the course's 3 notebooks ({NAMES[1]}, {NAMES[2]})" in err and "--partial" in err
    assert runs.main(["publish", str(repo / "report.json"), "--partial", "--note", "Only one."], root=repo) == 0
    published = json.loads((repo / "docs" / "runs" / "2026-12-07-full.json").read_text())
    assert published["partial"] and published["notes"] == ["Only one."]


def test_publish_does_not_replace_a_report_unless_forced(repo):
    publish(repo, report(), "2026-12-07-full")
    with pytest.raises(runs.RunsError, match="exists"):
        publish(repo, report(seconds=(1, 2, 3)), "2026-12-07-full")
    assert publish(repo, report(seconds=(1, 2, 3)), "2026-12-07-full", force=True)["summary"]["seconds"] == 6
    with pytest.raises(runs.RunsError, match="cannot name"):
        publish(repo, report(), "../elsewhere")


# ----------------------------------------------------------------- the README and the run page


def block(repo: Path) -> str:
    return runs.split_readme((repo / "README.md").read_text())[1]


def test_render_writes_the_map_from_the_newest_report_and_names_it(repo):
    # The file names sort the other way round: "newest" is by the time the run started.
    publish(repo, report(seconds=(32, 224, 1088), started="2026-12-07 12:00 UTC"), "a-newer")
    publish(repo, report(seconds=(40, 300, 1200), started="2026-11-29 22:15 UTC", cpu="Old CPU"), "b-older")
    assert runs.main(["render"], root=repo) == 0
    text = block(repo)
    for name, time in zip(NAMES, ("32 s", "3 min 44 s", "18 min 8 s")):
        colab = f"[open]({runs.COLAB}/{name}.ipynb)"
        link = f"[{name}.ipynb](notebooks/{name}.ipynb)"
        assert f"| {name[:2]} | {link} | {runs.TOPICS[name]} | {time} | not measured | {colab} |" in text
    flat = " ".join(text.split())
    assert "Test CPU 3000, 4 cores, 16.0 GB of memory, no GPU" in flat and "Old CPU" not in flat
    assert "Python 3.11.7, TensorFlow 2.21.0, Keras 3.15.1" in flat
    assert "[a-newer.json](docs/runs/a-newer.json)" in flat and "GPU: not measured." in flat
    assert "The whole run took 22 min 24 s for the 3 notebooks" in flat
    readme = (repo / "README.md").read_text()
    assert readme.startswith("# Course\n\n## Course map\n\n") and readme.endswith(f"{runs.END}\n\nAfter the table.\n")

    page = (repo / "docs" / "runs" / "index.md").read_text()
    assert page.startswith("# Reference runs\n")
    assert "[`a-newer.json`](a-newer.json)" in page and "2026-12-07 12:00 UTC" in page
    assert "| CPU | Test CPU 3000, 4 cores |" in page and "| GPU | none |" in page
    assert f"| [{NAMES[1]}](../../notebooks/{NAMES[1]}.ipynb) | 3 min 44 s | 2.00 GB | test accuracy = 0.9 |" in page
    assert "## Earlier runs" in page and "[`b-older.json`](b-older.json)" in page
    assert "/home" not in page and "/home" not in readme


def test_a_notebook_missing_from_the_run_says_so_and_a_single_run_has_no_earlier_list(repo):
    publish(repo, report(seconds=(30,)), "one", partial=True, notes=["Only the first notebook."])
    runs.render(repo)
    text = block(repo)
    assert text.count("| not in this run | not measured |") == 2
    assert "(2 not in it)" in " ".join(text.split()) and "Only the first notebook." in text
    assert "## Earlier runs" not in (repo / "docs" / "runs" / "index.md").read_text()


def test_gpu_times_come_from_a_run_with_a_gpu_and_cpu_times_do_not(repo):
    publish(repo, report(seconds=(32, 224, 1088)), "cpu")
    gpu = report(seconds=(20, 50), started="2026-12-08 09:00 UTC", gpus=["GPU 0: Tesla T4"], cpu="Colab CPU")
    publish(repo, gpu, "gpu", partial=True)
    runs.render(repo)
    text = block(repo)
    assert f"| {runs.TOPICS[NAMES[0]]} | 32 s | 20 s |" in text
    assert f"| {runs.TOPICS[NAMES[2]]} | 18 min 8 s | not measured |" in text
    flat = " ".join(text.split())
    assert "GPU run time: GPU 0: Tesla T4 ([gpu.json](docs/runs/gpu.json))" in flat and "Colab CPU" not in flat
    page = (repo / "docs" / "runs" / "index.md").read_text()
    assert "## The newest CPU run" in page and "## The newest GPU run" in page


def test_check_passes_after_render_and_fails_on_a_hand_edit_with_a_diff(repo, capsys):
    publish(repo, report(), "2026-12-07-full")
    assert runs.main(["check"], root=repo) == 1  # never rendered
    runs.render(repo)
    assert runs.check(repo) == [] and runs.main(["check"], root=repo) == 0
    readme = repo / "README.md"
    readme.write_text(readme.read_text().replace("| 3 min 44 s |", "| 3 min 40 s |"))
    assert runs.main(["check"], root=repo) == 1
    err = capsys.readouterr().err
    assert "README.md differs" in err and "make runs" in err
    assert "-| 02 |" in err and "+| 02 |" in err and "3 min 40 s" in err
    assert runs.render(repo) == [Path("README.md")] and runs.check(repo) == []


def test_check_fails_on_a_committed_report_with_a_local_path(repo):
    publish(repo, report(), "2026-12-07-full")
    runs.render(repo)
    path = repo / "docs" / "runs" / "2026-12-07-full.json"
    data = json.loads(path.read_text())
    data["machine"]["data"] = SECRET
    path.write_text(json.dumps(data))
    assert any(SECRET in problem and "publish" in problem for problem in runs.check(repo))


def test_render_says_what_is_missing(repo):
    with pytest.raises(runs.RunsError, match="no report in docs/runs/"):
        runs.render(repo)
    publish(repo, report(), "2026-12-07-full")
    (repo / "notebooks" / "99_x.ipynb").write_text("{}")
    with pytest.raises(runs.RunsError, match="no topics for 99_x: add a line"):
        runs.render(repo)
    (repo / "notebooks" / "99_x.ipynb").unlink()
    readme = (repo / "README.md").read_text()
    (repo / "README.md").write_text("# Course\n")
    with pytest.raises(runs.RunsError, match="README.md needs one line <!-- run-table:start -->"):
        runs.render(repo)
    (repo / "README.md").write_text(readme)
    (repo / "docs" / "index.md").write_text("# Course\n")
    with pytest.raises(runs.RunsError, match="docs/index.md needs one line <!-- run-times:start -->"):
        runs.render(repo)
    assert (repo / "README.md").read_text() == readme  # nothing written when a page cannot be


# ----------------------------------------------------------------- the landing page


def index_block(repo: Path) -> str:
    return runs.split_index((repo / "docs" / "index.md").read_text())[1]


def test_the_landing_page_gets_its_run_times_and_sentences_from_the_newest_run(repo):
    publish(repo, report(seconds=(32, 224, 1088), started="2026-12-07 12:00 UTC"), "new", notes=["A note."])
    publish(repo, report(seconds=(40, 300, 1200), started="2026-11-29 22:15 UTC", cpu="Old CPU"), "old")
    runs.render(repo)
    text = (repo / "docs" / "index.md").read_text()
    assert text.startswith(INDEX_BEFORE + runs.TIMES_START + "\n") and text.endswith(runs.TIMES_END + INDEX_AFTER)
    block = index_block(repo)
    # The run-time column from the run, the parenthetical of the old one gone; the other cells as they were.
    for row, time in zip(ROWS, ("32 s", "3 min 44 s", "18 min 8 s")):
        assert row.rsplit("|", 2)[0] + f"| {time} |" in block.splitlines()
    assert f"| 02 | [Pooling](../notebooks/{NAMES[1]}.ipynb) | max \\| average pooling | 1.5 h | 3 min 44 s |" in block
    assert "from scratch" not in block and "35 min 26 s" not in block and "50 s" not in block
    flat = " ".join(block.split())
    assert (
        "Run time is the wall time of the whole notebook in the `full` profile, kernel start included, in "
        "[the run of 2026-12-07 12:00 UTC](runs/index.md) on Test CPU 3000, 4 cores, 16.0 GB of memory, no GPU "
        "(the README's reference machine)"
    ) in flat
    assert "No run on a GPU has been measured." in flat
    assert "typed by hand" not in flat and "Old CPU" not in flat and "29 hours" not in flat
    # The study hours are the sum of the study-time column; the running time is the run's.
    assert (
        "In all about 5.5 hours of study and 22 min 24 s of running for the whole course in that run. A note." in flat
    )
    assert all(len(line) <= runs.WIDTH for line in block.splitlines() if not line.startswith("|"))
    assert runs.check(repo) == []


def test_the_landing_page_says_which_notebooks_a_partial_run_did_not_run(repo):
    publish(repo, report(seconds=(30,)), "one", partial=True, notes=["Only the first notebook."])
    gpu = report(seconds=(20, 50), started="2026-12-08 09:00 UTC", gpus=["GPU 0: Tesla T4"])
    publish(repo, gpu, "gpu", partial=True)
    runs.render(repo)
    block = index_block(repo)
    assert ROWS[0].rsplit("|", 2)[0] + "| 30 s |" in block
    for row in ROWS[1:]:
        assert row.rsplit("|", 2)[0] + f"| {runs.NOT_IN_RUN} |" in block
    flat = " ".join(block.split())
    assert "[the run of 2026-12-07 12:00 UTC](runs/index.md)" in flat  # the CPU run, not the newer GPU one
    assert "Times on a GPU are in the [README](../README.md#course-map)'s course map." in flat
    assert (
        "In all about 5.5 hours of study; that run took 30 s for the 1 notebooks it ran (2 not in it). "
        "Only the first notebook."
    ) in flat


def test_check_names_a_hand_edit_of_the_landing_page(repo, capsys):
    publish(repo, report(), "2026-12-07-full")
    runs.render(repo)
    index = repo / "docs" / "index.md"
    index.write_text(index.read_text().replace("| 2 h | 32 s |", "| 2 h | 30 s |"))
    assert runs.main(["check"], root=repo) == 1
    err = capsys.readouterr().err
    assert "docs/index.md differs" in err and "-| 01 |" in err and "+| 01 |" in err
    # Its other columns are the page's own: an edit there is kept.
    index.write_text(index.read_text().replace("a convolution, by hand", "one convolution by hand"))
    assert runs.render(repo) == [Path("docs/index.md")] and runs.check(repo) == []
    assert "| one convolution by hand | 2 h | 32 s |" in index.read_text()


@pytest.mark.parametrize(
    "rows, message",
    [
        (ROWS[:2], f"the table has no row for {NAMES[2]}: add one"),
        ([*ROWS, ROWS[0]], "a second row"),
        ([*ROWS, "| 99 | [X](x.ipynb) | x | 1 h | 1 s |"], "row '99' is no notebook"),
        ([ROWS[0].replace("| 2 h |", "| two hours |"), *ROWS[1:]], "study time 'two hours' is not in hours"),
        ([ROWS[0].replace("| 2 h |", "|"), *ROWS[1:]], "has 4 cells, the header 5"),
    ],
)
def test_the_landing_page_table_must_name_every_notebook_once(repo, rows, message):
    publish(repo, report(), "2026-12-07-full")
    (repo / "docs" / "index.md").write_text(index_text(rows))
    with pytest.raises(runs.RunsError, match=message):
        runs.render(repo)


# ----------------------------------------------------------------- the notebooks' title lines


def title(repo: Path, name: str) -> str:
    nb = json.loads((repo / "notebooks" / f"{name}.ipynb").read_text())
    return next(line for line in nb["cells"][0]["source"] if line.startswith("**Run time:**"))


def test_render_writes_the_time_in_each_title_and_nothing_else(repo):
    # From the newest run without a GPU: not an older one, nor a newer one with a GPU.
    publish(repo, report(seconds=(40, 300, 1200), started="2026-11-29 22:15 UTC"), "a-older")
    publish(repo, report(seconds=(32, 224, 1088)), "b-newest-cpu")
    publish(repo, report(seconds=(5, 6, 7), started="2026-12-08 09:00 UTC", gpus=["GPU 0: Tesla T4"]), "c-gpu")
    changed = runs.render(repo)
    assert {Path("notebooks") / f"{name}.ipynb" for name in NAMES} <= set(changed)
    assert title(repo, NAMES[0]) == (
        "**Run time:** under a minute on a 2-core CPU (32 s on the README's reference machine); GPU: not measured.\n"
    )
    # The words after "machine" held for the earlier run and go; the rest of the line is the notebook's.
    assert title(repo, NAMES[1]) == (
        "**Run time:** about 4 to 6 min on a 2-core CPU (3 min 44 s on the README's reference machine), plus a "
        "one-off download; GPU: not measured.\n"
    )
    ranges = ("under a minute", "about 4 to 6 min", "about 18 to 30 min")
    for name, time, rough in zip(NAMES, ("32 s", "3 min 44 s", "18 min 8 s"), ranges):
        expected = notebook(name)
        source = expected["cells"][0]["source"]
        line = runs.TITLE_TIME.sub(f"({time} on the README's reference machine)", TITLES[name])
        source[source.index(TITLES[name] + "\n")] = runs.TITLE_ROUGH.sub(rf"\g<1>{rough}\g<3>", line) + "\n"
        # Byte for byte as stored: the later cell's "(1 s on the README's reference machine)" too.
        assert (repo / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8") == stored(expected)
    assert runs.render(repo) == [] and runs.check(repo) == []


def test_a_notebook_the_run_did_not_run_keeps_its_title(repo):
    publish(repo, report(seconds=(30,)), "one", partial=True)
    assert runs.render(repo) == [
        Path("README.md"),
        Path("docs/runs/index.md"),
        Path("docs/index.md"),
        Path("notebooks") / f"{NAMES[0]}.ipynb",
    ]
    assert "(30 s on the README's reference machine)" in title(repo, NAMES[0])
    for name in NAMES[1:]:
        assert (repo / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8") == stored(notebook(name))
    assert runs.check(repo) == []


def test_check_names_a_notebook_whose_title_differs(repo, capsys):
    publish(repo, report(), "2026-12-07-full")
    runs.render(repo)
    path = repo / "notebooks" / f"{NAMES[2]}.ipynb"
    path.write_text(path.read_text(encoding="utf-8").replace("(18 min 8 s on", "(17 min on"), encoding="utf-8")
    assert runs.main(["check"], root=repo) == 1
    err = capsys.readouterr().err
    assert f"notebooks/{NAMES[2]}.ipynb: the run time in its title cell differs" in err
    assert "(17 min on the README's reference machine)" in err and "(18 min 8 s on the README's" in err
    assert f"{NAMES[0]}.ipynb" not in err
    assert runs.render(repo) == [Path("notebooks") / f"{NAMES[2]}.ipynb"] and runs.check(repo) == []


@pytest.mark.parametrize(
    "line, message",
    [
        ("**Run time:** about 4 min on a 2-core CPU; GPU: not measured.", "needs one '\\(... on the README's"),
        (None, "needs one line '\\*\\*Run time:\\*\\* ...', not 0"),
        ("**Run time:** 4 min on any CPU (1 s on the README's reference machine).", "on a 2-core CPU"),
    ],
)
def test_render_says_when_a_title_has_no_place_for_the_time(repo, line, message):
    publish(repo, report(), "2026-12-07-full")
    nb = notebook(NAMES[1])
    source = nb["cells"][0]["source"]
    index = source.index(TITLES[NAMES[1]] + "\n")
    source[index : index + 1] = [line + "\n"] if line else []
    (repo / "notebooks" / f"{NAMES[1]}.ipynb").write_text(stored(nb), encoding="utf-8")
    with pytest.raises(runs.RunsError, match=message):
        runs.render(repo)
    assert "(50 s on" in title(repo, NAMES[0])  # nothing written


@pytest.mark.parametrize(
    "seconds, words",
    [
        (20, "under a minute"),
        (37, "under a minute"),
        (38, "about 1 to 2 min"),
        (170, "about 3 to 5 min"),
        (830, "about 14 to 23 min"),
    ],
)
def test_the_rough_range_runs_from_the_reference_time_to_1_6_times_it(seconds, words):
    assert runs.rough(seconds) == words


# ----------------------------------------------------------------- the book


def test_the_run_page_is_in_the_book_and_the_reports_are_not():
    assert book.is_book_page("docs/runs/index.md")
    assert not book.is_book_page("docs/runs/2026-12-07-full.json")
    pages = ["README.md", "docs/index.md", "docs/instructors.md", "docs/notes/a.md", "docs/runs/index.md"]
    trees = book.toctrees(["01_x"], pages)
    instructors = trees.split(":caption: For instructors", 1)[1].split("```", 1)[0]
    assert instructors.split() == ["instructors", "runs/index", "notes/a"]
    link = book.rewrite_links("[the report](2026-12-07-full.json)", "docs/runs/index.md")
    assert link == f"[the report]({book.GITHUB}/blob/main/docs/runs/2026-12-07-full.json)"


# ----------------------------------------------------------------- this repository


def test_the_readme_and_the_run_page_agree_with_the_committed_reports():
    problems = runs.check()
    assert not problems, "\n\n".join(problems)


def test_the_landing_page_and_the_titles_take_their_times_from_the_committed_reports():
    committed = runs.load_runs()
    ref = runs.reference(committed)
    assert ref is not None
    index = (runs.ROOT / runs.INDEX).read_text(encoding="utf-8")
    assert runs.rendered()[runs.INDEX] == index
    block = runs.split_index(index)[1]
    assert "(runs/index.md)" in block
    for nb in ref.notebooks.values():
        assert f"| {runs.fmt_seconds(nb['seconds'])} |" in block
    lines = runs.titles(committed, runs.course_names())
    assert set(lines) == {runs.NOTEBOOKS / f"{name}.ipynb" for name in ref.notebooks}
    for path, (line, written) in lines.items():
        assert line == written, f"{path}: {line!r} is not {written!r} (run `make runs`)"


def test_the_instructors_guide_links_the_run_page_instead_of_a_table_of_the_latest_run():
    text = (runs.ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
    section = text.split("\n## Run times\n", 1)[1].split("\n## ", 1)[0]
    latest = section.split("\n### ", 1)[0]
    assert "(runs/index.md)" in latest and "|" not in latest
    assert "### An earlier run: 2026-11-29" in section
