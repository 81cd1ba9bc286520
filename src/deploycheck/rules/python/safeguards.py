"""Concurrency control changed (DC201, DC202), safeguards removed (DC320) and retries added to
non-idempotent work (DC330).

Both sides of a file are indexed once into *occurrences* of concurrency constructs (row locks,
transactions, locks, F()/conditional updates, get_or_create, idempotency keys, on_commit,
retries), each tagged with its enclosing function. A removed occurrence is reported only when
its function (or, if the function is gone, the file) has fewer of that kind in the head than in
the base, so a line that merely moved is not reported; the same comparison, the other way,
finds added or changed control.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass

from ..base import FileContext, Rule, rule_docs
from .gate import any_in, may_change_safeguards, migration_kind, should_analyse
from .source import (
    own_nodes,
    PyModule,
    chain_attrs,
    chain_calls,
    chain_root,
    dotted,
    has_lock_word,
    is_lock_name,
    last_name,
    module_for,
    receiver,
    string_value,
)


def _rule(rule_id: str, name: str, category: str, severity: str, questions: tuple[str, ...], summary: str, **docs: str) -> Rule:
    return Rule(
        id=rule_id, name=name, category=category, severity=severity, questions=questions,
        summary=summary, languages=("python",), **rule_docs(**docs),
    )


LOCKING_CHANGED = _rule(
    "DC201", "locking-changed", "concurrency", "warning", ("sequential-assumption", "concurrency-tested"),
    "A lock, transaction, row lock (select_for_update) or on_commit hook was added or changed.",
    what_it_does="""
        Reports added or changed locking: `select_for_update()`/`with_for_update()`,
        `SELECT … FOR UPDATE`, `transaction.atomic` (decorator, `with`, call),
        `session.begin()`/`begin_nested()`, thread/process/asyncio locks and semaphores,
        Redis/cache locks (`.lock()`, `SET NX`, `cache.add`), advisory locks, file locks,
        `transaction.on_commit()`, and the project's own wrappers listed in `lock_wrappers`.
        Also, without a lock keyword: the project's own lock helpers (any call named like a
        lock, `task_lock(name)`, `acquire_category_tree_lock()`, and helpers returning a locked
        queryset, `*_select_for_update()`), SQLite `BEGIN`/`BEGIN IMMEDIATE`, and, inside a
        function that exists on both sides, the lock order (`sorted()` in a function that takes
        locks, `order_by()` on the locked rows), Redis MULTI pipelines
        (`pipeline(transaction=True)`), pool sizes (`ThreadPoolExecutor`, `Pool`,
        `max_workers=`, `concurrent.futures.wait`) and whether a call waits for the work it
        starts (`block=`, `blocking=`, `synchronous=` added or changed: `send(m, block=True)`
        sends on the caller's thread instead of a background one). A row lock is counted on the line of the
        method name, so `.with_for_update()` alone on a continuation line of a multi-line query
        is seen there. When a safeguard leaves a function and a helper of the same file that
        the function now calls holds one of the same kind, the move is reported here at the
        call, instead of as a removal. A `finally:` block that releases a lock (`lock.release()`,
        `unlock()`, `release_lock()`) is reported at its `finally:` line when it is new in a
        function that exists on both sides (the release moved into it) or its statements changed
        (what a failed run still releases or undoes next to the lock); logging in it is ignored.
        "Changed" means the line holding the construct was edited (e.g. `skip_locked=True`
        added); a line that only moved or was re-indented is not reported.
        """,
    why_bad="""
        Locking changes how concurrent workers interact even when it makes the code safer: a
        new lock can deadlock with another taken in a different order, a transaction can hold
        row locks for the length of a slow HTTP call, `skip_locked` silently skips work. The
        checklist questions apply, so this is a `warning`, never `high`.
        """,
    known_problems="""
        Counts are compared per function; when a function is renamed or moved, the comparison
        is per file, so a lock moved into a new function of the same file is not reported.
        A lock release is recognised by name (a receiver or function named like a lock), so the
        release of a resource that holds a lock internally (an index writer, a pool connection)
        is seen only when it sits in the same `finally:` as a named lock's release.
        """,
    example="""
        def reserve(product_id, quantity):
            with transaction.atomic():
                product = Product.objects.select_for_update().get(pk=product_id)
                product.stock -= quantity
                product.save()
        """,
    use_instead="""
        Keep the change, and answer the checklist: name the test that exercises two workers at
        once, and check the lock order against other code that locks the same rows.
        """,
)
ATOMIC_WRITE_CHANGED = _rule(
    "DC202", "atomic-write-changed", "concurrency", "warning", ("shared-state", "concurrency-tested"),
    "An F()/conditional update, an atomic Redis/cache counter (incr), get_or_create replacing create(), or an idempotency key was added or changed.",
    what_it_does="""
        Reports added or changed atomic writes: `update()` with `F()` or column expressions,
        conditional updates (`filter(version=…)`, `filter(stock__gte=…)` before `update()`, also on a
        queryset bound to a name on an earlier line: `q = M.objects.filter(status=old)`, `q.update(status=new)`),
        `obj.f = F("f") + 1`, relative SQL (`SET col = col - %s`), `ON CONFLICT`, an idempotency
        key (any name, keyword or header containing "idempotency"), `get_or_create()`/
        `update_or_create()` when they replace a `create()` in the same function, and atomic
        counters on a shared store: Redis `incr`/`incrby`/`decr`/`decrby`/`hincrby`/
        `hincrbyfloat`/`incrbyfloat`/`zincrby` and Django cache `cache.incr()`/`decr()`.
        Inside a function that exists on both sides also: Redis `WATCH`/`MULTI`, Lua scripts
        (`register_script`, `eval`/`evalsha`, `fcall`), upserts (`INSERT … ON CONFLICT`,
        `on_conflict_do_*()`, `bulk_create(update_conflicts=…)`), an `except IntegrityError`
        (or `UniqueViolation`) handler, and `get_or_create()`/`update_or_create()` replacing a
        `create()` or `bulk_create()`.
        """,
    why_bad="""
        These change the semantics of concurrent writes: a conditional update can now update
        nothing (is a row count of 0 handled?), `get_or_create` needs a unique constraint to be
        safe, an idempotency key changes what a retry does. Safer, but a `warning`: someone
        should check the new behaviour under concurrency.
        """,
    known_problems="""
        A brand-new `get_or_create()` that does not replace a `create()` is not reported (it is
        ordinary code). Idempotency keys are recognised by name only.

        Counters are told apart from other `incr()` methods by a heuristic. A receiver counts as a
        store when it is named like one (`redis`, `self.redis`, `cache`, `caches["default"]`,
        `ctx["redis"]`, `get_redis_connection()`) or bound in the file to a client
        (`r = redis.Redis()`, `with r.pipeline() as pipe`), or when it has a generic client name
        (`r`, `client`, `conn`, `pipe`) and the file does not only import a metrics library.
        It never counts when it is named like a metrics client (`statsd`, `metrics`, `stats`)
        or bound in the same file to a local object (`counter = Tally()`,
        `ticket = itertools.count()`, a literal). A Redis client reached through another name
        (`self.store.incr()`) is missed; a project object called `client` with an `incr()`
        method, passed in as a parameter, is reported.
        """,
    example="""
        # main: product.stock -= quantity; product.save()
        Product.objects.filter(pk=product_id, stock__gte=quantity).update(stock=F("stock") - quantity)
        """,
    use_instead="""
        Nothing to rewrite; handle the outcome of the new construct explicitly:

        updated = Product.objects.filter(pk=product_id, stock__gte=quantity).update(stock=F("stock") - quantity)
        if not updated:
            raise OutOfStock(product_id)
        """,
)
SAFEGUARD_REMOVED = _rule(
    "DC320", "safeguard-removed", "shared-state", "high", ("shared-state", "sequential-assumption", "concurrency-tested"),
    "A lock, select_for_update, F() update, transaction, idempotency key, on_commit or unique constraint was removed.",
    what_it_does="""
        Reports, on the base side (line numbers of the base version), the removal of a
        safeguard: `select_for_update()`/`with_for_update()`/`FOR UPDATE`, an `F()` or
        column-expression update, a conditional `update()`, a queryset `update()` replaced by
        `save()`, a `save(update_fields=…)` made a plain `save()` (every field written back as
        read), atomic counters (`incr`), `transaction.atomic`/`session.begin()`, a lock
        (threading, Redis `.lock()`, `SET NX`, advisory, file locks, `lock_wrappers`), an
        idempotency key, `transaction.on_commit()`, or `get_or_create()`/`update_or_create()`/
        `ON CONFLICT`, a project's own lock helper (`with task_lock(name) as (lock, acquired):`
        deleted), Redis `WATCH`/`MULTI` and MULTI pipelines, Lua scripts, an `except
        IntegrityError` handler and the lock order; and a model's unique constraint
        (SQLAlchemy's or Django's `UniqueConstraint(…)`, a field's `unique=True`, Django's
        `unique_together`), which is what makes an insert race fail loudly instead of
        duplicating rows. A lock release taken out of its `finally:`
        block (the lock is now left held when the code before it raises) is reported on the head
        line of the release. A lock guard turned the other way round
        (`if acquired:` -> `if not acquired:` on a name bound from a lock) is reported on the
        head line. The enclosing function of the base and head versions is compared, so a
        safeguard that merely moved within the function (or, for a renamed function, within the
        file) is not reported.
        """,
    why_bad="""
        The added lines of such a change look harmless ("minor refactor"), which is exactly why
        reviews miss it: the protection is in what disappeared. Each of these safeguards exists
        because concurrent workers otherwise lose updates, double-apply effects or read
        uncommitted data.
        """,
    known_problems="""
        When a whole function is deleted (and no function was added to the file), its
        safeguards are not reported: they went with the code they protected. A safeguard moved
        to another file (for example into a helper module) is reported as removed from this one; suppress it with a reason (`# deploycheck: ignore[DC320] moved
        to inventory/locking.py`) on the removed line's neighbour in the head, or answer the
        checklist.
        """,
    example="""
        # main
        Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)   # DC320 (base side)
        # branch
        product = Product.objects.get(pk=product_id)
        product.stock = product.stock - quantity
        product.save()
        """,
    use_instead="""
        Keep the safeguard; if the refactor needs the object, lock it or update atomically:

        Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)
        product.refresh_from_db(fields=["stock"])
        """,
)
RETRY_NOT_IDEMPOTENT = _rule(
    "DC330", "retry-without-idempotency", "job", "warning", ("sequential-assumption", "silent-failure"),
    "Retries were added to a job whose side effect (email, payment, HTTP POST, new rows) has no idempotency key.",
    what_it_does="""
        Reports retries added to a job (`autoretry_for=`, `max_retries=`, `retry_backoff=`,
        `retries=`, `self.retry()`, tenacity's `@retry`, `backoff.on_exception`, RQ
        `Retry(max=…)`, or a hand-written retry loop: a `while`/`for` holding a `try:` that
        leaves the loop on success and an `except` that lets it go round again) when the job has a side effect that is not idempotent — sends email,
        charges a payment, POSTs to an HTTP API, creates rows with `create()`, enqueues or
        publishes messages — and no idempotency key appears in it. Severity `warning`: whether
        a retry can repeat the effect depends on where the failure happens, which only the
        author can judge.
        """,
    why_bad="""
        A retry runs the whole job again. If the failure (or a timeout, or a worker killed
        after the effect but before the acknowledgement) happened after the side effect, the
        customer gets two emails, is charged twice, or two rows appear.
        """,
    known_problems="""
        Side effects are recognised by name (`send_mail`, `requests.post`, `stripe…create`,
        `objects.create`, any `send()`/`send_…()`/`notify()`/`deliver()`); an effect hidden in a
        helper with another name is not seen. A retry loop is recognised by its shape only; one
        whose failure branch ends in `continue` before a `raise` it never reaches is still one.
        """,
    example="""
        @shared_task(autoretry_for=(RequestException,), max_retries=5)
        def charge_order(order_id):
            order = Order.objects.get(pk=order_id)
            requests.post(PAYMENTS_URL, json={"order": order_id, "amount": order.total})
        """,
    use_instead="""
        @shared_task(autoretry_for=(RequestException,), max_retries=5)
        def charge_order(order_id):
            order = Order.objects.get(pk=order_id)
            requests.post(
                PAYMENTS_URL,
                json={"order": order_id, "amount": order.total},
                headers={"Idempotency-Key": f"charge-{order_id}"},
            )
        """,
)

RULES = (LOCKING_CHANGED, ATOMIC_WRITE_CHANGED, SAFEGUARD_REMOVED, RETRY_NOT_IDEMPOTENT)

# kind -> (rule for additions, or None when additions are not reported)
ADDED_RULE = {
    "row-lock": LOCKING_CHANGED,
    "transaction": LOCKING_CHANGED,
    "lock": LOCKING_CHANGED,
    "on-commit": LOCKING_CHANGED,
    "atomic-update": ATOMIC_WRITE_CHANGED,
    "get-or-create": ATOMIC_WRITE_CHANGED,
    "idempotency": ATOMIC_WRITE_CHANGED,
    "optimistic": ATOMIC_WRITE_CHANGED,
    "redis-transaction": LOCKING_CHANGED,
    "atomic-script": ATOMIC_WRITE_CHANGED,
    "upsert": ATOMIC_WRITE_CHANGED,
    "conflict-handling": ATOMIC_WRITE_CHANGED,
    "lock-order": LOCKING_CHANGED,
    "parallelism": LOCKING_CHANGED,
}
REMOVED_CONSEQUENCE = {
    "row-lock": "concurrent transactions can now read the same row and overwrite each other's changes",
    "atomic-update": "the value is no longer changed atomically in the database, so concurrent workers can overwrite each other's update",
    "plain-update": "save() writes back every field as it was read, so concurrent workers can overwrite each other's changes",
    "transaction": "its statements no longer commit or roll back together, and row locks taken inside it are released at once",
    "lock": "code it serialised can now run in several workers at once",
    "idempotency": "a retried or duplicated message can now apply its side effect twice",
    "on-commit": "deferred work can now run before the transaction commits, or after it rolls back",
    "get-or-create": "two workers running at once can now both create the row",
    "upsert": "two workers running at once can now both insert the row, or the second one fails on the unique key",
    "optimistic": "the optimistic transaction no longer aborts when another client changes the watched keys, so concurrent updates overwrite each other",
    "atomic-script": "the steps the script ran as one atomic command now run as separate commands that other clients can interleave",
    "redis-transaction": "its commands no longer run as one step: other clients can change or read the keys between them",
    "conflict-handling": "a duplicate written by a concurrent worker now raises instead of being read back",
    "lock-order": "rows are now locked in no fixed order, so two workers locking overlapping rows can deadlock",
    # A new user's trial (bookwyrm, session 25): a Celery task's `save(update_fields=[...])` became `save()`.
    "narrow-save": "save() now writes back every field as it was read, so a concurrent write to another field of the row is lost",
    # A new user's trial (CTFd, session 26): `db.UniqueConstraint("challenge_id", "user_id")` on
    # solves deleted after signing, while the code's `except IntegrityError` still counted on it.
    "unique": "the database no longer refuses a duplicate row, so two requests or workers that both find the row missing both insert it, silently",
}
# Kinds reported only inside a function that exists on both sides: a pool, an upsert or a Lua
# script in new code is how new code is written, not a change to how existing code is protected.
_CHANGES_ONLY = frozenset({"parallelism", "optimistic", "redis-transaction", "atomic-script", "upsert", "conflict-handling", "lock-order"})
# What a changed (not added or removed) occurrence of these kinds means, when it is not the generic text.
CHANGED_CONSEQUENCE = {
    "parallelism": "this changes how many of these run at the same time, or how long the caller waits for them",
    "lock-order": "the order in which rows are locked decides whether two workers deadlock",
    "optimistic": "the transaction now aborts (and must be retried) whenever another client changes a watched key first",
    "atomic-script": "the script's steps run as one command that other clients cannot interleave, and it blocks the store while it runs",
    "upsert": "concurrent inserts of the same key are now resolved by the database instead of by the code around them",
    "redis-transaction": "its commands now run as one step (reads inside it see one snapshot, writes land together), and the code must use the results of execute()",
    "conflict-handling": "a duplicate written by a concurrent worker is now handled instead of raising",
}

_COUNTERS = ("incr", "incrby", "decr", "decrby", "hincrby", "hincrbyfloat", "incrbyfloat", "zincrby")

# Which `x.incr()` is an atomic counter on a shared store (Redis, a Django/memcached cache) rather
# than a method of some local object: decided from the receiver's name and the file's imports.
_STORE_WORDS = ("redis", "cache", "memcache", "valkey")
_CLIENT_NAMES = {"r", "client", "conn", "connection", "pipe", "pipeline", "rc", "pool", "redis_pool"}
_METRIC_WORDS = ("statsd", "metric", "stats", "datadog", "prometheus", "telemetry", "gauge")
_STORE_IMPORTS = {
    "redis", "aioredis", "django_redis", "fakeredis", "valkey", "coredis", "rediscluster", "walrus",
    "pymemcache", "memcache", "pylibmc", "aiomcache", "aiocache", "flask_caching",
}
_METRIC_IMPORTS = {"statsd", "datadog", "prometheus_client", "aiodogstatsd", "markus"}
_STORE_FACTORIES = {"Redis", "StrictRedis", "RedisCluster", "from_url", "get_redis_connection", "pipeline", "Client", "PooledClient", "HashClient"}
_RELATIVE_SQL = re.compile(r"\bset\s+(\w+)\s*=\s*\1\s*[-+]")
_ROW_LOCK_SQL = re.compile(r"\bfor\s+(?:no\s+key\s+)?(?:update|share)\b")


@dataclass(frozen=True)
class Occurrence:
    kind: str
    label: str
    line: int
    scope: str
    report_added: bool = True


def _column_expression(node: ast.AST) -> bool:
    """``Model.col - n`` / ``table.c.col + 1`` / ``F("col")``: an expression the database evaluates."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and last_name(sub.func) == "F":
            return True
        if isinstance(sub, ast.BinOp):
            for side in (sub.left, sub.right):
                if isinstance(side, ast.Attribute) and (chain_root(side)[:1].isupper() or ".c." in dotted(side)):
                    return True
    return False


def _update_kind(call: ast.Call, module: PyModule | None = None) -> tuple[str, str] | None:
    """Classify ``.update(...)``/``.values(...)``: atomic (F/column expression/conditional) or plain."""
    attrs = chain_attrs(call.func)
    ormish = any(a in attrs for a in ("objects", "filter", "exclude", "query", "where", "_default_manager"))
    values = [kw.value for kw in call.keywords] + list(call.args)
    model = next((attrs[i - 1] for i, a in enumerate(attrs) if a in ("objects", "_default_manager") and i > 0), None)
    fields = [kw.arg for kw in call.keywords if kw.arg]
    where = f" of {model}.{'/'.join(fields)}" if model and fields else ""
    if any(_column_expression(v) for v in values):
        return "atomic-update", f"the F() update{where}" if any(
            isinstance(s, ast.Call) and last_name(s.func) == "F" for v in values for s in ast.walk(v)
        ) else f"the column-expression update{where}"
    node = call.func.value if isinstance(call.func, ast.Attribute) else None
    chains = [node]
    if isinstance(node, ast.Name) and module is not None:
        # `q = Check.objects.filter(id=…, status=old); q.update(status="down")`: the queryset was
        # built on an earlier line; any of the file's bindings of that name that filters on an
        # updated field makes it a compare-and-set (name-based, as the other bindings here are).
        chains = [v for v in _bindings(module).get(node.id, []) if isinstance(v, ast.Call)]
        ormish = any(a in ("objects", "filter", "exclude", "_default_manager") for v in chains for a in chain_attrs(v))
    if not ormish:
        return None
    filter_keys: set[str] = set()
    for node in chains:
        while isinstance(node, (ast.Call, ast.Attribute)):
            if isinstance(node, ast.Call):
                if last_name(node.func) in ("filter", "exclude"):
                    filter_keys.update(kw.arg for kw in node.keywords if kw.arg)
                node = node.func
            else:
                node = node.value
    base_keys = {k.split("__")[0] for k in filter_keys}
    if any("version" in k for k in base_keys) or set(fields) & base_keys or any(
        k.endswith(("__gt", "__gte", "__lt", "__lte")) for k in filter_keys
    ):
        return "atomic-update", f"the conditional update(){where}"
    return "plain-update", f"the queryset update(){where}"


def _sql_occurrence(call: ast.Call) -> tuple[str, str] | None:
    if not call.args:
        return None
    sql = _sql_text(call)
    if sql is None:
        return None
    sql = " ".join(sql.lower().split())
    if "pg_advisory" in sql or "get_lock(" in sql:
        return "lock", "the advisory lock"
    if _ROW_LOCK_SQL.search(sql):
        return "row-lock", "`SELECT … FOR UPDATE`"
    if sql.strip().rstrip(";") in ("begin", "begin deferred", "begin transaction", "begin deferred transaction"):
        return "transaction", "`BEGIN` (deferred: two SQLite writers that both read first fail with 'database is locked'; use BEGIN IMMEDIATE)"
    if sql.strip().rstrip(";").startswith(("begin immediate", "begin exclusive")):
        return "transaction", f"`{sql.strip().rstrip(';').upper()}`"
    if "on conflict" in sql or "on duplicate key" in sql or "insert ignore" in sql:
        return "upsert", "`INSERT … ON CONFLICT`"
    if _RELATIVE_SQL.search(sql):
        return "atomic-update", "the relative UPDATE (SET col = col ± n)"
    return None


def call_line(call: ast.Call) -> int:
    """The line a reader sees the call on: the method's name for ``x.m(…)``, so that
    ``.with_for_update()`` alone on a continuation line of a multi-line query counts there."""
    if isinstance(call.func, ast.Attribute) and call.func.end_lineno is not None:
        return call.func.end_lineno
    return call.lineno


def _sql_text(call: ast.Call) -> str | None:
    """The SQL of ``execute("…")``, ``execute(text("…"))`` or ``execute(sql.SQL("…"))``."""
    first = call.args[0]
    if isinstance(first, ast.Call) and last_name(first.func) in ("text", "SQL", "RawSQL", "literal_column") and first.args:
        first = first.args[0]
    return string_value(first)


def _bindings(module: PyModule) -> dict[str, list[ast.AST]]:
    """Every value assigned to a name or attribute in the file, by its dotted target: ``{"r": [redis.Redis()]}``."""
    if "bindings" not in module.memo:
        found: dict[str, list[ast.AST]] = {}
        for node, _scope in module.assigns:
            value = getattr(node, "value", None)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, (ast.Name, ast.Attribute)):
                        found.setdefault(dotted(target), []).append(value)
        for item, _node, _scope in module.with_items:  # with redis.Redis() as r / with r.pipeline() as pipe
            if isinstance(item.optional_vars, (ast.Name, ast.Attribute)):
                found.setdefault(dotted(item.optional_vars), []).append(item.context_expr)
        module.memo["bindings"] = found
    return module.memo["bindings"]


def _store_value(value: ast.AST) -> bool | None:
    """True for a store client (``redis.Redis()``, ``caches["x"]``, ``r.pipeline()``), False for an
    obviously local object (a number, a literal, ``itertools.count()``, ``Tally()``), None if unknown."""
    inner = value.value if isinstance(value, ast.Await) else value
    text = dotted(inner).lower()
    if any_in(text, _STORE_WORDS) or (isinstance(inner, ast.Call) and last_name(inner.func) in _STORE_FACTORIES):
        return True
    if isinstance(inner, ast.Subscript) and isinstance(inner.slice, ast.Constant) and any_in(str(inner.slice.value).lower(), _STORE_WORDS):
        return True
    if isinstance(inner, (ast.Constant, ast.List, ast.Dict, ast.Set, ast.Tuple, ast.ListComp, ast.DictComp)):
        return False
    if isinstance(inner, ast.Call):
        callee = last_name(inner.func)
        if callee[:1].isupper() or callee in ("count", "defaultdict", "Value"):
            return False  # a class of the project or the standard library, not named like a store
    return None


def is_store_client(recv: ast.AST, module: PyModule) -> bool:
    """Whether ``recv`` in ``recv.incr(...)`` looks like a Redis/cache client.

    Named like a store (``redis``, ``self.redis``, ``cache``, ``caches["default"]``,
    ``ctx["redis"]``, ``get_redis_connection()``), or a generic client name (``r``, ``client``,
    ``conn``, ``pipe``) that is not a metrics client; in both cases unless the file binds that
    name to an obviously local object (``counter = Tally()``, ``r = itertools.count()``).
    """
    text = dotted(recv).lower()
    if any_in(text, _METRIC_WORDS):
        return False  # statsd.incr("x"): a metric, not shared application state
    values = _bindings(module).get(dotted(recv), [])
    verdicts = [_store_value(v) for v in values]
    if any(v is True for v in verdicts):
        return True
    if any(v is False for v in verdicts):
        return False
    if _store_value(recv):
        return True
    if last_name(recv).lower().lstrip("_") in _CLIENT_NAMES:
        # a bare client parameter: Redis/cache unless the file only talks to a metrics service
        return bool(module.imports & _STORE_IMPORTS) or not (module.imports & _METRIC_IMPORTS)
    return False


_QUERYSET_READS = frozenset({"objects", "_default_manager", "filter", "exclude", "all", "annotate", "order_by",
                             "select_related", "prefetch_related", "distinct"})


def _django_read(call: ast.Call, module: PyModule | None) -> bool:
    """`Model.objects.filter(…).values(…, pid=F("x"))`: a Django queryset's projection, which
    reads. SQLAlchemy's `.values(…)` writes, after an `update()` or `insert()` in its chain:
    `orders.update()`, `sa.update(T)`, and at the chain's root (`update(T).filter(…)`, whose
    `filter` is `where`'s synonym), or in the statement a variable at the root holds
    (`stmt = update(T)`; `stmt.filter(…).values(…)`)."""
    names = [a.lower() for a in chain_attrs(call.func)]
    if not any(a in _QUERYSET_READS for a in names[1:]) or _writes_rows(names):
        return False
    root = chain_root(call)
    if root and module is not None:
        return not any(isinstance(v, ast.Call) and _writes_rows([a.lower() for a in chain_attrs(v)])
                       for v in _bindings(module).get(root, []))
    return True


def _writes_rows(names: list[str]) -> bool:
    """Whether a chain's names (lower-cased, root first) build an SQLAlchemy UPDATE or INSERT.
    The root counts only as the function itself (`update`, `pg_insert`): a model named
    `UpdateLog` is no statement."""
    return any("update" in a or "insert" in a for a in names[1:]) or bool(names) and (
        names[0] in ("update", "insert") or names[0].endswith(("_update", "_insert")))


def _call_occurrence(call: ast.Call, wrappers: tuple[str, ...], module: PyModule | None = None) -> tuple[str, str, bool] | None:
    tail = last_name(call.func)
    recv = receiver(call)
    recv_text = dotted(recv).lower() if recv is not None else ""
    name = dotted(call.func)
    if tail in ("select_for_update", "with_for_update", "with_lockmode"):
        return "row-lock", f"`{tail}()`", True
    if tail in ("execute", "executemany", "exec_driver_sql", "raw"):
        found = _sql_occurrence(call)
        return (*found, True) if found else None
    if tail == "values" and _django_read(call, module):
        return None
    if tail in ("update", "values", "aupdate"):
        found = _update_kind(call, module)
        return (*found, True) if found else None
    if tail in _COUNTERS and recv is not None and module is not None and is_store_client(recv, module):
        return "atomic-update", f"the atomic `{dotted(call.func)}()`", True
    if tail == "on_commit":
        return "on-commit", "`transaction.on_commit()`", True
    if tail in ("get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create"):
        return "get-or-create", f"`{tail}()`", True
    if tail in ("on_conflict_do_nothing", "on_conflict_do_update", "on_duplicate_key_update"):
        return "upsert", f"`{tail}()`", True
    if tail in ("create", "acreate", "bulk_create", "abulk_create") and any(a in chain_attrs(call.func) for a in ("objects", "_default_manager")):
        if tail.endswith("bulk_create") and any(kw.arg in ("update_conflicts", "ignore_conflicts") for kw in call.keywords):
            return "upsert", f"`{tail}(…conflicts=…)`", True
        return "create", f"{tail}()", False
    if tail == "pipeline" and any(kw.arg == "transaction" and isinstance(kw.value, ast.Constant) and kw.value.value is True for kw in call.keywords):
        return "redis-transaction", f"the MULTI pipeline `{name}(transaction=True)`", True
    if tail in ("watch", "multi") and recv is not None and module is not None and is_store_client(recv, module):
        return "optimistic", f"`{tail.upper()}` (`{name}()`)", True
    if tail in ("register_script", "script_load", "fcall", "fcall_ro") or (
        tail in ("eval", "evalsha") and recv is not None and module is not None and is_store_client(recv, module)
    ):
        return "atomic-script", f"the Lua script `{name}()`", True
    if tail in ("ThreadPoolExecutor", "ProcessPoolExecutor", "ThreadPool") or (
        tail == "Pool" and chain_root(call.func) in ("multiprocessing", "mp", "Pool")
    ) or (tail == "wait" and chain_root(call.func) in ("concurrent", "futures", "wait")):
        return "parallelism", f"`{name}()`", True
    if tail in ("save", "asave"):
        if any(kw.arg == "update_fields" for kw in call.keywords):
            # Only the named columns written: a concurrent write to another column survives it.
            return "narrow-save", f"`{tail}(update_fields=…)`", True
        return "save", "save()", False
    if tail == "atomic":
        return "transaction", "`transaction.atomic`", True
    if tail in ("begin", "begin_nested") and any_in(recv_text, ("session", "engine", "conn", "db")):
        return "transaction", f"`{dotted(call.func)}()`", True
    if tail in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "FileLock", "SoftFileLock", "flock", "lockf", "acquire"):
        return "lock", f"`{name}()`", True
    if tail == "lock" and recv is not None:
        return "lock", f"the lock `{name}()`", True
    if tail == "set" and any(kw.arg == "nx" for kw in call.keywords):
        return "lock", "`SET NX`", True
    if tail == "setnx" or (tail == "add" and chain_root(call.func) == "cache"):
        return "lock", f"`{name}()`", True
    if "advisory" in tail.lower():
        return "lock", f"the advisory lock `{tail}()`", True
    if tail == "retry" or tail == "Retry" or tail == "on_exception":
        return "retry", f"`{name}()`", True
    if name in wrappers or tail in wrappers:
        return ("lock" if has_lock_word(tail) else "transaction"), f"`{name}`", True
    if "for_update" in tail:  # a project helper returning a locked queryset: category_qs_select_for_update()
        return "row-lock", f"`{name}()`", True
    if has_lock_word(tail) and not _NOT_TAKING.search(tail):
        return "lock", f"the lock helper `{name}()`", True
    return None


# Helpers named like locks that do not take one: release_lock(), is_locked(), lock_key(...).
_NOT_TAKING = re.compile(r"(?i)release|unlock|^is_|^has_|locked$|_key$|_name$|_id$|_path$|^get_lock_|expire|extend|refresh|renew|owner|status|^check")


_LOCK_CALLS = ("select_for_update", "with_for_update", "with_lockmode")
# Keywords that decide whether a call waits for the work it starts (a thread, a queue put/get, a
# lock) or hands it off and returns.
_BLOCKING_KEYWORDS = ("block", "blocking", "synchronous")
_RETRY_KEYWORDS = ("autoretry_for", "max_retries", "retry_backoff", "retry_kwargs", "retries", "retry")


def occurrences(module: PyModule, wrappers: tuple[str, ...]) -> list[Occurrence]:
    if "occurrences" in module.memo:
        return module.memo["occurrences"]
    out: list[Occurrence] = []
    locking_scopes = set()
    for call, scope in module.calls:
        found = _call_occurrence(call, wrappers, module)
        if found:
            kind, label, report = found
            out.append(Occurrence(kind, label, call_line(call), scope, report))
            if kind in ("row-lock", "lock"):
                locking_scopes.add(scope)
        if last_name(call.func) == "order_by" and any(c in _LOCK_CALLS for c in chain_calls(call)):
            # M.objects.select_for_update().order_by("pk"): the rows are locked in that order
            out.append(Occurrence("lock-order", "the lock order (`order_by()` on the locked rows)", call_line(call), scope))
        elif found and found[0] == "row-lock" and "order_by" in chain_calls(call)[:-1]:
            order = next(c for c in _chain(call) if last_name(c.func) == "order_by")
            out.append(Occurrence("lock-order", "the lock order (`order_by()` on the locked rows)", call_line(order), scope))
        for kw in call.keywords:
            if kw.arg in _RETRY_KEYWORDS and not (isinstance(kw.value, ast.Constant) and kw.value.value in (0, None, False)):
                out.append(Occurrence("retry", f"`{kw.arg}=`", kw.value.lineno, scope))
            elif kw.arg in ("max_workers", "processes", "max_concurrency", "concurrency", "max_jobs") and last_name(call.func)[:1].isupper() | (
                last_name(call.func) in ("Pool", "ThreadPoolExecutor", "ProcessPoolExecutor", "create_pool")
            ):
                out.append(Occurrence("parallelism", f"`{kw.arg}=` of `{dotted(call.func)}()`", kw.value.lineno, scope))
            elif kw.arg in _BLOCKING_KEYWORDS:  # send(m, block=True): inline instead of on a thread, or the reverse
                out.append(Occurrence("parallelism", f"`{kw.arg}=` of `{dotted(call.func)}()`", kw.value.lineno, scope))
    for call, scope in module.calls:  # sorted(ids) in a function that takes locks: the lock order
        if scope in locking_scopes and last_name(call.func) == "sorted" and isinstance(call.func, ast.Name):
            out.append(Occurrence("lock-order", "the lock order (`sorted()` before taking the locks)", call.lineno, scope))
    for call, scope in module.calls:  # the database's own refusal of a duplicate row
        if last_name(call.func) == "UniqueConstraint":
            out.append(Occurrence("unique", "the unique constraint (`UniqueConstraint(…)`)", call_line(call), scope, False))
        elif any(kw.arg == "unique" and isinstance(kw.value, ast.Constant) and kw.value.value is True for kw in call.keywords) \
                and (last_name(call.func)[:1].isupper() or last_name(call.func) in ("Column", "mapped_column")):
            out.append(Occurrence("unique", f"`unique=True` of `{dotted(call.func)}()`", call_line(call), scope, False))
    for node, scope in module.assigns:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "unique_together" for t in node.targets):
            out.append(Occurrence("unique", "Django's `unique_together`", node.lineno, scope, False))
    for loop in _retry_loops(module):
        fn = module.function_at(loop.lineno)
        kind = "while" if isinstance(loop, ast.While) else "for"
        out.append(Occurrence("retry", f"a `{kind}` retry loop", loop.lineno, fn.qualname if fn else ""))
    for handler, scope in _integrity_handlers(module):
        out.append(Occurrence("conflict-handling", "the `except IntegrityError` handler", handler.lineno, scope))
    for fn in module.functions:
        for name, deco in fn.decorators:
            if isinstance(deco, ast.Call):
                continue  # already seen among the calls
            tail = name.rsplit(".", 1)[-1]
            if tail == "atomic":
                out.append(Occurrence("transaction", f"`@{name}`", deco.lineno, fn.qualname))
            elif tail == "retry":
                out.append(Occurrence("retry", f"`@{name}`", deco.lineno, fn.qualname))
            elif name in wrappers or tail in wrappers or is_lock_name(name, ()):
                out.append(Occurrence("lock" if is_lock_name(name, ()) else "transaction", f"`@{name}`", deco.lineno, fn.qualname))
    for item, _node, scope in module.with_items:
        expr = item.context_expr
        if isinstance(expr, ast.Call):
            continue  # among the calls (a lock helper of the project: `with task_lock(name) as (lock, acquired)`)
        name = dotted(expr)
        if is_lock_name(name, wrappers) or name in wrappers:
            out.append(Occurrence("lock" if is_lock_name(name, wrappers) else "transaction", f"`with {name}`", expr.lineno, scope))
    for node, scope in module.assigns:
        if isinstance(node, (ast.Assign, ast.AugAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) for t in targets) and any(
                isinstance(s, ast.Call) and last_name(s.func) == "F" for s in ast.walk(node.value)
            ):
                out.append(Occurrence("atomic-update", "the F() assignment", node.lineno, scope))
    for _name, line, scope in module.identifiers:
        out.append(Occurrence("idempotency", "the idempotency key", line, scope))
    module.memo["occurrences"] = out
    return out


def _chain(call: ast.AST):
    node = call
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript, ast.Await)):
        if isinstance(node, ast.Call):
            yield node
            node = node.func
        else:
            node = node.value


def _ends_iteration(body: list[ast.stmt]) -> bool:
    """Whether a block always leaves the loop it is in (raise, return, break as its last statement)."""
    return bool(body) and isinstance(body[-1], (ast.Raise, ast.Return, ast.Break))


def _retry_loops(module: PyModule) -> list[ast.For | ast.AsyncFor | ast.While]:
    """Hand-written retries: a loop holding a ``try:`` that leaves the loop when it succeeds
    (``return``/``break`` in the try block or its ``else:``) and has a handler that does not, so a
    failure runs the try block again. A consumer loop that logs a failure and goes on to the next
    message never leaves on success, so it is not one."""
    out = []
    for loop in ast.walk(module.tree):
        if not isinstance(loop, (ast.For, ast.AsyncFor, ast.While)):
            continue
        for stmt in loop.body:
            if not isinstance(stmt, ast.Try) or not stmt.handlers:
                continue
            leaves = any(isinstance(s, (ast.Return, ast.Break)) for s in stmt.body + stmt.orelse)
            if leaves and any(not _ends_iteration(h.body) for h in stmt.handlers):
                out.append(loop)
                break
    return out


def _integrity_handlers(module: PyModule) -> list[tuple[ast.ExceptHandler, str]]:
    """``except IntegrityError:`` (or UniqueViolation, …) handlers with the function they sit in."""
    out = []
    for fn in module.functions:
        for node in ast.walk(fn.node):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {last_name(n) for n in ast.walk(node.type) if isinstance(n, (ast.Name, ast.Attribute))}
                if names & {"IntegrityError", "UniqueViolation", "UniqueViolationError", "DuplicateKeyError"}:
                    if module.function_at(node.lineno) is fn:
                        out.append((node, fn.qualname))
    return out


def _counts(occs: list[Occurrence]) -> tuple[Counter, Counter]:
    by_scope: Counter = Counter()
    by_file: Counter = Counter()
    seen: set[tuple[str, int]] = set()
    for occ in occs:
        if (occ.kind, occ.line) in seen:
            continue  # one per line and kind: `idempotency_key=idempotency_key` is one key
        seen.add((occ.kind, occ.line))
        by_scope[(occ.scope, occ.kind)] += 1
        by_file[occ.kind] += 1
    return by_scope, by_file


def _count(scope: str, kind: str, module: PyModule | None, counts: tuple[Counter, Counter] | None, other: PyModule | None) -> int:
    """The number of ``kind`` in ``scope`` (file-wide when the scope does not exist on both sides)."""
    if module is None or counts is None:
        return 0
    if other is not None and scope in module.scopes and scope in other.scopes:
        return counts[0][(scope, kind)]
    return counts[1][kind]


def code_only(line: str) -> str:
    """A line without its trailing comment and with whitespace collapsed: what "moved" compares."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            line = line[:index]
            break
    return " ".join(line.split())


def _sentence_start(label: str) -> str:
    """Capitalise prose labels ("the F() update …"); code labels are quoted as they are."""
    if label.startswith("the "):
        return "T" + label[1:]
    return label


def _where(scope: str) -> str:
    return f"`{scope}`" if scope else "module-level code"


def detect_safeguards(ctx: FileContext):
    if not should_analyse(ctx) or migration_kind(ctx.path) or not may_change_safeguards(ctx):
        return  # migrations run once, in one process: DC4xx cover them
    wrappers = ctx.settings.lock_wrappers
    head = module_for(ctx, "head") if ctx.file.new_path is not None else None
    base = module_for(ctx, "base") if ctx.file.old_path is not None else None
    if head is None and ctx.file.new_path is not None:
        return  # unparsable head: comparing against it would report every safeguard as removed
    head_occ = occurrences(head, wrappers) if head else []
    base_occ = occurrences(base, wrappers) if base else []
    head_counts = _counts(head_occ) if head else None
    base_counts = _counts(base_occ) if base else None
    if base is not None and head is not None and ctx.removed:
        yield from _removed(ctx, head, base, head_counts, base_counts, base_occ)
        yield from _inverted_guards(ctx, head, base, wrappers)
    if base is not None and head is not None and ctx.added:
        yield from _release_paths(ctx, head, base)
    if head is not None and ctx.added:
        yield from _added(ctx, head, base, head_counts, base_counts, head_occ)


def _removed(ctx, head, base, head_counts, base_counts, base_occ):
    deficits: dict[tuple[str, str], int] = {}
    per_line: dict[int, list[Occurrence]] = {}
    renamed_possible = bool(head.scopes - base.scopes)
    for occ in base_occ:
        if occ.line not in ctx.removed or occ.kind not in REMOVED_CONSEQUENCE:
            continue
        if occ.scope not in head.scopes and not renamed_possible:
            continue  # the whole function was deleted: its safeguard went with the code it protected
        key = (occ.scope, occ.kind)
        if key not in deficits:
            before = _count(occ.scope, occ.kind, base, base_counts, head)
            after = _count(occ.scope, occ.kind, head, head_counts, base)
            deficit = before - after
            if occ.kind in ("plain-update", "narrow-save"):  # only a safeguard when a save() took its place
                saves = sum(_count(occ.scope, kind, head, head_counts, base) - _count(occ.scope, kind, base, base_counts, head)
                            for kind in ("save", "narrow-save") if kind != occ.kind)
                deficit = deficit if saves > 0 else 0
            deficits[key] = deficit
        if deficits[key] > 0:
            deficits[key] -= 1
            per_line.setdefault(occ.line, []).append(occ)
    moved: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for line in list(per_line):
        kept = []
        for occ in per_line[line]:
            into = _moved_into_helper(occ, head, base, ctx.settings.lock_wrappers, moved)
            if into is None:
                kept.append(occ)
            else:
                helper_line, helper = into
                yield LOCKING_CHANGED.finding(
                    ctx.path, helper_line,
                    f"{_sentence_start(occ.label)} moved from {_where(occ.scope)} into `{helper}()`, which it now calls: "
                    "check that the helper still guards the same rows or code, in the same transaction.",
                )
        if kept:
            per_line[line] = kept
        else:
            del per_line[line]
    for line, occs in sorted(per_line.items()):
        labels = list(dict.fromkeys(o.label for o in occs))
        first = occs[0]
        what = _sentence_start(" and ".join(labels))
        message = f"{what} was removed from {_where(first.scope)}: {REMOVED_CONSEQUENCE[first.kind]}."
        yield SAFEGUARD_REMOVED.finding(ctx.path, line, message, side="base")


def _scope_calls(module: PyModule, scope: str) -> dict[str, int]:
    """Names called directly in ``scope`` (not in nested functions), with the first line of each."""
    out: dict[str, int] = {}
    for call, where in module.calls:
        if where == scope:
            out.setdefault(last_name(call.func), call.lineno)
    return out


def _moved_into_helper(occ: Occurrence, head: PyModule, base: PyModule, wrappers, used) -> tuple[int, str] | None:
    """(line, name) of a call, new in the head's ``occ.scope``, to a function of the head file that
    holds a safeguard of the same kind: the safeguard moved into a helper, it was not removed.
    Each helper call accounts for as many removed safeguards as the helper holds."""
    if occ.scope not in head.scopes or occ.kind not in ("row-lock", "lock", "transaction", "atomic-update", "on-commit", "get-or-create", "upsert"):
        return None
    key = (occ.scope, occ.kind)
    if key not in used:
        before = _scope_calls(base, occ.scope) if occ.scope in base.scopes else {}
        budget: list[tuple[int, str]] = []
        for name, line in _scope_calls(head, occ.scope).items():
            if name in before:
                continue
            for fn in head.by_name.get(name, []):
                held = [o for o in occurrences(head, wrappers) if o.kind == occ.kind and (o.scope == fn.qualname or o.scope.startswith(fn.qualname + "."))]
                budget.extend([(line, name)] * len(held))
        used[key] = budget
    return used[key].pop(0) if used[key] else None


def _lock_guards(module: PyModule, wrappers) -> dict[tuple[str, str], list[tuple[int, bool]]]:
    """``if acquired:`` / ``if not acquired:`` on a name bound from a lock: ``with task_lock(k) as
    (lock, acquired)``, ``acquired = lock.acquire(blocking=False)``, ``ok = cache.add(k, 1)``.
    {(scope, name): [(line, positive), …]}."""
    lock_lines = {o.line for o in occurrences(module, wrappers) if o.kind == "lock"}
    bound: set[tuple[str, str]] = set()
    for item, _node, scope in module.with_items:
        if isinstance(item.context_expr, ast.Call) and call_line(item.context_expr) in lock_lines and item.optional_vars is not None:
            bound.update((scope, n.id) for n in ast.walk(item.optional_vars) if isinstance(n, ast.Name))
    for node, scope in module.assigns:
        value = getattr(node, "value", None)
        if isinstance(node, ast.Assign) and isinstance(value, ast.Call) and call_line(value) in lock_lines:
            bound.update((scope, n.id) for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
    out: dict[tuple[str, str], list[tuple[int, bool]]] = {}
    if not bound:
        return out
    for fn in module.functions:
        for node in ast.walk(fn.node):
            if not isinstance(node, (ast.If, ast.While, ast.IfExp)) or module.function_at(node.lineno) is not fn:
                continue
            test, positive = node.test, True
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                test, positive = test.operand, False
            if isinstance(test, ast.Name) and (fn.qualname, test.id) in bound:
                out.setdefault((fn.qualname, test.id), []).append((node.lineno, positive))
    return out


def _inverted_guards(ctx, head, base, wrappers):
    """DC320 for a lock guard turned the other way round (``if acquired:`` -> ``if not acquired:``)."""
    before = _lock_guards(base, wrappers)
    if not before:
        return
    for key, tests in _lock_guards(head, wrappers).items():
        old = {positive for line, positive in before.get(key, []) if line in ctx.removed}
        for line, positive in tests:
            if line in ctx.added and (not positive) in old and positive not in {p for _l, p in before.get(key, [])}:
                shown = key[1] if positive else f"not {key[1]}"
                yield SAFEGUARD_REMOVED.finding(
                    ctx.path, line,
                    f"The lock guard in {_where(key[0])} was inverted to `if {shown}:`: the code it guarded now runs "
                    "exactly when the lock was not acquired, i.e. while another worker holds it.",
                )


def _added(ctx, head, base, head_counts, base_counts, head_occ):
    removed_text = {code_only(text) for text in ctx.removed.values()}
    per_line: dict[tuple[int, Rule], list[tuple[Occurrence, str]]] = {}
    retries: list[Occurrence] = []
    surplus: dict[tuple[str, str], int] = {}
    for occ in head_occ:
        if occ.line not in ctx.added or not occ.report_added:
            continue
        key = (occ.scope, occ.kind)
        if key not in surplus:
            surplus[key] = _count(occ.scope, occ.kind, head, head_counts, base) - _count(occ.scope, occ.kind, base, base_counts, head)
        if surplus[key] > 0:
            surplus[key] -= 1
            verb = "added"
        elif base is not None and occ.scope not in base.scopes:
            continue  # a new function holding as many as the file had: moved here (see _moved_into_helper)
        elif code_only(ctx.added[occ.line]) not in removed_text:
            verb = "changed"
        else:
            continue  # the same line, moved
        if occ.kind == "retry":
            if verb == "added":
                retries.append(occ)
            continue
        rule = ADDED_RULE.get(occ.kind)
        if rule is None:
            continue
        if occ.kind in _CHANGES_ONLY and (base is None or occ.scope not in base.scopes):
            continue  # new code written this way is not a change of how existing code is protected
        if occ.kind == "get-or-create":  # only when it replaces a plain create()
            if base is None or occ.scope not in base.scopes:
                continue  # new code: an ordinary get_or_create, not a replacement
            replaced = base_counts[0][(occ.scope, "create")] - head_counts[0][(occ.scope, "create")]
            if verb != "added" or replaced <= 0:
                continue
        per_line.setdefault((occ.line, rule), []).append((occ, verb))
    for (line, rule), items in sorted(per_line.items(), key=lambda kv: (kv[0][0], kv[0][1].id)):
        labels = " and ".join(dict.fromkeys(o.label for o, _ in items))
        verb = "added" if any(v == "added" for _, v in items) else "changed"
        why = CHANGED_CONSEQUENCE.get(items[0][0].kind, "this changes how concurrent workers interact (waits, deadlocks, ordering)")
        message = f"{_sentence_start(labels)} was {verb} in {_where(items[0][0].scope)}: {why}, so test it under concurrency."
        yield rule.finding(ctx.path, line, message)
    yield from _retries(ctx, head, retries)


# ---- where a lock is released: in a `finally:` or only on the success path -------------------


def _lock_release(call: ast.Call) -> str | None:
    """``self._lock.release()``, ``lock.unlock()``, ``release_lock(key)``: the name of a call that
    releases a lock, or None. ``conn.release()`` (a pool connection) is not one."""
    tail = last_name(call.func)
    recv = receiver(call)
    lower = tail.lower()
    if tail in ("release", "unlock") and recv is not None and has_lock_word(dotted(recv)):
        return dotted(call.func)
    if has_lock_word(tail) and ("release" in lower or "unlock" in lower):
        return dotted(call.func)
    return None


@dataclass(frozen=True)
class _FinallyRelease:
    line: int  # the `finally:` keyword
    end: int
    shape: tuple[str, ...]  # the block's statements without positions, logging left out
    released: frozenset[str]


def _finally_line(module: PyModule, node: ast.Try) -> int:
    """The line of the ``finally:`` keyword, which the syntax tree does not record."""
    first = node.finalbody[0].lineno
    lines = module.text.splitlines()
    for number in range(first, node.lineno, -1):
        if code_only(lines[number - 1]).startswith("finally"):
            return number
    return first


def _release_sites(module: PyModule) -> dict[str, tuple[list[_FinallyRelease], dict[str, list[int]]]]:
    """Per function: the ``finally:`` blocks that release a lock, and the lock releases outside any
    ``finally:`` (name -> lines)."""
    if "release-sites" in module.memo:
        return module.memo["release-sites"]
    from .equiv import is_logging_statement

    out: dict[str, tuple[list[_FinallyRelease], dict[str, list[int]]]] = {}
    for fn in module.functions:
        finals: list[_FinallyRelease] = []
        in_finally: set[int] = set()
        calls: list[tuple[ast.Call, str]] = []
        for node in own_nodes(fn.node):  # the function's own code, not its nested functions'
            if isinstance(node, ast.Call):
                name = _lock_release(node)
                if name:
                    calls.append((node, name))
            elif isinstance(node, ast.Try) and node.finalbody:
                released = {_lock_release(sub) for stmt in node.finalbody for sub in ast.walk(stmt) if isinstance(sub, ast.Call)}
                released.discard(None)
                if not released:
                    continue
                in_finally.update(id(sub) for stmt in node.finalbody for sub in ast.walk(stmt))
                shape = tuple(ast.dump(stmt) for stmt in node.finalbody if not is_logging_statement(stmt))
                end = max(stmt.end_lineno or stmt.lineno for stmt in node.finalbody)
                finals.append(_FinallyRelease(_finally_line(module, node), end, shape, frozenset(n for n in released if n)))
        outside: dict[str, list[int]] = {}
        for call, name in calls:
            if id(call) not in in_finally:
                outside.setdefault(name, []).append(call_line(call))
        if finals or outside:
            out[fn.qualname] = (finals, outside)
    module.memo["release-sites"] = out
    return out


def _release_paths(ctx, head, base):
    """DC201 for a ``finally:`` that releases a lock and was added or changed (what a failed run
    still undoes); DC320 for a lock release taken out of its ``finally:`` (a failed run now leaves
    the lock held). Only for functions that exist on both sides."""
    before, after = _release_sites(base), _release_sites(head)
    for scope, (finals, outside) in after.items():
        if scope not in base.scopes:
            continue
        old_finals, _old_outside = before.get(scope, ([], {}))
        old_shapes = {f.shape for f in old_finals}
        old_released = {name for f in old_finals for name in f.released}
        for final in finals:
            if final.shape in old_shapes or not any(n in ctx.added for n in range(final.line, final.end + 1)):
                continue
            names = ", ".join(f"`{n}()`" for n in sorted(final.released))
            if final.released <= old_released:
                what = f"The `finally:` block that calls {names} in {_where(scope)} changed"
            else:
                what = f"{names} in {_where(scope)} now runs in a `finally:` block"
            yield LOCKING_CHANGED.finding(
                ctx.path, final.line,
                f"{what}: it decides what a failed run still releases or undoes, and whether the next "
                "worker finds the lock (or what it guards) held, so test the failure path.",
                final.end,
            )
        now_in_finally = {name for f in finals for name in f.released}
        for name in sorted(old_released - now_in_finally):
            lines = [n for n in outside.get(name, []) if n in ctx.added]
            if lines:
                yield SAFEGUARD_REMOVED.finding(
                    ctx.path, lines[0],
                    f"`{name}()` in {_where(scope)} is no longer in a `finally:` block: when the code "
                    "before it raises, the lock stays held and every later worker waits for it or fails.",
                )


# ---- DC330 ----------------------------------------------------------------------------------


def _side_effect(fn: ast.AST) -> str | None:
    for sub in ast.walk(fn):
        if not isinstance(sub, ast.Call):
            continue
        tail = last_name(sub.func)
        recv = receiver(sub)
        recv_text = dotted(recv).lower() if recv is not None else ""
        name = dotted(sub.func)
        if tail in ("send_mail", "send_mass_mail", "mail_admins", "mail_managers", "send_email", "send_sms", "send_templated_mail"):
            return "sends email"
        if tail == "send" and any_in(recv_text, ("mail", "email", "message", "msg", "sms")):
            return "sends a message"
        if tail in ("send", "notify", "deliver") or tail.startswith(("send_", "notify_")):
            return f"sends or notifies (`{name}()`)"
        if tail in ("post", "put", "patch") and chain_root(sub.func) in ("requests", "httpx", "session", "client", "http", "self"):
            return f"makes an HTTP {tail.upper()}"
        if tail in ("charge", "capture", "refund", "payout", "transfer") or ("stripe" in name.lower() and tail == "create"):
            return "charges or moves money"
        if tail in ("create", "bulk_create") and any(a in chain_attrs(sub.func) for a in ("objects", "_default_manager")):
            return "creates rows"
        if tail in ("delay", "apply_async", "send_task", "publish", "basic_publish", "produce", "send_message"):
            return "enqueues or publishes messages"
    return None


def _retries(ctx: FileContext, head: PyModule, retries: list[Occurrence]):
    done: set[str] = set()
    idempotent_scopes = {scope for _n, _l, scope in head.identifiers}
    for occ in retries:
        fn = head.by_qualname.get(occ.scope)
        if fn is None or fn.qualname in done:
            continue
        if any(s == fn.qualname or s.startswith(fn.qualname + ".") for s in idempotent_scopes):
            continue
        effect = _side_effect(fn.node)
        if effect is None:
            continue
        done.add(fn.qualname)
        yield RETRY_NOT_IDEMPOTENT.finding(
            ctx.path, occ.line,
            f"Retries were added to `{fn.qualname}` ({occ.label}), which {effect} without an idempotency key: "
            "a retry after a timeout or partial failure repeats the side effect.",
        )


DETECTORS = (detect_safeguards,)
