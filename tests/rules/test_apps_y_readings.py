"""Readings from session 32's work on apps-y (tests/corpus/*-labelled-apps-y.yaml), scanned first
at the session's start commit, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- JS/TS: rabbitmq-client's consumer ----------------------------------------------------------

# runtipi's queue (apps-y ef2f4255): `rabbit.createConsumer({ queue, concurrency }, handler)` runs
# the handler for each message, `concurrency` at once; a new publish in its `finally` went unread.
QUEUE = """import type { Connection } from 'rabbitmq-client';

export class Queue {
  constructor(private rabbit: Connection, private name: string, private workers: number) {}

  public onEvent(callback: (data: unknown) => Promise<void>) {
    this.rabbit.createConsumer({ queue: this.name, concurrency: this.workers }, async (req, reply) => {
      try {
        await callback(req.body);
      } catch (error) {
        await reply({ success: false });
      }
    });
  }

  public describe() {
    return this.name;
  }
}
"""


@pytest.mark.parametrize("before, after, lines", [
    # A change in the consumer's handler: the work every message runs.
    ("await reply({ success: false });", "await reply({ success: false });\n        await this.notify(req.body);", [12]),
    # A method no consumer runs: not background code.
    ("return this.name;", "return `queue ${this.name}`;", []),
])
def test_js_a_rabbitmq_client_consumer_is_background_code(tmp_path, before: str, after: str, lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {"src/queue/queue.entity.ts": QUEUE},
                              {"src/queue/queue.entity.ts": QUEUE.replace(before, after)})
    assert sorted({line for _, line, *_ in found}) == lines


def test_js_create_consumer_called_bare_is_no_consumer(tmp_path) -> None:
    # A module's own `createConsumer(options)` that builds an object: no handler is run for messages.
    source = ("import fs from 'node:fs';\n\nfunction createConsumer(o) {\n  return { o, run: () => 1 };\n}\n\n"
              "export const c = createConsumer({ id: 1 }, () => {\n  return fs.existsSync('x');\n});\n")
    found = flagged_on_branch(tmp_path, {"src/consumer.ts": source},
                              {"src/consumer.ts": source.replace("existsSync('x')", "existsSync('y')")})
    assert found == []


# --- JS/TS: an async method of the file started and left to run ------------------------------

# umbrel's boot (apps-y 439673e1): `this.reinstallMissingAppsAfterRestore(ids).catch(log)` fires
# reinstalls that run beside the apps the boot then starts; the new method went unread.
APPS = """import fse from 'fs-extra'
import {dirname} from 'node:path'

export default class Apps {
  instances: string[] = []

  async start() {
    await fse.ensureDir(dirname('/data/apps'))
    this.reinstallMissing(this.instances).catch((error) => console.error(error))
    void this.refreshStore()
    await this.render()
  }

  private async reinstallMissing(ids: string[]) {
    for (const id of ids) {
      await fse.remove(`/data/apps/${id}`)
    }
  }

  private async refreshStore() {
    await fse.writeFile('/data/store.json', '{}')
  }

  private async render() {
    await fse.writeFile('/data/index.html', '<p>apps</p>')
  }
}

async function main() {
  await new Apps().start()
}

main().catch((error) => console.error(error))
"""


@pytest.mark.parametrize("before, after, lines", [
    # The method started with `.catch(…)` and not awaited: deferred work.
    ("await fse.remove(`/data/apps/${id}`)", "await fse.remove(`/data/apps/${id}`, {force: true})", [16]),
    # The one started with `void`.
    ("'/data/store.json', '{}'", "'/data/store.json', '[]'", [21]),
    # The one the boot awaits: its caller waits for it.
    ("'<p>apps</p>'", "'<p>all apps</p>'", []),
])
def test_js_an_async_method_started_and_left_to_run_is_deferred_work(tmp_path, before: str, after: str,
                                                                      lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {"source/modules/apps/apps.ts": APPS},
                              {"source/modules/apps/apps.ts": APPS.replace(before, after)})
    assert sorted({line for _, line, *_ in found}) == lines


def test_js_a_script_main_caught_at_top_level_is_its_whole_run(tmp_path) -> None:
    # `main().catch(…)` at a module's top level is the script's run, not work beside it.
    found = flagged_on_branch(tmp_path, {"source/modules/apps/apps.ts": APPS},
                              {"source/modules/apps/apps.ts": APPS.replace("await new Apps().start()",
                                                                           "const apps = new Apps()\n  await apps.start()")})
    assert found == []


def test_js_a_plain_function_started_with_catch_is_not_read_as_deferred(tmp_path) -> None:
    # A function that is not `async` returns whatever it returns: its promise is its own business.
    source = APPS.replace("private async reinstallMissing", "private reinstallMissing").replace(
        "      await fse.remove", "      fse.remove")
    found = flagged_on_branch(tmp_path, {"source/modules/apps/apps.ts": source},
                              {"source/modules/apps/apps.ts": source.replace("fse.remove(`/data/apps/${id}`)",
                                                                             "fse.remove(`/data/apps/${id}`, {})")})
    assert found == []


# --- Java/Kotlin: a class that implements an event-handler interface beside its other roles ------

# jitsi-videobridge's `Conference implements …EndpointMessageTransportEventHandler` (apps-y 63d4d5cf,
# 5380ebc6, 0627dcec, acddae5f): every method of the conference, its constructor included, was read
# as the subscription's handler. Only the interface's methods (and what they call) run for it.
CONFERENCE = """package org.example;

import java.util.HashMap;
import java.util.Map;

public class Conference implements Transport.EndpointMessageTransportEventHandler {
    private final Map<String, String> endpoints = new HashMap<>();

    public Conference(String id) {
        endpoints.put("id", id);
    }

    @Override
    public void endpointMessageTransportConnected(String endpoint) {
        remember(endpoint);
    }

    private void remember(String endpoint) {
        endpoints.put(endpoint, "connected");
    }

    public String describe() {
        return "conference " + endpoints.size();
    }
}
"""
CONFERENCE_KT = """package org.example

class Conference(private val id: String) : Transport.EndpointMessageTransportEventHandler {
    private val endpoints = HashMap<String, String>()

    override fun endpointMessageTransportConnected(endpoint: String) {
        remember(endpoint)
    }

    private fun remember(endpoint: String) {
        endpoints[endpoint] = "connected"
    }

    fun describe(): String {
        return "conference " + endpoints.size
    }
}
"""


@pytest.mark.parametrize("path, source, before, after, lines", [
    # The overridden handler method: the subscription runs it.
    ("src/main/java/org/example/Conference.java", CONFERENCE, "remember(endpoint);", "remember(endpoint.trim());", [15]),
    # What it calls, through the reach.
    ("src/main/java/org/example/Conference.java", CONFERENCE, '"connected");', '"up");', [19]),
    # The conference's own methods: not the handler's.
    ("src/main/java/org/example/Conference.java", CONFERENCE, '"conference "', '"room "', []),
    ("src/main/java/org/example/Conference.java", CONFERENCE, 'endpoints.put("id", id);', 'endpoints.put("name", id);', []),
    # Kotlin: an interface is named without a constructor call.
    ("src/main/kotlin/org/example/Conference.kt", CONFERENCE_KT, "remember(endpoint)\n", "remember(endpoint.trim())\n", [7]),
    ("src/main/kotlin/org/example/Conference.kt", CONFERENCE_KT, '"conference "', '"room "', []),
])
def test_jvm_a_class_implementing_a_handler_interface_is_the_handler_only_in_its_overrides(
        tmp_path, path: str, source: str, before: str, after: str, lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {path: source}, {path: source.replace(before, after)})
    assert sorted({line for _, line, *_ in found}) == lines


def test_jvm_a_class_extending_a_handler_base_is_a_handler_whole(tmp_path) -> None:
    # spring-boot-admin's `StatusUpdateTrigger extends AbstractEventHandler<InstanceEvent>`: a
    # handler first, all of it run for the event stream.
    source = CONFERENCE.replace("implements Transport.EndpointMessageTransportEventHandler",
                                "extends AbstractEventHandler<String>")
    path = "src/main/java/org/example/Conference.java"
    found = flagged_on_branch(tmp_path, {path: source}, {path: source.replace('"conference "', '"room "')})
    assert [line for _, line, *_ in found] == [23]


# --- Go: counterfeiter's fakes are test doubles ------------------------------------------------

# livekit's `pkg/rtc/types/typesfakes/fake_local_participant.go` (apps-y 972c64a2, dbe06aa8): the
# generated fake of an interface gains a mutex per new method, read as new locks (DC252, DC704).
FAKE = """// Code generated by counterfeiter. DO NOT EDIT.
package typesfakes

import "sync"

type FakeParticipant struct {
	idStub        func() string
	idMutex       sync.RWMutex
}

func (fake *FakeParticipant) ID() string {
	fake.idMutex.Lock()
	defer fake.idMutex.Unlock()
	return fake.idStub()
}
"""


@pytest.mark.parametrize("path, flagged", [
    ("pkg/rtc/types/typesfakes/fake_participant.go", False),
    # The same code in the package itself: its new lock is read.
    ("pkg/rtc/types/participant.go", True),
])
def test_go_a_counterfeiter_fake_is_a_test_double(tmp_path, path: str, flagged: bool) -> None:
    grown = FAKE.replace("\tidMutex       sync.RWMutex\n", "\tidMutex       sync.RWMutex\n\tnameMutex     sync.RWMutex\n")
    found = flagged_on_branch(tmp_path, {path: FAKE}, {path: grown}, rule=None)
    assert bool(found) == flagged


# --- Java/Kotlin: a new metric counter beside the class's others -----------------------------

# jitsi-videobridge's exporter (apps-y 0627dcec, cdc92a16) counts each kind of message it receives
# in an `AtomicLong` for its debug state; a new kind gained a counter beside the others, read as
# "concurrency control changed" (DC253) and as state "now shared" (DC704).
EXPORTER = """package org.jitsi.videobridge.export

import java.util.concurrent.atomic.AtomicLong

internal class Exporter(private val name: String) {
    private val instanceStarts = AtomicLong(0)
    private val instanceTranscriptsReceived = AtomicLong(0)
    private var limit = 10

    fun handle(message: String) {
        if (message.startsWith("t")) {
            instanceTranscriptsReceived.incrementAndGet()
        }
    }

    fun debugState(): Map<String, Long> = mapOf(
        "starts" to instanceStarts.get(),
        "transcripts" to instanceTranscriptsReceived.get(),
    )
}
"""
NEW_COUNTER = ("    private val instanceTranscriptsReceived = AtomicLong(0)\n",
               "    private val instanceTranscriptsReceived = AtomicLong(0)\n"
               "    private val instanceInfoReceived = AtomicLong(0)\n")
COUNTED = ('            instanceTranscriptsReceived.incrementAndGet()\n        }\n',
           '            instanceTranscriptsReceived.incrementAndGet()\n        }\n'
           '        if (message.startsWith("i")) {\n            instanceInfoReceived.incrementAndGet()\n        }\n')
READ = ('        "transcripts" to instanceTranscriptsReceived.get(),\n',
        '        "transcripts" to instanceTranscriptsReceived.get(),\n        "info" to instanceInfoReceived.get(),\n')


def _grown(source: str, *edits: tuple[str, str]) -> str:
    for before, after in edits:
        source = source.replace(before, after)
    return source


@pytest.mark.parametrize("main, edits, flagged", [
    # A counter beside the others, counted up and read for the debug state: nothing.
    (EXPORTER, (NEW_COUNTER, COUNTED, READ), False),
    # The class's first counter: what else it holds may be what it guards.
    (EXPORTER.replace("AtomicLong(0)", "0L").replace(".incrementAndGet()", "++").replace(".get()", ""),
     (("    private val instanceTranscriptsReceived = 0L\n",
       "    private val instanceTranscriptsReceived = 0L\n    private val instanceInfoReceived = AtomicLong(0)\n"),
      ('"transcripts" to instanceTranscriptsReceived,\n',
       '"transcripts" to instanceTranscriptsReceived,\n        "info" to instanceInfoReceived.get(),\n')), True),
    # A counter whose value decides something: a limit.
    (EXPORTER, (NEW_COUNTER, ('        if (message.startsWith("t")) {\n',
                              '        if (instanceInfoReceived.incrementAndGet() > limit) return\n'
                              '        if (message.startsWith("t")) {\n')), True),
])
def test_jvm_a_new_metric_counter_beside_the_others_is_no_concurrency_change(tmp_path, main: str, edits: tuple,
                                                                           flagged: bool) -> None:
    path = "jvb/src/main/kotlin/org/jitsi/videobridge/export/Exporter.kt"
    found = [f for f in flagged_on_branch(tmp_path, {path: main}, {path: _grown(main, *edits)}, rule=None)
             if "DC701" not in f[4] and "background code" not in f[4]]
    assert bool(found) == flagged
