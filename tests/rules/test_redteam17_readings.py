"""Red team of session 17's readings: each test fails without its fix. Real git repositories,
real tree-sitter, the whole scan."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch as _found


# A job elsewhere in the repository: without one, no changed file is read for trails at all.
_JOBS_ELSEWHERE = {"src/jobs/digest.js": "const { Worker } = require('bullmq')\n\nnew Worker('digest', async (job) => send(job.data))\n"}


# --- A rename is proven only where every renamed name is the unit's own local --------------------

_JS_JOB = ("import { Worker } from 'bullmq'\n\nasync function digest (job) {\n"
           "  const payload = await load(job.data)\n  await send({ payload })\n}\n\nnew Worker('d', digest)\n")
_GO_JOB = ("package jobs\n\nvar n, m = 5, 6\n\nfunc Run() {\n\tgo func(n int) {\n\t\tuse(n)\n\t}(1)\n\tuse(n)\n}\n")
_RB_JOB = ("class DigestJob < ApplicationJob\n  def perform(id)\n    limit = 10\n    deliver(id, limit:)\n  end\nend\n")
_KT_JOB = ("package jobs\n\nimport org.springframework.scheduling.annotation.Scheduled\n\nclass Digest {\n"
           "    @Scheduled(fixedRate = 1000)\n    fun run() {\n        val limit = 10\n        send(\"top $limit\")\n    }\n}\n")


@pytest.mark.parametrize(("path", "base", "head"), [
    # `{ payload }` reads the local by its text: renamed alone, it reads another variable
    ("src/jobs/digest.js", _JS_JOB, _JS_JOB.replace("const payload", "const body")),
    # the inner function's `n` is renamed, and so is the package variable the function reads
    # after it: `use(m)` reads the other one
    ("app/jobs/job.go", _GO_JOB, _GO_JOB.replace("(n int)", "(m int)").replace("use(n)", "use(m)")),
    # Ruby's `limit:` alone passes the local `limit`
    ("app/jobs/digest_job.rb", _RB_JOB, _RB_JOB.replace("limit = 10", "max = 10")),
    # a Ruby name read before it is assigned is a method call: renamed, it calls another method
    ("app/jobs/digest_job.rb", _RB_JOB.replace("    limit = 10\n", "    log(count)\n    count = 10\n"),
     _RB_JOB.replace("    limit = 10\n", "    log(total)\n    total = 10\n")),
    # a template rendered with `binding` reads the locals by their names
    ("app/jobs/digest_job.rb", _RB_JOB.replace("deliver(id, limit:)", "deliver(id, ERB.new(T).result(binding))"),
     _RB_JOB.replace("deliver(id, limit:)", "deliver(id, ERB.new(T).result(binding))").replace("limit", "max")),
    # Kotlin's "$limit" names the local in the string's text
    ("src/main/kotlin/jobs/Digest.kt", _KT_JOB, _KT_JOB.replace("val limit", "val max")),
])
def test_a_rename_that_changes_what_a_name_reads_is_a_change(tmp_path, path: str, base: str, head: str) -> None:
    assert _found(tmp_path, {path: base}, {path: head}) != []


def test_go_a_rename_of_parameters_results_and_block_locals_is_still_no_change(tmp_path) -> None:
    base = ("package jobs\n\nfunc Run(n int) (err error) {\n\tfor i := 0; i < n; i++ {\n\t\tuse(i)\n\t}\n"
            "\tif x := load(n); x > 0 {\n\t\terr = save(x)\n\t}\n\treturn\n}\n")
    head = base
    for a, b in (("n", "count"), ("err", "failed"), ("i", "k"), ("x", "v")):
        head = head.replace(f"({a} ", f"({b} ").replace(f"{a} :=", f"{b} :=").replace(f"< {a};", f"< {b};")
        head = head.replace(f"{a}++", f"{b}++").replace(f"({a})", f"({b})").replace(f"; {a} >", f"; {b} >")
        head = head.replace(f"\t{a} =", f"\t{b} =").replace(f"{a} <", f"{b} <")
    assert "failed = save(v)" in head and "for k := 0; k < count; k++" in head
    assert _found(tmp_path, {"app/jobs/job.go": base}, {"app/jobs/job.go": head}) == []


# --- A try that only logs and rethrows: what its block declares must be seen nowhere else -------

_TRY_JOB = ("import { Worker } from 'bullmq'\n\nconst items = []\n\nasync function digest (job) {\n"
            "  const flush = () => deliver(items)\n"
            "  try {\n    const items = await load(job.data)\n    await flush()\n"
            "  } catch (e) {\n    log.error(e)\n    throw e\n  }\n}\n\nnew Worker('d', digest)\n")
_UNWRAPPED = _TRY_JOB.replace("  try {\n    const items = await load(job.data)\n    await flush()\n"
                              "  } catch (e) {\n    log.error(e)\n    throw e\n  }\n",
                              "  const items = await load(job.data)\n  await flush()\n")


@pytest.mark.parametrize(("base", "head"), [
    # the closure declared before the try read the module's `items`; unwrapped, it reads the job's
    (_TRY_JOB, _UNWRAPPED),
    (_UNWRAPPED, _TRY_JOB),
    # read before the try: unwrapped, `items` is in its temporal dead zone there
    (_TRY_JOB.replace("const flush = () => deliver(items)", "deliver(items)"),
     _UNWRAPPED.replace("const flush = () => deliver(items)", "deliver(items)")),
])
def test_js_unwrapping_a_try_whose_names_are_read_before_it_is_a_change(tmp_path, base: str, head: str) -> None:
    assert _found(tmp_path, {"src/jobs/digest.js": base}, {"src/jobs/digest.js": head}) != []


def test_js_unwrapping_a_last_try_whose_names_nothing_else_reads_is_still_no_change(tmp_path) -> None:
    base = _TRY_JOB.replace("const flush = () => deliver(items)", "const flush = () => deliver([])")
    head = _UNWRAPPED.replace("const flush = () => deliver(items)", "const flush = () => deliver([])")
    assert _found(tmp_path, {"src/jobs/digest.js": base}, {"src/jobs/digest.js": head}) == []


_SWITCH = ("package jobs;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\nclass Digest {\n    int x;\n\n"
           "    @Scheduled(fixedRate = 1000)\n    void run() throws Exception {\n        switch (mode()) {\n"
           "            case 1:\n                try {\n                    int x = load();\n                    send(x);\n"
           "                } catch (Exception e) {\n                    log.error(\"failed\", e);\n                    throw e;\n"
           "                }\n            case 2:\n                x = 5;\n        }\n    }\n}\n")


def test_java_unwrapping_a_try_last_in_a_switch_case_is_a_change(tmp_path) -> None:
    # The next case shares the switch's scope: unwrapped, `x = 5` sets the local, not the field.
    head = _SWITCH.replace("                try {\n                    int x = load();\n                    send(x);\n"
                           "                } catch (Exception e) {\n                    log.error(\"failed\", e);\n"
                           "                    throw e;\n                }\n",
                           "                int x = load();\n                send(x);\n")
    path = "src/main/java/jobs/Digest.java"
    assert _found(tmp_path, {path: _SWITCH}, {path: head}) != []


# --- An AMD module is one whose top level calls RequireJS's `define` ------------------------------

_POLLER = ("const db = require('./database')\n{define}\n"
           "setInterval(async () => {\n  await db.sweep(1)\n}, 1000)\n")


@pytest.mark.parametrize("define", [
    # a template for the page, whose line starts with `define(`
    "const snippet = `\ndefine('widget', [], function () {})\n`\n",
    # the server's own helper named `define`
    "function define (name, fn) {\n  registry[name] = fn\n}\n\ndefine('sweep', async () => db.sweep(0))\n",
    "const { define } = require('./registry')\n\ndefine('sweep', async () => db.sweep(0))\n",
])
def test_js_a_servers_file_that_says_define_keeps_its_timers(tmp_path, define: str) -> None:
    base = _POLLER.replace("{define}", define)
    path = "src/server/poller.js"
    found = _found(tmp_path, {path: base, **_JOBS_ELSEWHERE}, {path: base.replace("sweep(1)", "sweep(2)")})
    assert found != []


# --- A server's own timer, in a file that names no job API ---------------------------------------

_SWEEP = ("const db = require('./database')\n\nexports.start = function () {\n"
          "\t{timer}(async () => {\n\t\tawait db.sweep(1)\n\t}, 500)\n}\n")


@pytest.mark.parametrize("timer", ["setInterval", "setTimeout"])
def test_js_a_change_inside_a_servers_own_timer_is_background_code(tmp_path, timer: str) -> None:
    # A job elsewhere makes the file read for trails, and its timer was a trail's start: its own
    # body, changed, was "nothing flagged".
    base = _SWEEP.replace("{timer}", timer)
    found = _found(tmp_path, {"src/sweeper.js": base, **_JOBS_ELSEWHERE}, {"src/sweeper.js": base.replace("sweep(1)", "sweep(2)")})
    assert [(path, line) for path, line, *_ in found] == [("src/sweeper.js", 5)]


# --- DC250: a `…Counter` model in a file that also imports prom-client ----------------------------

_PAGES = ("import client from 'prom-client'\nimport { PageCounter } from '../models'\n\n"
          "export async function view (id, opts) {\n  await PageCounter.findByPk(id)\n}\n")


def test_js_a_counter_model_beside_prom_client_still_counts_rows(tmp_path) -> None:
    head = _PAGES.replace("await PageCounter.findByPk(id)", "await PageCounter.increment(['views'], opts)")
    found = _found(tmp_path, {"src/pages.js": _PAGES}, {"src/pages.js": head}, rule="DC250")
    assert [(path, line) for path, line, *_ in found] == [("src/pages.js", 5)]


def test_js_a_prom_client_counter_without_models_is_still_a_metric(tmp_path) -> None:
    base = _PAGES.replace("import { PageCounter } from '../models'\n", "const pageCounter = new client.Counter({ name: 'p' })\n")
    head = base.replace("await PageCounter.findByPk(id)", "pageCounter.increment({ page: id })")
    assert _found(tmp_path, {"src/pages.js": base}, {"src/pages.js": head}, rule="DC250") == []


# --- Go without go.mod: a root package named like a job system is not enough --------------------

_ENQUEUE = ("package work\n\nimport \"github.com/robfig/cron\"\n\nfunc Schedule(spec string) cron.Schedule {\n"
            "\tschedule, _ := cron.Parse(spec)\n\treturn schedule\n}\n")


@pytest.mark.parametrize("readme", [None, "# Our work queue\n\nInternal scheduling of the shop's work.\n"])
def test_go_an_application_whose_root_package_is_named_work_is_no_job_system(tmp_path, readme: str | None) -> None:
    # A GOPATH application's own `package work` (no go.mod, no README naming gocraft/work, no
    # work.go): its code is not gocraft/work's worker machinery.
    extra = {"README.md": readme} if readme else {}
    head = _ENQUEUE.replace("cron.Parse(spec)", "cron.ParseStandard(spec)")
    assert _found(tmp_path, {"schedule.go": _ENQUEUE, **extra}, {"schedule.go": head}) == []


def test_go_a_job_system_without_go_mod_is_known_by_a_file_named_for_its_package(tmp_path) -> None:
    base = _ENQUEUE.replace("package work", "package cron").replace("import \"github.com/robfig/cron\"\n\n", "")
    base = base.replace("cron.Schedule", "Schedule").replace("cron.Parse", "Parse")
    head = base.replace("Parse(spec)", "ParseStandard(spec)")
    found = _found(tmp_path, {"cron.go": base}, {"cron.go": head})
    assert [line for _, line, *_ in found] == [4]


# --- DC251: Postgres LISTEN/NOTIFY in a heredoc; a sentence is no SQL ------------------------------

_TRACKER = "class Tracker\n  def wait(conn)\n    conn.exec('SELECT 1')\n  end\nend\n"


@pytest.mark.parametrize(("sql", "flagged"), [
    ("    conn.exec(<<~SQL)\n      NOTIFY tracked_jobs, 'done'\n    SQL\n", True),
    ("    conn.exec(<<~SQL)\n      LISTEN tracked_jobs\n    SQL\n", True),
    ("    conn.exec(\"LISTEN #{conn.quote_ident(channel)}\")\n", True),
    ("    conn.exec('UNLISTEN *')\n", True),
    ("    puts 'NOTIFY users of the change'\n", False),
])
def test_ruby_listen_notify_is_read_as_sql(tmp_path, sql: str, flagged: bool) -> None:
    head = _TRACKER.replace("    conn.exec('SELECT 1')\n", sql)
    found = _found(tmp_path, {"app/models/tracker.rb": _TRACKER}, {"app/models/tracker.rb": head}, rule="DC251")
    assert bool(found) is flagged


# --- DC711: a JVM shutdown hook's thread changed on lines that do not name it ---------------------

_HOOKED = ("package app;\n\npublic class LogClient {\n    public void start() {\n        init();\n{hook}    }\n\n"
           "    void close() {}\n}\n")


@pytest.mark.parametrize("hook", [
    "        Runtime.getRuntime().addShutdownHook(new Thread(() -> {\n            close();\n        }));\n",
    "        Thread hook = new Thread(() -> {\n            close();\n        });\n        Runtime.getRuntime().addShutdownHook(hook);\n",
])
def test_java_a_change_inside_a_jvm_hooks_thread_is_a_changed_hook(tmp_path, hook: str) -> None:
    base = _HOOKED.replace("{hook}", hook)
    head = base.replace("            close();\n", "            flush();\n            close();\n")
    path = "src/main/java/app/LogClient.java"
    found = _found(tmp_path, {path: base}, {path: head}, rule="DC711")
    assert [(p, line) for p, line, *_ in found] == [(path, 7)]


def test_kotlin_a_change_inside_a_held_jvm_hook_thread_is_a_changed_hook(tmp_path) -> None:
    base = ("package app\n\nclass LogClient {\n    fun start() {\n        val hook = Thread {\n            close()\n"
            "        }\n        Runtime.getRuntime().addShutdownHook(hook)\n    }\n\n    fun close() {}\n}\n")
    head = base.replace("            close()\n", "            flush()\n            close()\n")
    path = "src/main/kotlin/app/LogClient.kt"
    assert [line for _, line, *_ in _found(tmp_path, {path: base}, {path: head}, rule="DC711")] == [6]


# --- A fire-and-forget setTimeout inside another constructor's options is still deferred work ------

_RESOLVERS = ("const { ApolloServer } = require('apollo-server')\nconst db = require('./database')\n\n"
              "module.exports = new ApolloServer({\n  resolvers: {\n    Mutation: {\n      notify: (_, { uids, note }) => {\n"
              "        setTimeout(() => {\n          db.push(uids, note)\n        }, 500)\n        return true\n"
              "      },\n    },\n  },\n})\n")


def test_js_a_timer_in_a_resolver_inside_new_server_is_deferred_work(tmp_path) -> None:
    head = _RESOLVERS.replace("db.push(uids, note)", "db.push(uids, note, 1)")
    found = _found(tmp_path, {"src/server.js": _RESOLVERS, **_JOBS_ELSEWHERE}, {"src/server.js": head})
    assert [(path, line) for path, line, *_ in found] == [("src/server.js", 9)]


def test_js_a_timer_in_a_promise_executors_block_is_still_a_delay(tmp_path) -> None:
    base = ("const db = require('./database')\n\nexports.wait = async function (uids) {\n"
            "  await new Promise((resolve) => {\n    setTimeout(() => {\n      db.push(uids)\n      resolve()\n"
            "    }, 500)\n  })\n}\n")
    head = base.replace("db.push(uids)", "db.push(uids, 1)")
    assert _found(tmp_path, {"src/wait.js": base, **_JOBS_ELSEWHERE}, {"src/wait.js": head}) == []


def test_js_a_fire_and_forget_set_immediate_is_deferred_work(tmp_path) -> None:
    base = ("const db = require('./database')\n\nexports.push = function (uids, note) {\n"
            "\tsetImmediate(() => {\n\t\tdb.push(uids, note)\n\t})\n}\n")
    found = _found(tmp_path, {"src/push.js": base, **_JOBS_ELSEWHERE}, {"src/push.js": base.replace("note)\n\t})", "note, 1)\n\t})")})
    assert [(path, line, "deferred work (setImmediate)" in message) for path, line, _, _, message in found] == [
        ("src/push.js", 5, True)]


# --- A Ruby block read alone: its assignments may be its method's locals -------------------------

def _do_block(source: str):
    from deploycheck.rules.trees.parse import parse_bytes

    p = parse_bytes("ruby", source.encode())
    stack = [p.root]
    while stack:
        n = stack.pop(0)
        if n.type == "do_block":
            return n, p
        stack.extend(n.children)
    raise AssertionError("no do_block")


@pytest.mark.parametrize(("base", "head", "proven"), [
    # `last = x` in the block assigns the method's `last`: renamed, the block keeps its own
    ("last = nil\nxs.each do |x|\n  last = x\nend\nputs last\n", "last = nil\nxs.each do |x|\n  latest = x\nend\nputs last\n",
     False),
    # the block's own parameter, renamed
    ("xs.each do |x|\n  puts x\nend\n", "xs.each do |y|\n  puts y\nend\n", True),
])
def test_ruby_a_blocks_assignment_is_no_declaration_of_its_own(base: str, head: str, proven: bool) -> None:
    from deploycheck.rules.trees.units import proof_with_renames

    assert (proof_with_renames(*_do_block(base), *_do_block(head)) is not None) is proven


@pytest.mark.parametrize("path", ["public/js/ticker.js", "src/components/ticker.js"])
def test_js_a_pages_own_timer_is_still_not_read_for_itself(tmp_path, path: str) -> None:
    # A file that shows nothing of a server (no require, module.exports or Node module) keeps
    # its timers the browser's when it is read only for trails.
    page = "setInterval(function () {\n  document.title = String(Date.now() + 1)\n}, 1000)\n"
    assert _found(tmp_path, {path: page, **_JOBS_ELSEWHERE}, {path: page.replace("+ 1", "+ 2")}) == []
