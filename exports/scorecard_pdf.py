"""A one-page PDF scorecard beside the deck, drawn with Vega-Lite and rendered by vl-convert (fonts embedded).

The same rows as the deck's scorecard slide (exports.deck.scorecard_rows), so the two never disagree.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts.theme import FONT, STATUS_DARK, STATUS_TINTS

from .deck import scorecard_headline, scorecard_rows, status_key
from .model import Briefing
from .render import chart_pdf
from .slide_text import on_slide

PAGE_W = 1000  # CSS pixels: the page is the chart (about 10.4 x 7.7 in at 96 px to the inch)
ROW_H = 30
# Each column: left edge in px, alignment, its share of the text.
COLUMNS = ((0, "left"), (520, "right"), (540, "left"), (690, "left"), (880, "right"), (PAGE_W - 4, "right"))
STATUS_X0, STATUS_X1 = 684, 800


def _cells(rows: list[list[str]]) -> pd.DataFrame:
    out = []
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            x, align = COLUMNS[j]
            out.append({"row": i, "col": j, "x": x + (8 if align == "left" else -8), "align": align,
                        "text": on_slide(text), "header": i == 0})
    return pd.DataFrame(out)


def scorecard_chart(b: Briefing, brand: str | None = None) -> alt.LayerChart:
    """The scorecard as one Vega-Lite page: headline, period and data-through date, the table, the source."""
    rows = scorecard_rows(b)
    cells = _cells(rows)
    height = ROW_H * len(rows)
    y = alt.Y("row:O", axis=None, scale=alt.Scale(paddingInner=0, paddingOuter=0))
    bands = pd.DataFrame({"row": range(len(rows)),
                          "fill": [brand or b.brand_color or "#1F4E79"] + ["#F5F5F5" if i % 2 == 0 else "#FFFFFF"
                                                                         for i in range(1, len(rows))]})
    layers = [alt.Chart(bands).mark_rect().encode(y=y, x=alt.value(0), x2=alt.value(PAGE_W),
                                                  color=alt.Color("fill:N", scale=None))]
    status = pd.DataFrame([{"row": i, "tint": STATUS_TINTS[status_key(s.status)],
                            "ink": STATUS_DARK[status_key(s.status)]} for i, s in enumerate(b.slides, start=1)])
    if len(status):
        layers.append(alt.Chart(status).mark_rect().encode(y=y, x=alt.value(STATUS_X0), x2=alt.value(STATUS_X1),
                                                           color=alt.Color("tint:N", scale=None)))
    for align in ("left", "right"):
        for header in (True, False):
            part = cells[(cells["align"] == align) & (cells["header"] == header)]
            if part.empty:
                continue
            body = part[part["col"] != 3] if not header else part
            layers.append(
                alt.Chart(body).mark_text(align=align, baseline="middle", fontSize=14, font=FONT,
                                          fontWeight="bold" if header else "normal",
                                          color="#FFFFFF" if header else "#1A1A1A")
                .encode(y=y, x=alt.X("x:Q", scale=alt.Scale(domain=[0, PAGE_W], range=[0, PAGE_W]), axis=None),
                        text="text:N"))
    words = cells[(cells["col"] == 3) & ~cells["header"]].merge(status, on="row", how="left")
    if len(words):
        layers.append(
            alt.Chart(words).mark_text(align="left", baseline="middle", fontSize=14, font=FONT, fontWeight="bold")
            .encode(y=y, x=alt.X("x:Q", scale=alt.Scale(domain=[0, PAGE_W], range=[0, PAGE_W]), axis=None),
                    text="text:N", color=alt.Color("ink:N", scale=None)))
    period = b.period_label + (f" ({b.period_note})" if b.period_note else "")
    subtitle = [f"{b.office_name} · {period} · data through {b.as_of:%-d %B %Y}"]
    if b.filters_text:
        subtitle.append(b.filters_text)
    note = on_slide(b.source_note)
    foot = pd.DataFrame({"text": [note, "Goals and definitions: see the briefing's appendix."]})
    footer = (alt.Chart(foot.reset_index()).mark_text(align="left", baseline="top", fontSize=12, color="#595959",
                                                      font=FONT)
              .encode(x=alt.value(0), y=alt.Y("index:O", axis=None), text="text:N")
              .properties(width=PAGE_W, height=40))
    table = alt.layer(*layers).properties(width=PAGE_W, height=height)
    return (alt.vconcat(table, footer, spacing=18)
            .properties(title=alt.TitleParams(on_slide(scorecard_headline(b)), subtitle=subtitle, anchor="start",
                                              fontSize=24, subtitleFontSize=15, offset=16))
            .configure_view(stroke=None))


def scorecard_pdf(b: Briefing) -> bytes:
    """The one-page PDF scorecard of a prepared Briefing."""
    return chart_pdf(scorecard_chart(b))
