"""Market research: engagement before solicitations, and whether it brings more bids."""

from ui import market
from ui.theme import theme_header, theme_kpis

view = theme_header(
    "app_pages/market_research.py",
    "Talking to vendors before a solicitation (RFIs, industry days, one-on-ones) tends to bring "
    "more and better bids. Is it happening, and does it work here?",
)
market.comparison_section(view)
theme_kpis("app_pages/market_research.py", view, heading="Market research KPIs")
