"""`smarketing app` resolves Streamlit's settings as users expect, binds to loopback unless told to share, and
gives everyone the viewer role when shared without login (no server started here; see test_launch_server.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from apptest import run_page

from smarketing import settings
from smarketing.cli import build_parser
from smarketing.launch import app_files, nginx, streamlit_options
from smarketing.launch.streamlit_options import banner, plan, role_note

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "app.py"


@pytest.fixture()
def elsewhere(tmp_path, monkeypatch):
    """A working folder and home without Streamlit settings, and no STREAMLIT_* or SMARKETING_* variables."""
    for name in ("STREAMLIT_SERVER_PORT", "STREAMLIT_SERVER_ADDRESS", "SMARKETING_ROLE", "SMARKETING_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def write(folder: Path, name: str, text: str) -> None:
    (folder / ".streamlit").mkdir(exist_ok=True)
    (folder / ".streamlit" / name).write_text(text, "utf-8")


def test_by_default_loopback_no_file_watcher_no_port_flag(elsewhere):
    launch = plan(SCRIPT, {})
    assert launch.flags["server.address"] == "127.0.0.1" and not launch.shared
    assert launch.flags["server.fileWatcherType"] == "none"
    assert launch.flags["logger.hideWelcomeMessage"] == "true"  # the launcher's line; no external IP lookup
    assert launch.flags["logger.level"] == "warning"  # and no "Uvicorn server started on …" beside it
    assert "server.port" not in launch.flags and launch.port == 8501
    assert launch.url == "http://127.0.0.1:8501"
    command = launch.command()
    assert command[1:4] == ["-m", "streamlit", "run"] and command[4] == str(SCRIPT)
    assert command[command.index("--server.address") + 1] == "127.0.0.1"


def test_streamlit_environment_variables_are_honoured(elsewhere):
    launch = plan(SCRIPT, {"STREAMLIT_SERVER_PORT": "8642", "STREAMLIT_SERVER_ADDRESS": "0.0.0.0"})
    assert "server.port" not in launch.flags and "server.address" not in launch.flags  # Streamlit reads them
    assert launch.port == 8642 and launch.address == "0.0.0.0" and launch.shared


def test_config_toml_is_honoured_and_options_win_when_given(elsewhere):
    write(elsewhere, "config.toml", '[server]\naddress = "0.0.0.0"\nport = 8650\nfileWatcherType = "poll"\n')
    launch = plan(SCRIPT, {})
    assert not {"server.address", "server.port", "server.fileWatcherType"} & set(launch.flags)
    assert (launch.address, launch.port) == ("0.0.0.0", 8650)
    launch = plan(SCRIPT, {"STREAMLIT_SERVER_PORT": "8660"}, host="127.0.0.1", port=8700)
    assert launch.flags["server.address"] == "127.0.0.1" and launch.flags["server.port"] == "8700"
    assert (launch.address, launch.port) == ("127.0.0.1", 8700)


def test_dev_switches_the_file_watcher_on(elsewhere):
    write(elsewhere, "config.toml", '[server]\nfileWatcherType = "none"\n')
    launch = plan(SCRIPT, {}, dev=True)
    assert launch.flags["server.fileWatcherType"] == "auto" and launch.flags["server.runOnSave"] == "true"
    assert launch.flags["logger.level"] == "info"  # developers see Streamlit's messages
    write(elsewhere, "config.toml", '[logger]\nlevel = "debug"\n')
    assert "logger.level" not in plan(SCRIPT, {}).flags  # a level of the user's own is Streamlit's to read


def test_a_bad_port_setting_is_a_clear_error(elsewhere):
    with pytest.raises(ValueError, match=r"STREAMLIT_SERVER_PORT\) must be a port number, got 'eighty'"):
        plan(SCRIPT, {"STREAMLIT_SERVER_PORT": "eighty"})
    with pytest.raises(ValueError, match="between 1 and 65535"):
        plan(SCRIPT, {}, port=70000)


@pytest.mark.parametrize(("address", "reachable"), [
    ("127.0.0.1", False), ("127.0.1.1", False), ("localhost", False), ("::1", False), ("[::1]", False),
    ("unix:///tmp/app.sock", False), ("0.0.0.0", True), ("", True), ("::", True), ("192.168.1.20", True),
    ("crm.example.com", True),
])
def test_which_addresses_other_machines_reach(address, reachable):
    assert settings.reachable_from_network(address) is reachable


@pytest.mark.parametrize(("environ", "role"), [
    ({}, "analyst"),  # started by hand or by a test: one user on their own machine
    ({"SMARKETING_ADDRESS": "127.0.0.1"}, "analyst"),
    ({"SMARKETING_ADDRESS": "0.0.0.0"}, "viewer"),
    ({"SMARKETING_ADDRESS": "0.0.0.0", "SMARKETING_ROLE": "analyst"}, "analyst"),  # said on purpose
    ({"SMARKETING_ADDRESS": "0.0.0.0", "SMARKETING_ROLE": "admin"}, "viewer"),  # not a role: the default
    ({"SMARKETING_ADDRESS": "127.0.0.1", "SMARKETING_ROLE": "viewer"}, "viewer"),
])
def test_the_role_without_login(environ, role):
    assert settings.resolve(environ, {}).role_without_login == role


def test_the_start_line_says_where_which_database_how_to_stop_and_the_role(elsewhere):
    launch = plan(SCRIPT, {}, host="0.0.0.0", port=8601)
    note = role_note(launch, {})
    assert note.startswith("shared on the network without login: everyone gets the viewer role")
    line = banner(launch, "/data/crm.duckdb", note, pid=4242)
    assert "\n" not in line and ":8601 (every interface; here: http://localhost:8601)" in line
    assert "database /data/crm.duckdb" in line and "everyone gets the viewer role" in line
    assert line.endswith("stop with Ctrl-C or `kill 4242`")
    assert role_note(launch, {"SMARKETING_ROLE": "analyst"}).startswith(
        "shared on the network without login: everyone gets the analyst role")
    assert role_note(plan(SCRIPT, {}), {}) is None  # loopback: nothing to say
    write(elsewhere, "secrets.toml", '[auth]\nredirect_uri = "http://x/oauth2callback"\ncookie_secret = "s"\n')
    launch = plan(SCRIPT, {}, host="0.0.0.0")
    assert launch.login and role_note(launch, {}) is None  # with login the roles come from it


def test_shared_without_login_the_app_says_so_and_gives_viewers_no_data_page(demo_env, monkeypatch):
    monkeypatch.delenv("SMARKETING_ROLE", raising=False)
    monkeypatch.setenv("SMARKETING_ADDRESS", "0.0.0.0")
    at = run_page("app.py", timeout=240)
    notes = [c.value for c in at.sidebar.caption if "Shared on the network" in c.value]
    assert notes == [":material/public: Shared on the network without login: everyone gets the viewer role."]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")
    monkeypatch.setenv("SMARKETING_ADDRESS", "127.0.0.1")
    at = run_page("app.py", timeout=240)
    assert not [c for c in at.sidebar.caption if "Shared on the network" in c.value]
    at.switch_page("pages/data.py").run()  # an analyst on their own machine imports data
    assert at.get("file_uploader")


def test_every_option_of_smarketing_app_is_described():
    parser = build_parser()
    app = parser._subparsers._group_actions[0].choices["app"]
    options = [a for a in app._actions if a.option_strings and a.dest != "help"]
    assert {a.dest for a in options} == {"db", "host", "port", "workers", "dev"}
    assert all(a.help and len(a.help) > 30 for a in options)
    text = app.format_help()
    for word in ("127.0.0.1", "Ctrl-C", "SIGTERM", "STREAMLIT_SERVER_PORT", "config.toml", "nginx", "viewer"):
        assert word in text


def test_the_app_is_found_through_the_package():
    # ./run installs the package in editable mode: the app is the checkout it points at
    assert app_files.app_dir() == ROOT and app_files.app_script() == ROOT / "app.py"


def test_nginx_configuration_is_valid_and_sticky(tmp_path):
    text = nginx.config("0.0.0.0", 8601, [8602, 8603], tmp_path, 200)
    assert "server 127.0.0.1:8602;" in text and "server 127.0.0.1:8603;" in text and "listen 8601;" in text
    assert "hash $sticky_key consistent;" in text and "$cookie_smarketing_worker" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text and "client_max_body_size 201m;" in text
    assert nginx.listen_directive("::", 80) == "listen [::]:80;"
    assert nginx.listen_directive("10.0.0.5", 80) == "listen 10.0.0.5:80;"
    (tmp_path / "nginx.conf").write_text(text, "utf-8")
    check = subprocess.run([*nginx.command(nginx.find_nginx(), tmp_path), "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_worker_ports_follow_the_app_port():
    from smarketing.launch.workers import worker_ports

    launch = streamlit_options.Launch(script=SCRIPT, port=8601)
    assert worker_ports(launch, 3) == [8602, 8603, 8604]
    with pytest.raises(ValueError, match="--workers must be between 2 and 64"):
        worker_ports(launch, 0)
    with pytest.raises(ValueError, match="past 65535"):
        worker_ports(streamlit_options.Launch(script=SCRIPT, port=65534), 2)
