"""The mapping editor's logic, apart from its widgets: choices per source column, and checks on the result."""

from __future__ import annotations

from dataclasses import dataclass

from loaders.schema import TABLES
from ui.format import md_escape

NOT_USED = ""  # the "not used" choice in a column's selectbox


@dataclass(frozen=True)
class ColumnChoice:
    """One source column's selectbox: its options (canonical columns), labels, and the current choice."""

    source: str
    options: tuple[str, ...]
    labels: dict[str, str]
    current: str


def _scores(part, source: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in (getattr(part, "suggestions", None) or {}).get(source, ()) or ():
        name, score = (item[0], item[1]) if isinstance(item, (list, tuple)) else (item, None)
        if name and score is not None:
            out[str(name)] = max(float(score), out.get(str(name), 0.0))
    return out


def _score_text(score: float) -> str:
    """Scores are 0-1 (an exact alias gets a hair over 1 to break ties): '86%'."""
    return f"{min(score, 1.0):.0%}"


def column_choices(part, table: str) -> list[ColumnChoice]:
    """Per source column: the canonical columns of `table`, suggested ones first with their scores.

    Required columns are marked with an asterisk. The current choice is the part's mapping (which
    already includes a saved mapping for this layout), or "not used".
    """
    spec = TABLES[table]
    mapping = dict(getattr(part, "mapping", None) or {})
    sources = list(getattr(part, "columns", None) or ())
    sources += [c for c in [*mapping, *(getattr(part, "unmapped_columns", None) or ())] if c not in sources]
    required = set(spec.required) | {c for group in spec.one_of for c in group}
    choices = []
    for source in sources:
        scores = _scores(part, source)
        ordered = sorted(scores, key=lambda n: -scores[n])
        names = [n for n in ordered if n in spec.names] + [n for n in spec.names if n not in scores]
        labels = {NOT_USED: "— not used —"}
        for name in names:
            mark = " *" if name in required else ""
            hint = f"  ({_score_text(scores[name])} match)" if name in scores else ""
            labels[name] = f"{name}{mark}{hint}"
        current = mapping.get(source, NOT_USED)
        if current not in spec.names:
            current = NOT_USED
        choices.append(ColumnChoice(str(source), (NOT_USED, *names), labels, current))
    return choices


EDITOR_LIMIT = 60  # selectboxes drawn at most; a 3,000-column export would otherwise draw 3,000


def editor_columns(choices: list[ColumnChoice], *, extra=(), limit: int = EDITOR_LIMIT):
    """(drawn, left out): every column when there are few; otherwise the mapped ones, those with a
    suggestion, and those the user asked for, up to `limit` (mapped first). The rest stay not used."""
    if len(choices) <= limit:
        return list(choices), []
    wanted = set(extra)

    def rank(c: ColumnChoice) -> int:
        if c.current != NOT_USED:
            return 0
        if c.source in wanted:
            return 1
        return 2 if any("match)" in label for label in c.labels.values()) else 3

    likely = sorted((c for c in choices if rank(c) < 3), key=rank)[:limit]
    drawn = {c.source for c in likely}
    return [c for c in choices if c.source in drawn], [c for c in choices if c.source not in drawn]


def mapping_from_choices(selected: dict[str, str]) -> dict[str, str]:
    """{source: canonical} from the editor's selections, dropping columns marked not used."""
    return {src: dst for src, dst in selected.items() if dst and dst != NOT_USED}


def mapping_problems(mapping: dict[str, str], table: str) -> list[str]:
    """What stops an import: required columns with no source, a canonical column chosen twice."""
    spec = TABLES[table]
    chosen = list(mapping.values())
    problems = [f"Required column **{name}** is not mapped." for name in spec.required if name not in chosen]
    for group in spec.one_of:
        if not any(name in chosen for name in group):
            problems.append("Map at least one of " + " or ".join(f"**{n}**" for n in group) + ".")
    for name in sorted({c for c in chosen if chosen.count(c) > 1}):
        sources = ", ".join(md_escape(s) for s, d in mapping.items() if d == name)
        problems.append(f"**{name}** is chosen for more than one column ({sources}).")
    return problems


def table_options() -> list[str]:
    return list(TABLES)
