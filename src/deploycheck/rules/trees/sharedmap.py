"""A Go map field written by a method with no lock, or a Java static collection or formatter
that is not thread-safe changed outside `synchronized` (DC706).

Read from the file's tree: a struct type with a field of map type and no lock field
(`sync.Mutex`, `sync.RWMutex`, embedded or named), and a method of that type that writes the
map (`r.m[k] = v`, `r.m[k]++`, `r.m[k] += n`, `delete(r.m, k)`) without calling any `Lock`
itself. A value whose methods are called from several goroutines (a backend, an enqueuer, a
cache of a worker pool) then writes one map concurrently, and the Go runtime aborts the process
with "concurrent map writes". Reported at the write, when the write or the map's declaration is
on a changed line.
"""

from __future__ import annotations

import re
from typing import Any

from .jvm import modifier_keywords
from .hazards import blank_strings, only_logs
from .parse import Parsed, walk
from .units import is_logging

# The methods the encoding packages call on a value they are decoding (`yaml.Unmarshaler`,
# `json.Unmarshaler`, `encoding.TextUnmarshaler`, `gob.GobDecoder`, mapstructure's hooks).
_DECODES = re.compile(r"^(?:Unmarshal\w*|Decode\w*|GobDecode|Scan)$")
# Types that serialise access themselves: a struct holding one guards its maps (or means to).
_GUARDS = ("Mutex", "RWMutex", "sync.Map", "Locker")


def _struct_fields(p: Parsed) -> dict[str, tuple[list[tuple[list[str], Any, int]], bool]]:
    """Struct name -> ([(field names, type node or None, 1-based line)], has a lock field), each
    struct type of the file read once (``p.memo``): the map writes and the `*rand.Rand` draws ask."""
    if "sharedmap.structs" in p.memo:
        return p.memo["sharedmap.structs"]
    out: dict[str, tuple[list[tuple[list[str], Any, int]], bool]] = {}
    for n in walk(p.root):
        name, body = (n.child_by_field_name("name"), n.child_by_field_name("type")) if n.type == "type_spec" else (None, None)
        if name is None or body is None or body.type != "struct_type":
            continue
        fields = []
        for field in (f for lst in body.named_children if lst.type == "field_declaration_list"
                      for f in lst.named_children if f.type == "field_declaration"):
            names = [p.text(field.children[i]) for i in range(field.child_count) if field.field_name_for_child(i) == "name"]
            fields.append((names, field.child_by_field_name("type"), field.start_point[0] + 1))
        guarded = any(kind is not None and any(g in p.text(kind) for g in _GUARDS) for _, kind, _ in fields)
        out[p.text(name)] = (fields, guarded)
    p.memo["sharedmap.structs"] = out
    return out


def _structs(p: Parsed) -> dict[str, tuple[dict[str, int], bool]]:
    """Struct name -> ({map field: 1-based line of its declaration}, has a lock field)."""
    return {name: ({field: line for names, kind, line in fields
                    if kind is not None and kind.type == "map_type" and not any(g in p.text(kind) for g in _GUARDS)
                    for field in names}, guarded)
            for name, (fields, guarded) in _struct_fields(p).items()}


def _receiver(method, p: Parsed) -> tuple[str, str] | None:
    """(receiver variable, type name) of a method: ``func (e *Enqueuer) …`` -> ("e", "Enqueuer")."""
    params = method.child_by_field_name("receiver")
    decl = params.named_children[0] if params is not None and params.named_child_count else None
    if decl is None:
        return None
    name, rtype = decl.child_by_field_name("name"), decl.child_by_field_name("type")
    if name is None or rtype is None:
        return None
    type_name = p.text(rtype).lstrip("*").split("[")[0].strip()
    return p.text(name), type_name


def _field_of(node, receiver: str, p: Parsed) -> str | None:
    """``m`` when ``node`` is ``receiver.m``."""
    if node is not None and node.type == "selector_expression":
        operand, field = node.child_by_field_name("operand"), node.child_by_field_name("field")
        if operand is not None and field is not None and p.text(operand) == receiver:
            return p.text(field)
    return None


def _writes_and_locks(body, receiver: str, p: Parsed) -> tuple[list[tuple[int, str]], bool]:
    """The (line, field) of each map write through ``receiver`` in ``body``, and whether the body
    calls a ``Lock``. Function literals count as the method's own code (a deferred unlock, too)."""
    writes, locks = [], False
    stack = [body]
    while stack:
        n = stack.pop()
        targets = []
        if n.type == "assignment_statement":
            left = n.child_by_field_name("left")
            targets = [t for t in (left.named_children if left is not None else ()) if t.type == "index_expression"]
        elif n.type in ("inc_statement", "dec_statement") and n.named_child_count:
            targets = [t for t in n.named_children[:1] if t.type == "index_expression"]
        elif n.type == "call_expression":
            fn, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
            name = p.text(fn) if fn is not None else ""
            if name.rsplit(".", 1)[-1] in ("Lock", "RLock", "TryLock"):
                locks = True
            if name == "delete" and args is not None and args.named_child_count:
                field = _field_of(args.named_children[0], receiver, p)
                if field is not None:
                    writes.append((n.start_point[0] + 1, field))
        for target in targets:
            field = _field_of(target.child_by_field_name("operand"), receiver, p)
            if field is not None:
                writes.append((n.start_point[0] + 1, field))
        stack.extend(n.children)
    return sorted(writes), locks


def _unguarded_structs(p: Parsed) -> dict[str, tuple[dict[str, int], bool]]:
    """The file's structs with a map field and no lock, read once per tree: both
    ``construction_only`` and ``unguarded_map_writes`` ask."""
    if "sharedmap.unguarded" not in p.memo:
        p.memo["sharedmap.unguarded"] = {name: (maps, guarded) for name, (maps, guarded) in _structs(p).items()
                                         if maps and not guarded}
    return p.memo["sharedmap.unguarded"]


def construction_only(p: Parsed) -> set[tuple[str, str]]:
    """(type, method) of the methods this file calls only while building a value of their type
    (see _construction_only); the caller asks the package's other files about their names."""
    if "sharedmap.building" not in p.memo:
        structs = _unguarded_structs(p)
        p.memo["sharedmap.building"] = frozenset(_construction_only(p, structs) if structs else ())
    return set(p.memo["sharedmap.building"])


def unguarded_map_writes(p: Parsed, lines: dict[int, str], named_elsewhere: frozenset[str]) -> list[tuple[int, str]]:
    """(line of the write, message) for each method writing an unguarded map field of its struct.
    ``named_elsewhere``: the names of ``construction_only`` methods that another file of the
    package names, where they may be called once the value is shared."""
    structs = _unguarded_structs(p)
    if not structs:
        return []
    out = []
    building = {(kind, name) for kind, name in construction_only(p) if name not in named_elsewhere}
    for method in p.root.named_children:
        if method.type != "method_declaration":
            continue
        receiver = _receiver(method, p)
        body = method.child_by_field_name("body")
        if receiver is None or body is None or receiver[1] not in structs:
            continue
        name = p.text(method.child_by_field_name("name"))
        if name.lower().endswith("locked"):
            continue  # the convention for "the caller holds the lock"
        if _DECODES.match(name):
            # `UnmarshalYAML`, `UnmarshalJSON`, `Decode…`: the decoder fills the value it is building,
            # before anyone else holds it (alertmanager's PagerDuty defaults, apps-t d7b70222).
            continue
        if (receiver[1], name) in building:
            continue
        maps = structs[receiver[1]][0]
        writes, locks = _writes_and_locks(body, receiver[0], p)
        if locks:
            continue
        for line, field in writes:
            if field in maps and (line in lines or maps[field] in lines):
                out.append((line, f"`{receiver[1]}.{name}` writes the map `{field}` (declared at line {maps[field]}) "
                                  f"with no lock, and `{receiver[1]}` holds no mutex: two goroutines calling its methods "
                                  "at once write the map concurrently, which the Go runtime aborts on "
                                  "(\"concurrent map writes\")."))
                break  # one finding per method
    return out


# A `*rand.Rand` (math/rand, math/rand/v2) keeps its state unguarded: unlike the package's own
# functions it is not safe for concurrent use. screego's rooms kept one for the event loop's user
# names, and a request handler began drawing room names from it (apps-ab 6bc29f93).
_RAND = re.compile(r"^\*\s*rand\.Rand$")


def _rand_fields(p: Parsed) -> dict[str, dict[str, int]]:
    """Struct name -> {`*rand.Rand` field: 1-based line of its declaration}, for structs with no lock."""
    out: dict[str, dict[str, int]] = {}
    for name, (fields, guarded) in _struct_fields(p).items():
        rands = {field: line for names, kind, line in fields if kind is not None and _RAND.match(p.text(kind))
                 for field in names}
        if rands and not guarded:
            out[name] = rands
    return out


def unguarded_rand_draws(p: Parsed, lines: dict[int, str]) -> list[tuple[int, str]]:
    """(line, message) for each method that uses a `*rand.Rand` field of its lock-less struct
    (draws from it, or hands it on) on a changed line, with no `Lock` in the method."""
    if b"rand" not in p.source:
        return []
    structs = _rand_fields(p)
    out = []
    for method in p.root.named_children if structs else ():
        receiver = _receiver(method, p) if method.type == "method_declaration" else None
        body = method.child_by_field_name("body")
        if receiver is None or body is None or receiver[1] not in structs:
            continue
        name = p.text(method.child_by_field_name("name"))
        if name.lower().endswith("locked") or _writes_and_locks(body, receiver[0], p)[1]:
            continue
        fields = structs[receiver[1]]
        used = sorted((n.start_point[0] + 1, field) for n in walk(body)
                      if (field := _field_of(n, receiver[0], p)) in fields)
        for line, field in used:
            if line in lines or fields[field] in lines:
                out.append((line, f"`{receiver[1]}.{name}` draws from the `*rand.Rand` field `{field}` (declared at "
                                  f"line {fields[field]}) with no lock, and `{receiver[1]}` holds no mutex: a *rand.Rand is "
                                  "not safe for concurrent use, and two goroutines calling its methods at once (a request "
                                  "handler beside the value's own loop) corrupt its state."))
                break  # one finding per method
    return out


# Code in these runs after the statement that holds it, when the value may be shared already.
_LATER = frozenset({"func_literal", "go_statement"})
_LATER_CALLER = "<later>"
# Functions that call the literal handed to them before they return, and never after: a
# registry's or a map's iteration (memos' `protoregistry.GlobalFiles.RangeFiles(func…)`), a
# directory walk, a sort's comparison. A literal handed to anything else (`time.AfterFunc`, a
# subscription, a scheduler's `Do`) may run once the value is shared.
_IN_PLACE = re.compile(r"^(?:Range\w*|Walk\w*|ForEach\w*|Each\w*|Visit\w*|Iterate\w*|Slice|SliceStable|SortFunc|"
                       r"SortStableFunc|IndexFunc|ContainsFunc|DeleteFunc)$")


def _called_in_place(literal, p: Parsed) -> bool:
    """Whether ``literal`` (a func literal) is an argument of a call of _IN_PLACE."""
    args = literal.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    return literal.type == "func_literal" and fn is not None and _IN_PLACE.match(p.text(fn).rsplit(".", 1)[-1]) is not None


def _construction_only(p: Parsed, structs) -> set[tuple[str, str]]:
    """(type, method) of the unexported methods this file calls only while building a value of
    their type: from the type's constructor (`newResolver() *resolver`, which fills its map
    through `r.addBinding(…)` before anyone else holds `r`) or from methods called only so. No
    second goroutine can hold the value yet. An unexported name is called from its package only;
    the package's other files are asked by the caller (``named_elsewhere``). A call that may
    run later is no call while building: one in a function literal (a callback, a closure kept
    in a field) or a `go` statement, and a method value (`time.AfterFunc(d, s.add)`); nor is
    a call on a value the unit did not build (a parameter, a global)."""
    methods: dict[str, str] = {}  # method name -> its type, for unexported methods of the structs
    callers: dict[str, set[str]] = {}  # method name -> names of the file's functions calling it
    constructors: dict[str, str] = {}  # function name -> the type it builds
    for unit in p.root.named_children:
        name_node = unit.child_by_field_name("name")
        if name_node is None:
            continue
        unit_name = p.text(name_node)
        if unit.type == "method_declaration":
            receiver = _receiver(unit, p)
            if receiver is not None and receiver[1] in structs and unit_name[:1].islower():
                methods[unit_name] = receiver[1]
            unit_name = f"{receiver[1] if receiver else ''}.{unit_name}"
        elif unit.type == "function_declaration" and unit_name[:3].lower() == "new":
            result = unit.child_by_field_name("result")
            built = p.text(result).lstrip("(*").split(",")[0].strip(" *)") if result is not None else ""
            if built in structs:
                constructors[unit_name] = built
        # The values this unit is building: a method's receiver, a constructor's new value.
        if unit.type == "method_declaration":
            fresh = {receiver[0]} if receiver is not None else set()
        else:
            fresh = _fresh_values(unit, constructors.get(unit_name, ""), p)
        stack = [(unit, unit_name)]
        while stack:
            n, caller = stack.pop()
            if n.type in _LATER and not _called_in_place(n, p):
                caller = _LATER_CALLER  # runs once the value may be shared: no constructor's call
            if n.type == "selector_expression":
                field, operand = n.child_by_field_name("field"), n.child_by_field_name("operand")
                call = n.parent if n.parent is not None and n.parent.type == "call_expression" else None
                called = call is not None and (fn := call.child_by_field_name("function")) is not None and fn.id == n.id
                # On a value built here, or else on one others may hold (`parent.add(…)` in
                # `newChild(parent *store)`).
                mine = operand is not None and p.text(operand) in fresh
                if field is not None:
                    # A method value (`subscribe(s.add)`) is called by whoever holds it, later.
                    callers.setdefault(p.text(field), set()).add(caller if called and mine else _LATER_CALLER)
            stack.extend((c, caller) for c in n.children)
    # Grow from the constructors: a method counts once every caller of it is a constructor of
    # its type or a method already counted.
    building: set[tuple[str, str]] = set()
    grew = True
    while grew:
        grew = False
        for name, kind in methods.items():
            if (kind, name) in building or not callers.get(name):
                continue
            if all(constructors.get(c) == kind or (c.startswith(f"{kind}.") and (kind, c[len(kind) + 1:]) in building)
                   for c in callers[name]):
                building.add((kind, name))
                grew = True
    return building


def _fresh_values(constructor, built: str, p: Parsed) -> set[str]:
    """The names a constructor binds to a new value of its type: `s := &store{…}`, `s :=
    store{…}`, `s := new(store)`, `var s = &store{…}`."""
    if not built:
        return set()
    out: set[str] = set()
    stack = [constructor]
    while stack:
        n = stack.pop()
        if n.type in ("short_var_declaration", "assignment_statement", "var_spec"):
            left = n.child_by_field_name("left") or n.child_by_field_name("name")
            right = n.child_by_field_name("right") or n.child_by_field_name("value")
            if left is not None and right is not None:
                names = [c for c in left.named_children] if left.type == "expression_list" else [left]
                values = [c for c in right.named_children] if right.type == "expression_list" else [right]
                for name, value in zip(names, values):
                    if _builds(value, built, p):
                        out.add(p.text(name))
        stack.extend(n.children)
    return out


def _builds(value, built: str, p: Parsed) -> bool:
    """Whether ``value`` is `&T{…}`, `T{…}` or `new(T)` of type ``built``."""
    if value.type == "unary_expression" and value.named_child_count:
        value = value.named_children[-1]
    if value.type == "composite_literal":
        kind = value.child_by_field_name("type")
        return kind is not None and p.text(kind).split("[")[0].rsplit(".", 1)[-1] == built
    if value.type == "call_expression":
        fn, args = value.child_by_field_name("function"), value.child_by_field_name("arguments")
        return (fn is not None and p.text(fn) == "new" and args is not None and args.named_child_count == 1
                and p.text(args.named_children[0]).split("[")[0].rsplit(".", 1)[-1] == built)
    return False


# --- Java: a static collection or formatter that is not thread-safe, used from a method -------

# Types whose instances must not be used by two threads at once without a lock.
_UNSAFE = {"HashMap", "HashSet", "ArrayList", "LinkedList", "TreeMap", "TreeSet", "LinkedHashMap", "LinkedHashSet",
           "ArrayDeque", "PriorityQueue", "IdentityHashMap", "WeakHashMap", "SimpleDateFormat", "DecimalFormat",
           "NumberFormat", "MessageFormat"}
# Their methods that change them (formatters keep parse/format state in the instance).
_MUTATORS = {"put", "putAll", "putIfAbsent", "remove", "removeIf", "add", "addAll", "addFirst", "addLast", "clear",
             "compute", "computeIfAbsent", "computeIfPresent", "merge", "replace", "replaceAll", "retainAll",
             "removeAll", "set", "poll", "offer", "push", "pop", "sort", "format", "parse", "parseObject",
             "applyPattern", "setTimeZone"}


def _unsafe_statics(p: Parsed) -> dict[str, tuple[str, int]]:
    """Static field name -> (its non-thread-safe type, 1-based line of the declaration)."""
    out: dict[str, tuple[str, int]] = {}
    stack = [p.root]
    while stack:
        n = stack.pop()
        if n.type == "field_declaration":
            if "static" not in modifier_keywords(n):
                continue
            declared = p.text(n.child_by_field_name("type") or n).split("<")[0].strip()
            for i in range(n.child_count):
                if n.field_name_for_child(i) != "declarator":
                    continue
                decl = n.children[i]
                name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
                made = ""
                if value is not None and value.type == "object_creation_expression":
                    made = p.text(value.child_by_field_name("type") or value).split("<")[0].strip()
                kind = made if made in _UNSAFE else declared if declared in _UNSAFE and not made else ""
                if name is not None and kind:
                    out[p.text(name)] = (kind, n.start_point[0] + 1)
            continue
        stack.extend(n.children)
    return out


def _guarded(node, p: Parsed) -> bool:
    """Inside a `synchronized` block or method, a static initializer (run once, by one thread), or
    a method that takes a `Lock` (`lock.lock()`)."""
    from .jvm import in_synchronized

    if in_synchronized(node):
        return True
    n = node.parent
    while n is not None:
        if n.type == "static_initializer":
            return True
        if n.type in ("method_declaration", "constructor_declaration"):
            return ".lock()" in p.text(n) or ".writeLock()" in p.text(n)
        n = n.parent
    return False


# The nodes that bind a Java name inside a method: a local's declarator, a parameter (a method's,
# a lambda's, a catch's), a for-each's variable, a pattern's (`x instanceof Map<?, ?> cache`), a
# resource's.
_BINDS = frozenset({"variable_declarator", "formal_parameter", "spread_parameter", "catch_formal_parameter",
                    "enhanced_for_statement", "instanceof_expression", "type_pattern", "resource", "record_pattern"})
_SCOPES = frozenset({"method_declaration", "constructor_declaration", "lambda_expression", "compact_constructor_declaration"})


def _shadowed(node, name: str, p: Parsed) -> bool:
    """Whether ``name`` at ``node`` is a parameter or local variable of a method or lambda around
    it (through an anonymous class's body, which captures them), not the static field of that
    name: onedev's translation tables fill the map handed to `init(Map<String, String> m)`, a
    parameter named as the class's static `m` (apps-x). A name bound anywhere earlier in the
    method counts: a declaration in a sibling block is read as shadowing too (a miss, not a
    false flag)."""
    n = node.parent
    while n is not None and n.type != "program":
        if n.type == "class_body" and (n.parent is None or n.parent.type != "object_creation_expression"):
            return False  # the class that declares the static: no method around any more
        if n.type in _SCOPES and name in _bound_before(n, node, p):
            return True
        n = n.parent
    return False


def _bound_before(scope, node, p: Parsed) -> set[str]:
    """The names ``scope`` binds before ``node`` (lambda parameters written bare included). The
    scope's bindings are read once: onedev's translation tables put five thousand entries in one
    method, each a write to ask about."""
    key = ("sharedmap.binds", scope.id)
    if key not in p.memo:
        p.memo[key] = _bindings(scope, p)
    return {name for at, name in p.memo[key] if at < node.start_byte}


def _bindings(scope, p: Parsed) -> list[tuple[int, str]]:
    """(byte where it is bound, name) for each name ``scope`` binds."""
    out: list[tuple[int, str]] = []
    params = scope.child_by_field_name("parameters")
    if params is not None and params.type == "identifier":
        out.append((params.start_byte, p.text(params)))  # `m -> m.put(…)`
    stack = [scope]
    while stack:
        n = stack.pop()
        if n.type in _BINDS:
            named = n.child_by_field_name("name")
            if named is not None:
                out.append((n.start_byte, p.text(named)))
            elif n.type in ("instanceof_expression", "type_pattern"):
                out += [(n.start_byte, p.text(c)) for c in n.named_children if c.type == "identifier"]
        elif n.type == "inferred_parameters":
            out += [(n.start_byte, p.text(c)) for c in n.named_children if c.type == "identifier"]
        stack.extend(n.children)
    return out


def unsafe_static_writes(p: Parsed, lines: dict[int, str]) -> list[tuple[int, str]]:
    """(line, message) for each unguarded mutating call on a static non-thread-safe field."""
    statics = _unsafe_statics(p)
    if not statics:
        return []
    out, seen = [], set()
    stack = [p.root]
    while stack:
        n = stack.pop()
        stack.extend(n.children)
        if n.type != "method_invocation":
            continue
        obj, name = n.child_by_field_name("object"), n.child_by_field_name("name")
        if obj is None or name is None or p.text(name) not in _MUTATORS:
            continue
        field = p.text(obj.child_by_field_name("field")) if obj.type == "field_access" else p.text(obj)
        if field not in statics or field in seen or (obj.type == "identifier" and _shadowed(n, field, p)):
            continue
        kind, declared = statics[field]
        line = n.start_point[0] + 1
        if (line in lines or declared in lines) and not _guarded(n, p):
            seen.add(field)
            out.append((line, f"`{field}` is a static {kind} (line {declared}), shared by every thread, and "
                              f"`{p.text(name)}` changes it here outside any `synchronized`: two threads at once "
                              "corrupt it (lost entries, an endless loop in a resized map, wrong parsed values)."))
    return sorted(out)


# --- Ruby: state of the class itself ---------------------------------------------------------

# A class method's `@x` is the class object's own instance variable, and `@@x` anywhere is the
# class hierarchy's: one value for the whole process, which Puma's, Sidekiq's and a job runner's
# threads all share. ArchivesSpace's CSV converter kept each import's header row in one, set by a
# class method and read back by every row, with two import jobs running at once (apps-z af719de7).
_RUBY_STATE = frozenset({"instance_variable", "class_variable"})
# Methods of a collection held there that change it in place.
_RUBY_MUTATORS = frozenset({"push", "store", "merge!", "delete", "clear", "concat", "update", "replace", "add", "add?",
                            "unshift", "shift", "pop", "append", "prepend", "delete_if", "reject!", "select!",
                            "keep_if", "compact!", "uniq!", "sort!", "map!", "transform_values!"})
# Set once, at boot, by the application's configuration: `Klass.configure { … }`, `Klass.logger = x`.
# Ruby's own hooks (`inherited`, `included`…) run once per subclass or includer, when its file loads.
_RUBY_BOOT_METHODS = re.compile(r"^(?:configure|config|setup|set_up|register|reset!?|boot|\w+=|inherited|included|extended|"
                                r"prepended|method_added|singleton_method_added)$")
# Lazy initialisation (`@x = load unless @x`, `return @x if defined?(@x)`): a second thread at
# worst computes the same value again.
_RUBY_LAZY = "(?:defined\\?\\(\\s*{0}\\s*\\)|(?:if|unless|return)\\s+{0}\\b|{0}\\.nil\\?|{0}\\s*\\|\\|)"
_RUBY_LOCKED = frozenset({"synchronize", "mon_synchronize", "with_lock", "with_write_lock"})


def _ruby_state_written(n, p: Parsed) -> str | None:
    """The class-level variable a statement writes: ``@x = v``, ``@x += 1``, ``@x[k] = v``,
    ``@x << v``, ``@x.merge!(…)``. Not ``@x ||= v`` (lazy initialisation)."""
    target = None
    if n.type == "assignment":
        target = n.child_by_field_name("left")
        if target is not None and target.type == "element_reference":
            target = target.child_by_field_name("object") or target.named_children[0]
    elif n.type == "operator_assignment":
        op = n.child_by_field_name("operator")
        if op is None or p.text(op) not in ("||=", "&&="):
            target = n.child_by_field_name("left")
    elif n.type == "binary" and p.text(n.child_by_field_name("operator") or n) == "<<":
        target = n.child_by_field_name("left")
    elif n.type == "call":
        method = n.child_by_field_name("method")
        if method is not None and p.text(method) in _RUBY_MUTATORS:
            target = n.child_by_field_name("receiver")
    return p.text(target) if target is not None and target.type in _RUBY_STATE else None


# A module whose methods run on the module object itself: `extend self`, `module_function`.
_RUBY_SELF_MODULE = re.compile(r"^\s*(?:extend\s+self|module_function)\s*$", re.M)


def _ruby_class_methods(p: Parsed):
    """(method node, its name, whether it runs on the class or module object) for every method of
    the file: `def self.m`, a method of `class << self`, or of a module with `extend self` or
    `module_function` (one `@x` per process, as a class method's)."""
    for n in walk(p.root):
        if n.type == "singleton_method":
            yield n, p.text(n.child_by_field_name("name") or n), True
        elif n.type == "method":
            parent = n.parent.parent if n.parent is not None else None
            own = parent is not None and (parent.type == "singleton_class" or (
                parent.type == "module" and _RUBY_SELF_MODULE.search(p.text(n.parent)) is not None))
            yield n, p.text(n.child_by_field_name("name") or n), own


def _ruby_locked(node, method, p: Parsed) -> bool:
    """Inside a block handed to a lock's `synchronize`/`with_lock` within ``method``."""
    n = node.parent
    while n is not None and n is not method:
        if n.type in ("block", "do_block") and n.parent is not None and n.parent.type == "call":
            name = n.parent.child_by_field_name("method")
            if name is not None and p.text(name) in _RUBY_LOCKED:
                return True
        n = n.parent
    return False


def _owner(node, p: Parsed) -> str:
    """`the class `X``, `the module `X``, or the program's top level."""
    n = node.parent
    while n is not None:
        if n.type in ("class", "module"):
            return f"the {n.type} `{p.text(n.child_by_field_name('name') or n)}`"
        n = n.parent
    return "the program's top level"


def _verbatim_parameter(n, method, p: Parsed) -> bool:
    """``@x = param`` with the method's own parameter as it came: a class macro (`columns :id,
    :email` in a subclass's body) or a setter, called once where the class is defined."""
    if n.type != "assignment":
        return False
    right = n.child_by_field_name("right")
    params = method.child_by_field_name("parameters")
    if right is None or params is None or right.type != "identifier":
        return False
    names = {p.text(c).lstrip("*&") for c in params.named_children}
    names |= {p.text(c.child_by_field_name("name")) for c in params.named_children if c.child_by_field_name("name") is not None}
    return p.text(right) in names


def ruby_class_state_writes(p: Parsed, lines) -> list[tuple[int, str]]:
    """(line, message) for the first write, on a changed line, of each class-level variable a
    method sets per call: a class method's `@x`, any method's `@@x`. Not in a setter or a
    configuration method, not lazy initialisation, not under a lock."""
    out = []
    for method, name, of_class in _ruby_class_methods(p):
        if _RUBY_BOOT_METHODS.match(name):
            continue
        text, seen = p.text(method), set()
        for n in sorted(walk(method), key=lambda n: n.start_byte):
            var = _ruby_state_written(n, p)
            line = n.start_point[0] + 1
            if var is None or var in seen or line not in lines or not (of_class or var.startswith("@@")):
                continue
            seen.add(var)
            # Lazy initialisation is a plain `=` guarded by a test of the variable; a `+=` or `<<`
            # after it (`@seq ||= 0; @seq += 1`) is still a write per call.
            lazy = n.type == "assignment" and re.search(_RUBY_LAZY.format(re.escape(var)), text)
            if lazy or _ruby_locked(n, method, p) or (of_class and _verbatim_parameter(n, method, p)):
                continue
            owner = _owner(method, p)
            whose = (f"a class variable of {owner}" if var.startswith("@@")
                     else f"an instance variable of {owner} itself, set by its method `{name}`")
            out.append((line, f"`{var}` is {whose}: one value for the whole process, shared by every thread "
                              "(a job runner's, Puma's, Sidekiq's), and each call here overwrites it with no lock: "
                              "two calls at once read and overwrite each other's value."))
    return sorted(out)


# --- Java: a volatile field read or written on a changed line ----------------------------------


def _volatile_fields(p: Parsed) -> dict[str, tuple[int, int]]:
    """Volatile field name -> (the id of the class body that declares it, 1-based line of the declaration)."""
    out: dict[str, tuple[int, int]] = {}
    for n in walk(p.root):
        if n.type != "field_declaration" or "volatile" not in modifier_keywords(n):
            continue
        for i in range(n.child_count):
            if n.field_name_for_child(i) == "declarator":
                name = n.children[i].child_by_field_name("name")
                if name is not None and n.parent is not None:
                    out[p.text(name)] = (n.parent.id, n.start_point[0] + 1)
    return out


def _method_of(node):
    n = node.parent
    while n is not None and n.type not in ("method_declaration", "constructor_declaration", "class_body"):
        n = n.parent
    return n if n is not None and n.type != "class_body" else None


def _decides_only_logging(node, p: Parsed) -> bool:
    """Read in the condition of an `if` whose branches only log (amoro's keeper thread logs an
    error only while its service is not stopped, apps-z 4953d9c9): no thread's work changes."""
    n = node.parent
    while n is not None and n.type not in ("if_statement", "block", "method_declaration"):
        n = n.parent
    if n is None or n.type != "if_statement":
        return False
    condition = n.child_by_field_name("condition")
    if condition is None or not (condition.start_byte <= node.start_byte < condition.end_byte):
        return False
    branches = [b for b in (n.child_by_field_name("consequence"), n.child_by_field_name("alternative")) if b is not None]
    statements = [s for b in branches for s in (b.named_children if b.type == "block" else [b])
                  if s.type != "line_comment" and s.type != "block_comment"]
    return bool(statements) and all(is_logging(s, p) for s in statements)


_NAMES_NO_FIELD = frozenset({"method_invocation", "method_declaration", "variable_declarator", "formal_parameter"})


def _within(method, body_id: int) -> bool:
    """The method is declared in the class body ``body_id`` or in a class nested in it (an inner
    `Worker` looping on the outer class's `running`)."""
    n = method.parent
    while n is not None:
        if n.id == body_id:
            return True
        n = n.parent
    return False


def volatile_uses(p: Parsed, lines: dict[int, str], reworded: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, message) for the first changed line of each method that reads or writes a `volatile`
    field of its class (from the class or one nested in it). Not the declaration (DC704's
    comparison reads that), not a constructor (no other thread holds the object yet), not a line
    that only logs, nor one that differs from a removed one only in its strings (``reworded``,
    hazards.reworded_lines)."""
    fields = _volatile_fields(p)
    if not fields:
        return []
    out, seen = [], set()
    for n in sorted(walk(p.root), key=lambda n: n.start_byte):
        line = n.start_point[0] + 1
        if line not in lines or n.type not in ("identifier", "field_access"):
            continue
        if n.type == "field_access":
            obj, field = n.child_by_field_name("object"), n.child_by_field_name("field")
            if obj is None or field is None or obj.type != "this":
                continue
            name = p.text(field)
        elif n.parent is not None and n.parent.type == "field_access":
            continue  # `other.status`, or the field of `this.status` read above
        elif n.parent is not None and n.parent.type in _NAMES_NO_FIELD and n.parent.child_by_field_name("name") == n:
            continue  # a method's name (`builder.status(…)`), a declaration's own
        else:
            name = p.text(n)
        if name not in fields:
            continue
        method = _method_of(n)
        body, declared = fields[name]
        if method is None or method.type == "constructor_declaration" or not _within(method, body) \
                or method.id in seen or (n.type == "identifier" and _shadowed(n, name, p)) \
                or blank_strings(lines.get(line, "")).strip() in reworded or only_logs(p, line - 1):
            continue
        if _decides_only_logging(n, p):
            continue
        seen.add(method.id)
        out.append((line, f"`{name}` is a `volatile` field (line {declared}): other threads read and write it "
                          "without a lock, and this changed line changes what they hand each other through it "
                          "(a status, a flag, a stop signal) or what this thread decides from it."))
    return out
