"""One Source used by several threads at once, as the app's sessions share one per data version (and a page's
run can still be finishing when the next starts): DuckDB refuses a second call on a busy connection, so every
call waits its turn (kpi.sql.source.serialised) and the engine writes its tables one writer at a time."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from generated_workspaces import workspace_of

import kpi
from kpi import performance as kp
from kpi.results import Filters
from kpi.sql.source import Source

pytestmark = pytest.mark.xdist_group("engine")
ARGS = dict(grain="quarter", fy_start_month=7, as_of="2026-05-31")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from sample_data.generate import generate_city

    return workspace_of(tmp_path_factory.mktemp("threads") / "ws", generate_city(seed=5, sizes={"payments": 4000, "solicitations": 400, "contracts": 200}))


def _values(results: dict) -> dict:
    return {k: r.frame.reset_index(drop=True) for k, r in results.items()}


def test_sessions_computing_on_one_source_at_once_get_what_one_alone_gets(city):
    alone = _values(kpi.compute_all(Source.from_workspace(city), **ARGS))
    filtered_alone = _values(kpi.compute_all(Source.from_workspace(city), filters=Filters(departments=("Parks & Recreation",)),
                                             **ARGS))
    key_alone = kp.key_contracts(Source.from_workspace(city), as_of="2026-05-31", fy_start_month=7)

    shared = Source.from_workspace(city)  # nothing computed on it yet: every thread writes records first
    got, errors = {}, []

    def run(name, work):
        try:
            got[name] = work()
        except Exception as exc:  # noqa: BLE001 - collected and shown by the assertion below
            errors.append(f"{name}: {exc!r}")

    work = {
        "all": lambda: _values(kpi.compute_all(shared, **ARGS)),
        "all again": lambda: _values(kpi.compute_all(shared, **ARGS)),
        "filtered": lambda: _values(kpi.compute_all(shared, filters=Filters(departments=("Parks & Recreation",)), **ARGS)),
        "key contracts": lambda: kp.key_contracts(shared, as_of="2026-05-31", fy_start_month=7),
    }
    threads = [threading.Thread(target=run, args=item) for item in work.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for name in ("all", "all again"):
        assert got[name].keys() == alone.keys()
        for kpi_id, frame in alone.items():
            pd.testing.assert_frame_equal(got[name][kpi_id], frame, obj=f"{name} {kpi_id}")
    for kpi_id, frame in filtered_alone.items():
        pd.testing.assert_frame_equal(got["filtered"][kpi_id], frame, obj=f"filtered {kpi_id}")
    pd.testing.assert_frame_equal(got["key contracts"], key_alone)


def test_a_question_asked_by_two_threads_at_once_is_computed_once(city, monkeypatch):
    """A page and the background preparation after an import (or two sessions) asking the same KPI of the same
    data at once: the second waits for the first's answer, and both get it."""
    from kpi.sql import engine

    computed = []
    real = engine._compute

    def counted(k, *args, **kwargs):
        computed.append(k.id)
        return real(k, *args, **kwargs)

    monkeypatch.setattr(engine, "_compute", counted)
    src = Source.from_workspace(city)
    start = threading.Barrier(3)
    answers = []

    def ask():
        start.wait()
        answers.append(kpi.compute("on_time_payment_share", src, **ARGS).frame)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert computed == ["on_time_payment_share"]
    assert len(answers) == 3
    for frame in answers[1:]:
        pd.testing.assert_frame_equal(frame, answers[0])
