"""The course in a real browser: JupyterLab in headless Chromium runs a notebook with a widget.

Run with ``make browser-check`` (collected only when ``COURSE_BROWSER_CHECK=1``).
JupyterLab starts on 127.0.0.1 on a free port with a random token and a
throw-away configuration, settings and workspace folder, on a copy of the
notebook (so the repository's notebook is never saved over). Playwright drives
the system's Chromium (``COURSE_CHROMIUM``, default ``/usr/bin/chromium``); no
browser is downloaded.

The check runs all cells, then asserts that every code cell ran, that no cell
shows an error or a traceback, that the widget's controls rendered, and that
clicking one of them redraws the figure through the live kernel. Screenshots
go to ``build/browser-check/``.

Settings (environment): ``COURSE_BROWSER_NOTEBOOK`` (default
``02_pooling.ipynb``), ``COURSE_PROFILE`` (default ``fast``),
``COURSE_BROWSER_TIMEOUT`` (seconds for the whole run, default 600).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "browser-check"
NOTEBOOK = os.environ.get("COURSE_BROWSER_NOTEBOOK", "02_pooling.ipynb")
CHROMIUM = os.environ.get("COURSE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
RUN_TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_TIMEOUT", "600"))

playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason='needs Playwright: pip install -e ".[browser]" (make browser-check does it)'
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of the notebook; yields (url of the notebook, log path)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}. Install it (Debian/Ubuntu: sudo apt-get install chromium) "
            f"or set COURSE_CHROMIUM to a Chromium or Chrome executable."
        )
    base = tmp_path_factory.mktemp("lab")
    work, config, settings = base / "work", base / "config", base / "settings"
    for folder in (
        work,
        config,
        settings / "@jupyterlab" / "notebook-extension",
        settings / "@jupyterlab" / "apputils-extension",
    ):
        folder.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, work / NOTEBOOK)
    # Render every cell (no windowing), so all cells and outputs are in the page.
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"})
    )
    # No news or update checks: nothing is fetched from the internet, no pop-up covers the page.
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port, token = free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        IPYTHONDIR=str(base / "ipython"),
        COURSE_PROFILE=os.environ.get("COURSE_PROFILE", "fast"),
    )
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = base / "jupyterlab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        status = f"http://127.0.0.1:{port}/api/status?token={token}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(status, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}?token={token}", log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


# JavaScript run in the page: the state of the open notebook, from JupyterLab's own model.
NOTEBOOK_STATE = """() => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
    const cells = [];
    const model = panel.content.model;
    for (let i = 0; i < model.cells.length; i++) {
        const cell = model.cells.get(i);
        if (cell.type !== 'code') continue;
        const outputs = [];
        for (let j = 0; j < cell.outputs.length; j++) outputs.push(cell.outputs.get(j).toJSON());
        cells.push({index: i, count: cell.executionCount, outputs: outputs});
    }
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return {cells: cells, kernel: kernel ? kernel.status : 'none'};
}"""


def test_notebook_runs_in_jupyterlab_and_its_widget_works(lab):
    url, log_path = lab
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = Path(NOTEBOOK).stem
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page_errors = []
        page.on("pageerror", lambda exc: page_errors.append(str(exc)))
        try:
            page.goto(url)
            # The notebook is open and its kernel is ready.
            page.wait_for_function(
                f"() => {{ const s = ({NOTEBOOK_STATE})(); return s && s.kernel === 'idle'; }}",
                timeout=120_000,
                polling=500,
            )
            started = time.monotonic()
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            # Started: the stored execution counts are cleared or the kernel is busy.
            page.wait_for_function(
                f"""() => {{ const s = ({NOTEBOOK_STATE})();
                    return s && (s.kernel !== 'idle' || s.cells.some(c => c.count === null)); }}""",
                timeout=30_000,
                polling=100,
            )
            # Finished: every code cell has an execution count and the kernel is idle again; or a
            # cell failed, which stops "run all" (the assertions below then name it).
            try:
                page.wait_for_function(
                    f"""() => {{ const s = ({NOTEBOOK_STATE})();
                        return s && s.kernel === 'idle' && (s.cells.every(c => c.count !== null)
                            || s.cells.some(c => c.outputs.some(o => o.output_type === 'error'))); }}""",
                    timeout=RUN_TIMEOUT_S * 1000,
                    polling=1000,
                )
            except playwright_sync.TimeoutError:
                state = page.evaluate(NOTEBOOK_STATE) or {}
                page.screenshot(path=str(SHOTS / f"{stem}-timeout.png"))
                waiting = [c["index"] for c in state.get("cells", []) if c["count"] is None]
                pytest.fail(
                    f"the notebook did not finish within {RUN_TIMEOUT_S:.0f} s: kernel "
                    f"{state.get('kernel')!r}, cells without an execution count {waiting}; "
                    f"screenshot {SHOTS / (stem + '-timeout.png')}"
                )
            seconds = time.monotonic() - started
            state = page.evaluate(NOTEBOOK_STATE)
            page.screenshot(path=str(SHOTS / f"{stem}-end.png"))

            # No cell failed: no error output in the model, no traceback printed on stderr.
            errors = [
                (c["index"], o.get("ename"), o.get("evalue"))
                for c in state["cells"]
                for o in c["outputs"]
                if o.get("output_type") == "error"
            ]
            assert errors == [], f"cells failed in the browser: {errors}"
            stderr = page.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')
            tracebacks = [t for t in stderr.all_inner_texts() if "Traceback" in t]
            assert tracebacks == [], tracebacks[0][:2000] if tracebacks else ""
            counts = [c["count"] for c in state["cells"]]
            assert counts == list(range(1, len(counts) + 1)), f"not every cell ran once, in order: {counts}"

            # The widget rendered: its controls are visible in the explorer's output.
            slider = page.locator(".jp-OutputArea .widget-slider").first
            slider.wait_for(state="visible", timeout=30_000)
            assert page.locator(".jp-OutputArea .jupyter-widgets").count() > 0
            output = page.locator(".jp-OutputArea", has=page.locator(".widget-slider")).first
            output.scroll_into_view_if_needed()
            before = output.locator("img").first.get_attribute("src")
            page.screenshot(path=str(SHOTS / f"{stem}-widget.png"))

            # It is live: clicking a toggle button makes the kernel redraw the figure.
            toggle = output.locator(".widget-toggle-button").filter(has_text="avg").first
            if toggle.count():
                toggle.click()
                # The output is re-rendered on update, so look up the image again each time.
                page.wait_for_function(
                    "([area, old]) => { const img = area.querySelector('img');"
                    " return img !== null && img.getAttribute('src') !== old; }",
                    arg=[output.element_handle(), before],
                    timeout=60_000,
                    polling=250,
                )
                page.screenshot(path=str(SHOTS / f"{stem}-widget-changed.png"))
            interaction = "a click redrew the figure" if toggle.count() else "no toggle button to click"
            print(
                f"\n{NOTEBOOK}: {len(counts)} code cells ran in {seconds:.0f} s in JupyterLab "
                f"(profile {os.environ.get('COURSE_PROFILE', 'fast')}); widget rendered, {interaction}; "
                f"screenshots in {SHOTS}"
            )
        finally:
            browser.close()
    assert not [e for e in page_errors if "widget" in e.lower()], page_errors
