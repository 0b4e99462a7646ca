"""The same report wherever the data lives: embedded DuckDB over the workspace's Parquet files, PostgreSQL
(published with `python -m storage publish`) and Spark in local mode give, value for value, the report computed
over the tables read into memory (`--engine pandas`: the frames tests/test_engine_parity.py ties to the results
the deleted pandas engine recorded), on the hand-worked Hand County and on the sample city.

PostgreSQL comes from TEST_POSTGRES_URL (`.ci/run` starts one; scripts/pg-throwaway locally); Spark needs
pyspark and Java 17. Both skip on a user's machine without them and fail in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require
from kpi_golden import COUNTY_AS_OF, SAMPLE_AS_OF, hand_county_tables, sample_city_tables

from kpi.sql.engine import NOT_YET_PORTED, NOT_YET_PORTED_REASON

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("engines")
CASES = {"hand_county": (hand_county_tables, 10, COUNTY_AS_OF, 2026),
         "sample_city": (sample_city_tables, 7, SAMPLE_AS_OF, 2025)}


def _workspace(folder: Path, tables) -> Path:
    from storage.workspace import Workspace

    ws = Workspace(folder)
    with ws.batch():
        for name, frame in tables.items():
            if len(frame):
                ws.import_table(name, frame.drop(columns=["import_id"], errors="ignore"), source=f"{name}.csv",
                                rows_read=len(frame), rows_excluded=0, checksum=name)
    return folder


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    base = tmp_path_factory.mktemp("engines")
    return {name: _workspace(base / name, load()) for name, (load, *_rest) in CASES.items()}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def _report(*args: str) -> dict:
    res = _run("-m", "kpi", "report", *args, "--json")
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout)


def _args(name: str) -> tuple[str, ...]:
    _load, fy_start, as_of, fy = CASES[name]
    return ("--fy", str(fy), "--as-of", str(as_of), "--fy-start-month", str(fy_start), "--grain", "quarter")


def _same(expected: dict, got: dict, unpublished: tuple[str, ...] = ()) -> None:
    """The reference report (over the tables in memory), KPI for KPI; a KPI not yet ported says so and gives
    no number. A table the
    workspace never imported is empty there ("no rows") and absent from a database it was published to
    ("table not loaded"): `unpublished` names those, the only wording allowed to differ."""
    assert [k["id"] for k in got["kpis"]] == [k["id"] for k in expected["kpis"]]
    for a, b in zip(expected["kpis"], got["kpis"], strict=True):
        if a["id"] in NOT_YET_PORTED:
            assert b["missing"] == [NOT_YET_PORTED_REASON] and b["value"] is None and b["n"] == 0, b
            continue
        for table in unpublished:
            b = json.loads(json.dumps(b).replace(f"{table} (table not loaded)", f"{table} (no rows)"))
        assert _sig(b) == _sig(a), f"{a['id']}: {a['value']} (n={a['n']}) -> {b['value']} (n={b['n']})"


def _sig(x):
    """Numbers to 10 significant digits (the precision tests/golden keeps): a sum taken in another order
    may differ in the last binary digit."""
    if isinstance(x, float):
        return None if x != x else float(f"{x:.10g}")
    if isinstance(x, dict):
        return {k: _sig(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_sig(v) for v in x]
    return x


@pytest.fixture(scope="module")
def reference_reports(workspaces):
    """The report over the workspace's tables read into memory (registered as frames)."""
    return {name: _report("--workspace", str(ws), "--engine", "pandas", *_args(name))
            for name, ws in workspaces.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_embedded_duckdb_gives_the_reference_report(workspaces, reference_reports, name):
    """The default: DuckDB reading the workspace's Parquet files in place."""
    got = _report("--workspace", str(workspaces[name]), *_args(name))
    _same(reference_reports[name], got)


@pytest.fixture(scope="module")
def postgres_url():
    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    return url


@pytest.mark.parametrize("name", list(CASES))
def test_published_to_postgres_gives_the_same_report(workspaces, reference_reports, postgres_url, name):
    res = _run("-m", "storage", "publish", "--workspace", str(workspaces[name]), "--to", postgres_url,
               "--schema", name)
    assert res.returncode == 0, res.stderr[-2000:]
    from storage.workspace import Workspace

    assert f"published {len(Workspace(workspaces[name]).table_files())} tables" in res.stdout
    got = _report("--source", postgres_url, "--schema", name, *_args(name))
    from loaders.schema import TABLES

    published = Workspace(workspaces[name]).table_files()
    _same(reference_reports[name], got, unpublished=tuple(t for t in TABLES if t not in published))


def test_postgres_drilldown_lists_the_same_records(workspaces, postgres_url):
    import kpi
    from kpi.sql.source import Source
    from storage.publish import publish
    from storage.workspace import Workspace

    ws = Workspace(workspaces["hand_county"])
    publish(ws, postgres_url, schema="hand_county_drill")
    src = Source.from_url(postgres_url, schema="hand_county_drill")
    frames = ws.tables()
    for kpi_id in ("procurement_lead_time_days", "on_time_payment_share", "mwbe_spend_share",
                   "expiring_without_replacement"):
        old = kpi.drilldown(kpi_id, frames, fy_start_month=10, as_of=COUNTY_AS_OF)
        new = kpi.drilldown(kpi_id, src, fy_start_month=10, as_of=COUNTY_AS_OF)
        assert new.period_label == old.period_label
        assert (len(new.numerator), len(new.denominator), len(new.excluded)) == \
            (len(old.numerator), len(old.denominator), len(old.excluded)), kpi_id
        key = next(c for c in ("solicitation_id", "contract_id", "payment_id") if c in old.denominator)
        assert _ids(new.denominator[key]) == _ids(old.denominator[key])
        assert sorted(new.excluded["reason"]) == sorted(old.excluded["reason"])
        assert new.used.head(2).equals(new.denominator.head(2)) and new.used.count == len(new.denominator)
    # The period's records were held in temporary tables of the session, dropped once released.
    import gc

    from kpi.sql.query import run

    def held() -> int:
        return int(run(src.con, "postgres", "SELECT count(*) AS n FROM pg_tables WHERE tablename LIKE 'kpi_drill_%' "
                                           "AND schemaname LIKE 'pg_temp%'")["n"].iloc[0])

    assert held() >= 1
    del old, new
    gc.collect()
    kpi.drilldown("on_time_payment_share", src, fy_start_month=10, as_of=COUNTY_AS_OF)
    assert held() == 1  # only the last one's


def _ids(column) -> list[str]:
    import pandas as pd

    return sorted("" if pd.isna(v) else str(v) for v in column)


def test_a_source_without_canonical_tables_is_a_clear_error(postgres_url):
    res = _run("-m", "kpi", "report", "--source", postgres_url, "--schema", "no_such_schema", "--json")
    assert res.returncode == 2
    assert "no canonical tables" in res.stderr and "kpi-test-pw" not in res.stderr


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session for the whole run (it takes several seconds to start)."""
    require(shutil.which("java") is not None, "Java is not installed (apt-get install openjdk-17-jre-headless)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        require(False, "pyspark is not installed (pip install 'ibis-framework[pyspark]')")
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (SparkSession.builder.master("local[2]").appName("kpi-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC").config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.warehouse.dir", str(warehouse)).getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# One small Spark case (a whole report on Spark local mode took about 3 minutes here): a median, a share with
# dollars, a share of payments by vendor certification, an exclusion-heavy ratio; every grain's periods.
SPARK_KPIS = ("procurement_lead_time_days", "on_time_payment_share", "mwbe_spend_share", "noncompetitive_share")


def test_spark_local_mode_gives_the_same_values(workspaces, spark):
    import kpi
    from benchmarks.scale import source_maker
    from kpi.sql import engine as sql_engine
    from storage.workspace import Workspace

    name = "hand_county"
    ws = Workspace(workspaces[name])
    # As the benchmark's spark engine makes it: the workspace's Parquet files as views of the session (the one
    # started above: getOrCreate).
    src = source_maker("spark", ws)()
    assert src.label == "spark local" and set(src.tables) == set(ws.table_files())
    frames = ws.tables()
    _load, fy_start, as_of, _fy = CASES[name]
    for kpi_id in SPARK_KPIS:
        old = kpi.compute(kpi_id, frames, grain="quarter", fy_start_month=fy_start, as_of=as_of)
        new = sql_engine.compute(kpi_id, src, grain="quarter", fy_start_month=fy_start, as_of=as_of)
        assert not old.no_data, kpi_id
        cols = ["period_label", "value", "n", "excluded"]
        a = [_sig(r) for r in old.frame[cols].to_dict("records")]
        b = [_sig(r) for r in new.frame[cols].to_dict("records")]
        assert b == a, kpi_id
    # A drill-down on Spark: the period's records cached once, then the same counts and rows as embedded.
    old = kpi.drilldown("on_time_payment_share", frames, fy_start_month=fy_start, as_of=as_of)
    new = kpi.drilldown("on_time_payment_share", src, fy_start_month=fy_start, as_of=as_of)
    assert (new.period_label, new.counted.count, new.used.count, new.set_aside.count) == \
        (old.period_label, len(old.numerator), len(old.denominator), len(old.excluded))
    assert _ids(new.used.head(3)["payment_id"]) == _ids(old.denominator["payment_id"].head(3))


def test_postgres_lists_are_the_same(workspaces, postgres_url):
    """The contract lists, the market comparison and the dollar figures computed in PostgreSQL: the same rows
    and numbers as from the app's frames."""
    import pandas as pd

    from kpi import contracts as kc
    from kpi import dollars, market, now
    from kpi.sql.source import Source
    from storage.publish import publish
    from storage.workspace import Workspace

    ws = Workspace(workspaces["sample_city"])
    publish(ws, postgres_url, schema="sample_city_lists")
    src = Source.from_url(postgres_url, schema="sample_city_lists")
    frames = ws.tables()
    kw = dict(as_of=SAMPLE_AS_OF, fy_start_month=7)
    for fn in (kc.expiring_pipeline, kc.overspent_contracts, market.engagement_comparison):
        pd.testing.assert_frame_equal(fn(src, **kw), fn(frames, **kw), check_dtype=False, rtol=1e-12)
    a, b = kc.cost_growth(src, **kw), kc.cost_growth(frames, **kw)
    assert len(a) == len(b) > 0
    pd.testing.assert_frame_equal(a.sort_values("contract_id").reset_index(drop=True),
                                  b.sort_values("contract_id").reset_index(drop=True), check_dtype=False)
    period = now.default_period(SAMPLE_AS_OF, 7)
    for by in ("department", "vendor"):
        pd.testing.assert_frame_equal(dollars.spend_by(src, period, by), dollars.spend_by(frames, period, by),
                                      check_dtype=False, rtol=1e-12)
    assert [(f.key, round(f.amount, 2)) for f in dollars.kpi_dollars(src, period)] == \
        [(f.key, round(f.amount, 2)) for f in dollars.kpi_dollars(frames, period)]
