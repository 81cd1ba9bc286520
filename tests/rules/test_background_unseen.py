"""Code that runs in the background though the changed lines alone do not say so, and code that
never runs in production (docs/design-notes.md, "What apps-h showed")."""

from __future__ import annotations


import pytest

from support.scanning import flagged_on_branch as _flagged


# --- Java/Kotlin: the class that holds a @Scheduled method ----------------------------------

SWEEPER = ("package shop;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n"
           "import org.springframework.stereotype.Component;\n\n"
           "@Component\npublic class OrderTimeOutCancelTask {\n"
           "    @Scheduled(cron = \"0 0/10 * ? * ?\")\n    private void cancelTimeOutOrder() {\n"
           "        portalOrderService.cancelTimeOutOrder();\n    }\n}\n")


@pytest.mark.parametrize("change", ["//@Component", "@Profile(\"batch\")\n@Component"])
def test_java_a_scheduled_methods_class_losing_or_gaining_a_bean_annotation_is_flagged(tmp_path, change: str) -> None:
    # Spring runs a @Scheduled method only in a bean: commenting `@Component` out stops the sweeper.
    found = _flagged(tmp_path, {"src/OrderTimeOutCancelTask.java": SWEEPER},
                     {"src/OrderTimeOutCancelTask.java": SWEEPER.replace("@Component\npublic", change + "\npublic")})
    assert found and "declaration of the class holding the @Scheduled method" in found[0][4]


@pytest.mark.parametrize("imported, flagged", [("lombok.extern.slf4j.Slf4j", False), ("com.acme.audit.Slf4j", True)])
def test_java_lomboks_logger_annotation_on_a_scheduled_methods_class_only_declares_a_logger(tmp_path, imported, flagged) -> None:
    # Lombok's @Slf4j adds the `log` field and nothing Spring registers; an annotation of another
    # package that has the name may do anything.
    head = SWEEPER.replace("@Component\npublic", "@Slf4j\n@Component\npublic").replace(
        "import org.springframework.stereotype.Component;\n", f"import org.springframework.stereotype.Component;\nimport {imported};\n")
    found = _flagged(tmp_path, {"src/OrderTimeOutCancelTask.java": SWEEPER}, {"src/OrderTimeOutCancelTask.java": head})
    assert bool(found) is flagged


def test_kotlin_a_class_new_in_a_file_is_flagged_at_its_methods_not_again_at_its_declaration(tmp_path) -> None:
    # The new class's @Scheduled method is new background code; its declaration says nothing more.
    kept = "package shop\n\nclass Orders {\n    fun total() = 1\n}\n"
    added = ("\n@Component\nclass Sweeper {\n    @Scheduled(fixedDelay = 1000)\n    fun sweep() {\n"
             "        orders.cancelStale()\n    }\n}\n")
    found = _flagged(tmp_path, {"src/main/kotlin/shop/Orders.kt": kept}, {"src/main/kotlin/shop/Orders.kt": kept + added})
    assert [(path, line) for path, line, *_ in found] == [("src/main/kotlin/shop/Orders.kt", 9)]
    assert "@Scheduled method" in found[0][4] and "declaration of the class" not in found[0][4]


def test_java_a_plain_class_annotation_change_without_jobs_is_not(tmp_path) -> None:
    plain = SWEEPER.replace("    @Scheduled(cron = \"0 0/10 * ? * ?\")\n", "")
    assert _flagged(tmp_path, {"src/OrderTimeOutCancelTask.java": plain},
                    {"src/OrderTimeOutCancelTask.java": plain.replace("@Component\npublic", "//@Component\npublic")}) == []


# --- Go: job packages, cron options, constants, goroutines taken out -------------------------

GO_MOD = "module example.com/app\n"


def test_go_a_package_named_job_holds_jobs(tmp_path) -> None:
    job = ("package job\n\nfunc (s *Scheduler) clearExpired(ctx context.Context) error {\n"
           "\treturn s.db.Where(\"expires_at < ?\", time.Now()).Delete(&Session{}).Error\n}\n")
    found = _flagged(tmp_path, {"go.mod": GO_MOD, "internal/job/cleanup.go": job},
                     {"internal/job/cleanup.go": job.replace("time.Now()", "time.Now().Add(-time.Hour)")})
    assert [(path, line) for path, line, *_ in found] == [("internal/job/cleanup.go", 4)]
    assert "code in the job folder `job/`" in found[0][4]


def test_java_a_package_named_job_is_not_a_job_folder(tmp_path) -> None:
    # `com/xxl/job/` is an organisation's package name, not a folder of jobs.
    service = "package com.xxl.job.admin;\n\npublic class Names {\n    String name() { return \"a\"; }\n}\n"
    assert _flagged(tmp_path, {"src/main/java/com/xxl/job/admin/Names.java": service},
                    {"src/main/java/com/xxl/job/admin/Names.java": service.replace("\"a\"", "\"b\"")}) == []


def test_go_a_function_handed_to_a_cron_packages_with_job_option_is_scheduled(tmp_path) -> None:
    expiry = ("package apikey\n\nfunc newExpiryJob(s *Service) (*cronjob.CronJob, error) {\n"
              "\treturn cronjob.New(\"ExpiredApiKeyEmailJob\", cronjob.WithJob(s.notifyExpiring), cronjob.WithCron(\"0 0 * * *\"))\n}\n\n"
              "func (s *Service) notifyExpiring(ctx context.Context) error {\n\treturn s.mail(ctx, 7)\n}\n")
    found = _flagged(tmp_path, {"go.mod": GO_MOD, "apikey/expiry.go": expiry},
                     {"apikey/expiry.go": expiry.replace("s.mail(ctx, 7)", "s.mail(ctx, 3)")})
    assert [(path, line) for path, line, *_ in found] == [("apikey/expiry.go", 8)]
    assert "scheduled function" in found[0][4]


MAIN_GO = ("package main\n\nfunc main() {\n\tc := cron.New()\n\tschedule(c, \"@every 24h\", func() {\n"
           "\t\tmails.SendWarnings()\n\t})\n\tc.Start()\n}\n\n"
           "func schedule(c *cron.Cron, spec string, cmd func()) (cron.EntryID, error) {\n\treturn c.AddFunc(spec, cmd)\n}\n")
WARNINGS = ("package mails\n\nconst (\n\trolloutPercentage = 20\n\tunusedLimit       = 5\n)\n\n"
            "func SendWarnings() {\n\tfor _, u := range users() {\n\t\tif inRollout(u) {\n\t\t\tsend(u)\n\t\t}\n\t}\n}\n\n"
            "func inRollout(u int64) bool {\n\treturn u%100 < rolloutPercentage\n}\n")


@pytest.mark.parametrize("helper, flagged", [
    ("func scheduleMeeting(ctx context.Context, f func()) { f() }\n", False),  # runs it at once, in the request
    ("func scheduleMeeting(ctx context.Context, f func()) { go f() }\n", True),
    ("func scheduleMeeting(ctx context.Context, f func()) { time.AfterFunc(time.Minute, f) }\n", True),
    ("", True),  # defined in another file: not known to run it at once
])
def test_go_a_schedule_helper_schedules_unless_its_body_runs_the_function_at_once(tmp_path, helper, flagged) -> None:
    book = ("package handlers\n\nfunc (h *H) Book(w http.ResponseWriter, r *http.Request) {\n"
            "\tscheduleMeeting(r.Context(), func() {\n\t\th.db.Insert(r.FormValue(\"slot\"))\n\t})\n}\n\n" + helper)
    found = _flagged(tmp_path, {"go.mod": GO_MOD, "handlers/book.go": book},
                     {"handlers/book.go": book.replace("h.db.Insert(", "h.db.Upsert(")})
    assert [(path, line) for path, line, *_ in found] == ([("handlers/book.go", 5)] if flagged else [])


def test_go_a_constant_a_scheduled_function_reads_is_background_code(tmp_path) -> None:
    # The application's own helper around its cron (`schedule(c, spec, func() {…})`) schedules
    # the closure; the rollout constant is read by the function the closure calls.
    main = {"go.mod": GO_MOD, "cmd/main.go": MAIN_GO, "mails/warnings.go": WARNINGS}
    found = _flagged(tmp_path, main, {"mails/warnings.go": WARNINGS.replace("= 20", "= 30")})
    assert [(path, line) for path, line, *_ in found] == [("mails/warnings.go", 4)]
    assert "scheduled function at cmd/main.go:6" in found[0][4] and "`inRollout`" in found[0][4]


@pytest.mark.parametrize("registered", ["mails.SendWarnings", "cronjob.WithJob(mails.SendWarnings)"])
def test_go_a_function_of_another_package_handed_to_a_scheduler_is_reached_through_the_reference(tmp_path, registered) -> None:
    main = ("package main\n\nfunc main() {\n\tc := cron.New()\n"
            f"\tc.AddFunc(\"@every 24h\", {registered})\n\tc.Start()\n}}\n")
    files = {"go.mod": GO_MOD, "cmd/main.go": main, "mails/warnings.go": WARNINGS}
    found = _flagged(tmp_path, files, {"mails/warnings.go": WARNINGS.replace("send(u)", "send(u, true)")})
    assert [(path, line) for path, line, *_ in found] == [("mails/warnings.go", 11)]
    assert "at cmd/main.go:5 (`c.AddFunc" in found[0][4]


@pytest.mark.parametrize("limit, flagged", [("rolloutPercentage", True), ("unusedLimit", False)])
def test_go_a_constant_another_file_of_its_package_reads_is_followed_there(tmp_path, limit, flagged) -> None:
    # The constants live in their own file; the function the cron job runs reads one of them.
    consts = "package mails\n\nconst (\n\trolloutPercentage = 20\n\tunusedLimit       = 5\n)\n"
    main = {"go.mod": GO_MOD, "cmd/main.go": MAIN_GO, "mails/consts.go": consts,
            "mails/warnings.go": WARNINGS.replace(consts[len("package mails\n"):], "\n")}
    changed = consts.replace("= 20", "= 30") if limit == "rolloutPercentage" else consts.replace("= 5", "= 6")
    found = _flagged(tmp_path, main, {"mails/consts.go": changed})
    assert [(path, line) for path, line, *_ in found] == ([("mails/consts.go", 4)] if flagged else [])
    if flagged:
        assert "scheduled function at cmd/main.go:6" in found[0][4] and "`inRollout`" in found[0][4]


def test_go_a_constant_read_by_a_queue_method_is_named_as_a_value_the_method_reads(tmp_path) -> None:
    # Session 16's new-user trial (photoview's scanner queue): the changed constant was described
    # as "method of a queue type, which workers drain", the kind of the method that reads it.
    queue = ("package scanner_queue\n\nconst progressKey = \"global-scanner-progress\"\n\n"
             "type ScannerQueue struct{}\n\nfunc (q *ScannerQueue) processQueue() {\n\tnotify(progressKey)\n}\n")
    found = _flagged(tmp_path, {"go.mod": GO_MOD, "scanner_queue/queue.go": queue},
                     {"scanner_queue/queue.go": queue.replace("global-scanner-progress", "global-scanner-status")})
    assert [(path, line) for path, line, *_ in found] == [("scanner_queue/queue.go", 3)]
    assert found[0][4].startswith("`progressKey` (a value read by background code: `ScannerQueue.processQueue`, "
                                  "method of a queue type, which workers drain, line 7): changed lines")


def test_go_a_constant_no_function_reads_is_not(tmp_path) -> None:
    main = {"go.mod": GO_MOD, "cmd/main.go": MAIN_GO, "mails/warnings.go": WARNINGS}
    assert _flagged(tmp_path, main, {"mails/warnings.go": WARNINGS.replace("= 5", "= 6")}) == []


def test_go_work_taken_out_of_its_goroutine_is_flagged_on_the_removed_lines(tmp_path) -> None:
    # The upload now runs inline in the request: the head's lines are in no goroutine.
    before = ("package filedata\n\nfunc (c *Controller) Put(ctx context.Context, row Row) error {\n"
              "\tgo func() {\n\t\tc.repo.Upsert(context.Background(), row)\n\t}()\n\treturn nil\n}\n")
    after = ("package filedata\n\nfunc (c *Controller) Put(ctx context.Context, row Row) error {\n"
             "\t//go func() {\n\tc.repo.Upsert(context.Background(), row)\n\t//}()\n\treturn nil\n}\n")
    found = _flagged(tmp_path, {"go.mod": GO_MOD, "filedata/controller.go": before}, {"filedata/controller.go": after})
    assert [(path, line, side) for path, line, side, *_ in found] == [("filedata/controller.go", 4, "base")]
    assert "(goroutine)" in found[0][4]


def test_go_a_goroutines_body_edited_in_place_is_judged_on_the_head_only(tmp_path) -> None:
    before = ("package filedata\n\nfunc (c *Controller) Put(ctx context.Context, row Row) error {\n"
              "\tgo func() {\n\t\tc.repo.Upsert(context.Background(), row)\n\t}()\n\treturn nil\n}\n")
    found = _flagged(tmp_path, {"go.mod": GO_MOD, "filedata/controller.go": before},
                     {"filedata/controller.go": before.replace("Upsert", "Insert")})
    assert [(path, line, side) for path, line, side, *_ in found] == [("filedata/controller.go", 5, "head")]


@pytest.mark.parametrize("tag, read", [
    ("e2etest", False), ("integration", False), ("integration_test", False), ("linux", True),
    # production tags that only hold the letters of `test`: the file is built, so it is read
    ("attestation", True), ("contest", True), ("latest", True),
    # not one test tag: a production build (`!integration`, any `linux` build) compiles it
    ("!integration", True), ("integration || linux", True)])
def test_go_a_file_built_only_under_a_test_tag_is_a_tests(tmp_path, tag: str, read: bool) -> None:
    # A line the grammar cannot read (here a call left open, as an editor's half-typed change is)
    # is unread code, DC703, unless no production build compiles the file. (Go 1.26's `new(expr)`
    # was the unreadable line here until session 26 read it.)
    seed = (f"//go:build {tag}\n\npackage service\n\n// Seed fills the tables the scheduler reads.\nfunc (s *TestService) Seed() error {{\n"
            "\treturn s.db.Create(&Client{Name: \"Immich\"}).Error\n}\n")
    found = _flagged(tmp_path, {"go.mod": GO_MOD, "service/seed.go": seed},
                     {"service/seed.go": seed.replace("Name: \"Immich\"", "Name: \"Immich\", URL: url(\"https://immich.local\"")},
                     rule=None)
    assert bool(found) is read


# --- JavaScript: a name a module imports, read by a job's functions -------------------------

def test_javascript_a_required_name_rebound_to_another_module_is_followed_to_its_users(tmp_path) -> None:
    storage = ("const { pipeline, Transform } = require('stream')\n\nmodule.exports = {\n"
               "  async sync () {\n    await pipeline(read(), new Transform(), write())\n  }\n}\n")
    job = "// Run from cron every five minutes\nmodule.exports = async (target) => {\n  await target.sync()\n}\n"
    main = {"server/jobs/sync-storage.js": job, "server/modules/storage/disk.js": storage}
    branch = {"server/modules/storage/disk.js": storage.replace(
        "const { pipeline, Transform } = require('stream')",
        "const { pipeline } = require('node:stream/promises')\nconst { Transform } = require('node:stream')")}
    found = _flagged(tmp_path, main, branch)
    assert ("server/modules/storage/disk.js", 1) in [(path, line) for path, line, *_ in found]
    assert "code in the job folder `jobs/`" in found[0][4]


def test_javascript_a_name_only_added_to_an_import_is_not_followed(tmp_path) -> None:
    # The functions that start using it changed themselves; the import line says nothing more.
    storage = ("import { pipeline } from 'node:stream/promises'\n\nexport async function sync () {\n"
               "  await pipeline(read(), write())\n}\n")
    job = "// Run from cron every five minutes\nimport { sync } from '../modules/storage'\nexport default async () => { await sync() }\n"
    main = {"server/jobs/sync-storage.js": job, "server/modules/storage.js": storage}
    branch = {"server/modules/storage.js": storage.replace("{ pipeline }", "{ pipeline, finished }")
              + "\nexport function done (s) {\n  return finished(s)\n}\n"}
    assert _flagged(tmp_path, main, branch) == []


def test_javascript_a_required_name_no_job_reaches_is_not(tmp_path) -> None:
    storage = ("const { pipeline } = require('stream')\n\nfunction dump () {\n  return pipeline(read(), write())\n}\n"
               "module.exports = { dump }\n")
    main = {"server/jobs/noop.js": "// Run from cron\nmodule.exports = async () => {}\n", "server/modules/storage/disk.js": storage}
    assert _flagged(tmp_path, main, {"server/modules/storage/disk.js": storage.replace(
        "require('stream')", "require('node:stream/promises')")}) == []


MAIL_WORKER = ("import { Worker } from 'bullmq'\nimport { send } from './mailer/v1'\nimport { audit } from './audit/v1'\n\n"
               "new Worker('mail', async (job) => {\n  await send(job.data)\n})\n\naudit.start()\n")
MAILERS = {"package.json": '{"name": "app", "dependencies": {"bullmq": "5"}}\n', "src/mail.js": MAIL_WORKER}


def test_javascript_an_import_rebound_and_read_by_a_worker_written_at_the_top_level_is_flagged(tmp_path) -> None:
    # No function stands between the import and the worker's handler that reads it.
    found = _flagged(tmp_path, MAILERS, {"src/mail.js": MAIL_WORKER.replace("./mailer/v1", "./mailer/v2")})
    assert [(path, line) for path, line, *_ in found] == [("src/mail.js", 2)]
    assert "(a value read by background code: BullMQ worker, line 5)" in found[0][4]


def test_javascript_an_import_rebound_and_read_by_no_worker_is_not(tmp_path) -> None:
    assert _flagged(tmp_path, MAILERS, {"src/mail.js": MAIL_WORKER.replace("./audit/v1", "./audit/v2")}) == []


@pytest.mark.parametrize("after, flagged", [("export { pipeline } from 'node:stream/promises'\n", True),
                                            ("export { pipeline } from 'stream'\nexport { finished } from 'stream'\n", False)])
def test_javascript_a_re_export_rebound_to_another_module_is_followed_to_the_jobs_importing_it(tmp_path, after, flagged) -> None:
    job = "// Run from cron every five minutes\nimport { pipeline } from '../lib/streams'\nexport default async () => { await pipeline(a(), b()) }\n"
    found = _flagged(tmp_path, {"server/jobs/sync.js": job, "server/lib/streams.js": "export { pipeline } from 'stream'\n"},
                     {"server/lib/streams.js": after})
    assert bool(found) is flagged
    if flagged:
        assert [(path, line) for path, line, *_ in found] == [("server/lib/streams.js", 1)]
        assert "calls it through `pipeline`" in found[0][4]


# --- Ruby: models with a Resque queue, Rake tasks, Cucumber steps ---------------------------

POST = ("class AdminPost < ApplicationRecord\n  include AsyncWithResque\n  @queue = :utilities\n\n"
        "  validates :title, presence: true\n\n  def self.expire_old\n    where(old: true).delete_all\n  end\nend\n")


def test_ruby_a_models_class_body_is_not_its_resque_queues_job(tmp_path) -> None:
    assert _flagged(tmp_path, {"app/models/admin_post.rb": POST},
                    {"app/models/admin_post.rb": POST.replace("presence: true", "presence: true, length: { maximum: 9 }")}) == []


def test_ruby_a_models_methods_still_run_in_its_resque_queue(tmp_path) -> None:
    found = _flagged(tmp_path, {"app/models/admin_post.rb": POST},
                     {"app/models/admin_post.rb": POST.replace("delete_all", "destroy_all")})
    assert [(path, line) for path, line, *_ in found] == [("app/models/admin_post.rb", 8)]
    assert "(Resque job)" in found[0][4]


QUEUED = ("class AdminPost < ApplicationRecord\n  include AsyncWithResque\n  @queue = :utilities\n\n"
          "  scope :stale, -> { where(old: true) }\n  scope :recent, -> { where(recent: true) }\n"
          "  after_commit { async(:reindex) }\n\n"
          "  class << self\n    def expire_old\n      stale.delete_all\n    end\n  end\n\n"
          "  private_class_method def self.purge\n    where(gone: true).delete_all\n  end\nend\n")


@pytest.mark.parametrize("before, after, line", [
    ("stale.delete_all", "stale.destroy_all", 11),  # a method inside `class << self`
    ("where(gone: true).delete_all", "where(gone: true).destroy_all", 16),  # `private_class_method def self.…`
    ("where(old: true)", "where(old: [true, nil])", 5),  # a scope the job's method deletes through
    ("async(:reindex)", "async(:reindex, id)", 7),  # what the model puts on its queue
])
def test_ruby_a_resque_models_methods_wherever_defined_and_what_they_run_are_its_jobs(tmp_path, before, after, line) -> None:
    found = _flagged(tmp_path, {"app/models/admin_post.rb": QUEUED},
                     {"app/models/admin_post.rb": QUEUED.replace(before, after)})
    assert [(path, line_) for path, line_, *_ in found] == [("app/models/admin_post.rb", line)]
    assert "(Resque job)" in found[0][4]


def test_ruby_a_hunk_whose_new_lines_run_in_a_job_is_judged_on_the_head_alone(tmp_path) -> None:
    # The validation beside the enqueue is the model's; the enqueue is judged once, on the head.
    model = QUEUED.replace("  scope :recent", "  validates :title, presence: true\n  scope :recent")
    found = _flagged(tmp_path, {"app/models/admin_post.rb": model}, {"app/models/admin_post.rb": model.replace(
        "scope :recent, -> { where(recent: true) }\n  after_commit { async(:reindex) }",
        "scope :recent, -> { where(recent: [true, nil]) }\n  after_commit { async(:reindex, id) }")})
    assert [(path, line, side) for path, line, side, *_ in found] == [("app/models/admin_post.rb", 8, "head")]


def test_ruby_a_resque_models_scope_no_method_of_it_names_is_not_its_job(tmp_path) -> None:
    assert _flagged(tmp_path, {"app/models/admin_post.rb": QUEUED},
                    {"app/models/admin_post.rb": QUEUED.replace("where(recent: true)", "where(recent: [true, nil])")}) == []


BACKFILL = ("namespace :After do\n  desc \"Create missing pseuds\"\n  task(create_pseuds: :environment) do\n"
            "    User.find_each do |user|\n      next if user.pseuds.any?\n\n"
            "      Pseud.create!(name: user.login, user_id: user.id)\n    end\n  end\nend\n")


def test_ruby_a_rake_task_that_loads_the_app_and_writes_records_is_background_code(tmp_path) -> None:
    found = _flagged(tmp_path, {"lib/tasks/after_tasks.rake": BACKFILL}, {"lib/tasks/after_tasks.rake": BACKFILL.replace(
        "user_id: user.id)", "user_id: user.id, is_default: !user.default_pseud)")})
    assert [(path, line) for path, line, *_ in found] == [("lib/tasks/after_tasks.rake", 7)]
    assert "Rake task that writes records" in found[0][4]


@pytest.mark.parametrize("prerequisites", ["create_pseuds: %i[environment]", "create_pseuds: %i[other environment]",
                                           "create_pseuds: \"environment\"", ":create_pseuds, [:limit] => [:environment]"])
def test_ruby_a_rake_task_naming_the_environment_prerequisite_in_any_form_is_read(tmp_path, prerequisites: str) -> None:
    task = BACKFILL.replace("create_pseuds: :environment", prerequisites)
    found = _flagged(tmp_path, {"lib/tasks/after_tasks.rake": task}, {"lib/tasks/after_tasks.rake": task.replace(
        "user_id: user.id)", "user_id: user.id, is_default: !user.default_pseud)")})
    assert [(path, line) for path, line, *_ in found] == [("lib/tasks/after_tasks.rake", 7)]


@pytest.mark.parametrize("task", [
    BACKFILL.replace("create_pseuds: :environment", ":create_pseuds"),  # loads no application
    BACKFILL.replace("create_pseuds: :environment", "create_pseuds: :environment_check"),  # another task
    BACKFILL.replace("Pseud.create!(name: user.login, user_id: user.id)", "puts user.login"),  # writes nothing
])
def test_ruby_a_rake_task_that_writes_no_records_is_not(tmp_path, task: str) -> None:
    changed = task.replace("Create missing pseuds", "Report pseuds").replace("next if", "next unless")
    assert _flagged(tmp_path, {"lib/tasks/after_tasks.rake": task}, {"lib/tasks/after_tasks.rake": changed}) == []


def test_cucumber_steps_are_tests_not_unread_code(tmp_path) -> None:
    steps = "Given(/^a language$/) do\n  Language.find_or_create_by(short: \"en\")\nend\n"
    found = _flagged(tmp_path, {"features/step_definitions/admin_steps.rb": steps},
                     {"features/step_definitions/admin_steps.rb": steps.replace("\"en\"", "\"de\"")}, rule=None)
    assert found == []


# --- JavaScript: a server's timer loop, CommonJS functions ----------------------------------

MONITOR = ("class Monitor {\n  async start () {\n    const beat = async () => {\n      const resp = await radius(this.host)\n"
           "      this.status = resp.code\n    }\n    const safeBeat = async () => {\n      await beat()\n"
           "      this.timer = setTimeout(safeBeat, this.interval * 1000)\n    }\n    safeBeat()\n  }\n}\n"
           "module.exports = Monitor\n")
UTIL = ("const RadiusClient = require('./radius-client')\n\nexports.radius = function (host) {\n"
        "  const client = new RadiusClient({ host })\n  return client.accessRequest({})\n}\n")
CLIENT = ("class RadiusClient {\n  accessRequest (params) {\n    return new Promise((resolve, reject) => {\n"
          "      reject(new Error('Access-Challenge'))\n    })\n  }\n}\nmodule.exports = RadiusClient\n")


def test_javascript_a_function_that_sets_its_own_next_run_is_a_timer_loop(tmp_path) -> None:
    # uptime-kuma's monitor loop: the RADIUS client is reached through `exports.radius`, a
    # CommonJS function, from `beat`, which the self-rescheduling `safeBeat` awaits.
    main = {"server/model/monitor.js": MONITOR, "server/util-server.js": UTIL, "server/radius-client.js": CLIENT,
            "server/cron.js": "// the cron jobs\n"}
    found = _flagged(tmp_path, main, {"server/radius-client.js": CLIENT.replace(
        "reject(new Error('Access-Challenge'))", "resolve({ code: 'Access-Challenge' })")})
    assert [(path, line) for path, line, *_ in found] == [("server/radius-client.js", 4)]
    assert "timer loop" in found[0][4] and "`radius` -> `accessRequest`" in found[0][4]


def test_javascript_a_one_off_timeout_is_no_loop(tmp_path) -> None:
    once = MONITOR.replace("      this.timer = setTimeout(safeBeat, this.interval * 1000)\n", "").replace(
        "    safeBeat()\n", "    setTimeout(safeBeat, 1000)\n")
    main = {"server/model/monitor.js": once, "server/util-server.js": UTIL, "server/radius-client.js": CLIENT,
            "server/cron.js": "// the cron jobs\n"}
    assert _flagged(tmp_path, main, {"server/radius-client.js": CLIENT.replace(
        "reject(new Error('Access-Challenge'))", "resolve({ code: 'Access-Challenge' })")}) == []


def test_javascript_a_commonjs_function_changed_is_followed_by_its_name(tmp_path) -> None:
    main = {"server/model/monitor.js": MONITOR, "server/util-server.js": UTIL, "server/cron.js": "// the cron jobs\n"}
    found = _flagged(tmp_path, main, {"server/util-server.js": UTIL.replace("accessRequest({})", "accessRequest({ retries: 0 })")})
    assert [(path, line) for path, line, *_ in found] == [("server/util-server.js", 5)]


def test_javascript_an_interval_in_a_react_module_runs_in_the_browser(tmp_path) -> None:
    poll = ("import { useEffect } from 'react'\n\nexport function usePoll (load) {\n  useEffect(() => {\n"
            "    const id = setInterval(() => { load(1) }, 5000)\n    return () => clearInterval(id)\n  })\n}\n")
    main = {"src/hooks/poll.js": poll, "server/cron.js": "// the cron jobs\n"}
    assert _flagged(tmp_path, main, {"src/hooks/poll.js": poll.replace("load(1)", "load(2)")}) == []


@pytest.mark.parametrize("private", ["private static async execute", "private async execute"])
def test_typescript_a_private_method_a_worker_calls_is_followed_by_its_own_name(tmp_path, private: str) -> None:
    # `execute` is too common a name to search the repository for, but a private method is
    # called only by its class: the trail goes through it (useSend's SES hook worker).
    call = "this.execute"
    parser = ("import { Worker } from 'bullmq'\nimport { unsubscribe } from './contacts'\n\n"
              "export class HookParser {\n  private static worker = new Worker('ses', async (job) => {\n"
              f"    await {call}(job.data)\n  }})\n\n  {private} (event) {{\n    await unsubscribe(event.id)\n  }}\n}}\n")
    contacts = "export async function unsubscribe (id) {\n  await db.contact.update({ where: { id }, data: { off: true } })\n}\n"
    main = {"src/server/hook-parser.ts": parser, "src/server/contacts.ts": contacts}
    found = _flagged(tmp_path, main, {"src/server/contacts.ts": contacts.replace("off: true", "off: true, at: now()")})
    assert [(path, line) for path, line, *_ in found] == [("src/server/contacts.ts", 2)]
    assert "`execute` -> `unsubscribe`" in found[0][4]


@pytest.mark.parametrize("path", ["app/notify/notify_mock.go", "app/notify/mock_destination.go", "app/mocks/destination.go"])
def test_go_mocks_are_tests_not_unread_code(tmp_path, path: str) -> None:
    mock = ("package notify\n\n// MockDest records what it is sent, for the tests.\ntype MockDest struct{ data []Request }\n\n"
            "func (m *MockDest) Send(ctx context.Context, r Request) error {\n\tgo func() {\n\t\tm.data = append(m.data, r)\n"
            "\t}()\n\treturn nil\n}\n")
    found = _flagged(tmp_path, {"go.mod": GO_MOD, path: mock}, {path: mock.replace("append(m.data, r)", "append(m.data, r, r)")},
                     rule=None)
    assert found == []


@pytest.mark.parametrize("call, flagged", [("DoChan", True), ("Do", False)])
def test_go_a_function_singleflight_runs_on_its_goroutine_is_background_code(tmp_path, call: str, flagged: bool) -> None:
    # The run is shared by every concurrent caller of the key (DoChan's on its own goroutine):
    # a panic or an error in what it calls is theirs (pocketbase's thumbnails).
    api = ("package apis\n\nimport \"golang.org/x/sync/singleflight\"\n\nvar pending singleflight.Group\n\n"
           f"func thumb(fs *filesystem.System, key string) {{\n\tpending.{call}(key, func() (any, error) {{\n"
           "\t\treturn nil, fs.CreateThumb(key)\n\t})\n}\n")
    fs = "package filesystem\n\nfunc (s *System) CreateThumb(key string) error {\n\treturn s.resize(key, 100)\n}\n"
    main = {"go.mod": GO_MOD, "apis/file.go": api, "filesystem/filesystem.go": fs}
    found = _flagged(tmp_path, main, {"filesystem/filesystem.go": fs.replace("100", "200")})
    assert [(path, line) for path, line, *_ in found] == ([("filesystem/filesystem.go", 4)] if flagged else [])
    assert not flagged or "singleflight" in found[0][4]


def test_typescript_a_changed_private_method_is_searched_for_in_its_own_class_only(tmp_path) -> None:
    # `initialize` is generic: another file's `initialize` a job calls is not this one.
    component = ("export class ChartComponent {\n  public ngOnChanges () {\n    this.initialize()\n  }\n\n"
                 "  private initialize () {\n    this.label = this.benchmark.name\n  }\n}\n")
    job = ("import { Processor, Process } from '@nestjs/bull'\nimport { Gauge } from './gauge'\n\n@Processor('stats')\n"
           "export class StatsProcessor {\n  @Process('gather')\n  async gather () {\n    new Gauge().initialize()\n  }\n}\n")
    main = {"apps/client/src/app/chart/chart.component.ts": component, "apps/api/src/queues/stats.processor.ts": job,
            "apps/api/src/queues/gauge.ts": "export class Gauge {\n  initialize () {\n    return 1\n  }\n}\n"}
    assert _flagged(tmp_path, main, {"apps/client/src/app/chart/chart.component.ts": component.replace(
        "this.benchmark.name", "this.benchmark().name")}) == []


def test_an_applications_support_feature_under_src_is_read_not_taken_for_cucumber(tmp_path) -> None:
    # A React app's `src/features/support/` is its support-ticket feature, not Cucumber's hooks:
    # its BullMQ worker runs in production.
    worker = ("import { Worker } from 'bullmq'\n\nexport const worker = new Worker('tickets', async (job) => {\n"
              "  await db.ticket.update({ where: { id: job.data.id }, data: { status: 'closed' } })\n})\n")
    found = _flagged(tmp_path, {"package.json": '{"name": "app", "dependencies": {"bullmq": "5"}}\n',
                                "src/features/support/ticketWorker.ts": worker},
                     {"src/features/support/ticketWorker.ts": worker.replace("'closed'", "'resolved'")})
    assert [(path, line) for path, line, *_ in found] == [("src/features/support/ticketWorker.ts", 4)]


def test_go_a_table_of_data_a_scheduled_function_reads_is_content(tmp_path) -> None:
    # A word list's entries are what the function looks up, not how it runs (photoprism's stop
    # words, read by the title a metadata worker computes); a scalar setting beside it still counts.
    words = ("package mails\n\nvar stopWords = map[string]bool{\n\t\"a\": true,\n\t\"the\": true,\n}\n\n"
             "const rolloutPercentage = 20\n")
    main = {"go.mod": GO_MOD, "cmd/main.go": MAIN_GO, "mails/warnings.go": WARNINGS.replace(
        "const (\n\trolloutPercentage = 20\n\tunusedLimit       = 5\n)\n\n", "").replace(
        "return u%100 < rolloutPercentage", "return u%100 < rolloutPercentage && !stopWords[\"x\"]"),
        "mails/words.go": words}
    assert _flagged(tmp_path, main, {"mails/words.go": words.replace("\t\"the\": true,\n", "\t\"the\": true,\n\t\"der\": true,\n")}) == []
    found = _flagged(tmp_path / "2", main, {"mails/words.go": words.replace("= 20", "= 30")})
    assert [(path, line) for path, line, *_ in found] == [("mails/words.go", 8)]


@pytest.mark.parametrize("call, reached", [("html.Parse(body)", False), ("parser.Parse(body)", True)])
def test_go_a_call_on_an_imported_packages_name_is_no_call_of_a_method(tmp_path, call: str, reached: bool) -> None:
    # memos' link-preview fetch calls golang.org/x/net/html's `Parse`, not its markdown parser's method.
    fetch = ("package getter\n\nimport \"golang.org/x/net/html\"\n\n"
             "func Fetch(body string, parser *Parser) {\n\tgo func() {\n\t\t_ = " + call + "\n\t}()\n}\n")
    math = "package md\n\ntype inlineMath struct{}\n\nfunc (m *inlineMath) Parse(source string) int {\n\treturn len(source)\n}\n"
    main = {"go.mod": GO_MOD, "getter/fetch.go": fetch, "md/math.go": math}
    found = _flagged(tmp_path, main, {"md/math.go": math.replace("len(source)", "len(source) - 1")})
    assert [(path, line) for path, line, *_ in found] == ([("md/math.go", 6)] if reached else [])
