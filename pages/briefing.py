"""Briefing: choose the KPIs and period, preview, and download the deck, the workbook and the charts."""

import streamlit as st

from ui import briefing
from ui.frame import framed

framed()
st.title("Leadership briefing")
st.caption("A 16:9 PowerPoint deck, an Excel workbook and slide-resolution chart images, from the same numbers "
           "as the scorecard.")
choice = briefing.chooser()
briefing.preview(choice)
briefing.downloads(choice)
