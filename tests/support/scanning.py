"""A change scanned as a branch over main, in a real git repository: the active findings a rule
test asserts on."""

from __future__ import annotations

from pathlib import Path

from deploycheck.analysis.pipeline import analyse
from support.gitrepo import make_branch, make_repo


def flagged_on_branch(tmp_path: Path, main: dict, branch: dict, rule: str | None = "DC701") -> list[tuple]:
    """(path, line, side, severity, message) of each warning or high finding of ``rule`` (any rule
    when None) on the branch that commits ``branch`` over a main of ``main``."""
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", branch)
    found = analyse(base="main", cwd=str(repo)).scan.active
    return [(f.path, f.line, f.side, f.severity, f.message) for f in found
            if (rule is None or f.rule == rule) and f.severity in ("warning", "high")]


def files_under(root: Path) -> dict[str, str]:
    """The text files under ``root`` by their path relative to it (none when it does not exist)."""
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def red_team_branch(tmp_path: Path, case: Path, rule: str | None = None) -> list[tuple]:
    """``flagged_on_branch`` over a red team's case folder: main holds its common/ and base/ files,
    the branch its head/ files (those it changes or adds) and removes those deleted.txt lists."""
    main = {**files_under(case / "common"), **files_under(case / "base")}
    branch: dict[str, str | None] = dict(files_under(case / "head"))
    deleted = case / "deleted.txt"
    branch.update({path: None for path in (deleted.read_text().split() if deleted.exists() else [])})
    return flagged_on_branch(tmp_path, main, branch, rule=rule)


# A LightService action (canine's cluster install steps, apps-p): its body is an `executed` block
# at class level, no method; rules/trees/reach.py follows it by its class's name.
LIGHTSERVICE_ACTION = """class Billing::Charge
  extend LightService::Action
  expects :account_id

  executed do |context|
    account = Account.find(context.account_id)
    account.update!(balance: account.balance - 1)
  end
end
"""


# teaching-vacancies's GIAS download (apps-r): an Enumerable class whose `each` a job runs through
# an Enumerable method on its objects.
GIAS_DATA = """class Gias::Data
  include Enumerable

  def initialize(url)
    @url = url
  end

  def each(&)
    rows = HTTParty.get(@url).body.lines
    rows.each(&)
  end
end
"""

# nightscout's profile storage (a new user's trial, session 25), whose `last` the client's
# lodash `_.last` was taken to call, and the server's ticker that makes the repository one with
# background code.
NIGHTSCOUT_STORAGE = """function storage(env, ctx) {
  var collection = ctx.store.collection(env.profile_collection);
  function api() {
    return collection;
  }
  function last(fn) {
    return api().find().sort({ startDate: -1 }).limit(1).toArray(fn);
  }
  api.last = last;
  return api;
}
module.exports = storage;
"""
NIGHTSCOUT_BUS = """// the worker's tick
const bus = require('events');
setInterval(function () { bus.emit('tick'); }, 60000);
"""

# ManageIQ's appliance (apps-r): its release code name, returned by a class method the server job logs.
APPLIANCE = """module Vmdb
  class Appliance
    def self.CODENAME
      "Tal".freeze
    end

    def self.log_config_on_startup
      puts "#{CODENAME} #{VERSION}"
    end
  end
end
"""
SERVER = """class EvmServer < ApplicationJob
  def perform
    Vmdb::Appliance.log_config_on_startup
  end
end
"""


# WikiEduDashboard's AI-detection worker (apps-s b5fbb00a): the job that reaches the wiki API's diff
# fetch through services whose helpers are private.
AI_DETECTION_WORKER = """class AiDetectionWorker
  include Sidekiq::Worker

  def perform(attributes)
    CheckRevision.new(attributes)
  end
end
"""

# CTFd's attempt counter (a new user's trial, session 26), reserved atomically on the base.
CTFD_ATTEMPT = """from app.cache import cache


def attempt(account_id, max_tries):
    key = f"kpm_{account_id}"
    count = cache.inc(key)
    if count > max_tries:
        return "too many"
    return submit(account_id)
"""

# The service that worker builds, whose private `check` runs its private fetch.
AI_CHECK_REVISION = """class CheckRevision
  def initialize(attrs)
    @id = attrs['id']
    check
  end

  private

  def check
    fetch_plaintext
  end

  def fetch_plaintext
    @text = RevisionPlaintext.new(@id).text
  end
end
"""

# DSpace's short-lived token handler (apps-s 3286162d), before its session salt check.
DSPACE_TOKENS = """package org.example.security;

public class ShortLivedTokenHandler extends TokenHandler {
    private EPersonService ePersonService;

    protected EPerson updateSessionSalt(final Context context) {
        EPerson ePerson = context.getCurrentUser();
        return ePerson;
    }
}
"""


# apache/answer's notification service (apps-t dda51232): a handler registered on the queue
# package's service, and the handler's mail loop in another file of the package.
ANSWER_EXTERNAL = """package notification

import (
	"context"

	"example.com/app/internal/service/noticequeue"
)

type ExternalNotificationService struct {
	queue noticequeue.ExternalService
}

func NewExternalNotificationService(notificationQueueService noticequeue.ExternalService) *ExternalNotificationService {
	n := &ExternalNotificationService{queue: notificationQueueService}
	notificationQueueService.RegisterHandler(n.Handler)
	return n
}

func (ns *ExternalNotificationService) Handler(ctx context.Context, msg *Msg) error {
	return ns.handleNewQuestion(ctx, msg)
}
"""
ANSWER_NEW_QUESTION = """package notification

import "context"

func (ns *ExternalNotificationService) handleNewQuestion(ctx context.Context, msg *Msg) error {
	for _, s := range msg.Subscribers {
		ns.send(ctx, s)
	}
	return nil
}
"""

# answer's new-question mail worker (apps-t e06311a5): a channel whose capacity is a parameter.
ANSWER_MAIL_WORKER = """package notification

const queueSize = 128

type task struct{ id string }

type worker struct{ tasks chan task }

func newWorkerWithDefaults() *worker {
	return newWorkerWithBuffer(
		queueSize,
	)
}

func newWorkerWithBuffer(size int) *worker {
	w := &worker{tasks: make(chan task, size)}
	go w.run()
	return w
}

func (w *worker) run() {
	for t := range w.tasks {
		_ = t
	}
}
"""

# once-campfire's webhook delivery job (a new user's trial, session 27): the reply's text copied.
CAMPFIRE_WEBHOOK_JOB = """class Webhook::DeliveryJob < ApplicationJob
  def perform(webhook, message)
    response = webhook.post(message)
    reply_text(response)
  end

  def reply_text(response)
    text = response.body.dup
    text.force_encoding("UTF-8")
    Message.create!(body: text)
  end
end
"""


# A Java class whose entry method a worker calls on a field of its type (conductor's
# AsyncSystemTaskExecutor, a new user's trial, session 28): rules/trees/reach.py's entry calls.
TASK_RUNNER = """package app.execution;

public class TaskRunner {
    private final TaskStore store;

    public TaskRunner(TaskStore store) {
        this.store = store;
    }

    public void execute(String taskId) {
        store.markRunning(taskId);
    }
}
"""


# Suwayomi's automated backup (a new user's trial, session 30): a task kept in a `val` and handed to
# a runner written in place of RUNNER; the cleanup's changed line is line 13.
SUWAYOMI_BACKUP = """package app

object ProtoBackupExport {
    fun scheduleAutomatedBackupTask() {
        val task = {
            cleanupAutomatedBackups()
            createAutomatedBackup()
        }
        RUNNER
    }

    private fun cleanupAutomatedBackups() {
        dir.walkTopDown().forEach { it.delete() }
    }

    private fun createAutomatedBackup() {}
}
"""
# What the backup cleanup deletes, changed (Suwayomi eaffb275).
ONLY_AUTO = ("dir.walkTopDown().forEach", 'dir.listFiles { f -> f.name.startsWith("auto") }?.forEach')

# A job whose option below its queue line is taken out (alaveteli's masking job, session 30).
MASK_JOB_WITH_RETRY = """class MaskJob < ApplicationJob
  queue_as :default
  retry_on Timeout::Error, attempts: 5

  def perform(attachment)
    attachment.mask!
  end
end
"""

# A gRPC server-streaming method: an endless select loop on the request's own goroutine (the red
# team of session 30). IMPORTS and STREAM (the stream parameter's type) are filled in by each case.
GO_EVENT_STREAM = """package api

import (
IMPORTS
)

func (s *EventServer) Subscribe(req *pb.SubscribeRequest, stream STREAM) error {
	ch := s.broker.Subscribe(req.Topic)
	defer s.broker.Unsubscribe(ch)
	for {
		select {
		case <-stream.Context().Done():
			return nil
		case ev := <-ch:
			if err := stream.Send(ev); err != nil {
				return err
			}
		}
	}
}
"""


# capgo's Supabase function run by pg_cron (a new user's trial, session 31): a Hono route that
# names no job API, background code by its module's name (`cron_….ts`, `…Consumer.ts`).
CRON_MODULE = """import { Hono } from 'hono';
import { supabaseAdmin } from '../utils/supabase';

export const app = new Hono();

app.post('/', async (c) => {
  const { data } = await supabaseAdmin(c).from('build_requests').select('*').eq('status', 'running');
  for (const row of data ?? []) {
    await supabaseAdmin(c).from('build_requests').update({ status: 'failed' }).eq('id', row.id);
  }
  return c.json({ ok: true });
});
"""


# cross-seed's scheduler (apps-z a308d450): the file's own `class Job` keeps the function its
# constructor is handed and calls it; `new Job(name, cadence, fn)` hands it an imported one.
CROSS_SEED_JOBS = """import { injectSavedTorrents } from "./inject.js";

class Job {
  constructor(name: string, cadence: number, exec: () => Promise<void>) {
    this.name = name;
    this.cadence = cadence;
    this.exec = exec;
  }

  async run(): Promise<void> {
    await this.exec();
  }
}

const jobs: Job[] = [];

export function createJobs(): void {
  jobs.push(new Job("inject", 3600000, injectSavedTorrents));
}
"""
CROSS_SEED_INJECT = """import { db } from "./db.js";

export async function injectSavedTorrents(): Promise<void> {
  const rows = await db("torrents").select("*");
  for (const row of rows) {
    await db("torrents").where({ id: row.id }).update({ injected: true });
  }
}
"""
