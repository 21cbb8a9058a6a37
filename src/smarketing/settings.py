"""Every setting of the app and the command line, resolved in one place into one frozen Settings object.

| setting | environment | `[smarketing]` in secrets.toml | default |
|---|---|---|---|
| database (file or URL) | SMARKETING_DB | db | data/demo.duckdb |
| database password (URLs) | SMARKETING_DB_PASSWORD, PGPASSWORD | db_password | none |
| stage model file (smarketing.stages.active_stages) | SMARKETING_STAGES | – | the packaged stages.toml |
| saved mappings folder | SMARKETING_MAPPINGS | – | `mappings` beside the database |
| largest import, MB | SMARKETING_MAX_UPLOAD_MB | – | 200 |
| role without login | SMARKETING_ROLE | role | analyst; viewer when the app is shared on the network |
| address the app is served on (set by `smarketing app`) | SMARKETING_ADDRESS | – | Streamlit's server.address in the app ("" or unset: every interface), none elsewhere |
| show personal data | SMARKETING_SHOW_PERSONAL_DATA | show_personal_data | off |
| interface language (smarketing.labels: en, zh; the app's sidebar, `?lang=` and the browser come first) | SMARKETING_LANG | language | en |
| login: analysts, others | – | analysts, default_role | –, viewer |
| warehouse URLs analysts may use | – | sources | – |

Internal and test switches (not settings a user sets; read where they act): SMARKETING_WARMUP (the app's own URL,
set by `smarketing app`, for the warm-up after an import: smarketing.launch.warmup), SMARKETING_NO_WARMUP (no
warm-up sessions: the tests and the launch tests set it), SMARKETING_EAGER_TABS (every tab of a page runs, not only
the open one: AppTests, smarketing.ui.tables.tabs), SMARKETING_STRICT_LABELS (a missing label key raises:
the tests, smarketing.labels).

The environment wins over secrets. Secrets are Streamlit's `.streamlit/secrets.toml` (the project's, then
`~/.streamlit/secrets.toml`); inside the app they come from `st.secrets` (smarketing.access registers it).
`current()` resolves once per distinct environment and secrets, so a test or an app session that changes
either gets a new object, and nothing is fixed at import time.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from smarketing import toml_input

DEFAULT_DB = Path("data") / "demo.duckdb"
MAX_UPLOAD_MB = 200.0
TRUE = ("1", "true", "yes", "on")
ENVIRONMENT = ("SMARKETING_DB", "SMARKETING_DB_PASSWORD", "PGPASSWORD", "SMARKETING_STAGES", "SMARKETING_MAPPINGS",
               "SMARKETING_MAX_UPLOAD_MB", "SMARKETING_ROLE", "SMARKETING_SHOW_PERSONAL_DATA", "SMARKETING_ADDRESS",
               "SMARKETING_LANG")
LOOPBACK = ("localhost", "::1", "ip6-localhost")
VIEWER, ANALYST = "viewer", "analyst"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    """The resolved settings (see the module's table)."""

    db: str = str(DEFAULT_DB)
    db_password: str | None = None
    stages_file: str | None = None
    mappings_dir: str | None = None
    max_upload_text: str = ""
    role: str | None = None
    show_personal_data: bool = False
    analysts: tuple[str, ...] = ()
    default_role: str | None = None
    sources: tuple[str, ...] = ()
    db_configured: bool = False  # db came from the environment or secrets, not the default
    address: str | None = None  # where the app is served (Streamlit's server.address, or nginx's with workers)
    language: str | None = None  # the interface language when nothing else chose one (smarketing.labels)

    @property
    def max_upload_bytes(self) -> int:
        """The largest file an import reads."""
        text = self.max_upload_text.strip()
        try:
            mb = float(text) if text else MAX_UPLOAD_MB
        except ValueError:
            mb = -1
        if not 0 < mb < 1e9:
            raise SettingsError(f"SMARKETING_MAX_UPLOAD_MB must be a number of megabytes, got '{text}'")
        return int(mb * 1024 * 1024)

    @property
    def shared_on_network(self) -> bool:
        """True when the app is served on an address other machines can reach."""
        return self.address is not None and reachable_from_network(self.address)

    @property
    def role_without_login(self) -> str:
        """The role setting when it names a role; else analyst on the user's own machine, viewer when the app
        is shared on the network."""
        chosen = str(self.role or "").strip().lower()
        if chosen in (VIEWER, ANALYST):
            return chosen
        return VIEWER if self.shared_on_network else ANALYST


def reachable_from_network(address: str) -> bool:
    """True for an address other machines can reach: not loopback, not a Unix socket ("" is every interface)."""
    address = address.strip().lower().strip("[]")
    return not (address in LOOPBACK or address.startswith(("127.", "unix:")))


def _flag(value) -> bool:
    return value is True or str(value if value is not None else "").strip().lower() in TRUE


def _texts(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)


def resolve(environ: Mapping[str, str], secrets: Mapping) -> Settings:
    """Settings from an environment and the `[smarketing]` section of secrets (pure: no I/O)."""
    def env(name: str) -> str | None:
        return environ.get(name) or None

    db = env("SMARKETING_DB") or secrets.get("db")
    return Settings(
        db=str(db or DEFAULT_DB),
        db_password=env("SMARKETING_DB_PASSWORD") or env("PGPASSWORD") or secrets.get("db_password"),
        stages_file=env("SMARKETING_STAGES"),
        mappings_dir=env("SMARKETING_MAPPINGS"),
        max_upload_text=environ.get("SMARKETING_MAX_UPLOAD_MB", ""),
        role=env("SMARKETING_ROLE") or secrets.get("role"),
        show_personal_data=_flag(env("SMARKETING_SHOW_PERSONAL_DATA")) or _flag(secrets.get("show_personal_data")),
        analysts=_texts(secrets.get("analysts")),
        default_role=secrets.get("default_role"),
        sources=_texts(secrets.get("sources")),
        db_configured=bool(db),
        language=env("SMARKETING_LANG") or secrets.get("language"),
        address=environ.get("SMARKETING_ADDRESS"),  # "" is every interface (Streamlit's server.address)
    )


# -------------------------------------------------------------------------------------------- secrets

_provider: Callable[[], Mapping] | None = None
_served: Callable[[], str | None] | None = None


def use_secrets(provider: Callable[[], Mapping] | None) -> None:
    """Take the `[smarketing]` section from `provider()` (the app registers st.secrets) instead of the files."""
    global _provider
    _provider = provider


def use_served_address(provider: Callable[[], str | None] | None) -> None:
    """Without SMARKETING_ADDRESS, take the address the app is served on from `provider()` (the app registers
    Streamlit's server.address: `streamlit run app.py` serves on every interface unless told otherwise)."""
    global _served
    _served = provider


def secrets_files() -> list[Path]:
    """Streamlit's secrets files, the project's first (it overrides the user's)."""
    return [Path.cwd() / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]


@functools.lru_cache(maxsize=4)
def _file_section(stamps: tuple) -> dict:
    merged: dict = {}
    for path, _mtime in reversed(stamps):
        try:
            doc = toml_input.loads(toml_input.read(Path(path)))
        except (OSError, toml_input.TomlInputError):
            continue  # the app's login check reports an unreadable secrets file (smarketing.access)
        section = doc.get("smarketing", {})
        merged.update(section if isinstance(section, dict) else {})
    return merged


def _secrets_section() -> Mapping:
    if _provider is not None:
        return _provider()
    stamps = tuple((str(p), p.stat().st_mtime) for p in secrets_files() if p.is_file())
    return _file_section(stamps)


@functools.lru_cache(maxsize=32)
def _resolved(environment: tuple, secrets: tuple) -> Settings:
    return resolve(dict(environment), dict(secrets))


def current(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings now: from os.environ (or `environ`) and the secrets (resolved once per distinct pair)."""
    environ = os.environ if environ is None else environ
    if "SMARKETING_ADDRESS" not in environ and _served is not None and (served := _served()) is not None:
        environ = {**environ, "SMARKETING_ADDRESS": served}
    environment = tuple((k, environ[k]) for k in ENVIRONMENT if k in environ)
    section = _secrets_section()
    return _resolved(environment, tuple(sorted((str(k), _hashable(v)) for k, v in dict(section).items())))


def _hashable(value):
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    return value
