"""The tree rules' documentation (DC701-DC718): data only, no tree-sitter import."""

from __future__ import annotations

from textwrap import dedent

from ..base import Rule

_LANGS = ("ruby", "javascript", "typescript", "go", "java", "kotlin")
_JOB_QUESTIONS = ("shared-state", "sequential-assumption", "concurrency-tested")

BACKGROUND_CODE_CHANGED = Rule(
    id="DC701",
    name="background-code-changed",
    category="job",
    severity="warning",
    questions=_JOB_QUESTIONS,
    summary="Ruby, JS/TS, Go, Java or Kotlin code that runs in the background changed, and its syntax tree says so.",
    languages=_LANGS,
    what_it_does=dedent("""\
        Parses the changed file on both sides with tree-sitter and reports each changed function,
        method or top-level declaration (one finding from its first to its last changed line;
        a Ruby method is named the Ruby way, `Sync#perform` for an instance method and
        `Sync.perform` for a class method) that runs in the background: Ruby classes that include Sidekiq::Job/Worker, subclass
        ApplicationJob/ActiveJob::Base (good_job, solid_queue), set a Resque `@queue`, or are
        Dynflow actions (`< Actions::EntryAction`, `Actions::Base`, `Dynflow::Action`: foreman-tasks),
        and blocks the code runs on a thread or process of its own (`Thread.new`, `Thread.start`,
        `fork`, `Process.fork`), and the block (a Puma plugin's `Puma::Plugin.create do … end`)
        or file that runs Sidekiq embedded in the web server (`Sidekiq.configure_embed` in a file
        naming Puma);
        JS/TS functions given to BullMQ `new Worker`, Bull `queue.process`, Agenda `define`,
        node-cron `schedule`, kafkajs `consumer.run({eachMessage})`, amqplib `consume`, pg-boss
        `boss.work` (a receiver named for a queue or scheduler, or a file naming pg-boss),
        trigger.dev's `task({ id, run })`/`schedules.task(…)`/`schemaTask(…)` (in a file importing
        `@trigger.dev/sdk`), Inngest's `createFunction(config, trigger, handler)`, a
        server's fire-and-forget `setTimeout(() => …)` and async function started inside a function
        and not awaited (`(async () => { … })();`), the message handler of a forked process
        (`process.on('message', …)`) or a worker thread (`parentPort.on('message', …)`), an
        endless loop (`while (true)`, `for (;;)`) that waits between rounds (`await sleep(…)`, a
        `setTimeout` promise awaited), a timer loop (a function handed to `setTimeout` that sets
        the timer again, or one whose callback, written in place, calls it again: `const arm =
        () => { t = setTimeout(() => { …; arm(); }, ms) }`), and NestJS `@Processor`/`@Process`/`@Cron` code, and function values declared with a job
        library's handler type (`const work: JobHandler<Data> = async (data) => …`; also
        `Processor`, `WorkHandler`, Bull's `ProcessCallbackFunction`), Botpress's workflow handlers (typed
        `bp.WorkflowHandlers['…']`, or handed to `plugin.on.workflowStart`/`workflowContinue`/`workflowTimeout`,
        in a file importing Botpress); Go `go func` bodies and the functions `go f()`
        starts, asynq/machinery/cron/gocraft registrations and handlers taking `*asynq.Task`,
        `*river.Job[…]` or `*work.Job`, Watermill handlers taking `*message.Message`, handlers subscribed on asaskevich/EventBus
        (`bus.Subscribe(topic, lp.onDisconnect)`, `SubscribeAsync`: they run in whichever goroutine publishes), controller-runtime reconcilers (`Reconcile(ctx,
        req ctrl.Request)`), functions given to an errgroup-style runner (`g.Go(fn)`;
        for `g.Go(start(ctx))` the function literals `start` returns), to `time.AfterFunc` or to
        a pool of the package's making (`executors.run(func(vm *goja.Runtime) error {…})` on a
        parameter, receiver or field whose declared type ends in `Pool` or `WorkerGroup`, with
        `run`/`Run`/`Submit`/`Go`/`Do`/`Exec`/`Execute`/`Invoke`), or to
        a scheduler (a registering call, `Add…`/`Register…`/`Schedule…`/`Every…`/`Do`/`NewTask`/
        `NewJob`, on a variable, field or package whose name spells `cron` or `sched`:
        `schedulerInstance.Add(spec, func() {…})`, `crontab.Register(kind, collect)`), `for`
        loops that receive from a ticker's or timer's channel (`<-ticker.C`, `time.Tick(…)`), and
        the methods of a type named as a queue (`jobQueue`, `artworkQueueRepository`; not
        `Queued…`, nor a queue's settings or items: `MergeQueueSetup`, `…QueueConfig`,
        `…QueueEntry`), which workers drain while other code enqueues and purges; handlers
        handed to a `Register…`/`Subscribe…` call on an application's own consumer, told by the
        declared type of the parameter called (ending in `Reader`, `Consumer`, `Subscriber`,
        `Listener`, `Executor` or `Dispatcher`: harness's `r.RegisterMerged(s.notifyMerged)` on
        an event reader, `executor.Register(kind, r)`, whose receiver's methods taking a
        `context.Context` first are then the job's); Java/Kotlin `@Scheduled`, `@Async`, `@KafkaListener`,
        `@RabbitListener`, `@SqsListener`, `@JmsListener` code, Quartz `Job`s and Spring's
        `QuartzJobBean`s, `Runnable`/`Callable`, `Thread` and `TimerTask` classes (anonymous ones
        too), subclasses of an application's own worker base class (a supertype whose name ends
        in `…Worker` after a word, `AbstractTaskWorker<T>`; Android WorkManager's `Worker` in a
        file that imports `androidx.work`) or daemon base class (`…Daemon` after a word,
        `AbstractDaemon`, whose loops run on its worker threads), `Reconciler`s (a controller's workers
        run `reconcile`, several at once), Spring Batch's tasklets, readers, processors, writers,
        partitioners and step or job listeners, and `@Bean` methods that build a `Job`, `Step`,
        `Flow`, `Partitioner` or listener (in a file importing `org.springframework.batch`), and
        lambdas and method references
        (`this::clean`) given to executors and threads, and a Kotlin flow collected with
        `.launchIn(scope)` on a scope other than a screen's (the whole chain:
        `tickerFlow(scope, PERIOD).onEach { … }.launchIn(scope)`). Temporal's workflows and activities in
        each of these languages: in JS/TS, every top-level statement of a module that imports
        `@temporalio/workflow` (workflow code, `proxyActivities` options included) or
        `@temporalio/activity`, the functions of the file that `Worker.create({ activities: {…} })`
        registers, and code under the NestJS wrappers' decorators imported from a package named for
        Temporal (nestjs-temporal-core's `@Activity`/`@ActivityMethod`, `@Workflow`/
        `@WorkflowController`/`@WorkflowRun`/`@WorkflowMethod`; nestjs-temporal's `@Activities`/
        `@Activity`); in Go, functions whose first parameter is a `workflow.Context` (`wf.Context` under
        `import wf "go.temporal.io/sdk/workflow"`), and what
        `RegisterWorkflow`/`RegisterActivity` (and their `…WithOptions` forms) register (a struct
        registered whole, `&Activities{…}`: its exported methods); in Java/Kotlin, methods under
        `@WorkflowMethod`, `@ActivityMethod`, `@SignalMethod` or `@UpdateMethod` that have a body,
        and classes implementing an interface the file marks `@WorkflowInterface` or
        `@ActivityInterface`, any interface in a file that imports `io.temporal.workflow.…`, or
        one named for activities in a file that imports anything of `io.temporal.…`. An activity
        defined elsewhere is reached by name from the workflow that calls it. In an application, so is every
        non-test file in a job folder (`app/jobs/`, `app/workers/`, `app/sidekiq/`, any `jobs/`,
        `workers/`, `cron/`, `crontab/`, `consumers/` or `queues/` folder, or a monorepo's worker
        application `apps/worker/`, `services/worker/` or `packages/worker/`, that defines no job
        itself: a job's helper kept next to it), every JS/TS module named for a cron job or a
        queue consumer (`cron_email.ts`, `queue_consumer.ts`, `mail.consumer.ts`, `*.processor.ts`,
        `*.job.ts`; not a page's `.jsx`/`.tsx` or a web worker), every JS/TS module that such a folder's file
        (or one of `job_paths`) loads by a computed path (`require(`../modules/rendering/${key}/renderer.js`)`),
        every JS/TS module of a `tasks/` folder whose index module (`tasks/index.ts`) imports a
        scheduler or a queue library (`cron`, `node-cron`, `node-schedule`, `croner`, `bullmq`, `bull`,
        `agenda`, `pg-boss`…: the folder's tasks are what it runs),
        and a function or method of another file that such code reaches through its calls, by
        name, up to three calls deep (`git grep -w` at head, then the unit there that uses the
        name; a Go name that does not start with an upper-case letter only in its own package's
        folder, where Go lets it be called, and never through a Go file's name for a standard-library
        package (`os.Stat(…)` under `import "os"`, unless the file also uses `os` otherwise, as a
        local may shadow it): the go command finds such paths in the standard library first; nor
        through a Go name where no function can stand, a field written, compared, negated or
        selected from (`syncDate.Valid = true`, `if d.Valid && …`, `d.Valid.Time`) or a composite
        literal's key (`Date{Valid: true}`); the message names the job, quotes its calling line and gives the trail from the job down:
        "reached from background code: ActiveJob job at app/jobs/revert_import_job.rb:5
        (`import.revert`) calls it through `revert`"). In JS/TS, a module's own function (top
        level, not exported, its name nowhere outside a function body) can only be called from
        its file: the trail follows it there without a `git grep` or a call depth, and a changed
        one is looked for in its file only (so are a TypeScript or Java `private` method's callers;
        a Ruby private method's callers in its file are followed without a call depth too, and
        other files are still searched, as a subclass may call it); an object literal's key
        (`{ sendEmail: false }`) is no caller; `this.name` inside a class that defines `name` is that
        class's own method, not a namesake in another file. So is a Ruby call of `name` with no
        receiver (or on `self`) in a class or module defining `def name`, for an instance (a call
        in `def self.x` or `class << self` is the class's: its own only when the class defines
        `def self.name`), unless a followed definition of `name` is in a subclass of that class
        or reopens it or a module it prepends (a base job's `perform` calling the method its subclasses
        override). A file that names no
        job API is read for this only when a non-test file of its language on the base does.
        In a repository that IS a job system
        (its base's gemspec, package.json, go.mod, settings.gradle, gradle.properties or pom.xml
        names sidekiq, resque, good_job, solid_queue, bullmq, bull, agenda, asynq, river,
        machinery, gocraft/work, jobrunr, quartz, spring-kafka…: the list is
        `deploycheck.rules.trees.manifest.JOB_SYSTEMS`), every non-test source file is background
        code, and the burden of proof holds for its worker machinery: a changed unit that, on
        either side, lies in a background region, uses a concurrency construct (`synchronized`,
        `volatile`, a java.util.concurrent or `sync` type, a goroutine, a channel send, receive or
        `close`, `select`, thread, executor and lock calls, Ruby's `synchronize`, Go timers
        (`time.AfterFunc`), JS `setImmediate`/`process.nextTick` and `Promise.all`/`race`, Kotlin
        `async`), writes or locks storage (SQL text, also built
        by concatenation; transaction, Redis and ORM write calls such as `incr`, `multi`,
        `update_all`, `with_lock`), writes state that outlives the call (a field, `@x`, `this.x`,
        `this[key]`, an array element, a package variable, a Ruby ALL_CAPS constant's contents; by
        assignment, `delete`, Go's `delete`/`clear`/`copy`, Ruby's `<<` and `!` methods, or a
        mutating call such as `add`, `shift`, Go's `Store`/`Add`/`Done`; also through a local bound
        to the field, `l = this.done; l.add(x)`; not in a constructor or `initialize`, where no
        other thread sees the object yet), adds or removes a JS/TS `await` or `async`, calls the
        machinery functions of its file differently (once more, no more, in another order),
        changes a class at run time (`define_method`), or whose name, or that of a
        name it uses, of its class or of its file, is made of scheduling, retrying and locking
        words or their stems (`retry`, `interval`, `lease`, `heartbeat`, `state`, `priority`,
        `poll`, `cron`, `claimable`…: `deploycheck.rules.trees.machinery.VOCABULARY`; the job
        system's own name is none), or that such machinery of the same file uses by name,
        directly or through other units of the file; the message then says what worker
        machinery is and names that evidence ("the evidence: a write to `paused`"; a name with
        the vocabulary word that counted). Another changed unit is
        `info`, and the message says it was not read as worker machinery. Import lines that load the same
        modules as before (JS/TS sources in the same order, `import type` always, and a
        TypeScript import whose names the file uses only as types, which the compiler erases
        too: under `verbatimModuleSyntax` it is kept and its module loaded, which is not seen; Ruby requires
        in the same order; Go's blank and dot imports, as a set) run nothing new: what they name
        shows where it is used, unless a name that unchanged lines use is bound to another
        export or package, or bound or unbound, by the branch (then the imports are code). Code
        that shares a line with another unit (`interface A {} boot();`) is judged in its own. Its `examples/` and `samples/` folders
        are read as application code (a file the branch adds or moves there stays the job
        system's), and so is a script in a gem's `bin/` or `exe/` that its gemspec does not install as a
        command (a load test, a benchmark: read as application code, background where it defines
        jobs), and a Rails query scope (`scope :name, ...`) whose name only the web UI and
        dashboard folders (and tests) mention, as those folders themselves are not; so is every
        file matching `job_paths` in the base branch's configuration. A file without an
        extension whose `#!` line names Ruby is read as Ruby.

        The burden of proof is on the change: `warning` unless the unit's syntax tree is
        identical on both sides once comments, logging/print calls and formatting are removed
        (`info` then, and the message says which were needed). A TypeScript type alias or
        interface is `info` in any scope: the compiler erases it. The other removals the proof may
        use: a conditional without `else` whose body only logs (`if err != nil { log… }`, its
        condition assigning nothing; the calls the condition makes are kept); TypeScript type
        annotations; error messages (strings without interpolation inside `throw`/`raise`, and `if (c) { throw X; } throw X;` read as `throw X;` when `c` calls and
        assigns nothing; in Go the string literals given to `fmt.Errorf`, `errors.New` and
        pkg/errors' constructors, their `%` verbs kept, since `%w` wraps the cause); a version number (`VERSION = "8.1.1"`, a constant named like a version
        holding a dotted number); a Ruby keyword parameter with a default that the method never
        reads (not when a bare `super`, `binding` or `eval` could read it); a Java field or
        variable, or a Kotlin property, whose declared type is a logger type the file imports
        (slf4j, java.util.logging, Log4j, commons-logging `Log`, Spring's `LogAccessor`,
        kotlin-logging `KLogger`…) and whose value only names or makes a logger (a factory
        call such as `LoggerFactory.getLogger(Job.class)`, a logger constructor, another
        logger field), with the logging step; a last catch clause or `rescue` that only logs
        and rethrows what it caught (`catch (E e) { log…; throw e; }`, `rescue => e; log…;
        raise`), with the logging step, a try left with neither catch nor finally read as its
        statements (Java and JS/TS only when the block declares nothing that would then reach
        further); a Java/Kotlin type written fully qualified in one version and by its simple
        name in the other (`java.util.Collection` / `Collection` under `import
        java.util.Collection;` in that version's file), only in a file whose types extend or
        implement nothing but JDK types without member types (`Runnable`, `Serializable`, …: an
        inherited member type shadows an import, JLS 6.4.1); Java's `@Override` and
        `@SuppressWarnings(…)` and Kotlin's `@Suppress(…)`, which the compiler reads and leaves out
        of the class file (source retention: no reflection or framework sees them), when no import
        of the file names another type so (in Kotlin, no star import either), the file declares
        none, and its types extend or implement only such JDK types, as above (`@Deprecated`,
        kept at run time, is code). An access modifier is never
        part of a proof: reflection (`getFields()`, `getMethods()`, `getConstructors()`),
        proxies and overrides see it at run time. Java and
        Kotlin overloads of one arity are each compared with every overload of that name and
        arity on the other side (the comparison includes the parameter types). A new background unit
        is always a `warning`, and so is one removed outright, except a Java or Kotlin method that
        was private (Java: or package-private, in a class, enum or record), carried no framework
        annotation, is no name the JVM or a framework looks up (`main`, serialization hooks,
        `valueOf`), and that no `*.java`/`*.kt` file at head names (`git grep -w`, tests
        included): `info`, as no caller can be left (one would not compile). Changed lines of a unit that hold
        only comments are `info` even when code elsewhere in the unit changed (that code is
        reported in its own, nested unit); comments the language reads (Ruby's magic comments
        such as `# frozen_string_literal: true`, Go's `//go:` directives and build constraints,
        any comment of a Go file that imports "C") count as code, in the proof too."""),
    why_bad=dedent("""\
        Background code runs many times at once, retries, and runs in an order nobody chose.
        Line patterns miss most such changes (a changed lock renewal, a reordered completion
        path, a channel made unbuffered): measured on real fixes in sidekiq, bullmq, asynq,
        river and quartz, the regular-expression packs flagged fewer than one in ten."""),
    known_problems=dedent("""\
        Background code is recognised per file: a class registered as a job in another file is
        only found through its base class, mixin or annotation, or through `job_paths`.
        The proof is syntactic: a renamed variable or reordered statements count as a change,
        and a logging call (or a log-only condition, or an error message) whose side effect
        hides in a call without arguments (`queue.poll()`) is removed as if it had none (one
        that calls something with arguments is a change). Code that matches an error's text, or
        branches on the version constant's value, is not seen to change.
        An annotation type named `Override`, `SuppressWarnings` or `Suppress` in the file's own
        package would shadow the language's and is not seen (the proof reads one file).
        A logger field's value is trusted to make or name a logger only; a logger passed to
        code that acts on it is removed all the same. A type name is read through the file's
        single-type imports only (a wildcard import proves nothing), and in type positions only
        (`java.util.Collections.emptyList()` against `Collections.emptyList()` is a change).
        A removed private method that code outside the Java and Kotlin sources calls by name (a
        Spring XML `init-method`, a script) is `info` all the same; a package-private one that
        overrode a method of a library sharing its package is not seen to matter.
        Calls from jobs are followed by name, not by type, and bounded because they are
        searched on every scan: a name that more than 25 non-test files hold, or that is too
        generic to tell two methods apart (`run`, `save`, `Start`, `perform` is followed), is not
        followed (only files the branch leaves as they are count, so a branch cannot make a name
        that common); trails stop three calls deep and a trail cut there is not
        reported; at most 250 files are read per scan, and a changed function whose search ran
        out of them is a `warning` that says so (fail closed); a changed function whose own name
        is too generic or too common to follow gets an `info` note that its callers were not
        looked for (not on constructors, web controllers or UI components); a call through a variable, a
        callback table, dependency injection by type or `send` is not seen; a name two unrelated
        methods share may join them (a false trail: the message quotes the job's calling line).
        A Ruby class method (`def self.limit`, or in `class << self`) of a module or of a class
        that names no superclass, in a file that delegates nothing, is looked for where a class
        calls it (`ApiRateLimiter.limit`, `self.class.limit`, `….constantize.limit`, on a
        variable named for a class such as `limiter_class` or one the file sets to a class such
        as `limiter = ApiRateLimiter` or `def initialize(limiter: ApiRateLimiter)`, or without a
        receiver), not in calls on an object (`scope.limit(3)`, an ActiveRecord relation's): a
        class reached otherwise (a method returning it, another file's `delegate`) is not seen. A model's class methods (a class with a superclass)
        are looked for in every call, as relations answer them too.
        A Java instance method (no `static`) is not looked for in calls written on a type's simple
        name (`ResourceUtils.getURL(p)`), where the file imports that type by a single-type import
        or declares it and uses its word nowhere but in type positions and before a dot (a local,
        parameter or field so named would obscure the type): such a call is static
        (`Iface.super.getURL(p)`, an interface's default method on this object, is followed).
        Inside a class with a supertype, or an anonymous class, a field of that name inherited
        from another file would obscure the type too: there the call is read as one on the type
        only when no Java or Kotlin file of the repository declares a variable of that name (a
        field inherited from a library's class is not seen); in a file with a static import on
        demand (`import static a.B.*;`), no call is read as one on a type. A Java instance
        method is not looked for in calls on a variable the calling file declares of a type that
        no object of its class can be: not the class, not a supertype of it or of a subclass of
        it in the repository (`yarnconf.addResource(…)` on a `YarnConfiguration` field,
        `socket.connect(…)` on a `java.net.Socket`). A library's type on the way (its supertypes
        are not read), a Kotlin declaration, more than 12 files declaring a type or its
        subclasses, a variable declared `var`, of a type parameter, or inherited keep the call,
        as do a name a pattern binds anywhere in the file (`o instanceof Owner x`), and one a
        nested class of a supertype or an anonymous class reads from outside its body (not a
        `Runnable`'s, a `Callable`'s, a `Thread`'s or a `TimerTask`'s: the JDK's own hold no field
        it could be). A subclass is looked for in every Java or Kotlin file that names the class,
        across lines and in Kotlin's supertype lists.
        A Go method of an unexported type is looked for in its package's files whatever its name
        (ntfy's `firebaseClient.Send`): another package can call it only through an interface,
        which is not seen. A Ruby method that takes exactly N
        arguments (required positional ones only) is not looked for in calls with another number
        (`tenant_service.url(locale: locale)` is no call of a `def url`; keyword arguments count
        as one, a splat or `...` as any number), unless a file naming it defines a method of the
        name that calls `super` or aliases it (an override or a prepended module may take another
        number and hand it on). A Java `static` field's initializer, final or
        not, is followed through the functions of its file that read the field, as is a Kotlin
        property's at the top level or in an object or a companion object (`val`, `var`, `by
        lazy`); an instance field's is not, nor a logger's (`LoggerFactory.getLogger(…)`).
        A Go scheduler is told by its name only: `s := scheduler.GetInstance(); s.Add(spec, f)`
        is not seen (a receiver spelled `sched…` or `…cron…` is), nor a function that goes to a
        scheduler through a variable or a slice. A queue type is told by its name too: a queue
        named otherwise is not seen, and a type named so that is no work queue (an in-memory
        FIFO of one goroutine) is read as one.
        In a job system's own repository, a unit whose effect on workers only shows through a
        call into another file (a pure helper that a poll loop in another file calls, named
        without a scheduling word) is `info`: the evidence is read from the unit, its class, its
        file and the units of that file that use it, not from callers elsewhere. A new Go
        package linked in by a named import may run an `init()` that is not seen. Measured on sampled real commits, the scope still flags routine
        changes of job-system code that the labels call not concurrency-relevant (a builder's
        setter, a client query API), see docs/benchmarks.md.
        Tests (spec/, test/, *_test.go, *.test.ts, src/test/, Gradle's src/testFixtures/ and
        src/integrationTest/) are never background code. A job
        system is recognised only from the manifests at the top of the repository. Who uses a
        scope is judged by name (`git grep -w` at head): a scope the dashboard uses and that a
        worker reaches under another name (`send(:"display_#{x}")`) is missed; one that nothing
        but its own file names is kept as background code (the job system's users may call it)."""),
    example=dedent("""\
        class ChargeJob
          include Sidekiq::Job
          def perform(id)
            invoice = Invoice.find(id)
            invoice.charge!            # changed: runs in a Sidekiq worker, maybe twice at once
          end
        end"""),
    use_instead=dedent("""\
        Nothing to rewrite: answer the checklist. Make the job safe to run twice at once and
        twice in a row (a unique key, a lock, an idempotent update)."""),
)

REDIS_SCRIPT_CHANGED = Rule(
    id="DC702",
    name="redis-script-changed",
    category="shared-state",
    severity="warning",
    questions=("shared-state", "sequential-assumption", "concurrency-tested"),
    summary="A Redis Lua script (a .lua file, or Lua in a string given to EVAL/NewScript/defineCommand) changed.",
    languages=("lua", "ruby", "javascript", "typescript", "go", "java", "kotlin"),
    what_it_does=dedent("""\
        Reports a change to a Lua script run by Redis: a `.lua` file that calls `redis.call` or
        `redis.pcall` (or any `.lua` file of a repository that is a Redis-based job system such
        as bullmq, bull, asynq or sidekiq), and Lua source held in a string literal of another
        language (`redis.NewScript(`…`)`, `defineCommand`, `eval`, a heredoc) whose text calls
        Redis. The script is parsed and the message names the Redis commands the changed lines
        call and those the whole script calls (keys, sets, lists, locks), read from the tree,
        including calls through a local alias such as `local rcall = redis.call`."""),
    why_bad=dedent("""\
        Queue libraries keep their shared state (job lists, locks, leases, counters) in Redis and
        change it only through such scripts, atomically. A change to a script changes what
        every worker sees: a lock deleted before a check, a key no longer cleaned up, an
        ownership test dropped. These are shared-state changes by definition."""),
    known_problems=dedent("""\
        A comment-only change to a script is reported too. Commands built at run time
        (`redis.call(cmd, …)`) are listed as computed. Lua in a string is recognised only when
        the string itself calls `redis.call`/`redis.pcall`."""),
    example=dedent("""\
        -- moveToFinished.lua
        rcall("DEL", lockKey)                    -- changed: the lock goes before the check below
        if rcall("SCARD", dependenciesKey) > 0 then return -4 end"""),
    use_instead=dedent("""\
        Keep the ownership check before any write to a shared key, e.g.

        if rcall("GET", lockKey) == token then rcall("DEL", lockKey) end"""),
)

SOURCE_NOT_PARSED = Rule(
    id="DC703",
    name="source-not-parsed",
    category="job",
    severity="high",
    questions=("shared-state", "concurrency-tested"),
    summary="A changed Ruby, JS/TS, Go, Java, Kotlin or Lua file the tree rules had to read could not be parsed.",
    languages=_LANGS + ("lua",),
    what_it_does=dedent("""\
        Reports, instead of skipping, a changed file the tree rules needed (it names job APIs,
        belongs to a job system, or matches `job_paths`) when it cannot be analysed: its text
        could not be read (binary, larger than the scan reads), it is over the parse limit
        (1,000,000 bytes for JavaScript and TypeScript, a minified bundle; 2,000,000 for the
        other languages, the scan's read limit), the parser failed, or the tree has syntax errors
        at the changed lines (Go 1.26's `new(expr)`, newer than tree-sitter-go's grammar, is read
        as the call of a function it is). The message says which, and where."""),
    why_bad=dedent("""\
        A gate that skips what it cannot read can be passed by writing code it cannot read.
        Fail closed: someone has to look at what the tool could not."""),
    known_problems=dedent("""\
        Grammar versions lag behind language versions: brand-new syntax may be reported as
        unparseable until the grammar wheel is updated. Errors away from the changed lines are
        not reported. One gap of the TypeScript grammar is read through: a tagged template whose
        type arguments hold an object type (styled-components' `` styled.div<{ $on: boolean }>`…` ``),
        which the parser recovers as the same code with a zero-width non-null assertion `!`, a
        type-only operator."""),
    example=dedent("""\
        class ChargeJob
          include Sidekiq::Job
          def perform(id
            Invoice.find(id).charge!     # the method header is broken: the tree has an ERROR here
          end
        end"""),
    use_instead=dedent("""\
        Fix the syntax, or exclude generated files with `exclude` in the configuration (and
        say why in review)."""),
)

PRIMITIVE_WEAKENED = Rule(
    id="DC704",
    name="concurrency-primitive-weakened",
    category="concurrency",
    severity="high",
    questions=("shared-state", "sequential-assumption", "concurrency-tested"),
    summary=("A synchronized/volatile/atomic/concurrent primitive went away from a unit (or came), a Go channel's buffering "
             "changed, or a Java/Kotlin stream became parallel or sequential."),
    languages=("go", "java", "kotlin", "ruby"),
    what_it_does=dedent("""\
        Compares each changed method, field or function with its counterpart on the other side
        of the change, read as syntax trees: a `synchronized` method or block, a `volatile`
        field (`@Volatile`, `@Synchronized` in Kotlin), a concurrent type (ConcurrentHashMap,
        CopyOnWriteArrayList, BlockingQueue, AtomicLong/Integer/Boolean/Reference, LongAdder,
        ReentrantLock, Semaphore, CountDownLatch, `Collections.synchronizedMap/List/Set`, Go `sync.Mutex`/`RWMutex`/`WaitGroup`/`Once` and
        `sync/atomic`; in Ruby, concurrent-ruby's types such as `Concurrent::Map` or
        `Concurrent::AtomicFixnum`, `Mutex`, `Monitor` and a `synchronize` call, in any Ruby file)
        that the unit had and no longer has is `high`, when the file as a whole has
        fewer of it too, or when another unit both sides hold gained it instead (a `synchronized`
        moved from the writer to the reader; a helper the unit was split into is no loss); one
        the unit gained (not in a local variable of a method) (and the file too) is a `warning`, since the change
        says the state is shared (a plain map made a concurrent one: also, it now refuses null
        keys and values). Read in any file of these languages, job or not: a JVM, Go or Ruby
        server runs its requests on threads too. Only uses count: a creation, a declared type, a call on it, the
        keywords; a class literal (`ConcurrentHashMap.class` given to an allow-list, Kotlin's
        `ConcurrentHashMap::class`), an import, a string or a comment naming the type do not. A Go `make(chan T, n)` whose capacity changed is a `warning`, `high` when
        a buffered channel became unbuffered; so is one whose `n` is a parameter of its function
        or a constant of its file and whose value changed one step back, at the changed argument
        of a call of that function in the file or at the constant (apache/answer's mail worker
        queue, 128 made an environment setting). A Java or Kotlin unit that calls `parallelStream()`
        or `.parallel()` more or fewer times than before is a `warning`, reported at the head's
        parallel call (or the unit's changed lines when one went away), in any application: a
        parallel stream runs on the JVM's shared fork-join pool whether or not the code is a job.
        A changed method that takes or gives back an application's own lock (`Lock`, `Unlock`,
        `TryLock`, `Acquire`, `Release`, `obtain` of a Go or JVM type named for a lock, mutex,
        lease, semaphore or latch) is a `warning` unless the proof shows its behaviour unchanged:
        dex's Kubernetes refresh-token lock polled 200 times instead of 60. In Go and Java, a call
        that takes a lock (`mu.Lock()`, `RLock`, `TryLock`, `c.locker.LockBranch(…)`, `acquire…`,
        `lockInterruptibly`, `obtain`) on a changed line is a `warning` when the base's same
        function did not make that call, as written, as often (another lock, key, scope or
        duration: harness's repository-wide merge lock made one per target branch), or made it at
        another point (the calls before it differ, errors and log lines aside: harness's merge
        endpoint now locks before it reads the commits it merges, apps-s). In JS/TS, a changed line
        that a function runs while holding a lock it takes (Redlock's `redlock.acquire(…)` until the
        lock's `release()`, or the callback of `redlock.using(…)`, async-mutex's `mutex.acquire()`
        and `runExclusive(…)`, a `…Lock.acquire(…)`) is a `warning`, once per function: what the
        lock makes exclusive changed (erxes's call-session find-or-create, apps-q). So is, in Go,
        Java and Kotlin, a changed code line in a critical section the code scopes, when the lock's
        own line did not change: a Java `synchronized` block, Kotlin's `synchronized(x) { … }`,
        `lock.withLock { … }` and `withPermit`, a call taking a lock (`mu.Lock()`, `lock.lock()`)
        up to the same holder's `Unlock()` on every path, and a callback handed to a `With…Lock`
        method (mox's `acc.WithRLock(func() { … })`); once per unit, lines that only log or
        reword a string aside, and not code a goroutine, an executor or a coroutine started
        inside runs later (jicofo's ICE restarts, apps-x; OpenRefine's workspace save, a new
        user's trial). A lock held for a whole function (a `synchronized` method, `mu.Lock();
        defer mu.Unlock()`) is not read so: every change there would be reported. In Java, a
        changed code line of a method that reads or writes a `volatile` field of its own class
        (`status`, `this.stopped`) is a `warning`, once per method: the field is how threads hand
        each other a status or a stop signal without a lock (amoro's `isClosed()` now compares
        the status its `close()` sets, so late task results are rejected, apps-z 96a4d781). Not
        a constructor, not a line that only logs, nor a condition whose branches only log.
        A call of one of the project's `lock_wrappers` (.deploycheck/config.yaml) added is a
        `warning`; one removed while the file now calls it fewer times is `high`. So is, with no
        configuration, a call removed of a helper the file defines that takes a lock around what
        it is handed (called bare or on `self`/`this` in Ruby and JS/TS): a Ruby method that takes `pg_advisory_lock`, `with_lock`, `lock!`,
        `synchronize` or a Redlock and `yield`s (loomio's `with_demo_queue_lock`, a new user's
        trial), a Go function that locks and calls a function parameter (not on a goroutine of its
        own), a JS/TS function that acquires a lock, mutex or semaphore (not a pool's
        connection) and calls its callback. In Go, a receiver's field read swapped for a
        method of it with no arguments that takes a lock and returns that field (nats-server's
        `mset.node` read as `mset.raftNode()`, a data-race fix) is a `warning`; the swap back to
        the bare field is `high`, unless the function already holds that lock there. The method
        (returning the field, or a copy made under the lock) is looked for in the file's package."""),
    why_bad=dedent("""\
        `ConcurrentHashMap` to `HashMap`, `AtomicLong.incrementAndGet()` to `index++`, a dropped
        `volatile` or `synchronized`: each compiles, passes single-threaded tests and loses
        updates or hangs under load. An unbuffered channel makes every send wait for a receiver;
        a sender whose receiver has gone (a timeout, a shutdown) blocks forever. A stream made
        parallel runs its lambdas on several threads of the common fork-join pool at once: what
        they touch (a HashMap, a counter, a SimpleDateFormat, the request's or transaction's
        thread-local) is now shared, and the pool is shared with every other parallel stream of
        the JVM. Made sequential again, the work runs on the caller's thread, one element at a
        time: what relied on it finishing sooner (a timeout, a batch window) may not."""),
    known_problems=dedent("""\
        Units are matched by qualified name: a renamed method is compared with nothing. A
        primitive replaced by an equivalent the rule does not know (a project's own lock class)
        is reported as removed. Channels are matched in order of appearance within the unit.
        A class literal that a reflective factory instantiates (`create(ConcurrentHashMap.class)`)
        is not counted as a use, so replacing it is not seen. Parallel streams are counted per
        unit present on both sides: one moved into a new helper method is reported as gone from
        its old unit, and a new method with a parallel stream is not reported by this rule. A
        stream made parallel by a custom `ForkJoinPool.submit` or a library's parallel API
        (Reactor's `parallel()` on a Flux is counted, as the name is the same) is read by name."""),
    example=dedent("""\
        -    private final AtomicLong index = new AtomicLong();
        +    private long index;
             long next() {
        -        return index.incrementAndGet();
        +        return ++index;
             }"""),
    use_instead=dedent("""\
        Keep the primitive, or say in the checklist what now serialises the access (a single
        owning thread, a lock held by every caller)."""),
)

CHECK_THEN_ACT = Rule(
    id="DC705",
    name="check-then-create",
    category="shared-state",
    severity="warning",
    questions=("shared-state", "sequential-assumption", "concurrency-tested"),
    summary="Code checks that a row (or a concurrent map's entry) exists, then creates or writes it in a separate step.",
    languages=("ruby", "javascript", "typescript", "java", "go"),
    what_it_does=dedent("""\
        Reads each function as a syntax tree and reports a call that creates or saves a row
        (`create`, `create!`, `insert`; JS/TS `create`, `insert`, `insertOne`; `save`/`save!` on a
        variable assigned from `Model.new`/`build`) that follows, in the same function, a call checking for it through the same
        receiver (Ruby `exists?`, `find_by`, `where(…).any?/present?/none?/empty?/count/first`;
        JS/TS `findOne`, `findFirst`, `findUnique`, `findOneBy`, `findByPk`, `findById`, `count`,
        `exists`); also Ruby's read-or-create of a `has_one` association
        (`user.profile || user.create_profile!(…)`, `… || user.build_profile.tap(&:save!)`,
        `user.create_profile! unless user.profile`).
        Reported at the act, when the check or the act is on a changed line.

        Java: a method that reads an entry of a field declared as a concurrent map
        (`ConcurrentHashMap`, `ConcurrentMap`, `ConcurrentSkipListMap`) with `get`, `containsKey`
        or `getOrDefault` and later `put`s the same key (the key compared by its text), outside
        `synchronized`. Reported at the `put`, when the read or the `put` is on a changed line.
        And an `if` whose condition reads an entity's field through its getter
        (`ePerson.getSessionSalt()`) and whose body sets that field (`ePerson.setSessionSalt(…)`)
        and writes the entity back (a `save`, `saveAndFlush`, `update`, `merge`, `persist`,
        `updateById` or `store` call handed it), outside `synchronized`: reported at the `if`,
        when the `if`, the setter or the write is on a changed line (DSpace's session salt,
        generated when blank by every racing token request, apps-s).

        Go: a call named for an existence check (`HasRecentDuplicate`, `UserExists`, `IsTaken`,
        sqlc's `AlertLog_HasRecentDuplicate`) whose boolean result a later `if found {` tests (not
        `if !found`, a parent required first), followed in
        the same function by a call named for a write (`Insert…`, `Create…`, `Add…`, `Save…`,
        `Log…`, `Put…`, `Upsert…`, `Store…`), not on a logger and not in an `if err != nil` body
        (goalert's duplicate-suppressed alert log entry, apps-x). Reported at the write, when the
        check or the write is on a changed line."""),
    why_bad=dedent("""\
        Between the check and the write another worker, request or retry can do the same check
        and see the same answer: both create, and the table gets a duplicate (or the second
        insert fails on a unique index the code does not expect). A concurrent map makes each
        call atomic, not the pair: two threads read the same old entry, and the second `put`
        discards what the first wrote (a counter reset, an increment lost)."""),
    known_problems=dedent("""\
        Go's check and write are paired by their names alone, not by the row they name.
        Receivers are compared by their text (`prisma.user`, `Subscription`): a check through a
        scope and an act through an association of another name are not paired. A check inside
        a lock or a serialisable transaction is reported all the same: say so in the checklist.
        Only files the tree rules parse are checked: job code, a job system's source, `job_paths`,
        code that other files call in a repository with jobs, and any Ruby or JS/TS file whose
        changed lines hold both a creation (`create`, `insert`) and a lookup (`exists`, `find_by`,
        `findFirst`, `count`, `||`…): a request path is read like a job, as two requests race as
        two workers do. A check and a creation that cannot both run are not paired: opposite
        branches of one `if` (or of two `if`s on the same condition, written the same way, a
        modifier `if` too), two arms of a `case`/`switch`, or a check in a branch that returns
        (raises, throws) before the creation."""),
    example=dedent("""\
        def perform(user_id)
          return if Subscription.exists?(user_id: user_id)
          Subscription.create!(user_id: user_id)      # a second worker creates it too
        end"""),
    use_instead=dedent("""\
        A unique index and an insert that tolerates the conflict, e.g.

        Subscription.create_or_find_by!(user_id: user_id)
        await prisma.subscription.upsert({ where: { userId }, create: { userId }, update: {} })
        failures.compute(appId, (id, c) -> c == null || c.expired(now) ? new Counter(now) : c.next())"""),
)

UNGUARDED_MAP_WRITE = Rule(
    id="DC706",
    name="unguarded-map-write",
    category="shared-state",
    severity="warning",
    questions=("shared-state", "concurrency-tested"),
    summary=("A Go map (or `*rand.Rand`) field of a mutex-less struct, a Java static HashMap/ArrayList/SimpleDateFormat…, or a Ruby "
             "class-level variable is changed with no lock."),
    languages=("go", "java", "ruby"),
    what_it_does=dedent("""\
        Reads the file's syntax tree for struct types with a field of map type and no lock field
        (`sync.Mutex`, `sync.RWMutex`, `sync.Map`, a `Locker`; embedded or named), and reports
        a method of such a type that writes the map through its receiver (`r.m[k] = v`,
        `r.m[k]++`, `r.m[k] += n`, `delete(r.m, k)`) without calling `Lock`/`RLock` itself.
        Reported at the first such write of each method, when the write or the map field's
        declaration is on a changed line. Methods named `…Locked` are skipped (the convention
        for "the caller holds the lock"), and so is an unexported method the file calls only
        while building the value: from the type's constructor (`newX() *X`), or from methods
        called only so. No other goroutine can hold the value yet; nor can it while a decoder
        fills it (`UnmarshalYAML`, `UnmarshalJSON`, `Decode…`, `Scan`), which is skipped too.
        A `*rand.Rand` field of such a struct counts as a map does: a method that uses it (draws
        from it or hands it on) on a changed line, with no `Lock`, is reported at that use
        (screego's rooms began drawing room names for a request handler from the generator
        their event loop drew user names from, apps-ab 6bc29f93).

        Java: a `static` field whose type or initial value is a class that is not thread-safe
        (HashMap, HashSet, ArrayList, LinkedList, TreeMap, ArrayDeque, SimpleDateFormat,
        DecimalFormat, NumberFormat, MessageFormat…) on which a method that changes it (`put`,
        `remove`, `add`, `clear`, `compute`, `merge`; `format`/`parse` for formatters, which
        keep state in the instance) is called outside a `synchronized` block or method, a
        static initializer, or a method that takes a `Lock`. Reported at the first such call
        per field, when it or the field's declaration is on a changed line. A parameter or local
        variable of the same name is not the field (onedev's `init(Map<String, String> m)`
        fills the map it is handed, apps-x).

        Ruby: a class method's instance variable (`def self.x` or `class << self`: `@x = v`,
        `@x += 1`, `@x[k] = v`, `@x << v`, `@x.merge!(…)`) and a class variable (`@@x`) written
        in any method, on a changed line, with no `synchronize`/`with_lock` around it. Not lazy
        initialisation (`@x ||= …`, `defined?(@x)`, `… unless @x`), a setter (`def self.x=`) or
        a configuration method (`configure`, `setup`, `register`, `reset`), which run at boot.
        ArchivesSpace's CSV converter kept each import's header row in such a variable, with two
        import jobs running at once (apps-z af719de7)."""),
    why_bad=dedent("""\
        A value whose methods are called from several goroutines (a result backend, an enqueuer,
        a worker pool's cache) then writes one map concurrently. Go maps are not safe for that:
        the runtime aborts the whole process with "fatal error: concurrent map writes", or a
        reader sees a half-written map. Tests that call the methods one at a time pass. A
        static field in Java is shared by every thread of the JVM: a HashMap written by two
        threads loses entries (or, resized at once, loops forever), and a SimpleDateFormat used
        by two threads returns wrong dates. A Ruby class and its variables exist once per
        process: Puma's, Sidekiq's and a job runner's threads all read and overwrite the same
        value."""),
    known_problems=dedent("""\
        The rule cannot see which goroutines call the method: a type used by one goroutine only
        is reported too (say so in the checklist). A lock taken by every caller, or a lock in
        another struct, is not seen. Only maps declared as fields of a struct in the same file
        are followed (in Java, static fields only: an instance field of a shared singleton is
        not seen). Go files are parsed for it only when the family admits them (job code, a
        job system's source, `job_paths`) or when their changed lines mention `map[` or
        `delete(` (or `rand`, in a file that declares a `*rand.Rand`); Java files only when the family admits them (they name an executor, a
        thread, a scheduler or a listener, or belong to a job system)."""),
    example=dedent("""\
        type Enqueuer struct {
            knownJobs map[string]int64
        }

        func (e *Enqueuer) addToKnownJobs(name string) {
            e.knownJobs[name] = time.Now().Unix()   // Enqueue runs on many goroutines
        }"""),
    use_instead=dedent("""\
        Guard the map with a mutex held by every method that reads or writes it, or use sync.Map:

        type Enqueuer struct {
            mu        sync.Mutex
            knownJobs map[string]int64
        }

        func (e *Enqueuer) addToKnownJobs(name string) {
            e.mu.Lock()
            defer e.mu.Unlock()
            e.knownJobs[name] = time.Now().Unix()
        }"""),
)

CONTINUATION_HOISTED = Rule(
    id="DC707",
    name="no-longer-waits",
    category="concurrency",
    severity="warning",
    questions=("shared-state", "sequential-assumption", "concurrency-tested"),
    summary="JS/TS: work that waited for other work now runs beside it (a call out of a `.then`, awaits made at once).",
    languages=("javascript", "typescript"),
    what_it_does=dedent("""\
        Compares each changed function with its counterpart on the base, read as syntax trees: a
        call (by its callee, `this._sendNext`) that the base made only inside callbacks given to
        `.then`, `.catch` or `.finally` within the function, and that the head makes outside any
        such callback. Reported at the head's call, when it is on a changed line. Logging calls
        are ignored. Also, in any server file (not a browser bundle, a `.jsx`/`.tsx` file or a web
        UI folder), whether or not it names a job API: a `Promise.all`/`Promise.allSettled` on a
        changed line that runs calls the function's base awaited one at a time (`await
        this.save(x)` statements, or in a loop; not inside a callback handed to a call), when one
        of those calls is named for a write (its last name starts with `create`, `update`, `save`,
        `ensure`, `emit`, `insert`, `upsert`, `delete`, `send`, `publish`, `increment`… as a word).
        Reported at the `Promise.all`."""),
    why_bad=dedent("""\
        The call usually starts the next piece of work (the next publish, the next job, the next
        poll). Made in the continuation, one piece is in flight at a time; made before the
        promise settles, several are, and their completions arrive in any order. Code written
        for one at a time then breaks: `pending.shift()` on completion removes the oldest entry,
        not the one that completed; a counter or cursor is read and written by overlapping
        pieces. Awaits made at once race the same way: two get-or-creates of one account both
        see it absent and both insert; events emitted at once arrive in any order."""),
    known_problems=dedent("""\
        Only promise chains in one function are followed: a call moved from after an `await` to
        before it is not seen, nor one moved into another function. Callees are compared by their
        text. The first reading runs only in JS/TS files the tree rules read (they name a job or
        queue API, belong to a job system, or match `job_paths`). The second tells a write by the
        callee's name: reads run at once (`getAccount`, `toJsonLd`) are not reported, nor a write
        helper named otherwise; `Promise.all` over calls the base did not await one at a time
        (new code, or `forEach(async …)` before) is not reported either."""),
    example=dedent("""\
        publishNext() {
            const message = this.queue.shift();
            this.unconfirmed.push(message);
            const sent = this.channel.publish(message);
            this.publishNext();                      // was in .then below: now several are in flight
            return sent.then(() => { this.unconfirmed.shift(); message.resolve(); });
        }"""),
    use_instead=dedent("""\
        Keep the next call in the continuation, or make the completion find its own entry (by id,
        not by position) and say in the checklist how many may be in flight:

        sent.then(() => { this.unconfirmed.delete(message.id); message.resolve(); })"""),
)

ENQUEUED_IN_TRANSACTION = Rule(
    id="DC708",
    name="enqueued-in-transaction",
    category="shared-state",
    severity="warning",
    questions=("shared-state", "sequential-assumption", "rollback-safe"),
    summary="Ruby or JS/TS code enqueues a job inside a database transaction.",
    languages=("ruby", "javascript", "typescript"),
    what_it_does=dedent("""\
        Reads each changed Ruby or JS/TS file as a syntax tree and reports a call that hands work
        to a queue (Ruby `perform_later`, `perform_async`, `perform_in`, `perform_at`,
        `perform_bulk`, `deliver_later`; JS/TS `add` on a receiver named like a queue, `addBulk`,
        `enqueue`, `sendToQueue`; in Ruby also a call of a method of the repository whose body
        enqueues, found by name as DC715 finds it, `WebhookService.create_webhook_job(…)`) inside
        the block of a transaction: a call whose name holds
        `transaction` (`ActiveRecord::Base.transaction`, an app's `in_audited_transaction`,
        Prisma's `$transaction`, Sequelize's, TypeORM's and Knex's `transaction`) or Ruby's
        `with_lock`/`lock!`, which open one; and a model's save callback (`after_update`,
        `after_save`, `before_create`…, not the `…_commit` ones) with its block or the method it
        names, which run inside the save's own transaction. Work enqueued in an `after_commit` (or
        `after_all_transactions_commit`, `afterCommit`) block inside it is not reported. Reported
        at the enqueue, when it or the transaction's call is on a changed line. Python's
        DC340 reads the same hazard in Python."""),
    why_bad=dedent("""\
        A worker can take the job the moment it is enqueued, before the transaction commits: it
        looks for rows that are not visible yet and fails or does nothing, or it reads the old
        values. If the transaction rolls back, the job runs all the same, for something that
        never happened."""),
    known_problems=dedent("""\
        Transactions are recognised by the name of the call, so a helper that opens one under
        another name is not seen, and a method defined inside the block is not read. An enqueue
        through a Ruby helper is found one call deep, like DC715's producers (a helper of a
        helper is not seen; JS/TS helpers are not read). Rails 7.2's
        `enqueue_after_transaction_commit` and a queue stored in the same database (good_job,
        solid_queue, que, pg-boss) make the enqueue commit with the transaction: the finding
        stays, say so in the checklist. Only files the tree rules read are checked (those that
        name a job API, job folders, `job_paths`, a job system's source)."""),
    example=dedent("""\
        ActiveRecord::Base.transaction do
          order.update!(status: "paid")
          ReceiptJob.perform_async(order.id)   # a worker may run it before the commit
        end"""),
    use_instead=dedent("""\
        ActiveRecord::Base.transaction do
          order.update!(status: "paid")
        end
        ReceiptJob.perform_async(order.id)     # or enqueue from an after_commit callback"""),
)


GUARD_CHANGED = Rule(
    id="DC709",
    name="write-guard-changed",
    category="shared-state",
    severity="warning",
    questions=("shared-state", "sequential-assumption", "concurrency-tested"),
    summary="A JS/TS ORM update that only writes a row still in the expected state gained, lost or changed that condition.",
    languages=("javascript", "typescript"),
    what_it_does=dedent("""\
        Reads both sides of a changed JS/TS file that filters an update, in any application,
        with or without jobs, and finds each ORM update whose filter names a field the same
        update sets: Prisma's `update`/`updateMany({ where: { id, status: { not: 'SIGNED' } },
        data: { status: 'SIGNED' } })`, Sequelize's `update({ status }, { where: { id, status } })`.
        That update is a compare-and-set on those fields (its guard). When a function present on
        both sides updates the same model with a guard the base's updates of it there did not
        have (one added, dropped or changed; compared with the base's updates that set any of the
        same fields), the finding is reported at the update; a guarded
        update gone from a function that is still there is reported on the base."""),
    why_bad=dedent("""\
        Two requests or workers that both read the row before reach the update together. With
        the guard, one of them changes the row and the other matches nothing (a count of 0, a
        not-found error); without it, both write and both go on to do the transition's side
        effects twice. Adding or removing the guard changes which of these happens, and what
        the losing caller does then is the question to answer."""),
    known_problems=dedent("""\
        Only object literals are read: a filter or data built elsewhere, or spread into the call,
        is not. Raw SQL (`UPDATE … WHERE status = …`) is read by the Python and pattern rules,
        not here. Updates are matched by the last name of their receiver (`tx.recipient`,
        `prisma.recipient` and `Recipient.unscoped()` are one model) within the innermost named
        function, and only with base updates that set a field in common. Only files whose changed
        lines say `update` or `where` are read."""),
    example=dedent("""\
        await prisma.$transaction(async (tx) => {
          const { count } = await tx.recipient.updateMany({
            where: { id, signingStatus: { not: 'SIGNED' } },   // was: where: { id }
            data: { signingStatus: 'SIGNED', signedAt: new Date() },
          });
          if (count === 0) throw new AlreadySigned();
        });"""),
    use_instead=dedent("""\
        Keep the change if it is the fix, and answer the checklist: say what the caller that
        matches nothing does (retry, report "already done", roll back), and test two concurrent
        calls."""),
)


SINGLETON_STATE_CHANGED = Rule(
    id="DC710",
    name="singleton-state-changed",
    category="shared-state",
    severity="warning",
    questions=("shared-state", "concurrency-tested"),
    summary="A method of a Spring singleton bean writes, or changes which of, its fields that are neither final nor injected.",
    languages=("java",),
    what_it_does=dedent("""\
        Reads each changed Java file that declares a singleton bean (a class annotated
        `@Component`, `@Service`, `@Repository`, `@Controller`, `@RestController`,
        `@Configuration`, `@ControllerAdvice` or `@RestControllerAdvice`, without `@Scope` or
        `@RequestScope`), in any application, and finds its shared fields: instance fields that
        are not `final`, `static` or `volatile`, carry no annotation (`@Autowired`, `@Value`,
        `@Resource`… inject or bind them once) and are not of a concurrent type (`AtomicLong`,
        `ConcurrentHashMap`…). A changed method of the bean is reported when it assigns such a
        field on a changed line (`this.builder = …`, `count++`), or when the set of such fields
        it reads or writes differs from the same method's on the base (one more, one fewer). Not
        reported: constructors, setters with one parameter, and the callbacks the container calls
        once before the bean serves anyone (`afterPropertiesSet`, `@PostConstruct`, `@Autowired`,
        `@Bean` methods). A bare name that the method binds itself (a parameter, a local) is not
        the field. Reported at the write, or over the method's changed lines."""),
    why_bad=dedent("""\
        A singleton bean is one object for the whole application: every request thread calls its
        methods at the same time. A field that is neither final nor injected is state those threads
        share, with no lock: a builder, a buffer or a "current user" kept in a field is filled in
        by two requests at once, and one of them gets the other's token, total or row. Tests call
        the method once at a time and pass. A method that stops or starts using such a field
        changes what concurrent requests share."""),
    known_problems=dedent("""\
        Java only (Kotlin properties are not read). The rule does not know whether a field's object
        is itself thread-safe (a field holding an immutable parser, set once in `afterPropertiesSet`,
        counts as shared): say so in the checklist. Beans declared by `@Bean` methods or XML, and
        fields written through a getter's returned object, are not seen. Fields are matched by
        name within the class that declares them, not through inheritance."""),
    example=dedent("""\
        @Component
        public class TokenProvider implements InitializingBean {
            private JwtBuilder jwtBuilder;              // set once in afterPropertiesSet

            public String createToken(User user) {
                return jwtBuilder.setClaims(claims(user)).compact();   // concurrent logins fill one builder
            }
        }"""),
    use_instead=dedent("""\
        Keep per-call state in locals (a new builder per call), make shared fields final and
        immutable, or guard them:

        public String createToken(User user) {
            return Jwts.builder().setClaims(claims(user)).signWith(signingKey).compact();
        }"""),
)

SHUTDOWN_HOOK_CHANGED = Rule(
    id="DC711",
    name="shutdown-hook-changed",
    category="concurrency",
    severity="warning",
    questions=("sequential-assumption", "concurrency-tested"),
    summary=("A Java/Kotlin bean's shutdown callback (DisposableBean, Lifecycle, @PreDestroy) was added, removed or "
             "changed, or a thread pool is started or stopped anew."),
    languages=("java", "kotlin"),
    what_it_does=dedent("""\
        Reads both sides of a Java or Kotlin file whose changed lines name `DisposableBean`,
        `Lifecycle`, `@PreDestroy` or `destroy`, or that declares a hook (`@PreDestroy`,
        `DisposableBean`, `SmartLifecycle`, `implements Lifecycle`, `destroyMethod`) or registers a
        JVM shutdown hook, in any application, and finds its shutdown hooks: a
        class's `implements DisposableBean`, `SmartLifecycle` or `Lifecycle` (reported at the line
        that names the interface), a method annotated `@PreDestroy`, the `destroy()` or
        `stop()` of a class implementing the matching interface, and the method a
        `@Bean(destroyMethod = "…")` of the file names on a class of the file. A hook added, or
        changed on a line of code (not a comment, a blank or a line only respaced), is reported
        over its changed lines, and one that only lost lines of code over them on the base; one
        removed (with its method still elsewhere in the file or not) is reported on the base. An
        import that makes a hook's
        `@PreDestroy` name another type (`jakarta.annotation` swapped for `javax.annotation`, or
        back) is reported at the import: a container reads one of them only. A JVM shutdown hook
        registered by hand (`Runtime.getRuntime().addShutdownHook(…)`, `removeShutdownHook`) added,
        changed or removed is reported at the call, by the method around it; the thread written in
        the call or held in a local of that method for it is the hook's. In Java, a call that starts
        or stops a thread pool the class holds (a field or local typed `ExecutorService`,
        `ThreadPoolExecutor`, `ThreadPoolTaskExecutor`, `ForkJoinPool`, Jetty's `QueuedThreadPool`…:
        `start()`, `stop()`, `shutdown()`, `shutdownNow()`, `close()`, `awaitTermination(…)`) on a
        changed line, that its method did not make as often on the base, is reported at the call."""),
    why_bad=dedent("""\
        The container calls these when the application stops, which every deploy and restart does,
        in an order it picks among the beans. A new hook stops or releases something (workers,
        plugins, a pool, a connection) that background work still running may need, or cuts that
        work off mid-way; a removed one leaves it running until the process is killed, so a job
        stops half-done instead of finishing or handing back its lease. Tests rarely close the
        context while work is in flight."""),
    known_problems=dedent("""\
        Hooks are recognised by name: a `destroyMethod` named in XML or for a class of another
        file, and `AutoCloseable.close` (most classes with one are no bean), are not read. A JVM hook
        registration moved to another method reads as one removed and one added. A class that inherits the interface from a superclass
        of another file is not seen."""),
    example=dedent("""\
        class PluginManager extends DefaultPluginManager implements DisposableBean {
            @Override
            public void destroy() {        // the context now stops every plugin on shutdown
                stopPlugins();
                unloadPlugins();
            }
        }"""),
    use_instead=dedent("""\
        Keep the change if shutdown needs it, and answer the checklist: say what the hook stops,
        in which order relative to the workers and pools that use it (`SmartLifecycle.getPhase`,
        `@DependsOn`), and how long in-flight work gets (a graceful-shutdown timeout)."""),
)


TRANSACTION_RETRY_CHANGED = Rule(
    id="DC712",
    name="transaction-retry-changed",
    category="shared-state",
    severity="warning",
    questions=("shared-state", "sequential-assumption", "concurrency-tested"),
    summary="Go code changed in a function that retries database transactions.",
    languages=("go",),
    what_it_does=dedent("""\
        Reads each changed Go file that names a retry (`retr`, `attempt`) and a transaction, in
        any application, and reports each top-level function or method with changed code (not
        only comments) that both retries and handles a transaction: a `for` loop whose header
        names a retry budget or an attempt count (`for range MaxTransactionRetries`, `for attempt
        := 0; attempt < n; attempt++`) or a call to a retry helper (`crdb.ExecuteInTx`,
        `ExecuteTx`, any call whose name holds `retry`), and a call that opens, commits or rolls
        back a transaction (`Transaction`, `NewTransaction…`, `BeginTx`, `Begin`, `Commit`,
        `Rollback`, `ExecuteInTx`, `RunInTx`…). Reported over the function's changed lines."""),
    why_bad=dedent("""\
        Such a function is where concurrent writers meet: it decides which transactions run
        their callback again after a serialization failure or a conflict, how many times, and at
        which isolation level. A dialect added to its retry path, a retry budget changed or a
        counter now carried across attempts changes what two requests or workers that collide
        end up writing, and any work the callback does outside the database (a message sent, a
        job enqueued, a counter bumped) runs once per attempt. Tests run one writer at a time
        and never see a retry."""),
    known_problems=dedent("""\
        The function is recognised by names: a retry loop whose header names neither a retry nor
        an attempt (`for i := 0; i < 3; i++`), or a transaction opened through a helper of
        another name, is not seen; a loop that retries an HTTP call in a function that also
        commits a transaction is reported all the same. A function that only hands a closure
        to such a retrier (another function of the file) is not reported: only the retrier is."""),
    example=dedent("""\
        switch conn.Dialect.Name() {
        case "postgres", "mysql", "yugabyte":      // yugabyte's transactions now retry here
            for range MaxTransactionRetries {
                tx, _ := conn.NewTransaction()
                if err = callback(tx); err == nil {
                    err = tx.Commit()
                }
                ...
            }
        }"""),
    use_instead=dedent("""\
        Keep the change if it is the fix, and answer the checklist: say which callbacks go
        through the loop, that they are safe to run twice (no work outside the transaction, or
        work that is idempotent), and test two conflicting writers."""),
)


PRODUCER_CHANGED = Rule(
    id="DC715",
    name="job-producer-changed",
    category="queue",
    severity="warning",
    # rollback-safe too: whether the runs already queued accept what the new code hands them (a
    # new user's trial, session 26, found the question that asks it without this evidence).
    questions=("shared-state", "sequential-assumption", "concurrency-tested", "rollback-safe"),
    summary="Ruby, JS/TS or Go code that enqueues a job gained an enqueue, or changed what it hands the job.",
    languages=("ruby", "javascript", "typescript", "go"),
    what_it_does=dedent("""\
        Reads each changed Ruby file that enqueues a job, in any application, jobs or not. An
        enqueue is a direct one (`perform_later`, `perform_async`, `perform_in`, `perform_at`,
        `perform_bulk`, `Resque.enqueue…`, delayed_job's `Delayed::Job.enqueue(…)` and a call made
        through `.delay` (`Mailer.delay(queue: "mail").digest(id)`); the noticed gem's
        `CommentNotifier.with(…).deliver(users)`, whose deliveries run as jobs, and a notifier
        class's `deliver_by :email` (a job per recipient); a bare `perform_at(…)` inside
        a job class's own method; a mailer's `deliver_later`, which queues the mail as a job) or a
        call of a method of the repository whose body holds one (`family.sync_later`,
        `Dispatcher.defer_build_and_post(user, post, opts)`, `Worker.schedule_email(…)`), found by
        name at head; a call on `self` of a name several files define is the calling file's own.
        A wait the enqueue sets (`wait:`, `wait_until:`, `run_at:`, `perform_in`'s delay) is said
        in the message. Reported: an enqueue on a changed line that its method did not
        hold on the base (the same call re-indented or moved within the method is not new), at
        the method's `def` when the whole method is new; and, in a method present on both sides
        and not the same tree once comments and formatting are removed, a changed line before an
        enqueue that names a variable the enqueue hands on (its arguments, and the receiver of a
        producer method). Also reported: a job that a method queued on the base
        (`ChargeJob.perform_later(id)`) and runs itself on a changed line of the head
        (`ChargeJob.perform_now(id)`, Sidekiq's `perform_inline`): the work moved into the caller;
        and a mail that a method sent on the base (`Mailer.report(x).deliver_now`) and queues on
        the head (`deliver_later`), or the other way: the mail moved into a job, or out of one;
        the same job enqueued another way (`perform_async` made `perform_in(5.seconds, …)`): it
        runs at another time. In all three languages, an enqueue the base held alike but under
        other conditions (an `if`, `unless` or modifier added around it, or gone) is reported:
        the job (or the mail) now starts in other cases (fat_free_crm's comment notifications,
        queued only for the subscribers who keep them on, apps-s).

        In JavaScript and TypeScript, a changed line that enqueues through a job library's own
        call, where its function (or, outside any named function, the file) did not hold the
        same call on the base: BullMQ's and Bull's `add`/`addBulk` on a receiver named for a
        queue (`exportQueue.add(…)`; not one the file binds to a `Set`, an array or p-queue's
        `PQueue`), pg-boss's `send`/`sendAfter`/`sendThrottled`/`sendDebounced`/`insert` on a
        receiver named for the boss, graphile-worker's `addJob`/`quickAddJob` (a wrapper keeping
        the name too), Agenda's `agenda.now`/`schedule`/`every`, amqplib's `sendToQueue`, a
        kafkajs producer's `send`, trigger.dev's `tasks.trigger`/`batchTrigger`/`triggerAndWait`
        (or a `…Task`'s, in a file importing its SDK) and Inngest's `inngest.send`.

        In Go, the same for asynq's `Enqueue`/`EnqueueContext`, machinery's `SendTask…`,
        `SendChain…`, `SendGroup…` and `SendChord…` and River's `Insert…` in a file importing the
        library, and a repository's own task queue: a call named for appending, enqueueing,
        submitting or scheduling a task or a job (`task.AppendTaskWithTimeout(…)`) on an imported
        package, or handed a function. In both languages, an enqueue the base held alike but
        under other conditions (an `if` added around it, or gone) is reported at the condition:
        the job now starts in other cases."""),
    why_bad=dedent("""\
        The job's own code did not change, so nothing else asks about it, but what it does
        depends on who starts it and with what. A new place that enqueues it means more runs at
        once (two syncs of one family, two deliveries of one post) and runs in an order no one
        tested; a changed argument or a record written after it was handed on means the worker
        reads other input, or a row that is not there yet when it runs."""),
    known_problems=dedent("""\
        In Ruby, a producer method is found one call deep and by name: a method of another
        class with the same name counts as a producer too, a wrapper of a wrapper is not followed,
        and names too generic to tell apart (`call`, `perform`, `create!`, `save`) are never
        followed. A method's extent is read from the `def` and the `end` at its indentation.
        A method whose body only delivers mail later is not followed as a producer (only a
        direct `deliver_later` on a changed line is read). A variable is matched by its name on the
        changed line, whatever the line does with it; an enqueue removed is not reported by this
        rule, unless the same method now runs that job itself. In JS/TS only the library's own
        calls are read, told by the receiver's name (an untyped object holds the queue): a queue
        held in a variable named otherwise (`q.add(…)`) is not seen, and a wrapper of the
        library's call is seen only when it keeps `addJob`'s name."""),
    example=dedent("""\
        def sync_all                        # new action: one more producer of SyncJob
          family.sync_later                 # Family#sync_later: SyncJob.perform_later(self)
        end

        def create!(options = {})
          relayable = build(options)
          add_root_author(relayable)        # changes what the dispatch job delivers to
          Dispatcher.defer_build_and_post(@user, relayable, @opts)
        end"""),
    use_instead=dedent("""\
        Keep the change if it is meant, and answer the checklist: say whether the job tolerates
        more concurrent runs (a lock, a uniqueness key, a debounce) and what it now reads."""),
)


ACTIVITY_OPTIONS_CHANGED = Rule(
    id="DC713",
    name="temporal-options-changed",
    category="config",
    severity="warning",
    questions=("sequential-assumption", "concurrency-tested", "silent-failure"),
    summary="A Temporal activity's, workflow's or worker's timeout, heartbeat, retry policy, task queue or concurrency setting changed.",
    languages=("javascript", "typescript", "go", "java", "kotlin"),
    what_it_does=dedent("""\
        Reads each changed JS/TS, Go, Java or Kotlin file that uses Temporal (imports
        `@temporalio/…`, a `nestjs-temporal…` wrapper, `go.temporal.io/…` or `io.temporal.…`)
        as a syntax tree on both sides, and reports each setting of how activities, workflows and
        workers run that a changed line adds, removes or gives another value, with the old and
        the new value: timeouts (`startToCloseTimeout`, `scheduleToCloseTimeout`,
        `scheduleToStartTimeout`, `heartbeatTimeout`, the workflow execution, run and task
        timeouts), retries (`retry`/`RetryPolicy`/`setRetryOptions`, `maximumAttempts`,
        `initialInterval`, `backoffCoefficient`, `maximumInterval`, `nonRetryableErrorTypes`,
        `setDoNotRetry`), the `taskQueue`, and a worker's concurrency and rate limits
        (`maxConcurrentActivityTaskExecutions`, Go's and Java's
        `MaxConcurrentActivityExecutionSize`, `…WorkflowTaskExecutionSize`, pollers,
        activities per second). TypeScript's are object keys (`proxyActivities({…})`,
        `Worker.create({…})`), Go's keyed fields (`workflow.ActivityOptions{…}`,
        `temporal.RetryPolicy{…}`, `worker.Options{…}`), Java's and Kotlin's builder setters
        (`ActivityOptions.newBuilder().setHeartbeatTimeout(…)`). A setting whose value is the
        same on both sides (moved, re-indented) is no change. Python's keyword arguments
        (`start_to_close_timeout=`, `retry_policy=`, `heartbeat_timeout=`, `task_queue=`,
        `max_concurrent_activities=`) are job-execution-setting-changed (DC515)'s."""),
    why_bad=dedent("""\
        These settings never show in an activity's code, yet they decide whether it runs twice:
        an attempt that outlives its start-to-close or heartbeat timeout is retried on another
        worker while the first may still be running, a retry policy repeats every side effect of
        the activity, a dropped heartbeat timeout leaves a dead worker's activity unnoticed until
        the start-to-close timeout, a new task queue sends the work to whichever workers poll it
        during the deploy, and a worker's concurrency decides how many run at once. Tests run
        one attempt, on one worker, with the timeouts never reached."""),
    known_problems=dedent("""\
        The settings are recognised by name in a file that uses Temporal, wherever they are
        written: a `taskQueue` given to a client's `workflow.start` counts (it decides which
        workers run the workflow), and so would a `retry: {…}` object of another library in the
        same file. Settings built elsewhere and passed in (`proxyActivities(opts)`) are seen
        where they are written. A new file (a new workflow version) is judged as code by
        background-code-changed (DC701), not compared with the version it copies."""),
    example=dedent("""\
        const { publish } = proxyActivities<typeof activities>({
          startToCloseTimeout: '30 minutes',
          heartbeatTimeout: '2 minutes',   // removed: a dead worker is noticed after 30 minutes
        });"""),
    use_instead=dedent("""\
        Keep the change if it is intended, and answer for its consequence: make the activity
        idempotent before it can be retried or outlive its timeout, heartbeat from long
        activities that have a heartbeat timeout, and move a task queue in two deploys (workers
        poll both first)."""),
)


WORKFLOW_NONDETERMINISM = Rule(
    id="DC714",
    name="workflow-nondeterminism",
    category="job",
    severity="warning",
    questions=("sequential-assumption", "concurrency-tested", "silent-failure"),
    summary="A Go or Java/Kotlin Temporal workflow now reads the clock or randomness, sleeps, or starts a thread or goroutine.",
    languages=("go", "java", "kotlin"),
    what_it_does=dedent("""\
        In the code that background-code-changed (DC701) reads as a Temporal workflow (a Go
        function taking a `workflow.Context` or registered with `RegisterWorkflow`, a Java or
        Kotlin class implementing a workflow interface), reports each call on an added line to
        Go's `time.Now`/`Since`/`Until`/`Sleep`/`After`/`Tick`/`NewTimer`/`NewTicker`/`AfterFunc`,
        `math/rand` or `crypto/rand`, `github.com/google/uuid`'s `New`/`NewString`/`NewRandom`…
        (also under a dot import), a `go` statement, or Java's `System.currentTimeMillis()`,
        `System.nanoTime()`, `Instant.now()` (and `LocalDateTime`, `LocalDate`, `ZonedDateTime`,
        `OffsetDateTime`), `UUID.randomUUID()`, `Math.random()`, `Thread.sleep()`, `new
        Random()`, `new Thread()`, `new Date()`, `ThreadLocalRandom.current()`, Kotlin's
        `Random.next…()`, written with their package (`java.util.UUID.randomUUID()`) or
        statically imported too, with what the SDK offers instead. Not inside a
        closure given to `SideEffect`/`MutableSideEffect` (recorded, not replayed), and not when
        the file held as many such calls before (moved or re-indented). TypeScript's and Python's
        workflow sandboxes make the clock and randomness deterministic or refuse them, so those
        languages are not read."""),
    why_bad=dedent("""\
        Temporal replays a workflow from its history whenever a worker picks it up again: after a
        restart, a deploy, a cache eviction. A workflow whose decisions depend on the wall clock,
        a random number or a thread's timing asks for other commands on replay than it did the
        first time, and the workflow task fails with a non-determinism error, leaving every
        running workflow of that type stuck after the deploy. Tests run each workflow once and
        never replay it."""),
    known_problems=dedent("""\
        Calls are recognised by how they are written (`time.Now()` through the file's name for
        the `time` package, `Instant.now()` as such): a helper of another file that reads the
        clock is not seen, and a clock read only for a log line, which does not change the
        workflow's commands, is reported all the same."""),
    example=dedent("""\
        func OrderWorkflow(ctx workflow.Context, id string) error {
            if time.Since(start) > time.Hour {   // workflow.Now(ctx).Sub(start) instead
                return workflow.ExecuteActivity(ctx, Expire, id).Get(ctx, nil)
            }"""),
    use_instead=dedent("""\
        Use the SDK's deterministic forms (`workflow.Now`, `workflow.Sleep`, `workflow.Go`,
        `workflow.SideEffect`; `Workflow.currentTimeMillis`, `Workflow.sleep`,
        `Workflow.randomUUID`, `Workflow.newRandom`), and guard a change of a running
        workflow's logic with `workflow.GetVersion`."""),
)


DATABASE_JOB_SQL_CHANGED = Rule(
    id="DC716",
    name="database-job-sql-changed",
    category="queue",
    severity="warning",
    questions=("shared-state", "sequential-assumption", "concurrency-tested"),
    summary="SQL that Postgres runs as a job (pg_cron schedules, pgmq queues), in a string of the code or a `.sql` file, changed.",
    languages=("ruby", "javascript", "typescript", "go", "java", "kotlin", "sql"),
    what_it_does=dedent("""\
        Reads the string literals of a changed file that mentions `cron.` or `pgmq.`. A string
        that calls pg_cron's scheduler (`cron.schedule`, `cron.schedule_in_database`,
        `cron.alter_job`) or any pgmq function (`pgmq.pop`, `pgmq.send`, `pgmq.read`, or
        Supabase Queues' `pgmq_public.pop`; the names quoted too, as schema dumps write them:
        `"pgmq"."send"(…)`) is job SQL, and so is a string that defines a
        database function (`create or replace function name`, the name schema-qualified or
        quoted too) that job SQL calls, and on through the functions that one calls, and a
        string the job SQL takes by name (a constant substituted into it or handed to it as a
        bind parameter: the scheduled command). Literals joined by `+` are one string. A `.sql`
        file (a migration) is read the same way, each statement one SQL text. A function is job
        SQL too when a pg_cron schedule in another file of the repository runs it (a later
        migration replacing the function an earlier one scheduled). A changed line inside job
        SQL is reported, with what makes the string or statement job SQL."""),
    why_bad=dedent("""\
        With pg_cron and pgmq the database is the job runner: it drains the queue and calls the
        application on a schedule of its own. The SQL that does it names no job API a reader
        would notice, so a change to a timeout, a retry or the order in which messages are
        popped and handed on changes every job's delivery while looking like setup code."""),
    known_problems=dedent("""\
        Functions are matched by name, without their schema: a function of the same name as a
        scheduled one counts. Another file's schedule is read for the functions its command
        calls (in the 200 first files that call pg_cron's scheduler); a job that `.sql`
        migrations unschedule by name as often as they schedule it runs nothing (an unschedule
        in a code file may be a rollback's, and is not counted). A function that only another
        file's pgmq-draining function calls is followed within one file only. SQL comments are
        left out in `.sql` files, not in the code's strings. Named strings are matched by name in
        the file's strings only."""),
    example=dedent("""\
        await db.execute(sql.raw(`
          create or replace function call_job_endpoint(body text) returns text as $$
          begin
            perform http_set_curlopt('CURLOPT_TIMEOUT', '1');  -- changed: every job's delivery
            ...
        `));
        await db.execute(sql`create or replace function process_jobs() returns text as $$
          ... select * into msg from pgmq.pop('jobs'); perform call_job_endpoint(msg.message::text); ...`);"""),
    use_instead=dedent("""\
        Nothing to rewrite: answer the checklist. Check what a job the database hands on
        twice, late or not at all does to the rows it touches."""),
)


UNAWAITED_ASYNC_CALL = Rule(
    id="DC717",
    name="unawaited-async-call",
    category="concurrency",
    severity="warning",
    questions=("sequential-assumption", "concurrency-tested"),
    summary="JS/TS: a new call of an async function of the file, or of a module it imports, that nothing awaits.",
    languages=("javascript", "typescript"),
    what_it_does=dedent("""\
        Reads a changed JavaScript or TypeScript file of a server (not `.jsx`/`.tsx`, not web UI
        folders, not what a server sends to browsers) whose changed lines call a function the file
        declares `async` (`async function f`, `const f = async (…) =>`, a class's `async m()`,
        called as `f(…)` or `this.m(…)`), or one a module of the repository it imports by a
        relative path declares so (`exports.f = async …` too): `m.f(…)` after `const m =
        require('./m')`, `import * as m` or a default import, and `f(…)` or its local name after
        `import { f }`, `import { f as g }` or `const { f } = require('./m')`; `./m.js` is read as
        `./m.ts` (etherpad's admin handler, apps-u a5413d72). Reported: such a call that is a statement of its own, its
        promise dropped, where the same statement was not in its function on the base. A call that
        is awaited, returned, assigned, passed on, chained (`.then`/`.catch`) or marked `void` is
        not reported: what it does with the promise is said."""),
    why_bad=dedent("""\
        The call starts work that outlives its caller: a request answers, or a job reports done,
        while it still runs, beside what follows and beside the same call from the next request
        or job. Writes that used to happen in order now interleave, and a failure becomes an
        unhandled rejection (which ends a Node process by default) instead of an error the caller
        sees."""),
    known_problems=dedent("""\
        Only async declarations of the file and of the modules it imports by a relative path
        are read: a package's function, an object's method (`service.search(…)` on an injected
        service) or a re-export through an index module is not known to return a promise. A
        function that returns a promise without being declared `async` is not seen."""),
    example=dedent("""\
        if (options.searchNow && !movie.hasFile) {
          this.searchMovie(movie.id);   // async searchMovie(id) { … }: nothing waits for it
        }"""),
    use_instead=dedent("""\
        await this.searchMovie(movie.id);
        // or, when it is meant to run alongside, say so and handle its failure:
        void this.searchMovie(movie.id).catch((e) => logger.error(e));"""),
)


TUNABLE_CHANGED = Rule(
    id="DC718",
    name="retry-or-concurrency-setting-changed",
    category="config",
    severity="warning",
    questions=("sequential-assumption", "concurrency-tested", "silent-failure"),
    summary="JS/TS, Go or Ruby: a retry, backoff or concurrency setting got another value.",
    languages=("javascript", "typescript", "go", "ruby"),
    what_it_does=dedent("""\
        Reads every changed non-test JavaScript or TypeScript file for object properties whose
        key says how often work is tried (`attempts`, `maxAttempts`, `maxRetries`, `retryDelay`),
        how long it waits between tries (`backoff`) or how much runs at once (`concurrency`,
        `prefetch`), and whose value holds a number on a changed line: reported when the value
        differs from the same key's in the same function (or module) on the base. A
        configuration module's defaults are read this way; in a file importing a job library
        (BullMQ, Bull, Agenda, kafkajs, amqplib) DC510 and DC521 read them instead.

        In Go, the same for a constant or variable with one value, a composite literal's keyed
        field and a settings struct's field with a `default:"…"` tag, named for tries, backoff,
        concurrency, prefetch or parallelism, or for a count of what runs at once (`subMaxChans`,
        `MaxConns`, `defaultOperatorSlots`, `maxInflight`, `poolSize`, `queueSize`): hatchet's
        RabbitMQ subscriber channel pool cut from 100 to 10 passed every gate in a new user's trial
        (session 27). A count named for workers is the go pack's DC519's; a file importing a job
        library (asynq, River, machinery, Temporal…) is left to the packs' DC519 and DC713.

        In Ruby, the same for a hash pair (`retries: 3`, `'max_threads' => 4`), a setter call
        with its key first (traject's `provide 'solr_writer.thread_pool', 3`, Sinatra's `set
        :concurrency, 5`) and an assignment (`config.x.worker_threads = 8`, `MAX_RETRIES = 2`),
        named for tries, backoff, concurrency, prefetch, parallelism, threads, a pool's size or
        processes. A Ruby setting added to a block or method that was already there replaces a
        default and is reported too: bibdata's indexing job posted to Solr from three threads
        instead of one by a line added to its traject settings (apps-ad). A file writing
        `sidekiq_options` or `retry_on` is left to the ruby pack."""),
    why_bad=dedent("""\
        A job library's options are often built in a configuration module, so its import is not
        beside them: the packs' DC510 and DC521 do not see them there. More tries repeat what a
        failed attempt already did; a shorter wait retries into the same outage; more at once
        lets work that ran alone meet itself."""),
    known_problems=dedent("""\
        The key is read by its name, whatever it configures: an HTTP client's `retries` counts
        too. A value computed in another statement (`attempts: MAX`) is compared as written.
        A JS/TS or Go setting added where none was is read as new code, not as a default
        replaced."""),
    example=dedent("""\
        waitForComputePropertiesMaxAttempts: parseMaxAttempts(
          rawConfig.waitForComputePropertiesMaxAttempts,
          nodeEnv === NodeEnvEnum.Test ? 1 : 5,   // was 3
        ),"""),
    use_instead=dedent("""\
        Keep the change where the work it tunes is idempotent and safe in parallel, and say so in
        the checklist; test it with the new value."""),
)


LISTENER_MULTIPLICITY_CHANGED = Rule(
    id="DC719",
    name="event-handler-runs-once-or-every-time",
    category="concurrency",
    severity="warning",
    questions=("sequential-assumption", "concurrency-tested", "silent-failure"),
    summary="JS/TS: an event handler registered with `once` now with `on`, or the other way round.",
    languages=("javascript", "typescript"),
    what_it_does=dedent("""\
        Reads a modified server JavaScript or TypeScript file (not `.jsx`/`.tsx`, not web UI
        folders, not what a server sends to browsers) whose changed lines register an event
        handler with a string event name: `R.on('e', …)`, `R.addListener`, `R.prependListener`
        (every event) or `R.once('e', …)`, `R.prependOnceListener` (the first only). Reported
        when the same function on the base registered the same receiver's same event only the
        other way: Haraka's outbound delivery turned `socket.once('error', …)` into
        `socket.on('error', …)` (apps-ag ea039e911e)."""),
    why_bad=dedent("""\
        A handler that ran once now runs for every event: an error after a timeout, or a second
        error, runs its release, retry, count or reply again, beside the first run's. A handler
        that ran for every event now runs for the first only: the second event finds none, and a
        second `'error'` with no listener ends the Node process with whatever it was working on."""),
    known_problems=dedent("""\
        The receiver is compared as written, within one function: a handler moved to another
        function, or registered through a helper, is not compared. `{ once: true }` passed to
        `addEventListener` is not read."""),
    example=dedent("""\
        socket.on('error', (err) => {   // was socket.once('error', …)
          if (!processing) return
          release_and_retry(err)
        })"""),
    use_instead=dedent("""\
        Keep the handler running for every event when a second one can come, and make what it
        does safe to run twice (a flag set before the first release, checked by every later
        call); say in the checklist which events can arrive twice."""),
)


RULES = (BACKGROUND_CODE_CHANGED, REDIS_SCRIPT_CHANGED, SOURCE_NOT_PARSED, PRIMITIVE_WEAKENED, CHECK_THEN_ACT,
         UNGUARDED_MAP_WRITE, CONTINUATION_HOISTED, ENQUEUED_IN_TRANSACTION, GUARD_CHANGED, SINGLETON_STATE_CHANGED,
         SHUTDOWN_HOOK_CHANGED, TRANSACTION_RETRY_CHANGED, ACTIVITY_OPTIONS_CHANGED, WORKFLOW_NONDETERMINISM,
         PRODUCER_CHANGED, DATABASE_JOB_SQL_CHANGED, UNAWAITED_ASYNC_CALL, TUNABLE_CHANGED,
         LISTENER_MULTIPLICITY_CHANGED)
