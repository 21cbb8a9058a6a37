"""Who may do what: optional login (Streamlit's built-in OIDC, st.login) and the viewer / analyst roles.

Viewers see every analysis and open saved views; analysts may also import data, save scoring rules and views,
point the app at another data source and (when the setting allows it) see unmasked personal data.

- With an `[auth]` section in .streamlit/secrets.toml, everyone must log in; a user is an analyst when
  their email matches `[smarketing] analysts` (exact addresses or patterns like "*@example.com"),
  otherwise they get `[smarketing] default_role` (viewer unless set).
- Without login, the role is $SMARKETING_ROLE or `[smarketing] role`; unless set, analyst for a single user
  on their own machine, viewer when the app is shared on the network (`smarketing app --host 0.0.0.0`, which
  passes the address as $SMARKETING_ADDRESS), so nobody on the network imports data or switches the source.
"""

from __future__ import annotations

import fnmatch
import functools
import os

import streamlit as st
from streamlit import config

from smarketing import settings
from smarketing.formatting import md_text
from smarketing.labels import t
from smarketing.settings import ANALYST, VIEWER

ROLES = (VIEWER, ANALYST)
IMPORT, SAVE_RULES, CHOOSE_SOURCE, SHOW_PERSONAL = "import", "save_rules", "choose_source", "show_personal"
SAVE_VIEWS = "save_views"  # name and save a page with its filters (viewers open saved views)
ALLOWED = {VIEWER: frozenset(), ANALYST: frozenset({IMPORT, SAVE_RULES, CHOOSE_SOURCE, SHOW_PERSONAL, SAVE_VIEWS})}


class AccessDenied(PermissionError):
    """An action the current user's role does not allow."""


class SecretsError(RuntimeError):
    """The secrets file exists but cannot be read: the app must not run without the login it may configure."""


def _secrets():
    """Streamlit secrets; None when there is no secrets file. A file that cannot be read raises SecretsError:
    failing open would drop the login and make everyone an analyst."""
    secrets = st.secrets
    if getattr(secrets, "_secrets", None) is None and not _secrets_file_present():
        return None  # without a file Streamlit would search for one again, under a lock, on every access
    try:
        secrets.get("smarketing")  # secrets are parsed on first access
        return secrets
    except FileNotFoundError as exc:  # StreamlitSecretNotFoundError
        if getattr(exc, "error_id", None) == "no-secrets-found":
            return None
        raise SecretsError(str(exc)) from exc


def _secrets_file_present() -> bool:
    """True when one of Streamlit's secrets locations (`secrets.files`, read once) exists."""
    return any(os.path.exists(path) for path in _secrets_paths())


@functools.cache
def _secrets_paths() -> tuple[str, ...]:
    return tuple(config.get_option("secrets.files"))


def secrets_section() -> dict:
    """The `[smarketing]` section of Streamlit secrets ({} without a secrets file)."""
    secrets = _secrets()
    return dict(secrets.get("smarketing", {})) if secrets is not None else {}


settings.use_secrets(secrets_section)  # in the app, smarketing.settings reads secrets through st.secrets


def served_address() -> str | None:
    """Where a Streamlit server serves this app (its server.address; "" when unset: every interface), None
    outside a server (tests, the command line). `smarketing app` passes its address as SMARKETING_ADDRESS
    instead; this covers `streamlit run app.py`."""
    from streamlit import runtime

    if not (runtime.exists() and type(runtime.get_instance()) is runtime.Runtime):  # AppTest's is a stand-in
        return None
    return str(config.get_option("server.address") or "")


settings.use_served_address(served_address)  # without SMARKETING_ADDRESS: shared when Streamlit serves everywhere


def login_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (Streamlit's OIDC login)."""
    secrets = _secrets()
    return secrets is not None and "auth" in secrets


def _role_name(value, default: str) -> str:
    value = str(value or "").strip().lower()
    return value if value in ROLES else default


def role_for(email: str | None, config: dict) -> str:
    """The role of a logged-in user: analyst when the email matches `analysts`, else `default_role`."""
    email = (email or "").strip().lower()
    patterns = config.get("analysts", [])
    patterns = [patterns] if isinstance(patterns, str) else patterns
    if email and any(fnmatch.fnmatchcase(email, str(p).strip().lower()) for p in patterns):
        return ANALYST
    return _role_name(config.get("default_role"), VIEWER)


def role() -> str:
    """The current user's role."""
    if login_configured():
        user = st.user
        return role_for(user.get("email"), secrets_section()) if user.is_logged_in else VIEWER
    return settings.current().role_without_login


def can(action: str) -> bool:
    return action in ALLOWED[role()]


def require(action: str) -> None:
    """Raise AccessDenied unless the current role allows `action` (the server-side check behind buttons)."""
    if not can(action):
        raise AccessDenied(t("access_denied").format(action=t(f"perm_{action}"), role=t(f"role_{role()}")))


def guard_page(action: str) -> None:
    """Stop a page the current role may not use, with a message saying why (deep links included)."""
    if not can(action):
        st.warning(t("access_page_denied").format(role=t(f"role_{role()}")), icon=":material/lock:")
        st.stop()


def show_personal_data() -> bool:
    """Unmasked emails and phones: only for analysts, and only with the explicit setting switched on."""
    return can(SHOW_PERSONAL) and settings.current().show_personal_data


def gate() -> None:
    """In app.py, before the pages: the login screen when login is on and nobody is logged in; otherwise
    the user, role and a log-out button in the sidebar."""
    try:
        login = login_configured()
    except SecretsError as exc:
        st.error(t("secrets_broken").format(error=md_text(exc)), icon=":material/lock:")
        st.stop()
    if login and not st.user.is_logged_in:
        st.title(t("app_title"))
        st.write(t("login_text"))
        provider = secrets_section().get("login_provider")
        if st.button(t("login_button"), type="primary", icon=":material/login:"):
            st.login(provider) if provider else st.login()
        st.stop()
    label = t(f"role_{role()}")
    if login_configured():
        st.sidebar.caption(f"{st.user.get('email') or st.user.get('name') or ''} · {label}")
        if st.sidebar.button(t("logout_button"), icon=":material/logout:"):
            st.logout()
    masked = t("personal_shown") if show_personal_data() else t("personal_masked")
    st.sidebar.caption(f"{label.capitalize()} · {masked}", help=t("personal_help"))
    if not login_configured() and settings.current().shared_on_network:
        st.sidebar.caption(t("shared_without_login").format(role=label), help=t("shared_without_login_help"))
