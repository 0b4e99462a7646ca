"""The Goals page: an editable table of goals (defaults shown where the office set none), validated, saved at once."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import kpi
from kpi import goals as kpi_goals
from kpi.format import plural
from ui import data
from ui.format import md_escape

GOAL_COLUMNS = list(kpi_goals.GOAL_COLUMNS)
SCOPES = list(kpi_goals.SCOPE_TYPES)
DEFAULT_PREFIX = "Default: "
EDITOR_KEY = "goals-editor"


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or (isinstance(x, str) and not x.strip()) or (
        not isinstance(x, str) and pd.isna(x))


def with_defaults(stored: pd.DataFrame) -> pd.DataFrame:
    """The stored goals plus, for every KPI without an office-wide goal, a row holding its default."""
    stored = stored.reindex(columns=GOAL_COLUMNS) if stored is not None else pd.DataFrame(columns=GOAL_COLUMNS)
    office_wide = set(stored.loc[stored["fiscal_year"].isna() & stored["scope_type"].isna(), "kpi_id"].astype(str))
    rows = []
    for k in kpi.KPIS.values():
        goal = getattr(k, "goal", None)
        if k.id in office_wide or goal is None:
            continue
        rows.append({"kpi_id": k.id, "fiscal_year": None, "scope_type": None, "scope_value": None,
                     "target": _num(getattr(goal, "target", None)), "at_risk": _num(getattr(goal, "at_risk", None)),
                     "source": DEFAULT_PREFIX + str(getattr(goal, "source", "") or "none; set by your office"),
                     "note": None})
    frame = pd.concat([stored, pd.DataFrame(rows, columns=GOAL_COLUMNS)], ignore_index=True) if rows else stored
    order = {kid: i for i, kid in enumerate(kpi.KPIS)}
    frame = frame.assign(_o=frame["kpi_id"].map(order)).sort_values(["_o", "fiscal_year"], kind="stable")
    frame = frame.drop(columns="_o").reset_index(drop=True)
    frame["unit"] = frame["kpi_id"].map(unit_hint)
    return frame


UNIT_HINTS = {"share": "share (0.25 or 25 = 25%)", "days": "days", "bids": "bids", "count": "count",
              "dollars": "dollars", "ratio": "ratio"}
BETTER = {"higher": "higher is better", "lower": "lower is better"}


def unit_hint(kpi_id) -> str:
    """'share (0.25 or 25 = 25%), higher is better': how to type a KPI's target."""
    k = kpi.KPIS.get(str(kpi_id))
    if k is None:
        return ""
    return ", ".join(x for x in (UNIT_HINTS.get(k.unit, k.unit), BETTER.get(k.direction, "")) if x)


def is_default_row(row: dict) -> bool:
    """An untouched default row (not stored: the registry keeps the default)."""
    k = kpi.KPIS.get(str(row.get("kpi_id")))
    goal = getattr(k, "goal", None)
    if goal is None or not str(row.get("source") or "").startswith(DEFAULT_PREFIX):
        return False
    return (_blank(row.get("fiscal_year")) and _blank(row.get("scope_type"))
            and _num(row.get("target")) == _num(getattr(goal, "target", None))
            and _num(row.get("at_risk")) == _num(getattr(goal, "at_risk", None)))


def validate(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Check edited goals with kpi.goals.validate_goals (the rules of the goals file and storage); returns
    (goals to store, problems that block saving, notes on what was adjusted).

    Untouched default rows, and defaults the office has not set yet (no target), are not stored."""
    rows, numbers = [], []
    for i, row in enumerate(frame.reindex(columns=GOAL_COLUMNS).to_dict("records"), start=1):
        unset_default = _num(row.get("target")) is None and str(row.get("source") or "").startswith(DEFAULT_PREFIX)
        if not unset_default:
            rows.append(row)
            numbers.append(i)
    check = kpi_goals.validate_goals(rows, noun="row", numbers=numbers, words=kpi_goals.PAGE_WORDS,
                                     kpi_name=lambda k: kpi.KPIS[k].title)
    keep = []
    for clean in check.goals.to_dict("records"):
        clean = {c: (None if _blank(v) or str(v) in ("nan", "None", "<NA>") else v) for c, v in clean.items()}
        if is_default_row(clean):
            continue
        if str(clean["source"] or "").startswith(DEFAULT_PREFIX):
            clean["source"] = "Set by your office (was " + clean["source"][len(DEFAULT_PREFIX):] + ")"
        keep.append(clean)
    stored = pd.DataFrame(keep, columns=GOAL_COLUMNS)
    stored["fiscal_year"] = stored["fiscal_year"].astype("Int64")
    return stored, [md_escape(p) for p in check.problems], [md_escape(n) for n in check.notes]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    cols = GOAL_COLUMNS
    a = a.reindex(columns=cols).astype(str).reset_index(drop=True)
    b = b.reindex(columns=cols).astype(str).reset_index(drop=True)
    return a.equals(b)


def editor() -> None:
    """The goals table; a valid edit is saved to the workspace at once, a wrong one is explained."""
    ws = data.workspace()
    stored = ws.goals()
    if "_goals_base" not in st.session_state:
        st.session_state["_goals_base"] = with_defaults(stored)
    base = st.session_state["_goals_base"]
    titles = {k.id: k.title for k in kpi.KPIS.values()}
    edited = st.data_editor(
        base, key=EDITOR_KEY, num_rows="dynamic", hide_index=True,
        column_order=["kpi_id", "target", "at_risk", "unit", "fiscal_year", "scope_type", "scope_value", "source",
                      "note"],
        column_config={
            "kpi_id": st.column_config.SelectboxColumn("KPI", options=list(titles), required=True, width="medium",
                                                     format_func=lambda i: titles.get(i, i)),
            "unit": st.column_config.TextColumn("Unit", disabled=True, width="medium"),
            "fiscal_year": st.column_config.NumberColumn("Fiscal year", help="Empty: every year", format="%d",
                                                         min_value=1990, max_value=2100, step=1),
            "scope_type": st.column_config.SelectboxColumn("Scope", options=SCOPES,
                                                           help="Empty: the whole office"),
            "scope_value": st.column_config.TextColumn("Department or category"),
            "target": st.column_config.NumberColumn("Target", help="Shares as percentages or fractions"),
            "at_risk": st.column_config.NumberColumn("At-risk limit", help="Inclusive, like the target"),
            "source": st.column_config.TextColumn("Source", width="medium"),
            "note": st.column_config.TextColumn("Note"),
        },
    )
    clean, problems, notes = validate(edited)
    for problem in problems:
        st.error(problem, icon=":material/error:")
    if problems:
        st.caption("Nothing is saved until every row is right.")
        return
    if not _same(clean, stored.reindex(columns=GOAL_COLUMNS)):
        ws.save_goals(clean)
        st.toast("Goals saved", icon=":material/save:")
        for note in notes:
            st.info(note)
    st.caption(f"{plural(len(clean), 'goals')} set by your office; the other KPIs use their default goals. "
               "Every edit is saved at once.")


def reset_editor(goals: pd.DataFrame) -> None:
    st.session_state["_goals_base"] = with_defaults(goals)
    st.session_state.pop(EDITOR_KEY, None)


GOALS_FILE = "goals.toml"


def goals_file_bytes(goals: pd.DataFrame) -> bytes:
    """The office's goals as the goals file kpi reads back (TOML)."""
    return kpi.dump_goals_file(goals).encode("utf-8")


def export_button() -> None:
    stored = data.workspace().goals()
    st.download_button("Export the goals file", data=lambda: goals_file_bytes(stored), file_name=GOALS_FILE,
                       mime="application/toml", key="goals-export", on_click="ignore", icon=":material/download:",
                       help="Keep it under your office's control; import it here to restore or share goals.")


def import_uploader() -> None:
    """Replace the goals with a goals file; an unknown KPI id or key is named and nothing changes."""
    import tempfile
    from pathlib import Path

    upload = st.file_uploader("Import a goals file", type=["toml", "csv"], key="goals-import")
    if upload is None or st.session_state.get("_goals_imported") == upload.file_id:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            loaded = kpi.load_goals_file(path)
        except Exception as exc:  # noqa: BLE001 - the message names the bad id or key
            st.error(f"{md_escape(upload.name)}: {md_escape(exc)}", icon=":material/error:")
            return
    clean, problems, _ = validate(loaded)
    if problems:
        for problem in problems:
            st.error(problem, icon=":material/error:")
        return
    data.workspace().save_goals(clean)
    st.session_state["_goals_imported"] = upload.file_id
    reset_editor(clean)
    st.toast(f"Imported {plural(len(clean), 'goals')} from {upload.name}", icon=":material/upload:")
    st.rerun()
