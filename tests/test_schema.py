"""The canonical model: names as DESIGN.md gives them, published docs in step with the code."""

from pathlib import Path

from loaders.schema import KINDS, TABLES, data_model_markdown, normalise_header

ROOT = Path(__file__).resolve().parent.parent

DESIGN_REQUIRED = {
    "solicitations": {"solicitation_id", "method"},
    "bids": {"solicitation_id"},
    # Required means identity (issue 13): a blank end date is an open-ended contract, and a payment
    # without an id gets one made from its row.
    "contracts": {"contract_id"},
    "payments": {"payment_date", "amount"},
    "vendors": set(),
    "evaluations": {"contract_id"},
    "engagements": {"type"},
    "contract_metrics": {"contract_id", "metric_id"},
    "metric_results": {"contract_id", "metric_id", "period_end", "value"},
    "checkins": {"contract_id", "meeting_date"},
}
# Dates whose name the issue that added them fixed (the period a value reports on ends then).
DATE_NAMES = {"period_end"}


def test_tables_and_required_columns_follow_design():
    """The tables exist with DESIGN.md's required columns."""
    assert set(TABLES) == set(DESIGN_REQUIRED)
    for name, required in DESIGN_REQUIRED.items():
        assert set(TABLES[name].required) == required, name


def test_columns_are_snake_case_with_known_kinds():
    """Column names are snake_case; dates end in _date; every kind has a parser."""
    for table in TABLES.values():
        assert len(set(table.names)) == len(table.names), table.name
        for c in table.columns:
            assert c.name == c.name.lower() and " " not in c.name
            assert c.kind in KINDS, (table.name, c.name)
            if c.kind == "date":
                assert c.name.endswith("_date") or c.name in DATE_NAMES, c.name


def test_aliases_are_unique_within_a_table():
    """One alias never points at two columns of the same table."""
    for table in TABLES.values():
        seen = {}
        for c in table.columns:
            for alias in (c.name, *c.aliases):
                key = normalise_header(alias)
                assert seen.setdefault(key, c.name) == c.name, (table.name, alias, seen[key], c.name)


def test_normalise_header_handles_export_styles():
    """Salesforce, SCREAMING_SNAKE and camelCase headers reduce to the same words."""
    assert normalise_header("Award_Amount__c") == "award amount c"
    assert normalise_header("CHECK_DATE") == "check date"
    assert normalise_header("checkDate") == "check date"
    assert normalise_header(" Vendor  #") == "vendor #"


def test_data_model_doc_is_generated_from_schema():
    """docs/data-model.md is exactly what the schema generates (run `python -m loaders.schema`)."""
    assert (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8") == data_model_markdown()
