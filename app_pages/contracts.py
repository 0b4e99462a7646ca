"""Contract management: what ends soon and what it needs, cost growth, overspending, evaluations."""

from ui import contracts
from ui.theme import theme_header, theme_kpis

view = theme_header(
    "app_pages/contracts.py",
    "Move contract management from compliance to performance: act on expiring contracts "
    "before they lapse, and let evaluations inform renewals.",
)
contracts.pipeline_section(view)
contracts.lists_section(view)
theme_kpis("app_pages/contracts.py", view, heading="Contract KPIs")
