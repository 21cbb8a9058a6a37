"""A client of the app that speaks Streamlit's websocket protocol (as a browser tab does): open a session on
ws://HOST/_stcore/stream, ask for a page with a `rerun_script` BackMsg (the page's URL path and a query string
of sidebar filters) and read ForwardMsgs until `script_finished`. Used to warm the app's caches after a start
or an import (smarketing.launch.warmup) and by the load benchmarks."""

from __future__ import annotations

import time

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


def viewer_pages() -> tuple[str, ...]:
    """URL paths of the pages a viewer sees, from the app's one page table (smarketing.ui.pages.PAGES: the pages
    no permission hides; st.navigation names them after their files, "" is the Overview). Read when asked, so
    that starting the launcher does not load the app."""
    from smarketing.ui.pages import PAGES

    return tuple("" if p.key == "home" else p.key for p in PAGES if p.permission is None)


def __getattr__(name: str):
    if name == "VIEWER_PAGES":  # `from smarketing.launch.session import VIEWER_PAGES` (the load benchmarks)
        return viewer_pages()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def stream_url(url: str) -> str:
    return url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"


def problem(page: str, msg: ForwardMsg) -> str | None:
    """What is wrong with the page, judging by this message, if anything."""
    kind = msg.WhichOneof("type")
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        if element.WhichOneof("type") == "exception":
            return f"/{page}: exception {element.exception.type}: {element.exception.message}"
        if element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
            return f"/{page}: st.error {element.alert.body[:200]}"
    if kind == "page_not_found":
        return f"/{page}: page not found"
    if kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
        return f"/{page}: script error {msg.session_event.script_compilation_exception.message}"
    return None


async def load_page(ws, page: str, query: str = "") -> tuple[float, list[str]]:
    """Run one page on the session `ws`; return its page-ready time and the problems seen."""
    request = BackMsg()
    request.rerun_script.page_name = page
    request.rerun_script.query_string = query
    start = time.perf_counter()
    await ws.send(request.SerializeToString())
    problems = []
    while True:
        msg = ForwardMsg.FromString(await ws.recv())
        if found := problem(page, msg):
            problems.append(found)
        if msg.WhichOneof("type") != "script_finished":
            continue
        if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            continue  # the page called st.rerun(): the next run follows on its own
        if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
            problems.append(f"/{page}: script finished with status {msg.script_finished}")
        return time.perf_counter() - start, problems
