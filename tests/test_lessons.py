"""Lean lessons: each notebook within its word budget, with its run time in one line at the top
and a link to its instructor notes, and every "notebook NN" in the course naming a notebook
that exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from tools import wordcount
from tools.notebooks import all_notebooks

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = all_notebooks()
IDS = [p.name for p in NOTEBOOKS]
STEMS = {p.stem for p in NOTEBOOKS}
NUMBERS = {p.name[:2] for p in NOTEBOOKS}


def markdown(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


# ----------------------------------------------------------------------------- the word budget


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_within_its_word_budget(path):
    words = wordcount.markdown_words(path)
    assert words <= wordcount.PER_NOTEBOOK, (
        f"{words:,} Markdown words, over the budget of {wordcount.PER_NOTEBOOK:,}: move run logs and "
        f"evidence to docs/notes/{path.stem}.md"
    )


def test_course_is_within_its_word_budget():
    total = sum(wordcount.counts().values())
    assert total <= wordcount.COURSE, f"{total:,} Markdown words in the course, over {wordcount.COURSE:,}"


def test_word_count_counts_markdown_only_and_flags_what_is_over(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nfive words   in\tthis cell"),  # 2 + 5 words
        nbformat.v4.new_code_cell("print('code does not count at all')"),
        nbformat.v4.new_markdown_cell("$a + b$ counts as written"),  # 6 words
    ]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    assert wordcount.markdown_words(path) == 13
    assert wordcount.over_budget({"01_x": wordcount.PER_NOTEBOOK}) == []
    assert wordcount.over_budget({"01_x": wordcount.PER_NOTEBOOK + 1}) == [
        f"01_x: {wordcount.PER_NOTEBOOK + 1:,} words, over {wordcount.PER_NOTEBOOK:,}"
    ]
    many = {f"{i:02d}_x": wordcount.PER_NOTEBOOK for i in range(wordcount.COURSE // wordcount.PER_NOTEBOOK + 1)}
    assert any(line.startswith("the course:") for line in wordcount.over_budget(many))


# ------------------------------------------------------------------- run time and instructor notes

RUN_TIME = re.compile(r"^\*\*Run time:\*\* .+$", re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_states_its_run_time_in_one_line_at_the_top(path):
    title = markdown(path)[0]
    lines = RUN_TIME.findall(title)
    assert len(lines) == 1, "the title cell needs one line '**Run time:** ...'"
    assert len(lines[0].split()) <= 45, "the run time takes one short line; the story goes to the notes"
    assert "CPU" in lines[0] and "GPU" in lines[0], "say the CPU time and the GPU time, or that it is unmeasured"
    assert sum(len(RUN_TIME.findall(text)) for text in markdown(path)) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_links_to_its_instructor_notes(path):
    notes = ROOT / "docs" / "notes" / f"{path.stem}.md"
    assert notes.is_file(), f"no instructor notes at {notes.relative_to(ROOT)}"
    assert f"](../docs/notes/{path.stem}.md)" in "\n".join(markdown(path))
    assert notes.read_text().lstrip().startswith("# "), "the notes page starts with a title"


# ------------------------------------------------------------------ cross-references by number

CHAIN = re.compile(r"\b[Nn]otebooks? (\d\d(?:(?:, | and | or | to |-|–)\d\d)*)\b")
STEM = re.compile(r"\b(\d\d_[a-z][a-z_]*[a-z])(?=\.ipynb|\.md|\b)")


def course_texts() -> dict[str, str]:
    """Every tracked text file that speaks about the notebooks, by path."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    wanted = [
        f
        for f in listed.split()
        if f.endswith((".md", ".py", ".ipynb", ".cfg", ".toml")) or f in ("Makefile", ".ci/run")
    ]
    return {f: (ROOT / f).read_text(errors="replace") for f in wanted if (ROOT / f).is_file()}


def references(text: str) -> tuple[set[str], set[str]]:
    """The notebook numbers ("notebook 05", "notebooks 11 to 13") and stems ("05_mnist_dense") in a text."""
    numbers = {n for chain in CHAIN.findall(text) for n in re.findall(r"\d\d", chain)}
    return numbers, set(STEM.findall(text))


def test_references_finds_numbers_and_stems():
    numbers, stems = references("as notebook 05 showed; notebooks 11 to 13 and 09; see 08_horses_or_humans.ipynb")
    assert numbers == {"05", "11", "13", "09"}
    assert stems == {"08_horses_or_humans"}


def test_every_notebook_reference_names_a_notebook_that_exists():
    wrong = []
    for name, text in course_texts().items():
        if name in ("tests/test_lessons.py", "tests/test_course_tool.py", "tests/test_book.py"):  # made-up notebooks
            continue
        numbers, stems = references(text)
        wrong += [f"{name}: notebook {n}" for n in sorted(numbers - NUMBERS)]
        wrong += [f"{name}: {s}" for s in sorted(stems - STEMS)]
    assert not wrong, "references to notebooks that do not exist:\n" + "\n".join(wrong)
