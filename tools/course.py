"""Run the whole course and report: time, peak memory and key metrics of every notebook.

    python -m tools.course                       every notebook, full profile
    python -m tools.course --profile fast 01 02  notebooks 01 and 02, fast profile
    make course PROFILE=fast NOTEBOOKS="01 02"   the same through make

Each notebook runs top to bottom in a fresh kernel (started from ``notebooks/``,
with ``COURSE_PROFILE`` set to the chosen profile in the kernel's environment;
``COURSE_DATA_DIR`` and the rest of this process's environment are passed on).
A failing notebook is reported with its error cell and message, and the run goes
on to the next one.

Everything is written to ``build/course/<profile>/`` (``--out`` to change):

* ``report.md`` and ``report.json``: per notebook the wall time (kernel start
  included), the peak memory of its kernel, its status, its key metric and every
  metric it reported; the machine it ran on; the largest peak memory, and every
  notebook over the 4 GB limit. The report is rewritten after each notebook, so
  an interrupted run still leaves one (``"complete": false``).
* ``<notebook>.ipynb`` and ``<notebook>.html``: the executed copy, with all
  outputs, and its HTML export, for reading the run without Jupyter;
  ``<notebook>.kernel.log``: what the kernel process printed outside the
  notebook (TensorFlow's C++ messages, a crash), when it printed anything.

Peak memory is the kernel's high-water mark of resident memory (``VmHWM`` in
``/proc/<pid>/status`` on Linux), read after every cell. On other systems it is
the largest resident size seen after a cell (Windows: the peak working set).

Metrics are what the notebook reports with ``helpers.report_metric(name, value,
sentence, key=...)``: the call shows the sentence and stores the name and value
in the metadata of that output (``helpers.notebook.METRIC_METADATA``), where this
tool reads them; the wording of the sentence does not matter. Each notebook
declares its own *key metric* with ``key=True`` (the last so marked counts); a
notebook that declares none is reported as having no key metric.

Exit status: 0 when every notebook ran and stayed under the memory limit, 1
otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from helpers.notebook import METRIC_METADATA
from tools.notebooks import NOTEBOOKS, ROOT, all_notebooks, execute, kernel_client, python_warnings

DEFAULT_OUT = ROOT / "build" / "course"
PROFILES = ("full", "fast")
MEMORY_LIMIT = 4 * 10**9  # bytes: "4 GB" (decimal, so it is also under 4 GiB)
GB = 10**9

# --------------------------------------------------------------------------- #
# Metrics, as the notebooks report them
# --------------------------------------------------------------------------- #


@dataclass
class Metric:
    """One figure a notebook reported with ``helpers.report_metric``."""

    name: str  # e.g. "test accuracy"
    value: float
    key: bool  # declared the notebook's key metric
    sentence: str  # what the notebook showed with it
    cell: int  # position of the cell in the notebook, counting from 1


def metrics_in_notebook(nb) -> list[Metric]:
    """Every metric reported in an executed notebook, in cell order."""
    found = []
    for position, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            record = output.get("metadata", {}).get(METRIC_METADATA)
            if output.get("output_type") == "display_data" and record:
                found.append(
                    Metric(
                        str(record["name"]),
                        float(record["value"]),
                        bool(record.get("key")),
                        str(output.get("data", {}).get("text/plain", "")).strip(),
                        position,
                    )
                )
    return found


def key_metric(metrics: list[Metric]) -> Metric | None:
    """The last metric declared as the key one, or None when the notebook declares none."""
    return next((m for m in reversed(metrics) if m.key), None)


# --------------------------------------------------------------------------- #
# Peak memory of the kernel
# --------------------------------------------------------------------------- #


def kernel_pid(km) -> int | None:
    """The process id of the kernel a jupyter_client kernel manager started, if it can be found."""
    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None)  # jupyter_client >= 7
    pid = getattr(process, "pid", None) or getattr(provisioner, "pid", None)
    if pid is None:
        pid = getattr(getattr(km, "kernel", None), "pid", None)  # older jupyter_client
    return pid


def peak_memory(pid: int) -> tuple[int | None, str]:
    """(bytes, how it was measured) for a running process; (None, reason) when it cannot be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024, "VmHWM"
    except OSError:
        pass
    try:
        import psutil

        info = psutil.Process(pid).memory_info()
        if hasattr(info, "peak_wset"):
            return int(info.peak_wset), "peak working set"
        return int(info.rss), "largest resident size after a cell"
    except Exception as exc:  # psutil missing, process gone, access denied
        return None, f"not measured ({type(exc).__name__})"


class MemoryProbe:
    """The peak memory of a client's kernel, sampled whenever ``sample`` is called."""

    def __init__(self) -> None:
        self.client = None
        self.bytes: int | None = None
        self.source = "not measured"

    def sample(self) -> None:
        km = getattr(self.client, "km", None)
        pid = kernel_pid(km) if km is not None else None
        if pid is None:
            return
        value, source = peak_memory(pid)
        if value is not None and (self.bytes is None or value >= self.bytes):
            self.bytes, self.source = value, source


# --------------------------------------------------------------------------- #
# Running one notebook
# --------------------------------------------------------------------------- #


@dataclass
class NotebookResult:
    name: str
    status: str = "not run"  # "ok" or "failed"
    seconds: float = 0.0
    peak_memory_bytes: int | None = None
    peak_memory_source: str = "not measured"
    over_memory_limit: bool = False
    code_cells: int = 0
    cells_executed: int = 0  # code cells that ran without an error
    metrics: list[Metric] = field(default_factory=list)
    key_metric: Metric | None = None  # declared by the notebook (report_metric(..., key=True))
    error: dict | None = None  # cell, execution_count, ename, evalue, source
    executed: str | None = None  # file names, relative to the report
    html: str | None = None
    kernel_log: str | None = None  # what the kernel process printed outside the notebook
    warnings: list[str] = field(default_factory=list)  # "cell N: Category: message", as the notebook showed them


def _first_line(text: str, limit: int = 100) -> str:
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _error_of(nb, failing_cell: int | None, exc: BaseException) -> dict:
    """Where and how a notebook failed: the cell (from 1), its execution count, the exception."""
    index = failing_cell
    ename, evalue = type(exc).__name__, str(exc)
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                index, ename, evalue = i, output.get("ename", ename), output.get("evalue", evalue)
                break
        else:
            continue
        break
    if ename in {"CellExecutionError", "DeadKernelError", "CellTimeoutError"} or index is None:
        evalue = _first_line(evalue, 300)
    cell = nb.cells[index] if index is not None else None
    return {
        "cell": None if index is None else index + 1,
        "execution_count": None if cell is None else cell.get("execution_count"),
        "ename": ename,
        "evalue": evalue.strip(),
        "source": "" if cell is None else _first_line(cell.source),
    }


def run_notebook(
    path: Path,
    out_dir: Path,
    *,
    profile: str,
    timeout: int,
    html: bool,
    memory_limit: int = MEMORY_LIMIT,
    position: int = 1,
) -> NotebookResult:
    """Execute one notebook in a fresh kernel; save the executed copy (and HTML); return its result."""
    from tqdm import tqdm

    nb = nbformat.read(path, as_version=4)
    result = NotebookResult(name=path.stem, code_cells=sum(c.cell_type == "code" for c in nb.cells))
    bar = tqdm(total=result.code_cells, desc=f"  {path.stem}", unit="cell", leave=False, position=position)
    memory = MemoryProbe()
    current_cell = None

    def on_cell_start(cell, cell_index, **_):
        nonlocal current_cell
        current_cell = cell_index

    def on_cell_executed(cell, cell_index, execute_reply=None, **_):
        memory.sample()
        if (execute_reply or {}).get("content", {}).get("status") == "ok":
            result.cells_executed += 1  # cells that ran to the end without an error
        bar.update(1)

    client = kernel_client(nb, path, timeout=timeout, on_cell_start=on_cell_start, on_cell_executed=on_cell_executed)
    memory.client = client
    out_dir.mkdir(parents=True, exist_ok=True)
    kernel_log = out_dir / f"{path.stem}.kernel.log"
    start = time.perf_counter()
    try:
        with open(kernel_log, "w", encoding="utf-8") as log:
            # The kernel process's own output (TensorFlow's C++ log, crash messages) goes to a
            # log file beside the report instead of through the progress bars.
            execute(client, profile=profile, stdout=log, stderr=log)
        result.status = "ok"
    except Exception as exc:  # CellExecutionError, DeadKernelError, CellTimeoutError, ...
        result.status = "failed"
        result.error = _error_of(nb, current_cell, exc)
    finally:
        result.seconds = time.perf_counter() - start
        bar.close()

    result.peak_memory_bytes, result.peak_memory_source = memory.bytes, memory.source
    result.over_memory_limit = bool(result.peak_memory_bytes and result.peak_memory_bytes > memory_limit)
    result.metrics = metrics_in_notebook(nb)
    result.key_metric = key_metric(result.metrics)
    result.warnings = [f"cell {cell}: {text}" for cell, text in python_warnings(nb)]

    if kernel_log.stat().st_size:
        result.kernel_log = kernel_log.name
    else:
        kernel_log.unlink()
    executed = out_dir / f"{path.stem}.ipynb"
    nbformat.write(nb, executed)
    result.executed = executed.name
    if html:
        try:
            from nbconvert import HTMLExporter

            body, _ = HTMLExporter().from_notebook_node(nb)
            (out_dir / f"{path.stem}.html").write_text(body, encoding="utf-8")
            result.html = f"{path.stem}.html"
        except Exception as exc:  # nbconvert missing or a template problem: the run still counts
            print(f"note: no HTML export of {path.name} ({type(exc).__name__}: {exc})", file=sys.stderr)
    return result


# --------------------------------------------------------------------------- #
# The machine, and the report
# --------------------------------------------------------------------------- #


def _version(package: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict:
    """What the run ran on: CPU, cores, memory, GPU, Python and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        try:
            import psutil

            memory = psutil.virtual_memory().total
        except Exception:
            pass
    gpus = []
    if shutil.which("nvidia-smi"):
        try:
            listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
            gpus = [ln.strip() for ln in listing.stdout.splitlines() if ln.strip()]
        except (OSError, subprocess.SubprocessError):
            pass
    return {
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "gpus": gpus,
        "python": platform.python_version(),
        "tensorflow": _version("tensorflow"),
        "keras": _version("keras"),
        "data": os.environ.get("COURSE_DATA_DIR") or "cache and downloads (COURSE_DATA_DIR not set)",
    }


def fmt_seconds(seconds: float) -> str:
    """31 s, 5 min 9 s, 1 h 2 min."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def fmt_bytes(value: int | None) -> str:
    return "not measured" if value is None else f"{value / GB:.2f} GB"


def fmt_metric(metric: Metric | None) -> str:
    return "no key metric" if metric is None else f"{metric.name} = {metric.value:.4g}"


def summary(results: list[NotebookResult], memory_limit: int = MEMORY_LIMIT) -> dict:
    measured = [r for r in results if r.peak_memory_bytes is not None]
    largest = max(measured, key=lambda r: r.peak_memory_bytes, default=None)
    return {
        "notebooks": len(results),
        "ok": sum(r.status == "ok" for r in results),
        "failed": [r.name for r in results if r.status == "failed"],
        "seconds": sum(r.seconds for r in results),
        "memory_limit_bytes": memory_limit,
        "over_memory_limit": [r.name for r in results if r.over_memory_limit],
        "largest_peak_memory": None
        if largest is None
        else {"notebook": largest.name, "bytes": largest.peak_memory_bytes},
    }


def report_json(
    profile: str,
    started: str,
    info: dict,
    results: list[NotebookResult],
    complete: bool,
    memory_limit: int = MEMORY_LIMIT,
) -> dict:
    return {
        "profile": profile,
        "started": started,
        "complete": complete,
        "machine": info,
        "summary": summary(results, memory_limit),
        "notebooks": [asdict(r) for r in results],
    }


def report_markdown(report: dict) -> str:
    info, total = report["machine"], report["summary"]
    gpus = ", ".join(info["gpus"]) if info["gpus"] else "no GPU"
    memory = f"{info['memory_bytes'] / GB:.1f} GB RAM" if info["memory_bytes"] else "RAM unknown"
    lines = [
        f"# Course run, profile `{report['profile']}`",
        "",
        f"Started {report['started']} on {info['system']}: {info['cpu']}, {info['cores']} cores, "
        f"{memory}, {gpus}. Python {info['python']}, TensorFlow {info['tensorflow']}, "
        f"Keras {info['keras']}. Data: {info['data']}.",
        "",
    ]
    if not report["complete"]:
        lines += ["**This run was interrupted or is still going: the table is incomplete.**", ""]
    lines += [
        "Wall time: the whole notebook in a fresh kernel, kernel start included. Peak memory: "
        "the kernel's high-water mark of resident memory. Key metric: the figure the notebook "
        "declares as its key one (`helpers.report_metric(..., key=True)`); every figure it "
        "reported is listed below the table.",
        "",
        "| notebook | status | wall time | peak memory | key metric | executed copy |",
        "|---|---|---|---|---|---|",
    ]
    for nb in report["notebooks"]:
        status = nb["status"]
        if nb["error"]:
            cell = nb["error"]["cell"]
            status = f"**failed** in cell {cell}" if cell else "**failed** before its first cell"
        memory_cell = fmt_bytes(nb["peak_memory_bytes"])
        if nb["over_memory_limit"]:
            memory_cell = f"**{memory_cell} (over the limit)**"
        head = Metric(**nb["key_metric"]) if nb["key_metric"] else None
        links = " / ".join(
            f"[{kind}]({name})"
            for kind, name in (("ipynb", nb["executed"]), ("html", nb["html"]), ("kernel log", nb["kernel_log"]))
            if name
        )
        lines.append(
            f"| {nb['name']} | {status} | {fmt_seconds(nb['seconds'])} | {memory_cell} | "
            f"{fmt_metric(head)} | {links or '-'} |"
        )
    lines += [
        "",
        f"Total: {fmt_seconds(total['seconds'])} for {total['notebooks']} notebooks; "
        f"{total['ok']} ran to the end, {len(total['failed'])} failed.",
    ]
    largest, limit = total["largest_peak_memory"], total["memory_limit_bytes"]
    if largest:
        verdict = (
            "every notebook stayed under it"
            if not total["over_memory_limit"]
            else "over it: " + ", ".join(total["over_memory_limit"])
        )
        lines.append(
            f"Largest peak memory: {fmt_bytes(largest['bytes'])} ({largest['notebook']}); "
            f"limit {limit / GB:g} GB, {verdict}."
        )
    warned = [nb for nb in report["notebooks"] if nb.get("warnings")]
    if warned:
        lines += ["", "## Python warnings shown to the learner", ""]
        lines += [f"- {nb['name']}, {text}" for nb in warned for text in nb["warnings"]]
    failures = [nb for nb in report["notebooks"] if nb["error"]]
    if failures:
        lines += ["", "## Failures", ""]
        for nb in failures:
            err = nb["error"]
            where = (f"cell {err['cell']}" if err["cell"] else "before its first cell") + (
                f" (In [{err['execution_count']}])" if err["execution_count"] else ""
            )
            source = f", `{err['source']}`" if err["source"] else ""
            lines += [
                f"- **{nb['name']}**, {where}{source}: {err['ename']}: {err['evalue']} "
                f"({nb['cells_executed']} of {nb['code_cells']} code cells ran without error)"
            ]
    lines += ["", "## Metrics reported by the notebooks", ""]
    for nb in report["notebooks"]:
        if not nb["metrics"]:
            lines.append(f"- {nb['name']}: none")
            continue
        lines.append(f"- {nb['name']}:" + ("" if nb["key_metric"] else " (no key metric)"))
        lines += [
            f"  - cell {m['cell']}: {m['name']} = {m['value']:.4g}"
            + (" (key metric)" if m["key"] else "")
            + f": `{m['sentence']}`"
            for m in nb["metrics"]
        ]
    return "\n".join(lines) + "\n"


def write_report(out_dir: Path, report: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in (("report.json", json.dumps(report, indent=1) + "\n"), ("report.md", report_markdown(report))):
        partial = out_dir / (name + ".part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(out_dir / name)


# --------------------------------------------------------------------------- #
# The whole course
# --------------------------------------------------------------------------- #


def select(names: list[str], folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks named by number ("01", "7"), file name or path; all of them when none is named."""
    available = all_notebooks(folder)
    if not names:
        return available
    chosen = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            matches = [path.resolve()]
        else:
            token = f"{int(name):02d}" if name.isdigit() else name
            matches = [p for p in available if p.name.startswith(token) or p.stem == token]
        if not matches:
            raise SystemExit(f"No notebook matches {name!r}. Available: " + ", ".join(p.stem for p in available))
        chosen += [m for m in matches if m not in chosen]
    return chosen


def run(
    paths: list[Path],
    out_dir: Path,
    *,
    profile: str = "full",
    timeout: int = 1800,
    html: bool = True,
    memory_limit: int = MEMORY_LIMIT,
) -> dict:
    """Run notebooks one after the other and write the report after each; return the report."""
    from tqdm import tqdm

    if profile not in PROFILES:
        raise SystemExit(f"Unknown profile {profile!r}; use one of {', '.join(PROFILES)}.")
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    results: list[NotebookResult] = []
    write_report(out_dir, report_json(profile, started, info, results, False, memory_limit))
    bar = tqdm(paths, desc=f"course ({profile})", unit="notebook", position=0)
    for path in bar:
        bar.set_postfix_str(path.stem)
        result = run_notebook(path, out_dir, profile=profile, timeout=timeout, html=html, memory_limit=memory_limit)
        results.append(result)
        mark = "ok" if result.status == "ok" else f"FAILED in cell {result.error['cell']}: {result.error['ename']}"
        tqdm.write(
            f"{result.name}: {mark}, {fmt_seconds(result.seconds)}, "
            f"peak memory {fmt_bytes(result.peak_memory_bytes)}, {fmt_metric(result.key_metric)}"
            + (f", {len(result.warnings)} Python warning(s) (see the report)" if result.warnings else "")
        )
        write_report(out_dir, report_json(profile, started, info, results, False, memory_limit))
    bar.close()
    report = report_json(profile, started, info, results, True, memory_limit)
    write_report(out_dir, report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.course",
        description="Run every course notebook in a fresh kernel and report time, peak memory "
        "and the metrics it reports.",
    )
    parser.add_argument("notebooks", nargs="*", help='numbers or names, e.g. "01 06" (default: all)')
    parser.add_argument(
        "--profile",
        default=os.environ.get("COURSE_PROFILE", "").strip() or "full",
        choices=PROFILES,
        help="run profile (default: $COURSE_PROFILE, else full)",
    )
    parser.add_argument("--out", type=Path, default=None, help="report folder (default: build/course/<profile>)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell (default 1800)")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML exports")
    args = parser.parse_args(argv)

    paths = select(args.notebooks)
    out_dir = args.out or DEFAULT_OUT / args.profile
    report = run(paths, out_dir, profile=args.profile, timeout=args.timeout, html=not args.no_html)
    total = report["summary"]
    print(f"\nReport: {out_dir / 'report.md'} (and report.json, executed copies beside it)")
    print(
        f"{total['ok']} of {total['notebooks']} notebooks ran to the end in {fmt_seconds(total['seconds'])}"
        + (f"; failed: {', '.join(total['failed'])}" if total["failed"] else "")
    )
    if total["largest_peak_memory"]:
        largest = total["largest_peak_memory"]
        print(
            f"largest peak memory: {fmt_bytes(largest['bytes'])} ({largest['notebook']})"
            + (
                f"; OVER {MEMORY_LIMIT / GB:g} GB: {', '.join(total['over_memory_limit'])}"
                if total["over_memory_limit"]
                else f", under the {MEMORY_LIMIT / GB:g} GB limit"
            )
        )
    return 0 if not total["failed"] and not total["over_memory_limit"] else 1


if __name__ == "__main__":
    sys.exit(main())
