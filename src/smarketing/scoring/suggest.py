"""Data-driven points: lift of each attribute and event type, a logistic-regression second opinion,
and current vs suggested rules on a later test period.

Leads are split by creation time (the oldest 70% train, the newest 30% test). On the train part, each
candidate (a fit attribute value, an event type, a bonus) gets the outcome rate of the leads having it,
the lift over the average rate with a 95% Wilson interval, and points proportional to its excess lift
(the strongest gets 25; candidates whose interval includes 1 get 0). Thresholds of the suggested rules
are picked on the train part to catch the most outcomes without more MQLs than the current rules, so
the test-period comparison is at equal sales capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from smarketing.scoring.evaluation import Capacity
from smarketing.scoring.rules import EventRule, FitRule, Rules
from smarketing.scoring.scores import DEFAULT_CUTOFF, Cutoff, event_types
from smarketing.scoring.tuner import Tuner, bonus_key

SCALE = 25
MIN_SUPPORT = 30  # leads a value needs to be a candidate and a lift to count (fewer on small data: min_support)
MAX_VALUES = 25
TRAIN_SHARE = 0.7
LR_MAX_ROWS = 200_000
TITLE_GROUPS = (
    ("C-level", r"\b(chief|ceo|cto|cfo|coo|cmo|cro)\b"),
    ("VP", r"\b(vp|svp|evp|vice president)\b"),
    ("Director", r"\bdirector\b"),
    ("Head of", r"\bhead\b"),
    ("Manager", r"\bmanager\b"),
    ("Student or intern", r"\b(student|intern)\b"),
)
SIZE_BANDS = ((1, 49), (50, 249), (250, 999), (1000, 4999), (5000, None))
# Lead columns that are not fit: the id, contact details (phone given is its own candidate), the channel the lead
# came through, the owner it was given to and where it stands in the funnel now (an outcome, not a fit).
NOT_FIT = ("lead_id", "email", "phone", "company", "source_group", "source", "campaign", "owner", "region",
           "employees_range", "lifecycle_stage", "lead_status", "status", "stage")
# Activity levels of an event type, as (low, high] bounds of the decayed count before the cut-off.
EVENT_LEVELS = ((0, 1, "up to 1"), (1, 3, "1–3"), (3, 7, "3–7"), (7, 15, "7–15"), (15, np.inf, "over 15"))
COMPARE = ("mqls", "mql_share", "precision", "recall", "lift", "f1", "caught", "won_revenue_captured")


@dataclass
class Suggestion:
    attributes: pd.DataFrame  # one row per candidate: kind, name, leads, outcomes, rate, lift, CI, points, LR
    rules: Rules  # the suggested rules
    comparison: pd.DataFrame  # metric, current, suggested, difference (test period)
    auc: dict  # test-period AUC of the current score, the suggested score and the logistic regression
    split_at: datetime
    train_leads: int
    test_leads: int

    @property
    def beats_current(self) -> bool:
        """True when the suggested score ranks the test-period outcomes better than the current one."""
        cur, sug = self.auc.get("current"), self.auc.get("suggested")
        return cur is not None and sug is not None and sug > cur


# ------------------------------------------------------------------------------------------ candidates


def min_support(leads: int) -> int:
    """Leads a value needs: 30, or one in twenty leads (at least 5) on fewer than 600, so that a small source
    (120 MQLs, 18 of them won) still has candidates."""
    return int(min(MIN_SUPPORT, max(5, leads // 20)))


def _top_values(con, column: str, support: int = MIN_SUPPORT) -> list[str]:
    leads = con.table("leads")
    vals = leads.select(value=leads[column].cast("string"))
    vals = vals.filter(vals.value.notnull() & (vals.value != ""))
    counts = vals.group_by("value").aggregate(n=vals.count())
    top = counts.filter(counts.n >= support).order_by([counts.n.desc(), counts.value]).limit(MAX_VALUES)
    return top.execute()["value"].tolist()


def _cut_points(con, column: str) -> list[float]:
    """Quintile boundaries of a numeric lead column (distinct, the minimum and maximum left out)."""
    leads = con.table("leads")
    col = leads[column].cast("float64")
    row = leads.aggregate(**{f"q{k}": col.quantile(k / 5) for k in range(1, 5)}).execute().iloc[0]
    return sorted({float(v) for v in row.tolist() if pd.notna(v)})


def _bands(column: str, cuts: list[float]) -> list[FitRule]:
    """Range rules between consecutive cut points: below the first, between, at least the last."""
    edges = [None, *cuts, None]
    out = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        if lo is None and hi is None:
            continue
        name = (f"{column} below {hi:,.6g}" if lo is None else f"{column} {lo:,.6g}+" if hi is None
                else f"{column} {lo:,.6g}–{hi:,.6g}")
        # [lo, hi): max is inclusive in rules, so the band's top stays just below the next cut point
        out.append(FitRule(name, column, 0.0, min=lo, max=None if hi is None else float(np.nextafter(hi, -np.inf))))
    return out


def fit_columns(con) -> tuple[list[str], list[str]]:
    """The lead columns that can describe fit: (categorical, numeric). Every column but the lead's id, dates,
    contact details, channels (how the lead came is not who it is) and columns whose values are mostly
    unique (names, ids, free text)."""
    leads = con.table("leads")
    schema = leads.schema()
    skip = set(NOT_FIT) | {c for c in schema.names if schema[c].is_timestamp() or schema[c].is_date()}
    candidates = [c for c in schema.names if c not in skip]
    if not candidates:
        return [], []
    counts = leads.aggregate(_n=leads.count(), **{f"d_{i}": leads[c].nunique() for i, c in enumerate(candidates)})
    row = counts.execute().iloc[0]
    total = max(int(row["_n"]), 1)
    categorical, numeric = [], []
    for i, column in enumerate(candidates):
        distinct = int(row[f"d_{i}"])
        if schema[column].is_numeric() and not schema[column].is_boolean():
            numeric.append(column) if distinct > 5 else categorical.append(column)
        elif distinct > 1 and (distinct <= MAX_VALUES * 4 or distinct / total < 0.5):
            categorical.append(column)
    return categorical, numeric


def _generated_fit(con) -> list[FitRule]:
    """Candidate fit conditions over every lead column that can describe fit (fit_columns): the top values of
    a categorical column, quintile bands of a numeric one (company-size bands for employees), title seniority,
    phone given."""
    columns = con.table("leads").columns
    categorical, numeric = fit_columns(con)
    support = min_support(int(con.table("leads").count().execute()))
    out: list[FitRule] = []
    for column in categorical:
        if column != "title":
            out += [FitRule(f"{column} = {v}", column, 0.0, equals=v) for v in _top_values(con, column, support)]
    for column in numeric:
        if column == "employees":
            for lo, hi in SIZE_BANDS:
                name = f"Company size {lo:,}+" if hi is None else f"Company size {lo:,}–{hi:,}"
                out.append(FitRule(name, "employees", 0.0, min=float(lo), max=None if hi is None else float(hi)))
        else:
            out += _bands(column, _cut_points(con, column))
    if "title" in columns:
        out += [FitRule(f"Title: {name}", "title", 0.0, matches=rx) for name, rx in TITLE_GROUPS]
    if "phone" in columns:
        out.append(FitRule("Phone given", "phone", 0.0, present=True))
    return out


def candidate_rules(con, rules: Rules) -> tuple[Rules, set[tuple]]:
    """The current rules plus generated candidates: top values and bands of every lead column that can
    describe fit, title seniority, phone present, and every event type in the data (all with 0 points).

    Also returns the condition keys of the generated fit candidates."""
    generated = _generated_fit(con)
    have = {r.key for r in rules.fit}
    fit = list(rules.fit) + [r for r in generated if r.key not in have]
    listed = {r.event_type for r in rules.interest}
    interest = list(rules.interest) + [EventRule(e, 0.0) for e in event_types(con) if e not in listed]
    return replace(rules, fit=tuple(fit), interest=tuple(interest)), {r.key for r in generated}


# ------------------------------------------------------------------------------------------ lift


def _wilson(k: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    n_safe = np.maximum(n, 1)
    p = k / n_safe
    denom = 1 + z**2 / n_safe
    centre = (p + z**2 / (2 * n_safe)) / denom
    half = z * np.sqrt(p * (1 - p) / n_safe + z**2 / (4 * n_safe**2)) / denom
    return centre - half, centre + half


def _indicators(engine: Tuner, cands: Rules):
    """Has-it masks per candidate, one at a time: (kind, name, mask over all leads, mean decayed count)."""
    for r in cands.fit:
        yield "fit", r.name, engine.fit_cols[r.key], np.nan
    for r in cands.interest:
        w = engine.evt_cols[r.event_type]
        yield "event", r.event_type, w > 0, np.nan
        for lo, hi, label in EVENT_LEVELS:
            level = (w > lo) & (w <= hi)
            yield "event level", f"{r.event_type}: {label}", level, float(w[level].mean()) if level.any() else np.nan
    for b in cands.bonus:
        yield "bonus", b.name, engine.bonus_cols[bonus_key(b)], np.nan


def lift_table(engine: Tuner, cands: Rules, outcome: str, mask: np.ndarray, confidence: float = 0.95) -> pd.DataFrame:
    """Outcome rate, lift over the average rate and its confidence interval, per candidate (on `mask`):
    fit conditions, event types (done at least once, and at each activity level), bonuses."""
    y = engine.outcomes[outcome][mask]
    base = y.mean() if len(y) else np.nan
    rows = []
    for kind, name, has, mean_count in _indicators(engine, cands):
        h = has[mask]
        rows.append((kind, name, int(np.count_nonzero(h)), int(np.count_nonzero(h & y)), mean_count))
    t = pd.DataFrame(rows, columns=["kind", "name", "leads", "outcomes", "mean_count"])
    z = norm.ppf(0.5 + confidence / 2)
    lo, hi = _wilson(t.outcomes.to_numpy(float), t.leads.to_numpy(float), z)
    t["rate"] = np.where(t.leads > 0, t.outcomes / t.leads.clip(lower=1), np.nan)
    t["base_rate"] = base
    with np.errstate(divide="ignore", invalid="ignore"):
        t["lift"] = t.rate / base
        t["lift_low"], t["lift_high"] = lo / base, hi / base
    t.loc[t.leads == 0, ["lift", "lift_low", "lift_high"]] = np.nan
    t["significant"] = (t.leads >= min_support(int(np.count_nonzero(mask)))) & ((t.lift_low > 1) | (t.lift_high < 1))
    t["points"] = _points(t)
    t["cap"] = np.nan
    for event in (r.event_type for r in cands.interest):
        levels = t[(t.kind == "event level") & t.name.str.startswith(f"{event}: ")]
        per_event, cap = _event_points(levels)
        row = (t.kind == "event") & (t.name == event)
        t.loc[row, "points"], t.loc[row, "cap"] = per_event, cap
    return t.drop(columns="mean_count")


def _event_points(levels: pd.DataFrame) -> tuple[int, float]:
    """Points per event and a cap so that min(points × count, cap) follows the points of each activity level
    (least squares weighted by leads); the cap is the best level's points."""
    g = levels.points.to_numpy(float)
    cap = g.max() if len(g) else 0.0
    if not cap > 0:
        return 0, np.nan
    n, w = levels.leads.to_numpy(float), levels.mean_count.fillna(0).to_numpy(float)
    candidates = np.arange(1, SCALE + 1)
    fitted = np.minimum(candidates[:, None] * w[None, :], cap)
    error = (n[None, :] * (fitted - g[None, :]) ** 2).sum(axis=1)
    return int(candidates[np.argmin(error)]), float(cap)


def _points(t: pd.DataFrame) -> np.ndarray:
    """Points proportional to the excess lift (lift − 1) of significant candidates, scaled separately for fit
    and for interest so that the strongest of each gets 25 (fit and interest have their own thresholds)."""
    excess = (t.lift - 1).where(t.significant, 0.0).fillna(0.0)
    out = np.zeros(len(t), dtype=int)
    for part in (t.kind == "fit", t.kind != "fit"):
        top = excess[part].max()
        if top > 0:
            out[part.to_numpy()] = np.clip(np.round(SCALE * excess[part] / top), -SCALE, SCALE).astype(int)
    return out


# ------------------------------------------------------------------------------------------ rules


def suggested_rules(current: Rules, cands: Rules, generated: set[tuple], lifts: pd.DataFrame, engine: Tuner,
                    outcome: str, train: np.ndarray) -> Rules:
    """Generated fit candidates (and current rules on other columns) and every event type, with their lift
    points (events: points per event and a cap from the lift at each activity level); thresholds picked on
    train."""
    pts = {(k, n): p for k, n, p in lifts[["kind", "name", "points"]].itertuples(index=False)}
    caps = {n: c for k, n, c in lifts[["kind", "name", "cap"]].itertuples(index=False) if k == "event"}
    generated_columns = {c for c, *_ in generated}
    fit = [
        replace(r, points=float(pts[("fit", r.name)]))
        for r in cands.fit
        if pts[("fit", r.name)] and (r.key in generated or r.column not in generated_columns)
    ]
    interest = [
        EventRule(r.event_type, float(p), float(caps[r.event_type]))
        for r in cands.interest if (p := pts[("event", r.event_type)])
    ]
    bonus = [replace(b, points=float(p)) for b in cands.bonus if (p := pts[("bonus", b.name)])]
    rules = replace(
        current, name=f"{current.name} (suggested)", version=current.version + 1, date=date.today(),
        fit=tuple(fit), interest=tuple(interest), bonus=tuple(bonus), combined_threshold=None,
        description=f"Points suggested from the lift of each attribute on leads before the test period "
                    f"(outcome: {outcome}).",
    )
    return pick_thresholds(rules, engine, outcome, train, engine.evaluate(current, outcome, mask=train)["mqls"])


def pick_thresholds(rules: Rules, engine: Tuner, outcome: str, train: np.ndarray, budget: int) -> Rules:
    """Fit and interest thresholds catching the most train outcomes with at least one and at most `budget` MQLs;
    when no setting stays within it (few distinct scores, negative points), the one with the fewest MQLs above."""
    scores = engine.scores(rules)
    fits = np.unique(np.quantile(scores.fit[train], np.linspace(0, 0.99, 40)).round())
    best, best_key = rules, None
    for a in fits:
        trial = replace(rules, fit_threshold=float(a))
        c = engine.curve(trial, outcome, "interest", mask=train, scores=scores)  # is_mql is not used
        c = c[c.mqls > 0]
        if c.empty:
            continue
        if budget > 0:  # within the budget first, then the closest above it
            c = c.assign(over=(c.mqls > budget) * c.mqls)
            row = c.sort_values(["over", "caught", "mqls"], ascending=[True, False, True]).iloc[0]
            key = (-row.over, row.caught, -row.mqls)
        else:
            row = c.sort_values("f1", ascending=False).iloc[0]
            key = (row.f1, 0, 0)
        if best_key is None or key > best_key:
            best_key = key
            best = replace(trial, interest_threshold=float(row.threshold))
    return best


# ------------------------------------------------------------------------------------------ second opinion


def _design(engine: Tuner, cands: Rules) -> tuple[np.ndarray, list[tuple[str, str]]]:
    cols, names = [], []
    for r in cands.fit:
        cols.append(engine.fit_cols[r.key].astype(np.float32))
        names.append(("fit", r.name))
    for r in cands.interest:
        cols.append(np.log1p(engine.evt_cols[r.event_type]).astype(np.float32))
        names.append(("event", r.event_type))
    return np.column_stack(cols), names


def _auc(y: np.ndarray, score: np.ndarray) -> float | None:
    return float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else None


def logistic_opinion(engine: Tuner, cands: Rules, outcome: str, train: np.ndarray, test: np.ndarray,
                     seed: int = 42) -> tuple[pd.DataFrame, float | None]:
    """Fit a logistic regression on train (sampled to 200k rows); coefficients and the test AUC."""
    x, names = _design(engine, cands)
    y = engine.outcomes[outcome]
    idx = np.flatnonzero(train)
    if len(idx) > LR_MAX_ROWS:
        idx = np.random.default_rng(seed).choice(idx, LR_MAX_ROWS, replace=False)
    if not 0 < y[idx].sum() < len(idx):
        return pd.DataFrame(columns=["kind", "name", "lr_coef", "lr_odds_ratio"]), None
    model = LogisticRegression(C=1.0, max_iter=500).fit(x[idx], y[idx])
    coef = model.coef_[0]
    table = pd.DataFrame(
        {"kind": [k for k, _ in names], "name": [n for _, n in names], "lr_coef": coef, "lr_odds_ratio": np.exp(coef)}
    )
    return table, _auc(y[test], model.decision_function(x[test]))


# ------------------------------------------------------------------------------------------ suggestion


def split_mask(engine: Tuner, train_share: float = TRAIN_SHARE) -> tuple[np.ndarray, datetime]:
    """Train = the oldest `train_share` of leads by creation (ties, e.g. a file with one date for every lead,
    in lead order), test = the rest; and the moment of the split."""
    if engine.n < 2:
        raise ValueError("too few leads to learn from (at least two are needed)")
    order = np.lexsort((np.arange(engine.n), engine.created))
    cut = min(engine.n - 1, max(1, int(engine.n * train_share)))
    train = np.zeros(engine.n, dtype=bool)
    train[order[:cut]] = True
    return train, pd.Timestamp(engine.created[order[cut]]).to_pydatetime()


def compare(engine: Tuner, current: Rules, suggested: Rules, outcome: str, mask: np.ndarray,
            capacity: Capacity | None = None) -> pd.DataFrame:
    """Current vs suggested rules on the leads in `mask`: one row per metric."""
    a = engine.evaluate(current, outcome, capacity, mask)
    b = engine.evaluate(suggested, outcome, capacity, mask)
    rows = [(m, a[m], b[m]) for m in COMPARE]
    frame = pd.DataFrame(rows, columns=["metric", "current", "suggested"])
    frame["difference"] = frame.suggested - frame.current
    return frame


def suggest(con, rules: Rules, outcome: str = "won", cutoff: Cutoff = DEFAULT_CUTOFF, filters=None,
            engine: Tuner | None = None) -> Suggestion:
    """Suggested points for `rules` on the data in `con` (see the module docstring)."""
    cands, generated = candidate_rules(con, rules)
    if engine is None or not engine.supports(cands):
        engine = Tuner.load(con, cands, cutoff, filters)
    train, split_at = split_mask(engine)
    test = ~train
    lifts = lift_table(engine, cands, outcome, train)
    suggested = suggested_rules(rules, cands, generated, lifts, engine, outcome, train)
    lr, lr_auc = logistic_opinion(engine, cands, outcome, train, test)
    attributes = lifts.merge(lr, on=["kind", "name"], how="left")
    y = engine.outcomes[outcome][test]
    auc = {
        "current": _auc(y, engine.scores(rules).score[test]),
        "suggested": _auc(y, engine.scores(suggested).score[test]),
        "logistic": lr_auc,
    }
    return Suggestion(
        attributes=attributes, rules=suggested, comparison=compare(engine, rules, suggested, outcome, test),
        auc=auc, split_at=split_at, train_leads=int(train.sum()), test_leads=int(test.sum()),
    )
