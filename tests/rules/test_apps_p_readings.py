"""Readings from the apps-p sample (tests/corpus/*-labelled-apps-p.yaml), scanned first in
session 23, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import LIGHTSERVICE_ACTION, flagged_on_branch

SUBSCRIPTION = """package server

// ExecuteInTx retries the callback after a serialization failure.
func ValidateSubscriptionApple(ctx context.Context, db *sql.DB, sub *Sub) error {
	if err := ExecuteInTx(ctx, db, func(tx *sql.Tx) error {
		return upsertSubscription(ctx, tx, sub)
	}); err != nil {
		return err
	}
	sub.ProviderResponse = ""  // Do not set for jws validation.
	return nil
}
"""


@pytest.mark.parametrize("change", ["respaced", "rewritten"])
def test_go_a_line_only_respaced_is_no_change_to_the_tree_rules(tmp_path, change: str) -> None:
    # nakama (apps-p 883720884b): a formatter took one of the two spaces before a trailing comment
    # in a function that retries transactions (`ExecuteInTx`): DC712 read it as a change there.
    new = 'sub.ProviderResponse = "" // Do not set for jws validation.' if change == "respaced" \
        else 'sub.ProviderResponse = "-" // Do not set for jws validation.'
    head = SUBSCRIPTION.replace('sub.ProviderResponse = ""  // Do not set for jws validation.', new)
    found = flagged_on_branch(tmp_path, {"server/core_subscription.go": SUBSCRIPTION},
                              {"server/core_subscription.go": head}, rule="DC712")
    assert [(f[0], f[1]) for f in found] == ([] if change == "respaced" else [("server/core_subscription.go", 10)])


def test_ruby_a_respaced_call_is_still_a_change_where_its_words_differ(tmp_path) -> None:
    # Words are split at whitespace only: Ruby's `foo -1` (a call) is not `foo - 1`.
    job = ("class CountJob\n  include Sidekiq::Job\n\n  def perform(id)\n    total = Counter.find(id).total\n"
           "    Counter.find(id).update!(total: total -1)\n  end\nend\n")
    found = flagged_on_branch(tmp_path, {"app/jobs/count_job.rb": job},
                              {"app/jobs/count_job.rb": job.replace("total -1)", "total - 1)")}, rule=None)
    assert [(f[0], f[1]) for f in found] == [("app/jobs/count_job.rb", 6)]


SANITIZE = "export function clean(url: string): string {\n  return url.trim();\n}\n"


@pytest.mark.parametrize("line, unread", [
    ("const URL_SCHEME_NOISE = /[\\u0000-\\u0020]+/g;", False),  # openreplay (apps-p e37e0d54)
    ("const SPACE = /\\u{20}/u;", False),
    ("job.\\u0073ave();", True),  # `job.save()` to Node: a name no pattern reads
    ("job.\\u{000073}ave();", True),
])
def test_js_a_unicode_escape_is_unread_only_where_it_spells_a_name(tmp_path, line: str, unread: bool) -> None:
    # The replay player's sanitizer matched control characters in a regular expression literal:
    # DC001 `high` ("writes a name with the Unicode escape \\u0000"), though no name was written.
    head = SANITIZE.replace("  return url.trim();\n", f"  {line}\n  return url.trim();\n")
    found = flagged_on_branch(tmp_path, {"player/src/sanitize.ts": SANITIZE}, {"player/src/sanitize.ts": head}, rule="DC001")
    assert [(f[0], f[1]) for f in found] == ([("player/src/sanitize.ts", 2)] if unread else [])


TOOLS = """import { z } from "zod";

export function register(server, prisma) {
  server.registerTool("logout", {
    annotations: { readOnlyHint: false },
  }, async () => prisma.session.deleteMany({}));
}
"""


@pytest.mark.parametrize("added, flagged", [
    ("idempotentHint: true", False),  # openreplay (apps-p 76aa836e): an MCP tool's hint to its client
    ("idempotencyKey: key", True),
])
def test_js_an_mcp_tools_idempotent_hint_is_no_idempotency_key(tmp_path, added: str, flagged: bool) -> None:
    head = TOOLS.replace("readOnlyHint: false }", f"readOnlyHint: false, {added} }}")
    found = flagged_on_branch(tmp_path, {"mcp_app/lib/tools.ts": TOOLS}, {"mcp_app/lib/tools.ts": head}, rule="DC250")
    assert [(f[0], f[1]) for f in found] == ([("mcp_app/lib/tools.ts", 5)] if flagged else [])


WATCHER = """import Sanitizer from '../app/sanitizer'

export default class TagWatcher {
  private interval: ReturnType<typeof setInterval> | null = null
  private sanitizer = new Sanitizer()

  setTags(tags: string[]) {
    this.interval = setInterval(() => {
      tags.forEach((tag) => {
        const els = document.querySelectorAll(tag)
        if (els.length > 0) this.sanitizer.handleNode(els[0])
      })
    }, 500)
  }
}
"""
SANITIZER = """export default class Sanitizer {
  private levels = new Map<Element, number>()

  handleNode(node: Element) {
    this.levels.set(node, 1)
  }
}
"""


@pytest.mark.parametrize("server", [False, True])
def test_js_a_browser_librarys_interval_is_no_servers_background_work(tmp_path, server: bool) -> None:
    # openreplay's recording tracker (apps-p 2e585d53) polls the page for tags in a `setInterval`:
    # it runs in each visitor's browser, yet it imports no page framework, and its sanitizer was
    # DC701 "reached from background code". A server driving a browser names the DOM as well.
    watcher = WATCHER if not server else 'import { chromium } from "playwright";\n' + WATCHER.replace(
        "tags.forEach((tag) => {", "tags.forEach(async (tag) => {").replace(
        "document.querySelectorAll(tag)", "await page.evaluate(() => document.querySelectorAll(tag))")
    # The repository runs a queue's workers too (openreplay's back end), so its timers are read.
    worker = "import { Worker } from 'bullmq'\n\nexport const w = new Worker('q', async () => {})\n"
    main = {"tracker/src/main/modules/tagWatcher.ts": watcher, "tracker/src/main/app/sanitizer.ts": SANITIZER,
            "api/worker.ts": worker}
    head = {"tracker/src/main/app/sanitizer.ts": SANITIZER.replace("this.levels.set(node, 1)", "this.levels.set(node, 2)")}
    found = flagged_on_branch(tmp_path, main, head)
    assert [(f[0], f[1]) for f in found] == ([("tracker/src/main/app/sanitizer.ts", 5)] if server else [])


COMPONENT = """import { Component, OnInit } from '@angular/core';

@Component({ selector: 'ngx-timer-session', templateUrl: './timer-session.component.html' })
export class TimerSessionComponent implements OnInit {
  ngOnInit(): void {
    this.toDatetimeLocal();
  }

  private async loadLocalSessionsForRange(): Promise<void> {
    this.sessions = await this.store.list();
  }
}
"""


@pytest.mark.parametrize("angular", [True, False])
def test_js_an_angular_components_unawaited_call_is_the_pages_own(tmp_path, angular: bool) -> None:
    # ever-gauzy (apps-p d1cf5311): a desktop timer's Angular component started its list load
    # without `await` in `ngOnInit`, three DC717 warnings on one user's page. A server module's
    # service (no page framework imported) is still read.
    base = COMPONENT if angular else COMPONENT.replace("import { Component, OnInit } from '@angular/core';",
                                                      "import { Injectable } from '@nestjs/common';")
    head = base.replace("    this.toDatetimeLocal();\n", "    this.loadLocalSessionsForRange();\n    this.toDatetimeLocal();\n")
    path = "packages/desktop-ui-lib/src/lib/timer-session.component.ts"
    found = flagged_on_branch(tmp_path, {path: base}, {path: head}, rule="DC717")
    assert [(f[0], f[1]) for f in found] == ([] if angular else [(path, 6)])


ACTION = LIGHTSERVICE_ACTION


@pytest.mark.parametrize("caller", [
    "Billing::Charge.execute(account_id: id)",  # the action run on its own
    "Billing::Settle.call(id)",  # an organizer whose `call` reduces it
])
def test_ruby_a_lightservice_actions_body_is_followed_by_its_class(tmp_path, caller: str) -> None:
    # canine (apps-p 04053466): the cluster install job runs LightService actions, whose bodies are
    # `executed do |context| … end` blocks at class level, no method; nothing followed them.
    organizer = ("class Billing::Settle\n  extend LightService::Organizer\n\n  def self.call(id)\n"
                 "    with(account_id: id).reduce(Billing::Charge)\n  end\nend\n")
    job = f"class ChargeJob < ApplicationJob\n  def perform(id)\n    {caller}\n  end\nend\n"
    main = {"app/jobs/charge_job.rb": job, "app/actions/billing/charge.rb": ACTION,
            "app/organizers/billing/settle.rb": organizer}
    head = {"app/actions/billing/charge.rb": ACTION.replace("balance - 1)", "balance - 2)")}
    found = flagged_on_branch(tmp_path, main, head)
    assert [(f[0], f[1]) for f in found] == [("app/actions/billing/charge.rb", 7)]
    assert "ActiveJob job at app/jobs/charge_job.rb:3" in found[0][4]


@pytest.mark.parametrize("organizer, flagged", [
    # canine (apps-p 04053466): the install organizer's recipe is a constant of its class body,
    # handed to `reduce` in its `call`; the cluster install job calls the organizer.
    ("class Billing::Settle\n  extend LightService::Organizer\n  RECIPE = [\n    Billing::Check,\n    Billing::Charge\n  ]\n\n"
     "  def self.call(id)\n    with(account_id: id).reduce(RECIPE)\n  end\nend\n", True),
    ("class Billing::Settle\n  include Interactor::Organizer\n\n  organize Billing::Check, Billing::Charge\nend\n", True),
    # A class that only lists the action in a constant, and organizes nothing: no call runs it.
    ("class Billing::Settle\n  STEPS = [Billing::Charge]\n\n  def self.call(id)\n    Billing::Check.call(id)\n  end\nend\n", False),
])
def test_ruby_an_organizers_class_body_runs_the_actions_it_names(tmp_path, organizer: str, flagged: bool) -> None:
    job = "class ChargeJob < ApplicationJob\n  def perform(id)\n    Billing::Settle.call(id)\n  end\nend\n"
    main = {"app/jobs/charge_job.rb": job, "app/actions/billing/charge.rb": ACTION, "app/organizers/billing/settle.rb": organizer}
    head = {"app/actions/billing/charge.rb": ACTION.replace("balance - 1)", "balance - 2)")}
    found = flagged_on_branch(tmp_path, main, head)
    assert [(f[0], f[1]) for f in found] == ([("app/actions/billing/charge.rb", 7)] if flagged else [])
