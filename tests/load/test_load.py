"""Issue 7, "20 users at once": the short CI version of benchmarks/bench_load.py.

Simulated viewers tour every page of the running app at the same time over Streamlit's websocket protocol
(benchmarks/load_app.py) while imports replace the database file now and then (store.writing, the Data
page's write path): no page may fail, every user finishes a tour, and the server still answers afterwards.
No timing is asserted here; the benchmark (20 users for a minute) records page-ready times in
benchmarks/RESULTS.md. CI runs 5 users, one tour each: a page load costs the server about a second of CPU
on one core (the GIL), so 20 full tours (140 loads) take 2-4 minutes on two shared cores.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import threading

from conftest import DEMO_END, ROOT, running_app
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from smarketing import store
from smarketing.launch import healthy, session
from smarketing.store import writes

sys.path.insert(0, str(ROOT / "benchmarks"))
import load_app  # noqa: E402

USERS = 5
SECONDS = 0  # no new tours after the first: one tour per user
VARIATIONS = 2  # filter variations (the default view, a 12-month period window): few cold caches in CI
HARD_TIMEOUT = 100  # seconds for the whole load; users still touring then are stopped, with errors
PAGE_TIMEOUT = 60
WRITES, WRITE_EVERY = 4, 5.0  # with the first, five versions of the file: more than the app keeps open (4)


def write_now_and_then(path: str, done: threading.Event, versions: list[str]) -> None:
    """Replace the database file through the import path every WRITE_EVERY seconds until `done`."""
    while len(versions) < WRITES and not done.wait(WRITE_EVERY):
        with store.writing(path) as con:
            store.raw(con).execute("UPDATE leads SET owner = owner WHERE lead_id = (SELECT min(lead_id) FROM leads)")
        versions.append(writes.version(path))


def test_driver_sees_exceptions_and_error_alerts():
    """The driver's error detection itself: an exception element and an st.error alert are problems."""
    msg = ForwardMsg()
    msg.delta.new_element.exception.type = "ConnectionException"
    msg.delta.new_element.exception.message = "Connection already closed!"
    assert "ConnectionException" in session.problem("funnel", msg)
    msg = ForwardMsg()
    msg.delta.new_element.alert.body = "No database"
    msg.delta.new_element.alert.format = Alert.ERROR
    assert "No database" in session.problem("funnel", msg)
    msg = ForwardMsg()
    msg.delta.new_element.markdown.body = "fine"
    assert session.problem("funnel", msg) is None


def test_users_at_once_while_importing(demo_db, tmp_path):
    path = str(shutil.copyfile(demo_db, tmp_path / "demo.duckdb"))  # the shared demo database stays as it is
    env = {"SMARKETING_DB": path, "SMARKETING_ROLE": "viewer"}
    done, versions = threading.Event(), []
    writer = threading.Thread(target=write_now_and_then, args=(path, done, versions))
    with running_app(env, tmp_path) as url:
        writer.start()
        try:
            results = asyncio.run(load_app.run_load(url, USERS, SECONDS, DEMO_END, variations=VARIATIONS,
                                                    page_timeout=PAGE_TIMEOUT, hard_timeout=HARD_TIMEOUT))
        finally:
            done.set()
            writer.join()
        assert healthy(url, timeout=10), "the server stopped answering after the load"
    print(results.table(), f"\nFile versions written during the load: {len(versions)}")
    assert versions, "no import happened during the load"
    log = (tmp_path / "streamlit.log").read_text("utf-8", errors="replace")
    assert not results.errors, f"{len(results.errors)} errors, first: {results.errors[:3]}\n{log[-3000:]}"
    assert "Traceback" not in log, log[-3000:]
    assert set(results.times) == set(load_app.VIEWER_PAGES), "a page was never loaded"
    assert all(results.tours[i] >= 1 for i in range(USERS)), f"tours per user: {dict(results.tours)}"
