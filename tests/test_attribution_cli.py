"""`smarketing attribution` (database and path file) and `smarketing channels`."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from smarketing.attribution.channels import COLUMNS, channel_table
from smarketing.attribution.report import PathParams, attribution
from smarketing.cli import main
from smarketing.filters import Filters


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


PATHS = "path,conversions,value,nulls\nA > B > C,1,10,1\nA,0,0,3\nB > A > A,2,30,0\nC,1,5,2\n"


def test_path_file_gives_hand_computed_linear_credit(tmp_path):
    file = tmp_path / "paths.csv"
    file.write_text(PATHS)
    code, out, err = run("attribution", "--paths", str(file), "--model", "linear", "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert frame.columns.tolist() == ["channel", "conversions", "value", "share"]  # as the table shows
    credit = frame.set_index("channel")
    assert credit["conversions"].to_dict() == pytest.approx({"A": 1 / 3 + 2 * 2 / 3, "B": 1 / 3 + 2 / 3, "C": 1 / 3 + 1})
    assert credit["value"].to_dict() == pytest.approx({"A": 10 / 3 + 20, "B": 10 / 3 + 10, "C": 10 / 3 + 5})


@pytest.mark.parametrize("model", ["first_touch", "markov", "shapley"])
def test_every_model_conserves_the_path_file_totals(tmp_path, model):
    file = tmp_path / "paths.csv"
    file.write_text(PATHS)
    code, out, _ = run("attribution", "--paths", str(file), "--model", model, "--order", "2", "--format", "json")
    records = json.loads(out)
    assert code == 0
    assert sum(r["conversions"] for r in records) == pytest.approx(4)
    assert sum(r["value"] for r in records) == pytest.approx(45)


def test_database_credits_equal_the_library(demo_db, demo_con):
    code, out, err = run("attribution", "--db", demo_db, "--model", "w_shaped", "--conversion", "sql",
                         "--lookback-days", "60", "--since", "2025-06-01", "--format", "csv")
    assert code == 0, err
    shown = pd.read_csv(io.StringIO(out)).set_index("channel")["conversions"]
    filters = Filters(since=pd.Timestamp("2025-06-01").date())
    credits = attribution(demo_con, PathParams("sql", lookback_days=60), filters, ["w_shaped"]).credits
    assert shown.to_dict() == pytest.approx(credits.set_index("channel")["conversions"].to_dict())


def test_channels_csv(demo_db, demo_con):
    code, out, err = run("channels", "--db", demo_db, "--by", "source", "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False, na_values=[""])
    assert frame.columns.tolist() == ["source_group", "source", *COLUMNS]
    assert frame["source_group"].iloc[-1] == "Total"
    library = channel_table(demo_con, Filters(), by="source")
    assert frame["leads"].tolist() == library["leads"].tolist()


@pytest.mark.parametrize("argv,message", [
    (["attribution", "--model", "last_click"], "invalid choice"),
    (["attribution", "--lookback-days", "0"], "lookback window"),
    (["attribution", "--paths", "/nonexistent/paths.csv"], "cannot read the path file"),
    (["channels", "--by", "channel"], "invalid choice"),
])
def test_errors_are_one_line(demo_db, argv, message):
    code, _, err = run(*argv[:1], "--db", demo_db, *argv[1:])
    assert code == 1
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
