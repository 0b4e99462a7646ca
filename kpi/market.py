"""Market research: bids and single-bid share of engaged versus not-engaged solicitations, within category."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .engine import Filters, _as_of_day, filter_mask, records
from .prepare import prepared
from .records import NOT_RECORDED
from .registry import KPIS

COLUMNS = ("category", "engaged_n", "engaged_mean_bids", "engaged_single_bid_share", "not_engaged_n",
           "not_engaged_mean_bids", "not_engaged_single_bid_share", "bid_lift")
ALL = "All categories (within-category weighted)"


def engagement_comparison(tables, *, filters: Filters | None = None, as_of=None,
                          fy_start_month: int = 7) -> pd.DataFrame:
    """Per category: competitive solicitations with and without pre-solicitation engagement, their n, mean
    bids and single-bid share, and the bid lift (engaged minus not engaged); a last row weights the categories
    having both sides by their solicitations (the engagement_bid_lift KPI's value over the whole selection).

    Same records as engagement_bid_lift: competitive, bids due by the as-of date, bids_received known."""
    kpi = KPIS["engagement_bid_lift"]
    p = prepared(tables)
    if p.missing(kpi.needs):
        return pd.DataFrame(columns=list(COLUMNS))
    day = _as_of_day(as_of)
    rec = records(kpi, p, day, fy_start_month)
    mask = filter_mask(rec, filters or Filters(), fy_start_month) & (rec.reason == 0) & ~rec.extra["_after"]
    codes, labels = rec.dims["category"]
    df = pd.DataFrame({"c": codes[mask], "engaged": rec.extra["engaged"][mask] > 0, "bids": rec.x[mask]})
    df["single"] = df["bids"] == 1
    agg = df.groupby(["c", "engaged"]).agg(n=("bids", "size"), mean_bids=("bids", "mean"),
                                           single=("single", "mean")).unstack("engaged")
    out = pd.DataFrame({"category": [labels[i] if i >= 0 else NOT_RECORDED for i in agg.index]})

    def col(stat, side):
        return agg[(stat, side)].to_numpy() if (stat, side) in agg.columns else np.full(len(agg), np.nan)

    out["engaged_n"] = np.nan_to_num(col("n", True)).astype(np.int64)
    out["engaged_mean_bids"] = col("mean_bids", True)
    out["engaged_single_bid_share"] = col("single", True)
    out["not_engaged_n"] = np.nan_to_num(col("n", False)).astype(np.int64)
    out["not_engaged_mean_bids"] = col("mean_bids", False)
    out["not_engaged_single_bid_share"] = col("single", False)
    out["bid_lift"] = out["engaged_mean_bids"] - out["not_engaged_mean_bids"]
    both = (out["engaged_n"] > 0) & (out["not_engaged_n"] > 0)
    w = (out["engaged_n"] + out["not_engaged_n"]).where(both, 0)
    total = {
        "category": ALL,
        "engaged_n": int(out.loc[both, "engaged_n"].sum()),
        "engaged_mean_bids": _wmean(out.loc[both], "engaged"),
        "engaged_single_bid_share": _wshare(out.loc[both], "engaged"),
        "not_engaged_n": int(out.loc[both, "not_engaged_n"].sum()),
        "not_engaged_mean_bids": _wmean(out.loc[both], "not_engaged"),
        "not_engaged_single_bid_share": _wshare(out.loc[both], "not_engaged"),
        "bid_lift": float((out["bid_lift"].where(both, 0) * w).sum() / w.sum()) if w.sum() > 0 else np.nan,
    }
    out = out.sort_values("category", kind="stable").reset_index(drop=True)
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)[list(COLUMNS)]


def _wmean(rows: pd.DataFrame, side: str) -> float:
    n = rows[f"{side}_n"]
    return float((rows[f"{side}_mean_bids"] * n).sum() / n.sum()) if n.sum() > 0 else np.nan


def _wshare(rows: pd.DataFrame, side: str) -> float:
    n = rows[f"{side}_n"]
    return float((rows[f"{side}_single_bid_share"] * n).sum() / n.sum()) if n.sum() > 0 else np.nan
