"""Markdown words per notebook, against the course's word budget.

    python -m tools.wordcount            a table of every notebook, and the total
    python -m tools.wordcount --check    the same; exit status 1 when over budget

A word is a whitespace-separated token of a Markdown cell's source, so math, code
spans and link targets count as they are written. A lesson keeps its teaching path
within ``PER_NOTEBOOK`` words and the course within ``COURSE``; measured runs, trial
settings and the evidence behind each choice belong in the instructor notes
(``docs/notes/``), which have no budget.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from tools.notebooks import NOTEBOOKS, all_notebooks

PER_NOTEBOOK = 3000
COURSE = 38000


def markdown_words(path: Path) -> int:
    """Whitespace-separated words in the Markdown cells of one notebook."""
    nb = nbformat.read(path, as_version=4)
    return sum(len(cell.source.split()) for cell in nb.cells if cell.cell_type == "markdown")


def counts(folder: Path = NOTEBOOKS) -> dict[str, int]:
    """Notebook stem -> Markdown words, in course order."""
    return {path.stem: markdown_words(path) for path in all_notebooks(folder)}


def over_budget(found: dict[str, int]) -> list[str]:
    """What breaks the budget, one line each; empty when the course is within it."""
    problems = [
        f"{name}: {words:,} words, over {PER_NOTEBOOK:,}" for name, words in found.items() if words > PER_NOTEBOOK
    ]
    total = sum(found.values())
    if total > COURSE:
        problems.append(f"the course: {total:,} words, over {COURSE:,}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit with status 1 when over budget")
    args = parser.parse_args(argv)
    found = counts()
    width = max(map(len, found), default=8)
    for name, words in found.items():
        print(f"{name:<{width}}  {words:>6,}")
    print(f"{'total':<{width}}  {sum(found.values()):>6,}  (budget: {PER_NOTEBOOK:,} a notebook, {COURSE:,} in all)")
    problems = over_budget(found)
    for line in problems:
        print(f"over budget: {line}", file=sys.stderr)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
