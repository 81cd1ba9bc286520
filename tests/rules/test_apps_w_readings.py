"""Readings from session 30's work on the worked-on samples (tests/corpus/*-labelled-apps-*.yaml),
apps-w among them, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- Go ------------------------------------------------------------------------------------------

# mailpit starts its web server on a goroutine (`go server.Listen()`); `Listen` registers every API
# handler and then serves. Every handler's change was "background code" (apps-w 9d09cb1e, a68499fa,
# 5754c821): a request handler runs on the request's goroutine, and a function that starts a server
# runs once and then serves requests.
MAIN = """package main

import "example.com/app/server"

func main() {
	go server.Listen()
	select {}
}
"""
SERVER = """package server

import "net/http"

func Listen() {
	r := http.NewServeMux()
	r.HandleFunc("POST /api/send", SendMessage)
	srv := &http.Server{Addr: ":8025", Handler: r}
	_ = srv.ListenAndServe()
}
"""
SEND = """package server

import "net/http"

func SendMessage(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > 5<<20 {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
	}
}
"""
SEND_RETURNS = SEND.replace('StatusRequestEntityTooLarge)\n', 'StatusRequestEntityTooLarge)\n\t\treturn\n')


# Without a server (`Listen` runs a poll loop of its own) the same goroutine's code is background code.
POLLER = """package server

func Listen() {
	for {
		Limit(1 << 21)
	}
}
"""
CHECK = """package server

func Limit(size int64) {
	if size > 5<<20 {
		println("too large")
	}
}
"""
CHECK_RETURNS = CHECK.replace('println("too large")\n', 'println("too large")\n\t\treturn\n')


@pytest.mark.parametrize("server, before, after, flagged", [
    (SERVER, SEND, SEND_RETURNS, False),
    (POLLER, CHECK, CHECK_RETURNS, True),
])
def test_go_a_server_started_on_a_goroutine_makes_no_handler_background_code(tmp_path, server: str, before: str,
                                                                             after: str, flagged: bool) -> None:
    main = {"go.mod": "module example.com/app\n", "main.go": MAIN, "server/server.go": server,
            "server/send.go": before}
    found = flagged_on_branch(tmp_path, main, {"server/send.go": after}, rule="DC701")
    assert [path for path, *_ in found] == (["server/send.go"] if flagged else [])


# mailpit's websocket hub: `for { select { case m := <-h.Broadcast: … } }` in `Hub.Run`, started by
# another package's `go websockets.MessageHub.Run()`. `Run` is too common a name to look for outside
# its package, so the change to what the hub sends every client was "info" (apps-w 8747cd81). A loop
# that never returns and takes from channels runs on a goroutine of its own, wherever it is started.
HUB = """package websockets

type Hub struct {
	Clients   map[chan []byte]bool
	Broadcast chan []byte
	Register  chan chan []byte
}

func (h *Hub) Run() {
	for {
		select {
		case c := <-h.Register:
			h.Clients[c] = true
		case message := <-h.Broadcast:
			for c := range h.Clients {
				c <- message
			}
		}
	}
}
"""
HUB_PREPARED = HUB.replace("""			for c := range h.Clients {
				c <- message
			}""", """			prepared := append([]byte("data: "), message...)
			for c := range h.Clients {
				select {
				case c <- prepared:
				default:
					delete(h.Clients, c)
				}
			}""")


@pytest.mark.parametrize("loop, flagged", [
    ("for {", True),
    # A loop that ends when the channel is drained returns to its caller: whose code it is the
    # trail decides, not the loop.
    ("for i := 0; i < 3; i++ {", False),
])
def test_go_an_endless_select_loop_is_background_code(tmp_path, loop: str, flagged: bool) -> None:
    main = {"go.mod": "module example.com/app\n", "websockets/hub.go": HUB.replace("\tfor {\n\t\tselect", f"\t{loop}\n\t\tselect")}
    branch = {"websockets/hub.go": HUB_PREPARED.replace("\tfor {\n\t\tselect", f"\t{loop}\n\t\tselect")}
    found = flagged_on_branch(tmp_path, main, branch, rule="DC701")
    assert [(path, line) for path, line, *_ in found] == ([("websockets/hub.go", 15)] if flagged else [])
    if flagged:
        assert "endless select loop" in found[0][4]


# --- JavaScript/TypeScript -----------------------------------------------------------------------

# trigger.dev and Inngest are job platforms of their own: a task's `run` and an Inngest function's
# handler run for every triggered run or event, retried and several at once; `tasks.trigger(…)` and
# `inngest.send(…)` hand them work. trigger.dev's webapp changed what its scheduled watch tasks are
# given (apps-e 9baebbd1) and nothing read the call.
TASK = """import { WHAT } from "SDK";

export const digest = CALL({
  id: "send-digest",
  run: async (payload: { userId: string }) => {
    await sendDigest(payload.userId, LIMIT);
  },
});
"""
INNGEST = """import { Inngest } from "inngest";

export const inngest = new Inngest({ id: "app" });

export const digest = inngest.createFunction({ id: "send-digest" }, { event: "user/signup" }, async ({ event }) => {
  await sendDigest(event.data.userId, LIMIT);
});
"""


def _task(what: str, sdk: str, call: str) -> str:
    return TASK.replace("WHAT", what).replace("SDK", sdk).replace("CALL", call)


@pytest.mark.parametrize("before, flagged", [
    (_task("task", "@trigger.dev/sdk/v3", "task"), True),
    (_task("schedules", "@trigger.dev/sdk", "schedules.task"), True),
    (INNGEST, True),
    # Another library's `task(…)` (a build tool's) defines no job.
    (_task("task", "gulp", "task"), False),
])
def test_js_a_trigger_dev_task_or_an_inngest_function_is_background_code(tmp_path, before: str, flagged: bool) -> None:
    found = flagged_on_branch(tmp_path, {"src/trigger/digest.ts": before.replace("LIMIT", "10")},
                              {"src/trigger/digest.ts": before.replace("LIMIT", "20")}, rule="DC701")
    assert [path for path, *_ in found] == (["src/trigger/digest.ts"] if flagged else [])


TRIGGER = """import {{ tasks }} from "{sdk}";

export async function scheduleTick(watchId: string, origin: string) {{
  await tasks.trigger("watch-tick", {{ watchId, apiOrigin: {origin} }}, {{ delay: "5m" }});
}}
"""


@pytest.mark.parametrize("sdk, flagged", [("@trigger.dev/sdk", True), ("./local-tasks", False)])
def test_js_a_trigger_dev_trigger_whose_payload_changed_is_a_producer_change(tmp_path, sdk: str, flagged: bool) -> None:
    found = flagged_on_branch(tmp_path, {"app/services/watch.server.ts": TRIGGER.format(sdk=sdk, origin="origin")},
                              {"app/services/watch.server.ts": TRIGGER.format(sdk=sdk, origin="userOrigin")},
                              rule="DC715")
    assert [(path, line) for path, line, *_ in found] == ([("app/services/watch.server.ts", 4)] if flagged else [])


# erxes's call-event handler finds or creates a call session under a Redlock (`lock = await
# redlock.acquire([lockKey], ttl)` … `finally { await lock.release() }`); which session a call joins
# changed there with nothing flagged (apps-q 873cd3cf). Changed lines run under a lock the function
# takes are what the lock makes exclusive.
HANDLER = """import Redlock from 'redlock';

export async function handleCallEvent(redlock: Redlock, models: any, ev: any) {
  const before = ev.uniqueid.trim();
  const lock = await redlock.acquire([`call:${before}`], 5000);
  try {
    let session = await models.CallSessions.findOne({ uniqueid: before });
    if (!session) {
      session = await models.CallSessions.create({ uniqueid: before });
    }
    return session;
  } finally {
    await lock.release();
  }
}
"""


@pytest.mark.parametrize("before, after, line", [
    # Under the lock: which session a call joins.
    ("models.CallSessions.create({ uniqueid: before })", "models.CallSessions.create({ uniqueid: before, leg: ev.leg })", 9),
    # Before it: the key's input, read by DC250 where the lock's own line changes.
    ("ev.uniqueid.trim()", "String(ev.uniqueid).trim()", None),
    # A pool's `acquire` is no lock.
    ("redlock.acquire([`call:${before}`], 5000)", "pool.acquire([`call:${before}`], 5000)", None),
])
def test_js_a_change_under_a_lock_the_function_takes_is_flagged(tmp_path, before: str, after: str,
                                                                 line: int | None) -> None:
    main_text = HANDLER if "pool" not in after else HANDLER.replace(before, after)
    head = HANDLER.replace(before, after) if "pool" not in after else main_text.replace(
        "models.CallSessions.create({ uniqueid: before })", "models.CallSessions.create({ uniqueid: before, leg: ev.leg })")
    found = flagged_on_branch(tmp_path, {"src/call/events.ts": main_text}, {"src/call/events.ts": head}, rule="DC704")
    assert [(path, ln) for path, ln, *_ in found] == ([("src/call/events.ts", line)] if line else [])
    if line:
        assert "`handleCallEvent` runs while `redlock.acquire(…)` holds its lock" in found[0][4]


# --- Java/Kotlin ---------------------------------------------------------------------------------

# hawkbit's repository proxy hands its invocation handler to `Proxy.newProxyInstance(Thread
# .currentThread().getContextClassLoader(), …, (proxy, method, args) -> …)`: the call names the
# current thread, and builds none (apps-w 2e5c6f71, a false flag of this session's `Thread(task)`).
PROXY = """package app.repository;

import java.lang.reflect.Proxy;

public class RepositoryProxy {
    static Object of(final Object repository) {
        return Proxy.newProxyInstance(
                Thread.currentThread().getContextClassLoader(),
                repository.getClass().getInterfaces(),
                (proxyInstance, method, args) -> {
                    return method.invoke(repository, args);
                });
    }

    public static void start(Runnable task) {
        new Thread(task).start();
    }
}
"""


def test_jvm_a_call_that_names_the_current_thread_builds_no_thread(tmp_path) -> None:
    path = "src/main/java/app/repository/RepositoryProxy.java"
    found = flagged_on_branch(tmp_path, {path: PROXY},
                              {path: PROXY.replace("method.invoke(repository, args)", "method.invoke(repository, args == null ? new Object[0] : args)")},
                              rule="DC701")
    assert found == []
