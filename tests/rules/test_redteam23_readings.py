"""Red team of session 23's readings (commits dfd61d7, 835f8aa, bfcf1d2, b687504, 4e2315d):
realigned lines, DC001's JS Unicode escapes, DC250's `idempotentHint`, browser (page) modules,
LightService actions, DC715's deliver_now <-> deliver_later, DC509's whenever / sidekiq-scheduler
readings and `hook install` over the pre-commit framework. Each test not marked PASSES NOW fails
on the code it was written against (4e2315d): a silent miss (a real hazard not flagged) or a
false flag (a harmless change flagged). Each says what real code it models and what the correct
result is. Real git repositories, real tree-sitter, the whole scan."""

from __future__ import annotations


import textwrap

import pytest

from support.dcflow import framework_pre_push, run_dc
from support.gitrepo import make_branch, make_repo
from support.scanning import LIGHTSERVICE_ACTION, flagged_on_branch as _found
from deploycheck.analysis.pipeline import analyse


def _lines(found: list[tuple]) -> list[tuple[str, int]]:
    return [(p, line) for p, line, *_ in found]


def _scan(tmp_path, base: dict, head: dict):
    repo = make_repo(tmp_path / "repo", {"README.md": "shop\n", **base})
    make_branch(repo, "work", head)
    return analyse(base="main", cwd=str(repo)).scan


# =================================================================================================
# 2. DC001 "writes a name with the Unicode escape" (not_analysed._js_escaped_identifier, _name_letter)
# =================================================================================================

SLUG = 'export function slugify(title: string): string {\n  return title.toLowerCase().trim();\n}\n'


@pytest.mark.parametrize("line", [
    # The usual "strip diacritics" idiom of every slugify helper: U+0300-U+036F are combining
    # marks, which may continue a JS name, so _name_letter counts them.
    'return title.normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase().trim();',
    # Chinese-language apps keep the CJK range in a regular expression (`\u4e00-\u9fa5`).
    'return title.replace(/[^\\u4e00-\\u9fa5a-z0-9]+/gi, "-").toLowerCase();',
    # A person's-name validator accepting accented Latin letters.
    "return /^[A-Za-z\\u00C0-\\u024F' -]+$/.test(title) ? title.trim() : \"\";",
], ids=["diacritics", "cjk-range", "latin-range"])
def test_dc001_a_letter_range_in_a_regex_literal_writes_no_name(tmp_path, line: str) -> None:
    # src/utils/slug.ts of a blog or shop: a character class of a regular expression literal
    # (which the "c" lexer leaves as code) names letters, not a name of the program; Node reads
    # no identifier there. The reading only skips escapes of non-name characters
    # (`[\u0000-\u0020]`), so a range of letters or combining marks is still DC001 `high`
    # ("writes a name with the Unicode escape \u0300"). Was a false flag. Correct: nothing.
    path = "src/utils/slug.ts"
    head = SLUG.replace("  return title.toLowerCase().trim();", f"  {line}")
    assert _found(tmp_path, {path: SLUG}, {path: head}, rule="DC001") == []


def test_dc001_an_escaped_name_inside_a_template_literals_substitution_is_unread(tmp_path) -> None:
    # The evasion DC001 exists for (red team 3: `job.\u0073ave()` is `job.save()` to Node),
    # written inside a template literal's `${…}`: that is code, but the "c" lexer blanks the whole
    # backtick literal, so the escape is not seen. Models a job's log line that also saves the
    # record. Was a silent miss. Correct: DC001 on line 2.
    path = "src/jobs/finish.ts"
    base = 'export async function finish(job) {\n  console.log("finished");\n}\n'
    head = base.replace('  console.log("finished");', '  console.log(`finished ${await job.\\u0073ave()}`);')
    assert _lines(_found(tmp_path, {path: base}, {path: head}, rule="DC001")) == [(path, 2)]


# =================================================================================================
# 4. Browser code (background.runs_in_page, _DOM, _DRIVES_A_BROWSER) and DC717 in page modules
# =================================================================================================

_WIDGET_SERVER = '''import express from "express";
import { flushEvents } from "./events";

const app = express();

app.get("/widget.js", (_req, res) => {
  res.type("application/javascript").send(
    `window.addEventListener("load", () => { const s = document.createElement("script"); s.src = "/w.js"; document.body.appendChild(s); });`,
  );
});

setInterval(() => {
  flushEvents().catch((err) => console.error(err));
}, 5000);

app.listen(3000);
'''
_EVENTS = '''import { db } from "./db";

const pending: object[] = [];

export async function flushEvents() {
  const batch = pending.splice(0, 100);
  await db.insert("events", batch);
}
'''


@pytest.mark.parametrize("serves_a_snippet", [True, False], ids=["serves-dom-snippet", "PASSES-NOW-no-snippet"])
def test_a_server_that_serves_a_dom_snippet_still_runs_its_timers(tmp_path, serves_a_snippet: bool) -> None:
    # An analytics/embeddable-widget Express server: it serves a loader script as a string
    # (`window.addEventListener("load", … document.createElement("script") …)`), and flushes its
    # buffered events to the database every 5 s in a `setInterval`. `_DOM` is searched over the
    # whole source, strings included, so the server "runs in a page" and its interval is no
    # background code: the change to flushEvents (batches five times larger, under the same
    # interval) is not DC701. Was a silent miss (the same server without the snippet is flagged:
    # the PASSES-NOW case). Correct: DC701 on server/events.ts:6 either way.
    server = _WIDGET_SERVER if serves_a_snippet else _WIDGET_SERVER.replace(
        _WIDGET_SERVER[_WIDGET_SERVER.index('app.get("/widget.js"'):_WIDGET_SERVER.index("setInterval")], "")
    worker = "import { Worker } from 'bullmq'\n\nexport const w = new Worker('q', async () => {})\n"
    main = {"server/index.ts": server, "server/events.ts": _EVENTS, "server/worker.ts": worker}
    head = {"server/events.ts": _EVENTS.replace("splice(0, 100)", "splice(0, 500)")}
    assert _lines(_found(tmp_path, main, head, rule="DC701")) == [("server/events.ts", 6)]


_NEXT_DATA = '''import "server-only";
import { cache } from "react";
import { db } from "@/lib/db";

export const getOrder = cache(async (id: string) => db.order.findUnique({ where: { id } }));

async function recordView(orderId: string) {
  await db.orderView.create({ data: { orderId } });
}

export async function loadOrderPage(id: string) {
  const order = await getOrder(id);
  return order;
}
'''


@pytest.mark.parametrize("imports_react_cache", [True, False], ids=["react-cache", "PASSES-NOW-no-react"])
def test_dc717_a_next_server_module_using_reacts_cache_is_no_page(tmp_path, imports_react_cache: bool) -> None:
    # Next.js App Router's data layer (lib/orders.ts): `import "server-only"` and React's
    # `cache()` for per-request memoisation, as Next's docs show. A new `recordView(id)` without
    # `await` is dropped when the serverless function returns. `_JS_PAGE` counts any import of
    # "react" as a page module, and DC717 now skips page modules. Was a silent miss (without the
    # `cache` import it is flagged: the PASSES-NOW case). Correct: DC717 on lib/orders.ts:12.
    base = _NEXT_DATA if imports_react_cache else _NEXT_DATA.replace('import { cache } from "react";\n', "").replace(
        "cache(async (id: string) => db.order.findUnique({ where: { id } }))",
        "async (id: string) => db.order.findUnique({ where: { id } })")
    head = base.replace("  const order = await getOrder(id);\n", "  const order = await getOrder(id);\n  recordView(id);\n")
    path = "lib/orders.ts"
    # The call's line: one more with the `cache` import above it.
    assert _lines(_found(tmp_path, {path: base}, {path: head}, rule="DC717")) == [(path, 13 if imports_react_cache else 12)]


# =================================================================================================
# 5. LightService (reach.ruby_scope): PASSES NOW
# =================================================================================================

# The same action written inside its module (`module Billing` / `class Charge`).
_NESTED_ACTION = "module Billing\n" + textwrap.indent(LIGHTSERVICE_ACTION.replace("class Billing::Charge", "class Charge"), "  ") + "end\n"
_STEPS_ORGANIZER = """module Billing
  class Settle
    extend LightService::Organizer

    def self.call(id)
      with(account_id: id).reduce(steps)
    end

    def self.steps
      [Charge, Notify]
    end
  end
end
"""


def test_PASSES_NOW_a_nested_lightservice_action_reduced_through_steps_is_followed(tmp_path) -> None:
    # LightService's documented organizer shape: the actions listed in `self.steps` inside
    # `module Billing` (a bare `Charge`), `reduce(steps)`, the action defined in nested modules.
    # Correct (and now): DC701 on the action's changed line 8, reached from the job.
    job = "class ChargeJob < ApplicationJob\n  def perform(id)\n    Billing::Settle.call(id)\n  end\nend\n"
    main = {"app/jobs/charge_job.rb": job, "app/actions/billing/charge.rb": _NESTED_ACTION,
            "app/organizers/billing/settle.rb": _STEPS_ORGANIZER}
    head = {"app/actions/billing/charge.rb": _NESTED_ACTION.replace("balance - 1)", "balance - 2)")}
    found = _found(tmp_path, main, head)
    assert ("app/actions/billing/charge.rb", 8) in _lines(found)
    assert any("ActiveJob job at app/jobs/charge_job.rb:3" in f[4] for f in found)


# =================================================================================================
# 6. DC715 Ruby deliver_now <-> deliver_later: PASSES NOW
# =================================================================================================

_COMPLETION = """class OrderCompletion
  def initialize(order)
    @order = order
  end

  def call
    @order.update!(state: "complete")
    OrderMailer.confirmation(@order).deliver_now
    @order.update!(confirmation_sent_at: Time.current)
  end
end
"""


@pytest.mark.parametrize("new", ["deliver_later(wait: 5.minutes)", "deliver_later!", "deliver_later(queue: :mailers)"])
def test_PASSES_NOW_deliver_later_with_options_is_read_as_the_switch(tmp_path, new: str) -> None:
    # A service marks the confirmation sent right after sending it; the mail becomes a job
    # (with a delay, a queue, or the bang form). Correct (and now): DC715 on line 8.
    path = "app/services/order_completion.rb"
    head = _COMPLETION.replace(".deliver_now", "." + new)
    assert _lines(_found(tmp_path, {path: _COMPLETION}, {path: head}, rule="DC715")) == [(path, 8)]


# =================================================================================================
# 7. DC509: whenever's config/schedule.rb and sidekiq-scheduler entries keyed by their class
# =================================================================================================

_WHENEVER_JOB_TYPE = """set :output, "log/cron.log"
job_type :sidekiq, "cd :path && :environment_variable=:environment bundle exec sidekiq-client push :task :output"

every 1.day, at: "4:30 am" do
  sidekiq "NightlyBillingJob"
end
"""


@pytest.mark.parametrize("after, line, says", [
    (_WHENEVER_JOB_TYPE.replace('every 1.day, at: "4:30 am" do', "every 10.minutes do"), 4,
     'changed from every 1.day, at: "4:30 am" to every 10.minutes'),
    (_WHENEVER_JOB_TYPE + '\nevery 5.minutes do\n  sidekiq "SyncStockJob"\nend\n', 8, "new schedule every 5.minutes"),
], ids=["every-changed", "new-task"])
def test_dc509_a_whenever_task_of_a_job_type_the_schedule_defines(tmp_path, after: str, line: int, says: str) -> None:
    # whenever's `job_type` defines a task verb (its README: `job_type :awesome, …`); apps on
    # Sidekiq define `sidekiq "SomeJob"` (or `rbenv_rake`, `bundle_exec`) and schedule with it.
    # `_WHENEVER_TASK` reads only runner/rake/command/script, so the nightly billing job moved to
    # every 10 minutes, or a new scheduled job, passes. Was a silent miss. Correct: DC509 at the
    # `every` line, saying the schedule changed or is new.
    result = _scan(tmp_path, {"config/schedule.rb": _WHENEVER_JOB_TYPE}, {"config/schedule.rb": after})
    found = [(f.line, f.message) for f in result.active if f.rule == "DC509"]
    assert [n for n, _ in found] == [line]
    assert says in found[0][1]


def test_dc509_a_whenever_every_wrapped_over_lines(tmp_path) -> None:
    # A long `every` written over lines (rubocop's line length; `roles:` for Capistrano):
    #   every 1.day,
    #         at: "5:00 am",
    #         roles: [:worker] do
    # `_EVERY` needs `every … do` on one line, so the new nightly stock sync is not read. Was a
    # silent miss. Correct: DC509 on the new block (its `every` line 7, or its task's line 10).
    block = 'every 1.day,\n      at: "{at}",\n      roles: [:worker] do\n  runner "{task}"\nend\n'
    base = block.format(at="4:30 am", task="Report.deliver!")
    head = base + "\n" + block.format(at="5:00 am", task="Stock.sync!")
    result = _scan(tmp_path, {"config/schedule.rb": base}, {"config/schedule.rb": head})
    found = [f.line for f in result.active if f.rule == "DC509"]
    assert len(found) == 1 and found[0] in (7, 10)


def test_dc509_a_sidekiq_scheduler_entry_keyed_by_its_class_with_every_and_first_in(tmp_path) -> None:
    # sidekiq-scheduler's README writes a first run delay as `every: ['30s', first_in: '120s']`.
    # The entry keyed by its class is read only when its `every` is a scalar, so the sync going
    # from every 5m to every 1m passes. Was a silent miss. Correct: DC509 on line 4.
    schedule = ':scheduler:\n  :schedule:\n    SyncStockJob:\n      every: ["5m", first_in: "1m"]\n'
    result = _scan(tmp_path, {"config/sidekiq.yml": schedule}, {"config/sidekiq.yml": schedule.replace('"5m"', '"1m"')})
    assert [(f.path, f.line) for f in result.active if f.rule == "DC509"] == [("config/sidekiq.yml", 4)]


def test_PASSES_NOW_dc509_whenever_inside_case_environment_and_with_parens(tmp_path) -> None:
    # `every` nested in `case @environment` and `every(1.hour) do` with parentheses: both read.
    sched = 'case @environment\nwhen "production"\n  every(1.day) do\n    runner "Report.deliver!"\n  end\nend\n'
    result = _scan(tmp_path, {"config/schedule.rb": sched}, {"config/schedule.rb": sched.replace("every(1.day)", "every(1.minute)")})
    found = [(f.line, f.message) for f in result.active if f.rule == "DC509"]
    assert [n for n, _ in found] == [3] and "to every 1.minute" in found[0][1]


# =================================================================================================
# 8. `deploycheck hook install` over the pre-commit framework's hook
# =================================================================================================


def test_hook_install_the_configured_id_moved_to_another_stage_does_not_run_on_push(tmp_path) -> None:
    # A team moved deploycheck's blocking hook to commit time (`stages: [pre-commit]` on the
    # `deploycheck` id: pre-commit lets a config override a hook's stages) and has the framework
    # installed for pre-push too (other hooks). `_framework_runs_deploycheck` reads only the id,
    # so `hook install` (pre-push) exits 0 saying the framework's pre-push hook "already runs
    # deploycheck's", which it does not: nothing checks the push. Was a wrong "nothing to
    # install". Correct: not that message (exit 2, the framework's hook is there and does not run
    # deploycheck at pre-push).
    repo = make_repo(tmp_path / "repo")
    framework_pre_push(repo, tmp_path / "pre-commit-home", "deploycheck", stages="pre-commit")
    proc = run_dc(repo, "hook", "install")
    assert "already runs deploycheck's" not in " ".join(proc.stdout.split())
    assert proc.returncode != 0


# =================================================================================================
# 1 and 3. Realigned lines and DC250's idempotentHint: PASSES NOW
# =================================================================================================

_LOCK_JOB = '''import { Worker } from "bullmq";
import { redis } from "../redis";

export const worker = new Worker("orders", async (job) => {
  const ok = await redis.set(`lock: ${job.data.orderId}`, "1", "NX", "EX", 30);
  if (!ok) return;
});
'''


def test_PASSES_NOW_a_template_literal_key_respaced_is_still_a_change(tmp_path) -> None:
    # A BullMQ worker's lock key `lock: ${id}` respaced to `lock:  ${id}`: the same words, but a
    # key the old workers still take. The tree rules lex with "c", which reads backticks as
    # strings, so the line is kept as a change. Correct (and now): flagged on line 5.
    path = "src/workers/orders.ts"
    head = _LOCK_JOB.replace("`lock: ${", "`lock:  ${")
    assert (path, 5) in _lines(_found(tmp_path, {path: _LOCK_JOB}, {path: head}, rule=None))
