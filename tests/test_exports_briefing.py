"""The briefing end to end on the sample city: the command line, the real KPI engine, LibreOffice rendering."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile

import openpyxl
import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Inches

import exports
import kpi
from exports.slide_text import in_notes
from tests.conftest import ROOT, require_tool

pytestmark = pytest.mark.xdist_group("exports_briefing")


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory):
    """A workspace filled with the sample city through the loaders (with its import history)."""
    import sample_data
    from storage.workspace import Workspace

    ws = Workspace(tmp_path_factory.mktemp("exports") / "workspace")
    assert sample_data.ensure_sample(ws)
    return ws


@pytest.fixture(scope="module")
def default_deck(sample_ws, tmp_path_factory):
    """The default briefing from the command line (its time is reported, never asserted: DESIGN.md)."""
    out = tmp_path_factory.mktemp("deck") / "briefing.pptx"
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "exports", "briefing", "--workspace", str(sample_ws.path), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    return out, elapsed


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "exports", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_default_deck_has_every_part(default_deck):
    """Title, scorecard, one slide per scorecard KPI with a chart picture, pipeline and appendix, all 16:9."""
    out, _ = default_deck
    prs = Presentation(str(out))
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    slides = list(prs.slides)
    n = len(kpi.SCORECARD)
    titles = [s.shapes.title.text for s in slides]
    action_now = sum("re-procurement started now" in t and " in all" in t for t in titles)
    definitions = sum(t.startswith("Appendix: KPI definitions") for t in titles)
    assert action_now >= 1 and definitions >= 1
    assert len(slides) == 2 + n + 1 + action_now + 1 + definitions + 1  # pipeline, action now, performance
    assert titles[0] == "Procurement performance briefing"
    assert "KPIs met their goal in FY2026" in titles[1]
    assert "contract" in titles[2 + n].lower()
    performance = titles[3 + n + action_now].lower()  # after the pipeline and its action-now slides
    assert "key contracts" in performance or "contract performance" in performance
    assert titles[-1].startswith("Appendix: data quality")
    table = next(s for s in slides[1].shapes if s.has_table).table
    assert len(table.rows) == n + 1
    words = {table.cell(i, 3).text.split(" ", 1)[1] for i in range(1, n + 1)}
    assert words <= {"met", "at risk", "missed", "no goal", "no data"}
    for slide, kpi_id in zip(slides[2 : 2 + n], kpi.SCORECARD, strict=True):
        pics = [sh for sh in slide.shapes if sh.shape_type == 13]
        assert pics, f"no chart on the slide of {kpi_id}"
        assert Image.open(io.BytesIO(pics[0].image.blob)).size[0] >= 1600
        notes = slide.notes_slide.notes_text_frame.text
        assert in_notes(kpi.KPIS[kpi_id].definition) in notes and "Goal source:" in notes
    cells = [c.text for sh in slides[-1].shapes if sh.has_table for r in sh.table.rows for c in r.cells]
    assert "riverton_check_register.csv" in cells  # rows excluded per imported file


def test_quarter_briefing_with_chosen_kpis(sample_ws, tmp_path):
    """--quarter and --kpis: one slide per chosen KPI, periods labelled by quarter."""
    out = tmp_path / "q.pptx"
    proc = run_cli(
        "briefing",
        "--workspace",
        str(sample_ws.path),
        "--fy",
        "2025",
        "--quarter",
        "3",
        "--kpis",
        "procurement_lead_time_days,days_to_pay",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    prs = Presentation(str(out))
    titles = [s.shapes.title.text for s in prs.slides]
    action_now = sum("re-procurement started now" in t and " in all" in t for t in titles)
    assert len(prs.slides) == 2 + 2 + 1 + action_now + 1 + 1 + 1  # + contract performance
    assert "FY2025 Q3" in prs.slides[2].shapes.title.text


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_chart_command(sample_ws, tmp_path, suffix):
    """One KPI's chart as PNG (>= 1600 px), SVG or PDF."""
    out = tmp_path / f"chart{suffix}"
    proc = run_cli(
        "chart", "--workspace", str(sample_ws.path), "--kpi", "days_to_pay", "--fy", "2025", "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    if suffix == ".png":
        assert Image.open(io.BytesIO(data)).size[0] >= 1600
    elif suffix == ".svg":
        assert b"<svg" in data[:200] and b"Days to pay" in data
    else:
        assert data[:5] == b"%PDF-"


def test_table_command(sample_ws, tmp_path):
    """The workbook opens cleanly with the scorecard (status spelled out) and frozen headers."""
    out = tmp_path / "kpis.xlsx"
    proc = run_cli("table", "--workspace", str(sample_ws.path), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["Scorecard", "KPI values by period"]
    ws = wb["Scorecard"]
    assert ws.freeze_panes == "A2" and ws.max_row == len(kpi.SCORECARD) + 1
    header = [c.value for c in ws[1]]
    statuses = [ws.cell(r, header.index("Status") + 1).value for r in range(2, ws.max_row + 1)]
    assert all(s.split(" ", 1)[1] in ("met", "at risk", "missed", "no goal", "no data") for s in statuses)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["briefing", "--kpis", "not_a_kpi"], "unknown KPI id not_a_kpi"),
        (["briefing", "--fy", "2031"], "after the data"),
        (["briefing", "--fy", "1990"], "before the data"),
        (["chart", "--kpi", "nope"], "unknown KPI id nope"),
    ],
)
def test_cli_bad_input_on_a_real_workspace(sample_ws, tmp_path, args, needle):
    """Unknown KPIs and periods outside the data exit 2 with one line, writing nothing."""
    ext = ".png" if args[0] == "chart" else ".pptx"
    out = tmp_path / f"x{ext}"
    proc = run_cli(args[0], "--workspace", str(sample_ws.path), *args[1:], "--out", str(out))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and needle in proc.stderr
    assert not out.exists()


def test_app_api_outputs_share_one_briefing(sample_ws):
    """prepare_briefing once; the deck, the workbook and the chart zip from it (what the Briefing page calls)."""
    b = exports.briefing_from_workspace(sample_ws, kpis=["mwbe_spend_share", "single_bid_share"])
    assert [s.kpi_id for s in b.slides] == ["mwbe_spend_share", "single_bid_share"]
    assert b.office_name.startswith("City of Riverton")
    assert Presentation(io.BytesIO(exports.briefing_pptx(b))).slides
    assert openpyxl.load_workbook(io.BytesIO(exports.briefing_xlsx(b)))["Scorecard"].max_row == 3
    with zipfile.ZipFile(io.BytesIO(exports.charts_zip(b))) as z:
        assert f"mwbe_spend_share_{b.period_label}.png" in z.namelist()


def test_deck_renders_in_libreoffice(default_deck, tmp_path):
    """LibreOffice opens the deck and renders every slide (pdftoppm turns them into PNGs to look at)."""
    soffice = require_tool("soffice")
    pdftoppm = require_tool("pdftoppm")
    out, _ = default_deck
    proc = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    pdf = tmp_path / "briefing.pdf"
    assert pdf.is_file(), proc.stderr
    subprocess.run([pdftoppm, "-png", "-r", "40", str(pdf), str(tmp_path / "slide")], check=True, timeout=120)
    pngs = sorted(tmp_path.glob("slide-*.png"))
    assert len(pngs) == len(Presentation(str(out)).slides)
    for png in pngs:
        img = Image.open(png).convert("L")
        w, h = img.size
        assert abs(w / h - 16 / 9) < 0.02
        assert img.getextrema()[0] < 100, f"{png.name} is blank"
