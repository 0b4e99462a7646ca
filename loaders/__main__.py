"""Command line: `python -m loaders inspect PATH [--sheet S] [--table T] [--json]` and
`python -m loaders import PATH [--sheet S] --table T [--mapping FILE.json] [--duplicates latest|all] --workspace DIR`.

Database sources take a SQLAlchemy URL (or a configured connection's name) instead of PATH, with
`--sql-table NAME` or `--sql-query "SELECT ..."`:
`python -m loaders inspect URL --sql-table NAME [--json]`,
`python -m loaders import URL --sql-table NAME --table T [--mapping FILE.json] --workspace DIR`, and
`python -m loaders refresh SOURCE_NAME --workspace DIR` re-imports a source saved in the app.
`python -m loaders evaluate CORPUS_FOLDER [--json | --markdown]` scores the loaders on a corpus of real exports and their
answers (see loaders/evaluate.py); it exits 0 whatever the score, 2 when the folder cannot be read.

Bad input exits with status 2 and one line on stderr naming the file (or the password-free URL) and
what to do.
"""

from __future__ import annotations

import argparse
import builtins
import json
import re
import sys
from pathlib import Path

from .api import Part, import_file, import_sql, inspect_file, inspect_sql
from .readers import LoadError
from .schema import TABLES
from .sql import password_free, scrub

# Control characters and bidirectional overrides from a file (a header of "\x1b]0;..." or "\x1b[2J") would be
# run by the terminal: every line this command prints shows them escaped instead.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def print(*args, **kwargs) -> None:  # every line the command writes passes through here
    builtins.print(*(_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(a)) for a in args), **kwargs)

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise _UsageError(f"{message} (see `python -m loaders {self._sub_name()} --help`)")

    def _sub_name(self) -> str:
        return self.prog.split()[-1] if " " in self.prog else "--help"


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m loaders", description="Read procurement exports onto the canonical tables.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("inspect", help="read a file or a database table without importing it")
    p.add_argument("path", help="an export file, or a database URL / connection name with --sql-table or --sql-query")
    p.add_argument("--sheet", help="only this sheet (name or 0-based index)")
    p.add_argument("--table", choices=list(TABLES), help="force the canonical table")
    _sql_arguments(p)
    _duplicates_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = sub.add_parser("import", help="import a file or a database table into a workspace")
    p.add_argument("path", help="an export file, or a database URL / connection name with --sql-table or --sql-query")
    p.add_argument("--sheet", help="only this sheet (name or 0-based index)")
    p.add_argument("--table", required=True, choices=list(TABLES), help="the canonical table")
    _sql_arguments(p)
    p.add_argument("--mapping", help="JSON file of {\"source column\": \"canonical column\"}")
    _duplicates_argument(p)
    p.add_argument("--workspace", required=True, help="workspace folder")
    p = sub.add_parser("refresh", help="re-import a database source saved in the workspace (replaces its rows)")
    p.add_argument("name", help="the saved source's name (see the Data page)")
    p.add_argument("--workspace", required=True, help="workspace folder")
    p = sub.add_parser("evaluate", help="score the loaders on a corpus of exports and their answers")
    p.add_argument("path", help="the corpus folder (*.answer.toml files, with their data files)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--json", action="store_true", help="print one JSON object")
    how.add_argument("--markdown", action="store_true", help="print the per-file table in Markdown")
    return parser


def _duplicates_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--duplicates", choices=["latest", "all"],
                   help="a contract or solicitation id on several rows (amendments): keep only the latest row of "
                        "each, or all rows (default: the choice saved with this layout, else all)")


def _sql_arguments(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group()
    what.add_argument("--sql-table", help="a table or view of the database (spaces and capitals are fine)")
    what.add_argument("--sql-query", help="one read-only SELECT (or WITH ... SELECT) statement")
    p.add_argument("--date-column", help="only rows whose DATE-COLUMN is between --date-from and --date-to")
    p.add_argument("--date-from", help="first date (YYYY-MM-DD), inclusive")
    p.add_argument("--date-to", help="last date (YYYY-MM-DD), inclusive")


def _is_sql(args) -> bool:
    return bool(getattr(args, "sql_table", None) or getattr(args, "sql_query", None))


def _display_name(args) -> str:
    """How the input is named in messages: a file's name, or a URL without its password."""
    if getattr(args, "command", None) == "refresh":
        return f"source {args.name!r}"
    if _is_sql(args) or "://" in args.path:
        return password_free(args.path) if "://" in args.path else args.path
    return Path(args.path).name


def _sql_options(args) -> dict:
    if args.sheet is not None:
        raise LoadError("--sheet is for workbooks; a database source takes --sql-table or --sql-query.")
    if (args.date_from or args.date_to) and not args.date_column:
        raise LoadError("--date-from/--date-to need --date-column (the column the dates are in).")
    return dict(sql_table=args.sql_table, sql_query=args.sql_query, date_column=args.date_column,
                date_from=_date(args.date_from), date_to=_date(args.date_to))


def _date(text: str | None):
    if not text:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise LoadError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.command == "evaluate":
        return _evaluate(args)
    name = _display_name(args)
    try:
        if args.command == "refresh":
            return _refresh(args)
        if args.command == "inspect":
            if _is_sql(args):
                parts = inspect_sql(args.path, table=args.table, duplicates=args.duplicates, **_sql_options(args))
                shown = parts[0].path
            else:
                _no_sql_options(args)
                parts = inspect_file(args.path, sheet=args.sheet, table=args.table, duplicates=args.duplicates)
                shown = str(args.path)
            if args.json:
                print(json.dumps({"path": shown, "parts": [p.to_json() for p in parts]}))
            else:
                what = "query" if args.sql_query else "table" if args.sql_table else "sheet"
                print(summary(shown, parts, what=what))
            return 0
        return _import(args)
    except LoadError as exc:
        print(f"error: {_scrubbed(args, _one_line(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"error: {name}: too large to read in memory; split the export or use CSV.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # the CLI boundary: one line, never a traceback
        if _is_workspace_error(exc):  # the workspace's message says what and where; the file is not to blame
            print(f"error: {name}: not imported; {_scrubbed(args, _one_line(exc))}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if _is_sql(args) or args.command == "refresh":
            print(f"error: {name}: could not be read ({type(exc).__name__}: {_scrubbed(args, _one_line(exc))}); "
                  "check the table or query, or report it to the maintainers.", file=sys.stderr)
        else:
            print(f"error: {name}: could not be processed ({type(exc).__name__}: {_one_line(exc)}); check that "
                  "it is an Excel, CSV or Parquet export, or report the file to the maintainers.", file=sys.stderr)
        return EXIT_BAD_INPUT


def _no_sql_options(args) -> None:
    if "://" in args.path:
        raise LoadError(f"{password_free(args.path)}: a database URL needs --sql-table NAME or "
                        "--sql-query \"SELECT ...\".")
    if args.date_column or args.date_from or args.date_to:
        raise LoadError("--date-column/--date-from/--date-to are for database sources (with --sql-table).")


def _scrubbed(args, message: str) -> str:
    """A message with any password the command line carried taken out."""
    path = getattr(args, "path", None)
    if path and "://" in path:
        from sqlalchemy.engine import make_url

        try:
            return scrub(message, make_url(path))
        except Exception:  # noqa: BLE001 - an unparseable URL: the generic scrub still runs
            return scrub(message)
    return scrub(message)


def _import(args) -> int:
    mapping = None
    if args.mapping:
        try:
            mapping = json.loads(Path(args.mapping).read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise LoadError(f"{args.mapping}: mapping file not found; check the path.") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LoadError(f"{args.mapping}: not a valid JSON mapping ({_one_line(exc)}); write it as "
                            "{\"Source column\": \"canonical_column\"}.") from None
        if not isinstance(mapping, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str))
                                                    for k, v in mapping.items()):
            raise LoadError(f"{args.mapping}: the mapping must be one JSON object of "
                            "{\"Source column\": \"canonical_column\"}.")
    sql_options = _sql_options(args) if _is_sql(args) else _no_sql_options(args)
    workspace = _open_workspace(args.workspace)
    try:
        if sql_options:
            results = import_sql(args.path, workspace, table=args.table, mapping=mapping, duplicates=args.duplicates,
                                 **sql_options)
        else:
            results = import_file(args.path, workspace, sheet=args.sheet, table=args.table, mapping=mapping,
                                  duplicates=args.duplicates)
    except LoadError as exc:
        msg = str(exc)
        if msg.startswith("mapping:"):
            raise LoadError(f"{_display_name(args)}: {msg}") from None
        raise
    return _report(results, args)


def _evaluate(args) -> int:
    from .evaluate import CorpusError, evaluate, markdown, report, to_json

    try:
        files, score = evaluate(args.path)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(to_json(files, score, args.path)))
    elif args.markdown:
        print(markdown(files, score))
    else:
        print(report(files, score, args.path))
    return 0


def _refresh(args) -> int:
    from .sql_source import get_source, refresh_source

    workspace = _open_workspace(args.workspace)
    saved = get_source(workspace, args.name)
    return _report(refresh_source(workspace, saved), args, sql_what=saved.what, query=bool(saved.sql_query))


def _report(results, args, sql_what: str | None = None, query: bool = False) -> int:
    sql = _is_sql(args) or args.command == "refresh"
    what = "the query" if query or getattr(args, "sql_query", None) else None
    imported = [r for r in results if r.imported]
    for r in results:
        p = r.part
        where = (what or f"table {p.sheet!r}") if sql else (f"sheet {p.sheet!r}" if p.sheet else p.source)
        if r.imported:
            print(f"imported {where} as {r.table}: {p.rows_loaded:,} rows loaded, {p.rows_excluded:,} excluded "
                  f"of {p.rows_read:,} read (import {r.import_id})")
        else:
            print(f"skipped {where}: {r.skipped}")
    if not imported:
        if args.command == "refresh":
            raise LoadError(f"source {args.name!r}: nothing could be imported from {sql_what}.")
        how = f" --sql-table {args.sql_table!r}" if args.sql_table else (" --sql-query ..." if args.sql_query else "")
        why = "; ".join(dict.fromkeys(r.skipped for r in results if r.skipped))
        why = f" ({why})" if why else ""
        raise LoadError(f"{_display_name(args)}: nothing could be imported as {args.table}{why}; run "
                        f"`python -m loaders inspect {_display_name(args)}{how}` to see what was found.")
    return 0



def _open_workspace(folder: str):
    try:
        from storage.workspace import Workspace
    except ImportError as exc:
        raise LoadError(f"the workspace package is not available ({exc}); run from the project folder.") from None
    try:
        return Workspace(folder)
    except Exception as exc:
        raise LoadError(f"{folder}: cannot open the workspace ({_one_line(exc).rstrip('.')}).") from None


def _is_workspace_error(exc: BaseException) -> bool:
    try:
        from storage.workspace import WorkspaceError
    except ImportError:
        return False
    return isinstance(exc, WorkspaceError)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def summary(path, parts: list[Part], *, what: str = "sheet") -> str:
    """A readable account of what inspect found, one block per part (`what`: sheet, or table for a database)."""
    lines = [str(path)]
    for p in parts:
        head = f"{what} {p.sheet!r}" if p.sheet else "file"
        if p.table is None:
            problems = [x for x in p.issues["problem"].tolist() if not x.startswith("row above the header")]
            reason = problems[0] if problems else "no table"
            lines.append(f"  {head}: {reason}" + (f" ({p.rows_read:,} rows)" if p.rows_read else ""))
            continue
        where = f"header on row {p.header_row}" if p.header_row else "no header row (columns named by position)"
        lines.append(f"  {head}: {p.table} (confidence {p.confidence:.2f}), {where}")
        lines.append(f"    rows: {p.rows_read:,} read = {p.rows_loaded:,} loaded + {p.rows_excluded:,} excluded")
        if p.rows_above_header:
            r, text = p.rows_above_header[0]
            lines.append(f"    above the header: {len(p.rows_above_header):,} rows (row {r}: {text[:60]})")
        if p.duplicates:
            d = p.duplicates
            lines.append(f"    repeated {d['column']}: {d['ids']:,} ids on {d['rows']:,} rows; keeping {d['choice']} "
                         "(--duplicates latest|all)")
        if p.mapping:
            lines.append("    mapping: " + "; ".join(f"{k} -> {v}" for k, v in p.mapping.items()))
        if p.unmapped_columns:
            more = len(p.unmapped_columns) - 40
            lines.append("    unmapped: " + ", ".join(p.unmapped_columns[:40]) + (f" ... and {more:,} more" if more > 0 else ""))
        totals = p.amount_totals()
        if totals:
            lines.append("    totals: " + "; ".join(f"{k} {v:,.2f}" for k, v in totals.items()))
        counts = p.issue_counts()
        if counts:
            lines.append("    problems: " + "; ".join(f"{k} ({v:,})" for k, v in list(counts.items())[:8]))
        for note in p.notes:
            lines.append(f"    note: {note}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
