"""Red team of session 22's readings (commits 11c18a3, a5d3bfd, fedc1c0, f295a0c, bf49acf): DC715 for
JS/TS producers, `build/`/`dist/` below `src/`, NestJS microservices handlers, the claims of a
`refactor:` title and of DC001, and the Go worker-machinery evidence. Each test not marked PASSES NOW
fails on the code it was written against (bf49acf): a silent miss (a real hazard not flagged), a
false flag (a harmless change flagged) or a wrong reading. Each says what real code it models and
what the correct result is. Real git repositories, real tree-sitter, the whole scan.

Reading 5 (`check --force --key K` untrusted over a valid record) was not given a case here: its own
test (tests/commands/test_force_keeps_trusted_record.py) covers the change, and no failing case was
found in the time."""

from __future__ import annotations

import pytest

from support.gitrepo import make_branch, make_repo
from support.scanning import flagged_on_branch as _found


def _lines(found: list[tuple]) -> list[tuple[str, int]]:
    return [(p, line) for p, line, *_ in found]


# =================================================================================================
# 1. DC715 for JS/TS (rules/trees/jsproducer.py, keywords.js_producer_hints)
# =================================================================================================

_TYPED_QUEUE = '''import { Queue } from "bullmq";
import { connection } from "../redis";

interface WelcomeJob { userId: string }

const emailQueue = new Queue<WelcomeJob>("emails", { connection });

export async function signup(user: { id: string }) {
  await emailQueue.add("welcome", { userId: user.id });
}
'''


def test_dc715_a_typed_bullmq_queue_is_a_job_queue(tmp_path) -> None:
    # BullMQ's Queue is generic, and typed TypeScript code writes its job's data type:
    # `new Queue<WelcomeJob>("emails", …)` (BullMQ's own docs and most NestJS/Express apps on it).
    # `_in_memory` counts `new Queue<…>` as an in-process data-structure queue, so the new enqueue
    # (a follow-up email a day later) is not read. Was a silent miss (the same code with
    # `new Queue(` is flagged). Correct: flagged on line 10.
    path = "src/services/email.service.ts"
    head = _TYPED_QUEUE.replace(
        '  await emailQueue.add("welcome", { userId: user.id });\n',
        '  await emailQueue.add("welcome", { userId: user.id });\n'
        '  await emailQueue.add("welcome-followup", { userId: user.id }, { delay: 86_400_000 });\n')
    found = _found(tmp_path, {path: _TYPED_QUEUE}, {path: head}, rule="DC715")
    assert _lines(found) == [(path, 10)]


_DIGEST = '''import { Queue } from "bullmq";
import { connection } from "../redis";

const digestQueue = new Queue("digests", { connection });

export async function scheduleDigest(userId: string) {
  await digestQueue.add(
    "daily-digest",
    { userId },
    {
      jobId: `digest-${userId}`,
      attempts: 5,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: true,
    },
  );
}
'''


@pytest.mark.parametrize("old, new, line", [
    ("    { userId },\n", '    { userId, tz: "UTC" },\n', 9),  # the payload gains a field the worker reads
    ("      attempts: 5,\n", "      attempts: 1,\n", 12),    # no more retries for a flaky mail provider
    ("      jobId: `digest-${userId}`,\n", "", 11),           # the dedupe key dropped: one digest per call
], ids=["payload", "attempts", "jobId-dropped"])
def test_dc715_an_argument_changed_inside_a_prettier_formatted_add(tmp_path, old: str, new: str, line: int) -> None:
    # Prettier puts a BullMQ `add` with an options object one argument and one option a line; the
    # change is to its payload or an option, not to the line `digestQueue.add(`. producer_changes
    # itself reports the call (lines 7-16) when asked, but it is never asked: the gate
    # js_producer_hints looks for `queue.add(` in the hunks, and the scan's diff is `git diff -U0`,
    # whose hunks hold only the changed lines. Was a silent miss (of what DC715's message names:
    # "its payload, queue, attempts, delay"). Correct: one
    # DC715 finding, on the changed line (or the call's first line, 7). The file is a service, not a
    # job folder, so DC701 does not cover it either.
    path = "src/services/digest.service.ts"
    found = _found(tmp_path, {path: _DIGEST}, {path: _DIGEST.replace(old, new)}, rule="DC715")
    assert len(found) == 1 and found[0][0] == path and found[0][1] in (7, line)
    assert _found(tmp_path / "any", {path: _DIGEST}, {path: _DIGEST.replace(old, new)}, rule=None) != []


_SIGNUP = '''import { Queue } from "bullmq";
import { connection } from "../redis";

const emailQueue = new Queue("emails", { connection });

export async function signup(user: { id: string; email: string }) {
  await emailQueue.add("welcome", { userId: user.id, email: user.email }, { jobId: `welcome-${user.id}` })
}
'''


def test_dc715_prettier_wrapping_the_same_call_is_not_new(tmp_path) -> None:
    # Adopting Prettier 3 (trailingComma "all" by default) wraps the long line and adds a trailing
    # comma and the semicolon: the same call, the same payload and options. The comparison removes
    # whitespace only, so the trailing comma makes it "new". Was a false flag. Correct: nothing.
    path = "src/services/signup.ts"
    head = _SIGNUP.replace(
        '  await emailQueue.add("welcome", { userId: user.id, email: user.email }, { jobId: `welcome-${user.id}` })\n',
        '  await emailQueue.add(\n'
        '    "welcome",\n'
        '    { userId: user.id, email: user.email },\n'
        '    { jobId: `welcome-${user.id}` },\n'
        '  );\n')
    assert _found(tmp_path, {path: _SIGNUP}, {path: head}, rule="DC715") == []


_UPLOADER = '''import PQueue from "p-queue";
import { useMemo } from "react";
import { uploadFile } from "../api/files";

export function Uploader({ files }: { files: File[] }) {
  const uploadQueue = useMemo(() => new PQueue({ concurrency: 2 }), []);

  const start = () => {
    files.forEach((file) => uploadQueue.add(() => uploadFile(file)));
  };

  return <button onClick={start}>Upload</button>;
}
'''


def test_dc715_a_p_queue_made_in_a_react_hook_is_no_job_queue(tmp_path) -> None:
    # A React uploader limits parallel uploads with p-queue, created once with `useMemo` (the usual
    # way in a component). The file binds `uploadQueue` to a PQueue and imports no job library, but
    # `_in_memory` reads only `name = new PQueue(`. Browser code: nothing is enqueued to a worker.
    # Was a false flag ("hands work to a BullMQ/Bull queue"). Correct: nothing.
    path = "src/components/Uploader.tsx"
    head = _UPLOADER.replace("uploadFile(file)));", "uploadFile(file, { resumable: true })));")
    assert _found(tmp_path, {path: _UPLOADER}, {path: head}, rule="DC715") == []


_ROUTES = '''import { Router } from "express";
import { Queue } from "bullmq";
import { connection } from "../redis";

const exportQueue = new Queue("exports", { connection });
export const router = Router();

router.post("/exports", async (req, res) => {
  await exportQueue.add("export", { userId: req.user.id });
  res.status(202).end();
});
'''


def test_dc715_a_new_express_route_that_repeats_an_enqueue(tmp_path) -> None:
    # Express handlers are anonymous arrows, so each enqueue is compared with the whole base file.
    # A new route enqueuing the same export thirty times (a backfill) holds a call text the file
    # already had in another route, and is taken for "moved". It is one more place that starts the
    # job, thirty runs at once. Was a silent miss. Correct: flagged on line 15.
    path = "src/routes/exports.ts"
    head = _ROUTES + '''
router.post("/exports/backfill", async (req, res) => {
  for (let day = 0; day < 30; day++) {
    await exportQueue.add("export", { userId: req.user.id });
  }
  res.status(202).end();
});
'''
    found = _found(tmp_path, {path: _ROUTES}, {path: head}, rule="DC715")
    assert _lines(found) == [(path, 15)]


_REMINDERS = '''import PgBoss from "pg-boss";

const boss = new PgBoss(process.env.DATABASE_URL!);

export async function remind(userId: string) {
  await boss.send("reminders", { userId });
}
'''


@pytest.mark.parametrize("call", ['sendOnce("reminders", { userId }, {}, userId)',
                                  'sendSingleton("reminders", { userId })'], ids=["sendOnce", "sendSingleton"])
def test_dc715_pg_boss_9_send_once_and_singleton(tmp_path, call: str) -> None:
    # pg-boss 9 (in wide use; 10 dropped these) enqueues with `sendOnce` and `sendSingleton` too:
    # switching a reminder to one of them changes how many runs exist (one per key). Neither is in
    # the pg-boss method set. Was a silent miss. Correct: flagged on line 6.
    path = "src/notifications/reminders.ts"
    head = _REMINDERS.replace('send("reminders", { userId })', call)
    found = _found(tmp_path, {path: _REMINDERS}, {path: head}, rule="DC715")
    assert _lines(found) == [(path, 6)]


_FLOW = '''import { FlowProducer } from "bullmq";
import { connection } from "../redis";

const flowProducer = new FlowProducer({ connection });

export async function placeOrder(orderId: string) {
  await flowProducer.add({
    name: "ship-order",
    queueName: "shipping",
    data: { orderId },
    children: [{ name: "charge", queueName: "payments", data: { orderId } }],
  });
}
'''


def test_dc715_a_bullmq_flow_producer_add(tmp_path) -> None:
    # BullMQ's FlowProducer enqueues a parent job and its children in one call; an order flow gains
    # a child job (reserve stock) that now runs beside the charge. `flowProducer` is not named for a
    # queue and `add` is not a kafkajs producer's method. Was a silent miss. Correct: flagged at the
    # call, line 7.
    path = "src/flows/order.ts"
    head = _FLOW.replace(
        '    children: [{ name: "charge", queueName: "payments", data: { orderId } }],\n',
        '    children: [\n'
        '      { name: "charge", queueName: "payments", data: { orderId } },\n'
        '      { name: "reserve-stock", queueName: "inventory", data: { orderId } },\n'
        '    ],\n')
    found = _found(tmp_path, {path: _FLOW}, {path: head}, rule="DC715")
    assert _lines(found) == [(path, 7)]


_PUBLISHER = '''import amqp from "amqplib";

export async function publishOrder(order: { id: string }) {
  const conn = await amqp.connect(process.env.AMQP_URL!);
  const channel = await conn.createChannel();
  await channel.assertExchange("orders", "topic", { durable: true });
  channel.publish("orders", "order.created", Buffer.from(JSON.stringify(order)));
}
'''


def test_dc715_amqplib_publish_to_an_exchange(tmp_path) -> None:
    # amqplib's producer call for an exchange (the usual RabbitMQ topology) is `channel.publish`;
    # `sendToQueue` is only the default exchange's shortcut. Here the message gains an expiration:
    # the consumers' jobs older than a minute are dropped. Was a silent miss. Correct: flagged on
    # line 7 (in a file that imports amqplib).
    path = "src/orders/publisher.ts"
    head = _PUBLISHER.replace('Buffer.from(JSON.stringify(order)));',
                              'Buffer.from(JSON.stringify(order)), { persistent: true, expiration: "60000" });')
    found = _found(tmp_path, {path: _PUBLISHER}, {path: head}, rule="DC715")
    assert _lines(found) == [(path, 7)]


def test_dc715_passes_now_graphile_helpers_add_job_and_send_to_queue(tmp_path) -> None:
    # PASSES NOW. A graphile task that enqueues another through `helpers.addJob`, and amqplib's
    # `sendToQueue` replacing a publish: both flagged, on the call's line.
    task = "src/tasks/send_digest.ts"
    base = ('import type { Task } from "graphile-worker";\n\n'
            "export const send_digest: Task = async (payload, helpers) => {\n"
            "  const { userId } = payload as { userId: string };\n"
            "  helpers.logger.info(`digest for ${userId}`);\n"
            "};\n")
    head = base.replace("  helpers.logger.info(`digest for ${userId}`);\n",
                        "  helpers.logger.info(`digest for ${userId}`);\n"
                        '  await helpers.addJob("send_email", { userId, template: "digest" });\n')
    assert _lines(_found(tmp_path / "graphile", {task: base}, {task: head}, rule="DC715")) == [(task, 6)]
    path = "src/orders/publisher.ts"
    head = _PUBLISHER.replace('channel.publish("orders", "order.created", Buffer.from(JSON.stringify(order)));',
                              'channel.sendToQueue("orders", Buffer.from(JSON.stringify(order)), { persistent: true });')
    assert _lines(_found(tmp_path / "amqp", {path: _PUBLISHER}, {path: head}, rule="DC715")) == [(path, 7)]


# =================================================================================================
# 2. Paths: build/ and dist/ below src/ (rules/paths.py _SOURCE_TREE)
# =================================================================================================

@pytest.mark.parametrize("path", [
    "src/main/resources/static/dist/app.js",          # Spring Boot: webpack's bundle served as a static resource
    "src/MyShop.Web/wwwroot/dist/site.js",            # ASP.NET Core: projects under src/, bundles in wwwroot/dist
    "src/MyShop.Web/ClientApp/build/static/js/main.js",  # ASP.NET Core's SPA template: CRA's output in ClientApp/build
])
def test_paths_built_output_inside_a_project_below_src_is_still_built(path: str) -> None:
    # "Output goes beside src/, never into it" holds for a Node package, not for a Spring Boot app
    # (its static resources live in src/main/resources/, where frontend-maven-plugin's webpack writes
    # `dist/`) nor for a .NET solution (every project under src/, each with its wwwroot/dist or
    # ClientApp/build). Before 11c18a3 these were built output; now they are read as source. Was a
    # wrong reading (bundles analysed and flagged as code). Correct: True (built output).
    from deploycheck.rules.paths import is_test_or_doc

    assert is_test_or_doc(path)


def test_paths_a_spring_boot_bundle_is_not_analysed_as_source(tmp_path) -> None:
    # The whole scan on the Spring Boot bundle: a webpack build of the page's uploader (p-queue) is
    # read as source and gets DC715 "hands work to a BullMQ/Bull queue". Was a false flag. Correct:
    # what a built file gets (before 11c18a3): DC001's "vendored or built" on line 9, no DC715.
    path = "src/main/resources/static/dist/app.js"
    base = '''/******/ (() => { // webpackBootstrap
/******/ 	"use strict";
var __webpack_exports__ = {};
/* harmony import */ var p_queue__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(/*! p-queue */ "./node_modules/p-queue/dist/index.js");

const uploadQueue = new p_queue__WEBPACK_IMPORTED_MODULE_0__["default"]({ concurrency: 2 });

function startUploads(files) {
  files.forEach((file) => uploadQueue.add(() => fetch("/api/files", { method: "POST", body: file })));
}

document.getElementById("upload").addEventListener("click", () => startUploads(window.selectedFiles));
/******/ })();
'''
    head = base.replace('{ method: "POST", body: file }', '{ method: "PUT", body: file }')
    found = _found(tmp_path, {path: base}, {path: head}, rule=None)
    assert _lines(found) == [(path, 9)] and "vendored or built" in found[0][4]


@pytest.mark.parametrize("path, built", [
    ("packages/server/src/core/build/build.controller.ts", False),  # Amplication's build module
    ("frontend/dist/src/x.js", True),                               # output above src/
    ("dist/src/index.js", True),                                    # tsc with rootDir "." writes dist/src/
    ("services/api/build/index.js", True),                          # beside the package's src/
])
def test_paths_passes_now_source_and_output_around_src(path: str, built: bool) -> None:
    # PASSES NOW: the cases the reading was made for.
    from deploycheck.rules.paths import is_test_or_doc

    assert is_test_or_doc(path) is built


# =================================================================================================
# 3. NestJS microservices handlers (keywords.KEYWORDS "@eventpattern(", background._js)
# =================================================================================================

_CONTROLLER = '''import { Controller, Get, Param, UseFilters } from "@nestjs/common";
import { EventPattern, Payload } from "@nestjs/microservices";
import { KafkaTopics } from "../kafka/topics";
import { KafkaExceptionFilter } from "../kafka/kafka-exception.filter";
import { BuildRunnerService } from "./build-runner.service";

@Controller("build-runner")
export class BuildRunnerController {
  constructor(private readonly buildRunnerService: BuildRunnerService) {}

  DECORATORS
  async onCodeGenerationRequest(@Payload() message: Request): Promise<void> {
    await this.buildRunnerService.runBuild(message.resourceId, message.buildId);
  }

  @Get(":id/status")
  async status(@Param("id") id: string) {
    await this.buildRunnerService.refreshStatus(id);
    return this.buildRunnerService.status(id);
  }
}
'''
_PATH = "packages/build-manager/src/build-runner/build-runner.controller.ts"


def _controller(decorators: str, fire_and_forget: str) -> tuple[str, str]:
    base = _CONTROLLER.replace("DECORATORS", decorators)
    return base, base.replace(f"    await this.buildRunnerService.{fire_and_forget}", f"    void this.buildRunnerService.{fire_and_forget}")


def test_nestjs_an_event_pattern_above_another_decorator(tmp_path) -> None:
    # A Kafka handler with an exception filter, the pattern decorator written first:
    #   @EventPattern(KafkaTopics.CodeGenerationRequest)
    #   @UseFilters(KafkaExceptionFilter)
    #   async onCodeGenerationRequest(…)
    # The region is given to the decorator's next sibling, here the other decorator, not the method.
    # The build is made fire-and-forget. Was a silent miss (the other order is flagged). Correct:
    # flagged on line 14 as a message handler.
    base, head = _controller("@EventPattern(KafkaTopics.CodeGenerationRequest)\n  @UseFilters(KafkaExceptionFilter)", "runBuild")
    found = _found(tmp_path, {_PATH: base}, {_PATH: head}, rule=None)
    assert [(p, line, severity) for p, line, _, severity, _ in found] == [(_PATH, 14, "warning")]
    assert "message handler" in found[0][4]


def test_nestjs_passes_now_a_topic_constant_and_a_get_route_beside(tmp_path) -> None:
    # PASSES NOW. A topic given by a constant is read; a change in the controller's HTTP route
    # (`@Get`) beside the handler is not background code.
    base, head = _controller("@EventPattern(KafkaTopics.CodeGenerationRequest)", "runBuild")
    found = _found(tmp_path / "topic", {_PATH: base}, {_PATH: head}, rule=None)
    assert [(p, line) for p, line, *_ in found] == [(_PATH, 13)] and "message handler" in found[0][4]
    base, head = _controller("@EventPattern(KafkaTopics.CodeGenerationRequest)", "refreshStatus")
    assert _found(tmp_path / "get", {_PATH: base}, {_PATH: head}, rule=None) == []


# =================================================================================================
# 4. Claims (gate/prfield.py claim_problem, _TYPE_ONLY, what_changed)
# =================================================================================================

_PASTED = "## Concurrency considerations\n\ndeploycheck flagged 1 finding in 1 file.\n"


@pytest.mark.parametrize("title", ["♻️ refactor(build): read build data from shared storage",
                                   ":recycle: refactor: read build data from shared storage"])
def test_claims_a_gitmoji_conventional_refactor_title(title: str) -> None:
    # Gitmoji with conventional commits (gitmoji-cli's and cz-emoji's format, required by many
    # teams' commitlint): `♻️ refactor(scope): …`, or the `:recycle:` shortcode. The type is the
    # same conventional word as `refactor(build): …`, but `_TYPE_ONLY` anchors `refactor` at the
    # start, so the PR is told to reword a title its team's rules require. Was a false flag (a gate
    # failure the description's block should answer). Correct: None (the block answers it).
    from deploycheck.gate.prfield import Claim, PrText, claim_problem

    claim = Claim("title", "the title", ("refactor",), None, "the title says 'refactor', but it changed.")
    assert claim_problem(claim, PrText(title, _PASTED, "test")) is None


def test_claims_passes_now_a_refactor_title_that_says_more_stays_the_titles() -> None:
    # PASSES NOW: `refactor: no behaviour change in the worker` claims in its own words: reword it.
    from deploycheck.gate.prfield import Claim, PrText, claim_problem

    claim = Claim("title", "the title", ("no behaviour change", "refactor"), None, "the title says 'refactor'.")
    problem = claim_problem(claim, PrText("refactor: no behaviour change in the worker", _PASTED, "test"))
    assert problem is not None and problem[1].startswith("Reword the pull request title")
    for title in ("Refactor: read build data from shared storage", "refactor!: shared storage"):
        assert claim_problem(claim, PrText(title, _PASTED, "test")) is None


def test_claims_a_python_syntax_error_reason_is_kept_whole(tmp_path) -> None:
    # A Celery task with a typo (`print(i retries=3)`): DC001's reason is Python's own message,
    # "invalid syntax. Perhaps you forgot a comma?", with the line. The claim line cuts the reason at
    # the first ". ", inside the parentheses: "cannot parse it (invalid syntax) (DC001 …", the
    # line number lost and a parenthesis left open. Was a garbled claim line. Correct: the reason
    # whole (balanced parentheses, "line 6" kept).
    from deploycheck.analysis.pipeline import analyse
    from deploycheck.gate.prfield import what_changed

    main = {"app/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync_orders(ids):\n"
                            "    for i in ids:\n        print(i)\n"}
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", {"app/tasks.py": main["app/tasks.py"].replace("print(i)", "print(i retries=3)")})
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC001"]
    said = what_changed(found)
    assert said.startswith("deploycheck could not analyse app/tasks.py")
    assert "line 6" in said and said.count("(") == said.count(")")


# =================================================================================================
# 6. Worker machinery in a job system's own repository (rules/trees/machinery.py _target)
# =================================================================================================

_GO_MOD = "module github.com/hibiken/asynq\n\ngo 1.22\n"
_SCHEDULER = '''package asynq

import (
	"container/heap"
	"time"
)

type entry struct {
	at  time.Time
	run func()
}

type timers []*entry

func (t timers) Len() int            { return len(t) }
func (t timers) Less(i, j int) bool  { return t[i].at.Before(t[j].at) }
func (t timers) Swap(i, j int)       { t[i], t[j] = t[j], t[i] }
func (t *timers) Push(x any)         { *t = append(*t, x.(*entry)) }
func (t *timers) Pop() any           { old := *t; e := old[len(old)-1]; *t = old[:len(old)-1]; return e }

type Scheduler struct {
	pending timers
}

func (s *Scheduler) add(at time.Time, f func()) {
	println(at.String())
}
'''


def test_machinery_go_container_heap_push_onto_a_field(tmp_path) -> None:
    # A scheduler's timer heap (Go's container/heap, as job schedulers keep their next runs):
    # `heap.Push(&s.pending, e)` writes the field s.pending, shared by the scheduler's goroutines.
    # Before 11c18a3 `heap` was taken for the mutated object (evidence by luck); now an imported
    # package is no target, and the field passed to the package's function is not read either: the
    # unit is `info`. Was a silent miss (a regression). Correct: worker machinery, a warning.
    from deploycheck.analysis.pipeline import analyse

    head = _SCHEDULER.replace("\tprintln(at.String())\n", "\theap.Push(&s.pending, &entry{at: at, run: f})\n")
    repo = make_repo(tmp_path / "repo", {"go.mod": _GO_MOD, "scheduler.go": _SCHEDULER})
    make_branch(repo, "work", {"scheduler.go": head})
    found = [(f.line, f.severity) for f in analyse(base="main", cwd=str(repo)).scan.active
             if f.rule == "DC701" and f.path == "scheduler.go"]
    assert found == [(26, "warning")]
