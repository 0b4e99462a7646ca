"""Competition KPIs: each one against its goal, broken down, and the records behind it."""

from ui.theme import theme_page

theme_page(
    "app_pages/competition.py",
    intro="Are enough vendors competing for the city's work, how much is bought without competition, and what competition saves.",
)
