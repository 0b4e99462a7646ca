"""Dollars beside the shares: spend, awards and the dollar-weighted KPIs' numerators for a period and its
comparison, the value of expiring contracts, and spend by department and by vendor.

Every figure that a KPI also shows comes from that KPI's own numerator or denominator, so a card's
"$9.5M of $51.3M paid" and the Overview's "M/WBE spend $9.5M" are one number, from the same engine. Spend by
department or vendor and the pipeline's value are computed where the tables are (kpi.sql): only the rows
listed come back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .contracts import ACTIONS, pipeline_rows
from .format import format_date, plural
from .now import Period
from .results import NOT_RECORDED, Filters
from .sql import measures as M
from .sql.engine import fetch, source_of

# The 18 months of the contract pipeline (as on its slide) and the action that cannot wait.
PIPELINE_DAYS = 548
ACT_NOW = ACTIONS[3]  # "start re-procurement now"


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
    each beside its comparison (figures whose KPIs have no data are left out). They are the KPIs' own results,
    from the engine that computes the cards for these tables (kpi.compute: a kpi.sql Source in its database)."""
    filters = filters or Filters()
    cache: dict[str, tuple] = {}
    out: list[DollarFigure] = []
    for key, label, kpi_ids, part in FROM_KPIS:
        for kpi_id in kpi_ids:
            if kpi_id not in cache:
                cache[kpi_id] = _amounts(kpi_id, tables, period, filters)
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
    start now (kpi.contracts' pipeline action): summed in the engine."""
    src = source_of(tables)  # held until fetched: a workspace's source closes its connection when collected
    r = pipeline_rows(src, as_of, filters=filters, fy_start_month=fy_start_month)
    if r is None:
        return []
    soon = r.days_left <= PIPELINE_DAYS
    now = soon & (r.action == ACT_NOW)
    amount = r.current_amount.fill_null(0.0)
    sums = fetch(r.aggregate(listed=r.count(), n=r.count(where=soon), k=r.count(where=now),
                             total=amount.sum(where=soon), now_total=amount.sum(where=now))).iloc[0]
    if not sums["listed"]:
        return []
    n, k = int(sums["n"]), int(sums["k"])
    return [
        DollarFigure("expiring", "Ending in 18 months", _amount(sums["total"]),
                     note=f"{plural(n, 'contracts')} from {format_date(as_of)}", kpi_id="expiring_without_replacement"),
        DollarFigure("act_now", "Re-procurement to start now", _amount(sums["now_total"]),
                     note=f"{plural(k, 'contracts')} from {format_date(as_of)}", kpi_id="expiring_without_replacement"),
    ]


def _amount(value) -> float:
    """A sum as a float (0 where nothing was summed: SQL's SUM of no rows is NULL)."""
    return 0.0 if value is None or pd.isna(value) else float(value)


def spend_by(tables, period: Period, by: str = "department", filters: Filters | None = None,
             top: int | None = 10) -> pd.DataFrame:
    """Payments of the period summed by department (by='department') or vendor (by='vendor'), largest first:
    columns name, amount, payments, share (of the period's spend). Department and category filters apply;
    payments without a department or vendor are '(not recorded)'. Empty without payments.

    The payments are summed once per source and name column (by month, department and category; the
    period's partial months by department and category alone): a filter change regroups those sums, with
    no query (10M payments become some 300,000 sums)."""
    filters = filters or Filters()
    src = source_of(tables)
    cols = ["name", "amount", "payments", "share"]
    pay = src.table("payments")
    if pay is None or "payment_date" not in pay.columns or "amount" not in pay.columns or not src.rows("payments"):
        return pd.DataFrame(columns=cols)
    column = ("vendor_name" if "vendor_name" in pay.columns else "vendor_id") if by == "vendor" else by
    parts = []
    for lo, hi, whole in _month_ranges(pd.Timestamp(period.start).date(), pd.Timestamp(period.end).date()):
        sums = _spend_sums(src, column, None if whole else (lo, hi))
        keep = np.ones(len(sums.amount), dtype=bool)
        if whole:
            keep &= (sums.month >= np.datetime64(lo, "D")) & (sums.month <= np.datetime64(hi, "D"))
        for dim, wanted in (("department", filters.departments), ("category", filters.categories)):
            if wanted and dim in pay.columns:
                codes, values = sums.columns[dim]
                keep &= np.isin(codes, np.flatnonzero(np.isin(values.astype(str), [str(w).strip() for w in wanted])))
        n = len(sums.names)
        parts.append(pd.DataFrame({"name": sums.names, "amount": np.bincount(sums.name[keep], sums.amount[keep], n),
                                   "payments": np.bincount(sums.name[keep], sums.payments[keep], n)}))
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True).groupby("name", sort=False).sum().reset_index()
    out = out[out["payments"] > 0]
    if out.empty:
        return pd.DataFrame(columns=cols)
    total = out["amount"].sum()
    out["share"] = out["amount"] / total if total != 0 else np.nan
    out = out.sort_values(["amount", "name"], ascending=[False, True], kind="stable")
    out = out.head(top) if top else out
    out["payments"] = out["payments"].astype(np.int64)
    out["name"] = out["name"].astype(object)
    return out[cols].reset_index(drop=True)


def _month_ranges(start, end) -> list[tuple]:
    """[start, end] as (first, last, whole): the whole months inside it as a range of month starts, and the
    part months at either end as ranges of days."""
    if start > end:
        return []
    day = pd.Timedelta(days=1)
    month_start = pd.offsets.MonthBegin()
    first_whole = start if start.day == 1 else (pd.Timestamp(start) + month_start).date()
    ends_a_month = (pd.Timestamp(end) + day).day == 1
    end_month = pd.Timestamp(end).replace(day=1)
    last_whole = end_month if ends_a_month else (end_month - day).replace(day=1)
    if pd.Timestamp(first_whole) > last_whole:
        return [(start, end, False)]
    out = [(start, (pd.Timestamp(first_whole) - day).date(), False)] if start < first_whole else []
    out.append((first_whole, last_whole.date(), True))
    if not ends_a_month:
        out.append((end_month.date(), end, False))
    return out


@dataclass(frozen=True)
class _Sums:
    """Payments summed by (month,) department, category and name, as arrays: each text column as codes into
    its values (-1: none; a name is never none)."""

    month: np.ndarray | None
    columns: dict
    name: np.ndarray  # codes into names
    names: np.ndarray
    amount: np.ndarray
    payments: np.ndarray


def _spend_sums(src, column: str, days: tuple | None) -> _Sums:
    """Payments summed by month, department, category and name over all dates (`days` None), or by
    department, category and name over those days; fetched once per source, name column and days. The names
    of each range are its own (spend_by adds them up by name)."""
    key = ("spend_sums", column, days)
    hit = src.memo.get(key)
    if hit is not None:
        return hit
    pay = src.table("payments")
    when, amount = M.date(pay, "payment_date"), M.number(pay, "amount")
    keep = when.notnull() & amount.notnull()
    if days is not None:
        keep &= (when >= days[0]) & (when <= days[1])
    name = M.text(pay, column)  # trimmed as every KPI reads it: " Acme " and "Acme" are one vendor
    t = pay.filter(keep).select(_month=when.truncate("M"), department=M.text(pay, "department"),
                                category=M.text(pay, "category"), name=name.fill_null(NOT_RECORDED), _a=amount)
    keys = (["_month"] if days is None else []) + ["department", "category", "name"]
    frame = fetch(t.group_by(keys).aggregate(amount=t._a.sum(), payments=t.count()))

    def codes(values: pd.Series):
        c, uniques = pd.factorize(values.astype(object).where(values.notna(), None).to_numpy(), use_na_sentinel=True)
        return c.astype(np.int64), np.asarray(uniques, dtype=object)

    name, names = codes(frame["name"])
    hit = src.memo[key] = _Sums(
        pd.to_datetime(frame["_month"]).to_numpy("datetime64[D]") if days is None else None,
        {d: codes(frame[d]) for d in ("department", "category")}, name, names,
        frame["amount"].to_numpy(dtype=float), frame["payments"].to_numpy(dtype=float))
    return hit


__all__ = ["DollarFigure", "kpi_dollars", "pipeline_dollars", "spend_by", "PIPELINE_DAYS", "ACT_NOW"]
