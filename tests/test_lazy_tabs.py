"""A page does the work of the tab the user looks at, not of every tab: in the app (tabs not eager) only the
open tab's content runs, and opening another tab runs its content."""

from __future__ import annotations

from apptest import run_page


def test_only_the_open_tab_of_a_page_runs(demo_env, monkeypatch):
    monkeypatch.delenv("SMARKETING_EAGER_TABS")
    at = run_page("lead_flow", timeout=240)
    assert not [s for s in at.selectbox if s.key == "lf_dedupe_by"]  # the de-duplication tab is closed
    at.session_state["lf_tab"] = "De-duplication"
    at.run()
    assert not at.exception and [s for s in at.selectbox if s.key == "lf_dedupe_by"]
    funnel = run_page("funnel", timeout=240)
    assert [s for s in funnel.selectbox if s.key == "breakdown_by"]  # the first tab is open
    assert not [m for m in funnel.multiselect if m.key == "bf_steps"]  # the behaviour funnel is not computed
