"""`deploycheck explain RULE_ID`: a rule's documentation, by id (DC301) or name (lost-update)."""

from __future__ import annotations

import difflib

from .. import report
from ..errors import UsageError
from ..rules import all_rules, get_rule
from ..safe import one_line


def run(rule_id: str) -> int:
    rule = get_rule(rule_id)
    if rule is None:
        raise UsageError(unknown_rule_message(rule_id))
    report.print_lines(report.render_explain(rule))
    return 0


def unknown_rule_message(rule_id: str) -> str:
    rules = all_rules()
    names = {r.id: r.id for r in rules.values()} | {r.name: r.id for r in rules.values()}
    wanted = rule_id.strip()
    close = difflib.get_close_matches(wanted.upper(), list(rules), n=1, cutoff=0.75) or difflib.get_close_matches(
        wanted.lower(), [r.name for r in rules.values()], n=1, cutoff=0.6
    )
    hint = ""
    if close:
        match = rules[names[close[0]]]
        hint = f" Did you mean {match.id} ({match.name})?"
    return (
        f"unknown rule '{one_line(rule_id, 80)}'.{hint} "
        "Run `deploycheck rules` to list every rule id and name."
    )
