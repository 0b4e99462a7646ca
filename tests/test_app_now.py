"""The Overview on the sample city: fiscal year to date by default, dollars beside shares, comparisons kept when a
year is chosen, and sentences whose numbers are their cards' numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import kpi
from kpi.format import format_kpi_value
from ui.format import md_escape

pytestmark = [pytest.mark.xdist_group("app"), pytest.mark.usefixtures("fresh_streamlit_caches")]

TIMEOUT = 120
APP = str(Path(__file__).resolve().parent.parent / "app.py")
TITLES = {md_escape(kpi.KPIS[k].title): k for k in kpi.SCORECARD}


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    """A workspace holding the sample city, loaded by `python -m sample_data load` (as the app does)."""
    from sample_data.__main__ import main

    path = tmp_path_factory.mktemp("now") / "workspace"
    assert main(["load", "--workspace", str(path)]) == 0
    return path


@pytest.fixture
def overview(sample_dir, monkeypatch):
    monkeypatch.setenv("PROCUREMENT_KPI_WORKSPACE", str(sample_dir))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", str(text))


def captions(at) -> list[str]:
    return [unescape(c.value) for c in at.caption]


def cards(at) -> dict[str, object]:
    return {m.label: m for m in at.metric if m.label in TITLES}


def test_overview_opens_on_fiscal_year_to_date_with_its_date_and_dollars(overview):
    """Data through 31 May 2026, FY2026 year to date against the same months of FY2025, and dollar figures."""
    assert captions(overview)[0] == ("**Data through 31 May 2026** · FY2026 year to date (Jul 2025 – May 2026), "
                                     "compared with the same months of FY2025")
    assert any(c.startswith("FY2026 year to date · by fiscal year") for c in captions(overview))
    dollars = {m.label: m.value for m in overview.metric if m.label not in TITLES}
    assert {"Spend", "Award dollars", "Paid to M/WBE firms", "Non-competitive awards", "Saved against estimates",
            "Ending in 18 months", "Re-procurement to start now"} <= set(dollars)
    assert all(re.fullmatch(r"\$[\d,.]+[KMB]?", v) for v in dollars.values()), dollars
    assert dollars["Spend"] == "$51.3M"  # the payments of Jul 2025 - May 2026, as kpi.dollars sums them
    mwbe = cards(overview)["M/WBE spend"]
    assert mwbe.value == "18.6%" and "$9.5M of $51.3M paid" in unescape(mwbe.proto.help)
    assert "Where the money went" in [unescape(s.value) for s in overview.subheader]


def test_choosing_a_fiscal_year_keeps_the_comparison_with_the_year_before(overview):
    """FY2025 chosen: every card still shows its change against FY2024, and What changed compares them."""
    overview.sidebar.multiselect(key="fy").set_value([2025]).run()
    assert not overview.exception
    assert captions(overview)[0].endswith("FY2025 (Jul 2024 – Jun 2025), compared with FY2024")
    shown = cards(overview)
    with_delta = [label for label, m in shown.items() if m.delta]
    assert len(with_delta) >= len(kpi.SCORECARD) - 1, {k: m.delta for k, m in shown.items()}
    changed = [unescape(m.value) for m in overview.markdown if " in FY2024 to " in unescape(m.value)]
    assert changed, [m.value for m in overview.markdown]
    overview.sidebar.multiselect(key="fy").set_value([2026]).run()  # the running year: to date again
    assert "FY2026 year to date" in captions(overview)[0]
    assert sum(bool(m.delta) for m in cards(overview).values()) >= len(kpi.SCORECARD) - 1


def test_every_sentence_states_its_cards_number(overview, sample_dir):
    """A card's value appears, written the same way, in its sentence (the card's help and What changed)."""
    from kpi import now
    from storage.workspace import Workspace

    ws = Workspace(sample_dir)
    tables = ws.tables()
    period = now.default_period(now.data_through(tables, ws.settings()))
    card = kpi.scorecard(tables, ws.goals(), period=period).set_index("kpi_id")
    shown = cards(overview)
    sentences = [unescape(m.value) for m in overview.markdown if " in FY2026 year to date" in unescape(m.value)]
    assert sentences
    for label, metric in shown.items():
        row = card.loc[TITLES[label]]
        assert metric.value == format_kpi_value(row["value"], row["unit"], row["target"], row["at_risk"])
        help_text = unescape(metric.proto.help)
        assert f" {metric.value} in FY2026 year to date" in help_text, (label, metric.value, help_text)
        for s in sentences:
            if s.split(" ", 1)[-1].startswith(kpi.KPIS[TITLES[label]].title):
                assert f" {metric.value} in FY2026 year to date" in s


def test_last_twelve_months_from_the_url(sample_dir, monkeypatch):
    """?window=Last+12+months opens the twelve months to the data-through date against the twelve before them."""
    monkeypatch.setenv("PROCUREMENT_KPI_WORKSPACE", str(sample_dir))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["window"] = "Last 12 months"  # a bound widget keeps its label in the URL
    at.run()
    assert not at.exception
    assert captions(at)[0].endswith("12 months to May 2026 (Jun 2025 – May 2026), compared with the 12 months to "
                                    "May 2025")


def test_what_changed_leads_with_the_largest_movements_worst_first():
    """Worse movements first, largest first (a large one within the noise is not left out), then the better."""
    import pandas as pd

    from ui.cards import ordered_changes

    card = pd.DataFrame({
        "kpi_id": ["WORSE-16-NOTABLE", "WORSE-2", "BETTER-25", "UNCHANGED", "WORSE-30-WITHIN-NOISE", "BETTER-5"],
        "movement": [-16.0, -2.0, 25.0, 0.0, -30.0, 5.0],
        "change_notable": [True, False, False, False, False, True],
    })
    assert list(ordered_changes(card)["kpi_id"]) == [
        "WORSE-30-WITHIN-NOISE", "WORSE-16-NOTABLE", "WORSE-2", "BETTER-25", "BETTER-5"]
