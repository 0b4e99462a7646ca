"""The app's pages, declared once: app.py builds the navigation from this list and links look pages up here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str
    section: str
    themes: tuple[str, ...] = ()  # KPI themes shown on the page


PAGES = (
    # The default page lives at the app's root URL: its url_path is "".
    PageSpec("app_pages/overview.py", "Overview", ":material/dashboard:", "", "Scorecard"),
    PageSpec("app_pages/speed.py", "Speed", ":material/timer:", "speed", "Themes", ("Speed",)),
    PageSpec("app_pages/competition.py", "Competition and value", ":material/groups:", "competition", "Themes",
             ("Competition", "Value")),
    PageSpec("app_pages/equity.py", "Equity", ":material/diversity_3:", "equity", "Themes", ("Equity",)),
    PageSpec("app_pages/contracts.py", "Contract management", ":material/contract:", "contracts", "Themes",
             ("Contracts",)),
    PageSpec("app_pages/performance.py", "Contract performance", ":material/monitoring:", "contract_performance",
             "Themes"),
    PageSpec("app_pages/payments.py", "Payments", ":material/payments:", "payments", "Themes", ("Payments",)),
    PageSpec("app_pages/market_research.py", "Market research", ":material/travel_explore:", "market_research",
             "Themes", ("Market research",)),
    PageSpec("app_pages/data.py", "Data", ":material/upload_file:", "data", "Manage", ("Data quality",)),
    PageSpec("app_pages/goals.py", "Goals", ":material/flag:", "goals", "Manage"),
    PageSpec("app_pages/definitions.py", "KPI definitions", ":material/menu_book:", "definitions", "Manage"),
    PageSpec("app_pages/briefing.py", "Briefing", ":material/slideshow:", "briefing", "Leadership"),
)


def _norm(theme: str) -> str:
    return str(theme).strip().lower().replace("_", " ")


def page_for_theme(theme: str) -> str | None:
    """The page that shows a KPI theme ('Value' lives on the Competition page)."""
    for page in PAGES:
        if _norm(theme) in {_norm(t) for t in page.themes}:
            return page.path
    return None


def kpi_link(kpi_id: str, title: str) -> dict:
    """Query parameters that open a theme page on one KPI (the picker is bound to the URL by its label)."""
    return {"kpi": title}


def spec(path: str) -> PageSpec:
    return next(p for p in PAGES if p.path == path)
