"""`streamlit run app.py` (the README's development command) is safe by default too (review of issue 17, item 1):
without `smarketing app` to pass SMARKETING_ADDRESS, the app asks Streamlit where it is served, and a server on
every interface (Streamlit's default) gives everyone without a login the viewer role, says so in the sidebar and
keeps the Data page away; on loopback the single user stays an analyst."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
import websockets
from conftest import ROOT
from launching import free_ports, healthy, run_async
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from smarketing import settings
from smarketing.launch import wait_healthy
from smarketing.launch.session import stream_url


@pytest.fixture()
def served(monkeypatch):
    """Pretend the app is served at an address (what smarketing.access registers from Streamlit's option)."""
    registered = settings._served
    monkeypatch.delenv("SMARKETING_ADDRESS", raising=False)
    monkeypatch.delenv("SMARKETING_ROLE", raising=False)

    def serve(address):
        settings.use_served_address(lambda: address)

    yield serve
    settings.use_served_address(registered)


@pytest.mark.parametrize("address,role", [("", "viewer"), ("0.0.0.0", "viewer"), ("192.168.1.20", "viewer"),
                                          ("127.0.0.1", "analyst"), ("localhost", "analyst"), (None, "analyst")])
def test_the_served_address_decides_the_role_without_login(served, address, role):
    served(address)  # "": Streamlit's server.address unset, every interface; None: not served (tests, commands)
    assert settings.current().role_without_login == role


def test_smarketing_apps_address_and_the_role_setting_still_win(served, monkeypatch):
    served("")
    monkeypatch.setenv("SMARKETING_ADDRESS", "127.0.0.1")  # smarketing app says where it serves
    assert settings.current().role_without_login == "analyst"
    monkeypatch.delenv("SMARKETING_ADDRESS")
    monkeypatch.setenv("SMARKETING_ROLE", "analyst")  # on purpose
    assert settings.current().role_without_login == "analyst"


async def texts_of(url: str, page: str) -> tuple[list[str], bool]:
    """The markdown texts one run of `page` draws (sidebar included), and whether the page was not found."""
    texts, missing = [], False
    async with websockets.connect(stream_url(url), subprotocols=["streamlit"], max_size=None) as ws:
        request = BackMsg()
        request.rerun_script.page_name = page
        await ws.send(request.SerializeToString())
        async with asyncio.timeout(240):
            while True:
                msg = ForwardMsg.FromString(await ws.recv())
                kind = msg.WhichOneof("type")
                element = msg.delta.new_element if kind == "delta" else None
                if element is not None and msg.delta.WhichOneof("type") == "new_element" and \
                        element.WhichOneof("type") == "markdown":
                    texts.append(element.markdown.body)
                missing |= kind == "page_not_found"
                if kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return texts, missing


@pytest.mark.parametrize("address", [None, "127.0.0.1"])
def test_streamlit_run_app_py_on_every_interface_serves_viewers(demo_db, tmp_path, address):
    port = free_ports(1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "SMARKETING_"))}
    env.update(SMARKETING_DB=demo_db, SMARKETING_NO_WARMUP="1")
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
               "--server.headless", "true", "--server.fileWatcherType", "none"]
    command += ["--server.address", address] if address else []  # none: Streamlit's default, every interface
    with (tmp_path / "app.log").open("w") as log:
        proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_healthy(url, 120), (tmp_path / "app.log").read_text()
        texts, _ = run_async(texts_of(url, ""))
        shared = [x for x in texts if "Shared on the network without login" in x]
        _, data_missing = run_async(texts_of(url, "data"))
        if address is None:
            assert shared and "everyone gets the viewer role" in shared[0]
            assert data_missing  # no Data page for viewers
        else:
            assert not shared and not data_missing  # the one user on this machine is an analyst
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert not healthy(url)


def test_a_page_run_without_a_server_is_not_served_anywhere(monkeypatch):
    """AppTest runs pages without a server (its runtime is a stand-in): nothing is served, so the single user on
    this machine is an analyst, as on loopback."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("SMARKETING_ADDRESS", raising=False)
    monkeypatch.delenv("SMARKETING_ROLE", raising=False)
    at = AppTest.from_string("import streamlit as st\nfrom smarketing import access\n"
                             "st.write(repr((access.served_address(), access.role())))\n").run()
    assert at.markdown[0].value == repr((None, "analyst"))
