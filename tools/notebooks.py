"""Keep the course's notebooks clean: run, strip and check them.

    python -m tools.notebooks refresh notebooks/01_convolution_math.ipynb
        run the notebook in a fresh kernel, keep the outputs of the cells that
        nbval checks (tag ``nbval-check-output``), strip all other outputs
    python -m tools.notebooks clean [NOTEBOOK ...]
        strip without running (checked cells keep their stored outputs)
    python -m tools.notebooks check [NOTEBOOK ...]
        report notebooks that are not clean; exit status 1 if any
    python -m tools.notebooks home
        after changing the course's home (``Homepage`` in pyproject.toml, e.g. in
        a fork): rewrite the first cell of every notebook and the Colab links in
        README.md to point at it

With no notebook named, every notebook under ``notebooks/`` is used.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from pathlib import Path

import nbformat
import tomllib

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
CHECK_TAG = "nbval-check-output"


def course_home() -> str:
    """The course's GitHub repository, ``owner/name``, from ``Homepage`` in pyproject.toml.

    The one place it is written: the notebooks' first cell and the README's Colab
    links are made from it (``python -m tools.notebooks home``), and the tests check them.
    """
    with open(ROOT / "pyproject.toml", "rb") as f:
        url = tomllib.load(f)["project"]["urls"]["Homepage"]
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)/?", url)
    if match is None:
        raise ValueError(f"Homepage in pyproject.toml must be https://github.com/OWNER/NAME, not {url!r}")
    return match.group(1)


HOME = course_home()

# What the first cell asks pip for on Colab. --no-deps: the course uses the
# TensorFlow, Keras, NumPy, ipywidgets and IPython that Colab has (the test
# target `make test-colab` runs the course on exactly those versions), so pip
# neither upgrades nor downgrades anything under Colab's running front end, and
# no runtime restart is needed.
BOOTSTRAP_PIP = f'--quiet --no-deps "cnn-course-helpers @ git+https://github.com/{HOME}"'

# The first cell of every notebook, identical everywhere (the tests compare it).
BOOTSTRAP = f"""\
# Set-up. On Colab this installs the course helpers (a few seconds, once per session)
# and nothing else: the course runs on Colab's own TensorFlow, Keras and widgets.
# On your own machine it does nothing: `make lab` has installed them already.
import importlib.util
import sys

if importlib.util.find_spec("helpers") is None:
    if "google.colab" in sys.modules:
        %pip install {BOOTSTRAP_PIP}
    else:
        sys.path.insert(0, "..")  # a clone opened without `make lab`: use its helpers/ folder"""

# A notebook's "open in Colab" address: owner/name is the course's home.
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/")

KEEP_METADATA = {"kernelspec", "language_info"}


def all_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every course notebook (``NN_name.ipynb``) in a folder, in course order."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def is_checked(cell) -> bool:
    """True for a code cell whose stored output nbval compares."""
    source = cell.get("source", "")
    return CHECK_TAG in cell.get("metadata", {}).get("tags", []) or "NBVAL_CHECK_OUTPUT" in source


def strip(nb) -> None:
    """Remove outputs of unchecked cells, their execution counts and volatile metadata, in place.

    A checked cell keeps its outputs and gets a fixed execution count (its
    position among the code cells): nbval refuses stored outputs without one.
    """
    nb.metadata = nbformat.from_dict({k: v for k, v in nb.metadata.items() if k in KEEP_METADATA})
    nb.metadata.setdefault("kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"})
    if "language_info" in nb.metadata:
        nb.metadata["language_info"] = {"name": "python"}
    code_index = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type != "code":
            continue
        code_index += 1
        if is_checked(cell):
            cell.execution_count = code_index
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = code_index
        else:
            cell.execution_count = None
            cell.outputs = []


def problems(path: Path) -> list[str]:
    """What is not clean about a notebook (empty list: clean)."""
    nb = nbformat.read(path, as_version=4)
    found = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        found.append(f"not valid nbformat 4: {exc.message}")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            if not cell.outputs:
                found.append(f"cell {i}: is checked by nbval but has no stored output")
            if cell.execution_count is None:
                found.append(f"cell {i}: is checked by nbval but has no execution count (nbval needs one)")
        else:
            if cell.execution_count is not None:
                found.append(f"cell {i}: has an execution count")
            if cell.outputs:
                found.append(f"cell {i}: stores outputs that nbval does not check")
    return found


# A Python warning as the warnings module prints it: "<file>:<line>: <Category>Warning: <message>".
PYTHON_WARNING = re.compile(r"^\S.*?:\d+: (\w*Warning): (.*)$", re.MULTILINE)


def python_warnings(nb) -> list[tuple[int, str]]:
    """The Python warnings an executed notebook printed: (cell position counting from 1, "Category:
    message"), in cell order. The course's own code must not warn; a learner reads these as faults."""
    found = []
    for position, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = output.get("text", "")
                text = "".join(text) if isinstance(text, list) else text
                found += [(position, f"{m.group(1)}: {m.group(2).strip()}") for m in PYTHON_WARNING.finditer(text)]
    return found


def kernel_client(nb, path: Path, *, timeout: int = 1200, **hooks):
    """An nbclient client that runs ``nb`` (read from ``path``) in a fresh Python 3 kernel started
    in the notebook's folder, stopping at the first error. ``hooks`` are nbclient's public hooks
    (``on_cell_start``, ``on_cell_executed``, ``on_cell_error``, ...)."""
    from nbclient import NotebookClient

    return NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
        **hooks,
    )


def kernel_env(profile: str | None = None) -> dict[str, str]:
    """The kernel's environment: this process's, with ``COURSE_PROFILE`` set to ``profile`` if given."""
    env = dict(os.environ)
    if profile is not None:
        env["COURSE_PROFILE"] = profile
    return env


def execute(client, *, profile: str | None = None, **kernel_args) -> None:
    """Run a ``kernel_client`` top to bottom (outputs go into its notebook), the kernel in the run
    ``profile`` (default: this process's). ``kernel_args`` go to the kernel's start, e.g.
    ``stdout=``/``stderr=`` for what the kernel process prints outside the notebook."""
    client.execute(env=kernel_env(profile), **kernel_args)


def refresh(path: Path, timeout: int = 1200) -> None:
    """Run a notebook in a fresh kernel (from notebooks/), then strip and save it."""
    nb = nbformat.read(path, as_version=4)
    execute(kernel_client(nb, path, timeout=timeout))
    strip(nb)
    write(nb, path)


def write(nb, path: Path) -> None:
    """Save with one-space indentation and a final newline, as Jupyter does."""
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    path.write_text(text if text.endswith("\n") else text + "\n")


def executed_notebook(nb, outputs: dict[int, list]):
    """A copy of ``nb`` in which each code cell that ran has its outputs and an execution count.

    ``outputs`` maps ``id(cell)`` of the cells of ``nb`` to the outputs nbval collected for them
    (``IPyNbCell.test_outputs``); cells that did not run (skipped, or after the run stopped) keep
    no outputs and no count, as in a notebook run that far in Jupyter.
    """
    executed = copy.deepcopy(nb)
    count = 0
    for original, cell in zip(nb.cells, executed.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        ran = outputs.get(id(original))
        if ran is None:
            continue
        count += 1
        cell.execution_count = count
        for output in ran:
            output = nbformat.from_dict(copy.deepcopy(dict(output)))
            if output.output_type == "execute_result":
                output.execution_count = count
            cell.outputs.append(output)
    return executed


def set_home() -> None:
    """Point every notebook's first cell and the README's Colab links at ``HOME``."""
    for path in all_notebooks():
        nb = nbformat.read(path, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        if first.source != BOOTSTRAP:
            first.source = BOOTSTRAP
            write(nb, path)
            print(f"{path.name}: first cell installs from {HOME}")
    text = README.read_text()
    new = COLAB_LINK.sub(f"https://colab.research.google.com/github/{HOME}/blob/", text)
    if new != text:
        README.write_text(new)
        print(f"README.md: Colab links point at {HOME}")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"refresh", "clean", "check", "home"}:
        print(__doc__)
        return 2
    command, names = argv[0], argv[1:]
    if command == "home":
        set_home()
        return 0
    paths = [Path(n).resolve() for n in names] or all_notebooks()
    status = 0
    for path in paths:
        if command == "refresh":
            print(f"running {path.name} ...", flush=True)
            refresh(path)
        elif command == "clean":
            nb = nbformat.read(path, as_version=4)
            strip(nb)
            write(nb, path)
        else:
            for problem in problems(path):
                print(f"{path.name}: {problem}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
