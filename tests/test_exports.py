"""Exports without the KPI engine: formula neutralisation, Excel formatting, chart images, the deck's layout."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from types import SimpleNamespace as NS

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Inches

import charts
import exports
from exports.deck import briefing_pptx, change_text
from exports.model import Briefing, KpiSlide

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", '=HYPERLINK("http://x","y")']


# ---------------------------------------------------------------- neutralisation


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_formula_text(text):
    """Text starting with = + - @ tab or CR gets a leading apostrophe."""
    assert exports.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Acme", "", 5, -3.5, None, dt.date(2025, 1, 1), "a=b"])
def test_neutralise_leaves_safe_values(value):
    """Plain text, numbers (also negative) and dates are unchanged."""
    assert exports.neutralise(value) == value


def test_safe_csv_neutralises_text_but_not_numbers():
    """The CSV download neutralises text cells and column names; negative numbers stay numbers."""
    frame = pd.DataFrame(
        {"vendor_name": ["=cmd|' /C calc'!A0", "Acme"], "amount": [-5.0, 10.0], "=bad": ["x", "y"]}
    )
    text = exports.safe_csv(frame).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "vendor_name,amount,'=bad"
    assert lines[1] == "'=cmd|' /C calc'!A0,-5.0,x"


# ---------------------------------------------------------------- Excel


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_excel_never_stores_a_formula():
    """Every dangerous text cell is stored as text (no formula), prefixed, in any sheet."""
    frame = pd.DataFrame({"title": DANGEROUS, "n": range(len(DANGEROUS))})
    wb = load(exports.excel_workbook({"Records": frame}, about={"Note": "=evil()"}))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value


def test_excel_formats_header_dates_money_and_status():
    """Bold frozen header, date and dollar formats, per-unit KPI values, spelled-out coloured status."""
    frame = pd.DataFrame(
        {
            "title": ["Lead time", "M/WBE share"],
            "unit": ["days", "share"],
            "value": [84.0, 0.123],
            "status": ["at_risk", "met"],
            "award_date": pd.to_datetime(["2025-07-01", "2025-08-15"]),
            "awarded_amount": [1234.5, 99.0],
            "sparkline": [[1, 2], [3, 4]],
        }
    )
    wb = load(exports.scorecard_xlsx(frame))
    ws = wb["Scorecard"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:4] == ["KPI", "Unit", "Value", "Status"] or "KPI" in header
    assert "Sparkline" not in header
    assert ws["A1"].font.bold
    cols = {c.value: c.column_letter for c in ws[1]}
    assert ws[f"{cols['Value']}2"].number_format == "#,##0"
    assert ws[f"{cols['Value']}3"].number_format == "0.0%"
    assert ws[f"{cols['Status']}2"].value == "! at risk"
    assert ws[f"{cols['Status']}3"].value == "✓ met"
    assert ws[f"{cols['Status']}3"].fill.fgColor.rgb.endswith("D5F0E6")
    assert ws[f"{cols['Award date']}2"].number_format == "yyyy-mm-dd"
    assert isinstance(ws[f"{cols['Award date']}2"].value, dt.datetime)
    assert "$" in ws[f"{cols['Awarded amount']}2"].number_format
    assert ws.column_dimensions["A"].width >= 10


def test_table_xlsx_keeps_column_names_and_handles_missing():
    """A drill-down keeps its column names; NaN, NaT and None become empty cells."""
    frame = pd.DataFrame(
        {
            "payment_id": ["P1", "P2"],
            "payment_date": [pd.Timestamp("2025-01-02"), pd.NaT],
            "amount": [10.0, np.nan],
            "flag": pd.array([True, None], dtype="boolean"),
        }
    )
    ws = load(exports.table_xlsx(frame))["Records"]
    assert [c.value for c in ws[1]] == ["payment_id", "payment_date", "amount", "flag"]
    assert ws["B3"].value is None and ws["C3"].value is None and ws["D3"].value is None


def test_excel_sheet_names_are_made_valid_and_unique():
    """Sheet names lose []:*?/\\, are cut to 31 characters and never collide."""
    wb = load(
        exports.excel_workbook(
            {
                "a/b:c": pd.DataFrame({"x": [1]}),
                "a b c": pd.DataFrame({"x": [2]}),
                "x" * 40: pd.DataFrame({"x": [3]}),
            }
        )
    )
    names = wb.sheetnames
    assert len(set(n.lower() for n in names)) == 3 and all(len(n) <= 31 for n in names)


# ---------------------------------------------------------------- chart images


def small_result(unit="days", values=(95, 80, 70, 61), kpi_id="procurement_lead_time_days"):
    n = len(values)
    frame = pd.DataFrame(
        {
            "period_label": [f"FY{2023 + i}" for i in range(n)],
            "period_start": pd.date_range("2022-07-01", periods=n, freq="12MS"),
            "value": list(values),
            "n": 40,
            "excluded": 1,
            "partial": [False] * (n - 1) + [True],
        }
    )
    k = NS(
        id=kpi_id,
        title="Procurement lead time",
        theme="speed",
        definition="Median days issue to award.",
        formula="median",
        unit=unit,
        direction="lower",
        goal=NS(target=60, at_risk=90, source="Bonfire"),
    )
    return NS(kpi=k, frame=frame, missing=(), no_data=False)


def test_chart_png_is_slide_resolution():
    """A chart PNG is at least 1600 px wide, even from a narrow on-screen chart."""
    for width in (300, 560, 900):
        png = exports.chart_png(charts.trend(small_result(), width=width))
        img = Image.open(io.BytesIO(png))
        assert img.format == "PNG" and img.size[0] >= 1600


def test_chart_svg_and_pdf():
    """SVG is text with live labels; PDF starts with its magic number."""
    chart = charts.trend(small_result())
    svg = exports.chart_svg(chart)
    assert svg.lstrip().startswith("<svg") and "Goal 60 days" in svg
    assert exports.chart_pdf(chart)[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="png, svg or pdf"):
        exports.chart_bytes(chart, "gif")


def test_source_note_is_drawn_under_the_chart():
    """with_source_note adds the note to the image (seen in the SVG text)."""
    svg = exports.chart_svg(exports.with_source_note(charts.trend(small_result()), "Source: City records"))
    assert "Source: City records" in svg


def test_chart_file_names():
    """Files are named <kpi_id>_<period>.<ext>, with the period made file-safe."""
    assert (
        exports.chart_file_name("bids_per_solicitation", "FY2026 Q2") == "bids_per_solicitation_FY2026-Q2.png"
    )
    assert exports.chart_file_name("x", "FY2026", "svg") == "x_FY2026.svg"


# ---------------------------------------------------------------- the deck, from a hand-built briefing


def make_briefing(n_kpis=12, logo=None, data_quality=True) -> Briefing:
    slides = []
    statuses = ["met", "at risk", "missed", "no data"]
    for i in range(n_kpis):
        r = small_result()
        status = statuses[i % 4]
        slides.append(
            KpiSlide(
                kpi_id=f"kpi_{i:02d}",
                title=f"KPI number {i}",
                theme="Speed",
                definition="Median days issue to award.",
                formula="median(award - issue)",
                unit="days",
                direction="lower",
                period_label="FY2026",
                value=None if status == "no data" else 61.0,
                status=status,
                sentence=f"KPI {i} fell 12% to 61 days in FY2026",
                n=40,
                excluded=1,
                partial=True,
                target=60,
                at_risk=90,
                goal_source="Bonfire study",
                prev_label="FY2025",
                prev_value=70,
                yoy_label="FY2025",
                yoy_value=70,
                chart=charts.trend(r, title="", width=600, height=330),
                export_chart=charts.trend(r),
                trend=r.frame,
                file_name=f"kpi_{i:02d}_FY2026.png",
            )
        )
    as_of = pd.Timestamp("2025-11-26")
    end = as_of + pd.to_timedelta(np.arange(0, 500, 25), unit="D")
    pipe = pd.DataFrame(
        {
            "contract_id": [f"CTR-{i}" for i in range(len(end))],
            "title": "Janitorial services",
            "vendor_name": "=Acme",
            "end_date": end,
            "days_left": (end - as_of).days,
            "current_amount": 1e5,
            "action": "start replacement solicitation",
        }
    )
    dq = (
        pd.DataFrame(
            {
                "source": ["payments.xlsx"],
                "sheet": ["Sheet1"],
                "table": ["payments"],
                "rows_read": [1000],
                "rows_loaded": [990],
                "rows_excluded": [10],
            }
        )
        if data_quality
        else None
    )
    defs = pd.DataFrame(
        [
            {
                "kpi_id": s.kpi_id,
                "title": s.title,
                "definition": s.definition,
                "formula": s.formula,
                "goal": "Goal: 60 days or less",
                "goal_source": s.goal_source,
            }
            for s in slides
        ]
    )
    return Briefing(
        office_name="City of Example",
        period_label="FY2026",
        period_note="partial year",
        as_of=dt.date(2025, 11, 26),
        scorecard=pd.DataFrame(),
        slides=slides,
        logo_path=logo,
        brand_color="#7A1F5C",
        pipeline=pipe,
        pipeline_chart=charts.pipeline_timeline(pipe, title=""),
        pipeline_message="20 contracts end in the next 18 months",
        data_quality=dq,
        definitions=defs,
        source_note="Source: test",
    )


def test_deck_is_16_9_with_expected_slides(tmp_path):
    """Title, scorecard, one slide per KPI, pipeline, definitions (2) and data quality; all titled."""
    logo = tmp_path / "logo.png"
    Image.new("RGB", (400, 120), "navy").save(logo)
    prs = Presentation(io.BytesIO(briefing_pptx(make_briefing(12, logo=str(logo)))))
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    titles = [s.shapes.title.text for s in prs.slides]
    definition_slides = sum(t.startswith("Appendix: KPI definitions") for t in titles)
    assert definition_slides >= 1 and len(titles) == 1 + 1 + 12 + 1 + definition_slides + 1
    assert titles[0] == "Procurement performance briefing"
    assert titles[1].startswith("3 of 9 KPIs met their goal in FY2026")
    assert titles[2] == "KPI 0 fell 12% to 61 days in FY2026"
    assert titles[14] == "20 contracts end in the next 18 months"
    assert titles[15].startswith("Appendix: KPI definitions")
    assert titles[-1].startswith("Appendix: data quality")
    for slide in list(prs.slides)[2:14]:
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert pictures, "every KPI slide has its chart"
        notes = slide.notes_slide.notes_text_frame.text
        assert "Definition:" in notes and "Goal source: Bonfire study" in notes
    # Every shape stays on the slide.
    for slide in prs.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0
            assert shape.left + shape.width <= prs.slide_width + Inches(0.01), shape.name
            assert shape.top + shape.height <= prs.slide_height + Inches(0.01), shape.name


def test_deck_scorecard_pairs_status_colour_with_word():
    """Scorecard status cells carry a symbol and word, on a status tint."""
    prs = Presentation(io.BytesIO(briefing_pptx(make_briefing(4))))
    table = next(s for s in prs.slides[1].shapes if s.has_table).table
    words = [table.cell(i, 3).text for i in range(1, 5)]
    assert words == ["✓ met", "! at risk", "✗ missed", "– no data"]


def test_deck_picture_is_sharp():
    """The chart picture on a KPI slide has at least 1600 px across."""
    prs = Presentation(io.BytesIO(briefing_pptx(make_briefing(1))))
    pic = next(s for s in prs.slides[2].shapes if s.shape_type == 13)
    assert Image.open(io.BytesIO(pic.image.blob)).size[0] >= 1600


def test_deck_without_import_history_or_bad_brand_colour():
    """No import history gives a data-quality slide that says so; a bad brand colour falls back."""
    b = make_briefing(1, data_quality=False)
    b.brand_color = "not a colour"
    prs = Presentation(io.BytesIO(briefing_pptx(b)))
    texts = " ".join(sh.text_frame.text for sh in prs.slides[-1].shapes if sh.has_text_frame)
    assert "No import history" in texts


@pytest.mark.parametrize(
    ("value", "ref", "unit", "expected"),
    [
        (84, 95, "days", "−12%"),
        (0.25, 0.22, "share", "+3.0 pts"),
        (5, 0, "count", "+5"),
        (1, None, "days", ""),
        (60, 60, "days", "no change"),
    ],
)
def test_change_text(value, ref, unit, expected):
    """Changes read as relative percent, or percentage points for shares."""
    assert change_text(value, ref, unit) == expected


def test_briefing_xlsx_and_charts_zip():
    """The workbook has the scorecard and trends; the zip one PNG per KPI plus the pipeline."""
    b = make_briefing(3)
    wb = load(exports.briefing_xlsx(b))
    assert wb.sheetnames[:2] == ["Scorecard", "KPI values by period"]
    assert "About" in wb.sheetnames and "Contract pipeline" in wb.sheetnames
    ws = wb["Contract pipeline"]
    vendor_col = [c.value for c in ws[1]].index("Vendor") + 1  # loaders.labels: the one plain name
    assert ws.cell(2, vendor_col).value == "'=Acme"
    with zipfile.ZipFile(io.BytesIO(exports.charts_zip(b))) as z:
        names = sorted(z.namelist())
        assert names == [
            "contract_pipeline_FY2026.png",
            "kpi_00_FY2026.png",
            "kpi_01_FY2026.png",
            "kpi_02_FY2026.png",
        ]
        assert Image.open(io.BytesIO(z.read(names[1]))).size[0] >= 1600


# ---------------------------------------------------------------- command line: bad input


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        ([], "choose a command"),
        (
            ["chart", "--workspace", "/no/such/folder", "--kpi", "x", "--out", "a.png"],
            "workspace folder not found",
        ),
        (["chart", "--workspace", ".", "--kpi", "x", "--out", "a.gif"], "--out must end in"),
        (["briefing", "--workspace", ".", "--out", "deck.pdf"], "--out must end in .pptx"),
        (["briefing", "--workspace", ".", "--quarter", "5", "--out", "d.pptx"], "invalid choice"),
        (["table", "--workspace", ".", "--fy", "abc", "--out", "t.xlsx"], "invalid int value"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(argv, needle, capsys, tmp_path, monkeypatch):
    """Bad input: exit status 2 and one clear line on stderr."""
    from exports.__main__ import main

    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err


def test_cli_refuses_a_folder_that_is_not_a_workspace(tmp_path, capsys):
    """A folder without a workspace catalogue is refused, and nothing is written into it."""
    from exports.__main__ import main

    assert main(["table", "--workspace", str(tmp_path), "--out", str(tmp_path / "t.xlsx")]) == 2
    assert "not a workspace folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
