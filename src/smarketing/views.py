"""Saved views: a named page of the app with its filters (date range, time mode, segments) and page settings
(breakdown, attribution model …), so that anyone with access opens the same view from its link.

Views are TOML files in a `views` folder beside the database (like `mappings/` and `scoring_rules/`), one file
per view named by the view's slug; they are written like every other write: under the folder's write lock,
through a temporary file renamed over the old one, with a safe file name (smarketing.paths)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import tomli_w

from smarketing import paths, toml_input
from smarketing.filters import MODES, Filters
from smarketing.store.writes import write_lock

VIEWS_DIR = "views"
MAX_NAME = 80
MAX_VALUES = 200  # segment values or list settings in one view
KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")  # a page, a lead column, a setting's widget key
_SLUG = re.compile(r"[^\w]+")


class ViewError(ValueError):
    """A view that cannot be saved or read; the message says what is wrong."""


@dataclass(frozen=True)
class View:
    """A named page with its filters and settings ({widget key: text or list of texts})."""

    name: str
    page: str
    since: date | None = None
    until: date | None = None
    mode: str = "cohort"
    segments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    settings: dict[str, str | tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for check in (_named, _on_a_page, _filters_valid, _settings_valid):
            check(self)

    @property
    def slug(self) -> str:
        return slug(self.name)

    @property
    def filters(self) -> Filters:
        return Filters(since=self.since, until=self.until, mode=self.mode, segments=dict(self.segments))

    def query_params(self) -> dict[str, str | list[str]]:
        """The filters as the sidebar keeps them in the URL (since, until, mode, one list per segment column)."""
        params: dict[str, str | list[str]] = {"mode": self.mode}
        if self.since and self.until:
            params.update(since=self.since.isoformat(), until=self.until.isoformat())
        params.update({column: list(values) for column, values in self.segments.items()})
        return params

    def to_toml(self) -> str:
        doc = {"name": self.name, "page": self.page, "filters": {"mode": self.mode}}
        if self.since and self.until:
            doc["filters"].update(since=self.since.isoformat(), until=self.until.isoformat())
        if self.segments:
            doc["filters"]["segments"] = {c: list(v) for c, v in sorted(self.segments.items())}
        if self.settings:
            doc["settings"] = {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(self.settings.items())}
        return tomli_w.dumps(doc)

    @classmethod
    def from_toml(cls, text: str, source: str) -> View:
        try:
            doc = toml_input.loads(text)
            filters = doc.get("filters", {})
            if not isinstance(filters, dict) or not isinstance(doc.get("settings", {}), dict):
                raise ViewError("[filters] and [settings] must be tables")
            segments = filters.get("segments", {})
            if not isinstance(segments, dict):
                raise ViewError("[filters.segments] must be a table of lists")
            return cls(name=doc.get("name"), page=doc.get("page"), since=_day(filters.get("since")),
                       until=_day(filters.get("until")), mode=filters.get("mode", "cohort"),
                       segments={c: _texts(v, f"segment {c}") for c, v in segments.items()},
                       settings={k: _texts(v, f"setting {k}") if isinstance(v, list) else v
                                 for k, v in doc.get("settings", {}).items()})
        except (toml_input.TomlInputError, ViewError, ValueError, TypeError) as exc:
            raise ViewError(f"{source}: {exc}") from exc


def _day(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _texts(value, what: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ViewError(f"{what} must be a list of texts")
    return tuple(values)


def _named(v: View) -> None:
    if not isinstance(v.name, str) or not v.name.strip():
        raise ViewError("a view needs a name")
    if len(v.name) > MAX_NAME or any(ord(c) < 32 or ord(c) == 127 for c in v.name):
        raise ViewError(f"a view's name is one line of at most {MAX_NAME} characters")
    if not slug(v.name):
        raise ViewError(f"'{v.name}' has no letter or digit to name the view by")


def _on_a_page(v: View) -> None:
    if not isinstance(v.page, str) or not KEY.fullmatch(v.page):
        raise ViewError(f"'{v.page}' is not a page")


def _filters_valid(v: View) -> None:
    if v.mode not in MODES:
        raise ViewError(f"mode must be one of {', '.join(MODES)}, got '{v.mode}'")
    if (v.since is None) != (v.until is None):
        raise ViewError("a view's date range needs both its first and its last day")
    if v.since and v.until and v.since > v.until:
        raise ViewError(f"the range starts ({v.since}) after it ends ({v.until})")
    for column, values in v.segments.items():
        if not KEY.fullmatch(str(column)) or len(values) > MAX_VALUES:
            raise ViewError(f"'{column}' is not a segment filter (a lead column with at most {MAX_VALUES} values)")


def _settings_valid(v: View) -> None:
    for key, value in v.settings.items():
        texts = value if isinstance(value, tuple) else (value,)
        if not KEY.fullmatch(str(key)) or len(texts) > MAX_VALUES or not all(isinstance(x, str) for x in texts):
            raise ViewError(f"'{key}' is not a page setting (a text or a list of texts)")


def slug(name: str) -> str:
    """The view's name as it appears in links and file names: lower case, words joined by '-'."""
    text = _SLUG.sub("-", str(name).strip().casefold()).strip("-")[:MAX_NAME]
    return paths.safe_file_name(text, default="")


def _same(name: str) -> str:
    """A name as compared with another: case and runs of spaces do not count."""
    return " ".join(name.split()).casefold()


def views_dir(folder: str | os.PathLike) -> Path:
    """The views of the database in `folder`."""
    return Path(folder) / VIEWS_DIR


def _path(folder: Path, view_slug: str) -> Path:
    if not view_slug or slug(view_slug) != view_slug:
        raise ViewError(f"'{view_slug[:60]}' is not the link name of a view")
    return paths.inside(folder, f"{view_slug}.toml")


def save_view(folder: str | os.PathLike, view: View) -> Path:
    """Save `view` beside the database (replacing a view of the same name); a different view whose name has the
    same link name is refused rather than overwritten."""
    directory = views_dir(folder)
    directory.mkdir(parents=True, exist_ok=True)
    path = _path(directory, view.slug)
    with write_lock(directory / "views"):  # two analysts saving at once: one after the other, never half a file
        if path.exists():
            try:
                other = read_view(path).name
            except ViewError:
                other = None  # a broken file may be replaced
            if other is not None and _same(other) != _same(view.name):
                raise ViewError(f"a view called '{other}' has the same link name ({view.slug}): choose another name")
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tmp.write_text(view.to_toml(), "utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return path


def read_view(path: Path) -> View:
    try:
        text = toml_input.read(path)
    except (OSError, toml_input.TomlInputError) as exc:
        raise ViewError(f"{path.name}: {exc}") from exc
    return View.from_toml(text, path.name)


def load_view(folder: str | os.PathLike, view_slug: str) -> View | None:
    """The view whose link name is `view_slug`; None when there is none."""
    path = _path(views_dir(folder), view_slug)
    return read_view(path) if path.is_file() else None


def list_views(folder: str | os.PathLike) -> list[View]:
    """The saved views, by name (a file that cannot be read is left out)."""
    directory = views_dir(folder)
    found = []
    for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
        try:
            found.append(read_view(path))
        except ViewError:
            continue
    return sorted(found, key=lambda v: (v.name.casefold(), v.name))


def delete_view(folder: str | os.PathLike, view_slug: str) -> bool:
    """Remove a saved view; False when there was none."""
    directory = views_dir(folder)
    path = _path(directory, view_slug)
    with write_lock(directory / "views"):
        if not path.is_file():
            return False
        path.unlink()
    return True
