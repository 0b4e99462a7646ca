"""KPI definitions: what each number means, how it is computed, what it needs, and its default goal."""

import streamlit as st

from ui import definitions

st.title("KPI definitions")
st.caption(
    "Every KPI is defined once and computed one way everywhere: on these pages, in the exports and "
    "in `python -m kpi report`."
)
query = st.text_input("Search", placeholder="lead time, M/WBE, evaluation…", key="def-search")
definitions.catalogue(query)
