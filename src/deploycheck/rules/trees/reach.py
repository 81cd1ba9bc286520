"""Application code that background code in another file reaches through its calls, by name.

A job's helper in another file (a model method a Sidekiq job calls, a service an `@Scheduled`
method calls) runs in the job, yet its file names no job API. ``reached`` looks for the job the
other way round: from the changed function's name to the files at head that hold it as a word
(one `git grep -o` per call depth for all the names of a file), to the function there that uses
it, and on, until one of them is background code (a region of ``background.regions``, a job
folder's file, a `job_paths` file) or the trail ends. Like the Python job index (DC104), it
follows names, not types; unlike it, it has no cache and is bounded:

- a name more than MAX_FILES files hold, or one too generic to tell two functions apart
  (`Start`, `run`, `save`), is not followed, and trails stop MAX_DEPTH calls deep. A trail cut
  there is not reported: these bounds are the policy's reach, as a region's edge is;
- whether a name is that common is decided on the base when the base has it, so a branch cannot
  make a name common by adding files that hold it;
- at most MAX_PARSED files are read per scan; a search that runs out of them is reported as
  "maybe reached" (fail closed), and so is one through a file that names the function but
  cannot be read (larger than the scan reads, or the parser fails). See docs/limitations.md.
"""

from __future__ import annotations

import posixpath
import re

from .background import regions
from .keywords import (FAMILY_GLOBS, JOB_PATHS_CODE, base_rev, family_of, in_job_paths, job_folder_code,
                       scan_memo)
from .langs import language_of
from .parse import Parsed, parse_bytes
from .units import CONTAINERS, FUNCTIONS, UNIT_TYPES, chains_at, node_name

MAX_DEPTH = 3
MAX_FILES = 25
MAX_PARSED = 250

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


class _OutOfBudget(Exception):
    """MAX_PARSED files were read before the search ended."""


def reached(ctx, language: str, name: str) -> str | None:
    """How background code reaches the unit named ``name`` ("reached from background code:
    ActiveJob job at app/jobs/x.rb:5 (`import.revert`) calls it through `revert`"), why it counts
    as background code though the search could not finish, or None."""
    family = family_of(language)
    if ctx.repo is None or family not in FAMILY_GLOBS:
        return None
    prefetch(ctx, language, [name])
    return scan_memo(ctx)[_answer(family, name, ctx.path)]


def _home(family: str, name: str, path: str) -> str | None:
    """Where the callers of ``name``, defined in ``path``, must be, when the language says:
    a Go name that does not start with an upper-case letter is visible only inside its package,
    the folder of the file that defines it (`fetch` of one package is not `fetch` of another)."""
    if family != "go" or name[:1].isupper():
        return None
    return posixpath.dirname(path)


def _answer(family: str, name: str, path: str) -> tuple:
    return ("trees.reached", family, name, _home(family, name, path))


def prefetch(ctx, language: str, names) -> None:
    """Search for the jobs that reach all of ``names`` (units of the file being scanned) at once
    (one `git grep` per call depth instead of one per name and depth), remembering each answer
    for ``reached``."""
    family = family_of(language)
    memo = scan_memo(ctx)
    todo = sorted({n for n in names if _answer(family, n, ctx.path) not in memo})
    if ctx.repo is None or family not in FAMILY_GLOBS or not todo:
        return
    try:
        found, unread = _search(ctx, family, todo, memo)
        for name in todo:
            how = found.get(name)
            if how:
                memo[_answer(family, name, ctx.path)] = f"reached from background code: {how}"
            elif name in unread:
                # Fail closed: a job in the file that could not be read may call it.
                memo[_answer(family, name, ctx.path)] = (
                    f"maybe reached from background code: {unread[name]}, so deploycheck cannot show that no job "
                    f"calls `{name}`")
            else:
                memo[_answer(family, name, ctx.path)] = None
    except _OutOfBudget:
        # Fail closed: "not reached" would be a guess. The budget bounds a scan's cost; a branch
        # that adds files naming the function cannot make it look unreached either.
        for name in todo:
            memo[_answer(family, name, ctx.path)] = (
                f"maybe reached from background code: the search for jobs that call `{name}` stopped at its limit of "
                f"{MAX_PARSED} files read per scan, so deploycheck cannot show that no job does")


_Leads = dict[tuple[str, "str | None"], list[tuple[str, tuple[str, ...]]]]


def _search(ctx, family: str, names: list[str], memo: dict) -> tuple[dict[str, str], dict[str, str]]:
    """Breadth first from every name at once: ``frontier`` maps a name to look for, with the
    folder its callers must be in (``_home``), to the (origin, trail) pairs that lead to it.
    Returns how each origin is reached, and for origins whose trail passes through a file that
    could not be read, which file and why."""
    found: dict[str, str] = {}
    unread: dict[str, str] = {}
    frontier: _Leads = {(name, _home(family, name, ctx.path)): [(name, ())] for name in names}
    seen = {name: {(name, _home(family, name, ctx.path))} for name in names}
    for _ in range(MAX_DEPTH):
        frontier = {called: [(o, t) for o, t in leads if o not in found] for called, leads in frontier.items()}
        frontier = {called: leads for called, leads in frontier.items() if leads}
        if not frontier:
            break
        naming = _files_naming(ctx, family, sorted({name for name, _home_ in frontier}), memo)
        following: _Leads = {}
        for (called, home), leads in sorted(frontier.items(), key=lambda item: (item[0][0], item[0][1] or "")):
            for path in naming[called]:
                if home is not None and posixpath.dirname(path) != home:
                    continue
                index = _file_index(ctx, path, memo)
                if index is None:
                    continue
                if isinstance(index, str):
                    for origin, _trail in leads:
                        unread.setdefault(origin, f"{path} names `{called}` but {index}")
                    continue
                p, spans, whole, uses_of = index
                uses = uses_of(called)
                # A use inside a job's own region names the job; a whole file (a job folder's,
                # `job_paths`) only says where.
                hits = [(row, s[2]) for row in uses for s in spans if s[0] <= row <= s[1]] or [
                    (row, s[2]) for row in uses for s in whole]
                if hits:
                    row, what = hits[0]
                    for origin, trail in leads:
                        # From the job down to the changed unit; the calling line shows a false trail.
                        through = " -> ".join(f"`{n}`" for n in (called,) + trail)
                        found.setdefault(origin, f"{what} at {path}:{row + 1} ({_quoted(p, row)}) calls it through {through}")
                    break
                for row in uses:
                    for chain in chains_at(p, row):
                        caller = followed_name(chain, p)
                        if not caller:
                            continue
                        key = (caller, _home(family, caller, path))
                        for origin, trail in leads:
                            if key not in seen[origin]:
                                seen[origin].add(key)
                                following.setdefault(key, []).append((origin, (called,) + trail))
        frontier = following
    return found, unread


def _whole_file(ctx, path: str, p: Parsed) -> list[tuple[int, int, str]]:
    """A file that is background code as a whole: one `job_paths` names, or a job folder's."""
    what = JOB_PATHS_CODE if in_job_paths(ctx.settings, path) else job_folder_code(path)
    return [(0, p.root.end_point[0], what)] if what else []


def _quoted(p: Parsed, row: int) -> str:
    """The calling line, short and inert (no backticks or control characters)."""
    line = p.source.split(b"\n")[row].decode("utf-8", "replace").strip()
    line = "".join(c if c.isprintable() else " " for c in line).replace("`", "'")
    return f"`{line[:77]}...`" if len(line) > 80 else f"`{line}`"


def _files_naming(ctx, family: str, names: list[str], memo: dict) -> dict[str, list[str]]:
    """For each name, the non-test files of the family at head that hold it as a word; [] when
    more than MAX_FILES do at head and at the base too (too common to follow). The base decides
    when it can: the branch under test cannot make a name common by adding files that name it."""
    todo = [name for name in names if ("trees.naming", family, name) not in memo]
    if todo:
        at_head = _naming_at(ctx, ctx.repo.head_sha, family, todo)
        common = [name for name in todo if len(at_head[name]) > MAX_FILES]
        base = base_rev(ctx)
        at_base = _naming_at(ctx, base, family, common) if common and base else {}
        for name in todo:
            paths = at_head[name]
            if name in common and (not base or len(at_base.get(name, ())) > MAX_FILES):
                paths = []
            memo[("trees.naming", family, name)] = paths
    return {name: memo[("trees.naming", family, name)] for name in names}


def _naming_at(ctx, rev: str, family: str, names: list[str]) -> dict[str, list[str]]:
    from ...git import gitcmd
    from ..paths import is_test_or_doc

    found = gitcmd.grep_words(ctx.repo.root, rev, names, FAMILY_GLOBS[family])
    return {name: sorted(path for path in paths if not is_test_or_doc(path)) for name, paths in found.items()}


def _file_index(ctx, path: str, memo: dict):
    """A file at head, read once per scan: its tree, its background regions (innermost first),
    its whole-file spans and a lookup of the rows that may call a name. None when it is not a
    source file; why not, when it cannot be read or parsed (the search reports it: fail closed)."""
    key = ("trees.head-index", path)
    if key not in memo:
        budget = memo.setdefault(("trees.head-index", None), [MAX_PARSED])
        language = language_of(path)
        if language is None:
            return None
        if budget[0] <= 0:
            raise _OutOfBudget
        budget[0] -= 1
        # Through the scan's running `git cat-file --batch`: no process per file.
        source = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
        p = parse_bytes(language, source) if source is not None else None
        if isinstance(p, Parsed):
            spans = sorted(regions(p), key=lambda s: s[1] - s[0])
            memo[key] = (p, spans, _whole_file(ctx, path, p), _uses_index(p))
        elif p is None:
            memo[key] = "it is larger than the scan reads"
        else:
            memo[key] = p.reason
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


def _uses_index(p: Parsed):
    """One walk of the tree; returns ``uses(name)``: the rows where ``name`` appears as an
    identifier that may call it: not a definition's own name, a parameter, an assignment's
    target, an import or a lower-case receiver (`sync.run`), nor a bare local that its function
    assigns (Ruby's `starred` after `starred = …` reads the local)."""
    hits: dict[str, list] = {}
    assigned: dict[str, set] = {}
    stack = [p.root]
    while stack:
        n = stack.pop()
        if "import" in n.type or n.type == "package_clause":
            continue  # naming a function to import it calls nothing
        if n.child_count == 0:
            if ("identifier" in n.type or n.type == "constant") and _WORD.fullmatch(text := p.text(n)):
                if _receiver(n) and not text[:1].isupper():
                    pass  # `sync.run`: `sync` is the object called on; `Report.archive` uses the class
                elif _names_something_else(n):
                    if n.parent is not None and n.parent.type not in _DEFINITIONS:
                        assigned.setdefault(text, set()).add(_function_of(n))
                else:
                    hits.setdefault(text, []).append(n)
            continue
        stack.extend(n.children)

    def uses(name: str) -> list[int]:
        locals_ = assigned.get(name, set())
        return sorted({n.start_point[0] for n in hits.get(name, ()) if _function_of(n) not in locals_ or not _bare(n)})

    return uses


def _function_of(n):
    node = n.parent
    while node is not None and node.type not in FUNCTIONS:
        node = node.parent
    return node.id if node is not None else None


# Nodes that call or read a member of an object, and the field that holds the object.
_OBJECT_FIELDS = {"call": "receiver", "member_expression": "object", "selector_expression": "operand",
                  "method_invocation": "object", "field_access": "object"}


def _bare(n) -> bool:
    """An identifier on its own, not the method of a call with a receiver or a member's name."""
    parent = n.parent
    return parent is None or (parent.type not in _OBJECT_FIELDS and parent.type != "navigation_suffix")


def _receiver(n) -> bool:
    parent = n.parent
    field = _OBJECT_FIELDS.get(parent.type) if parent is not None else None
    target = parent.child_by_field_name(field) if field else None
    return target is not None and target.id == n.id
