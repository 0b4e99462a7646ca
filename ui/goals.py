"""The Goals page: an editable table of goals (defaults shown where the office set none), validated, saved at once."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import kpi
from ui import data
from ui.format import md_escape

GOAL_COLUMNS = ["kpi_id", "fiscal_year", "scope_type", "scope_value", "target", "at_risk", "source", "note"]
SCOPES = ["department", "category"]
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
    """Check edited goals; returns (goals to store, problems that block saving, notes on what was adjusted).

    Shares typed as percentages (25 for 25%) are converted to fractions and said so. Targets and
    at-risk limits must sit on the right side of each other for the KPI's direction.
    """
    problems: list[str] = []
    notes: list[str] = []
    keep = []
    seen: set = set()
    for i, row in enumerate(frame.reindex(columns=GOAL_COLUMNS).to_dict("records"), start=1):
        if all(_blank(row.get(c)) for c in GOAL_COLUMNS):
            continue
        kid = str(row.get("kpi_id") or "").strip()
        where = f"Row {i}"
        k = kpi.KPIS.get(kid)
        if k is None:
            problems.append(f"{where}: unknown KPI id {md_escape(kid) or '(empty)'}; choose one from the list.")
            continue
        where = f"Row {i} ({md_escape(k.title)})"
        target, at_risk = _num(row.get("target")), _num(row.get("at_risk"))
        if target is None and str(row.get("source") or "").startswith(DEFAULT_PREFIX):
            continue  # a KPI whose default goal is left to the office, still unset
        if target is None:
            problems.append(f"{where}: the target is empty.")
            continue
        if k.unit == "share":
            if target > 1 or (at_risk is not None and at_risk > 1):
                if target <= 100 and (at_risk is None or at_risk <= 100):
                    target = target / 100
                    at_risk = at_risk / 100 if at_risk is not None else None
                    notes.append(f"{where}: read as percentages ({target:.0%}).")
                else:
                    problems.append(f"{where}: a share goal is a percentage between 0 and 100.")
                    continue
            if target < 0 or (at_risk is not None and at_risk < 0):
                problems.append(f"{where}: a share goal cannot be negative.")
                continue
        if at_risk is not None:
            if k.direction == "higher" and at_risk > target:
                problems.append(f"{where}: higher is better, so the at-risk limit must be at or below the target.")
                continue
            if k.direction == "lower" and at_risk < target:
                problems.append(f"{where}: lower is better, so the at-risk limit must be at or above the target.")
                continue
        fy = row.get("fiscal_year")
        if not _blank(fy):
            fy_num = _num(fy)
            if fy_num is None or not 1990 <= fy_num <= 2100 or fy_num != int(fy_num):
                problems.append(f"{where}: fiscal year {md_escape(fy)} is not a year like 2026.")
                continue
            fy = int(fy_num)
        else:
            fy = None
        scope_type = None if _blank(row.get("scope_type")) else str(row["scope_type"]).strip().lower()
        scope_value = None if _blank(row.get("scope_value")) else str(row["scope_value"]).strip()
        if scope_type is not None and scope_type not in SCOPES:
            problems.append(f"{where}: scope must be department or category.")
            continue
        if (scope_type is None) != (scope_value is None):
            problems.append(f"{where}: give both the scope (department or category) and its name, or neither.")
            continue
        key = (kid, fy, scope_type, scope_value)
        if key in seen:
            problems.append(f"{where}: a second goal for the same KPI, year and scope.")
            continue
        seen.add(key)
        clean = {"kpi_id": kid, "fiscal_year": fy, "scope_type": scope_type, "scope_value": scope_value,
                 "target": target, "at_risk": at_risk, "source": None if _blank(row.get("source")) else
                 str(row["source"]), "note": None if _blank(row.get("note")) else str(row["note"])}
        if not is_default_row(clean):
            if str(clean["source"] or "").startswith(DEFAULT_PREFIX):
                clean["source"] = "Set by your office (was " + clean["source"][len(DEFAULT_PREFIX):] + ")"
            keep.append(clean)
    stored = pd.DataFrame(keep, columns=GOAL_COLUMNS)
    stored["fiscal_year"] = stored["fiscal_year"].astype("Int64")
    return stored, problems, notes


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
    st.caption(f"{len(clean)} goals set by your office; the other KPIs use their default goals. "
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
    st.toast(f"Imported {len(clean)} goals from {upload.name}", icon=":material/upload:")
    st.rerun()
