"""Behaviour funnel controls (step order, exclusions, optional steps, step windows, first vs any occurrence) on
journeys written per lead by hand, with the expected counts worked out in the comments; then properties on
random event streams, and the database answer against the definitions computed path by path in Python."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from conftest import build_con
from hypothesis import HealthCheck, assume, given, settings
from strategies import event_rows, funnel_controls

from smarketing.filters import ALL_TIME, Filters
from smarketing.funnel.behaviour import FunnelParamsError, behaviour_funnel, make_params

A, B, C = "content_download", "pricing_view", "demo_request"
JAN = datetime(2024, 1, 1)


def ev(lead, day, kind, hour=0):
    return {"lead_id": lead, "ts": JAN + timedelta(days=day - 1, hours=hour), "event_type": kind}


def con_of(events):
    leads = sorted({e["lead_id"] for e in events})
    return build_con(leads=[{"lead_id": lead, "created_at": "2024-01-01"} for lead in leads], events=events)


def leads_at(con, steps=(A, B, C), window=10, filters=ALL_TIME, **controls):
    return behaviour_funnel(con, list(steps), window, filters, **controls).leads.tolist()


# ----------------------------------------------------------------------------------------------- order


@pytest.fixture()
def order_con():
    return con_of([
        ev("L1", 1, A), ev("L1", 2, B), ev("L1", 3, C),                         # nothing between: all three
        ev("L2", 1, A), ev("L2", 2, "page_view"), ev("L2", 3, B), ev("L2", 4, C),  # a page view between A and B
        ev("L3", 1, A), ev("L3", 1, "page_view"), ev("L3", 2, B),              # same moment as A: not between
        ev("L4", 1, A), ev("L4", 2, B), ev("L4", 2, "email_open"), ev("L4", 3, C),  # same moment as B
        ev("L5", 1, A), ev("L5", 2, C), ev("L5", 3, B),                         # C before B
    ])


def test_strict_order_allows_nothing_between_the_steps(order_con):
    # step 1: all 5; step 2: L1, L3, L4 (L2 viewed a page first, L5 did C first); step 3: L1, L4
    assert leads_at(order_con, order="strict") == [5, 3, 2]


def test_in_sequence_allows_other_events_between(order_con):
    # step 2: everyone did B after A; step 3: C after B for L1, L2, L4 (L3 never did C, L5 did it before B)
    assert leads_at(order_con) == [5, 5, 3]
    assert leads_at(order_con, order="sequence") == leads_at(order_con)


def test_any_order_after_step_one(order_con):
    # L5's C (day 2) and B (day 3) both follow A: it counts at step 3 too
    assert leads_at(order_con, order="any") == [5, 5, 4]


# ----------------------------------------------------------------------------------------- exclusions


@pytest.fixture()
def exclusion_con():
    return con_of([
        ev("X1", 1, A), ev("X1", 2, "email_click"), ev("X1", 3, B), ev("X1", 4, C),  # click between 1 and 2
        ev("X2", 1, A), ev("X2", 2, B), ev("X2", 3, "email_click"), ev("X2", 4, C),  # click between 2 and 3
        ev("X3", 1, A), ev("X3", 2, "email_click"),                                  # click, never B, window open
        ev("X4", 1, A), ev("X4", 20, "email_click"),                                 # click after the window closed
        ev("X5", 1, A), ev("X5", 1, "email_click"), ev("X5", 2, B),                  # click at A's own moment
        ev("X6", 1, "email_click"), ev("X6", 2, A), ev("X6", 3, B),                  # click before step 1
    ])


def test_without_exclusions(exclusion_con):
    # step 2: X1, X2, X5, X6; step 3: X1, X2
    assert leads_at(exclusion_con) == [6, 4, 2]


def test_exclusion_between_step_1_and_2_drops_the_whole_journey(exclusion_con):
    # X1 and X3 clicked after A and before B (X3 before its window closed): gone from every step, step 1
    # included; X4's click came after the window, X5's at A's own moment, X6's before A.
    assert leads_at(exclusion_con, exclusions=[("email_click", 1, 2)]) == [6 - 2, 4 - 1, 2 - 1]


def test_exclusion_between_step_2_and_3(exclusion_con):
    # only X2 clicked after its B (day 2) and before its C (day 4); X1's click came before its B
    assert leads_at(exclusion_con, exclusions=[("email_click", 2, 3)]) == [5, 4 - 1, 2 - 1]


def test_two_exclusions_drop_either(exclusion_con):
    assert leads_at(exclusion_con, exclusions=[("email_click", 1, 2), ("email_click", 2, 3)]) == [6 - 3, 4 - 2, 0]


# ------------------------------------------------------------------------------------- optional steps


@pytest.fixture()
def optional_con():
    return con_of([
        ev("O1", 1, A), ev("O1", 2, B), ev("O1", 3, C),  # every step
        ev("O2", 1, A), ev("O2", 2, C),                  # skips B
        ev("O3", 1, A), ev("O3", 2, B),                  # B, never C
        ev("O4", 1, A), ev("O4", 2, C), ev("O4", 3, B),  # C straight after A; B later
    ])


def test_an_optional_step_may_be_skipped(optional_con):
    # B: O1, O3, O4; C: after A directly or after B: O1, O2, O4
    f = behaviour_funnel(optional_con, [A, B, C], 10, optional=[2])
    assert f.leads.tolist() == [4, 3, 3]
    assert f.optional.tolist() == [False, True, False]
    # C converts from the last required step before it (A), not from the optional B
    assert f.conversion_from_previous.tolist() == pytest.approx([1, 3 / 4, 3 / 4])


def test_the_same_steps_all_required(optional_con):
    # C must follow B: only O1
    assert leads_at(optional_con) == [4, 3, 1]


# --------------------------------------------------------------------------------------- step windows


@pytest.fixture()
def step_window_con():
    return con_of([
        ev("P1", 1, A), ev("P1", 2, B), ev("P1", 6, B), ev("P1", 7, C),  # C is 1 day after the second B
        ev("P2", 1, A), ev("P2", 2, B), ev("P2", 10, C),                 # C 8 days after B
        ev("P3", 1, A), ev("P3", 2, B), ev("P3", 3, C),
    ])


def test_a_window_per_step(step_window_con):
    # C within 2 days of B: P1 through its second B (the first is 5 days before C), P3; not P2
    f = behaviour_funnel(step_window_con, [A, B, C], 30, step_windows=[None, None, 2])
    assert f.leads.tolist() == [3, 3, 2]
    # hours from B to C, from the first moment each lead could be at B: P1 day 2 -> 7 = 120 h, P3 24 h
    assert f.median_hours_from_previous.iloc[2] == pytest.approx((120 + 24) / 2)
    assert leads_at(step_window_con, window=30) == [3, 3, 3]


def test_step_windows_as_a_mapping_and_with_the_overall_window(step_window_con):
    # B within 1 day of A (everyone), overall 5 days: P1's C (day 7) and P2's are too late
    assert leads_at(step_window_con, window=5, step_windows={2: 1}) == [3, 3, 1]


# ---------------------------------------------------------------------------------- first vs any occurrence


@pytest.fixture()
def occurrence_con():
    return con_of([
        ev("Q1", 1, A), ev("Q1", 20, A), ev("Q1", 22, B),  # converts only on its second attempt
        ev("Q2", 1, A), ev("Q2", 3, B),
        ev("Q3", 1, A), ev("Q3", 2, "email_click"), ev("Q3", 5, A), ev("Q3", 6, B),  # first attempt clicked
    ])


def test_first_occurrence_follows_the_first_attempt_only(occurrence_con):
    # Q1's B is 21 days after its first A; Q3's first attempt reached B on day 6, within 10 days
    assert leads_at(occurrence_con, [A, B]) == [3, 2]


def test_any_occurrence_counts_a_lead_when_any_attempt_converts(occurrence_con):
    f = behaviour_funnel(occurrence_con, [A, B], 10, occurrence="any")
    assert f.leads.tolist() == [3, 3]
    # hours on the earliest attempt that converted: Q1 day 20 -> 22, Q2 day 1 -> 3, Q3 day 1 -> 6
    assert f.median_hours_from_previous.iloc[1] == pytest.approx(48)


def test_an_exclusion_drops_one_attempt_not_the_lead(occurrence_con):
    # Q3's first attempt clicked between A and B; its second attempt (day 5) did not
    click = [("email_click", 1, 2)]
    assert leads_at(occurrence_con, [A, B], exclusions=click) == [2, 1]
    assert leads_at(occurrence_con, [A, B], exclusions=click, occurrence="any") == [3, 3]


def test_any_occurrence_in_period_mode_starts_attempts_inside_the_range(occurrence_con):
    # only Q1's second A (day 20) lies in 15-31 January
    window = Filters(date(2024, 1, 15), date(2024, 1, 31), "period")
    assert leads_at(occurrence_con, [A, B], filters=window, occurrence="any") == [1, 1]


def test_any_order_counts_a_repeated_step_once_per_event():
    con = con_of([ev("R1", 1, "page_view"), ev("R1", 2, "page_view"), ev("R1", 3, B),
                  ev("R2", 1, "page_view"), ev("R2", 2, B)])
    # the second page view needs a page view after the one that started the journey: R1 only
    assert leads_at(con, ["page_view", B, "page_view"], order="any") == [2, 2, 1]


def test_a_skipped_optional_step_takes_no_event_of_a_repeated_type():
    con = con_of([ev("S1", 1, "page_view"), ev("S1", 1, "page_view", hour=12)])
    # page view, page view (optional), page view: the second page view serves step 2, and step 3 when step 2 is
    # skipped, in sequence and in any order alike (found by the strict <= sequence <= any property)
    for order in ("sequence", "any"):
        assert leads_at(con, ["page_view"] * 3, window=1, order=order, optional=[2]) == [1, 1, 1]


# ------------------------------------------------------------------------------------------ named checks


@pytest.mark.parametrize(("controls", "code"), [
    ({"order": "backwards"}, "require_known_order"),
    ({"occurrence": "last"}, "require_known_occurrence"),
    ({"optional": [1]}, "require_inner_optional_steps"),
    ({"optional": [3]}, "require_inner_optional_steps"),
    ({"step_windows": [1, None, None]}, "require_step_windows_per_step"),
    ({"step_windows": [None, -2]}, "require_step_windows_per_step"),
    ({"step_windows": [None, 2], "order": "any"}, "require_order_for_step_windows"),
    ({"exclusions": [("page_view", 2, 2)]}, "require_exclusions_between_steps"),
    ({"exclusions": [("page_view", 2, 3)], "optional": [2]}, "require_exclusions_between_steps"),
    ({"exclusions": [(B, 1, 3)]}, "require_exclusion_not_a_step"),
    ({"exclusions": [("page_view", 1, 2)], "order": "any"}, "require_order_for_exclusions"),
])
def test_named_checks_refuse_what_cannot_be_computed(controls, code):
    with pytest.raises(FunnelParamsError) as caught:
        make_params([A, B, C], 10, **controls)
    assert caught.value.code == code


# ------------------------------------------------------------------------------------------- properties


def stream_con(rows):
    return con_of([ev(f"L{lead}", day + 1, kind, hour) for lead, day, hour, kind in rows]) if rows else None


def counts_or_none(con, controls):
    try:
        params = make_params(**controls)
    except FunnelParamsError:
        return None
    return behaviour_funnel(con, list(params.steps), params.window_days, order=params.order,
                            occurrence=params.occurrence, step_windows=params.step_windows,
                            optional=params.optional, exclusions=params.exclusions).leads.tolist()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=event_rows, controls=funnel_controls())
def test_the_database_answer_is_the_definition(rows, controls):
    """Every control at once: the counts equal the definitions (behaviour.params) computed path by path."""
    con = stream_con(rows)
    assume(con is not None)
    got = counts_or_none(con, controls)
    assume(got is not None)
    assert got == reference_counts(rows, make_params(**controls))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=event_rows, controls=funnel_controls())
def test_counts_never_grow_along_the_steps(rows, controls):
    con = stream_con(rows)
    assume(con is not None)
    got = counts_or_none(con, controls)
    assume(got is not None)
    params = make_params(**controls)
    for k in range(2, len(got) + 1):  # no step above the last required step before it
        assert got[k - 1] <= got[params.previous_required(k) - 1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=event_rows, controls=funnel_controls())
def test_strict_within_in_sequence_within_any_order(rows, controls):
    con = stream_con(rows)
    assume(con is not None)
    plain = {**controls, "step_windows": None, "exclusions": []}
    strict, sequence, anywhere = (counts_or_none(con, {**plain, "order": o}) for o in ("strict", "sequence", "any"))
    assume(strict is not None)
    assert all(s <= q <= a for s, q, a in zip(strict, sequence, anywhere, strict=True))
    first, every = (counts_or_none(con, {**controls, "occurrence": o}) for o in ("first", "any"))
    if first is not None:
        assert all(f <= e for f, e in zip(first, every, strict=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=event_rows, controls=funnel_controls())
def test_exclusions_and_step_windows_never_add_leads(rows, controls):
    con = stream_con(rows)
    assume(con is not None)
    got = counts_or_none(con, controls)
    assume(got is not None)
    loose = counts_or_none(con, {**controls, "exclusions": [], "step_windows": None})
    assert all(g <= x for g, x in zip(got, loose, strict=True))


# ----------------------------------------------------------------------- the definitions, path by path


def reference_counts(rows, p) -> list[int]:
    """behaviour.params' definitions, followed literally: enumerate each journey's paths, take the earliest end
    per step, drop excluded journeys, count a lead at a step when a kept journey reaches it."""
    window = timedelta(days=p.window_days)
    by_lead: dict[str, list[tuple[datetime, str]]] = {}
    for lead, day, hour, kind in rows:
        by_lead.setdefault(lead, []).append((JAN + timedelta(days=day, hours=hour), kind))
    counts = [0] * len(p.steps)
    for events in by_lead.values():
        moments = {ts: i for i, ts in enumerate(sorted({ts for ts, _ in events}))}
        starts = sorted({ts for ts, kind in events if kind == p.steps[0]})
        reached: set[int] = set()
        for a in starts[:1] if p.occurrence == "first" else starts:
            times = _unordered(events, a, p, window) if p.order == "any" else _ordered(events, moments, a, p, window)
            if not _excluded(events, times, a, p, window):
                reached |= {k for k, t in enumerate(times) if t is not None}
        for k in reached:
            counts[k] += 1
    return counts


def _ordered(events, moments, a, p, window):
    best: list[datetime | None] = [a] + [None] * (len(p.steps) - 1)

    def walk(k, last):  # k: 0-based step of the last event chosen at `last`
        for j in range(k + 1, len(p.steps)):
            limit = p.step_window(j + 1)
            for ts, kind in events:
                follows = moments[ts] == moments[last] + 1 if p.order == "strict" else ts > last
                if kind == p.steps[j] and follows and ts <= a + window and (
                        limit is None or ts - last <= timedelta(days=limit)):
                    best[j] = ts if best[j] is None else min(best[j], ts)
                    walk(j, ts)
            if p.required(j + 1):
                break  # a required step cannot be skipped

    walk(0, a)
    return best


def _unordered(events, a, p, window):
    times: list[datetime | None] = [a]
    for k in range(2, len(p.steps) + 1):
        kind = p.steps[k - 1]
        after = sorted(ts for ts, x in events if x == kind and a < ts <= a + window)
        nth = 1 + sum(1 for j in range(2, k) if p.steps[j - 1] == kind and p.required(j))  # required ones only
        mine = after[nth - 1] if len(after) >= nth else None
        before = times[p.previous_required(k) - 1]
        times.append(max(before, mine) if before is not None and mine is not None else None)
    return times


def _excluded(events, times, a, p, window) -> bool:
    for x in p.exclusions:
        start, end = times[x.from_step - 1], times[x.to_step - 1]
        if start is not None and any(kind == x.event_type and start < ts and (ts < end if end else ts <= a + window)
                                     for ts, kind in events):
            return True
    return False
