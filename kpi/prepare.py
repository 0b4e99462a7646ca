"""Derived arrays of the canonical tables (dates, codes, vendor keys, joins), computed once and cached."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from loaders.schema import TABLES

from .periods import NAT, to_days

_LEGAL_SUFFIX = re.compile(
    r"\b(incorporated|inc|llc|l l c|llp|lp|ltd|limited|corp|corporation|co|company|pc|pllc|plc|the|dba)\b"
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_name(name: object) -> str:
    """'The ACME Co., Inc.' -> 'acme': lower case, punctuation and legal suffixes dropped."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    s = str(name).lower().replace("&", " and ")
    s = _NON_WORD.sub(" ", s)
    s = _LEGAL_SUFFIX.sub(" ", s)
    return " ".join(s.split())


def _clean_text(values: pd.Series) -> pd.Series:
    s = values.astype("str").str.strip()
    return s.where(values.notna() & (s != ""))


class Prepared:
    """One set of canonical tables and every array derived from them (each computed on first use)."""

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self.frames = {k: v for k, v in frames.items() if isinstance(v, pd.DataFrame)}
        self._cache: dict = {}
        self._lock = threading.RLock()
        self.records: dict = {}  # (kpi_id, as_of) -> Records, filled by the engine

    def _memo(self, key, make):
        try:
            return self._cache[key]
        except KeyError:
            pass
        value = make()
        with self._lock:
            return self._cache.setdefault(key, value)

    # ----------------------------------------------------------------- presence

    def frame(self, table: str) -> pd.DataFrame | None:
        return self.frames.get(table)

    def rows(self, table: str) -> int:
        f = self.frames.get(table)
        return 0 if f is None else len(f)

    def has(self, table: str, column: str | None = None) -> bool:
        """The table is loaded (and the column is there with at least one value)."""
        f = self.frames.get(table)
        if f is None:
            return False
        if column is None:
            return True
        return self._memo(("has", table, column), lambda: column in f.columns and bool(f[column].notna().any()))

    def missing(self, needs: tuple[str, ...]) -> tuple[str, ...]:
        """Needs ('table.col' or 'table.a|table.b') that are absent or empty, named for the user."""
        out: list[str] = []
        for need in needs:
            options = need.split("|")
            if any(self.has(*o.split(".", 1)) for o in options):
                continue
            names = []
            for o in options:
                t, c = o.split(".", 1)
                if t not in self.frames:
                    names.append(f"{t} (table not loaded)")
                elif c not in self.frames[t].columns:
                    names.append(o)
                else:
                    names.append(f"{o} (no values)")
            out.append(" or ".join(dict.fromkeys(names)))
        return tuple(dict.fromkeys(out))

    # ----------------------------------------------------------------- columns as arrays

    def days(self, table: str, column: str) -> np.ndarray:
        """datetime64[D]; NaT where missing (or the column is absent)."""

        def make():
            f = self.frames.get(table)
            if f is None or column not in f.columns:
                return np.full(self.rows(table), NAT)
            return to_days(f[column])

        return self._memo(("days", table, column), make)

    def number(self, table: str, column: str) -> np.ndarray:
        """float64; NaN where missing."""

        def make():
            f = self.frames.get(table)
            if f is None or column not in f.columns:
                return np.full(self.rows(table), np.nan)
            return pd.to_numeric(f[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)

        return self._memo(("number", table, column), make)

    def flag(self, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(true, known) boolean arrays of a yes/no column; text 'yes'/'y'/'true'/'1'/'x' counts as yes."""

        def make():
            n = self.rows(table)
            f = self.frames.get(table)
            if f is None or column not in f.columns:
                return np.zeros(n, bool), np.zeros(n, bool)
            s = f[column]
            known = s.notna().to_numpy(copy=True)
            if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
                true = s.fillna(0).astype("float64").to_numpy() != 0
            else:
                t = s.astype("str").str.strip().str.lower()
                true = t.isin(("yes", "y", "true", "t", "1", "x", "1.0")).to_numpy()
                known &= (t != "").to_numpy()
            return true & known, known

        return self._memo(("flag", table, column), make)

    def text(self, table: str, column: str, *, lower: bool = False) -> tuple[np.ndarray, pd.Index]:
        """(codes, labels) of a text column, trimmed; code -1 where blank."""

        def make():
            f = self.frames.get(table)
            if f is None or column not in f.columns:
                return np.full(self.rows(table), -1, dtype=np.int64), pd.Index([], dtype="str")
            s = f[column]
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            clean = _clean_text(pd.Series(uniques, dtype="str" if len(uniques) else "str"))
            if lower:
                clean = clean.str.lower()
            # Several raw values may clean to one label (' Parks', 'Parks'): refactorise the uniques.
            ucodes, labels = pd.factorize(clean, use_na_sentinel=True)
            codes = np.where(codes >= 0, ucodes[np.maximum(codes, 0)] if len(ucodes) else -1, -1)
            return codes.astype(np.int64), pd.Index(labels, dtype="str")

        return self._memo(("text", table, column, lower), make)

    def ids(self, table: str, column: str) -> np.ndarray:
        """Cleaned id text as an object array (None where blank): for joins between tables."""

        def make():
            codes, labels = self.text(table, column)
            lab = np.asarray(labels, dtype=object)
            return np.where(codes >= 0, lab[np.maximum(codes, 0)] if len(lab) else None, None)

        return self._memo(("ids", table, column), make)

    def join(self, table: str, column: str, other: str, other_column: str) -> np.ndarray:
        """Row position in `other` whose `other_column` equals this row's `column` (first match), -1 if none."""

        def make():
            codes, labels = self.text(table, column)
            o_codes, o_labels = self.text(other, other_column)
            if not len(labels) or not len(o_labels):
                return np.full(len(codes), -1, dtype=np.int64)
            # First row of `other` for each of its labels.
            first = pd.Series(np.arange(len(o_codes)))[o_codes >= 0].groupby(o_codes[o_codes >= 0]).first()
            pos_of_label = np.full(len(o_labels), -1, dtype=np.int64)
            pos_of_label[first.index.to_numpy()] = first.to_numpy()
            label_map = o_labels.get_indexer(labels)  # this table's label -> other's label
            mapped = np.where(label_map >= 0, pos_of_label[np.maximum(label_map, 0)], -1)
            return np.where(codes >= 0, mapped[np.maximum(codes, 0)], -1)

        return self._memo(("join", table, column, other, other_column), make)

    def take(self, values: np.ndarray, positions: np.ndarray, fill):
        """values[positions] with `fill` where the position is -1."""
        if len(values) == 0:
            return np.full(len(positions), fill, dtype=np.asarray(values).dtype if fill is not None else object)
        out = values[np.maximum(positions, 0)]
        return np.where(positions >= 0, out, fill)

    # ----------------------------------------------------------------- methods

    def method(self, table: str) -> tuple[np.ndarray, pd.Index]:
        return self.text(table, "method", lower=True)

    # ----------------------------------------------------------------- vendors

    def _name_to_id(self) -> dict[str, str]:
        """Normalised vendor name -> vendor id, from every table that carries both."""

        def make():
            pairs = []
            for table, id_col, name_col in (("vendors", "vendor_id", "vendor_name"),
                                            ("solicitations", "awarded_vendor_id", "awarded_vendor_name"),
                                            ("contracts", "vendor_id", "vendor_name"),
                                            ("bids", "vendor_id", "vendor_name")):
                f = self.frames.get(table)
                if f is None or id_col not in f.columns or name_col not in f.columns:
                    continue
                ic, il = self.text(table, id_col)
                nc, nl = self.text(table, name_col)
                ok = (ic >= 0) & (nc >= 0)
                if not ok.any():
                    continue
                u = pd.DataFrame({"i": ic[ok], "n": nc[ok]}).drop_duplicates()
                pairs.append(pd.DataFrame({"id": il.take(u["i"].to_numpy()),
                                           "name": self._norm_labels(table, name_col)[u["n"].to_numpy()]}))
            if not pairs:
                return {}
            allp = pd.concat(pairs, ignore_index=True)
            allp = allp[allp["name"] != ""].drop_duplicates("name", keep="first")
            return dict(zip(allp["name"], allp["id"], strict=True))

        return self._memo(("name_to_id",), make)

    def _norm_labels(self, table: str, column: str) -> np.ndarray:
        return self._memo(("norm", table, column), lambda: np.array(
            [normalise_name(x) for x in self.text(table, column)[1]], dtype=object))

    def vendor(self, table: str, id_col: str, name_col: str) -> dict:
        """Vendor of each row: 'key' codes (id, else an id found by name, else the normalised name), display
        labels per key, and the row's normalised name; code -1 where the row names no vendor."""

        def make():
            n = self.rows(table)
            ic, il = self.text(table, id_col)
            nc, nl = self.text(table, name_col)
            norm = self._norm_labels(table, name_col)
            name_to_id = self._name_to_id()
            id_keys = np.array(["id:" + x for x in il], dtype=object)
            name_keys = np.array(["id:" + name_to_id[x] if x in name_to_id else ("nm:" + x if x else "")
                                  for x in norm], dtype=object)
            key = np.full(n, "", dtype=object)
            if len(name_keys):
                key = np.where(nc >= 0, name_keys[np.maximum(nc, 0)], key)
            if len(id_keys):
                key = np.where(ic >= 0, id_keys[np.maximum(ic, 0)], key)
            codes, keys = pd.factorize(pd.Series(key, dtype="str"))
            keys = pd.Index(keys, dtype="str")
            blank = keys.get_indexer([""])[0]
            if blank >= 0:
                codes = np.where(codes == blank, -1, codes)
            # Display label: the row's name, else its id.
            disp = np.where(nc >= 0, np.asarray(nl, dtype=object)[np.maximum(nc, 0)] if len(nl) else None,
                            np.asarray(il, dtype=object)[np.maximum(ic, 0)] if len(il) else None)
            labels = pd.Series(disp)[codes >= 0].groupby(codes[codes >= 0]).first()
            display = np.array(keys, dtype=object)
            display[labels.index.to_numpy()] = labels.to_numpy()
            row_norm = np.where(nc >= 0, norm[np.maximum(nc, 0)] if len(norm) else "", "")
            return {"codes": codes.astype(np.int64), "keys": keys,
                    "labels": pd.Index(display.astype(str), dtype="str"), "norm": row_norm,
                    "id": np.where(ic >= 0, np.asarray(il, dtype=object)[np.maximum(ic, 0)] if len(il) else None,
                                   None)}

        return self._memo(("vendor", table, id_col, name_col), make)

    def vendor_flags(self, table: str, id_col: str, name_col: str, flags: tuple[str, ...],
                     on_date: np.ndarray | None = None) -> np.ndarray:
        """True where the row's vendor is in the vendor list with any of `flags` (by id, else by normalised
        name); a certification past its expiration date on `on_date` does not count."""
        if not self.has("vendors"):
            return np.zeros(self.rows(table), bool)
        vend = self.vendor("vendors", "vendor_id", "vendor_name")
        certified = np.zeros(self.rows("vendors"), bool)
        for fl in flags:
            certified |= self.flag("vendors", fl)[0]
        expires = self.days("vendors", "certification_expiration_date")
        vkeys = vend["keys"]
        # Per vendor key and per normalised name: the first matching vendor row.
        row_of_key = pd.Series(np.arange(len(certified)))[vend["codes"] >= 0].groupby(
            vend["codes"][vend["codes"] >= 0]).first()
        key_pos = np.full(len(vkeys), -1, dtype=np.int64)
        key_pos[row_of_key.index.to_numpy()] = row_of_key.to_numpy()
        name_index = pd.Index(vend["norm"])
        me = self.vendor(table, id_col, name_col)
        # Row's key -> vendor row via the vendor list's keys, else via the normalised name.
        by_key = vkeys.get_indexer(me["keys"])
        pos_key = np.where(by_key >= 0, key_pos[np.maximum(by_key, 0)], -1)
        pos = self.take(pos_key, me["codes"], -1).astype(np.int64)
        if name_index.is_unique:
            by_name = name_index.get_indexer(me["norm"])
        else:
            first_name = pd.Series(np.arange(len(name_index)), index=name_index)
            first_name = first_name[~first_name.index.duplicated()]
            by_name = first_name.index.get_indexer(me["norm"])
            by_name = np.where(by_name >= 0, first_name.to_numpy()[np.maximum(by_name, 0)], -1)
        by_name = np.where(me["norm"] != "", by_name, -1)
        pos = np.where(pos >= 0, pos, by_name)
        out = self.take(certified, pos, False).astype(bool)
        if on_date is not None:
            exp = self.take(expires, pos, NAT).astype("datetime64[D]")
            out &= np.isnat(exp) | np.isnat(on_date) | (on_date <= exp)
        return out


# ------------------------------------------------------------------------- cache of preparations

_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def prepared(tables: Mapping[str, pd.DataFrame] | Prepared) -> Prepared:
    """The Prepared of these frames, reused while the same frame objects are passed again.

    Keyed on the frames' identity (the workspace hands out the same objects until an import changes them);
    the cache holds the frames, so an id is never reused for another frame while its entry lives.
    """
    if isinstance(tables, Prepared):
        return tables
    tables = {k: v for k, v in (tables or {}).items() if k in TABLES and isinstance(v, pd.DataFrame)}
    key = tuple(sorted((name, id(df), df.shape) for name, df in tables.items()))
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and all(hit.frames.get(n) is df for n, df in tables.items()):
            _CACHE.move_to_end(key)
            return hit
    prep = Prepared(tables)
    with _CACHE_LOCK:
        _CACHE[key] = prep
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return prep


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
