"""The course's book in a real browser: every page of the site opened in headless Chromium.

Run with ``make book-check`` after ``make book`` (collected only when ``COURSE_BROWSER_CHECK=1``).
The site (``build/book/html``, or ``COURSE_BOOK_DIR``) is served on 127.0.0.1; Playwright drives
the system's Chromium (``COURSE_CHROMIUM``, default ``/usr/bin/chromium``) with a fresh profile
and no background networking; no browser is downloaded. A request to any other address is
blocked and counted as a failure: the site must work without internet.

For each page it checks that no script reported an error and no request failed, that every
image has loaded, that the math has been typeset (every formula rendered by MathJax, no raw
``$...$`` left in the text, no MathJax error), that no widget was left for a front end that
the site does not have, and, for each notebook's page, that it links to the notebook in Colab
and to the notebook file. Then every link within the site must lead to a page or file that
exists, and to the anchor it names. It prints the number of pages, images, links and formulas,
and leaves screenshots of the landing page, of notebook 09's page and of an instructor page in
``build/book-check/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest

from tools.notebooks import HOME, NOTEBOOKS, all_notebooks

ROOT = Path(__file__).resolve().parents[2]
BOOK = Path(os.environ.get("COURSE_BOOK_DIR") or ROOT / "build" / "book" / "html")
SHOTS = ROOT / "build" / "book-check"
CHROMIUM = os.environ.get("COURSE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP = {"_static", "_sources", "_images", "_downloads"}

playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason='needs Playwright: pip install -e ".[browser]" (make book-check does it)'
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """The book served on 127.0.0.1; yields its base address."""
    if not (BOOK / "index.html").is_file():
        pytest.fail(f"no book in {BOOK}: run `make book` first (after `make course` or `make course PROFILE=fast`)")
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}. Install it (Debian/Ubuntu: sudo apt-get install chromium) "
            f"or set COURSE_CHROMIUM to a Chromium or Chrome executable."
        )
    handler = functools.partial(_Quiet, directory=str(BOOK))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def site_pages() -> list[str]:
    """Every HTML page of the site, relative to its root, the landing page first."""
    pages = sorted(
        p.relative_to(BOOK).as_posix() for p in BOOK.rglob("*.html") if not SKIP & set(p.relative_to(BOOK).parts)
    )
    first = [p for p in ("index.html", "docs/index.html") if p in pages]
    return first + [p for p in pages if p not in first]


# JavaScript run in each page once it has loaded: wait for the images and MathJax, then report.
INSPECT = r"""async () => {
    const images = Array.from(document.images);
    images.forEach(img => { img.loading = 'eager'; });
    await Promise.all(images.map(img => img.complete ? null :
        new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
    const skip = 'pre, code, script, style, textarea, mjx-container, .highlight, .MathJax';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const raw = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement && node.parentElement.closest(skip)) continue;
        const text = node.textContent;
        if (/\$[^$\s][^$]*\$/.test(text) || /\\\(|\\\[/.test(text)) raw.push(text.trim().slice(0, 120));
    }
    const maths = Array.from(document.querySelectorAll('span.math, div.math'));
    return {
        images: images.map(img => ({src: img.currentSrc || img.src, complete: img.complete,
                                     width: img.naturalWidth})),
        links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
        ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name')),
        formulas: document.querySelectorAll('mjx-container').length,
        untypeset: maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
        mathErrors: document.querySelectorAll('mjx-merror').length,
        raw: raw,
        widgets: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length
            + (document.body.innerText.includes('HBox(children=') ? 1 : 0),
        title: document.title,
    };
}"""


def test_every_page_of_the_book(site, tmp_path):
    pages = site_pages()
    notebooks = {f"notebooks/{p.stem}.html": p.stem for p in all_notebooks(NOTEBOOKS)}
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = [f"{name}: the notebook has no page" for name in sorted(set(notebooks) - set(pages))]
    seen: dict[str, dict] = {}
    current = {"page": ""}

    def problem(text: str) -> None:
        problems.append(f"{current['page']}: {text}")

    with playwright_sync.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )

        def only_local(route):
            if route.request.url.startswith(site) or route.request.url.startswith("data:"):
                route.continue_()
            else:
                problem(f"request to another site, blocked: {route.request.url}")
                route.abort()

        context.route("**/*", only_local)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("console", lambda m: m.type == "error" and problem(f"console error: {m.text}"))
        page.on("pageerror", lambda exc: problem(f"script error: {exc}"))
        page.on(
            "requestfailed",
            lambda r: not r.url.startswith(site) or problem(f"request failed: {r.url} ({r.failure})"),
        )
        page.on("response", lambda r: r.status >= 400 and problem(f"HTTP {r.status}: {r.url}"))
        try:
            for name in pages:
                current["page"] = name
                refresh = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', (BOOK / name).read_text())
                if refresh:  # the site's root sends the browser on to the landing page
                    target = urllib.parse.urljoin(site + name, refresh[1])
                    page.goto(site + name)
                    page.wait_for_url(target, timeout=10_000)
                    seen[name] = {"links": [target], "ids": [], "images": [], "formulas": 0}
                    continue
                page.goto(site + name, wait_until="load")
                info = page.evaluate(INSPECT)
                seen[name] = info
                for img in info["images"]:
                    if not img["complete"] or img["width"] == 0:
                        problem(f"image not loaded: {img['src'][:120]}")
                for text in info["untypeset"]:
                    problem(f"formula not typeset: {text!r}")
                for text in info["raw"]:
                    problem(f"raw TeX left in the text: {text!r}")
                if info["mathErrors"]:
                    problem(f"{info['mathErrors']} MathJax error(s)")
                if info["widgets"]:
                    problem("a widget left for a live front end (the page should show its picture)")
                if name in notebooks:
                    stem = notebooks[name]
                    colab = f"https://colab.research.google.com/github/{HOME}/blob/main/notebooks/{stem}.ipynb"
                    if colab not in info["links"]:
                        problem(f"no Colab link {colab}")
                    if site + f"notebooks/{stem}.ipynb" not in info["links"]:
                        problem(f"no link to {stem}.ipynb")
                    if not info["images"]:  # every notebook draws: a page without a picture lost its plots
                        problem("no image: the executed copy has no plots (was matplotlib's backend Agg?)")
                shot = {
                    "docs/index.html": "landing",
                    "notebooks/09_cats_vs_dogs.html": "notebook-09",
                    "docs/instructors.html": "instructors",
                }.get(name)
                if shot is None and name.startswith("docs/notes/") and not (SHOTS / "instructor-note.png").exists():
                    shot = "instructor-note"
                if shot:
                    page.screenshot(path=str(SHOTS / f"{shot}.png"))
                    if shot == "notebook-09":
                        figure = page.locator("div.cell_output img").first
                        if figure.count():
                            figure.scroll_into_view_if_needed()
                            page.screenshot(path=str(SHOTS / "notebook-09-figure.png"))
        finally:
            context.close()

    # Every link within the site leads to a file that exists, and to the anchor it names.
    internal = external = 0
    current["page"] = "links"
    for name, info in seen.items():
        for link in info["links"]:
            if not link.startswith(site):
                external += 1
                continue
            internal += 1
            url = urllib.parse.urlsplit(link)
            target = urllib.parse.unquote(url.path[len(urllib.parse.urlsplit(site).path) :])
            if target == "" or target.endswith("/"):
                target += "index.html"
            if not (BOOK / target).is_file():
                problems.append(f"{name}: link to a missing file: {link}")
            elif url.fragment and target in seen:
                if urllib.parse.unquote(url.fragment) not in seen[target]["ids"]:
                    problems.append(f"{name}: link to a missing anchor: {link}")

    images = sum(len(info["images"]) for info in seen.values())
    formulas = sum(info["formulas"] for info in seen.values())
    print(
        f"\nbook check: {len(seen)} pages ({len(notebooks)} notebooks), {images} images, "
        f"{internal} links within the site (and {external} to other sites, not followed), "
        f"{formulas} formulas; screenshots in {SHOTS}"
    )
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])
