"""Contract performance: key contracts against their targets, check-ins due, each contract's own page, recording."""

import streamlit as st

from ui import performance as perf
from ui.theme import theme_header

view = theme_header(
    perf.PAGE,
    "Manage key contracts for performance: what each should achieve, what it achieved each quarter, and the "
    "meetings held with the vendor about it.",
)
perf.recorded_notice()
contract_id = st.query_params.get("contract")
if not (contract_id and perf.contract_view(contract_id)):
    contract_id = None
    perf.overview()
perf.record_section(contract_id)
if not contract_id:
    perf.kpis_section(view)
