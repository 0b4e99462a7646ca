"""Payments KPIs: each one against its goal, broken down, and the records behind it."""

from ui.theme import theme_page

theme_page(
    "app_pages/payments.py",
    intro="Do we pay vendors on time? Slow payment costs small firms most and keeps them from bidding.",
)
