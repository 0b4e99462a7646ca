"""Goals: the one status function (inclusive, direction-aware), the most specific goal, the goals file."""

from __future__ import annotations

import pandas as pd
import pytest

import kpi
from kpi.goals import GOAL_COLUMNS


@pytest.mark.parametrize(("value", "status"), [
    (0.10, "met"), (0.0999, "met"), (0.1001, "at_risk"), (0.20, "at_risk"), (0.2001, "missed"),
])
def test_assess_lower_is_better_inclusive(value, status):
    """Single-bid share, goal 10% / at risk 20%: exactly 10% is met, exactly 20% is at risk."""
    assert kpi.assess(value, 0.10, 0.20, "lower") == status


@pytest.mark.parametrize(("value", "status"), [
    (0.90, "met"), (0.95, "met"), (0.8999, "at_risk"), (0.80, "at_risk"), (0.7999, "missed"),
])
def test_assess_higher_is_better_inclusive(value, status):
    """On-time payments, goal 90% / at risk 80%: the limits themselves are met and at risk."""
    assert kpi.assess(value, 0.90, 0.80, "higher") == status


def test_assess_float_noise_at_the_limit_is_still_inclusive():
    assert kpi.assess(0.1 + 0.2, 0.3, 0.5, "lower") == "met"
    assert kpi.assess(3 * 0.1, 0.3, 0.2, "higher") == "met"


def test_assess_without_value_goal_or_limit():
    assert kpi.assess(None, 60, 90, "lower") == "no_data"
    assert kpi.assess(float("nan"), 60, 90, "lower") == "no_data"
    assert kpi.assess(42.0, None, None, "lower") == "no_goal"
    assert kpi.assess(42.0, 40, None, "lower") == "missed"
    assert kpi.assess(0, 0, 3, "lower") == "met"
    assert kpi.assess(3, 0, 3, "lower") == "at_risk"
    assert kpi.assess(4, 0, 3, "lower") == "missed"


def test_assess_by_kpi_id_uses_its_direction_and_goal():
    assert kpi.assess("procurement_lead_time_days", 90, None) == "at_risk"
    assert kpi.assess("procurement_lead_time_days", 45, kpi.Goal(30, 40, "office")) == "missed"
    assert kpi.assess("on_time_payment_share", 0.85, {"target": 0.8, "at_risk": 0.7}) == "met"


def goals(*rows) -> pd.DataFrame:
    return pd.DataFrame([{c: r.get(c) for c in GOAL_COLUMNS} for r in rows], columns=list(GOAL_COLUMNS))


OFFICE_GOALS = goals(
    dict(kpi_id="single_bid_share", target=0.15, at_risk=0.25, source="office default"),
    dict(kpi_id="single_bid_share", fiscal_year=2026, target=0.12, at_risk=0.22, source="FY2026 plan"),
    dict(kpi_id="single_bid_share", scope_type="department", scope_value="Parks", target=0.2, at_risk=0.3,
         source="Parks"),
    dict(kpi_id="single_bid_share", fiscal_year=2026, scope_type="department", scope_value="Parks",
         target=0.18, at_risk=0.28, source="Parks FY2026"),
)


@pytest.mark.parametrize(("fy", "scope", "source"), [
    (None, None, "office default"),
    (2025, None, "office default"),
    (2026, None, "FY2026 plan"),
    (2025, ("department", "Parks"), "Parks"),
    (2026, ("department", "Parks"), "Parks FY2026"),
    (2026, ("department", "Police"), "FY2026 plan"),
])
def test_most_specific_goal_wins(fy, scope, source):
    """(fiscal year + scope) > scope > fiscal year > office default > registry default."""
    assert kpi.resolve_goal("single_bid_share", OFFICE_GOALS, fiscal_year=fy, scope=scope).source == source


def test_registry_default_without_office_goals_and_filters_as_scope():
    assert kpi.resolve_goal("single_bid_share", None) == kpi.KPIS["single_bid_share"].goal
    assert kpi.resolve_goal("days_to_pay", OFFICE_GOALS).target == 30
    f = kpi.Filters(fiscal_years=(2026,), departments=("Parks",))
    assert kpi.resolve_goal("single_bid_share", OFFICE_GOALS, filters=f).source == "Parks FY2026"
    assert kpi.resolve_goal("engagement_bid_lift", None) is None


TOML = '''
[[goal]]
kpi_id = "single_bid_share"
target = 0.12
at_risk = 0.2
source = "Council resolution 2025-14"

[[goal]]
kpi_id = "procurement_lead_time_days"
fiscal_year = 2026
scope_type = "department"
scope_value = "Public Works"
target = 75
at_risk = 100
note = "construction-heavy"
'''


def test_goals_toml_round_trip(tmp_path):
    df = kpi.load_goals_file(TOML)
    assert list(df.columns) == list(GOAL_COLUMNS)
    assert len(df) == 2 and df.loc[1, "fiscal_year"] == 2026 and df.loc[1, "scope_value"] == "Public Works"
    for fmt in ("toml", "csv"):
        path = tmp_path / f"goals.{fmt}"
        kpi.dump_goals_file(df, path, fmt=fmt)
        again = kpi.load_goals_file(path)
        pd.testing.assert_frame_equal(again, df)
    g = kpi.resolve_goal("procurement_lead_time_days", df, fiscal_year=2026, scope=("department", "Public Works"))
    assert (g.target, g.at_risk, g.note) == (75, 100, "construction-heavy")


def test_default_goals_round_trip():
    df = kpi.default_goals()
    assert set(df["kpi_id"]) == {k for k, v in kpi.KPIS.items() if v.goal and v.goal.target is not None}
    pd.testing.assert_frame_equal(kpi.load_goals_file(kpi.dump_goals_file(df)), df)


@pytest.mark.parametrize(("text", "message"), [
    ('[[goal]]\nkpi_id = "single_bid_rate"\ntarget = 0.1\n', "unknown KPI id 'single_bid_rate'"),
    ('[[goal]]\nkpi_id = "single_bid_share"\ntarget = 0.1\ntargte = 0.2\n', "unknown key 'targte'"),
    ('[goals]\nkpi_id = "single_bid_share"\n', "unknown key 'goals'"),
    ('[[goal]]\nkpi_id = "single_bid_share"\ntarget = 0.3\nat_risk = 0.2\n', "must not exceed at_risk"),
    ('[[goal]]\nkpi_id = "on_time_payment_share"\ntarget = 0.7\nat_risk = 0.8\n', "must not be below at_risk"),
    ('[[goal]]\nkpi_id = "single_bid_share"\nscope_type = "region"\nscope_value = "North"\n',
     "unknown scope_type 'region'"),
    ('[[goal]]\nkpi_id = "single_bid_share"\ntarget = "ten percent"\n', "is not a number"),
    ("kpi_id,target,at_risk,colour\nsingle_bid_share,0.1,0.2,red\n", "unknown column 'colour'"),
    ("kpi_id,target,at_risk\nno_such_kpi,0.1,0.2\n", "unknown KPI id 'no_such_kpi'"),
    ("[[goal]\n", "not valid TOML"),
])
def test_goals_file_errors_name_the_problem(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        kpi.load_goals_file(text)


def test_dump_rejects_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="unknown goals file format"):
        kpi.dump_goals_file(kpi.default_goals(), tmp_path / "g.json", fmt="json")


def test_one_validation_collects_every_problem():
    """Every problem of every row is listed, each naming its row; a share typed as 25 is read as 25%."""
    from kpi.goals import PAGE_WORDS, validate_goals

    rows = [
        {"kpi_id": "mwbe_spend_share", "target": 25, "at_risk": 15},
        {"kpi_id": "procurement_lead_time_days", "target": 90, "at_risk": 60, "fiscal_year": "next year"},
        {"kpi_id": "no_such_kpi", "target": 1},
        {"kpi_id": "single_bid_share", "target": 0.1, "scope_type": "department"},
        {"kpi_id": "mwbe_spend_share", "target": 0.3},
    ]
    check = validate_goals(rows, "goals.csv")
    assert check.problems == (
        "goals.csv goal 2 (procurement_lead_time_days): lower is better, so target 90 must not exceed at_risk 60 "
        "(the at-risk limit is at or above the target)",
        "goals.csv goal 2 (procurement_lead_time_days): fiscal_year 'next year' is not a year like 2026",
        "goals.csv goal 3: unknown KPI id 'no_such_kpi'; choose one from the list",
        "goals.csv goal 4 (single_bid_share): scope_type and scope_value go together: give both the scope "
        "(department or category) and its name, or neither",
        "goals.csv goal 5 (mwbe_spend_share): a second goal for the same KPI, year and scope (see goal 1)",
    )
    assert check.notes == ("goals.csv goal 1 (mwbe_spend_share): read as percentages (25%).",)
    assert check.goals[["kpi_id", "target", "at_risk"]].to_dict("records") == [
        {"kpi_id": "mwbe_spend_share", "target": 0.25, "at_risk": 0.15}]
    page = validate_goals(rows[1:2], noun="row", words=PAGE_WORDS, kpi_name=lambda k: kpi.KPIS[k].title)
    assert page.problems[0].startswith("Row 1 (Procurement lead time): lower is better, so target 90 must not "
                                       "exceed at-risk limit 60")
    with pytest.raises(ValueError, match="goals file goal 2: .*; goals file goal 3: "):  # the goals file names them all at once
        kpi.load_goals_file("kpi_id,target,at_risk\nsingle_bid_share,0.1,0.2\nno_such_kpi,1,\nalso_unknown,1,\n")
