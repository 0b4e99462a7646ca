"""The check-in pack: a short 16:9 deck for one contract's quarterly performance meeting with its vendor."""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
from pptx import Presentation
from pptx.enum.text import PP_ALIGN
from pptx.util import Pt

from charts.performance import metric_trend
from kpi import performance as kp

from .deck import (
    CONTENT_W,
    DARK,
    DEFAULT_BRAND,
    GREY,
    LIGHT_GREY,
    MARGIN,
    RULE_GREY,
    SLIDE_H,
    SLIDE_W,
    STATUS_FILL,
    add_rect,
    add_table,
    add_text,
    render_pngs,
    rgb,
    send_to_back,
    set_notes,
    set_title,
)

METRICS_PER_SLIDE = 2
CHECKIN_ROWS = 6
CHART_W, CHART_H = 560, 300  # CSS pixels: two side by side on a slide
STATUS_COLOUR = {kp.OFF_TRACK: STATUS_FILL["missed"], kp.ON_TRACK: STATUS_FILL["met"]}


class CheckinError(ValueError):
    """The pack cannot be made (unknown contract); the message says what to do."""


def pack_file_name(contract_id: str, as_of=None) -> str:
    day = pd.Timestamp(as_of or dt.date.today())
    return f"checkin_{re.sub(r'[^A-Za-z0-9_-]+', '-', str(contract_id)).strip('-')}_{day:%Y-%m-%d}.pptx"


def _d(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%-d %b %Y}"


def _money(value) -> str:
    return "—" if value is None or pd.isna(value) else f"${float(value):,.0f}"


class _Pack:
    def __init__(self, detail: dict, office: str, brand: str):
        self.d = detail
        self.c = detail["contract"]
        self.office = office
        self.brand = rgb(brand)
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = int(SLIDE_W * 914400), int(SLIDE_H * 914400)
        self.title_only = self.prs.slide_layouts[5]

    def slide(self, kicker: str, title: str):
        s = self.prs.slides.add_slide(self.title_only)
        add_rect(s, 0, 0, SLIDE_W, 0.09, self.brand)
        add_text(s, MARGIN, 0.26, 10.5, 0.34, kicker.upper(), size=12, bold=True, color=self.brand)
        set_title(s, title)
        footer = " · ".join(x for x in (self.office, f"{self.c['contract_id']} check-in, {self.d['quarter']}",
                                        f"data through {self.d['as_of']:%-d %b %Y}") if x)
        add_rect(s, MARGIN, 7.02, CONTENT_W, 0.01, RULE_GREY)
        add_text(s, MARGIN, 7.07, 10.5, 0.3, footer, size=10, color=LIGHT_GREY)
        add_text(s, SLIDE_W - MARGIN - 1.0, 7.07, 1.0, 0.3, str(len(self.prs.slides)), size=10, color=LIGHT_GREY,
                 align=PP_ALIGN.RIGHT)
        return s

    def title_slide(self):
        c, d = self.c, self.d
        s = self.prs.slides.add_slide(self.prs.slide_layouts[0])
        send_to_back(add_rect(s, 0, 0, SLIDE_W, 4.55, self.brand))
        name = c.get("title") or c["contract_id"]
        set_title(s, f"{name}: quarterly check-in", left=0.8, top=1.2, width=11.5, height=1.7,
                  size=36, color="FFFFFF")
        sub = s.placeholders[1]
        sub.left, sub.top, sub.width, sub.height = (int(0.8 * 914400), int(3.1 * 914400), int(11.5 * 914400),
                                                    int(0.9 * 914400))
        sub.text_frame.text = f"Contract {c['contract_id']} with {c.get('vendor_name') or c.get('vendor_id') or 'its vendor'}"
        for p in sub.text_frame.paragraphs:
            p.alignment = PP_ALIGN.LEFT
            for r in p.runs:
                r.font.size, r.font.color.rgb = Pt(24), rgb("FFFFFF")
        lines = [(f"{d['quarter']} meeting", 24, True, DARK), (f"Data through {d['as_of']:%-d %B %Y}", 18, False, GREY)]
        if self.office:
            lines.append((self.office, 14, False, LIGHT_GREY))
        add_text(s, 0.8, 4.95, 11.5, 1.8, "", paragraphs=lines)
        set_notes(s, f"Check-in pack for contract {c['contract_id']}, {d['quarter']}.")

    def contract_slide(self):
        c, d = self.c, self.d
        m = d["metrics"]
        off = int((m["status"] == kp.OFF_TRACK).sum()) if len(m) else 0
        s = self.slide("The contract", f"{c.get('vendor_name') or 'The vendor'}: {off} of {len(m)} metrics off track"
                       if len(m) else f"{c.get('vendor_name') or 'The vendor'}: no performance metrics yet")
        amount = c.get("current_amount") if c.get("current_amount") is not None else c.get("original_amount")
        grew = ""
        if c.get("original_amount") and c.get("current_amount") and c["current_amount"] != c["original_amount"]:
            grew = f" (awarded at {_money(c['original_amount'])})"
        rows = [["Contract", f"{c['contract_id']}: {c.get('title') or ''}".rstrip(": ")],
                ["Vendor", c.get("vendor_name") or c.get("vendor_id") or "—"],
                ["Department", c.get("department") or "—"],
                ["Amount", _money(amount) + grew],
                ["Term", f"{_d(c.get('start_date'))} to {_d(c.get('end_date')) if c.get('end_date') else 'completion (open-ended)'}"],
                ["Last check-in", _d(d["last_checkin_date"])],
                ["Open actions from it", "none recorded" if d["open_actions"] is None or pd.isna(d["open_actions"])
                 else str(int(d["open_actions"]))]]
        add_table(s, rows, [3.0, 9.3], top=1.75, row_h=0.52, header_fill=self.brand, size=16, header_size=16)

    def metric_slides(self, pngs: dict[str, bytes]):
        m = self.d["metrics"]
        if m.empty:
            return
        for start in range(0, len(m), METRICS_PER_SLIDE):
            part = m.iloc[start:start + METRICS_PER_SLIDE]
            n_off = int((part["status"] == kp.OFF_TRACK).sum())
            title = ("Each metric against its target" if n_off == 0 else
                     f"{n_off} metric{'s' if n_off > 1 else ''} off target on the latest result")
            s = self.slide("Performance", title)
            for i, row in enumerate(part.to_dict("records")):
                left = MARGIN + i * (CONTENT_W / 2)
                self._metric_panel(s, row, left, pngs.get(f"{start + i}"))

    def _metric_panel(self, s, row: dict, left: float, png: bytes | None):
        width = CONTENT_W / 2 - 0.2
        this = self._this_quarter(row)
        colour = STATUS_COLOUR.get(row["status"], GREY)
        add_text(s, left, 1.7, width, 0.45, row["metric_name"], size=18, bold=True, color=DARK)
        add_text(s, left, 2.15, width, 0.75, "", paragraphs=[
            (this, 15, True, colour),
            (f"Target: {kp.format_target(row['target'], row['unit'], row['direction'])}", 13, False, GREY)])
        if png:
            s.shapes.add_picture(io.BytesIO(png), int(left * 914400), int(3.0 * 914400), width=int(width * 914400))
        else:
            add_text(s, left, 3.2, width, 0.5, "No result reported yet.", size=14, color=GREY)

    def _this_quarter(self, row: dict) -> str:
        res = self.d["results"]
        res = res[res["metric_id"] == row["metric_id"]]
        status = {kp.OFF_TRACK: "off track", kp.ON_TRACK: "on track"}.get(row["status"], row["status"])
        q_start = pd.Timestamp(self.d["quarter_start"])
        here = res[res["period_end"] >= q_start]
        if len(here):
            r = here.iloc[-1]
            return (f"{self.d['quarter']}: {kp.format_metric(r['value'], row['unit'], row['target'])} "
                    f"({status})")
        if len(res):
            r = res.iloc[-1]
            return (f"No {self.d['quarter']} result yet; latest {kp.format_metric(r['value'], row['unit'], row['target'])}"
                    f" for {_d(r['period_end'])} ({status})")
        return f"No result reported yet ({self.d['quarter']})"

    def actions_slide(self):
        ch = self.d["checkins"]
        if ch.empty:
            s = self.slide("Since the last meeting", "No check-in recorded with this vendor yet")
            add_text(s, MARGIN, 1.8, CONTENT_W, 0.6, "Agree the metrics, how results are reported and the next "
                     "meeting date.", size=16, color=GREY)
            return
        last = ch.iloc[0]
        n = last.get("open_actions")
        count = "no open actions recorded" if n is None or pd.isna(n) else f"{int(n)} open action{'s' if n != 1 else ''}"
        s = self.slide("Since the last meeting", f"Last meeting {_d(last['meeting_date'])}: {count}")
        notes = last.get("notes")
        notes = "" if notes is None or pd.isna(notes) else str(notes)
        add_text(s, MARGIN, 1.7, CONTENT_W, 1.3, "", paragraphs=[
            ("Notes from that meeting", 14, True, GREY), (notes or "No notes recorded.", 16, False, DARK)])
        rows = [["Meeting date", "Meeting", "Open actions after it"]]
        for r in ch.head(CHECKIN_ROWS).to_dict("records"):
            a = r.get("open_actions")
            rows.append([_d(r["meeting_date"]), r.get("meeting_type") if isinstance(r.get("meeting_type"), str) else "—",
                         "—" if a is None or pd.isna(a) else str(int(a))])
        add_table(s, rows, [3.0, 5.0, 3.5], top=3.2, row_h=0.42, header_fill=self.brand, size=14,
                  aligns=[PP_ALIGN.LEFT, PP_ALIGN.LEFT, PP_ALIGN.RIGHT])

    def evaluations_slide(self):
        ev = self.d["evaluations"]
        if ev.empty:
            s = self.slide("Evaluations", "No performance evaluation of this contract on file")
            add_text(s, MARGIN, 1.8, CONTENT_W, 0.6, "An evaluation before renewal lets past performance inform "
                     "the decision.", size=16, color=GREY)
            return
        done = ev[ev["completed_date"].notna()] if "completed_date" in ev else ev.iloc[0:0]
        title = (f"{len(done)} evaluation{'s' if len(done) != 1 else ''} completed, latest {_d(done['completed_date'].max())}"
                 if len(done) else "Evaluations due, none completed")
        s = self.slide("Evaluations", title)
        rows = [["Due", "Completed", "Score", "Rating"]]
        for r in ev.sort_values("due_date", ascending=False, na_position="last").head(8).to_dict("records"):
            score = r.get("score")
            not_due = pd.notna(r.get("due_date")) and r["due_date"].date() > self.d["as_of"]
            rows.append([_d(r.get("due_date")), _d(r.get("completed_date")) if pd.notna(r.get("completed_date"))
                         else "not yet due" if not_due else "not completed", "—" if score is None or pd.isna(score) else f"{score:.0%}",
                         r.get("rating") if isinstance(r.get("rating"), str) else "—"])
        add_table(s, rows, [3.0, 3.0, 2.5, 3.8], top=1.75, row_h=0.42, header_fill=self.brand, size=14)

    def build(self) -> bytes:
        m = self.d["metrics"]
        jobs = {}
        for i, row in enumerate(m.to_dict("records")):
            res = self.d["results"][self.d["results"]["metric_id"] == row["metric_id"]]
            if len(res):
                jobs[str(i)] = metric_trend(res, title="", target=row["target"], unit=row["unit"],
                                            direction=row["direction"], width=CHART_W, height=CHART_H)
        pngs = render_pngs(jobs)
        self.title_slide()
        self.contract_slide()
        self.metric_slides(pngs)
        self.actions_slide()
        self.evaluations_slide()
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


def checkin_pptx(tables, contract_id: str, *, as_of=None, fy_start_month: int = 7, office: str = "",
                 brand: str = DEFAULT_BRAND) -> bytes:
    """The check-in pack of one contract (exact contract id) as .pptx bytes: the contract, each metric's trend
    against its target with this quarter's value, the last meeting's open actions, evaluations."""
    detail = kp.contract_detail(tables, contract_id, as_of=as_of, fy_start_month=fy_start_month)
    if detail is None:
        raise CheckinError(f"no contract {contract_id!r} in the workspace's contracts table (the id must match "
                           "exactly)")
    from kpi import periods as P

    code = P.code_of(detail["as_of"], "quarter", fy_start_month)
    detail["quarter_start"] = P.period_start([code], "quarter", fy_start_month)[0]
    return _Pack(detail, office, brand).build()
