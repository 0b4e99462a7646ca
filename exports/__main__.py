"""Command line: the monthly briefing, one chart, or the KPI workbook, from a workspace folder.

    python -m exports briefing --workspace DIR [--fy YEAR] [--quarter Q] [--kpis id,id,...] --out FILE.pptx
    python -m exports chart --workspace DIR --kpi ID [--fy YEAR] --out FILE.png|.svg|.pdf
    python -m exports table --workspace DIR [--fy YEAR] --out FILE.xlsx
    python -m exports checkin --workspace DIR --contract ID [--as-of DATE] [--fy-start-month M] --out FILE.pptx

Each also takes --source URL [--schema S]: computed in that database (tables named as the canonical ones, as
`python -m kpi report --source`), the workspace lending its goals, settings and import history.

Bad input exits with status 2 and one line on standard error saying what to fix.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

USAGE_ERROR = 2
CHART_SUFFIXES = (".png", ".svg", ".pdf")


class UsageError(Exception):
    """Input the user can fix; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, status 2 (argparse's own code, without the usage dump)
        if "required: command" in message:
            message = "choose a command: briefing, chart, table or checkin (see --help)"
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m exports", description="Leadership exports from a workspace folder.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(sp, *, fy=True):
        sp.add_argument("--workspace", required=True, metavar="DIR",
                        help="workspace folder (with --source: its goals, settings and import history)")
        sp.add_argument("--source", metavar="URL",
                        help="compute in this database instead (tables named as the canonical ones), e.g. "
                             "postgresql+psycopg://user@host/db; the password may come from "
                             "PROCUREMENT_KPI_SOURCE_PASSWORD")
        sp.add_argument("--schema", metavar="S", help="the database schema holding the tables (with --source)")
        if fy:
            sp.add_argument(
                "--fy", type=int, metavar="YEAR", help="fiscal year (default: the latest in the data)"
            )
        sp.add_argument("--out", required=True, metavar="FILE", help="output file")

    b = sub.add_parser("briefing", help="the PowerPoint briefing (.pptx)")
    common(b)
    b.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), metavar="Q", help="fiscal quarter 1-4")
    b.add_argument("--kpis", metavar="ID,ID,...", help="KPI ids, one slide each (default: the scorecard)")
    c = sub.add_parser("chart", help="one KPI's trend chart (.png, .svg or .pdf)")
    common(c)
    c.add_argument("--kpi", required=True, metavar="ID", help="KPI id")
    t = sub.add_parser("table", help="the scorecard and KPI tables (.xlsx)")
    common(t)
    s = sub.add_parser("scorecard-pdf", help="the one-page scorecard (.pdf) that goes beside the deck")
    common(s)
    s.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), metavar="Q", help="fiscal quarter 1-4")
    k = sub.add_parser("checkin", help="one contract's check-in pack for its quarterly vendor meeting (.pptx)")
    common(k, fy=False)
    k.add_argument("--contract", required=True, metavar="ID", help="contract id (exactly as in the contracts table)")
    k.add_argument("--as-of", metavar="DATE", help="data-through date YYYY-MM-DD (default: the workspace's)")
    k.add_argument("--fy-start-month", type=int, metavar="M", help="first month of the fiscal year (1-12)")
    return p


def _tables(ws, args):
    """Where the numbers are computed: the database named by --source, else the workspace's own tables (its
    Parquet files, read in place as the app reads them)."""
    from kpi.sql.source import Source

    if args.schema and not args.source:
        raise UsageError("--schema goes with --source (the database holding the tables)")
    if not args.source:
        return Source.from_workspace(ws)
    from kpi.cli import CliError, database_source

    try:
        return database_source(args.source, args.schema)
    except CliError as exc:
        raise UsageError(str(exc)) from None


def _checkin(ws, args) -> tuple[bytes, str]:
    import datetime as dt

    from kpi import periods as P
    from kpi.cli import default_as_of

    from .checkin import CheckinError, checkin_pptx

    settings = ws.settings()
    fy = args.fy_start_month or int(settings.get("fiscal_year_start_month") or 7)
    if not 1 <= fy <= 12:
        raise UsageError(f"--fy-start-month must be 1-12, not {fy}")
    tables = _tables(ws, args)
    try:
        as_of = P.as_day(args.as_of).astype(dt.date) if args.as_of else default_as_of(settings, tables)
    except ValueError:
        as_of = None
    if as_of is None:
        raise UsageError(f"--as-of is not a date (write it as 2026-03-31): {args.as_of}")
    try:
        data = checkin_pptx(tables, args.contract, as_of=as_of, fy_start_month=fy,
                            office=settings.get("office_name") or "")
    except CheckinError as exc:
        raise UsageError(str(exc)) from None
    return data, f"contract {args.contract}, data through {as_of}"


def _workspace(path: str):
    folder = Path(path)
    if not folder.is_dir():
        raise UsageError(f"workspace folder not found: {path}")
    from storage.workspace import CATALOGUE, Workspace, WorkspaceError

    if not (folder / CATALOGUE).is_file():
        raise UsageError(f"not a workspace folder (no {CATALOGUE}): {path}")
    try:
        ws = Workspace(folder)
        ws.settings()
    except WorkspaceError as exc:
        raise UsageError(f"cannot open workspace {path}: {exc}") from exc
    return ws


def _out(path: str, suffixes: tuple[str, ...]) -> Path:
    out = Path(path)
    if out.suffix.lower() not in suffixes:
        raise UsageError(f"--out must end in {' or '.join(suffixes)}: {path}")
    if not out.parent.exists():
        raise UsageError(f"output folder does not exist: {out.parent}")
    return out


def _briefing(ws, args, **kwargs):
    from .briefing import BriefingError, prepare_briefing

    if not args.source and ws.is_empty and not ws.settings().get("sample_data"):
        raise UsageError(f"workspace {ws.path} has no data: import files on the Data page first")
    tables = _tables(ws, args)
    try:
        return prepare_briefing(tables, ws.goals(), ws.settings(), imports=ws.imports(), **kwargs)
    except BriefingError as exc:
        raise UsageError(str(exc)) from exc


def run(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    if args.command == "briefing":
        out = _out(args.out, (".pptx",))
        ws = _workspace(args.workspace)
        kpis = [k.strip() for k in args.kpis.split(",") if k.strip()] if args.kpis else None
        if args.kpis is not None and not kpis:
            raise UsageError("--kpis is empty: give KPI ids separated by commas")
        from .deck import briefing_pptx

        b = _briefing(ws, args, kpis=kpis, fy=args.fy, quarter=args.quarter)
        data = briefing_pptx(b)
        what = f"{_slide_count(data)} slides, {b.period_label}"
    elif args.command == "scorecard-pdf":
        out = _out(args.out, (".pdf",))
        ws = _workspace(args.workspace)
        from .scorecard_pdf import scorecard_pdf

        b = _briefing(ws, args, fy=args.fy, quarter=args.quarter)
        data = scorecard_pdf(b)
        what = f"{len(b.slides)} KPIs, {b.period_label}"
    elif args.command == "chart":
        out = _out(args.out, CHART_SUFFIXES)
        ws = _workspace(args.workspace)
        from .render import chart_bytes

        b = _briefing(ws, args, kpis=[args.kpi], fy=args.fy)
        data = chart_bytes(b.slides[0].export_chart, out.suffix)
        what = f"{args.kpi}, {b.period_label}"
    elif args.command == "checkin":
        out = _out(args.out, (".pptx",))
        data, what = _checkin(_workspace(args.workspace), args)
    else:
        out = _out(args.out, (".xlsx",))
        ws = _workspace(args.workspace)
        from .briefing import briefing_xlsx

        b = _briefing(ws, args, fy=args.fy)
        data = briefing_xlsx(b)
        what = f"{len(b.slides)} KPIs, {b.period_label}"
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out} ({what}; {len(data) / 1024:,.0f} KB in {time.perf_counter() - started:.1f} s)")
    return 0


def _slide_count(pptx: bytes) -> int:
    import io

    from pptx import Presentation

    return len(Presentation(io.BytesIO(pptx)).slides)


def _source_url(argv: list[str] | None) -> str | None:
    """The --source URL of the command line (to keep its password out of a message)."""
    args = list(sys.argv[1:] if argv is None else argv)
    return args[args.index("--source") + 1] if "--source" in args[:-1] else None


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the command line's boundary: one line, never a traceback
        from kpi.sql.source import describe_failure, is_database_failure

        if is_database_failure(exc):  # a --source database failing after it was reached: the office's to fix
            print(f"error: the database failed: {describe_failure(exc, _source_url(argv))}", file=sys.stderr)
            return USAGE_ERROR
        text = " ".join(str(exc).split())[:300] or type(exc).__name__
        print(f"error: the export could not be made ({type(exc).__name__}: {text}); report it to the maintainers "
              "with the command you ran.", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
