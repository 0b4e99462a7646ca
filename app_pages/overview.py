"""Overview: are we on track? The period's dollars, what changed, the scorecard KPIs as cards, where the money went."""

import streamlit as st

from ui import cards, data, filters, money

view = filters.current()
st.title("Procurement scorecard")
card = data.scorecard(view.filters, view.grain)
st.caption(f"{filters.describe(view)} · {cards.status_counts(card)}")

money.dollar_row(view)
cards.notable_changes(card)
cards.cards(card)
money.where_the_money_went(view)
