"""`smarketing pack`: the weekly job writes the same bytes for the same data and options, a PDF beside the HTML
with --pdf, and a bad week or window is one line on stderr with exit code 1 (nothing written)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from packreader import PackReader

from smarketing.cli import main
from smarketing.report import pdf


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_a_week_twice_gives_the_same_bytes(demo_db, tmp_path):
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    code, out, err = run("pack", "--db", demo_db, "--week", "2026-W40", "--out", str(first))
    assert code == 0, err
    assert out.strip() == str(first) and err == ""
    assert run("pack", "--db", demo_db, "--week", "2026-W40", "--out", str(second))[0] == 0
    assert first.read_bytes() == second.read_bytes()
    html = first.read_text("utf-8")
    assert "week 2026-W40" in html and "2026-09-28 – 2026-10-04, compared with 2026-09-21 – 2026-09-27" in html
    assert not list(tmp_path.glob(".*.tmp"))  # written through a rename


def test_options_change_the_pack(demo_db, tmp_path):
    code, _, err = run("pack", "--db", demo_db, "--week", "2026-W40", "--out", str(tmp_path / "x.html"),
                       "--model", "first_touch", "--mode", "cohort", "--segment", "source_group=Paid Search",
                       "--segment", "source_group=Events", "--sla-hours", "4", "--target", "250000")
    assert code == 0, err
    html = (tmp_path / "x.html").read_text("utf-8")
    assert "ROMI by channel, First touch attribution" in html and "Accepted in 4 h" in html
    assert "Source group = Events, Paid Search" in html and "Goal: $250,000 of won revenue" in html
    assert "Cohort: leads created in the range" in html
    rows = PackReader(html).rows("channel_table")  # spend is not segmented: other groups show cost, no leads
    assert {name for name, row in rows.items() if row[2] != "0"} <= {"Events", "Paid Search", "Total"}
    assert rows["Total"][2] == f"{int(rows['Events'][2]) + int(rows['Paid Search'][2]):,}"


def test_default_file_name_is_the_week(demo_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("pack", "--db", demo_db, "--week", "2026-W40")[0] == 0
    assert (tmp_path / "smarketing-pack-2026-W40.html").exists()


@pytest.mark.skipif(not pdf.available(), reason="WeasyPrint cannot load Pango here")
def test_pdf_beside_the_html(demo_db, tmp_path):
    code, out, err = run("pack", "--db", demo_db, "--week", "2026-W40", "--out", str(tmp_path / "pack.html"),
                         "--pdf")
    assert code == 0, err
    assert out.split() == [str(tmp_path / "pack.html"), str(tmp_path / "pack.pdf")]
    assert (tmp_path / "pack.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("argv,message", [
    (["--week", "2026-48"], "argument --week: '2026-48' is not an ISO week (expected YYYY-Www, e.g. 2026-W48)"),
    (["--week", "2025-W53"], "argument --week: '2025-W53': 2025 has ISO weeks 1–52, not week 53"),
    (["--week", "9999-W52"], "argument --week: '9999-W52': the week must lie within the dates data may have"),
    ([], "which window? give --week (e.g. 2026-W48) or --since and --until"),
    (["--week", "2026-W40", "--since", "2026-01-01"], "give either --week or --since/--until, not both"),
    (["--since", "2026-02-01", "--until", "2026-01-01"], "the window starts (2026-02-01) after it ends (2026-01-01)"),
    (["--week", "2026-W40", "--model", "magic"], "argument --model: invalid choice: 'magic'"),
    (["--week", "2026-W40", "--sla-hours", "-1"], "the SLA must be a positive number of hours, got -1"),
    (["--week", "2026-W40", "--segment", "region"], "'region' should look like COLUMN=VALUE"),
    (["--week", "2026-W40", "--segment", "shoe_size=42"], "unknown lead column 'shoe_size'"),
    (["--week", "2026-W40", "--out", "pack.pdf"], "--out names the HTML file (pack.pdf); add --pdf"),
    (["--week", "2026-W40", "--out", "no/such/folder/p.html"], "the folder no/such/folder does not exist"),
])
def test_bad_input_is_one_line(demo_db, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("pack", "--db", demo_db, *argv)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("smarketing pack: error: ") and message in err, err
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_week_after_the_data_says_so(demo_db, tmp_path):
    code, _, err = run("pack", "--db", demo_db, "--week", "2026-W48", "--out", str(tmp_path / "late.html"))
    assert code == 0
    assert err == "smarketing pack: note: the data ends on 2026-10-31, before this window starts\n"
    assert "No lead in this window or segment: the data covers" in (tmp_path / "late.html").read_text("utf-8")
