"""Readings from the held-out sample apps-j (session 17): each test fails without its change.
Real git repositories, real tree-sitter, the whole scan."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch as _found


# --- An AMD application's page modules: `define` is RequireJS's, not Agenda's -------------------

_AMD = ("'use strict';\n\ndefine('forum/header/unread', ['app', 'socket'], function (app, socket) {\n"
        "\tconst unread = {};\n\tconst states = { watching: 3 };\n\n"
        "\tunread.init = function () {\n\t\tsocket.on('event:new_post', onNewPost);\n\t};\n\n"
        "\tfunction onNewPost(data) {\n\t\treturn data.state !== states.watching;\n\t}\n\n"
        "\treturn unread;\n});\n")
# A job elsewhere in the repository: without one, no changed file is read for trails at all.
_JOBS = {"src/jobs/digest.js": "const { Worker } = require('bullmq')\n\nnew Worker('digest', async (job) => send(job.data))\n"}


@pytest.mark.parametrize("path", ["public/src/client/header/unread.js", "src/client/unread.js"])
def test_js_an_amd_module_is_no_agenda_job(tmp_path, path: str) -> None:
    # NodeBB's client modules: every one is wrapped in a bare `define(name, deps, factory)`.
    head = _AMD.replace("!== states.watching", "!== states.watching && data.state !== 2")
    assert _found(tmp_path, {path: _AMD, **_JOBS}, {path: head}) == []


def test_js_agendas_define_is_still_a_job(tmp_path) -> None:
    base = ("const Agenda = require('agenda')\nconst agenda = new Agenda()\n\n"
            "agenda.define('send digest', async (job) => {\n  await send(job.attrs.data, 3)\n})\n")
    found = _found(tmp_path, {"src/jobs.js": base}, {"src/jobs.js": base.replace(", 3)", ", 4)")})
    assert [(path, line) for path, line, *_ in found] == [("src/jobs.js", 5)]
    assert "Agenda job" in found[0][4]


_NAVIGATOR = ("define('navigator', ['socket'], function (socket) {\n\tconst navigator = {};\n\tlet index = 0;\n\n"
              "\tnavigator.init = function () {\n\t\tsetInterval(function () {\n\t\t\trenderPost(index);\n"
              "\t\t}, 250);\n\t};\n\n\tasync function renderPost(i) {\n"
              "\t\treturn socket.emit('posts.getPostSummaryByIndex', { index: i - 1 });\n\t}\n\n"
              "\treturn navigator;\n});\n")


def test_js_an_amd_modules_timer_runs_in_the_page(tmp_path) -> None:
    path = "public/src/modules/navigator.js"
    assert _found(tmp_path, {path: _NAVIGATOR, **_JOBS}, {path: _NAVIGATOR.replace("i - 1", "i - 1, sort: 'new'")}) == []


def test_js_a_servers_timer_is_still_a_timer(tmp_path) -> None:
    server = _NAVIGATOR.replace("define('navigator', ['socket'], function (socket) {", "module.exports = (function (socket) {")
    path = "src/navigator.js"
    found = _found(tmp_path, {path: server, **_JOBS}, {path: server.replace("i - 1", "i - 1, sort: 'new'")})
    assert [(p, line) for p, line, *_ in found] == [(path, 12)]


def test_js_a_page_module_under_public_src_is_no_caller(tmp_path) -> None:
    # The changed function is named by a client module in `public/src/` that RequireJS loads
    # (`require([...], fn)` is not CommonJS): no trail through it.
    rate = "export function computeRate (x) {\n  return x * 2\n}\n"
    page = ("require(['rate'], function (rate) {\n\tconst x = computeRate(1);\n\tsetInterval(function () {\n"
            "\t\tdocument.title = String(computeRate(x));\n\t}, 1000);\n});\n")
    assert _found(tmp_path, {"src/lib/rate.ts": rate, "public/src/client/rate.js": page, **_JOBS},
                  {"src/lib/rate.ts": rate.replace("* 2", "* 3")}) == []


# --- A deleted module's own functions: only the module called them -------------------------------

_FORMAT_JOB = {"src/lib/format.ts": "export function formatDigest (x: string) {\n  return x.trim()\n}\n",
               "src/jobs/digest.ts": ("import { Worker } from 'bullmq'\nimport { formatDigest } from '@/lib/format'\n\n"
                                      "new Worker('digest', async (job) => {\n  await send(formatDigest(job.data))\n})\n")}


def test_ts_a_deleted_modules_private_function_is_no_jobs(tmp_path) -> None:
    # Unleash's deleted tooltip: its styled components, named in hundreds of files, were searched
    # for until the search gave up. A module-private name was called only by the module.
    tooltip = ("import { styled } from '@mui/material'\n\nconst formatDigest = (x: string) => x.toUpperCase()\n\n"
               "export const Tooltip = () => <b>{formatDigest('new')}</b>\n")
    found = _found(tmp_path, {"src/ui/Tooltip.tsx": tooltip, **_FORMAT_JOB}, {"src/ui/Tooltip.tsx": None})
    assert found == []


def test_ts_a_deleted_modules_exported_function_is_still_followed(tmp_path) -> None:
    tooltip = "export const formatDigest = (x: string) => x.toUpperCase()\n"
    job = _FORMAT_JOB["src/jobs/digest.ts"].replace("@/lib/format", "@/ui/format")
    found = _found(tmp_path, {"src/ui/format.ts": tooltip, "src/jobs/digest.ts": job}, {"src/ui/format.ts": None})
    assert [(path, line, side) for path, line, side, *_ in found] == [("src/ui/format.ts", 1, "base")]


# --- A try wrapped round a function's whole body that only logs and rethrows -------------------

_REFRESH = ("import { Worker } from 'bullmq'\n\nclass Tokens {\n  async refresh () {\n"
            "    const tokens = await this.store.getAllActive()\n    this.active = new Map(tokens.map((t) => [t.id, t]))\n  }\n}\n\n"
            "new Worker('refresh', async () => new Tokens().refresh())\n")
_WRAPPED = _REFRESH.replace(
    "    const tokens = await this.store.getAllActive()\n    this.active = new Map(tokens.map((t) => [t.id, t]))\n",
    "    try {\n      const tokens = await this.store.getAllActive()\n      this.active = new Map(tokens.map((t) => [t.id, t]))\n"
    "    } catch (e) {\n      this.logger.error('token refresh failed', e)\n      throw e\n    }\n")


def test_ts_a_last_try_that_only_logs_and_rethrows_is_no_change(tmp_path) -> None:
    # Unleash's token refresh: its declarations reach no further, nothing follows the try.
    assert _found(tmp_path, {"src/jobs/tokens.ts": _REFRESH}, {"src/jobs/tokens.ts": _WRAPPED}) == []


def test_ts_a_try_with_statements_after_it_is_still_a_change(tmp_path) -> None:
    # `tokens` declared in the try is another binding than any `tokens` after it.
    head = _WRAPPED.replace("      throw e\n    }\n", "      throw e\n    }\n    return tokens\n")
    found = _found(tmp_path, {"src/jobs/tokens.ts": _REFRESH}, {"src/jobs/tokens.ts": head})
    assert [(path, line) for path, line, *_ in found] == [("src/jobs/tokens.ts", 5)]


# --- A metrics counter's increment is no row update --------------------------------------------

@pytest.mark.parametrize(("imported", "flagged"), [("prom-client", False), ("./util/metrics/index.js", False),
                                                  ("./models/token", True)])
def test_js_a_counters_increment_counts_a_metric(tmp_path, imported: str, flagged: bool) -> None:
    base = (f"import {{ createCounter }} from '{imported}'\n\nconst lookupTotal = createCounter({{ name: 'lookups' }})\n\n"
            "export function onLookup (bus) {\n  bus.on('lookup', () => {})\n}\n")
    head = base.replace("() => {}", "({ cache }) => {\n    lookupTotal.increment({ cache })\n  }")
    found = _found(tmp_path, {"src/metrics.ts": base}, {"src/metrics.ts": head}, rule="DC250")
    assert [(path, line) for path, line, *_ in found] == ([("src/metrics.ts", 7)] if flagged else [])


# --- A local variable renamed one to one --------------------------------------------------------

_RUN = ("package jobs\n\nimport \"time\"\n\nvar limit = 1000\n\nfunc Run(elapsed int64) {\n\tif elapsed <= 1000 {\n"
        "\t\twaitMs := time.Duration(1000 - elapsed)\n\t\ttime.Sleep(waitMs * time.Millisecond)\n\t}\n\tunlock()\n}\n")


def _dc701(tmp_path, base: str, head: str, path: str = "app/jobs/job.go") -> list[tuple]:
    return _found(tmp_path, {path: base}, {path: head})


def test_go_a_local_renamed_one_to_one_is_no_change(tmp_path) -> None:
    # fider's job runner: a linter renamed `waitMs` to `wait`.
    assert _dc701(tmp_path, _RUN, _RUN.replace("waitMs", "wait")) == []


_READS_LIMIT = _RUN.replace("(1000 - elapsed)", "(limit - elapsed)")


@pytest.mark.parametrize(("base", "head"), [
    # `limit` is read unrenamed too: two variables, not one renamed (though Go would read the
    # outer `limit` on the right of `limit :=`, the proof does not go that far)
    (_RUN, _RUN.replace("waitMs := ", "limit := ").replace("Sleep(waitMs", "Sleep(limit + waitMs")),
    (_READS_LIMIT, _READS_LIMIT.replace("waitMs", "limit")),
    # a name that changed in one place only
    (_RUN, _RUN.replace("Sleep(waitMs", "Sleep(elapsed")),
])
def test_go_what_is_not_a_one_to_one_rename_is_still_a_change(tmp_path, base: str, head: str) -> None:
    assert [line for _, line, *_ in _dc701(tmp_path, base, head)] in ([9], [10])


def test_go_a_renamed_struct_literal_key_is_still_a_change(tmp_path) -> None:
    # The key of a keyed literal names a field: renamed with the local, it sets another field.
    base = _RUN.replace("waitMs := time.Duration(1000 - elapsed)", "waitMs := 1\n\t\t_ = opts{waitMs: waitMs}")
    head = base.replace("waitMs", "wait")
    assert _dc701(tmp_path, base, head) != []


def test_ts_a_renamed_parameter_property_is_still_a_change(tmp_path) -> None:
    base = ("import { Worker } from 'bullmq'\n\nexport class Digest {\n  constructor (private limit: number) {}\n}\n\n"
            "new Worker('d', async (job) => new Digest(job.data))\n")
    found = _found(tmp_path, {"src/jobs/digest.ts": base}, {"src/jobs/digest.ts": base.replace("limit", "max")})
    assert [line for _, line, *_ in found] == [4]


def test_js_a_local_renamed_in_a_job_is_no_change(tmp_path) -> None:
    base = ("import { Worker } from 'bullmq'\n\nasync function digest (job) {\n"
            "  const items = await load(job.data)\n  for (const item of items) {\n    await send(item)\n  }\n}\n\n"
            "new Worker('d', digest)\n")
    head = base.replace("items", "rows").replace("item)", "row)").replace("const item ", "const row ")
    assert _found(tmp_path, {"src/jobs/digest.js": base}, {"src/jobs/digest.js": head}) == []


# --- Watermill's message handlers are background code -------------------------------------------

_LISTENER = ("package handler\n\nimport (\n\t\"encoding/json\"\n\n\t\"github.com/ThreeDotsLabs/watermill/message\"\n)\n\n"
             "type Listener struct{}\n\nfunc (s *Listener) Handle(msg *message.Message) error {\n\tev := &Event{}\n"
             "\tif err := json.Unmarshal(msg.Payload, ev); err != nil {\n\t\treturn err\n\t}\n\treturn run(ev, 1)\n}\n")


def test_go_a_watermill_handler_is_background_code(tmp_path) -> None:
    # vikunja's event listeners: a migration listener runs the importers.
    found = _dc701(tmp_path, _LISTENER, _LISTENER.replace("run(ev, 1)", "run(ev, 2)"), path="pkg/handler/listeners.go")
    assert [(line, "Watermill" in message or "job handler" in message) for _, line, _, _, message in found] == [(16, True)]


def test_go_a_message_type_of_another_package_is_no_handler(tmp_path) -> None:
    own = _LISTENER.replace("\"github.com/ThreeDotsLabs/watermill/message\"", "\"example.com/chat/message\"")
    assert _dc701(tmp_path, own, own.replace("run(ev, 1)", "run(ev, 2)"), path="pkg/handler/listeners.go") == []


# --- A server's fire-and-forget setTimeout is deferred work -------------------------------------

_PUSH = ("const db = require('./database')\n\nexports.push = function (uids, note) {\n"
         "\tsetTimeout(() => {\n\t\tpushToUids(uids, note)\n\t}, 500)\n}\n\n"
         "async function pushToUids (uids, note) {\n\tawait db.sortedSetsAdd(uids, note)\n\temit(note)\n}\n")


def test_js_a_fire_and_forget_timer_runs_its_work_after_the_request(tmp_path) -> None:
    # NodeBB's notification push: batched half a second after the request returned.
    head = _PUSH.replace("\temit(note)\n", "\tconst count = await db.unread(uids)\n\temit({ note, count })\n")
    found = _found(tmp_path, {"src/notifications.js": _PUSH, **_JOBS}, {"src/notifications.js": head})
    assert [(path, line) for path, line, *_ in found] == [("src/notifications.js", 11)]
    assert "deferred work (setTimeout)" in found[0][4]


@pytest.mark.parametrize("timer", [
    "\tconst guard = setTimeout(() => {\n\t\tpushToUids(uids, note)\n\t}, 500)\n",            # kept, to clear it
    "\tawait new Promise((resolve) => setTimeout(() => {\n\t\tpushToUids(uids, note)\n\t}, 500))\n",  # a delay
])
def test_js_a_timer_the_caller_keeps_or_awaits_is_its_own_wait(tmp_path, timer: str) -> None:
    base = _PUSH.replace("\tsetTimeout(() => {\n\t\tpushToUids(uids, note)\n\t}, 500)\n", timer).replace(
        "exports.push = function", "exports.push = async function")
    head = base.replace("\temit(note)\n", "\tconst count = await db.unread(uids)\n\temit({ note, count })\n")
    assert _found(tmp_path, {"src/notifications.js": base, **_JOBS}, {"src/notifications.js": head}) == []


# --- A Go job system from before modules names itself by its root package -----------------------

_POOL = ("package work\n\nimport \"github.com/robfig/cron\"\n\ntype WorkerPool struct{ specs []cron.Schedule }\n\n"
         "func (wp *WorkerPool) PeriodicallyEnqueue(spec string) *WorkerPool {\n\tschedule, err := cron.Parse(spec)\n"
         "\tif err != nil {\n\t\tpanic(err)\n\t}\n\twp.specs = append(wp.specs, schedule)\n\treturn wp\n}\n")
_POOL_HEAD = _POOL.replace("\tschedule, err := cron.Parse(spec)\n",
                           "\tp := cron.NewParser(cron.SecondOptional | cron.Minute)\n\tschedule, err := p.Parse(spec)\n")


def test_go_a_job_system_without_go_mod_is_known_by_its_root_package(tmp_path) -> None:
    # gocraft/work: which schedules its periodic enqueuer accepts changed.
    readme = {"README.md": "# gocraft/work\n\n```\ngo get github.com/gocraft/work\n```\n"}
    found = _found(tmp_path, {"worker_pool.go": _POOL, **readme}, {"worker_pool.go": _POOL_HEAD})
    assert [(path, line) for path, line, *_ in found] == [("worker_pool.go", 8)]


@pytest.mark.parametrize("other", [{"go.mod": "module example.com/work\n\ngo 1.21\n"},   # a module of another name
                                   {}])
def test_go_a_root_package_of_another_name_or_a_module_is_no_job_system(tmp_path, other: dict) -> None:
    pool = _POOL if other else _POOL.replace("package work", "package pool")
    head = _POOL_HEAD if other else _POOL_HEAD.replace("package work", "package pool")
    assert _found(tmp_path, {"worker_pool.go": pool, **other}, {"worker_pool.go": head}) == []


@pytest.mark.parametrize("framework", ["import { Component } from '@angular/core'", "import { ref } from 'vue'",
                                       "import { onMount } from 'svelte'"])
def test_js_a_page_frameworks_timer_runs_in_the_browser(tmp_path, framework: str) -> None:
    # harbor's Angular portal reloads its artifact list half a second after a click.
    page = _PUSH.replace("const db = require('./database')", framework + "\nimport { db } from './database'")
    head = page.replace("\temit(note)\n", "\tconst count = await db.unread(uids)\n\temit({ note, count })\n")
    assert _found(tmp_path, {"src/app/list.component.ts": page, **_JOBS}, {"src/app/list.component.ts": head}) == []


def test_js_a_timer_in_a_module_that_shows_no_server_is_no_deferred_work(tmp_path) -> None:
    # outline's editor plugin in `shared/`: no CommonJS, no Node module, no `process`.
    plugin = _PUSH.replace("const db = require('./database')", "import { db } from './database'").replace(
        "exports.push = function (uids, note)", "export function push (uids, note)")
    head = plugin.replace("\temit(note)\n", "\tconst count = await db.unread(uids)\n\temit({ note, count })\n")
    assert _found(tmp_path, {"shared/editor/upload.ts": plugin, **_JOBS}, {"shared/editor/upload.ts": head}) == []


# --- pg-boss workers, also through an application's wrapper (new-user trial: shelf.nu) ---------

_PGBOSS = ("import { scheduler } from '~/utils/scheduler.server'\n\nexport async function registerEmailWorkers () {\n"
           "  await scheduler.work<Payload>('email', { teamSize: 5 }, async (job) => {\n"
           "    await sendMail(job.data)\n  })\n}\n")


def test_ts_a_pg_boss_worker_through_a_wrapper_is_a_job(tmp_path) -> None:
    path = "app/emails/email.worker.server.ts"
    found = _found(tmp_path, {path: _PGBOSS}, {path: _PGBOSS.replace("teamSize: 5", "teamSize: 20")})
    assert [(p, line) for p, line, *_ in found] == [(path, 4)]
    assert "pg-boss worker" in found[0][4]


def test_ts_work_on_another_receiver_is_no_worker(tmp_path) -> None:
    path = "app/farm/worker.server.ts"
    farm = _PGBOSS.replace("scheduler.work<Payload>", "farm.work")
    assert _found(tmp_path, {path: farm, **_JOBS}, {path: farm.replace("teamSize: 5", "teamSize: 20")}) == []


# --- A Ruby method called as a bare receiver (new-user trial: email-alert-api) -----------------

_SERVICE = ("class ImmediateEmailService\n  BATCH_SIZE = 5000\n\n  def self.call(content)\n    new(content).call\n  end\n\n"
            "  def initialize(content)\n    @content = content\n  end\n\n  def call\n"
            "    subscriber_batches.each { |batch| batch.deliver }\n  end\n\nprivate\n\n"
            "  def subscriber_batches\n    Subscription.active.each_slice(BATCH_SIZE).to_a\n  end\nend\n")
_CONTENT_JOB = ("class ProcessContentJob < ApplicationJob\n  def perform(content)\n"
                "    ImmediateEmailService.call(content)\n  end\nend\n")


def test_rb_a_method_called_as_a_bare_receiver_is_followed(tmp_path) -> None:
    found = _found(tmp_path, {"app/services/immediate_email_service.rb": _SERVICE, "app/jobs/process_content_job.rb": _CONTENT_JOB},
                   {"app/services/immediate_email_service.rb": _SERVICE.replace("5000", "1000")})
    assert [(path, line) for path, line, *_ in found] == [("app/services/immediate_email_service.rb", 2)]
    assert "subscriber_batches" in found[0][4]


def test_rb_a_local_receiver_is_no_call(tmp_path) -> None:
    # `subscriber_batches` assigned in `call` is its local: no call of the method.
    service = _SERVICE.replace("    subscriber_batches.each", "    subscriber_batches = []\n    subscriber_batches.each")
    found = _found(tmp_path, {"app/services/immediate_email_service.rb": service, "app/jobs/process_content_job.rb": _CONTENT_JOB},
                   {"app/services/immediate_email_service.rb": service.replace("5000", "1000")})
    assert found == []


@pytest.mark.parametrize("own", ["  def base_scope\n    Person.all\n  end\n", "  attr_reader :base_scope\n",
                                 "  initialize_with :base_scope\n"])
def test_rb_a_bare_receiver_the_class_defines_is_its_own_method(tmp_path, own: str) -> None:
    # hitobito's cleanup finder calls its own `base_scope`; an API resource's `base_scope` changed.
    finder = f"class CleanupFinder\n{own}\n  def run\n    base_scope.where(active: false)\n  end\nend\n"
    job = "class CleanupJob < ApplicationJob\n  def perform\n    CleanupFinder.new.run.find_each(&:destroy)\n  end\nend\n"
    resource = "class RoleResource\n  def base_scope\n    Role.all\n  end\nend\n"
    found = _found(tmp_path, {"app/domain/cleanup_finder.rb": finder, "app/jobs/cleanup_job.rb": job,
                              "app/resources/role_resource.rb": resource},
                   {"app/resources/role_resource.rb": resource.replace("Role.all", "Role.includes(:person)")})
    assert found == []
