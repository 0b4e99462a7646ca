"""Contract performance: key contracts' metrics against their targets, check-ins due, one contract's record,
and the checks on what a contract manager records in the app."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from loaders import values as V

from . import periods as P
from .settings import HIGHER, LOWER, direction_sign
from .tables import table_rows
from .vendors import flag_values

OFF_TRACK, ON_TRACK, NO_RESULT, NO_TARGET, NO_METRICS = "off track", "on track", "no result yet", "no target", \
    "no metrics"
# Order of the key-contract list: what needs attention first.
STATUS_ORDER = (OFF_TRACK, NO_RESULT, NO_TARGET, ON_TRACK, NO_METRICS)
PERCENT_UNITS = ("percent", "%", "pct", "percentage", "share", "rate", "percent of total")
TREND_POINTS = 8
CHECKED_IN, DUE, OVERDUE = "checked in", "due", "overdue"
RESULT_KEYS = ("contract_id", "metric_id", "period_end")
METRIC_KEYS = ("contract_id", "metric_id")
CHECKIN_KEYS = ("contract_id", "meeting_date")
CONTRACT_FIELDS = ("contract_id", "title", "vendor_id", "vendor_name", "department", "category", "start_date",
                   "end_date", "original_amount", "current_amount", "is_key_contract")


def is_percent(unit: object) -> bool:
    return isinstance(unit, str) and unit.strip().lower() in PERCENT_UNITS


def direction_word(sign: int) -> str:
    return {HIGHER: "higher is better", LOWER: "lower is better"}.get(int(sign), "")


def _day(as_of) -> np.datetime64:
    d = P.as_day(as_of) if as_of is not None else np.datetime64(P.today(), "D")
    return np.datetime64(P.today(), "D") if np.isnat(d) else d


# Contract performance reads small tables (key contracts' metrics, results, check-ins, evaluations) and the
# contracts' own fields: from canonical frames, or fetched once from a kpi.sql Source (kpi.tables).


def _frame(tables, name: str) -> pd.DataFrame | None:
    return table_rows(tables, name, CONTRACT_FIELDS if name == "contracts" else None)


def _ids(values: pd.Series) -> np.ndarray:
    """Id text trimmed, as objects; None where blank."""
    s = values.astype("str").str.strip()
    return s.where(values.notna() & (s != "")).to_numpy(dtype=object, na_value=None)


def _days(values: pd.Series) -> np.ndarray:
    return P.to_days(values)


def _number(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def metric_definitions(tables) -> pd.DataFrame:
    """One row per (contract_id, metric_id) of contract_metrics, the last row loaded winning (a metric edited
    in the app overrides the file's): metric_name, unit, target, sign (1 higher, -1 lower, 0 unknown)."""
    cols = ["contract_id", "metric_id", "metric_name", "unit", "target", "sign"]
    f = _frame(tables, "contract_metrics")
    if f is None or "contract_id" not in f or not f["contract_id"].notna().any():
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "target" else "str") for c in cols})
    out = pd.DataFrame({
        "contract_id": _ids(f["contract_id"]),
        "metric_id": _ids(f["metric_id"]) if "metric_id" in f else None,
        "metric_name": f["metric_name"].to_numpy(dtype=object) if "metric_name" in f else None,
        "unit": f["unit"].to_numpy(dtype=object) if "unit" in f else None,
        "target": _number(f["target"]) if "target" in f else np.nan,
        "sign": [direction_sign(x) for x in (f["direction"] if "direction" in f else [None] * len(f))],
    })
    out = out[out["contract_id"].notna() & out["metric_id"].notna()]
    return out.drop_duplicates(["contract_id", "metric_id"], keep="last").reset_index(drop=True)


def misses_target(value: np.ndarray, target: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """1.0 where a value misses its target (below it when higher is better, above it when lower is better; equal
    is on track), 0.0 where it is on track, NaN where the target or the direction is unknown (the KPI
    key_contract_metrics_share reads the same rule in kpi.sql.measures.misses_target)."""
    miss = np.where(sign == HIGHER, value < target, value > target).astype(float)
    return np.where(np.isnan(target) | np.isnan(value) | (sign == 0), np.nan, miss)


def _quarter(as_of: np.datetime64, fy: int) -> tuple[int, np.datetime64, np.datetime64, str]:
    code = P.code_of(as_of, "quarter", fy)
    start = P.period_start(np.array([code]), "quarter", fy)[0]
    end = P.period_end(np.array([code]), "quarter", fy)[0]
    return code, start, end, P.labels(np.array([code]), "quarter", fy)[0]


def results_until(tables, as_of=None) -> pd.DataFrame:
    """Every result on or before the as-of date, one per (contract, metric, period_end) (the last loaded),
    oldest first: contract_id, metric_id, period_end, value."""
    f = _frame(tables, "metric_results")
    cols = list(RESULT_KEYS) + ["value"]
    if f is None:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[us]" if c == "period_end" else
                                          "float64" if c == "value" else "str") for c in cols})
    day = pd.Timestamp(_day(as_of))
    f = f[cols].dropna(subset=cols)
    f = f[f["period_end"] <= day]
    f = f.drop_duplicates(list(RESULT_KEYS), keep="last")
    return f.sort_values(["contract_id", "metric_id", "period_end"], kind="stable").reset_index(drop=True)


def metric_status(tables, *, as_of=None, contract_id: str | None = None) -> pd.DataFrame:
    """One row per metric of each contract (defined in contract_metrics or only reported in metric_results):
    contract_id, metric_id, metric_name, unit, direction, target, latest_value, latest_period_end,
    previous_value, status (off track, on track, no result yet, no target), trend (the last values, oldest
    first). Off-track metrics first."""
    defs = metric_definitions(tables).copy()
    res = results_until(tables, as_of)
    if contract_id is not None:
        defs = defs[defs["contract_id"] == contract_id]
        res = res[res["contract_id"] == contract_id]
    keys = list(METRIC_KEYS)
    g = res.groupby(keys, sort=False)
    last = g.tail(1).rename(columns={"value": "latest_value", "period_end": "latest_period_end"}).set_index(keys)
    last["previous_value"] = g.nth(-2).set_index(keys)["value"].reindex(last.index)
    last["trend"] = g.tail(TREND_POINTS).groupby(keys, sort=False)["value"].agg(list).reindex(last.index)
    last = last.reset_index()
    out = defs.merge(last, on=list(METRIC_KEYS), how="outer")
    if out.empty:
        return pd.DataFrame(columns=["contract_id", "metric_id", "metric_name", "unit", "direction", "target",
                                     "latest_value", "latest_period_end", "previous_value", "status", "trend"])
    out["sign"] = out["sign"].fillna(0).astype(int)
    miss = misses_target(out["latest_value"].to_numpy(float), out["target"].to_numpy(float), out["sign"].to_numpy())
    out["status"] = np.where(out["latest_value"].isna(), NO_RESULT,
                             np.where(np.isnan(miss), NO_TARGET, np.where(miss == 1, OFF_TRACK, ON_TRACK)))
    out["direction"] = [direction_word(s) for s in out["sign"]]
    out["metric_name"] = out["metric_name"].where(out["metric_name"].notna(), out["metric_id"])
    out["trend"] = [t if isinstance(t, list) else [] for t in out["trend"]]
    out["_order"] = out["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    out = out.sort_values(["_order", "contract_id", "metric_id"], kind="stable").drop(columns=["_order", "sign"])
    return out[["contract_id", "metric_id", "metric_name", "unit", "direction", "target", "latest_value",
                "latest_period_end", "previous_value", "status", "trend"]].reset_index(drop=True)


def _checkins(tables, as_of) -> pd.DataFrame:
    f = _frame(tables, "checkins")
    if f is None:
        return pd.DataFrame({"contract_id": pd.Series(dtype="str"), "meeting_date": pd.Series(dtype="datetime64[us]"),
                             "meeting_type": pd.Series(dtype="str"), "open_actions": pd.Series(dtype="Int64"),
                             "notes": pd.Series(dtype="str")})
    f = f.dropna(subset=["contract_id", "meeting_date"])
    f = f[f["meeting_date"] <= pd.Timestamp(_day(as_of))]
    return f.sort_values(["contract_id", "meeting_date"], kind="stable").reset_index(drop=True)


def _active_key_contracts(tables, start: np.datetime64, as_of: np.datetime64) -> pd.DataFrame:
    """Key contracts (or contracts with metrics) started by the as-of date and not ended before `start`."""
    c = _frame(tables, "contracts")
    if c is None:
        return pd.DataFrame(columns=list(CONTRACT_FIELDS))
    key = flag_values(c["is_key_contract"])[0] if "is_key_contract" in c else np.zeros(len(c), bool)
    defs = metric_definitions(tables)
    key = key | c["contract_id"].isin(set(defs["contract_id"])).to_numpy()
    s, e = (_days(c[col]) if col in c else np.full(len(c), P.NAT) for col in ("start_date", "end_date"))
    active = key & (np.isnat(s) | (s <= as_of)) & (np.isnat(e) | (e >= start))
    out = c.loc[active, [f for f in CONTRACT_FIELDS if f in c.columns]]
    return out.drop_duplicates("contract_id").reset_index(drop=True)


def checkins_due(tables, *, as_of=None, fy_start_month: int = 7) -> pd.DataFrame:
    """Key contracts active in the as-of date's fiscal quarter and their check-in: checked in (this quarter),
    due (none yet; due by the quarter's last day) or overdue (none this quarter and none in the previous quarter
    it was active in). Columns: contract_id, title, vendor_name, department, quarter, due_by, last_checkin_date,
    open_actions (at the last check-in), status. Overdue first, then due."""
    day = _day(as_of)
    code, q_start, q_end, label = _quarter(day, fy_start_month)
    c = _active_key_contracts(tables, q_start, day)
    ch = _checkins(tables, day)
    prev_start = pd.Timestamp(P.period_start(np.array([code - 1]), "quarter", fy_start_month)[0])
    q_start, q_end = pd.Timestamp(q_start), pd.Timestamp(q_end)
    met_now = set(ch.loc[(ch["meeting_date"] >= q_start) & (ch["meeting_date"] <= q_end), "contract_id"])
    met_before = set(ch.loc[(ch["meeting_date"] >= prev_start) & (ch["meeting_date"] < q_start), "contract_id"])
    last = ch.groupby("contract_id").tail(1).set_index("contract_id")
    ids = c["contract_id"]
    started = c["start_date"] if "start_date" in c else pd.Series(pd.NaT, index=c.index)
    was_active = (started.isna() | (started < q_start)).to_numpy()
    this = ids.isin(met_now).to_numpy()
    before = ids.isin(met_before).to_numpy()
    out = pd.DataFrame({
        "contract_id": ids, "title": c.get("title"), "vendor_name": c.get("vendor_name"),
        "department": c.get("department"), "quarter": label, "due_by": q_end,
        "last_checkin_date": last["meeting_date"].reindex(ids).to_numpy(),
        "open_actions": last["open_actions"].reindex(ids).to_numpy() if len(last) else pd.NA,
        "status": np.where(this, CHECKED_IN, np.where(was_active & ~before, OVERDUE, DUE)),
    }).reset_index(drop=True)
    order = {OVERDUE: 0, DUE: 1, CHECKED_IN: 2}
    return out.sort_values("status", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def key_contracts(tables, *, as_of=None, fy_start_month: int = 7) -> pd.DataFrame:
    """The key contracts active in the as-of date's quarter, one row each, off track first: contract_id, title,
    vendor_name, department, current_amount, metrics, off_track (metrics off track), status, checkin (this
    quarter's check-in status), last_checkin_date, open_actions."""
    day = _day(as_of)
    _, q_start, _, _ = _quarter(day, fy_start_month)
    c = _active_key_contracts(tables, q_start, day)
    ms = metric_status(tables, as_of=day)
    ms = ms[ms["contract_id"].isin(set(c["contract_id"]))]
    rank = ms["status"].map({st: i for i, st in enumerate(STATUS_ORDER)})
    g = ms.assign(rank=rank, off=(ms["status"] == OFF_TRACK), on=(ms["status"] == ON_TRACK)).groupby("contract_id")
    per = g.agg(metrics=("metric_id", "size"), off_track=("off", "sum"), on=("on", "sum"), rank=("rank", "min"))
    ids = c["contract_id"]
    per = per.reindex(ids)
    status = [STATUS_ORDER[int(r)] if pd.notna(r) else NO_METRICS for r in per["rank"]]
    # Some metrics on track and the rest without a result or target: on track.
    status = [ON_TRACK if st in (NO_RESULT, NO_TARGET) and (on or 0) > 0 else st
              for st, on in zip(status, per["on"], strict=True)]
    due = checkins_due(tables, as_of=day, fy_start_month=fy_start_month).set_index("contract_id").reindex(ids)
    out = pd.DataFrame({
        "contract_id": ids.to_numpy(), "title": c.get("title"), "vendor_name": c.get("vendor_name"),
        "department": c.get("department"), "current_amount": c.get("current_amount"),
        "metrics": per["metrics"].fillna(0).astype(int).to_numpy(),
        "off_track": per["off_track"].fillna(0).astype(int).to_numpy(), "status": status,
        "checkin": due["status"].to_numpy(), "last_checkin_date": due["last_checkin_date"].to_numpy(),
        "open_actions": due["open_actions"].to_numpy(),
    })
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    return out.sort_values(["status", "contract_id"], key=lambda s: s.map(order) if s.name == "status" else s,
                           kind="stable").reset_index(drop=True)


def contract_detail(tables, contract_id: str, *, as_of=None, fy_start_month: int = 7) -> dict | None:
    """Everything about one contract a performance review needs, or None when the contract is unknown:
    contract (its fields), metrics (metric_status), results (every result with its metric's name and target,
    for trend charts), checkins (newest first), evaluations, open_actions and last_checkin_date (of the last
    check-in), quarter (label), checkin (this quarter's check-in status), as_of."""
    c = _frame(tables, "contracts")
    if c is None or contract_id not in set(c["contract_id"].dropna()):
        return None
    day = _day(as_of)
    row = c[c["contract_id"] == contract_id].iloc[0]
    contract = {f: (None if pd.isna(row.get(f)) else row.get(f)) for f in CONTRACT_FIELDS if f in c.columns}
    metrics = metric_status(tables, as_of=day, contract_id=contract_id)
    res = results_until(tables, day)
    res = res[res["contract_id"] == contract_id].merge(
        metrics[["metric_id", "metric_name", "unit", "target", "direction"]], on="metric_id", how="left")
    ch = _checkins(tables, day)
    ch = ch[ch["contract_id"] == contract_id].sort_values("meeting_date", ascending=False).reset_index(drop=True)
    ev = _frame(tables, "evaluations")
    ev = pd.DataFrame() if ev is None else ev[ev["contract_id"] == contract_id].reset_index(drop=True)
    _, _, _, label = _quarter(day, fy_start_month)
    due = checkins_due(tables, as_of=day, fy_start_month=fy_start_month)
    mine = due[due["contract_id"] == contract_id]
    return {"contract": contract, "metrics": metrics, "results": res.reset_index(drop=True), "checkins": ch,
            "evaluations": ev, "open_actions": None if ch.empty else ch["open_actions"].iloc[0],
            "last_checkin_date": None if ch.empty else ch["meeting_date"].iloc[0], "quarter": label,
            "checkin": None if mine.empty else mine["status"].iloc[0],
            "as_of": pd.Timestamp(day).date()}


# ----------------------------------------------------------------------------- checks on what is recorded


def contract_ids(tables) -> list[str]:
    """Every contract id of the contracts table, trimmed, once each, in table order (the pickers' choices)."""
    c = _frame(tables, "contracts")
    return [] if c is None else list(dict.fromkeys(str(x).strip() for x in c["contract_id"].dropna()))


def _contract_ids(tables) -> set[str]:
    c = _frame(tables, "contracts")
    return set() if c is None else {str(x).strip() for x in c["contract_id"].dropna()}


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v).strip()


def _value(raw, unit, where: str, problems: list[str], target: float | None = None) -> float | None:
    """A typed value from what was entered ('92%', '0.92', '4.5'); a percent metric takes 0-100% only. A metric
    with no unit whose target is a fraction (0 to 1) takes '92' as a question, not as 9,200%."""
    text = _text(raw)
    if not text:
        problems.append(f"{where}: a value is needed.")
        return None
    parsed = V.parse_number(pd.Series([text], dtype="str"))
    value = parsed.values.iloc[0]
    if not parsed.ok.iloc[0] or np.isnan(value):
        problems.append(f"{where}: {text!r} is not a number.")
        return None
    if is_percent(unit) and (not 0 <= value <= 1 or (value > 1 and "%" not in text)):
        hint = f" (write {text}% or {float(text) / 100:g})" if value > 1 and "%" not in text else ""
        problems.append(f"{where}: {text!r} cannot be a percent; percents are 0% to 100%{hint}.")
        return None
    if (not _text(unit) and target is not None and not np.isnan(target) and 0 < target <= 1 and value > 1
            and "%" not in text):
        problems.append(f"{where}: {text!r} is more than 1 but the target is {target:.0%}: if it is a percent, "
                        f"write {text}% or {value / 100:g}.")
        return None
    return float(value)


def _date(raw, where: str, problems: list[str]) -> pd.Timestamp | None:
    if isinstance(raw, (dt.date, pd.Timestamp)) and not pd.isna(raw):
        return pd.Timestamp(raw).normalize()
    text = _text(raw)
    if not text:
        problems.append(f"{where}: a date is needed.")
        return None
    parsed = V.parse_date(pd.Series([text], dtype="str"))
    if not parsed.ok.iloc[0] or pd.isna(parsed.values.iloc[0]):
        problems.append(f"{where}: {text!r} is not a date (write it as 2026-03-31).")
        return None
    return pd.Timestamp(parsed.values.iloc[0]).normalize()


def check_metrics(entered: pd.DataFrame, tables) -> tuple[pd.DataFrame, list[str]]:
    """Metric definitions as entered (contract_id, metric_id, metric_name, unit, direction, target, frequency)
    -> (rows to record, problems naming the row and column). Unknown contract, missing metric id, a direction
    other than higher/lower, a target that is not a number (or not a percent for a percent metric)."""
    known, problems, rows = _contract_ids(tables), [], []
    for i, r in enumerate(entered.to_dict("records"), start=1):
        if not any(_text(v) for v in r.values()):
            continue
        where = f"Row {i}"
        cid, mid = _text(r.get("contract_id")), _text(r.get("metric_id"))
        if cid not in known:
            problems.append(f"{where}, contract: {cid or '(blank)'} is not a contract in the contracts table.")
        if not mid:
            problems.append(f"{where}, metric code: a code is needed (for example ON-TIME).")
        sign = direction_sign(r.get("direction"))
        if sign == 0:
            problems.append(f"{where}, better when: choose higher or lower, not {_text(r.get('direction'))!r}.")
        target = None
        if _text(r.get("target")):
            target = _value(r.get("target"), r.get("unit"), f"{where}, target", problems)
        rows.append({"contract_id": cid, "metric_id": mid, "metric_name": _text(r.get("metric_name")) or None,
                     "unit": _text(r.get("unit")) or None, "direction": "higher" if sign > 0 else "lower",
                     "target": target, "frequency": _text(r.get("frequency")) or None})
    seen = pd.DataFrame(rows, columns=["contract_id", "metric_id"]).duplicated(list(METRIC_KEYS))
    for i in np.flatnonzero(seen.to_numpy()):
        problems.append(f"Row {i + 1}: metric {rows[i]['metric_id']} of {rows[i]['contract_id']} is entered twice.")
    return pd.DataFrame(rows), problems


def check_results(entered: pd.DataFrame, tables) -> tuple[pd.DataFrame, list[str]]:
    """Results as entered (contract_id, metric_id, period_end, value as text) -> (rows to record, problems).
    Unknown contract or metric, a bad date, a value that is not a number or cannot be a percent, and a
    duplicate: a second result for the same contract, metric and period (entered twice, or already recorded)."""
    known = _contract_ids(tables)
    defs = metric_definitions(tables).set_index(list(METRIC_KEYS))
    existing = results_until(tables, "2999-12-31").set_index(list(RESULT_KEYS))["value"]
    problems, rows = [], []
    for i, r in enumerate(entered.to_dict("records"), start=1):
        if not any(_text(v) for v in r.values()):
            continue
        cid, mid = _text(r.get("contract_id")), _text(r.get("metric_id"))
        where = f"Row {i} ({cid} {mid})".replace(" )", ")")
        if cid not in known:
            problems.append(f"Row {i}, contract: {cid or '(blank)'} is not a contract in the contracts table.")
            continue
        if (cid, mid) not in defs.index:
            problems.append(f"Row {i}, metric: {cid} has no metric {mid or '(blank)'}; add it under Metrics first.")
            continue
        unit, target = defs.loc[(cid, mid), "unit"], defs.loc[(cid, mid), "target"]
        when = _date(r.get("period_end"), f"{where}, period end", problems)
        value = _value(r.get("value"), unit, f"{where}, value", problems, target)
        if when is None or value is None:
            continue
        if (cid, mid, when) in existing.index:
            was = existing.loc[(cid, mid, when)]
            problems.append(f"{where}: a result for the period ending {when.date()} is already recorded "
                            f"({was:g}); a period has one result.")
            continue
        rows.append({"contract_id": cid, "metric_id": mid, "period_end": when, "value": value})
    frame = pd.DataFrame(rows, columns=list(RESULT_KEYS) + ["value"])
    for i in np.flatnonzero(frame.duplicated(list(RESULT_KEYS)).to_numpy()):
        r = rows[i]
        problems.append(f"{r['contract_id']} {r['metric_id']}: the period ending {r['period_end'].date()} is "
                        "entered twice; a period has one result.")
    return frame, problems


def check_checkins(entered: pd.DataFrame, tables) -> tuple[pd.DataFrame, list[str]]:
    """Check-ins as entered (contract_id, meeting_date, meeting_type, open_actions, notes) -> (rows, problems).
    Unknown contract, a bad date, open actions that are not a whole number of 0 or more."""
    known, problems, rows = _contract_ids(tables), [], []
    for i, r in enumerate(entered.to_dict("records"), start=1):
        if not any(_text(v) for v in r.values()):
            continue
        cid = _text(r.get("contract_id"))
        if cid not in known:
            problems.append(f"Row {i}, contract: {cid or '(blank)'} is not a contract in the contracts table.")
            continue
        when = _date(r.get("meeting_date"), f"Row {i} ({cid}), meeting date", problems)
        actions = None
        if _text(r.get("open_actions")):
            try:
                actions = float(_text(r.get("open_actions")))
            except ValueError:
                actions = -1.0
            if actions < 0 or actions != int(actions):
                problems.append(f"Row {i} ({cid}), open actions: {_text(r.get('open_actions'))!r} is not a whole "
                                "number of 0 or more.")
                continue
        if when is None:
            continue
        rows.append({"contract_id": cid, "meeting_date": when, "meeting_type": _text(r.get("meeting_type")) or None,
                     "open_actions": None if actions is None else int(actions), "notes": _text(r.get("notes")) or None})
    frame = pd.DataFrame(rows, columns=["contract_id", "meeting_date", "meeting_type", "open_actions", "notes"])
    if len(frame):
        frame["open_actions"] = frame["open_actions"].astype("Int64")
    return frame, problems


def reads_as_percent(unit: object, target: object) -> bool:
    """A percent metric: its unit says so, or it has no unit and a target written as a fraction (95% = 0.95)."""
    if is_percent(unit):
        return True
    return not _text(unit) and target is not None and not pd.isna(target) and 0 < float(target) <= 1


def format_metric(value: object, unit: object, target: object = None) -> str:
    """'92%' for a percent metric, else the number and its unit ('4.5 hours'); an em dash for no value."""
    if value is None or pd.isna(value):
        return "—"
    v = float(value)
    if reads_as_percent(unit, target):
        return f"{v:.1%}".replace(".0%", "%")
    text = f"{v:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {_text(unit)}".strip()


def format_target(target: object, unit: object, direction: str) -> str:
    """'at least 95%', 'at most 4 hours'; '—' without a target."""
    if target is None or pd.isna(target):
        return "—"
    word = "at most" if str(direction).startswith("lower") else "at least" if direction else ""
    return f"{word} {format_metric(target, unit, target)}".strip()


def by_metric(status: pd.DataFrame, contract_ids=None) -> pd.DataFrame:
    """The breakdown by metric (by name: the same measure across contracts): key contracts reporting it, how
    many of them are off track on it, and that share; most off track first. `status` is metric_status();
    `contract_ids` limits it (the key contracts)."""
    s = status if contract_ids is None else status[status["contract_id"].isin(set(contract_ids))]
    s = s[s["status"].isin((OFF_TRACK, ON_TRACK))]
    out = s.groupby("metric_name").agg(contracts=("contract_id", "nunique"),
                                       off_track=("status", lambda x: int((x == OFF_TRACK).sum())))
    out["off_track_share"] = out["off_track"] / out["contracts"]
    return out.reset_index().sort_values(["off_track_share", "contracts"], ascending=[False, False],
                                         kind="stable").reset_index(drop=True)
