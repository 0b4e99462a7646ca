"""Every KPI declared once as Ibis expressions: the candidate records of a KPI as one table expression.

A measure returns a `Rec`: the rows it starts from, each record's date, its exclusion reasons in priority
order (the first that applies is the record's reason, decided in the engine by one CASE), its breakdown
dimensions, its amount (for the value-band filter) and one typed measure (`Duration`, `Ratio`, `Mean`,
`Count`, `Distinct`, `Lift`, `Expiring`, `Active`) carrying that kind's own outputs. The engine
(kpi.sql.engine) compiles these to the SQL of whichever backend holds the tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from loaders.schema import (
    CERTIFICATION_FLAGS,
    COMPETITIVE_METHODS,
    MWBE_CERTIFICATIONS,
    NONCOMPETITIVE_METHODS,
    TABLES,
)

from .. import periods as P
from ..settings import (
    BELOW_SATISFACTORY,
    CHECKIN_QUARTER,
    CYCLE_TIME_BANDS,
    CYCLE_TIME_GOALS,
    ENGAGEMENT_THRESHOLD,
    EVALUATION_LOOKBACK_DAYS,
    EXPIRING_DAYS,
    EXPIRING_WINDOWS,
    FIRST_TIME_LOOKBACK_YEARS,
    HIGHER,
    LOW_SCORE,
    METHOD_NOT_RECOGNISED,
    NOT_ENGAGEMENT,
    ON_TIME_PAYMENT_DAYS,
    OPEN_END,
    OPEN_ENDED,
    SATISFACTORY_OR_BETTER,
    TABLE_DATES,
    completeness_fields,
    direction_sign,
)
from .query import fetch_expr, fetch_scalar
from .source import Source

DIMENSIONS = ("department", "category", "method", "vendor")
MWBE_FLAGS = tuple(CERTIFICATION_FLAGS[c] for c in MWBE_CERTIFICATIONS)
FAR_PAST = dt.date(1000, 1, 1)
# Typed: PostgreSQL reads a bare 1.0 as NUMERIC.
F0 = ibis.literal(0.0, type="float64")
F1 = ibis.literal(1.0, type="float64")
NO_KEY = "\x1f"  # stands for a missing id or name in the vendor lookup join (not a character ids use)


# ----------------------------------------------------------------------------- typed measures


@dataclass(frozen=True)
class Duration:
    """Median and 90th percentile (continuous quantiles) of x over the records used."""

    x: ir.NumericValue
    x_name: str = "days"


@dataclass(frozen=True)
class Mean:
    """Mean and sample standard deviation of x."""

    x: ir.NumericValue
    x_name: str = "days"


@dataclass(frozen=True)
class Ratio:
    """sum(num) / sum(den); `sustained` (protests) is summed beside it and shared of the numerator."""

    num: ir.NumericValue
    den: ir.NumericValue
    x: ir.NumericValue | None = None
    x_name: str = "days"
    sustained: ir.NumericValue | None = None
    # num and den are amounts or weights, not 0/1 (dollars; fields filled of fields counted): a drill-down lists
    # them per record as numerator_amount and denominator_amount.
    dollars: bool = False


@dataclass(frozen=True)
class Count:
    """sum(num): a count of events (zero, not missing, in a period inside the data's span)."""

    num: ir.NumericValue


@dataclass(frozen=True)
class Distinct:
    """Distinct keys per period."""

    key: ir.Value


@dataclass(frozen=True)
class Lift:
    """Mean x with engagement minus without, within each category, weighted by its solicitations."""

    x: ir.NumericValue
    engaged: ir.BooleanValue
    x_name: str = "bids"


@dataclass(frozen=True)
class Expiring:
    """Contracts counted at each period's reference date while they end within `window` days (the pipeline
    count uses 180 days, and reports 90 and 365 beside it) and no renewal option or replacement is left:
    counted from max(start, end - window) to the day before the end (`hi`), flagged until `flag_hi`."""

    start: ir.DateValue
    hi: ir.DateValue
    flag_hi: ir.DateValue
    windows: tuple[int, ...] = EXPIRING_WINDOWS
    window: int = EXPIRING_DAYS

    def lo(self, end: ir.DateValue, days: int) -> ir.DateValue:
        lo = end - ibis.interval(days=days)
        return ibis.ifelse(self.start.isnull() | (self.start < lo), lo, self.start)


@dataclass(frozen=True)
class Active:
    """Records counted at each period's reference date while lo <= reference <= hi: a share num/den."""

    lo: ir.DateValue
    hi: ir.DateValue
    num: ir.NumericValue
    den: ir.NumericValue


Kind = Duration | Mean | Ratio | Count | Distinct | Lift | Expiring | Active


@dataclass
class Rec:
    """Candidate records of one KPI: every expression is over `t`."""

    t: ir.Table
    table: str  # the canonical table the rows come from ('' when several)
    date: ir.DateValue
    reasons: list[tuple[ir.BooleanValue, str]]
    dims: dict[str, ir.StringValue]
    amount: ir.NumericValue
    measure: Kind
    source_columns: tuple[str, ...] = ()  # the canonical columns of the rows (drill-down)
    extra: dict[str, ir.Value] = field(default_factory=dict)  # further drill-down columns (goal_days...)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    src: Source
    as_of: dt.date
    fy_start_month: int
    needed: frozenset = frozenset(DIMENSIONS)  # dimensions a query uses (others need no join)
    # The report's grain: only measures whose records are one per period (registry `per_period`) read it.
    grain: str = "quarter"


# ----------------------------------------------------------------------------- columns


def _canon(table: str) -> tuple[str, ...]:
    return tuple(c.name for c in TABLES[table].columns)


def date(t: ir.Table, col: str) -> ir.DateValue:
    if col not in t.columns:
        return ibis.null("date")
    v = t[col]
    return v if v.type().is_date() else v.cast("date")


def number(t: ir.Table, col: str) -> ir.FloatingValue:
    if col not in t.columns:
        return ibis.null("float64")
    return t[col].cast("float64")


def text(t: ir.Table, col: str, *, lower: bool = False) -> ir.StringValue:
    """Trimmed text, NULL where blank (lower-cased for coded values such as methods)."""
    if col not in t.columns:
        return ibis.null("string")
    v = t[col].cast("string").strip().nullif("")
    return v.lower() if lower else v


def flag(t: ir.Table, col: str) -> ir.BooleanValue:
    """A yes/no column: true only where it says yes (text 'yes', 'y', 'true', 't', '1', 'x' counts)."""
    if col not in t.columns:
        return ibis.literal(False)
    v = t[col]
    if v.type().is_boolean():
        return v.fill_null(False)
    if v.type().is_numeric():
        return (v != 0).fill_null(False)
    return v.cast("string").strip().lower().isin(("yes", "y", "true", "t", "1", "x", "1.0")).fill_null(False)


def days_between(start: ir.DateValue, end: ir.DateValue) -> ir.FloatingValue:
    """Whole days from start to end; NULL where either date is missing."""
    return end.delta(start, unit="day").cast("float64")


def one_if(condition: ir.BooleanValue) -> ir.FloatingValue:
    """1.0 where the condition holds, else 0.0 (PostgreSQL casts no boolean to a number)."""
    return ibis.ifelse(condition.fill_null(False), F1, F0)


def first_date(*dates: ir.DateValue) -> ir.DateValue:
    return ibis.coalesce(*dates)


def in_list(v: ir.StringValue, values) -> ir.BooleanValue:
    return v.isin(tuple(values)).fill_null(False)


# ----------------------------------------------------------------------------- vendors (small lookup tables)


def _pairs(src: Source, table: str, id_col: str, name_col: str) -> pd.DataFrame:
    """Distinct (id, name) pairs of a table, cleaned as the loaders' text (small: one row per spelling)."""
    t = src.table(table)
    if t is None or (id_col not in t.columns and name_col not in t.columns):
        return pd.DataFrame({id_col: pd.Series(dtype="str"), name_col: pd.Series(dtype="str")})
    # In order of first appearance: a vendor's display name is the first spelling its rows use.
    q = t.select(**{id_col: text(t, id_col), name_col: text(t, name_col)}, _row=ibis.row_number())
    q = q.group_by([id_col, name_col]).aggregate(_first=q._row.min()).order_by("_first")
    f = fetch_expr(q).drop(columns="_first")
    return f.reset_index(drop=True).astype({id_col: "str", name_col: "str"})


_VENDOR_SOURCES = (("vendors", "vendor_id", "vendor_name"),
                   ("solicitations", "awarded_vendor_id", "awarded_vendor_name"),
                   ("contracts", "vendor_id", "vendor_name"),
                   ("bids", "vendor_id", "vendor_name"),
                   ("payments", "vendor_id", "vendor_name"))


def _vendor_identity(src: Source):
    """kpi.vendors' identity logic run over the distinct vendor spellings of every table (a few
    thousand rows, not the tables): one definition of vendor identity for every engine."""

    def make():
        from ..vendors import VendorIdentity

        frames = {}
        for table, id_col, name_col in _VENDOR_SOURCES:
            if table == "vendors":
                t = src.table("vendors")
                if t is not None:
                    cols = [c for c in _canon("vendors") if c in t.columns]
                    frames["vendors"] = fetch_expr(t.select(cols))
                continue
            if src.table(table) is not None:
                frames[table] = _pairs(src, table, id_col, name_col)
        return VendorIdentity(frames)

    return _memo(src, ("vendor_identity",), make)


def _memo(src: Source, key, make):
    hit = src.memo.get(key)
    if hit is None:
        hit = src.memo[key] = make()
    return hit


def vendor_lookup(src: Source, table: str, id_col: str, name_col: str) -> ir.Table:
    """(_vid, _vname) -> _vkey (the vendor's identity), _vlabel (display name), certification flags, expiry."""

    def make():
        p = _vendor_identity(src)
        if table == "vendors":
            f = p.frame("vendors")
            pairs = pd.DataFrame({id_col: f[id_col] if id_col in f else pd.Series(dtype="str"),
                                  name_col: f[name_col] if name_col in f else pd.Series(dtype="str")})
            pairs = pairs.astype("str")
            pairs[id_col] = pairs[id_col].str.strip().replace("", np.nan)
            pairs[name_col] = pairs[name_col].str.strip().replace("", np.nan)
            pairs = pairs.drop_duplicates().reset_index(drop=True)
            from ..vendors import VendorIdentity

            q = VendorIdentity({"vendors": p.frame("vendors"), "_t": pairs.rename(columns={id_col: "i", name_col: "n"})})
            q._cache[("name_to_id",)] = p._name_to_id()
            v = q.vendor("_t", "i", "n")
            rows = q.vendor_rows("_t", "i", "n")
            vend = p.frame("vendors")
        else:
            pairs = p.frame(table)
            v = p.vendor(table, id_col, name_col)
            rows = p.vendor_rows(table, id_col, name_col)
            vend = p.frame("vendors")
        codes = v["codes"]
        keys = np.asarray(v["keys"], dtype=object)
        labels = np.asarray(v["labels"], dtype=object)
        out = pd.DataFrame({
            "_vid": pairs[id_col].astype("str").fillna(NO_KEY).to_numpy(dtype=object) if len(pairs) else [],
            "_vname": pairs[name_col].astype("str").fillna(NO_KEY).to_numpy(dtype=object) if len(pairs) else [],
            "_vkey": np.where(codes >= 0, keys[np.maximum(codes, 0)] if len(keys) else None, None),
            "_vlabel": np.where(codes >= 0, labels[np.maximum(codes, 0)] if len(labels) else None, None),
        })
        for fl in CERTIFICATION_FLAGS.values():
            if vend is not None and len(rows):
                arr = p.flag("vendors", fl)[0]
                out[f"_v_{fl}"] = np.where(rows >= 0, arr[np.maximum(rows, 0)] if len(arr) else False, False)
            else:
                out[f"_v_{fl}"] = False
        for fl in ("is_small", "is_local"):
            if f"_v_{fl}" not in out:
                arr = p.flag("vendors", fl)[0] if vend is not None else np.zeros(0, bool)
                out[f"_v_{fl}"] = np.where(rows >= 0, arr[np.maximum(rows, 0)] if len(arr) else False, False) \
                    if len(rows) else False
        exp = p.days("vendors", "certification_expiration_date") if vend is not None else np.array([], "M8[D]")
        out["_vexp"] = pd.to_datetime(np.where(rows >= 0, exp[np.maximum(rows, 0)] if len(exp) else np.datetime64("NaT", "D"),
                                               np.datetime64("NaT", "D")) if len(rows) else [], errors="coerce")
        out = out.astype({"_vid": "str", "_vname": "str", "_vkey": "str", "_vlabel": "str"})
        out["_vexp"] = out["_vexp"].astype("datetime64[s]").dt.date
        src.memo[("vendor_lookup_frame", table)] = out
        return src.put(f"kpi_vendor_lookup_{table}", out, _LOOKUP_SCHEMA)

    return _memo(src, ("vendor_lookup", table, id_col, name_col), make)


_LOOKUP_SCHEMA = ibis.schema({"_vid": "string", "_vname": "string", "_vkey": "string", "_vlabel": "string",
                              **{f"_v_{fl}": "boolean" for fl in dict.fromkeys(
                                  (*CERTIFICATION_FLAGS.values(), "is_small", "is_local"))},
                              "_vexp": "date"})


def with_vendor(src: Source, t: ir.Table, table: str, id_col: str, name_col: str) -> ir.Table:
    """t with its vendor's identity (_vkey, _vlabel), certification flags and expiry joined in."""
    look = vendor_lookup(src, table, id_col, name_col)
    t = t.mutate(_jid=text(t, id_col).fill_null(NO_KEY), _jname=text(t, name_col).fill_null(NO_KEY))
    j = t.left_join(look, [t._jid == look._vid, t._jname == look._vname])
    return j.drop("_jid", "_jname", "_vid", "_vname")


def certified(t: ir.Table, flags: tuple[str, ...], on: ir.DateValue | None) -> ir.BooleanValue:
    hit = ibis.literal(False)
    for fl in flags:
        hit = hit | t[f"_v_{fl}"].fill_null(False)
    if on is not None:
        hit = hit & (t._vexp.isnull() | on.isnull() | (on <= t._vexp))
    return hit


# ----------------------------------------------------------------------------- bases


def shared(build):
    """A base (a canonical table with its joins) built once per source: every KPI over it starts from the
    same expression, so the engine writes their records together (kpi.sql.engine._materialize_records)."""

    def base(ctx: Context) -> ir.Table:
        key = ("base", build.__name__, "method" in ctx.needed)
        hit = ctx.src.memo.get(key)
        if hit is None:
            hit = ctx.src.memo[key] = build(ctx)
        return hit

    base.__name__ = build.__name__
    base.__doc__ = build.__doc__
    return base


@shared
def sol_bids_base(ctx: Context) -> ir.Table:
    """Solicitations with their awarded vendor and `_bids` (see _with_bids)."""
    return _with_bids(ctx, sol_base(ctx))


def kept(src: Source, expr: ir.Table) -> ir.Table:
    """A small derived table (one row per contract or solicitation: bid counts, payments per contract, first
    rows by id) written once per source and read as a table by every KPI that joins it: computed once, not
    once per group of KPIs and per query."""
    key = ("kept", expr.op())
    with src.lock:  # one writer at a time: the app's sessions share a Source
        hit = src.memo.get(key)
        if hit is None:
            src.con._register_in_memory_tables(expr)
            sql = str(src.con.compile(expr))
            # Named by its definition: the records' SQL, compiled once per schema and reused for the next data
            # version, refers to it by this name. Over small tables a view: computing it again costs less than
            # writing it. Over large ones a table in memory: one row per contract or solicitation at most.
            name = f"kpi_kept_{hashlib.sha1(sql.encode()).hexdigest()[:16]}"
            hit = src.memo[key] = src.view(name, sql, materialize=src.large, in_memory=True)
        return hit


def _first_row_by(t: ir.Table, key: str, cols: dict) -> ir.Table:
    """One row per cleaned key (the smallest values where a key repeats) with `cols` (name -> expr)."""
    g = t.mutate(_k=text(t, key), **cols).filter(lambda s: s._k.notnull())
    return g.group_by("_k").aggregate(**{name: g[name].min() for name in cols})


def _base_dims(t: ir.Table) -> dict[str, ir.Value]:
    return {"department": text(t, "department"), "category": text(t, "category"),
            "method": text(t, "method", lower=True)}


@shared
def sol_base(ctx: Context) -> ir.Table:
    """Solicitations with their awarded vendor's identity and the bids they received."""
    src = ctx.src
    t = src.table("solicitations")
    return with_vendor(src, t, "solicitations", "awarded_vendor_id", "awarded_vendor_name")


def solicitation_dims(t: ir.Table) -> dict[str, ir.Value]:
    return {**_base_dims(t), "vendor": t._vlabel if "_vlabel" in t.columns else ibis.null("string")}


def sol_amount(t: ir.Table) -> ir.FloatingValue:
    return ibis.coalesce(number(t, "awarded_amount"), number(t, "estimated_amount"))


def competitive(t: ir.Table) -> ir.BooleanValue:
    return in_list(text(t, "method", lower=True), COMPETITIVE_METHODS)


def method_unrecognised(t: ir.Table) -> ir.BooleanValue:
    """A method the vocabulary did not recognise (the loader keeps its text in method_text): not a missing
    method, and never counted as non-competitive; method-based KPIs leave it out with its own reason."""
    return text(t, "method").isnull() & text(t, "method_text").notnull()


@shared
def contract_base(ctx: Context) -> ir.Table:
    return with_vendor(ctx.src, ctx.src.table("contracts"), "contracts", "vendor_id", "vendor_name")


def contract_dims(t: ir.Table) -> dict[str, ir.Value]:
    return {**_base_dims(t), "vendor": t._vlabel}


def contract_amount(t: ir.Table) -> ir.FloatingValue:
    return ibis.coalesce(number(t, "current_amount"), number(t, "original_amount"))


@shared
def payment_base(ctx: Context) -> ir.Table:
    src = ctx.src
    t = src.table("payments")
    if "method" in ctx.needed and src.table("contracts") is not None:
        # Payments carry no method: it is the method of the contract they are paid under.
        c = kept(src, _first_row_by(src.table("contracts"), "contract_id",
                                    {"_c_method": text(src.table("contracts"), "method", lower=True)}))
        t = t.mutate(_ck=text(t, "contract_id"))
        t = t.left_join(c, t._ck == c._k).drop("_ck", "_k")
    else:
        t = t.mutate(_c_method=ibis.null("string"))
    return with_vendor(src, t, "payments", "vendor_id", "vendor_name")


def payment_dims(t: ir.Table) -> dict[str, ir.Value]:
    return {"department": text(t, "department"), "category": text(t, "category"), "method": t._c_method,
            "vendor": t._vlabel}


@shared
def _contract_cols(ctx: Context) -> ir.Table:
    c = contract_base(ctx)
    return kept(ctx.src, _first_row_by(c, "contract_id", {
        "_c_department": text(c, "department"), "_c_category": text(c, "category"),
        "_c_method": text(c, "method", lower=True), "_c_vendor": c._vlabel, "_c_amount": contract_amount(c)}))


@shared
def evaluation_base(ctx: Context) -> ir.Table:
    t = ctx.src.table("evaluations")
    if ctx.src.table("contracts") is None:
        return t.mutate(_c_department=ibis.null("string"), _c_category=ibis.null("string"),
                        _c_method=ibis.null("string"), _c_vendor=ibis.null("string"), _c_amount=ibis.null("float64"))
    c = _contract_cols(ctx)
    t = t.mutate(_ck=text(t, "contract_id"))
    return t.left_join(c, t._ck == c._k).drop("_ck", "_k")


def joined_dims(t: ir.Table) -> dict[str, ir.Value]:
    return {"department": t._c_department, "category": t._c_category, "method": t._c_method, "vendor": t._c_vendor}


def _sol_cols(ctx: Context, **more) -> ir.Table:
    s = sol_base(ctx)
    return kept(ctx.src, _first_row_by(s, "solicitation_id", {
        "_s_department": text(s, "department"), "_s_category": text(s, "category"),
        "_s_method": text(s, "method", lower=True), "_s_amount": sol_amount(s), "_s_found": ibis.literal(1),
        "_s_due": date(s, "due_date"),
        "_s_close": first_date(date(s, "due_date"), date(s, "award_date"), date(s, "issue_date")),
        "_s_first": first_date(*(date(s, c) for c in TABLE_DATES["solicitations"])),
        "_s_competitive": ibis.ifelse(competitive(s), 1, 0), **more}))


@shared
def bid_base(ctx: Context) -> ir.Table:
    """Bids with their solicitation's dimensions and dates, and the bidder's identity."""
    t = with_vendor(ctx.src, ctx.src.table("bids"), "bids", "vendor_id", "vendor_name")
    if ctx.src.table("solicitations") is None:
        return t.mutate(_s_department=ibis.null("string"), _s_category=ibis.null("string"),
                        _s_method=ibis.null("string"), _s_amount=ibis.null("float64"), _s_found=ibis.null("int32"),
                        _s_due=ibis.null("date"), _s_close=ibis.null("date"), _s_first=ibis.null("date"),
                        _s_competitive=ibis.null("int8"))
    s = _sol_cols(ctx)
    t = t.mutate(_sk=text(t, "solicitation_id"))
    return t.left_join(s, t._sk == s._k).drop("_sk", "_k")


def bid_dims(t: ir.Table) -> dict[str, ir.Value]:
    return {"department": t._s_department, "category": t._s_category, "method": t._s_method, "vendor": t._vlabel}


def bid_amount(t: ir.Table) -> ir.FloatingValue:
    return ibis.coalesce(number(t, "bid_amount"), t._s_amount)


def _with_bids(ctx: Context, t: ir.Table) -> ir.Table:
    """Solicitations with `_bids`: bids_received; where an export has none at all, the bids table's distinct
    bidders (0 where it lists none); where bids_received is blank, the bids table's bidders if any."""
    src = ctx.src
    given = number(t, "bids_received")
    if not src.has("bids", "solicitation_id"):
        return t.mutate(_bids=given)
    b = with_vendor(src, src.table("bids"), "bids", "vendor_id", "vendor_name")
    b = b.mutate(_sk=text(b, "solicitation_id"))
    b = b.filter(b._sk.notnull())
    # Distinct bidders (a bid tab may list a bidder on several lines); a row naming no bidder is one bid.
    counts = kept(src, b.group_by("_sk").aggregate(_nb=b._vkey.nunique() + ibis.ifelse(b._vkey.isnull(), 1, 0).sum()))
    # Only the first solicitation row of an id receives its bids (as a join to the first match).
    t = t.mutate(_sk2=text(t, "solicitation_id"))
    t = t.left_join(counts, t._sk2 == counts._sk).drop("_sk2", "_sk")
    n = t._nb.cast("float64").fill_null(F0)
    if not src.has("solicitations", "bids_received"):
        return t.mutate(_bids=n)
    return t.mutate(_bids=ibis.ifelse(given.isnull() & (n > 0), n, given))


# ----------------------------------------------------------------------------- helpers for records


def _rec(t: ir.Table, table: str, date_: ir.DateValue, reasons, dims, amount, measure: Kind, **kw) -> Rec:
    return Rec(t=t, table=table, date=date_, reasons=list(reasons), dims=dims, amount=amount, measure=measure,
               source_columns=tuple(c for c in _canon(table) if c in t.columns) if table else (), **kw)


ONE = ibis.literal(1.0, type="float64")


def _sol_dates(t: ir.Table) -> dict[str, ir.DateValue]:
    return {c: date(t, c) for c in ("requisition_date", "issue_date", "due_date", "award_date")}


NOT_AWARDED = "not awarded (award_date missing)"


# ----------------------------------------------------------------------------- Speed


def _award_duration(ctx: Context, start_col: str, start_word: str) -> Rec:
    t = sol_base(ctx)
    d = _sol_dates(t)
    award, start = d["award_date"], d[start_col]
    days = days_between(start, award)
    reasons = [(award.isnull(), NOT_AWARDED), (start.isnull(), f"{start_col} missing"),
               (days < 0, f"award before {start_word} date (negative duration)")]
    when = first_date(award, start, d["issue_date"], d["due_date"], d["requisition_date"])
    return _rec(t, "solicitations", when, reasons, solicitation_dims(t), sol_amount(t), Duration(days))


def procurement_lead_time_days(ctx: Context) -> Rec:
    return _award_duration(ctx, "issue_date", "issue")


def requisition_to_award_days(ctx: Context) -> Rec:
    return _award_duration(ctx, "requisition_date", "requisition")


def decision_days(ctx: Context) -> Rec:
    return _award_duration(ctx, "due_date", "due")


def cycle_time_goal(method: ir.StringValue, amount: ir.FloatingValue) -> ir.FloatingValue:
    """Goal in days for the method and value band (NULL where the method has no goal)."""
    a = amount.fill_null(F0)
    lo, hi = CYCLE_TIME_BANDS
    cases = []
    for m, (g0, g1, g2) in CYCLE_TIME_GOALS.items():
        cases.append(((method == m) & (a < lo), ibis.literal(float(g0), type="float64")))
        cases.append(((method == m) & (a < hi), ibis.literal(float(g1), type="float64")))
        cases.append((method == m, ibis.literal(float(g2), type="float64")))
    return ibis.cases(*cases, else_=ibis.null("float64"))


def within_cycle_goal_share(ctx: Context) -> Rec:
    t = sol_base(ctx)
    d = _sol_dates(t)
    award, req = d["award_date"], d["requisition_date"]
    value = sol_amount(t)
    goal = cycle_time_goal(text(t, "method", lower=True), value)
    days = days_between(req, award)
    reasons = [(award.isnull(), NOT_AWARDED), (req.isnull(), "requisition_date missing"),
               (days < 0, "award before requisition date (negative duration)"),
               (method_unrecognised(t), METHOD_NOT_RECOGNISED),
               (goal.isnull(), "no cycle-time goal for the method"),
               (value.isnull(), "no awarded or estimated amount (value band unknown)")]
    when = first_date(award, req, d["issue_date"], d["due_date"])
    num = one_if(days <= goal)
    return _rec(t, "solicitations", when, reasons, solicitation_dims(t), value, Ratio(num, ONE, x=days),
                extra={"goal_days": goal})


def late_contract_share(ctx: Context) -> Rec:
    t = contract_base(ctx)
    start, executed = date(t, "start_date"), date(t, "executed_date")
    reasons = [(start.isnull(), "start_date missing"), (executed.isnull(), "executed_date missing")]
    late = one_if(executed > start)
    return _rec(t, "contracts", first_date(start, executed), reasons, contract_dims(t), contract_amount(t),
                Ratio(late, ONE, x=days_between(start, executed), x_name="days_executed_after_start"))


# ----------------------------------------------------------------------------- Competition


def _competitive_bids(ctx: Context) -> tuple[ir.Table, list, ir.DateValue]:
    t = sol_bids_base(ctx)
    method = text(t, "method", lower=True)
    due = date(t, "due_date")
    bids = t._bids
    reasons = [(method_unrecognised(t), METHOD_NOT_RECOGNISED), (method.isnull(), "method missing"),
               (~competitive(t), "not competitive"),
               (due.notnull() & (due > ctx.as_of), "bids not yet due (due_date after the as-of date)"),
               (bids.isnull(), "bids_received missing"), (bids < 0, "bids_received negative")]
    close = first_date(due, date(t, "award_date"), date(t, "issue_date"))
    return t, reasons, close


def bids_per_solicitation(ctx: Context) -> Rec:
    t, reasons, close = _competitive_bids(ctx)
    return _rec(t, "solicitations", close, reasons, solicitation_dims(t), sol_amount(t), Mean(t._bids, "bids"))


def single_bid_share(ctx: Context) -> Rec:
    t, reasons, close = _competitive_bids(ctx)
    return _rec(t, "solicitations", close, reasons, solicitation_dims(t), sol_amount(t),
                Ratio(one_if(t._bids == 1), ONE, x=t._bids, x_name="bids"))


def no_bid_share(ctx: Context) -> Rec:
    t, reasons, close = _competitive_bids(ctx)
    return _rec(t, "solicitations", close, reasons, solicitation_dims(t), sol_amount(t),
                Ratio(one_if(t._bids == 0), ONE, x=t._bids, x_name="bids"))


def _award_dollars(ctx: Context, t: ir.Table, *, need_method: bool = True):
    d = _sol_dates(t)
    amount = number(t, "awarded_amount")
    reasons = [(d["award_date"].isnull(), NOT_AWARDED)]
    if need_method:
        reasons += [(method_unrecognised(t), METHOD_NOT_RECOGNISED),
                    (text(t, "method", lower=True).isnull(), "method missing")]
    reasons += [(amount.isnull(), "awarded_amount missing"), (amount <= 0, "awarded_amount zero or negative")]
    when = first_date(d["award_date"], d["issue_date"], d["due_date"], d["requisition_date"])
    return reasons, when, amount.fill_null(F0)


def _method_dollar_share(ctx: Context, methods: tuple[str, ...]) -> Rec:
    t = sol_base(ctx)
    reasons, when, amount = _award_dollars(ctx, t)
    num = ibis.ifelse(in_list(text(t, "method", lower=True), methods), amount, F0)
    return _rec(t, "solicitations", when, reasons, solicitation_dims(t), sol_amount(t),
                Ratio(num, amount, dollars=True))


def noncompetitive_share(ctx: Context) -> Rec:
    return _method_dollar_share(ctx, NONCOMPETITIVE_METHODS)


def emergency_share(ctx: Context) -> Rec:
    return _method_dollar_share(ctx, ("emergency",))


def cooperative_share(ctx: Context) -> Rec:
    return _method_dollar_share(ctx, ("cooperative",))


def is_cancelled(t: ir.Table) -> ir.BooleanValue:
    return text(t, "status", lower=True).contains("cancel").fill_null(False)


def cancelled_solicitation_share(ctx: Context) -> Rec:
    t = sol_base(ctx)
    d = _sol_dates(t)
    reasons = [(d["issue_date"].isnull(), "issue_date missing (not issued)"),
               (text(t, "status").isnull(), "status missing")]
    when = first_date(d["issue_date"], d["due_date"], d["award_date"], d["requisition_date"])
    return _rec(t, "solicitations", when, reasons, solicitation_dims(t), sol_amount(t),
                Ratio(one_if(is_cancelled(t)), ONE))


def fiscal_year_of(d: ir.DateValue, fy_start_month: int) -> ir.IntegerValue:
    """FY2026 = Jul 2025 - Jun 2026 with a July start (a January start: the calendar year)."""
    y = d.year().cast("int64")
    if fy_start_month == 1:
        return y
    return y + ibis.ifelse(d.month() >= fy_start_month, 1, 0)


def first_time_vendor_share(ctx: Context) -> Rec:
    t = sol_base(ctx)
    d = _sol_dates(t)
    award = d["award_date"]
    reasons = [(award.isnull(), NOT_AWARDED), (t._vkey.isnull(), "awarded vendor missing")]
    t = t.mutate(_fy=fiscal_year_of(award, ctx.fy_start_month))
    # History: every award up to the as-of date, whatever the filters (a vendor is new to the office).
    hist = t.filter(award.notnull() & t._vkey.notnull() & (award <= ctx.as_of)).select("_vkey", "_fy").distinct()
    later = ibis.union(*(hist.select(_hk=hist._vkey, _hfy=hist._fy + back)
                         for back in range(1, FIRST_TIME_LOOKBACK_YEARS + 1))).distinct()
    j = t.left_join(later, [t._vkey == later._hk, t._fy == later._hfy])
    j = j.mutate(_prior=j._hk.notnull()).drop("_hk", "_hfy")
    first = ctx.src.memo.get(("first_fy", ctx.as_of, ctx.fy_start_month))
    if first is None:
        first = fetch_scalar(hist._fy.min())
        ctx.src.memo[("first_fy", ctx.as_of, ctx.fy_start_month)] = first
    notes = ()
    if first is not None:
        first = int(first)
        notes = (f"Award history starts in FY{first}: for FY{first}-FY{first + FIRST_TIME_LOOKBACK_YEARS - 1}"
                 f" fewer than {FIRST_TIME_LOOKBACK_YEARS} earlier fiscal years are loaded, so more vendors "
                 "look new than are.",)
    d = _sol_dates(j)
    reasons = [(d["award_date"].isnull(), NOT_AWARDED), (j._vkey.isnull(), "awarded vendor missing")]
    when = first_date(d["award_date"], d["issue_date"], d["due_date"], d["requisition_date"])
    rec = _rec(j, "solicitations", when, reasons, solicitation_dims(j), sol_amount(j),
               Ratio(one_if(~j._prior), ONE))
    rec.notes = notes
    return rec


def _bids(ctx: Context) -> tuple[ir.Table, list, ir.DateValue]:
    t = bid_base(ctx)
    reasons = [(t._s_found.isnull(), "solicitation not found"), (t._vkey.isnull(), "bidder missing"),
               (t._s_due.notnull() & (t._s_due > ctx.as_of), "bids not yet due (due_date after the as-of date)")]
    return t, reasons, t._s_close


def active_bidder_count(ctx: Context) -> Rec:
    t, reasons, close = _bids(ctx)
    return _rec(t, "bids", close, reasons, bid_dims(t), bid_amount(t), Distinct(t._vkey))


def protest_rate(ctx: Context) -> Rec:
    t = sol_base(ctx)
    d = _sol_dates(t)
    protested = flag(t, "protest_filed")
    sustained = protested & flag(t, "protest_sustained")
    when = first_date(d["award_date"], d["issue_date"], d["due_date"], d["requisition_date"])
    return _rec(t, "solicitations", when, [(d["award_date"].isnull(), NOT_AWARDED)], solicitation_dims(t),
                sol_amount(t), Ratio(one_if(protested), ONE, sustained=one_if(sustained)))


# ----------------------------------------------------------------------------- Equity


def _payment_share(ctx: Context, flags: tuple[str, ...]) -> Rec:
    t = payment_base(ctx)
    when = date(t, "payment_date")
    amount = number(t, "amount")
    hit = certified(t, flags, when)
    a = amount.fill_null(F0)
    reasons = [(when.isnull(), "payment_date missing"), (amount.isnull(), "amount missing")]
    return _rec(t, "payments", when, reasons, payment_dims(t), amount,
                Ratio(ibis.ifelse(hit, a, F0), a, dollars=True), extra={"certified": hit})


def mwbe_spend_share(ctx: Context) -> Rec:
    return _payment_share(ctx, MWBE_FLAGS)


def small_business_share(ctx: Context) -> Rec:
    return _payment_share(ctx, ("is_small", "is_sbe"))


def local_spend_share(ctx: Context) -> Rec:
    return _payment_share(ctx, ("is_local", "is_lbe"))


def mwbe_award_share(ctx: Context) -> Rec:
    t = sol_base(ctx)
    reasons, when, amount = _award_dollars(ctx, t, need_method=False)
    own = ibis.literal(False)
    for fl in MWBE_FLAGS:
        own = own | flag(t, fl)
    hit = own | certified(t, MWBE_FLAGS, date(t, "award_date"))
    return _rec(t, "solicitations", when, reasons, solicitation_dims(t), sol_amount(t),
                Ratio(ibis.ifelse(hit, amount, F0), amount, dollars=True), extra={"certified": hit})


def diverse_bid_share(ctx: Context) -> Rec:
    t, reasons, close = _bids(ctx)
    hit = certified(t, tuple(CERTIFICATION_FLAGS.values()), close)
    return _rec(t, "bids", close, reasons, bid_dims(t), bid_amount(t), Ratio(one_if(hit), ONE))


# ----------------------------------------------------------------------------- Value


def spend_under_contract_share(ctx: Context) -> Rec:
    t = payment_base(ctx)
    when = date(t, "payment_date")
    amount = number(t, "amount")
    a = amount.fill_null(F0)
    linked = text(t, "contract_id").notnull()
    reasons = [(when.isnull(), "payment_date missing"), (amount.isnull(), "amount missing")]
    return _rec(t, "payments", when, reasons, payment_dims(t), amount,
                Ratio(ibis.ifelse(linked, a, F0), a, dollars=True))


def savings_rate(ctx: Context) -> Rec:
    t = sol_base(ctx)
    d = _sol_dates(t)
    est, awd = number(t, "estimated_amount"), number(t, "awarded_amount")
    reasons = [(d["award_date"].isnull(), NOT_AWARDED), (method_unrecognised(t), METHOD_NOT_RECOGNISED),
               (text(t, "method").isnull(), "method missing"), (~competitive(t), "not competitive"),
               (est.isnull() | (est <= 0), "estimated_amount missing or zero"),
               (awd.isnull(), "awarded_amount missing"), (awd <= 0, "awarded_amount zero or negative")]
    when = first_date(d["award_date"], d["issue_date"], d["due_date"], d["requisition_date"])
    return _rec(t, "solicitations", when, reasons, solicitation_dims(t), sol_amount(t),
                Ratio((est - awd).fill_null(F0), est.fill_null(F0), dollars=True))


# ----------------------------------------------------------------------------- Contracts


def replacement_start(ctx: Context) -> ir.Table:
    """Per contract id: the earliest date of a replacement solicitation under way (not cancelled); a
    replacement with no date at all counts from the beginning of time."""
    s = ctx.src.table("solicitations")
    started = first_date(*(date(s, c) for c in ("requisition_date", "issue_date", "due_date", "award_date")))
    r = s.mutate(_rk=text(s, "replaces_contract_id"), _rs=started.fill_null(FAR_PAST))
    r = r.filter(r._rk.notnull() & ~is_cancelled(r))
    return kept(ctx.src, r.group_by("_rk").aggregate(_repl=r._rs.min()))


def expiring_without_replacement(ctx: Context) -> Rec:
    t = contract_base(ctx)
    if ctx.src.has("solicitations", "replaces_contract_id"):
        r = replacement_start(ctx)
        # Only the first contract row of an id (the first match of a join) takes the replacement.
        t = t.mutate(_ck=text(t, "contract_id"))
        t = t.left_join(r, t._ck == r._rk).drop("_ck", "_rk")
    else:
        t = t.mutate(_repl=ibis.null("date"))
    start, end = date(t, "start_date"), date(t, "end_date")
    options = number(t, "renewal_options_remaining")
    no_options = options.isnull() | (options <= 0)
    one = ibis.interval(days=1)
    hi = end - one  # counted at reference dates strictly before the end date
    repl_hi = t._repl - one
    flag_hi = ibis.ifelse(no_options, ibis.ifelse(t._repl.isnull() | (repl_hi > hi), hi, repl_hi),
                          ibis.null("date"))
    reasons = [(end.isnull(), OPEN_ENDED), (start.notnull() & (end < start), "end before start date")]
    m = Expiring(start=start, hi=hi, flag_hi=flag_hi)
    return _rec(t, "contracts", end, reasons, contract_dims(t), contract_amount(t), m,
                extra={"replacement_date": t._repl, "no_options": one_if(no_options)})


def contracts_with_metrics_share(ctx: Context) -> Rec:
    """Key contracts active at each reference date with performance metrics: flagged, or with a row in
    contract_metrics (which lands on the first contract row of its id). A blank end date is an open-ended
    contract (it ends on completion): active from its start on."""
    t = contract_rows(ctx)
    if ctx.src.has("contract_metrics", "contract_id"):
        m = ctx.src.table("contract_metrics")
        ids = m.select(_mk=text(m, "contract_id")).distinct()
        ids = ids.filter(ids._mk.notnull())
        j = t.left_join(ids, t._ck == ids._mk)
        t = j.mutate(_mrows=(j._first & j._mk.notnull()).fill_null(False)).drop("_mk")
    else:
        t = t.mutate(_mrows=ibis.literal(False))
    start, end = date(t, "start_date"), date(t, "end_date")
    hi = ibis.coalesce(end, ibis.literal(OPEN_END.astype(dt.date)))
    reasons = [(~flag(t, "is_key_contract"), "not a key contract"), (start.isnull(), "start_date missing"),
               (hi < start, "end before start date")]
    metrics = flag(t, "has_performance_metrics") | t._mrows
    return _rec(t, "contracts", first_date(start, end), reasons, contract_dims(t), contract_amount(t),
                Active(lo=start, hi=hi, num=one_if(metrics), den=ONE))


def evaluation_completion_rate(ctx: Context) -> Rec:
    t = evaluation_base(ctx)
    due, done = date(t, "due_date"), date(t, "completed_date")
    reasons = [(due.isnull(), "due_date missing"), (due > ctx.as_of, "not yet due (due_date after the as-of date)")]
    on_time = (done.notnull() & (done <= due) & (done <= ctx.as_of)).fill_null(False)
    return _rec(t, "evaluations", first_date(due, done), reasons, joined_dims(t), t._c_amount,
                Ratio(one_if(on_time), ONE, x=days_between(due, done), x_name="days_completed_after_due"))


def rating_low(rating: ir.StringValue) -> ir.FloatingValue:
    """1.0 below satisfactory, 0.0 satisfactory or better, NULL not recognised (kpi.settings' words)."""
    low = ibis.literal(False)
    for w in BELOW_SATISFACTORY:
        low = low | rating.contains(w)
    ok = ibis.literal(False)
    for w in SATISFACTORY_OR_BETTER:
        ok = ok | rating.contains(w)
    return ibis.cases((low.fill_null(False), 1.0), (ok.fill_null(False), F0), else_=ibis.null("float64"))


def low_performance_share(ctx: Context) -> Rec:
    t = evaluation_base(ctx)
    due, done = date(t, "due_date"), date(t, "completed_date")
    score = number(t, "score")
    from_score = ibis.ifelse(score.isnull(), ibis.null("float64"), one_if(score < LOW_SCORE))
    low = ibis.coalesce(rating_low(text(t, "rating", lower=True)), from_score)
    reasons = [(done.isnull(), "not completed (completed_date missing)"),
               (low.isnull(), "no recognisable rating or score")]
    return _rec(t, "evaluations", first_date(done, due), reasons, joined_dims(t), t._c_amount,
                Ratio(low.fill_null(F0), ONE))


def cost_growth(ctx: Context) -> Rec:
    t = contract_base(ctx)
    start = date(t, "start_date")
    original, current = number(t, "original_amount"), number(t, "current_amount")
    reasons = [(start.isnull(), "start_date missing"),
               (original.isnull() | (original <= 0), "original_amount missing or zero"),
               (current.isnull(), "current_amount missing")]
    return _rec(t, "contracts", first_date(start, date(t, "executed_date")), reasons, contract_dims(t),
                contract_amount(t), Ratio((current - original).fill_null(F0), original.fill_null(F0),
                                          dollars=True))


def contract_payments(ctx: Context) -> ir.Table:
    """Per contract id: total paid up to the as-of date, number of payments, last payment date, and the date
    of the payment that took the cumulative total beyond current_amount (NULL if never)."""
    src = ctx.src
    p = src.table("payments")
    c = _first_row_by(src.table("contracts"), "contract_id", {"_limit": number(src.table("contracts"),
                                                                               "current_amount")})
    pay = p.select(_pk=text(p, "contract_id"), _pd=date(p, "payment_date"), _pa=number(p, "amount"))
    pay = pay.filter(pay._pk.notnull() & pay._pd.notnull() & pay._pa.notnull() & (pay._pd <= ctx.as_of))
    # Summed by contract first, then joined to the contracts (one row each): 10M payments join as 500k sums.
    sums = pay.group_by("_pk").aggregate(_paid=pay._pa.sum(), _count=pay.count(), _last=pay._pd.max(),
                                         _rise=pay._pa.clip(lower=0).sum())
    # Kept: the result and the contracts that may pass their limit both read the totals, and compiled inline
    # they would be summed twice (1.6 -> 1.2 s at 10M payments).
    totals = kept(src, sums.inner_join(c, sums._pk == c._k))
    # The running total (a sort of every payment) only where it can pass the limit: the payments (before
    # refunds) add up to more than current_amount. Most contracts never do.
    may = totals.filter(totals._rise > totals._limit).select(_mk=totals._pk, _lim=totals._limit)
    run = pay.inner_join(may, pay._pk == may._mk)
    run = run.mutate(_cum=run._pa.sum().over(ibis.cumulative_window(group_by=run._pk, order_by=run._pd)))
    crossed = run.group_by(_ck="_pk").aggregate(_crossed=run._pd.min(where=run._cum > run._lim))
    out = totals.left_join(crossed, totals._pk == crossed._ck)
    return kept(src, out.select("_pk", "_paid", "_count", "_last", "_crossed"))


def overspent_contracts(ctx: Context) -> Rec:
    t = contract_base(ctx)
    cp = contract_payments(ctx)
    t = t.mutate(_ck=text(t, "contract_id"))
    t = t.left_join(cp, t._ck == cp._pk).drop("_ck", "_pk")
    current = number(t, "current_amount")
    over = t._crossed.notnull()
    reasons = [(current.isnull(), "current_amount missing"), (t._count.fill_null(0) == 0,
                                                            "no payments linked to the contract")]
    when = first_date(ibis.ifelse(over, t._crossed, t._last), date(t, "start_date"))
    paid = t._paid.fill_null(F0)
    return _rec(t, "contracts", when, reasons, contract_dims(t), contract_amount(t), Count(one_if(over)),
                extra={"paid": paid, "overspent_by": paid - current})


# ----------------------------------------------------------------------------- Contract performance
# Key contracts' metrics, results and check-ins (as kpi.performance reads them). A row of another table that
# names a contract meets the first contract row of that id (in table order).


@shared
def contract_rows(ctx: Context) -> ir.Table:
    """Contracts with their vendor's identity, `_ck` (the cleaned id), `_row` (position in the table) and
    `_first` (the first row of its id: where other tables' rows naming the contract land)."""
    c = ctx.src.table("contracts")
    c = c.mutate(_row=ibis.row_number(), _ck=text(c, "contract_id"))
    c = c.mutate(_first=(c._ck.notnull() & (c._row == c._row.min().over(group_by=c._ck))).fill_null(False))
    return with_vendor(ctx.src, c, "contracts", "vendor_id", "vendor_name")


def _count_once(ctx: Context, key, expr: ir.IntegerScalar) -> int:
    """A count for a note, asked of the database once per source and key."""
    return _memo(ctx.src, key, lambda: int(fetch_scalar(expr) or 0))


_DIRECTION_SCHEMA = ibis.schema({"_dir": "string", "_sign": "int64"})


def metric_directions(ctx: Context) -> ir.Table:
    """Each distinct direction text of contract_metrics -> 1 (higher is better), -1 (lower), 0 (not
    recognised), read by kpi.settings.direction_sign: one reading of a direction for every engine (a handful
    of rows, held as a small lookup table like the vendor lookup)."""

    def make():
        m = ctx.src.table("contract_metrics")
        words = []
        if m is not None and "direction" in m.columns:
            col = m.select(_d=m.direction.cast("string")).distinct().to_pyarrow().column("_d").to_pylist()
            words = sorted(w for w in col if w is not None)
        frame = pd.DataFrame({"_dir": pd.Series(words, dtype="str"),
                              "_sign": pd.Series([direction_sign(w) for w in words], dtype="int64")})
        return ctx.src.put("kpi_metric_directions", frame, _DIRECTION_SCHEMA)

    return _memo(ctx.src, ("metric_directions",), make)


def metric_definitions(ctx: Context) -> ir.Table | None:
    """One row per (contract id, metric id) of contract_metrics, the last row loaded winning (a metric edited in
    the app overrides the file's): _dk, _dm, _mname, _unit, _target, _sign (1 higher, -1 lower, 0 unknown).
    None without the table."""
    m = ctx.src.table("contract_metrics")
    if m is None:
        return None
    m = m.mutate(_row=ibis.row_number(), _dk=text(m, "contract_id"), _dm=text(m, "metric_id"))
    m = m.filter(m._dk.notnull() & m._dm.notnull())
    m = m.mutate(_last=m._row.max().over(group_by=[m._dk, m._dm]))
    m = m.filter(m._row == m._last)
    m = m.mutate(_draw=m.direction.cast("string") if "direction" in m.columns else ibis.null("string"))
    dirs = metric_directions(ctx)
    j = m.left_join(dirs, m._draw == dirs._dir)
    return j.select(_dk=j._dk, _dm=j._dm,
                    _mname=j.metric_name.cast("string") if "metric_name" in j.columns else ibis.null("string"),
                    _unit=j.unit.cast("string") if "unit" in j.columns else ibis.null("string"),
                    _target=number(j, "target"), _sign=j._sign.fill_null(0))


def misses_target(value: ir.FloatingValue, target: ir.FloatingValue, sign: ir.IntegerValue) -> ir.FloatingValue:
    """1.0 where a value misses its target (below it when higher is better, above it when lower is better;
    equal is on track), 0.0 on track, NULL where the target or the direction is unknown."""
    sign = sign.fill_null(0)
    return ibis.cases((target.isnull() | value.isnull() | (sign == 0), ibis.null("float64")),
                      (sign == HIGHER, one_if(value < target)), else_=one_if(value > target))


def metric_results_until(ctx: Context) -> ir.Table:
    """Results dated on or before the as-of date with a contract, a metric and a value: _rk, _rm, _pe (period
    end), _val and _row (position in the table)."""
    r = ctx.src.table("metric_results")
    r = r.mutate(_row=ibis.row_number(), _rk=text(r, "contract_id"), _rm=text(r, "metric_id"),
                 _pe=date(r, "period_end"), _val=number(r, "value"))
    return r.filter(r._pe.notnull() & (r._pe <= ctx.as_of) & r._rk.notnull() & r._rm.notnull() & r._val.notnull())


def latest_results(ctx: Context) -> ir.Table:
    """The latest result of each (contract, metric) in each period of the report's grain (a duplicate
    period_end: the last row loaded): _rk, _rm, _p (period code), _pe, _val, and from the metric's definition
    _mname, _target, _sign, and _miss (misses_target)."""
    from .engine import period_code

    r = metric_results_until(ctx)
    r = r.mutate(_p=period_code(r._pe, ctx.grain, ctx.fy_start_month))
    w = ibis.window(group_by=[r._rk, r._rm, r._p], order_by=[ibis.desc(r._pe), ibis.desc(r._row)])
    r = r.mutate(_rn=ibis.row_number().over(w))
    r = r.filter(r._rn == 0).select("_rk", "_rm", "_p", "_pe", "_val")
    d = metric_definitions(ctx)
    if d is None:
        r = r.mutate(_mname=ibis.null("string"), _target=ibis.null("float64"), _sign=ibis.literal(0, type="int64"))
    else:
        r = r.left_join(d, [r._rk == d._dk, r._rm == d._dm]).select(
            "_rk", "_rm", "_p", "_pe", "_val", "_mname", "_target", "_sign")
    return r.mutate(_miss=misses_target(r._val, r._target, r._sign))


def offtrack_key_contract_share(ctx: Context) -> Rec:
    """One record per (contract, period of the report's grain with results): off track when any metric's
    latest result in the period misses its target."""
    r = latest_results(ctx)
    c = contract_rows(ctx)
    c = c.filter(c._first)
    unknown = _count_once(ctx, ("offtrack_unknown", ctx.as_of, ctx.fy_start_month, ctx.grain),
                          r.anti_join(c, r._rk == c._ck).count())
    per = r.group_by(["_rk", "_p"]).aggregate(
        _date=r._pe.max(), _judged=r._miss.count(), _off=r._miss.max(), _metrics=r.count(),
        _offm=r._rm.min(where=r._miss == 1))
    # The off-track metric shown is the first (by metric id) that misses.
    off = r.select(_ok=r._rk, _op=r._p, _om=r._rm, _oval=r._val, _otarget=r._target,
                   _oname=ibis.coalesce(r._mname, r._rm))
    per = per.left_join(off, [per._rk == off._ok, per._p == off._op, per._offm == off._om]).drop(
        "_ok", "_op", "_om")
    t = c.inner_join(per, c._ck == per._rk)
    reasons = [(~flag(t, "is_key_contract"), "not a key contract"),
               (t._judged == 0, "no result of a metric with a target and a direction")]
    notes = (f"{unknown} latest result(s) name contracts that are not in the contracts table",) if unknown else ()
    return _rec(t, "contracts", t._date, reasons, contract_dims(t), contract_amount(t),
                Ratio(t._off.fill_null(F0), ONE),
                extra={"metrics_reported": t._metrics.cast("float64"), "off_track_metric": t._offm,
                       "off_track_metric_name": t._oname, "latest_value": t._oval, "target": t._otarget},
                notes=notes)


def quarter_start(code: ir.IntegerValue, fy_start_month: int) -> ir.DateValue:
    """The first day of a fiscal quarter code (kpi.periods.period_start, in SQL)."""
    months = code * 3 + P._offset(fy_start_month)
    years = months // 12
    return ibis.date(years + 1970, months - years * 12 + 1, 1)


def checkin_quarters(ctx: Context) -> ir.Table:
    """Check-ins on or before the as-of date per (contract id, fiscal quarter code): _hk, _hq, _hn (how many),
    _hl (the last one's date)."""
    from .engine import period_code

    h = ctx.src.table("checkins")
    h = h.mutate(_hk=text(h, "contract_id"), _hd=date(h, "meeting_date"))
    h = h.filter(h._hk.notnull() & h._hd.notnull() & (h._hd <= ctx.as_of))
    h = h.mutate(_hq=period_code(h._hd, CHECKIN_QUARTER, ctx.fy_start_month))
    return kept(ctx.src, h.group_by(["_hk", "_hq"]).aggregate(_hn=h.count(), _hl=h._hd.max()))


def quarterly_checkin_rate(ctx: Context) -> Rec:
    """One record per (key contract row, fiscal quarter it is active in up to the as-of date's quarter), and one
    undated record per key contract whose dates cannot place it."""
    from .engine import period_code

    fy = ctx.fy_start_month
    c = contract_rows(ctx)
    c = c.filter(flag(c, "is_key_contract"))
    start, end = date(c, "start_date"), date(c, "end_date")
    last_q = P.code_of(np.datetime64(ctx.as_of, "D"), CHECKIN_QUARTER, fy)
    q0 = period_code(start, CHECKIN_QUARTER, fy)
    q1 = ibis.ifelse(end.isnull(), last_q, ibis.least(period_code(end, CHECKIN_QUARTER, fy), last_q)).cast("int64")
    bad = (start.isnull() | (end.notnull() & (end < start))).fill_null(False)
    zero = ibis.literal(0, type="int64")
    c = c.mutate(_bad=bad, _q=ibis.range(ibis.ifelse(bad, zero, q0), ibis.ifelse(bad, zero, q1) + 1).unnest())
    c = c.mutate(_q=ibis.ifelse(c._bad, ibis.null("int64"), c._q.cast("int64")))
    h = checkin_quarters(ctx)
    t = c.left_join(h, [c._ck == h._hk, c._q == h._hq])
    placed = ~t._bad
    hit = placed & t._first & t._hn.notnull()
    count = ibis.ifelse(hit, t._hn.cast("float64"), F0)
    when = ibis.ifelse(placed, quarter_start(t._q, fy), ibis.null("date"))
    reasons = [(~placed & date(t, "start_date").isnull(), "start_date missing"), (~placed, "end before start date")]
    hk = ctx.src.table("checkins")
    ck = ctx.src.table("contracts").select(_k=text(ctx.src.table("contracts"), "contract_id"))
    hk = hk.mutate(_k=text(hk, "contract_id"))
    unknown = _count_once(ctx, ("checkins_unknown",), hk.filter(hk._k.notnull()).anti_join(ck, "_k").count())
    notes = (f"{unknown} check-in(s) name contracts that are not in the contracts table",) if unknown else ()
    return _rec(t, "contracts", when, reasons, contract_dims(t), contract_amount(t), Ratio(one_if(count > 0), ONE),
                extra={"quarter_start": when, "checkins_in_quarter": count,
                       "last_checkin_date": ibis.ifelse(hit, t._hl, ibis.null("date"))}, notes=notes)


def evaluation_vendors(ctx: Context, c: ir.Table) -> ir.Table:
    """Evaluations completed on or before the as-of date with their vendor as a contracts' vendor key (`c`:
    contract_rows): by the evaluation's vendor_id (a key some contract has), else the vendor of the contract
    evaluated: _evk, _evd (completed date)."""
    e = ctx.src.table("evaluations")
    e = e.mutate(_eck=text(e, "contract_id"), _evid=text(e, "vendor_id"), _done=date(e, "completed_date"))
    e = e.mutate(_idk=ibis.literal("id:").concat(e._evid))
    first = c.filter(c._first).select(_fk=c._ck, _fv=c._vkey)
    e = e.left_join(first, e._eck == first._fk).select("_evid", "_idk", "_done", "_fv")
    keys = c.filter(c._vkey.notnull()).select(_kk=c._vkey).distinct()
    e = e.left_join(keys, e._idk == keys._kk).select("_evid", "_done", "_fv", "_kk")
    e = e.select(_evk=ibis.ifelse(e._evid.notnull(), e._kk, e._fv), _evd=e._done)
    return e.filter(e._evk.notnull() & e._evd.notnull() & (e._evd <= ctx.as_of))


def repeat_awards_with_evaluation_share(ctx: Context) -> Rec:
    """Contracts with a vendor that already held an earlier one: evaluated when an evaluation of the vendor was
    completed in the EVALUATION_LOOKBACK_DAYS up to and including the start date."""
    c = contract_rows(ctx)
    start = date(c, "start_date")
    c = c.mutate(_start=start, _ok=(c._vkey.notnull() & start.notnull()).fill_null(False))
    first = ibis.ifelse(c._ok, c._start, ibis.null("date")).min().over(group_by=c._vkey)
    c = c.mutate(_fs=ibis.ifelse(c._ok, first, ibis.null("date")))
    ev = evaluation_vendors(ctx, c)
    # Contracts and evaluations in one stream per vendor, by date (an evaluation before a contract starting the
    # same day): the latest evaluation on or before each start date is a running maximum.
    schema = c.schema()
    cpart = c.mutate(_kind=ibis.literal(1, type="int8"), _evd=ibis.null("date"), _t=c._start)
    epart = ev.select(**{name: (ev._evk if name == "_vkey" else ibis.null(typ)).cast(typ)
                         for name, typ in schema.items()},
                      _kind=ibis.literal(0, type="int8"), _evd=ev._evd, _t=ev._evd)
    u = ibis.union(cpart, epart)
    u = u.mutate(_latest=u._evd.max().over(ibis.cumulative_window(group_by=u._vkey, order_by=[u._t, u._kind])))
    t = u.filter(u._kind == 1)
    latest = ibis.ifelse(t._ok, t._latest, ibis.null("date"))
    lookback = t._start - ibis.interval(days=EVALUATION_LOOKBACK_DAYS)
    evaluated = t._ok & latest.notnull() & (latest >= lookback)
    repeat = t._ok & t._fs.notnull() & (t._fs < t._start)
    reasons = [(t._start.isnull(), "start_date missing"), (t._vkey.isnull(), "no vendor id or name"),
               (~repeat.fill_null(False), "not a repeat award (no earlier contract with the vendor)")]
    return _rec(t, "contracts", t._start, reasons, contract_dims(t), contract_amount(t),
                Ratio(one_if(evaluated), ONE), extra={"vendor_first_start": t._fs, "latest_evaluation_date": latest})


# ----------------------------------------------------------------------------- Payments


def _pay_days(ctx: Context):
    t = payment_base(ctx)
    paid, received = date(t, "payment_date"), date(t, "invoice_received_date")
    days = days_between(received, paid)
    reasons = [(paid.isnull(), "payment_date missing"), (received.isnull(), "invoice_received_date missing"),
               (days < 0, "paid before the invoice was received (negative duration)")]
    return t, paid, reasons, days


def on_time_payment_share(ctx: Context) -> Rec:
    t, paid, reasons, days = _pay_days(ctx)
    return _rec(t, "payments", paid, reasons, payment_dims(t), number(t, "amount"),
                Ratio(one_if(days <= ON_TIME_PAYMENT_DAYS), ONE, x=days))


def days_to_pay(ctx: Context) -> Rec:
    t, paid, reasons, days = _pay_days(ctx)
    return _rec(t, "payments", paid, reasons, payment_dims(t), number(t, "amount"), Duration(days))


# ----------------------------------------------------------------------------- Market research


def engaged(ctx: Context, t: ir.Table) -> ir.Table:
    """t (solicitations) with `_engaged`: an engagement other than desk research is linked to it and is dated
    on or before its issue date (or either date is unknown)."""
    src = ctx.src
    if not src.has("engagements", "solicitation_id"):
        return t.mutate(_engaged=ibis.literal(False))
    e = src.table("engagements")
    kind = text(e, "type", lower=True)
    desk = (kind.isin(NOT_ENGAGEMENT) | kind.contains("internet")).fill_null(False)
    e = e.mutate(_ek=text(e, "solicitation_id"), _ew=date(e, "engagement_date")).filter(lambda s: s._ek.notnull())
    e = e.filter(~desk)
    issue = _first_row_by(t, "solicitation_id", {"_iss": date(t, "issue_date")})
    e = e.inner_join(issue, e._ek == issue._k)
    e = e.filter(e._ew.isnull() | e._iss.isnull() | (e._ew <= e._iss))
    ids = kept(src, e.select(_ek2=e._ek).distinct())
    t = t.mutate(_tk=text(t, "solicitation_id"))
    t = t.left_join(ids, t._tk == ids._ek2)
    return t.mutate(_engaged=t._ek2.notnull()).drop("_tk", "_ek2")


def engagement_share(ctx: Context) -> Rec:
    t = engaged(ctx, sol_base(ctx))
    d = _sol_dates(t)
    value = ibis.coalesce(number(t, "estimated_amount"), number(t, "awarded_amount"))
    reasons = [(value.isnull(), "no estimated or awarded amount"),
               (value < ENGAGEMENT_THRESHOLD, f"below the ${ENGAGEMENT_THRESHOLD:,.0f} value threshold")]
    when = first_date(d["issue_date"], d["due_date"], d["award_date"], d["requisition_date"])
    return _rec(t, "solicitations", when, reasons, solicitation_dims(t), sol_amount(t),
                Ratio(one_if(t._engaged), ONE), extra={"value": value})


def engagement_bid_lift(ctx: Context) -> Rec:
    t = engaged(ctx, sol_bids_base(ctx))
    _, reasons, close = _competitive_bids_on(ctx, t)
    reasons.append((text(t, "category").isnull(), "category missing"))
    return _rec(t, "solicitations", close, reasons, solicitation_dims(t), sol_amount(t), Lift(t._bids, t._engaged))


def _competitive_bids_on(ctx: Context, t: ir.Table):
    method = text(t, "method", lower=True)
    due = date(t, "due_date")
    bids = t._bids
    reasons = [(method_unrecognised(t), METHOD_NOT_RECOGNISED), (method.isnull(), "method missing"),
               (~competitive(t), "not competitive"),
               (due.notnull() & (due > ctx.as_of), "bids not yet due (due_date after the as-of date)"),
               (bids.isnull(), "bids_received missing"), (bids < 0, "bids_received negative")]
    return t, reasons, first_date(due, date(t, "award_date"), date(t, "issue_date"))


# ----------------------------------------------------------------------------- Data quality


def _filled(t: ir.Table, col: str) -> ir.BooleanValue:
    if col not in t.columns:
        return ibis.literal(False)
    v = t[col]
    if v.type().is_string():  # blank text is not a value (as Source.has and every KPI read it)
        return text(t, col).notnull()
    return v.notnull()


def field_completeness(ctx: Context) -> Rec:
    """Key fields filled per record, over every loaded table (a union: the 'table' breakdown)."""
    src = ctx.src
    parts = []
    for table in TABLES:
        if not src.has(table) or src.rows(table) == 0 or table not in TABLE_DATES:
            continue  # a table without a date of its own (bids, contract_metrics) is left out
        fields = completeness_fields(table, src.has)
        if table == "bids":
            t = bid_base(ctx)
            when, dims, amount = t._s_first, bid_dims(t), bid_amount(t)
        elif table == "solicitations":
            t = sol_base(ctx)
            when, dims, amount = first_date(*(date(t, c) for c in TABLE_DATES[table])), solicitation_dims(t), \
                sol_amount(t)
        elif table == "contracts":
            t = contract_base(ctx)
            when, dims, amount = first_date(*(date(t, c) for c in TABLE_DATES[table])), contract_dims(t), \
                contract_amount(t)
        elif table == "payments":
            t = payment_base(ctx)
            when, dims, amount = date(t, "payment_date"), payment_dims(t), number(t, "amount")
            when = first_date(*(date(t, c) for c in TABLE_DATES[table]))
        elif table == "evaluations":
            t = evaluation_base(ctx)
            when, dims, amount = first_date(*(date(t, c) for c in TABLE_DATES[table])), joined_dims(t), t._c_amount
        else:
            t = src.table(table)
            when = first_date(*(date(t, c) for c in TABLE_DATES[table]))
            dims = {d: ibis.null("string") for d in DIMENSIONS}
            amount = ibis.null("float64")
        filled = F0
        for group in fields:
            any_filled = ibis.literal(False)
            for c in group:
                any_filled = any_filled | _filled(t, c)
            filled = filled + one_if(any_filled)
        parts.append(t.select(_when=when, _num=filled, _den=ibis.literal(float(len(fields)), type="float64"), _amount=amount,
                              _table=ibis.literal(table),
                              **{f"_d_{d}": dims[d].cast("string") for d in DIMENSIONS}))
    if not parts:
        return None
    u = ibis.union(*parts)
    dims = {d: u[f"_d_{d}"] for d in DIMENSIONS}
    dims["table"] = u._table
    return Rec(t=u, table="", date=u._when, reasons=[(u._when.isnull(), "no date to place the record in a period")],
               dims=dims, amount=u._amount, measure=Ratio(u._num, u._den, dollars=True))
