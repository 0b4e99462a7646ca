"""python -m kpi: `report` (every KPI for a period, as a table or JSON) and `docs`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

import pandas as pd

from . import now
from . import periods as P
from .format import format_date, format_goal_value, format_kpi_value
from .registry import KPIS, SCORECARD
from .results import Filters
from .sql.engine import compute_all

TABLES = ("solicitations", "bids", "contracts", "payments", "vendors", "evaluations", "engagements")

STATUS_WORDS = {"met": "met", "at_risk": "at risk", "missed": "missed", "no_data": "no data", "no_goal": "no goal"}


def _workspace_inputs(path: str, *, in_memory: bool = False):
    """Tables, goals and settings of a workspace folder (storage is imported here only). The tables are the
    workspace's Parquet files, read in place by embedded DuckDB; with `in_memory`, its tables as frames
    (computed by the same engine, registered in an in-memory DuckDB)."""
    folder = Path(path)
    if not folder.is_dir():
        raise CliError(f"workspace folder not found: {folder}")
    from storage.workspace import CATALOGUE, Workspace, WorkspaceError

    from .sql.source import Source

    if not (folder / CATALOGUE).is_file():  # a report never creates a workspace in a stray folder
        raise CliError(f"not a workspace folder (no {CATALOGUE}): {folder}")
    try:
        ws = Workspace(folder)
        tables = dict(ws.tables()) if in_memory else Source.from_workspace(ws)
        goals = ws.goals() if hasattr(ws, "goals") else None
        settings = ws.settings() if hasattr(ws, "settings") else {}
    except WorkspaceError as exc:
        raise CliError(f"cannot open workspace {folder}: {' '.join(str(exc).split())}") from None
    return tables, goals, dict(settings or {})


def database_source(url: str, schema: str | None):
    """The canonical tables where they live (kpi.sql computes there; only aggregates come back); the password
    may come from PROCUREMENT_KPI_SOURCE_PASSWORD. CliError when the database cannot be used."""
    import os

    from .sql.source import Source, SourceError

    password = os.environ.get("PROCUREMENT_KPI_SOURCE_PASSWORD")
    if password:
        from sqlalchemy.engine import make_url

        url = make_url(url).set(password=password).render_as_string(hide_password=False)
    try:
        src = Source.from_url(url, schema=schema)
    except SourceError as exc:
        raise CliError(str(exc)) from None
    if not src.tables:
        raise CliError(f"no canonical tables ({', '.join(TABLES)}) in {src.label}"
                       f"{f' schema {schema}' if schema else ''}")
    return src


def _database_failed(exc: Exception, tables, args) -> int:
    """A database that fails after it was reached (a table dropped, the connection lost): one line naming it,
    without its password, and status 2; any other error is re-raised."""
    from .sql.source import describe_failure, is_database_failure

    if not (args.source and is_database_failure(exc)):
        raise exc
    print(f"error: the KPIs could not be computed in {getattr(tables, 'label', 'the database')}"
          f"{f' (schema {args.schema})' if args.schema else ''}: {describe_failure(exc, args.source)}",
          file=sys.stderr)
    return 2


class CliError(Exception):
    """Input the user can fix: printed as one line, exit status 2."""


def default_as_of(settings: dict, tables=None) -> dt.date:
    """The data-through date the app uses: the workspace's as_of setting, else the latest date in the data,
    else today (see kpi.now.data_through)."""
    return now.data_through(tables or {}, settings)


def _num(x):
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _period_json(period: now.Period) -> dict:
    return {"kind": period.kind, "label": period.label, "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "comparison": {"label": period.comparison_label, "from": period.comparison_start.isoformat(),
                           "to": period.comparison_end.isoformat()}}


def report_data(tables, goals=None, *, fiscal_year: int | None = None, grain: str = "year",
                fy_start_month: int = 7, as_of=None, window: str = "ytd") -> dict:
    """The report as a dict (what --json prints): every KPI's value and status for the period the app's
    Overview opens on (the fiscal year holding the as-of date, to date, against the same months a year
    earlier; `fiscal_year` or `window='12m'` choose another), from the same scorecard(), plus the KPI by
    period at `grain`."""
    from .scorecard import scorecard

    grain = P.normalise_grain(grain)
    as_of = pd.Timestamp(as_of).date() if as_of is not None else now.data_through(tables)
    period = now.resolve_period(as_of, (fiscal_year,) if fiscal_year else (), window, fy_start_month)
    card = scorecard(tables, goals, filters=Filters(), grain="year", fy_start_month=fy_start_month, as_of=as_of,
                     period=period, kpis=tuple(KPIS))
    by_period = compute_all(tables, grain=grain, fy_start_month=fy_start_month, as_of=as_of)
    out = {
        "fiscal_year": period.fiscal_year,
        "fiscal_year_start_month": fy_start_month,
        "as_of": str(P.as_day(as_of)),
        "grain": grain,
        "period": _period_json(period),
        "data_notes": now.lag_notes(tables, as_of),
        "kpis": [],
    }
    for row in card.to_dict("records"):
        res = by_period[row["kpi_id"]]
        f = res.frame
        f = f[f["n"] > 0] if len(f) else f
        out["kpis"].append({
            "id": row["kpi_id"],
            "kpi_id": row["kpi_id"],
            "title": row["title"],
            "theme": row["theme"],
            "unit": row["unit"],
            "direction": row["direction"],
            "scorecard": row["kpi_id"] in SCORECARD,
            "period": row["period_label"],
            "value": _num(row["value"]),
            "n": int(row["n"]),
            "excluded": int(row["excluded"]),
            "target": _num(row["target"]),
            "at_risk": _num(row["at_risk"]),
            "goal": {"target": _num(row["target"]), "at_risk": _num(row["at_risk"]), "source": row["goal_source"]},
            "status": row["status"],
            "partial": bool(row["partial"]),
            "summary": row["sentence"],
            "missing": list(row["missing"]),
            "comparison": {"period": row["comparison_name"], "value": _num(row["yoy_value"])},
            "dollars": ({"numerator": _num(row["numerator"]), "denominator": _num(row["denominator"])}
                        if _num(row["denominator"]) is not None else None),
            "periods": [{"period": r["period_label"], "value": _num(r["value"]), "n": int(r["n"]),
                         "partial": bool(r["partial"])} for r in f.to_dict("records")],
        })
    return out


def _text(data: dict) -> str:
    start = dt.date(2000, data["fiscal_year_start_month"], 1).strftime("%B")
    p = data["period"]
    head = (f"{p['label']} ({format_date(p['from'])} to {format_date(p['to'])}), compared with "
            f"{p['comparison']['label']}\nData through {format_date(data['as_of'])} (fiscal years start in {start})")
    head += "".join(f"\n{note}" for note in data.get("data_notes", []))
    rows = [("KPI", "value", "n", "goal", "status")]
    for k in data["kpis"]:
        t, r = k["target"], k["at_risk"]
        goal = "" if t is None else format_goal_value(t, k["unit"]) + (
            "" if r is None else f" / {format_goal_value(r, k['unit'])}")
        mark = "*" if k["scorecard"] else " "
        rows.append((f"{mark} {k['title']}", format_kpi_value(k["value"], k["unit"], t, r) if k["value"] is not None
                     else "no data", f"{k['n']:,}", goal, STATUS_WORDS.get(k["status"], k["status"])))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [head, ""]
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if j in (0, 3, 4) else c.rjust(w) for j, (c, w) in
                               enumerate(zip(r, widths, strict=True))).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", "* leadership scorecard; goal = target / at-risk limit (inclusive)", ""]
    lines += [k["summary"] for k in data["kpis"] if k["scorecard"]]
    missing = [f"  {k['id']}: {'; '.join(k['missing'])}" for k in data["kpis"] if k["missing"]]
    if missing:
        lines += ["", "No data (missing columns):", *missing]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kpi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="every KPI's value, goal and status for a fiscal year")
    rep.add_argument("--workspace", help="workspace folder (with --source: its goals and settings only)")
    rep.add_argument("--source", help="compute in this database instead (tables named as the canonical ones), "
                                      "e.g. postgresql+psycopg://user@host/db; the password may come from "
                                      "PROCUREMENT_KPI_SOURCE_PASSWORD")
    rep.add_argument("--schema", help="the database schema holding the tables (with --source)")
    rep.add_argument("--engine", choices=["pandas", "duckdb"], default="duckdb",
                     help="duckdb (default): embedded DuckDB reads the workspace's Parquet files in place; pandas "
                          "(kept for existing scripts): the tables are read into memory first. The same KPI "
                          "definitions compute both, with the same numbers")
    rep.add_argument("--fy", type=int, help="fiscal year (default: the one holding the data-through date, to date)")
    rep.add_argument("--window", choices=list(now.WINDOWS), default="ytd",
                     help="ytd: the fiscal year to date (default); 12m: the last 12 months")
    rep.add_argument("--grain", default="year", choices=["fy", "year", "quarter", "month"],
                     help="periods listed per KPI (the value is always the fiscal year's)")
    rep.add_argument("--as-of", help="data-through date YYYY-MM-DD (default: the workspace's, else today)")
    rep.add_argument("--fy-start-month", type=int, help="first month of the fiscal year (default: the setting)")
    rep.add_argument("--json", action="store_true", help="print JSON")
    docs = sub.add_parser("docs", help="write docs/kpis.md from the registry")
    docs.add_argument("--check", action="store_true", help="fail if docs/kpis.md is out of date")
    args = parser.parse_args(argv)

    if args.command == "docs":
        from .docs import DOC_PATH, render, write

        if args.check:
            ok = DOC_PATH.is_file() and DOC_PATH.read_text(encoding="utf-8") == render()
            print("docs/kpis.md is up to date" if ok else "docs/kpis.md is out of date: run python -m kpi docs")
            return 0 if ok else 1
        print(f"wrote {write()}")
        return 0

    if not args.workspace and not args.source:
        parser.error("give --workspace, --source, or both")
    try:
        tables, goals, settings = (_workspace_inputs(args.workspace, in_memory=args.engine == "pandas")
                                   if args.workspace else ({}, None, {}))
        if args.source:
            tables = database_source(args.source, args.schema)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    fy_start = args.fy_start_month or int(settings.get("fiscal_year_start_month") or 7)
    try:
        P.check_start_month(fy_start)
        as_of = P.as_day(args.as_of).astype(dt.date) if args.as_of else default_as_of(settings, tables)
        if args.as_of and as_of is None:
            raise ValueError
    except (ValueError, TypeError):
        parser.error(f"bad --as-of or --fy-start-month: {args.as_of!r}, {fy_start!r}")
    except Exception as exc:
        return _database_failed(exc, tables, args)
    try:
        data = report_data(tables, goals, fiscal_year=args.fy, grain=args.grain, fy_start_month=fy_start,
                           as_of=as_of, window=args.window)
    except Exception as exc:
        return _database_failed(exc, tables, args)
    if args.json:
        json.dump(data, sys.stdout, indent=2)
        print()
    else:
        print(_text(data))
    return 0
