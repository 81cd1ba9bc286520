"""Readings from the apps-t sample (tests/corpus/*-labelled-apps-t.yaml), scanned first in
session 27, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import ANSWER_EXTERNAL, ANSWER_MAIL_WORKER, ANSWER_NEW_QUESTION, CAMPFIRE_WEBHOOK_JOB, flagged_on_branch

# --- Go -----------------------------------------------------------------------------------------

EXTERNAL, NEW_QUESTION = ANSWER_EXTERNAL, ANSWER_NEW_QUESTION


@pytest.mark.parametrize("package, flagged", [("noticequeue", True), ("jobqueues", True), ("notice", False)])
def test_go_a_handler_registered_on_a_queue_package_s_service(tmp_path, package: str, flagged: bool) -> None:
    # answer dda51232: the notification queue's handler for new questions now sleeps between
    # mails; the queue is a `noticequeue.ExternalService` whose one goroutine runs every handler.
    external = EXTERNAL.replace("noticequeue", package)
    found = flagged_on_branch(tmp_path, {"app/notification/external.go": external,
                                         "app/notification/new_question.go": NEW_QUESTION},
                              {"app/notification/new_question.go": NEW_QUESTION.replace(
                                  "\t\tns.send(ctx, s)\n", "\t\ttime.Sleep(msg.Interval)\n\t\tns.send(ctx, s)\n")})
    assert [(path, line) for path, line, *_ in found] == ([("app/notification/new_question.go", 7)] if flagged else [])


WORKER = ANSWER_MAIL_WORKER


@pytest.mark.parametrize("new, line, was", [
    # The argument that fills the capacity's parameter: answer e06311a5's queue size, 128 made an
    # environment setting.
    (WORKER.replace("\t\tqueueSize,\n", "\t\tsizeFromEnv(),\n"), 11, "`128`"),
    # The constant it names.
    (WORKER.replace("const queueSize = 128", "const queueSize = 1024"), 3, "`128`"),
    # A constant passed where a literal was: the same capacity.
    (WORKER.replace("\t\tqueueSize,\n", "\t\t128,\n"), None, ""),
    (WORKER.replace("const queueSize = 128", "const queueSize = 128\n\nconst other = 1"), None, ""),
])
def test_go_a_channel_s_capacity_changed_where_it_comes_from(tmp_path, new: str, line: int | None, was: str) -> None:
    found = flagged_on_branch(tmp_path, {"app/notification/worker.go": WORKER}, {"app/notification/worker.go": new},
                              rule="DC704")
    assert [(path, at) for path, at, *_ in found] == ([("app/notification/worker.go", line)] if line else [])
    assert all(f"(was {was}) is now the capacity of the `chan task` that `newWorkerWithBuffer` makes" in message
               for *_, message in found)


# --- Ruby (a new user's trial, session 27) -------------------------------------------------------

WEBHOOK = CAMPFIRE_WEBHOOK_JOB


@pytest.mark.parametrize("new, flagged", [
    # once-campfire 20ba1cf: not the same for a nil body (String.new raises where dup returns nil),
    # so it stays flagged (the red team of session 27 undid the reading a new user's trial asked for).
    ("String.new(response.body)", True),
    ("+response.body", True),  # not a copy: the body itself when it is not frozen
    ("String.new(response.body, capacity: 64)", True),
    ("response.headers.dup", True),  # a copy of something else
])
def test_ruby_string_new_of_a_value_is_not_its_dup(tmp_path, new: str, flagged: bool) -> None:
    found = flagged_on_branch(tmp_path, {"app/jobs/webhook/delivery_job.rb": WEBHOOK},
                              {"app/jobs/webhook/delivery_job.rb": WEBHOOK.replace("response.body.dup", new)})
    assert bool(found) == flagged


# --- JavaScript/TypeScript ----------------------------------------------------------------------

HANDLER = """import { DomainEventHandlerInterface, SubscriptionStateFetchedEvent } from '@standardnotes/domain-events'

export class SubscriptionStateFetchedEventHandler implements DomainEventHandlerInterface {
  constructor(private subscriptions: SubscriptionRepositoryInterface) {}

  async handle(event: SubscriptionStateFetchedEvent): Promise<void> {
    const subscription = await this.subscriptions.findOneBySubscriptionId(event.payload.subscriptionId)
    subscription.planName = event.payload.planName
    await this.subscriptions.save(subscription)
  }
}
"""


@pytest.mark.parametrize("interface, flagged", [
    ("DomainEventHandlerInterface", True),  # Standard Notes' SQS workers (apps-t 86b05086)
    ("IEventHandler<SubscriptionStateFetchedEvent>", True),  # NestJS CQRS
    ("SubscriptionFormatterInterface", False),
])
def test_js_a_class_implementing_an_event_handler_interface_is_background_code(tmp_path, interface: str,
                                                                                 flagged: bool) -> None:
    handler = HANDLER.replace("implements DomainEventHandlerInterface", f"implements {interface}")
    path = "packages/auth/src/Domain/Handler/SubscriptionStateFetchedEventHandler.ts"
    found = flagged_on_branch(tmp_path, {path: handler}, {path: handler.replace(
        "    subscription.planName = event.payload.planName\n",
        "    if (subscription.id === 0) return\n    subscription.planName = event.payload.planName\n")})
    assert [(at, line) for at, line, *_ in found] == ([(path, 8)] if flagged else [])


# --- Java ---------------------------------------------------------------------------------------

CONTAINER = """package org.example.container;

import java.util.concurrent.ExecutorService;

public class Container {
    private ExecutorService executor;
    private org.example.services.ExternalServiceResource registry;

    public void stop() {
        executor.submit(() -> {
            for (Object service : registry.getServices()) {
                System.out.println(service);
            }
        });
    }
}
"""
RESOURCE = """package org.example.services;

import java.util.List;

public class ExternalServiceResource {
    private Store store;

    public List<Object> getServices(Object requestParams, String realm) {
        return store.find(realm);
    }
}
"""


@pytest.mark.parametrize("params, args, flagged", [
    ("Object requestParams, String realm", "realm", False),  # openremote a4b5a74b: two parameters, called with none
    ("", "\"master\"", True),  # the same number of parameters as the call's arguments
    ("String... realms", "realms[0]", True),  # varargs take any number
])
def test_java_a_call_with_another_number_of_arguments_calls_another_overload(tmp_path, params: str, args: str,
                                                                               flagged: bool) -> None:
    resource = RESOURCE.replace("Object requestParams, String realm", params).replace("store.find(realm)",
                                                                                     f"store.find({args})")
    path = "src/main/java/org/example/services/ExternalServiceResource.java"
    found = flagged_on_branch(tmp_path, {"src/main/java/org/example/container/Container.java": CONTAINER, path: resource},
                              {path: resource.replace("        return store", "        store.touch();\n        return store")})
    assert bool(found) == flagged


# --- Go: a method called on its own receiver ------------------------------------------------------

CHAOXING = """package chaoxing

type ChaoXing struct {
	cookie string
}

func (d *ChaoXing) refreshCookie() error {
	cookie, err := d.Login()
	d.cookie = cookie
	return err
}

func (d *ChaoXing) Init() {
	d.cron = cron.NewCron(time.Hour)
	d.cron.Do(func() { _ = d.refreshCookie() })
}
"""
LANZOU = """package lanzou

func (d *LanZou) Login() (string, error) {
	return d.post("/login")
}
"""


@pytest.mark.parametrize("fields, flagged", [
    ("\tcookie string\n", False),  # OpenList 940b69fe: the chaoxing driver's own Login, not LanZou's
    ("\tcookie string\n\t*lanzou.LanZou\n", True),  # embedded: LanZou's Login is promoted to it
])
def test_go_a_call_on_a_receiver_of_another_type_is_its_own_method(tmp_path, fields: str, flagged: bool) -> None:
    files = {"drivers/chaoxing/driver.go": CHAOXING.replace("\tcookie string\n", fields), "drivers/lanzou/util.go": LANZOU}
    found = flagged_on_branch(tmp_path, files, {"drivers/lanzou/util.go": LANZOU.replace(
        '\treturn d.post("/login")\n', '\td.retries++\n\treturn d.post("/login")\n')})
    assert bool(found) == flagged


# --- Ruby: resque-pool's queues (a new user's trial, session 27) ---------------------------------

PUSH_JOB = "class Room::PushMessageJob < ApplicationJob\n  queue_as :default\n\n  def perform(room, message)\n  end\nend\n"


@pytest.mark.parametrize("pool, queue, severity", [
    # once-campfire: `config/resque-pool.yml` serves `default` only, so `:pushes` would never run.
    ("default: <%= (Etc.nprocessors * 0.5).ceil %>\n", "pushes", "high"),
    ('production:\n  "default,pushes": 2\n', "pushes", "warning"),  # an environment's section lists it
    ('"*": 2\n', "pushes", "warning"),  # every queue
])
def test_ruby_a_job_moved_to_a_queue_resque_pool_does_not_serve(tmp_path, pool: str, queue: str, severity: str) -> None:
    path = "app/jobs/room/push_message_job.rb"
    found = flagged_on_branch(tmp_path, {"config/resque-pool.yml": pool, path: PUSH_JOB},
                              {path: PUSH_JOB.replace(":default", f":{queue}")}, rule="DC164")
    assert [(at, line, level) for at, line, _side, level, _m in found] == [(path, 2, severity)]
    assert ("resque-pool's workers read" in found[0][4]) == (severity == "high")


# --- JavaScript/TypeScript: trails that cannot be --------------------------------------------------

LISTED_HANDLER = """import { DomainEventHandlerInterface } from '@standardnotes/domain-events'

export class ListedAccountCreatedEventHandler implements DomainEventHandlerInterface {
  constructor(private getSetting: GetSetting) {}

  async handle(event: ListedAccountCreatedEvent): Promise<void> {
    const setting = await this.getSetting.execute({ userUuid: event.payload.userUuid })
    await this.store(setting)
  }
}
"""
PROXY = """export class HttpServiceProxy {
  async getSetting(request: Request): Promise<Response> {
    return this.callAuthServer(request, 'settings')
  }

  private async callAuthServer(request: Request, path: string): Promise<Response> {
    return fetch(this.authUrl + path, { headers: request.headers })
  }
}
"""


@pytest.mark.parametrize("use, flagged", [
    ("this.getSetting.execute({ userUuid: event.payload.userUuid })", False),  # apps-t be668d7d
    ("this.getSetting.call(this, { userUuid: event.payload.userUuid })", True),  # the function itself
    ("this.proxy.getSetting({ userUuid: event.payload.userUuid })", True),
])
def test_js_a_property_whose_member_is_used_is_no_call_of_its_name(tmp_path, use: str, flagged: bool) -> None:
    handler = LISTED_HANDLER.replace("this.getSetting.execute({ userUuid: event.payload.userUuid })", use)
    path = "src/Service/Http/HttpServiceProxy.ts"
    found = flagged_on_branch(tmp_path, {"src/Domain/Handler/ListedAccountCreatedEventHandler.ts": handler, path: PROXY},
                              {path: PROXY.replace("{ headers: request.headers }", "{ headers: request.headers, keepalive: true }")})
    assert bool(found) == flagged


@pytest.mark.parametrize("depends, flagged", [
    ({}, False),  # apps-t be668d7d: the auth workers do not depend on the API gateway
    ({"@acme/api-gateway": "workspace:*"}, True),
])
def test_js_a_workspace_package_calls_another_only_if_it_depends_on_it(tmp_path, depends: dict, flagged: bool) -> None:
    import json

    handler = LISTED_HANDLER.replace("this.getSetting.execute({ userUuid: event.payload.userUuid })",
                                     "this.proxy.getSetting({ userUuid: event.payload.userUuid })")
    path = "packages/api-gateway/src/Service/Http/HttpServiceProxy.ts"
    files = {"package.json": json.dumps({"name": "acme", "workspaces": ["packages/*"]}),
             "packages/auth/package.json": json.dumps({"name": "@acme/auth", "dependencies": depends}),
             "packages/api-gateway/package.json": json.dumps({"name": "@acme/api-gateway"}),
             "packages/auth/src/Domain/Handler/ListedAccountCreatedEventHandler.ts": handler, path: PROXY}
    found = flagged_on_branch(tmp_path, files, {path: PROXY.replace("{ headers: request.headers }",
                                                                    "{ headers: request.headers, keepalive: true }")})
    assert bool(found) == flagged


COMPONENT = """import {html, LitElement} from "lit";
import {objectsEqual} from "../../core/src/util";

export class OrScheduler extends LitElement {
  render() {
    if (!this.schedule || objectsEqual(this.schedule, this.defaultSchedule)) {
      return html`<p>none</p>`;
    }
    return html`<p>${this.schedule}</p>`;
  }
}
"""
UTIL = """export function objectsEqual(a: any, b: any): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
"""


REPORT_SCHEDULER = """import {objectsEqual} from "../../../ui/component/core/src/util";

export function due(schedule: any, last: any): boolean {
  return !objectsEqual(schedule, last);
}
"""


@pytest.mark.parametrize("path, component, flagged", [
    # openremote de700b12: a Lit web component in `ui/component/or-scheduler/`, run in the browser.
    ("ui/component/or-scheduler/src/index.ts", COMPONENT, False),
    ("services/report-scheduler/src/index.ts", REPORT_SCHEDULER, True),  # a server's scheduler: jobs
])
def test_js_a_page_component_in_a_folder_named_for_a_scheduler_is_no_job(tmp_path, path: str, component: str,
                                                                          flagged: bool) -> None:
    util = "ui/component/core/src/util.ts"
    worker = "services/mailer/worker.ts"  # the repository has jobs: other files are read for what they reach
    found = flagged_on_branch(tmp_path, {path: component, util: UTIL, worker: "import { Worker } from 'bullmq'\n"
                                         "new Worker('mail', async job => job.data)\n"},
                              {util: UTIL.replace("JSON.stringify(a) === JSON.stringify(b)", "a === b || JSON.stringify(a) === JSON.stringify(b)")})
    assert bool(found) == flagged


# --- Java: overloads of one name, and an application's message processors ------------------------

SCHEDULER = """package io.kestra.core.schedulers;

import java.util.concurrent.ScheduledExecutorService;

public class Scheduler {
    private ScheduledExecutorService executor;
    private SchedulerTriggerStateInterface triggerState;

    public void run() {
        executor.scheduleAtFixedRate(() -> {
            triggerState.update(Trigger.of(context, next));
        }, 0, 1, TimeUnit.SECONDS);
    }
}
"""
STATE_INTERFACE = """package io.kestra.core.schedulers;

public interface SchedulerTriggerStateInterface {
    Trigger update(Trigger trigger);

    Trigger update(Flow flow, AbstractTrigger trigger, ConditionContext context);
}
"""
STATE = """package io.kestra.jdbc.runner;

public class JdbcSchedulerTriggerState implements SchedulerTriggerStateInterface {
    private TriggerRepository triggers;

    @Override
    public Trigger update(Trigger trigger) {
        return this.triggers.update(trigger);
    }

    @Override
    public Trigger update(Flow flow, AbstractTrigger trigger, ConditionContext context) {
        return this.triggers.update(flow, trigger, context);
    }
}
"""


def test_java_an_overload_is_followed_by_the_calls_with_one_of_its_numbers_of_arguments(tmp_path) -> None:
    # kestra 01e6d529 (apps-f): the scheduler's one-argument `update(trigger)` now reloads the row
    # before it writes; the file's two overloads are followed together, each call by its count.
    path = "jdbc/src/main/java/io/kestra/jdbc/runner/JdbcSchedulerTriggerState.java"
    found = flagged_on_branch(tmp_path, {"core/src/main/java/io/kestra/core/schedulers/Scheduler.java": SCHEDULER,
                                         "core/src/main/java/io/kestra/core/schedulers/SchedulerTriggerStateInterface.java":
                                             STATE_INTERFACE, path: STATE},
                              {path: STATE.replace("        return this.triggers.update(trigger);\n",
                                                   "        Trigger stored = this.triggers.findLast(trigger);\n"
                                                   "        return this.triggers.update(trigger.withDisabled(stored.isDisabled()));\n")})
    assert [(at, line) for at, line, *_ in found] == [(path, 8)]


PROCESSOR = """package org.thingsboard.server.actors.calculatedField;

public class CalculatedFieldEntityMessageProcessor extends AbstractContextAwareMsgProcessor {
    private final Map<String, CalculatedFieldState> states = new HashMap<>();

    public void process(CalculatedFieldTelemetryMsg msg) {
        CalculatedFieldState state = states.get(msg.getId());
        state.update(msg.getValues());
        persist(state);
    }
}
"""


@pytest.mark.parametrize("base, flagged", [
    ("AbstractContextAwareMsgProcessor", True),  # thingsboard afd727b0 (apps-d): run on the actors' threads
    ("AbstractContextAwareFormatter", False),
])
def test_java_a_class_extending_a_message_processor_base_is_background_code(tmp_path, base: str, flagged: bool) -> None:
    path = "application/src/main/java/org/thingsboard/server/actors/calculatedField/CalculatedFieldEntityMessageProcessor.java"
    processor = PROCESSOR.replace("AbstractContextAwareMsgProcessor", base)
    found = flagged_on_branch(tmp_path, {path: processor}, {path: processor.replace(
        "        persist(state);\n", "        if (state.isReady()) {\n            persist(state);\n        }\n")})
    assert [(at, line) for at, line, *_ in found] == ([(path, 9)] if flagged else [])
