"""The deck as a city manager reads it: every text fits its box, no field name or criterion code on a slide,
every contract needing action now listed, goal sources in words, and a one-page PDF scorecard beside it."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pandas as pd
import pytest
from pptx import Presentation
from pptx.util import Inches, Pt

import kpi
from exports import briefing_pptx, prepare_briefing
from exports.deck import needing_action_now, paginate
from exports.fit import deck_overflows, fit_size, fits, slide_texts, wrap
from exports.scorecard_pdf import scorecard_pdf
from exports.slide_text import CRITERION_CODE, goal_source, in_notes, on_slide
from loaders.labels import canonical_columns
from tests.conftest import ROOT

pytestmark = pytest.mark.xdist_group("deck_reading")

# Canonical names that are also plain English words may appear in a sentence; the snake_case ones may not.
FIELD_NAMES = [c for c in canonical_columns() if "_" in c]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample city, its briefing and its deck (built once)."""
    import sample_data
    from storage.workspace import Workspace

    ws = Workspace(tmp_path_factory.mktemp("deck-reading") / "workspace")
    sample_data.ensure_sample(ws)
    b = prepare_briefing(ws.tables(), ws.goals(), ws.settings(), imports=ws.imports())
    return b, briefing_pptx(b)


def test_text_measure_wraps_like_a_text_box():
    """A sentence too wide for one line wraps at spaces; a 0.5 in box cannot hold a long word."""
    text = "Median days from issuing a solicitation to awarding it"
    assert wrap(text, 10, 12) == [text]
    lines = wrap(text, 2.0, 12)
    assert len(lines) >= 2 and " ".join(lines) == text
    assert not fits("re-procurement", 0.5, 1.0, 12)
    size = fit_size(text, 2.0, 0.4, largest=20, smallest=8)
    assert size is not None and fits(text, 2.0, 0.4, size) and not fits(text, 2.0, 0.4, size + 0.5)
    assert fit_size(text * 10, 2.0, 0.4, largest=20, smallest=8) is None


def test_overflow_check_catches_a_box_too_small(tmp_path):
    """The deck check flags a text box whose text runs below it (so a passing deck means something)."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(2), Inches(0.3))
    box.text_frame.word_wrap = True
    box.text_frame.text = "A definition long enough to need three or four lines in a two-inch box"
    for run in box.text_frame.paragraphs[0].runs:
        run.font.size = Pt(14)
    buf = io.BytesIO()
    prs.save(buf)
    problems = deck_overflows(buf.getvalue())
    assert len(problems) == 1 and "slide 1" in problems[0]


def test_every_deck_text_fits_its_box(sample):
    """No text box or table cell of the sample city's deck needs more room than it has (nothing clipped)."""
    _, deck = sample
    assert deck_overflows(deck) == []
    assert not [t for _, t in slide_texts(deck) if "…" in t]


def test_no_field_name_or_criterion_code_on_a_slide(sample):
    """Slides carry plain words: no canonical field name (from the schema) and no RDC code."""
    _, deck = sample
    offenders = []
    for number, text in slide_texts(deck):
        for name in FIELD_NAMES:
            if re.search(rf"\b{re.escape(name)}\b", text):
                offenders.append((number, name, text[:80]))
        if CRITERION_CODE.search(text):
            offenders.append((number, "criterion code", text[:80]))
    assert offenders == []


def test_criteria_are_spelled_out_in_the_notes():
    """A code in a goal source is left off the slide and spelled out in the speaker notes."""
    source = "Design default (RDC5 active contract management)"
    assert on_slide(source) == "Design default (active contract management)"
    assert in_notes(source) == "Design default (What Works Cities criterion RDC 5: active contract management)"
    assert on_slide("vendor list is_mbe or is_wbe") == "vendor list minority-owned (MBE) or women-owned (WBE)"


def test_goal_source_says_default_unless_the_office_set_it():
    """The registry's goal is 'default from <source>'; a goal the office saved is 'set by your office'."""
    k = kpi.KPIS["days_to_pay"]
    g = k.goal
    assert goal_source(k, g.target, g.at_risk, g.source) == f"default from {g.source}"
    assert goal_source(k, 25, 40, "set by your office") == "set by your office"
    office_placeholder = kpi.KPIS["engagement_share"]
    g = office_placeholder.goal
    assert goal_source(office_placeholder, g.target, g.at_risk, g.source) == (
        "dashboard default, not yet set by your office")


def test_pipeline_slides_list_every_contract_needing_action_now(sample):
    """Every contract whose action is 'start re-procurement now' is on an action-now slide, none left out."""
    b, deck = sample
    now = needing_action_now(b.pipeline)
    assert len(now) > 9  # more than the old slide's nine rows
    cells = " ".join(t for _, t in slide_texts(deck))
    missing = [c for c in now["contract_id"] if str(c) not in cells]
    assert missing == []


def test_paginate_keeps_every_row_and_each_page_within_room():
    """Rows split into pages that fit; the header repeats; no row is lost."""
    heights = [0.4] + [0.5] * 11
    pages = paginate(heights, 2.5)
    assert pages == [(0, 4), (4, 8), (8, 11)]
    assert all(0.4 + 0.5 * (stop - start) <= 2.5 for start, stop in pages)


def test_scorecard_pdf_is_one_page(sample, tmp_path):
    """The scorecard PDF has exactly one page and names the period and every KPI."""
    b, _ = sample
    pdf = scorecard_pdf(b)
    assert pdf[:5] == b"%PDF-"
    path = tmp_path / "scorecard.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    if info.returncode == 0:
        assert re.search(r"Pages:\s+1\b", info.stdout)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    if text.returncode == 0:
        assert b.period_label in text.stdout
        for s in b.slides:
            assert s.title.split()[0] in text.stdout


def test_scorecard_pdf_from_the_command_line(tmp_path):
    """python -m exports scorecard-pdf --workspace DIR --out FILE.pdf writes the page; a wrong suffix is refused."""
    import sample_data
    from storage.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    sample_data.ensure_sample(ws)
    out = tmp_path / "card.pdf"
    run = [sys.executable, "-m", "exports", "scorecard-pdf", "--workspace", str(ws.path)]
    proc = subprocess.run([*run, "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:5] == b"%PDF-"
    bad = subprocess.run([*run, "--out", str(tmp_path / "card.png")], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "--out must end in .pdf" in bad.stderr


def test_needing_action_now_is_the_most_urgent_action_only():
    """Only 'start re-procurement now' counts as action now, soonest end date first."""
    pipe = pd.DataFrame({
        "contract_id": ["CTR-RENEW", "CTR-NOW-LATER", "CTR-NOW-SOON"],
        "end_date": pd.to_datetime(["2026-07-01", "2026-09-01", "2026-06-15"]),
        "action": ["renew (options left)", "start re-procurement now", "start re-procurement now"],
    })
    assert list(needing_action_now(pipe)["contract_id"]) == ["CTR-NOW-SOON", "CTR-NOW-LATER"]
