"""The README and docs/ must stay true: their commands exist, their examples parse, the rule table
matches the registry, every relative link resolves, and the README's two fresh-machine commands
are the ones CI runs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from deploycheck.__main__ import main as deploycheck_main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}
sys.path.insert(0, str(ROOT / "scripts"))


def doc(name: str) -> str:
    return DOCS[name]


def section(text: str, heading: str) -> str:
    """The body of the section under ``heading`` (e.g. "## CI setup"), up to the next heading of
    the same or a higher level outside code blocks (a YAML comment is no heading)."""
    level = len(heading.split(" ", 1)[0])
    lines, fenced = [], False
    for line in text.split(f"\n{heading}\n", 1)[1].splitlines(True):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(rf"#{{1,{level}}} ", line):
            break
        lines.append(line)
    return "".join(lines)


FRESH_MACHINE_COMMANDS = [
    "pip install . && deploycheck demo",
    "pip install -e '.[test]' && python -m pytest -n 2 -q",
]


def code_blocks(text: str, language: str | None = None) -> list[str]:
    """Fenced blocks (also indented ones, inside lists), dedented."""
    blocks = re.findall(r"^( *)```([\w-]*)\n(.*?)^ *```$", text, re.M | re.S)
    return [
        "".join(line[len(indent):] if line.startswith(indent) else line for line in body.splitlines(True))
        for indent, lang, body in blocks
        if language is None or lang == language
    ]


# An invocation: at the start of a line (after `$ `, a YAML `- ` or `run: `), or after `&&`.
INVOCATION = re.compile(r"(?:^\s*(?:\$ |- (?:run: )?|run: )?|&& )deploycheck(?![\w=:./-])([^#&|\n]*)", re.M)


def invocations() -> list[tuple[str, list[str]]]:
    """(command, flags) for every `deploycheck …` in the code blocks of the README and docs/."""
    found = []
    # Shell, YAML, transcripts and plain blocks hold invocations; a Markdown template or Python
    # example that mentions deploycheck in prose does not.
    blocks = [b for text in (README, *DOCS.values()) for lang in ("", "sh", "yaml", "text") for b in code_blocks(text, lang)]
    for block in blocks:
        if block.startswith("$ "):  # a transcript: only the lines typed at the prompt
            block = "\n".join(line for line in block.splitlines() if line.startswith("$ "))
        for m in INVOCATION.finditer(block):
            tokens = m.group(1).split()
            if not tokens or tokens[0].startswith("-"):
                command, rest = "check", tokens
            elif tokens[0] == "hook":
                command, rest = " ".join(tokens[:2]), tokens[2:]
            else:
                command, rest = tokens[0], tokens[1:]
            found.append((command, [t.split("=", 1)[0] for t in rest if t.startswith("--")]))
    return found


def help_text(capsys, *args: str) -> str:
    assert deploycheck_main([*args, "--help"]) == 0
    return capsys.readouterr().out


def test_the_fresh_machine_commands_are_in_the_readme_and_are_what_ci_runs():
    first_block = code_blocks(README)[0]
    assert first_block.splitlines() == FRESH_MACHINE_COMMANDS
    ci_lines = (ROOT / ".ci/run").read_text().splitlines()
    assert FRESH_MACHINE_COMMANDS[1] in ci_lines


# Issue 7's order, then issue 20's split: the README holds what a newcomer needs first (what it is,
# the two commands, the demo in short, the quick start) and a list of the docs; each reference
# section lives in its docs page.
SECTIONS_IN_ORDER = [
    r"Try it",  # the two fresh-machine commands
    r"The demo",  # in short, and the pictures
    r"Quick start in a real repository",
    r"Documentation",  # every docs page, linked
]

# docs page -> the `## ` sections it must hold, in this order.
DOC_SECTIONS = {
    "ci.md": ["CI setup", "Git hooks"],
    "configuration.md": ["Answers file", "Configuration"],
    "records.md": ["Records, signing and allowed signers", "Fingerprint format"],
    "cli.md": ["Commands", "Exit codes"],
    "security-model.md": ["In short", "What the gate trusts", "Limitations"],
    "design.md": ["Commands and exit codes", "Finding the change", "Findings and the JSON fields",
                  "Checklists and question ids", "Records", "The fingerprint", "The gate",
                  "Design decisions", "Layout"],
}


def test_the_readme_is_short_and_its_sections_come_in_the_order_a_newcomer_reads_them():
    assert len(README.splitlines()) <= 300
    intro, _ = README.split("\n## ", 1)
    # Before any section: one paragraph on the incident and on what deploycheck does.
    paragraphs = [p for p in intro.split("\n\n") if p.strip() and not p.startswith("# ")]
    assert len(paragraphs) == 1 and "minor refactor, no behavioral changes" in paragraphs[0]
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert [h for h in headings if any(re.fullmatch(s, h) for s in SECTIONS_IN_ORDER)] == headings[: len(SECTIONS_IN_ORDER)]
    assert [re.fullmatch(s, h) is not None for s, h in zip(SECTIONS_IN_ORDER, headings)] == [True] * len(SECTIONS_IN_ORDER)
    demo = section(README, "## The demo")
    assert demo.index("](docs/demo.md)") < demo.index("](docs/scan.svg)")
    quick = section(README, "## Quick start in a real repository")
    for step in ("deploycheck init", "first signer", "allowed_signers", "deploycheck ", 'git commit -m "deploycheck record"',
                 "deploycheck verify", "deploycheck hook install", "pre-commit install --hook-type pre-push"):
        assert step in quick, step


def test_the_readme_links_every_docs_page():
    listed = section(README, "## Documentation")
    for name in DOCS:
        assert f"](docs/{name})" in listed, f"README's Documentation list does not link docs/{name}"


@pytest.mark.parametrize("name,sections", DOC_SECTIONS.items())
def test_each_docs_page_holds_its_sections_in_order(name, sections):
    headings = re.findall(r"^## (.+)$", doc(name), re.M)
    assert [h for h in headings if h in sections] == sections


def test_the_moved_reference_sections_keep_their_content():
    ci = section(doc("ci.md"), "## CI setup")
    assert "**GitHub Actions**" in ci and "**GitLab CI**" in ci and "Why `fetch-depth: 0`" in ci
    assert "pre-commit" in section(doc("ci.md"), "## Git hooks")
    assert "ssh-keygen -Y verify" in section(doc("records.md"), "### Verifying a record by hand")
    demo = doc("demo.md")
    assert demo.index("```text\n$ deploycheck demo\n") < demo.index("](scan.svg)")
    assert "```text\n$ deploycheck\n" in doc("checklist.md")
    assert "| 130 |" in section(doc("cli.md"), "## Exit codes")
    assert "# .github/CODEOWNERS" in section(doc("security-model.md"), "## In short")
    assert "a stolen signing key" in section(doc("security-model.md"), "## Limitations")
    assert "**Detection is heuristic.**" in doc("limitations.md")
    assert "| measurement | result | target | |" in doc("benchmarks.md")
    design = doc("design.md")
    for question in ("shared-state", "sequential-assumption", "concurrency-tested", "rollback-safe", "silent-failure"):
        assert f"| `{question}` |" in section(design, "## Checklists and question ids")
    for code in ("missing-record", "stale-record", "bad-signature", "untrusted-signer", "incomplete-answers", "policy", "invalid-record"):
        assert f"`{code}`" in section(design, "## The gate")


LINK = re.compile(r"(?<!\\)\]\(([^)\s]+)\)")


def _anchors(text: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown text (lower case, punctuation dropped,
    spaces to hyphens), outside code blocks."""
    text = re.sub(r"^ *```.*?^ *```$", "", text, flags=re.M | re.S)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", text, re.M)}


@pytest.mark.parametrize("page", ["README.md", *(f"docs/{name}" for name in DOCS)])
def test_every_relative_link_points_at_an_existing_file_and_anchor(page):
    path = ROOT / page
    text = path.read_text(encoding="utf-8")
    for target in LINK.findall(re.sub(r"^ *```.*?^ *```$", "", text, flags=re.M | re.S)):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        assert linked.exists(), f"{page}: link to {target} points at no file"
        if anchor and linked.suffix == ".md":
            assert anchor in _anchors(linked.read_text(encoding="utf-8")), f"{page}: link to {target} has no such heading"


# What differs between two runs of the demo: the temporary folder, commit ids, the throwaway key,
# the record's id and time. Everything else in docs/demo.md's transcript must be what the demo prints.
VOLATILE = [
    (r"/deploycheck-demo-[\w]+/", "/deploycheck-demo-TMP/"),
    (r"\b[0-9a-f]{8}\b", "HEX8"),
    (r"AAAAC3NzaC1lZDI1NTE5AAAA\S{4}…", "KEY…"),
    (r"SHA256:[\w+/]{43}", "SHA256:KEY"),
    (r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', '"TIME"'),
    (r"\d{4}-\d\d-\d\d-inventory-refactor", "DATE-inventory-refactor"),
]


def _normalised(transcript: str) -> str:
    for pattern, replacement in VOLATILE:
        transcript = re.sub(pattern, replacement, transcript)
    return transcript


def test_the_demo_transcript_in_the_docs_is_what_the_demo_prints():
    from make_pictures import demo_transcript

    shown = doc("demo.md").split("```text\n$ deploycheck demo\n", 1)[1].split("\n```\n", 1)[0]
    assert _normalised(shown) == _normalised(demo_transcript()), (
        "docs/demo.md's demo transcript is out of date: run python scripts/make_pictures.py"
    )


def test_every_command_and_option_in_the_readme_and_docs_exists(capsys):
    found = invocations()
    commands = {command for command, _ in found}
    # The README and docs show every command at least once (a new command needs documenting).
    assert commands == {"check", "demo", "scan", "verify", "summary", "init", "hook install", "hook uninstall",
                        "log", "review", "rules", "explain"}
    top = help_text(capsys)
    listed = set(re.findall(r"^  (\w+)\s", top.split("Commands:", 1)[1], re.M))
    for command, flags in found:
        first = command.split()[0]
        assert first in listed, f"`deploycheck {command}` is not a command of `deploycheck --help`"
        text = help_text(capsys, *command.split())
        for flag in flags:
            assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text), f"`deploycheck {command}` has no option {flag}"
    assert "install" in re.findall(r"^  (\w+)\s", help_text(capsys, "hook").split("Commands:", 1)[1], re.M)


def test_the_rules_reference_is_generated_from_the_registry():
    # The whole file, not only its table: every rule's section is its documentation as written
    # on the rule, so an edited rule without a regenerated reference fails here.
    from update_rules_doc import render_rules_doc

    assert doc("rules.md") == render_rules_doc(), "docs/rules.md is out of date: run python scripts/update_rules_doc.py"


def test_the_rules_reference_has_every_rule_once_in_the_table_and_once_as_a_section():
    from deploycheck.rules import all_rules

    rules = doc("rules.md")
    table = section(rules, "## All rules")
    assert re.findall(r"^\| \[(DC\d+)\]\(#dc\d+-[a-z0-9-]+\) \|", table, re.M) == list(all_rules())
    headings = re.findall(r"^## (DC\d+) `([a-z0-9-]+)`$", rules, re.M)
    assert headings == [(rule.id, rule.name) for rule in all_rules().values()]
    for rule in all_rules().values():
        assert f"(#{rule.id.lower()}-{rule.name})" in table


def test_the_answers_example_is_a_valid_answers_file():
    from deploycheck.checklist.answers import parse_answers
    from deploycheck.checklist.checklist import load_builtin

    checklist = load_builtin("background-jobs")
    (example,) = [b for b in code_blocks(doc("configuration.md"), "yaml") if b.startswith("shared-state:")]
    answers = parse_answers(example, "docs/configuration.md", checklist)
    assert list(answers) == list(checklist.ids)
    assert answers["concurrency-tested"].details == "tests/test_inventory_concurrency.py"


def test_the_configuration_example_uses_every_key_and_parses():
    from deploycheck.config import TOP_KEYS, parse_config_text
    from deploycheck.rules.envparity import parse_declared

    (example,) = [b for b in code_blocks(doc("configuration.md"), "yaml") if b.startswith("base_branch:")]
    config = parse_config_text(example, "docs/configuration.md")
    assert set(re.findall(r"^(\w+):", example, re.M)) == set(TOP_KEYS)
    assert config.base_branch == "main"
    assert config.disabled_rules == ("DC103",)
    assert config.severity_overrides == {"DC101": "high"}
    assert [(r.question, r.answer, r.when) for r in config.block] == [("rollback-safe", "no", "high")]
    assert [d.name for d in parse_declared(config.environments, "docs/configuration.md")] == ["staging", "production"]
    table = doc("configuration.md").split("| key | meaning | default |", 1)[1].split("\n\n", 1)[0]
    documented = {key.split(".")[0] for key in re.findall(r"^\| `([\w.]+)` \|", table, re.M)}
    assert documented == set(TOP_KEYS)


def test_the_allowed_signers_example_parses():
    from deploycheck.records.signing import parse_allowed_signers

    (example,) = [b for b in code_blocks(doc("records.md"), "") if b.startswith("# PRINCIPALS [OPTIONS]")]
    signers = parse_allowed_signers(example, "docs/records.md")
    assert len(signers) == 3
    assert signers[1].allows_namespace("deploycheck-record-v1")
    assert not signers[1].allows_namespace("git")
    assert signers[2].allows_principal("release-bot@example.com")


@pytest.mark.parametrize("picture", ["docs/scan.svg", "docs/walkthrough.svg"])
def test_the_pictures_are_committed_and_shown(picture):
    assert f"]({picture})" in README
    assert f"]({picture.removeprefix('docs/')})" in doc("demo.md")
    svg = (ROOT / picture).read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "DC301" in svg and "lost-update" in svg


def test_the_fingerprint_section_is_kept():
    records = doc("records.md")
    assert "## Fingerprint format" in records
    assert "Fingerprint: SHA-256 over the `(path, digest)` pairs sorted by path" in section(records, "## Fingerprint format")
