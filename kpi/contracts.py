"""Contract management lists: the expiring pipeline, cost growth, contracts paid beyond their amount."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .engine import Filters, _as_of_day, filter_mask, records
from .measures import _replacement_start, cancelled_solicitations, contract_payments
from .prepare import prepared
from .registry import KPIS

PIPELINE_WINDOWS = (90, 180, 365, 540)
CONTRACT_COLUMNS = ("contract_id", "title", "vendor_name", "department", "category", "method")


def _col(frame: pd.DataFrame, name: str, idx: np.ndarray) -> np.ndarray:
    if name in frame.columns:
        return frame[name].to_numpy()[idx]
    return np.full(len(idx), None, dtype=object)


def _dim_filter(p, filters: Filters | None, kpi_id: str, as_of, fy: int, dates: bool) -> np.ndarray:
    rec = records(KPIS[kpi_id], p, as_of, fy)
    mask = filter_mask(rec, filters or Filters(), fy, dates=dates)
    return rec, mask


def expiring_pipeline(tables, as_of=None, windows=PIPELINE_WINDOWS, *, filters: Filters | None = None,
                      fy_start_month: int = 7) -> pd.DataFrame:
    """Contracts ending within the longest window (540 days) after as_of, soonest first, with what each needs.

    Columns: contract_id, title, vendor_name, department, category, end_date, days_left, window (the
    smallest of `windows` holding it), renewal_options_remaining, replacement_solicitation_id,
    replacement_status, evaluation_on_file, last_evaluation_low, current_amount, action. Empty frame when
    contracts or their end dates are missing.
    """
    p = prepared(tables)
    day = _as_of_day(as_of)
    windows = tuple(sorted(int(w) for w in windows))
    cols = list(CONTRACT_COLUMNS[:5]) + ["end_date", "days_left", "window", "renewal_options_remaining",
                                         "replacement_solicitation_id", "replacement_status", "evaluation_on_file",
                                         "last_evaluation_low", "current_amount", "action"]
    if not p.has("contracts", "end_date"):
        return pd.DataFrame(columns=cols)
    end = p.days("contracts", "end_date")
    days_left = (end - day).astype("timedelta64[D]").astype("float64")
    mask = ~np.isnat(end) & (days_left > 0) & (days_left <= windows[-1])
    if filters is not None:
        _, fm = _dim_filter(p, filters, "expiring_without_replacement", day, fy_start_month, False)
        mask &= fm
    idx = np.flatnonzero(mask)
    f = p.frame("contracts")
    options = p.number("contracts", "renewal_options_remaining")[idx]
    # Replacement: the first non-cancelled solicitation that names the contract in replaces_contract_id.
    repl_id = np.full(len(idx), None, dtype=object)
    repl_status = np.full(len(idx), None, dtype=object)
    repl_date = _replacement_start(p)[idx]
    if p.has("solicitations", "replaces_contract_id"):
        pos = p.join("solicitations", "replaces_contract_id", "contracts", "contract_id")
        ok = (pos >= 0) & ~cancelled_solicitations(p)
        first = pd.Series(np.flatnonzero(ok)).groupby(pos[ok]).first()
        sol_of_contract = np.full(p.rows("contracts"), -1, dtype=np.int64)
        sol_of_contract[first.index.to_numpy()] = first.to_numpy()
        s = sol_of_contract[idx]
        has = s >= 0
        sf = p.frame("solicitations")
        repl_id[has] = sf["solicitation_id"].to_numpy()[s[has]]
        if "status" in sf.columns:
            repl_status[has] = sf["status"].to_numpy()[s[has]]
    # Evaluations on file: any completed evaluation of the contract; the latest one's rating below satisfactory.
    on_file = np.zeros(len(idx), bool)
    low = np.zeros(len(idx), bool)
    if p.has("evaluations"):
        low_rec = records(KPIS["low_performance_share"], p, day, fy_start_month)
        epos = p.join("evaluations", "contract_id", "contracts", "contract_id")
        done = ~np.isnat(p.days("evaluations", "completed_date"))
        ok = (epos >= 0) & done
        on_file_all = np.zeros(p.rows("contracts"), bool)
        on_file_all[epos[ok]] = True
        usable = ok & (low_rec.reason == 0)
        if usable.any():
            order = np.lexsort((p.days("evaluations", "completed_date")[usable], epos[usable]))
            latest = pd.Series(low_rec.num[usable][order]).groupby(epos[usable][order]).last()
            low_all = np.zeros(p.rows("contracts"), bool)
            low_all[latest.index.to_numpy()] = latest.to_numpy() > 0
            low = low_all[idx]
        on_file = on_file_all[idx]
    dl = days_left[idx]
    has_repl = repl_id != None  # noqa: E711 - elementwise on an object array
    has_repl |= ~np.isnat(repl_date)
    has_options = ~np.isnan(options) & (options > 0)
    action = np.select(
        [has_repl, has_options & low, has_options, dl <= 180, dl <= 365],
        ["replacement under way", "decide: renew or re-procure (last evaluation below satisfactory)",
         "renew (options left)", "start re-procurement now", "plan re-procurement"],
        default="let expire / decide",
    )
    warr = np.array(windows)
    out = pd.DataFrame({
        "contract_id": _col(f, "contract_id", idx), "title": _col(f, "title", idx),
        "vendor_name": _col(f, "vendor_name", idx), "department": _col(f, "department", idx),
        "category": _col(f, "category", idx),
        "end_date": pd.to_datetime(end[idx]), "days_left": dl.astype(np.int64),
        "window": warr[np.searchsorted(warr, dl, side="left")] if len(idx) else np.array([], np.int64),
        "renewal_options_remaining": pd.array(np.where(np.isnan(options), np.nan, options), dtype="Float64")
        .astype("Int64") if len(idx) else pd.array([], dtype="Int64"),
        "replacement_solicitation_id": repl_id, "replacement_status": repl_status,
        "evaluation_on_file": on_file, "last_evaluation_low": low,
        "current_amount": p.number("contracts", "current_amount")[idx],
        "action": action,
    })
    return out.sort_values(["end_date", "contract_id"], kind="stable").reset_index(drop=True)


def cost_growth(tables, *, filters: Filters | None = None, as_of=None, fy_start_month: int = 7) -> pd.DataFrame:
    """Contracts with an original and a current amount, largest growth first: growth_amount and growth
    (share of the original). Filters as for the cost_growth KPI (fiscal years on start_date)."""
    p = prepared(tables)
    cols = list(CONTRACT_COLUMNS) + ["start_date", "end_date", "original_amount", "current_amount",
                                     "growth_amount", "growth", "amendment_count"]
    if p.missing(KPIS["cost_growth"].needs):
        return pd.DataFrame(columns=cols)
    day = _as_of_day(as_of)
    rec, mask = _dim_filter(p, filters, "cost_growth", day, fy_start_month, True)
    idx = np.flatnonzero(mask & (rec.reason == 0))
    f = p.frame("contracts")
    orig = p.number("contracts", "original_amount")[idx]
    cur = p.number("contracts", "current_amount")[idx]
    out = pd.DataFrame({c: _col(f, c, idx) for c in CONTRACT_COLUMNS})
    out["start_date"] = pd.to_datetime(p.days("contracts", "start_date")[idx])
    out["end_date"] = pd.to_datetime(p.days("contracts", "end_date")[idx])
    out["original_amount"], out["current_amount"] = orig, cur
    out["growth_amount"] = cur - orig
    out["growth"] = (cur - orig) / orig
    out["amendment_count"] = p.number("contracts", "amendment_count")[idx]
    return out.sort_values(["growth", "growth_amount"], ascending=False, kind="stable").reset_index(drop=True)


def overspent_contracts(tables, *, filters: Filters | None = None, as_of=None,
                        fy_start_month: int = 7) -> pd.DataFrame:
    """Contracts whose payments up to as_of exceed their current amount, largest excess first (department,
    category, method and vendor filters apply; the list is to date, so date filters do not)."""
    p = prepared(tables)
    cols = list(CONTRACT_COLUMNS) + ["current_amount", "paid_amount", "overspent_by", "overspent_share",
                                     "crossed_date", "payments", "last_payment_date"]
    if p.missing(KPIS["overspent_contracts"].needs):
        return pd.DataFrame(columns=cols)
    day = _as_of_day(as_of)
    rec, mask = _dim_filter(p, filters, "overspent_contracts", day, fy_start_month, False)
    cp = contract_payments(p, day)
    idx = np.flatnonzero(mask & (rec.reason == 0) & (rec.num > 0))
    f = p.frame("contracts")
    cur = p.number("contracts", "current_amount")[idx]
    out = pd.DataFrame({c: _col(f, c, idx) for c in CONTRACT_COLUMNS})
    out["current_amount"] = cur
    out["paid_amount"] = cp["paid"][idx]
    out["overspent_by"] = cp["paid"][idx] - cur
    with np.errstate(invalid="ignore", divide="ignore"):
        out["overspent_share"] = np.where(cur > 0, (cp["paid"][idx] - cur) / np.where(cur > 0, cur, 1), np.nan)
    out["crossed_date"] = pd.to_datetime(cp["crossed"][idx])
    out["payments"] = cp["count"][idx].astype(np.int64)
    out["last_payment_date"] = pd.to_datetime(cp["last"][idx])
    return out[cols].sort_values("overspent_by", ascending=False, kind="stable").reset_index(drop=True)
