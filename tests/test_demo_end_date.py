"""`smarketing demo --end-date`: the history ends the day before the given day, so examples and benchmarks that
name dates keep working, and the same leads, seed and end date give the same data on any day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from smarketing import store
from smarketing.cli import main
from smarketing.demo import HISTORY_DAYS

END = date(2025, 1, 31)
FACTS = ("SELECT count(*), min(created_at), max(created_at), sum(hash(lead_id, created_at, email)) FROM leads",
         "SELECT count(*), max(ts), sum(hash(lead_id, ts, event_type)) FROM events",
         "SELECT count(*), max(date), sum(cost) FROM spend")


def facts(path) -> list[tuple]:
    con = store.connect(path, read_only=True)
    try:
        return [store.raw(con).execute(sql).fetchone() for sql in FACTS]
    finally:
        con.disconnect()


def test_the_history_ends_at_the_end_date_and_is_the_same_every_time(tmp_path):
    first, second, later = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    for path, end in ((first, END), (second, END), (later, END + timedelta(days=30))):
        assert main(["demo", "--db", str(path), "--leads", "150", "--seed", "3", "--end-date", end.isoformat(),
                     "--quiet"]) == 0
    leads, events, spend = facts(first)
    assert leads[0] == 150
    assert datetime.combine(END - timedelta(days=HISTORY_DAYS), datetime.min.time()) <= leads[1] <= leads[2]
    assert leads[2] < datetime(2025, 1, 31) and events[1] < datetime(2025, 1, 31) and spend[1] < END
    assert facts(second) == facts(first)
    assert facts(later)[0][2] > leads[2]  # another end date moves the whole history


def test_a_bad_end_date_is_a_one_line_error(tmp_path, capsys):
    assert main(["demo", "--db", str(tmp_path / "d.duckdb"), "--end-date", "31/01/2025"]) == 1
    err = capsys.readouterr().err
    assert "'31/01/2025' is not a date (expected YYYY-MM-DD)" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "d.duckdb").exists()
