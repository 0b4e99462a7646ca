"""KPIs at scale: `python -m benchmarks --scale 10m` (and 1m), each engine in its own process.

The data set (10M payments, 1M solicitations, 500k contracts; or 1M/100k/50k) is generated once with the
sample-city generator and kept as a workspace under benchmarks/_data/ (Parquet table versions). Each
measurement runs in a fresh child process so that its peak memory is its own:

- kpis_all_cold: every KPI, every fiscal quarter, on tables nothing was computed on before (a new DuckDB
  connection over the Parquet files, with the compiled-SQL cache emptied, so SQL compilation is included);
- kpis_filter_change: every KPI again after the department filter changed (warm);
- drilldown_page: a KPI page's records behind the latest quarter of days_to_pay (the largest: every payment
  of the quarter), as the page asks for them: each tab's count and first 2,000 rows, and the histogram's days;
- floor: one bare DuckDB query over the same Parquet (payments by fiscal quarter and department: count,
  on-time share, median and 90th percentile of days to pay, dollars), what any engine pays to scan;
- page: the app's Overview through Streamlit's AppTest over the workspace: the first render (data read,
  the Overview's KPIs computed), a rerender, and the rerender after a department filter change;
- postgres and spark: the same KPI figures (cold, filter change, drill-down page) with the KPIs computed in
  PostgreSQL (`--postgres URL`: the workspace is first published to schema kpi_bench_<scale>, once, in a
  process of its own: postgres_publish_<scale>_s) or in Spark local mode over the same Parquet files. Their
  peak memory is this process's (the app's side), not the database server's or Spark's JVM.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / "_data"
SCALES = {
    "1m": {"payments": 1_000_000, "solicitations": 100_000, "contracts": 50_000},
    "10m": {"payments": 10_000_000, "solicitations": 1_000_000, "contracts": 500_000},
    "small": {"payments": 20_000, "solicitations": 2_000, "contracts": 1_000},
}


def workspace_for(scale: str) -> Path:
    """The benchmark workspace of a scale, generated and imported once."""
    folder = CACHE / f"workspace_{scale}"
    done = folder / ".complete"
    if done.exists():
        from kpi.sql.source import stored_trimmed
        from storage import Workspace

        if all(stored_trimmed(path) for path in Workspace(folder).table_files().values()):
            return folder
        # Written before table files said their text is stored trimmed: generated again, as an import today
        # writes it (the figures would otherwise be an old workspace's).
        import shutil

        shutil.rmtree(folder)
    from sample_data.generate import generate_city
    from storage import Workspace

    t0 = time.perf_counter()
    tables = generate_city(seed=7, sizes=SCALES[scale])
    ws = Workspace(folder)
    with ws.batch():
        for name, frame in tables.items():
            if len(frame):
                ws.import_table(name, frame, source=f"benchmark_{name}.csv", rows_read=len(frame), rows_excluded=0,
                                checksum=f"benchmark-{scale}")
    done.write_text(f"generated in {time.perf_counter() - t0:.1f} s\n")
    return folder


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(engine: str, folder: str, runs: int) -> dict:
    """One engine's figures on one workspace (run in its own process)."""
    import kpi
    from storage import Workspace

    ws = Workspace(folder)
    out: dict = {}
    if engine == "floor":
        import duckdb

        path = ws.table_files()["payments"]
        sql = """
            SELECT (year(payment_date) * 12 + month(payment_date) + 6) // 3 AS q, department, count(*) AS n,
                   avg(CASE WHEN date_diff('day', CAST(invoice_received_date AS DATE),
                                           CAST(payment_date AS DATE)) <= 30 THEN 1.0 ELSE 0.0 END) AS on_time,
                   quantile_cont(date_diff('day', CAST(invoice_received_date AS DATE), CAST(payment_date AS DATE)),
                                 [0.5, 0.9]) AS days, sum(amount) AS dollars
            FROM read_parquet(?) GROUP BY ALL"""
        times = []
        for _ in range(runs):
            con = duckdb.connect()
            t0 = time.perf_counter()
            con.execute(sql, [str(path)]).fetchall()
            times.append(time.perf_counter() - t0)
        out["floor_s"] = statistics.median(times)
        out["peak_rss_mb"] = _rss_mb()
        return out
    if engine == "publish":  # before the postgres child, in a process of its own: it reads every table whole
        url = os.environ.get(POSTGRES_URL_ENV)
        if url and not published(url, bench_schema(ws), ws):
            t0 = time.perf_counter()
            publish_workspace(url, bench_schema(ws), ws)
            out["publish_s"] = time.perf_counter() - t0
        return out
    if engine == "page":  # the app's Overview over the workspace, as a director opens it
        from benchmarks.__main__ import bench_page

        out = bench_page(Path(folder), runs)
        out["peak_rss_mb"] = _rss_mb()
        return out
    departments = None
    cold = []
    new_source = source_maker(engine, ws)
    from kpi.sql import engine as sql_engine

    for _ in range(runs):
        sql_engine._SQL.clear()
        t0 = time.perf_counter()
        tables = new_source()
        kpi.compute_all(tables, grain="quarter", fy_start_month=7, as_of="2026-05-31")
        cold.append(time.perf_counter() - t0)
        if departments is None:  # asked of the Parquet file: the engine's memory is not a frame's
            import duckdb

            rows = duckdb.sql("SELECT DISTINCT department FROM read_parquet(?) WHERE department IS NOT NULL",
                              params=[str(ws.table_files()["payments"])]).fetchall()
            departments = sorted(r[0] for r in rows)[: runs + 1]
    out["kpis_all_cold_s"] = statistics.median(cold)
    out["kpis_all_cold_first_s"] = cold[0]
    kpi.compute_all(tables, grain="quarter", fy_start_month=7, as_of="2026-05-31",
                    filters=kpi.Filters(departments=(departments[0],)))
    change = []
    for d in departments[1:]:
        t0 = time.perf_counter()
        kpi.compute_all(tables, grain="quarter", fy_start_month=7, as_of="2026-05-31",
                        filters=kpi.Filters(departments=(d,)))
        change.append(time.perf_counter() - t0)
    out["kpis_filter_change_s"] = statistics.median(change)
    out["drilldown_page_s"] = statistics.median(drilldown_page(tables) for _ in range(runs))
    out["peak_rss_mb"] = _rss_mb()
    return out


# The engines the same definitions run on (README "Where the data lives"); each child makes a new Source per cold
# run: a new connection, nothing computed on it before.
ENGINES = ("duckdb", "postgres", "spark")
# With --postgres URL, the child finds the URL here (not on its command line, where the password would show).
POSTGRES_URL_ENV = "KPI_BENCH_POSTGRES_URL"


def source_maker(engine: str, ws):
    """A function returning a new Source over the workspace's data on `engine`: embedded DuckDB over its
    Parquet files; PostgreSQL over the tables `python -m storage publish` wrote (the publish step, before);
    Spark in local mode over the Parquet files (its cache emptied for each new Source)."""
    from kpi.sql.source import Source

    if engine == "duckdb":
        return lambda: Source.from_workspace(ws)
    if engine == "postgres":
        url = os.environ.get(POSTGRES_URL_ENV)
        if not url:
            raise SystemExit("the postgres engine needs --postgres URL (a database it may write a schema to)")
        schema = bench_schema(ws)
        if not published(url, schema, ws):
            raise SystemExit(f"schema {schema} does not hold this workspace: the publish step before failed")
        return lambda: Source.from_url(url, schema=schema)
    if engine == "spark":
        import ibis

        session = spark_session()
        for name, path in ws.table_files().items():
            session.read.parquet(str(path)).createOrReplaceTempView(name)

        def new_spark_source():
            session.catalog.clearCache()  # the previous run's cached records
            return Source.from_connection(ibis.pyspark.connect(session), label="spark local")

        return new_spark_source
    raise SystemExit(f"unknown engine {engine!r} ({', '.join(ENGINES)}, floor or page)")


def bench_schema(ws) -> str:
    return f"kpi_bench_{ws.path.name.removeprefix('workspace_')}"


def _fingerprint(ws) -> str:
    """The workspace's data: its table versions' files (each version has a file of its own name)."""
    return " ".join(sorted(Path(f).name for f in ws.table_files().values()))


def published(url: str, schema: str, ws) -> bool:
    """Whether `schema` holds this workspace's tables (its comment names their files, written after publishing)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            said = conn.execute(sa.text("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
                                        "WHERE nspname = :s"), {"s": schema}).scalar()
    finally:
        engine.dispose()
    return said == _fingerprint(ws)


def publish_workspace(url: str, schema: str, ws) -> None:
    """`python -m storage publish --workspace DIR --to URL --schema S`, then the schema's comment says what it holds."""
    import sqlalchemy as sa

    from storage.publish import publish

    publish(ws, url, schema=schema)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:  # our schema name; COMMENT takes no parameter: the text quoted here
            conn.execute(sa.text(f'COMMENT ON SCHEMA "{schema}" IS ' + "'" + _fingerprint(ws).replace("'", "''")
                                 + "'"))
    finally:
        engine.dispose()


def spark_session():
    """A local Spark session on the machine's cores (the tests' settings: UTC, two shuffle partitions)."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master(f"local[{os.cpu_count() or 2}]").appName("kpi-benchmark")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "4g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


SHOWN_ROWS = 2_000  # ui.tables.MAX_ROWS, not imported: Streamlit's import would count in the peak memory


def drilldown_page(tables, kpi_id: str = "days_to_pay") -> float:
    """What a KPI page's "Records behind" asks of the engine (ui.kpi_view.drilldown_part): the drill-down,
    its exceptions, each tab's count and the rows it shows, and the histogram's days."""
    import kpi
    from kpi.exceptions import exceptions

    t0 = time.perf_counter()
    drill = kpi.drilldown(kpi_id, tables, grain="quarter", fy_start_month=7, as_of="2026-05-31")
    missed = exceptions(kpi.KPIS[kpi_id], drill, {"target": 30})
    for part in (missed.records, drill.counted, drill.used, drill.set_aside):
        if part.count:
            part.head(SHOWN_ROWS)
    drill.counted.values("days")
    return time.perf_counter() - t0


def run(scale: str, engines: tuple[str, ...], runs: int, timeout: int = 3600) -> dict:
    folder = workspace_for(scale)
    results: dict = {}
    if "postgres" in engines:  # published first: the postgres child's peak memory is then the report's own
        engines = ("publish", *engines)
    for engine in engines:
        cmd = [sys.executable, "-m", "benchmarks.scale", engine, str(folder), str(runs)]
        try:
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
        except subprocess.TimeoutExpired:
            results[f"{engine}_error_{scale}"] = f"timed out after {timeout} s"
            continue
        if proc.returncode != 0:
            results[f"{engine}_error_{scale}"] = (proc.stderr.strip().splitlines() or ["failed"])[-1][:300]
            continue
        name = "postgres" if engine == "publish" else engine  # postgres_publish_<scale>_s
        for key, value in json.loads(proc.stdout.strip().splitlines()[-1]).items():
            results[f"{name}_{key.replace('_s', f'_{scale}_s') if key.endswith('_s') else key + '_' + scale}"] = \
                value
    # The product's own keys: the embedded engine's figures.
    for key in ("kpis_all_cold", "kpis_filter_change", "drilldown_page"):
        if f"duckdb_{key}_{scale}_s" in results:
            results[f"{key}_{scale}_s"] = results[f"duckdb_{key}_{scale}_s"]
    if f"duckdb_peak_rss_mb_{scale}" in results:
        results[f"peak_rss_{scale}_mb"] = results[f"duckdb_peak_rss_mb_{scale}"]
    for key in ("page_first_render", "page_render", "page_filter_change", "page_goal_change"):
        if f"page_{key}_{scale}_s" in results:
            results[f"{key}_{scale}_s"] = results[f"page_{key}_{scale}_s"]
    return results


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
