"""The course as a book: the README's size, the executed copies the test run saves, and the
builder's own steps (tools/book.py) on small inputs. Sphinx itself runs in `make book`, and the
site in a browser in `make book-check` (tests/browser/test_book.py)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import book
from tools.notebooks import HOME, NOTEBOOKS, all_notebooks, executed_notebook

ROOT = Path(__file__).resolve().parent.parent
README_WORDS = 1200
# A 1 x 1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


# ----------------------------------------------------------------- README and landing page


def test_readme_is_short():
    words = len((ROOT / "README.md").read_text().split())
    assert words <= README_WORDS, (
        f"README.md has {words} words, more than {README_WORDS}: move the detail to docs/index.md, "
        "docs/instructors.md or docs/maintainers.md"
    )


@pytest.mark.parametrize("path", all_notebooks(NOTEBOOKS), ids=lambda p: p.stem)
def test_readme_map_opens_every_notebook_in_colab(path):
    colab = f"https://colab.research.google.com/github/{HOME}/blob/main/notebooks/{path.name}"
    assert f"]({colab})" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("path", all_notebooks(NOTEBOOKS), ids=lambda p: p.stem)
def test_landing_page_links_every_notebook(path):
    assert f"](../notebooks/{path.name})" in (ROOT / "docs" / "index.md").read_text()


def test_the_guides_link_each_other_and_exist():
    for name in ("index.md", "instructors.md", "maintainers.md", "conf.py"):
        assert (ROOT / "docs" / name).is_file()
    readme = (ROOT / "README.md").read_text()
    for target in ("docs/index.md", "docs/instructors.md", "docs/maintainers.md"):
        assert f"]({target}" in readme


# ----------------------------------------------------------------- executed copies from nbval


def test_executed_notebook_takes_each_cells_outputs():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("1 + 1"),
        nbformat.v4.new_code_cell("skipped"),
        nbformat.v4.new_code_cell("print('x')"),
    ]
    result = nbformat.from_dict({"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {}})
    result.execution_count = 7
    stream = nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "x\n"})
    executed = executed_notebook(nb, {id(nb.cells[1]): [result], id(nb.cells[3]): [stream]})
    assert [c.get("execution_count") for c in executed.cells] == [None, 1, None, 2]
    assert executed.cells[1].outputs[0].execution_count == 1
    assert executed.cells[3].outputs[0].text == "x\n" and executed.cells[2].outputs == []
    assert nb.cells[1].outputs == [], "the notebook nbval read is left as it was"
    nbformat.validate(executed)


def test_the_test_run_saves_executed_notebooks_with_their_pictures(tmp_path):
    """nbval, on two workers as `make test` runs it, with COURSE_SAVE_EXECUTED: each notebook is
    written whole, with its printed text and its image, by the worker that ran it."""
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    shutil.copy(ROOT / "conftest.py", work / "conftest.py")
    png = base64.b64encode(PNG).decode()
    for name in ("01_first", "02_second"):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [
            nbformat.v4.new_markdown_cell(f"# {name}"),
            nbformat.v4.new_code_cell(f"print('{name}')"),
            nbformat.v4.new_code_cell(
                f"from IPython.display import Image, display\nimport base64\ndisplay(Image(base64.b64decode('{png}')))"
            ),
        ]
        nbformat.write(nb, work / f"{name}.ipynb")
    env = dict(os.environ, PYTHONPATH=str(ROOT), COURSE_SAVE_EXECUTED=str(out))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadscope"]
    command += ["--nbval-lax", "--nbval-current-env", "01_first.ipynb", "02_second.ipynb"]
    run = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == ["01_first.ipynb", "02_second.ipynb"]
    for name in ("01_first", "02_second"):
        saved = nbformat.read(out / f"{name}.ipynb", as_version=4)
        nbformat.validate(saved)
        code = [c for c in saved.cells if c.cell_type == "code"]
        assert [c.execution_count for c in code] == [1, 2]
        assert code[0].outputs[0].text == f"{name}\n"
        assert base64.b64decode(code[1].outputs[0].data["image/png"]) == PNG


# ----------------------------------------------------------------- the builder


def test_links_to_pages_stay_and_others_go_to_github():
    text = (
        "[a](../notebooks/05_mnist_dense.ipynb) [b](instructors.md#seeds) [c](../README.md#course-map) "
        "[d](../data/README.md) [e](../helpers) [f](https://example.org/x) [g](#local) `[h](../Makefile)`"
    )
    out = book.rewrite_links(text, "docs/index.md")
    github = f"https://github.com/{HOME}"
    assert "[a](../notebooks/05_mnist_dense.ipynb)" in out and "[b](instructors.md#seeds)" in out
    assert "[c](../README.md#course-map)" in out
    assert f"[d]({github}/blob/main/data/README.md)" in out
    assert f"[e]({github}/tree/main/helpers)" in out
    assert "[f](https://example.org/x)" in out and "[g](#local)" in out
    assert "`[h](../Makefile)`" in out, "code is left alone"
    # A link whose text is code is still a link: a file that is no page goes to GitHub.
    out = book.rewrite_links("[`2026-12-07-full.json`](2026-12-07-full.json) and `x`", "docs/runs/index.md")
    assert out == f"[`2026-12-07-full.json`]({github}/blob/main/docs/runs/2026-12-07-full.json) and `x`"
    assert book.rewrite_links("[n](05_mnist_dense.ipynb)", "notebooks/06_fashion_mnist_dense.ipynb") == (
        "[n](05_mnist_dense.ipynb)"
    )


def explorer_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    setup = nbformat.v4.new_code_cell("# Set-up")
    title = nbformat.v4.new_markdown_cell("# 01 · A title\n\nThe overview, with [a link](02_pooling.ipynb).")
    explorer = nbformat.v4.new_code_cell("explore(...)")
    explorer.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(PNG).decode()}),
        nbformat.v4.new_output(
            "display_data",
            data={
                book.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
                "text/plain": "HBox(children=(IntSlider(value=5, description='position'), "
                "Dropdown(description='kernel')))",
            },
        ),
    ]
    explorer.outputs.append(
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": "<helpers.widgets.Explorer at 0x7fe88952b690>"}, execution_count=2
        )
    )
    nb.cells = [setup, title, explorer]
    return nb


def test_a_notebook_page_shows_the_picture_and_names_the_controls():
    page = book.prepare_notebook(explorer_notebook(), "01_convolution_math", "fast", "2026-12-07")
    assert "widgets" not in page.metadata
    assert page.cells[0].cell_type == "markdown" and page.cells[0].source.startswith("# 01 · A title\n")
    colab = f"https://colab.research.google.com/github/{HOME}/blob/main/notebooks/01_convolution_math.ipynb"
    assert f'href="{colab}"' in page.cells[0].source
    assert 'href="01_convolution_math.ipynb"' in page.cells[0].source
    assert "`fast` profile on 2026-12-07" in page.cells[0].source
    assert "[a link](02_pooling.ipynb)" in page.cells[0].source
    outputs = page.cells[2].outputs
    assert "image/png" in outputs[0].data, "the picture the explorer drew stays"
    assert book.WIDGET_VIEW not in outputs[1].data
    assert "controls (position, kernel) under the picture above" in outputs[1].data["text/markdown"]
    assert len(outputs) == 2, "the Explorer object's address is left out"
    nbformat.validate(page)


def test_remote_scripts_stylesheets_and_fonts_are_found(tmp_path):
    (tmp_path / "ok.html").write_text(
        '<link rel="canonical" href="https://example.org/page.html"><script src="_static/x.js"></script>'
        '<a href="https://example.org/">a link is fine</a>'
    )
    (tmp_path / "bad.html").write_text(
        '<script src="https://cdn.example.org/mathjax.js"></script>'
        '<link rel="stylesheet" href="//cdn.example.org/a.css">'
        "<style>@font-face { src: url(https://fonts.example.org/f.woff2) }</style>"
    )
    (tmp_path / "bad.css").write_text("@import 'https://fonts.example.org/css';")
    found = book.remote_resources(tmp_path)
    assert sorted(found) == [
        "bad.css: https://fonts.example.org/css",
        "bad.html: //cdn.example.org/a.css",
        "bad.html: https://cdn.example.org/mathjax.js",
        "bad.html: https://fonts.example.org/f.woff2",
    ]


def test_the_book_names_the_missing_executed_copies(tmp_path):
    (tmp_path / "01_a.ipynb").write_text("{}")
    with pytest.raises(book.BookError, match=re.escape('make course PROFILE=fast NOTEBOOKS="02"')):
        book.choose_source("fast", tmp_path, ["01_a", "02_b"])
    assert book.choose_source(None, tmp_path, ["01_a"]) == (tmp_path, "")


def test_the_book_prefers_the_full_profile_when_complete(tmp_path, monkeypatch):
    monkeypatch.setattr(book, "EXECUTED", tmp_path)
    for profile in ("full", "fast"):
        (tmp_path / profile).mkdir()
    (tmp_path / "fast" / "01_a.ipynb").write_text("{}")
    assert book.choose_source(None, None, ["01_a"]) == (tmp_path / "fast", "fast")
    (tmp_path / "full" / "01_a.ipynb").write_text("{}")
    assert book.choose_source(None, None, ["01_a"]) == (tmp_path / "full", "full")
    shutil.rmtree(tmp_path / "fast")
    shutil.rmtree(tmp_path / "full")
    with pytest.raises(book.BookError, match="make course PROFILE=fast"):
        book.choose_source(None, None, ["01_a"])


def test_the_book_counts_the_cells_changed_since_a_copy_ran():
    ran, now = nbformat.v4.new_notebook(), nbformat.v4.new_notebook()
    ran.cells = [nbformat.v4.new_code_cell(s) for s in ("a = 1", "b = 2", "c = 3")]
    now.cells = [nbformat.v4.new_code_cell(s) for s in ("b = 2", "c = 3", "d = 4")]
    assert book.stale_cells(ran, ran) == 0
    assert book.stale_cells(ran, now) == 1, "a removed cell does not count every later cell as changed"


def test_python_warnings_in_the_executed_notebooks_stop_the_book(tmp_path, monkeypatch):
    from tools.notebooks import python_warnings

    nb = nbformat.v4.new_notebook()
    quiet, warned = nbformat.v4.new_code_cell("a = 1"), nbformat.v4.new_code_cell("fit()")
    quiet.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="WARNING: All log messages before absl::InitializeLog\n"),
        nbformat.v4.new_output("stream", name="stdout", text="x.py:3: UserWarning: printed, not warned\n"),
    ]
    warned.outputs = [
        nbformat.v4.new_output(
            "stream",
            name="stderr",
            text="/site-packages/keras/src/trainers/epoch_iterator.py:164: UserWarning: Your input ran out of "
            "data; interrupting training.\n  self._interrupted_warning()\n",
        )
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# A"), quiet, warned]
    assert python_warnings(nb) == [(3, "UserWarning: Your input ran out of data; interrupting training.")]

    monkeypatch.setattr(book, "stage", lambda *a: {"warnings": ["09_a, cell 3: UserWarning: ..."]})
    monkeypatch.setattr(book.subprocess, "run", lambda *a, **k: pytest.fail("Sphinx must not run"))
    assert book.build(tmp_path, "fast", out=tmp_path / "book") == 1
