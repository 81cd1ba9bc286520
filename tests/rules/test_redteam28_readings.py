"""Red team of session 28's readings (commits eae6be8 … 83fe99c): Go DC252's compare-and-set
steps, Ruby DC167 (job callbacks, Sidekiq middleware) and DC264 (per-thread state), Quartz's `Job`
only where Quartz is imported, the logging proofs (a logger field, a value made for a log line),
advisory locks in SQL (DC250/DC251/DC252/DC253), Java trails through an entry method called on a
field, JVM `…EventHandler` bases, PR claims of "cleanup", DC523 (a job library's gem line), JS/TS
`registerTask` and the "Nothing flagged" hint.

Each test not marked PASSES NOW fails on the code it was written against (83fe99c): a silent miss
(a real hazard not flagged) or a false flag (a harmless change flagged). Each says what real code
it models and what the correct result is. Real git repositories, real tree-sitter, the whole scan
(tests/support/scanning.py); the CLI cases run `python -m deploycheck scan` (tests/support/gate.py).

Read and probed without a failing case: reading 6 (TypeScript call signatures: a `const` type
parameter in a parameter's or field's object type parses; a real error that swallows code is
still DC703, pinned below), reading 8's method references (`this::m`, a self-injected field's
`self::m`, a static `Owner::m`, an interface-typed field's `svc::m` are all followed) and the
`new StringBuilder().append(x.reserve())` / `new Object() {…}` log arguments (read as acting,
correctly). Reading 10 (testing_support/ paths) was not probed in the time."""

from __future__ import annotations

import json

import pytest

from support.gate import dc
from support.gitrepo import make_branch, make_repo
from support.scanning import TASK_RUNNER
from support.scanning import flagged_on_branch as _found


def _lines(found: list[tuple]) -> list[tuple[str, int]]:
    return [(p, line) for p, line, *_ in found]


# =================================================================================================
# 1. Go DC252: compare-and-set steps (`.CompareAndSwap(`, `.LoadOrStore(` …)
# =================================================================================================

_SERVER = """package server

import "sync/atomic"

type Server struct {
	closed atomic.Bool
	conns  chan struct{}
}

func (s *Server) Close() error {
	GUARD
	close(s.conns)
	return nil
}
"""


@pytest.mark.parametrize("guard", [
    # PASSES NOW: the compare-and-set form of the guard.
    "if !s.closed.CompareAndSwap(false, true) {\n\t\treturn nil\n\t}",
    # Go 1.19's `atomic.Bool.Swap`: `if s.closed.Swap(true) { return }` is the idiomatic
    # close-once guard (net/http's and grpc-go's servers are written so). Was a silent miss.
    "if s.closed.Swap(true) {\n\t\treturn nil\n\t}",
], ids=["CompareAndSwap (PASSES NOW)", "Swap"])
def test_go_dc252_an_atomic_swap_guard_on_a_field_declared_elsewhere(tmp_path, guard: str) -> None:
    # A server's idempotent Close: a second Close no longer closes the channel twice (a panic).
    # The new pattern reads `LoadOrStore`, `LoadAndDelete`, `CompareAndSwap` and
    # `CompareAndDelete`, not `Swap` (of atomic.Bool/Int64/Pointer/Value and sync.Map, Go 1.20),
    # which decides the same race on the same field declared on another line: unflagged. Correct:
    # DC252 at line 11 either way.
    path = "internal/server/server.go"
    found = _found(tmp_path, {path: _SERVER.replace("\tGUARD\n", "")}, {path: _SERVER.replace("GUARD", guard)}, rule="DC252")
    assert _lines(found) == [(path, 11)]


# =================================================================================================
# 2. Ruby DC167: ActiveJob callbacks and Sidekiq middleware
# =================================================================================================

_SIDEKIQ_INITIALIZER = """Sidekiq.configure_server do |config|
  config.redis = { url: ENV["REDIS_URL"] }
  config.server_middleware do |chain|
    chain.add RequestStore::Sidekiq::ServerMiddleware
  end
end
"""


def test_dc167_a_sidekiq_middleware_removed_from_the_chain(tmp_path) -> None:
    # A Rails application that clears RequestStore after each Sidekiq job with
    # request_store-sidekiq's server middleware (the fix docs/rules.md's DC264 recommends)
    # drops the middleware from config/initializers/sidekiq.rb. Every job now reads the tenant
    # or user the previous job on its thread memoised. DC167 reads added and changed lines only,
    # so removing a middleware (what `chain.remove` is flagged for doing) is unflagged. Was a
    # silent miss. Correct: a finding at the removed line (line 4 of the base); fixed as DC355's
    # (a safeguard removed, read on removed lines), since DC167 reads added lines.
    path = "config/initializers/sidekiq.rb"
    found = _found(tmp_path, {path: _SIDEKIQ_INITIALIZER},
                   {path: _SIDEKIQ_INITIALIZER.replace("    chain.add RequestStore::Sidekiq::ServerMiddleware\n", "")},
                   rule="DC355")
    assert _lines(found) == [(path, 4)]


_RESQUE_LOCK = """module Resque
  module Plugins
    module Lock
      def lock(*args)
        "lock:#{name}-#{args.to_s}"
      end
    end
  end
end
"""
_RESQUE_LOCK_HOOKS = _RESQUE_LOCK.replace("      end\n    end\n  end\nend\n", """      end

      def before_perform_lock(*args)
        raise Resque::Job::DontPerform unless Resque.redis.set(lock(*args), true, nx: true, ex: 3600)
      end

      def after_perform_lock(*args)
        Resque.redis.del(lock(*args))
      end
    end
  end
end
""")
_IMPORT_JOB = """class ImportJob
  extend Resque::Plugins::Lock
  @queue = :imports

  def self.perform(id)
    Import.find(id).run!
  end
end
"""


def test_dc167_resque_s_named_hooks_in_a_plugin_module(tmp_path) -> None:
    # Resque's job hooks are methods named after their kind (`before_perform_*`,
    # `after_perform_*`, `around_perform_*`, `before_enqueue_*`: Resque's docs/HOOKS.md, the
    # resque-lock plugin), here added to the plugin module every import job extends: a second
    # import of the same id is now silently dropped. The pattern's `\b` after `perform` refuses
    # `before_perform_lock`, and the module is no job, so nothing is flagged. Was a silent miss.
    # Correct: DC167 at lines 8 and 12.
    path = "lib/resque/plugins/lock.rb"
    found = _found(tmp_path, {path: _RESQUE_LOCK, "app/jobs/import_job.rb": _IMPORT_JOB}, {path: _RESQUE_LOCK_HOOKS},
                   rule="DC167")
    assert _lines(found) == [(path, 8), (path, 12)]


# =================================================================================================
# 3. Ruby DC264: per-thread state
# =================================================================================================

_TENANT = "class Tenant < ApplicationRecord\nend\n"


@pytest.mark.parametrize("head, line", [
    # Rails' own per-thread class attribute (ActiveSupport's thread_mattr_accessor): not reset by
    # Rails around a job, unlike CurrentAttributes, so a Sidekiq thread keeps the last tenant.
    ("class Tenant < ApplicationRecord\n  thread_mattr_accessor :current\nend\n", 2),
    # Rails 7's store behind Thread.current (ActiveSupport::IsolatedExecutionState).
    ("class Tenant < ApplicationRecord\n  def self.current\n"
     "    ActiveSupport::IsolatedExecutionState[:current_tenant] ||= find_by(host: Current.host)\n  end\nend\n", 3),
], ids=["thread_mattr_accessor", "IsolatedExecutionState"])
def test_dc264_rails_own_per_thread_stores(tmp_path, head: str, line: int) -> None:
    # The same hazard as `Thread.current[:current_tenant] ||= …` (flagged), written with Rails'
    # API for it. Was a silent miss. Correct: DC264 at the line.
    path = "app/models/tenant.rb"
    found = _found(tmp_path, {path: _TENANT}, {path: head}, rule="DC264")
    assert _lines(found) == [(path, line)]


def test_dc264_the_seeds_run_once_in_a_process_of_their_own(tmp_path) -> None:
    # db/seeds.rb naming the admin as the current user for the audit trail of what it creates
    # (audited's and paper_trail's README pattern, `RequestStore.store[:current_user]`). `rails
    # db:seed` runs once in its own process: no thread is reused by a request or a job. Was a
    # false flag. Correct: nothing.
    path = "db/seeds.rb"
    found = _found(tmp_path, {path: "User.create!(email: 'admin@example.com')\n"},
                   {path: "admin = User.create!(email: 'admin@example.com')\nRequestStore.store[:current_user] = admin\n"},
                   rule="DC264")
    assert found == []


def test_dc264_thread_current_in_a_model_PASSES_NOW(tmp_path) -> None:
    path = "app/models/tenant.rb"
    found = _found(tmp_path, {path: _TENANT}, {path: "class Tenant < ApplicationRecord\n  def self.current\n"
                                                     "    Thread.current[:current_tenant] ||= find_by(host: Current.host)\n  end\nend\n"},
                   rule="DC264")
    assert _lines(found) == [(path, 3)]


# =================================================================================================
# 4. JVM: Quartz's `Job` only where the file names `org.quartz`
# =================================================================================================

_SCHEDULED_BUILD = """package ci.model;

{imports}
public class ScheduledBuild extends {sup} {{
    private String spec;

    public boolean isValidSchedule() {{
        return CronExpression.isValidExpression(spec);
    }}
}}
"""


@pytest.mark.parametrize("imports, sup, flagged", [
    # A CI server's own `Job` model (as Jenkins's `hudson.model.Job`, same package), whose schedule
    # is checked with Quartz's CronExpression: "org.quartz" is in the file, so `Job` is taken for
    # Quartz's. Was a false flag. Correct: nothing (only `import org.quartz.Job`, `org.quartz.*`
    # or `org.quartz.Job` written out make it Quartz's).
    ("import org.quartz.CronExpression;\n", "Job<ScheduledBuild, Build>", False),
    # PASSES NOW: `extends org.quartz.Job` written out (an abstract job base).
    ("import org.quartz.CronExpression;\n", "org.quartz.Job", True),
], ids=["own Job beside CronExpression", "org.quartz.Job written out (PASSES NOW)"])
def test_jvm_quartz_s_job_is_the_one_the_file_imports(tmp_path, imports: str, sup: str, flagged: bool) -> None:
    path = "core/src/main/java/ci/model/ScheduledBuild.java"
    source = _SCHEDULED_BUILD.format(imports=imports, sup=sup)
    found = _found(tmp_path, {path: source}, {path: source.replace("isValidExpression(spec)", "isValidExpression(spec.trim())")})
    assert _lines(found) == ([(path, 9)] if flagged else [])


# =================================================================================================
# 5. Logging proofs: a new logger field in background code
# =================================================================================================

_KT_JOB = """package sample

import org.springframework.scheduling.quartz.QuartzJobBean
import org.quartz.JobExecutionContext
{imports}
class SampleJob : QuartzJobBean() {{
{field}
    override fun executeInternal(context: JobExecutionContext) {{
        {body}
    }}
}}
"""
_KT_BEFORE = _KT_JOB.format(imports="", field="", body='println("Sample job ran at " + java.util.Date())')


@pytest.mark.parametrize("field", [
    # Kotlin's usual logger property: its type inferred from the factory. Was a false flag
    # (DC701 "New background code: `SampleJob::logger`").
    "    private val logger = LoggerFactory.getLogger(SampleJob::class.java)\n",
    # The companion object that holds it (one logger per class, Kotlin's idiom for a static
    # field). Was a false flag, twice (the companion object and the property).
    "    companion object {\n        private val logger = LoggerFactory.getLogger(SampleJob::class.java)\n    }\n",
    # PASSES NOW: the property with its type written.
    "    private val logger: Logger = LoggerFactory.getLogger(SampleJob::class.java)\n",
], ids=["inferred type", "in a companion object", "typed (PASSES NOW)"])
def test_kotlin_a_logger_property_in_background_code_changes_nothing(tmp_path, field: str) -> None:
    # spring-boot-admin's sample Quartz job (apps-u 5ac6a562) written in Kotlin: println made a
    # logger call and the logger declared. `is_logger_declaration` reads a Kotlin property's
    # written `user_type` only. Correct: no warning (the "new logger" info, as in Java).
    path = "src/main/kotlin/sample/SampleJob.kt"
    after = _KT_JOB.format(imports="import org.slf4j.Logger\nimport org.slf4j.LoggerFactory\n", field=field,
                           body='logger.info("Sample job ran at {}", java.util.Date())')
    assert _found(tmp_path, {path: _KT_BEFORE}, {path: after}) == []


# =================================================================================================
# 6. TypeScript: an error inside a call signature
# =================================================================================================

_MAIL_WORKER = """import { Worker } from 'bullmq'

export interface Handler {
  (job: Job): Promise<void>
}

export const worker = new Worker('mail', async (job) => {
  await sendMail(job.data.to)
})
"""


def test_ts_an_unclosed_call_signature_that_swallows_code_is_still_dc703_PASSES_NOW(tmp_path) -> None:
    # PASSES NOW: a real error (the `>` and `}` lost in a merge) whose ERROR spans the worker
    # below is not inside a signature: still DC703.
    path = "src/workers/mail.ts"
    head = _MAIL_WORKER.replace("Promise<void>\n}", "Promise<void").replace(
        "await sendMail(job.data.to)", "await sendMail(job.data.to, { priority: 'high' })")
    assert _lines(_found(tmp_path, {path: _MAIL_WORKER}, {path: head}, rule="DC703")) == [(path, 4)]


# =================================================================================================
# 7. Advisory locks in SQL (DC250, DC252, DC253)
# =================================================================================================

_MIGRATION_LOCK = """import { pool } from './db'

const MIGRATION_LOCK_ID = 72707369

export async function withMigrationLock(fn) {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID])
    return await fn()
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID])
    client.release()
  }
}
"""
_LEADER = """package daemon

import "context"

const leaderLockID = 7263

func (d *Daemon) tryLead(ctx context.Context) (bool, error) {
	var ok bool
	err := d.db.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", leaderLockID).Scan(&ok)
	return ok, err
}
"""


@pytest.mark.parametrize("path, base, head, rule, line", [
    # node-pg-migrate's and knex-migrator's shape: the lock's key in a constant of the file.
    ("src/db/lock.ts", _MIGRATION_LOCK, _MIGRATION_LOCK.replace("72707369", "72707370"), "DC250", 3),
    # A Go daemon's leader election (atproto's Ozone daemons take `pg_try_advisory_lock`).
    ("internal/daemon/leader.go", _LEADER, _LEADER.replace("7263", "7264"), "DC252", 5),
], ids=["ts", "go"])
@pytest.mark.xfail(strict=True, reason="a limitation documented in docs/limitations.md: a lock's key held in a "
                   "constant of another line is not followed to the lock call")
def test_advisory_lock_key_changed_in_its_constant(tmp_path, path: str, base: str, head: str, rule: str, line: int) -> None:
    # The reading's own words: "whose key decides who excludes whom". During a rolling deploy
    # the old instances lock the old key and the new ones the new key, so both run the migration
    # (or both lead). The key is a constant the lock's SQL names, on another line: unflagged.
    # Was a silent miss. Correct: the rule at the constant's line.
    found = _found(tmp_path, {path: base}, {path: head}, rule=rule)
    assert _lines(found) == [(path, line)]


def test_dc250_a_log_message_that_names_the_lock_function(tmp_path) -> None:
    # A log line added inside the locked section, naming the function in its text (`in_strings`
    # reads every string). It changes no lock. Was a false flag. Correct: nothing.
    path = "src/db/lock.ts"
    found = _found(tmp_path, {path: _MIGRATION_LOCK}, {path: _MIGRATION_LOCK.replace(
        "    return await fn()\n", "    logger.info('pg_advisory_lock taken, running migrations')\n    return await fn()\n")},
        rule="DC250")
    assert found == []


_LEDGER_SYNC = """package app.sync;

import org.springframework.jdbc.core.JdbcTemplate;

public class LedgerSync {
    private final JdbcTemplate jdbc;

    public LedgerSync(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void sync() {
        LOCK
        post();
    }
}
"""


@pytest.mark.parametrize("lock, flagged", [
    ('jdbc.queryForObject("SELECT pg_advisory_xact_lock(42)", Object.class);', True),  # PASSES NOW
    # SQL Server's advisory lock, the one a Spring application on SQL Server takes (Python's
    # rules already read it: rules/python/hazards.py `_SQL_LOCKS`). Was a silent miss.
    ('jdbc.update("EXEC sp_getapplock @Resource = \'ledger-sync\', @LockMode = \'Exclusive\', @LockOwner = \'Transaction\'");', True),
], ids=["postgres (PASSES NOW)", "sql server sp_getapplock"])
def test_dc253_an_advisory_lock_of_each_database(tmp_path, lock: str, flagged: bool) -> None:
    # Correct: DC253 at line 13 for either database's lock.
    path = "src/main/java/app/sync/LedgerSync.java"
    found = _found(tmp_path, {path: _LEDGER_SYNC.replace("        LOCK\n", "")}, {path: _LEDGER_SYNC.replace("LOCK", lock)},
                   rule="DC253")
    assert _lines(found) == ([(path, 13)] if flagged else [])


# =================================================================================================
# 8. Java trails: an entry method called on a field of the class
# =================================================================================================

_TASK_RUNNER = TASK_RUNNER
_KT_WORKER = """package app.tasks

import app.execution.TaskRunner
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutorService

class TaskWorker(private val taskExecutor: TaskRunner, private val pool: ExecutorService) {
    fun poll(taskId: String) {
        CompletableFuture.runAsync({ taskExecutor.execute(taskId) }, pool)
    }
}
"""


def test_kotlin_a_worker_calling_a_java_class_s_entry_method_on_its_property(tmp_path) -> None:
    # conductor's worker (apps-u test_jvm_an_entry_method_called_on_an_injected_field_of_its_class)
    # written in Kotlin, as a Kotlin service over a Java core is: `taskExecutor.execute(taskId)`
    # on the pool. `_java_entry_calls` reads Java files only, so the executor's new guard is
    # unflagged. Was a silent miss. Correct: DC701 at TaskRunner.java:11, as for a Java worker.
    runner = "src/main/java/app/execution/TaskRunner.java"
    found = _found(tmp_path, {"src/main/kotlin/app/tasks/TaskWorker.kt": _KT_WORKER, runner: _TASK_RUNNER},
                   {runner: _TASK_RUNNER.replace("        store.markRunning(taskId);\n",
                                                 "        if (!store.reserve(taskId)) {\n            return;\n        }\n"
                                                 "        store.markRunning(taskId);\n")})
    assert _lines(found) == [(runner, 11)]


# =================================================================================================
# 9. JVM: a class extending an application's `…EventHandler` base
# =================================================================================================

_FX_BASE = """package app.ui;

import javafx.event.ActionEvent;
import javafx.event.EventHandler;

public abstract class ActionEventHandler implements EventHandler<ActionEvent> {
    protected final Editor editor;

    protected ActionEventHandler(Editor editor) {
        this.editor = editor;
    }
}
"""
_FX_SAVE = """package app.ui;

import javafx.event.ActionEvent;

public class SaveHandler extends ActionEventHandler {
    public SaveHandler(Editor editor) {
        super(editor);
    }

    @Override
    public void handle(ActionEvent event) {
        editor.save();
    }
}
"""


def test_jvm_a_javafx_application_s_own_event_handler_base_is_ui_code(tmp_path) -> None:
    # A JavaFX editor's button handlers share a base over `javafx.event.EventHandler<ActionEvent>`
    # (the brief's `extends MyEventHandler`): they run on the FX application thread when a button
    # is pressed. `[a-z]EventHandler$` takes `ActionEventHandler` for spring-boot-admin's
    # `AbstractEventHandler`. Was a false flag. Correct: nothing.
    found = _found(tmp_path, {"src/main/java/app/ui/ActionEventHandler.java": _FX_BASE, "src/main/java/app/ui/SaveHandler.java": _FX_SAVE},
                   {"src/main/java/app/ui/SaveHandler.java": _FX_SAVE.replace("        editor.save();\n",
                                                                             "        editor.flush();\n        editor.save();\n")})
    assert found == []


_JOURNALER = """package app.ingest;

import com.lmax.disruptor.EventHandler;

public class TradeJournaler implements EventHandler<TradeEvent> {
    private final Journal journal;

    public TradeJournaler(Journal journal) {
        this.journal = journal;
    }

    @Override
    public void onEvent(TradeEvent event, long sequence, boolean endOfBatch) {
        journal.append(event.trade());
    }
}
"""


def test_jvm_an_lmax_disruptor_event_handler_is_background_code(tmp_path) -> None:
    # LMAX Disruptor's consumer (`implements com.lmax.disruptor.EventHandler<T>`), run on the
    # ring buffer's own thread, in batches. The bare `EventHandler` is left out for JavaFX's
    # sake whatever the import (as Quartz's `Job` now is decided by it), so the journaler's new
    # flush at the end of each batch is unflagged. Was a silent miss. Correct: DC701 at line 15.
    path = "src/main/java/app/ingest/TradeJournaler.java"
    found = _found(tmp_path, {path: _JOURNALER}, {path: _JOURNALER.replace(
        "        journal.append(event.trade());\n",
        "        journal.append(event.trade());\n        if (endOfBatch) {\n            journal.flush();\n        }\n")})
    assert _lines(found) == [(path, 15)]


# =================================================================================================
# 11. PR claims: "cleanup" as the object of a verb
# =================================================================================================

@pytest.mark.parametrize("title, phrases", [
    # Nouns that are also the reading's verbs: the change is called a cleanup (of guard
    # clauses, of the retry logic, of the Order model), a claim of harmlessness. Were no claim.
    ("Guard clause cleanup", ("cleanup",)),
    ("Retry logic cleanup", ("cleanup",)),
    ("Order model cleanup", ("cleanup",)),
    ("Batch of small cleanups", ("cleanups",)),
    # Two things done, joined by a slash or a dash (only "and", "plus", ",", "&", "+" and
    # sentence marks separate them). Were no claim.
    ("Fix typos / cleanup", ("cleanup",)),
    ("Fix flaky spec - cleanup", ("cleanup",)),
    # PASSES NOW: joined by a semicolon.
    ("Fix typos; cleanup", ("cleanup",)),
], ids=["guard clause", "retry logic", "order model", "batch of", "slash", "dash", "semicolon (PASSES NOW)"])
def test_cleanup_after_a_noun_or_a_separator_stays_a_claim(title: str, phrases: tuple) -> None:
    # `_CLEANUP_FEATURE` takes any of serialize/fix/guard/lock/retry/schedule/…/batch/order
    # followed within 60 characters by "cleanup" for the verb and its object, so these titles
    # (common ones: RuboCop's Style/GuardClause, an e-commerce Order model) claim nothing and the
    # gate never contradicts them with the findings. Correct: the "cleanup" claim.
    from deploycheck.gate.prfield import claims_in

    assert claims_in(title) == phrases


# =================================================================================================
# 12. DC523: a job library's gem line
# =================================================================================================

_GEMFILE = """source "https://rubygems.org"

gem "rails", "~> 7.1"

if ENV["SIDEKIQ_PRO_ENABLED"] == "true"
  source "https://gems.contribsys.com/" do
    gem "sidekiq-pro", "~> 7.3"
  end
else
  gem "sidekiq", "~> 7.3"
end
"""


@pytest.mark.xfail(strict=True, reason="a limitation documented in DC523's known problems: a condition changed around "
                   "gem lines that stay as they were is not read (docs/rules.md)")
def test_dc523_only_the_condition_around_the_gem_lines_changed(tmp_path) -> None:
    # gumroad's Gemfile (the reading's own case) with its condition flipped: Sidekiq Pro now
    # everywhere unless the variable says "false", plain Sidekiq only where it does. docs/rules.md
    # says DC523 flags "also when only its condition or group changed around it"; only a gem
    # line that itself changed is read. Was a silent miss. Correct: DC523 at line 5.
    found = _found(tmp_path, {"Gemfile": _GEMFILE}, {"Gemfile": _GEMFILE.replace(
        'ENV["SIDEKIQ_PRO_ENABLED"] == "true"', 'ENV["SIDEKIQ_PRO_ENABLED"] != "false"')}, rule="DC523")
    assert _lines(found) == [("Gemfile", 5)]


_PLAIN_GEMFILE = 'source "https://rubygems.org"\n\ngem "rails", "~> 7.1"\ngem "sidekiq", "~> 7.3"\n'


def test_dc523_a_comment_added_to_a_gem_line(tmp_path) -> None:
    # A comment saying what the gem is for (Rails' generated Gemfile comments each gem). The
    # library, edition and version are unchanged. Was a false flag. Correct: nothing.
    found = _found(tmp_path, {"Gemfile": _PLAIN_GEMFILE}, {"Gemfile": _PLAIN_GEMFILE.replace(
        'gem "sidekiq", "~> 7.3"', 'gem "sidekiq", "~> 7.3" # background jobs, see config/sidekiq.yml')}, rule="DC523")
    assert found == []


_ENGINE_GEMSPEC = """Gem::Specification.new do |spec|
  spec.name = "billing"
  spec.add_dependency "rails", ">= 7.0"
  spec.add_dependency "sidekiq", "~> 6.5"
end
"""


def test_dc523_a_job_library_in_an_engine_s_gemspec(tmp_path) -> None:
    # A modular Rails application (engines/billing, loaded by `gem "billing", path: …`) whose
    # engine declares its job library in its gemspec: Sidekiq 6 made 7 (Redis 6.2+, the
    # `Sidekiq.redis` API changed). Only Gemfile, gems.rb and *.gemfile are read. Was a silent
    # miss. Correct: DC523 at the gemspec's line 4.
    path = "engines/billing/billing.gemspec"
    found = _found(tmp_path, {path: _ENGINE_GEMSPEC, "Gemfile": 'gem "billing", path: "engines/billing"\n'},
                   {path: _ENGINE_GEMSPEC.replace("~> 6.5", "~> 7.3")}, rule="DC523")
    assert _lines(found) == [(path, 4)]


# =================================================================================================
# 13. JS: `registerTask` handlers
# =================================================================================================

_GRUNTFILE = """module.exports = function (grunt) {
  grunt.initConfig({ pkg: grunt.file.readJSON('package.json') })

  grunt.registerTask('db:seed', 'Seed the database', function () {
    const done = this.async()
    require('./scripts/seed').run().then(done)
  })
}
"""


def test_js_a_grunt_task_is_no_background_task(tmp_path) -> None:
    # Grunt's `grunt.registerTask(name, description, fn)`: a build or maintenance task a developer
    # runs from the command line. `registerTask` in `_JS_RUNNERS` makes the Gruntfile's function
    # a "task handler" (DC701 "top-level code (task handler)"). Was a false flag. Correct: nothing.
    found = _found(tmp_path, {"Gruntfile.js": _GRUNTFILE,
                              "package.json": json.dumps({"name": "app", "devDependencies": {"grunt": "^1.6.0"}})},
                   {"Gruntfile.js": _GRUNTFILE.replace("run().then(done)", "run({ reset: true }).then(done)")})
    assert found == []


# =================================================================================================
# 14. The "Nothing flagged" hint (output/report.py NOT_RECOGNISED_HINT)
# =================================================================================================

_HINT_START = "deploycheck knows background work by its job libraries"


def _scan_text(tmp_path, main: dict, branch: dict) -> str:
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", branch)
    run = dc(repo, "scan", "--base", "main")
    assert run.returncode == 0, run.stderr
    assert "Nothing flagged" in run.stdout
    return run.stdout


def test_hint_not_shown_over_a_change_to_specs_only(tmp_path) -> None:
    # A branch that only adds an RSpec example: no code that a deployment runs changed, yet the
    # hint tells the user how to have "code that runs in the background" read. Was a false note.
    # Correct: "Nothing flagged" alone (the hint is for changed application code).
    out = _scan_text(tmp_path, {"app/models/user.rb": "class User\nend\n", "spec/models/user_spec.rb": "describe User do\nend\n"},
                     {"spec/models/user_spec.rb": "describe User do\n  it { is_expected.to be_a(User) }\nend\n"})
    assert _HINT_START not in out


def test_hint_not_shown_where_job_paths_are_already_listed(tmp_path) -> None:
    # atproto's user (the trial the hint was written for) after following it: the daemon's folder
    # listed under `job_paths`, and a change to the API beside it. The hint still says to list
    # the folders under `job_paths`. Was a false note. Correct: no hint (or one that does not
    # ask for what the configuration already has).
    out = _scan_text(tmp_path, {".deploycheck/config.yaml": "job_paths: ['packages/ozone/src/daemon/**']\n",
                                "packages/ozone/src/daemon/index.ts": "export function tick() {\n  return 1\n}\n",
                                "packages/ozone/src/api/users.ts": "export const limit = 1\n"},
                     {"packages/ozone/src/api/users.ts": "export const limit = 2\n"})
    assert _HINT_START not in out


def test_hint_shown_over_changed_application_code_PASSES_NOW(tmp_path) -> None:
    out = _scan_text(tmp_path, {"packages/ozone/src/daemon/index.ts": "export function tick() {\n  return 1\n}\n"},
                     {"packages/ozone/src/daemon/index.ts": "export function tick() {\n  return 2\n}\n"})
    assert _HINT_START in out
