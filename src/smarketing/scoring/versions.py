"""Rule versions: the packaged default rules, the versions saved beside the database and which one is in force."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import date
from importlib import resources
from pathlib import Path

from smarketing import store, toml_input
from smarketing.scoring.rules import RULES_FILE, VERSIONS_DIR, Rules, RulesError
from smarketing.scoring.rules_file import dump_rules, parse_rules
from smarketing.store.writes import write_lock


def shipped_rules_path() -> Path:
    """data/scoring.toml of the working directory if present, else the default shipped with the package."""
    local = Path("data") / RULES_FILE
    return local if local.exists() else Path(str(resources.files("smarketing.config").joinpath(RULES_FILE)))


def versions_dir(db: str | os.PathLike | None = None) -> Path:
    """Where saved versions live: a `scoring_rules` folder beside the database file."""
    path = store.db_path(db)
    base = Path(".") if str(path) == ":memory:" else path.parent
    return base / VERSIONS_DIR


def _version_files(folder: Path) -> list[tuple[int, Path]]:
    found = []
    for path in folder.glob("v*.toml") if folder.is_dir() else []:
        match = re.fullmatch(r"v(\d+)", path.stem)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def saved_versions(db: str | os.PathLike | None = None) -> list[tuple[int, Path]]:
    """The rule versions saved beside the database, oldest first: [(version, file)]."""
    return _version_files(versions_dir(db))


def active_rules_path(db: str | os.PathLike | None = None) -> Path:
    """The rules in force: the newest saved version beside the database, else the shipped file."""
    saved = _version_files(versions_dir(db))
    return saved[-1][1] if saved else shipped_rules_path()


def usable_rules(db: str | os.PathLike | None = None) -> tuple[Rules | None, list[str]]:
    """The newest saved version that can still be read and run (None when none can), and why each newer one
    cannot (a version saved before a check existed, or edited by hand): a broken version never stops the pages."""
    problems = []
    for _, path in reversed(saved_versions(db)):
        try:
            return load_rules(path), problems
        except RulesError as exc:
            problems.append(str(exc))
    return None, problems


def skipped_versions(db: str | os.PathLike | None = None) -> list[str]:
    """Why the saved versions newer than the one in force cannot be used (newest first)."""
    return usable_rules(db)[1]


def load_rules(path: str | os.PathLike | None = None, db: str | os.PathLike | None = None) -> Rules:
    """Load a rules file; without a path, the rules in force for the database: the newest saved version that can
    be used, else the shipped file."""
    if not path:
        rules, _ = usable_rules(db)
        if rules is not None:
            return rules
    target = Path(path) if path else shipped_rules_path()
    try:
        text = toml_input.read(target)
    except FileNotFoundError as exc:
        raise RulesError(f"rules file {target} does not exist") from exc
    except toml_input.TomlInputError as exc:
        raise RulesError(f"{target.name}: {exc}") from exc
    return parse_rules(text, target.name)


def save_version(rules: Rules, db: str | os.PathLike | None = None) -> tuple[Rules, Path]:
    """Save the rules as the next version beside the database; returns the saved rules and the file."""
    folder = versions_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    with write_lock(folder / "rules"):  # two analysts saving at once get two versions, not one file twice
        saved = _version_files(folder)
        latest = max([rules.version - 1] + [v for v, _ in saved] + [_shipped_version()])
        new = replace(rules, version=latest + 1, date=date.today())
        path = folder / f"v{new.version}.toml"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(dump_rules(new), "utf-8")
        tmp.replace(path)
    return new, path


def _shipped_version() -> int:
    try:
        return load_rules(shipped_rules_path()).version
    except RulesError:
        return 0
