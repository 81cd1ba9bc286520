"""Readings from session 39's work on apps-af (tests/corpus/*-labelled-apps-af.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.scanning import flagged_on_branch, red_team_branch

# --- JS/TS: Botpress's workflows (apps-af cf96caaf) -------------------------------------------------

# A plugin's workflow handlers now catch the batch update's error and mark the workflow failed, where
# the error used to reach Botpress's runner, which retries it. Nothing was flagged: the handlers,
# typed `bp.WorkflowHandlers['…']` and registered with `plugin.on.workflowStart(…)`, were not known
# as background code.
HANDLERS = """import { updateAll } from '../updateAll'
import * as bp from '.botpress'

export const handleStart: bp.WorkflowHandlers['updateAll'] = async (props) => {
  await updateAll(props)
  return undefined
}
"""
CAUGHT = """import { updateAll } from '../updateAll'
import * as bp from '.botpress'

export const handleStart: bp.WorkflowHandlers['updateAll'] = async (props) => {
  try {
    await updateAll(props)
  } catch (thrown) {
    await props.workflow.setFailed({ failureReason: String(thrown) })
  }
  return undefined
}
"""
HANDLERS_PATH = "plugins/insights/src/handlers/update-all.ts"
INDEX = """import * as bp from '.botpress'

const plugin = new bp.Plugin({ actions: {} })

plugin.on.workflowContinue('updateAll', async (props) => {
  await props.client.updateRows({ rows: [] })
})

export default plugin
"""
INDEX_PATH = "plugins/insights/src/index.ts"


def test_a_botpress_workflow_handler_by_its_type_is_background_code(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {HANDLERS_PATH: HANDLERS}, {HANDLERS_PATH: CAUGHT})
    assert [line for _, line, _, _, _ in found] == [5], found
    assert "Botpress workflow" in found[0][4]


def test_a_callback_registered_for_a_botpress_workflow_is_background_code(tmp_path) -> None:
    head = INDEX.replace("rows: []", "rows: [], upsert: true")
    found = flagged_on_branch(tmp_path, {INDEX_PATH: INDEX}, {INDEX_PATH: head})
    assert [line for _, line, _, _, _ in found] == [6], found
    assert "Botpress workflow" in found[0][4]


@pytest.mark.parametrize("main, head", [
    # The type's name in a file that does not import Botpress.
    (HANDLERS.replace("import * as bp from '.botpress'", "import * as bp from './types'"),
     CAUGHT.replace("import * as bp from '.botpress'", "import * as bp from './types'")),
    # An event of another name (`on.event`) registers a request-path handler.
    (INDEX.replace("workflowContinue", "afterIncomingMessage"),
     INDEX.replace("workflowContinue", "afterIncomingMessage").replace("rows: []", "rows: [], upsert: true")),
])
def test_no_botpress_workflow_without_botpress_or_a_workflow_event(tmp_path, main, head) -> None:
    path = INDEX_PATH if "plugin.on" in main else HANDLERS_PATH
    assert flagged_on_branch(tmp_path, {path: main}, {path: head}) == []


# --- JS/TS, an older miss: an imported module's async function not awaited (apps-u a5413d72) ---------

# etherpad's admin socket handler checks that a pad does not exist, then starts its creation with the
# pad manager's `getPad` and reports success at once: nothing awaits the creation. DC717 read only
# the file's own async functions; `getPad` is declared async in the module the handler requires.
MANAGER = ("src/node/db/PadManager.ts", """exports.getPad = async (id: string) => {
  const pad = await db.get(id);
  return pad ?? await create(id);
};

exports.doesPadExist = async (id: string) => (await db.get(id)) != null;
""")
ADMIN_PATH = "src/node/hooks/express/adminsettings.ts"
ADMIN = """const padManager = require('../../db/PadManager');

exports.socketio = (hookName: string, {io}: any) => {
  io.on('connection', (socket: any) => {
    socket.on('createPad', async ({padName}: any) => {
      if (await padManager.doesPadExist(padName)) {
        return socket.emit('results:createPad', {error: 'exists'});
      }
      socket.emit('results:createPad', {success: padName});
    });
  });
};
"""
CREATED = ADMIN.replace("      socket.emit('results:createPad', {success",
                        "      padManager.getPad(padName);\n      socket.emit('results:createPad', {success")


def test_an_imported_module_s_async_function_called_and_dropped_is_unawaited(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {MANAGER[0]: MANAGER[1], ADMIN_PATH: ADMIN},
                              {ADMIN_PATH: CREATED}, rule="DC717")
    assert [(line, "`padManager.getPad(…)`" in m) for _, line, _, _, m in found] == [(9, True)], found


@pytest.mark.parametrize("module, head_import, call", [
    # ES module imports: a namespace, a default export and a function by its name (`./m.js` for `./m.ts`).
    ("export async function getPad(id: string) { return id; }\n",
     "import * as padManager from '../../db/PadManager';", "padManager.getPad(padName);"),
    ("export async function getPad(id: string) { return id; }\n",
     "import { getPad } from '../../db/PadManager.js';", "getPad(padName);"),
])
def test_es_module_imports_are_read_too(tmp_path, module, head_import, call) -> None:
    admin = ADMIN.replace("const padManager = require('../../db/PadManager');", head_import)
    head = admin.replace("      socket.emit('results:createPad', {success", f"      {call}\n      socket.emit('results:createPad', {{success")
    main = {MANAGER[0]: module, ADMIN_PATH: admin.replace("padManager.doesPadExist(padName)", "exists(padName)")}
    head = head.replace("padManager.doesPadExist(padName)", "exists(padName)")
    found = flagged_on_branch(tmp_path, main, {ADMIN_PATH: head}, rule="DC717")
    assert [line for _, line, _, _, _ in found] == [9], found


@pytest.mark.parametrize("manager, head", [
    (MANAGER[1], CREATED.replace("padManager.getPad(padName);", "await padManager.getPad(padName);")),
    (MANAGER[1], CREATED.replace("padManager.getPad(padName);", "void padManager.getPad(padName);")),
    # the module's function is not async
    (MANAGER[1].replace("exports.getPad = async (id: string) =>", "exports.getPad = (id: string) =>"), CREATED),
    # a package's module, not the repository's
    (MANAGER[1], CREATED.replace("require('../../db/PadManager')", "require('pad-manager')")),
])
def test_no_unawaited_import_when_awaited_marked_not_async_or_not_the_repository_s(tmp_path, manager, head) -> None:
    main = {MANAGER[0]: manager, ADMIN_PATH: ADMIN}
    if "pad-manager" in head:
        main[ADMIN_PATH] = ADMIN.replace("require('../../db/PadManager')", "require('pad-manager')")
    assert flagged_on_branch(tmp_path, main, {ADMIN_PATH: head}, rule="DC717") == []


# --- A helper of the file's own that takes a lock (loomio, a new user's trial) ------------------------

# A service refills a demo queue kept in the cache inside `with_demo_queue_lock`, which takes a
# Postgres advisory lock and yields. A branch that drops the wrapper ("no behaviour change") leaves
# the read-modify-write of the cache unguarded; it was a warning for a changed line, and a lock's
# removal only once the helper was named under `lock_wrappers` in .deploycheck/config.yaml.
DEMO_PATH = "app/services/demo_service.rb"
DEMO = """class DemoService
  def self.refill_queue
    with_demo_queue_lock do
      queue = Rails.cache.read(KEY) || []
      Rails.cache.write(KEY, queue + new_demos)
    end
  end

  def self.with_demo_queue_lock
    ActiveRecord::Base.connection.execute("SELECT pg_advisory_lock(42)")
    yield
  ensure
    ActiveRecord::Base.connection.execute("SELECT pg_advisory_unlock(42)")
  end
end
"""
UNLOCKED = DEMO.replace("""    with_demo_queue_lock do
      queue = Rails.cache.read(KEY) || []
      Rails.cache.write(KEY, queue + new_demos)
    end
""", """    queue = Rails.cache.read(KEY) || []
    Rails.cache.write(KEY, queue + new_demos)
""")
GO_PATH = "internal/store/store.go"
GO_STORE = """package store

func (s *Store) withLock(fn func() error) error {
\ts.mu.Lock()
\tdefer s.mu.Unlock()
\treturn fn()
}

func (s *Store) Bump(key string) error {
\treturn s.withLock(func() error {
\t\ts.counts[key]++
\t\treturn nil
\t})
}
"""
JS_PATH = "src/lib/queue.ts"
JS_QUEUE = """export async function withLock(key: string, fn: () => Promise<void>) {
  const lock = await redlock.acquire([key], 5000);
  try {
    await fn();
  } finally {
    await lock.release();
  }
}

export async function refill(key: string) {
  await withLock(key, async () => {
    await store.write(key, (await store.read(key)) + 1);
  });
}
"""


@pytest.mark.parametrize("path, main, head, line, name, lock", [
    (DEMO_PATH, DEMO, UNLOCKED, 3, "with_demo_queue_lock", "pg_advisory_lock"),
    (GO_PATH, GO_STORE, GO_STORE.replace("\treturn s.withLock(func() error {\n\t\ts.counts[key]++\n\t\treturn nil\n\t})\n",
                                         "\ts.counts[key]++\n\treturn nil\n"), 10, "withLock", "Lock()"),
    (JS_PATH, JS_QUEUE, JS_QUEUE.replace("""  await withLock(key, async () => {
    await store.write(key, (await store.read(key)) + 1);
  });
""", """  await store.write(key, (await store.read(key)) + 1);
"""), 11, "withLock", "redlock"),
])
def test_a_call_of_the_file_s_own_lock_helper_removed_is_a_lock_removed(tmp_path, path, main, head, line, name, lock) -> None:
    found = [f for f in flagged_on_branch(tmp_path, {path: main}, {path: head}, rule="DC704")]
    assert [(f[1], f[2], f[3]) for f in found] == [(line, "base", "high")], found
    assert f"`{name}`, a helper of this file that takes a lock (`{lock}`" in found[0][4], found[0][4]


@pytest.mark.parametrize("main", [
    # The helper yields but takes no lock: a timer, a logger's span.
    DEMO.replace('execute("SELECT pg_advisory_lock(42)")', 'execute("SELECT 1")').replace("pg_advisory_unlock", "now"),
    # The helper takes a lock but runs nothing it is handed: a lock acquired for its own work.
    DEMO.replace("    yield\n", "    refill_now\n").replace("with_demo_queue_lock do", "with_demo_queue_lock\n    begin")
        .replace("new_demos)\n    end\n", "new_demos)\n    end\n"),
])
def test_no_lock_helper_without_a_lock_or_a_block(tmp_path, main) -> None:
    head = main.replace("      queue = Rails.cache.read(KEY) || []\n", "      queue = []\n")
    head = head.replace("with_demo_queue_lock do\n", "begin\n").replace("with_demo_queue_lock\n    begin", "begin")
    assert flagged_on_branch(tmp_path, {DEMO_PATH: main}, {DEMO_PATH: head}, rule="DC704") == []


# --- Go: a variable only its goroutine uses (kopia, session 38's trial) -----------------------------

# kopia's sleepable timer declares `var currentTimer *time.Timer` just above `go func() {` and
# uses it only inside the goroutine; DC352 called each new assignment a data race (high).
TIMER_PATH = "internal/sleepable/timer.go"
TIMER = """package sleepable

func NewTimer(until time.Time) *Timer {
\tt := &Timer{stop: make(chan struct{})}
\tvar current *time.Timer

\tgo func() {
\t\tfor {
\t\t\tcurrent = time.NewTimer(time.Until(until))
\t\t\tselect {
\t\t\tcase <-t.stop:
\t\t\t\treturn
\t\t\tcase <-current.C:
\t\t\t\treturn
\t\t\t}
\t\t}
\t}()

\treturn t
}
"""
# Before, the function started no goroutine (the check reads a plain assignment in a new one).
TIMER_BASE = """package sleepable

func NewTimer(until time.Time) *Timer {
\tt := &Timer{stop: make(chan struct{})}

\treturn t
}
"""


def test_a_variable_only_its_goroutine_names_is_no_data_race(tmp_path) -> None:
    assert flagged_on_branch(tmp_path, {TIMER_PATH: TIMER_BASE}, {TIMER_PATH: TIMER}, rule="DC352") == []


@pytest.mark.parametrize("head", [
    # the function reads it after starting the goroutine
    TIMER.replace("\treturn t\n", "\tt.current = current\n\treturn t\n"),
    # a goroutine per round of a loop: each writes the one variable
    TIMER.replace("\tgo func() {", "\tfor i := 0; i < 2; i++ {\n\tgo func() {").replace("\t}()\n", "\t}()\n\t}\n"),
])
def test_a_variable_named_outside_its_goroutine_or_shared_by_a_loop_s_goroutines_still_races(tmp_path, head) -> None:
    found = flagged_on_branch(tmp_path, {TIMER_PATH: TIMER_BASE}, {TIMER_PATH: head}, rule="DC352")
    assert [(f[1], f[3]) for f in found] == [(head.splitlines().index("\t\t\tcurrent = time.NewTimer(time.Until(until))") + 1, "high")], found


# --- Go: a field read swapped for its locked accessor (nats-server, a new user's trial) ---------------

# nats-server fixed a data race by reading `mset.raftNode()`, which takes `mset.mu.RLock()`, where it
# read `mset.node`. The diff changes a name for a call: "Nothing flagged".
CLUSTER = ("server/cluster.go", """package server

func (mset *stream) raftNode() RaftNode {
\tif mset == nil {
\t\treturn nil
\t}
\tmset.mu.RLock()
\tdefer mset.mu.RUnlock()
\treturn mset.node
}

func (mset *stream) nodeName() string {
\treturn mset.name
}
""")
STREAM_PATH = "server/stream.go"
STREAM = """package server

func (mset *stream) lockedWork() {
\tmset.mu.Lock()
\tdefer mset.mu.Unlock()
}

func (mset *stream) shouldReplay() bool {
\tif mset == nil || mset.node == nil {
\t\treturn false
\t}
\treturn true
}
"""
ACCESSED = STREAM.replace("mset.node == nil", "mset.raftNode() == nil")


@pytest.mark.parametrize("main, head, severity, said", [
    (STREAM, ACCESSED, "warning", "`mset.node` is read through `raftNode()` now, which takes the lock (`mset.mu.RLock()`)"),
    (ACCESSED, STREAM, "high", "`mset.node` is read directly now, where `raftNode()` read it under the lock"),
])
def test_a_field_read_swapped_with_its_locked_accessor_is_a_lock_change(tmp_path, main, head, severity, said) -> None:
    found = flagged_on_branch(tmp_path, {CLUSTER[0]: CLUSTER[1], STREAM_PATH: main}, {STREAM_PATH: head}, rule="DC704")
    assert [(f[1], f[2], f[3]) for f in found] == [(9, "head", severity)], found
    assert said in found[0][4], found[0][4]


@pytest.mark.parametrize("head", [
    # an accessor that takes no lock
    STREAM.replace("mset.node == nil", "mset.nodeName() == \"\"").replace("mset.node", "mset.name"),
    # a method of another receiver
    STREAM.replace("mset.node == nil", "other.raftNode() == nil"),
])
def test_no_lock_change_for_an_unlocked_accessor_or_another_receiver(tmp_path, head) -> None:
    main = STREAM.replace("mset.node == nil", "mset.name == \"\"") if "nodeName" in head else STREAM
    found = flagged_on_branch(tmp_path, {CLUSTER[0]: CLUSTER[1], STREAM_PATH: main}, {STREAM_PATH: head}, rule="DC704")
    assert found == [], found


# --- the red team of session 39's readings (tests/rules/data/redteam39/<case>/{common,base,head}) ---

RED_TEAM = Path(__file__).parent / "data" / "redteam39"


@pytest.mark.parametrize("case, rule, severity", [
    # A goroutine started per request by a handler's function literal: each writes `lastRefresh`.
    ("01", "DC352", "high"),
    # A debounce's `pending` timer, also set to nil by the `time.AfterFunc` callback the goroutine starts.
    ("02", "DC352", "high"),
    # `const { getPad } = require(…)` and `import { getPad as loadPad }`: an imported async function dropped.
    ("05", "DC717", "warning"),
    ("05b", "DC717", "warning"),
    # a promise's `.then` callback drops `audit.record(…)`, in a file that never says `async`
    ("06", "DC717", "warning"),
    # an accessor that copies the field under the lock and returns the copy, swapped back to the bare field
    ("10", "DC704", "high"),
])
def test_red_team_39_hazards_are_flagged(tmp_path, case, rule, severity) -> None:
    found = red_team_branch(tmp_path, RED_TEAM / case, rule)
    assert found and {f[3] for f in found} == {severity}, (case, found)


@pytest.mark.parametrize("case", [
    "03",  # `c.Limit()` -> `c.limit` where the function already holds `c.mu`: a deadlock fix, not a race
    "07",  # the file's `def fetch` takes a lock; `ENV.fetch(…)` is no call of it
    "08",  # `withConnection(fn)` checks a connection out of a pool: `pool.acquire()` is no lock
    "12",  # nats's `startGoroutine(f)` locks for bookkeeping and runs `f` on a goroutine of its own
])
def test_red_team_39_no_lock_change_where_none_is(tmp_path, case) -> None:
    assert red_team_branch(tmp_path, RED_TEAM / case, "DC704") == [], case


# --- Java: lambdas run in place (fineract, a new user's trial) -------------------------------------

def _java_regions(source: str) -> list[tuple[int, int, str]]:
    from deploycheck.rules.trees.background import regions
    from deploycheck.rules.trees.parse import parse_bytes

    return regions(parse_bytes("java", source.encode()))


LONG_CHAIN = """class Calculator {
    void addDisbursement(Model scheduleModel, LocalDate due, Money amount) {
        scheduleModel
                .changeOutstandingBalanceAndUpdateInterestPeriods(due, amount,
                        Money.zero(amount.getCurrency(), scheduleModel.mc(), scheduleModel.precision(), due))
                .ifPresent((period) -> recalculate(period, scheduleModel));
    }
}
"""
TEMPLATE = """class BatchService {
    Object callInTransaction(Request request) {
        return transactionTemplate.execute(status -> {
            repository.save(request.toEntity());
            return null;
        });
    }
}
"""


@pytest.mark.parametrize("source", [
    # A receiver chain longer than what is read before the lambda, naming `scheduleModel`: the
    # lambda is `Optional.ifPresent`'s, run in place (a loan's periods were "an executor's task").
    LONG_CHAIN,
    # Spring's TransactionTemplate runs `execute`'s callback on the calling thread.
    TEMPLATE,
    TEMPLATE.replace("transactionTemplate.execute", "new TransactionTemplate(txManager).execute"),
])
def test_a_lambda_run_in_place_is_no_executor_s_task(source) -> None:
    assert _java_regions(source) == []


@pytest.mark.parametrize("source", [
    TEMPLATE.replace("transactionTemplate.execute", "taskExecutor.execute"),
    LONG_CHAIN.replace(".ifPresent((period) ->", ".thenRunOnPool(executor).submit((period) ->"),
])
def test_an_executor_s_lambda_is_still_its_task(source) -> None:
    assert [what for _, _, what in _java_regions(source)] == ["task run by an executor or thread"]


# --- Java: Spring Batch (fineract, a new user's trial) ----------------------------------------------

# fineract's close-of-business job runs loans through a partitioned Spring Batch step; a change to its
# partitioner's scope and a new listener copying the job's context into each step was "Nothing
# flagged": no Spring Batch part was known as background code.
PARTITIONER = """package org.apache.fineract.cob.loan;

import org.springframework.batch.core.partition.support.Partitioner;
import org.springframework.batch.item.ExecutionContext;

public class LoanCOBPartitioner implements Partitioner {
    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        return partitions(gridSize, null);
    }
}
"""
CONFIG = """package org.apache.fineract.cob.loan;

import org.springframework.batch.core.Step;
import org.springframework.context.annotation.Bean;

public class LoanCOBManagerConfiguration {
    @Bean
    @JobScope
    public LoanCOBPartitioner partitioner() {
        return new LoanCOBPartitioner(repository);
    }

    @Bean
    public Step loanCOBStep() {
        return new StepBuilder("loanCOBStep", jobRepository).partitioner("worker", partitioner()).build();
    }

    @Bean
    public DataSource reportingDataSource() {
        return DataSourceBuilder.create().url(url).build();
    }
}
"""


@pytest.mark.parametrize("path, main, head, line", [
    ("src/main/java/cob/LoanCOBPartitioner.java", PARTITIONER, PARTITIONER.replace("gridSize, null", "gridSize, businessDate"), 9),
    ("src/main/java/cob/LoanCOBManagerConfiguration.java", CONFIG,
     CONFIG.replace('partitioner("worker", partitioner())', 'partitioner("worker", partitioner()).listener(copyListener)'), 15),
])
def test_spring_batch_s_parts_are_background_code(tmp_path, path, main, head, line) -> None:
    found = flagged_on_branch(tmp_path, {path: main}, {path: head})
    assert [f[1] for f in found] == [line], found
    assert "Spring Batch" in found[0][4]


@pytest.mark.parametrize("path, main, head", [
    # a `@Bean` of something else in the same configuration
    ("src/main/java/cob/LoanCOBManagerConfiguration.java", CONFIG, CONFIG.replace("url(url)", "url(replicaUrl)")),
    # an application's own `Partitioner`, no Spring Batch import
    ("src/main/java/cob/LoanCOBPartitioner.java",
     PARTITIONER.replace("import org.springframework.batch.core.partition.support.Partitioner;\n", "")
     .replace("import org.springframework.batch.item.ExecutionContext;\n", ""),
     PARTITIONER.replace("import org.springframework.batch.core.partition.support.Partitioner;\n", "")
     .replace("import org.springframework.batch.item.ExecutionContext;\n", "").replace("gridSize, null", "gridSize, 1")),
])
def test_no_spring_batch_part_elsewhere(tmp_path, path, main, head) -> None:
    assert flagged_on_branch(tmp_path, {path: main}, {path: head}) == []


# --- DC518: a job library swapped, added or removed (wildduck, a new user's trial) ------------------

def _package(deps: dict[str, str]) -> str:
    import json

    return json.dumps({"name": "wildduck", "dependencies": {"express": "4.18.2", **deps}}, indent=2) + "\n"


@pytest.mark.parametrize("main, head, side, said", [
    (_package({"bull": "4.10.4"}), _package({"bullmq": "3.10.1"}), "head", "bullmq 3.10.1 added to package.json in place of bull"),
    (_package({}), _package({"agenda": "5.0.0"}), "head", "agenda 5.0.0 added to package.json:"),
    (_package({"agenda": "5.0.0"}), _package({}), "base", "agenda 5.0.0 removed from package.json"),
])
def test_a_job_library_swapped_added_or_removed_is_said(tmp_path, main, head, side, said) -> None:
    found = flagged_on_branch(tmp_path, {"package.json": main}, {"package.json": head}, rule="DC518")
    assert [(f[2], said in f[4]) for f in found] == [(side, True)], found


def test_a_new_manifest_s_job_library_is_not_a_change_of_runner(tmp_path) -> None:
    assert flagged_on_branch(tmp_path, {"README.md": "x\n"}, {"package.json": _package({"bullmq": "5.1.0"})},
                             rule="DC518") == []


def test_a_lambda_that_is_the_receiver_of_a_runner_s_call_is_not_read_by_its_name() -> None:
    # element-android's `suspend { … }.execute { copy(…) }` (Mavericks): the corpus run of session 39
    # read the `suspend` block as an executor's task once a long receiver was told by the call's name.
    from deploycheck.rules.trees.background import regions
    from deploycheck.rules.trees.parse import parse_bytes

    source = """class UserListViewModel {
    private suspend fun executeSearchDirectory(search: String) {
        suspend {
            val user = tryOrNull { session.profileService().getProfileAsUser(search) }
            setState { copy(unknownUserId = search.takeIf { user == null }) }
        }.execute {
            copy(matchingEmail = it)
        }
    }
}
"""
    found = regions(parse_bytes("kotlin", source.encode()))
    assert not any(first <= 4 <= last for first, last, _ in found), found
