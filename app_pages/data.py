"""Data: import this month's exports, check them, and see what the workspace holds and how clean it is."""

import streamlit as st

from ui import database, importer
from ui.data_quality import quality_section, tables_section
from ui.notices import imports_notice

st.title("Data")
importer.workspace_status()
imports_notice()
upload, held, history, settings = st.tabs(["Import files", "Tables and data quality", "Import history",
                                          "Settings"])
with upload:
    importer.upload_section()
    database.database_section()
with held:
    tables_section()
    quality_section()
with history:
    importer.history_section()
with settings:
    importer.settings_section()
