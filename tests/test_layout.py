"""The package's layout (docs/design.md "Layout"): dependencies point one way.

The graph is built from the syntax tree of every module under src/deploycheck: every ``import``
and ``from … import`` anywhere in a module (at its top, inside a function, under
``if TYPE_CHECKING:``) is an edge, because a lazy import is still a dependency, only a later one.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "deploycheck"

# Import cycles inside a rule family, kept on purpose for now: each module imports the other
# lazily (inside the function that needs it) so that a git hook loads only what a file needs.
# Breaking them means dividing those modules (a later pass of issue 20). The list may only
# shrink: a cycle that is gone must be removed from it (test_known_cycles_are_still_there).
KNOWN_CYCLES = {
    frozenset({
        "deploycheck.rules.python.gate", "deploycheck.rules.python.jobs",
        "deploycheck.rules.python.repo_build", "deploycheck.rules.python.repo_index",
    }),
    frozenset({"deploycheck.rules.patterns.cache", "deploycheck.rules.patterns.checks", "deploycheck.rules.patterns.engine"}),
}


def modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["deploycheck", *path.relative_to(PACKAGE).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    """{module: {imported deploycheck module: line of the first such import}}."""
    known = modules()

    def owner(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, dict[str, int]] = {}
    for name, (path, is_package) in known.items():
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                # `from pkg import mod` depends on pkg.mod; `from mod import name` on mod.
                targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source for a in node.names]
            for target in targets:
                module = owner(target) if target.split(".")[0] == "deploycheck" else None
                if module is not None and module != name:
                    edges.setdefault(module, node.lineno)
        graph[name] = edges
    return graph


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's components with more than one module (a module importing itself is skipped)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(start: str) -> None:
        # Iterative, so that a deep chain of imports cannot hit the recursion limit.
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)

    for module in graph:
        if module not in index:
            visit(module)
    return components


def a_cycle(graph: dict[str, dict[str, int]], component: set[str]) -> list[str]:
    """One cycle through ``component``, as ``a -> b -> … -> a`` steps with their lines."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:  # breadth first: the shortest way back to ``start``
        node = queue.pop(0)
        for child in sorted(graph[node]):
            if child == start:
                steps = paths[node] + [start]
                return [f"{a} (line {graph[a][b]}) -> {b}" for a, b in zip(steps, steps[1:])]
            if child in component and child not in paths:
                paths[child] = paths[node] + [child]
                queue.append(child)
    raise AssertionError(f"no cycle found in {component}")


def missing_modules() -> list[str]:
    """Imports of a deploycheck module that does not exist (``from .answers import X`` in a module
    that moved away from answers.py), which the graph above would read as its package."""
    known = modules()
    missing = []
    for name, (path, is_package) in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                sources = [".".join(base + ([node.module] if node.module else []))]
            elif isinstance(node, ast.ImportFrom):
                sources = [node.module or ""]
            elif isinstance(node, ast.Import):
                sources = [alias.name for alias in node.names]
            else:
                continue
            missing += [f"{name} (line {node.lineno}): {s}" for s in sources
                        if s.split(".")[0] == "deploycheck" and s not in known]
    return missing


def test_every_import_names_a_module_that_exists() -> None:
    # A lazy import inside a function fails only when it runs: find a stale one here.
    assert missing_modules() == []


def test_graph_sees_every_kind_of_import() -> None:
    graph = import_graph()
    assert "deploycheck.analysis.pipeline" in graph["deploycheck.gate.verification"]  # module level
    assert "deploycheck.hooks.range" in graph["deploycheck.hooks.fast"]  # inside a function
    assert "deploycheck.config" in graph["deploycheck.rules.parity"]  # under TYPE_CHECKING
    assert "deploycheck.output.report" in graph["deploycheck.commands.verify"]  # `from ..output import report`


def test_only_the_cli_imports_the_commands() -> None:
    offenders = [
        f"{module} imports {target} (line {line})"
        for module, edges in import_graph().items()
        if not (module == "deploycheck.cli" or module.startswith("deploycheck.commands"))
        for target, line in edges.items()
        if target == "deploycheck.commands" or target.startswith("deploycheck.commands.")
    ]
    assert offenders == [], "commands sit on top (docs/design.md, Layout):\n" + "\n".join(offenders)


def test_no_import_cycle_between_modules() -> None:
    graph = import_graph()
    new = [c for c in strongly_connected(graph) if frozenset(c) not in KNOWN_CYCLES]
    report = ["\n  ".join(a_cycle(graph, c)) for c in new]
    assert not new, "import cycles (docs/design.md, Layout):\n  " + "\n\n  ".join(report)


def test_known_cycles_are_still_there() -> None:
    # A cycle someone broke leaves KNOWN_CYCLES: the list only shrinks.
    found = {frozenset(c) for c in strongly_connected(import_graph())}
    assert KNOWN_CYCLES <= found, f"no longer cycles, remove them from KNOWN_CYCLES: {KNOWN_CYCLES - found}"


def test_a_cycle_is_found_and_named() -> None:
    graph = {"a": {"b": 3}, "b": {"c": 5}, "c": {"a": 7, "d": 1}, "d": {}}
    (component,) = strongly_connected(graph)
    assert component == {"a", "b", "c"}
    assert a_cycle(graph, component) == ["a (line 3) -> b", "b (line 5) -> c", "c (line 7) -> a"]


def test_leaf_helpers_import_nothing_from_deploycheck() -> None:
    # util/ is the floor every part stands on (docs/design.md, Layout).
    graph = import_graph()
    leaves = {m: sorted(edges) for m, edges in graph.items() if m.startswith("deploycheck.util.")}
    assert leaves and all(
        all(t in ("deploycheck", "deploycheck.errors") for t in targets) for targets in leaves.values()
    ), leaves


# The parts, bottom to top (docs/design.md, Layout). A module may import its own part and the
# parts below it, never one above.
PARTS = (
    ("foundation", ("deploycheck", "deploycheck.errors", "deploycheck.util", "deploycheck.testing")),
    ("git", ("deploycheck.git", "deploycheck.config")),
    ("rules", ("deploycheck.rules",)),
    ("analysis", ("deploycheck.analysis",)),
    ("checklist", ("deploycheck.checklist",)),
    ("records", ("deploycheck.records",)),
    ("gate", ("deploycheck.gate",)),
    ("output", ("deploycheck.output",)),
    ("authoring", ("deploycheck.authoring",)),
    ("hooks", ("deploycheck.hooks",)),
    ("commands", ("deploycheck.commands", "deploycheck.cli", "deploycheck.__main__", "deploycheck.demo",
                  "deploycheck.install_source")),
)
# Imports that point up, each with its reason. Keep this short; every entry is a debt.
UPWARD = {
    # Which files under .deploycheck/ are still code the scan must read is the rule family's
    # table of code extensions (DC001), not the change model's.
    ("deploycheck.git.change", "deploycheck.rules.not_analysed"),
}


def part_of(module: str) -> int:
    best = None
    for rank, (_, prefixes) in enumerate(PARTS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (rank, len(prefix))
    assert best is not None, f"{module} belongs to no part: add it to PARTS and to docs/design.md"
    return best[0]


def test_every_part_imports_only_the_parts_below_it() -> None:
    upward = []
    for module, edges in import_graph().items():
        for target, line in edges.items():
            if part_of(target) > part_of(module) and (module, target) not in UPWARD:
                upward.append(f"{module} ({PARTS[part_of(module)][0]}, line {line}) imports {target} ({PARTS[part_of(target)][0]})")
    assert upward == [], "imports that point up (docs/design.md, Layout):\n" + "\n".join(upward)


def test_upward_exceptions_are_still_needed() -> None:
    graph = import_graph()
    assert all(target in graph[module] for module, target in UPWARD)
