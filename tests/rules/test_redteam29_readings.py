"""Red team of session 29's new readings (tasks/ folders, documentation sites' src/ trees, Sidekiq's
queue list and handlers, JS/TS message handlers and poll loops, JS/TS and Go trails, JVM daemons),
on real git repositories. Each case asserts what a user needs and fails with the readings as they are."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- 1. JS/TS: a tasks/ folder whose index imports a scheduler -------------------------------------

# A to-do or project-management API keeps its feature in `src/tasks/` (the domain's "tasks"): the
# index wires the HTTP router and also schedules the daily reminder with node-cron. Every module
# of the folder is then read as a task's code, so a validation change in the HTTP controller is
# "changed lines in background code" and asks for the concurrency checklist on every request-path
# edit of the feature. Only what the schedule runs (reminders.ts) is background code.
TODO_INDEX = """import { Router } from 'express';
import cron from 'node-cron';
import { tasksController } from './tasks.controller';
import { sendDueReminders } from './reminders';

export const tasksRouter = Router();
tasksRouter.get('/', tasksController.list);
tasksRouter.post('/', tasksController.create);

cron.schedule('0 9 * * *', sendDueReminders);
"""
TODO_CONTROLLER = """import { Request, Response } from 'express';
import { Task } from './task.model';

export const tasksController = {
  async list(req: Request, res: Response) {
    res.json(await Task.find({ owner: req.user.id }));
  },
  async create(req: Request, res: Response) {
    const title = String(req.body.title).trim();
    res.status(201).json(await Task.create({ title, owner: req.user.id }));
  },
};
"""
TODO_REMINDERS = """import { Task } from './task.model';

export async function sendDueReminders() {
  const due = await Task.find({ due: { $lt: new Date() } });
  for (const t of due) await t.notifyOwner();
}
"""


def test_js_tasks_folder_http_controller_beside_a_cron_index_is_not_background(tmp_path) -> None:
    main = {"src/tasks/index.ts": TODO_INDEX, "src/tasks/tasks.controller.ts": TODO_CONTROLLER,
            "src/tasks/reminders.ts": TODO_REMINDERS, "src/tasks/task.model.ts": "export const Task: any = {};\n",
            "package.json": "{}\n"}
    found = flagged_on_branch(tmp_path, main, {"src/tasks/tasks.controller.ts": TODO_CONTROLLER.replace(
        ".trim()", ".trim().slice(0, 200)")})
    assert found == []


# hyperdx's runner in a folder named for what it holds: `src/scheduled-tasks/index.ts` (or
# `cron-tasks/`) runs the task named on its command line with `CronJob.from({ onTick })` through a
# registry no trail follows, exactly the construct the reading was written for. Only a folder
# named exactly `tasks/` is read, so the session purge below is changed unflagged.
RUNNER_INDEX = """import { CronJob } from 'cron';
import { registry } from './registry';

const name = process.argv[2];
CronJob.from({ cronTime: '0 * * * * *', onTick: async () => registry[name]() });
"""
PURGE_TASK = """export async function purgeSessions(db: any) {
  const cutoff = Date.now() - 86400000;
  await db.sessions.deleteMany({ updatedAt: { $lt: cutoff } });
}
"""


@pytest.mark.parametrize("folder", ["src/scheduled-tasks/", "src/cron-tasks/"])
def test_js_scheduled_tasks_folder_whose_index_runs_cron_is_missed(tmp_path, folder: str) -> None:
    main = {folder + "index.ts": RUNNER_INDEX, folder + "registry.ts": "export const registry: any = {};\n",
            folder + "purge/purgeSessions.ts": PURGE_TASK, "package.json": "{}\n"}
    found = flagged_on_branch(tmp_path, main, {folder + "purge/purgeSessions.ts": PURGE_TASK.replace("86400000", "3600000")})
    assert [(path, line) for path, line, *_ in found] == [(folder + "purge/purgeSessions.ts", 2)]


# --- 2. A src/ tree inside docs/ read as code ---------------------------------------------------------

# A queue library's (or any SDK's) documentation keeps runnable example projects in
# `docs/examples/<name>/src/`. They never run in the user's deployment, yet any src/ below docs/ is
# now read as production code: editing the example's concurrency raises DC510 and DC701 warnings.
DOCS_EXAMPLE = """import { Worker } from 'bullmq';

const worker = new Worker('emails', async job => {
  console.log('sending', job.data.to);
  await sendEmail(job.data);
}, { connection: { host: 'localhost' }, concurrency: 5 });
"""


def test_docs_example_project_src_tree_is_not_production_code(tmp_path) -> None:
    # As before session 29: the example is not read as an application's code (no DC510/DC701);
    # code in docs/ that no rule reads is reported unread (DC001), as fail-closed asks.
    path = "docs/examples/email-worker/src/worker.ts"
    found = flagged_on_branch(tmp_path, {path: DOCS_EXAMPLE, "package.json": "{}\n"},
                              {path: DOCS_EXAMPLE.replace("concurrency: 5", "concurrency: 10")}, rule=None)
    assert {message.split(":")[0] for *_, message in found} <= {"deploycheck could not analyse this file"}


# --- 3. Ruby/Sidekiq ---------------------------------------------------------------------------------

# Without weights Sidekiq reads its queues in strict order: moving `mailers` before `critical`
# makes password-reset mail starve payment jobs under load. DC524 compares weights only, and every
# queue weighs 1, so the reordering is not flagged.
STRICT_QUEUES = """---
:concurrency: 5
:queues:
  - critical
  - default
  - mailers
  - low
"""


def test_sidekiq_strict_order_queues_reordered_is_missed(tmp_path) -> None:
    reordered = STRICT_QUEUES.replace("  - critical\n  - default\n  - mailers\n", "  - mailers\n  - critical\n  - default\n")
    found = flagged_on_branch(tmp_path, {"config/sidekiq.yml": STRICT_QUEUES}, {"config/sidekiq.yml": reordered},
                              rule="DC524")
    assert found != []


# Sidekiq's configuration often lists queues per environment (`production:` merges over the top
# level) or, since Sidekiq 7, per capsule (`:capsules: :serial: :queues:`). `_queue_list` only
# reads a `:queues:` key at column 0, so a queue added there is missed.
ENV_QUEUES = """---
:concurrency: 5
production:
  :concurrency: 20
  :queues:
    - [critical, 3]
    - [default, 1]
development:
  :queues:
    - critical
    - default
"""
CAPSULE_QUEUES = """---
:concurrency: 5
:queues:
  - default
  - mailers
:capsules:
  :serial:
    :concurrency: 1
    :queues:
      - ledger
"""


@pytest.mark.parametrize("base, head, line", [
    (ENV_QUEUES, ENV_QUEUES.replace("    - [default, 1]\n", "    - [default, 1]\n    - [imports, 1]\n"), 8),
    (CAPSULE_QUEUES, CAPSULE_QUEUES.replace("      - ledger\n", "      - ledger\n      - payouts\n"), 11),
], ids=["environment", "capsule"])
def test_sidekiq_queue_added_to_an_indented_queue_list_is_missed(tmp_path, base: str, head: str, line: int) -> None:
    found = flagged_on_branch(tmp_path, {"config/sidekiq.yml": base}, {"config/sidekiq.yml": head}, rule="DC524")
    assert [(path, ln) for path, ln, *_ in found] == [("config/sidekiq.yml", line)]


# A new job on a queue that IS served, reported high ("accepted and never run"): a high finding
# tells the author the deploy loses work, so they hold a correct change. `_served_queues` reads only
# the top-level list of the first Sidekiq file: a capsule's queues, a second process's config
# (`sidekiq -C config/sidekiq_imports.yml`) and a Procfile's `sidekiq -q imports` are not seen.
APPLICATION_JOB = "class ApplicationJob < ActiveJob::Base\nend\n"
NEW_JOB = """class {name} < ApplicationJob
  queue_as :{queue}

  def perform(record_id)
    {model}.find(record_id).run!
  end
end
"""
MAIN_SIDEKIQ = """---
:concurrency: 10
:queues:
  - default
  - mailers
"""
IMPORTS_SIDEKIQ = """---
:concurrency: 2
:queues:
  - imports
"""


@pytest.mark.parametrize("files, queue", [
    ({"config/sidekiq.yml": CAPSULE_QUEUES}, "ledger"),
    ({"config/sidekiq.yml": MAIN_SIDEKIQ, "config/sidekiq_imports.yml": IMPORTS_SIDEKIQ,
      "Procfile": "worker: bundle exec sidekiq -C config/sidekiq.yml\nimports: bundle exec sidekiq -C config/sidekiq_imports.yml\n"},
     "imports"),
    ({"config/sidekiq.yml": MAIN_SIDEKIQ,
      "Procfile": "worker: bundle exec sidekiq -C config/sidekiq.yml\nimports: bundle exec sidekiq -q imports -c 2\n"}, "imports"),
], ids=["capsule", "second-config", "procfile-q"])
def test_sidekiq_new_job_on_a_served_queue_is_not_high(tmp_path, files: dict, queue: str) -> None:
    job = NEW_JOB.format(name="RecordJob", queue=queue, model="Record")
    found = flagged_on_branch(tmp_path, {"app/jobs/application_job.rb": APPLICATION_JOB, **files},
                              {"app/jobs/record_job.rb": job}, rule="DC164")
    assert [severity for *_, severity, _message in found if severity == "high"] == []


# Sidekiq's lifecycle events are as often written without parentheses (`config.on :shutdown do`):
# a new shutdown hook that marks running imports interrupted is not flagged by DC167.
SIDEKIQ_INIT = """Sidekiq.configure_server do |config|
  config.redis = { url: ENV.fetch("REDIS_URL") }

  config.on(:startup) do
    Rails.logger.info("sidekiq up")
  end
end
"""


def test_sidekiq_lifecycle_event_without_parentheses_is_missed(tmp_path) -> None:
    head = SIDEKIQ_INIT.replace("""  end
end
""", """  end

  config.on :shutdown do
    ImportRun.where(state: "running").update_all(state: "interrupted")
  end
end
""")
    found = flagged_on_branch(tmp_path, {"config/initializers/sidekiq.rb": SIDEKIQ_INIT},
                              {"config/initializers/sidekiq.rb": head}, rule="DC167")
    assert [line for _path, line, *_ in found] == [8]


# octobox's death handler releases a job's unique-jobs lock. The realistic change is to its body
# (which lock, how): only the `config.death_handlers << …` line matches, so an edit inside the
# handler, which decides whether users can sync again after a job died, is not flagged.
DEATH_HANDLER = """Sidekiq.configure_server do |config|
  config.redis = { url: ENV.fetch("REDIS_URL") }
  config.death_handlers << ->(job, _ex) do
    SidekiqUniqueJobs::Digests.new.delete_by_digest(job["lock_digest"]) if job["lock_digest"]
  end
end
"""


def test_sidekiq_death_handler_body_change_is_missed(tmp_path) -> None:
    head = DEATH_HANDLER.replace('delete_by_digest(job["lock_digest"]) if job["lock_digest"]',
                                 'delete_by_digest(job["unique_digest"]) if job["unique_digest"]')
    found = flagged_on_branch(tmp_path, {"config/initializers/sidekiq.rb": DEATH_HANDLER},
                              {"config/initializers/sidekiq.rb": head}, rule=None)
    assert [(path, line) for path, line, *_ in found] == [("config/initializers/sidekiq.rb", 4)]


# --- 4. JS/TS: message handlers and endless poll loops --------------------------------------------------

# TypeScript's worker-thread code writes `parentPort!.on('message', …)` (parentPort is
# `MessagePort | null`) as often as `parentPort?.on`. Outside a job folder, `!.` is not read as a
# worker thread's message handler: the thumbnail resize change passes unflagged.
THUMBNAIL_WORKER = """import { parentPort } from 'node:worker_threads';
import { resize } from './images';

parentPort!.on('message', async (job: { path: string; width: number }) => {
  const out = await resize(job.path, job.width);
  parentPort!.postMessage({ path: job.path, out });
});
"""


def test_js_worker_thread_handler_with_non_null_assertion_is_missed(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"src/lib/thumbnail.ts": THUMBNAIL_WORKER, "package.json": "{}\n"},
                              {"src/lib/thumbnail.ts": THUMBNAIL_WORKER.replace("job.width)", "job.width * 2)")})
    assert [(path, line) for path, line, *_ in found] == [("src/lib/thumbnail.ts", 5)]


# An outbox relay's poll loop: well-written ones stop on a flag (`while (this.running)`,
# `while (!this.stopped)`), and some write `while (1)`. Only `while (true)` / `for (;;)` is read
# (and `while (1)` is dropped by the family's keyword gate though `_endless` accepts it), so the
# batch-size change of the relay is missed.
OUTBOX_RELAY = """import { sleep } from './util';
import { db } from './db';

export class OutboxRelay {
  private running = false;
  private stopped = false;

  async start() {
    this.running = true;
    while (COND) {
      const rows = await db.outbox.findMany({ where: { sent: false }, take: 100 });
      for (const row of rows) {
        await publish(row);
      }
      await sleep(1000);
    }
  }

  stop() {
    this.running = false;
    this.stopped = true;
  }
}
"""


@pytest.mark.parametrize("condition", ["this.running", "!this.stopped", "1"])
def test_js_poll_loop_with_a_stop_flag_or_while_1_is_missed(tmp_path, condition: str) -> None:
    source = OUTBOX_RELAY.replace("COND", condition)
    found = flagged_on_branch(tmp_path, {"src/outbox/relay.ts": source, "package.json": "{}\n"},
                              {"src/outbox/relay.ts": source.replace("take: 100", "take: 500")})
    assert [(path, line) for path, line, *_ in found] == [("src/outbox/relay.ts", 11)]


# A checkout route retries the card charge with a backoff: `while (true) { try { return … }
# catch { … await sleep(…) } }` is the everyday retry loop of a request handler, not a poll loop
# beside the requests. It is read as background code, and the trail from it makes the Stripe
# helper "reached from background code": an ordinary currency change asks for the checklist.
CHECKOUT_ROUTE = """import express from 'express';
import { chargeCard } from '../payments/stripe';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export const router = express.Router();

router.post('/checkout', async (req, res) => {
  let attempt = 0;
  while (true) {
    try {
      const charge = await chargeCard(req.body.orderId, req.body.amount);
      return res.json(charge);
    } catch (err) {
      if (++attempt >= 3) return res.status(502).end();
      await sleep(attempt * 200);
    }
  }
});
"""
STRIPE = """import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_KEY!);

export async function chargeCard(orderId: string, amount: number) {
  return stripe.paymentIntents.create({ amount, currency: 'usd', metadata: { orderId } });
}
"""


def test_js_request_retry_loop_is_not_a_poll_loop(tmp_path) -> None:
    main = {"src/routes/checkout.ts": CHECKOUT_ROUTE, "src/payments/stripe.ts": STRIPE, "package.json": "{}\n"}
    found = flagged_on_branch(tmp_path, main, {"src/payments/stripe.ts": STRIPE.replace("currency: 'usd'", "currency: 'eur'")})
    assert found == []


# Paging through an API with a pause for its rate limit (`for (;;) { … if (last) break; await new
# Promise(r => setTimeout(r, 250)); }`) is a bounded loop run once per call, not a poll loop.
LIST_REPOS = """import { github } from './client';

export async function listAllRepos(org: string) {
  const repos = [];
  let page = 1;
  for (;;) {
    const batch = await github.repos.listForOrg({ org, page, per_page: 100 });
    repos.push(...batch.data);
    if (batch.data.length < 100) break;
    page += 1;
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  return repos;
}
"""


def test_js_paginating_loop_with_a_rate_limit_pause_is_not_a_poll_loop(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {"src/github/repos.ts": LIST_REPOS, "package.json": "{}\n"},
                              {"src/github/repos.ts": LIST_REPOS.replace("per_page: 100", "per_page: 50").replace("< 100", "< 50")})
    assert found == []


# --- 5. JS/TS trails --------------------------------------------------------------------------------------

# The most common CommonJS import of a one-function module binds the name at the top level:
# `const sendWelcomeEmail = require('../lib/sendWelcomeEmail')`. `_js_declares_at_top` counts that
# declarator as the module's own function, so the worker's bare call is no longer a use of the
# changed module: the email worker's change went unflagged (it was flagged before this session).
SEND_WELCOME = """const nodemailer = require('nodemailer');

async function sendWelcomeEmail(user) {
  const transport = nodemailer.createTransport({});
  await transport.sendMail({ to: user.email, subject: 'Welcome' });
}

module.exports = sendWelcomeEmail;
"""
EMAIL_WORKER = """const { Worker } = require('bullmq');
const sendWelcomeEmail = require('../lib/sendWelcomeEmail');

new Worker('emails', async job => {
  await sendWelcomeEmail(job.data.user);
});
"""


def test_js_commonjs_require_bound_name_is_not_a_local_namesake(tmp_path) -> None:
    main = {"server/lib/sendWelcomeEmail.js": SEND_WELCOME, "server/workers/email.js": EMAIL_WORKER}
    found = flagged_on_branch(tmp_path, main, {"server/lib/sendWelcomeEmail.js": SEND_WELCOME.replace("'Welcome'", "'Welcome!'")})
    assert [(path, line) for path, line, *_ in found] == [("server/lib/sendWelcomeEmail.js", 5)]


# A CommonJS factory module (`module.exports = function createMailer(config) { … return {
# sendNewsletter } }`) hands its top-level functions out inside the factory's body. They are read
# as module-private and followed only in the file, so the newsletter worker's
# `mailer.sendNewsletter(…)` is never found (it was flagged before this session).
MAILER_FACTORY = """const nodemailer = require('nodemailer');

async function sendNewsletter(transport, issue) {
  for (const to of issue.recipients) {
    await transport.sendMail({ to, subject: issue.title });
  }
}

module.exports = function createMailer(config) {
  const transport = nodemailer.createTransport(config);
  return {
    sendNewsletter: issue => sendNewsletter(transport, issue),
  };
};
"""
NEWSLETTER_WORKER = """const { Worker } = require('bullmq');
const mailer = require('../lib/mailer')(require('../config').smtp);

new Worker('newsletters', async job => {
  await mailer.sendNewsletter(job.data.issue);
});
"""


@pytest.mark.parametrize("mailer", [
    MAILER_FACTORY,
    MAILER_FACTORY.replace("    sendNewsletter: issue => sendNewsletter(transport, issue),", "    sendNewsletter,"),
], ids=["wrapped", "shorthand"])
def test_js_commonjs_factory_handing_out_a_function_is_not_module_private(tmp_path, mailer: str) -> None:
    main = {"server/lib/mailer.js": mailer, "server/workers/newsletter.js": NEWSLETTER_WORKER}
    found = flagged_on_branch(tmp_path, main, {"server/lib/mailer.js": mailer.replace(
        "subject: issue.title", "subject: issue.title, priority: 'high'")})
    assert [(path, line) for path, line, *_ in found] == [("server/lib/mailer.js", 5)]


# --- 6. Go trails: an exported type's generic method ---------------------------------------------------

# A `notify` package: the dispatcher's goroutine calls `d.email.Send(msg)` on its `*EmailSender`
# field; `SMSSender.Send` in the same package is called only by the OTP HTTP handler. Looking for
# `Send` by name in the package's files makes the goroutine "reach" SMSSender.Send too: every
# edit of the synchronous OTP path is reported as background code.
DISPATCHER_GO = """package notify

import "context"

type Dispatcher struct {
	queue chan Message
	email *EmailSender
}

func (d *Dispatcher) Start(ctx context.Context) {
	go func() {
		for msg := range d.queue {
			_ = d.email.Send(msg)
		}
	}()
}
"""
EMAIL_GO = """package notify

type Message struct {
	To   string
	Body string
}

type EmailSender struct {
	host string
}

func (e *EmailSender) Send(msg Message) error {
	return smtpSend(e.host, msg.To, msg.Body)
}
"""
SMS_GO = """package notify

import "net/http"

type SMSSender struct {
	client *http.Client
	url    string
}

func (s *SMSSender) Send(msg Message) error {
	_, err := s.client.Post(s.url+"?to="+msg.To, "text/plain", nil)
	return err
}
"""
OTP_GO = """package api

import (
	"net/http"

	"example.com/app/notify"
)

type Handler struct {
	sms *notify.SMSSender
}

func (h *Handler) SendOTP(w http.ResponseWriter, r *http.Request) {
	_ = h.sms.Send(notify.Message{To: r.FormValue("phone"), Body: "123456"})
}
"""


def test_go_generic_method_of_another_exported_type_in_the_package_is_not_reached(tmp_path) -> None:
    main = {"go.mod": "module example.com/app\n", "notify/dispatcher.go": DISPATCHER_GO, "notify/email.go": EMAIL_GO,
            "notify/sms.go": SMS_GO, "api/otp.go": OTP_GO}
    found = flagged_on_branch(tmp_path, main, {"notify/sms.go": SMS_GO.replace('"?to="', '"?recipient="')})
    assert found == []


# --- 7. JVM: a class extending an application's …Daemon base --------------------------------------------

# Java written with the brace on its own line (Allman style, common in Apache projects), or with
# `implements` wrapped onto the next line, passes no keyword of the family's gate ("daemon {",
# "daemon implements"…), though `…Worker` bases are read over lines (_JVM_WORKER_SUPERTYPE): the
# daemon's fetch loop change is missed.
TASK_FETCHER = """package org.example.agent.fetcher;

import org.example.agent.common.AbstractDaemon;

public class TaskFetcher extends AbstractDaemonHEADER
    private final ManagerClient client;

    public TaskFetcher(ManagerClient client) {
        this.client = client;
    }

    public void fetchOnce() {
        for (Task task : client.fetchTasks(100)) {
            taskManager.submit(task);
        }
    }
}
"""


@pytest.mark.parametrize("header, line", [("\n{", 14), ("\n        implements ProfileFetcher {", 14)],
                         ids=["allman-brace", "wrapped-implements"])
def test_jvm_daemon_subclass_header_over_two_lines_is_missed(tmp_path, header: str, line: int) -> None:
    path = "agent/src/main/java/org/example/agent/fetcher/TaskFetcher.java"
    source = TASK_FETCHER.replace("HEADER", header)
    found = flagged_on_branch(tmp_path, {path: source}, {path: source.replace("fetchTasks(100)", "fetchTasks(500)")})
    assert [(p, ln) for p, ln, *_ in found] == [(path, line)]
