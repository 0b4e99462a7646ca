""""Now" for the whole app: the data-through date, each table's last date, and the period a view shows with
the period it is compared with (fiscal year to date against the same months a year earlier by default).

The app's pages, `python -m kpi report`, the charts and the deck all call `data_through` and `resolve_period`,
so they agree on one as-of date and one comparison.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import periods as P
from .format import format_date, format_month, format_month_range

# Dates of things that happened: a contract's start or end, or an evaluation's due date, can lie in the future
# and would move "now" past the data.
ACTIVITY_DATES = {
    "solicitations": ("issue_date", "award_date"),
    "payments": ("payment_date",),
    "contracts": ("executed_date",),
    "evaluations": ("completed_date",),
    "engagements": ("engagement_date",),
}
TABLE_NAMES = {"solicitations": "Solicitations", "payments": "Payments", "contracts": "Contracts",
               "evaluations": "Vendor evaluations", "engagements": "Market research"}
# A table whose last date is this many days before the data-through date is named on every page.
LAG_DAYS = 31
WINDOWS = ("ytd", "12m")
WINDOW_LABELS = {"ytd": "Year to date", "12m": "Last 12 months"}


def _last_day(frame: pd.DataFrame, columns: tuple[str, ...], cap: np.datetime64) -> np.datetime64 | None:
    last = None
    for col in columns:
        if col not in frame.columns or not len(frame):
            continue
        days = P.to_days(frame[col])
        days = days[~np.isnat(days) & (days <= cap)]
        if len(days):
            d = days.max()
            last = d if last is None or d > last else last
    return last


def table_ends(tables, today: dt.date | None = None) -> dict[str, dt.date]:
    """The last activity date of each table that has one (dates after today are typos, not data)."""
    cap = np.datetime64(today or P.today(), "D")
    if hasattr(tables, "last_dates"):  # tables in a database (kpi.sql.Source): one MAX query per table there
        return tables.last_dates(ACTIVITY_DATES, cap.astype(dt.date))
    out = {}
    for name, columns in ACTIVITY_DATES.items():
        frame = tables.get(name) if hasattr(tables, "get") else None
        if frame is None:
            continue
        d = _last_day(frame, columns, cap)
        if d is not None:
            out[name] = d.astype(dt.date)
    return out


def data_through(tables, settings: dict | None = None, today: dt.date | None = None) -> dt.date:
    """The as-of date: the workspace's `as_of` setting, else the latest activity date in any table, else today."""
    s = settings or {}
    if s.get("as_of"):
        day = P.as_day(s["as_of"])
        if not np.isnat(day):
            return day.astype(dt.date)
    ends = table_ends(tables, today)
    return max(ends.values()) if ends else (today or P.today())


def lagging_tables(tables, as_of: dt.date, today: dt.date | None = None) -> list[tuple[str, dt.date]]:
    """Tables whose data ends well before the as-of date: [('Payments', date(2026, 3, 31))]."""
    ends = table_ends(tables, today)
    cut = pd.Timestamp(as_of).date() - dt.timedelta(days=LAG_DAYS)
    return [(TABLE_NAMES.get(t, t.title()), d) for t, d in ends.items() if d < cut]


def lag_notes(tables, as_of: dt.date, today: dt.date | None = None) -> list[str]:
    """'Payments end 31 Mar 2026' for each lagging table."""
    return [f"{name} end {format_date(d)}" for name, d in lagging_tables(tables, as_of, today)]


@dataclass(frozen=True)
class Period:
    """What a view shows and what it is compared with (both ranges inclusive).

    kind: 'ytd' (a fiscal year to the as-of date), 'fiscal_year' (a complete fiscal year) or '12m' (the twelve
    months to the as-of date). `fy_start_month` is the fiscal calendar whose years are these periods ('12m'
    uses the calendar whose year ends in the as-of month, so that the period is one year of it)."""

    kind: str
    fiscal_year: int
    start: dt.date
    end: dt.date
    comparison_start: dt.date
    comparison_end: dt.date
    fy_start_month: int
    label: str
    comparison_label: str

    @property
    def range_text(self) -> str:
        return format_month_range(self.start, self.end)

    @property
    def comparison_range_text(self) -> str:
        return format_month_range(self.comparison_start, self.comparison_end)

    @property
    def in_sentence(self) -> str:
        """The label inside a sentence: 'FY2026 year to date', 'the 12 months to May 2026'."""
        return f"the {self.label}" if self.kind == "12m" else self.label

    @property
    def describe(self) -> str:
        """'FY2026 year to date (Jul 2025 – May 2026), compared with the same months of FY2025'."""
        return f"{self.label} ({self.range_text}), compared with {self.comparison_label}"

    @property
    def code_label(self) -> str:
        """The engine's label of this period in its own fiscal calendar ('FY2026')."""
        return f"FY{P.fiscal_year(np.array([np.datetime64(self.end, 'D')]), self.fy_start_month)[0]}"

    @property
    def comparison_code_label(self) -> str:
        return f"FY{P.fiscal_year(np.array([np.datetime64(self.comparison_end, 'D')]), self.fy_start_month)[0]}"


def _year_before(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def fiscal_year_bounds(fiscal_year: int, fy_start_month: int = 7) -> tuple[dt.date, dt.date]:
    start = P.period_start(np.array([int(fiscal_year) - 1970]), "year", fy_start_month)[0].astype(dt.date)
    end = P.period_end(np.array([int(fiscal_year) - 1970]), "year", fy_start_month)[0].astype(dt.date)
    return start, end


def fiscal_year_of(day, fy_start_month: int = 7) -> int:
    return int(P.fiscal_year(np.array([P.as_day(day)]), fy_start_month)[0])


def fiscal_year_period(fiscal_year: int, as_of, fy_start_month: int = 7) -> Period:
    """A fiscal year: to date (and compared with the same months of the year before) when it holds the as-of
    date, else the whole year compared with the whole year before."""
    as_of = pd.Timestamp(as_of).date()
    start, end = fiscal_year_bounds(fiscal_year, fy_start_month)
    prev_start, prev_end = fiscal_year_bounds(fiscal_year - 1, fy_start_month)
    if start <= as_of < end:
        return Period("ytd", fiscal_year, start, as_of, prev_start, _year_before(as_of), fy_start_month,
                      f"FY{fiscal_year} year to date", f"the same months of FY{fiscal_year - 1}")
    return Period("fiscal_year", fiscal_year, start, end, prev_start, prev_end, fy_start_month,
                  f"FY{fiscal_year}", f"FY{fiscal_year - 1}")


def rolling_period(as_of, fy_start_month: int = 7) -> Period:
    """The twelve months to the as-of date (from the first of the month eleven months before), compared with
    the twelve months before them."""
    as_of = pd.Timestamp(as_of).date()
    month0 = (as_of.replace(day=1) - pd.DateOffset(months=11)).date()
    calendar = as_of.month % 12 + 1  # a fiscal calendar whose year ends in the as-of month
    return Period("12m", fiscal_year_of(as_of, fy_start_month), month0, as_of, _year_before(month0),
                  _year_before(as_of), calendar, f"12 months to {format_month(as_of)}",
                  f"the 12 months to {format_month(_year_before(as_of))}")


def default_period(as_of, fy_start_month: int = 7) -> Period:
    """The fiscal year holding the as-of date, to date, compared like for like with the year before."""
    return fiscal_year_period(fiscal_year_of(as_of, fy_start_month), as_of, fy_start_month)


def resolve_period(as_of, fiscal_years=(), window: str | None = "ytd", fy_start_month: int = 7) -> Period:
    """The period of a view: the last 12 months (window '12m'), else the latest chosen fiscal year (to date
    when it holds the as-of date), else the fiscal year to date."""
    if window == "12m":
        return rolling_period(as_of, fy_start_month)
    if fiscal_years:
        return fiscal_year_period(max(int(y) for y in fiscal_years), as_of, fy_start_month)
    return default_period(as_of, fy_start_month)


def as_of_line(as_of, tables=None, today: dt.date | None = None) -> str:
    """'Data through 31 May 2026 · Payments end 31 Mar 2026' for the top of a page, a slide or a chart."""
    parts = [f"Data through {format_date(as_of)}"]
    if tables is not None:
        parts += lag_notes(tables, as_of, today)
    return " · ".join(parts)


__all__ = ["Period", "data_through", "table_ends", "lagging_tables", "lag_notes", "default_period",
           "fiscal_year_period", "rolling_period", "resolve_period", "as_of_line", "fiscal_year_bounds",
           "ACTIVITY_DATES", "WINDOWS", "WINDOW_LABELS"]
