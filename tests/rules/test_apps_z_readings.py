"""Readings from session 33's work on apps-z (tests/corpus/*-labelled-apps-z.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import CROSS_SEED_INJECT as INJECT
from support.scanning import CROSS_SEED_JOBS as JOBS
from support.scanning import flagged_on_branch

# --- Ruby: an application's own job runner -------------------------------------------------------

# ArchivesSpace (apps-z e8d270f1): `class BulkArchivalObjectUpdaterRunner < JobRunner` is run by the
# backend's job threads; the updater it builds changed how many rows its transaction touches.
RUNNER = """class BulkUpdaterRunner < JobRunner
  register_for_job_type('bulk_update')

  def run
    BulkUpdater.new(@job.path).run
  end
end
"""
UPDATER = """class BulkUpdater
  def initialize(path)
    @path = path
  end

  def run
    rows.each { |row| TopContainer.find(row[:id]).touch }
  end
end
"""


@pytest.mark.parametrize("base", ["JobRunner", "Jobs::JobRunner", "ApplicationJobWorker"])
def test_ruby_a_subclass_of_an_application_job_runner_is_background_code(tmp_path, base: str) -> None:
    runner = RUNNER.replace("< JobRunner", f"< {base}")
    found = flagged_on_branch(tmp_path, {"backend/app/lib/job_runners/bulk_updater_runner.rb": runner,
                                         "backend/app/lib/bulk_updater.rb": UPDATER},
                              {"backend/app/lib/bulk_updater.rb": UPDATER.replace(".touch }", ".touch_later }")})
    assert [(path, line) for path, line, *_ in found] == [("backend/app/lib/bulk_updater.rb", 7)]


def test_ruby_a_runner_of_another_kind_is_not_a_job(tmp_path) -> None:
    # A test runner's or a command's base class runs nothing in the background.
    runner = RUNNER.replace("< JobRunner", "< CommandRunner")
    found = flagged_on_branch(tmp_path, {"backend/app/lib/commands/bulk_updater_runner.rb": runner,
                                         "backend/app/lib/bulk_updater.rb": UPDATER},
                              {"backend/app/lib/bulk_updater.rb": UPDATER.replace(".touch }", ".touch_later }")})
    assert found == []


# --- Ruby: state of the class itself, written per call (DC706) -----------------------------------

# ArchivesSpace's CSV converter (apps-z af719de7) kept each import's header row in `@headers`, set by
# a class method: two import jobs at once overwrite each other's headers mid-parse.
CONVERTER = """class DigitalObjectConverter < Converter
  def self.configure_cell_handlers(row)
    row.map(&:strip)
  end

  def after_row_parsed(row)
    row
  end
end
"""


@pytest.mark.parametrize("before, after, lines", [
    # The class's own variable set by a class method: shared by every thread.
    ("    row.map(&:strip)\n", "    @headers = row.map(&:strip)\n", [3]),
    # A class variable, set from an instance method.
    ("    row\n  end\nend", "    @@last_row = row\n  end\nend", [7]),
    # Inside `class << self` as well.
    ("  def self.configure_cell_handlers(row)\n    row.map(&:strip)\n  end\n",
     "  class << self\n    def configure_cell_handlers(row)\n      @headers = row.map(&:strip)\n    end\n  end\n", [4]),
    # An instance's own variable: each converter its own.
    ("    row\n  end\nend", "    @row = row\n  end\nend", []),
    # Lazy initialisation, a setter, a configuration method, under a lock: not per-call state.
    ("    row.map(&:strip)\n", "    @cache ||= {}\n    row.map(&:strip)\n", []),
    ("    row.map(&:strip)\n", "    @headers = row unless defined?(@headers)\n    row.map(&:strip)\n", []),
    ("  def self.configure_cell_handlers(row)\n    row.map(&:strip)\n",
     "  def self.logger=(value)\n    @logger = value\n  end\n\n  def self.configure_cell_handlers(row)\n    row.map(&:strip)\n", []),
    ("  def self.configure_cell_handlers(row)\n    row.map(&:strip)\n",
     "  def self.configure(options)\n    @options = options\n  end\n\n  def self.configure_cell_handlers(row)\n    row.map(&:strip)\n", []),
    ("    row.map(&:strip)\n", "    LOCK.synchronize { @headers = row.map(&:strip) }\n", []),
])
def test_ruby_class_level_state_written_per_call(tmp_path, before: str, after: str, lines: list[int]) -> None:
    assert before in CONVERTER
    found = flagged_on_branch(tmp_path, {"backend/app/converters/digital_object_converter.rb": CONVERTER},
                              {"backend/app/converters/digital_object_converter.rb": CONVERTER.replace(before, after)},
                              rule="DC706")
    assert [line for _, line, *_ in found] == lines


# --- JS/TS: an application's own scheduler ------------------------------------------------------

# cross-seed (apps-z a308d450, 3d89a961, 4d5e061f): `new Job(JobName.INJECT, ms("1 hour"),
# injectSavedTorrents)` hands an imported function to the file's own `class Job`, which its jobs loop
# runs; the functions they reach in other modules went unread.


@pytest.mark.parametrize("declares, lines", [
    ("class Job {", [6]),
    # BullMQ's `new Job(queue, name, data)` builds a job's record: it runs nothing it is handed.
    ("class Runner {", []),
])
def test_js_a_function_handed_to_the_files_own_job_class_is_a_job(tmp_path, declares: str, lines: list[int]) -> None:
    jobs = JOBS.replace("class Job {", declares)
    found = flagged_on_branch(tmp_path, {"src/jobs.ts": jobs, "src/inject.ts": INJECT},
                              {"src/inject.ts": INJECT.replace("{ injected: true }", "{ injected: true, at: Date.now() }")})
    assert [line for _, line, *_ in found] == lines


# --- Java: a volatile field read or written on a changed line (DC704) ---------------------------

# amoro's optimizing process (apps-z 96a4d781): `isClosed()` now compares the `volatile` status its
# close sets, so late task results from optimizer threads are rejected; nothing was flagged.
PROCESS = """package com.acme;

public class Process {
  private volatile Status status = Status.RUNNING;
  private volatile boolean stopped;
  private Status plain = Status.RUNNING;

  public Process(Status s) {
    this.status = s;
  }

  public boolean isClosed() {
    return status == Status.KILLED;
  }

  public void run() {
    try {
      work();
    } catch (Throwable t) {
      LOG.error("failed", t);
    }
  }

  public Status plain() {
    return plain;
  }
}
"""


@pytest.mark.parametrize("before, after, lines", [
    ("return status == Status.KILLED;", "return status == Status.CLOSED || status == Status.KILLED;", [13]),
    ("return status == Status.KILLED;", "return this.status == Status.CLOSED;", [13]),
    # A plain field, a constructor (no other thread holds the object yet), a log line.
    ("return plain;", "return plain == null ? Status.RUNNING : plain;", []),
    ("this.status = s;", "this.status = s == null ? Status.RUNNING : s;", []),
    ('LOG.error("failed", t);', 'LOG.error("failed {}", status, t);', []),
    # A condition that only decides whether to log (amoro's keeper, apps-z 4953d9c9).
    ('LOG.error("failed", t);', 'if (!stopped) {\n        LOG.error("failed", t);\n      }', []),
])
def test_java_a_changed_line_that_reads_a_volatile_field(tmp_path, before: str, after: str, lines: list[int]) -> None:
    path = "src/main/java/com/acme/Process.java"
    found = flagged_on_branch(tmp_path, {path: PROCESS}, {path: PROCESS.replace(before, after)}, rule="DC704")
    assert [line for _, line, *_ in found] == lines


# --- Java: work handed to another executor (DC511) ----------------------------------------------

# amoro's snapshot expiry (apps-z de6205c0): `.planWith(IcebergThreadPools.getMaintenanceExecutor())`
# moved the planning from Iceberg's global pool to a new pool of its own.
MAINTAINER = """package com.acme;

public class Maintainer {
  public void expire(Table table) {
    table.expireSnapshots()
        .retainLast(1)
        .commit();
  }
}
"""


@pytest.mark.parametrize("added, lines", [
    ("        .planWith(ThreadPools.getMaintenanceExecutor())\n", [7]),
    ("        .thenApplyAsync(x -> x, ioPool)\n", [7]),
    # A getter of something else, and an `…Async` call on the common pool.
    ("        .planWith(ThreadPools.getMaintenanceConfig())\n", []),
    ("        .thenApplyAsync(x -> x)\n", []),
])
def test_java_work_handed_to_an_executor_it_names(tmp_path, added: str, lines: list[int]) -> None:
    path = "src/main/java/com/acme/Maintainer.java"
    found = flagged_on_branch(tmp_path, {path: MAINTAINER},
                              {path: MAINTAINER.replace("        .retainLast(1)\n", "        .retainLast(1)\n" + added)},
                              rule="DC511")
    assert [line for _, line, *_ in found] == lines


# --- JS/TS: a module's table of values, and methods of objects in a module's constant ------------

# WeKan's schema upgrade (apps-s 491781c4): started unawaited at boot, it iterates `steps`, whose
# `run()` reads `BOARD_ALLOWS_TRUE_DEFAULTS`, a list exported for its tests; a flag added to the list
# went unread (the constant was exported, and `run` is too common a name to follow).
STEPS = """const BOARD_ALLOWS_TRUE_DEFAULTS = [
  'allowsLabels',
  'allowsMembers',
];

const steps = [
  {
    name: 'board-allows',
    async run(db) {
      return db.collection('boards').updateMany({ $or: BOARD_ALLOWS_TRUE_DEFAULTS.map(f => ({ [f]: { $exists: false } })) }, {});
    },
  },
];

async function runSchemaUpgrade(db) {
  for (const step of steps) {
    await step.run(db);
  }
}

module.exports = { runSchemaUpgrade, steps, BOARD_ALLOWS_TRUE_DEFAULTS };
"""
STARTUP = """import { runSchemaUpgrade } from '/server/lib/schemaUpgradeSteps';
const express = require('express');

function start(db) {
  (async () => {
    await runSchemaUpgrade(db);
  })();
}

module.exports = { start };
"""


@pytest.mark.parametrize("before, after, lines", [
    ("  'allowsMembers',\n", "  'allowsMembers',\n  'allowsCustomFields',\n", [4]),
    # A step object's method, named as every step's is.
    ("updateMany({", "updateMany({ archived: false, ", [10]),
])
def test_js_module_constants_are_followed_to_the_work_that_reads_them(tmp_path, before: str, after: str,
                                                                      lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {"server/lib/schemaUpgradeSteps.js": STEPS, "server/startup.js": STARTUP},
                              {"server/lib/schemaUpgradeSteps.js": STEPS.replace(before, after, 1)})
    assert [line for _, line, *_ in found] == lines



# --- Any tree language: the project's own lock helpers (`lock_wrappers`) --------------------------

# portainer (a new user's trial, session 33): `lock_wrappers: [UpdateTx]` in .deploycheck/config.yaml
# was read by the Python rules only; a Go handler that stopped calling it passed unflagged.
HANDLER = """package edgejobs

func (h *Handler) collect(id int) error {
	return h.Store.WithAccountLock(id, func() error {
		job, _ := h.Store.Read(id)
		job.Logs++
		return h.Store.Update(id, job)
	})
}
"""
UNLOCKED = """package edgejobs

func (h *Handler) collect(id int) error {
	job, _ := h.Store.Read(id)
	job.Logs++
	return h.Store.Update(id, job)
}
"""
CONFIG = "lock_wrappers:\n  - Store.WithAccountLock\n"


@pytest.mark.parametrize("main, branch, expected", [
    (HANDLER, UNLOCKED, [(4, "base", "high")]),
    (UNLOCKED, HANDLER, [(4, "head", "warning")]),
    # Reformatted, still called as often: no change of the lock.
    (HANDLER, HANDLER.replace("return h.Store.WithAccountLock(id, func() error {",
                              "err := h.Store.WithAccountLock(id, func() error {").replace("\t})\n}", "\t})\n\treturn err\n}"),
     []),
])
def test_go_a_configured_lock_wrapper_added_or_removed(tmp_path, main: str, branch: str, expected: list) -> None:
    found = flagged_on_branch(tmp_path, {"api/edgejobs/collect.go": main, ".deploycheck/config.yaml": CONFIG},
                              {"api/edgejobs/collect.go": branch}, rule="DC704")
    assert [(line, side, severity) for _, line, side, severity, _ in found] == expected


def test_ruby_a_configured_lock_wrapper_removed(tmp_path) -> None:
    locked = "class Ledger\n  def credit(id)\n    with_account_lock(id) do\n      Account.find(id).increment!(:balance)\n    end\n  end\nend\n"
    plain = "class Ledger\n  def credit(id)\n    Account.find(id).increment!(:balance)\n  end\nend\n"
    found = flagged_on_branch(tmp_path, {"app/models/ledger.rb": locked,
                                         ".deploycheck/config.yaml": "lock_wrappers: [with_account_lock]\n"},
                              {"app/models/ledger.rb": plain}, rule="DC704")
    assert [(line, side) for _, line, side, *_ in found] == [(3, "base")]
