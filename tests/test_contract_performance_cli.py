"""Contract performance KPIs worked by hand, through the real command lines (loaders import, kpi report)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A small city in the layouts an office might export, with its own column names (hence the mapping files).
# Fiscal years start in July: FY2026 = 1 Jul 2025 - 30 Jun 2026; Q1 Jul-Sep, Q2 Oct-Dec, Q3 Jan-Mar, Q4 Apr-Jun.
CONTRACTS = """Contract No,Supplier Number,Supplier,Begins,Expires,Key Contract,Dept
CTR-ENDS-DEC,V-CLEAN,Clean Streets LLC,2025-07-01,2025-12-31,Yes,Public Works
CTR-OPEN-ENDED,V-WATER,Water Works Co,2025-12-31,,Yes,Utilities
CTR-RESPONSE,V-FIX,Fix-It Inc,2024-07-01,2027-06-30,Yes,Facilities
CTR-LAST-YEAR,V-PARK,Park Care,2024-07-01,2025-06-30,Yes,Parks
CTR-NOT-KEY,V-MISC,Misc Supply,2025-07-01,2026-06-30,No,Parks
CTR-ACME-2019,V-ACME,"Acme Paving, Inc.",2019-07-01,2022-06-30,No,Public Works
CTR-ACME-NEW,,ACME PAVING,2025-09-01,2027-08-31,No,Public Works
"""
CONTRACTS_MAP = {"Contract No": "contract_id", "Supplier Number": "vendor_id", "Supplier": "vendor_name",
                 "Begins": "start_date", "Expires": "end_date", "Key Contract": "is_key_contract",
                 "Dept": "department"}

METRICS = """Contract,Measure Code,Measure,Better,Goal
CTR-ENDS-DEC,ON-TIME,Routes completed on time,Higher is better,95%
CTR-RESPONSE,RESPONSE-HOURS,Hours to respond,Lower is better,4
CTR-LAST-YEAR,ON-TIME,Mowing on schedule,Higher is better,90%
"""
METRICS_MAP = {"Contract": "contract_id", "Measure Code": "metric_id", "Measure": "metric_name",
               "Better": "direction", "Goal": "target"}

RESULTS = """Contract,Measure Code,Quarter Ending,Actual
CTR-ENDS-DEC,ON-TIME,2025-09-30,90%
CTR-ENDS-DEC,ON-TIME,2025-12-31,95%
CTR-RESPONSE,RESPONSE-HOURS,2025-12-31,3.5
CTR-RESPONSE,RESPONSE-HOURS,2026-03-31,4.5
CTR-RESPONSE,RESPONSE-HOURS,2026-04-30,2
CTR-LAST-YEAR,ON-TIME,2025-06-30,50%
"""
RESULTS_MAP = {"Contract": "contract_id", "Measure Code": "metric_id", "Quarter Ending": "period_end",
               "Actual": "value"}

CHECKINS = """Contract,Held On,Kind,Open Items
CTR-ENDS-DEC,2025-09-30,Quarterly review,2
CTR-ENDS-DEC,2025-10-01,Quarterly review,0
CTR-OPEN-ENDED,2025-06-30,Kick-off,1
CTR-OPEN-ENDED,2026-04-20,Quarterly review,0
CTR-RESPONSE,2025-08-15,Quarterly review,3
CTR-RESPONSE,2026-02-01,Site visit,1
"""
CHECKINS_MAP = {"Contract": "contract_id", "Held On": "meeting_date", "Kind": "meeting_type",
                "Open Items": "open_actions"}

EVALUATIONS = """Contract,Completed
CTR-ACME-2019,2024-09-01
"""
EVALUATIONS_MAP = {"Contract": "contract_id", "Completed": "completed_date"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def import_city(folder: Path, ws: Path) -> Path:
    """The hand-worked city's exports written to `folder` and imported into the workspace `ws`, each
    through `python -m loaders import` with its mapping, nothing excluded."""
    for table, text, mapping in (("contracts", CONTRACTS, CONTRACTS_MAP), ("contract_metrics", METRICS, METRICS_MAP),
                                 ("metric_results", RESULTS, RESULTS_MAP), ("checkins", CHECKINS, CHECKINS_MAP),
                                 ("evaluations", EVALUATIONS, EVALUATIONS_MAP)):
        (folder / f"{table}.csv").write_text(text, encoding="utf-8")
        (folder / f"{table}.json").write_text(json.dumps(mapping), encoding="utf-8")
        done = run("-m", "loaders", "import", str(folder / f"{table}.csv"), "--table", table,
                   "--mapping", str(folder / f"{table}.json"), "--workspace", str(ws))
        assert done.returncode == 0, done.stderr
        assert " 0 excluded" in done.stdout, done.stdout
    return ws


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hand_city")
    return import_city(folder, folder / "ws")


def report(ws: Path, *extra: str) -> dict:
    done = run("-m", "kpi", "report", "--workspace", str(ws), "--json", "--fy", "2026", *extra)
    assert done.returncode == 0, done.stderr
    return {k["id"]: k for k in json.loads(done.stdout)["kpis"]}


def test_checkin_rate_by_hand(city):
    """As of 31 Mar 2026 (FY2026 Q4 left out), the key contracts' active quarters in FY2026:
    CTR-ENDS-DEC Q1, Q2 (check-ins 30 Sep = last day of Q1, 1 Oct = first day of Q2: both met);
    CTR-OPEN-ENDED from 31 Dec 2025, no end: Q2 (one day), Q3 (its check-ins, 30 Jun 2025 before it started and
    20 Apr 2026 after the as-of date, do not count: both missed); CTR-RESPONSE Q1, Q2, Q3 (15 Aug: Q1 met,
    1 Feb: Q3 met, Q2 missed); CTR-LAST-YEAR ended 30 Jun 2025: no FY2026 quarter.
    Pairs 7, met 4: 4/7."""
    k = report(city, "--as-of", "2026-03-31")["quarterly_checkin_rate"]
    assert k["value"] == pytest.approx(4 / 7)
    assert k["n"] == 7
    assert k["status"] == "missed"  # 57.1% is below the 75% at-risk limit


def test_checkin_rate_by_quarter(city):
    """By quarter: Q1 2/2 (ENDS-DEC, RESPONSE), Q2 1/3 (ENDS-DEC only), Q3 1/2 (RESPONSE)."""
    k = report(city, "--as-of", "2026-03-31", "--grain", "quarter")["quarterly_checkin_rate"]
    got = {p["period"]: (p["value"], p["n"]) for p in k["periods"] if p["period"].startswith("FY2026")}
    assert got == {"FY2026 Q1": (1.0, 2), "FY2026 Q2": (pytest.approx(1 / 3), 3), "FY2026 Q3": (0.5, 2)}


def test_offtrack_share_by_hand(city):
    """As of 31 Mar 2026: CTR-ENDS-DEC's latest FY2026 on-time result is 95% against a 95% target (met exactly:
    on track); CTR-RESPONSE's latest is 4.5 hours against at most 4 (lower is better: off track; the 2 hours
    of 30 Apr 2026 is after the as-of date); CTR-LAST-YEAR's 50% is for FY2025 and does not count. 1/2."""
    k = report(city, "--as-of", "2026-03-31")["offtrack_key_contract_share"]
    assert k["value"] == pytest.approx(0.5)
    assert k["n"] == 2
    assert k["status"] == "missed"


def test_offtrack_share_moves_with_the_as_of_date(city):
    """As of 30 Jun 2026 the 2-hour result of 30 Apr 2026 is CTR-RESPONSE's latest: back on track, 0/2."""
    k = report(city, "--as-of", "2026-06-30")["offtrack_key_contract_share"]
    assert k["value"] == 0.0 and k["n"] == 2
    assert k["status"] == "met"


def test_offtrack_share_by_quarter(city):
    """FY2026 Q1: CTR-ENDS-DEC at 90% (off), alone: 1/1. Q2: ENDS-DEC 95% on, RESPONSE 3.5 on: 0/2."""
    k = report(city, "--as-of", "2026-03-31", "--grain", "quarter")["offtrack_key_contract_share"]
    got = {p["period"]: (p["value"], p["n"]) for p in k["periods"] if p["period"].startswith("FY2026")}
    assert got == {"FY2026 Q1": (1.0, 1), "FY2026 Q2": (0.0, 2), "FY2026 Q3": (1.0, 1)}


def test_repeat_award_matched_by_a_differently_written_name(city):
    """CTR-ACME-NEW (1 Sep 2025, 'ACME PAVING', no vendor id) is a repeat award of V-ACME ('Acme Paving, Inc.');
    the evaluation of CTR-ACME-2019 (no vendor on it: its contract's vendor) completed 1 Sep 2024, 365 days
    before, counts. The other contracts starting in FY2026 are their vendors' first. 1/1."""
    k = report(city, "--as-of", "2026-03-31")["repeat_awards_with_evaluation_share"]
    assert k["value"] == 1.0 and k["n"] == 1


def test_contracts_with_metrics_counts_metric_rows(city):
    """At 31 Mar 2026 the key contracts active are CTR-RESPONSE (a contract_metrics row; the register has no metrics
    flag column at all) and CTR-OPEN-ENDED (no end date: still active; no metrics); CTR-ENDS-DEC ended: 1/2."""
    k = report(city, "--as-of", "2026-03-31")["contracts_with_metrics_share"]
    assert k["value"] == 0.5 and k["n"] == 2


def test_office_without_the_tables_sees_no_data_naming_them(tmp_path):
    """Contracts alone: the check-in and off-track KPIs are 'no data' naming the tables to import, never 0."""
    (tmp_path / "c.csv").write_text(CONTRACTS, encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps(CONTRACTS_MAP), encoding="utf-8")
    ws = tmp_path / "ws"
    assert run("-m", "loaders", "import", str(tmp_path / "c.csv"), "--table", "contracts", "--mapping",
               str(tmp_path / "c.json"), "--workspace", str(ws)).returncode == 0
    kpis = report(ws, "--as-of", "2026-03-31")
    for kpi_id, table in (("quarterly_checkin_rate", "checkins"), ("offtrack_key_contract_share", "metric_results"),
                          ("repeat_awards_with_evaluation_share", "evaluations")):
        k = kpis[kpi_id]
        assert k["value"] is None and k["status"] == "no_data", k
        assert any(table in m for m in k["missing"]), k["missing"]


def test_checkin_rate_with_calendar_fiscal_years(city):
    """--fy-start-month 1: FY2026 is calendar 2026, its Q1 Jan-Mar. As of 31 Mar 2026: CTR-OPEN-ENDED (Q1 missed:
    its check-ins are 30 Jun 2025 and 20 Apr 2026) and CTR-RESPONSE (1 Feb 2026: met); CTR-ENDS-DEC ended in 2025.
    1/2."""
    k = report(city, "--as-of", "2026-03-31", "--fy-start-month", "1")["quarterly_checkin_rate"]
    assert k["value"] == 0.5 and k["n"] == 2


# ----------------------------------------------------------------------------- the check-in pack's command line


def _pack_text(path: Path) -> list[tuple[int, str]]:
    from exports.fit import slide_texts

    return slide_texts(path.read_bytes())


def _cells(path: Path) -> dict:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_checkin_pack_from_the_command_line(city, tmp_path):
    """`python -m exports checkin` writes CTR-RESPONSE's pack: its vendor, its off-track metric, data through the
    date asked; a contract the table lacks is one line and status 2."""
    out = tmp_path / "pack.pptx"
    done = run("-m", "exports", "checkin", "--workspace", str(city), "--contract", "CTR-RESPONSE",
               "--as-of", "2026-03-31", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = " ".join(t for _n, t in _pack_text(out))
    assert "Fix-It Inc" in text and "31 Mar 2026" in text and "Hours to respond" in text
    bad = run("-m", "exports", "checkin", "--workspace", str(city), "--contract", "CTR-NOPE", "--out", str(out))
    assert bad.returncode == 2 and "CTR-NOPE" in bad.stderr and "Traceback" not in bad.stderr
    lone = run("-m", "exports", "checkin", "--workspace", str(city), "--schema", "kpi", "--contract", "CTR-RESPONSE",
               "--out", str(out))
    assert lone.returncode == 2 and "--schema goes with --source" in lone.stderr


def test_checkin_pack_computed_in_the_database_is_the_workspace_s(city, tmp_path):
    """With --source, the pack reads the contract, metrics, results and check-ins from PostgreSQL (the workspace
    lends its settings only): the same slides as from the workspace's files, even with an empty workspace."""
    import os
    import uuid

    import sqlalchemy as sa
    from conftest import require

    from storage.publish import publish
    from storage.workspace import Workspace

    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    schema = f"pack_{uuid.uuid4().hex[:8]}"
    publish(Workspace(city), url, schema=schema)
    empty = tmp_path / "empty"
    Workspace(empty).set_settings(fiscal_year_start_month=7)
    try:
        packs = {}
        for name, ws, extra in (("files", city, ()), ("database", empty, ("--source", url, "--schema", schema))):
            packs[name] = tmp_path / f"{name}.pptx"
            done = run("-m", "exports", "checkin", "--workspace", str(ws), *extra, "--contract", "CTR-RESPONSE",
                       "--as-of", "2026-03-31", "--out", str(packs[name]))
            assert done.returncode == 0, done.stderr
            assert sa.engine.make_url(url).password not in done.stdout + done.stderr
        assert _pack_text(packs["database"]) == _pack_text(packs["files"])
        # The KPI workbook too: the same cells computed in the database (the workspace lends its settings).
        books = {}
        for name, ws, extra in (("files", city, ()), ("database", empty, ("--source", url, "--schema", schema))):
            books[name] = tmp_path / f"{name}.xlsx"
            done = run("-m", "exports", "table", "--workspace", str(ws), *extra, "--fy", "2025", "--out",
                       str(books[name]))
            assert done.returncode == 0, done.stderr
        got, want = _cells(books["database"]), _cells(books["files"])
        # The import history (Data quality) is the workspace's; a table absent from the database is "not loaded"
        # where the workspace says "no rows": every value, goal, status and n is the same.
        assert set(want) - set(got) == {"Data quality"}
        assert [r[:10] for r in got.pop("Scorecard")] == [r[:10] for r in want.pop("Scorecard")]
        assert got == {k: v for k, v in want.items() if k != "Data quality"}
    finally:
        with sa.create_engine(url).begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def test_an_export_from_a_database_failing_when_read_is_one_line(city, tmp_path):
    """`exports checkin --source` on a database whose check-ins view fails when read: status 2, one line saying
    the database failed and why, without the password; not "report it to the maintainers"."""
    import os
    import uuid

    import sqlalchemy as sa
    from conftest import require
    from hostile_databases import failing_view

    from storage.publish import publish
    from storage.workspace import Workspace

    url = os.environ.get("TEST_POSTGRES_URL")
    require(bool(url), "TEST_POSTGRES_URL is not set (scripts/pg-throwaway start prints one)")
    schema = f"packfail_{uuid.uuid4().hex[:8]}"
    publish(Workspace(city), url, schema=schema)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in failing_view(schema, "checkins", ["contract_id", "meeting_date", "meeting_type",
                                                               "open_actions", "notes"], "open_actions"):
                conn.execute(sa.text(statement))
        done = run("-m", "exports", "checkin", "--workspace", str(city), "--source", url, "--schema", schema,
                   "--contract", "CTR-RESPONSE", "--as-of", "2026-03-31", "--out", str(tmp_path / "x.pptx"))
        assert done.returncode == 2
        assert done.stderr.strip() == "error: the database failed: a query failed: division by zero", done.stderr
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
