"""Readings from the apps-u sample (tests/corpus/*-labelled-apps-u.yaml), scanned first in
session 28, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import TASK_RUNNER, flagged_on_branch

# --- Java/Kotlin ---------------------------------------------------------------------------------

# Jenkins's projects extend its own `hudson.model.Job`; a change to a method they call read as a
# Quartz job's (apps-u 7974eb7c).
PROJECT = """package hudson.model;

{imports}
public abstract class AbstractProject<P extends AbstractProject<P, R>, R extends Run<P, R>> extends Job<P, R> {{
    public String label(String assigned) {{
        return Tokens.unquote(assigned);
    }}
}}
"""


@pytest.mark.parametrize("imports, flagged", [
    ("", False),
    ("import org.quartz.Job;\n", True),
    ("import org.quartz.*;\n", True),
])
def test_jvm_a_class_named_job_is_quartz_s_only_where_quartz_is_imported(tmp_path, imports: str, flagged: bool) -> None:
    source = PROJECT.format(imports=imports)
    found = flagged_on_branch(tmp_path, {"core/src/main/java/hudson/model/AbstractProject.java": source},
                              {"core/src/main/java/hudson/model/AbstractProject.java": source.replace(
                                  "Tokens.unquote(assigned)", "Tokens.unquote(assigned.trim())")})
    assert [(path, line) for path, line, *_ in found] == (
        [("core/src/main/java/hudson/model/AbstractProject.java", 7)] if flagged else [])


# spring-boot-admin's sample Quartz jobs log through a logger instead of standard output, the
# time made in the log call's arguments (apps-u 5ac6a562).
SAMPLE_JOB = """package sample;

import org.springframework.scheduling.quartz.QuartzJobBean;
{imports}
public class SampleJob extends QuartzJobBean {{
{field}
    @Override
    protected void executeInternal(org.quartz.JobExecutionContext context) {{
        {body}
    }}
}}
"""
BEFORE = SAMPLE_JOB.format(imports="", field="", body='System.out.println("Sample job ran at " + new java.util.Date());')
LOGGER = "import org.slf4j.Logger;\nimport org.slf4j.LoggerFactory;\n"
FIELD = "    private static final Logger logger = LoggerFactory.getLogger(SampleJob.class);\n"


@pytest.mark.parametrize("field, body, lines", [
    (FIELD, 'logger.info("Sample job ran at {}", new java.util.Date());', []),
    (FIELD, 'logger.info("Sample job ran at {}", new Date(clock.millis()));', []),
    # Making anything else may act: a reservation made for the log line is still read.
    (FIELD, 'logger.info("Reserved {}", new Reservation(context.getJobDetail()));', [12]),
    # A field that is no logger is new background code.
    ("    private static final Counter runs = new Counter();\n",
     'System.out.println("Sample job ran at " + new java.util.Date());', [8]),
])
def test_jvm_a_logger_field_and_a_date_in_a_log_call_change_nothing(tmp_path, field: str, body: str,
                                                                     lines: list[int]) -> None:
    after = SAMPLE_JOB.format(imports=LOGGER, field=field, body=body)
    found = flagged_on_branch(tmp_path, {"src/main/java/sample/SampleJob.java": BEFORE},
                              {"src/main/java/sample/SampleJob.java": after})
    assert [line for _, line, *_ in found] == lines


# spring-boot-admin's status poll: `StatusUpdateTrigger extends AbstractEventHandler<InstanceEvent>`
# handles the event stream on a scheduler of its own and calls the status updater, whose change
# decides which status-changed events the poll appends (apps-u 72fe299f, a01cf9ed).
TRIGGER = """package admin.services;

public class StatusUpdateTrigger extends {base}<InstanceEvent> {{
    private final StatusUpdater statusUpdater;

    public StatusUpdateTrigger(StatusUpdater statusUpdater) {{
        this.statusUpdater = statusUpdater;
    }}

    protected void onEvent(InstanceEvent event) {{
        statusUpdater.updateStatus(event.getInstance());
    }}
}}
"""
UPDATER = """package admin.services;

public class StatusUpdater {
    public void updateStatus(String instanceId) {
        repository.compute(instanceId, (instance) -> instance.withStatusInfo(fetch(instanceId)));
    }
}
"""


@pytest.mark.parametrize("base, flagged", [("AbstractEventHandler", True), ("EventHandler", False),
                                           ("AbstractHandler", False)])
def test_jvm_a_subclass_of_an_event_handler_base_is_background_code(tmp_path, base: str, flagged: bool) -> None:
    found = flagged_on_branch(tmp_path, {"src/main/java/admin/services/StatusUpdateTrigger.java": TRIGGER.format(base=base),
                                         "src/main/java/admin/services/StatusUpdater.java": UPDATER},
                              {"src/main/java/admin/services/StatusUpdater.java": UPDATER.replace(
                                  "instance.withStatusInfo(fetch(instanceId))",
                                  "instance.withStatusInfo(fetch(instanceId), strategy)")})
    assert [(path, line) for path, line, *_ in found] == (
        [("src/main/java/admin/services/StatusUpdater.java", 5)] if flagged else [])


# --- Java (a new user's trial, session 28: conductor-oss/conductor) -------------------------------

WORKER = """package app.tasks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

public class TaskWorker {
    private final {kind} taskExecutor;
    private final ExecutorService pool;

    public TaskWorker({kind} taskExecutor, ExecutorService pool) {
        this.taskExecutor = taskExecutor;
        this.pool = pool;
    }

    public void poll(String taskId) {
        CompletableFuture.runAsync(() -> taskExecutor.execute(taskId), pool);
    }
}
"""
RUNNER = TASK_RUNNER
OTHER = RUNNER.replace("TaskRunner", "OtherRunner")


@pytest.mark.parametrize("kind, flagged", [("TaskRunner", True), ("OtherRunner", False)])
def test_jvm_an_entry_method_called_on_an_injected_field_of_its_class(tmp_path, kind: str, flagged: bool) -> None:
    # conductor e4898a62: the pool runs `asyncSystemTaskExecutor.execute(task, id)`; the executor's
    # changes (the guard against two workers running one task) were never followed.
    files = {"core/src/main/java/app/tasks/TaskWorker.java": WORKER.replace("{kind}", kind),
             "core/src/main/java/app/execution/TaskRunner.java": RUNNER,
             "core/src/main/java/app/execution/OtherRunner.java": OTHER}
    found = flagged_on_branch(tmp_path, files, {"core/src/main/java/app/execution/TaskRunner.java": RUNNER.replace(
        "        store.markRunning(taskId);\n", "        if (!store.reserve(taskId)) {\n            return;\n        }\n"
        "        store.markRunning(taskId);\n")})
    assert [(path, line) for path, line, *_ in found] == (
        [("core/src/main/java/app/execution/TaskRunner.java", 11)] if flagged else [])
    if flagged:
        assert "TaskWorker.java:16 (" in found[0][4] and "taskExecutor.execute(taskId)" in found[0][4]


OPS = """package app.execution;

import java.util.List;

public class WorkflowOps {
    private final TaskDao dao;

    public WorkflowOps(TaskDao dao) {
        this.dao = dao;
    }

    public void resetJoinTasks(List<Task> tasks) {
        tasks.forEach({reference}::updateTask);
    }

    public void updateTask(Task task) {
        dao.save(task);
    }
}
"""
SWEEPER = """package app.sweep;

import java.util.concurrent.Executors;

public class Sweeper {
    public void start(WorkflowOps ops, List<Task> tasks) {
        Executors.newSingleThreadExecutor().submit(() -> ops.resetJoinTasks(tasks));
    }
}
"""


@pytest.mark.parametrize("reference, flagged", [("dao", False), ("this", True)])
def test_jvm_a_method_reference_on_another_object_is_not_the_class_s_own_method(tmp_path, reference: str,
                                                                                flagged: bool) -> None:
    # conductor 3ddc83de: `executionDAOFacade::updateTask` was given as the trail to the executor's
    # own `updateTask`.
    ops = OPS.replace("{reference}", reference)
    found = flagged_on_branch(tmp_path, {"src/main/java/app/execution/WorkflowOps.java": ops,
                                         "src/main/java/app/sweep/Sweeper.java": SWEEPER},
                              {"src/main/java/app/execution/WorkflowOps.java": ops.replace(
                                  "        dao.save(task);\n", "        task.touch();\n        dao.save(task);\n")})
    assert [(path, line) for path, line, *_ in found] == (
        [("src/main/java/app/execution/WorkflowOps.java", 17)] if flagged else [])


# --- Ruby (a new user's trial, session 28: solidusio/solidus) -------------------------------------

def test_a_testing_support_folder_is_test_support() -> None:
    # Solidus's `core/lib/spree/testing_support/dummy_app.rb` defines an empty `ApplicationJob`
    # for its test application: flagged as new background code.
    from deploycheck.rules.paths import is_test_or_doc

    assert is_test_or_doc("core/lib/spree/testing_support/dummy_app.rb")
    assert is_test_or_doc("lib/testing-helpers/queue.rb")
    assert not is_test_or_doc("app/jobs/testing_report_job.rb")
    assert not is_test_or_doc("app/services/support/ticket_sync.rb")


# --- JavaScript/TypeScript ----------------------------------------------------------------------

# papra's tasks (Cadence MQ): `taskServices.registerTask({ taskName, handler })`; the auto-tag
# task's use case now checks the organisation's AI credits (apps-u 9aa4541a).
TASK = """import { autoTagDocument } from '../auto-tagging.usecases';

export async function registerAutoTagDocumentTask({ taskServices, db }) {
  taskServices.{register}({
    taskName: 'auto-tag-document',
    handler: async ({ data }) => {
      await autoTagDocument({ db, documentId: data.documentId });
    },
  });
}
"""
USECASES = """export async function autoTagDocument({ db, documentId }) {
  const tags = await promptForTags({ documentId });
  await db.insertTags(documentId, tags);
}
"""


@pytest.mark.parametrize("register, flagged", [("registerTask", True), ("registerRoute", False)])
def test_js_a_handler_registered_as_a_task(tmp_path, register: str, flagged: bool) -> None:
    task = TASK.replace("{register}", register)
    found = flagged_on_branch(tmp_path, {"src/modules/auto-tagging/tasks/auto-tag-document.task.ts": task,
                                         "src/modules/auto-tagging/auto-tagging.usecases.ts": USECASES},
                              {"src/modules/auto-tagging/auto-tagging.usecases.ts": USECASES.replace(
                                  "  const tags", "  await assertCreditsLeft({ db, documentId });\n  const tags")})
    assert [(path, line) for path, line, *_ in found] == (
        [("src/modules/auto-tagging/auto-tagging.usecases.ts", 2)] if flagged else [])


def test_js_grunt_s_register_task_is_a_build_step(tmp_path) -> None:
    # `grunt.registerTask("build", fn)` names a build step: no handler object, no queue.
    grunt = "module.exports = function (grunt) {\n  grunt.registerTask('build', function () {\n    compile(grunt);\n  });\n};\n"
    compile_ = "export function compile(grunt) {\n  grunt.log.ok('done');\n}\n"
    found = flagged_on_branch(tmp_path, {"tools/Gruntfile.js": grunt, "tools/compile.js": compile_},
                              {"tools/compile.js": compile_.replace("grunt.log.ok('done');", "grunt.file.write('out', 'x');")})
    assert found == []


# --- The checklist (a new user's trial, session 28: conductor's decider queue) -------------------

DECIDER = """package app.execution;

import java.util.concurrent.Executors;

public class Decider {
    private final QueueDAO queueDAO;

    public void start() {
        Executors.newSingleThreadScheduledExecutor().scheduleAtFixedRate(this::sweep, 0, 30, TimeUnit.SECONDS);
    }

    void sweep() {
        String id = next();
        {line}
    }
}
"""


@pytest.mark.parametrize("line, touches", [
    ("queueDAO.remove(DECIDER_QUEUE, id);", True),
    ("this.queueDAO.push(DECIDER_QUEUE, id, 0);", True),
    ('log.info("swept {}", id);', False),
    ("metrics.record(id);", False),
    ("ctx.set(\"swept\", id);", False),  # a request's context, not a store
])
def test_a_background_change_that_writes_through_a_store_contradicts_no_shared_state(tmp_path, line: str,
                                                                                     touches: bool) -> None:
    from support.gitrepo import make_branch, make_repo

    from deploycheck.analysis.pipeline import analyse
    from deploycheck.checklist.answers import Answer, contradictions
    from deploycheck.rules.base import SHARED_STATE_WORDS

    path = "src/main/java/app/execution/Decider.java"
    repo = make_repo(tmp_path / "repo", {path: DECIDER.replace("{line}", "touch(id);")})
    make_branch(repo, "work", {path: DECIDER.replace("{line}", line)})
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC701" and f.flags]
    assert [f.line for f in found] == [14]
    assert (SHARED_STATE_WORDS in found[0].message) == touches
    challenged = [c.question for c in contradictions({"shared-state": Answer("no")}, found)]
    assert challenged == (["shared-state"] if touches else [])


# atproto's Ozone daemon (a new user's trial, session 28): a lock id constant removed from a
# daemon's module was "a job already queued for it fails when a worker takes it".
DAEMON = """const ADVISORY_LOCK_ID = 7239401

export class StatsComputer {
  async run() {
    await db.query('SELECT pg_try_advisory_lock($1)', [ADVISORY_LOCK_ID])
  }
}
"""


def test_a_removed_constant_of_background_code_is_no_queued_job_s_name(tmp_path) -> None:
    path = "packages/ozone/src/daemon/stats.ts"
    after = DAEMON.replace("const ADVISORY_LOCK_ID = 7239401\n\n", "").replace("[ADVISORY_LOCK_ID]", "[lockIdFor(schema)]")
    found = flagged_on_branch(tmp_path, {".deploycheck/config.yaml": "job_paths: ['packages/ozone/src/daemon/**']\n",
                                         path: DAEMON}, {path: after})
    removed = [message for _, line, side, _, message in found if side == "base" and line == 1]
    assert len(removed) == 1 and "a value background code read" in removed[0] and "queued" not in removed[0]
