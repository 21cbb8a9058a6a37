"""The funnel benchmark runs end to end at a small size, and its pandas twins agree with DuckDB."""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_funnel_benchmark_small(tmp_path, capsys, monkeypatch):
    script = ROOT / "benchmarks" / "bench_funnel.py"
    monkeypatch.setattr(sys, "argv", [str(script), "--leads", "1500", "--runs", "1", "--no-write",
                                      "--db", str(tmp_path / "b.duckdb")])
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    assert "Lifecycle funnel by source group" in out
    assert "checked equal" in out
