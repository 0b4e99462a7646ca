"""Goals: the targets and at-risk limits leadership set, edited in place and kept in the workspace."""

import streamlit as st

from ui import goals

st.title("Goals")
st.markdown(
    "A goal has a **target** and an **at-risk limit** (both inclusive). A KPI meets its goal at or past "
    "the target, is at risk up to the limit, and has missed it beyond. Leave the fiscal year empty for every "
    "year; add a scope to set a goal for one department or category."
)
goals.editor()

st.subheader("Goals file")
left, right = st.columns(2)
with left:
    goals.export_button()
with right:
    goals.import_uploader()
