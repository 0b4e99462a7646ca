"""Column mapping and table classification: source headers to canonical columns, each with a score.

Aliases (schema.py) are tried first, on several spellings of each header (as written, with
abbreviations spelled out, with Salesforce `__c` / `__r.` parts removed, its last dotted parts);
then a known name contained in the header; then rapidfuzz similarity. One source column per
canonical column: the best score wins, ties go to the leftmost column.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from .schema import BOOLEAN, DATE, INTEGER, MONEY, NUMBER, SCORE, TABLES, Table, normalise_header

ACCEPT = 0.80  # lowest score mapped automatically; lower candidates are only suggested
SUGGEST = 0.55
MIN_EVIDENCE = 1.5  # table score below which a sheet is not classified (one lone 'Total Price' column)
# Abbreviations spelled out before comparing (both sides), so 'Inv Dt' meets 'invoice date'.
ABBREVIATIONS = {
    "amt": "amount", "dt": "date", "num": "number", "no": "number", "nbr": "number", "nr": "number",
    "#": "number", "desc": "description", "descr": "description", "dept": "department",
    "vend": "vendor", "vndr": "vendor", "inv": "invoice", "pmt": "payment", "pymt": "payment",
    "qty": "quantity", "est": "estimated", "orig": "original", "curr": "current", "cert": "certification",
    "certs": "certifications", "org": "organization", "sol": "solicitation", "solic": "solicitation",
    "ctr": "contract", "cntrct": "contract", "contr": "contract", "yr": "year", "nm": "name",
    "ttl": "total", "val": "value", "eff": "effective", "chk": "check", "req": "requisition",
    "rcvd": "received", "recd": "received", "rec": "received", "proc": "procurement", "mthd": "method",
    "addr": "address", "exp": "expiration", "expir": "expiration", "strt": "start", "beg": "begin",
}
UNIT_WORDS = {"usd", "cad", "us", "dollars", "dollar", "in", "c"}
# A trailing hint on how the values are written says nothing about what the column is: 'Protest (Y/N)',
# 'Overall Score (1-5)', 'Award Date (MM/DD/YYYY)', 'Amount ($)', 'Key Contract Y/N'.
FORMAT_HINT = re.compile(
    r"\s*(?:[(\[]\s*(?:y\s*/\s*n|yes\s*/\s*no|y\s+or\s+n|yes\s+or\s+no|t\s*/\s*f|true\s*/\s*false|"
    r"\d+\s*[-\u2013]\s*\d+|[$%#]|mm/dd/yy(?:yy)?|m/d/yy(?:yy)?|yyyy-mm-dd)\s*[)\]]|\s+y/n)\s*$", re.IGNORECASE)
KIND_CHECKED = {DATE, MONEY, NUMBER, INTEGER, BOOLEAN, SCORE}


def expand(norm: str) -> str:
    """A normalised header with abbreviations spelled out ('inv dt' -> 'invoice date')."""
    return " ".join(ABBREVIATIONS.get(t, t) for t in norm.split())


@cache
def alias_index(table: str) -> dict[str, str]:
    """Every spelling (normalised and expanded) of every column of a table -> canonical column."""
    index: dict[str, str] = {}
    for col in TABLES[table].columns:
        for text in (col.name, *col.aliases):
            for key in (normalise_header(text), expand(normalise_header(text))):
                index.setdefault(key, col.name)
    return index


@cache
def _all_known() -> frozenset[str]:
    return frozenset(k for t in TABLES for k in alias_index(t))


def header_hits(names: list[str]) -> int:
    """How many of these header texts are known column names of any table."""
    known = _all_known()
    hits = 0
    for n in names:
        norm = normalise_header(n)
        if norm and (norm in known or expand(norm) in known):
            hits += 1
    return hits


def header_variants(header: str) -> list[tuple[str, float]]:
    """Spellings of one header to look up, each with the score an alias match on it is worth."""
    norm = normalise_header(header)
    out = [(norm, 1.0), (expand(norm), 0.97)]
    raw = str(header)
    if "__" in raw or "." in raw:
        cleaned = re.sub(r"__[crCR]\b", " ", raw)
        parts = [normalise_header(p) for p in re.split(r"[.]", cleaned) if normalise_header(p)]
        whole = " ".join(parts)
        out += [(whole, 0.98), (expand(whole), 0.96)]
        if len(parts) >= 2:
            out += [(" ".join(parts[-2:]), 0.92), (expand(" ".join(parts[-2:])), 0.91),
                    (parts[-1], 0.90), (expand(parts[-1]), 0.89)]
    tokens = norm.split()
    if len(tokens) > 1 and tokens[-1] in UNIT_WORDS:
        trimmed = " ".join(tokens[:-1])
        out += [(trimmed, 0.95), (expand(trimmed), 0.94)]
    hint = FORMAT_HINT.search(raw)
    if hint and hint.start() > 0:
        trimmed = normalise_header(raw[:hint.start()])
        out += [(trimmed, 0.95), (expand(trimmed), 0.94)]
    seen, unique = set(), []
    for key, score in out:
        if key and key not in seen:
            seen.add(key)
            unique.append((key, score))
    return unique


@cache
def _alias_keys(table: str) -> list[str]:
    return list(alias_index(table))


@cache
def _aliases_by_first_token(table: str) -> dict[str, list[tuple[str, str, int]]]:
    """The alias index grouped by first word: a name can only sit inside a header where its first word does."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for alias, col in alias_index(table).items():
        words = alias.split()
        if words:
            out.setdefault(words[0], []).append((alias, col, len(words)))
    return out


def candidates(header: str, table: str) -> dict[str, float]:
    """Canonical columns of `table` this header may be, with scores 0-1 (best per column)."""
    index = alias_index(table)
    found: dict[str, float] = {}

    def offer(col: str, score: float) -> None:
        if score > found.get(col, 0.0):
            found[col] = round(score, 3)

    variants = header_variants(header)
    if not variants:  # a header with no letters or digits ('', '---') names nothing
        return found
    for key, score in variants:
        if key in index:
            # A longer exact name is more specific: 'Vendor Name' beats 'Vendor' for vendor_name.
            offer(index[key], score + 0.001 * min(len(key.split()), 5))
    # A known name inside a longer header ('Total Amount Base Bid' holds 'total amount').
    by_first = _aliases_by_first_token(table)
    for key, _ in variants[:2]:
        padded = f" {key} "
        tokens = key.split()
        n_tokens = len(tokens)
        for first in set(tokens):
            for alias, col, a_tokens in by_first.get(first, ()):
                if a_tokens >= n_tokens or f" {alias} " not in padded:
                    continue
                extra = n_tokens - a_tokens
                offer(col, (0.86 if a_tokens >= 2 else 0.80) - 0.02 * extra)
    target = variants[1][0] if len(variants) > 1 else variants[0][0]
    if target:
        keys = _alias_keys(table)
        for alias, score, _ in process.extract(target, keys, scorer=fuzz.token_sort_ratio,
                                               score_cutoff=SUGGEST * 100 / 0.9, limit=8):
            offer(index[alias], 0.9 * score / 100)
    return found


# ---------------------------------------------------------------------------------------------


@dataclass
class ColumnMapping:
    """Which source column feeds which canonical column of one table."""

    table: str
    mapping: dict[str, str]  # source column -> canonical column
    scores: dict[str, float]  # source column -> score of its mapping (1.0 when given by the user)
    suggestions: dict[str, list[tuple[str, float]]]  # source column -> best candidates
    unmapped: list[str]
    rejected: dict[str, str] = field(default_factory=dict)  # source column -> why a candidate was refused

    @property
    def canonical(self) -> dict[str, str]:
        return {v: k for k, v in self.mapping.items()}


def _values_fit(kind: str, sample: pd.Series) -> bool:
    """Whether a sample of a column's values mostly parses as `kind` (used for looser matches)."""
    from . import values as V

    s = sample[~V.is_blank(sample).to_numpy()]
    if len(s) == 0:
        return True
    if kind == DATE:
        ok = V.parse_date(s).values.notna()
    elif kind in (MONEY, NUMBER, SCORE):
        ok = V.parse_number(s).values.notna() | V.parse_money(s).values.notna()
    elif kind == INTEGER:
        ok = V.parse_integer(s).values.notna()
    elif kind == BOOLEAN:
        ok = V.parse_boolean(s).values.notna()
    else:
        return True
    return float(ok.mean()) >= 0.6


def _method_from_values(headers, sample, mapping, scores, overrides, taken) -> None:
    """A column whose values are procurement methods ('RFP', 'Sole Source') is the method column,
    whatever its header says ('Procurement Type', 'Type', 'Adv or Exempt'); one mapped to a
    descriptive text column (category, status) moves over."""
    from .values import MISSING_TOKENS, method_of

    best, best_share = None, 0.0
    for h in headers:
        if h in overrides or h not in sample.columns or (h in mapping and mapping[h] not in ("category", "status")):
            continue
        values = [str(v).strip() for v in sample[h].tolist() if str(v).strip().lower() not in MISSING_TOKENS
                  and not (isinstance(v, float) and v != v)]
        if len(values) < 3:
            continue
        known = {v: method_of(v) not in (None, "other") for v in set(values)}  # exports repeat values
        share = sum(known[v] for v in values) / len(values)
        if share > best_share:
            best, best_share = h, share
    if best is not None and best_share >= 0.7:
        moved = mapping.get(best)
        if moved:
            taken.discard(moved)
        mapping[best] = "method"
        scores[best] = round(0.8 + 0.1 * best_share, 3)
        taken.add("method")


def map_columns(headers: list[str], table: str, *, sample: pd.DataFrame | None = None,
                overrides: dict[str, str | None] | None = None) -> ColumnMapping:
    """Map source headers onto a table's columns.

    `overrides` ({source column: canonical column or None}) wins over everything; a source column
    given None stays unmapped. Matches below 0.95 must also fit the column's values (a date column
    must hold dates) when a `sample` of the data is given.
    """
    t = TABLES[table]
    kinds = {c.name: c.kind for c in t.columns}
    overrides = dict(overrides or {})
    mapping: dict[str, str] = {}
    scores: dict[str, float] = {}
    suggestions: dict[str, list[tuple[str, float]]] = {}
    rejected: dict[str, str] = {}
    taken: set[str] = set()
    for src, dst in overrides.items():
        if dst:
            mapping[src] = dst
            scores[src] = 1.0
            taken.add(dst)
    offers = []
    for pos, h in enumerate(headers):
        cands = candidates(h, table)
        suggestions[h] = sorted(cands.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        if h in overrides:
            continue
        for col, score in cands.items():
            if score >= ACCEPT:
                offers.append((-score, pos, h, col))
    offers.sort()
    for neg, _, h, col in offers:
        if h in mapping or col in taken:
            continue
        score = -neg
        checked = score < 0.95 and sample is not None and h in sample.columns and kinds[col] in KIND_CHECKED
        if checked and not _values_fit(kinds[col], sample[h]):
            rejected[h] = f"values do not look like {kinds[col]}s for {col}"
            continue
        mapping[h] = col
        scores[h] = score
        taken.add(col)
    if "method" in kinds and "method" not in taken and sample is not None:
        _method_from_values(headers, sample, mapping, scores, overrides, taken)
    ordered = {h: mapping[h] for h in headers if h in mapping}
    ordered.update({k: v for k, v in mapping.items() if k not in ordered})
    unmapped = [h for h in headers if h not in ordered]
    return ColumnMapping(table, ordered, scores, suggestions, unmapped, rejected)


# ---------------------------------------------------------------------------------------------
# Classification


@cache
def _shared_columns() -> frozenset[str]:
    """Columns found in three or more tables (vendor, department...): weak evidence of a table."""
    counts: dict[str, int] = {}
    for t in TABLES.values():
        for c in t.columns:
            counts[c.name] = counts.get(c.name, 0) + 1
    return frozenset(n for n, k in counts.items() if k >= 3)


def required_groups(t: Table) -> list[tuple[str, ...]]:
    """Required columns as groups of alternatives: ('payment_id',), ('vendor_id', 'vendor_name')."""
    return [(c,) for c in t.required] + [tuple(g) for g in t.one_of]


def name_hint(names: list[str], table: str) -> bool:
    """Whether a sheet or file name says the table ('Check Register' -> payments)."""
    t = TABLES[table]
    for name in names:
        text = f" {expand(normalise_header(name))} "
        for alias in t.aliases:
            a = expand(normalise_header(alias))
            if a and f" {a} " in text:
                return True
    return False


@dataclass
class Classification:
    table: str | None
    confidence: float
    scores: dict[str, float]
    mappings: dict[str, ColumnMapping]


def table_score(cm: ColumnMapping, hinted: bool, provided: set[str] = frozenset()) -> float:
    """Evidence that a mapping's table is the right one: known columns, required ones, the name."""
    t = TABLES[cm.table]
    shared = _shared_columns()
    required = set(t.required) | {c for g in t.one_of for c in g}
    score = 0.0
    for src, col in cm.mapping.items():
        w = 2.0 if col in required else (0.4 if col in shared else 1.0)
        score += w * cm.scores.get(src, 1.0)
    present = set(cm.mapping.values()) | set(provided)
    missing = sum(1 for g in required_groups(t) if not present.intersection(g))
    score -= 1.0 * missing
    if hinted:
        score += 1.5
    return score


def classify(headers: list[str], names: list[str], *, sample: pd.DataFrame | None = None,
             overrides: dict[str, str | None] | None = None,
             provided: dict[str, set[str]] | None = None) -> Classification:
    """The canonical table these headers most likely are, with a confidence 0-1.

    `names` are the sheet and file names (a hint); `provided` the columns each table would get
    from elsewhere (an id in a title row). None when no table has enough evidence (fewer than
    1.5 points: e.g. only a 'Total Price' column). Confidence blends how many required columns
    are present with the margin over the runner-up.
    """
    provided = provided or {}
    mappings = {t: map_columns(headers, t, sample=sample, overrides=_valid_overrides(overrides, t))
                for t in TABLES}
    scores = {t: round(table_score(cm, name_hint(names, t), provided.get(t, set())), 3)
              for t, cm in mappings.items()}
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, s1), (_, s2) = ranked[0], ranked[1]
    if s1 < MIN_EVIDENCE:
        return Classification(None, 0.0, scores, mappings)
    return Classification(best, confidence(mappings[best], s1, s2, provided.get(best, set())), scores, mappings)


def confidence(cm: ColumnMapping, best: float, runner_up: float, provided: set[str] = frozenset()) -> float:
    """0-1: half from the share of required columns present, half from the lead over the runner-up."""
    t = TABLES[cm.table]
    groups = required_groups(t)
    present = set(cm.mapping.values()) | set(provided)
    coverage = sum(1 for g in groups if present.intersection(g)) / len(groups) if groups else 1.0
    best = max(best, 0.0)
    margin = best / (best + max(runner_up, 0.0) + 1.0)
    return round(float(np.clip(0.5 * coverage + 0.5 * margin, 0.0, 1.0)), 2)


def _valid_overrides(overrides, table: str):
    if not overrides:
        return None
    names = set(TABLES[table].names)
    return {k: v for k, v in overrides.items() if not v or v in names}


def fingerprint(headers: list[str]) -> str:
    """A stable id of an export layout: the hash of its normalised header list, in order."""
    text = "\x1f".join(normalise_header(h) for h in headers)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
