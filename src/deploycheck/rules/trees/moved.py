"""Code that moved is not code that changed: a safeguard moved into a helper, a file moved whole.

**A safeguard moved into a helper is not a removal.**

The regex packs' "safeguard removed" rules (DC355-DC358) count a lock, transaction or version
check per file: when a function's ``tx.Begin``/``mu.Lock()``/``with_lock`` is replaced by a call to
a helper that does the same (``dbutil.WithTx(ctx, db, func…)``, ``c.withLock(func…)``), the count
drops and the removal was reported as a `high`. Read with the trees: the removed line's function
still exists on the head and now calls a helper it did not call before. When that helper is
defined in the same file and holds the safeguard, the finding becomes `info` (moved, verified);
when the helper is defined elsewhere and only its name says lock/transaction, it stays flagged as
a `warning` (moved, not verified). Anything else stays as the pack reports it.

**A file moved whole is not new code.** The change is read with `--no-renames` (the fingerprint's
diff, docs/records.md), so a moved file is one file deleted and one added, and every function
of it read as new background code (xxl-job's open-API services moved to another package,
resque's web helpers moved into a module). ``moved_counterpart`` pairs an added file with the
deleted file of the same language that holds most of the same lines; its units are then compared
with the old file's, as a modified file's are with its base; a unit whose same text names other
code from its new folder (``rebound``: a relative import, a Go package's own names, `__dirname`)
is not the same code. Where a move changes what runs the
code (an autoloader's constant, a component scan's package), the code that registers it changed
too, or it did not: that is not read here (docs/limitations.md).
"""

from __future__ import annotations

import re

from .langs import language_of, language_of_file
from .parse import Parsed, parse_bytes, parsed, walk
from .units import FUNCTIONS, _callee, index_units, qualname, units_at

_HELPER_NAME = re.compile(r"(?i)lock|tx|transaction|atomic|synchroni[sz]|mutex|serializ")
_CALLS = {"call", "call_expression", "method_invocation"}


def _calls(node, p: Parsed) -> list[str]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.type in _CALLS:
            name = _callee(n, p)
            if name and "\n" not in name:
                out.append(name)
        stack.extend(n.children)
    return out


def moved_into_helper(ctx, base_line: int, safeguard: re.Pattern[str]) -> tuple[str, str] | None:
    """(severity, explanation) when the safeguard on ``base_line`` moved into a helper, else None."""
    language = language_of_file(ctx)
    if language is None or language == "lua":
        return None
    base, head = parsed(ctx, "base", language), parsed(ctx, "head", language)
    if not isinstance(base, Parsed) or not isinstance(head, Parsed):
        return None
    chain = units_at(base, base_line - 1)
    if not chain or not any(n.type in FUNCTIONS for n in chain):
        return None
    head_units = index_units(head)
    mine = head_units.get(qualname(chain, base))
    if mine is None:
        return None
    before = set(_calls(chain[-1], base))
    # The removed line's own safeguard, as written: a write `Lock()` gone beside a kept `RLock()`
    # is no merge, though one pattern reads both (the red team of session 26).
    found = safeguard.search(base.line(base_line - 1).decode("utf-8", "replace"))
    token = found.group(0) if found is not None else None
    had = base.text(chain[-1]).count(token) if token else 0
    has = head.text(mine).count(token) if token else 0
    if 0 < has < had:
        # Two uses merged into one (keto's per-dialect retry loops, each opening its transaction,
        # made one loop: a new user's trial, session 26), or one of two dropped: not told apart.
        return "warning", (f"the function still holds {has} of the {had} it had: check that every path that ran "
                           "under one still does (two merged into one loses nothing)")
    for call in _calls(mine, head):
        if call in before:
            continue
        short = re.split(r"[.:]", call)[-1]
        helpers = [node for key, node in head_units.items()
                   if key.rsplit("::", 1)[-1].split("(")[0].split(".")[-1] == short and node is not mine]
        if any(safeguard.search(head.text(node)) for node in helpers):
            return "info", f"it moved into `{short}`, defined in this file, which holds it"
        if not helpers and _HELPER_NAME.search(short):
            return "warning", (f"the function now calls `{call}`, defined elsewhere, whose name says it does "
                               "the same: check that it does")
    return None


# A pair shares at least this share of its distinct non-blank lines (Jaccard): a moved file keeps
# most of its lines, a new file that replaces an old one of the same name does not.
_SAME_ENOUGH = 0.5
# Files of one language added and deleted beyond which only same-named pairs are compared.
_COMPARED = 2500


def moved_counterpart(ctx, language: str) -> tuple[str, Parsed] | None:
    """(path, tree) of the other half of a whole-file move this added (or deleted) file is part
    of: the deleted (or added) file of the change, same language, sharing the most lines with it."""
    key = ("trees.moved-counterpart", language)
    if key not in ctx.cache:
        ctx.cache[key] = None
        files = ctx.settings.base_files
        other = _pairs(files, language).get(ctx.path) if files is not None else None
        if other is not None:
            data = files.read_object(other[1])
            tree = parse_bytes(language, data) if data is not None else None
            if isinstance(tree, Parsed):
                ctx.cache[key] = (other[0], tree)
    return ctx.cache[key]


def _pairs(files, language: str) -> dict[str, tuple[str, str]]:
    """path -> (its other half's path, that file's blob id), both ways, for one scan."""
    key = ("trees.moves", language)
    if key in files.memo:
        return files.memo[key]
    mine = [(status, path, blob) for status, path, blob in files.whole_files if language_of(path) == language]
    added = [(path, blob) for status, path, blob in mine if status == "added"]
    deleted = [(path, blob) for status, path, blob in mine if status == "deleted"]
    lines: dict[str, frozenset[bytes]] = {}

    def of(blob: str) -> frozenset[bytes]:
        if blob not in lines:
            data = files.read_object(blob) or b""
            lines[blob] = frozenset(line.strip() for line in data.splitlines() if line.strip())
        return lines[blob]

    named = len(added) * len(deleted) > _COMPARED
    scored = []
    for new_path, new_blob in added:
        for old_path, old_blob in deleted:
            if named and new_path.rpartition("/")[2] != old_path.rpartition("/")[2]:
                continue
            a, b = of(new_blob), of(old_blob)
            share = len(a & b) / len(a | b) if a | b else 0.0
            if share >= _SAME_ENOUGH:
                scored.append((-share, new_path, old_path, new_blob, old_blob))
    out: dict[str, tuple[str, str]] = {}
    for _, new_path, old_path, new_blob, old_blob in sorted(scored):
        if new_path not in out and old_path not in out:  # each half in one pair, the closest first
            out[new_path], out[old_path] = (old_path, old_blob), (new_path, new_blob)
    files.memo[key] = out
    return out


# --- what a move binds anew -------------------------------------------------------------------
#
# The same text in another folder may run other code: a relative import (`./db`) names the file
# beside it, a Go function's unqualified names are its package's (the folder's), a `__dirname`
# is the new folder. A unit that moved unchanged but uses such a name is not the same code.

_JS = frozenset({"javascript", "typescript", "tsx"})
_JS_EXTENSIONS = re.compile(r"\.(?:[cm]?[jt]sx?)$")
_WHERE_I_AM = {
    "javascript": re.compile(r"\b__dirname\b|\b__filename\b|\bimport\.meta\b"),
    "ruby": re.compile(r"\b__dir__\b|\b__FILE__\b|\brequire_relative\b"),
    "go": re.compile(r"\bruntime\.Caller\b"),
}
_GO_PREDECLARED = frozenset(
    "bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 "
    "uint32 uint64 uintptr any comparable true false iota nil append cap clear close complex copy delete imag len "
    "make max min new panic print println real recover _".split())


def rebound(ctx, side: str, node, p: Parsed, there: tuple[str, Parsed]) -> list[str]:
    """The names that the unit ``node`` (None: the file's top level) of this half of a whole-file
    move uses and that the move binds to other code than before; ["(its folder)"] when the unit
    reads where its file is. Empty when the file stayed in its folder."""
    there_path, q = there
    if ctx.path.rpartition("/")[0] == there_path.rpartition("/")[0]:
        return []
    unit = node if node is not None else p.root
    family = "javascript" if p.language in _JS else p.language
    where = _WHERE_I_AM.get(family)
    if where is not None and where.search(p.text(unit)):
        return ["(its folder)"]
    head, base = ((ctx.path, p), there) if side == "head" else (there, (ctx.path, p))
    if family == "javascript":
        moves = _moved_paths(ctx.settings.base_files, p.language)
        old = {name: (_mapped(target, moves), what) for name, (target, what) in _imports(base[1], base[0]).items()}
        new = _imports(head[1], head[0])
        changed = {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}
        used = _identifiers(unit, p)
        out = sorted(name for name in changed if name in used)
        # `require('./x')`, `import('./x')` inside the unit itself.
        mine, theirs = _dynamic_imports(unit, p, ctx.path), _dynamic_imports(_same_unit(q, unit, p), q, there_path)
        new_side, old_side = (mine, theirs) if side == "head" else (theirs, mine)
        return out + sorted(f"'{spec}'" for spec in new_side.keys() | old_side.keys()
                            if _mapped(old_side.get(spec, ""), moves) != new_side.get(spec))
    if family == "go":
        return sorted(_go_free_names(unit, p))
    if family in ("java", "kotlin"):
        return _jvm_rebound(ctx, head, base)
    return []


def _jvm_rebound(ctx, head: tuple[str, Parsed], base: tuple[str, Parsed]) -> list[str]:
    """The type names of a Java or Kotlin file moved to another folder that name another class
    there: a class of its own package is named without an import, and the package is the folder.
    Read for the whole file: a field's type rebinds the methods that use the field."""
    key = ("trees.moved-jvm", head[0], base[0])
    if key in ctx.cache:
        return ctx.cache[key]
    files, repo = ctx.settings.base_files, ctx.repo
    if files is None or repo is None:
        ctx.cache[key] = out = ["(its package)"]  # no way to look at the folders: not the same code
        return out
    moves = {_jvm_stem(old): _jvm_stem(new) for old, new in _moved_paths(files, head[1].language).items()}

    def exists_at_head(path: str) -> bool:
        return repo.read_blob(f"{repo.head_sha}:{path}") is not None

    def bindings(path: str, p: Parsed, exists) -> dict[str, str]:
        imported = _jvm_imports(p)
        folder = path.rpartition("/")[0]
        out: dict[str, str] = {}
        for name in _jvm_type_names(p):
            if name in imported:
                out[name] = imported[name]
            elif any(exists(f"{folder}/{name}{ext}") for ext in (".java", ".kt")):
                out[name] = f"{folder}/{name}"
            else:
                out[name] = "?"  # java.lang, a nested class, a type parameter, a wildcard import's
        return out

    new = bindings(head[0], head[1], exists_at_head)
    old = {name: moves.get(value, value) for name, value in bindings(base[0], base[1],
                                                                      lambda path: files.read(path) is not None).items()}
    out = sorted(name for name in new.keys() & old.keys() if not _same_class(old[name], new[name]))
    ctx.cache[key] = out
    return out


def _jvm_stem(path: str) -> str:
    return re.sub(r"\.(?:java|kt)$", "", path)


def _same_class(a: str, b: str) -> bool:
    """Whether two bindings name one class: equal, or a path and an import of the same name
    (`src/main/java/com/ex/Registry` and `com/ex/Registry`)."""
    return a == b or (a != "?" and b != "?" and (a.endswith("/" + b) or b.endswith("/" + a)))


def _jvm_imports(p: Parsed) -> dict[str, str]:
    """Single-type imports: simple name (or alias) -> its package path and name (`com/ex/Registry`)."""
    from .jvm import single_type_imports

    return {alias or dotted.rsplit(".", 1)[-1]: dotted.replace(".", "/") for dotted, alias, _ in single_type_imports(p)}


def _jvm_type_names(p: Parsed) -> set[str]:
    """The capitalised simple names the file writes as types or as the target of a call."""
    out: set[str] = set()
    for n in walk(p.root):
        if n.type in ("import_declaration", "import_header", "package_declaration", "package_header"):
            continue
        if n.type in ("type_identifier", "identifier", "simple_identifier"):
            text = p.text(n)
            if text[:1].isupper() and not text.isupper():
                parent = n.parent
                if parent is not None and parent.type in ("scoped_type_identifier", "scoped_identifier") \
                        and parent.named_children and parent.named_children[0].id != n.id:
                    continue  # `Outer.Inner`: only the outer name is looked up
                out.add(text)
    return out


def _moved_paths(files, language: str) -> dict[str, str]:
    """The deleted file -> the added file it moved to, of the change, without their extensions."""
    out: dict[str, str] = {}
    if files is None:
        return out
    languages = sorted(_JS) if language in _JS else [language]
    deleted = {path for status, path, _ in files.whole_files if status == "deleted"}
    for lang in languages:
        for path, (other, _) in _pairs(files, lang).items():
            if path in deleted:
                out[_stem(path)] = _stem(other)
    return out


def _stem(path: str) -> str:
    return re.sub(r"/index$", "", _JS_EXTENSIONS.sub("", path))


def _mapped(target: str, moves: dict[str, str]) -> str:
    return moves.get(target, target)


def _resolved(spec: str, path: str) -> str:
    """A relative module specifier (`./db`, `../lib/x.js`) as the repository path it names (no
    extension, no `/index`); any other (a package, an alias from the root) as written."""
    if not spec.startswith("."):
        return spec
    import posixpath

    return _stem(posixpath.normpath(posixpath.join(path.rpartition("/")[0], spec)))


def _imports(p: Parsed, path: str) -> dict[str, tuple[str, str]]:
    """The module's top-level imports: local name -> (the module it names, the name imported)."""
    out: dict[str, tuple[str, str]] = {}
    for stmt in p.root.children:
        if stmt.type == "export_statement":
            stmt = stmt.child_by_field_name("declaration") or stmt
        if stmt.type == "import_statement":
            source = stmt.child_by_field_name("source")
            if source is None:
                continue
            target = _resolved(p.text(source).strip("'\"`"), path)
            for n in walk(stmt):
                if n.type == "identifier" and n.parent is not None and n.parent.id != stmt.id:
                    parent = n.parent
                    if parent.type == "import_specifier":
                        real = parent.child_by_field_name("name")
                        alias = parent.child_by_field_name("alias")
                        if alias is not None and n.id != alias.id:
                            continue
                        out[p.text(n)] = (target, p.text(real) if real is not None else p.text(n))
                    else:
                        out[p.text(n)] = (target, "*" if parent.type == "namespace_import" else "default")
        elif stmt.type in ("lexical_declaration", "variable_declaration"):
            for declarator in stmt.named_children:
                value = declarator.child_by_field_name("value") if declarator.type == "variable_declarator" else None
                spec = _required(value, p)
                if spec is None:
                    continue
                target = _resolved(spec, path)
                pattern = declarator.child_by_field_name("name")
                for n in walk(pattern) if pattern is not None else ():
                    if n.type in ("identifier", "shorthand_property_identifier_pattern"):
                        out[p.text(n)] = (target, p.text(n))
    return out


def _required(value, p: Parsed) -> str | None:
    """The specifier of `require('x')` (also `require('x').y`, `await import('x')`), or None."""
    while value is not None and value.type in ("member_expression", "await_expression"):
        value = value.child_by_field_name("object") if value.type == "member_expression" else value.named_child(0)
    if value is None or value.type != "call_expression":
        return None
    function = value.child_by_field_name("function")
    args = value.child_by_field_name("arguments")
    if function is None or p.text(function) not in ("require", "import") or args is None or not args.named_children:
        return None
    first = args.named_children[0]
    return p.text(first).strip("'\"`") if first.type in ("string", "template_string") else None


def _dynamic_imports(unit, p: Parsed, path: str) -> dict[str, str]:
    """`require('./x')` and `import('./x')` inside the unit: the specifier -> the path it names."""
    out: dict[str, str] = {}
    if unit is None:
        return out
    for n in walk(unit):
        spec = _required(n, p) if n.type == "call_expression" else None
        if spec is not None and spec.startswith("."):
            out[spec] = _resolved(spec, path)
    return out


def _same_unit(q: Parsed, unit, p: Parsed):
    """The unit of ``q`` that has ``unit``'s key in ``p`` (the file's top level for the root)."""
    if unit.id == p.root.id:
        return q.root
    chain = units_at(p, unit.start_point[0])
    while chain and chain[-1].id != unit.id:
        chain = chain[:-1]
    return index_units(q).get(qualname(chain, p)) if chain else None


def _identifiers(unit, p: Parsed) -> set[str]:
    return {p.text(n) for n in walk(unit)
            if n.type in ("identifier", "shorthand_property_identifier", "type_identifier")}


def _go_free_names(unit, p: Parsed) -> set[str]:
    """The names a Go unit uses without a package that neither it, its file nor Go declares: the
    package's, that is its folder's, other files' (what a move to another folder rebinds). The
    file's own declarations it uses count with theirs (`var store = newStore()` above the
    function that uses `store`)."""
    from .machinery import imported_packages

    top: dict[str, object] = {}
    imports = imported_packages(p)
    for stmt in p.root.named_children:
        if stmt.type in ("function_declaration", "type_declaration", "var_declaration", "const_declaration"):
            for n in walk(stmt):
                if n.type in ("function_declaration", "type_spec", "var_spec", "const_spec", "type_alias"):
                    for name in n.children_by_field_name("name"):
                        top[p.text(name)] = stmt
    free: set[str] = set()
    todo, seen = [unit], set()
    while todo:
        node = todo.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        for name in _go_names_used(node, p) - _GO_PREDECLARED - imports:
            if name in top:
                todo.append(top[name])
            else:
                free.add(name)
    return free


def _go_names_used(unit, p: Parsed) -> set[str]:
    """The unqualified names a Go unit uses and does not declare itself."""
    declared: set[str] = set()
    used: set[str] = set()
    for n in walk(unit):
        parent = n.parent
        if n.type not in ("identifier", "type_identifier") or parent is None or parent.type == "qualified_type":
            continue
        if parent.type in ("parameter_declaration", "variadic_parameter_declaration", "var_spec", "const_spec",
                           "type_spec", "labeled_statement", "type_parameter_declaration", "function_declaration",
                           "method_declaration", "field_declaration", "label_name", "method_elem", "method_spec"):
            if parent.child_by_field_name("type") is None or n.id != parent.child_by_field_name("type").id:
                declared.add(p.text(n))
                continue
        if parent.type == "expression_list" and parent.parent is not None and parent.parent.type in (
                "short_var_declaration", "range_clause", "receive_statement", "type_switch_statement"):
            left = parent.parent.child_by_field_name("left") or parent.parent.child_by_field_name("alias")
            if left is not None and left.id == parent.id:
                declared.add(p.text(n))
                continue
        if parent.type == "literal_element" and parent.parent is not None and parent.parent.type == "keyed_element" \
                and parent.parent.named_children and parent.parent.named_children[0].id == parent.id:
            continue  # a struct literal's field name
        if parent.type in ("break_statement", "continue_statement", "goto_statement"):
            continue
        used.add(p.text(n))
    return used - declared
