"""Procurement KPI Dashboard: the entry point frames every page (navigation, sample banner, sidebar filters)."""

import streamlit as st

from ui import data, filters
from ui.charts import hide_streamlit_chart_menu
from ui.format import md_escape
from ui.notices import as_of_header, sample_banner
from ui.pages import PAGES

st.set_page_config(page_title="Procurement KPIs", page_icon=":material/insights:", layout="wide")

sections: dict[str, list] = {}
for page in PAGES:
    sections.setdefault(page.section, []).append(
        st.Page(page.path, title=page.title, icon=page.icon, url_path=page.url_path,
                default=page.path == "app_pages/overview.py")
    )
navigation = st.navigation(sections)
hide_streamlit_chart_menu()

data.check_kpi_source()
# A configured KPI database that fails in the middle of the run: the run starts again on the workspace's data.
with data.kpi_source_fallback():
    showing_sample = data.ensure_sample()
    office = data.settings().get("office_name")
    st.sidebar.caption(md_escape(office) if office else "Procurement KPI Dashboard")
    view = filters.sidebar()
    if showing_sample:
        left = data.sample_tables()
        sample_banner(left, whole=data.sample_is_whole(left))
    as_of_header(view, empty=data.workspace().is_empty)

    navigation.run()
