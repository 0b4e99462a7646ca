"""The computation: records of a KPI -> filters (boolean masks) -> one vectorised aggregation by period and group."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from dataclasses import replace

import numpy as np
import pandas as pd

from . import periods as P
from .measures import EXPIRING_WINDOWS, Context
from .prepare import Prepared, normalise_name, normalise_names, prepared
from .records import NOT_RECORDED, Records
from .registry import KPI, KPIS
from .results import (  # noqa: F401 - re-exported: kpi.engine.Filters and friends stay importable
    AFTER_LABEL,
    AFTER_REASON,
    NO_COMPARISON,
    NO_DATE_LABEL,
    Drilldown,
    Filters,
    KPIResult,
)
from .results import check_breakdown as _check_by
from .results import empty_frame as _empty_frame
from .results import empty_reasons as _empty_reasons
from .results import kpi_by_id as _kpi
from .results import order_frame as _order
from .results import period_frame as _period_frame
from .results import snapshot_periods as results_snapshot_periods

_DENSE_BINS = 4_000_000


# ----------------------------------------------------------------------------- records, codes, masks


def _as_of_day(as_of) -> np.datetime64:
    d = P.as_day(as_of) if as_of is not None else np.datetime64(P.today(), "D")
    return np.datetime64(P.today(), "D") if np.isnat(d) else d


def records(kpi: KPI, p: Prepared, as_of: np.datetime64, fy_start_month: int, grain: str = "quarter") -> Records:
    """The KPI's candidate records (cached); `grain` matters only to KPIs with one record per period."""
    grain = P.normalise_grain(grain) if kpi.per_period else "quarter"
    key = (kpi.id, str(as_of), fy_start_month, grain)
    rec = p.records.get(key)
    if rec is None:
        if len(p.records) >= 4 * len(KPIS):  # many as-of dates or start months seen: keep memory bounded
            p.records.clear()
        rec = kpi.measure(Context(p, as_of, fy_start_month, grain))
        # A record dated after the as-of date is not in the report.
        ak = ("after", id(rec.date), str(as_of))
        hit = p._cache.get(ak)
        if hit is None or hit[0] is not rec.date:
            hit = p._cache[ak] = (rec.date, ~np.isnat(rec.date) & (rec.date > as_of))
        # Snapshot KPIs count records at reference dates up to the as-of date instead.
        after = hit[1] if not kpi.kind.startswith("snapshot") else np.zeros(len(rec.date), bool)
        if after.any():
            reasons = list(rec.reasons)
            if AFTER_REASON not in reasons:
                reasons.append(AFTER_REASON)
            rec.reason = np.where(after & (rec.reason == 0), reasons.index(AFTER_REASON), rec.reason).astype(np.int16)
            rec.reasons = tuple(reasons)
        rec.extra["_after"] = after
        p.records[key] = rec
    return rec


def _codes(p: Prepared, rec: Records, grain: str, fy: int) -> np.ndarray:
    """Period codes of the records' dates, shared by every KPI whose records use the same date array."""
    key = ("codes", id(rec.date), grain, fy)
    hit = p._cache.get(key)
    if hit is None or hit[0] is not rec.date:
        hit = p._cache[key] = (rec.date, P.period_codes(rec.date, grain, fy))
    return hit[1]


_MASKS: OrderedDict = OrderedDict()
_MASKS_LOCK = threading.Lock()
_MASKS_SIZE = 64


def _shared_mask(array: np.ndarray, key, make) -> np.ndarray:
    """Masks depend only on one array and the filter values: KPIs sharing a table's arrays share them.
    Entries hold a weak reference to the array (a dead or reused id is never a hit) and the cache is small."""
    k = (id(array), key)
    with _MASKS_LOCK:
        hit = _MASKS.get(k)
        if hit is not None and hit[0]() is array:
            _MASKS.move_to_end(k)
            return hit[1]
    mask = make()
    with _MASKS_LOCK:
        _MASKS[k] = (weakref.ref(array), mask)
        while len(_MASKS) > _MASKS_SIZE:
            _MASKS.popitem(last=False)
    return mask


def _lookup(codes: np.ndarray, allowed: set[int], size: int) -> np.ndarray:
    """codes -> bool through a table (code -1 is never allowed)."""
    table = np.zeros(size + 1, bool)
    table[[a + 1 for a in allowed if 0 <= a < size]] = True
    return table[codes + 1]


def _dim_mask(rec: Records, dim: str, values: tuple) -> np.ndarray:
    codes, labels = rec.dims.get(dim, (np.full(len(rec), -1), pd.Index([])))

    def make():
        wanted = [str(v).strip() for v in values]
        if dim == "method":
            wanted = [w.lower() for w in wanted]
        allowed = set(labels.get_indexer(wanted).tolist()) if len(labels) else set()
        if dim == "vendor" and rec.vendor is not None and len(labels):
            keys = rec.vendor["keys"]
            norms = {normalise_name(w) for w in wanted} - {""}
            allowed |= set(keys.get_indexer([f"id:{w}" for w in wanted]).tolist())
            allowed |= set(keys.get_indexer([f"nm:{n}" for n in norms]).tolist())
            if norms:
                label_norm = normalise_names(pd.Series(labels)).to_numpy(dtype=object)
                allowed |= set(np.flatnonzero(np.isin(label_norm, list(norms))).tolist())
        return _lookup(codes, allowed, len(labels))

    return _shared_mask(codes, (dim, tuple(values)), make)


def _fiscal_years(rec: Records, fy: int) -> np.ndarray:
    key = ("fy", fy)
    if key not in rec.cache:
        rec.cache[key] = P.fiscal_year(rec.date, fy)
    return rec.cache[key]


def filter_mask(rec: Records, filters: Filters, fy: int, *, dates: bool = True) -> np.ndarray:
    """Records kept by the filters (snapshot KPIs apply the date filters to periods instead: dates=False)."""
    key = ("mask", filters, fy, dates)
    hit = rec.cache.get("mask")
    if hit is not None and hit[0] == key:
        return hit[1]
    mask = np.ones(len(rec), bool)
    for dim, values in (("department", filters.departments), ("category", filters.categories),
                        ("method", filters.methods), ("vendor", filters.vendors)):
        if values:
            mask &= _dim_mask(rec, dim, values)
    if filters.value_band is not None:
        lo, hi = filters.value_band
        a = rec.amount
        if lo is not None:
            mask &= a >= float(lo)
        if hi is not None:
            mask &= a <= float(hi)
    if dates:
        if filters.fiscal_years:
            years = _fiscal_years(rec, fy)
            wanted = np.array(filters.fiscal_years, dtype=np.int64)
            mask &= _shared_mask(rec.date, ("fy", fy, filters.fiscal_years), lambda: np.isin(years, wanted))
        if filters.date_from is not None:
            mask &= rec.date >= P.as_day(filters.date_from)
        if filters.date_to is not None:
            mask &= rec.date <= P.as_day(filters.date_to)
    rec.cache["mask"] = (key, mask)
    return mask


def _group(rec: Records, by: str | None) -> tuple[np.ndarray, list[str]]:
    """Group code per record (missing -> the last code, '(not recorded)') and the group labels."""
    if by is None:
        return np.zeros(len(rec), dtype=np.int64), [""]
    codes, labels = rec.dims[by]
    g = len(labels)
    return np.where(codes >= 0, codes, g).astype(np.int64), [*map(str, labels), NOT_RECORDED]


# ----------------------------------------------------------------------------- aggregation


class _Layout:
    """Where each record of a KPI falls for one grain and breakdown: bin key, placeable and used flags.

    Independent of the filters, so it is built once per (records, grain, breakdown) and a filter change
    only ANDs a mask in. Bins are dense (period offset x group) unless that would be huge.
    """

    def __init__(self, p: Prepared, rec: Records, codes: np.ndarray, by: str | None):
        self.g, self.groups = _group(rec, by)
        G = self.G = len(self.groups)
        self.codes = codes
        self.dated = codes != P.NO_PERIOD
        self.after = rec.extra["_after"]
        # The bin key depends on the dates and the group codes only: KPIs sharing both share it.
        source = rec.dims[by][0] if by else None
        ck = ("binkey", id(codes), id(rec.extra["_after"]), id(source), G)
        hit = p._cache.get(ck)
        if hit is None or hit[0] is not codes or hit[1] is not source:
            placeable = self.dated & ~self.after
            cmin = int(codes[placeable].min()) if placeable.any() else 0
            cmax = int(codes[placeable].max()) if placeable.any() else 0
            key = np.where(placeable, (codes - cmin) * G + self.g, 0)
            size = (cmax - cmin + 1) * G
            keys = None
            if size > _DENSE_BINS:
                keys, key = np.unique(key, return_inverse=True)
                size = len(keys)
            hit = p._cache[ck] = (codes, source, placeable, cmin, cmax, key.astype(np.int64), size, keys)
        _, _, self.placeable, self.cmin, self.cmax, self.key, self.size, self.keys = hit
        ok = rec.reason == 0
        self.used = self.placeable & ok
        self.excl = self.placeable & ~ok
        self.outside = ~self.placeable & ~ok
        self.unfiltered = None  # (frame, reasons) without filters, made on first use
        self.order = None  # sort order of the used records by (bin, value), made on first use

    def key_of(self, bins: np.ndarray) -> np.ndarray:
        return bins if self.keys is None else self.keys[bins]

    def count(self, sel: np.ndarray) -> np.ndarray:
        return np.bincount(self.key[sel], minlength=self.size).astype(np.int64)

    def sum(self, sel: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.key[sel], weights=w[sel], minlength=self.size)

    def quantiles(self, x: np.ndarray, rows: np.ndarray | None, qs: tuple[float, ...]) -> list[np.ndarray]:
        """Per bin quantiles (linear interpolation, as pandas) of the used records, or of the used row
        numbers `rows` a filter kept (a small selection is sorted on its own, else the cached order)."""
        if rows is not None and len(rows) * 4 < len(self.key):
            o = rows[np.lexsort((x[rows], self.key[rows]))]
        else:
            if self.order is None:
                used = np.flatnonzero(self.used)
                self.order = used[np.lexsort((x[used], self.key[used]))]
            o = self.order
            if rows is not None:
                keep = np.zeros(len(self.key), bool)
                keep[rows] = True
                o = o[keep[o]]
        ks, xs = self.key[o], x[o]
        cnt = np.bincount(ks, minlength=self.size)
        start = np.cumsum(cnt) - cnt
        out = []
        for q in qs:
            res = np.full(self.size, np.nan)
            b = np.flatnonzero(cnt)
            pos = start[b] + q * (cnt[b] - 1)
            lo = np.floor(pos).astype(np.int64)
            hi = np.minimum(lo + 1, start[b] + cnt[b] - 1)
            res[b] = xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
            out.append(res)
        return out


def _has(selection: np.ndarray) -> bool:
    """A boolean mask or an array of row numbers selects at least one row."""
    return bool(selection.any()) if selection.dtype == bool else selection.size > 0


def _all_ones(rec: Records, name: str) -> bool:
    key = ("ones", name)
    if key not in rec.cache:
        a = getattr(rec, name)
        rec.cache[key] = a is not None and bool(np.all(a == 1))
    return rec.cache[key]


def _layout(p: Prepared, rec: Records, grain: str, fy: int, by: str | None) -> _Layout:
    key = ("layout", grain, fy, by)
    lay = rec.cache.get(key)
    if lay is None:
        lay = rec.cache[key] = _Layout(p, rec, _codes(p, rec, grain, fy), by)
    return lay


def _reasons_frame(rec: Records, label_codes: np.ndarray, labels: list[str], g: np.ndarray, reason: np.ndarray,
                   by: str | None, groups: list[str]) -> pd.DataFrame:
    """Excluded counts by period label, group and reason (one entry per excluded record; label_codes index
    `labels`)."""
    if not len(label_codes):
        return _empty_reasons(by)
    R, G = len(rec.reasons), len(groups)
    key = (label_codes.astype(np.int64) * G + g) * R + reason.astype(np.int64)
    uniq, counts = np.unique(key, return_counts=True)
    out = {"period_label": np.asarray(labels, dtype=object)[uniq // (G * R)]}
    if by:
        out["group"] = np.asarray(groups, dtype=object)[(uniq // R) % G]
    out["reason"] = np.asarray(rec.reasons, dtype=object)[uniq % R]
    out["count"] = counts.astype(np.int64)
    return pd.DataFrame(out)


def _aggregate_events(kpi: KPI, rec: Records, lay: _Layout, mask: np.ndarray | None, by: str | None,
                      grain: str, fy: int, as_of: np.datetime64) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records placed by their date: bin sums over (period, group) keys; mask None = no filter."""
    g, groups, G = lay.g, lay.groups, lay.G
    used, excl, outside = lay.used, lay.excl, lay.outside
    if mask is not None:
        # Row numbers instead of masks: a filter usually keeps a small part, and every later step
        # (bin keys, weights, reasons) then touches only those rows.
        rows = np.flatnonzero(mask)
        used, excl, outside = rows[used[rows]], rows[excl[rows]], rows[outside[rows]]
    if not (_has(used) or _has(excl)):
        frame = _empty_frame(kpi, by)
        reasons = _reasons_frame(rec, lay.dated[outside].astype(np.int64), [NO_DATE_LABEL, AFTER_LABEL],
                                 g[outside], rec.reason[outside], by, groups)
        return frame, reasons
    cmin, cmax = lay.cmin, lay.cmax
    n = lay.count(used)
    excluded = lay.count(excl)
    cols: dict[str, np.ndarray] = {}
    kind = kpi.kind
    if kind in ("ratio", "count"):
        ks = lay.key[used]
        num = np.bincount(ks, weights=rec.num[used], minlength=lay.size)
        den = n.astype(float) if _all_ones(rec, "den") else np.bincount(ks, weights=rec.den[used], minlength=lay.size)
        if kind == "ratio":
            with np.errstate(invalid="ignore", divide="ignore"):
                cols["value"] = np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)
            cols["numerator"], cols["denominator"] = num, den
        else:
            cols["value"] = num
        if "sustained" in rec.extra:
            s = lay.sum(used, rec.extra["sustained"])
            cols["sustained"] = s
            with np.errstate(invalid="ignore", divide="ignore"):
                cols["sustained_share"] = np.where(num > 0, s / np.where(num > 0, num, 1), np.nan)
    elif kind == "mean":
        s = lay.sum(used, np.nan_to_num(rec.x))
        s2 = lay.sum(used, np.nan_to_num(rec.x) ** 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s / n
            var = (s2 - n * mean ** 2) / np.maximum(n - 1, 1)
        cols["value"] = np.where(n > 0, mean, np.nan)
        cols["sd"] = np.where(n > 1, np.sqrt(np.maximum(var, 0)), np.nan)
    elif kind == "duration":
        cols["value"], cols["p90"] = lay.quantiles(rec.x, None if mask is None else used, (0.5, 0.9))
    elif kind == "distinct":
        pairs = np.unique(lay.key[used] * (int(rec.key.max()) + 2) + rec.key[used] + 1) \
            if _has(used) else np.array([], np.int64)
        cols["value"] = np.bincount(pairs // (int(rec.key.max()) + 2), minlength=lay.size).astype(float)
    elif kind == "lift":
        cols.update(_lift(rec, lay, used))
        # Solicitations in categories without both sides are counted as excluded, not used.
        uncompared = n - cols.pop("_compared")
        n = n - uncompared
        excluded = excluded + uncompared
    else:  # pragma: no cover - the registry test keeps kinds in this list
        raise ValueError(f"unknown kind {kind!r}")
    keep = np.flatnonzero((n > 0) | (excluded > 0))
    if mask is not None and keep.size:
        # Filtered: the span of periods shrinks to the records kept.
        cmin = int(lay.key_of(keep).min() // G + lay.cmin)
        cmax = int(lay.key_of(keep).max() // G + lay.cmin)
    kk = lay.key_of(keep)
    pcodes = kk // G + lay.cmin
    frame = _period_frame(pcodes, grain, fy, as_of)
    frame_labels = frame["period_label"].to_numpy()
    if by:
        frame.insert(5, "group", np.asarray(groups, dtype=object)[kk % G])
    for name, arr in cols.items():
        frame[name] = arr[keep]
    frame["n"] = n[keep]
    frame["excluded"] = excluded[keep]
    if kind == "count" and not by:
        frame = _fill_counts(frame, cmin, cmax, grain, fy, as_of)
    frame = _order(frame, by)
    # Excluded reasons: in-period ones by label, plus the undated and after-as-of ones.
    period_codes, in_period = np.unique(lay.codes[excl], return_inverse=True)
    labels = P.labels(period_codes, grain, fy) + [NO_DATE_LABEL, AFTER_LABEL]
    where = np.concatenate([in_period.ravel(), len(period_codes) + lay.dated[outside].astype(np.int64)])
    reasons = _reasons_frame(rec, where, labels, np.concatenate([g[excl], g[outside]]),
                             np.concatenate([rec.reason[excl], rec.reason[outside]]), by, groups)
    if kind == "lift" and uncompared[keep].any():
        extra = pd.DataFrame({"period_label": frame_labels, "reason": NO_COMPARISON, "count": uncompared[keep]})
        if by:
            extra.insert(1, "group", np.asarray(groups, dtype=object)[kk % G])
        reasons = pd.concat([reasons, extra[extra["count"] > 0]], ignore_index=True)
    return frame, reasons


def _lift(rec: Records, lay: _Layout, used: np.ndarray) -> dict[str, np.ndarray]:
    """Mean bids with engagement minus without, within each category, weighted by the category's
    solicitations; only categories with both engaged and non-engaged solicitations count."""
    cat = rec.dims["category"][0]
    C = int(cat.max()) + 1 if len(cat) and cat.max() >= 0 else 1
    eng = rec.extra["engaged"].astype(np.int64)
    sub = (lay.key * C + np.maximum(cat, 0)) * 2 + eng
    size = lay.size * C * 2
    cnt = np.bincount(sub[used], minlength=size).reshape(lay.size, C, 2).astype(float)
    tot = np.bincount(sub[used], weights=np.nan_to_num(rec.x[used]), minlength=size).reshape(lay.size, C, 2)
    both = (cnt[:, :, 0] > 0) & (cnt[:, :, 1] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = tot / cnt
        diff = means[:, :, 1] - means[:, :, 0]
    w = np.where(both, cnt.sum(axis=2), 0.0)
    wsum = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(wsum > 0, np.nansum(np.where(both, diff, 0.0) * w, axis=1) / np.where(wsum > 0, wsum, 1),
                         np.nan)
    eng_n = np.where(both, cnt[:, :, 1], 0).sum(axis=1)
    not_n = np.where(both, cnt[:, :, 0], 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        eng_mean = np.where(eng_n > 0, np.where(both, tot[:, :, 1], 0).sum(axis=1) / np.maximum(eng_n, 1), np.nan)
        not_mean = np.where(not_n > 0, np.where(both, tot[:, :, 0], 0).sum(axis=1) / np.maximum(not_n, 1), np.nan)
    return {"value": value, "engaged_n": eng_n.astype(np.int64), "not_engaged_n": not_n.astype(np.int64),
            "engaged_mean_bids": eng_mean, "not_engaged_mean_bids": not_mean,
            "_compared": wsum.astype(np.int64)}


def _fill_counts(frame: pd.DataFrame, cmin: int, cmax: int, grain: str, fy: int, as_of) -> pd.DataFrame:
    """A count is zero, not missing, in a period inside the data's span that had no event."""
    codes = np.arange(cmin, cmax + 1)
    full = _period_frame(codes, grain, fy, as_of)
    have = set(frame["period_label"])
    add = full[~full["period_label"].isin(have)].copy()
    if add.empty:
        return frame
    add["value"] = 0.0
    add["n"] = 0
    add["excluded"] = 0
    return pd.concat([frame, add], ignore_index=True)


# ----------------------------------------------------------------------------- snapshots


def snapshot_periods(rec: Records, mask: np.ndarray, grain: str, fy: int, as_of: np.datetime64,
                     filters: Filters) -> tuple[np.ndarray, np.ndarray]:
    """kpi.results.snapshot_periods from the earliest day a used record under `mask` counts on."""
    lo = rec.lo[mask & (rec.reason == 0) & ~np.isnat(rec.lo)] if rec.lo is not None else np.array([], "datetime64[D]")
    return results_snapshot_periods(lo.min() if len(lo) else None, grain, fy, as_of, filters)


def _ranges(refs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index range [a, b] of the reference dates inside [lo, hi] (b < a: none)."""
    a = np.searchsorted(refs, lo, side="left")
    b = np.searchsorted(refs, hi, side="right") - 1
    bad = np.isnat(lo) | np.isnat(hi)
    return np.where(bad, 1, a), np.where(bad, 0, b)


def _range_sum(a: np.ndarray, b: np.ndarray, g: np.ndarray, w: np.ndarray | None, T: int, G: int) -> np.ndarray:
    """Sum of w over records whose range covers each (group, period): difference arrays, one cumsum."""
    ok = b >= a
    weights = np.ones(int(ok.sum())) if w is None else w[ok]
    diff = np.zeros((G, T + 1))
    np.add.at(diff, (g[ok], a[ok]), weights)
    np.add.at(diff, (g[ok], b[ok] + 1), -weights)
    return np.cumsum(diff, axis=1)[:, :T]


def _aggregate_snapshot(kpi: KPI, rec: Records, mask: np.ndarray, by: str | None, grain: str, fy: int,
                        as_of: np.datetime64, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records counted at each period's reference date (a contract active, or expiring, then)."""
    codes, refs = snapshot_periods(rec, mask, grain, fy, as_of, filters)
    g, groups = _group(rec, by)
    G, T = len(groups), len(codes)
    if T == 0:
        return _empty_frame(kpi, by), _empty_reasons(by)
    used = mask & (rec.reason == 0)
    a, b = _ranges(refs, rec.lo, rec.hi)
    n = _range_sum(a[used], b[used], g[used], None, T, G)
    cols: dict[str, np.ndarray] = {}
    if kpi.kind == "snapshot_count":
        for w in EXPIRING_WINDOWS:
            aw, bw = _ranges(refs, rec.extra[f"lo_{w}"], rec.extra["flag_hi"])
            cols[f"value_{w}"] = _range_sum(aw[used], bw[used], g[used], None, T, G)
        aw, bw = _ranges(refs, rec.extra["lo_180"], rec.hi)
        n = _range_sum(aw[used], bw[used], g[used], None, T, G)
        cols["value"] = cols["value_180"]
    else:
        num = _range_sum(a[used], b[used], g[used], rec.num[used], T, G)
        den = _range_sum(a[used], b[used], g[used], rec.den[used], T, G)
        with np.errstate(invalid="ignore", divide="ignore"):
            cols["value"] = np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)
        cols["numerator"], cols["denominator"] = num, den
    # Excluded records: counted in every period their own range covers (else by their date).
    excl = mask & (rec.reason != 0)
    ea, eb = _ranges(refs, rec.lo, rec.hi)
    R = len(rec.reasons)
    exc_by_reason = _range_sum(ea[excl], eb[excl], g[excl] * R + rec.reason[excl].astype(np.int64), None, T, G * R)
    excluded = exc_by_reason.reshape(G, R, T).sum(axis=1)
    # Frame: every period for the total; periods with records for groups.
    gg, tt = np.meshgrid(np.arange(G), np.arange(T), indexing="ij")
    gg, tt = gg.ravel(), tt.ravel()
    nn, ex = n.ravel(), excluded.ravel()
    keep = (nn > 0) | (ex > 0) if by else np.ones(len(nn), bool)
    frame = _period_frame(codes[tt[keep]], grain, fy, as_of)
    if by:
        frame.insert(5, "group", np.asarray(groups, dtype=object)[gg[keep]])
    for name, arr in cols.items():
        frame[name] = arr.ravel()[keep]
    frame["n"] = np.rint(nn[keep]).astype(np.int64)
    frame["excluded"] = np.rint(ex[keep]).astype(np.int64)
    frame["reference_date"] = pd.to_datetime(refs[tt[keep]])
    frame = _order(frame, by)
    # Reasons frame from the (group, reason, period) counts.
    er = exc_by_reason.reshape(G, R, T)
    gi, ri, ti = np.nonzero(np.rint(er) > 0)
    labels = np.asarray(P.labels(codes, grain, fy), dtype=object)
    reasons = pd.DataFrame({"period_label": labels[ti], "group": np.asarray(groups, dtype=object)[gi],
                            "reason": np.asarray(rec.reasons, dtype=object)[ri],
                            "count": np.rint(er[gi, ri, ti]).astype(np.int64)})
    # Excluded records no reference date can hold (their dates are missing): listed without a period.
    undated = excl & (np.isnat(rec.lo) | np.isnat(rec.hi))
    if undated.any():
        u = pd.DataFrame({"g": g[undated], "r": rec.reason[undated]}).value_counts().reset_index(name="count")
        reasons = pd.concat([reasons, pd.DataFrame({
            "period_label": NO_DATE_LABEL, "group": np.asarray(groups, dtype=object)[u["g"].to_numpy()],
            "reason": np.asarray(rec.reasons, dtype=object)[u["r"].to_numpy()], "count": u["count"].to_numpy()})],
            ignore_index=True)
    if not by:
        reasons = reasons.drop(columns="group")
    return frame, reasons.reset_index(drop=True)


# ----------------------------------------------------------------------------- public entry points


def _in_database(tables) -> bool:
    """Tables that live in a database (a kpi.sql Source): computed there by the SQL engine."""
    return type(tables).__name__ == "Source" and type(tables).__module__ == "kpi.sql.source"



def compute(kpi_id: str, tables, *, filters: Filters | None = None, grain: str = "quarter", by: str | None = None,
            fy_start_month: int = 7, as_of=None) -> KPIResult:
    """One KPI by period (and group) under the filters.

    Missing tables or columns give a result with `missing` set and an empty frame (never zero, never an
    exception); an unknown KPI id, grain or breakdown is a ValueError naming it.
    """
    if _in_database(tables):
        from .sql import engine as sql_engine

        return sql_engine.compute(kpi_id, tables, filters=filters, grain=grain, by=by,
                                  fy_start_month=fy_start_month, as_of=as_of)
    kpi = _kpi(kpi_id)
    filters = filters or Filters()
    grain = P.normalise_grain(grain)
    fy = P.check_start_month(fy_start_month)
    _check_by(kpi, by)
    day = _as_of_day(as_of)
    as_of_date = day.astype(dt.date)
    p = prepared(tables)
    base = dict(kpi=kpi, grain=grain, fy_start_month=fy, as_of=as_of_date, by=by, filters=filters)
    missing = p.missing(kpi.needs)
    if missing:
        return KPIResult(frame=_empty_frame(kpi, by), excluded_reasons=_empty_reasons(by), missing=missing, **base)
    rec = records(kpi, p, day, fy, grain)
    if kpi.kind.startswith("snapshot"):
        mask = filter_mask(rec, filters, fy, dates=False)
        frame, reasons = _aggregate_snapshot(kpi, rec, mask, by, grain, fy, day, filters)
    else:
        lay = _layout(p, rec, grain, fy, by)
        # Every period lies inside one fiscal year, so a fiscal-year filter selects periods of the result
        # (the unfiltered result is cached: changing only the years costs nothing).
        rest = replace(filters, fiscal_years=())
        if rest == Filters():
            if lay.unfiltered is None:
                lay.unfiltered = _aggregate_events(kpi, rec, lay, None, by, grain, fy, day)
            frame, reasons = (f.copy() for f in lay.unfiltered)
        else:
            frame, reasons = _aggregate_events(kpi, rec, lay, filter_mask(rec, rest, fy), by, grain, fy, day)
        if filters.fiscal_years:
            frame = frame[frame["fiscal_year"].isin(filters.fiscal_years)].reset_index(drop=True)
            reasons = reasons[reasons["period_label"].isin(set(frame["period_label"]))].reset_index(drop=True)
    return KPIResult(frame=frame, excluded_reasons=reasons, notes=rec.notes, **base)


def compute_all(tables, **kwargs) -> dict[str, KPIResult]:
    """Every KPI of the registry (same keyword arguments as compute; a `by` a KPI lacks is ignored for it)."""
    if _in_database(tables):
        from .sql import engine as sql_engine

        return sql_engine.compute_all(tables, **kwargs)
    p = prepared(tables)
    by = kwargs.pop("by", None)
    return {k: compute(k, p, by=by if by in KPIS[k].breakdowns else None, **kwargs) for k in KPIS}


# ----------------------------------------------------------------------------- drill-down


def _source_rows(p: Prepared, rec: Records, idx: np.ndarray) -> pd.DataFrame:
    """The canonical rows of the selected records (with a 'table' column when records span tables)."""
    if rec.source is None:
        f = p.frame(rec.table)
        out = f.iloc[rec.rows[idx]].reset_index(drop=True) if f is not None else pd.DataFrame(index=range(len(idx)))
        return out
    parts = []
    for j, table in enumerate(rec.sources):
        sel = idx[rec.source[idx] == j]
        part = p.frame(table).iloc[rec.rows[sel]].reset_index(drop=True)
        part.insert(0, "table", table)
        part["_order"] = np.flatnonzero(rec.source[idx] == j)
        parts.append(part)
    if not parts:
        return pd.DataFrame({"table": pd.Series(dtype="str")})
    return pd.concat(parts, ignore_index=True).sort_values("_order").drop(columns="_order").reset_index(drop=True)


def _with_measures(kpi: KPI, rec: Records, frame: pd.DataFrame, idx: np.ndarray) -> pd.DataFrame:
    """The source rows plus what the KPI measured on each: its duration or count, whether it is counted in
    the numerator, and for dollar-weighted ratios the numerator and denominator amounts."""
    frame = frame.copy()
    if rec.x is not None:
        frame[rec.x_name] = rec.x[idx]
    if rec.num is not None and kpi.kind in ("ratio", "count", "snapshot_ratio"):
        frame["counted"] = rec.num[idx] != 0
        if rec.den is not None and not _all_ones(rec, "den"):
            frame["numerator_amount"] = rec.num[idx]
            frame["denominator_amount"] = rec.den[idx]
    for name, arr in rec.extra.items():
        if name.startswith("_") or name.startswith("lo_") or name.startswith("flag_hi") or name in frame.columns:
            continue
        arr = arr[idx]
        frame[name] = pd.to_datetime(arr) if np.issubdtype(arr.dtype, np.datetime64) else arr
    return frame


def drilldown(kpi_id: str, tables, *, filters: Filters | None = None, period_label: str | None = None,
              group: str | None = None, fy_start_month: int = 7, grain: str = "quarter", as_of=None,
              by: str | None = None) -> Drilldown:
    """Records behind the value of `period_label` (default: the latest period) and `group` (a value of the
    breakdown `by`; when `by` is omitted the group is looked up in the KPI's breakdowns)."""
    if _in_database(tables):
        from .sql import engine as sql_engine

        return sql_engine.drilldown(kpi_id, tables, filters=filters, period_label=period_label, group=group,
                                    fy_start_month=fy_start_month, grain=grain, as_of=as_of, by=by)
    kpi = _kpi(kpi_id)
    filters = filters or Filters()
    grain = P.normalise_grain(grain)
    fy = P.check_start_month(fy_start_month)
    day = _as_of_day(as_of)
    p = prepared(tables)
    empty = pd.DataFrame()
    if p.missing(kpi.needs):
        return Drilldown(empty, empty, pd.DataFrame({"reason": pd.Series(dtype="str")}), kpi, period_label, group)
    rec = records(kpi, p, day, fy, grain)
    snapshot = kpi.kind.startswith("snapshot")
    mask = filter_mask(rec, filters, fy, dates=not snapshot).copy()
    if group is not None:
        dims = [by] if by else [d for d in kpi.breakdowns if d in rec.dims]
        gmask = np.zeros(len(rec), bool)
        for d in dims:
            codes, labels = rec.dims[d]
            if group == NOT_RECORDED:
                gmask |= codes < 0
            else:
                gmask |= np.isin(codes, labels.get_indexer([group]))
        mask &= gmask
    if snapshot:
        codes, refs = snapshot_periods(rec, mask, grain, fy, day, filters)
        if not len(codes):
            return Drilldown(empty, empty, pd.DataFrame({"reason": pd.Series(dtype="str")}), kpi, period_label, group)
        t = len(codes) - 1 if period_label is None else int(np.searchsorted(codes, P.parse_label(period_label, grain, fy)))
        if t >= len(codes) or codes[t] != (codes[-1] if period_label is None else P.parse_label(period_label, grain, fy)):
            return Drilldown(empty, empty, pd.DataFrame({"reason": pd.Series(dtype="str")}), kpi, period_label, group)
        ref = refs[t]
        label = P.labels(codes[t:t + 1], grain, fy)[0]
        lo = rec.extra.get("lo_180", rec.lo) if kpi.kind == "snapshot_count" else rec.lo
        covers = ~np.isnat(lo) & ~np.isnat(rec.hi) & (lo <= ref) & (ref <= rec.hi)
        den_idx = np.flatnonzero(mask & (rec.reason == 0) & covers)
        if kpi.kind == "snapshot_count":
            fh = rec.extra["flag_hi"][den_idx]
            num_idx = den_idx[~np.isnat(fh) & (ref <= fh)]
        else:
            num_idx = den_idx[rec.num[den_idx] != 0]
        cov_all = ~np.isnat(rec.lo) & ~np.isnat(rec.hi) & (rec.lo <= ref) & (ref <= rec.hi)
        exc_idx = np.flatnonzero(mask & (rec.reason != 0) & cov_all)
        extra_reason = None
    else:
        codes = _codes(p, rec, grain, fy)
        placed = mask & (codes != P.NO_PERIOD) & ~rec.extra["_after"]
        if period_label is None:
            sel = placed & (rec.reason == 0)
            if not sel.any():
                return Drilldown(empty, empty, pd.DataFrame({"reason": pd.Series(dtype="str")}), kpi, None, group)
            target = int(codes[sel].max())
        else:
            target = P.parse_label(period_label, grain, fy)
        label = P.labels(np.array([target]), grain, fy)[0]
        inp = placed & (codes == target)
        den_idx = np.flatnonzero(inp & (rec.reason == 0))
        exc_idx = np.flatnonzero(inp & (rec.reason != 0))
        extra_reason = None
        if kpi.kind == "lift":
            # Only categories with both engaged and non-engaged solicitations are compared.
            cat = rec.dims["category"][0][den_idx]
            eng = rec.extra["engaged"][den_idx] > 0
            both = np.intersect1d(cat[eng], cat[~eng])
            compared = np.isin(cat, both)
            extra_reason = den_idx[~compared]
            den_idx = den_idx[compared]
        num_idx = den_idx[rec.num[den_idx] != 0] if kpi.kind in ("ratio", "count") else den_idx
    numerator = _with_measures(kpi, rec, _source_rows(p, rec, num_idx), num_idx)
    denominator = _with_measures(kpi, rec, _source_rows(p, rec, den_idx), den_idx)
    reason_text = np.asarray(rec.reasons, dtype=object)[rec.reason[exc_idx]]
    if not snapshot and extra_reason is not None and len(extra_reason):
        exc_idx = np.concatenate([exc_idx, extra_reason])
        reason_text = np.concatenate([reason_text, np.full(len(extra_reason), NO_COMPARISON, dtype=object)])
    excluded = _with_measures(kpi, rec, _source_rows(p, rec, exc_idx), exc_idx)
    excluded.insert(0, "reason", reason_text)
    for f in (numerator, denominator, excluded):
        f.insert(0, "period_label", label)
    return Drilldown(numerator, denominator, excluded, kpi, label, group)
