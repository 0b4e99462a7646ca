"""Overview: are we on track? The scorecard KPIs as cards, with the notable changes above them."""

import streamlit as st

from ui import cards, data, filters

view = filters.current()
st.title("Procurement scorecard")
card = data.scorecard(view.filters, view.grain)
st.caption(f"{filters.describe(view)} · {cards.status_counts(card)}")

cards.notable_changes(card)
cards.cards(card)
