"""Roles and login: viewers cannot reach the import or save actions; with login on, nothing shows before it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from apptest import run_page
from streamlit.testing.v1 import AppTest

from smarketing import access
from smarketing.access import ANALYST, VIEWER, AccessDenied, role_for

ROOT = Path(__file__).resolve().parents[1]
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s3cret-for-tests",
        "client_id": "smarketing", "client_secret": "x",
        "server_metadata_url": "https://login.example.com/.well-known/openid-configuration"}


def test_role_for_matches_addresses_and_patterns():
    config = {"analysts": ["ana@acme.com", "*@ops.acme.com"]}
    assert role_for("Ana@Acme.com", config) == ANALYST
    assert role_for("bo@ops.acme.com", config) == ANALYST
    assert role_for("bo@acme.com", config) == VIEWER and role_for(None, config) == VIEWER
    assert role_for("bo@acme.com", {**config, "default_role": "analyst"}) == ANALYST
    assert role_for("bo@acme.com", {"analysts": "*@acme.com"}) == ANALYST
    assert role_for("x@y.z", {"default_role": "superuser"}) == VIEWER  # unknown roles fall back to viewer


@pytest.fixture()
def own_db(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("SMARKETING_DB", str(path))
    return path


def run(path: str, role: str, monkeypatch, **secrets) -> AppTest:
    monkeypatch.setenv("SMARKETING_ROLE", role)
    at = run_page(path, timeout=240, run=False)
    for key, value in secrets.items():
        at.secrets[key] = value
    return at


def test_a_viewer_cannot_reach_the_import(own_db, monkeypatch):
    at = run("pages/data.py", "viewer", monkeypatch).run()
    assert not at.exception
    assert "analysts" in at.warning[0].value
    assert not at.get("file_uploader") and not at.button
    at = run("pages/data.py", "analyst", monkeypatch).run()
    assert len(at.get("file_uploader")) >= 3


def test_the_data_page_is_not_in_a_viewers_navigation_and_a_deep_link_is_refused(own_db, monkeypatch):
    at = run("app.py", "viewer", monkeypatch).run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")
    at = run("app.py", "analyst", monkeypatch).run()
    at.switch_page("pages/data.py").run()
    assert len(at.get("file_uploader")) >= 3


def test_a_viewer_cannot_save_rules(own_db, monkeypatch):
    at = run("pages/scoring_tuner.py", "viewer", monkeypatch).run()
    assert not at.exception
    assert at.button(key="sc_save").disabled
    with pytest.raises(AccessDenied, match="viewer"):  # the check behind the button, for a forged click
        access.require(access.SAVE_RULES)
    at = run("pages/scoring_tuner.py", "analyst", monkeypatch).run()
    assert not at.button(key="sc_save").disabled


def test_a_viewer_cannot_change_the_data_source(own_db, monkeypatch):
    at = run("pages/funnel.py", "viewer", monkeypatch).run()
    assert not [w for w in at.text_input if w.key == "data_source_input"]
    at = run("pages/funnel.py", "analyst", monkeypatch).run()
    assert [w for w in at.text_input if w.key == "data_source_input"]


def test_with_login_configured_nothing_shows_before_logging_in(own_db, monkeypatch):
    at = run("app.py", "analyst", monkeypatch, auth=AUTH)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.dataframe and not at.get("plotly_chart") and not at.metric


def test_logged_in_users_get_the_role_their_email_gives(own_db, monkeypatch):
    settings = {"analysts": ["ana@acme.com"]}
    at = run("app.py", "analyst", monkeypatch, auth=AUTH, smarketing=settings)
    at.user = {"is_logged_in": True, "email": "bo@acme.com"}
    at.run()
    assert not at.exception and at.metric  # the Overview is shown
    assert any("viewer" in c.value.lower() for c in at.sidebar.caption)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")
    at = run("app.py", "viewer", monkeypatch, auth=AUTH, smarketing=settings)
    at.user = {"is_logged_in": True, "email": "ana@acme.com"}
    at.run()
    at.switch_page("pages/data.py").run()
    assert len(at.get("file_uploader")) >= 3


def test_a_typed_data_source_stays_in_the_data_folder(tmp_path, monkeypatch):
    from smarketing.ui import allowed_source

    monkeypatch.setenv("SMARKETING_DB", str(tmp_path / "crm.duckdb"))
    assert allowed_source("other.duckdb") == str((tmp_path / "other.duckdb").resolve())
    assert allowed_source(f"duckdb://{tmp_path}/q/a.duckdb") == str((tmp_path / "q" / "a.duckdb").resolve())
    monkeypatch.setattr("smarketing.access.secrets_section", lambda: {"sources": ["postgres://ana@db.example.com/crm"]})
    monkeypatch.setattr("smarketing.settings._provider", lambda: {"sources": ["postgres://ana@db.example.com/crm"]})
    assert allowed_source("postgres://ana@db.example.com/crm") == "postgres://ana@db.example.com/crm"
    with pytest.raises(ValueError, match="listed under"):  # the stored password must not go to any host
        allowed_source("postgres://me@attacker.example/x")
    for bad in ("../elsewhere.duckdb", "/etc/x.duckdb", "notes.txt", f"{tmp_path}/../x.duckdb", "ftp://host/x"):
        with pytest.raises(ValueError, match="inside the app's data folder"):
            allowed_source(bad)


@pytest.mark.parametrize("error_id, broken", [("no-secrets-found", False), ("failed-parsing-secrets-file", True)])
def test_an_unreadable_secrets_file_fails_closed(monkeypatch, error_id, broken):
    from streamlit.errors import StreamlitSecretNotFoundError

    class Secrets:
        def get(self, *_):
            raise StreamlitSecretNotFoundError("secrets: {why}", why=error_id, error_id=error_id)

    monkeypatch.setattr(access.st, "secrets", Secrets())
    monkeypatch.setattr(access, "_secrets_file_present", lambda: broken)  # a file is there only when broken
    if broken:  # the file may hold the login: never fall back to "no login, everyone an analyst"
        with pytest.raises(access.SecretsError):
            access.login_configured()
    else:
        assert not access.login_configured() and access.secrets_section() == {}


def test_without_a_secrets_file_streamlit_is_not_asked_to_search_again(monkeypatch):
    class Secrets:  # what st.secrets does without a file: search every location again, under a lock
        searches = 0

        def get(self, *_):
            Secrets.searches += 1
            raise AssertionError("searched for a secrets file that is not there")

    monkeypatch.setattr(access.st, "secrets", Secrets())
    monkeypatch.setattr(access, "_secrets_paths", lambda: ("/nonexistent/secrets.toml",))
    assert not access.login_configured() and access.secrets_section() == {} and Secrets.searches == 0
