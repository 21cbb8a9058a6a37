"""The configurable lifecycle stage model: names, order, owning team, aliases and roles.

Roles say which stage plays which part in the analyses: `mql` (the hand-off to sales), `sql` (sales
accepted it), `opportunity` (an active deal) and `won` (a customer). Every analysis finds these stages
through `StageModel.role`, never by name or position, so a MIL → MQL → SQL → OPP → CUS model works
everywhere. A stage file without roles gets the last four main stages, in that order.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from smarketing import toml_input


class StageConfigError(ValueError):
    """The stage configuration file is malformed."""


@dataclass(frozen=True)
class Stage:
    name: str
    owner: str
    meaning: str = ""
    aliases: tuple[str, ...] = ()
    role: str = ""
    display: tuple[tuple[str, str], ...] = ()  # (language, name shown in it): `display = { zh = "客户" }`


ROLES = ("mql", "sql", "opportunity", "won")


def _key(text: str) -> str:
    """Matching key: lower case, letters and digits only (so 'Marketing-Qualified Lead' ~ 'marketingqualifiedlead')."""
    return re.sub(r"[\W_]+", "", str(text).casefold())


@dataclass(frozen=True)
class StageModel:
    """Main-line stages in funnel order, plus side stages (Evangelist, Other) beside the funnel."""

    main: tuple[Stage, ...]
    side: tuple[Stage, ...] = ()
    name: str = "custom"
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _roles: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _display: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.main) < 2:
            raise StageConfigError("the stage model needs at least two main-line stages")
        object.__setattr__(self, "_roles", _roles_of(self.main, self.side))
        lookup: dict[str, str] = {}
        for stage in (*self.main, *self.side):
            for spelling in (stage.name, *stage.aliases):
                key = _key(spelling)
                if key in lookup and lookup[key] != stage.name:
                    raise StageConfigError(
                        f"'{spelling}' names both stage '{lookup[key]}' and stage '{stage.name}'"
                    )
                lookup[key] = stage.name
        object.__setattr__(self, "_lookup", lookup)
        display: dict[str, dict[str, str]] = {}
        for stage in (*self.main, *self.side):
            for language, shown in stage.display:
                display.setdefault(language, {})[stage.name] = shown
        object.__setattr__(self, "_display", display)

    @property
    def names(self) -> list[str]:
        """Main-line stage names in funnel order."""
        return [s.name for s in self.main]

    @property
    def all_names(self) -> list[str]:
        return [s.name for s in (*self.main, *self.side)]

    def index(self, name: str) -> int:
        """Position of a main-line stage in the funnel."""
        return self.names.index(name)

    def canonical(self, value: str) -> str | None:
        """The configured stage name a file value stands for, or None if unknown."""
        return self._lookup.get(_key(value))

    def display_names(self, language: str) -> dict[str, str]:
        """{stage name: the name shown for it in `language`} of the stages that give one (the analyses keep the
        stage names; only the interface shows these)."""
        return self._display.get(language, {})

    def owner(self, name: str) -> str:
        return next(s.owner for s in (*self.main, *self.side) if s.name == name)

    def role(self, role: str) -> str | None:
        """The main stage that plays `role` (one of ROLES), or None when the model has none."""
        if role not in ROLES:
            raise ValueError(f"unknown stage role '{role}' (expected one of {', '.join(ROLES)})")
        return self._roles.get(role)

    def require(self, role: str, what: str) -> str:
        """The stage of `role`, or a ValueError saying `what` needs it."""
        stage = self.role(role)
        if stage is None:
            raise ValueError(f"{what} needs a stage with role '{role}' in the stage model (role = \"{role}\")")
        return stage


def _roles_of(main: tuple[Stage, ...], side: tuple[Stage, ...]) -> dict[str, str]:
    """{role: stage name} from the stages' `role`; without any, the last four main stages (if there are four)."""
    for stage in side:
        if stage.role:
            raise StageConfigError(f"stage '{stage.name}': a role belongs to a main-line stage, not a side stage")
    given = [s for s in main if s.role]
    if not given:
        return dict(zip(ROLES, [s.name for s in main[-4:]], strict=True)) if len(main) >= 4 else {}
    roles: dict[str, str] = {}
    for stage in given:
        if stage.role not in ROLES:
            raise StageConfigError(f"stage '{stage.name}': unknown role '{stage.role}' "
                                   f"(expected one of {', '.join(ROLES)})")
        if stage.role in roles:
            raise StageConfigError(f"role '{stage.role}' is given to both '{roles[stage.role]}' and '{stage.name}'")
        roles[stage.role] = stage.name
    order = [roles[r] for r in ROLES if r in roles]
    names = [s.name for s in main]
    if order != sorted(order, key=names.index):
        raise StageConfigError("the roles must follow the funnel order: mql, then sql, opportunity and won")
    return roles


def _stages(raw: list, section: str, source: str) -> tuple[Stage, ...]:
    stages = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not item.get("name"):
            raise StageConfigError(f"{source}: [[{section}]] entry {i} needs a 'name'")
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list):
            raise StageConfigError(f"{source}: stage '{item['name']}': 'aliases' must be a list")
        display = item.get("display", {})
        if not isinstance(display, dict) or not all(isinstance(v, str) and v.strip() for v in display.values()):
            raise StageConfigError(f"{source}: stage '{item['name']}': 'display' must be a table of names by "
                                   f"language, e.g. display = {{ zh = \"客户\" }}")
        stages.append(
            Stage(
                name=str(item["name"]),
                owner=str(item.get("owner", "")),
                meaning=str(item.get("meaning", "")),
                aliases=tuple(str(a) for a in aliases),
                role=str(item.get("role", "")).strip().lower(),
                display=tuple(sorted((str(k).strip().lower(), str(v).strip()) for k, v in display.items())),
            )
        )
    return tuple(stages)


def parse_stages(text: str, source: str = "stages.toml") -> StageModel:
    """Build a StageModel from TOML text; errors name the file and the entry."""
    try:
        raw = toml_input.loads(text)
    except toml_input.TomlInputError as exc:
        raise StageConfigError(f"{source}: {exc}") from exc
    main = _stages(raw.get("main", []), "main", source)
    side = _stages(raw.get("side", []), "side", source)
    return StageModel(main=main, side=side, name=str(raw.get("name", "custom")))


def load_stages(path: str | Path | None = None) -> StageModel:
    """Load the stage model from a TOML file, or the packaged default."""
    if path is None:
        text = resources.files("smarketing.config").joinpath("stages.toml").read_text("utf-8")
        return parse_stages(text, "default stages.toml")
    path = Path(path)
    try:
        text = toml_input.read(path)
    except toml_input.TomlInputError as exc:
        raise StageConfigError(f"{path}: {exc}") from exc
    return parse_stages(text, str(path))


@functools.lru_cache(maxsize=8)
def _loaded(path: str | None, mtime: float) -> StageModel:
    return load_stages(path)


def active_stages() -> StageModel:
    """The stage model in use: the file named by $SMARKETING_STAGES (see smarketing.settings), else the
    packaged default; read again when the file changes."""
    from smarketing.settings import current

    path = current().stages_file
    return _loaded(path, Path(path).stat().st_mtime if path and Path(path).exists() else 0.0)


def resolve(stages: StageModel | None) -> StageModel:
    """`stages`, or the active stage model when None (the default of every analysis)."""
    return stages if stages is not None else active_stages()


PACKAGED_STAGES = load_stages()  # the default model shipped with the package (HubSpot's lifecycle)
