"""Job and queue context in Python: which functions run as background jobs, queue handlers or
concurrent workers, and the rules that report changes to them (DC101–DC103).

A function is job code when a framework runs it (a decorator, a base class, a file location, a
configured ``job_paths`` glob) or when the same file hands it to a runner (``Thread(target=f)``,
``executor.submit(f)``, ``queue.enqueue(f)``, ``f.delay()``, ``basic_consume(q, f)``, …).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from textwrap import dedent
from typing import Callable

from ...git.model import ADDED
from ..base import SHARED_STATE_WORDS, FileContext, Rule
from .equiv import LOG_FORMATTING, describe, formatter_class, only_formats, proof_of_no_change
from .gate import any_in, is_job_path, job_by_path, may_enqueue, mentions_jobs, is_test_path, migration_kind, should_analyse
from .source import (
    FunctionInfo,
    PyModule,
    chain_root,
    dotted,
    header_nodes,
    last_name,
    module_for,
    receiver,
    steps,
)

_JOB_QUESTIONS = ("shared-state", "sequential-assumption", "concurrency-tested")

JOB_CODE_CHANGED = Rule(
    id="DC101",
    name="job-code-changed",
    category="job",
    severity="warning",
    questions=_JOB_QUESTIONS,
    summary="A background job, scheduled task, management command, signal receiver or worker body changed.",
    languages=("python",),
    what_it_does=dedent("""\
        Reports a change inside the body of code that runs in the background or in parallel:
        Celery tasks (@shared_task, @app.task, subclasses of Celery's Task, beat-scheduled
        tasks), RQ jobs (@job, functions passed to Queue.enqueue), Dramatiq actors, Huey tasks
        (@huey.task, @periodic_task, @db_task), arq functions (WorkerSettings.functions,
        cron_jobs, enqueue_job), APScheduler jobs (add_job, @scheduled_job), django-q tasks (async_task,
        schedule), functions handed to any scheduler's registering call (a receiver named for
        `sched` or `cron`: `SchedulerRegistry.register_daily(tasks.purge)`, `cron.add(spec,
        func=sync)`), Django management commands (management/commands/*.py), Airflow DAGs, tasks
        and operators, Django signal receivers, Celery signal receivers (`@task_failure.connect`,
        `@worker_process_shutdown.connect`), temporalio activities (`@activity.defn`, what a
        workflow's `execute_activity`/`start_activity` calls or a `Worker(…, activities=[…])`
        registers) and workflows (the methods of a `@workflow.defn` class, `@workflow.run`,
        `@workflow.signal`…), and functions run by threading, multiprocessing,
        concurrent.futures or asyncio tasks. A function handed to one of these elsewhere in the
        same file counts too, and so does every file matching `job_paths` in the configuration.

        Beyond the file, the job index of the repository at head (rules/python/repo_index.py) adds
        the functions other modules make background code: handed to a runner or a project
        dispatcher elsewhere (`Thread(target=workers.loop)`, `dispatch(tasks.general_delete,
        exclusive_resources=[...])`, `app.register_task(SyncTask())`,
        `post_save.connect(handlers.on_save)`), named by a dotted string in a beat schedule
        (`{"task": "shop.tasks.sync"}` in settings) or handed over as
        `import_string("core.jobs.sync")`, classes that enqueue themselves
        (`ScriptJob.enqueue(instance=…)` with no function given: every method), subclasses of a Celery `Task` or an RQ
        `Worker` defined in another module, worker loop classes and the main loops of worker,
        consumer and scheduler modules, and the job system's own code: every module (tests
        excepted) of Celery, Kombu, RQ, Dramatiq, Huey, arq, APScheduler and django-q, in the
        library's own repository and wherever a copy is vendored (recognised by the library's
        layout: `rq/__init__.py` beside `rq/job.py`, APScheduler 4 by its `triggers/cron/`
        package, …). The message then says
        where the job is named. In the job system's own code the burden of proof holds for its
        worker machinery, as for the tree languages (DC701): a changed function that touches
        shared state, or that on either side uses threading, multiprocessing, asyncio or
        signals, SQL text, ORM, transaction or Redis write calls, writes its object's state
        outside `__init__` (`self.x = …`, `cls.x = …`, a mutating call on an attribute of
        `self`), declares a `global`, is named, or names something, with the vocabulary of
        scheduling, retrying, locking and storing (`retry`, `timeout`, `lease`, `backend`…:
        rules/vocabulary.py), sits in a class or module so named, or that such a function of
        its module uses by name. Any other function of the library's code is `info`, and the
        message says it was not read as worker machinery. A changed statement outside any
        function there (a module-level default such as `DEFAULT_RESULT_TTL = 500`, a class
        attribute, a dataclass field's default, a class's bases) is read the same way: `warning`
        when it shows such evidence, binds a name made of the vocabulary, sits in a class or
        module so named, or binds a name the module's machinery uses; else `info`.

        A changed module-level assignment that a job of its module reads by name (a retry
        backoff, a cut-off age) is reported as that job's change, at the assignment, unless its
        value is the same syntax tree on the base.

        The burden of proof is on the change: the finding is a `warning` (it flags the change)
        unless deploycheck proves the job's behaviour unchanged, and it is `info` only then. The
        proof compares the job's syntax tree before and after the change once comments,
        docstrings, logging and print calls, type annotations and formatting are removed; the
        message says which of these it needed. Removing logging also removes what only served
        it: locals computed without side effects that nothing else reads (`worker =
        current_process().name`, `took = elapsed.total_seconds()`), an `if` with a test of that
        kind whose branches held only logging, an `except` clause that, without its logging,
        does what the `except Exception` right after it does, the name given to
        `getLogger()`, a `for` loop left with nothing but its logging (over a value without side
        effects, its loop variable read nowhere else) and a comprehension that only builds a log
        message. A value only logged may also leave the function, and the repository at each
        side is read to prove it (rules/python/logflow.py): a keyword handed to a project function
        that nothing but its logging reads (`dump_state(ids, stderr=stderr)` when `dump_state`
        only prints to `stderr`), a project function that only computes a value
        (`shorten(repr(result))` for a log line's text), an attribute that no module of the
        repository reads except to log (`self.log_results = log_results`, read only to blank a
        log line), and a new parameter nothing reads any more, with a default without side
        effects, added after the others or keyword-only (old callers cannot tell); the message
        names each of these it relied on. An `except` clause that, without its logging, only
        raises again what it caught (`raise`, `raise exc`, never `raise … from …`) goes when it
        is the last clause (the exception leaves as it would without it), and
        `if exc := future.exception(): raise exc` after `future.result()` returned is dead code
        when `future` is a parameter annotated `Future` (result() raises that exception itself).
        Printing through a blessed/blessings `Terminal` made in the function
        (`print(term.move(i, 0) + term.center(text))`) is output like any print. A method of a log
        formatter class (deriving from `logging.Formatter`, python-json-logger's `JsonFormatter`,
        …) that only reads and fills in the record it is given is proved not to change the job:
        a logging handler runs it and catches what it raises. A new job is always a `warning`,
        and so is a job removed outright (queued messages and schedules still name it). The message says whether
        the changed statements touch shared state: the database (ORM managers,
        save/delete/create, sessions, cursors, execute/commit), a cache or Redis, files written
        to disk, or module-level mutable globals that the file mutates. One finding is reported
        per changed job function, from its first to its last changed line."""),
    why_bad=dedent("""\
        Code that runs in workers runs many times at once, retries, and runs in an order
        nobody chose. A change that is harmless in a single process (local tests, one staging
        worker) can lose updates, double-process messages or deadlock in production. These are
        the changes the checklist exists for: does the job touch shared state, does it assume
        sequential execution, was it tested under concurrency."""),
    known_problems=dedent("""\
        In a job system's own code, a function whose effect on workers shows only through a call
        into another module (a neutral helper that a worker loop elsewhere calls) is `info`.
        Job context comes from the whole repository at head (the job index, see DC104), but by
        name: a function handed to a runner or dispatcher through a variable, a registry or
        `getattr` is not seen, and a dispatcher is recognised by its name (`dispatch`,
        `register_task`, `add_task`, `defer`, `enqueue_task`, `submit_task`, `schedule_task`,
        `run_in_background`) with a function or dotted string as its first argument. Decorators are
        matched by name (`@job`, `@actor`), so a project decorator with the same name is treated
        as a job. A bare `@task` counts only when it is imported from a job framework (Celery,
        Airflow, Prefect, Huey, …) or from a tasks/jobs-like module, or when the file imports a
        job framework; invoke's and Fabric's `@task` are command-line tasks, not jobs. A base
        class named `Task` counts as Celery's unless it is defined in the file without a Celery
        base (a Django model `Task`) or imported from a models module. The shared-state test is
        syntactic: a call named `save()` on a non-database object counts. The proof of an
        unchanged behaviour is syntactic too: renaming a local variable or reordering two
        independent statements is reported as a change. A logging call whose arguments call
        something with arguments, or a state-changing method without them (`queue.pop()`,
        `lock.acquire()`, by name), counts as a change; one whose side effect hides in another
        call without arguments (`log.info(feed.next_item())`) is removed as if it had none. Attribute reads
        and the few calls counted as side-effect free (`str()`, `.total_seconds()`,
        `current_process()`…) are trusted to be so; a property with side effects is not
        seen. An `except` clause is merged into a following `except Exception` unless it
        names an exception known to lie outside `Exception` (`KeyboardInterrupt`,
        `SystemExit`, `CancelledError`…): a project exception class deriving from
        `BaseException` directly would be merged wrongly. Iterating a name or an attribute is
        read as reading a collection: a loop or comprehension that only logs over a generator or
        a consumer handed in is removed although iterating it consumes it (`async for`, and any
        query set built with `select_for_update()`/`with_for_update()` in the function, are never
        removed). A formatter method's calls on the record it is given are trusted by name
        (`get`, `update`, `pop`, …), and it is taken to be run by logging: a job that calls a
        formatter's method itself on its own dict would see that dict change unreported.
        Names are resolved through the module's imports (relative, or absolute inside the
        repository, one re-export deep) and its own top-level functions; an attribute read
        through `vars()`, `__dict__`, pickling or a serializer is not seen by the search for
        its readers (`git grep -w` over the Python files, tests excepted), and a flag stored
        on `self` and read that way would be proved log-only wrongly. The cross-module facts are
        refused where a red team found them unsound: a store on another object than `self` (a
        model field a later `save()` writes), a name any class declares in its body (a field, a
        property whose setter acts, `__slots__`), any `__setattr__` in the repository, a
        function that updates a parameter in place (`ids += …`), has a mutable default or
        calls a parameter, a name bound twice or inside `try:`/`if` at module level or under a
        star import, `sorted(…, key=f)`/`map(f, …)` with an acting `f`, a module or function
        that rebinds a built-in it calls (`def sorted(…)`), and a `Future` annotation not
        imported from `concurrent.futures` or `asyncio`."""),
    example=dedent("""\
        @shared_task
        def reserve_stock(product_id, quantity):
            product = Product.objects.get(pk=product_id)   # changed line touches the database
            product.stock = product.stock - quantity
            product.save()"""),
    use_instead=dedent("""\
        Nothing to rewrite: answer the checklist. Make each job safe to run twice at once
        and twice in a row, e.g.

        @shared_task
        def reserve_stock(product_id, quantity):
            Product.objects.filter(pk=product_id, stock__gte=quantity).update(stock=F("stock") - quantity)"""),
)

QUEUE_HANDLER_CHANGED = Rule(
    id="DC102",
    name="queue-handler-changed",
    category="queue",
    severity="warning",
    questions=_JOB_QUESTIONS,
    summary="A message-queue consumer or handler changed (Kafka, RabbitMQ, SQS, Pub/Sub, Redis).",
    languages=("python",),
    what_it_does=dedent("""\
        Reports a change inside a message consumer: functions that poll or iterate a Kafka
        consumer (kafka-python, confluent-kafka, aiokafka, Faust agents), RabbitMQ callbacks
        (pika `basic_consume`, kombu `Consumer(callbacks=…)`, `ConsumerMixin`), SQS
        `receive_message` loops (boto3), Google Pub/Sub subscriber callbacks, and Redis pub/sub
        (`listen`, `get_message`, `subscribe(channel=handler)`) and stream (`xread`,
        `xreadgroup`) consumers. Severity follows DC101: `warning` unless the handler's
        behaviour is proved unchanged (the same syntax tree without comments, docstrings,
        logging, annotations and formatting), `info` then; a new handler is always a
        `warning`."""),
    why_bad=dedent("""\
        Brokers deliver at least once, redeliver after a crash or a visibility timeout, and
        spread one queue over many consumers. A handler that is correct when each message
        arrives exactly once, in order, to one process, silently double-applies or reorders
        effects in production."""),
    known_problems=dedent("""\
        Generic method names (`poll`, `consume`, `listen`) only count when the file imports a
        broker client (kafka, confluent_kafka, aiokafka, redis, pika, kombu, google.cloud)."""),
    example=dedent("""\
        def handle(ch, method, properties, body):
            order = json.loads(body)
            Order.objects.create(reference=order["ref"])   # changed: a redelivery creates a duplicate

        channel.basic_consume(queue="orders", on_message_callback=handle)"""),
    use_instead=dedent("""\
        def handle(ch, method, properties, body):
            order = json.loads(body)
            Order.objects.get_or_create(reference=order["ref"])   # unique reference: redelivery is harmless
            ch.basic_ack(delivery_tag=method.delivery_tag)"""),
)

WORK_ENQUEUED = Rule(
    id="DC103",
    name="work-enqueued",
    category="queue",
    severity="info",
    questions=("sequential-assumption", "silent-failure"),
    summary="The change enqueues or publishes work (delay, apply_async, enqueue, publish, send_message…).",
    languages=("python",),
    what_it_does=dedent("""\
        Reports added lines that hand work to a queue or broker: Celery `.delay()`,
        `.apply_async()`, `send_task()`, `add_periodic_task()`; RQ `enqueue*()`; arq
        `enqueue_job()`; django-q `async_task()` and `schedule()`; APScheduler `add_job()`;
        Dramatiq `actor.send()`; Kafka `producer.send()`/`send_and_wait()`/`produce()`, also on
        any name the file binds to a `KafkaProducer`/`AIOKafkaProducer`/`Producer` call; RabbitMQ
        `basic_publish()`; Pub/Sub `publisher.publish()`; SQS `send_message()`; Redis
        `publish()`/`xadd()`.
        Severity is `info` (context), raised to `warning` when the work is enqueued inside
        `transaction.atomic` without `transaction.on_commit`: the worker can then run before
        the transaction commits (or after it rolls back)."""),
    why_bad=dedent("""\
        Enqueued work runs later, elsewhere, maybe several times and in parallel with the code
        that enqueued it. Enqueueing inside an open transaction is a classic race: the worker
        looks for the row that is not committed yet and fails or silently does nothing."""),
    known_problems=dedent("""\
        `.send()` counts only on producers (named so, or bound to a producer in the same file)
        and on actors defined in the same file; `.publish()` only on receivers named like a
        publisher, producer, exchange, channel or Redis client. django-q's `schedule()` counts
        only when imported from `django_q`."""),
    example=dedent("""\
        with transaction.atomic():
            order = Order.objects.create(customer=customer)
            send_receipt.delay(order.pk)    # the worker may run before the commit"""),
    use_instead=dedent("""\
        with transaction.atomic():
            order = Order.objects.create(customer=customer)
            transaction.on_commit(lambda: send_receipt.delay(order.pk))"""),
)

HELPER_CHANGED = Rule(
    id="DC104",
    name="background-helper-changed",
    category="job",
    severity="warning",
    questions=_JOB_QUESTIONS,
    summary="A function that a background job reaches through calls, in any module, changed.",
    languages=("python",),
    what_it_does=dedent("""\
        Reports a change inside a function that is not a job itself but that a job, worker or
        handler reaches through its calls: a helper in another module, a method of a service
        class a task instantiates, a function a management command calls. The job index of the
        repository at head (rules/python/repo_index.py) finds the entry points of every supported
        framework (see DC101 and DC102) and follows their calls by name, through each module's
        definitions and imports (`from billing import charge`, `import billing.helpers as h`,
        `Syncer(order).run()`, `self.step()`), up to 40 calls deep. The message names the job
        and the path to the helper: "`charge` runs in the background: it is called by Celery
        task `shop.tasks.sync` (shop/tasks.py:12) through `shop.services.Syncer.run`".

        Severity follows DC101: `warning` unless the helper's behaviour is proved unchanged (the
        same syntax tree without comments, docstrings, logging, annotations and formatting),
        `info` then. When the index is incomplete (more than 20,000 Python files to look at,
        deeper call chains, or a file that may define jobs could not be read or parsed), a
        changed function the index does not place is reported too, as a `warning` that says why:
        deploycheck cannot show that it does not run in the background. A file that does not
        parse is named with the parser's message and line; when it uses syntax newer than the
        Python running deploycheck (a 3.12 `type X = ...` read by 3.11), run deploycheck under
        the project's Python.

        The index is built only when a change touches a Python file not proved trivial, from
        `git grep` over the head tree and the files it matches, and cached by blob id under the
        repository's git directory (`.git/deploycheck/jobindex/`), so a warm run reads nothing
        that did not change. The CI gate (`deploycheck verify`) reads that cache but never
        writes it; the pre-push hook, `scan` and `check` do."""),
    why_bad=dedent("""\
        A helper called from a job runs in the job: in many workers at once, retried, in an
        order nobody chose. Reviewers see a change to `billing/helpers.py`, not that a nightly
        task calls it; the race or the double charge is the job's, and so is the checklist."""),
    known_problems=dedent("""\
        Calls are resolved by name, not by type: `obj.run()` on a local variable reaches every
        method `run` of the classes the calling function names; a call through a variable, a
        callback table or `getattr` is not followed; a module imported under a name that two
        modules of the repository share may reach both. Module-level code of a helper module
        (a constant, a setting) is not placed in a function, so changing it is not reported
        here. A helper that only tests call is not a background helper: test files are never
        entry points. A file written in newer Python syntax than the Python running deploycheck
        cannot be parsed; if it may define jobs, the index is incomplete and flags more."""),
    example=dedent("""\
        # shop/tasks.py
        @shared_task
        def sync(order_id):
            charge(order_id)

        # billing/helpers.py: changed
        def charge(order_id):
            order = Order.objects.get(pk=order_id)
            order.balance -= order.total     # lost update when two workers charge at once
            order.save()"""),
    use_instead=dedent("""\
        Nothing to rewrite: answer the checklist for the job that reaches the helper, and make
        the helper safe to run concurrently, e.g.

        def charge(order_id):
            Order.objects.filter(pk=order_id).update(balance=F("balance") - F("total"))"""),
)

RULES = (JOB_CODE_CHANGED, QUEUE_HANDLER_CHANGED, WORK_ENQUEUED, HELPER_CHANGED)


@dataclass(frozen=True)
class JobKind:
    category: str  # "job" or "queue"
    what: str  # human description: "Celery task", "thread worker", …


CELERY_TASK = JobKind("job", "Celery task")
TEMPORAL_ACTIVITY = JobKind("job", "Temporal activity")
TEMPORAL_WORKFLOW = JobKind("job", "Temporal workflow")
# A workflow's calls that schedule an activity (its first argument, or `activity=`) on a worker.
TEMPORAL_ACTIVITY_CALLS = frozenset({"execute_activity", "start_activity", "execute_local_activity",
                                     "start_local_activity", "execute_activity_method", "start_activity_method",
                                     "execute_local_activity_method", "start_local_activity_method"})
BROKER_IMPORTS = {"kafka", "confluent_kafka", "aiokafka", "redis", "aioredis", "pika", "aio_pika", "kombu", "google", "faust", "nats"}

# Substrings whose presence anywhere in a file makes job detection worth a parse: the APIs
# recognised below, lower-cased (a file mentioning none of them cannot contain job code).


# Packages whose import makes a bare ``@task`` in the same file a background job, and packages
# whose ``@task`` is a command-line task runner instead (invoke, fabric): never a job.
JOB_FRAMEWORKS = {
    "celery", "airflow", "prefect", "huey", "dramatiq", "rq", "django_rq", "django_q", "arq",
    "apscheduler", "dagster", "luigi", "taskiq", "procrastinate",
}
NOT_JOB_TASKS = {"invoke", "fabric", "fabric2"}
_TASK_KINDS = {"airflow": "Airflow task", "celery": "Celery task", "prefect": "Prefect task", "huey": "Huey task"}


def _bare_task_kind(source: str | None, imports: set[str]) -> JobKind | None:
    """A bare ``@task`` imported from ``source`` (None: not imported): a job when that is a job
    framework or a tasks/jobs-like module, or else when the file imports a job framework; never
    for invoke or Fabric, whose tasks are command-line tasks."""
    package = source.lstrip(".").split(".")[0] if source else ""
    if package in NOT_JOB_TASKS:
        return None
    if package in JOB_FRAMEWORKS:
        return JobKind("job", _TASK_KINDS.get(package, "task"))
    frameworks = imports & JOB_FRAMEWORKS
    if not frameworks and not (source and any_in(source.lower(), ("task", "job", "worker", "celery", "queue"))):
        return None
    for package, what in _TASK_KINDS.items():
        if package in frameworks:
            return JobKind("job", what)
    return JobKind("job", "task")


# Celery's signals (celery.signals): their receivers run in workers and publishers.
CELERY_SIGNALS = frozenset({
    "before_task_publish", "after_task_publish", "task_prerun", "task_postrun", "task_retry", "task_success",
    "task_failure", "task_internal_error", "task_received", "task_revoked", "task_unknown", "task_rejected",
    "celeryd_init", "celeryd_after_setup", "worker_init", "worker_ready", "worker_shutting_down",
    "worker_process_init", "worker_process_shutdown", "worker_shutdown", "heartbeat_sent", "beat_init",
    "beat_embedded_init",
})


def decorator_kind(
    name: str, imports: set[str] = frozenset(), imported_names: dict[str, str] | None = None,  # type: ignore[assignment]  # an immutable default for a set argument
    bound_paths: dict[str, str] | None = None,
) -> JobKind | None:
    """The job kind a decorator gives; ``imports``/``imported_names``/``bound_paths`` are the
    file's (see PyModule)."""
    parts = name.split(".")
    tail, head = parts[-1], parts[0]
    if tail == "shared_task":
        return CELERY_TASK
    if tail == "task":
        if "huey" in name.lower():
            return JobKind("job", "Huey task")
        if len(parts) > 1:
            return CELERY_TASK
        return _bare_task_kind((imported_names or {}).get("task"), imports)
    if head == "task" and len(parts) > 1:
        return JobKind("job", "Airflow task")
    if tail in ("periodic_task", "db_periodic_task", "db_task"):
        return JobKind("job", "periodic task" if "periodic" in tail else "Huey task")
    if tail == "job":
        return JobKind("job", "RQ job")
    if tail == "actor":
        return JobKind("job", "Dramatiq actor")
    if tail == "scheduled_job":
        return JobKind("job", "APScheduler job")
    if tail == "dag":
        return JobKind("job", "Airflow DAG")
    if tail == "receiver":
        return JobKind("job", "Django signal receiver")
    if tail == "connect" and len(parts) > 1:
        # @task_failure.connect, @signals.worker_process_shutdown.connect: Celery calls the
        # receiver inside the worker (or the publishing process) around every task it runs.
        source = (imported_names or {}).get(head, "")
        if "celery" in source.lower() or parts[-2] in CELERY_SIGNALS:
            return JobKind("job", "Celery signal receiver")
    if tail == "background":
        return JobKind("job", "background task")
    temporal = _temporal_kind(parts, imports, imported_names or {}, bound_paths or {})
    if temporal is not None:
        return temporal
    if tail == "agent":
        return JobKind("queue", "Faust agent")
    if tail == "subscriber":
        return JobKind("queue", "message subscriber")
    return None


# temporalio's decorators: `@activity.defn` makes a function or method an activity, which the
# worker runs (and retries) on its own threads or event loop; `@workflow.defn` makes a class a
# workflow, whose `@workflow.run`, signal, query and update methods the worker runs and replays.
_TEMPORAL_WORKFLOW_DECORATORS = frozenset({"defn", "run", "signal", "query", "update"})


def _temporal_kind(parts: list[str], imports: set[str], imported_names: dict[str, str],
                   bound_paths: dict[str, str]) -> JobKind | None:
    """The job kind of a temporalio decorator (`activity.defn`, `workflow.run`,
    `temporalio.workflow.signal`), when the file imports temporalio and the name is its. The name
    is read as what its first word's import binds: `@act.defn` under `from temporalio import
    activity as act`, `@defn` under `from temporalio.activity import defn` are `activity.defn`."""
    if "temporalio" not in imports:
        return None
    if parts[0] in bound_paths:
        parts = bound_paths[parts[0]].split(".") + parts[1:]
        if parts[0] != "temporalio":
            return None
    elif parts[0] != "temporalio" and not imported_names.get(parts[0], "").startswith("temporalio"):
        return None
    if len(parts) < 2 or parts[-2] not in ("activity", "workflow"):
        return None
    if parts[-2] == "activity" and parts[-1] == "defn":
        return TEMPORAL_ACTIVITY
    if parts[-2] == "workflow" and parts[-1] in _TEMPORAL_WORKFLOW_DECORATORS:
        return TEMPORAL_WORKFLOW
    return None


def _is_models_source(source: str) -> bool:
    return any(part in ("models", "model") for part in source.lstrip(".").split("."))


def _is_celery_task_base(base: str, module: PyModule, depth: int = 0) -> bool:
    """Whether a base named ``Task`` is plausibly Celery's: imported from celery, ``celery.Task``,
    ``app.Task``, or any other ``Task`` in a file that imports celery. A ``Task`` defined in the
    file (a Django model, say) counts only through its own bases; one from a models module never."""
    parts = base.split(".")
    root = parts[0]
    source = module.imported_names.get(root)
    if _is_models_source(f"{source or ''}.{root}"):
        return False
    if source is not None and "celery" in source.lower():
        return True
    if len(parts) > 1 and (root == "celery" or parts[-2] in ("app", "celery_app")):
        return True
    local = [cls for cls in module.classes if cls.qualname == base]
    if local:
        return depth < 5 and any(
            b.rsplit(".", 1)[-1] == "Task" and _is_celery_task_base(b, module, depth + 1) for b in local[0].bases
        )
    return "celery" in module.imports


def _class_kind(bases: list[str], module: PyModule) -> tuple[JobKind, bool] | None:
    """(kind, only_run_method) for classes whose methods run as jobs."""
    for base in bases:
        tail = base.rsplit(".", 1)[-1]
        if tail == "Task":
            if _is_celery_task_base(base, module):
                return JobKind("job", "Celery task class"), False
            continue
        if tail in ("BaseCommand", "LabelCommand", "AppCommand"):
            return JobKind("job", "Django management command"), False
        if tail.endswith(("Operator", "Sensor")):
            return JobKind("job", "Airflow operator"), False
        if tail == "Thread":
            return JobKind("job", "thread"), True
        if tail == "Process":
            return JobKind("job", "worker process"), True
        if tail == "ConsumerMixin":
            return JobKind("queue", "kombu consumer"), False
        if tail == "GenericActor":
            return JobKind("job", "Dramatiq actor"), False
    return None


def _refs(node: ast.AST | None) -> list[str]:
    """Function names referred to by an argument: ``f``, ``self.f``, ``"pkg.mod.f"``, ``f(...)``, ``[f, g]``."""
    if node is None:
        return []
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
        return [node.attr]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value.replace(":", ".").rsplit(".", 1)[-1]]
    if isinstance(node, ast.Call):
        if last_name(node.func) in ("partial", "cron"):
            return _refs(node.args[0]) if node.args else []
        return _refs(node.func)
    if isinstance(node, ast.Starred):
        return _refs(node.value)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [name for elt in node.elts for name in _refs(elt)]
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        return _refs(node.elt)
    if isinstance(node, ast.Dict):
        return [name for value in node.values for name in _refs(value)]
    return []


def _arg(call: ast.Call, index: int, keyword: str | None = None) -> ast.AST | None:
    if keyword:
        for kw in call.keywords:
            if kw.arg == keyword:
                return kw.value
    return call.args[index] if len(call.args) > index else None


_POOL_WORDS = ("pool", "executor")


def _bound_names(module: PyModule, key: str, is_value: Callable[[ast.Call], bool]) -> set[str]:
    """Names bound in the module to a call that ``is_value`` accepts, whatever they are called:
    ``with X() as a``, ``a = X()``, ``self.a: T = X()`` -> {"a", "self.a"}."""
    if key not in module.memo:
        names: set[str] = set()

        def accepted(value: ast.AST | None) -> bool:
            return isinstance(value, ast.Call) and is_value(value)

        for item, _node, _scope in module.with_items:
            if accepted(item.context_expr) and item.optional_vars is not None:
                names.add(dotted(item.optional_vars))
        for node, _scope in module.assigns:
            if isinstance(node, ast.Assign) and accepted(node.value):
                names.update(dotted(t) for t in node.targets)
            elif isinstance(node, ast.AnnAssign) and accepted(node.value):
                names.add(dotted(node.target))
        module.memo[key] = names
    return module.memo[key]


def pool_names(module: PyModule) -> set[str]:
    """Names bound to a pool or executor: ``with ThreadPoolExecutor() as ex``, ``p = multiprocessing.Pool(4)``
    -> {"ex", "p"}, so ``ex.map(f, items)`` hands ``f`` to workers."""
    return _bound_names(module, "pool-names", lambda call: any_in(last_name(call.func).lower(), _POOL_WORDS))


def producer_names(module: PyModule) -> set[str]:
    """Names bound to a Kafka producer (``aio = AIOKafkaProducer(...)``, ``KafkaProducer``,
    confluent's ``Producer``), so ``aio.send_and_wait(...)`` publishes whatever the name says."""
    return _bound_names(module, "producer-names", lambda call: last_name(call.func).endswith("Producer"))


def _from_django_q(name: str, module: PyModule) -> bool:
    """``schedule`` is django-q's only when imported from it (other libraries have a ``schedule``)."""
    return module.imported_names.get(name, "").split(".")[0] == "django_q"


_CELERY_CALLS = ("delay", "apply_async", "s", "si", "signature", "map", "starmap", "chunks")
# A function handed to a scheduler runs on its schedule, whatever the library: an application's own
# registry (`SchedulerRegistry.register_daily(tasks.purge_tokens)`), a cron wrapper
# (`cron.add(spec, sync)`). Told, as in Go (rules/trees/background.py), by the receiver's name
# (spelling `sched` or `cron`) and a registering verb; rules/python/repo_build.py reads the same.
SCHEDULER_RECEIVER = re.compile(r"sched|cron", re.IGNORECASE)
SCHEDULING_VERB = re.compile(r"(?:add|register|schedule|every)\w*|do|new_task|new_job")
SCHEDULED_TASK = JobKind("job", "scheduled task")


def _handover(call: ast.Call, module: PyModule) -> list[tuple[list[str], JobKind]]:
    """Functions this call hands to a runner, with what kind of runner it is."""
    tail = last_name(call.func)
    recv = receiver(call)
    recv_text = dotted(recv).lower() if recv is not None else ""
    out: list[tuple[list[str], JobKind]] = []
    add = lambda node, kind: out.append((_refs(node), kind))  # noqa: E731 - a one-line collector
    for kw in call.keywords:
        if kw.arg == "python_callable":
            add(kw.value, JobKind("job", "Airflow task"))
        elif kw.arg == "on_message_callback":
            add(kw.value, JobKind("queue", "RabbitMQ consumer"))
        elif kw.arg in ("callbacks", "on_message") and tail in ("Consumer", "consume", "basic_consume"):
            add(kw.value, JobKind("queue", "message consumer"))
    if tail in ("Thread", "Timer"):
        add(_arg(call, 1) if tail == "Timer" else None, JobKind("job", "thread"))
        add(_arg(call, 99, "target") if tail == "Thread" else _arg(call, 99, "function"), JobKind("job", "thread"))
    elif tail == "Process":
        add(_arg(call, 99, "target"), JobKind("job", "worker process"))
    elif tail == "submit":
        add(_arg(call, 0), JobKind("job", "pool worker"))
    elif tail in ("map", "imap", "imap_unordered", "starmap", "apply_async", "apply", "map_async", "starmap_async") and (
        any_in(recv_text, _POOL_WORDS) or (recv is not None and dotted(recv) in pool_names(module))
    ):
        add(_arg(call, 0, "func"), JobKind("job", "pool worker"))
    elif tail == "run_in_executor":
        add(_arg(call, 1), JobKind("job", "executor worker"))
    elif tail in ("to_thread", "start_new_thread"):
        add(_arg(call, 0), JobKind("job", "thread"))
    elif tail in ("create_task", "ensure_future", "gather", "run_coroutine_threadsafe") and recv_text not in ("celery", "app"):
        for arg in call.args:
            add(arg, JobKind("job", "asyncio task"))
    elif tail in ("enqueue", "enqueue_call"):
        add(_arg(call, 0, "func"), JobKind("job", "RQ job"))
    elif tail in ("enqueue_in", "enqueue_at"):
        add(_arg(call, 1, "func"), JobKind("job", "RQ job"))
    elif tail == "enqueue_job":
        add(_arg(call, 0), JobKind("job", "arq job"))
    elif tail == "cron" and recv is None:
        add(_arg(call, 0, "coroutine"), JobKind("job", "arq cron job"))
    elif recv is None and (tail == "async_task" or (tail == "schedule" and _from_django_q(tail, module))):
        add(_arg(call, 0, "func"), JobKind("job", "django-q task"))
    elif tail == "send_task":
        add(_arg(call, 0, "name"), CELERY_TASK)
    elif tail == "add_job":
        add(_arg(call, 0, "func"), JobKind("job", "APScheduler job"))
    elif tail == "basic_consume":
        add(_arg(call, 1), JobKind("queue", "RabbitMQ consumer"))
    elif tail in TEMPORAL_ACTIVITY_CALLS:
        add(_arg(call, 0, "activity"), TEMPORAL_ACTIVITY)
    elif tail == "Worker" and "temporalio" in module.imports:
        add(_arg(call, 99, "activities"), TEMPORAL_ACTIVITY)
        add(_arg(call, 99, "workflows"), TEMPORAL_WORKFLOW)
    elif tail in ("subscribe", "psubscribe"):
        add(_arg(call, 1, "callback"), JobKind("queue", "Pub/Sub subscriber"))
        for kw in call.keywords:
            if kw.arg is None or kw.arg != "callback":
                add(kw.value, JobKind("queue", "Redis pub/sub handler"))
    elif tail == "connect" and call.args and isinstance(call.args[0], ast.Name):
        add(call.args[0], JobKind("job", "Django signal receiver"))
    elif SCHEDULER_RECEIVER.search(recv_text) and SCHEDULING_VERB.fullmatch(tail):
        for arg in [*call.args, *(kw.value for kw in call.keywords if kw.arg in ("func", "function", "job", "task"))]:
            add(arg, SCHEDULED_TASK)
    if isinstance(recv, ast.Name) and recv.id in module.by_name:
        if tail in _CELERY_CALLS:
            out.append(([recv.id], CELERY_TASK))
        elif tail in ("send", "send_with_options"):
            out.append(([recv.id], JobKind("job", "Dramatiq actor")))
        elif tail == "schedule":
            out.append(([recv.id], JobKind("job", "Huey task")))
    return out


def _consumer_kind(call: ast.Call, module: PyModule) -> JobKind | None:
    """A call that makes the function containing it a consumer loop."""
    tail = last_name(call.func)
    recv_text = dotted(receiver(call)).lower() if receiver(call) is not None else ""
    if tail in ("receive_message", "receive_messages"):
        return JobKind("queue", "SQS consumer")
    if tail in ("xreadgroup", "xread"):
        return JobKind("queue", "Redis streams consumer")
    if tail in ("basic_get", "start_consuming", "drain_events"):
        return JobKind("queue", "RabbitMQ consumer")
    brokers = module.imports & BROKER_IMPORTS
    if tail in ("poll", "consume", "getone", "getmany") and ({"kafka", "confluent_kafka", "aiokafka"} & brokers or "consumer" in recv_text):
        return JobKind("queue", "Kafka consumer")
    if tail in ("listen", "get_message") and ({"redis", "aioredis"} & brokers or "pubsub" in recv_text):
        return JobKind("queue", "Redis pub/sub consumer")
    if tail == "pull" and "google" in brokers and "subscriber" in recv_text:
        return JobKind("queue", "Pub/Sub subscriber")
    return None


def job_map(module: PyModule, path: str, ctx: FileContext) -> dict[str, JobKind]:
    """qualname -> JobKind for every function of ``module`` that runs as job or queue code."""
    if "jobs" in module.memo:
        return module.memo["jobs"]
    jobs: dict[str, JobKind] = {}
    file_kind = None
    if "/management/commands/" in f"/{path}" and not path.endswith("__init__.py"):
        file_kind = JobKind("job", "Django management command")
    elif is_job_path(ctx):
        file_kind = JobKind("job", "job (job_paths)")
    for fn in module.functions:
        if file_kind:
            jobs[fn.qualname] = file_kind
        for name, _ in fn.decorators:
            kind = decorator_kind(name, module.imports, module.imported_names, module.bound_paths)
            if kind:
                jobs[fn.qualname] = kind
                break
    for cls in module.classes:
        names = [dotted(d.func if isinstance(d, ast.Call) else d) for d in cls.node.decorator_list]
        if any(decorator_kind(name, module.imports, module.imported_names, module.bound_paths) == TEMPORAL_WORKFLOW for name in names):
            # A `@workflow.defn` class: every method runs inside the workflow (its helpers too).
            for fn in module.functions:
                if fn.class_name == cls.qualname:
                    jobs.setdefault(fn.qualname, TEMPORAL_WORKFLOW)
        found = _class_kind(cls.bases, module)
        if found:
            kind, run_only = found
            for fn in module.functions:
                if fn.class_name == cls.qualname and (not run_only or fn.name == "run"):
                    jobs.setdefault(fn.qualname, kind)
    by_name = module.by_name
    for call, scope in module.calls:
        for names, kind in _handover(call, module):
            for name in names:
                for fn in by_name.get(name, ()):
                    jobs.setdefault(fn.qualname, kind)
        consumer = _consumer_kind(call, module)
        if consumer and scope in module.by_qualname:
            jobs.setdefault(scope, consumer)
    for name in module.dict_task_names:  # Celery beat: {"task": "app.tasks.name", …}
        for fn in by_name.get(name, ()):
            jobs.setdefault(fn.qualname, CELERY_TASK)
    for node, scope in module.assigns:  # arq: class WorkerSettings: functions = [f, g]; cron_jobs = [cron(h)]
        if isinstance(node, ast.Assign) and scope and scope not in module.by_qualname:
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in ("functions", "cron_jobs"):
                    for name in _refs(node.value):
                        for fn in by_name.get(name, ()):
                            jobs.setdefault(fn.qualname, JobKind("job", "arq job"))
    for iterable, scope in module.for_iters:  # for msg in consumer / pubsub.listen()
        text = dotted(iterable).lower()
        if scope in module.by_qualname and ("consumer" in text or text.endswith("listen()")):
            jobs.setdefault(scope, JobKind("queue", "message consumer"))
    module.memo["jobs"] = jobs
    return jobs


def enclosing_job(module: PyModule, line: int, jobs: dict[str, JobKind]) -> tuple[FunctionInfo, JobKind] | None:
    fn = module.function_at(line)
    while fn is not None:
        kind = jobs.get(fn.qualname)
        if kind is not None:
            return fn, kind
        fn = fn.parent
    return None


def job_context(ctx: FileContext, side: str = "head") -> tuple[PyModule, dict[str, JobKind]] | None:
    """The parsed module of ``side`` and its job map, or None when unparsable."""
    module = module_for(ctx, side)
    if module is None:
        return None
    return module, job_map(module, ctx.path, ctx)


# ---- shared state ---------------------------------------------------------------------------

SHARED_ATTRS = frozenset({
    "objects", "_default_manager", "save", "delete", "create", "bulk_create", "bulk_update",
    "get_or_create", "update_or_create", "select_for_update", "with_for_update", "refresh_from_db",
    "execute", "executemany", "commit", "flush", "query", "cursor", "incr", "incrby", "decr", "decrby",
    "hincrby", "hset", "hget", "hgetall", "hmset", "hsetnx", "setnx", "getset", "lpush", "rpush",
    "lpop", "rpop", "sadd", "srem", "zadd", "zincrby", "expire", "xadd", "write_text", "write_bytes",
    "unlink", "rmtree",
})
SHARED_NAME_PARTS = ("redis", "cache", "session", "cursor")
WRITE_MODES = ("w", "a", "x", "+")
FILE_CHANGES = {"os.remove", "os.unlink", "os.rename", "os.replace", "os.makedirs", "os.mkdir", "os.rmdir"}


def open_mode(call: ast.Call) -> str:
    mode = _arg(call, 1, "mode")
    return mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else "r"


def touches_shared_state(node: ast.AST, module: PyModule, header: bool = False) -> bool:
    roots = header_nodes(node) if header else [node]
    mutated = module.memo.get("mutated_globals", set())
    for root in roots:
        for sub in ast.walk(root):
            if isinstance(sub, ast.Attribute):
                if sub.attr in SHARED_ATTRS or any_in(sub.attr.lower(), SHARED_NAME_PARTS):
                    return True
            elif isinstance(sub, ast.Name):
                if any_in(sub.id.lower(), SHARED_NAME_PARTS) or sub.id == "F":
                    return True
                if sub.id in module.module_mutables and sub.id in mutated:
                    return True
            elif isinstance(sub, ast.Global):
                return True
            elif isinstance(sub, ast.Call):
                if last_name(sub.func) == "open" and any_in(open_mode(sub), WRITE_MODES):
                    return True
                if chain_root(sub.func) == "shutil" or dotted(sub.func) in FILE_CHANGES:
                    return True
    return False


def changed_touch_shared_state(fn: FunctionInfo, module: PyModule, lines: dict[int, str], ctx: FileContext) -> bool:
    for step in steps(fn.node, ctx.settings.lock_wrappers):
        node = step.node
        start = node.lineno
        end = (max(getattr(n, "end_lineno", start) or start for n in header_nodes(node)) if step.header and header_nodes(node) else node.end_lineno) or start
        if any(n in lines for n in range(start, end + 1)) and touches_shared_state(node, module, header=step.header):
            return True
    return False


# ---- detectors ------------------------------------------------------------------------------


def module_statements(module: PyModule) -> list[ast.stmt]:
    """Top-level statements other than functions and classes (a script's body)."""
    return [s for s in module.tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def _group_by_job(module: PyModule, jobs: dict[str, JobKind], lines: dict[int, str], module_kind: JobKind | None):
    groups: dict[str, tuple[FunctionInfo | None, JobKind, list[int]]] = {}
    top_level: set[int] = set()
    if module_kind is not None:
        for stmt in module_statements(module):
            top_level.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    for line in sorted(lines):
        if not lines[line].strip():
            continue
        found = enclosing_job(module, line, jobs)
        if found:
            fn, kind = found
            groups.setdefault(fn.qualname, (fn, kind, []))[2].append(line)
        elif line in top_level:
            groups.setdefault("", (None, module_kind, []))[2].append(line)  # type: ignore[arg-type]  # module level: no function
    return groups


_SHARED = f" and touches {SHARED_STATE_WORDS}"


def _job_message(fn: FunctionInfo | None, kind: JobKind, shared: bool, side: str, verdict: str) -> str:
    name = f"{kind.what} `{fn.qualname}`" if fn else f"module-level code of this {kind.what} file"
    name = name[0].upper() + name[1:]
    if verdict == "new":
        return (
            f"{name} is new{_SHARED if shared else ''}: a new background job runs many times at "
            "once and in an order nobody chose; answer the checklist for it."
        )
    if verdict == "gone":
        return (
            f"{name} was removed: messages already queued for it, retries and schedules that "
            "still name it fail or are dropped after the deploy."
        )
    what = "changed" if side == "head" else "had lines removed"
    if verdict == f"same:{LOG_FORMATTING}":
        return f"{name} {what}, and it is {LOG_FORMATTING}, so the job's behaviour is unchanged."
    if verdict.startswith("same:"):
        return (
            f"{name} {what} only in {verdict[5:]}: its syntax tree is otherwise identical, so "
            "its behaviour is unchanged."
        )
    if shared:
        return (
            f"{name} {what} in statements that touch {SHARED_STATE_WORDS}: several workers can run "
            "it at once, so check it under concurrency."
        )
    return (
        f"{name} {what}, and deploycheck cannot prove its behaviour unchanged (only comments, "
        "docstrings, logging, annotations or formatting would be): it runs in the background, "
        "so answer the checklist for it."
    )


def _verdict(fn: FunctionInfo | None, side: str, ctx: FileContext, this: PyModule) -> str:
    """How a changed job compares with the other side: "new", "gone", "same:<proof>" or "changed".

    Only a proof (identical syntax trees once comments, docstrings, logging, annotations and
    formatting are removed) lets a change to background code pass as `info`; see equiv.
    """
    if ctx.file.status == ADDED:
        return "new" if fn is not None else "changed"
    other = module_for(ctx, "base" if side == "head" else "head")
    if other is None:
        return "changed"  # the other side could not be read or parsed: no proof
    if fn is None:  # module-level code of a job file: compare the script bodies
        mine = ast.Module(body=module_statements(this), type_ignores=[])
        theirs = ast.Module(body=module_statements(other), type_ignores=[])
        proof = proof_of_no_change(theirs, mine)
        return f"same:{describe(proof)}" if proof else "changed"
    counterpart = other.by_qualname.get(fn.qualname)
    if counterpart is None:
        return "new" if side == "head" else "gone"
    pair = (counterpart.node, fn.node) if side == "head" else (fn.node, counterpart.node)
    from .logflow import describe_facts, facts_for, merged, module_facts, needed, optimistic

    modules = (other, this) if side == "head" else (this, other)
    local = (module_facts(modules[0], pair), module_facts(modules[1], pair))
    proof = proof_of_no_change(*pair, local)
    if proof is None and ctx.repo is not None and not (local[0].shadowed or local[1].shadowed):
        # Values only logged may leave the function (a keyword, an attribute): the repository
        # is read only when the proof could succeed with what it might say (logflow).
        if proof_of_no_change(*pair, merged(optimistic(*pair), local)) is not None:
            facts = merged(facts_for(ctx, *pair, is_test_path), local)
            proof = proof_of_no_change(*pair, facts)
            if proof:
                return f"same:{describe(proof)}{describe_facts(needed(*pair, facts))}"
    if proof is None and _formats_logs(fn, this) and _formats_logs(counterpart, other):
        return f"same:{LOG_FORMATTING}"
    return f"same:{describe(proof)}" if proof else "changed"


def _formats_logs(fn: FunctionInfo, module: PyModule) -> bool:
    """A method of a log formatter class that only shapes the record (equiv.only_formats)."""
    if fn.class_name is None or fn.parent is not None:
        return False
    bases = {c.qualname: c.bases for c in module.classes}
    return formatter_class(bases, module.imported_names, fn.class_name) and only_formats(fn.node)


def detect_jobs(ctx: FileContext):
    if not should_analyse(ctx) or migration_kind(ctx.path):
        return
    covered: set[int] = set()  # changed lines a per-file finding reports (base lines negative)
    if job_by_path(ctx) or mentions_jobs(ctx):
        for finding in _detect_local_jobs(ctx, covered):
            covered.update(range(finding.line, finding.end_line + 1) if finding.side == "head" else range(-finding.end_line, -finding.line + 1))
            yield finding
    yield from _detect_reached(ctx, covered)
    yield from _detect_enqueues(ctx)


def _detect_local_jobs(ctx: FileContext, covered: set[int]):
    module_kind = JobKind("job", "job (job_paths)") if is_job_path(ctx) else None
    head_groups: dict = {}
    # Removed lines are looked at only in pure deletions: a replaced line is reported on the head
    # side, and the base is then never parsed for job context.
    deleted_only = {line.number: line.text for hunk in ctx.file.hunks if not hunk.added for line in hunk.removed}
    for side, lines in (("head", ctx.added), ("base", deleted_only)):
        if not lines:
            continue
        found = job_context(ctx, side)
        if found is None:
            continue
        module, jobs = found
        groups = _group_by_job(module, jobs, lines, module_kind)
        if side == "head":
            head_groups = groups
        for qualname, (fn, kind, changed) in groups.items():
            if side == "base" and qualname in head_groups:
                covered.update(-n for n in changed)  # the head finding already covers this job
                continue
            shared = (
                changed_touch_shared_state(fn, module, lines, ctx)
                if fn is not None
                else any(touches_shared_state(node, module) for node in module_statements(module) if ctx_lines_hit(node, lines))
            )
            verdict = _verdict(fn, side, ctx, module)
            rule = JOB_CODE_CHANGED if kind.category == "job" else QUEUE_HANDLER_CHANGED
            yield rule.finding(
                ctx.path,
                changed[0],
                _job_message(fn, kind, shared, side, verdict),
                changed[-1],
                side=side,
                severity="info" if verdict.startswith("same:") else "warning",
            )


def _detect_reached(ctx: FileContext, covered: set[int]):
    """DC101/DC102 for jobs other modules name, DC104 for functions jobs reach: changed lines
    the job index of the repository at head places in background code (repo_index)."""
    if ctx.repo is None or ctx.file.new_path is None or not ctx.file.hunks:
        return
    from .repo_index import changed_anchors, index_for, load, provably_trivial

    anchors = changed_anchors(ctx)
    if not anchors:
        return
    # A file whose whole change is proved trivial never builds the index; so that a warm run
    # reports what a cold one does, it reports nothing from a cached index either (below).
    index = load(ctx.repo)
    if index is None:
        if provably_trivial(ctx):
            return
        index = index_for(ctx.repo)
    if not index.incomplete and not index.has_path(ctx.path) and ctx.path not in index.library:
        return
    module = module_for(ctx, "head")
    groups: dict[str, tuple] = {}
    outside: list[int] = []  # changed lines of the job system's own code outside any function
    for anchor, lines in sorted(anchors.items()):
        lines = [n for n in lines if n not in covered]
        if not lines:
            continue
        node = index.at(ctx.path, anchor)
        fn = module.function_at(anchor) if module is not None else None
        if node is not None:
            fn = module.by_qualname.get(node.qualname) if module is not None else None
            key = node.key
        elif fn is not None and _indexed_definition(index, ctx.path, fn) is not None:
            # A function defined twice (per platform under `if`/`else`, or under `try`/`except`):
            # the index keeps one definition, and a change to the other is the same function's.
            node = _indexed_definition(index, ctx.path, fn)
            key = node.key + f"@{fn.start}"
        elif index.incomplete and fn is not None:
            key = "?" + fn.qualname
        else:
            if fn is None and ctx.path in index.library:
                outside.extend(lines)
            elif fn is None and module is not None:
                reader = _constant_reader(ctx, index, module, anchor)
                if reader is not None:
                    groups.setdefault(f"{reader[0].key}#module-level", (reader[0], None, [], reader[1]))[2].extend(lines)
            continue
        groups.setdefault(key, (node, fn, []))[2].extend(lines)
    findings = list(_reached_findings(ctx, index, module, groups))
    if outside:
        findings.extend(_library_statements(ctx, index.library[ctx.path], outside))
    if findings and all(f.severity == "info" for f in findings) and provably_trivial(ctx):
        return  # only proofs to report, and the whole file is trivial: a cold run says nothing
    yield from findings


def _library_statements(ctx: FileContext, what: str, lines: list[int]):
    """DC101 for module-level and class-level statements of a job system's own code (a default
    timeout, a class attribute, a dataclass field's default): `warning` when the statement is
    worker machinery on either side (rules/python/machinery.py), else `info`; a statement
    whose syntax tree is the same on both sides (a comment) says nothing."""
    from .machinery import statement_machinery

    module_why = _module_named(ctx.path)
    by_side: dict[str, list[int]] = {}
    for n in lines:
        by_side.setdefault("head" if n > 0 else "base", []).append(abs(n))
    texts = {"head": ctx.head_text(), "base": ctx.base_text()}
    for side, numbers in by_side.items():
        text, other = texts[side], texts["base" if side == "head" else "head"]
        if text is None:
            continue
        for first, last, names, why in statement_machinery(text, other, numbers, module_why):
            label = ", ".join(f"`{n}`" for n in names) or "a statement"
            if why is None:
                yield JOB_CODE_CHANGED.finding(
                    ctx.path, first,
                    f"{label} ({what}, outside any function) changed, but on neither side is it worker "
                    "machinery or used by machinery of its module: not read as worker machinery.",
                    last, side=side, severity="info")
            else:
                yield JOB_CODE_CHANGED.finding(
                    ctx.path, first,
                    f"{label} ({what}, outside any function) changed, and every worker reads it; "
                    "deploycheck cannot prove its behaviour unchanged, so answer the checklist for it. "
                    f"Worker machinery of the job system: {why}.",
                    last, side=side, severity="warning")


def _indexed_definition(index, path: str, fn):
    """The index's node for ``fn`` or the nearest function around it, by name, when the index
    holds another definition of the same name (None when it holds none)."""
    while fn is not None:
        node = index.nodes.get(f"{path}::{fn.qualname}")
        if node is not None:
            return node
        fn = fn.parent
    return None


def _reached_findings(ctx: FileContext, index, module: PyModule | None, groups: dict[str, tuple]):
    from .repo_build import module_name

    for node, fn, lines, *constants in groups.values():
        head_lines = sorted(n for n in lines if n > 0)
        base_lines = sorted(-n for n in lines if n < 0)
        side, changed = ("head", head_lines) if head_lines else ("base", base_lines)
        if fn is None or module is None:
            verdict, shared = "changed", False
        else:
            verdict = _verdict(fn, "head", ctx, module)
            shared = changed_touch_shared_state(fn, module, {n: "" for n in head_lines}, ctx) if head_lines else False
        if verdict.startswith("same:") and node is None:
            continue  # the index could not place it, and it provably did not change: nothing to say
        severity = "info" if verdict.startswith("same:") else "warning"
        qualname = node.qualname if node is not None else fn.qualname
        if severity == "warning" and node is not None and node.parent is None and (node.what or "").endswith("own code"):
            why = f"the change touches {SHARED_STATE_WORDS}" if shared else _machinery(ctx, module, fn, qualname)
            if why is None:
                yield JOB_CODE_CHANGED.finding(
                    ctx.path, changed[0],
                    f"`{qualname}` ({node.what}) changed, but on neither side does it use a thread, lock, "
                    "transaction, SQL, a write to its object's state or a scheduling/retry/locking name, and "
                    "no such code of its module uses it: not read as worker machinery.",
                    changed[-1], side=side, severity="info")
                continue
            verdict_suffix = f" Worker machinery of the job system: {why}."
        else:
            verdict_suffix = ""
        job, trail = None, None  # the words below as data (Finding.job, Finding.trail)
        if node is None:
            rule = HELPER_CHANGED
            message = (
                f"deploycheck cannot tell whether `{qualname}` runs in the background: the job index of "
                f"this repository is incomplete ({index.incomplete}). It changed and its behaviour is not "
                "proved unchanged, so it is flagged: answer the checklist for it."
            )
        elif node.parent is None:
            job = _job_of(node, module_name)
            rule = QUEUE_HANDLER_CHANGED if "consumer" in (node.what or "").lower() else JOB_CODE_CHANGED
            message = (f"`{qualname}` runs in the background ({node.what} at {node.origin}); "
                       + _reach_verdict(verdict, shared) + verdict_suffix)
            if constants:
                names = ", ".join(f"`{name}`" for name in constants[0])
                message = f"{names} changed at module level, and `{qualname}` reads it. " + message
        else:
            chain = index.chain(node)
            entry = chain[0]
            job = _job_of(entry, module_name)
            # The functions from the job down to the one that calls the changed function. The
            # index records functions, not calls: each step's line is where its function starts.
            trail = tuple({"path": n.path, "line": n.start, "name": f"{module_name(n.path)}.{n.qualname}"}
                          for n in chain[:-1])
            through = [f"`{module_name(n.path)}.{n.qualname}`" for n in chain[1:-1]]
            name = f"`{module_name(entry.path)}.{entry.qualname}`"
            message = (
                f"`{qualname}` runs in the background: it is called by "
                + (f"{name} ({entry.what} at {entry.origin})" if "`" in (entry.what or "") else f"{entry.what} {name} ({entry.origin})")
                + (f" through {' -> '.join(through)}" if through else "")
                + "; " + _reach_verdict(verdict, shared)
            )
            rule = HELPER_CHANGED
        yield rule.finding(ctx.path, changed[0], message, changed[-1], side=side, severity=severity, job=job, trail=trail)


def _constant_reader(ctx: FileContext, index, module: PyModule, line: int):
    """(the job that reads it, the names) for a changed line of a module-level assignment
    (`MAX_DAYS_OLD = 4`) that a job of this module, as the job index knows it, reads by name: the
    job's behaviour changes with it. None for any other statement, a value the same on the base
    (a comment or layout changed), or a name no job of the module reads."""
    if ctx.file.old_path is None:
        return None  # a new file's jobs are reported as new, constants and all
    stmt = next((s for s in module.tree.body if s.lineno <= line <= (s.end_lineno or s.lineno)), None)
    if not isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return None
    names = _assigned(stmt)
    base = module_for(ctx, "base")
    value = stmt.value if not isinstance(stmt, ast.AugAssign) else None
    if base is not None and value is not None:
        # An annotation given or changed (`streams = {…}` -> `streams: dict[str, Stream] = {…}`,
        # bookwyrm's type hints in a new user's trial, session 25) leaves the value a job reads.
        plain = (ast.Assign, ast.AnnAssign)
        for other in base.tree.body:
            if (isinstance(other, type(stmt)) or isinstance(other, plain) and isinstance(stmt, plain)) \
                    and other.value is not None and _assigned(other) == names and ast.dump(other.value) == ast.dump(value):
                return None
    for qualname, fn in sorted(module.by_qualname.items()):
        node = index.nodes.get(f"{ctx.path}::{qualname}")
        if node is not None and node.parent is None and any(
                isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load) for n in ast.walk(fn.node)):
            return node, sorted(names)
    return None


def _assigned(stmt: ast.Assign | ast.AnnAssign | ast.AugAssign) -> set[str]:
    """Every name in an assignment's targets (`CONFIG` of `CONFIG["x"] = 5` too: the value a
    job reads through it changes)."""
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _job_of(entry, module_name) -> dict:
    """An entry point of the job index as Finding.job: what it is, and where the framework or
    dispatcher names it (its ``origin``, "path:line"), else where it starts."""
    path, _, line = (entry.origin or "").rpartition(":")
    if not path or not line.isdigit():
        path, line = entry.path, str(entry.start)
    return {"kind": entry.what or "background code", "path": path, "line": int(line),
            "name": f"{module_name(entry.path)}.{entry.qualname}"}


def _machinery(ctx: FileContext, module: PyModule | None, fn, qualname: str) -> str | None:
    """Why a changed function of a job system's own code is its worker machinery, on either
    side (rules/python/machinery.py), or None; the module's name counts as a class's does."""
    from .machinery import module_machinery

    named = _module_named(ctx.path)
    if named is not None:
        return named
    for mod in (module, module_for(ctx, "base")):
        if mod is None:
            continue
        why = mod.memo.get("machinery")
        if why is None:
            why = mod.memo["machinery"] = module_machinery(mod.tree)
        # Every definition of the name (one per platform under `if`/`else`) is the function.
        for info in mod.functions:
            if info.qualname == qualname and id(info.node) in why:
                return why[id(info.node)]
    return None if module is not None and fn is not None else "its code could not be read"


def _module_named(path: str) -> str | None:
    """Why every piece of a module named with the vocabulary (`scheduler.py`, `locks.py`) is
    worker machinery, or None."""
    from ..vocabulary import named_with

    stem = path.rpartition("/")[2].removesuffix(".py")
    return f"it belongs to `{stem}`" if named_with(stem) else None


def _reach_verdict(verdict: str, shared: bool) -> str:
    if verdict == "new":
        return "it is new" + (_SHARED if shared else "") + ": answer the checklist for it."
    if verdict == f"same:{LOG_FORMATTING}":
        return f"it changed, and it is {LOG_FORMATTING}, so the job's behaviour is unchanged."
    if verdict.startswith("same:"):
        return f"it changed only in {verdict[5:]}, so its behaviour is unchanged."
    if shared:
        return (
            f"the change touches {SHARED_STATE_WORDS}: several workers "
            "can run it at once, so check it under concurrency."
        )
    return "deploycheck cannot prove its behaviour unchanged, so answer the checklist for it."


def ctx_lines_hit(node: ast.AST, lines: dict[int, str]) -> bool:
    start = getattr(node, "lineno", 0)
    end = getattr(node, "end_lineno", start) or start
    return any(n in lines for n in range(start, end + 1))




def _is_task_reference(recv: ast.AST | None, module: PyModule) -> bool:
    """``send_receipt`` / ``tasks.send_receipt``: a task defined here, imported from a tasks/jobs
    module, or any plain name in a file that imports Celery. Never ``self.x`` or a call result."""
    if recv is None or "()" in dotted(recv) or chain_root(recv) in ("self", "cls", ""):
        return False
    root = chain_root(recv)
    source = module.imported_names.get(root, "")
    return (
        root in module.by_name
        or "celery" in module.imports
        or any(word in source for word in ("task", "job", "worker"))
    )


def _enqueue_what(call: ast.Call, module: PyModule, actors: set[str]) -> str | None:
    tail = last_name(call.func)
    recv = receiver(call)
    recv_text = dotted(recv) if recv is not None else ""
    lower = recv_text.lower()
    if tail in ("delay", "apply_async") and not any_in(lower, _POOL_WORDS) and _is_task_reference(recv, module):
        return f"Celery task `{recv_text}` (`.{tail}()`)"
    if tail in ("send_task", "add_periodic_task"):
        return f"Celery (`{tail}()`)"
    if tail in ("enqueue", "enqueue_call", "enqueue_in", "enqueue_at"):
        if chain_root(recv) in ("self", "cls") and not {"rq", "django_rq"} & module.imports:
            return None
        return f"RQ (`{recv_text}.{tail}()`)" if recv_text else f"RQ (`{tail}()`)"
    if tail == "enqueue_job":
        return "arq (`enqueue_job()`)"
    if tail == "async_task" and recv is None:
        return "django-q (`async_task()`)"
    if tail == "schedule" and recv is None and _from_django_q(tail, module):
        return "django-q (`schedule()`)"
    if tail == "add_job":
        return f"APScheduler (`{recv_text}.add_job()`)"
    if tail in ("send", "send_with_options") and isinstance(recv, ast.Name) and recv.id in actors:
        return f"Dramatiq actor `{recv.id}` (`.{tail}()`)"
    if tail in ("send", "send_and_wait", "produce") and ("producer" in lower or recv_text in producer_names(module)):
        return f"Kafka (`{recv_text}.{tail}()`)"
    if tail == "basic_publish":
        return "RabbitMQ (`basic_publish()`)"
    if tail == "publish" and (
        any_in(lower, ("publisher", "producer", "exchange", "channel", "redis", "broker", "bus")) or module.imports & BROKER_IMPORTS
    ):
        return f"a broker (`{recv_text}.publish()`)"
    if tail in ("send_message", "send_message_batch") and any_in(lower, ("sqs", "queue")):
        return f"SQS (`{recv_text}.{tail}()`)"
    if tail == "xadd":
        return f"a Redis stream (`{recv_text}.xadd()`)"
    return None


def _inside_atomic(module: PyModule, call: ast.Call, ctx: FileContext) -> bool:
    line = call.lineno
    fn = module.function_at(line)
    wrappers = ctx.settings.lock_wrappers
    chain = []
    while fn is not None:
        chain.append(fn)
        fn = fn.parent
    for f in chain:
        for name, _ in f.decorators:
            if name.rsplit(".", 1)[-1] == "atomic":
                return True
    scopes = {f.qualname for f in chain}
    for item, node, scope in module.with_items:
        if scope not in scopes or not (node.lineno <= line <= (node.end_lineno or node.lineno)):  # type: ignore[attr-defined]  # a with statement
            continue
        expr = item.context_expr.func if isinstance(item.context_expr, ast.Call) else item.context_expr
        name = dotted(expr)
        tail = name.rsplit(".", 1)[-1]
        if tail == "atomic" or (tail in wrappers and "atomic" in tail.lower()):
            return True
    return False


def _deferred_by_on_commit(module: PyModule, call: ast.Call) -> bool:
    for other, _ in module.calls:
        if last_name(other.func) == "on_commit" and other.lineno <= call.lineno <= (other.end_lineno or other.lineno):
            return True
    return False


def _detect_enqueues(ctx: FileContext):
    if not may_enqueue(ctx):
        return
    module = module_for(ctx, "head")
    if module is None:
        return
    actors = {fn.name for fn in module.functions if any(n.rsplit(".", 1)[-1] == "actor" for n, _ in fn.decorators)}
    seen: set[int] = set()
    for call, scope in module.calls:
        if call.lineno not in ctx.added and call.lineno not in seen:
            # The call's own line kept, a line of its arguments changed: the queued work runs
            # with other input (bookwyrm's broadcast task, a new user's trial, session 25).
            found = _arguments_changed(ctx, module, call, scope, actors)
            if found is not None:
                changed, to = found
                seen.add(call.lineno)
                yield WORK_ENQUEUED.finding(
                    ctx.path, changed,
                    f"Work enqueued to {to} is handed other arguments "
                    f"(line {changed}): the worker runs with other input, and runs queued before the deploy "
                    "still carry the old; say in the checklist whether the task accepts both.",
                    call.end_lineno, severity="warning",
                )
            continue
        if call.lineno in seen:
            continue
        what = _enqueue_what(call, module, actors)
        if what is None:
            continue
        seen.add(call.lineno)
        if _inside_atomic(module, call, ctx) and not _deferred_by_on_commit(module, call):
            yield WORK_ENQUEUED.finding(
                ctx.path, call.lineno,
                f"Work is enqueued to {what} inside a transaction: the worker can start before the "
                "transaction commits (or after it rolls back); enqueue it with transaction.on_commit().",
                call.end_lineno, severity="warning",
            )
        else:
            yield WORK_ENQUEUED.finding(
                ctx.path, call.lineno,
                f"Work is enqueued to {what}: it runs later in a worker, possibly several times and "
                "alongside other runs.",
                call.end_lineno,
            )


def _arguments_changed(ctx: FileContext, module: PyModule, call: ast.Call, scope: str,
                       actors: set[str]) -> tuple[int, str] | None:
    """The first changed line of an enqueue's arguments and what it enqueues to, when its line
    was not changed and the base's same function holds no such call with the same arguments (the
    same call moved or re-indented is not a change); None otherwise."""
    end = call.end_lineno or call.lineno
    changed = next((line for line in range(call.lineno + 1, end + 1) if line in ctx.added
                    and ctx.added[line].strip() and not ctx.added[line].lstrip().startswith("#")), None)
    what = _enqueue_what(call, module, actors) if changed is not None else None
    if changed is None or what is None:
        return None
    base = module_for(ctx, "base")
    if base is None:
        return None
    callee = ast.dump(call.func)
    handed = _handed(call)
    before = [c for c, s in base.calls if s == scope and ast.dump(c.func) == callee]
    if not before or any(_handed(c) == handed for c in before):
        return None  # a new enqueue is DC103's as added; the same one is no change
    return changed, what


def _handed(call: ast.Call) -> tuple:
    """What a call hands on: its positional arguments in order, its keywords in any order (a
    formatter's sorted keywords are the same call: a red-team case)."""
    return (tuple(ast.dump(a) for a in call.args),
            tuple(sorted((kw.arg or "**", ast.dump(kw.value)) for kw in call.keywords)))


DETECTORS = (detect_jobs,)

__all__ = ["RULES", "DETECTORS", "JobKind", "job_context", "enclosing_job", "touches_shared_state", "chain_root"]
