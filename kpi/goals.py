"""Goals: the one status function, the most specific goal for a view, and the goals file an office keeps."""

from __future__ import annotations

import csv
import io
import math
import tomllib
from pathlib import Path

import pandas as pd

from .registry import KPIS, Goal

GOAL_COLUMNS = ("kpi_id", "fiscal_year", "scope_type", "scope_value", "target", "at_risk", "source", "note")
SCOPE_TYPES = ("department", "category")
STATUSES = ("met", "at_risk", "missed", "no_data", "no_goal")
_EPS = 1e-9


def _num(x) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def assess(value, target=None, at_risk=None, direction=None) -> str:
    """'met', 'at_risk', 'missed', 'no_data' (no value) or 'no_goal' (a value but no target).

    The one place direction is applied. Both limits are inclusive: for 'lower', value <= target is met and
    value <= at_risk is at risk; for 'higher', value >= target is met and value >= at_risk at risk. Without an
    at-risk limit, anything short of the target is missed. Also accepts assess(kpi_id, value, goal).
    """
    if isinstance(value, str) and value in KPIS:  # assess(kpi_id, value, goal)
        kpi, goal = KPIS[value], at_risk if at_risk is not None else direction
        value = target
        goal = kpi.goal if goal is None else goal
        target, at_risk = _num(_get(goal, "target")), _num(_get(goal, "at_risk"))
        direction = kpi.direction
    v, t, r = _num(value), _num(target), _num(at_risk)
    if v is None:
        return "no_data"
    if t is None or direction not in ("higher", "lower"):
        return "no_goal"
    sign = 1.0 if direction == "higher" else -1.0
    tol = _EPS * max(1.0, abs(t))
    if sign * (v - t) >= -tol:
        return "met"
    if r is not None and sign * (v - r) >= -_EPS * max(1.0, abs(r)):
        return "at_risk"
    return "missed"


def _get(goal, key):
    if goal is None:
        return None
    return goal.get(key) if isinstance(goal, dict) else getattr(goal, key, None)


def empty_goals() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("target", "at_risk") else
                                      "Int64" if c == "fiscal_year" else "str") for c in GOAL_COLUMNS})


def _blank(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or (isinstance(x, str) and not x.strip())


def resolve_goal(kpi_id: str, goals_df: pd.DataFrame | None = None, fiscal_year: int | None = None,
                 scope: tuple[str, str] | None = None, *, filters=None) -> Goal | None:
    """The goal for a KPI: (fiscal year + scope) > scope > fiscal year > office default > registry default.

    `filters` (a kpi.Filters) may stand in for fiscal_year (its only fiscal year) and scope (its only
    department, else its only category). Returns None when the KPI has no goal at all.
    """
    if kpi_id not in KPIS:
        raise ValueError(f"unknown KPI id {kpi_id!r}")
    if filters is not None:
        if fiscal_year is None and len(filters.fiscal_years) == 1:
            fiscal_year = filters.fiscal_years[0]
        if scope is None:
            scope = filters.scope
    default = KPIS[kpi_id].goal
    if goals_df is None or len(goals_df) == 0 or "kpi_id" not in goals_df:
        return default
    rows = goals_df[goals_df["kpi_id"].astype("str") == kpi_id]
    if rows.empty:
        return default
    best, best_rank = None, -1
    for row in rows.to_dict("records"):  # a handful of goal rows per KPI
        fy = row.get("fiscal_year")
        st, sv = row.get("scope_type"), row.get("scope_value")
        has_fy, has_scope = not _blank(fy), not _blank(st) and not _blank(sv)
        if has_fy and (fiscal_year is None or int(fy) != int(fiscal_year)):
            continue
        if has_scope and (scope is None or (str(st).strip().lower(), str(sv).strip()) !=
                          (str(scope[0]).strip().lower(), str(scope[1]).strip())):
            continue
        rank = 2 * has_scope + has_fy
        if rank > best_rank:
            best, best_rank = row, rank
    if best is None:
        return default
    source = "" if _blank(best.get("source")) else str(best.get("source"))
    note = "" if _blank(best.get("note")) else str(best.get("note"))
    return Goal(_num(best.get("target")), _num(best.get("at_risk")), source or "set by your office", note)


# ----------------------------------------------------------------------------- goals file


def _validate(rows: list[dict], where: str) -> pd.DataFrame:
    out = []
    for i, row in enumerate(rows, start=1):
        unknown = [k for k in row if k not in GOAL_COLUMNS]
        if unknown:
            raise ValueError(f"{where} goal {i}: unknown key {unknown[0]!r} (keys: {', '.join(GOAL_COLUMNS)})")
        kid = str(row.get("kpi_id") or "").strip()
        if not kid:
            raise ValueError(f"{where} goal {i}: kpi_id is missing")
        if kid not in KPIS:
            raise ValueError(f"{where} goal {i}: unknown KPI id {kid!r}")
        rec = {c: row.get(c) for c in GOAL_COLUMNS}
        rec["kpi_id"] = kid
        for c in ("target", "at_risk"):
            if not _blank(rec[c]) and _num(rec[c]) is None:
                raise ValueError(f"{where} goal {i} ({kid}): {c} {rec[c]!r} is not a number")
            rec[c] = _num(rec[c])
        if not _blank(rec["fiscal_year"]):
            try:
                rec["fiscal_year"] = int(float(rec["fiscal_year"]))
            except (TypeError, ValueError):
                raise ValueError(f"{where} goal {i} ({kid}): fiscal_year {rec['fiscal_year']!r} is not a year") from None
        else:
            rec["fiscal_year"] = None
        st = None if _blank(rec["scope_type"]) else str(rec["scope_type"]).strip().lower()
        if st is not None and st not in SCOPE_TYPES:
            raise ValueError(f"{where} goal {i} ({kid}): unknown scope_type {rec['scope_type']!r} "
                             f"(use {' or '.join(SCOPE_TYPES)})")
        if (st is None) != _blank(rec["scope_value"]):
            raise ValueError(f"{where} goal {i} ({kid}): scope_type and scope_value go together")
        rec["scope_type"] = st
        direction = KPIS[kid].direction
        t, r = rec["target"], rec["at_risk"]
        if t is not None and r is not None:
            if direction == "lower" and t > r:
                raise ValueError(f"{where} goal {i} ({kid}): lower is better, so target {t:g} must not exceed "
                                 f"at_risk {r:g}")
            if direction == "higher" and t < r:
                raise ValueError(f"{where} goal {i} ({kid}): higher is better, so target {t:g} must not be "
                                 f"below at_risk {r:g}")
        for c in ("scope_value", "source", "note"):
            rec[c] = None if _blank(rec[c]) else str(rec[c])
        out.append(rec)
    if not out:
        return empty_goals()
    df = pd.DataFrame(out, columns=list(GOAL_COLUMNS))
    df["fiscal_year"] = df["fiscal_year"].astype("Int64")
    for c in ("target", "at_risk"):
        df[c] = df[c].astype("float64")
    for c in ("kpi_id", "scope_type", "scope_value", "source", "note"):
        df[c] = df[c].astype("str")
    return df


def load_goals_file(path_or_text) -> pd.DataFrame:
    """Goals from a TOML ([[goal]] tables) or CSV file, or from its text; unknown KPI ids or keys and goals
    whose order contradicts the KPI's direction are a ValueError naming them."""
    text, where, fmt = None, "goals", None
    if isinstance(path_or_text, Path) or (isinstance(path_or_text, str) and "\n" not in path_or_text
                                          and len(path_or_text) < 1024 and Path(path_or_text).is_file()):
        path = Path(path_or_text)
        text, where = path.read_text(encoding="utf-8-sig"), path.name
        fmt = {".toml": "toml", ".csv": "csv"}.get(path.suffix.lower())
    else:
        text = str(path_or_text)
    if fmt is None:
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        fmt = "csv" if first.replace(" ", "").startswith("kpi_id,") else "toml"
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = [{k.strip(): (v if v is None else v.strip()) for k, v in r.items() if k is not None} for r in reader]
        if reader.fieldnames:
            unknown = [k.strip() for k in reader.fieldnames if k.strip() not in GOAL_COLUMNS]
            if unknown:
                raise ValueError(f"{where}: unknown column {unknown[0]!r} (columns: {', '.join(GOAL_COLUMNS)})")
        return _validate(rows, where)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{where}: not valid TOML ({exc})") from None
    unknown = [k for k in data if k != "goal"]
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} (a goals file holds [[goal]] tables)")
    goals = data.get("goal", [])
    if not isinstance(goals, list):
        raise ValueError(f"{where}: 'goal' must be a list of [[goal]] tables")
    return _validate(goals, where)


def dump_goals_file(goals_df: pd.DataFrame, path=None, fmt: str = "toml") -> str:
    """Write goals as TOML ([[goal]] tables) or CSV; returns the text (and writes it when path is given)."""
    df = _validate([{k: v for k, v in r.items() if k in GOAL_COLUMNS} for r in
                    (goals_df.to_dict("records") if goals_df is not None else [])], "goals")
    if fmt not in ("toml", "csv"):
        raise ValueError(f"unknown goals file format {fmt!r}: use toml or csv")
    if fmt == "csv":
        text = df.to_csv(index=False, lineterminator="\n")
    else:
        import tomli_w

        goals = []
        for r in df.to_dict("records"):
            g = {}
            for c in GOAL_COLUMNS:
                v = r[c]
                if _blank(v):
                    continue
                g[c] = int(v) if c == "fiscal_year" else float(v) if c in ("target", "at_risk") else str(v)
            goals.append(g)
        header = "# Procurement KPI goals: one [[goal]] per KPI, optionally per fiscal_year and scope.\n"
        text = header + tomli_w.dumps({"goal": goals})
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def default_goals() -> pd.DataFrame:
    """The registry's default goals as a goals frame (a starting file for an office)."""
    rows = [{"kpi_id": k.id, "target": k.goal.target, "at_risk": k.goal.at_risk, "source": k.goal.source}
            for k in KPIS.values() if k.goal is not None and k.goal.target is not None]
    return _validate(rows, "defaults")
