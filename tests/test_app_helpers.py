"""The app's plain helpers: formatting, escaping text from files, chart downloads, filter options, inventory."""

from __future__ import annotations

import re
import struct

import numpy as np
import pandas as pd
import pytest

import charts
import kpi
from ui.cards import exports_phrase
from ui.charts import chart_bytes, slide_builder
from ui.data import kpi_filter_options
from ui.data_quality import table_inventory
from ui.format import format_change, format_goal, format_value, label_escape, md_escape, status_text

pytestmark = pytest.mark.xdist_group("app")


def test_md_escape_shows_file_text_literally():
    """Vendor names with markdown, links or Streamlit colour syntax are escaped, not rendered."""
    assert md_escape("**Bold Co**") == r"\*\*Bold Co\*\*"
    assert md_escape("[x](http://evil)") == r"\[x\]\(http\://evil\)"
    assert md_escape(":red[alarm]") == r"\:red\[alarm\]"
    assert md_escape("<b>hi</b>") == r"\<b\>hi\</b\>"
    assert md_escape(None) == "" and md_escape(float("nan")) == ""


# Widget labels render inline Markdown only; each expectation was checked in Chromium (what is shown equals the
# text). Ordinary headers keep their accessible name as written: no escapes at all.
@pytest.mark.parametrize(("text", "label"), [
    ("Contract #", "Contract #"),
    ("# of Bids", "# of Bids"),
    ("Check No.", "Check No."),
    ("Vendor (Name)", "Vendor (Name)"),
    ("PO_Number_ID", "PO_Number_ID"),
    ("Amount ($)", "Amount ($)"),
    ("Cost $ per $ unit", "Cost $ per $ unit"),
    ("1. Item", "1. Item"),
    ("[Note]", "[Note]"),
    ("R&D", "R&D"),
    ("time 10:30:00", "time 10:30:00"),
    ("Vendor *", "Vendor *"),
    ("**bold**", r"\*\*bold\*\*"),
    ("Total *net*", r"Total \*net\*"),
    ("__init__", r"\_\_init\_\_"),
    ("~~gone~~", r"\~\~gone\~\~"),
    ("`code`", r"\`code\`"),
    ("[x](http://e.com)", r"\[x\](http://e.com)"),
    (":red[x]", r"\:red\[x\]"),
    (":smile:", r"\:smile\:"),
    (":material/home: x", r"\:material\/home\: x"),
    ("AT&amp;T", r"AT\&amp;T"),
    ("$x$", r"\$x\$"),
    ("a\\*b*", r"a\\\*b\*"),
    ("two\nlines", "two lines"),
])
def test_label_escape_escapes_only_what_a_label_would_render(text, label):
    assert label_escape(text) == label
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", label) == text.replace("\n", " ")  # shown as written


@pytest.mark.parametrize(("value", "unit", "text"), [
    (84.4, "days", "84 days"),
    (0.2345, "share", "23.4%"),
    (2.84, "bids", "2.8 bids"),
    (1_234_567, "dollars", "$1.2M"),
    (17, "count", "17"),
    (None, "share", "—"),
    (float("nan"), "days", "—"),
])
def test_format_value(value, unit, text):
    """Values read as a person says them, and a missing value is a dash (never 0)."""
    assert format_value(value, unit) == text


def test_format_change_has_no_negative_zero():
    """A change that rounds to nothing is shown as no change, not '-0.0'."""
    assert format_change(2.80, 2.84, "bids") == "0.0 bids"
    assert format_change(0.30, 0.25, "share") == "+5.0 pts"
    assert format_change(73, 79, "days") == "-6 days"
    assert format_change(73, None, "days") is None


def test_goal_and_status_texts_carry_words_not_only_colour():
    """Goals say which way is better; statuses carry a symbol and a word."""
    assert format_goal(60, 90, "days", "lower") == "Goal ≤ 60 days · at risk ≤ 90 days"
    assert format_goal(0.25, 0.15, "share", "higher") == "Goal ≥ 25% · at risk ≥ 15%"
    assert format_goal(None, None, "share", "higher") == "No goal set"
    assert status_text("at_risk") == "⚠ At risk"
    assert status_text("something odd") == "– No data"


def test_exports_phrase():
    assert exports_phrase(["payments.amount", "vendors.certifications"]) == "payments and vendors exports"
    assert exports_phrase(["solicitations.issue_date (no values)"]) == "solicitations export"
    assert exports_phrase(["metric_results (no rows)", "contract_metrics.target"]) == (
        "metric results and contract metrics exports")


def test_chart_download_is_slide_resolution_with_source_note():
    """The PNG a chart's button hands over is at least 1600 px wide and carries the source note."""
    k = kpi.KPIS["procurement_lead_time_days"]
    frame = pd.DataFrame({
        "period_label": ["FY2024", "FY2025", "FY2026"],
        "period_start": pd.to_datetime(["2023-07-01", "2024-07-01", "2025-07-01"]),
        "value": [81.0, 76.0, 69.0], "n": [40, 42, 18], "excluded": [0, 1, 0], "partial": [False, False, True],
    })
    result = kpi.KPIResult(kpi=k, frame=frame, excluded_reasons=pd.DataFrame())
    build = slide_builder(charts.trend(result, k.goal, width=500),
                          export=lambda: charts.trend(result, k.goal, width=980), note="Source: test city")
    png = chart_bytes(build, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">I", png[16:20])[0] >= 1600
    svg = chart_bytes(build, "svg").decode()
    assert "Source: test city" in svg


def test_filter_options_come_from_activity_dates_up_to_the_data_date():
    """Fiscal years come from dates KPIs count on (July start), never from a contract's far end date."""
    frames = {
        "payments": pd.DataFrame({"payment_date": pd.to_datetime(["2024-06-30", "2024-07-01"]),
                                  "department": ["Parks", None], "category": ["Goods", "Services"]}),
        "contracts": pd.DataFrame({"start_date": pd.to_datetime(["2023-01-15"]),
                                   "end_date": pd.to_datetime(["2031-01-01"]), "method": ["sole source"]}),
    }
    from kpi.sql.source import Source

    options = kpi_filter_options(Source.from_frames(frames), 7, last_day=np.datetime64("2025-01-01"))
    assert options["fiscal_year"] == [2023, 2024, 2025]
    assert options["department"] == ["Parks"]
    assert options["method"] == ["sole source"]


def test_table_inventory_names_the_export_for_missing_tables():
    """Every canonical table is listed; a missing one says which export fills it."""
    inv = table_inventory({"payments": pd.DataFrame({"payment_id": ["1"], "amount": [2.0]})}).set_index("table")
    assert inv.loc["payments", "status"] == "loaded"
    assert inv.loc["vendors", "status"] == "missing"
    assert "vendor master" in inv.loc["vendors", "where it comes from"]


def test_table_inventory_is_the_same_asked_of_where_the_tables_are():
    """Rows and filled columns counted by the database (a kpi.sql Source) equal those of the frames: a column of
    blanks is not filled, a table not there has no rows."""
    from kpi.sql.source import Source
    from kpi.tables import inventory
    from loaders.schema import TABLES

    frames = {"payments": pd.DataFrame({"payment_id": ["P-1", "P-2"], "payment_date": pd.to_datetime(["2025-07-01", None]),
                                        "amount": [2.0, 3.0], "vendor_name": [None, None]}),
              "vendors": pd.DataFrame({"vendor_id": ["V-1"], "vendor_name": ["Acme"]})}
    got = inventory(Source.from_frames(frames)).set_index("table")
    assert got.equals(inventory(frames).set_index("table"))
    assert got.loc["payments", "rows"] == 2 and got.loc["payments", "filled"] == 3  # id, date, amount
    assert got.loc["vendors", "filled"] == 2 and got.loc["contracts", "rows"] == 0
    assert got.loc["payments", "columns"] == len(TABLES["payments"].names)
