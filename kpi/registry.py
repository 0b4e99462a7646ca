"""The KPI registry: every KPI of DESIGN.md declared once, as data (its one definition, kpi/sql/measures.py,
is the function of the same name)."""

from __future__ import annotations

from dataclasses import dataclass, replace

THEMES = ("Speed", "Competition", "Equity", "Value", "Contracts", "Payments", "Market research", "Data quality")
UNITS = ("days", "share", "count", "dollars", "ratio", "bids")
DIRECTIONS = ("higher", "lower", None)
KINDS = ("ratio", "duration", "mean", "count", "distinct", "lift", "snapshot_ratio", "snapshot_count")
OFFICE = "set by your office"


@dataclass(frozen=True)
class Goal:
    """A target and an at-risk limit (both inclusive) and where they come from; target None = no goal."""

    target: float | None
    at_risk: float | None
    source: str = ""
    note: str = ""

    def __getitem__(self, key):  # goal["target"] works as well as goal.target
        return getattr(self, key)

    def get(self, key, default=None):
        return getattr(self, key, default)


@dataclass(frozen=True)
class KPI:
    id: str
    title: str
    theme: str
    definition: str
    formula: str
    unit: str
    direction: str | None
    needs: tuple[str, ...]
    goal: Goal | None
    breakdowns: tuple[str, ...]
    example: str
    kind: str
    noun: str = "records"
    why: str = ""
    # For a dollar-weighted share: how its numerator and denominator read ("{num} of {den} paid").
    dollars: str = ""
    # One record per period of the report's grain (the measure reads Context.grain): the latest result in
    # a fiscal year is not the latest in each of its quarters.
    per_period: bool = False

    @property
    def is_duration(self) -> bool:
        return self.kind == "duration"


SOL = ("department", "category", "method")
SOLV = SOL + ("vendor",)
PAY = ("department", "category", "vendor", "method")
CTR = ("department", "category", "method", "vendor")

_AWARD_BASIS = "Date basis: award_date."
_BID_BASIS = ("Date basis: the bid opening (due_date; the award date, then the issue date, where it is missing). "
              "Only invitations for bid, requests for proposals and requests for quotes count. An export without "
              "bids_received takes the bids table's distinct bidders per solicitation (0 where it lists none); a "
              "blank bids_received, the bids table's bidders where it lists any.")


def _k(**kw) -> KPI:
    return KPI(**kw)


_ENTRIES = [
    # ------------------------------------------------------------------ Speed
    _k(id="procurement_lead_time_days", title="Procurement lead time", theme="Speed",
       definition="Median days from issuing a solicitation to awarding it, over the solicitations awarded in the "
                  "period (procurement administrative lead time, as in US federal PALT).",
       formula="Median (and 90th percentile) of award_date - issue_date in days, over solicitations with both "
               "dates. " + _AWARD_BASIS + " Excluded: not awarded, issue_date missing, award before issue "
               "(negative duration).",
       unit="days", direction="lower", kind="duration",
       needs=("solicitations.issue_date", "solicitations.award_date"),
       goal=Goal(60, 90, "Bonfire study of 6,000+ public RFPs: average 57 days; definition as US federal PALT "
                        "(FY2019 NDAA sec. 878)"),
       breakdowns=SOLV, noun="awards",
       example="Three solicitations awarded on 30 Nov 2025 were issued on 31 Oct, 1 Oct and 2 Sep 2025: 30, 60 "
               "and 89 days. FY2026 Q2 median = 60 days, 90th percentile = 60 + 0.8 x 29 = 83.2 days, n = 3. "
               "A fourth, issued but not awarded, is excluded (not awarded).",
       why="Lead time is what departments feel: the wait between going to market and having a contractor."),
    _k(id="requisition_to_award_days", title="Requisition to award", theme="Speed",
       definition="Median days from a department's requisition to the award, over the solicitations awarded in "
                  "the period; break it down by method and value band.",
       formula="Median (and 90th percentile) of award_date - requisition_date in days. " + _AWARD_BASIS +
               " Excluded: not awarded, requisition_date missing, award before requisition (negative duration).",
       unit="days", direction="lower", kind="duration",
       needs=("solicitations.requisition_date", "solicitations.award_date"),
       goal=Goal(90, 120, "Nashville FY2021: RFP 123 days, ITB 77 days"),
       breakdowns=SOLV, noun="awards",
       example="Requisitions of 1 Jul and 31 Aug 2025 awarded on 29 Sep 2025 (90 and 29 days): FY2026 Q1 median = "
               "59.5 days, n = 2. An award with no requisition date is excluded (requisition_date missing).",
       why="The whole cycle a department waits through, including the time before a solicitation goes out."),
    _k(id="within_cycle_goal_share", title="Awards within cycle-time goal", theme="Speed",
       definition="Share of awards made within the cycle-time goal (days from requisition to award) for their "
                  "method and value band; the goals are kpi.settings.CYCLE_TIME_GOALS (e.g. invitation for bid: "
                  "60 days under $100,000, 90 under $1,000,000, 120 above), starting points an office sets.",
       formula="Awards with award_date - requisition_date <= the goal for their method and value band (awarded "
               "amount, else estimated) / awards with both dates. " + _AWARD_BASIS + " Excluded: not awarded, "
               "requisition_date missing, negative duration, method without a goal, amount unknown.",
       unit="share", direction="higher", kind="ratio",
       needs=("solicitations.requisition_date", "solicitations.award_date", "solicitations.method"),
       goal=Goal(0.80, 0.70, OFFICE), breakdowns=SOLV, noun="awards",
       example="Two invitations for bid of $50,000 awarded in FY2026 Q1 after 55 and 70 days (goal 60 days): "
               "1 of 2 within goal = 50%, n = 2.",
       why="One number for 'are we as fast as we promised', fair across small quotes and large RFPs."),
    _k(id="decision_days", title="Bid opening to award", theme="Speed",
       definition="Median days from the bid due date (opening) to the award, over the solicitations awarded in "
                  "the period.",
       formula="Median (and 90th percentile) of award_date - due_date in days. " + _AWARD_BASIS +
               " Excluded: not awarded, due_date missing, award before due date (negative duration).",
       unit="days", direction="lower", kind="duration",
       needs=("solicitations.due_date", "solicitations.award_date"),
       goal=Goal(60, 120, "EU Single Market Scoreboard (decision speed): under 120 days"),
       breakdowns=SOLV, noun="awards",
       example="Bids due 1 Oct and 1 Nov 2025, both awarded 1 Dec 2025 (61 and 30 days): FY2026 Q2 median = "
               "45.5 days, n = 2. An award dated before its due date is excluded (negative duration).",
       why="Evaluation and approval time: the part of the cycle fully inside the office's control."),
    _k(id="late_contract_share", title="Contracts executed late", theme="Speed",
       definition="Share of contracts fully executed (signed) after their start date, over the contracts "
                  "starting in the period.",
       formula="Contracts with executed_date > start_date / contracts with both dates. Date basis: start_date. "
               "Excluded: start_date missing, executed_date missing.",
       unit="share", direction="lower", kind="ratio",
       needs=("contracts.start_date", "contracts.executed_date"),
       goal=Goal(0.10, 0.20, "NYC MOCS: 81% of actions on time, FY2023"),
       breakdowns=CTR, noun="contracts",
       example="Four contracts start in FY2026 Q1; one was executed 10 days after its start, three before or on "
               "it: 25%, n = 4. A contract with no executed date is excluded.",
       why="Work that starts before the contract is signed is work without terms, insurance or a price."),
    # ------------------------------------------------------------------ Competition
    _k(id="bids_per_solicitation", title="Bids per solicitation", theme="Competition",
       definition="Mean number of bids received per competitive solicitation (invitation for bid, request for "
                  "proposals, request for quotes) whose bids were due in the period.",
       formula="Sum of bids_received / competitive solicitations with bids_received. " + _BID_BASIS +
               " Excluded: not competitive, bids not yet due at the as-of date, bids_received missing.",
       unit="bids", direction="higher", kind="mean",
       needs=("solicitations.bids_received|bids.solicitation_id", "solicitations.method"),
       goal=Goal(3.0, 2.0, "Local governments average 2-3 bids"),
       breakdowns=SOL, noun="solicitations",
       example="Three invitations for bid due in FY2026 Q1 received 1, 2 and 6 bids: mean 3.0, n = 3. A sole "
               "source in the same quarter is excluded (not competitive).",
       why="More bidders mean better prices and less dependence on incumbents (RDC8)."),
    _k(id="single_bid_share", title="Single-bid solicitations", theme="Competition",
       definition="Share of competitive solicitations whose bids were due in the period that received exactly "
                  "one bid.",
       formula="Competitive solicitations with bids_received = 1 / competitive solicitations with bids_received. "
               + _BID_BASIS + " Excluded: not competitive, not yet due, bids_received missing.",
       unit="share", direction="lower", kind="ratio",
       needs=("solicitations.bids_received|bids.solicitation_id", "solicitations.method"),
       goal=Goal(0.10, 0.20, "EU Single Market Scoreboard (single bidder)"),
       breakdowns=SOL, noun="solicitations",
       example="Of four competitive solicitations due in FY2026 Q1, one received a single bid: 25%, n = 4.",
       why="A single bid is competition in name only; the Open Contracting red flag R018."),
    _k(id="no_bid_share", title="Solicitations with no bids", theme="Competition",
       definition="Share of competitive solicitations whose bids were due in the period that received no bid.",
       formula="Competitive solicitations with bids_received = 0 / competitive solicitations with bids_received. "
               + _BID_BASIS + " Excluded: not competitive, not yet due, bids_received missing.",
       unit="share", direction="lower", kind="ratio",
       needs=("solicitations.bids_received|bids.solicitation_id", "solicitations.method"),
       goal=Goal(0.05, 0.10, OFFICE), breakdowns=SOL, noun="solicitations",
       example="Of five competitive solicitations due in FY2026 Q1, one received no bid: 20%, n = 5.",
       why="A solicitation nobody answers costs a re-bid: a sign of specs or terms the market will not take."),
    _k(id="noncompetitive_share", title="Non-competitive award dollars", theme="Competition",
       definition="Share of award dollars in the period awarded by sole source, emergency or exempt procurement.",
       formula="Sum of awarded_amount of sole source, emergency and exempt awards / sum of awarded_amount of all "
               "awards. " + _AWARD_BASIS + " Excluded: not awarded, method not recognised or missing, awarded_amount missing, "
               "zero or negative.",
       unit="share", direction="lower", kind="ratio",
       needs=("solicitations.award_date", "solicitations.awarded_amount", "solicitations.method"),
       goal=Goal(0.05, 0.10, "EU Single Market Scoreboard ('no calls for bids')"),
       breakdowns=SOLV, noun="awards",
       example="FY2026 Q1 awards: invitation for bid $800,000, sole source $150,000, emergency $50,000: "
               "($150,000 + $50,000) / $1,000,000 = 20%, n = 3. A $0 award is excluded.",
       why="Dollars awarded without competition are where value and trust are most at risk."),
    _k(id="emergency_share", title="Emergency award dollars", theme="Competition",
       definition="Share of award dollars in the period awarded as emergency procurements.",
       formula="Sum of awarded_amount of emergency awards / sum of awarded_amount of all awards. " + _AWARD_BASIS +
               " Excluded: not awarded, method not recognised or missing, awarded_amount missing, zero or negative.",
       unit="share", direction="lower", kind="ratio",
       needs=("solicitations.award_date", "solicitations.awarded_amount", "solicitations.method"),
       goal=Goal(0.02, 0.05, OFFICE), breakdowns=SOLV, noun="awards",
       example="FY2026 Q1 awards: invitation for bid $800,000, sole source $150,000, emergency $50,000: "
               "$50,000 / $1,000,000 = 5%, n = 3.",
       why="Emergencies bypass competition; a rising share often means planning, not emergencies."),
    _k(id="cancelled_solicitation_share", title="Cancelled solicitations", theme="Competition",
       definition="Share of solicitations issued in the period whose status is cancelled (any status containing "
                  "'cancel').",
       formula="Solicitations with a cancelled status / solicitations with an issue_date and a status. Date "
               "basis: issue_date. Excluded: issue_date missing (never issued), status missing.",
       unit="share", direction="lower", kind="ratio",
       needs=("solicitations.issue_date", "solicitations.status"),
       goal=Goal(0.05, 0.10, OFFICE), breakdowns=SOL, noun="solicitations",
       example="Four solicitations issued in FY2026 Q1, one 'Cancelled': 25%, n = 4. One with no status is "
               "excluded.",
       why="Every cancellation is vendor effort and staff time lost, and a delay for the department."),
    _k(id="first_time_vendor_share", title="Awards to first-time vendors", theme="Competition",
       definition="Share of awards in the period made to vendors with no award in the previous 3 fiscal years "
                  "(vendors matched by id, else by normalised name; history is whatever award data is loaded, so "
                  "in the first three fiscal years of data more vendors look new than are).",
       formula="Awards whose vendor has no award in fiscal years F-3 to F-1 (F = the award's fiscal year) / "
               "awards. " + _AWARD_BASIS + " Excluded: not awarded, awarded vendor missing.",
       unit="share", direction="higher", kind="ratio",
       needs=("solicitations.award_date", "solicitations.awarded_vendor_id|solicitations.awarded_vendor_name"),
       goal=Goal(0.20, 0.10, OFFICE + " (RDC8)"), breakdowns=SOLV, noun="awards",
       example="FY2026 awards to V1, V2 and V3; V1 also won in FY2024, V2 last won in FY2022 (four years "
               "earlier), V3 never: V2 and V3 are first-time, 2 / 3 = 66.7%, n = 3.",
       why="New vendors are the evidence that outreach and simpler bidding widen the market (RDC8)."),
    _k(id="active_bidder_count", title="Active bidders", theme="Competition",
       definition="Number of distinct vendors that bid on a solicitation whose bids were due in the period "
                  "(vendors matched by id, else by normalised name).",
       formula="Distinct bidders in the bids table. Date basis: the bid opening of the solicitation bid on "
               "(due_date; award or issue date where missing). Excluded: solicitation not found, bidder missing, "
               "bids not yet due. n = bids.",
       unit="count", direction="higher", kind="distinct",
       needs=("bids.solicitation_id", "bids.vendor_id|bids.vendor_name", "solicitations.due_date"),
       goal=None, breakdowns=SOLV, noun="bids",
       example="Five bids on two solicitations due in FY2026 Q1 from Acme, ACME Inc., Beta and Gamma twice: 3 "
               "distinct bidders (Acme and ACME Inc. are one vendor), n = 5.",
       why="The size of the market that actually shows up; no default goal because it scales with the city."),
    _k(id="protest_rate", title="Awards protested", theme="Competition",
       definition="Share of awards in the period that were protested (a blank protest flag counts as no "
                  "protest); the share of protests sustained is shown beside it.",
       formula="Awards with protest_filed / awards; sustained_share = awards with protest_sustained / protested "
               "awards. " + _AWARD_BASIS + " Excluded: not awarded.",
       unit="share", direction="lower", kind="ratio",
       needs=("solicitations.award_date", "solicitations.protest_filed"),
       goal=Goal(0.02, 0.05, OFFICE), breakdowns=SOLV, noun="awards",
       example="Ten awards in FY2026 Q1, one protested (not sustained): 10%, n = 10, sustained share 0%.",
       why="Protests delay awards and signal evaluations vendors do not trust."),
    # ------------------------------------------------------------------ Equity
    _k(id="mwbe_spend_share", title="M/WBE spend", theme="Equity",
       definition="Share of payment dollars in the period paid to certified minority- or women-owned firms "
                  "(vendor list is_mbe or is_wbe, matched by vendor id, else normalised name; a certification "
                  "past its expiration date does not count).",
       formula="Sum of amount of payments to M/WBE-certified vendors / sum of amount of all payments (net of "
               "refunds). Date basis: payment_date. Excluded: amount missing. Vendors not in the vendor list "
               "count as not certified.",
       unit="share", direction="higher", kind="ratio",
       needs=("payments.payment_date", "payments.amount", "payments.vendor_id|payments.vendor_name",
              "vendors.is_mbe|vendors.is_wbe"),
       goal=Goal(0.25, 0.15, OFFICE + " (NYC reached 36% in FY2025)"), breakdowns=PAY, noun="payments",
       example="FY2026 Q1 payments: $30,000 to an MBE, $10,000 to a WBE found by name only ('Beta Co.' = 'BETA "
               "CO'), $60,000 to others: $40,000 / $100,000 = 40%, n = 3.",
       why="Where public money goes is the most direct measure of an equity program."),
    _k(id="mwbe_award_share", title="M/WBE award dollars", theme="Equity",
       definition="Share of award dollars in the period awarded to certified minority- or women-owned firms (the "
                  "solicitation's own is_mbe/is_wbe flags, or the vendor list matched by awarded vendor id or "
                  "normalised name).",
       formula="Sum of awarded_amount of awards to M/WBE firms / sum of awarded_amount of all awards. " +
               _AWARD_BASIS + " Excluded: not awarded, awarded_amount missing, zero or negative.",
       unit="share", direction="higher", kind="ratio",
       needs=("solicitations.award_date", "solicitations.awarded_amount",
              "solicitations.is_mbe|solicitations.is_wbe|vendors.is_mbe|vendors.is_wbe"),
       goal=Goal(0.25, 0.15, OFFICE + " (as M/WBE spend)"), breakdowns=SOLV, noun="awards",
       example="FY2026 Q1 awards of $100,000 (flagged WBE), $300,000 (vendor list MBE) and $600,000 (neither): "
               "40%, n = 3.",
       why="Awards lead spend: they show the pipeline of M/WBE work before the payments arrive."),
    _k(id="small_business_share", title="Small business spend", theme="Equity",
       definition="Share of payment dollars in the period paid to small businesses (vendor list is_small or "
                  "is_sbe).",
       formula="Sum of amount of payments to small vendors / sum of amount of all payments. Date basis: "
               "payment_date. Excluded: amount missing.",
       unit="share", direction="higher", kind="ratio",
       needs=("payments.payment_date", "payments.amount", "payments.vendor_id|payments.vendor_name",
              "vendors.is_small|vendors.is_sbe"),
       goal=Goal(0.23, 0.18, "US federal statutory small business goal: 23%"), breakdowns=PAY, noun="payments",
       example="FY2026 Q1: $25,000 to a small business, $75,000 to others: 25%, n = 2.",
       why="Small firms are most of the local economy and the most sensitive to how the city buys."),
    _k(id="local_spend_share", title="Local spend", theme="Equity",
       definition="Share of payment dollars in the period paid to local vendors (vendor list is_local or is_lbe).",
       formula="Sum of amount of payments to local vendors / sum of amount of all payments. Date basis: "
               "payment_date. Excluded: amount missing.",
       unit="share", direction="higher", kind="ratio",
       needs=("payments.payment_date", "payments.amount", "payments.vendor_id|payments.vendor_name",
              "vendors.is_local|vendors.is_lbe"),
       goal=Goal(0.40, 0.30, OFFICE), breakdowns=PAY, noun="payments",
       example="FY2026 Q1: $60,000 to local vendors, $40,000 to others: 60%, n = 2.",
       why="Local spend keeps public money circulating in the community that pays the taxes."),
    _k(id="diverse_bid_share", title="Bids from certified firms", theme="Equity",
       definition="Share of bids on solicitations whose bids were due in the period that came from firms holding "
                  "any certification of the vendor list (MBE, WBE, DBE, SBE, DVBE, LBE).",
       formula="Bids from certified vendors / bids. Date basis: the solicitation's bid opening (due_date; award "
               "or issue date where missing). Excluded: solicitation not found, bidder missing, not yet due.",
       unit="share", direction="higher", kind="ratio",
       needs=("bids.solicitation_id", "bids.vendor_id|bids.vendor_name", "solicitations.due_date",
              "vendors.is_mbe|vendors.is_wbe|vendors.is_dbe|vendors.is_sbe|vendors.is_dvbe|vendors.is_lbe"),
       goal=Goal(0.25, 0.15, OFFICE), breakdowns=SOLV, noun="bids",
       example="Four bids due in FY2026 Q1, one from an MBE-certified firm: 25%, n = 4.",
       why="Certified firms have to bid before they can win: participation comes before awards."),
    # ------------------------------------------------------------------ Value
    _k(id="spend_under_contract_share", title="Spend under contract", theme="Value",
       definition="Share of payment dollars in the period paid under a contract (a payment with a contract_id).",
       formula="Sum of amount of payments with a contract_id / sum of amount of all payments. Date basis: "
               "payment_date. Excluded: amount missing.",
       unit="share", direction="higher", kind="ratio",
       needs=("payments.payment_date", "payments.amount", "payments.contract_id"),
       goal=Goal(0.80, 0.70, OFFICE), breakdowns=PAY, noun="payments",
       example="FY2026 Q1: $90,000 paid under contracts, $10,000 without: 90%, n = 2.",
       why="Spend outside contracts is spend without negotiated prices, terms or oversight."),
    _k(id="savings_rate", title="Savings against estimate", theme="Value",
       definition="Dollar-weighted savings of competitive awards in the period against their estimate: "
                  "(estimated - awarded) / estimated.",
       formula="Sum of (estimated_amount - awarded_amount) / sum of estimated_amount over competitive awards "
               "with both amounts. " + _AWARD_BASIS + " Excluded: not awarded, not competitive, "
               "estimated_amount missing or zero, awarded_amount missing, zero or negative.",
       unit="share", direction="higher", kind="ratio",
       needs=("solicitations.estimated_amount", "solicitations.awarded_amount", "solicitations.award_date",
              "solicitations.method"),
       goal=Goal(0.05, 0.0, "Context: 6-8% cited in industry"), breakdowns=SOLV, noun="awards",
       example="FY2026 Q1: estimate $100,000 awarded $90,000; estimate $300,000 awarded $290,000: "
               "$20,000 / $400,000 = 5%, n = 2. A sole source is excluded (not competitive).",
       why="Competition's price effect, as leadership asks about it; estimates are only as good as the office's."),
    _k(id="cooperative_share", title="Cooperative award dollars", theme="Value",
       definition="Share of award dollars in the period awarded through cooperative (piggyback, joint) "
                  "contracts.",
       formula="Sum of awarded_amount of cooperative awards / sum of awarded_amount of all awards. " +
               _AWARD_BASIS + " Excluded: not awarded, method not recognised or missing, awarded_amount missing, zero or negative.",
       unit="share", direction="higher", kind="ratio",
       needs=("solicitations.award_date", "solicitations.awarded_amount", "solicitations.method"),
       goal=Goal(0.10, 0.05, "EU Single Market Scoreboard ('aggregation'): 10% or more"),
       breakdowns=SOLV, noun="awards",
       example="FY2026 Q1 awards: cooperative $120,000, invitation for bid $880,000: 12%, n = 2.",
       why="Buying together gets volume prices and saves a solicitation."),
    # ------------------------------------------------------------------ Contracts
    _k(id="expiring_without_replacement", title="Expiring without replacement", theme="Contracts",
       definition="Number of contracts ending within 180 days after the reference date (the as-of date; for a "
                  "past period its last day) that have no renewal option left and no replacement solicitation "
                  "under way (a solicitation that replaces it, not cancelled, started by then); the 90- and "
                  "365-day counts are shown beside it.",
       formula="Count of contracts with reference date < end_date <= reference date + 180 days, start_date <= "
               "reference date, renewal_options_remaining 0 or blank, and no replacement. n = all contracts "
               "ending in that window. Date basis: each period's last day (the as-of date for the current "
               "period). Excluded: no end date (an open-ended contract never expires), end before start. No data "
               "without solicitations that name the contract they replace (replaces_contract_id): the "
               "replacement check cannot be made.",
       unit="count", direction="lower", kind="snapshot_count",
       needs=("contracts.end_date", "solicitations.replaces_contract_id"),
       goal=Goal(0, 3, "Design default (RDC5 active contract management)"), breakdowns=CTR, noun="contracts",
       example="As of 31 Mar 2026: CTR-EXPIRES-IN-60 (no options, no replacement) counts; CTR-EXPIRES-IN-90 with "
               "a replacement solicitation issued 1 Feb 2026 does not; CTR-RENEWABLE (1 option) does not; "
               "CTR-EXPIRES-IN-300 is outside 180 days: value 1, n = 3; value_365 = 2.",
       why="A contract that lapses with nothing behind it forces an emergency or sole-source purchase."),
    _k(id="contracts_with_metrics_share", title="Key contracts with performance metrics", theme="Contracts",
       definition="Share of key contracts active at the reference date (the period's last day, or the as-of date "
                  "for the current period) that have performance metrics: a row in contract_metrics, or the "
                  "has_performance_metrics flag (a blank flag and no row count as none).",
       formula="Key contracts (is_key_contract) with start_date <= reference date <= end_date that have a "
               "contract_metrics row or has_performance_metrics / key contracts active then. Date basis: each "
               "period's last day (as-of date for the current period); a contract with no end date is "
               "open-ended, active from its start. Excluded: not a key contract, start_date missing.",
       unit="share", direction="higher", kind="snapshot_ratio",
       needs=("contracts.is_key_contract", "contracts.has_performance_metrics|contract_metrics.contract_id",
              "contracts.start_date"),
       goal=Goal(1.0, 0.80, "RDC2 (What Works Cities): key contracts measure outcomes"),
       breakdowns=CTR, noun="key contracts",
       example="On 30 Jun 2026 five key contracts are active: three flagged as having metrics, one not flagged "
               "but with a row in contract_metrics, one with neither: FY2026 = 4 / 5 = 80%, n = 5. A key "
               "contract that ended on 31 May 2026 is not counted for FY2026; non-key contracts are excluded.",
       why="A contract without outcome measures cannot tell the office whether it worked (RDC2)."),
    _k(id="evaluation_completion_rate", title="Vendor evaluations on time", theme="Contracts",
       definition="Share of vendor performance evaluations due in the period (and due by the as-of date) that "
                  "were completed by their due date.",
       formula="Evaluations with completed_date <= due_date / evaluations with due_date in the period and "
               "due_date <= as-of date. Date basis: due_date. Excluded: due_date missing, not yet due.",
       unit="share", direction="higher", kind="ratio",
       needs=("evaluations.due_date", "evaluations.completed_date"),
       goal=Goal(1.0, 0.80, "US OFPP: 100% of required evaluations"), breakdowns=CTR, noun="evaluations",
       example="Four evaluations due in FY2026 Q1: two completed on time, one late, one never: 50%, n = 4. One "
               "due after the as-of date is excluded (not yet due).",
       why="Evaluations are how past performance informs renewals and awards (RDC3, RDC6)."),
    _k(id="quarterly_checkin_rate", title="Key contracts checked in on each quarter", theme="Contracts",
       definition="Share of (key contract, fiscal quarter) pairs with at least one performance check-in with the "
                  "vendor dated in that quarter, over the quarters of the period in which the contract is active "
                  "on at least one day; quarters after the as-of date are left out.",
       formula="Pairs (key contract, fiscal quarter) with start_date <= quarter end and end_date >= quarter "
               "start (a blank end date: still active) and quarter start <= as-of date; numerator: pairs with a "
               "checkins row of the contract whose meeting_date is in the quarter (and on or before the as-of "
               "date). Date basis: the quarter's first day (a fiscal year counts its quarters; at monthly grain "
               "a quarter falls in its first month). Excluded: key contracts with start_date missing or ending "
               "before they start. Check-ins of contracts not in the contracts table are named in a note.",
       unit="share", direction="higher", kind="ratio",
       needs=("contracts.is_key_contract", "contracts.start_date", "checkins.contract_id", "checkins.meeting_date"),
       goal=Goal(1.0, 0.75, "RDC5 (What Works Cities): engage contractors at least quarterly"),
       breakdowns=CTR, noun="contract quarters",
       example="As of 15 Jan 2026: CTR-ENDS-DEC (key, 1 Jul - 31 Dec 2025) is active in FY2026 Q1 and Q2; "
               "CTR-OPEN-ENDED (key, from 31 Dec 2025, no end date) in Q2 (one day) and Q3; Q4 is after the "
               "as-of date. Check-ins: CTR-ENDS-DEC on 30 Sep 2025 (Q1) and 1 Oct 2025 (Q2); CTR-OPEN-ENDED on "
               "30 Jun 2025 (before it started) and 20 Jan 2026 (after the as-of date). FY2026 = 2 / 4 = 50%, "
               "n = 4; FY2026 Q2 = 1 / 2 = 50%. A key contract with no start date is excluded.",
       why="Performance improves when someone meets the vendor about it at least every quarter (RDC5)."),
    _k(id="offtrack_key_contract_share", title="Key contracts off track", theme="Contracts",
       definition="Share of key contracts with results reported for the period that are off track: on at least "
                  "one metric, the latest result in the period misses its target (below it when higher is "
                  "better, above it when lower is better; equal to the target is on track).",
       formula="Key contracts with at least one metric_results row whose period_end is in the period and on or "
               "before the as-of date; for each of their metrics, the result with the latest period_end (the "
               "last loaded where two share it) is compared with contract_metrics' target and direction; "
               "numerator: contracts where any metric misses. Date basis: period_end (one record per contract "
               "and period of the report's grain, so a fiscal year compares its latest results, a quarter its "
               "own). Excluded: not a key contract; results only of metrics without a target or direction.",
       unit="share", direction="lower", kind="ratio", per_period=True,
       needs=("contracts.is_key_contract", "metric_results.contract_id", "metric_results.period_end",
              "metric_results.value", "contract_metrics.target"),
       goal=Goal(0.10, 0.25, "RDC2 (What Works Cities): flag when vendor performance is off track"),
       breakdowns=CTR, noun="key contracts",
       example="As of 31 Mar 2026. CTR-ON-TIME (key; on-time rate, higher is better, target 95%) reported 90% "
               "for 30 Sep 2025 and 95% for 31 Dec 2025: its FY2026 latest meets the target exactly (on track); "
               "a 50% for 30 Apr 2026 is after the as-of date. CTR-RESPONSE (key; response hours, lower is "
               "better, target 4) reported 3.5 then 4.5 for 31 Mar 2026: off track. CTR-LAST-YEAR's only result "
               "is for 30 Jun 2025 (FY2025): not counted. FY2026 = 1 / 2 = 50%, n = 2; FY2026 Q1 = 1 / 1 "
               "(CTR-ON-TIME at 90%). CTR-NO-TARGET (a metric without a target) is excluded.",
       why="A metric only helps if someone notices, during the contract, that it is being missed (RDC2)."),
    _k(id="repeat_awards_with_evaluation_share", title="Repeat awards informed by an evaluation", theme="Contracts",
       definition="Share of contracts starting in the period with a vendor that already held an earlier contract "
                  "for which an evaluation of that vendor was completed in the 365 days up to and including the "
                  "new contract's start date.",
       formula="Contracts whose vendor (matched by id, else normalised name) has a contract with an earlier "
               "start_date; numerator: those with an evaluations row of the same vendor (its vendor_id, else the "
               "vendor of the contract evaluated) whose completed_date is on or before the start_date and at most "
               "365 days before it. Date basis: start_date. Excluded: start_date missing, no vendor, not a repeat "
               "award.",
       unit="share", direction="higher", kind="ratio",
       needs=("contracts.start_date", "contracts.vendor_id|contracts.vendor_name", "evaluations.completed_date"),
       goal=Goal(1.0, 0.75, "RDC6 (What Works Cities): vendor performance informs future contracting"),
       breakdowns=CTR, noun="repeat awards",
       example="CTR-ACME-NEW starts 1 Sep 2025 with 'ACME PAVING' (no vendor id), the vendor V-ACME ('Acme "
               "Paving, Inc.') of CTR-ACME-2019; CTR-ACME-2019 was evaluated on 1 Sep 2024, 365 days before: "
               "counted. CTR-BETA-NEW (V-BETA, 1 Oct 2025) had its vendor's last evaluation on 30 Sep 2024, 366 "
               "days before: not counted. FY2026 = 1 / 2 = 50%, n = 2. CTR-GAMMA-FIRST, its vendor's first "
               "contract, is excluded (not a repeat award).",
       why="Past performance should be in front of whoever renews or re-awards a vendor (RDC6)."),
    _k(id="low_performance_share", title="Evaluations below satisfactory", theme="Contracts",
       definition="Share of completed vendor evaluations in the period rated below satisfactory (rating words "
                  "such as unsatisfactory, marginal, poor; where there is no rating, a 0-1 score below 0.5).",
       formula="Completed evaluations below satisfactory / completed evaluations with a rating or score. Date "
               "basis: completed_date. Excluded: not completed, no recognisable rating or score.",
       unit="share", direction="lower", kind="ratio",
       needs=("evaluations.completed_date", "evaluations.rating|evaluations.score"),
       goal=Goal(0.05, 0.10, OFFICE), breakdowns=CTR, noun="evaluations",
       example="Four evaluations completed in FY2026 Q1: 'Marginal', 'Satisfactory', 'Excellent' and a score of "
               "0.3 with no rating: 2 / 4 = 50%, n = 4.",
       why="Poor performers renewed without notice are the costliest contract-management failure."),
    _k(id="cost_growth", title="Contract cost growth", theme="Contracts",
       definition="Dollar-weighted growth of contracts starting in the period from their original to their "
                  "current amount.",
       formula="Sum of (current_amount - original_amount) / sum of original_amount. Date basis: start_date. "
               "Excluded: start_date missing, original_amount missing or zero, current_amount missing.",
       unit="share", direction="lower", kind="ratio",
       needs=("contracts.original_amount", "contracts.current_amount", "contracts.start_date"),
       goal=Goal(0.05, 0.10, "Design default"), breakdowns=CTR, noun="contracts",
       example="Contracts starting in FY2026 Q1: $100,000 grown to $120,000 and $300,000 unchanged: $20,000 / "
               "$400,000 = 5%, n = 2.",
       why="Growth after award escapes the competition that set the price."),
    _k(id="overspent_contracts", title="Contracts paid beyond their amount", theme="Contracts",
       definition="Number of contracts whose cumulative payments (up to the as-of date) went beyond their current "
                  "amount, counted in the period of the payment that crossed it.",
       formula="Count of contracts with payments (linked by contract_id) summing to more than current_amount. "
               "Date basis: the crossing payment's payment_date (for contracts not overspent, their last "
               "payment: they make up n). Excluded: current_amount missing, no payments linked.",
       unit="count", direction="lower", kind="count",
       needs=("payments.contract_id", "payments.amount", "payments.payment_date", "contracts.current_amount"),
       goal=Goal(0, 1, "Design default"), breakdowns=CTR, noun="contracts",
       example="CTR-OVERSPENT ($100,000) paid $60,000 on 15 Aug and $50,000 on 15 Nov 2025 crosses in FY2026 Q2; "
               "CTR-WITHIN ($100,000) paid $80,000 in Q2: Q2 value 1, n = 2.",
       why="Paying beyond the authorised amount is a control failure auditors look for first."),
    # ------------------------------------------------------------------ Payments
    _k(id="on_time_payment_share", title="Invoices paid on time", theme="Payments",
       definition="Share of payments in the period made within 30 days of receiving the invoice.",
       formula="Payments with payment_date - invoice_received_date <= 30 days / payments with both dates. Date "
               "basis: payment_date. Excluded: invoice_received_date missing, paid before received (negative).",
       unit="share", direction="higher", kind="ratio",
       needs=("payments.payment_date", "payments.invoice_received_date"),
       goal=Goal(0.90, 0.80, "Fulton County GA: 88% within 30 days"), breakdowns=PAY, noun="payments",
       example="Three payments in FY2026 Q1 made 10, 30 and 31 days after receipt: 2 / 3 = 66.7% (30 days is on "
               "time), n = 3.",
       why="Paying late costs small vendors most and keeps them from bidding again."),
    _k(id="days_to_pay", title="Days to pay", theme="Payments",
       definition="Median days from receiving an invoice to paying it, over payments made in the period.",
       formula="Median (and 90th percentile) of payment_date - invoice_received_date in days. Date basis: "
               "payment_date. Excluded: invoice_received_date missing, paid before received (negative).",
       unit="days", direction="lower", kind="duration",
       needs=("payments.payment_date", "payments.invoice_received_date"),
       goal=Goal(30, 45, "US Prompt Payment Act: 30 days"), breakdowns=PAY, noun="payments",
       example="Three payments in FY2026 Q1 made 10, 30 and 31 days after receipt: median 30 days, 90th "
               "percentile 30.8 days, n = 3.",
       why="The vendor's experience of the city, in one number."),
    # ------------------------------------------------------------------ Market research
    _k(id="engagement_share", title="Solicitations with market engagement", theme="Market research",
       definition="Share of solicitations of $100,000 or more (estimated amount, else awarded) issued in the "
                  "period that had pre-solicitation vendor engagement: an engagement linked by solicitation_id, "
                  "other than internet research, dated on or before the issue date (or undated).",
       formula="Solicitations at or above the threshold with engagement / solicitations at or above the "
               "threshold. Date basis: issue_date (due, award, requisition date where missing). Excluded: no "
               "amount, below the threshold.",
       unit="share", direction="higher", kind="ratio",
       needs=("solicitations.estimated_amount|solicitations.awarded_amount", "engagements.solicitation_id"),
       goal=Goal(0.50, 0.25, OFFICE), breakdowns=SOL, noun="solicitations",
       example="Four solicitations of $100,000+ issued in FY2026 Q1: one had an RFI before issue, one only "
               "internet research, one an industry day after issue, one nothing: 25%, n = 4. A $20,000 one is "
               "excluded (below the threshold).",
       why="Talking to the market before writing the spec is the practice behind better bids (HKS GPL)."),
    _k(id="engagement_bid_lift", title="Bid lift from engagement", theme="Market research",
       definition="Mean bids of competitive solicitations with pre-solicitation engagement minus mean bids of "
                  "those without, compared within each category and weighted by the category's solicitations.",
       formula="For each category with both engaged and non-engaged competitive solicitations: mean "
               "bids_received (engaged) - mean (not engaged); the period's value weights the categories by their "
               "solicitations. " + _BID_BASIS + " Excluded: not competitive, not yet due, bids_received missing, "
               "category missing, and categories without both kinds.",
       unit="bids", direction="higher", kind="lift",
       needs=("solicitations.bids_received|bids.solicitation_id", "solicitations.method", "solicitations.category",
              "engagements.solicitation_id"),
       goal=None, breakdowns=("department", "method"), noun="solicitations",
       example="FY2026 Q1, Construction: engaged 5 bids, not engaged 2 and 4 (mean 3): lift +2 over 3 "
               "solicitations; IT: engaged 3, not engaged 2: +1 over 2. Weighted: (2x3 + 1x2) / 5 = 1.6 bids.",
       why="Context for the engagement goal: does talking to vendors first bring more of them to the bid?"),
    # ------------------------------------------------------------------ Data quality
    _k(id="field_completeness", title="Key fields filled", theme="Data quality",
       definition="Share of each record's key fields (its identity and what a complete record holds: the "
                  "canonical model's key fields, e.g. a payment's date, amount, vendor and department) that are "
                  "filled, across every loaded table, for the records dated in the period.",
       formula="Filled key fields / (records x key fields per table), summed over the loaded tables. Key fields: "
               "the required fields and the key fields of loaders/schema.py's KEY_FIELDS that the data records "
               "(a field no record holds is left to the KPIs that need it, which say no data); a group such as "
               "'vendor id or name' is one field; a blank whose meaning is a value (an open-ended contract's end "
               "date, a solicitation not yet awarded) is not a key field. "
               "Date basis per table: solicitations award/issue/due/requisition date, contracts start date, "
               "payments payment date, bids their solicitation's date, vendors registration date, evaluations "
               "due date, engagements engagement date. Excluded: records with none of these dates.",
       unit="share", direction="higher", kind="ratio",
       needs=("solicitations.solicitation_id|contracts.contract_id|payments.payment_id|evaluations.contract_id"
              "|bids.solicitation_id|engagements.type|vendors.vendor_id|vendors.vendor_name",),
       goal=Goal(0.97, 0.90, "EU Single Market Scoreboard ('reporting quality'): 3% missing or less"),
       breakdowns=("table", "department", "category"), noun="records",
       example="FY2026 Q1: two dated payments with a date, amount and vendor column (3 key fields each; one "
               "vendor blank) and one contract (2 key fields recorded, its id and start date, both filled): "
               "(3 + 2 + 2) / (3 + 3 + 2) = 87.5%, n = 3.",
       why="Every other number is only as good as the fields behind it."),
]

# Dollar-weighted shares: their numerator and denominator are dollars, shown beside the share.
DOLLARS = {
    "noncompetitive_share": "{num} of {den} awarded",
    "emergency_share": "{num} of {den} awarded",
    "mwbe_spend_share": "{num} of {den} paid",
    "mwbe_award_share": "{num} of {den} awarded",
    "small_business_share": "{num} of {den} paid",
    "local_spend_share": "{num} of {den} paid",
    "spend_under_contract_share": "{num} of {den} paid",
    "savings_rate": "{num} saved of {den} estimated",
    "cooperative_share": "{num} of {den} awarded",
    "cost_growth": "{num} added to {den} originally awarded",
}
_ENTRIES = [replace(k, dollars=DOLLARS[k.id]) if k.id in DOLLARS else k for k in _ENTRIES]
KPIS: dict[str, KPI] = {k.id: k for k in _ENTRIES}
SCORECARD: tuple[str, ...] = (
    "procurement_lead_time_days", "requisition_to_award_days", "late_contract_share", "bids_per_solicitation",
    "single_bid_share", "noncompetitive_share", "first_time_vendor_share", "mwbe_spend_share",
    "expiring_without_replacement", "contracts_with_metrics_share", "evaluation_completion_rate",
    "quarterly_checkin_rate", "offtrack_key_contract_share", "on_time_payment_share", "engagement_share",
)
