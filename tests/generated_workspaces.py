"""A workspace holding given canonical tables, imported as the loaders would (one transaction), for the engine
tests that need the workspace's Parquet files (not `from conftest import`: tests/e2e has a conftest of its own)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from storage import Workspace


def workspace_of(folder: Path, tables: dict[str, pd.DataFrame]) -> Workspace:
    ws = Workspace(folder)
    with ws.batch():
        for name, frame in tables.items():
            if len(frame):
                ws.import_table(name, frame, source=f"{name}.csv", rows_read=len(frame), rows_excluded=0,
                                checksum=name)
    return ws
