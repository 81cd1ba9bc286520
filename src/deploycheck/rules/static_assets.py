"""Whether a built JavaScript file that no rule reads is a browser asset of a Django project.

DC001 reports code under a path the pattern rules skip (`dist/`, `vendor/`, `*.min.js`, …),
because a branch could put worker code there. A Django project that commits its front-end bundle
in a static-files folder changes such a file with every UI change, and Django sends that bundle
to browsers. The finding says so (it stays `high`: a text search cannot prove that nothing runs
the file) when the repository shows two things:

- Django serves the file: a settings module names its folder in `STATICFILES_DIRS` or
  `STATIC_ROOT`, or the file is in the `static/` folder of an installed app;
- nothing at head runs it on the server: no file names it except those that only describe or
  serve it (templates, documentation, source maps, ignore files, the settings), and no
  package.json runs it (`bin`, `scripts`) or makes it an entry point something may import.

This module is the pure part: it reads settings modules with `ast` (never runs them) and
package.json files with `json`, from bytes rules/not_analysed.py fetched from git.
"""

from __future__ import annotations

import ast
import posixpath
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterator, Sequence

JS_EXTENSIONS = frozenset("js jsx mjs cjs ts tsx mts cts".split())
# What a file needs to say for settings_facts to learn anything from it; git grep looks for these.
SETTINGS_WORDS = ("STATICFILES_DIRS", "STATIC_ROOT", "INSTALLED_APPS", "DJANGO_SETTINGS_MODULE")
# `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.conf.prod")`, `ENV DJANGO_SETTINGS_MODULE=…`.
_NAMES_SETTINGS = re.compile(r"""DJANGO_SETTINGS_MODULE['"]?\s*[,=:]\s*['"]?([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)""")
_PATH_CALLS = frozenset({"os.path", "path", "osp", ""})  # how `os.path.join` is spelt once imported
_PATH_TYPES = frozenset({"Path", "PurePath", "PosixPath", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "environ.Path"})
# Files that describe or serve a file without running it: a mention there is no server use.
_TEMPLATE_EXTENSIONS = frozenset("html htm djhtml".split())
# Jinja templates render anything: an Ansible or Salt `queue-worker.service.j2` is a unit file that
# starts the bundle. Only `*.html.j2` and the like are HTML (red team of session 7).
_JINJA_EXTENSIONS = frozenset("jinja jinja2 j2".split())
_DOC_EXTENSIONS = frozenset("md rst adoc markdown".split())
# package.json fields: where Node starts a program (runs), what `require(package)` loads (entry),
# what a bundler puts in a browser build (browser use).
_ENTRY_FIELDS = ("main", "module", "exports")
_BROWSER_FIELDS = ("browser",)


# --- settings modules ---------------------------------------------------------------------


class SettingsFacts:
    """What one settings module says about static files: ``dirs`` (repository folder, setting
    name) for each entry resolved to a folder of the repository, ``apps`` the strings of
    INSTALLED_APPS, ``finders`` the strings of STATICFILES_FINDERS (None when it is not set)."""

    __slots__ = ("path", "dirs", "apps", "finders")

    def __init__(self, path: str) -> None:
        self.path = path
        self.dirs: list[tuple[str, str]] = []
        self.apps: set[str] = set()
        self.finders: set[str] | None = None


def named_settings_modules(text: str) -> set[str]:
    """Dotted module names ``text`` sets DJANGO_SETTINGS_MODULE to (manage.py, wsgi.py, a Dockerfile)."""
    return set(_NAMES_SETTINGS.findall(text))


def is_settings_module(path: str, named: set[str]) -> bool:
    """Whether Python file ``path`` is a Django settings module: `settings.py`, a module of a
    `settings/` package, or a module DJANGO_SETTINGS_MODULE names (``named``)."""
    if not path.endswith(".py"):
        return False
    parts = path[:-3].split("/")
    if parts[-1] == "settings" or "settings" in parts[:-1]:
        return True
    dotted = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    return any(dotted == name or dotted.endswith("." + name) for name in named)


# A value while a settings module is read: ("path", folder or file relative to the repository
# root, "." the root, "../x" outside it) or ("text", a string literal).
_Value = tuple


def _inside(path: str) -> str | None:
    """``path`` as a folder of the repository other than its root, or None."""
    return None if path in (".", "..") or path.startswith("../") or path.startswith("/") else path


def _up(path: str, times: int = 1) -> str:
    for _ in range(times):
        path = posixpath.normpath(posixpath.join(path, ".."))
    return path


class _Reader:
    """Evaluates the few expressions settings modules build folders with: `__file__`,
    `os.path.{abspath,realpath,normpath,dirname,join}`, `pathlib.Path(...)`, `.resolve()`,
    `.parent`, `.parents[n]`, `/`, `+ "/x"`, `f"{BASE_DIR}/x"`, `str()`, django-environ's
    `Path(__file__) - n` and `ROOT("x")`. Anything else is unknown (None) and proves nothing."""

    def __init__(self, path: str) -> None:
        self.file = path
        self.names: dict[str, _Value] = {}
        self.strings: dict[str, set[str]] = {}  # name -> the strings of the list it holds

    def value(self, node: ast.AST) -> _Value | None:
        if isinstance(node, ast.Constant):
            return ("text", node.value) if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            return ("path", self.file) if node.id == "__file__" else self.names.get(node.id)
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            return self._path_op(node.value, _up)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
            index = node.slice
            steps = index.value if isinstance(index, ast.Constant) and type(index.value) is int else -1
            if steps >= 0:
                return self._path_op(node.value.value, lambda p: _up(p, steps + 1))
            return None
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        return None

    def _path_op(self, node: ast.AST, op: Callable[[str], str]) -> _Value | None:
        base = self.value(node)
        return ("path", op(base[1])) if base is not None and base[0] == "path" else None

    def _join(self, parts: Sequence[ast.AST]) -> _Value | None:
        """`os.path.join(a, b, …)`: the first part must be a known folder; a later absolute
        folder replaces what came before, as it does in Python; an absolute literal is a folder
        of the server, not of the repository."""
        values = [value for value in map(self.value, parts) if value is not None]
        if not values or len(values) < len(parts) or values[0][0] != "path":
            return None
        path = values[0][1]
        for kind, part in values[1:]:
            if kind == "path":
                path = part
            elif part.startswith("/"):
                return None
            else:
                path = posixpath.normpath(posixpath.join(path, part))
        return ("path", path)

    def _binop(self, node: ast.BinOp) -> _Value | None:
        if isinstance(node.op, ast.Div):
            return self._join([node.left, node.right])
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(node.op, ast.Add) and left is not None and right is not None:
            if left[0] == right[0] == "text":
                return ("text", left[1] + right[1])
            if left[0] == "path" and right[0] == "text" and right[1].startswith("/"):  # BASE_DIR + '/static'
                return ("path", posixpath.normpath(posixpath.join(left[1], right[1].lstrip("/"))))
        if isinstance(node.op, ast.Sub) and left is not None and left[0] == "path":
            steps = node.right
            if isinstance(steps, ast.Constant) and type(steps.value) is int and 0 < steps.value < 50:
                return ("path", _up(left[1], steps.value))  # django-environ: Path(__file__) - 3
        return None

    def _fstring(self, node: ast.JoinedStr) -> _Value | None:
        """f"{BASE_DIR}/static": a known folder, then literal text starting with a slash."""
        if not node.values or not isinstance(node.values[0], ast.FormattedValue):
            return None
        first = node.values[0]
        base = self.value(first.value) if first.conversion == -1 and first.format_spec is None else None
        rest = node.values[1:]
        if base is None or base[0] != "path" or not all(isinstance(v, ast.Constant) for v in rest):
            return None
        tail = "".join(str(v.value) for v in rest if isinstance(v, ast.Constant))
        if tail and not tail.startswith("/"):
            return None
        return ("path", posixpath.normpath(posixpath.join(base[1], tail.lstrip("/"))) if tail else base[1])

    def _call(self, node: ast.Call) -> _Value | None:
        func, args = node.func, node.args
        if any(isinstance(a, ast.Starred) for a in args):
            return None
        if isinstance(func, ast.Attribute) and not _dotted(func).startswith(("os.", "path.", "osp.", "pathlib.", "environ.")):
            # A method of a folder value: `.resolve()`, `.joinpath("x")`, django-environ's `.path("x")`.
            if func.attr in ("resolve", "absolute", "expanduser") and not args:
                return self._path_op(func.value, lambda p: p)
            if func.attr in ("joinpath", "path") and not node.keywords:
                return self._join([func.value, *args])
            return None
        name = _dotted(func)
        module, _, last = name.rpartition(".")
        if name in _PATH_TYPES and not node.keywords:
            return self._join(args)  # Path(BASE_DIR, "static"); Path("static") alone is relative to the cwd
        if module in _PATH_CALLS and len(args) == 1 and last in ("abspath", "realpath", "normpath", "dirname"):
            return self._path_op(args[0], _up if last == "dirname" else (lambda p: p))
        if module in _PATH_CALLS and last == "join" and args and not node.keywords:
            return self._join(args)
        if name in ("str", "os.fspath") and len(args) == 1:
            return self.value(args[0])
        if isinstance(func, ast.Name) and func.id in self.names and args and not node.keywords:
            return self._join([func, *args])  # django-environ: ROOT_DIR("static")
        return None

    def list_strings(self, node: ast.AST) -> set[str]:
        """Every string in ``node`` and in the lists it names (`DJANGO_APPS + LOCAL_APPS`)."""
        out: set[str] = set()
        for part in ast.walk(node):
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                out.add(part.value)
            elif isinstance(part, ast.Name):
                out |= self.strings.get(part.id, set())
        return out

    def folder_entries(self, node: ast.AST) -> Iterator[str]:
        """The repository folders a STATICFILES_DIRS value names: list or tuple items, `(prefix,
        folder)` pairs, lists added together."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            yield from self.folder_entries(node.left)
            yield from self.folder_entries(node.right)
            return
        if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return
        for item in node.elts:
            if isinstance(item, (ast.Tuple, ast.List)) and len(item.elts) == 2:
                item = item.elts[1]  # ("docs", folder): served under a prefix
            folder = self.folder(item)
            if folder is not None:
                yield folder

    def folder(self, node: ast.AST) -> str | None:
        value = self.value(node)
        return _inside(value[1]) if value is not None and value[0] == "path" else None


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """A module's statements in order, those under `if`, `try` and `with` included (each branch
    sets what some deployment runs with); not those of functions or classes."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.If, ast.Try, ast.With)) or type(statement).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                yield from _statements(getattr(statement, field, None) or [])
            for handler in getattr(statement, "handlers", None) or []:
                yield from _statements(handler.body)


def settings_facts(path: str, source: bytes) -> SettingsFacts | None:
    """What settings module ``path`` (its bytes ``source``) says about static files; None when
    it does not parse here."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    facts = SettingsFacts(path)
    reader = _Reader(path)
    for statement in _statements(tree.body):
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    _setting(facts, reader, target.id, statement.value, replace=True)
                    value = reader.value(statement.value)
                    if value is None:
                        reader.names.pop(target.id, None)  # reassigned to what cannot be read
                    else:
                        reader.names[target.id] = value
                    reader.strings[target.id] = reader.list_strings(statement.value)
                else:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            reader.names.pop(name.id, None)
        elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            _setting(facts, reader, statement.target.id, statement.value, replace=False)
            reader.names.pop(statement.target.id, None)
            reader.strings.setdefault(statement.target.id, set()).update(reader.list_strings(statement.value))
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and call.args:
                if func.attr in ("append", "insert"):
                    _setting(facts, reader, func.value.id, ast.List(elts=[call.args[-1]]), replace=False)
                elif func.attr == "extend":
                    _setting(facts, reader, func.value.id, call.args[0], replace=False)
    return facts


def _setting(facts: SettingsFacts, reader: _Reader, name: str, value: ast.AST, replace: bool) -> None:
    """Record what assigning (or adding) ``value`` to setting ``name`` says."""
    if name == "STATICFILES_DIRS":
        facts.dirs += [(folder, name) for folder in reader.folder_entries(value)]
    elif name == "STATIC_ROOT":
        folder = reader.folder(value)
        if folder is not None:
            facts.dirs.append((folder, name))
    elif name == "INSTALLED_APPS":
        facts.apps |= reader.list_strings(value)
    elif name == "STATICFILES_FINDERS":
        found = reader.list_strings(value)
        facts.finders = found if replace or facts.finders is None else facts.finders | found


def app_static_folders(asset: str) -> list[tuple[str, str]]:
    """(app folder, its static folder) for each `static/` folder above ``asset``, the nearest first."""
    parts = asset.split("/")
    out = [("/".join(parts[:i]), "/".join(parts[: i + 1])) for i in range(1, len(parts) - 1) if parts[i] == "static"]
    return out[::-1]


def installed_as(app: str, apps: set[str]) -> str | None:
    """The INSTALLED_APPS entry naming app folder ``app`` (`shop.inventory` or its AppConfig
    `shop.inventory.apps.InventoryConfig`), for any tail of its path (a `src/` layout)."""
    parts = app.split("/")
    for start in range(len(parts)):
        dotted = ".".join(parts[start:])
        for entry in sorted(apps):
            if entry == dotted or entry.startswith(dotted + ".apps."):
                return entry
    return None


def served_by(asset: str, settings: list[SettingsFacts], is_app: Callable[[str], str | None]) -> tuple[str, set[str]] | None:
    """Why Django serves ``asset`` to browsers, and the settings modules that say so; None when
    nothing at head shows it. ``is_app(folder)`` names the file (apps.py, models.py) that makes
    a folder a Django app, or None: the caller reads the tree."""
    for facts in settings:
        for folder, setting in facts.dirs:
            if asset.startswith(folder + "/"):
                return f"{facts.path} lists {folder} in {setting} (Django serves it to browsers as static files)", {facts.path}
    staticfiles = [f for f in settings if "django.contrib.staticfiles" in f.apps]
    # A project that lists its finders without AppDirectoriesFinder serves no app's static folder.
    finders = [f.finders for f in settings if f.finders is not None]
    if not staticfiles or any(not any(x.endswith("AppDirectoriesFinder") for x in found) for found in finders):
        return None
    for app, static in app_static_folders(asset):
        for facts in settings:
            entry = installed_as(app, facts.apps)
            if entry is None:
                continue
            marker = is_app(app)
            if marker is not None:
                return (
                    f"it is in {static}, the static folder of the Django app {entry} ({app}/{marker}; INSTALLED_APPS in "
                    f"{facts.path}, with django.contrib.staticfiles), which Django serves to browsers",
                    {facts.path, staticfiles[0].path},
                )
    return None


# --- what names the asset ---------------------------------------------------------------------


def mention_patterns(asset: str) -> list[str]:
    """Fixed strings that a file running ``asset`` would hold: its name; for a name Node or
    ts-node resolves without its extension, `folder/stem` (`node dist/app`); for an `index`
    file, its folder's name (`node dist` runs dist/index.js)."""
    folder, _, name = asset.rpartition("/")
    out = [name]
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in JS_EXTENSIONS and folder:
        parent = folder.rsplit("/", 1)[-1]
        out.append(f"{parent}/{stem}")
        if stem.lower() == "index":
            out.append(parent)
    return out


def describes_only(path: str, asset: str, settings: set[str]) -> bool:
    """Whether a mention of ``asset`` in file ``path`` is no server use: the settings modules
    that serve it, HTML templates (`{% static 'app.js' %}`), documentation, source maps and
    ignore files. Every other file may run it (a Procfile, Dockerfile, compose file, service
    unit, shell script, package.json, Python or JavaScript)."""
    name = path.rsplit("/", 1)[-1]
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    stem = name[: -len(ext) - 1]
    inner = stem.rpartition(".")[2].lower() if ext in _JINJA_EXTENSIONS and "." in stem else ""  # base.html.j2 -> html
    return (
        path == asset or path in settings or ext in _TEMPLATE_EXTENSIONS or inner in _TEMPLATE_EXTENSIONS
        or ext in _DOC_EXTENSIONS
        or ext == "map" or (name.startswith(".") and name.endswith("ignore"))
    )


class PackageUse:
    """How one package.json uses the asset: ``kind`` is "runs" (a `bin`, a script, a field
    deploycheck does not know, or a file it cannot read), "entry" (`main`, `module` or `exports`:
    what importing the package loads), or "" (not at all, or for browsers only)."""

    __slots__ = ("path", "kind", "name", "private", "field")

    def __init__(self, path: str, kind: str, name: str | None = None, private: bool = False, field: str = "") -> None:
        self.path, self.kind, self.name, self.private, self.field = path, kind, name, private, field


def package_use(path: str, data: bytes | None, asset: str, patterns: list[str]) -> PackageUse:
    """How package.json ``path`` (its bytes ``data``) uses ``asset``."""
    import json

    try:
        doc = json.loads(data) if data is not None else None
    except (ValueError, RecursionError):
        doc = None
    if not isinstance(doc, dict):
        return PackageUse(path, "runs", field="(not readable as JSON)")
    folder = posixpath.dirname(path)
    lowered = [p.lower() for p in patterns]

    def resolves(target: str) -> bool:
        full = posixpath.normpath(posixpath.join(folder, target))
        return asset in (full, *(full + ext for ext in (".js", ".mjs", ".cjs")), f"{full}/index.js")

    def names(value: object) -> bool:
        if isinstance(value, str):
            return any(p in value.lower() for p in lowered) or resolves(value)
        return isinstance(value, (dict, list)) and any(names(v) for v in _leaves(value))

    name = doc.get("name") if isinstance(doc.get("name"), str) else None
    private = doc.get("private") is True
    entry = ""
    for key, value in doc.items():
        if key in _BROWSER_FIELDS or key == "scripts" and isinstance(value, dict):
            continue
        if names(value):
            if key not in _ENTRY_FIELDS:
                return PackageUse(path, "runs", name, private, key)
            entry = entry or key
    if not entry and "main" not in doc and "exports" not in doc and resolves("index.js"):
        entry = "main"  # no `main`: importing the package loads its index.js
    scripts = doc.get("scripts")
    for command in scripts.values() if isinstance(scripts, dict) else ():
        if names(command) or isinstance(command, str) and _runs_a_token(command, resolves, folder, bool(entry)):
            return PackageUse(path, "runs", name, private, "scripts")
    return PackageUse(path, "entry" if entry else "", name, private, entry)


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    if isinstance(value, list):
        return value
    return [value]


def _runs_a_token(command: str, resolves: Callable[[str], bool], folder: str, is_entry: bool) -> bool:
    """Whether a script's word names the asset by a path Node completes (`node dist/app`), or,
    when the asset is the package's entry point, the package's own folder (`node .`)."""
    for word in re.split(r"[\s;&|()<>]+", command):
        word = word.strip("'\"")
        if word and (resolves(word) or is_entry and posixpath.normpath(posixpath.join(folder, word)) == (folder or ".")):
            return True
    return False


def import_patterns(package: PackageUse) -> list[str]:
    """Fixed strings that code importing ``package`` by name (`require("shop-ui")`, `from
    'shop-ui/x'`) or by folder (`require("./web/ui")`) would hold, or that another package.json
    depending on it holds. A package at the repository's root has no folder name to look for."""
    out = []
    if package.name:
        out += [f'"{package.name}"', f"'{package.name}'", f'"{package.name}/', f"'{package.name}/"]
    folder = posixpath.dirname(package.path)
    if folder:
        out.append(folder.rsplit("/", 1)[-1])
    return out
