"""The configurable lifecycle stage model: names, order, owning team and aliases."""

from __future__ import annotations

import os
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

    def __post_init__(self) -> None:
        if len(self.main) < 2:
            raise StageConfigError("the stage model needs at least two main-line stages")
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

    def owner(self, name: str) -> str:
        return next(s.owner for s in (*self.main, *self.side) if s.name == name)


def _stages(raw: list, section: str, source: str) -> tuple[Stage, ...]:
    stages = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not item.get("name"):
            raise StageConfigError(f"{source}: [[{section}]] entry {i} needs a 'name'")
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list):
            raise StageConfigError(f"{source}: stage '{item['name']}': 'aliases' must be a list")
        stages.append(
            Stage(
                name=str(item["name"]),
                owner=str(item.get("owner", "")),
                meaning=str(item.get("meaning", "")),
                aliases=tuple(str(a) for a in aliases),
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
    return parse_stages(path.read_text("utf-8"), str(path))


# The stage model in use: the file named by $SMARKETING_STAGES, else the packaged default.
DEFAULT_STAGES = load_stages(os.environ.get("SMARKETING_STAGES") or None)
