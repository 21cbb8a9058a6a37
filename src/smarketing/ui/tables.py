"""Tables and downloads on pages: display labels, readable numbers, masked personal data, CSV downloads."""

from __future__ import annotations

import hashlib
import os
import pickle

import pandas as pd
import streamlit as st

from smarketing import access, exports, formatting, privacy
from smarketing.labels import heading, language, t
from smarketing.ui import columns
from smarketing.ui.columns import PLACEHOLDER


def download(frame: pd.DataFrame, name: str, key: str | None = None) -> None:
    """A CSV download button for a table (personal data masked, spreadsheet formulas neutralised). The file
    is written when the button is clicked, not on every run of the page (pages have many tables)."""
    unmask = access.show_personal_data()
    st.download_button(
        t("download_csv"), lambda: exports.table_csv(frame, unmask=unmask), file_name=f"{name}.csv",
        mime="text/csv", key=key or f"dl_{name}", icon=":material/download:",
    )


def personal_label(column: str) -> str:
    """Label of an email / phone column: says "(masked)" unless personal data is shown."""
    return t(column) if access.show_personal_data() else t(f"{column}_masked")


def dataframe(frame, kinds: dict | None = None, help: dict | None = None, **kwargs):
    """st.dataframe with emails and phones masked (unless the setting shows them), every number formatted by
    its kind (smarketing.ui.columns: explicit column_config entries win), "–" for unknown, display labels for
    headers. kinds: {column: formatting kind} where a name does not say; help: {column: tooltip}. A pandas
    Styler (of aggregate tables) keeps its display values; build it with `columns.styled`."""
    kwargs.setdefault("placeholder", PLACEHOLDER)
    if isinstance(frame, pd.DataFrame):
        frame = privacy.mask_frame(frame, unmask=access.show_personal_data())
        frame, kwargs["column_config"] = columns.prepare(frame, kwargs.get("column_config"), kinds, help)
    elif hasattr(frame, "data") and hasattr(frame, "format"):  # a Styler
        kwargs["column_config"] = columns.styled_config(frame, kwargs.get("column_config"), help)
    return st.dataframe(frame, **kwargs)


def empty_state(message: str | None = None, needs: tuple[str, ...] = ()) -> None:
    """Nothing to show: say what is missing when the data lacks what this part needs (`needs`: events,
    touches, handoffs, deals, spend), else that the range or the filters hold nothing."""
    from smarketing.ui.data import profile
    from smarketing.ui.pages import page_link

    have = profile()
    for what in needs:
        present = have.events_with_channel if what == "touches" else have.rows.get(what, 0)
        if not present:
            st.info(t(f"missing_{what}"), icon=":material/database:")
            page_link("data", t("missing_add"))
            return
    st.info(message or t("no_data"), icon=":material/info:")


def percent_column(label: str, help: str | None = None):
    """A column of fractions 0–1 shown as 12.3% (ui.dataframe and ui.table show its values ×100)."""
    return st.column_config.NumberColumn(label, help=help, format="percent")


def int_column(label: str, help: str | None = None):
    return columns.number_column(formatting.COUNT, label, help)


def number_column(label: str, help: str | None = None, fmt: str = "%.1f"):
    return st.column_config.NumberColumn(label, help=help, format=fmt)


def table(frame: pd.DataFrame, name: str, percent=(), days=(), money=(), ints=(), decimals=(), help=None,
          key: str | None = None, kinds: dict | None = None) -> None:
    """Show a table with display labels (label keys) and readable numbers, and a CSV download of the raw values.

    Every number is formatted by its kind (smarketing.formatting.kinds_of: from the column's name, else a count
    or one decimal); percent (fractions shown as 12.3%), days, money ($1,234), ints (1,234) and kinds
    ({column: kind}) say it where the name does not; decimals: 3 decimals; help: {column: tooltip}.
    """
    given = {**{c: formatting.SHARE for c in percent}, **{c: formatting.DAYS for c in days},
             **{c: formatting.MONEY for c in money}, **{c: formatting.COUNT for c in ints}, **(kinds or {})}
    config = {c: st.column_config.NumberColumn(t(c), help=(help or {}).get(c), format="%.3f") for c in decimals}
    shown = privacy.mask_frame(frame, unmask=access.show_personal_data())
    shown, config = columns.prepare(shown, config, given, help, label=heading)
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch", key=key, placeholder=PLACEHOLDER)
    download(frame, name, key=f"dl_{key or name}")


def no_previous_period(filters) -> bool:
    """Say so and return True when the period before the filters' window lies before the data's first lead
    (there is nothing to compare with)."""
    from smarketing.ui.data import profile

    first = profile().first_lead
    if not (filters.since and filters.until) or first is None or pd.isna(first):
        return False
    before = filters.previous()
    if pd.Timestamp(before.until) >= pd.Timestamp(first).normalize():
        return False
    day = formatting.fmt_date
    st.info(t("no_previous_period").format(start=day(pd.Timestamp(first)), since=day(before.since),
                                           until=day(before.until)), icon=":material/info:")
    return True


def revenue_outlier_note(filters) -> None:
    """Flag a won deal worth more than half of the won revenue in scope (every revenue figure moves with it)."""
    from smarketing.deals import revenue_outlier
    from smarketing.formatting import fmt_money, fmt_pct, md_text
    from smarketing.ui.data import cached

    if outlier := cached(revenue_outlier, filters):
        st.warning(t("revenue_outlier").format(deal=md_text(outlier.deal_id), amount=fmt_money(outlier.amount),
                                               share=fmt_pct(outlier.share)), icon=":material/warning:")


EAGER_ENV = "SMARKETING_EAGER_TABS"  # tests that read every tab in one run set it; the app never does


def tabs(labels: list[str], key: str):
    """Tabs whose content runs only when open (a click reruns the page with that tab): a page does the work of
    the tab the user looks at, not of all of them. With $SMARKETING_EAGER_TABS every tab runs."""
    if os.environ.get(EAGER_ENV):
        return st.tabs(labels)
    return st.tabs(labels, key=key, on_change="rerun")


def shown(tab) -> bool:
    """True when the tab's content should run (it is open, or tabs are eager)."""
    return bool(os.environ.get(EAGER_ENV)) or bool(tab.open)


def _content_digest(value) -> str:
    """A digest of a DataFrame's or Series' content for cache keys: its pickle, 10-15 times faster than
    Streamlit's own hashing of pandas objects (equal pickles are equal content, so nothing is ever mixed up;
    at worst an equal frame pickled differently misses the cache)."""
    return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=16).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=512,
                   hash_funcs={pd.DataFrame: _content_digest, pd.Series: _content_digest})
def _figure(name: str, _func, *args, **kwargs):
    return _func(*args, **kwargs)


def chart(func, *args, key: str | None = None, **kwargs):
    """st.plotly_chart of func(*args, **kwargs) (a smarketing.charts builder), the figure built once per distinct
    input and shared by every session: building a plotly figure costs tens of milliseconds a page run, and so
    does a copy of one (st.cache_data's unpickling validates it again), so the one figure object is handed out
    (st.plotly_chart only reads it)."""
    unmask = access.show_personal_data()  # a chart's labels are data too: a phone in a return reason is masked
    args = [privacy.mask_frame(a, unmask=unmask) if isinstance(a, pd.DataFrame) else a for a in args]
    figure = _figure(f"{func.__module__}.{func.__qualname__}@{language()}", func, *args, **kwargs)  # titles are words
    return st.plotly_chart(figure, width="stretch", key=key)
