"""Documentation of the Python hazard, safeguard and migration rules, in ruff's sections.

The same text is shown by `deploycheck explain RULE`. Kept apart from the detectors so that
the checks stay readable; each entry is keyed by rule id.
"""

from __future__ import annotations

from textwrap import dedent


def _doc(what: str, why: str, problems: str, example: str, instead: str) -> dict[str, str]:
    return {
        "what_it_does": dedent(what).strip(),
        "why_bad": dedent(why).strip(),
        "known_problems": dedent(problems).strip(),
        "example": dedent(example).strip("\n"),
        "use_instead": dedent(instead).strip("\n"),
    }


HAZARD_DOCS = {
    "DC301": _doc(
        """
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
        """
        Two workers load the same row, both compute from the same stale value, and the second
        `save()` silently overwrites the first: a stock decrement, a balance change or a
        counter increment is lost. Nothing fails, no exception is raised, and a single-worker
        test or staging environment never shows it. `save()` also writes back every other
        field as it was read, undoing concurrent changes to them.
        """,
        """
        Data flow is followed inside one function only: a helper that loads, changes and saves
        in different functions is not seen, a statement is followed through plain
        `name = …` assignments only (not through attributes or containers). `obj.f = helper(obj)`
        (the whole object handed to a helper) counts as a recomputation of `f` when the helper,
        defined in the same file, reads that field of its parameter, and always when the helper
        is defined elsewhere (it cannot be read here, so the change must show it is safe). A version check done inside a custom `save()` (for
        example django-concurrency's `VersionField`) is not visible; suppress the finding with
        `# deploycheck: ignore[DC301] versioned model` on the line.
        """,
        """
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
        """
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
    ),
    "DC302": _doc(
        """
        Finds raw SQL read-modify-write in one function: a `SELECT col … FROM t` without
        `FOR UPDATE`/`FOR SHARE` (run by `execute()`, asyncpg's `fetch()`/`fetchrow()`/
        `fetchval()` or `databases`' `fetch_one()`/`fetch_all()`/`fetch_val()`, as used in arq
        and asyncio workers), then `UPDATE t SET col = %s` where the new value is a
        parameter computed in Python (placeholders `%s`, `%(name)s`, `?`, `:name`, `$1`,
        f-string fields), and the `WHERE` clause does not re-check the column or a version.
        Reported from the first changed line of the SELECT … UPDATE span to the UPDATE.
        """,
        """
        Between the SELECT and the UPDATE another transaction can change the row; the UPDATE
        then writes a value computed from stale data and the other change is lost. Under the
        default READ COMMITTED isolation, wrapping both statements in a transaction does not
        help.
        """,
        """
        The SQL must be a literal (or a local variable holding one) in the same function.
        A function that takes an advisory lock (`pg_advisory_xact_lock`, `GET_LOCK`) or
        `LOCK TABLE` anywhere is considered serialised.
        """,
        """
        cursor.execute("SELECT balance FROM accounts WHERE id = %s", [account_id])
        balance = cursor.fetchone()[0]
        cursor.execute("UPDATE accounts SET balance = %s WHERE id = %s", [balance - amount, account_id])
        """,
        """
        cursor.execute(
            "UPDATE accounts SET balance = balance - %s WHERE id = %s AND balance >= %s",
            [amount, account_id, amount],
        )
        if cursor.rowcount == 0:
            raise InsufficientFunds(account_id)
        """,
    ),
    "DC303": _doc(
        """
        Finds `value = r.get(key)` (Redis) or `cache.get(key)` (Django cache), followed in the
        same function by `set(key, …)`/`setex`/`hset` on the same client and key with a value
        derived from what was read, outside `WATCH`/`MULTI` (a `.watch()` call in the function),
        a lock, or an atomic command. Reported from the first changed line between the get and
        the set, ending at the set.
        """,
        """
        Two processes read the same value, both compute a new one, and the last `set` wins:
        counters under-count, quotas are exceeded, cached aggregates go wrong. Redis and
        memcached execute each command atomically, but not a sequence of two.
        """,
        """
        Keys are compared as written (`f"quota:{user_id}"` in both calls); a key built in a
        variable in one place and inline in the other is not matched. Receivers named like
        request data or configuration (`request`, `settings`, `environ`, …) are ignored.
        """,
        """
        count = int(r.get(f"quota:{user_id}") or 0)
        r.set(f"quota:{user_id}", count + 1)
        """,
        """
        r.incr(f"quota:{user_id}")              # Redis: INCR/INCRBY/HINCRBY, or a Lua script
        cache.incr(f"quota:{user_id}")          # Django cache (after cache.add(key, 0))
        """,
    ),
    "DC304": _doc(
        """
        Finds job code (see DC101) that reads a file (`open(p)`, `p.read_text()`,
        `json.load(open(p))`) and later rewrites the same path (`open(p, "w")`,
        `p.write_text()`, `os.replace(tmp, p)`), with no file lock (`fcntl.flock`, `lockf`,
        `filelock.FileLock`, portalocker, a `with …lock…:` block) in the function.
        """,
        """
        Two workers load the same JSON/state file, each adds its change, and the second write
        replaces the first. Writing through a temporary file and `os.replace` makes the write
        atomic but does not stop the lost update.
        """,
        """
        Paths are compared as written. Only reported in job, queue or worker code, where
        concurrent runs are expected; a CLI script that does the same is not flagged.
        """,
        """
        @shared_task
        def record_run(name):
            state = json.loads(STATE_FILE.read_text())
            state[name] = state.get(name, 0) + 1
            STATE_FILE.write_text(json.dumps(state))
        """,
        """
        Keep shared state in the database (an F() update), or hold a lock across the read and
        the write:

        @shared_task
        def record_run(name):
            with FileLock(f"{STATE_FILE}.lock"):
                state = json.loads(STATE_FILE.read_text())
                state[name] = state.get(name, 0) + 1
                STATE_FILE.write_text(json.dumps(state))
        """,
    ),
    "DC305": _doc(
        """
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
        """
        `+=` on a dict item is a read, an add and a write: threads interleave between them and
        lose increments. In worker processes (Celery prefork, RQ, multiprocessing) each process
        has its own copy of the module, so the "shared" value silently diverges per worker and
        disappears on restart.
        """,
        """
        Only module-level names bound to a mutable literal or constructor (`{}`, `[]`, `dict()`,
        `defaultdict()`, `Counter()`, …) are tracked. A change in place (`append`, `add`,
        `update`, `pop`, …) is reported when an `if` that tests the same name guards it
        (`if url not in SEEN: SEEN.add(url)`: check-then-act), and in jobs that run in worker
        processes (Celery, RQ, Dramatiq, …), where each process changes its own copy; a plain
        append in a thread or pool worker is one step under the GIL and is not reported, nor are
        item assignments that do not read the old value. A function handed to a runner in another
        module is only seen through DC101's other signals (decorators, `job_paths`).
        """,
        """
        PROCESSED = {}

        def worker(item):
            PROCESSED[item.kind] = PROCESSED.get(item.kind, 0) + 1

        with ThreadPoolExecutor() as pool:
            pool.map(worker, items)
        """,
        """
        PROCESSED = Counter()
        PROCESSED_LOCK = threading.Lock()

        def worker(item):
            with PROCESSED_LOCK:
                PROCESSED[item.kind] += 1
        """,
    ),
    "DC310": _doc(
        """
        Finds a check followed by an action in a separate step on the same model: `if
        M.objects.filter(...).exists()` (or `.count()`, `.first()`, a variable loaded with
        `.first()` tested for None) then `M.objects.create()`, `obj.save()`, `obj.delete()` or
        `session.add(M(...))` inside the `if` (or after it, when the `if` returns early); and
        `try: M.objects.get(...) except M.DoesNotExist: M.objects.create(...)`. Not reported
        when the action is inside `try … except IntegrityError` or a lock, or the check uses
        `select_for_update()`.
        """,
        """
        Between the check and the action another worker can do the same check: both see "not
        there" and both create it (duplicate rows, double-sent invoices), or both see "there"
        and both delete or update it. The window is small, which is why tests never hit it and
        production, with retries and parallel consumers, does.
        """,
        """
        Models are matched by name (the model in the check must be the model created or the
        variable saved). A unique constraint in the database turns the duplicate into an
        `IntegrityError`; if you rely on that, catch it (then the rule is satisfied).
        """,
        """
        if not Invoice.objects.filter(order=order).exists():
            Invoice.objects.create(order=order, amount=order.total)
        """,
        """
        invoice, created = Invoice.objects.get_or_create(order=order, defaults={"amount": order.total})
        # with a UniqueConstraint on Invoice.order; or:
        try:
            with transaction.atomic():
                Invoice.objects.create(order=order, amount=order.total)
        except IntegrityError:
            pass
        """,
    ),
    "DC311": _doc(
        """
        Finds job code (see DC101) that checks for a file (`os.path.exists(p)`,
        `os.path.isfile(p)`, `p.exists()`) and then, in the `if` or after an early return,
        writes (`open(p, "w")`, `p.write_text()`), appends or removes (`os.remove(p)`,
        `p.unlink()`) the same path without a file lock.
        """,
        """
        Two workers both see "no file yet" and both write it, one overwriting the other; or
        both see the file and the second `remove` raises. The check gives a false sense of
        exclusivity.
        """,
        """
        Paths are compared as written. Directory creation (`os.makedirs`) is not reported; use
        `exist_ok=True`.
        """,
        """
        @shared_task
        def export_report(day):
            path = EXPORT_DIR / f"{day}.csv"
            if not path.exists():
                path.write_text(render_report(day))
        """,
        """
        @shared_task
        def export_report(day):
            path = EXPORT_DIR / f"{day}.csv"
            try:
                with open(path, "x") as fh:   # fails if another worker created it first
                    fh.write(render_report(day))
            except FileExistsError:
                pass
        """,
    ),
    "DC312": _doc(
        """
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
        """
        Each command is atomic, the pair is not: two workers both read "no lock yet" and both
        write it, so a lock or a run-once marker built this way lets both through; two
        consumers both read the same due items before either removes them, and items added
        between the read and the removal are deleted without ever being read. A key that expires
        between `EXPIRE` and `HSET` is recreated by the write, partially and with no TTL, so it
        lives forever.
        """,
        """
        Keys are compared as written (the same expression in both calls) and the client by its
        name; a read and a write through different helper functions are not followed. A write
        whose value does not depend on the read is still reported: the race is in the test.
        """,
        """
        def __enter__(self):
            if self.storage.peek(self.key) is not None:       # DC312 from here …
                raise TaskLocked(self.name)
            self.storage.put(self.key, "1")                    # … to here

        def due(self, now):
            tasks = self.conn.zrangebyscore(self.key, 0, now)  # DC312 from here …
            self.conn.zremrangebyscore(self.key, 0, now)       # … to here
            return tasks
        """,
        """
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
    ),
    "DC340": _doc(
        """
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
        """
        The broker delivers at once, the database commits later. A fast worker starts the task
        before the commit and does not find the row (or reads its old values), and after a
        rollback the task runs for rows that never existed. A file handed over while still
        open may be read before its last buffer is flushed. Tests with eager tasks or one slow
        worker never show it.
        """,
        """
        Only sends in the same function as the transaction, save or file are seen; a
        transaction opened by the caller (or by `ATOMIC_REQUESTS`) is not. A save of another
        object the task does not read is still reported when the task is given that object.
        """,
        """
        def place_order(request):
            with transaction.atomic():
                order = Order.objects.create(user=request.user)
                send_confirmation.delay(order.pk)            # DC340: may run before the commit
        """,
        """
        def place_order(request):
            with transaction.atomic():
                order = Order.objects.create(user=request.user)
                transaction.on_commit(lambda: send_confirmation.delay(order.pk))
        """,
    ),
    "DC313": _doc(
        """
        Finds the "claim" half of a home-made job queue or lease in one function: candidate
        rows or documents are selected (`select(...).where(...)`, `M.objects.filter(...)`,
        `collection.find({...})`) without `with_for_update(skip_locked=True)` /
        `select_for_update()`, and then marked as taken by an update whose only filter is
        "id in the ids just read" (`t.update().values(...).where(t.c.id.in_(ids))`,
        `M.objects.filter(pk__in=ids).update(...)`, `update_many({"_id": {"$in": ids}}, …)`).
        Reported from the first changed line of the select … update span.
        """,
        """
        Two workers (or schedulers) polling at the same moment both select the same free rows
        before either has marked them, and both mark and run them: the same job runs twice. A
        transaction around the two statements does not help under READ COMMITTED, and a
        document store's multi-document transaction only turns it into an abort at best.
        """,
        """
        The ids are followed from the read through local names, comprehensions and
        `append()`; an update that also repeats the selection's condition (`acquired_by IS
        NULL`) is not reported, whatever the read. Updates through helper functions are not
        seen.
        """,
        """
        def acquire_jobs(conn, worker_id, limit):
            free = select(jobs.c.id).where(jobs.c.acquired_by.is_(None)).limit(limit)   # DC313 from here …
            ids = [row.id for row in conn.execute(free)]
            conn.execute(jobs.update().values(acquired_by=worker_id).where(jobs.c.id.in_(ids)))   # … to here
            return ids
        """,
        """
        def acquire_jobs(conn, worker_id, limit):
            free = (
                select(jobs.c.id).where(jobs.c.acquired_by.is_(None)).limit(limit)
                .with_for_update(skip_locked=True)       # other workers skip these rows
            )
            ids = [row.id for row in conn.execute(free)]
            conn.execute(jobs.update().values(acquired_by=worker_id).where(jobs.c.id.in_(ids)))
            return ids
        """,
    ),
    "DC314": _doc(
        """
        Finds a lock taken with a call that may fail (`ok = cache.add(key, …)`,
        `ok = r.set(key, …, nx=True)`, `ok = r.setnx(key, …)`, `ok = lock.acquire(blocking=False)`)
        and released in the same function (`cache.delete(key)`, `r.delete(key)`,
        `lock.release()`) on a path that does not depend on the result: not under an `if`
        that tests it, and not after an `if not ok: return`. The typical shape is a context
        manager whose `finally:` always deletes the key. Reported at the release.
        """,
        """
        When the lock is already held, the caller that failed to take it still deletes the
        key on its way out, so the next worker takes the lock while the first holder is still
        running: the lock no longer serialises anything, and only under load.
        """,
        """
        The acquisition and the release must be in the same function, on the same client name
        and key expression. A release guarded by something else that implies ownership (a
        token comparison in a Lua script) is reported unless it tests the result variable.
        """,
        """
        @contextmanager
        def task_lock(lock_id):
            acquired = cache.add(lock_id, "1", 600)
            try:
                yield acquired
            finally:
                cache.delete(lock_id)            # DC314: also deletes another worker's lock
        """,
        """
        @contextmanager
        def task_lock(lock_id):
            acquired = cache.add(lock_id, "1", 600)
            try:
                yield acquired
            finally:
                if acquired:
                    cache.delete(lock_id)
        """,
    ),
}

SAFEGUARD_DOCS = {
    "DC201": _doc(
        """
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
        (`pipeline(transaction=True)`) and pool sizes (`ThreadPoolExecutor`, `Pool`,
        `max_workers=`, `concurrent.futures.wait`). A row lock is counted on the line of the
        method name, so `.with_for_update()` alone on a continuation line of a multi-line query
        is seen there. When a safeguard leaves a function and a helper of the same file that
        the function now calls holds one of the same kind, the move is reported here at the
        call, instead of as a removal.
        "Changed" means the line holding the construct was edited (e.g. `skip_locked=True`
        added); a line that only moved or was re-indented is not reported.
        """,
        """
        Locking changes how concurrent workers interact even when it makes the code safer: a
        new lock can deadlock with another taken in a different order, a transaction can hold
        row locks for the length of a slow HTTP call, `skip_locked` silently skips work. The
        checklist questions apply, so this is a `warning`, never `high`.
        """,
        """
        Counts are compared per function; when a function is renamed or moved, the comparison
        is per file, so a lock moved into a new function of the same file is not reported.
        """,
        """
        def reserve(product_id, quantity):
            with transaction.atomic():
                product = Product.objects.select_for_update().get(pk=product_id)
                product.stock -= quantity
                product.save()
        """,
        """
        Keep the change, and answer the checklist: name the test that exercises two workers at
        once, and check the lock order against other code that locks the same rows.
        """,
    ),
    "DC202": _doc(
        """
        Reports added or changed atomic writes: `update()` with `F()` or column expressions,
        conditional updates (`filter(version=…)`, `filter(stock__gte=…)` before `update()`),
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
        """
        These change the semantics of concurrent writes: a conditional update can now update
        nothing (is a row count of 0 handled?), `get_or_create` needs a unique constraint to be
        safe, an idempotency key changes what a retry does. Safer, but a `warning`: someone
        should check the new behaviour under concurrency.
        """,
        """
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
        """
        # main: product.stock -= quantity; product.save()
        Product.objects.filter(pk=product_id, stock__gte=quantity).update(stock=F("stock") - quantity)
        """,
        """
        Nothing to rewrite; handle the outcome of the new construct explicitly:

        updated = Product.objects.filter(pk=product_id, stock__gte=quantity).update(stock=F("stock") - quantity)
        if not updated:
            raise OutOfStock(product_id)
        """,
    ),
    "DC320": _doc(
        """
        Reports, on the base side (line numbers of the base version), the removal of a
        safeguard: `select_for_update()`/`with_for_update()`/`FOR UPDATE`, an `F()` or
        column-expression update, a conditional `update()`, a queryset `update()` replaced by
        `save()`, atomic counters (`incr`), `transaction.atomic`/`session.begin()`, a lock
        (threading, Redis `.lock()`, `SET NX`, advisory, file locks, `lock_wrappers`), an
        idempotency key, `transaction.on_commit()`, or `get_or_create()`/`update_or_create()`/
        `ON CONFLICT`, a project's own lock helper (`with task_lock(name) as (lock, acquired):`
        deleted), Redis `WATCH`/`MULTI` and MULTI pipelines, Lua scripts, an `except
        IntegrityError` handler and the lock order. A lock guard turned the other way round
        (`if acquired:` -> `if not acquired:` on a name bound from a lock) is reported on the
        head line. The enclosing function of the base and head versions is compared, so a
        safeguard that merely moved within the function (or, for a renamed function, within the
        file) is not reported.
        """,
        """
        The added lines of such a change look harmless ("minor refactor"), which is exactly why
        reviews miss it: the protection is in what disappeared. Each of these safeguards exists
        because concurrent workers otherwise lose updates, double-apply effects or read
        uncommitted data.
        """,
        """
        When a whole function is deleted (and no function was added to the file), its
        safeguards are not reported: they went with the code they protected. A safeguard moved
        to another file (for example into a helper module) is reported as removed from this one; suppress it with a reason (`# deploycheck: ignore[DC320] moved
        to inventory/locking.py`) on the removed line's neighbour in the head, or answer the
        checklist.
        """,
        """
        # main
        Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)   # DC320 (base side)
        # branch
        product = Product.objects.get(pk=product_id)
        product.stock = product.stock - quantity
        product.save()
        """,
        """
        Keep the safeguard; if the refactor needs the object, lock it or update atomically:

        Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)
        product.refresh_from_db(fields=["stock"])
        """,
    ),
    "DC330": _doc(
        """
        Reports retries added to a job (`autoretry_for=`, `max_retries=`, `retry_backoff=`,
        `retries=`, `self.retry()`, tenacity's `@retry`, `backoff.on_exception`, RQ
        `Retry(max=…)`) when the job has a side effect that is not idempotent — sends email,
        charges a payment, POSTs to an HTTP API, creates rows with `create()`, enqueues or
        publishes messages — and no idempotency key appears in it. Severity `warning`: whether
        a retry can repeat the effect depends on where the failure happens, which only the
        author can judge.
        """,
        """
        A retry runs the whole job again. If the failure (or a timeout, or a worker killed
        after the effect but before the acknowledgement) happened after the side effect, the
        customer gets two emails, is charged twice, or two rows appear.
        """,
        """
        Side effects are recognised by name (`send_mail`, `requests.post`, `stripe…create`,
        `objects.create`); an effect hidden in a helper is not seen.
        """,
        """
        @shared_task(autoretry_for=(RequestException,), max_retries=5)
        def charge_order(order_id):
            order = Order.objects.get(pk=order_id)
            requests.post(PAYMENTS_URL, json={"order": order_id, "amount": order.total})
        """,
        """
        @shared_task(autoretry_for=(RequestException,), max_retries=5)
        def charge_order(order_id):
            order = Order.objects.get(pk=order_id)
            requests.post(
                PAYMENTS_URL,
                json={"order": order_id, "amount": order.total},
                headers={"Idempotency-Key": f"charge-{order_id}"},
            )
        """,
    ),
}

MIGRATION_DOCS = {
    "DC401": _doc(
        """
        Reports an added Django `migrations.RunPython(forward)` without `reverse_code`, or with
        `reverse_code=migrations.RunPython.noop` when the forward function (defined in the same
        file) writes data (`save`, `update`, `create`, `delete`, `bulk_*`, `execute`).
        """,
        """
        Without a reverse, `migrate app <previous>` refuses to run: rolling back a bad deploy
        needs manual data correction at the worst possible moment. A no-op reverse lets the
        rollback "succeed" while leaving the rewritten data behind for the old code to trip on.
        """,
        """
        A forward function imported from another module is assumed to write data.
        """,
        """
        operations = [
            migrations.RunPython(split_full_names),
        ]
        """,
        """
        operations = [
            migrations.RunPython(split_full_names, reverse_code=join_full_names),
        ]
        """,
    ),
    "DC402": _doc(
        """
        Reports an added Django `migrations.RunSQL(sql)` without `reverse_sql`, or with a
        no-op reverse while the forward SQL changes data or schema (`UPDATE`, `DELETE`,
        `INSERT`, `DROP`, `ALTER`, `TRUNCATE`).
        """,
        """
        The migration cannot be unapplied, so a rollback of the release needs hand-written SQL.
        """,
        """
        SQL built at run time is treated as changing data.
        """,
        """
        migrations.RunSQL("UPDATE shop_order SET status = 'paid' WHERE paid_at IS NOT NULL")
        """,
        """
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY order_status ON shop_order (status)",
            reverse_sql="DROP INDEX CONCURRENTLY order_status",
        )
        """,
    ),
    "DC403": _doc(
        """
        Reports added operations that destroy or rename data: Django `RemoveField`,
        `DeleteModel`, `RenameField`, `RenameModel`; Alembic `op.drop_column()` and
        `op.drop_table()` inside `upgrade()` (the same calls in `downgrade()` are the normal
        reverse of an addition and are not reported).
        """,
        """
        Rolling back recreates a dropped column or table empty: the data is gone. During a
        rolling deploy, old code still running against the new schema fails on a removed or
        renamed column. Safe removal takes two releases: stop using the column, then drop it.
        """,
        """
        The rule cannot tell whether the column was already unused in the previous release.
        """,
        """
        operations = [
            migrations.RemoveField(model_name="order", name="legacy_total"),
        ]
        """,
        """
        Release 1: remove every use of `legacy_total` from the code (and make it nullable).
        Release 2, once release 1 is everywhere and a backup exists:

        operations = [
            migrations.RemoveField(model_name="order", name="legacy_total"),   # reviewed: data archived
        ]
        """,
    ),
    "DC404": _doc(
        """
        Reports an added Alembic `downgrade()` whose body is empty (`pass`, a docstring) or only
        raises.
        """,
        """
        `alembic downgrade -1` either does nothing (the schema stays on the new revision while
        the old code runs against it) or fails: rollback needs manual correction.
        """,
        """
        A revision that is genuinely irreversible should say so in the checklist answer for
        `rollback-safe`.
        """,
        """
        def upgrade():
            op.add_column("order", sa.Column("status", sa.String(20), nullable=True))

        def downgrade():
            pass
        """,
        """
        def downgrade():
            op.drop_column("order", "status")
        """,
    ),
    "DC405": _doc(
        """
        Reports a change to a migration file that already existed on the base branch (Django
        `*/migrations/*.py`, Alembic `*/versions/*.py`): edited or deleted instead of a new
        migration being added.
        """,
        """
        Databases that already applied the migration never run it again: staging and
        production silently diverge from fresh environments, and a rollback replays steps that
        do not match what was applied.
        """,
        """
        Editing a migration that was never deployed anywhere is harmless; say so in the
        checklist. Formatting-only edits are reported too.
        """,
        """
        # migrations/0007_order_status.py (already on main), edited on the branch:
        migrations.AddField("order", "status", models.CharField(max_length=30, default="new"))
        """,
        """
        Leave 0007 as it is and add migrations/0008_alter_order_status.py with the change.
        """,
    ),
}
