"""Dollars beside the shares: spend, awards and the dollar-weighted KPIs' numerators for a period and its
comparison, the value of expiring contracts, and spend by department and by vendor.

Every figure that a KPI also shows comes from that KPI's own numerator or denominator, so a card's
"$9.5M of $51.3M paid" and the Overview's "M/WBE spend $9.5M" are one number.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .contracts import expiring_pipeline
from .engine import Filters
from .format import format_date, plural
from .now import Period
from .prepare import prepared

# The 18 months of the contract pipeline (as on its slide) and the action that cannot wait.
PIPELINE_DAYS = 548
ACT_NOW = "start re-procurement now"


@dataclass(frozen=True)
class DollarFigure:
    """One dollar amount of a period: `comparison` is the same amount in the comparison period (None when it
    has none or the figure is a snapshot), `note` says what it is a part of ('18.6% of spend')."""

    key: str
    label: str
    amount: float
    comparison: float | None = None
    note: str = ""
    kpi_id: str = ""


# (key, label, KPI, "numerator"|"denominator"); the first KPI with data gives a figure listed twice.
FROM_KPIS = (
    ("spend", "Spend", ("mwbe_spend_share", "small_business_share", "local_spend_share",
                        "spend_under_contract_share"), "denominator"),
    ("awards", "Award dollars", ("noncompetitive_share", "cooperative_share", "emergency_share"), "denominator"),
    ("mwbe_spend", "Paid to M/WBE firms", ("mwbe_spend_share",), "numerator"),
    ("small_spend", "Paid to small businesses", ("small_business_share",), "numerator"),
    ("local_spend", "Paid to local firms", ("local_spend_share",), "numerator"),
    ("noncompetitive", "Non-competitive awards", ("noncompetitive_share",), "numerator"),
    ("savings", "Saved against estimates", ("savings_rate",), "numerator"),
)
PART_OF = {"mwbe_spend": "spend", "small_spend": "spend", "local_spend": "spend", "noncompetitive": "awards"}


def _amounts(kpi_id: str, p, period: Period, filters: Filters) -> tuple[pd.Series | None, pd.Series | None]:
    """The period's and the comparison's row of a KPI (None where it has no records)."""
    from .scorecard import period_result

    res = period_result(kpi_id, p, period, filters)
    if res.missing or res.frame.empty or "numerator" not in res.frame:
        return None, None
    f = res.frame[res.frame["n"] > 0]
    cur = f[f["period_label"] == period.code_label]
    ref = f[f["period_label"] == period.comparison_code_label]
    return (cur.iloc[-1] if len(cur) else None), (ref.iloc[-1] if len(ref) else None)


def _num(row, column) -> float | None:
    if row is None:
        return None
    v = float(row[column])
    return None if np.isnan(v) else v


def kpi_dollars(tables, period: Period, filters: Filters | None = None) -> list[DollarFigure]:
    """Spend, award dollars, M/WBE, small and local spend, non-competitive awards and savings of the period,
    each beside its comparison (figures whose KPIs have no data are left out)."""
    filters = filters or Filters()
    p = prepared(tables)
    cache: dict[str, tuple] = {}
    out: list[DollarFigure] = []
    for key, label, kpi_ids, part in FROM_KPIS:
        for kpi_id in kpi_ids:
            if kpi_id not in cache:
                cache[kpi_id] = _amounts(kpi_id, p, period, filters)
            cur, ref = cache[kpi_id]
            amount = _num(cur, part)
            if amount is not None:
                out.append(DollarFigure(key, label, amount, _num(ref, part), kpi_id=kpi_id))
                break
    totals = {f.key: f.amount for f in out}
    return [replace(f, note=f"{f.amount / totals[PART_OF[f.key]]:.1%} of {PART_OF[f.key]}")
            if PART_OF.get(f.key) in totals and totals[PART_OF[f.key]] else f for f in out]


def pipeline_dollars(tables, as_of, filters: Filters | None = None, fy_start_month: int = 7) -> list[DollarFigure]:
    """The current value of contracts ending in the next 18 months, and of those whose re-procurement must
    start now (kpi.contracts.expiring_pipeline's action)."""
    pipe = expiring_pipeline(tables, as_of, filters=filters, fy_start_month=fy_start_month)
    if pipe.empty:
        return []
    pipe = pipe[pipe["days_left"] <= PIPELINE_DAYS]
    amount = pd.to_numeric(pipe["current_amount"], errors="coerce").fillna(0.0)
    now = pipe["action"].astype(str) == ACT_NOW
    n, k = len(pipe), int(now.sum())
    return [
        DollarFigure("expiring", "Ending in 18 months", float(amount.sum()),
                     note=f"{plural(n, 'contracts')} from {format_date(as_of)}", kpi_id="expiring_without_replacement"),
        DollarFigure("act_now", "Re-procurement to start now", float(amount[now].sum()),
                     note=f"{plural(k, 'contracts')} from {format_date(as_of)}", kpi_id="expiring_without_replacement"),
    ]


def _in_period(frame: pd.DataFrame, date_col: str, start, end) -> np.ndarray:
    from .periods import to_days

    days = to_days(frame[date_col])
    return ~np.isnat(days) & (days >= np.datetime64(start, "D")) & (days <= np.datetime64(end, "D"))


def spend_by(tables, period: Period, by: str = "department", filters: Filters | None = None,
             top: int | None = 10) -> pd.DataFrame:
    """Payments of the period summed by department (by='department') or vendor (by='vendor'), largest first:
    columns name, amount, payments, share (of the period's spend). Department and category filters apply;
    payments without a department or vendor are '(not recorded)'. Empty without payments."""
    filters = filters or Filters()
    pay = tables.get("payments") if hasattr(tables, "get") else None
    cols = ["name", "amount", "payments", "share"]
    if pay is None or "payment_date" not in pay or "amount" not in pay or not len(pay):
        return pd.DataFrame(columns=cols)
    amount = pd.to_numeric(pay["amount"], errors="coerce")
    keep = _in_period(pay, "payment_date", period.start, period.end) & amount.notna().to_numpy()
    for column, wanted in (("department", filters.departments), ("category", filters.categories)):
        if wanted and column in pay:
            keep &= pay[column].astype("str").str.strip().isin([str(w).strip() for w in wanted]).to_numpy()
    if by == "vendor":
        names = pay["vendor_name"] if "vendor_name" in pay else pay.get("vendor_id")
    else:
        names = pay.get(by)
    if names is None:
        names = pd.Series(np.nan, index=pay.index)
    frame = pd.DataFrame({"name": names.astype("str").where(names.notna(), "(not recorded)")[keep].to_numpy(),
                          "amount": amount[keep].to_numpy()})
    if frame.empty:
        return pd.DataFrame(columns=cols)
    out = frame.groupby("name", sort=False)["amount"].agg(amount="sum", payments="size").reset_index()
    total = float(out["amount"].sum())
    out["share"] = out["amount"] / total if total else np.nan
    out = out.sort_values(["amount", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out.head(top) if top else out


__all__ = ["DollarFigure", "kpi_dollars", "pipeline_dollars", "spend_by", "PIPELINE_DAYS", "ACT_NOW"]
