"""Readings from session 34's new-user trials (scrypted, CasaOS, …), on real git repositories: each
case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- a line of code whose trailing comment alone changed is unchanged -------------------------------

# CasaOS (a new user's trial): `spec := "*/30 * * * * ?" //cron表达式` -> `// cron表达式` was a
# "cron schedule set or changed" (DC520), the only flagging finding of a web framework migration.
CRON = """package route

import "github.com/robfig/cron"

func InitCron() {
	c := cron.New()
	spec := "*/30 * * * * ?" //cron expression, every thirty seconds
	c.AddFunc(spec, refresh)
	c.Start()
}
"""


@pytest.mark.parametrize("comment", ["// cron expression, every thirty seconds", "// every 30 s", ""])
def test_a_reworded_trailing_comment_on_a_schedule_line_is_no_schedule_change(tmp_path, comment: str) -> None:
    changed = CRON.replace("//cron expression, every thirty seconds", comment)
    found = flagged_on_branch(tmp_path, {"route/cron.go": CRON}, {"route/cron.go": changed}, rule="DC520")
    assert found == []


def test_the_schedule_itself_changed_beside_its_comment_is_still_flagged(tmp_path) -> None:
    changed = CRON.replace('"*/30 * * * * ?" //cron', '"*/5 * * * * ?" // cron')
    found = flagged_on_branch(tmp_path, {"route/cron.go": CRON}, {"route/cron.go": changed}, rule="DC520")
    assert [(path, line) for path, line, *_ in found] == [("route/cron.go", 7)]



# --- a program's entry point is not "too common a name to follow" --------------------------------

MAIN_GO = """package main

import "github.com/robfig/cron"

func main() {
	c := cron.New()
	c.AddFunc("@every 1h", refresh)
	c.Start()
	serve(":8080")
}
"""


def test_go_main_gets_no_note_about_its_callers(tmp_path) -> None:
    # CasaOS (a new user's trial): "`main` is too common a method name to tell its callers apart".
    from deploycheck.analysis.pipeline import analyse
    from support.gitrepo import make_branch, make_repo

    repo = make_repo(tmp_path / "repo", {"main.go": MAIN_GO})
    make_branch(repo, "work", {"main.go": MAIN_GO.replace('serve(":8080")', 'serve(":9090")')})
    notes = [f.message for f in analyse(base="main", cwd=str(repo)).scan.findings if f.rule == "DC701"]
    assert not any("is not followed" in note for note in notes), notes


# --- a removed timer is queued nowhere --------------------------------------------------------------

# scrypted (a new user's trial): the removed stats timer was told "a job already queued for it fails
# when a worker takes it … keep a stub".
STATS = """const stats = require('./stats');

function startStatsUpdater() {
  setInterval(() => {
    stats.refresh();
  }, 10000);
}

function serve() {
  return 1;
}

startStatsUpdater();
setInterval(() => stats.heartbeat(), 5000);
module.exports = { serve };
"""
WORKER_JS = """const { Worker } = require('bullmq');

function refreshStats(job) {
  return stats.refresh(job.data.id);
}

function serve() {
  return 1;
}

new Worker('stats', refreshStats);
module.exports = { serve };
"""


def test_a_removed_timer_is_told_its_work_stops_not_that_queued_jobs_fail(tmp_path) -> None:
    head = STATS.replace(STATS[STATS.index("function startStatsUpdater"):STATS.index("function serve")], "") \
        .replace("startStatsUpdater();\n", "")
    found = flagged_on_branch(tmp_path, {"server/stats-timer.js": STATS}, {"server/stats-timer.js": head})
    assert [(path, line, side) for path, line, side, *_ in found] == [("server/stats-timer.js", 4, "base")]
    assert "stops with this deploy" in found[0][4] and "queued" not in found[0][4]


def test_a_removed_queue_handler_keeps_the_queued_jobs_warning(tmp_path) -> None:
    head = WORKER_JS.replace("function refreshStats(job) {\n  return stats.refresh(job.data.id);\n}\n\n", "") \
        .replace("new Worker('stats', refreshStats);\n", "")
    found = flagged_on_branch(tmp_path, {"server/stats-worker.js": WORKER_JS}, {"server/stats-worker.js": head})
    assert found and all("queued" in message for *_, message in found)


# --- Rails queue settings (DC527) ----------------------------------------------------------------

# upcase (a new user's trial): `deliver_later_queue_name = nil` moved every mail job off the
# `mailers` queue its workers served, and was "Nothing flagged"; so were Active Storage's and
# Action Mailbox's queue settings.
DEFAULTS = """Rails.application.config.action_mailer.deliver_later_queue_name = :mailers
Rails.application.config.action_mailbox.queues.routing = :mailbox
"""


@pytest.mark.parametrize("head, line, side, says", [
    (DEFAULTS.replace(":mailers", "nil"), 1, "head", "(was :mailers)"),
    (DEFAULTS.replace("Rails.application.config.action_mailbox.queues.routing = :mailbox\n", ""), 2, "base",
     "removed from config/initializers/defaults.rb: the framework's default applies again"),
    (DEFAULTS + "ActiveJob::Base.queue_adapter = :sidekiq\n", 3, "head", "another queue backend"),
])
def test_a_rails_queue_setting_set_changed_or_removed_is_flagged(tmp_path, head: str, line: int, side: str,
                                                                 says: str) -> None:
    found = flagged_on_branch(tmp_path, {"config/initializers/defaults.rb": DEFAULTS},
                              {"config/initializers/defaults.rb": head}, rule="DC527")
    assert [(path, at, where) for path, at, where, *_ in found] == [("config/initializers/defaults.rb", line, side)]
    assert says in found[0][4]


def test_a_rails_queue_setting_moved_with_its_value_is_not(tmp_path) -> None:
    moved = "\n".join(reversed(DEFAULTS.splitlines())) + "\n"
    assert flagged_on_branch(tmp_path, {"config/initializers/defaults.rb": DEFAULTS},
                             {"config/initializers/defaults.rb": moved}, rule="DC527") == []


# --- Ruby: jobs moved onto a new, empty ApplicationJob ------------------------------------------

# upcase (a new user's trial): `class ApplicationJob < ActiveJob::Base; end` added and each job's
# superclass changed to it: five warnings on a change with no effect.
SEND_JOB = """class SendReceiptJob < ActiveJob::Base
  def perform(id)
    Checkout.find(id).send_receipt
  end
end
"""
APPLICATION_JOB = "class ApplicationJob < ActiveJob::Base\nend\n"


@pytest.mark.parametrize("base_class, flagged", [
    (APPLICATION_JOB, False),
    # not empty: what it adds runs in every job
    ("class ApplicationJob < ActiveJob::Base\n  retry_on Timeout::Error, attempts: 10\nend\n", True),
    # empty, but not a subclass of the jobs' old superclass
    ("class ApplicationJob < Sidekiq::Job\nend\n", True),
])
def test_jobs_moved_onto_an_empty_base_class_keep_their_behaviour(tmp_path, base_class: str, flagged: bool) -> None:
    found = flagged_on_branch(tmp_path, {"app/jobs/send_receipt_job.rb": SEND_JOB},
                              {"app/jobs/application_job.rb": base_class,
                               "app/jobs/send_receipt_job.rb": SEND_JOB.replace("< ActiveJob::Base", "< ApplicationJob")})
    assert bool(found) is flagged, found


def test_an_empty_job_class_nothing_inherits_is_new_background_code(tmp_path) -> None:
    # `class UrgentReceiptJob < SendReceiptJob; end` runs its superclass's `perform`: a new job.
    found = flagged_on_branch(tmp_path, {"app/jobs/send_receipt_job.rb": SEND_JOB},
                              {"app/jobs/urgent_receipt_job.rb": "class UrgentReceiptJob < SendReceiptJob\nend\n"})
    assert [(path, line) for path, line, *_ in found] == [("app/jobs/urgent_receipt_job.rb", 1)]


def test_rails_default_adapter_dropped_is_no_change(tmp_path) -> None:
    # sul_pub's Rails 7.2 upgrade (apps-aa 78377edc6a) removed `config.active_job.queue_adapter = :async`,
    # the framework's default; `:sidekiq` removed is a change of backend.
    app = "module Pubs\n  class Application < Rails::Application\n    config.active_job.queue_adapter = ADAPTER\n  end\nend\n"
    for n, (adapter, flagged) in enumerate(((":async", False), ('"async"', False), (":sidekiq", True))):
        main = app.replace("ADAPTER", adapter)
        found = flagged_on_branch(tmp_path / str(n), {"config/application.rb": main},
                                  {"config/application.rb": main.replace(f"    config.active_job.queue_adapter = {adapter}\n", "")},
                                  rule="DC527")
        assert bool(found) is flagged, (adapter, found)
