"""The PowerPoint briefing (python-pptx), 16:9 with every shape placed for 13.333 x 7.5 in."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Inches, Pt

from charts.formats import format_value
from charts.theme import STATUS_DARK, STATUS_SYMBOLS, STATUS_TINTS
from kpi.format import format_kpi_value

from . import fit
from .model import Briefing, KpiSlide
from .render import chart_png
from .slide_text import in_notes, on_slide

SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.5
CONTENT_W = SLIDE_W - 2 * MARGIN
FONT = "Arial"
DARK = "1A1A1A"
GREY = "595959"
LIGHT_GREY = "8C8C8C"
RULE_GREY = "D9D9D9"
DEFAULT_BRAND = "1F4E79"
# Badge fills dark enough for white text (contrast >= 4.5:1); the word is always on the badge.
STATUS_FILL = {k: v.lstrip("#") for k, v in STATUS_DARK.items()}
STATUS_TINT = {k: v.lstrip("#") for k, v in STATUS_TINTS.items()}
STATUS_SYMBOL = STATUS_SYMBOLS
IMPORTS_PER_SLIDE = 12
URGENT_ROWS = 9  # the performance slide's off-track contracts
TABLE_TOP = 1.7
TABLE_BOTTOM = 6.9  # the footer rule is at 7.02 in
CELL_MARGIN_X, CELL_MARGIN_Y = 0.08, 0.03
BOX_MARGIN = 0.02
RENDER_THREADS = 4


# ---------------------------------------------------------------- small helpers


def rgb(hex_color: str | None, default: str = DEFAULT_BRAND) -> RGBColor:
    """RGBColor from '#1F4E79' or '1f4e79'; the default for anything unreadable."""
    s = str(hex_color or "").strip().lstrip("#")
    if len(s) == 3:
        s = "".join(ch * 2 for ch in s)
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", s):
        s = default
    return RGBColor.from_string(s.upper())


def status_key(status) -> str:
    s = str(getattr(status, "value", status) or "no data").replace("_", " ").strip().lower()
    return s if s in STATUS_FILL else "no data"


def _style_runs(paragraph, size, bold=False, color=DARK, italic=False, font=FONT):
    for run in paragraph.runs:
        f = run.font
        f.size, f.bold, f.italic, f.name = Pt(size), bold, italic, font
        f.color.rgb = color if isinstance(color, RGBColor) else rgb(color, DARK)


def add_text(
    slide,
    left,
    top,
    width,
    height,
    text,
    *,
    size=14,
    bold=False,
    color=DARK,
    italic=False,
    align=PP_ALIGN.LEFT,
    anchor=MSO_ANCHOR.TOP,
    line_spacing=None,
    paragraphs=None,
):
    """A text box; `paragraphs` = [(text, size, bold, color)] for mixed lines. Text is never run as code."""
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    tf = box.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = Inches(0.02)
    tf.margin_top = tf.margin_bottom = Inches(0.02)
    items = paragraphs or [(text, size, bold, color)]
    for i, (t, s, b, c) in enumerate(items):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = on_slide(t)
        p.alignment = align
        if line_spacing:
            p.line_spacing = line_spacing
        _style_runs(p, s, b, c, italic)
    return box


def send_to_back(shape) -> None:
    """Move a shape behind the slide's placeholders (first drawn)."""
    tree = shape._element.getparent()
    tree.remove(shape._element)
    tree.insert(2, shape._element)  # after nvGrpSpPr and grpSpPr


def add_rect(slide, left, top, width, height, color, shape=MSO_SHAPE.RECTANGLE):
    r = slide.shapes.add_shape(shape, Inches(left), Inches(top), Inches(width), Inches(height))
    r.fill.solid()
    r.fill.fore_color.rgb = color if isinstance(color, RGBColor) else rgb(color)
    r.line.fill.background()
    r.shadow.inherit = False
    return r


def set_title(slide, text, *, left=MARGIN, top=0.62, width=CONTENT_W, height=1.0, size=None, color=DARK):
    """Fill the layout's title placeholder (a real title: outline view, accessibility) and place it."""
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = (
        Inches(left),
        Inches(top),
        Inches(width),
        Inches(height),
    )
    tf = title.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = MSO_ANCHOR.TOP
    tf.margin_left = tf.margin_right = Inches(BOX_MARGIN)
    tf.margin_top = tf.margin_bottom = Inches(BOX_MARGIN)
    text = on_slide(text)
    tf.text = text
    if size is None:
        size = fit.fit_size(text, width - 2 * BOX_MARGIN, height - 2 * BOX_MARGIN, largest=26, smallest=16,
                            bold=True) or 16
    for p in tf.paragraphs:
        p.alignment = PP_ALIGN.LEFT
        _style_runs(p, size, True, color)
    return title


def set_notes(slide, text: str) -> None:
    slide.notes_slide.notes_text_frame.text = in_notes(text)


def style_cell(cell, text, *, size=12, bold=False, color=DARK, fill=None, align=PP_ALIGN.LEFT, italic=False):
    cell.text = "" if text is None else on_slide(text)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    cell.margin_left = cell.margin_right = Inches(CELL_MARGIN_X)
    cell.margin_top = cell.margin_bottom = Inches(CELL_MARGIN_Y)
    for p in cell.text_frame.paragraphs:
        p.alignment = align
        _style_runs(p, size, bold, color, italic)
    cell.text_frame.word_wrap = True
    if fill is None:
        cell.fill.background()
    else:
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill if isinstance(fill, RGBColor) else rgb(fill)


def add_table(
    slide,
    frame_rows: list[list],
    widths: list[float],
    *,
    left=MARGIN,
    top=1.7,
    row_h=0.36,
    header_fill: RGBColor,
    size=12,
    header_size=12,
    aligns=None,
    cell_style: Callable | None = None,
    header_h: float | None = None,
    heights: list[float] | None = None,
):
    """A plain table: header in the brand colour, thin banding, our own fills (no template style).

    `heights` (one per row, header first) overrides header_h and row_h: see row_heights."""
    n_rows, n_cols = len(frame_rows), len(widths)
    header_h = header_h or row_h
    heights = heights or [header_h] + [row_h] * (n_rows - 1)
    shape = slide.shapes.add_table(
        n_rows,
        n_cols,
        Inches(left),
        Inches(top),
        Inches(sum(widths)),
        Inches(sum(heights)),
    )
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for j, w in enumerate(widths):
        table.columns[j].width = Inches(w)
    for i in range(n_rows):
        table.rows[i].height = Inches(heights[i])
    aligns = aligns or [PP_ALIGN.LEFT] * n_cols
    for i, row in enumerate(frame_rows):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            if i == 0:
                style_cell(
                    cell,
                    value,
                    size=header_size,
                    bold=True,
                    color="FFFFFF",
                    fill=header_fill,
                    align=aligns[j],
                )
                continue
            fill = "F5F5F5" if i % 2 == 0 else "FFFFFF"
            style_cell(cell, value, size=size, fill=fill, align=aligns[j])
            if cell_style:
                cell_style(cell, i, j, value)
    return shape


def cell_height(text, width: float, size: float, bold: bool = False) -> float:
    """The height a table cell `width` inches wide needs for `text` at `size` points, margins included."""
    return fit.height_in(on_slide(text), width - 2 * CELL_MARGIN_X, size, bold) + 2 * CELL_MARGIN_Y + 0.02


def row_heights(rows: list[list], widths: list[float], size: float, header_size: float,
                minimum: float = 0.32) -> list[float]:
    """Each row's height from its tallest cell, measured (header first)."""
    out = []
    for i, row in enumerate(rows):
        sz, bold = (header_size, True) if i == 0 else (size, False)
        out.append(max([minimum] + [cell_height(v, w, sz, bold) for v, w in zip(row, widths, strict=True)]))
    return out


def paginate(heights: list[float], room: float) -> list[tuple[int, int]]:
    """Body rows (heights[1:]) split into pages that fit `room` inches under the header: [(start, stop)]."""
    header, body = heights[0], heights[1:]
    pages, start, used = [], 0, header
    for i, h in enumerate(body):
        if used + h > room and i > start:
            pages.append((start, i))
            start, used = i, header
        used += h
    pages.append((start, len(body)))
    return pages


def change_text(value, reference, unit: str | None) -> str:
    """'−12%' (relative) or '+3.1 pts' for shares; '' when either side is missing."""
    try:
        v, r = float(value), float(reference)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v) or math.isnan(r):
        return ""
    if unit == "share":
        d = (v - r) * 100
        return "no change" if abs(d) < 0.05 else f"{'+' if d > 0 else '−'}{abs(d):.1f} pts"
    if r == 0:
        d = v - r
        return "no change" if d == 0 else f"{'+' if d > 0 else '−'}{format_value(abs(d), unit)}"
    pct = (v - r) / abs(r) * 100
    return "no change" if abs(pct) < 0.5 else f"{'+' if pct > 0 else '−'}{abs(pct):.0f}%"


# ---------------------------------------------------------------- the scorecard, shared with the PDF


def scorecard_headline(b: Briefing) -> str:
    """'3 of 13 KPIs met their goal in FY2026; 5 at risk and 5 missed'."""
    counts = {k: sum(1 for s in b.slides if s.status == k) for k in STATUS_FILL}
    with_goal = sum(counts[k] for k in ("met", "at risk", "missed"))
    if not with_goal:
        return f"Scorecard for {b.period_label}"
    title = f"{counts['met']} of {with_goal} KPIs met their goal in {b.period_label}"
    extra = [f"{counts['at risk']} at risk" if counts["at risk"] else "",
             f"{counts['missed']} missed" if counts["missed"] else ""]
    extra = [x for x in extra if x]
    return title + ("; " + " and ".join(extra) if extra else "")


def scorecard_rows(b: Briefing) -> list[list[str]]:
    """The scorecard as text rows, header first: KPI, value, goal, status, change, records."""
    compare = "vs last year" if b.comparison == "last_year" else "vs previous"
    rows = [["KPI", "Value", "Goal", "Status", compare, "Records (n)"]]
    for s in b.slides:
        ref = s.yoy_value if b.comparison == "last_year" else s.prev_value
        value = format_kpi_value(s.value, s.unit, s.target, s.at_risk) + (
            " (partial)" if s.partial and s.value is not None else "")
        rows.append([
            s.title,
            value if s.status != "no data" or s.value is not None else "no data",
            _goal_short(s),
            f"{STATUS_SYMBOL[s.status]} {s.status}",
            change_text(s.value, ref, s.unit) or "–",
            f"{s.n:,}" if isinstance(s.n, (int, float)) and not _isnan(s.n) else "–",
        ])
    return rows


# ---------------------------------------------------------------- the deck


class Deck:
    """Builds the slides of one Briefing; each add_* method adds one kind of slide."""

    def __init__(self, briefing: Briefing):
        self.b = briefing
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
        self.brand = rgb(briefing.brand_color)
        self.logo = briefing.logo_path if briefing.logo_path and Path(briefing.logo_path).is_file() else None
        self._title_only = self.prs.slide_layouts[5]
        self.pngs: dict[str, bytes] = {}

    # chrome shared by content slides
    def _content_slide(self, kicker: str, title: str, *, title_size=None):
        slide = self.prs.slides.add_slide(self._title_only)
        add_rect(slide, 0, 0, SLIDE_W, 0.09, self.brand)
        add_text(slide, MARGIN, 0.26, 10.5, 0.34, kicker.upper(), size=12, bold=True, color=self.brand)
        set_title(slide, title, size=title_size)
        number = len(self.prs.slides)
        footer = " · ".join(
            x
            for x in (
                self.b.office_name,
                self.b.period_label,
                f"data through {self.b.as_of:%-d %b %Y}",
                "sample data" if self.b.sample_data else "",
            )
            if x
        )
        add_rect(slide, MARGIN, 7.02, CONTENT_W, 0.01, RULE_GREY)
        add_text(slide, MARGIN, 7.07, 10.5, 0.3, footer, size=10, color=LIGHT_GREY)
        add_text(
            slide,
            SLIDE_W - MARGIN - 1.0,
            7.07,
            1.0,
            0.3,
            str(number),
            size=10,
            color=LIGHT_GREY,
            align=PP_ALIGN.RIGHT,
        )
        if self.logo:
            self._logo(slide, SLIDE_W - MARGIN - 1.6, 0.18, 1.6, 0.42)
        return slide

    def _logo(self, slide, left, top, max_w, max_h):
        try:
            from PIL import Image

            with Image.open(self.logo) as im:
                w, h = im.size
            scale = min(max_w / w, max_h / h)
            slide.shapes.add_picture(
                self.logo, Inches(left + max_w - w * scale), Inches(top), Inches(w * scale), Inches(h * scale)
            )
        except Exception:  # noqa: BLE001 - a broken logo file must not stop the briefing
            pass

    # 1. title
    def add_title_slide(self):
        b = self.b
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[0])
        send_to_back(add_rect(slide, 0, 0, SLIDE_W, 4.55, self.brand))
        title = slide.shapes.title
        set_title(slide, b.title, left=0.8, top=1.35, width=11.5, height=1.5, size=40, color="FFFFFF")
        title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
        sub = slide.placeholders[1]
        sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.0), Inches(11.5), Inches(1.0)
        sub.text_frame.text = b.office_name
        for p in sub.text_frame.paragraphs:
            p.alignment = PP_ALIGN.LEFT
            _style_runs(p, 26, False, "FFFFFF")
        period = b.period_label + (f" ({b.period_note})" if b.period_note else "")
        lines = [
            (period, 24, True, DARK),
            (f"Data through {b.as_of:%-d %B %Y}", 18, False, GREY),
            (
                f"Prepared {b.generated:%-d %B %Y}"
                + (" · sample data, not real figures" if b.sample_data else ""),
                14,
                False,
                LIGHT_GREY,
            ),
        ]
        if b.filters_text:
            lines.append((b.filters_text, 14, False, LIGHT_GREY))
        add_text(slide, 0.8, 4.95, 9.5, 2.0, "", paragraphs=lines, line_spacing=1.15)
        if self.logo:
            self._logo(slide, SLIDE_W - 0.8 - 2.6, 5.0, 2.6, 1.6)
        set_notes(
            slide,
            f"{b.title} for {b.office_name}, {period}. Data through {b.as_of:%-d %B %Y}. {b.source_note}",
        )
        return slide

    # 2. scorecard
    def add_scorecard_slide(self):
        b = self.b
        slides = b.slides
        title = scorecard_headline(b)
        slide = self._content_slide("Scorecard", title)
        rows = scorecard_rows(b)
        widths = [4.6, 1.95, 1.9, 1.45, 1.35, 1.08]
        n = len(rows)
        row_h = min(0.4, (6.85 - 1.75) / max(n, 1))
        size = 13 if n <= 13 else 11 if n <= 17 else 9

        def status_cell(cell, i, j, value):
            if j == 3:
                key = slides[i - 1].status
                style_cell(cell, value, size=size, bold=True, color=STATUS_FILL[key], fill=STATUS_TINT[key])

        add_table(
            slide,
            rows,
            widths,
            top=1.75,
            row_h=row_h,
            header_fill=self.brand,
            size=size,
            header_size=size,
            aligns=[
                PP_ALIGN.LEFT,
                PP_ALIGN.RIGHT,
                PP_ALIGN.LEFT,
                PP_ALIGN.LEFT,
                PP_ALIGN.RIGHT,
                PP_ALIGN.RIGHT,
            ],
            cell_style=status_cell,
        )
        notes = [f"Scorecard for {b.period_label}, data through {b.as_of:%-d %B %Y}."]
        notes += [f"{s.title}: {s.sentence}" for s in slides if s.sentence]
        set_notes(slide, "\n".join(notes))
        return slide

    # 3. one KPI
    def add_kpi_slide(self, s: KpiSlide):
        slide = self._content_slide(
            f"{s.theme} · {s.title}" if s.theme else s.title,
            s.sentence or f"{s.title}: {format_value(s.value, s.unit)} in {s.period_label}",
        )
        png = self.pngs.get(s.kpi_id)
        chart_l, chart_t, chart_w, chart_h = MARGIN, 1.75, 8.75, 4.75
        if png:
            from PIL import Image

            with Image.open(io.BytesIO(png)) as im:
                w, h = im.size
            scale = min(chart_w / w, chart_h / h)
            pic_w, pic_h = w * scale, h * scale
            slide.shapes.add_picture(
                io.BytesIO(png), Inches(chart_l), Inches(chart_t), Inches(pic_w), Inches(pic_h)
            )
        # Right panel: status, value, goal, comparison, n.
        px, pw = 9.6, SLIDE_W - MARGIN - 9.6
        badge = add_rect(slide, px, 1.8, pw, 0.62, STATUS_FILL[s.status], MSO_SHAPE.ROUNDED_RECTANGLE)
        tf = badge.text_frame
        tf.text = f"{STATUS_SYMBOL[s.status]}  {s.status.upper()}"
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        for p in tf.paragraphs:
            p.alignment = PP_ALIGN.CENTER
            _style_runs(p, 20, True, "FFFFFF")
        value = format_kpi_value(s.value, s.unit, s.target, s.at_risk) if s.value is not None else "no data"
        period = s.period_label + (" (partial period)" if s.partial else "")
        add_text(
            slide, px, 2.6, pw, 1.25, "", paragraphs=[(value, 36, True, DARK), (period, 13, False, GREY)]
        )
        lines = []
        goal = _goal_long(s)
        lines.append((goal or "No goal set: set one on the Goals page", 13, False, DARK))
        if s.yoy_value is not None and not _isnan(s.yoy_value):
            label = s.yoy_label or "Same period last year"
            lines.append(
                (
                    f"{label}: {format_value(s.yoy_value, s.unit)} "
                    f"{_paren(change_text(s.value, s.yoy_value, s.unit))}",
                    13,
                    False,
                    DARK,
                )
            )
        if (
            s.prev_value is not None
            and not _isnan(s.prev_value)
            and s.prev_label
            and s.prev_label != s.yoy_label
        ):
            lines.append(
                (
                    f"Previous period ({s.prev_label}): {format_value(s.prev_value, s.unit)} "
                    f"{_paren(change_text(s.value, s.prev_value, s.unit))}",
                    13,
                    False,
                    DARK,
                )
            )
        if s.n and not _isnan(s.n):
            based = f"Based on {int(s.n):,} records"
            if s.excluded:
                based += f"; {int(s.excluded):,} excluded"
            lines.append((based, 12, False, GREY))
        if s.missing:
            lines.append(("Missing: " + ", ".join(s.missing), 12, False, STATUS_FILL["missed"]))
        lines = fit_paragraphs(lines, pw, 2.6, line_spacing=1.1)
        add_text(slide, px, 3.95, pw, 2.6, "", paragraphs=lines, line_spacing=1.1)
        definition = f"Definition: {s.definition}"
        if s.goal_source:
            definition += f"  Goal source: {s.goal_source}."
        size = fit.fit_size(on_slide(definition), CONTENT_W - 0.04, 0.41, largest=11, smallest=8)
        if size is None:  # too long for the foot of the slide: the appendix and the notes carry it
            definition, size = "Definition and goal source: see the appendix and the speaker notes.", 11
        add_text(slide, MARGIN, 6.55, CONTENT_W, 0.45, definition, size=size, color=GREY, italic=True)
        notes = [s.title, f"Definition: {s.definition}"]
        if s.formula:
            notes.append(f"Formula: {s.formula}")
        notes.append(f"Goal: {goal or 'none set'}. Goal source: {s.goal_source or 'not recorded'}.")
        if s.n is not None and not _isnan(s.n):
            notes.append(
                f"n = {int(s.n):,} records" + (f", {int(s.excluded):,} excluded" if s.excluded else "") + "."
            )
        if s.sentence:
            notes.append(f"Message: {s.sentence}")
        set_notes(slide, "\n".join(notes))
        return slide

    # 4. contract pipeline
    def add_pipeline_slide(self):
        b = self.b
        slide = self._content_slide(
            "Contract management · pipeline", b.pipeline_message or "Contracts ending in the next 18 months"
        )
        png = self.pngs.get("__pipeline__")
        if png:
            from PIL import Image

            with Image.open(io.BytesIO(png)) as im:
                w, h = im.size
            scale = min(CONTENT_W / w, 5.0 / h)
            slide.shapes.add_picture(
                io.BytesIO(png), Inches(MARGIN), Inches(1.75), Inches(w * scale), Inches(h * scale)
            )
            add_text(slide, MARGIN, 6.6, CONTENT_W, 0.35,
                     "Each dot is a contract; its size is the contract's current amount (after amendments).",
                     size=11, color=GREY, italic=True)
        now = needing_action_now(b.pipeline)
        notes = [b.pipeline_message or "No contract data, or no contract ends in the next 18 months."]
        notes.append("Bubble size: the contract's current amount (after amendments).")
        if len(now):
            notes.append(f"{len(now)} contracts need a re-procurement started now: listed on the next slides.")
        set_notes(slide, "\n".join(notes))
        if len(now):
            self.add_action_now_slides(now)
        return slide

    def add_action_now_slides(self, now: pd.DataFrame):
        """Every contract that needs a re-procurement started now, as many slides as it takes."""
        rows = [["Contract", "Vendor", "Department", "Ends", "Current amount", "Action needed"]]
        for _, r in now.iterrows():
            name = " ".join(x for x in (_blank(r.get("contract_id")), _blank(r.get("title"))) if x)
            amount = r.get("current_amount")
            rows.append([
                name,
                _blank(r.get("vendor_name")),
                _blank(r.get("department")),
                _date(r.get("end_date")),
                format_value(amount, "dollars") if _int(amount) is not None else "",
                _blank(r.get("action")),
            ])
        widths = [3.4, 2.4, 1.9, 1.2, 1.3, 2.13]
        heights = row_heights(rows, widths, 12, 12)
        pages = paginate(heights, TABLE_BOTTOM - TABLE_TOP)
        right = PP_ALIGN.RIGHT
        total = len(now)
        dollars = pd.to_numeric(now.get("current_amount"), errors="coerce").sum() if "current_amount" in now else 0
        for k, (start, stop) in enumerate(pages, start=1):
            count = f" ({k} of {len(pages)})" if len(pages) > 1 else ""
            title = (f"{total} contract{'s' if total != 1 else ''} need{'s' if total == 1 else ''} a "
                     f"re-procurement started now, {format_value(dollars, 'dollars')} in all{count}")
            slide = self._content_slide("Contract management · action now", title)
            add_table(slide, [rows[0]] + rows[1 + start:1 + stop], widths, top=TABLE_TOP,
                      heights=[heights[0]] + heights[1 + start:1 + stop], header_fill=self.brand, size=12,
                      header_size=12, aligns=[PP_ALIGN.LEFT] * 3 + [PP_ALIGN.LEFT, right, PP_ALIGN.LEFT])
            set_notes(slide, "\n".join(" · ".join(str(x) for x in row if x) for row in rows[1 + start:1 + stop]))

    def add_performance_slide(self):
        """Key contracts off track (and which metric), and how often their vendors were met."""
        b = self.b
        if not b.performance_message:  # a briefing made without contract performance (prepare_briefing sets it)
            return None
        slide = self._content_slide("Contract management · performance", b.performance_message, title_size=24)
        if b.offtrack_share is None and b.checkin_rate is None:
            add_text(slide, MARGIN, 1.9, CONTENT_W, 1.0, "Until then, this slide stays empty rather than "
                     "showing a zero.", size=16, color=GREY)
            set_notes(slide, b.performance_message)
            return slide
        figures = [("Key contracts off track", "—" if b.offtrack_share is None else _pct(b.offtrack_share),
                    "" if b.offtrack_share is None else f"{b.performance_counts[0]} of {b.performance_counts[1]} "
                    "with results; goal 10% or fewer"),
                   ("Quarterly check-ins held", "—" if b.checkin_rate is None else _pct(b.checkin_rate),
                    "of key-contract quarters; goal: every quarter")]
        for i, (label, value, note) in enumerate(figures):
            top = 1.85 + i * 2.25
            add_text(slide, MARGIN, top, 3.6, 0.4, label, size=14, bold=True, color=GREY)
            add_text(slide, MARGIN, top + 0.4, 3.6, 1.0, value, size=44, bold=True, color=self.brand)
            add_text(slide, MARGIN, top + 1.4, 3.6, 0.6, note, size=12, color=GREY)
        df = b.performance
        notes = [b.performance_message]
        if df is not None and len(df):
            rows = [["Contract", "Metric off track", "Latest", "Target", "Last check-in"]]
            for _, r in df.iterrows():
                name = r["contract"] + (f" ({r['vendor']})" if r["vendor"] else "")
                rows.append([name, str(r["metric"]), r["latest"], r["target"], _date(r["last_checkin"]) or "none"])
            add_text(slide, 4.6, 1.75, 8.2, 0.35, "Off track: the metric missing its target", size=13, bold=True,
                     color=DARK)
            widths = [3.1, 2.2, 0.9, 1.1, 1.0]
            heights = row_heights(rows, widths, 10, 11)
            shown = paginate(heights, TABLE_BOTTOM - 0.35 - 2.12)[0][1]  # what fits; the notes list every one
            add_table(slide, rows[:1 + shown], widths, left=4.6, top=2.12, heights=heights[:1 + shown],
                      header_fill=self.brand, size=10, header_size=11)
            if shown < len(rows) - 1:
                add_text(slide, 4.6, TABLE_BOTTOM - 0.3, 8.2, 0.3,
                         f"And {len(rows) - 1 - shown} more off track: see the speaker notes.", size=11, color=GREY,
                         italic=True)
            notes += [" · ".join(str(x) for x in row) for row in rows[1:]]
        else:
            add_text(slide, 4.6, 1.9, 8.2, 0.5, "No key contract is off track on its latest results.", size=16,
                     color=DARK)
        set_notes(slide, "\n".join(notes))
        return slide

    # 5. appendix
    def add_definition_slides(self):
        b = self.b
        d = b.definitions
        if d is None or d.empty:
            return
        rows = [["KPI", "Definition", "Goal and its source"]]
        for _, r in d.iterrows():
            goal = " ".join(x for x in (str(r.get("goal") or ""),
                                        f"Source: {r['goal_source']}." if r.get("goal_source") else "") if x)
            rows.append([r["title"], str(r["definition"]), goal])
        widths = [2.6, 6.5, 3.23]
        heights = row_heights(rows, widths, 11, 12)
        pages = paginate(heights, TABLE_BOTTOM - TABLE_TOP)
        for k, (start, stop) in enumerate(pages, start=1):
            title = "Appendix: KPI definitions" + (f" ({k} of {len(pages)})" if len(pages) > 1 else "")
            slide = self._content_slide("Appendix", title)
            add_table(slide, [rows[0]] + rows[1 + start:1 + stop], widths, top=TABLE_TOP,
                      heights=[heights[0]] + heights[1 + start:1 + stop], header_fill=self.brand, size=11,
                      header_size=12)
            chunk = d.iloc[start:stop]
            set_notes(
                slide,
                "\n".join(
                    f"{r['title']}: {r['definition']} Formula: {r.get('formula', '')} "
                    f"Goal source: {r.get('goal_source_notes') or r.get('goal_source') or 'not recorded'}."
                    for _, r in chunk.iterrows()
                ),
            )

    def add_data_quality_slide(self):
        b = self.b
        dq = b.data_quality
        read = (
            int(pd.to_numeric(dq["rows_read"], errors="coerce").fillna(0).sum())
            if dq is not None and len(dq)
            else 0
        )
        excl = (
            int(pd.to_numeric(dq["rows_excluded"], errors="coerce").fillna(0).sum())
            if dq is not None and len(dq)
            else 0
        )
        if dq is None or dq.empty:
            title = "Appendix: data quality"
        else:
            share = excl / read if read else 0
            pct = "under 0.1%" if 0 < share < 0.001 else f"{share:.1%}"
            title = (
                f"Appendix: data quality. {excl:,} of {read:,} rows read ({pct}) were excluded at import"
                if excl
                else f"Appendix: data quality. All {read:,} rows read were loaded"
            )
        slide = self._content_slide("Appendix", title, title_size=22)
        if dq is None or dq.empty:
            add_text(
                slide,
                MARGIN,
                1.8,
                CONTENT_W,
                1.0,
                "No import history: the figures come from data loaded "
                "without the import log (for example the sample city).",
                size=14,
                color=GREY,
            )
            set_notes(slide, "No import history available.")
            return slide
        shown = dq.sort_values("rows_excluded", ascending=False, kind="stable").head(IMPORTS_PER_SLIDE)
        rows = [["Source file", "Sheet", "Table", "Rows read", "Loaded", "Excluded", "Excluded %"]]
        for _, r in shown.iterrows():
            rr, ex = _int(r.get("rows_read")), _int(r.get("rows_excluded"))
            rows.append(
                [
                    str(r.get("source") or ""),
                    _blank(r.get("sheet")),
                    str(r.get("table") or ""),
                    f"{rr:,}" if rr is not None else "–",
                    f"{_int(r.get('rows_loaded')) or 0:,}",
                    f"{ex:,}" if ex is not None else "–",
                    _pct(ex / rr) if rr and ex is not None else "–",
                ]
            )
        right = PP_ALIGN.RIGHT
        widths = [4.3, 1.7, 1.6, 1.2, 1.2, 1.15, 1.18]
        heights = row_heights(rows, widths, 11, 12, minimum=0.36)
        add_table(
            slide,
            rows,
            widths,
            top=1.7,
            heights=heights,
            header_fill=self.brand,
            size=11,
            header_size=12,
            aligns=[PP_ALIGN.LEFT, PP_ALIGN.LEFT, PP_ALIGN.LEFT, right, right, right, right],
        )
        y = 1.7 + sum(heights) + 0.15
        note = (
            "Rows are excluded when a required value is missing or unreadable; each one is listed with its "
            "reason on the Data page."
        )
        if len(dq) > IMPORTS_PER_SLIDE:
            note = f"Showing the {IMPORTS_PER_SLIDE} imports with most exclusions of {len(dq)}. " + note
        add_text(slide, MARGIN, min(y, 6.5), CONTENT_W, 0.45, note, size=11, color=GREY, italic=True)
        kpi_note = _kpi_exclusions(b.slides)
        if kpi_note and y + 0.5 < 6.3:
            add_text(slide, MARGIN, y + 0.5, CONTENT_W, 0.7, kpi_note, size=12, color=DARK)
            note += " " + kpi_note
        set_notes(slide, f"{excl:,} of {read:,} rows read were excluded at import. " + note)
        return slide

    # rendering
    def render_charts(self):
        jobs = {s.kpi_id: s.chart for s in self.b.slides if s.chart is not None}
        if self.b.pipeline_chart is not None:
            jobs["__pipeline__"] = self.b.pipeline_chart
        self.pngs = render_pngs(jobs)

    def build(self) -> bytes:
        self.render_charts()
        self.add_title_slide()
        self.add_scorecard_slide()
        for s in self.b.slides:
            self.add_kpi_slide(s)
        self.add_pipeline_slide()
        self.add_performance_slide()
        self.add_definition_slides()
        self.add_data_quality_slide()
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


def render_pngs(jobs: dict[str, object], threads: int = RENDER_THREADS) -> dict[str, bytes]:
    """Each chart rendered once, in a small thread pool (vl-convert releases the GIL while it draws)."""
    if not jobs:
        return {}
    with ThreadPoolExecutor(max_workers=min(threads, len(jobs))) as pool:
        futures = {k: pool.submit(chart_png, c) for k, c in jobs.items()}
        return {k: f.result() for k, f in futures.items()}


def briefing_pptx(briefing: Briefing) -> bytes:
    """The .pptx bytes of a prepared Briefing (see prepare_briefing)."""
    return Deck(briefing).build()


# ---------------------------------------------------------------- formatting bits


def _pct(share: float) -> str:
    return "under 0.1%" if 0 < share < 0.001 else f"{share:.1%}"


def _paren(text: str) -> str:
    return f"({text})" if text else ""


def _kpi_exclusions(slides: list[KpiSlide], top: int = 3) -> str:
    """'Procurement lead time set aside 149 of 445 records (33%); ...' for the KPIs setting aside most."""
    rows = []
    for s in slides:
        n, ex = _int(s.n), _int(s.excluded)
        if n is not None and ex:
            rows.append((ex / (n + ex), s.title, ex, n + ex))
    rows.sort(reverse=True)
    if not rows:
        return ""
    parts = [f"{t} {ex:,} of {tot:,} ({share:.0%})" for share, t, ex, tot in rows[:top]]
    return (
        "Records the KPIs set aside for missing or unusable values, most first: " + "; ".join(parts) + ". "
        "Each KPI's drill-down lists them with the reason."
    )


def _isnan(x) -> bool:
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return x is None


def _int(x):
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else int(v)


def _blank(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or str(x) in ("None", "nan", "<NA>"):
        return ""
    return str(x)


def _clip(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def fit_paragraphs(lines: list[tuple], width: float, height: float, *, line_spacing: float = 1.1,
                   smallest: float = 9) -> list[tuple]:
    """Mixed-size paragraphs [(text, size, bold, color)] scaled down together until they fit the box."""
    inner_w, inner_h = width - 2 * BOX_MARGIN, height - 2 * BOX_MARGIN
    scale = 1.0
    while True:
        sized = [(t, max(round(sz * scale * 2) / 2, smallest), b, c) for t, sz, b, c in lines]
        need = sum(fit.height_in(on_slide(t), inner_w, sz, b, spacing=1.2 * line_spacing) for t, sz, b, c in sized)
        if need <= inner_h or all(sz <= smallest for _, sz, _, _ in sized):
            return sized
        scale -= 0.05


def needing_action_now(pipeline: pd.DataFrame | None) -> pd.DataFrame:
    """The pipeline's contracts whose action is the most urgent one (start a re-procurement now), soonest first."""
    if pipeline is None or len(pipeline) == 0 or "action" not in pipeline:
        return pd.DataFrame()
    from charts.pipeline import action_rank

    now = pipeline[pipeline["action"].map(action_rank) == 0]
    return now.sort_values("end_date", kind="stable") if "end_date" in now else now


def _date(x) -> str:
    try:
        return f"{pd.Timestamp(x):%-d %b %Y}"
    except (TypeError, ValueError):
        return ""


def _goal_short(s: KpiSlide) -> str:
    if s.target is None or _isnan(s.target):
        return "not set"
    t = format_value(s.target, s.unit)
    return f"≤ {t}" if s.direction == "lower" else f"≥ {t}" if s.direction == "higher" else t


def _goal_long(s: KpiSlide) -> str:
    from charts import goal_text

    return goal_text({"target": s.target, "at_risk": s.at_risk}, s.unit, s.direction)
