"""Market research: do solicitations with pre-solicitation engagement draw more bids, category by category?"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi import market
from ui import data
from ui.charts import csv_button
from ui.notices import missing_data

LABELS = {
    "category": "Category",
    "engaged_n": "Engaged (n)",
    "engaged_mean_bids": "Bids, engaged",
    "engaged_single_bid_share": "Single-bid, engaged",
    "not_engaged_n": "Not engaged (n)",
    "not_engaged_mean_bids": "Bids, not engaged",
    "not_engaged_single_bid_share": "Single-bid, not engaged",
    "bid_lift": "Bid lift",
}


@st.cache_data(max_entries=16, show_spinner=False)
def _comparison(path, ver, filters, as_of_, fy_start) -> pd.DataFrame:
    return market.engagement_comparison(data._source(path, ver), filters=filters, as_of=as_of_,
                                        fy_start_month=fy_start)


def comparison_section(view) -> None:
    st.subheader("Engaged versus not engaged, within each category")
    frame = _comparison(data.workspace_path(), data.version(), view.filters, data.as_of(), data.fy_start_month())
    if frame.empty:
        missing_data(["engagements.type", "solicitations.bids_received"], what="The engagement comparison")
        return
    st.caption("Competitive solicitations with an RFI, industry day, one-on-one or other engagement before "
               "they were issued, against those without, in the same category. The last row weights the "
               "categories that have both.")
    shares = ["engaged_single_bid_share", "not_engaged_single_bid_share"]
    shown = frame.assign(**{c: frame[c] * 100 for c in shares}).rename(columns=LABELS)
    st.dataframe(
        shown, hide_index=True, key="engagement-comparison",
        column_config={
            LABELS["engaged_single_bid_share"]: st.column_config.NumberColumn(format="%.0f%%"),
            LABELS["not_engaged_single_bid_share"]: st.column_config.NumberColumn(format="%.0f%%"),
            LABELS["engaged_mean_bids"]: st.column_config.NumberColumn(format="%.1f"),
            LABELS["not_engaged_mean_bids"]: st.column_config.NumberColumn(format="%.1f"),
            LABELS["bid_lift"]: st.column_config.NumberColumn(format="%+.1f"),
        },
    )
    csv_button(frame, "engagement_comparison", key="engagement-csv")
