"""The rule registry: one record per family of rules, and the rules and detectors they provide.

Each family lives in its own module, which exposes ``RULES`` (a tuple of Rule) and ``DETECTORS``
(a tuple of detector functions). A family's record (``Family``) names that module, the languages
it reads and its gates; this module only gathers them, importing a family's module on first need.
Its rules carry their own documentation and are shown by `deploycheck explain`; docs/rules.md is
generated from this registry (scripts/update_rules_doc.py) and its examples live in
tests/rule_examples/<family name>/ (CONTRIBUTING.md, "Add a rule").
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


class Family:
    """One family of rules: its name (also the folder of its examples in tests/rule_examples/),
    the languages it reads, the module that provides its ``RULES`` and ``DETECTORS`` (imported on
    first need), and its gates.

    ``path_gate(path)`` says from the path alone whether the family can report on a file, so that
    scanning a change without such files never imports it (importing the Python rules compiles
    dozens of regular expressions: a large share of a git hook's budget); None reads every file.
    ``content_gate(ctx)``, for families costly to import, is a second, finer gate asked with the
    file's context (changed lines, lazily the file) only when the path gate passed.
    tests/analysis/test_perf_paths.py checks every rule example against these gates."""

    __slots__ = ("name", "languages", "module", "path_gate", "content_gate")

    def __init__(
        self,
        name: str,
        languages: tuple[str, ...],
        module: str,
        path_gate: Callable[[str], bool] | None = None,
        content_gate: Callable[[FileContext], bool] | None = None,
    ) -> None:
        self.name, self.languages, self.module = name, languages, module
        self.path_gate, self.content_gate = path_gate, content_gate

    def load(self) -> ModuleType:
        """The family's module (imported once)."""
        return _module(self.module)

    def admits_path(self, path: str) -> bool:
        return self.path_gate is None or self.path_gate(path)

    def admits(self, ctx: FileContext) -> bool:
        return self.admits_path(ctx.path) and (self.content_gate is None or self.content_gate(ctx))

    def __repr__(self) -> str:
        return f"Family({self.name!r}, {self.module!r})"


def _python_file(path: str) -> bool:
    return path.endswith(".py")


# The extensions of trees.langs.EXTENSIONS, repeated here so that judging a path never imports
# the family (tests/rules/test_trees.py checks that the two lists agree).
TREE_EXTENSIONS = (".rb", ".rake", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".go", ".java", ".kt",
                   ".kts", ".lua")


def _tree_file(path: str) -> bool:
    # A file without an extension may be a script whose `#!` line names a tree language: the
    # content gate reads that line (trees.langs.language_of_file).
    # A `.sql` file only for the SQL the database runs as a job (trees.dbjobs).
    return path.lower().endswith((*TREE_EXTENSIONS, ".sql")) or "." not in path.rsplit("/", 1)[-1].lstrip(".")


def _trees_may_report(ctx: FileContext) -> bool:
    # ``python.gate`` explains why the Python family's gate can never turn away a file one of its
    # detectors would report on; the tree family's own gates live in its package.
    trees = family("trees").load()
    return trees.may_analyse(ctx) and trees.may_report(ctx)


FAMILIES = (
    Family("python", ("python",), "deploycheck.rules.python.family", _python_file, _python_may_report),
    Family("patterns", ("javascript", "ruby", "go", "jvm", "sql", "worker-config", "mybatis", "spring"), "deploycheck.rules.patterns.engine"),
    Family("trees", ("ruby", "javascript", "typescript", "go", "java", "kotlin", "lua", "sql"), "deploycheck.rules.trees",
           _tree_file, _trees_may_report),
    Family("parity", ("config",), "deploycheck.rules.parity"),
    # Last, so that the Python file it asks about has been parsed already (python.source memoises).
    Family("not_analysed", ("python", "javascript", "typescript", "ruby", "go", "jvm", "any"), "deploycheck.rules.not_analysed"),
)


def family(name: str) -> Family:
    """The record of the family called ``name`` (KeyError for an unknown name)."""
    for record in FAMILIES:
        if record.name == name:
            return record
    raise KeyError(name)


@lru_cache(maxsize=None)
def _module(name: str) -> ModuleType:
    return import_module(name)


@lru_cache(maxsize=None)
def _families() -> tuple:
    return tuple(record.load() for record in FAMILIES)


@lru_cache(maxsize=None)
def all_rules() -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for module in _families():
        for rule in module.RULES:
            if rule.id in table:
                raise RuntimeError(f"rule id {rule.id} is defined twice")
            table[rule.id] = rule
    return dict(sorted(table.items()))


def detectors() -> tuple[Detector, ...]:
    return tuple(d for module in _families() for d in module.DETECTORS)


@lru_cache(maxsize=4096)
def _gated_families(gates: tuple[bool, ...]) -> tuple[Detector, ...]:
    return tuple(d for record, ok in zip(FAMILIES, gates) if ok for d in record.load().DETECTORS)


def detectors_for(path: str) -> tuple[Detector, ...]:
    """The detectors that may report on ``path``, in registry order; imports only their families."""
    return _gated_families(tuple(record.admits_path(path) for record in FAMILIES))


def detectors_for_file(ctx: FileContext) -> tuple[Detector, ...]:
    """``detectors_for(ctx.path)`` less the families whose content gate turns the file away."""
    return _gated_families(tuple(record.admits(ctx) for record in FAMILIES))


def family_of(rule_id: str) -> Family:
    """The record of the family that defines ``rule_id`` (KeyError for an unknown id)."""
    for record in FAMILIES:
        if any(rule.id == rule_id for rule in record.load().RULES):
            return record
    raise KeyError(rule_id)


def get_rule(rule_id: str) -> Rule | None:
    rules = all_rules()
    key = rule_id.strip().upper()
    if key in rules:
        return rules[key]
    for rule in rules.values():  # also accept the kebab-case name
        if rule.name == rule_id.strip().lower():
            return rule
    return None
