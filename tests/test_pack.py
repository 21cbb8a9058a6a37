"""The meeting pack (smarketing.report): its numbers are the pages' own functions' numbers, hand-computed on a
tiny database; the same data and options give the same bytes; nothing is fetched; personal data is masked and
embedded CSVs are formula-safe; the PDF has pages and Chinese text."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest
from packreader import PackReader

from smarketing import planner, report
from smarketing.attribution import channels
from smarketing.attribution import report as attribution
from smarketing.filters import Filters
from smarketing.formatting import fmt_int, fmt_money, fmt_pct, fmt_ratio
from smarketing.funnel import kpis, lifecycle
from smarketing.leadflow import sla
from smarketing.report import pdf
from smarketing.report.options import PackOptionError, PackOptions, parse_week, week_label

SEPTEMBER = Filters(since=date(2026, 9, 1), until=date(2026, 9, 30), mode="period")


@pytest.fixture(scope="module")
def demo_pack(demo_con):
    options = PackOptions(SEPTEMBER)
    return report.build_html(demo_con, options)


# ------------------------------------------------------------------------------------------ the numbers


def test_the_packs_numbers_are_the_pages_numbers(demo_con, demo_pack):
    """A KPI, a funnel count, an SLA figure and a ROMI: each as the function behind its page gives it."""
    pack = PackReader(demo_pack)
    headline = kpis.headline(demo_con, SEPTEMBER).set_index("metric")  # the Overview's cards
    assert pack.cards["Leads"][1] == fmt_int(headline.at["Leads", "value"])
    assert pack.cards["Won revenue"][1] == fmt_money(headline.at["Won revenue", "value"])
    rate, before = headline.at["Lead → customer", "value"], headline.at["Lead → customer", "previous"]
    assert pack.cards["Lead → customer"][2] == f"{(rate - before) * 100:+.1f} pts"  # a rate's change in points

    funnel = lifecycle.lifecycle_funnel(demo_con, SEPTEMBER).set_index("stage")  # the Funnel page's table
    assert pack.rows("funnel")["MQL"][1] == fmt_int(funnel.at["MQL", "leads"])

    owners = sla.sla_report(demo_con, SEPTEMBER, hours=24.0).by_owner  # the Lead flow page's owner tab
    first = owners.iloc[0]
    row = pack.rows("sla_by_owner")[first.owner]
    assert row[1:6] == [fmt_int(first.dispatched), fmt_int(first.sla_met), fmt_pct(first.sla_met_share),
                        fmt_int(first.returned), fmt_int(first.pending)]

    result = attribution.attribution(demo_con, attribution.PathParams(), SEPTEMBER, attribution.MODELS)  # as the page
    spend = attribution.channel_spend(demo_con, SEPTEMBER, result.paths.channels)
    romi = attribution.channel_romi(result.credits, spend, "markov").dropna(subset=["romi"]).iloc[0]
    assert pack.rows("romi_markov")[romi.channel][-1] == fmt_ratio(romi.romi)

    table = channels.channel_table(demo_con, SEPTEMBER, by="source_group")  # the Attribution page's table
    total = table[table.source_group == channels.TOTAL_LABEL].iloc[0]
    assert pack.rows("channel_table")["Total"][-1] == fmt_ratio(total.romi)


def hand_made(make_con, owner="ana.lopez@example.com", reason="Not a fit, ask bob.smith@example.org"):
    """Week 2026-W41 (5–11 Oct) and the week before, by hand:
    this week: leads 1, 2, 3 created; lead 1 reaches MQL; lead 1's hand-off accepted in 6 h, lead 3's returned.
    previous week: leads 4, 5 created; lead 4 reaches MQL."""
    return make_con(
        leads=[{"lead_id": "1", "created_at": "2026-10-06T08:00:00"}, {"lead_id": "2", "created_at": "2026-10-06T09:00:00"},
               {"lead_id": "3", "created_at": "2026-10-07T09:00:00"}, {"lead_id": "4", "created_at": "2026-09-29T09:00:00"},
               {"lead_id": "5", "created_at": "2026-09-30T09:00:00"}],
        stage_changes=[{"lead_id": "1", "stage": "MQL", "entered_at": "2026-10-07T08:00:00"},
                       {"lead_id": "4", "stage": "MQL", "entered_at": "2026-09-30T10:00:00"}],
        handoffs=[{"lead_id": "1", "dispatched_at": "2026-10-07T09:00:00", "owner": owner,
                   "accepted_at": "2026-10-07T15:00:00"},
                  {"lead_id": "3", "dispatched_at": "2026-10-08T09:00:00", "owner": owner,
                   "returned_at": "2026-10-08T10:00:00", "return_reason": reason}],
    )


def week_41(**kwargs) -> PackOptions:
    since, until = parse_week("2026-W41")
    return PackOptions(Filters(since=since, until=until, mode="period"), **kwargs)


def test_hand_counted_week(make_con):
    html = report.build_html(hand_made(make_con), week_41())
    pack = PackReader(html)
    assert pack.cards["Leads"][1:3] == ["3", f"{(3 - 2) / 2 * 100:+.1f}%"]  # 3 leads against 2
    assert pack.cards["MQL"][1:3] == ["1", "+0.0%"]
    assert pack.rows("funnel")["MQL"][1:3] == ["1", fmt_pct(1 / 3)]  # Lead is not recorded: Subscriber → MQL
    leak = pack.rows("leaks")["Subscriber → MQL"]
    assert leak[1:4] == [fmt_pct(1 / 2), fmt_pct(1 / 3), f"{(1 / 3 - 1 / 2) * 100:+.1f} pts"]
    owner = pack.rows("sla_by_owner")["a***@example.com"]
    assert owner[1:7] == ["2", "1", fmt_pct(1 / 2), "1", "0", "1"]  # 2 hand-offs, 1 in 24 h, 1 returned, 0 waiting
    assert pack.rows("return_reasons")["Not a fit, ask b***@example.org"][1] == "1"
    assert "No goal plan" in html  # no won deal with an amount: no deal size to plan from
    assert "No spend imported" in html and "No touches with a channel" in html  # what the data lacks, said


def test_the_options_are_checked():
    with pytest.raises(PackOptionError, match="first and a last day"):
        PackOptions(Filters())
    with pytest.raises(PackOptionError, match="unknown attribution model 'magic'"):
        week_41(model="magic")
    with pytest.raises(PackOptionError, match="positive number of hours"):
        week_41(sla_hours=0)
    with pytest.raises(PackOptionError, match="revenue target must be positive"):
        week_41(target=float("nan"))
    with pytest.raises(PackOptionError, match="1–24 months"):
        week_41(plan_months=0)


@pytest.mark.parametrize("text,monday", [("2026-W48", date(2026, 11, 23)), ("2026w01", date(2025, 12, 29)),
                                         ("2026-W53", date(2026, 12, 28)), ("2027-W1", date(2027, 1, 4))])
def test_iso_weeks(text, monday):
    since, until = parse_week(text)
    assert (since, until) == (monday, date.fromordinal(monday.toordinal() + 6))
    assert since.isocalendar().weekday == 1 and week_label(since, until) == f"{since.isocalendar().year}-W" \
        f"{since.isocalendar().week:02d}"


@pytest.mark.parametrize("text,message", [("2026-48", "not an ISO week"), ("W48", "not an ISO week"),
                                          ("2025-W53", "2025 has ISO weeks 1–52, not week 53"),
                                          ("2026-W00", "not week 0"), ("", "not an ISO week"),
                                          ("9999-W52", "the week must lie within the dates data may have"),
                                          ("1970-W01", "within the dates")])  # starts on 1969-12-29
def test_bad_weeks_say_what_was_expected(text, message):
    with pytest.raises(PackOptionError, match=message):
        parse_week(text)


def test_progress_against_the_plan_by_hand():
    """A 1-month plan for October: 3,000 of revenue at 100 a deal = 30 customers (B), at 50% from A = 60 A.
    The week 28 Sep – 4 Oct holds 4 of October's 31 days."""
    a = planner.Assumptions(stages=("A", "B"), rates={"B": 0.5}, days={"B": 0.0}, deal_size=100.0)
    import pandas as pd

    mix = pd.DataFrame({"channel": ["x"], "share": [1.0], "cost_per_lead": [10.0]})
    plan = planner.build_plan(3000, 1, date(2026, 10, 1), a, mix, planner.RunRate(3, {}, 0.0))
    out = planner.progress(plan, {"A": 6, "B": 2}, 500.0, date(2026, 9, 28), date(2026, 10, 4)).set_index("item")
    assert out.at["A", "needed"] == pytest.approx(60 * 4 / 31)
    assert out.at["B", "needed"] == pytest.approx(30 * 4 / 31)
    assert out.at["won_revenue", "needed"] == pytest.approx(3000 * 4 / 31)
    assert out.at["A", "coverage"] == pytest.approx(6 / (60 * 4 / 31))
    assert out.at["won_revenue", "coverage"] == pytest.approx(500 / (3000 * 4 / 31))
    assert planner.default_target(planner.RunRate(3, {}, 50_000.0), 3) == 180_000  # 150,000 + 20%
    assert planner.default_target(planner.RunRate(3, {}, 1_000.0), 3) == 100_000  # at least 100,000


# ------------------------------------------------------------------------------------ the file itself


def test_the_same_data_and_options_give_the_same_bytes(demo_con, demo_pack):
    again = report.build_html(demo_con, PackOptions(SEPTEMBER))
    assert again == demo_pack
    other = report.build_html(demo_con, PackOptions(SEPTEMBER, model="linear"))
    assert other != demo_pack and "Linear" in other


def test_it_opens_offline(demo_pack):
    pack = PackReader(demo_pack)
    assert not re.search(r"(?i)https?://|//[a-z0-9.-]+\.[a-z]{2,}/", demo_pack)  # no address anywhere
    assert pack.addresses and all(a.startswith("data:text/csv") for a in pack.addresses)  # only embedded CSVs
    assert not pack.tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert "@import" not in demo_pack and "url(" not in demo_pack and "@font-face" not in demo_pack
    assert "@page { size: A4 landscape" in demo_pack


def test_personal_data_is_masked_in_the_page_and_its_csvs(make_con, demo_con, demo_pack):
    con = hand_made(make_con)
    html = report.build_html(con, week_41())
    assert "ana.lopez@example.com" not in html and "bob.smith@example.org" not in html
    pack = PackReader(html)
    assert "a***@example.com" in pack.csv["sla_by_owner.csv"] and "ana.lopez" not in pack.csv["sla_by_owner.csv"]
    shown = report.build_html(con, week_41(unmask=True))
    assert "ana.lopez@example.com" in PackReader(shown).rows("sla_by_owner")
    emails = demo_con.table("leads").email.execute().dropna()
    assert len(emails) > 1000 and not any(e in demo_pack for e in emails)  # no lead of the demo either
    decoded = "".join(PackReader(demo_pack).csv.values())
    assert not any(e in decoded for e in emails[:500])


def test_embedded_csvs_are_formula_safe(make_con):
    html = report.build_html(hand_made(make_con, owner="=HYPERLINK(\"x\")", reason="+cmd|' /C calc'!A0"), week_41())
    pack = PackReader(html)
    assert "'=HYPERLINK" in pack.csv["sla_by_owner.csv"]
    assert "'+cmd" in pack.csv["return_reasons.csv"]
    assert pack.rows("sla_by_owner")['=HYPERLINK("x")']  # the page shows the text as it is, escaped


def test_data_text_is_escaped(make_con):
    html = report.build_html(hand_made(make_con, owner="<script>alert(1)</script>", reason="<b>x</b>"), week_41())
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -------------------------------------------------------------------------------------------------- PDF


def pdf_pages(data: bytes, tmp_path) -> int:
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "A4" in info and "841.89 x 595.276" in info  # A4 landscape
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.mark.skipif(not pdf.available(), reason="WeasyPrint cannot load Pango here")
def test_the_pdf_has_pages_and_is_the_same_every_time(demo_pack, tmp_path):
    if not shutil.which("pdfinfo"):
        pytest.fail("pdfinfo is missing: install Debian's poppler-utils (./run test does)")
    data = pdf.html_to_pdf(demo_pack)
    assert data.startswith(b"%PDF-") and pdf_pages(data, tmp_path) >= 4  # KPIs + funnel, SLA, channels, goal
    assert pdf.html_to_pdf(demo_pack) == data


@pytest.mark.skipif(not pdf.available(), reason="WeasyPrint cannot load Pango here")
def test_chinese_text_gets_a_cjk_font_in_the_pdf(make_con, tmp_path):
    html = report.build_html(hand_made(make_con, owner="王伟", reason="预算不足"), week_41())
    path = tmp_path / "zh.pdf"
    path.write_bytes(pdf.html_to_pdf(html))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"(?i)cjk|han ?sans|wqy|droid ?sans ?fallback", fonts), fonts  # fonts-noto-cjk installed
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "王伟" in text and "预算不足" in text


def test_a_pdf_is_refused_with_a_clear_message_when_weasyprint_cannot_load(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    with pytest.raises(pdf.PdfUnavailable, match="apt-get install libpango-1.0-0 libpangoft2-1.0-0"):
        pdf.html_to_pdf("<p>x</p>")
    assert not pdf.available()
