"""Readings from session 40: apps-ag (tests/corpus/*-labelled-apps-ag.yaml, scanned first at the
session's start commit) and the new users' trials (rclone, nextcloud/android, CodeTriage, jitsu),
on real git repositories: each case fails without its reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.scanning import flagged_on_branch, red_team_branch

# --- Go: `go fix`'s atomic types are the same operations (rclone 77f9c70cf) -----------------------

COUNTED = """package azureblob

import (
	"sync"
	"sync/atomic"
)

func listParallel(shards []string, list func(string) int) int {
	var total int64
	var wg sync.WaitGroup
	for _, shard := range shards {
		wg.Add(1)
		go func(shard string) {
			defer wg.Done()
			atomic.AddInt64(&total, int64(list(shard)))
		}(shard)
	}
	wg.Wait()
	return int(atomic.LoadInt64(&total))
}
"""
TYPED = COUNTED.replace("var total int64", "var total atomic.Int64").replace(
    "atomic.AddInt64(&total, int64(list(shard)))", "total.Add(int64(list(shard)))").replace(
    "atomic.LoadInt64(&total)", "total.Load()")
PLAIN = COUNTED.replace("atomic.AddInt64(&total, int64(list(shard)))", "total += int64(list(shard))").replace(
    "atomic.LoadInt64(&total)", "total")
ARROW = "backend/azureblob/arrow.go"


def test_go_package_atomics_turned_into_typed_atomics_weaken_nothing(tmp_path) -> None:
    assert flagged_on_branch(tmp_path, {ARROW: COUNTED}, {ARROW: TYPED}, rule="DC704") == []


def test_go_typed_atomics_turned_into_a_plain_int_still_weaken(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {ARROW: TYPED}, {ARROW: PLAIN.replace("atomic.Int64", "int64")}, rule="DC704")
    assert [(severity, "sync/atomic" in message) for _, _, _, severity, message in found] == [("high", True)], found


def test_go_a_struct_fields_typed_atomic_calls_are_uses(tmp_path) -> None:
    # A field `n atomic.Int64` whose `s.n.Add(1)` becomes `s.n++` on a plain int loses its atomic.
    base = ("package stats\n\nimport \"sync/atomic\"\n\ntype Stats struct {\n\tn atomic.Int64\n}\n\n"
            "func (s *Stats) Hit() {\n\ts.n.Add(1)\n}\n")
    head = base.replace("n atomic.Int64", "n int64").replace("s.n.Add(1)", "s.n++").replace(
        "import \"sync/atomic\"\n\n", "")
    found = flagged_on_branch(tmp_path, {"stats/stats.go": base}, {"stats/stats.go": head}, rule="DC704")
    assert ("stats/stats.go", 8, "head", "high") in {f[:4] for f in found}, found


# --- Kotlin/Java: an app's own Android logger (nextcloud/android, a new user's trial) -------------

WORKER = """package com.nextcloud.client.jobs.upload

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters

class AutoUploadWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        Log_OC.d(TAG, "auto upload started")
        upload(false)
        return Result.success()
    }
}
"""
WORKER_PATH = "app/src/main/java/com/nextcloud/client/jobs/upload/AutoUploadWorker.kt"


@pytest.mark.parametrize("logger", ["Log_OC", "AppLog", "LogUtils"])
def test_kotlin_an_apps_own_android_logger_changes_only_a_log_line(tmp_path, logger: str) -> None:
    main = WORKER.replace("Log_OC", logger)
    head = main.replace('"auto upload started"', '"auto upload started for all folders"')
    assert flagged_on_branch(tmp_path, {WORKER_PATH: main}, {WORKER_PATH: head}) == []


@pytest.mark.parametrize("receiver", ["dialog", "backlog"])
def test_kotlin_a_one_letter_call_on_a_word_ending_in_log_is_no_log_line(tmp_path, receiver: str) -> None:
    main = WORKER.replace("Log_OC", receiver)
    head = main.replace('"auto upload started"', '"auto upload started for all folders"')
    found = flagged_on_branch(tmp_path, {WORKER_PATH: main}, {WORKER_PATH: head})
    assert [line for _, line, *_ in found] == [9], found


# --- Vercel's cron jobs (jitsu f05423069, a new user's trial) --------------------------------------

VERCEL = """{
  "crons": [
    {
      "path": "/api/billing/export-subscriptions",
      "schedule": "0 5 * * *"
    }
  ]
}
"""


def test_a_vercel_cron_schedule_changed_is_said_with_its_path(tmp_path) -> None:
    head = VERCEL.replace("0 5 * * *", "*/1 * * * *")
    found = flagged_on_branch(tmp_path, {"webapps/ee-api/vercel.json": VERCEL}, {"webapps/ee-api/vercel.json": head},
                              rule="DC509")
    assert [(path, line) for path, line, *_ in found] == [("webapps/ee-api/vercel.json", 5)], found
    assert "`/api/billing/export-subscriptions` changed from 0 5 * * * to */1 * * * *" in found[0][4]


def test_a_new_vercel_cron_is_said_and_an_unchanged_one_is_not(tmp_path) -> None:
    head = VERCEL.replace("    }\n  ]", '    },\n    {\n      "path": "/api/events-log-trim",\n'
                          '      "schedule": "*/3 * * * *"\n    }\n  ]')
    found = flagged_on_branch(tmp_path, {"vercel.json": VERCEL}, {"vercel.json": head}, rule="DC509")
    assert [(line, "new schedule */3 * * * * for the cron job calling `/api/events-log-trim`" in message)
            for _, line, _, _, message in found] == [(9, True)], found


# --- Parentheses around one operand order nothing (ollama 6bba484f, apps-ag) ----------------------

DOWNLOAD = """package server

import "fmt"

func downloadBlob(digest string, name func() string) error {
	if digest == "" {
		return fmt.Errorf(("%s: %s"), name(), "digest is empty")
	}
	return nil
}

func worker(jobs chan string) {
	go func() {
		for d := range jobs {
			_ = downloadBlob(d, func() string { return d })
		}
	}()
}
"""


def test_go_redundant_parentheses_removed_change_nothing(tmp_path) -> None:
    head = DOWNLOAD.replace('(("%s: %s"), name()', '("%s: %s", name()')
    assert flagged_on_branch(tmp_path, {"server/download.go": DOWNLOAD}, {"server/download.go": head}) == []


def test_go_parentheses_that_regroup_are_a_change(tmp_path) -> None:
    main = DOWNLOAD.replace('if digest == "" {', 'if n := (len(digest) + 1) * 2; n == 2 {')
    head = main.replace("(len(digest) + 1) * 2", "len(digest) + 1*2")
    found = flagged_on_branch(tmp_path, {"server/download.go": main}, {"server/download.go": head})
    assert [line for _, line, *_ in found] == [6], found


def test_js_parentheses_around_an_optional_chain_are_kept(tmp_path) -> None:
    main = ("const { Worker } = require('bullmq')\n\nnew Worker('q', async (job) => {\n"
            "  return (job.data?.user).id\n})\n")
    head = main.replace("(job.data?.user).id", "job.data?.user.id")
    found = flagged_on_branch(tmp_path, {"worker.js": main}, {"worker.js": head})
    assert [line for _, line, *_ in found] == [4], found


# --- JS: a function that continues itself at once is no timer loop (Haraka, apps-ag b1350f90) ------

CONNECTION = """const net = require('node:net')

class Connection {
  _process_data() {
    while (this.current_data) {
      if (this.early_talker) {
        setImmediate(() => {
          this._process_data()
        })
        break
      }
      this.process_line(this.next_line())
    }
  }

  process_line(line) {
    this.transaction.add_data(line)
  }
}

module.exports = Connection
"""


@pytest.mark.parametrize("timer, flagged", [("setImmediate(() => {", False), ("setTimeout(() => {", False),
                                            ("setTimeout(() => {", True)])
def test_js_a_function_that_continues_itself_at_once_is_no_timer_loop(tmp_path, timer: str, flagged: bool) -> None:
    main = CONNECTION.replace("setImmediate(() => {", timer)
    if flagged:  # a delay: it runs again every period, beside the requests
        main = main.replace("        })\n        break", "        }, 1000)\n        break")
    head = main.replace("add_data(line)", "add_data(line.trimEnd())")
    found = flagged_on_branch(tmp_path, {"connection.js": main}, {"connection.js": head})
    assert [line for _, line, *_ in found] == ([17] if flagged else []), found


# --- Rails migrations: raw SQL that retypes, and a unique index added (CodeTriage; laa-apply) ------

RETYPE = """class ChangeIssuesIdToBigint < ActiveRecord::Migration[7.0]
  disable_ddl_transaction!

  def up
    execute "ALTER TABLE issues ALTER COLUMN id TYPE bigint"
    execute <<~SQL
      ALTER TABLE issue_assignments
        ALTER COLUMN issue_id TYPE bigint
    SQL
  end

  def down
    execute "ALTER TABLE issues ALTER COLUMN id TYPE integer"
  end
end
"""
MIGRATION = "db/migrate/20260202160000_change_issues_id_to_bigint.rb"


def test_rails_raw_sql_that_retypes_a_column_is_destructive_outside_the_undo(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"README.md": "app\n"}, {MIGRATION: RETYPE}, rule="DC452")
    assert [(line, severity) for _, line, _, severity, _ in found] == [(5, "high"), (8, "high")], found


UNIQUE = """class AddUniquenessIndexToCapitalDisregards < ActiveRecord::Migration[7.2]
  disable_ddl_transaction!

  def change
    add_index(:capital_disregards, [:legal_aid_application_id, :name], unique: true, algorithm: :concurrently)
  end
end
"""
NEW_TABLE = """class CreateCapitalDisregards < ActiveRecord::Migration[7.2]
  def change
    create_table :capital_disregards do |t|
      t.string :name
    end
    add_index :capital_disregards, :name, unique: true
  end
end
"""


@pytest.mark.parametrize("migration, lines", [(UNIQUE, [5]), (NEW_TABLE, []),
                                              (UNIQUE.replace("unique: true, ", ""), [])])
def test_rails_a_unique_index_added_to_a_table_it_does_not_create(tmp_path, migration: str, lines: list) -> None:
    path = "db/migrate/20241030094958_add_uniqueness_index_to_capital_disregards.rb"
    found = flagged_on_branch(tmp_path, {"README.md": "app\n"}, {path: migration}, rule="DC456")
    assert [line for _, line, *_ in found] == lines, found


# --- kafkajs: a consumer's session timeout (jitsu cd0057a4, a new user's trial) ---------------------

ROTOR = """import { Kafka } from "kafkajs";

export async function kafkaRotor(kafka: Kafka, groupId: string) {
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 30000,
  });
  await consumer.connect();
  return consumer;
}
"""


def test_kafkajs_a_consumers_session_timeout_changed(tmp_path) -> None:
    path = "services/rotor/src/lib/rotor.ts"
    found = flagged_on_branch(tmp_path, {path: ROTOR}, {path: ROTOR.replace("30000", "10000")}, rule="DC521")
    assert [(line, "sessionTimeout changed from 30000 to 10000" in message)
            for _, line, _, _, message in found] == [(7, True)], found


# --- DC704 points at the line that names the primitive (nextcloud 7cf1adc1, a new user's trial) -----

GENERATOR = """package com.nextcloud.utils.thumbnail

import java.util.concurrent.Executors

@Singleton
class FileThumbnailGenerator(private val size: Int) {
    private val executor = Executors.newFixedThreadPool(4)

    private val pending = ArrayList<String>()

    fun generate(path: String) {
        executor.execute { pending.add(path) }
    }
}
"""


def test_dc704_a_class_that_gained_a_synchronized_list_is_pointed_at_it(tmp_path) -> None:
    path = "app/src/main/java/com/nextcloud/utils/thumbnail/FileThumbnailGenerator.kt"
    head = GENERATOR.replace("@Singleton\n", "@Singleton\n@Suppress(\"TooManyFunctions\")\n").replace(
        "ArrayList<String>()", "Collections.synchronizedList(ArrayList<String>())").replace(
        "import java.util.concurrent.Executors", "import java.util.Collections\nimport java.util.concurrent.Executors")
    found = flagged_on_branch(tmp_path, {path: GENERATOR}, {path: head}, rule="DC704")
    assert [(line, severity) for _, line, _, severity, _ in found] == [(11, "warning")], found


# --- A data-access interface's annotated method runs its annotation (nextcloud, a new user's trial) --

DAO = '''package com.nextcloud.client.database.dao

import androidx.room.Dao
import androidx.room.Query

@Dao
interface FileSystemDao {
    @Query(
        """
        UPDATE filesystem
        SET sent_for_upload = 1
        WHERE local_path = :localPath
          AND synced_folder_id = :syncedFolderId
    """
    )
    suspend fun markFileAsUploaded(localPath: String, syncedFolderId: String)

    fun describe(localPath: String): String
}
'''
REPOSITORY = """package com.nextcloud.client.jobs.autoUpload

import com.nextcloud.client.database.dao.FileSystemDao

class FileSystemRepository(private val dao: FileSystemDao) {
    suspend fun markFileAsHandled(localPath: String, folderId: String) {
        dao.markFileAsUploaded(localPath, folderId)
    }
}
"""
WORKER_OF_DAO = """package com.nextcloud.client.jobs.autoUpload

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters

class AutoUploadWorker(context: Context, params: WorkerParameters, private val repository: FileSystemRepository) :
    CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        repository.markFileAsHandled("/sdcard/a.jpg", "1")
        return Result.success()
    }
}
"""
DAO_PATH = "app/src/main/java/com/nextcloud/client/database/dao/FileSystemDao.kt"
REPOSITORY_PATH = "app/src/main/java/com/nextcloud/client/jobs/autoUpload/FileSystemRepository.kt"
DAO_FILES = {DAO_PATH: DAO, REPOSITORY_PATH: REPOSITORY,
             "app/src/main/java/com/nextcloud/client/jobs/autoUpload/AutoUploadWorker.kt": WORKER_OF_DAO}


def test_kotlin_a_room_query_changed_under_a_job_is_background_code(tmp_path) -> None:
    head = DAO.replace("sent_for_upload = 1", "sent_for_upload = 0")
    found = flagged_on_branch(tmp_path, DAO_FILES, {DAO_PATH: head})
    assert [(path, line) for path, line, *_ in found] == [(DAO_PATH, 11)], found


def test_kotlin_an_interface_method_without_an_annotation_still_runs_nothing(tmp_path) -> None:
    # `describe` has no body and no annotation a framework runs: its changed signature runs nothing.
    main = {**DAO_FILES, REPOSITORY_PATH: REPOSITORY.replace("markFileAsUploaded(localPath, folderId)", "describe(localPath)")}
    head = DAO.replace("fun describe(localPath: String): String", "fun describe(localPath: String?): String")
    assert flagged_on_branch(tmp_path, main, {DAO_PATH: head}) == []


# --- Kotlin: a coroutine each call cancels and replaces (pocket-casts 89cb3c60, apps-ag) ------------

SEARCH = """package au.com.shiftyjelly.pocketcasts.search

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

class TvSearchViewModel(private val search: SearchManager) : ViewModel() {
    private var searchJob: Job? = null

    fun onQueryChange(query: String) {
        searchJob?.cancel()
        searchJob = viewModelScope.launch {
            delay(300)
            state.value = search.combined(query)
        }
    }
}
"""
SEARCH_PATH = "tv/src/main/java/au/com/shiftyjelly/pocketcasts/search/TvSearchViewModel.kt"


@pytest.mark.parametrize("cancels", [True, False])
def test_kotlin_a_coroutine_each_call_cancels_and_replaces_is_background_code(tmp_path, cancels: bool) -> None:
    main = SEARCH if cancels else SEARCH.replace("        searchJob?.cancel()\n", "")
    head = main.replace("delay(300)", "delay(500)")
    found = flagged_on_branch(tmp_path, {SEARCH_PATH: main}, {SEARCH_PATH: head})
    assert [(line, "cancels and replaces" in message) for _, line, _, _, message in found] == (
        [(15, True)] if cancels else []), found


UPLOADER = """package com.nextcloud.client.jobs.upload

import java.util.concurrent.Executors

class FileUploadWorker {
    companion object {
        const val TOTAL = "total"

        var currentUpload: String? = null

        private const val BATCH_SIZE = 100

        fun cancel(path: String) {
            Executors.newSingleThreadExecutor().execute { currentUpload = null }
        }
    }
}
"""


def test_dc704_a_gain_is_said_once_on_the_head_side(tmp_path) -> None:
    path = "app/src/main/java/com/nextcloud/client/jobs/upload/FileUploadWorker.kt"
    head = UPLOADER.replace("        var currentUpload: String? = null\n\n", "").replace(
        "        fun cancel", "        val uploads = ConcurrentHashMap<String, String>()\n\n        fun cancel").replace(
        "import java.util.concurrent.Executors", "import java.util.concurrent.ConcurrentHashMap\nimport java.util.concurrent.Executors")
    found = flagged_on_branch(tmp_path, {path: UPLOADER}, {path: head}, rule="DC704")
    assert [(line, side) for _, line, side, _, _ in found] == [(12, "head")], found


# --- Go: a generic name at the end of a field's field is another type's (rclone abae66ee) -----------

STATS = """package accounting

import "sync"

type StatsInfo struct {
	mu    sync.Mutex
	bytes int64
}

func (s *StatsInfo) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return formatBytes(s.bytes)
}
"""
LIMITER = """package accounting

type tokenBucket struct {
	currLimit struct{ Bandwidth interface{ String() string } }
}

func (tb *tokenBucket) start(stats *StatsInfo) {
	go func() {
		limit := tb.currLimit.Bandwidth.String()
		_ = limit
		CALL
	}()
}
"""


@pytest.mark.parametrize("call, lines", [("", []), ("_ = stats.String()", [13])])
def test_go_a_generic_method_called_on_a_fields_field_is_not_followed(tmp_path, call: str, lines: list) -> None:
    main = {"fs/accounting/stats.go": STATS, "fs/accounting/limiter.go": LIMITER.replace("CALL", call)}
    head = STATS.replace("formatBytes(s.bytes)", 'formatBytes(s.bytes) + "/s"')
    found = flagged_on_branch(tmp_path, main, {"fs/accounting/stats.go": head})
    assert [line for _, line, *_ in found] == lines, found


# --- DC715 names the rake task an enqueue is in (CodeTriage 134e136d, a new user's trial) -----------

RAKE = """namespace :schedule do
  task triage_emails: :environment do
    User.find_each do |user|
      SendDailyTriageEmailJob.perform_later(user)
    end
  end
end
"""


def test_ruby_an_enqueue_in_a_rake_task_is_said_to_be_the_tasks(tmp_path) -> None:
    job = "class SendDailyTriageEmailJob < ApplicationJob\n  def perform(user_id)\n  end\nend\n"
    main = {"lib/tasks/schedule.rake": RAKE, "app/jobs/send_daily_triage_email_job.rb": job}
    head = RAKE.replace("perform_later(user)", "perform_later(user.id)")
    found = flagged_on_branch(tmp_path, main, {"lib/tasks/schedule.rake": head}, rule="DC715")
    assert any("what `rake schedule:triage_emails` hands it changed" in message for *_, message in found), found


# --- The red team of session 40 (fixtures in tests/rules/data/redteam40/) ----------------------------

REDTEAM = Path(__file__).parent / "data" / "redteam40"


@pytest.mark.parametrize("case, rule, expected", [
    # A Node daemon started from an extensionless script never stops its timer: not a terminal program.
    ("01-node-worker-script", "DC701", [("bin/worker", 30)]),
    # `#!/usr/bin/env ts-node` is TypeScript, not JavaScript that fails to parse.
    ("02-ts-node-script", "DC703", []),
    # A drain loop that waits for a blocking pop, then re-arms with setImmediate, is still a loop.
    ("03-setimmediate-drain-loop", "DC701", [("src/mail/outbox.js", 25), ("src/mail/outbox.js", 26)]),
    # DC456 over several lines, in SQL and through a reference; not for a table the branch creates.
    ("04-unique-index-multiline", "DC456", [("db/migrate/20240611120000_add_unique_index_to_payments.rb", 5)]),
    ("05-unique-index-raw-sql", "DC456", [("db/migrate/20240611120000_add_unique_index_to_payments.rb", 6)]),
    ("21-unique-via-add-reference", "DC456", [("db/migrate/20240611120000_link_profiles_to_accounts.rb", 3),
                                              ("db/migrate/20240611120000_link_profiles_to_accounts.rb", 4)]),
    ("20-unique-index-on-new-table-fp", "DC456", []),
    # DC452: PostgreSQL's optional COLUMN; not an index's RENAME TO, nor SQL words in a column's comment.
    ("06-sql-alter-without-column", "DC452", [("db/migrate/20240611120000_retype_and_rename_issue_columns.rb", n)
                                              for n in (3, 4, 5)]),
    ("07-sql-rename-index-fp", "DC452", []),
    ("23-sql-words-in-comment-fp", "DC452", []),
    # DC719 runs in a file no other gate admits.
    ("16-listener-gate-missing", "DC719", [("server/upstream.js", 8)]),
])
def test_redteam40_case(tmp_path, case: str, rule: str, expected: list) -> None:
    found = red_team_branch(tmp_path, REDTEAM / case, rule=rule)
    assert sorted((path, line) for path, line, *_ in found) == expected, found


@pytest.mark.xfail(strict=True, reason="known limitation (docs/limitations.md, session 40): typed atomics are "
                   "read as uses only where the file declares them; a struct declared in another file of the package "
                   "is not read")
def test_redteam40_typed_atomics_declared_in_another_file(tmp_path) -> None:
    found = red_team_branch(tmp_path, REDTEAM / "19-go-typed-atomic-other-file", rule="DC704")
    assert [severity for *_, severity, _ in found if severity == "high"] == []


# A unique index over columns a base unique index already covers adds no rule (rubygems 3201f883).
SCHEMA = """ActiveRecord::Schema[8.1].define(version: 2026_08_01_000000) do
  create_table "versions", force: :cascade do |t|
    t.string "number"
    t.integer "rubygem_id"
    t.string "platform"
    t.index ["rubygem_id", "number", "platform"], name: "index_versions_on_number", unique: true
  end
end
"""
WIDENED = """class AddRubyAbiToVersionUniqueIndexes < ActiveRecord::Migration[8.1]
  disable_ddl_transaction!

  def up
    add_index :versions,
      COLUMNS,
      unique: true,
      algorithm: :concurrently
  end
end
"""


@pytest.mark.parametrize("columns, lines", [("%i[rubygem_id number platform ruby_abi]", []),
                                            ("%i[rubygem_id platform]", [5])])
def test_rails_a_unique_index_a_base_index_covers_adds_no_rule(tmp_path, columns: str, lines: list) -> None:
    path = "db/migrate/20260818000002_add_ruby_abi_to_version_unique_indexes.rb"
    found = flagged_on_branch(tmp_path, {"db/schema.rb": SCHEMA}, {path: WIDENED.replace("COLUMNS", columns)}, rule="DC456")
    assert [line for _, line, *_ in found] == lines, found
