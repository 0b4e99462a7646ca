"""Text stored trimmed at import (storage.frames.trimmed_text) and the engine not trimming it again
(kpi.sql.source.untrimmed): the same KPIs as the engine trimming every value of the raw data itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from generated_workspaces import workspace_of

import kpi
from kpi.sql.source import Source, stored_trimmed, untrimmed
from storage import Workspace
from storage.frames import TRIMMED, TRIMMED_KEY, trimmed_text

pytestmark = pytest.mark.xdist_group("engine")


def test_text_is_trimmed_of_sql_blanks_only_and_blank_becomes_missing():
    frame = pd.DataFrame({"vendor_name": [" Acme\t", "\n\r\x0b\x0c", "", None, "\u00a0Nbsp ", "In  side"],
                          "amount": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}).astype({"vendor_name": "str"})
    out = trimmed_text(frame)
    assert out["vendor_name"].tolist()[:1] == ["Acme"]
    assert out["vendor_name"].isna().tolist() == [False, True, True, True, False, False]
    # A no-break space is not what SQL's TRIM removes: kept, as the engine keeps it on any database.
    assert out["vendor_name"].tolist()[4:] == ["\u00a0Nbsp", "In  side"]
    assert out["amount"].tolist() == frame["amount"].tolist()


def test_only_canonical_columns_lose_their_trim():
    blanks = " \t\n\r\x0b\x0c"
    sql = (f"SELECT NULLIF(TRIM(\"t0\".\"contract_id\", '{blanks}'), '') AS a, "
           f"LOWER(NULLIF(TRIM(\"t12\".\"method\", '{blanks}'), '')) AS b, "
           f"NULLIF(TRIM(\"t4\".\"_jid\", '{blanks}'), '') AS c, TRIM(\"t0\".\"title\") AS d FROM t")
    assert untrimmed(sql) == (f"SELECT NULLIF(\"t0\".\"contract_id\", '') AS a, LOWER(NULLIF(\"t12\".\"method\", '')) "
                              f"AS b, NULLIF(TRIM(\"t4\".\"_jid\", '{blanks}'), '') AS c, TRIM(\"t0\".\"title\") AS d "
                              "FROM t")


@pytest.fixture(scope="module")
def padded_city():
    """The generated city with a fifth of every text column padded with blanks and 2% blank."""
    from sample_data.generate import generate_city

    tables = generate_city(seed=3, sizes={"payments": 6000, "solicitations": 600, "contracts": 300})
    rng = np.random.default_rng(1)
    for frame in tables.values():
        for c in frame.columns:
            if frame[c].dtype == "str":
                s = frame[c].copy()
                padded = rng.random(len(s)) < 0.2
                s[padded] = " \t" + s[padded] + "\n "
                s[rng.random(len(s)) < 0.02] = "  "
                frame[c] = s
    return tables


def test_a_workspace_of_padded_text_gives_the_kpis_of_the_raw_data(padded_city, tmp_path):
    ws = workspace_of(tmp_path / "ws", padded_city)
    files = ws.table_files()
    assert files and all(pq.read_schema(p).metadata[TRIMMED_KEY] == TRIMMED for p in files.values())
    stored = ws.table("payments")["vendor_name"]
    assert not stored.str.startswith(" ").any() and not (stored == "").any()

    stored_src = Source.from_workspace(ws)
    assert stored_src.trimmed
    raw_src = Source.from_frames(padded_city)  # the engine trims every value itself
    args = dict(grain="quarter", fy_start_month=7, as_of="2026-05-31")
    compiled = []
    original_view = Source.view

    def view(self, name, sql, **kw):
        if self is stored_src:
            compiled.append(untrimmed(sql))
        return original_view(self, name, sql, **kw)

    Source.view = view
    try:
        stored_kpis = kpi.compute_all(stored_src, **args)
    finally:
        Source.view = original_view
    assert compiled and not any('TRIM("t' in sql for sql in compiled)  # the fast path was taken
    raw_kpis = kpi.compute_all(raw_src, **args)
    assert set(stored_kpis) == set(raw_kpis) and len(stored_kpis) >= 30
    for kpi_id, result in stored_kpis.items():
        pd.testing.assert_frame_equal(result.frame.reset_index(drop=True),
                                      raw_kpis[kpi_id].frame.reset_index(drop=True), check_dtype=False,
                                      obj=kpi_id)
    by_department = [kpi.compute(k, s, by="department", **args).frame for k in ("mwbe_spend_share", "days_to_pay")
                     for s in (stored_src, raw_src)]
    pd.testing.assert_frame_equal(by_department[0], by_department[1], check_dtype=False)
    pd.testing.assert_frame_equal(by_department[2], by_department[3], check_dtype=False)


def test_rows_fetched_over_a_trimmed_workspace_are_read_untrimmed_and_agree(padded_city, tmp_path, monkeypatch):
    """Lists, spend sums and the vendor identity fetch rows through kpi.sql.query.fetch_expr: over a trimmed
    workspace without TRIM, with the rows the engine gives when it trims the raw data itself."""
    from kpi import now
    from kpi.contracts import expiring_pipeline
    from kpi.dollars import spend_by

    class Recording:  # the DuckDB connection, noting the queries made with sql() (fetches, cubes)
        def __init__(self, con):
            self._con, self.queries = con, []

        def sql(self, query, *args, **kwargs):
            self.queries.append(query)
            return self._con.sql(query, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(self._con, name)

    stored_src = Source.from_workspace(workspace_of(tmp_path / "ws", padded_city))
    raw_src = Source.from_frames(padded_city)
    stored_src.con.con = recording = Recording(stored_src.con.con)
    day = now.data_through(raw_src)
    period = now.default_period(day)

    def rows(src):
        return [spend_by(src, period, by="department", top=None), spend_by(src, period, by="vendor", top=None),
                expiring_pipeline(src, day)]

    raw = rows(raw_src)
    stored = rows(stored_src)
    fetched = [q for q in recording.queries if '"payment_date"' in q or '"end_date"' in q]
    assert len(fetched) >= 3 and all(untrimmed(q) == q for q in fetched)  # no canonical column trimmed
    assert all(len(frame) for frame in raw)

    def shown_trimmed(frame):
        # A list shows text as the data holds it (the raw data padded, the workspace not), and sorts by it.
        frame = frame.apply(lambda c: c.str.strip().replace("", None) if c.dtype in ("str", object) else c)
        return frame.sort_values(list(frame.columns), kind="stable")

    for a, b in zip(stored, raw, strict=True):
        pd.testing.assert_frame_equal(shown_trimmed(a).reset_index(drop=True), shown_trimmed(b).reset_index(drop=True),
                                      check_dtype=False)


def test_files_written_before_are_trimmed_by_the_engine(padded_city, tmp_path):
    """A workspace whose table files do not say their text is trimmed (written by an earlier version) is read
    as any database is: every value trimmed by the engine."""
    ws = Workspace(tmp_path / "ws")
    ws.import_table("payments", padded_city["payments"], source="p.csv", rows_read=1, rows_excluded=0, checksum="p")
    path = ws.table_files()["payments"]
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({k: v for k, v in table.schema.metadata.items()
                                                  if k != TRIMMED_KEY}), path)
    assert not stored_trimmed(path) and not Source.from_workspace(ws).trimmed
