"""Measuring slide text against its box: how many lines a text wraps to at a font size, and the size that fits.

Widths come from Liberation Sans (metric-compatible with Arial, the deck's font), so a text measured to fit
here fits in PowerPoint and in LibreOffice too. Where the font file is missing, a conservative average
character width stands in.
"""

from __future__ import annotations

import functools
from pathlib import Path

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/liberation-sans", "/usr/share/fonts/truetype/msttcorefonts")
FONT_FILES = {False: ("LiberationSans-Regular.ttf", "Arial.ttf"), True: ("LiberationSans-Bold.ttf", "Arial_Bold.ttf")}
LINE_SPACING = 1.2  # PowerPoint's single line spacing is about 1.2 times the font size
FALLBACK_EM = 0.56  # average character width of Arial, in ems (a little generous)
POINTS_PER_INCH = 72.0


@functools.lru_cache(maxsize=64)
def _font(size_pt: float, bold: bool):
    try:
        from PIL import ImageFont
    except ImportError:
        return None
    for folder in FONT_DIRS:
        for name in FONT_FILES[bold]:
            path = Path(folder) / name
            if path.is_file():
                # Measured at 10x the size in "pixels" = points, for sub-point precision.
                return ImageFont.truetype(str(path), size=max(int(round(size_pt * 10)), 1))
    return None


def text_width_pt(text: str, size_pt: float, bold: bool = False) -> float:
    """The width of one line of text, in points."""
    font = _font(size_pt, bold)
    if font is None:
        return len(text) * size_pt * FALLBACK_EM * (1.07 if bold else 1.0)
    return font.getlength(text) / 10.0


def wrap(text: str, width_in: float, size_pt: float, bold: bool = False) -> list[str]:
    """The lines a text box of `width_in` inches wraps `text` to (at spaces; a too-long word on its own)."""
    limit = width_in * POINTS_PER_INCH
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width_pt(candidate, size_pt, bold) > limit:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def height_in(text: str, width_in: float, size_pt: float, bold: bool = False, spacing: float = LINE_SPACING) -> float:
    """The height in inches `text` needs in a box `width_in` wide."""
    return len(wrap(text, width_in, size_pt, bold)) * size_pt * spacing / POINTS_PER_INCH


def longest_word_fits(text: str, width_in: float, size_pt: float, bold: bool = False) -> bool:
    limit = width_in * POINTS_PER_INCH
    return all(text_width_pt(w, size_pt, bold) <= limit for w in str(text).split())


def fits(text: str, width_in: float, height: float, size_pt: float, bold: bool = False,
         spacing: float = LINE_SPACING) -> bool:
    """Whether `text` fits a box of width_in x height inches at `size_pt` (no word cut, no line below the box)."""
    return longest_word_fits(text, width_in, size_pt, bold) and \
        height_in(text, width_in, size_pt, bold, spacing) <= height + 1e-6


def fit_size(text: str, width_in: float, height: float, *, largest: float, smallest: float = 9,
             bold: bool = False, step: float = 0.5) -> float | None:
    """The largest font size from `largest` down to `smallest` at which `text` fits; None if none does."""
    size = largest
    while size >= smallest - 1e-9:
        if fits(text, width_in, height, size, bold):
            return size
        size -= step
    return None


# ---------------------------------------------------------------- checking a whole deck

EMU_PER_INCH = 914400
TOLERANCE_IN = 0.02


def _inches(emu) -> float:
    return (emu or 0) / EMU_PER_INCH


def _paragraphs(text_frame, default_size: float = 18.0):
    """(text, size, bold, line spacing) per paragraph of a python-pptx text frame."""
    for p in text_frame.paragraphs:
        runs = list(p.runs)
        size = next((r.font.size.pt for r in runs if r.font.size is not None), default_size)
        bold = any(bool(r.font.bold) for r in runs)
        spacing = p.line_spacing if isinstance(p.line_spacing, float) else 1.0
        yield p.text, size, bold, spacing


def frame_overflow(text_frame, width_in: float, height: float, margins=None) -> str | None:
    """Why a text frame's text does not fit its box (a word too wide, lines below the box), or None.

    `margins` (left, right, top, bottom in EMU) default to the text frame's own insets; a table cell keeps
    its margins on the cell."""
    box = margins or (text_frame.margin_left, text_frame.margin_right, text_frame.margin_top,
                      text_frame.margin_bottom)
    margin_w = _inches(box[0]) + _inches(box[1])
    margin_h = _inches(box[2]) + _inches(box[3])
    inner_w, inner_h = width_in - margin_w, height - margin_h
    need = 0.0
    for text, size, bold, spacing in _paragraphs(text_frame):
        if not longest_word_fits(text, inner_w, size, bold):
            return f"a word of {text[:40]!r} is wider than {inner_w:.2f} in at {size:g} pt"
        need += height_in(text, inner_w, size, bold, LINE_SPACING * spacing)
    if need > inner_h + TOLERANCE_IN:
        return f"needs {need:.2f} in, has {inner_h:.2f} in"
    return None


def deck_overflows(pptx: bytes) -> list[str]:
    """Every text box and table cell of a deck whose text does not fit, as 'slide N: why: text'."""
    import io

    from pptx import Presentation

    problems = []
    prs = Presentation(io.BytesIO(pptx))
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                why = frame_overflow(shape.text_frame, _inches(shape.width), _inches(shape.height))
                if why:
                    problems.append(f"slide {number}: {why}: {shape.text_frame.text[:60]!r}")
            if getattr(shape, "has_table", False) and shape.has_table:
                table = shape.table
                for i, row in enumerate(table.rows):
                    for j, cell in enumerate(row.cells):
                        if not cell.text_frame.text.strip():
                            continue
                        margins = (cell.margin_left, cell.margin_right, cell.margin_top, cell.margin_bottom)
                        why = frame_overflow(cell.text_frame, _inches(table.columns[j].width), _inches(row.height),
                                             margins)
                        if why:
                            problems.append(f"slide {number}, table cell ({i}, {j}): {why}: {cell.text[:60]!r}")
    return problems


def slide_texts(pptx: bytes) -> list[tuple[int, str]]:
    """(slide number, text) of every text box and table cell on the slides (not the speaker notes)."""
    import io

    from pptx import Presentation

    out = []
    for number, slide in enumerate(Presentation(io.BytesIO(pptx)).slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append((number, shape.text_frame.text))
            if getattr(shape, "has_table", False) and shape.has_table:
                out += [(number, cell.text) for row in shape.table.rows for cell in row.cells]
    return out
