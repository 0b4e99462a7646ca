"""Chart builders: goal rule and zones, partial periods, units, aggregation limits, no-data charts."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace as NS

import altair as alt
import numpy as np
import pandas as pd
import pytest

import charts
from charts.formats import format_value


def make_kpi(unit="days", direction="lower", target=60, at_risk=90, id="procurement_lead_time_days"):
    return NS(
        id=id,
        title="Procurement lead time",
        theme="Speed",
        definition="Median days issue to award.",
        formula="median",
        unit=unit,
        direction=direction,
        goal=NS(target=target, at_risk=at_risk, source="Bonfire study"),
    )


def make_result(values, kpi=None, p90=None, partial_last=True):
    n = len(values)
    frame = pd.DataFrame(
        {
            "period_label": [f"FY{2022 + i}" for i in range(n)],
            "period_start": pd.date_range("2021-07-01", periods=n, freq="12MS"),
            "period_end": pd.date_range("2022-06-30", periods=n, freq="12ME"),
            "fiscal_year": range(2022, 2022 + n),
            "value": values,
            "n": [40] * n,
            "excluded": [2] * n,
            "partial": [False] * (n - 1) + [partial_last],
        }
    )
    if p90 is not None:
        frame["p90"] = p90
    return NS(kpi=kpi or make_kpi(), frame=frame, missing=(), no_data=False)


def spec(chart) -> dict:
    return chart.to_dict()


def layer_marks(d: dict) -> list[str]:
    out = []
    for layer in d.get("layer", [d]):
        mark = layer.get("mark")
        out.append(mark["type"] if isinstance(mark, dict) else mark)
    return out


def all_values(d: dict) -> list[dict]:
    rows = []
    for ds in d.get("datasets", {}).values():
        rows.extend(ds)
    return rows


def test_trend_draws_goal_rule_band_and_partial_marker():
    """A duration trend has the goal rule and label, an at-risk band, a missed zone, p90 and a partial legend."""
    d = spec(charts.trend(make_result([95, 80, 70, 58], p90=[150, 140, 130, 120])))
    marks = layer_marks(d)
    assert "rule" in marks and marks.count("rect") == 2 and "line" in marks
    text = json.dumps(d)
    assert "Goal 60 days" in text
    assert "at risk" in text and "missed" in text
    assert "partial period (not over yet)" in text
    assert "90th percentile" in text
    assert '"strokeDash": [6, 5]' in text  # dashed segment into the partial period


def test_trend_without_partial_has_no_partial_legend():
    """When every period is complete there is no partial legend nor dashed segment."""
    d = spec(
        charts.trend(make_result([0.2, 0.25], make_kpi("share", "higher", 0.25, 0.15), partial_last=False))
    )
    assert '"strokeDash": [6, 5]' not in json.dumps(d)
    assert all(
        layer.get("encoding", {}).get("fill", {}).get("legend", 0) is None
        for layer in d["layer"]
        if "fill" in layer.get("encoding", {})
    )


def test_trend_formats_axis_by_unit():
    """Shares get a percent axis, dollars an SI dollar axis with B for billions."""
    d = spec(charts.trend(make_result([0.1, 0.2], make_kpi("share", "higher", 0.25, 0.15))))
    assert '".0%"' in json.dumps(d)
    d = spec(charts.trend(make_result([1e6, 2e9], make_kpi("dollars", "higher", None, None))))
    assert "'G', 'B'" in json.dumps(d)


def test_trend_goal_false_draws_no_goal():
    """goal=False suppresses the goal rule and zones; goal=None uses the KPI's default."""
    d = spec(charts.trend(make_result([10, 20]), goal=False))
    assert "rule" not in layer_marks(d) and "rect" not in layer_marks(d)
    d = spec(charts.trend(make_result([10, 20]), goal=NS(target=30, at_risk=45, source="office")))
    assert "Goal 30 days" in json.dumps(d)


def test_trend_domain_includes_goal_and_zero():
    """The value axis starts at zero and reaches past the goal even when values are below it."""
    d = spec(charts.trend(make_result([5, 6]), goal=NS(target=60, at_risk=90)))
    domains = [
        layer["encoding"]["y"]["scale"]["domain"]
        for layer in d["layer"]
        if "scale" in layer.get("encoding", {}).get("y", {})
    ]
    lo, hi = domains[0]
    assert lo == 0 and hi >= 90


def test_no_data_gives_message_chart():
    """A result with no data is a chart that says which column is missing, never an empty plot."""
    result = NS(
        kpi=make_kpi(),
        frame=pd.DataFrame(columns=["period_label", "value"]),
        missing=("solicitations.issue_date",),
        no_data=True,
    )
    d = spec(charts.trend(result))
    assert "No data: needs solicitations.issue_date" in json.dumps(d)
    assert "No data" in json.dumps(spec(charts.breakdown(result)))


def test_too_many_rows_is_refused_with_advice():
    """A raw frame (over 5,000 rows) raises a ValueError telling to aggregate first."""
    with pytest.raises(ValueError, match="aggregate"):
        charts.trend(make_result(list(range(6000))))


def test_breakdown_keeps_top_15_and_other():
    """Twenty groups become the 15 with most records plus one 'Other (5 groups)' bar, sorted by value."""
    groups = [f"DEPT-{i:02d}" for i in range(20)]
    frame = pd.DataFrame(
        {
            "period_label": "FY2026",
            "group": groups,
            "value": np.arange(20.0) + 10,
            "n": np.arange(20) + 1,
            "excluded": 0,
            "partial": False,
        }
    )
    d = spec(charts.breakdown(NS(kpi=make_kpi(), frame=frame, missing=(), no_data=False)))
    bar_layer = next(layer for layer in d["hconcat"][0]["layer"] if layer["mark"]["type"] == "bar")
    order = bar_layer["encoding"]["y"]["sort"]
    assert len(order) == 16 and order[-1] == "Other (5 groups)"
    assert order[0] == "DEPT-19"  # highest value first
    assert "DEPT-00" not in order


def test_top_groups_folds_counts_by_sum_and_shares_by_weighted_mean():
    """'Other' adds counts and dollars, and n-weights shares."""
    df = pd.DataFrame({"group": list("abc"), "value": [10.0, 0.2, 0.4], "n": [100, 10, 30], "excluded": 0})
    other = charts.top_groups(df, "share", top=1).iloc[-1]
    assert other["group"] == "Other (2 groups)" and other["value"] == pytest.approx(0.35)
    other = charts.top_groups(df, "count", top=1).iloc[-1]
    assert other["value"] == pytest.approx(0.6)


def test_breakdown_takes_latest_period():
    """A multi-period breakdown frame shows the latest period only."""
    frame = pd.DataFrame(
        {
            "period_label": ["FY2025", "FY2026"],
            "period_start": pd.to_datetime(["2024-07-01", "2025-07-01"]),
            "group": ["A", "A"],
            "value": [1.0, 2.0],
            "n": [5, 5],
            "excluded": 0,
            "partial": False,
        }
    )
    d = spec(charts.breakdown(NS(kpi=make_kpi(), frame=frame, missing=(), no_data=False)))
    values = [r["value"] for r in all_values(d) if "group" in r]
    assert values == [2.0]


def test_distribution_bins_in_pandas():
    """100,000 raw durations reach Altair as a few dozen bins, with a median and goal rule."""
    values = pd.Series(np.random.default_rng(0).gamma(3, 25, 100_000))
    chart = charts.distribution(values, "days", goal=NS(target=60, at_risk=90))
    d = spec(chart)
    assert sum(len(v) for v in d["datasets"].values()) < 80
    text = json.dumps(d)
    assert "Median" in text and "Goal 60 days" in text


def test_histogram_bins_counts_everything():
    """Every value lands in exactly one bin, the tail in the last '≥' bin."""
    values = pd.Series(list(range(100)) + [10_000])
    bins = charts.histogram_bins(values)
    assert bins["count"].sum() == 101
    assert bins["overflow"].iloc[-1] and bins["label"].iloc[-1].startswith("≥")
    assert charts.histogram_bins(pd.Series([], dtype=float)).empty


def test_sparkline_is_small_and_axis_free():
    """A sparkline has no axes and a tiny size."""
    d = spec(charts.sparkline([1, 3, 2, None, 5]))
    assert d["width"] <= 200 and d["height"] <= 60
    assert d["layer"][0]["encoding"]["x"]["axis"] is None


def pipeline_frame(n, as_of=pd.Timestamp("2025-11-26")):
    rng = np.random.default_rng(1)
    end = as_of + pd.to_timedelta(rng.integers(0, 540, n), unit="D")
    return pd.DataFrame(
        {
            "contract_id": [f"CTR-{i}" for i in range(n)],
            "title": "Janitorial",
            "vendor_name": "Acme",
            "department": "Parks",
            "end_date": end,
            "days_left": (end - as_of).days,
            "current_amount": rng.gamma(2, 1e5, n),
            "action": rng.choice(["start replacement solicitation", "exercise renewal option"], n),
        }
    )


def test_pipeline_small_is_one_dot_per_contract():
    """Up to 400 contracts: one circle each, rows by action, window marks at 90/180/365 days."""
    d = spec(charts.pipeline_timeline(pipeline_frame(50)))
    assert layer_marks(d)[0] == "circle"
    assert "180 days" in json.dumps(d)
    assert sum(1 for r in all_values(d) if "contract_id" in r) == 50


def test_pipeline_large_is_aggregated_by_month():
    """Over 400 contracts: monthly stacked bars, well under Altair's row limit."""
    d = spec(charts.pipeline_timeline(pipeline_frame(20_000)))
    assert layer_marks(d)[0] == "bar"
    assert sum(1 for r in all_values(d) if "contracts" in r) <= 2 * 19


def test_pipeline_empty_says_so():
    """No contracts ending gives a message chart."""
    assert "No contracts end" in json.dumps(spec(charts.pipeline_timeline(pipeline_frame(0))))


def test_theme_is_registered_and_active():
    """One registered theme with slide-size type and the Okabe-Ito palette."""
    assert alt.theme.active == charts.THEME_NAME
    cfg = charts.theme()["config"]
    assert cfg["axis"]["labelFontSize"] >= 13 and cfg["title"]["fontSize"] >= 20
    assert cfg["range"]["category"][0] == "#0072B2"
    assert set(charts.STATUS_COLORS) == {"met", "at risk", "missed", "no goal", "no data"}


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0.123, "share", "12.3%"),
        (0.05, "share", "5.0%"),
        (84, "days", "84 days"),
        (1_234_567, "dollars", "$1.2M"),
        (2.5e9, "dollars", "$2.5B"),
        (950, "dollars", "$950"),
        (2.345, "bids", "2.3 bids"),
        (None, "days", "—"),
        (float("nan"), "share", "—"),
    ],
)
def test_format_value(value, unit, expected):
    """Charts write values exactly as the cards and sentences do (kpi.format is the one formatter)."""
    import kpi.format

    assert format_value(value, unit) == expected == kpi.format.format_value(value, unit)


def test_goal_text_is_direction_aware():
    """Goal sentences say 'or less' for lower-is-better and 'or more' for higher."""
    assert (
        charts.goal_text(NS(target=60, at_risk=90), "days", "lower")
        == "Goal: 60 days or less (at risk up to 90 days)"
    )
    assert (
        charts.goal_text(NS(target=0.25, at_risk=0.15), "share", "higher")
        == "Goal: 25% or more (at risk down to 15%)"
    )
    assert charts.goal_text(NS(target=None, at_risk=None), "share", "higher") == ""


def test_trend_leaves_out_empty_edge_periods():
    """Periods with no value before the first and after the last value are not drawn; inner gaps stay."""
    result = make_result([None, 10, None, 12, None], partial_last=False)
    d = spec(charts.trend(result))
    line = next(
        layer
        for layer in d["layer"]
        if layer.get("mark", {}).get("type") == "line" or layer.get("mark") == "line"
    )
    assert line["encoding"]["x"]["sort"] == ["FY2023", "FY2024", "FY2025"]


def test_breakdown_takes_an_engine_result_with_period_objects():
    """A breakdown straight from kpi.compute (its frame holds pandas Periods) renders to PNG."""
    import kpi
    from exports import chart_png
    from sample_data.generate import generate_city

    tables = generate_city(seed=3, scale=0.05)
    result = kpi.compute("mwbe_spend_share", tables, grain="year", by="department", as_of="2026-05-31")
    assert "period" in result.frame.columns
    assert chart_png(charts.breakdown(result))[:8] == b"\x89PNG\r\n\x1a\n"


def _tooltip_titles(node) -> list[tuple[str, str]]:
    """(field, title) of every tooltip in a chart spec, however deeply layered or concatenated."""
    out = []
    if isinstance(node, dict):
        tip = node.get("encoding", {}).get("tooltip") if isinstance(node.get("encoding"), dict) else None
        for t in ([tip] if isinstance(tip, dict) else tip or []):
            out.append((t.get("field", ""), t.get("title", "")))
        for v in node.values():
            out += _tooltip_titles(v)
    elif isinstance(node, list):
        for v in node:
            out += _tooltip_titles(v)
    return out


def _marks_without_tooltip_encoding_have_none(node) -> bool:
    """A mark with no tooltip encoding says so (tooltip null): Streamlit would otherwise list its raw fields."""
    if isinstance(node, dict):
        mark = node.get("mark")
        if mark is not None:
            encoding = node.get("encoding") or {}
            if "tooltip" not in encoding and not (isinstance(mark, dict) and "tooltip" in mark
                                                  and mark["tooltip"] is None):
                return False
        return all(_marks_without_tooltip_encoding_have_none(v) for v in node.values())
    if isinstance(node, list):
        return all(_marks_without_tooltip_encoding_have_none(v) for v in node)
    return True


def test_tooltips_carry_plain_titles_never_internal_names():
    """Every tooltip has a title in words (no value_text, period_label, 'a'/'b'); no mark lists raw fields."""
    goal = {"target": 40.0, "at_risk": 60.0}
    by_group = pd.DataFrame({"period_label": "FY2026", "group": ["Parks", "Police"], "value": [30.0, 70.0],
                             "n": [10, 12], "excluded": 0, "partial": False})
    built = [
        charts.trend(make_result([50.0, 45.0, 41.0, 39.0, 30.0, 20.0], p90=[80.0] * 6), goal),
        charts.breakdown(NS(kpi=make_kpi(), frame=by_group, missing=(), no_data=False), goal, select="pick"),
        charts.distribution(pd.Series(np.arange(100.0)), "days", goal),
        charts.pipeline_timeline(pd.DataFrame({"contract_id": ["CTR-1"], "end_date": [pd.Timestamp("2026-09-01")],
                                               "action": ["renew"], "current_amount": [1e5]}), as_of="2026-06-01"),
    ]
    for chart in built:
        d = chart.to_dict()
        titles = _tooltip_titles(d)
        assert titles
        for field, title in titles:
            assert title and "_" not in title and not re.fullmatch(r"[a-z]", title), (field, title)
        assert _marks_without_tooltip_encoding_have_none(d)


def test_breakdown_bars_take_their_status_colour_and_labels_sit_beside_the_plot():
    """Bars are coloured met / at risk / missed against the goal; value labels are a separate column, so the
    goal line (in the plot) never crosses them."""
    goal = {"target": 40.0, "at_risk": 60.0}  # lower is better (make_kpi)
    frame = pd.DataFrame({"period_label": "FY2026", "group": ["G-MET", "G-AT-RISK", "G-MISSED"],
                          "value": [30.0, 50.0, 70.0], "n": [5, 5, 5], "excluded": 0, "partial": False})
    d = charts.breakdown(NS(kpi=make_kpi(), frame=frame, missing=(), no_data=False), goal).to_dict()
    rows = {r["group"]: r["status"] for r in all_values(d) if "status" in r}
    assert rows == {"G-MET": "met", "G-AT-RISK": "at risk", "G-MISSED": "missed"}
    plot, labels = d["hconcat"]
    assert not any(layer.get("mark", {}).get("type") == "text" and layer["encoding"].get("text", {}).get("field")
                   == "label" for layer in plot["layer"])
    assert labels["mark"]["type"] == "text" and labels["encoding"]["text"]["field"] == "label"


def test_trend_labels_step_below_a_goal_line_they_would_touch():
    """A point just under the goal, or in a dip of the line, has its label below it; others above."""
    from charts.kpi_charts import label_below

    below = label_below(pd.Series([0.3, 0.6, 0.88]), (0.0, 1.0), 320, 0.9)
    assert list(below) == [True, False, True]  # a dip goes below; just under the goal line goes below
    assert list(label_below(pd.Series([0.5, 0.2, 0.5]), (0.0, 1.0), 320, None)) == [False, True, False]
    assert list(label_below(pd.Series([0.5]), (0.0, 1.0), 320, None)) == [False]


def test_pipeline_from_monthly_sums_draws_the_same_bars():
    """The engine's monthly sums (kpi.contracts.pipeline_months' shape) draw the bars the contracts would."""
    frame = pipeline_frame(20_000)
    as_of = pd.Timestamp("2026-06-30")  # the pipeline holds contracts ending 1 to 540 days after it
    frame = frame[(frame["end_date"] > as_of) & (frame["end_date"] <= as_of + pd.Timedelta(days=540))].copy()
    frame["month"] = frame["end_date"].dt.to_period("M").dt.to_timestamp()
    sums = frame.groupby(["month", "action"], as_index=False).agg(
        contracts=("action", "size"), current_amount=("current_amount", "sum"), end_date=("end_date", "min"))
    from_rows = spec(charts.pipeline_timeline(frame.drop(columns="month"), as_of="2026-06-30"))
    from_sums = spec(charts.pipeline_timeline(sums, as_of="2026-06-30"))
    assert layer_marks(from_sums)[0] == "bar"
    bars = sorted((r["month"], r["action"], r["contracts"], r["amount_text"]) for r in all_values(from_sums)
                  if "contracts" in r)
    assert bars == sorted((r["month"], r["action"], r["contracts"], r["amount_text"]) for r in all_values(from_rows)
                          if "contracts" in r)
    assert len(bars) > 10
