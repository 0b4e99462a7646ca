"""One pure function per KPI: canonical tables in, candidate records out (the engine aggregates them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from loaders.schema import (
    CERTIFICATION_FLAGS,
    COMPETITIVE_METHODS,
    KEY_FIELDS,
    MWBE_CERTIFICATIONS,
    NONCOMPETITIVE_METHODS,
    TABLES,
)
from loaders.values import direction_of

from .periods import NAT, fiscal_year, period_codes, period_start
from .prepare import Prepared
from .records import Reasons, Records, concat_dims, empty_dims, first_date

ON_TIME_PAYMENT_DAYS = 30
EXPIRING_WINDOWS = (90, 180, 365)
EXPIRING_DAYS = 180
# A contract with no end date is open-ended (public works end on completion): it never expires, and it is
# active from its start on.
OPEN_ENDED = "no end date (open-ended, ends on completion)"
OPEN_END = np.datetime64("9999-12-31", "D")
METHOD_NOT_RECOGNISED = "method not recognised"
FIRST_TIME_LOOKBACK_YEARS = 3
ENGAGEMENT_THRESHOLD = 100_000.0
# Market research that is not vendor engagement (desk research), so it does not count.
NOT_ENGAGEMENT = ("internet research",)
LOW_SCORE = 0.5  # a 0-1 score below this is below satisfactory (both 1-5 scales put "satisfactory" at 0.5+)
# Cycle-time goals (days from requisition to award) per method and value band: starting points an office
# changes. Bands: under $100,000; $100,000 to under $1,000,000; $1,000,000 and over.
CYCLE_TIME_BANDS = (100_000.0, 1_000_000.0)
CYCLE_TIME_GOALS = {
    "invitation for bid": (60, 90, 120),
    "request for proposals": (90, 120, 150),
    "request for quotes": (30, 45, 60),
    "small purchase": (15, 30, 30),
    "cooperative": (30, 45, 60),
    "sole source": (30, 60, 90),
    "emergency": (7, 14, 14),
    "exempt": (30, 60, 90),
    "other": (60, 90, 120),
}
BELOW_SATISFACTORY = ("unsatisf", "marginal", "poor", "needs improvement", "below", "unaccept", "fail",
                      "does not meet", "inadequate", "deficient", "not satisf")
SATISFACTORY_OR_BETTER = ("satisf", "good", "excellent", "exceptional", "outstanding", "meets", "exceeds",
                          "acceptable", "fair", "superior")


@dataclass(frozen=True)
class Context:
    p: Prepared
    as_of: np.datetime64
    fy_start_month: int
    # The report's grain: only measures whose records are one per period (registry `per_period`) read it.
    grain: str = "quarter"


# ----------------------------------------------------------------------------- shared building blocks


def _dims_of(p: Prepared, table: str, vendor: tuple[str, str] | None) -> tuple[dict, dict | None]:
    dims = {}
    for d in ("department", "category"):
        dims[d] = p.text(table, d)
    dims["method"] = p.method(table)
    v = None
    if vendor is not None:
        v = p.vendor(table, *vendor)
        dims["vendor"] = (v["codes"], v["labels"])
    else:
        dims["vendor"] = (np.full(p.rows(table), -1, dtype=np.int64), pd.Index([], dtype="str"))
    return dims, v


def _joined_dims(p: Prepared, dims: dict, positions: np.ndarray) -> dict:
    """Dimensions of another table's rows taken at `positions` (-1 -> not recorded)."""
    return {d: (np.where(positions >= 0, c[np.maximum(positions, 0)] if len(c) else -1, -1).astype(np.int64), lab)
            for d, (c, lab) in dims.items()}


def _solicitation_base(p: Prepared) -> dict:
    def make():
        dims, vend = _dims_of(p, "solicitations", ("awarded_vendor_id", "awarded_vendor_name"))
        awarded = p.number("solicitations", "awarded_amount")
        amount = np.where(np.isnan(awarded), p.number("solicitations", "estimated_amount"), awarded)
        codes, labels = dims["method"]
        competitive = np.asarray(labels.isin(COMPETITIVE_METHODS))
        comp = np.where(codes >= 0, competitive[np.maximum(codes, 0)] if len(labels) else False, False)
        # A method the vocabulary did not recognise (its text kept in method_text) is not a missing one, and
        # never counts as non-competitive: it is left out of method-based KPIs with its own reason.
        written = p.text("solicitations", "method_text")[0] >= 0
        return {"dims": dims, "vendor": vend, "amount": amount, "competitive": comp,
                "method_known": codes >= 0, "method_unrecognised": (codes < 0) & written}

    return p._memo(("base", "solicitations"), make)


def _contract_base(p: Prepared) -> dict:
    def make():
        dims, vend = _dims_of(p, "contracts", ("vendor_id", "vendor_name"))
        current = p.number("contracts", "current_amount")
        amount = np.where(np.isnan(current), p.number("contracts", "original_amount"), current)
        return {"dims": dims, "vendor": vend, "amount": amount}

    return p._memo(("base", "contracts"), make)


def _payment_base(p: Prepared) -> dict:
    def make():
        dims, vend = _dims_of(p, "payments", ("vendor_id", "vendor_name"))
        # Payments carry no method: it is the method of the contract they are paid under.
        pos = p.join("payments", "contract_id", "contracts", "contract_id")
        dims["method"] = _joined_dims(p, {"method": p.method("contracts")}, pos)["method"]
        return {"dims": dims, "vendor": vend, "amount": p.number("payments", "amount")}

    return p._memo(("base", "payments"), make)


def _evaluation_base(p: Prepared) -> dict:
    def make():
        pos = p.join("evaluations", "contract_id", "contracts", "contract_id")
        cb = _contract_base(p)
        dims = _joined_dims(p, cb["dims"], pos)
        return {"dims": dims, "vendor": None, "amount": p.take(cb["amount"], pos, np.nan).astype(float),
                "contract": pos}

    return p._memo(("base", "evaluations"), make)


def _bid_base(p: Prepared) -> dict:
    def make():
        pos = p.join("bids", "solicitation_id", "solicitations", "solicitation_id")
        sb = _solicitation_base(p)
        dims = _joined_dims(p, sb["dims"], pos)
        vend = p.vendor("bids", "vendor_id", "vendor_name")
        dims["vendor"] = (vend["codes"], vend["labels"])
        bid_amount = p.number("bids", "bid_amount")
        amount = np.where(np.isnan(bid_amount), p.take(sb["amount"], pos, np.nan).astype(float), bid_amount)
        return {"dims": dims, "vendor": vend, "amount": amount, "solicitation": pos,
                "competitive": p.take(sb["competitive"], pos, False).astype(bool)}

    return p._memo(("base", "bids"), make)


def _ones(n: int) -> np.ndarray:
    """A read-only array of n ones that takes no memory (count shares weigh every record 1)."""
    return np.broadcast_to(np.float64(1.0), (n,))


def _records(table: str, base: dict, date: np.ndarray, r: Reasons, **arrays) -> Records:
    n = len(date)
    return Records(table=table, rows=np.arange(n), date=date, reason=r.code, reasons=tuple(r.names),
                   dims=base["dims"], amount=base["amount"], vendor=base.get("vendor"), **arrays)


def _days_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Whole days from start to end; NaN where either date is missing (NaT would cast to -9.2e18)."""
    delta = end - start
    days = delta.astype("timedelta64[D]").astype("float64")
    days[np.isnat(delta)] = np.nan
    return days


def _sol_dates(p: Prepared) -> dict[str, np.ndarray]:
    return {c: p.days("solicitations", c) for c in ("requisition_date", "issue_date", "due_date", "award_date")}


def _bid_close_date(p: Prepared) -> np.ndarray:
    """Bid opening (due_date); the award date, then the issue date, where the due date is missing."""
    return p.first_days("solicitations", "due_date", "award_date", "issue_date")


# ----------------------------------------------------------------------------- Speed


def _award_duration(ctx: Context, start_col: str, start_word: str) -> Records:
    p = ctx.p
    d = _sol_dates(p)
    award, start = d["award_date"], d[start_col]
    r = Reasons(len(award))
    r.add(np.isnat(award), "not awarded (award_date missing)")
    r.add(np.isnat(start), f"{start_col} missing")
    days = _days_between(start, award)
    r.add(days < 0, f"award before {start_word} date (negative duration)")
    date = p.first_days("solicitations", "award_date", start_col, "issue_date", "due_date", "requisition_date")
    return _records("solicitations", _solicitation_base(p), date, r, x=days)


def procurement_lead_time_days(ctx: Context) -> Records:
    return _award_duration(ctx, "issue_date", "issue")


def requisition_to_award_days(ctx: Context) -> Records:
    return _award_duration(ctx, "requisition_date", "requisition")


def decision_days(ctx: Context) -> Records:
    return _award_duration(ctx, "due_date", "due")


def cycle_time_goal(method_labels: pd.Index, method_codes: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Goal in days for each record's method and value band (NaN where the method has no goal)."""
    table = np.array([CYCLE_TIME_GOALS.get(m, (np.nan,) * 3) for m in method_labels], dtype=float).reshape(-1, 3)
    band = np.searchsorted(np.array(CYCLE_TIME_BANDS), np.nan_to_num(amount, nan=0.0), side="right")
    if not len(table):
        return np.full(len(amount), np.nan)
    goal = table[np.maximum(method_codes, 0), band]
    return np.where(method_codes >= 0, goal, np.nan)


def within_cycle_goal_share(ctx: Context) -> Records:
    p = ctx.p
    d = _sol_dates(p)
    base = _solicitation_base(p)
    award, req = d["award_date"], d["requisition_date"]
    awarded = p.number("solicitations", "awarded_amount")
    value = np.where(np.isnan(awarded), p.number("solicitations", "estimated_amount"), awarded)
    codes, labels = base["dims"]["method"]
    goal = cycle_time_goal(labels, codes, value)
    r = Reasons(len(award))
    r.add(np.isnat(award), "not awarded (award_date missing)")
    r.add(np.isnat(req), "requisition_date missing")
    days = _days_between(req, award)
    r.add(days < 0, "award before requisition date (negative duration)")
    r.add(base["method_unrecognised"], METHOD_NOT_RECOGNISED)
    r.add(np.isnan(goal), "no cycle-time goal for the method")
    r.add(np.isnan(value), "no awarded or estimated amount (value band unknown)")
    date = p.first_days("solicitations", "award_date", "requisition_date", "issue_date", "due_date")
    return _records("solicitations", base, date, r, num=(days <= goal).astype(float),
                    den=_ones(len(award)), x=days, extra={"goal_days": goal})


def late_contract_share(ctx: Context) -> Records:
    p = ctx.p
    start = p.days("contracts", "start_date")
    executed = p.days("contracts", "executed_date")
    r = Reasons(len(start))
    r.add(np.isnat(start), "start_date missing")
    r.add(np.isnat(executed), "executed_date missing")
    late = ~np.isnat(start) & ~np.isnat(executed) & (executed > start)
    return _records("contracts", _contract_base(p), p.first_days("contracts", "start_date", "executed_date"), r,
                    num=late.astype(float), den=_ones(len(start)),
                    x=_days_between(start, executed), x_name="days_executed_after_start")


# ----------------------------------------------------------------------------- Competition


def bids_received(p: Prepared) -> np.ndarray:
    """Bids per solicitation row: bids_received; where an export has no bids_received at all, the distinct
    bidders of the bids table (0 where it has none); where bids_received is blank, the bids table's bidders if
    it has any for that solicitation (else unknown)."""

    def make():
        given = p.number("solicitations", "bids_received")
        if not p.has("bids", "solicitation_id"):
            return given
        n = p.rows("solicitations")
        pos = p.join("bids", "solicitation_id", "solicitations", "solicitation_id")
        vendor = p.vendor("bids", "vendor_id", "vendor_name")["codes"]
        ok = pos >= 0
        # Distinct bidders (a bid tab may list a bidder on several lines); a row naming no bidder is one bid.
        pairs = pd.DataFrame({"s": pos[ok], "v": np.where(vendor[ok] >= 0, vendor[ok], -1 - np.arange(ok.sum()))})
        counts = np.bincount(pairs.drop_duplicates()["s"].to_numpy(), minlength=n)[:n].astype(float)
        if not p.has("solicitations", "bids_received"):
            return counts
        return np.where(np.isnan(given) & (counts > 0), counts, given)

    return p._memo(("bids_received",), make)


def _competitive_bids(ctx: Context) -> tuple[Records, np.ndarray]:
    p = ctx.p
    base = _solicitation_base(p)
    bids = bids_received(p)
    close = _bid_close_date(p)
    due = p.days("solicitations", "due_date")
    r = Reasons(len(bids))
    r.add(base["method_unrecognised"], METHOD_NOT_RECOGNISED)
    r.add(~base["method_known"], "method missing")
    r.add(~base["competitive"], "not competitive")
    r.add(~np.isnat(due) & (due > ctx.as_of), "bids not yet due (due_date after the as-of date)")
    r.add(np.isnan(bids), "bids_received missing")
    r.add(bids < 0, "bids_received negative")
    return _records("solicitations", base, close, r), bids


def bids_per_solicitation(ctx: Context) -> Records:
    rec, bids = _competitive_bids(ctx)
    rec.x, rec.x_name = bids, "bids"
    return rec


def single_bid_share(ctx: Context) -> Records:
    rec, bids = _competitive_bids(ctx)
    rec.num, rec.den, rec.x, rec.x_name = (bids == 1).astype(float), _ones(len(bids)), bids, "bids"
    return rec


def no_bid_share(ctx: Context) -> Records:
    rec, bids = _competitive_bids(ctx)
    rec.num, rec.den, rec.x, rec.x_name = (bids == 0).astype(float), _ones(len(bids)), bids, "bids"
    return rec


def _award_dollars(ctx: Context, *, need_method: bool = True) -> tuple[Records, np.ndarray]:
    p = ctx.p
    base = _solicitation_base(p)
    d = _sol_dates(p)
    amount = p.number("solicitations", "awarded_amount")
    r = Reasons(len(amount))
    r.add(np.isnat(d["award_date"]), "not awarded (award_date missing)")
    if need_method:
        r.add(base["method_unrecognised"], METHOD_NOT_RECOGNISED)
    r.add(~base["method_known"], "method missing")
    r.add(np.isnan(amount), "awarded_amount missing")
    r.add(amount <= 0, "awarded_amount zero or negative")
    date = p.first_days("solicitations", "award_date", "issue_date", "due_date", "requisition_date")
    rec = _records("solicitations", base, date, r)
    rec.den = np.nan_to_num(amount)
    return rec, np.nan_to_num(amount)


def _method_dollar_share(ctx: Context, methods: tuple[str, ...]) -> Records:
    rec, amount = _award_dollars(ctx)
    codes, labels = rec.dims["method"]
    hit = np.asarray(labels.isin(methods)) if len(labels) else np.zeros(0, bool)
    is_hit = np.where(codes >= 0, hit[np.maximum(codes, 0)] if len(hit) else False, False)
    rec.num = np.where(is_hit, amount, 0.0)
    return rec


def noncompetitive_share(ctx: Context) -> Records:
    return _method_dollar_share(ctx, NONCOMPETITIVE_METHODS)


def emergency_share(ctx: Context) -> Records:
    return _method_dollar_share(ctx, ("emergency",))


def cooperative_share(ctx: Context) -> Records:
    return _method_dollar_share(ctx, ("cooperative",))


def cancelled_solicitations(p: Prepared) -> np.ndarray:
    """Per solicitation row: its status says cancelled (any status containing 'cancel')."""
    codes, labels = p.text("solicitations", "status", lower=True)
    if not len(labels):
        return np.zeros(len(codes), bool)
    hit = np.asarray(labels.str.contains("cancel", regex=False))
    return np.where(codes >= 0, hit[np.maximum(codes, 0)], False)


def cancelled_solicitation_share(ctx: Context) -> Records:
    p = ctx.p
    d = _sol_dates(p)
    codes = p.text("solicitations", "status", lower=True)[0]
    cancelled = cancelled_solicitations(p)
    r = Reasons(len(codes))
    r.add(np.isnat(d["issue_date"]), "issue_date missing (not issued)")
    r.add(codes < 0, "status missing")
    date = p.first_days("solicitations", "issue_date", "due_date", "award_date", "requisition_date")
    return _records("solicitations", _solicitation_base(p), date, r,
                    num=cancelled.astype(float), den=_ones(len(codes)))


def first_time_vendor_share(ctx: Context) -> Records:
    p = ctx.p
    base = _solicitation_base(p)
    d = _sol_dates(p)
    award = d["award_date"]
    vendor = base["vendor"]["codes"]
    r = Reasons(len(award))
    r.add(np.isnat(award), "not awarded (award_date missing)")
    r.add(vendor < 0, "awarded vendor missing")
    fy = fiscal_year(award, ctx.fy_start_month)
    # History: every award up to the as-of date, whatever the filters (a vendor is new to the office).
    hist = (r.code == 0) & (award <= ctx.as_of)
    span = np.int64(10_000)
    seen = np.unique(vendor[hist].astype(np.int64) * span + fy[hist])
    key = vendor.astype(np.int64) * span + fy
    prior = np.zeros(len(award), bool)
    for back in range(1, FIRST_TIME_LOOKBACK_YEARS + 1):  # three look-ups, each vectorised over all awards
        prior |= np.isin(key - back, seen)
    notes = ()
    if hist.any():
        first_fy = int(fy[hist].min())
        notes = (f"Award history starts in FY{first_fy}: for FY{first_fy}-FY{first_fy + FIRST_TIME_LOOKBACK_YEARS - 1}"
                 f" fewer than {FIRST_TIME_LOOKBACK_YEARS} earlier fiscal years are loaded, so more vendors "
                 "look new than are.",)
    date = p.first_days("solicitations", "award_date", "issue_date", "due_date", "requisition_date")
    rec = _records("solicitations", base, date, r, num=(~prior).astype(float), den=_ones(len(award)),
                   key=vendor)
    rec.notes = notes
    return rec


def _bids(ctx: Context) -> Records:
    """Bids, placed at their solicitation's bid opening; excluded: solicitation not found, bidder missing,
    bids not yet due. `key` is the bidder."""
    p = ctx.p
    base = _bid_base(p)
    pos = base["solicitation"]
    close = p.take(_bid_close_date(p), pos, NAT).astype("datetime64[D]")
    due = p.take(p.days("solicitations", "due_date"), pos, NAT).astype("datetime64[D]")
    vendor = base["vendor"]["codes"]
    r = Reasons(len(pos))
    r.add(pos < 0, "solicitation not found")
    r.add(vendor < 0, "bidder missing")
    r.add(~np.isnat(due) & (due > ctx.as_of), "bids not yet due (due_date after the as-of date)")
    return _records("bids", base, close, r, key=vendor)


def active_bidder_count(ctx: Context) -> Records:
    return _bids(ctx)


def protest_rate(ctx: Context) -> Records:
    p = ctx.p
    base = _solicitation_base(p)
    d = _sol_dates(p)
    protested, _ = p.flag("solicitations", "protest_filed")
    sustained, _ = p.flag("solicitations", "protest_sustained")
    r = Reasons(len(protested))
    r.add(np.isnat(d["award_date"]), "not awarded (award_date missing)")
    date = p.first_days("solicitations", "award_date", "issue_date", "due_date", "requisition_date")
    return _records("solicitations", base, date, r, num=protested.astype(float), den=_ones(len(protested)),
                    extra={"sustained": (protested & sustained).astype(float)})


# ----------------------------------------------------------------------------- Equity


def _payment_share(ctx: Context, flags: tuple[str, ...]) -> Records:
    p = ctx.p
    base = _payment_base(p)
    date = p.days("payments", "payment_date")
    amount = base["amount"]
    hit = p.vendor_flags("payments", "vendor_id", "vendor_name", flags, on_date=date)
    r = Reasons(len(amount))
    r.add(np.isnat(date), "payment_date missing")
    r.add(np.isnan(amount), "amount missing")
    a = np.nan_to_num(amount)
    return _records("payments", base, date, r, num=np.where(hit, a, 0.0), den=a,
                    extra={"certified": hit})


MWBE_FLAGS = tuple(CERTIFICATION_FLAGS[c] for c in MWBE_CERTIFICATIONS)


def mwbe_spend_share(ctx: Context) -> Records:
    return _payment_share(ctx, MWBE_FLAGS)


def small_business_share(ctx: Context) -> Records:
    return _payment_share(ctx, ("is_small", "is_sbe"))


def local_spend_share(ctx: Context) -> Records:
    return _payment_share(ctx, ("is_local", "is_lbe"))


def mwbe_award_share(ctx: Context) -> Records:
    p = ctx.p
    rec, amount = _award_dollars(ctx, need_method=False)
    award = p.days("solicitations", "award_date")
    own = np.zeros(len(amount), bool)
    for fl in MWBE_FLAGS:
        own |= p.flag("solicitations", fl)[0]
    listed = p.vendor_flags("solicitations", "awarded_vendor_id", "awarded_vendor_name", MWBE_FLAGS,
                            on_date=award)
    hit = own | listed
    rec.num = np.where(hit, amount, 0.0)
    rec.extra = {"certified": hit}
    return rec


def diverse_bid_share(ctx: Context) -> Records:
    rec = _bids(ctx)
    hit = ctx.p.vendor_flags("bids", "vendor_id", "vendor_name", tuple(CERTIFICATION_FLAGS.values()),
                             on_date=rec.date)
    rec.num, rec.den, rec.key = hit.astype(float), _ones(len(hit)), None
    return rec


# ----------------------------------------------------------------------------- Value


def spend_under_contract_share(ctx: Context) -> Records:
    p = ctx.p
    base = _payment_base(p)
    date = p.days("payments", "payment_date")
    amount = base["amount"]
    linked = p.text("payments", "contract_id")[0] >= 0
    r = Reasons(len(amount))
    r.add(np.isnat(date), "payment_date missing")
    r.add(np.isnan(amount), "amount missing")
    a = np.nan_to_num(amount)
    return _records("payments", base, date, r, num=np.where(linked, a, 0.0), den=a)


def savings_rate(ctx: Context) -> Records:
    p = ctx.p
    base = _solicitation_base(p)
    d = _sol_dates(p)
    est = p.number("solicitations", "estimated_amount")
    awd = p.number("solicitations", "awarded_amount")
    r = Reasons(len(est))
    r.add(np.isnat(d["award_date"]), "not awarded (award_date missing)")
    r.add(base["method_unrecognised"], METHOD_NOT_RECOGNISED)
    r.add(~base["method_known"], "method missing")
    r.add(~base["competitive"], "not competitive")
    r.add(np.isnan(est) | (est <= 0), "estimated_amount missing or zero")
    r.add(np.isnan(awd), "awarded_amount missing")
    r.add(awd <= 0, "awarded_amount zero or negative")
    date = p.first_days("solicitations", "award_date", "issue_date", "due_date", "requisition_date")
    return _records("solicitations", base, date, r, num=np.nan_to_num(est - awd), den=np.nan_to_num(est))


# ----------------------------------------------------------------------------- Contracts


def _replacement_start(p: Prepared) -> np.ndarray:
    """Per contract row: the earliest date of a replacement solicitation under way (not cancelled); NaT
    where there is none; a replacement with no date at all counts from the beginning of time."""
    n = p.rows("contracts")
    out = np.full(n, NAT)
    if not p.has("solicitations", "replaces_contract_id"):
        return out
    pos = p.join("solicitations", "replaces_contract_id", "contracts", "contract_id")
    cancelled = cancelled_solicitations(p)
    started = p.first_days("solicitations", "requisition_date", "issue_date", "due_date", "award_date")
    started = np.where(np.isnat(started), np.datetime64("1000-01-01", "D"), started)
    ok = (pos >= 0) & ~cancelled
    if not ok.any():
        return out
    earliest = pd.Series(started[ok]).groupby(pos[ok]).min()
    out[earliest.index.to_numpy()] = earliest.to_numpy(dtype="datetime64[D]")
    return out


def expiring_without_replacement(ctx: Context) -> Records:
    p = ctx.p
    start = p.days("contracts", "start_date")
    end = p.days("contracts", "end_date")
    options = p.number("contracts", "renewal_options_remaining")
    no_options = np.isnan(options) | (options <= 0)
    repl = _replacement_start(p)
    r = Reasons(len(end))
    r.add(np.isnat(end), OPEN_ENDED)
    r.add(~np.isnat(start) & (end < start), "end before start date")
    one = np.timedelta64(1, "D")
    hi = end - one  # counted at reference dates strictly before the end date
    # Flagged while no option is left and before a replacement is under way.
    flag_hi = np.where(no_options, np.where(np.isnat(repl) | (repl - one > hi), hi, repl - one), NAT)
    rec = _records("contracts", _contract_base(p), end, r, hi=hi,
                   extra={"flag_hi": flag_hi, "replacement_date": repl, "no_options": no_options.astype(float)})
    for w in EXPIRING_WINDOWS:
        lo = end - np.timedelta64(w, "D")
        rec.extra[f"lo_{w}"] = np.where(np.isnat(start) | (start < lo), lo, start)
    rec.lo = rec.extra[f"lo_{EXPIRING_DAYS}"]
    return rec


def contracts_with_metrics_share(ctx: Context) -> Records:
    p = ctx.p
    start = p.days("contracts", "start_date")
    end = p.days("contracts", "end_date")
    # A blank end date is an open-ended contract (it ends on completion): active from its start on.
    end = np.where(np.isnat(end), OPEN_END, end)
    key, _ = p.flag("contracts", "is_key_contract")
    flagged, _ = p.flag("contracts", "has_performance_metrics")
    metrics = flagged | contracts_with_metric_rows(p)
    r = Reasons(len(end))
    r.add(~key, "not a key contract")
    r.add(np.isnat(start), "start_date missing")
    r.add(end < start, "end before start date")
    return _records("contracts", _contract_base(p), p.first_days("contracts", "start_date", "end_date"), r, lo=start, hi=end,
                    num=metrics.astype(float), den=_ones(len(end)))


# ----------------------------------------------------------------------------- Contract performance
# Key contracts' metrics, results and check-ins (active contract management, RDC2/5/6). Self-contained: each
# helper reads only Prepared arrays.

CHECKIN_QUARTER = "quarter"  # check-ins are counted per fiscal quarter, whatever the report's grain
EVALUATION_LOOKBACK_DAYS = 365
HIGHER, LOWER = 1, -1


def direction_sign(text: object) -> int:
    """'higher' / 'Higher is better' / 'max' -> 1; 'lower' / 'Lower is better' / 'min' -> -1; else 0."""
    return {"higher": HIGHER, "lower": LOWER}.get(direction_of(text), 0)


def contracts_with_metric_rows(p: Prepared) -> np.ndarray:
    """Per contract row: True when contract_metrics holds a row for it."""

    def make():
        n = p.rows("contracts")
        out = np.zeros(n, bool)
        if not p.has("contract_metrics", "contract_id"):
            return out
        pos = p.join("contract_metrics", "contract_id", "contracts", "contract_id")
        out[pos[pos >= 0]] = True
        return out

    return p._memo(("has_metric_rows",), make)


def metric_definitions(p: Prepared) -> pd.DataFrame:
    """One row per (contract_id, metric_id) of contract_metrics, the last row loaded winning (a metric edited
    in the app overrides the file's): metric_name, unit, target, sign (1 higher, -1 lower, 0 unknown)."""

    def make():
        cols = ["contract_id", "metric_id", "metric_name", "unit", "target", "sign"]
        if not p.has("contract_metrics", "contract_id"):
            return pd.DataFrame({c: pd.Series(dtype="float64" if c == "target" else "str") for c in cols})
        f = p.frame("contract_metrics")
        out = pd.DataFrame({
            "contract_id": p.ids("contract_metrics", "contract_id"),
            "metric_id": p.ids("contract_metrics", "metric_id"),
            "metric_name": f["metric_name"].to_numpy(dtype=object) if "metric_name" in f else None,
            "unit": f["unit"].to_numpy(dtype=object) if "unit" in f else None,
            "target": p.number("contract_metrics", "target"),
            "sign": [direction_sign(x) for x in (f["direction"] if "direction" in f else [None] * len(f))],
        })
        out = out[out["contract_id"].notna() & out["metric_id"].notna()]
        return out.drop_duplicates(["contract_id", "metric_id"], keep="last").reset_index(drop=True)

    return p._memo(("metric_definitions",), make)


def misses_target(value: np.ndarray, target: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """1.0 where a value misses its target (below it when higher is better, above it when lower is better; equal
    is on track), 0.0 where it is on track, NaN where the target or the direction is unknown."""
    miss = np.where(sign == HIGHER, value < target, value > target).astype(float)
    return np.where(np.isnan(target) | np.isnan(value) | (sign == 0), np.nan, miss)


def latest_results(p: Prepared, as_of: np.datetime64, grain: str, fy_start_month: int) -> pd.DataFrame:
    """The latest result of each (contract, metric) in each period of `grain`, among results dated on or before
    the as-of date: contract (row in contracts, -1 if unknown), contract_id, metric_id, period (code),
    period_end, value, target, sign, miss (see misses_target). A duplicate for the same period_end: the last
    row loaded wins."""

    def make():
        cols = ["contract", "contract_id", "metric_id", "period", "period_end", "value"]
        if not p.has("metric_results", "contract_id"):
            return pd.DataFrame({c: [] for c in cols + ["target", "sign", "miss"]})
        when = p.days("metric_results", "period_end")
        f = pd.DataFrame({
            "contract": p.join("metric_results", "contract_id", "contracts", "contract_id"),
            "contract_id": p.ids("metric_results", "contract_id"),
            "metric_id": p.ids("metric_results", "metric_id"),
            "period": period_codes(when, grain, fy_start_month),
            "period_end": when,
            "value": p.number("metric_results", "value"),
        })
        f = f[~np.isnat(when) & (when <= as_of) & f["contract_id"].notna() & f["metric_id"].notna()
              & f["value"].notna()]
        f = f.sort_values("period_end", kind="stable")
        f = f.drop_duplicates(["contract_id", "metric_id", "period"], keep="last")
        f = f.merge(metric_definitions(p)[["contract_id", "metric_id", "target", "sign"]],
                    on=["contract_id", "metric_id"], how="left")
        f["sign"] = f["sign"].fillna(0).astype(int)
        f["miss"] = misses_target(f["value"].to_numpy(float), f["target"].to_numpy(float), f["sign"].to_numpy())
        return f.reset_index(drop=True)

    return p._memo(("latest_results", str(as_of), grain, fy_start_month), make)


def offtrack_key_contract_share(ctx: Context) -> Records:
    p = ctx.p
    res = latest_results(p, ctx.as_of, ctx.grain, ctx.fy_start_month)
    unknown = int((res["contract"] < 0).sum()) if len(res) else 0
    res = res[res["contract"] >= 0] if len(res) else res
    # One record per (contract, period with results); the off-track metric shown is the first one missing.
    res = res.sort_values(["contract", "period", "metric_id"], kind="stable")
    g = res.groupby(["contract", "period"], sort=True)
    per = g.agg(date=("period_end", "max"), judged=("miss", "count"), off=("miss", "max"),
                metrics=("metric_id", "count"))
    off_rows = res[res["miss"] == 1].drop_duplicates(["contract", "period"])
    off_rows = off_rows.set_index(["contract", "period"]).reindex(per.index)
    rows = per.index.get_level_values("contract").to_numpy(dtype=np.int64)
    date = per["date"].to_numpy(dtype="datetime64[D]")
    key, _ = p.flag("contracts", "is_key_contract")
    r = Reasons(len(rows))
    r.add(~key[rows] if len(rows) else np.zeros(0, bool), "not a key contract")
    r.add(per["judged"].to_numpy() == 0, "no result of a metric with a target and a direction")
    cb = _contract_base(p)
    rec = Records(table="contracts", rows=rows, date=date, reason=r.code, reasons=tuple(r.names),
                  dims=_joined_dims(p, cb["dims"], rows), amount=cb["amount"][rows].astype(float),
                  vendor=cb["vendor"], num=np.nan_to_num(per["off"].to_numpy(float)), den=_ones(len(rows)),
                  extra={"metrics_reported": per["metrics"].to_numpy(float),
                         "off_track_metric": off_rows["metric_id"].to_numpy(dtype=object),
                         "off_track_metric_name": _metric_names(p, off_rows),
                         "latest_value": off_rows["value"].to_numpy(float),
                         "target": off_rows["target"].to_numpy(float)})
    if unknown:
        rec.notes = (f"{unknown} latest result(s) name contracts that are not in the contracts table",)
    return rec


def _metric_names(p: Prepared, rows: pd.DataFrame) -> np.ndarray:
    """The metric_name of each (contract_id, metric_id) row (its id where the metric has no name)."""
    names = metric_definitions(p).set_index(["contract_id", "metric_id"])["metric_name"]
    keys = pd.MultiIndex.from_arrays([rows["contract_id"].to_numpy(dtype=object),
                                      rows["metric_id"].to_numpy(dtype=object)])
    found = names.reindex(keys).to_numpy(dtype=object) if len(names) else np.full(len(rows), None, dtype=object)
    return np.where(pd.notna(found), found, rows["metric_id"].to_numpy(dtype=object))


def _checkin_quarters(p: Prepared, as_of: np.datetime64, fy: int) -> pd.DataFrame:
    """Check-ins on or before the as-of date per (contract row, fiscal quarter code): count, last date."""
    when = p.days("checkins", "meeting_date")
    pos = p.join("checkins", "contract_id", "contracts", "contract_id")
    ok = (pos >= 0) & ~np.isnat(when) & (when <= as_of)
    f = pd.DataFrame({"contract": pos[ok], "quarter": period_codes(when[ok], CHECKIN_QUARTER, fy),
                      "date": when[ok]})
    return f.groupby(["contract", "quarter"]).agg(checkins=("date", "size"), last=("date", "max"))


def quarterly_checkin_rate(ctx: Context) -> Records:
    p, fy = ctx.p, ctx.fy_start_month
    key, _ = p.flag("contracts", "is_key_contract")
    start = p.days("contracts", "start_date")
    end = p.days("contracts", "end_date")
    cand = np.flatnonzero(key)
    last_q = period_codes(np.array([ctx.as_of]), CHECKIN_QUARTER, fy)[0]
    q0 = period_codes(start[cand], CHECKIN_QUARTER, fy)
    q1 = np.where(np.isnat(end[cand]), last_q, np.minimum(period_codes(end[cand], CHECKIN_QUARTER, fy), last_q))
    bad = np.isnat(start[cand]) | (~np.isnat(end[cand]) & (end[cand] < start[cand]))
    span = np.where(bad, 0, np.maximum(q1 - q0 + 1, 0))
    # One record per (key contract, quarter it is active in up to the as-of date's quarter), plus one undated
    # record per key contract whose dates cannot place it.
    rows = np.concatenate([np.repeat(cand, span), cand[bad]]).astype(np.int64)
    offsets = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    quarter = np.concatenate([np.repeat(q0, span) + offsets, np.zeros(int(bad.sum()), np.int64)])
    placed = np.arange(len(rows)) < span.sum()
    date = np.where(placed, period_start(quarter, CHECKIN_QUARTER, fy), NAT)
    r = Reasons(len(rows))
    r.add(~placed & np.isnat(start[rows]), "start_date missing")
    r.add(~placed, "end before start date")
    met = np.zeros(len(rows))
    count = np.zeros(len(rows))
    last = np.full(len(rows), NAT)
    unknown = 0
    if p.has("checkins", "contract_id"):
        cq = _checkin_quarters(p, ctx.as_of, fy)
        idx = cq.index.get_indexer(pd.MultiIndex.from_arrays([rows, quarter])) if len(cq) else np.full(len(rows), -1)
        hit = (idx >= 0) & placed
        count[hit] = cq["checkins"].to_numpy()[idx[hit]]
        last[hit] = cq["last"].to_numpy(dtype="datetime64[D]")[idx[hit]]
        met = (count > 0).astype(float)
        pos = p.join("checkins", "contract_id", "contracts", "contract_id")
        unknown = int(((pos < 0) & (p.ids("checkins", "contract_id") != None)).sum())  # noqa: E711
    cb = _contract_base(p)
    rec = Records(table="contracts", rows=rows, date=date, reason=r.code, reasons=tuple(r.names),
                  dims=_joined_dims(p, cb["dims"], rows), amount=cb["amount"][rows].astype(float),
                  vendor=cb["vendor"], num=met, den=_ones(len(rows)),
                  extra={"quarter_start": date, "checkins_in_quarter": count, "last_checkin_date": last})
    if unknown:
        rec.notes = (f"{unknown} check-in(s) name contracts that are not in the contracts table",)
    return rec


def evaluation_vendor_codes(p: Prepared) -> np.ndarray:
    """Per evaluation row: its vendor as a code of the contracts' vendor keys (by vendor_id; where the evaluation
    names none, the vendor of the contract evaluated); -1 where unknown."""
    cv = p.vendor("contracts", "vendor_id", "vendor_name")
    n = p.rows("evaluations")
    pos = p.join("evaluations", "contract_id", "contracts", "contract_id")
    from_contract = p.take(cv["codes"], pos, -1).astype(np.int64) if n else np.zeros(0, np.int64)
    vid = p.ids("evaluations", "vendor_id")
    own = np.full(n, -1, dtype=np.int64)
    given = pd.notna(vid) if n else np.zeros(0, bool)
    if given.any():
        own[given] = cv["keys"].get_indexer(pd.Index(["id:" + str(v) for v in vid[given]], dtype="str"))
    return np.where(given, own, from_contract)


def repeat_awards_with_evaluation_share(ctx: Context) -> Records:
    p = ctx.p
    start = p.days("contracts", "start_date")
    cb = _contract_base(p)
    vendor = cb["vendor"]["codes"]
    n = len(start)
    # The vendor's earliest contract start: a contract starting later than it is a repeat award.
    ok = (vendor >= 0) & ~np.isnat(start)
    first = pd.Series(start[ok]).groupby(vendor[ok]).min()
    first_start = np.full(n, NAT)
    has = ok & np.isin(vendor, first.index.to_numpy())
    if has.any():
        first_start[has] = first.reindex(vendor[has]).to_numpy(dtype="datetime64[D]")
    repeat = has & (first_start < start)
    # Evaluations of each vendor, completed on or before the as-of date, sorted by (vendor, date).
    done = p.days("evaluations", "completed_date")
    ev = evaluation_vendor_codes(p)
    eok = (ev >= 0) & ~np.isnat(done) & (done <= ctx.as_of)
    day = done[eok].astype(np.int64) + (1 << 31)
    ekey = np.sort(ev[eok].astype(np.int64) * (1 << 32) + day)
    cday = start.astype(np.int64) + (1 << 31)
    base = vendor.astype(np.int64) * (1 << 32)
    hi = np.searchsorted(ekey, base + cday, side="right")
    lo = np.searchsorted(ekey, base + cday - EVALUATION_LOOKBACK_DAYS, side="left")
    evaluated = ok & (hi > lo)
    latest = np.full(n, NAT)
    prev = hi - 1
    same = ok & (prev >= 0) & ((ekey[np.maximum(prev, 0)] >> 32) == vendor if len(ekey) else False)
    if same.any():
        latest[same] = ((ekey[prev[same]] & ((1 << 32) - 1)) - (1 << 31)).astype("datetime64[D]")
    r = Reasons(n)
    r.add(np.isnat(start), "start_date missing")
    r.add(vendor < 0, "no vendor id or name")
    r.add(~repeat, "not a repeat award (no earlier contract with the vendor)")
    return _records("contracts", cb, start, r, num=evaluated.astype(float), den=_ones(n),
                    extra={"vendor_first_start": first_start, "latest_evaluation_date": latest})


def evaluation_completion_rate(ctx: Context) -> Records:
    p = ctx.p
    due = p.days("evaluations", "due_date")
    done = p.days("evaluations", "completed_date")
    r = Reasons(len(due))
    r.add(np.isnat(due), "due_date missing")
    r.add(due > ctx.as_of, "not yet due (due_date after the as-of date)")
    on_time = ~np.isnat(done) & (done <= due) & (done <= ctx.as_of)
    base = _evaluation_base(p)
    return _records("evaluations", base, p.first_days("evaluations", "due_date", "completed_date"), r, num=on_time.astype(float),
                    den=_ones(len(due)), x=_days_between(due, done), x_name="days_completed_after_due")


def rating_is_low(labels: pd.Index) -> np.ndarray:
    """Per rating label: 1.0 below satisfactory, 0.0 satisfactory or better, NaN not recognised."""
    out = np.full(len(labels), np.nan)
    for i, text in enumerate(labels):  # over distinct labels only (a handful)
        t = str(text).lower()
        if any(w in t for w in BELOW_SATISFACTORY):
            out[i] = 1.0
        elif any(w in t for w in SATISFACTORY_OR_BETTER):
            out[i] = 0.0
    return out


def low_performance_share(ctx: Context) -> Records:
    p = ctx.p
    due = p.days("evaluations", "due_date")
    done = p.days("evaluations", "completed_date")
    codes, labels = p.text("evaluations", "rating", lower=True)
    by_label = rating_is_low(labels)
    from_rating = np.where(codes >= 0, by_label[np.maximum(codes, 0)] if len(labels) else np.nan, np.nan)
    score = p.number("evaluations", "score")
    from_score = np.where(np.isnan(score), np.nan, (score < LOW_SCORE).astype(float))
    low = np.where(np.isnan(from_rating), from_score, from_rating)
    r = Reasons(len(due))
    r.add(np.isnat(done), "not completed (completed_date missing)")
    r.add(np.isnan(low), "no recognisable rating or score")
    return _records("evaluations", _evaluation_base(p), p.first_days("evaluations", "completed_date", "due_date"), r,
                    num=np.nan_to_num(low), den=_ones(len(due)))


def cost_growth(ctx: Context) -> Records:
    p = ctx.p
    start = p.days("contracts", "start_date")
    original = p.number("contracts", "original_amount")
    current = p.number("contracts", "current_amount")
    r = Reasons(len(start))
    r.add(np.isnat(start), "start_date missing")
    r.add(np.isnan(original) | (original <= 0), "original_amount missing or zero")
    r.add(np.isnan(current), "current_amount missing")
    return _records("contracts", _contract_base(p), p.first_days("contracts", "start_date", "executed_date"), r,
                    num=np.nan_to_num(current - original), den=np.nan_to_num(original))


def contract_payments(p: Prepared, as_of: np.datetime64) -> dict:
    """Per contract row: total paid up to as_of, number of payments, last payment date, and the date of
    the payment that took the cumulative total beyond current_amount (NaT if never)."""

    def make():
        n = p.rows("contracts")
        pos = p.join("payments", "contract_id", "contracts", "contract_id")
        date = p.days("payments", "payment_date")
        amount = p.number("payments", "amount")
        ok = (pos >= 0) & ~np.isnat(date) & ~np.isnan(amount) & (date <= as_of)
        paid = np.bincount(pos[ok], weights=amount[ok], minlength=n)[:n] if n else np.zeros(0)
        count = np.bincount(pos[ok], minlength=n)[:n] if n else np.zeros(0, np.int64)
        last = np.full(n, NAT)
        crossed = np.full(n, NAT)
        if ok.any():
            lastd = pd.Series(date[ok]).groupby(pos[ok]).max()
            last[lastd.index.to_numpy()] = lastd.to_numpy(dtype="datetime64[D]")
            # Only contracts paid beyond their amount in total can have crossed it: cumulate just those.
            limit = p.number("contracts", "current_amount")
            over_total = paid > limit
            sub = ok & over_total[np.maximum(pos, 0)]
            if sub.any():
                order = np.flatnonzero(sub)[np.lexsort((date[sub], pos[sub]))]
                cp, cd = pos[order], date[order]
                cum = pd.Series(amount[order]).groupby(cp).cumsum().to_numpy()
                over = cum > limit[cp]
                first_over = pd.Series(cd[over]).groupby(cp[over]).min()
                crossed[first_over.index.to_numpy()] = first_over.to_numpy(dtype="datetime64[D]")
        return {"paid": paid, "count": count, "last": last, "crossed": crossed}

    return p._memo(("contract_payments", str(as_of)), make)


def overspent_contracts(ctx: Context) -> Records:
    p = ctx.p
    cp = contract_payments(p, ctx.as_of)
    current = p.number("contracts", "current_amount")
    r = Reasons(len(current))
    r.add(np.isnan(current), "current_amount missing")
    r.add(cp["count"] == 0, "no payments linked to the contract")
    over = ~np.isnat(cp["crossed"])
    date = first_date(np.where(over, cp["crossed"], cp["last"]), p.days("contracts", "start_date"))
    return _records("contracts", _contract_base(p), date, r, num=over.astype(float), den=_ones(len(current)),
                    extra={"paid": cp["paid"], "overspent_by": cp["paid"] - current})


# ----------------------------------------------------------------------------- Payments


def _pay_days(ctx: Context) -> tuple[Records, np.ndarray]:
    p = ctx.p
    paid = p.days("payments", "payment_date")
    received = p.days("payments", "invoice_received_date")
    days = _days_between(received, paid)
    r = Reasons(len(paid))
    r.add(np.isnat(paid), "payment_date missing")
    r.add(np.isnat(received), "invoice_received_date missing")
    r.add(days < 0, "paid before the invoice was received (negative duration)")
    return _records("payments", _payment_base(p), paid, r, x=days), days


def on_time_payment_share(ctx: Context) -> Records:
    rec, days = _pay_days(ctx)
    rec.num, rec.den = (days <= ON_TIME_PAYMENT_DAYS).astype(float), _ones(len(days))
    return rec


def days_to_pay(ctx: Context) -> Records:
    return _pay_days(ctx)[0]


# ----------------------------------------------------------------------------- Market research


def engaged_solicitations(p: Prepared) -> np.ndarray:
    """Per solicitation row: True when an engagement other than desk research is linked to it and is dated on
    or before its issue date (or either date is unknown)."""

    def make():
        n = p.rows("solicitations")
        if not p.has("engagements", "solicitation_id"):
            return np.zeros(n, bool)
        pos = p.join("engagements", "solicitation_id", "solicitations", "solicitation_id")
        codes, labels = p.text("engagements", "type", lower=True)
        desk = np.asarray(labels.isin(NOT_ENGAGEMENT) | labels.str.contains("internet", regex=False)) \
            if len(labels) else np.zeros(0, bool)
        is_desk = np.where(codes >= 0, desk[np.maximum(codes, 0)] if len(labels) else False, False)
        when = p.days("engagements", "engagement_date")
        issue = p.take(p.days("solicitations", "issue_date"), pos, NAT).astype("datetime64[D]")
        before = np.isnat(when) | np.isnat(issue) | (when <= issue)
        ok = (pos >= 0) & ~is_desk & before
        out = np.zeros(n, bool)
        out[pos[ok]] = True
        return out

    return p._memo(("engaged",), make)


def engagement_share(ctx: Context) -> Records:
    p = ctx.p
    base = _solicitation_base(p)
    est = p.number("solicitations", "estimated_amount")
    value = np.where(np.isnan(est), p.number("solicitations", "awarded_amount"), est)
    r = Reasons(len(value))
    r.add(np.isnan(value), "no estimated or awarded amount")
    r.add(value < ENGAGEMENT_THRESHOLD, f"below the ${ENGAGEMENT_THRESHOLD:,.0f} value threshold")
    date = p.first_days("solicitations", "issue_date", "due_date", "award_date", "requisition_date")
    engaged = engaged_solicitations(p)
    return _records("solicitations", base, date, r, num=engaged.astype(float), den=_ones(len(value)),
                    extra={"value": value})


def engagement_bid_lift(ctx: Context) -> Records:
    rec, bids = _competitive_bids(ctx)
    codes = rec.dims["category"][0]
    r = Reasons(len(bids))
    r.code = rec.reason.copy()
    r.names = list(rec.reasons)
    r.add(codes < 0, "category missing")
    rec.reason, rec.reasons = r.code, tuple(r.names)
    rec.x, rec.x_name = bids, "bids"
    rec.extra = {"engaged": engaged_solicitations(ctx.p).astype(float)}
    return rec


# ----------------------------------------------------------------------------- Data quality

# Where each table's rows fall in time, in order of preference.
TABLE_DATES = {
    "solicitations": ("award_date", "issue_date", "due_date", "requisition_date"),
    "contracts": ("start_date", "executed_date", "end_date"),
    "payments": ("payment_date", "invoice_date", "invoice_received_date"),
    "vendors": ("registration_date",),
    "evaluations": ("due_date", "completed_date"),
    "engagements": ("engagement_date",),
    "metric_results": ("period_end",),
    "checkins": ("meeting_date",),
}


def required_fields(table: str) -> tuple[tuple[str, ...], ...]:
    """The table's required fields; a 'one of' group ('vendor_id or vendor_name') is one field."""
    t = TABLES[table]
    grouped = {c for g in t.one_of for c in g}
    return tuple((c,) for c in t.required if c not in grouped) + tuple(t.one_of)


def completeness_fields(table: str, has) -> tuple[tuple[str, ...], ...]:
    """The fields field_completeness counts for a table: its required fields, and its key fields
    (loaders.schema.KEY_FIELDS) that the data records, i.e. with a value in some record (`has(table, column)`).
    A key field no record holds is not counted here: the KPIs that need it say no data, naming it."""
    fields = list(required_fields(table))
    for group in KEY_FIELDS.get(table, ()):
        if not any(set(group) <= set(f) or set(f) <= set(group) for f in fields) and any(has(table, c) for c in group):
            fields.append(group)
    return tuple(fields)


def field_completeness(ctx: Context) -> Records:
    p = ctx.p
    parts, dims, sources = [], [], []
    for i, table in enumerate(TABLES):
        if not p.has(table) or p.rows(table) == 0 or table not in TABLE_DATES:
            continue  # contract_metrics has no date of its own
        n = p.rows(table)
        f = p.frame(table)
        fields = completeness_fields(table, p.has)
        filled = np.zeros(n)
        for group in fields:
            any_filled = np.zeros(n, bool)
            for c in group:
                if c in f.columns:
                    v = f[c]
                    ok = v.notna().to_numpy(copy=True)
                    if pd.api.types.is_string_dtype(v.dtype) or v.dtype == object:
                        ok &= (v.astype("str") != "").to_numpy(dtype=bool, na_value=False)
                    any_filled |= ok
            filled += any_filled
        if table == "bids":
            pos = p.join("bids", "solicitation_id", "solicitations", "solicitation_id")
            sd = p.first_days("solicitations", *TABLE_DATES["solicitations"])
            date = p.take(sd, pos, NAT).astype("datetime64[D]")
            base = _bid_base(p)
        else:
            date = p.first_days(table, *TABLE_DATES[table])
            base = {"solicitations": _solicitation_base, "contracts": _contract_base, "payments": _payment_base,
                    "evaluations": _evaluation_base}.get(table)
            base = base(p) if base else {"dims": empty_dims(n), "amount": np.full(n, np.nan)}
        parts.append((table, i, n, date, filled, float(len(fields)), base["amount"]))
        dims.append(base["dims"])
        sources.append(table)
    if not parts:
        r = Reasons(0)
        return Records(table="", rows=np.arange(0), date=np.array([], "datetime64[D]"), reason=r.code,
                       reasons=tuple(r.names), dims=empty_dims(0), amount=np.array([]), num=np.array([]),
                       den=np.array([]))
    date = np.concatenate([x[3] for x in parts])
    r = Reasons(len(date))
    r.add(np.isnat(date), "no date to place the record in a period")
    rec = Records(
        table="",
        rows=np.concatenate([np.arange(x[2]) for x in parts]),
        date=date, reason=r.code, reasons=tuple(r.names),
        dims=concat_dims(dims),
        amount=np.concatenate([x[6] for x in parts]),
        num=np.concatenate([x[4] for x in parts]),
        den=np.concatenate([np.full(x[2], x[5]) for x in parts]),
        source=np.concatenate([np.full(x[2], j) for j, x in enumerate(parts)]),
        sources=tuple(sources),
    )
    # "table" is a breakdown of its own here.
    rec.dims["table"] = (rec.source.astype(np.int64), pd.Index(sources, dtype="str"))
    return rec

