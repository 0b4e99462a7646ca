"""docs/kpis.md, generated from the registry (a test keeps the file and the registry in step)."""

from __future__ import annotations

from pathlib import Path

from .format import format_goal_value as format_value
from .registry import KPIS, SCORECARD, THEMES
from .settings import (
    CYCLE_TIME_BANDS,
    CYCLE_TIME_GOALS,
    ENGAGEMENT_THRESHOLD,
    EXPIRING_WINDOWS,
    FIRST_TIME_LOOKBACK_YEARS,
    LOW_SCORE,
    ON_TIME_PAYMENT_DAYS,
)

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "kpis.md"
_DIRECTION = {"higher": "higher is better", "lower": "lower is better", None: "context only"}


def _goal(k) -> str:
    g = k.goal
    if g is None or g.target is None:
        return "none (context; an office may set one)"
    limit = "at most" if k.direction == "lower" else "at least"
    text = f"target {format_value(g.target, k.unit)}, at risk {limit} {format_value(g.at_risk, k.unit)}"
    return f"{text} (both inclusive). Source: {g.source}"


def render() -> str:
    """The whole document."""
    lines = [
        "# KPI definitions",
        "",
        "Generated from `kpi/registry.py` by `python -m kpi docs`; do not edit by hand (a test compares them).",
        "Every KPI is one registry entry and one definition in `kpi/sql/measures.py`; its id never changes (goals",
        "files, exports and tests key on it). Each value carries `n` (records used) and the records excluded with",
        "their reasons, and can be drilled down to those records.",
        "",
        "**Conventions.** Periods are fiscal: months, fiscal quarters and fiscal years from the office's start",
        "month (July by default: FY2026 = 1 Jul 2025 - 30 Jun 2026, FY2026 Q1 = Jul-Sep 2025). A period not over",
        "at the as-of date is partial; records dated after the as-of date are left out. Durations are medians",
        "(with the 90th percentile). Shares carry their denominator count `n`. Goals: a target and an at-risk",
        "limit, both inclusive; status is met, at risk, missed, no data (no value) or no goal. Vendors are",
        "matched by id, else by normalised name (lower case, accents, punctuation and suffixes such as Inc,",
        "LLC, Co removed: 'Café Verde Catering' = 'CAFE VERDE CATERING LLC'). Competitive methods: invitation for bid, request for proposals, request for quotes;",
        "non-competitive: sole source, emergency, exempt.",
        "",
        "**Settings used by the definitions** (kpi/settings.py): on time = paid within "
        f"{ON_TIME_PAYMENT_DAYS} days; first-time look-back = {FIRST_TIME_LOOKBACK_YEARS} fiscal years; "
        f"engagement threshold = ${ENGAGEMENT_THRESHOLD:,.0f}; expiring windows = "
        f"{', '.join(str(w) for w in EXPIRING_WINDOWS)} days; a 0-1 evaluation score below {LOW_SCORE} is below "
        "satisfactory.",
        "",
        "**Cycle-time goals** (days from requisition to award, for `within_cycle_goal_share`): value bands "
        f"under ${CYCLE_TIME_BANDS[0]:,.0f}, ${CYCLE_TIME_BANDS[0]:,.0f} to under ${CYCLE_TIME_BANDS[1]:,.0f}, "
        f"${CYCLE_TIME_BANDS[1]:,.0f} and over.",
        "",
        "| method | small | medium | large |",
        "|---|---|---|---|",
    ]
    lines += [f"| {m} | {a} | {b} | {c} |" for m, (a, b, c) in CYCLE_TIME_GOALS.items()]
    lines += ["", "## Leadership scorecard", ""]
    lines += [f"{i}. [{KPIS[k].title}](#{k}) (`{k}`)" for i, k in enumerate(SCORECARD, start=1)]
    for theme in THEMES:
        lines += ["", f"## {theme}", ""]
        for k in (k for k in KPIS.values() if k.theme == theme):
            lines += [
                f'### <a id="{k.id}"></a>{k.title} (`{k.id}`)',
                "",
                f"**Definition.** {k.definition}",
                "",
                f"**Formula.** {k.formula}",
                "",
                f"**Unit and direction.** {k.unit}, {_DIRECTION[k.direction]}.",
                "",
                f"**Default goal.** {_goal(k)}.",
                "",
                f"**Data used.** {', '.join(f'`{n}`' for n in k.needs)} (a `|` means either column).",
                "",
                f"**Breakdowns.** {', '.join(k.breakdowns) or 'none'}.",
                "",
                f"**Worked example.** {k.example}",
                "",
                f"**Why it matters.** {k.why}",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def write(path: Path = DOC_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path
