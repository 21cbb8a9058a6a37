"""AppTest of the Funnel page's controls from issue 19: the lifecycle funnel's two types (reached / every stage in
order) and the behaviour funnel's order, occurrence, optional steps, step windows and exclusions."""

from __future__ import annotations

from apptest import figures, plot_values, run_page


def table_columns(at) -> list[list[str]]:
    return [list(df.value.columns) for df in at.dataframe]


def test_every_stage_in_order_beside_reached(demo_env):
    at = run_page("funnel")
    reached = plot_values(figures(at)[0]["data"][0]["x"])
    at.session_state["funnel_type"] = "ordered"
    at.run()
    assert not at.exception
    in_order = plot_values(figures(at)[0]["data"][0]["x"])
    assert in_order[0] == reached[0] and all(o <= r for o, r in zip(in_order, reached, strict=True))
    assert any({"leads", "reached", "in_order_share"} <= set(cols) for cols in table_columns(at))
    assert any("passed every stage in order" in m.value for m in at.markdown)


def test_behaviour_controls_change_the_counts(demo_env):
    at = run_page("funnel")

    def behaviour_counts():
        spec = next(f for f in figures(at) if f["data"][0]["type"] == "funnel" and "1. " in f["data"][0]["y"][0])
        return plot_values(spec["data"][0]["x"])

    sequence = behaviour_counts()
    at.radio(key="bf_order").set_value("strict").run()
    assert not at.exception
    strict = behaviour_counts()
    assert strict[0] == sequence[0] and all(s <= q for s, q in zip(strict, sequence, strict=True))
    at.radio(key="bf_order").set_value("sequence").run()
    at.radio(key="bf_occurrence").set_value("any").run()
    assert all(a >= q for a, q in zip(behaviour_counts(), sequence, strict=True))
    at.multiselect(key="bf_optional").set_value([2]).run()
    assert not at.exception and any("(optional)" in y for f in figures(at) for y in f["data"][0].get("y", []))
    at.multiselect(key="bf_exclude").set_value(["email_click"]).run()
    assert not at.exception
    assert any("left out of every step" in c.value for c in at.caption)


def test_a_funnel_the_checks_refuse_gets_a_warning_not_a_traceback(demo_env):
    at = run_page("funnel")
    at.multiselect(key="bf_exclude").set_value(["pricing_view"]).run()  # a step between steps 1 and 2 … 3
    at.selectbox(key="bf_exclude_to").set_value(3).run()
    assert not at.exception
    assert any("is itself a step" in w.value for w in at.warning)
