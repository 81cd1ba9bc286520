"""Readings from session 35's work on apps-ab (tests/corpus/*-labelled-apps-ab.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- Go: a fluent log line (zerolog) only logs -----------------------------------------------------

# screego (apps-ab 4df47377): the websocket loops' debug lines gained the payload, and both loops
# were "changed lines in background code".
CLIENT = """package ws

import (
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/rs/zerolog/log"
)

type Client struct {
	read chan string
	conn *Conn
}

func (c *Client) debug() *zerolog.Event {
	return log.Debug().Str("client", c.conn.id)
}

func (c *Client) startReading(wait time.Duration) {
	for {
		incoming, err := c.conn.Next()
		if err != nil {
			return
		}
		LINE
		c.read <- incoming
	}
}

func (c *Client) Start() {
	go c.startReading(time.Second * 20)
}
"""
BEFORE = 'c.debug().Interface("event", fmt.Sprintf("%T", incoming)).Msg("WebSocket Receive")'


@pytest.mark.parametrize("line, flagged", [
    ('c.debug().Interface("event", fmt.Sprintf("%T", incoming)).Interface("payload", incoming).Msg("WebSocket Receive")', False),
    ('log.Info().Str("event", "x").Int("n", 3).Msgf("got %v", incoming)', False),
    ('log.Err(err).Interface("event", incoming).Send()', False),
    # written over several lines, as zerolog's lines often are
    ('c.debug().\n\t\t\tInterface("event", incoming).\n\t\t\tMsg("WebSocket Receive")', False),
    # a builder's argument that acts is no logging
    ('c.debug().Interface("event", c.conn.Take(1)).Msg("WebSocket Receive")', True),
    # no level call opens the chain: not a log line
    ('c.conn.Writer().Interface("event", incoming).Msg("WebSocket Receive")', True),
    # a level call, but the line is never written
    ('c.debug().Interface("event", incoming).Reset()', True),
])
def test_go_a_fluent_log_line_only_logs(tmp_path, line: str, flagged: bool) -> None:
    found = flagged_on_branch(tmp_path, {"ws/client.go": CLIENT.replace("LINE", BEFORE)},
                              {"ws/client.go": CLIENT.replace("LINE", line)})
    assert [(path, line) for path, line, *_ in found] == ([("ws/client.go", 26)] if flagged else [])


def test_java_slf4j_fluent_line_only_logs(tmp_path) -> None:
    job = """package app;

import org.springframework.scheduling.annotation.Scheduled;

public class Sweeper {
    @Scheduled(fixedDelay = 1000)
    public void sweep() {
        int n = store.sweep();
        LINE
    }
}
"""
    found = flagged_on_branch(tmp_path, {"src/main/java/app/Sweeper.java": job.replace("LINE", 'log.atInfo().log("swept");')},
                              {"src/main/java/app/Sweeper.java": job.replace(
                                  "LINE", 'log.atInfo().addKeyValue("count", n).setMessage("swept").log();')})
    assert found == []


# --- Java: a Runnable posted to Android's main thread is no background task ------------------------

# jellyfin (apps-ab b110c611): `new Handler().postDelayed(new Runnable() { … }, 1500)` re-read a
# screen's rows, and every query helper it called was background code.
SCREEN = """package app.ui;

import android.os.Handler;
import android.os.Looper;

public class DetailsFragment extends Fragment {
    void refresh() {
        POST(new Runnable() {
            @Override
            public void run() {
                addRows(adapter);
            }
        }TAIL);
    }

    void addRows(Adapter adapter) {
        adapter.add(Queries.artists(item));
    }
}
"""
QUERIES = """package app.ui;

public class Queries {
    static Request artists(Item item) {
        return new Request(item.id, "PremiereDate");
    }
}
"""


@pytest.mark.parametrize("post, background", [
    ("new Handler().postDelayed", False),
    ("new Handler(Looper.getMainLooper()).post", False),
    ("mainHandler.post", False),
    ("mUiHandler.postAtTime", False),
    ("getActivity().runOnUiThread", False),
    ("runOnUiThread", False),
    # a Handler of some other looper (a HandlerThread's) runs it in the background
    ("workerHandler.post", True),
    ("new Handler(thread.getLooper()).post", True),
    ("executor.execute", True),
])
def test_java_a_runnable_posted_to_the_main_thread_is_not_background_code(tmp_path, post: str, background: bool) -> None:
    tail = ", 1500" if post.endswith("Delayed") or post.endswith("AtTime") else ""
    screen = SCREEN.replace("POST", post).replace("TAIL", tail)
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/ui/DetailsFragment.java": screen,
                                         "app/src/main/java/app/ui/Queries.java": QUERIES},
                              {"app/src/main/java/app/ui/Queries.java": QUERIES.replace('"PremiereDate"', '"PremiereDate,SortName"')})
    assert [(path, line) for path, line, *_ in found] == ([("app/src/main/java/app/ui/Queries.java", 5)] if background else [])


# --- Kotlin: a scope picked by a helper of the file ------------------------------------------------

# jellyfin (apps-ab bcfed9ff): `getScope(context).launch { … }`, where `getScope` returns a
# lifecycle's scope either way, is a screen's coroutine on the main thread.
HELPER = """package app.sdk

import androidx.lifecycle.lifecycleScope
import kotlinx.coroutines.launch

class PlaybackHelper {
    fun play(context: Context, item: Item) {
        getScope(context).launch {
            start(profile(item))
        }
    }

    private fun getScope(context: Context? = null) = SCOPE
}
"""
PROFILE = """package app.sdk

fun profile(item: Item) = Profile(item.codec, maxBitrate = 8)
"""


@pytest.mark.parametrize("scope, background", [
    ("when (context) {\n        is LifecycleOwner -> context.lifecycleScope\n        else -> ProcessLifecycleOwner.get().lifecycleScope\n    }", False),
    ("(context as LifecycleOwner).lifecycleScope", False),
    ("CoroutineScope(Dispatchers.IO)", True),
    ("when (context) {\n        is LifecycleOwner -> context.lifecycleScope\n        else -> GlobalScope\n    }", True),
    ("appScope", True),
])
def test_kotlin_a_scope_helper_of_main_scopes_runs_on_the_main_thread(tmp_path, scope: str, background: bool) -> None:
    found = flagged_on_branch(tmp_path, {"app/src/main/java/app/sdk/PlaybackHelper.kt": HELPER.replace("SCOPE", scope),
                                         "app/src/main/java/app/sdk/Profile.kt": PROFILE},
                              {"app/src/main/java/app/sdk/Profile.kt": PROFILE.replace("maxBitrate = 8", "maxBitrate = 16")})
    assert [(path, line) for path, line, *_ in found] == ([("app/src/main/java/app/sdk/Profile.kt", 3)] if background else [])


# --- Go: a callback registered on a value whose loop a goroutine runs ------------------------------

# filebrowser (apps-ab 9bd79c3a): the upload cache's eviction callback, run by the cache's own
# goroutine (`go cache.Start()`), deleted abandoned uploads; its change was "Nothing flagged".
CACHE = """package fbhttp

import (
	"os"

	"github.com/jellydator/ttlcache/v3"
)

func newUploadCache() *ttlcache.Cache[string, int64] {
	cache := ttlcache.New[string, int64]()
	cache.HOOK(func(ctx context.Context, reason ttlcache.EvictionReason, item *ttlcache.Item[string, int64]) {
		if reason == ttlcache.EvictionReasonExpired {
			os.Remove(item.Key())
		}
	})
	go STARTED.Start()
	return cache
}
"""


@pytest.mark.parametrize("hook, started, flagged", [
    ("OnEviction", "cache", True),
    ("OnExpire", "cache", True),
    ("SetEvictHandler", "cache", True),
    # an eviction callback is the cache's whoever starts it (`_go_cache_callback`, session 35's red team)
    ("OnEviction", "other", True),
    # a callback of a value started nowhere here, or a call that is no hook, runs where it is called
    ("SetEvictHandler", "other", False),
    ("Range", "cache", False),
])
def test_go_a_callback_of_a_value_a_goroutine_runs_is_background_code(tmp_path, hook: str, started: str, flagged: bool) -> None:
    base = CACHE.replace("HOOK", hook).replace("STARTED", started)
    found = flagged_on_branch(tmp_path, {"http/cache.go": base},
                              {"http/cache.go": base.replace("os.Remove(item.Key())", "os.RemoveAll(item.Key())")})
    assert [(path, line) for path, line, *_ in found] == ([("http/cache.go", 13)] if flagged else [])


# --- Go: a *rand.Rand field drawn from with no lock ----------------------------------------------

# screego (apps-ab 6bc29f93): the rooms' random generator, until then drawn from by the event loop
# only, began to name rooms for a request handler too.
ROOMS = """package ws

import "math/rand"

type Rooms struct {
	Incoming chan Message
	r        *rand.Rand
	GUARD
}

func (r *Rooms) RandUserName() string {
	return newName(r.r)
}

func (r *Rooms) Start() {
	for msg := range r.Incoming {
		msg.Execute(r)
	}
}
"""
ADDED = """
func (r *Rooms) RandRoomName() string {
	LOCK
	return newRoomName(r.r)
}
"""


@pytest.mark.parametrize("guard, lock, flagged", [
    ("", "", True),
    ("mu sync.Mutex", "", False),  # a struct that holds a lock is taken to use it
    ("", "r.mu.Lock(); defer r.mu.Unlock()", False),
])
def test_go_a_rand_field_drawn_from_without_a_lock(tmp_path, guard: str, lock: str, flagged: bool) -> None:
    base = ROOMS.replace("GUARD", guard)
    found = flagged_on_branch(tmp_path, {"ws/rooms.go": base}, {"ws/rooms.go": base + ADDED.replace("LOCK", lock)}, rule="DC706")
    assert [(path, line) for path, line, *_ in found] == ([("ws/rooms.go", 23)] if flagged else [])


def test_go_a_rand_field_of_the_package_functions_is_not_read(tmp_path) -> None:
    # math/rand's package functions are safe for concurrent use: no field, no finding.
    base = "package ws\n\nimport \"math/rand\"\n\nfunc name() string {\n\treturn names[rand.Intn(9)]\n}\n"
    assert flagged_on_branch(tmp_path, {"ws/n.go": base}, {"ws/n.go": base.replace("9", "10")}, rule="DC706") == []


# --- Ruby: an override's `super` hands on only the number of arguments it passes --------------------

# pdc_describe (apps-ab a8735339, 1ab0ba32): the state transitions' two-argument
# `add_work_activity` overrides call their superclass's four-argument one through `super`; a
# job's four-argument `WorkActivity.add_work_activity(…)` was read as reaching a transition's.
URLS = "class FileUrlService\n  def url(path)\n    base + \"/files/\" + path\nend\nend\n"
URLS_PATH = "app/services/file_url_service.rb"
LOGIN_JOB = ("class LoginCodeJob < ApplicationJob\n  def perform(locale)\n    link = shared_service.url\n"
             "    deliver(link)\n  end\nend\n")


@pytest.mark.parametrize("override, trail", [
    ('def url\n    super("shared", :short)\n  end', False),  # passes two: no one-argument method reached
    ("def url\n    super\n  end", False),  # passes its own none
    ('def url\n    super("shared")\n  end', True),  # passes one
    ("def url(kind = :short)\n    super\n  end", True),  # passes its default too
    ("def url(*parts)\n    super(*parts)\n  end", True),
    ('def url\n    super("a, b", key: 1)\n  end', False),  # two, a comma in a string and a keyword hash
    ('def url\n    super(path_for("a", "b"))\n  end', True),  # one, holding a call of two
])
def test_rb_a_super_hands_on_only_its_own_count(tmp_path, override: str, trail: bool) -> None:
    main = {URLS_PATH: URLS, "app/jobs/login_code_job.rb": LOGIN_JOB,
            "app/services/shared_url_service.rb": f"class SharedUrlService < FileUrlService\n  {override}\nend\n"}
    found = flagged_on_branch(tmp_path, main, {URLS_PATH: URLS.replace("/files/", "/shared-files/")})
    assert [(path, line) for path, line, *_ in found] == ([(URLS_PATH, 3)] if trail else [])


# --- A class renamed as its file moved, its methods unchanged -------------------------------------

# pdc_describe (apps-ab 0b85468e): `FormResourceDecorator` became `FormResourcePresenter` in a file
# moved to app/presenters; each unchanged method a rake task reached by name was background code
# removed and background code added.
DECORATOR = """class FormResourceDecorator
  attr_reader :resource

  def funders
    resource.funders.map(&:name)
  end

  def contributors
    resource.contributors.sort_by(&:sequence)
  end
end
"""
TASK = """class RefreshFundersJob < ApplicationJob
  def perform(form)
    form.work.update!(funder_names: form.funders)
  end
end
"""


@pytest.mark.parametrize("still_named, flagged", [(False, False), (True, True)])
def test_rb_a_class_renamed_with_its_file_keeps_its_unchanged_methods(tmp_path, still_named: bool, flagged: bool) -> None:
    main = {"app/decorators/form_resource_decorator.rb": DECORATOR, "app/jobs/refresh_funders_job.rb": TASK,
            "app/controllers/works_controller.rb": "class WorksController\n  def show\n    @form = FormResourceDecorator.new\n  end\nend\n"}
    branch = {"app/decorators/form_resource_decorator.rb": None,
              "app/presenters/form_resource_presenter.rb": DECORATOR.replace("FormResourceDecorator", "FormResourcePresenter")}
    if not still_named:
        branch["app/controllers/works_controller.rb"] = main["app/controllers/works_controller.rb"].replace("Decorator", "Presenter")
    found = flagged_on_branch(tmp_path, main, branch)
    assert bool(found) == flagged


# --- Ruby: a job enqueued through ActiveJob where delayed_job's `enqueue` was --------------------

# upcase (a new user's trial, session 34): `Delayed::Job.enqueue(ReportJob.new(id))` made
# `ReportJob.perform_later(id)` was "one more place that starts that job".
def test_ruby_delayed_jobs_enqueue_made_perform_later_is_the_same_place(tmp_path) -> None:
    caller = "class Reports\n  def deliver(id)\n    Delayed::Job.enqueue(ReportJob.new(id))\n  end\nend\n"
    job = "class ReportJob < ApplicationJob\n  def perform(id)\n  end\nend\n"
    found = flagged_on_branch(tmp_path, {"app/models/reports.rb": caller, "app/jobs/report_job.rb": job},
                              {"app/models/reports.rb": caller.replace("Delayed::Job.enqueue(ReportJob.new(id))",
                                                                       "ReportJob.perform_later(id)")}, rule="DC715")
    assert [(path, line) for path, line, *_ in found] == [("app/models/reports.rb", 3)]
    assert "enqueued with `enqueue` on the base" in found[0][4] and "one more place" not in found[0][4]


def test_ruby_a_struct_jobs_members_are_its_old_arguments(tmp_path) -> None:
    # upcase (session 34's trial): a delayed_job Struct job made an ActiveJob one read "(was ())".
    job = "class ReportJob < Struct.new(:id, :kind)\n  def perform\n    Report.build(id, kind)\n  end\nend\n"
    active = "class ReportJob < ApplicationJob\n  def perform(id, kind)\n    Report.build(id, kind)\n  end\nend\n"
    found = flagged_on_branch(tmp_path, {"app/jobs/report_job.rb": job}, {"app/jobs/report_job.rb": active}, rule="DC165")
    assert [(path, line) for path, line, *_ in found] == [("app/jobs/report_job.rb", 2)]
    assert "(was () and the Struct's members (:id, :kind))" in found[0][4]
