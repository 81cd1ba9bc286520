"""The family's cheap gates and pre-filter, apart so that the gate imports nothing else."""

from __future__ import annotations

import functools
import re

from ..base import scan_memo  # noqa: F401 - imported from here by the family's modules
from .langs import language_of_file

# Cheap pre-filter (lower-cased substrings of the whole file): a file naming none of these has
# no background region in this module's eyes, and is not parsed unless its repository is a
# job system or it matches `job_paths`.
KEYWORDS = {
    "ruby": ("sidekiq", "applicationjob", "activejob", "resque", "@queue", "good_job", "solid_queue", "que::job",
             "shoryuken", "sneakers", "queue_as", "queue_with_priority",
             # Dynflow (foreman-tasks): an action's `plan`/`run`/`finalize` run in its executor.
             "actions::entryaction", "actions::base", "dynflow::action", "actions::actionwithsubplans",
             # A thread or a forked process the code starts itself (background._ruby_started).
             "thread.new", "thread.start", "thread.fork", "process.fork", "fork do", "fork {",
             # An application's own job framework's base (background._RUBY_RUNNER_BASES).
             "jobrunner", "jobworker", "jobhandler"),
    "javascript": ("bullmq", "bull", "worker", ".process(", "agenda", "cron", "kafkajs", "eachmessage", "amqplib",
                   ".consume(", "@processor", "@process(", "@cron(", "@interval(", "jobhandler",
                   "processcallbackfunction", "processpromisefunction", "workhandler",
                   "@temporalio/", "nestjs-temporal", "waituntil(", "pg-boss", "pgboss",
                   # NestJS microservices' message handlers (Kafka, RabbitMQ, NATS…), often in a controller.
                   "@eventpattern(", "@messagepattern(",
                   # A class implementing an event handler's interface (background._JS_EVENT_HANDLER_INTERFACE).
                   "eventhandlerinterface", "ieventhandler", "@eventshandler(",
                   # Cadence MQ's task registration (`registerTask({ taskName, handler })`).
                   "registertask(",
                   # rabbitmq-client's consumer (background._JS_RUNNERS).
                   ".createconsumer(",
                   # node-schedule's jobs (background._JS_RUNNERS).
                   "schedulejob(", "node-schedule",
                   # An application's own scheduler's jobs (`new Job(name, cadence, fn)`, background._JS_RUNNERS),
                   # a task object that pairs a cron schedule with its function (background._cron_task).
                   "new job(", "schedule: '", 'schedule: "', "schedule: `",
                   # A forked process's or a worker thread's messages, an endless poll loop
                   # (background._JS_MESSAGE_CHANNELS, _JS_AWAITED_WAIT).
                   "process.on(", "process.once(", "parentport.on(", "parentport.once(", "parentport?.on(",
                   "parentport!.on(", "while (true)", "while(true)", "while (1)", "while(1)", "while (this.",
                   "while (!this.", "while(this.", "while(!this.", "for (;;)", "for(;;)",
                   # An async function started and not awaited (background._started_unawaited), a
                   # statement of its own: not an async callback handed to a call (`setTimeout(async`).
                   " (async (", " (async function", " (async()", "\t(async (", "\t(async function", "\t(async()",
                   # trigger.dev's tasks and Inngest's functions (background._TRIGGER_DEV, _INNGEST).
                   "@trigger.dev/sdk", "createfunction(",
                   # Botpress's workflows (background._BOTPRESS_HANDLER_TYPES, _BOTPRESS_WORKFLOW_EVENTS).
                   "workflowhandlers", ".workflowstart(", ".workflowcontinue(", ".workflowtimeout("),
    "go": ("go ", "asynq", "machinery", "river", "gocraft", "registertask", "handlefunc", "cron", "sched", ".go(", "addfunc(", "addjob(",
           "afterfunc", "ticker", "timer", "time.tick(", "queue", "reconcile.request", "ctrl.request",
           "go.temporal.io", "workflow.context", "registerworkflow", "registeractivity", "singleflight", "watermill",
           "asaskevich/eventbus",
           # An endless select loop (background._selects_forever).
           "select {",
           # A cache's callbacks, run on its own goroutine (background._go_cache_callback).
           "reloadfn", "refreshfn", "evictfn", "expirefn", "prefetchfn", "onevict", "onexpir",
           # A function handed to a worker pool (background._GO_SUBMITS, _GO_POOL_TYPE).
           ".submit(", ".trysubmit(", "pool"),
    "java": ("@scheduled", "@async", "quartzjobbean", "@kafkalistener", "@rabbitlistener", "@sqslistener", "@jmslistener", "org.quartz",
             "runnable", "callable", "executor", "new thread", "completablefuture", "reconciler", "io.temporal",
             "@xxljob", "ijobhandler", "tech.powerjob.worker", "elasticjob", "akka.actor", "pekko.actor",
             "extends thread", "java.lang.thread", "timertask",
             # Spring Batch's tasklets, readers, writers, partitioners and listeners (background._SPRING_BATCH).
             "org.springframework.batch",
             # an application's event handler base (`extends AbstractEventHandler<InstanceEvent>`)
             "eventhandler",
             # An application's worker base class (`extends AbstractTaskWorker<Task> {`, `extends
             # TaskWorker{`, Kotlin's `: CoroutineWorker(context, params)`; spread over lines,
             # ``_JVM_WORKER_SUPERTYPE`` reads it in the changed file).
             "worker<", "worker {", "worker{", "worker implements", "worker(", "androidx.work",
             # An application's daemon base class (`extends AbstractDaemon implements …`).
             "daemon {", "daemon{", "daemon implements", "daemon<", "daemon(",
             # An application's message processor base class (background._JVM_MESSAGE_PROCESSOR).
             "msgprocessor {", "messageprocessor {", "msgprocessor<", "messageprocessor<",
             # A task handed to a scheduler's call (`HAScheduler.scheduleCron(task, …)`, `timer.schedule(`).
             ".schedule"),
}
KEYWORDS["typescript"] = KEYWORDS["tsx"] = KEYWORDS["javascript"]
KEYWORDS["kotlin"] = KEYWORDS["java"] + ("launch", "async {", "thread {", ": thread(", ":thread(",
                                         # a flow shared on a scope (background._FLOW_STARTS)
                                         ".statein(", ".sharein(",
                                         # kotlin.concurrent's timers, a thread built from a task
                                         # (`Thread(task, "backup")`, background._RUNS_TASKS)
                                         "fixedratetimer(", "timer(", " thread(")


# What only a server's JavaScript does: load a module CommonJS's way (`require('x')`; RequireJS's
# `require([deps], fn)` loads a page's modules) or one of Node's own, or read its process. A file
# in a browser's folder that does (or that names a job library) is a server's, and its calls are
# followed (naming.py); a fire-and-forget timer is deferred work only in a file that does
# (background.py).
# Not a bundler's public variables (`process.env.NEXT_PUBLIC_…`, `REACT_APP_…`, `VITE_…`), which
# Next, Create React App and Vite write into the page's bundle (the red team of session 32); and a
# module that imports a Node server framework is a server's, whatever else it imports.
NODE_SIGNS = re.compile(r"\brequire\s*\(\s*['\"`]|\bmodule\.exports\b|\bexports\.[A-Za-z_$][\w$]*\s*=|\b__dirname\b"
                        r"|\bprocess\.(?!env\.(?:NEXT_PUBLIC|REACT_APP|VUE_APP|VITE|EXPO_PUBLIC|GATSBY|PUBLIC)_)[a-z]"
                        r"|\bfrom\s*['\"](?:node:|(?:fs|path|os|net|http|https|child_process|cluster|worker_threads)['\"/])"
                        r"|\bfrom\s*['\"](?:express|fastify|koa|@nestjs/[\w-]+|@hapi/hapi|restify|@fastify/[\w-]+)['\"]")


def server_evident(source: bytes) -> bool:
    """Whether a JS/TS file's text shows it a server's (``NODE_SIGNS``)."""
    return NODE_SIGNS.search(source.decode("utf-8", "surrogateescape")) is not None


# Folders that by convention hold an application's jobs and workers and the code only they use
# (Rails' app/jobs, app/workers and app/sidekiq; a `jobs`, `workers`, `cron`, `consumers` or
# `queues` package): every non-test file there is background code, like a `job_paths` match. A job's
# helper kept next to it (feedbin's `app/jobs/feed_crawler/lib/throttle.rb`) names no job API. In a
# monorepo, the application named `worker` (`apps/worker/`, `services/worker/`, `packages/worker/`)
# is the worker process: its modules and use cases run there, though most name no job API. So
# are a `scheduler` folder (xxl-job's scheduler threads) and a build module named for the worker
# or the scheduler (`job-worker/`, `flow-scheduler/`).
_JOB_FOLDER_NAMES = ("jobs", "workers", "sidekiq", "cron", "crons", "cronjobs", "crontab", "consumers", "queues",
                     "scheduler", "schedulers", "scheduling")
JOB_FOLDER = re.compile(rf"(?:^|/)({'|'.join(_JOB_FOLDER_NAMES)})/"
                        r"|(?:^|/)(?:apps|services|packages)/(worker)/|(?:^|/)[\w.]+-(worker|scheduler)/", re.IGNORECASE)
# The same folders as git pathspecs (loaded_by_a_job): a superset, its hits matched by JOB_FOLDER.
_JOB_FOLDER_PATHSPECS = tuple(f":(glob,icase)**/{name}/**" for name in (*_JOB_FOLDER_NAMES, "worker")) + (
    ":(glob,icase)**/*-worker/**", ":(glob,icase)**/*-scheduler/**")
# A Go package named `job` (pocket-id's `internal/job/`) holds jobs too. Only in Go: elsewhere the
# singular is part of a Java package's name (`com.xxl.job.admin`) or a model's namespace
# (solid_queue's `app/models/solid_queue/job/`).
_GO_JOB_FOLDER = re.compile(r"(?:^|/)(job)/")
# A JS/TS server's API route named `job` (helper's `app/api/job/route.ts`, which the database's
# queue drainer posts each job to) runs the jobs it is sent, as dub's `api/cron/` routes do.
_JS_JOB_ROUTE = re.compile(r"(?:^|/)api/(job)/")
# A JS/TS module named for a cron job or a queue consumer, wherever it sits: capgo's Supabase
# functions `triggers/cron_email.ts` and `triggers/queue_consumer.ts` (a new user's trial), a
# NestJS `mail.consumer.ts`, `cleanupCron.ts`, `emailConsumer.ts`, `sync.job.ts`. Not a page's
# `.jsx`/`.tsx`, a browser's `*.worker.ts` (a web worker), nor a helper named for cron expressions
# (`cron-utils.ts`, `cron-parser.ts`); a `*.processor.ts` is a payment's or a markdown's as often
# (NestJS's queue processors are read by their `@Processor`).
_JS_JOB_FILE = re.compile(r"(?:^|/)((?:[cC]ron[_.-](?![\w.-]*(?:util|helper|pars|expression|format|types|const|config|"
                          r"schema|valid))[\w.-]*|[\w.-]*[_.-][cC]ron|\w*[a-z0-9]Cron|[qQ]ueue[_-]?[cC]onsumer[\w.-]*"
                          r"|[\w.-]*[_.-][cC]onsumer|\w*[a-z0-9]Consumer|[\w-]+\.job)\.(?:m?[jt]s|c[jt]s))$")

# In a job system's own repository, these parts serve people, not workers: the web UI and
# dashboard (sidekiq/web, good_job's Rails engine views and filters, jobrunr's dashboard).
NOT_WORKER_CODE = re.compile(
    r"(?:^|/)(?:web|dashboard|frontend|ui|tui|views|controllers|helpers|assets|public|javascript)/"
    r"|(?:^|/)app/filters/"  # a Rails engine's dashboard filters; a job library's `jobs/filters/` run in workers
    # The file that is such a UI on its own (sidekiq's `tui.rb`, resque's `web_runner.rb`), or
    # the entry file of its folder (`web.rb` next to `web/`).
    r"|(?:^|/)(?:web|tui|dashboard|web_?ui|web_?app|web_?runner|web_?server)\.\w+$",
    re.IGNORECASE)


# Inside a scheduler's folder or a worker's or scheduler's build module, an HTTP API or UI
# components kept beside the jobs serve people too (xxl-job's `scheduler/openapi/`). Only below
# the job folder: dub runs its cron routes from `apps/web/app/api/cron/`, where the job folder is
# inside the web app's. Not below the folders that hold only jobs (`jobs/`, `workers/`): Rails
# keeps the jobs of the `Api::` namespace, and their helpers, in `app/jobs/api/`.
_BESIDE_JOBS = re.compile(r"(?:^|/)(?:api|openapi|rest|controllers?|components|pages)/", re.IGNORECASE)
_WHOLE_SYSTEMS = frozenset({"scheduler", "schedulers", "scheduling"})


def in_job_paths(settings, path: str) -> bool:
    """Whether the base's `job_paths` name ``path``: all of it is background code."""
    if not settings.job_paths:
        return False
    from ...git import pathglob

    return pathglob.matches(path, settings.job_paths)


JOB_PATHS_CODE = "code in `job_paths`"


def _job_folder(path: str):
    """The job folder ``path`` sits in, as a match of ``JOB_FOLDER`` (or ``_GO_JOB_FOLDER``,
    ``_JS_JOB_ROUTE``)."""
    folder = JOB_FOLDER.search(path)
    if folder is not None:
        return folder
    if path.endswith(".go"):
        return _GO_JOB_FOLDER.search(path)
    if not path.endswith(FAMILY_SUFFIXES["javascript"]):
        return None
    return _JS_JOB_ROUTE.search(path) or _JS_JOB_FILE.search(path)


def job_route(path: str) -> bool:
    """Whether ``path`` is a JS/TS API route named `job` (``_JS_JOB_ROUTE``): the handler every
    job is posted to, all of it run per job, whatever work it also defers."""
    return _JS_JOB_ROUTE.search(path) is not None and JOB_FOLDER.search(path) is None


# What shows that a JS/TS route named `job` runs the jobs sent to it: it imports the application's
# jobs (helper's `import { cronJobs, eventJobs } from "@/jobs"`), whatever method calls it (a
# Vercel cron calls a GET). A job board's `app/api/job/[id]/route.ts` serves postings: it imports
# its database, not its jobs.
_IMPORTS_JOBS = re.compile(rb"(?:\bfrom\s*|\b(?:require|import)\s*\(\s*)[\"'][^\"'\n]*(?<![\w-])"
                           rb"(?:jobs|workers|queues|cron|crons)(?:/[^\"'\n]*)?[\"']")


def job_folder_code(path: str, source: bytes | None = None) -> str | None:
    """What ``path`` is when it sits in a job folder ("code in the job folder `jobs/`"), or None.
    With its ``source``, a route named `job` is one only when it runs the jobs posted to it
    (``_IMPORTS_JOBS``); without, it is taken for one (read, and never less)."""
    folder = _job_folder(path)
    if folder is None:
        return None
    if source is not None and folder.re is _JS_JOB_ROUTE and not _IMPORTS_JOBS.search(source):
        return None
    name = next(g for g in folder.groups() if g)
    if folder.re is _JS_JOB_FILE:
        return f"code of `{name}`, a module named for a cron job or a queue consumer"
    below = path[folder.end():]
    whole_system = folder.re is JOB_FOLDER and folder.group(3) is not None or name.lower() in _WHOLE_SYSTEMS
    if NOT_WORKER_CODE.search(below) or (whole_system and _BESIDE_JOBS.search(below)):
        return None  # a dashboard, an HTTP API or a UI kept in the job folder serves people
    return f"code in the job folder `{name}/`"


def base_rev(ctx) -> str | None:
    return ctx.settings.base_files.rev if ctx.settings.base_files is not None else None


# Files of one family call each other; the globs `git grep` searches for a name.
FAMILY_GLOBS = {
    "ruby": ("*.rb", "*.rake"),
    "javascript": ("*.js", "*.jsx", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.mts", "*.cts"),
    "go": ("*.go",),
    "java": ("*.java", "*.kt"),
}
# The same as file name endings (the globs are all `*.ext`).
FAMILY_SUFFIXES = {family: tuple(glob.lstrip("*") for glob in globs) for family, globs in FAMILY_GLOBS.items()}
_FAMILY = {"typescript": "javascript", "tsx": "javascript", "kotlin": "java"}


def family_of(language: str) -> str:
    return _FAMILY.get(language, language)


_LUA_HINTS = (b"redis.call", b"redis.pcall")
# SQL that Postgres runs as a job, in a string (rules/trees/dbjobs.py): pg_cron and pgmq calls.
DB_JOB_WORDS = ("pgmq.", "pgmq_public.", "cron.schedule", "cron.alter_job", 'pgmq"."', 'pgmq_public"."',
                '"cron"."schedule', '"cron"."alter_job')
_DB_FUNCTION = re.compile(r"\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure)\b")
# hazards.HINTS, repeated so that the gate imports nothing more (tests/rules/test_trees.py compares them)
_PRIMITIVE_HINTS = (b"synchronized", b"volatile", b"atomic", b"concurrent", b"mutex", b"chan", b"lock",
                    b"blockingqueue", b"semaphore", b"countdownlatch", b"longadder", b"waitgroup", b"sync.", b"parallel",
                    b"synchronize", b"monitor", b"copyonwrite")
_RUBY_PRIMITIVE_HINTS = (b"concurrent::", b"mutex", b"monitor", b"synchronize")  # hazards.RUBY_HINTS
_RUBY_CLASS_STATE = re.compile(r"\bdef\s+self\.|\bclass\s*<<\s*self\b|@@\w|\bextend\s+self\b|\bmodule_function\b")


# DC704's locks (hazards.lock_calls_changed, hazards.work_under_a_lock): a Go, Java or Kotlin file
# that takes a lock, changed anywhere: a call moved across the lock, or a line changed under it,
# changes what it guards though the lock's line did not.
_LOCK_CALL_TEXT = re.compile(r"\.(?:try)?r?lock\w*\(|\.acquire\w*\(|\.obtain\(|\bsynchronized\b|"
                             r"\.with\w*(?:lock|permit)\w*\s*[({]")


def lock_hints(ctx) -> bool:
    if language_of_file(ctx) not in ("go", "java", "kotlin") or not ctx.added:
        return False
    return _LOCK_CALL_TEXT.search(ctx.lower_text("head") or "") is not None


def lock_wrapper_calls(ctx, lines: dict[int, str], names: tuple[str, ...] | None = None,
                       own: bool = False) -> list[tuple[int, str]]:
    """(line, name) for each of ``lines`` that calls one of ``names``, by default the project's
    `lock_wrappers`: `store.UpdateTx(…)`, `with_advisory_lock do`, `runExclusive(…)`.
    .deploycheck/config.yaml names its own helpers that act as locks or transactions, in any
    language. A line that defines one (`func (s *Store) UpdateTx(`) calls nothing. ``own``: the
    file's own Ruby or JS/TS helpers, called bare or on `self`/`this`, not on another receiver
    (`ENV.fetch(…)` is no call of the file's `def fetch`: the red team of session 39)."""
    pattern = _lock_wrapper_pattern(tuple(ctx.settings.lock_wrappers) if names is None else names)
    if pattern is None:
        return []
    foreign = own and language_of_file(ctx) != "go"
    out = []
    for number, text in sorted(lines.items()):
        for m in pattern.finditer(text):
            before = text[:m.start()]
            if foreign and before.endswith(".") and not before.endswith(("self.", "this.")):
                continue
            if not _DEFINES.match(before) and not _JS_METHOD_DEFINED.match(text):
                out.append((number, m.group(1)))
            break
    return out


# Where a name is defined, not called: Go's `func (s *Store) UpdateTx(`, Ruby's `def`, JS's
# `function`, a Java/TS method's modifiers or result type (`public void lock(`, `Result<T> lock(`).
_DEFINES = re.compile(r"^\s*(?:func\b.*|def\s+(?:self\.)?|(?:export\s+)?(?:async\s+)?function\*?\s+|"
                      r"(?:(?:public|private|protected|static|final|synchronized|async|override|suspend|fun)\s+)+[\w<>\[\], ?.]*?\s*|"
                      r"(?!(?:return|await|yield|go|defer|throw|new|else|do|case)\b)[\w<>\[\]?.]+\s+)$")
# A JS/TS class's method defined at the start of its line: `UpdateTx(fn) {`, `async lock(key: string): Promise<void> {`.
_JS_METHOD_DEFINED = re.compile(r"^\s*(?:async\s+)?[\w$]+\s*\([\w\s,:?=<>\[\].]*\)\s*(?::\s*[\w<>\[\]., |]+)?\s*\{\s*$")


def _wrapper_names(names) -> list[str]:
    """The names calls are written with: a dotted name's last part (`Store.UpdateTx` -> `UpdateTx`)."""
    return [part for n in names if (part := n.rsplit(".", 1)[-1])]


@functools.lru_cache(maxsize=8)
def _lock_wrapper_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """A call of one of ``names`` (the last part of a dotted name): `UpdateTx(`, `lock {`, `lock do`,
    Ruby's `with_advisory_lock "key" do`."""
    parts = _wrapper_names(names)
    if not parts:
        return None
    return re.compile(r"(?<![\w$])(" + "|".join(re.escape(n) for n in parts) + r")"
                      r"(?:\s*[({]|\s+do\b|[ \t]+(?=[\"':@\w])(?!(?:if|unless|and|or|then|do|end|=)\b))")


# A helper of the file's own that takes a lock and runs what it is handed inside it: Ruby's
# `def with_queue_lock` whose body takes `pg_advisory_lock` and `yield`s, Go's
# `func (s *Store) withLock(fn func() error) error` that locks a mutex and calls `fn`, JS's
# `async function withLock(key, fn)` that acquires a Redlock and calls `fn`. Its callers are
# locked as a named `lock_wrappers` entry's are (loomio's `with_demo_queue_lock`, removed: a new
# user's trial, session 39, read as any changed line until the helper was named in the config).
_OWN_LOCK_TAKEN = re.compile(r"pg_(?:try_)?advisory(?:_xact)?_lock|with_advisory_lock|\.with_lock\b|\block!|"
                             r"\.synchronize\b|\bredlock\b|lock_manager\.lock|\.(?:r)?lock\(\)|\.trylock\(|"
                             # a lock's or a semaphore's acquire, not a pool's (`pool.acquire()` checks a
                             # connection out: the red team of session 39)
                             r"(?:lock|mutex|sem(?:aphore)?)\w*\s*\.acquire\(|runexclusive\(|for update|lock table",
                             re.IGNORECASE)
_RUBY_DEF = re.compile(r"^([ \t]*)def\s+(?:self\.)?([a-z_]\w*[?!]?)(.*)$")
_GO_FUNC = re.compile(r"^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\((.*)$")
_JS_FUNC = re.compile(r"^([ \t]*)(?:export\s+)?(?:async\s+)?(?:function\s*\*?\s*)?([A-Za-z_$][\w$]*)\s*\((.*)\)\s*(?::[^{]*)?\{\s*$")


OWN_HELPER_LANGUAGES = frozenset({"ruby", "go", "javascript", "typescript"})


def own_lock_helpers(ctx, side: str) -> dict[str, str]:
    """{name: the lock call it takes} of ``side``'s helpers of the file's own that take a lock
    around what they are handed (``_OWN_LOCK_TAKEN``); read once per side."""
    key = ("trees.own-lock-helpers", side)
    if key not in ctx.cache:
        text = ctx.head_text() if side == "head" else ctx.base_text()
        language = language_of_file(ctx)
        found: dict[str, str] = {}
        if text and language in OWN_HELPER_LANGUAGES and _OWN_LOCK_TAKEN.search(text):
            lines = text.splitlines()
            for i, line in enumerate(lines):
                helper = _lock_helper(language, line, lines, i)
                if helper is not None:
                    found[helper[0]] = helper[1]
        ctx.cache[key] = found
    return ctx.cache[key]


def _lock_helper(language: str, line: str, lines: list[str], i: int) -> tuple[str, str] | None:
    """(name, lock call) when ``line`` (row ``i`` of ``lines``) defines a helper that takes a lock
    and runs the block or function it is handed inside it."""
    if language == "ruby":
        m = _RUBY_DEF.match(line)
        if m is None:
            return None
        indent, name = m.group(1), m.group(2)
        end = next((j for j in range(i + 1, len(lines)) if re.match(rf"^{indent}end\b", lines[j])), len(lines))
        body = "\n".join(lines[i + 1:end])
        runs = re.search(r"\byield\b|&\w+|\bblock\.call\b", body + m.group(3))
    else:
        m = _GO_FUNC.match(line) if language == "go" else _JS_FUNC.match(line)
        if m is None:
            return None
        name = m.group(1) if language == "go" else m.group(2)
        if name in ("if", "for", "while", "switch", "catch", "function"):
            return None
        closing = "}" if language == "go" else m.group(1) + "}"
        end = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == closing), len(lines))
        body = "\n".join(lines[i + 1:end])
        params = m.group(2) if language == "go" else m.group(3)
        # A parameter it calls: Go's function-typed one, JS's any.
        handed = re.findall(r"(\w+)\s+func\b", params) if language == "go" else re.findall(r"([A-Za-z_$][\w$]*)\s*(?=[,:=)]|$)", params)
        runs = next((h for h in handed if re.search(rf"(?<![\w$.]){re.escape(h)}\s*\(", body)), None)
        if runs and language == "go" and re.search(r"\bgo\s+func\b|\bgo\s+" + re.escape(runs) + r"\s*\(", body):
            return None  # it starts the function on a goroutine of its own, outside the lock (nats's `startGoroutine`)
    taken = _OWN_LOCK_TAKEN.search(body)
    if not runs or taken is None:
        return None
    return name, taken.group(0).strip(".(")


def lock_wrapper_hints(ctx) -> bool:
    """DC704's gate for a project's own lock helper (``lock_wrapper_calls``) added or removed: one
    of `lock_wrappers`, or one the file defines (``own_lock_helpers``), named on a changed line."""
    parts = _wrapper_names(ctx.settings.lock_wrappers)
    changed = ctx.changed_lower() if parts or language_of_file(ctx) in OWN_HELPER_LANGUAGES else b""
    if any(part.lower().encode() in changed for part in parts):
        return True
    if not changed:
        return False
    # The base is read only when a removed line takes a lock (the helper itself went away); else
    # its helpers are the head's, as the head holds the lines the branch left.
    sides = ["head"] + (["base"] if any(_OWN_LOCK_TAKEN.search(text) for text in ctx.removed.values()) else [])
    own = {name for side in sides for name in own_lock_helpers(ctx, side)}
    return any(name.lower().encode() in changed for name in own)


# A JS/TS lock taken around work (hazards.js_work_under_a_lock): Redlock's, async-mutex's, a
# `…Lock.acquire(`.
_JS_LOCK_TEXT = re.compile(r"(?:lock|mutex|sem)\w*\s*(?:\([^()\n]*\))?\s*\.\s*(?:acquire|using|runexclusive|lock|acquirelock)\s*\(")


def js_lock_hints(ctx) -> bool:
    """DC704's gate for changed JS/TS lines run under a lock the function takes."""
    if language_of_file(ctx) not in ("javascript", "typescript", "tsx") or not ctx.added:
        return False
    return _JS_LOCK_TEXT.search(ctx.lower_text("head") or "") is not None


def at_once_hints(ctx) -> bool:
    """DC707's gate for awaits turned into `Promise.all` (pipelined.awaits_at_once): a modified
    JS/TS file of the server with added lines whose head calls a promise combinator, in any
    application (two requests race as two workers do)."""
    if language_of_file(ctx) not in ("javascript", "typescript") or not ctx.added or ctx.file.status == "added" \
            or ctx.path.endswith((".jsx", ".tsx")) or NOT_WORKER_CODE.search(ctx.path):
        return False
    from ..paths import served_to_browsers

    # The combinator's own line may be unchanged: a write moved into it (the red team of session 38).
    return "promise.all" in (ctx.lower_text("head") or "") and not served_to_browsers(ctx.path)


def timer_hints(ctx) -> bool:
    """The gate for a JS/TS server module's own timers (background.py: a `setInterval`, a
    `setTimeout` loop or a fire-and-forget one): read whatever the rest of the repository names,
    not only once another file names a job API (``jobs_elsewhere``)."""
    if language_of_file(ctx) not in ("javascript", "typescript", "tsx"):
        return False
    head = ctx.lower_text("head") or ""
    return any(t in head for t in ("setinterval(", "settimeout(", "setimmediate(")) and _server_head(ctx)


def _server_head(ctx) -> bool:
    """Whether the head of a JS/TS file shows itself a server's (``server_evident``)."""
    return server_evident((ctx.head_text() or "").encode("utf-8", "surrogateescape"))


def channel_hints(ctx) -> bool:
    """DC704's gate for a Go channel's capacity set elsewhere (hazards.capacity_flows): a modified
    Go file with added lines that makes a channel."""
    if language_of_file(ctx) != "go" or not ctx.added or ctx.file.status == "added":
        return False
    return "make(chan" in (ctx.lower_text("head") or "")


def guard_hints(ctx) -> bool:
    """DC709's gate (rules/trees/guard.py): a JS/TS file whose changed lines say `update` or
    `where` and whose head filters an update, in any application (a request races a request)."""
    if language_of_file(ctx) not in ("javascript", "typescript", "tsx"):
        return False
    changed = ctx.changed_lower()
    if b"update" not in changed and b"where" not in changed:
        return False
    head = ctx.lower_text("head") or ""
    return "where" in head and ".update" in head


# DC705's own gate: a creation and a lookup among the changed lines of a Ruby or JS/TS file, in
# any application (a REST `create` action checks, then creates: two requests race as two workers
# do), so the file is parsed though no job names it.
_CREATES = (b"create", b"insert")
_LOOKS = (b"exists", b"exist?", b"find_by", b"findfirst", b"findone", b"findunique", b"findby", b"count", b".any?",
          b".present?", b".none?", b".empty?", b".blank?", b"||")


# Go's: a changed line calls an existence check (`HasRecentDuplicate(`, `UserExists(`) and the head
# writes (`Insert…(`, `Create…(`, `Log…(`…): checkact.go_check_then_act reads the pair by name.
_GO_CHECK_CALL = re.compile(rb"(?:\.|\b|_)(?:has|exists?|is\w*(?:exists?|taken|duplicate|present))\w*\s*\(|\w(?:exists?|present)\s*\(")
_GO_WRITE_CALL = re.compile(r"(?:\.|\b|_)(?:insert|create|add|save|log|write|put|upsert|append|store|register|record)\w*\s*\(")


def check_act_hints(ctx) -> bool:
    language = language_of_file(ctx)
    if language == "java":
        return java_field_write_hints(ctx)
    if language == "go":
        return _GO_CHECK_CALL.search(ctx.changed_lower()) is not None and \
            _GO_WRITE_CALL.search(ctx.lower_text("head") or "") is not None
    if language not in ("ruby", "javascript", "typescript", "tsx"):
        return False
    changed = ctx.changed_lower()
    return any(w in changed for w in _CREATES) and any(w in changed for w in _LOOKS)


# A Java entity's field checked, set and written back (checkact.guarded_field_write): a changed
# line calls a setter, and the head writes an entity (`.save(`, `.update(`, `.merge(`…).
_JAVA_ENTITY_WRITES = (".save(", ".saveandflush(", ".update(", ".merge(", ".persist(", ".updatebyid(", ".store(")


def java_field_write_hints(ctx) -> bool:
    if language_of_file(ctx) != "java" or b".set" not in ctx.changed_lower():
        return False
    head = ctx.lower_text("head") or ""
    return "if" in head and any(w in head for w in _JAVA_ENTITY_WRITES)


# A JS/TS job library's enqueue (rules/trees/jsproducer.py reads which, and whether a changed
# line is in it): a file is parsed for it only when its head holds one.
_JS_PRODUCER_HINT = re.compile(r"(?:queue|flow)\w*\s*\.\s*add(?:bulk)?\s*\(|boss\w*\s*\.\s*(?:send|insert)|\baddjob\s*\("
                               r"|\bquickaddjob\s*\(|\bagenda\s*\.\s*(?:now|schedule|every)\s*\(|\.sendtoqueue\s*\("
                               r"|producer\w*\s*\.\s*send|channel\w*\s*\.\s*publish\s*\("
                               r"|tasks?\s*\.\s*(?:batch)?trigger\w*\s*(?:<[^>\n]*>)?\s*\(|inngest\w*\s*\.\s*send\s*\(", re.ASCII)


def js_producer_hints(ctx) -> bool:
    """Hunks hold no context lines: an argument changed inside a call that a formatter wrapped
    over several lines shows no enqueue, so the whole head is searched (once per file: the gate
    and both sides of ``detect`` ask)."""
    if ("trees.js-producer",) not in ctx.cache:
        ctx.cache[("trees.js-producer",)] = (
            language_of_file(ctx) in ("javascript", "typescript", "tsx") and bool(ctx.added or ctx.removed)
            and _JS_PRODUCER_HINT.search(ctx.lower_text("head") or "") is not None)
    return ctx.cache[("trees.js-producer",)]


# Go: asynq's, machinery's and River's enqueues, and a call named for appending or enqueueing a
# task or a job (rules/trees/goproducer.py); the whole head, as for JS.
_GO_PRODUCER_HINT = re.compile(r"\.\s*(?:enqueue\w*|sendtask\w*|sendchain\w*|sendgroup\w*|sendchord\w*|insert\w*"
                               r"|(?:append|submit|schedule|push|add)\w*(?:task|job)\w*)\s*\(", re.ASCII)


def go_producer_hints(ctx) -> bool:
    """The Go producer reading's gate (DC715): a changed Go file whose head enqueues."""
    if ("trees.go-producer",) not in ctx.cache:
        ctx.cache[("trees.go-producer",)] = (
            language_of_file(ctx) == "go" and bool(ctx.added or ctx.removed)
            and _GO_PRODUCER_HINT.search(ctx.lower_text("head") or "") is not None)
    return ctx.cache[("trees.go-producer",)]


_STATEMENT_CALL = re.compile(rb"^\+[ \t]*(?:this\.)?([A-Za-z_$][\w$]*)\s*\(", re.MULTILINE)
_MEMBER_CALL = re.compile(rb"^\+[ \t]*([A-Za-z_$][\w$]*)\.[A-Za-z_$][\w$]*\s*\(", re.MULTILINE)
_NOT_CALLS = frozenset({"if", "for", "while", "switch", "return", "await", "catch", "function"})


def listener_hints(ctx) -> bool:
    """DC719's gate (rules/trees/listeners.py): a modified server JS/TS file whose hunks register
    a handler for one event only (`.once(`) on one side."""
    if language_of_file(ctx) not in ("javascript", "typescript") or not ctx.added or ctx.file.status == "added" \
            or ctx.path.endswith((".jsx", ".tsx")) or NOT_WORKER_CODE.search(ctx.path):
        return False
    from ..paths import served_to_browsers

    changed = ctx.changed_lower()
    return (b".once(" in changed or b"oncelistener(" in changed) and not served_to_browsers(ctx.path)


def floating_hints(ctx) -> bool:
    """A server's JS/TS file whose added lines open with a call of a name it declares async
    (rules/trees/floating.py reads whether the promise is dropped); once per file."""
    if ("trees.floating",) not in ctx.cache:
        ctx.cache[("trees.floating",)] = _floating_hints(ctx)
    return ctx.cache[("trees.floating",)]


def _floating_hints(ctx) -> bool:
    if language_of_file(ctx) not in ("javascript", "typescript") or not ctx.added:
        return False
    head = ctx.lower_text("head") or ""
    changed = ctx.changed_lower()
    names = {m.group(1).decode().lower() for m in _STATEMENT_CALL.finditer(changed)} - _NOT_CALLS
    if "async" in head and any(re.search(rf"async\s+(?:function\s*\*?\s*)?{re.escape(n)}\b|\b{re.escape(n)}\s*=\s*async\b", head)
                               for n in names):
        return True
    # A call of a module of the repository's member, or of a function imported from one: the
    # module is read for whether it declares it async (rules/trees/floating.py); the caller's
    # file need not say `async` (a promise's `.then` callback drops a promise too).
    modules = {m.group(1).decode() for m in _MEMBER_CALL.finditer(changed)}
    return any(local in modules | names for local, _, _ in relative_imports(head))


# What a JS/TS file imports from a module of the repository (a relative path): the module bound
# whole (`const m = require('./m')`, `import * as m from './m'`, `import m from './m'`), and
# functions bound by their names (`import { f, g as h } from './m'`, `const { f, g: h } =
# require('./m')`). The gate and rules/trees/floating.py read them alike.
_REQUIRED = re.compile(r"""(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"](\.{1,2}/[^'"]+)['"]\s*\)""")
_IMPORTED = re.compile(r"""import\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s+from\s+['"](\.{1,2}/[^'"]+)['"]""")
_NAMED = re.compile(r"""import\s*\{([^}]*)\}\s*from\s+['"](\.{1,2}/[^'"]+)['"]""")
_DESTRUCTURED = re.compile(r"""(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*['"](\.{1,2}/[^'"]+)['"]\s*\)""")


def relative_imports(text: str) -> list[tuple[str, str | None, str]]:
    """(local name, the name the module exports, or None for the module bound whole, the
    module's relative path) of each binding ``text`` makes from a module of the repository."""
    out: list[tuple[str, str | None, str]] = [(local, None, spec) for pattern in (_REQUIRED, _IMPORTED)
                                              for local, spec in pattern.findall(text)]
    for pattern, renames in ((_NAMED, " as "), (_DESTRUCTURED, ":")):
        for names, spec in pattern.findall(text):
            out += [(part.split(renames)[-1].strip(), part.split(renames)[0].strip(), spec)
                    for part in names.split(",") if part.strip()]
    return out


def reads_itself(ctx) -> bool:
    """Whether the file may hold background code itself: it names a job API, sits in a job
    system's repository, in `job_paths` or a job folder, or holds a Redis script. Any other file
    of the family is read only for what a job elsewhere reaches of it (``jobs_elsewhere``).
    Asked by the gate, then by ``detect``: answered once per file."""
    if ("trees.itself",) not in ctx.cache:
        ctx.cache[("trees.itself",)] = _reads_itself(ctx)
    return ctx.cache[("trees.itself",)]


# A statement that starts a call and keeps only its error handler (`this.sync(ids).catch(log)`,
# `void this.refresh()`), the text background._left_running reads as a tree.
_LEFT_RUNNING = re.compile(r"(?m)^[ \t]*(?:void\s+(?:this\.)?[\w$]+\(|(?:this\.)?[\w$]+\([^;\n]*?\)\s*\.(?:catch|then|finally)\()")


def _reads_itself(ctx) -> bool:
    language = language_of_file(ctx)
    changed = ctx.changed_lower()
    if any(h in changed for h in _LUA_HINTS):
        return True
    if language in ("go", "java", "kotlin") and any(h in changed for h in _PRIMITIVE_HINTS):
        return True
    if language == "ruby" and any(h in changed for h in _RUBY_PRIMITIVE_HINTS):
        return True  # DC704: a Ruby lock or concurrent-ruby type, in any file
    if language == "go" and (b"map[" in changed or b"delete(" in changed):  # DC706: a map field written
        return True
    if language == "go" and b"rand" in changed and "*rand.rand" in (ctx.lower_text("head") or ""):
        return True  # DC706: a `*rand.Rand` field drawn from (sharedmap.unguarded_rand_draws)
    if language == "ruby" and any("@" in t for t in ctx.added.values()) and _RUBY_CLASS_STATE.search(ctx.lower_text("head") or ""):
        return True  # DC706: a class-level variable written (sharedmap.ruby_class_state_writes)
    if language in ("javascript", "typescript") and _LEFT_RUNNING.search(ctx.lower_text("head") or "") \
            and _server_head(ctx):
        return True  # a server's async function started and left to run (background._left_running)
    if language == "java" and " volatile " in (ctx.lower_text("head") or ""):
        return True  # DC704: a volatile field read or written (sharedmap.volatile_uses)
    if language == "java" and b".put(" in changed and "concurrent" in (ctx.lower_text("head") or ""):
        return True  # DC705: a concurrent map's entry read, then put (checkact.py)
    if in_job_paths(ctx.settings, ctx.path):
        return True
    if language != "lua":
        if _job_folder(ctx.path):
            return True

        words = KEYWORDS.get(language or "", ()) + ("redis.call", "redis.pcall") + DB_JOB_WORDS
        if language == "ruby" and ctx.path.endswith(".rake"):
            # a Rake task that loads the application (background.py), however it names the
            # prerequisite (`:environment`, `%i[environment]`, `"environment"`)
            words += ("environment",)
    else:
        words = ("redis.",)
    for text in _sides_lower(ctx, words):
        if any(w in text for w in words):
            return True
    if language in ("java", "kotlin"):
        for text in _sides_lower(ctx, ("worker", "daemon")):
            if _JVM_WORKER_SUPERTYPE.search(text):
                return True
    if language == "go":
        # A handler registered on an application's own consumer (background._consumer_type).
        for text in _sides_lower(ctx, (".register", ".subscribe")):
            if _GO_CONSUMER_REGISTRATION.search(text) and _GO_CONSUMER_WORD.search(text):
                return True
    if in_transaction_hints(ctx):
        return True
    from .manifest import job_system

    return job_system(ctx.settings) is not None


def db_function_hints(ctx) -> bool:
    """DC716's gate: the file defines a database function, which a pg_cron schedule in another
    file may run (dbjobs.py)."""
    return _DB_FUNCTION.search(ctx.lower_text("head") or "") is not None


# A Go registration on an event or job consumer, as lower-case text (background._GO_CONSUMER_TYPE).
_GO_CONSUMER_REGISTRATION = re.compile(r"\.(?:register|subscribe)\w*\(")
_GO_CONSUMER_WORD = re.compile(r"(?:reader|consumer|subscriber|listener|executor|dispatcher)\b|\bqueues?\.\w")


# A supertype named for a worker or a daemon, whatever the spacing (`extends AbstractTaskWorker\n{`,
# `extends AbstractDaemon\n        implements ProfileFetcher {`): background.py reads whether it is one.
_JVM_WORKER_SUPERTYPE = re.compile(r"(?:worker|daemon)\s*(?:[<{(,]|implements\b)")


# DC708's gate (rules/trees/enqueue.py): the file opens a transaction and enqueues work.
# A model's save callbacks run in the save's transaction too (enqueue._SAVE_CALLBACK): every one
# of them, `around_update` as much as `after_update`.
_SAVE_CALLBACKS = tuple(f"{when}_{event}" for when in ("before", "after", "around")
                        for event in ("save", "create", "update", "destroy"))
_TRANSACTION_WORDS = ("transaction", "with_lock", "lock!", *_SAVE_CALLBACKS)
_ENQUEUE_WORDS = ("perform_later", "perform_async", "perform_in", "perform_at", "perform_bulk", "deliver_later",
                  ".add(", "addbulk", "enqueue", "sendtoqueue")


def in_transaction_hints(ctx) -> bool:
    """Whether the file at head opens a transaction and names an enqueue."""
    if language_of_file(ctx) not in ("ruby", "javascript", "typescript", "tsx"):
        return False
    head = ctx.lower_text("head") or ""
    return any(w in head for w in _TRANSACTION_WORDS) and any(w in head for w in _ENQUEUE_WORDS)


def transaction_block_hints(ctx) -> bool:
    """Whether the file at head opens a transaction's block (`transaction do`, `with_lock`,
    `lock!`), where a Ruby helper of the repository may enqueue: not every mention of a model
    named Transaction (maybe-finance's hooks paid the producers' search for each)."""
    if language_of_file(ctx) not in ("ruby", "javascript", "typescript", "tsx"):
        return False
    return _TRANSACTION_BLOCK.search(ctx.lower_text("head") or "") is not None


# A call whose name holds `transaction` handed a block or arguments (`transaction do`,
# `in_audited_transaction do`, `$transaction(`), as rules/trees/enqueue.py reads one.
_TRANSACTION_BLOCK = re.compile(r"transaction\w*\s*(?:do\b|\{|\()|\bwith_lock\b|\block!"
                                r"|\b(?:before|after|around)_(?:save|create|update|destroy)\b(?!_)")


# DC710's and DC711's gates (rules/trees/beans.py): a Java class made a singleton bean by one of
# these stereotypes (request threads share it), and changed lines that name a shutdown callback.
SINGLETON_STEREOTYPES = ("Component", "Configuration", "Controller", "ControllerAdvice", "Repository",
                         "RestController", "RestControllerAdvice", "Service")
_SINGLETON_HINTS = tuple(f"@{name.lower()}" for name in SINGLETON_STEREOTYPES)
SHUTDOWN_HINTS = (b"disposablebean", b"predestroy", b"lifecycle", b"destroy")
_POOL_CALLS = (b".start()", b".stop()", b".shutdown()", b".shutdownnow()", b".awaittermination(")


def pool_hints(ctx) -> bool:
    """DC711's thread pools (beans.pool_lifecycle): a Java file whose changed lines start or stop
    something, and whose head holds a thread pool or an executor."""
    if language_of_file(ctx) != "java" or not any(h in ctx.changed_lower() for h in _POOL_CALLS):
        return False
    head = ctx.lower_text("head") or ""
    return "threadpool" in head or "executor" in head


def singleton_hints(ctx) -> bool:
    """A Java file whose head names a singleton stereotype (`@Service`, `@Component`…), in any
    application: concurrent requests share the bean, jobs or not."""
    if language_of_file(ctx) != "java":
        return False
    head = ctx.lower_text("head") or ""
    return any(w in head for w in _SINGLETON_HINTS)


def shutdown_hints(ctx) -> bool:
    """A Java or Kotlin file whose changed lines name a shutdown callback (`DisposableBean`,
    `@PreDestroy`, `Lifecycle`, `destroy`)."""
    if language_of_file(ctx) not in ("java", "kotlin"):
        return False
    changed = ctx.changed_lower()
    if any(h in changed for h in SHUTDOWN_HINTS):
        return True
    # A hook's body changes on lines that need not name it: a JVM shutdown hook's thread written in
    # place (`addShutdownHook(new Thread(() -> {…}))`), a `@PreDestroy` method's (openvidu's
    # `KmsManager.close()`, f2582aa7c, a new user's trial, session 32). A file that declares one is
    # read whatever changed.
    return any(any(h in (ctx.lower_text(side) or "") for h in _HOOKS_DECLARED) for side in ("head", "base"))


_HOOKS_DECLARED = ("shutdownhook", "@predestroy", "disposablebean", "smartlifecycle", "implements lifecycle",
                   "destroymethod")


# DC712's gate (rules/trees/retry.py): a Go file that names a retry and a transaction.
# Also what makes a loop's header a retry loop (rules/trees/retry.py): `for range MaxRetries`,
# `for attempt := 0; …`.
RETRY_WORDS = ("retr", "attempt")
_TX_WORDS = ("commit", "rollback", "transaction", "begintx", "executeintx", "executetx")


def retry_hints(ctx) -> bool:
    """A Go file whose head names a retry (`retr`, `attempt`) and a transaction, in any
    application: requests and workers alike go through a transaction retry loop."""
    if language_of_file(ctx) != "go":
        return False
    head = ctx.lower_text("head") or ""
    return any(w in head for w in RETRY_WORDS) and any(w in head for w in _TX_WORDS)


def jobs_elsewhere(ctx, language: str | None) -> bool:
    """Whether a non-test file of the language family on the base names a job API: then a job
    may call what this file defines (rules/trees/reach.py reads it). The base, not the head: what
    the branch cannot change, and what a pre-push hook has answered before (a first job that the
    branch adds is flagged itself). One `git grep` per family and base, kept under the git
    directory for the hook and carried to its next base (rules/trees/kept.py); the CI gate
    (uncached) asks git every time."""
    repo, base = ctx.repo, base_rev(ctx)
    if repo is None or base is None or language is None or language == "lua":
        return False
    family = family_of(language)
    memo = scan_memo(ctx)
    key = ("trees.jobs-elsewhere", family)
    if key not in memo:
        memo[key] = _base_has_jobs(repo, base, family)
    return memo[key]


def _base_has_jobs(repo, base: str, family: str) -> bool:
    from ...git import gitcmd
    from ..paths import is_test_or_doc
    from . import kept

    words = sorted({word for language, family_words in KEYWORDS.items() if family_of(language) == family
                    for word in family_words})
    globs = FAMILY_GLOBS[family]

    def ask(keys: list[str], pathspec: list[str]) -> dict[str, set[str]]:
        paths = gitcmd.grep_files(repo.root, base, words, pathspec or globs, ignore_case=True, what="job code")
        return {_JOB_CODE: {path for path in paths if not is_test_or_doc(path)}}

    path = kept.kept_path(repo.root, "trees-job-files", base, family, "\n".join(words) + str(globs))
    answer = kept.load(repo.root, path, base, globs, ask)
    if _JOB_CODE not in answer:
        answer = {_JOB_CODE: sorted(ask([_JOB_CODE], [])[_JOB_CODE])}
        kept.save(path, answer)
    return bool(answer[_JOB_CODE])


_JOB_CODE = "job code"


def _sides_lower(ctx, words: tuple[str, ...]):
    """The lower-cased texts the gate looks for ``words`` in: the head, then the base. The base's
    lines are the head's unchanged lines plus the removed ones, and no word spans a line break,
    so once the head is read the base can hold a word only when a removed line does: otherwise
    it is not read from git (a round trip per changed file)."""
    head = ctx.lower_text("head")
    if head:
        yield head
    if head is not None:
        removed = "\n".join(ctx.removed.values()).lower()
        if not any(w in removed for w in words):
            return
    base = ctx.lower_text("base")
    if base:
        yield base


# A job that loads modules by a computed path: `require(`../modules/rendering/${key}/renderer.js`)`
# (wiki.js's page-render job runs each renderer of the page's pipeline, apps-h), or `import(`…`)`.
_COMPUTED_LOAD = re.compile(r"(?:\brequire|\bimport)\(\s*`(\.{1,2}/[^`]*\$\{[^`]*)`")


def loaded_by_a_job(ctx) -> str | None:
    """How a job loads this JS/TS file by a computed path (the job's file and line), or None: a
    job folder's or `job_paths`' file whose `require(`…${…}…`)` can name it. None names it by a
    word, so the search by name does not find it."""
    if language_of_file(ctx) not in ("javascript", "typescript", "tsx") or ctx.repo is None:
        return None
    memo = scan_memo(ctx)
    if ("trees.computed-loads",) not in memo:
        memo[("trees.computed-loads",)] = _computed_loads(ctx)
    for pattern, where in memo[("trees.computed-loads",)]:
        if pattern.fullmatch(ctx.path):
            return f"a module the job at {where} loads by a computed path"
    return None


def _computed_loads(ctx) -> list[tuple[re.Pattern, str]]:
    """(the paths a computed `require`/`import` can name, as a pattern; where) for each one in a
    job folder's or `job_paths`' non-test JS/TS file at head."""
    import posixpath

    from ...git import gitcmd
    from ..paths import is_test_or_doc

    # Only the job folders and `job_paths` are searched: a hook on a commit that touches a JS file
    # does not grep the whole tree for this.
    folders = [*_JOB_FOLDER_PATHSPECS, *(f":(glob){glob}" for glob in ctx.settings.job_paths)]
    found = gitcmd.run(["grep", "-n", "-E", r"(require|import)\(\s*`\.", ctx.repo.head_sha, "--", *folders],
                       ctx.repo.root, check=False).stdout
    out = []
    for hit in found.decode("utf-8", "replace").splitlines():
        _rev, path, number, text = (hit.split(":", 3) + ["", "", ""])[:4]
        if not path.endswith(FAMILY_SUFFIXES["javascript"]) or is_test_or_doc(path) \
                or not (_job_folder(path) or in_job_paths(ctx.settings, path)):
            continue
        for m in _COMPUTED_LOAD.finditer(text):
            marked = re.sub(r"\$\{[^}]*\}", "\0", m.group(1))  # each interpolation: one path element
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), marked))
            parts = [re.escape(part) for part in resolved.split("\0")]
            out.append((re.compile("[^/]+".join(parts) + r"(?:\.[cm]?[jt]s|/index\.[cm]?[jt]s)?"), f"{path}:{number}"))
    return out


# A JS/TS `tasks/` folder whose index module runs its tasks on a schedule or from a queue
# (hyperdx's `packages/api/src/tasks/index.ts`: `CronJob.from({ onTick })` runs the task named on
# its command line every minute, through a registry of task classes no trail follows, apps-o
# d11f8579): each module of the folder is a task's or a helper only tasks use. `tasks` is too
# common a name to be a job folder by itself (a build's gulp tasks, a to-do model), so the index
# must import a scheduler or a queue library, and no HTTP framework: an index that also mounts a
# router (a to-do app's `src/tasks/`, whose controller serves requests beside a reminder cron) is
# no task runner's (the red team of session 29). `scheduled-tasks/`, `cron_tasks/` too.
_TASKS_FOLDER = re.compile(r"(?:^|/)(?:[\w-]*[-_])?tasks/", re.IGNORECASE)
_HTTP_IMPORT = re.compile(rb"(?:\bfrom\s*|\b(?:require|import)\s*\(\s*)[\"'](?:express|fastify|koa|@koa/router|hono|@hapi/hapi|restify|next(?:/[\w/-]+)?)[\"']")
_RUNNER_IMPORT = re.compile(
    rb"(?:\bfrom\s*|\b(?:require|import)\s*\(\s*)[\"']((?:node-)?cron|node-schedule|croner|toad-scheduler|"
    rb"bullmq|bull|agenda|bee-queue|pg-boss|graphile-worker|bree|@nestjs/schedule|@nestjs/bullmq?)[\"']")
_INDEX_NAMES = tuple(f"index{suffix}" for suffix in (".ts", ".js", ".mts", ".mjs", ".cts", ".cjs"))


def scheduled_folder(ctx) -> str | None:
    """How a JS/TS file is run as a task: it sits in a `tasks/` folder whose index module imports
    a scheduler or a queue library (``_TASKS_FOLDER``), or None."""
    if language_of_file(ctx) not in ("javascript", "typescript", "tsx") or ctx.repo is None:
        return None
    folders = [m.end() for m in _TASKS_FOLDER.finditer(ctx.path)]
    if not folders:
        return None
    folder = ctx.path[:folders[-1]]  # the nearest: `tasks/` inside `tasks/` is a task's own
    memo = scan_memo(ctx)
    key = ("trees.scheduled-folder", folder)
    if key not in memo:
        memo[key] = None
        # The base's index counts too: a branch that drops the scheduler from the index cannot
        # make the task it changes in the same push ordinary code (docs/security-model.md).
        revs = [ctx.repo.head_sha, *([rev] if (rev := base_rev(ctx)) else [])]
        for rev, name in ((rev, name) for rev in revs for name in _INDEX_NAMES):
            source = ctx.repo.read_blob(f"{rev}:{folder}{name}")
            if source and (runner := _RUNNER_IMPORT.search(source)) and not _HTTP_IMPORT.search(source):
                memo[key] = f"a module of `{folder}`, whose `{name}` runs its tasks with `{runner.group(1).decode()}`"
                break
    return memo[key]


_TUNABLE_WORDS = ("attempt", "retry", "retries", "backoff", "concurrency", "prefetch")
# Go's are named for what is counted too (tunables.GO_TUNABLE_NAME).
_GO_TUNABLE_WORDS = (*_TUNABLE_WORDS, "parallelism", "chan", "conn", "worker", "slot", "goroutine", "inflight",
                     "consumer", "sender", "handler", "poolsize", "pool_size", "queuesize", "queue_size", "buffersize",
                     "buffer_size")


_RUBY_TUNABLE_WORDS = (*_TUNABLE_WORDS, "thread", "pool", "parallelism", "processes")


def tunable_hints(ctx) -> bool:
    """DC718's gate (rules/trees/tunables.py): a JS/TS, Go or Ruby file whose changed lines hold a number and
    whose head names a retry, backoff or concurrency setting (the key may sit on a line above)."""
    language = language_of_file(ctx)
    if language not in ("javascript", "typescript", "tsx", "go", "ruby"):
        return False
    if not re.search(rb"\d", ctx.changed_lower()):
        return False
    head = ctx.lower_text("head") or ""
    words = {"go": _GO_TUNABLE_WORDS, "ruby": _RUBY_TUNABLE_WORDS}.get(language, _TUNABLE_WORDS)
    return any(word in head for word in words)
