"""The Chinese interface below the pages: both label tables have the same keys and placeholders, strict mode fails
on a key missing in Chinese, the language is a context value (the setting when nothing chose one), stage display
names and Chinese stage aliases, dates, units and chart axes for the locale, the command line and the meeting
pack in Chinese."""

from __future__ import annotations

import re
import subprocess
import threading
from datetime import date

import pandas as pd
import pytest

from smarketing import formatting, labels, store
from smarketing.charts import funnel as funnel_charts
from smarketing.cli import main
from smarketing.labels import MissingLabel, label, t
from smarketing.report import pdf
from smarketing.stages import StageConfigError, active_stages, parse_stages

EN, ZH = labels.table("en"), labels.table("zh")
PLACEHOLDER = re.compile(r"\{([a-z_0-9]*)\}")
ICON = re.compile(r":material/[a-z_]+:")
WORD = re.compile(r"[a-z]{3,}")  # an English word (acronyms such as MQL, PDF, F1 read the same in Chinese)


def test_both_tables_have_exactly_the_same_keys():
    assert sorted(set(EN) - set(ZH)) == [], "every en.toml key needs its zh.toml twin"
    assert sorted(set(ZH) - set(EN)) == [], "zh.toml has keys en.toml no longer has"


def test_every_key_keeps_its_placeholders_icons_and_markdown():
    for key, english in EN.items():
        chinese = ZH[key]
        assert set(PLACEHOLDER.findall(chinese)) == set(PLACEHOLDER.findall(english)), key
        assert ICON.findall(chinese) == ICON.findall(english), key
        assert chinese.count("**") == english.count("**"), key  # bold
        assert chinese.count("`") == english.count("`"), key  # code
        assert chinese.count("<br>") == english.count("<br>"), key  # line breaks in chart hovers


def test_every_label_is_translated():
    untranslated = {key for key in EN if EN[key] == ZH[key] and WORD.search(PLACEHOLDER.sub("", EN[key]))}
    assert untranslated == {"app_title"}  # the app's name; acronyms and formats ("{first} → {stage}") may match
    assert all(ZH[key].strip() or key.endswith("_suffix") for key in ZH)  # only a suffix may be empty


def test_strict_mode_fails_on_a_key_missing_in_chinese(monkeypatch):
    monkeypatch.setenv(labels.STRICT_ENV, "1")
    monkeypatch.delitem(labels.table("zh"), "funnel_title")
    with labels.using("zh"), pytest.raises(MissingLabel, match=r"funnel_title \(in zh.toml\)"):
        t("funnel_title")
    monkeypatch.delenv(labels.STRICT_ENV)
    with labels.using("zh"):
        assert t("funnel_title") == "Lifecycle funnel"  # not strict: the English label, never the key


@pytest.mark.parametrize(("tag", "lang"), [("zh", "zh"), ("zh-CN", "zh"), ("zh_Hans_CN", "zh"), ("ZH-tw", "zh"),
                                           ("en-GB", "en"), ("en", "en"), ("de-DE", None), ("", None), (None, None)])
def test_language_tags(tag, lang):
    assert labels.language_of(tag) == lang


def test_the_language_is_a_context_value_and_the_setting_otherwise(monkeypatch):
    monkeypatch.delenv("SMARKETING_LANG", raising=False)
    assert labels.language() == "en" and t("funnel_title") == "Lifecycle funnel"
    with labels.using("zh-CN"):
        assert t("funnel_title") == "生命周期漏斗"
        seen = []
        worker = threading.Thread(target=lambda: seen.append(labels.language()))  # a thread starts without it
        worker.start()
        worker.join()
        assert seen == ["en"]
        with labels.using("en"):
            assert t("funnel_title") == "Lifecycle funnel"
        assert labels.language() == "zh"
    assert labels.language() == "en"
    monkeypatch.setenv("SMARKETING_LANG", "zh")
    assert labels.language() == "zh"  # the setting, when nothing chose a language
    monkeypatch.setenv("SMARKETING_LANG", "fr")
    assert labels.language() == "en"  # a language without a table: English


def test_stage_names_show_in_chinese_while_the_analyses_keep_theirs():
    model = active_stages()
    with labels.using("zh"):
        assert [label(s) for s in model.all_names] == ["订阅者", "线索", "MQL", "SQL", "商机", "客户", "推广者", "其他"]
        assert label("Lead → MQL") == "线索 → MQL" and label("Opportunity → Customer") == "商机 → 客户"
        assert label("Won revenue") == "成交收入"  # an English label an analysis returns as a value
        assert label("Acme → Beta") == "Acme → Beta"  # data stays as it is
    assert [label(s) for s in model.all_names] == model.all_names  # English: the names themselves
    assert model.names == ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"]  # analysis keys unchanged


@pytest.mark.parametrize(("spelling", "stage"), [
    ("订阅者", "Subscriber"), ("线索", "Lead"), ("潜在客户", "Lead"), ("营销合格线索", "MQL"), ("营销合格线索 MQL", "MQL"),
    ("营销合格线索 / MQL", "MQL"), ("销售合格线索", "SQL"), ("销售合格线索 SQL", "SQL"), ("商机", "Opportunity"),
    ("业务机会", "Opportunity"), ("客户", "Customer"), ("传教士", "Evangelist"), ("推广者", "Evangelist"),
    ("传教士 / 推广者", "Evangelist"), ("其他", "Other")])
def test_chinese_stage_names_are_aliases_of_the_default_model(spelling, stage):
    assert active_stages().canonical(spelling) == stage


def test_a_chinese_crm_export_maps_its_stages_without_editing(tmp_path, capsys):
    (tmp_path / "线索.csv").write_text("线索编号,创建时间,公司名称\nC1,2026-03-01,上海云创\nC2,2026-03-02,杭州华信\n"
                                      "C3,2026-03-03,北京数科\n", "utf-8")
    (tmp_path / "阶段.csv").write_text(
        "线索编号,阶段,进入时间\nC1,订阅者,2026-03-01\nC1,线索,2026-03-02\nC1,营销合格线索 / MQL,2026-03-03\n"
        "C1,销售合格线索 / SQL,2026-03-04\nC1,商机,2026-03-05\nC1,客户,2026-03-06\nC2,潜在客户,2026-03-03\n"
        "C2,营销合格线索,2026-03-04\nC2,其他,2026-03-05\nC3,传教士 / 推广者,2026-03-04\n", "utf-8")
    db = str(tmp_path / "crm.duckdb")
    assert main(["import", "--db", db, "--format", "mapped", "--file", f"leads={tmp_path / '线索.csv'}",
                 "--file", f"stages={tmp_path / '阶段.csv'}", "--table", "stages=stage_changes"]) == 0
    con = store.connect(db, read_only=True)
    changes = con.table("stage_changes").execute().sort_values(["lead_id", "entered_at"])
    con.disconnect()
    assert changes.stage.tolist() == ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer",
                                      "Lead", "MQL", "Other", "Evangelist"]


def test_a_stage_files_display_names_are_checked():
    text = '[[main]]\nname = "A"\ndisplay = { zh = "甲" }\n[[main]]\nname = "B"\n'
    assert parse_stages(text).display_names("zh") == {"A": "甲"}
    with pytest.raises(StageConfigError, match="'display' must be a table of names by language"):
        parse_stages('[[main]]\nname = "A"\ndisplay = "甲"\n[[main]]\nname = "B"\n')


def test_dates_numbers_and_units_for_the_locale():
    day, month = date(2026, 11, 1), pd.Timestamp("2026-01-15 09:05")
    assert (formatting.fmt_date(day), formatting.fmt_month(month)) == ("01 Nov 2026", "Jan 2026")
    assert formatting.fmt_date(month, time=True) == "15 Jan 2026 09:05"
    assert (formatting.fmt_days(3.25), formatting.fmt_hours(5), formatting.fmt_points(0.012)) == ("3.2 d", "5.0 h",
                                                                                                "+1.2 pts")
    with labels.using("zh"):
        assert (formatting.fmt_date(day), formatting.fmt_month(month)) == ("2026年11月1日", "2026年1月")
        assert formatting.fmt_date(month, time=True) == "2026年1月15日 09:05"
        assert formatting.fmt_date(pd.NaT) == "–"
        assert (formatting.fmt_int(1234567), formatting.fmt_pct(0.1234), formatting.fmt_money(1234)) == (
            "1,234,567", "12.3%", "$1,234")  # separators and percentages as zh-CN BI tools show them
        assert (formatting.fmt_days(3.25), formatting.fmt_hours(5), formatting.fmt_points(0.012)) == (
            "3.2 天", "5.0 小时", "+1.2 个百分点")
        assert formatting.column_format(formatting.DAYS)[0] == "%,.1f 天"  # the app's table columns
        assert (formatting.month_format(), formatting.day_format()) == ("%Y年%-m月", "%Y年%-m月%-d日")


def test_chart_axes_show_chinese_months():
    trend = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01"] * 2),
                          "stage": ["Lead", "Lead", "MQL", "MQL"], "leads": [100, 120, 30, 35]})
    cohorts = pd.DataFrame({"cohort": pd.to_datetime(["2026-01-01", "2026-11-01"]), "leads": [10, 20],
                            "Lead": [1.0, 1.0], "MQL": [0.5, 0.25]})
    with labels.using("zh"):
        fig = funnel_charts.trend_chart(trend, ["Lead", "MQL"])
        heat = funnel_charts.cohort_heatmap(cohorts, ["Lead", "MQL"])
    assert fig.layout.xaxis.tickformat == "%Y年%-m月"
    assert all(trace.hovertemplate.startswith("%{x|%Y年%-m月}") for trace in fig.data)
    assert [trace.name for trace in fig.data] == ["线索", "MQL"]  # stage display names in the legend
    assert fig.layout.yaxis.title.text == "线索数（对数刻度）"
    assert list(heat.data[0].y) == ["2026年1月", "2026年11月"] and list(heat.data[0].x) == ["MQL"]
    english = funnel_charts.trend_chart(trend, ["Lead", "MQL"])
    assert english.layout.xaxis.tickformat == "%b %Y" and [tr.name for tr in english.data] == ["Lead", "MQL"]


def test_the_command_line_is_english_unless_asked(demo_db, capsys, monkeypatch):
    monkeypatch.delenv("SMARKETING_LANG", raising=False)
    args = ["funnel", "--db", demo_db, "--since", "2026-01-01", "--until", "2026-06-30"]
    assert main(args) == 0
    english = capsys.readouterr().out
    assert english.split()[:2] == ["Stage", "From"] and "Subscriber" in english
    monkeypatch.setenv("SMARKETING_LANG", "zh")
    assert main(args) == 0
    chinese = capsys.readouterr().out
    assert chinese.split()[:2] == ["阶段", "起始阶段"] and "订阅者" in chinese and "Subscriber" not in chinese
    number = re.compile(r"\d[\d,.]*%?")
    assert number.findall(chinese) == number.findall(english)  # the same numbers, in other words
    monkeypatch.delenv("SMARKETING_LANG")
    assert labels.language() == "en"  # the command's language ended with it


def test_the_meeting_pack_in_chinese(demo_db, tmp_path, monkeypatch):
    monkeypatch.delenv("SMARKETING_LANG", raising=False)
    out = tmp_path / "pack.html"
    assert main(["pack", "--db", demo_db, "--week", "2026-W43", "--out", str(out), "--lang", "zh"]) == 0
    page = out.read_text("utf-8")
    assert '<html lang="zh-CN">' in page
    text = re.sub(r"<[^>]+>", "\n", re.sub(r"<style>.*?</style>|href=\"data:[^\"]*\"", "", page, flags=re.S))
    for key in ("pack_title", "pack_kpis", "pack_funnel", "pack_leaks", "pack_sla", "pack_channels", "pack_goal",
                "pack_footer"):
        assert ZH[key] in text, key
        assert EN[key] not in text, key
    assert "订阅者" in text and "pts" not in text and " d\n" not in text
    english = tmp_path / "en.html"
    assert main(["pack", "--db", demo_db, "--week", "2026-W43", "--out", str(english)]) == 0
    assert '<html lang="en">' in english.read_text("utf-8") and EN["pack_kpis"] in english.read_text("utf-8")


@pytest.mark.skipif(not pdf.available(), reason="WeasyPrint cannot load Pango here")
def test_the_chinese_pack_pdf_has_chinese_text_in_a_cjk_font(demo_db, tmp_path):
    out = tmp_path / "pack.html"
    assert main(["pack", "--db", demo_db, "--week", "2026-W43", "--out", str(out), "--lang", "zh", "--pdf"]) == 0
    fonts = subprocess.run(["pdffonts", str(out.with_suffix(".pdf"))], capture_output=True, text=True, check=True).stdout
    assert re.search(r"(?i)cjk|han ?sans", fonts), fonts  # fonts-noto-cjk, installed by ./run test and the Dockerfile
    text = subprocess.run(["pdftotext", str(out.with_suffix(".pdf")), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert ZH["pack_funnel"] in text and ZH["pack_sla"] in text


def test_import_errors_read_in_chinese_and_change_nothing(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "crm.duckdb")
    (tmp_path / "线索.csv").write_text("线索编号,创建时间\nC1,2026-03-01\nC2,2026-03-02\n", "utf-8")
    (tmp_path / "坏.csv").write_text("线索编号,创建时间\nC3,2026-03-03\nC4,明天\n", "utf-8")
    (tmp_path / "leads.csv").write_text("lead_id,created_at,lead_id\nC5,2026-03-05,C5\n", "utf-8")
    monkeypatch.setenv("SMARKETING_LANG", "zh")
    assert main(["import", "--db", db, "--format", "mapped", "--file", f"leads={tmp_path / '线索.csv'}"]) == 0
    assert "新增 2" in capsys.readouterr().out
    assert main(["import", "--db", db, "--format", "mapped", "--file", f"leads={tmp_path / '坏.csv'}"]) != 0
    said = capsys.readouterr().err
    assert "坏.csv，第 2 行数据（文件第 3 行），列 创建时间：“明天”不是日期（应如 2024-03-14 或 2024-03-14 09:30）" in said
    assert main(["import", "--db", db, "--leads", str(tmp_path / "leads.csv")]) != 0
    assert "列“lead_id”在标题行中出现了两次" in capsys.readouterr().err
    monkeypatch.setenv("SMARKETING_LANG", "en")
    assert main(["import", "--db", db, "--leads", str(tmp_path / "leads.csv")]) != 0
    assert "column 'lead_id' appears twice in the header" in capsys.readouterr().err
    con = store.connect(db, read_only=True)
    assert store.table_counts(con)["leads"] == 2  # the refused imports changed nothing
    con.disconnect()


def test_the_import_commands_own_words_and_the_mapped_imports_hints_read_in_chinese(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "crm.duckdb")
    (tmp_path / "无创建.csv").write_text("线索编号,公司\nC1,上海云创\n", "utf-8")
    (tmp_path / "好.csv").write_text("线索编号,创建时间\nC1,2026-03-01\n", "utf-8")
    monkeypatch.setenv("SMARKETING_LANG", "zh")
    assert main(["import", "--db", db, "--format", "mapped", "--file", f"leads={tmp_path / '无创建.csv'}"]) != 0
    said = capsys.readouterr().err
    assert said.startswith("smarketing import：错误：无创建.csv：没有列映射到线索的必需列 created_at；对于 created_at")
    assert said.rstrip().endswith("（没有导入任何内容）")
    assert main(["import", "--db", db, "--format", "mapped", "--check", "--file", f"leads={tmp_path / '好.csv'}"]) == 0
    assert capsys.readouterr().out.startswith("已检查（add 模式）：将导入 leads: 新增 1")  # table names as the flags spell them
