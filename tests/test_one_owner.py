"""One owner each (review of issue 16, item 3): the database setting read through smarketing.settings by
`smarketing app` too, one health check of a running app, the warm-up's pages derived from the app's page table,
and the Hypothesis strategies in tests/strategies.py only."""

from __future__ import annotations

import ast
import http.server
import re
import threading
from pathlib import Path

import pytest

from smarketing import settings
from smarketing.cli.app import database_env
from smarketing.launch import healthy, session, wait_healthy
from smarketing.ui import pages as ui_pages

ROOT = Path(__file__).resolve().parents[1]


def test_smarketing_app_takes_the_database_from_the_settings(monkeypatch):
    monkeypatch.delenv("SMARKETING_DB", raising=False)
    settings.use_secrets(lambda: {"db": "postgres://ana:secret@db.example.com/crm"})  # the secrets' db = …
    try:
        env, shown = database_env(None)
    finally:
        settings.use_secrets(None)
    assert env["SMARKETING_DB"] == "postgres://ana:secret@db.example.com/crm"  # a warehouse, not a missing file
    assert "secret" not in shown


@pytest.fixture()
def server():
    """A tiny HTTP server that answers /_stcore/health with 200 and anything else with 404."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            self.send_response(200 if self.path == "/_stcore/health" else 404)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_one_health_check(server):
    assert healthy(server) and wait_healthy(server, seconds=5)
    closed = server.rsplit(":", 1)[0] + ":1"  # nothing listens on port 1
    assert not healthy(closed) and not wait_healthy(closed, seconds=0.3, interval=0.1)


def test_nobody_keeps_a_copy_of_the_health_check():
    """Every health check goes through smarketing.launch.healthy (tests that read the answer's headers or body
    are not health checks)."""
    copies = []
    for folder in ("src", "tests", "scripts", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text("utf-8")
            for match in re.finditer(r"urlopen\([^)]*_stcore/health[^)]*\)(?: as (\w+))?", text):
                rest = text[match.end():match.end() + 300]
                reads = match.group(1) and re.search(rf"{match.group(1)}\.(read|headers)", rest)
                if path.name != "health.py" and not reads:
                    copies.append(str(path.relative_to(ROOT)))
    assert not copies, copies


def test_the_warm_up_tours_the_pages_of_the_page_table(monkeypatch):
    assert session.viewer_pages()[0] == "" and "data" not in session.viewer_pages()  # analysts only
    new = ui_pages.PageInfo("pipeline_review", "page_home", ":material/flag:")
    hidden = ui_pages.PageInfo("admin", "page_data", ":material/lock:", "import")
    monkeypatch.setattr(ui_pages, "PAGES", (*ui_pages.PAGES, new, hidden))
    assert session.viewer_pages()[-1] == "pipeline_review" and "admin" not in session.viewer_pages()
    assert session.viewer_pages() == session.VIEWER_PAGES


def defines_a_strategy(path: Path) -> list[str]:
    """Module-level functions of a test file that are Hypothesis strategies (@st.composite, or returning one)."""
    found = []
    for node in ast.parse(path.read_text("utf-8")).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        decorated = any("composite" in ast.unparse(d) for d in node.decorator_list)
        returns = [n for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None
                   and re.match(r"st\.\w+\(", ast.unparse(n.value))]
        if decorated or returns:
            found.append(f"{path.name}:{node.name}")
    return found


def test_hypothesis_strategies_live_in_one_module(tmp_path):
    found = [f for path in (ROOT / "tests").rglob("test_*.py") for f in defines_a_strategy(path)]
    assert not found, f"move these to tests/strategies.py: {found}"
    sample = tmp_path / "test_x.py"
    sample.write_text("from hypothesis import strategies as st\n\ndef rows(n):\n    return st.lists(st.text(), "
                      "max_size=n)\n\n@st.composite\ndef pair(draw):\n    return draw(st.integers())\n")
    assert defines_a_strategy(sample) == ["test_x.py:rows", "test_x.py:pair"]
