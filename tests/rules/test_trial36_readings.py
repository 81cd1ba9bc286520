"""Readings from session 36's new users' trials (thelounge, argo, homebox) and its red team, on real
git repositories: each case fails without its change."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploycheck.git.model import Finding
from deploycheck.hooks.warn import warning_line
from support.scanning import flagged_on_branch, red_team_branch

# --- thelounge (TypeScript) ----------------------------------------------------------------------------

# Its message storage, declared in `job_paths`, lost a class: "a job already queued for it fails
# when a worker takes it (in Ruby a NameError …)" of in-process TypeScript code.
STORAGE = """export class Deferred {
  resolve() {
    return 1
  }
}

export class Storage {
  index() {
    return 2
  }
}
"""


def test_removed_code_in_job_paths_is_not_told_it_is_a_queued_ruby_job(tmp_path) -> None:
    path = "server/plugins/messageStorage/sqlite.ts"
    after = STORAGE.split("export class Storage")[0].replace("export class Deferred", "export class Storage")
    found = flagged_on_branch(tmp_path, {".deploycheck/config.yaml": "job_paths: ['server/plugins/messageStorage/**']\n",
                                         path: STORAGE}, {path: after.replace("return 1", "return 2")})
    removed = [message for _, _, side, _, message in found if side == "base" and message.startswith("Background code removed")]
    assert removed, found
    assert all("NameError" not in m and "If work is queued or scheduled by its name" in m
               and "check that nothing relied on what it did" in m for m in removed), removed


@pytest.mark.parametrize("side, shown", [("base", "server/clientManager.ts:91 (base) DC356"),
                                         ("head", "server/clientManager.ts:91 DC356")])
def test_the_commit_warning_marks_a_removed_line_s_number(side, shown) -> None:
    # thelounge: the pre-commit warning named `clientManager.ts:91`, a removed line, as if at head.
    found = Finding("DC356", "lock-removed", "locking", "high", "server/clientManager.ts", 91, 91, "m", side=side)
    line = warning_line([found])
    assert line is not None and f"({shown} lock-removed)" in line


# --- argo (Ruby) -------------------------------------------------------------------------------------------

EXPORT_JOB = """class ExportJob < ApplicationJob
  def perform(bulk_action_id)
    bulk_action = BulkAction.find(bulk_action_id)
    export
  rescue StandardError
    COUNT
  end
end
"""


@pytest.mark.parametrize("count, flagged", [
    # argo 0e18c0d1 (a new user's trial): the job's failure counter read, bumped in memory and saved
    ("bulk_action.increment(:druid_count_fail).save", True),
    ("bulk_action.increment(:druid_count_fail).save!", True),
    ("bulk_action.increment!(:druid_count_fail)", False),  # one atomic UPDATE
])
def test_ruby_an_in_memory_increment_saved_in_a_chain_is_a_lost_update(tmp_path, count, flagged) -> None:
    path = "app/jobs/export_job.rb"
    found = flagged_on_branch(tmp_path, {path: EXPORT_JOB.replace("COUNT", "raise")}, {path: EXPORT_JOB.replace("COUNT", count)},
                              rule="DC351")
    assert bool(found) == flagged, found


BULK_BEFORE = """class AddWorkflowJob < GenericJob
  def perform(bulk_action_id, params)
    super
    with_items(params[:druids]) { |item| start(item) }
  end
end
"""
BULK_AFTER = """class AddWorkflowJob < BulkActionJob
  def workflow_name
    params.fetch(:workflow)
  end

  class AddWorkflowJobItem < BulkActionJobItem
    def perform
      start(druid)
    end
  end
end
"""


def test_ruby_a_nested_class_s_perform_is_not_the_job_s_arguments(tmp_path) -> None:
    # argo 2411decd: the bulk jobs' work moved into nested item classes; each item's `perform()`
    # was "`perform` now takes () (was (bulk_action_id, params))", 29 times.
    path = "app/jobs/add_workflow_job.rb"
    found = flagged_on_branch(tmp_path, {path: BULK_BEFORE}, {path: BULK_AFTER}, rule="DC165")
    assert found == []
    same = BULK_BEFORE.replace("def perform(bulk_action_id, params)", "def perform(bulk_action_id, params, force: false)")
    assert [line for _, line, *_ in flagged_on_branch(tmp_path / "same", {path: BULK_BEFORE}, {path: same}, rule="DC165")] == [2]


@pytest.mark.parametrize("parent, queue, said", [
    # argo 2411decd: `queue_as :default` removed was "its jobs go to the default queue"
    ("ApplicationJob", "default", None),
    ("ApplicationJob", "low", "go to the default queue"),
    ("BulkActionJob", "default", "the queue its superclass `BulkActionJob` names, or the default queue"),
])
def test_ruby_the_default_queue_left_unnamed_is_no_change(tmp_path, parent, queue, said) -> None:
    path = "app/jobs/release_job.rb"
    job = f"class ReleaseJob < {parent}\n  QUEUE\n\n  def perform(id)\n    release(id)\n  end\nend\n"
    found = flagged_on_branch(tmp_path, {path: job.replace("QUEUE", f"queue_as :{queue}")}, {path: job.replace("QUEUE", "")},
                              rule="DC164")
    assert [m for *_, m in found if said is None or said in m] == ([] if said is None else [found[0][4]]), found
    assert bool(found) == (said is not None)


SERVICE = """class TextExtraction
  def initialize(object)
    @object = object
  end

  def start
    workflow.create(lane_id: LANE)
  end
end
"""
EXTRACTION_JOB = """class TextExtractionJob < ApplicationJob
  def perform(id)
    text_extraction = TextExtraction.new(Item.find(id))
    text_extraction.start
  end
end
"""


@pytest.mark.parametrize("path, flagged", [
    # argo 39a5af17 (a new user's trial): the job builds the service and calls its `start`, which
    # was "too common a method name to tell its callers apart", and the lane change passed
    ("app/services/text_extraction.rb", True),
    ("lib/text_extraction.rb", False),  # not a service object's: still too common to follow
])
def test_ruby_a_service_object_s_common_method_is_followed_by_its_class(tmp_path, path, flagged) -> None:
    files = {path: SERVICE.replace("LANE", "'default'"), "app/jobs/text_extraction_job.rb": EXTRACTION_JOB}
    found = flagged_on_branch(tmp_path, files, {path: SERVICE.replace("LANE", "'low'")})
    assert bool(found) == flagged, found
    if flagged:
        assert "app/jobs/text_extraction_job.rb:3" in found[0][4]


# --- homebox (Go) -------------------------------------------------------------------------------------------

RUNNER = """package main

import (
	IMPORT
)

func run(runner *graceful.Runner, svc *Services) {
	runner.AddFunc(SPEC, func(ctx context.Context) error {
		return svc.Seed(ctx, BODY)
	})
}
"""


@pytest.mark.parametrize("imported, spec, kind", [
    # homebox's own runner: a function run once at start-up was a "cron job"
    ('"github.com/sysadminsmedia/homebox/backend/pkgs/graceful"', '"seed_database"', "function an application runner runs"),
    ('"github.com/robfig/cron/v3"', '"@daily"', "cron job"),
])
def test_go_add_func_is_a_cron_job_only_with_a_cron_library(tmp_path, imported, spec, kind) -> None:
    source = RUNNER.replace("IMPORT", imported).replace("SPEC", spec)
    found = flagged_on_branch(tmp_path, {"app/main.go": source.replace("BODY", "1")}, {"app/main.go": source.replace("BODY", "2")})
    assert found and all(f"({kind}" in m for *_, m in found), found


# --- the red team of session 36 ------------------------------------------------------------------------------


def test_ruby_the_default_queue_left_unnamed_under_an_application_job_with_its_own_queue(tmp_path) -> None:
    # ApplicationJob's `queue_as :low`: the job left without `queue_as :default` moves to `low`
    path = "app/jobs/charge_job.rb"
    job = "class ChargeJob < ApplicationJob\n  QUEUE\n\n  def perform(id)\n    charge(id)\n  end\nend\n"
    files = {"app/jobs/application_job.rb": "class ApplicationJob < ActiveJob::Base\n  queue_as :low\nend\n",
             path: job.replace("QUEUE", "queue_as :default")}
    found = flagged_on_branch(tmp_path, files, {path: job.replace("QUEUE", "")}, rule="DC164")
    assert len(found) == 1 and "ApplicationJob, or the default the application configures" in found[0][4], found


def test_ruby_a_job_s_perform_compared_across_a_compact_class_name(tmp_path) -> None:
    # `module Imports; class SyncJob` written `class Imports::SyncJob`: the same job's perform
    path = "app/jobs/imports/sync_job.rb"
    before = "module Imports\n  class SyncJob < ApplicationJob\n    def perform(import_id)\n      run(import_id)\n    end\n  end\nend\n"
    after = "class Imports::SyncJob < ApplicationJob\n  def perform(import_id, user_id)\n    run(import_id, user_id)\n  end\nend\n"
    found = flagged_on_branch(tmp_path, {path: before}, {path: after}, rule="DC165")
    assert [line for _, line, *_ in found] == [2], found


# The red team's cases where a reading of this session let a hazard pass: each branch writes shared
# state from background code (a `HashMap` cache, a shared `SimpleDateFormat`, a list checked then
# added to, a write in a cron task), reached through a call the reading had taken for another's.
RED_TEAM = Path(__file__).parent / "data" / "redteam36"


@pytest.mark.parametrize("case", sorted(p.name for p in RED_TEAM.iterdir()))
def test_red_team_36_hazards_reached_through_calls_are_flagged(tmp_path, case) -> None:
    found = red_team_branch(tmp_path, RED_TEAM / case, "DC701")
    assert found, f"{case}: nothing flagged"
