"""kpi.format and kpi.wording: one rounding, one set of words, with values worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

import charts
import kpi
from kpi.format import (
    format_change,
    format_date,
    format_goal_value,
    format_kpi_value,
    format_money,
    format_month,
    format_month_range,
    format_period_label,
    format_relative_change,
    format_value,
    plural,
    singular,
)
from kpi.registry import Goal
from kpi.wording import (
    change_sentence,
    goal_phrase,
    goal_text,
    goal_words,
    movement_score,
    movement_verb,
    value_sentence,
)
from ui import format as ui_format


@pytest.mark.parametrize(("value", "unit", "text"), [
    (0.188, "share", "18.8%"),
    (0.05, "share", "5.0%"),
    (84.4, "days", "84 days"),
    (1, "days", "1 day"),
    (1.0, "bids", "1.0 bids"),
    (2.84, "bids", "2.8 bids"),
    (17, "count", "17"),
    (1_234_567, "dollars", "$1.2M"),
    (999_960, "dollars", "$1.0M"),  # rounds up into the next unit, not '$1000.0K'
    (-3_400_000, "dollars", "-$3.4M"),
    (950, "dollars", "$950"),
    (None, "share", "—"),
    (float("nan"), "days", "—"),
])
def test_format_value_by_hand(value, unit, text):
    """Shares to one decimal of a percent, days and counts whole, bids one decimal, dollars K/M/B."""
    assert format_value(value, unit) == text


def test_a_value_never_reads_as_the_goal_it_misses():
    """89.8% against a 90% goal prints 89.8%; 89.96% would round to '90.0%', so it gets a decimal more."""
    assert format_kpi_value(0.898, "share", 0.90, 0.80) == "89.8%"
    assert format_kpi_value(0.8996, "share", 0.90, 0.80) == "89.96%"
    assert format_value(0.8996, "share") == "90.0%"  # without a goal to miss, the usual rounding
    assert format_kpi_value(60.4, "days", 60, 90) == "60.4 days"  # not '60 days' beside a 60-day goal
    assert format_kpi_value(60.0, "days", 60, 90) == "60 days"  # exactly the goal: nothing to add
    assert format_kpi_value(0.90, "share", 0.90, 0.80) == "90.0%"


def test_changes_use_points_for_shares_and_the_unit_otherwise():
    """'pts' for shares, never '%'; days and bids singular at one; a rounded zero has no sign."""
    assert format_change(0.30, 0.25, "share") == "+5.0 pts"
    assert format_change(0.25, 0.30, "share") == "-5.0 pts"
    assert format_change(5, 4, "days") == "+1 day"
    assert format_change(73, 79, "days") == "-6 days"
    assert format_change(2.80, 2.84, "bids") == "0.0 bids"
    assert format_change(8, 4, "count") == "+4"
    assert format_change(3.2e6, 2.0e6, "dollars") == "+$1.2M"
    assert format_change(73, None, "days") is None


def test_relative_change_column_is_points_for_shares_and_percent_for_the_rest():
    """A comparison column never mixes: a share moves in points, everything else in percent."""
    assert format_relative_change(0.30, 0.25, "share") == "+5.0 pts"
    assert format_relative_change(8, 4, "count") == "+100%"
    assert format_relative_change(45, 60, "days") == "-25%"
    assert format_relative_change(3, 0, "count") == "new"


def test_plural_and_singular():
    assert plural(1, "goals") == "1 goal"
    assert plural(2, "goals") == "2 goals"
    assert plural(0, "goals") == "0 goals"
    assert plural(1204, "payments") == "1,204 payments"
    assert plural(1, "key contracts") == "1 key contract"
    assert singular("businesses") == "business" and singular("categories") == "category"


def test_dates_and_months():
    assert format_month("2026-05") == "May 2026"
    assert format_month(dt.date(2026, 5, 31)) == "May 2026"
    assert format_date("2026-03-31") == "31 Mar 2026"
    assert format_month_range(dt.date(2025, 7, 1), dt.date(2026, 5, 31)) == "Jul 2025 – May 2026"
    assert format_period_label("2025-10") == "October 2025"
    assert format_period_label("FY2026 Q2") == "FY2026 Q2"


def test_goal_values_and_texts():
    """Goals read as people set them: no trailing zeros; one text for cards, one for charts and slides."""
    assert format_goal_value(0.9, "share") == "90%"
    assert format_goal_value(0.125, "share") == "12.5%"
    assert format_goal_value(1, "days") == "1 day"
    assert goal_text(60, 90, "days", "lower") == "Goal ≤ 60 days · at risk ≤ 90 days"
    assert goal_text(0.25, 0.15, "share", "higher") == "Goal ≥ 25% · at risk ≥ 15%"
    assert goal_text(None, None, "share", "higher") == "No goal set"
    assert goal_words(0.25, 0.15, "share", "higher") == "Goal: 25% or more (at risk down to 15%)"
    assert charts.goal_text({"target": 60, "at_risk": 90}, "days", "lower") == goal_words(60, 90, "days", "lower")
    assert ui_format.format_goal(60, 90, "days", "lower") == goal_text(60, 90, "days", "lower")


def test_every_formatter_is_the_same_one():
    """The app, the charts, the deck and the sentences share one format_value."""
    for value, unit in ((0.1234, "share"), (84, "days"), (2.5e6, "dollars"), (2.345, "bids"), (None, "share")):
        assert ui_format.format_value(value, unit) == charts.format_value(value, unit) == format_value(value, unit)


def test_goal_phrase_agrees_with_the_number_shown():
    """89.8% against a 90% goal (80% at risk) is below the goal, and the sentence says 89.8%, not 90%."""
    ontime = kpi.KPIS["on_time_payment_share"]
    goal = Goal(0.90, 0.80)
    assert goal_phrase(ontime.unit, ontime.direction, 0.898, goal) == \
        ", below the 90% goal but within the 80% at-risk limit"
    sentence = value_sentence(title=ontime.title, unit=ontime.unit, direction=ontime.direction, noun=ontime.noun,
                              value=0.898, n=6362, when="FY2026 year to date", goal=goal)
    assert sentence == ("Invoices paid on time stood at 89.8% in FY2026 year to date (6,362 payments), below the 90% "
                        "goal but within the 80% at-risk limit.")


def test_a_count_that_doubled_is_said_to_have_doubled():
    """4 -> 8 is never 'about the same': the movement comes first, the noise test's verdict after it."""
    k = kpi.KPIS["expiring_without_replacement"]
    sentence = change_sentence(title=k.title, unit=k.unit, direction=k.direction, noun=k.noun, value=8, n=111,
                               when="FY2025", previous=4, previous_when="FY2024", notable=False, goal=k.goal)
    assert sentence == ("Expiring without replacement doubled from 4 in FY2024 to 8 in FY2025 (111 contracts), above "
                        "the at-risk limit of 3, within normal year-to-year variation.")
    assert "about the same" not in sentence


def test_movement_words():
    assert movement_verb("count", 4, 8) == "doubled"
    assert movement_verb("count", 4, 13) == "more than doubled"
    assert movement_verb("days", 60, 30) == "halved"
    assert movement_verb("dollars", 100, 20) == "fell by more than half"
    assert movement_verb("share", 0.2, 0.4) == "rose"  # a share moves in points
    assert movement_verb("days", 60, 66) == "rose"


def test_unchanged_and_unjudged_sentences():
    """Equal shown values are 'unchanged'; a change the noise test could not judge gets no verdict."""
    k = kpi.KPIS["procurement_lead_time_days"]
    same = change_sentence(title=k.title, unit=k.unit, direction=k.direction, noun=k.noun, value=42.2, n=296,
                           when="FY2026", previous=41.9, previous_when="FY2025", notable=False, goal=k.goal)
    assert same == "Procurement lead time was unchanged at 42 days in FY2026 (296 awards), as in FY2025, meeting " \
                   "the 60-day goal."
    fell = change_sentence(title=k.title, unit=k.unit, direction=k.direction, noun=k.noun, value=42, n=296,
                           when="FY2026", previous=56, previous_when="FY2025", notable=False, judged=False,
                           goal=k.goal)
    assert fell.endswith("meeting the 60-day goal.") and "variation" not in fell


def test_dollars_beside_a_share():
    k = kpi.KPIS["mwbe_spend_share"]
    sentence = value_sentence(title=k.title, unit=k.unit, direction=k.direction, noun=k.noun, value=0.186, n=6501,
                              when="FY2026 year to date", goal=k.goal, numerator=9.55e6, denominator=51.28e6,
                              dollars=k.dollars)
    assert sentence == ("M/WBE spend stood at 18.6% in FY2026 year to date ($9.6M of $51.3M paid, 6,501 payments), "
                        "below the 25% goal but within the 15% at-risk limit.")
    assert format_money(9.55e6) == "$9.6M"


def test_movement_score_orders_worse_first():
    """Signed so that worse is negative: points for shares, percent for the rest."""
    assert movement_score("share", "higher", 0.223, 0.385) == pytest.approx(-16.2)
    assert movement_score("days", "lower", 42, 56) == pytest.approx(25.0)
    assert movement_score("count", "lower", 8, 4) == pytest.approx(-100.0)
    assert movement_score("count", None, 8, 4) == 0.0
