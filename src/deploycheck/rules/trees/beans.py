"""Spring beans: state a singleton shares between requests (DC710), and the callbacks that stop
a bean when its application shuts down (DC711).

A class annotated `@Component`, `@Service`, `@Controller`… is one object per application
context: every request thread calls its methods at once. An instance field that is neither final
nor injected (no `@Autowired`, `@Value`…) is then state those threads share, with no lock: a
method that writes it per call, or whose use of such fields changes, changes what concurrent
requests see of each other. Read from the syntax tree of Java files only.

A bean that implements `DisposableBean`, `SmartLifecycle`/`Lifecycle`, or has a `@PreDestroy`
method is stopped by the container on shutdown, in an order the container picks: adding,
removing or changing such a callback changes what stops, and when, during every deploy.
"""

from __future__ import annotations

import re
from collections import Counter

from .hazards import CONCURRENT
from .jvm import in_synchronized, modifier_keywords, modifiers
from .keywords import SINGLETON_STEREOTYPES as _STEREOTYPES
from .parse import Parsed, nodes_of
from .units import index_units, node_name, qualname, units_at

# Stereotypes that make a class a singleton bean found by component scanning (the gate's list).
SINGLETON_STEREOTYPES = frozenset(_STEREOTYPES)
# Callbacks the container calls once, before the bean serves anyone (or a setter it injects
# through): writes there are set-up, not per-call state.
_SET_UP_METHODS = frozenset({"afterPropertiesSet", "init", "setApplicationContext", "setBeanFactory", "setEnvironment",
                             "setBeanName", "setResourceLoader", "setServletContext", "onApplicationEvent"})
_SET_UP_ANNOTATIONS = frozenset({"PostConstruct", "Autowired", "Inject", "Bean", "EventListener"})

# DC711: what makes the container stop a bean on shutdown.
# (Not AutoCloseable: most classes that implement it are no bean, and their `close` is routine.)
SHUTDOWN_TYPES = frozenset({"DisposableBean", "SmartLifecycle", "Lifecycle"})
SHUTDOWN_ANNOTATIONS = frozenset({"PreDestroy"})
_SHUTDOWN_METHODS = {"DisposableBean": {"destroy"}, "SmartLifecycle": {"stop"}, "Lifecycle": {"stop"}}


def annotation_names(node, p: Parsed) -> set[str]:
    """The simple names of the annotations on a Java declaration (`@Scope("prototype")` -> Scope)."""
    mods = modifiers(node)
    out: set[str] = set()
    for child in mods.children if mods is not None else ():
        if child.type in ("marker_annotation", "annotation"):
            name = child.child_by_field_name("name")
            if name is not None:
                out.add(p.text(name).rpartition(".")[2])
    return out


def _singletons(p: Parsed) -> list:
    """The top-level and nested classes of the file that are singleton beans: a stereotype, and no
    `@Scope` (a prototype or request-scoped bean is one object per use)."""
    out, stack = [], [p.root]
    while stack:
        n = stack.pop()
        if n.type == "class_declaration":
            marks = annotation_names(n, p)
            if marks & SINGLETON_STEREOTYPES and "Scope" not in marks and "RequestScope" not in marks:
                out.append(n)
        stack.extend(n.children)
    return out


def shared_fields(cls, p: Parsed) -> dict[str, int]:
    """Name -> line of the class's instance fields that threads share unguarded: not static, not
    final, not volatile, not injected or bound (any annotation), and not of a concurrent type."""
    body = cls.child_by_field_name("body")
    out: dict[str, int] = {}
    for member in body.named_children if body is not None else ():
        if member.type != "field_declaration":
            continue
        if modifier_keywords(member) & {"static", "final", "volatile"} or annotation_names(member, p):
            continue
        kind = p.text(member.child_by_field_name("type") or member).split("<")[0].strip()
        if kind in CONCURRENT or _made_concurrent(member, p):
            continue
        for i in range(member.child_count):
            if member.field_name_for_child(i) == "declarator":
                name = member.children[i].child_by_field_name("name")
                if name is not None:
                    out[p.text(name)] = member.start_point[0] + 1
    return out


def _made_concurrent(field, p: Parsed) -> bool:
    """A field declared by its interface and made a concurrent one (`Map<K, V> m = new
    ConcurrentHashMap<>()`): airsonic's settings caches were called "shared unguarded"."""
    for i in range(field.child_count):
        if field.field_name_for_child(i) == "declarator":
            value = field.children[i].child_by_field_name("value")
            if value is not None and value.type == "object_creation_expression":
                made = p.text(value.child_by_field_name("type") or value).split("<")[0].strip()
                if made.rsplit(".", 1)[-1] in CONCURRENT:
                    return True
    return False


def _locals(method, p: Parsed) -> set[str]:
    """Names a method binds itself (parameters, locals, lambda and catch parameters): where
    they shadow a field, the bare name is not the field."""
    out, stack = set(), [method]
    while stack:
        n = stack.pop()
        if n.type in ("formal_parameter", "variable_declarator", "catch_formal_parameter", "spread_parameter"):
            name = n.child_by_field_name("name")
            if name is not None:
                out.add(p.text(name))
        elif n.type == "lambda_expression":
            params = n.child_by_field_name("parameters")
            if params is not None and params.type == "identifier":
                out.add(p.text(params))
            elif params is not None:
                out.update(p.text(c) for c in params.named_children if c.type == "identifier")
        stack.extend(n.children)
    return out


def _field_of(n, p: Parsed, fields: dict[str, int], shadowed: set[str]) -> str | None:
    """The shared field ``n`` names: `this.x`, or a bare `x` the method does not bind itself."""
    if n.type == "field_access":
        obj, field = n.child_by_field_name("object"), n.child_by_field_name("field")
        if obj is not None and obj.type == "this" and field is not None and p.text(field) in fields:
            return p.text(field)
        return None
    if n.type == "identifier" and p.text(n) in fields and p.text(n) not in shadowed:
        parent = n.parent
        # A name after a dot (`other.x`, `x()` as a method) is not this object's field.
        if parent is not None and parent.type == "field_access" and parent.child_by_field_name("field") == n:
            return None
        if parent is not None and parent.type == "method_invocation" and parent.child_by_field_name("name") == n:
            return None
        return p.text(n)
    return None


def _uses(method, p: Parsed, fields: dict[str, int]) -> tuple[set[str], list[tuple[int, str]]]:
    """(shared fields the method reads or writes, [(line, field)] of its writes)."""
    shadowed = _locals(method, p) - set()
    used: set[str] = set()
    writes: list[tuple[int, str]] = []
    stack = [method]
    while stack:
        n = stack.pop()
        name = _field_of(n, p, fields, shadowed)
        if name is not None:
            used.add(name)
            parent = n.parent
            if ((parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("left") == n)
                    or (parent is not None and parent.type == "update_expression")) and not in_synchronized(n):
                # Under `synchronized` (the method's or a block's) a write is guarded: airsonic's
                # `public synchronized void schedule()` was said to write its field "with no lock"
                # (a new user's trial, session 33).
                writes.append((n.start_point[0] + 1, name))
            continue
        stack.extend(n.children)
    return used, writes


def _set_up(method, p: Parsed) -> bool:
    """A constructor or a callback the container calls once (or a plain setter it injects through)."""
    if method.type != "method_declaration":
        return True
    name = p.text(method.child_by_field_name("name"))
    if name in _SET_UP_METHODS or annotation_names(method, p) & _SET_UP_ANNOTATIONS:
        return True
    params = method.child_by_field_name("parameters")
    return name.startswith("set") and params is not None and params.named_child_count == 1


def _methods(cls):
    body = cls.child_by_field_name("body")
    return [m for m in (body.named_children if body is not None else ())
            if m.type in ("method_declaration", "constructor_declaration")]


def singleton_state(head: Parsed, base: Parsed | None, lines: dict[int, str]) -> list[tuple[int, int, str]]:
    """(first line, last line, message) for each changed method of a singleton bean that writes
    a shared field on a changed line, or that uses other shared fields than on the base."""
    out: list[tuple[int, int, str]] = []
    theirs = index_units(base) if base is not None else {}
    base_classes = {qualname(units_at(base, c.start_point[0]), base): c for c in _singletons(base)} if base else {}
    for cls in _singletons(head):
        fields = shared_fields(cls, head)
        if not fields:
            continue
        cls_key = qualname(units_at(head, cls.start_point[0]), head)
        old_cls = base_classes.get(cls_key)
        old_fields = shared_fields(old_cls, base) if old_cls is not None and base is not None else {}
        bean = head.text(cls.child_by_field_name("name"))
        for method in _methods(cls):
            changed = [r for r in range(method.start_point[0] + 1, method.end_point[0] + 2) if r in lines]
            if not changed or _set_up(method, head) or "synchronized" in modifier_keywords(method):
                continue  # a `synchronized` method: two calls at once do not interleave
            used, writes = _uses(method, head, fields)
            fresh = [(line, name) for line, name in writes if line in lines]
            if fresh:
                line, name = fresh[0]
                out.append((line, line, f"`{bean}` is a singleton bean: every request thread calls `{bean}."
                                        f"{head.text(method.child_by_field_name('name'))}` on the one instance, and "
                                        f"it writes `{name}` (line {fields[name]}), a field that is neither final nor "
                                        "injected, with no lock: concurrent calls overwrite each other's value."))
                continue
            key = qualname(units_at(head, method.start_point[0]), head)
            old = theirs.get(key)
            if old is None or base is None or not old_fields:
                continue
            before, _ = _uses(old, base, old_fields)
            if before == used:
                continue
            gone, new = sorted(before - used), sorted(used - before)
            what = "; ".join(part for part in (
                ("no longer uses " + ", ".join(f"`{f}`" for f in gone)) if gone else "",
                ("now uses " + ", ".join(f"`{f}`" for f in new)) if new else "") if part)
            out.append((changed[0], changed[-1],
                        f"`{bean}` is a singleton bean, shared by every request thread, and `{key}` {what}: "
                        "fields that are neither final nor injected, shared unguarded between concurrent calls. "
                        "Say which of them each call changes, and what two calls at once see."))
    return out


# --- DC711 ------------------------------------------------------------------------------------


def _supertypes(cls, p: Parsed) -> dict[str, int]:
    """Simple name -> line of the shutdown interfaces a class (Java or Kotlin) implements."""
    out: dict[str, int] = {}
    for child in cls.children:
        if child.type not in ("super_interfaces", "superclass", "delegation_specifier", "delegation_specifiers"):
            continue
        stack = [child]
        while stack:
            n = stack.pop()
            if n.type in ("type_identifier", "identifier", "simple_identifier") and p.text(n) in SHUTDOWN_TYPES:
                out[p.text(n)] = n.start_point[0] + 1
            stack.extend(n.children)
    return out


def _kotlin_annotated(method, p: Parsed) -> set[str]:
    mods = modifiers(method)
    return {p.text(c).lstrip("@").split("(")[0].rpartition(".")[2].strip()
            for c in (mods.children if mods is not None else ()) if c.type == "annotation"}


# `@Bean(destroyMethod = "halt")`: the container calls the bean's `halt()` on shutdown, as it would
# a `@PreDestroy` one.
_BEAN_ANNOTATION = re.compile(r"^@(?:[\w.]+\.)?Bean\b")
_DESTROY_METHOD = re.compile(r"\bdestroyMethod\s*=\s*\"(\w+)\"")


def _simple_type(text: str) -> str:
    return text.split("<")[0].strip().rstrip("?").rpartition(".")[2]


def _destroy_methods(p: Parsed) -> dict[str, set[str]]:
    """Simple class name -> the methods a `@Bean(destroyMethod = "…")` of the file names on the
    beans it returns of that class."""
    out: dict[str, set[str]] = {}
    if b"destroyMethod" not in p.source:
        return out
    for n in nodes_of(p, frozenset({"method_declaration", "function_declaration"})):
        mods = modifiers(n)
        for c in mods.children if mods is not None else ():
            text = p.text(c)
            named = _DESTROY_METHOD.search(text) if c.type in ("annotation", "marker_annotation") \
                and _BEAN_ANNOTATION.match(text) else None
            if named is None:
                continue
            if n.type == "method_declaration":
                returned = n.child_by_field_name("type")
            else:  # Kotlin: the type after the parameters (`fun crawler(): Crawler`)
                returned = next((t for t in reversed(n.children) if t.type in ("user_type", "nullable_type")), None)
            if returned is not None:
                out.setdefault(_simple_type(p.text(returned)), set()).add(named.group(1))
    return out


def _hooks(p: Parsed) -> dict[str, tuple[int, int]]:
    """The file's shutdown hooks by qualified name -> (first, last line): methods annotated
    `@PreDestroy`, the `destroy`/`stop`/`close` of a class implementing the matching interface,
    and the method a `@Bean(destroyMethod = …)` of the file names on a class of the file; the
    class itself, under `<class>::implements <Type>`, at the line naming it."""
    out: dict[str, tuple[int, int]] = {}
    destroyed = _destroy_methods(p)
    stack = [p.root]
    while stack:
        n = stack.pop()
        stack.extend(n.children)
        if n.type not in ("class_declaration", "object_declaration"):
            continue
        key = qualname(units_at(p, n.start_point[0]), p)
        kinds = _supertypes(n, p)
        for kind, line in kinds.items():
            out[f"{key}::implements {kind}"] = (line, line)
        stopping = set().union(*(_SHUTDOWN_METHODS[k] for k in kinds)) if kinds else set()
        stopping |= destroyed.get(node_name(n, p), set())
        body = n.child_by_field_name("body") or next((c for c in n.children if c.type == "class_body"), None)
        for member in body.named_children if body is not None else ():
            if member.type not in ("method_declaration", "function_declaration"):
                continue
            name_node = member.child_by_field_name("name") or next(
                (c for c in member.named_children if c.type == "simple_identifier"), None)
            if name_node is None:
                continue
            marks = annotation_names(member, p) if p.language == "java" else _kotlin_annotated(member, p)
            if marks & SHUTDOWN_ANNOTATIONS or p.text(name_node) in stopping:
                out[f"{key}::{p.text(name_node)}"] = (member.start_point[0] + 1, member.end_point[0] + 1)
    out.update(_jvm_hooks(p))
    return out


# A JVM shutdown hook registered by hand: `Runtime.getRuntime().addShutdownHook(new
# Thread(this::close))` runs on its own thread when the process stops, beside the container's
# hooks and every other JVM hook, in no set order (shenyu's RocketMQ log client registered a
# second one, and two hooks could close its producer at once).
_JVM_HOOK_CALLS = ("addShutdownHook", "removeShutdownHook")


def _held_thread(call, unit, p: Parsed):
    """The declaration of the local a hook call is handed (`addShutdownHook(hook)`), or None."""
    args = call.child_by_field_name("arguments") if call.type == "method_invocation" else next(
        (c for c in call.named_children if c.type in ("call_suffix", "value_arguments")), None)
    values = [a for a in args.named_children if "comment" not in a.type] if args is not None else []
    while values and values[0].type in ("value_arguments", "value_argument"):
        values = [a for a in values[0].named_children if "comment" not in a.type]
    if len(values) != 1 or values[0].type not in ("identifier", "simple_identifier"):
        return None
    name = p.text(values[0])
    for n in nodes_of(p, frozenset({"variable_declarator", "property_declaration"})):
        if not (unit.start_byte <= n.start_byte and n.end_byte <= call.start_byte):
            continue
        named = n.child_by_field_name("name") if n.type == "variable_declarator" else next(
            (c for c in n.named_children if c.type == "variable_declaration"), None)
        if named is not None and p.text(named).split(":")[0].strip() == name:
            return n
    return None


def _jvm_hooks(p: Parsed) -> dict[str, tuple[int, int]]:
    """Each `addShutdownHook`/`removeShutdownHook` call, by the unit around it and its place
    among that unit's such calls -> (first, last line)."""
    out: dict[str, tuple[int, int]] = {}
    if not any(name.encode() in p.source for name in _JVM_HOOK_CALLS):
        return out
    calls_in: dict[str, int] = {}  # how many such calls each unit has made so far
    for n in nodes_of(p, frozenset({"method_invocation", "call_expression"})):
        named = n.child_by_field_name("name") if n.type == "method_invocation" else (n.named_children[0] if n.named_children else None)
        called = p.text(named).rsplit(".", 1)[-1] if named is not None else ""
        if called not in _JVM_HOOK_CALLS:
            continue
        around = units_at(p, n.start_point[0])
        unit = qualname(around, p) or "(top level)"
        key = f"{unit}: Runtime.{called}"
        count = calls_in[key] = calls_in.get(key, 0) + 1
        first, last = n.start_point[0], n.end_point[0]
        # `Thread hook = new Thread(() -> {…}); …addShutdownHook(hook)`: the thread's body is the
        # hook's, kept in a local of the same method.
        held = _held_thread(n, around[-1] if around else p.root, p)
        if held is not None:
            first, last = min(first, held.start_point[0]), max(last, held.end_point[0])
        out[key if count == 1 else f"{key} #{count}"] = (first + 1, last + 1)
    return out


def _hook_message(key: str, new: bool) -> str:
    if "::implements " in key:
        cls, _, kind = key.partition("::implements ")
        return (f"`{cls}` now implements `{kind}`: the container calls it when the application shuts down, "
                "in an order it picks among the beans. What it stops or releases (workers, plugins, "
                "connections) may still be in use by background work, or may now be cut off mid-way.")
    if ": Runtime." in key:
        return (f"`{key}` {'is new' if new else 'changed'}: a JVM shutdown hook's thread runs when "
                "the process stops (each deploy, each restart), at the same time as every other hook, in no "
                "set order. Say what it stops, and what else may stop or still use it then.")
    return (f"`{key}` is a shutdown hook and {'is new' if new else 'changed'}: it runs when "
            "the application stops (each deploy, each restart), in an order the container picks. Say "
            "what it stops, and what background work still running may need it.")


def shutdown_changed(head: Parsed, base: Parsed | None, added: dict[int, str], removed: dict[int, str],
                     code: tuple[set[int], set[int]] | None = None) -> list[tuple[str, int, int, str]]:
    """(side, first line, last line, message) for each shutdown hook added, removed, or changed on
    a changed line. ``code`` holds the added and the removed lines that are code (not a comment,
    a blank or a line only realigned): only they change a hook both sides have."""
    mine, theirs = _hooks(head), _hooks(base) if base is not None else {}
    code_added, code_removed = code if code is not None else (set(added), set(removed))
    out: list[tuple[str, int, int, str]] = []
    for key, (first, last) in sorted(mine.items(), key=lambda kv: kv[1]):
        if "::implements " in key and key in theirs:
            continue  # the line changed, but the class implemented it before too
        rows = [r for r in range(first, last + 1) if r in (code_added if key in theirs else added)]
        if rows:
            out.append(("head", rows[0], rows[-1], _hook_message(key, key not in theirs)))
    # A hook both sides hold that only lost lines: openvidu's `KmsManager.close()`, a `@PreDestroy`,
    # stopped cancelling the reconnection timer it held (f2582aa7c, a new user's trial, session
    # 32); `pool.shutdown()` taken out of one leaves the pool running until the process ends.
    for key, (first, last) in sorted(theirs.items(), key=lambda kv: kv[1]):
        if key not in mine or "::implements " in key or any(r in code_added for r in range(mine[key][0], mine[key][1] + 1)):
            continue
        rows = [r for r in range(first, last + 1) if r in code_removed]
        if rows:
            out.append(("base", rows[0], rows[-1], _hook_message(key, False)))
    # The hook's annotation now names another type: `javax.annotation.PreDestroy` and
    # `jakarta.annotation.PreDestroy` are read by different containers (Spring 5 by the first,
    # Spring 6 by the second), so a swapped import silently stops or starts the hook.
    moved = _annotation_imports(head) if base is not None else {}
    was = _annotation_imports(base) if base is not None else {}
    for name in sorted(SHUTDOWN_ANNOTATIONS & moved.keys() & was.keys()):
        if moved[name][0] == was[name][0] or moved[name][1] not in added:
            continue
        lines = head.source.decode("utf-8", "replace").splitlines()
        for key, (first, last) in sorted(mine.items(), key=lambda kv: kv[1]):
            if "::implements " in key or not any(f"@{name}" in line for line in lines[first - 1:last]):
                continue
            out.append(("head", moved[name][1], moved[name][1],
                        f"`{key}` is a shutdown hook by its `@{name}`, which now names `{moved[name][0]}` (was "
                        f"`{was[name][0]}`): a container reads one of them only, so the hook may no longer run when "
                        "the application stops (or run where it did not). Say which one this application's container "
                        "honours."))
    for key, (first, last) in sorted(theirs.items(), key=lambda kv: kv[1]):
        if key in mine or not any(r in removed for r in range(first, last + 1)):
            continue
        out.append(("base", first, first if "::implements " in key else last,
                    f"`{key.replace('::implements ', ' implementing ')}`, a shutdown hook, is gone: what it stopped "
                    "or released on shutdown now stays until the process ends, or stops in another order."))
    return out


# A thread pool a class holds, and the calls that start or stop it. openhab's HTTP client factory
# began starting and stopping the Jetty pool its HTTP and WebSocket clients share (apps-q).
POOL_TYPES = re.compile(r"\b(?:ExecutorService|ScheduledExecutorService|ThreadPoolExecutor|ScheduledThreadPoolExecutor"
                        r"|ThreadPoolTaskExecutor|ThreadPoolTaskScheduler|ForkJoinPool|QueuedThreadPool"
                        r"|ExecutorThreadPool|ThreadPool)\b")
_LIFECYCLE = frozenset({"start", "stop", "shutdown", "shutdownNow", "close", "awaitTermination", "initialize", "destroy",
                        "join"})


def _pools(p: Parsed) -> set[str]:
    """The names of the fields (and locals) a Java file declares with a thread pool's type."""
    names: set[str] = set()
    for n in nodes_of(p, frozenset({"field_declaration", "local_variable_declaration"})):
        kind = n.child_by_field_name("type")
        if kind is not None and POOL_TYPES.search(p.text(kind)):
            names.update(p.text(d.child_by_field_name("name")) for d in n.named_children
                         if d.type == "variable_declarator" and d.child_by_field_name("name") is not None)
    return names


def _lifecycle_calls(p: Parsed, pools: set[str]) -> list:
    out = []
    for n in nodes_of(p, frozenset({"method_invocation"})):
        name, target = n.child_by_field_name("name"), n.child_by_field_name("object")
        if name is not None and target is not None and p.text(name) in _LIFECYCLE \
                and p.text(target).removeprefix("this.") in pools:
            out.append(n)
    return out


def pool_lifecycle(head: Parsed, base: Parsed | None, added: dict[int, str]) -> list[tuple[str, int, int, str]]:
    """("head", line, line, message) for each call that starts or stops a thread pool the class
    holds, on a changed line, that its method did not make as often on the base."""
    if head.language != "java":
        return []
    pools = _pools(head)
    if not pools:
        return []
    before = Counter((qualname(units_at(base, n.start_point[0]), base), "".join(base.text(n).split()))
                     for n in _lifecycle_calls(base, _pools(base))) if base is not None else Counter()
    out = []
    for n in _lifecycle_calls(head, pools):
        line = n.start_point[0] + 1
        key = (qualname(units_at(head, n.start_point[0]), head), "".join(head.text(n).split()))
        if line not in added:
            continue
        if before[key] > 0:
            before[key] -= 1
            continue
        call = head.text(n.child_by_field_name("name"))
        out.append(("head", line, line, (
            f"`{head.text(n.child_by_field_name('object'))}.{call}(…)` now {'starts' if call in ('start', 'initialize') else 'stops'} "
            f"a thread pool in `{key[0]}`: tasks submitted when it is not running are refused, those running when it "
            "stops are cut off or waited for, and a pool two owners share (two clients, a scheduler) is stopped "
            "under the other. Say who owns it, and what still runs on it then.")))
    return out


def _annotation_imports(p: Parsed) -> dict[str, tuple[str, int]]:
    """The annotation types a Java/Kotlin file imports by name: simple name -> (qualified name,
    line of the import). An aliased import names no annotation by its own name."""
    from .jvm import single_type_imports

    return {dotted.rpartition(".")[2]: (dotted, line) for dotted, alias, line in single_type_imports(p) if not alias}
