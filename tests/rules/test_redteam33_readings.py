"""Red team of session 33's readings (ruby runners, Ruby class state DC706, JS `new Job`, Java volatile
DC704, Java executors DC511, JS module constants, Go transaction helpers DC252/DC357, `lock_wrappers`
DC704): each case asserts the correct behaviour on a real git repository and fails at the session's head."""

from __future__ import annotations

import pytest

from support.scanning import CROSS_SEED_INJECT as INJECT
from support.scanning import CROSS_SEED_JOBS as JOBS
from support.scanning import flagged_on_branch


def _line(text: str, needle: str) -> int:
    """1-based line of the first line of ``text`` holding ``needle``."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


# --- 2. Ruby DC706: class-level state written per call ----------------------------------------------

# A class macro (a DSL method subclasses call once in their class body, at load): `columns :id, :email`
# stores the exporter's columns on the class. The same shape as ArchivesSpace's own
# `register_for_job_type`, Resque's `queue`, every hand-written Rails-style DSL. Not per-call state: the
# value is set once per class while the file loads; a warning here teaches reviewers to ignore DC706.
REPORT_EXPORTER = """class ReportExporter
  def export(rows)
    rows.map { |r| self.class::COLUMNS.map { |c| r[c] } }
  end
end
"""
REPORT_EXPORTER_DSL = """class ReportExporter
  def self.columns(*names)
    @columns = names
  end

  def self.column_names
    @columns
  end

  def export(rows)
    rows.map { |r| self.class.column_names.map { |c| r[c] } }
  end
end
"""


def test_ruby_dc706_flags_a_class_macro_run_once_at_load(tmp_path) -> None:
    path = "app/exports/report_exporter.rb"
    found = flagged_on_branch(tmp_path, {path: REPORT_EXPORTER,
                                         "app/exports/users_export.rb": "class UsersExport < ReportExporter\n  COLUMNS = %i[id email].freeze\nend\n"},
                              {path: REPORT_EXPORTER_DSL,
                               "app/exports/users_export.rb": "class UsersExport < ReportExporter\n  columns :id, :email\nend\n"},
                              rule="DC706")
    assert found == []


# A plugin registry kept by the `inherited` hook: Ruby calls it once per subclass, when the subclass's
# file is loaded (boot, or Zeitwerk's eager load). Ordinary Ruby; flagged as a per-call race.
EXPORTER = """class Exporter
  @@formats = []

  def self.formats
    @@formats
  end

  def export(rows)
    rows
  end
end
"""


def test_ruby_dc706_flags_the_inherited_hook_registry(tmp_path) -> None:
    path = "app/services/exporter.rb"
    branch = EXPORTER.replace("  def self.formats\n",
                              "  def self.inherited(subclass)\n    super\n    @@formats << subclass\n  end\n\n  def self.formats\n")
    found = flagged_on_branch(tmp_path, {path: EXPORTER}, {path: branch}, rule="DC706")
    assert found == []


# A process-wide sequence counter in a class method (`@seq ||= 0` then `@seq += 1`): the classic lost
# update (`+=` reads, adds, writes; two Puma threads get the same number). The `||=` on the line above
# is read as "lazy initialisation" for the whole method, so the `+=` is never reported.
SEQUENCE = """class InvoiceNumber
  def self.next
    Time.now.to_i
  end
end
"""


def test_ruby_dc706_misses_a_counter_incremented_after_its_lazy_init(tmp_path) -> None:
    path = "app/models/invoice_number.rb"
    branch = SEQUENCE.replace("    Time.now.to_i\n", "    @seq ||= 0\n    @seq += 1\n")
    found = flagged_on_branch(tmp_path, {path: SEQUENCE}, {path: branch}, rule="DC706")
    assert [line for _, line, *_ in found] == [4]


# A class variable holding a Set, filled per call with `add` (Set#add is the Set's `<<`): not in the
# mutator list, so the write is not seen.
DEDUP = """require "set"

class WebhookDeduplicator
  @@seen = Set.new

  def duplicate?(event_id)
    @@seen.include?(event_id)
  end

  def remember(event_id)
    event_id
  end
end
"""


def test_ruby_dc706_misses_set_add_on_a_class_variable(tmp_path) -> None:
    path = "app/services/webhook_deduplicator.rb"
    branch = DEDUP.replace("    event_id\n  end\nend", "    @@seen.add(event_id)\n  end\nend")
    found = flagged_on_branch(tmp_path, {path: DEDUP}, {path: branch}, rule="DC706")
    assert [line for _, line, *_ in found] == [11]


# A module of helpers with `extend self` (or `module_function`): its methods run on the module object,
# so `@seen` is one per process exactly like a class method's. Common in Rails `app/lib` helpers.
TRACKER = """module AuditTracker
  extend self

  def track(id)
    id
  end
end
"""


def test_ruby_dc706_misses_an_extend_self_module(tmp_path) -> None:
    path = "app/lib/audit_tracker.rb"
    branch = TRACKER.replace("    id\n", "    @seen << id\n")
    found = flagged_on_branch(tmp_path, {path: TRACKER}, {path: branch}, rule="DC706")
    assert [line for _, line, *_ in found] == [5]


# --- 3. JS/TS: `new Job(…)` in a file that declares `class Job` ---------------------------------------

# A job board's server model (a Job is a job posting): `new Job(row.id, row.title, …)` builds a record
# from a row. Choosing another column is flagged as "job of the application's scheduler" background code.
JOB_MODEL = """const { db } = require("../db");

class Job {
  constructor(id, title, company, salary) {
    this.id = id;
    this.title = title;
    this.company = company;
    this.salary = salary;
  }

  static async findOpen() {
    const rows = await db("jobs").where({ status: "open" });
    return rows.map((row) => new Job(row.id, row.title, row.company, row.salary_max));
  }
}

module.exports = { Job };
"""
APP = "const express = require('express');\nconst app = express();\napp.listen(3000);\n"


def test_js_job_flags_a_job_posting_model_built_from_a_row(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"server/models/job.js": JOB_MODEL, "server/app.js": APP},
                              {"server/models/job.js": JOB_MODEL.replace("row.salary_max", "row.salary_min")}, rule=None)
    assert found == []


# cross-seed's shape (apps-z) with the scheduler's class declared the other common ways.
INJECT_CHANGED = {"src/inject.ts": INJECT.replace("{ injected: true }", "{ injected: true, at: Date.now() }")}


# `export default class Job` is how many TS code bases declare one class per module: the class regex
# only allows `export class`, so the scheduler is not recognised.
def test_js_job_misses_export_default_class_job(tmp_path) -> None:
    jobs = JOBS.replace("class Job {", "export default class Job {")
    found = flagged_on_branch(tmp_path, {"src/jobs.ts": jobs, "src/inject.ts": INJECT}, INJECT_CHANGED)
    assert [(path, line) for path, line, *_ in found] == [("src/inject.ts", 6)]


# The scheduler's class in its own module (`job.ts`) and the jobs built where they are listed
# (`import { Job } from "./job.js"`): the usual layout, and nothing is read as a job.
JOB_CLASS = "export " + JOBS[JOBS.index("class Job"):JOBS.index("const jobs")].rstrip() + "\n"
JOB_LIST = """import { Job } from "./job.js";
import { injectSavedTorrents } from "./inject.js";

const jobs: Job[] = [];

export function createJobs(): void {
  jobs.push(new Job("inject", 3600000, injectSavedTorrents));
}
"""


@pytest.mark.xfail(strict=True, reason="known limit (docs/limitations.md): a `Job` class imported from another module "
                   "is not read; only a file that declares the class and calls what it keeps is a scheduler's")
def test_js_job_misses_the_job_class_imported_from_its_own_module(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"src/job.ts": JOB_CLASS, "src/jobs.ts": JOB_LIST, "src/inject.ts": INJECT},
                              INJECT_CHANGED)
    assert [(path, line) for path, line, *_ in found] == [("src/inject.ts", 6)]


# The job's work written inline (`new Job("cleanup", DAY, async () => {…})`): no identifier among the
# arguments, so the construction is not a region and the arrow's body is not background code.
def test_js_job_misses_an_inline_handler_with_a_string_name(tmp_path) -> None:
    jobs = JOBS.replace('  jobs.push(new Job("inject", 3600000, injectSavedTorrents));\n',
                        '  jobs.push(new Job("cleanup", 86400000, async () => {\n'
                        '    await db("torrents").where("added", "<", Date.now() - 30 * 86400000).del();\n'
                        '  }));\n')
    found = flagged_on_branch(tmp_path, {"src/jobs.ts": jobs},
                              {"src/jobs.ts": jobs.replace("30 * 86400000", "7 * 86400000")})
    assert [(path, line) for path, line, *_ in found] == [("src/jobs.ts", _line(jobs, "30 * 86400000"))]


# --- 4. Java DC704: a volatile field read on a changed line ------------------------------------------

CLIENT = """package com.acme;

import com.google.common.base.Preconditions;

public class Client {
  private volatile boolean closed;
  private volatile Status status = Status.NEW;
  private volatile boolean running = true;

  public Response send(Request req) {
    Preconditions.checkState(!closed, "client closed");
    return transport.send(req);
  }

  public Response toResponse(Result r) {
    return Response.builder().status(r.code()).body(r.body()).build();
  }

  public void close() {
    closed = true;
  }

  public void start() {
    new Thread(new Worker()).start();
  }

  private class Worker implements Runnable {
    @Override
    public void run() {
      while (running) {
        poll();
      }
    }
  }
}
"""
CLIENT_PATH = "src/main/java/com/acme/Client.java"


# A builder's `.status(…)` (JAX-RS/Spring `Response.status(…)`, Lombok builders) is a method call, not
# the `volatile status` field: renaming `body()` to `payload()` on that line is flagged.
def test_java_volatile_flags_a_method_call_named_like_the_field(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {CLIENT_PATH: CLIENT}, {CLIENT_PATH: CLIENT.replace("r.body()", "r.payload()")},
                              rule="DC704")
    assert found == []


# Rewording a precondition's message (`checkState(!closed, "…")`): the read of `closed` is unchanged,
# only the string is; every closable client/pool has such a line.
def test_java_volatile_flags_a_reworded_message_beside_the_read(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {CLIENT_PATH: CLIENT},
                              {CLIENT_PATH: CLIENT.replace('"client closed"', '"Client is closed; create a new one"')},
                              rule="DC704")
    assert found == []


# The textbook use of a volatile flag: an inner `Worker` (or anonymous `Runnable`) thread loops on the
# outer class's `running`. Its method is in the inner class's body, so it is never reported.
def test_java_volatile_misses_an_inner_worker_reading_the_outer_flag(tmp_path) -> None:
    branch = CLIENT.replace("      while (running) {", "      while (running && !Thread.currentThread().isInterrupted()) {")
    found = flagged_on_branch(tmp_path, {CLIENT_PATH: CLIENT}, {CLIENT_PATH: branch}, rule="DC704")
    assert [line for _, line, *_ in found] == [_line(branch, "while (running")]


# --- 5. Java DC511: work handed to an executor a line names ------------------------------------------

SERVICE = """package com.acme;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

public class ReportService {
  private final ExecutorService executorService;
  private final ExecutorService ioPool;

  public CompletableFuture<Report> build(long id) {
    return CompletableFuture.supplyAsync(() -> load(id));
  }

  public void registerHealthChecks(HealthCheckRegistry registry) {
    registry.register("db", new DbHealthCheck(db));
  }
}
"""
SERVICE_PATH = "src/main/java/com/acme/ReportService.java"


# `supplyAsync(task, executorService)`: the most common name of an injected executor ends in
# `Service`, not `Executor`/`Pool`, so the move off the common pool passes.
def test_java_dc511_misses_an_executor_named_executor_service(tmp_path) -> None:
    branch = SERVICE.replace("supplyAsync(() -> load(id))", "supplyAsync(() -> load(id), executorService)")
    found = flagged_on_branch(tmp_path, {SERVICE_PATH: SERVICE}, {SERVICE_PATH: branch}, rule="DC511")
    assert [line for _, line, *_ in found] == [11]


# Qualifying the same pool with `this.` (a checkstyle or IDE clean-up): the removed line named `ioPool`,
# the added `this.ioPool`, and the substring test sees a new pool.
def test_java_dc511_flags_the_same_pool_qualified_with_this(tmp_path) -> None:
    main = SERVICE.replace("supplyAsync(() -> load(id))", "supplyAsync(() -> load(id), ioPool)")
    found = flagged_on_branch(tmp_path, {SERVICE_PATH: main}, {SERVICE_PATH: main.replace(", ioPool)", ", this.ioPool)")},
                              rule="DC511")
    assert found == []


# A Dropwizard health check handed the application's Redis connection pool (`getJedisPool()`): any
# getter ending in `Pool()` is read as an executor, so a new health check "now runs its work" on it.
def test_java_dc511_flags_a_connection_pool_getter(tmp_path) -> None:
    branch = SERVICE.replace('    registry.register("db", new DbHealthCheck(db));\n',
                             '    registry.register("db", new DbHealthCheck(db));\n'
                             '    registry.register("redis", new RedisHealthCheck(redis.getJedisPool()));\n')
    found = flagged_on_branch(tmp_path, {SERVICE_PATH: SERVICE}, {SERVICE_PATH: branch}, rule="DC511")
    assert found == []


# --- 6. JS/TS reach: methods of objects in a module's constant ----------------------------------------

# WeKan's schema-upgrade steps (apps-s 491781c4) written as an ES module: `export const steps = [...]`.
# The reading requires the declaration's parent's parent to be the program, so an exported constant
# (an `export_statement` in between) is not followed and the step's change passes.
STEPS = """export const steps = [
  {
    name: 'board-allows',
    async run(db) {
      return db.collection('boards').updateMany({ allowsLabels: { $exists: false } }, { $set: { allowsLabels: true } });
    },
  },
];

export async function runSchemaUpgrade(db) {
  for (const step of steps) {
    await step.run(db);
  }
}
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


def test_js_reach_misses_an_exported_constant_of_steps(tmp_path) -> None:
    path = "server/lib/schemaUpgradeSteps.js"
    found = flagged_on_branch(tmp_path, {path: STEPS, "server/startup.js": STARTUP},
                              {path: STEPS.replace("updateMany({ ", "updateMany({ archived: false, ", 1)})
    assert [line for _, line, *_ in found] == [5]


# --- 7. Go DC252/DC357: a function literal taking a …Tx/…Transaction -----------------------------------

# A budgeting/ledger app's own `Transaction` type (a bank transaction, not a database one), sorted with
# `slices.SortFunc(out, func(a, b Transaction) int {…})`: added is DC252, and taking the sort out again
# is DC357 *high* ("the code it protected may now race").
LEDGER = """package ledger

import "slices"

type Transaction struct {
	Amount int64
	Date   int64
}

func Sorted(txns []Transaction) []Transaction {
	out := slices.Clone(txns)
	return out
}
"""
LEDGER_SORTED = LEDGER.replace("\treturn out\n", "\tslices.SortFunc(out, func(a, b Transaction) int {\n"
                                                "\t\treturn int(a.Date - b.Date)\n\t})\n\treturn out\n")


def _added_and_removed(tmp_path, path: str, without: str, with_: str) -> tuple[list, list]:
    """DC252's findings when ``with_`` replaces ``without``, and DC357's the other way round."""
    added = flagged_on_branch(tmp_path / "a", {path: without}, {path: with_}, rule="DC252")
    removed = flagged_on_branch(tmp_path / "r", {path: with_}, {path: without}, rule="DC357")
    return added, removed


def test_go_dc252_flags_a_sort_over_a_domain_transaction_type(tmp_path) -> None:
    assert _added_and_removed(tmp_path, "internal/ledger/report.go", LEDGER, LEDGER_SORTED) == ([], [])


# portainer's read-only `ViewTx` (the twin of the `UpdateTx` this reading was written for): a bolt read
# transaction no writer waits on, which session 32 already excluded as bbolt's `View`. Moving a handler
# onto it is DC252, moving it off is DC357 high.
INSPECT_TX = """package endpoints

func (h *Handler) endpointInspect(id int) (*Endpoint, error) {
	var endpoint *Endpoint
	err := h.DataStore.ViewTx(func(tx dataservices.DataStoreTx) error {
		var err error
		endpoint, err = tx.Endpoint().Endpoint(id)
		return err
	})
	return endpoint, err
}
"""
INSPECT = """package endpoints

func (h *Handler) endpointInspect(id int) (*Endpoint, error) {
	return h.DataStore.Endpoint().Endpoint(id)
}
"""


def test_go_dc252_flags_portainers_read_only_view_tx(tmp_path) -> None:
    assert _added_and_removed(tmp_path, "api/http/handler/endpoints/endpoint_inspect.go", INSPECT, INSPECT_TX) == ([], [])


# --- 8. lock_wrappers in any tree language ------------------------------------------------------------

# Idiomatic Ruby calls a block helper without parentheses (`with_advisory_lock "credit-#{id}" do`, the
# with_advisory_lock gem's README style): the pattern needs `(`, `{` or ` do` right after the name, so
# the lock removed is not seen.
LOCKED = """class Ledger
  def credit(id)
    Account.with_advisory_lock "credit-#{id}" do
      Account.find(id).increment!(:balance)
    end
  end
end
"""
PLAIN = """class Ledger
  def credit(id)
    Account.find(id).increment!(:balance)
  end
end
"""


def test_lock_wrappers_miss_a_ruby_call_without_parentheses(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"app/models/ledger.rb": LOCKED,
                                         ".deploycheck/config.yaml": "lock_wrappers: [with_advisory_lock]\n"},
                              {"app/models/ledger.rb": PLAIN}, rule="DC704")
    assert [(line, side, severity) for _, line, side, severity, _ in found] == [(3, "base", "high")]


# The helper's own definition is read as a call: moving `func (s *Store) UpdateTx(…)` from store.go to
# tx.go (a routine file split) is DC704 *high* in store.go ("no longer called here: may now race") and a
# warning in tx.go, though no caller changed.
STORE = """package datastore

type Store struct{ db *bolt.DB }

func (s *Store) Read(id int) (*Job, error) { return nil, nil }
"""
UPDATE_TX = """
// UpdateTx runs fn in one read-write transaction.
func (s *Store) UpdateTx(fn func(tx *bolt.Tx) error) error {
	return s.db.Update(fn)
}
"""


def test_lock_wrappers_flag_the_helpers_definition_moved_to_another_file(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"datastore/store.go": STORE + UPDATE_TX,
                                         ".deploycheck/config.yaml": "lock_wrappers:\n  - Store.UpdateTx\n"},
                              {"datastore/store.go": STORE, "datastore/tx.go": "package datastore\n" + UPDATE_TX},
                              rule="DC704")
    assert found == []
