"""`deploycheck explain RULE_ID`: a rule's documentation, by id (DC301) or name (lost-update)."""

from __future__ import annotations

import difflib

from ..output import report
from ..errors import UsageError
from ..rules import all_rules, get_rule
from ..util.safe import one_line


def run(rule_id: str) -> int:
    rule = get_rule(rule_id)
    if rule is None:
        raise UsageError(unknown_rule_message(rule_id))
    report.print_lines(report.render_explain(rule))
    return 0


def unknown_rule_message(rule_id: str) -> str:
    """Name the id; suggest a rule only for a misspelt name (ids are too alike to guess from)."""
    by_name = {r.name: r for r in all_rules().values()}
    close = difflib.get_close_matches(rule_id.strip().lower(), list(by_name), n=1, cutoff=0.75)
    hint = f" Did you mean {by_name[close[0]].id} ({close[0]})?" if close else ""
    return (
        f"unknown rule '{one_line(rule_id, 80)}'.{hint} "
        "Run `deploycheck rules` to list every rule id and name."
    )
