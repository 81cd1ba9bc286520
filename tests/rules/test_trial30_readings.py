"""Readings from session 30's new-user trials (alaveteli, Suwayomi-Server, goatcounter), on real
git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import MASK_JOB_WITH_RETRY, ONLY_AUTO, SUWAYOMI_BACKUP, flagged_on_branch

# alaveteli keeps its Sidekiq configuration and its crontab as templates that the install copies
# into place (`config/sidekiq.yml-example`, `config/crontab-example`): a new queue, a doubled
# concurrency and four new cron jobs passed with "Nothing flagged" (0228655e, 7fadb31a…).
SIDEKIQ = ":concurrency: 1\n:queues:\n  - default\n  - mailers\n"
SIDEKIQ_MORE = ":concurrency: 2\n:queues:\n  - default\n  - mailers\n  - xapian\n"
CRONTAB = "MAILTO=ops@example.org\n0 3 * * * deploy cd /app && bundle exec rake cleanup\n"
CRONTAB_MORE = CRONTAB + "*/5 * * * * deploy cd /app && bundle exec rake alerts\n"


@pytest.mark.parametrize("suffix", ["-example", ".example", ".sample", ".dist"])
def test_a_configuration_template_is_read_as_the_file_it_becomes(tmp_path, suffix: str) -> None:
    main = {f"config/sidekiq.yml{suffix}": SIDEKIQ, f"config/crontab{suffix}": CRONTAB}
    branch = {f"config/sidekiq.yml{suffix}": SIDEKIQ_MORE, f"config/crontab{suffix}": CRONTAB_MORE}
    found = flagged_on_branch(tmp_path, main, branch, rule=None)
    assert sorted((path, line) for path, line, *_ in found) == [
        (f"config/crontab{suffix}", 3), (f"config/sidekiq.yml{suffix}", 1), (f"config/sidekiq.yml{suffix}", 5)]


# A new job on a queue that only the template's list leaves out is accepted and never run
# (alaveteli's InsightJob, 3cc51033: `queue_as :insights`).
JOB = "class InsightJob < ApplicationJob\n  queue_as :{queue}\n\n  def perform(insight)\n    insight.run\n  end\nend\n"


@pytest.mark.parametrize("queue, flagged", [("insights", True), ("mailers", False)])
def test_a_new_job_on_a_queue_the_template_does_not_list_is_high(tmp_path, queue: str, flagged: bool) -> None:
    main = {"config/sidekiq.yml-example": SIDEKIQ, "app/jobs/application_job.rb": "class ApplicationJob < ActiveJob::Base\nend\n"}
    found = flagged_on_branch(tmp_path, main, {"app/jobs/insight_job.rb": JOB.format(queue=queue)}, rule="DC164")
    assert [(path, line, sev) for path, line, _, sev, _ in found] == ([("app/jobs/insight_job.rb", 2, "high")] if flagged else [])


# alaveteli removed activejob-uniqueness from its attachment-masking job (f166d04f): two maskings
# of one attachment could then run at once, and the removal read as an ordinary change (DC701
# warning), so a "no" to sequential-assumption went unchallenged.
MASK_JOB = """class FoiAttachmentMaskJob < ApplicationJob
  queue_as :default
  {limit}

  def perform(attachment)
    attachment.mask!
  end
end
"""


@pytest.mark.parametrize("limit", [
    "unique :until_and_while_executing, on_conflict: :log",
    "sidekiq_options lock: :until_executed",
    "good_job_control_concurrency_with perform_limit: 1, key: -> { arguments.first.id }",
    "limits_concurrency to: 1, key: ->(attachment) { attachment }",
])
def test_ruby_a_job_s_uniqueness_or_concurrency_limit_removed_is_high(tmp_path, limit: str) -> None:
    main = {"app/jobs/foi_attachment_mask_job.rb": MASK_JOB.format(limit=limit)}
    found = flagged_on_branch(tmp_path, main, {"app/jobs/foi_attachment_mask_job.rb": MASK_JOB.format(limit="")},
                              rule="DC355")
    assert [(path, line, side, sev) for path, line, side, sev, _ in found] == [
        ("app/jobs/foi_attachment_mask_job.rb", 3, "base", "high")]
    assert "two runs of the job" in found[0][4]


# goatcounter's stats updaters took `lock table hit_counts in exclusive mode` so two runs could not
# read and write one day's counts at once; its removal from nine cron tasks (4e8d0942) read as
# ordinary edits. A log message naming a lock is none.
UPDATER = """package cron

import "context"

func updateHitCounts(ctx context.Context, db DB) error {{
	{line}
	return db.Exec(ctx, `update hit_counts set total = total + 1`)
}}
"""


@pytest.mark.parametrize("line, flagged", [
    ('if err := db.Exec(ctx, `lock table hit_counts in exclusive mode`); err != nil {\n\t\treturn err\n\t}', True),
    ('if err := db.Exec(ctx, "LOCK TABLES hit_counts WRITE"); err != nil {\n\t\treturn err\n\t}', True),
    ('log.Print("could not lock table rows for the report")', False),
])
def test_go_a_table_lock_removed_is_high(tmp_path, line: str, flagged: bool) -> None:
    found = flagged_on_branch(tmp_path, {"cron/hit_count.go": UPDATER.format(line=line)},
                              {"cron/hit_count.go": UPDATER.format(line="")}, rule="DC357")
    assert [(path, line, sev) for path, line, _, sev, _ in found] == ([("cron/hit_count.go", 6, "high")] if flagged else [])


# goatcounter's cron tasks and how often they run are a table in `cron/cron.go`, a file that also
# starts the goroutine that runs them: moving data retention from hourly to daily (bd2af189) was
# "Nothing flagged", the table being read as data. A job folder's package-level declarations are
# how its jobs run.
CRON = """package cron

import "time"

type Task struct {{
	Desc   string
	Fn     func() error
	Period time.Duration
}}

var Tasks = []Task{{
	{{"vacuum pageviews", dataRetention, {period}}},
	{{"renew ACME certs", renewACME, 2 * time.Hour}},
}}

func Start() {{
	for _, t := range Tasks {{
		go func(t Task) {{
			for {{
				_ = t.Fn()
				time.Sleep(t.Period)
			}}
		}}(t)
	}}
}}

func dataRetention() error {{ return nil }}
func renewACME() error     {{ return nil }}
"""


@pytest.mark.parametrize("path, flagged", [("cron/cron.go", True), ("stats/cron.go", False)])
def test_go_a_job_folder_s_task_table_is_its_jobs_code(tmp_path, path: str, flagged: bool) -> None:
    found = flagged_on_branch(tmp_path, {path: CRON.format(period="1 * time.Hour")},
                              {path: CRON.format(period="24 * time.Hour")}, rule="DC701")
    assert [(p, line) for p, line, *_ in found] == ([(path, 12)] if flagged else [])


# Suwayomi's automated backup: `val task = { cleanupAutomatedBackups(); createAutomatedBackup() }`
# handed to its own scheduler, `HAScheduler.scheduleCron(task, …)`. Which files the cleanup deletes
# changed (eaffb275) with "Nothing flagged": the file named no job API, and a lambda kept in a
# variable was not read as the task it is handed on as.
BACKUP = SUWAYOMI_BACKUP.replace("RUNNER", 'HAScheduler.scheduleCron(task, "0 3 */1 * *", "backup")')
AUTO_ONLY = BACKUP.replace(*ONLY_AUTO)


@pytest.mark.parametrize("handed_to, flagged", [
    ('HAScheduler.scheduleCron(task, "0 3 */1 * *", "backup")', True),
    ("executor.execute(task)", True),
    # A lambda kept for a collection's `map` is no task.
    ("files.map(task)", False),
])
def test_kotlin_a_lambda_kept_in_a_variable_and_handed_to_a_scheduler_is_a_task(tmp_path, handed_to: str,
                                                                                flagged: bool) -> None:
    path = "server/src/main/kotlin/app/ProtoBackupExport.kt"
    swap = 'HAScheduler.scheduleCron(task, "0 3 */1 * *", "backup")'
    found = flagged_on_branch(tmp_path, {path: BACKUP.replace(swap, handed_to)},
                              {path: AUTO_ONLY.replace(swap, handed_to)}, rule="DC701")
    assert [(p, line) for p, line, *_ in found] == ([(path, 13)] if flagged else [])


# Suwayomi's caches: a `CopyOnWriteArrayList` swapped for `mutableListOf()` was not read (the gate
# had no word for it), and `Collections.synchronizedMap(…)` was no concurrent type (0f76c556).
REGISTRY = """package app

object Registry {{
    private val hits = {value}

    fun hit(key: String) {{
        hits.add(key)
    }}
}}
"""


@pytest.mark.parametrize("before, after, severity", [
    ("CopyOnWriteArrayList<String>()", "mutableListOf<String>()", "high"),
    ("mutableListOf<String>()", "Collections.synchronizedList(mutableListOf<String>())", "warning"),
    ("Collections.synchronizedList(mutableListOf<String>())", "mutableListOf<String>()", "high"),
])
def test_kotlin_a_copy_on_write_or_synchronized_collection_is_a_concurrent_type(tmp_path, before: str, after: str,
                                                                                severity: str) -> None:
    path = "src/main/kotlin/app/Registry.kt"
    found = flagged_on_branch(tmp_path, {path: REGISTRY.format(value=before)}, {path: REGISTRY.format(value=after)},
                              rule="DC704")
    assert [(p, line, sev) for p, line, _, sev, _ in found] == [(path, 4, severity)]


# alaveteli's masking job: a comment added to `queue_as :default` and the line below it removed.
# The job's finding showed the commented line alone; the removed line was in no finding, so not in
# the record or the pull request's block either. A removed line that resembles no added line of its
# hunk is named in the finding.
MASK = MASK_JOB_WITH_RETRY


@pytest.mark.parametrize("head, named", [
    (MASK.replace("  queue_as :default\n  retry_on Timeout::Error, attempts: 5\n", "  queue_as :masking\n"),
     "Removed from it as well: `retry_on Timeout::Error, attempts: 5`."),
    # A line replaced by one like it is the head's line to judge: nothing more is named.
    (MASK.replace("attempts: 5", "attempts: 3"), None),
])
def test_a_line_removed_beside_a_changed_one_is_named_in_the_finding(tmp_path, head: str, named: str | None) -> None:
    found = flagged_on_branch(tmp_path, {"app/jobs/mask_job.rb": MASK}, {"app/jobs/mask_job.rb": head}, rule="DC701")
    assert [(path, line) for path, line, *_ in found] == [("app/jobs/mask_job.rb", 2 if named else 3)]
    assert (named in found[0][4]) if named else ("Removed from it" not in found[0][4])


def test_a_line_removed_beside_one_only_realigned_is_judged_itself(tmp_path) -> None:
    # A line only respaced changes nothing (rules/realigned.py), so the `retry_on` removed beside it
    # is judged where it was, on the base; it was in no finding (the red team of session 34).
    head = MASK.replace("  queue_as :default\n  retry_on Timeout::Error, attempts: 5\n", "  queue_as  :default\n")
    found = flagged_on_branch(tmp_path, {"app/jobs/mask_job.rb": MASK}, {"app/jobs/mask_job.rb": head}, rule="DC701")
    assert [(path, line, side) for path, line, side, *_ in found] == [("app/jobs/mask_job.rb", 3, "base")]
    assert "removed lines in background code" in found[0][4]


# Suwayomi's Javalin handlers answer with `ctx.future { future { … }.thenApply { xml -> … } }`: the
# outer lambda was read as a future's continuation (the call's text named `thenApply` inside it), so
# every change an OPDS handler reached was background code (fd69de66, 3d3eb0d9; 37 files use it).
CONTROLLER = """package app

import java.util.concurrent.CompletableFuture

object OpdsController {
    val feed =
        handler { ctx ->
            ctx.future {
                future {
                    FeedBuilder.build(2)
                }.thenApply { xml ->
                    ctx.result(xml)
                }
            }
        }
}
"""


@pytest.mark.parametrize("before, after, flagged", [
    # The request's own work, inside `future { … }`: not background code.
    ("FeedBuilder.build(2)", "FeedBuilder.build(3)", False),
    # The lambda handed to `thenApply` runs when the future completes: background code.
    ("ctx.result(xml)", "ctx.result(xml.trim())", True),
])
def test_kotlin_a_handler_answering_with_a_future_is_no_continuation(tmp_path, before: str, after: str,
                                                                      flagged: bool) -> None:
    path = "src/main/kotlin/app/OpdsController.kt"
    found = flagged_on_branch(tmp_path, {path: CONTROLLER}, {path: CONTROLLER.replace(before, after)}, rule="DC701")
    assert [p for p, *_ in found] == ([path] if flagged else [])


def test_a_line_moved_elsewhere_in_the_file_is_not_named_as_removed(tmp_path) -> None:
    reordered = MASK.replace("  queue_as :default\n  retry_on Timeout::Error, attempts: 5\n",
                             "  queue_as :default # masking\n") \
        .replace("  def perform(attachment)\n", "  retry_on Timeout::Error, attempts: 5\n\n  def perform(attachment)\n") \
        .replace("attachment.mask!", "attachment.mask!(force: true)")
    found = flagged_on_branch(tmp_path, {"app/jobs/mask_job.rb": MASK}, {"app/jobs/mask_job.rb": reordered}, rule="DC701")
    assert found and all("Removed from it" not in message for *_, message in found)


# A crontab installed into `/etc/cron.d/` is named for its application (`etc/cron.d/app`), not
# `crontab`: its new job was never read, nor its template's (the red team of session 30).
@pytest.mark.parametrize("path", ["etc/cron.d/app", "deploy/etc/cron.d/app.example"])
def test_a_crontab_in_a_cron_d_folder_is_read_whatever_its_name(tmp_path, path: str) -> None:
    found = flagged_on_branch(tmp_path, {path: CRONTAB}, {path: CRONTAB_MORE}, rule=None)
    assert [(p, line) for p, line, *_ in found] == [(path, 3)]
