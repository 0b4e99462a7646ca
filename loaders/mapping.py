"""Column mapping and table classification: source headers to canonical columns, each with a score.

Evidence adds up, it is not one rule and a cut-off:

- **The header's words.** A header is split into words (camelCase, snake_case, Salesforce `__c` names,
  punctuation, words run together as 'VENDORNAME'), abbreviations are spelled out ('dept', 'amt', 'nbr',
  'dt'), words truncated by an ERP's fixed-width names are completed ('VENDOR_NA', 'CHECK_DT'), and words of
  one family are read as one ('supplier', 'payee', 'contractor' -> vendor; 'check', 'warrant' -> payment; 'net',
  'total' -> amount). The vocabularies are data, in `loaders/vocabulary.py`. An alias of schema.py written
  as the header gets 1.0; the same concepts in other words up to 0.95; a known name inside a longer header
  0.80-0.86; a near spelling (rapidfuzz) at most 0.85.
- **The column's content** (a sample of its values): money-like, date-like, id-like, name-like, yes/no,
  blank. A blank column never takes a slot; a typed column whose values do not fit is refused; the fit
  scales the header's score.
- **One assignment per file**: every (source column, canonical column) pair is scored, and pairs are taken
  best first, each source column and each canonical column at most once; among equal scores the header
  that says more (more words matched) wins, then the leftmost.
- **The file as a whole** chooses the table: how much of the file a table explains (required and key
  columns found with fitting content weigh most; money and date columns left unexplained count against
  it), never one column alone. Confidence says how sure; below `ASK` the app asks instead of guessing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from .schema import (
    BOOLEAN,
    CERTIFICATIONS,
    DATE,
    DERIVED_COLUMNS,
    ID,
    INTEGER,
    METHOD,
    MONEY,
    NUMBER,
    RECORD_IDS,
    SCORE,
    TABLES,
    TEXT,
    Table,
    normalise_header,
)
from .vocabulary import (
    ABBREVIATIONS,
    AGGREGATE_WORDS,
    FOREIGN_PHRASES,
    FOREIGN_WORDS,
    GENERIC_CONCEPTS,
    NOT_COLUMNS,
    OPEN_END_WORDS,
    OTHER_ATTRIBUTE_WORDS,
    PIVOT_HEADER_PREFIXES,
    PIVOT_HEADERS,
    STOP_WORDS,
    WHOLE_WORDS,
    WORD_FAMILIES,
)

ACCEPT = 0.70  # lowest score mapped automatically; lower candidates are only suggested
SUGGEST = 0.50
EXACT = 0.95  # an alias as written (or spelled out): content only vetoes what plainly does not fit
ASK = 0.60  # below this confidence in a table the app asks which table a sheet is, instead of preselecting
MIN_EVIDENCE = 1.5  # table score below which a sheet is not classified (one lone 'Total Price' column)
UNEXPLAINED_PENALTY = 0.35  # per money or date column a table leaves unexplained
UNEXPLAINED_OTHER = 0.1  # per other filled column
WIDE_PROFILE = 200  # above this many columns only candidate columns are profiled
UNIT_WORDS = {"usd", "cad", "gbp", "eur", "us", "dollars", "dollar", "in", "c"}
# A trailing hint on how the values are written says nothing about what the column is: 'Protest (Y/N)',
# 'Overall Score (1-5)', 'Award Date (MM/DD/YYYY)', 'Amount ($)', 'Key Contract Y/N'.
FORMAT_HINT = re.compile(
    r"\s*(?:[(\[]\s*(?:y\s*/\s*n|yes\s*/\s*no|y\s+or\s+n|yes\s+or\s+no|t\s*/\s*f|true\s*/\s*false|"
    r"\d+\s*[-\u2013]\s*\d+|[$%#£€]|mm/dd/yy(?:yy)?|m/d/yy(?:yy)?|yyyy-mm-dd|dd/mm/yy(?:yy)?)\s*[)\]]|\s+y/n)\s*$",
    re.IGNORECASE)
KIND_CHECKED = {DATE, MONEY, NUMBER, INTEGER, BOOLEAN, SCORE, CERTIFICATIONS}


# ---------------------------------------------------------------------------------------------
# Header words


def expand(norm: str) -> str:
    """A normalised header with abbreviations spelled out ('inv dt' -> 'invoice date')."""
    return " ".join(ABBREVIATIONS.get(t, t) for t in norm.split())


@cache
def _lexicon() -> frozenset[str]:
    """Every word the loaders know: canonical names, aliases, vocabularies (for splitting run-together words)."""
    words: set[str] = set(WHOLE_WORDS) | set(WORD_FAMILIES) | set(ABBREVIATIONS.values())
    words |= {a for a in ABBREVIATIONS if len(a) >= 2}
    for t in TABLES.values():
        for c in t.columns:
            for text in (c.name, *c.aliases):
                words.update(normalise_header(text).split())
    return frozenset(w for w in words if w.isalpha())


@lru_cache(maxsize=8192)
def _segment(token: str) -> tuple[str, ...]:
    """'vendorname' -> ('vendor', 'name'): known words covering the whole token (longest words preferred);
    the token itself when it is known or cannot be covered."""
    lex = _lexicon()
    if token in lex or len(token) < 6 or not token.isalpha():
        return (token,)
    n = len(token)
    best: list[tuple[float, tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = (0.0, ())
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 2, min(n, i + 16) + 1):
            w = token[i:j]
            if w in lex:
                cand = (best[i][0] + len(w) ** 2, best[i][1] + (w,))
                if best[j] is None or cand[0] > best[j][0]:
                    best[j] = cand
    return best[n][1] if best[n] is not None and len(best[n][1]) > 1 else (token,)


def _complete(token: str, last: bool, multi: bool) -> str:
    """A word an ERP truncated ('na' -> 'name' at the end of 'VENDOR_NA', 'desc' is an abbreviation)."""
    if token in ABBREVIATIONS or token in _lexicon() or not token.isalpha():
        return token
    if len(token) >= 4 or (multi and last and len(token) >= 2):
        hits = [w for w in WHOLE_WORDS if w.startswith(token) and w != token]
        if len(hits) == 1:
            return hits[0]
    return token


@cache
def _foreign_phrases() -> re.Pattern:
    keys = sorted(FOREIGN_PHRASES, key=lambda k: -len(k))
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b")


def translate(norm: str) -> str:
    """A normalised header's Portuguese, Spanish and French words in English ('preco inicial' ->
    'price initial', 'data de celebracao' -> 'signed date'); English words pass unchanged."""
    norm = _foreign_phrases().sub(lambda m: FOREIGN_PHRASES[m.group(1)], norm)
    tokens = norm.split()
    # A little word ('de', 'da', 'e') ends no header: last, it is an ERP's truncated word ('INVOICE_DA').
    return " ".join(t if i == len(tokens) - 1 and FOREIGN_WORDS.get(t) in _LINK_WORDS else FOREIGN_WORDS.get(t, t)
                    for i, t in enumerate(tokens))


_LINK_WORDS = frozenset({"of", "the", "and", "or"})


@lru_cache(maxsize=16384)
def header_words(header: str) -> tuple[str, ...]:
    """The words of a header: split, run-together words separated, truncated words completed."""
    raw = str(header)
    raw = re.sub(r"__[crCR]\b", " ", raw)  # Salesforce custom field / relation suffix
    hint = FORMAT_HINT.search(raw)
    if hint and hint.start() > 0:
        raw = raw[:hint.start()]
    raw = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", raw)  # 'POAmount' -> 'PO Amount'
    norm = translate(normalise_header(raw))
    tokens: list[str] = []
    for t in norm.split():
        if t.isalpha() and len(t) >= 6:
            tokens.extend(_segment(t))
        else:
            m = re.fullmatch(r"([a-z]+)(\d+)", t)  # 'address1' -> 'address'
            tokens.append(m.group(1) if m and len(m.group(1)) > 2 else t)
    if any(not t.isdigit() for t in tokens):
        tokens = [t for t in tokens if not t.isdigit()]  # 'Estimated Annual Value 2017/18': the year says nothing
    multi = len(tokens) > 1
    return tuple(_complete(t, i == len(tokens) - 1, multi) for i, t in enumerate(tokens))


@lru_cache(maxsize=16384)
def concepts(header: str) -> frozenset[str]:
    """What a header talks about: its words spelled out, families merged, filler words dropped."""
    out: list[str] = []
    words = [w for t in header_words(header) for w in ABBREVIATIONS.get(t, t).split()]
    for i, w in enumerate(words):
        if w == "number" and i + 1 < len(words) and words[i + 1] == "of":
            out.append("count")  # 'Number of Bidders' counts bidders; it is not a bidder's number
            continue
        for part in WORD_FAMILIES.get(w, w).split():
            if part not in STOP_WORDS and part != "#":
                out.append(part)
    return frozenset(out)


@cache
def alias_index(table: str) -> dict[str, str]:
    """Every spelling (normalised and expanded) of every column of a table -> canonical column."""
    index: dict[str, str] = {}
    for col in TABLES[table].columns:
        if col.name in DERIVED_COLUMNS:
            continue
        for text in (col.name, *col.aliases):
            for key in (normalise_header(text), expand(normalise_header(text))):
                index.setdefault(key, col.name)
    return index


@cache
def _concept_index(table: str) -> list[tuple[frozenset[str], str, float]]:
    """(concepts, canonical column, penalty) for the name and every alias of every column of a table. An
    alias holding another column's name word ('procurement type' of category holds 'method', the
    family of 'type') is confusable: it loses ties to the column that word names."""
    cols = [c for c in TABLES[table].columns if c.name not in DERIVED_COLUMNS]
    name_words = {c.name: concepts(c.name.replace("_", " ")) for c in cols}
    single = {next(iter(w)): n for n, w in name_words.items() if len(w) == 1}
    out: list[tuple[frozenset[str], str, float]] = []
    seen: set[tuple[frozenset[str], str]] = set()
    for col in cols:
        for text in (col.name.replace("_", " "), *col.aliases):
            c = concepts(text)
            if c == {"date"} and normalise_header(text) != "date":
                continue  # 'to date' of end_date, less its stop word, would claim every lone 'Date'
            if c and (c, col.name) not in seen:
                seen.add((c, col.name))
                confusable = any(single.get(w, col.name) != col.name and w not in name_words[col.name] for w in c)
                out.append((c, col.name, 0.03 if confusable else 0.0))
    return out


@cache
def _all_known() -> frozenset[str]:
    return frozenset(k for t in TABLES for k in alias_index(t))


@cache
def _all_concepts() -> frozenset[frozenset[str]]:
    return frozenset(c for t in TABLES for c, _, _ in _concept_index(t))


def header_hits(names: list[str]) -> int:
    """How many of these header texts are known column names of any table (as written, or the same words)."""
    known, known_concepts = _all_known(), _all_concepts()
    hits = 0
    for n in names:
        norm = normalise_header(n)
        if not norm:
            continue
        if norm in known or expand(norm) in known:
            hits += 1
        elif len(norm) <= 60 and not any(ch.isdigit() for ch in norm):
            c = concepts(str(n))
            hits += len(c) >= 2 and c in known_concepts
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
    words = " ".join(header_words(header))
    if words and words != norm:
        out += [(words, 0.96), (expand(words), 0.95)]
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


def _concept_score(h: frozenset[str], a: frozenset[str]) -> float:
    """0-0.95: the same concepts 0.95; overlapping ones by a Dice measure that weighs the alias's words."""
    if not h or not a:
        return 0.0
    if h == a:
        return 0.95
    inter = len(h & a)
    if not inter or (h - a) & OTHER_ATTRIBUTE_WORDS:
        return 0.0  # 'Vendor Contact Number' is about the contact, not the vendor's id
    cover_alias = inter / len(a)
    cover_header = inter / len(h)
    if cover_alias < 1.0 and cover_header < 1.0:
        return 0.0  # each says something the other does not: 'invoice date' is not 'payment date'
    if len(a) == 1 and a <= GENERIC_CONCEPTS:
        return round(0.92 * (0.3 + 0.6 * cover_header), 3)  # 'reference #' alone says little
    return round(0.92 * (0.65 * cover_alias + 0.35 * cover_header), 3)


def candidates(header: str, table: str) -> dict[str, float]:
    """Canonical columns of `table` this header may be, with scores 0-1 (best per column)."""
    return dict(_candidates(str(header), table))


@lru_cache(maxsize=65536)
def _candidates(header: str, table: str) -> tuple[tuple[str, float], ...]:
    index = alias_index(table)
    found: dict[str, float] = {}

    def offer(col: str, score: float) -> None:
        if score > found.get(col, 0.0):
            found[col] = round(score, 3)

    variants = header_variants(header)
    if not variants or variants[0][0] in NOT_COLUMNS:  # '---' names nothing; 'Company Code' names no column
        return ()
    for key, score in variants:
        if key in index:
            # A longer exact name is more specific: 'Vendor Name' beats 'Vendor' for vendor_name.
            offer(index[key], score + 0.001 * min(len(key.split()), 5))
    # The same concepts in other words ('Supplier Nm' = vendor name; 'CHECK_DT' = check date).
    h = concepts(str(header))
    for a, col, penalty in _concept_index(table):
        cs = _concept_score(h, a)
        if cs:
            offer(col, cs - penalty + 0.001 * min(len(a & h), 5))
    # A known name inside a longer header ('Total Amount Base Bid' holds 'total amount').
    by_first = _aliases_by_first_token(table)
    other = h & OTHER_ATTRIBUTE_WORDS
    words = header_words(header)
    head = next(iter(concepts(words[-1])), "") if words else ""  # what the header is: its last word
    for key, _ in variants[:2] if not other else ():
        padded = f" {key} "
        tokens = key.split()
        n_tokens = len(tokens)
        for first in set(tokens):
            for alias, col, a_tokens in by_first.get(first, ()):
                if a_tokens >= n_tokens or f" {alias} " not in padded:
                    continue
                if alias == "date":
                    continue  # 'Approved Date', 'Closing Date': the other words say which date it is
                if a_tokens == 1 and head in ("amount", "date") and head not in concepts(alias):
                    continue  # 'Contract Value' is an amount, not the contract
                extra = n_tokens - a_tokens
                offer(col, (0.86 if a_tokens >= 2 else 0.80) - 0.02 * extra)
    target = variants[1][0] if len(variants) > 1 else variants[0][0]
    if target and len(target) >= 4:
        keys = _alias_keys(table)
        for alias, score, _ in process.extract(target, keys, scorer=fuzz.ratio,
                                               score_cutoff=SUGGEST * 100 / 0.85, limit=8):
            if other - concepts(alias):
                continue  # 'Supplier Post Code' is spelled like 'supplier code' but is an address
            offer(index[alias], 0.85 * score / 100)
    return tuple(found.items())


# ---------------------------------------------------------------------------------------------
# Column content


@dataclass(frozen=True)
class Profile:
    """What a column's values look like (shares of its non-blank values)."""

    filled: int
    date: float = 0.0
    number: float = 0.0
    integer: float = 0.0
    boolean: float = 0.0
    letters: float = 0.0
    distinct: float = 0.0
    date_any: float = 0.0  # parses as a date, numbers included ('20240105' in a date column)
    method: float = 0.0  # recognised as a procurement method
    codes: float = 0.0  # short, no spaces, holds a digit ('V00042', '2024-118'): an id or code
    blank_share: float = 0.0  # of the sampled rows, the share with no value
    rows: int = 0  # sampled rows (filled or not)
    urls: float = 0.0  # web addresses ('https://.../award-notice/cb-182-80490388')

    @property
    def blank(self) -> bool:
        return self.filled == 0

    @property
    def kind(self) -> str:
        """The column's look in one word: blank, date, money, boolean, id, name, text."""
        if self.blank:
            return "blank"
        if self.date >= 0.6 and self.date >= self.number:
            return "date"
        if self.boolean >= 0.9 and self.distinct < 0.5:
            return "boolean"
        if self.number >= 0.6:
            return "id" if self.integer >= 0.95 and self.distinct >= 0.9 else "money"
        return "text"


def spread_sample(frame: pd.DataFrame, head: int = 300, spread: int = 1000) -> pd.DataFrame:
    """The first rows and rows spread evenly through the rest: a column filled only further down (a
    'Stamp Date' blank for the first thousand checks) is not taken for blank."""
    n = len(frame)
    if n <= head + spread:
        return frame
    rest = np.unique(np.linspace(head, n - 1, spread).astype(np.int64))
    return frame.iloc[np.concatenate([np.arange(head), rest])]


PROFILE_VALUES = 150
BOOLEAN_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "t", "f", "0", "1", "x", "1.0", "0.0"})


_MONEY_RX = re.compile(r"^\(?[-+]?\s*(?:[$£€]|usd|cad|gbp|eur)?\s*[-+]?(?:\d{1,3}(?:[,.\s'\u00a0]\d{3})+|\d+)?(?:[.,]\d+)?\s*"
                       r"(?:[$£€]|usd|cad|gbp|eur)?\)?-?$", re.IGNORECASE)
_DATE_RX = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|\s*[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?)?"
    r"|\d{1,2}[-\s](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[-\s,]*\d{2,4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[-\s']+\d{2}(?:\d{2})?"
    r"|\d{8})(?:\.0)?$", re.IGNORECASE)


def profile(sample: pd.Series) -> Profile:
    """The content profile of a column from a sample of its values (at most 150 filled ones, spread).

    A quick look, value by value (typed cells by their type, text by its shape): the parsers proper run
    later, on every value of the columns chosen."""
    import datetime as dt

    from . import values as V

    total = len(sample)
    s = sample[~V.is_blank(sample).to_numpy()]
    n = len(s)
    if n == 0:
        return Profile(0, blank_share=1.0, rows=total)
    blank_share = 1.0 - n / total
    if n > PROFILE_VALUES:
        s = s.iloc[np.linspace(0, n - 1, PROFILE_VALUES).astype(np.int64)]
    n = len(s)
    dates = date_any = numbers = integers = booleans = letters = codes = urls = 0
    texts: list[str] = []
    values = [v for v in s.tolist() if not (isinstance(v, str) and v.strip().lower() in OPEN_END_WORDS)]
    n = len(values) or 1
    for v in values:
        if isinstance(v, (bool, np.bool_)):
            booleans += 1
            texts.append(str(v))
            continue
        if isinstance(v, (dt.date, dt.datetime, pd.Timestamp, np.datetime64)):
            dates += 1
            date_any += 1
            texts.append(str(v))
            continue
        if isinstance(v, (int, float, np.integer, np.floating)):
            numbers += 1
            whole = float(v).is_integer()
            integers += whole
            codes += whole
            booleans += v in (0, 1)
            texts.append(str(v))
            continue
        t = str(v).strip()
        texts.append(t)
        low = t.lower()
        is_number = bool(_MONEY_RX.match(low)) and any(ch.isdigit() for ch in low)
        is_date = bool(_DATE_RX.match(low))
        numbers += is_number
        integers += is_number and low.lstrip("-+").isdigit()
        dates += is_date and not is_number
        date_any += is_date
        booleans += low in BOOLEAN_WORDS
        letters += any(ch.isalpha() for ch in t)
        urls += low.startswith(("http://", "https://", "www."))
        codes += len(t) <= 20 and " " not in t and any(ch.isdigit() for ch in t) and not is_date
    distinct = len(set(texts)) / n
    method = 0.0
    if distinct <= 0.5 or n < 20:
        known = {t: V.method_of(t) is not None for t in set(texts)}
        method = sum(known[t] for t in texts) / n
    return Profile(n, dates / n, numbers / n, integers / n, booleans / n, letters / n, distinct, date_any / n,
                   method, codes / n, blank_share, total, urls / n)


def fit(kind: str, prof: Profile | None) -> float:
    """0-1: how well a column's values fit a canonical column's kind (1 without a sample). A handful of
    values is weak evidence: under five, the fit leans towards 1 in proportion."""
    if prof is None:
        return 1.0
    if prof.blank:
        return 0.0
    weight = min(1.0, prof.filled / 5)
    return weight * _fit(kind, prof) + (1.0 - weight)


def _fit(kind: str, prof: Profile) -> float:
    if kind == DATE:
        return prof.date_any
    if kind in (MONEY, NUMBER, SCORE):
        return prof.number if prof.date < 0.8 or prof.number > prof.date else 0.2
    if kind == INTEGER:
        return prof.integer
    if kind == BOOLEAN:
        return prof.boolean
    if kind == ID:
        if prof.number >= 0.8 and prof.integer <= 0.2 and prof.letters < 0.5:
            return 0.3  # amounts with cents ('273,936.60') are not ids
        return 1.0 - 0.7 * prof.date
    if kind == TEXT:
        if prof.date >= 0.8:
            return 0.4
        return 0.5 if prof.number >= 0.9 and prof.letters < 0.1 else 1.0
    if kind == METHOD:
        return 0.5 + 0.5 * prof.method
    if kind == CERTIFICATIONS:
        return 0.2 if prof.letters < 0.3 else 1.0  # '16-346' is a certificate's number, not its kind
    return 1.0


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
    profiles: dict[str, Profile] = field(default_factory=dict, repr=False)  # source column -> content
    positional: bool = False  # the columns are named by position (no header row): mapped by content alone

    @property
    def canonical(self) -> dict[str, str]:
        return {v: k for k, v in self.mapping.items()}


def _method_from_values(headers, sample, mapping, scores, overrides, taken) -> None:
    """A column whose values are procurement methods ('RFP', 'Sole Source') is the method column,
    whatever its header says ('Procurement Type', 'Type', 'Adv or Exempt'); one mapped to a
    descriptive text column (category, status) moves over."""
    from .values import MISSING_TOKENS, method_of

    best, best_share = None, 0.0
    sample = sample.head(400)
    for h in headers:
        if h in overrides or h not in sample.columns or (h in mapping and mapping[h] not in ("category", "status")):
            continue
        values = [str(v).strip() for v in sample[h].tolist() if str(v).strip().lower() not in MISSING_TOKENS
                  and not (isinstance(v, float) and v != v)]
        if len(values) < 3:
            continue
        distinct = set(values)
        if len(distinct) > 40:  # methods are a short list: a column of 40+ different texts is something else
            continue
        legend = header_legend(h)  # 'Invitation to Quote (Q) or published invitation to tender (T)?' holding Q, T
        known = {v: method_of(legend.get(v.upper(), v)) not in (None, "other") for v in distinct}
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


_LEGEND = re.compile(r"([^()]*?)\(\s*([A-Za-z]{1,4})\s*\)")


def header_legend(header: object) -> dict[str, str]:
    """The codes a header defines for its values, {code: meaning}: 'Invitation to Quote (Q) or published
    invitation to tender (T)?' -> {'Q': 'Invitation to Quote', 'T': 'published invitation to tender'}. Two
    codes at least: one '(USD)' is a unit, not a legend."""
    out: dict[str, str] = {}
    for phrase, code in _LEGEND.findall(" ".join(str(header).split())):
        phrase = re.sub(r"^(?:or|and|/|,)\s+", "", phrase.strip(" ,;/-"), flags=re.IGNORECASE).strip()
        if phrase:
            out[code.upper()] = phrase
    return out if len(out) >= 2 else {}


def legend_recodes(cm: ColumnMapping) -> dict[str, str]:
    """{value as written: method} for a method column whose header defines its codes ('Q', 'T')."""
    from .values import method_of

    out: dict[str, str] = {}
    for src, col in cm.mapping.items():
        if col == "method":
            for code, phrase in header_legend(src).items():
                method = method_of(phrase)
                if method not in (None, "other"):
                    out[code] = method
    return out


def _single_date_fallback(table: str, headers, mapping, scores, profiles, kinds, overrides) -> None:
    """A spend file's only well-filled date is its spend date: a payments export with no payment_date whose
    one date column filled on (nearly) every row went to invoice_date, or nowhere, gives it to payment_date."""
    if table != "payments" or "payment_date" in mapping.values() or not profiles:
        return
    dated = [h for h in headers if profiles.get(h) is not None and profiles[h].kind == "date"
             and profiles[h].blank_share <= 0.2 and h not in overrides]
    free = [h for h in dated if mapping.get(h) in (None, "invoice_date", "invoice_received_date")]
    if len(dated) == 1 and len(free) == 1:
        h = free[0]
        mapping[h] = "payment_date"
        scores[h] = round(max(0.72, scores.get(h, 0.0) - 0.1), 3)


def _spend_by_content(table: str, headers, mapping, scores, profiles, overrides) -> None:
    """Columns with no names, by what they hold: a payment is a date and an amount, so a headerless file
    with one well-filled date column and one column of amounts written with cents ('+0000002500.00') is
    read as spend; the user confirms (the confidence stays below ASK) and names the rest."""
    if table != "payments" or not profiles:
        return
    filled = [h for h in headers if h not in overrides and profiles.get(h) is not None
              and not profiles[h].blank and profiles[h].blank_share <= 0.2]
    dates = [h for h in filled if profiles[h].kind == "date"]
    money = [h for h in filled if profiles[h].kind == "money" and profiles[h].integer <= 0.5]
    if len(dates) == 1 and len(money) == 1:
        for h, col in ((dates[0], "payment_date"), (money[0], "amount")):
            if mapping.get(h, col) == col and col not in {v for k, v in mapping.items() if k != h}:
                mapping[h] = col
                scores[h] = 0.72


def _award_date_fallback(table: str, headers, mapping, scores, profiles, overrides) -> None:
    """An award log's one lone 'Date' (a header that says no more than that) is the award's date: a
    solicitations file naming its winner or award amount, with no award date mapped."""
    if table != "solicitations" or "award_date" in mapping.values() or not profiles:
        return
    if not {"awarded_vendor_name", "awarded_vendor_id", "awarded_amount"} & set(mapping.values()):
        return
    lone = [h for h in headers if h not in mapping and h not in overrides and concepts(str(h)) == {"date"}
            and profiles.get(h) is not None and profiles[h].kind == "date" and profiles[h].blank_share <= 0.2]
    if len(lone) == 1:
        mapping[lone[0]] = "award_date"
        scores[lone[0]] = 0.72


BARE_ID_HEADERS = frozenset({"id", "#"})


def _record_id_fallback(table: str, headers, mapping, scores, profiles, overrides) -> None:
    """With no column for the record's id, a bare 'ID' of distinct values is it."""
    col = RECORD_IDS.get(table)
    if col is None or col in mapping.values() or not profiles:
        return
    bare = [h for h in headers if h not in mapping and h not in overrides and normalise_header(h) in BARE_ID_HEADERS
            and profiles.get(h) is not None and not profiles[h].blank and profiles[h].distinct >= 0.95
            and profiles[h].blank_share <= 0.05 and profiles[h].date < 0.5]
    if len(bare) == 1:
        mapping[bare[0]] = col
        scores[bare[0]] = 0.75


# Where a table's rows point at a record by its web address: the record's own id, or (bids) the solicitation's.
URL_IDS = {**RECORD_IDS, "bids": "solicitation_id"}


def _url_offers(table: str, headers, profiles, sample, overrides) -> list[tuple[str, str]]:
    """(column, id column) for columns of web addresses whose path names what the id names ('.../tender-notice/
    PW-19-00860013' for a solicitation, '.../procdetails/OP00029774' for the procurement a bid answers): the
    notice's permalink identifies the record. A table's own id must be distinct on every row."""
    col = URL_IDS.get(table)
    if col is None or sample is None or not profiles:
        return []
    subject = _subject_pattern(col)
    out = []
    for h in headers:
        p = profiles.get(h)
        if h in overrides or p is None or p.blank or p.urls < 0.9 or h not in sample.columns:
            continue
        if col == RECORD_IDS.get(table) and (p.distinct < 0.95 or p.blank_share > 0.05):
            continue
        paths = [re.sub(r"^\w+://[^/]*", "", str(v).strip().lower()) for v in sample[h].dropna().head(50)]
        if paths and sum(bool(subject.search(x)) for x in paths) >= 0.9 * len(paths):
            out.append((h, col))
    return out


@cache
def _subject_pattern(col: str) -> re.Pattern:
    """The words (and their abbreviations) for what an id column identifies, as they start a word of a URL."""
    subject = concepts(col.replace("_", " ")) - {"id"}
    words = set(subject) | {w for w, fam in WORD_FAMILIES.items() if fam in subject}
    words |= {a for a, full in ABBREVIATIONS.items() if len(a) >= 3 and WORD_FAMILIES.get(full, full) in subject}
    return re.compile(r"(?<![a-z])(?:" + "|".join(sorted(map(re.escape, words))) + ")")


def profiles_of(headers: list[str], sample: pd.DataFrame | None) -> dict[str, Profile]:
    """Each source column's content profile (none without a sample)."""
    out: dict[str, Profile] = {}
    if sample is None:
        return out
    for h in headers:
        if h in sample.columns and h not in out:
            col = sample[h]
            out[h] = profile(col.iloc[:, 0] if isinstance(col, pd.DataFrame) else col)
    return out


def _profiles_for(headers: list[str], sample: pd.DataFrame | None, tables: tuple[str, ...]) -> dict[str, Profile]:
    """Profiles of the columns; of a very wide export, only of those one of `tables` could take (content is
    evidence for a header's candidate; the unexplained-columns measure is capped anyway)."""
    if sample is None or len(headers) <= WIDE_PROFILE:
        return profiles_of(headers, sample)
    keep = [h for h in headers if any(max(candidates(h, t).values(), default=0.0) >= SUGGEST for t in tables)]
    return profiles_of(keep, sample)


def map_columns(headers: list[str], table: str, *, sample: pd.DataFrame | None = None,
                overrides: dict[str, str | None] | None = None,
                profiles: dict[str, Profile] | None = None, positional: bool = False) -> ColumnMapping:
    """Map source headers onto a table's columns: one assignment for the whole file.

    `overrides` ({source column: canonical column or None}) wins over everything; a source column
    given None stays unmapped. With a `sample` of the data, a column's content adds to or vetoes its
    header's evidence (a blank column takes no slot; a date column must hold dates). `positional` columns
    (a file with no header row, 'Column 1'...) have only their content to go by.
    """
    t = TABLES[table]
    kinds = {c.name: c.kind for c in t.columns}
    overrides = dict(overrides or {})
    mapping: dict[str, str] = {}
    scores: dict[str, float] = {}
    suggestions: dict[str, list[tuple[str, float]]] = {}
    rejected: dict[str, str] = {}
    taken: set[str] = set()
    if profiles is None:
        profiles = _profiles_for(headers, sample, (table,))
    required = set(t.required) | {c for g in t.one_of for c in g}
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
        prof = profiles.get(h)
        if prof is not None and prof.blank:
            if cands and max(cands.values()) >= ACCEPT:
                rejected[h] = "the column is blank"
            continue
        for col, score in cands.items():
            if score < SUGGEST:
                continue
            kind = kinds[col]
            f = fit(kind, prof)
            if (kind == METHOD and prof is not None and prof.filled >= 5 and prof.method < 0.2
                    and not {"method", "procedure"} & set(header_words(str(h)))):
                continue  # a 'Type' column of contract types is not the procurement method
            if kind in KIND_CHECKED and prof is not None and f < (0.2 if score >= EXACT else 0.6):
                if score >= ACCEPT:
                    rejected.setdefault(h, f"values do not look like {kind}s for {col}")
                continue
            final = score if score >= EXACT and f >= 0.6 else score * (0.7 + 0.3 * f)
            if col in required and prof is not None and prof.blank_share > 0.4 and prof.rows >= 20:
                # A required (identity) column blank on most rows would exclude them: a fuller one is better.
                final *= 1.0 - 0.6 * prof.blank_share
            if (kind == ID and prof is not None and prof.codes >= 0.9 and prof.filled >= 3
                    and concepts(str(h)) <= concepts(col.replace("_", " "))):
                final = max(final, min(score + 0.15, 0.9))  # 'Vendor' holding 100042, 100043: the vendor's number
            if final >= ACCEPT:
                offers.append((-round(final, 3), -len(concepts(str(h))), pos, h, col))
    offers += [(-0.8, -len(concepts(str(h))), headers.index(h), h, col)
               for h, col in _url_offers(table, headers, profiles, sample, overrides)]
    offers.sort()
    for neg, _, _, h, col in offers:
        if h in mapping or col in taken:
            continue
        mapping[h] = col
        scores[h] = -neg
        taken.add(col)
    if "method" in kinds and "method" not in taken and sample is not None:
        _method_from_values(headers, sample, mapping, scores, overrides, taken)
    _single_date_fallback(table, headers, mapping, scores, profiles, kinds, overrides)
    _award_date_fallback(table, headers, mapping, scores, profiles, overrides)
    _record_id_fallback(table, headers, mapping, scores, profiles, overrides)
    if positional:
        _spend_by_content(table, headers, mapping, scores, profiles, overrides)
    for h in mapping:
        rejected.pop(h, None)
    ordered = {h: mapping[h] for h in headers if h in mapping}
    ordered.update({k: v for k, v in mapping.items() if k not in ordered})
    unmapped = [h for h in headers if h not in ordered]
    return ColumnMapping(table, ordered, scores, suggestions, unmapped, rejected, profiles, positional)


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
    """Required columns as groups of alternatives: ('payment_date',), ('vendor_id', 'vendor_name')."""
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
    reason: str = ""  # why no table was chosen, when one could have been ('a summary, not records')


def summary_reason(headers: list[str], profiles: dict[str, Profile]) -> str:
    """Why a sheet is a summary (totals per vendor, a pivot), not one row per record; '' when it is not."""
    norms = [normalise_header(h) for h in headers]
    if any(n.startswith(PIVOT_HEADER_PREFIXES) or n in PIVOT_HEADERS for n in norms):
        return "a pivot table of totals, not one row per record"
    if not profiles:
        return ""
    filled = {h: p for h, p in profiles.items() if not p.blank}
    money = [h for h, p in filled.items() if p.kind == "money" and not _year_like(h, p)]
    if not money or any(p.kind == "date" for p in filled.values()):
        return ""
    labels = [h for h, p in filled.items() if h not in money and not _year_like(h, p)]
    if all(set(normalise_header(h).split()) & AGGREGATE_WORDS for h in money) and len(labels) <= 2:
        return "totals with no date (a summary), not one row per record"
    return ""


def _year_like(header: str, prof: Profile) -> bool:
    return "year" in normalise_header(header).split() or (prof.integer >= 0.95 and "fy" in normalise_header(header))


def table_score(cm: ColumnMapping, hinted: bool, provided: set[str] = frozenset()) -> float:
    """Evidence that a mapping's table is the right one: how much of the file it explains.

    Required (identity) columns weigh 2, the table's own columns 1, columns most tables share (vendor,
    department) 0.4, each times its score; a required column not found costs 1; a money or date column
    of the file left unexplained costs 0.35 and any other filled one 0.1 (a payments tracker is not a
    vendor list because it names its vendor); the sheet or file name saying the table adds 1.5.
    """
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
    unexplained = [prof.kind for h, prof in cm.profiles.items() if h not in cm.mapping and not prof.blank
                   and not cm.positional]  # a column with no name is no evidence against a table
    typed = sum(1 for k in unexplained if k in ("date", "money"))
    # Capped: a 3,000-column export explains few of its columns whatever it is.
    score -= UNEXPLAINED_PENALTY * min(typed, 3) + UNEXPLAINED_OTHER * min(len(unexplained) - typed, 5)
    if hinted:
        score += 1.5
    return score


def classify(headers: list[str], names: list[str], *, sample: pd.DataFrame | None = None,
             overrides: dict[str, str | None] | None = None,
             provided: dict[str, set[str]] | None = None, positional: bool = False) -> Classification:
    """The canonical table these headers most likely are, with a confidence 0-1.

    `names` are the sheet and file names (a hint); `provided` the columns each table would get
    from elsewhere (an id in a title row). None when no table has enough evidence (fewer than
    1.5 points: e.g. only a 'Total Price' column).
    """
    provided = provided or {}
    profiles = _profiles_for(headers, sample, tuple(TABLES))
    mappings = {t: map_columns(headers, t, sample=sample, overrides=_valid_overrides(overrides, t),
                               profiles=profiles, positional=positional) for t in TABLES}
    scores = {t: round(table_score(cm, name_hint(names, t), provided.get(t, set())), 3)
              for t, cm in mappings.items()}
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, s1), (_, s2) = ranked[0], ranked[1]
    if s1 < MIN_EVIDENCE:
        return Classification(None, 0.0, scores, mappings)
    reason = summary_reason(headers, profiles)
    if reason and not overrides and not provided.get(best):  # a title naming the solicitation: a bid tab
        return Classification(None, 0.0, scores, mappings, reason)
    return Classification(best, confidence(mappings[best], s1, s2, provided.get(best, set())), scores, mappings)


def confidence(cm: ColumnMapping, best: float, runner_up: float, provided: set[str] = frozenset()) -> float:
    """0-1: 40% the share of required columns present, 35% the lead over the runner-up, 25% the share of
    the file's filled columns the table explains (a table named by one column of twelve is a guess)."""
    t = TABLES[cm.table]
    groups = required_groups(t)
    present = set(cm.mapping.values()) | set(provided)
    coverage = sum(1 for g in groups if present.intersection(g)) / len(groups) if groups else 1.0
    best = max(best, 0.0)
    margin = best / (best + max(runner_up, 0.0) + 1.0)
    filled = [h for h, p in cm.profiles.items() if not p.blank] if cm.profiles else list(cm.mapping) + cm.unmapped
    explained = (sum(1 for h in filled if h in cm.mapping) / len(filled)) if filled else 1.0
    explained = min(1.0, explained * 1.6)  # ~60% of the columns explained is a fully explained export
    value = 0.40 * coverage + 0.35 * margin + 0.25 * explained
    if len(filled) > 1 and sum(1 for h in cm.mapping if h in filled or not cm.profiles) <= 1:
        value = min(value, 0.5)  # a table named by one column of several is a guess: ask
    if cm.positional:
        value = min(value, ASK - 0.05)  # columns with no names, read by content: the user confirms
    return round(float(np.clip(value, 0.0, 1.0)), 2)


def _valid_overrides(overrides, table: str):
    if not overrides:
        return None
    names = set(TABLES[table].names)
    return {k: v for k, v in overrides.items() if not v or v in names}


def fingerprint(headers: list[str]) -> str:
    """A stable id of an export layout: the hash of its normalised header list, in order."""
    text = "\x1f".join(normalise_header(h) for h in headers)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
