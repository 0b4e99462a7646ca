"""The Data page's widgets: upload, per-sheet detection and preview, mapping editor, validation, import, history."""

from __future__ import annotations

import hashlib
import tempfile
import time
from pathlib import Path

import pandas as pd
import streamlit as st

import loaders
import sample_data
from kpi.format import plural
from loaders.mapping import ASK
from loaders.schema import METHODS, TABLES
from ui import data
from ui.charts import csv_button
from ui.format import label_escape, md_escape
from ui.mapping import column_choices, editor_columns, mapping_from_choices, mapping_problems, table_options
from ui.tables import show_records, show_table

UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "csv", "txt", "tsv", "parquet"]
NOT_RECOGNISED = "(not recognised: left out)"
RECODE_LIMIT = 30
SKIP = "(skip this sheet)"
PREVIEW_COLUMNS = 50


def _upload_dir() -> Path:
    folder = st.session_state.get("_upload_dir")
    if not folder or not Path(folder).is_dir():
        folder = tempfile.mkdtemp(prefix="kpi-upload-")
        st.session_state["_upload_dir"] = folder
    return Path(folder)


def keep_uploads(files) -> dict[str, str]:
    """Copy uploaded files to a session folder so they outlive the uploader; {file name: path}."""
    kept: dict[str, str] = st.session_state.setdefault("_uploads", {})
    for f in files or ():
        raw = f.getvalue()
        digest = hashlib.sha1(raw).hexdigest()[:12]
        path = _upload_dir() / digest / Path(f.name).name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw)
        kept[f.name] = str(path)
    return kept


def _inspect(path: str, name: str, sheet=None, table=None, mapping=None, duplicates=None, recodes=None):
    """loaders.inspect_file, remembered per file, sheet, table, mapping, repeated-ids choice and method recodes
    for this session."""
    key = ("_inspect", path, sheet, table, tuple(sorted((mapping or {}).items())), duplicates,
           tuple(sorted((recodes or {}).items())))
    cache = st.session_state.setdefault("_inspected", {})
    if key not in cache:
        cache[key] = loaders.inspect_file(path, sheet=sheet, table=table, mapping=mapping,
                                          workspace=data.workspace(), source_name=name, duplicates=duplicates,
                                          recodes=recodes or None)
    return cache[key]


def upload_section() -> None:
    show_flash()
    files = st.file_uploader("Upload exports (Excel or CSV). Several files at once are fine.",
                             type=UPLOAD_TYPES, accept_multiple_files=True, key="upload")
    kept = keep_uploads(files)
    if not kept:
        st.caption("Each sheet is read, classified as one of the canonical tables, and checked before "
                   "anything is imported. Nothing changes until you press Import.")
        return
    for name, path in list(kept.items()):
        file_section(name, path)
    if st.button("Clear uploaded files", icon=":material/clear_all:"):
        st.session_state["_uploads"] = {}
        st.session_state["_inspected"] = {}
        st.rerun()


def file_section(name: str, path: str) -> None:
    st.subheader(md_escape(name))
    try:
        parts = _inspect(path, name)
    except loaders.LoadError as exc:
        st.error(md_escape(exc), icon=":material/error:")  # the message names the file and what to do
        return
    except Exception as exc:  # noqa: BLE001 - one bad file never takes the page down
        st.error(f"**{md_escape(name)}** could not be read ({type(exc).__name__}: {md_escape(exc)}). "
                 "Save it again as .xlsx or .csv and retry.", icon=":material/error:")
        return
    if not parts:
        st.warning(f"No table found in **{md_escape(name)}**.")
        return
    for i, part in enumerate(parts):
        part_section(name, path, part, key=f"{hashlib.sha1(path.encode()).hexdigest()[:8]}-{i}")


def needs_choice(part) -> bool:
    """Whether the page asks which table a sheet is instead of preselecting its best guess."""
    return part.table is not None and float(part.confidence or 0) < ASK


def _part_title(part) -> str:
    sheet = f"sheet “{part.sheet}”" if part.sheet else "file"
    if part.table is None:
        return f"{sheet} → unrecognised"
    if needs_choice(part):
        return f"{sheet} → choose its table (looks most like {part.table}, {float(part.confidence or 0):.0%} sure)"
    return f"{sheet} → {part.table} ({float(part.confidence or 0):.0%} confidence)"


def _counts_line(part) -> str:
    return (f"{_header_phrase(part)} · {plural(part.rows_read, 'rows')} read · {part.rows_loaded:,} loadable "
            f"· {part.rows_excluded:,} excluded")


def part_section(name: str, path: str, part, *, key: str) -> None:
    with st.expander(label_escape(_part_title(part)), expanded=True):
        options = [SKIP, *table_options()]
        # A weak guess is not preselected: one click must not import a sheet into the wrong table.
        detected = part.table if part.table in options and not needs_choice(part) else SKIP
        table = st.selectbox("Table", options, index=options.index(detected), key=f"table-{key}",
                             help="Detected automatically; change it if the guess is wrong.")
        for note in getattr(part, "notes", None) or ():
            st.caption(f"Note: {md_escape(note)}")
        if table == SKIP:
            if part.table is None:
                st.warning("No canonical table recognised in this sheet. If it holds one, choose it above.")
            elif needs_choice(part):
                st.warning(f"Not sure what this sheet is: it looks most like **{part.table}**, but only "
                           f"{float(part.confidence or 0):.0%} sure. Check the preview and choose its table above.")
                show_table(part.preview.iloc[:, :PREVIEW_COLUMNS] if part.preview is not None else part.frame.head(20),
                           key=f"ask-{key}")
            else:
                st.caption("This sheet will not be imported.")
            return
        if table != part.table:
            part = _reinspect(path, name, part, table=table)
            if part is None:
                return
        summary = st.container()
        duplicates = duplicates_choice(part, key=key)
        if duplicates != (part.duplicates or {}).get("choice", duplicates):
            part = _reinspect(path, name, part, table=table, duplicates=duplicates) or part
        preview_tab, mapping_tab, issues_tab = st.tabs(["Preview", "Column mapping", "Validation"])
        with preview_tab:
            preview = part.preview if part.preview is not None else part.frame.head(20)
            if preview.shape[1] > PREVIEW_COLUMNS:
                st.caption(f"The first {PREVIEW_COLUMNS} of {preview.shape[1]:,} columns.")
                preview = preview.iloc[:, :PREVIEW_COLUMNS]
            show_table(preview, key=f"prev-{key}")
        with mapping_tab:
            mapping = mapping_editor(part, table, key=key)
        if mapping != dict(part.mapping or {}):
            part = _reinspect(path, name, part, table=table, mapping=mapping, duplicates=duplicates) or part
        with issues_tab:
            validation(part, key=key)
        recodes = dict(getattr(part, "recodes", None) or {})
        if "method" in TABLES[table].names:
            chosen = method_recoder(part, key=f"{key}-{table}")
            if chosen != recodes:
                recodes = chosen
                part = _reinspect(path, name, part, table=table, mapping=mapping, duplicates=duplicates,
                                  recodes=recodes) or part
        with summary:  # drawn last: the sheet as read with the user's table, mapping and choices
            st.caption(_counts_line(part))
            above_header(part)
            for warning in totals_warnings(part, name):
                st.warning(warning, icon=":material/functions:")
        problems = mapping_problems(mapping, table)
        for problem in problems:
            st.warning(problem)
        if pending_for(key):
            confirm_over_sample(name, path, part, table, mapping, key=key, duplicates=duplicates, recodes=recodes)
        elif st.button(f"Import {plural(part.rows_loaded, 'rows')} as {table}", key=f"import-{key}", type="primary",
                       disabled=bool(problems), icon=":material/download_done:") and not ask_before_sample(key):
            run_import(name, path, part, table, mapping, duplicates, recodes)


def totals_warnings(part, name: str) -> list[str]:
    """A warning per totals-row difference the loader found: file, sheet, row and the two totals."""
    issues = part.issues if isinstance(part.issues, pd.DataFrame) else pd.DataFrame()
    if issues.empty or "problem" not in issues:
        return []
    hits = issues[issues["problem"].astype(str) == loaders_totals_mismatch()]
    out = []
    for r in hits.itertuples():
        where = f"{name}" + (f", sheet “{part.sheet}”" if part.sheet else "") + f", row {int(r.row):,}"
        detail = str(r.value)
        out.append(f"**Totals differ** ({md_escape(where)}, column {md_escape(r.column)}): {md_escape(detail)}. "
                   "Check for rows the export left out or counted twice before relying on the totals.")
    return out


def loaders_totals_mismatch() -> str:
    from loaders.normalise import TOTALS_MISMATCH

    return TOTALS_MISMATCH


def confirm_over_sample(name: str, path: str, part, table: str, mapping: dict[str, str], *, key: str,
                        duplicates: str | None = None, recodes: dict[str, str] | None = None) -> None:
    """The file import's confirmation over the sample city (see sample_choice)."""
    choice = sample_choice(table, key=key)
    if choice is not None:
        run_import(name, path, part, table, mapping, duplicates, recodes, keep_sample=choice == KEEP)


KEEP, REPLACE = "keep", "replace"


def ask_before_sample(key: str) -> bool:
    """After an Import click: True when the sample city is shown, so the page asks first (sample_choice) on
    the rerun that follows; False when there is no sample to ask about."""
    if not data.settings().get("sample_data"):
        return False
    st.session_state["_pending_import"] = {"key": key}
    st.rerun()
    return True


def sample_choice(table: str, *, key: str) -> str | None:
    """Ask before an import replaces the sample city: KEEP the sample's other tables until the office's are
    in, REPLACE (remove the whole sample), or cancel (None, and the question goes away)."""
    others = [t for t in sample_data.sample_tables(data.workspace()) if t != table]
    with st.container(border=True, key="confirm-sample"):
        st.markdown(f"**The workspace shows the sample city.** Importing your {md_escape(table)} replaces the "
                    f"sample's {md_escape(table)}.")
        if others:
            st.markdown("You can keep the sample's other tables (" + md_escape(", ".join(others)) + ") until you "
                        "import yours; they stay labelled as sample data. Or remove the whole sample now, so no "
                        "fictional number is ever shown next to yours.")
        row = st.container(horizontal=True)
        with row:
            keep = st.button("Import, keep the other sample tables for now", key=f"keep-{key}", type="primary",
                             icon=":material/call_split:", disabled=not others)
            replace = st.button("Import and remove the whole sample", key=f"replace-{key}",
                                icon=":material/delete_sweep:")
            cancel = st.button("Cancel", key=f"cancel-{key}", icon=":material/close:")
    if cancel:
        st.session_state.pop("_pending_import", None)
        st.rerun()
    if keep or replace:
        st.session_state.pop("_pending_import", None)
        return KEEP if keep else REPLACE
    return None


def pending_for(key: str) -> bool:
    pending = st.session_state.get("_pending_import")
    return bool(pending) and pending.get("key") == key


def method_recoder(part, *, key: str) -> dict[str, str]:
    """Method values the vocabulary did not recognise, with their counts, each recodable to a method.

    Returns {value as written: method} (the part's current recodes plus the user's choices); a value left
    as "not recognised" stays out of the method-based KPIs with that reason."""
    current = dict(getattr(part, "recodes", None) or {})
    unknown = part.unrecognised_methods() if callable(getattr(part, "unrecognised_methods", None)) else {}
    if not unknown and not current:
        return current
    with st.expander(f"Methods not recognised ({len(unknown):,})", expanded=bool(unknown)):
        st.caption("These procurement methods are not in the app's vocabulary. Until you recode them they are "
                   "left out of the method-based measures (non-competitive share, bids per solicitation...) "
                   "with the reason \"method not recognised\", never counted as non-competitive. Your choices "
                   "are saved with this layout's mapping and reapplied next time.")
        options = [NOT_RECOGNISED, *METHODS]
        out = dict(current)
        shown = list(unknown.items())[:RECODE_LIMIT] + [(v, 0) for v in current if v not in unknown]
        if len(unknown) > RECODE_LIMIT:
            st.caption(f"The {RECODE_LIMIT} most frequent of {len(unknown):,} values.")
        for value, count in shown:
            pick = st.selectbox(label_escape(f"{value} ({plural(count, 'rows')})" if count else value), options,
                                index=options.index(current.get(value, NOT_RECOGNISED)),
                                key=f"recode-{key}-{value}")
            if pick == NOT_RECOGNISED:
                out.pop(value, None)
            else:
                out[value] = pick
    return out


def _header_phrase(part) -> str:
    if part.header_row:
        return f"Header found on row {part.header_row}"
    if getattr(part, "columns", None) and str(part.columns[0]) == "Column 1":
        return "No header row: columns are named by position (Column 1, Column 2...); name them under Column mapping"
    return "Column names from the file's format"


def above_header(part) -> None:
    """The lines above the header (titles, notes), so a user sees that nothing there was dropped unseen."""
    rows = getattr(part, "rows_above_header", None) or []
    if not rows:
        return
    shown = "; ".join(f"row {r}: {md_escape(text[:80])}" for r, text in rows[:3])
    more = f" and {len(rows) - 3:,} more" if len(rows) > 3 else ""
    st.caption(f"{plural(len(rows), 'rows')} above the header, not read as data ({shown}{more}). They are listed under "
               "Validation.")


DUPLICATE_LABELS = {"all": "Keep every row", "latest": "Keep only the latest row of each id"}


def duplicates_choice(part, *, key: str) -> str | None:
    """When an id repeats (amendments, modifications): keep every row, or only the latest of each id."""
    dup = getattr(part, "duplicates", None)
    if not dup:
        return None
    examples = ", ".join(md_escape(x) for x in dup["examples"][:3])
    verb = "repeats" if dup["ids"] == 1 else "repeat"
    st.warning(f"{plural(dup['ids'], 'ids')} {verb} on {plural(dup['rows'], 'rows')} (e.g. {examples}): amendments or "
               "modifications of the same record?", icon=":material/content_copy:")
    options = list(DUPLICATE_LABELS)
    return st.radio("Rows with a repeated id", options, index=options.index(dup["choice"]),
                    format_func=DUPLICATE_LABELS.get, horizontal=True, key=f"dups-{key}",
                    help="The latest row is the one with the latest date (or the last in the file). "
                         "Your choice is remembered with this layout's column mapping.")


def _reinspect(path, name, part, *, table, mapping=None, duplicates=None, recodes=None):
    try:
        parts = _inspect(path, name, sheet=part.sheet, table=table, mapping=mapping, duplicates=duplicates,
                         recodes=recodes)
    except Exception as exc:  # noqa: BLE001
        st.error(f"Could not read it as {table}: {md_escape(exc)}")
        return None
    return parts[0] if parts else None


def mapping_editor(part, table: str, *, key: str) -> dict[str, str]:
    """A choice per source column; suggested canonical columns first with their scores; * = required."""
    st.caption("Choose the canonical column for each column of the file. * marks required columns. "
               "A mapping you import with is remembered and reapplied when this layout comes back.")
    choices = column_choices(part, table)
    shown, rest = editor_columns(choices, extra=st.session_state.get(f"extra-{key}-{table}", ()))
    selected = {}
    columns = st.columns(2)
    for i, choice in enumerate(shown):
        with columns[i % 2]:
            selected[choice.source] = st.selectbox(
                label_escape(choice.source), choice.options, index=choice.options.index(choice.current),
                format_func=choice.labels.get, key=f"map-{key}-{choice.source}-{table}",
            )
    if rest:
        st.caption(f"{len(rest):,} more columns match nothing in the {table} table and are not used.")
        other = st.selectbox("Map one of them too", [c.source for c in rest], index=None,
                             placeholder="Choose a column", key=f"more-{key}-{table}")
        if other is not None:
            st.session_state[f"extra-{key}-{table}"] = (*st.session_state.get(f"extra-{key}-{table}", ()), other)
            st.session_state.pop(f"more-{key}-{table}", None)
            st.rerun()
    return mapping_from_choices(selected)


def validation(part, *, key: str) -> None:
    counts = part.issue_counts() if callable(getattr(part, "issue_counts", None)) else {}
    if counts:
        summary = pd.DataFrame({"problem": list(counts), "rows": list(counts.values())})
        show_records(summary, key=f"sum-{key}", drop=())
    else:
        st.success("No problems found in this sheet.", icon=":material/check_circle:")
    issues = part.issues if isinstance(part.issues, pd.DataFrame) else pd.DataFrame()
    if len(issues):
        st.caption(f"{len(issues):,} values or rows to review (row numbers as in Excel).")
        show_records(issues, key=f"iss-{key}", drop=())
        csv_button(issues, f"issues_{part.sheet or 'file'}", key=f"isscsv-{key}", label="Download issues (CSV)")


def run_import(name: str, path: str, part, table: str, mapping: dict[str, str], duplicates: str | None = None,
               recodes: dict[str, str] | None = None, *, keep_sample: bool = False) -> None:
    """Import one sheet. Over the sample city, the sample goes first in the same transaction: only the sample's
    rows of this table (`keep_sample`), or the whole sample; a failed import leaves everything as it was."""
    ws = data.workspace()
    with st.status(f"Importing {label_escape(name)} as {table}…", expanded=True) as status:
        bar = st.progress(0.05, text="Starting…")
        try:
            with ws.batch():  # one transaction: the sample city goes only if the import lands
                if data.settings().get("sample_data"):
                    if keep_sample:
                        bar.progress(0.15, text=f"Removing the sample's {table}…")
                        sample_data.remove_sample_table(ws, table)
                    else:
                        bar.progress(0.15, text="Removing the sample city…")
                        sample_data.remove_sample(ws)
                bar.progress(0.3, text="Reading, checking and saving (one transaction)…")
                results = loaders.import_file(path, ws, sheet=part.sheet, table=table, mapping=mapping,
                                              source_name=name, duplicates=duplicates, recodes=recodes or None)
        except Exception as exc:  # noqa: BLE001 - a failed import leaves the workspace as it was
            status.update(label=f"Import failed; nothing changed. {label_escape(exc)}", state="error")
            return
        bar.progress(1.0, text="Done")
        time.sleep(0.4)  # let "Done" reach the browser before the rerun below replaces the page
        skipped = [f"Not imported: {md_escape(r.skipped)}." for r in results if not r.imported]
        skipped += [w for r in results if r.imported for w in totals_warnings(r.part, name)]
        loaded = sum(r.part.rows_loaded for r in results if r.imported)
        excluded = sum(r.part.rows_excluded for r in results if r.imported)
        status.update(label="Imported", state="complete")
    data.prepare_overview()  # while the director reads the import's report
    # Rerun so that every number on the page (and the sample banner) reflects the new workspace.
    st.session_state["_inspected"] = {}
    st.session_state["_flash"] = (f"Imported {loaded:,} rows of {table} from {md_escape(name)}; {excluded:,} "
                                  "excluded (see Validation and the import history).", skipped)
    st.rerun()


def show_flash() -> None:
    """The outcome of the import that just ran (kept across the rerun that follows it)."""
    flash = st.session_state.pop("_flash", None)
    if flash:
        message, warnings = flash
        st.success(message, icon=":material/check_circle:")
        for warning in warnings:
            st.warning(warning)


def workspace_status() -> None:
    """One line on what the workspace holds; with the sample city (whole or in part), how to replace it."""
    ws = data.workspace()
    if data.settings().get("sample_data"):
        left = sample_data.sample_tables(ws)
        whole = len(left) == len(sample_data.SAMPLE_TABLES)
        with st.container(border=True, key="sample-status"):
            if whole:
                st.markdown("**The workspace holds the sample city.** Your first import asks whether to keep the "
                            "sample's other tables until yours are in, or to remove it all. You can also remove it "
                            "now.")
            else:
                st.markdown("**Some tables still hold the sample city:** " + md_escape(", ".join(left)) + ". They "
                            "stay, labelled as sample data, until you import your own or remove them.")
            if st.button("Remove the sample data", key="remove-sample", icon=":material/delete_sweep:"):
                removed = sample_data.remove_sample(ws)
                st.toast(f"Removed {removed} sample imports", icon=":material/delete_sweep:")
                st.rerun()
        return
    history = ws.imports()
    current = history[history["status"] == "current"] if len(history) else history
    if current.empty:
        st.caption("Nothing is imported yet: upload your exports below.")
        return
    last = current["imported_at"].max()
    st.caption(f"{len(current)} imports in use, across {current['table'].nunique()} tables; the latest on "
               f"{last:%d %b %Y %H:%M}.")


def history_section() -> None:
    ws = data.workspace()
    history = ws.imports()
    if history is None or history.empty:
        st.caption("Nothing imported yet.")
        return
    shown = history.drop(columns=[c for c in ("checksum", "replaced_by") if c in history.columns])
    show_records(shown.iloc[::-1], key="history", drop=())
    current = history[history["status"] == "current"]
    labels = {int(r.import_id): f"#{r.import_id} · {r.source} · {r.table} · {r.imported_at:%Y-%m-%d %H:%M}"
              for r in current.itertuples()}
    choice = st.selectbox("Undo an import", list(labels), format_func=labels.get, index=None,
                          placeholder="Choose an import to undo", key="undo-choice")
    if choice is not None and st.button("Undo this import", key="undo", icon=":material/undo:"):
        ws.undo(choice)
        data.prepare_overview()
        st.toast("Import undone", icon=":material/undo:")
        st.rerun()


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def settings_section() -> None:
    """The office's name (on every export) and the first month of its fiscal year (every period)."""
    ws = data.workspace()
    current = data.settings()
    with st.form("settings"):
        office = st.text_input("Office name", value=current.get("office_name") or "",
                               help="Shown in the sidebar, on the briefing's title slide and under exported charts.")
        month = st.selectbox("Fiscal year starts in", list(range(1, 13)), format_func=lambda m: MONTHS[m - 1],
                             index=int(current.get("fiscal_year_start_month") or 7) - 1,
                             help="July for most US cities (FY2026 = July 2025 to June 2026); October for the "
                                  "federal government and many counties.")
        if st.form_submit_button("Save settings", icon=":material/save:"):
            ws.set_settings(office_name=office.strip() or None, fiscal_year_start_month=int(month))
            st.toast("Settings saved", icon=":material/save:")
            st.rerun()
