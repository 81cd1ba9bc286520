"""Red team of session 27's readings (commits 28ef8f2 … 8fddc7d): Go handlers registered on a
queue package's service, DC704's channel capacity followed one step back, DC718's Go settings,
JS/TS event handler classes, JS/TS trails (a property's member, workspace packages), Java trails
by arity, Go trails on a method's own receiver, Ruby's `String.new(x)` and DC164/DC522's
resque-pool readings.

Each test not marked PASSES NOW fails on the code it was written against (8fddc7d): a silent miss
(a real hazard not flagged), a false flag (a harmless change flagged) or a wrong severity. Each
says what real code it models and what the correct result is. Real git repositories, real
tree-sitter, the whole scan (tests/support/scanning.py).

Not given a failing case: reading 10 (rollback-safe's "yes" beside a high migration finding; the
resumed half-typed answer) and reading 11 (init's trust question, `--base` suggestions, the
nearer-base note, allowed_signers notes) were read but not probed in the time."""

from __future__ import annotations

import json

import pytest

from support.scanning import ANSWER_EXTERNAL, ANSWER_MAIL_WORKER, ANSWER_NEW_QUESTION, CAMPFIRE_WEBHOOK_JOB
from support.scanning import flagged_on_branch as _found


def _lines(found: list[tuple]) -> list[tuple[str, int]]:
    return [(p, line) for p, line, *_ in found]


# =================================================================================================
# 1. Go: a handler registered on a queue package's service (background._consumer_type)
# =================================================================================================

_EXTERNAL = ANSWER_EXTERNAL.replace('\t"example.com/app/internal/service/noticequeue"', '\tnq "example.com/app/internal/service/noticequeue"').replace("noticequeue.ExternalService", "nq.ExternalService")
_NEW_QUESTION = ANSWER_NEW_QUESTION


def test_go_a_handler_registered_on_a_queue_package_imported_under_an_alias(tmp_path) -> None:
    # apache/answer's notification service (apps-t dda51232) with the queue package imported
    # under a short alias (`nq "…/noticequeue"`), as Go code does to keep long package names out
    # of signatures. `_GO_QUEUE_PACKAGE` reads the written qualifier `nq.`, not the package the
    # import names, so the handler's new sleep between mails, run on the queue's one goroutine,
    # is unflagged. Was a silent miss. Correct: DC701 at new_question.go:7, as without the alias.
    found = _found(tmp_path, {"app/notification/external.go": _EXTERNAL, "app/notification/new_question.go": _NEW_QUESTION},
                   {"app/notification/new_question.go": _NEW_QUESTION.replace(
                       "\t\tns.send(ctx, s)\n", "\t\ttime.Sleep(msg.Interval)\n\t\tns.send(ctx, s)\n")})
    assert _lines(found) == [("app/notification/new_question.go", 7)]


# =================================================================================================
# 2. Go DC704: a channel's capacity changed where it comes from (hazards.capacity_flows)
# =================================================================================================

_WORKER = ANSWER_MAIL_WORKER.replace("\t\tqueueSize,\n\t)\n}\n", "\t\tqueueSize,\n\t)\n}\n\n"
                                    "func newDigestWorker() *worker {\n\treturn newWorkerWithBuffer(16)\n}\n")


def test_go_dc704_one_of_two_callers_given_the_other_s_capacity(tmp_path) -> None:
    # answer's mail worker (apps-t e06311a5) with a second constructor, the digest worker, made
    # with a buffer of 16; the change gives it the default 128 (8x the mails held in memory and
    # lost on a restart). `capacity_flows` compares the set of capacities of the function
    # ({128, 16} -> {128}) and reports a value only when it is new to the set, so a caller moved
    # to another caller's value is unflagged. Was a silent miss. Correct: DC704 at line 16.
    found = _found(tmp_path, {"app/notification/worker.go": _WORKER},
                   {"app/notification/worker.go": _WORKER.replace("newWorkerWithBuffer(16)", "newWorkerWithBuffer(queueSize)")},
                   rule="DC704")
    assert _lines(found) == [("app/notification/worker.go", 16)]


_DISPATCHER = """package dispatch

type Job struct{ ID string }

type Dispatcher struct {
	jobs chan Job
}

func NewDispatcher(cfg Config) *Dispatcher {
	d := &Dispatcher{}
	d.start(cfg.QueueSize)
	return d
}

func (d *Dispatcher) start(size int) {
	d.jobs = make(chan Job, size)
	go d.loop()
}

func (d *Dispatcher) loop() {
	for j := range d.jobs {
		_ = j
	}
}
"""


def test_go_dc704_a_capacity_passed_to_a_method(tmp_path) -> None:
    # A dispatcher whose `start` method makes its job channel from a parameter (the common
    # `func (d *Dispatcher) start(size int)` shape); the constructor now passes the CPU count
    # instead of the configured queue size. `_capacities` reads only `function_declaration`s and
    # calls whose callee text is the bare function name, so a method and its `d.start(…)` call
    # are never followed. Was a silent miss. Correct: DC704 at line 11, as for a function.
    found = _found(tmp_path, {"internal/dispatch/dispatcher.go": _DISPATCHER},
                   {"internal/dispatch/dispatcher.go": _DISPATCHER.replace("d.start(cfg.QueueSize)", "d.start(runtime.NumCPU())")},
                   rule="DC704")
    assert _lines(found) == [("internal/dispatch/dispatcher.go", 11)]


_DISPATCHER_FN = """package dispatch

type Job struct{ ID string }

type Dispatcher struct {
	jobs chan Job
}

func NewDispatcher(cfg Config) *Dispatcher {
	return newDispatcher(cfg.QueueSize)
}

func newDispatcher(size int) *Dispatcher {
	d := &Dispatcher{jobs: make(chan Job, size)}
	go d.loop()
	return d
}

func (d *Dispatcher) loop() {
	for j := range d.jobs {
		_ = j
	}
}
"""


@pytest.mark.parametrize("base, head", [
    # A local rename (`cfg` -> `conf`, golint's receiver/parameter naming cleanups): the argument's
    # text changed, the capacity is the same `QueueSize`.
    (_DISPATCHER_FN, _DISPATCHER_FN.replace("cfg", "conf")),
    # A constant written as a shift (`1 << 10`, how Go code writes sizes): the same 1024.
    (_WORKER.replace("const queueSize = 128", "const queueSize = 1024"),
     _WORKER.replace("const queueSize = 128", "const queueSize = 1 << 10")),
], ids=["parameter renamed", "1024 -> 1 << 10"])
def test_go_dc704_the_same_capacity_written_otherwise_is_no_change(tmp_path, base: str, head: str) -> None:
    # `capacity_flows` compares the argument's or constant's text, so a renamed variable or the
    # same number written another way is "now the capacity". Was a false flag. Correct: nothing.
    path = "internal/dispatch/dispatcher.go"
    assert _found(tmp_path, {path: base}, {path: head}, rule="DC704") == []


def test_go_a_channel_capacity_constant_of_another_file_is_read_by_dc718_PASSES_NOW(tmp_path) -> None:
    # PASSES NOW: a capacity constant in the package's constants.go (which makes no channel, so
    # DC704's gate does not read it) is still reported, by DC718, for its `…QueueSize` name.
    dispatcher = "package dispatch\n\ntype Job struct{ ID string }\n\nfunc NewQueue() chan Job {\n\treturn make(chan Job, jobQueueSize)\n}\n"
    constants = "package dispatch\n\n// jobQueueSize is how many jobs wait for a worker.\nconst jobQueueSize = 256\n"
    found = _found(tmp_path, {"internal/dispatch/dispatcher.go": dispatcher, "internal/dispatch/constants.go": constants},
                   {"internal/dispatch/constants.go": constants.replace("256", "4")}, rule="DC718")
    assert _lines(found) == [("internal/dispatch/constants.go", 4)]


# =================================================================================================
# 3. DC718 for Go (tunables._go_tunables)
# =================================================================================================

_CONFIG = """package config

import (
	"flag"
	"os"
	"strconv"
)

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

type Config struct {
	MaxRetries int
	DBMaxConns int
}

func Load() Config {
	return Config{
		MaxRetries: envInt("MAX_RETRIES", 3),
		DBMaxConns: 10,
	}
}

var maxRetries = flag.Int("max-retries", 3, "how many times a failed delivery is tried")
"""


@pytest.mark.parametrize("old, new, line", [
    # The default of a setting read from the environment (`envInt("MAX_RETRIES", 3)`, the most
    # common Go config-loader shape): its string key is why `_go_tunables` skips it.
    ('envInt("MAX_RETRIES", 3)', 'envInt("MAX_RETRIES", 10)', 23),
    # The standard library's flag package: `flag.Int(name, default, usage)` holds two strings.
    ('flag.Int("max-retries", 3,', 'flag.Int("max-retries", 10,', 28),
], ids=["env default", "flag default"])
def test_go_dc718_a_setting_whose_default_sits_beside_its_name_in_a_string(tmp_path, old: str, new: str, line: int) -> None:
    # 8fddc7d skips any value holding a string (dagu's `errors.New("backoff_limit …")`), and so
    # every retry count read from the environment or a flag with a default: 3 tries made 10 is
    # unflagged. Was a silent miss. Correct: DC718 at the changed default's line.
    found = _found(tmp_path, {"internal/config/config.go": _CONFIG}, {"internal/config/config.go": _CONFIG.replace(old, new)},
                   rule="DC718")
    assert _lines(found) == [("internal/config/config.go", line)]


def test_go_dc718_a_plain_keyed_count_PASSES_NOW(tmp_path) -> None:
    # PASSES NOW: `DBMaxConns: 10` made 50 in the same literal.
    found = _found(tmp_path, {"internal/config/config.go": _CONFIG},
                   {"internal/config/config.go": _CONFIG.replace("DBMaxConns: 10", "DBMaxConns: 50")}, rule="DC718")
    assert _lines(found) == [("internal/config/config.go", 24)]


_SETTINGS = """package config

import "time"

type Settings struct {
	RetryBackoff time.Duration `envconfig:"RETRY_BACKOFF" default:"1s"`
	MaxRetries   int           `envconfig:"MAX_RETRIES" default:"3"`
}
"""


def test_go_dc718_a_duration_default_tag(tmp_path) -> None:
    # kelseyhightower/envconfig's settings struct: the retry backoff's default made 30 times longer
    # (`default:"1s"` -> `default:"30s"`). The changed row must hold a `_NUMBER`, which refuses a
    # digit followed by a letter, so Go's duration strings are never numbers. Was a silent miss.
    # Correct: DC718 at line 6 (as `default:"3"` -> `default:"5"` on line 7 is).
    found = _found(tmp_path, {"internal/config/settings.go": _SETTINGS},
                   {"internal/config/settings.go": _SETTINGS.replace('default:"1s"', 'default:"30s"')}, rule="DC718")
    assert _lines(found) == [("internal/config/settings.go", 6)]


_COPY = """package storage

import "io"

const bufferSize = 32 * 1024

func copyFile(dst io.Writer, src io.Reader) error {
	buf := make([]byte, bufferSize)
	_, err := io.CopyBuffer(dst, src, buf)
	return err
}
"""
_UPGRADER = """package ws

import "github.com/gorilla/websocket"

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 1024,
}
"""
_LOCKOUT = """package auth

const maxLoginAttempts = 5

func (s *Service) lockedOut(u *User) bool {
	return u.FailedLogins >= maxLoginAttempts
}
"""


@pytest.mark.parametrize("path, base, head", [
    # A byte buffer for io.CopyBuffer: how many bytes are read at a time, not work.
    ("internal/storage/copy.go", _COPY, _COPY.replace("32 * 1024", "256 * 1024")),
    # gorilla/websocket's Upgrader, in every Go chat or live-update server: I/O buffer bytes.
    ("internal/ws/hub.go", _UPGRADER, _UPGRADER.replace("WriteBufferSize: 1024", "WriteBufferSize: 4096")),
    # A login lockout threshold: a user's failed passwords, nothing the application tries again.
    ("internal/auth/lockout.go", _LOCKOUT, _LOCKOUT.replace("= 5", "= 10")),
], ids=["io buffer", "websocket buffers", "login attempts"])
def test_go_dc718_a_byte_buffer_or_a_user_s_attempts_is_no_retry_or_concurrency_setting(tmp_path, path: str, base: str,
                                                                                      head: str) -> None:
    # `GO_TUNABLE_NAME` takes any `…buffer_?size` (meant for a channel's buffer) and any
    # `…attempts`, so a byte buffer and a lockout threshold are "how often work is tried again …
    # or how much of it runs at once". Was a false flag. Correct: nothing.
    assert _found(tmp_path, {path: base}, {path: head}, rule="DC718") == []


# =================================================================================================
# 4. JS/TS: an event handler class's `handle` (background._event_handler_methods)
# =================================================================================================

_NEST_HANDLER = """import { EventsHandler, IEventHandler } from '@nestjs/cqrs'
import { OrderPlacedEvent } from '../events/order-placed.event'

@EventsHandler(OrderPlacedEvent)
export class OrderPlacedHandler IMPLEMENTS{
  constructor(private readonly stock: StockService) {}

  async handle(event: OrderPlacedEvent) {
    for (const line of event.lines) {
      await this.stock.reserve(line.sku, line.quantity)
    }
  }
}
"""


@pytest.mark.parametrize("implements, flagged", [
    # NestJS CQRS's docs' handler shape without the optional `implements` (TypeScript does not
    # require it; the decorator is what registers the class with the EventBus). Was a silent miss.
    ("", True),
    ("implements IEventHandler<OrderPlacedEvent> ", True),  # PASSES NOW: the same with `implements`
], ids=["@EventsHandler only", "implements IEventHandler (PASSES NOW)"])
def test_js_a_nestjs_events_handler_class_is_background_code(tmp_path, implements: str, flagged: bool) -> None:
    # `_event_handler_methods` reads only the `implements` clause, not NestJS's `@EventsHandler(…)`
    # decorator, which is what makes the EventBus run `handle` after the publishing request has
    # gone on. Correct: DC701 at the new line 10 either way.
    path = "src/orders/handlers/order-placed.handler.ts"
    handler = _NEST_HANDLER.replace("IMPLEMENTS", implements)
    found = _found(tmp_path, {path: handler}, {path: handler.replace(
        "      await this.stock.reserve(line.sku, line.quantity)\n",
        "      if (line.quantity === 0) continue\n      await this.stock.reserve(line.sku, line.quantity)\n")})
    assert _lines(found) == ([(path, 10)] if flagged else [])


# =================================================================================================
# 5. JS/TS trails (reach._js_member_not_called, reach._js_may_call)
# =================================================================================================

_PUSH_WORKER = """import { Worker } from 'bullmq'
import { PushService } from '../services/push'

const push = new PushService()

export const worker = new Worker('push', async (job) => {
  await push.deliver(job.data.userId, job.data.message)
})
"""
_PUSH_SERVICE = """import Redis from 'ioredis'

export class PushService {
  private _redis?: Redis

  private get redis(): Redis {
    if (!this._redis) {
      this._redis = new Redis(process.env.REDIS_URL)
    }
    return this._redis
  }

  async deliver(userId: string, message: string): Promise<void> {
    await this.redis.lpush(`push:${userId}`, message)
  }
}
"""


def test_js_a_lazy_getter_runs_when_its_member_is_used(tmp_path) -> None:
    # A service's lazily built Redis client (`private get redis()`, the usual TypeScript shape),
    # used as `this.redis.lpush(…)` by the method a BullMQ worker calls. The getter's body runs on
    # every `this.redis.…`; `_js_member_not_called` takes any `this.x.y(…)` for no use of `x`, so
    # the client now built with `maxRetriesPerRequest: null` (commands wait forever while Redis
    # is down, in every push job) is unflagged. Was a silent miss (flagged before 93ecb88).
    # Correct: DC701 at src/services/push.ts:8.
    found = _found(tmp_path, {"src/workers/push.ts": _PUSH_WORKER, "src/services/push.ts": _PUSH_SERVICE},
                   {"src/services/push.ts": _PUSH_SERVICE.replace(
                       "new Redis(process.env.REDIS_URL)", "new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null })")})
    assert _lines(found) == [("src/services/push.ts", 8)]


_INVOICE_WORKER = """import { Worker } from 'bullmq'
import { invoiceTotal } from '../../../shared/src/billing'

export const worker = new Worker('invoices', async (job) => {
  const total = invoiceTotal(job.data.lines)
  await job.updateData({ ...job.data, total })
})
"""
_BILLING = """export function invoiceTotal(lines: Line[]): number {
  let total = 0
  for (const line of lines) {
    total += line.price * line.quantity
  }
  return total
}
"""


@pytest.mark.parametrize("root", [True, False], ids=["with a root package.json", "without"])
def test_js_a_package_folder_reaches_another_by_a_relative_import(tmp_path, root: bool) -> None:
    # The common full-stack layout of `server/` and `shared/` folders, each with its own
    # package.json, the server importing the shared code by a relative path
    # (`../../../shared/src/billing`) rather than declaring it as a dependency. `_js_may_call`
    # drops every caller in a package whose package.json does not name the other package, though
    # the worker imports the file itself: the invoice total now rounded per line, in every
    # invoice job, is unflagged. Was a silent miss (flagged before 93ecb88). Correct: DC701 at
    # shared/src/billing.ts:4.
    files = {"server/package.json": json.dumps({"name": "acme-server", "dependencies": {"bullmq": "^5.0.0"}}),
             "shared/package.json": json.dumps({"name": "acme-shared"}),
             "server/src/workers/invoices.ts": _INVOICE_WORKER, "shared/src/billing.ts": _BILLING}
    if root:
        files["package.json"] = json.dumps({"name": "acme", "private": True})
    found = _found(tmp_path, files, {"shared/src/billing.ts": _BILLING.replace(
        "line.price * line.quantity", "Math.round(line.price * line.quantity)")})
    assert _lines(found) == [("shared/src/billing.ts", 4)]


# =================================================================================================
# 6. Java trails: a call with another number of arguments (reach._java_arity, _arity_differs)
# =================================================================================================

_SHIPMENT_JOB = """package com.acme.jobs;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

@Component
public class ShipmentJob {
    private final ShipmentService shipments;

    public ShipmentJob(ShipmentService shipments) {
        this.shipments = shipments;
    }

    @Scheduled(fixedDelay = 60000)
    public void run() {
        for (Order order : shipments.pending()) {
            shipments.ship(
                order, // the order, locked by pending()
                order.getWarehouse());
        }
    }
}
"""
_SHIPMENT_SERVICE = """package com.acme.shipping;

public class ShipmentService {
    private Carrier carrier;

    public void ship(Order order, Warehouse warehouse) {
        carrier.book(order, warehouse);
    }
}
"""
_SHIPMENT_PATH = "src/main/java/com/acme/shipping/ShipmentService.java"


def _shipped(service: str) -> str:
    return service.replace("        carrier.book(order, warehouse);\n",
                           "        order.setShipped(true);\n        carrier.book(order, warehouse);\n")


@pytest.mark.parametrize("job, service", [
    # A comment after an argument of a multi-line call: tree-sitter-java's `line_comment` is a
    # named child of the argument list, counted as a third argument.
    (_SHIPMENT_JOB, _SHIPMENT_SERVICE),
    # A comment among the parameters (`/* locked */`): a `block_comment`, counted as a third one.
    (_SHIPMENT_JOB.replace(" // the order, locked by pending()", ""),
     _SHIPMENT_SERVICE.replace("Order order, Warehouse warehouse", "Order order, /* locked */ Warehouse warehouse")),
], ids=["comment in the arguments", "comment in the parameters"])
def test_java_a_comment_is_no_argument(tmp_path, job: str, service: str) -> None:
    # `_java_arity` and `_arity_differs` leave out children of type "comment", which Java's
    # grammar never produces (its are `line_comment` and `block_comment`), so the scheduled
    # job's two-argument call "calls another overload" and the shipment now marked shipped
    # before the carrier booked it is unflagged. Was a silent miss (flagged before 8ad1bd4).
    # Correct: DC701 at ShipmentService.java:7.
    found = _found(tmp_path, {"src/main/java/com/acme/jobs/ShipmentJob.java": job, _SHIPMENT_PATH: service},
                   {_SHIPMENT_PATH: _shipped(service)})
    assert _lines(found) == [(_SHIPMENT_PATH, 7)]


def test_java_a_kotlin_caller_of_the_same_arity_PASSES_NOW(tmp_path) -> None:
    # PASSES NOW: a Kotlin scheduled job calling the Java method with its two arguments.
    job = """package com.acme.jobs

import org.springframework.scheduling.annotation.Scheduled
import org.springframework.stereotype.Component

@Component
class ShipmentJob(private val shipments: ShipmentService) {
    @Scheduled(fixedDelay = 60000)
    fun run() {
        for (order in shipments.pending()) {
            shipments.ship(order, order.warehouse)
        }
    }
}
"""
    found = _found(tmp_path, {"src/main/kotlin/com/acme/jobs/ShipmentJob.kt": job, _SHIPMENT_PATH: _SHIPMENT_SERVICE},
                   {_SHIPMENT_PATH: _shipped(_SHIPMENT_SERVICE)})
    assert _lines(found) == [(_SHIPMENT_PATH, 7)]


# =================================================================================================
# 7. Go trails: a call on the method's own receiver (reach._go_foreign_receiver)
# =================================================================================================

_STORE = """package postgres

import "example.com/app/internal/sqlbase"

// Store is the Postgres store: the shared query helpers come from sqlbase.DB.
type Store struct {
	*sqlbase.DB
	schema string
}
"""
_SESSIONS = """package postgres

import (
	"context"
	"time"
)

func (s *Store) PurgeExpired(ctx context.Context) error {
	_, err := s.Exec(ctx, "DELETE FROM sessions WHERE expires_at < $1", time.Now())
	return err
}

func (s *Store) StartJanitor(ctx context.Context) {
	ticker := time.NewTicker(time.Hour)
	go func() {
		for range ticker.C {
			_ = s.PurgeExpired(ctx)
		}
	}()
}
"""
_DB = """package sqlbase

import (
	"context"
	"database/sql"
)

type DB struct {
	conn *sql.DB
}

func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.conn.ExecContext(ctx, query, args...)
}
"""
_DB_TIMED = _DB.replace("\treturn d.conn.ExecContext(ctx, query, args...)\n",
                        "\tctx, cancel := context.WithTimeout(ctx, d.timeout)\n\tdefer cancel()\n"
                        "\treturn d.conn.ExecContext(ctx, query, args...)\n")


@pytest.mark.parametrize("files", [
    # The store's type in store.go, its methods in sessions.go: how Go packages are laid out.
    {"internal/store/postgres/store.go": _STORE, "internal/store/postgres/sessions.go": _SESSIONS},
    # PASSES NOW: the type declared beside the methods.
    {"internal/store/postgres/sessions.go": _SESSIONS + "\n" + _STORE.split("\n", 3)[3]},
], ids=["type declared in another file", "type declared in the same file (PASSES NOW)"])
def test_go_a_call_on_a_receiver_whose_type_embeds_the_owner_in_another_file(tmp_path, files: dict) -> None:
    # A Postgres store embedding a shared `*sqlbase.DB` (promoted `Exec`), its hourly session
    # janitor calling `s.Exec(…)`. `_go_foreign_receiver` takes a receiver type declared in
    # another file "to embed none", so `s.Exec` is the store's own method and the timeout now
    # put on every Exec, the janitor's DELETE included, is unflagged. Was a silent miss (flagged
    # before 8ad1bd4). Correct: DC701 at internal/sqlbase/db.go:13.
    found = _found(tmp_path, {**files, "internal/sqlbase/db.go": _DB}, {"internal/sqlbase/db.go": _DB_TIMED})
    assert _lines(found) == [("internal/sqlbase/db.go", 13)]


# =================================================================================================
# 8. Ruby: `String.new(x)` read as `x.dup` (units._unfrozen_copy)
# =================================================================================================

_WEBHOOK = CAMPFIRE_WEBHOOK_JOB.replace('    text.force_encoding("UTF-8")\n    Message.create!(body: text)\n',
                                        '    return if text.blank?\n\n    Message.create!(body: text.force_encoding("UTF-8"))\n')


def test_ruby_string_new_of_a_value_that_may_be_nil_is_no_dup(tmp_path) -> None:
    # once-campfire's webhook reply job (the apps-t case), where the bot's reply may be empty:
    # Net::HTTP's `body` is nil for a 204, which the next line handles (`return if
    # text.blank?`). `nil.dup` is nil; `String.new(nil)` raises TypeError, so every webhook
    # answered with 204 now fails its job and is retried, posting the message again.
    # `_unfrozen_copy` reads `String.new(x)` as `x.dup` whatever `x` is. Was a silent miss.
    # Correct: DC701 at line 8 (only a string literal is known not to be nil).
    found = _found(tmp_path, {"app/jobs/webhook/delivery_job.rb": _WEBHOOK},
                   {"app/jobs/webhook/delivery_job.rb": _WEBHOOK.replace("response.body.dup", "String.new(response.body)")})
    assert _lines(found) == [("app/jobs/webhook/delivery_job.rb", 8)]


# =================================================================================================
# 9. DC164 / DC522: resque-pool (checks._resque_pool_queues, worker-config DC522)
# =================================================================================================

_PUSH_JOB = "class Room::PushMessageJob < ApplicationJob\n  queue_as :default\n\n  def perform(room, message)\n  end\nend\n"


def test_dc164_a_queue_resque_pool_serves_by_a_glob_is_served(tmp_path) -> None:
    # Resque's workers match each queue name with File.fnmatch (Resque::Worker#glob_match:
    # `*`, `?`, `[…]`, `{…}`), so a pool entry `"default,push_*"` serves `push_notifications`.
    # `_resque_pool_queues` knows only the bare `*`, so the move is "never run" at high. Was a
    # wrong severity. Correct: DC164 at line 2 as a warning, the queue served.
    path = "app/jobs/room/push_message_job.rb"
    found = _found(tmp_path, {"config/resque-pool.yml": '"default,push_*": 2\n', path: _PUSH_JOB},
                   {path: _PUSH_JOB.replace(":default", ":push_notifications")}, rule="DC164")
    assert [(at, line, level) for at, line, _side, level, _m in found] == [(path, 2, "warning")]


_POOL = """# resque-pool's README layout: every environment's entries, then production's own
default: 1
"default,pushes": 1

production:
  default: 2
  "default,pushes": 4
"""


def test_dc522_an_environment_s_entry_is_compared_with_its_own_PASSES_NOW(tmp_path) -> None:
    # PASSES NOW: the same key at the top level and under `production:`; production's changed
    # entry is reported with production's old value (2), not the top level's (1).
    found = _found(tmp_path, {"config/resque-pool.yml": _POOL, "Gemfile": "gem 'resque-pool'\n"},
                   {"config/resque-pool.yml": _POOL.replace("  default: 2", "  default: 16")}, rule="DC522")
    assert [(p, line) for p, line, *_ in found] == [("config/resque-pool.yml", 6)]
    assert "changed from 2 to 16" in found[0][4]
