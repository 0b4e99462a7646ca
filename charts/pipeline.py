"""The expiring-contract pipeline as a timeline: end date across, needed action down (no streamlit)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from kpi.settings import EXPIRING_WINDOWS

from . import theme as th
from .formats import format_value
from .kpi_charts import _check_rows, _title, message_chart, quiet_tooltips

HORIZON_DAYS = 548  # 18 months
DOT_LIMIT = 400  # above this many contracts, draw monthly stacked bars instead of one dot each
WINDOW_MARKS = tuple((d, "1 year" if d == 365 else f"{d} days") for d in EXPIRING_WINDOWS)


def _as_of(df: pd.DataFrame, as_of) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    if "days_left" in df and df["days_left"].notna().any():
        implied = (df["end_date"] - pd.to_timedelta(df["days_left"], unit="D")).dropna()
        if len(implied):
            return pd.Timestamp(implied.mode().iloc[0]).normalize()
    return pd.Timestamp.today().normalize()


# The engine's actions (kpi.contracts.expiring_pipeline), most urgent first, with a colour each; any other
# action text gets a rank by its words and a colour from the rest of the palette.
ACTION_RULES = (
    ("re-procurement now", 0, "#D55E00"),  # vermillion: act now
    ("decide: renew", 1, "#E69F00"),  # orange
    ("renew", 2, "#0072B2"),  # blue
    ("plan", 3, "#56B4E9"),  # sky blue
    ("expire", 4, "#CC79A7"),  # reddish purple
    ("under way", 5, "#009E73"),  # bluish green: in hand
)


def action_rank(action: str) -> int:
    """0 for the most urgent action ('start re-procurement now') to 5 ('replacement under way')."""
    text = str(action).lower()
    return next((rank for key, rank, _ in ACTION_RULES if key in text), 3)


def action_order(df: pd.DataFrame) -> list[str]:
    """Actions ordered by urgency, then by the soonest end date."""
    first = df.groupby("action")["end_date"].min()
    return sorted(first.index.astype(str), key=lambda a: (action_rank(a), first[a]))


def action_colors(order: list[str]) -> list[str]:
    spare = [c for c in th.OKABE_ITO if c not in {c for _, _, c in ACTION_RULES}] + list(th.OKABE_ITO)
    out = []
    for a in order:
        text = a.lower()
        color = next((c for key, _, c in ACTION_RULES if key in text and c not in out), None)
        out.append(color or spare.pop(0))
    return out


def wrap_label(text: str, width: int = 24) -> str:
    """Words joined into lines of about `width` characters, separated by '|' (split by the axis labelExpr)."""
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "|".join(lines[:4])


@quiet_tooltips
def pipeline_timeline(
    pipeline_df: pd.DataFrame,
    *,
    as_of=None,
    horizon_days: int = HORIZON_DAYS,
    title: str | None = "Contracts ending in the next 18 months",
    subtitle: str | Sequence[str] | None = None,
    width: int = 640,
    height: int | None = None,
) -> alt.LayerChart | alt.Chart:
    """Contracts ending within `horizon_days` of `as_of`: one dot per contract (size = current amount),
    coloured and laid out by the action it needs; over 400 contracts, monthly stacked bars instead.

    `pipeline_df` is kpi.contracts.expiring_pipeline's frame (end_date, action; days_left,
    current_amount, contract_id, title, vendor_name, department optional), or kpi.contracts.pipeline_months'
    (already summed by month and action: a `contracts` column; always bars). as_of defaults to the date
    implied by days_left, else today.
    """
    if pipeline_df is None or len(pipeline_df) == 0 or "end_date" not in pipeline_df:
        return message_chart("No contracts end in the next 18 months", title=title, width=width)
    df = pipeline_df.copy()
    df["end_date"] = pd.to_datetime(df["end_date"], errors="coerce")
    df = df[df["end_date"].notna()]
    if "action" not in df:
        df["action"] = "review"
    df["action"] = df["action"].fillna("review").astype(str)
    start = _as_of(df, as_of)
    end = start + pd.Timedelta(days=horizon_days)
    df = df[(df["end_date"] >= start) & (df["end_date"] <= end)]
    if df.empty:
        return message_chart("No contracts end in the next 18 months", title=title, width=width)
    order = action_order(df)
    color_scale = (
        alt.Scale(domain=order, range=action_colors(order)) if len(order) <= 8 else alt.Scale(domain=order)
    )
    color = alt.Color(
        "action:N",
        sort=order,
        title=None,
        scale=color_scale,
        legend=alt.Legend(orient="top", direction="horizontal", columns=min(len(order), 3), labelLimit=360),
    )
    monthly = "contracts" in df  # summed by the engine (kpi.contracts.pipeline_months)
    bars = monthly or len(df) > DOT_LIMIT
    if bars:
        start = start.to_period("M").to_timestamp()
    x_scale = alt.Scale(domain=[start.isoformat(), end.isoformat()])
    x_axis = alt.Axis(
        format="%b %Y",
        tickCount={"interval": "month", "step": 3},
        labelAngle=0,
        grid=True,
        gridColor="#EEEEEE",
    )
    marks = pd.DataFrame(
        {
            "date": [start + pd.Timedelta(days=d) for d, _ in WINDOW_MARKS],
            "label": [t for _, t in WINDOW_MARKS],
        }
    )

    if bars:
        if monthly:
            agg = df.assign(amount=df.get("current_amount", 0.0))[["month", "action", "contracts", "amount"]]
        else:
            df["month"] = df["end_date"].dt.to_period("M").dt.to_timestamp()
            agg = (
                df.assign(amount=df.get("current_amount", 0.0))
                .groupby(["month", "action"], as_index=False)
                .agg(contracts=("action", "size"), amount=("amount", "sum"))
            )
        agg["amount_text"] = [format_value(v, "dollars") for v in agg["amount"]]
        _check_rows(agg, "pipeline_timeline")
        h = height or 320
        body = (
            alt.Chart(agg)
            .mark_bar(opacity=0.9)
            .encode(
                x=alt.X("month:T", title=None, axis=x_axis, scale=x_scale, timeUnit="yearmonth"),
                y=alt.Y("contracts:Q", title="contracts ending", stack=True, axis=alt.Axis(format=",.0f")),
                color=color,
                order=alt.Order("action:N"),
                tooltip=[
                    alt.Tooltip("month:T", title="Month", format="%B %Y"),
                    alt.Tooltip("action:N", title="Action"),
                    alt.Tooltip("contracts:Q", title="Contracts", format=","),
                    alt.Tooltip("amount_text:N", title="Current amount"),
                ],
            )
        )
    else:
        keep = [
            c
            for c in (
                "contract_id",
                "title",
                "vendor_name",
                "department",
                "end_date",
                "days_left",
                "current_amount",
                "renewal_options_remaining",
                "action",
            )
            if c in df
        ]
        df = df[keep].copy()
        if "current_amount" not in df:
            df["current_amount"] = 0.0
        df["amount_text"] = [format_value(v, "dollars") for v in df["current_amount"]]
        df["end_text"] = df["end_date"].dt.strftime("%d %b %Y")
        # Deterministic spread within an action's row so dots ending the same week do not hide each other.
        df["jitter"] = ((np.arange(len(df)) * 0.6180339887) % 1.0) * 1.6 - 0.8
        h = height or max(70 * len(order), 160)
        labels = {a: wrap_label(a) for a in order}
        tooltip = [
            alt.Tooltip(f"{c}:N", title=t)
            for c, t in (
                ("contract_id", "Contract"),
                ("title", "Title"),
                ("vendor_name", "Vendor"),
                ("department", "Department"),
            )
            if c in df
        ]
        tooltip += [
            alt.Tooltip("end_text:N", title="Ends"),
            alt.Tooltip("amount_text:N", title="Current amount"),
            alt.Tooltip("action:N", title="Action"),
        ]
        if "days_left" in df:
            tooltip.insert(-2, alt.Tooltip("days_left:Q", title="Days left", format=","))
        body = (
            alt.Chart(df)
            .mark_circle(opacity=0.75, stroke="white", strokeWidth=1)
            .encode(
                x=alt.X("end_date:T", title=None, axis=x_axis, scale=x_scale),
                y=alt.Y(
                    "action:N",
                    sort=order,
                    title=None,
                    axis=alt.Axis(
                        ticks=False,
                        domain=False,
                        labelLimit=260,
                        labelFontWeight="bold",
                        labelExpr=f"split({json.dumps(labels)}[datum.label] || datum.label, '|')",
                    ),
                ),
                yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1, 1]), title=None),
                color=alt.Color("action:N", sort=order, legend=None, scale=color_scale),
                size=alt.Size(
                    "current_amount:Q", title="Current amount", scale=alt.Scale(range=[40, 900]), legend=None
                ),
                tooltip=tooltip,
            )
        )
    rules = (
        alt.Chart(marks)
        .mark_rule(color="#888888", strokeDash=[3, 3])
        .encode(x=alt.X("date:T", scale=x_scale))
    )
    rule_text = (
        alt.Chart(marks)
        .mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=12, color="#555555")
        .encode(x=alt.X("date:T", scale=x_scale), y=alt.value(0), text="label:N")
    )
    return alt.layer(body, rules, rule_text).properties(width=width, height=h, **_title(title, subtitle, width))
