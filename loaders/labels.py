"""Plain names for the canonical columns and the KPI engine's record columns: one mapping for tables,
tooltips, exports and slides, derived from the schema so a new column gets a readable name for free."""

from __future__ import annotations

import math
import re

import pandas as pd

from .schema import TABLES

# Where the rule below (underscores to spaces, "id" to "number", "is_x" to "x") reads badly, or for columns
# the KPI engine and the import history add beside the canonical ones.
OVERRIDES = {
    "is_mbe": "Minority-owned (MBE)",
    "is_wbe": "Women-owned (WBE)",
    "is_dbe": "Disadvantaged business (DBE)",
    "is_sbe": "Small business (SBE)",
    "is_dvbe": "Disabled-veteran business (DVBE)",
    "is_lbe": "Local business (LBE)",
    "is_small": "Small business",
    "is_local": "Local business",
    "is_key_contract": "Key contract",
    "is_winner": "Winning bid",
    "has_performance_metrics": "Has performance metrics",
    "replaces_contract_id": "Replaces contract",
    "awarded_vendor_id": "Winning vendor number",
    "awarded_vendor_name": "Winning vendor",
    "vendor_name": "Vendor",
    "po_number": "Purchase order",
    "amount": "Amount paid",
    "current_amount": "Current amount",
    "original_amount": "Original amount",
    "invoice_received_date": "Invoice received",
    "invoice_due_date": "Invoice due",
    "invoice_date": "Invoice date",
    "payment_date": "Paid on",
    "bids_received": "Bids received",
    "renewal_options_remaining": "Renewal options left",
    "amendment_count": "Amendments",
    "certifications": "Certifications",
    "certification_expiration_date": "Certification expires",
    "type": "Activity",
    # added by the KPI engine, the import history or the pages
    "period_label": "Period",
    "import_id": "Import",
    "counted": "Counted in the value",
    "reason": "Why it is excluded",
    "days": "Days",
    "bids": "Bids",
    "paid": "Paid to date",
    "overspent_by": "Paid beyond the amount",
    "numerator_amount": "Dollars counted",
    "denominator_amount": "Dollars in total",
    "days_completed_after_due": "Days after due date",
    "replacement_date": "Replacement started",
    "no_options": "No renewal options left",
    "engaged": "Market research done",
    "table": "Table",
    "group": "Group",
    # KPI tables and the scorecard
    "kpi_id": "KPI id",
    "period_start": "Period start",
    "period_end": "Period end",
    "fiscal_year": "Fiscal year",
    "value": "Value",
    "p90": "90th percentile",
    "n": "Records (n)",
    "excluded": "Excluded",
    "partial": "Partial period",
    "target": "Goal",
    "at_risk": "At-risk limit",
    "goal_source": "Goal source",
    "prev_value": "Previous period",
    "yoy_value": "Same period last year",
    "sentence": "Message",
    "unit": "Unit",
    "direction": "Better when",
    "rows_read": "Rows read",
    "rows_loaded": "Rows loaded",
    "rows_excluded": "Rows excluded",
    "imported_at": "Imported at",
    "source": "Source file",
    "sheet": "Sheet",
    "status": "Status",
    "checksum": "Checksum",
    "days_left": "Days left",
    "row": "Row",
    "column": "Column",
    "problem": "Problem",
    "rows": "Rows",
    "action": "Action needed",
}


def canonical_columns() -> tuple[str, ...]:
    """Every column name of the canonical data model (the names a reader should never see)."""
    return tuple(dict.fromkeys(c.name for t in TABLES.values() for c in t.columns))


def _rule(name: str) -> str:
    words = name.split("_")
    if words[0] in ("is", "has") and len(words) > 1:
        words = words[1:]
    if words[-1] == "id" and len(words) > 1:
        words[-1] = "number"
    text = " ".join(w.upper() if w in ("id", "po", "rfi") else w for w in words)
    return text[:1].upper() + text[1:]


def column_label(name: object) -> str:
    """'invoice_received_date' -> 'Invoice received', 'solicitation_id' -> 'Solicitation number'; a name
    that is not a snake_case identifier (a file's own header) is returned as it is."""
    text = str(name)
    if text in OVERRIDES:
        return OVERRIDES[text]
    if re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", text) or text in canonical_columns():
        return _rule(text)
    return text


def _in_words(name: str) -> str:
    """A column name inside a sentence: 'invoice_received_date' -> 'invoice received date'."""
    label = OVERRIDES.get(name)
    if label and name.startswith(("is_", "has_")):
        return label[:1].lower() + label[1:]
    return _rule(name).lower().replace(" id ", " ID ")


_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def plain_words(text: object) -> str:
    """Text with canonical column names spelled out: 'invoice_received_date missing' -> 'invoice received
    date missing'. Blank for None or NaN."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    known = set(canonical_columns()) | set(OVERRIDES)
    return _NAME.sub(lambda m: _in_words(m.group(0)) if m.group(0) in known else m.group(0), str(text))


def friendly_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with plain column names (duplicates kept apart) and exclusion reasons and problems in plain
    words."""
    out = frame.copy()
    for col in ("reason", "problem"):  # sentences that may name canonical columns
        if col in out.columns:
            out[col] = out[col].map(plain_words)
    names: list[str] = []
    for col in out.columns:
        label = column_label(col)
        while label in names:
            label += " "  # two columns with one plain name stay two columns
        names.append(label)
    out.columns = names
    return out
