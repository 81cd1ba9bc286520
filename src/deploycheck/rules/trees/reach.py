"""Application code that background code in another file reaches through its calls, by name.

A job's helper in another file (a model method a Sidekiq job calls, a service an `@Scheduled`
method calls) runs in the job, yet its file names no job API. ``reached`` looks for the job the
other way round: from the changed unit's name to the files at head that name it (`git grep -w`),
to the unit there that uses it, and on, until one of them is background code (a region of
``background.regions``, or a file in a job folder) or the trail ends. Like the Python job index
(DC105), it follows names, not types; unlike it, it is bounded, because it runs per scan with no
cache: a name that more than MAX_FILES files use is too common to follow (`save`, `call`),
names too generic to tell apart are not followed
(`Start`, `run`, `save`), trails stop MAX_DEPTH calls deep, and at most MAX_PARSED files are read per scan. A trail cut
by a bound is not reported (docs/limitations.md).
"""

from __future__ import annotations

import re

from .background import regions
from .keywords import FAMILY_GLOBS, JOB_FOLDER, family_of
from .langs import language_of
from .parse import Parsed, parse_bytes
from .units import CONTAINERS, FUNCTIONS, UNIT_TYPES, chains_at, node_name

MAX_DEPTH = 3
MAX_FILES = 25
MAX_PARSED = 120

_DEFINITIONS = frozenset(t for types in UNIT_TYPES.values() for t in types)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[?!]?")


# Units that callers call by name: functions and methods (a constructor is called by its
# class's name, a field is read, not called).
_CALLABLE = {"method", "singleton_method", "function_declaration", "generator_function_declaration",
             "method_definition", "method_declaration"}
_FUNCTION_VALUES = {"arrow_function", "function_expression", "function", "generator_function"}
# Names so common as method names that two unrelated ones share them (`Start`, `Load`, `run`):
# a trail through one would join code that never calls each other. Not followed.
_GENERIC = frozenset(
    "do run start stop load process get set new init initialize handle execute close serve call main update "
    "create save find build apply render show index list delete destroy open read write send test to_s to_h "
    "to_json as_json string value values key keys size length each map reset clear".split())


def simple_name(node, p: Parsed) -> str | None:
    """The name callers write for a function or method (`Type.method` -> `method`, `run(2)` ->
    `run`, `self.find` -> `find`); None for any other unit (a class, a field, a constant) and
    for a name in ``_GENERIC``."""
    if node is None:
        return None
    if node.type == "variable_declarator":  # `const charge = async () => {...}`
        value = node.child_by_field_name("value")
        if value is None or value.type not in _FUNCTION_VALUES:
            return None
    elif node.type not in _CALLABLE:
        return None
    name = node_name(node, p).split("(")[0].rsplit(".", 1)[-1]
    if not _WORD.fullmatch(name) or name.lower().rstrip("?!") in _GENERIC:
        return None
    return name


# The one method of a service or command object (`ExecuteBridgeRequest#execute`, a Ruby
# service's `call`): callers write the generic name, so the class's name is followed instead.
_ENTRY_METHODS = frozenset({"call", "execute", "perform", "run", "handle", "process"})


def followed_name(chain: list, p: Parsed) -> str | None:
    """The name to follow for the changed unit that ``chain`` ends in: its own, or, for the
    entry method of a service object, its class's."""
    if not chain:
        return None
    own = simple_name(chain[-1], p)
    if own is not None:
        return own
    node = chain[-1]
    if node.type not in _CALLABLE or len(chain) < 2 or chain[-2].type not in CONTAINERS:
        return None
    method = node_name(node, p).split("(")[0].rsplit(".", 1)[-1].lower()
    owner = node_name(chain[-2], p).rsplit("::", 1)[-1].rsplit(".", 1)[-1]
    return owner if method in _ENTRY_METHODS and _WORD.fullmatch(owner) and owner.lower() not in _GENERIC else None


def reached(ctx, language: str, name: str) -> str | None:
    """How background code reaches the unit named ``name`` ("`RevertImportJob#perform`
    (app/jobs/revert_import_job.rb:5) calls it through `revert`"), or None."""
    family = family_of(language)
    repo = ctx.repo
    if repo is None or family not in FAMILY_GLOBS:
        return None
    memo = ctx.settings.base_files.memo if ctx.settings.base_files is not None else {}
    key = ("trees.reached", family, name)
    if key not in memo:
        memo[key] = _search(ctx, family, name, memo)
    return memo[key]


def _search(ctx, family: str, name: str, memo: dict) -> str | None:
    frontier: list[tuple[str, tuple[str, ...]]] = [(name, ())]
    seen = {name}
    for _ in range(MAX_DEPTH):
        following: list[tuple[str, tuple[str, ...]]] = []
        for called, trail in frontier:
            for path in _files_naming(ctx, family, called, memo):
                p = _head_tree(ctx, path, memo)
                if p is None:
                    continue
                uses, spans = _uses(p, called), regions(p)
                # A use inside a job's own region names the job; a whole file (a job folder's,
                # `job_paths`) only says where.
                found = [(row, s[2]) for row in uses for s in sorted(spans, key=lambda s: s[1] - s[0])
                         if s[0] <= row <= s[1]] or [(row, s[2]) for row in uses for s in _whole_file(ctx, path, p)]
                if found:
                    row, what = found[0]
                    # From the job down to the changed unit; the calling line shows a false trail.
                    through = " -> ".join(f"`{n}`" for n in (called,) + trail)
                    return f"{what} at {path}:{row + 1} ({_quoted(p, row)}) calls it through {through}"
                for row in uses:
                    for chain in chains_at(p, row):
                        caller = followed_name(chain, p)
                        if caller and caller not in seen:
                            seen.add(caller)
                            following.append((caller, (called,) + trail))
        frontier = following
        if not frontier:
            break
    return None


def _whole_file(ctx, path: str, p: Parsed) -> list[tuple[int, int, str]]:
    """A file that is background code as a whole: a job folder's, or one `job_paths` names."""
    end = p.root.end_point[0]
    if ctx.settings.job_paths:
        from ...git import pathglob

        if pathglob.matches(path, ctx.settings.job_paths):
            return [(0, end, "code in `job_paths`")]
    folder = JOB_FOLDER.search(path)
    return [(0, end, f"code in the job folder `{folder.group(1)}/`")] if folder is not None else []


def _quoted(p: Parsed, row: int) -> str:
    """The calling line, short and inert (no backticks or control characters)."""
    line = p.source.split(b"\n")[row].decode("utf-8", "replace").strip()
    line = "".join(c if c.isprintable() else " " for c in line).replace("`", "'")
    return f"`{line[:77]}...`" if len(line) > 80 else f"`{line}`"


def _files_naming(ctx, family: str, name: str, memo: dict) -> list[str]:
    """The non-test files of the family at head that hold ``name`` as a word; [] when more
    than MAX_FILES do (too common to follow)."""
    key = ("trees.naming", family, name)
    if key not in memo:
        from ...git import gitcmd
        from ..paths import is_test_or_doc

        repo = ctx.repo
        paths = gitcmd.grep_files(repo.root, repo.head_sha, [name], FAMILY_GLOBS[family], words=True,
                                  what=f"the callers of `{name}`")
        paths = [path for path in paths if not is_test_or_doc(path)]
        memo[key] = paths if len(paths) <= MAX_FILES else []
    return memo[key]


def _head_tree(ctx, path: str, memo: dict) -> Parsed | None:
    key = ("trees.head-tree", path)
    if key not in memo:
        budget = memo.setdefault(("trees.head-tree", None), [MAX_PARSED])
        language = language_of(path)
        if budget[0] <= 0 or language is None:
            return None
        budget[0] -= 1
        from ...git import gitcmd

        repo = ctx.repo
        source = gitcmd.show_file(repo.head_sha, path, repo.root)
        tree = parse_bytes(language, source) if source is not None else None
        memo[key] = tree if isinstance(tree, Parsed) else None
    return memo[key]


# Where an identifier names a local, a parameter or the thing being defined, not a call:
# `starred = Throttle.throttle!(…)` in a job calls no method `starred`.
_ASSIGNMENTS = frozenset({"assignment", "operator_assignment", "short_var_declaration", "assignment_statement",
                          "assignment_expression", "augmented_assignment_expression"})
_PARAMETERS = frozenset({"formal_parameter", "parameter_declaration", "required_parameter", "optional_parameter",
                         "keyword_parameter", "method_parameters", "block_parameters", "lambda_parameters",
                         "formal_parameters", "parameters", "parameter", "spread_parameter"})


def _names_something_else(n) -> bool:
    parent = n.parent
    if parent is None:
        return False
    if parent.type in _DEFINITIONS:  # its own name; Java's call `x.clean()` has a `name` field too
        named = parent.child_by_field_name("name")
        return named is not None and named.id == n.id
    if parent.type in _PARAMETERS:
        return True
    node = n
    while parent is not None and parent.type in ("expression_list", "left_assignment_list", "pattern_list"):
        node, parent = parent, parent.parent
    if parent is not None and parent.type in _ASSIGNMENTS:
        left = parent.child_by_field_name("left")
        return left is not None and left.id == node.id
    return False


def _uses(p: Parsed, name: str) -> list[int]:
    """Rows where ``name`` appears as an identifier that may call it: not a definition's own
    name, a parameter, an assignment's target, an import, nor a local that its function assigns
    (Ruby's bare `starred` after `starred = …` reads the local)."""
    hits, locals_ = [], set()
    stack = [p.root]
    while stack:
        n = stack.pop()
        if "import" in n.type or n.type == "package_clause":
            continue  # naming a function to import it calls nothing
        if n.child_count == 0:
            if ("identifier" in n.type or n.type == "constant") and p.text(n) == name:  # Ruby classes are constants
                if _receiver(n) and not name[:1].isupper():
                    pass  # `sync.run`: `sync` is the object called on; `Report.archive` uses the class
                elif _names_something_else(n):
                    if n.parent is not None and n.parent.type not in _DEFINITIONS:
                        locals_.add(_function_of(n))
                else:
                    hits.append(n)
            continue
        stack.extend(n.children)
    return sorted({n.start_point[0] for n in hits if _function_of(n) not in locals_ or not _bare(n)})


def _function_of(n):
    node = n.parent
    while node is not None and node.type not in FUNCTIONS:
        node = node.parent
    return node.id if node is not None else None


def _bare(n) -> bool:
    """An identifier on its own, not the method of a call with a receiver or a member's name."""
    parent = n.parent
    return parent is None or parent.type not in ("call", "member_expression", "selector_expression",
                                                  "method_invocation", "field_access", "navigation_suffix")


# Fields that hold the object a method is called on.
_OBJECT_FIELDS = {"call": "receiver", "member_expression": "object", "selector_expression": "operand",
                  "method_invocation": "object", "field_access": "object"}


def _receiver(n) -> bool:
    parent = n.parent
    field = _OBJECT_FIELDS.get(parent.type) if parent is not None else None
    target = parent.child_by_field_name(field) if field else None
    return target is not None and target.id == n.id
