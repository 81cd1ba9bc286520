"""Readings from session 41: apps-ah (tests/corpus/*-labelled-apps-ah.yaml, scanned first at the
session's start commit), the new users' trials and the red team, on real git repositories: each
case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

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


@pytest.mark.parametrize("path", ["whale-ci.yml", "docker-compose.ci.yml", ".drone.yml", ".woodpecker/test.yml"])
def test_a_ci_pipeline_named_for_ci_sets_test_workers_not_production_ones(tmp_path, path) -> None:
    assert flagged_on_branch(tmp_path, {path: PIPELINE}, {path: WORKERS}, rule=None) == []


def test_the_same_worker_count_in_a_deploy_file_is_still_read(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"deploy/whale.yml": PIPELINE}, {"deploy/whale.yml": WORKERS}, rule=None)
    assert ("deploy/whale.yml", 7) in {f[:2] for f in found}, found


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


@pytest.mark.parametrize("call", ["counters.getOrCreateLabel(name)", "queue.sendMessage(name)"])
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
