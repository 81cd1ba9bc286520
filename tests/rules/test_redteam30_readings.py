"""Red team of session 30's readings (Go web endpoints and endless select loops, configuration
templates, Ruby job limits, SQL table locks, DC455, Go job folders' package-level code, Kotlin
lambdas handed to schedulers): each test asserts the correct behaviour on a real git repository
and fails now."""

from __future__ import annotations

import pytest

from support.scanning import GO_EVENT_STREAM, SUWAYOMI_BACKUP, flagged_on_branch

GO_MOD = {"go.mod": "module example.com/app\n"}


# --- 1. Go: request handlers and server starters (reach.py `_go_web_endpoint`) -------------------

# Every Go API client has a `do(req *http.Request)` helper that signs and sends the request; a
# sync worker's poll loop calls it. Taking an `*http.Request` does not make a function a request
# handler: the client builds the request itself. Now the trail stops at the helper, so a change
# to what every background sync sends (a fixed Idempotency-Key on every request) is "Nothing
# flagged"; the same helper taking `*Req` is flagged.
SYNC_MAIN = """package main

import "example.com/app/sync"

func main() {
	go sync.PullLoop()
	select {}
}
"""
SYNC_LOOP = """package sync

import (
	"net/http"
	"time"
)

func PullLoop() {
	for {
		pullItems()
		time.Sleep(time.Minute)
	}
}

func pullItems() {
	req, _ := http.NewRequest("GET", "https://api.example.com/items", nil)
	_, _ = sendSigned(req)
}
"""
SYNC_CLIENT = """package sync

import "net/http"

func sendSigned(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer x")
	return http.DefaultClient.Do(req)
}
"""
SYNC_CLIENT_KEYED = SYNC_CLIENT.replace('"Bearer x")\n', '"Bearer x")\n\treq.Header.Set("Idempotency-Key", "fixed")\n')


def test_go_an_api_client_helper_taking_a_request_is_not_a_request_handler(tmp_path) -> None:
    main = {**GO_MOD, "main.go": SYNC_MAIN, "sync/sync.go": SYNC_LOOP, "sync/client.go": SYNC_CLIENT}
    found = flagged_on_branch(tmp_path, main, {"sync/client.go": SYNC_CLIENT_KEYED}, rule="DC701")
    assert [(path, line) for path, line, *_ in found] == [("sync/client.go", 7)]


# A queue consumer that also serves its Prometheus metrics or a liveness probe, inline:
# `go http.ListenAndServe(":9090", promhttp.Handler())` before its consume loop. The consumer is
# then read as "a function that starts a web server", its goroutine is not followed, and a change
# to the retry limit of every job it runs is "Nothing flagged" (flagged without the metrics line).
WORKER_MAIN = """package main

import "example.com/app/worker"

func main() {
	go worker.Consume()
	select {}
}
"""
WORKER = """package worker

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func Consume() {
	go http.ListenAndServe(":9090", promhttp.Handler())
	for {
		job := <-Jobs
		processJob(job)
	}
}
"""
PROCESS = """package worker

func processJob(j Job) {
	if j.Attempts > 3 {
		return
	}
	j.Run()
}
"""


def test_go_a_worker_that_serves_its_own_metrics_is_still_followed_to_its_goroutine(tmp_path) -> None:
    main = {**GO_MOD, "main.go": WORKER_MAIN, "worker/worker.go": WORKER, "worker/process.go": PROCESS}
    found = flagged_on_branch(tmp_path, main, {"worker/process.go": PROCESS.replace("> 3", "> 10")}, rule="DC701")
    assert [(path, line) for path, line, *_ in found] == [("worker/process.go", 4)]


# The frameworks whose handlers the reading knows start their servers with their own calls, not
# `ListenAndServe`/`Serve`: gin's `r.Run(":8080")`, echo's `e.Start(…)`, fiber's `app.Listen(…)`.
# A main that runs the API on a goroutine and the worker on the main one (`go api.StartServer()`)
# makes every handler written in place in `StartServer` "background code": the health check's
# response flagged for the background-job checklist, mailpit's defect again for these frameworks.
API_MAIN = """package main

import (
	"example.com/app/api"
	"example.com/app/worker"
)

func main() {
	go api.StartServer()
	worker.ConsumeForever()
}
"""
API_WORKER = "package worker\n\nfunc ConsumeForever() {\n\tfor {\n\t}\n}\n"
GIN_SERVER = """package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func StartServer() {
	r := gin.Default()
	r.GET("/healthz", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	_ = r.Run(":8080")
}
"""
ECHO_SERVER = """package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func StartServer() {
	e := echo.New()
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.Logger.Fatal(e.Start(":8080"))
}
"""
FIBER_SERVER = """package api

import "github.com/gofiber/fiber/v2"

func StartServer() {
	app := fiber.New()
	app.Get("/healthz", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	})
	_ = app.Listen(":8080")
}
"""


@pytest.mark.parametrize("server", [GIN_SERVER, ECHO_SERVER, FIBER_SERVER], ids=["gin", "echo", "fiber"])
def test_go_a_gin_echo_or_fiber_server_started_on_a_goroutine_is_not_background_code(tmp_path, server: str) -> None:
    main = {**GO_MOD, "main.go": API_MAIN, "worker/worker.go": API_WORKER, "api/server.go": server}
    branch = {"api/server.go": server.replace('"status": "ok"', '"status": "ok", "version": Version')}
    assert flagged_on_branch(tmp_path, main, branch, rule="DC701") == []


# --- 2. Go: an endless select loop (background.py `_selects_forever`) ----------------------------

# A server-sent-events handler, and a gRPC server-streaming method, are `for { select { case
# <-ctx.Done(): return; case msg := <-ch: send } }` on the request's own goroutine. They are
# request handlers (reading 1 says so for the handler), yet the loop makes each one "endless
# select loop, which runs on a goroutine of its own": every change to an event stream's format
# asks the background-job checklist.
SSE_HANDLER = """package api

import (
	"fmt"
	"net/http"
)

func (s *Server) Events(w http.ResponseWriter, r *http.Request) {
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	ch := s.broker.Subscribe()
	defer s.broker.Unsubscribe(ch)
	for {
		select {
		case <-r.Context().Done():
			return
		case msg := <-ch:
			fmt.Fprintf(w, "data: %s\\n\\n", msg)
			flusher.Flush()
		}
	}
}
"""
GRPC_STREAM = GO_EVENT_STREAM.replace("IMPORTS", '\tpb "example.com/app/gen/events/v1"').replace("STREAM", "pb.Events_SubscribeServer")


@pytest.mark.parametrize("before, after", [
    (SSE_HANDLER, SSE_HANDLER.replace('"data: %s', '"event: update\\ndata: %s')),
    (GRPC_STREAM, GRPC_STREAM.replace("stream.Send(ev)", "stream.Send(redact(ev))")),
], ids=["server-sent-events", "grpc-stream"])
def test_go_an_endless_select_loop_in_a_request_handler_is_not_background_code(tmp_path, before: str,
                                                                                after: str) -> None:
    assert before != after
    found = flagged_on_branch(tmp_path, {**GO_MOD, "api/events.go": before}, {"api/events.go": after}, rule="DC701")
    assert found == []


# --- 3. Configuration templates (paths.py `deployed_path`) ---------------------------------------

# The same templates kept for a template engine rather than copied: an Ansible role's
# `templates/sidekiq.yml.j2` and `crontab.j2`, a Capistrano `sidekiq.yml.erb`, consul-template's
# or gomplate's `.tmpl`. They become the deployed files as `-example` does; a new queue, a doubled
# concurrency and a new cron job every five minutes pass with "Nothing flagged".
SIDEKIQ = ":concurrency: 1\n:queues:\n  - default\n  - mailers\n"
SIDEKIQ_MORE = ":concurrency: 2\n:queues:\n  - default\n  - mailers\n  - xapian\n"
CRONTAB = "MAILTO=ops@example.org\n0 3 * * * deploy cd /app && bundle exec rake cleanup\n"
CRONTAB_MORE = CRONTAB + "*/5 * * * * deploy cd /app && bundle exec rake alerts\n"


@pytest.mark.parametrize("folder, suffix", [
    ("deploy/roles/app/templates", ".j2"),
    ("config/deploy/templates", ".erb"),
    ("config", ".tmpl"),
])
def test_a_configuration_template_for_a_template_engine_is_read_as_the_file_it_becomes(tmp_path, folder: str,
                                                                                        suffix: str) -> None:
    sidekiq, crontab = f"{folder}/sidekiq.yml{suffix}", f"{folder}/crontab{suffix}"
    found = flagged_on_branch(tmp_path, {sidekiq: SIDEKIQ, crontab: CRONTAB},
                              {sidekiq: SIDEKIQ_MORE, crontab: CRONTAB_MORE}, rule=None)
    assert sorted((path, line) for path, line, *_ in found) == [(crontab, 3), (sidekiq, 1), (sidekiq, 5)]


# --- 4. Ruby: a job's uniqueness or concurrency limit (DC355 / DC251) ----------------------------

SIDEKIQ_JOB = """class SyncAccountJob
  include Sidekiq::Job
{options}

  def perform(account_id)
    Account.find(account_id).sync!
  end
end
"""
ACTIVE_JOB = """class SyncAccountJob < ApplicationJob
  queue_as :sync
{options}

  def perform(account)
    account.sync!
  end
end
"""
JOB_PATH = "app/jobs/sync_account_job.rb"


# sidekiq-unique-jobs' options are usually written one per line, and older apps write them with
# hash rockets; sidekiq-throttled's `sidekiq_throttle concurrency: { limit: 1 }` is the other
# common per-job concurrency limit. Taking any of them out lets two syncs of one account run at
# once, and reads as an ordinary edit (DC701 warning only): the high finding that alaveteli's
# `unique :…` removal gets is missing.
@pytest.mark.parametrize("before, after, line", [
    ("  sidekiq_options queue: :sync,\n                  retry: 3,\n                  lock: :until_executed,\n"
     "                  on_conflict: :log", "  sidekiq_options queue: :sync,\n                  retry: 3", 5),
    ("  sidekiq_options :queue => :sync, :lock => :until_executed", "  sidekiq_options :queue => :sync", 3),
    ("  sidekiq_throttle concurrency: { limit: 1 }", "", 3),
], ids=["multi-line-options", "hash-rocket", "sidekiq-throttled"])
def test_ruby_a_sidekiq_job_s_lock_removed_in_its_usual_spellings_is_high(tmp_path, before: str, after: str,
                                                                          line: int) -> None:
    found = flagged_on_branch(tmp_path, {JOB_PATH: SIDEKIQ_JOB.format(options=before)},
                              {JOB_PATH: SIDEKIQ_JOB.format(options=after)}, rule="DC355")
    assert [(path, ln, side, sev) for path, ln, side, sev, _ in found] == [(JOB_PATH, line, "base", "high")]


# good_job's and Solid Queue's limits are usually written over several lines
# (`good_job_control_concurrency_with(\n  perform_limit: 1,\n  key: …\n)`). Raising the limit from
# 1 to 5 on its own line lets five syncs of one account run at once; DC251 reads only the line
# that names the method, so the change is an ordinary edit.
@pytest.mark.parametrize("before", [
    "  good_job_control_concurrency_with(\n    perform_limit: 1,\n    key: -> { arguments.first.id }\n  )",
    "  limits_concurrency key: ->(account) { account },\n                     to: 1",
], ids=["good_job", "solid_queue"])
def test_ruby_a_multi_line_concurrency_limit_raised_is_a_changed_limit(tmp_path, before: str) -> None:
    after = before.replace("perform_limit: 1", "perform_limit: 5").replace("to: 1", "to: 5")
    found = flagged_on_branch(tmp_path, {JOB_PATH: ACTIVE_JOB.format(options=before)},
                              {JOB_PATH: ACTIVE_JOB.format(options=after)}, rule="DC251")
    assert [(path, line) for path, line, *_ in found] == [(JOB_PATH, 4)]


# Sequel's schema DSL writes a table's unique constraint as `unique :email` in `create_table`.
# Widening it to `unique [:email, :list_id]` is read as "a job's uniqueness or concurrency limit
# (unique :email) removed ... two runs of the job may now go at once", high, in a migration
# that has no job: the message sends the reviewer looking for a job that does not exist.
SEQUEL_MIGRATION = """Sequel.migration do
  change do
    create_table(:subscriptions) do
      primary_key :id
      String :email, null: false
      Integer :list_id
      unique :email
    end
  end
end
"""


def test_ruby_a_sequel_table_s_unique_constraint_is_not_a_job_s_uniqueness(tmp_path) -> None:
    path = "db/migrations/001_create_subscriptions.rb"
    found = flagged_on_branch(tmp_path, {path: SEQUEL_MIGRATION},
                              {path: SEQUEL_MIGRATION.replace("unique :email", "unique [:email, :list_id]")}, rule=None)
    assert [f for f in found if "job's uniqueness" in f[4]] == []


# --- 5. SQL table locks in strings ---------------------------------------------------------------

GO_UPDATER = """package cron

import (
	"context"
	"fmt"
)

func updateHitCounts(ctx context.Context, db DB, table string) error {{
	{line}
	return db.Exec(ctx, `update hit_counts set total = total + 1`)
}}
"""


# Postgres locks several tables in one statement (`LOCK TABLE hit_counts, hit_stats IN …`) and
# does not need the word TABLE (`LOCK hit_counts IN EXCLUSIVE MODE`); a helper that locks the
# table it is given builds the statement (`fmt.Sprintf("LOCK TABLE %s IN … MODE", table)`). Each
# removal is goatcounter's lost lock, read as an ordinary edit.
@pytest.mark.parametrize("lock", [
    "`LOCK TABLE hit_counts, hit_stats IN EXCLUSIVE MODE`",
    "`LOCK hit_counts IN EXCLUSIVE MODE`",
    'fmt.Sprintf("LOCK TABLE %s IN EXCLUSIVE MODE", table)',
], ids=["two-tables", "without-TABLE", "sprintf"])
def test_go_a_table_lock_in_its_other_spellings_removed_is_high(tmp_path, lock: str) -> None:
    line = f"if err := db.Exec(ctx, {lock}); err != nil {{\n\t\treturn err\n\t}}"
    found = flagged_on_branch(tmp_path, {"cron/hit_count.go": GO_UPDATER.format(line=line)},
                              {"cron/hit_count.go": GO_UPDATER.format(line="_ = fmt.Sprint()")}, rule="DC357")
    assert [(path, ln, side, sev) for path, ln, side, sev, _ in found] == [("cron/hit_count.go", 9, "base", "high")]


# Rails code locks a model's table by its name: `connection.execute("LOCK TABLE
# #{Counter.quoted_table_name} IN EXCLUSIVE MODE")`; knex's identifier binding and a template
# literal do the same in JS, string concatenation in Java. Removed, each reads as an ordinary edit.
RUBY_RECOUNT = """class RecountJob < ApplicationJob
  def perform
    Counter.transaction do
{line}
      Counter.recount_all
    end
  end
end
"""
JS_RECOUNT = """import {{ Worker }} from 'bullmq';

export const worker = new Worker('recount', async (job) => {{
  await db.transaction(async (trx) => {{
{line}
    await trx.raw('update counters set total = (select count(*) from hits)');
  }});
}});
"""
JAVA_RECOUNT = """package app.jobs;

import org.springframework.scheduling.annotation.Scheduled;

public class Recount {{
    @Scheduled(cron = "0 0 * * * *")
    public void run() {{
{line}
        jdbc.update("update counters set total = total + 1");
    }}
}}
"""


@pytest.mark.parametrize("path, template, line, rule, at", [
    ("app/jobs/recount_job.rb", RUBY_RECOUNT,
     '      Counter.connection.execute("LOCK TABLE #{Counter.quoted_table_name} IN EXCLUSIVE MODE")', "DC355", 4),
    ("src/worker.ts", JS_RECOUNT, "    await trx.raw(`LOCK TABLE ${TABLE} IN EXCLUSIVE MODE`);", "DC356", 5),
    ("src/worker.ts", JS_RECOUNT, "    await trx.raw('LOCK TABLE ?? IN EXCLUSIVE MODE', ['counters']);", "DC356", 5),
    ("src/main/java/app/jobs/Recount.java", JAVA_RECOUNT,
     '        jdbc.execute("LOCK TABLE " + TABLE + " IN EXCLUSIVE MODE");', "DC358", 8),
], ids=["ruby-interpolated", "js-template-literal", "knex-binding", "java-concatenated"])
def test_a_table_lock_on_a_table_named_at_run_time_removed_is_high(tmp_path, path: str, template: str, line: str,
                                                                  rule: str, at: int) -> None:
    found = flagged_on_branch(tmp_path, {path: template.format(line=line)}, {path: template.format(line="")}, rule=rule)
    assert [(p, ln, side, sev) for p, ln, side, sev, _ in found] == [(path, at, "base", "high")]


# --- 6. DC455: SQL in Java/Kotlin migrations -----------------------------------------------------

# A Flyway Java migration (`db/migration/V7__Cleanup.java`, the folder Flyway reads) ends each
# statement with `;` after the call: `s.execute("DELETE FROM audit_log");`. The DELETE/UPDATE
# pattern wants the string to end the line, so every Java migration that empties a table or
# rewrites every row passes with "Nothing flagged" (the same line in Kotlin, without `;`, is high).
FLYWAY_JAVA = """package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

public class V7__Cleanup extends BaseJavaMigration {{
    @Override
    public void migrate(Context context) throws Exception {{
        try (Statement s = context.getConnection().createStatement()) {{
{line}
        }}
    }}
}}
"""


@pytest.mark.parametrize("line", [
    '            s.execute("DELETE FROM audit_log");',
    '            s.execute("UPDATE manga SET in_library = false");',
], ids=["delete-every-row", "update-every-row"])
def test_jvm_a_java_migration_s_statement_on_every_row_is_high(tmp_path, line: str) -> None:
    path = "src/main/java/db/migration/V7__Cleanup.java"
    found = flagged_on_branch(tmp_path, {"pom.xml": "<project/>\n"}, {path: FLYWAY_JAVA.format(line=line)},
                              rule="DC455")
    assert [(p, ln, sev) for p, ln, _, sev, _ in found] == [(path, 11, "high")]


# Suwayomi's migrations are SQL in a Kotlin raw string, one clause a line. A DELETE whose WHERE is
# on the next line (purging orphan chapters only) is read as "DELETE FROM CHAPTER", every row,
# high; a `--` comment in the SQL that mentions a later DROP COLUMN is read as the statement.
# DC451 reads neither so in a .sql migration, which DC455 says it reads "as in a .sql file".
SQL_MIGRATION = '''package suwayomi.tachidesk.server.database.migration

import de.neonew.exposed.migrations.helpers.SQLMigration

@Suppress("ClassName", "unused")
class M0060_Cleanup : SQLMigration() {{
    override val sql =
        """
{sql}
        """.trimIndent()
}}
'''


@pytest.mark.parametrize("sql", [
    "        DELETE FROM CHAPTER\n        WHERE manga NOT IN (SELECT id FROM MANGA);",
    "        -- is_nsfw goes in M0061 (DROP COLUMN) once no release reads it\n"
    "        ALTER TABLE EXTENSION ADD COLUMN is_obsolete BOOLEAN DEFAULT FALSE;",
], ids=["delete-with-where-on-next-line", "sql-comment"])
def test_jvm_a_kotlin_migration_s_sql_is_read_as_in_a_sql_file(tmp_path, sql: str) -> None:
    path = "server/src/main/kotlin/suwayomi/tachidesk/server/database/migration/M0060_Cleanup.kt"
    found = flagged_on_branch(tmp_path, {"build.gradle.kts": "\n"}, {path: SQL_MIGRATION.format(sql=sql)},
                              rule="DC455")
    assert found == []


# --- 7. Go: a job folder's package-level code (detect.py `folder_top`) ---------------------------

# A Go cron package that registers its tasks from `init()` (`Register("vacuum pageviews",
# 1*time.Hour, dataRetention)`) in the same file as the goroutine that runs them: moving data
# retention from hourly to daily is "Nothing flagged". The same `init` in another file of the
# folder is flagged; in the file with regions, `init` is a function no one calls, so it is
# neither package-level code nor reached.
CRON_RUNNER = """package cron

import "time"

type Task struct {
	Desc   string
	Period time.Duration
	Fn     func() error
}

var Tasks []Task

func Register(desc string, period time.Duration, fn func() error) {
	Tasks = append(Tasks, Task{desc, period, fn})
}

func RunTasks() {
	for _, t := range Tasks {
		go func(t Task) {
			for {
				_ = t.Fn()
				time.Sleep(t.Period)
			}
		}(t)
	}
}

func init() {
	Register("vacuum pageviews", 1 * time.Hour, dataRetention)
}

func dataRetention() error { return nil }
"""


def test_go_a_job_folder_s_init_registration_is_its_jobs_code_in_a_file_with_regions(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"cron/cron.go": CRON_RUNNER},
                              {"cron/cron.go": CRON_RUNNER.replace("1 * time.Hour", "24 * time.Hour")}, rule="DC701")
    assert [(path, line) for path, line, *_ in found] == [("cron/cron.go", 29)]


# --- 8. Kotlin: a lambda kept in a variable and run by a runner ----------------------------------

# The Kotlin ways to run `val task = { … }` on a schedule or thread call it from a trailing lambda
# (kotlin.concurrent's `Timer().schedule(delay, period) { task() }` and `fixedRateTimer(…) {
# task() }`, a coroutine's `scope.launch { while (isActive) { task(); delay(…) } }`) or hand it to
# `Thread(task)`. The trailing lambda is a region, but the task it runs is not followed: Suwayomi's
# backup cleanup changing which files it deletes is "Nothing flagged" again.
BACKUP = SUWAYOMI_BACKUP


@pytest.mark.parametrize("runner", [
    'Timer("backup", true).schedule(0L, 86_400_000L) { task() }',
    'fixedRateTimer("backup", true, 0L, 86_400_000L) { task() }',
    "scope.launch { while (isActive) { task(); delay(86_400_000L) } }",
    'Thread(task, "backup").start()',
], ids=["timer-schedule", "fixedRateTimer", "coroutine", "thread"])
def test_kotlin_a_lambda_in_a_variable_run_by_a_timer_coroutine_or_thread_is_a_task(tmp_path, runner: str) -> None:
    path = "server/src/main/kotlin/app/ProtoBackupExport.kt"
    before = BACKUP.replace("RUNNER", runner)
    after = before.replace("dir.walkTopDown().forEach", 'dir.listFiles { f -> f.name.startsWith("auto") }?.forEach')
    found = flagged_on_branch(tmp_path, {path: before}, {path: after}, rule="DC701")
    assert [(p, line) for p, line, *_ in found] == [(path, 13)]
