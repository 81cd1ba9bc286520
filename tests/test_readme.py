"""The README must stay true: its commands exist, its examples parse, its rule table matches the
registry, and its two fresh-machine commands are the ones CI runs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from deploycheck.__main__ import main as deploycheck_main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT / "scripts"))

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
    """(command, flags) for every `deploycheck …` in the README's code blocks."""
    found = []
    for block in code_blocks(README):
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


# Issue 7's order: what a newcomer needs first comes first. Each entry is a regex for one `## `
# heading; sections after the last one (design notes, benchmarks) are free.
SECTIONS_IN_ORDER = [
    r"Try it",  # the two fresh-machine commands
    r"The demo",  # its transcript and the pictures
    r"Quick start in a real repository",
    r"CI setup",
    r"Git hooks",  # pre-commit and plain git hooks
    r"Answers file",  # the configuration reference: the answers file, then config.yaml
    r"Configuration",
    r"Rules",
    r"Records, signing and allowed signers",
    r"Fingerprint format",
    r"Exit codes",
    r"Security model",
    r"Limitations",
]


def test_the_sections_come_in_the_order_a_newcomer_reads_them():
    intro, _ = README.split("\n## ", 1)
    # Before any section: one paragraph on the incident and on what deploycheck does.
    paragraphs = [p for p in intro.split("\n\n") if p.strip() and not p.startswith("# ")]
    assert len(paragraphs) == 1 and "minor refactor, no behavioral changes" in paragraphs[0]
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert [h for h in headings if any(re.fullmatch(s, h) for s in SECTIONS_IN_ORDER)] == headings[: len(SECTIONS_IN_ORDER)]
    assert [re.fullmatch(s, h) is not None for s, h in zip(SECTIONS_IN_ORDER, headings)] == [True] * len(SECTIONS_IN_ORDER)
    demo = README.split("\n## The demo\n", 1)[1].split("\n## ", 1)[0]
    assert demo.index("```text\n$ deploycheck demo\n") < demo.index("](docs/scan.svg)")
    quick = README.split("\n## Quick start in a real repository\n", 1)[1].split("\n## ", 1)[0]
    for step in ("deploycheck init", "first signer", "allowed_signers", "deploycheck ", 'git commit -m "deploycheck record"'):
        assert step in quick, step
    ci = README.split("\n## CI setup\n", 1)[1].split("\n## ", 1)[0]
    assert "**GitHub Actions**" in ci and "**GitLab CI**" in ci and "Why `fetch-depth: 0`" in ci
    assert "pre-commit" in README.split("\n## Git hooks\n", 1)[1].split("\n## ", 1)[0]
    assert "ssh-keygen -Y verify" in README.split("\n### Verifying a record by hand\n", 1)[1].split("\n## ", 1)[0]


# What differs between two runs of the demo: the temporary folder, commit ids, the throwaway key,
# the record's id and time. Everything else in the README's transcript must be what the demo prints.
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


def test_the_demo_transcript_in_the_readme_is_what_the_demo_prints():
    from make_pictures import demo_transcript

    shown = README.split("```text\n$ deploycheck demo\n", 1)[1].split("\n```\n", 1)[0]
    assert _normalised(shown) == _normalised(demo_transcript()), (
        "README.md's demo transcript is out of date: run python scripts/make_pictures.py"
    )


def test_every_command_and_option_in_the_readme_exists(capsys):
    found = invocations()
    commands = {command for command, _ in found}
    # The README shows every command at least once (a new command needs documenting).
    assert commands == {"check", "demo", "scan", "verify", "summary", "init", "hook install", "hook uninstall"}
    top = help_text(capsys)
    listed = set(re.findall(r"^  (\w+)\s", top.split("Commands:", 1)[1], re.M))
    for command, flags in found:
        first = command.split()[0]
        assert first in listed, f"`deploycheck {command}` is not a command of `deploycheck --help`"
        text = help_text(capsys, *command.split())
        for flag in flags:
            assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text), f"`deploycheck {command}` has no option {flag}"
    assert "install" in re.findall(r"^  (\w+)\s", help_text(capsys, "hook").split("Commands:", 1)[1], re.M)


def test_the_rule_table_matches_the_registry():
    from deploycheck.report import render_rules_markdown
    from update_readme_rules import with_rules_table

    assert with_rules_table(README, render_rules_markdown()) == README, (
        "README.md's rule table is out of date: run python scripts/update_readme_rules.py"
    )


def test_the_rule_table_lists_every_rule_once():
    from deploycheck.rules import all_rules

    table = README.split("<!-- rules:start -->", 1)[1].split("<!-- rules:end -->", 1)[0]
    ids = re.findall(r"^\| (DC\d+) \|", table, re.M)
    assert ids == list(all_rules())


def test_the_answers_example_is_a_valid_answers_file():
    from deploycheck.answers import parse_answers
    from deploycheck.checklist import load_builtin

    checklist = load_builtin("background-jobs")
    (example,) = [b for b in code_blocks(README, "yaml") if b.startswith("shared-state:")]
    answers = parse_answers(example, "README.md", checklist)
    assert list(answers) == list(checklist.ids)
    assert answers["concurrency-tested"].details == "tests/test_inventory_concurrency.py"


def test_the_configuration_example_uses_every_key_and_parses():
    from deploycheck.config import TOP_KEYS, parse_config_text
    from deploycheck.envparity import parse_declared

    (example,) = [b for b in code_blocks(README, "yaml") if b.startswith("base_branch:")]
    config = parse_config_text(example, "README.md")
    assert set(re.findall(r"^(\w+):", example, re.M)) == set(TOP_KEYS)
    assert config.base_branch == "main"
    assert config.disabled_rules == ("DC103",)
    assert config.severity_overrides == {"DC101": "high"}
    assert [(r.question, r.answer, r.when) for r in config.block] == [("rollback-safe", "no", "high")]
    assert [d.name for d in parse_declared(config.environments, "README.md")] == ["staging", "production"]
    table = README.split("| key | meaning | default |", 1)[1].split("\n\n", 1)[0]
    documented = {key.split(".")[0] for key in re.findall(r"^\| `([\w.]+)` \|", table, re.M)}
    assert documented == set(TOP_KEYS)


def test_the_allowed_signers_example_parses():
    from deploycheck.signing import parse_allowed_signers

    (example,) = [b for b in code_blocks(README, "") if b.startswith("# PRINCIPALS [OPTIONS]")]
    signers = parse_allowed_signers(example, "README.md")
    assert len(signers) == 3
    assert signers[1].allows_namespace("deploycheck-record-v1")
    assert not signers[1].allows_namespace("git")
    assert signers[2].allows_principal("release-bot@example.com")


@pytest.mark.parametrize("picture", ["docs/scan.svg", "docs/walkthrough.svg"])
def test_the_pictures_are_committed_and_shown(picture):
    assert f"]({picture})" in README
    svg = (ROOT / picture).read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "DC301" in svg and "lost-update" in svg


def test_the_fingerprint_section_is_kept():
    assert "## Fingerprint format" in README
    assert "Fingerprint: SHA-256 over the `(path, digest)` pairs sorted by path" in README
