"""The sample city: a seeded, vectorised generator of Riverton's seven tables and its ERP-style exports.

Shapes built in on purpose (tests/test_sample_data.py checks them):
- lead times by method: RFP > IFB > RFQ > sole source; all fall after a reform from FY2025;
- an end-of-fiscal-year spike in awards and payments (May, June);
- bids per competitive solicitation rise and the single-bid share falls (about 22% -> 16%) after the
  reform, helped by pre-solicitation engagement (RFIs, industry days), which adds bids;
- M/WBE firms get about 19% of spend; contracts expire across the 18 months after AS_OF, some with
  no renewal option and no replacement solicitation; evaluations missing or late; most invoices paid
  within 30 days; some cancelled solicitations, emergency awards (a storm in autumn 2023), contracts
  paid beyond their current amount, and cost growth through amendments.

`python -m sample_data.generate` rewrites the export files in sample_data/ byte for byte the same, and
sample_city.sqlite (sample_data/database.py) with the same records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sample_data import AS_OF, CITY_NAME, SAMPLE_DIR, SAMPLE_TABLES
from storage.frames import conform

# ---------------------------------------------------------------------------------------------
# Calendar (integer day numbers since 1970-01-01 throughout)


def _day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


FIRST_DAY = _day("2022-07-01")  # FY2023 starts
LAST_DAY = _day(AS_OF.isoformat())  # data through
REFORM_DAY = _day("2024-07-01")  # FY2025: the procurement reform starts, fully in effect by March 2025
STORM = (_day("2023-09-12"), _day("2023-11-30"))  # a flood: emergency purchases cluster here
RUN_AT = dt.datetime(2026, 6, 1, 7, 15, 0)  # when the ERP "ran" the reports
BASE_SIZES = {"vendors": 900, "solicitations": 1500, "contracts": 1200, "payments": 25000,
              "evaluations": 600, "engagements": 300}

# Relative activity by calendar month (Jan..Dec): spending up to the end of the fiscal year in June.
MONTH_WEIGHT = np.array([0.95, 1.0, 1.05, 1.1, 1.4, 1.75, 0.85, 0.95, 1.0, 1.0, 0.9, 0.85])


def _month(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1


def _fiscal_year(days: np.ndarray) -> np.ndarray:
    m = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return m // 12 + 1970 + (m % 12 + 1 >= 7)


def _reform(days: np.ndarray) -> np.ndarray:
    """0 before the reform, rising to 1 eight months after it started."""
    return np.clip((days - REFORM_DAY) / 240.0, 0.0, 1.0)


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    out = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[us]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def _spiky_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A day in [lo, hi] per row, months weighted by MONTH_WEIGHT (accept-reject, vectorised)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.maximum(np.asarray(hi, dtype=np.int64), lo)
    out = lo.copy()
    todo = np.arange(len(lo))
    top = MONTH_WEIGHT.max()
    for _round in range(40):
        if len(todo) == 0:
            break
        span = hi[todo] - lo[todo] + 1
        cand = lo[todo] + np.floor(rng.random(len(todo)) * span).astype(np.int64)
        ok = rng.random(len(todo)) * top < MONTH_WEIGHT[_month(cand) - 1]
        out[todo[ok]] = cand[ok]
        out[todo[~ok]] = cand[~ok]  # kept if the rounds run out
        todo = todo[~ok]
    return out


def _lognormal(rng: np.random.Generator, median, sigma, size=None) -> np.ndarray:
    return np.exp(np.log(median) + sigma * rng.standard_normal(size if size is not None else np.shape(median)))


_STR = pd.StringDtype(na_value=np.nan)


def _strings(values, index: np.ndarray | None = None) -> pd.Series:
    """A str column of values[index] (index -1: missing), built through Arrow (fast for big tables)."""
    dictionary = pa.array(list(values), pa.large_string())
    if index is not None:
        index = np.asarray(index, dtype=np.int64)
        dictionary = dictionary.take(pa.array(index, mask=index < 0))
    return pd.Series(dictionary.to_pandas(types_mapper={pa.large_string(): _STR}.get))


def _purchase(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    """A (department, title) pair per row from the row's category."""
    count = np.diff(PAIR_OFFSET)[category]
    return PAIR_OFFSET[category] + np.floor(rng.random(len(category)) * count).astype(np.int64)


def _sequence(groups: np.ndarray, order: np.ndarray) -> np.ndarray:
    """1, 2, 3... within each group, counted in `order`; returned in the original row order."""
    g = np.asarray(groups)[order]
    seq = np.empty(len(g), dtype=np.int64)
    seq[order] = pd.Series(g).groupby(g, sort=False).cumcount().to_numpy() + 1
    return seq


def _zfill(numbers: np.ndarray, width: int) -> pd.Series:
    return pd.Series(np.asarray(numbers, dtype=np.int64)).astype("str").str.zfill(width)


# ---------------------------------------------------------------------------------------------
# Reference data

# Canonical method names (loaders/schema.py METHODS) by code, with the ERP's own labels.
IFB, RFP, RFQ, SOLE, EMERGENCY, EXEMPT, SMALL, COOP = range(8)
METHOD_NAMES = np.array(["invitation for bid", "request for proposals", "request for quotes", "sole source",
                         "emergency", "exempt", "small purchase", "cooperative"], dtype=object)
METHOD_LABELS = {"invitation for bid": "Invitation for Bid", "request for proposals": "Request for Proposal",
                 "request for quotes": "Request for Quote", "sole source": "Sole Source",
                 "emergency": "Emergency", "exempt": "Exempt", "small purchase": "Small Purchase",
                 "cooperative": "Cooperative Purchase"}
METHOD_PREFIX = np.array(["IFB", "RFP", "RFQ", "SS", "EMR", "EXM", "SP", "COOP"], dtype=object)
COMPETITIVE = np.array([True, True, True, False, False, False, False, False])
# Median days issue -> award before and after the reform; spread (lognormal sigma).
LEAD_BEFORE = np.array([80.0, 128.0, 34.0, 15.0, 4.0, 12.0, 9.0, 21.0])
LEAD_AFTER = np.array([63.0, 98.0, 27.0, 12.0, 4.0, 10.0, 8.0, 17.0])
LEAD_SIGMA = np.array([0.32, 0.32, 0.35, 0.45, 0.5, 0.45, 0.45, 0.4])
PREP_DAYS = np.array([35.0, 50.0, 12.0, 10.0, 1.0, 7.0, 4.0, 12.0])  # requisition -> issue
BID_WINDOW = np.array([[21, 35], [28, 42], [7, 14], [0, 0], [0, 0], [0, 0], [5, 10], [0, 0]])
ESTIMATE_FACTOR = np.array([1.0, 1.0, 0.35, 0.6, 0.9, 0.6, 0.08, 1.0])
CONTRACT_CHANCE = np.array([0.95, 0.97, 0.45, 0.85, 0.9, 0.6, 0.0, 0.95])
AWARD_BASIS = np.array(["Lowest responsive, responsible bidder", "Best value", "Lowest quote",
                        "Sole source justification", "Emergency declaration", "Exempt purchase",
                        "Lowest quote", "Cooperative agreement (Sourcewell)"], dtype=object)

CATEGORIES = np.array(["Construction", "Architecture & Engineering", "Professional Services",
                       "General Services", "Goods", "Information Technology"], dtype=object)
CATEGORY_WEIGHT = np.array([0.16, 0.08, 0.19, 0.21, 0.24, 0.12])
CATEGORY_MEDIAN = np.array([420_000.0, 160_000.0, 110_000.0, 85_000.0, 48_000.0, 180_000.0])
# Method mix per category, columns in method-code order.
METHOD_MIX = np.array([
    [0.78, 0.05, 0.05, 0.02, 0.03, 0.00, 0.02, 0.05],  # construction
    [0.00, 0.86, 0.04, 0.05, 0.00, 0.05, 0.00, 0.00],  # A&E (qualifications-based RFPs)
    [0.00, 0.58, 0.17, 0.10, 0.00, 0.10, 0.00, 0.05],  # professional services
    [0.42, 0.20, 0.26, 0.03, 0.02, 0.00, 0.02, 0.05],  # general services
    [0.30, 0.00, 0.38, 0.05, 0.01, 0.00, 0.10, 0.16],  # goods
    [0.00, 0.36, 0.15, 0.14, 0.00, 0.05, 0.00, 0.30],  # information technology
])
TERM_YEARS = [  # choices of contract term by category
    np.array([0.5, 0.75, 1.0, 1.5, 2.0]), np.array([2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0]),
    np.array([1.0, 2.0, 3.0, 5.0]), np.array([1.0, 2.0, 3.0]), np.array([3.0, 5.0]),
]
# (department, title) pairs per category: what a city buys and who buys it.
PURCHASES = [
    [("Public Works", "Street Resurfacing Program"), ("Water Utilities", "Water Main Replacement"),
     ("Public Works", "Sidewalk and ADA Ramp Improvements"), ("Public Works", "Storm Drain Rehabilitation"),
     ("Facilities Management", "Fire Station Roof Replacement"),
     ("Facilities Management", "City Hall HVAC Replacement"), ("Transportation", "Bridge Deck Rehabilitation"),
     ("Parks & Recreation", "Park Restroom Renovation"), ("Transportation", "Traffic Signal Upgrades"),
     ("Water Utilities", "Sewer Lift Station Rehabilitation"), ("Parks & Recreation", "Playground Replacement"),
     ("Water Utilities", "Lead Service Line Replacement"), ("Parks & Recreation", "Riverwalk Trail Extension"),
     ("Facilities Management", "Library Interior Renovation")],
    [("Water Utilities", "Design Services for Water Treatment Plant Upgrade"),
     ("Public Works", "On-Call Civil Engineering Services"), ("Transportation", "Traffic Engineering Study"),
     ("Facilities Management", "Structural Assessment of Municipal Buildings"),
     ("Water Utilities", "Stormwater Master Plan"), ("Fire", "Architectural Services for Fire Station 6"),
     ("Public Works", "Geotechnical Testing Services"), ("Transportation", "Bridge Inspection Services"),
     ("Community Development", "Environmental Site Assessment"),
     ("Public Works", "Construction Inspection Services"), ("Parks & Recreation", "Parks Master Plan")],
    [("Finance", "Annual Financial Audit"), ("Human Resources", "Actuarial Services"),
     ("Human Resources", "Employee Benefits Consulting"), ("City Attorney", "Outside Counsel - Labor Relations"),
     ("City Manager's Office", "Grant Writing Services"), ("City Manager's Office", "Public Engagement Consulting"),
     ("Human Resources", "Compensation and Classification Study"),
     ("Housing & Neighborhoods", "Homeless Outreach Services"), ("Community Development", "Workforce Training Program"),
     ("Finance", "Bond Counsel Services"), ("Finance", "Collection Agency Services"),
     ("Police", "Body-Worn Camera Program Evaluation"), ("Housing & Neighborhoods", "Housing Needs Assessment"),
     ("Library", "Library Strategic Plan")],
    [("Facilities Management", "Janitorial Services - City Hall"), ("Parks & Recreation", "Landscape Maintenance"),
     ("Facilities Management", "Security Guard Services"), ("Facilities Management", "Pest Control Services"),
     ("Police", "Towing and Impound Services"), ("Fleet Services", "Uniform Rental and Laundry"),
     ("Facilities Management", "Elevator Maintenance"), ("Facilities Management", "HVAC Preventive Maintenance"),
     ("Solid Waste", "Street Sweeping Services"), ("Parks & Recreation", "Tree Trimming Services"),
     ("Finance", "Printing and Mailing Services"), ("Fire", "Fire Extinguisher Inspection"),
     ("Solid Waste", "Graffiti Abatement"), ("Library", "Courier Services")],
    [("Police", "Police Patrol Vehicles"), ("Fire", "Fire Apparatus"), ("Water Utilities", "Water Meters"),
     ("Finance", "Office Supplies"), ("Public Works", "Road Salt"), ("Public Works", "Asphalt and Aggregate"),
     ("Transportation", "Traffic Signs and Materials"), ("Fire", "Personal Protective Equipment"),
     ("Parks & Recreation", "Playground Equipment"), ("Library", "Library Books and Materials"),
     ("Water Utilities", "Water Treatment Chemicals"), ("Fleet Services", "Fleet Parts and Tires"),
     ("Police", "Radios and Communication Equipment"), ("Solid Waste", "Refuse Carts")],
    [("Information Technology", "Enterprise Resource Planning System"),
     ("Community Development", "Permitting Software"), ("Information Technology", "Network Equipment Refresh"),
     ("Information Technology", "Cybersecurity Assessment"), ("Information Technology", "Cloud Backup Services"),
     ("Police", "Public Safety CAD/RMS System"), ("Information Technology", "GIS Services"),
     ("Information Technology", "Help Desk Support Services"), ("City Manager's Office", "Website Redesign"),
     ("Police", "Body-Worn Camera Storage"), ("Information Technology", "Software Licensing"),
     ("Water Utilities", "Utility Billing System Upgrade")],
]
DEPARTMENTS = np.array(sorted({d for pairs in PURCHASES for d, _t in pairs}), dtype=object)
PAIR_OFFSET = np.concatenate([[0], np.cumsum([len(p) for p in PURCHASES])])
PAIR_TITLE = np.array([t for group in PURCHASES for _d, t in group], dtype=object)
PAIR_DEPARTMENT = np.searchsorted(DEPARTMENTS, np.array([d for group in PURCHASES for d, _t in group], dtype=object))
NAME_FIRST = np.array([
    "Abbott", "Alvarez", "Anderson", "Archer", "Baker", "Banks", "Barrett", "Becker", "Bishop", "Brennan",
    "Brooks", "Calloway", "Castillo", "Chen", "Coleman", "Collins", "Cruz", "Delgado", "Dixon", "Donovan",
    "Ellis", "Espinoza", "Fischer", "Fleming", "Foster", "García", "Gibson", "Gordon", "Grant", "Greene",
    "Hale", "Hamilton", "Harper", "Hayes", "Hernandez", "Hill", "Holt", "Hughes", "Irwin", "Jackson",
    "Jensen", "Kaur", "Keller", "Kim", "Knight", "Lambert", "Lee", "Lopez", "Lowe", "Maddox", "Marsh",
    "Martinez", "Meyer", "Mitchell", "Morales", "Morgan", "Müller", "Murphy", "Nakamura", "Nguyen", "Novak",
    "Okafor", "Olsen", "Ortiz", "Owens", "Park", "Patel", "Peña", "Perry", "Porter", "Quinn", "Ramirez",
    "Reed", "Reyes", "Riley", "Rivera", "Russo", "Salazar", "Santos", "Schmidt", "Shah", "Singh",
    "Sullivan", "Tanaka", "Taylor", "Torres", "Tran", "Turner", "Vargas", "Vaughn", "Walsh", "Ward",
    "Washington", "Weber", "Wells", "Whitaker", "Williams", "Wong", "Young", "Zhang",
    "Riverton", "River City", "Blue Heron", "Cedar", "Summit", "Keystone", "Oakridge", "Pinecrest",
    "Northgate", "Harbor", "Lakeside", "Prairie", "Granite", "Ironwood", "Maple", "Redstone", "Silver Creek",
    "Tri-County", "Valley", "Westfield", "Eastside", "Heritage", "Pioneer", "Liberty", "Metro", "Capitol",
    "Great Lakes", "Bayview", "Crescent", "Evergreen",
], dtype=object)
NAME_TRADE = [
    ["Paving", "Construction", "Builders", "Contracting", "Excavating", "Concrete", "Site Works",
     "Civil Constructors", "Roofing", "Electric", "Mechanical", "Plumbing"],
    ["Engineering", "Engineers", "Design Group", "Architects", "Surveying", "Geotechnical", "Environmental",
     "Consulting Engineers", "Planning", "Structural", "Civil Design", "Water Engineering"],
    ["Consulting", "Advisors", "Partners", "Analytics", "Strategies", "Associates", "Law Group",
     "Audit Services", "Health Partners", "Training", "Research", "Communications"],
    ["Janitorial", "Landscaping", "Facility Services", "Security Services", "Pest Control", "Towing",
     "Uniform Services", "Waste Services", "Maintenance", "Cleaning", "Grounds Care", "Printing"],
    ["Supply", "Distributors", "Equipment", "Industrial Supply", "Office Products", "Safety Supply",
     "Fleet Parts", "Chemicals", "Uniforms", "Trading", "Wholesale", "Hardware"],
    ["Technologies", "Software", "Systems", "Data", "Networks", "Digital", "IT Solutions", "Cloud Services",
     "Cyber", "Computing", "GIS", "Tech Group"],
]
NAME_SUFFIX = np.array(["LLC", "Inc.", "Co.", "Corporation", "Group", "LLC", "Inc.", "Ltd."], dtype=object)
ENGAGEMENT_TYPES = np.array(["RFI", "Sources Sought", "Industry Day", "Pre-Bid Conference", "One-on-One",
                             "Internet Research", "Prototype Competition"], dtype=object)
ENGAGEMENT_WEIGHT = np.array([0.34, 0.12, 0.18, 0.16, 0.1, 0.09, 0.01])
RATINGS = ((0.9, "Exceptional"), (0.8, "Very Good"), (0.65, "Satisfactory"), (0.5, "Marginal"),
           (-1.0, "Unsatisfactory"))


def _sizes(scale: float, sizes: Mapping[str, int] | None) -> dict[str, int]:
    out = {k: max(1, round(v * scale)) for k, v in BASE_SIZES.items()}
    unknown = set(sizes or {}) - set(out)
    if unknown:
        raise ValueError(f"unknown table sizes {sorted(unknown)}; known: {sorted(out)}")
    out.update({k: int(v) for k, v in (sizes or {}).items()})
    out["vendors"] = max(out["vendors"], 30)
    out["solicitations"] = max(out["solicitations"], 20)
    return out


# ---------------------------------------------------------------------------------------------
# Vendors


@dataclass
class _Vendors:
    category: np.ndarray  # per vendor, sorted so that each category is one block
    start: np.ndarray  # block start per category (len 7)
    popularity: np.ndarray
    name: np.ndarray
    is_small: np.ndarray
    is_local: np.ndarray

    def pick(self, rng: np.random.Generator, categories: np.ndarray) -> np.ndarray:
        """One vendor per row from the row's category, popular vendors more often."""
        out = np.empty(len(categories), dtype=np.int64)
        u = rng.random(len(categories))
        for c in range(len(CATEGORIES)):
            rows = np.nonzero(categories == c)[0]
            lo, hi = self.start[c], self.start[c + 1]
            cum = np.cumsum(self.popularity[lo:hi])
            out[rows] = lo + np.minimum(np.searchsorted(cum, u[rows] * cum[-1], side="right"), hi - lo - 1)
        return out

    def neighbour(self, vendor: np.ndarray, step: np.ndarray) -> np.ndarray:
        """The vendor `step` places further on in the same category block (distinct for small steps)."""
        c = self.category[vendor]
        lo, size = self.start[c], self.start[c + 1] - self.start[c]
        return lo + (vendor - lo + step) % size


def _make_vendors(rng: np.random.Generator, n: int) -> _Vendors:
    counts = np.maximum(rng.multinomial(n - 3 * len(CATEGORIES), CATEGORY_WEIGHT), 0) + 3
    category = np.repeat(np.arange(len(CATEGORIES)), counts)
    start = np.concatenate([[0], np.cumsum(counts)])
    names = []
    for c, m in enumerate(counts):
        trades = np.array(NAME_TRADE[c], dtype=object)
        space = len(NAME_FIRST) * len(trades) * len(NAME_SUFFIX)
        pick = rng.choice(space, m, replace=False) if m <= space else rng.integers(0, space, m)
        first = NAME_FIRST[pick // (len(trades) * len(NAME_SUFFIX))]
        trade = trades[(pick // len(NAME_SUFFIX)) % len(trades)]
        suffix = NAME_SUFFIX[pick % len(NAME_SUFFIX)]
        names.append(pd.Series(first) + " " + pd.Series(trade) + " " + pd.Series(suffix))
    name = pd.concat(names, ignore_index=True)
    dup = name.groupby(name).cumcount()
    name = name.where(dup == 0, name + " " + (dup + 1).astype("str"))  # only at very large scales
    is_small = rng.random(n) < 0.45
    is_local = rng.random(n) < np.where(is_small, 0.45, 0.25)
    popularity = _lognormal(rng, 1.0, 1.0, n) * np.where(is_small, 0.7, 1.0)
    return _Vendors(category, start, popularity, name.to_numpy(dtype=object), is_small, is_local)


# ---------------------------------------------------------------------------------------------
# Solicitations, bids, engagements


def _bids_for(rng, vendors: _Vendors, sol: dict, rows: np.ndarray) -> dict:
    """Bid rows for the solicitations `rows` (which have bids_received > 0 and were opened)."""
    k = sol["bids"][rows].astype(np.int64)
    owner = np.repeat(rows, k)
    j = np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k)
    first = vendors.pick(rng, sol["category"][rows])
    vendor = vendors.neighbour(np.repeat(first, k), j)
    amount = np.round(sol["estimate"][owner] * _lognormal(rng, 1.01, 0.14, len(owner)), 2)
    u = rng.random(len(owner))
    status = np.where(u < 0.05, "Non-Responsive", np.where(u < 0.06, "Withdrawn", "Responsive")).astype(object)
    status[j == 0] = "Responsive"  # at least one bid can win
    score = amount * np.where(sol["method"][owner] == RFP, _lognormal(rng, 1.0, 0.25, len(owner)), 1.0)
    score[status != "Responsive"] = np.inf
    order = np.lexsort((score, owner))
    first_of_group = np.ones(len(order), dtype=bool)
    first_of_group[1:] = owner[order][1:] != owner[order][:-1]
    winner_pos = order[first_of_group]
    return {"owner": owner, "vendor": vendor, "amount": amount, "status": status, "winner_pos": winner_pos}


def _solicitation_frame(rng, vendors: _Vendors, n: int) -> dict:
    n_gen = round(n * 1.12) + 10
    category = rng.choice(len(CATEGORIES), n_gen, p=CATEGORY_WEIGHT)
    award_target = _spiky_days(rng, np.full(n_gen, FIRST_DAY), np.full(n_gen, LAST_DAY + 150))
    cum = np.cumsum(METHOD_MIX, axis=1)[category]
    method = (rng.random(n_gen)[:, None] > cum[:, :-1]).sum(axis=1)
    storm = (award_target >= STORM[0]) & (award_target <= STORM[1])
    method[rng.random(n_gen) < np.where(storm, 0.18, 0.012)] = EMERGENCY
    r = _reform(award_target)
    lead = np.maximum(1, np.round(_lognormal(rng, LEAD_BEFORE[method] * (1 - r) + LEAD_AFTER[method] * r,
                                             LEAD_SIGMA[method])))
    lo, hi = BID_WINDOW[method, 0], BID_WINDOW[method, 1]
    window = np.where(hi > 0, lo + np.floor(rng.random(n_gen) * (hi - lo + 1)), 0)
    short = (hi > 0) & COMPETITIVE[method] & (rng.random(n_gen) < 0.03)
    window = np.where(short, 7 + np.floor(rng.random(n_gen) * 3), window).astype(np.int64)
    lead = np.maximum(lead, window + 7).astype(np.int64)
    issue = award_target - lead
    keep = np.nonzero(issue <= LAST_DAY)[0]
    if len(keep) > n:
        keep = np.sort(rng.choice(keep, n, replace=False))
    category, award_target, method, lead, window, issue = (
        a[keep] for a in (category, award_target, method, lead, window, issue))
    m = len(keep)
    r_issue = _reform(issue)
    prep = np.maximum(1, np.round(_lognormal(rng, PREP_DAYS[method] * (1 - 0.15 * r_issue), 0.5)))
    requisition = issue - prep.astype(np.int64)
    no_requisition = rng.random(m) < 0.06
    due = issue + window
    has_due = window > 0
    pair = _purchase(rng, category)
    estimate = CATEGORY_MEDIAN[category] * ESTIMATE_FACTOR[method] * _lognormal(rng, 1.0, 0.9, m)
    estimate = np.where(method == RFQ, np.minimum(estimate, 150_000), estimate)
    estimate = np.where(method == SMALL, np.clip(estimate, 500, 10_000), np.maximum(estimate, 2_500))
    estimate = np.where(estimate >= 10_000, np.round(estimate, -2), np.round(estimate, -1))
    engaged = np.isin(method, (IFB, RFP)) & (estimate >= 100_000) & (rng.random(m) < 0.14 + 0.5 * r_issue)
    return {
        "category": category, "method": method, "award_target": award_target, "issue": issue, "due": due,
        "has_due": has_due, "requisition": requisition, "no_requisition": no_requisition,
        "pair": pair, "estimate": estimate, "engaged": engaged,
        "replaces": np.full(m, -1, dtype=np.int64),
    }


def _award(rng, vendors: _Vendors, sol: dict) -> tuple[dict, dict]:
    """Bids received, status, winners and award amounts for the solicitations in `sol` (in place)."""
    m = len(sol["method"])
    method, issue = sol["method"], sol["issue"]
    comp = COMPETITIVE[method]
    opened = ~(sol["has_due"] & (sol["due"] > LAST_DAY))
    zero = comp & opened & (rng.random(m) < 0.03)
    lam = 1.4 + 0.35 * _reform(issue) + 0.8 * sol["engaged"]
    k = np.minimum(1 + rng.poisson(lam), 12).astype(float)
    k[zero] = 0
    bids = np.full(m, np.nan)
    bids[comp & opened] = k[comp & opened]
    bids[method == SOLE] = 1
    emergency = method == EMERGENCY
    bids[emergency] = np.where(rng.random(m) < 0.3, 2 + np.floor(rng.random(m) * 2), 1)[emergency]
    small = (method == SMALL) & (rng.random(m) < 0.6)
    bids[small] = (1 + np.floor(rng.random(m) * 3))[small]
    sol["bids"] = bids
    open_ = sol["award_target"] > LAST_DAY
    cancelled = zero | (~open_ & (rng.random(m) < np.where(comp, 0.04, 0.01)))
    awarded = ~open_ & ~cancelled
    status = np.where(awarded, "Awarded", np.where(cancelled, "Cancelled", np.where(
        sol["has_due"] & (sol["due"] <= LAST_DAY), "Under Evaluation", "Open"))).astype(object)
    sol["status"], sol["awarded"] = status, awarded
    with_bids = np.nonzero(comp & opened & (np.nan_to_num(bids) > 0))[0]
    b = _bids_for(rng, vendors, sol, with_bids)
    is_winner = np.where(awarded[b["owner"]], False, None).astype(object)
    is_winner[b["winner_pos"][awarded[b["owner"][b["winner_pos"]]]]] = True
    is_winner[cancelled[b["owner"]]] = False
    b["is_winner"] = is_winner
    winner_vendor = vendors.pick(rng, sol["category"])
    award_amount = np.round(sol["estimate"] * _lognormal(rng, 1.0, 0.08, m), 2)
    won = b["winner_pos"]
    winner_vendor[b["owner"][won]] = b["vendor"][won]
    award_amount[b["owner"][won]] = b["amount"][won]
    sol["vendor"] = np.where(awarded, winner_vendor, -1)
    sol["award_amount"] = np.where(awarded, award_amount, np.nan)
    protest = awarded & np.isin(method, (IFB, RFP)) & (rng.random(m) < 0.035)
    sol["protest"] = np.where(awarded, protest, None).astype(object)
    sol["sustained"] = np.where(protest, rng.random(m) < 0.25, None).astype(object)
    return sol, b


def _engagements(rng, sol: dict, n_target: int) -> dict:
    engaged = np.nonzero(sol["engaged"])[0]
    per = 1 + rng.binomial(2, 0.5, len(engaged))
    linked = np.repeat(engaged, per)
    n_free = max(0, round(0.08 * n_target))  # outreach not tied to one solicitation (vendor fairs)
    first = np.r_[True, linked[1:] != linked[:-1]] if len(linked) else np.zeros(0, dtype=bool)
    kind = rng.choice(len(ENGAGEMENT_TYPES), len(linked), p=ENGAGEMENT_WEIGHT)
    kind[~first & (kind == 0)] = 3  # a second activity is usually the pre-bid conference
    issue = sol["issue"][linked]
    date = np.where(kind == 3, issue + 5 + np.floor(rng.random(len(linked)) * 8),
                    issue - 20 - np.floor(rng.random(len(linked)) * 100)).astype(np.int64)
    free_kind = rng.choice([2, 4, 5], n_free, p=[0.5, 0.3, 0.2])
    free_date = _spiky_days(rng, np.full(n_free, FIRST_DAY), np.full(n_free, LAST_DAY))
    kind = np.concatenate([kind, free_kind])
    date = np.concatenate([date, free_date])
    sol_index = np.concatenate([linked, np.full(n_free, -1)])
    keep = date <= LAST_DAY
    kind, date, sol_index = kind[keep], date[keep], sol_index[keep]
    n = len(kind)
    responses = np.where(np.isin(kind, (0, 1)), 1 + rng.poisson(6, n), np.nan)
    attendees = np.where(kind == 2, 3 + rng.poisson(14, n), np.where(kind == 3, 2 + rng.poisson(7, n),
                         np.where(kind == 4, 1 + np.floor(rng.random(n) * 3), np.nan)))
    attendees = np.where(kind == 6, 2 + rng.poisson(3, n), attendees)
    return {"kind": kind, "date": date, "sol": sol_index, "responses": responses, "attendees": attendees}


# ---------------------------------------------------------------------------------------------
# Contracts, evaluations, payments


def _contracts(rng, vendors: _Vendors, sol: dict, n_target: int) -> dict:
    awarded = np.nonzero(sol["awarded"])[0]
    n_legacy = round(0.17 * n_target)
    chance = CONTRACT_CHANCE[sol["method"][awarded]]
    chance = np.clip(chance * (n_target - n_legacy) / max(chance.sum(), 1e-9), 0, 1)
    src = awarded[rng.random(len(awarded)) < chance]
    n_new = len(src)
    category = np.concatenate([sol["category"][src], rng.choice(len(CATEGORIES), n_legacy, p=CATEGORY_WEIGHT)])
    n = n_new + n_legacy
    cum = np.cumsum(METHOD_MIX, axis=1)[category[n_new:]]
    legacy_method = (rng.random(n_legacy)[:, None] > cum[:, :-1]).sum(axis=1)
    legacy_method[legacy_method == SMALL] = IFB
    method = np.concatenate([sol["method"][src], legacy_method])
    award = np.concatenate([sol["award_target"][src],
                            _day("2018-07-01") + np.floor(rng.random(n_legacy) * (FIRST_DAY - _day("2018-07-01")))
                            ]).astype(np.int64)
    r = _reform(award)
    start = award + 15 + np.floor(rng.random(n) * 31).astype(np.int64)
    snap = rng.random(n) < 0.5  # many contracts start on the first of a month
    first_of_month = (start.astype("datetime64[D]").astype("datetime64[M]") + 1).astype("datetime64[D]")
    start = np.where(snap, first_of_month.astype(np.int64), start)
    executed = award + np.round(_lognormal(rng, 22 - 8 * r, 0.6)).astype(np.int64)
    emergency = method == EMERGENCY
    start = np.where(emergency, award, start)
    executed = np.where(emergency, award + np.floor(rng.random(n) * 6).astype(np.int64), executed)
    years = np.empty(n)
    for c in range(len(CATEGORIES)):
        rows = category == c
        years[rows] = rng.choice(TERM_YEARS[c], rows.sum())
    legacy = np.arange(n) >= n_new
    years = np.where(legacy, 3 + np.floor(rng.random(n) * 5), years)
    years = np.where(emergency, 0.25 + 0.25 * rng.random(n), years)
    end = start + np.round(years * 365.25).astype(np.int64) - 1
    late_legacy = legacy & (end < FIRST_DAY + 60)
    end[late_legacy] = FIRST_DAY + 60 + np.floor(rng.random(late_legacy.sum()) * 1000).astype(np.int64)
    renewals = rng.choice(4, n, p=[0.38, 0.3, 0.22, 0.1])
    renewals[(category == 0) | emergency] = 0
    estimate = CATEGORY_MEDIAN[category] * 1.5 * _lognormal(rng, 1.0, 0.9, n)
    original = np.round(np.concatenate([sol["award_amount"][src], estimate[n_new:]]), 2)
    amendments = rng.poisson(np.where(category == 0, 0.9, 0.3) * np.maximum(years, 0.5))
    growth = amendments * rng.uniform(0.0, np.where(category == 0, 0.1, 0.06), n)
    current = np.round(original * (1 + growth), 2)
    key = (original >= 1_000_000) | (np.isin(category, (2, 5)) & (original >= 250_000)) | (rng.random(n) < 0.05)
    r_start = _reform(start)
    metrics = rng.random(n) < np.where(key, 0.6 + 0.32 * r_start, 0.4 + 0.35 * r_start)
    vendor = np.concatenate([sol["vendor"][src], vendors.pick(rng, category[n_new:])])
    executed = np.where(executed > LAST_DAY, -1, executed)  # not signed yet
    status = np.where(start > LAST_DAY, "Pending", np.where(end < LAST_DAY, "Expired", "Active")).astype(object)
    terminated = (status != "Pending") & (rng.random(n) < 0.015)
    status[terminated] = "Terminated"
    pair = np.concatenate([sol["pair"][src], _purchase(rng, category[n_new:])])
    return {"sol": np.concatenate([src, np.full(n_legacy, -1)]), "category": category, "method": method,
            "award": award, "start": start, "end": end, "executed": executed, "renewals": renewals,
            "original": original, "current": current, "amendments": amendments, "key": key,
            "metrics": metrics, "vendor": vendor, "status": status, "pair": pair, "legacy": legacy}


def _link_past_replacements(rng, sol: dict, con: dict) -> None:
    """Solicitations that re-procured a contract ending in the data window point at it."""
    # Most contracts with no renewal option left were re-procured; some with options were re-bid anyway.
    chance = np.where(con["renewals"] == 0, 0.92, 0.35)
    ended = np.nonzero((con["end"] >= FIRST_DAY + 150) & (con["end"] <= LAST_DAY + 90)
                       & (rng.random(len(con["end"])) < chance))[0]
    if len(ended) == 0:
        return
    # The re-procurement is issued about nine months before the old contract ends. Each solicitation
    # replaces at most one contract: a few rounds of nearest matching on what is still unmatched.
    left = pd.DataFrame({"key": con["end"][ended] - 270, "category": con["category"][ended], "contract": ended})
    left = left.sort_values("key", kind="stable")
    candidates = np.nonzero(sol["awarded"] & (sol["replaces"] < 0))[0]
    right = pd.DataFrame({"key": sol["issue"][candidates], "category": sol["category"][candidates],
                          "sol": candidates}).sort_values("key", kind="stable")
    for _round in range(6):
        if left.empty or right.empty:
            break
        matched = pd.merge_asof(left, right, on="key", by="category", direction="nearest",
                                tolerance=90).dropna().drop_duplicates("sol")
        if matched.empty:
            break
        sol["replaces"][matched["sol"].to_numpy(dtype=np.int64)] = matched["contract"].to_numpy(dtype=np.int64)
        left = left[~left["contract"].isin(matched["contract"])]
        right = right[~right["sol"].isin(matched["sol"])]


def _replacement_solicitations(rng, con: dict) -> dict:
    """Open re-procurements for some contracts expiring after AS_OF (more when expiry is near)."""
    days_left = con["end"] - LAST_DAY
    soon = (days_left > 0) & (days_left <= 540) & (con["status"] != "Terminated")
    no_option = con["renewals"] == 0
    # Re-procurement starts up to ten months before expiry.
    chance = np.where(days_left <= 180, np.where(no_option, 0.65, 0.25),
                      np.where(days_left <= 300, np.where(no_option, 0.3, 0.1), 0.0))
    rows = np.nonzero(soon & (rng.random(len(days_left)) < chance))[0]
    m = len(rows)
    category = con["category"][rows]
    method = con["method"][rows].copy()
    noncompetitive = ~COMPETITIVE[method]
    method[noncompetitive] = np.where(np.isin(category[noncompetitive], (0, 3, 4)), IFB, RFP)
    issue = LAST_DAY - 3 - np.floor(rng.random(m) * 118).astype(np.int64)
    issue = np.maximum(issue, con["end"][rows] - 300)
    issue = np.minimum(issue, LAST_DAY)
    lo, hi = BID_WINDOW[method, 0], BID_WINDOW[method, 1]
    due = issue + lo + np.floor(rng.random(m) * (hi - lo + 1)).astype(np.int64)
    lead = np.round(_lognormal(rng, LEAD_AFTER[method], LEAD_SIGMA[method])).astype(np.int64)
    award_target = np.maximum(issue + np.maximum(lead, due - issue + 7), LAST_DAY + 1)
    estimate = np.round(con["current"][rows] * _lognormal(rng, 1.05, 0.2, m), -2)
    prep = np.maximum(1, np.round(_lognormal(rng, PREP_DAYS[method] * 0.85, 0.5))).astype(np.int64)
    return {
        "category": category, "method": method, "award_target": award_target, "issue": issue, "due": due,
        "has_due": np.ones(m, dtype=bool), "requisition": issue - prep, "no_requisition": rng.random(m) < 0.06,
        "pair": con["pair"][rows], "estimate": estimate,
        "engaged": np.zeros(m, dtype=bool), "replaces": rows.astype(np.int64),
    }


def _evaluations(rng, con: dict, n_target: int) -> dict:
    horizon = LAST_DAY + 90
    span_end = np.minimum(con["end"], horizon)
    started = con["start"] <= LAST_DAY
    anniversaries = np.where(started, np.maximum((span_end - con["start"]) // 365, 0), 0)
    final = started & (con["end"] <= horizon) & ((con["end"] - con["start"]) % 365 > 90)
    per = anniversaries + final
    weight = np.where(con["key"], 1.6, 1.0) * np.where(con["original"] >= 50_000, 1.0, 0.3)
    expected = (per * weight).sum()
    chance = np.clip(weight * n_target / max(expected, 1e-9) * 1.25, 0, 1)  # some fall before FY2023
    chosen = rng.random(len(per)) < chance
    per = np.where(chosen, per, 0)
    contract = np.repeat(np.arange(len(per)), per)
    k = np.arange(len(contract)) - np.repeat(np.cumsum(per) - per, per)
    at = np.where(k < anniversaries[contract], con["start"][contract] + 365 * (k + 1), con["end"][contract])
    due = at + 30
    keep = due >= FIRST_DAY + 30
    contract, due = contract[keep], due[keep]
    n = len(contract)
    r = _reform(due)
    u = rng.random(n)
    on_time = u < 0.55 + 0.25 * r
    late = ~on_time & (u < 0.8 + 0.12 * r)
    completed = np.where(on_time, due - np.floor(rng.random(n) * 30),
                         due + 5 + np.floor(rng.random(n) * 145)).astype(np.int64)
    done = (on_time | late) & (completed <= LAST_DAY)
    not_due = due > LAST_DAY
    done = np.where(not_due, (rng.random(n) < 0.2) & (completed <= LAST_DAY) & on_time, done)
    score = np.clip(np.round(rng.normal(0.82, 0.1, n), 2), 0.2, 1.0)
    score = np.where(done, score, np.nan)
    rating = np.full(n, None, dtype=object)
    for limit, label in reversed(RATINGS):
        rating[done & (score >= limit)] = label
    return {"contract": contract, "due": due, "completed": completed, "done": done, "score": score,
            "rating": rating}


def _payments(rng, vendors: _Vendors, con: dict, n_target: int) -> dict:
    n_contract = round(0.8 * n_target)
    lo = np.maximum(con["start"], FIRST_DAY)
    hi = np.minimum(con["end"] + 30, LAST_DAY)
    active = hi >= lo + 5
    weight = np.where(active, (hi - lo + 1) * np.power(con["current"], 0.4), 0.0)
    counts = rng.multinomial(n_contract, weight / weight.sum())
    term = np.maximum(con["end"] - con["start"], 30)
    share_of_term = np.clip((hi - lo) / term, 0, 1)
    utilisation = rng.uniform(0.65, 1.0, len(counts))
    candidates = np.nonzero((con["end"] < LAST_DAY - 30) & (con["start"] >= FIRST_DAY) & (counts >= 3))[0]
    over = rng.choice(candidates, min(len(candidates), max(3, round(0.01 * len(counts)))), replace=False)
    utilisation[over] = rng.uniform(1.04, 1.2, len(over))
    share_of_term[over] = 1.0
    target = con["current"] * utilisation * share_of_term
    contract = np.repeat(np.arange(len(counts)), counts)
    day = _spiky_days(rng, lo[contract], hi[contract])
    raw = _lognormal(rng, 1.0, 0.7, len(contract))
    total_raw = np.bincount(contract, weights=raw, minlength=len(counts))
    amount = target[contract] * raw / total_raw[contract]
    n_off = n_target - len(contract)
    off_category = rng.choice(len(CATEGORIES), n_off, p=CATEGORY_WEIGHT)
    off_vendor = vendors.pick(rng, off_category)
    off_day = _spiky_days(rng, np.full(n_off, FIRST_DAY), np.full(n_off, LAST_DAY))
    off_amount = np.clip(_lognormal(rng, 2_500, 1.2, n_off), 25, 100_000)
    department = PAIR_DEPARTMENT[np.concatenate([con["pair"][contract], _purchase(rng, off_category)])]
    vendor = np.concatenate([con["vendor"][contract], off_vendor])
    category = np.concatenate([con["category"][contract], vendors.category[off_vendor]])
    day = np.concatenate([day, off_day])
    amount = np.concatenate([amount, off_amount])
    contract = np.concatenate([contract, np.full(n_off, -1)])
    n = len(day)
    refund = rng.random(n) < 0.002
    amount = np.round(np.where(refund, -amount * rng.uniform(0.05, 0.5, n), amount), 2)
    r = _reform(day)
    on_time = rng.random(n) < 0.8 + 0.1 * r
    lag = np.where(on_time, np.clip(np.round(_lognormal(rng, 16.0, 0.45, n)), 2, 30),
                   31 + np.minimum(np.round(rng.exponential(18.0, n)), 150)).astype(np.int64)
    received = day - lag
    invoice = received - np.floor(rng.random(n) * 8).astype(np.int64)
    no_received = rng.random(n) < 0.02
    # One purchase order per contract and fiscal year; most off-contract payments have their own.
    fy = _fiscal_year(day)
    po_key = np.where(contract >= 0, contract * 100 + (fy - 2000), -(np.arange(n) + 1))
    _, po_code = np.unique(po_key, return_inverse=True)
    no_po = (contract < 0) & (rng.random(n) < 0.3)
    order = np.lexsort((rng.random(n), day))  # check-number order: by date, ties at random
    return {"day": day, "amount": amount, "vendor": vendor, "department": department, "category": category,
            "contract": contract, "received": received, "invoice": invoice, "no_received": no_received,
            "po_code": po_code, "no_po": no_po, "fy": fy, "order": order}


def _certify(rng, vendors: _Vendors, pay: dict, n: int) -> dict:
    """Certifications, with M/WBE firms chosen so that they receive about 19% of spend."""
    spend = np.bincount(pay["vendor"], weights=np.maximum(pay["amount"], 0), minlength=n)
    late = np.bincount(pay["vendor"], weights=np.maximum(pay["amount"], 0) * (pay["day"] >= REFORM_DAY),
                       minlength=n)
    late_share = np.divide(late, spend, out=np.zeros(n), where=spend > 0)
    total = spend.sum()
    # Firms with more than 2% of all spend are left out, so the running total cannot overshoot much.
    key = rng.random(n) - 0.25 * vendors.is_small - 0.12 * late_share + np.where(spend > 0.02 * total, 9, 0)
    order = np.argsort(key, kind="stable")
    before = np.cumsum(spend[order]) - spend[order]
    mwbe = np.zeros(n, dtype=bool)
    mwbe[order[before < 0.19 * total]] = True
    # Some certified firms have no spend yet; keep the count share near a quarter of vendors.
    mwbe |= (spend == 0) & (rng.random(n) < 0.2)
    kind = rng.random(n)
    flags = {
        "MBE": mwbe & (kind < 0.65),
        "WBE": mwbe & (kind >= 0.45),  # 20% of M/WBE firms hold both
    }
    flags["DBE"] = flags["MBE"] & (rng.random(n) < 0.3)
    flags["SBE"] = vendors.is_small & (rng.random(n) < 0.35)
    flags["LBE"] = vendors.is_local & (rng.random(n) < 0.4)
    flags["DVBE"] = rng.random(n) < 0.02
    return flags


# ---------------------------------------------------------------------------------------------
# The city


# ---------------------------------------------------------------------------------------------
# Contract performance: key contracts' metrics, quarterly results and vendor check-ins (from FY2025,
# when the reform started active contract management; a few check-ins before it).

# Per category: (code, name, unit, direction, target, spread of a quarter's value around the target).
METRIC_TEMPLATES = (
    (("MILESTONES", "Milestones met on schedule", "percent", "higher", 0.90, 0.05),
     ("SAFETY", "Recordable safety incidents", "count", "lower", 0.0, 0.6)),
    (("FIRST-PASS", "Deliverables accepted on first submission", "percent", "higher", 0.85, 0.06),
     ("SCHEDULE", "Design milestones on schedule", "percent", "higher", 0.90, 0.05)),
    (("ON-TIME", "Deliverables on time", "percent", "higher", 0.90, 0.05),
     ("SATISFACTION", "Client satisfaction (1-5)", "score", "higher", 4.0, 0.3)),
    (("SLA", "Service requests closed within SLA", "percent", "higher", 0.95, 0.03),
     ("RESPONSE", "Average response time", "hours", "lower", 4.0, 0.8)),
    (("FILL-RATE", "Orders filled complete", "percent", "higher", 0.97, 0.02),
     ("LEAD-TIME", "Average delivery lead time", "days", "lower", 5.0, 1.0)),
    (("UPTIME", "System availability", "percent", "higher", 0.995, 0.003),
     ("TICKETS", "Priority tickets resolved within 4 hours", "percent", "higher", 0.90, 0.05)),
)
CHECKIN_CHANCE = {2023: 0.1, 2024: 0.2, 2025: 0.55, 2026: 0.72}  # per key contract and quarter, by fiscal year
CHECKIN_TYPES = np.array(["Quarterly review", "Quarterly review", "Quarterly review", "Site visit", "Call"],
                         dtype=object)
CHECKIN_NOTES = np.array([
    "Reviewed the quarter's results; no issues raised.",
    "Vendor to send a recovery schedule for the late items.",
    "Staffing change on the vendor side; new account manager introduced.",
    "Invoices and backup documentation discussed.",
    "Agreed to report results by the 15th after each quarter.",
    None, None,
], dtype=object)
PERFORMANCE_FROM = _day("2024-07-01")  # FY2025 Q1: the first quarter with results


def _quarter_start(day: np.ndarray) -> np.ndarray:
    """First day of the fiscal quarter (July start) of each day number."""
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return ((months - (months - 6) % 3).astype("datetime64[M]")).astype("datetime64[D]").astype(np.int64)


def _next_quarter(day: np.ndarray) -> np.ndarray:
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 3
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _performance(seed: int, con: dict, con_id: np.ndarray) -> dict[str, pd.DataFrame]:
    """contract_metrics, metric_results and checkins of the key contracts (their own random stream, so the
    other tables do not change). About one key contract in twelve runs off track; one, the longest-running
    IT contract, off track, improves once quarterly check-ins start (FY2025 Q3)."""
    rng = np.random.default_rng([seed, 15])
    active = con["key"] & (con["end"] >= PERFORMANCE_FROM) & (con["start"] <= LAST_DAY)
    measured = np.flatnonzero(active & con["metrics"])
    health = rng.normal(0.0, 1.0, len(con["key"]))
    offtrack = health < -1.4
    it = measured[(con["category"][measured] == 5) & (con["start"][measured] < PERFORMANCE_FROM)
                  & (con["end"][measured] > LAST_DAY)]
    improving = int(it[np.argmin(con["start"][it])]) if len(it) else -1
    metrics, results = [], []
    last_complete = _quarter_start(np.array([LAST_DAY]))[0] - 1  # results of a quarter come after it ends
    for c in measured:
        templates = METRIC_TEMPLATES[con["category"][c]][: 1 + (rng.random() < 0.75)]
        q = _quarter_start(np.array([max(con["start"][c], PERFORMANCE_FROM)]))[0]
        quarters = []
        while True:
            end = _next_quarter(np.array([q]))[0] - 1
            if end > min(last_complete, con["end"][c]):
                break
            quarters.append((q, end))
            q = end + 1
        for code, name, unit, direction, target, spread in templates:
            metrics.append((con_id[c], code, name, unit, direction, target))
            sign = 1.0 if direction == "higher" else -1.0
            for i, (_qs, qe) in enumerate(quarters):
                if rng.random() < 0.13 and c != improving:
                    continue  # not reported that quarter
                lean = 0.9 + 0.3 * health[c] + rng.normal(0, 0.35)
                if offtrack[c]:
                    lean = min(lean, -0.6 + rng.normal(0, 0.3))
                if c == improving:
                    lean = (-1.8, -1.5, -1.1, -0.4, 0.5, 0.8, 1.0, 1.1)[min(i, 7)]
                value = target + sign * spread * lean
                if unit == "percent":
                    value = float(np.clip(round(value, 3), 0.0, 1.0))
                elif unit == "count":
                    value = float(max(0, round(rng.poisson(0.3 + (0.6 if lean < 0 else 0)))))
                else:
                    value = round(max(value, 0.1), 1)
                results.append((con_id[c], code, qe, value))
    checkins = []
    for c in np.flatnonzero(active | (con["key"] & (con["end"] >= FIRST_DAY) & (con["start"] <= LAST_DAY))):
        q = _quarter_start(np.array([max(con["start"][c], FIRST_DAY)]))[0]
        n = 0
        while q <= min(LAST_DAY, con["end"][c]):
            end = _next_quarter(np.array([q]))[0] - 1
            fy = int(_fiscal_year(np.array([q]))[0])
            chance = CHECKIN_CHANCE.get(fy, 0.7) + (0.1 if con["metrics"][c] else -0.1)
            if c == improving:
                chance = 1.0 if q >= _day("2025-01-01") else 0.0
            elapsed = (min(end, LAST_DAY) - q + 1) / (end - q + 1)
            if rng.random() < chance * elapsed:
                day = q + int(rng.random() * (min(end, LAST_DAY) - q + 1))
                actions = int(rng.poisson(2.5 if offtrack[c] else 0.8))
                note = CHECKIN_NOTES[rng.integers(len(CHECKIN_NOTES))]
                if c == improving:
                    actions = max(0, 4 - n)
                    note = ("Corrective action plan agreed: more on-call staff, weekly ticket review." if n == 0
                            else "Progress on the corrective action plan reviewed.")
                checkins.append((con_id[c], day, CHECKIN_TYPES[rng.integers(len(CHECKIN_TYPES))], actions, note))
                n += 1
            q = end + 1
    metric_frame = pd.DataFrame(metrics, columns=["contract_id", "metric_id", "metric_name", "unit", "direction",
                                                  "target"]).sort_values(["contract_id", "metric_id"], kind="stable")
    metric_frame["frequency"] = "quarterly"
    result_frame = pd.DataFrame(results, columns=["contract_id", "metric_id", "period_end", "value"])
    result_frame = result_frame.sort_values(["period_end", "contract_id", "metric_id"], kind="stable")
    result_frame["period_end"] = _dates(result_frame["period_end"].to_numpy(np.int64))
    checkin_frame = pd.DataFrame(checkins, columns=["contract_id", "meeting_date", "meeting_type", "open_actions",
                                                    "notes"]).sort_values(["meeting_date", "contract_id"], kind="stable")
    checkin_frame["meeting_date"] = _dates(checkin_frame["meeting_date"].to_numpy(np.int64))
    checkin_frame["open_actions"] = checkin_frame["open_actions"].astype("Int64")
    return {"contract_metrics": metric_frame.reset_index(drop=True), "metric_results": result_frame.reset_index(drop=True),
            "checkins": checkin_frame.reset_index(drop=True)}


def generate_city(seed: int = 2026, scale: float = 1.0, *, sizes: Mapping[str, int] | None = None
                  ) -> dict[str, pd.DataFrame]:
    """The canonical tables of the sample city (schema columns and dtypes), deterministic per seed.

    `scale` multiplies every table's size (1.0: ~1,500 solicitations, ~25,000 payments); `sizes`
    sets a table's row count directly ("vendors", "solicitations", "contracts", "payments",
    "evaluations", "engagements"; bids follow from solicitations). Counts are approximate except
    payments and vendors, which are exact.
    """
    size = _sizes(scale, sizes)
    rng = np.random.default_rng(seed)
    vendors = _make_vendors(rng, size["vendors"])
    n_vendors = len(vendors.category)

    sol = _solicitation_frame(rng, vendors, round(size["solicitations"] * 0.95))
    sol, bids = _award(rng, vendors, sol)
    con = _contracts(rng, vendors, sol, size["contracts"])
    _link_past_replacements(rng, sol, con)
    rep = _replacement_solicitations(rng, con)
    rep, rep_bids = _award(rng, vendors, rep)
    rep_bids["owner"] = rep_bids["owner"] + len(sol["method"])
    sol = {k: np.concatenate([sol[k], rep[k]]) for k in sol}
    bids = {k: np.concatenate([bids[k], rep_bids[k]]) for k in ("owner", "vendor", "amount", "status", "is_winner")}
    eng = _engagements(rng, sol, size["engagements"])
    ev = _evaluations(rng, con, size["evaluations"])
    pay = _payments(rng, vendors, con, size["payments"])
    flags = _certify(rng, vendors, pay, n_vendors)

    # Ids, as the ERP numbers things; every table is put in its listing order before columns are built.
    vendor_number = rng.choice(3 * n_vendors, n_vendors, replace=False) + 10001
    vendor_id = vendor_number.astype(str).astype(object)
    sol_fy = _fiscal_year(sol["issue"])
    sol_order = np.lexsort((np.arange(len(sol_fy)), sol["issue"]))
    sol_seq = _sequence(sol["method"] * 10_000 + sol_fy, sol_order)
    sol_id = (pd.Series(METHOD_PREFIX[sol["method"]]) + "-" + pd.Series(sol_fy).astype("str") + "-"
              + _zfill(sol_seq, 4)).to_numpy(dtype=object)
    con_fy = _fiscal_year(con["award"])
    con_order = np.lexsort((np.arange(len(con_fy)), con["award"]))
    con_id = ("C" + pd.Series(con_fy).astype("str") + "-" + _zfill(_sequence(con_fy, con_order), 4)
              ).to_numpy(dtype=object)

    o = sol_order
    awarded = sol["awarded"][o]
    method = sol["method"][o]
    basis = np.where(awarded, np.where((method == RFP) & (sol["category"][o] == 1), len(AWARD_BASIS),
                                       method), -1)
    solicitations = pd.DataFrame({
        "solicitation_id": _strings(sol_id[o]),
        "title": _strings(PAIR_TITLE, sol["pair"][o]),
        "department": _strings(DEPARTMENTS, PAIR_DEPARTMENT[sol["pair"][o]]),
        "category": _strings(CATEGORIES, sol["category"][o]),
        "method": _strings(METHOD_NAMES, method),
        "estimated_amount": sol["estimate"][o],
        "requisition_date": _dates(sol["requisition"][o], sol["no_requisition"][o]),
        "issue_date": _dates(sol["issue"][o]),
        "due_date": _dates(sol["due"][o], ~sol["has_due"][o]),
        "award_date": _dates(sol["award_target"][o], ~awarded),
        "status": _strings(sol["status"][o]),
        "bids_received": pd.array(sol["bids"][o], dtype="Float64").astype("Int64"),
        "awarded_amount": sol["award_amount"][o],
        "awarded_vendor_id": _strings(vendor_id, sol["vendor"][o]),
        "awarded_vendor_name": _strings(vendors.name, sol["vendor"][o]),
        "award_basis": _strings([*AWARD_BASIS, "Qualifications-based selection"], basis),
        "protest_filed": pd.array(sol["protest"][o], dtype="boolean"),
        "protest_sustained": pd.array(sol["sustained"][o], dtype="boolean"),
        "replaces_contract_id": _strings(con_id, sol["replaces"][o]),
    })

    listed_at = np.argsort(sol_order, kind="stable")  # where each solicitation is listed
    b = np.lexsort((bids["amount"], listed_at[bids["owner"]]))
    bid_frame = pd.DataFrame({
        "solicitation_id": _strings(sol_id, bids["owner"][b]),
        "vendor_id": _strings(vendor_id, bids["vendor"][b]),
        "vendor_name": _strings(vendors.name, bids["vendor"][b]),
        "bid_amount": bids["amount"][b],
        "is_winner": pd.array(bids["is_winner"][b], dtype="boolean"),
        "status": _strings(bids["status"][b]),
    })

    o = con_order
    contracts = pd.DataFrame({
        "contract_id": _strings(con_id[o]),
        "title": _strings(PAIR_TITLE, con["pair"][o]),
        "department": _strings(DEPARTMENTS, PAIR_DEPARTMENT[con["pair"][o]]),
        "category": _strings(CATEGORIES, con["category"][o]),
        "method": _strings(METHOD_NAMES, con["method"][o]),
        "vendor_id": _strings(vendor_id, con["vendor"][o]),
        "vendor_name": _strings(vendors.name, con["vendor"][o]),
        "solicitation_id": _strings(sol_id, con["sol"][o]),
        "start_date": _dates(con["start"][o]),
        "end_date": _dates(con["end"][o]),
        "original_amount": con["original"][o],
        "current_amount": con["current"][o],
        "amendment_count": pd.array(con["amendments"][o], dtype="Int64"),
        "renewal_options_remaining": pd.array(con["renewals"][o], dtype="Int64"),
        "has_performance_metrics": pd.array(con["metrics"][o], dtype="boolean"),
        "is_key_contract": pd.array(con["key"][o], dtype="boolean"),
        "executed_date": _dates(con["executed"][o], con["executed"][o] < 0),
        "status": _strings(con["status"][o]),
    })

    eng_fy = _fiscal_year(eng["date"])
    o = np.lexsort((np.arange(len(eng_fy)), eng["date"]))
    engagements = pd.DataFrame({
        "engagement_id": "MR-" + pd.Series(eng_fy[o]).astype("str") + "-" + _zfill(_sequence(eng_fy, o)[o], 3),
        "type": _strings(ENGAGEMENT_TYPES, eng["kind"][o]),
        "solicitation_id": _strings(sol_id, eng["sol"][o]),
        "engagement_date": _dates(eng["date"][o]),
        "responses": pd.array(eng["responses"][o], dtype="Float64").astype("Int64"),
        "attendees": pd.array(eng["attendees"][o], dtype="Float64").astype("Int64"),
    })

    o = np.lexsort((np.arange(len(ev["due"])), ev["due"]))
    evaluations = pd.DataFrame({
        "contract_id": _strings(con_id, ev["contract"][o]),
        "vendor_id": _strings(vendor_id, con["vendor"][ev["contract"][o]]),
        "due_date": _dates(ev["due"][o]),
        "completed_date": _dates(ev["completed"][o], ~ev["done"][o]),
        "score": ev["score"][o],
        "rating": _strings(ev["rating"][o]),
    })

    o = pay["order"]
    po = ("P" + pd.Series(pay["fy"][o] % 100).astype("str").str.zfill(2) + "-" + _zfill(pay["po_code"][o] + 1, 6))
    po = po.where(~pay["no_po"][o])
    payments = pd.DataFrame({
        "payment_id": pd.Series(np.arange(len(o)) + 200001).astype("str"),  # check numbers in date order
        "payment_date": _dates(pay["day"][o]),
        "amount": pay["amount"][o],
        "vendor_id": _strings(vendor_id, pay["vendor"][o]),
        "vendor_name": _strings(vendors.name, pay["vendor"][o]),
        "department": _strings(DEPARTMENTS, pay["department"][o]),
        "category": _strings(CATEGORIES, pay["category"][o]),
        "contract_id": _strings(con_id, pay["contract"][o]),
        "po_number": po,
        "invoice_date": _dates(pay["invoice"][o]),
        "invoice_received_date": _dates(pay["received"][o], pay["no_received"][o]),
        "invoice_due_date": _dates(pay["received"][o] + 30, pay["no_received"][o]),
    })

    # Registration precedes a vendor's first bid, award or payment.
    first_seen = np.full(n_vendors, LAST_DAY + 1, dtype=np.int64)
    np.minimum.at(first_seen, bids["vendor"], sol["issue"][bids["owner"]])
    np.minimum.at(first_seen, con["vendor"], con["award"])
    np.minimum.at(first_seen, pay["vendor"], pay["day"])
    seen = first_seen <= LAST_DAY
    registered = np.where(seen, first_seen - 14 - np.round(rng.exponential(900, n_vendors)),
                          _day("2012-01-01") + np.floor(rng.random(n_vendors) * (LAST_DAY - _day("2012-01-01"))))
    registered = np.maximum(registered, _day("2001-01-02")).astype(np.int64)
    codes = ("MBE", "WBE", "DBE", "SBE", "DVBE", "LBE")
    cert_text = pd.Series([""] * n_vendors, dtype=object)
    for code in codes:
        f = flags[code]
        cert_text[f] = cert_text[f] + np.where(cert_text[f] == "", "", "; ") + code
    certified = (cert_text != "").to_numpy()
    expires = LAST_DAY - 200 + np.floor(rng.random(n_vendors) * 1100).astype(np.int64)
    o = np.argsort(vendor_number, kind="stable")
    vendor_frame = pd.DataFrame({
        "vendor_id": _strings(vendor_id[o]),
        "vendor_name": _strings(vendors.name[o]),
        "certifications": _strings(cert_text.where(certified, None).to_numpy(dtype=object)[o]),
        **{f"is_{code.lower()}": pd.array(flags[code][o], dtype="boolean") for code in codes},
        "is_small": pd.array(vendors.is_small[o], dtype="boolean"),
        "is_local": pd.array(vendors.is_local[o], dtype="boolean"),
        "registration_date": _dates(registered[o]),
        "certification_expiration_date": _dates(expires[o], ~certified[o]),
    })

    frames = {"solicitations": solicitations, "bids": bid_frame, "contracts": contracts, "payments": payments,
              "vendors": vendor_frame, "evaluations": evaluations, "engagements": engagements,
              **_performance(seed, con, con_id)}
    return {name: conform(name, frame) for name, frame in frames.items()}


# ---------------------------------------------------------------------------------------------
# ERP-style exports


@dataclass(frozen=True)
class Export:
    file: str
    table: str
    report: str
    columns: tuple[tuple[str, str, str], ...]  # (ERP header, canonical column, format)
    sheet: str | None = None
    totals: tuple[str, ...] = ()  # canonical money columns summed in a "Total" row
    footnote: str | None = None
    date_format: str = "m/d/yyyy"  # Excel number format, or for CSV: "mdy" or "iso"
    encoding: str = "utf-8"


EXPORTS: tuple[Export, ...] = (
    Export("riverton_vendor_master.xlsx", "vendors", "Vendor Master List - Active Vendors", (
        ("Vendor No.", "vendor_id", "id"), ("Vendor Name", "vendor_name", "text"),
        ("Certifications", "certifications", "text"), ("Small Business", "is_small", "yn"),
        ("Local Vendor", "is_local", "yn"), ("Date Registered", "registration_date", "date"),
        ("Cert Expiration", "certification_expiration_date", "date"),
    ), sheet="Vendor Master", date_format="yyyy-mm-dd"),
    Export("riverton_solicitation_log.xlsx", "solicitations", "Solicitation Log - All Methods", (
        ("Solicitation No.", "solicitation_id", "id"), ("Description", "title", "text"),
        ("Department", "department", "text"), ("Commodity", "category", "text"),
        ("Procurement Method", "method", "method"), ("Est. Amount", "estimated_amount", "money"),
        ("Req. Date", "requisition_date", "date"), ("Date Issued", "issue_date", "date"),
        ("Bid Opening", "due_date", "date"), ("Award Date", "award_date", "date"),
        ("Status", "status", "text"), ("No. of Bids", "bids_received", "int"),
        ("Award Amount", "awarded_amount", "money"), ("Awarded Vendor ID", "awarded_vendor_id", "id"),
        ("Awarded Vendor", "awarded_vendor_name", "text"), ("Award Basis", "award_basis", "text"),
        ("Protest Filed", "protest_filed", "yn"), ("Protest Sustained", "protest_sustained", "yn"),
        ("Replaces Contract", "replaces_contract_id", "id"),
    ), sheet="Solicitation Log"),
    Export("riverton_bid_tabulation.xlsx", "bids", "Bid Tabulation Summary", (
        ("Bid No.", "solicitation_id", "id"), ("Vendor No.", "vendor_id", "id"),
        ("Bidder Name", "vendor_name", "text"), ("Bid Total", "bid_amount", "money_text"),
        ("Awarded", "is_winner", "yn"), ("Bid Status", "status", "text"),
    ), sheet="Bid Tabulation",
        footnote="* Bid totals as read aloud at bid opening; corrected totals are in each solicitation file."),
    Export("riverton_contract_register.xlsx", "contracts", "Contract Register", (
        ("Contract #", "contract_id", "id"), ("Description", "title", "text"),
        ("Department", "department", "text"), ("Contract Type", "category", "text"),
        ("Procurement Method", "method", "method"), ("Vendor No.", "vendor_id", "id"),
        ("Vendor Name", "vendor_name", "text"), ("Solicitation No.", "solicitation_id", "id"),
        ("Start Date", "start_date", "date"), ("Exp. Date", "end_date", "date"),
        ("Original Amount", "original_amount", "money"), ("Current Amount", "current_amount", "money"),
        ("Amendments", "amendment_count", "int"), ("Renewal Options", "renewal_options_remaining", "int"),
        ("Performance Metrics", "has_performance_metrics", "yn"), ("Key Contract", "is_key_contract", "yn"),
        ("Executed Date", "executed_date", "date"), ("Status", "status", "text"),
    ), sheet="Contract Register", totals=("original_amount", "current_amount"), date_format="mm/dd/yyyy"),
    Export("riverton_market_research.csv", "engagements", "Market Research and Vendor Outreach Log", (
        ("Activity ID", "engagement_id", "id"), ("Activity Type", "type", "text"),
        ("Solicitation No.", "solicitation_id", "id"), ("Activity Date", "engagement_date", "date"),
        ("Responses Received", "responses", "int"), ("Number of Attendees", "attendees", "int"),
    ), date_format="iso"),
    Export("riverton_vendor_evaluations.csv", "evaluations", "Vendor Performance Evaluations", (
        ("Contract No.", "contract_id", "id"), ("Vendor No.", "vendor_id", "id"),
        ("Evaluation Due Date", "due_date", "date"), ("Completed Date", "completed_date", "date"),
        ("Overall Score", "score", "score100"), ("Overall Rating", "rating", "text"),
    ), date_format="iso"),
    Export("riverton_check_register.csv", "payments", "Accounts Payable Check Register", (
        ("Check No.", "payment_id", "id"), ("Check Date", "payment_date", "date"),
        ("Vendor No.", "vendor_id", "id"), ("Vendor Name", "vendor_name", "text"),
        ("Department", "department", "text"), ("Account Description", "category", "text"),
        ("Contract No.", "contract_id", "id"), ("PO Number", "po_number", "id"),
        ("Invoice Date", "invoice_date", "date"), ("Date Received", "invoice_received_date", "date"),
        ("Invoice Due Date", "invoice_due_date", "date"), ("Check Amount", "amount", "money_text"),
    ), totals=("amount",), date_format="mdy", encoding="utf-8-sig"),
    Export("riverton_contract_kpis.xlsx", "contract_metrics", "Key Contract Performance Measures", (
        ("Contract #", "contract_id", "id"), ("Measure Code", "metric_id", "id"), ("Measure", "metric_name", "text"),
        ("Unit", "unit", "text"), ("Better When", "direction", "better"), ("Target", "target", "measure"),
        ("Reporting", "frequency", "text"),
    ), sheet="Performance Measures"),
    Export("riverton_contract_results.xlsx", "metric_results", "Key Contract Quarterly Results", (
        ("Contract #", "contract_id", "id"), ("Measure Code", "metric_id", "id"),
        ("Quarter Ending", "period_end", "date"), ("Result", "value", "measure"),
    ), sheet="Quarterly Results", date_format="mm/dd/yyyy"),
    Export("riverton_vendor_checkins.csv", "checkins", "Vendor Performance Meetings", (
        ("Contract No.", "contract_id", "id"), ("Meeting Date", "meeting_date", "date"),
        ("Meeting Type", "meeting_type", "text"), ("Open Action Items", "open_actions", "int"),
        ("Notes", "notes", "text"),
    ), date_format="mdy"),
)
assert [e.file for e in EXPORTS] == [name for name, _t in SAMPLE_TABLES]
assert all(e.table == t for e, (_n, t) in zip(EXPORTS, SAMPLE_TABLES, strict=True))


def _money_text(values: np.ndarray) -> list:
    return [None if v != v else (f"(${-v:,.2f})" if v < 0 else f"${v:,.2f}") for v in values.tolist()]


def _cells(frame: pd.DataFrame, column: str, fmt: str, date_format: str, for_csv: bool) -> list:
    """One export column as Python values (CSV: strings; Excel: typed values)."""
    s = frame[column]
    if fmt in ("id", "text"):
        return s.astype(object).where(s.notna(), None).tolist()
    if fmt == "method":
        return s.map(METHOD_LABELS).astype(object).where(s.notna(), None).tolist()
    if fmt == "yn":
        return s.astype(object).map({True: "Y", False: "N"}).astype(object).where(s.notna(), None).tolist()
    if fmt == "int":
        return [None if v is None else (str(v) if for_csv else v)
                for v in s.astype(object).where(s.notna(), None).tolist()]
    if fmt == "better":
        return s.astype(object).map({"higher": "Higher is better", "lower": "Lower is better"}).astype(object) \
            .where(s.notna(), None).tolist()
    if fmt == "measure":  # a percent as the office writes it ("92.5%"), other values as numbers
        percent = _measure_is_percent(frame)
        return [None if v != v else (f"{v * 100:g}%" if pct else (f"{v:g}" if for_csv else v))
                for v, pct in zip(s.tolist(), percent, strict=True)]
    if fmt == "score100":
        return [None if v != v else (str(round(v * 100)) if for_csv else round(v * 100)) for v in s.tolist()]
    if fmt == "money_text":
        return _money_text(s.to_numpy(dtype=float))
    if fmt == "money":
        return [None if v != v else (f"{v:.2f}" if for_csv else v) for v in s.tolist()]
    if fmt == "date":
        days = s.to_numpy(dtype="datetime64[D]")
        if not for_csv:
            return [None if d is None else d for d in days.astype(object).tolist()]
        iso = np.datetime_as_string(days, unit="D")
        if date_format == "iso":
            return [None if t == "NaT" else t for t in iso.tolist()]
        return [None if t == "NaT" else f"{int(t[5:7])}/{int(t[8:10])}/{t[:4]}" for t in iso.tolist()]
    raise ValueError(f"unknown export format {fmt!r}")


_PERCENT_METRICS = {code for group in METRIC_TEMPLATES for code, _n, unit, *_ in group if unit == "percent"}


def _measure_is_percent(frame: pd.DataFrame) -> list[bool]:
    """Per row: whether its value is a percent (the metric's unit, else its code's template)."""
    if "unit" in frame.columns:
        return (frame["unit"] == "percent").fillna(False).tolist()
    return frame["metric_id"].isin(_PERCENT_METRICS).tolist()


def _title_rows(export: Export) -> list[str]:
    return [CITY_NAME, export.report,
            f"Run Date: {RUN_AT:%m/%d/%Y %I:%M %p}    Data through: {AS_OF:%m/%d/%Y}    User: PURCHASING\\RPTSVC"]


def _totals_row(export: Export, frame: pd.DataFrame, for_csv: bool) -> list:
    row: list = [None] * len(export.columns)
    row[0] = "Total"
    for i, (_h, col, fmt) in enumerate(export.columns):
        if col in export.totals:
            total = round(float(frame[col].sum()), 2)
            row[i] = _money_text(np.array([total]))[0] if fmt == "money_text" else (
                f"{total:.2f}" if for_csv else total)
    return row


def _write_csv(export: Export, frame: pd.DataFrame, path: Path) -> None:
    columns = [_cells(frame, col, fmt, export.date_format, True) for _h, col, fmt in export.columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for line in _title_rows(export):
        writer.writerow([line])
    writer.writerow([])
    writer.writerow([h for h, _c, _f in export.columns])
    writer.writerows(zip(*columns, strict=True))
    if export.totals:
        writer.writerow(_totals_row(export, frame, True))
    if export.footnote:
        writer.writerow([export.footnote])
    path.write_bytes(buf.getvalue().encode(export.encoding))


def _write_xlsx(export: Export, frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    wb.properties.creator = "Riverton ERP Reporting"
    wb.properties.created = wb.properties.modified = RUN_AT
    ws = wb.create_sheet(export.sheet or "Sheet1")
    for i, (header, _c, fmt) in enumerate(export.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = {"text": 34, "money": 15, "date": 12}.get(
            fmt, max(11, len(header) + 2))
    bold, big = Font(bold=True), Font(bold=True, size=14)
    fill = PatternFill("solid", fgColor="D9E1F2")

    def styled(value, font=None, number_format=None, align=None):
        cell = WriteOnlyCell(ws, value=value)
        if font:
            cell.font = font
        if number_format:
            cell.number_format = number_format
        if align:
            cell.alignment = align
        return cell

    title = _title_rows(export)
    ws.append([styled(title[0], big)])
    ws.append([styled(title[1], bold)])
    ws.append([title[2]])
    ws.append([])
    wrap = Alignment(wrap_text=True, vertical="bottom")
    header = []
    for h, _c, _f in export.columns:
        cell = styled(h, bold, align=wrap)
        cell.fill = fill
        header.append(cell)
    ws.append(header)
    columns = [_cells(frame, col, fmt, export.date_format, False) for _h, col, fmt in export.columns]
    formats = [export.date_format if fmt == "date" else "#,##0.00" if fmt == "money" else None
               for _h, _c, fmt in export.columns]
    for values in zip(*columns, strict=True):
        ws.append([styled(v, number_format=f) if f and v is not None else v
                   for v, f in zip(values, formats, strict=True)])
    if export.totals:
        ws.append([])
        ws.append([styled(v, bold, "#,##0.00" if isinstance(v, float) else None)
                   for v in _totals_row(export, frame, False)])
    if export.footnote:
        ws.append([])
        ws.append([export.footnote])
    wb.save(path)
    _freeze_zip(path)


def _freeze_zip(path: Path) -> None:
    """Rewrite an .xlsx with fixed entry times and document dates so that it is byte-identical."""
    stamp = (RUN_AT.year, RUN_AT.month, RUN_AT.day, RUN_AT.hour, RUN_AT.minute, RUN_AT.second)
    iso = RUN_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + iso.encode(), data)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data, compresslevel=9)
    path.write_bytes(buf.getvalue())


def write_exports(tables: Mapping[str, pd.DataFrame], outdir: str | Path) -> list[Path]:
    """Write the city's tables as ERP-style exports (title block, ERP headers, totals); returns the paths.

    Excel files for vendors, solicitations, bids and contracts; CSV for market research, evaluations
    (ISO dates) and the check register (M/D/YYYY dates, "$1,234.56" amounts, UTF-8 with BOM, CRLF).
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for export in EXPORTS:
        path = outdir / export.file
        frame = tables[export.table]
        if path.suffix == ".csv":
            _write_csv(export, frame, path)
        else:
            _write_xlsx(export, frame, path)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    outdir = Path(argv[0]) if argv else SAMPLE_DIR
    tables = generate_city()
    paths = write_exports(tables, outdir)
    from sample_data.database import DATABASE_FILE, write_database  # the same city as a SQLite database

    paths.append(write_database(tables, outdir / DATABASE_FILE))
    total = 0
    for path in paths:
        size = path.stat().st_size
        total += size
        print(f"{path.name:38} {size / 1024:8.0f} KB")
    print(f"{'total':38} {total / 1024:8.0f} KB  ({', '.join(f'{k} {len(v):,}' for k, v in tables.items())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
