"""Readings from session 25's new-user trials (nightscout/cgm-remote-monitor, frappe/erpnext),
on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import NIGHTSCOUT_BUS, NIGHTSCOUT_STORAGE, flagged_on_branch

STORAGE = NIGHTSCOUT_STORAGE
CLIENT = """var _ = require('lodash');
var $ = require('jquery');

function init(nowData) {
  function updateClock() {
    var focusPoint = _.last(nowData);
    $('#point').text(focusPoint.sgv);
    setTimeout(updateClock, 1000);
  }
  updateClock();
}
module.exports = init;
"""
# The server's own ticker: the repository has background code, so the search runs.
BUS = NIGHTSCOUT_BUS
SERVER_TIMER = """const _ = require('lodash');

function watch(entries) {
  function tick() {
    const newest = _.last(entries);
    console.log(newest);
    setTimeout(tick, 60000);
  }
  tick();
}
module.exports = watch;
"""


@pytest.mark.parametrize("caller", [CLIENT, SERVER_TIMER])
def test_js_a_lodash_call_does_not_reach_the_application_s_function_of_its_name(tmp_path, caller: str) -> None:
    # nightscout 69b620dd2: the browser's `_.last(nowData)` in a timer led to the server storage's
    # `last`; lodash's `last` is lodash's, in a page or on a server.
    files = {"lib/server/profile.js": STORAGE, "lib/client/index.js": caller, "lib/bus.js": BUS}
    found = flagged_on_branch(tmp_path, files, {"lib/server/profile.js": STORAGE.replace("startDate: -1", "_id: -1")})
    assert found == []


def test_js_a_jquery_module_runs_in_a_page(tmp_path) -> None:
    # The same client, calling the storage's `last` by itself: a page's timer, not a job.
    client = CLIENT.replace("_.last(nowData)", "nowData.last()").replace("var _ = require('lodash');\n", "")
    files = {"lib/server/profile.js": STORAGE, "lib/client/index.js": client, "lib/bus.js": BUS}
    found = flagged_on_branch(tmp_path, files, {"lib/server/profile.js": STORAGE.replace("startDate: -1", "_id: -1")})
    assert found == []


DELAY = """const helpers = require('./helpers');

function delayList() {
  const ipDelayList = {};
  function addFailedRequest(key) {
    setTimeout(function expire() {
      if (ipDelayList.hasOwnProperty(key)) delete ipDelayList[key];
    }, 60000);
  }
  return { addFailedRequest };
}
module.exports = delayList;
"""
DURATION = """function hasOwnProperty(obj, key) {
  return Object.prototype.hasOwnProperty.call(obj, key);
}
module.exports = { hasOwnProperty };
"""


def test_js_an_object_s_own_method_name_is_not_followed(tmp_path) -> None:
    # nightscout faf578c08: a helper named `hasOwnProperty` was "new background code" through
    # `ipDelayList.hasOwnProperty(key)` in a timer.
    files = {"lib/authorization/delaylist.js": DELAY, "lib/bus.js": BUS}
    found = flagged_on_branch(tmp_path, files, {"lib/treatmentDuration.js": DURATION})
    assert found == []


STREAMS = """from app.tasks import app

streams = {
    "home": "home-stream",
    "local": "local-stream",
}


@app.task(queue="streams")
def add_status_task(status_id):
    for name in streams.values():
        print(name, status_id)


def on_status_saved(status_id):
    add_status_task.apply_async(args=(status_id,), queue="streams")
"""
TYPED = STREAMS.replace("streams = {", "streams: dict[str, Stream] = {").replace(
    "from app.tasks import app\n", "from app.tasks import app\nfrom app.models import Stream\n")
TASKS = """from celery import Celery

app = Celery("app")
"""


@pytest.mark.parametrize("head, flagged", [
    # bookwyrm 647ab7817: type hints, and an import for one; DC101 said the module-level value a
    # task reads changed
    (TYPED, False),
    (TYPED.replace('"local-stream"', '"public-stream"'), True),
])
def test_python_an_annotation_given_to_a_module_value_a_task_reads_is_no_change(tmp_path, head: str, flagged: bool) -> None:
    found = flagged_on_branch(tmp_path, {"app/activitystreams.py": STREAMS, "app/tasks.py": TASKS},
                              {"app/activitystreams.py": head}, rule=None)
    assert bool(found) == flagged


SEND = """from celery import shared_task


@shared_task
def broadcast(sender_id):
    pass


def send(sender, delayed):
    broadcast.apply_async(
        countdown=(
            10 if delayed else 0
        ),
        args=(sender.id,),
    )
"""


def test_python_a_removed_setting_written_over_several_lines_is_said_so(tmp_path) -> None:
    # bookwyrm b956391bd: "Task setting countdown (was () removed".
    head = SEND.replace("        countdown=(\n            10 if delayed else 0\n        ),\n", "")
    found = flagged_on_branch(tmp_path, {"app/broadcast.py": SEND}, {"app/broadcast.py": head}, rule="DC515")
    assert [(line, side) for _path, line, side, *_ in found] == [(11, "base")]
    assert "Task setting countdown (was a value written over several lines) removed" in found[0][4]


MIXIN = """from app.tasks import broadcast_task


class ActivitypubMixin:
    def broadcast(self, activity, sender, software=None):
        broadcast_task.apply_async(
            args=(
                sender.id,
                activity,
                self.get_recipients(software=software),
            ),
            queue="broadcast",
        )
"""
TASK_MODULE = """from celery import shared_task


@shared_task
def broadcast_task(sender_id, activity, recipients):
    pass
"""


@pytest.mark.parametrize("old, new, line", [
    # bookwyrm b54e3b41c: the recipients computed first (and the send skipped without any)
    ("        broadcast_task.apply_async(", "        recipients = self.get_recipients(software=software)\n"
     "        if not recipients:\n            return\n        broadcast_task.apply_async(", 13),
    # the same call re-indented under a new condition: its arguments are the same
    ("        broadcast_task.apply_async(", "        if sender.local:\n            broadcast_task.apply_async(", None),
])
def test_python_an_enqueue_handed_other_arguments_is_a_warning(tmp_path, old: str, new: str, line: int | None) -> None:
    head = MIXIN.replace(old, new)
    if "recipients = " in new:
        head = head.replace("self.get_recipients(software=software),\n            ),", "recipients,\n            ),")
    if "sender.local" in new:
        head = head.replace("\n            args=(", "\n                args=(").replace("\n                sender.id,", "\n                    sender.id,")
    found = flagged_on_branch(tmp_path, {"app/models/mixin.py": MIXIN, "app/tasks.py": TASK_MODULE},
                              {"app/models/mixin.py": head}, rule="DC103")
    assert [f[1] for f in found] == ([line] if line else [])


CONNECTOR = """from celery import shared_task

from app.models import Connector


@shared_task
def update_connector_status(connector_id, status):
    connector = Connector.objects.get(id=connector_id)
    connector.status = status
    connector.active = status == "ok"
    connector.save(update_fields=["status", "active"])
"""


@pytest.mark.parametrize("head, lines", [
    # a new user's change in the bookwyrm trial: every field written back as read, so a concurrent
    # write to another field of the connector is lost
    (CONNECTOR.replace('connector.save(update_fields=["status", "active"])', "connector.save()"), [11]),
    # the save gone with the writes it made: nothing is written back
    (CONNECTOR.replace('    connector.save(update_fields=["status", "active"])\n', ""), []),
])
def test_python_a_save_no_longer_narrowed_to_its_fields_is_a_removed_safeguard(tmp_path, head: str, lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {"app/connectors/tasks.py": CONNECTOR}, {"app/connectors/tasks.py": head}, rule="DC320")
    assert [(line, side) for _path, line, side, *_ in found] == [(line, "base") for line in lines]


GC = """package server

import (
	"context"
	"time"

	"example.org/dex/storage/ent/db"
)

func startGarbageCollection(ctx context.Context, client *db.Client) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Minute):
				client.AuthSession.Delete().Where(db.AbsoluteExpiryLT(time.Now())).Exec(ctx)
			}
		}
	}()
}
"""
WHERE = """// Code generated by ent, DO NOT EDIT.

package db

func AbsoluteExpiryLT(v int64) int64 {
	return v
}
"""
SCHEMA = """package schema

func Fields() []string {
	return []string{"id"}
}
"""


@pytest.mark.parametrize("also, severity", [
    # dex 449f6647: ent's output regenerated beside its schema: context, the schema says it
    ({"storage/ent/schema/authsession.go": SCHEMA.replace('"id"', '"id", "absolute_expiry"')}, "info"),
    # the generated file changed alone (a hand edit, a generator's new version): background code
    ({}, "warning"),
])
def test_go_generated_code_regenerated_beside_its_source_is_context(tmp_path, also: dict, severity: str) -> None:
    files = {"server/gc.go": GC, "storage/ent/db/where.go": WHERE, "storage/ent/schema/authsession.go": SCHEMA}
    head = {"storage/ent/db/where.go": WHERE.replace("return v", "return v - 1"), **also}
    found = flagged_on_branch(tmp_path, files, head)
    if severity == "info":
        assert found == []
    else:
        assert [(path, line) for path, line, *_ in found] == [("storage/ent/db/where.go", 6)]


CONFORMANCE = """package conformance

import (
	"sync"
	"testing"

	"example.org/dex/storage"
)

func RunTransactionTests(t *testing.T, s storage.Storage) {
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Refresh("token")
		}()
	}
	wg.Wait()
}
"""
STORE = """package storage

type Storage struct{}

func (s Storage) Refresh(id string) error {
	return nil
}
"""


def test_go_a_file_importing_testing_starts_no_job(tmp_path) -> None:
    # dex 93985ded: the conformance suite's hundred goroutines were given as the job a storage
    # change runs in.
    files = {"storage/conformance/transactions.go": CONFORMANCE, "storage/storage.go": STORE}
    found = flagged_on_branch(tmp_path, files, {"storage/storage.go": STORE.replace("return nil", "return errStale")})
    assert found == []


SITE = """package core

import (
	"testing"
	"time"

	"example.org/dex/storage"
)

func Run(s storage.Storage) {
	if testing.Testing() {
		return
	}
	go func() {
		for range time.Tick(time.Minute) {
			s.Refresh("token")
		}
	}()
}
"""


def test_go_production_code_that_asks_whether_it_runs_under_test_still_starts_jobs(tmp_path) -> None:
    # evcc's site loop (apps-m) imports "testing" for `testing.Testing()`: it is no test helper.
    files = {"core/site.go": SITE, "storage/storage.go": STORE}
    found = flagged_on_branch(tmp_path, files, {"storage/storage.go": STORE.replace("return nil", "return errStale")})
    assert [(path, line) for path, line, *_ in found] == [("storage/storage.go", 6)]
