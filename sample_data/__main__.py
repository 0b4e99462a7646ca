"""python -m sample_data load --workspace DIR: fill a workspace with the sample city through the loaders, as the
app does on its first start."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import AS_OF, CITY_NAME, ensure_sample


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="import the sample city's export files into an empty workspace")
    load.add_argument("--workspace", required=True, help="workspace folder (created when missing)")
    args = parser.parse_args(argv)

    from storage.workspace import Workspace, WorkspaceError

    folder = Path(args.workspace)
    try:
        ws = Workspace(folder)
        # False also when another process loaded it first (ensure_sample checks again under the write lock).
        if not ws.is_empty or not ensure_sample(ws):
            print(f"error: {folder} already holds data; load the sample into an empty workspace", file=sys.stderr)
            return 2
    except WorkspaceError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{name} {len(frame):,}" for name, frame in ws.tables().items())
    print(f"loaded the {CITY_NAME} sample (data through {AS_OF:%d %b %Y}) into {folder}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
