"""Readings from session 41: apps-ah (tests/corpus/*-labelled-apps-ah.yaml, scanned first at the
session's start commit), the new users' trials and the red team, on real git repositories: each
case fails without its reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.scanning import flagged_on_branch, red_team_branch

# --- A CI system's pipeline named for it runs tests (saltcorn's whale-ci.yml, apps-ah f2f4eac2) ---

PIPELINE = """run_tests:
  image: build
  command:
    - saltcorn run-tests server
  environment:
    CI: true
    NODE_OPTIONS: --max-old-space-size=4096
"""
WORKERS = PIPELINE.replace("    CI: true\n", "    CI: true\n    SALTCORN_NWORKERS: 1\n")


@pytest.mark.parametrize("path", ["whale-ci.yml", "docker-compose.ci.yml", "ci/unit_ci.yaml"])
def test_a_pipeline_named_for_ci_sets_test_workers_not_production_ones(tmp_path, path) -> None:
    assert flagged_on_branch(tmp_path, {path: PIPELINE}, {path: WORKERS}, rule=None) == []


# The red team of session 41: a general pipeline system's file deploys too (drone-ssh, kubectl).
@pytest.mark.parametrize("path", ["deploy/whale.yml", ".drone.yml", ".woodpecker/deploy.yml"])
def test_the_same_worker_count_in_a_deploy_or_pipeline_file_is_still_read(tmp_path, path) -> None:
    found = flagged_on_branch(tmp_path, {path: PIPELINE}, {path: WORKERS}, rule=None)
    assert (path, 7) in {f[:2] for f in found}, found


# --- Java: java.util.logging's levels and a localised message (Geyser 4231d73b, a new user's trial) -

SESSION = """package org.geysermc.geyser.session;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public class GeyserSession {
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final Geyser geyser;
    private boolean loggedIn;

    public GeyserSession(Geyser geyser) {
        this.geyser = geyser;
    }

    public void expired() {
        executor.submit(() -> authenticate(true));
    }

    public void authenticate(boolean offline) {
        if (loggedIn) {
            geyser.getLogger().severe(GeyserLocale.getLocaleStringLog("geyser.auth.already_loggedin", getAuthData().name()));
            return;
        }
        loggedIn = true;
    }
}
"""
SESSION_PATH = "core/src/main/java/org/geysermc/geyser/session/GeyserSession.java"
GUARDED = SESSION.replace("getAuthData().name()));", "getAuthData() == null ? \"This account\" : getAuthData().name()));")


def test_java_a_severe_log_line_whose_localised_message_changed_is_logging(tmp_path) -> None:
    assert flagged_on_branch(tmp_path, {SESSION_PATH: SESSION}, {SESSION_PATH: GUARDED}) == []


@pytest.mark.parametrize("call", ["counters.getOrCreateLabel(name)", "queue.sendMessage(name)",
                                  # the red team of session 41: a claim of the next outbox row
                                  "outbox.getNextMessage(name)", "outbox.getPendingMessages(name)"])
def test_java_a_log_line_that_makes_or_sends_something_still_acts(tmp_path, call) -> None:
    acting = SESSION.replace("getAuthData().name()));", f"{call}));")
    found = flagged_on_branch(tmp_path, {SESSION_PATH: SESSION}, {SESSION_PATH: acting})
    assert [line for _, line, _, _, _ in found] == [21], found


# --- Go: a call on a field that points to a standard-library type (caddy 789f60e3, a new user's trial) -

CHECKER = """package reverseproxy

import (
	"regexp"
	"time"
)

type ActiveHealthChecks struct {
	ExpectBody string
	bodyRegexp *regexp.Regexp
	matcher    RequestMatcher
}

type Handler struct {
	Active *ActiveHealthChecks
}

func (h *Handler) activeHealthChecker() {
	go func() {
		for range time.Tick(time.Second) {
			h.check([]byte("ok"))
		}
	}()
}

func (h *Handler) check(body []byte) bool {
	return h.Active.CALL.Match(body)
}
"""
MATCHERS = """package reverseproxy

type RequestMatcher interface {
	Match(b []byte) bool
}

type MatchPath string

func (m MatchPath) Match(b []byte) bool {
	return string(b) == string(m)
}
"""
CHANGED_MATCHERS = MATCHERS.replace("return string(b) == string(m)", "return len(b) > 0 && string(b) == string(m)")


@pytest.mark.parametrize(("field", "followed"), [("bodyRegexp", False), ("matcher", True)])
def test_go_a_call_on_a_standard_library_pointer_field_is_that_type_s_method(tmp_path, field, followed) -> None:
    main = {"reverseproxy/healthchecks.go": CHECKER.replace("CALL", field), "reverseproxy/matchers.go": MATCHERS}
    found = flagged_on_branch(tmp_path, main, {"reverseproxy/matchers.go": CHANGED_MATCHERS})
    assert bool(found) is followed, found


def test_go_a_field_of_that_name_declared_otherwise_elsewhere_in_the_package_is_still_followed(tmp_path) -> None:
    # The red team of session 41: `client *http.Client` in one struct, `client *DeliveryClient` in
    # another file's; the call is on the second.
    other = "package reverseproxy\n\ntype Upstream struct {\n\tbodyRegexp *MatchPath\n}\n"
    main = {"reverseproxy/healthchecks.go": CHECKER.replace("CALL", "bodyRegexp"), "reverseproxy/matchers.go": MATCHERS,
            "reverseproxy/upstream.go": other}
    assert flagged_on_branch(tmp_path, main, {"reverseproxy/matchers.go": CHANGED_MATCHERS}) != []


# --- DC704: primitives that went with the state they guarded (Geyser 6b979fa8, a new user's trial) ---

MANAGER = """package org.geysermc.geyser.session;

import java.net.InetAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

public final class SessionManager {
    private final Map<UUID, Session> sessions = new ConcurrentHashMap<>();

    /** Connections per address. */
    private final Map<InetAddress, AtomicInteger> connectedClients = new ConcurrentHashMap<>();

    public void addPendingSession(Session session) {
        sessions.put(session.id(), session);
        connectedClients.compute(session.address(), (key, count) -> {
            if (count == null) {
                return new AtomicInteger(1);
            }
            count.incrementAndGet();
            return count;
        });
    }

    public int getAddressMultiplier(InetAddress ip) {
        AtomicInteger counter = connectedClients.get(ip);
        return counter == null ? 1 : counter.get();
    }
}
"""
MANAGER_PATH = "core/src/main/java/org/geysermc/geyser/session/SessionManager.java"
WITHOUT_COUNTERS = MANAGER.replace(
    "import java.util.concurrent.atomic.AtomicInteger;\n", "").replace(
    "    /** Connections per address. */\n    private final Map<InetAddress, AtomicInteger> connectedClients = new ConcurrentHashMap<>();\n\n", "").replace(
    MANAGER[MANAGER.index("        connectedClients.compute"):MANAGER.index("    }\n\n    public int")], "").replace(
    MANAGER[MANAGER.index("    public int getAddressMultiplier"):MANAGER.rindex("}")], "")
PLAIN_COUNTERS = MANAGER.replace("Map<InetAddress, AtomicInteger> connectedClients = new ConcurrentHashMap<>()",
                                 "Map<InetAddress, Integer> clients = new HashMap<>()").replace(
    "connectedClients.compute(session.address(), (key, count) -> {\n            if (count == null) {\n"
    "                return new AtomicInteger(1);\n            }\n            count.incrementAndGet();\n            return count;\n        });",
    "clients.merge(session.address(), 1, Integer::sum);").replace(
    "AtomicInteger counter = connectedClients.get(ip);\n        return counter == null ? 1 : counter.get();",
    "Integer counter = clients.get(ip);\n        return counter == null ? 1 : counter;")


def test_dc704_primitives_removed_with_every_use_of_their_state_are_a_warning_naming_it(tmp_path) -> None:
    # Not high: nothing in this file can race on it now. Still said: the red team of session 41
    # moved the counters into a plain HashMap of another file.
    assert "connectedClients" not in WITHOUT_COUNTERS and "sessions.put" in WITHOUT_COUNTERS
    found = flagged_on_branch(tmp_path, {MANAGER_PATH: MANAGER}, {MANAGER_PATH: WITHOUT_COUNTERS}, rule="DC704")
    assert found and all(severity == "warning" and "removed with `connectedClients`, the state it guarded" in message
                         and "lives on elsewhere" in message for *_, severity, message in found), found


COLLECTOR = """package metrics

import (
	"sync"
	"time"
)

type Collector struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *Collector) Hit(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[name]++
}

func (c *Collector) Run() {
	go func() {
		for range time.Tick(time.Minute) {
			c.mu.Lock()
			c.counts = map[string]int{}
			c.mu.Unlock()
		}
	}()
}
"""


def test_dc704_a_mutex_removed_with_its_calls_is_still_high(tmp_path) -> None:
    # The lock is the guard, not the state: the map it guarded is still shared.
    unlocked = COLLECTOR.replace("\tmu     sync.Mutex\n", "").replace("\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n", "").replace(
        "\t\t\tc.mu.Lock()\n", "").replace("\t\t\tc.mu.Unlock()\n", "").replace('\t"sync"\n', "")
    assert "mu" not in unlocked.replace("import", "")
    found = flagged_on_branch(tmp_path, {"metrics/collector.go": COLLECTOR}, {"metrics/collector.go": unlocked}, rule="DC704")
    assert "high" in {severity for *_, severity, _ in found}, found


def test_dc704_state_kept_in_a_plain_map_still_weakens(tmp_path) -> None:
    assert "connectedClients" not in PLAIN_COUNTERS and "clients.merge" in PLAIN_COUNTERS
    found = flagged_on_branch(tmp_path, {MANAGER_PATH: MANAGER}, {MANAGER_PATH: PLAIN_COUNTERS}, rule="DC704")
    assert [(line, severity, "no longer uses `AtomicInteger`" in message) for _, line, _, severity, message in found] == [
        (17, "high", True), (21, "high", True)], found


TWO_COUNTERS = """package org.example.stats;

import java.util.concurrent.atomic.AtomicInteger;

public final class Batch {
    public int run() {
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        work(done, failed);
        return done.get() + failed.get();
    }
}
"""
ONE_COUNTER = TWO_COUNTERS.replace("AtomicInteger failed = new AtomicInteger();", "int[] failed = {0};").replace(
    "failed.get()", "failed[0]")


def test_dc704_a_unit_that_keeps_one_of_a_primitive_uses_fewer_not_none(tmp_path) -> None:
    path = "src/main/java/org/example/stats/Batch.java"
    found = flagged_on_branch(tmp_path, {path: TWO_COUNTERS}, {path: ONE_COUNTER}, rule="DC704")
    messages = [message for *_, severity, message in found if severity == "high"]
    assert messages and all("uses fewer `AtomicInteger`" in m and "no longer uses" not in m for m in messages), found


# --- Ruby: a method replaced by an association of its name (signon 9ac8ba70, a new user's trial) ---

USER = """class User < ApplicationRecord
  has_many :authorisations

  def authorised_applications
    authorisations.group_by(&:application).keys
  end
end
"""
PUSH_JOB = """class PushUserUpdatesJob < ApplicationJob
  def perform(user_id)
    user = User.find(user_id)
    user.authorised_applications.each { |application| application.notify(user) }
  end
end
"""
ASSOCIATED = USER.replace(
    "  def authorised_applications\n    authorisations.group_by(&:application).keys\n  end\n",
    "").replace("has_many :authorisations\n", "has_many :authorisations\n  has_many :authorised_applications, through: :authorisations, source: :application\n")


def test_ruby_a_method_replaced_by_an_association_of_its_name_is_changed_not_gone(tmp_path) -> None:
    main = {"app/models/user.rb": USER, "app/jobs/push_user_updates_job.rb": PUSH_JOB}
    found = flagged_on_branch(tmp_path, main, {"app/models/user.rb": ASSOCIATED})
    assert [(path, side) for path, _, side, _, _ in found] == [("app/models/user.rb", "base")], found
    assert "Background code removed" not in found[0][4] and "cannot prove" in found[0][4], found


@pytest.mark.parametrize(("macro", "key"), [
    ("delegate :email, to: :authorised_applications", "User::authorised_applications"),  # the target, called
    ("delegate :authorised_applications, to: :account, prefix: true", "User::authorised_applications"),
    ("attr_writer :authorised_applications", "User::authorised_applications"),  # defines the writer
    ("scope :authorised_applications, -> { where(active: true) }", "User::authorised_applications"),  # a class method
    ("has_many :authorised_applications", "User::self.authorised_applications"),  # an instance method
])
def test_ruby_a_macro_that_does_not_define_that_method_leaves_it_removed(macro, key) -> None:
    from deploycheck.rules.trees.detect import _declared_by_a_macro
    from deploycheck.rules.trees.parse import parse_bytes

    head = parse_bytes("ruby", f"class User < ApplicationRecord\n  {macro}\nend\n".encode())
    assert _declared_by_a_macro(head, key) is False
    assert _declared_by_a_macro(parse_bytes("ruby", b"class User\n  attr_reader :a, :authorised_applications\nend\n"),
                                "User::authorised_applications") is True


def test_ruby_a_helper_a_job_calls_removed_says_its_callers_fail_not_queued_jobs(tmp_path) -> None:
    main = {"app/models/user.rb": USER, "app/jobs/push_user_updates_job.rb": PUSH_JOB}
    removed = USER.replace("  def authorised_applications\n    authorisations.group_by(&:application).keys\n  end\n", "")
    found = flagged_on_branch(tmp_path, main, {"app/models/user.rb": removed})
    messages = [message for *_, message in found]
    assert len(messages) == 1 and "NoMethodError when the job runs" in messages[0] and "stub" not in messages[0], found


# --- DC168: Sidekiq's process-wide settings (signon 495c6654, a new user's trial) --------------------

def test_dc168_an_initializer_deleted_with_its_strict_args_is_read(tmp_path) -> None:
    main = {"config/initializers/sidekiq.rb": "# strict args ahead of Sidekiq 7\nSidekiq.strict_args!\n"}
    found = flagged_on_branch(tmp_path, main, {"config/initializers/sidekiq.rb": None}, rule="DC168")
    assert [(path, line, side) for path, line, side, _, _ in found] == [("config/initializers/sidekiq.rb", 2, "base")], found


# --- The red team of session 41 (fixtures in tests/rules/data/redteam41/) ----------------------------

REDTEAM = Path(__file__).parent / "data" / "redteam41"


@pytest.mark.parametrize("case, rule, expected", [
    # A delegate's target and a prefixed delegate define no method of the removed name: still removed.
    ("ruby-delegate-target", "DC701", [("app/models/subscription.rb", 6, "base", "Background code removed")]),
    ("ruby-delegate-prefix", "DC701", [("app/models/invoice.rb", 6, "base", "Background code removed")]),
    # `client *http.Client` here, `client *DeliveryClient` in another file of the package: followed.
    ("go-std-field-other-file", "DC701", [("delivery.go", 16, "base", "DeliveryClient.Deliver")]),
    # Counters moved to a plain HashMap of another file: said, as a warning naming the field.
    ("d704-java-moved-unsafe", "DC704", [("core/src/main/java/org/geysermc/geyser/session/SessionManager.java", n, "base",
                                          "removed with `connectedClients`") for n in (13, 19)]),
    # A claim of the next outbox row hidden in a log line is no message lookup.
    ("log-lookup-dequeue", "DC701", [("src/main/java/com/acme/mail/OutboxRelay.java", 27, "head", "cannot prove")]),
    # A general pipeline system's deploy step sets production workers.
    ("ci-drone-deploy", "DC512", [(".drone.yml", 9, "head", "")]),
    ("ci-woodpecker-deploy", "DC512", [(".woodpecker/deploy.yml", 13, "head", "")]),
    # A mutex removed with its calls leaves the map it guarded shared: DC357 stays high.
    ("d704-go-mutex", "DC357", [("collector.go", n, "base", "") for n in (10, 23, 30)]),
])
def test_redteam41_case(tmp_path, case: str, rule: str, expected: list) -> None:
    found = red_team_branch(tmp_path, REDTEAM / case, rule=rule)
    assert sorted((path, line, side) for path, line, side, *_ in found) == [e[:3] for e in expected], found
    for (_, _, _, _, message), (*_, said) in zip(sorted(found), expected):
        assert said in message, message
