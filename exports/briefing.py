"""Prepare a briefing from canonical tables: the scorecard, one KPI slide each, pipeline, appendix.

prepare_briefing computes everything once; briefing_pptx, briefing_xlsx and charts_zip only lay it out.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import math
import zipfile
from collections.abc import Iterable, Mapping

import pandas as pd

import charts
from charts.formats import format_value

from .excel import excel_workbook, scorecard_frame
from .model import Briefing, KpiSlide
from .render import chart_bytes, chart_file_name, file_stem, with_source_note
from .slide_text import goal_source, on_slide

SLIDE_CHART_W, SLIDE_CHART_H = 600, 330  # CSS px: the picture fills 8.75 in, so 14 px type reads ~11 pt
EXPORT_CHART_W, EXPORT_CHART_H = 760, 340
PIPELINE_CHART_W = 900
TREND_PERIODS = {"year": 6, "quarter": 8, "month": 13}
DATE_COLUMNS = {
    "payments": ("payment_date",),
    "solicitations": ("award_date", "issue_date", "due_date", "requisition_date"),
    "contracts": ("executed_date", "start_date"),
    "evaluations": ("completed_date",),
    "bids": (),
    "engagements": ("engagement_date",),
}


class BriefingError(ValueError):
    """Bad input for a briefing (unknown KPI id, impossible period): the message says which and why."""


# ---------------------------------------------------------------- dates and periods


def data_through(tables: Mapping[str, pd.DataFrame], as_of: dt.date | None = None) -> dt.date:
    """The latest activity date in the data, no later than as_of (default today): kpi.now's, the app's "now"."""
    from kpi.now import data_through as latest_activity

    return latest_activity(tables, today=pd.Timestamp(as_of or dt.date.today()).date())


def data_from(tables: Mapping[str, pd.DataFrame]) -> dt.date | None:
    """The earliest activity date in the data (None when there is none); of a kpi.sql Source (a workspace's
    Parquet files or a database), asked of it with one MIN query per table."""
    first = None
    if hasattr(tables, "con") and hasattr(tables, "table"):
        from kpi.sql.engine import fetch

        for table, cols in DATE_COLUMNS.items():
            t = tables.table(table)
            cols = [c for c in cols if t is not None and c in t.columns]
            if not cols:
                continue
            row = fetch(t.aggregate(**{c: (t[c] if t[c].type().is_date() else t[c].cast("date")).min()
                                       for c in cols})).iloc[0]
            for v in row.tolist():
                if v is not None and not pd.isna(v):
                    m = pd.Timestamp(v)
                    first = m if first is None or m < first else first
        return None if first is None else first.date()
    for table, cols in DATE_COLUMNS.items():
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        for c in cols:
            if c in frame.columns:
                s = pd.to_datetime(frame[c], errors="coerce")
                if s.notna().any():
                    m = s.min()
                    first = m if first is None or m < first else first
    return None if first is None else first.date()


def fiscal_year_of(day: dt.date, fy_start_month: int) -> int:
    """FY2026 with a July start runs 1 Jul 2025 to 30 Jun 2026."""
    return day.year + 1 if fy_start_month > 1 and day.month >= fy_start_month else day.year


def period_bounds(fy: int, quarter: int | None, fy_start_month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a fiscal year, or of one of its quarters (1-4)."""
    start = dt.date(fy - 1 if fy_start_month > 1 else fy, fy_start_month, 1)
    months = 12
    if quarter is not None:
        if quarter not in (1, 2, 3, 4):
            raise BriefingError(f"quarter must be 1, 2, 3 or 4, not {quarter}")
        start = (pd.Timestamp(start) + pd.DateOffset(months=3 * (quarter - 1))).date()
        months = 3
    end = (pd.Timestamp(start) + pd.DateOffset(months=months) - pd.Timedelta(days=1)).date()
    return start, end


def period_label(fy: int, quarter: int | None) -> str:
    return f"FY{fy}" + (f" Q{quarter}" if quarter else "")


# ---------------------------------------------------------------- the KPI engine, through its contract


def _kpi_module():
    import kpi

    return kpi


def _accepts(func, name: str) -> bool:
    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _int(x) -> int | None:
    v = _num(x)
    return None if v is None else int(v)


def _text(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or str(x) in ("nan", "None", "<NA>"):
        return ""
    return str(x)


def _status(x) -> str:
    s = _text(getattr(x, "value", x)).replace("_", " ").strip().lower()
    return s if s in ("met", "at risk", "missed", "no goal") else "no data"


def _scorecard(kpi, tables, goals, kpi_ids, filters, grain, fy_start_month, as_of, label,
               period=None) -> pd.DataFrame:
    """kpi.scorecard for the chosen KPIs and period (the same numbers as the app's Overview): a fiscal year is
    kpi.now's period (to date against the same months a year earlier while it runs), a quarter its label."""
    kwargs = dict(filters=filters, grain=grain, fy_start_month=fy_start_month, as_of=as_of)
    if period is not None:
        kwargs["period"] = period
    elif _accepts(kpi.scorecard, "period_label"):
        kwargs["period_label"] = label
    if _accepts(kpi.scorecard, "kpis"):
        kwargs["kpis"] = tuple(kpi_ids)
    card = kpi.scorecard(tables, goals, **kwargs)
    if "kpi_id" in card.columns:
        card = card.set_index("kpi_id", drop=False)
        card = card.loc[[k for k in kpi_ids if k in card.index]].reset_index(drop=True)
    return card


def resolve_kpis(kpi_ids: Iterable[str] | None) -> list[str]:
    """The chosen KPI ids (default: the scorecard's), checked against the registry."""
    kpi = _kpi_module()
    ids = list(kpi_ids) if kpi_ids else list(kpi.SCORECARD)
    unknown = [k for k in ids if k not in kpi.KPIS]
    if unknown:
        raise BriefingError(f"unknown KPI id {', '.join(unknown)}; known ids: {', '.join(kpi.KPIS)}")
    if not ids:
        raise BriefingError("no KPI chosen")
    return list(dict.fromkeys(ids))


# ---------------------------------------------------------------- prepare


def prepare_briefing(
    tables: Mapping[str, pd.DataFrame],
    goals: pd.DataFrame | None = None,
    settings: Mapping | None = None,
    *,
    imports: pd.DataFrame | None = None,
    kpis: Iterable[str] | None = None,
    fy: int | None = None,
    quarter: int | None = None,
    filters=None,
    comparison: str = "last_year",
    as_of: dt.date | None = None,
    filters_text: str = "",
) -> Briefing:
    """Compute a briefing for fiscal year `fy` (default: the latest in the data) or one of its quarters.

    `kpis`: KPI ids, one slide each (default kpi.SCORECARD). `filters`: kpi.Filters for the scope
    (departments...). `comparison`: "last_year" or "previous" (period). `as_of`: the data-through cap
    (default: the settings' as_of, which the sample city sets, else today). `imports`: Workspace.imports() for
    the data-quality appendix. Raises BriefingError for an unknown KPI or a period after the data.
    """
    kpi = _kpi_module()
    settings = dict(settings or {})
    ids = resolve_kpis(kpis)
    fy_start = int(settings.get("fiscal_year_start_month") or 7)
    cap = _as_of(settings, as_of)
    through = data_through(tables, cap)
    latest_fy = fiscal_year_of(through, fy_start)
    fy = int(fy) if fy is not None else latest_fy
    if fy > latest_fy:
        raise BriefingError(
            f"FY{fy} is after the data, which runs through {through:%-d %b %Y} (FY{latest_fy})"
        )
    if quarter is not None:
        quarter = int(quarter)
    start, end = period_bounds(fy, quarter, fy_start)
    if start > through:
        raise BriefingError(f"{period_label(fy, quarter)} starts after the data ends ({through:%-d %b %Y})")
    first = data_from(tables)
    if first is not None and end < first:
        raise BriefingError(f"{period_label(fy, quarter)} ends before the data starts ({first:%-d %b %Y})")
    period_as_of = min(end, through)  # "now" is the data-through date, never a day past the data
    partial = end > through
    grain = "quarter" if quarter else "year"
    label = period_label(fy, quarter)
    filters = filters if filters is not None else kpi.Filters()

    from kpi.now import fiscal_year_period

    period = fiscal_year_period(fy, through, fy_start) if quarter is None else None
    card = _scorecard(kpi, tables, goals, ids, filters, grain, fy_start, period_as_of, label, period)
    by_id = {str(r["kpi_id"]): r for _, r in card.iterrows()} if "kpi_id" in card else {}
    office = _text(settings.get("office_name")) or "Procurement office"
    source = _source_note(office, settings, through)

    slides = []
    for kpi_id in ids:
        k = kpi.KPIS[kpi_id]
        result = kpi.compute(
            kpi_id, tables, filters=filters, grain=grain, fy_start_month=fy_start, as_of=period_as_of
        )
        result = _trim(result, TREND_PERIODS[grain])
        row = by_id.get(kpi_id)
        slides.append(_slide(k, result, row, label, partial, through, source, comparison))

    pipeline, pipe_chart, pipe_msg = _pipeline(kpi, tables, cap if not partial else through, through)
    perf = _performance(kpi, tables, filters, grain, fy_start, period_as_of, label)
    return Briefing(
        office_name=office,
        period_label=label,
        period_note=f"partial {'quarter' if quarter else 'year'}" if partial else "",
        as_of=through,
        scorecard=card,
        slides=slides,
        brand_color=_text(settings.get("brand_color")) or "#1F4E79",
        logo_path=_text(settings.get("logo_path")) or None,
        filters_text=filters_text,
        comparison=comparison if comparison in ("last_year", "previous") else "last_year",
        pipeline=pipeline,
        pipeline_chart=pipe_chart,
        pipeline_message=pipe_msg,
        data_quality=_data_quality(imports),
        definitions=_definitions(slides),
        source_note=source,
        sample_data=bool(settings.get("sample_data")),
        **perf,
    )


def _performance(kpi, tables, filters, grain, fy_start, as_of, label) -> dict:
    """The contract-performance slide's content: off-track key contracts at the period's as-of date, and the
    off-track share and check-in rate of the period (None where the office has no such data)."""
    from kpi import performance as kp

    values = {}
    for kpi_id in ("offtrack_key_contract_share", "quarterly_checkin_rate"):
        res = kpi.compute(kpi_id, tables, filters=filters, grain=grain, fy_start_month=fy_start, as_of=as_of)
        row = None if res.no_data else res.at(label)
        values[kpi_id] = (None if row is None or pd.isna(row["value"]) else float(row["value"]),
                          None if row is None else (int(round(row["numerator"])), int(row["n"])))
    off, counts = values["offtrack_key_contract_share"]
    rate, _ = values["quarterly_checkin_rate"]
    status = kp.metric_status(tables, as_of=as_of)
    keyed = kp.key_contracts(tables, as_of=as_of, fy_start_month=fy_start)
    status = status[(status["status"] == kp.OFF_TRACK) & status["contract_id"].isin(set(keyed["contract_id"]))]
    info = keyed.set_index("contract_id")
    rows = pd.DataFrame({
        "contract": [f"{c} · {_text(info.loc[c, 'title'])}".strip(" ·") for c in status["contract_id"]],
        "vendor": [_text(info.loc[c, "vendor_name"]) for c in status["contract_id"]],
        "metric": status["metric_name"].astype(str),
        "latest": [kp.format_metric(v, u, t) for v, u, t in zip(status["latest_value"], status["unit"],
                                                                 status["target"], strict=True)],
        "target": [kp.format_target(t, u, d) for t, u, d in zip(status["target"], status["unit"],
                                                                 status["direction"], strict=True)],
        "last_checkin": [info.loc[c, "last_checkin_date"] for c in status["contract_id"]],
    })
    parts = []
    if off is not None:
        parts.append(f"{counts[0]} of {counts[1]} key contracts with results are off track in {label}")
    if rate is not None:
        parts.append(f"vendors were met in {format_value(rate, 'share')} of key-contract quarters")
    if parts:
        message = "; ".join(parts)
        message = message[0].upper() + message[1:]
    else:
        message = ("No contract performance data: import key contracts' metrics, results and check-ins, or record "
                   "them on the Contract performance page")
    return {"performance": rows, "performance_message": message, "offtrack_share": off, "checkin_rate": rate,
            "performance_counts": counts or (0, 0)}


def _as_of(settings: Mapping, as_of) -> dt.date:
    """The cap on the data: given, else the workspace's as_of setting (the sample city stores its own), else
    today; the data's own last date within it is the deck's "data through" (see data_through)."""
    if as_of is not None:
        return pd.Timestamp(as_of).date()
    if settings.get("as_of"):
        return pd.Timestamp(settings["as_of"]).date()
    return dt.date.today()


def _source_note(office: str, settings: Mapping, through: dt.date) -> str:
    what = "Sample city data (not real figures)" if settings.get("sample_data") else f"{office} records"
    return f"Source: {what}, data through {through:%-d %b %Y}. Procurement KPI Dashboard."


def _trim(result, periods: int):
    """Keep the last `periods` periods with records, for a readable trend."""
    f = result.frame
    if f is None or f.empty or "period_start" not in f:
        return result
    has = f[f["n"] > 0] if "n" in f else f
    if has.empty:
        return result
    starts = sorted(has["period_start"].unique())[-periods:]
    f = f[(f["period_start"] >= starts[0]) & (f["period_start"] <= starts[-1])]
    try:
        import dataclasses

        return dataclasses.replace(result, frame=f.reset_index(drop=True))
    except TypeError:
        result.frame = f.reset_index(drop=True)
        return result


def _goal_of(row, k):
    if row is not None and _num(row.get("target")) is not None:
        return {
            "target": _num(row.get("target")),
            "at_risk": _num(row.get("at_risk")),
            "source": _text(row.get("goal_source")),
        }
    g = getattr(k, "goal", None)
    return {
        "target": _num(getattr(g, "target", None)),
        "at_risk": _num(getattr(g, "at_risk", None)),
        "source": _text(getattr(g, "source", "")),
    }


def _slide(k, result, row, label, partial, through, source, comparison) -> KpiSlide:
    unit, direction = getattr(k, "unit", None), getattr(k, "direction", None)
    goal = _goal_of(row, k)
    frame = result.frame if result.frame is not None else pd.DataFrame()
    current = frame[frame["period_label"].astype(str) == label] if len(frame) else frame
    cur = current.iloc[-1] if len(current) else None
    value = _num(row.get("value")) if row is not None else (_num(cur["value"]) if cur is not None else None)
    n = (
        _int(row.get("n"))
        if row is not None and row.get("n") is not None
        else (_int(cur["n"]) if cur is not None else None)
    )
    excluded = (
        _int(row.get("excluded"))
        if row is not None and "excluded" in row
        else (_int(cur["excluded"]) if cur is not None and "excluded" in cur else None)
    )
    labels = list(frame["period_label"].astype(str)) if len(frame) else []
    prev_label = labels[labels.index(label) - 1] if label in labels and labels.index(label) > 0 else ""
    yoy_label = _year_before(label)
    if row is not None:
        prev_label = _text(row.get("prev_label")) or prev_label
        yoy_label = _text(row.get("yoy_label")) or yoy_label
        # A year to date is compared with the same months a year earlier: the slide names them so.
        compared = _text(row.get("comparison_name"))
        if compared and compared != yoy_label:
            compared = compared[0].upper() + compared[1:]
            prev_label = compared if prev_label == yoy_label else prev_label
            yoy_label = compared
    status = _status(row.get("status")) if row is not None else "no data"
    if value is None:
        status = "no data"
    sentence = _text(row.get("sentence")) if row is not None else ""
    if not sentence:
        sentence = (
            f"{k.title}: {format_value(value, unit)} in {label}"
            if value is not None
            else f"{k.title}: no data for {label}"
        )
    missing = tuple(str(m) for m in (getattr(result, "missing", ()) or ()))
    goal_line = charts.goal_text(goal, unit, direction)
    source_words = goal_source(k, goal["target"], goal["at_risk"], goal["source"])
    subtitle = [on_slide(getattr(k, "definition", ""))]
    subtitle.append(" · ".join(x for x in (goal_line, f"data through {through:%-d %b %Y}") if x))
    slide_chart = charts.trend(
        result,
        goal if goal["target"] is not None else False,
        title="",
        width=SLIDE_CHART_W,
        height=SLIDE_CHART_H,
    )
    export_chart = with_source_note(
        charts.trend(
            result,
            goal if goal["target"] is not None else False,
            title=k.title,
            subtitle=subtitle,
            width=EXPORT_CHART_W,
            height=EXPORT_CHART_H,
        ),
        f"{source} Goal source: {on_slide(source_words)}.",
    )
    return KpiSlide(
        kpi_id=k.id,
        title=k.title,
        theme=_text(getattr(k, "theme", "")).replace("_", " ").capitalize(),
        definition=_text(getattr(k, "definition", "")),
        formula=_text(getattr(k, "formula", "")),
        unit=unit,
        direction=direction,
        period_label=label,
        value=value,
        status=status,
        sentence=sentence,
        n=n,
        excluded=excluded,
        partial=bool(partial),
        target=goal["target"],
        at_risk=goal["at_risk"],
        goal_source=source_words,
        prev_label=prev_label,
        prev_value=_num(row.get("prev_value")) if row is not None else None,
        yoy_label=yoy_label,
        yoy_value=_num(row.get("yoy_value")) if row is not None else None,
        missing=missing,
        chart=slide_chart,
        export_chart=export_chart,
        trend=frame,
        file_name=file_stem(k.id, label),
    )


def _year_before(label: str) -> str:
    import re

    m = re.match(r"FY(\d{4})(.*)", label)
    return f"FY{int(m.group(1)) - 1}{m.group(2)}" if m else ""


def _pipeline(kpi, tables, as_of, through):
    try:
        from kpi import contracts as kc

        pipe = kc.expiring_pipeline(tables, as_of=through)
    except Exception:  # noqa: BLE001 - no contracts table, or the engine lacks it: the slide says so
        return (
            None,
            charts.message_chart(
                "No contract data: import a contract list", title="", width=PIPELINE_CHART_W
            ),
            "Contract pipeline: no contract data",
        )
    if pipe is None or pipe.empty:
        return (
            pipe,
            charts.message_chart("No contracts end in the next 18 months", title="", width=PIPELINE_CHART_W),
            "No contracts end in the next 18 months",
        )
    chart = charts.pipeline_timeline(pipe, as_of=through, title="", width=PIPELINE_CHART_W)
    ends = pd.to_datetime(pipe["end_date"], errors="coerce")
    within = ends <= pd.Timestamp(through) + pd.Timedelta(days=548)
    total = int(within.sum())
    action = pipe["action"].astype(str).str.lower() if "action" in pipe else pd.Series("", index=pipe.index)
    now = int((within & action.str.contains("re-procurement now")).sum())
    decide = int((within & action.str.startswith("decide")).sum())
    msg = f"{total:,} contract{'s' if total != 1 else ''} end in the next 18 months"
    parts = []
    if now:
        parts.append(f"{now:,} need{'s' if now == 1 else ''} a re-procurement started now")
    if decide:
        parts.append(f"{decide:,} need{'s' if decide == 1 else ''} a renew-or-re-procure decision")
    if parts:
        msg += "; " + " and ".join(parts)
    return pipe, chart, msg


def _data_quality(imports: pd.DataFrame | None) -> pd.DataFrame | None:
    if imports is None or len(imports) == 0:
        return None
    d = imports
    if "status" in d:
        d = d[d["status"].astype(str) == "current"]
    cols = [
        c
        for c in ("source", "sheet", "table", "rows_read", "rows_loaded", "rows_excluded", "imported_at")
        if c in d
    ]
    return d[cols].reset_index(drop=True)


def _definitions(slides: list[KpiSlide]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "kpi_id": s.kpi_id,
                "title": s.title,
                "definition": s.definition,
                "formula": s.formula,
                "goal": charts.goal_text({"target": s.target, "at_risk": s.at_risk}, s.unit, s.direction)
                or "No goal set",
                "goal_source": s.goal_source,
            }
            for s in slides
        ]
    )


# ---------------------------------------------------------------- the other outputs


def briefing_xlsx(b: Briefing) -> bytes:
    """The briefing's numbers as a workbook: scorecard, KPI values by period, pipeline, definitions, imports."""
    trends = []
    for s in b.slides:
        if s.trend is not None and len(s.trend):
            t = s.trend.copy()
            t.insert(0, "kpi_id", s.kpi_id)
            t.insert(1, "title", s.title)
            t["unit"] = s.unit
            trends.append(t)
    trend = pd.concat(trends, ignore_index=True) if trends else pd.DataFrame()
    keep = [
        c
        for c in (
            "title",
            "kpi_id",
            "period_label",
            "period_start",
            "period_end",
            "value",
            "p90",
            "n",
            "excluded",
            "partial",
            "unit",
        )
        if c in trend
    ]
    trend = trend[keep].rename(columns={"title": "KPI"}) if keep else trend
    sheets = {"Scorecard": _scorecard_sheet(b), "KPI values by period": trend}
    if b.pipeline is not None and len(b.pipeline):
        sheets["Contract pipeline"] = b.pipeline
    if b.definitions is not None:
        sheets["Definitions"] = b.definitions.rename(columns={"title": "KPI"})
    if b.data_quality is not None:
        sheets["Data quality"] = b.data_quality
    about = {
        "Office": b.office_name,
        "Period": b.period_label + (f" ({b.period_note})" if b.period_note else ""),
        "Data through": f"{b.as_of:%-d %B %Y}",
        "Prepared": f"{b.generated:%-d %B %Y}",
        "Scope": b.filters_text or "All departments, categories and methods",
        "Source": b.source_note,
        "Note": "Text that a spreadsheet could run as a formula is prefixed with an apostrophe.",
    }
    return excel_workbook(
        sheets, about=about, header_fill=b.brand_color.lstrip("#") if b.brand_color else "1F4E79"
    )


def _scorecard_sheet(b: Briefing) -> pd.DataFrame:
    if b.scorecard is not None and len(b.scorecard):
        return scorecard_frame(b.scorecard)
    return pd.DataFrame(
        [
            {
                "KPI": s.title,
                "period_label": s.period_label,
                "value": s.value,
                "target": s.target,
                "at_risk": s.at_risk,
                "status": s.status,
                "n": s.n,
                "unit": s.unit,
                "kpi_id": s.kpi_id,
            }
            for s in b.slides
        ]
    )


def charts_zip(b: Briefing, fmt: str = "png") -> bytes:
    """A zip of every KPI chart (title, subtitle, source note) named <kpi_id>_<period>.<fmt>, plus the pipeline."""
    from .deck import render_pngs

    jobs = {
        chart_file_name(s.kpi_id, s.period_label, fmt): s.export_chart
        for s in b.slides
        if s.export_chart is not None
    }
    if b.pipeline_chart is not None:
        pipe = with_source_note(
            charts.pipeline_timeline(b.pipeline, as_of=b.as_of, width=EXPORT_CHART_W)
            if b.pipeline is not None and len(b.pipeline)
            else b.pipeline_chart,
            b.source_note,
        )
        jobs[chart_file_name("contract_pipeline", b.period_label, fmt)] = pipe
    rendered = render_pngs(jobs) if fmt == "png" else {name: chart_bytes(c, fmt) for name, c in jobs.items()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in rendered.items():
            z.writestr(name, data)
    return buf.getvalue()


def briefing_from_workspace(ws, **kwargs) -> Briefing:
    """prepare_briefing on a storage.workspace.Workspace: its tables (read in place by embedded DuckDB, as the
    app reads them), goals, settings and import history."""
    from kpi.sql.source import Source

    return prepare_briefing(Source.from_workspace(ws), ws.goals(), ws.settings(), imports=ws.imports(), **kwargs)
