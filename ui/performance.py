"""The Contract performance page's sections: key contracts against their targets, check-ins due, one contract's
record, and the forms that record metrics, results and check-ins (with the audit log)."""

from __future__ import annotations

import datetime as dt
import getpass

import pandas as pd
import streamlit as st

import kpi
from charts.performance import metric_trend
from kpi import performance as kp
from ui import data
from ui.charts import csv_button
from ui.format import format_money, md_escape
from ui.notices import missing_data
from ui.tables import show_table

PAGE = "app_pages/performance.py"
STATUS_MARK = {kp.OFF_TRACK: "✗ Off track", kp.ON_TRACK: "✓ On track", kp.NO_RESULT: "– No result yet",
               kp.NO_TARGET: "○ No target", kp.NO_METRICS: "○ No metrics"}
CHECKIN_MARK = {kp.CHECKED_IN: "✓ Checked in", kp.DUE: "! Due", kp.OVERDUE: "✗ Overdue"}
KPI_IDS = ("offtrack_key_contract_share", "quarterly_checkin_rate", "contracts_with_metrics_share",
           "repeat_awards_with_evaluation_share")
MEETING_TYPES = ("Quarterly review", "Site visit", "Call", "Kick-off", "Close-out")


def current_user() -> str:
    """Who is recording: the app's signed-in user where Streamlit knows one, else the machine's user."""
    try:
        if st.user.is_logged_in:
            return str(st.user.get("name") or st.user.get("email"))
    except (AttributeError, KeyError):
        pass
    return getpass.getuser()


def _args():
    return data.workspace_path(), data.version(), data.as_of(), data.fy_start_month()


# Read where the KPIs are computed (data.source(): the workspace's files, or the office's database), so the
# lists agree with the KPIs below them; only the small tables and the contracts' own fields are fetched.
@st.cache_data(max_entries=8, show_spinner=False)
def _key_contracts(path, ver, as_of, fy):
    return kp.key_contracts(data._source(path, ver), as_of=as_of, fy_start_month=fy)


@st.cache_data(max_entries=8, show_spinner=False)
def _metric_status(path, ver, as_of):
    return kp.metric_status(data._source(path, ver), as_of=as_of)


@st.cache_data(max_entries=8, show_spinner=False)
def _checkins_due(path, ver, as_of, fy):
    return kp.checkins_due(data._source(path, ver), as_of=as_of, fy_start_month=fy)


def _has_contracts() -> bool:
    src = data.source()
    return src.has("contracts") and src.rows("contracts") > 0


def open_contract(contract_id: str | None) -> None:
    if contract_id:
        st.query_params["contract"] = contract_id
    else:
        st.query_params.pop("contract", None)


# ----------------------------------------------------------------------------- the overview


def overview() -> None:
    if not _has_contracts():
        missing_data(["contracts (table not loaded)"], what="Contract performance")
        return
    contracts = _key_contracts(*_args())
    due = _checkins_due(*_args())
    quarter = due["quarter"].iloc[0] if len(due) else ""
    off = int((contracts["status"] == kp.OFF_TRACK).sum())
    measured = int((contracts["metrics"] > 0).sum())
    cols = st.columns(3)
    cols[0].metric(f"Key contracts off track ({quarter})" if quarter else "Key contracts off track",
                   f"{off} of {measured}",
                   help="Key contracts active this quarter that have metrics, each judged on its latest result: off "
                        "track when it misses the target on any metric.")
    cols[1].metric(f"Check-ins overdue ({quarter})" if quarter else "Check-ins overdue",
                   int((due["status"] == kp.OVERDUE).sum()))
    cols[2].metric(f"Check-ins still due ({quarter})" if quarter else "Check-ins still due",
                   int((due["status"] == kp.DUE).sum()))
    if contracts.empty:
        st.info("No key contract is active. Mark key contracts in your contract register (a \"Key contract\" "
                "column) or add metrics to a contract below.", icon=":material/info:")
    else:
        st.subheader("Key contracts, off track first")
        _contracts_table(contracts)
        st.selectbox("Open a contract's page", [""] + list(contracts["contract_id"]),
                     format_func=lambda c: "Choose a contract…" if not c else _contract_label(contracts, c),
                     key="open-contract", on_change=_open_chosen)
        st.subheader("Each metric against its target")
        status = _metric_status(*_args()[:2], data.as_of())
        _metrics_table(status, set(contracts["contract_id"]))
        with st.expander("By metric: which measures key contracts miss most"):
            summary = kp.by_metric(status, contracts["contract_id"])
            st.dataframe(summary.rename(columns={"metric_name": "Metric", "contracts": "Key contracts reporting it",
                                                 "off_track": "Off track on it", "off_track_share": "Share off track"}),
                         hide_index=True, key="by-metric",
                         column_config={"Share off track": st.column_config.NumberColumn(format="percent")})
    st.subheader(f"Check-ins this quarter ({quarter})" if quarter else "Check-ins this quarter")
    st.caption("Every key contract should meet its vendor at least once a quarter. Overdue: none this quarter "
               "and none the quarter before.")
    _due_table(due)


def _open_chosen() -> None:
    """The picker opens the contract's page (its URL) and goes back to blank for the next visit."""
    open_contract(st.session_state.get("open-contract") or None)
    st.session_state["open-contract"] = ""


def _contract_label(contracts: pd.DataFrame, contract_id: str) -> str:
    row = contracts[contracts["contract_id"] == contract_id].iloc[0]
    extra = " · ".join(str(x) for x in (row.get("title"), row.get("vendor_name")) if isinstance(x, str) and x)
    return f"{contract_id} — {extra}" if extra else contract_id


def _contracts_table(contracts: pd.DataFrame) -> None:
    shown = pd.DataFrame({
        "Contract": contracts["contract_id"],
        "Title": contracts["title"],
        "Vendor": contracts["vendor_name"],
        "Department": contracts["department"],
        "Status": contracts["status"].map(STATUS_MARK),
        "Metrics off track": [f"{o} of {m}" if m else "—" for o, m in zip(contracts["off_track"], contracts["metrics"],
                                                                         strict=True)],
        "This quarter's check-in": contracts["checkin"].map(CHECKIN_MARK),
        "Last check-in": pd.to_datetime(contracts["last_checkin_date"]),
        "Open actions": pd.array(contracts["open_actions"], dtype="Int64"),
        "Amount": contracts["current_amount"],
    })
    st.dataframe(shown, hide_index=True, key="key-contracts", column_config={
        "Last check-in": st.column_config.DateColumn(format="YYYY-MM-DD"),
        "Amount": st.column_config.NumberColumn(format="dollar")})


def _metrics_table(status: pd.DataFrame, contract_ids: set[str]) -> None:
    status = status[status["contract_id"].isin(contract_ids)]
    if status.empty:
        st.caption("No metrics recorded for the key contracts yet: add them under Record below.")
        return
    shown = pd.DataFrame({
        "Contract": status["contract_id"],
        "Metric": status["metric_name"],
        "Status": status["status"].map(STATUS_MARK),
        "Latest": [kp.format_metric(v, u, t) for v, u, t in zip(status["latest_value"], status["unit"],
                                                                 status["target"], strict=True)],
        "Target": [kp.format_target(t, u, d) for t, u, d in zip(status["target"], status["unit"],
                                                                 status["direction"], strict=True)],
        "Period ending": pd.to_datetime(status["latest_period_end"]),
        "Trend": status["trend"],
    })
    st.dataframe(shown, hide_index=True, key="metric-status", column_config={
        "Period ending": st.column_config.DateColumn(format="YYYY-MM-DD"),
        "Trend": st.column_config.LineChartColumn("Trend (last results)")})


def _due_table(due: pd.DataFrame) -> None:
    if due.empty:
        st.caption("No key contract is active this quarter.")
        return
    shown = pd.DataFrame({
        "Contract": due["contract_id"], "Title": due["title"], "Vendor": due["vendor_name"],
        "Check-in": due["status"].map(CHECKIN_MARK), "Due by": pd.to_datetime(due["due_by"]),
        "Last check-in": pd.to_datetime(due["last_checkin_date"]),
        "Open actions": pd.array(due["open_actions"], dtype="Int64"),
    })
    st.dataframe(shown, hide_index=True, key="checkins-due", column_config={
        "Due by": st.column_config.DateColumn(format="YYYY-MM-DD"),
        "Last check-in": st.column_config.DateColumn(format="YYYY-MM-DD")})


# ----------------------------------------------------------------------------- one contract


def contract_view(contract_id: str) -> bool:
    """The contract's own page; False when the contract is unknown (the caller shows the overview)."""
    detail = kp.contract_detail(data.source(), contract_id, as_of=data.as_of(), fy_start_month=data.fy_start_month())
    if detail is None:
        st.warning(f"There is no contract {md_escape(contract_id)} in the contracts table.", icon=":material/search_off:")
        return False
    c = detail["contract"]
    st.button("← All key contracts", on_click=open_contract, args=(None,), key="back")
    st.header(f"{md_escape(contract_id)}: {md_escape(c.get('title') or '')}".rstrip(": "), anchor=False)
    amount = c.get("current_amount") if c.get("current_amount") is not None else c.get("original_amount")
    facts = {"Vendor": c.get("vendor_name") or c.get("vendor_id") or "—", "Amount": format_money(amount),
             "Term": f"{_d(c.get('start_date'))} – {_d(c.get('end_date')) or 'open-ended'}",
             "Department": c.get("department") or "—"}
    for col, (label, value) in zip(st.columns([3, 2, 3, 3]), facts.items(), strict=True):
        col.caption(label)
        col.markdown(f"**{md_escape(value)}**")
    checkin = CHECKIN_MARK.get(detail["checkin"], "not a key contract this quarter")
    st.markdown(f"**Check-in {md_escape(detail['quarter'])}:** {checkin}. "
                f"**Open actions from the last meeting:** {_n(detail['open_actions'])}"
                + (f" (meeting of {_d(detail['last_checkin_date'])})" if detail["last_checkin_date"] is not None else ""))
    _download_pack(contract_id)
    st.subheader("Metrics against their targets")
    metrics = detail["metrics"]
    if metrics.empty:
        st.caption("This contract has no metrics yet: add them under Record below.")
    else:
        _metrics_table(metrics, {contract_id})
        cols = st.columns(2)
        for i, m in enumerate(metrics.to_dict("records")):
            res = detail["results"][detail["results"]["metric_id"] == m["metric_id"]]
            if res.empty:
                continue
            chart = metric_trend(res, title=str(m["metric_name"]), target=m["target"], unit=m["unit"],
                                 direction=m["direction"], width=420)
            cols[i % 2].altair_chart(chart, key=f"trend-{i}")
    st.subheader("Check-ins")
    ch = detail["checkins"]
    show_table(ch[[c for c in ("meeting_date", "meeting_type", "open_actions", "notes") if c in ch.columns]]
               .rename(columns={"meeting_date": "Meeting date", "meeting_type": "Meeting", "open_actions": "Open actions",
                                "notes": "Notes"}), key="contract-checkins")
    st.subheader("Vendor evaluations")
    ev = detail["evaluations"]
    if ev.empty:
        st.caption("No evaluation of this contract is on file.")
    else:
        shown = pd.DataFrame({
            "Due": [_d(x) for x in ev["due_date"]],
            "Completed": [_d(x) or "not completed" for x in ev["completed_date"]],
            "Score": ["" if pd.isna(x) else f"{x:.0%}" for x in ev["score"]],
            "Rating": ev["rating"].fillna(""),
        })
        st.dataframe(shown, hide_index=True, key="contract-evaluations")
    return True


def _d(value) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


def _n(value) -> str:
    return "none recorded" if value is None or pd.isna(value) else f"{int(value)}"


def _download_pack(contract_id: str) -> None:
    from exports.checkin import checkin_pptx, pack_file_name

    as_of, fy, office = data.as_of(), data.fy_start_month(), data.settings().get("office_name") or ""
    st.download_button("Download the check-in pack (PowerPoint)", key="pack",
                       data=data.on_kpi_source(lambda tables: checkin_pptx(tables, contract_id, as_of=as_of,
                                                                           fy_start_month=fy, office=office)),
                       file_name=pack_file_name(contract_id, as_of),
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       icon=":material/slideshow:")


# ----------------------------------------------------------------------------- recording


def record_section(contract_id: str | None = None) -> None:
    st.subheader("Record")
    st.caption("What you record here is saved in the workspace (and kept through any re-import of a file), "
               "with your name and the time in the log below.")
    recorded_elsewhere_notice()
    if not _has_contracts():
        return
    keyed = _key_contracts(*_args())
    choices = list(dict.fromkeys([*([contract_id] if contract_id else []), *keyed["contract_id"],
                                  *kp.contract_ids(data.source())]))
    results, checkin, metrics, log = st.tabs(["Enter a quarter's results", "Log a check-in", "Metrics", "Who recorded what"])
    with results:
        _results_form(choices, contract_id)
    with checkin:
        _checkin_form(choices, contract_id)
    with metrics:
        _metrics_editor(choices, contract_id)
    with log:
        _audit()


def _pick(choices: list[str], contract_id: str | None, key: str) -> str | None:
    if contract_id:
        return contract_id
    return st.selectbox("Contract", choices, index=None, placeholder="Choose a contract…", key=key)


def _last_quarter_end(as_of) -> dt.date:
    day = pd.Timestamp(as_of or dt.date.today())
    return (day - pd.offsets.QuarterEnd(0) if day.is_quarter_end else day - pd.offsets.QuarterEnd(1)).date()


def _save(table: str, rows: pd.DataFrame, keys: tuple[str, ...], what: str) -> None:
    try:
        data.workspace().record_rows(table, rows, keys=keys, user=current_user())
    except Exception as exc:  # noqa: BLE001 - the workspace's message says what to do
        st.error(f"Nothing was saved: {md_escape(exc)}", icon=":material/error:")
        return
    st.session_state["_recorded"] = what
    st.rerun()


def _problems(problems: list[str]) -> None:
    st.error("Nothing was saved. Fix these and save again:\n\n" + "\n".join(f"- {md_escape(p)}" for p in problems),
             icon=":material/error:")


def _results_form(choices, contract_id) -> None:
    cid = _pick(choices, contract_id, "results-contract")
    if not cid:
        return
    defs = kp.metric_status(data.source(), as_of=data.as_of(), contract_id=cid)
    if defs.empty:
        st.info("This contract has no metrics yet: add them on the Metrics tab first.", icon=":material/info:")
        return
    with st.form(f"results-{cid}", clear_on_submit=True):
        period = st.date_input("Period ending", value=_last_quarter_end(data.as_of()), format="YYYY-MM-DD",
                               key=f"period-{cid}")
        entered = {}
        for m in defs.to_dict("records"):
            target = kp.format_target(m["target"], m["unit"], m["direction"])
            entered[m["metric_id"]] = st.text_input(
                f"{m['metric_name']} (target {target})", key=f"value-{cid}-{m['metric_id']}",
                placeholder="92% or 0.92" if kp.reads_as_percent(m["unit"], m["target"]) else "a number")
        submitted = st.form_submit_button("Save results", type="primary")
    if submitted:
        rows = pd.DataFrame([{"contract_id": cid, "metric_id": mid, "period_end": period, "value": v}
                             for mid, v in entered.items() if str(v).strip()])
        if rows.empty:
            st.warning("Enter at least one value.", icon=":material/edit:")
            return
        clean, problems = kp.check_results(rows, data.source())
        if problems:
            _problems(problems)
        else:
            _save("metric_results", clean, kp.RESULT_KEYS, f"{len(clean)} result(s) for {cid}")


def _checkin_form(choices, contract_id) -> None:
    with st.form("checkin", clear_on_submit=True):
        cid = contract_id or st.selectbox("Contract", choices, index=None, placeholder="Choose a contract…",
                                          key="checkin-contract")
        when = st.date_input("Meeting date", value=data.as_of() or dt.date.today(), format="YYYY-MM-DD",
                             key="checkin-date")
        kind = st.selectbox("Meeting", MEETING_TYPES, key="checkin-type")
        actions = st.number_input("Open actions after the meeting", min_value=0, step=1, value=0,
                                  key="checkin-actions")
        notes = st.text_area("Notes", key="checkin-notes")
        submitted = st.form_submit_button("Save the check-in", type="primary")
    if submitted:
        rows = pd.DataFrame([{"contract_id": cid or "", "meeting_date": when, "meeting_type": kind,
                              "open_actions": str(actions), "notes": notes}])
        clean, problems = kp.check_checkins(rows, data.source())
        if problems:
            _problems(problems)
        else:
            _save("checkins", clean, kp.CHECKIN_KEYS, f"the check-in of {when:%d %b %Y} for {cid}")


def _metrics_editor(choices, contract_id) -> None:
    cid = _pick(choices, contract_id, "metrics-contract")
    if not cid:
        return
    defs = kp.metric_status(data.source(), as_of=data.as_of(), contract_id=cid)
    frame = pd.DataFrame({
        "metric_id": defs["metric_id"].astype("str"), "metric_name": defs["metric_name"].astype("str"),
        "unit": defs["unit"].astype("str"),
        "direction": defs["direction"].map({"higher is better": "higher", "lower is better": "lower"}).astype("str"),
        "target": [kp.format_metric(t, u, t) if pd.notna(t) else "" for t, u in zip(defs["target"], defs["unit"],
                                                                                   strict=True)],
    })
    st.caption("One row per metric. Percent targets as 95% or 0.95. A metric with the same code replaces the "
               "earlier one.")
    edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, key=f"metrics-{cid}", column_config={
        "metric_id": st.column_config.TextColumn("Metric code", required=True),
        "metric_name": st.column_config.TextColumn("Metric"),
        "unit": st.column_config.SelectboxColumn("Unit", options=["percent", "days", "hours", "count", "dollars",
                                                                  "score"]),
        "direction": st.column_config.SelectboxColumn("Better when", options=["higher", "lower"], required=True),
        "target": st.column_config.TextColumn("Target"),
    })
    if st.button("Save metrics", type="primary", key=f"save-metrics-{cid}"):
        rows = edited.assign(contract_id=cid, frequency="quarterly")
        clean, problems = kp.check_metrics(rows, data.source())
        if problems:
            _problems(problems)
        elif clean.empty:
            st.warning("Add at least one metric.", icon=":material/edit:")
        else:
            _save("contract_metrics", clean, kp.METRIC_KEYS, f"{len(clean)} metric(s) of {cid}")


RECORDED_TABLES = {"metric_results": "Results", "checkins": "Check-ins", "contract_metrics": "Metrics"}


def _audit() -> None:
    log = data.workspace().audit_log()
    if log.empty:
        st.caption("Nothing has been recorded in the app yet.")
        return
    state = data.kpi_source_state()
    if state is not None and state.source is not None:
        st.caption("What was recorded here, as the workspace holds it, for the database's tables of the same names:")
        row = st.container(horizontal=True)
        with row:
            for table, label in RECORDED_TABLES.items():
                rows = data.workspace().recorded(table)
                if len(rows):
                    csv_button(rows, f"recorded_{table}", key=f"recorded-{table}-csv",
                               label=f"{label} recorded here (CSV)")
    names = {"metric_results": "result", "checkins": "check-in", "contract_metrics": "metric"}
    shown = pd.DataFrame({
        "When": log["at"], "Who": log["user"],
        "What": [f"{a} {names.get(t, t)}" for a, t in zip(log["action"], log["table"], strict=True)],
        "Record": [" · ".join(str(v) for v in r.values()) for r in log["record"]],
        "Values": [", ".join(f"{k.replace('_', ' ')} {b.get(k, '')} → {v}" if b else f"{k.replace('_', ' ')} {v}"
                             for k, v in a.items() if k not in r)
                   for a, b, r in zip(log["after"], log["before"], log["record"], strict=True)],
    })
    st.dataframe(shown, hide_index=True, key="audit", column_config={
        "When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})


def recorded_elsewhere_notice() -> None:
    """With the KPIs computed in the office's database, what is recorded here stays in the workspace: said
    plainly, since the lists and KPIs above (read from the database) do not include it."""
    state = data.kpi_source_state()
    if state is None or state.source is None:
        return
    st.info(f"The lists and KPIs on this page are read from the database {md_escape(state.display)}. Results, "
            "check-ins and metrics recorded here are saved in the workspace only: they count on this page once "
            "they are in the database's contract_metrics, metric_results and checkins tables (download them from "
            "**Who recorded what**), and they are used at once whenever the database cannot be reached.",
            icon=":material/database:")


def recorded_notice() -> None:
    what = st.session_state.pop("_recorded", None)
    if what:
        st.success(f"Saved {md_escape(what)}.", icon=":material/check_circle:")


def kpis_section(view) -> None:
    from ui.theme import summary_table

    st.subheader("Contract performance KPIs")
    st.caption("Each KPI counts the whole period in its row, including key contracts that have ended since; the "
               "counts at the top of the page are this quarter's.")
    card = data.theme_scorecard(tuple(k for k in KPI_IDS if k in kpi.KPIS), view.filters, view.grain)
    summary_table(card, key="performance-kpis")
