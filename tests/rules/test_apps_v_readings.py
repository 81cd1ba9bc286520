"""Readings from session 29's work on the worked-on samples (tests/corpus/*-labelled-apps-*.yaml),
apps-v among them, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- JavaScript/TypeScript -----------------------------------------------------------------------

# hyperdx's task runner: `tasks/index.ts` runs the task named on its command line every minute with
# `CronJob.from({ onTick })`, through a registry of task classes no trail follows; the alert check
# in `tasks/checkAlerts/template.ts` is a task's code (apps-o d11f8579, 828b2778).
RUNNER = """import {{ {name} }} from '{library}';
import CheckAlertTask from './checkAlerts';

function createTask(name: string) {{
  return new CheckAlertTask(name);
}}

{name}.from({{ cronTime: '0 * * * * *', onTick: async () => createTask('alerts').execute() }});
"""
TEMPLATE = """export async function notify(targets: string[], send: (t: string) => Promise<void>) {
  for (const target of targets) {
    await send(target);
  }
}
"""
FAN_OUT = TEMPLATE.replace("""  for (const target of targets) {
    await send(target);
  }""", "  await Promise.all(targets.map(target => send(target)));")


@pytest.mark.parametrize("index, flagged", [
    (RUNNER.format(name="CronJob", library="cron"), True),
    (RUNNER.format(name="Queue", library="bullmq"), True),
    # A build's tasks (gulp's) schedule nothing: the folder is no job folder.
    ("import gulp from 'gulp';\nexport const build = gulp.series(clean, compile);\n", False),
    (None, False),
])
def test_js_a_tasks_folder_whose_index_schedules_them_is_background_code(tmp_path, index: str | None,
                                                                          flagged: bool) -> None:
    main = {"packages/api/src/tasks/checkAlerts/template.ts": TEMPLATE, "packages/api/package.json": "{}\n"}
    if index is not None:
        main["packages/api/src/tasks/index.ts"] = index
    found = flagged_on_branch(tmp_path, main, {"packages/api/src/tasks/checkAlerts/template.ts": FAN_OUT})
    assert [(path, line) for path, line, *_ in found] == (
        [("packages/api/src/tasks/checkAlerts/template.ts", 2)] if flagged else [])
    if flagged:
        assert "`packages/api/src/tasks/`, whose `index.ts` runs its tasks with" in found[0][4]


# rybbit's documentation site is a Next.js application in `docs/src/`: a page's change was
# reported as code run unread (DC001, high) for each of its files (apps-v c00f00da, 51d56f3e,
# b0003b26). Its code is read now, as any code; a documentation folder's loose scripts are not.
LAYOUT = """export default function Layout({ children }) {
  return <html><body>{children}</body></html>;
}
"""


@pytest.mark.parametrize("path, found", [
    ("docs/src/app/layout.jsx", []),
    ("website/docs/src/components/Layout.jsx", []),
    # A script kept loose in the documentation is still run unread (the packs skip it).
    ("docs/layout.jsx", ["DC001"]),
])
def test_js_a_documentation_site_s_source_tree_is_read(tmp_path, path: str, found: list[str]) -> None:
    from deploycheck.analysis.pipeline import analyse
    from support.gitrepo import make_branch, make_repo

    repo = make_repo(tmp_path / "repo", {path: LAYOUT, "package.json": "{}\n"})
    make_branch(repo, "work", {path: LAYOUT.replace("<body>", '<body className="site">')})
    active = analyse(base="main", cwd=str(repo)).scan.active
    assert [f.rule for f in active if f.severity in ("warning", "high")] == found


# octobox's `lib/octobox/changelog.rb` reads the change log; it was reported as code run unread
# (DC001, high) because its name is a change log's (a new user's trial, session 29).
CHANGELOG_RB = """module Octobox
  class Changelog
    def entries
      File.read(path).lines
    end
  end
end
"""


@pytest.mark.parametrize("path, found", [
    ("lib/octobox/changelog.rb", []),
    ("web/README-setup.js", []),
    # A read-me or change log that is no code stays documentation, and unread.
    ("lib/octobox/CHANGELOG", []),
])
def test_code_named_for_a_change_log_is_read(tmp_path, path: str, found: list[str]) -> None:
    from deploycheck.analysis.pipeline import analyse
    from support.gitrepo import make_branch, make_repo

    source = CHANGELOG_RB if not path.endswith(".js") else "export function steps() {\n  return [];\n}\n"
    repo = make_repo(tmp_path / "repo", {path: source})
    make_branch(repo, "work", {path: source.replace("lines", "lines.reverse").replace("[]", "[1]")})
    active = analyse(base="main", cwd=str(repo)).scan.active
    assert [f.rule for f in active if f.severity in ("warning", "high")] == found


# --- Ruby ----------------------------------------------------------------------------------------

# octobox's CommentWorker went onto a `comments` queue its sidekiq.yml did not list: comments were
# accepted and never posted until the queue was added two days later (a new user's trial,
# session 29, 52dd3cee). A new job's queue was never compared with the served ones.
SIDEKIQ_YML = """---
:concurrency: 5
:queues:
  - [sync_notifications, 2]
  - default
"""
COMMENT_WORKER = """class CommentWorker
  include Sidekiq::Worker
  sidekiq_options queue: :{queue}, lock: :until_and_while_executing

  def perform(comment_id)
    Comment.find(comment_id).push_to_github
  end
end
"""


@pytest.mark.parametrize("queue, found", [("comments", [("DC164", 3, "high")]), ("default", [])])
def test_ruby_a_new_job_on_a_queue_no_worker_serves_is_high(tmp_path, queue: str, found: list) -> None:
    from deploycheck.analysis.pipeline import analyse
    from support.gitrepo import make_branch, make_repo

    repo = make_repo(tmp_path / "repo", {"config/sidekiq.yml": SIDEKIQ_YML, "app/workers/sync_worker.rb": "class SyncWorker\nend\n"})
    make_branch(repo, "work", {"app/workers/comment_worker.rb": COMMENT_WORKER.format(queue=queue)})
    active = analyse(base="main", cwd=str(repo)).scan.active
    assert [(f.rule, f.line, f.severity) for f in active if f.rule == "DC164"] == found


# Mailtrain's campaigns.js and subscriptions.js each declare their own `_validateAndPreprocess`;
# a change to subscriptions.js's was said to be reached from the RSS job through campaigns.js's
# `_createTx`, which calls its own (a new user's trial, session 29).
CAMPAIGNS = """async function _validateAndPreprocess(tx, entity) {
    entity.name = entity.name.trim();
}

async function _createTx(tx, entity) {
    await _validateAndPreprocess(tx, entity);
    return tx('campaigns').insert(entity);
}

async function createRssTx(tx, entity) {
    return await _createTx(tx, entity);
}

module.exports.createRssTx = createRssTx;
"""
SUBSCRIPTIONS = """async function _validateAndPreprocess(tx, entity) {
    enforce(entity.email, 'Email must be set');
}

async function create(tx, entity) {
    await _validateAndPreprocess(tx, entity);
    return tx('subscriptions').insert(entity);
}

module.exports.create = create;
"""
FEEDCHECK = """const campaigns = require('../models/campaigns');
const { Worker } = require('bullmq');

new Worker('feeds', async job => {
    await campaigns.createRssTx(job.data.tx, job.data.entry);
});
"""


def test_js_a_bare_call_in_a_module_that_declares_the_name_is_its_own(tmp_path) -> None:
    main = {"server/models/campaigns.js": CAMPAIGNS, "server/models/subscriptions.js": SUBSCRIPTIONS,
            "server/services/feedcheck.js": FEEDCHECK}
    assert flagged_on_branch(tmp_path / "subscriptions", main, {"server/models/subscriptions.js": SUBSCRIPTIONS.replace(
        "'Email must be set'", "'An email must be set'")}) == []
    # The module's own one is reached, as before.
    found = flagged_on_branch(tmp_path / "campaigns", main, {"server/models/campaigns.js": CAMPAIGNS.replace(
        "entity.name.trim()", "entity.name.trim().slice(0, 100)")})
    assert [(path, line) for path, line, *_ in found] == [("server/models/campaigns.js", 2)]


# Mailtrain's mailers.js is a CommonJS module: `_createTransport`, which sets the sender's
# throttling, is its own (not exported), reached from the sender worker's message handler
# through the exported `getOrCreateMailer`. Its module-own functions were followed as any name,
# each a call deep, and the trail ran out (a new user's trial, session 29).
MAILERS = """const nodemailer = require('nodemailer');

function _throttle(config) {
    return config.throttling || 0;
}

function _createTransport(config) {
    return nodemailer.createTransport({ maxMessages: _throttle(config) });
}

function _cached(config) {
    return _createTransport(config);
}

function _fresh(config) {
    return _cached(config);
}

async function getOrCreateMailer(config) {
    return _fresh(config);
}

module.exports.getOrCreateMailer = getOrCreateMailer;
"""
SENDER = """const mailers = require('../lib/mailers');

async function send(config) {
    const mailer = await mailers.getOrCreateMailer(config);
    return mailer;
}

process.on('message', msg => {
    send(msg.config).catch(() => {});
});
"""


@pytest.mark.parametrize("exports_in_a_function, lines", [(False, [4]), (True, [])])
def test_js_a_commonjs_module_s_own_functions_are_followed_in_its_file(tmp_path, exports_in_a_function: bool,
                                                                        lines: list[int]) -> None:
    mailers = MAILERS
    if exports_in_a_function:  # what it hands out is not seen: nothing is read as its own
        mailers = mailers.replace("module.exports.getOrCreateMailer = getOrCreateMailer;",
                                  "function setup() {\n    module.exports.getOrCreateMailer = getOrCreateMailer;\n}\nsetup();")
    main = {"server/lib/mailers.js": mailers, "server/services/sender-worker.js": SENDER}
    found = flagged_on_branch(tmp_path, main, {"server/lib/mailers.js": mailers.replace(
        "config.throttling || 0", "config.throttling || 10")})
    assert [line for path, line, *_ in found if path == "server/lib/mailers.js"] == lines


# --- Go ------------------------------------------------------------------------------------------

# photoview's scanner queue runs `nextJob.Run(db)` in a goroutine of its own package; `Run` is too
# common a name to follow across the repository, so `ScannerJob.Run` and the album scan it calls
# were never reached (a new user's trial, session 29: a5d152f0). An exported type's generic method
# is now looked for in its package's files, as an unexported type's was.
QUEUE_GO = """package scanner_queue

import "example.com/app/scanner"

type ScannerJob struct {
	album string
}

func (job *ScannerJob) Run(db string) {
	scanner.ScanAlbum(job.album)
}

type ScannerQueue struct {
	jobs []ScannerJob
}

func (queue *ScannerQueue) processQueue(db string) {
	for _, nextJob := range queue.jobs {
		go func(job ScannerJob) {
			job.Run(db)
		}(nextJob)
	}
}
"""
ALBUM_GO = """package scanner

import "fmt"

func ScanAlbum(album string) error {
	fmt.Println(album)
	return nil
}
"""


def test_go_an_exported_type_s_generic_method_is_looked_for_in_its_package(tmp_path) -> None:
    main = {"go.mod": "module example.com/app\n", "scanner/scanner_queue/queue.go": QUEUE_GO, "scanner/album.go": ALBUM_GO}
    found = flagged_on_branch(tmp_path / "album", main, {"scanner/album.go": ALBUM_GO.replace(
        "return nil", "return fmt.Errorf(\"stop\")")})
    assert [(path, line) for path, line, *_ in found] == [("scanner/album.go", 7)]
    assert "calls it through `Run` -> `ScanAlbum`" in found[0][4]


# Mailtrain's trigger loop writes through Knex's table calls (`tx('triggers').update(…)`); a "no"
# to shared-state was signed beside it unasked (a new user's trial, session 29).
TRIGGERS = """const knex = require('../lib/knex');

async function run() {
    while (true) {
        await knex.transaction(async tx => {
            const trigger = await tx('triggers').where('enabled', true).first();
            await tx('triggers').update('last_check', new Date()).where('id', trigger.id);
        });
        await new Promise(resolve => setTimeout(resolve, 30000));
    }
}

module.exports.run = run;
"""


@pytest.mark.parametrize("write, challenged", [
    ("await tx('triggers').update('last_check', new Date(Date.now() - 1000)).where('id', trigger.id);", True),
    ("await prisma.trigger.update({ where: { id: trigger.id }, data: { lastCheck: new Date() } });", True),
    ("console.info('trigger', trigger.id, new Date());\n            await tx('triggers').where('id', trigger.id).first();", False),
])
def test_js_a_knex_or_prisma_write_in_background_code_challenges_a_no_to_shared_state(tmp_path, write: str,
                                                                                       challenged: bool) -> None:
    from deploycheck.checklist.answers import Answer, contradictions
    from deploycheck.rules.base import SHARED_STATE_WORDS, Finding

    head = TRIGGERS.replace("await tx('triggers').update('last_check', new Date()).where('id', trigger.id);", write)
    found = flagged_on_branch(tmp_path, {"server/services/triggers.js": TRIGGERS}, {"server/services/triggers.js": head})
    assert found
    findings = [Finding("DC701", "background-code-changed", "job", severity, path, line, line, message)
                for path, line, _side, severity, message in found]
    assert any(SHARED_STATE_WORDS in f.message for f in findings) is challenged
    assert bool(contradictions({"shared-state": Answer("no")}, findings)) is challenged


def test_js_a_task_module_that_names_a_job_api_but_defines_no_job_is_still_the_task_s(tmp_path) -> None:
    # hyperdx's `tasks/checkAlerts/index.ts` names words of job APIs (an unawaited async call)
    # without defining a job: read by its regions alone, none of its changes was the task's (a
    # session 29 corpus run).
    template = TEMPLATE.replace("export async function notify", "// sent by the alert worker\nexport async function notify")
    main = {"packages/api/src/tasks/index.ts": RUNNER.format(name="CronJob", library="cron"),
            "packages/api/src/tasks/checkAlerts/template.ts": template, "packages/api/package.json": "{}\n"}
    found = flagged_on_branch(tmp_path, main, {"packages/api/src/tasks/checkAlerts/template.ts": template.replace(
        """  for (const target of targets) {
    await send(target);
  }""", "  await Promise.all(targets.map(target => send(target)));")})
    assert [(path, line) for path, line, *_ in found] == [("packages/api/src/tasks/checkAlerts/template.ts", 3)]


def test_js_the_gate_reads_an_unawaited_async_statement_not_every_async_callback() -> None:
    # The gate's words for `(async () => { … })();` first matched `setTimeout(async () =>` too,
    # which admitted openremote's browser console to the parser and a DC707 false flag (apps-t
    # c4b36206, a session 29 end corpus run).
    from deploycheck.rules.trees.keywords import KEYWORDS

    words = [word for word in KEYWORDS["javascript"] if "async" in word]
    assert any(word in "meteor.startup(() => {\n  (async () => {" for word in words)
    assert not any(word in "this._timer = window.settimeout(async () => {" for word in words)


def test_js_a_branch_that_drops_the_scheduler_from_the_index_still_changes_a_task(tmp_path) -> None:
    # The gate trusts the base: the index that scheduled the tasks on main counts, whatever the
    # branch leaves of it.
    main = {"packages/api/src/tasks/index.ts": RUNNER.format(name="CronJob", library="cron"),
            "packages/api/src/tasks/checkAlerts/template.ts": TEMPLATE, "packages/api/package.json": "{}\n"}
    found = flagged_on_branch(tmp_path, main, {"packages/api/src/tasks/index.ts": "export const tasks = [];\n",
                                               "packages/api/src/tasks/checkAlerts/template.ts": FAN_OUT})
    assert ("packages/api/src/tasks/checkAlerts/template.ts", 2) in [(path, line) for path, line, *_ in found]
