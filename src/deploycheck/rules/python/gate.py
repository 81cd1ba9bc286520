"""Whether the Python rules could report anything on a changed file, decided without parsing it.

Importing the Python family (its AST analyses, dozens of regular expressions) costs about as
much as a whole git hook may take, and most commits touch Python files that mention no job,
queue, lock or shared store. Every Python detector begins with one of the cheap tests below (a
path, or plain substrings of the changed lines or of the file); ``may_report`` is their union,
so the registry can skip the family, without importing it, for a file that passes none of them.

The detectors call these same functions and word lists, so the gate and the detectors cannot
drift apart. Nothing heavy is imported here.
"""

from __future__ import annotations

import re
from functools import wraps

from ...git import pathglob

# tests/, test_*.py, *_test.py and conftest.py: changes there do not flag (tests run one at a time).
_TEST_PATH = re.compile(r"(?:^|/)(?:tests?|testing)/|(?:^|/)test_[^/]*\.py$|_test\.py$|(?:^|/)conftest\.py$")
_DJANGO_MIGRATION = re.compile(r"(?:^|/)migrations/(?!.*/)[^/]+\.py$")
_ALEMBIC_MIGRATION = re.compile(r"(?:^|/)(?:alembic|migrations|migration|db)/versions/(?!.*/)[^/]+\.py$")

# A file (either side, lower-cased) without any of these defines no job, worker or handler.
JOB_TRIGGERS = (
    "task", "@job", ".job(", "actor", "huey", "dramatiq", "celery", "arq", "scheduled_job", "add_job",
    "basecommand", "labelcommand", "appcommand", "dag", "operator", "sensor", "receiver", ".connect(",
    "thread", "process(", "process)", "executor", "pool", "asyncio", "gather(", "kafka", "consum",
    "pika", "kombu", "receive_message", "pubsub", "subscribe", "xread", "enqueue", "delay(",
    "apply_async", "python_callable", "on_message", "listen()", "get_message", "basic_get",
    "agent", "background", "cron", "timer(", "functions =", "poll(",
    "temporalio",  # @activity.defn, @workflow.defn (rules/python/jobs.py)
)
# Changed lines without any of these enqueue no job.
ENQUEUE_TRIGGERS = (
    "delay", "apply_async", "send_task", "add_periodic_task", "enqueue", "async_task", "schedule(", "add_job",
    ".send", "produce", "publish", "send_message", "xadd",
)
# A head file without any of these writes nothing a second worker could race with.
HAZARD_TRIGGERS = (
    "save(", "commit(", "flush(", "bulk_update(", ".set(", "hset(", "setex(", "execute(", "write",
    "open(", "exists(", "isfile(", "create(", "delete(", ".add(", "remove(", "unlink(", "replace(",
    "rename(", "+=", "-=", "*=", "append(", "update(", "move(", "copy(", "copyfile(", "copy2(", "] =", "]=", "setdefault(",
    # put( and put_data( rather than "put", which every "input", "output" and "compute" holds
    "put(", "put_data(", "zrem", "ltrim(", "srem(", "hdel(", "release(", "incr", ".inc(", "sadd(", "push(", "zadd(",  # DC312, DC314: a key-value store written or cleared after a read; DC303: a counter checked, then incremented
    "delay(", "apply_async(", "send_task(", "async_task(", "enqueue", "send_with_options(", "kiq(", "ack(",  # DC340
)
# Changed lines without any of these add or remove no lock, transaction or atomic update.
SAFEGUARD_TRIGGERS = (
    "for_update", "atomic", "lock", "f(", "update", "begin", "idempot", "on_commit", "get_or_create",
    "update_or_create", "on_conflict", "retry", "retries", "incr", "decr", "semaphore", "nx=",
    "setnx", "advisory", "watch", "mutex",
    # concurrency control without a lock keyword (DC201/DC202): MULTI, Lua scripts, pool sizes,
    # lock order, upserts and duplicate handling, bulk_create replaced by update_or_create
    "multi(", "transaction=", "register_script", "eval", "script_load", "fcall", "max_workers", "executor", "pool",
    "wait(", "sorted(", "order_by", "integrityerror", "uniqueviolation", "duplicatekey", "bulk_create",
    "on_duplicate", "conflict", "processes=", "concurrency=", "max_jobs",
    "finally",  # a lock release moved into or out of a finally: block (DC201/DC320)
    "unique",  # a unique constraint removed (DC320)
    "block=", "blocking=", "synchronous=",  # whether a call waits for the work it starts (DC201)
)


def is_python_path(path: str) -> bool:
    return path.endswith(".py")


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


def migration_kind(path: str) -> str | None:
    """"alembic" or "django" for a migration module, None for any other path."""
    if path.endswith("__init__.py") or is_test_path(path):
        return None
    if _ALEMBIC_MIGRATION.search(path):
        return "alembic"
    if _DJANGO_MIGRATION.search(path):
        return "django"
    return None


def any_in(text: str, words: tuple[str, ...]) -> bool:
    # map over the bound method stays in C: no generator frame per word (it runs per file).
    return any(map(text.__contains__, words))


def should_analyse(ctx) -> bool:
    """Python, not a test file, and something actually changed in its text (checked on the raw
    hunk bytes, so files rejected here never have their lines parsed)."""
    return is_python_path(ctx.path) and not is_test_path(ctx.path) and bool(ctx.changed_lower())


def changed_text(ctx) -> str:
    """The changed lines (raw hunks), lower-cased, memoised: the input of the substring pre-filters."""
    key = "py-changed-text"
    if key not in ctx.cache:
        ctx.cache[key] = ctx.changed_lower().decode("utf-8", "replace")
    return ctx.cache[key]


def is_job_path(ctx) -> bool:
    return bool(ctx.settings.job_paths) and pathglob.matches(ctx.path, ctx.settings.job_paths)


def job_by_path(ctx) -> bool:
    """A management command, or a path the configuration's ``job_paths`` names."""
    return "/management/commands/" in f"/{ctx.path}" or is_job_path(ctx)


def _once(test):
    """``test(ctx)`` computed once per file: the gate asks first, then the detectors ask again."""
    key = ("py-gate", test.__name__)

    @wraps(test)
    def memo(ctx) -> bool:
        if key not in ctx.cache:
            ctx.cache[key] = test(ctx)
        return ctx.cache[key]

    return memo


@_once
def mentions_jobs(ctx) -> bool:
    """Whether the file could define a job: a trigger word in the head, or in the base when the
    change deletes the file or removes lines outright (a removed job is reported on the base)."""
    head = ctx.lower_text("head")
    if head and any_in(head, JOB_TRIGGERS):
        return True
    if ctx.file.new_path is None or ctx.file.has_pure_removal():
        base = ctx.lower_text("base")
        return bool(base) and any_in(base, JOB_TRIGGERS)
    return False


@_once
def may_enqueue(ctx) -> bool:
    """An enqueue added, or one whose arguments a changed line may be in (the head names one)."""
    if not ctx.file.adds_lines():
        return False
    head = ctx.lower_text("head")
    return any_in(changed_text(ctx), ENQUEUE_TRIGGERS) or bool(head) and any_in(head, ENQUEUE_TRIGGERS)


@_once
def may_change_safeguards(ctx) -> bool:
    text = changed_text(ctx)
    return any_in(text, SAFEGUARD_TRIGGERS) or any(w.lower() in text for w in ctx.settings.lock_wrappers)


@_once
def may_add_hazard(ctx) -> bool:
    if not ctx.file.adds_lines():
        return False
    head = ctx.lower_text("head")
    return bool(head) and any_in(head, HAZARD_TRIGGERS)


def may_report(ctx) -> bool:
    """False only when no Python detector can report on ``ctx``'s file (see the module docstring)."""
    if migration_kind(ctx.path) is not None:
        return bool(ctx.changed_lower())  # the migration rules (DC4xx) read any changed migration
    if not should_analyse(ctx):
        return False
    return (
        job_by_path(ctx) or may_change_safeguards(ctx) or may_enqueue(ctx) or mentions_jobs(ctx) or may_add_hazard(ctx)
        or reached_from_jobs(ctx)
    )


@_once
def reached_from_jobs(ctx) -> bool:
    """Whether a changed line lies in code the repository's job index says runs in the
    background (a helper a task calls in another module, a job a dispatcher names elsewhere).
    Asked last: it may read the index from the git directory, or build it (repo_index)."""
    if ctx.repo is None:
        return False
    from .repo_index import may_run_in_background

    return may_run_in_background(ctx)
