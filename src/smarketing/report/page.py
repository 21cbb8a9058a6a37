"""The meeting pack as one HTML page: the header (window, comparison, mode, segments, data's last day), the
sections, how it was built; styles inline, system fonts (CJK ones included), A4 landscape when printed.
Nothing is fetched: no external stylesheet, font, script or image."""

from __future__ import annotations

from smarketing.formatting import fmt_money
from smarketing.labels import label, language, t
from smarketing.report import sections
from smarketing.report.blocks import esc, masked, note
from smarketing.report.content import PackContent
from smarketing.report.options import week_label

HTML_LANG = {"zh": "zh-CN"}  # the document's language tag: CJK fonts and line breaking follow it
FONTS = ('"Noto Sans", "DejaVu Sans", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", '
         '"Microsoft YaHei", "Segoe UI", Roboto, Arial, sans-serif')
CSS = """
@page { size: A4 landscape; margin: 10mm 12mm 12mm 12mm;
        @bottom-left { content: string(packtitle); font: 7.5pt FONTS; color: #64748b; }
        @bottom-right { content: counter(page) " / " counter(pages); font: 7.5pt FONTS; color: #64748b; } }
html { font-family: FONTS; font-size: 10pt; color: #0f172a; background: #fff; }
body { max-width: 1120px; margin: 0 auto; padding: 16px 20px; }
header { border-bottom: 2px solid #2563eb; margin-bottom: 10px; padding-bottom: 6px; }
h1 { font-size: 18pt; margin: 0 0 4px 0; string-set: packtitle content(); }
h2 { font-size: 13pt; margin: 14px 0 6px 0; color: #1e3a8a; border-bottom: 1px solid #e2e8f0; padding-bottom: 2px; }
h3 { font-size: 10.5pt; margin: 8px 0 4px 0; }
.meta { color: #475569; margin: 1px 0; font-size: 9pt; }
.cards { display: flex; flex-wrap: wrap; gap: 6px; }
.card { flex: 1 1 22%; border: 1px solid #e2e8f0; border-radius: 6px; padding: 5px 8px; box-sizing: border-box;
        break-inside: avoid; }
.kpi-title { font-size: 8.5pt; color: #475569; }
.kpi-value { font-size: 15pt; font-weight: 600; }
.kpi-change { font-size: 9pt; font-weight: 600; }
.kpi-change.good { color: #15803d; } .kpi-change.bad { color: #b91c1c; } .kpi-change.flat { color: #64748b; }
.kpi-previous { font-size: 8pt; color: #64748b; }
.row { display: flex; gap: 14px; align-items: flex-start; }
.cell { flex: 1 1 60%; min-width: 0; }
.cell.chart-cell { flex: 0 0 38%; }
.block { break-inside: avoid; margin-bottom: 6px; }
.block.narrow table { width: auto; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { padding: 2px 5px; border-bottom: 1px solid #e2e8f0; }
th { background: #f1f5f9; text-align: left; font-weight: 600; }
th.num, td.num { text-align: right; } td.num { white-space: nowrap; }
td.text { white-space: nowrap; } th { vertical-align: bottom; }
tr.total td { font-weight: 700; border-top: 1px solid #94a3b8; }
svg.chart { width: 100%; max-width: 560px; height: auto; }
.caption { font-size: 8pt; color: #64748b; margin: 3px 0; }
.lead { margin: 3px 0 6px 0; }
.note { padding: 5px 8px; border-radius: 4px; background: #eff6ff; margin: 4px 0; }
.note.good { background: #f0fdf4; }
a.csv { font-size: 8pt; color: #2563eb; }
footer { margin-top: 14px; border-top: 1px solid #e2e8f0; padding-top: 4px; font-size: 8pt; color: #64748b; }
section#sla, section#channels, section#goal { break-before: page; }
@media print { a.csv { display: none; } body { max-width: none; padding: 0; } }
""".replace("FONTS", FONTS)


def _day(value) -> str:
    return "–" if value is None else f"{value:%Y-%m-%d}"


def _segments(c: PackContent) -> str:
    chosen = {col: vals for col, vals in sorted(c.options.filters.segments.items()) if vals}
    if not chosen:
        return t("pack_all_leads")
    parts = [f"{label(col)} = {', '.join(str(masked(v, c.options.unmask)) for v in sorted(vals))}"
             for col, vals in chosen.items()]
    return "; ".join(parts)


def title(c: PackContent) -> str:
    o = c.options
    week = week_label(o.since, o.until)
    when = t("pack_week").format(week=week) if week else t("pack_range").format(since=_day(o.since),
                                                                                  until=_day(o.until))
    return f"{t('pack_title')} · {when}"


def header(c: PackContent) -> str:
    o, before = c.options, c.previous
    lines = [
        t("pack_window").format(since=_day(o.since), until=_day(o.until), before_since=_day(before.since),
                                before_until=_day(before.until)),
        t(f"mode_{o.filters.mode}") + " · " + t("pack_segments").format(segments=_segments(c)),
        t("pack_as_of").format(day=_day(c.last_lead)) + " · " + t("pack_unmasked" if o.unmask else "pack_masked"),
    ]
    meta = "".join(f'<p class="meta">{esc(line)}</p>' for line in lines)
    empty = ""
    if not c.has_leads:
        empty = note(t("pack_no_leads").format(first=_day(c.first_lead), last=_day(c.last_lead)))
    return f"<header><h1>{esc(title(c))}</h1>{meta}</header>{empty}"


def footer(c: PackContent) -> str:
    o = c.options
    target = t("pack_option_target_default") if o.target is None else fmt_money(o.target)
    built = t("pack_options").format(model=t(f"model_{o.model}"), hours=f"{o.sla_hours:g}", target=target,
                                     months=o.plan_months)
    return f'<footer><p>{esc(built)}</p><p>{esc(t("pack_footer"))}</p></footer>'


def render(c: PackContent) -> str:
    """The whole pack as one HTML document (the same content gives the same text)."""
    body = "".join([header(c), sections.kpis(c), sections.funnel(c), sections.handoffs(c), sections.channels(c),
                    sections.goal(c), footer(c)])
    return (f'<!DOCTYPE html>\n<html lang="{HTML_LANG.get(language(), language())}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title(c))}</title><style>{CSS}</style></head><body>{body}</body></html>\n")
