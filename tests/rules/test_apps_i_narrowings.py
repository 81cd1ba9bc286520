"""The narrowings of session 16 (tests/rules/test_apps_i_readings.py) held to fail closed: each
leaves out of the search only what cannot run the code it skips (redteam16)."""

from __future__ import annotations


import pytest

from support.scanning import flagged_on_branch as _found


# --- A `public` folder that is a server's: its files call jobs' functions ----------------------

RATE = "export function computeRate (x) {\n  return x * 2\n}\n"
RATE_HEAD = RATE.replace("* 2", "* 3")


def _worker(imported: str) -> str:
    return (f"import {{ Worker }} from 'bullmq'\nimport {{ computeRate }} from '{imported}'\n\n"
            "new Worker('bill', async (job) => {\n  await send(computeRate(job.data))\n})\n")


@pytest.mark.parametrize("worker", [
    "src/public/api/worker.ts",       # a source tree's folder named public: compiled, not served
    "public/worker.ts",               # TypeScript: no browser runs it as it is
    "packages/public/worker.js",      # a monorepo's package named public
    "server/public/worker.cjs",       # CommonJS: Node's
    "public/worker.js",               # plain JavaScript in a served folder, but it starts a worker
])
def test_js_a_worker_in_a_folder_named_public_still_calls_the_changed_function(tmp_path, worker: str) -> None:
    import posixpath

    imported = posixpath.relpath("src/lib/rate", posixpath.dirname(worker))  # the module the worker names
    found = _found(tmp_path, {"src/lib/rate.ts": RATE, worker: _worker(imported if imported.startswith(".") else "./" + imported)},
                   {"src/lib/rate.ts": RATE_HEAD})
    assert [(path, line) for path, line, *_ in found] == [("src/lib/rate.ts", 2)]
    assert f"{worker}:5" in found[0][4]


def test_js_a_trail_through_a_source_trees_public_folder_is_followed(tmp_path) -> None:
    bill = "import { computeRate } from '../lib/rate'\nexport function billAll (xs) {\n  return xs.map(computeRate)\n}\n"
    job = ("import { Worker } from 'bullmq'\nimport { billAll } from '../public/bill'\n"
           "new Worker('bill', async (job) => {\n  await billAll(job.data)\n})\n")
    found = _found(tmp_path, {"src/lib/rate.ts": RATE, "src/public/bill.ts": bill, "src/jobs/bill.ts": job},
                   {"src/lib/rate.ts": RATE_HEAD})
    assert [(path, line) for path, line, *_ in found] == [("src/lib/rate.ts", 2)]
    assert "`billAll` -> `computeRate`" in found[0][4]


def test_js_a_server_file_in_public_changed_on_the_branch_is_still_a_caller(tmp_path) -> None:
    # Touched files are read at head: the same reading applies to them.
    worker = _worker("../src/lib/rate")
    found = _found(tmp_path, {"src/lib/rate.ts": RATE, "public/worker.js": worker},
                   {"src/lib/rate.ts": RATE_HEAD, "public/worker.js": worker.replace("send(", "sendNow(")})
    assert ("src/lib/rate.ts", 2) in [(path, line) for path, line, *_ in found]


def test_js_a_page_script_in_public_is_still_no_caller(tmp_path) -> None:
    page = "function computeRate (x) {\n  return x\n}\ndocument.querySelector('#rate').textContent = computeRate(1)\n"
    job = ("import { Worker } from 'bullmq'\n\nnew Worker('bill', async (job) => {\n  await send(job.data)\n})\n")
    assert _found(tmp_path, {"src/lib/rate.ts": RATE, "public/js/rate.js": page, "src/jobs/bill.ts": job},
                  {"src/lib/rate.ts": RATE_HEAD}) == []


# --- A realigned line is no change only where gofmt realigned it -------------------------------

def test_go_a_mutex_moved_to_another_struct_and_realigned_is_still_read(tmp_path) -> None:
    # The same words on both sides, spaced differently, but in two runs of changed lines: the
    # mutex now guards another struct's fields.
    base = ("package server\n\nimport \"sync\"\n\ntype cache struct {\n\tmu    sync.Mutex\n\titems map[string]int\n}\n\n"
            "type stats struct {\n\thits int\n}\n")
    head = ("package server\n\nimport \"sync\"\n\ntype cache struct {\n\titems map[string]int\n}\n\n"
            "type stats struct {\n\tmu   sync.Mutex\n\thits int\n}\n")
    found = _found(tmp_path, {"server/cache.go": base}, {"server/cache.go": head}, rule="DC252")
    assert [(path, line) for path, line, *_ in found] == [("server/cache.go", 10)]


def test_go_a_lock_whose_key_string_is_spaced_differently_is_still_read(tmp_path) -> None:
    base = ("package server\n\nfunc (s *store) sync() {\n\ts.locks[\"sync job\"].Lock()\n"
            "\tdefer s.locks[\"sync job\"].Unlock()\n\ts.x++\n}\n")
    found = _found(tmp_path, {"server/store.go": base}, {"server/store.go": base.replace('"sync job"', '"sync  job"')},
                   rule="DC252")
    assert [(path, line) for path, line, *_ in found] == [("server/store.go", 4)]


def test_go_a_realigned_struct_with_a_comment_between_its_fields_is_still_no_change(tmp_path) -> None:
    # Each realigned line has its twin in its own run of changed lines, whatever splits the runs.
    base = ("package server\n\nimport \"sync\"\n\ntype session struct {\n\tbackend    *smtpBackend\n"
            "\t// guarded by mu\n\ttopic      string\n\tmu         sync.Mutex\n\tbasic_auth string\n}\n")
    head = ("package server\n\nimport \"sync\"\n\ntype session struct {\n\tbackend   *smtpBackend\n"
            "\t// guarded by mu\n\ttopic     string\n\tmu        sync.Mutex\n\tbasicAuth string\n}\n")
    assert _found(tmp_path, {"server/smtp.go": base}, {"server/smtp.go": head}, rule=None) == []


# --- A thread declared otherwise than `extends Thread` --------------------------------------

PUB_JAVA = ("package app.notify;\n\npublic class Publisher DECLARED {\n    @Override\n    public void run() {\n"
            "        while (!shutdown) {\n            receiveEvent(queue.take());\n        }\n    }\n}\n")
PUB_KOTLIN = ("package app.notify\n\nclass Publisher(private val queue: BlockingQueue<Event>) DECLARED {\n"
              "    override fun run() {\n        while (true) {\n            receiveEvent(queue.take())\n        }\n    }\n}\n")


@pytest.mark.parametrize(("path", "text", "declared", "line"), [
    ("src/main/java/app/notify/Publisher.java", PUB_JAVA, "extends java.lang.Thread", 7),
    ("src/main/kotlin/app/notify/Publisher.kt", PUB_KOTLIN, ": Thread()", 6),
    ("src/main/kotlin/app/notify/Publisher.kt", PUB_KOTLIN, ": Thread(\"publisher\"), Closeable", 6),
    ("src/main/kotlin/app/notify/Publisher.kt", PUB_KOTLIN, ":TimerTask()", 6),
    ("src/main/kotlin/app/notify/Publisher.kt", PUB_KOTLIN, ": Runnable", 6),
])
def test_jvm_a_thread_declared_another_way_runs_in_the_background(tmp_path, path: str, text: str, declared: str,
                                                                  line: int) -> None:
    base = text.replace("DECLARED", declared)
    found = _found(tmp_path, {path: base}, {path: base.replace("queue.take()", "queue.poll()")})
    assert [(p, n) for p, n, *_ in found] == [(path, line)]


@pytest.mark.parametrize(("made", "then"), [
    ("Thread worker = new Thread()", ";\n        worker.start()"),
    ("new Thread()", ".start()"),
    ("timer.schedule(new TimerTask()", ", 0, 1000)"),
    ("executor.submit(new Runnable()", ")"),
])
def test_java_an_anonymous_thread_or_task_runs_in_the_background(tmp_path, made: str, then: str) -> None:
    boot = ("package app;\n\npublic class Boot {\n    void start() {\n        " + made + " {\n"
            "            @Override\n            public void run() {\n                sweep(1);\n            }\n"
            "        }" + then + ";\n    }\n}\n")
    found = _found(tmp_path, {"src/main/java/app/Boot.java": boot},
                   {"src/main/java/app/Boot.java": boot.replace("sweep(1)", "sweep(2)")})
    assert [(p, n) for p, n, *_ in found] == [("src/main/java/app/Boot.java", 8)]


def test_kotlin_an_object_expression_that_is_a_timer_task_runs_in_the_background(tmp_path) -> None:
    boot = ("package app\n\nclass Boot {\n    fun start() {\n        timer.schedule(object : TimerTask() {\n"
            "            override fun run() {\n                sweep(1)\n            }\n        }, 0, 1000)\n    }\n}\n")
    found = _found(tmp_path, {"src/main/kotlin/app/Boot.kt": boot},
                   {"src/main/kotlin/app/Boot.kt": boot.replace("sweep(1)", "sweep(2)")})
    assert [(p, n) for p, n, *_ in found] == [("src/main/kotlin/app/Boot.kt", 7)]


@pytest.mark.parametrize(("path", "declared"), [
    ("src/main/kotlin/app/JobService.kt", "class JobService : ServiceImpl<JobMapper, Job>(), Runner {\n"),
    ("src/main/java/app/JobService.java", "public class JobService extends ServiceImpl<JobMapper, Job> implements Runner {\n"),
])
def test_jvm_a_type_argument_named_job_makes_no_quartz_job(tmp_path, path: str, declared: str) -> None:
    # `Runner` keeps the file past the keyword filter (`runnable` is no word of it: a plain
    # substring); `Job` is only the entity the service stores.
    body = ("package app;\n\n// runnable\n" + declared + "    public void expire(long id) {\n        mark(id, 1);\n    }\n}\n")
    if path.endswith(".kt"):
        body = body.replace("package app;", "package app").replace("public void expire(long id)", "fun expire(id: Long)")
    assert _found(tmp_path, {path: body}, {path: body.replace("mark(id, 1)", "mark(id, 2)")}) == []


# --- JS/TS: a function or class imported under another name -----------------------------------

RATE_JOB = "import { Worker } from 'bullmq'\nIMPORT\n\nnew Worker('bill', async (job) => {\n  await send(CALL(job.data))\n})\n"


@pytest.mark.parametrize(("imported", "call"), [
    ("import { computeRate as rate } from '../lib/rate'", "rate"),
    ("import { computeRate as rate, other } from '../lib/rate'", "rate"),
])
def test_js_a_function_imported_under_another_name_is_followed_by_that_name(tmp_path, imported: str, call: str) -> None:
    job = RATE_JOB.replace("IMPORT", imported).replace("CALL", call)
    found = _found(tmp_path, {"src/lib/rate.ts": RATE, "src/workers/bill.ts": job}, {"src/lib/rate.ts": RATE_HEAD})
    assert [(path, line) for path, line, *_ in found] == [("src/lib/rate.ts", 2)]
    assert "src/workers/bill.ts:5" in found[0][4] and "`rate` -> `computeRate`" in found[0][4]


def test_js_a_function_re_exported_under_another_name_is_followed_by_that_name(tmp_path) -> None:
    job = RATE_JOB.replace("IMPORT", "import { priceOf } from '../lib'").replace("CALL", "priceOf")
    found = _found(tmp_path, {"src/lib/rate.ts": RATE, "src/lib/index.ts": "export { computeRate as priceOf } from './rate'\n",
                              "src/app/bill.ts": job}, {"src/lib/rate.ts": RATE_HEAD})
    assert [(path, line) for path, line, *_ in found] == [("src/lib/rate.ts", 2)]
    assert "src/app/bill.ts:5" in found[0][4]


def test_js_a_class_imported_under_another_name_runs_its_constructor_there(tmp_path) -> None:
    mailer = "export class Mailer {\n  constructor (options) {\n    this.retries = options.retries ?? 3\n  }\n}\n"
    worker = ("import { Worker } from 'bullmq'\nimport { Mailer as Postman } from './mailer'\n\n"
              "new Worker('mail', async (job) => {\n  await new Postman({}).deliver(job.data)\n})\n")
    found = _found(tmp_path, {"src/mailer.js": mailer, "src/worker.js": worker},
                   {"src/mailer.js": mailer.replace("?? 3", "?? 5")})
    assert [(path, line) for path, line, *_ in found] == [("src/mailer.js", 3)]
    assert "src/worker.js:5" in found[0][4]


# --- Ruby: a scope written on one line, in a concern, and a default scope ----------------------

SETTLE_JOB = ("class SettleJob\n  include Sidekiq::Job\n\n  def perform\n    Invoice.QUERY.find_each do |invoice|\n"
              "      invoice.touch\n    end\n  end\nend\n")


@pytest.mark.parametrize("scope", [
    "scope :overdue_for_settlement, -> { where(state: 'open').where('due < ?', 1.day.ago) }",
    "scope :overdue_for_settlement, proc { where(state: 'open').where('due < ?', 1.day.ago) }",
    "scope(:overdue_for_settlement, -> { where(state: 'open').where('due < ?', 1.day.ago) })",
])
def test_ruby_a_one_line_scope_is_followed_by_its_name(tmp_path, scope: str) -> None:
    model = f"class Invoice < ApplicationRecord\n  {scope}\nend\n"
    job = SETTLE_JOB.replace("QUERY", "overdue_for_settlement")
    found = _found(tmp_path, {"app/sidekiq/settle_job.rb": job, "app/models/invoice.rb": model},
                   {"app/models/invoice.rb": model.replace("1.day.ago", "2.days.ago")})
    assert [(path, line) for path, line, *_ in found] == [("app/models/invoice.rb", 2)]
    assert "settle_job.rb:5" in found[0][4]


def test_ruby_a_scope_a_concern_adds_is_followed_by_its_name(tmp_path) -> None:
    concern = ("module Settleable\n  extend ActiveSupport::Concern\n\n  included do\n"
               "    scope :overdue_for_settlement, -> { where(state: 'open').where('due < ?', 1.day.ago) }\n  end\nend\n")
    main = {"app/sidekiq/settle_job.rb": SETTLE_JOB.replace("QUERY", "overdue_for_settlement"),
            "app/models/invoice.rb": "class Invoice < ApplicationRecord\n  include Settleable\nend\n",
            "app/models/concerns/settleable.rb": concern}
    found = _found(tmp_path, main, {"app/models/concerns/settleable.rb": concern.replace("1.day.ago", "2.days.ago")})
    assert [(path, line) for path, line, *_ in found] == [("app/models/concerns/settleable.rb", 5)]


@pytest.mark.parametrize("default", ["default_scope { where(deleted_at: nil) }",
                                     "default_scope -> { where(deleted_at: nil) }",
                                     "default_scope do\n    where(deleted_at: nil)\n  end"])
def test_ruby_a_default_scope_is_followed_by_its_models_name(tmp_path, default: str) -> None:
    # Every query of the model runs it: the job's `Invoice.where(…)` now skips archived rows too.
    model = f"class Invoice < ApplicationRecord\n  {default}\nend\n"
    job = SETTLE_JOB.replace("QUERY", "where(state: 'open')")
    found = _found(tmp_path, {"app/sidekiq/settle_job.rb": job, "app/models/invoice.rb": model},
                   {"app/models/invoice.rb": model.replace("deleted_at: nil", "deleted_at: nil, archived: false")})
    assert [path for path, *_ in found] == ["app/models/invoice.rb"]
    assert "settle_job.rb:5" in found[0][4]


def test_ruby_a_default_scope_of_a_model_no_job_queries_is_not_flagged(tmp_path) -> None:
    model = "class Invoice < ApplicationRecord\n  default_scope { where(deleted_at: nil) }\nend\n"
    job = SETTLE_JOB.replace("Invoice.QUERY", "Payment.where(state: 'open')")
    assert _found(tmp_path, {"app/sidekiq/settle_job.rb": job, "app/models/invoice.rb": model},
                  {"app/models/invoice.rb": model.replace("deleted_at: nil", "deleted_at: nil, archived: false")}) == []


# --- Yarn's own files: skipped as vendored, so reported as unread like vendor/ -----------------

@pytest.mark.parametrize("path", [".yarn/plugins/@yarnpkg/plugin-workspace.cjs", ".pnp.cjs", ".yarn/releases/yarn-4.1.1.cjs"])
def test_a_change_to_yarns_own_files_is_reported_as_unread_like_vendored_code(tmp_path, path: str) -> None:
    found = _found(tmp_path, {path: "module.exports = function a () { return 1 }\n"},
                   {path: "module.exports = function a () { return 2 }\n"}, rule="DC001")
    assert [(p, line) for p, line, *_ in found] == [(path, 1)]
    assert "Yarn's .yarn/ and .pnp.cjs" in found[0][4]


# --- A constructor a subclass inherits runs where the subclass is built ---------------------------

APPLICATION_SERVICE = "class ApplicationService\n  def initialize(retries: 3)\n    @retries = retries\n  end\nend\n"
SETTLE_SERVICE = "class SettleService < ApplicationService\n  def settle\n    @retries.times { touch }\n  end\nend\n"


def _settle(job_body: str) -> dict:
    """The two services and a Sidekiq job whose `perform` runs ``job_body``."""
    job = f"class SettleJob\n  include Sidekiq::Job\n\n  def perform\n    {job_body}\n  end\nend\n"
    return {"app/services/application_service.rb": APPLICATION_SERVICE, "app/services/settle_service.rb": SETTLE_SERVICE,
            "app/sidekiq/settle_job.rb": job}


def test_ruby_an_inherited_initialize_is_followed_through_the_subclass(tmp_path) -> None:
    found = _found(tmp_path, _settle("SettleService.new.settle"),
                   {"app/services/application_service.rb": APPLICATION_SERVICE.replace("retries: 3", "retries: 5")})
    assert [(path, line) for path, line, *_ in found] == [("app/services/application_service.rb", 2)]
    assert "`SettleService` -> `ApplicationService`" in found[0][4]


def test_ts_an_inherited_constructor_is_followed_through_the_subclass(tmp_path) -> None:
    base = "export class BaseMailer {\n  constructor (options) {\n    this.retries = options.retries ?? 3\n  }\n}\n"
    invoice = ("import { BaseMailer } from './base'\n\nexport class InvoiceMailer extends BaseMailer {\n"
               "  deliver (m) {\n    return send(m, this.retries)\n  }\n}\n")
    worker = ("import { Worker } from 'bullmq'\nimport { InvoiceMailer } from './invoice'\n\n"
              "new Worker('mail', async (job) => {\n  await new InvoiceMailer({}).deliver(job.data)\n})\n")
    found = _found(tmp_path, {"src/base.ts": base, "src/invoice.ts": invoice, "src/worker.ts": worker},
                   {"src/base.ts": base.replace("?? 3", "?? 5")})
    assert [(path, line) for path, line, *_ in found] == [("src/base.ts", 3)]
    assert "src/worker.ts:5" in found[0][4]


def test_ruby_a_subclass_no_job_builds_is_no_trail(tmp_path) -> None:
    assert _found(tmp_path, _settle("Invoice.touch_all"),
                  {"app/services/application_service.rb": APPLICATION_SERVICE.replace("retries: 3", "retries: 5")}) == []
