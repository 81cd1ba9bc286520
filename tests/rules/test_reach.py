"""DC701 for an application's code that a job in another file reaches through its calls, and for
code in a job folder (rules/trees/reach.py, rules/trees/keywords.JOB_FOLDER)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse

JOB = ("class RevertImportJob < ApplicationJob\n  queue_as :default\n\n  def perform(import)\n"
       "    import.revert_entries\n  end\nend\n")
IMPORT = ("class Import < ApplicationRecord\n  def revert_entries\n    entries.destroy_all\n    family.sync\n  end\n\n"
          "  def publish_entries\n    family.sync\n  end\nend\n")


def _dc701(tmp_path: Path, main: dict, branch: dict) -> list[tuple[str, int, str, str]]:
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", branch)
    found = analyse(base="main", cwd=str(repo)).scan.active
    return [(f.path, f.line, f.severity, f.message) for f in found if f.rule == "DC701"]


def test_a_model_method_a_job_calls_is_background_code(tmp_path) -> None:
    main = {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT}
    found = _dc701(tmp_path, main, {"app/models/import.rb": IMPORT.replace(
        "entries.destroy_all\n    family.sync\n", "entries.destroy_all\n    family.sync_later\n")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("app/models/import.rb", 4, "warning")]
    assert "reached from background code: ActiveJob job at app/jobs/revert_import_job.rb:5 " \
           "(`import.revert_entries`) calls it through `revert_entries`" in found[0][3]


def test_a_method_no_job_calls_is_not(tmp_path) -> None:
    main = {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT}
    changed = IMPORT.replace("  def publish_entries\n    family.sync\n", "  def publish_entries\n    family.sync_later\n")
    assert _dc701(tmp_path, main, {"app/models/import.rb": changed}) == []


def test_callers_are_followed_through_other_files(tmp_path) -> None:
    # job -> Sync#run_sync (app/models/sync.rb) -> Balance#persist_balances (changed)
    job = "class SyncJob < ApplicationJob\n  def perform(sync)\n    sync.run_sync\n  end\nend\n"
    sync = "class Sync\n  def run_sync\n    Balance.new.persist_balances\n  end\nend\n"
    balance = "class Balance\n  def persist_balances\n    upsert_all(rows)\n  end\nend\n"
    main = {"app/jobs/sync_job.rb": job, "app/models/sync.rb": sync, "app/models/balance.rb": balance}
    found = _dc701(tmp_path, main, {"app/models/balance.rb": balance.replace("upsert_all(rows)", "insert_all(rows)")})
    assert [(path, line) for path, line, _, _ in found] == [("app/models/balance.rb", 3)]
    # From the job down: the job calls `run_sync`, which calls the changed `persist_balances`.
    assert "app/jobs/sync_job.rb:3 (`sync.run_sync`) calls it through `run_sync` -> `persist_balances`" in found[0][3]


@pytest.mark.parametrize("name", ["save", "Start", "run"])
def test_generic_names_are_not_followed(tmp_path, name: str) -> None:
    # Two unrelated methods share such a name: a trail through it would join code that never calls each other.
    job = f"class SyncJob < ApplicationJob\n  def perform(x)\n    x.{name}\n  end\nend\n"
    model = f"class Invoice\n  def {name}\n    1\n  end\nend\n"
    main = {"app/jobs/sync_job.rb": job, "app/models/invoice.rb": model}
    assert _dc701(tmp_path, main, {"app/models/invoice.rb": model.replace("1", "2")}) == []


def test_go_a_function_a_goroutine_of_another_file_calls(tmp_path) -> None:
    runner = ("package agent\n\nfunc (r *Runner) Loop() {\n\tgo func() {\n\t\tcompleteStep(r.step)\n\t}()\n}\n")
    step = "package agent\n\nfunc completeStep(s *Step) {\n\ts.Done = true\n}\n"
    main = {"go.mod": "module example.com/ci\n", "agent/runner.go": runner, "agent/step.go": step}
    found = _dc701(tmp_path, main, {"agent/step.go": step.replace("s.Done = true", "s.Done = s.Exited")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("agent/step.go", 4, "warning")]
    assert "goroutine at agent/runner.go:5 (`completeStep(r.step)`) calls it through `completeStep`" in found[0][3]


def test_go_an_unexported_name_is_followed_only_inside_its_package(tmp_path) -> None:
    # Two packages each define their own `fetch`; a goroutine calls the jwks one. Go lets no
    # other package call an unexported name, so the password package's `fetch` is not reached.
    jwks = ("package jwks\n\nfunc Resolve(urls []string) {\n\tfor _, u := range urls {\n\t\tgo func() {\n"
            "\t\t\tfetch(u)\n\t\t}()\n\t}\n}\n\nfunc fetch(u string) {\n\tdownload(u)\n}\n")
    password = "package password\n\nfunc (v *Validator) fetch(hash string) error {\n\treturn v.get(hash)\n}\n"
    main = {"go.mod": "module example.com/id\n", "jwks/jwks.go": jwks, "password/validator.go": password}
    changed = password.replace("return v.get(hash)", "return v.get(strings.ToUpper(hash))")
    assert _dc701(tmp_path, main, {"password/validator.go": changed}) == []
    # The same function in the goroutine's own package is reached.
    helper = "package jwks\n\nfunc download(u string) {\n\thttp.Get(u)\n}\n"
    main["jwks/get.go"] = helper
    found = _dc701(tmp_path / "same", main, {"jwks/get.go": helper.replace("http.Get(u)", "http.Head(u)")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("jwks/get.go", 4, "warning")]
    assert "goroutine at jwks/jwks.go:6 (`fetch(u)`) calls it through `fetch` -> `download`" in found[0][3]


def test_go_a_function_a_scheduled_closure_of_another_file_calls(tmp_path) -> None:
    # The application wraps its cron library: `schedulerInstance.Add(spec, func() {…})`.
    root = ("package cmd\n\nfunc schedule(ctx context.Context, w *Worker) {\n\tsched := scheduler.GetInstance()\n"
            "\tsched.Add(\"@every 1h\", func() {\n\t\tw.RequeueStale(ctx)\n\t})\n}\n")
    worker = "package cmd\n\nfunc (w *Worker) RequeueStale(ctx context.Context) {\n\tw.queue.Requeue(24 * time.Hour)\n}\n"
    main = {"go.mod": "module example.com/music\n", "cmd/root.go": root, "cmd/worker.go": worker}
    found = _dc701(tmp_path, main, {"cmd/worker.go": worker.replace("24 * time.Hour", "7 * 24 * time.Hour")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("cmd/worker.go", 4, "warning")]
    assert "scheduled function at cmd/root.go:6 (`w.RequeueStale(ctx)`) calls it through `RequeueStale`" in found[0][3]


def test_a_helper_in_a_job_folder_is_background_code(tmp_path) -> None:
    # feedbin keeps its crawler's throttle next to the jobs: it names no job API.
    throttle = ("module FeedCrawler\n  class Throttle\n    def self.hosts\n      @hosts ||= ENV['HOSTS'].split(',')\n"
                "    end\n  end\nend\n")
    main = {"app/jobs/feed_crawler/lib/throttle.rb": throttle, "app/models/feed.rb": "class Feed\nend\n"}
    found = _dc701(tmp_path, main, {"app/jobs/feed_crawler/lib/throttle.rb": throttle.replace("','", "';'")})
    assert [(line, severity) for _, line, severity, _ in found] == [(4, "warning")]
    assert "code in the job folder `jobs/`" in found[0][3]


def test_a_repository_without_jobs_reads_nothing_more(tmp_path) -> None:
    main = {"app/models/import.rb": IMPORT, "app/controllers/imports_controller.rb":
            "class ImportsController\n  def revert\n    @import.revert_entries\n  end\nend\n"}
    changed = IMPORT.replace("entries.destroy_all\n    family.sync\n", "entries.destroy_all\n    family.sync_later\n")
    assert _dc701(tmp_path, main, {"app/models/import.rb": changed}) == []


def test_java_a_method_an_executor_task_of_the_same_file_calls(tmp_path) -> None:
    # apollo's release-history cleaner: the task submitted at start-up calls `this.clean(...)`.
    code = ("package x;\n\nimport java.util.concurrent.ExecutorService;\nimport java.util.concurrent.Executors;\n\n"
            "public class Svc {\n  private final ExecutorService ex = Executors.newSingleThreadExecutor();\n\n"
            "  void initialize() {\n    ex.submit(() -> {\n      this.cleanHistory(1);\n    });\n  }\n\n"
            "  private void cleanHistory(int n) {\n    int a = n;\n  }\n}\n")
    path = "src/main/java/x/Svc.java"
    found = _dc701(tmp_path, {path: code}, {path: code.replace("int a = n;", "int a = n + 1;")})
    assert [(line, severity) for _, line, severity, _ in found] == [(16, "warning")]
    assert "task run by an executor or thread at src/main/java/x/Svc.java:11 (`this.cleanHistory(1);`) calls it " \
        "through `cleanHistory`" in found[0][3]


def test_typescript_a_service_function_a_bullmq_processor_calls(tmp_path) -> None:
    worker = ("import { Worker } from 'bullmq';\nimport { chargeInvoice } from '../billing';\n\n"
              "new Worker('billing', async (job) => {\n  await chargeInvoice(job.data.id);\n});\n")
    billing = "export async function chargeInvoice(id: string) {\n  return id;\n}\n"
    main = {"package.json": '{"name": "shop"}\n', "src/queues/billing.ts": worker, "src/billing.ts": billing}
    found = _dc701(tmp_path, main, {"src/billing.ts": billing.replace("return id;", "return id.trim();")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("src/billing.ts", 2, "warning")]
    # The worker's own region names the job, though all of queues/ is a job folder; the import line calls nothing.
    assert "BullMQ worker at src/queues/billing.ts:5 (`await chargeInvoice(job.data.id);`) calls it through " \
        "`chargeInvoice`" in found[0][3]


def test_a_service_objects_entry_method_is_followed_by_its_class(tmp_path) -> None:
    # Callers write `ExecuteBridgeRequest.new.call`: `call` is too generic, the class is not.
    service = "class ExecuteBridgeRequest\n  def call(url)\n    HTTP.post(url, timeout: 15)\n  end\nend\n"
    job = "class BridgeJob < ApplicationJob\n  def perform(url)\n    ExecuteBridgeRequest.new.call(url)\n  end\nend\n"
    main = {"app/jobs/bridge_job.rb": job, "app/services/execute_bridge_request.rb": service}
    found = _dc701(tmp_path, main, {"app/services/execute_bridge_request.rb": service.replace("15", "5")})
    assert [(line, severity) for _, line, severity, _ in found] == [(3, "warning")]
    assert "calls it through `ExecuteBridgeRequest`" in found[0][3]


def test_a_method_reference_given_to_an_executor_runs_there(tmp_path) -> None:
    # apollo: `scheduleAtFixedRate(this::clearUnhealthy, …)`; the method itself and what it calls.
    code = ("package x;\n\nimport java.util.concurrent.ScheduledExecutorService;\n\npublic class Cleaner {\n"
            "  private ScheduledExecutorService ex;\n\n  void start() {\n"
            "    ex.scheduleAtFixedRate(this::clearUnhealthy, 0, 60, java.util.concurrent.TimeUnit.SECONDS);\n  }\n\n"
            "  void clearUnhealthy() {\n    long days = 1;\n  }\n}\n")
    path = "src/main/java/x/Cleaner.java"
    found = _dc701(tmp_path, {path: code}, {path: code.replace("long days = 1;", "long days = 2;")})
    assert [(line, severity) for _, line, severity, _ in found] == [(13, "warning")]
    assert "task run by an executor or thread" in found[0][3]


def test_a_spring_quartz_job_bean_is_a_quartz_job(tmp_path) -> None:
    code = ("package x;\n\npublic class ExecutionJob extends QuartzJobBean {\n"
            "  protected void executeInternal(Object context) {\n    run(30);\n  }\n}\n")
    path = "src/main/java/x/ExecutionJob.java"
    found = _dc701(tmp_path, {path: code}, {path: code.replace("run(30)", "run(60)")})
    assert [(line, severity) for _, line, severity, _ in found] == [(5, "warning")]
    assert "Quartz job" in found[0][3]


def test_files_in_job_paths_start_trails_too(tmp_path) -> None:
    task = "export class CleanupTask {\n  async perform() {\n    await deleteOldEvents(365);\n  }\n}\n"
    events = "export async function deleteOldEvents(days: number) {\n  return days;\n}\n"
    config = "job_paths:\n  - \"server/tasks/**\"\n"
    main = {".deploycheck/config.yaml": config, "server/tasks/CleanupTask.ts": task, "server/events.ts": events,
            "server/worker.ts": "import Queue from 'bull';\n"}
    found = _dc701(tmp_path, main, {"server/events.ts": events.replace("return days;", "return days * 2;")})
    assert [(path, line) for path, line, _, _ in found] == [("server/events.ts", 2)]
    assert "code in `job_paths` at server/tasks/CleanupTask.ts:3" in found[0][3]


def test_a_local_named_like_the_function_is_no_call(tmp_path) -> None:
    # feedbin: a job's `starred = Throttle.throttle!(…)` does not call the controller's `starred`.
    job = ("class ActionsPerform\n  include Sidekiq::Worker\n  def perform(user)\n"
           "    starred = Throttle.throttle!(user.id)\n    starred\n  end\nend\n")
    controller = "class EntriesController\n  def starred\n    @entries = 1\n  end\nend\n"
    main = {"app/jobs/actions_perform.rb": job, "app/controllers/entries_controller.rb": controller}
    found = _dc701(tmp_path, main, {"app/controllers/entries_controller.rb": controller.replace("= 1", "= 2")})
    assert found == []


def test_a_branch_cannot_make_a_name_too_common_to_follow(tmp_path) -> None:
    # On the base two files name `revert_entries`; the branch adds 30 more that mention it. The
    # base decides that the name is specific, so the job's call is still found.
    main = {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT}
    branch = {"app/models/import.rb": IMPORT.replace("entries.destroy_all\n    family.sync\n",
                                                     "entries.destroy_all\n    family.sync_later\n")}
    branch.update({f"app/models/noise_{i}.rb": f"class Noise{i}\n  # revert_entries\nend\n" for i in range(30)})
    found = _dc701(tmp_path, main, branch)
    assert [(path, line) for path, line, _, _ in found] == [("app/models/import.rb", 4)]
    assert "reached from background code: ActiveJob job" in found[0][3]


def test_a_search_cut_by_the_read_budget_is_reported(tmp_path, monkeypatch) -> None:
    # Fail closed: when the scan's budget of files to read runs out, "not reached" would be a guess.
    from deploycheck.rules.trees import reach

    monkeypatch.setattr(reach, "MAX_PARSED", 1)
    sync = "class Sync\n  def run_sync\n    Balance.new.persist_balances\n  end\nend\n"
    balance = "class Balance\n  def persist_balances\n    upsert_all(rows)\n  end\nend\n"
    main = {"app/jobs/sync_job.rb": "class SyncJob < ApplicationJob\n  def perform(s)\n    s.run_sync\n  end\nend\n",
            "app/models/sync.rb": sync, "app/models/balance.rb": balance}
    found = _dc701(tmp_path, main, {"app/models/balance.rb": balance.replace("upsert_all", "insert_all")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("app/models/balance.rb", 3, "warning")]
    assert "stopped at its limit of 1 files read per scan, so deploycheck cannot show that no job does" in found[0][3]


def test_a_file_naming_the_function_that_cannot_be_read_is_reported(tmp_path) -> None:
    # Fail closed: a file too large to read may hold the job that calls the changed method.
    # Padded with a comment past the scan's read limit (2 MB), it is never parsed.
    big_job = JOB + "#" + "x" * 2_100_000 + "\n"
    main = {"app/jobs/revert_import_job.rb": big_job, "app/models/import.rb": IMPORT}
    found = _dc701(tmp_path, main, {"app/models/import.rb": IMPORT.replace(
        "entries.destroy_all\n    family.sync\n", "entries.destroy_all\n    family.sync_later\n")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("app/models/import.rb", 4, "warning")]
    assert ("maybe reached from background code: app/jobs/revert_import_job.rb names `revert_entries` but it is "
            "larger than the scan reads, so deploycheck cannot show that no job calls `revert_entries`") in found[0][3]
    # The method no file calls stays unflagged: the unreadable file does not name it.
    changed = IMPORT.replace("  def publish_entries\n    family.sync\n", "  def publish_entries\n    family.sync_later\n")
    assert _dc701(tmp_path / "again", main, {"app/models/import.rb": changed}) == []
