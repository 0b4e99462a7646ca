"""Goals: the one status function, the most specific goal for a view, and the goals file an office keeps."""

from __future__ import annotations

import csv
import io
import math
import tomllib
from dataclasses import dataclass
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


@dataclass(frozen=True)
class GoalCheck:
    """What validate_goals found: the clean goals (GOAL_COLUMNS), every problem (nothing should be saved while
    there is one) and notes on what was adjusted (a share typed as a percentage)."""

    goals: pd.DataFrame
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


MIN_YEAR, MAX_YEAR = 1990, 2100


# How a goals file names its fields (its own keys) and how the Goals page names them (plain words).
FILE_WORDS = {c: c for c in GOAL_COLUMNS}
PAGE_WORDS = {"kpi_id": "KPI", "fiscal_year": "fiscal year", "scope_type": "scope", "scope_value": "department or "
              "category name", "target": "target", "at_risk": "at-risk limit", "source": "source", "note": "note"}


def _check_row(row: dict, kid: str, where: str, words: dict) -> tuple[dict | None, list[str], list[str]]:
    """One goal row against the rules; (clean record or None, problems, notes)."""
    problems, notes = [], []
    w = words.get
    kpi = KPIS[kid]
    rec = {c: row.get(c) for c in GOAL_COLUMNS}
    rec["kpi_id"] = kid
    for c in ("target", "at_risk"):
        if not _blank(rec[c]) and _num(rec[c]) is None:
            problems.append(f"{where}: {w(c)} {rec[c]!r} is not a number")
        rec[c] = _num(rec[c])
    t, r = rec["target"], rec["at_risk"]
    if t is None and not any(p.startswith(f"{where}: {w('target')}") for p in problems):
        problems.append(f"{where}: the target is empty")
    if kpi.unit == "share" and t is not None:
        if t > 1 or (r is not None and r > 1):
            if t <= 100 and (r is None or r <= 100):
                t, r = t / 100, (r / 100 if r is not None else None)
                notes.append(f"{where}: read as percentages ({t:.0%}).")
            else:
                problems.append(f"{where}: a share goal is a percentage between 0 and 100")
        if t < 0 or (r is not None and r < 0):
            problems.append(f"{where}: a share goal cannot be negative")
    rec["target"], rec["at_risk"] = t, r
    if t is not None and r is not None:
        if kpi.direction == "lower" and t > r:
            problems.append(f"{where}: lower is better, so {w('target')} {t:g} must not exceed {w('at_risk')} {r:g} "
                            "(the at-risk limit is at or above the target)")
        if kpi.direction == "higher" and t < r:
            problems.append(f"{where}: higher is better, so {w('target')} {t:g} must not be below {w('at_risk')} "
                            f"{r:g} (the at-risk limit is at or below the target)")
    fy = rec["fiscal_year"]
    rec["fiscal_year"] = None
    if not _blank(fy):
        y = _num(fy)
        if y is None or y != int(y) or not MIN_YEAR <= y <= MAX_YEAR:
            problems.append(f"{where}: {w('fiscal_year')} {fy!r} is not a year like 2026")
        else:
            rec["fiscal_year"] = int(y)
    st = None if _blank(rec["scope_type"]) else str(rec["scope_type"]).strip().lower()
    if st is not None and st not in SCOPE_TYPES:
        problems.append(f"{where}: unknown {w('scope_type')} {rec['scope_type']!r} (use {' or '.join(SCOPE_TYPES)})")
    elif (st is None) != _blank(rec["scope_value"]):
        problems.append(f"{where}: {w('scope_type')} and {w('scope_value')} go together: give both the scope (department or "
                        "category) and its name, or neither")
    rec["scope_type"] = st
    for c in ("scope_value", "source", "note"):
        rec[c] = None if _blank(rec[c]) else str(rec[c]).strip() if c == "scope_value" else str(rec[c])
    return (None if problems else rec), problems, notes


def validate_goals(rows, where: str = "", *, noun: str = "goal", numbers=None, words: dict | None = None,
                   kpi_name=None) -> GoalCheck:
    """The one validation of goals (the Goals page, the goals file, storage): every problem of every row is
    collected, each naming the row ('goals.toml goal 2 (single_bid_share): ...'). `rows` are dicts or a frame;
    `numbers` the row numbers to name (default 1, 2, ...). Shares typed as percentages (25 for 25%) become
    fractions, with a note. Blank rows are skipped; a KPI, year and scope may have one goal only. `words` names
    the fields (FILE_WORDS, the file's keys, by default; PAGE_WORDS on the Goals page) and `kpi_name` a KPI (its
    id by default)."""
    words = words or FILE_WORDS
    name = kpi_name or (lambda k: k)
    if isinstance(rows, pd.DataFrame):
        rows = rows.to_dict("records")
    rows = list(rows)
    numbers = list(numbers) if numbers is not None else list(range(1, len(rows) + 1))
    out, problems, notes, seen = [], [], [], {}
    for i, row in zip(numbers, rows, strict=True):
        if all(_blank(v) for v in row.values()):
            continue
        label = f"{where} {noun} {i}".strip()
        label = label[0].upper() + label[1:] if not where else label
        unknown = [k for k in row if k not in GOAL_COLUMNS]
        if unknown:
            problems.append(f"{label}: unknown key {unknown[0]!r} (keys: {', '.join(GOAL_COLUMNS)})")
            continue
        kid = "" if _blank(row.get("kpi_id")) else str(row.get("kpi_id")).strip()
        if not kid:
            problems.append(f"{label}: {words['kpi_id']} is missing; choose one of the KPIs")
            continue
        if kid not in KPIS:
            problems.append(f"{label}: unknown KPI id {kid!r}; choose one from the list")
            continue
        rec, row_problems, row_notes = _check_row(row, kid, f"{label} ({name(kid)})", words)
        problems += row_problems
        notes += row_notes
        if rec is None:
            continue
        key = (kid, rec["fiscal_year"], rec["scope_type"], rec["scope_value"])
        if key in seen:
            problems.append(f"{label} ({name(kid)}): a second goal for the same KPI, year and scope (see {noun} "
                            f"{seen[key]})")
            continue
        seen[key] = i
        out.append(rec)
    return GoalCheck(_goals_frame(out), tuple(problems), tuple(notes))


def _goals_frame(records: list[dict]) -> pd.DataFrame:
    if not records:
        return empty_goals()
    df = pd.DataFrame(records, columns=list(GOAL_COLUMNS))
    df["fiscal_year"] = df["fiscal_year"].astype("Int64")
    for c in ("target", "at_risk"):
        df[c] = df[c].astype("float64")
    for c in ("kpi_id", "scope_type", "scope_value", "source", "note"):
        df[c] = df[c].astype("str")
    return df


def _validate(rows: list[dict], where: str) -> pd.DataFrame:
    """The goals of a file or frame, or a ValueError listing every problem."""
    check = validate_goals(rows, where)
    if check.problems:
        raise ValueError("; ".join(check.problems))
    return check.goals


def load_goals_file(path_or_text) -> pd.DataFrame:
    """Goals from a TOML ([[goal]] tables) or CSV file, or from its text; unknown KPI ids or keys and goals
    whose order contradicts the KPI's direction are a ValueError naming them."""
    text, where, fmt = None, "goals file", None
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
