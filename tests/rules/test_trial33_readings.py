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


# --- JS/TS: a task object that pairs a cron schedule with its function ----------------------------

# Joplin Server (fc419d98c, f99b8dfde): its tasks are `{ id, schedule: '<cron>', run }` objects that
# its task service hands to node-cron; a schedule made every two hours instead of twice on the 30th,
# and the code a task runs, were "Nothing flagged".
TASKS = """import { Models } from '../models/factory';
import TaskService, { Task } from '../services/TaskService';

export default function(models: Models): TaskService {
	const taskService = new TaskService(models);
	const tasks: Task[] = [
		{
			id: 1,
			description: 'Process oversized accounts',
			schedule: '0 */2 30 * *',
			run: (m: Models) => m.user().handleOversizedAccounts(),
		},
	];
	taskService.registerTasks(tasks);
	return taskService;
}
"""


@pytest.mark.parametrize("main, before, after, lines", [
    (TASKS, "schedule: '0 */2 30 * *',", "schedule: '30 */2 * * *',", [10]),
    (TASKS, "m.user().handleOversizedAccounts()", "m.user().handleOversizedAccounts({ dryRun: false })", [11]),
    # A label that is no cron expression, beside a function: no schedule.
    (TASKS.replace("'0 */2 30 * *'", "'daily'"), "schedule: 'daily',", "schedule: 'every other day',", []),
])
def test_js_a_task_object_with_a_cron_schedule_is_a_scheduled_job(tmp_path, main: str, before: str, after: str,
                                                                   lines: list[int]) -> None:
    assert before in main
    path = "packages/server/src/utils/setupTaskService.ts"
    found = flagged_on_branch(tmp_path, {path: main}, {path: main.replace(before, after)})
    assert [line for _, line, *_ in found] == lines


def test_js_a_cron_string_without_a_function_is_no_task(tmp_path) -> None:
    # A settings page's default (`{ schedule: '0 3 * * *', label: … }`) runs nothing.
    source = "export const defaults = {\n  schedule: '0 3 * * *',\n  label: 'Nightly backup',\n};\n"
    found = flagged_on_branch(tmp_path, {"src/settings/defaults.ts": source},
                              {"src/settings/defaults.ts": source.replace("0 3", "0 4")}, rule=None)
    assert found == []


# --- Go: a function of the file a goroutine literal calls by its bare name ------------------------

# portainer (a new user's trial): `go func(id int) { process(store, id) }(id)` runs the file's own
# `process`, a read-modify-write; the name is too common to follow by search, so it was only an info.
WORKER = """package api

func Start(store Store, ids []int) {
	for _, id := range ids {
		go func(id int) {
			process(store, id)
		}(id)
	}
}

func process(store Store, id int) {
	v, _ := store.Read(id)
	store.Save(id, v)
}

func describe(store Store) string {
	return store.Name()
}
"""


@pytest.mark.parametrize("before, after, lines", [
    ("store.Save(id, v)", "store.Save(id, v+1)", [13]),
    # A function of the file no goroutine calls.
    ("return store.Name()", 'return "store " + store.Name()', []),
])
def test_go_a_file_function_a_goroutine_literal_calls(tmp_path, before: str, after: str, lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {"api/worker.go": WORKER}, {"api/worker.go": WORKER.replace(before, after)})
    assert [line for _, line, *_ in found] == lines


# --- Java: a lock that went with the method removed whole (DC358, DC704) --------------------------

# airsonic-advanced 9dc9cbd8 removed an unused `toISO8601`, whose body formatted under
# `synchronized`: DC358 and DC704, both high, said the code it protected "may now race".
UTIL = """package org.airsonic.player.util;

public final class StringUtil {
    private static final DateFormat ISO = new SimpleDateFormat("yyyy-MM-dd");

    public static String toISO8601(Date date) {
        synchronized (ISO) {
            return ISO.format(date);
        }
    }

    public static String trim(String s) {
        synchronized (ISO) {
            return s.trim();
        }
    }
}
"""


CALLED = UTIL.replace("return s.trim();\n        }", "return toISO8601(null) + s.trim();\n        }")


@pytest.mark.parametrize("base, before, after, expected", [
    # The whole method: nothing is left to race.
    (UTIL, "    public static String toISO8601(Date date) {\n        synchronized (ISO) {\n"
     "            return ISO.format(date);\n        }\n    }\n\n", "", []),
    # The lock taken out of a method that stays is still the finding.
    (UTIL, "        synchronized (ISO) {\n            return s.trim();\n        }\n", "        return s.trim();\n",
     [("DC358", 13, "base"), ("DC704", 13, "head")]),
    # A method removed whole that the file called: its body may live on in the caller, unlocked.
    # DC704 points at the removed `synchronized` (session 40: at the line naming what was lost).
    (CALLED, "    public static String toISO8601(Date date) {\n        synchronized (ISO) {\n"
     "            return ISO.format(date);\n        }\n    }\n\n", "", [("DC358", 7, "base"), ("DC704", 7, "base")]),
])
def test_java_a_lock_removed_with_its_whole_method(tmp_path, base: str, before: str, after: str, expected: list) -> None:
    assert before in base
    path = "airsonic-main/src/main/java/org/airsonic/player/util/StringUtil.java"
    found = [(rule, line, side) for rule in ("DC358", "DC704")
             for _, line, side, *_ in flagged_on_branch(tmp_path / rule, {path: base}, {path: base.replace(before, after)},
                                                        rule=rule)]
    assert found == expected


# --- JS/TS: a component's own async refresh is not deferred work -----------------------------------

# joplin 47f95cb29 (a new user's trial): renaming `resfreshScreen` in an Electron screen that imports
# React and Node's `fs` was "New background code": its `void refreshScreen()` refreshes the UI.
SCREEN = """import * as React from 'react';
import { useEffect } from 'react';
import { writeFileSync } from 'fs';

export default function StatusScreen() {
	async function refreshScreen() {
		const report = await service.status();
		writeFileSync('/tmp/status', report);
	}

	useEffect(() => {
		void refreshScreen();
	}, []);
	return null;
}
"""


@pytest.mark.parametrize("path, main, lines", [
    ("packages/app-desktop/gui/StatusScreen.tsx", SCREEN, []),
    ("packages/app-desktop/gui/status.ts", SCREEN, []),
    # The same shape in a server's module (Node's `fs`, no page framework) is deferred work.
    ("packages/server/src/status.ts", SCREEN.replace("import * as React from 'react';\nimport { useEffect } from 'react';\n",
                                                     "const { useEffect } = require('./hooks');\n"), [7]),
])
def test_js_a_components_refresh_left_running_is_no_deferred_work(tmp_path, path: str, main: str, lines: list[int]) -> None:
    changed = main.replace("writeFileSync('/tmp/status', report);", "writeFileSync('/tmp/status.txt', report);")
    found = flagged_on_branch(tmp_path, {path: main}, {path: changed})
    assert [line for _, line, *_ in found] == lines
