"""Readings from session 31's work on apps-x (tests/corpus/*-labelled-apps-x.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import CRON_MODULE, flagged_on_branch

# --- Java: a parameter or local variable named as a static collection -----------------------

# onedev's translation tables (apps-x 458e1020, e5cec972): `init(Map<String, String> m)` fills the
# map it is handed, a parameter named as the class's static `m`. Eight files of added `m.put`
# lines were read as writes of the static HashMap outside `synchronized` (their file watcher's
# reload runs on another thread: here an executor's task).
TRANSLATION = """package app;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

public class Translation_de {
	private static final Map<String, String> m = new HashMap<>();

	static {
		init(m);
		Executors.newSingleThreadScheduledExecutor().submit(() -> note("reloaded"));
	}

	public static void init(Map<String, String> m) {
		m.clear();
		m.put("hello", "hallo");
	}

	public static void note(String key) {
		m.put(key, key);
	}

	public static void each(Map<String, String> other) {
		other.forEach((k, v) -> { Map<String, String> m = new HashMap<>(); m.put(k, v); });
	}
}
"""


@pytest.mark.parametrize("before, after, lines", [
    # A parameter `m`: the method fills what it is handed, not the static.
    ('m.put("hello", "hallo");\n', 'm.put("hello", "hallo");\n\t\tm.put("bye", "tschuss");\n', []),
    # A local `m` declared in a lambda's block: its own map.
    ("m.put(k, v); });", "m.put(k, v); m.put(v, k); });", []),
    # The static itself, written from a method with no parameter of that name: still DC706.
    ("m.put(key, key);", "m.put(key, key.trim());", [21]),
])
def test_java_a_parameter_or_local_named_as_a_static_map_is_not_the_static(tmp_path, before: str, after: str,
                                                                           lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {"src/app/Translation_de.java": TRANSLATION},
                              {"src/app/Translation_de.java": TRANSLATION.replace(before, after)}, rule="DC706")
    assert [line for _, line, *_ in found] == lines


# --- Go, Java, Kotlin: changed code run under a lock the code takes ---------------------------

# jicofo (apps-x e4831f10): the ICE-restart handler, under its session manager's
# `synchronized(syncRoot)`, now returns early for a transport without a generation; mox (apps-x
# f38da6ea): selecting a mailbox now applies the connection's pending changes inside the account's
# `WithRLock`; OpenRefine's workspace save rewritten inside `synchronized (this)` (a new user's
# trial, bbfdd9a25). No lock line changed, so no rule on locks spoke.
KOTLIN = """package app

class SessionManager {
    private val syncRoot = Any()
    private val participants = mutableMapOf<String, Int>()

    fun restarted(id: String, generation: Int) {
        val known = participants[id]
        synchronized(syncRoot) {
            if (known == null) {
                return
            }
            participants[id] = generation
        }
        println("restarted $id")
    }
}
"""
GO = """package imap

type conn struct {
	account *Account
	pending []string
}

func (c *conn) selectMailbox(name string) {
	c.account.WithRLock(func() {
		c.load(name)
	})
	c.account.mu.Lock()
	defer c.account.mu.Unlock()
	c.pending = nil
}
"""
JAVA = """package app;

public class Workspace {
    private int saved;

    public void save() {
        int before = saved;
        synchronized (this) {
            saved = before + 1;
        }
        lock.lock();
        try {
            saved++;
        } finally {
            lock.unlock();
        }
        saved = 0;
    }
}
"""


@pytest.mark.parametrize("path, source, before, after, lines", [
    # Kotlin `synchronized(x) { … }`: a new early return under the lock.
    ("src/main/kotlin/app/SessionManager.kt", KOTLIN, "            if (known == null) {\n",
     "            if (generation < 0) {\n                return\n            }\n            if (known == null) {\n", [10]),
    # Outside the lock, or only its logging: nothing.
    ("src/main/kotlin/app/SessionManager.kt", KOTLIN, "val known = participants[id]", "val known = participants[id.trim()]", []),
    ("src/main/kotlin/app/SessionManager.kt", KOTLIN, 'println("restarted $id")', 'println("restarted: $id")', []),
    # Go: a callback handed to `WithRLock`, and the rest of a function after `Lock()` with a deferred `Unlock()`.
    ("imap/conn.go", GO, "\t\tc.load(name)\n", "\t\tc.flush()\n\t\tc.load(name)\n", [10]),
    # A lock held to the function's end (a deferred unlock): not a scoped section, not read.
    ("imap/conn.go", GO, "\tc.pending = nil\n", "\tc.pending = c.pending[:0]\n", []),
    # Java: a `synchronized` block, and `lock()` to its `unlock()`; after the unlock: nothing.
    ("src/main/java/app/Workspace.java", JAVA, "saved = before + 1;", "saved = before + 2;", [9]),
    ("src/main/java/app/Workspace.java", JAVA, "            saved++;", "            saved += 2;", [13]),
    ("src/main/java/app/Workspace.java", JAVA, "        saved = 0;", "        saved = 1;", []),
    # The lock's own line changed: DC253 speaks, not this reading.
    ("src/main/java/app/Workspace.java", JAVA, "synchronized (this) {\n            saved = before + 1;",
     "synchronized (Workspace.class) {\n            saved = before + 2;", None),
])
def test_changed_code_under_a_lock_the_code_takes(tmp_path, path: str, source: str, before: str, after: str,
                                                  lines: list[int] | None) -> None:
    assert before in source
    found = flagged_on_branch(tmp_path, {path: source}, {path: source.replace(before, after)}, rule=None)
    under = [line for _, line, _, _, message in found if "holds its lock" in message]
    assert under == (lines if lines is not None else [])
    if lines is None:
        assert [line for _, line, _, _, message in found if "concurrency control changed" in message] == [8]


# --- Ruby: a model's own method computes a column from its old value and saves itself ----------

# autolab's `update_version_number` (a new user's trial): with its `with_lock` removed, `self.
# version_number += 1; save!` was no lost update to DC351, which read a receiver's writes only.
DATUM = """class AssessmentUserDatum < ApplicationRecord
  def update_version_number
    with_lock do
      self.version_number += 1
      save!
    end
  end

  def self.bump_all
    self.counter += 1
    save!
  end
end
"""


@pytest.mark.parametrize("before, after, lines", [
    # The lock removed: the increment and the save race.
    ("    with_lock do\n      self.version_number += 1\n      save!\n    end\n",
     "    self.version_number += 1\n    save!\n", [3]),
    # Assigned from the bare reader, or written by a receiverless update.
    ("    with_lock do\n      self.version_number += 1\n      save!\n    end\n",
     "    self.version_number = version_number + 1\n    save!\n", [3]),
    ("    with_lock do\n      self.version_number += 1\n      save!\n    end\n",
     "    update!(version_number: version_number + 1)\n", [3]),
    # Under the model's own lock, or set but never saved here: nothing.
    ("      self.version_number += 1\n", "      self.version_number += 2\n", []),
    ("    with_lock do\n      self.version_number += 1\n      save!\n    end\n",
     "    self.version_number += 1\n", []),
    # A class method's `self` is the class.
    ("    self.counter += 1\n", "    self.counter += 2\n", []),
])
def test_ruby_a_model_computing_its_own_column_and_saving_is_a_lost_update(tmp_path, before: str, after: str,
                                                                          lines: list[int]) -> None:
    assert before in DATUM
    path = "app/models/assessment_user_datum.rb"
    found = flagged_on_branch(tmp_path, {path: DATUM}, {path: DATUM.replace(before, after)}, rule="DC351")
    assert [line for _, line, *_ in found] == lines


# --- JS: a timer whose callback, written in place, sets the timer again ----------------------

# cryptpad (apps-x 069e398d, 91e862c1): `setRtChannelTo` arms a two-minute timer whose callback
# repairs missing channels and then calls `setRtChannelTo()` again: a loop for the life of the
# process. Only a named function handed to `setTimeout` had been read as one.
REPAIR = """const Store = require('./store');

const create = (env) => {
    let timer;
    const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
            if (env.offline) { return; }
            Store.repair(env.channels, () => {
                arm();
            });
        }, 120000);
    };
    arm();
    return { stop: () => clearTimeout(timer) };
};
module.exports = { create };
"""
ONCE = REPAIR.replace("                arm();\n", "                env.done = true;\n")


@pytest.mark.parametrize("source, lines", [
    (REPAIR, [8]),
    # The callback does not arm the timer again: a one-off delay, nothing.
    (ONCE, []),
    # A page's module: its timers run in the browser.
    ("import React from 'react';\n" + REPAIR.replace("const Store = require('./store');\n", ""), []),
])
def test_js_a_timer_callback_that_arms_its_timer_again_is_a_loop(tmp_path, source: str, lines: list[int]) -> None:
    changed = source.replace("if (env.offline) { return; }", "if (env.offline || env.paused) { return; }")
    main = {"package.json": '{"name": "app"}\n', "src/repair.js": source,
            "src/worker.js": "const { Worker } = require('bullmq');\nnew Worker('q', async () => {});\n"}
    found = flagged_on_branch(tmp_path, main, {"src/repair.js": changed}, rule="DC701")
    assert [line for _, line, *_ in found] == lines


# --- SQL: pgmq and pg_cron called through quoted names ----------------------------------------

# capgo (a new user's trial, 239ed139): the trigger function that writes every table event into
# the queue calls `PERFORM "pgmq"."send"(TG_ARGV[0], payload);`, as Supabase's schema dumps quote
# every name. Written `pgmq.send` it was DC716; quoted it was read as no job SQL at all.
ENQUEUE = """CREATE OR REPLACE FUNCTION "public"."trigger_http_queue_post_to_function"() RETURNS "trigger"
    LANGUAGE "plpgsql" AS $$
DECLARE
  payload jsonb;
BEGIN
  payload := jsonb_build_object('table', TG_TABLE_NAME, 'record', to_jsonb(NEW));
  PERFORM "pgmq"."send"(TG_ARGV[0], payload);
  RETURN NEW;
END;
$$;
"""


@pytest.mark.parametrize("quoted", [True, False])
def test_sql_a_quoted_pgmq_call_is_job_sql(tmp_path, quoted: bool) -> None:
    path = "supabase/migrations/20260101000000_queue_trigger.sql"
    source = ENQUEUE if quoted else ENQUEUE.replace('"pgmq"."send"', "pgmq.send")
    changed = source.replace("'record', to_jsonb(NEW)", "'record', to_jsonb(NEW), 'old', to_jsonb(OLD)")
    found = flagged_on_branch(tmp_path, {path: source}, {path: changed}, rule="DC716")
    assert [line for _, line, *_ in found] == [6]
    assert "`pgmq.send`" in found[0][4]


# --- Ruby: a thread or a process the code starts itself -----------------------------------------

# autolab (a new user's trial, 467750d7, 2dc3ce92): its course scheduler runs each course's script
# in a process forked from a controller (`fork do … end`, then `Process.detach`); a `Thread.new`
# block runs beside the request as well. Neither was background code.
SCHEDULER = """class SchedulersController < ApplicationController
  def run
    scheduler = Scheduler.find(params[:id])
    pid = fork do
      scheduler.update!(last_run: Time.now)
      load(scheduler.action)
    end
    Process.detach(pid)
    Thread.new { scheduler.touch }
    render plain: "started"
  end
end
"""


@pytest.mark.parametrize("before, after, lines", [
    ("      load(scheduler.action)\n", "      load(scheduler.action) if scheduler.enabled?\n", [6]),
    ("Thread.new { scheduler.touch }", "Thread.new { scheduler.touch(:ran_at) }", [9]),
    # The request's own code, after the process is started: nothing.
    ('render plain: "started"', 'render plain: "queued"', []),
])
def test_ruby_a_thread_or_fork_the_code_starts_is_background_code(tmp_path, before: str, after: str,
                                                                   lines: list[int]) -> None:
    path = "app/controllers/schedulers_controller.rb"
    found = flagged_on_branch(tmp_path, {path: SCHEDULER}, {path: SCHEDULER.replace(before, after)}, rule="DC701")
    assert [line for _, line, *_ in found] == lines


# --- JS/TS: a module named for a cron job or a queue consumer ---------------------------------

# capgo (a new user's trial, 239ed139, e26063ad, 6fcdfa3d): Supabase functions in `triggers/`, run
# by pg_cron and by the pgmq queue's consumer, name no job API: `cron_reconcile_build_status.ts`
# and `queue_consumer.ts` passed as ordinary code.


@pytest.mark.parametrize("path, lines", [
    ("supabase/functions/_backend/triggers/cron_reconcile_build_status.ts", [9]),
    ("supabase/functions/_backend/triggers/queue_consumer.ts", [9]),
    ("src/mail/mail.consumer.ts", [9]),
    ("src/jobs-lib/cleanupCron.ts", [9]),
    # Named for no job: a route of the API; a page's component and a browser's web worker.
    ("supabase/functions/_backend/public/reconcile.ts", []),
    ("src/components/cron-input.tsx", []),
    ("src/stats.worker.ts", []),
])
def test_js_a_module_named_for_a_cron_job_or_a_queue_consumer_is_background_code(tmp_path, path: str,
                                                                                  lines: list[int]) -> None:
    changed = CRON_MODULE.replace(".eq('id', row.id)", ".eq('id', row.id).eq('status', 'running')")
    found = flagged_on_branch(tmp_path, {"package.json": '{"name": "app"}\n', path: CRON_MODULE}, {path: changed},
                              rule="DC701")
    assert [line for _, line, *_ in found] == lines


# --- Ruby: a model's uniqueness validation removed -------------------------------------------

# autolab (a new user's trial, 467b4edc) dropped `validates :version, uniqueness: {scope: …}`
# beside moving the version number under a lock: nothing was said of it.
SUBMISSION = """class Submission < ApplicationRecord
  validates :version, uniqueness: { scope: %i[course_user_datum_id assessment_id] }
  validates :notes, length: { maximum: 255 }
end
"""


@pytest.mark.parametrize("before, after, lines", [
    ("  validates :version, uniqueness: { scope: %i[course_user_datum_id assessment_id] }\n", "", [2]),
    ("  validates :version, uniqueness: { scope: %i[course_user_datum_id assessment_id] }\n",
     "  validates_uniqueness_of :version, scope: %i[course_user_datum_id assessment_id]\n", []),  # rewritten, kept
    ("  validates :notes, length: { maximum: 255 }\n", "", []),
])
def test_ruby_a_uniqueness_validation_removed_is_a_safeguard_removed(tmp_path, before: str, after: str,
                                                                     lines: list[int]) -> None:
    path = "app/models/submission.rb"
    found = flagged_on_branch(tmp_path, {path: SUBMISSION}, {path: SUBMISSION.replace(before, after)}, rule="DC355")
    assert [line for _, line, *_ in found] == lines


# --- DC704 points at code, not at a blank line ----------------------------------------------

# OpenRefine's job ids (a new user's trial, a0d4eb00): a blank line added among the class's fields
# was the class's first changed line, and DC704 pointed at it.
IMPORTING = """package app;

public class ImportingManager {
    static private long lastId;

    static public long createJob() {
        long id = System.currentTimeMillis();
        return id;
    }
}
"""
IMPORTING_LOCKED = """package app;

public class ImportingManager {
    static private long lastId;

    static private long jobIdCounter = 0;
    final static private Object jobIdLock = new Object();

    static public long createJob() {
        long id;
        synchronized (jobIdLock) {
            id = ++jobIdCounter;
        }
        return id;
    }
}
"""


def test_dc704_never_points_at_a_blank_line(tmp_path) -> None:
    path = "src/main/java/app/ImportingManager.java"
    found = flagged_on_branch(tmp_path, {path: IMPORTING}, {path: IMPORTING_LOCKED}, rule="DC704")
    assert found and all(IMPORTING_LOCKED.splitlines()[line - 1].strip() for _, line, *_ in found)


# --- TypeScript under build/ or dist/ is source --------------------------------------------------

# capgo's Supabase API (a new user's trial, 6fcdfa3d): `_backend/public/build/start.ts` is the
# native builds' endpoint, not a bundler's output. It was reported unread (DC001, high) and the
# compare-and-set guard it gained was never read. Compilers write JavaScript there, not TypeScript.
@pytest.mark.parametrize("path, unread", [
    ("supabase/functions/_backend/public/build/start.ts", False),
    ("supabase/functions/_backend/public/build/start.js", True),
])
def test_typescript_under_a_build_folder_is_read_as_source(tmp_path, path: str, unread: bool) -> None:
    source = "export async function start(id: string) {\n  return id;\n}\n"
    found = flagged_on_branch(tmp_path, {"package.json": '{"name": "app"}\n', path: source},
                              {path: source.replace("return id;", "return id.trim();")}, rule="DC001")
    assert bool(found) == unread
