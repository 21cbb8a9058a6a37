"""The lead-scoring rules: fit rules, interest rules, bonuses, decay and the MQL thresholds, and the rules
shown as the MQL agreement (smarketing.scoring.rules_file reads and writes them, smarketing.scoring.versions
keeps saved versions).

A rules file holds fit rules on lead columns, interest rules on events (points per event, optional
cap, frequency bonuses, decay), the fit and interest thresholds and the MQL rule:
    MQL  ⇔  (fit ≥ A and interest ≥ B)  or  fit + interest ≥ C   (C optional).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from smarketing.formatting import md_code, md_text
from smarketing.labels import t

DECAY_MODES = ("none", "half_life", "window")
CONDITIONS = ("equals", "in", "min", "max", "contains", "matches", "present")
RULES_FILE = "scoring.toml"
VERSIONS_DIR = "scoring_rules"
# Bounds a rules file must keep (the file itself: at most 1 MB, see smarketing.toml_input)
MAX_RULES = 1_000  # fit + interest + bonus rules
MAX_POINTS = 1_000_000  # points, caps, thresholds and bonus counts, either sign
MAX_DAYS = 36_500  # decay and bonus windows: 100 years
MAX_VALUE = 1e15  # numbers in fit conditions (equals, min, max)
MAX_PATTERN = 1_000  # characters of a `matches` regular expression
MAX_VERSION = 1_000_000


class RulesError(ValueError):
    """The rules file is malformed; the message names the file and the rule."""


@dataclass(frozen=True)
class FitRule:
    """Points for a lead whose column meets the condition (equals / in / min–max / contains / present)."""

    name: str
    column: str
    points: float
    equals: str | float | None = None
    any_of: tuple[str, ...] = ()  # the `in` condition
    min: float | None = None
    max: float | None = None
    contains: tuple[str, ...] = ()
    matches: str | None = None  # a regular expression, case-insensitive
    present: bool | None = None

    @property
    def key(self) -> tuple:
        """The condition alone (no name, no points): two rules with the same key select the same leads."""
        return (self.column, self.equals, self.any_of, self.min, self.max, self.contains, self.matches, self.present)

    def describe(self, markdown: bool = False) -> str:
        """The condition in words; with `markdown`, the column and values escaped for st.markdown / help."""
        col = md_code(self.column) if markdown else f"`{self.column}`"
        quote = (lambda v: md_text(repr(v))) if markdown else repr
        if self.equals is not None:
            return t("rule_is").format(column=col, value=quote(self.equals))
        if self.any_of:
            return t("rule_is_one_of").format(column=col, values=", ".join(quote(v) for v in self.any_of))
        if self.contains:
            return t("rule_contains").format(column=col, values=t("rule_or").join(quote(v) for v in self.contains))
        if self.matches is not None:
            return t("rule_matches").format(column=col, pattern=md_text(self.matches) if markdown else self.matches)
        if self.present is not None:
            return t("rule_filled" if self.present else "rule_empty").format(column=col)
        if self.min is not None and self.max is not None:
            return t("rule_between").format(column=col, low=points_text(self.min), high=points_text(self.max))
        if self.min is not None:
            return f"{col} ≥ {points_text(self.min)}"
        return f"{col} ≤ {points_text(self.max)}"


@dataclass(frozen=True)
class EventRule:
    """Points per event of a type (decayed by age), optionally capped per lead."""

    event_type: str
    points: float
    cap: float | None = None


@dataclass(frozen=True)
class Bonus:
    """Extra points when a lead has at least `min_count` events of a type in the `within_days` before the cut-off."""

    name: str
    event_type: str
    min_count: int
    within_days: float
    points: float


@dataclass(frozen=True)
class Decay:
    """How older events count: not at all differently, halving every N days, or only inside a window."""

    mode: str = "none"
    half_life_days: float | None = None
    window_days: float | None = None

    def describe(self) -> str:
        if self.mode == "half_life":
            return t("rule_decay_half_life").format(days=points_text(self.half_life_days))
        if self.mode == "window":
            return t("rule_decay_window").format(days=points_text(self.window_days))
        return t("rule_decay_none")


@dataclass(frozen=True)
class Rules:
    name: str
    version: int
    date: date
    fit_threshold: float
    interest_threshold: float
    combined_threshold: float | None = None
    fit: tuple[FitRule, ...] = ()
    interest: tuple[EventRule, ...] = ()
    bonus: tuple[Bonus, ...] = ()
    decay: Decay = field(default_factory=Decay)
    description: str = ""
    owner: str = ""

    @property
    def event_types(self) -> list[str]:
        """Event types the rules read (interest rules and bonuses), in first-mention order."""
        return list(dict.fromkeys([r.event_type for r in self.interest] + [b.event_type for b in self.bonus]))

    @property
    def fit_columns(self) -> list[str]:
        return list(dict.fromkeys(r.column for r in self.fit))

    def with_points(
        self,
        fit: list[float] | None = None,
        interest: list[float] | None = None,
        bonus: list[float] | None = None,
        **thresholds,
    ) -> Rules:
        """A copy with new points (one per rule, in order) and/or thresholds (fit_threshold=…, …)."""
        new = replace(self, **thresholds)
        if fit is not None:
            new = replace(new, fit=tuple(replace(r, points=float(p)) for r, p in zip(self.fit, fit, strict=True)))
        if interest is not None:
            new = replace(
                new, interest=tuple(replace(r, points=float(p)) for r, p in zip(self.interest, interest, strict=True))
            )
        if bonus is not None:
            new = replace(new, bonus=tuple(replace(r, points=float(p)) for r, p in zip(self.bonus, bonus, strict=True)))
        return new


def points_text(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


# ------------------------------------------------------------------------------------ the agreement


def agreement_markdown(rules: Rules) -> str:
    """The rules as a short markdown document a sales lead can read and sign off (names and values from
    the rules file shown as text)."""
    lines = [
        f"### {md_text(rules.name)}",
        t("rule_doc_version").format(version=rules.version, date=rules.date.isoformat())
        + (f" · {md_text(rules.owner)}" if rules.owner else ""),
        "",
    ]
    if rules.description:
        lines += [md_text(rules.description), ""]
    mql = t("rule_doc_mql").format(fit=points_text(rules.fit_threshold), interest=points_text(rules.interest_threshold))
    if rules.combined_threshold is not None:
        mql += t("rule_doc_combined").format(combined=points_text(rules.combined_threshold))
    lines += [mql + t("rule_doc_end"), "", t("rule_doc_fit"), ""]
    lines += [f"- {t('rule_doc_fit_rule').format(points=_signed(r.points), condition=r.describe(markdown=True))}"
              for r in rules.fit] or [f"- {t('rule_doc_no_fit')}"]
    lines += ["", t("rule_doc_interest").format(decay=rules.decay.describe()), ""]
    for r in rules.interest:
        cap = t("rule_doc_cap").format(cap=points_text(r.cap)) if r.cap else ""
        lines.append(f"- {t('rule_doc_per_event').format(points=_signed(r.points), event=md_code(r.event_type), cap=cap)}")
    for b in rules.bonus:
        lines.append("- " + t("rule_doc_bonus").format(points=_signed(b.points), count=b.min_count,
                                                       event=md_code(b.event_type), days=points_text(b.within_days)))
    if not rules.interest and not rules.bonus:
        lines.append(f"- {t('rule_doc_no_interest')}")
    return "\n".join(lines)


def _signed(points: float) -> str:
    return f"**{'+' if points >= 0 else '−'}{points_text(abs(points))}**"
