"""Concurrency hazards in Python (DC301–DC311): read-modify-write without protection, and
check-then-act.

Each changed function is read once, top to bottom (``source.steps``), by every analysis here.
A hazard is reported when any line of its read, recomputation or write is added by the change:
``line`` is the first added line from the start of the hazard span (the recomputation for DC301,
the read or check for the others) to the write, ``end_line`` is the write.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from ..base import FileContext, Finding, Rule, rule_docs
from .jobs import JobKind, enclosing_job, job_map, open_mode
from .gate import HAZARD_TRIGGERS, any_in, may_add_hazard, migration_kind, should_analyse
from .source import (
    FunctionInfo,
    PyModule,
    Step,
    chain_attrs,
    chain_calls,
    chain_root,
    dotted,
    first_changed,
    iter_calls,
    last_name,
    module_for,
    names_in,
    receiver,
    short,
    steps,
    string_value,
    touches,
)

# concurrency-tested too: each of these races is what a test under concurrent load must exercise (a new
# user's trial, session 26: a high check-then-act left "n/a" to that question unchallenged).
_Q = ("shared-state", "sequential-assumption", "concurrency-tested")


def _rule(rule_id: str, name: str, summary: str, questions: tuple[str, ...] = _Q, **docs: str) -> Rule:
    return Rule(
        id=rule_id, name=name, category="shared-state", severity="high", questions=questions,
        summary=summary, languages=("python",), **rule_docs(**docs),
    )


LOST_UPDATE = _rule(
    "DC301", "lost-update", "An ORM object's field is read, recomputed from itself and saved without a lock or F() expression.",
    what_it_does="""
        Finds a read-modify-write through an ORM: an object is loaded (`Model.objects.get()`,
        `.first()`, `get_object_or_404()`, `session.get()`, `session.query(...).one()`, a `for`
        loop over a queryset), one of its fields is recomputed from its own value
        (`obj.f = obj.f - n`, `obj.f -= n`, through a temporary, through a helper given the
        field, `obj.data["k"] += 1`, `obj.tags.append(...)`), and the object is
        written back (`save()`, `bulk_update()`, `session.commit()`/`flush()`), with no
        `select_for_update()`/`with_for_update()` on the read, no enclosing lock, and (for
        SQLAlchemy) no `version_id_col` in the file. A statement or queryset kept in a local
        variable carries its lock to the read that runs it:
        `stmt = select(M).where(…).with_for_update()` then `session.execute(stmt).scalar_one()`,
        or `qs = M.objects.select_for_update()` then `qs.get(…)`, read locked rows.

        Reported from the first changed line of the recomputation to the write (`line` is the
        recomputation when it is part of the change, `end_line` the `save()`/`commit()`), when
        any line of the read, the recomputation or the write is added by the change.
        """,
    why_bad="""
        Two workers load the same row, both compute from the same stale value, and the second
        `save()` silently overwrites the first: a stock decrement, a balance change or a
        counter increment is lost. Nothing fails, no exception is raised, and a single-worker
        test or staging environment never shows it. `save()` also writes back every other
        field as it was read, undoing concurrent changes to them.
        """,
    known_problems="""
        Data flow is followed inside one function only: a helper that loads, changes and saves
        in different functions is not seen, a statement is followed through plain
        `name = …` assignments only (not through attributes or containers). `obj.f = helper(obj)`
        (the whole object handed to a helper) counts as a recomputation of `f` when the helper,
        defined in the same file, reads that field of its parameter, and always when the helper
        is defined elsewhere (it cannot be read here, so the change must show it is safe). A version check done inside a custom `save()` (for
        example django-concurrency's `VersionField`) is not visible; suppress the finding with
        `# deploycheck: ignore[DC301] versioned model` on the line.
        """,
    example="""
        # main
        @shared_task
        def reserve_stock(product_id, quantity):
            Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)

        # branch "minor refactor"
        @shared_task
        def reserve_stock(product_id, quantity):
            product = Product.objects.get(pk=product_id)
            product.stock = product.stock - quantity     # DC301 from here …
            product.save()                               # … to here
        """,
    use_instead="""
        Let the database do the arithmetic, or lock the row for the transaction:

        @shared_task
        def reserve_stock(product_id, quantity):
            updated = Product.objects.filter(pk=product_id, stock__gte=quantity).update(
                stock=F("stock") - quantity
            )
            if not updated:
                raise OutOfStock(product_id)

        # or
        with transaction.atomic():
            product = Product.objects.select_for_update().get(pk=product_id)
            product.stock -= quantity
            product.save(update_fields=["stock"])
        """,
)
RAW_SQL_LOST_UPDATE = _rule(
    "DC302", "sql-lost-update", "A column is SELECTed, recomputed in Python and written back with UPDATE … SET col = %s.",
    what_it_does="""
        Finds raw SQL read-modify-write in one function: a `SELECT col … FROM t` without
        `FOR UPDATE`/`FOR SHARE` (run by `execute()`, asyncpg's `fetch()`/`fetchrow()`/
        `fetchval()` or `databases`' `fetch_one()`/`fetch_all()`/`fetch_val()`, as used in arq
        and asyncio workers), then `UPDATE t SET col = %s` where the new value is a
        parameter computed in Python (placeholders `%s`, `%(name)s`, `?`, `:name`, `$1`,
        f-string fields), and the `WHERE` clause does not re-check the column or a version.
        Reported from the first changed line of the SELECT … UPDATE span to the UPDATE.
        """,
    why_bad="""
        Between the SELECT and the UPDATE another transaction can change the row; the UPDATE
        then writes a value computed from stale data and the other change is lost. Under the
        default READ COMMITTED isolation, wrapping both statements in a transaction does not
        help.
        """,
    known_problems="""
        The SQL must be a literal (or a local variable holding one) in the same function.
        A function that takes an advisory lock (`pg_advisory_xact_lock`, `GET_LOCK`) or
        `LOCK TABLE` anywhere is considered serialised.
        """,
    example="""
        cursor.execute("SELECT balance FROM accounts WHERE id = %s", [account_id])
        balance = cursor.fetchone()[0]
        cursor.execute("UPDATE accounts SET balance = %s WHERE id = %s", [balance - amount, account_id])
        """,
    use_instead="""
        cursor.execute(
            "UPDATE accounts SET balance = balance - %s WHERE id = %s AND balance >= %s",
            [amount, account_id, amount],
        )
        if cursor.rowcount == 0:
            raise InsufficientFunds(account_id)
        """,
)
CACHE_LOST_UPDATE = _rule(
    "DC303", "cache-lost-update", "A Redis or cache key is read with get() and written back with set() outside WATCH, a lock or an atomic command.",
    what_it_does="""
        Finds `value = r.get(key)` (Redis) or `cache.get(key)` (Django cache), followed in the
        same function by `set(key, …)`/`setex`/`hset` on the same client and key with a value
        derived from what was read, outside `WATCH`/`MULTI` (a `.watch()` call in the function),
        a lock, or an atomic command. Reported from the first changed line between the get and
        the set, ending at the set. Also a count read with `get`, compared in an `if`, and
        incremented later with `inc`/`incr`/`incrby`/`hincrby` on the same key: the increment is
        atomic, the decision taken on the earlier read is not (CTFd's attempt limit).
        """,
    why_bad="""
        Two processes read the same value, both compute a new one, and the last `set` wins:
        counters under-count, quotas are exceeded, cached aggregates go wrong. Redis and
        memcached execute each command atomically, but not a sequence of two.
        """,
    known_problems="""
        Keys are compared as written (`f"quota:{user_id}"` in both calls); a key built in a
        variable in one place and inline in the other is not matched. Receivers named like
        request data or configuration (`request`, `settings`, `environ`, …) are ignored.
        """,
    example="""
        count = int(r.get(f"quota:{user_id}") or 0)
        r.set(f"quota:{user_id}", count + 1)
        """,
    use_instead="""
        r.incr(f"quota:{user_id}")              # Redis: INCR/INCRBY/HINCRBY, or a Lua script
        cache.incr(f"quota:{user_id}")          # Django cache (after cache.add(key, 0))
        """,
)
FILE_LOST_UPDATE = _rule(
    "DC304", "file-lost-update", "A job reads a file and rewrites it without a file lock.",
    what_it_does="""
        Finds job code (see DC101) that reads a file (`open(p)`, `p.read_text()`,
        `json.load(open(p))`) and later rewrites the same path (`open(p, "w")`,
        `p.write_text()`, `os.replace(tmp, p)`), with no file lock (`fcntl.flock`, `lockf`,
        `filelock.FileLock`, portalocker, a `with …lock…:` block) in the function.
        """,
    why_bad="""
        Two workers load the same JSON/state file, each adds its change, and the second write
        replaces the first. Writing through a temporary file and `os.replace` makes the write
        atomic but does not stop the lost update.
        """,
    known_problems="""
        Paths are compared as written. Only reported in job, queue or worker code, where
        concurrent runs are expected; a CLI script that does the same is not flagged.
        """,
    example="""
        @shared_task
        def record_run(name):
            state = json.loads(STATE_FILE.read_text())
            state[name] = state.get(name, 0) + 1
            STATE_FILE.write_text(json.dumps(state))
        """,
    use_instead="""
        Keep shared state in the database (an F() update), or hold a lock across the read and
        the write:

        @shared_task
        def record_run(name):
            with FileLock(f"{STATE_FILE}.lock"):
                state = json.loads(STATE_FILE.read_text())
                state[name] = state.get(name, 0) + 1
                STATE_FILE.write_text(json.dumps(state))
        """,
)
GLOBAL_LOST_UPDATE = _rule(
    "DC305", "unsynchronised-global-update", "Code run by threads or workers updates a module-level dict/list in place without a lock.",
    what_it_does="""
        Finds code run by threads, pools or job workers (see DC101) that updates a module-level
        dict, list or set in place from its own value: `COUNTS[k] += 1`,
        `TOTALS[k] = TOTALS.get(k, 0) + n`, `n = TOTALS.get(k, 0)` then `TOTALS[k] = n + 1`,
        `if k not in SEEN: SEEN[k] = …`, or a `global` rebinding such as `CACHE = CACHE + [x]`,
        outside a `with lock:` block. A function is worker code when the same file hands it to
        `threading.Thread(target=…)`, an executor's or pool's `submit`/`map`/`apply_async`
        (whatever the pool variable is called, e.g. `with ThreadPoolExecutor() as ex`),
        `asyncio.create_task`/`gather`, or `loop.run_in_executor`. A `with` block counts as a
        lock when its name says so (`lock`, `mutex`, …) or when the file binds that name to a
        `threading`/`asyncio`/`multiprocessing` `Lock`, `RLock`, `Semaphore` or `Condition`.
        """,
    why_bad="""
        `+=` on a dict item is a read, an add and a write: threads interleave between them and
        lose increments. In worker processes (Celery prefork, RQ, multiprocessing) each process
        has its own copy of the module, so the "shared" value silently diverges per worker and
        disappears on restart.
        """,
    known_problems="""
        Only module-level names bound to a mutable literal or constructor (`{}`, `[]`, `dict()`,
        `defaultdict()`, `Counter()`, …) are tracked. A change in place (`append`, `add`,
        `update`, `pop`, …) is reported when an `if` that tests the same name guards it
        (`if url not in SEEN: SEEN.add(url)`: check-then-act), and in jobs that run in worker
        processes (Celery, RQ, Dramatiq, …), where each process changes its own copy; a plain
        append in a thread or pool worker is one step under the GIL and is not reported, nor are
        item assignments that do not read the old value. A function handed to a runner in another
        module is only seen through DC101's other signals (decorators, `job_paths`).
        """,
    example="""
        PROCESSED = {}

        def worker(item):
            PROCESSED[item.kind] = PROCESSED.get(item.kind, 0) + 1

        with ThreadPoolExecutor() as pool:
            pool.map(worker, items)
        """,
    use_instead="""
        PROCESSED = Counter()
        PROCESSED_LOCK = threading.Lock()

        def worker(item):
            with PROCESSED_LOCK:
                PROCESSED[item.kind] += 1
        """,
)
CHECK_THEN_ACT = _rule(
    "DC310", "check-then-act", "A row's existence is checked and then it is created, saved or deleted in a separate step.",
    what_it_does="""
        Finds a check followed by an action in a separate step on the same model: `if
        M.objects.filter(...).exists()` (or `.count()`, `.first()`, a variable loaded with
        `.first()` tested for None) then `M.objects.create()`, `obj.save()`, `obj.delete()` or
        `session.add(M(...))` inside the `if` (or after it, when the `if` returns early); and
        `try: M.objects.get(...) except M.DoesNotExist: M.objects.create(...)`. Not reported
        when the action is inside `try … except IntegrityError` or a lock, or the check uses
        `select_for_update()`, nor when a create runs only because the checked row was found
        (after `if x is None: return`, or inside `if x:`): it makes another row, a copy, which no
        concurrent run can find missing.
        Also an optimistic-concurrency precondition checked on an unlocked read: an `if` that
        compares an ETag or `If-Match`/`If-Unmodified-Since` value (then any later `save()`/
        `update()`/`perform_update()` counts) or a row's version field (`obj.version`,
        `obj.updated_at`; then a later `obj.save()`) and leaves the function on a mismatch, in a
        function with no row lock, when the write does not compare the version itself
        (`filter(pk=…, version=…).update(…)`).
        """,
    why_bad="""
        Between the check and the action another worker can do the same check: both see "not
        there" and both create it (duplicate rows, double-sent invoices), or both see "there"
        and both delete or update it. The window is small, which is why tests never hit it and
        production, with retries and parallel consumers, does.
        """,
    known_problems="""
        Models are matched by name (the model in the check must be the model created or the
        variable saved). A unique constraint in the database turns the duplicate into an
        `IntegrityError`; if you rely on that, catch it (then the rule is satisfied).
        Preconditions are recognised by name (`etag`, `if_match`, a version field); a version
        kept under another name is not seen, and a lock taken in a helper the function calls is
        not seen either (the precondition is then reported although the row is locked).
        """,
    example="""
        if not Invoice.objects.filter(order=order).exists():
            Invoice.objects.create(order=order, amount=order.total)
        """,
    use_instead="""
        invoice, created = Invoice.objects.get_or_create(order=order, defaults={"amount": order.total})
        # with a UniqueConstraint on Invoice.order; or:
        try:
            with transaction.atomic():
                Invoice.objects.create(order=order, amount=order.total)
        except IntegrityError:
            pass
        """,
)
FILE_CHECK_THEN_ACT = _rule(
    "DC311", "file-check-then-act", "A job checks that a file exists (or not) and then writes or removes it in a separate step.",
    what_it_does="""
        Finds job code (see DC101) that checks for a file (`os.path.exists(p)`,
        `os.path.isfile(p)`, `p.exists()`) and then, in the `if` or after an early return,
        writes (`open(p, "w")`, `p.write_text()`), appends or removes (`os.remove(p)`,
        `p.unlink()`) the same path without a file lock.
        """,
    why_bad="""
        Two workers both see "no file yet" and both write it, one overwriting the other; or
        both see the file and the second `remove` raises. The check gives a false sense of
        exclusivity.
        """,
    known_problems="""
        Paths are compared as written. Directory creation (`os.makedirs`) is not reported; use
        `exist_ok=True`.
        """,
    example="""
        @shared_task
        def export_report(day):
            path = EXPORT_DIR / f"{day}.csv"
            if not path.exists():
                path.write_text(render_report(day))
        """,
    use_instead="""
        @shared_task
        def export_report(day):
            path = EXPORT_DIR / f"{day}.csv"
            try:
                with open(path, "x") as fh:   # fails if another worker created it first
                    fh.write(render_report(day))
            except FileExistsError:
                pass
        """,
)
ENQUEUE_BEFORE_COMMIT = _rule(
    "DC340", "enqueue-before-commit",
    "A task is enqueued before the state it needs is committed or written (in a transaction block without on_commit, before save()/commit(), with its file still open); a send moved out of a transaction, or a message moved in two calls (warning).",
    ("sequential-assumption", "shared-state"),
    what_it_does="""
        Finds work enqueued before the state it needs is committed or written, in one
        function: a send (`.delay()`, `.apply_async()`, `send_task()`, `async_task()`,
        `.enqueue()`, `.send_with_options()`) inside `with transaction.atomic():` (or
        `session.begin()`, `conn.transaction()`, or a function under `@transaction.atomic`)
        that is not deferred with `transaction.on_commit()`; a send whose arguments name an
        object that is `save()`d later in the function, or followed by the session's
        `commit()`; a send given a file (`f.name`) inside the `with open(…, "w") as f` /
        `NamedTemporaryFile()` block that writes it. Reported at the send when it is added,
        or at the `with` line when the block was put around an existing send. A send moved out
        of the transaction block it was inside on the base side is reported as a `warning`: it
        now goes out after the commit, which is usually the fix, but it no longer rolls back
        with the rows and its order relative to the other writes changed. Also a `warning`: a
        message moved in two calls, a copy enqueued or published (`enqueue`, `publish`,
        `rpush`, `xadd`, …) and then the original acknowledged or removed (`ack`,
        `delete_message`, `xack`, `lrem`, …), outside a pipeline.
        """,
    why_bad="""
        The broker delivers at once, the database commits later. A fast worker starts the task
        before the commit and does not find the row (or reads its old values), and after a
        rollback the task runs for rows that never existed. A file handed over while still
        open may be read before its last buffer is flushed. Tests with eager tasks or one slow
        worker never show it.
        """,
    known_problems="""
        Only sends in the same function as the transaction, save or file are seen; a
        transaction opened by the caller (or by `ATOMIC_REQUESTS`) is not. A save of another
        object the task does not read is still reported when the task is given that object.
        """,
    example="""
        def place_order(request):
            with transaction.atomic():
                order = Order.objects.create(user=request.user)
                send_confirmation.delay(order.pk)            # DC340: may run before the commit
        """,
    use_instead="""
        def place_order(request):
            with transaction.atomic():
                order = Order.objects.create(user=request.user)
                transaction.on_commit(lambda: send_confirmation.delay(order.pk))
        """,
)
CLAIM_WITHOUT_LOCK = _rule(
    "DC313", "claim-without-lock",
    "Rows or documents are selected and then claimed with an UPDATE by their ids in a separate statement, without FOR UPDATE SKIP LOCKED or re-checking the selection.",
    what_it_does="""
        Finds the "claim" half of a home-made job queue or lease in one function: candidate
        rows or documents are selected (`select(...).where(...)`, `M.objects.filter(...)`,
        `collection.find({...})`) without `with_for_update(skip_locked=True)` /
        `select_for_update()`, and then marked as taken by an update whose only filter is
        "id in the ids just read" (`t.update().values(...).where(t.c.id.in_(ids))`,
        `M.objects.filter(pk__in=ids).update(...)`, `update_many({"_id": {"$in": ids}}, …)`).
        Reported from the first changed line of the select … update span.
        """,
    why_bad="""
        Two workers (or schedulers) polling at the same moment both select the same free rows
        before either has marked them, and both mark and run them: the same job runs twice. A
        transaction around the two statements does not help under READ COMMITTED, and a
        document store's multi-document transaction only turns it into an abort at best.
        """,
    known_problems="""
        The ids are followed from the read through local names, comprehensions and
        `append()`; an update that also repeats the selection's condition (`acquired_by IS
        NULL`) is not reported, whatever the read. Updates through helper functions are not
        seen.
        """,
    example="""
        def acquire_jobs(conn, worker_id, limit):
            free = select(jobs.c.id).where(jobs.c.acquired_by.is_(None)).limit(limit)   # DC313 from here …
            ids = [row.id for row in conn.execute(free)]
            conn.execute(jobs.update().values(acquired_by=worker_id).where(jobs.c.id.in_(ids)))   # … to here
            return ids
        """,
    use_instead="""
        def acquire_jobs(conn, worker_id, limit):
            free = (
                select(jobs.c.id).where(jobs.c.acquired_by.is_(None)).limit(limit)
                .with_for_update(skip_locked=True)       # other workers skip these rows
            )
            ids = [row.id for row in conn.execute(free)]
            conn.execute(jobs.update().values(acquired_by=worker_id).where(jobs.c.id.in_(ids)))
            return ids
        """,
)
LOCK_RELEASED_UNOWNED = _rule(
    "DC314", "lock-released-unowned",
    "A lock taken with cache.add()/SET NX/acquire(blocking=False) is released without checking that this caller acquired it.",
    what_it_does="""
        Finds a lock taken with a call that may fail (`ok = cache.add(key, …)`,
        `ok = r.set(key, …, nx=True)`, `ok = r.setnx(key, …)`, `ok = lock.acquire(blocking=False)`)
        and released in the same function (`cache.delete(key)`, `r.delete(key)`,
        `lock.release()`) on a path that does not depend on the result: not under an `if`
        that tests it, and not after an `if not ok: return`. The typical shape is a context
        manager whose `finally:` always deletes the key. Reported at the release.
        """,
    why_bad="""
        When the lock is already held, the caller that failed to take it still deletes the
        key on its way out, so the next worker takes the lock while the first holder is still
        running: the lock no longer serialises anything, and only under load.
        """,
    known_problems="""
        The acquisition and the release must be in the same function, on the same client name
        and key expression. A release guarded by something else that implies ownership (a
        token comparison in a Lua script) is reported unless it tests the result variable.
        """,
    example="""
        @contextmanager
        def task_lock(lock_id):
            acquired = cache.add(lock_id, "1", 600)
            try:
                yield acquired
            finally:
                cache.delete(lock_id)            # DC314: also deletes another worker's lock
        """,
    use_instead="""
        @contextmanager
        def task_lock(lock_id):
            acquired = cache.add(lock_id, "1", 600)
            try:
                yield acquired
            finally:
                if acquired:
                    cache.delete(lock_id)
        """,
)
STORE_CHECK_THEN_ACT = _rule(
    "DC312", "store-check-then-act", "A Redis/cache key is read and tested, then written in a separate command (a lock made of peek-then-put), or read and then removed in two commands.",
    what_it_does="""
        Finds check-then-act on a key-value store in one function: a Redis or cache read
        (`get`, `exists`, `hget`, `sismember`, a storage's `peek`/`_get_data`) whose result is
        tested in an `if` (directly or through a variable), followed by a write of the same key
        on the same client (`set` without `nx=True`, `setex`, `hset`, `put`/`_put_data`) after
        the test, or by a plain ORM `create()` under it (a cache miss creating a row). Also a
        range read (`zrangebyscore`, `lrange`, `smembers`, `hgetall`) followed by the removal of
        the same key's items (`zremrangebyscore`, `ltrim`, `delete`) in a second command, and an
        `expire` followed by a write that creates the key when it is missing (`hset`, `sadd`,
        `lpush`, `incr`, …). `incr(key, 0)` counts as a read. Not
        reported inside a lock, when the function uses `WATCH`, a Lua script or a lock, or on a
        pipeline (its commands run in one MULTI). Reported from the first changed line of the
        read … write span.
        """,
    why_bad="""
        Each command is atomic, the pair is not: two workers both read "no lock yet" and both
        write it, so a lock or a run-once marker built this way lets both through; two
        consumers both read the same due items before either removes them, and items added
        between the read and the removal are deleted without ever being read. A key that expires
        between `EXPIRE` and `HSET` is recreated by the write, partially and with no TTL, so it
        lives forever.
        """,
    known_problems="""
        Keys are compared as written (the same expression in both calls) and the client by its
        name; a read and a write through different helper functions are not followed. A write
        whose value does not depend on the read is still reported: the race is in the test.
        """,
    example="""
        def __enter__(self):
            if self.storage.peek(self.key) is not None:       # DC312 from here …
                raise TaskLocked(self.name)
            self.storage.put(self.key, "1")                    # … to here

        def due(self, now):
            tasks = self.conn.zrangebyscore(self.key, 0, now)  # DC312 from here …
            self.conn.zremrangebyscore(self.key, 0, now)       # … to here
            return tasks
        """,
    use_instead="""
        def __enter__(self):
            if not self.redis.set(self.key, "1", nx=True, ex=self.timeout):
                raise TaskLocked(self.name)

        def due(self, now):
            with self.conn.pipeline() as pipe:                 # MULTI … EXEC: one atomic step
                pipe.zrangebyscore(self.key, 0, now)
                pipe.zremrangebyscore(self.key, 0, now)
                tasks, _removed = pipe.execute()
            return tasks
        """,
)

RULES = (
    LOST_UPDATE, RAW_SQL_LOST_UPDATE, CACHE_LOST_UPDATE, FILE_LOST_UPDATE, GLOBAL_LOST_UPDATE, CHECK_THEN_ACT,
    FILE_CHECK_THEN_ACT, STORE_CHECK_THEN_ACT, CLAIM_WITHOUT_LOCK, LOCK_RELEASED_UNOWNED, ENQUEUE_BEFORE_COMMIT,
)

# A file whose text contains none of these cannot hold a write any analysis here looks for.

# Constructors of in-process locks: a name bound to one serialises the `with NAME:` blocks it guards.
_LOCK_FACTORIES = {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"}

_LOCKING_CALLS = ("select_for_update", "with_for_update", "with_lockmode")
_SINGLE_READS = {
    "get", "aget", "first", "afirst", "last", "alast", "earliest", "latest", "one", "one_or_none",
    "scalar_one", "scalar_one_or_none", "scalar", "get_object_or_404", "get_or_404", "first_or_404",
}
_MAYBE_READS = {"first", "afirst", "last", "alast", "one_or_none", "scalar_one_or_none", "scalar", "first_or_404"}
_QUERYSET_CALLS = {"filter", "exclude", "all", "iterator", "order_by", "select_related", "prefetch_related", "only", "defer"}
# Calls that end a chain without leaving a statement or queryset to run later.
_NOT_QUERIES = {
    "count", "acount", "exists", "aexists", "update", "aupdate", "delete", "adelete", "aggregate",
    "aaggregate", "create", "acreate", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "in_bulk",
}
_FIELD_MUTATORS = {"append", "extend", "insert", "setdefault", "pop", "remove", "update", "add", "discard"}


@dataclass
class OrmRead:
    model: str | None
    kind: str  # "django" | "sqlalchemy"
    locked: bool
    node: ast.AST


def _has_f_expression(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and last_name(n.func) == "F" for n in ast.walk(node))


def _model_from_chain(value: ast.AST) -> str | None:
    attrs = chain_attrs(value)
    for marker in ("objects", "_default_manager", "query"):
        if marker in attrs:
            index = attrs.index(marker)
            if index > 0 and attrs[index - 1][:1].isupper():
                return attrs[index - 1]
    node = value
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript, ast.Await)):  # session.query(M) / select(M) / session.get(M, pk)
        if isinstance(node, ast.Call):
            if last_name(node.func) in ("query", "select", "get", "get_object_or_404", "get_or_404") and node.args:
                first = node.args[0]
                if isinstance(first, (ast.Name, ast.Attribute)) and last_name(first)[:1].isupper():
                    return last_name(first)
            for arg in node.args:
                if isinstance(arg, ast.Call):
                    inner = _model_from_chain(arg)
                    if inner:
                        return inner
            node = node.func
        else:
            node = node.value
    root = chain_root(value)
    return root if root[:1].isupper() else None


def _ormish(value: ast.AST) -> str | None:
    """"django" or "sqlalchemy" when an expression reads through an ORM, else None."""
    attrs = chain_attrs(value)
    calls = chain_calls(value)
    if "objects" in attrs or "_default_manager" in attrs or (calls and calls[-1] == "get_object_or_404"):
        return "django"
    lowered = [a.lower() for a in attrs]
    if "query" in attrs or "scalars" in calls or "execute" in calls or any("session" in a for a in lowered):
        return "sqlalchemy"
    return None


def orm_read(value: ast.AST | None, single: bool = True) -> OrmRead | None:
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Subscript) and single:  # Model.objects.filter(...)[0]
        kind = _ormish(value.value)
        if kind and isinstance(value.slice, ast.Constant):
            return OrmRead(_model_from_chain(value.value), kind, _locks_rows(value), value)
        return None
    if not isinstance(value, ast.Call):
        return None
    tail = last_name(value.func)
    if single and tail not in _SINGLE_READS:
        return None
    if not single and tail not in _QUERYSET_CALLS and tail not in ("scalars", "query", "execute"):
        return None
    kind = _ormish(value)
    if kind is None and tail == "get_object_or_404":
        kind = "django"
    if kind is None:
        return None
    return OrmRead(_model_from_chain(value), kind, _locks_rows(value), value)


def _locks_rows(value: ast.AST) -> bool:
    """select_for_update()/with_for_update() anywhere in the read, e.g. inside ``execute(select(...))``."""
    return any(isinstance(n, ast.Call) and last_name(n.func) in _LOCKING_CALLS for n in ast.walk(value))


@dataclass(frozen=True)
class HeldQuery:
    """A statement or queryset kept in a local variable before it is run:
    ``stmt = select(M).where(...).with_for_update()``, ``qs = M.objects.select_for_update()``."""

    model: str | None
    kind: str | None  # "django" | "sqlalchemy" | None (unknown, but it locks rows)
    locked: bool


def _held_through(node: ast.AST, held: dict[str, HeldQuery]) -> list[HeldQuery]:
    return [held[name] for name in sorted(names_in(node)) if name in held]


def held_query(value: ast.AST, held: dict[str, HeldQuery]) -> HeldQuery | None:
    """What ``name = value`` keeps when ``value`` builds a statement or queryset (not a loaded row):
    a select()/query/manager chain, or a refinement of one already held (``stmt = stmt.where(...)``)."""
    inner = value.value if isinstance(value, ast.Await) else value
    if isinstance(inner, ast.Name):
        return held.get(inner.id)  # qs2 = qs
    if not isinstance(inner, ast.Call):
        return None
    if last_name(inner.func) in ("list", "tuple", "sorted") and len(inner.args) == 1:
        return held_query(inner.args[0], held)  # rows = list(qs): the loaded rows, iterated later
    calls = chain_calls(inner)
    if calls[-1] in _NOT_QUERIES:
        return None
    through = _held_through(inner, held)
    kind = _ormish(inner)
    if kind is None and calls[0] == "select" and _model_from_chain(inner):
        kind = "sqlalchemy"
    if kind is None and any(c == "select_for_update" for c in calls):
        kind = "django"
    kind = kind or next((h.kind for h in through if h.kind), None)
    locked = _locks_rows(inner) or any(h.locked for h in through)
    if kind is None and not locked:
        return None
    model = _model_from_chain(inner) or next((h.model for h in through if h.model), None)
    return HeldQuery(model, kind, locked)


def read_through(value: ast.AST, held: dict[str, HeldQuery], single: bool = True) -> OrmRead | None:
    """``orm_read``, also through held statements: ``session.execute(stmt).scalar_one()`` and
    ``qs.get(...)`` read rows, locked when the held statement locks them."""
    read = orm_read(value, single)
    inner = value.value if isinstance(value, ast.Await) else value
    through = _held_through(inner, held)
    if read is None:
        query = held.get(chain_root(inner))
        if query is None or query.kind is None or not isinstance(inner, ast.Call) or not isinstance(inner.func, ast.Attribute):
            return None
        if last_name(inner.func) not in (_SINGLE_READS if single else _QUERYSET_CALLS):
            return None
        return OrmRead(query.model, query.kind, query.locked or _locks_rows(inner), inner)
    if through:
        read.locked = read.locked or any(h.locked for h in through)
        read.model = read.model or next((h.model for h in through if h.model), None)
    return read


def _iter_read(iterable: ast.AST, held: dict[str, HeldQuery]) -> OrmRead | None:
    if isinstance(iterable, ast.Call) and last_name(iterable.func) in ("list", "tuple", "sorted"):
        iterable = iterable.args[0] if iterable.args else iterable
    query = held.get(iterable.id) if isinstance(iterable, ast.Name) else None
    if query is not None and query.kind is not None:  # for row in qs
        return OrmRead(query.model, query.kind, query.locked, iterable)
    read = read_through(iterable, held, single=False)
    if read is None and isinstance(iterable, ast.Call) and last_name(iterable.func) in _QUERYSET_CALLS:
        # a related manager or a queryset held in a variable: order.lines.all(), qs.filter(...)
        read = OrmRead(_model_from_chain(iterable), "django", _locks_rows(iterable), iterable)
    return read


def _reads_field(node: ast.AST, var: str, fieldname: str) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == fieldname and isinstance(sub.value, ast.Name) and sub.value.id == var:
            return True
    return False


def _target_field(target: ast.AST) -> tuple[str, str, bool] | None:
    """(var, field, via_subscript) for ``v.f`` and ``v.f[k]`` targets."""
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        return target.value.id, target.attr, False
    if isinstance(target, ast.Subscript):
        inner = target.value
        while isinstance(inner, ast.Subscript):
            inner = inner.value
        if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
            return inner.value.id, inner.attr, True
    return None


@dataclass
class FunctionScan:
    """What the hazard analyses need about one changed function."""

    ctx: FileContext
    module: PyModule
    fn: FunctionInfo
    steps: list[Step]
    job: JobKind | None
    findings: list[Finding] = field(default_factory=list)

    text: str = ""  # the function's source, lower-cased: each analysis first looks for its trigger words

    def mentions(self, *words: str) -> bool:
        return any(word in self.text for word in words)

    @property
    def runners(self) -> str:
        return f"two workers running {self.fn.name} at once" if self.job else f"two concurrent calls of {self.fn.name}"

    def report(self, rule: Rule, span_start: int, write: ast.AST, message: str, read: ast.AST | None = None) -> None:
        end = getattr(write, "end_lineno", None) or write.lineno  # type: ignore[attr-defined]  # a call or a statement
        line = first_changed(self.ctx.added, span_start, end)
        if line is None and read is not None and touches(self.ctx.added, read):
            line = read.lineno  # type: ignore[attr-defined]  # a call or a statement
        if line is None:
            return
        self.findings.append(rule.finding(self.ctx.path, line, message, max(line, write.lineno)))  # type: ignore[attr-defined]  # a call or a statement


def _step_calls(step: Step) -> list[ast.Call]:
    """The step's calls in source order, computed once per step for every analysis."""
    if step.calls is None:
        step.calls = sorted(iter_calls(step.node, header_only=step.header), key=lambda c: (c.lineno, c.col_offset))
    return step.calls


def _assign_parts(node: ast.AST) -> tuple[list[ast.expr], ast.expr | None]:
    if isinstance(node, ast.Assign):
        return node.targets, node.value
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        return [node.target], node.value
    return [], None


# ---- DC301: ORM read-modify-write -----------------------------------------------------------


def _fields_text(model: str | None, var: str, fields: list[str]) -> str:
    owner = model or var
    unique = list(dict.fromkeys(fields))
    return " and ".join(f"{owner}.{f}" for f in unique)


def scan_orm_lost_update(s: FunctionScan) -> None:
    if not s.mentions("save(", "commit(", "flush(", "bulk_update("):
        return
    reads: dict[str, OrmRead] = {}
    temps: dict[str, tuple[str, str]] = {}  # temp name -> (var, field) it was computed from
    pending: dict[str, list[tuple[str, ast.AST, Step]]] = {}  # var -> [(field, recompute stmt, step)]
    optimistic = "version_id_col" in s.module.text
    held: dict[str, HeldQuery] = {}  # statements and querysets kept in variables, run later
    for step in s.steps:
        node = step.node
        if step.header:
            if isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name):
                read = _iter_read(node.iter, held)
                if read:
                    reads[node.target.id] = read
                    pending.pop(node.target.id, None)
            continue
        targets, value = _assign_parts(node)
        if value is not None:
            read = read_through(value, held)
            related = None
            if (
                read is None and isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)
                and value.value.id in reads and reads[value.value.id].kind == "django" and len(targets) == 1
                and isinstance(targets[0], ast.Name)
            ):
                # check = flip.owner: a related object, loaded from the database (unlocked) when
                # the attribute is read; a new-user trial's lost update went unseen through it.
                # (It may be a plain field too: it is then also a temporary, below.)
                related = OrmRead(None, "django", False, value)
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and isinstance(node, (ast.Assign, ast.AnnAssign)):
                query = held_query(value, held) if read is None else None
                if query is not None:
                    held[targets[0].id] = query
                else:
                    held.pop(targets[0].id, None)
            for target in targets:
                if isinstance(target, ast.Name):
                    if read is not None and len(targets) == 1:
                        reads[target.id] = read
                        pending.pop(target.id, None)
                        continue
                    source = next(((v, f) for v in reads for f in _fields_read(value, v)), None)
                    if source is None:
                        source = next((temps[n] for n in names_in(value) if n in temps), None)
                    if source is not None and not _has_f_expression(value):
                        temps[target.id] = source
                    else:
                        temps.pop(target.id, None)
                        if target.id in reads and read is None:
                            del reads[target.id]
                    continue
                hit = _target_field(target)
                if hit is None or hit[0] not in reads or _has_f_expression(value):
                    continue
                var, fld, _ = hit
                derived = (
                    isinstance(node, ast.AugAssign)
                    or _reads_field(value, var, fld)
                    or any(temps.get(n) == (var, fld) for n in names_in(value))
                    or _helper_reads_field(value, var, fld, s.module)
                )
                if derived:
                    pending.setdefault(var, []).append((fld, node, step))
            if related is not None:
                reads.setdefault(targets[0].id, related)  # type: ignore[attr-defined]  # a Name: checked above
        for call in _step_calls(step):
            tail = last_name(call.func)
            recv = receiver(call)
            if tail in _FIELD_MUTATORS and isinstance(recv, ast.Attribute) and isinstance(recv.value, ast.Name) and recv.value.id in reads:
                pending.setdefault(recv.value.id, []).append((recv.attr, node, step))
                continue
            writes: list[str] = []
            if tail in ("save", "asave") and isinstance(recv, ast.Name) and recv.id in pending:
                writes = [recv.id]
            elif tail in ("bulk_update", "abulk_update"):
                writes = [v for v in pending if reads[v].kind == "django"]
            elif tail in ("commit", "flush") and recv is not None:
                writes = [v for v in pending if reads[v].kind == "sqlalchemy"]
            for var in writes:
                changes = pending.pop(var)
                read = reads[var]
                if read.locked or step.locked or any(st.locked for _, _, st in changes):
                    continue
                if read.kind == "sqlalchemy" and optimistic:
                    continue
                names = _fields_text(read.model, var, [f for f, _, _ in changes])
                if read.kind == "django":
                    msg = (
                        f"{names} is read, recomputed and saved without a lock or F() expression: "
                        f"{s.runners} can overwrite each other's update."
                    )
                else:
                    msg = (
                        f"{names} is read, recomputed and committed without with_for_update() or a column "
                        f"expression: {s.runners} can overwrite each other's update."
                    )
                s.report(LOST_UPDATE, changes[0][1].lineno, call, msg, read.node)  # type: ignore[attr-defined]  # a call or a statement


def _helper_reads_field(value: ast.AST, var: str, fieldname: str, module: PyModule) -> bool:
    """``obj.f = helper(obj, …)``: the new value is computed by a helper that is handed the
    object itself (the incident's refactor, with the arithmetic moved into ``_remaining``).

    A helper defined in this file counts when its body reads that parameter's field; one
    defined elsewhere cannot be read here, so handing it the object counts (the burden of
    proof is on the change)."""
    for call in (n for n in ast.walk(value) if isinstance(n, ast.Call)):
        positions = [i for i, arg in enumerate(call.args) if isinstance(arg, ast.Name) and arg.id == var]
        keywords = [kw.arg for kw in call.keywords if isinstance(kw.value, ast.Name) and kw.value.id == var and kw.arg]
        if not positions and not keywords:
            continue
        helpers = module.by_name.get(last_name(call.func), [])
        if not helpers:
            return True
        for helper in helpers:
            params = [a.arg for a in helper.node.args.posonlyargs + helper.node.args.args]
            if helper.class_name and params and isinstance(call.func, ast.Attribute):
                params = params[1:]  # self/cls
            names = [params[i] for i in positions if i < len(params)] + keywords
            if any(_reads_field(helper.node, name, fieldname) for name in names):
                return True
    return False


def _fields_read(value: ast.AST, var: str) -> list[str]:
    return [
        sub.attr
        for sub in ast.walk(value)
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id == var
    ]


# ---- DC302: raw SQL read-modify-write -------------------------------------------------------

_SELECT = re.compile(r"^\s*select\s+(?P<cols>.*?)\s+from\s+(?P<table>[\w.\"`]+)", re.S)
_UPDATE = re.compile(r"^\s*update\s+(?P<table>[\w.\"`]+)\s+set\s+(?P<set>.*?)(?:\s+where\s+(?P<where>.*))?$", re.S)
_ROW_LOCK = re.compile(r"\bfor\s+(?:no\s+key\s+)?(?:update|share)\b|\block\s+in\s+share\s+mode\b")
_PLACEHOLDER = re.compile(r"^(?:%s|%\(\w+\)s|\?|:\w+|\$\d+|\{\}|\{\w*\})$")
_SQL_LOCKS = ("pg_advisory", "get_lock(", "lock table", "sp_getapplock")


def _norm_sql(sql: str) -> str:
    return " ".join(sql.lower().split())


def _ident(name: str) -> str:
    return name.strip().strip('"`[]').rsplit(".", 1)[-1]


# Calls that run SQL: DB-API and SQLAlchemy execute(), asyncpg's fetch*(), `databases`' fetch_*().
_SQL_RUNNERS = ("execute", "executemany", "exec_driver_sql", "fetch", "fetchrow", "fetchval", "fetch_one", "fetch_all", "fetch_val")


def scan_sql_lost_update(s: FunctionScan) -> None:
    if not s.mentions("execute", "exec_driver_sql"):
        return
    local_sql: dict[str, str] = {}
    selects: list[tuple[str, set[str], ast.Call]] = []
    for step in s.steps:
        targets, value = _assign_parts(step.node) if not step.header else ([], None)
        if value is not None and len(targets) == 1 and isinstance(targets[0], ast.Name):
            text = string_value(value)
            if text is not None:
                local_sql[targets[0].id] = text
        for call in _step_calls(step):
            if last_name(call.func) not in _SQL_RUNNERS:
                continue
            arg = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("query", "sql", "statement")), None)
            if arg is None:
                continue
            sql = string_value(arg) if not isinstance(arg, ast.Name) else local_sql.get(arg.id)
            if sql is None:
                continue
            sql = _norm_sql(sql)
            if any_in(sql, _SQL_LOCKS):
                return  # the function serialises itself with an advisory or table lock
            m = _SELECT.match(sql)
            if m:
                if not _ROW_LOCK.search(sql) and not step.locked:
                    cols = {_ident(c.split(" as ")[0]) for c in m.group("cols").split(",")}
                    selects.append((_ident(m.group("table")), cols, call))
                continue
            m = _UPDATE.match(sql)
            if not m or step.locked:
                continue
            table, where = _ident(m.group("table")), m.group("where") or ""
            for assignment in m.group("set").split(","):
                col, _, rhs = assignment.partition("=")
                col = _ident(col)
                if not _PLACEHOLDER.match(rhs.strip()) or re.search(rf"\b{re.escape(col)}\b", where) or "version" in where:
                    continue
                read = next((sel for sel in selects if sel[0] == table and (col in sel[1] or "*" in sel[1])), None)
                if read is None:
                    continue
                s.report(
                    RAW_SQL_LOST_UPDATE, read[2].lineno, call,
                    f"{table}.{col} is read with SELECT and written back with UPDATE … SET {col} = <value computed "
                    f"in Python>, without FOR UPDATE or a relative update: {s.runners} can overwrite each other's change.",
                    read[2],
                )
                break


# ---- DC303: Redis / cache read-modify-write -------------------------------------------------

_NOT_A_STORE = ("environ", "request", "kwargs", "params", "headers", "config", "settings", "args", "meta", "json", "form")


# Atomic increments: each is safe alone, but a count read before it and compared is stale by then.
_INCREMENTS = ("inc", "incr", "incrby", "incr_by", "hincrby", "incrbyfloat")


def scan_cache_lost_update(s: FunctionScan) -> None:
    if not s.mentions(".set(", ".setex(", ".hset(", ".inc"):
        return
    if any(last_name(c.func) == "watch" for st in s.steps for c in _step_calls(st)):
        return  # an optimistic WATCH/MULTI transaction
    reads: list[tuple[str, str, ast.Call, Step, set[str]]] = []  # (receiver, key, call, step, tainted names)
    checked: dict[int, int] = {}  # a read's call -> the line of the first `if` that compares what it read
    for step in s.steps:
        if step.header:
            if isinstance(step.node, (ast.If, ast.While)):
                test = step.node.test
                for read in reads:
                    if _compared(test, read[4]):
                        checked.setdefault(id(read[2]), step.node.lineno)
                for call in iter_calls(test):  # `if int(cache.get(key) or 0) >= limit:`
                    recv = receiver(call)
                    if last_name(call.func) == "get" and recv is not None and call.args \
                            and not any_in(dotted(recv).lower(), _NOT_A_STORE) and _compared(test, set(), call):
                        reads.append((dotted(recv), ast.dump(call.args[0]), call, step, set()))
                        checked.setdefault(id(call), step.node.lineno)
            continue
        targets, value = _assign_parts(step.node)
        if value is not None:
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            used = names_in(value) | (names if isinstance(step.node, ast.AugAssign) else set())  # `views += 1` reads views
            for read in reads:
                if used & read[4]:
                    read[4].update(names)
                else:
                    read[4].difference_update(names)  # rebound to another value (`n = cache.incr(key)`)
            for call in iter_calls(value):
                recv = receiver(call)
                if last_name(call.func) in ("get", "hget") and recv is not None and call.args and names:
                    recv_text = dotted(recv)
                    if any_in(recv_text.lower(), _NOT_A_STORE):
                        continue
                    key = ast.dump(call.args[0]) + (ast.dump(call.args[1]) if last_name(call.func) == "hget" and len(call.args) > 1 else "")
                    reads.append((recv_text, key, call, step, set(names)))
        for call in _step_calls(step):
            tail = last_name(call.func)
            recv = receiver(call)
            if tail in _INCREMENTS and recv is not None and call.args and not step.locked:
                _checked_then_incremented(s, reads, checked, call, recv)
                continue
            if tail not in ("set", "setex", "hset") or recv is None or not call.args:
                continue
            key = ast.dump(call.args[0])
            value_index = {"set": 1, "setex": 2, "hset": 2}[tail]
            if tail == "hset" and len(call.args) > 1:
                key += ast.dump(call.args[1])
            new_value = call.args[value_index] if len(call.args) > value_index else next((k.value for k in call.keywords if k.arg in ("value", "val")), None)
            if new_value is None:
                continue
            for read in reads:
                if read[0] == dotted(recv) and read[1] == key and names_in(new_value) & read[4]:
                    if read[3].locked or step.locked:
                        break
                    store = _store_kind(recv, read[0])
                    method = "cache.get()/cache.set()" if store == "Cache" else f"{read[2].func.attr}()/{tail}()"  # type: ignore[attr-defined]  # a method call: read[2].func is an Attribute
                    fix = "use cache.incr()/decr() or a lock" if store == "Cache" else "use INCRBY/HINCRBY, WATCH/MULTI or a Lua script"
                    s.report(
                        CACHE_LOST_UPDATE, read[2].lineno, call,
                        f"{_key_words(store, call.args[0])} is read and written back with {method}: "
                        f"{s.runners} can lose an update ({fix}).",
                        read[2],
                    )
                    break


_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)


def _compared(test: ast.AST, names: set[str], call: ast.AST | None = None) -> bool:
    """Whether ``test`` compares a value read into ``names`` (or the ``call`` itself) with another
    value: `count >= limit`, not an existence check (`x is None`, `if not x`), after which the
    decision may rest on what an increment returns (Django's counter created when missing: the
    red team of session 26)."""
    for node in ast.walk(test):
        if not isinstance(node, ast.Compare) or not all(isinstance(op, _ORDERING) for op in node.ops):
            continue
        operands = [node.left, *node.comparators]
        if any(isinstance(o, ast.Constant) and o.value is None for o in operands):
            continue
        for operand in operands:
            if (names and names_in(operand) & names) or (call is not None and any(c is call for c in ast.walk(operand))):
                return True
    return False


def _store_kind(recv: ast.AST, read_from: str) -> str:
    """"Cache" for a Django or Flask cache (the receiver or the read's), else "Redis"."""
    return "Cache" if chain_root(recv) in ("cache", "caches") or "cache" in read_from.lower() else "Redis"


def _key_words(store: str, key: ast.AST) -> str:
    """`Redis key f"quota:{user_id}"`, or `The cache key in `key`` for a variable (not "key key")."""
    if isinstance(key, ast.Name):
        return f"The {store if store == 'Redis' else store.lower()} key in `{key.id}`"
    return f"{store} key {short(key, 40)}"


def _checked_then_incremented(s: FunctionScan, reads: list, checked: dict[int, int], call: ast.Call, recv: ast.AST) -> None:
    """A counter read with get(), compared in an `if`, then incremented in a separate command:
    every concurrent request passes the check on the same count before any increments it (CTFd's
    attempt limit, an atomic `cache.inc` made get, check, then inc: a new user's trial, session 26)."""
    key = ast.dump(call.args[0])
    for read in reads:
        if read[0] != dotted(recv) or read[1] != key or id(read[2]) not in checked or read[3].locked:
            continue
        store = _store_kind(recv, read[0])
        s.report(
            CACHE_LOST_UPDATE, read[2].lineno, call,
            f"{_key_words(store, call.args[0])} is read with get(), compared (line {checked[id(read[2])]}) and "
            f"incremented later with {last_name(call.func)}(): {s.runners} can all pass the check on the same count "
            "before any of them increments it (decide on the value the increment returns, or hold a lock).",
            read[2],
        )
        return


# ---- DC304 / DC311: files -------------------------------------------------------------------

_FILE_LOCKS = ("flock", "lockf", "FileLock", "SoftFileLock", "Lock", "portalocker")


def _path_read(call: ast.Call) -> ast.AST | None:
    tail = last_name(call.func)
    if tail == "open" and isinstance(call.func, ast.Name) and call.args and not any_in(open_mode(call), ("w", "a", "x", "+")):
        return call.args[0]
    if tail in ("read_text", "read_bytes") and receiver(call) is not None:
        return receiver(call)
    if tail == "open" and isinstance(call.func, ast.Attribute) and not call.args and not call.keywords:
        return receiver(call)
    return None


def _path_write(call: ast.Call, allow_exclusive: bool = False) -> ast.AST | None:
    tail = last_name(call.func)
    if tail == "open":
        if isinstance(call.func, ast.Name) and call.args:
            mode = open_mode(call)
            if any_in(mode, ("w", "+")) or (allow_exclusive and "a" in mode):
                return call.args[0]
        elif isinstance(call.func, ast.Attribute) and call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and any_in(first.value, ("w", "+")):
                return call.func.value
        return None
    if tail in ("write_text", "write_bytes") and receiver(call) is not None:
        return receiver(call)
    if tail in ("replace", "rename", "move", "copy", "copyfile", "copy2") and chain_root(call.func) in ("os", "shutil") and len(call.args) > 1:
        return call.args[1]
    return None


def _path_remove(call: ast.Call) -> ast.AST | None:
    tail = last_name(call.func)
    if tail in ("remove", "unlink") and chain_root(call.func) == "os" and call.args:
        return call.args[0]
    if tail == "unlink" and receiver(call) is not None and chain_root(call.func) != "os":
        if any(k.arg == "missing_ok" for k in call.keywords):
            return None
        return receiver(call)
    return None


def _uses_file_lock(s: FunctionScan) -> bool:
    return any(last_name(c.func) in _FILE_LOCKS for st in s.steps for c in _step_calls(st))


def scan_file_lost_update(s: FunctionScan) -> None:
    if not s.mentions("write", "open(", "replace(", "rename(", "move(", "copy"):
        return
    if s.job is None or _uses_file_lock(s):
        return
    reads: dict[str, ast.Call] = {}
    for step in s.steps:
        for call in _step_calls(step):
            path = _path_read(call)
            if path is not None:
                reads.setdefault(ast.dump(path), call)
                continue
            path = _path_write(call)
            if path is not None and ast.dump(path) in reads and not step.locked:
                read = reads.pop(ast.dump(path))
                s.report(
                    FILE_LOST_UPDATE, read.lineno, call,
                    f"{short(path, 40)} is read and then rewritten by {s.job.what} {s.fn.name} without a file lock: "
                    "two workers doing this at once lose one another's changes.",
                    read,
                )


_EXISTS_CHECKS = ("exists", "isfile", "lexists", "is_file", "isdir")


def _exists_check(test: ast.AST) -> ast.AST | None:
    for call in iter_calls(test):
        tail = last_name(call.func)
        if tail not in _EXISTS_CHECKS:
            continue
        if chain_root(call.func) == "os" and call.args:
            return call.args[0]
        if isinstance(call.func, ast.Attribute) and not call.args and _ormish(call) is None:
            return call.func.value
    return None


def _terminates(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


def _applies(check: ast.If, step: Step) -> bool:
    """Whether an act at ``step`` happens under (or, after an early exit, because of) ``check``."""
    if check in step.ifs:
        return True
    return _terminates(check.body) and step.node.lineno > (check.end_lineno or check.lineno)


def _runs_when_found(check: ast.If, var: str, step: Step) -> bool:
    """Whether an act at ``step`` runs only when ``var`` holds the row it looked up: inside
    `if var:`/`if var is not None:`, or after `if var is None: return …` (plane copies the asset
    it found into a new one). Not when the test is any other expression."""
    missing = _tests_missing(check.test, var)
    if missing is None:
        return False
    last = check.body[-1]
    in_body = check.body[0].lineno <= step.node.lineno <= (last.end_lineno or last.lineno)
    return in_body != missing


def _lookup(read: ast.Call) -> dict[str, str]:
    """What a read looks its row up by: `filter(user=user, plan=plan)` -> {"user": "user", "plan":
    "plan"}, SQLAlchemy's `filter(M.user == user)` and `filter_by(user=user)` alike; {} when the
    chain names no field (a primary key from a helper, a raw query)."""
    found: dict[str, str] = {}
    node: ast.AST = read
    while isinstance(node, (ast.Call, ast.Attribute, ast.Await)):
        if isinstance(node, ast.Call):
            found.update((kw.arg, ast.dump(kw.value)) for kw in node.keywords if kw.arg is not None)
            for arg in node.args:
                if (isinstance(arg, ast.Compare) and len(arg.ops) == 1 and isinstance(arg.ops[0], ast.Eq)
                        and isinstance(arg.left, ast.Attribute)):
                    found[arg.left.attr] = ast.dump(arg.comparators[0])
            node = node.func
        else:
            node = node.value
    return found


def _same_row(lookup: dict[str, str], create: ast.Call) -> bool:
    """Whether ``create`` writes the row the check looked up: it gives every field of the lookup
    the value the lookup gave it (`Token.objects.create(user=user, …)` after
    `Token.objects.filter(user=user).first()` found the old token and archived it). Two runs
    that both found the old row then both create its successor. A copy under a key of its own
    (plane's duplicated asset, looked up by its id) is not."""
    if not lookup:
        return False
    given: dict[str, str] = {}
    for node in ast.walk(create):
        if isinstance(node, ast.Call):
            given.update((kw.arg, ast.dump(kw.value)) for kw in node.keywords if kw.arg is not None)
    return all(given.get(key) == value for key, value in lookup.items())


def _tests_missing(test: ast.AST, var: str) -> bool | None:
    """True for `var is None`/`not var`/`var == None`, False for their opposites, else None."""
    if isinstance(test, ast.Name) and test.id == var:
        return False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _tests_missing(test.operand, var)
        return None if inner is None else not inner
    if (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name) and test.left.id == var
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None):
        if isinstance(test.ops[0], (ast.Is, ast.Eq)):
            return True
        if isinstance(test.ops[0], (ast.IsNot, ast.NotEq)):
            return False
    return None


def scan_file_check_then_act(s: FunctionScan) -> None:
    if not s.mentions("exists(", "isfile(", "is_file(", "isdir("):
        return
    if s.job is None or _uses_file_lock(s):
        return
    checks: list[tuple[ast.If, str, ast.AST]] = []
    for step in s.steps:
        if step.header:
            if isinstance(step.node, ast.If):
                path = _exists_check(step.node.test)
                if path is not None:
                    checks.append((step.node, ast.dump(path), path))
            continue
        for call in _step_calls(step):
            path = _path_write(call, allow_exclusive=True) or _path_remove(call)
            if path is None or step.locked:
                continue
            for check, key, shown in checks:
                if key == ast.dump(path) and _applies(check, step):
                    verb = "removes" if _path_remove(call) is not None else "writes"
                    s.report(
                        FILE_CHECK_THEN_ACT, check.lineno, call,
                        f"{s.fn.name} checks whether {short(shown, 40)} exists and then {verb} it in a separate step: "
                        "two workers can both pass the check (open with mode \"x\", or hold a file lock).",
                        check.test,
                    )
                    break


# ---- DC305: module-level mutable state ------------------------------------------------------


def module_lock_names(module: PyModule) -> tuple[str, ...]:
    """Names bound anywhere in the file to a threading/asyncio/multiprocessing lock:
    ``GUARD = threading.Lock()``, ``self._guard = RLock()`` -> ("GUARD", "self._guard", "_guard")."""
    if "lock-names" not in module.memo:
        names: set[str] = set()
        for node, _scope in module.assigns:
            value = getattr(node, "value", None)
            if not (isinstance(value, ast.Call) and last_name(value.func) in _LOCK_FACTORIES):
                continue
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:  # type: ignore[attr-defined]  # only Assign, AnnAssign and AugAssign come here
                if isinstance(target, (ast.Name, ast.Attribute)):
                    names.update({dotted(target), last_name(target)})
        module.memo["lock-names"] = tuple(sorted(names))
    return module.memo["lock-names"]


def _global_mutator_call(s: FunctionScan, step: Step, mutables: set[str], declared: set[str]) -> None:
    """``RESULTS.append(x)`` / ``CACHE.update(...)`` / ``SEEN.add(k)`` on a module-level container in job code."""
    node = step.node
    if not isinstance(node, ast.Expr) or not isinstance(node.value, (ast.Call, ast.Await)):
        return
    call = node.value.value if isinstance(node.value, ast.Await) else node.value
    if not isinstance(call, ast.Call) or last_name(call.func) not in _FIELD_MUTATORS | {"clear", "popitem", "appendleft"}:
        return
    recv = receiver(call)
    root = recv
    while isinstance(root, (ast.Subscript, ast.Attribute)):
        root = root.value
    if not isinstance(root, ast.Name) or root.id not in mutables:
        return
    guard = next((check for check in reversed(step.ifs) if root.id in names_in(check.test)), None)
    what = s.job.what if s.job else "background code"
    if guard is not None:
        s.report(
            GLOBAL_LOST_UPDATE, guard.lineno, node,
            f"The module-level {root.id} is tested and then changed in place ({short(call.func, 40)}()) by {what} "
            f"{s.fn.name} without a lock: two concurrent runs can both pass the test and both act on it, and with "
            "process-based workers each process only changes its own copy.",
        )
    elif not any_in(what.lower(), ("thread", "pool", "asyncio", "coroutine")):
        # One append or add is a single step under the GIL, so threads sharing the module lose
        # nothing; worker processes (Celery, RQ, Dramatiq, …) each change a private copy.
        s.report(
            GLOBAL_LOST_UPDATE, node.lineno, node,
            f"The module-level {root.id} is changed in place ({short(call.func, 40)}()) by {what} {s.fn.name}: "
            "each worker process only changes its own copy, so other workers never see the change and it is "
            "lost on restart.",
        )


def scan_global_lost_update(s: FunctionScan) -> None:
    if s.job is None:
        return
    mutables = {name for name in s.module.module_mutables if s.module.is_mutated_global(name)}
    if not mutables:
        return
    declared = {n for st in ast.walk(s.fn.node) if isinstance(st, ast.Global) for n in st.names}
    derived: dict[str, str] = {}  # local name -> the global it was read from (`n = SEEN.get(k, 0)`)
    for step in s.steps:
        if step.header or step.locked:
            continue
        node = step.node
        targets, value = _assign_parts(node)
        if value is not None and isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in targets):
            used = names_in(value)
            source = next((n for n in sorted(used & mutables)), None) or next((derived[n] for n in sorted(used) if n in derived), None)
            for target in targets:
                if target.id in mutables and target.id in declared:  # type: ignore[attr-defined]  # all Names: checked above
                    continue  # `global X; X = X + [...]`: judged below
                if source is not None:
                    derived[target.id] = source  # type: ignore[attr-defined]  # a Name
                else:
                    derived.pop(target.id, None)  # type: ignore[attr-defined]  # a Name
        for target in targets:
            root = target
            while isinstance(root, (ast.Subscript, ast.Attribute)):
                root = root.value
            if not isinstance(root, ast.Name) or root.id not in mutables:
                continue
            name = root.id
            if root is target and name not in declared:
                continue  # a local variable that shadows the global
            guarded = any(name in names_in(check.test) for check in step.ifs)
            read_from = names_in(value) if value is not None else set()
            rmw = (
                isinstance(node, ast.AugAssign)
                or name in read_from
                or any(derived.get(n) == name for n in read_from)
                or guarded
            )
            if rmw and (root is not target or name in declared):
                s.report(
                    GLOBAL_LOST_UPDATE, node.lineno, node,
                    f"The module-level {name} is read and updated in place by {s.job.what} {s.fn.name}: concurrent "
                    "runs can lose updates, and each worker process only changes its own copy.",
                )
                break
        else:
            _global_mutator_call(s, step, mutables, declared)


# ---- DC310: check-then-act on rows ----------------------------------------------------------


@dataclass
class _Check:
    node: ast.stmt  # the If or Try
    models: set[str]
    names: set[str]
    how: str
    handlers: list[ast.ExceptHandler] = field(default_factory=list)
    refs: set[str] = field(default_factory=set)  # objects a related row is created for: hasattr(order, "invoice")


def _related_check(test: ast.AST) -> tuple[str, str] | None:
    """``hasattr(obj, "related")``: whether a one-to-one row exists, asked through its accessor."""
    for call in iter_calls(test):
        if isinstance(call.func, ast.Name) and call.func.id == "hasattr" and len(call.args) == 2 and isinstance(call.args[0], ast.Name):
            attr = string_value(call.args[1])
            if attr:
                return call.args[0].id, f'hasattr({call.args[0].id}, "{attr}")'
    return None


def _existence_call(test: ast.AST) -> tuple[str | None, str] | None:
    for call in iter_calls(test):
        tail = last_name(call.func)
        related = tail in ("exists", "aexists") and "filter" in chain_calls(call)  # self.reservations.filter(...).exists()
        if tail in ("exists", "aexists", "count", "acount", *_MAYBE_READS) and (_ormish(call) or related):
            if any(c in _LOCKING_CALLS for c in chain_calls(call)):
                return None
            return _model_from_chain(call), f"{tail}()"
    return None


def _act(call: ast.Call, instances: dict[str, str]) -> tuple[str | None, str | None, str] | None:
    """(model, variable, verb) when ``call`` creates, saves or deletes a row."""
    tail = last_name(call.func)
    recv = receiver(call)
    if tail in ("create", "acreate", "bulk_create") and _ormish(call):
        return _model_from_chain(call), None, "created"
    if tail in ("save", "asave", "delete", "adelete"):
        verb = "saved" if "save" in tail else "deleted"
        if isinstance(recv, ast.Name):
            return instances.get(recv.id), recv.id, verb
        if isinstance(recv, ast.Call) and last_name(recv.func)[:1].isupper():
            return last_name(recv.func), None, "created"
        if _ormish(call):
            return _model_from_chain(call), None, verb
    if tail == "add" and recv is not None and "session" in dotted(recv).lower() and call.args:
        arg = call.args[0]
        if isinstance(arg, ast.Call):
            return last_name(arg.func), None, "created"
        if isinstance(arg, ast.Name):
            return instances.get(arg.id), arg.id, "added"
    return None


_CREATE_FIX = "use get_or_create() with a unique constraint, or catch IntegrityError"
_OUTCOMES = {
    "created": ("create a duplicate", _CREATE_FIX),
    "added": ("insert a duplicate", _CREATE_FIX),
    "saved": ("overwrite each other's write", "lock the row with select_for_update() or make the update conditional"),
    "deleted": ("both delete, or delete what the other just changed", "make the delete itself conditional"),
}


# Helpers that look a row up and return None when it is missing: content = self.retrieve(data).
_LOOKUP_HELPER = re.compile(r"^(?:retrieve|lookup|find|find_existing|get_existing|fetch_existing|existing)(?:_|$)")


def scan_check_then_act(s: FunctionScan) -> None:
    if not s.mentions("create(", "save(", "delete(", ".add(") or not s.mentions(
        "exists(", "count(", "first(", "last(", "doesnotexist", "noresultfound", "one_or_none", "scalar", "hasattr(", "retrieve", "lookup", "find"
    ):
        return
    checks: list[_Check] = []
    maybe: dict[str, tuple[str | None, str]] = {}  # var -> (model, how), for `x = M.objects.filter(...).first()`
    lookups: dict[str, dict[str, str]] = {}  # var -> the read's lookup (field -> value's source), for _same_row
    instances: dict[str, str] = {}  # var -> model, for `x = M(...)` and ORM reads
    constructed: set[str] = set()  # vars holding a new, unsaved instance: their save() creates a row
    var: str | None  # a variable checked, then the one an act writes through (None: none)
    for step in s.steps:
        node = step.node
        if step.header:
            if isinstance(node, ast.If):
                found = _existence_call(node.test)
                if found:
                    model, how = found
                    checks.append(_Check(node, {model} if model else set(), set(), how))
                elif _related_check(node.test):
                    obj, how = _related_check(node.test)  # type: ignore[misc]  # not None: tested just above
                    checks.append(_Check(node, set(), set(), how, refs={obj}))
                else:
                    used = names_in(node.test) & set(maybe)
                    if used:
                        var = sorted(used)[0]
                        model = maybe[var][0]  # (model, how): the model
                        checks.append(_Check(node, {model} if model else set(), {var}, f"{var} is None"))
            elif isinstance(node, ast.Try):
                caught = [h for h in node.handlers if h.type is not None and any_in(short(h.type, 200), ("DoesNotExist", "NoResultFound"))]
                gets = [c for st in node.body for c in iter_calls(st) if last_name(c.func) in ("get", "aget", "one") and _ormish(c)]
                if caught and gets:
                    model = _model_from_chain(gets[0])
                    checks.append(_Check(node, {model} if model else set(), set(), "get() raising DoesNotExist", caught))
            continue
        targets, value = _assign_parts(node)
        if value is not None and len(targets) == 1 and isinstance(targets[0], ast.Name):
            var = targets[0].id
            inner = value.value if isinstance(value, ast.Await) else value
            if isinstance(inner, ast.Call) and last_name(inner.func) in _MAYBE_READS and _ormish(inner):
                if not _locks_rows(inner):
                    model = _model_from_chain(inner)
                    maybe[var] = (model, f"{last_name(inner.func)}()")
                    lookups[var] = _lookup(inner)
                    if model:
                        instances[var] = model
            elif isinstance(inner, ast.Call) and _LOOKUP_HELPER.search(last_name(inner.func)):
                maybe[var] = (None, f"{last_name(inner.func)}()")  # content = self.retrieve(data): None when missing
            elif isinstance(inner, ast.Call) and last_name(inner.func)[:1].isupper() and isinstance(inner.func, (ast.Name, ast.Attribute)):
                instances[var] = last_name(inner.func)
                constructed.add(var)
        if step.integrity_guarded or step.locked:
            continue
        assigned = [t.id for t in targets if isinstance(t, ast.Name)]
        for call in _step_calls(step):
            act = _act(call, instances)
            if act is None:
                continue
            model, var, verb = act
            if verb == "saved" and var in constructed:
                verb = "created"
            for check in reversed(checks):
                if isinstance(check.node, ast.Try):
                    inside = any(h.lineno <= call.lineno <= (h.end_lineno or h.lineno) for h in check.handlers)
                else:
                    inside = _applies(check.node, step)  # type: ignore[arg-type]  # not a Try: an If
                related = bool(check.refs) and verb == "created" and bool(check.refs & names_in(call))
                # `if content is None: content = M.objects.create(...)`: the checked name receives the new row
                related = related or (verb == "created" and bool(check.names & set(assigned)))
                # `if rel.filter(...).exists(): … else: M.objects.create(...)`: a related manager, model unknown
                related = related or (verb == "created" and not check.models and not check.names and not check.refs
                                      and not isinstance(check.node, ast.Try))
                # the "not found" handler of get() creates whatever it creates because the row was missing
                handled = isinstance(check.node, ast.Try) and inside and verb in ("created", "saved")
                if not inside or not ((model and model in check.models) or (var and var in check.names) or related or handled):
                    continue
                if verb == "created" and not related and isinstance(check.node, ast.If) and any(
                        _runs_when_found(check.node, name, step) and not _same_row(lookups.get(name, {}), call)
                        for name in check.names):
                    continue  # it copies a row the check found: no concurrent run can find that row missing
                subject = (next(iter(sorted(check.models)), None) if handled and not (model and model in check.models) else model) or model or var
                outcome, fix = _OUTCOMES.get(verb, _OUTCOMES["saved"])
                s.report(
                    CHECK_THEN_ACT, check.node.lineno, call,
                    f"{subject} is checked with {check.how} and then {verb} in a separate step: {s.runners} can both "
                    f"pass the check and {outcome} ({fix}).",
                    check.node,
                )
                break


# ---- DC312: check-then-act on a key-value store ---------------------------------------------

_STORE_CHECKS = {"get", "aget", "exists", "hexists", "hget", "sismember", "get_data", "_get_data", "peek", "peek_data", "has_key", "ttl"}
_STORE_PUTS = {"set", "aset", "setex", "psetex", "hset", "hmset", "mset", "put", "put_data", "_put_data", "set_data", "_set_data", "sadd", "set_many", "incr", "incrby"}
# Writes that create the key when it is missing: after an EXPIRE of the same key they can
# recreate an expired key, partially and without a TTL.
_STORE_CREATES = {"hset", "hmset", "hsetnx", "sadd", "lpush", "rpush", "zadd", "hincrby", "incr", "incrby", "append", "setrange"}
# A range read and the removal of what it returned: two consumers both take the same items, and
# items added in between are removed without being read.
_STORE_TAKES = {"zrangebyscore": ("zremrangebyscore", "zrem"), "zrange": ("zremrangebyrank", "zrem", "delete"),
                "lrange": ("ltrim", "delete", "lrem"), "smembers": ("delete", "srem"), "hgetall": ("delete", "hdel"),
                "hkeys": ("delete", "hdel"), "zrevrangebyscore": ("zremrangebyscore", "zrem")}
_STORE_WORDS = ("redis", "cache", "storage", "store", "huey", "memcache", "kv", "conn", "client", "backend", "valkey")


def _store_receiver(call: ast.Call, module: PyModule) -> str | None:
    recv = receiver(call)
    if recv is None:
        return None
    if last_name(call.func) in ("_get_data", "_put_data", "get_data", "put_data", "peek_data"):
        return None if _not_a_store(dotted(recv).lower()) else dotted(recv)
    return _store_client(recv, module)


def _not_a_store(lower: str) -> bool:
    # request data, configuration; a pipeline queues its commands in MULTI
    return any_in(lower, _NOT_A_STORE) or "pipe" in lower


def _store_client(recv: ast.AST, module: PyModule) -> str | None:
    """``recv``'s dotted name when it is a Redis/cache client, else None."""
    text = dotted(recv)
    lower = text.lower()
    if _not_a_store(lower):
        return None
    if any_in(lower, _STORE_WORDS):
        return text
    from .safeguards import is_store_client  # the same test DC202 uses for atomic counters

    return text if is_store_client(recv, module) else None


def _pipelines(fn: ast.AST) -> dict[str, ast.expr]:
    """Names bound to a client's pipeline in ``fn`` (``async with self.pool.pipeline() as pipe``,
    ``pipe = r.pipeline()``) -> the client. MULTI makes the queued commands atomic with each other,
    not with a read made outside the pipeline before it (only WATCH would)."""
    out: dict[str, ast.expr] = {}
    for node in ast.walk(fn):
        pairs: list[tuple[ast.AST | None, ast.AST]] = []
        if isinstance(node, (ast.With, ast.AsyncWith)):
            pairs = [(item.optional_vars, item.context_expr) for item in node.items]
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            pairs = [(node.targets[0], node.value)]
        for target, value in pairs:
            if (isinstance(target, ast.Name) and isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                    and value.func.attr == "pipeline"):
                out[target.id] = value.func.value
    return out


def _key(call: ast.Call) -> str | None:
    if not call.args:
        key = next((k.value for k in call.keywords if k.arg in ("key", "name")), None)
        return ast.dump(key) if key is not None else None
    return ast.dump(call.args[0])


def _store_check(call: ast.Call) -> bool:
    """A read of a key: get()/exists()/…, or ``incr(key, 0)``, which returns the value unchanged."""
    tail = last_name(call.func)
    if tail in ("incr", "incrby") and len(call.args) > 1:
        return isinstance(call.args[1], ast.Constant) and call.args[1].value == 0
    return tail in _STORE_CHECKS


def scan_store_check_then_act(s: FunctionScan) -> None:
    if not s.mentions("set(", "setex(", "put", "zrem", "ltrim", "delete(", "srem(", "hdel(", "create(", "incr", "sadd(", "push(", "zadd("):
        return
    calls = [(c, st) for st in s.steps for c in _step_calls(st)]
    if any(last_name(c.func) in ("watch", "register_script", "eval", "evalsha", "lock", "Lock") for c, _st in calls):
        return  # WATCH/MULTI, a Lua script or a lock in the function: not a bare sequence of commands
    pipes = _pipelines(s.fn.node)
    checks: list[tuple[str, str, ast.Call, ast.If | ast.While]] = []  # (receiver, key, read, the if that tests it)
    values: dict[str, tuple[str, str, ast.Call]] = {}  # var -> the store read it holds
    takes: list[tuple[str, str, ast.Call, tuple[str, ...]]] = []
    expired: list[tuple[str, str, ast.Call]] = []  # (receiver, key, the expire() call)
    for step in s.steps:
        node = step.node
        if step.header:
            if isinstance(node, (ast.If, ast.While)):
                for call in iter_calls(node.test):
                    recv = _store_receiver(call, s.module) if _store_check(call) else None
                    key = _key(call)
                    if recv and key:
                        checks.append((recv, key, call, node))
                for name in sorted(names_in(node.test) & set(values)):
                    recv, key, call = values[name]
                    checks.append((recv, key, call, node))
            continue
        targets, value = _assign_parts(node)
        if value is not None and len(targets) == 1 and isinstance(targets[0], ast.Name):
            inner = value.value if isinstance(value, ast.Await) else value
            for call in iter_calls(inner):
                tail = last_name(call.func)
                recv = _store_receiver(call, s.module) if _store_check(call) or tail in _STORE_TAKES else None
                key = _key(call)
                if recv and key:
                    if tail in _STORE_TAKES:
                        takes.append((recv, key, call, _STORE_TAKES[tail]))
                    else:
                        values[targets[0].id] = (recv, key, call)
                    break
        if step.locked:
            continue
        for call in _step_calls(step):
            tail = last_name(call.func)
            if tail in ("expire", "pexpire", "expireat") and call.args:
                recv = _store_receiver(call, s.module)
                if recv:
                    expired.append((recv, ast.dump(call.args[0]), call))
                continue
            if tail in _STORE_CREATES and call.args and call.lineno > min((e[2].lineno for e in expired), default=call.lineno):
                recv, key = _store_receiver(call, s.module), ast.dump(call.args[0])
                hit = next((e for e in expired if e[0] == recv and e[1] == key and e[2].lineno < call.lineno), None)
                if hit is not None:
                    s.report(
                        STORE_CHECK_THEN_ACT, hit[2].lineno, call,
                        f"Key {short(call.args[0], 40)} gets its TTL with {last_name(hit[2].func)}() before it is written with "
                        f"{tail}(): if the key expired in the meantime, {tail}() recreates it partially and without a TTL, "
                        "so it never expires again (write first and set the TTL after, in one MULTI pipeline).",
                        hit[2],
                    )
                    continue
            for recv, key, read, taken in takes:
                if tail in taken and _store_receiver(call, s.module) == recv and _key(call) == key:
                    s.report(
                        STORE_CHECK_THEN_ACT, read.lineno, call,
                        f"Key {short(read.args[0], 40)} is read with {last_name(read.func)}() and then cleared with {tail}() "
                        f"in a separate command: {s.runners} can both take the same items, and items added in between "
                        "are removed without being read (use a MULTI pipeline, a Lua script, or ZPOPMIN/LMOVE-style atomic commands).",
                        read,
                    )
            if tail in _STORE_PUTS and not any(k.arg == "nx" for k in call.keywords):
                recv, key = _store_receiver(call, s.module), _key(call)
                on = receiver(call)
                if recv is None and isinstance(on, ast.Name) and on.id in pipes:  # queued in a pipeline of that client
                    recv = _store_client(pipes[on.id], s.module)
                for c_recv, c_key, read, check in checks:
                    if c_recv == recv and c_key == key and step.node.lineno > check.lineno:
                        s.report(
                            STORE_CHECK_THEN_ACT, read.lineno, call,
                            f"Key {short(read.args[0] if read.args else call, 40)} is tested with {last_name(read.func)}() and then written with "
                            f"{tail}() in a separate command: {s.runners} can both see it unset and both write it, so a lock "
                            "or a run-once marker made this way lets both through (use SET NX / cache.add(), WATCH/MULTI or a Lua script).",
                            read,
                        )
                        break
            elif tail in ("create", "acreate") and _ormish(call):
                for _c_recv, _c_key, read, check in checks:
                    if check in step.ifs:
                        s.report(
                            STORE_CHECK_THEN_ACT, read.lineno, call,
                            f"A cache miss on {short(read.args[0] if read.args else read, 40)} is followed by a plain create(): "
                            f"{s.runners} can both miss and both create the row (use get_or_create() on a unique key).",
                            read,
                        )
                        break


# ---- DC313: select, then claim by id ---------------------------------------------------------

_ID_KEYS = {"_id", "id", "pk"}
_ID_LOOKUPS = {"pk__in", "id__in"}


def _claim_read(node: ast.AST) -> ast.Call | None:
    """A query selecting candidate rows: ``select(...).where(...)``, ``M.objects.filter(...)``,
    ``collection.find({...})``; None when it locks what it selects."""
    for call in iter_calls(node):
        calls = chain_calls(call)
        if any(c in _LOCKING_CALLS for c in calls) or "skip_locked" in ast.dump(call):
            return None
        if calls and calls[0] == "select" and any(c in ("where", "filter", "filter_by") for c in calls):
            return call
        for sub in _sub_calls(call):  # collection.find({...}).sort(...)
            if last_name(sub.func) == "find" and sub.args and isinstance(sub.args[0], ast.Dict) and receiver(sub) is not None:
                return sub
        if "filter" in calls and _ormish(call) == "django" and calls[-1] not in _NOT_QUERIES:
            return call
    return None


def _only_ids(call: ast.Call, dicts: dict[str, ast.AST], tainted: set[str]) -> bool:
    """Whether an UPDATE's filter is nothing but "id in <the selected ids>"."""
    tail = last_name(call.func)
    if tail in ("update_many", "update_one") and call.args:
        flt: ast.AST = call.args[0]
        if isinstance(flt, ast.Name):
            flt = dicts.get(flt.id, flt)
        if not isinstance(flt, ast.Dict) or not (names_in(flt) & tainted):
            return False
        keys = {string_value(k) for k in flt.keys if k is not None}
        return bool(keys) and keys <= _ID_KEYS and "$in" in ast.dump(flt)
    calls = chain_calls(call)
    if tail == "update" and _ormish(call) == "django":
        node = call.func.value if isinstance(call.func, ast.Attribute) else None
        kwargs = [kw for c in iter_calls(node) if last_name(c.func) == "filter" for kw in c.keywords] if node is not None else []
        return bool(kwargs) and all(kw.arg in _ID_LOOKUPS for kw in kwargs) and any(names_in(kw.value) & tainted for kw in kwargs)
    if "update" in calls and "where" in calls and ("values" in calls or tail == "values"):
        wheres = [c for c in _sub_calls(call) if last_name(c.func) == "where"]
        conds = [a for w in wheres for a in w.args]
        return len(conds) == 1 and isinstance(conds[0], ast.Call) and last_name(conds[0].func) == "in_" and bool(names_in(conds[0]) & tainted)
    return False


def _sub_calls(call: ast.Call) -> list[ast.Call]:
    out = []
    node: ast.AST | None = call
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call):
            out.append(node)
            node = node.func
        else:
            node = node.value
    return out


def scan_claim_without_lock(s: FunctionScan) -> None:
    if not s.mentions("update") or not s.mentions("in_(", "$in", "__in"):
        return
    if s.mentions("for_update", "skip_locked", "for update"):
        return
    tainted: set[str] = set()
    dicts: dict[str, ast.AST] = {}
    read: ast.Call | None = None
    for step in s.steps:
        node = step.node
        if step.header:
            if isinstance(node, (ast.For, ast.AsyncFor)):
                found = _claim_read(node.iter)
                if found is not None or names_in(node.iter) & tainted:
                    read = read or found
                    tainted |= names_in(node.target)
            continue
        targets, value = _assign_parts(node)
        if value is not None:
            found = _claim_read(value)
            if found is not None or names_in(value) & tainted:
                read = read or found
                for t in targets:
                    tainted |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and isinstance(value, ast.Dict):
                dicts[targets[0].id] = value
        for call in _step_calls(step):
            tail = last_name(call.func)
            recv = receiver(call)
            if tail in ("append", "extend", "add", "update", "setdefault") and isinstance(recv, ast.Name) and any(
                names_in(a) & tainted for a in call.args
            ):
                tainted.add(recv.id)
                continue
            if read is None or step.locked:
                continue
            if _only_ids(call, dicts, tainted):
                s.report(
                    CLAIM_WITHOUT_LOCK, read.lineno, call,
                    "Rows are selected and then claimed with an update by their ids in a separate statement: "
                    f"{s.runners} both select the same rows before either marks them, and both claim and run them "
                    "(lock the selection with FOR UPDATE SKIP LOCKED, or repeat the selection's condition in the update "
                    "and use the rows it actually changed).",
                    read,
                )
                return


# ---- DC314: a lock released by a caller that may not hold it -------------------------------


def _try_acquire(value: ast.AST) -> tuple[str, str | None, str] | None:
    """(receiver, key, how) for ``cache.add(k, …)``, ``r.set(k, …, nx=True)``, ``r.setnx(k, …)``,
    ``lock.acquire(blocking=False)``: calls whose result says whether the lock was taken."""
    inner = value.value if isinstance(value, ast.Await) else value
    if not isinstance(inner, ast.Call) or receiver(inner) is None:
        return None
    tail = last_name(inner.func)
    recv = dotted(receiver(inner))
    if tail == "acquire" and any(k.arg in ("blocking", "timeout", "blocking_timeout") for k in inner.keywords):
        return recv, None, f"{short(inner.func, 40)}()"
    if tail == "acquire" and inner.args and isinstance(inner.args[0], ast.Constant) and inner.args[0].value is False:
        return recv, None, f"{short(inner.func, 40)}()"
    if not inner.args:
        return None
    key = ast.dump(inner.args[0])
    if (tail == "add" and any_in(recv.lower(), ("cache", "memcache"))) or tail == "setnx" or (
        tail == "set" and any(k.arg == "nx" for k in inner.keywords)
    ):
        return recv, key, f"{short(inner.func, 40)}()"
    return None


def scan_lock_released_unowned(s: FunctionScan) -> None:
    if not s.mentions("delete(", "release(", "unlink("):
        return
    taken: list[tuple[str, str, str | None, str, ast.AST]] = []  # (flag name, receiver, key, how, node)
    for step in s.steps:
        node = step.node
        if step.header:
            continue
        targets, value = _assign_parts(node)
        if value is not None and len(targets) == 1 and isinstance(targets[0], ast.Name):
            found = _try_acquire(value)
            if found:
                taken.append((targets[0].id, *found, node))
        if not taken:
            continue
        for call in _step_calls(step):
            tail = last_name(call.func)
            recv = receiver(call)
            if recv is None or tail not in ("delete", "release", "unlink", "adelete"):
                continue
            for flag, owner, key, how, acquired in taken:
                same = dotted(recv) == owner and (
                    (key is None and tail == "release") or (key is not None and call.args and ast.dump(call.args[0]) == key)
                )
                if not same:
                    continue
                if any(flag in names_in(check.test) for check in step.ifs) or _guarded_by_exit(s.steps, flag, step):
                    break
                s.report(
                    LOCK_RELEASED_UNOWNED, call.lineno, call,
                    f"The lock taken with {how} (its result in `{flag}`) is released with {tail}() whether or not this "
                    f"caller acquired it: when another run of {s.fn.name} holds the lock, this one releases it on its way "
                    f"out and a third can start alongside the holder (release only when `{flag}` is true, ideally with a "
                    "token compare-and-delete).",
                    acquired,
                )
                break


def _guarded_by_exit(steps: list[Step], flag: str, at: Step) -> bool:
    """``if not acquired: return`` (or raise) before ``at``: only an owner gets there."""
    for step in steps:
        if step is at:
            return False
        node = step.node
        if step.header and isinstance(node, ast.If) and flag in names_in(node.test) and _terminates(node.body):
            if (node.end_lineno or node.lineno) < at.node.lineno:
                return True
    return False


# ---- DC340: work enqueued before the state it needs is committed ----------------------------

_ENQUEUES = {"delay", "apply_async", "send_task", "async_task", "enqueue", "enqueue_call", "enqueue_job", "send_with_options", "kiq"}
_FILE_OPENERS = {"open", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile"}


def _transaction_blocks(fn: FunctionInfo) -> list[tuple[int, int, int, str]]:
    """(start, end, header line, how) of the function's transaction blocks: ``with transaction.atomic():``,
    ``with session.begin():``, ``async with conn.transaction():``, or the whole function under
    ``@transaction.atomic``."""
    out = []
    for name, deco in fn.decorators:
        if name.rsplit(".", 1)[-1] == "atomic":
            out.append((fn.node.lineno, fn.end, deco.lineno, f"@{name}"))
    for node in ast.walk(fn.node):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                expr = item.context_expr
                tail = last_name(expr.func) if isinstance(expr, ast.Call) else last_name(expr)
                recv = dotted(receiver(expr)).lower() if isinstance(expr, ast.Call) and receiver(expr) is not None else ""
                if tail == "atomic" or (tail in ("begin", "transaction") and any_in(recv, ("session", "conn", "db", "engine", "connection"))):
                    out.append((node.lineno, node.end_lineno or node.lineno, node.lineno, f"{short(expr, 40)}"))
    return out


def _open_files(fn: FunctionInfo) -> list[tuple[int, int, str, ast.AST]]:
    """(start, end, name, with node) of ``with open(p, "w") as f`` / ``NamedTemporaryFile() as f`` blocks."""
    out: list[tuple[int, int, str, ast.AST]] = []
    for node in ast.walk(fn.node):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and last_name(expr.func) in _FILE_OPENERS and isinstance(item.optional_vars, ast.Name):
                    if last_name(expr.func) == "open" and not any_in(open_mode(expr), ("w", "a", "x", "+")):
                        continue
                    out.append((node.lineno, node.end_lineno or node.lineno, item.optional_vars.id, node))
    return out


def _enqueued(call: ast.Call) -> str:
    recv = receiver(call)
    return f"{short(recv, 30)}.{last_name(call.func)}()" if recv is not None else f"{last_name(call.func)}()"


def _moved_out_of_transaction(s: FunctionScan, call: ast.Call) -> str | None:
    """How the base side of this function sent the same work inside a transaction block, when the
    head sends it outside any: ``bulk_update.apply_async(...)`` moved below ``with transaction.atomic():``."""
    base = module_for(s.ctx, "base") if s.ctx.file.old_path is not None else None
    fn = base.by_qualname.get(s.fn.qualname) if base is not None else None
    if fn is None:
        return None
    name = dotted(call.func)
    for start, end, header, how in _transaction_blocks(fn):
        for node in ast.walk(fn.node):
            if isinstance(node, ast.Call) and dotted(node.func) == name and start <= node.lineno <= end:
                return f"`{how}` on base line {header}"
    return None


def scan_enqueue_before_commit(s: FunctionScan) -> None:
    if not s.mentions(*(f"{e}(" for e in _ENQUEUES)):
        return
    blocks = _transaction_blocks(s.fn)
    files = _open_files(s.fn)
    sends: list[tuple[ast.Call, Step]] = [
        (c, st) for st in s.steps for c in _step_calls(st) if last_name(c.func) in _ENQUEUES and receiver(c) is not None or (
            last_name(c.func) in ("async_task", "send_task") and isinstance(c.func, ast.Name)
        )
    ]
    if not sends:
        return
    later: list[tuple[int, ast.Call]] = [(c.lineno, c) for st in s.steps for c in _step_calls(st)]
    for call, _step in sends:
        added = touches(s.ctx.added, call)
        args = [*call.args, *(k.value for k in call.keywords)]
        roots = {n.id for a in args for n in ast.walk(a) if isinstance(n, ast.Name)}
        what = _enqueued(call)
        for start, end, header, how in blocks:
            if start <= call.lineno <= end and (added or header in s.ctx.added):
                if added and how.rstrip("()").endswith("atomic"):
                    break  # work-enqueued (DC103) already says it, as a warning, at this added send
                line = call.lineno if added else header
                s.findings.append(ENQUEUE_BEFORE_COMMIT.finding(
                    s.ctx.path, line,
                    f"{what} is sent inside `{how}` (line {header}), before the transaction commits: a worker can "
                    "start it before the commit and not see the rows, or run it for rows a rollback removed "
                    "(send it from transaction.on_commit()).", max(line, call.lineno),
                ))
                break
        else:
            moved = _moved_out_of_transaction(s, call) if added else None
            if moved is not None:
                s.findings.append(ENQUEUE_BEFORE_COMMIT.finding(
                    s.ctx.path, call.lineno,
                    f"{what} moved out of the transaction block it was sent from ({moved}): it is now sent after the "
                    "commit, so a worker sees the committed rows, but the send no longer rolls back with them and its "
                    "order relative to the other writes changed; check the task does not rely on either.",
                    call.end_lineno or call.lineno, severity="warning",
                ))
                continue
            for start, end, name, _node in files:
                if start < call.lineno <= end and name in roots and (added or start in s.ctx.added):
                    line = call.lineno if added else start
                    s.findings.append(ENQUEUE_BEFORE_COMMIT.finding(
                        s.ctx.path, line,
                        f"{what} is given the file `{name}` while it is still open (the `with` on line {start}): a worker "
                        "can read it before the data is flushed and the file closed (enqueue after the `with` block).",
                        max(line, call.lineno),
                    ))
                    break
            else:
                if not added:
                    continue
                for number, after in later:
                    if number <= (call.end_lineno or call.lineno):
                        continue
                    tail = last_name(after.func)
                    recv = receiver(after)
                    if recv is None:
                        continue
                    if tail in ("save", "asave") and chain_root(recv) in roots:
                        state = f"`{short(recv, 30)}.save()` (line {number})"
                    elif tail == "commit" and any_in(dotted(recv).lower(), ("session", "db", "conn", "transaction")):
                        state = f"`{short(after.func, 40)}()` (line {number})"
                    else:
                        continue
                    s.findings.append(ENQUEUE_BEFORE_COMMIT.finding(
                        s.ctx.path, call.lineno,
                        f"{what} is sent before {state}: a worker can start it and read the old state, or overwrite "
                        "what is saved after it (save or commit first, then enqueue, ideally from transaction.on_commit()).",
                        number,
                    ))
                    break


_MOVE_SENDS = {"enqueue", "enqueue_job", "publish", "basic_publish", "push", "rpush", "lpush", "xadd", "send_message", "put"}
_MOVE_ACKS = {"ack", "basic_ack", "acknowledge", "delete_message", "xack", "lrem", "zrem", "nack", "reject", "basic_reject", "basic_nack"}


def scan_two_step_move(s: FunctionScan) -> None:
    """A message moved as "enqueue a copy, then ack the original" in two separate calls."""
    if not s.mentions(*(f"{a}(" for a in _MOVE_ACKS)):
        return
    sends: list[tuple[ast.Call, set[str]]] = []
    for step in s.steps:
        for call in _step_calls(step):
            tail = last_name(call.func)
            recv = receiver(call)
            if recv is None or "pipe" in dotted(recv).lower():
                continue
            args = {n for a in [*call.args, *(k.value for k in call.keywords)] for n in names_in(a)} - {"self", "cls"}
            if tail in _MOVE_SENDS and args:
                sends.append((call, args))
            elif tail in _MOVE_ACKS and args:
                for send, sent in sends:
                    shared = sent & args
                    if shared and (touches(s.ctx.added, send) or touches(s.ctx.added, call)):
                        line = first_changed(s.ctx.added, send.lineno, call.end_lineno or call.lineno) or send.lineno
                        s.findings.append(ENQUEUE_BEFORE_COMMIT.finding(
                            s.ctx.path, line,
                            f"`{sorted(shared)[0]}` is moved in two calls, {_enqueued(send)} then {_enqueued(call)}: a worker that "
                            "dies between them leaves the message in both places and it runs twice (in the other order it would "
                            "be lost); make the move one atomic step (a MULTI pipeline, a Lua script, LMOVE) or the consumer idempotent.",
                            call.end_lineno or call.lineno, severity="warning",
                        ))
                        return


# ---- DC310: a version or ETag precondition checked on an unlocked read, then a write ----------

# Names that only an optimistic-concurrency check compares: any write after the check counts.
_PRECONDITION_WORDS = ("etag", "if_match", "if-match", "if_unmodified_since", "if-unmodified-since", "lock_version", "row_version")
# A row's own version stamp (`obj.version`, `obj.updated_at`): only a later save of that object counts.
_VERSION_FIELDS = {"version", "revision", "updated_at", "last_updated", "modified", "modified_at", "last_modified"}
_PRECONDITION_WRITES = {"save", "asave", "update", "aupdate", "perform_update", "partial_update", "bulk_update"}


def _precondition(test: ast.AST) -> tuple[str, str | None] | None:
    """(what the test compares, the object whose version field it is or None) for a comparison
    of an ETag/If-Match value or of a row's version field, else None."""
    for node in ast.walk(test):
        if not isinstance(node, ast.Compare):
            continue
        for sub in (x for side in (node.left, *node.comparators) for x in ast.walk(side)):
            if isinstance(sub, ast.Attribute) and sub.attr in _VERSION_FIELDS and not isinstance(sub.value, ast.Call):
                return dotted(sub), dotted(sub.value)
            text = sub.id if isinstance(sub, ast.Name) else sub.attr if isinstance(sub, ast.Attribute) else (
                sub.value if isinstance(sub, ast.Constant) and isinstance(sub.value, str) else "")
            if any_in(text.lower(), _PRECONDITION_WORDS):
                return text, None
    return None


def _rechecks(call: ast.Call) -> bool:
    """``M.objects.filter(pk=…, version=v).update(…)``: the write compares the version itself."""
    for sub in _sub_calls(call):
        if last_name(sub.func) in ("filter", "where", "filter_by"):
            words = [kw.arg or "" for kw in sub.keywords] + [dotted(a) for a in sub.args]
            if any(any_in(w.lower(), _PRECONDITION_WORDS) or any(f in w.lower() for f in _VERSION_FIELDS) for w in words):
                return True
    return False


def scan_precondition_then_write(s: FunctionScan) -> None:
    """DC310: an `if` that compares an ETag/If-Match value or a row's version and leaves the
    function on a mismatch, followed by a write, with no row lock in the function: the check
    reads a row another worker can change before the write."""
    if not (s.mentions(*_PRECONDITION_WORDS) or any(f in s.text for f in _VERSION_FIELDS)):
        return
    if s.mentions("select_for_update", "with_for_update", "for update", "for no key update"):
        return
    writes = sorted(
        (c for c in ast.walk(s.fn.node) if isinstance(c, ast.Call) and last_name(c.func) in _PRECONDITION_WRITES and not _rechecks(c)),
        key=lambda c: (c.lineno, c.col_offset),
    )
    if not writes:
        return
    for node in ast.walk(s.fn.node):
        if not isinstance(node, ast.If) or not _terminates(node.body) or not touches(s.ctx.added, node):
            continue
        found = _precondition(node.test)
        if found is None:
            continue
        compared, owner = found
        end = node.end_lineno or node.lineno
        write = next((w for w in writes if w.lineno > end and (
            owner is None or (last_name(w.func) in ("save", "asave") and dotted(receiver(w)) == owner))), None)
        if write is None:
            continue
        s.findings.append(CHECK_THEN_ACT.finding(
            s.ctx.path, node.lineno,
            f"The precondition on `{short(node.test)}` is checked on a read without a row lock, before "
            f"`{dotted(write.func)}()` writes (line {write.lineno}): {s.runners} can both pass it, and the later write "
            "overwrites the earlier one. Compare and write in one statement (`filter(pk=…, version=…).update(…)`, "
            "then check the row count) or lock the row with `select_for_update()` in the transaction that writes.",
            write.lineno,
        ))
        return


ANALYSES = (
    scan_orm_lost_update,
    scan_sql_lost_update,
    scan_cache_lost_update,
    scan_file_lost_update,
    scan_global_lost_update,
    scan_check_then_act,
    scan_precondition_then_write,
    scan_file_check_then_act,
    scan_store_check_then_act,
    scan_claim_without_lock,
    scan_lock_released_unowned,
    scan_enqueue_before_commit,
    scan_two_step_move,
)


def changed_functions(module: PyModule, added: dict[int, str]) -> list[FunctionInfo]:
    seen: dict[str, FunctionInfo] = {}
    for line in sorted(added):
        fn = module.function_at(line)
        if fn is not None:
            seen.setdefault(fn.qualname, fn)
    return list(seen.values())


# What each analysis needs among the names a function calls (``_call_tails``): without them it
# cannot report, whatever else the function holds, so it is not run. These are the calls each
# analysis's reads and writes are made of (its own tables above), so the test never drops a
# finding; it spares the statement walk of the many functions whose text holds a trigger word
# (``put`` in ``compute``, ``create(`` in any factory) but no store, ORM or file call at all.
_NEEDS: dict = {
    scan_orm_lost_update: ({"save", "asave", "bulk_update", "abulk_update", "commit", "flush"},),
    scan_sql_lost_update: (set(_SQL_RUNNERS),),
    scan_cache_lost_update: ({"set", "setex", "hset", *_INCREMENTS}, {"get", "hget"}),
    scan_file_lost_update: (
        {"open", "read_text", "read_bytes"},
        {"open", "write_text", "write_bytes", "replace", "rename", "move", "copy", "copyfile", "copy2"},
    ),
    scan_check_then_act: ({"create", "acreate", "bulk_create", "save", "asave", "delete", "adelete", "add"},),
    scan_precondition_then_write: (_PRECONDITION_WRITES,),
    scan_file_check_then_act: (
        set(_EXISTS_CHECKS),
        {"open", "write_text", "write_bytes", "replace", "rename", "move", "copy", "copyfile", "copy2", "remove", "unlink"},
    ),
    scan_claim_without_lock: ({"update_many", "update_one", "update", "values"},),
    scan_lock_released_unowned: ({"delete", "release", "unlink", "adelete"}, {"acquire", "add", "setnx", "set"}),
    scan_enqueue_before_commit: (_ENQUEUES,),
    scan_two_step_move: (_MOVE_ACKS, _MOVE_SENDS),
}


def _store_may_report(tails: set[str]) -> bool:
    """DC312's three shapes: a checked key written (or a cache miss followed by create()), a range
    read and cleared, an EXPIRE before a write that recreates the key."""
    checks = tails & (_STORE_CHECKS | {"incr", "incrby"})
    if checks and tails & (_STORE_PUTS | {"create", "acreate"}):
        return True
    if any(tails & set(_STORE_TAKES[take]) for take in tails & _STORE_TAKES.keys()):
        return True
    return bool(tails & {"expire", "pexpire", "expireat"}) and bool(tails & _STORE_CREATES)


def _call_tails(module: PyModule, fn: FunctionInfo) -> set[str]:
    """The final names of every call inside ``fn``, nested scopes included (a superset of what
    its statements call), from the module's index of calls: no walk of the function."""
    by_scope = module.memo.get("call-tails")
    if by_scope is None:
        by_scope = {}
        for call, scope in module.calls:
            by_scope.setdefault(scope, set()).add(last_name(call.func))
        module.memo["call-tails"] = by_scope
    prefix = fn.qualname + "."
    tails = set(by_scope.get(fn.qualname, ()))
    for scope, names in by_scope.items():
        if scope.startswith(prefix):
            tails |= names
    return tails


def _analyses_for(module: PyModule, fn: FunctionInfo, job: JobKind | None) -> list:
    tails = _call_tails(module, fn)
    out = []
    for analysis in ANALYSES:
        if analysis is scan_global_lost_update:
            if job is not None and any(module.is_mutated_global(name) for name in module.module_mutables):
                out.append(analysis)
        elif analysis is scan_store_check_then_act:
            if _store_may_report(tails):
                out.append(analysis)
        elif all(tails & names for names in _NEEDS[analysis]):
            out.append(analysis)
    return out


def detect_hazards(ctx: FileContext):
    if not should_analyse(ctx) or migration_kind(ctx.path) or not may_add_hazard(ctx):
        return  # a migration's data function runs once, in one process: DC4xx cover migrations
    module = module_for(ctx, "head")
    if module is None:
        return
    jobs = job_map(module, ctx.path, ctx)
    lines = module.text.splitlines()
    for fn in changed_functions(module, ctx.added):
        job = enclosing_job(module, fn.node.lineno, jobs)
        analyses = _analyses_for(module, fn, job[1] if job else None)
        if not analyses:
            continue
        text = "\n".join(lines[fn.node.lineno - 1 : fn.end]).lower()
        if not any_in(text, HAZARD_TRIGGERS):
            continue
        wrappers = ctx.settings.lock_wrappers + module_lock_names(module)
        scan = FunctionScan(ctx, module, fn, steps(fn.node, wrappers), job[1] if job else None, text=text)
        for analysis in analyses:
            analysis(scan)
        yield from scan.findings


DETECTORS = (detect_hazards,)
