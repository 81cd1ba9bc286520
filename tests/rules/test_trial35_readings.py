"""Readings from session 35's new users' trials (tuskyapp/Tusky, errbit/errbit, netbirdio/netbird),
on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- Kotlin: a transaction handed its work as a trailing lambda (DC253) -------------------------------

# Tusky: a network call moved into (and later out of) Room's `db.withTransaction { … }` was no
# DC253; only `runInTransaction({ … })` with parentheses was read.
REPO = """package app.components

class StatusRepository(private val db: AppDatabase, private val api: Api) {
    suspend fun save(status: Status) {
        api.post(status)
        db.statusDao().insert(status)
    }
}
"""
PATH = "app/src/main/java/app/components/StatusRepository.kt"


@pytest.mark.parametrize("opened, flagged", [
    ("db.withTransaction {", True),
    ("db.runInTransaction {", True),
    ("transaction {", True),  # Exposed
    ("newSuspendedTransaction(Dispatchers.IO) {", True),
    ("val saved = db.withTransaction {", True),
    # not a transaction opened: a lambda handed to a list, a payment's transaction object
    ("listOf(status).forEach {", False),
    ("payments.recordTransaction(status).also {", False),
])
def test_kotlin_a_transaction_with_a_trailing_lambda_is_concurrency_control(tmp_path, opened: str, flagged: bool) -> None:
    head = REPO.replace("        api.post(status)\n        db.statusDao().insert(status)\n",
                        f"        {opened}\n            api.post(status)\n            db.statusDao().insert(status)\n        }}\n")
    found = flagged_on_branch(tmp_path, {PATH: REPO}, {PATH: head}, rule="DC253")
    assert [(path, line) for path, line, *_ in found] == ([(PATH, 5)] if flagged else [])


def test_kotlin_a_transaction_helpers_own_declaration_is_not_a_transaction(tmp_path) -> None:
    helper = "package app.db\n\nobject Db {\n    fun ping() = 1\n}\n"
    # (a declaration whose parameter types hold `->` is still read by the older call pattern)
    head = helper.replace("    fun ping() = 1\n", "    fun ping() = 1\n\n    fun withTransaction(block: Runnable) {\n        block.run()\n    }\n")
    assert flagged_on_branch(tmp_path, {"app/src/main/java/app/db/Db.kt": helper},
                             {"app/src/main/java/app/db/Db.kt": head}, rule="DC253") == []


def test_a_match_ending_inside_a_string_is_shown_with_it_closed(tmp_path) -> None:
    # Tusky: DC253's message quoted `(@Query("UPDATE)`, its quote left open.
    dao = "package app.db\n\n@Dao\ninterface StatusDao {\n    fun count(): Int\n}\n"
    head = dao.replace("    fun count(): Int\n", '    fun count(): Int\n\n    @Query("UPDATE status SET seen = 1")\n    fun markSeen()\n')
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/db/StatusDao.kt": dao},
                              {"app/src/main/java/app/db/StatusDao.kt": head}, rule="DC253")
    assert found and '(@Query("UPDATE…"))' in found[0][4]


# --- Kotlin: `lifecycle.coroutineScope` is the main thread's, as `lifecycleScope` is -----------------

# Tusky (d200d1e1): a filters screen's `lifecycle.coroutineScope.launch { … }` was "task run by an
# executor or thread", and every helper it called was background code.
ALERT = """package app.components

import androidx.lifecycle.coroutineScope
import kotlinx.coroutines.launch

class DraftsAlert(private val lifecycle: Lifecycle) {
    fun observe() {
        SCOPE {
            showAlert("drafts")
        }
    }
}
"""
SHOW = "package app.components\n\nfun showAlert(text: String) {\n    Toast.makeText(context, text, Toast.LENGTH_LONG).show()\n}\n"


@pytest.mark.parametrize("scope, background", [
    ("lifecycle.coroutineScope.launch", False),
    ("owner.lifecycle.coroutineScope.launch", False),
    ("Lifecycle.coroutineScope.launch", False),
    ("lifecycle.coroutineScope.launch(Dispatchers.IO)", True),
])
def test_kotlin_a_lifecycles_coroutine_scope_is_the_main_threads(tmp_path, scope: str, background: bool) -> None:
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/components/DraftsAlert.kt": ALERT.replace("SCOPE", scope),
                                         "app/src/main/java/app/components/Show.kt": SHOW},
                              {"app/src/main/java/app/components/Show.kt": SHOW.replace("LENGTH_LONG", "LENGTH_SHORT")})
    assert [(path, line) for path, line, *_ in found] == ([("app/src/main/java/app/components/Show.kt", 4)] if background else [])


# --- DC527: an in-process adapter, or one set for the first time ------------------------------------

# errbit: sucker_punch made `:async` was told "the new one needs its own workers", and an adapter
# set where none was "jobs are handed to another queue backend".
APPLICATION = "module Errbit\n  class Application < Rails::Application\n    config.load_defaults 7.1\nSETTING  end\nend\n"


@pytest.mark.parametrize("before, after, says, never", [
    ("    config.active_job.queue_adapter = :sucker_punch\n", "    config.active_job.queue_adapter = :async\n",
     "jobs now run in the process's own thread pool", "needs its own workers"),
    ("", "    config.active_job.queue_adapter = :sidekiq\n",
     "set for the first time (Rails' default is `:async`): jobs are handed to another queue backend, which needs its own "
     "workers. Jobs the old one held in memory are lost when the process restarts.", "no longer run by it"),
    ("    config.active_job.queue_adapter = :resque\n", "    config.active_job.queue_adapter = :sidekiq\n",
     "Jobs already queued in the old one are no longer run by it once its workers stop.", "first time"),
])
def test_dc527_says_where_an_adapter_runs_jobs(tmp_path, before: str, after: str, says: str, never: str) -> None:
    found = flagged_on_branch(tmp_path, {"config/application.rb": APPLICATION.replace("SETTING", before)},
                              {"config/application.rb": APPLICATION.replace("SETTING", after)}, rule="DC527")
    assert len(found) == 1 and says in found[0][4] and never not in found[0][4]


# --- Go: a method called on a pointer field of another type is that type's --------------------------

# netbird (939b686d): `c.stateSubscription.Cleanup()`, on a field declared `*PeersStateSubscription`,
# in a goroutine of another package, was the trail to a changed `ShutdownState.Cleanup`.
CLIENT_GO = """package client

type Client struct {
	stateSubscription FIELD
}

func (c *Client) Start() {
	go c.run()
}

func (c *Client) run() {
	c.stateSubscription.Cleanup()
}
"""
STATE_GO = """package statemanager

type ShutdownState struct {
	path string
}

func (s *ShutdownState) Cleanup() error {
	return removeFile(s.path)
}
"""


SUBSCRIPTION_GO = "package client\n\ntype PeersStateSubscription struct {\n\tEMBEDpeers []string\n}\n"


@pytest.mark.parametrize("field, embed, trail", [
    ("*PeersStateSubscription", "", False),  # a struct of its package (another file)
    # one that embeds the owner promotes its method (the red team of session 35)
    ("*PeersStateSubscription", "*statemanager.ShutdownState\n\t", True),
    ("*store.Store", "", True),  # another package's type may embed it: not known here
    ("*statemanager.ShutdownState", "", True),
    ("Cleaner", "", True),  # an interface (declared elsewhere) may hold a ShutdownState
])
def test_go_a_method_called_on_a_pointer_field_of_another_type_is_not_followed(tmp_path, field: str, embed: str,
                                                                                trail: bool) -> None:
    found = flagged_on_branch(tmp_path, {"shared/relay/client/client.go": CLIENT_GO.replace("FIELD", field),
                                         "shared/relay/client/subscription.go": SUBSCRIPTION_GO.replace("EMBED", embed),
                                         "client/internal/statemanager/state.go": STATE_GO},
                              {"client/internal/statemanager/state.go": STATE_GO.replace("removeFile(s.path)", "removeAll(s.path)")})
    assert [(path, line) for path, line, *_ in found] == ([("client/internal/statemanager/state.go", 8)] if trail else [])


# --- Ruby: Mongoid's counters -------------------------------------------------------------------------

# errbit (8ef1dc2b, a new user's trial): `problem.set(notices_count: problem.notices_count - 1)`, a
# Mongoid document's `self.notices_count += 1` saved, and a removed `$inc` all passed unflagged.
PROBLEM = """class Problem
  include Mongoid::Document
  field :notices_count, type: Integer

  def cache_notice(notice)
    inc(notices_count: 1)
  end

  def uncache_notice(problem)
    problem.touch
  end
end
"""


@pytest.mark.parametrize("old, new, rule, line", [
    ("    problem.touch\n", "    problem.set(notices_count: problem.notices_count - 1)\n", "DC351", 10),
    ("    inc(notices_count: 1)\n", "    self.notices_count += 1\n    save!\n", "DC351", 6),
    ("    inc(notices_count: 1)\n", "    touch\n", "DC355", 6),
])
def test_ruby_mongoid_counters_written_from_old_values_or_atomic_ones_removed(tmp_path, old: str, new: str, rule: str,
                                                                               line: int) -> None:
    found = flagged_on_branch(tmp_path, {"app/models/problem.rb": PROBLEM},
                              {"app/models/problem.rb": PROBLEM.replace(old, new)}, rule=rule)
    assert [(path, at) for path, at, *_ in found] == [("app/models/problem.rb", line)]


def test_ruby_a_redis_set_of_a_computed_value_is_no_mongoid_write(tmp_path) -> None:
    cache = "class Counter\n  def bump(redis, count)\n    redis.get(\"hits\")\n  end\nend\n"
    head = cache.replace('    redis.get("hits")\n', '    redis.set("hits", count + 1)\n')
    assert flagged_on_branch(tmp_path, {"app/models/counter.rb": cache}, {"app/models/counter.rb": head}, rule="DC351") == []


# --- A WorkManager worker moved to another package ------------------------------------------------------

# Tusky (4025ab35): `NotificationWorker` moved to a `worker` package; WorkManager keeps queued work's
# worker class by its full name, and the periodic work queued under the old name failed to start.
WORKER_KT = """package PACKAGE

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters

class NotificationWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        fetcher.fetchAndShow()
        return Result.success()
    }
}
"""


@pytest.mark.parametrize("package, says", [("app.worker", True), ("app.components.notifications", False)])
def test_a_workmanager_worker_moved_to_another_package_names_its_old_full_name(tmp_path, package: str, says: bool) -> None:
    old = "app/src/main/java/app/components/notifications/NotificationWorker.kt"
    new = f"app/src/main/java/{package.replace('.', '/')}/NotificationWorker.kt" if says else \
        "app/src/main/java/app/components/notifications/work/NotificationWorker.kt"
    found = flagged_on_branch(tmp_path, {old: WORKER_KT.replace("PACKAGE", "app.components.notifications")},
                              {old: None, new: WORKER_KT.replace("PACKAGE", package)})
    moved = [message for path, _line, side, _sev, message in found if path == new and side == "head"]
    assert bool(moved) == says
    if says:
        assert "from `app.components.notifications.NotificationWorker` to `app.worker.NotificationWorker`" in moved[0]


# --- The red team of session 35 -----------------------------------------------------------------------


@pytest.mark.parametrize("helper", ["viewModelScope + ioDispatcher", "viewModelScope.plus(Dispatchers.IO)",
                                    "CoroutineScope(viewModelScope.coroutineContext + executor.asCoroutineDispatcher())"])
def test_kotlin_a_scope_helper_that_adds_a_dispatcher_is_another_threads(tmp_path, helper: str) -> None:
    screen = ("package app.ui\n\nclass FeedViewModel : ViewModel() {\n    fun refresh() {\n        io().launch {\n"
              "            cache.pruneAndStore(items)\n        }\n    }\n\n    private fun io(): CoroutineScope = HELPER\n}\n")
    store = "package app.ui\n\nfun Cache.pruneAndStore(items: List<Item>) {\n    items.forEach { put(it.id, it) }\n}\n"
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/ui/FeedViewModel.kt": screen.replace("HELPER", helper),
                                         "app/src/main/java/app/ui/Store.kt": store},
                              {"app/src/main/java/app/ui/Store.kt": store.replace("put(it.id, it)", "seen[it.id] = it")})
    assert [(path, line) for path, line, *_ in found] == [("app/src/main/java/app/ui/Store.kt", 4)]


def test_java_new_handler_in_a_handler_thread_posts_to_that_thread(tmp_path) -> None:
    upload = """package app.upload;

import android.os.Handler;
import android.os.HandlerThread;

public class UploadThread extends HandlerThread {
    @Override
    protected void onLooperPrepared() {
        new Handler().post(new Runnable() {
            @Override
            public void run() {
                queue.drainPending();
            }
        });
    }
}
"""
    queue = "package app.upload;\n\npublic class Queue {\n    void drainPending() {\n        pending.clear();\n    }\n}\n"
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/upload/UploadThread.java": upload,
                                         "app/src/main/java/app/upload/Queue.java": queue},
                              {"app/src/main/java/app/upload/Queue.java": queue.replace("pending.clear();", "sent.putAll(pending);")})
    assert [(path, line) for path, line, *_ in found] == [("app/src/main/java/app/upload/Queue.java", 5)]


@pytest.mark.parametrize("line", ['log.Fatal().Err(err).Msg("job failed")', 'log.Fatalf("job failed: %v", err)',
                                  'log.Panic().Msg("job failed")'])
def test_go_a_log_line_that_exits_or_panics_is_no_logging(tmp_path, line: str) -> None:
    worker = ('package worker\n\nimport "github.com/rs/zerolog/log"\n\nfunc Start(jobs chan Job) {\n\tgo func() {\n'
              '\t\tfor job := range jobs {\n\t\t\tif err := job.Run(); err != nil {\n\t\t\t\tLINE\n\t\t\t}\n\t\t}\n\t}()\n}\n')
    found = flagged_on_branch(tmp_path, {"worker/worker.go": worker.replace("LINE", 'log.Error().Err(err).Msg("job failed")')},
                              {"worker/worker.go": worker.replace("LINE", line)})
    assert [(path, at) for path, at, *_ in found] == [("worker/worker.go", 9)]


@pytest.mark.parametrize("opened", ["supportFragmentManager.inTransaction {", "childFragmentManager.beginTransaction().apply {",
                                    "parentFragmentManager.commitNow {"])
def test_kotlin_a_fragment_managers_transaction_is_no_database_one(tmp_path, opened: str) -> None:
    screen = ("package app.ui\n\nclass MainActivity : AppCompatActivity() {\n    fun show(fragment: Fragment) {\n"
              "        title = \"x\"\n    }\n}\n")
    head = screen.replace('        title = "x"\n', f'        {opened}\n            replace(R.id.content, fragment)\n        }}\n')
    assert flagged_on_branch(tmp_path, {"app/src/main/java/app/ui/MainActivity.kt": screen},
                             {"app/src/main/java/app/ui/MainActivity.kt": head}, rule="DC253") == []


@pytest.mark.parametrize("kept", ["    Delayed::Job.enqueue(ReportJob.new(id))\n", "    ReportJob.perform_async(id)\n"])
def test_ruby_a_new_enqueue_beside_the_old_one_is_one_more_place(tmp_path, kept: str) -> None:
    caller = f"class Reports\n  def deliver(id)\n{kept}  end\nend\n"
    job = "class ReportJob < ApplicationJob\n  def perform(id)\n  end\nend\n"
    head = caller.replace(kept, kept + "    ReportJob.perform_later(id)\n")
    found = flagged_on_branch(tmp_path, {"app/models/reports.rb": caller, "app/jobs/report_job.rb": job},
                              {"app/models/reports.rb": head}, rule="DC715")
    assert [(path, line) for path, line, *_ in found] == [("app/models/reports.rb", 4)]
    assert "one more place" in found[0][4]


def test_ruby_a_job_renamed_with_its_file_is_no_move_of_the_same_code(tmp_path) -> None:
    # Zeitwerk asks a moved file's namespace to follow its folder: `Payments::InvoiceSyncWorker`
    # became `Invoicing::InvoiceSyncWorker`; the jobs queued under the old name die.
    worker = ("module NS\n  class InvoiceSyncWorker\n    include Sidekiq::Worker\n\n    def perform(id)\n"
              "      Invoice.find(id).sync!\n    end\n  end\nend\n")
    found = flagged_on_branch(tmp_path, {"app/workers/payments/invoice_sync_worker.rb": worker.replace("NS", "Payments")},
                              {"app/workers/payments/invoice_sync_worker.rb": None,
                               "app/workers/invoicing/invoice_sync_worker.rb": worker.replace("NS", "Invoicing")})
    assert any("NameError" in message for *_, message in found)


@pytest.mark.parametrize("call, trail", [("super @refund.amount, key", True), ("super(@refund.amount, key)", True),
                                         ("super", False)])
def test_ruby_a_super_without_parentheses_passes_its_arguments(tmp_path, call: str, trail: bool) -> None:
    payout = "class PayoutTransfer\n  def transfer(amount, key)\n    Stripe::Transfer.create(amount, idempotency_key: key)\n  end\nend\n"
    refund = f"class RefundTransfer < PayoutTransfer\n  def transfer\n    key = \"refund\"\n    {call}\n  end\nend\n"
    job = "class RefundJob < ApplicationJob\n  def perform(refund)\n    RefundTransfer.new(refund).transfer\n  end\nend\n"
    found = flagged_on_branch(tmp_path, {"app/services/payout_transfer.rb": payout, "app/services/refund_transfer.rb": refund,
                                         "app/jobs/refund_job.rb": job},
                              {"app/services/payout_transfer.rb": payout.replace(", idempotency_key: key", "")})
    assert [(path, line) for path, line, *_ in found] == ([("app/services/payout_transfer.rb", 3)] if trail else [])


# blocky (apps-k 0a206718): the cache's prefetch reload, handed over as `ReloadFn: c.reloadCacheEntry`,
# runs on the cache's own goroutine; go-cache's `c.OnEvicted(func…)` runs on its janitor's (the red
# team of session 35). Neither is started by a `go` statement of the code.
RESOLVER_GO = """package resolver

import expirationcache "github.com/0xERR0R/expiration-cache"

type CachingResolver struct {
	cache *expirationcache.Cache
	do    bool
}

func New(ctx context.Context) *CachingResolver {
	c := &CachingResolver{}
	c.cache = expirationcache.NewCache(ctx, expirationcache.Options{FIELD: c.reload})
	return c
}

func (r *CachingResolver) reload(ctx context.Context, key string) []byte {
	return r.upstream.Resolve(ctx, key, false)
}
"""


@pytest.mark.parametrize("field, background", [("ReloadFn", True), ("OnExpiredFn", True), ("Handler", False),
                                               ("Logger", False),
                                               ("RefreshToken", False)])  # casdoor's token field, not a callback
def test_go_a_cache_callback_handed_in_its_options_is_background_code(tmp_path, field: str, background: bool) -> None:
    base = RESOLVER_GO.replace("FIELD", field)
    found = flagged_on_branch(tmp_path, {"resolver/caching.go": base},
                              {"resolver/caching.go": base.replace("key, false)", "key, r.do)")})
    assert [(path, line) for path, line, *_ in found] == ([("resolver/caching.go", 17)] if background else [])


def test_go_a_caches_on_evicted_callback_is_background_code(tmp_path) -> None:
    store = ('package store\n\nimport gocache "github.com/patrickmn/go-cache"\n\nfunc New() *gocache.Cache {\n'
             '\tc := gocache.New(time.Minute, time.Minute)\n\tc.OnEvicted(func(key string, v interface{}) {\n'
             '\t\tos.Remove(key)\n\t})\n\treturn c\n}\n')
    found = flagged_on_branch(tmp_path, {"store/store.go": store}, {"store/store.go": store.replace("os.Remove(key)", "os.RemoveAll(key)")})
    assert [(path, line) for path, line, *_ in found] == [("store/store.go", 8)]
