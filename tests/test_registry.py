"""The rule registry is complete: every rule is documented in ruff's five sections and has both a
positive and a negative annotated example in tests/rule_examples/ (see test_rule_examples.py)."""

from __future__ import annotations

import re

import pytest

from deploycheck.model import CATEGORIES, QUESTION_IDS, SEVERITIES
from deploycheck.rules import all_rules
from deploycheck.rules.base import DOC_SECTIONS
from test_rule_examples import all_annotations

RULES = sorted(all_rules().values(), key=lambda r: r.id)
ANNOTATIONS = all_annotations()


def _too_short(rule, section: str) -> bool:
    # "Known problems" may honestly be "None known."; every other section needs real content.
    minimum = 1 if section == "known_problems" else 20
    return len((getattr(rule, section) or "").strip()) < minimum


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_documented(rule) -> None:
    missing = [section for section in DOC_SECTIONS if _too_short(rule, section)]
    assert missing == [], f"{rule.id} ({rule.name}) lacks documentation sections: {missing}"
    assert rule.summary.strip(), f"{rule.id} has no summary"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_positive_and_negative_examples(rule) -> None:
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
    """DESIGN.md: adding or changing concurrency control is a warning, even when it makes things safer."""
    rules = all_rules()
    assert rules["DC201"].severity == "warning"
    assert rules["DC202"].severity == "warning"
