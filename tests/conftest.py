"""Fixtures shared by the unit tests."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import matplotlib
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Plots in the test process draw off screen. Set in this process only, not as MPLBACKEND in the
# environment: the notebook kernels nbval starts in the same run inherit the environment, and
# under Agg their plt.show() would draw nothing, leaving the book's executed copies without plots.
matplotlib.use("Agg")


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def http_root(tmp_path):
    """A folder served over HTTP on 127.0.0.1; yields (folder, base_url, list of requested paths)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/", server.requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def isolated_data(tmp_path, monkeypatch) -> Path:
    """An empty cache folder and no mirror, so no test touches data/ or the real mirror."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    return cache


@pytest.fixture
def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens (a download there fails at once)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
