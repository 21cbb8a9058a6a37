"""`smarketing forecast`: the forecast, backtest, channels, a budget what-if and the gap to a goal, agreeing with
the library; bad options are one-line errors."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from smarketing import forecast
from smarketing.cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_forecast_csv_agrees_with_the_library(demo_db, demo_con):
    code, out, err = run("forecast", "--db", demo_db, "--months", "2", "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert frame.columns.tolist() == ["month", "metric", "stage", "expected", "low", "high", "from_pipeline",
                                      "from_new_leads"]
    expected = forecast.forecast(demo_con, forecast.ForecastParams(months=2)).monthly
    assert frame.expected.tolist() == pytest.approx(expected.expected.round(4).tolist())
    assert set(frame.metric) == {"leads", "mql", "sql", "opportunity", "won", "revenue"}
    assert frame.month.str.match(r"^\d{4}-\d{2}$").all()


def test_backtest_channels_move_and_goal(demo_db):
    code, out, err = run("forecast", "--db", demo_db, "--show", "backtest", "--format", "json")
    assert code == 0, err
    assert {r["lag"] for r in json.loads(out)} == {3, 6}
    code, out, _ = run("forecast", "--db", demo_db, "--show", "channels", "--format", "csv")
    channels = pd.read_csv(io.StringIO(out))
    assert {"channel", "cost_per_lead", "lead_to_won", "cost_per_won"} <= set(channels.columns)
    priced = channels[channels.cost_per_lead > 0].channel.tolist()
    code, out, err = run("forecast", "--db", demo_db, "--months", "3", "--move", f"{priced[0]}:{priced[1]}:100",
                         "--format", "csv")
    assert code == 0, err
    assert pd.read_csv(io.StringIO(out)).columns.tolist() == ["metric", "stage", "forecast", "what_if",
                                                              "what_if_change"]
    code, out, err = run("forecast", "--db", demo_db, "--months", "3", "--goal", "2000000", "--format", "json")
    assert code == 0, err
    revenue = next(r for r in json.loads(out) if r["metric"] == "revenue")
    assert revenue["needed"] == 2_000_000 and revenue["goal_gap"] == pytest.approx(2_000_000 - revenue["forecast"])


@pytest.mark.parametrize(("argv", "message"), [
    (["--months", "9"], "1 to 6 months"),
    (["--move", "nowhere"], "FROM:TO:AMOUNT"),
    (["--as-of", "2026-13"], "is not a month"),
])
def test_errors_are_one_line(demo_db, argv, message):
    code, out, err = run("forecast", "--db", demo_db, *argv)
    assert code == 1 and not out and message in err and err.count("\n") == 1
