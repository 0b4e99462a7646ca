"""Equity KPIs: each one against its goal, broken down, and the records behind it."""

from ui.theme import theme_page

theme_page(
    "app_pages/equity.py",
    intro="Is the city's spending reaching minority- and women-owned, small and local businesses?",
)
