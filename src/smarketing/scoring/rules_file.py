"""Reading and writing a rules file (TOML): every setting validated, errors naming the file, the rule and
the line's section."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import replace
from datetime import date

import duckdb
import tomli_w

from smarketing import labels, toml_input
from smarketing.scoring.rules import (
    CONDITIONS,
    DECAY_MODES,
    MAX_DAYS,
    MAX_PATTERN,
    MAX_POINTS,
    MAX_RULES,
    MAX_VALUE,
    MAX_VERSION,
    RULES_FILE,
    Bonus,
    Decay,
    EventRule,
    FitRule,
    Rules,
    RulesError,
    points_text,
)

# ---------------------------------------------------------------------------------------------- parse


class _Ctx:
    """Where we are in the file, for error messages."""

    def __init__(self, source: str, where: str = ""):
        self.source, self.where = source, where

    def fail(self, message: str) -> RulesError:
        return RulesError(f"{self.source}: {self.where + ': ' if self.where else ''}{message}")

    def number(
        self, raw: dict, key: str, required: bool = False, positive: bool = False, limit: float = MAX_POINTS
    ) -> float | None:
        """A finite number of at most `limit` either way (greater than 0 if `positive`), as a float."""
        value = raw.get(key)
        if value is None:
            if required:
                raise self.fail(f"'{key}' is missing (expected a number)")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"'{key}' must be a number, got {_shown(value)}")
        if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > limit:
            raise self.fail(f"'{key}' must be a number between {points_text(-limit)} and {points_text(limit)}, got {_shown(value)}")
        if positive and value <= 0:
            raise self.fail(f"'{key}' must be greater than 0, got {_shown(value)}")
        return float(value)

    def text(self, raw: dict, key: str, required: bool = True) -> str:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(f"'{key}' is missing (expected text)")
            return ""
        if not isinstance(value, str):
            raise self.fail(f"'{key}' must be text, got {_shown(value)}")
        return value.strip()

    def texts(self, raw: dict, key: str) -> tuple[str, ...]:
        value = raw.get(key)
        if value is None:
            return ()
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise self.fail(f"'{key}' must be a text or a non-empty list of texts, got {_shown(value)}")
        return tuple(values)

    def unknown_keys(self, raw: dict, allowed: set[str]) -> None:
        extra = sorted(set(raw) - allowed)
        if extra:
            raise self.fail(f"unknown setting(s) {', '.join(extra)} (allowed: {', '.join(sorted(allowed))})")


def _shown(value) -> str:
    """A value as a message shows it: at most 40 characters."""
    if isinstance(value, int) and abs(value) >= 10**40:
        return f"a {len(str(abs(value)))}-digit number"
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _fit_rule(raw, i: int, source: str) -> FitRule:
    ctx = _Ctx(source, f"fit rule {i}")
    if not isinstance(raw, dict):
        raise ctx.fail("must be a table with 'column', a condition and 'points'")
    name = ctx.text(raw, "name", required=False)
    ctx.where = f"fit rule {i}" + (f" ('{name}')" if name else "")
    ctx.unknown_keys(raw, {"name", "column", "points", *CONDITIONS})
    column = ctx.text(raw, "column")
    points = ctx.number(raw, "points", required=True)
    conditions = [c for c in CONDITIONS if c in raw and c not in ("min", "max")]
    has_range = "min" in raw or "max" in raw
    if len(conditions) + has_range != 1:
        raise ctx.fail("needs exactly one condition: equals, in, min/max, contains, matches or present")
    equals = raw.get("equals")
    if isinstance(equals, int | float) and not isinstance(equals, bool):
        equals = ctx.number(raw, "equals", limit=MAX_VALUE)
    elif equals is not None and not isinstance(equals, str):
        raise ctx.fail(f"'equals' must be a text or a number, got {_shown(equals)}")
    present = raw.get("present")
    if present is not None and not isinstance(present, bool):
        raise ctx.fail(f"'present' must be true or false, got {_shown(present)}")
    matches = _pattern(ctx, raw)
    lo, hi = ctx.number(raw, "min", limit=MAX_VALUE), ctx.number(raw, "max", limit=MAX_VALUE)
    if lo is not None and hi is not None and lo > hi:
        raise ctx.fail(f"'min' ({points_text(lo)}) is larger than 'max' ({points_text(hi)})")
    rule = FitRule(
        name=name, column=column, points=points, equals=equals,
        any_of=ctx.texts(raw, "in"), min=lo, max=hi, contains=ctx.texts(raw, "contains"), matches=matches,
        present=present,
    )
    if rule.name:
        return rule
    with labels.using("en"):  # a name made from the condition is part of the rules, the same in every language
        return replace(rule, name=rule.describe().replace("`", ""))


def _pattern(ctx: _Ctx, raw: dict) -> str | None:
    """The `matches` regular expression (of a sane length), checked by the engine that runs it: DuckDB's RE2, with
    the "(?i)" the scores add (Python's engine accepts look-behind, back-references and more that RE2 refuses)."""
    matches = ctx.text(raw, "matches", required=False) or None
    if matches is not None and len(matches) > MAX_PATTERN:
        raise ctx.fail(f"'matches' is {len(matches):,} characters long (at most {MAX_PATTERN:,})")
    if matches is not None and (problem := re2_problem("(?i)" + matches)):
        problem = problem.replace("(?i)" + matches, matches)
        raise ctx.fail(f"'matches' is not a regular expression the database can run ({problem}; RE2 has no "
                       f"look-around, back-references, possessive quantifiers, atomic groups, \\Z or (?x))")
    return matches


_RE2 = threading.Lock()
_re2_db: list = []


def re2_problem(pattern: str) -> str | None:
    """Why DuckDB's RE2 refuses a pattern (None when it runs it): a probe on an in-memory database."""
    with _RE2:
        if not _re2_db:
            _re2_db.append(duckdb.connect(":memory:"))
        try:
            _re2_db[0].execute("SELECT regexp_matches('', ?)", [pattern]).fetchone()
        except duckdb.Error as exc:
            return str(exc).splitlines()[0].removeprefix("Invalid Input Error: ")
    return None


def _event_rule(raw, i: int, source: str) -> EventRule:
    ctx = _Ctx(source, f"interest rule {i}")
    if not isinstance(raw, dict):
        raise ctx.fail("must be a table with 'event_type' and 'points'")
    ctx.unknown_keys(raw, {"event_type", "points", "cap"})
    event_type = ctx.text(raw, "event_type")
    ctx.where = f"interest rule {i} ('{event_type}')"
    return EventRule(event_type, ctx.number(raw, "points", required=True), ctx.number(raw, "cap", positive=True))


def _bonus(raw, i: int, source: str) -> Bonus:
    ctx = _Ctx(source, f"bonus {i}")
    if not isinstance(raw, dict):
        raise ctx.fail("must be a table with 'event_type', 'min_count', 'within_days' and 'points'")
    ctx.unknown_keys(raw, {"name", "event_type", "min_count", "within_days", "points"})
    event_type = ctx.text(raw, "event_type")
    ctx.where = f"bonus {i} ('{raw.get('name') or event_type}')"
    count = ctx.number(raw, "min_count", required=True, positive=True)
    if not count.is_integer():
        raise ctx.fail(f"'min_count' must be a whole number, got {_shown(raw['min_count'])}")
    within = ctx.number(raw, "within_days", required=True, positive=True, limit=MAX_DAYS)
    name = ctx.text(raw, "name", required=False) or f"≥ {int(count)} {event_type} in {points_text(within)} days"
    return Bonus(name, event_type, int(count), within, ctx.number(raw, "points", required=True))


def _decay(raw, source: str) -> Decay:
    ctx = _Ctx(source, "[decay]")
    if not isinstance(raw, dict):
        raise ctx.fail("must be a table")
    ctx.unknown_keys(raw, {"mode", "half_life_days", "window_days"})
    mode = raw.get("mode", "none")
    if mode not in DECAY_MODES:
        raise ctx.fail(f"'mode' must be one of {', '.join(DECAY_MODES)}, got {_shown(mode)}")
    half = ctx.number(raw, "half_life_days", required=mode == "half_life", positive=True, limit=MAX_DAYS)
    window = ctx.number(raw, "window_days", required=mode == "window", positive=True, limit=MAX_DAYS)
    return Decay(mode, half if mode == "half_life" else None, window if mode == "window" else None)


def _list(raw: dict, key: str, ctx: _Ctx) -> list:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ctx.fail(f"'{key}' must be a list of tables ([[{key}]])")
    return value


def _section_at(text: str, line: int | None) -> str:
    """Which part of a rules file holds `line` ("fit rule 2", "[decay]"), for messages."""
    where, counts = "", {"fit": 0, "interest": 0, "bonus": 0}
    names = {"fit": "fit rule", "interest": "interest rule", "bonus": "bonus"}
    for text_line in text.split("\n")[: line or 0]:
        header = re.match(r"\s*(\[\[?)\s*([\w.]+)\s*\]", text_line)
        if header and header.group(1) == "[[" and header.group(2) in counts:
            counts[header.group(2)] += 1
            where = f"{names[header.group(2)]} {counts[header.group(2)]}: "
        elif header:
            where = f"[{header.group(2)}]: "
    return where


def parse_rules(text: str, source: str = RULES_FILE) -> Rules:
    """Build Rules from TOML text; any problem raises RulesError naming the file and the rule."""
    try:
        raw = toml_input.loads(text)
    except toml_input.TomlInputError as exc:
        raise RulesError(f"{source}: {_section_at(text, exc.line)}{exc}") from exc
    ctx = _Ctx(source)
    ctx.unknown_keys(
        raw, {"name", "version", "date", "description", "owner", "thresholds", "decay", "fit", "interest", "bonus"}
    )
    version = raw.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        raise ctx.fail(f"'version' must be a whole number from 1 to {MAX_VERSION:,}, got {_shown(version)}")
    when = raw.get("date", date.today())
    if not isinstance(when, date):
        raise ctx.fail(f"'date' must be a TOML date such as 2026-01-31, got {_shown(when)}")
    thresholds = raw.get("thresholds")
    tctx = _Ctx(source, "[thresholds]")
    if not isinstance(thresholds, dict):
        raise ctx.fail("[thresholds] is missing (needs 'fit' and 'interest', optionally 'combined')")
    tctx.unknown_keys(thresholds, {"fit", "interest", "combined"})
    lists = {key: _list(raw, key, ctx) for key in ("fit", "interest", "bonus")}
    if (total := sum(map(len, lists.values()))) > MAX_RULES:
        raise ctx.fail(f"{total:,} rules, more than the {MAX_RULES:,} a rules file may hold")
    rules = Rules(
        name=ctx.text(raw, "name", required=False) or "Scoring rules",
        version=version,
        date=when if type(when) is date else when.date(),
        fit_threshold=tctx.number(thresholds, "fit", required=True),
        interest_threshold=tctx.number(thresholds, "interest", required=True),
        combined_threshold=tctx.number(thresholds, "combined"),
        fit=tuple(_fit_rule(r, i, source) for i, r in enumerate(lists["fit"], 1)),
        interest=tuple(_event_rule(r, i, source) for i, r in enumerate(lists["interest"], 1)),
        bonus=tuple(_bonus(r, i, source) for i, r in enumerate(lists["bonus"], 1)),
        decay=_decay(raw.get("decay", {}), source),
        description=ctx.text(raw, "description", required=False),
        owner=ctx.text(raw, "owner", required=False),
    )
    seen = [r.event_type for r in rules.interest]
    dupes = sorted({e for e in seen if seen.count(e) > 1})
    if dupes:
        raise ctx.fail(f"event type(s) {', '.join(dupes)} have more than one interest rule (merge them)")
    if not rules.fit and not rules.interest and not rules.bonus:
        raise ctx.fail("no rules: add at least one [[fit]], [[interest]] or [[bonus]] entry")
    return rules


# ---------------------------------------------------------------------------------------------- write


def _clean(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fit_dict(rule: FitRule) -> dict:
    out = {"name": rule.name, "column": rule.column}
    if rule.equals is not None:
        out["equals"] = _clean(rule.equals)
    if rule.any_of:
        out["in"] = list(rule.any_of)
    for key in ("min", "max"):
        if getattr(rule, key) is not None:
            out[key] = _clean(getattr(rule, key))
    if rule.contains:
        out["contains"] = list(rule.contains)
    if rule.matches is not None:
        out["matches"] = rule.matches
    if rule.present is not None:
        out["present"] = rule.present
    out["points"] = _clean(rule.points)
    return out


def dump_rules(rules: Rules) -> str:
    """The rules as TOML text (round-trips through parse_rules)."""
    doc: dict = {"name": rules.name, "version": rules.version, "date": rules.date}
    if rules.owner:
        doc["owner"] = rules.owner
    if rules.description:
        doc["description"] = rules.description
    doc["thresholds"] = {"fit": _clean(rules.fit_threshold), "interest": _clean(rules.interest_threshold)}
    if rules.combined_threshold is not None:
        doc["thresholds"]["combined"] = _clean(rules.combined_threshold)
    decay = {"mode": rules.decay.mode}
    if rules.decay.half_life_days is not None:
        decay["half_life_days"] = _clean(rules.decay.half_life_days)
    if rules.decay.window_days is not None:
        decay["window_days"] = _clean(rules.decay.window_days)
    doc["decay"] = decay
    fit = [_fit_dict(r) for r in rules.fit]
    interest = [
        {"event_type": r.event_type, "points": _clean(r.points)} | ({"cap": _clean(r.cap)} if r.cap else {})
        for r in rules.interest
    ]
    bonus = [
        {"name": b.name, "event_type": b.event_type, "min_count": b.min_count,
         "within_days": _clean(b.within_days), "points": _clean(b.points)}
        for b in rules.bonus
    ]
    header = "# Lead-scoring rules: the written MQL agreement between marketing and sales.\n"
    parts = [header + tomli_w.dumps(doc)]
    for section, items in (("fit", fit), ("interest", interest), ("bonus", bonus)):
        parts += [f"[[{section}]]\n" + tomli_w.dumps(item) for item in items]
    return "\n".join(parts)
