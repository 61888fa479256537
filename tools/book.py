"""Build the course as a static site, from notebooks that have already run: ``make book``.

    python -m tools.book                   the executed copies of the full profile when all are
                                           there, otherwise those of the fast profile
    python -m tools.book --profile fast    build/course/fast/ (`make course PROFILE=fast`)
    python -m tools.book --executed DIR    any folder of executed notebooks (NN_name.ipynb)
    make book PROFILE=fast                 the same through make

Nothing is run again: Sphinx with MyST-NB (``nb_execution_mode = "off"``) reads the executed
copies that ``make course`` writes to ``build/course/<profile>/`` (or that ``make test``
writes with ``COURSE_SAVE_EXECUTED``) and renders their outputs: plots, tables, printed
figures and math. The site goes to ``build/book/html/``: open ``index.html`` in a browser, or
serve the folder (``python -m http.server -d build/book/html``). It works without internet:
MathJax, fonts, scripts and the search index are copied into it, and the build fails if any
page or stylesheet still loads a script, a stylesheet or a font from another site.

The pages:

* the landing page, ``docs/index.md``; the instructors' and maintainers' guides,
  ``docs/instructors.md`` and ``docs/maintainers.md``; the instructor notes
  ``docs/notes/*.md``, whichever exist; the reference runs, ``docs/runs/index.md`` (written by
  ``make runs`` from the reports beside it, which are no pages); and ``README.md``;
* one page per notebook, from its executed copy, with a line of links at the top: open it in
  Colab (the course's home, ``Homepage`` in pyproject.toml) and download the notebook as
  stored in ``notebooks/`` (without outputs, as learners run it). An explorer's controls need a
  live kernel: the page shows the picture the explorer drew and names the controls that
  JupyterLab and Colab show under it.

Links between these files (``../notebooks/05_mnist_dense.ipynb``, ``instructors.md#...``) work
both on GitHub and in the book; a link to any other file of the repository points to that file
on GitHub. The sources are assembled in ``build/book/src/`` (the repository's layout, so the
links stay as written); the book's settings are ``docs/conf.py``.

MathJax 3 comes from the npm registry (``npm pack mathjax@3.2.2``, checked against its
published digest, kept in ``build/book-cache/``). Without npm, download that tarball on
another machine and name it with ``COURSE_MATHJAX=/path/to/mathjax-3.2.2.tgz``.

Exit status: 0 when the site was built, 1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime as dt
import hashlib
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import nbformat

from tools.notebooks import HOME, NOTEBOOKS, ROOT, all_notebooks, python_warnings

DOCS = ROOT / "docs"
OUT = ROOT / "build" / "book"
CACHE = ROOT / "build" / "book-cache"
EXECUTED = ROOT / "build" / "course"
PROFILES = ("full", "fast")

BRANCH = "main"
GITHUB = f"https://github.com/{HOME}"
COLAB = f"https://colab.research.google.com/github/{HOME}/blob/{BRANCH}/notebooks"

MATHJAX_VERSION = "3.2.2"
# The npm registry's `dist.integrity` of mathjax@3.2.2.
MATHJAX_INTEGRITY = "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
MATHJAX_ENV = "COURSE_MATHJAX"
# What the site needs of the package: the TeX-to-SVG component (SVG needs no web fonts) and
# the parts it loads on demand (TeX extensions, the menu, accessibility and speech data).
MATHJAX_KEEP = ("es5/tex-svg.js", "es5/input/", "es5/output/svg", "es5/a11y/", "es5/ui/", "es5/sre/", "es5/adaptors/")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# What a cell that ends with `explore(...)` shows besides the picture: the Explorer object itself.
EXPLORER_REPR = re.compile(r"<helpers\.widgets\.Explorer at 0x[0-9a-fA-F]+>")


class BookError(Exception):
    """Something the book cannot be built without; the message says what to do."""


# --------------------------------------------------------------------------- #
# Which executed notebooks
# --------------------------------------------------------------------------- #


def course_names() -> list[str]:
    """The stems of the course's notebooks, in course order."""
    return [p.stem for p in all_notebooks(NOTEBOOKS)]


def missing_in(folder: Path, names: list[str]) -> list[str]:
    return [name for name in names if not (folder / f"{name}.ipynb").is_file()]


def choose_source(profile: str | None, executed: Path | None, names: list[str]) -> tuple[Path, str]:
    """(folder of executed notebooks, its profile or "" when unknown). Raises BookError."""
    if executed is not None:
        folder, label = executed, profile or ""
    elif profile is not None:
        folder, label = EXECUTED / profile, profile
    else:
        complete = [p for p in PROFILES if not missing_in(EXECUTED / p, names)]
        if not complete:
            raise BookError(
                "no complete set of executed notebooks in build/course/full/ or build/course/fast/: "
                "run `make course` (full profile, for publishing) or `make course PROFILE=fast` first"
            )
        label = complete[0]
        folder = EXECUTED / label
    missing = missing_in(folder, names)
    if missing:
        how = f'make course PROFILE={label or "fast"} NOTEBOOKS="{" ".join(n[:2] for n in missing)}"'
        raise BookError(f"{folder} has no executed copy of {', '.join(missing)}: run `{how}`")
    return folder, label


def stale_cells(executed, current) -> int:
    """How many code cells of the current notebook the executed copy did not run as they are now."""
    ran = {c.source for c in executed.cells if c.cell_type == "code"}
    return sum(c.source not in ran for c in current.cells if c.cell_type == "code")


# --------------------------------------------------------------------------- #
# Links
# --------------------------------------------------------------------------- #

# [text](target) and [text](target "title"); images ![..](..) too; not inside code spans.
LINK = re.compile(r"(!?\[[^\]\n]*\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))")


def is_book_page(path: str) -> bool:
    """True for a repository path that is a page of the book."""
    return (
        path == "README.md"
        or re.fullmatch(r"docs/[^/]+\.md", path) is not None
        or re.fullmatch(r"docs/(?:notes|runs)/[^/]+\.md", path) is not None
        or re.fullmatch(r"notebooks/\d\d_[^/]+\.ipynb", path) is not None
    )


def rewrite_links(text: str, location: str, root: Path = ROOT) -> str:
    """Point a Markdown text's links at the book or at GitHub.

    ``location`` is the text's file, relative to the repository root (``docs/index.md``).
    A relative link to another page of the book stays as written (Sphinx resolves it); one to
    any other file or folder of the repository becomes its address on GitHub, since the site
    does not carry the repository. Links with a scheme, and anchors, are left alone.
    """

    def replace(match: re.Match) -> str:
        before, target, after = match.groups()
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith(("#", "/")):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(location), path))
        if resolved.startswith("..") or is_book_page(resolved):
            return match.group(0)
        kind = "tree" if (root / resolved).is_dir() else "blob"
        url = f"{GITHUB}/{kind}/{BRANCH}/{resolved}" + (f"#{anchor}" if anchor else "")
        return f"{before}{url}{after}"

    # Leave fenced code blocks and inline code alone, except inline code that is a link's text
    # ([`report.json`](report.json)): that link is rewritten like any other. Matching it as one
    # piece keeps the backticks after it paired as they are.
    parts = re.split(r"(```.*?```|\[`[^`\n]*`\]\([^)\s]*\)|`[^`\n]*`)", text, flags=re.DOTALL)
    return "".join(
        LINK.sub(replace, part) if i % 2 == 0 or part.startswith("[`") else part for i, part in enumerate(parts)
    )


# --------------------------------------------------------------------------- #
# A notebook's page
# --------------------------------------------------------------------------- #


def widget_note(output, previous) -> str:
    """What a page says in place of a widget's controls, which only a live kernel can drive."""
    text = output.get("data", {}).get("text/plain", "")
    names = [n for n in re.findall(r"description='([^']*)'", text) if n]
    controls = f" ({', '.join(names)})" if names else ""
    if previous is not None and "image/png" in previous.get("data", {}):
        return (
            f"*Interactive in JupyterLab and Colab: controls{controls} under the picture above "
            "redraw it. Here it shows their starting values.*"
        )
    return f"*Interactive in JupyterLab and Colab: controls{controls} appear here when the notebook runs.*"


def static_outputs(cell) -> int:
    """Replace widget outputs by a sentence (the picture an explorer drew stays); return how many.

    The Explorer object that a cell ending with ``explore(...)`` returns is left out too: its
    address says nothing on a page.
    """
    replaced, outputs, previous = 0, [], None
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if WIDGET_VIEW in data:
            note = widget_note(output, previous)
            output = nbformat.v4.new_output("display_data", data={"text/markdown": note, "text/plain": note})
            replaced += 1
        elif WIDGET_STATE in data:
            continue
        elif set(data) == {"text/plain"} and EXPLORER_REPR.fullmatch(str(data["text/plain"]).strip()):
            continue
        outputs.append(output)
        previous = output
    cell.outputs = outputs
    return replaced


def links_line(name: str, profile: str, run_date: str) -> str:
    colab = f"{COLAB}/{name}.ipynb"
    run = f" Outputs below: a run in the `{profile}` profile" if profile else " Outputs below: a run"
    run += f" on {run_date}." if run_date else "."
    return (
        f'<a class="colab-link" href="{colab}">Open in Colab</a> · '
        f'<a class="ipynb-link" href="{name}.ipynb" download>Download the notebook (.ipynb)</a> ·'
        f"{run}"
    )


def prepare_notebook(nb, name: str, profile: str, run_date: str):
    """The page's version of an executed notebook: title first, links, static widgets."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            static_outputs(cell)
        elif cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, f"notebooks/{name}.ipynb")
    # The title cell first (the set-up cell precedes it in the notebook), then the links.
    title = next(
        (i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.lstrip().startswith("# ")), None
    )
    line = links_line(name, profile, run_date)
    if title is None:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {name}\n\n{line}"))
    else:
        cell = nb.cells.pop(title)
        heading, _, rest = cell.source.lstrip().partition("\n")
        cell.source = f"{heading}\n\n{line}\n\n{rest.lstrip()}".rstrip() + "\n"
        nb.cells.insert(0, cell)
    return nb


# --------------------------------------------------------------------------- #
# MathJax, from the npm registry
# --------------------------------------------------------------------------- #


def sri(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def mathjax_tarball() -> Path:
    """mathjax-3.2.2.tgz, checked against the registry's digest: COURSE_MATHJAX, the cache, or npm."""
    named = os.environ.get(MATHJAX_ENV)
    tarball = Path(named) if named else CACHE / f"mathjax-{MATHJAX_VERSION}.tgz"
    if not tarball.is_file():
        if named:
            raise BookError(f"{MATHJAX_ENV}={named}: no such file")
        npm = shutil.which("npm")
        if npm is None:
            raise BookError(
                f"the book needs MathJax {MATHJAX_VERSION} from the npm registry, and there is no npm here: "
                f"install it (Debian: apt-get install npm), or fetch mathjax-{MATHJAX_VERSION}.tgz elsewhere "
                f"(`npm pack mathjax@{MATHJAX_VERSION}`) and set {MATHJAX_ENV} to it"
            )
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"fetching MathJax {MATHJAX_VERSION} from the npm registry ...", flush=True)
        subprocess.run(
            [npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--pack-destination", str(CACHE), "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if sri(tarball) != MATHJAX_INTEGRITY:
        raise BookError(f"{tarball} is not mathjax@{MATHJAX_VERSION} as published (its digest differs)")
    return tarball


def unpack_mathjax(tarball: Path, dest: Path) -> None:
    """The parts of the package the site needs, into ``dest`` (``dest/tex-svg.js`` and beside it)."""
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            inner = member.name.split("/", 1)[1] if "/" in member.name else ""
            if not member.isfile() or not (inner == "LICENSE" or inner.startswith(MATHJAX_KEEP)):
                continue
            target = dest / inner.removeprefix("es5/")
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


# --------------------------------------------------------------------------- #
# Assembling and building
# --------------------------------------------------------------------------- #


def run_date(folder: Path, name: str) -> str:
    """The day an executed copy was written (UTC): the day of the file."""
    path = folder / f"{name}.ipynb"
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).date().isoformat()


def toctrees(names: list[str], pages: list[str]) -> str:
    """The book's navigation, added to the landing page where it is built (GitHub shows none)."""

    def tree(caption: str, entries: list[str]) -> str:
        lines = "\n".join(entries)
        return f"\n\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n{lines}\n```\n" if entries else ""

    docs = [p.removeprefix("docs/").removesuffix(".md") for p in pages if p.startswith("docs/")]
    guides = {"index", "instructors", "maintainers"}
    notes = [d for d in docs if d.startswith("notes/")]
    runs = [d for d in docs if d.startswith("runs/")]
    others = [d for d in docs if d not in guides and not d.startswith(("notes/", "runs/"))]
    return (
        tree("The course", [f"../notebooks/{name}" for name in names])
        + tree("For instructors", ["instructors", *runs, *notes])
        + tree("For maintainers", ["maintainers", "../README"])
        + tree("More", others)
    )


def stage(source: Path, profile: str, names: list[str], src: Path) -> dict[str, int]:
    """Lay out the book's sources in ``src``, in the repository's layout; return counts."""
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    (src / "docs" / "notes").mkdir(parents=True)
    (src / "docs" / "runs").mkdir(parents=True)
    (src / "_static").mkdir()
    (src / "_extra" / "notebooks").mkdir(parents=True)
    shutil.copy(DOCS / "conf.py", src / "conf.py")
    for extra in sorted((DOCS / "_static").glob("*")):
        shutil.copy(extra, src / "_static" / extra.name)
    pages = ["README.md"] + [
        p.relative_to(ROOT).as_posix()
        for folder in (DOCS, DOCS / "notes", DOCS / "runs")
        for p in sorted(folder.glob("*.md"))
        if not p.name.startswith("_")
    ]
    for page in pages:
        (src / page).write_text(rewrite_links((ROOT / page).read_text(encoding="utf-8"), page), encoding="utf-8")
    (src / "docs" / "index.md").write_text(
        (src / "docs" / "index.md").read_text(encoding="utf-8") + toctrees(names, pages), encoding="utf-8"
    )
    widgets = stale = 0
    warnings = []
    for name in names:
        executed = nbformat.read(source / f"{name}.ipynb", as_version=4)
        warnings += [f"{name}, cell {cell}: {text}" for cell, text in python_warnings(executed)]
        current = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        changed = stale_cells(executed, current)
        if changed:
            stale += 1
            print(f"  note: {name}: {changed} code cell(s) changed since this copy ran; its outputs may be out of date")
        page = prepare_notebook(executed, name, profile, run_date(source, name))
        widgets += sum(
            1
            for c in executed.cells
            for o in c.get("outputs", [])
            if c.cell_type == "code" and WIDGET_VIEW in o.get("data", {})
        )
        nbformat.write(page, src / "notebooks" / f"{name}.ipynb")
        # The notebook as learners run it, for the page's download link.
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", src / "_extra" / "notebooks" / f"{name}.ipynb")
    unpack_mathjax(mathjax_tarball(), src / "_static" / "mathjax")
    notes = len([p for p in pages if p.startswith("docs/notes/")])
    return {"notebooks": len(names), "notes": notes, "widgets": widgets, "stale": stale, "warnings": warnings}


# An address on another site, where a page or a stylesheet loads a script, a stylesheet or a font.
REMOTE_IN_HTML = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", re.I
)
ANCHOR_TAG = re.compile(r"<link\b[^>]*>", re.I)
REMOTE_IN_CSS = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])((?:https?:)?//[^\"')\s]+)", re.I)


def remote_resources(site: Path) -> list[str]:
    """'file: address' for every script, stylesheet, font or image the site loads from elsewhere."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in {".html", ".css"} or "_sources" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits = REMOTE_IN_CSS.findall(text) if path.suffix == ".css" else REMOTE_IN_HTML.findall(text)
        if path.suffix == ".html":
            # A <link rel="canonical"> or similar names a page, it loads nothing; the rest count.
            hits = [
                h
                for h in hits
                if not any(
                    h in tag and re.search(r"rel\s*=\s*[\"']?(canonical|alternate|author|license)", tag, re.I)
                    for tag in ANCHOR_TAG.findall(text)
                )
            ]
            hits += REMOTE_IN_CSS.findall("".join(re.findall(r"<style\b.*?</style>", text, re.I | re.S)))
        found += [f"{path.relative_to(site)}: {hit}" for hit in hits]
    return found


REDIRECT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Convolutional neural networks, hands on</title>
<meta http-equiv="refresh" content="0; url=docs/index.html">
</head><body><p><a href="docs/index.html">Convolutional neural networks, hands on</a></p></body></html>
"""


def build(source: Path, profile: str, out: Path = OUT, jobs: str = "1") -> int:
    names = course_names()
    src, html = out / "src", out / "html"
    label = f"the {profile} profile" if profile else "a run"
    print(
        f"book: {len(names)} notebooks from {source.relative_to(ROOT) if source.is_relative_to(ROOT) else source}"
        f" ({label})",
        flush=True,
    )
    counts = stage(source, profile, names, src)
    if counts["warnings"]:
        print("book: the executed notebooks show Python warnings, which a learner reads as faults:", file=sys.stderr)
        for line in counts["warnings"]:
            print(f"  {line}", file=sys.stderr)
        print("book: remove their cause in the notebook or the helpers, then run the notebooks again", file=sys.stderr)
        return 1
    if html.exists():
        shutil.rmtree(html)
    env = dict(os.environ, COURSE_BOOK_PROFILE=profile)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", jobs, str(src), str(html)]
    if subprocess.run(command, env=env).returncode != 0:
        print("book: Sphinx failed (its messages are above)", file=sys.stderr)
        return 1
    (html / "index.html").write_text(REDIRECT, encoding="utf-8")
    (html / ".nojekyll").write_text("")
    remote = remote_resources(html)
    if remote:
        print(
            "book: these pages load something from another site, which a lab without internet cannot:", file=sys.stderr
        )
        for line in remote:
            print(f"  {line}", file=sys.stderr)
        return 1
    pages = len([p for p in html.rglob("*.html") if not {"_static", "_sources", "_images"} & set(p.parts)])
    where = html.relative_to(ROOT) if html.is_relative_to(ROOT) else html
    print(
        f"book: {pages} pages ({counts['notebooks']} notebooks, {counts['notes']} instructor notes, "
        f"{counts['widgets']} widget(s) shown as their picture) in {where}"
    )
    if counts["stale"]:
        print(f"book: {counts['stale']} notebook(s) changed since their executed copy ran (listed above)")
    print(f"book: open {html / 'index.html'}, or serve it: python -m http.server -d {html}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.book", description="Build the course as a static site.")
    parser.add_argument("--profile", choices=PROFILES, help="use build/course/<profile>/ (default: full if complete)")
    parser.add_argument("--executed", type=Path, help="a folder of executed notebooks instead")
    parser.add_argument("--out", type=Path, default=OUT, help="where to build (default build/book)")
    parser.add_argument("--jobs", default="1", help="Sphinx's parallel jobs (default 1)")
    args = parser.parse_args(argv)
    try:
        source, profile = choose_source(args.profile, args.executed, course_names())
        return build(source.resolve(), profile, args.out.resolve(), args.jobs)
    except BookError as exc:
        print(f"book: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
