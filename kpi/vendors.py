"""Vendor identity: which rows name the same vendor (by id; else by a name another table pairs with an id;
else by the normalised name), computed in Python over the distinct vendor spellings of the tables (a few
thousand rows, fetched by kpi.sql.measures.vendor_lookup, never the tables themselves)."""

from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .periods import NAT, to_days

_LEGAL_SUFFIX = (r"\b(incorporated|inc|llc|l l c|llp|lp|ltd|limited|corp|corporation|co|company|pc|pllc|plc|"
                 r"the|dba)\b")


def normalise_names(names: pd.Series) -> pd.Series:
    """Vectorised normalise_name (one pass of Arrow string kernels over the distinct names). Accents are
    folded ('Café' = 'Cafe'): one system keeps them and another drops them for the same vendor."""
    s = pd.Series(names, dtype="str").str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
    s = s.str.lower().str.replace("&", " and ", regex=False)
    s = s.str.replace(r"[^a-z0-9]+", " ", regex=True).str.replace(_LEGAL_SUFFIX, " ", regex=True)
    return s.str.replace(r" +", " ", regex=True).str.strip().fillna("")


def normalise_name(name: object) -> str:
    """'The ACME Co., Inc.' -> 'acme': lower case, punctuation and legal suffixes dropped."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    return str(normalise_names(pd.Series([str(name)])).iloc[0])


def flag_values(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(true, known) boolean arrays of a yes/no column (vendors' certifications, contracts' is_key_contract):
    a number other than 0 is yes; text 'yes'/'y'/'true'/'t'/'1'/'x' is yes, other text no, blank unknown."""
    known = s.notna().to_numpy(copy=True)
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        true = s.astype("float64").to_numpy(na_value=0.0) != 0
    else:
        t = s.astype("str").str.strip().str.lower()
        true = t.isin(("yes", "y", "true", "t", "1", "x", "1.0")).to_numpy()
        known &= (t != "").to_numpy()
    return true & known, known


def _clean_text(values: pd.Series) -> pd.Series:
    s = values.astype("str").str.strip()
    return s.where(values.notna() & (s != ""))


class VendorIdentity:
    """Vendor keys of small frames (the distinct vendor id/name pairs of each table, and the vendor list),
    each derived array computed on first use."""

    def __init__(self, frames: Mapping[str, pd.DataFrame]):
        self.frames = {k: v for k, v in frames.items() if isinstance(v, pd.DataFrame)}
        self._cache: dict = {}
        self._lock = threading.RLock()

    def _memo(self, key, make):
        try:
            return self._cache[key]
        except KeyError:
            pass
        value = make()
        with self._lock:
            return self._cache.setdefault(key, value)

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

    def days(self, table: str, column: str) -> np.ndarray:
        """datetime64[D]; NaT where missing (or the column is absent)."""

        def make():
            f = self.frames.get(table)
            if f is None or column not in f.columns:
                return np.full(self.rows(table), NAT)
            return to_days(f[column])

        return self._memo(("days", table, column), make)

    def flag(self, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(true, known) boolean arrays of a yes/no column; text 'yes'/'y'/'true'/'1'/'x' counts as yes."""

        def make():
            n = self.rows(table)
            f = self.frames.get(table)
            if f is None or column not in f.columns:
                return np.zeros(n, bool), np.zeros(n, bool)
            return flag_values(f[column])

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

    def _name_to_id(self) -> pd.Series:
        """Normalised vendor name -> vendor id, from every table that carries both (first pair wins)."""

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
                nc, _ = self.text(table, name_col)
                ok = (ic >= 0) & (nc >= 0)
                if not ok.any():
                    continue
                u = pd.DataFrame({"i": ic[ok], "n": nc[ok]}).drop_duplicates()
                pairs.append(pd.DataFrame({"id": np.asarray(il, dtype=object)[u["i"].to_numpy()],
                                           "name": self.norm_labels(table, name_col)[u["n"].to_numpy()]}))
            if not pairs:
                return pd.Series([], dtype=object, index=pd.Index([], dtype="str"))
            allp = pd.concat(pairs, ignore_index=True)
            allp = allp[allp["name"] != ""].drop_duplicates("name", keep="first")
            return pd.Series(allp["id"].to_numpy(dtype=object), index=pd.Index(allp["name"], dtype="str"))

        return self._memo(("name_to_id",), make)

    def norm_labels(self, table: str, column: str) -> np.ndarray:
        """Normalised name of each distinct label of a text column (object array aligned with text()[1])."""
        return self._memo(("norm", table, column), lambda: normalise_names(
            pd.Series(self.text(table, column)[1])).to_numpy(dtype=object))

    def vendor(self, table: str, id_col: str, name_col: str) -> dict:
        """Vendor of each row as an integer code into `keys`: 'id:<vendor id>', else the id another table pairs
        with the normalised name, else 'nm:<normalised name>'; -1 where the row names no vendor. `labels` are
        display names per key; name_codes/norm_labels give each row's normalised name for name matching."""

        def make():
            ic, il = self.text(table, id_col)
            nc, nl = self.text(table, name_col)
            norm = self.norm_labels(table, name_col)
            name_to_id = self._name_to_id()
            id_keys = ("id:" + pd.Series(il, dtype="str")).to_numpy(dtype=object)
            found = name_to_id.reindex(pd.Index(norm, dtype="str")).to_numpy(dtype=object) if len(norm) else norm
            has_id = pd.notna(found) if len(norm) else np.zeros(0, bool)
            name_keys = np.where(has_id, "id:" + pd.Series(found, dtype="str").fillna(""),
                                 np.where(norm != "", "nm:" + pd.Series(norm, dtype="str"), "")) \
                if len(norm) else np.array([], dtype=object)
            name_keys = np.asarray(name_keys, dtype=object)
            keys = pd.Index(pd.unique(np.concatenate([id_keys, name_keys[name_keys != ""]])), dtype="str")
            id2k = keys.get_indexer(id_keys) if len(id_keys) else np.zeros(0, np.int64)
            nm2k = np.where(name_keys != "", keys.get_indexer(name_keys), -1) if len(name_keys) else id2k[:0]
            by_name = np.where(nc >= 0, nm2k[np.maximum(nc, 0)] if len(nm2k) else -1, -1)
            codes = np.where(ic >= 0, id2k[np.maximum(ic, 0)] if len(id2k) else -1, by_name).astype(np.int64)
            # Display label per key: a name seen with it (first row), else the id.
            display = keys.str[3:].to_numpy(dtype=object)
            named = (codes >= 0) & (nc >= 0)
            if named.any():
                first = pd.Series(nc[named]).groupby(codes[named]).first()
                display[first.index.to_numpy()] = np.asarray(nl, dtype=object)[first.to_numpy()]
            return {"codes": codes, "keys": keys, "labels": pd.Index(display.astype(str), dtype="str"),
                    "name_codes": nc, "norm_labels": norm}

        return self._memo(("vendor", table, id_col, name_col), make)

    def vendor_rows(self, table: str, id_col: str, name_col: str) -> np.ndarray:
        """Row position in the vendor list of each row's vendor (by key, else by normalised name); -1 if none."""

        def make():
            n = self.rows(table)
            if not self.has("vendors"):
                return np.full(n, -1, dtype=np.int64)
            v = self.vendor("vendors", "vendor_id", "vendor_name")
            me = v if table == "vendors" else self.vendor(table, id_col, name_col)
            rows = np.arange(self.rows("vendors"))
            ok = v["codes"] >= 0
            first_of_key = pd.Series(rows[ok]).groupby(v["codes"][ok]).first()
            key_row = np.full(len(v["keys"]), -1, dtype=np.int64)
            key_row[first_of_key.index.to_numpy()] = first_of_key.to_numpy()
            k = v["keys"].get_indexer(me["keys"]) if len(me["keys"]) else np.zeros(0, np.int64)
            per_key = np.where(k >= 0, key_row[np.maximum(k, 0)] if len(key_row) else -1, -1)
            pos = np.where(me["codes"] >= 0, per_key[np.maximum(me["codes"], 0)] if len(per_key) else -1, -1)
            # Fallback by normalised name: vendor list's names -> first row.
            vn = v["name_codes"]
            okn = vn >= 0
            if okn.any() and len(me["norm_labels"]):
                vnorm = pd.Series(v["norm_labels"][vn[okn]], dtype="str")
                first_of_name = pd.Series(rows[okn]).groupby(vnorm.to_numpy()).first()
                first_of_name = first_of_name[first_of_name.index != ""]
                idx = pd.Index(first_of_name.index, dtype="str").get_indexer(pd.Index(me["norm_labels"], dtype="str"))
                per_name = np.where(idx >= 0, first_of_name.to_numpy()[np.maximum(idx, 0)], -1)
                nc = me["name_codes"]
                by_name = np.where(nc >= 0, per_name[np.maximum(nc, 0)], -1)
                pos = np.where(pos >= 0, pos, by_name)
            return pos.astype(np.int64)

        return self._memo(("vendor_rows", table, id_col, name_col), make)
