"""Readings from session 32's new-user trials (matrix-org/dendrite in Go, OpenVidu in Java), on
real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- Go: a NATS JetStream consumer's and stream's delivery -------------------------------------

# dendrite's room-server input (482914ae, cd8f7e12, e93bdd56): the ephemeral consumer switched to
# `nats.AckNone()` and lost its `m.Ack()`; durable consumers gained an `InactiveThreshold`; the
# input stream gained `MaxAge: 24h`. All three passed with nothing flagged.
INPUT = """package input

import (
	"time"

	"github.com/nats-io/nats.go"
)

type Inputer struct {
	JetStream nats.JetStreamContext
}

func (r *Inputer) Start(subject string) error {
	_, err := r.JetStream.Subscribe(subject, func(m *nats.Msg) {
		handle(m.Data)
		m.Ack()
	}, nats.DeliverAll(), nats.ManualAck())
	return err
}

func (r *Inputer) Setup() error {
	_, err := r.JetStream.AddStream(&nats.StreamConfig{
		Name:     "InputRoomEvent",
		Subjects: []string{"input.>"},
		MaxAge:   0,
	})
	return err
}

func handle(data []byte) {
	_ = time.Now()
	_ = data
}
"""


@pytest.mark.parametrize("before, after, rules", [
    # Manual acknowledgement turned off, the ack removed: DC525 at the option, DC526 at the ack.
    ("\t\tm.Ack()\n\t}, nats.DeliverAll(), nats.ManualAck())", "\t}, nats.DeliverAll(), nats.AckNone())",
     [("DC525", 16, "head"), ("DC526", 16, "base"), ("DC526", 17, "base")]),
    # A stream's age limit set: older messages are dropped.
    ("MaxAge:   0,", "MaxAge:   time.Hour * 24,", [("DC525", 25, "head")]),
    # The handler's own code: not the delivery.
    ("_ = data", "_ = len(data)", []),
])
def test_go_jetstream_delivery_settings_are_read(tmp_path, before: str, after: str, rules: list) -> None:
    found = flagged_on_branch(tmp_path, {"roomserver/input/input.go": INPUT},
                              {"roomserver/input/input.go": INPUT.replace(before, after)}, rule=None)
    assert sorted((_rule(f), f[1], f[2]) for f in found if _rule(f) != "other") == rules


def _rule(finding: tuple) -> str:
    # flagged_on_branch keeps the message, not the rule: these two rules' messages say what they are.
    message = finding[4]
    if "no longer acknowledges" in message:
        return "DC526"
    if "how messages are delivered" in message or "the broker's default" in message:
        return "DC525"
    return "other"


def test_go_delivery_fields_outside_a_nats_file_are_not_read(tmp_path) -> None:
    # `MaxAge:` of an HTTP cookie or a cache, in a file that imports no broker: no delivery setting.
    source = ('package web\n\nimport "net/http"\n\nfunc Cookie() *http.Cookie {\n'
              '\treturn &http.Cookie{Name: "s", MaxAge: 0}\n}\n')
    found = flagged_on_branch(tmp_path, {"web/cookie.go": source},
                              {"web/cookie.go": source.replace("MaxAge: 0", "MaxAge: 3600")}, rule=None)
    assert found == []


# --- Go: a call handed a function literal that takes the transaction ----------------------------

# dendrite's `d.Writer.Do(d.DB, nil, func(txn *sql.Tx) error {…})` opens a transaction when given
# the database, and runs without one when given nil (e1bc4f6a: `nil` became `d.DB`).
STORAGE = """package shared

import (
	"context"
	"database/sql"
)

type Writer interface {
	Do(db *sql.DB, txn *sql.Tx, f func(txn *sql.Tx) error) error
}

type Database struct {
	DB     *sql.DB
	Writer Writer
}

func (d *Database) DeleteDeviceKeys(ctx context.Context, userID string) error {
	return d.Writer.Do(nil, nil, func(txn *sql.Tx) error {
		return deleteKeys(ctx, txn, userID)
	})
}

func withTx(db *sql.DB, f func(txn *sql.Tx) error) error {
	txn, err := db.Begin()
	if err != nil {
		return err
	}
	return f(txn)
}

func deleteKeys(ctx context.Context, txn *sql.Tx, userID string) error {
	_, err := txn.ExecContext(ctx, "DELETE FROM keys WHERE user_id = $1", userID)
	return err
}
"""


@pytest.mark.parametrize("before, after, lines", [
    # The transaction now opened: DC252 at the call.
    ("d.Writer.Do(nil, nil, func", "d.Writer.Do(d.DB, nil, func", [18]),
    # A helper's declaration naming such a callback as its parameter: no transaction opened there.
    ("func withTx(db *sql.DB, f func(txn *sql.Tx) error) error {",
     "func withTx(db *sql.DB, f func(txn *sql.Tx) error) (err error) {", []),
])
def test_go_a_call_handed_a_function_taking_the_transaction_is_a_transaction(tmp_path, before: str, after: str,
                                                                             lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {"keyserver/storage/shared/storage.go": STORAGE},
                              {"keyserver/storage/shared/storage.go": STORAGE.replace(before, after)}, rule="DC252")
    assert [line for _, line, *_ in found] == lines


# --- Go under build/ is source -----------------------------------------------------------------

# dendrite's mobile builds (ba66b5a3): `build/gobind-pinecone/monolith.go` is Go source; it was
# reported as "vendored or built code" (DC001, high). Go's compiler writes binaries, not Go.
@pytest.mark.parametrize("path, unread", [
    ("build/gobind-pinecone/monolith.go", False),
    ("vendor/github.com/x/y/monolith.go", True),
])
def test_go_under_a_build_folder_is_read_as_source(tmp_path, path: str, unread: bool) -> None:
    source = "package gobind\n\nfunc Peers(list string) string {\n\treturn list\n}\n"
    found = flagged_on_branch(tmp_path, {"go.mod": "module example.com/app\n", path: source},
                              {path: source.replace("return list", "return list + \",\"")}, rule="DC001")
    assert bool(found) == unread


# --- Java: a lambda handed to the application's own timer task ----------------------------------

# OpenVidu's session garbage collector and media-node reconnect polling (a0ac5fa7, f2582aa7):
# `new UpdatableTimerTask(() -> {…}, period)` schedules itself on a `java.util.Timer`; the
# lambda runs on the timer's thread, beside the requests. Its changes passed unflagged.
MANAGER = """package io.example.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

public class SessionManager {
    private final Map<String, String> sessions = new ConcurrentHashMap<>();
    private UpdatableTimerTask collector;

    public void init() {
        this.collector = new UpdatableTimerTask(() -> {
            for (String id : sessions.keySet()) {
                if (sessions.containsKey(id)) {
                    sessions.remove(id);
                }
            }
        }, () -> 60L);
        this.collector.updateTimer();
    }

    public String describe() {
        return "sessions " + sessions.size();
    }
}
"""


@pytest.mark.parametrize("before, after, lines", [
    # The re-check under the collector removed: the timer's work changed.
    ("                if (sessions.containsKey(id)) {\n                    sessions.remove(id);\n                }\n",
     "                sessions.remove(id);\n", [13]),
    # A method no timer runs.
    ('"sessions "', '"open sessions "', []),
])
def test_java_a_lambda_handed_to_an_own_timer_task_runs_on_the_timer(tmp_path, before: str, after: str,
                                                                     lines: list[int]) -> None:
    path = "src/main/java/io/example/core/SessionManager.java"
    found = flagged_on_branch(tmp_path, {path: MANAGER}, {path: MANAGER.replace(before, after)})
    assert sorted({line for _, line, *_ in found}) == lines


# --- JS/TS: node-schedule, and a server's own timers whatever the rest of the repository says ----

# jellyseerr's `server/job/schedule.ts` (2b7974fa, 2c3f5330): `schedule.scheduleJob(spec, () => …)`
# from node-schedule runs each job on its schedule; its changes passed unflagged.
SCHEDULE = """import schedule from 'node-schedule';
import { plexScanner } from '../lib/scanners/plex';

export const scheduledJobs: schedule.Job[] = [];

export const startJobs = (spec: string): void => {
  scheduledJobs.push(
    schedule.scheduleJob(spec, () => {
      plexScanner.scan(60);
    })
  );
};

export const describeJobs = (): string => `${scheduledJobs.length} jobs`;
"""


@pytest.mark.parametrize("before, after, lines", [
    ("plexScanner.scan(60);", "plexScanner.scan(30);", [9]),
    ("`${scheduledJobs.length} jobs`", "`${scheduledJobs.length} scheduled jobs`", []),
])
def test_js_a_node_schedule_job_is_background_code(tmp_path, before: str, after: str, lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {"server/boot/schedule.ts": SCHEDULE},
                              {"server/boot/schedule.ts": SCHEDULE.replace(before, after)})
    assert [line for _, line, *_ in found] == lines


# jellyseerr's Plex sync (a740b07f) re-arms its own timer in a server module; it was read only once
# some other file of the repository named a job API ("cron" in a comment was enough).
SYNC = """import fs from 'node:fs';

class PlexSync {
  private running = false;

  public async loop(): Promise<void> {
    this.running = true;
    await this.processItems();
    setTimeout(() => this.loop(), 60000);
  }

  private async processItems(): Promise<void> {
    fs.writeFileSync('/tmp/plex-sync', 'ok');
  }
}

export default new PlexSync();
"""


@pytest.mark.parametrize("elsewhere", ["// the user model\n", "// a cron expression helper\n"])
def test_js_a_server_timer_loop_is_read_whatever_other_files_say(tmp_path, elsewhere: str) -> None:
    main = {"server/lib/plexsync.ts": SYNC, "server/models/user.ts": elsewhere + "export const user = 1;\n"}
    found = flagged_on_branch(tmp_path, main, {"server/lib/plexsync.ts": SYNC.replace("this.running = true;",
                                                                                      "this.running = !this.running;")})
    assert [line for _, line, *_ in found] == [7]
