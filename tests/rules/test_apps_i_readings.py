"""What the held-out sample apps-i showed (docs/design-notes.md, "What apps-i showed"): code a job
runs that the changed lines do not name, and code that no job can run."""

from __future__ import annotations


import pytest

from support.gitrepo import make_branch, make_repo
from support.scanning import flagged_on_branch as _found
from deploycheck.analysis.pipeline import analyse


# --- Ruby: a constructor and a scope, called by the class's name and the scope's ----------

TAX_JOB = ("class GenerateIrsTaxFormsJob\n  include Sidekiq::Job\n\n  def perform(company_id, tax_year)\n"
           "    company = Company.find(company_id)\n"
           "    CompanyWorker.with_required_tax_info_for(tax_year:).find_each do |worker|\n"
           "      GenerateTaxFormService.new(worker:, document_type: :form_1099nec, tax_year:).process\n"
           "    end\n  end\nend\n")
SERVICE = ("class GenerateTaxFormService\n  def initialize(worker:, document_type:, tax_year:)\n"
           "    raise ArgumentError, \"Invalid form\" unless TAX_FORM_TYPES.include?(document_type)\n"
           "    @worker = worker\n    @tax_year = tax_year\n  end\n\n  def process\n    @worker.touch\n  end\nend\n")
WORKER = ("class CompanyWorker < ApplicationRecord\n  scope :with_required_tax_info_for, -> (tax_year:) do\n"
          "    joins(:company)\n      .where(country_code: \"US\")\n  end\n\n"
          "  scope :alive, -> { where(ended_at: nil) }\nend\n")
RUBY = {"app/sidekiq/generate_irs_tax_forms_job.rb": TAX_JOB, "app/services/generate_tax_form_service.rb": SERVICE,
        "app/models/company_worker.rb": WORKER}


def test_ruby_initialize_is_followed_by_its_class_name_to_the_job_that_builds_it(tmp_path) -> None:
    head = SERVICE.replace("include?(document_type)", "include?(document_type.to_s)")
    found = _found(tmp_path, RUBY, {"app/services/generate_tax_form_service.rb": head})
    assert [(path, line) for path, line, *_ in found] == [("app/services/generate_tax_form_service.rb", 3)]
    assert "generate_irs_tax_forms_job.rb:7" in found[0][4] and "`GenerateTaxFormService`" in found[0][4]


def test_ruby_initialize_of_a_class_no_job_builds_is_not_flagged(tmp_path) -> None:
    job = TAX_JOB.replace("GenerateTaxFormService.new(worker:, document_type: :form_1099nec, tax_year:).process",
                          "worker.touch")
    head = SERVICE.replace("include?(document_type)", "include?(document_type.to_s)")
    assert _found(tmp_path, {**RUBY, "app/sidekiq/generate_irs_tax_forms_job.rb": job},
                  {"app/services/generate_tax_form_service.rb": head}) == []


def test_ruby_a_scope_is_followed_by_its_name_to_the_job_that_selects_with_it(tmp_path) -> None:
    head = WORKER.replace("      .where(country_code: \"US\")\n",
                          "      .where(country_code: \"US\")\n      .where(exclude_from_1099nec: false)\n")
    found = _found(tmp_path, RUBY, {"app/models/company_worker.rb": head})
    assert [(path, line) for path, line, *_ in found] == [("app/models/company_worker.rb", 5)]
    assert "with_required_tax_info_for" in found[0][4] and "generate_irs_tax_forms_job.rb:6" in found[0][4]


def test_ruby_a_scope_no_job_uses_is_not_flagged(tmp_path) -> None:
    head = WORKER.replace("where(ended_at: nil)", "where(ended_at: nil, archived: false)")
    assert _found(tmp_path, RUBY, {"app/models/company_worker.rb": head}) == []


# --- JS/TS: a constructor -------------------------------------------------------------------

def test_js_a_constructor_is_followed_by_its_class_name(tmp_path) -> None:
    mailer = ("export class Mailer {\n  constructor(options) {\n    this.retries = options.retries ?? 3;\n  }\n\n"
              "  deliver(message) {\n    return send(message, this.retries);\n  }\n}\n")
    worker = ("import { Worker } from 'bullmq';\nimport { Mailer } from './mailer';\n\n"
              "new Worker('mail', async (job) => {\n  await new Mailer({}).deliver(job.data);\n});\n")
    found = _found(tmp_path, {"src/mailer.js": mailer, "src/worker.js": worker},
                   {"src/mailer.js": mailer.replace("?? 3", "?? 5")})
    assert [(path, line) for path, line, *_ in found] == [("src/mailer.js", 3)]
    assert "src/worker.js:5" in found[0][4]


# --- Java: a class that is a thread ---------------------------------------------------------

PUBLISHER = ("package app.notify;\n\npublic class DefaultPublisher extends Thread implements EventPublisher {\n"
             "    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(16);\n\n"
             "    @Override\n    public void run() {\n        while (!shutdown) {\n            try {\n"
             "                receiveEvent(queue.take());\n            } catch (Throwable ex) {\n"
             "                LOGGER.error(\"Event listener exception\", ex);\n            }\n        }\n    }\n}\n")


@pytest.mark.parametrize("declared", ["extends Thread implements EventPublisher", "extends Thread", "extends TimerTask"])
def test_java_a_class_that_is_a_thread_runs_in_the_background(tmp_path, declared: str) -> None:
    base = PUBLISHER.replace("extends Thread implements EventPublisher", declared)
    head = base.replace("            } catch (Throwable ex) {\n",
                        "            } catch (InterruptedException ex) {\n                return;\n"
                        "            } catch (Throwable ex) {\n")
    found = _found(tmp_path, {"src/main/java/app/notify/DefaultPublisher.java": base},
                   {"src/main/java/app/notify/DefaultPublisher.java": head})
    assert [(path, line) for path, line, *_ in found] == [("src/main/java/app/notify/DefaultPublisher.java", 11)]


def test_java_a_class_extending_another_class_is_not_a_thread(tmp_path) -> None:
    base = PUBLISHER.replace("extends Thread implements EventPublisher", "extends Threaded implements EventPublisher")
    head = base.replace("Event listener exception", "Event listener failed")
    head = head.replace("            } catch (Throwable ex) {\n",
                        "            } catch (InterruptedException ex) {\n                return;\n"
                        "            } catch (Throwable ex) {\n")
    assert _found(tmp_path, {"src/main/java/app/notify/DefaultPublisher.java": base},
                  {"src/main/java/app/notify/DefaultPublisher.java": head}) == []


# --- Java: volatile and a fixed sleep (DC253) -----------------------------------------------

CACHE = ("package app;\n\npublic class CacheData {\n    static ScheduledThreadPoolExecutor scheduledExecutor;\n\n"
         "    static ScheduledThreadPoolExecutor executor() {\n        return scheduledExecutor;\n    }\n}\n")


def test_java_a_field_made_volatile_is_a_concurrency_control(tmp_path) -> None:
    head = CACHE.replace("    static Sched", "    static volatile Sched", 1)
    found = _found(tmp_path, {"src/main/java/app/CacheData.java": CACHE}, {"src/main/java/app/CacheData.java": head},
                   rule="DC253")
    assert [(path, line) for path, line, *_ in found] == [("src/main/java/app/CacheData.java", 4)]


def test_java_a_sleep_added_to_wait_for_other_work_is_flagged(tmp_path) -> None:
    service = ("package app;\n\npublic class SyncEffect {\n    public void toSync(long timeout) {\n"
               "        publish();\n    }\n}\n")
    head = service.replace("        publish();\n", "        publish();\n        Thread.sleep(timeout);\n")
    found = _found(tmp_path, {"src/main/java/app/SyncEffect.java": service}, {"src/main/java/app/SyncEffect.java": head},
                   rule="DC253")
    assert [(path, line) for path, line, *_ in found] == [("src/main/java/app/SyncEffect.java", 6)]
    assert "a fixed wait (Thread.sleep)" in found[0][4]


# --- Go: a line only realigned by gofmt -------------------------------------------------------

SESSION = ("package server\n\nimport \"sync\"\n\ntype smtpSession struct {\n\tbackend    *smtpBackend\n"
           "\ttopic      string\n\tmu         sync.Mutex\n\tbasic_auth string\n}\n")


def test_go_a_struct_field_realigned_by_gofmt_is_no_change(tmp_path) -> None:
    head = ("package server\n\nimport \"sync\"\n\ntype smtpSession struct {\n\tbackend   *smtpBackend\n"
            "\ttopic     string\n\tbasicAuth string\n\tmu        sync.Mutex\n}\n")
    assert _found(tmp_path, {"server/smtp.go": SESSION}, {"server/smtp.go": head}, rule=None) == []


def test_go_a_lock_moved_unchanged_is_still_read(tmp_path) -> None:
    # The same text on both sides moved, here to another function: what the lock guards changed.
    base = ("package server\n\nfunc (s *store) add() {\n\ts.mu.Lock()\n\ts.x++\n}\n\n"
            "func (s *store) drop() {\n\ts.y--\n}\n")
    head = ("package server\n\nfunc (s *store) add() {\n\ts.x++\n}\n\n"
            "func (s *store) drop() {\n\ts.mu.Lock()\n\ts.y--\n}\n")
    found = _found(tmp_path, {"server/store.go": base}, {"server/store.go": head}, rule="DC252")
    assert [(path, line) for path, line, *_ in found] == [("server/store.go", 8)]


# --- JS: browser code is no caller of a job's function ----------------------------------------

@pytest.mark.parametrize("bundle", ["public/vendored_assets/application.js", ".yarn/releases/yarn-4.1.1.cjs",
                                    "app/javascript/packs/big.js"])
def test_js_a_browser_bundle_too_large_to_read_is_no_unread_caller(tmp_path, bundle: str) -> None:
    controller = ("import { Controller } from '@hotwired/stimulus'\n\nexport default class extends Controller {\n"
                  "  isActive () {\n    return this.matchValue === 'page'\n  }\n}\n")
    large = "function isActive(){return 1}\n" + "var x = 1;\n" * 120_000  # over the 1,000,000-byte parse limit
    main = {"app/javascript/controllers/active_link_controller.js": controller, bundle: large,
            "workers/mail.js": "import { Worker } from 'bullmq'\nnew Worker('mail', async () => send())\n"}
    head = controller.replace("'page'", "'query'")
    assert _found(tmp_path, main, {"app/javascript/controllers/active_link_controller.js": head}) == []


def test_js_a_server_file_too_large_to_read_is_still_an_unread_caller(tmp_path) -> None:
    helper = "export function isActive () {\n  return state === 'page'\n}\n"
    large = "function isActive(){return 1}\n" + "var x = 1;\n" * 120_000
    main = {"src/active.js": helper, "src/generated/server.js": large,
            "workers/mail.js": "import { Worker } from 'bullmq'\nnew Worker('mail', async () => send())\n"}
    found = _found(tmp_path, main, {"src/active.js": helper.replace("'page'", "'query'")})
    assert found and "src/generated/server.js" in found[0][4] and "maybe reached" in found[0][4]


# --- Java/Kotlin: a private method is called from its own file only ---------------------------

HANDLER = ("package app.remote;\n\npublic class QueryHandler {\n    public Response handle(Request request) {\n"
           "        checkParameters(request);\n        return Response.ok();\n    }\n\n"
           "    private void checkParameters(Request request) {\n        if (request.name() == null) {\n"
           "            throw new IllegalArgumentException(\"name\");\n        }\n    }\n}\n")
# A thread in another file calls a `checkParameters` of its own: not the handler's private one.
HEALTH = ("package app.client;\n\npublic class RpcClient {\n    void start() {\n"
          "        executor.submit(() -> {\n            checkParameters(current);\n        });\n    }\n\n"
          "    void checkParameters(Object o) {\n    }\n}\n")


@pytest.mark.parametrize("change", ["changed", "removed"])
def test_java_a_private_method_is_not_reached_from_another_file(tmp_path, change: str) -> None:
    if change == "changed":
        head = HANDLER.replace("request.name() == null", "request.name() == null || request.name().isEmpty()")
    else:
        head = HANDLER.replace("        checkParameters(request);\n", "").replace(
            HANDLER[HANDLER.index("    private void"):HANDLER.rindex("}")], "")
    main = {"src/main/java/app/remote/QueryHandler.java": HANDLER, "src/main/java/app/client/RpcClient.java": HEALTH}
    assert _found(tmp_path, main, {"src/main/java/app/remote/QueryHandler.java": head}) == []
    # The same method, not private: the other file's call may be it.
    public = {**main, "src/main/java/app/remote/QueryHandler.java": HANDLER.replace("private void", "void")}
    found = _found(tmp_path / "public", public,
                   {"src/main/java/app/remote/QueryHandler.java": head.replace("private void", "void")})
    assert found and "RpcClient.java:6" in found[0][4]


def test_java_a_private_method_called_by_a_task_of_its_own_file_is_reached(tmp_path) -> None:
    sweeper = ("package app;\n\npublic class Sweeper {\n    void start() {\n"
               "        executor.scheduleAtFixedRate(() -> process(), 0, 1, SECONDS);\n    }\n\n"
               "    private void process() {\n        store.purge(1);\n    }\n}\n")
    found = _found(tmp_path, {"src/main/java/app/Sweeper.java": sweeper},
                   {"src/main/java/app/Sweeper.java": sweeper.replace("purge(1)", "purge(2)")})
    assert [(path, line) for path, line, *_ in found] == [("src/main/java/app/Sweeper.java", 9)]


# --- Ruby: a constant a job's code reads ---------------------------------------------------------

THROTTLE = ("module Billing\n  class Throttle\n    LIMIT = 5\n    STATES = %w[pending done].freeze\n\n"
            "    def self.allow?(count)\n      count < LIMIT && STATES.any?\n    end\n  end\nend\n")
CHARGE_JOB = ("class ChargeJob < ApplicationJob\n  queue_as :billing\n\n  def perform(count)\n"
              "    return unless Billing::Throttle.allow?(count)\n    Charge.create!(count: count)\n  end\nend\n")


def test_ruby_a_constant_bound_to_another_value_is_followed_to_the_job_that_reads_it(tmp_path) -> None:
    main = {"app/lib/billing/throttle.rb": THROTTLE, "app/jobs/charge_job.rb": CHARGE_JOB}
    found = _found(tmp_path, main, {"app/lib/billing/throttle.rb": THROTTLE.replace("LIMIT = 5", "LIMIT = 50")})
    assert [(path, line) for path, line, *_ in found] == [("app/lib/billing/throttle.rb", 3)]
    assert "charge_job.rb:5" in found[0][4]


def test_ruby_a_table_constant_is_data_not_followed(tmp_path) -> None:
    main = {"app/lib/billing/throttle.rb": THROTTLE, "app/jobs/charge_job.rb": CHARGE_JOB}
    assert _found(tmp_path, main, {"app/lib/billing/throttle.rb": THROTTLE.replace("%w[pending done]", "%w[pending done failed]")}) == []


# --- every language: a call that acquires a lock, lease or permit -------------------------------

@pytest.mark.parametrize("path, base, rule", [
    ("pkg/fs/props.go", "package fs\n\nfunc (f *FS) Patch() {\n\tls, err := f.acquireByPath(ctx, -1, false, lr)\n\t_ = ls\n\t_ = err\n}\n", "DC252"),
    ("src/lease.ts", "export async function renew() {\n  const lease = await leases.acquire('sync', { ttl: 30 });\n  return lease;\n}\n", "DC250"),
    ("app/services/sync.rb", "class Sync\n  def call\n    lease = Lease.acquire(\"sync\", ttl: 30)\n    lease\n  end\nend\n", "DC251"),
    ("src/main/java/app/Sync.java", "package app;\n\nclass Sync {\n    void run() {\n        boolean ok = limiter.tryAcquire(1, 30);\n    }\n}\n", "DC253"),
])
def test_a_changed_call_that_acquires_a_lock_is_a_concurrency_control(tmp_path, path: str, base: str, rule: str) -> None:
    head = base.replace("false", "true").replace("30", "300")
    found = _found(tmp_path, {path: base}, {path: head}, rule=rule)
    assert [(p, line) for p, line, *_ in found] == [(path, next(i for i, line in enumerate(head.splitlines(), 1) if "cquire" in line))]


# --- JS: a `#private` method ----------------------------------------------------------------------

def test_js_a_hash_private_method_is_followed_within_its_class(tmp_path) -> None:
    worker = ("import { Worker } from 'bullmq';\n\nexport class MailWorker {\n  start() {\n"
              "    this.worker = new Worker('mail', (job) => this.#execute(job));\n  }\n\n"
              "  async #execute(job) {\n    await send(job.data, 1);\n  }\n}\n")
    found = _found(tmp_path, {"src/mail-worker.js": worker}, {"src/mail-worker.js": worker.replace("job.data, 1", "job.data, 2")})
    assert [(path, line) for path, line, *_ in found] == [("src/mail-worker.js", 9)]
    assert "`execute`" in found[0][4]


def test_a_file_moved_whole_brings_its_lines_with_it(tmp_path) -> None:
    # xxl-job's open-API service moved to another package: its tryAcquire is no new lock call.
    body = ("\n\npublic class AdminJobBizImpl {\n    public Result trigger(int id) {\n"
            "        if (!tokenBucket.tryAcquire(1, TIMEOUT)) {\n            return Result.busy();\n        }\n"
            "        return scheduler.trigger(id);\n    }\n}\n")
    old, new = "src/main/java/app/openapi/AdminJobBizImpl.java", "src/main/java/app/scheduler/openapi/AdminJobBizImpl.java"
    repo = make_repo(tmp_path / "repo", {old: "package app.openapi;" + body})
    make_branch(repo, "work", {old: None, new: "package app.scheduler.openapi;" + body})
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC253"]
    assert found == []
    # A lock call the move adds is read.
    repo2 = make_repo(tmp_path / "repo2", {old: "package app.openapi;" + body})
    make_branch(repo2, "work", {old: None, new: "package app.scheduler.openapi;" + body.replace(
        "        return scheduler.trigger(id);\n", "        limiter.acquire();\n        return scheduler.trigger(id);\n")})
    found = [(f.path, f.line) for f in analyse(base="main", cwd=str(repo2)).scan.active if f.rule == "DC253"]
    assert found == [(new, 8)]


# --- JS/TS: a name a module imports from another relative module is that module's ---------------

@pytest.mark.parametrize("spec, reached", [("./components/meta", False), ("../../../dashboard/invoice/meta", True)])
def test_js_a_call_bound_by_a_relative_import_to_another_module_is_no_trail(tmp_path, spec: str, reached: bool) -> None:
    invoice_no = "export function InvoiceNo(props) {\n  return props.prefix + props.number;\n}\n"
    dashboard_meta = ("import { InvoiceNo } from './invoice-no';\n\n"
                      "export function Meta(props) {\n  return InvoiceNo(props);\n}\n")
    pdf_meta = "export function Meta(props) {\n  return props.title;\n}\n"
    job = (f"import {{ Worker }} from 'bullmq';\nimport {{ Meta }} from '{spec}';\n\n"
           "export async function generateInvoice(job) {\n  return render(Meta(job.data));\n}\n\n"
           "new Worker('invoices', generateInvoice);\n")
    main = {"apps/dashboard/invoice/invoice-no.ts": invoice_no, "apps/dashboard/invoice/meta.ts": dashboard_meta,
            "apps/worker/templates/pdf/components/meta.ts": pdf_meta, "apps/worker/templates/pdf/index.ts": job}
    found = _found(tmp_path, main, {"apps/dashboard/invoice/invoice-no.ts": invoice_no.replace("+ props.number", "+ '-' + props.number")})
    assert bool(found) is reached


# --- Java/Kotlin: a constant a job reads (session 16's new-user trial on lenve/vhr) ---------------

RESEND = ("package app.task;\n\n@Component\npublic class MailSendTask {\n    private static final int BATCH = 100;\n\n"
          "    @Scheduled(cron = \"0/10 * * * * ?\")\n    public void mailResendTask() {\n"
          "        logs.findPending(BATCH).forEach(this::resend);\n    }\n}\n")
CONSTANTS = ("package app.model;\n\npublic class MailConstants {\n    public static final String MAIL_QUEUE_NAME = \"mail.queue\";\n"
             "    public static final List<String> STATES = List.of(\"a\", \"b\");\n}\n")
LISTENER = ("package app.receiver;\n\n@Component\npublic class MailReceiver {\n"
            "    @RabbitListener(queues = MailConstants.MAIL_QUEUE_NAME)\n    public void handler(Message message) {\n"
            "        send(message);\n    }\n}\n")


def test_java_a_constant_read_by_a_scheduled_method_of_its_class_is_flagged(tmp_path) -> None:
    found = _found(tmp_path, {"src/main/java/app/task/MailSendTask.java": RESEND},
                   {"src/main/java/app/task/MailSendTask.java": RESEND.replace("BATCH = 100", "BATCH = 1000")})
    assert [(path, line) for path, line, *_ in found] == [("src/main/java/app/task/MailSendTask.java", 5)]


def test_java_a_constant_another_file_s_listener_reads_is_followed_by_its_name(tmp_path) -> None:
    main = {"src/main/java/app/model/MailConstants.java": CONSTANTS, "src/main/java/app/receiver/MailReceiver.java": LISTENER}
    found = _found(tmp_path, main, {"src/main/java/app/model/MailConstants.java": CONSTANTS.replace("\"mail.queue\"", "\"mail.queue.v2\"")})
    assert [(path, line) for path, line, *_ in found] == [("src/main/java/app/model/MailConstants.java", 4)]
    assert "MailReceiver.java:5" in found[0][4]
    # A table of data is not followed.
    assert _found(tmp_path / "table", main, {"src/main/java/app/model/MailConstants.java": CONSTANTS.replace("\"a\", \"b\"", "\"a\", \"c\"")}) == []


def test_kotlin_a_const_val_read_by_a_scheduled_method_is_flagged(tmp_path) -> None:
    task = ("package app\n\n@Component\nclass Sweeper {\n    companion object {\n        const val BATCH = 100\n    }\n\n"
            "    @Scheduled(fixedDelay = 1000)\n    fun sweep() {\n        orders.cancelStale(BATCH)\n    }\n}\n")
    found = _found(tmp_path, {"src/main/kotlin/app/Sweeper.kt": task},
                   {"src/main/kotlin/app/Sweeper.kt": task.replace("BATCH = 100", "BATCH = 500")})
    assert [(path, line) for path, line, *_ in found] == [("src/main/kotlin/app/Sweeper.kt", 6)]
