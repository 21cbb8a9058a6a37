"""The `streamlit run` command behind `smarketing app`, and the one line the launcher prints.

Streamlit's own settings keep working as Streamlit documents them (its defaults < ~/.streamlit/config.toml <
./.streamlit/config.toml < the app's .streamlit/config.toml < STREAMLIT_* environment variables < flags): the
launcher passes a flag for one of its defaults below only where the user has not set that option, and for
`--host`, `--port` and `--dev` only when they are given.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from smarketing import settings, toml_input

LOOPBACK = "127.0.0.1"
STREAMLIT_PORT = 8501
WILDCARDS = ("", "0.0.0.0", "::")  # every interface

# The launcher's defaults, each used only when the user has not set the option.
DEFAULTS = {
    "server.address": LOOPBACK,  # nobody else reaches the app unless it is shared on purpose (--host)
    "server.fileWatcherType": "none",  # no watcher over the checkout and its .venv (--dev switches it on)
    "server.headless": "true",  # never try to open a browser
    "logger.hideWelcomeMessage": "true",  # the launcher's own line instead, and no external IP lookup
    "logger.level": "warning",  # no "Uvicorn server started on …" beside that line; warnings and errors still show
}
# --dev: rerun when a file is saved, with Streamlit's info messages
DEV = {"server.fileWatcherType": "auto", "server.runOnSave": "true", "logger.level": "info"}
ALSO_READ = ("server.port", "server.cookieSecret")


@dataclass(frozen=True)
class Launch:
    """A resolved start: the app script, the flags for `streamlit run`, where the app listens and whether
    Streamlit's secrets configure a login."""

    script: Path
    flags: dict[str, str] = field(default_factory=dict)
    address: str = LOOPBACK
    port: int = STREAMLIT_PORT
    login: bool = False
    user_set: frozenset[str] = frozenset()  # the options the user set (environment or config.toml)
    max_upload_mb: float = 200.0  # Streamlit's server.maxUploadSize (nginx takes uploads as large)

    def command(self, overrides: Mapping[str, str] | None = None) -> list[str]:
        """`python -m streamlit run app.py --key value …`; `overrides` replace flags of the same key."""
        flags = {**self.flags, **(overrides or {})}
        return [sys.executable, "-m", "streamlit", "run", str(self.script),
                *[part for key, value in flags.items() for part in (f"--{key}", str(value))]]

    @property
    def url(self) -> str:
        return url_for(self.address, self.port)

    @property
    def local_url(self) -> str:
        """How this machine reaches the app (the loopback address when it listens everywhere)."""
        return local_url(self.address, self.port)

    @property
    def shared(self) -> bool:
        """True when other machines can reach the app."""
        return settings.reachable_from_network(self.address)


def plan(script: Path, environ: Mapping[str, str], host: str | None = None, port: int | None = None,
         dev: bool = False) -> Launch:
    """Resolve a start of the app at `script` with the options given on the command line."""
    wanted = {**DEFAULTS, **(DEV if dev else {})}
    streamlit = _streamlit_settings(script, environ, [*wanted, *ALSO_READ])
    given = streamlit.user_set
    flags = {key: value for key, value in wanted.items() if key not in given or (dev and key in DEV)}
    if host is not None:
        flags["server.address"] = host
    if port is not None:
        flags["server.port"] = str(port)
    address = str(flags.get("server.address", given.get("server.address")) or "0.0.0.0")
    return Launch(script=script, flags=flags, address=address, port=_port(port, given.get("server.port")),
                  login=any(_has_login(Path(f)) for f in streamlit.secrets_files), user_set=frozenset(given),
                  max_upload_mb=streamlit.max_upload_mb)


class StreamlitSettings(NamedTuple):
    user_set: dict[str, object]  # option -> value, for the options the user set
    secrets_files: list[str]
    max_upload_mb: float


def _streamlit_settings(script: Path, environ: Mapping[str, str], keys) -> StreamlitSettings:
    """What the user set among `keys` as Streamlit reads it for `script` (STREAMLIT_* environment variables,
    then the config.toml files: the user's, the working folder's, the app's), the secrets files Streamlit
    reads and the largest upload in MB."""
    from streamlit import config

    saved = config._main_script_path, config._config_options
    try:  # parsed as `streamlit run` would (the app's own config.toml counts), then Streamlit's state restored
        config._main_script_path, config._config_options = str(script), None
        options = config.get_config_options(force_reparse=True)
    finally:
        config._main_script_path, config._config_options = saved
    found = {}
    for key in keys:
        option = options[key]
        if option.env_var in environ:
            found[key] = environ[option.env_var]
        elif option.where_defined not in (option.DEFAULT_DEFINITION, option.STREAMLIT_DEFINITION):
            found[key] = option.value
    files = environ.get(options["secrets.files"].env_var)
    upload = options["server.maxUploadSize"]
    try:
        max_upload = float(environ.get(upload.env_var, upload.value))
    except ValueError:
        max_upload = float(upload.value)
    return StreamlitSettings(found, [files] if files else list(options["secrets.files"].value), max_upload)


def _port(given: int | None, configured) -> int:
    value = given if given is not None else configured if configured is not None else STREAMLIT_PORT
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"server.port (or STREAMLIT_SERVER_PORT) must be a port number, got '{value}'") from None
    if not 0 < port < 65536:
        raise ValueError(f"the port must be between 1 and 65535, got {port}")
    return port


def _has_login(path: Path) -> bool:
    """True when a secrets file has an [auth] section (one that cannot be read: the app refuses to start)."""
    if not path.is_file():
        return False
    try:
        return "auth" in toml_input.loads(toml_input.read(path))
    except (OSError, toml_input.TomlInputError):
        return False


def local_url(address: str, port: int) -> str:
    host = LOOPBACK if address in WILDCARDS or address == "localhost" else address
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def url_for(address: str, port: int) -> str:
    """The address to open: this machine's name for a wildcard address, else the address itself."""
    host = socket.gethostname() if address in WILDCARDS else address
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def role_note(launch: Launch, environ: Mapping[str, str]) -> str | None:
    """One phrase when the app is shared without login: the role everyone gets (as smarketing.access gives it)."""
    if not launch.shared or launch.login:
        return None
    role = settings.current({**environ, "SMARKETING_ADDRESS": launch.address}).role_without_login
    return (f"shared on the network without login: everyone gets the {role} role"
            + (" (add [auth] to .streamlit/secrets.toml for logins)" if role == settings.VIEWER else
               " (set by SMARKETING_ROLE or [smarketing] role)"))


def banner(launch: Launch, database: str, note: str | None, pid: int | None = None, workers: int = 1) -> str:
    """The one line printed at start: where the app is, which database, how to stop it."""
    where = launch.url + (f" (every interface; here: http://localhost:{launch.port})"
                          if launch.address in WILDCARDS else "")
    processes = f"{workers} app processes behind nginx (ports {launch.port + 1}–{launch.port + workers})"
    parts = [f"smarketing app: {where}", f"database {database}", *([processes] if workers > 1 else []),
             *([note] if note else []), f"stop with Ctrl-C or `kill {pid or os.getpid()}`"]
    return " · ".join(parts)
