"""`deploycheck rules`: list every rule (id, name, category, severity, summary)."""

from __future__ import annotations

from ..output import report
from ..rules import all_rules


def run(format: str) -> int:
    rules = list(all_rules().values())
    if format == "json":
        print(report.dumps(report.rules_json(rules)))
        return 0
    from ..output.console import out

    if not rules:
        out().print("No rules are registered.")
        return 0
    report.print_lines(report.render_rules_table(rules, out().width))
    return 0
