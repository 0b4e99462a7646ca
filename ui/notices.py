"""Banners and notices: sample data, missing data (which export fills it), errors that keep the page alive."""

from __future__ import annotations

import re

import streamlit as st

from ui.format import md_escape

DATA_PAGE = "app_pages/data.py"

# Which export from an ERP or e-procurement system fills each canonical table.
EXPORT_FOR_TABLE = {
    "solicitations": "the solicitation or bid log from your e-procurement system "
                     "(Bonfire, OpenGov, Periscope, Munis bids): one row per IFB, RFP, RFQ or sole source",
    "bids": "the bid tabulation: one row per bid or proposal received",
    "contracts": "the contract register from your ERP (Munis, Oracle, SAP, PeopleSoft): "
                 "one row per contract with start and end dates and amounts",
    "payments": "the check register or accounts-payable payment export: one row per payment, "
                "with invoice dates for the payment KPIs",
    "vendors": "the vendor master or certified-firm list, with certifications (MBE, WBE, SBE...)",
    "evaluations": "the vendor performance evaluations: contract, due date, completed date, score",
    "engagements": "the market-research log: RFIs, sources-sought notices, industry days, one-on-ones",
    "contract_metrics": "the key contracts' performance metrics: contract, metric, target, higher or lower is "
                        "better (or record them on the Contract performance page)",
    "metric_results": "the metrics' reported results: contract, metric, period end, value (or enter them on the "
                      "Contract performance page)",
    "checkins": "the log of performance meetings with vendors: contract, meeting date, open actions (or log "
                "them on the Contract performance page)",
}


def sample_banner(tables: list[str] | None = None, whole: bool = True) -> None:
    """The sample city's notice: the whole workspace, or the tables that still hold it."""
    if whole:
        text = ("**Sample data.** You are looking at a fictional city, loaded so the app has something to show. "
                "Import your own exports on the Data page; you choose then whether the sample goes at once or "
                "table by table.")
    else:
        text = ("**Partly sample data.** These tables still hold the fictional city's rows: "
                f"{md_escape(', '.join(tables or []))}. Figures that use them mix the sample with your data until "
                "you import your own or remove the sample on the Data page.")
    st.info(text, icon=":material/science:")


def table_of(missing_item) -> str:
    """'payments.invoice_received_date' or 'payments (no rows)' -> 'payments'."""
    match = re.match(r"\s*([a-z_]+)", str(missing_item))
    return match.group(1) if match else str(missing_item)


def _tables_of(missing) -> list[str]:
    return list(dict.fromkeys(table_of(m) for m in missing or ()))


def missing_data(missing, *, what: str = "This KPI") -> None:
    """Say what is missing, which export would fill it, and link to the Data page."""
    cols = ", ".join(f"`{str(m).replace('`', '')}`" for m in (missing or ())) or "its data"
    lines = [f"**{md_escape(what)} has no data yet.** It needs {cols}."]
    for table in _tables_of(missing):
        if table in EXPORT_FOR_TABLE:
            lines.append(f"- *{table}*: import {EXPORT_FOR_TABLE[table]}.")
    with st.container(border=True):
        st.markdown("\n".join(lines))
        st.page_link(DATA_PAGE, label="Import it on the Data page", icon=":material/upload_file:")


def no_rows(what: str = "These filters") -> None:
    st.info(f"{md_escape(what)} leave no records. Widen the filters in the sidebar.",
            icon=":material/filter_alt_off:")


def as_of_header(view, *, empty: bool = False) -> None:
    """The top line of every page: the data-through date, the period shown and its comparison, and any table
    whose data ends well before the others ('Payments end 31 Mar 2026')."""
    from kpi.format import format_date
    from ui import data, filters

    kpi_source_notice()
    if empty:
        return
    line = f"**Data through {format_date(data.as_of())}** · {filters.period_line(view)}"
    st.caption(md_escape(line).replace("\\*\\*", "**"), help="The data-through date is the latest date in the "
               "imported data (or the workspace's as_of setting); every page, export and slide uses it.")
    for note in data.lag_notes():
        st.caption(f":material/schedule: {md_escape(note)}: figures that need them stop there.")


def kpi_source_notice() -> None:
    """Where the numbers come from, when the office named a database for them (said on every page): the
    database (without its password), or why it is not used and that the workspace's data is shown instead."""
    from ui import data

    state = data.kpi_source_state()
    if state is None:
        return
    if state.source is not None:
        st.caption(f":material/database: KPIs computed in the database {md_escape(state.display)}",
                   help="Set by PROCUREMENT_KPI_SOURCE or [kpi_source] in .streamlit/secrets.toml. Goals, "
                        "settings, imports and contract-performance records stay in the workspace.")
        return
    again = ("the next time a page is opened or changed" if state.retry_after == 0 else
             "in a few seconds, when a page is opened or changed" if state.retry_after < 30 else "in a minute")
    st.warning(f"The KPIs could not be computed in {md_escape(state.display)}: {md_escape(state.error)}. "
               f"The numbers below come from the workspace's data instead; the database is tried again {again}.",
               icon=":material/database:")


def imports_notice() -> None:
    """On the Data page, with the KPIs computed in the office's database: files imported here go to the
    workspace, which the KPIs use only while the database cannot be reached."""
    from ui import data

    state = data.kpi_source_state()
    if state is None or state.source is None:
        return
    st.info(f"The KPIs are computed in the database {md_escape(state.display)}. Files imported here are kept in "
            "the workspace: they change the KPIs only while the database cannot be reached, or once the workspace "
            "is published to the database (`python -m storage publish`, which replaces the tables it writes).",
            icon=":material/database:")
