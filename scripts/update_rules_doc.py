"""Generate docs/rules.md, the rules reference, from the rule registry.

    python scripts/update_rules_doc.py          # rewrite docs/rules.md
    python scripts/update_rules_doc.py --check  # exit 1 when docs/rules.md is out of date

The whole file is generated: the families of ``deploycheck.rules.FAMILIES``, the table of every
rule, then one section per rule with the documentation written on the rule itself (the sections
`deploycheck explain RULE` prints). Edit a rule's definition, never docs/rules.md; tests/test_readme.py
fails when the file is not what this script writes (CONTRIBUTING.md, "Add a rule").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES_DOC = ROOT / "docs" / "rules.md"
EXAMPLES_ROOT = ROOT / "tests" / "rule_examples"

HEADER = """\
# Rules

<!-- Generated from the rule registry by scripts/update_rules_doc.py: edit the rule, then run the script. -->

`deploycheck rules` lists them; `deploycheck explain RULE` shows a rule's documentation (what it
detects, why it is dangerous, an example, what to write instead), the same text as its section
below. A change is **flagged** when it has a `warning` or `high` finding; `info` findings are
context.
"""


def anchor(rule) -> str:
    """The anchor GitHub gives the heading ``## DC301 `lost-update```."""
    return f"{rule.id.lower()}-{rule.name}"


def families_table() -> str:
    from deploycheck.rules import FAMILIES

    lines = [
        "Each family is one record of the registry (`deploycheck.rules.FAMILIES`): the module that",
        "defines its rules and detectors, and the folder of their annotated examples.",
        "",
        "| Family | Languages | Rules | Module | Examples |",
        "|---|---|---|---|---|",
    ]
    for record in FAMILIES:
        examples = f"tests/rule_examples/{record.name}/"
        # A family without an examples folder (parity: its rule looks at the whole change) is
        # shown by scenario tests instead (tests/rules/test_rule_examples.py lists why).
        shown = f"`{examples}`" if (EXAMPLES_ROOT / record.name).is_dir() else "scenario tests"
        lines.append(
            f"| `{record.name}` | {', '.join(record.languages)} | {len(record.load().RULES)} | `{record.module}` | {shown} |"
        )
    return "\n".join(lines) + "\n"


def rules_table() -> str:
    """``render_rules_markdown``'s table (the one `deploycheck rules --format markdown` would
    give), each id linked to its section below."""
    from deploycheck.output.report import render_rules_markdown
    from deploycheck.rules import all_rules

    rules = all_rules()
    return re.sub(
        r"^\| (DC\d{3}) \|", lambda m: f"| [{m.group(1)}](#{anchor(rules[m.group(1)])}) |", render_rules_markdown(), flags=re.M
    )


def rule_section(rule, family: str) -> str:
    from deploycheck.output.github import markdown_text
    from deploycheck.output.report import rule_doc_markdown

    facts = (
        f"**{rule.category}** · severity **{rule.severity}** · family `{family}` · "
        f"languages: {', '.join(rule.languages) or '–'} · evidence for: {', '.join(f'`{q}`' for q in rule.questions)}"
    )
    return f"## {rule.id} `{rule.name}`\n\n{facts}\n\n{markdown_text(rule.summary)}\n\n{rule_doc_markdown(rule, level=3)}"


def render_rules_doc() -> str:
    """The whole of docs/rules.md."""
    from deploycheck.rules import all_rules, family_of

    parts = [HEADER, "## Families\n\n" + families_table(), "## All rules\n\n" + rules_table()]
    parts += [rule_section(rule, family_of(rule.id).name) for rule in all_rules().values()]
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = RULES_DOC.read_text(encoding="utf-8") if RULES_DOC.exists() else ""
    updated = render_rules_doc()
    if "--check" in argv:
        if updated != text:
            print("docs/rules.md is out of date: run python scripts/update_rules_doc.py", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        RULES_DOC.write_text(updated, encoding="utf-8")
        print("docs/rules.md: updated")
    else:
        print("docs/rules.md: already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
