"""The course's reference runs as data: every run time the course states comes from them.

    python -m tools.runs publish build/course/full/report.json [--name 2026-12-07-full]
        copy a report of ``make course`` into ``docs/runs/<name>.json``: what a reader needs
        (the machine, and per notebook its time, peak memory and figures), no local paths
    python -m tools.runs render       (``make runs``)
        rewrite, from the reports in ``docs/runs/``:
        - the course map in README.md (between ``<!-- run-table:start -->`` and
          ``<!-- run-table:end -->``);
        - the book's page ``docs/runs/index.md``;
        - on the landing page, docs/index.md, between ``<!-- run-times:start -->`` and
          ``<!-- run-times:end -->``: the sentence on the run before the table "The notebooks", the
          table's last column (run time; its other columns are edited by hand) and the total
          after it (its study hours are the sum of the table's study times);
        - in each notebook's title cell, the time in ``(... on the README's reference machine)``
          on its ``**Run time:**`` line (the rest of the line is written by hand); a notebook the
          run did not run keeps its line
    python -m tools.runs check
        exit status 1, with a diff, when any of these differ from what ``render`` writes
        (tests/test_runs.py runs it in ``make test``)

Only a finished run of every notebook in the ``full`` profile, none failing, is published
(``--partial`` lets a run of some notebooks through, marked as such; it is no reference run).
The CPU times come from the newest committed report (by its ``started`` time) made without a
GPU; a notebook that run did not run is "not in this run" in the README and on the landing
page. A notebook's GPU time comes from the newest report made with a GPU that ran it, and is
"not measured" when there is none. The course map's topics are written here, in ``TOPICS``.

Exit status: 0 on success, 1 when a report is refused or a check fails, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from tools.course import GB, fmt_bytes, fmt_seconds
from tools.notebooks import HOME, ROOT, all_notebooks

RUNS = Path("docs") / "runs"  # relative to the repository root
PAGE = RUNS / "index.md"
README = Path("README.md")
START = "<!-- run-table:start -->"
END = "<!-- run-table:end -->"
INDEX = Path("docs") / "index.md"  # the landing page, with its table "The notebooks"
TIMES_START = "<!-- run-times:start -->"
TIMES_END = "<!-- run-times:end -->"
NOTEBOOKS = Path("notebooks")
COLAB = f"https://colab.research.google.com/github/{HOME}/blob/main/notebooks"
FORMAT = 1  # of the published reports
NOT_MEASURED = "not measured"
NOT_IN_RUN = "not in this run"
SPREAD = 1.6  # two-core machines differ by up to this factor, even for the same figures

# The course map's topics, one short line per notebook (the landing page, docs/index.md, has
# them in full). A new notebook needs its line here before `make runs` can write the map.
TOPICS = {
    "01_convolution_math": "a convolution by hand, padding, stride, parameter counts",
    "02_pooling": "max, average and global pooling; what pooling keeps",
    "03_activations": "ReLU and relatives, their slopes, stable softmax",
    "04_how_a_network_learns": "loss, gradients, gradient descent, learning rates, `fit`",
    "05_mnist_dense": "a dense network on MNIST, callbacks, dropout",
    "06_fashion_mnist_dense": "overfitting, confusion matrix, per-class accuracy, seeds",
    "07_fashion_mnist_cnn": "`Conv2D` and pooling layers, shape chain, feature maps",
    "08_horses_or_humans": "images from folders, `tf.data`, distribution shift",
    "09_cats_vs_dogs": "overfitting, data augmentation, a compact batch-normalised network",
    "10_what_the_network_sees": "feature maps, first-layer kernels, Grad-CAM",
    "11_architectures": "LeNet-5 to ResNet-50, separable convolutions, SE blocks",
    "12_transfer_learning": "feature extraction and fine-tuning of pretrained networks",
    "13_your_own_images": "your folder of photos: checks, split, training, evaluation",
    "14_beyond_classification": "boxes and IoU, fully convolutional heads, detection",
}


WIDTH = 95  # prose lines of the pages written here, as the README wraps them


def wrap(text: str) -> list[str]:
    """A paragraph as lines of at most ``WIDTH`` characters (a long word or link stays whole)."""
    return textwrap.wrap(text, WIDTH, break_long_words=False, break_on_hyphens=False)


class RunsError(Exception):
    """A report that cannot be published or read, or pages that cannot be written; the message says why."""


# --------------------------------------------------------------------------- #
# No local paths
# --------------------------------------------------------------------------- #

# An absolute path: /two/parts or more, a well-known top folder alone (/tmp), ~/..., C:\... or
# \\server\share. Not a ratio (1/3), a pair (train/test) or the path part of a web address.
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~:/\\-])/(?:[\w.@+-]+/)+[\w.@+-]*"
    r"|(?<![\w.~:/\\-])/(?:home|root|tmp|Users|var|mnt|srv|opt|media|work|data|private)\b"
    r"|(?<![\w/])~[\w.-]*/[\w.@+/-]*"
    r"|\b[A-Za-z]:[\\/][^\s\"'`<>|]*"
    r"|\\\\[\w.$-]+\\[^\s\"'`<>|]*"
)
PATH_MARK = "<path>"
GPU_UUID = re.compile(r"\s*\(UUID: [^)]*\)")


def strip_paths(value):
    """The value (str, list, dict, nested) with every absolute path replaced by ``<path>``."""
    if isinstance(value, str):
        return ABSOLUTE_PATH.sub(PATH_MARK, value)
    if isinstance(value, list):
        return [strip_paths(v) for v in value]
    if isinstance(value, dict):
        return {k: strip_paths(v) for k, v in value.items()}
    return value


def absolute_paths(value) -> list[str]:
    """Every absolute path in a value's strings (nested lists and dicts too)."""
    if isinstance(value, str):
        return [m.group(0) for m in ABSOLUTE_PATH.finditer(value)]
    if isinstance(value, list):
        return [p for v in value for p in absolute_paths(v)]
    if isinstance(value, dict):
        return [p for v in value.values() for p in absolute_paths(v)]
    return []


# --------------------------------------------------------------------------- #
# Publishing a report of `make course`
# --------------------------------------------------------------------------- #


def course_names(root: Path = ROOT) -> list[str]:
    """The stems of the course's notebooks, in course order."""
    return [p.stem for p in all_notebooks(root / "notebooks")]


def refusals(report: dict, names: list[str], partial: bool = False) -> list[str]:
    """Why a course report cannot be published as a reference run (empty: it can)."""
    missing_keys = [k for k in ("profile", "started", "complete", "machine", "notebooks") if k not in report]
    if missing_keys:
        return [f"this is not a report of `make course` (python -m tools.course): no {', '.join(missing_keys)}"]
    found = []
    if report["profile"] != "full":
        found.append(
            f"it is a run in the `{report['profile']}` profile; a reference run is in the `full` profile, "
            "as learners run the notebooks: `make course`"
        )
    if not report["complete"]:
        found.append('the run did not finish ("complete": false): run `make course` to the end, then publish')
    failed = [nb for nb in report["notebooks"] if nb.get("status") != "ok"]
    for nb in failed:
        err = nb.get("error") or {}
        where = f" in cell {err['cell']}" if err.get("cell") else ""
        what = f": {err.get('ename')}: {err.get('evalue', '')}".rstrip() if err.get("ename") else ""
        found.append(f"{nb.get('name')} {nb.get('status', 'did not run')}{where}{what}")
    if failed:
        found.append("fix the failing notebooks and run `make course` again")
    ran = {nb.get("name") for nb in report["notebooks"]}
    missing = [n for n in names if n not in ran]
    if not report["notebooks"]:
        found.append("the report has no notebooks")
    elif missing and not partial:
        found.append(
            f"the run lacks {len(missing)} of the course's {len(names)} notebooks ({', '.join(missing)}): "
            "a reference run runs them all (`make course` without NOTEBOOKS); --partial publishes "
            "it anyway, marked as partial"
        )
    return found


def data_source(data: str | None) -> str:
    """Where the run's data came from, without the folder's path."""
    if not data or str(data).startswith("cache and downloads"):
        return "the download cache (COURSE_DATA_DIR not set)"
    return "a data folder (COURSE_DATA_DIR, e.g. an offline mirror)"


def publishable(report: dict, names: list[str], *, partial: bool = False, notes: list[str] | None = None) -> dict:
    """What a reader needs of a course report, without local paths. Raises RunsError when refused."""
    problems = refusals(report, names, partial)
    if problems:
        raise RunsError("this report cannot be published as a reference run:\n  - " + "\n  - ".join(problems))
    info = report["machine"]
    notebooks = []
    for nb in report["notebooks"]:
        key = nb.get("key_metric")
        notebooks.append(
            {
                "name": nb["name"],
                "status": nb["status"],
                "seconds": round(float(nb["seconds"]), 1),
                "peak_memory_bytes": nb.get("peak_memory_bytes"),
                "key_metric": None
                if not key
                else {"name": key["name"], "value": key["value"], "sentence": key.get("sentence", "")},
                "metrics": [
                    {
                        "name": m["name"],
                        "value": m["value"],
                        "sentence": m.get("sentence", ""),
                        "key": bool(m.get("key")),
                    }
                    for m in nb.get("metrics", [])
                ],
            }
        )
    measured = [nb for nb in notebooks if nb["peak_memory_bytes"] is not None]
    largest = max(measured, key=lambda nb: nb["peak_memory_bytes"], default=None)
    ran = {nb["name"] for nb in notebooks}
    published = {
        "format": FORMAT,
        "made_by": "make course (python -m tools.course), published with python -m tools.runs publish",
        "profile": report["profile"],
        "started": report["started"],
        "complete": report["complete"],
        "partial": any(n not in ran for n in names),
        "machine": {
            "system": info.get("system"),
            "cpu": info.get("cpu"),
            "cores": info.get("cores"),
            "memory_bytes": info.get("memory_bytes"),
            "gpus": [GPU_UUID.sub("", g) for g in info.get("gpus") or []],
            "python": info.get("python"),
            "tensorflow": info.get("tensorflow"),
            "keras": info.get("keras"),
            "data": data_source(info.get("data")),
        },
        "summary": {
            "notebooks": len(notebooks),
            "seconds": round(sum(nb["seconds"] for nb in notebooks), 1),
            "largest_peak_memory": None
            if largest is None
            else {"notebook": largest["name"], "bytes": largest["peak_memory_bytes"]},
        },
        "notes": list(notes or []),
        "notebooks": notebooks,
    }
    return strip_paths(published)


NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def default_name(report: dict) -> str:
    """2026-12-07-full: the day the run started, and its profile."""
    return f"{str(report.get('started', ''))[:10]}-{report.get('profile', 'run')}"


def publish(
    report_path: Path,
    *,
    name: str | None = None,
    partial: bool = False,
    notes: list[str] | None = None,
    force: bool = False,
    root: Path = ROOT,
) -> Path:
    """Write ``docs/runs/<name>.json`` from a course report; return its path. Raises RunsError."""
    try:
        report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunsError(f"cannot read {report_path}: {exc}") from exc
    if not isinstance(report, dict):
        raise RunsError(f"{report_path} is not a report of `make course`")
    published = publishable(report, course_names(root), partial=partial, notes=notes)
    name = (name or default_name(report)).removesuffix(".json")
    if not NAME.fullmatch(name) or name == "index":
        raise RunsError(f"{name!r} cannot name a report: use letters, digits, '-', '_' and '.', e.g. 2026-12-07-full")
    target = root / RUNS / f"{name}.json"
    text = json.dumps(published, indent=1, ensure_ascii=False) + "\n"
    if target.exists() and not force and target.read_text(encoding="utf-8") != text:
        raise RunsError(f"{target.relative_to(root)} exists: choose another --name, or --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


# --------------------------------------------------------------------------- #
# The committed reports
# --------------------------------------------------------------------------- #


@dataclass(eq=False)  # one run is one object: compared and hashed by identity
class Run:
    file: str  # e.g. "2026-12-07-full.json"
    report: dict

    @property
    def gpus(self) -> list[str]:
        return self.report["machine"].get("gpus") or []

    @property
    def notebooks(self) -> dict[str, dict]:
        return {nb["name"]: nb for nb in self.report["notebooks"]}


def load_runs(root: Path = ROOT) -> list[Run]:
    """The published reports in docs/runs/, oldest first (by ``started``, then file name)."""
    runs = []
    for path in sorted((root / RUNS).glob("*.json")):
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise RunsError(f"{path.relative_to(root)} is not valid JSON: {exc}") from exc
        lacking = [k for k in ("format", "started", "machine", "notebooks") if k not in report]
        if lacking:
            raise RunsError(
                f"{path.relative_to(root)} is not a published report (no {', '.join(lacking)}): "
                "make it with `python -m tools.runs publish`"
            )
        runs.append(Run(path.name, report))
    return sorted(runs, key=lambda r: (r.report["started"], r.file))


def reference(runs: list[Run]) -> Run | None:
    """The newest run made without a GPU: the source of the CPU times."""
    return next((r for r in reversed(runs) if not r.gpus), None)


def gpu_times(runs: list[Run], names: list[str]) -> dict[str, tuple[float, Run]]:
    """Per notebook, its time in the newest run with a GPU that ran it."""
    found: dict[str, tuple[float, Run]] = {}
    for run in reversed(runs):
        if run.gpus:
            for name, nb in run.notebooks.items():
                if name in names and name not in found:
                    found[name] = (nb["seconds"], run)
    return found


# --------------------------------------------------------------------------- #
# Writing the README's course map and the book's run page
# --------------------------------------------------------------------------- #


def cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def memory_words(info: dict) -> str:
    return f"{info['memory_bytes'] / GB:.1f} GB of memory" if info.get("memory_bytes") else "memory unknown"


def gpu_words(info: dict) -> str:
    return ", ".join(info.get("gpus") or []) or "no GPU"


def hardware_words(info: dict) -> str:
    """AMD EPYC, 2 cores, 25.3 GB of memory, no GPU."""
    cores = f"{info['cores']} cores" if info.get("cores") else "cores unknown"
    return f"{info.get('cpu') or 'an unknown CPU'}, {cores}, {memory_words(info)}, {gpu_words(info)}"


def machine_words(info: dict) -> str:
    """AMD EPYC, 2 cores, 25.3 GB of memory, no GPU (Linux ..., Python 3.11.7, TensorFlow ..., Keras ...)."""
    return (
        f"{hardware_words(info)} "
        f"({info.get('system')}; Python {info.get('python')}, TensorFlow {info.get('tensorflow')}, "
        f"Keras {info.get('keras')})"
    )


def readme_block(runs: list[Run], names: list[str], topics: dict[str, str] = TOPICS) -> str:
    """The README's course map with its run times: the text between the markers."""
    lacking = [n for n in names if n not in topics]
    if lacking:
        raise RunsError(f"no topics for {', '.join(lacking)}: add a line for each to TOPICS in tools/runs.py")
    ref, gpu = reference(runs), gpu_times(runs, names)
    if ref is None:
        intro = "CPU run time: not measured (no run without a GPU is committed)."
    else:
        report = ref.report
        intro = (
            f"Run time: the whole notebook in the `{report['profile']}` profile, kernel start included, "
            f"in the run of {report['started']} ([{ref.file}]({RUNS.as_posix()}/{ref.file}), "
            f"[all its figures]({PAGE.as_posix()})) on {machine_words(report['machine'])}. Another 2-core "
            f"CPU may take up to {SPREAD:g} times as long; each notebook's first cell gives that range."
        )
    gpu_runs = list(dict.fromkeys(run for _, run in gpu.values()))
    if gpu_runs:
        intro += " GPU run time: " + "; ".join(
            f"{gpu_words(r.report['machine'])} ([{r.file}]({RUNS.as_posix()}/{r.file}))" for r in gpu_runs
        )
        intro += "."
    else:
        intro += " GPU: not measured."
    lines = [f"<!-- Written by `make runs` from {RUNS.as_posix()}/; topics in tools/runs.py. -->", ""]
    lines += wrap(intro)
    lines += ["", "| # | notebook | topics | CPU run time | GPU run time | Colab |", "|---|---|---|---|---|---|"]
    cpu = ref.notebooks if ref else {}
    for name in names:
        cpu_time = fmt_seconds(cpu[name]["seconds"]) if name in cpu else (NOT_IN_RUN if ref else NOT_MEASURED)
        gpu_time = fmt_seconds(gpu[name][0]) if name in gpu else NOT_MEASURED
        lines.append(
            f"| {name[:2]} | [{name}.ipynb](notebooks/{name}.ipynb) | {cell(topics[name])} | {cpu_time} | "
            f"{gpu_time} | [open]({COLAB}/{name}.ipynb) |"
        )
    if ref is not None:
        lines += ["", *wrap(" ".join([total_words(ref, names), *ref.report.get("notes", [])]))]
    return "\n".join(lines) + "\n"


def total_words(run: Run, names: list[str]) -> str:
    """The whole run's time and its largest peak memory, in a sentence."""
    summary, ran = run.report["summary"], run.notebooks
    missing = [n for n in names if n not in ran]
    scope = (
        f"the {len(ran)} notebooks" if not missing else f"the {len(ran)} notebooks it ran ({len(missing)} not in it)"
    )
    text = f"The whole run took {fmt_seconds(summary['seconds'])} for {scope}"
    largest = summary.get("largest_peak_memory")
    if largest:
        text += f"; the largest peak memory was {fmt_bytes(largest['bytes'])} ({largest['notebook']})"
    return text + "."


def run_section(run: Run, names: list[str], heading: str) -> list[str]:
    """A run on the book's page: its machine, per notebook time, memory and key metric, its figures."""
    report, info = run.report, run.report["machine"]
    about = (
        f"The report: [`{run.file}`]({run.file}), a run of `make course` in the `{report['profile']}` "
        f"profile started {report['started']}"
        + (", of some notebooks only (not a reference run)." if report.get("partial") else ".")
    )
    lines = [
        f"## {heading}",
        "",
        *wrap(about),
        "",
        "| machine | |",
        "|---|---|",
        f"| CPU | {cell(info.get('cpu') or 'unknown')}, {info.get('cores') or 'unknown'} cores |",
        f"| memory | {memory_words(info).removesuffix(' of memory')} |",
        f"| GPU | {cell(', '.join(info.get('gpus') or []) or 'none')} |",
        f"| system | {cell(info.get('system'))} |",
        f"| Python, TensorFlow, Keras | {info.get('python')}, {info.get('tensorflow')}, {info.get('keras')} |",
        f"| data | {cell(info.get('data', 'unknown'))} |",
        "",
        "| notebook | wall time | peak memory | key metric |",
        "|---|---|---|---|",
    ]
    ran = run.notebooks
    order = names + sorted(n for n in ran if n not in names)
    for name in order:
        label = f"[{name}](../../notebooks/{name}.ipynb)" if name in names else name
        nb = ran.get(name)
        if nb is None:
            lines.append(f"| {label} | {NOT_IN_RUN} | | |")
            continue
        key = nb.get("key_metric")
        metric = f"{key['name']} = {key['value']:.4g}" if key else "none declared"
        lines.append(
            f"| {label} | {fmt_seconds(nb['seconds'])} | {fmt_bytes(nb['peak_memory_bytes'])} | {cell(metric)} |"
        )
    lines += ["", *wrap(total_words(run, names))]
    for note in report.get("notes", []):
        lines += ["", *wrap(note)]
    lines += ["", "What each notebook reported (the key metric first):", ""]
    for name in [n for n in order if n in ran]:
        metrics = sorted(ran[name]["metrics"], key=lambda m: not m["key"])
        if not metrics:
            lines.append(f"- {name}: no figures")
            continue
        lines.append(f"- {name}:")
        lines += [f"  - {m['name']} = {m['value']:.4g}: {m['sentence']}" for m in metrics]
    return lines


def page(runs: list[Run], names: list[str]) -> str:
    """The book's page on the committed runs, docs/runs/index.md (MyST Markdown)."""
    lines = [
        "# Reference runs",
        "",
        "<!-- Written by `make runs` (python -m tools.runs render) from the reports in this folder. -->",
        "",
        *wrap(
            "The run times of the [README](../../README.md#course-map)'s course map come from the newest "
            "run below: every notebook run top to bottom in a fresh kernel by `make course`, its report "
            "published here with `python -m tools.runs publish` "
            "([how](../instructors.md#publish-a-reference-run)). Wall time includes the kernel's start; "
            "peak memory is the kernel's high-water mark of resident memory; the key metric is the figure "
            "each notebook declares as its key one."
        ),
        "",
    ]
    ref = reference(runs)
    newest_gpu = next((r for r in reversed(runs) if r.gpus), None)
    shown = [r for r in (ref, newest_gpu) if r is not None]
    if not shown:
        lines += ["No run is committed yet.", ""]
    for run in shown:
        kind = "GPU" if run.gpus else "CPU"
        lines += run_section(run, names, f"The newest {kind} run: {run.report['started'][:10]}") + [""]
    earlier = [r for r in reversed(runs) if r not in shown]
    if earlier:
        lines += [
            "## Earlier runs",
            "",
            "| report | started | machine | notebooks | total |",
            "|---|---|---|---|---|",
        ]
        for run in earlier:
            report = run.report
            lines.append(
                f"| [`{run.file}`]({run.file}) | {report['started']} | {cell(machine_words(report['machine']))} | "
                f"{len(report['notebooks'])} | {fmt_seconds(report['summary']['seconds'])} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- #
# The landing page's table "The notebooks" and the notebooks' title cells
# --------------------------------------------------------------------------- #

STUDY = re.compile(r"(\d+(?:\.\d+)?) h")  # a study time, e.g. "1.5 h"
TITLE_RUN_TIME = re.compile(r"^\*\*Run time:\*\* .*$", re.M)
MACHINE = "on the README's reference machine"
# "(3 min 44 s on the README's reference machine)", perhaps with words after "machine" (", before
# this version"): render writes the time and drops those words, which held for an earlier run.
TITLE_TIME = re.compile(r"\([^()\n]*? " + re.escape(MACHINE) + r"[^()\n]*\)")


def table_cells(line: str) -> list[str]:
    """The cells of a Markdown table row, as written (spaces kept): "| a | b |" -> [" a ", " b "]."""
    parts = re.split(r"(?<!\\)\|", line.rstrip("\n"))
    if len(parts) < 3 or parts[0].strip() or parts[-1].strip():
        raise RunsError(f"{INDEX.as_posix()}: {line.strip()!r} is not a table row of the form | a | b |")
    return parts[1:-1]


def column(header: list[str], name: str) -> int:
    found = [i for i, c in enumerate(header) if c.strip().lower() == name]
    if len(found) != 1:
        raise RunsError(f"{INDEX.as_posix()}: the table between the run-times markers needs one column {name!r}")
    return found[0]


def study_hours(text: str) -> float:
    match = STUDY.fullmatch(text.strip())
    if not match:
        raise RunsError(f"{INDEX.as_posix()}: study time {text.strip()!r} is not in hours, e.g. '2 h' or '1.5 h'")
    return float(match.group(1))


def index_block(block: str, runs: list[Run], names: list[str]) -> str:
    """The landing page's text between the run-times markers, from the one it has.

    The table is kept but for its run-time column; the sentence before it and the total after it
    are written from the newest CPU run."""
    lines = block.splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("|")]
    if not rows or rows != list(range(rows[0], rows[-1] + 1)) or len(rows) < 3:
        raise RunsError(
            f"{INDEX.as_posix()}: between {TIMES_START} and {TIMES_END} goes one table "
            "(header, |---| line, a row per notebook), and nothing else but the sentences written here"
        )
    header, rule, *body = (lines[i] for i in rows)
    head = table_cells(header)
    time_col, study_col = column(head, "run time"), column(head, "study time")
    ref, gpu = reference(runs), gpu_times(runs, names)
    cpu = ref.notebooks if ref else {}
    by_number = {name[:2]: name for name in names}
    table, seen, study = [header, rule], [], 0.0
    for row in body:
        cells = table_cells(row)
        if len(cells) != len(head):
            raise RunsError(f"{INDEX.as_posix()}: row {row.strip()!r} has {len(cells)} cells, the header {len(head)}")
        name = by_number.get(cells[0].strip())
        if name is None or name in seen:
            raise RunsError(
                f"{INDEX.as_posix()}: the table's row {cells[0].strip()!r} is "
                + ("a second row for that notebook" if name else "no notebook in notebooks/")
            )
        seen.append(name)
        study += study_hours(cells[study_col])
        time = fmt_seconds(cpu[name]["seconds"]) if name in cpu else (NOT_IN_RUN if ref else NOT_MEASURED)
        cells[time_col] = f" {time} "
        table.append("|" + "|".join(cells) + "|")
    lacking = [n for n in names if n not in seen]
    if lacking:
        raise RunsError(f"{INDEX.as_posix()}: the table has no row for {', '.join(lacking)}: add one")

    gpu_text = (
        "Times on a GPU are in the [README](../README.md#course-map)'s course map."
        if gpu
        else "No run on a GPU has been measured."
    )
    if ref is None:
        intro = f"Run time: not measured (no run without a GPU is committed). {gpu_text}"
        total = f"In all about {study:g} hours of study."
    else:
        report, ran = ref.report, ref.notebooks
        intro = (
            f"Run time is the wall time of the whole notebook in the `{report['profile']}` profile, "
            f"kernel start included, in [the run of {report['started']}]({PAGE.relative_to(INDEX.parent).as_posix()}) "
            f"on {hardware_words(report['machine'])} (the README's reference machine); the time while a "
            f"notebook trains can go to its text. {gpu_text}"
        )
        seconds = fmt_seconds(report["summary"]["seconds"])
        missing = [n for n in names if n not in ran]
        if missing:
            total = (
                f"In all about {study:g} hours of study; that run took {seconds} for the {len(ran)} "
                f"notebooks it ran ({len(missing)} not in it)."
            )
        else:
            total = f"In all about {study:g} hours of study and {seconds} of running for the whole course in that run."
        total = " ".join([total, *report.get("notes", [])])
    out = [
        f"<!-- Run times by `make runs` from {RUNS.as_posix()}/; the table's other columns are edited here. -->",
        "",
        *wrap(intro),
        "",
        *table,
        "",
        *wrap(total),
    ]
    return "\n".join(out) + "\n"


def title_line(nb: dict, path: Path) -> re.Match:
    """The ``**Run time:**`` line of a notebook's title cell (its first Markdown cell)."""
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "markdown"]
    if not cells:
        raise RunsError(f"{path.as_posix()} has no title cell (no Markdown cell)")
    source = cells[0]["source"]
    found = list(TITLE_RUN_TIME.finditer("".join(source) if isinstance(source, list) else source))
    if len(found) != 1:
        raise RunsError(f"{path.as_posix()}: its title cell needs one line '**Run time:** ...', not {len(found)}")
    return found[0]


TITLE_ROUGH = re.compile(r"^(\*\*Run time:\*\* )(.*?)( on a 2-core CPU)")


def rough(seconds: float) -> str:
    """What a learner's 2-core CPU takes: from the reference time to ``SPREAD`` times it, rounded."""
    if SPREAD * seconds < 60:
        return "under a minute"
    low = max(1, round(seconds / 60))
    high = max(low + 1, math.ceil(SPREAD * seconds / 60))
    return f"about {low} to {high} min"


def retimed(line: str, seconds: float, path: Path) -> str:
    """A title's run-time line with the run's time in its parentheses and the rough range before
    "on a 2-core CPU" (``rough``); the rest of the line is the notebook's."""
    found = list(TITLE_TIME.finditer(line))
    if len(found) != 1:
        raise RunsError(
            f"{path.as_posix()}: its title's run-time line needs one '(... {MACHINE})' for `make runs` "
            f"to write the time in: {line!r}"
        )
    match = found[0]
    line = f"{line[: match.start()]}({fmt_seconds(seconds)} {MACHINE}){line[match.end() :]}"
    if not TITLE_ROUGH.match(line):
        raise RunsError(
            f"{path.as_posix()}: its title's run-time line needs to read '**Run time:** ... on a 2-core "
            f"CPU (...)' for `make runs` to write the range in: {line!r}"
        )
    return TITLE_ROUGH.sub(lambda m: m.group(1) + rough(seconds) + m.group(3), line, count=1)


def titles(runs: list[Run], names: list[str], root: Path = ROOT) -> dict[Path, tuple[str, str]]:
    """{notebook: (its title's run-time line, the line ``render`` writes)}, for each notebook the
    newest CPU run ran; the others keep their line and are not listed."""
    ref = reference(runs)
    found = {}
    for name, nb in (ref.notebooks if ref else {}).items():
        if name not in names:
            continue
        path = NOTEBOOKS / f"{name}.ipynb"
        try:
            notebook = json.loads((root / path).read_text(encoding="utf-8"))
        except ValueError as exc:
            raise RunsError(f"{path.as_posix()} is not valid JSON: {exc}") from exc
        line = title_line(notebook, path).group(0)
        found[path] = (line, retimed(line, nb["seconds"], path))
    return found


def write_title(target: Path, line: str) -> None:
    """Write a notebook's title run-time line; nothing else in the file changes (as stored: JSON,
    indent 1, no ASCII escapes, a final newline)."""
    nb = json.loads(target.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c.get("cell_type") == "markdown")
    source = cell["source"]
    text = "".join(source) if isinstance(source, list) else source
    match = title_line(nb, target)
    text = text[: match.start()] + line + text[match.end() :]
    cell["source"] = text.splitlines(keepends=True) if isinstance(source, list) else text
    with target.open("w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")


# --------------------------------------------------------------------------- #
# Render and check
# --------------------------------------------------------------------------- #


def split_between(text: str, start: str, end: str, where: str, what: str) -> tuple[str, str, str]:
    """(before the start marker, the block, from the end marker on). Raises RunsError without markers."""
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise RunsError(f"{where} needs one line {start} and, after it, one line {end} around {what}")
    before, rest = text.split(start, 1)
    block, after = rest.split(end, 1)
    return before, block, after


def split_readme(text: str) -> tuple[str, str, str]:
    """README.md: (before the start marker, the course map, from the end marker on)."""
    return split_between(text, START, END, README.as_posix(), "the course map")


def split_index(text: str) -> tuple[str, str, str]:
    """docs/index.md: (before the start marker, the table "The notebooks" and its sentences, from the end marker on)."""
    return split_between(
        text, TIMES_START, TIMES_END, INDEX.as_posix(), 'the table "The notebooks" and the sentences on its run'
    )


def read(root: Path, path: Path) -> str:
    try:
        return (root / path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RunsError(f"cannot read {path.as_posix()}: {exc}") from exc


def rendered(root: Path = ROOT) -> dict[Path, str]:
    """{path relative to the root: the text ``render`` writes} for README.md, docs/runs/index.md
    and docs/index.md."""
    runs, names = load_runs(root), course_names(root)
    if not runs:
        raise RunsError(
            f"no report in {RUNS.as_posix()}/: publish one first "
            "(python -m tools.runs publish build/course/full/report.json)"
        )
    before, _, after = split_readme(read(root, README))
    top, block, bottom = split_index(read(root, INDEX))
    return {
        README: f"{before}{START}\n{readme_block(runs, names)}{END}{after}",
        PAGE: page(runs, names),
        INDEX: f"{top}{TIMES_START}\n{index_block(block, runs, names)}{TIMES_END}{bottom}",
    }


def render(root: Path = ROOT) -> list[Path]:
    """Write the pages and the notebooks' title lines; return the files that changed."""
    changed = []
    pages = rendered(root)  # first, so that nothing is written when a page cannot be
    lines = titles(load_runs(root), course_names(root), root)
    for path, text in pages.items():
        target = root / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(path)
    for path, (old, new) in lines.items():
        if old != new:
            write_title(root / path, new)
            changed.append(path)
    return changed


def check(root: Path = ROOT) -> list[str]:
    """What differs from what ``render`` writes, or a committed report holding a local path (empty: all agree)."""
    problems = []
    for run in load_runs(root):
        paths = absolute_paths(run.report)
        if paths:
            problems.append(
                f"{RUNS.as_posix()}/{run.file} holds local paths ({', '.join(sorted(set(paths)))}): "
                "publish the report again with `python -m tools.runs publish`"
            )
    for path, text in rendered(root).items():
        target = root / path
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{path.as_posix()} (as it is)",
                tofile=f"{path.as_posix()} (as `make runs` writes it)",
            )
            problems.append(
                f"{path.as_posix()} differs from the committed reports in {RUNS.as_posix()}/ "
                "(run `make runs`; topics are in TOPICS in tools/runs.py, times in the reports):\n" + "".join(diff)
            )
    for path, (old, new) in titles(load_runs(root), course_names(root), root).items():
        if old != new:
            problems.append(
                f"{path.as_posix()}: the run time in its title cell differs from the committed reports in "
                f"{RUNS.as_posix()}/ (run `make runs`):\n  as it is:             {old}\n"
                f"  as `make runs` writes: {new}"
            )
    return problems


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.runs", description="Publish reference runs and write the pages made from them."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    pub = commands.add_parser("publish", help="copy a report of `make course` into docs/runs/")
    pub.add_argument("report", type=Path, help="e.g. build/course/full/report.json")
    pub.add_argument("--name", help="file name in docs/runs/, without .json (default: <day started>-<profile>)")
    pub.add_argument("--note", action="append", default=[], help="a sentence about the run, shown with it (repeatable)")
    pub.add_argument("--partial", action="store_true", help="accept a run of some notebooks only (no reference run)")
    pub.add_argument("--force", action="store_true", help="replace a report of the same name")
    commands.add_parser(
        "render", help="rewrite the run times of README.md, docs/runs/index.md, docs/index.md, the notebooks' titles"
    )
    commands.add_parser("check", help="exit 1 when those differ from what render writes")
    args = parser.parse_args(argv)
    try:
        if args.command == "publish":
            target = publish(
                args.report, name=args.name, partial=args.partial, notes=args.note, force=args.force, root=root
            )
            print(f"wrote {target.relative_to(root)}; now `make runs` (python -m tools.runs render), then commit both")
        elif args.command == "render":
            changed = render(root)
            print("rewrote " + ", ".join(p.as_posix() for p in changed) if changed else "all run times agree already")
        else:
            problems = check(root)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                return 1
            print(
                f"README.md, {PAGE.as_posix()}, {INDEX.as_posix()} and the notebooks' titles agree with "
                f"the reports in {RUNS.as_posix()}/"
            )
    except RunsError as exc:
        print(f"runs: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
