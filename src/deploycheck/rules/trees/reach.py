"""Application code that background code in another file reaches through its calls, by name.

A job's helper in another file (a model method a Sidekiq job calls, a service an `@Scheduled`
method calls) runs in the job, yet its file names no job API. ``reached`` looks for the job the
other way round: from the changed function's name to the files at head that hold it as a word
(rules/trees/naming.py: one `git grep -o` per call depth for all the names of a file, asked of
the base and kept per base for the hooks), to the function there that uses it, and on, until
one of them is background code (a region of ``background.regions``, a job folder's file, a
`job_paths` file) or the trail ends. Like the Python job index (DC104), it follows names, not
types, where the language allows no better: a Go call without a package name is its own
package's, one through a standard-library package's name (`os.Stat`) is never the repository's,
and an unexported Go name never leaves its package. It is bounded:

- a name more than ``naming.MAX_FILES`` files hold, or one too generic to tell two functions apart
  (`Start`, `run`, `save`), is not followed, and trails stop MAX_DEPTH calls deep. A trail cut
  there is not reported: these bounds are the policy's reach, as a region's edge is;
- whether a name is that common is decided on the files the branch leaves as they are (the
  same at the base), so a branch cannot make a name common by adding files that hold it;
- at most MAX_PARSED files are read per scan; a search that runs out of them is reported as
  "maybe reached" (fail closed), and so is one through a file that names the function but
  cannot be read (larger than the scan reads, or the parser fails). See docs/limitations.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...git.model import DELETED
from .background import _receiver_type, go_request_handler, go_starts_a_server, job_of, receiver_names_of, regions, runs_in_page, without_type_arguments
from .keywords import FAMILY_GLOBS, JOB_PATHS_CODE, family_of, in_job_paths, job_folder_code, scan_memo
from .langs import language_of
from .naming import (WORD, files_naming, files_naming_with, followable, java_field_named, java_subclass_files,
                     java_type_files, package_files_naming)
from .parse import Parsed, nodes_of, parse_bytes, parsed, walk
from .units import CONTAINERS, FUNCTIONS, UNIT_TYPES, chains_at, node_name, shown_name, units_at

MAX_DEPTH = 3
MAX_PARSED = 250

_DEFINITIONS = frozenset(t for types in UNIT_TYPES.values() for t in types)


# Units that callers call by name: functions and methods (a constructor is called by its
# class's name, a field is read, not called).
_CALLABLE = {"method", "singleton_method", "function_declaration", "generator_function_declaration",
             "method_definition", "method_declaration"}
_FUNCTION_VALUES = {"arrow_function", "function_expression", "function", "generator_function"}
_TYPED_VALUES = {"as_expression", "satisfies_expression", "non_null_expression", "parenthesized_expression"}


def called_name(node, p: Parsed) -> str | None:
    """The name callers write for a function or method (`Type.method` -> `method`, `run(2)` ->
    `run`, `self.find` -> `find`); None for any other unit (a class, a field, a constant)."""
    if node is None:
        return None
    if node.type == "variable_declarator":  # `const charge = async () => {...}`
        value = node.child_by_field_name("value")
        # `… as Handler`, `… satisfies Handler`, `(…)`, `…!`: the function or call under the type.
        while value is not None and value.type in _TYPED_VALUES and value.named_children:
            value = value.named_children[0]
        if value is None or (value.type not in _FUNCTION_VALUES and not (p.language != "tsx" and _wraps_a_function(value))):
            return None
    elif node.type not in _CALLABLE:
        return None
    # A JS `#name` method is called `this.#name(…)`: the word the search reads is `name`.
    return node_name(node, p).split("(")[0].rsplit(".", 1)[-1].lstrip("#")


def _wraps_a_function(value) -> bool:
    """A JS/TS call handed a function (`Effect.fn("x")(function* () {…})`, `trace(async () => …)`):
    what it returns runs that function when called, and callers call it by the constant's name
    (latitude's annotation use case, which a Temporal activity runs). Not in a TSX file: there such
    constants are a page's components (`memo(…)`, `forwardRef(…)`), which every page names, and
    following them through the pages spends the search's budget on code no job runs."""
    args = value.child_by_field_name("arguments") if value.type == "call_expression" else None
    return args is not None and any(arg.type in _FUNCTION_VALUES for arg in args.named_children)


def simple_name(node, p: Parsed) -> str | None:
    """``called_name``, unless it is in ``naming.GENERIC``."""
    name = called_name(node, p)
    return name if name is not None and followable(name) else None


# The one method of a service or command object (`ExecuteBridgeRequest#execute`, a Ruby
# service's `call`): callers write the generic name, so the class's name is followed instead.
_ENTRY_METHODS = frozenset({"call", "execute", "perform", "run", "handle", "process"})


def followed_name(chain: list, p: Parsed, path: str | None = None) -> str | None:
    """The name to follow for the changed unit that ``chain`` ends in (of the file at ``path``):
    its own, or, for the entry method of a service object or a method of a Rails controller, its
    class's."""
    if not chain:
        return None
    if _constructor(chain[-1], p):
        # Callers write the class (`GenerateTaxFormService.new(…)`, `new Mailer(…)`): a job that
        # builds the object runs its constructor (flexile's tax-form job, whose service refused
        # the form type the job passes).
        return _owner_name(chain, p)
    own = simple_name(chain[-1], p)
    if own is None and _private_method(chain[-1], p):
        # Searched for in its own class only (``_module_private``), so even a generic name
        # (`private static execute`, which a BullMQ worker's handler calls) cannot flood the search.
        own = called_name(chain[-1], p)
    if own is None and p.language in _JS_LANGUAGES and len(chain) == 1 \
            and (name := called_name(chain[-1], p)) is not None and _module_private(chain[-1], name, p):
        # A module's own function is looked for in its module only (``_module_private``): a
        # generic name (`send`, which the sender worker's message handler calls) cannot flood it.
        own = name
    if own is None and _java_override(chain[-1], p):
        # Searched for only in the files that name its class or a type above it (``_typed_callers``),
        # and not on receivers of other types: kestra's scheduler calls its trigger state's `update`.
        own = called_name(chain[-1], p)
    if own is None and _each_of_a_class(chain[-1], p):
        return _owner_name(chain, p)
    if own is None and p.language == "ruby" and _ruby_service_object(chain, p, path):
        # A service object's method of a common name (`start`, `update`): callers build the object
        # by its class's name (argo's text extraction job, `TextExtraction.new(…)` then `.start`,
        # was "too common a method name to tell its callers apart": a new user's trial, session 36).
        return _owner_name(chain, p)
    if own is not None:
        if p.language == "ruby" and _in_rails_controller(chain[-1], p, path):
            # A job that runs a controller's code names the controller (`ReportsController.new.x`,
            # a class method of it that calls `x`); one that names only `x` calls another `x`.
            return _owner_name(chain, p)
        return None if _web_endpoint(chain[-1], p) else own
    node = chain[-1]
    if node.type == "variable_declarator" and len(chain) == 1:
        # A JS/TS module's own constant (`const GRACE_MS = 2 * HOUR`, not exported, named nowhere
        # outside a function body) is read only by the module's functions: a change of it is a
        # change of theirs, followed to them in its file (postiz's re-anchoring grace period,
        # read by the helper a Temporal activity calls).
        name = _declared_name(node, p)
        return name if name is not None and followable(name) and _module_private(node, name, p) else None
    if p.language in _JS_LANGUAGES and len(chain) > 1 and chain[0].type == "variable_declarator" \
            and node.type in ("method_definition", "pair") and _declared_at_top(chain[0]):
        # A method of an object in a module's constant (`const steps = [{ check() {…}, run() {…} }]`),
        # under a name every such object uses: its callers reach it through the constant, which
        # WeKan's schema upgrade iterates (apps-s 491781c4).
        name = _declared_name(chain[0], p)
        return name if name is not None and followable(name) else None
    # `class << self; def call`: the class method of the class around the `class << self`.
    outer = [c for c in chain[:-1] if c.type != "singleton_class"]
    if node.type not in _CALLABLE or not outer or outer[-1].type not in CONTAINERS:
        return None
    method = (called_name(node, p) or "").lower()
    owner = _owner_name(chain, p)
    return owner if method in _ENTRY_METHODS else None


def _declared_name(declarator, p: Parsed) -> str | None:
    """The name a JS/TS declarator binds (`steps` of `const steps = …`); None for a destructuring."""
    named = declarator.child_by_field_name("name")
    return p.text(named) if named is not None and named.type == "identifier" else None


def _declared_at_top(declarator) -> bool:
    """A JS/TS constant declared at a module's top level, exported or not (`export const steps`)."""
    statement = declarator.parent
    outer = statement.parent if statement is not None else None
    if outer is not None and outer.type == "export_statement":
        outer = outer.parent
    return outer is not None and outer.type == "program"


def _each_of_a_class(node, p: Parsed) -> bool:
    """A Ruby class's method `each`: every Enumerable method called on its objects runs it
    (`Gias::Data.new(csv).each_slice(…)`, teaching-vacancies's import job, apps-r), or on the class
    itself for a `def self.each` (`extend Enumerable`), so the callers to look for are those that
    name the class, not `each`."""
    if p.language != "ruby" or node.type not in ("method", "singleton_method") or called_name(node, p) != "each":
        return False
    owner = node.parent
    while owner is not None and owner.type == "body_statement":
        owner = owner.parent
    return owner is not None and owner.type == "class"


# How Ruby and JS/TS name the method that builds an object: `X.new` and `new X(…)` run it. Not
# Java's or Kotlin's constructors: there the class's name is also every field's and parameter's
# type (`private final TemplateEngineManager manager;` in a reconciler builds nothing), and a
# Spring bean is built by the container, once, at start-up.
_CONSTRUCTOR_NAMES = {"ruby": "initialize", "javascript": "constructor", "typescript": "constructor", "tsx": "constructor"}


def _constructor(node, p: Parsed) -> bool:
    name = _CONSTRUCTOR_NAMES.get(p.language)
    return name is not None and node.type in ("method", "method_definition") and called_name(node, p) == name


def ruby_scope(p: Parsed, row: int) -> str | None:
    """The name of the ActiveRecord scope whose body holds ``row`` (`scope :with_required_tax_info_for,
    -> (tax_year:) do … end`): no method of the class, but callers call it by that name
    (`CompanyWorker.with_required_tax_info_for(…)`, in the jobs that pick the rows to work on)."""
    if p.language != "ruby":
        return None
    # From the row's first word: a one-line scope starts after its indentation, and the class's
    # body is all that holds the indentation itself.
    line = p.line(row)
    column = len(line) - len(line.lstrip())
    node = p.root.descendant_for_point_range((row, column), (row, column))
    while node is not None:
        if node.type == "call" and node.child_by_field_name("receiver") is None:
            method, args = node.child_by_field_name("method"), node.child_by_field_name("arguments")
            called = p.text(method) if method is not None else ""
            if called == "scope" and args is not None and args.named_children:
                first = args.named_children[0]
                name = p.text(first)[1:] if first.type == "simple_symbol" else ""
                return name if followable(name) else None
            if called == "default_scope":
                # Every query of the model runs it (`Invoice.where(…)` in a job): followed by the
                # model's name.
                return _model_of(node, p)
            if called == "executed" and node.child_by_field_name("block") is not None:
                # A LightService action's body (`executed do |context| … end`): callers name the
                # action's class (`Action.execute(…)`, an organizer's `reduce(Action, …)`), as
                # canine's cluster install job reaches its component installs (apps-p 04053466).
                return _model_of(node, p)
        if node.type in ("method", "singleton_method", "class", "module"):
            return None
        node = node.parent
    return None


def _heir_naming(node, p: Parsed, row: int, name: str) -> str | None:
    """The name of the Ruby or JS/TS class ``node`` when ``row`` names ``name`` as its superclass
    (`class SettleService < ApplicationService`, `class Settle extends Base`): a job that builds
    the subclass runs the superclass's constructor and every method it does not override, so a
    class followed by its name is followed on by the subclass's."""
    if p.language == "ruby" and node.type == "class":
        heritage = node.child_by_field_name("superclass")
    elif p.language in _JS_LANGUAGES and node.type in ("class_declaration", "class", "abstract_class_declaration"):
        heritage = next((c for c in node.children if c.type == "class_heritage"), None)
    else:
        return None
    if heritage is None or not heritage.start_point[0] <= row <= heritage.end_point[0]:
        return None
    if name not in re.findall(r"[A-Za-z_$][\w$]*", p.text(heritage)):
        return None
    named = node.child_by_field_name("name")
    heir = p.text(named).rsplit("::", 1)[-1] if named is not None else ""
    return heir if followable(heir) else None


def _model_of(node, p: Parsed) -> str | None:
    """The name of the class around ``node``, if it can be followed."""
    while node is not None and node.type != "class":
        node = node.parent
    name = _ruby_class_name(node, p) if node is not None else ""
    return name if followable(name) else None


# A Ruby organizer runs the actions its class body names (`DEFAULT_RECIPE = [A, B]` then
# `reduce(recipe)`; Interactor's `organize A, B`), whoever calls it (canine's cluster install job
# runs `Clusters::Install.call`, whose recipe constant lists its component install: apps-p).
_ORGANIZER = re.compile(r"\b(?:LightService::Organizer|Interactor::Organizer)\b")


def _organizer_naming(chain: list, p: Parsed) -> str | None:
    """The name of the organizer class whose body, outside its methods, holds the use: callers
    name the organizer, and its entry method runs each action its body names."""
    if p.language != "ruby" or chain[-1].type != "class" or not _ORGANIZER.search(p.text(chain[-1])):
        return None
    return _model_of(chain[-1], p)


def exported_function(p: Parsed, row: int) -> tuple[str, str, list] | None:
    """The name, the assigned target and the function of a JS function written as an assignment
    at the module's top level (CommonJS `exports.radius = function (…) {…}`, `module.exports.x =
    async () => …`, `Foo.prototype.x = function …`) that holds ``row``: no declaration, so no unit
    of the file, but callers write its name (`radius(…)`, `util.radius(…)`)."""
    if p.language not in _JS_LANGUAGES:
        return None
    for stmt in p.root.named_children:
        if stmt.type != "expression_statement" or not stmt.start_point[0] <= row <= stmt.end_point[0]:
            continue
        assign = stmt.named_children[0] if stmt.named_children else None
        if assign is None or assign.type != "assignment_expression":
            return None
        left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
        if left is None or right is None or left.type != "member_expression" or right.type not in _FUNCTION_VALUES:
            return None
        prop = left.child_by_field_name("property")
        name = p.text(prop) if prop is not None else ""
        return (name, p.text(left), [right]) if followable(name) else None
    return None


def _imported_from_elsewhere(p: Parsed, path: str, name: str, defined: set[str] | frozenset[str]) -> bool:
    """Whether the JS/TS module ``p`` (at ``path``) binds ``name`` by an import or `require` of a
    relative module that is none of the files defining the followed ``name`` (midday's PDF
    template imports its own `Meta` from `./components/meta`, not the dashboard's, which renders
    the changed `InvoiceNo`). A package or path alias (`@/lib/x`) is not resolved: it may be the
    defining file's, and the use stays a trail."""
    from .moved import _imports, _required, _resolved, _stem

    if "reach.imports" not in p.memo:
        specs = [p.text(source).strip("'\"`") for stmt in p.root.children
                 if stmt.type == "import_statement" and (source := stmt.child_by_field_name("source")) is not None]
        specs += [spec for stmt in p.root.children if stmt.type in ("lexical_declaration", "variable_declaration")
                  for d in stmt.named_children if d.type == "variable_declarator"
                  and (spec := _required(d.child_by_field_name("value"), p)) is not None]
        relative = {_resolved(spec, path) for spec in specs if spec.startswith(".")}
        p.memo["reach.imports"] = (_imports(p, path), relative)
    imports, relative = p.memo["reach.imports"]
    bound = imports.get(name)
    if bound is not None and _UTILITY_LIBRARY.fullmatch(bound[0]):
        return True  # `import { last } from 'lodash'`: lodash's (a red-team case, session 25)
    if bound is None or not defined or bound[0] not in relative:
        return False  # not imported, or from a package or an alias: it may be the defining module
    return bound[0] not in {_stem(d) for d in defined}


_RUBY_SERVICE_CLASS = re.compile(r"(?:Service|Command|Operation|Interactor|Action|Processor|Importer|Exporter)$")


def _ruby_service_object(chain: list, p: Parsed, path: str | None) -> bool:
    """Whether the unit ``chain`` ends in is a public instance method of a Ruby class in a
    services folder (`app/services/`, `lib/services/`) or named for one (`…Service`, `…Command`):
    a plain object built for the work, whose class name its callers write. Not a model's, whose
    class every file names."""
    outer = [c for c in chain[:-1] if c.type != "singleton_class"]
    if not outer or outer[-1].type != "class" or chain[-1].type != "method" or _ruby_private(chain[-1], p):
        return False
    owner = node_name(outer[-1], p).rsplit("::", 1)[-1]
    return bool(path and "/services/" in f"/{path}") or _RUBY_SERVICE_CLASS.search(owner) is not None


def _owner_name(chain: list, p: Parsed) -> str | None:
    """The name callers write for the class or module around the unit ``chain`` ends in
    (`Admin::ReportsController` -> `ReportsController`), if it can be followed."""
    outer = [c for c in chain[:-1] if c.type != "singleton_class"]
    if not outer or outer[-1].type not in CONTAINERS:
        return None
    owner = node_name(outer[-1], p).rsplit("::", 1)[-1].rsplit(".", 1)[-1]
    return owner if followable(owner) else None


# A Java/Kotlin method mapped to an HTTP route (Spring's `@GetMapping`…, JAX-RS's `@GET`…) is
# called by the web framework's dispatcher; application code does not call it. A job "reaching"
# it by name reaches another class's method of that name (thingsboard's EDQS processor calls its
# repository's `findEntityDataByQuery`, not the controller's).
_WEB_ENDPOINT = re.compile(r"@(?:(?:Get|Post|Put|Delete|Patch|Request)Mapping|GET|POST|PUT|DELETE|PATCH)\b")


def _web_endpoint(node, p: Parsed) -> bool:
    if p.language == "go":
        return _go_web_endpoint(node, p)
    if p.language not in ("java", "kotlin"):
        return False
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    return modifiers is not None and _WEB_ENDPOINT.search(p.text(modifiers)) is not None


def _go_web_endpoint(node, p: Parsed) -> bool:
    """A Go function or method that handles one request, or starts a web or gRPC server
    (background.go_request_handler, go_starts_a_server): the server runs it on the request's
    goroutine, as a request; what starts the server runs once and then serves (mailpit's `go
    server.Listen()` made every API handler background code). The goroutines either starts are
    their own regions."""
    return node.type in ("function_declaration", "method_declaration") and (
        go_request_handler(node, p) or go_starts_a_server(node, p))


# Where Rails (and a Rails engine) keeps its controllers: a class named `*Controller` elsewhere
# (`lib/thermostat_controller.rb`) may be any object a job is handed.
_RAILS_CONTROLLERS = re.compile(r"(?:^|/)app/controllers/")


def _in_rails_controller(node, p: Parsed, path: str | None) -> bool:
    """An instance method of a Rails controller (`class ReceiptsController < ApplicationController`
    in `app/controllers/`): the router calls its actions, and its helpers serve them. A job
    "reaching" one by its method's name reaches another method of that name (hcb's statement job
    calls an array's `reverse`, not the receipts page's `reverse` action); a job that does run it
    names the controller. Class methods (`def self.x`, `class << self`) are followed by their
    own names: a job may call those."""
    if node.type != "method" or path is None or not _RAILS_CONTROLLERS.search(path):
        return False
    parent = node.parent
    while parent is not None and parent.type not in ("class", "singleton_class", "module"):
        parent = parent.parent
    if parent is None or parent.type != "class" or parent.child_by_field_name("superclass") is None:
        return False
    name = parent.child_by_field_name("name")
    return name is not None and p.text(name).endswith("Controller")


def go_package_method(chain: list, p: Parsed) -> str | None:
    """The name of the Go method ``chain`` ends in, whatever the name, looked for in its
    package's files (``_search``): only its package can name an unexported type, so even a
    generic name (ntfy's `firebaseClient.Send`, which a goroutine per message runs) is found
    there. An exported type's generic method too (photoview's `ScannerJob.Run`, run in a
    goroutine of its queue in the same package: a new user's trial, session 29); another
    package's calls of it, and calls through an interface, are not seen (``not_followed`` says
    so for an exported type)."""
    node = chain[-1] if chain else None
    if node is None or p.language != "go" or node.type != "method_declaration":
        return None
    return called_name(node, p) if _receiver_type(node, p) else None


def not_followed(ctx, language: str, chain: list, p: Parsed) -> str | None:
    """Why the search could not look for the jobs that call the unit ``chain`` ends in: its name
    is too generic to tell callers apart (`apply`, `update`), or more files hold it than the
    search follows. None when it was searched, or is not a function."""
    name = called_name(chain[-1], p) if chain else None
    if name is None or not WORD.fullmatch(name):
        return None
    by_name = followed_name(chain, p, ctx.path)
    followed = by_name or go_package_method(chain, p)
    generic = f"`{name}` is too common a method name to tell its callers apart"
    if followed is None:
        return None if followable(name) else generic
    if by_name is None and not followable(name) and (kind := _receiver_type(chain[-1], p))[:1].isupper():
        return (f"`{name}` is too common a method name to look for outside its package; its package's files were "
                f"searched and no job calls it there, but another package's call of a `{kind}`'s `{name}` is not seen")
    memo = scan_memo(ctx)
    declared = memo.get(("trees.association", family_of(language), followed))
    if declared:
        return f"`{followed}` is also the name of an association {declared} declares, which every such record answers"
    held = memo.get(("trees.common", family_of(language), followed))
    space, within = memo.get(("reach.namespaced", followed), ("", None))
    if within is not None:
        return (f"`{followed}` is a name {held} files hold, more than the search follows; the {_files(within)} that "
                f"also name its module `{space}` were searched and no job calls it there")
    owner = _restricted(chain[-1], followed, p).partition("/")[0].partition(":")[2]
    types, searched = memo.get(("reach.typed", followed, owner), ((), None))
    if searched is not None:
        above = f" or {', '.join(f'`{kind}`' for kind in types)}" if types else ""
        why = f"a name {held} files hold, more than the search follows" if held else "too common a method name to follow alone"
        return (f"`{followed}` is {why}; the {_files(searched)} that also name `{owner}`{above} were searched and no "
                "job calls it there, but a caller that names neither (through `var`, a Kotlin `val` of an inferred type or a chained call) is not seen")
    if held:
        return f"`{followed}` is a name {held} files hold, more than the search follows"
    return None if followable(followed) or p.language != "java" else generic


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


class _OutOfBudget(Exception):
    """MAX_PARSED files were read before the search ended."""


def reached(ctx, language: str, name: str) -> str | None:
    """How background code reaches the unit named ``name`` of the changed file ("reached from
    background code: ActiveJob job at app/jobs/x.rb:5 (`import.revert`) calls it through
    `revert`"), why it counts as background code though the search could not finish, or None."""
    family = family_of(language)
    if ctx.repo is None or family not in FAMILY_GLOBS:
        return None
    prefetch(ctx, language, [name])
    return scan_memo(ctx)[("trees.reached", family, ctx.path, name)]


def trail_of(ctx, language: str, name: str) -> tuple[dict, tuple[dict, ...]] | None:
    """The job and the trail of calls ``reached`` found for ``name``, as data (Finding.job,
    Finding.trail); None when it found none (or only a "maybe")."""
    return scan_memo(ctx).get(("trees.trail", family_of(language), ctx.path, name))


def _js_workspaces(ctx, memo: dict) -> dict[str, tuple[str, frozenset[str]]]:
    """Per folder of a `package.json` at head (outside `node_modules/`), when there are several
    (a monorepo's workspaces): the package's name and the packages it depends on."""
    if "reach.js-workspaces" not in memo:
        import json

        from ...git import gitcmd

        out: dict[str, tuple[str, frozenset[str]]] = {}
        paths = [path for path in gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, ['"name"'],
                                                    ["package.json", ":(glob)**/package.json"], what="workspace packages")
                 if "node_modules/" not in path]
        for path in paths[:_MAX_WORKSPACES] if len(paths) > 1 else ():
            data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
            try:
                doc = json.loads(data or b"")
            except ValueError:
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
                continue
            needs = {dep for field in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
                     if isinstance(doc.get(field), dict) for dep in doc[field]}
            out[path.rpartition("/")[0]] = (doc["name"], frozenset(needs))
        memo["reach.js-workspaces"] = out
    return memo["reach.js-workspaces"]


_MAX_WORKSPACES = 400


def _workspace_of(path: str, spaces: dict) -> str:
    """The folder of the innermost workspace holding ``path`` ("" for none or the root's)."""
    folder = path.rpartition("/")[0]
    while folder:
        if folder in spaces:
            return folder
        folder = folder.rpartition("/")[0]
    return ""


def _js_may_call(ctx, caller: str, homes: set[str], memo: dict) -> bool:
    """Whether a JS/TS file may call a function defined in ``homes``: in a monorepo, code of one
    workspace package reaches another's only if its `package.json` depends on it (Standard Notes'
    auth workers never call the API gateway's proxies, whose method names their use cases share,
    apps-t be668d7d), or imports a file of its folder by a relative path. Code outside the
    workspaces, or defined at the root, may be reached from any."""
    spaces = _js_workspaces(ctx, memo)
    mine = _workspace_of(caller, spaces) if spaces else ""
    if not mine or not homes:
        return True
    source: bytes | None = None
    for home in homes:
        theirs = _workspace_of(home, spaces)
        if not theirs or theirs == mine or spaces[theirs][0] in spaces[mine][1]:
            return True
        # A relative import into the other package's folder (`../../../shared/src/billing`), which
        # no dependency declares (the red team, session 27).
        source = source if source is not None else (ctx.repo.read_blob(f"{ctx.repo.head_sha}:{caller}") or b"")
        folder = re.escape(theirs.rpartition("/")[2].encode())
        if re.search(rb"""['"`](?:\.\.?/)+(?:[^'"`\n]*/)?""" + folder + rb"""(?:/|['"`])""", source):
            return True
    return False


def _package_dir(language: str, path: str) -> str | None:
    """Where a Go function is visible without a package name: its directory (its package). None
    for the other languages, whose unqualified calls may reach another file's function."""
    return path.rpartition("/")[0] if language == "go" else None


def prefetch(ctx, language: str, names) -> None:
    """Search for the jobs that reach all of ``names`` at once (one `git grep` per call depth
    instead of one per name and depth), remembering each answer for ``reached``."""
    family = family_of(language)
    memo = scan_memo(ctx)
    todo = sorted({n for n in names if ("trees.reached", family, ctx.path, n) not in memo})
    if ctx.repo is None or family not in FAMILY_GLOBS or not todo:
        return
    try:
        found, unread = _search(ctx, family, todo, _package_dir(language, ctx.path), memo)
        for name in todo:
            how = found.get(name)
            if how:
                memo[("trees.reached", family, ctx.path, name)] = f"reached from background code: {how[0]}"
                memo[("trees.trail", family, ctx.path, name)] = how[1:]
            elif name in unread:
                # Fail closed: a job in the file that could not be read may call it.
                memo[("trees.reached", family, ctx.path, name)] = (
                    f"maybe reached from background code: {unread[name]}, so deploycheck cannot show that no job "
                    f"calls `{name}`")
            else:
                memo[("trees.reached", family, ctx.path, name)] = None
    except _OutOfBudget:
        # Fail closed: "not reached" would be a guess. The budget bounds a scan's cost; a branch
        # that adds files naming the function cannot make it look unreached either.
        for name in todo:
            memo[("trees.reached", family, ctx.path, name)] = (
                f"maybe reached from background code: the search for jobs that call `{name}` stopped at its limit of "
                f"{MAX_PARSED} files read per scan, so deploycheck cannot show that no job does")


def _search(ctx, family: str, names: list[str], home: str | None,
            memo: dict) -> tuple[dict[str, tuple], dict[str, str]]:
    """Breadth first from every name at once: ``frontier`` maps a name to look for, and the Go
    package it is defined in (``_package_dir``), to the (origin, trail) pairs that lead to it; a
    trail is its steps from the caller down, each (name called, path, line, the calling unit's
    shown name). Returns how each origin is reached (the words, the job, the steps as data), and
    for origins whose trail passes through a file that could not be read, which file and why."""
    found: dict[str, tuple] = {}
    unread: dict[str, str] = {}
    # Per origin, the (name, Go package) pairs already followed: `fetch` of one Go package is not
    # `fetch` of another.
    # Whether a name is followed as a method that some receivers cannot reach (``_restricted``): a
    # Ruby class method only a class calls (`scope.limit(3)` then calls a relation's `limit`, not
    # `ApiRateLimiter.limit`), a Java instance method (`ResourceUtils.getURL(p)` under `import
    # org.springframework.util.ResourceUtils;` calls a static method, never an instance's `getURL`).
    on_class = _restricted_methods_of(ctx, names, memo) if family in ("ruby", "java", "go", "javascript") else {}
    namespaces = _ruby_namespaces(ctx, names, memo) if family == "ruby" else {}
    # (A JS/TS method's first step is keyed by its class; a later step reaching its name unrestricted
    # is the same search.)
    seen = {name: {(name, home, _unowned(on_class.get(name, "")))} for name in names}
    # The files that define each followed name: there, `this.name` in the class defining it is the
    # followed function; elsewhere it is that class's own method of the same name.
    defined_in: dict[str, set[str]] = {name: {ctx.path} for name in names}
    Leads = dict[tuple[str, str | None, str], list[tuple[str, tuple[tuple[str, str, int, str | None], ...]]]]
    following: Leads = {}

    def heirs_of(name: str) -> frozenset[str]:
        """The Ruby classes the followed definitions of ``name`` subclass or reopen (each file
        parsed once per scan, and each asked about a name once: they are on the trail already)."""
        out: set[str] = set()
        for path in sorted(defined_in.get(name, ())):
            key = ("reach.heirs", path, name)
            if key not in memo:
                index = _file_index(ctx, path, memo)
                memo[key] = frozenset(_ruby_heirs(index[0], name)) if isinstance(index, tuple) else frozenset()
            out |= memo[key]
        return frozenset(out)

    def visit(path: str, index: tuple, called: str, where: str | None, class_only: str, leads) -> None:
        """The uses of ``called`` (defined in the Go package ``where``) in one file (its
        ``_file_index``): a job found, or the callers to look for next. In a JS/TS module, the
        module's own functions that lead to it are followed here, without a `git grep` and without
        spending a call depth: nothing outside the file can call them."""
        p, spans, whole, uses_of = index
        # Go: another package calls a package's function `pkg.Create(…)`, never `Create(…)`, and
        # cannot call an unexported (lower-case) one at all.
        other_package = where is not None and path.rpartition("/")[0] != where and not _dot_imports(p)
        if other_package and called[:1].islower():
            return
        here = [(called, class_only, [(o, t) for o, t in leads if o not in found])]
        renamed: set[str] = set()
        while here:
            name, on_a_class, leads = here.pop()
            if p.language in _JS_LANGUAGES:
                # `import { computeRate as rate }`: the module calls it as `rate`; `export {
                # computeRate as rate }` hands it on under that name to the modules importing it.
                local, exported = _js_renamed(p, name)
                for row, alias in local:
                    if alias not in renamed:
                        renamed.add(alias)
                        here.append((alias, on_a_class, [(o, ((name, path, row + 1, None),) + t) for o, t in leads]))
                for row, alias in exported:
                    exported_key: tuple[str, str | None, str] = (alias, None, "")
                    fresh = [(o, ((name, path, row + 1, None),) + t) for o, t in leads if exported_key not in seen[o]]
                    for origin, trail in fresh:
                        seen[origin].add(exported_key)
                        following.setdefault(exported_key, []).append((origin, trail))
            own = path in defined_in.get(name, ())
            # A JS/TS module that declares ``name`` at its top level calls its own when it calls
            # the name bare: Mailtrain's campaigns.js runs its own `_validateAndPreprocess`, not
            # subscriptions.js's (a new user's trial, session 29). A call on an object may still
            # be the followed one.
            shadowed = not own and p.language in _JS_LANGUAGES and _js_declares_at_top(p, name)
            # Only a file that does not define ``name`` itself asks which calls are its own.
            uses = uses_of(name, own, not other_package and not shadowed, on_a_class,
                           lambda type_name: java_field_named(ctx, type_name),
                           heirs_of(name) if p.language == "ruby" and not own else frozenset(),
                           lambda owner, type_name: _java_may_hold(ctx, owner, type_name),
                           lambda owner: _go_package_embeds(ctx, path, owner, memo),
                           lambda field: _go_package_field_kinds(ctx, path, field, memo))
            if uses and not own and p.language in _JS_LANGUAGES and _imported_from_elsewhere(p, path, name, defined_in.get(name, set())):
                continue  # `import { Meta } from "./components/meta"`: this file's `Meta` is another module's
            if uses and p.language == "kotlin" and (owner := on_a_class.partition(_JS_OWNER)[2]):
                constructed = _kotlin_constructed_elsewhere(p, name, owner, lambda kind, n: _kotlin_declares(ctx, kind, n, memo))
                uses = [row for row in uses if row not in constructed]
            if uses and p.language == "ruby" and (space := namespaces.get(name)) is not None:
                # `Tracks::RealtimeDebouncer.new` names another module's class of the changed one's name.
                foreign = _other_modules_class(p, name, space, bare_too=name in _RUBY_CORE_CLASSES and not _inside_module(p, space))
                uses = [row for row in uses if row not in foreign]
            # A use inside a job's own region names the job; a whole file (a job folder's,
            # `job_paths`) only says where.
            hits = [(row, s, True) for row in uses for s in spans if s[0] <= row <= s[1]] or [
                (row, s, False) for row in uses for s in whole]
            if hits:
                row, span, region = hits[0]
                what = span[2]
                # The job: its region's first line and unit; a whole file (a job folder's) is
                # background code from its first line, and no one unit of it is the job.
                job = job_of(p, path, span) if region else {"kind": what, "path": path, "line": span[0] + 1, "name": None}
                first = (name, path, row + 1, _shown_at(p, row))
                for origin, trail in leads:
                    if origin in found:
                        continue
                    # From the job down to the changed unit; the calling line shows a false trail.
                    steps = (first,) + trail
                    through = " -> ".join(f"`{step[0]}`" for step in steps)
                    found[origin] = (f"{what} at {path}:{row + 1} ({_quoted(p, row)}) calls it through {through}", job,
                                     tuple({"path": at, "line": line, "name": unit, "calls": calls}
                                           for calls, at, line, unit in steps))
                continue
            for row in uses:
                for chain in chains_at(p, row):
                    caller, shown = followed_name(chain, p, path), shown_name(chain, p) if chain else None
                    if not caller and p.language == "go":
                        caller = go_package_method(chain, p)  # a generic name: its package's files only
                    if not caller and not chain and (assigned := exported_function(p, row)) is not None:
                        caller, shown, chain = assigned  # `exports.radius = function (…) {…}`
                    if not caller and chain and (heir := _heir_naming(chain[-1], p, row, name)) is not None:
                        caller = heir  # `class SettleService < ApplicationService`: built as a SettleService
                    if not caller and chain and (organizer := _organizer_naming(chain, p)) is not None:
                        caller = organizer  # an organizer's recipe lists the action: its `call` runs it
                    if not caller:
                        continue
                    key = (caller, _package_dir(p.language, path), _restricted(chain[-1], caller, p) + _js_owner(chain[-1], p))
                    # Seen by name, package and restriction: a JS/TS owner keyed in would follow a
                    # name that another class's method of that name already led to, again.
                    once = (key[0], key[1], _unowned(key[2]))
                    step = (name, path, row + 1, shown)
                    fresh = [(o, (step,) + t) for o, t in leads if once not in seen[o]]
                    if not fresh:
                        continue
                    for origin, _trail in fresh:
                        seen[origin].add(once)
                    defined_in.setdefault(caller, set()).add(path)
                    if _module_private(chain[-1], caller, p):
                        here.append((caller, "", fresh))
                        continue
                    if p.language == "ruby" and _ruby_private(chain[-1], p):
                        # A Ruby class's own calls of a private caller (`generate_plaintext` runs
                        # the private `fetch_diff_table`) are followed in this file without spending
                        # a call depth, as a TypeScript or Java private method's are; other files are
                        # still searched (a subclass may call it too). Not a public method's: its
                        # callers in the file led the search, three calls deep, through names other
                        # classes share (bike_index's components' `cache_key`, apps-i).
                        here.append((caller, key[2], fresh))
                    for lead in fresh:
                        following.setdefault(key, []).append(lead)

    # A changed function its module keeps to itself is looked for in its own file only.
    own = _file_index(ctx, ctx.path, memo) if family in ("javascript", "java") else None
    head = own[0] if isinstance(own, tuple) else None
    # A unit the branch removed is private if the base declared it so: its callers, if any are
    # left, are in this file too, and none are when the branch deletes the file (Unleash's
    # deleted tooltip, whose `Header` and `Body` styled components a search of every file naming
    # them could not finish).
    gone = ctx.file.status == DELETED
    before = parsed(ctx, "base", language_of(ctx.path) or "") if family in ("javascript", "java") and (head is not None or gone) else None
    private = {name for name in names if (head is not None and _private_in(head, name)) or (
        isinstance(before, Parsed) and (head is None or not _declares(head, name)) and _private_in(before, name))}
    if isinstance(own, tuple):
        for name in sorted(private):
            visit(ctx.path, own, name, None, "", [(name, ())])
    # A generic name reaches here only as a Go method (``go_package_method``):
    # looked for in its package's files only, where the common word is rare enough to follow.
    package_only = {name for name in names if family == "go" and not followable(name)}
    for name in sorted(package_only):
        for path in package_files_naming(ctx, home or "", [name])[name]:
            index = _file_index(ctx, path, memo)
            if isinstance(index, tuple):
                visit(path, index, name, home, on_class.get(name, ""), [(name, ())])
            elif isinstance(index, str):
                unread.setdefault(name, f"{path} names `{name}` but {index}")
    frontier, following = following, {}
    for name in names:
        if name not in private and name not in package_only:
            frontier.setdefault((name, home, on_class.get(name, "")), []).insert(0, (name, ()))
    for _ in range(MAX_DEPTH):
        frontier = {key: [(o, t) for o, t in leads if o not in found] for key, leads in frontier.items()}
        frontier = {key: leads for key, leads in frontier.items() if leads}
        if not frontier:
            break
        # A generic Java name is looked for only where its types are named (``_typed_callers``).
        typed_only = {called for called, _, _ in frontier if family == "java" and not followable(called)}
        # A generic Go method name is looked for in its package only (``go_package_method``).
        in_package = {called for called, _, _ in frontier if family == "go" and not followable(called)}
        naming = files_naming(ctx, family, sorted({called for called, _, _ in frontier} - typed_only - in_package))
        naming.update((called, []) for called in typed_only)
        for called, where, class_only in sorted(frontier, key=lambda key: (key[0], key[1] or "", key[2])):
            if family == "ruby" and class_only.partition("/")[0] == "instance" and _association(ctx, family, called, naming[called]):
                continue  # `request.item_requests` calls the association, not another class's method
            restriction = class_only
            if family == "ruby" and "/" in class_only and _ruby_super_override(
                    ctx, called, naming[called], memo, frozenset(int(a) for a in re.findall(r"\d+", class_only.partition("/")[2]))):
                restriction = class_only.partition("/")[0]  # its count of arguments rules no call out
            paths = naming[called] if called not in in_package else \
                package_files_naming(ctx, where or "", [called])[called]
            if not paths and (paths := _typed_callers(ctx, family, called, class_only)):
                # Read for naming a type of the owner's hierarchy: a sibling there (a job extending
                # the same base) calls its own method of the name bare, no trail (``_foreign_bare``).
                restriction += "!"
            elif not paths:
                paths = _namespaced_callers(ctx, family, called, namespaces)
            for path in paths:
                if family == "javascript" and not _js_may_call(ctx, path, defined_in.get(called, set()), memo):
                    continue
                index = _file_index(ctx, path, memo)
                if index is None:
                    continue
                leads = frontier[(called, where, class_only)]
                if isinstance(index, str):
                    for origin, _trail in leads:
                        unread.setdefault(origin, f"{path} names `{called}` but {index}")
                    continue
                visit(path, index, called, where, restriction, leads)
                if all(origin in found for origin, _trail in leads):
                    break
        frontier, following = following, {}
    return found, unread


def _typed_callers(ctx, family: str, name: str, restriction: str) -> list[str]:
    """For a Java instance method whose name more files hold than the search follows, or that is
    too generic to follow alone (an `@Override` of `update`: ``_java_override``), the files that
    name it and its class, a type the class extends or a subclass of it
    (``naming.files_naming_with``): a caller declares the variable it calls through (jeepay's
    reissue task calls the WeChat transfer service's `query` on an `ITransferService`, another on
    a `WxpayV3TransferService`). Only types the repository declares: a library's (`Serializable`)
    says nothing of the callers. Remembered for ``not_followed``."""
    owner = restriction.partition("/")[0].partition(":")[2] if restriction.startswith("instance:") else ""
    memo = scan_memo(ctx)
    if family != "java" or not owner or (followable(name) and not memo.get(("trees.common", family, name))):
        return []
    above = _declared_supertypes(ctx, owner)
    # A type above that the repository may declare where it cannot be read (a Kotlin interface,
    # more files declaring the name than are read, one too large to parse) may declare the method:
    # its callers are looked for, never dropped.
    untold = {kind for k in sorted(above) for kind in sorted(_java_supertypes(ctx, k) or ())
              if kind not in above and _java_type_untold(ctx, kind)}
    if not followable(name) and not untold and not any(_declares_method(ctx, kind, name) for kind in sorted(above - {owner})):
        return []  # `toString`, `compareTo`: an override of a library type's method, called on anything
    # A variable of a subclass's type calls it too (`WxpayV3TransferService service`).
    types = above | untold | (_types_reached(owner, lambda kind: _java_subclasses(ctx, kind)) or set())
    found = files_naming_with(ctx, family, name, sorted(types))
    memo[("reach.typed", name, owner)] = (sorted(types - {owner}), None if found is None else len(found))
    return found or []


def _namespaced_callers(ctx, family: str, name: str, namespaces: dict[str, str]) -> list[str]:
    """For a Ruby class or module of the changed file whose name more files hold than the search
    follows, the files that also name the module it is defined in (``naming.files_naming_with``):
    a caller writes `IntegrationCustomers::CreateService.call(…)`, or calls it from inside `module
    IntegrationCustomers` (lago's integration-customer jobs). Remembered for ``not_followed``."""
    memo = scan_memo(ctx)
    space = namespaces.get(name)
    if family != "ruby" or not space or not memo.get(("trees.common", family, name)):
        return []
    found = files_naming_with(ctx, family, name, [space])
    memo[("reach.namespaced", name)] = (space, None if found is None else len(found))
    return found or []


# Ruby's own classes: an application's class of one of these names inside a module of its own
# (`Gias::Data`) is reached only where it is written with its module, or inside that module.
_RUBY_CORE_CLASSES = frozenset({"Data", "Struct", "Set", "Time", "Date", "File", "Dir", "Queue", "Thread", "Process",
                                "Random", "Range", "Hash", "Array", "String", "Integer", "Float", "Object", "Module",
                                "Class", "Method", "Proc", "Mutex", "Logger", "JSON", "URI", "Socket", "Comparable",
                                "Enumerable", "Kernel", "Signal", "Encoding", "Rational", "Complex", "Error"})


def _inside_module(p: Parsed, space: str) -> bool:
    return re.search(rb"^\s*(?:module|class)\s+(?:[\w:]*::)?" + re.escape(space.encode()) + rb"\b", p.source, re.M) is not None


def _other_modules_class(p: Parsed, name: str, space: str, bare_too: bool = False) -> set[int]:
    """The rows of the Ruby file ``p`` that write the class ``name`` only as another module's
    (`Tracks::RealtimeDebouncer` where the changed class is `Visits::RealtimeDebouncer`): a class
    of the same name, which the trail cannot run through. A bare `RealtimeDebouncer` may be
    either: its rows are kept, unless ``bare_too`` (a name of Ruby's own classes outside the
    module: `Data.define(…)` is Ruby's Data, not `Gias::Data`)."""
    qualified: set[int] = set()
    plain: set[int] = set()
    bare: set[int] = set()
    for n in nodes_of(p, frozenset({"constant"})):
        if p.text(n) != name:
            continue
        parent = n.parent
        if parent is not None and parent.type == "scope_resolution" and (
                (named := parent.child_by_field_name("name")) is not None and named.id == n.id):
            scope = parent.child_by_field_name("scope")
            if scope is not None and p.text(scope).split("::")[-1] != space:
                qualified.add(n.start_point[0])
                continue
            if scope is not None:  # written with its own module
                plain.add(n.start_point[0])
                continue
        plain.add(n.start_point[0])
        bare.add(n.start_point[0])
    return (qualified - plain) | (bare if bare_too else set())


def _ruby_namespaces(ctx, names: list[str], memo: dict) -> dict[str, str]:
    """Of ``names``, the classes and modules the changed Ruby file defines inside a module (or
    with a compact `A::B` name), each with the innermost module's name."""
    index = _file_index(ctx, ctx.path, memo)
    if not isinstance(index, tuple):
        return {}
    p = index[0]
    out: dict[str, str] = {}
    for n in nodes_of(p, frozenset({"class", "module"})):
        named = n.child_by_field_name("name")
        parts = p.text(named).split("::") if named is not None else []
        if not parts or parts[-1] not in names:
            continue
        outer = parts[:-1]
        parent = n.parent
        while not outer and parent is not None:
            if parent.type in ("class", "module") and (up := parent.child_by_field_name("name")) is not None:
                outer = p.text(up).split("::")
            parent = parent.parent
        if outer and WORD.fullmatch(outer[-1]) and followable(outer[-1]):
            out[parts[-1]] = outer[-1]
    return out


def _declares_method(ctx, kind: str, name: str) -> bool:
    """Whether the repository's declaration of the type ``kind`` declares a method ``name``."""
    return any(m.type == "method_declaration" and called_name(m, tree) == name
               for node, tree in _java_type_declarations(ctx, kind) or () for m in walk(node))


def _java_type_untold(ctx, kind: str) -> bool:
    """Whether files at head may declare the type ``kind`` but their declarations cannot be read
    (``_java_declarations``): not a library's type, and not known to be without a method."""
    return bool(java_type_files(ctx, kind)) and _java_type_declarations(ctx, kind) is None


def _declared_supertypes(ctx, owner: str) -> set[str]:
    """The class ``owner`` and the types above it that the repository declares (at most a dozen)."""
    out = {owner}
    todo = [owner]
    while todo and len(out) <= 12:
        for kind in sorted(_java_supertypes(ctx, todo.pop()) or ()):
            if kind not in out and _java_supertypes(ctx, kind) is not None:
                out.add(kind)
                todo.append(kind)
    return out


_JS_LANGUAGES = frozenset({"javascript", "typescript", "tsx"})


def _js_renamed(p: Parsed, name: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The other names a JS/TS module gives ``name`` (with their rows): local ones, by an import
    (`import { name as alias }`) or a destructured `require` (`const { name: alias } =
    require(…)`), and exported ones (`export { name as alias }`, also `… from './x'`)."""
    memo = p.memo.setdefault("reach.js-renamed", {})
    if name not in memo:
        local: list[tuple[int, str]] = []
        exported: list[tuple[int, str]] = []
        for n in nodes_of(p, frozenset({"import_specifier", "export_specifier", "pair_pattern"})):
            if n.type == "pair_pattern":
                key, value = n.child_by_field_name("key"), n.child_by_field_name("value")
                declarator = n.parent.parent if n.parent is not None else None
                init = declarator.child_by_field_name("value") if declarator is not None and declarator.type == "variable_declarator" else None
                while init is not None and init.type == "await_expression":
                    init = init.named_children[0] if init.named_children else None
                required = init is not None and init.type == "call_expression" and p.text(init).startswith(("require(", "import("))
                if required and key is not None and value is not None and value.type == "identifier" and p.text(key) == name:
                    local.append((n.start_point[0], p.text(value)))
                continue
            original, alias = n.child_by_field_name("name"), n.child_by_field_name("alias")
            if original is None or alias is None or p.text(original) != name or p.text(alias) == name:
                continue
            (local if n.type == "import_specifier" else exported).append((n.start_point[0], p.text(alias)))
        memo[name] = (local, exported)
    return memo[name]
# Where a name in a type position (tree-sitter's `type_identifier`) runs nothing: TypeScript erases
# types. Not Java or Kotlin, where `new Foo(…)` writes the constructor it runs as a type. (Go's
# composite literals are already no call: ``_go_no_function_here``.)
_TYPE_ONLY_LANGUAGES = frozenset({"typescript", "tsx"})


_ASSOCIATION = "(?:has_many|has_one|belongs_to|has_and_belongs_to_many)"


def _association(ctx, family: str, name: str, paths: list[str]) -> str | None:
    """The file that declares an ActiveRecord association named ``name`` (`has_many :item_requests`),
    among those that hold the name and that the branch leaves as they are (a branch cannot hide a
    trail by declaring one): every record of that model answers `record.item_requests` with it,
    so another class's instance method of that name is no more likely called than the
    association. Remembered for the note that says so (``not_followed``)."""
    memo = scan_memo(ctx)
    key = ("trees.association", family, name)
    if key not in memo:
        memo[key] = None
        base_files = ctx.settings.base_files
        touched = base_files.touched if base_files is not None and base_files.touched is not None else None
        declares = re.compile(rf"^\s*{_ASSOCIATION}\s*\(?\s*:{re.escape(name)}\b".encode(), re.MULTILINE)
        for path in paths:
            if touched is None or path in touched:
                continue
            source = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
            if source is not None and declares.search(source):
                memo[key] = path
                break
    return memo[key]


def _class_method(node, name: str, p: Parsed) -> bool:
    """Whether ``node``, the unit named ``name``, is a Ruby class method that only a class calls:
    `def self.limit` (or a `def` in `class << self`) of a module or of a class that names no
    superclass. Callers write `ApiRateLimiter.limit`, `self.class.limit` or, inside the class,
    `limit`; `scope.limit(3)` calls an object's method (an ActiveRecord relation's). Not the
    class method of a class with a superclass: a model's class methods are a relation's too
    (`posts.recent`). Not in a file that delegates (`delegate :limit, to: :class` makes an
    instance method that objects answer)."""
    if p.language != "ruby":
        return False
    owner = node.parent
    if node.type == "singleton_method":
        target = node.child_by_field_name("object")
        if target is None or target.type != "self":
            return False
    elif node.type == "method":
        while owner is not None and owner.type == "body_statement":
            owner = owner.parent
        if owner is None or owner.type != "singleton_class" or not any(c.type == "self" for c in owner.children):
            return False
        owner = owner.parent
    else:
        return False
    while owner is not None and owner.type == "body_statement":
        owner = owner.parent
    if owner is None or re.search(rb"\b(?:delegate|def_delegators?|def_instance_delegators?)\b", p.source):
        return False
    return owner.type == "module" or (owner.type == "class" and owner.child_by_field_name("superclass") is None)


# Superclasses whose classes answer no instance method of theirs when called on the class's name:
# a model's (its class methods are scopes, enums and finders), a job's, an error's, a value
# object's.
_PLAIN_RUBY_BASES = re.compile(r"(?:::)?(?:ApplicationRecord|ActiveRecord::Base|ApplicationJob|ActiveJob::Base"
                               r"|(?:\w+::)*\w*(?:Error|Exception)|Struct\.new\b.*|Data\.define\b.*)", re.DOTALL)
_RUBY_FORWARDS = re.compile(rb"\b(?:delegate|delegate_missing_to|def_delegators?|def_instance_delegators?|def_single_delegators?"
                            rb"|instance_delegate|single_delegate|method_missing)\b")


def _instance_method(node, name: str, p: Parsed) -> bool:
    """Whether ``node``, the unit followed as ``name``, is an instance method that a call written
    on a type's name (`ResourceUtils.getURL(p)`, `Request.statuses`) never reaches: a Java method
    without `static`, or a Ruby `def` of a class (a module's may be its own with `extend self`;
    a mailer's class answers `Mailer.welcome(user)` with an instance's). Not when the class's name
    is followed instead of the method's (a service object's `run`)."""
    if called_name(node, p) != name:
        return False
    if p.language == "ruby":
        owner = node.parent
        while owner is not None and owner.type == "body_statement":
            owner = owner.parent
        if node.type != "method" or owner is None or owner.type != "class":
            return False
        # A mailer's class answers its instance methods (`Mailer.welcome(user).deliver_later`), as
        # does a CurrentAttributes class, and a class whose superclass is some other class of the
        # application may be either (`Notifier < BaseNotifier < ApplicationMailer`): only a class
        # of no superclass or of one known to answer none is read as answering none.
        superclass = owner.child_by_field_name("superclass")
        if superclass is not None and not _PLAIN_RUBY_BASES.fullmatch(p.text(superclass).lstrip("<").strip()):
            return False
        # Nor a class that hands calls on it to an instance: `delegate :x, to: :new`, Forwardable's
        # `def_delegators :instance, :x` (a Singleton's), or a `method_missing`.
        return _RUBY_FORWARDS.search(p.source) is None
    if p.language != "java" or node.type != "method_declaration":
        return False
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    return modifiers is None or not any(c.type == "static" for c in modifiers.children)


def _restricted(node, name: str, p: Parsed) -> str:
    """Which calls of its name the unit ``node``, followed as ``name``, cannot be: "class" for a
    Ruby class method only a class calls (``_class_method``: not calls on an object), "instance"
    for an instance method (``_instance_method``: not calls on a type's name; "instance:Owner"
    for a Java class's, nor calls on a receiver declared of a type its objects cannot be,
    ``_foreign_receiver``), "go:N" (or "go:N+",
    variadic) for a Go function of N parameters (``_go_arity``: not calls with another number of
    arguments), "go:Nm@Owner" for a method (nor calls on an imported package's name, nor, from
    another package, calls on a method's receiver of another type, ``_go_foreign_receiver``), "private" for a
    Ruby private method (``_on_a_receiver``: only bare or `self.` calls), "static:Owner" for a
    Java class's static method (not calls on a receiver declared of a type that cannot be the
    class, nor on another type's name, ``_foreign_static``), "" for none. A Ruby method that
    takes exactly N arguments, or a Java method without varargs, adds "/N" (``_arity_differs``)."""
    if p.language == "go" and node.type in ("function_declaration", "method_declaration"):
        receiver = _receiver_type(node, p) if node.type == "method_declaration" else ""
        return _go_arity(node) + (f"@{receiver}" if receiver else "")
    arity = _ruby_arity(node) if p.language == "ruby" and called_name(node, p) == name else \
        _java_arity(node) if p.language == "java" and called_name(node, p) == name else \
        _kotlin_arity(node) if p.language == "kotlin" and called_name(node, p) == name else None
    suffix = f"/{arity}" if arity is not None else ""
    if _class_method(node, name, p) and not _in_framework_namespace(node, p):
        return "class" + suffix
    if p.language == "ruby" and called_name(node, p) == name and _ruby_private(node, p):
        return "private" + suffix
    if not _instance_method(node, name, p):
        static = p.language == "java" and called_name(node, p) == name and node.type == "method_declaration"
        owner = _java_plain_owner(node, p) if static else None
        return f"static:{owner}{suffix}" if owner else suffix
    owner = _java_plain_owner(node, p)
    return (f"instance:{owner}" if owner else "instance") + suffix


def _ruby_private(node, p: Parsed) -> bool:
    """Whether the Ruby `def` ``node`` is a private instance method: after a bare `private` in its
    class's or module's body (until `public`, `protected` or `module_function`), written
    `private def x`, or named by a `private :x` there (and by no later `public :x`)."""
    if node.type != "method":
        return False
    parent = node.parent
    if parent is not None and parent.type == "argument_list":
        call = parent.parent
        method = call.child_by_field_name("method") if call is not None and call.type == "call" else None
        return method is not None and p.text(method) == "private" and call.child_by_field_name("receiver") is None
    if parent is None or parent.type != "body_statement" or parent.parent is None \
            or parent.parent.type not in ("class", "module", "singleton_class"):  # `class << self`'s too
        return False
    name = called_name(node, p)
    private, named = False, None
    for sibling in parent.named_children:
        if sibling.type == "identifier" and p.text(sibling) in _RUBY_VISIBILITIES and sibling.start_byte < node.start_byte:
            private = p.text(sibling) == "private"
        elif sibling.type == "call" and (method := sibling.child_by_field_name("method")) is not None \
                and p.text(method) in _RUBY_VISIBILITIES and sibling.child_by_field_name("receiver") is None:
            args = sibling.child_by_field_name("arguments")
            if args is not None and any(a.type == "simple_symbol" and p.text(a)[1:] == name for a in args.named_children):
                named = p.text(method) == "private"  # the last that names it rules
    return private if named is None else named


# What ends a bare `private` section of a class or module body, or names a method's visibility
# (`public :normalize`): `module_function` makes the methods after it the module's own as well,
# called on its name (`PhoneFormat.normalize(x)`), private only for its includers.
_RUBY_VISIBILITIES = frozenset({"private", "public", "protected", "module_function"})


def _on_a_receiver(n) -> bool:
    """A Ruby call of ``n``'s name on a receiver other than `self` (`self.class.normalize(x)`,
    `formatter.normalize(x)`): no private method's, which only a bare or `self.` call reaches."""
    parent, receiver = _call_named(n)
    return parent is not None and parent.type == "call" and receiver is not None and receiver.type != "self"


def _ruby_arity(node) -> int | None:
    """How many arguments a Ruby `def` takes when it takes exactly that many: only required
    positional parameters (a block parameter aside); None for optional, splat, keyword or
    forwarded ones, which take a range."""
    if node.type not in ("method", "singleton_method"):
        return None
    params = node.child_by_field_name("parameters")
    given = [c for c in params.named_children if c.type not in ("comment", "block_parameter")] if params is not None else []
    return len(given) if all(c.type == "identifier" for c in given) else None


_JS_OWNER = ";js:"  # a restriction's suffix naming a JS/TS unit's owner (``_js_owner``)


def _js_owner(node, p: Parsed) -> str:
    """";js:Owner" for a JS/TS class's method, ";js:*" for a module's function: not the calls on a
    local built with `new` of another class (``_js_foreign_new``); for a Kotlin class's function,
    ";js:Owner" too: not the calls on an object constructed of another class declaring a function
    of the name (``_kotlin_constructed_elsewhere``); "" for anything else."""
    if p.language == "kotlin":
        return f"{_JS_OWNER}{owner}" if (owner := _kotlin_class_of(node, p)) else ""
    if p.language not in _JS_LANGUAGES:
        return ""
    owner = _js_class_of(node, p) if node.type == "method_definition" else \
        "*" if node.type == "function_declaration" and _module_level(node) else None
    return f"{_JS_OWNER}{owner}" if owner else ""


def _unowned(restriction: str) -> str:
    """A restriction without its JS/TS owner: what the search deduplicates steps by."""
    return restriction.partition(_JS_OWNER)[0]


def _module_level(node) -> bool:
    """Whether a JS/TS declaration stands at its module's top level (exported or not)."""
    parent = node.parent
    if parent is not None and parent.type == "export_statement":
        parent = parent.parent
    return parent is not None and parent.type == "program"


def _kotlin_class_of(node, p: Parsed) -> str | None:
    """The name of the Kotlin class or object whose body declares the function ``node``; an
    object of no supertype as "object:Name" (``_kotlin_constructed_elsewhere``): one that
    implements an interface may be handed around as that interface (a DI container's binding)."""
    body = node.parent if node.type == "function_declaration" else None
    cls = body.parent if body is not None and body.type == "class_body" else None
    if cls is None or cls.type not in ("class_declaration", "object_declaration"):
        return None
    name = next((p.text(c) for c in cls.children if c.type in ("identifier", "type_identifier", "simple_identifier")), None)
    plain = cls.type == "object_declaration" and not any(c.type == "delegation_specifiers" for c in cls.children)
    return f"object:{name}" if name and plain else name


def _kotlin_class_words(cls) -> set[str]:
    """The keywords of a Kotlin class or object declaration: its kind (`interface`) and modifiers
    (`open`, `abstract`, `sealed`…)."""
    return {c.type for c in cls.children} | {w.type for m in cls.children if m.type == "modifiers" for w in walk(m)}


def _kotlin_constructed_elsewhere(p: Parsed, name: str, owner: str,
                                  declares: Callable[[str, str], frozenset[str] | None]) -> set[int]:
    """The rows whose every use of ``name`` is a Kotlin call that cannot run the function of the
    class ``owner``: one on an object constructed right there of another concrete class that
    declares a function ``name`` taking that many arguments itself (``declares``: the counts
    its declarations take), whose own function runs (mihon's extension manager registers its
    install receiver, `ExtensionInstallReceiver(listener).register(context)`, which the search
    took for the trackers' `register`, apps-ac); for the function of an object of no supertype
    ("object:Name"), one on any receiver but the object's name (also qualified, `Kitsu.Dates`,
    `a.b.KitsuDateHelper`) or `this` (`dateFormat.parse(s)` is no call of `KitsuDateHelper.parse`),
    unless the file imports the object under another name or holds it in a variable."""
    kind_of_object = owner.removeprefix("object:") if owner.startswith("object:") else None
    if kind_of_object is not None and re.search(
            rb"\bimport[ \t]+[\w.]*\b" + re.escape(kind_of_object.encode()) + rb"[ \t]+as\b|=[ \t]*"
            + re.escape(kind_of_object.encode()) + rb"[ \t]*(?:$|[;)\n])", p.source, re.MULTILINE):
        kind_of_object = None
    rows: dict[int, bool] = {}
    for n in _word_leaves(p, name):
        nav = n.parent
        target = nav.named_children[0] if nav is not None and nav.type == "navigation_expression" \
            and len(nav.named_children) == 2 and nav.named_children[-1].id == n.id else None
        callee = target.named_children[0] if target is not None and target.type == "call_expression" \
            and target.named_children else None
        kind = p.text(callee) if callee is not None and callee.type in ("identifier", "simple_identifier") else ""
        counts = declares(kind, name) if kind[:1].isupper() and kind != owner.removeprefix("object:") else None
        foreign = counts is not None and (not counts or not _kotlin_arity_differs(n, p, {int(c) for c in counts}))
        if kind_of_object is not None and target is not None and not foreign:
            written = re.sub(r"\s+", "", p.text(target))
            foreign = target.type != "this_expression" and written != kind_of_object \
                and not written.endswith("." + kind_of_object)
        rows[n.start_point[0]] = rows.get(n.start_point[0], True) and foreign
    return {row for row, foreign in rows.items() if foreign}


def _kotlin_declares(ctx, kind: str, name: str, memo: dict) -> frozenset[str] | None:
    """The numbers of arguments the functions ``name`` that the Kotlin class ``kind`` declares in
    its own body take (empty: any number), when every file that may declare ``kind`` declares it
    as a concrete class with such a function; None otherwise (none found, one unread, an
    interface or an abstract class: `Tracker(id)` there is a factory function's call)."""
    key = ("reach.kotlin-declares", kind, name)
    if key not in memo:
        paths = [path for path in java_type_files(ctx, kind) if path.endswith((".kt", ".kts"))]
        told, any_count, arities = bool(paths), False, set()
        for path in paths:
            index = _file_index(ctx, path, memo)
            found = [f for f in _methods_named(index[0], name) if _kotlin_class_of(f, index[0]) == kind] \
                if isinstance(index, tuple) else []
            cls = found[0].parent.parent if found else None
            if cls is None or _kotlin_class_words(cls) & {"interface", "abstract", "sealed"} \
                    or re.search(rb"(?m)^\s*(?:\w+\s+)*fun\s+" + re.escape(kind.encode()) + rb"\s*\(", index[0].source):
                told = False
                break
            for f in found:
                takes = _kotlin_arity(f)
                any_count = any_count or takes is None
                arities |= set(takes.split(",")) if takes else set()
        memo[key] = None if not told else frozenset() if any_count else frozenset(arities)
    return memo[key]


def _js_class_of(node, p: Parsed) -> str | None:
    """The name of the JS/TS class whose body holds the method ``node``."""
    body = node.parent
    cls = body.parent if body is not None and body.type == "class_body" else None
    named = cls.child_by_field_name("name") if cls is not None else None
    return p.text(named) if named is not None else None


_JS_SCOPES = frozenset({"function_declaration", "function_expression", "function", "arrow_function", "method_definition",
                        "generator_function_declaration", "program"})


def _js_foreign_new(n, p: Parsed, owner: str) -> bool:
    """A JS/TS call of ``n``'s name on a local built with `new` of another class than ``owner``
    (audiobookshelf's backup cron builds `const newBackup = new Backup()` and calls its `setData`,
    never a `DeviceInfo`'s); for a module's function (``owner`` "*"), on a local built with `new`
    of any class (midday's workbench calls `core.getConfig()` on its `new WorkbenchCore(…)`,
    never the CLI's exported `getConfig`). The local is looked up in the function around the call
    and, outward, the functions around that (a closure's). A class of the file that extends the
    owner keeps the call; a local assigned again, or built otherwise, keeps it."""
    member = n.parent
    if member is None or member.type != "member_expression" or member.child_by_field_name("property") != n:
        return False
    target = member.child_by_field_name("object")
    if target is None or target.type != "identifier":
        return False
    local = p.text(target)
    scope = member.parent
    while scope is not None:
        while scope is not None and scope.type not in _JS_SCOPES:
            scope = scope.parent
        if scope is None:
            return False
        built = _js_built_in(scope, local, p)
        if built is not None:
            return bool(built) and built != owner and not re.search(
                rb"\bclass\s+" + re.escape(built.encode()) + rb"\s+extends\s+" + re.escape(owner.encode()) + rb"\b",
                p.source)
        scope = scope.parent
    return False


def _js_built_in(scope, local: str, p: Parsed) -> str | None:
    """The class ``local`` is built of by the one `new` that declares it in ``scope`` (not in a
    function nested in it): its name; "" when it is declared there otherwise or assigned again;
    None when ``scope`` does not declare it."""
    found: str | None = None
    stack = list(scope.children)
    while stack:
        d = stack.pop()
        if d.type in _JS_SCOPES:
            continue  # a nested function's own locals
        if d.type == "assignment_expression" and p.text(d.child_by_field_name("left") or d) == local:
            return ""  # assigned again: what it holds is not told by one `new`
        if d.type == "variable_declarator" and p.text(d.child_by_field_name("name") or d) == local:
            value = d.child_by_field_name("value")
            while value is not None and value.type in ("await_expression", "parenthesized_expression", *_TYPED_VALUES) \
                    and value.named_children:
                value = value.named_children[0]
            made = value.child_by_field_name("constructor") if value is not None and value.type == "new_expression" else None
            name = p.text(made).rsplit(".", 1)[-1] if made is not None else ""
            if found is not None and found != name:
                return ""
            found = name
        stack.extend(d.children)
    return found


def _call_named(n):
    """The call whose name ``n`` is (Ruby's `call`, Java's `method_invocation`), and what it is
    called on (None for none: a bare call); (None, None) when ``n`` names no call."""
    parent = n.parent
    fields = {"call": ("method", "receiver"), "method_invocation": ("name", "object")}.get(parent.type if parent else "")
    if fields is None:
        return None, None
    method = parent.child_by_field_name(fields[0])
    if method is None or method.id != n.id:
        return None, None
    return parent, parent.child_by_field_name(fields[1])


def _java_arity(node) -> int | None:
    """How many parameters a Java method declares, None for varargs (`String... names`)."""
    if node.type != "method_declaration":
        return None
    params = node.child_by_field_name("parameters")
    given = [c for c in params.named_children if not c.type.endswith("comment") and c.type != "receiver_parameter"] \
        if params is not None else []
    return None if any(c.type == "spread_parameter" for c in given) else len(given)


def _kotlin_arity(node) -> str | None:
    """How many arguments a call of a Kotlin function may pass: "N", or "N,…,M" from its
    required parameters to all of them (a default value makes one optional); None with a
    `vararg`, which takes any number. Java calls an extension function (`fun Entity.toModel()`)
    with its receiver as the first argument: one more is allowed."""
    params = next((c for c in node.children if c.type == "function_value_parameters"), None) \
        if node.type == "function_declaration" else None
    mods = next((c for c in node.children if c.type == "modifiers"), None)
    if params is None or (mods is not None and any(m.type in ("override", "actual") for m in walk(mods))):
        # An override takes the defaults its interface declares (Kotlin forbids restating them),
        # and an `actual` its `expect`'s: a call may leave out more than this declaration shows.
        return None
    required = total = 0
    kids = params.children
    for i, c in enumerate(kids):
        if c.type == "parameter_modifiers" and any(m.type == "vararg" for m in walk(c)):
            return None
        if c.type == "parameter":
            total += 1
            required += not (i + 1 < len(kids) and kids[i + 1].type == "=")
    # `fun Entity.toModel()`: the receiver's type and a dot come before the parameters.
    extension = any(c.type == "." for c in node.children[:node.children.index(params)])
    return ",".join(str(k) for k in range(required, total + 1 + extension))


def _kotlin_arity_differs(n, p: Parsed, wanted: set[int]) -> bool:
    """Whether Kotlin name ``n`` is the callee of a call that passes a number of arguments no
    function taking one of ``wanted`` accepts (owncloud's `it.toModel()` on a database entity is
    never the capability mapper's one-argument `toModel(remote)`, apps-aa). A trailing lambda is
    one more argument; a spread (`*items`) could be any number; a reference (`::toModel`) is no call."""
    node = n.parent if n.parent is not None and n.parent.type == "navigation_expression" \
        and n.parent.named_children and n.parent.named_children[-1].id == n.id else n
    call = node.parent
    if call is None or call.type != "call_expression" or not call.named_children or call.named_children[0].id != node.id:
        return False
    args = next((c for c in call.children if c.type == "value_arguments"), None)
    given = [c for c in args.named_children if c.type == "value_argument"] if args is not None else []
    if any(c.type == "spread_expression" for g in given for c in g.named_children):
        return False
    count = len(given) + sum(c.type == "annotated_lambda" for c in call.children)
    outer = call.parent  # `f(a) { … }`: the lambda closes a call around this one
    if outer is not None and outer.type == "call_expression" and outer.named_children and outer.named_children[0].id == call.id:
        count += sum(c.type == "annotated_lambda" for c in outer.children)
    return count not in wanted


def _arity_differs(n, p: Parsed, wanted: set[int]) -> bool:
    """Whether name ``n`` is called with a number of arguments that no method taking one of
    ``wanted`` answers: Ruby's (``_ruby_arity_differs``), and Java's, whose overloads differ by
    their parameters (openremote's container stops `getServices()`, never a REST resource's
    two-argument `getServices(requestParams, realm)`, apps-t a4b5a74b)."""
    if p.language == "kotlin":
        return _kotlin_arity_differs(n, p, wanted)
    if p.language != "java":
        return all(_ruby_arity_differs(n, p, count) for count in wanted)
    call = n.parent
    if call is None or call.type != "method_invocation" or (call.child_by_field_name("name") or call).id != n.id:
        return False  # a method reference (`this::getServices`) or another use: any arity
    args = call.child_by_field_name("arguments")
    return len([c for c in args.named_children if not c.type.endswith("comment")] if args is not None else []) not in wanted


def _ruby_arity_differs(n, p: Parsed, wanted: int) -> bool:
    """Whether Ruby name ``n`` is called with another number of arguments than ``wanted``: no
    method that takes exactly ``wanted`` answers it (vita-min's job calls its tenant service's
    `url(locale: locale)`, never the file-URL service's `url`, which takes none). Keyword
    arguments are one hash; a splat or a forwarded `...` could be any number: never differs."""
    parent, _receiver = _call_named(n)
    if p.language != "ruby" or parent is None:
        return False  # a bare name with no arguments, or a name used otherwise: not read
    args = parent.child_by_field_name("arguments")
    given = [c for c in args.named_children if c.type not in ("comment", "block_argument")] if args is not None else []
    if any(c.type in ("splat_argument", "hash_splat_argument", "forward_argument") for c in given):
        return False
    count = sum(c.type != "pair" for c in given) + any(c.type == "pair" for c in given)
    return count != wanted


def _ruby_super_override(ctx, name: str, paths: list[str], memo: dict, wanted: frozenset[int]) -> bool:
    """Whether one of ``paths`` (the files naming ``name``) may hand a call of Ruby method ``name``
    another number of arguments, one of ``wanted``: a `def name` whose `super` passes that many
    (an override in a subclass or a prepended module, `def url(locale) = super() + locale`), or
    an alias of it (`alias_method :plain_url, :url`, then a `def url(locale)` that calls
    `plain_url`). A call with another number then still reaches the method. pdc_describe's state
    transitions' two-argument `add_work_activity` overrides pass four to their superclass's, so
    a four-argument call never reaches the transitions' own (apps-ab a8735339). Read as text,
    loosely (no file is parsed for it, so the search's budget is not spent): a file that only
    looks so keeps a call, never drops one. Once per name, counts and scan."""
    key = ("reach.ruby-super", name, wanted)
    if key not in memo:
        word = re.escape(name) + r"(?![\w?!=])"
        aliased = re.compile(rf"\balias_method\s*\(?\s*[:'\"][^,\n]*,\s*[:'\"]{word}|\balias\s+:?[\w?!]+\s+:?{word}")
        defined = re.compile(rf"\bdef\s+(?:self\.)?{word}[ \t]*(\([^)]*\))?")
        memo[key] = False
        for path in paths:
            data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}") if path.endswith((".rb", ".rake")) else b""
            text = data.decode("utf-8", "surrogateescape") if data is not None else ""
            if data is None or aliased.search(text) or any(_supers_with(text, d, wanted) for d in defined.finditer(text)):
                memo[key] = True  # not read (too large), or it may hand the call on
                break
    return memo[key]


_NEXT_DEF = re.compile(r"\n[ \t]*def\s")
# What may follow a bare `super` (which passes the method's own arguments): the statement's end,
# a method called on its result, an operator, a modifier, a block.
_BARE_SUPER_END = re.compile(r"[ \t]*(?:$|\n|;|#|\)|\]|\}|\.|&&|\|\||[-+/<>=!%]|\b(?:if|unless|and|or|then|do|end)\b|\{)")
_ANY_COUNT = re.compile(r"[*&]|\.\.\.")


def _supers_with(text: str, definition: re.Match, wanted: frozenset[int]) -> bool:
    """Whether a `super` in the method ``definition`` starts (up to the next `def`) may pass one
    of ``wanted`` numbers of arguments: `super(a, b)` passes two (keywords count as one hash), a
    bare `super` the method's own, any number when a splat, a block, an optional parameter or
    an unreadable list is involved."""
    following = _NEXT_DEF.search(text, definition.end())
    body = text[definition.end():following.start() if following else len(text)]
    params = (definition.group(1) or "()")[1:-1]
    for found in re.finditer(r"\bsuper\b(?![?!\w])", body):
        rest = body[found.end():]
        if rest.startswith("("):
            count = _argument_count(rest)
        elif not _BARE_SUPER_END.match(rest):
            count = None  # `super a, b`: arguments without parentheses (the red team of session 35)
        elif _ANY_COUNT.search(params) or re.search(r"[=:]", params):
            count = None  # a bare `super` passes the parameters' values, defaults included
        else:
            count = len([q for q in params.split(",") if q.strip()])
        if count is None or count in wanted:
            return True
    return False


def _argument_count(text: str) -> int | None:
    """The number of arguments of the parenthesised list ``text`` opens (keywords one hash), or
    None when it is unclosed or holds a splat, a block or a forwarded `...`."""
    depth, quote = 0, ""
    items: list[str] = []
    current: list[str] = []
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote and text[i - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
            if depth == 1:
                continue
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                items.append("".join(current))
                given = [item.strip() for item in items if item.strip()]
                if any(_ANY_COUNT.search(item) for item in given):
                    return None
                keywords = [item for item in given if re.match(r"\w+:(?!:)", item)]
                return len(given) - len(keywords) + (1 if keywords else 0)
        elif char == "," and depth == 1:
            items.append("".join(current))
            current = []
            continue
        if depth >= 1:
            current.append(char)
    return None


def _java_override(node, p: Parsed) -> bool:
    """A Java instance method marked `@Override` in a class that names a supertype: it implements
    or overrides a method callers reach through that type (not an entry method such as `run` or
    `execute`, whose class's name is followed instead)."""
    if p.language != "java" or node is None or node.type != "method_declaration" or _java_plain_owner(node, p) is None:
        return False
    if (called_name(node, p) or "").lower() in _ENTRY_METHODS or not _instance_method(node, called_name(node, p) or "", p):
        return False
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    owner = node.parent.parent
    return modifiers is not None and any(c.type == "marker_annotation" and p.text(c) == "@Override" for c in modifiers.children) \
        and any(c.type in _JAVA_SUPERTYPES for c in owner.children)


def _java_plain_owner(node, p: Parsed) -> str | None:
    """The name of the Java class that declares method ``node``: a receiver declared of a type
    that no object of that class can be cannot call the method (``_foreign_receiver``)."""
    owner = node.parent.parent if node.parent is not None else None
    if p.language != "java" or owner is None or owner.type != "class_declaration":
        return None
    named = owner.child_by_field_name("name")
    return p.text(named) if named is not None else None


def _go_arity(node) -> str:
    """"go:N", or "go:N+" for a variadic Go function: Go has neither overloads nor default
    arguments, so a call with another number of arguments calls another function of the name
    (harbor's proxy calls its cache's three-argument `Fetch`, not the export manager's
    two-argument one)."""
    params = node.child_by_field_name("parameters")
    count, variadic = 0, False
    for child in params.named_children if params is not None else ():
        if child.type == "variadic_parameter_declaration":
            variadic = True
        elif child.type == "parameter_declaration":
            count += max(1, sum(1 for c in child.named_children if c.type == "identifier"))
    # "m": a method, which a call on an imported package's name (`html.Parse`) never is.
    return f"go:{count}{'+' if variadic else ''}{'m' if node.type == 'method_declaration' else ''}"


def _go_package_embeds(ctx, path: str, owner: str, memo: dict) -> bool:
    """Whether a Go file of ``path``'s package holds a line that embeds a type named ``owner``
    in a struct (`\t*sqlbase.DB`, `\tLanZou // …`): one `git grep` per package and type."""
    from ...git import gitcmd

    folder = path.rpartition("/")[0]
    key = ("reach.go-embeds", folder, owner)
    if key not in memo:
        pattern = rf"^[[:space:]]*\*?([[:alnum:]_]+\.)?{re.escape(owner)}[[:space:]]*(//.*|`.*`)?$"
        spec = f":(glob){folder}/*.go" if folder else ":(glob)*.go"
        memo[key] = bool(gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, [pattern], [spec], extended=True,
                                           what=f"types embedding {owner}"))
    return memo[key]


def _go_foreign_receiver(n, p: Parsed, owner: str, embeds: Callable[[str], bool] | None = None) -> bool:
    """Whether Go name ``n`` is called on the receiver of its method (`d.Login()` in a method of
    `*ChaoXing`) whose type is not ``owner`` and embeds no type of that name: such a call, in
    another package than ``owner``'s, is the receiver type's own method (OpenList's chaoxing
    driver refreshing its cookie never logs in to LanZou, 940b69fe). A receiver type declared in
    another file is asked of its package (``embeds``): any file there that embeds ``owner``."""
    selector = n.parent
    if selector is None or selector.type != "selector_expression" or (selector.child_by_field_name("field") or n).id != n.id:
        return False
    operand = selector.child_by_field_name("operand")
    method = selector.parent
    while method is not None and method.type not in ("method_declaration", "function_declaration"):
        method = method.parent  # through closures: a closure sees its method's receiver
    if operand is None or operand.type != "identifier" or method is None or method.type != "method_declaration":
        return False
    kind = _receiver_type(method, p)
    if p.text(operand) not in receiver_names_of(method, p) or not kind or kind == owner:
        return False
    for spec in nodes_of(p, frozenset({"type_spec"})):
        named, body = spec.child_by_field_name("name"), spec.child_by_field_name("type")
        if named is None or p.text(named) != kind or body is None:
            continue
        return not _go_embeds(body, owner, p)
    return embeds is not None and not embeds(owner)


def _go_embeds(struct, owner: str, p: Parsed) -> bool:
    """Whether Go type body ``struct`` embeds a type named ``owner`` (`*Base`, `pkg.Base`), whose
    methods it then promotes."""
    return any(field.type == "field_declaration" and not any(c.type == "field_identifier" for c in field.named_children)
               and p.text(field).lstrip("*").split("[")[0].rsplit(".", 1)[-1] == owner for field in walk(struct))


def _go_foreign_field(n, p: Parsed, owner: str, pointers_only: bool = False) -> bool:
    """Whether Go name ``n`` is called on a field of its method's receiver (`d.email.Send(m)`)
    that the receiver's struct, declared in this file, declares of a type other than ``owner``
    that this file does not declare as an interface (an interface field may hold an ``owner``).
    ``pointers_only``: only a field declared as a pointer to a struct of this package (`*T`),
    which holds a `T` and, unless `T` embeds the owner, no other type's method."""
    selector = n.parent
    if selector is None or selector.type != "selector_expression":
        return False
    inner = selector.child_by_field_name("operand")
    if inner is None or inner.type != "selector_expression":
        return False
    base, field = inner.child_by_field_name("operand"), inner.child_by_field_name("field")
    method = selector.parent
    while method is not None and method.type != "method_declaration":
        method = method.parent
    if base is None or field is None or method is None or p.text(base) not in receiver_names_of(method, p):
        return False
    if "reach.go-types" not in p.memo:  # asked for every use of the name: the file's types read once
        p.memo["reach.go-types"] = {p.text(named): body for spec in nodes_of(p, frozenset({"type_spec"}))
                                    if (named := spec.child_by_field_name("name")) is not None
                                    and (body := spec.child_by_field_name("type")) is not None}
    declared = p.memo["reach.go-types"]
    struct = declared.get(_receiver_type(method, p))
    if struct is None or struct.type != "struct_type":
        return False
    for spec in (f for f in walk(struct) if f.type == "field_declaration"):
        names = [p.text(c) for c in spec.named_children if c.type == "field_identifier"]
        kind_node = spec.child_by_field_name("type")
        if p.text(field) in names and kind_node is not None:
            if pointers_only and not p.text(kind_node).startswith("*"):
                return False
            held = p.text(kind_node).lstrip("*").split("[")[0].rsplit(".", 1)[-1]
            if pointers_only and ("." in p.text(kind_node) or held in declared and declared[held].type != "struct_type"):
                # Another package's type may embed the owner and promote its method (red team 35);
                # one of this package is asked by the caller (``_go_package_embeds``).
                return False
            if pointers_only and held in declared and _go_embeds(declared[held], owner, p):
                return False  # it embeds the owner, whose method it promotes
            return held != owner and (held not in declared or declared[held].type != "interface_type") \
                and held[:1].isupper()
    return False


def _go_deep_chain(n) -> bool:
    """Whether Go name ``n`` is called at the end of two or more field reads (`tb.currLimit.Bandwidth.String()`):
    a field's field, whose type the file does not say. For a generic name (`String`, `Close`) that
    is any type's method: rclone's bandwidth limit was shown calling `StatsInfo.String` (a new
    user's trial, session 40)."""
    selector = n.parent
    if selector is None or selector.type != "selector_expression":
        return False
    operand = selector.child_by_field_name("operand")
    inner = operand.child_by_field_name("operand") if operand is not None and operand.type == "selector_expression" else None
    return inner is not None and inner.type == "selector_expression"


def _go_package_field_kinds(ctx, path: str, name: str, memo: dict) -> frozenset[str]:
    """The types the Go files of ``path``'s package declare a field (or anything written like
    one: a name, then a type) called ``name`` with, as written: one `git grep` per package and name."""
    from ...errors import GitError
    from ...git import gitcmd

    folder = path.rpartition("/")[0]
    key = ("reach.go-field-kinds", folder, name)
    if key not in memo:
        spec = f":(glob){folder}/*.go" if folder else ":(glob)*.go"
        pattern = rf"^[[:space:]]*([[:alnum:]_]+[[:space:]]*,[[:space:]]*)*{re.escape(name)}([[:space:]]*,[[:space:]]*[[:alnum:]_]+)*[[:space:]]+[^[:space:]]"
        try:
            found = gitcmd.grep_lines(ctx.repo.root, ctx.repo.head_sha, [pattern], [spec])
        except GitError:
            memo[key] = frozenset({"?"})  # git failed: nothing proved, the name is followed
            return memo[key]
        declared = re.compile(rf"\s*(?:\w+\s*,\s*)*{re.escape(name)}(?:\s*,\s*\w+)*\s+(\S+)")
        memo[key] = frozenset(m.group(1) for rows in found.values() for _, text in rows
                              if (m := declared.match(text)) is not None)
    return memo[key]


def _go_std_pointer_field(n, p: Parsed, package_kinds: Callable[[str], frozenset[str]] | None) -> bool:
    """Whether Go name ``n`` is called on a field (`h.cfg.bodyRegexp.Match(b)`) that every file of
    the package declares, wherever it declares that name, as a pointer to a standard-library type
    (`bodyRegexp *regexp.Regexp`): a concrete type of another module, whose methods are its own,
    never the repository's. caddy's health checker was shown running every HTTP matcher's `Match`
    through a regular expression's (a new user's trial, session 41). Not a value of a library
    type (`w io.Writer`): an interface may hold the repository's type. The whole package is asked
    (``package_kinds``): the red team of session 41 declared `client *http.Client` in one struct
    and `client *DeliveryClient` in another file's."""
    if package_kinds is None:
        return False
    selector = n.parent
    if p.language != "go" or selector is None or selector.type != "selector_expression" \
            or (selector.child_by_field_name("field") or n).id != n.id:
        return False
    operand = selector.child_by_field_name("operand")
    field = operand.child_by_field_name("field") if operand is not None and operand.type == "selector_expression" else None
    if field is None:
        return False
    std = _go_std_packages(p)
    if not std:
        return False
    kinds = package_kinds(p.text(field))
    return bool(kinds) and all(re.fullmatch(r"\*(\w+)\.[A-Z]\w*", k) is not None
                               and k[1:].partition(".")[0] in std for k in kinds)


def _go_arity_differs(n, kind: str) -> bool:
    """Whether Go name ``n`` is called with a number of arguments a function of ``kind``
    (``_go_arity``) cannot take. A method value, a call whose one argument is a call (its results
    spread) or a spread argument (`f(xs...)`) could be any: they never differ."""
    node = n.parent if n.parent is not None and n.parent.type == "selector_expression" else n
    call = node.parent
    function = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if function is None or function.id != node.id:
        return False
    args = call.child_by_field_name("arguments")
    given = [c for c in args.named_children if c.type != "comment"] if args is not None else []
    if (len(given) == 1 and given[0].type == "call_expression") or any(c.type == "variadic_argument" for c in given):
        return False
    wanted = kind[3:].removesuffix("m")
    if wanted.endswith("+"):
        return len(given) < int(wanted[:-1])
    return len(given) != int(wanted)


def _restricted_methods_of(ctx, names: list[str], memo: dict) -> dict[str, str]:
    """Which of ``names`` the changed Ruby or Java file defines at head only as ``_restricted``
    methods of one kind, and that kind. A name it does not define at head (a removed method) is not."""
    index = _file_index(ctx, ctx.path, memo)
    p = index[0] if isinstance(index, tuple) else None
    kinds: dict[str, set[str]] = {}
    for tree in (t for t in (p, _kotlin_base(ctx, p)) if t is not None):
        for n in nodes_of(tree, frozenset({"method", "singleton_method", "method_declaration", "function_declaration",
                                           "method_definition"})):
            name = called_name(n, tree)
            if name in names and (tree is p or name not in kinds):
                kinds.setdefault(name, set()).add(_js_owner(n, tree) if tree.language in _JS_LANGUAGES else
                                                  _restricted(n, name, tree) + _js_owner(n, tree))
    java = p is not None and p.language == "java"
    return {name: kind for name, found in kinds.items() if (kind := _one_kind(found, java))}


def _kotlin_base(ctx, head: Parsed | None) -> Parsed | None:
    """The base tree of a changed Kotlin file: a function the branch removed is restricted as it
    was declared (mihon's deleted `KitsuDateHelper` object's `parse`, apps-ac)."""
    if not ctx.path.endswith((".kt", ".kts")):
        return None
    before = parsed(ctx, "base", "kotlin")
    return before if isinstance(before, Parsed) else None


def _one_kind(found: set[str], overloads: bool) -> str:
    """The one restriction of a name's definitions, or "": overloads of one owner (Java's
    `update(Trigger)` beside `update(Flow, …)`) differ only by their number of parameters, which
    the restriction then lists (`instance:Owner/1,3`); a definition with no restriction, or one
    of another owner or kind, leaves the name unrestricted."""
    owners = {kind.partition("/")[0] for kind in found}
    if len(found) == 1 and "" not in found:
        return next(iter(found))
    if not overloads or len(owners) != 1 or "" in found:
        return ""
    arities = {kind.partition("/")[2] for kind in found}
    if "" in arities:  # a varargs overload takes any number
        return owners.pop()
    return f"{owners.pop()}/{','.join(sorted(arities, key=int))}"


def _ts_private_method(node, p: Parsed) -> bool:
    """A TypeScript `private` method or a JS `#name` method: called only inside its class."""
    if node is None or node.type != "method_definition":
        return False
    named = node.child_by_field_name("name")
    if named is not None and named.type == "private_property_identifier":
        return True
    return any(c.type == "accessibility_modifier" and p.text(c) == "private" for c in node.children)


def _jvm_private_method(node, p: Parsed) -> bool:
    """A Java or Kotlin `private` method (or Kotlin function): only its own file can call it
    (nacos's request handler's `checkParameters`, which a health-check thread "reached" through a
    false trail, `nextInt`, in another file)."""
    if node is None or node.type not in ("method_declaration", "function_declaration") or p.language not in ("java", "kotlin"):
        return False
    from .jvm import modifiers

    mods = modifiers(node)
    if mods is None:
        return False
    words = (c for m in mods.children for c in ([m] if m.type != "visibility_modifier" else m.children))
    return any(w.type == "private" for w in words)


def _private_method(node, p: Parsed) -> bool:
    """A method only its own class (TypeScript) or file (Java, Kotlin) calls."""
    return _ts_private_method(node, p) or _jvm_private_method(node, p)


def _module_private(node, name: str, p: Parsed) -> bool:
    """Whether ``node``, the unit named ``name``, is a top-level function of an ES module that only
    functions of the same module call: it is not exported, and its name occurs nowhere outside a
    function body (`export default trace(present)`, `const handlers = { present }` or
    `export { present }` hand it out as a value). A CommonJS module hands its functions out the
    same way, outside function bodies (`module.exports.getOrCreateMailer = getOrCreateMailer`,
    `module.exports = { send }`): Mailtrain's mailers.js keeps `_createTransport` to itself, and
    a job reached it only through its own callers (a new user's trial, session 29). One that
    assigns its exports inside a function (`module.exports.x = x` in a setup function) is not
    read as private."""
    if _private_method(node, p):
        return True  # `private static async execute(…)`: only its class calls it, as `this.execute`
    if p.language not in _JS_LANGUAGES or (b"exports" in p.source and _exports_inside_functions(p)):
        return False
    top = node.parent if node.type == "variable_declarator" else node
    if top is None or top.parent is None or top.parent.type != "program":
        return False
    if "reach.outside" not in p.memo:
        p.memo["reach.outside"] = _named_outside_functions(p)
    return name not in p.memo["reach.outside"]


_CJS_EXPORT = re.compile(rb"(?<![\w$.])(?:module\.)?exports\b")


def _exports_inside_functions(p: Parsed) -> bool:
    """Whether a CommonJS module names `exports` inside a function body, or exports a function or
    class (`module.exports = function createMailer(config) { return { sendNewsletter } }`): what
    it hands out there is not seen by ``_named_outside_functions`` (the red team of session 29)."""
    if "reach.cjs-inside" not in p.memo:
        inside = False
        for m in _CJS_EXPORT.finditer(p.source):
            node = p.root.descendant_for_byte_range(m.start(), m.start() + 1)
            assigned = None
            while node is not None and node.type not in FUNCTIONS:
                if assigned is None and node.type == "assignment_expression":
                    assigned = node.child_by_field_name("right")
                node = node.parent
            if node is not None or (assigned is not None and (
                    assigned.type in FUNCTIONS or assigned.type in ("class", "class_expression")
                    or any(c.type in FUNCTIONS for c in walk(assigned)))):
                inside = True
                break
        p.memo["reach.cjs-inside"] = inside
    return p.memo["reach.cjs-inside"]


_DECLARED = frozenset({"variable_declarator", "function_declaration", "generator_function_declaration",
                       "class_declaration"})


def _named_outside_functions(p: Parsed) -> set[str]:
    """The identifiers the module writes outside any function body, other than the names its
    declarations define and the functions it calls there (a script's `sleep(500)` in its
    top-level loop: latitude's build-lock script, whose `sleep` no Temporal workflow imports):
    what it exports, and what it hands out as a value at load time."""
    out: set[str] = set()
    stack = [p.root]
    while stack:
        n = stack.pop()
        if n.type in FUNCTIONS or n.type.startswith("import"):
            continue
        if n.child_count == 0:
            if "identifier" in n.type:
                parent = n.parent
                named = parent.child_by_field_name("name") if parent is not None and parent.type in _DECLARED else None
                if parent is not None and parent.type == "call_expression":
                    named = parent.child_by_field_name("function")
                if named is None or named.id != n.id:
                    out.add(p.text(n))
            continue
        stack.extend(n.children)
    return out


def _methods_named(p: Parsed, name: str) -> list:
    return [n for n in nodes_of(p, frozenset({"method_definition", "method_declaration", "function_declaration"}))
            if (named := n.child_by_field_name("name") or next(
                (c for c in n.named_children if c.type in ("identifier", "simple_identifier")), None)) is not None
            and p.text(named).lstrip("#") == name]


def _top_level(p: Parsed, name: str, exported: bool = False):
    """The module's top-level declaration of ``name`` (a function, class or variable), or None;
    with ``exported``, one in an `export` statement too (`export const x = …`)."""
    for child in p.root.children:
        if exported and child.type == "export_statement":
            child = child.child_by_field_name("declaration")
            if child is None:
                continue
        if child.type in ("lexical_declaration", "variable_declaration"):
            nodes = [d for d in child.named_children if d.type == "variable_declarator"]
        else:
            nodes = [child]
        for node in nodes:
            named = node.child_by_field_name("name")
            if named is not None and p.text(named) == name and node.type in _DECLARED:
                return node
    return None


_REQUIRED = re.compile(r"^\(?\s*(?:await\s+)?(?:require|import)\s*\(")


def _js_declares_at_top(p: Parsed, name: str) -> bool:
    """Whether a JS/TS module binds ``name`` at its top level to code of its own, exported or not
    (`function x`, `export const x = …`, `export default function x`); not to another module's
    (`const x = require('../lib/x')`: CommonJS's import, the red team of session 29)."""
    top = _top_level(p, name, exported=True)
    if top is None:
        return False
    value = top.child_by_field_name("value") if top.type == "variable_declarator" else None
    return value is None or _REQUIRED.match(p.text(value)) is None


def _declares(p: Parsed, name: str) -> bool:
    return bool(_methods_named(p, name)) or _top_level(p, name) is not None


def _private_in(p: Parsed, name: str) -> bool:
    """Whether the module ``p`` declares ``name`` at its top level and keeps it to itself, or
    declares it only as private methods (``_private_method``: TypeScript `private`, JS `#name`,
    Java/Kotlin `private`), which only their class or file calls."""
    methods = _methods_named(p, name)
    if methods and all(_private_method(m, p) for m in methods):
        return True
    node = _top_level(p, name)
    return node is not None and _module_private(node, name, p)


def _whole_file(ctx, path: str, p: Parsed) -> list[tuple[int, int, str]]:
    """A file that is background code as a whole: one `job_paths` names, or a job folder's."""
    if in_job_paths(ctx.settings, path):
        what = JOB_PATHS_CODE
    elif p.language in _JS_LANGUAGES and runs_in_page(p):
        # A module of people's pages is no job folder's code, whatever its folder is called
        # (openremote's Lit component in `ui/component/or-scheduler/`, apps-t de700b12). Not a
        # path's word alone: dub's crons live in `apps/web/app/api/cron/`.
        what = None
    else:
        what = job_folder_code(path, p.source)
    return [(0, p.root.end_point[0], what)] if what else []


def _shown_at(p: Parsed, row: int) -> str | None:
    """The shown name of the innermost unit around 0-based ``row``; None at the top level."""
    chain = units_at(p, row)
    return shown_name(chain, p) if chain else None


def _quoted(p: Parsed, row: int) -> str:
    """The calling line, short and inert (no backticks or control characters)."""
    line = p.line(row).decode("utf-8", "replace").strip()
    line = "".join(c if c.isprintable() else " " for c in line).replace("`", "'")
    return f"`{line[:77]}...`" if len(line) > 80 else f"`{line}`"


def head_tree(ctx, path: str) -> Parsed | None:
    """A file at head as the search reads it (once per scan, counted in its budget); None when it
    is not a source file, cannot be read or parsed, or the budget is spent."""
    try:
        index = _file_index(ctx, path, scan_memo(ctx))
    except _OutOfBudget:
        return None
    return index[0] if isinstance(index, tuple) else None


_GO_TESTING_IMPORT = re.compile(rb'^\s*(?:import\s+)?(?:\w+\s+)?"testing"\s*$', re.M)
_GO_TEST_HANDLE = re.compile(rb"\*testing\.[TBF]\b|\btesting\.TB\b")


def _go_test_support(p: Parsed) -> bool:
    """A Go file of test helpers: it imports "testing" and is handed a test's handle (`t
    *testing.T`). Production code may import "testing" too, to ask `testing.Testing()` (evcc's
    site loop, apps-m)."""
    return p.language == "go" and _GO_TESTING_IMPORT.search(p.source) is not None \
        and _GO_TEST_HANDLE.search(p.source) is not None


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
            # A Go file of test helpers is test support (dex's storage conformance suite, whose
            # hundred goroutines were given as the job a lock's change runs in: a new user's trial,
            # session 25): what it calls is still followed, but it starts no job.
            spans = [] if _go_test_support(p) else sorted(regions(p), key=lambda s: s[1] - s[0])
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
    if parent.type == "variable_declaration" and parent.named_children and parent.named_children[0].id == n.id:
        return True  # Kotlin's `lateinit var getManga: GetManga` declares a property, calls nothing
    node = n
    while parent is not None and parent.type in ("expression_list", "left_assignment_list", "pattern_list"):
        node, parent = parent, parent.parent
    if parent is not None and parent.type in _ASSIGNMENTS:
        left = parent.child_by_field_name("left")
        return left is not None and left.id == node.id
    return False


# The first elements of the Go standard library's import paths. The go command resolves such a
# path in the standard library before any module, so `os.Stat(…)` under `import "os"` calls the
# standard library's function, never a repository's `Stat` (kratos 8121f21175: a watcher's
# `os.Stat` read as a call of a new `pool.Stat` method).
_GO_STD_ROOTS = frozenset({
    "archive", "arena", "bufio", "bytes", "cmp", "compress", "container", "context", "crypto", "database", "debug",
    "embed", "encoding", "errors", "expvar", "flag", "fmt", "go", "hash", "html", "image", "index", "io", "iter", "log",
    "maps", "math", "mime", "net", "os", "path", "plugin", "reflect", "regexp", "runtime", "slices", "sort", "strconv",
    "strings", "structs", "sync", "syscall", "testing", "text", "time", "unicode", "unique", "unsafe", "weak",
})
_GO_MAJOR = re.compile(r"v\d+")


def _go_std_packages(p: Parsed) -> frozenset[str]:
    """The names a Go file binds to standard-library packages by its imports (`os`, `http` for
    "net/http", an alias), less any the file also uses otherwise: a name that stands as an
    identifier other than before a selector's dot may be a local that shadows the package. Read
    from the import specs and the words of those names only, not a walk of the whole tree."""
    if p.language != "go":
        return frozenset()
    if "reach.go-std" in p.memo:  # asked at every use of a field name in the file
        return p.memo["reach.go-std"]
    bound: set[str] = set()
    for spec in nodes_of(p, frozenset({"import_spec"})):
        text = next((c for c in spec.named_children if c.type in ("interpreted_string_literal", "raw_string_literal")),
                    None)
        alias = next((c for c in spec.named_children if c.type == "package_identifier"), None)
        parts = (p.text(text).strip('"`') if text is not None else "").split("/")
        if parts[0] in _GO_STD_ROOTS:
            if _GO_MAJOR.fullmatch(parts[-1]) and len(parts) > 1:
                parts = parts[:-1]
            bound.add(p.text(alias) if alias is not None else parts[-1])
    p.memo["reach.go-std"] = frozenset(name for name in bound if not _go_shadowed(p, name))
    return p.memo["reach.go-std"]


def _go_shadowed(p: Parsed, name: str) -> bool:
    """Whether the import name ``name`` also stands in the file as an identifier other than a
    selector's operand: a local that may shadow the package. Asked once per name."""
    memo = p.memo.setdefault("reach.go-shadowed", {})
    if name not in memo:
        memo[name] = False
        # Not the import's own name (a package_identifier): an identifier of the code.
        for n in _word_leaves(p, name):
            if n.type != "identifier":
                continue
            parent = n.parent
            operand = parent.child_by_field_name("operand") if parent is not None and parent.type == "selector_expression" else None
            if operand is None or operand.id != n.id:
                memo[name] = True
                break
    return memo[name]


def _go_on_a_package(n, p: Parsed) -> bool:
    """Whether Go name ``n`` is selected from an imported package (`html.Parse`): a package's
    function, never a method of any type."""
    parent = n.parent
    if parent is None or parent.type != "selector_expression":
        return False
    operand = parent.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return False
    from .machinery import imported_packages

    name = p.text(operand)
    return name in imported_packages(p) and not _go_shadowed(p, name)


# Go statements whose target is written: no function or method value can stand there.
_GO_WRITES = frozenset({"assignment_statement", "inc_statement", "dec_statement"})


def _go_no_function_here(n) -> bool:
    """A Go name where no function or method value can stand, so where it names a field or a
    variable and calls nothing. Where the name, or the selector it is the field of (`s.Valid`),
    stands: assigned to or incremented (`syncDate.Valid = true`, `s.Count++`: a method value is no
    variable), an operand of an operator (`a.SyncDate.Valid && …`, `!s.Valid`, `s.Count > 0`: a
    function value only compares to nil, and comparing calls nothing), the operand of a selector
    (`s.Valid.Time`: a function value has no fields or methods, its type being unnamed), or a
    composite literal's key (`Session{Valid: true}` names a struct field; a map key cannot be a
    function, functions not being comparable). Read from the tree alone: Go has no setters or
    properties, so none of these runs code of the name."""
    parent = n.parent
    if parent is None:
        return False
    if n.type == "identifier" and parent.type == "literal_element":
        keyed = parent.parent
        return (keyed is not None and keyed.type == "keyed_element" and parent.named_child_count == 1
                and keyed.named_children[0].id == parent.id)
    node = n
    if n.type == "field_identifier":
        field = parent.child_by_field_name("field") if parent.type == "selector_expression" else None
        if field is None or field.id != n.id:
            return False
        node, parent = parent, parent.parent
    elif n.type != "identifier":
        return False
    if parent is None:
        return False
    if parent.type in ("binary_expression", "unary_expression", "inc_statement", "dec_statement"):
        return True
    if parent.type == "selector_expression":
        operand = parent.child_by_field_name("operand")
        return operand is not None and operand.id == node.id
    if parent.type == "expression_list":
        node, parent = parent, parent.parent
    if parent is None or parent.type not in _GO_WRITES:
        return False
    left = parent.child_by_field_name("left")
    return left is not None and left.id == node.id


_CONSTANTIZE = re.compile(rb"\b(?:safe_)?constantize\b|\bconst_get\b")
_INTERPOLATED = re.compile(r"#\{[^}]*\}")


def _constantized(p: Parsed, name: str) -> list:
    """Ruby strings that name the class or module ``name`` for a lookup (`"ReverseGeocoding::#{kind}
    ::FetchData".constantize`, `Object.const_get("Importers::Csv")`): one of their `::`-separated
    parts written out is ``name``. dawarich's geocoding job builds its fetcher so; a part the code
    fills in (`#{kind}`) may be any name, and is not matched."""
    out = []
    for match in _CONSTANTIZE.finditer(p.source):
        n = p.root.descendant_for_byte_range(match.start(), match.end())
        call = n.parent if n is not None else None
        if call is None or call.type != "call":
            continue
        if p.text(n) == "const_get":
            arguments = call.child_by_field_name("arguments")
            string = arguments.named_children[0] if arguments is not None and arguments.named_child_count else None
        else:
            string = call.child_by_field_name("receiver")
        if string is None or string.type != "string":
            continue
        parts = _INTERPOLATED.sub("\x00", p.text(string)[1:-1]).split("::")
        if name in parts:
            out.append(string)
    return out


def _word_leaves(p: Parsed, name: str):
    """The leaves of ``p``'s tree that are exactly the word ``name`` where it stands in the source
    (as `git grep -w` finds it): not part of a longer token, a string's or a comment's text."""
    word = re.compile(rb"(?<![A-Za-z0-9_])" + re.escape(name.encode()) + rb"(?![A-Za-z0-9_])")
    for match in word.finditer(p.source):
        n = p.root.descendant_for_byte_range(match.start(), match.end())
        if n is not None and not n.child_count and n.end_byte == match.end() and (
                n.start_byte == match.start()
                # `this.#execute(…)`: a JS private name's leaf holds its `#`; Ruby's `&:name` its `:`.
                or (n.start_byte == match.start() - 1 and (n.type == "private_property_identifier"
                                                           or _ruby_block_pass(n)))):
            yield n


def _std_member(n, std: frozenset[str], p: Parsed) -> bool:
    """`os.Stat`'s `Stat` in a file that binds `os` to the standard library's package."""
    parent = n.parent
    if not std or n.type != "field_identifier" or parent is None or parent.type != "selector_expression":
        return False
    operand = parent.child_by_field_name("operand")
    return operand is not None and operand.type == "identifier" and p.text(operand) in std


# JavaScript's global objects: a member called on one (`Promise.resolve`, `Object.keys`,
# `JSON.parse`) is the language's own, whatever the repository defines under that name. A
# module that binds one of these names itself (an import, a class) shadows it.
_JS_BUILTINS = frozenset({"Promise", "Object", "Array", "JSON", "Math", "Date", "Number", "String", "Reflect",
                          "Symbol", "Boolean", "BigInt", "Intl", "Atomics", "console", "process", "globalThis"})


# Utility libraries whose object a module binds to a name of its own (`var _ = require('lodash')`,
# `import $ from "jquery"`): `_.last(rows)` is lodash's `last`, never the application's
# (nightscout's client reached its server storage's `last` through it: a new user's trial, session 25).
_UTILITY_LIBRARIES = r"(?:lodash(?:-es)?(?:/[\w.]+)?|lodash\.\w+|underscore|jquery|ramda|d3(?:-[\w-]+)?|moment|async)"
_UTILITY_LIBRARY = re.compile(_UTILITY_LIBRARIES)
_JS_LIBRARY_OBJECT = re.compile(
    rb"""\b(?:var|let|const)\s+([\w$]+)\s*=\s*(?:[^;\n]*\|\|\s*)?require\(\s*['"]""" + _UTILITY_LIBRARIES.encode()
    + rb"""['"]\s*\)|\bimport\s+(?:\*\s+as\s+)?([\w$]+)\s+from\s+['"]""" + _UTILITY_LIBRARIES.encode() + rb"""['"]""")


def _js_builtin_member(n, p: Parsed) -> bool:
    parent = n.parent
    if parent is None or parent.type != "member_expression" or n.type != "property_identifier":
        return False
    target = parent.child_by_field_name("object")
    if target is None or target.type != "identifier":
        return False
    if p.text(target) in _library_objects(p):
        return True
    if p.text(target) not in _JS_BUILTINS:
        return False
    return not _binds(p, p.text(target))


_JS_FUNCTION_MEMBERS = frozenset({"call", "apply", "bind"})


def _js_member_not_called(n, p: Parsed, name: str) -> bool:
    """Whether JS/TS property ``n`` (`x.name`) names no function of its name that runs: an object
    held in a property whose own member is used (`this.getSetting.execute(…)`: Standard Notes'
    event handler calls its injected use case, not a proxy's `getSetting` method, apps-t
    be668d7d; a function's `call`, `apply` and `bind` aside), or, for a class's name, a member of
    another object (`AnalyticsActivity.Register`, an enum's value, not the `Register` use case,
    apps-t f939caf2) unless that object is a module imported whole (`import * as m`)."""
    parent = n.parent
    if parent is None or parent.type != "member_expression" or n.type != "property_identifier" \
            or (parent.child_by_field_name("property") or n).id != n.id:
        return False
    if re.search(rb"\bget\s+" + re.escape(name.encode()) + rb"\s*\(", p.source):
        return False  # a getter of this file runs when its property is read (the red team, session 27)
    outer = parent.parent
    if outer is not None and outer.type == "member_expression" and (outer.child_by_field_name("object") or n).id == parent.id:
        member = outer.child_by_field_name("property")
        return member is not None and p.text(member) not in _JS_FUNCTION_MEMBERS
    target = parent.child_by_field_name("object")
    if not name[:1].isupper() or target is None or target.type != "identifier":
        return False
    return re.search(rb"\*\s*as\s+" + re.escape(p.text(target).encode()) + rb"\b", p.source) is None


def _js_pair_key(n) -> bool:
    """Whether JS/TS leaf ``n`` is the key of an object literal's `key: value` pair: the name of a
    property, not a use of a function of that name (overleaf's `{ sendEmail: false }` option took
    a feature-refresh script's timer for a caller of the mailer, apps-s 9034e81c)."""
    parent = n.parent
    key = parent.child_by_field_name("key") if parent is not None and parent.type == "pair" else None
    return key is not None and key.id == n.id


def _library_objects(p: Parsed) -> frozenset[str]:
    """The names the module binds to a utility library's object (``_JS_LIBRARY_OBJECT``)."""
    if "reach.libraries" not in p.memo:
        p.memo["reach.libraries"] = frozenset((m.group(1) or m.group(2)).decode()
                                              for m in _JS_LIBRARY_OBJECT.finditer(p.source))
    return p.memo["reach.libraries"]


def _binds(p: Parsed, name: str) -> bool:
    """Whether the module declares or imports ``name`` at its top level (shadowing a global)."""
    key = ("reach.binds", name)
    if key not in p.memo:
        n = re.escape(name.encode())
        word = re.compile(rb"\b(?:class|function|const|let|var)\s+" + n + rb"\b|\bimport\s+(?:\*\s+as\s+)?" + n
                          + rb"\b|\bimport\s*(?:type\s+)?\{[^}]*\b" + n + rb"\b[^}]*\}")
        p.memo[key] = word.search(p.source) is not None
    return p.memo[key]


def _uses_index(p: Parsed):
    """Returns ``uses(name)``: the rows where ``name`` appears as an identifier that may call it:
    not a definition's own name, a parameter, an assignment's target, an import or a lower-case
    receiver (`sync.run`), nor a bare local that its function assigns (Ruby's `starred` after
    `starred = …` reads the local), nor a Go name where no function can stand (a field written,
    compared or selected from, a struct literal's key: ``_go_no_function_here``). Each name is looked up where its word stands in the source,
    not by a walk of the whole tree: the search asks a file about one or two names, and a walk
    that visits every node costs more than the parse (most of a hook on a large Go repository)."""
    found: dict[str, tuple[list, set]] = {}

    def occurrences(name: str) -> tuple[list, set]:
        if name not in found:
            hits, assigned = [], set()
            for n in _word_leaves(p, name):
                if not ("identifier" in n.type or n.type == "constant" or _ruby_shorthand_value(n)
                        or _ruby_block_pass(n)) or _in_import(n):
                    continue  # naming a function to import it calls nothing
                if n.type == "type_identifier" and p.language in _TYPE_ONLY_LANGUAGES:
                    continue  # `messages: ChatMessage[]` names a type: no function of that name runs
                if p.language == "java" and name[:1].islower() and not _java_method_named(n):
                    continue  # `omsLogger.warn(message)`: a Java method is called with parentheses
                if _receiver(n) and not name[:1].isupper() and p.language != "ruby":
                    # `sync.run`: `sync` is the object called on; `Report.archive` uses the class.
                    # In Ruby a bare receiver that its method does not assign is a call of that
                    # name (`subscriber_batches.each`): kept, and dropped below where it is a local.
                    continue
                if p.language == "kotlin" and not name[:1].isupper() and n.parent is not None \
                        and n.parent.type == "navigation_expression" and n.parent.named_children[0].id == n.id:
                    continue  # `getManga.await(id)`: Kotlin calls a function with parentheses, this reads a value
                if n.type == "field_identifier" and _std_member(n, _go_std_packages(p), p):
                    continue  # Go's `os.Stat`: the standard library's, not the repository's
                if p.language in _JS_LANGUAGES and _js_builtin_member(n, p):
                    continue  # `Promise.resolve(…)`: the language's, not the repository's
                if p.language in _JS_LANGUAGES and _js_pair_key(n):
                    continue  # `{ sendEmail: false }` names an option, calls nothing
                if p.language in _JS_LANGUAGES and _js_member_not_called(n, p, name):
                    continue  # `this.getSetting.execute(…)` calls the object's `execute`
                if _names_something_else(n):
                    if n.parent is not None and n.parent.type not in _DEFINITIONS:
                        assigned.add(_function_of(n))
                elif not (p.language == "go" and _go_no_function_here(n)):
                    # Not `syncDate.Valid = true` or `T{Valid: true}`: a field, never the function `Valid`.
                    hits.append(n)
            if p.language == "ruby" and name[:1].isupper():
                hits += _constantized(p, name)
            if p.language in ("java", "kotlin") and name[:1].isupper():
                hits += _java_entry_calls(p, name)
            found[name] = (hits, assigned)
        return found[name]

    def uses(name: str, own_methods: bool = True, bare_too: bool = True, restricted: str = "",
             field_named: Callable[[str], bool] | None = None, heirs: frozenset[str] = frozenset(),
             may_hold: Callable[[str, str], bool] | None = None,
             go_embeds: Callable[[str], bool] | None = None,
             go_field_kinds: Callable[[str], frozenset[str]] | None = None) -> list[int]:
        """``own_methods``: whether `this.name` inside a class that defines `name` counts;
        ``bare_too`` False: only uses with a receiver or package (`x.name`), for a Go file of
        another package; ``restricted``: not the calls a ``_restricted`` method cannot be, Ruby
        calls on an object (`scope.name`) for a class method only a class calls, Java calls on a
        type's name (`ResourceUtils.name(…)`) for an instance method; ``field_named``: whether
        the repository may declare a field of a type's name (see ``_on_a_type``);
        ``may_hold``: whether a variable of a type may hold an object of a class (see
        ``_foreign_receiver``)."""
        if not WORD.fullmatch(name):
            return []
        hits, locals_ = occurrences(name)
        restricted, _, js_owner = restricted.partition(_JS_OWNER)
        typed = restricted.endswith("!")  # a file searched for naming the owner's types (``_typed_callers``)
        restricted, _, arity = restricted.removesuffix("!").partition("/")
        restricted, _, go_owner = restricted.partition("@")
        return sorted({n.start_point[0] for n in hits
                       if ((bare_too and _function_of(n) not in locals_) or not _bare(n))
                       and (own_methods or not _own_method(n, p, heirs))
                       and not (restricted == "class" and _on_an_object(n, p))
                       and not (restricted == "private" and _on_a_receiver(n))
                       and not (restricted.startswith("instance") and _on_a_type(n, p, field_named))
                       and not (restricted.startswith("instance:") and may_hold is not None
                                and _foreign_receiver(n, p, restricted[9:], may_hold))
                       and not (typed and may_hold is not None and _foreign_bare(n, p, restricted[9:], may_hold))
                       and not (restricted.startswith("static:") and may_hold is not None
                                and _foreign_static(n, p, restricted[7:], may_hold, field_named))
                       and not (js_owner and _js_foreign_new(n, p, js_owner))
                       and not (arity and _arity_differs(n, p, {int(a) for a in arity.split(",")}))
                       and not (restricted.startswith("go:") and _go_arity_differs(n, restricted))
                       and not (restricted.endswith("m") and restricted.startswith("go:") and _go_on_a_package(n, p))
                       and not (go_owner and not bare_too and _go_foreign_receiver(n, p, go_owner, go_embeds))
                       # A generic name is followed in its package by its type: `d.email.Send(m)` on
                       # a field of another type, or `d.Send(m)` on another type's receiver, is that
                       # type's (the red team of session 29).
                       and not (go_owner and bare_too and not followable(name)
                                and (_go_foreign_receiver(n, p, go_owner, go_embeds) or _go_foreign_field(n, p, go_owner)
                                     or _go_deep_chain(n)))
                       # Any name, in any package, on a field the receiver's struct declares as a
                       # pointer to another struct of the file (`c.stateSubscription.Cleanup()` on a
                       # `*PeersStateSubscription`, netbird's trial, session 35): that type's method.
                       # A type of the package that embeds the owner may promote its method: kept.
                       and not (go_owner and _go_foreign_field(n, p, go_owner, pointers_only=True)
                                and not (go_embeds is not None and go_embeds(go_owner)))
                       and not _go_std_pointer_field(n, p, go_field_kinds)})

    return uses


_JAVA_TYPE_WRAPPERS = frozenset({"generic_type", "scoped_type_identifier"})
_JAVA_DECLARATIONS = frozenset({"field_declaration", "local_variable_declaration"})


def _java_entry_calls(p: Parsed, type_name: str) -> list:
    """The method names of entry-method calls (``_ENTRY_METHODS``: `execute`, `run`, `call`…) on a
    field, local or parameter the file declares of the class ``type_name``: the class's code run
    through an injected object, whose name is what the search follows for an entry method
    (conductor's system-task worker runs `asyncSystemTaskExecutor.execute(task, id)` on its pool;
    a new user's trial, session 28, found the executor's changes never followed)."""
    if p.language == "kotlin":
        return _kotlin_entry_calls(p, type_name)
    variables: set[str] = set()
    for n in _word_leaves(p, type_name):
        if n.type != "type_identifier":
            continue
        declaration = n.parent
        while declaration is not None and declaration.type in _JAVA_TYPE_WRAPPERS:
            declaration = declaration.parent
        if declaration is None:
            continue
        if declaration.type in _JAVA_DECLARATIONS:
            declarators = declaration.children_by_field_name("declarator")
        elif declaration.type == "formal_parameter":
            declarators = [declaration]
        else:
            continue
        variables.update(p.text(named) for d in declarators if (named := d.child_by_field_name("name")) is not None)
    calls = []
    for variable in sorted(variables):
        for v in _word_leaves(p, variable):
            receiver = v
            if v.parent is not None and v.parent.type == "field_access":
                # `this.executor`, not `executor.config` (a call on what the field holds is another class's)
                this_object = v.parent.child_by_field_name("object")
                if this_object is not None and this_object.type == "this":
                    receiver = v.parent
            call = receiver.parent
            if call is None or call.type != "method_invocation":
                continue
            target, named = call.child_by_field_name("object"), call.child_by_field_name("name")
            if target is not None and target.id == receiver.id and named is not None \
                    and p.text(named).lower() in _ENTRY_METHODS:
                calls.append(named)
    return calls


_KOTLIN_DECLARATIONS = frozenset({"class_parameter", "variable_declaration", "parameter"})


def _kotlin_entry_calls(p: Parsed, type_name: str) -> list:
    """``_java_entry_calls`` in Kotlin: `taskExecutor.execute(id)` on a constructor property, a
    property, a local or a parameter declared `: TaskRunner` (the red team of session 28)."""
    variables: set[str] = set()
    for n in _word_leaves(p, type_name):
        kind = n.parent
        declaration = kind.parent if kind is not None and kind.type == "user_type" else None
        if declaration is None or declaration.type not in _KOTLIN_DECLARATIONS:
            continue
        named = next((c for c in declaration.named_children if c.type in ("identifier", "simple_identifier")), None)
        if named is not None:
            variables.add(p.text(named))
    calls = []
    for variable in sorted(variables):
        for v in _word_leaves(p, variable):
            receiver = v.parent if v.parent is not None and v.parent.type == "navigation_expression" \
                and v.parent.named_children[0].type == "this_expression" else v  # `this.taskExecutor`
            navigation = receiver.parent
            if navigation is None or navigation.type != "navigation_expression" or navigation.named_children[0].id != receiver.id:
                continue
            method = navigation.named_children[-1]
            if navigation.parent is not None and navigation.parent.type == "call_expression" \
                    and p.text(method).lower() in _ENTRY_METHODS:
                calls.append(method)
    return calls


def _ruby_block_pass(n) -> bool:
    """A Ruby method handed as a block by its name: `users.each(&:send_digest)` calls
    `send_digest` on each user, `each(&method(:send_digest))` the caller's own (plots2's digest
    jobs, a new user's trial, session 38)."""
    parent = n.parent
    if n.type != "simple_symbol" or parent is None:
        return False
    if parent.type == "block_argument":
        return True
    call = parent.parent if parent.type == "argument_list" else None
    if call is None or call.type != "call" or call.parent is None or call.parent.type != "block_argument":
        return False
    return call.child_by_field_name("receiver") is None and call.text == b"method(" + n.text + b")"


def _ruby_shorthand_value(n) -> bool:
    """A Ruby 3.1 hash or keyword pair written with its key only (`{sex:}`, `build(sex:)`): its
    value is the local or the method of the key's name, a bare call of it where no local is."""
    parent = n.parent
    return (n.type == "hash_key_symbol" and parent is not None and parent.type == "pair"
            and parent.child_by_field_name("value") is None)


def _java_method_named(n) -> bool:
    """Whether Java identifier ``n`` names a method: the name of a call (`x.message()`,
    `message()`) or of a method reference (`Event::message`). Anywhere else a lower-case name is
    a variable, a field or a parameter (PowerJob's processor logs its local `message`)."""
    parent = n.parent
    if parent is None:
        return False
    if parent.type == "method_invocation":
        named = parent.child_by_field_name("name")
        return named is not None and named.id == n.id
    return parent.type == "method_reference"


def _in_import(n) -> bool:
    node = n.parent
    while node is not None:
        if "import" in node.type or node.type == "package_clause":
            return True
        node = node.parent
    return False


# Namespaces of Ruby's and Rails's own classes: a class method the repository defines in a module
# or class of its own is never called on them (`ActiveRecord::Base.connection` is Rails's, not an
# HTTP client module's `connection`: teaching-vacancies, apps-r). A class method defined inside
# one of them (a monkeypatch) is followed without this restriction (``_restricted``).
_RUBY_FRAMEWORK_ROOTS = frozenset({"ActiveRecord", "ActiveSupport", "ActiveModel", "ActiveJob", "ActiveStorage",
                                   "ActionController", "ActionMailer", "ActionView", "ActionDispatch", "ActionCable",
                                   "Rails", "Kernel", "Process", "File", "Dir", "IO", "Thread", "Time", "Date",
                                   "DateTime", "JSON", "YAML", "Marshal", "Net", "URI", "Struct", "Module", "Class",
                                   # the application's own bases answer their framework's class
                                   # methods (`ApplicationRecord.connection`), and job and HTTP
                                   # libraries' (`Sidekiq.redis`)
                                   "ApplicationRecord", "ApplicationJob", "ApplicationMailer", "Sidekiq",
                                   "Resque", "Redis", "Faraday", "HTTParty", "Logger", "Concurrent"})


def _framework_class(receiver, p: Parsed) -> bool:
    """Whether a Ruby receiver names a class of a framework namespace (``_RUBY_FRAMEWORK_ROOTS``)
    that the file does not reopen."""
    root = p.text(receiver).lstrip(":").split("::")[0]
    return root in _RUBY_FRAMEWORK_ROOTS and re.search(
        rb"^\s*(?:class|module)\s+(?:::)?" + re.escape(root.encode()) + rb"\b", p.source, re.M) is None


def _in_framework_namespace(node, p: Parsed) -> bool:
    """Whether a Ruby definition stands inside a class or module of a framework namespace."""
    while node is not None:
        if node.type in ("class", "module") and (named := node.child_by_field_name("name")) is not None \
                and p.text(named).lstrip(":").split("::")[0] in _RUBY_FRAMEWORK_ROOTS:
            return True
        node = node.parent
    return False


def _on_an_object(n, p: Parsed) -> bool:
    """A Ruby call of ``n``'s name on a receiver that is no class of the repository's: not a
    constant (`A.limit`, `B::A.limit`; a framework's class is Rails's, ``_framework_class``), `self`, `….class` (`self.class.limit`), a class looked up by name
    (`….constantize`, `Object.const_get(…)`) or a variable named for a class (`job_class`,
    `@klass`); another local, instance variable or method's result (`scope.limit(3)`,
    `@k.limit`) holds an object."""
    _parent, receiver = _call_named(n)
    if p.language != "ruby" or receiver is None:
        return False
    if receiver.type == "scope_resolution" or receiver.type == "constant":
        return _framework_class(receiver, p)
    if receiver.type == "self":
        return False
    if receiver.type == "call":
        called = receiver.child_by_field_name("method")
        return called is None or p.text(called) not in _CLASS_LOOKUPS
    if receiver.type not in ("identifier", "instance_variable", "class_variable"):
        return True
    # A class held in a variable named for it (`limiter_class.limit`, `@klass.limit`) or that the
    # file sets to a class (`limiter = ApiRateLimiter`, `def initialize(limiter: ApiRateLimiter)`
    # then `@limiter.limit`) is a class.
    held = p.text(receiver)
    if _CLASS_HOLDER.search(held):
        return False
    given = re.compile(rb"(?<![\w@])@{0,2}" + re.escape(held.lstrip("@").encode())
                       + rb"[ \t]*(?:\|\|=|=(?![=~>])|:(?!:))[ \t]*(?:::)?[A-Z]\w*(?:::[A-Z]\w*)*[ \t]*(?:[,)\r\n;#]|$)", re.M)
    return given.search(p.source) is None


def _on_a_type(n, p: Parsed, field_named: Callable[[str], bool] | None = None) -> bool:
    """A Java call of ``n``'s name written on a type's simple name (`ResourceUtils.getURL(p)`),
    one that ``_java_type_names`` shows stands for a type there: it calls a static method. Not
    `Iface.super.getURL(p)`: the interface's default method called on this object, an instance's.
    Inside a class with a supertype (an anonymous class's included), a field it inherits from
    another file may bear the type's name and obscure it: there only when ``field_named`` says
    no file of the repository declares a variable of that name (without it, never)."""
    if p.language == "ruby":
        return _ruby_on_a_class(n, p)
    parent, target = _call_named(n)
    if p.language != "java" or parent is None or any(c.type == "super" for c in parent.children):
        return False
    if not (target is not None and target.type == "identifier" and p.text(target) in _java_type_names(p)):
        return False
    return not _in_a_subtype(parent) or (field_named is not None and not field_named(p.text(target)))


def _foreign_receiver(n, p: Parsed, owner: str, may_hold: Callable[[str, str], bool]) -> bool:
    """A Java call of ``n``'s name on a variable declared of a type that cannot hold an object of
    the class ``owner`` (``may_hold``): shenyu's upstream check calls `socket.connect(…)` on a
    `java.net.Socket`, never its MQTT handler's `connect`; Taier's script client calls Hadoop's
    `addResource` on its `YarnConfiguration`. A variable whose declaration is not in the file (an
    inherited field), declared `var` or of a type parameter keeps the call."""
    parent, target = _call_named(n)
    if parent is None and n.parent is not None and n.parent.type == "method_reference" and n.parent.named_children \
            and n.parent.named_children[-1].id == n.id and len(n.parent.named_children) == 2:
        # `executionDAOFacade::updateTask` names the method of what the field holds (conductor's
        # join reset, a new user's trial, session 28, was given as a call of its own `updateTask`).
        parent, target = n.parent, n.parent.named_children[0]
    elif parent is None or parent.type != "method_invocation" or target is None:
        return False
    this = target.type == "field_access" and (obj := target.child_by_field_name("object")) is not None and obj.type == "this"
    if this:
        target = target.child_by_field_name("field")
    if target is None or target.type != "identifier":
        return False
    declared = _java_declared_type(target, p, fields_only=this)  # `this.x` is a field, whatever local is named `x`
    if declared is None:
        return False
    if declared.endswith("]"):
        return True  # an array: no class's methods
    simple = re.sub(r"<.*", "", declared, flags=re.S).rpartition(".")[2].strip()
    if not simple or simple in ("var", owner) or _java_type_parameter(target, simple, p):
        return False
    # The package the type comes from, when the file says (`a.b.IService x`, `import a.b.IService;`):
    # a library's type may share a simple name with one the repository declares (``_java_may_hold``).
    qualified = re.sub(r"<.*", "", declared, flags=re.S).strip()
    if "." not in qualified:
        imported = re.search(rb"^[ \t]*import[ \t]+([\w.]+)\." + re.escape(simple.encode()) + rb"[ \t]*;", p.source, re.MULTILINE)
        qualified = f"{imported.group(1).decode()}.{simple}" if imported else simple
    return not may_hold(owner, qualified)


def _foreign_bare(n, p: Parsed, owner: str, may_hold: Callable[[str, str], bool]) -> bool:
    """A bare Java call of ``n``'s name (`query(null)`) inside classes none of which can be the
    class ``owner``: it calls an instance method on `this` (or an enclosing class's instance),
    never an object of ``owner``. A sibling in the owner's hierarchy (a job extending the same
    `BaseService`, which declares its own `query`) is no trail; an anonymous class, whose
    supertype may be the owner's, always keeps the call. Asked only of the files the search
    reads for naming a type of the owner's (``_typed_callers``), which bring in such siblings."""
    parent, target = _call_named(n)
    if p.language != "java" or parent is None or parent.type != "method_invocation" or target is not None:
        return False
    node, named = parent.parent, False
    while node is not None:
        if node.type == "object_creation_expression" and any(c.type == "class_body" for c in node.children):
            return False
        if node.type in _JAVA_TYPE_DECLARATIONS:
            kind = node.child_by_field_name("name")
            if kind is None or may_hold(owner, p.text(kind)):
                return False
            named = True
        node = node.parent
    return named


def _foreign_static(n, p: Parsed, owner: str, may_hold: Callable[[str, str], bool],
                    field_named: Callable[[str], bool] | None) -> bool:
    """A Java call of ``n``'s name that cannot reach the static method of the class ``owner``:
    on a variable declared of a type that cannot be the class (``_foreign_receiver``; RuoYi's
    login-log listener reads its event's Lombok getter `logininforEvent.getTenantId()`, not the
    tenant helper's static `getTenantId()`), or on another type's name that is no subclass of it
    (`LoginHelper.getTenantId()` is LoginHelper's own)."""
    if _foreign_receiver(n, p, owner, may_hold):
        return True
    if not _on_a_type(n, p, field_named):
        return False
    _parent, target = _call_named(n)
    named = p.text(target).rpartition(".")[2] if target is not None else owner
    return named != owner and not may_hold(owner, named)


def _java_may_hold(ctx, owner: str, kind: str) -> bool:
    """Whether a variable of type ``kind`` may hold an object of the class ``owner``: ``kind`` is
    the owner or a subclass of it in the repository, or one of their supertypes, or that cannot
    be told (a type on the way is a library's or Kotlin's, whose supertypes are not read; more
    than a dozen types on the way). A library's type on the way up is a dead end, not "any
    type", when ``kind`` is one the repository declares. ``kind`` may come with its package
    (`a.b.IService`, as the caller's file imports it)."""
    package, _, kind = kind.rpartition(".")
    family = _types_reached(owner, lambda name: _java_subclasses(ctx, name))
    if family is None or kind in family:
        return True  # a variable of a subclass's type holds the subclass's objects, the owner's too
    # A library's type cannot extend the repository's: when ``kind`` is the repository's own, a
    # library supertype on the way up (MyBatis-Plus's `ServiceImpl`) ends that way instead of
    # leaving every type possible (streampark's settings service is no `ApplicationManageService`).
    # Not when the caller's file takes ``kind`` from a package no declaration of it is in: that is
    # a library's type of the same simple name (MyBatis-Plus's `IService` beside the repository's).
    own_kind = _java_supertypes(ctx, kind) is not None and (not package or _declared_in_package(ctx, kind, package))

    def up(name: str) -> frozenset[str] | None:
        above = _java_supertypes(ctx, name)
        return frozenset() if above is None and own_kind and not java_type_files(ctx, name) else above

    for name in sorted(family):
        above = _types_reached(name, up)
        if above is None or kind in above:
            return True
    return False


def _declared_in_package(ctx, kind: str, package: str) -> bool:
    """Whether a file at head that may declare the type ``kind`` is in ``package``. Once per type
    and package per scan: asked for every call the search weighs on a variable of that type."""
    memo = scan_memo(ctx)
    key = ("reach.java-declared-in", kind, package)
    if key not in memo:
        line = re.compile(rb"^[ \t]*package[ \t]+" + re.escape(package.encode()) + rb"[ \t]*;?[ \t]*$", re.MULTILINE)
        memo[key] = False
        for path in java_type_files(ctx, kind):
            data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
            if data is None or line.search(data):
                memo[key] = True  # not read: it may be
                break
    return memo[key]


def _types_reached(start: str, step: Callable[[str], frozenset[str] | None]) -> set[str] | None:
    """The types ``step`` (a type's subclasses, or its supertypes) leads to from ``start``, itself
    among them; None when a step cannot be told or more than a dozen types are on the way."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        more = step(name)
        if more is None or len(seen) > 12:
            return None
        todo.extend(more)
    return seen


def _java_subclasses(ctx, name: str) -> frozenset[str] | None:
    """The names of the Java classes of the repository that extend the class ``name``; None when
    that cannot be told (``_java_declarations``)."""
    memo = scan_memo(ctx)
    key = ("reach.java-subclasses", name)
    if key not in memo:
        declared = _java_declarations(ctx, java_subclass_files(ctx, name), frozenset({"class_declaration"}))
        memo[key] = None if declared is None else frozenset(
            tree.text(named) for node, tree in declared
            if (superclass := node.child_by_field_name("superclass")) is not None
            and (named := node.child_by_field_name("name")) is not None
            and name in _supertype_names(node, tree, superclass))
    return memo[key]


def _java_supertypes(ctx, name: str) -> frozenset[str] | None:
    """The simple names of the supertypes that the repository's declarations of the type ``name``
    give (all of them, when several files declare one so named); None when the repository
    declares none (a library's or the JDK's type) or that cannot be told (``_java_declarations``)."""
    memo = scan_memo(ctx)
    key = ("reach.java-supertypes", name)
    if key not in memo:
        mine = [] if name == "Object" else _java_type_declarations(ctx, name) or []
        memo[key] = frozenset() if name == "Object" else None if not mine else frozenset(
            word for node, tree in mine for word in _supertype_names(node, tree))
    return memo[key]


def _java_type_declarations(ctx, name: str) -> list[tuple] | None:
    """The repository's declarations of the Java type named ``name`` (a class, interface, enum or
    record), each with its file's tree; None when they cannot be told (``_java_declarations``).
    Once per name and scan: its supertypes and its methods are read from the same declarations."""
    memo = scan_memo(ctx)
    key = ("reach.java-type-declarations", name)
    if key not in memo:
        declared = _java_declarations(ctx, java_type_files(ctx, name), _JAVA_TYPE_DECLARATIONS)
        memo[key] = None if declared is None else [
            (node, tree) for node, tree in declared
            if (named := node.child_by_field_name("name")) is not None and tree.text(named) == name]
    return memo[key]


def _java_declarations(ctx, paths: list[str], types: frozenset[str]) -> list[tuple] | None:
    """The declarations of ``types`` in the Java files ``paths``, each with its file's tree; None
    when they cannot be told: more than ``_JAVA_FILES_READ`` files, or one that could not be read
    or is Kotlin's, whose declarations are not read."""
    if len(paths) > _JAVA_FILES_READ:
        return None
    out: list[tuple] = []
    for path in paths:
        tree = head_tree(ctx, path)
        if tree is None or tree.language != "java":
            return None
        out.extend((node, tree) for node in nodes_of(tree, types))
    return out


# How many files may declare a type, or its subclasses, for the search to read them (each is
# parsed once per scan, within the search's budget); more, and the type is not told.
_JAVA_FILES_READ = 12


def _supertype_names(declared, p: Parsed, only=None) -> set[str]:
    """The simple names a Java type declaration extends or implements (`extends a.B<C>` -> B), or
    its child ``only`` names (its superclass)."""
    out: set[str] = set()
    for child in declared.children:
        if child.type in _JAVA_SUPERTYPES and (only is None or child.id == only.id):
            out |= {word.rpartition(".")[2] for word in re.findall(r"[A-Za-z_][\w.]*", without_type_arguments(p.text(child)))
                    if word not in ("extends", "implements")}
    return out


def _java_declared_type(identifier, p: Parsed, fields_only: bool = False) -> str | None:
    """The type text a Java local, parameter or field named as ``identifier`` is declared with,
    the nearest declaration before it in the scopes around it (``fields_only``: a field, for
    `this.name`); None when the file declares none, when a lambda's untyped parameter of the name
    hides it, when a pattern binds the name anywhere in the file (`o instanceof Owner x`, `case
    Owner x ->`: where such a binding is in scope follows the flow of the code, not its blocks),
    or when the search leaves the body of a class that inherits fields it cannot see (a class of
    a supertype, an anonymous one: an inherited field of the name would hide an outer one)."""
    name, row = p.text(identifier), identifier.start_point
    if name in _java_pattern_names(p):
        return None
    node, inner = identifier.parent, identifier
    while node is not None:
        candidates: list = []
        if node.type in _JAVA_TYPE_BODIES:
            candidates = list(node.named_children)
        elif node.type in ("class_declaration", "enum_declaration", "record_declaration", "interface_declaration",
                           "object_creation_expression") and inner.type in _JAVA_TYPE_BODIES:
            if _inherits_unseen_fields(node, p):
                return None  # its supertypes' fields, which this file does not show, come first
            params = node.child_by_field_name("parameters") if node.type == "record_declaration" else None
            candidates = list(params.named_children) if params is not None else []  # a record's components
        elif fields_only:
            pass
        elif node.type in ("block", "switch_block_statement_group", "constructor_body"):
            candidates = [c for c in node.named_children if c.start_point < row]
        elif node.type == "switch_block":
            # `case 1: Owner x = …; break; default: x.run();`: a declaration in an earlier group
            # of the same switch block is still in scope.
            candidates = [c for group in node.named_children if group.type == "switch_block_statement_group"
                          for c in group.named_children if c.start_point < row]
        elif node.type in ("enhanced_for_statement", "try_with_resources_statement", "catch_clause", "for_statement"):
            candidates = [node] + [c for c in node.named_children if c.type in ("catch_formal_parameter", "local_variable_declaration")]
            resources = node.child_by_field_name("resources")
            candidates += list(resources.named_children) if resources is not None else []
        elif node.type in ("method_declaration", "constructor_declaration", "lambda_expression"):
            params = node.child_by_field_name("parameters")
            if params is not None and params.type in ("identifier", "inferred_parameters") \
                    and name in {p.text(c) for c in walk(params) if c.type == "identifier"}:
                return None  # `x -> x.run()`: the lambda's own `x`, of a type not written
            candidates = list(params.named_children) if params is not None else []
        for child in candidates:
            found = _declared_here(child, name, p)
            if found is not None:
                return found
        node, inner = node.parent, node
    return None


def _inherits_unseen_fields(node, p: Parsed) -> bool:
    """Whether a Java class declaration or anonymous class (``node``) may inherit a field from a
    supertype: any supertype but the JDK's own that declare none a variable could be named
    like (`new Runnable() {…}` capturing a local keeps it)."""
    if node.type == "object_creation_expression":
        named = node.child_by_field_name("type")
        if named is None:
            return True
        texts = [p.text(named)]
    else:
        texts = [p.text(c) for c in node.children if c.type in _JAVA_SUPERTYPES]
    words: set[str] = set()
    for text in texts:
        words |= set(re.findall(r"[A-Za-z_]\w*", without_type_arguments(text))) - {"extends", "implements"}
    return bool(words - _FIELDLESS_JDK_TYPES)


# The JDK's supertypes of anonymous classes and tasks that hold no field a variable is named like
# (Thread's are its priorities' constants).
_FIELDLESS_JDK_TYPES = frozenset({"Runnable", "Callable", "Thread", "TimerTask", "Supplier", "Consumer", "BiConsumer",
                                  "Function", "BiFunction", "Predicate", "Comparator", "Object", "AutoCloseable",
                                  "Closeable", "java", "lang", "util", "concurrent", "function"})


_JAVA_TYPE_BODIES = frozenset({"class_body", "enum_body", "enum_body_declarations", "interface_body"})


def _java_pattern_names(p: Parsed) -> frozenset[str]:
    """The names a Java file's patterns bind: `o instanceof Owner x`, `case Owner x ->`, a record
    pattern's components (`case Pair(Owner x, var y)`). Once per file."""
    if "reach.java-patterns" not in p.memo:
        names: set[str] = set()
        for n in walk(p.root):
            if n.type == "instanceof_expression":
                named = n.child_by_field_name("name")
                if named is not None:
                    names.add(p.text(named))
            elif n.type in ("type_pattern", "record_pattern_component"):
                names.update(p.text(c) for c in n.named_children if c.type == "identifier")
        p.memo["reach.java-patterns"] = frozenset(names)
    return p.memo["reach.java-patterns"]


def _declared_here(node, name: str, p: Parsed) -> str | None:
    """The type of ``name`` if ``node`` (a statement, a field, a parameter) declares it."""
    if node.type in ("local_variable_declaration", "field_declaration", "constant_declaration", "resource",
                     "catch_formal_parameter", "formal_parameter", "spread_parameter", "enhanced_for_statement"):
        kind = node.child_by_field_name("type")
        if node.type == "catch_formal_parameter":
            kind = next((c for c in node.named_children if c.type == "catch_type"), None)
        named = [node.child_by_field_name("name")] + [d.child_by_field_name("name") for d in node.named_children
                                                       if d.type == "variable_declarator"]
        if kind is not None and any(x is not None and p.text(x) == name for x in named):
            dims = node.child_by_field_name("dimensions")
            return p.text(kind) + (p.text(dims) if dims is not None else "")
    return None


def _java_type_parameter(node, simple: str, p: Parsed) -> bool:
    """Whether ``simple`` is a type parameter of a method or class around ``node`` (`T item`)."""
    while node is not None:
        params = next((c for c in node.children if c.type == "type_parameters"), None)
        if params is not None and any(p.text(c).split()[0] == simple for c in params.named_children if p.text(c).split()):
            return True
        node = node.parent
    return False


def _ruby_on_a_class(n, p: Parsed) -> bool:
    """A Ruby call of ``n``'s name on a class's name (`Request.statuses`, `Partners::Item.where`)
    or on an object's class (`self.class.normalize(phone)`): a class method, an enum's or a
    scope's, never an instance method of another class. Not on a constant that holds a value
    (`CONFIG.fetch`, `Foo::DEFAULTS.keys`: upper case only)."""
    parent, receiver = _call_named(n)
    if parent is None or parent.type != "call" or receiver is None:
        return False
    if receiver.type == "call" and (method := receiver.child_by_field_name("method")) is not None \
            and p.text(method) == "class" and receiver.child_by_field_name("arguments") is None:
        return True  # identity-idp's opt-out calls its class's `normalize`, not a component's private one
    if receiver.type == "scope_resolution":
        receiver = receiver.child_by_field_name("name") or receiver
    return receiver.type == "constant" and not p.text(receiver).isupper()


_JAVA_SUPERTYPES = frozenset({"superclass", "super_interfaces", "extends_interfaces"})


def _in_a_subtype(node) -> bool:
    """Whether a Java class, interface, enum or record around ``node``, or an anonymous class,
    has a supertype whose fields it inherits."""
    while node is not None:
        if node.type == "object_creation_expression" and any(c.type == "class_body" for c in node.children):
            return True
        if node.type in _JAVA_TYPE_DECLARATIONS and any(c.type in _JAVA_SUPERTYPES for c in node.children):
            return True
        node = node.parent
    return False


_JAVA_TYPE_DECLARATIONS = frozenset({"class_declaration", "interface_declaration", "enum_declaration",
                                     "record_declaration", "annotation_type_declaration"})
_JAVA_MEMBER_USES = frozenset({"method_invocation", "field_access"})


def _java_type_names(p: Parsed) -> frozenset[str]:
    """The simple names that surely stand for a type in a Java file where they stand before a dot:
    a type that a single-type import brings in or the file declares, whose word is nowhere else in
    the file but in type positions, imports, its declaration and before a dot. Anywhere else (a
    local, a parameter, a field, a lambda's parameter, a bare use) it may name a variable, which
    obscures a type of the same name (JLS 6.4.2). None in a file with a static import of a member
    so named or on demand (`import static a.B.*;` may bring a field of any name)."""
    if "reach.java-types" in p.memo:
        return p.memo["reach.java-types"]
    names: set[str] = set()
    static_names: set[str] = set()
    on_demand = False
    for spec in nodes_of(p, frozenset({"import_declaration"})):
        path = next((c for c in spec.named_children if c.type in ("scoped_identifier", "identifier")), None)
        static = any(c.type == "static" for c in spec.children)
        if any(c.type == "asterisk" for c in spec.children):
            on_demand = on_demand or static
            continue
        if path is None:
            continue
        last = path.child_by_field_name("name") if path.type == "scoped_identifier" else path
        if last is not None:
            (static_names if static else names).add(p.text(last))
    for declared in nodes_of(p, _JAVA_TYPE_DECLARATIONS):
        named = declared.child_by_field_name("name")
        if named is not None:
            names.add(p.text(named))
    sure: set[str] = set()
    for name in () if on_demand else sorted(names - static_names):
        for n in _word_leaves(p, name):
            parent = n.parent
            if n.type != "identifier" or parent is None or _in_import(n):
                continue
            named = parent.child_by_field_name("name") if parent.type in _JAVA_TYPE_DECLARATIONS else None
            if named is not None and named.id == n.id:
                continue
            target = parent.child_by_field_name("object") if parent.type in _JAVA_MEMBER_USES else None
            if target is None or target.id != n.id:
                break
        else:
            sure.add(name)
    p.memo["reach.java-types"] = frozenset(sure)
    return p.memo["reach.java-types"]


# Calls whose result is a class (`record.class`, `"ApiRateLimiter".constantize`,
# `Object.const_get(name)`), and names of variables that by convention hold one.
_CLASS_LOOKUPS = frozenset({"class", "constantize", "safe_constantize", "const_get"})
_CLASS_HOLDER = re.compile(r"(?:^@{0,2}|_)(?:class|klass|clazz)$", re.IGNORECASE)


def _own_method(n, p: Parsed, heirs: frozenset[str] = frozenset()) -> bool:
    """`this.name` (JS/TS) inside a class whose body defines `name`, or a Ruby call of `name`
    with no receiver (or on `self`) inside a class or module that defines `def name`: that
    class's own method, whatever other file defines a method of the same name. ``heirs``: Ruby
    classes that a followed definition of `name` subclasses or reopens (see _ruby_heirs)."""
    parent = n.parent
    if p.language == "ruby":
        return _ruby_own_method(n, p, heirs)
    if p.language == "kotlin":
        return _kotlin_own_method(n, p)
    if p.language not in _JS_LANGUAGES or parent is None or parent.type != "member_expression":
        return False
    target = parent.child_by_field_name("object")
    prop = parent.child_by_field_name("property")
    if target is None or target.type != "this" or prop is None or prop.id != n.id:
        return False
    body = parent.parent
    while body is not None and body.type != "class_body":
        body = body.parent
    if body is None:
        return False
    name = p.text(n)
    return any(member.type in ("method_definition", "public_field_definition")
               and (named := member.child_by_field_name("name")) is not None and p.text(named) == name
               for member in body.named_children)


# Lambdas a bare call may sit in and still be the class's own: coroutine builders (whose receiver,
# a CoroutineScope, declares no application function) and lambdas that take their value as `it`.
# Inside any other lambda (`with`, `apply`, `run`, `runCatching`, `buildString`, a DSL's) the
# lambda's receiver may declare the function called.
_KOTLIN_PLAIN_LAMBDAS = frozenset({"launch", "async", "withContext", "runBlocking", "coroutineScope", "supervisorScope",
                                   "withTimeout", "withTimeoutOrNull", "let", "also", "takeIf", "takeUnless",
                                   "forEach", "forEachIndexed", "map", "mapNotNull", "mapIndexed", "filter",
                                   "filterNot", "flatMap", "onEach", "collect", "collectLatest", "repeat", "thread"})
_KOTLIN_NOT_FINAL = frozenset({"open", "abstract", "sealed"})


def _kotlin_own_method(n, p: Parsed) -> bool:
    """A bare Kotlin call of `name` (or `this.name(…)`) inside a final class or object whose body
    declares a `fun name` taking that many arguments: a member of the implicit receiver comes
    before any other function of the name, and no subclass can override it. mihon's local source
    runs its own `getMangaDetails` in `async { … }`; the search followed every tracker API's
    `getMangaDetails` there (apps-ac). Not inside a lambda other than a coroutine builder's or an
    `it`-lambda's (its receiver's member may be the one called), an extension function, an
    anonymous object, or an open, abstract or sealed class or interface (a subclass's override
    runs); nor when the class's own function hands the call on to another `name` (a wrapper:
    `fun getMangaDetails(id) = api.getMangaDetails(id)`, the red team of session 36)."""
    node = n.parent
    if node is not None and node.type == "navigation_expression" and node.named_children \
            and node.named_children[0].type == "this_expression" and node.named_children[-1].id == n.id:
        node = node.parent
    elif node is None or node.type != "call_expression" or not node.named_children or node.named_children[0].id != n.id:
        return False
    if node is None or node.type != "call_expression":
        return False
    while node is not None and node.type not in ("class_body", "enum_class_body"):
        if node.type in ("object_literal", "source_file"):
            return False
        if node.type == "function_declaration" and any(c.type == "." for c in node.children):
            return False  # `fun AnilistApi.refreshEach()`: its receiver's members come first
        if node.type == "lambda_literal":
            outer = node.parent.parent if node.parent is not None and node.parent.type == "annotated_lambda" else None
            callee = outer.named_children[0] if outer is not None and outer.named_children else None
            while callee is not None and callee.type in ("call_expression", "navigation_expression") and callee.named_children:
                callee = callee.named_children[0] if callee.type == "call_expression" else callee.named_children[-1]
            if callee is None or p.text(callee) not in _KOTLIN_PLAIN_LAMBDAS:
                return False
        node = node.parent
    owner = node.parent if node is not None else None
    if owner is None or owner.type not in ("class_declaration", "object_declaration"):
        return False
    if _kotlin_class_words(owner) & (_KOTLIN_NOT_FINAL | {"interface"}):
        return False
    name = p.text(n)
    members = [member for member in node.named_children if member.type == "function_declaration" and any(
        c.type in ("identifier", "simple_identifier") and p.text(c) == name for c in member.children)]
    if not members or any(re.search(r"\.\s*" + re.escape(name) + r"\s*\(", p.text(m)) for m in members):
        return False
    takes = [_kotlin_arity(m) for m in members]
    if any(t is None for t in takes):
        return True  # a vararg or an override's defaults: any number may fit
    return not _kotlin_arity_differs(n, p, {int(k) for t in takes if t for k in t.split(",")})


# Where a bare identifier is a value the code uses (a call of the method, when no local of the
# name is in scope): a statement, an argument, an operand, a hash pair's value (register-trainee-
# teachers' `sex: sex,` in its apply importer, which defines its own `sex`), an element.
_RUBY_BARE_USES = frozenset({"body_statement", "argument_list", "assignment", "binary", "if", "unless", "return",
                             "parenthesized_statements", "pair", "array", "conditional", "element_reference",
                             "interpolation", "operator_assignment", "unary", "then", "else", "block_body", "begin"})


def _ruby_own_method(n, p: Parsed, heirs: frozenset[str] = frozenset()) -> bool:
    """exercism's reputation job calls its own `filter_track!(tokens)`; ten other commands
    define a `filter_track!` of their own, one of which calls the changed method.

    Not the class's own when the call is made on the class itself (in a `def self.x` or in
    `class << self`) and the class defines `name` only for its instances, or the other way round:
    the class method comes from elsewhere (a concern's `class_methods`, an `extend`). Nor when a
    followed definition of `name` is in a subclass of the class, reopens it or is in a module it
    prepends (``heirs``): a base job's `perform` calling `import_entries` runs the subclass's
    (the template method)."""
    parent = n.parent
    if parent is not None and parent.type == "call":
        receiver = parent.child_by_field_name("receiver")
        method = parent.child_by_field_name("method")
        called_bare = receiver is not None and receiver.id == n.id  # `base_scope.where(…)`: a call of `base_scope`
        if not called_bare and (method is None or method.id != n.id or (receiver is not None and receiver.type != "self")):
            return False
    elif parent is None or parent.type not in _RUBY_BARE_USES:
        return False
    name = p.text(n)
    node = parent
    on_class = False  # called on the class itself: inside `def self.x` or `class << self`
    while node is not None and node.type not in ("class", "module"):
        on_class = on_class or node.type in ("singleton_method", "singleton_class")
        node = node.parent
    body = node.child_by_field_name("body") if node is not None else None
    if body is None or _ruby_class_name(node, p) in heirs or _ruby_prepends(body, p) & heirs:
        return False
    instance, singleton = _ruby_defined(body, p)
    if on_class:
        # `extend self`/`module_function` make a module's instance methods its own as well
        return name in singleton or (node.type == "module" and _ruby_extends_self(body, p) and name in instance)
    return name in instance


# Class-body calls that define a reader for each symbol they name: Ruby's own, and the Mandate
# gem's `initialize_with :advert, :user` (exercism's commands read their arguments so).
_READER_MACROS = frozenset({"attr_reader", "attr_accessor", "initialize_with"})


def _readers(call, p: Parsed) -> set[str]:
    method, args = call.child_by_field_name("method"), call.child_by_field_name("arguments")
    if method is None or p.text(method) not in _READER_MACROS or args is None:
        return set()
    return {p.text(a).lstrip(":") for a in args.named_children if a.type == "simple_symbol"}


def _ruby_defined(body, p: Parsed) -> tuple[set[str], set[str]]:
    """The instance methods a class or module body defines, and its own (`def self.x`, the
    `def`s of `class << self`). Not a `def` that calls `super`: a call of it runs the method of
    the same name above it too (an importer's `def sex = super.upcase` over the serializer's)."""
    instance: set[str] = set()
    singleton: set[str] = set()
    for member in body.named_children:
        named = member.child_by_field_name("name") if member.type in ("method", "singleton_method") else None
        if named is not None and any(n.type == "super" for n in walk(member)):
            continue
        if named is not None:
            (instance if member.type == "method" else singleton).add(p.text(named))
        elif member.type == "call" and member.child_by_field_name("receiver") is None:
            instance |= _readers(member, p)
        elif member.type == "singleton_class":
            inner = member.child_by_field_name("body")
            for m in inner.named_children if inner is not None else ():
                if m.type == "method" and (named := m.child_by_field_name("name")) is not None:
                    singleton.add(p.text(named))
    return instance, singleton


def _ruby_prepends(body, p: Parsed) -> set[str]:
    """The modules a class body prepends (`prepend Audited::Override`): their methods run before
    the class's own of the same name."""
    out: set[str] = set()
    for m in body.named_children:
        text = p.text(m)
        if m.type == "call" and text.startswith("prepend "):
            out.update(a.strip().rsplit("::", 1)[-1] for a in text[8:].split(","))
    return out


def _ruby_extends_self(body, p: Parsed) -> bool:
    return any(p.text(m).split() in (["extend", "self"], ["module_function"]) for m in body.named_children
               if m.type in ("call", "identifier"))


def _ruby_class_name(node, p: Parsed) -> str:
    """The last part of a class's or module's name (`Importers::BaseImporter` -> `BaseImporter`)."""
    named = node.child_by_field_name("name")
    return p.text(named).rsplit("::", 1)[-1] if named is not None else ""


def _ruby_heirs(p: Parsed, name: str) -> set[str]:
    """The classes a file's definitions of `name` override or reopen: for each class or module
    defining `def name` (or `def self.name`), its own name and its superclass's."""
    out: set[str] = set()
    for n in _word_leaves(p, name):
        definition = n.parent
        if definition is None or definition.type not in ("method", "singleton_method") or \
                (named := definition.child_by_field_name("name")) is None or named.id != n.id:
            continue
        node = definition.parent
        while node is not None and node.type not in ("class", "module"):
            node = node.parent
        if node is None:
            continue
        out.add(_ruby_class_name(node, p))
        superclass = node.child_by_field_name("superclass") if node.type == "class" else None
        if superclass is not None:
            out.add(p.text(superclass).lstrip("<").strip().rsplit("::", 1)[-1])
    return out


def _function_of(n):
    node = n.parent
    while node is not None and node.type not in FUNCTIONS:
        node = node.parent
    return node.id if node is not None else None


# Nodes that call or read a member of an object, and the field that holds the object.
_OBJECT_FIELDS = {"call": "receiver", "member_expression": "object", "selector_expression": "operand",
                  "method_invocation": "object", "field_access": "object"}


def _bare(n) -> bool:
    """An identifier on its own, not the method of a call with a receiver or a member's name (a
    receiver itself is on its own: Ruby's `batches.each` calls `batches`, unless it is a local)."""
    parent = n.parent
    return parent is None or (parent.type not in _OBJECT_FIELDS and parent.type != "navigation_suffix") or _receiver(n)


def _receiver(n) -> bool:
    parent = n.parent
    field = _OBJECT_FIELDS.get(parent.type) if parent is not None else None
    target = parent.child_by_field_name(field) if field else None
    return target is not None and target.id == n.id


_DOT_IMPORT = re.compile(rb"(?m)^[ \t]*(?:import[ \t]*)?\.[ \t]*[\"`]")


def _dot_imports(p: Parsed) -> bool:
    """A Go file that imports a package with `.` (`import . "x"`, `."x"`) calls its functions
    without the package name."""
    if "reach.dot-imports" not in p.memo:  # asked at every visit of the file
        p.memo["reach.dot-imports"] = p.language == "go" and _DOT_IMPORT.search(p.source) is not None
    return p.memo["reach.dot-imports"]
