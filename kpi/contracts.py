"""Contract management lists: the expiring pipeline, cost growth, contracts paid beyond their amount.

Each list is a KPI's records (kpi.sql: the same filters as the KPI's) with the columns the list shows,
computed where the tables are (embedded DuckDB over the app's frames or a workspace, or a database): only the
rows listed come back.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from .results import Filters, Records
from .settings import EXPIRING_DAYS, EXPIRING_WINDOWS
from .sql import measures as M
from .sql.engine import fetch, selection, source_of

# The KPI's windows (kpi.settings) and 18 months beyond, for the pipeline list.
PIPELINE_WINDOWS = (*EXPIRING_WINDOWS, 540)
CONTRACT_COLUMNS = ("contract_id", "title", "vendor_name", "department", "category", "method")


def _as_listed(t, names) -> dict:
    """The contract's own columns as recorded (NULL where the table lacks one)."""
    return {c: (t[c].cast("string") if c in t.columns else ibis.null("string")) for c in names}


def _dates(frame: pd.DataFrame, *names: str) -> pd.DataFrame:
    for c in names:
        frame[c] = pd.to_datetime(frame[c])
    return frame


def _replacement_solicitations(src) -> ir.Table | None:
    """Per contract id: the first solicitation (in table order) naming it in replaces_contract_id and not
    cancelled: _rk, replacement_solicitation_id, replacement_status (as recorded)."""
    s = src.table("solicitations")
    if s is None or not src.has("solicitations", "replaces_contract_id"):
        return None
    s = s.mutate(_srow=ibis.row_number(), _rk=M.text(s, "replaces_contract_id"))
    s = s.filter(s._rk.notnull() & ~M.is_cancelled(s))
    s = s.mutate(_sfirst=s._srow.min().over(group_by=s._rk))
    s = s.filter(s._srow == s._sfirst)
    return s.select("_rk", **_as_listed(s, ("solicitation_id", "status"))).rename(
        replacement_solicitation_id="solicitation_id", replacement_status="status")


def _evaluations_on_file(src, as_of, fy_start_month: int) -> ir.Table | None:
    """Per contract id: an evaluation completed (any date) is on file (_on_file), and the latest usable one
    (the low_performance_share KPI's record, completed by the as-of date) rates it below satisfactory (_low;
    two on the same day: below satisfactory if either is)."""
    e = src.table("evaluations")
    if e is None or src.rows("evaluations") == 0:
        return None
    done = e.mutate(_ek=M.text(e, "contract_id"), _ed=M.date(e, "completed_date"))
    done = done.filter(done._ek.notnull() & done._ed.notnull())
    on_file = done.select(_fk="_ek").distinct()
    _rec, r = selection("low_performance_share", src, as_of=as_of, fy_start_month=fy_start_month, dates=False,
                        check_needs=False,
                        columns=lambda rec: {"_ek": M.text(rec.t, "contract_id"),
                                             "_ed": M.date(rec.t, "completed_date")})
    if r is None:
        return on_file.mutate(_low=ibis.literal(False))
    r = r.filter(r._reason.isnull() & r._ek.notnull() & r._ed.notnull())
    r = r.mutate(_last=r._ed.max().over(group_by=r._ek))
    r = r.filter(r._ed == r._last)
    low = r.group_by("_ek").aggregate(_low=r._num.max() > 0)
    j = on_file.left_join(low, on_file._fk == low._ek)
    return j.select("_fk", _low=j._low.fill_null(False))


# What a contract in the pipeline needs: the first that applies.
ACTIONS = ("replacement under way", "decide: renew or re-procure (last evaluation below satisfactory)",
           "renew (options left)", "start re-procurement now", "plan re-procurement", "let expire / decide")


def _action(r: ir.Table) -> ir.StringValue:
    """A pipeline row's action, in the engine (the list shows it; the Overview sums the dollars of one)."""
    options = r.renewal_options_remaining
    has_options = options.notnull() & (options > 0)
    return ibis.cases(
        (r.replacement_solicitation_id.notnull() | r._repl.notnull(), ACTIONS[0]),
        (has_options & r.last_evaluation_low.fill_null(False), ACTIONS[1]),
        (has_options, ACTIONS[2]),
        (r.days_left <= EXPIRING_DAYS, ACTIONS[3]),
        (r.days_left <= max(EXPIRING_WINDOWS), ACTIONS[4]),
        else_=ACTIONS[5],
    )


def pipeline_rows(tables, as_of=None, windows=PIPELINE_WINDOWS, *, filters: Filters | None = None,
                  fy_start_month: int = 7) -> ir.Table | None:
    """The pipeline's contracts as a query, not fetched (see expiring_pipeline; `_repl` is hidden), or None
    when contracts or their end dates are missing. Pass a Source and hold it while the query runs."""
    windows = tuple(sorted(int(w) for w in windows))
    src = source_of(tables)
    if not src.has("contracts", "end_date"):
        return None
    from .sql.engine import _as_of

    day = _as_of(as_of)

    def columns(rec):
        t = rec.t
        end = M.date(t, "end_date")
        return {**_as_listed(t, CONTRACT_COLUMNS[:5]), "_ck": M.text(t, "contract_id"), "end_date": end,
                "days_left": M.days_between(ibis.literal(day), end),
                "renewal_options_remaining": M.number(t, "renewal_options_remaining"),
                "current_amount": M.number(t, "current_amount"), "_repl": t._repl}

    def extend(r):
        r = r.filter(r.end_date.notnull() & (r.days_left > 0) & (r.days_left <= windows[-1]))
        sols = _replacement_solicitations(src)
        if sols is not None:
            r = r.left_join(sols, r._ck == sols._rk).drop("_rk")
        else:
            r = r.mutate(replacement_solicitation_id=ibis.null("string"), replacement_status=ibis.null("string"))
        ev = _evaluations_on_file(src, day, fy_start_month)
        if ev is None:
            return r.mutate(evaluation_on_file=ibis.literal(False), last_evaluation_low=ibis.literal(False))
        r = r.left_join(ev, r._ck == ev._fk).drop("_fk")
        return r.mutate(evaluation_on_file=r._low.notnull(), last_evaluation_low=r._low.fill_null(False)).drop("_low")

    _rec, r = selection("expiring_without_replacement", src, filters=filters, as_of=day,
                        fy_start_month=fy_start_month, dates=False, check_needs=False, columns=columns,
                        name=f"pipeline_{windows[-1]}_{int(src.has('solicitations', 'replaces_contract_id'))}"
                             f"{int(src.rows('evaluations') > 0)}", extend=extend)
    keep = [*CONTRACT_COLUMNS[:5], "end_date", "days_left", "renewal_options_remaining", "current_amount",
            "replacement_solicitation_id", "replacement_status", "evaluation_on_file", "last_evaluation_low"]
    return r.select(*keep, "_repl", action=_action(r))


PIPELINE_LIST = (*CONTRACT_COLUMNS[:5], "end_date", "days_left", "window", "renewal_options_remaining",
                 "replacement_solicitation_id", "replacement_status", "evaluation_on_file", "last_evaluation_low",
                 "current_amount", "action")


def expiring_pipeline(tables, as_of=None, windows=PIPELINE_WINDOWS, *, filters: Filters | None = None,
                      fy_start_month: int = 7) -> pd.DataFrame:
    """Contracts ending within the longest window (540 days) after as_of, soonest first, with what each needs.

    Columns: contract_id, title, vendor_name, department, category, end_date, days_left, window (the
    smallest of `windows` holding it), renewal_options_remaining, replacement_solicitation_id,
    replacement_status, evaluation_on_file, last_evaluation_low, current_amount, action. Empty frame when
    contracts or their end dates are missing. Department, category, method, vendor and value-band filters
    apply as to the expiring_without_replacement KPI.
    """
    return pipeline_records(tables, as_of, windows, filters=filters, fy_start_month=fy_start_month).frame()


def pipeline_records(tables, as_of=None, windows=PIPELINE_WINDOWS, *, filters: Filters | None = None,
                     fy_start_month: int = 7) -> Records:
    """expiring_pipeline as a query (kpi.Records): counted in the engine, only the rows shown fetched."""
    windows = tuple(sorted(int(w) for w in windows))
    src = source_of(tables)
    r = pipeline_rows(src, as_of, windows, filters=filters, fy_start_month=fy_start_month)
    if r is None:
        return Records(columns=PIPELINE_LIST)
    # The smallest window holding each contract (every one is within the longest).
    window = ibis.cases(*((r.days_left <= w, w) for w in windows[:-1]), else_=windows[-1])
    listed = r.mutate(window=window).select(*PIPELINE_LIST)
    return Records(listed, order=["end_date", "contract_id", "title"], finish=_pipeline_types, held=src)


def _pipeline_types(f: pd.DataFrame) -> pd.DataFrame:
    f["end_date"] = pd.to_datetime(f["end_date"])
    f["days_left"] = f["days_left"].astype(np.int64)
    f["window"] = f["window"].astype(np.int64)
    f["renewal_options_remaining"] = pd.array(f["renewal_options_remaining"].to_numpy(dtype=float),
                                              dtype="Float64").astype("Int64")
    for c in ("evaluation_on_file", "last_evaluation_low"):
        f[c] = f[c].fillna(False).astype(bool)
    f["current_amount"] = f["current_amount"].astype(float)
    for c in (*CONTRACT_COLUMNS[:5], "replacement_solicitation_id", "replacement_status", "action"):
        f[c] = f[c].to_numpy(dtype=object)
    return f


def pipeline_months(tables, as_of=None, *, filters: Filters | None = None, fy_start_month: int = 7) -> pd.DataFrame:
    """The pipeline summed by month of end date and action, in the engine (a timeline of thousands of contracts
    draws monthly bars): month, action, contracts, current_amount (their sum), end_date (the month's first)."""
    src = source_of(tables)
    r = pipeline_rows(src, as_of, filters=filters, fy_start_month=fy_start_month)
    cols = ["month", "action", "contracts", "current_amount", "end_date"]
    if r is None:
        return pd.DataFrame(columns=cols)
    months = r.group_by(month=r.end_date.truncate("M"), action=r.action).aggregate(
        contracts=r.count(), current_amount=r.current_amount.fill_null(0.0).sum(), end_date=r.end_date.min())
    f = fetch(months.order_by(["month", "action"]))
    f["month"], f["end_date"] = pd.to_datetime(f["month"]), pd.to_datetime(f["end_date"])
    f["contracts"] = f["contracts"].astype(np.int64)
    return f[cols].reset_index(drop=True)


def cost_growth(tables, *, filters: Filters | None = None, as_of=None, fy_start_month: int = 7) -> pd.DataFrame:
    """Contracts with an original and a current amount, largest growth first: growth_amount and growth
    (share of the original). Filters as for the cost_growth KPI (fiscal years on start_date)."""
    return cost_growth_records(tables, filters=filters, as_of=as_of, fy_start_month=fy_start_month).frame()


def cost_growth_records(tables, *, filters: Filters | None = None, as_of=None, fy_start_month: int = 7) -> Records:
    """cost_growth as a query (kpi.Records): counted in the engine, only the rows shown fetched."""
    cols = list(CONTRACT_COLUMNS) + ["start_date", "end_date", "original_amount", "current_amount",
                                     "growth_amount", "growth", "amendment_count"]

    def columns(rec):
        t = rec.t
        orig, cur = M.number(t, "original_amount"), M.number(t, "current_amount")
        return {**_as_listed(t, CONTRACT_COLUMNS), "start_date": M.date(t, "start_date"),
                "end_date": M.date(t, "end_date"), "original_amount": orig, "current_amount": cur,
                "growth_amount": cur - orig, "growth": (cur - orig) / orig,
                "amendment_count": M.number(t, "amendment_count")}

    src = source_of(tables)
    _rec, r = selection("cost_growth", src, filters=filters, as_of=as_of, fy_start_month=fy_start_month,
                        dates=True, columns=columns, name="growth")
    if r is None:
        return Records(columns=cols)
    r = r.filter(r._reason.isnull())
    return Records(r.select(*cols), order=[ibis.desc("growth"), ibis.desc("growth_amount"), "contract_id"],
                   finish=lambda f: _dates(f, "start_date", "end_date"), held=src)


def overspent_contracts(tables, *, filters: Filters | None = None, as_of=None,
                        fy_start_month: int = 7) -> pd.DataFrame:
    """Contracts whose payments up to as_of exceed their current amount, largest excess first (department,
    category, method and vendor filters apply; the list is to date, so date filters do not)."""
    return overspent_records(tables, filters=filters, as_of=as_of, fy_start_month=fy_start_month).frame()


def overspent_records(tables, *, filters: Filters | None = None, as_of=None, fy_start_month: int = 7) -> Records:
    """overspent_contracts as a query (kpi.Records): counted in the engine, only the rows shown fetched."""
    cols = list(CONTRACT_COLUMNS) + ["current_amount", "paid_amount", "overspent_by", "overspent_share",
                                     "crossed_date", "payments", "last_payment_date"]

    def columns(rec):
        t = rec.t
        cur = M.number(t, "current_amount")
        paid = t._paid.fill_null(M.F0)
        return {**_as_listed(t, CONTRACT_COLUMNS), "current_amount": cur, "paid_amount": paid,
                "overspent_by": paid - cur,
                "overspent_share": ibis.ifelse(cur > 0, (paid - cur) / cur, ibis.null("float64")),
                "crossed_date": t._crossed, "payments": t._count.fill_null(0).cast("int64"),
                "last_payment_date": t._last}

    def finish(f: pd.DataFrame) -> pd.DataFrame:
        f["payments"] = f["payments"].astype(np.int64)
        return _dates(f, "crossed_date", "last_payment_date")

    src = source_of(tables)
    _rec, r = selection("overspent_contracts", src, filters=filters, as_of=as_of, fy_start_month=fy_start_month,
                        dates=False, columns=columns, name="overspent")
    if r is None:
        return Records(columns=cols)
    r = r.filter(r._reason.isnull() & (r._num > 0))
    return Records(r.select(*cols), order=[ibis.desc("overspent_by"), "contract_id"], finish=finish, held=src)
