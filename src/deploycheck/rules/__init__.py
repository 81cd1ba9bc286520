"""The rule registry: one table of every rule, and the detectors that report them.

Each family of rules lives in its own module and exposes ``RULES`` (a tuple of Rule) and
``DETECTORS`` (a tuple of detector functions). This module only gathers them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from .base import Detector, Rule

FAMILIES = (
    "deploycheck.rules.python_rules",
    "deploycheck.rules.patterns",
    "deploycheck.rules.parity",
)


@lru_cache(maxsize=None)
def _families() -> tuple:
    return tuple(import_module(name) for name in FAMILIES)


@lru_cache(maxsize=None)
def all_rules() -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for family in _families():
        for rule in family.RULES:
            if rule.id in table:
                raise RuntimeError(f"rule id {rule.id} is defined twice")
            table[rule.id] = rule
    return dict(sorted(table.items()))


def detectors() -> tuple[Detector, ...]:
    return tuple(d for family in _families() for d in family.DETECTORS)


def get_rule(rule_id: str) -> Rule | None:
    rules = all_rules()
    key = rule_id.strip().upper()
    if key in rules:
        return rules[key]
    for rule in rules.values():  # also accept the kebab-case name
        if rule.name == rule_id.strip().lower():
            return rule
    return None
