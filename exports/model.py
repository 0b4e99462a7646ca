"""What a briefing holds, computed once and shared by the deck, the workbook and the chart zip."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class KpiSlide:
    """One KPI for one period: the numbers, the message and its charts."""

    kpi_id: str
    title: str
    theme: str
    definition: str
    formula: str
    unit: str
    direction: str | None
    period_label: str
    value: float | None
    status: str  # "met" | "at risk" | "missed" | "no data"
    sentence: str
    n: int | None = None
    excluded: int | None = None
    partial: bool = False
    target: float | None = None
    at_risk: float | None = None
    goal_source: str = ""
    prev_label: str = ""
    prev_value: float | None = None
    yoy_label: str = ""
    yoy_value: float | None = None
    missing: tuple[str, ...] = ()
    chart: object = None  # slide version (no title: the slide has one)
    export_chart: object = (
        None  # stand-alone version: title, subtitle (definition, goal, data through), source
    )
    trend: pd.DataFrame | None = None  # the KPI by period, for the workbook
    file_name: str = ""  # "<kpi_id>_<period>", without extension (add .png, .svg or .pdf)


@dataclass
class Briefing:
    """Everything the deck, the workbook and the chart zip need; built by prepare_briefing."""

    office_name: str
    period_label: str  # "FY2026" or "FY2026 Q2"
    as_of: dt.date
    scorecard: pd.DataFrame
    slides: list[KpiSlide]
    title: str = "Procurement performance briefing"
    period_note: str = ""  # "partial year: data through 26 Nov 2025"
    generated: dt.date = field(default_factory=dt.date.today)
    brand_color: str = "#1F4E79"
    logo_path: str | None = None
    filters_text: str = ""
    comparison: str = "last_year"  # or "previous"
    pipeline: pd.DataFrame | None = None
    pipeline_chart: object = None
    pipeline_message: str = ""
    data_quality: pd.DataFrame | None = (
        None  # per import: source, sheet, table, rows_read, rows_loaded, rows_excluded
    )
    definitions: pd.DataFrame | None = None  # kpi_id, title, definition, formula, goal, goal_source
    source_note: str = ""
    sample_data: bool = False
    # Contract performance: the off-track key contracts (contract, vendor, metric, latest, target, last check-in),
    # the headline and the two KPI values (None: no data), or what to import.
    performance: pd.DataFrame | None = None
    performance_message: str = ""
    offtrack_share: float | None = None
    checkin_rate: float | None = None
    performance_counts: tuple[int, int] = (0, 0)  # key contracts off track, key contracts with results
