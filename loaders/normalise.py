"""The normaliser: any raw frame (source headers, raw cells) to a canonical table plus an issues table.

Every non-blank row under the header is either loaded or excluded with a reason, so
rows_read == rows_loaded + rows_excluded always holds; every value that could not be coerced
is listed (source, sheet, row as seen in Excel, column, value, problem).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import values as V
from .headers import ESTIMATE, REASON_TOTALS, _unique, structural_rows
from .mapping import ColumnMapping, map_columns, required_groups, spread_sample
from .readers import LoadError
from .schema import (
    BOOLEAN,
    CERTIFICATION_FLAGS,
    CERTIFICATIONS,
    DATE,
    DIRECTION,
    ID,
    INTEGER,
    METHOD,
    MONEY,
    NUMBER,
    SCORE,
    TABLES,
    TEXT,
)

ISSUE_COLUMNS = ("source", "sheet", "row", "column", "value", "problem")
SOURCE_ROW = "source_row"
EXCLUDED = "excluded: "
ZERO_AMOUNT = "zero amount"
TOTALS_MISMATCH = "the file's totals row differs from the imported total"
TOTALS_TOLERANCE = 0.005  # dollars: a difference under half a cent is rounding
NEGATIVE_AMOUNT = "negative amount (a credit, refund or void?)"
NO_ESTIMATE_ZERO = {"estimated_amount"}

_PARSERS = {
    ID: V.parse_id,
    TEXT: V.parse_text,
    MONEY: V.parse_money,
    NUMBER: V.parse_number,
    INTEGER: V.parse_integer,
    DATE: V.parse_date,
    BOOLEAN: V.parse_boolean,
    METHOD: V.parse_method,
    SCORE: V.parse_score,
    DIRECTION: V.parse_direction,
}
EMPTY = {
    ID: "str", TEXT: "str", METHOD: "str", CERTIFICATIONS: "str", MONEY: "float64", NUMBER: "float64",
    SCORE: "float64", INTEGER: "Int64", DATE: "datetime64[us]", BOOLEAN: "boolean", DIRECTION: "str",
}


@dataclass
class Normalised:
    """What the normaliser made of one raw frame."""

    frame: pd.DataFrame
    issues: pd.DataFrame
    rows_read: int
    rows_loaded: int
    rows_excluded: int
    mapping: ColumnMapping
    notes: list[str] = field(default_factory=list)


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({"source": pd.Series([], dtype="str"), "sheet": pd.Series([], dtype="str"),
                         "row": pd.Series([], dtype="Int64"), "column": pd.Series([], dtype="str"),
                         "value": pd.Series([], dtype="str"), "problem": pd.Series([], dtype="str")})


def _issue_frame(source, sheet, rows, column, values, problem) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame({
        "source": pd.Series([source] * n, dtype="str"),
        "sheet": pd.Series([sheet] * n, dtype="str"),
        "row": pd.Series(np.asarray(rows, dtype=object), dtype="Int64"),
        "column": pd.Series(np.asarray(column, dtype=object) if not isinstance(column, str) else [column] * n,
                            dtype="str"),
        "value": pd.Series([_show(v) for v in values], dtype="str"),
        "problem": pd.Series(np.asarray(problem, dtype=object) if not isinstance(problem, str) else [problem] * n,
                             dtype="str"),
    })


def _show(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = " ".join(str(v).split())
    return text if len(text) <= 200 else text[:197] + "..."


def validate_mapping(mapping: dict | None, table: str, headers: list[str]) -> dict[str, str | None]:
    """A user's {source column: canonical column} checked against the table and the file's headers.

    Source columns are matched exactly, else by their normalised spelling. Raises LoadError naming
    an unknown canonical column or a source column the data does not have.
    """
    from .schema import normalise_header

    if not mapping:
        return {}
    if not isinstance(mapping, dict):
        raise LoadError("the mapping must be an object of {\"source column\": \"canonical column\"}")
    names = TABLES[table].names
    by_norm = {normalise_header(h): h for h in headers}
    out: dict[str, str | None] = {}
    for src, dst in mapping.items():
        if dst in ("", None):
            dst = None
        elif dst not in names:
            raise LoadError(f"mapping: {dst!r} is not a column of {table}; the columns are {', '.join(names)}")
        if src in headers:
            out[src] = dst
        elif normalise_header(src) in by_norm:
            out[by_norm[normalise_header(src)]] = dst
        else:
            raise LoadError(f"mapping: the data has no column {src!r}; its columns are {', '.join(map(str, headers))}")
    return out


def normalise(raw: pd.DataFrame, table: str, *, mapping: dict | None = None, source: str = "",
              sheet: str | None = None, first_row: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map a raw frame (source column names, raw cell values) onto a canonical table.

    Returns (frame, issues): the loaded rows with the table's canonical columns found plus
    `source_row` (first_row for the frame's first row, counting up), and every problem found.
    `mapping` ({"Check Date": "payment_date"}) overrides the automatic mapping. Never raises on
    bad values; raises LoadError for an unknown table or a mapping that names unknown columns.
    """
    if table not in TABLES:
        raise LoadError(f"unknown table {table!r}; the tables are {', '.join(TABLES)}")
    rows = np.arange(first_row, first_row + len(raw))
    result = to_canonical(raw, table, overrides=validate_mapping(mapping, table, [str(c) for c in raw.columns]),
                          rows=rows, source=source, sheet=sheet)
    return result.frame, result.issues


def to_canonical(raw: pd.DataFrame, table: str, *, rows: np.ndarray, source: str = "", sheet: str | None = None,
                 column_mapping: ColumnMapping | None = None, overrides: dict | None = None,
                 constants: dict[str, tuple[str, str]] | None = None,
                 recodes: dict[str, dict[str, str]] | None = None) -> Normalised:
    """The normaliser behind normalise() and inspect_file().

    `rows` are the Excel-visible row numbers of raw's rows. `constants` fills canonical columns
    the data lacks from elsewhere ({column: (value, where it came from)}, e.g. a solicitation
    number in a title row). `recodes` ({canonical column: {value as written: canonical value}}) are the
    user's choices for values the vocabularies do not know (methods).
    """
    t = TABLES[table]
    kinds = {c.name: c.kind for c in t.columns}
    raw = raw.copy(deep=False)
    # Repeated names (two 'Amount' columns) become 'Amount', 'Amount (2)', as a sheet's header does.
    raw.columns = _unique([str(c) for c in raw.columns], list(range(raw.shape[1])))
    headers = list(raw.columns)
    issues: list[pd.DataFrame] = []
    notes: list[str] = []

    # 1. Blank rows are not rows; everything else is read.
    # A row holding only spreadsheet errors (#REF!) is not blank: it is read, and reported.
    # Each column is coded once (its distinct values); the blank check, the totals check and the parser share it.
    coded = [V.code(raw.iloc[:, j]) for j in range(raw.shape[1])] if raw.shape[1] <= V.WIDE else None
    blank, errors = V.blank_and_error_grid(raw, coded)
    filled = ~(blank & ~errors).all(axis=1) if raw.shape[1] else np.zeros(len(raw), dtype=bool)
    filled_idx = np.flatnonzero(filled)
    data = raw.iloc[filled_idx].reset_index(drop=True)
    coded = [c.take(filled_idx) for c in coded] if coded else None
    blank, errors = blank[filled], errors[filled]
    error_cols = {h: j for j, h in enumerate(headers) if errors[:, j].any()}
    rownums = np.asarray(rows)[filled]
    n = len(data)

    # 2. Rows that are not data: totals, footnotes, repeated headers.
    reasons = structural_rows(data, blank, coded).to_numpy(dtype=object, na_value=None)
    reasons = np.array([r if isinstance(r, str) else None for r in reasons], dtype=object)

    # 3. Which column is which.
    if column_mapping is None:
        sample = spread_sample(data.iloc[np.flatnonzero(pd.isna(reasons))])
        column_mapping = map_columns(headers, table, sample=sample, overrides=overrides)
    column_mapping = ColumnMapping(column_mapping.table, dict(column_mapping.mapping), dict(column_mapping.scores),
                                   column_mapping.suggestions, list(column_mapping.unmapped),
                                   dict(column_mapping.rejected))
    source_columns = list(data.columns)
    for col, (value, where) in (constants or {}).items():
        if col in column_mapping.mapping.values() or col not in kinds:
            continue
        name = f"({where})"
        data[name] = value
        column_mapping.mapping[name] = col
        column_mapping.scores[name] = 1.0
        notes.append(f"{col} taken from {where}: {value}")
    mapping = column_mapping.mapping
    position = {h: j for j, h in enumerate(headers)}
    body = pd.isna(reasons)  # rows that are data
    body_idx = np.flatnonzero(body)

    # 4. Coerce each mapped column by its kind (data rows only).
    out: dict[str, pd.Series] = {}
    cert_flags = None
    for src, col in mapping.items():
        if src not in data.columns:
            continue
        kind = kinds[col]
        cells = data[src].iloc[body_idx]
        given = coded[position[src]].take(body_idx) if coded and src in position else cells
        if kind == CERTIFICATIONS:
            text, cert_flags, parsed_problems = V.parse_certifications(given)
            out[col] = text
        elif kind == METHOD:
            parsed = V.parse_method(given, (recodes or {}).get(col))
            out[col] = parsed.values
            parsed_problems = parsed.problems
            if "method_text" in kinds and parsed_problems.notna().any():
                # Kept only where the vocabulary did not recognise the value: not missing, not guessed.
                text = V.parse_text(given).values
                out["method_text"] = text.where(parsed_problems.notna().to_numpy(), None)
        else:
            parsed = _PARSERS[kind](given)
            out[col] = parsed.values
            parsed_problems = parsed.problems
        if src in error_cols:
            err = errors[body_idx, error_cols[src]]
            issues.append(_issue_frame(source, sheet, rownums[body_idx[err]], src, cells.to_numpy(dtype=object)[err],
                                       V.PROBLEM_SPREADSHEET_ERROR))
        bad = parsed_problems.notna().to_numpy()
        if bad.any():
            issues.append(_issue_frame(source, sheet, rownums[body_idx[bad]], src,
                                       cells.to_numpy(dtype=object)[bad], parsed_problems.to_numpy(dtype=object)[bad]))
        if kind == MONEY:
            scale = unit_scale(src)
            if scale != 1.0:
                out[col] = out[col] * scale
                notes.append(f"{col} in {src!r} written in {UNIT_NAMES.get(scale, f'units of {scale:,.0f}')}: "
                             f"multiplied by {scale:,.0f}")
        if kind == MONEY and col not in NO_ESTIMATE_ZERO:
            zero = (out[col].to_numpy() == 0)
            if zero.any():
                issues.append(_issue_frame(source, sheet, rownums[body_idx[zero]], src,
                                           cells.to_numpy(dtype=object)[zero], ZERO_AMOUNT))
        if kind == MONEY:
            negative = out[col].to_numpy(dtype=float, na_value=np.nan) < 0
            if negative.any():
                issues.append(_issue_frame(source, sheet, rownums[body_idx[negative]], src,
                                           cells.to_numpy(dtype=object)[negative], NEGATIVE_AMOUNT))
        if kind == DATE and col == "end_date":
            placeholder = (parsed_problems == V.PROBLEM_PLACEHOLDER).to_numpy()
            if placeholder.any():
                notes.append(f"placeholder end dates: {int(placeholder.sum()):,} rows (e.g. "
                             f"{_show(cells.to_numpy(dtype=object)[placeholder][0])}) read as open-ended; kept as "
                             "written, so no KPI treats them as ending")
    m = len(body_idx)
    # Many checkbooks have no payment id: one is made from the row (its content and its position).
    if table == "payments" and m:
        given = out.get("payment_id")
        need = np.ones(m, bool) if given is None else given.isna().to_numpy()
        if need.any():
            made = row_ids(data[source_columns].iloc[body_idx[need]], rownums[body_idx[need]])
            ids = np.full(m, None, dtype=object) if given is None else given.to_numpy(dtype=object, na_value=None)
            ids[need] = made
            out["payment_id"] = pd.Series(ids, dtype="str")
            what = "the export has no payment id" if given is None else "its payment id is blank"
            notes.append(f"payment_id made from the row (content and row number) for {int(need.sum()):,} rows: "
                         f"{what}")
    # Certification text sets the is_<cert> flags; an explicit flag column wins where it is filled. A
    # certification the text never names is not recorded by this list (an MBE list says nothing of SBEs).
    if cert_flags is not None:
        for flag in CERTIFICATION_FLAGS.values():
            if flag not in kinds or (flag not in out and not bool(cert_flags[flag].any())):
                continue
            out[flag] = out[flag].fillna(cert_flags[flag]).astype("boolean") if flag in out else cert_flags[flag]

    # 5. Required columns: missing entirely -> one part-level issue; missing in a row -> row excluded.
    excluded = np.full(m, None, dtype=object)
    excluded_col = np.full(m, "", dtype=object)
    groups = required_groups(t)
    present_groups = [g for g in groups if any(c in out for c in g)]
    for g in groups:
        if not any(c in out for c in g):
            label = " or ".join(g)
            issues.append(_issue_frame(source, sheet, [None], "", [""], f"required column not found: {label}"))
            notes.append(f"required column not found: {label}")
    if groups and not present_groups:
        excluded[:] = "no required column found (" + "; ".join(" or ".join(g) for g in groups) + ")"
    else:
        for g in present_groups:
            cols = [c for c in g if c in out]
            missing = np.ones(m, dtype=bool)
            for c in cols:
                missing &= out[c].isna().to_numpy()
                if c == "method" and "method_text" in out:  # written but not recognised: not missing
                    missing &= out["method_text"].isna().to_numpy()
            new = missing & pd.isna(excluded)
            excluded[new] = "missing " + " or ".join(cols)
            excluded_col[new] = ", ".join(column_mapping.canonical.get(c, c) for c in cols)
    # A one-cell row in a table whose rows have several cells is a heading ('Department: Parks') or
    # a note: say so rather than naming the first required value it lacks.
    nb = (~blank[body_idx]).sum(axis=1) if m else np.zeros(0, dtype=int)
    typical = float(np.median(nb)) if m else 0.0
    heading = (nb == 1) & (typical >= 3) & pd.notna(excluded)
    excluded[heading] = "one-cell row (a heading or note)"
    excluded_col[heading] = ""
    # 6. Table rules: a bid tabulation's engineer's estimate is not a bid.
    if table == "bids" and "vendor_name" in out:
        names = out["vendor_name"].fillna("")
        est = names.str.contains(ESTIMATE, regex=True).to_numpy() & pd.isna(excluded)
        excluded[est] = "engineer's estimate, not a bid"
        excluded_col[est] = column_mapping.canonical.get("vendor_name", "vendor_name")

    # 7. Exclusions as issues, in row order.
    struct_idx = np.flatnonzero(~body)
    cells = data[source_columns].to_numpy(dtype=object) if (len(struct_idx) or pd.notna(excluded).any()) else None
    if len(struct_idx):
        labels = [_row_label(cells[i], blank[i]) for i in struct_idx]
        issues.append(_issue_frame(source, sheet, rownums[struct_idx], "", labels,
                                   [EXCLUDED + r for r in reasons[struct_idx]]))
    ex = np.flatnonzero(pd.notna(excluded))
    if len(ex):
        # The value shown is the row itself (its filled cells): the missing cell alone would be blank.
        labels = [_row_label(cells[body_idx[i]], blank[body_idx[i]]) for i in ex]
        issues.append(_issue_frame(source, sheet, rownums[body_idx[ex]], excluded_col[ex], labels,
                                   [EXCLUDED + r for r in excluded[ex]]))

    # 8. The canonical frame: loaded rows, schema order, plus source_row.
    keep = pd.isna(excluded)
    frame_cols: dict[str, pd.Series] = {}
    for c in t.names:
        if c in out:
            frame_cols[c] = out[c].iloc[np.flatnonzero(keep)].reset_index(drop=True)
        elif any(c in g for g in groups):
            frame_cols[c] = _empty(kinds[c], int(keep.sum()))
    frame_cols[SOURCE_ROW] = pd.Series(rownums[body_idx[keep]].astype("int64"))
    frame = pd.DataFrame(frame_cols)
    issue_frame = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    if len(issue_frame):
        order = np.lexsort((issue_frame["row"].fillna(0).to_numpy(dtype="int64"),))
        issue_frame = issue_frame.iloc[order].reset_index(drop=True)
    totals = _totals_issues(data, reasons, rownums, mapping, kinds, out, keep, source, sheet)
    if len(totals):  # in row order with the rest, after the row's own exclusion
        issue_frame = pd.concat([issue_frame, totals], ignore_index=True)
        order = np.argsort(issue_frame["row"].fillna(0).to_numpy(dtype="int64"), kind="stable")
        issue_frame = issue_frame.iloc[order].reset_index(drop=True)
    rows_loaded = int(keep.sum())
    return Normalised(frame, issue_frame, n, rows_loaded, n - rows_loaded, column_mapping, notes)


def _totals_issues(data, reasons, rownums, mapping, kinds, out, keep, source, sheet) -> pd.DataFrame:
    """The file's last totals row against the sum of what is imported, per money column: a difference is
    reported (not fixed) with the file's row, so the office can see which rows it came from."""
    totals = np.flatnonzero(reasons == REASON_TOTALS)
    if not len(totals):
        return empty_issues()
    i = int(totals[-1])
    parts = []
    for src, col in mapping.items():
        if kinds.get(col) != MONEY or col not in out or src not in data.columns:
            continue
        stated = V.parse_money(data[src].iloc[[i]]).values.iloc[0]
        if pd.isna(stated):
            continue
        stated = float(stated) * unit_scale(src)  # a '($000s)' header scales its total like its rows
        values = out[col].to_numpy(dtype=float, na_value=np.nan)[keep]
        imported = math.fsum(values[~np.isnan(values)])
        if abs(float(stated) - imported) > TOTALS_TOLERANCE:
            excluded = int((~keep).sum())
            why = f"; {excluded:,} {'row was' if excluded == 1 else 'rows were'} excluded" if excluded else ""
            detail = (f"the file says {float(stated):,.2f}, the {int(keep.sum()):,} rows imported add up to "
                      f"{imported:,.2f} (difference {imported - float(stated):+,.2f}{why})")
            parts.append(_issue_frame(source, sheet, [rownums[i]], src, [detail], TOTALS_MISMATCH))
    return pd.concat(parts, ignore_index=True) if parts else empty_issues()


UNIT_NAMES = {1e3: "thousands", 1e6: "millions", 1e9: "billions"}


def unit_scale(header: str) -> float:
    """The factor a money header's unit word says ('eng_estimate_mils' -> 1,000,000; 'Value ($000s)' -> 1,000)."""
    from .schema import normalise_header
    from .vocabulary import UNIT_SCALES

    words = normalise_header(header).split()
    if len(words) < 2:
        return 1.0
    last = words[-1]
    if last in UNIT_SCALES:
        return UNIT_SCALES[last]
    hits = [UNIT_SCALES[w] for w in words[1:] if w in UNIT_SCALES and len(w) > 1]
    return hits[0] if len(hits) == 1 else 1.0


def _empty(kind: str, n: int) -> pd.Series:
    dtype = EMPTY[kind]
    if dtype == "str":
        return pd.Series([None] * n, dtype="str")
    if dtype == "float64":
        return pd.Series(np.full(n, np.nan))
    if dtype.startswith("datetime"):
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype=dtype))
    return pd.Series(pd.array([pd.NA] * n, dtype=dtype))


def _row_label(row, blank_row: np.ndarray) -> str:
    """The non-blank cells of a row (a Series or an array), joined: what a person sees on a totals or footnote row."""
    values = row.to_numpy(dtype=object) if isinstance(row, pd.Series) else row
    cells = [_show(v) for v, b in zip(values, blank_row, strict=True) if not b]
    return " | ".join(c for c in cells if c)


def row_ids(rows: pd.DataFrame, rownums: np.ndarray) -> list[str]:
    """A stable id per row from its cells and its row number ('R12-3fa94c1e'): the same export gives
    the same ids, two identical lines on different rows get different ones."""
    if rows.shape[1]:
        text = rows.astype("str").fillna("")
        h = pd.util.hash_pandas_object(text, index=False, categorize=True).to_numpy()
    else:
        h = np.zeros(len(rows), dtype=np.uint64)
    return [f"R{int(r)}-{int(x) & 0xFFFFFFFF:08x}" for r, x in zip(rownums, h, strict=True)]
