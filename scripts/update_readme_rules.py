"""Regenerate the rule table in docs/rules.md from the rule registry.

    python scripts/update_readme_rules.py          # rewrite docs/rules.md
    python scripts/update_readme_rules.py --check  # exit 1 when docs/rules.md is out of date

The table sits between the markers below; tests/test_readme.py fails when it drifts.
"""

from __future__ import annotations

import sys
from pathlib import Path

RULES_DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def with_rules_table(text: str, table: str) -> str:
    """``text`` with everything between the markers replaced by ``table``."""
    head, found, rest = text.partition(START)
    if not found or END not in rest:
        raise SystemExit(f"docs/rules.md has no {START} … {END} block")
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table.rstrip()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    from deploycheck.output.report import render_rules_markdown

    text = RULES_DOC.read_text(encoding="utf-8")
    updated = with_rules_table(text, render_rules_markdown())
    if "--check" in argv:
        if updated != text:
            print("docs/rules.md's rule table is out of date: run python scripts/update_readme_rules.py", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        RULES_DOC.write_text(updated, encoding="utf-8")
        print("docs/rules.md: rule table updated")
    else:
        print("docs/rules.md: rule table already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
