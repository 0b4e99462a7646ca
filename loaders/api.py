"""The loaders' public API: inspect a file (every sheet a Part), import it into a workspace."""

from __future__ import annotations

import contextlib
import hashlib
import inspect as _inspect
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .bidtab import (
    bidder_blocks,
    bidder_columns,
    pay_item_columns,
    reshape,
    reshape_blocks,
    reshape_pay_items,
)
from .headers import Header, column_profile, find_header
from .mapping import (
    MIN_EVIDENCE,
    alias_index,
    classify,
    confidence,
    fingerprint,
    legend_recodes,
    map_columns,
    spread_sample,
)
from .normalise import (
    EXCLUDED,
    SOURCE_ROW,
    Normalised,
    _issue_frame,
    empty_issues,
    to_canonical,
    validate_mapping,
)
from .quality import DUPLICATE_CHOICES, DUPLICATES_ALL, DUPLICATES_LATEST, EARLIER, REPEATED, find_repeats
from .readers import LoadError, RawSheet, read_file
from .schema import CERTIFICATION_FLAGS, ID, METHODS, MONEY, TABLES, normalise_header
from .values import CERTIFICATION_PATTERNS, PROBLEM_METHOD

PREVIEW_ROWS = 20
ABOVE_SHOWN = 5
ABOVE_HEADER = "row above the header (a title or note, not data)"  # rows above the header shown in the inspect JSON and on the Data page
JSON_ISSUES = 100
NO_TABLE = "no canonical table recognised (choose one with table=)"


@dataclass
class RowAccount:
    """Where every row of a sheet went: lines == header + above_header + blank + data, always.

    `data` rows are the non-blank rows under the header: each loaded or excluded with a reason, or (a bid
    tabulation) combined into its bidder's bid (`combined`)."""

    lines: int
    header: int
    above_header: list[tuple[int, str]]  # (row as seen in Excel, its cells joined)
    blank: int
    data: int
    combined: int = 0

    def balanced(self) -> bool:
        return self.lines == self.header + len(self.above_header) + self.blank + self.data

    def to_json(self) -> dict:
        return {"lines": self.lines, "header": self.header, "above_header": len(self.above_header),
                "blank": self.blank, "data": self.data, "combined": self.combined}


@dataclass
class Part:
    """One sheet of a workbook (or one CSV/Parquet file) as read, mapped and normalised."""

    path: str
    source: str
    sheet: str | None
    table: str | None
    confidence: float
    header_row: int  # row a person sees in Excel (the last header row); 0 when the format names columns
    rows_read: int
    rows_loaded: int
    rows_excluded: int
    mapping: dict[str, str]  # source column -> canonical column
    unmapped_columns: list[str]
    suggestions: dict[str, list[tuple[str, float]]]  # source column -> [(canonical column, score)]
    fingerprint: str
    frame: pd.DataFrame  # canonical columns + source_row, loaded rows only
    issues: pd.DataFrame  # source, sheet, row, column, value, problem
    preview: pd.DataFrame  # first raw rows under the detected header
    columns: list[str] = field(default_factory=list)  # source columns as detected
    table_scores: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    hidden: bool = False
    account: RowAccount | None = None
    duplicates: dict | None = None  # repeated ids: see loaders.quality.duplicate_summary

    @property
    def rows_above_header(self) -> list[tuple[int, str]]:
        """Non-blank rows above the header (titles, group labels, anything else), as (row, text)."""
        return list(self.account.above_header) if self.account else []
    recodes: dict[str, str] = field(default_factory=dict)  # method value as written -> method (the user's)

    def unrecognised_methods(self) -> dict[str, int]:
        """Method values the vocabulary did not recognise, as written, with how many rows hold each."""
        if self.issues is None or self.issues.empty:
            return {}
        hit = self.issues[self.issues["problem"] == PROBLEM_METHOD]
        counts = hit["value"].astype("str").str.strip().value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    def issue_counts(self) -> dict[str, int]:
        """Problems and how often each occurs, most frequent first."""
        if self.issues is None or self.issues.empty:
            return {}
        counts = self.issues["problem"].value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    def excluded_rows(self) -> pd.DataFrame:
        """The rows excluded, with their reason (row, column, value, reason)."""
        if self.issues.empty:
            return self.issues
        ex = self.issues[self.issues["problem"].str.startswith(EXCLUDED).fillna(False)]
        return ex.assign(reason=ex["problem"].str.slice(len(EXCLUDED)))

    def amount_totals(self) -> dict[str, float]:
        """Sum over the loaded rows of each canonical money column present, to the cent."""
        if self.table is None:
            return {}
        kinds = {c.name: c.kind for c in TABLES[self.table].columns}
        out = {}
        for col in self.frame.columns:
            if kinds.get(col) == MONEY:
                values = self.frame[col].to_numpy(dtype=float, na_value=np.nan)
                out[col] = round(math.fsum(values[~np.isnan(values)]), 2)
        return out

    def to_json(self) -> dict:
        """The part as the CLI prints it (`python -m loaders inspect --json`)."""
        issues = []
        for r in self.issues.head(JSON_ISSUES).itertuples(index=False):
            issues.append({"row": 0 if pd.isna(r.row) else int(r.row), "column": _s(r.column),
                           "value": _s(r.value), "problem": _s(r.problem)})
        return {
            "sheet": self.sheet,
            "table": self.table,
            "confidence": float(self.confidence),
            "header_row": int(self.header_row),
            "rows_read": int(self.rows_read),
            "rows_loaded": int(self.rows_loaded),
            "rows_excluded": int(self.rows_excluded),
            "mapping": dict(self.mapping),
            "unmapped_columns": list(self.unmapped_columns),
            "issue_counts": self.issue_counts(),
            "issues": issues,
            "amount_totals": self.amount_totals(),
            "rows_above_header": {"count": len(self.rows_above_header),
                                  "rows": [{"row": r, "value": v} for r, v in self.rows_above_header[:ABOVE_SHOWN]]},
            "rows_accounted": self.account.to_json() if self.account else None,
            "duplicates": self.duplicates,
        }


def _s(v) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else str(v)


@dataclass
class ImportResult:
    """What import_file did with one part."""

    part: Part
    table: str | None
    import_id: int | None  # None when the part was not imported
    skipped: str | None = None  # why it was not imported

    @property
    def imported(self) -> bool:
        return self.skipped is None


# ---------------------------------------------------------------------------------------------


def inspect_file(path, *, sheet=None, table: str | None = None, mapping: dict | None = None, workspace=None,
                 source_name: str | None = None, duplicates: str | None = None,
                 recodes: dict[str, str] | None = None) -> list[Part]:
    """Read a file without importing it: one Part per sheet (one for a CSV or Parquet file).

    `sheet` picks one sheet (name or 0-based index); `table` forces the canonical table; `mapping`
    ({"Check Date": "payment_date"}) overrides the automatic column mapping; with a `workspace`, a
    mapping confirmed earlier for the same header layout is reapplied, and so are the choices saved with it.
    `duplicates` ('all' or 'latest'; default: the choice saved with the layout, else 'all') says which rows of
    a repeated contract or solicitation id to keep; `recodes` ({"Prior to 2-1-2006": "exempt"}) recode method
    values the vocabulary does not recognise (they win over saved ones). A sheet with no table is a
    Part with table None and an issue. Raises LoadError (naming the file and what to do) for files
    that cannot be read, are empty or hold no data at all.
    """
    path = Path(path)
    source = source_name or path.name
    if table is not None and table not in TABLES:
        raise LoadError(f"{source}: unknown table {table!r}; the tables are {', '.join(TABLES)}.")
    if duplicates is not None and duplicates not in DUPLICATE_CHOICES:
        raise LoadError(f"{source}: duplicates must be one of {', '.join(DUPLICATE_CHOICES)}, not {duplicates!r}.")
    sheets = read_file(path, display_name=source)
    sheets = _pick_sheet(sheets, sheet, source)
    if mapping and len(sheets) > 1:
        # A mapping names one layout's columns: apply it to the sheets that have them.
        fits = [s for s in sheets if _has_any_column(s, mapping)]
        if not fits:
            raise LoadError(f"{source}: no sheet has the columns the mapping names "
                            f"({', '.join(map(repr, list(mapping)[:5]))}); check the mapping or give the sheet.")
        given = {id(s): mapping for s in fits}
    else:
        given = {id(s): mapping for s in sheets}
    headers = _continued(sheets, [find_header(s) for s in sheets])
    parts = [_inspect_sheet(path, source, s, table, given.get(id(s)), workspace, duplicates=duplicates,
                            header=h, recodes=recodes) for s, h in zip(sheets, headers, strict=True)]
    if all(p.rows_read == 0 and p.header_row == 0 and p.table is None for p in parts):
        # A sheet skipped as too large or unreadable says why; only truly empty sheets are "no data".
        why = [n for p in parts for n in p.notes if n.startswith(("sheet too large", "sheet could not be read"))]
        if why:
            raise LoadError(f"{source}: {why[0].rstrip('.')}.")
        raise LoadError(f"{source}: holds no data (every sheet is empty); export the data again.")
    return parts


def _table_for_mapping(mapping: dict, cls) -> str | None:
    """The table a mapping's canonical columns belong to (the classified one when several fit)."""
    targets = {v for v in mapping.values() if v}
    fits = [t for t, spec in TABLES.items() if targets <= set(spec.names)]
    if cls.table in fits or not fits:
        return cls.table
    return max(fits, key=lambda t: cls.scores.get(t, 0.0))


def _has_any_column(sheet: RawSheet, mapping: dict) -> bool:
    header = find_header(sheet)
    if header is None:
        return False
    names = {normalise_header(n) for n in header.names}
    return any(normalise_header(k) in names for k in mapping)


def _pick_sheet(sheets: list[RawSheet], sheet, source: str) -> list[RawSheet]:
    if sheet is None:
        return sheets
    names = [s.name for s in sheets]
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        i = int(sheet)
        if 0 <= i < len(sheets):
            return [sheets[i]]
    for s in sheets:
        if s.name == sheet:
            return [s]
    for s in sheets:
        if s.name and str(s.name).strip().lower() == str(sheet).strip().lower():
            return [s]
    if names == [None]:
        return sheets  # a CSV has one unnamed sheet
    raise LoadError(f"{source}: has no sheet {sheet!r}; its sheets are {', '.join(map(repr, names))}.")


def _continued(sheets: list[RawSheet], headers: list[Header | None]) -> list[Header | None]:
    """Headerless sheets that continue the sheet before them (a PDF's 'Page 2', a report split across
    sheets) take that sheet's column names: each of their columns lines up, in order, with a column of
    the sheet before holding the same kind of values (a converter may drop that sheet's empty columns)."""
    out = list(headers)
    for i in range(1, len(headers)):
        h, prev = headers[i], out[i - 1]
        if h is None or not h.headerless or prev is None or prev.headerless or len(h.columns) > len(prev.columns):
            continue
        lined_up = _line_up(column_profile(sheets[i], h), column_profile(sheets[i - 1], prev),
                            _fill_shares(sheets[i - 1], prev))
        if lined_up is None:
            continue
        out[i] = Header(h.row, [prev.names[k] for k in lined_up], h.columns, {}, h.titles, None, headerless=True,
                        continues=sheets[i - 1].name or "the sheet before")
    return out


def _line_up(mine: list[str], theirs: list[str], filled: list[float] | None = None) -> list[int] | None:
    """For each of my columns, in order, the column of theirs it continues (kinds agreeing but for at most one
    in five, and one), preferring their fuller columns; None when no such alignment exists."""
    n, m = len(mine), len(theirs)
    filled = filled or [1.0] * m
    inf = float(n + 1)
    # cost[i][j]: disagreeing kinds (plus a hundredth per empty share) lining up my first i columns in their first j
    cost = [[0.0 if i == 0 else inf for _ in range(m + 1)] for i in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(i, m + 1):
            differ = mine[i - 1] != theirs[j - 1] and "blank" not in (mine[i - 1], theirs[j - 1])
            cost[i][j] = min(cost[i][j - 1], cost[i - 1][j - 1] + differ + 0.01 * (1 - filled[j - 1]))
    if int(cost[n][m]) > min(1, n // 5):
        return None
    picks, i, j = [], n, m
    while i > 0:
        if j > i and cost[i][j] == cost[i][j - 1]:
            j -= 1
            continue
        picks.append(j - 1)
        i, j = i - 1, j - 1
    return picks[::-1]


def _fill_shares(sheet: RawSheet, header: Header) -> list[float]:
    """Per kept column, the share of rows under the header with a value."""
    from .values import blank_grid

    under = sheet.grid.iloc[header.data_start:, header.columns]
    if under.empty:
        return [0.0] * len(header.columns)
    return list((~blank_grid(under)).mean(axis=0))


def _inspect_sheet(path: Path | str, source: str, sheet: RawSheet, table: str | None, mapping: dict | None,
                   workspace, *, stem: str | None = None, duplicates: str | None = None,
                   header: Header | None = None, recodes: dict[str, str] | None = None) -> Part:
    """`path` is a file (its stem is a name hint) or a database URL as shown (give `stem`, maybe None);
    `header` is the sheet's header when the caller found it already."""
    header = header if header is not None else find_header(sheet)
    if header is None:
        issues = _part_issue(source, sheet.name, "no table found on this sheet" if sheet.name else "no data found")
        for note in (["hidden sheet"] if sheet.hidden else []) + list(sheet.notes):
            issues = pd.concat([issues, _note_issue(source, sheet.name, note)], ignore_index=True)
        lines = len(sheet.grid)
        return Part(str(path), source, sheet.name, None, 0.0, 0, 0, 0, 0, {}, [], {}, "",
                    pd.DataFrame(), issues, pd.DataFrame(), hidden=sheet.hidden, notes=list(sheet.notes),
                    account=RowAccount(lines, 0, [], lines, 0))
    raw = sheet.grid.iloc[header.data_start:, header.columns]
    raw.columns = header.names
    # Row numbers as a person sees them; a format that names its columns (Parquet) counts its header as row 1.
    first = header.data_start + 1 if header.row >= 0 or header.headerless else 2
    rows = np.arange(first, first + len(raw))
    raw = raw.reset_index(drop=True)
    under = len(raw)
    preview = raw.head(PREVIEW_ROWS).map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else v)
    account = _account_above(sheet, header)
    above = account.above_header
    fp = fingerprint(header.names if not header.headerless or header.continues or header.below is not None else
                     [f"{n} ({k})" for n, k in zip(header.names, column_profile(sheet, header), strict=True)])
    name_hints = [n for n in (sheet.name, path.stem if isinstance(path, Path) else stem) if n]
    notes: list[str] = ["hidden sheet"] if sheet.hidden else []
    if header.continues:
        notes.append(f"no header row: the sheet continues {header.continues!r} (its columns line up with that "
                     "sheet's, holding the same kinds of values), so that sheet's column names are used")
    elif header.below is not None:
        notes.append(f"no header row at the top: the column names are on row {header.below + 1}, below the data "
                     "(the export was sorted with its header among the records); the rows above it are records, "
                     "and that row is left out as a repeated header row")
    elif header.headerless:
        notes.append(f"no header row: the first row is data; columns are named by position (Column 1 to "
                     f"Column {len(header.names)}): name them in the column mapping")
    extra_issues: list[pd.DataFrame] = [_issue_frame(source, sheet.name, [r for r, _ in above], "",
                                                     [t for _, t in above], ABOVE_HEADER)] if above else []
    if sheet.repaired:
        # Each row put back in its columns (loaders.ragged.realign), with the field joined or the glued cell split
        # and the column it is in.
        by_col = dict(zip(header.columns, header.names, strict=True))
        for how, problem in (("joined", REPAIRED_ROW), ("split", SPLIT_ROW)):
            done = [(r, v, c) for r, v, c, h in sheet.repaired if h == how]
            if done:
                extra_issues.append(_issue_frame(source, sheet.name, [r for r, _, _ in done],
                                                 [by_col.get(c - 1, f"Column {c}") for _, _, c in done],
                                                 [v for _, v, _ in done], problem))
    bidders = bidder_columns(header) if table in (None, "bids") else {}
    items = pay_item_columns(header.names, name_hints) if table in (None, "bids") and not bidders else None
    # No header at all: bidders side by side in repeating blocks of columns (NCDOT's three bidders a line).
    blocks = bidder_blocks(raw) if table in (None, "bids") and header.headerless and not header.continues \
        and not (bidders or items) else None
    combined = 0
    reshaped: dict[str, str] = {}
    if bidders or items or blocks:
        # Line items down, bidders across (or one row per item and bidder): one bid per bidder.
        tab = reshape(raw, rows, header, sheet.merged, bidders) if bidders else \
            reshape_pay_items(raw, rows, items) if items else reshape_blocks(raw, rows, blocks)
        raw, rows = tab.raw, tab.rows
        combined = tab.source_rows
        reshaped = tab.mapping
        notes += tab.notes
        for row, label, what in tab.mismatches:
            extra_issues.append(_part_issue(source, sheet.name, "totals row differs from the sum of line items",
                                            column=tab.total_column, value=f"{label}: {what}", row=row))
        for row, text in tab.unused:
            extra_issues.append(_part_issue(source, sheet.name, "row belongs to no bid (no bidder or no extension)",
                                            value=text, row=row))
        table = "bids"
    names = [str(c) for c in raw.columns]

    stored = None
    if workspace is not None and not mapping and hasattr(workspace, "mapping_for"):
        try:
            stored = workspace.mapping_for(fp)
        except Exception:  # a workspace problem must not stop reading a file
            stored = None
    sample = spread_sample(raw)
    provided = {t: set(_title_constants(header, t, None)) for t in TABLES}
    positional = header.headerless and not header.continues and not (bidders or items or blocks)
    cls = classify(names, name_hints, sample=sample, provided=provided, positional=positional)
    chosen = table
    confidence = cls.confidence
    overrides: dict | None = None
    if stored and (table is None or stored[0] == table):
        chosen = stored[0]
        try:
            overrides = validate_mapping(stored[1], chosen, names)
            confidence = 1.0
            notes.append("mapping confirmed earlier for this layout reapplied")
        except LoadError:
            overrides = None
    if chosen is None:
        chosen = cls.table
    elif table is not None:
        confidence = _forced_confidence(cls, table, provided.get(table, set()))
    if mapping:
        if table is None:
            chosen = _table_for_mapping(mapping, cls) or chosen
            if chosen != cls.table:
                confidence = _forced_confidence(cls, chosen, provided.get(chosen, set())) if chosen else 0.0
        if chosen is None:
            raise LoadError(f"{source}: a mapping was given but the table is unknown; give table= as well.")
        overrides = validate_mapping(mapping, chosen, names)
        # Columns the user left out of their mapping keep their automatic match.
    if reshaped and chosen == "bids":
        # A reshaped tabulation's columns are known from its reshaping (what the user maps still wins).
        overrides = {**reshaped, **(overrides or {})}

    if chosen is None:
        result = _not_recognised(raw, rows, source, sheet.name)
        if cls.reason:
            notes.append(f"not imported as a table: {cls.reason}")
        notes += list(sheet.notes)
        issues = pd.concat([result.issues, *[_note_issue(source, sheet.name, n) for n in notes], *extra_issues],
                           ignore_index=True)
        _settle(account, under, result.rows_read, combined)
        return Part(str(path), source, sheet.name, None, 0.0, header.excel_row,
                    result.rows_read, 0, result.rows_read, {}, list(names), _suggest_all(cls), fp,
                    pd.DataFrame(), issues, preview, names, cls.scores, notes, sheet.hidden, account)

    profiles = next(iter(cls.mappings.values())).profiles  # read once, shared by every table's mapping
    cm = map_columns(names, chosen, sample=sample, overrides=overrides, profiles=profiles,
                     positional=positional) if overrides or table else \
        cls.mappings[chosen]
    constants = _title_constants(header, chosen, cm) | _name_constants(name_hints, chosen, cm)
    saved = stored_recodes(workspace, fp)
    if saved and not recodes:
        notes.append("method recodes saved for this layout reapplied")
    applied = {**saved, **(recodes or {})}
    legend = {k: v for k, v in legend_recodes(cm).items() if k not in applied}  # the header's own codes
    if legend:
        notes.append("method codes read from the header: " + ", ".join(f"{k} = {v}" for k, v in legend.items()))
    result = to_canonical(raw, chosen, rows=rows, source=source, sheet=sheet.name, column_mapping=cm,
                          constants=constants, recodes={"method": {**legend, **applied}} if legend or applied
                          else None)
    choice = duplicates or _saved_choice(workspace, fp) or DUPLICATES_ALL
    result, repeats = _repeats(result, chosen, choice, source, sheet.name)
    notes += result.notes
    notes += list(sheet.notes)
    extra_issues += [_note_issue(source, sheet.name, n) for n in notes if not n.startswith("required column")]
    issues = pd.concat([result.issues, *extra_issues], ignore_index=True) if extra_issues else result.issues
    issues = _sorted_issues(issues)
    real_mapping = {k: v for k, v in result.mapping.mapping.items() if k in names}
    return Part(
        path=str(path), source=source, sheet=sheet.name, table=chosen, confidence=confidence,
        header_row=header.excel_row, rows_read=result.rows_read,
        rows_loaded=result.rows_loaded, rows_excluded=result.rows_excluded, mapping=dict(result.mapping.mapping),
        unmapped_columns=[h for h in names if h not in real_mapping],
        suggestions=cm.suggestions, fingerprint=fp, frame=result.frame, issues=issues, preview=preview,
        columns=list(names), table_scores=cls.scores, notes=notes, hidden=sheet.hidden,
        account=_settle(account, under, result.rows_read, combined),
        duplicates=repeats.to_json(choice) if repeats else None, recodes=applied,
    )


def _saved_choice(workspace, fp: str) -> str | None:
    """The repeated-ids choice saved with this layout ('all' or 'latest'), if any."""
    if workspace is None or not hasattr(workspace, "layout_options"):
        return None
    try:
        choice = workspace.layout_options(fp).get("duplicates")
    except Exception:  # a workspace problem must not stop reading a file
        return None
    return choice if choice in DUPLICATE_CHOICES else None


def _repeats(result: Normalised, table: str, choice: str, source: str, sheet: str | None):
    """Repeated record ids reported row by row; with 'latest', the earlier versions excluded with that reason."""
    rep = find_repeats(result.frame, table)
    if rep is None:
        return result, None
    src = result.mapping.canonical.get(rep.column, rep.column)
    rows = result.frame[SOURCE_ROW].to_numpy()
    ids = result.frame[rep.column].to_numpy(dtype=object)
    flagged = [_issue_frame(source, sheet, rows[rep.repeated], src, ids[rep.repeated],
                            REPEATED.format(column=rep.column))]
    kept = choice == DUPLICATES_LATEST
    how = (f"{int(rep.earlier.sum()):,} earlier versions excluded, the latest row of each kept" if kept else
           "all rows kept (choose 'latest' to keep one row per id)")
    note = (f"repeated ids: {rep.ids:,} {rep.column} value{'' if rep.ids == 1 else 's'} on {rep.rows:,} rows "
            "(amendments or modifications?); "
            f"{how}")
    frame = result.frame
    if kept and rep.earlier.any():
        drop = rep.earlier
        flagged.append(_issue_frame(source, sheet, rows[drop], src, ids[drop],
                                    EXCLUDED + EARLIER.format(column=rep.column)))
        frame = frame.loc[~drop].reset_index(drop=True)
    issues = pd.concat([result.issues, *flagged], ignore_index=True)
    dropped = int(rep.earlier.sum()) if kept else 0
    return Normalised(frame, issues, result.rows_read, result.rows_loaded - dropped, result.rows_excluded + dropped,
                      result.mapping, [*result.notes, note]), rep


def _settle(account: RowAccount, under: int, read: int, combined: int) -> RowAccount:
    """The account completed with the `under` grid rows under the header: `read` of them non-blank and each
    loaded or excluded, or (a bid tabulation) `combined` non-blank rows made into its bids."""
    account.data = combined or read
    account.combined = combined
    account.blank += under - account.data
    return account


REPAIRED_ROW = "one field too many: a name with an unquoted comma, joined back into one field"
SPLIT_ROW = "a field too few: two values glued together in one cell, split back into their columns"


def _account_above(sheet: RawSheet, header: Header) -> RowAccount:
    """The account of the lines down to the header: the header line (none when the sheet has none; a format that
    names its columns, Parquet, counts its names as one line), the lines above it, the blank ones."""
    named_by_format = header.row < 0 and not header.headerless
    header_lines = 0 if header.headerless else 1
    above = _rows_above(sheet, header)
    blank = header.data_start - len(above) - (header_lines if not named_by_format else 0)
    return RowAccount(len(sheet.grid) + named_by_format, header_lines, above, blank, 0)


def _rows_above(sheet: RawSheet, header: Header) -> list[tuple[int, str]]:
    """Every non-blank row above the header (or above the first row of a headerless sheet), with its text."""
    from .headers import cell_text, is_blank_rows

    top = header.row if not header.headerless else header.data_start
    if top <= 0:
        return []
    grid = sheet.grid.iloc[:top]
    out = []
    for i in np.flatnonzero(~is_blank_rows(grid)):
        texts = [cell_text(x) for x in grid.iloc[i].tolist()]
        out.append((int(i) + 1, " | ".join(t for t in texts if t)))
    return out


RECODES_SETTING = "method_recodes"  # layout option: {value as written: method}


def stored_recodes(workspace, fp: str) -> dict[str, str]:
    """The method recodes saved with a layout's mapping ({} without a workspace or none saved)."""
    if workspace is None or not fp or not hasattr(workspace, "layout_options"):
        return {}
    try:
        layout = workspace.layout_options(fp).get(RECODES_SETTING)
    except Exception:  # noqa: BLE001 - a workspace problem must not stop reading a file
        return {}
    return {str(k): str(v) for k, v in layout.items() if v in METHODS} if isinstance(layout, dict) else {}


def save_recodes(workspace, fp: str, recodes: dict[str, str]) -> None:
    """Remember a layout's method recodes with its mapping (reapplied when the layout comes back)."""
    if not recodes or not fp or not hasattr(workspace, "save_layout_options"):
        return
    workspace.save_layout_options(fp, {RECODES_SETTING: {str(k): str(v) for k, v in recodes.items() if v in METHODS}})


def _forced_confidence(cls, table: str, provided: set[str]) -> float:
    """Confidence in a table the caller chose: the same measure, against the best other table."""
    others = [s for t, s in cls.scores.items() if t != table]
    return confidence(cls.mappings[table], cls.scores[table], max(others) if others else 0.0, provided)


def _suggest_all(cls) -> dict[str, list[tuple[str, float]]]:
    """For an unrecognised sheet: per source column, the best candidates over all tables."""
    out: dict[str, list[tuple[str, float]]] = {}
    for t, cm in cls.mappings.items():
        for src, cands in cm.suggestions.items():
            out.setdefault(src, []).extend((f"{t}.{c}", s) for c, s in cands)
    return {k: sorted(v, key=lambda kv: -kv[1])[:3] for k, v in out.items()}


def _not_recognised(raw: pd.DataFrame, rows: np.ndarray, source: str, sheet: str | None) -> Normalised:
    """A sheet no table fits: every non-blank row is excluded, with that reason."""
    from .normalise import _issue_frame, _row_label
    from .values import blank_grid

    blank = blank_grid(raw)
    filled = np.flatnonzero(~blank.all(axis=1)) if raw.shape[1] else np.array([], dtype=int)
    labels = [_row_label(raw.iloc[i], blank[i]) for i in filled]
    issues = _issue_frame(source, sheet, np.asarray(rows)[filled], "", labels, EXCLUDED + NO_TABLE)
    n = len(filled)
    return Normalised(pd.DataFrame(), issues if n else _part_issue(source, sheet, NO_TABLE), n, 0, n,
                      None, [])  # type: ignore[arg-type]


def _sorted_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """Part-level issues first, then by row (stable, so each row's problems keep their order)."""
    if issues.empty:
        return issues
    key = issues["row"].fillna(0).to_numpy(dtype="int64")
    return issues.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def _note_issue(source: str, sheet: str | None, note: str) -> pd.DataFrame:
    """A note about the part (what was inferred or noticed) as a part-level issue: 'what: detail'."""
    problem, _, value = note.partition(": ")
    return _part_issue(source, sheet, problem, value=value)


def _part_issue(source: str, sheet: str | None, problem: str, column: str = "", value: str = "",
                row: int | None = None) -> pd.DataFrame:
    """One issue about a whole part (row NA) or about one row."""
    issues = empty_issues()
    row = pd.DataFrame({"source": pd.Series([source], dtype="str"), "sheet": pd.Series([sheet], dtype="str"),
                        "row": pd.Series([pd.NA if row is None else row], dtype="Int64"), "column": pd.Series([column], dtype="str"),
                        "value": pd.Series([value], dtype="str"), "problem": pd.Series([problem], dtype="str")})
    return pd.concat([issues, row], ignore_index=True)


_LABEL_VALUE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z .#_/&-]{1,40}?)\s*[:#.]?\s*"
                          r"(?P<value>(?=[\w\-/.]*\d)[A-Za-z0-9][\w\-/.]*)$")


def _title_constants(header: Header, table: str, cm) -> dict[str, tuple[str, str]]:
    """Ids written in title rows ('Solicitation No. 2024-10481') for id columns the table lacks."""
    index = alias_index(table)
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    mapped = set(cm.mapping.values()) if cm is not None else set()
    out: dict[str, tuple[str, str]] = {}
    for row, text in header.titles:
        for piece in re.split(r"\s{2,}|\s[|;]\s", text):
            m = _LABEL_VALUE.match(piece.strip())
            if not m:
                continue
            label = normalise_header(m.group("label"))
            col = index.get(label) or index.get(f"{label} number")
            if col and kinds.get(col) == ID and col not in mapped and col not in out:
                out[col] = (m.group("value").rstrip("."), f"title row {row}")
    return out


def _name_constants(names: list[str], table: str, cm) -> dict[str, tuple[str, str]]:
    """A vendor list named for one certification ('Certified MBE vendors') without a certification column."""
    if table != "vendors":
        return {}
    mapped = set(cm.mapping.values())
    if "certifications" in mapped or mapped.intersection(CERTIFICATION_FLAGS.values()):
        return {}
    for name in names:
        text = " ".join(re.split(r"[_\W]+", str(name).lower()))
        codes = [c for c in CERTIFICATION_FLAGS if re.search(rf"\b{c.lower()}s?\b|\bm/?wbes?\b", text)
                 and re.search(CERTIFICATION_PATTERNS[c], text)]
        if codes:
            return {"certifications": ("; ".join(codes), f"the name {name!r}")}
    return {}


# ---------------------------------------------------------------------------------------------


def file_checksum(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def import_file(path, workspace, *, sheet=None, table: str | None = None, mapping: dict | None = None,
                source_name: str | None = None, duplicates: str | None = None,
                recodes: dict[str, str] | None = None) -> list[ImportResult]:
    """Inspect a file and import each recognised part with `workspace.import_table`, one call per part.

    Parts with no table, with no required column, or holding the same records as a part imported
    before them (a summary sheet repeating the detail) are skipped with the reason. After an import
    the mapping used is saved for the header layout (`workspace.save_mapping`), so the same export
    maps the same way next time, with the repeated-ids choice (`duplicates`: 'all' or 'latest').
    """
    parts = inspect_file(path, sheet=sheet, table=table, mapping=mapping, workspace=workspace,
                         source_name=source_name, duplicates=duplicates, recodes=recodes)
    other = _other_tables(parts) if table is not None and sheet is None else {}
    results = _import_parts([p for i, p in enumerate(parts) if i not in other], workspace, file_checksum(path))
    kept = iter(results)
    return [ImportResult(p, p.table, None, other[i]) if i in other else next(kept) for i, p in enumerate(parts)]


def _natural_table(part: Part) -> str | None:
    """The table a part's own headers point to (best classification score), whatever table was forced."""
    scores = {t: s for t, s in (part.table_scores or {}).items() if s >= MIN_EVIDENCE}
    return max(scores, key=scores.get) if scores else None


def _other_tables(parts: list[Part]) -> dict[int, str]:
    """For a table forced on a workbook of several sheets (one export per sheet, as an office often keeps
    them): the sheets that are clearly another table, with the reason they are skipped. Every sheet is kept
    when none looks like the forced table (the caller knows best), and a single sheet is always kept."""
    if len(parts) < 2:
        return {}
    forced = next((p.table for p in parts if p.table), None)
    natural = {i: _natural_table(p) for i, p in enumerate(parts) if p.table}
    if forced is None or forced not in natural.values():
        return {}
    return {i: f"looks like {t}, not {forced}; give the sheet to import it as {forced}"
            for i, t in natural.items() if t is not None and t != forced}


def _import_parts(parts: list[Part], workspace, checksum: str) -> list[ImportResult]:
    """Import each recognised part (most confident first), skipping the ones `_skip_reason` names.

    All parts land in one transaction where the workspace offers one (`batch`): a workbook is imported
    whole or not at all."""
    batch = getattr(workspace, "batch", None)
    with batch() if batch else contextlib.nullcontext():
        return _import_each(parts, workspace, checksum)


def _import_each(parts: list[Part], workspace, checksum: str) -> list[ImportResult]:
    seen: list[tuple[str, set, str]] = []
    accepts_mapping = "mapping" in _inspect.signature(workspace.import_table).parameters
    order = sorted(range(len(parts)), key=lambda i: (-parts[i].confidence, i))
    by_index: dict[int, ImportResult] = {}
    for i in order:
        part = parts[i]
        reason = _skip_reason(part, seen)
        if reason:
            by_index[i] = ImportResult(part, part.table, None, reason)
            continue
        kwargs = dict(source=part.source, sheet=part.sheet, rows_read=part.rows_read,
                      rows_excluded=part.rows_excluded, checksum=checksum, issues=part.issues)
        if accepts_mapping:
            kwargs["mapping"] = {k: v for k, v in part.mapping.items() if k in part.columns}
        import_id = workspace.import_table(part.table, part.frame, **kwargs)
        if hasattr(workspace, "save_mapping") and part.fingerprint:
            workspace.save_mapping(part.fingerprint, part.table,
                                   {k: v for k, v in part.mapping.items() if k in part.columns})
            save_recodes(workspace, part.fingerprint, part.recodes)
            if part.duplicates and hasattr(workspace, "save_layout_options"):
                workspace.save_layout_options(part.fingerprint, {"duplicates": part.duplicates["choice"]})
        seen.append((part.table, _record_keys(part), part.sheet or part.source))
        by_index[i] = ImportResult(part, part.table, import_id)
    return [by_index[i] for i in range(len(parts))]


def _record_keys(part: Part) -> set:
    """What identifies the part's records: its required columns and the ids it carries (a payment id made
    from the row is left out: it says where a line is, not what it is)."""
    t = TABLES[part.table]
    made = any(n.startswith("payment_id made") for n in part.notes)
    ids = [c.name for c in t.columns if c.kind == ID and not (made and c.name == "payment_id")]
    wanted = dict.fromkeys((*t.required, *(c for g in t.one_of for c in g), *ids))
    cols = [c for c in wanted if c in part.frame.columns]
    if not cols or part.frame.empty:
        return set()
    return set(part.frame[cols].astype(str).itertuples(index=False, name=None))


def _required_names(table: str) -> list[str]:
    """A table's identity columns as a user would name them ("vendor_id or vendor_name")."""
    t = TABLES[table]
    return [*t.required, *(" or ".join(g) for g in t.one_of)]


def _skip_reason(part: Part, seen: list[tuple[str, set, str]]) -> str | None:
    if part.table is None:
        return NO_TABLE
    if part.rows_read == 0:
        return "no rows"
    missing = [n.partition(": ")[2] for n in part.notes if n.startswith("required column not found: ")]
    if missing:
        # Rows without an identity column are not records: nothing is imported with it left empty.
        return "required column not found: " + "; ".join(missing)
    if part.rows_loaded == 0 and any(p.startswith(EXCLUDED + "no required column") for p in part.issue_counts()):
        return "no required column found (" + " and ".join(_required_names(part.table)) + ")"
    keys = _record_keys(part)
    for table, other, where in seen:
        if table == part.table and keys and keys <= other:
            return f"same records as {where!r}, already imported"
    return None


# ---------------------------------------------------------------------------------------------
# Database sources: the same path from a table or a SELECT


def inspect_sql(source, *, sql_table: str | None = None, sql_query: str | None = None, table: str | None = None,
                mapping: dict | None = None, workspace=None, date_column: str | None = None, date_from=None,
                date_to=None, progress=None, password: str | None = None, secrets_file=None,
                duplicates: str | None = None) -> list[Part]:
    """Read a database table or a read-only SELECT without importing it: one Part, as for a CSV file.

    `source` is a SQLAlchemy URL or the name of a configured connection (.streamlit/secrets.toml
    [connections.NAME] or PROCUREMENT_KPI_DB_NAME). The table name is checked against the database's own
    list and quoted; date bounds are bound parameters; `progress(rows_done, rows_total)` is called per
    chunk. The Part's path and source are the password-free URL, its sheet the table's own name (or the
    query text). Raises LoadError (SourceError) with one line that never shows the password.
    """
    from .sql_source import read_sql_sheet

    if table is not None and table not in TABLES:
        raise LoadError(f"unknown table {table!r}; the tables are {', '.join(TABLES)}.")
    read = read_sql_sheet(source, sql_table=sql_table, sql_query=sql_query, date_column=date_column,
                          date_from=date_from, date_to=date_to, progress=progress, password=password,
                          secrets_file=secrets_file)
    return [sql_part(read, table=table, mapping=mapping, workspace=workspace, duplicates=duplicates)]


def sql_part(read, *, table: str | None = None, mapping: dict | None = None, workspace=None,
             duplicates: str | None = None) -> Part:
    """A Part from rows already read (`loaders.sql_source.SqlSheet`): another table or mapping, no new query."""
    if table is not None and table not in TABLES:
        raise LoadError(f"unknown table {table!r}; the tables are {', '.join(TABLES)}.")
    if duplicates is not None and duplicates not in DUPLICATE_CHOICES:
        raise LoadError(f"duplicates must be one of {', '.join(DUPLICATE_CHOICES)}, not {duplicates!r}.")
    return _inspect_sheet(read.origin, read.origin, read.sheet, table, mapping, workspace, stem=None,
                          duplicates=duplicates)


def frame_checksum(frame: pd.DataFrame) -> str:
    """A checksum of the rows read from a database (there is no file to hash)."""
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, frame.columns)).encode())
    if len(frame):
        h.update(pd.util.hash_pandas_object(frame.astype("str"), index=False).to_numpy().tobytes())
    return h.hexdigest()


def import_sql(source, workspace, *, sql_table: str | None = None, sql_query: str | None = None,
               table: str | None = None, mapping: dict | None = None, date_column: str | None = None,
               date_from=None, date_to=None, progress=None, password: str | None = None,
               secrets_file=None, duplicates: str | None = None) -> list[ImportResult]:
    """Inspect a database table or SELECT and import it into the workspace, as `import_file` does a file.

    Recorded with the password-free URL as its source and the table (or query) as its sheet, so
    importing the same table again replaces its rows in one transaction.
    """
    parts = inspect_sql(source, sql_table=sql_table, sql_query=sql_query, table=table, mapping=mapping,
                        workspace=workspace, date_column=date_column, date_from=date_from, date_to=date_to,
                        progress=progress, password=password, secrets_file=secrets_file, duplicates=duplicates)
    checksum = frame_checksum(parts[0].frame.drop(columns=["source_row"], errors="ignore"))
    return _import_parts(parts, workspace, checksum)
