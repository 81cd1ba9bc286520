"""Readings from session 33's new-user trials (portainer, airsonic-advanced, joplin), on real git
repositories: each case fails at the session's start commit (2287569) without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- Java: an executor or scheduler the code builds itself (DC511) ------------------------------

# airsonic-advanced 403014ca: the task service stopped taking Spring's scheduler and built its own
# daemon one, so every background task's pool and shutdown changed; nothing was flagged.
SERVICE = """package org.airsonic.player.service;

import org.springframework.scheduling.TaskScheduler;

@Service
public class TaskSchedulingService {
    private final TaskScheduler executor;

    public TaskSchedulingService(TaskScheduler taskExecutor) {
        this.executor = taskExecutor;
    }

    public String describe() {
        return "tasks";
    }
}
"""
BUILT = SERVICE.replace("""    public TaskSchedulingService(TaskScheduler taskExecutor) {
        this.executor = taskExecutor;
    }""", """    public TaskSchedulingService(TaskSchedulerBuilder builder) {
        this.executor = builder.build();
        ((ThreadPoolTaskScheduler) executor).setDaemon(true);
    }""")


@pytest.mark.parametrize("main, branch, expected", [
    (SERVICE, BUILT, [(9, "head")]),
    (BUILT, SERVICE, [(9, "base")]),
    # A method that only names the service: no pool is built.
    (SERVICE, SERVICE.replace('return "tasks";', 'return "scheduled tasks";'), []),
])
def test_java_an_executor_or_scheduler_built_by_the_code(tmp_path, main: str, branch: str, expected: list) -> None:
    path = "airsonic-main/src/main/java/org/airsonic/player/service/TaskSchedulingService.java"
    found = flagged_on_branch(tmp_path, {path: main}, {path: branch}, rule="DC511")
    assert [(line, side) for _, line, side, *_ in found] == expected


# --- Java: a singleton bean's field written under `synchronized` (DC710) --------------------------

# airsonic-advanced 87285668: `public synchronized void schedule()` was said to write `scheduler`
# "with no lock", and fields made ConcurrentHashMaps were called "shared unguarded".
BEAN = """package org.airsonic.player.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

@Service
public class MediaScannerService {
    private Object scheduler;
    private Map<String, Object> cache = new ConcurrentHashMap<>();
    private int scans;

    public synchronized void schedule() {
        scheduler = null;
    }

    public void remember(String key) {
        cache.put(key, key);
    }

    public void count() {
        synchronized (this) {
            scans = scans + 1;
        }
    }
}
"""


@pytest.mark.parametrize("before, after, lines", [
    ("        scheduler = null;\n", "        scheduler = new Object();\n", []),
    ("        cache.put(key, key);\n", "        cache.put(key, key.trim());\n", []),
    ("            scans = scans + 1;\n", "            scans = scans + 2;\n", []),
    # The same write outside any lock is still the finding.
    ("    public void remember(String key) {\n        cache.put(key, key);\n",
     "    public void remember(String key) {\n        scheduler = key;\n        cache.put(key, key);\n", [17]),
])
def test_java_singleton_state_under_a_lock_or_in_a_concurrent_map(tmp_path, before: str, after: str,
                                                                   lines: list[int]) -> None:
    assert before in BEAN
    path = "src/main/java/org/airsonic/player/service/MediaScannerService.java"
    found = flagged_on_branch(tmp_path, {path: BEAN}, {path: BEAN.replace(before, after)}, rule="DC710")
    assert [line for _, line, *_ in found] == lines
