"""Score the loaders on a corpus of real exports against the answers a careful analyst wrote for them.

A corpus is a folder of answer files, `<name>.answer.toml`, one per export. An answer names its data file
(`file = "..."`) and says, for each part (sheet) of it, what the file is:

```toml
file = "lambeth_payments_over_500_2012-06.csv"
government = "London Borough of Lambeth"
country = "GB"

[[parts]]
sheet = ""                 # the sheet's name for a workbook; "" (or absent) for a CSV
table = "payments"         # the canonical table, or "none" when no table fits
header_row = 10            # line (Excel row) of the last header line; 0 when the file has no header
header_lines = 1           # lines the header takes (2 for a two-level header)
above_header = 6           # non-blank lines above the header (titles, parameters)
data_rows = 3157           # non-blank lines under the header, records or not (totals rows count here)
records = 3155             # of those, the rows a careful analyst loads
columns = { "Supplier Name" = "vendor_name", "Invoice Nett Amount" = "amount" }
not_mapped = ["Body"]      # source columns that must not take a canonical column
totals = { amount = 40292334.84 }   # per canonical money column, over the records, computed independently
```

`columns` holds the key columns: each must be mapped to that canonical column (or to one of a list, where a
careful analyst would accept either: `"PO Amount" = ["original_amount", "current_amount"]`; a total is then
keyed `"original_amount|current_amount"`). A loader mapping is
wrong when it sends an answered column elsewhere, gives an answered canonical column to another source
column, or maps a `not_mapped` column. Rows: every non-blank line of the file must be accounted for, as a
header line, a data row read (loaded or excluded with its reason) or a line reported above the header;
what is left is lost. Records loaded counts the answer's records loaded into the right table (none when the
table is wrong). Totals must equal the answer's to the cent.

The data file is looked for beside the answer, then in each folder of `PROCUREMENT_CORPUS_DATA`
(os.pathsep-separated), then in `../shared/corpus` next to the project. A data file found nowhere is
reported as missing and left out of the score.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .readers import LoadError
from .schema import MONEY, TABLES

ANSWER_SUFFIX = ".answer.toml"
DATA_ENV = "PROCUREMENT_CORPUS_DATA"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
NO_TABLE = "none"
CENT = 0.005

_PART_KEYS = {"sheet", "table", "header_row", "header_lines", "above_header", "data_rows", "records",
              "columns", "not_mapped", "totals", "excluded", "notes"}
_FILE_KEYS = {"file", "government", "country", "kind", "parts", "provenance", "notes", "quirks"}


class CorpusError(Exception):
    """The corpus folder or one of its answer files cannot be read (the command exits 2)."""


@dataclass(frozen=True)
class PartAnswer:
    sheet: str | None
    table: str
    header_row: int
    header_lines: int
    above_header: int
    data_rows: int
    records: int
    columns: dict[str, tuple[str, ...]]  # source column -> the canonical column(s) accepted
    not_mapped: tuple[str, ...]
    totals: dict[str, float]

    @property
    def nonblank_lines(self) -> int:
        return self.above_header + (self.header_lines if self.header_row else 0) + self.data_rows


@dataclass(frozen=True)
class Answer:
    name: str  # the answer file's stem, without .answer
    path: Path
    file: str
    government: str
    country: str
    parts: tuple[PartAnswer, ...]


@dataclass
class PartScore:
    sheet: str | None
    expected_table: str
    table: str | None
    confidence: float
    key_columns: int
    found: list[str]
    missing: list[dict]  # {"column", "expected", "got"}
    wrong: list[dict]  # {"column", "expected", "got"}
    nonblank_lines: int
    accounted: int
    rows_loaded: int
    expected_records: int
    totals: list[dict]  # {"column", "expected", "got", "equal"}
    problem: str | None = None

    @property
    def table_right(self) -> bool:
        return (self.table is None) if self.expected_table == NO_TABLE else self.table == self.expected_table

    @property
    def lost(self) -> int:
        return max(0, self.nonblank_lines - self.accounted)

    def to_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "table": {"expected": self.expected_table, "got": self.table, "right": self.table_right,
                      "confidence": round(float(self.confidence), 3)},
            "key_columns": {"expected": self.key_columns, "found": len(self.found), "missing": self.missing},
            "wrong_mappings": self.wrong,
            "rows": {"nonblank_lines": self.nonblank_lines, "accounted": min(self.accounted, self.nonblank_lines),
                     "lost": self.lost, "loaded": self.rows_loaded, "expected_loaded": self.expected_records},
            "totals": self.totals,
            "problem": self.problem,
        }


@dataclass
class FileScore:
    answer: Answer
    data_path: Path | None
    parts: list[PartScore] = field(default_factory=list)
    error: str | None = None

    @property
    def missing(self) -> bool:
        return self.data_path is None

    def to_json(self) -> dict:
        return {"name": self.answer.name, "file": self.answer.file, "government": self.answer.government,
                "country": self.answer.country, "found": not self.missing, "error": self.error,
                "parts": [p.to_json() for p in self.parts]}


@dataclass
class Score:
    """The corpus's score: counts over every part of every file whose data was found."""

    files: int = 0
    missing_files: int = 0
    parts: int = 0
    tables_right: int = 0
    key_columns: int = 0
    key_columns_found: int = 0
    wrong_mappings: int = 0
    rows: int = 0
    rows_accounted: int = 0
    rows_lost: int = 0
    records: int = 0  # records the answers load (parts with a table)
    records_loaded: int = 0  # of those, loaded into the right table
    totals: int = 0
    totals_equal: int = 0

    def to_json(self) -> dict:
        return dict(self.__dict__)


# ---------------------------------------------------------------------------------------------
# Answers


def load_answers(folder) -> list[Answer]:
    """Every `*.answer.toml` of a folder, sorted by name; CorpusError when the folder or an answer is unreadable."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: not a folder; give the corpus folder (it holds *{ANSWER_SUFFIX} files).")
    paths = sorted(folder.glob(f"*{ANSWER_SUFFIX}"))
    if not paths:
        raise CorpusError(f"{folder}: no answer files (*{ANSWER_SUFFIX}) in this folder.")
    return [load_answer(p) for p in paths]


def load_answer(path) -> Answer:
    """One answer file, checked: unknown keys, unknown tables and canonical columns are errors naming the file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(f"{path.name}: cannot be read ({' '.join(str(exc).split())}).") from None
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise CorpusError(f"{path.name}: unknown keys {sorted(unknown)}; the keys are {sorted(_FILE_KEYS)}.")
    if not isinstance(data.get("file"), str) or not data["file"]:
        raise CorpusError(f"{path.name}: `file` (the data file's name) is missing.")
    raw_parts = data.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        raise CorpusError(f"{path.name}: at least one [[parts]] table is needed.")
    parts = tuple(_part_answer(path.name, i, p) for i, p in enumerate(raw_parts, 1))
    return Answer(path.name[: -len(ANSWER_SUFFIX)], path, data["file"], str(data.get("government", "")),
                  str(data.get("country", "")), parts)


def _part_answer(name: str, index: int, p: dict) -> PartAnswer:
    where = f"{name}: part {index}"
    unknown = set(p) - _PART_KEYS
    if unknown:
        raise CorpusError(f"{where}: unknown keys {sorted(unknown)}; the keys are {sorted(_PART_KEYS)}.")
    table = p.get("table")
    if table != NO_TABLE and table not in TABLES:
        raise CorpusError(f"{where}: table {table!r} is not one of {', '.join(TABLES)} or {NO_TABLE!r}.")
    names = set(TABLES[table].names) if table in TABLES else set()
    columns = {_name(k): (v,) if isinstance(v, str) else tuple(v) for k, v in p.get("columns", {}).items()}
    bad = [c for v in columns.values() for c in v if c not in names]
    if bad or not all(columns.values()):
        raise CorpusError(f"{where}: {bad} are not columns of {table}.")
    given = [c for v in columns.values() for c in v]
    if len(set(given)) != len(given):
        raise CorpusError(f"{where}: a canonical column is given to two source columns.")
    totals = {str(k): float(v) for k, v in p.get("totals", {}).items()}
    kinds = {c.name: c.kind for c in TABLES[table].columns} if table in TABLES else {}
    bad = [c for key in totals for c in key.split("|") if kinds.get(c) != MONEY]
    if bad:
        raise CorpusError(f"{where}: totals {bad} are not money columns of {table}.")
    try:
        ints = {k: int(p.get(k, default)) for k, default in
                (("header_row", 1), ("header_lines", 1), ("above_header", 0), ("data_rows", -1), ("records", -1))}
    except (TypeError, ValueError):
        raise CorpusError(f"{where}: header_row, header_lines, above_header, data_rows and records are "
                          "whole numbers.") from None
    if ints["data_rows"] < 0:
        raise CorpusError(f"{where}: data_rows (non-blank lines under the header) is needed.")
    if ints["records"] < 0:
        ints["records"] = ints["data_rows"]
    sheet = p.get("sheet") or None
    return PartAnswer(sheet, table, ints["header_row"], ints["header_lines"], ints["above_header"],
                      ints["data_rows"], ints["records"], columns, tuple(_name(c) for c in p.get("not_mapped", ())),
                      totals)


def _name(header) -> str:
    """A header as compared: its words, single-spaced (exports wrap and pad header cells)."""
    return " ".join(str(header).split())


def data_folders(folder) -> list[Path]:
    """Where data files are looked for, in order."""
    out = [Path(folder)]
    out += [Path(p) for p in os.environ.get(DATA_ENV, "").split(os.pathsep) if p]
    out.append(SHARED_CORPUS)
    return out


def find_data(answer: Answer, folders: list[Path]) -> Path | None:
    for d in folders:
        p = d / answer.file
        if p.is_file():
            return p
    return None


# ---------------------------------------------------------------------------------------------
# Scoring


def evaluate(folder) -> tuple[list[FileScore], Score]:
    """Inspect every data file of a corpus as a new user would (no table forced) and score it against its answer."""
    answers = load_answers(folder)
    folders = data_folders(folder)
    files = [evaluate_file(a, find_data(a, folders)) for a in answers]
    return files, total(files)


def evaluate_file(answer: Answer, data_path: Path | None) -> FileScore:
    from .api import inspect_file

    result = FileScore(answer, data_path)
    if data_path is None:
        return result
    try:
        parts = inspect_file(data_path)
    except LoadError as exc:
        result.error = " ".join(str(exc).split())
        parts = []
    except Exception as exc:  # noqa: BLE001 - a crash on one file is scored as a failure, not the end of the run
        result.error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        parts = []
    for pa in answer.parts:
        result.parts.append(score_part(pa, _match_part(pa, parts)))
    return result


def _match_part(pa: PartAnswer, parts: list):
    if not parts:
        return None
    if pa.sheet is None:
        return parts[0] if len(parts) == 1 else next((p for p in parts if p.sheet is None), parts[0])
    for p in parts:
        if p.sheet == pa.sheet:
            return p
    low = pa.sheet.strip().lower()
    return next((p for p in parts if p.sheet and str(p.sheet).strip().lower() == low), None)


def score_part(pa: PartAnswer, part) -> PartScore:
    """One part of a file against its answer; `part` is the loaders' Part (None when the file or sheet was not read)."""
    if part is None:
        return PartScore(pa.sheet, pa.table, None, 0.0, len(pa.columns), [],
                         [{"column": s, "expected": _one(c), "got": None} for s, c in pa.columns.items()], [],
                         pa.nonblank_lines, 0, 0, pa.records,
                         [{"column": c, "expected": v, "got": None, "equal": False} for c, v in pa.totals.items()],
                         problem="not read")
    real = set(part.columns)
    mapping = {_name(s): c for s, c in (part.mapping or {}).items() if s in real and c}
    right_table = part.table == pa.table
    found, missing = [], []
    for src, accepted in pa.columns.items():
        got = mapping.get(src) if right_table else None
        if got in accepted:
            found.append(src)
        else:
            missing.append({"column": src, "expected": _one(accepted), "got": f"{part.table}.{mapping[src]}"
                            if src in mapping and not right_table else mapping.get(src)})
    wrong = []
    if pa.table != NO_TABLE:
        answered = {c for v in pa.columns.values() for c in v}
        for src, can in mapping.items():
            accepted = pa.columns.get(src)
            if not right_table:
                if src in pa.columns or src in pa.not_mapped:
                    wrong.append({"column": src, "expected": _one(accepted), "got": f"{part.table}.{can}"})
            elif accepted is not None and can not in accepted:
                wrong.append({"column": src, "expected": _one(accepted), "got": can})
            elif accepted is None and (src in pa.not_mapped or can in answered):
                wrong.append({"column": src, "expected": None, "got": can})
    accounted = _header_lines(pa, part) + _data_rows_read(part) + rows_above_header(part)
    totals = []
    got_totals = part.amount_totals() if right_table else {}
    for col, expected in pa.totals.items():
        got = next((got_totals[c] for c in col.split("|") if c in got_totals), None)
        equal = got is not None and math.isclose(got, expected, abs_tol=CENT)
        totals.append({"column": col, "expected": round(expected, 2), "got": None if got is None else round(got, 2),
                       "equal": equal})
    return PartScore(pa.sheet, pa.table, part.table, float(part.confidence or 0.0), len(pa.columns), found,
                     missing, wrong, pa.nonblank_lines, accounted, int(part.rows_loaded), pa.records, totals)


def _data_rows_read(part) -> int:
    """Non-blank lines under the header the loaders read: its rows, or the line items a bid tabulation combined
    into its bids (the part's row account says how many), whichever is more."""
    account = getattr(part, "account", None)
    combined = getattr(account, "combined", 0) if account is not None else 0
    return max(int(part.rows_read), int(combined or 0))


def _one(accepted: tuple[str, ...] | None) -> str | None:
    return None if accepted is None else " or ".join(accepted)


def _header_lines(pa: PartAnswer, part) -> int:
    """Header lines the loader took that really are header (or title) lines.

    The answer's count when the loader found the same header row; none when the file has no header or the loader
    took a line below the real header (a record taken for a header is a record lost); one when it took a title
    line above the real header; one when the answer reads no records at all (a pivot's first line taken for a
    header is still a line reported, and no record is lost).
    """
    if not part.header_row:
        return 0
    if part.header_row == pa.header_row:
        return pa.header_lines
    if not pa.header_row and not pa.records:
        return 1  # a file the analyst reads no records in (a pivot): its line is reported, no record is lost
    if not pa.header_row or part.header_row > pa.header_row:
        return 0
    return 1


def rows_above_header(part) -> int:
    """Non-blank lines the loaders report above the header (`rows_above_header`, as a count or a list), else 0."""
    value = getattr(part, "rows_above_header", None)
    if value is None:
        try:
            value = part.to_json().get("rows_above_header")
        except Exception:  # noqa: BLE001 - a part that cannot say is a part that did not report
            value = None
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        for key in ("count", "rows", "n"):
            if isinstance(value.get(key), int):
                return value[key]
        return 0
    try:
        return len(value)
    except TypeError:
        return 0


def total(files: list[FileScore]) -> Score:
    s = Score()
    for f in files:
        if f.missing:
            s.missing_files += 1
            continue
        s.files += 1
        for p in f.parts:
            s.parts += 1
            s.tables_right += p.table_right
            s.key_columns += p.key_columns
            s.key_columns_found += len(p.found)
            s.wrong_mappings += len(p.wrong)
            s.rows += p.nonblank_lines
            s.rows_accounted += min(p.accounted, p.nonblank_lines)
            s.rows_lost += p.lost
            if p.expected_table != NO_TABLE:
                s.records += p.expected_records
                s.records_loaded += min(p.rows_loaded, p.expected_records) if p.table_right else 0
            s.totals += len(p.totals)
            s.totals_equal += sum(t["equal"] for t in p.totals)
    return s


# ---------------------------------------------------------------------------------------------
# Report


def report(files: list[FileScore], score: Score, folder) -> str:
    """The per-file table and the total, as `python -m loaders evaluate` prints them."""
    w = max([len("file")] + [len(f.answer.name) for f in files])
    head = f"{'file':<{w}} {'sheet':<14} {'table (got)':<28} {'key cols':>8} {'wrong':>5} {'rows lost':>12} {'totals':>6}"
    lines = [f"corpus {folder}: {score.files} files read, {score.missing_files} missing", head, "-" * len(head)]
    for f in files:
        if f.missing:
            lines.append(f"{f.answer.name:<{w}} data file {f.answer.file!r} not found")
            continue
        if f.error:
            lines.append(f"{f.answer.name:<{w}} error: {f.error}")
        for p in f.parts:
            table = ("ok " if p.table_right else "NO ") + f"{p.expected_table} ({p.table or '-'})"
            lines.append(f"{f.answer.name:<{w}} {(p.sheet or '')[:14]:<14} {table[:28]:<28} {_cols(p):>8} "
                         f"{len(p.wrong):>5} {_rows(p):>12} {_totals(p):>6}")
            lines += ["    " + d for d in _details(p)]
    lines.append("-" * len(head))
    lines.append(_summary(score))
    return "\n".join(lines)


def markdown(files: list[FileScore], score: Score) -> str:
    """The per-file score as a Markdown table (docs/corpus.md), one row per part."""
    out = ["| file | sheet | government | table (loaders) | key columns | wrong mappings | rows lost | totals equal |",
           "|---|---|---|---|---|---|---|---|"]
    for f in files:
        if f.missing:
            out.append(f"| {f.answer.name} | | {f.answer.government} | data not found | | | | |")
            continue
        for p in f.parts:
            table = ("ok " if p.table_right else "**no** ") + f"{p.expected_table} ({p.table or 'none'})"
            out.append(f"| {f.answer.name} | {p.sheet or ''} | {f.answer.government} | {table} | {_cols(p)} | "
                       f"{len(p.wrong)} | {_rows(p)} | {_totals(p)} |")
    out += ["", _summary(score)]
    return "\n".join(out)


def _cols(p: PartScore) -> str:
    return f"{len(p.found)}/{p.key_columns}"


def _rows(p: PartScore) -> str:
    return f"{p.lost}/{p.nonblank_lines}"


def _totals(p: PartScore) -> str:
    return f"{sum(t['equal'] for t in p.totals)}/{len(p.totals)}"


def _details(p: PartScore) -> list[str]:
    out = []
    for w in p.wrong:
        expected = f"{p.expected_table}.{w['expected']}" if w["expected"] else "not this column"
        out.append(f"wrong: {w['column']!r} -> {w['got']} (answer: {expected})")
    if p.table_right:
        out += [f"not found: {m['column']!r} -> {m['expected']} (mapped to {m['got'] or 'nothing'})" for m in p.missing]
    if p.lost:
        out.append(f"rows: {p.lost} of {p.nonblank_lines} non-blank lines not accounted for")
    out += [f"total {t['column']}: {t['got']} loaded, {t['expected']} expected" for t in p.totals if not t["equal"]]
    return out


def _summary(s: Score) -> str:
    def pct(a, b):
        return f"{a}/{b}" + (f" ({100 * a / b:.0f}%)" if b else "")

    return (f"total: tables right {pct(s.tables_right, s.parts)}; key columns found {pct(s.key_columns_found, s.key_columns)}; "
            f"wrong mappings {s.wrong_mappings}; rows accounted for {pct(s.rows_accounted, s.rows)}, "
            f"{s.rows_lost} lost; records loaded {pct(s.records_loaded, s.records)}; "
            f"totals equal {pct(s.totals_equal, s.totals)}")


def to_json(files: list[FileScore], score: Score, folder) -> dict:
    return {"corpus": str(folder), "score": score.to_json(), "files": [f.to_json() for f in files]}
