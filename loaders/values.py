"""Value parsers: raw cells (text, numbers, Excel dates) to typed Series, never raising.

Every parser takes anything list-like, works on the column's distinct values (exports repeat
values a lot, so this is what keeps 100,000-row files fast) and returns `Parsed`: the typed
values plus a `problems` Series that names what went wrong per cell (NA where the cell is fine
or blank). Blank cells are missing values, not problems.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from .schema import CERTIFICATION_FLAGS, COMPETITIVE_METHODS, METHODS, NONCOMPETITIVE_METHODS, fold_accents
from .vocabulary import METHOD_CODES, METHOD_PATTERNS

# Text that means "no value" in exports (compared lower-cased and stripped).
MISSING_TOKENS = frozenset(
    {"", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "#n/a", "#na", "-", "--", "---", "—", "–",
     "?", "nat", "(blank)", "<blank>", "not available", "#value!", "#ref!", "#div/0!"}
)
# Excel's error values (a broken formula in the export): missing values, and each one reported.
SPREADSHEET_ERRORS = frozenset(
    {"#ref!", "#div/0!", "#value!", "#name?", "#num!", "#null!", "#n/a", "#getting_data", "#spill!", "#calc!",
     "#field!", "#blocked!", "#busy!", "#connect!", "#unknown!", "#python!", "#extern!"}
)
MISSING_TOKENS = MISSING_TOKENS | SPREADSHEET_ERRORS

# Dates systems write for "none" or "open-ended" (and Excel's day zero): kept as written and flagged. A
# placeholder end date therefore reads as open-ended in every KPI (it never comes), which is what it means.
PLACEHOLDER_DATES = frozenset(
    np.datetime64(d, "D")
    for d in ("1899-12-30", "1899-12-31", "1900-01-01", "1901-01-01", "1970-01-01", "2000-01-01", "2049-12-31",
              "2050-01-01", "2050-12-31", "2099-12-31", "2999-12-31", "9999-12-31", "9999-01-01")
)
# Any 1 January or 31 December this far ahead is a placeholder too (2075-12-31, 2100-01-01...).
PLACEHOLDER_FROM_YEAR = 2049
PLACEHOLDER_YEARS = (2049, 2050)
# Other dates outside this window are kept but flagged: before 1990, or more than 5 years after today.
EARLIEST_YEAR = 1990
YEARS_AHEAD = 5
PLAUSIBLE_YEARS = (EARLIEST_YEAR, 2099)  # kept for callers of the old name; the upper bound is YEARS_AHEAD from today

PROBLEM_MONEY = "not a money amount"
PROBLEM_NUMBER = "not a number"
PROBLEM_INTEGER = "not a whole number"
PROBLEM_DATE = "not a date"
PROBLEM_PLACEHOLDER = "placeholder date"
PROBLEM_SEVERAL_DATES = "several dates in one cell: the earliest kept"
PROBLEM_IMPLAUSIBLE = "date out of range (before 1990 or more than 5 years ahead)"
PROBLEM_BOOLEAN = "not a yes/no value"
PROBLEM_METHOD = "method not recognised"
PROBLEM_CERT = "unrecognised certification"
PROBLEM_SCORE = "score out of range"
PROBLEM_DIRECTION = "not higher or lower (which way the metric is better)"
PROBLEM_FOOTNOTE = "footnote marker in value"
PROBLEM_SPREADSHEET_ERROR = "spreadsheet error (a broken formula in the export)"


@dataclass
class Parsed:
    """Typed values and, per cell, the problem found (NA where the cell is fine or blank)."""

    values: pd.Series
    problems: pd.Series

    @property
    def ok(self) -> pd.Series:
        return self.problems.isna()


# ---------------------------------------------------------------------------------------------
# Helpers


def as_series(values) -> pd.Series:
    """Any list-like as an object Series with a fresh 0..n-1 index (scalars become one cell)."""
    if isinstance(values, pd.Series):
        return pd.Series(values.to_numpy(dtype=object, na_value=None), dtype=object)
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        values = [values]
    return pd.Series(list(values), dtype=object)


def factorize(values) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize that also takes unhashable cells (lists, dicts from JSON sources) as their text."""
    try:
        return pd.factorize(values, use_na_sentinel=True)
    except TypeError:
        safe = pd.Series(values, dtype=object).map(lambda x: x if _hashable(x) else repr(x))
        return pd.factorize(safe, use_na_sentinel=True)


def _hashable(x) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


@dataclass(frozen=True)
class Coded:
    """A column coded once: codes into its distinct non-missing values (-1 where missing).

    Every parser accepts one in place of the cells. The normaliser codes each column once and
    hands the codes to the blank check, the totals-row check and the parser, instead of each
    hashing 100,000 cells again.
    """

    codes: np.ndarray
    uniques: pd.Series  # object dtype, 0..k-1

    def __len__(self) -> int:
        return len(self.codes)

    @functools.cached_property
    def cleaned(self) -> pd.Series:
        """Each distinct value as text, stripped, non-breaking spaces as spaces (parsers use the strings')."""
        return self.uniques.astype("str").str.replace("\u00a0", " ", regex=False).str.strip()

    @functools.cached_property
    def lowered(self) -> pd.Series:
        """`cleaned` in lower case: what blank tokens and totals labels are compared with."""
        return self.cleaned.str.lower()

    def take(self, rows: np.ndarray) -> Coded:
        """These rows only, with the distinct values they hold (as if they were coded afresh)."""
        codes = self.codes[rows]
        held = np.bincount(codes[codes >= 0], minlength=len(self.uniques)) > 0
        if held.all():
            taken = Coded(codes, self.uniques)
            keep = None
        else:
            renumber = np.cumsum(held) - 1
            keep = np.flatnonzero(held)
            taken = Coded(np.where(codes >= 0, renumber[codes], -1), self.uniques.iloc[keep].reset_index(drop=True))
        for name in ("cleaned", "lowered"):  # computed once per column, kept through row selections
            if name in self.__dict__:
                text = self.__dict__[name]
                taken.__dict__[name] = text if keep is None else text.iloc[keep].reset_index(drop=True)
        return taken


def code(values) -> Coded:
    """Any list-like as a Coded column."""
    if isinstance(values, Coded):
        return values
    codes, uniques = factorize(values if isinstance(values, pd.Series) else as_series(values))
    return Coded(np.asarray(codes), pd.Series(np.asarray(uniques, dtype=object), dtype=object))


def _factorize(values) -> tuple[np.ndarray, pd.Series]:
    """The column as codes into its distinct non-missing values (-1 = missing)."""
    coded = code(values)
    return coded.codes, coded.uniques


def _expand(codes: np.ndarray, per_unique: np.ndarray, fill) -> np.ndarray:
    """Spread one result per distinct value back to the rows (missing rows get `fill`)."""
    out = np.asarray(per_unique)
    if len(out) == 0:
        return np.full(len(codes), fill, dtype=out.dtype if out.dtype != object else object)
    taken = out[np.where(codes < 0, 0, codes)]
    if (codes < 0).any():
        taken = taken.astype(object) if taken.dtype.kind not in "fMO" else taken.copy()
        taken[codes < 0] = fill
    return taken


def _problems(codes: np.ndarray, per_unique: list | np.ndarray) -> pd.Series:
    arr = np.asarray(per_unique, dtype=object)
    if not any(p is not None for p in arr):
        return no_problems(len(codes))
    return pd.Series(_expand(codes, arr, None), dtype="str")


def no_problems(n: int) -> pd.Series:
    """A problems column with no problem in it (built directly in Arrow: most columns of most files)."""
    return pd.Series(pd.array(pa.nulls(n, pa.large_string()), dtype="str"))


def _is_str(u: pd.Series) -> np.ndarray:
    kind = pd.api.types.infer_dtype(u, skipna=False)
    if kind == "string":
        return np.ones(len(u), dtype=bool)
    if kind in ("floating", "integer", "mixed-integer-float", "datetime", "date", "boolean", "empty"):
        return np.zeros(len(u), dtype=bool)
    return np.fromiter((isinstance(x, str) for x in u), dtype=bool, count=len(u))


def _is_number(u: pd.Series) -> np.ndarray:
    kind = pd.api.types.infer_dtype(u, skipna=False)
    if kind in ("floating", "integer", "mixed-integer-float"):
        return np.ones(len(u), dtype=bool)
    if kind in ("string", "datetime", "date", "boolean", "empty"):
        return np.zeros(len(u), dtype=bool)
    return np.fromiter(
        (isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))
         for x in u),
        dtype=bool,
        count=len(u),
    )


def _clean_text(u: pd.Series) -> pd.Series:
    """Strings stripped of surrounding and non-breaking space; non-strings as their str()."""
    if pd.api.types.infer_dtype(u, skipna=False) == "string":
        t = u.astype("str")
    else:
        t = u.map(lambda x: x if isinstance(x, str) else str(x)).astype("str")
    return t.str.replace("\u00a0", " ", regex=False).str.strip()


def _missing_text(t: pd.Series) -> np.ndarray:
    return t.str.lower().isin(MISSING_TOKENS).to_numpy()


def is_blank(values) -> pd.Series:
    """True where a cell is empty, whitespace or a missing token such as 'NA' or 'N/A'."""
    return pd.Series(_blank_and_error(values)[0])


def is_spreadsheet_error(values) -> pd.Series:
    """True where a cell is an Excel error value (#REF!, #DIV/0!, #N/A...), which is also blank."""
    return pd.Series(_blank_and_error(values)[1])


_NUMERIC_KINDS = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


def _typed_numbers(values) -> np.ndarray | None:
    """The column as floats when every cell is already a number (typed Excel, Parquet or SQL cells).

    None otherwise. One C-level type scan lets 100,000 typed amounts skip the per-value text work.
    """
    if isinstance(values, Coded):
        u = values.uniques
        if any(isinstance(x, str) for x in u.iloc[:64]) or pd.api.types.infer_dtype(u) not in _NUMERIC_KINDS:
            return None
        numbers = pd.to_numeric(u, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return _expand(values.codes, numbers, np.nan).astype(float)
    if isinstance(values, pd.Series):
        if values.dtype.kind in "fiu":
            return values.to_numpy(dtype=float, na_value=np.nan)
        arr = values.to_numpy(dtype=object, na_value=None)
    else:
        arr = np.asarray(values, dtype=object)
    if arr.ndim != 1 or any(isinstance(x, str) for x in arr[:64]):  # text columns: no full type scan
        return None
    if pd.api.types.infer_dtype(arr, skipna=True) not in _NUMERIC_KINDS:
        return None
    return pd.to_numeric(pd.Series(arr, dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _blank_and_error(values) -> tuple[np.ndarray, np.ndarray]:
    typed = _typed_numbers(values)
    if typed is not None:  # a number is never a blank token or a spreadsheet error
        return np.isnan(typed), np.zeros(len(typed), dtype=bool)
    return _token_cells(values)


def _token_cells(values) -> tuple[np.ndarray, np.ndarray]:
    coded = code(values)
    codes, u = coded.codes, coded.uniques
    if len(u) == 0:
        return np.ones(len(codes), dtype=bool), np.zeros(len(codes), dtype=bool)
    # Arrow-backed string ops: fast on 100,000 distinct values; NaN floats become "nan" (a missing token).
    low = coded.lowered
    blank_u = low.isna().to_numpy() | low.isin(MISSING_TOKENS).to_numpy()
    error_u = low.isin(SPREADSHEET_ERRORS).to_numpy() if blank_u.any() else np.zeros(len(u), dtype=bool)
    return _expand(codes, blank_u, True).astype(bool), _expand(codes, error_u, False).astype(bool)


WIDE = 32  # columns beyond which a grid's cells are checked together rather than column by column


def blank_grid(frame: pd.DataFrame) -> np.ndarray:
    """Per cell of a frame, whether it is blank (is_blank), as a rows x columns boolean array."""
    return blank_and_error_grid(frame)[0]


def blank_and_error_grid(frame: pd.DataFrame, coded: list[Coded] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of a frame: blank (is_blank) and spreadsheet error (is_spreadsheet_error), rows x columns.

    Narrow frames go column by column (each column's distinct values are few; `coded` gives them
    already coded); wide ones (a 3,000-column export) in one pass over all their cells, so the cost
    does not grow with the column count.
    """
    n, width = frame.shape
    if width == 0 or n == 0:
        return np.ones((n, width), dtype=bool), np.zeros((n, width), dtype=bool)
    if width <= WIDE:
        pairs = [_blank_and_error(coded[j] if coded else frame.iloc[:, j]) for j in range(width)]
        return np.column_stack([b for b, _ in pairs]), np.column_stack([e for _, e in pairs])
    blank, error = _blank_and_error(frame.to_numpy(dtype=object).ravel(order="F"))
    return blank.reshape((n, width), order="F"), error.reshape((n, width), order="F")


# ---------------------------------------------------------------------------------------------
# Numbers and money

_CURRENCY = re.compile(r"(?i)(us\$|usd|cad|aud|nzd|eur|gbp|mxn|\$|€|£|¥|dollars?)")
_EU_EVIDENCE = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+,\d{1,2}$")
_US_EVIDENCE = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+\.\d{1,2}$")
_NUMBER_SHAPE = r"^(\d[\d,.]*|[.,]\d+)(e[+-]?\d+)?$"


def detect_decimal_comma(values) -> bool:
    """True when the column writes numbers the European way ('1.234,56', '12,5')."""
    _, u = _factorize(values)
    strs = _is_str(u)
    return bool(strs.any()) and _decimal_comma_in(_clean_text(u[strs]))


def _decimal_comma_in(texts: pd.Series) -> bool:
    """detect_decimal_comma on a column's distinct strings, already cleaned."""
    if len(texts) > 5000:  # a sample of distinct values says how the column writes numbers
        texts = texts.sample(5000, random_state=0)
    t = texts.str.replace(_CURRENCY, "", regex=True).str.replace(r"[\s()\-+*]", "", regex=True)
    eu = int(t.str.match(_EU_EVIDENCE.pattern).sum())
    us = int(t.str.match(_US_EVIDENCE.pattern).sum())
    return eu > us


def _parse_numeric_text(t: pd.Series, decimal_comma: bool, money: bool):
    """Numbers written as text; returns (float array, footnote-marker flags, parsed-ok flags)."""
    s = (t.str.lower().str.replace(r"\s+", " ", regex=True)
         .str.replace("\u2212", "-", regex=False).str.replace("\u2013", "-", regex=False))
    footnote = s.str.contains(r"[*†‡]", regex=True).to_numpy()
    s = s.str.replace(r"[*†‡]", "", regex=True).str.strip()
    neg = np.zeros(len(s), dtype=bool)
    # '(1,234.00)', and Excel's currency formats written out as shown: '$(1,234.00)', '$ (1,234.00)'.
    paren = s.str.match(r"^(?:[$€£]\s*)?\(.*\)$").to_numpy()
    s = s.str.replace(r"^([$€£]\s*)?\((.*)\)$", r"\1\2", regex=True)
    credit = s.str.contains(r"\d\s*cr$", regex=True).to_numpy()
    s = s.str.replace(r"\s*(cr|dr)$", "", regex=True)
    if money:
        s = s.str.replace(_CURRENCY, "", regex=True)
    s = s.str.replace(" ", "", regex=False)
    # '$1.2M', '350K': thousands and millions written short.
    scale = np.select([s.str.match(r"^[-+(]?[\d.,]+k\)?-?$").to_numpy(bool),
                       s.str.match(r"^[-+(]?[\d.,]+(m|mm|mil|million)\)?-?$").to_numpy(bool),
                       s.str.match(r"^[-+(]?[\d.,]+(b|bn|billion)\)?-?$").to_numpy(bool)],
                      [1e3, 1e6, 1e9], 1.0)
    s = s.str.replace(r"(?<=\d)(k|mm|m|mil|million|bn|b|billion)(?=\)?-?$)", "", regex=True)
    lead = s.str.startswith("-").to_numpy()
    trail = s.str.endswith("-").to_numpy() & (s.str.len() > 1).to_numpy()
    s = s.str.replace(r"^[+-]+|-$", "", regex=True)
    neg = paren ^ (lead | trail) ^ credit
    percent = s.str.endswith("%").to_numpy()
    s = s.str.rstrip("%")
    if decimal_comma:
        s = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        s = s.str.replace(",", "", regex=False)
    shaped = s.str.match(_NUMBER_SHAPE).to_numpy()
    num = pd.to_numeric(s.where(shaped, None), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    num = np.where(neg, -num, num) * scale
    if not money:
        # Rounded so "96.7%" is 0.967, the number a database or a typed cell holds, not 0.9670000000000001.
        num = np.where(percent, np.round(num / 100.0, 12), num)
    ok = ~np.isnan(num)
    return num, footnote & ok, ok, percent


def _parse_numbers(values, *, money: bool, decimal_comma: bool | None, problem: str) -> Parsed:
    typed = _typed_numbers(values)
    if typed is not None:
        out = typed.copy()
        infinite = np.isinf(out)
        out[infinite] = np.nan
        prob = pd.Series(np.where(infinite, problem, None), dtype="str")
        return Parsed(pd.Series(out), prob)
    coded = code(values)
    codes, u = coded.codes, coded.uniques
    n = len(u)
    out = np.full(n, np.nan)
    prob = np.full(n, None, dtype=object)
    if n:
        nums = _is_number(u)
        out[nums] = np.asarray(u[nums], dtype=float)
        strs = _is_str(u)
        if strs.any():
            t = coded.cleaned[strs]
            blank = coded.lowered[strs].isin(MISSING_TOKENS).to_numpy(dtype=bool, copy=True)
            if decimal_comma is None:
                decimal_comma = _decimal_comma_in(t[~blank])
            # Fast path (Arrow regex): plain numbers and '$1,234.56'; the rest gets the full treatment.
            simple = np.zeros(len(t), dtype=bool) if decimal_comma else t.str.fullmatch(
                r"\$?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]*)?|\$?[0-9]+(\.[0-9]*)?").fillna(False).to_numpy(bool)
            zero = np.zeros(len(t), dtype=bool)
            if money and not simple.all():
                # Excel's accounting format shows zero as "$ -"; '$_______' is a fill-in line, blank.
                odd = t[~simple]
                zero[~simple] = odd.str.replace(" ", "", regex=False).isin(["$-", "$—", "-$"]).to_numpy()
                blank[~simple] |= odd.str.match(r"^\$?\s*_+\s*$").to_numpy()
                blank &= ~zero
            num = np.full(len(t), np.nan)
            footnote = np.zeros(len(t), dtype=bool)
            ok = np.zeros(len(t), dtype=bool)
            if simple.any():
                plain = t[simple].str.replace("$", "", regex=False).str.replace(",", "", regex=False)
                num[simple] = pd.to_numeric(plain, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                ok[simple] = ~np.isnan(num[simple])
            rest = ~simple & ~blank
            if rest.any():
                n_r, f_r, ok_r, _ = _parse_numeric_text(t[rest], decimal_comma, money)
                num[rest], footnote[rest], ok[rest] = n_r, f_r, ok_r
            num = np.where(zero, 0.0, num)
            ok = ok | zero
            idx = np.flatnonzero(strs)
            out[idx] = np.where(blank, np.nan, num)
            prob[idx[~blank & ~ok]] = problem
            prob[idx[~blank & ok & footnote]] = PROBLEM_FOOTNOTE
        other = ~(nums | strs)
        for i in np.flatnonzero(other):
            x = u.iloc[i]
            if isinstance(x, (bool, np.bool_)):
                prob[i] = problem
            else:
                try:
                    out[i] = float(x)
                except (TypeError, ValueError):
                    prob[i] = problem
    infinite = np.isinf(out)
    out[infinite] = np.nan
    prob[infinite] = problem
    values_ = pd.Series(_expand(codes, out, np.nan).astype(float))
    return Parsed(values_, _problems(codes, prob))


def parse_money(values, *, decimal_comma: bool | None = None) -> Parsed:
    """Money as float dollars: '$1,234.56', '(1,234.00)', '-$160', '1e+05', '$330,000 CAD'.

    Also '$ 7,179,075.64 ', '$982, 900', '100.00-' and '100.00 CR' (credits), a trailing footnote
    marker ('$6,387,362.33*', kept and noted) and '1.234,56' where the column writes decimal commas
    (detected per column unless `decimal_comma` says). "$ -" is zero; 'N/A' and blanks are missing.
    """
    return _parse_numbers(values, money=True, decimal_comma=decimal_comma, problem=PROBLEM_MONEY)


def parse_number(values, *, decimal_comma: bool | None = None) -> Parsed:
    """Plain numbers as floats ('1,234.5', '12%' -> 0.12)."""
    return _parse_numbers(values, money=False, decimal_comma=decimal_comma, problem=PROBLEM_NUMBER)


def parse_integer(values) -> Parsed:
    """Whole numbers as nullable Int64 ('1,200', '3.0'); fractions and text are problems."""
    p = _parse_numbers(values, money=False, decimal_comma=False, problem=PROBLEM_INTEGER)
    v = p.values.to_numpy()
    frac = ~np.isnan(v) & (np.abs(v - np.round(v)) > 1e-9)
    problems = p.problems.copy()
    problems[frac] = PROBLEM_INTEGER
    problems = problems.where(problems != PROBLEM_FOOTNOTE, None).astype("str")
    v = np.where(frac, np.nan, v)
    return Parsed(pd.Series(pd.array(np.round(v), dtype="Float64").astype("Int64")), problems)


# ---------------------------------------------------------------------------------------------
# Dates

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_EPOCH = np.datetime64("1970-01-01", "D")
_EXCEL_ORIGIN = np.datetime64("1899-12-30", "D")
_SERIAL_RANGE = (1, 2958465)  # Excel serials 1900-01-01 .. 9999-12-31

_P_ISO = r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[t\s])"
_P_NUM = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:$|[t\s,])"
_P_COMPACT = r"^(\d{4})(\d{2})(\d{2})(?:\.0+)?$"
_P_SERIAL = r"^(\d{1,7}(?:\.\d+)?)$"
_P_D_MON_Y = r"^(\d{1,2})[-\s/.]([a-z]{3,9})\.?[-\s/.,]+(\d{4}|\d{2})(?:$|[t\s:])"
_P_MON_D_Y = r"^([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:$|[t\s,])"


def _ymd_to_dates(y, m, d) -> np.ndarray:
    """Vectorised year/month/day (float arrays, NaN = no match) to datetime64[D]; invalid -> NaT."""
    y = np.asarray(y, dtype=float)
    m = np.asarray(m, dtype=float)
    d = np.asarray(d, dtype=float)
    valid = ~(np.isnan(y) | np.isnan(m) | np.isnan(d))
    valid &= (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1)
    yi = np.where(valid, y, 1970).astype(np.int64)
    mi = np.where(valid, m, 1).astype(np.int64)
    di = np.where(valid, d, 1).astype(np.int64)
    months = np.array((yi - 1970) * 12 + (mi - 1), dtype="timedelta64[M]") + np.datetime64("1970-01", "M")
    first = months.astype("datetime64[D]")
    dim = ((months + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    valid &= di <= dim
    out = first + (di - 1).astype("timedelta64[D]")
    return np.where(valid, out, np.datetime64("NaT", "D"))


def _two_digit_year(y: np.ndarray, raw_len: np.ndarray) -> np.ndarray:
    # Excel's rule: 00-29 are 2000s, 30-99 are 1900s.
    return np.where(raw_len == 2, np.where(y < 30, 2000 + y, 1900 + y), y)


def _month_number(names: pd.Series) -> np.ndarray:
    return names.map(_MONTHS).to_numpy(dtype=float, na_value=np.nan)


def _serial_to_dates(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    ok = ~np.isnan(v) & (v >= _SERIAL_RANGE[0]) & (v <= _SERIAL_RANGE[1])
    days = np.floor(np.where(ok, v, 0)).astype(np.int64)
    out = _EXCEL_ORIGIN + days.astype("timedelta64[D]")
    return np.where(ok, out, np.datetime64("NaT", "D"))


def _numbers_to_dates(v: np.ndarray) -> np.ndarray:
    """Numbers in a date column: YYYYMMDD integers, else Excel serial day numbers."""
    v = np.asarray(v, dtype=float)
    compact = (v >= 10000101) & (v <= 99991231) & (np.floor(v) == v)
    y, rest = np.divmod(np.where(compact, v, 0), 10000)
    m, d = np.divmod(rest, 100)
    nan = np.full(len(v), np.nan)
    from_compact = _ymd_to_dates(np.where(compact, y, nan), m, d)
    return np.where(compact, from_compact, _serial_to_dates(np.where(compact, np.nan, v)))


def _text_to_dates(lowered: pd.Series, dayfirst: bool | None) -> np.ndarray:
    """Date text (stripped, lower case) in the common export formats; the D/M order is decided once for the
    column."""
    s = lowered.str.replace(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", "", regex=True)
    out = np.full(len(s), np.datetime64("NaT", "D"))
    todo = np.ones(len(s), dtype=bool)

    iso = s.str.extract(_P_ISO).astype(float).to_numpy()
    hit = ~np.isnan(iso[:, 0])
    out[hit] = _ymd_to_dates(iso[hit, 0], iso[hit, 1], iso[hit, 2])
    todo &= ~hit

    num = s.str.extract(_P_NUM)
    a = num[0].astype(float).to_numpy()
    hit = todo & ~np.isnan(a)
    if hit.any():
        b = num[1].astype(float).to_numpy()
        ylen = num[2].str.len().to_numpy(dtype=float, na_value=0)
        y = _two_digit_year(num[2].astype(float).to_numpy(), ylen)
        if dayfirst is None:
            # Evidence first (a first number over 12 and no second one); else dotted dates ('01.10.2025')
            # are day-first, as wherever dots are written, and slashes or dashes US month-first.
            first_big, second_big = bool((a[hit] > 12).any()), bool((b[hit] > 12).any())
            dotted = s[hit].str.match(r"^\d{1,2}\.\d{1,2}\.").to_numpy(dtype=bool, na_value=False)
            dayfirst = (first_big and not second_big) or (not first_big and not second_big and dotted.mean() > 0.5)
        day, month = (a, b) if dayfirst else (b, a)
        out[hit] = _ymd_to_dates(y[hit], month[hit], day[hit])
        todo &= ~hit

    compact = s.str.extract(_P_COMPACT).astype(float).to_numpy()
    hit = todo & ~np.isnan(compact[:, 0])
    out[hit] = _ymd_to_dates(compact[hit, 0], compact[hit, 1], compact[hit, 2])
    todo &= ~hit

    for pattern, order in ((_P_D_MON_Y, "dmy"), (_P_MON_D_Y, "mdy")):
        if not todo.any():
            break
        parts = s.str.extract(pattern)
        hit = todo & parts[0].notna().to_numpy()
        if not hit.any():
            continue
        if order == "dmy":
            d, mon, yraw = parts[0], parts[1], parts[2]
        else:
            mon, d, yraw = parts[0], parts[1], parts[2]
        m = _month_number(mon)
        ylen = yraw.str.len().to_numpy(dtype=float, na_value=0)
        y = _two_digit_year(yraw.astype(float).to_numpy(), ylen)
        dd = d.astype(float).to_numpy()
        good = hit & ~np.isnan(m)
        out[good] = _ymd_to_dates(y[good], m[good], dd[good])
        todo &= ~good

    serial = s.str.extract(_P_SERIAL)[0].astype(float).to_numpy()
    hit = todo & ~np.isnan(serial)
    out[hit] = _numbers_to_dates(serial[hit])
    return out


def _objects_to_dates(objs: list) -> np.ndarray:
    """datetime/date/Timestamp objects (what Excel readers give) to datetime64[D], as written."""
    out = np.full(len(objs), np.datetime64("NaT", "D"))
    for i, x in enumerate(objs):
        try:
            if isinstance(x, dt.datetime | pd.Timestamp):
                out[i] = np.datetime64(dt.date(x.year, x.month, x.day), "D")
            elif isinstance(x, dt.date):
                out[i] = np.datetime64(x, "D")
            elif isinstance(x, np.datetime64):
                out[i] = x.astype("datetime64[D]")
        except (ValueError, OverflowError):
            pass
    return out


def _placeholder(days: np.ndarray) -> np.ndarray:
    """Whether each date (datetime64[D]) is one systems write for 'no date' (see PLACEHOLDER_DATES)."""
    known = np.isin(days, np.array(sorted(PLACEHOLDER_DATES), dtype="datetime64[D]"))
    years = days.astype("datetime64[Y]")
    day_of_year = (days - years.astype("datetime64[D]")).astype(np.int64)
    last = (years + 1).astype("datetime64[D]") - years.astype("datetime64[D]") - 1
    year = years.astype(np.int64) + 1970
    far = year >= PLACEHOLDER_FROM_YEAR
    # Whole years systems use for 'open-ended' (Philadelphia ends open contracts on any day of 2050).
    placeholder_year = np.isin(year, PLACEHOLDER_YEARS) | (year >= 2099)
    return known | placeholder_year | (far & ((day_of_year == 0) | (day_of_year == last.astype(np.int64))))


def _out_of_range(days: np.ndarray) -> np.ndarray:
    """Before EARLIEST_YEAR, or more than YEARS_AHEAD years after today."""
    import datetime as _dt

    today = _dt.date.today()
    try:
        limit = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year + YEARS_AHEAD, day=28)
    return (days < np.datetime64(f"{EARLIEST_YEAR}-01-01", "D")) | (days > np.datetime64(limit, "D"))


def parse_date(values, *, dayfirst: bool | None = None) -> Parsed:
    """Dates (datetime64[us] at midnight) from ISO text, ISO with time and zone, M/D/YYYY, MM-DD-YYYY,
    D-Mon-YY, 'April 8, 2021', YYYYMMDD integers, Excel serial numbers and Excel datetime objects.

    A time of day is dropped and the date is kept as written (no time-zone shift). Whether 1/2/2021
    is January or February is decided once per column: day-first only when some first number is over
    12 and no second number is; otherwise US month-first (or as `dayfirst` says). Placeholder dates
    (1900-01-01, 2000-01-01, 2050-12-31, 9999-12-31...) and dates before 1990 or more than 5 years after
    today are kept and flagged.
    """
    coded = code(values)
    codes, u = coded.codes, coded.uniques
    n = len(u)
    out = np.full(n, np.datetime64("NaT", "D"))
    prob = np.full(n, None, dtype=object)
    blank = np.zeros(n, dtype=bool)
    if n:
        strs = _is_str(u)
        nums = _is_number(u)
        if strs.any():
            low = coded.lowered[strs]
            idx = np.flatnonzero(strs)
            blank[idx] = low.isin(MISSING_TOKENS).to_numpy()
            out[idx] = _text_to_dates(low, dayfirst)
        if nums.any():
            out[nums] = _numbers_to_dates(np.asarray(u[nums], dtype=float))
        other = ~(strs | nums)
        if other.any():
            out[other] = _objects_to_dates(list(u[other]))
        nat = np.isnat(out)
        placeholder = ~nat & _placeholder(out)
        implausible = ~nat & ~placeholder & _out_of_range(out)
        prob[~blank & implausible] = PROBLEM_IMPLAUSIBLE
        prob[~blank & placeholder] = PROBLEM_PLACEHOLDER
        prob[~blank & nat] = PROBLEM_DATE
        if strs.any():
            _several_dates(coded.lowered, np.flatnonzero(strs & nat & ~blank), dayfirst, out, prob)
    dates = _expand(codes, out.astype("datetime64[us]"), np.datetime64("NaT", "us"))
    return Parsed(pd.Series(dates.astype("datetime64[us]")), _problems(codes, prob))


def _several_dates(lowered: pd.Series, idx: np.ndarray, dayfirst: bool | None, out: np.ndarray,
                   prob: np.ndarray) -> None:
    """A cell holding one date per item ('04/30/2026;04/30/2026', one per certification): the date when they
    agree, the earliest (flagged) when they do not; left 'not a date' when any part is not a date."""
    for i in idx:
        parts = [p.strip() for p in re.split(r"\s*[;|]\s*", str(lowered.iloc[i])) if p.strip()]
        if len(parts) < 2:
            continue
        days = _text_to_dates(pd.Series(parts, dtype="str"), dayfirst)
        if np.isnat(days).any():
            continue
        out[i] = days.min()
        prob[i] = None if len(set(days.tolist())) == 1 else PROBLEM_SEVERAL_DATES


# ---------------------------------------------------------------------------------------------
# Booleans

_TRUE = frozenset({"y", "yes", "true", "t", "1", "1.0", "x", "✓", "✔", "√", "checked", "on", "-1"})
_FALSE = frozenset({"n", "no", "false", "f", "0", "0.0", "unchecked", "off"})
_MARKS = frozenset({"x", "✓", "✔", "√", "*"})


def parse_boolean(values) -> Parsed:
    """Yes/no values as nullable booleans: Y/N, Yes/No, True/False, 1/0, X marks.

    In a column that only ever holds marks ('X', '✓'), a blank cell means no (False);
    elsewhere a blank is missing.
    """
    codes, u = _factorize(values)
    n = len(u)
    res: list = [None] * n
    prob: list = [None] * n
    keys = [str(x).strip().lower() if not isinstance(x, (bool, np.bool_)) else ("true" if x else "false")
            for x in u]
    blank = [k in MISSING_TOKENS and k not in _FALSE and k not in _TRUE for k in keys]
    for i, k in enumerate(keys):
        if blank[i]:
            continue
        if k in _TRUE:
            res[i] = True
        elif k in _FALSE:
            res[i] = False
        else:
            prob[i] = PROBLEM_BOOLEAN
    seen = {k for k, b in zip(keys, blank, strict=True) if not b}
    marks_only = bool(seen) and seen <= _MARKS
    fill = False if marks_only else None
    if marks_only:
        for i in range(n):
            if blank[i]:
                res[i] = False
    arr = _expand(codes, np.array(res, dtype=object), fill) if n else np.full(len(codes), fill, dtype=object)
    return Parsed(pd.Series(pd.array(list(arr), dtype="boolean")), _problems(codes, prob))


# ---------------------------------------------------------------------------------------------
# Certifications

# Each certification code and the words that say it. Checked on the lower-cased text.
CERTIFICATION_PATTERNS = {
    "MBE": r"\bmbes?\b|\bminority\b|\bm/w?bes?\b|\bmwbes?\b|\bm/w/dbe\b|\bmbe/wbe\b|\bw/?mbes?\b",
    "WBE": r"\bwbes?\b|\bwom[ae]n'?s?\b|\bfemale\b|\bwosb\b|\bedwosb\b|\bm/wbes?\b|\bmwbes?\b|\bm/w/dbe\b|"
           r"\bw/?mbes?\b",
    "DBE": r"\bdbes?\b|\bdisadvantaged\b|\bacdbe\b|\bm/w/dbe\b",
    "SBE": r"\bsbes?\b|\bsmall\b|\bsb\b|\besb\b|\bslbe\b|\blsbe\b|\bvsbe\b|\bmicro\b",
    "DVBE": r"\bdvbes?\b|\bsdvosb\b|\bsdvob\b|\bvosb\b|\bveteran",
    "LBE": r"\blbes?\b|\blocal\b|\bslbe\b|\blsbe\b|\bllbe\b",
}
_NO_CERT = frozenset({"none", "no", "n", "not certified", "uncertified", "0", "false"})


def parse_certifications(values) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
    """Certification text ('MBE; WBE', 'MBE/WBE', 'Minority Business Enterprise') to clean text
    ('MBE; WBE', codes in schema order, unrecognised parts kept) and one boolean column per flag.

    Returns (text, flags, problems). A blank or 'None' certification sets every flag False
    (the vendor list says what it certifies); text with no known certification is a problem.
    'M/WBE' sets both MBE and WBE.
    """
    codes, u = _factorize(values)
    n = len(u)
    text: list = [None] * n
    prob: list = [None] * n
    flags = {f: np.zeros(n, dtype=bool) for f in CERTIFICATION_FLAGS.values()}
    compiled = {c: re.compile(p) for c, p in CERTIFICATION_PATTERNS.items()}
    for i, x in enumerate(u):
        raw = str(x).strip()
        low = raw.lower()
        if low in MISSING_TOKENS or low in _NO_CERT:
            continue
        found = []
        leftovers = []
        for token in re.split(r"[;,|\n]+", raw):
            tok = token.strip()
            if not tok:
                continue
            hits = [c for c, rx in compiled.items() if rx.search(tok.lower())]
            if hits:
                found.extend(hits)
            elif tok.lower() not in _NO_CERT:
                leftovers.append(tok)
        ordered = [c for c in CERTIFICATION_FLAGS if c in found]
        for c in ordered:
            flags[CERTIFICATION_FLAGS[c]][i] = True
        text[i] = "; ".join(ordered + leftovers) or None
        if not ordered:
            prob[i] = PROBLEM_CERT
    text_s = pd.Series(_expand(codes, np.array(text, dtype=object), None) if n else [None] * len(codes),
                       dtype="str")
    flag_df = pd.DataFrame(
        {f: pd.array(_expand(codes, v, False).astype(bool) if n else np.zeros(len(codes), bool),
                     dtype="boolean") for f, v in flags.items()}
    )
    return text_s, flag_df, _problems(codes, prob)


# ---------------------------------------------------------------------------------------------
# Procurement methods

# The vocabulary (codes and patterns from US municipal, state and federal, Canadian and UK/EU exports) is
# data in loaders/vocabulary.py; a value it does not know is not recognised (None), never guessed.
_METHOD_RX = tuple((m, re.compile(p)) for m, p in METHOD_PATTERNS)
assert all(m in METHODS for m, _ in METHOD_PATTERNS)


def method_key(text: object) -> str:
    """How a method cell is looked up: lower case, single spaces, punctuation other than / & - dropped."""
    low = re.sub(r"[^\w/&\-]+", " ", str(text).lower()).replace("_", " ")
    return " ".join(low.split())


def method_of(text: object, recodes: dict[str, str] | None = None) -> str | None:
    """One method name for one cell ('ITB' -> 'invitation for bid'); None for blank and for a value the
    vocabulary does not know (check `is_blank_method` to tell them apart). `recodes` ({value as written:
    method}) are the user's own choices for values the vocabulary does not know, and win."""
    raw = str(text).strip()
    low = fold_accents(raw.lower())  # 'Ajuste Directo', 'Concurso Público'
    if low in MISSING_TOKENS:
        return None
    if recodes:
        given = recodes.get(raw) or recodes.get(low) or recodes.get(method_key(raw))
        if given in METHODS:
            return given
    if low in METHODS:
        return low
    key = method_key(raw)
    if key in METHOD_CODES:
        return METHOD_CODES[key]
    for method, rx in _METHOD_RX:
        if rx.search(low):
            return method
    return None


def parse_method(values, recodes: dict[str, str] | None = None) -> Parsed:
    """Method names normalised to schema.METHODS; a value the vocabulary does not know is None with the
    problem 'method not recognised' (the value as written is kept by the normaliser in method_text)."""
    codes, u = _factorize(values)
    res = [method_of(x, recodes) for x in u]
    prob = [PROBLEM_METHOD if (r is None and str(x).strip().lower() not in MISSING_TOKENS) else None
            for x, r in zip(u, res, strict=True)]
    arr = _expand(codes, np.array(res, dtype=object), None) if len(u) else [None] * len(codes)
    return Parsed(pd.Series(arr, dtype="str"), _problems(codes, prob))


_HIGHER_WORDS = ("higher", "high", "more", "increase", "up", "max", "maximise", "maximize", "above", "at least",
                 "greater", ">", ">=", "\u2191")
_LOWER_WORDS = ("lower", "low", "less", "fewer", "decrease", "down", "min", "minimise", "minimize", "below",
                "at most", "smaller", "<", "<=", "\u2193")


def direction_of(text: object) -> str | None:
    """'Higher is better', 'max', '>=' -> 'higher'; 'Lower is better', 'min' -> 'lower'; None otherwise."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return None
    t = str(text).strip().lower()
    words = t.split()
    first = words[0] if words else ""
    for result, vocabulary in (("higher", _HIGHER_WORDS), ("lower", _LOWER_WORDS)):
        if t in vocabulary or first in vocabulary or any(t.startswith(w + " ") for w in vocabulary if " " in w):
            return result
    return None


def parse_direction(values) -> Parsed:
    """Which way a metric is better, as 'higher' or 'lower'; anything else is a problem (left blank)."""
    codes, u = _factorize(values)
    res = [direction_of(x) for x in u]
    prob = [PROBLEM_DIRECTION if r is None and str(x).strip().lower() not in MISSING_TOKENS else None
            for x, r in zip(u, res, strict=True)]
    arr = _expand(codes, np.array(res, dtype=object), None) if len(u) else [None] * len(codes)
    return Parsed(pd.Series(arr, dtype="str"), _problems(codes, prob))


def is_competitive(method: pd.Series) -> pd.Series:
    """True for the three competitive methods, False for the others, NA where the method is unknown."""
    m = pd.Series(method, dtype="str")
    out = pd.Series(pd.NA, index=m.index, dtype="boolean")
    out[m.isin(COMPETITIVE_METHODS)] = True
    out[m.notna() & ~m.isin(COMPETITIVE_METHODS)] = False
    return out


def is_noncompetitive(method: pd.Series) -> pd.Series:
    """True for sole source, emergency and exempt."""
    m = pd.Series(method, dtype="str")
    return m.isin(NONCOMPETITIVE_METHODS)


# ---------------------------------------------------------------------------------------------
# Scores

SCORE_SCALES = ((1.0, 0.0, 1.0), (5.0, 1.0, 5.0), (10.0, 0.0, 10.0), (100.0, 0.0, 100.0))


def detect_score_scale(numbers: np.ndarray) -> tuple[float, float] | None:
    """(low, high) of the scale a score column uses: 0-1, 1-5, 0-10 or 0-100 (None if beyond)."""
    v = numbers[~np.isnan(numbers)]
    if len(v) == 0:
        return (0.0, 1.0)
    top = v.max()
    for limit, low, high in SCORE_SCALES:
        if top <= limit:
            if limit == 5.0 and v.min() < 1:
                low = 0.0
            return (low, high)
    return None


def parse_score(values, *, scale: tuple[float, float] | None = None) -> Parsed:
    """Scores normalised to 0-1 from the column's scale (0-1, 1-5, 0-10, 0-100, or '85%').

    The scale is detected from the column's largest value unless `scale=(low, high)` is given;
    a 1-5 scale maps 1 -> 0 and 5 -> 1. Values outside the scale are problems.
    """
    codes, u = _factorize(values)
    percent_u = np.zeros(len(u), dtype=bool)
    strs = _is_str(u)
    if strs.any():
        percent_u[strs] = _clean_text(u[strs]).str.endswith("%").to_numpy()
    p = parse_number(values)
    v = p.values.to_numpy(dtype=float)
    percent = _expand(codes, percent_u, False).astype(bool)
    v = np.where(percent, v * 100.0, v)  # parse_number already divided by 100
    plain = ~percent
    low, high = scale or detect_score_scale(v[plain]) or (0.0, 100.0)
    norm = np.where(percent, v / 100.0, (v - low) / (high - low))
    bad = ~np.isnan(norm) & ((norm < -1e-9) | (norm > 1 + 1e-9))
    problems = p.problems.copy()
    problems[bad] = PROBLEM_SCORE
    norm = np.where(bad, np.nan, norm)
    return Parsed(pd.Series(norm.astype(float)), problems.astype("str"))


# ---------------------------------------------------------------------------------------------
# Ids and text


def parse_id(values) -> Parsed:
    """Ids as text kept exactly ('0001' stays '0001'); whole numbers from Excel lose their '.0'."""
    coded = code(values)
    codes, u = coded.codes, coded.uniques
    n = len(u)
    res = np.full(n, None, dtype=object)
    if n:
        strs = _is_str(u)
        if strs.any():
            t = coded.cleaned[strs]
            missing = coded.lowered[strs].isin(MISSING_TOKENS).to_numpy()
            res[np.flatnonzero(strs)] = np.where(missing, None, t.to_numpy(dtype=object))
        nums = _is_number(u) & ~strs
        if nums.any():
            v = np.asarray(u[nums], dtype=float)
            whole = ~np.isnan(v) & (np.floor(v) == v) & (np.abs(v) < 1e15)
            text = np.where(whole, pd.Series(np.where(whole, v, 0).astype(np.int64)).astype("str").to_numpy(object),
                            pd.Series(v).astype("str").to_numpy(object))
            res[np.flatnonzero(nums)] = np.where(np.isnan(v), None, text)
        for i in np.flatnonzero(~(strs | nums)):
            x = u.iloc[i]
            if isinstance(x, (dt.datetime, dt.date, pd.Timestamp)):
                res[i] = x.strftime("%Y-%m-%d")
            else:
                res[i] = str(x).strip()
    arr = _expand(codes, res, None) if n else [None] * len(codes)
    return Parsed(pd.Series(arr, dtype="str"), _problems(codes, []))


def parse_text(values) -> Parsed:
    """Text with surrounding space removed; missing tokens ('NA', 'N/A', '-') become missing."""
    coded = code(values)
    codes, u = coded.codes, coded.uniques
    if len(u) == 0:
        return Parsed(pd.Series([None] * len(codes), dtype="str"), _problems(codes, []))
    # Strings are cleaned as they are; numbers and dates take the id spelling ('208', '2024-01-02').
    if _is_str(u).all():
        t = coded.cleaned.where(~coded.lowered.isin(MISSING_TOKENS).to_numpy(), None)
    else:
        t = pd.Series(parse_id(u).values.to_numpy(dtype=object), dtype="str")
        t = t.where(~_missing_text(t.fillna("")), None)
    arr = _expand(codes, t.to_numpy(dtype=object, na_value=None), None)
    return Parsed(pd.Series(arr, dtype="str"), _problems(codes, [None] * len(u)))
