"""The sample city's contract performance data tells the story it should: a few key contracts off track, one
improving once check-ins start, results with gaps and check-ins sometimes missed."""

from __future__ import annotations

import pandas as pd
import pytest

import kpi
from sample_data import AS_OF
from sample_data.generate import generate_city


@pytest.fixture(scope="module")
def city():
    return generate_city()


def test_a_few_key_contracts_are_off_track(city):
    res = kpi.compute("offtrack_key_contract_share", city, grain="quarter", as_of=AS_OF)
    q3 = res.at("FY2026 Q3")
    assert 0.05 <= q3["value"] <= 0.25 and q3["n"] >= 40


def test_one_contract_improves_after_its_checkins_begin(city):
    notes = city["checkins"]["notes"].fillna("")
    ids = set(city["checkins"].loc[notes.str.startswith("Corrective action plan"), "contract_id"])
    assert len(ids) == 1
    (cid,) = ids
    first = city["checkins"].loc[city["checkins"]["contract_id"] == cid, "meeting_date"].min()
    metrics = city["contract_metrics"].set_index(["contract_id", "metric_id"])
    results = city["metric_results"][city["metric_results"]["contract_id"] == cid]
    for metric, series in results.groupby("metric_id"):
        target = metrics.loc[(cid, metric), "target"]
        before = series[series["period_end"] < first]["value"]
        assert (before < target).all(), (metric, before.tolist(), target)  # off track before the meetings
        assert series["value"].iloc[-1] >= target  # on track now
    assert not (city["checkins"]["contract_id"] == cid).loc[city["checkins"]["meeting_date"] < first].any()


def test_results_have_gaps_and_checkins_are_sometimes_missed(city):
    r = city["metric_results"]
    quarters = r.groupby(["contract_id", "metric_id"])["period_end"].agg(["min", "max", "size"])
    expected = ((quarters["max"].dt.to_period("Q") - quarters["min"].dt.to_period("Q")).map(lambda d: d.n) + 1)
    assert (quarters["size"] < expected).sum() >= 10  # some quarters were not reported
    rate = kpi.compute("quarterly_checkin_rate", city, grain="year", as_of=AS_OF)
    fy = {row.period_label: row.value for row in rate.frame.itertuples()}
    assert 0.4 <= fy["FY2025"] < fy["FY2026"] < 1.0  # missed sometimes, improving with the reform
    assert pd.api.types.is_integer_dtype(city["checkins"]["open_actions"])
