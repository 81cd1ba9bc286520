"""Red team of session 32's readings (REDTEAM32.md: rabbitmq-client's createConsumer, an async
function left running, event-handler interfaces, NATS/amqp091 delivery settings, DC252's
transaction literals, JVM timer tasks, node-schedule, a JS server's own timers): each test asserts
the correct behaviour on a real git repository and fails now."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch


def _lines(found: list[tuple]) -> list[int]:
    return sorted({line for _, line, *_ in found})


# --- 1. JS/TS: rabbitmq-client's createConsumer -------------------------------------------------

# "Consumer" is a business word: Kong's Admin API creates a *consumer* (an API client) for each key
# a user asks for, marketplaces have consumers, mediasoup SFUs wrap `transport.consume()` in a
# `room.createConsumer({...})` of their own. rabbitmq-client's `createConsumer(props, handler)`
# always takes the handler function; these calls take one options object and no function. The
# object itself is read as the "message consumer", so a routine change to a request handler's
# arguments (which id Kong records, whether a WebRTC consumer starts paused) is reported as
# background code.
KONG_ROUTE = """const express = require('express');
const kong = require('../lib/kong');

const router = express.Router();

router.post('/api-keys', async (req, res) => {
  const consumer = await kong.createConsumer({
    username: req.user.email,
    custom_id: String(req.user.id),
  });
  const key = await kong.createKey(consumer.id);
  res.status(201).json({ key: key.key });
});

module.exports = router;
"""
SFU_SIGNALING = """const { Server } = require('socket.io');

function attach(io, room) {
  io.on('connection', (socket) => {
    socket.on('consume', async ({ transportId, producerId, rtpCapabilities }, callback) => {
      const consumer = await room.createConsumer({
        transportId,
        producerId,
        rtpCapabilities,
        paused: true,
      });
      callback({ id: consumer.id, kind: consumer.kind });
    });
  });
}

module.exports = { attach };
"""


@pytest.mark.parametrize("path, source, before, after", [
    ("src/routes/keys.js", KONG_ROUTE, "custom_id: String(req.user.id),", "custom_id: `user-${req.user.id}`,"),
    ("server/signaling.js", SFU_SIGNALING, "paused: true,", "paused: false,"),
])
def test_js_create_consumer_with_only_an_options_object_is_no_message_consumer(tmp_path, path: str, source: str,
                                                                               before: str, after: str) -> None:
    found = flagged_on_branch(tmp_path, {path: source}, {path: source.replace(before, after)})
    assert found == []


# --- 2. JS/TS: an async function of the file started and left to run ----------------------------

# Express 4's standard async error handling: `listOrders(req, res).catch(next)` in the route's
# callback. The promise is "left running" only in the sense that Express never awaits a handler;
# the request's own response is sent from inside it. Every change to every such route handler is
# now "deferred work", and an Express app written this way gets a warning on each routine edit.
EXPRESS_ROUTES = """const express = require('express');
const db = require('../db');

const router = express.Router();

async function listOrders(req, res) {
  const rows = await db.query('SELECT * FROM orders WHERE user_id = $1', [req.user.id]);
  res.json(rows);
}

router.get('/orders', (req, res, next) => {
  listOrders(req, res).catch(next);
});

module.exports = router;
"""


def test_js_express_route_wrapper_catching_into_next_is_not_deferred_work(tmp_path) -> None:
    path = "src/routes/orders.js"
    found = flagged_on_branch(tmp_path, {path: EXPRESS_ROUTES},
                              {path: EXPRESS_ROUTES.replace("res.json(rows);", "res.json({ orders: rows });")})
    assert found == []


# The same in a bare Node server: `http.createServer((req, res) => { handle(req, res).catch(…) })`
# is how a request is answered, not work beside the requests.
NODE_SERVER = """import http from 'node:http';

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = JSON.stringify({ ok: true });
  res.end(body);
}

export const server = http.createServer((req, res) => {
  handle(req, res).catch(() => {
    res.statusCode = 500;
    res.end();
  });
});
"""


def test_js_node_http_request_handler_caught_in_create_server_is_not_deferred_work(tmp_path) -> None:
    path = "src/server.ts"
    found = flagged_on_branch(tmp_path, {path: NODE_SERVER},
                              {path: NODE_SERVER.replace("{ ok: true }", "{ ok: true, version: 2 }")})
    assert found == []


# umbrel's boot as the reading's own test has it, with the started call written the other common
# ways: a `.then(log)` before the `.catch(…)`, or a bare function started with `void` (what
# typescript-eslint's no-floating-promises tells you to write). The reinstalls still run beside
# the boot, but only `.catch(…)` directly on the call and `void this.…` are read: silent misses.
BOOT = """import fse from 'fs-extra'
import {dirname} from 'node:path'

export default class Apps {
  instances: string[] = []

  async start() {
    await fse.ensureDir(dirname('/data/apps/x'))
    this.reinstallMissing(this.instances).then(() => console.log('reinstalled')).catch((error) => console.error(error))
    await this.render()
  }

  private async reinstallMissing(ids: string[]) {
    for (const id of ids) {
      await fse.remove(`/data/apps/${id}`)
    }
  }

  private async render() {
    await fse.writeFile('/data/index.html', '<p>apps</p>')
  }
}
"""


def test_js_async_method_started_with_then_before_catch_is_deferred_work(tmp_path) -> None:
    path = "source/modules/apps/apps.ts"
    found = flagged_on_branch(tmp_path, {path: BOOT}, {path: BOOT.replace(
        "await fse.remove(`/data/apps/${id}`)", "await fse.remove(`/data/apps/${id}`, {force: true})")})
    assert _lines(found) == [15]


CATALOG = """import { readFile, writeFile } from 'node:fs/promises';

const syncCatalog = async (force: boolean): Promise<void> => {
  const raw = await readFile('/data/catalog.json', 'utf8');
  await writeFile('/data/catalog.cache', raw);
};

export function boot(): void {
  void syncCatalog(true);
}
"""


def test_js_bare_async_function_started_with_void_is_deferred_work(tmp_path) -> None:
    path = "server/catalog.ts"
    found = flagged_on_branch(tmp_path, {path: CATALOG}, {path: CATALOG.replace(
        "await writeFile('/data/catalog.cache', raw);", "await writeFile('/data/catalog.cache', raw.trim());")})
    assert _lines(found) == [5]


# `this.run().catch(log)` is resolved by the method's bare name across the whole file, so every
# class of the module with an async `run` (a command object's, an exporter's: `run` is the most
# common method name there is) becomes "deferred work" because another class starts its own `run`.
# The CSV export here runs when a request awaits it.
TWO_RUNS = """import { writeFile } from 'node:fs/promises';

export class CsvExport {
  constructor(private rows: string[]) {}

  async run(): Promise<string> {
    return this.rows.join('\\n');
  }
}

export class CacheWarmup {
  start(): void {
    this.run().catch((err) => console.error(err));
  }

  private async run(): Promise<void> {
    await writeFile('/tmp/warm', 'ok');
  }
}
"""


def test_js_this_method_left_running_marks_only_its_own_class_method(tmp_path) -> None:
    path = "src/services/export.ts"
    found = flagged_on_branch(tmp_path, {path: TWO_RUNS}, {path: TWO_RUNS.replace(
        "this.rows.join('\\n')", "this.rows.join('\\r\\n')")})
    assert found == []


# --- 3. Java/Kotlin: a class implementing an event-handler interface -----------------------------

# Every @Override / `override` counts as a handler entry, not only the interface's methods: the
# conference's `toString()` (which every Java and Kotlin class of that size overrides, for logs)
# is reported as "event handler run by its subscription". A reworded toString is routine.
CONFERENCE_JAVA = """package org.example;

import java.util.HashMap;
import java.util.Map;

public class Conference implements Transport.EndpointMessageTransportEventHandler {
    private final Map<String, String> endpoints = new HashMap<>();
    private final String id;

    public Conference(String id) {
        this.id = id;
    }

    @Override
    public void endpointMessageTransportConnected(String endpoint) {
        endpoints.put(endpoint, "connected");
    }

    @Override
    public String toString() {
        return "Conference[id=" + id + "]";
    }
}
"""
CONFERENCE_KT = """package org.example

class Conference(private val id: String) : Transport.EndpointMessageTransportEventHandler {
    private val endpoints = HashMap<String, String>()

    override fun endpointMessageTransportConnected(endpoint: String) {
        endpoints[endpoint] = "connected"
    }

    override fun toString(): String {
        return "Conference[id=$id]"
    }
}
"""


@pytest.mark.parametrize("path, source, before, after", [
    ("src/main/java/org/example/Conference.java", CONFERENCE_JAVA,
     '"Conference[id=" + id + "]"', '"Conference[id=" + id + ", endpoints=" + endpoints.size() + "]"'),
    ("src/main/kotlin/org/example/Conference.kt", CONFERENCE_KT,
     '"Conference[id=$id]"', '"Conference[id=$id, endpoints=${endpoints.size}]"'),
])
def test_jvm_handler_interface_class_to_string_override_is_not_the_handler(tmp_path, path: str, source: str,
                                                                           before: str, after: str) -> None:
    found = flagged_on_branch(tmp_path, {path: source}, {path: source.replace(before, after)})
    assert found == []


# --- 4. Go: NATS JetStream / amqp091 delivery settings (DC525) --------------------------------

# The RabbitMQ Go tutorial's "work queues" step, the first thing anyone reads about amqp091
# durability: the queue declared durable (`QueueDeclare(name, durable=true, …)`) and messages
# published persistent (`DeliveryMode: amqp.Persistent`). Flip either and a broker restart loses
# every queued task; neither is read, though DC525 says it reads amqp091's delivery settings.
AMQP_WORKER = """package worker

import (
	"log"

	amqp "github.com/rabbitmq/amqp091-go"
)

func Start(ch *amqp.Channel) error {
	q, err := ch.QueueDeclare("tasks", false, false, false, false, nil)
	if err != nil {
		return err
	}
	msgs, err := ch.Consume(q.Name, "", false, false, false, false, nil)
	if err != nil {
		return err
	}
	go func() {
		for d := range msgs {
			log.Printf("task %s", d.Body)
			d.Ack(false)
		}
	}()
	return nil
}

func Publish(ch *amqp.Channel, body []byte) error {
	return ch.Publish("", "tasks", false, false, amqp.Publishing{
		DeliveryMode: amqp.Transient,
		ContentType:  "text/plain",
		Body:         body,
	})
}
"""


@pytest.mark.parametrize("before, after, line", [
    ('ch.QueueDeclare("tasks", false,', 'ch.QueueDeclare("tasks", true,', 10),
    ("DeliveryMode: amqp.Transient,", "DeliveryMode: amqp.Persistent,", 29),
])
def test_go_amqp_queue_durability_and_persistent_delivery_are_read(tmp_path, before: str, after: str,
                                                                    line: int) -> None:
    path = "internal/worker/worker.go"
    found = flagged_on_branch(tmp_path, {path: AMQP_WORKER}, {path: AMQP_WORKER.replace(before, after)}, rule="DC525")
    assert _lines(found) == [line]


# A consumer file that also defines its metrics: Prometheus's `SummaryOpts{MaxAge: …}` is the
# summary's sliding window. In a file importing nats.go every `MaxAge:` is read as a stream's
# retention ("how messages are delivered, acknowledged, redelivered or kept changes").
NATS_CONSUMER = """package consumer

import (
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
)

var handleSeconds = prometheus.NewSummary(prometheus.SummaryOpts{
	Name:   "order_handle_seconds",
	MaxAge: 10 * time.Minute,
})

func Start(js nats.JetStreamContext) error {
	_, err := js.Subscribe("orders.>", func(m *nats.Msg) {
		start := time.Now()
		defer handleSeconds.Observe(time.Since(start).Seconds())
		m.Ack()
	}, nats.ManualAck())
	return err
}
"""


def test_go_prometheus_summary_max_age_in_a_nats_file_is_no_delivery_setting(tmp_path) -> None:
    path = "internal/consumer/orders.go"
    found = flagged_on_branch(tmp_path, {path: NATS_CONSUMER}, {path: NATS_CONSUMER.replace(
        "MaxAge: 10 * time.Minute,", "MaxAge: 5 * time.Minute,")}, rule="DC525")
    assert found == []


# --- 5. Go: a call handed a function literal that takes the transaction (DC252) ----------------

# bbolt's `db.View(func(tx *bolt.Tx) error {…})` is a read-only snapshot: the library's way to read
# one key, with no lock that a writer waits on. Every new getter of a bbolt- (or buntdb-, badger-)
# backed store is now "concurrency control changed", like opening a writing transaction.
BOLT_STORE = """package store

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

type Store struct {
	db *bolt.DB
}

func (s *Store) Get(id string) (*Item, error) {
	var item Item
	err := s.db.View(func(tx *bolt.Tx) error {
		return json.Unmarshal(tx.Bucket([]byte("items")).Get([]byte(id)), &item)
	})
	return &item, err
}
"""
BOLT_COUNT = """
func (s *Store) Count() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket([]byte("items")).Stats().KeyN
		return nil
	})
	return n, err
}
"""


def test_go_bbolt_read_only_view_is_no_transaction_change(tmp_path) -> None:
    path = "internal/store/store.go"
    found = flagged_on_branch(tmp_path, {path: BOLT_STORE}, {path: BOLT_STORE + BOLT_COUNT}, rule="DC252")
    assert found == []


# The same helper as dendrite's `Writer.Do`, written the other two idiomatic ways: the literal
# takes the context first (`func(ctx context.Context, txn *sql.Tx) error`), or returns a value
# with its error (a generic `Transact[T]` helper: `func(txn *sql.Tx) (*User, error)`). Both are
# function literals whose parameter is the transaction; neither is read, so `nil` becoming
# `d.DB` (the transaction now opened) passes unflagged.
TX_CTX_FIRST = """package shared

import (
	"context"
	"database/sql"
)

type Database struct {
	DB     *sql.DB
	Writer Writer
}

func (d *Database) DeleteDeviceKeys(ctx context.Context, userID string) error {
	return d.Writer.Do(nil, func(ctx context.Context, txn *sql.Tx) error {
		return deleteKeys(ctx, txn, userID)
	})
}
"""
TX_RESULT = """package shared

import (
	"context"
	"database/sql"
)

type Database struct {
	DB *sql.DB
}

func (d *Database) CountDeviceKeys(ctx context.Context, userID string) (int64, error) {
	return Transact(nil, func(txn *sql.Tx) (int64, error) {
		return countKeys(ctx, txn, userID)
	})
}
"""


@pytest.mark.parametrize("source, before, after, line", [
    (TX_CTX_FIRST, "d.Writer.Do(nil, func", "d.Writer.Do(d.DB, func", 14),
    (TX_RESULT, "Transact(nil, func", "Transact(d.DB, func", 13),
])
def test_go_function_literal_taking_the_transaction_in_other_shapes_is_a_transaction(tmp_path, source: str, before: str,
                                                                                      after: str, line: int) -> None:
    path = "keyserver/storage/shared/storage.go"
    found = flagged_on_branch(tmp_path, {path: source}, {path: source.replace(before, after)}, rule="DC252")
    assert _lines(found) == [line]


# --- 7. Java: work handed to an application's own timer task ------------------------------------

# OpenVidu's collector as Java code just as often writes it: method references, the work and the
# period both (`new UpdatableTimerTask(this::collectGarbage, config::getGcPeriod)`). Only a lambda
# written in the call is read, so the garbage collector's race-prone removal passes unflagged.
SESSION_MANAGER = """package io.example.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

public class SessionManager {
    private final Map<String, String> sessions = new ConcurrentHashMap<>();
    private final Config config = new Config();
    private UpdatableTimerTask collector;

    public void init() {
        this.collector = new UpdatableTimerTask(this::collectGarbage, config::getGcPeriod);
        this.collector.updateTimer();
    }

    private void collectGarbage() {
        for (String id : sessions.keySet()) {
            if (sessions.containsKey(id)) {
                sessions.remove(id);
            }
        }
    }
}
"""


def test_java_method_reference_handed_to_an_own_timer_task_runs_on_the_timer(tmp_path) -> None:
    path = "src/main/java/io/example/core/SessionManager.java"
    found = flagged_on_branch(tmp_path, {path: SESSION_MANAGER}, {path: SESSION_MANAGER.replace(
        "            if (sessions.containsKey(id)) {\n                sessions.remove(id);\n            }\n",
        "            sessions.remove(id);\n")})
    assert _lines(found) == [18]


# --- 8. JS/TS: node-schedule's scheduleJob ----------------------------------------------------

# `scheduleJob` counts bare and on any receiver, with any argument: an application's own
# `scheduleJob(name, payload)` around BullMQ's `queue.add` is read as node-schedule's, and its
# payload object as the scheduled job. A request handler's routine change to what it enqueues is
# reported as "scheduled job (node-schedule)" code, in a file that never imports node-schedule.
SIGNUP_ROUTE = """import express from 'express';
import { scheduleJob } from '../jobs/queue';

export const router = express.Router();

router.post('/signup', async (req, res) => {
  const user = await createUser(req.body);
  await scheduleJob('send-welcome-email', {
    userId: user.id,
    locale: req.body.locale,
  });
  res.status(201).json(user);
});
"""
APP_QUEUE = """import { Queue } from 'bullmq';

const queue = new Queue('jobs');

export async function scheduleJob(name: string, data: object): Promise<void> {
  await queue.add(name, data);
}
"""


def test_js_an_application_schedule_job_handed_no_function_is_not_node_schedule(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"src/routes/signup.ts": SIGNUP_ROUTE, "src/jobs/queue.ts": APP_QUEUE},
                              {"src/routes/signup.ts": SIGNUP_ROUTE.replace("locale: req.body.locale,",
                                                                            "locale: req.body.locale ?? 'en',")})
    assert found == []


# --- 9. JS/TS: a server module's own timers, whatever the rest of the repository names --------

# Now read in every repository, and "server" is any `process.` in the text. A Next.js app's
# browser-side session refresher reads `process.env.NEXT_PUBLIC_…` (which Next inlines into the
# page bundle) and has no React import and no `window.`: its interval runs in the browser, yet a
# renamed localStorage key is now background code.
NEXT_SESSION = """import { api } from './api';

const REFRESH_MS = Number(process.env.NEXT_PUBLIC_SESSION_REFRESH_MS ?? 240000);

export function startSessionRefresh(): void {
  setInterval(() => {
    api.post('/auth/refresh').then((r) => localStorage.setItem('token', r.data.token));
  }, REFRESH_MS);
}
"""


def test_js_next_public_env_module_timer_runs_in_the_browser(tmp_path) -> None:
    main = {"src/lib/session.ts": NEXT_SESSION,
            "package.json": '{"dependencies": {"next": "14.2.0", "react": "18.2.0"}}\n'}
    found = flagged_on_branch(tmp_path, main, {"src/lib/session.ts": NEXT_SESSION.replace(
        "localStorage.setItem('token',", "localStorage.setItem('access_token',")})
    assert found == []


# The standard fetch timeout: `setTimeout(() => controller.abort(), 5000)` before `await
# fetch(…, { signal })`. The timer is not kept in a variable, so it reads as fire-and-forget
# "deferred work"; it is the request's own deadline, and a longer timeout is a routine change.
AVATAR = """import { URL } from 'node:url';

export async function fetchAvatar(userId: string): Promise<Buffer> {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 5000);
  const res = await fetch(new URL(`/avatars/${userId}`, process.env.CDN_URL), { signal: controller.signal });
  return Buffer.from(await res.arrayBuffer());
}
"""


def test_js_abort_controller_timeout_is_the_request_deadline_not_deferred_work(tmp_path) -> None:
    path = "src/services/avatar.ts"
    found = flagged_on_branch(tmp_path, {path: AVATAR}, {path: AVATAR.replace("5000", "10000")})
    assert found == []


# A Node CLI (`bin/` with a shebang) in a repository with no server at all: its spinner's
# `setInterval` is a progress display for the one user at the terminal, not work beside requests.
CLI = """#!/usr/bin/env node
const { build } = require('../lib/build');

const frames = ['-', '\\\\', '|', '/'];
let i = 0;
const spinner = setInterval(() => {
  process.stdout.write(`\\r${frames[i++ % frames.length]} building`);
}, 80);

build(process.argv[2]).finally(() => clearInterval(spinner));
"""


def test_js_cli_spinner_interval_is_no_server_timer(tmp_path) -> None:
    main = {"bin/mytool.js": CLI, "lib/build.js": "module.exports.build = async () => {};\n"}
    found = flagged_on_branch(tmp_path, main, {"bin/mytool.js": CLI.replace(" building`", " building...`")})
    assert found == []


# The other way round: a TypeScript Express server's session cleanup imports only npm packages
# (`express`, its own `./db` over Prisma) and names neither `node:` modules nor `process.`. It is
# no "server module", so its interval, which deletes rows every minute beside the requests, is
# never read: a changed delete condition passes with nothing flagged.
SESSION_CLEANUP = """import express from 'express';
import { prisma } from './db';

export const app = express();

export function startSessionCleanup(): void {
  setInterval(async () => {
    await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  }, 60_000);
}
"""


def test_js_express_module_own_interval_is_read_without_node_builtins(tmp_path) -> None:
    path = "src/server.ts"
    found = flagged_on_branch(tmp_path, {path: SESSION_CLEANUP}, {path: SESSION_CLEANUP.replace(
        "{ expiresAt: { lt: new Date() } }", "{ OR: [{ expiresAt: { lt: new Date() } }, { revoked: true }] }")})
    assert _lines(found) == [8]
