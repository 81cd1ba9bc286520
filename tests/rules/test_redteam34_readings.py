"""The red team of session 34's readings: twelve failing cases, each fixed; every case here fails
without its fix (seven of them were regressions of the session's own readings, caught before
they landed in a release)."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch


def _rules_at(found: list[tuple]) -> set[tuple[str, int, str]]:
    return {(path, line, side) for path, line, side, *_ in found}


# --- a trailing comment's change: line for line only, lexed whole, brackets closed ---------------

GO_START = """package main

import (
	"context"
	"time"
)

type Worker struct{}

func (w *Worker) Run(ctx context.Context) {
	for {
		time.Sleep(time.Second)
	}
}

func start(ctx context.Context, w *Worker) {
	go w.Run(ctx) // the poller
}
"""


def test_a_goroutine_started_twice_beside_reworded_comments_is_a_change(tmp_path) -> None:
    # Case 1: both added lines paired with the one removed line.
    head = GO_START.replace("\tgo w.Run(ctx) // the poller\n", "\tgo w.Run(ctx) // the first poller\n\tgo w.Run(ctx) // a second poller\n")
    found = flagged_on_branch(tmp_path, {"go.mod": "module example.com/app\n", "main.go": GO_START}, {"main.go": head})
    assert ("main.go", 17, "head") in _rules_at(found)


STATS = """package worker

import (
	"sync"
	"time"
)

type Stats struct {
	mu     sync.Mutex
	counts map[string]int
}

func (s *Stats) Start() {
	go func() {
		for range time.Tick(time.Second) {
			s.record("tick")
		}
	}()
}

func (s *Stats) record(name string) {
	s.mu.Lock() // one writer at a time
	s.counts[name]++ // bump
	s.mu.Unlock()
}
"""


def test_a_write_moved_above_its_lock_with_reworded_comments_is_a_change(tmp_path) -> None:
    # Case 2: a moved line whose comment also changed is no re-commented line.
    head = STATS.replace("\ts.mu.Lock() // one writer at a time\n\ts.counts[name]++ // bump\n",
                         "\ts.counts[name]++ // bump the counter\n\ts.mu.Lock() // one writer at a time (held briefly)\n")
    found = flagged_on_branch(tmp_path, {"go.mod": "module example.com/app\n", "worker/stats.go": STATS},
                              {"worker/stats.go": head}, rule=None)
    assert ("worker/stats.go", 23, "head") in _rules_at(found)


def test_a_regular_expression_read_as_a_comment_hides_no_change(tmp_path) -> None:
    # Case 3: `\\//` in a regular expression literal starts a "comment" for the C lexer.
    worker = ('const { Worker } = require("bullmq");\nconst { crawl } = require("./crawl");\n'
              'const connection = { host: "redis" };\n'
              'const worker = new Worker("crawl", async (job) => crawl(job.data.url.replace(/^https?:\\/\\//, "")), '
              '{ connection, concurrency: 2 });\nmodule.exports = { worker };\n')
    found = flagged_on_branch(tmp_path, {"package.json": '{"name":"crawler","dependencies":{"bullmq":"^5.0.0"}}\n',
                                         "src/worker.js": worker},
                              {"src/worker.js": worker.replace("concurrency: 2", "concurrency: 50")})
    assert ("src/worker.js", 4, "head") in _rules_at(found)


def test_a_heredoc_interpolation_is_no_comment(tmp_path) -> None:
    # Case 4: `#{…}` in a heredoc, lexed line by line, started a Ruby "comment".
    claim = """class JobClaim
  def self.next_batch(worker_id, batch)
    ActiveRecord::Base.connection.select_values(<<~SQL)
      SELECT id FROM queued_jobs
      WHERE run_at <= NOW()
      ORDER BY id LIMIT #{batch.to_i} FOR UPDATE SKIP LOCKED
    SQL
  end
end
"""
    found = flagged_on_branch(tmp_path, {"app/models/job_claim.rb": claim},
                              {"app/models/job_claim.rb": claim.replace(" FOR UPDATE SKIP LOCKED", "")}, rule="DC355")
    assert _rules_at(found) == {("app/models/job_claim.rb", 6, "base")}


# --- Kotlin: what a main-thread coroutine hands elsewhere, and a service's coroutines ----------

NOTES = """package com.example.notes

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

class NotesViewModel(private val db: NotesDatabase, private val api: NotesApi) : ViewModel() {
    fun refresh() {
        viewModelScope.launch {
            withContext(Dispatchers.IO) {
                val notes = api.fetchAll()
                db.withTransaction {
                    db.noteDao().deleteAll()
                    db.noteDao().insertAll(notes)
                }
            }
        }
    }
}
"""


def test_a_block_a_main_thread_coroutine_sends_to_the_io_pool_is_background_code(tmp_path) -> None:
    # Case 5: Google's recommended `viewModelScope.launch { withContext(Dispatchers.IO) { … } }`.
    head = NOTES.replace("""                db.withTransaction {
                    db.noteDao().deleteAll()
                    db.noteDao().insertAll(notes)
                }
""", """                db.noteDao().deleteAll()
                db.noteDao().insertAll(notes)
""")
    path = "app/src/main/java/com/example/notes/NotesViewModel.kt"
    found = flagged_on_branch(tmp_path, {path: NOTES}, {path: head})
    assert found and all(p == path for p, *_ in found)


UPLOADS = """package com.example.tracker

import androidx.lifecycle.LifecycleService
import androidx.lifecycle.lifecycleScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch

class UploadService : LifecycleService() {
    override fun onCreate() {
        super.onCreate()
        lifecycleScope.launch {
            while (isActive) {
                val batch = queue.peek(100)
                api.upload(batch)
                queue.remove(batch)
                delay(60_000)
            }
        }
    }
}
"""


@pytest.mark.parametrize("supertype", ["LifecycleService()", "AppCompatActivity()"])
def test_a_polling_loop_or_a_services_coroutine_is_background_code(tmp_path, supertype: str) -> None:
    # Case 6: a LifecycleService's upload loop on lifecycleScope; a loop that waits between
    # rounds is one in a screen too.
    main = UPLOADS.replace("LifecycleService()", supertype)
    head = main.replace("                api.upload(batch)\n                queue.remove(batch)\n",
                        "                queue.remove(batch)\n                api.upload(batch)\n")
    path = "app/src/main/java/com/example/tracker/UploadService.kt"
    assert flagged_on_branch(tmp_path, {path: main}, {path: head})


def test_kotlin_an_override_takes_the_defaults_of_its_interface(tmp_path) -> None:
    # Case 7: `override fun refresh(force: Boolean)` of `fun refresh(force: Boolean = false)`, called
    # `repo.refresh()` by a worker.
    folder = "app/src/main/java/com/example/feed"
    repository = """package com.example.feed

class DefaultFeedRepository(private val dao: FeedDao, private val api: FeedApi) : FeedRepository {
    override fun refresh(force: Boolean) {
        val items = api.fetch(force)
        dao.replaceAll(items)
    }
}
"""
    main = {f"{folder}/FeedRepository.kt": "package com.example.feed\n\ninterface FeedRepository {\n    fun refresh(force: Boolean = false)\n}\n",
            f"{folder}/DefaultFeedRepository.kt": repository,
            f"{folder}/RefreshWorker.kt": """package com.example.feed

import androidx.work.CoroutineWorker

class RefreshWorker(ctx: Context, params: WorkerParameters, private val repo: FeedRepository) : CoroutineWorker(ctx, params) {
    override suspend fun doWork(): Result {
        repo.refresh()
        return Result.success()
    }
}
"""}
    head = repository.replace("dao.replaceAll(items)", "dao.deleteAll()\n        dao.insertAll(items)")
    found = flagged_on_branch(tmp_path, main, {f"{folder}/DefaultFeedRepository.kt": head})
    assert (f"{folder}/DefaultFeedRepository.kt", 6, "head") in _rules_at(found)


# --- Capistrano: the forms its generated files and older ones write ------------------------------

SCHEDULE = """every 1.day, at: "2:00 am", roles: [:harvester] do
  runner "Harvester.harvest_all"
end
every 1.hour do
  rake "publications:reindex"
end
"""


def _cap(tmp_path, schedule: str, stage: str, changed: str) -> list[tuple]:
    return flagged_on_branch(tmp_path, {"config/deploy.rb": 'lock "~> 3.17"\n', "config/schedule.rb": schedule,
                                        "config/deploy/production.rb": stage},
                             {"config/deploy/production.rb": changed}, rule="DC509")


def test_capistrano_role_lines_with_a_word_list_of_hosts(tmp_path) -> None:
    # Case 8: `role :db, %w{deploy@app1.example.com}`, as Capistrano's generated stage file writes it.
    stage = ("role :app, %w{deploy@app1.example.com deploy@app2.example.com}\n"
             "role :db, %w{deploy@app1.example.com}\nrole :harvester, %w{deploy@app1.example.com}\n")
    changed = stage.replace("role :db, %w{deploy@app1.example.com}", "role :db, %w{deploy@app1.example.com deploy@app2.example.com}") \
        .replace("role :harvester, %w{deploy@app1.example.com}", "role :harvester, %w{deploy@app1.example.com deploy@app2.example.com}")
    assert _rules_at(_cap(tmp_path, SCHEDULE, stage, changed)) == {("config/deploy/production.rb", 2, "head"),
                                                                    ("config/deploy/production.rb", 3, "head")}


def test_capistrano_hash_rocket_roles_on_a_server_line(tmp_path) -> None:
    # Case 9: `server "h", :user => "deploy", :roles => %w{web app}`.
    stage = ('server "app1.example.com", :user => "deploy", :roles => %w{web app harvester}\n'
             'server "app2.example.com", :user => "deploy", :roles => %w{web app}\n')
    found = _cap(tmp_path, SCHEDULE, stage, stage.replace("%w{web app}\n", "%w{web app harvester}\n"))
    assert _rules_at(found) == {("config/deploy/production.rb", 2, "head")} and "harvest_all" in found[0][4]


@pytest.mark.parametrize("role, flagged", [("db", False), ("harvester", True)])
def test_hash_rocket_roles_of_a_schedule(tmp_path, role: str, flagged: bool) -> None:
    # Case 10: `every 1.day, :at => "2:00 am", :roles => [:harvester] do`: the harvest runs on
    # harvester hosts only, not on `db` hosts (whenever's default for a task naming none).
    schedule = 'every 1.day, :at => "2:00 am", :roles => [:harvester] do\n  runner "Harvester.harvest_all"\nend\n'
    stage = ('server "app1.example.com", user: "deploy", roles: %w{web app db harvester}\n'
             'server "app2.example.com", user: "deploy", roles: %w{web app}\n')
    found = _cap(tmp_path, schedule, stage, stage.replace("%w{web app}\n", f"%w{{web app {role}}}\n"))
    assert _rules_at(found) == ({("config/deploy/production.rb", 2, "head")} if flagged else set())


# --- what is said of removed in-process work, and of a Java main ---------------------------------

MAINTENANCE = """package com.example.maint;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

@Component
public class Maintenance {
    private final SessionRepository sessions;

    public Maintenance(SessionRepository sessions) {
        this.sessions = sessions;
    }

    @Scheduled(fixedDelay = 600000)
    public void purgeExpiredSessions() {
        sessions.deleteExpired();
    }

    @Scheduled(cron = "0 0 * * * *")
    public void refreshStats() {
        sessions.refreshStats();
    }
}
"""


def test_a_removed_scheduled_method_is_told_its_work_stops(tmp_path) -> None:
    # Case 11: "a job already queued for it fails … keep a stub" of an in-process @Scheduled method.
    path = "src/main/java/com/example/maint/Maintenance.java"
    head = MAINTENANCE.replace("""    @Scheduled(fixedDelay = 600000)
    public void purgeExpiredSessions() {
        sessions.deleteExpired();
    }

""", "")
    found = [f for f in flagged_on_branch(tmp_path, {path: MAINTENANCE}, {path: head}) if "removed" in f[4]]
    assert found and all("stops with this deploy" in f[4] and "queued" not in f[4] for f in found)


def test_a_java_main_that_a_job_calls_keeps_its_note(tmp_path) -> None:
    # Case 12: a Quartz job calls a tool's `main`: Java's `main` is no entry point nothing calls.
    from deploycheck.analysis.pipeline import analyse
    from support.gitrepo import make_branch, make_repo

    folder = "src/main/java/com/example/tools"
    tool = """package com.example.tools;

public class ReindexTool {
    public static void main(String[] args) {
        SearchIndex index = SearchIndex.open(args.length > 0 ? args[0] : "default");
        index.rebuild();
    }
}
"""
    job = """package com.example.tools;

import org.quartz.Job;
import org.quartz.JobExecutionContext;

public class NightlyReindexJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
        ReindexTool.main(new String[] {"products"});
    }
}
"""
    repo = make_repo(tmp_path / "repo", {f"{folder}/ReindexTool.java": tool, f"{folder}/NightlyReindexJob.java": job})
    make_branch(repo, "work", {f"{folder}/ReindexTool.java": tool.replace("index.rebuild();", "index.clear();\n        index.rebuild();")})
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.findings if f.rule == "DC701" and f.path.endswith("ReindexTool.java")]
    assert found and "main" in found[0].message
