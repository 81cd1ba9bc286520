"""Which parts of a file run in the background, read from its syntax tree.

``regions(p)`` returns ``(first_row, last_row, what)`` (0-based rows) for each piece of code a job
framework, a scheduler, a message consumer or a thread/goroutine runs. A function handed to a
runner in the same file (``go s.loop()``, ``new Worker('q', process)``) counts as well.
"""

from __future__ import annotations

import re

from .parse import Parsed, js_callee, js_function_name, nodes_of
from .parse import walk as _walk
from .jvm import modifiers
from .units import index_units, node_name, shown_name, units_at

from .keywords import KEYWORDS, server_evident  # noqa: F401 - KEYWORDS: the pre-filter for the regions found here

_RUBY_JOB_MIXINS = re.compile(r"^(?:Sidekiq::(?:Job|Worker)|Resque::Plugins::\w+|Shoryuken::Worker|Sneakers::Worker|"
                              r"Que::Job|GoodJob::ActiveJobExtensions::\w+)$")
# A class body that names its queue is run by one, whatever it includes or inherits from:
# ActiveJob's `queue_as`, which command gems (Mandate's `.defer`) and an application's own base
# classes reuse, and Sidekiq's `sidekiq_options` under a base class that includes Sidekiq.
_RUBY_QUEUE_DSL = re.compile(r"(?:queue_as|sidekiq_options|queue_with_priority)\b")
_RUBY_JOB_BASES = re.compile(r"(?:^|::)(?:ApplicationJob|ActiveJob::Base|Que::Job|\w+Job)$")
# An application's own job framework: ArchivesSpace's `class BulkImportRunner < JobRunner` is run
# by the backend's job threads, several at once (apps-z e8d270f1).
_RUBY_RUNNER_BASES = re.compile(r"(?:^|::)\w*Job(?:Runner|Worker|Handler)$")
# Dynflow's actions (foreman-tasks, Katello): `plan`, `run` and `finalize` run in the executor's
# threads and processes (Katello's capsule sync, apps-q).
_DYNFLOW_BASES = re.compile(r"(?:^|::)(?:Actions::(?:EntryAction|Base|ActionWithSubPlans|BulkAction)|Dynflow::Action)$")
_JVM_ANNOTATIONS = {"Scheduled", "Async", "KafkaListener", "RabbitListener", "SqsListener", "JmsListener",
                    "KafkaHandler", "RabbitHandler", "Schedules", "StreamListener",
                    # xxl-job's executor runs a method under `@XxlJob("name")` when the admin triggers it.
                    "XxlJob",
                    # Temporal's Java SDK: a method with a body under these (a Kotlin interface's
                    # default, an implementation that repeats them) runs on the worker.
                    "WorkflowMethod", "ActivityMethod", "SignalMethod", "UpdateMethod"}
# Temporal's interfaces: a class of the file that implements one runs on the worker.
_JVM_TEMPORAL_INTERFACES = {"WorkflowInterface": "Temporal workflow", "ActivityInterface": "Temporal activity"}
_JVM_INTERFACES = {"Job": "Quartz job", "QuartzJobBean": "Quartz job", "Runnable": "Runnable", "Callable": "Callable", "InterruptableJob": "Quartz job",
                   "StatefulJob": "Quartz job", "MessageListener": "message listener", "JobRequestHandler": "JobRunr job",
                   "IJobHandler": "xxl-job handler",
                   # A controller's workers call `reconcile` for each queued request, several at once
                   # (the Java Operator SDK, Halo's extension controllers).
                   "Reconciler": "reconciler run by a controller's workers",
                   # An actor's message handlers run on its dispatcher's threads, one message at a
                   # time per actor, and a router pool runs many of them at once (PowerJob's server).
                   "AbstractActor": "Akka actor", "UntypedAbstractActor": "Akka actor", "UntypedActor": "Akka actor",
                   "AbstractActorWithTimers": "Akka actor", "AbstractLoggingActor": "Akka actor",
                   "AbstractBehavior": "Akka actor",
                   # A class that is a thread runs its `run` on it; its other methods are how other
                   # threads start, stop and interrupt it (nacos's event publisher).
                   "Thread": "thread", "TimerTask": "timer task"}
_JS_RUNNERS = {"Worker": "BullMQ worker", "process": "queue processor", "define": "Agenda job",
               "schedule": "cron job", "consume": "message consumer", "run": "Kafka consumer",
               "CronJob": "cron job", "setInterval": "timer", "work": "pg-boss worker",
               # Vercel's and Cloudflare's `waitUntil(promise)`: the work runs after the response is
               # sent, beside the next requests that touch the same rows (dub's deferred deletes).
               "waitUntil": "deferred work (waitUntil)",
               # Cadence MQ's `taskServices.registerTask({ taskName, handler })`: papra's workers
               # run the handler for each queued task (apps-u 9aa4541a, 881796ed).
               "registerTask": "task handler",
               # rabbitmq-client's `rabbit.createConsumer({ queue, concurrency }, async (msg) => …)`:
               # the handler runs for each message, `concurrency` of them at once (runtipi's
               # app-lifecycle queue, apps-y ef2f4255).
               "createConsumer": "message consumer",
               # node-schedule's `schedule.scheduleJob(spec, fn)` (jellyseerr's jobs, a new user's
               # trial, session 32), also imported bare (`scheduleJob(spec, fn)`).
               "scheduleJob": "scheduled job (node-schedule)",
               # An application's own scheduler: cross-seed's `new Job(JobName.INJECT, ms("1 hour"),
               # injectSavedTorrents)`, run by its jobs loop (apps-z a308d450, 3d89a961).
               "Job": "job of the application's scheduler"}
# A cron library, or a module of the application's named for one that wraps it (`../lib/cron`,
# `@/lib/scheduler`: the red team of session 36).
_CRON_LIBRARY = re.compile(rb"""['"](?:node-cron|cron|node-schedule|croner)['"]|['"][^'"\n]*/(?:cron|crons|scheduler|schedule)(?:\.[cm]?[jt]s)?['"]""")
_JS_OWN_JOB_CLASS = re.compile(rb"(?m)^(?:export\s+(?:default\s+)?)?class\s+Job\b")
# Runners whose handler is always a function: an options object handed to them is no handler.
_HANDED_A_FUNCTION = frozenset({"createConsumer", "scheduleJob", "Job"})
# Runners that are always a method of the queue, scheduler or channel (`agenda.define`,
# `queue.process`, `channel.consume`). Called bare they are something else: RequireJS's
# `define('forum/header', [deps], factory)` wraps every browser module of an AMD application
# (NodeBB's `public/src/`), and a bare `process(item)` is the file's own function.
_JS_METHOD_RUNNERS = frozenset({"define", "process", "consume", "work", "createConsumer"})
# pg-boss's `boss.work(queue, options, handler)`, also through an application's wrapper
# (shelf.nu's `scheduler.work<Payload>(…)`): `work` is a common word, so it counts on a receiver
# named for a queue or scheduler, or in a file that names pg-boss.
_PG_BOSS_RECEIVER = re.compile(r"(?i)boss|sched|queue|worker|jobs?$")
_JS_DECORATORS = {"Processor": "queue processor", "Process": "queue processor", "Cron": "scheduled job",
                  "Interval": "scheduled job", "Timeout": "scheduled job", "OnQueueActive": "queue processor",
                  "EventPattern": "message handler", "MessagePattern": "message handler",
                  # NestJS CQRS's event handlers run after the publishing request has gone on.
                  "EventsHandler": "event handler run by the event bus"}
# Types a job library gives its handler function (BullMQ's and Agenda's `Processor`, Bull's
# `ProcessCallbackFunction`, pg-boss's `WorkHandler`, an application's own `JobHandler`): a function
# value declared with one is what the queue runs, wherever it is registered.
_JS_HANDLER_TYPES = {"JobHandler": "job handler", "Processor": "queue processor",
                     "ProcessCallbackFunction": "queue processor", "ProcessPromiseFunction": "queue processor",
                     "WorkHandler": "job handler"}
# Botpress's workflows (`bp.WorkflowHandlers['sync']`, or the callback of
# `plugin.on.workflowStart('sync', …)`, `…Continue`, `…Timeout`): its cloud runs them in the
# background, continued after each timeout, and a workflow that throws is retried (apps-af
# cf96caaf). The type's name is common, so it counts only in a file that imports Botpress.
_BOTPRESS = re.compile(rb"""from\s+['"](?:\.botpress|@botpress/[\w-]+)['"]""")
_BOTPRESS_HANDLER_TYPES = {"WorkflowHandlers": "Botpress workflow"}
_BOTPRESS_WORKFLOW_EVENTS = frozenset({"workflowStart", "workflowContinue", "workflowTimeout"})
_JS_FUNCTION_VALUES = ("arrow_function", "function_expression", "function")
# Temporal's NestJS wrappers mark activities and workflows with decorators: nestjs-temporal-core's
# `@Activity()` class with `@ActivityMethod()` methods and `@Workflow()`/`@WorkflowController()`
# classes with `@WorkflowRun()`/`@WorkflowMethod()` methods; nestjs-temporal's `@Activities()`
# class with `@Activity()` methods. The names are common words, so they count only when the
# file imports them from a package named for Temporal.
_JS_TEMPORAL_DECORATORS = {"Activity": "Temporal activity", "Activities": "Temporal activity",
                           "ActivityMethod": "Temporal activity", "Workflow": "Temporal workflow",
                           "WorkflowController": "Temporal workflow", "WorkflowRun": "Temporal workflow",
                           "WorkflowMethod": "Temporal workflow"}
# A module that imports the workflow SDK for what runs (not `import type`) is workflow code: the
# worker bundles it into the workflow sandbox, where its functions and its top-level statements
# (the `proxyActivities` options among them) run, are replayed, and must stay deterministic. One
# that imports the activity SDK (`Context`, `heartbeat`) holds activities, which the worker runs.
_JS_TEMPORAL_MODULES = {"@temporalio/workflow": "Temporal workflow", "@temporalio/activity": "Temporal activity"}
# Top-level statements that run nothing: imports, and TypeScript's type declarations.
_JS_INERT_TOP = frozenset({"import_statement", "comment", "type_alias_declaration", "interface_declaration",
                           "ambient_declaration", "empty_statement"})
_GO_REGISTER = {"HandleFunc": "asynq handler", "Handle": "asynq handler", "RegisterTask": "machinery task",
                "RegisterTasks": "machinery task", "AddFunc": "cron job", "AddJob": "cron job", "Job": "gocraft job",
                "JobWithOptions": "gocraft job", "AddWorker": "river worker", "AfterFunc": "timer",
                # Temporal's worker (go.temporal.io/sdk/worker): what it registers runs on its
                # pollers, MaxConcurrent… at once, and again on every retry or replay.
                "RegisterWorkflow": "Temporal workflow", "RegisterWorkflowWithOptions": "Temporal workflow",
                "RegisterActivity": "Temporal activity", "RegisterActivityWithOptions": "Temporal activity"}
# `Handle`/`HandleFunc` and `Job` are also what net/http's and grpc-gateway's muxes and many
# other types call their registrations: they name a job for sure in a file that imports the job
# library (asynq's ServeMux, gocraft's WorkerPool). A handler defined elsewhere still counts by
# its signature (`*asynq.Task`, `*work.Job`).
_GO_REGISTER_LIBRARY = {"HandleFunc": b"hibiken/asynq", "Handle": b"hibiken/asynq",
                        "Job": b"gocraft/work", "JobWithOptions": b"gocraft/work"}
# A file that does not import the library may still register on its mux: a mux held in a field
# or passed in from the file that built it, or an application's own wrapper package around it
# (`queue.Mux.HandleFunc(kind, func(ctx, payload []byte) error)`). There a handler whose first
# parameter is a `context.Context` has a job handler's shape, not an HTTP handler's (`w, r`,
# grpc-gateway's `w, r, pathParams`) nor a bot's (`tele.Context`), unless the file imports an
# HTTP library, whose muxes are then what it registers on.
_GO_HTTP_LIBRARIES = (b'"net/http"', b"grpc-gateway")
_GO_CONTEXT_FIRST = re.compile(r"^\(\s*(?:\w+\s+)?context\.Context\b")
# The parameter types of a job library's handlers, by the library's import path and as the file
# writes them under the package's own name; an aliased import (`q "github.com/hibiken/asynq"`)
# writes `*q.Task` (see _go_handler_params).
_GO_HANDLER_PACKAGES = {"github.com/hibiken/asynq": ("asynq", ".Task"), "github.com/riverqueue/river": ("river", ".Job["),
                        "github.com/gocraft/work": ("work", ".Job"),
                        # Watermill's handlers and subscribers' consumers take a `*message.Message`
                        # (vikunja's event listeners, whose migration listener runs an importer).
                        "github.com/ThreeDotsLabs/watermill/message": ("message", ".Message")}
# A package name too common to read a handler by without the import (`message.Message` is any
# chat application's own type): these count only in a file that imports the library.
_GO_HANDLER_IMPORTED_ONLY = frozenset({"github.com/ThreeDotsLabs/watermill/message"})
# A struct registered whole (`w.RegisterActivity(&Activities{db: db})`): each of its exported
# methods is an activity.
_GO_REGISTERS_METHODS = frozenset({"RegisterActivity", "RegisterActivityWithOptions"})
# `g.Go(fn)` runs ``fn`` on a goroutine of its own (errgroup, `sync.WaitGroup.Go`, conc's pools,
# tomb): a `go` statement written as a call.
_GO_RUNNERS = {"Go": "goroutine (errgroup)"}
# The cron libraries whose `AddFunc`/`AddJob` take a schedule.
_GO_CRON_LIBRARY = re.compile(rb'"[^"\n]*(?:/cron(?:/v\d+)?|/gocron(?:/v\d+)?|/go-cron|/cronexpr)"')
# A function handed to a scheduler runs on its schedule, whatever the library: robfig/cron's
# `c.AddFunc`, an application's wrapper around it (`schedulerInstance.Add(spec, fn)`,
# `crontab.Register(kind, fn)`), gocron's `gocron.NewTask(fn)`. The scheduler is told by the
# name of what is called (a variable, field or package spelling `cron` or `sched`), the call
# by a registering verb.
_GO_SCHEDULER = re.compile(r"cron|sched", re.IGNORECASE)
_GO_SCHEDULING_HELPER = re.compile(r"^(?:schedule|cron)(?:[A-Z]\w*)?$|^(?:add|register|run)(?:Cron|Schedule)\w*$")
_GO_SCHEDULING_VERBS = re.compile(r"^(?:Add\w*|Register\w*|Schedule\w*|Every\w*|Do|NewTask|NewJob"
                                  # a cron package's options (`cronjob.New(name, cronjob.WithJob(j.run), …)`)
                                  r"|With(?:Job|Task|Func|Handler)\w*)$")


def regions(p: Parsed) -> list[tuple[int, int, str]]:
    """Read once per tree (``p.memo``): the changed file's detectors, the worker-machinery scope
    and the search for calls from jobs all ask. A fresh list each time: callers may extend it."""
    if "background.regions" not in p.memo:
        fn = {"ruby": _ruby, "go": _go, "java": _jvm, "kotlin": _jvm}.get(p.language, _js)
        p.memo["background.regions"] = tuple(fn(p))
    return list(p.memo["background.regions"])


def _span(node, what: str) -> tuple[int, int, str]:
    return (node.start_point[0], node.end_point[0], what)


def job_of(p: Parsed, path: str, span: tuple[int, int, str]) -> dict:
    """The job a region of ``regions`` is, as a finding's data (Finding.job): its kind, its first
    line and the unit there (None when the region starts outside any unit)."""
    named = units_at(p, span[0])
    return {"kind": span[2], "path": path, "line": span[0] + 1, "name": shown_name(named, p) if named else None}


def _named(p: Parsed, name: str, names_to_nodes: dict | None = None) -> list:
    """Functions/methods of the file whose own name is ``name``."""
    units = names_to_nodes if names_to_nodes is not None else index_units(p)
    return [node for key, node in units.items() if key.rsplit("::", 1)[-1].split("(")[0].split(".")[-1] == name]


# --- Ruby -------------------------------------------------------------------------------------


# A job system run inside the web server's process: Sidekiq's `configure_embed` (docuseal's Puma
# plugin, which starts it at boot and stops it on shutdown and restart, a new user's trial, session
# 37: the hooks it ran under were renamed and nothing was flagged). The whole block around it (the
# plugin's `Puma::Plugin.create do … end`), or the file, is the job system's lifecycle, in a file
# that names Puma.
_RUBY_EMBEDDED = re.compile(rb"\bSidekiq\.configure_embed\b")


def _ruby_embedded(p: Parsed) -> list[tuple[int, int, str]]:
    out = []
    for n in nodes_of(p, frozenset({"call"})):
        if p.text(n.child_by_field_name("method") or n) != "configure_embed":
            continue
        outer, up = None, n.parent
        while up is not None:
            if up.type == "call" and up.child_by_field_name("block") is not None:
                outer = up
            up = up.parent
        out.append(_span(outer or p.root, "job system embedded in the web server (`Sidekiq.configure_embed`)"))
    return out


def _ruby(p: Parsed) -> list[tuple[int, int, str]]:
    out = _rake_tasks(p) if b"environment" in p.source else []
    if b"Thread" in p.source or b"fork" in p.source:
        out += _ruby_started(p)
    if _RUBY_EMBEDDED.search(p.source) and b"Puma" in p.source:
        # In the web server (a Puma plugin or its configuration), not a load test's script that
        # runs Sidekiq embedded on its own (Sidekiq's `bin/sidekiqload`).
        out += _ruby_embedded(p)
    for n in nodes_of(p, frozenset({"class", "module"})):
        if n.type == "module":
            if _ruby_queue_concern(n, p):
                out.append(_span(n, "job concern"))
            continue
        superclass = n.child_by_field_name("superclass")
        base = p.text(superclass).lstrip("< ").strip() if superclass is not None else ""
        body = n.child_by_field_name("body")
        what = None
        if base and _RUBY_JOB_BASES.search(base):
            what = "ActiveJob job"
        elif base and _RUBY_RUNNER_BASES.search(base):
            what = "background job"
        elif base and _DYNFLOW_BASES.search(base):
            what = "Dynflow action"
        if body is not None:
            for stmt in body.named_children:
                text = p.text(stmt)
                if stmt.type == "call" and text.startswith("include "):
                    if any(_RUBY_JOB_MIXINS.match(a.strip()) for a in text[8:].split(",")):
                        what = "Sidekiq job" if "Sidekiq" in text else "background job"
                elif stmt.type == "assignment" and text.startswith("@queue"):
                    what = "Resque job"
                elif what is None and stmt.type in ("call", "identifier") and _RUBY_QUEUE_DSL.match(text):
                    what = "background job"
        if what == "Resque job" and superclass is not None and _RUBY_MODEL_BASES.search(p.text(superclass)):
            # A model that names a Resque queue (otwarchive's `include AsyncWithResque` with `@queue`)
            # runs its methods in a worker when they are called through `async(:name)`; its
            # validations, associations and scopes declared in the class body are the model's,
            # read by requests and jobs alike, not a job's own code.
            out += [_span(m, what) for m in _resque_model_code(body, p)]
        elif what:
            out.append(_span(n, what))
    return out


# A thread or a process the code starts itself and does not wait for: `Thread.new { … }`,
# `Thread.start`, `fork do … end`, `Process.fork { … }` (autolab's course scheduler, forked from a
# controller: a new user's trial). The block runs beside the request or job that started it.
_RUBY_STARTS = {("Thread", "new"): "thread", ("Thread", "start"): "thread", ("Thread", "fork"): "thread",
                ("Process", "fork"): "forked process", ("", "fork"): "forked process"}


# The method waits for what it started (`threads.each(&:join)`, `t.value`, `Process.wait(pid)`):
# the work runs within the request or job that started it, in parallel pieces, not beside it.
_RUBY_WAITS = re.compile(r"\.(?:join|value)\b|&:(?:join|value)\b|\bProcess\.(?:wait|waitpid|wait2|waitall)\b")


def _ruby_started(p: Parsed) -> list[tuple[int, int, str]]:
    out = []
    for n in nodes_of(p, frozenset({"call"})):
        method, block = n.child_by_field_name("method"), n.child_by_field_name("block")
        receiver = n.child_by_field_name("receiver")
        what = _RUBY_STARTS.get((p.text(receiver).removeprefix("::") if receiver is not None else "",
                                 p.text(method) if method is not None else ""))
        if what is None or block is None:
            continue
        around = n.parent
        while around is not None and around.type not in ("method", "singleton_method", "program"):
            around = around.parent
        if around is not None and around.type != "program" and _RUBY_WAITS.search(p.text(around)):
            continue
        out.append(_span(block, f"{what} started by the code"))
    return out


# A Rake task that loads the application (`task name: :environment`) and writes records: a
# backfill or upkeep run by a deploy, cron or an operator while requests and jobs go on
# (otwarchive's after-deploy tasks creating pseuds for users who have none).
_RUBY_WRITES = re.compile(r"\.(?:create|update|save|destroy|delete|insert|upsert|increment|decrement|touch|toggle)"
                          r"(?:_all|_columns?|_counters|_by)?!?(?!\w)|\.find_or_create_by\b")


# The task's prerequisites name Rails's `environment` task: `task x: :environment`,
# `task x: %i[environment other]`, `task x: "environment"`, `task :x, [:arg] => [:environment]`.
_LOADS_THE_APP = re.compile(r"(?<![\w:]):environment\b|[\"']environment[\"']|%[iIwW][\[({<][^\])}>]*\benvironment\b")


def _rake_tasks(p: Parsed) -> list[tuple[int, int, str]]:
    out = []
    for n in nodes_of(p, frozenset({"call"})):
        method, args = n.child_by_field_name("method"), n.child_by_field_name("arguments")
        block = n.child_by_field_name("block")
        if method is None or p.text(method) != "task" or n.child_by_field_name("receiver") is not None \
                or block is None or args is None or not _LOADS_THE_APP.search(p.text(args)):
            continue
        if _RUBY_WRITES.search(p.text(block)) and not _demo_task(n, p):
            out.append(_span(n, "Rake task that writes records beside requests and jobs"))
    return out


# A task (or a namespace around it) named for demo or fake data fills a development database:
# no production process runs it beside requests and jobs (fat_free_crm's `ffcrm:demo:load`, apps-s).
# Not `samples`: a laboratory application's samples are its records (the red team of session 26).
_DEMO_TASK = re.compile(r"^(?:demo|demos|dummy|fake|faker)(?:_\w+)?$|^sample_data$")


def _demo_task(task, p: Parsed) -> bool:
    n = task
    while n is not None:
        if n.type == "call" and n.child_by_field_name("receiver") is None \
                and (method := n.child_by_field_name("method")) is not None and p.text(method) in ("task", "namespace"):
            args = n.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            key = first.child_by_field_name("key") if first is not None and first.type == "pair" else first
            if key is not None and _DEMO_TASK.match(p.text(key).strip(":'\"").rstrip(":")):
                return True
        n = n.parent
    return False


_RUBY_MODEL_BASES = re.compile(r"(?:^|::|<\s*)(?:ApplicationRecord|ActiveRecord::Base)\s*$")
# What a model with a Resque queue calls to put its own methods on the queue (otwarchive's
# AsyncWithResque: `async(:name)`, `async_after_commit(:name)`; Resque's `enqueue…`).
_RUBY_MODEL_ENQUEUES = frozenset({"async", "async_after_commit", "enqueue", "enqueue_in", "enqueue_at", "enqueue_to"})


def _resque_model_code(body, p: Parsed) -> list:
    """The parts of a Resque-queued model's class body that run in its worker or decide what it
    runs: every method of the class, wherever the body defines it (inside `class << self`, or
    as the argument of `private_class_method`), not those of a class nested in it; each scope
    those methods name (`stale.delete_all` deletes what `scope :stale` selects), and the scopes
    those scopes name; and each class-body statement that enqueues the model's work
    (`after_commit { async(:reindex) }`)."""
    methods, statements, stack = [], [], list(body.named_children)
    while stack:
        n = stack.pop()
        if n.type in ("method", "singleton_method"):
            methods.append(n)
        elif n.type not in ("class", "module"):
            stack.extend(n.named_children)
    scopes: dict[str, object] = {}
    for stmt in body.named_children:
        method = stmt.child_by_field_name("method") if stmt.type == "call" else None
        args = stmt.child_by_field_name("arguments") if method is not None else None
        first = args.named_children[0] if args is not None and args.named_children else None
        if method is not None and p.text(method) == "scope" and first is not None and first.type == "simple_symbol":
            scopes[p.text(first).lstrip(":")] = stmt
        elif stmt.type == "call" and any(_ruby_method_name(c, p) in _RUBY_MODEL_ENQUEUES for c in _walk(stmt)):
            statements.append(stmt)
    taken: list = []
    named = {p.text(n) for m in methods for n in _walk(m) if n.type == "identifier"}
    while True:
        more = [node for name, node in scopes.items() if name in named and node not in taken]
        if not more:
            break
        taken += more
        named |= {p.text(n) for s in more for n in _walk(s) if n.type == "identifier"}
    return methods + taken + statements


def _ruby_method_name(call, p: Parsed) -> str | None:
    method = call.child_by_field_name("method") if call.type == "call" else None
    return p.text(method) if method is not None else None


def _ruby_queue_concern(module, p: Parsed) -> bool:
    """A module whose body, or whose concern's `included do … end`, names a queue (`queue_as`,
    `sidekiq_options`…): each class including it is a job, and the module's methods run in it."""
    body = module.child_by_field_name("body")
    for stmt in body.named_children if body is not None else ():
        if stmt.type in ("call", "identifier") and _RUBY_QUEUE_DSL.match(p.text(stmt)):
            return True
        method = stmt.child_by_field_name("method") if stmt.type == "call" else None
        block = stmt.child_by_field_name("block") if method is not None and p.text(method) == "included" else None
        inner = block.child_by_field_name("body") if block is not None else None
        if inner is not None and any(s.type in ("call", "identifier") and _RUBY_QUEUE_DSL.match(p.text(s))
                                     for s in inner.named_children):
            return True
    return False


# --- JavaScript / TypeScript ------------------------------------------------------------------


_JS_NODES = frozenset({"decorator", "variable_declarator", "public_field_definition", "new_expression", "call_expression",
                       "class_declaration", "while_statement", "for_statement", "do_statement"})
# A process's or a worker thread's message handler: Node calls `process.on('message', …)` only in a
# process another forked (`child_process.fork`) and `parentPort.on('message', …)` in a worker
# thread; the parent hands it work there (Mailtrain's sender workers take campaign batches so: a
# new user's trial, session 29).
_JS_MESSAGE_CHANNELS = frozenset({"process.on", "process.once", "parentPort.on", "parentPort.once"})
# A loop with no end that waits between rounds (`while (true) { …; await new Promise(r =>
# setTimeout(r, period)) }`, `await sleep(ms)`, timers/promises' `await setTimeout(ms)`): a poll
# loop started once, which runs on beside the requests (Mailtrain's trigger and GDPR-cleanup loops).
# The timer's promise may be made first and awaited after (`const nextCycle = new Promise(…);
# await nextCycle;`): a loop that awaits and makes one waits on it.
_JS_AWAITED_WAIT = re.compile(r"\bawait\s+(?:[\w$]+\.)?(?:sleep|delay|wait|setTimeout|setTimeoutPromise)\s*[(<]"
                              r"|\bawait\s+new\s+Promise\b[^;]*?\bsetTimeout\b"
                              r"|\bnew\s+Promise\b[^;]*?\bsetTimeout\b(?=[\s\S]*?\bawait\b)")
# A class implementing an event handler's interface: its `handle` is what the application's
# event consumer runs for each message, beside the requests and the other handlers. Standard
# Notes' workers run their `…EventHandler implements DomainEventHandlerInterface` classes for
# the SQS messages they read (apps-t 86b05086); NestJS CQRS's `IEventHandler<E>` runs after the
# publishing request has gone on.
_JS_EVENT_HANDLER_INTERFACE = re.compile(r"^(?:\w*Event(?:Message)?HandlerInterface|I?\w*EventHandler)$")


def _js(p: Parsed) -> list[tuple[int, int, str]]:
    out, units = [], None
    temporal_names, temporal_modules = _temporal_imports(p)
    for module in sorted(temporal_modules):
        out += [_span(c, _JS_TEMPORAL_MODULES[module]) for c in p.root.named_children
                if c.type not in _JS_INERT_TOP and not _type_export(c)]
    what: str | None
    # Objects are read only in a file that may pair a cron schedule with a function (`_cron_task`).
    kinds = _JS_NODES | {"object"} if _CRON_HINT.search(p.source) else _JS_NODES
    for n in nodes_of(p, kinds):
        if n.type == "decorator":
            name = p.text(n).lstrip("@").split("(")[0].split(".")[-1]
            what = _JS_DECORATORS.get(name)
            if what is None and name in temporal_names:
                what = _JS_TEMPORAL_DECORATORS.get(temporal_names[name])
            if what is not None and n.parent is not None:
                target = n.parent if n.parent.type not in ("class_body",) else n.next_named_sibling
                while target is not None and target.type == "decorator":
                    target = target.next_named_sibling  # `@EventPattern(…)` above `@UseFilters(…)`: the method's
                if target is not None:
                    out.append(_span(target, what))
        elif n.type == "class_declaration":
            out += [_span(m, "event handler run by the event consumer") for m in _event_handler_methods(n, p)]
        elif n.type == "object":
            if _cron_task(n, p):
                out.append(_span(n, "scheduled task (a cron schedule and the function it runs)"))
        elif n.type in ("variable_declarator", "public_field_definition"):
            what = _handler_type(p, n)
            if what is not None:
                out.append(_span(n, what))
        elif n.type in ("while_statement", "for_statement", "do_statement"):
            if _endless(n, p) and _JS_AWAITED_WAIT.search(p.text(n)) and not runs_in_page(p):
                out.append(_span(n, "poll loop (an endless loop that waits between rounds)"))
        elif n.type in ("new_expression", "call_expression"):
            callee = js_callee(n)
            if callee is None:
                continue
            # Not in a page's or a component's module, though it imports Node's modules (an
            # Electron or React Native screen's `void refreshScreen()`: joplin, a new user's trial).
            if n.type == "call_expression" and _started_unawaited(n, callee) and server_module(p) and not runs_in_page(p):
                out.append(_span(callee, "deferred work (an async function started and not awaited)"))
                continue
            if n.type == "call_expression" and (started := _left_running(n, p)) and server_module(p) \
                    and not runs_in_page(p):
                out += [_span(u, "deferred work (an async function started and not awaited)") for u in started]
                continue
            channel = p.text(callee).replace("?.", ".").replace("!.", ".")  # `parentPort?.on(…)`, `parentPort!.on(…)`
            if channel in _JS_MESSAGE_CHANNELS:
                args = n.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                if first is not None and first.type == "string" and p.text(first).strip("'\"`") == "message":
                    what = ("message handler of a worker thread" if channel.startswith("parentPort")
                            else "message handler of a forked worker process")
                    out += _handler_spans(p, [a for a in args.named_children[1:2]
                                              if a.type in _JS_FUNCTION_VALUES or a.type == "identifier"], what)
                continue
            name = p.text(callee).split(".")[-1]
            if name in _BOTPRESS_WORKFLOW_EVENTS and callee.type == "member_expression" \
                    and _BOTPRESS.search(p.source):
                out += _handler_spans(p, _js_handler_args(n), "Botpress workflow")
                continue
            if name == "create" and temporal_names.get(p.text(callee).split(".")[0]) == "Worker":
                units = units if units is not None else index_units(p)
                out += [_span(u, "Temporal activity") for u in _registered_activities(p, n, units)]
                continue
            # `setImmediate` defers as `setTimeout` does: after the I/O callbacks already due,
            # so the next requests' work runs beside it.
            if name in ("setTimeout", "setImmediate") and callee.type == "identifier":
                out += _timer_regions(p, n)
                continue
            if name == "setInterval" and (runs_in_page(p) or command_line_program(p)):
                continue  # a page's polling runs in the browser, a command's spinner at a terminal
            if name in ("task", "schemaTask") and _TRIGGER_DEV.search(p.source) and _first_is_an_object(n):
                # trigger.dev's `task({ id, run })`, `schedules.task({ id, cron, run })`: its
                # workers run `run` for every triggered or scheduled run, retried and at once.
                out.append(_span(_first_argument(n), "trigger.dev task"))
                continue
            if name == "createFunction" and (_INNGEST.search(p.source) or "inngest" in p.text(callee).lower()):
                # Inngest's `inngest.createFunction(config, trigger, handler)`, the client often
                # imported from the project's own `./client`: run for each event or on its cron.
                # The whole call: its concurrency, retries and trigger are how it runs.
                args = n.child_by_field_name("arguments")
                out.append(_span(n, "Inngest function"))
                out += _handler_spans(p, [a for a in (args.named_children[2:3] if args is not None else [])
                                          if a.type in ("identifier", "member_expression")], "Inngest function")
                continue
            what = _JS_RUNNERS.get(name)
            if what is None or (name == "run" and "eachMessage" not in p.text(n) and "eachBatch" not in p.text(n)):
                continue
            if name in _JS_METHOD_RUNNERS and callee.type != "member_expression":
                continue  # `define(name, deps, factory)` is an AMD module, `process(x)` a local function
            if name == "schedule" and callee.type == "identifier" and not _CRON_LIBRARY.search(p.source):
                # node-cron's `schedule` called bare where the file imports it; elsewhere a function
                # of the file's own (authelia's copy button's `schedule(reset, ms)` around
                # `setTimeout`, a React component's "cron job", apps-ac daec9a37).
                continue
            if name == "define" and not (_named_first(n) and _agenda_here(p, callee)):
                # Agenda's `agenda.define("name", handler)`; CodeMirror's `LRLanguage.define({…})`,
                # `customElements.define(…)` and Sequelize's `sequelize.define(…)` define no job.
                continue
            if name == "registerTask" and not _first_is_an_object(n):
                continue  # Grunt's `grunt.registerTask("build", [...])` is a build step, not Cadence's task
            if name == "work" and b"pg-boss" not in p.source and not _PG_BOSS_RECEIVER.search(
                    p.text(callee.child_by_field_name("object") or callee)):
                continue
            args = _js_handler_args(n)
            if name in _HANDED_A_FUNCTION:
                # Kong's `kong.createConsumer({ username })`, mediasoup's `room.createConsumer({…})`
                # and an application's own `scheduleJob(name, payload)` take no function: no
                # handler runs (the red team of session 32). node-schedule's only in its importers.
                if name == "scheduleJob" and b"node-schedule" not in p.source:
                    continue
                args = [a for a in args if a.type != "object"]
            if name == "Job":
                # Only where the file declares the class: BullMQ's `new Job(queue, name, data)`
                # builds a job's record, it runs nothing. A handler imported from another module
                # has no unit here: the construction is the region, so the search finds the job
                # where the handler's name is handed on.
                if n.type == "new_expression" and _runs_what_it_is_handed(p) and any(
                        a.type in ("identifier", "member_expression", *_JS_FUNCTION_VALUES) for a in args):
                    out.append(_span(n, what))
                continue
            out += _handler_spans(p, args, what)
    return out


# A cron expression: five or six fields of digits, `*`, `/`, `,`, `-` (`'30 */2 * * *'`), or a
# macro (`@hourly`).
_CRON = re.compile(r"^['\"`](?:@(?:yearly|annually|monthly|weekly|daily|midnight|hourly)|"
                   r"(?:[\d*/,?LW#-]+\s+){4,5}[\d*/,?LW#A-Za-z-]+)['\"`]$")
_CRON_HINT = re.compile(rb"(?:schedule|cron\w*|pattern|repeat|every)['\"]?\s*:\s*['\"`](?:@|[\d*])")
_CRON_KEYS = frozenset({"schedule", "cron", "cronTime", "cronExpression", "pattern", "repeat", "every"})


def _cron_task(obj, p: Parsed) -> bool:
    """An object that pairs a cron schedule with the function it runs (Joplin Server's tasks,
    `{ id, schedule: '30 */2 * * *', run: (models) => … }`, which its task service hands to
    node-cron: a new user's trial, session 33). Its schedule and its function are the job's."""
    cron = runs = False
    for pair in obj.named_children:
        if pair.type == "method_definition":
            runs = True
            continue
        if pair.type != "pair":
            continue
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if key is None or value is None:
            continue
        if p.text(key).strip("'\"") in _CRON_KEYS and value.type in ("string", "template_string") \
                and _CRON.match(p.text(value)):
            cron = True
        elif value.type in _JS_FUNCTION_VALUES:
            runs = True
    return cron and runs


def _runs_what_it_is_handed(p: Parsed) -> bool:
    """The file's own `class Job` keeps a function its constructor is handed and calls it
    (`this.exec = exec` … `await this.exec()`): a scheduler's job. A job board's `class Job`
    (a posting built from a row) keeps values (the red team of session 33)."""
    key = "background.own-job-class"
    if key not in p.memo:
        runs = False
        for n in nodes_of(p, frozenset({"class_declaration"})):
            name = n.child_by_field_name("name")
            if name is None or p.text(name) != "Job":
                continue
            text = p.text(n)
            kept = {field for field, _ in re.findall(r"this\.(\w+)\s*=\s*(\w+)\s*;?\s*$", text, re.M)}
            runs = runs or any(re.search(rf"this\.{re.escape(field)}\s*\(", text) for field in kept)
        p.memo[key] = runs
    return p.memo[key]


def _handler_spans(p: Parsed, args, what: str) -> list[tuple[int, int, str]]:
    """The regions of the handlers among a runner's ``args``: a function or object written there,
    or the unit of the file an identifier (`sendEmail`, `this.process`) names."""
    out, units = [], None
    for arg in args:
        if arg.type in ("arrow_function", "function_expression", "function", "object"):
            out.append(_span(arg, what))
        elif arg.type in ("identifier", "member_expression"):
            units = units if units is not None else index_units(p)
            out += [_span(u, what) for u in _named(p, p.text(arg).split(".")[-1], units)]
    return out


def _started_unawaited(call, callee) -> bool:
    """An async function expression called on the spot and left to run (`(async () => { … })();`,
    `void (async () => …)()`) inside a function: WeKan's start-up schema upgrade, "deliberately
    NOT awaited", runs while the server takes requests (apps-s 491781c4). At a module's top
    level it is a script's way to await its main code, and runs before anything else."""
    inner = callee
    while inner.type == "parenthesized_expression" and inner.named_children:
        inner = inner.named_children[0]
    if inner.type not in ("arrow_function", "function_expression", "function") or not any(
            c.type == "async" for c in inner.children):
        return False
    statement = call.parent
    if statement is not None and statement.type == "unary_expression" and statement.child_by_field_name("operator") is not None:
        statement = statement.parent  # `void (async () => …)()`
    if statement is None or statement.type != "expression_statement":
        return False
    node = statement.parent
    while node is not None and node.type not in _JS_FUNCTION_VALUES and node.type not in (
            "function_declaration", "method_definition", "program"):
        node = node.parent
    return node is not None and node.type != "program"


def _left_running(call, p: Parsed) -> list:
    """The function of this file that ``call`` starts and leaves to run: a statement
    `this.reinstallMissingApps(ids).catch(log)` (also through `.then(…)` and `.finally(…)`, or
    `void this.sync()`, `void refresh()`) inside a function, whose promise only its own handlers
    keep. The caller goes on (umbrel's boot fires the reinstalls and starts the apps beside them,
    apps-y 439673e1) and the work runs beside it and the next callers. Only an `async` function of
    the file counts (of the same class, for `this.m`): a call to another module's
    (`queue.publish(…).catch(…)`) is that module's to read, and a plain function's
    promise-returning result may be its own business. Not a wrapper whose only statement it is
    (Express's `(req, res, next) => { list(req, res).catch(next) }`, a server's request
    callback): that call is the whole of what its caller does. The started units; none otherwise."""
    statement = call.parent
    if statement is not None and statement.type == "unary_expression" and p.text(statement).startswith("void"):
        statement, started = statement.parent, call
    else:
        started = _chain_root(call, p)
        if started is None:
            return []  # neither a promise chain ending in `.catch(…)`/`.finally(…)` nor `void`
    if started.type != "call_expression" or statement is None or statement.type != "expression_statement":
        return []
    function = started.child_by_field_name("function")
    if function is None or not (function.type == "identifier" or (
            function.type == "member_expression" and p.text(function).startswith("this."))):
        return []
    scope = statement.parent
    while scope is not None and scope.type not in _JS_FUNCTION_VALUES and scope.type not in (
            "function_declaration", "method_definition", "program"):
        scope = scope.parent
    if scope is None or scope.type == "program":
        return []  # a script's `main().catch(…)` is its whole run
    if _wrapper_of(scope, statement, started, p):
        return []  # the wrapper's whole work
    name = p.text(function).rpartition(".")[2]
    if function.type == "member_expression":  # `this.m`: the method of the call's own class
        home = _class_of(call)
        units = [u for u in _named(p, name) if home is not None and (c := _class_of(u)) is not None and c.id == home.id]
    else:  # a function of the module, not a method named alike
        units = [u for u in _named(p, name) if _class_of(u) is None]
    return units if units and all(_async(u) for u in units) else []


def _wrapper_of(scope, statement, started, p: Parsed) -> bool:
    """Whether ``statement`` is all its function does, handing the function's own arguments on to
    ``started`` (Express's `(req, res, next) => { list(req, res).catch(next) }`): the started call
    is that function's work, not work beside it."""
    block = statement.parent
    if block is None or block.type != "statement_block" or \
            [c for c in block.named_children if "comment" not in c.type] != [statement]:
        return False
    params = scope.child_by_field_name("parameters") or scope.child_by_field_name("parameter")
    if params is None:
        return False
    names = {p.text(n) for n in _walk(params) if n.type == "identifier"}
    args = started.child_by_field_name("arguments")
    return args is not None and any(p.text(a) in names for a in args.named_children)


def _chain_root(call, p: Parsed):
    """The call a promise chain `x(…).then(…).catch(…)` (or `.finally(…)`) starts from, for a
    chain whose last step handles its errors or its end; None for any other call."""
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression" or \
            p.text(callee).rpartition(".")[2] not in ("catch", "finally"):
        return None
    node = callee.child_by_field_name("object")
    while node is not None and node.type == "call_expression":
        inner = node.child_by_field_name("function")
        if inner is None or inner.type != "member_expression" or \
                p.text(inner).rpartition(".")[2] not in ("then", "catch", "finally"):
            return node
        node = inner.child_by_field_name("object")
    return None


def _class_of(node):
    """The class declaration (or expression) around ``node``, or None."""
    up = node.parent
    while up is not None and up.type not in ("class_declaration", "class", "abstract_class_declaration"):
        up = up.parent
    return up


def _async(unit) -> bool:
    """Whether a JS/TS function or method is declared `async` (or holds an async function value)."""
    if any(c.type == "async" for c in unit.children):
        return True
    value = unit.child_by_field_name("value")
    return value is not None and any(c.type == "async" for c in value.children)


# A poll loop's condition: none (`while (true)`, `for (;;)`), or a stop flag (`while
# (this.running)`, `while (!this.stopped)`, `while (!shuttingDown)`).
_ENDLESS = re.compile(r"^(?:true|1|!0|!?(?:this\.)?[A-Za-z_$][\w$]*)$")


def _endless(loop, p: Parsed) -> bool:
    """A loop that runs until the process stops it: no condition or a stop flag, and no way out
    but that flag (no `return` of a value: a retry loop's success), that is its function's last
    statement (a paging loop's results are used after it: the red team of session 29)."""
    condition = loop.child_by_field_name("condition")
    if loop.type == "for_statement":
        if condition is not None and p.text(condition).strip(" ;") not in ("", "true"):
            return False
    elif condition is None or not _ENDLESS.match(p.text(condition).strip("() \t\n")):
        return False
    body = loop.child_by_field_name("body")
    stack = list(body.named_children) if body is not None else []
    while stack:
        n = stack.pop()
        if n.type in _JS_FUNCTION_VALUES or n.type in ("function_declaration", "method_definition", "class_body"):
            continue  # a callback's own `return`
        if n.type == "return_statement" and n.named_children:
            return False
        stack.extend(n.named_children)
    after = loop.next_named_sibling
    while after is not None and after.type in ("comment", "empty_statement"):
        after = after.next_named_sibling
    return after is None


def _event_handler_methods(cls, p: Parsed) -> list:
    """The `handle` methods of a class that implements an event handler's interface."""
    heritage = next((c for c in cls.named_children if c.type == "class_heritage"), None)
    implements = next((c for c in heritage.named_children if c.type == "implements_clause"), None) if heritage else None
    names = [p.text(t).split("<")[0].split(".")[-1] for t in (implements.named_children if implements else ())]
    body = cls.child_by_field_name("body")
    if body is None or not any(_JS_EVENT_HANDLER_INTERFACE.match(name) for name in names):
        return []
    return [m for m in body.named_children if m.type == "method_definition"
            and p.text(m.child_by_field_name("name") or m) == "handle"]


# Job platforms whose SDK the file imports: trigger.dev's (`@trigger.dev/sdk`, `…/sdk/v3`) and
# Inngest's (`inngest`, `inngest/…`).
_TRIGGER_DEV = re.compile(rb"""['"]@trigger\.dev/sdk(?:/[\w.-]+)?['"]""")
_INNGEST = re.compile(rb"""['"]inngest(?:/[\w./-]+)?['"]""")
_AGENDA_IMPORT = re.compile(rb"""['"](?:agenda|@hokify/agenda)['"]""")


def _agenda_here(p: Parsed, callee) -> bool:
    """Whether a `….define` call is Agenda's: the file imports Agenda, or the receiver is named for it."""
    receiver = callee.child_by_field_name("object") if callee.type == "member_expression" else None
    return _AGENDA_IMPORT.search(p.source) is not None or (
        receiver is not None and "agenda" in p.text(receiver).lower())


def _first_argument(call):
    """A JS call's first argument, or None."""
    args = call.child_by_field_name("arguments")
    return args.named_children[0] if args is not None and args.named_children else None


def _first_is_an_object(call) -> bool:
    """Whether a JS call's first argument is an object literal (`registerTask({ taskName, handler })`)."""
    first = _first_argument(call)
    return first is not None and first.type == "object"


def _named_first(call) -> bool:
    """Whether a JS call's first argument is a string (a job's name)."""
    first = _first_argument(call)
    return first is not None and first.type in ("string", "template_string", "identifier", "member_expression")


# A server's periodic work on its event loop, beside the requests it serves: a function handed to
# `setInterval` (``_JS_RUNNERS``), or one that hands itself to `setTimeout` again (uptime-kuma's
# monitor loop, `setTimeout(safeBeat, interval)` inside `safeBeat`). A one-off `setTimeout` of a
# named function is a delay, not a loop; one of a function written in place that nobody waits for
# is deferred work (``_fire_and_forget``); and a page's timers (polling, debouncing, a scroll position) run in the
# browser: a module of a page framework's (React, Angular, Vue, Svelte, Solid, Preact, Lit:
# harbor's Angular portal reloads its artifact list in a `setTimeout`), and an AMD module's, which
# RequireJS loads into a page (`define('navigator', [deps], function (...) {...})` at the top of
# each of NodeBB's client files).
# An AMD module is read from its tree, not its text: a line of a template string that starts with
# `define(`, or a server's own `define` helper (declared or imported in the file, handed a name
# and an arrow function), is no RequireJS module, and its timers stay a server's.
# jQuery is a page's library too (nightscout's client: `require('jquery')` beside d3, its
# timers and lodash calls in the browser: a new user's trial, session 25).
_JS_PAGE = re.compile(rb"""(?:from\s+|require\(\s*)['"](?:react|react-dom|preact|vue|svelte|solid-js|lit|@angular/[\w-]+|jquery)['"/]""")
_AMD_FACTORIES = frozenset({"function_expression", "function", "arrow_function", "object"})


def _amd(p: Parsed) -> bool:
    """Whether the file's top level calls RequireJS's `define`: with a dependency array, or with
    a factory alone, and `define` is nowhere declared or imported in the file."""
    calls = []
    for statement in p.root.named_children:
        call = statement.named_children[0] if statement.type == "expression_statement" and statement.named_children else None
        callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        arguments = call.child_by_field_name("arguments") if call is not None and callee is not None else None
        if callee is None or arguments is None or callee.type != "identifier" or p.text(callee) != "define":
            continue
        args = [a for a in arguments.named_children if "comment" not in a.type]
        if any(a.type == "array" for a in args) or (len(args) == 1 and args[0].type in _AMD_FACTORIES):
            calls.append(call)
    if not calls:
        return False
    stack = [p.root]
    while stack:
        n = stack.pop()
        if n.type in ("identifier", "shorthand_property_identifier_pattern") and p.text(n) == "define":
            parent = n.parent
            if parent is not None and (parent.type in ("function_declaration", "variable_declarator", "import_specifier",
                                                      "object_pattern", "array_pattern", "import_clause",
                                                      "namespace_import", "formal_parameters")
                                       or n.type == "shorthand_property_identifier_pattern"):
                if parent.type != "variable_declarator" or parent.child_by_field_name("name") == n:
                    return False
        stack.extend(n.children)
    return True


# A browser library's module imports no page framework, but it calls the page's own objects
# (openreplay's recording tracker: `document.querySelectorAll(tag.selector)` in a `setInterval`,
# `new MutationObserver(…)`). A server that drives a browser or parses HTML (Playwright's or
# Puppeteer's `page.evaluate(() => document.title)`, jsdom) names the DOM too: its timers stay a
# server's.
_DOM = re.compile(rb"\bdocument\.(?:querySelector(?:All)?|getElementById|getElementsBy\w+|createElement|body|documentElement)"
                  rb"\b|\bwindow\.(?:addEventListener|requestAnimationFrame|localStorage|sessionStorage)\b"
                  rb"|\bnew\s+(?:MutationObserver|IntersectionObserver|ResizeObserver)\b")
_DRIVES_A_BROWSER = re.compile(rb"\.(?:evaluate|\$eval|\$\$eval|evaluateHandle)\s*\(|['\"](?:jsdom|happy-dom|linkedom|puppeteer"
                               rb"[\w-]*|playwright[\w-]*|@playwright/[\w-]+)['\"/]")


# A module that says it runs on the server only: Next.js's `import "server-only"` (its data
# modules import React's `cache` too) and a `"use server"` file of server actions.
_SERVER_ONLY = re.compile(rb"""(?:^|\n)\s*(?:import\s+['"]server-only['"]|['"]use server['"])""")


def runs_in_page(p: Parsed) -> bool:
    """Whether a JS/TS module runs in a browser's page: a page framework's module, an AMD module,
    or one calling the page's DOM in its code (not in a string it serves: a widget's loader) that
    drives no browser of its own; never one marked for the server only."""
    if "background.page" not in p.memo:
        p.memo["background.page"] = _SERVER_ONLY.search(p.source) is None and (
            _JS_PAGE.search(p.source) is not None or _amd(p) or _calls_the_dom(p))
    return p.memo["background.page"]


def _calls_the_dom(p: Parsed) -> bool:
    if _DOM.search(p.source) is None or _DRIVES_A_BROWSER.search(p.source) is not None:
        return False
    from ..patterns.lex import lex  # strings and comments blanked: a served snippet is text

    return _DOM.search(lex(p.source.decode("utf-8", "replace"), "c").code.encode()) is not None


def _timer_regions(p: Parsed, call) -> list[tuple[int, int, str]]:
    """What a server's `setTimeout` runs in the background: a loop (a function that sets its own
    next run, and the local functions it calls) or deferred work (``_fire_and_forget``)."""
    args = call.child_by_field_name("arguments")
    handler = args.named_children[0] if args is not None and args.named_children else None
    if handler is None or runs_in_page(p):
        return []
    if handler.type in _JS_FUNCTION_VALUES:
        rearming = _rearming_function(call, handler, p)
        if rearming is not None and not _delayed(call, p) and not _WAITS.search(p.text(rearming)):
            # `setImmediate(() => this._process_data())` inside a synchronous `_process_data`: the
            # same work continued after the I/O already due, not a loop that runs every period:
            # whoever called it runs it (Haraka's SMTP connection, on a pipelining client's data:
            # apps-ag, false flags through `process_line`). One that waits for I/O first (a
            # blocking pop, then `setImmediate(() => this._pump())`) is a drain loop that runs for
            # the life of the process (the red team of session 40).
            return []
        if rearming is not None:  # `const tick = () => { t = setTimeout(() => { …; tick(); }, ms) }`
            return [_span(n, "timer loop (a function that sets its own next run)")
                    for n in [rearming] + _local_callees(p, rearming)]
        timer = call.child_by_field_name("function")
        what = f"deferred work ({p.text(timer) if timer is not None else 'setTimeout'})"
        if _only_aborts(handler, p) or command_line_program(p):
            return []
        return [_span(handler, what)] if _fire_and_forget(call) and server_module(p) else []
    if handler.type != "identifier":
        return []
    # The function around the call that is the one handed over (a local `const safeBeat = async
    # () => {…}` is no unit of the file: it is found by walking out from the call).
    node = call.parent
    while node is not None:
        if node.type in ("variable_declarator", "function_declaration", "method_definition"):
            named = node.child_by_field_name("name")
            if named is not None and p.text(named) == p.text(handler):
                return [_span(n, "timer loop (a function that sets its own next run)")
                        for n in [node] + _local_callees(p, node)]
        node = node.parent
    return []


def _only_aborts(handler, p: Parsed) -> bool:
    """A timer callback that only aborts or cancels (`setTimeout(() => controller.abort(), 5000)`
    before `fetch(…, { signal })`): the caller's own deadline, not work beside it (the red team
    of session 32)."""
    body = handler.child_by_field_name("body")
    if body is None:
        return False
    if body.type == "statement_block":
        statements = [c for c in body.named_children if "comment" not in c.type]
        if len(statements) != 1 or statements[0].type != "expression_statement":
            return False
        body = statements[0].named_children[0] if statements[0].named_children else body
    return body.type == "call_expression" and re.search(r"\.(?:abort|cancel|destroy)\s*\(", p.text(body)) is not None \
        and p.text(body).count("(") == 1


# A program run from a terminal: a `#!/usr/bin/env node` script that serves nothing (no
# `.listen(`) and stops its own timers. Its timers (a spinner, a progress line) run for the one
# user at the terminal (the red team of session 32); Express's generated `bin/www`, which listens,
# stays a server. A script that never stops its timer, or that waits for a stop signal, is a
# daemon: `bin/worker` in a Procfile shipping orders every five seconds (the red team of session 40).
_SHEBANG = re.compile(rb"\A#![^\n]*\b(?:node|nodejs|ts-node|tsx|deno)\b")
_STOPS_ITS_TIMERS = re.compile(rb"\bclear(?:Interval|Timeout)\s*\(")
_AWAITS_A_SIGNAL = re.compile(rb"""\bprocess\s*\.\s*(?:on|once)\s*\(\s*['"]SIG(?:TERM|HUP)['"]""")


def command_line_program(p: Parsed) -> bool:
    return _SHEBANG.match(p.source) is not None and b".listen(" not in p.source \
        and _STOPS_ITS_TIMERS.search(p.source) is not None and _AWAITS_A_SIGNAL.search(p.source) is None


_WAITS = re.compile(r"\bawait\b|\.then\s*\(|^\s*(?:static\s+)?async\b|\basync\s*(?:function\b|\()")


def _delayed(call, p: Parsed) -> bool:
    """Whether a timer call waits: a `setTimeout` given a delay that is not a literal 0
    (`setImmediate` and `setTimeout(fn)` wait for nothing but the I/O already due)."""
    fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    if fn is None or p.text(fn) != "setTimeout" or args is None or len(args.named_children) < 2:
        return False
    return p.text(args.named_children[1]).strip() not in ("0", "0.0")


def _rearming_function(call, handler, p: Parsed):
    """The named function around a `setTimeout` whose callback, written in place, calls that
    function again, so it runs every period for as long as the process lives (cryptpad's repair
    of missing realtime channels, every two minutes: apps-x 069e398d, 91e862c1); else None."""
    # The nearest function with a name, through the unnamed callbacks around the call (a
    # heartbeat's `this.beat().then(() => { this.timer = setTimeout(() => this.start(), ms) })`).
    node, named = call.parent, None
    while node is not None and named is None:
        if node.type in _JS_FUNCTION_VALUES or node.type in ("function_declaration", "method_definition"):
            named = js_function_name(node)
            if named is None and node.type in ("function_declaration", "method_definition"):
                return None
            if named is not None:
                break
        node = node.parent
    if node is None or named is None:
        return None
    name = p.text(named)
    for c in _walk(handler):
        fn = c.child_by_field_name("function") if c.type == "call_expression" else None
        if fn is not None and (p.text(fn) == name or p.text(fn) == f"this.{name}"):
            return node.parent if node.parent is not None and node.parent.type == "variable_declarator" else node
    return None


def server_module(p: Parsed) -> bool:
    """Whether the module shows itself a server's (``keywords.NODE_SIGNS``): an editor plugin of
    a shared folder (outline's upload plugin) may hand work to a timer as well, in a page."""
    if "background.server" not in p.memo:
        p.memo["background.server"] = server_evident(p.source)
    return p.memo["background.server"]


def _fire_and_forget(call) -> bool:
    """A server's `setTimeout(() => {…}, ms)` whose timer nobody keeps: the work runs after the
    caller has returned (a request answered), beside the next callers (NodeBB's notification
    push, batched half a second after the request). A timer kept (`const t = setTimeout(…)`,
    to clear it: a timeout guard), returned or awaited, or set inside a `new Promise(…)` (a
    delay) is the caller's own wait."""
    if call.parent is None or call.parent.type != "expression_statement":
        return False
    # Only the Promise whose executor sets the timer makes it a delay: a handler written inside
    # another constructor's options (`new ApolloServer({ resolvers: … })`) serves requests.
    node = call.parent
    while node is not None and node.type not in _JS_FUNCTION_VALUES and node.type not in (
            "function_declaration", "method_definition", "generator_function_declaration"):
        node = node.parent
    args = node.parent if node is not None else None
    made = args.parent if args is not None and args.type == "arguments" else None
    if made is not None and made.type == "new_expression":
        constructor = made.child_by_field_name("constructor")
        return constructor is None or constructor.text.split(b".")[-1] != b"Promise"
    return True


def _local_callees(p: Parsed, function) -> list:
    """The local functions of the scope around ``function`` that it calls by name (the monitor's
    `beat`, which `safeBeat` awaits): no unit of the file, so no search would find the call."""
    scope = function.parent
    while scope is not None and scope.type not in ("statement_block", "program"):
        scope = scope.parent
    if scope is None:
        return []
    called = {p.text(c.child_by_field_name("function")) for c in _walk(function) if c.type == "call_expression"
              and (f := c.child_by_field_name("function")) is not None and f.type == "identifier"}
    out = []
    for stmt in scope.named_children:
        for d in (stmt.named_children if stmt.type in ("lexical_declaration", "variable_declaration") else [stmt]):
            named = d.child_by_field_name("name") if d.type in ("variable_declarator", "function_declaration") else None
            if named is not None and p.text(named) in called and d.id != function.id:
                out.append(d)
    return out


def _js_handler_args(call, depth: int = 2):
    """The arguments of a runner's call that may be its handler, and those of a call that wraps
    one (`new Worker(q, createWorkerHandler(async (job) => …))`, `withSentry(process)`): the
    wrapper returns a function that runs the one it is given (useSend's campaign worker)."""
    args = call.child_by_field_name("arguments")
    for arg in args.named_children if args is not None else ():
        function = arg.child_by_field_name("function") if arg.type == "call_expression" else None
        if function is not None and function.type == "member_expression" \
                and (prop := function.child_by_field_name("property")) is not None and prop.text == b"bind":
            # `this.process.bind(this)`: the bound function is the handler.
            target = function.child_by_field_name("object")
            if target is not None:
                yield target
        elif arg.type == "call_expression" and depth > 0:
            yield from _js_handler_args(arg, depth - 1)
        else:
            yield arg


def _temporal_imports(p: Parsed) -> tuple[dict[str, str], set[str]]:
    """What the module imports from Temporal: the local names bound from a package named for it
    (local name -> exported name: `import { Activity as A } from 'nestjs-temporal-core'`), and
    which of the SDK's workflow and activity modules it loads for what runs (an `import type`
    loads nothing; `require(…)` counts)."""
    if "background.temporal" in p.memo:
        return p.memo["background.temporal"]
    names: dict[str, str] = {}
    modules: set[str] = set()
    if b"temporal" in p.source:  # most files: no walk
        for child in p.root.children:
            if child.type != "import_statement":
                continue
            source = child.child_by_field_name("source")
            where = p.text(source).strip("'\"`") if source is not None else ""
            if "temporal" not in where.lower():
                continue
            type_only = any(c.type == "type" for c in child.children)
            if where in _JS_TEMPORAL_MODULES and not type_only:
                modules.add(where)
            for spec in (n for n in _walk(child) if n.type == "import_specifier"):
                name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                if name is not None and not any(c.type == "type" for c in spec.children):
                    names[p.text(alias or name)] = p.text(name)
        modules.update(m.decode() for m in _JS_REQUIRED.findall(p.source) if m.decode() in _JS_TEMPORAL_MODULES)
    p.memo["background.temporal"] = (names, modules)
    return names, modules


_JS_REQUIRED = re.compile(rb"""\brequire\s*\(\s*['"`](@temporalio/\w+)['"`]\s*\)""")


def _type_export(node) -> bool:
    """`export interface …`, `export type …`: a declaration of types only."""
    declaration = node.child_by_field_name("declaration") if node.type == "export_statement" else None
    return declaration is not None and declaration.type in _JS_INERT_TOP


def _registered_activities(p: Parsed, call, units: dict) -> list:
    """The functions of this file that `Worker.create({ activities: { charge, refund } })` hands
    to the worker as activities (an object written here; one imported from another module is
    that module's, reached from the workflows that call its functions by name)."""
    args = call.child_by_field_name("arguments")
    found = []
    for arg in args.named_children if args is not None else ():
        if arg.type != "object":
            continue
        for pair in arg.named_children:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            if key is None or p.text(key).strip("'\"") != "activities":
                continue
            value = pair.child_by_field_name("value")
            if value is None or value.type != "object":
                continue
            for entry in value.named_children:
                if entry.type == "shorthand_property_identifier":
                    found += _named(p, p.text(entry), units)
                elif entry.type == "pair" and entry.child_by_field_name("value") is not None:
                    target = entry.child_by_field_name("value")
                    if target.type in _JS_FUNCTION_VALUES:
                        found.append(target)
                    elif target.type in ("identifier", "member_expression"):
                        found += _named(p, p.text(target).split(".")[-1], units)
    return found


def _handler_type(p: Parsed, n) -> str | None:
    """`const work: JobHandler<Data> = async (data) => {...}`: what the declared type says the
    function is, when it is a job library's handler type."""
    kind, value = n.child_by_field_name("type"), n.child_by_field_name("value")
    if kind is None or value is None or value.type not in _JS_FUNCTION_VALUES:
        return None
    name = p.text(kind).lstrip(":").split("<")[0].split("[")[0].strip().split(".")[-1]
    if name in _BOTPRESS_HANDLER_TYPES and _BOTPRESS.search(p.source):
        return _BOTPRESS_HANDLER_TYPES[name]
    return _JS_HANDLER_TYPES.get(name)


# --- Go ---------------------------------------------------------------------------------------


_GO_NODES = frozenset({"go_statement", "call_expression", "for_statement", "function_declaration", "method_declaration",
                       "func_literal", "keyed_element"})
# A cache's reload, refresh, eviction or expiry callback, handed over in its options
# (`expirationcache.Options{ReloadFn: c.reloadCacheEntry}`): the cache's own goroutine runs it
# (blocky's prefetch reloads, go-cache's `OnEvicted`; apps-k 0a206718 and the red team of
# session 35), with no `go` statement in the code.
# Named as a callback: `On…` or `…Fn`/`…Func`/`…Callback` (not casdoor's `RefreshToken:` string).
_GO_CACHE_CALLBACK = re.compile(r"^On(?:Reload|Refresh|Evict(?:ed|ion)?|Expire[ds]?|Expiration|Prefetch)\w*$"
                                r"|^(?:Reload|Refresh|Evict(?:ed|ion)?|Expire[ds]?|Expiration|Prefetch)\w*(?:Fn|Func|Callback|Hook)$")


_GO_EVENT_BUS = b"github.com/asaskevich/EventBus"
_GO_BUS_SUBSCRIBE = frozenset({"Subscribe", "SubscribeAsync", "SubscribeOnce", "SubscribeOnceAsync"})


def _go(p: Parsed) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    units: list[dict] = []  # the file's units, indexed on first need

    def named(node) -> list:
        if not units:
            units.append(index_units(p))
        return _named(p, p.text(node).split(".")[-1], units[0])

    for n in nodes_of(p, _GO_NODES):
        if n.type == "go_statement":
            call = n.named_children[0] if n.named_child_count else None
            fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
            if fn is None:
                continue
            if fn.type == "func_literal":
                out.append(_span(fn, "goroutine"))
                # A function of the file the goroutine calls by its bare name (`go func() {
                # process(store, id) }()`) runs on it too, whatever its name: a common one
                # (`process`) was not followed (portainer, a new user's trial, session 33).
                for call in _walk(fn):
                    callee = call.child_by_field_name("function") if call.type == "call_expression" else None
                    if callee is not None and callee.type == "identifier":
                        out += [_span(u, "function a goroutine runs") for u in named(callee)
                                if u.type == "function_declaration"]
            else:
                out += [_span(u, "function a goroutine runs") for u in named(fn)]
                out.append(_span(n, "goroutine start"))
                out += _callbacks_of_started(n, fn, p)
        elif n.type == "call_expression":
            fn = n.child_by_field_name("function")
            name = p.text(fn).split(".")[-1] if fn is not None else ""
            what = _GO_REGISTER.get(name)
            if what == "cron job" and not _GO_CRON_LIBRARY.search(p.source):
                # homebox's own graceful runner `runner.AddFunc("seed_database", fn)` runs a function
                # once, at start-up: no schedule (a new user's trial, session 36, read "cron job").
                what = "function an application runner runs (`AddFunc`)"
            # None: any handler registers; else only one of this shape (see _GO_CONTEXT_FIRST)
            shaped = None
            if name in _GO_REGISTER_LIBRARY and _GO_REGISTER_LIBRARY[name] not in p.source:
                if any(lib in p.source for lib in _GO_HTTP_LIBRARIES):
                    what = None
                else:
                    shaped = _GO_CONTEXT_FIRST
            if what is None and fn is not None and fn.type == "selector_expression":  # a method or package call
                operand = fn.child_by_field_name("operand")
                what = _GO_RUNNERS.get(name)
                if what is None and name == "DoChan" and b"singleflight" in p.source:
                    # golang.org/x/sync/singleflight's DoChan: one run on a goroutine of its own,
                    # shared by every concurrent caller of the key; its result, error or panic is
                    # theirs (pocketbase's thumbnail generation). `Do` runs in the caller's
                    # goroutine: a request's own work, deduplicated (memos' link previews).
                    what = "function singleflight runs on its own goroutine for concurrent callers"
                if what is None and _GO_SCHEDULING_VERBS.match(name) and _GO_SCHEDULER.search(p.text(operand)):
                    what = "scheduled function"
                if what is None and _GO_CONSUMER_VERB.match(name) and (kind := _consumer_type(operand, p)):
                    what = f"handler registered on an event or job consumer (`{kind}`)"
                    out += _go_registered(n, p, what, named)
                    continue
                if what is None and re.match(r"^On(?:Evict|Expir)\w*$", name):
                    # go-cache's `c.OnEvicted(func…)`: its janitor goroutine calls it.
                    what = f"callback a cache runs on its own goroutine (`{name}`)"
                if what is None and (name in _GO_SUBMITS or name in _GO_POOL_VERBS and _GO_POOL_TYPE.search(
                        kind := _declared_type(operand, p) or _go_built_by(operand, p) or "")):
                    # A function written in place, or one of the file named (`ix.workers.Submit(ix.compact)`):
                    # `pool.Exec(ctx, query)` hands no function.
                    said = f"function submitted to a worker pool (`{name}`)" if name in _GO_SUBMITS else \
                        f"function run on a pool's executor (`{kind}.{name}`)"
                    args = n.child_by_field_name("arguments")
                    for a in args.named_children if args is not None else ():
                        if a.type == "func_literal":
                            out.append(_span(a, said))
                        elif a.type in ("identifier", "selector_expression"):
                            out += [_span(u, said) for u in named(a) if u.type in ("function_declaration", "method_declaration")]
                    continue
                if what is None and name in _GO_BUS_SUBSCRIBE and _GO_EVENT_BUS in p.source:
                    # asaskevich/EventBus: a handler runs in whichever goroutine publishes its topic
                    # (evcc's control loop, beside the API's setters), or on its own (`…Async`).
                    what = "event-bus handler"
            elif what is None and fn is not None and fn.type == "identifier" and _GO_SCHEDULING_HELPER.match(name) \
                    and (not (helpers := named(fn)) or any(_go_defers(h, p) for h in helpers)):
                # The application's own helper around its cron (ente's `schedule(c, "@every 24h", func() {…})`);
                # one of this file whose body runs the function at once (`scheduleMeeting`) does not.
                what = "scheduled function"
            if what is None:
                continue
            args = n.child_by_field_name("arguments")
            for arg in args.named_children if args is not None else ():
                if arg.type == "func_literal":
                    if shaped is None or _params_match(arg, p, shaped):
                        out.append(_span(arg, what))
                elif arg.type in ("identifier", "selector_expression"):
                    here = named(arg)
                    out += [_span(u, what) for u in here if shaped is None or _params_match(u, p, shaped)]
                    if not here and shaped is None:
                        # A function of another file (`c.AddFunc(spec, mails.SendWarnings)`): the
                        # reference is what runs it, and the search for the jobs that reach a
                        # function (rules/trees/reach.py) finds it there.
                        out.append(_span(arg, what))
                elif name in _GO_REGISTERS_METHODS and arg.type in ("unary_expression", "composite_literal"):
                    out += [_span(m, what) for m in _go_methods_of(p, _composite_type(arg, p))]
                elif arg.type == "call_expression" and name not in _GO_REGISTER:
                    # `g.Go(startWorker(ctx))`, `c.AddFunc(spec, wrap(task))`: the function
                    # literals the called function of this file returns are what runs.
                    callee = arg.child_by_field_name("function")
                    if callee is not None and callee.type in ("identifier", "selector_expression"):
                        out += [_span(lit, what) for u in named(callee) for lit in _returned_literals(u)]
        elif n.type == "for_statement" and _ticks(p, n):
            out.append(_span(n, "ticker loop"))
        elif n.type == "for_statement" and _selects_forever(n) and not _in_a_request_handler(n, p):
            # A server-sent-events handler's or a gRPC stream's loop runs on the request's goroutine.
            out.append(_span(n, "endless select loop, which runs on a goroutine of its own"))
        elif n.type == "keyed_element":
            out += _go_cache_callback(n, p, named)
        elif n.type == "func_literal":
            # A handler written in place and registered from a map or wrapped by a middleware
            # (`asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {…})`).
            params = p.text(n.child_by_field_name("parameters") or n)
            if any(kind in params for kind in _go_handler_params(p)):
                out.append(_span(n, "job handler"))
        elif n.type in ("function_declaration", "method_declaration"):
            params = p.text(n.child_by_field_name("parameters") or n)
            if _first_param_type(n, p) in _go_workflow_contexts(p):
                # Temporal's (and Cadence's) workflow functions: the worker runs them, replays
                # them after every restart, and they must stay deterministic.
                out.append(_span(n, "Temporal workflow"))
            elif any(kind in params for kind in _go_handler_params(p)):
                out.append(_span(n, "job handler"))
            elif "ctrl.Request" in params or "reconcile.Request" in params:
                # controller-runtime's `Reconcile(ctx, req)`: run by the controller's workers, up to
                # MaxConcurrentReconciles at once, and again on every requeue.
                out.append(_span(n, "reconciler run by a controller's workers"))
            elif n.type == "method_declaration" and _GO_QUEUE_TYPE.search(_receiver_type(n, p)):
                out.append(_span(n, "method of a queue type, which workers drain"))
    return out


def _go_cache_callback(element, p: Parsed, named) -> list[tuple[int, int, str]]:
    """The function a composite literal's ``_GO_CACHE_CALLBACK`` field hands to a cache: a func
    literal, or a function or method of this file named by its value."""
    key, value = (element.named_children + [None, None])[:2] if element.named_child_count >= 2 else (None, None)
    if key is None or value is None or not _GO_CACHE_CALLBACK.match(p.text(key).strip()):
        return []
    what = f"callback a cache runs on its own goroutine (`{p.text(key).strip()}`)"
    value = value.named_children[0] if value.type == "literal_element" and value.named_child_count else value
    if value.type == "func_literal":
        return [_span(value, what)]
    if value.type in ("identifier", "selector_expression"):
        return [_span(u, what) for u in named(value)]
    return []


# A callback registered on a value whose loop a goroutine runs, in the same function:
# filebrowser's upload cache (`cache.OnEviction(func(…) { … })`, then `go cache.Start()`) deletes
# abandoned uploads from the cache's own goroutine (apps-ab 9bd79c3a).
_GO_CALLBACK_HOOK = re.compile(r"^(?:On[A-Z]\w*|(?:Set|Add|Register)\w*(?:Handler|Callback|Func|Listener|Hook))$")


def _callbacks_of_started(go_statement, fn, p: Parsed) -> list[tuple[int, int, str]]:
    operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
    if operand is None:
        return []
    started = p.text(operand)
    scope = go_statement.parent
    while scope is not None and scope.type not in ("function_declaration", "method_declaration", "func_literal"):
        scope = scope.parent
    out = []
    for call in _walk(scope) if scope is not None else ():
        callee = call.child_by_field_name("function") if call.type == "call_expression" else None
        if callee is None or callee.type != "selector_expression":
            continue
        on, hook = callee.child_by_field_name("operand"), callee.child_by_field_name("field")
        if on is None or hook is None or p.text(on) != started or not _GO_CALLBACK_HOOK.match(p.text(hook)):
            continue
        args = call.child_by_field_name("arguments")
        out += [_span(a, f"callback run by the goroutine of `{started}`")
                for a in (args.named_children if args is not None else ()) if a.type == "func_literal"]
    return out


# An application's own consumer of events or jobs, handed its handlers by a registering call:
# harness's event readers (`r.RegisterMerged(service.notifyPullReqStateMerged)` on an
# `*pullreqevents.Reader`, read with a stream's concurrency and retries) and its job executor
# (`executor.Register(jobType, r)`, whose `Handle` runs the repository import, apps-s). The
# consumer is told by the declared type of what is called: a parameter of the enclosing function.
_GO_CONSUMER_VERB = re.compile(r"^(?:Register|Subscribe)\w*$")
_GO_CONSUMER_TYPE = re.compile(r"(?:Reader|Consumer|Subscriber|Listener|Executor|Dispatcher)$")
# A type of a package named for a queue is the queue's own service: answer's notification queue
# (`notificationQueueService.RegisterHandler(n.Handler)` on a `noticequeue.ExternalService`, whose
# goroutine runs every queued notification's handler one after another, apps-t dda51232).
# Not its metrics, settings or statistics (`queue.Metrics.RegisterGauge(…)`: the red team, session 27).
_GO_QUEUE_PACKAGE = re.compile(r"^\w*queues?\.(?!\w*(?:Metrics|Stats|Config|Configuration|Settings|Options|Opts|Params"
                               r"|Info|Status)$)", re.IGNORECASE)


def _consumes(written: str, p: Parsed) -> bool:
    """Whether a declared type names a consumer, its package read through the file's imports
    (`nq.ExternalService` under `import nq "…/noticequeue"`)."""
    qualifier, dot, name = written.rpartition(".")
    if dot and qualifier:
        for spec in nodes_of(p, frozenset({"import_spec"})):
            alias, path = spec.child_by_field_name("name"), spec.child_by_field_name("path")
            if alias is not None and path is not None and p.text(alias) == qualifier:
                written = p.text(path).strip('"`').rsplit("/", 1)[-1] + "." + name
                break
    return bool(_GO_CONSUMER_TYPE.search(written) or _GO_QUEUE_PACKAGE.match(written))


def _consumer_type(operand, p: Parsed) -> str | None:
    """The declared type of ``operand`` when it names a consumer, else None."""
    written = _declared_type(operand, p)
    return written if written and _consumes(written, p) else None


def _declared_type(operand, p: Parsed) -> str | None:
    """The type ``operand`` is declared with in this file, as written without `*` or type
    arguments: an identifier declared as a parameter of an enclosing function, or a struct's field
    (`s.reader`, injected by wire or fx: the red team of session 26); else None."""
    if operand is not None and operand.type == "selector_expression":
        field = operand.child_by_field_name("field")
        return _field_type(p, p.text(field)) if field is not None else None
    if operand is None or operand.type != "identifier":
        return None
    name = p.text(operand)
    n = operand.parent
    while n is not None:
        if n.type in ("func_literal", "function_declaration", "method_declaration"):
            for params in (n.child_by_field_name("parameters"), n.child_by_field_name("receiver")):
                for decl in params.named_children if params is not None else ():
                    kind = decl.child_by_field_name("type")
                    if kind is not None and any(c.type == "identifier" and p.text(c) == name for c in decl.named_children):
                        return p.text(kind).lstrip("*").split("[")[0]
        n = n.parent
    return None


# A function handed to a pool of this package's making, by the type's name (`executors
# *vmsPool`, `executors.run(func(vm *goja.Runtime) error {…})`): it runs on a pooled executor
# or worker that every concurrent caller shares in turn. pocketbase's JS hooks left a request's
# `$app` on the pooled runtime for the next caller (b419498d, apps-n). A pool of connections or
# buffers is not one that runs functions: only a function handed to it is read.
_GO_POOL_TYPE = re.compile(r"(?:[Pp]ool|WorkerGroup)$")
_GO_POOL_VERBS = frozenset({"run", "Run", "Go", "Do", "Exec", "Execute", "Invoke"})
# Submitting a function is a worker pool's verb whatever holds the pool (ants', pond's and
# workerpool's `Submit`; a pool kept in a package variable, a local or another file's struct: the
# red team of session 37).
_GO_SUBMITS = frozenset({"Submit", "TrySubmit", "SubmitWait", "SubmitErr"})


def _go_built_by(operand, p: Parsed) -> str | None:
    """The function a Go variable is built by where the file declares it (`var renderPool =
    workerpool.NewPool(4)`, `pool := NewPool(8)`): its name, or None."""
    if operand is None or operand.type != "identifier":
        return None
    if "background.go-built-by" not in p.memo:  # asked at every `Run`/`Do` call: the file read once
        built: dict[str, str] = {}
        for n in nodes_of(p, frozenset({"var_spec", "short_var_declaration"})):
            left = n.child_by_field_name("left") if n.type == "short_var_declaration" else n.child_by_field_name("name")
            right = n.child_by_field_name("right") if n.type == "short_var_declaration" else n.child_by_field_name("value")
            names = [p.text(c) for c in (left.named_children or [left])] if left is not None else []
            call = right.named_children[0] if right is not None and right.named_children else None
            callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
            if len(names) == 1 and callee is not None:
                built.setdefault(names[0], p.text(callee).rsplit(".", 1)[-1])
        p.memo["background.go-built-by"] = built
    return p.memo["background.go-built-by"].get(p.text(operand))


def _field_type(p: Parsed, name: str) -> str | None:
    """The type a struct of this file declares its field ``name`` with (`reader *events.Reader`)."""
    for decl in nodes_of(p, frozenset({"field_declaration"})):
        kind = decl.child_by_field_name("type")
        if kind is not None and any(c.type == "field_identifier" and p.text(c) == name for c in decl.named_children):
            return p.text(kind).lstrip("*").split("[")[0]
    return None


def _built_as(arg, p: Parsed, scope) -> str:
    """The type a local ``arg`` is built from in ``scope`` (`r := &JobRepository{…}`), or ""."""
    name = p.text(arg)
    for n in _walk(scope) if scope is not None else ():
        if n.type == "short_var_declaration":
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if left is not None and right is not None and [p.text(c) for c in left.named_children] == [name] \
                    and right.named_children:
                return _composite_type(right.named_children[0], p)
    return ""


def _go_registered(call, p: Parsed, what: str, named) -> list[tuple[int, int, str]]:
    """The handlers a consumer's registering call is handed: function literals, functions and
    method values (this file's, or the reference itself for another file's), and the enclosing
    method's own receiver, whose methods taking a `context.Context` first are then its handlers."""
    out = []
    args = call.child_by_field_name("arguments")
    method = call.parent
    while method is not None and method.type not in ("method_declaration", "function_declaration"):
        method = method.parent
    receiver_names = receiver_names_of(method, p) if method is not None else set()
    for arg in args.named_children if args is not None else ():
        if arg.type == "func_literal":
            out.append(_span(arg, what))
        elif arg.type == "identifier" and ((own := p.text(arg) in receiver_names) or (built := _built_as(arg, p, method))):
            # The enclosing method's receiver, or a value built here (`r := &JobRepository{…}` in
            # a wire provider): its methods taking a `context.Context` first are the handlers.
            methods = _go_methods_of(p, _receiver_type(method, p) if own else built)
            out += [_span(m, what) for m in methods if _params_match(m, p, _GO_CONTEXT_FIRST)]
            if not methods:
                out.append(_span(arg, what))  # the type is another file's: the search reaches its methods
        elif arg.type in ("identifier", "selector_expression"):
            here = [u for u in named(arg) if u.type in ("function_declaration", "method_declaration")]
            out += [_span(u, what) for u in here] or ([_span(arg, what)] if arg.type == "selector_expression" else [])
    return out


def _go_defers(helper, p: Parsed) -> bool:
    """Whether a Go helper's parameters or body hand work to later: they name a cron or scheduler
    (`c *cron.Cron`, `s.scheduler`), start a goroutine, send on a channel, or set a timer."""
    parts = [helper.child_by_field_name("parameters"), helper.child_by_field_name("body")]
    return any(part is not None and (_GO_SCHEDULER.search(p.text(part)) or "AfterFunc" in p.text(part) or any(
        n.type in ("go_statement", "send_statement") for n in _walk(part))) for part in parts)


# A type of the application named as a queue (`jobQueue`, `artworkQueueRepository`): its methods
# enqueue, dequeue, count and purge the work that workers drain at the same time, the type-level
# counterpart of a `queues/` folder (keywords.JOB_FOLDER). `Queued…` names data, not the queue;
# so does a type named for a queue's settings or one of its items (harness's `MergeQueueSetup`,
# whose `IsActive` a pull request's rule check asks, apps-s ad5c8768).
_GO_QUEUE_TYPE = re.compile(r"(?:Queue|^queue)(?!d)(?!\w*(?:Setup|Config|Configuration|Settings|Options|Opts|Params|Entry"
                            r"|Entries|Item|Items|Info|Status|Stats|State|Spec|Request|Response|Input|Output|Event"
                            r"|Error|Metrics)$)")


# The workflow packages of Temporal's and Cadence's Go SDKs.
_GO_WORKFLOW_PACKAGES = frozenset({"go.temporal.io/sdk/workflow", "go.uber.org/cadence/workflow"})


def _go_workflow_contexts(p: Parsed) -> frozenset[str]:
    """How the file writes the workflow context type: `workflow.Context`, and under the name it
    imports the SDK's workflow package by (`wf "go.temporal.io/sdk/workflow"`: `wf.Context`; a
    dot import: `Context`)."""
    if "background.go-workflow" not in p.memo:
        names = {"workflow.Context"}
        if b"/workflow" in p.source:
            for spec in nodes_of(p, frozenset({"import_spec"})):
                path, name = spec.child_by_field_name("path"), spec.child_by_field_name("name")
                if path is not None and name is not None and p.text(path).strip('"`') in _GO_WORKFLOW_PACKAGES:
                    names.add("Context" if p.text(name) == "." else f"{p.text(name)}.Context")
        p.memo["background.go-workflow"] = frozenset(names)
    return p.memo["background.go-workflow"]


def _go_handler_params(p: Parsed) -> tuple[str, ...]:
    """How the file writes a job handler's parameter type: `*asynq.Task`, `*river.Job[`,
    `*work.Job`, and the same under the name it imports the library by."""
    if "background.go-handler-params" not in p.memo:
        kinds = {f"*{name}{tail}" for path, (name, tail) in _GO_HANDLER_PACKAGES.items()
                 if path not in _GO_HANDLER_IMPORTED_ONLY or f'"{path}"'.encode() in p.source}
        if any(path.encode() in p.source for path in _GO_HANDLER_PACKAGES):
            for spec in nodes_of(p, frozenset({"import_spec"})):
                path, name = spec.child_by_field_name("path"), spec.child_by_field_name("name")
                found = _GO_HANDLER_PACKAGES.get(p.text(path).strip('"`')) if path is not None else None
                if found is not None and name is not None and p.text(name) not in ("_", "."):
                    kinds.add(f"*{p.text(name)}{found[1]}")
                elif found is not None and name is not None and p.text(name) == ".":
                    kinds.add(f"*{found[1][1:]}")
        p.memo["background.go-handler-params"] = tuple(sorted(kinds))
    return p.memo["background.go-handler-params"]


def _params_match(fn, p: Parsed, shape: re.Pattern) -> bool:
    params = fn.child_by_field_name("parameters")
    return params is not None and shape.match(p.text(params)) is not None


def _first_param_type(fn, p: Parsed) -> str:
    params = fn.child_by_field_name("parameters")
    first = next((c for c in params.named_children if c.type == "parameter_declaration"), None) if params is not None else None
    kind = first.child_by_field_name("type") if first is not None else None
    return p.text(kind) if kind is not None else ""


def _composite_type(arg, p: Parsed) -> str:
    """The type a composite literal builds (`&Activities{…}` -> `Activities`), or ""."""
    lit = arg.named_children[0] if arg.type == "unary_expression" and arg.named_child_count else arg
    kind = lit.child_by_field_name("type") if lit.type == "composite_literal" else None
    return p.text(kind).rsplit(".", 1)[-1] if kind is not None else ""


def _go_methods_of(p: Parsed, type_name: str) -> list:
    """The exported methods of the file's type ``type_name`` (what Temporal registers of it)."""
    if not type_name:
        return []
    return [m for m in nodes_of(p, frozenset({"method_declaration"}))
            if _receiver_type(m, p) == type_name and p.text(m.child_by_field_name("name") or m)[:1].isupper()]


def receiver_names_of(method, p: Parsed) -> set[str]:
    """The name a Go method gives its receiver (`d` in `func (d *ChaoXing) Login()`), as a set:
    none for a function or an unnamed receiver."""
    receiver = method.child_by_field_name("receiver") if method.type == "method_declaration" else None
    return {p.text(c) for d in (receiver.named_children if receiver is not None else ())
            for c in d.named_children if c.type == "identifier"}


def _receiver_type(method, p: Parsed) -> str:
    """The type name of a Go method's receiver (`(r *artworkQueueRepository)` -> `artworkQueueRepository`)."""
    receiver = method.child_by_field_name("receiver")
    params = [c for c in receiver.named_children if c.type == "parameter_declaration"] if receiver is not None else []
    kind = params[0].child_by_field_name("type") if params else None
    return p.text(kind).lstrip("*").split("[")[0].rsplit(".", 1)[-1] if kind is not None else ""


def _returned_literals(unit) -> list:
    """The function literals ``unit`` returns (`return func() error {…}`), not those nested in them."""
    found = []
    stack = [c for c in unit.children if c.type == "block"]
    while stack:
        n = stack.pop()
        if n.type == "func_literal":
            continue
        if n.type == "return_statement":
            found += [c for c in _walk(n) if c.type == "func_literal" and c.parent is not None
                      and c.parent.type == "expression_list" and c.parent.parent is not None and c.parent.parent.id == n.id]
            continue
        stack.extend(n.children)
    return found


# A Go function that handles one request: net/http's `(w http.ResponseWriter, r *http.Request)`,
# gin's, echo's and fiber's contexts, or a gRPC streaming method's stream (`pb.Events_SubscribeServer`).
# An API client's helper taking only a `*http.Request` sends one (the red team of session 30).
_GO_REQUEST_PARAMS = re.compile(r"http\.ResponseWriter\b.*\*http\.Request\b|\*gin\.Context\b|\becho\.Context\b"
                                r"|\*fiber\.Ctx\b|\b[A-Z]\w*_\w+Server\b|\*connect\.(?:Server|Bidi)Stream\b"
                                r"|\bgrpc\.(?:ServerStreaming|BidiStreaming|ClientStreaming)Server\b", re.S)
# What starts a server and then serves: net/http's and gRPC's, gin's `r.Run`, echo's `e.Start`,
# fiber's `app.Listen`, each in a file that imports the package.
_GO_SERVERS = ((b'"net/http"', frozenset({"ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"})),
               (b'"google.golang.org/grpc"', frozenset({"Serve"})),
               (b'"github.com/gin-gonic/gin"', frozenset({"Run", "RunTLS"})),
               (b'"github.com/labstack/echo', frozenset({"Start", "StartTLS"})),
               (b'"github.com/gofiber/fiber', frozenset({"Listen", "ListenTLS"})))


def go_request_handler(function, p: Parsed) -> bool:
    """Whether a Go function or method handles one request (``_GO_REQUEST_PARAMS``)."""
    params = function.child_by_field_name("parameters")
    return params is not None and _GO_REQUEST_PARAMS.search(p.text(params)) is not None


def go_starts_a_server(function, p: Parsed) -> bool:
    """Whether a Go function starts a web or gRPC server on its own goroutine (not on one it
    starts: a worker's `go http.ListenAndServe(":9090", promhttp.Handler())` for its metrics)."""
    key = ("background.go-serves", function.id)
    if key not in p.memo:  # asked of every Go unit a trail passes (reach.followed_name)
        p.memo[key] = _go_serves(function, p)
    return p.memo[key]


def _go_serves(function, p: Parsed) -> bool:
    names = frozenset().union(*(calls for package, calls in _GO_SERVERS if package in p.source))
    body = function.child_by_field_name("body")
    stack = [body] if names and body is not None else []
    while stack:
        n = stack.pop()
        if n.type in ("go_statement", "func_literal"):
            continue
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "selector_expression" and p.text(fn.child_by_field_name("field") or fn) in names:
                return True
        stack.extend(n.named_children)
    return False


def _in_a_request_handler(node, p: Parsed) -> bool:
    """Whether ``node`` lies in a Go function that handles one request: a declared one, or a
    function literal of that shape (registered in place, or returned by a handler factory)."""
    up = node.parent
    while up is not None:
        if up.type in ("function_declaration", "method_declaration", "func_literal") and go_request_handler(up, p):
            return True
        if up.type in ("function_declaration", "method_declaration"):
            return False
        up = up.parent
    return False


def _selects_forever(loop) -> bool:
    """Whether a `for` loop is `for { select { case v := <-ch: … } }`: with no condition it never
    returns, so it runs on a goroutine of its own, taking what other goroutines send (mailpit's
    websocket hub broadcasting to every client). Its changes are background code wherever the
    goroutine is started (another package's `go hub.Run()`)."""
    if loop.named_child_count != 1 or loop.named_children[0].type != "block":
        return False
    return any(s.type == "select_statement" and any(c.type == "communication_case" for c in s.named_children)
               for s in _statements(loop.named_children[0]))


def _statements(block) -> list:
    # tree-sitter-go 0.23 puts a block's statements in a `statement_list`; older grammars do not.
    kids = block.named_children
    return kids[0].named_children if len(kids) == 1 and kids[0].type == "statement_list" else kids


def _ticks(p: Parsed, loop) -> bool:
    """Whether a `for` loop runs on a ticker or timer: it receives from a channel `….C` (a
    `time.Ticker`'s or `time.Timer`'s) or from `time.Tick(…)`, in its header or in its body
    (not in a function literal it defines, which runs elsewhere)."""
    source = p.source[loop.start_byte:loop.end_byte]
    if b".C" not in source and b"time.Tick(" not in source:
        return False  # neither can be received from: no walk of the loop (most loops of a file)
    stack = list(loop.children)
    while stack:
        n = stack.pop()
        if n.type == "func_literal":
            continue
        channel = None
        if n.type == "unary_expression" and n.child_by_field_name("operator") is not None \
                and p.text(n.child_by_field_name("operator")) == "<-":
            channel = n.child_by_field_name("operand")
        elif n.type == "range_clause" and n.parent is not None and n.parent.id == loop.id:
            channel = n.child_by_field_name("right")
        if channel is not None:
            text = p.text(channel)
            if text.endswith(".C") or text.startswith("time.Tick("):
                return True
        stack.extend(n.children)
    return False


# --- Java / Kotlin ----------------------------------------------------------------------------


def _annotations(node, p: Parsed) -> list[str]:
    names = []
    for child in node.children:
        if child.type == "modifiers":
            for m in child.named_children:
                if "annotation" in m.type:
                    names.append(p.text(m).lstrip("@").split("(")[0].split(".")[-1].strip())
    return names


_JVM_NODES = frozenset({"method_declaration", "function_declaration", "class_declaration", "object_declaration",
                        "lambda_expression", "lambda_literal", "annotated_lambda", "method_reference",
                        "callable_reference", "object_creation_expression", "object_literal"})


def without_type_arguments(text: str) -> str:
    """Supertypes without their type arguments: `ServiceImpl<JobMapper, Job>` is no Quartz `Job`."""
    while (shorter := re.sub(r"<[^<>]*>", "", text)) != text:
        text = shorter
    return text


def _jvm_runs_as(supertypes: str, source: bytes = b"") -> str | None:
    """What a class declared with ``supertypes`` runs as (``_JVM_INTERFACES``: a thread, a Quartz
    job…), by the first of its supertypes that says so; None for none. An application's own worker
    base class says so by its name (Dependency-Track's `ActivityTaskWorker extends
    AbstractTaskWorker<ActivityTask>`, whose task loop polls and runs the durable tasks)."""
    for word in re.findall(r"[A-Za-z_]\w*", without_type_arguments(supertypes)):
        if word in _QUARTZ_ONLY and not _QUARTZ_IMPORT.search(source):
            continue  # Jenkins's `AbstractProject extends Job<P, R>` is its own model class, no Quartz job
        if word == "EventHandler" and b"com.lmax.disruptor" in source:
            return "Disruptor event handler run on its ring buffer's thread"
        if word in _JVM_INTERFACES:
            return _JVM_INTERFACES[word]
        if word in _SPRING_BATCH and b"org.springframework.batch" in source:
            return _SPRING_BATCH[word]
        if _JVM_WORKER_BASE.search(word):
            return f"worker (a `{word}`)"
        if _JVM_DAEMON_BASE.search(word):
            return f"daemon whose loops run on worker threads (a `{word}`)"
        if _JVM_MESSAGE_PROCESSOR.search(word):
            return f"message processor run by an actor or consumer (a `{word}`)"
        if _JVM_EVENT_HANDLER_BASE.search(word) and not _UI_TOOLKIT.search(source):
            return f"{_SUBSCRIBED} (a `{word}`)"
        # Android's WorkManager: `extends Worker` from `androidx.work`, whose requests the
        # device keeps across an update of the application and runs with the new code. A
        # `Worker` of no such import could be anything.
        if word == "Worker" and b"androidx.work" in source:
            return "WorkManager worker"
    return None


# Spring Batch's step parts: its job launcher runs a step's tasklet, or its reader, processor and
# writer chunk by chunk (on a task executor's threads when the step is multi-threaded, one step per
# partition when partitioned), and calls the listeners around them (fineract's close-of-business
# job, whose partitioner and listeners were "Nothing flagged": a new user's trial, session 39).
# The names are common words: they count in a file that imports Spring Batch.
_SPRING_BATCH = {name: f"Spring Batch {what}" for names, what in (
    (("Tasklet",), "tasklet run by a job's step"),
    (("ItemReader", "ItemStreamReader", "ItemProcessor", "ItemWriter", "ItemStreamWriter", "ItemStream"),
     "chunk step's reader, processor or writer"),
    (("Partitioner",), "partitioner (each partition runs as a step of its own)"),
    (("StepExecutionListener", "JobExecutionListener", "ChunkListener", "ItemReadListener", "ItemProcessListener",
      "ItemWriteListener", "SkipListener", "StepExecutionListenerSupport", "JobExecutionListenerSupport"),
     "listener called around a job's steps"),
) for name in names}


_SPRING_BATCH_BEAN = re.compile(r"^(?:Job|Step|Flow|Partitioner|Tasklet|PartitionHandler|TaskExecutor|\w*Listener)\b")


def _declared_result(method, p: Parsed) -> str:
    """A Java method's result type, or a Kotlin function's, as written (`Step`, `Job`)."""
    kind = method.child_by_field_name("type")
    if kind is None and p.language == "kotlin":
        kind = next((c for c in method.children if c.type in ("user_type", "nullable_type")), None)
    return p.text(kind) if kind is not None else ""


# Quartz's interfaces are named for any job: they count in a file that imports Quartz (a
# wildcard or the full name included). Jenkins's projects extend its own `hudson.model.Job`,
# which made every method of them a Quartz job's (apps-u 7974eb7c).
_QUARTZ_ONLY = frozenset({"Job", "InterruptableJob", "StatefulJob"})
# The import (or the written-out name) of one of them, or the package whole: a file that imports only
# Quartz's `CronExpression` beside its own `Job` model is no Quartz job (the red team of session 28).
_QUARTZ_IMPORT = re.compile(rb"\borg\.quartz\.(?:\*|Job\b|InterruptableJob\b|StatefulJob\b)")
# A UI toolkit's handlers run on its event thread when a button is pressed: a JavaFX
# `SaveHandler extends ActionEventHandler` is no background event handler (the red team of session 28).
_UI_TOOLKIT = re.compile(rb"\bimport\s+(?:static\s+)?(?:javafx|java\.awt|javax\.swing|android|org\.eclipse\.swt)\.")
_JVM_WORKER_BASE = re.compile(r"[a-z]Worker$")
# An application's daemon base class: InLong's agent runs each `ManagerFetcher extends
# AbstractDaemon` loop (fetching tasks from the manager, submitting them) on the daemon's shared
# worker pool (apps-v 0d31fbeb).
_JVM_DAEMON_BASE = re.compile(r"[a-z]Daemon$")
# A base class of an application's message processors: ThingsBoard's actors hand each message to
# a `…MsgProcessor` (`CalculatedFieldEntityMessageProcessor extends
# AbstractContextAwareMsgProcessor`), run on the actor system's dispatcher threads (apps-d afd727b0).
_JVM_MESSAGE_PROCESSOR = re.compile(r"[a-z](?:Msg|Message)Processor$")
# An application's base class of event handlers: spring-boot-admin's `StatusUpdateTrigger extends
# AbstractEventHandler<InstanceEvent>` handles the event stream on a scheduler thread of its own and
# starts the periodic status poll (apps-u 72fe299f). JavaFX's `EventHandler<ActionEvent>`, a UI
# callback, has no prefix; the JS/TS reading is `_JS_EVENT_HANDLER_INTERFACE`.
_JVM_EVENT_HANDLER_BASE = re.compile(r"[a-z]EventHandler$")


def _interface_entries(n, p: Parsed) -> list:
    """The methods by which a subscription runs a class that *implements* an event-handler
    interface beside its other roles: the ones it overrides. Jitsi's `Conference implements
    …EndpointMessageTransportEventHandler` is a conference first; its constructor and its
    hundred other methods run on requests, and only the interface's methods (and what they call,
    which the reach follows) run for the subscription (apps-y, five false flags). A class that
    *extends* a handler base (`StatusUpdateTrigger extends AbstractEventHandler`) is a handler
    whole. Empty when the handler is the superclass, or when no method says it overrides."""
    if p.language == "kotlin":
        # `: AbstractEventHandler<E>()` calls a superclass's constructor; an interface has none
        handler = [c for c in n.named_children if c.type.startswith("delegation_specifier")
                   and _JVM_EVENT_HANDLER_BASE.search(re.sub(r"<.*", "", p.text(c), flags=re.S).rstrip("() ").rpartition(".")[2])]
        if not handler or any(p.text(c).rstrip().endswith(")") for c in handler):
            return []
    else:
        superclass = n.child_by_field_name("superclass")
        if superclass is not None and _JVM_EVENT_HANDLER_BASE.search(without_type_arguments(p.text(superclass))):
            return []
    body = n.child_by_field_name("body") or next((c for c in n.children if c.type == "class_body"), None)
    if body is None:
        return []
    return [m for m in body.named_children if m.type in ("method_declaration", "function_declaration")
            and _overrides(m, p) and node_name(m, p).split("(")[0] not in _OBJECT_METHODS]


# What every class may override for itself, no handler interface's: a `toString()` for the logs
# (the red team of session 32).
_OBJECT_METHODS = frozenset({"toString", "equals", "hashCode", "compareTo", "clone", "finalize"})


def _overrides(method, p: Parsed) -> bool:
    """Whether a Java or Kotlin method says it overrides: `@Override`, or Kotlin's `override`."""
    mods = modifiers(method)
    return "Override" in _annotations(method, p) or (mods is not None and "override" in p.text(mods).split())


# What `_jvm_runs_as` says of an event handler, whose entries `_interface_entries` may narrow.
_SUBSCRIBED = "event handler run by its subscription"


def _jvm_supertypes(n, p: Parsed) -> str:
    """The supertypes a Java or Kotlin class, object or anonymous class is declared with, as text."""
    if p.language == "kotlin":  # this grammar nests them in `delegation_specifiers`
        return " ".join(p.text(c) for c in n.named_children if c.type.startswith("delegation_specifier"))
    if n.type == "object_creation_expression":  # `new TimerTask() { … }`
        named = n.child_by_field_name("type")
        return p.text(named) if named is not None else ""
    # Both: `DefaultPublisher extends Thread implements EventPublisher` is a thread.
    return " ".join(p.text(c) for c in (n.child_by_field_name("superclass"), n.child_by_field_name("interfaces"))
                    if c is not None)


# Job schedulers whose worker calls a method by the context it hands over: PowerJob's processors
# (`process(TaskContext)`, its official processors' `process0`) and ElasticJob's jobs
# (`execute(ShardingContext)`), counted only in a file that imports the library.
_JVM_CONTEXTS = ((b"tech.powerjob.worker", "TaskContext", "PowerJob processor"),
                 (b"elasticjob", "ShardingContext", "ElasticJob job"))


def _jvm(p: Parsed) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    on_main: list[tuple[int, int]] = []  # Kotlin coroutines run on Android's main thread
    elsewhere: list[tuple[int, int, str]] = []  # and the blocks they send to another dispatcher
    contexts = [(name, what) for package, name, what in _JVM_CONTEXTS if package in p.source]
    for n in nodes_of(p, _JVM_NODES):
        if n.type in ("method_declaration", "function_declaration", "class_declaration", "object_declaration"):
            hit = [a for a in _annotations(n, p) if a in _JVM_ANNOTATIONS]
            if hit:
                out.append(_span(n, f"@{hit[0]} {'method' if 'class' not in n.type else 'class'}"))
                if "class" not in n.type and (header := _class_header(n)) is not None:
                    out.append(header + (f"{CLASS_HEADER} @{hit[0]} method",))
            elif n.type in ("method_declaration", "function_declaration") and b"org.springframework.batch" in p.source \
                    and "Bean" in _annotations(n, p) and _SPRING_BATCH_BEAN.search(_declared_result(n, p)):
                # A `@Bean` that builds a job, a step or a flow of Spring Batch: how its parts run
                # (scope, partitions, listeners, task executor, chunk size) is set here.
                out.append(_span(n, "Spring Batch job or step definition"))
            elif contexts and n.type in ("method_declaration", "function_declaration"):
                params = n.child_by_field_name("parameters") or next(
                    (c for c in n.children if c.type == "function_value_parameters"), None)
                kinds = re.findall(r"[A-Za-z_]\w*", p.text(params)) if params is not None else []
                what = next((what for name, what in contexts if name in kinds), None)
                has_body = n.child_by_field_name("body") is not None or any(c.type == "function_body" for c in n.children)
                if what is not None and has_body:  # not an interface's abstract declaration
                    out.append(_span(n, what))
            if n.type in ("class_declaration", "object_declaration"):
                text = _jvm_supertypes(n, p)
                what = _jvm_runs_as(text, p.source)
                if what is None and n.type == "class_declaration":
                    what = _temporal_implementation(p, re.findall(r"[A-Za-z_]\w*", text))
                if what and what.startswith(_SUBSCRIBED) and (entries := _interface_entries(n, p)):
                    out += [_span(m, what) for m in entries]
                elif what:
                    out.append(_span(n, what))
        elif n.type in ("object_creation_expression", "object_literal") and any(c.type == "class_body" for c in n.children):
            # An anonymous class is one too: `timer.schedule(new TimerTask() { public void run() … })`,
            # `new Thread() { … }.start()`, Kotlin's `object : TimerTask() { … }`.
            what = _jvm_runs_as(_jvm_supertypes(n, p), p.source)
            if what is not None and not _posted_to_the_main_thread(n, p):
                out.append(_span(n, what))
        elif n.type in ("lambda_expression", "lambda_literal", "annotated_lambda"):
            call = _lambda_call(n)
            if call is None:
                if _handed_on_task(n, p):
                    out.append(_span(n, "Runnable handed to an executor or thread"))
                elif _kotlin_lambda_handed_to_a_runner(n, p):
                    out.append(_span(n, "task run by an executor, thread or scheduler"))
                continue
            if p.language == "kotlin" and _handed_on_task(n, p):  # `val r = Runnable { … }` handed on
                out.append(_span(n, "Runnable handed to an executor or thread"))
                continue
            head = _call_head(call, n, p)
            runs = _runs_tasks(call, head, p)
            if runs and _on_the_main_thread(n, head, p):
                on_main.append((n.start_point[0], n.end_point[0]))
            elif p.language == "kotlin" and _OTHER_DISPATCHER.search(head.rpartition("{")[2]):
                elsewhere.append(_span(n, "block run on another dispatcher's threads"))
            elif runs and p.language == "kotlin" and _cancels_and_replaces(n, p):
                out.append(_span(n, "coroutine that each call cancels and replaces"))
            elif runs:
                out.append(_span(n, "task run by an executor or thread"))
            elif _CONTINUES.search(head):
                out.append(_span(n, "continuation run when a future completes"))
        elif n.type == "method_reference" and n.parent is not None and n.parent.type == "variable_declarator" \
                and p.text(n).split("::")[0].strip() in ("this", "") and _handed_on_task(n, p):
            # `Runnable r = this::work;` handed to a pool: the method of this file it names runs there.
            named = p.text(n).rsplit("::", 1)[-1].strip()
            out += [_span(u, "Runnable handed to an executor or thread") for u in _named(p, named)]
        elif n.type in ("method_reference", "callable_reference") and n.parent is not None \
                and n.parent.type in ("argument_list", "value_arguments", "value_argument"):
            # `executor.scheduleAtFixedRate(this::clean, …)`: the method of this file it names runs there.
            call = n.parent
            while call is not None and call.type not in ("method_invocation", "call_expression", "object_creation_expression",
                                                         "block", "class_body"):
                call = call.parent  # `new UpdatableTimerTask(this::collect, period)` too
            if call is None or call.type in ("block", "class_body") or not _RUNS_TASKS.search(p.text(call)[:200]):
                continue
            named = p.text(n).rsplit("::", 1)[-1].strip()
            if p.text(n).split("::")[0].strip() in ("this", ""):
                out += [_span(u, "task run by an executor or thread") for u in _named(p, named)]
    out += _flows_launched(p)
    if not on_main:
        return out
    # `viewModelScope.launch { withContext(Dispatchers.IO) { … } }`: the main thread's coroutine
    # hands the block to the IO pool (the red team of session 34).
    return _without(out, on_main) + [s for s in elsewhere if any(a <= s[0] and s[1] <= b for a, b in on_main)]


# Android runs a Runnable posted to the main thread's looper on that thread, not on another one:
# jellyfin's `new Handler().postDelayed(new Runnable() { … }, 1500)` re-read a screen's rows
# (apps-ab b110c611). Only a Handler made there (`new Handler()`, on a screen's thread, or one of
# `Looper.getMainLooper()`), one named for the main thread, or `runOnUiThread`: a Handler of a
# HandlerThread's looper runs its Runnables in the background.
_POSTS = re.compile(r"\.(?:post|postDelayed|postAtTime|postAtFrontOfQueue)\s*\($")
_MAIN_HANDLER = re.compile(r"(?:(?<![.\w])Handler\s*\(\s*Looper\.getMainLooper\(\)\s*"
                           r"|\bnew\s+Handler\s*\(\s*Looper\.getMainLooper\(\)\s*)\)"
                           r"|(?<![\w])m?_?(?:main|ui)(?:thread)?_?handler", re.I)
# `new Handler()` takes the looper of the thread that makes it: the main one in a screen's code,
# a HandlerThread's in its own (the red team of session 35).
_CURRENT_LOOPER_HANDLER = re.compile(r"\bnew\s+Handler\s*\(\s*\)")
_SCREEN_TYPES = re.compile(r"\b\w*(?:Activity|Fragment|View|Dialog|Adapter|Presenter|Screen)\b")
# A View's own `post` runs its Runnable on the main thread whatever code calls it: thunderbird's
# ItemTouchHelper posted a swipe's clean-up to `mRecyclerView` (a new user's trial, session 38).
# Known by the receiver's name, as Android names views (`mRecyclerView`, `binding.root`, `itemView`).
_VIEW_RECEIVER = re.compile(r"(?:^|\.)(?:m_?|_)?(?:\w*(?:View|Layout|Button|Toolbar|Pager)|view|itemView|rootView|"
                            r"decorView|root)$")


def _posted_to_the_main_thread(creation, p: Parsed) -> bool:
    """Whether an anonymous Runnable is handed straight to Android's main thread."""
    args = creation.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    if call is None or call.type != "method_invocation":
        return False
    head = p.source[call.start_byte:args.start_byte + 1].decode("utf-8", "replace")
    if re.search(r"(?:^|\.)runOnUiThread\s*\($", head):
        return True
    receiver = call.child_by_field_name("object")
    if _POSTS.search(head) is None or receiver is None:
        return False
    if _CURRENT_LOOPER_HANDLER.fullmatch(p.text(receiver)):
        owner = call.parent
        while owner is not None and owner.type not in ("class_declaration", "object_creation_expression"):
            owner = owner.parent
        supertypes = _jvm_supertypes(owner, p) if owner is not None and owner.type == "class_declaration" else ""
        return _SCREEN_TYPES.search(supertypes) is not None and "Thread" not in supertypes
    return _MAIN_HANDLER.fullmatch(p.text(receiver)) is not None or _VIEW_RECEIVER.search(p.text(receiver)) is not None


def _without(spans: list[tuple[int, int, str]], holes: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """``spans`` with the rows of ``holes`` strictly inside them cut out: a coroutine a task on
    another thread hands back to the main thread (`launch(Dispatchers.IO) { … launch(Main) {
    showSnackbar() } }`) runs its UI calls there, not in the task."""
    for first, last in holes:
        cut = []
        for a, b, what in spans:
            if a < first and last <= b:
                cut += [piece for piece in ((a, first - 1, what), (last + 1, b, what)) if piece[0] <= piece[1]]
            else:
                cut.append((a, b, what))
        spans = cut
    return spans


def _handed_on_task(lambda_node, p: Parsed) -> bool:
    """A JVM lambda or method reference kept in a variable declared `Runnable` or `Callable` that
    the code then hands to a call (hertzbeat's alarm calculation: `Runnable runnable = () -> { … }`
    started three times with `workerPool.executeJob(runnable)`): a task for another thread,
    whatever the pool's method is named. Also a field (`private final Runnable task = …`, handed
    on from any method of its class, before or after it) and Kotlin's `val r = Runnable { … }`.
    A variable only `run()` here, logged or compared is not handed on."""
    if p.language == "kotlin":
        # lambda_literal < annotated_lambda < call_expression `Runnable { … }` < property_declaration
        call = lambda_node.parent.parent if lambda_node.type == "lambda_literal" and lambda_node.parent is not None else None
        declaration = call.parent if call is not None and call.type == "call_expression" else None
        callee = call.named_children[0] if call is not None and call.named_children else None
        if declaration is None or declaration.type != "property_declaration" or callee is None \
                or p.text(callee).rpartition(".")[2] not in ("Runnable", "Callable"):
            return False
        variable = next((c for c in declaration.named_children if c.type == "variable_declaration"), None)
        named = next((c for c in variable.named_children if c.type in ("identifier", "simple_identifier")), None) \
            if variable is not None else None
        return named is not None and _handed_on(p, p.text(named), declaration)
    declarator = lambda_node.parent
    if p.language != "java" or declarator is None or declarator.type != "variable_declarator":
        return False
    declaration = declarator.parent
    kind = declaration.child_by_field_name("type") if declaration is not None else None
    named = declarator.child_by_field_name("name")
    if kind is None or named is None or re.sub(r"<.*", "", p.text(kind), flags=re.S).rpartition(".")[2] not in ("Runnable", "Callable"):
        return False
    return _handed_on(p, p.text(named), declaration)


# A call that only records or compares what it is given: a task logged or compared is not run.
_ONLY_LOOKS = re.compile(r"(?:\b(?:log|logger|LOG|LOGGER|Log|Logger)\s*\.\s*\w+"
                         r"|(?:^|[.\s])(?:equals|hashCode|requireNonNull|print|println|printf|format|valueOf|toString"
                         r"|assert\w*))\s*$")


def _lambda_call(lambda_node):
    """The call a JVM lambda is an argument of; None for one kept in a variable or a field."""
    call = lambda_node.parent.parent if lambda_node.parent is not None else None
    while call is not None and call.type not in ("method_invocation", "object_creation_expression",
                                                 "call_expression", "block", "class_body"):
        call = call.parent
    return None if call is None or call.type in ("block", "class_body") else call


def _call_head(call, lambda_node, p: Parsed) -> str:
    """What ``call`` says before ``lambda_node`` (`executor.submit(`, `x.thenApply(`), not what
    the lambda's own body calls: Javalin's `ctx.future { future { … }.thenApply { … } }` is a
    request's handler, not a continuation (a new user's trial, session 30)."""
    return p.source[call.start_byte:min(lambda_node.start_byte, call.start_byte + _HEAD_BYTES)].decode("utf-8", "replace")


_HEAD_BYTES = 200


def _runs_tasks(call, head: str, p: Parsed) -> bool:
    """Whether ``call``, whose text before its lambda is ``head``, runs tasks: read from the
    method's own name on, not its receiver's chain (thunderbird's settings screen observed
    `jobManager.scheduleDebugLogLimit(uri).observe(this, Observer { … })` on the main thread: a
    trial of session 38 read `schedule…` as the call's)."""
    name = call.child_by_field_name("name") if call.type == "method_invocation" else None
    if call.type == "call_expression" and call.named_children and call.named_children[0].type == "navigation_expression":
        name = call.named_children[0].named_children[-1]
        if name.type == "navigation_suffix":  # the grammar's older shape: `.` and the name in a suffix
            name = name.named_children[-1] if name.named_children else None
    if name is not None and 0 <= name.start_byte - call.start_byte:
        receiver = p.source[call.start_byte:name.start_byte].decode("utf-8", "replace")
        # A runner in the chain that was handed a block makes this call its continuation, run on
        # the runner's thread: `scope.launch(IO) { … }.invokeOnCompletion { … }` (the red team of
        # session 38); a runner's result read on this thread is not one (`scheduleX(uri).observe`).
        # Only a runner called there: `scheduleModel.change(…).ifPresent(p -> …)` names no runner
        # (a new user's trial, session 39: a loan's repayment periods read as an executor's task).
        runner = next((m for m in _RUNS_TASKS.finditer(receiver)
                       if m.group(0)[-1:] in "({" or receiver[m.end():].lstrip()[:1] in ("(", "{")), None)
        if runner is not None and re.search(r"\{|->", receiver[runner.end():]):
            return True
        if p.text(name) == "execute" and _RUNS_IN_PLACE.search(receiver):
            return False
        # From the call's own name on; a receiver chain longer than the head (`_call_head` stops at
        # 200 bytes) leaves the name alone (fineract's long `scheduleModel` chain, session 39). A
        # head that ends before the name at the lambda is the lambda's own call's receiver
        # (`suspend { … }.execute { … }`): read as it is.
        end = call.start_byte + len(head.encode())
        if name.start_byte < end:
            head = p.source[name.start_byte:end].decode("utf-8", "replace")
        elif len(head.encode()) >= _HEAD_BYTES:
            head = p.text(name) + "("
    return _RUNS_TASKS.search(head) is not None


# Spring's templates run the callback handed to `execute` on the calling thread, in a transaction
# or around a connection: `transactionTemplate.execute(status -> …)` (fineract's batch API, a new
# user's trial, session 39), `jdbcTemplate.execute(…)`, `retryTemplate.execute(…)`.
_RUNS_IN_PLACE = re.compile(r"(?i)template\s*(?:\(\s*[^()]*\))?\s*\.\s*$")


def _run_by_a_runner(node, p: Parsed) -> bool:
    """Whether ``node`` lies in a lambda handed to a call that runs tasks (`fixedRateTimer(…) {
    task() }`, `scope.launch { … }`) or in an anonymous task object (`object : TimerTask() {…}`)."""
    up = node.parent
    while up is not None and up.type not in ("class_declaration", "object_declaration"):
        if up.type in ("lambda_literal", "lambda_expression") and (call := _lambda_call(up)) is not None \
                and _runs_tasks(call, head := _call_head(call, up, p), p) and not _on_the_main_thread(up, head, p):
            return True
        if up.type in ("object_literal", "object_creation_expression") and any(c.type == "class_body" for c in up.children) \
                and _jvm_runs_as(_jvm_supertypes(up, p), p.source) is not None:
            return True  # `object : TimerTask() { override fun run() { task() } }`
        up = up.parent
    return False


# A Kotlin flow collected with `.launchIn(scope)` is a coroutine of that scope, and the whole
# chain is its work: element's decryption-failure tracker swept its pending failures from
# `tickerFlow(scope, CHECK_INTERVAL).onEach { checkFailures() }.launchIn(scope)`, whose period went
# from 2 to 40 seconds in a constant (apps-ad bc5c31d8). On a main scope it is the screen's.
# `stateIn(scope, …)` and `shareIn(scope, …)` start the same collecting coroutine on their scope.
# Still background on a main scope: a service's own flows (as its coroutines), and a chain that
# moves its upstream to another dispatcher (`.flowOn(Dispatchers.IO)`); the main thread's: a
# property set to `MainScope()`, and `launchIn(this)` in a composable's `LaunchedEffect` (the red
# team of session 37).
_CALLS = frozenset({"call_expression"})
_FLOW_STARTS = frozenset({"launchIn", "stateIn", "shareIn"})
_FLOW_ON_ANOTHER = re.compile(r"\.\s*flowOn\s*\(\s*(?!(?:Dispatchers\s*\.\s*)?Main\b)[^)\s]")
_COMPOSITION_EFFECTS = re.compile(r"^\s*(?:LaunchedEffect|produceState|LifecycleResumeEffect|LifecycleStartEffect)\b")


def _flows_launched(p: Parsed) -> list[tuple[int, int, str]]:
    if p.language != "kotlin" or not any(f".{start}".encode() in p.source for start in _FLOW_STARTS):
        return []
    out = []
    for n in nodes_of(p, _CALLS):
        callee, arguments = n.named_children[0] if n.named_children else None, n.named_children[-1:]
        if callee is None or callee.type != "navigation_expression" or not arguments \
                or (start := p.text(callee.named_children[-1])) not in _FLOW_STARTS or not arguments[0].named_children:
            continue
        scope = p.text(arguments[0].named_children[0]).strip()
        if _FLOW_ON_ANOTHER.search(p.text(callee)) or _in_a_service(n, p) or not _main_flow_scope(n, scope, p):
            out.append(_span(n, f"flow collected on a coroutine scope ({start})"))
    return out


def _main_flow_scope(call, scope: str, p: Parsed) -> bool:
    head = f"{scope}.launch {{"
    if _MAIN_SCOPE.search(head) or _main_scope_helper(head, p) or _composition_scope(head, p):
        return True
    if re.fullmatch(r"\w+", scope) and _every_declaration_is(p, scope, r"MainScope\s*\(\s*\)"):
        return True
    if scope != "this":
        return False
    up = call.parent  # `launchIn(this)`: the scope of the lambda around it
    while up is not None and up.type not in ("lambda_literal", "class_declaration", "function_declaration"):
        up = up.parent
    outer = _lambda_call(up) if up is not None and up.type == "lambda_literal" else None
    return outer is not None and _COMPOSITION_EFFECTS.match(_call_head(outer, up, p)) is not None


def _in_a_service(node, p: Parsed) -> bool:
    """Whether ``node`` lies in a class or object whose supertypes name a service."""
    up = node.parent
    while up is not None and up.type not in ("class_declaration", "object_declaration"):
        up = up.parent
    return up is not None and _SERVICE_CLASS.search(_jvm_supertypes(up, p)) is not None


# Android runs a coroutine of `lifecycleScope`, `viewModelScope` or `MainScope()` on the main
# (UI) thread unless a dispatcher is named, and `launch(Dispatchers.Main)` names that thread: a
# UI's coroutine, one at a time with the rest of the UI, not a task for another thread. Every
# screen change reached from one was "background code" (owncloud's snackbars, davx5's view
# models: apps-aa, four false flags). `launch(Dispatchers.IO) { … }` still is one.
_MAIN_DISPATCHER = re.compile(r"\b(?:launch|async|launchWhen\w+)\s*\(\s*(?:Dispatchers\s*\.\s*)?Main(?:\s*\.\s*immediate)?\s*\)\s*\{?\s*$")
# `lifecycle.coroutineScope` is `lifecycleScope` spelled out (Tusky's filters screen, a new
# user's trial, session 35).
_MAIN_SCOPE = re.compile(r"\b(?:lifecycleScope|viewModelScope|MainScope\s*\(\s*\)|[lL]ifecycle\s*\.\s*coroutineScope)"
                         r"\s*\.\s*(?:launch|async|launchWhen\w+)\s*(?:\(\s*\))?\s*\{?\s*$")
# `launch { … }` with no receiver and no dispatcher runs where the coroutine around it runs.
_BARE_LAUNCH = re.compile(r"^\s*(?:launch|async)\s*(?:\(\s*\))?\s*\{?\s*$")


# `withContext(Dispatchers.IO) { … }`, `withContext(io)`: a block run on a dispatcher other than Main.
_OTHER_DISPATCHER = re.compile(r"\bwithContext\s*\(\s*(?!(?:Dispatchers\s*\.\s*)?Main\b)[^)\s]")
# A service's own coroutines are its background work even on the main thread (a LifecycleService's
# upload loop), and so is a loop that waits between rounds (the red team of session 34).
_SERVICE_CLASS = re.compile(r"\w*Service\b")
_POLLS = re.compile(r"\b(?:while|for)\s*\(|\brepeat\s*\(")


def _on_the_main_thread(lambda_node, head: str, p: Parsed) -> bool:
    """Whether a Kotlin coroutine's lambda runs on Android's main thread (``_MAIN_SCOPE``) as a
    screen's work: not in a service, and not a loop that waits between rounds."""
    if p.language != "kotlin" or not _main_by_its_call(lambda_node, head, p):
        return False
    body = p.text(lambda_node)
    if _POLLS.search(body) and "delay(" in body:
        return False
    if _cancels_and_replaces(lambda_node, p):
        return False
    return not _in_a_service(lambda_node, p)


# `searchJob?.cancel(); searchJob = viewModelScope.launch { delay(…); _state.value = … }`: each
# call cancels the run before and starts another, so which run writes last is decided by where a
# cancellation lands, not by the order of the calls: one that passed its last suspension point
# still writes (pocket-casts' TV search, apps-ag 89cb3c60, "Nothing flagged" as a screen's work).
_KEPT_JOB = re.compile(r"^\s*(?:this\s*\.\s*)?(\w+)\s*=\s*[\w.()]*?\b(?:launch|async)\b")


def _cancels_and_replaces(lambda_node, p: Parsed) -> bool:
    """Whether a Kotlin coroutine is launched into a variable that its function cancels first."""
    kept = _KEPT_JOB.match(p.line(lambda_node.start_point[0]).decode("utf-8", "replace"))
    if kept is None:
        return False
    up = lambda_node.parent
    while up is not None and up.type != "function_declaration":
        up = up.parent
    if up is None:
        return False
    cancel = re.compile(rf"\b{re.escape(kept.group(1))}\s*\??\s*\.\s*cancel(?:AndJoin)?\s*\(")
    return cancel.search(p.text(up)[: lambda_node.start_byte - up.start_byte]) is not None


def _main_by_its_call(lambda_node, head: str, p: Parsed) -> bool:
    """Whether the call a coroutine's lambda is handed to (``head``) runs it on the main thread."""
    if "{" in head:
        # An annotated lambda's call can begin at the coroutine around it: the head of
        # `scope.launch { owner.repeatOnLifecycle(state) { … } }`'s inner lambda holds both. The
        # innermost call that runs tasks decides.
        outer, inner = head.partition("{")[0], head.rpartition("{")[2]
        return _main_by_its_call(lambda_node, inner if _RUNS_TASKS.search(inner) else outer, p)
    if _MAIN_DISPATCHER.search(head) or _MAIN_SCOPE.search(head) or _main_scope_helper(head, p) or _composition_scope(head, p):
        return True
    if not _BARE_LAUNCH.search(head):
        return False
    up = lambda_node.parent
    while up is not None and up.type not in ("class_declaration", "object_declaration", "function_declaration"):
        if up.type == "lambda_literal" and (call := _lambda_call(up)) is not None:
            outer = _call_head(call, up, p)
            return _RUNS_TASKS.search(outer) is not None and _on_the_main_thread(up, outer, p)
        up = up.parent
    return False


# A scope picked by a helper of the file: jellyfin's `getScope(context).launch { … }`, whose
# `getScope` is `when (context) { is LifecycleOwner -> context.lifecycleScope; else ->
# ProcessLifecycleOwner.get().lifecycleScope }` (apps-ab bcfed9ff). Main only when every scope the
# helper names is a main one and it names no dispatcher.
_SCOPE_HELPER = re.compile(r"(?<![.\w])(\w+)\s*\([^()]*\)\s*\.\s*(?:launch|async)\s*(?:\(\s*\))?\s*\{?\s*$")
_MAIN_SCOPES = re.compile(r"\b(?:lifecycleScope|viewModelScope|MainScope\s*\(\s*\)|[lL]ifecycle\s*\.\s*coroutineScope)")
# Another scope, a dispatcher, or a context added to a main scope (`viewModelScope + ioDispatcher`,
# the red team of session 35) makes the helper's coroutines another thread's.
_OTHER_SCOPES = re.compile(r"\b(?:newSingleThreadContext|asCoroutineDispatcher)\b|\w*[sS]cope\b|(?i:dispatcher|executor)|\bcoroutineContext\b|\+")


def _main_scope_helper(head: str, p: Parsed) -> bool:
    match = _SCOPE_HELPER.search(head)
    if match is None or p.language != "kotlin":
        return False
    helpers = [n for n in nodes_of(p, frozenset({"function_declaration"})) if node_name(n, p).partition("(")[0] == match.group(1)]
    bodies = [next((c for c in n.children if c.type == "function_body"), None) for n in helpers]
    if not bodies or any(b is None for b in bodies):
        return False
    texts = [p.text(b) for b in bodies if b is not None]
    return all(_MAIN_SCOPES.search(t) and not _OTHER_SCOPES.search(_MAIN_SCOPES.sub("", t)) for t in texts)


# Jetpack Compose's `rememberCoroutineScope()` is the composition's scope, whose dispatcher is the
# UI's frame clock on the main thread: mihon's navigation rail launched a tab's reselect on it
# (apps-ac a2c24ff0, a removed composable read as "background code removed"). Given a context
# (`rememberCoroutineScope { Dispatchers.IO }`) it is another thread's.
_COMPOSITION_SCOPE_CALL = re.compile(r"(?<![.\w])(\w+)\s*\.\s*(?:launch|async)\s*(?:\(\s*\))?\s*\{?\s*$")


def _composition_scope(head: str, p: Parsed) -> bool:
    """Whether ``head`` launches on `rememberCoroutineScope()` (or a variable that every
    declaration of its name in the file sets to it)."""
    if p.language != "kotlin" or "rememberCoroutineScope" not in head and b"rememberCoroutineScope" not in p.source:
        return False
    if re.search(r"\brememberCoroutineScope\s*\(\s*\)\s*\.\s*(?:launch|async)\s*(?:\(\s*\))?\s*\{?\s*$", head):
        return True
    match = _COMPOSITION_SCOPE_CALL.search(head)
    if match is None:
        return False
    return _every_declaration_is(p, match.group(1), r"rememberCoroutineScope\s*\(\s*\)")


def _every_declaration_is(p: Parsed, name: str, value: str) -> bool:
    """Whether the file declares Kotlin variable ``name`` and sets it to ``value`` (a regular
    expression) wherever it does: a local or property (`val scope = …`, `private val scope:
    CoroutineScope` in a constructor) or a parameter (`fun save(scope: CoroutineScope)`); a class's
    own scope of the same name in the file is another thread's (the red team of session 36)."""
    source = p.source.decode("utf-8", "replace")
    escaped = re.escape(name)
    declared = re.findall(r"\b(?:val|var)\s+" + escaped + r"\b([^\n]*)", source)
    parameters = re.findall(r"[(,]\s*" + escaped + r"\s*:", source)
    return bool(declared) and not parameters and all(re.fullmatch(r"\s*=\s*" + value + r"\s*", d) for d in declared)


def _kotlin_lambda_handed_to_a_runner(lambda_node, p: Parsed) -> bool:
    """Kotlin's `val task = { cleanup(); backup() }` later handed to a call that runs or schedules
    tasks (Suwayomi's `HAScheduler.scheduleCron(task, "0 3 * * *", "backup")`, a new user's trial,
    session 30): the lambda is the task. A lambda kept for `list.map(task)` is not."""
    declaration = lambda_node.parent
    if p.language != "kotlin" or lambda_node.type != "lambda_literal" or declaration is None \
            or declaration.type != "property_declaration":
        return False
    variable = next((c for c in declaration.named_children if c.type == "variable_declaration"), None)
    named = next((c for c in variable.named_children if c.type in ("identifier", "simple_identifier")), None) \
        if variable is not None else None
    if named is None:
        return False
    if _handed_on(p, p.text(named), declaration, runner=_RUNS_TASKS):
        return True
    # Or called from a lambda that a runner runs (`Timer().schedule(0L, day) { task() }`).
    name = p.text(named)
    return any(n.type in ("identifier", "simple_identifier") and p.text(n) == name and n.parent is not None
               and n.parent.type == "call_expression" and n.parent.children[0].id == n.id and _run_by_a_runner(n, p)
               for n in _walk(declaration.parent) if not declaration.start_byte <= n.start_byte < declaration.end_byte)


def _handed_on(p: Parsed, name: str, declaration, runner: re.Pattern[str] | None = None) -> bool:
    """Whether the variable ``name`` that ``declaration`` declares is an argument of a call in the
    scope of the declaration (its block, or for a field its whole class body), other than one that
    only logs or compares it; with ``runner``, of a call whose callee it matches."""
    scope = declaration.parent
    if scope is None:
        return False
    for n in _walk(scope):
        if n.type not in ("identifier", "simple_identifier") or declaration.start_byte <= n.start_byte < declaration.end_byte \
                or p.text(n) != name:
            continue
        arguments = n.parent.parent if n.parent is not None and n.parent.type == "value_argument" else n.parent
        if arguments is None or arguments.type not in ("argument_list", "value_arguments"):
            continue
        call = arguments.parent.parent if arguments.parent is not None and arguments.parent.type == "call_suffix" else arguments.parent
        if call is None:
            continue
        callee = p.source[call.start_byte : arguments.start_byte].decode("utf-8", "replace")
        if runner is not None and not runner.search(callee.rpartition(".")[2].rstrip() + "("):
            continue
        if not _ONLY_LOOKS.search(callee):
            return True
    return False


CLASS_HEADER = "declaration of the class holding the"


def _class_header(method) -> tuple[int, int] | None:
    """The rows of the annotations and declaration line of the class around ``method``, up to its
    opening brace: Spring runs a `@Scheduled` or listener method only in a bean, so the class's
    `@Component` (or a `@Profile`, a `@ConditionalOn…`) decides whether the job runs at all."""
    node = method.parent
    while node is not None and node.type not in ("class_declaration", "object_declaration"):
        node = node.parent
    if node is None:
        return None
    body = node.child_by_field_name("body") or next(
        (c for c in node.children if c.type in ("class_body", "enum_class_body")), None)
    return (node.start_point[0], body.start_point[0] if body is not None else node.end_point[0])


def _temporal_implementation(p: Parsed, supertypes: list[str]) -> str | None:
    """What a class implementing ``supertypes`` is to Temporal: the implementation of a workflow
    or activity interface this file annotates, or, in a file that imports the workflow API
    (`io.temporal.workflow.Workflow`: stubs, timers, which only run inside a workflow), of any
    interface; in one that imports any of the SDK (an activity's `ApplicationFailure`, its
    `Activity.getExecutionContext()`), of an interface named for activities."""
    if not supertypes or b"io.temporal" not in p.source:
        return None
    if "background.temporal" not in p.memo:
        annotated: dict[str, str] = {}
        for n in nodes_of(p, frozenset({"interface_declaration", "class_declaration"})):
            hit = [_JVM_TEMPORAL_INTERFACES[a] for a in _annotations(n, p) if a in _JVM_TEMPORAL_INTERFACES]
            name = n.child_by_field_name("name") or next(
                (c for c in n.named_children if c.type in ("type_identifier", "identifier")), None)
            if hit and name is not None:
                annotated[p.text(name)] = hit[0]
        p.memo["background.temporal"] = annotated
    annotated = p.memo["background.temporal"]
    for word in supertypes:
        if word in annotated:
            return f"{annotated[word]} implementation"
    if re.search(rb"^\s*import\s+io\.temporal\.workflow\.", p.source, re.MULTILINE):
        return "Temporal workflow implementation"
    if re.search(rb"^\s*import\s+io\.temporal\.", p.source, re.MULTILINE) \
            and any(w.endswith(("Activities", "Activity")) for w in supertypes):
        return "Temporal activity implementation"
    return None


# A lambda handed to one of these runs on another thread: an executor's or a thread's task; or
# (``_CONTINUES``) a future's continuation, which runs when the future completes, beside the
# requests that go on (streampark's savepoint callback, handed to its CompletableFutureUtils).
# `timer(…)` is kotlin.concurrent's top-level function, not a metrics registry's `registry.timer(…)`.
# A Kotlin `Thread(task)` or `Thread { … }` builds a thread; `Thread.currentThread()` does not.
# An application's own timer or task class handed the work (OpenVidu's session garbage collector,
# `new UpdatableTimerTask(() -> {…}, period)`, which schedules itself on a `java.util.Timer`: a new
# user's trial, session 32) runs it on that timer's thread: `new …Timer(`/`new …Task(`, and
# Kotlin's `…TimerTask { … }`.
_RUNS_TASKS = re.compile(r"\b(?:submit|execute|runAsync|supplyAsync|schedule\w*|new Thread|thread|launch|async"
                         r"|fixedRateTimer|timerTask)\b|(?<![.\w])(?:timer|Thread)\s*[({]"
                         r"|\bnew\s+\w*(?:Timer|Task)\s*(?:<[^<>()]*>)?\s*\(|(?<![.\w])[A-Z]\w*TimerTask\s*[({]")
_CONTINUES = re.compile(r"\b(?:(?:then(?:Accept|Apply|Run|Compose|Combine)|whenComplete)(?:Async)?|CompletableFuture\w*)\b")
