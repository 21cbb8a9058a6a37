"""The command line of issue 19's funnel controls: `smarketing funnel --type ordered` and `smarketing behaviour`
agree with the library, and refused controls are one-line errors."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd

from smarketing.cli import main
from smarketing.funnel.behaviour import behaviour_funnel
from smarketing.funnel.ordered import ordered_funnel


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_funnel_type_ordered_is_the_in_order_funnel(demo_db, demo_con):
    code, out, err = run("funnel", "--db", demo_db, "--type", "ordered", "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert frame.leads.tolist() == ordered_funnel(demo_con).leads.tolist()
    code, reached, _ = run("funnel", "--db", demo_db, "--format", "csv")
    assert (frame.leads <= pd.read_csv(io.StringIO(reached)).leads).all()


def test_behaviour_with_controls_as_json(demo_db, demo_con):
    code, out, err = run("behaviour", "--db", demo_db, "--step", "content_download", "--step", "pricing_view",
                         "--step", "demo_request", "--window", "20", "--occurrence", "any", "--optional", "2",
                         "--step-window", "3=10", "--exclude", "email_click:1-3", "--format", "json")
    assert code == 0, err
    records = json.loads(out)
    expected = behaviour_funnel(demo_con, ["content_download", "pricing_view", "demo_request"], 20, occurrence="any",
                                optional=[2], step_windows={3: 10}, exclusions=[("email_click", 1, 3)])
    assert [r["leads"] for r in records] == expected.leads.tolist()
    assert [r["optional"] for r in records] == [False, True, False]


def test_refused_controls_are_one_line_errors(demo_db):
    code, out, err = run("behaviour", "--db", demo_db, "--step", "page_view", "--step", "pricing_view",
                         "--order", "any", "--exclude", "email_click:1-2")
    assert code == 1 and not out
    assert err.count("\n") == 1 and "exclusions need an ordered funnel" in err
    code, _, err = run("behaviour", "--db", demo_db, "--step", "page_view", "--step", "pricing_view",
                       "--exclude", "email_click")
    assert code == 1 and "EVENT:FROM-TO" in err
