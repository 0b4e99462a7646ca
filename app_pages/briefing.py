"""Briefing: choose the KPIs and period, download the deck, the workbook and the charts, and preview them."""

import streamlit as st

from ui import briefing

st.title("Leadership briefing")
st.caption(
    "A 16:9 PowerPoint deck, an Excel workbook and slide-resolution chart images, computed like the "
    "scorecard."
)
choice = briefing.chooser()
deck = briefing.prepare(choice)
if deck is not None:
    briefing.downloads(deck)
    briefing.preview(deck)
