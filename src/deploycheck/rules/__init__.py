"""The rule registry: one table of every rule, and the detectors that report them.

Each family of rules lives in its own module and exposes ``RULES`` (a tuple of Rule) and
``DETECTORS`` (a tuple of detector functions). This module only gathers them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from .base import FileContext, Rule
from .python.gate import may_report as _python_may_report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Callable

    from .base import Detector

FAMILIES = (
    "deploycheck.rules.python.family",
    "deploycheck.rules.patterns.engine",
    "deploycheck.rules.trees",
    "deploycheck.rules.parity",
    # Last, so that the Python file it asks about has been parsed already (python.source memoises).
    "deploycheck.rules.not_analysed",
)


def _python_file(path: str) -> bool:
    return path.endswith(".py")


# The extensions of trees.langs.EXTENSIONS, repeated here so that judging a path never imports
# the family (tests/rules/test_trees.py checks that the two lists agree).
TREE_EXTENSIONS = (".rb", ".rake", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".go", ".java", ".kt",
                   ".kts", ".lua")


def _tree_file(path: str) -> bool:
    return path.lower().endswith(TREE_EXTENSIONS)


# Which paths a family's detectors can report on, judged from the path alone, so that scanning
# a change without such files never imports the family (importing the Python rules compiles
# dozens of regular expressions: a large share of a git hook's budget). A family missing here
# reads every file. tests/analysis/test_perf_paths.py checks every rule example against these gates.
FILE_GATES: dict[str, Callable[[str], bool]] = {
    "deploycheck.rules.python.family": _python_file,
    "deploycheck.rules.trees": _tree_file,
}


# A second, finer gate for families that are costly to import: asked with the file's context
# (changed lines, lazily the file) only when the path gate passed. ``python.gate`` explains why
# the Python family's gate can never turn away a file one of its detectors would report on.
CONTENT_GATES: dict[str, Callable[[FileContext], bool]] = {
    "deploycheck.rules.python.family": _python_may_report,
    "deploycheck.rules.trees": lambda ctx: _family("deploycheck.rules.trees").may_analyse_path(ctx.path)  # type: ignore[has-type]  # _family: defined below
    and _family("deploycheck.rules.trees").may_report(ctx),  # type: ignore[has-type]  # _family: defined below
}


@lru_cache(maxsize=None)
def _family(name: str) -> ModuleType:
    return import_module(name)


@lru_cache(maxsize=None)
def _families() -> tuple:
    return tuple(_family(name) for name in FAMILIES)


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


@lru_cache(maxsize=4096)
def _gated_families(gates: tuple[bool, ...]) -> tuple[Detector, ...]:
    return tuple(d for name, ok in zip(FAMILIES, gates) if ok for d in _family(name).DETECTORS)


def detectors_for(path: str) -> tuple[Detector, ...]:
    """The detectors that may report on ``path``, in registry order; imports only their families."""
    return _gated_families(tuple(FILE_GATES.get(name, _always)(path) for name in FAMILIES))


def _always(path: str) -> bool:
    return True


def detectors_for_file(ctx: FileContext) -> tuple[Detector, ...]:
    """``detectors_for(ctx.path)`` less the families whose content gate turns the file away."""
    return _gated_families(tuple(_admits(name, ctx) for name in FAMILIES))


def _admits(family: str, ctx: FileContext) -> bool:
    if not FILE_GATES.get(family, _always)(ctx.path):
        return False
    gate = CONTENT_GATES.get(family)
    return gate is None or gate(ctx)


def get_rule(rule_id: str) -> Rule | None:
    rules = all_rules()
    key = rule_id.strip().upper()
    if key in rules:
        return rules[key]
    for rule in rules.values():  # also accept the kebab-case name
        if rule.name == rule_id.strip().lower():
            return rule
    return None
