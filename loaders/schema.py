"""The canonical data model: every table and column the KPIs read, declared once."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Column kinds. The normaliser coerces each kind with one parser (loaders/values.py).
ID = "id"  # text kept exactly (leading zeros survive)
TEXT = "text"
MONEY = "money"  # float dollars
NUMBER = "number"  # float
INTEGER = "integer"  # nullable Int64
DATE = "date"  # datetime64, day precision
BOOLEAN = "boolean"  # nullable boolean
METHOD = "method"  # one of METHODS
CERTIFICATIONS = "certifications"  # "MBE; WBE" -> also sets the is_<cert> flags
SCORE = "score"  # 0-1, normalised from the source's scale
DIRECTION = "direction"  # "higher" or "lower" (which way a metric is better)
KINDS = (ID, TEXT, MONEY, NUMBER, INTEGER, DATE, BOOLEAN, METHOD, CERTIFICATIONS, SCORE, DIRECTION)

COMPETITIVE_METHODS = ("invitation for bid", "request for proposals", "request for quotes")
NONCOMPETITIVE_METHODS = ("sole source", "emergency", "exempt")
OTHER_METHODS = ("small purchase", "cooperative", "other")
METHODS = COMPETITIVE_METHODS + NONCOMPETITIVE_METHODS + OTHER_METHODS

# Columns the normaliser fills itself (never mapped from a source column): the method as the export wrote it.
DERIVED_COLUMNS = frozenset({"method_text"})
METHOD_TEXT_DESCRIPTION = ("The method as the export wrote it, where the vocabulary did not recognise it (filled "
                           "by the loader: an unrecognised method is told from a blank one, and can be recoded).")

# Certification codes a vendor list may carry, and the flag column each one sets.
CERTIFICATION_FLAGS = {
    "MBE": "is_mbe",
    "WBE": "is_wbe",
    "DBE": "is_dbe",
    "SBE": "is_sbe",
    "DVBE": "is_dvbe",
    "LBE": "is_lbe",
}
# Certifications that count as minority- or women-owned for the M/WBE KPIs.
MWBE_CERTIFICATIONS = ("MBE", "WBE")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    row: str  # what one row is
    columns: tuple[Column, ...]
    # Groups of columns of which at least one must be present and filled ("vendor_id or vendor_name").
    one_of: tuple[tuple[str, ...], ...] = ()
    description: str = ""
    aliases: tuple[str, ...] = field(default=())  # sheet or file names that suggest this table

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def C(name, kind, description, *aliases, required=False):
    return Column(name, kind, description, required, tuple(aliases))


_VENDOR_ID = ("vendor id", "vendor number", "vendor no", "vendor #", "supplier id", "supplier number",
              "supplier no", "vendor code", "payee id", "vendor_num", "vendorid", "company id",
              "business id", "firm id", "supplier code", "payee number", "vendor key", "uei", "recipient uei",
              "duns", "recipient duns", "vendor duns", "supplier id number", "vendor account")
_VENDOR_NAME = ("vendor", "vendor name", "supplier", "supplier name", "payee", "payee name",
                "contractor", "contractor name", "company", "company name", "business name",
                "firm", "firm name", "account name", "legal name", "remit to name", "name 1", "name1",
                "recipient name", "recipient", "beneficiary", "payee name 1")
_DEPARTMENT = ("department", "department name", "dept", "dept name", "agency", "agency name",
               "division", "requesting department", "org", "organization", "bureau", "office",
               "service area", "directorate", "service", "cost centre", "cost center", "expense area",
               "owner org", "owner organization", "awarding agency", "awarding agency name", "ministry",
               "business unit", "department description", "dept description", "org name", "department area",
               # OCDS 'buyer/name' and EU notices: the buying organisation (a lone 'Buyer' is a person)
               "buyer name", "buyer organization", "procuring entity", "contracting authority",
               "contracting entity", "buying entity")
_CATEGORY = ("category", "commodity", "commodity code", "commodity description", "nigp",
             "nigp code", "procurement type", "type of work", "spend category", "unspsc", "class",
             "expenses type", "expense type", "expenditure type", "expenditure category", "subjective",
             "subjective description", "account description", "object description", "expense category",
             "account detail")
_METHOD = ("method", "procurement method", "solicitation type", "solicitation method",
           "award method", "bid type", "purchase method", "sourcing method", "procurement type code",
           "contract method", "award type", "selection method", "competition type",
           "adv or exempt", "type", "extent competed", "solicitation procedure", "procurement procedure",
           "procedure type", "type of procedure", "procurement route", "route to market", "competition",
           "sourcing type", "bid type code")

SOLICITATIONS = Table(
    "solicitations",
    "procurement process (IFB, RFP, RFQ, sole source...)",
    (
        C("solicitation_id", ID, "The office's number for the procurement.", "solicitation number",
          "solicitation no", "solicitation #", "bid number", "bid no", "bid #", "rfp number",
          "rfp no", "event id", "event number", "sourcing event", "project number",
          "opportunity id", "solicitation", "ifb number", "rfq number", "bid id", "project id",
          "reference #", "reference number", "reference no", "project reference", "sourcing event id",
          required=True),
        C("title", TEXT, "What is being bought.", "description", "solicitation title", "bid title",
          "project name", "project title", "opportunity name", "event name", "short description",
          "subject", "bid description", "solicitation description", "event description",
          "project description", "rfp description", "name"),
        C("department", TEXT, "Department that needs the purchase.", *_DEPARTMENT,
          "opportunity account name"),  # Salesforce (LA RAMP): the opportunity's account is the department
        C("category", TEXT, "Goods, services, construction, professional services...", *_CATEGORY),
        C("method", METHOD, "Procurement method, normalised to the methods of DESIGN.md.", *_METHOD,
          required=True),
        C("method_text", TEXT, METHOD_TEXT_DESCRIPTION),
        C("estimated_amount", MONEY, "Estimated value before bids (engineer's or budget estimate).",
          "estimate", "estimated value", "engineers estimate", "estimated cost", "budget amount",
          "estimated contract value", "est amount", "estimated budget", "budget", "budget estimate",
          "estimated value of contract", "eng estimate", "engineer estimate", "engineers estimate amount",
          # OCDS tender/value: 'the total upper estimated value of the procurement'
          "tender value", "tender amount"),
        C("requisition_date", DATE, "Date the department's requisition was received.",
          "requisition date", "req date", "request date", "requisition received",
          "requisition received date", "req received date", "intake date"),
        C("issue_date", DATE, "Date the solicitation was issued (advertised, posted).",
          "issue date", "issued", "issued date", "release date", "post date", "posted date",
          "bid post", "advertise date", "advertised date", "publish date", "open date",
          "date issued", "date posted", "posting date", "solicitation posting date"),
        C("due_date", DATE, "Date bids or proposals were due (bid opening).", "due date",
          "bid due", "bid due date", "closing date", "close date", "bid opening",
          "bid opening date", "response due", "proposal due date", "deadline", "opening date",
          "proposal deadline", "submission deadline", "response deadline", "bid deadline",
          "bid open date"),
        C("award_date", DATE, "Date the award was made.", "award date", "awarded date",
          "date awarded", "award approved", "notice of award", "award approval date"),
        C("status", TEXT, "Status (open, awarded, cancelled...).", "status", "solicitation status",
          "bid status", "event status", "stage"),
        C("bids_received", INTEGER, "Number of bids or proposals received.", "bids received",
          "number of bids", "no of bids", "# bids", "bid count", "responses",
          "responses received", "number of responses", "proposals received", "num bids",
          "respondents", "submissions", "number of submissions", "submissions received",
          "number of bidders", "num bidders", "bidders", "no of bidders", "number of tenders",
          "tenders received", "number of offers", "offers received", "number of tenderers",
          "number of competitors"),
        C("awarded_amount", MONEY, "Amount awarded.", "award amount", "awarded amount",
          "award value", "contract award amount", "amount awarded", "award total", "winning bid",
          "win bid", "low bid", "low bid amount", "winning bid amount", "successful bid",
          "contract value", "contract amount"),
        C("awarded_vendor_id", ID, "Vendor id of the winner.", "awarded vendor id",
          "award vendor id", "awardee id", "winning vendor id", "awarded vendor number",
          "awarded vendor no", "awarded vendor #", "award vendor number", "awardee number",
          "awarded supplier id", "awarded supplier number", "winning vendor number"),
        C("awarded_vendor_name", TEXT, "Vendor name of the winner (used where ids are missing).",
          "awarded vendor", "awarded vendor name", "awardee", "awardee name", "winning vendor",
          "winning bidder", "successful bidder", "award vendor", "account name", "awarded to",
          "award to", "vendor awarded", "awarded supplier", "awarded contractor", "vendor name",
          "supplier name", "contractor name"),
        C("award_basis", TEXT, "Basis of award (lowest responsive bid, best value...).",
          "award basis", "basis of award", "evaluation method"),
        C("protest_filed", BOOLEAN, "Whether the award was protested.", "protest",
          "protest filed", "protested"),
        C("protest_sustained", BOOLEAN, "Whether a protest was sustained.", "protest sustained",
          "protest upheld"),
        C("replaces_contract_id", ID, "Contract this solicitation replaces (re-procurement).",
          "replaces contract", "replaces contract id", "replacement for", "prior contract",
          "previous contract", "incumbent contract"),
        C("is_mbe", BOOLEAN, "Award went to a certified minority-owned firm (when the export says so).",
          "mbe", "mbe c", "minority owned", "minority"),
        C("is_wbe", BOOLEAN, "Award went to a certified women-owned firm (when the export says so).",
          "wbe", "wbe c", "women owned", "woman owned"),
        C("is_dbe", BOOLEAN, "Award went to a certified disadvantaged business (when the export says so).",
          "dbe", "dbe c", "disadvantaged"),
    ),
    aliases=("solicitations", "solicitation", "bids", "bid log", "procurements", "sourcing events",
             "opportunities", "awards", "procurement log"),
)

BIDS = Table(
    "bids",
    "response to a solicitation",
    (
        C("solicitation_id", ID, "Solicitation the bid answers.", "solicitation number",
          "solicitation no", "bid number", "bid no", "rfp number", "event id", "solicitation",
          "opportunity id", "project number", "project id", "project no", "contract number", "call number",
          "letting number", "proposal number", required=True),
        C("vendor_id", ID, "Bidder's vendor id.", *_VENDOR_ID, "bidder id"),
        C("vendor_name", TEXT, "Bidder's name.", *_VENDOR_NAME, "bidder", "bidder name",
          "respondent", "proposer"),
        C("bid_amount", MONEY, "Amount bid.", "bid amount", "bid total", "total bid", "bid price",
          "total price", "price", "amount", "proposal amount", "total", "total amount",
          "total amount bid", "amount bid", "base bid", "total base bid", "bid value", "quote amount",
          "total bid amount", "extended price", "grand total"),
        C("is_winner", BOOLEAN, "Whether this bid won.", "winner", "awarded", "is winner",
          "successful", "low bidder", "selected", "low bid", "award recommended",
          "recommended for award", "awarded bidder"),
        C("status", TEXT, "Responsive, non-responsive, withdrawn...", "status", "bid status",
          "responsiveness"),
    ),
    one_of=(("vendor_id", "vendor_name"),),
    aliases=("bids", "bid tabulation", "bid tab", "responses", "bidders", "tabulation"),
)

CONTRACTS = Table(
    "contracts",
    "contract",
    (
        C("contract_id", ID, "Contract number.", "contract number", "contract no", "contract #",
          "contract", "agreement number", "agreement id", "po number contract",
          "master agreement", "original contract id", "contract award id", "blanket po",
          "po number", "purchase order number", "purchase order", "po no", "po #", "award id",
          "piid", "contract reference", "contract ref", "reference number", "procurement id",
          "doc number", "document number", "contract doc number",
          required=True),
        C("title", TEXT, "What the contract is for.", "description", "contract title",
          "contract description", "short desc", "short description", "scope", "project",
          "contract name"),
        C("department", TEXT, "Department that manages the contract.", *_DEPARTMENT),
        C("category", TEXT, "Goods, services, construction, professional services...", *_CATEGORY,
          "contract type", "contract structure type"),
        C("method", METHOD, "Procurement method that led to the contract.", *_METHOD),
        C("method_text", TEXT, METHOD_TEXT_DESCRIPTION),
        C("vendor_id", ID, "Contractor's vendor id.", *_VENDOR_ID),
        C("vendor_name", TEXT, "Contractor's name.", *_VENDOR_NAME),
        C("solicitation_id", ID, "Solicitation that led to the contract.", "solicitation number",
          "solicitation no", "bid number", "rfp number", "solicitation", "specification number",
          "spec number", "specification no", "bid no", "rfp no", "tender number", "tender reference"),
        C("start_date", DATE, "Contract start (effective) date.", "start date", "start dt",
          "begin date", "effective date", "term start", "contract start", "from date",
          "contract start date", "commencement date", "contract period start", "start of contract",
          "period of performance start date"),
        C("end_date", DATE, "Current contract end (expiration) date; blank for an open-ended contract (ends on completion).", "end date", "end dt",
          "expiration date", "expiry date", "expires", "term end", "contract end", "to date",
          "contract end date", "termination date", "exp date", "contract period end", "end of contract",
          "period of performance end date", "period of performance current end date", "delivery date",
          "contract expiry", "contract expiry date", "expiry"),
        C("original_amount", MONEY, "Amount at award.", "original amount", "original value",
          "original contract amount", "award amount", "initial amount", "base amount",
          "original contract value"),
        C("current_amount", MONEY, "Amount after amendments (not to exceed).", "current amount",
          "current value", "contract amount", "amt", "amount", "total amount",
          "not to exceed", "nte", "revised amount", "contract value", "max amount",
          "current contract amount", "total contract value", "agreement amount", "agreement value",
          "max contract value", "maximum amount", "po amount", "purchase order amount", "value",
          "total value", "final amount", "final value", "final contract amount", "actual amount"),
        C("amendment_count", INTEGER, "Number of amendments or change orders.",
          "amendments", "amendment count", "number of amendments", "change orders",
          "mod count", "modifications"),
        C("renewal_options_remaining", INTEGER, "Renewal (extension) options still available.",
          "renewal options", "renewals remaining", "renewal options remaining",
          "options remaining", "extensions remaining", "remaining renewals", "extensions available",
          "renewals available", "options available", "renewal options available", "remaining options"),
        C("has_performance_metrics", BOOLEAN, "Whether the contract has performance metrics.",
          "performance metrics", "has kpis", "kpis", "has performance metrics",
          "performance measures"),
        C("is_key_contract", BOOLEAN, "Whether the office tracks it as a key contract.",
          "key contract", "is key contract", "strategic", "priority contract"),
        C("executed_date", DATE, "Date the contract was fully executed (signed).",
          "executed date", "execution date", "date executed", "signed date", "signature date",
          "fully executed date", "conformed date", "award date", "date awarded", "awarded date",
          "contract date", "date of award", "award signed date", "approved date", "approval date",
          "date approved", "po date", "purchase order date", "order date"),
        C("status", TEXT, "Active, expired, terminated...", "status", "contract status"),
    ),
    aliases=("contracts", "contract", "agreements", "contract list", "active contracts",
             "contract register"),
)

PAYMENTS = Table(
    "payments",
    "payment or invoice line (spend)",
    (
        C("payment_id", ID, "Check, EFT or payment line number; made from the row (its content and position) when the export has none.", "payment id", "payment number",
          "check", "check number", "check no", "check #", "voucher", "voucher number",
          "voucher id", "transaction id", "payment no", "eft number", "document number",
          "line id", "warrant number", "ref", "reference", "payment ref", "payment reference",
          "transaction ref", "transaction reference", "transaction number", "remittance number"),
        C("payment_date", DATE, "Date paid (check date).", "payment date", "check date",
          "paid date", "date paid", "issue date check", "transaction date", "posting date",
          "warrant date", "disbursement date", "date", "pay date", "eft date", "check issue date",
          "voucher date", "payment issue date", "clearing date", required=True),
        C("amount", MONEY, "Amount paid.", "amount", "payment amount", "check amount",
          "paid amount", "amount paid", "transaction amount", "net amount", "line amount",
          "expense amount", "dollar amount", "amount in lc", "amount in local currency",
          "amount in doc curr", "invoice amount paid", required=True),
        C("vendor_id", ID, "Payee's vendor id.", *_VENDOR_ID),
        C("vendor_name", TEXT, "Payee's name.", *_VENDOR_NAME),
        C("department", TEXT, "Department that paid.", *_DEPARTMENT),
        C("category", TEXT, "Spend category or account.", *_CATEGORY, "expense category",
          "account description", "object description"),
        C("contract_id", ID, "Contract the payment is made under.", "contract number",
          "contract no", "contract", "contract id", "agreement number"),
        C("po_number", ID, "Purchase order number.", "po", "po number", "po no", "po #",
          "purchase order", "purchase order number"),
        C("invoice_date", DATE, "Date on the invoice.", "invoice date", "inv date", "doc date",
          "document date", "invoice creation date", "invoice created"),
        C("invoice_received_date", DATE, "Date the office received the invoice.",
          "invoice received date", "received date", "date received", "stamp date",
          "invoice received", "receipt date"),
        C("invoice_due_date", DATE, "Date the invoice is due.", "invoice due date",
          "due date", "payment due date"),
    ),
    aliases=("payments", "payment", "check register", "checks", "spend", "expenditures",
             "disbursements", "checkbook", "vendor payments", "ap"),
)

VENDORS = Table(
    "vendors",
    "vendor",
    (
        C("vendor_id", ID, "Vendor id.", *_VENDOR_ID, "account number", "account no",
          # a certified-firm directory's certificate number names the firm
          "certification number", "certification no", "certificate number", "cert number"),
        C("vendor_name", TEXT, "Vendor name.", *_VENDOR_NAME, "vendor legal name", "legal business name",
          "business legal name", "dba", "dba name", "name"),
        C("certifications", CERTIFICATIONS,
          "Certifications as text (\"MBE; WBE\"), parsed into the is_<cert> flags.",
          "certifications", "certification", "certification type", "cert type", "certs",
          "designations", "diversity certification", "certification types"),
        C("is_mbe", BOOLEAN, "Certified minority-owned business.", "mbe", "minority owned",
          "mbe certified"),
        C("is_wbe", BOOLEAN, "Certified women-owned business.", "wbe", "women owned",
          "wbe certified"),
        C("is_dbe", BOOLEAN, "Certified disadvantaged business enterprise.", "dbe"),
        C("is_sbe", BOOLEAN, "Certified small business enterprise.", "sbe"),
        C("is_dvbe", BOOLEAN, "Certified disabled-veteran business.", "dvbe", "sdvob", "veteran owned"),
        C("is_lbe", BOOLEAN, "Certified local business enterprise.", "lbe"),
        C("is_small", BOOLEAN, "Small business.", "small business", "is small", "small", "sb"),
        C("is_local", BOOLEAN, "Local business.", "local", "is local", "local business",
          "local vendor"),
        C("registration_date", DATE, "Date the vendor registered.", "registration date",
          "registered", "date registered", "vendor since", "created date", "setup date",
          "certification date", "date certified", "certified date", "certified since"),
        C("certification_expiration_date", DATE, "Date the certification expires.",
          "expiration date", "cert expiration", "certification expiration",
          "certification expiration date", "expires", "expiration", "cert expires",
          "certification end date", "certification renewal date", "cert renewal date", "renewal date",
          "recertification date"),
    ),
    one_of=(("vendor_id", "vendor_name"),),
    aliases=("vendors", "vendor", "suppliers", "vendor list", "certified vendors",
             "certified firms", "mbe", "wbe", "vendor master", "certified businesses", "certified business",
             "supplier list", "supplier master", "vendor directory", "business directory"),
)

EVALUATIONS = Table(
    "evaluations",
    "vendor performance evaluation",
    (
        C("contract_id", ID, "Contract evaluated.", "contract number", "contract no", "contract",
          "contract id", required=True),
        C("vendor_id", ID, "Vendor evaluated (blank: the vendor of the contract evaluated).", *_VENDOR_ID),
        C("due_date", DATE, "Date the evaluation was due.", "due date", "evaluation due",
          "evaluation due date", "review due"),
        C("completed_date", DATE, "Date the evaluation was completed.", "completed date",
          "completed", "completion date", "date completed", "evaluation date",
          "review date", "submitted date", "review completed", "evaluation completed",
          "date submitted", "completed on"),
        C("score", SCORE, "Overall score, normalised to 0-1 from its scale.", "score",
          "overall score", "evaluation score", "rating score", "total score"),
        C("rating", TEXT, "Rating (excellent, satisfactory, unsatisfactory...).", "rating",
          "overall rating", "performance rating"),
    ),
    aliases=("evaluations", "evaluation", "vendor evaluations", "performance evaluations",
             "vendor performance", "cpars"),
)

ENGAGEMENTS = Table(
    "engagements",
    "market-research activity",
    (
        C("engagement_id", ID, "Engagement id.", "engagement id", "engagement number", "rfi number",
          "activity id", "outreach id", "outreach number", "research id", "activity number"),
        C("type", TEXT, "Internet research, RFI, sources sought, industry day, pre-bid "
          "conference, one-on-one, prototype competition.", "type", "engagement type",
          "activity type", "activity", "research type", "event type", "outreach type",
          required=True),
        C("solicitation_id", ID, "Solicitation the research prepared.", "solicitation number",
          "solicitation no", "bid number", "rfp number", "solicitation", "related solicitation",
          "related solicitation number", "related bid", "related bid number"),
        C("engagement_date", DATE, "Date of the activity.", "engagement date", "date",
          "event date", "activity date", "rfi date", "issue date", "rfi issue date", "outreach date"),
        C("responses", INTEGER, "Responses received (RFI answers).", "responses",
          "responses received", "number of responses"),
        C("attendees", INTEGER, "Vendors that attended.", "attendees", "attendance",
          "vendors attending", "number of attendees"),
    ),
    aliases=("engagements", "market research", "rfis", "rfi", "vendor engagement",
             "outreach", "industry days"),
)

CONTRACT_METRICS = Table(
    "contract_metrics",
    "performance metric of a (key) contract",
    (
        C("contract_id", ID, "Contract the metric belongs to.", "contract number", "contract no",
          "contract #", "contract", "contract id", "agreement number", required=True),
        C("metric_id", ID, "The metric's code, unique within its contract.", "metric id", "metric",
          "metric code", "metric number", "metric no", "measure id", "measure code", "kpi id", "kpi code",
          "indicator id", "indicator code", required=True),
        C("metric_name", TEXT, "What the metric measures, in words.", "metric name", "measure",
          "measure name", "kpi", "kpi name", "indicator", "indicator name", "performance measure",
          "metric description", "measure description"),
        C("unit", TEXT, "Unit of the values: percent, days, count, dollars...", "unit", "units",
          "unit of measure", "uom", "measure unit"),
        C("direction", DIRECTION, "Which way is better: higher or lower (\"Higher is better\", \"max\", \"lower\").",
          "direction", "better", "better is", "better when", "better if", "good direction", "polarity", "higher or lower",
          "desired direction", "direction of improvement"),
        C("target", NUMBER, "Target value; percents as fractions (\"95%\" is 0.95).", "target",
          "target value", "goal", "goal value", "standard", "performance standard", "threshold",
          "service level", "sla", "sla target"),
        C("frequency", TEXT, "How often results are reported: monthly, quarterly, annual.", "frequency",
          "reporting frequency", "reporting", "reported", "cadence", "reporting period", "how often"),
    ),
    aliases=("contract metrics", "metrics", "performance metrics", "kpis", "measures",
             "performance measures", "contract kpis", "slas", "service levels"),
)

METRIC_RESULTS = Table(
    "metric_results",
    "reported value of a contract's performance metric",
    (
        C("contract_id", ID, "Contract the result belongs to.", "contract number", "contract no",
          "contract #", "contract", "contract id", "agreement number", required=True),
        C("metric_id", ID, "The metric reported (its code in the contract's metrics).", "metric id", "metric",
          "metric code", "metric number", "metric no", "measure id", "measure code", "kpi id", "kpi code",
          "indicator id", "indicator code", required=True),
        C("period_end", DATE, "Last day of the period the value reports on.", "period end", "period ending",
          "period end date", "as of", "as of date", "reporting period end", "quarter end", "month end",
          "quarter ending", "month ending", "period", "date", "reporting date", "result date", required=True),
        C("value", NUMBER, "The value reported; percents as fractions (\"92%\" is 0.92).", "value", "result",
          "actual", "actual value", "result value", "measured value", "reported value", "actual result",
          required=True),
    ),
    aliases=("metric results", "results", "performance results", "kpi results", "actuals",
             "performance data", "measurements", "quarterly results"),
)

CHECKINS = Table(
    "checkins",
    "performance meeting with a vendor (active contract management)",
    (
        C("contract_id", ID, "Contract discussed.", "contract number", "contract no", "contract #",
          "contract", "contract id", "agreement number", required=True),
        C("meeting_date", DATE, "Date of the meeting.", "meeting date", "date", "check in date",
          "checkin date", "meeting", "held on", "review date", "date held", "meeting held", required=True),
        C("meeting_type", TEXT, "Quarterly review, site visit, call...", "meeting type", "type",
          "check in type", "checkin type", "format", "kind"),
        C("open_actions", INTEGER, "Actions agreed and still open after the meeting.", "open actions",
          "open action items", "action items", "actions open", "outstanding actions", "actions"),
        C("notes", TEXT, "What was discussed and agreed.", "notes", "note", "comments", "summary",
          "minutes", "discussion", "remarks"),
    ),
    aliases=("checkins", "check ins", "check-ins", "meetings", "vendor meetings", "performance meetings",
             "contract meetings", "performance reviews", "quarterly reviews"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (SOLICITATIONS, BIDS, CONTRACTS, PAYMENTS, VENDORS, EVALUATIONS, ENGAGEMENTS, CONTRACT_METRICS,
              METRIC_RESULTS, CHECKINS)
}

# The column that names one record of a table (an export may head it with a bare 'ID', or give a web address).
RECORD_IDS = {"solicitations": "solicitation_id", "contracts": "contract_id", "payments": "payment_id",
              "vendors": "vendor_id", "engagements": "engagement_id"}


def fold_accents(text: str) -> str:
    """Text with accents and cedillas dropped ('Preço Inicial' -> 'Preco Inicial', 'adjudicatário' ->
    'adjudicatario'): exports from Portugal, Spain, France and Quebec spell the same words both ways."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


# Key fields: what a complete record of each table holds, beyond its identity (DESIGN.md's key columns, less
# those whose blank is a value: an end date left blank is an open-ended contract, a blank award date a
# solicitation not yet awarded, a blank issue date a sole source or emergency never advertised, a blank
# completed date an evaluation not done). A group of alternatives
# ('vendor_id or vendor_name', 'current or original amount') is one field. The data-quality KPI
# field_completeness counts these.
KEY_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "solicitations": (("solicitation_id",), ("method",), ("title",), ("department",)),
    "bids": (("solicitation_id",), ("vendor_id", "vendor_name"), ("bid_amount",)),
    "contracts": (("contract_id",), ("title",), ("department",), ("vendor_id", "vendor_name"), ("method",),
                  ("start_date", "executed_date"), ("current_amount", "original_amount")),
    "payments": (("payment_date",), ("amount",), ("vendor_id", "vendor_name"), ("department",)),
    "vendors": (("vendor_id", "vendor_name"),),
    "evaluations": (("contract_id",), ("due_date",)),
    "engagements": (("type",), ("engagement_date",), ("solicitation_id",)),
    "contract_metrics": (("contract_id",), ("metric_id",), ("target",), ("direction",)),
    "metric_results": (("contract_id",), ("metric_id",), ("period_end",), ("value",)),
    "checkins": (("contract_id",), ("meeting_date",)),
}


def normalise_header(text: object) -> str:
    """Lower-case words of a header for alias matching: 'Award_Amount__c' -> 'award amount c',
    'Descrição Breve' -> 'descricao breve'."""
    s = fold_accents(str(text))
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", s)  # camelCase -> camel Case
    s = s.lower().replace("#", " # ")
    s = re.sub(r"[^a-z0-9#]+", " ", s)
    return " ".join(s.split())


def column(qualified: str) -> Column:
    """Look up 'table.column'."""
    table, name = qualified.split(".", 1)
    return TABLES[table].column(name)


def data_model_markdown() -> str:
    """docs/data-model.md, generated from the tables above (a test keeps the file in step)."""
    lines = [
        "# Canonical data model",
        "",
        "Generated from `loaders/schema.py` by `python -m loaders.schema`; do not edit by hand.",
        "Every loader maps an export onto these tables. Required columns are marked; a row missing a",
        "required value is excluded and reported. Aliases are matched after lower-casing and removing",
        "punctuation, so `Check Date`, `CHECK_DATE` and `checkDate` all match `check date`.",
        "",
        f"Methods are normalised to: {', '.join(METHODS)}. Competitive: {', '.join(COMPETITIVE_METHODS)};"
        f" non-competitive: {', '.join(NONCOMPETITIVE_METHODS)}.",
        "",
    ]
    for table in TABLES.values():
        lines += [f"## `{table.name}`", "", f"One row per {table.row}."]
        if table.one_of:
            groups = "; ".join(" or ".join(f"`{c}`" for c in group) for group in table.one_of)
            lines.append(f"At least one of {groups} is required.")
        if table.aliases:
            lines.append(f"Sheet or file names that suggest it: {', '.join(table.aliases)}.")
        if table.name in KEY_FIELDS:
            key = "; ".join(" or ".join(f"`{c}`" for c in g) for g in KEY_FIELDS[table.name])
            lines.append(f"Key fields (counted by the data-quality KPI `field_completeness`): {key}.")
        lines += ["", "| column | type | required | description | aliases |", "|---|---|---|---|---|"]
        for c in table.columns:
            aliases = ", ".join(c.aliases).replace("|", "\\|")
            lines.append(f"| `{c.name}` | {c.kind} | {'yes' if c.required else ''} | {c.description} | {aliases} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    from pathlib import Path

    out = Path(__file__).resolve().parent.parent / "docs" / "data-model.md"
    out.write_text(data_model_markdown(), encoding="utf-8")
    print(f"wrote {out}")
