"""Market research: bids and single-bid share of engaged versus not-engaged solicitations, within category.

The per-category counts and means are computed where the tables are (kpi.sql, the engagement_bid_lift KPI's
records under the filters); only one row per (category, engaged) comes back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .results import NOT_RECORDED, Filters
from .sql import measures as M
from .sql.engine import fetch, selection

COLUMNS = ("category", "engaged_n", "engaged_mean_bids", "engaged_single_bid_share", "not_engaged_n",
           "not_engaged_mean_bids", "not_engaged_single_bid_share", "bid_lift")
ALL = "All categories (within-category weighted)"


def engagement_comparison(tables, *, filters: Filters | None = None, as_of=None,
                          fy_start_month: int = 7) -> pd.DataFrame:
    """Per category: competitive solicitations with and without pre-solicitation engagement, their n, mean
    bids and single-bid share, and the bid lift (engaged minus not engaged); a last row weights the categories
    having both sides by their solicitations (the engagement_bid_lift KPI's value over the whole selection).

    Same records as engagement_bid_lift: competitive, bids due by the as-of date, bids_received known."""
    _rec, r = selection("engagement_bid_lift", tables, filters=filters, as_of=as_of, fy_start_month=fy_start_month,
                        name="comparison")
    if r is None:
        return pd.DataFrame(columns=list(COLUMNS))
    r = r.filter(r._reason.isnull())
    f = fetch(r.group_by(["_d_category", "_eng"]).aggregate(
        n=r.count(), mean_bids=r._x.mean(), single=M.one_if(r._x == 1).mean()))
    f["engaged"] = f["_eng"].astype(int) == 1
    f["category"] = f["_d_category"].astype(object).where(f["_d_category"].notna(), NOT_RECORDED)
    agg = f.set_index(["category", "engaged"])[["n", "mean_bids", "single"]].unstack("engaged")
    out = pd.DataFrame({"category": agg.index.to_numpy(dtype=object)})

    def col(stat, side):
        return agg[(stat, side)].to_numpy(dtype=float) if (stat, side) in agg.columns else np.full(len(agg), np.nan)

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
