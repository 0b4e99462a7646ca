"""Competition KPIs: each one against its goal, broken down, and the records behind it."""

from ui.theme import theme_page

theme_page("app_pages/competition.py")
