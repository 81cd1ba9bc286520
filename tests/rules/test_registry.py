"""The rule registry is complete: every rule is documented in ruff's five sections and has both a
positive and a negative annotated example in tests/rule_examples/<family>/ (see test_rule_examples.py).

Whole-change rules (``deploycheck.rules.parity.WHOLE_CHANGE_RULES``, e.g. DC600 environment
parity) look at the whole change and the repository's deployment files, so a single annotated
file cannot express them: they must instead have scenario tests (real repositories) that assert
both a finding of the rule and its absence, in the test file named in ``SCENARIO_TESTS``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from deploycheck.git.model import CATEGORIES, QUESTION_IDS, SEVERITIES
from deploycheck.rules import all_rules
from deploycheck.rules.base import DOC_SECTIONS
from deploycheck.rules.parity import WHOLE_CHANGE_RULES
from support.rule_examples import all_annotations

RULES = sorted(all_rules().values(), key=lambda r: r.id)
ANNOTATIONS = all_annotations()
TESTS = Path(__file__).parent
SCENARIO_TESTS = {"DC600": "test_envparity.py"}  # whole-change rule -> its scenario test file


def _too_short(rule, section: str) -> bool:
    # "Known problems" may honestly be "None known."; every other section needs real content.
    minimum = 1 if section == "known_problems" else 20
    return len((getattr(rule, section) or "").strip()) < minimum


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_documented(rule) -> None:
    missing = [section for section in DOC_SECTIONS if _too_short(rule, section)]
    assert missing == [], f"{rule.id} ({rule.name}) lacks documentation sections: {missing}"
    assert rule.summary.strip(), f"{rule.id} has no summary"


def _test_functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


def _asserts(fn: ast.FunctionDef) -> list[ast.Assert]:
    return [n for n in ast.walk(fn) if isinstance(n, ast.Assert)]


def _asserts_rule_found(fn: ast.FunctionDef, rule_id: str) -> bool:
    """An assert about findings that names the rule id: ``[f.rule for f in result.findings] == ["DC600"]``
    (not merely ``rule.id == "DC600"`` about the registry)."""
    for check in _asserts(fn):
        nodes = list(ast.walk(check.test))
        names_rule = any(isinstance(n, ast.Constant) and n.value == rule_id for n in nodes)
        about_findings = any(
            (isinstance(n, ast.Name) and "finding" in n.id) or (isinstance(n, ast.Attribute) and "finding" in n.attr)
            for n in nodes
        )
        if names_rule and about_findings:
            return True
    return False


def _asserts_nothing_found(fn: ast.FunctionDef) -> bool:
    """A test named for the absence (``no_finding``/``nothing``) asserting an empty result ``== []``."""
    named = "no_finding" in fn.name or "nothing" in fn.name
    empty = any(
        isinstance(a.test, ast.Compare)
        and any(isinstance(op, ast.Eq) for op in a.test.ops)
        and any(isinstance(c, ast.List) and not c.elts for c in a.test.comparators)
        for a in _asserts(fn)
    )
    return named and empty


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_positive_and_negative_examples(rule) -> None:
    if rule.id in WHOLE_CHANGE_RULES:
        assert rule.id in SCENARIO_TESTS, f"{rule.id} is a whole-change rule: name its scenario test file in SCENARIO_TESTS"
        tests = _test_functions(TESTS / SCENARIO_TESTS[rule.id])
        positive = [fn.name for fn in tests if _asserts_rule_found(fn, rule.id)]
        negative = [fn.name for fn in tests if _asserts_nothing_found(fn)]
        assert positive, f"{rule.id}: no test in {SCENARIO_TESTS[rule.id]} asserts a {rule.id} finding"
        assert negative, f"{rule.id}: no `no_finding`/`nothing` test in {SCENARIO_TESTS[rule.id]} asserts `== []`"
        return
    found = ANNOTATIONS.get(rule.id, {"error": set(), "ok": set()})
    assert found["error"], f"{rule.id} ({rule.name}) has no `error: {rule.id}` example in tests/rule_examples/"
    assert found["ok"], f"{rule.id} ({rule.name}) has no `ok: {rule.id}` example in tests/rule_examples/"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata_is_valid(rule) -> None:
    assert re.fullmatch(r"DC\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.name), f"{rule.id}: name must be kebab-case"
    assert rule.category in CATEGORIES
    assert rule.severity in SEVERITIES
    assert rule.questions and set(rule.questions) <= set(QUESTION_IDS)


def test_rule_names_are_unique() -> None:
    names = [r.name for r in RULES]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_lost_update_is_dc301() -> None:
    rule = all_rules()["DC301"]
    assert (rule.name, rule.category, rule.severity) == ("lost-update", "shared-state", "high")
    assert set(rule.questions) >= {"shared-state", "sequential-assumption"}
    assert "reserve_stock" in rule.example and "F(" in rule.use_instead


def test_concurrency_control_rules_are_never_high() -> None:
    """docs/design.md, "Findings and the JSON fields": adding or changing concurrency control is a warning, even when it makes things safer."""
    rules = all_rules()
    assert rules["DC201"].severity == "warning"
    assert rules["DC202"].severity == "warning"
