"""Command line: `python -m loaders inspect PATH [--sheet S] [--table T] [--json]` and
`python -m loaders import PATH [--sheet S] --table T [--mapping FILE.json] --workspace DIR`.

Bad input exits with status 2 and one line on stderr naming the file and what to do.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .api import Part, import_file, inspect_file
from .readers import LoadError
from .schema import TABLES

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
    p = sub.add_parser("inspect", help="read a file without importing it")
    p.add_argument("path")
    p.add_argument("--sheet", help="only this sheet (name or 0-based index)")
    p.add_argument("--table", choices=list(TABLES), help="force the canonical table")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = sub.add_parser("import", help="import a file into a workspace")
    p.add_argument("path")
    p.add_argument("--sheet", help="only this sheet (name or 0-based index)")
    p.add_argument("--table", required=True, choices=list(TABLES), help="the canonical table")
    p.add_argument("--mapping", help="JSON file of {\"source column\": \"canonical column\"}")
    p.add_argument("--workspace", required=True, help="workspace folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    name = Path(args.path).name
    try:
        if args.command == "inspect":
            parts = inspect_file(args.path, sheet=args.sheet, table=args.table)
            if args.json:
                print(json.dumps({"path": str(args.path), "parts": [p.to_json() for p in parts]}))
            else:
                print(summary(args.path, parts))
            return 0
        return _import(args)
    except LoadError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"error: {name}: too large to read in memory; split the export or use CSV.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # the CLI boundary: one line, never a traceback
        print(f"error: {name}: could not be processed ({type(exc).__name__}: {_one_line(exc)}); check that it "
              "is an Excel, CSV or Parquet export, or report the file to the maintainers.", file=sys.stderr)
        return EXIT_BAD_INPUT


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
    workspace = _open_workspace(args.workspace)
    try:
        results = import_file(args.path, workspace, sheet=args.sheet, table=args.table, mapping=mapping)
    except LoadError as exc:
        msg = str(exc)
        if msg.startswith("mapping:"):
            raise LoadError(f"{Path(args.path).name}: {msg}") from None
        raise
    imported = [r for r in results if r.imported]
    for r in results:
        p = r.part
        where = f"sheet {p.sheet!r}" if p.sheet else p.source
        if r.imported:
            print(f"imported {where} as {r.table}: {p.rows_loaded:,} rows loaded, {p.rows_excluded:,} excluded "
                  f"of {p.rows_read:,} read (import {r.import_id})")
        else:
            print(f"skipped {where}: {r.skipped}")
    if not imported:
        raise LoadError(f"{Path(args.path).name}: nothing could be imported as {args.table}; run "
                        f"`python -m loaders inspect {args.path}` to see what was found.")
    return 0


def _open_workspace(folder: str):
    try:
        from storage.workspace import Workspace
    except ImportError as exc:
        raise LoadError(f"the workspace package is not available ({exc}); run from the project folder.") from None
    try:
        return Workspace(folder)
    except Exception as exc:
        raise LoadError(f"{folder}: cannot open the workspace ({_one_line(exc)}).") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def summary(path, parts: list[Part]) -> str:
    """A readable account of what inspect found, one block per part."""
    lines = [str(path)]
    for p in parts:
        head = f"sheet {p.sheet!r}" if p.sheet else "file"
        if p.table is None:
            reason = p.issues["problem"].iloc[0] if len(p.issues) else "no table"
            lines.append(f"  {head}: {reason}" + (f" ({p.rows_read:,} rows)" if p.rows_read else ""))
            continue
        lines.append(f"  {head}: {p.table} (confidence {p.confidence:.2f}), header on row {p.header_row}")
        lines.append(f"    rows: {p.rows_read:,} read = {p.rows_loaded:,} loaded + {p.rows_excluded:,} excluded")
        if p.mapping:
            lines.append("    mapping: " + "; ".join(f"{k} -> {v}" for k, v in p.mapping.items()))
        if p.unmapped_columns:
            lines.append("    unmapped: " + ", ".join(p.unmapped_columns))
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
