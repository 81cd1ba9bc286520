"""DC701 for an application's code that a job in another file reaches through its calls, and for
code in a job folder (rules/trees/reach.py, rules/trees/keywords.JOB_FOLDER)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse

JOB = ("class RevertImportJob < ApplicationJob\n  queue_as :default\n\n  def perform(import)\n"
       "    import.revert_entries\n  end\nend\n")
IMPORT = ("class Import < ApplicationRecord\n  def revert_entries\n    entries.destroy_all\n    family.sync\n  end\n\n"
          "  def publish_entries\n    family.sync\n  end\nend\n")


def _dc701(tmp_path: Path, main: dict, branch: dict) -> list[tuple[str, int, str, str]]:
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", branch)
    found = analyse(base="main", cwd=str(repo)).scan.active
    return [(f.path, f.line, f.severity, f.message) for f in found if f.rule == "DC701"]


def test_a_model_method_a_job_calls_is_background_code(tmp_path) -> None:
    main = {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT}
    found = _dc701(tmp_path, main, {"app/models/import.rb": IMPORT.replace(
        "entries.destroy_all\n    family.sync\n", "entries.destroy_all\n    family.sync_later\n")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("app/models/import.rb", 4, "warning")]
    assert "reached from background code: ActiveJob job at app/jobs/revert_import_job.rb:5 " \
           "(`import.revert_entries`) calls it through `revert_entries`" in found[0][3]


def test_a_method_no_job_calls_is_not(tmp_path) -> None:
    main = {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT}
    changed = IMPORT.replace("  def publish_entries\n    family.sync\n", "  def publish_entries\n    family.sync_later\n")
    assert _dc701(tmp_path, main, {"app/models/import.rb": changed}) == []


def test_callers_are_followed_through_other_files(tmp_path) -> None:
    # job -> Sync#run_sync (app/models/sync.rb) -> Balance#persist_balances (changed)
    job = "class SyncJob < ApplicationJob\n  def perform(sync)\n    sync.run_sync\n  end\nend\n"
    sync = "class Sync\n  def run_sync\n    Balance.new.persist_balances\n  end\nend\n"
    balance = "class Balance\n  def persist_balances\n    upsert_all(rows)\n  end\nend\n"
    main = {"app/jobs/sync_job.rb": job, "app/models/sync.rb": sync, "app/models/balance.rb": balance}
    found = _dc701(tmp_path, main, {"app/models/balance.rb": balance.replace("upsert_all(rows)", "insert_all(rows)")})
    assert [(path, line) for path, line, _, _ in found] == [("app/models/balance.rb", 3)]
    # From the job down: the job calls `run_sync`, which calls the changed `persist_balances`.
    assert "app/jobs/sync_job.rb:3 (`sync.run_sync`) calls it through `run_sync` -> `persist_balances`" in found[0][3]


@pytest.mark.parametrize("name", ["save", "Start", "run", "add", "remove"])
def test_generic_names_are_not_followed(tmp_path, name: str) -> None:
    # Two unrelated methods share such a name: a trail through it would join code that never calls each other.
    job = f"class SyncJob < ApplicationJob\n  def perform(x)\n    x.{name}\n  end\nend\n"
    model = f"class Invoice\n  def {name}\n    1\n  end\nend\n"
    main = {"app/jobs/sync_job.rb": job, "app/models/invoice.rb": model}
    assert _dc701(tmp_path, main, {"app/models/invoice.rb": model.replace("1", "2")}) == []


@pytest.mark.parametrize("own", [True, False])
def test_ruby_a_bare_call_of_a_method_its_class_defines_calls_that_method(tmp_path, own: bool) -> None:
    # The job calls its own `filter_track!`; a search command defines another that calls the
    # changed `for_track`. Without its own definition, the job's bare call may be that one.
    own_def = "  def filter_track!(rows)\n    rows.where(track_id: 1)\n  end\n" if own else ""
    job = ("class UpdateReputationJob < ApplicationJob\n  def perform(rows)\n    filter_track!(rows)\n  end\n\n"
           f"{own_def}end\n")
    # (The search's takes the rows too: a method of another number of arguments is no call's.)
    search = ("class VideoSearch\n  def call\n    filter_track!(videos)\n  end\n\n"
              "  def filter_track!(rows)\n    @videos = Advert.for_track(track)\n  end\nend\n")
    advert = "class Advert\n  def self.for_track(track)\n    where(track:).first\n  end\nend\n"
    main = {"app/jobs/update_reputation_job.rb": job, "app/commands/video_search.rb": search,
            "app/models/advert.rb": advert}
    found = _dc701(tmp_path, main, {"app/models/advert.rb": advert.replace(".first", ".last")})
    if own:
        assert found == []
    else:
        assert [(path, line) for path, line, _, _ in found] == [("app/models/advert.rb", 3)]
        assert "calls it through `filter_track!` -> `for_track`" in found[0][3]


@pytest.mark.parametrize("shadowed", [False, True])
def test_javascript_a_builtin_objects_member_is_no_call_of_the_repositorys_function(tmp_path, shadowed: bool) -> None:
    # `Promise.resolve(job)` in ghostfolio's queue code is the language's; an access helper of the
    # repository is also named `resolve`. A module that imports its own `Promise` calls that one.
    head = "import { Promise } from './promise';\n" if shadowed else ""
    job = (f"{head}import {{ Worker }} from 'bullmq';\n\nexport const worker = new Worker('snapshots', async (job) => {{\n"
           "  return Promise.resolve(job.data);\n});\n")
    access = "export function resolve(grant) {\n  return grant.scopes.slice(0, 3);\n}\n"
    main = {"package.json": '{"name": "app"}\n', "src/worker.ts": job, "src/access.ts": access,
            "src/promise.ts": "export const Promise = { resolve };\n"}
    found = _dc701(tmp_path, main, {"src/access.ts": access.replace("3", "4")})
    if shadowed:
        assert [(path, line) for path, line, _, _ in found] == [("src/access.ts", 2)]
    else:
        assert found == []


@pytest.mark.parametrize("use", ["type", "call"])
def test_typescript_a_type_named_like_a_function_is_no_call_of_it(tmp_path, use: str) -> None:
    # langfuse's worker types its messages `ChatMessage[]`; the web app's React component
    # `ChatMessage` is another thing of the same name, which no job runs.
    line = "  const shown: ChatMessage[] = messages;\n" if use == "type" else "  const shown = ChatMessage(messages);\n"
    job = ("import { Worker } from 'bullmq';\nimport type { ChatMessage } from '@app/shared';\n\n"
           "export const worker = new Worker('experiments', async (job) => {\n  const messages = job.data.messages;\n"
           f"{line}  await save(shown);\n}});\n")
    view = "export function ChatMessage(props) {\n  return render(props, 80);\n}\n"
    main = {"package.json": '{"name": "app"}\n', "worker/src/experiments.ts": job,
            "web/src/components/ChatMessage.ts": view}
    found = _dc701(tmp_path, main, {"web/src/components/ChatMessage.ts": view.replace("80", "120")})
    if use == "type":
        assert found == []
    else:
        assert [(path, line) for path, line, _, _ in found] == [("web/src/components/ChatMessage.ts", 2)]


@pytest.mark.parametrize("use", ["type", "call"])
def test_go_a_type_named_like_a_function_is_no_call_of_it(tmp_path, use: str) -> None:
    # A composite literal `store.Job{…}` builds a value of a type; it runs no function `Job`.
    line = "\t\tj := store.Job{ID: 1}\n" if use == "type" else "\t\tj := store.Job(1)\n"
    runner = ("package agent\n\nimport \"example.com/ci/store\"\n\nfunc Loop() {\n\tgo func() {\n"
              f"{line}\t\tsave(j)\n\t}}()\n}}\n")
    jobs = "package store\n\nfunc Job(id int) int {\n\treturn id * 2\n}\n"
    main = {"go.mod": "module example.com/ci\n", "agent/runner.go": runner, "store/jobs.go": jobs}
    found = _dc701(tmp_path, main, {"store/jobs.go": jobs.replace("id * 2", "id * 3")})
    if use == "type":
        assert found == []
    else:
        assert [(path, line) for path, line, _, _ in found] == [("store/jobs.go", 4)]


def test_ruby_a_base_jobs_call_of_a_method_a_subclass_overrides_reaches_the_subclass(tmp_path) -> None:
    # The template method: the base job defines `import_entries` to be overridden, and its
    # `perform` runs the subclass's. The base's own definition does not make the call its own.
    base = ("class BaseImporter\n  include Sidekiq::Job\n\n  def perform(id)\n    import_entries(id)\n  end\n\n"
            "  def import_entries(id)\n    raise NotImplementedError\n  end\nend\n")
    feed = ("class FeedImporter < Importers::BaseImporter\n  def import_entries(id)\n"
            "    Feed.find(id).refresh(limit: 10)\n  end\nend\n")
    main = {"lib/importers/base_importer.rb": base, "lib/importers/feed_importer.rb": feed}
    found = _dc701(tmp_path, main, {"lib/importers/feed_importer.rb": feed.replace("10", "20")})
    assert [(path, line) for path, line, _, _ in found] == [("lib/importers/feed_importer.rb", 3)]
    assert "Sidekiq job at lib/importers/base_importer.rb:5 (`import_entries(id)`)" in found[0][3]


@pytest.mark.parametrize("how", ["reopened", "prepended"])
def test_ruby_a_jobs_own_method_redefined_in_another_file_reaches_that_definition(tmp_path, how: str) -> None:
    # The job's class defines `import_entries`, but another file reopens the class (or a module
    # it prepends) with a definition that runs in its place.
    prepend = "  prepend Importers::Throttled\n\n" if how == "prepended" else ""
    job = (f"class ImportJob < ApplicationJob\n{prepend}  def perform(id)\n    import_entries(id)\n  end\n\n"
           "  def import_entries(id)\n    Feed.find(id).refresh\n  end\nend\n")
    other = ("class ImportJob\n" if how == "reopened" else "module Importers::Throttled\n") + (
        "  def import_entries(id)\n    Feed.find(id).refresh(limit: 10)\n  end\nend\n")
    main = {"app/jobs/import_job.rb": job, "lib/import_patch.rb": other}
    found = _dc701(tmp_path, main, {"lib/import_patch.rb": other.replace("10", "20")})
    assert [(path, line) for path, line, _, _ in found] == [("lib/import_patch.rb", 3)]


@pytest.mark.parametrize("where", ["def self", "class << self"])
def test_ruby_a_bare_call_on_the_class_is_not_the_instance_method_of_that_name(tmp_path, where: str) -> None:
    # `sync` called in a class method is the class's `sync`, which a concern gives it; the
    # model's instance method `sync` is another method.
    job = "class RefreshFeedsJob < ApplicationJob\n  def perform\n    Feed.refresh_all\n  end\nend\n"
    caller = ("  def self.refresh_all\n    sync\n  end\n" if where == "def self" else
              "  class << self\n    def refresh_all\n      sync\n    end\n  end\n")
    model = (f"class Feed < ApplicationRecord\n  include Syncable\n\n{caller}\n"
             "  def sync\n    update!(synced_at: Time.current)\n  end\nend\n")
    concern = ("module Syncable\n  extend ActiveSupport::Concern\n\n  class_methods do\n    def sync\n"
               "      where(stale: true).update_all(stale: false)\n    end\n  end\nend\n")
    main = {"app/jobs/refresh_feeds_job.rb": job, "app/models/feed.rb": model, "app/models/concerns/syncable.rb": concern}
    found = _dc701(tmp_path, main, {"app/models/concerns/syncable.rb": concern.replace("stale: false", "stale: nil")})
    assert [(path, line) for path, line, _, _ in found] == [("app/models/concerns/syncable.rb", 6)]
    assert "calls it through `refresh_all` -> `sync`" in found[0][3]


def test_ruby_a_bare_call_in_a_class_method_of_a_class_defining_it_on_itself_is_its_own(tmp_path) -> None:
    # The class method calls the class's own `def self.sync`; a concern's `sync` is not it.
    job = "class RefreshFeedsJob < ApplicationJob\n  def perform\n    Feed.refresh_all\n  end\nend\n"
    model = ("class Feed < ApplicationRecord\n  def self.refresh_all\n    sync\n  end\n\n"
             "  def self.sync\n    update_all(synced_at: Time.current)\n  end\nend\n")
    concern = "module Syncable\n  def sync\n    where(stale: true).update_all(stale: false)\n  end\nend\n"
    main = {"app/jobs/refresh_feeds_job.rb": job, "app/models/feed.rb": model, "app/models/concerns/syncable.rb": concern}
    assert _dc701(tmp_path, main, {"app/models/concerns/syncable.rb": concern.replace("stale: false", "stale: nil")}) == []


@pytest.mark.parametrize("dsl", ["queue_as :exports", "sidekiq_options(queue: :exports, retry: 3)"])
def test_ruby_a_concern_that_names_a_queue_is_job_code(tmp_path, dsl: str) -> None:
    # Each class including the concern is a job (its `included do queue_as … end` runs in the
    # class body); the concern's own methods run in those jobs.
    dsl = f"    included do\n      {dsl}\n    end\n"
    concern = (f"module Exports\n  module Deferred\n    extend ActiveSupport::Concern\n\n{dsl}\n"
               "    def flush_pending\n      Export.where(state: :pending).limit(10).each(&:run!)\n    end\n  end\nend\n")
    main = {"app/commands/concerns/deferred.rb": concern}
    found = _dc701(tmp_path, main, {"app/commands/concerns/deferred.rb": concern.replace("10", "20")})
    line = concern.splitlines().index("      Export.where(state: :pending).limit(10).each(&:run!)") + 1
    assert [(path, line_) for path, line_, _, _ in found] == [("app/commands/concerns/deferred.rb", line)]
    assert "(job concern)" in found[0][3]


def test_ruby_a_module_that_names_no_queue_is_not_job_code(tmp_path) -> None:
    concern = ("module Exports\n  module Deferred\n    extend ActiveSupport::Concern\n\n    included do\n"
               "      scope :queued, -> { where(state: :queued) }\n    end\n\n"
               "    def flush_pending\n      Export.where(state: :pending).limit(10).each(&:run!)\n    end\n  end\nend\n")
    main = {"app/models/concerns/deferred.rb": concern, "app/jobs/sync_job.rb": "class SyncJob < ApplicationJob\nend\n"}
    assert _dc701(tmp_path, main, {"app/models/concerns/deferred.rb": concern.replace("10", "20")}) == []


@pytest.mark.parametrize("runner, trail", [
    ("package agent\n\nfunc (r *Runner) Loop() {\n\tgo func() {\n\t\tcompleteStep(r.step)\n\t}()\n}\n",
     "goroutine at agent/runner.go:5"),
    # `go r.drain(ctx)`: the trail names the line inside `drain` that calls the changed function.
    # It said "function run by `go` at agent/runner.go:9", which read as if a `go` stood on line 9.
    ("package agent\n\nfunc (r *Runner) Start(ctx context.Context) {\n\tgo r.drain(ctx)\n}\n\n"
     "func (r *Runner) drain(ctx context.Context) {\n\tfor {\n\t\tcompleteStep(r.step)\n\t}\n}\n",
     "function a goroutine runs at agent/runner.go:9"),
], ids=["literal", "named"])
def test_go_a_function_a_goroutine_of_another_file_calls(tmp_path, runner: str, trail: str) -> None:
    step = "package agent\n\nfunc completeStep(s *Step) {\n\ts.Done = true\n}\n"
    main = {"go.mod": "module example.com/ci\n", "agent/runner.go": runner, "agent/step.go": step}
    found = _dc701(tmp_path, main, {"agent/step.go": step.replace("s.Done = true", "s.Done = s.Exited")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("agent/step.go", 4, "warning")]
    assert f"{trail} (`completeStep(r.step)`) calls it through `completeStep`" in found[0][3]


def test_go_an_unexported_name_is_followed_only_inside_its_package(tmp_path) -> None:
    # Two packages each define their own `fetch`; a goroutine calls the jwks one. Go lets no
    # other package call an unexported name, so the password package's `fetch` is not reached.
    jwks = ("package jwks\n\nfunc Resolve(urls []string) {\n\tfor _, u := range urls {\n\t\tgo func() {\n"
            "\t\t\tfetch(u)\n\t\t}()\n\t}\n}\n\nfunc fetch(u string) {\n\tdownload(u)\n}\n")
    password = "package password\n\nfunc (v *Validator) fetch(hash string) error {\n\treturn v.get(hash)\n}\n"
    main = {"go.mod": "module example.com/id\n", "jwks/jwks.go": jwks, "password/validator.go": password}
    changed = password.replace("return v.get(hash)", "return v.get(strings.ToUpper(hash))")
    assert _dc701(tmp_path, main, {"password/validator.go": changed}) == []
    # The same function in the goroutine's own package is reached.
    helper = "package jwks\n\nfunc download(u string) {\n\thttp.Get(u)\n}\n"
    main["jwks/get.go"] = helper
    found = _dc701(tmp_path / "same", main, {"jwks/get.go": helper.replace("http.Get(u)", "http.Head(u)")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("jwks/get.go", 4, "warning")]
    # `fetch` is the goroutine's own (a function of the file its literal calls by name), so the
    # trail starts there.
    assert "function a goroutine runs at jwks/jwks.go:12 (`download(u)`) calls it through `download`" in found[0][3]


@pytest.mark.parametrize("call, reached", [
    ("c.cache.Fetch(ctx, key, &v)", False),   # harbor: the cache's three-argument Fetch
    ("c.export.Fetch(ctx, params)", True),
    ("c.export.Fetch(load())", True),          # one call's results spread over the parameters
    ("c.export.Fetch(args...)", True),
    ("go c.export.Fetch", True),               # not called here: a method value could go anywhere
])
def test_go_a_call_with_another_number_of_arguments_calls_another_function(tmp_path, call: str,
                                                                         reached: bool) -> None:
    statement = f"\t{call}\n" if not call.startswith("go ") else "\tf := c.export.Fetch\n\t_ = f\n"
    proxy = ("package proxy\n\nfunc (c *Ctl) Ensure(ctx context.Context) {\n\tgo func() {\n"
             f"\t{statement}\t}}()\n}}\n")
    export = ("package export\n\nfunc (em *Manager) Fetch(ctx context.Context, params Params) ([]Data, error) {\n"
              "\treturn em.rows(ctx, params, 10)\n}\n")
    main = {"go.mod": "module example.com/reg\n", "proxy/proxy.go": proxy, "export/manager.go": export}
    found = _dc701(tmp_path, main, {"export/manager.go": export.replace("10", "20")})
    assert [path for path, _, _, _ in found] == (["export/manager.go"] if reached else [])


def test_go_a_function_a_scheduled_closure_of_another_file_calls(tmp_path) -> None:
    # The application wraps its cron library: `schedulerInstance.Add(spec, func() {…})`.
    root = ("package cmd\n\nfunc schedule(ctx context.Context, w *Worker) {\n\tsched := scheduler.GetInstance()\n"
            "\tsched.Add(\"@every 1h\", func() {\n\t\tw.RequeueStale(ctx)\n\t})\n}\n")
    worker = "package cmd\n\nfunc (w *Worker) RequeueStale(ctx context.Context) {\n\tw.queue.Requeue(24 * time.Hour)\n}\n"
    main = {"go.mod": "module example.com/music\n", "cmd/root.go": root, "cmd/worker.go": worker}
    found = _dc701(tmp_path, main, {"cmd/worker.go": worker.replace("24 * time.Hour", "7 * 24 * time.Hour")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("cmd/worker.go", 4, "warning")]
    assert "scheduled function at cmd/root.go:6 (`w.RequeueStale(ctx)`) calls it through `RequeueStale`" in found[0][3]


@pytest.mark.parametrize("library", ["asynq", "net/http"])
def test_go_handle_func_registers_a_job_only_on_asynqs_mux(tmp_path, library: str) -> None:
    # asynq's ServeMux and net/http's (and grpc-gateway's) name their registration alike; only
    # the first runs the function on a worker. (memos' generated gateway was read as asynq.)
    imports = '"github.com/hibiken/asynq"' if library == "asynq" else '"net/http"'
    mux = "asynq.NewServeMux()" if library == "asynq" else "http.NewServeMux()"
    server = (f"package app\n\nimport {imports}\n\nfunc routes() {{\n\tmux := {mux}\n"
              "\tmux.HandleFunc(\"email:deliver\", func(ctx context.Context, t T) error {\n"
              "\t\treturn deliver(ctx, t)\n\t})\n}\n")
    mail = "package app\n\nfunc deliver(ctx context.Context, t T) error {\n\treturn send(t, 3)\n}\n"
    main = {"go.mod": "module example.com/mail\n", "app/server.go": server, "app/mail.go": mail}
    found = _dc701(tmp_path, main, {"app/mail.go": mail.replace("send(t, 3)", "send(t, 5)")})
    if library == "asynq":
        assert [(path, line) for path, line, _, _ in found] == [("app/mail.go", 4)]
        assert "asynq handler at app/server.go:8 (`return deliver(ctx, t)`)" in found[0][3]
    else:
        assert found == []


@pytest.mark.parametrize("holder", ["wrapper", "field"])
def test_go_handle_func_on_a_mux_built_in_another_file_still_registers_a_job(tmp_path, holder: str) -> None:
    # The file registering imports no asynq: the mux comes from the application's own wrapper
    # package, or from a field the worker's other file declares. A handler taking a
    # context.Context first has a job handler's shape, not an HTTP handler's.
    if holder == "wrapper":
        lib = ("package queue\n\nimport (\n\t\"context\"\n\n\t\"github.com/hibiken/asynq\"\n)\n\n"
               "type Mux struct{ m *asynq.ServeMux }\n\n"
               "func (x *Mux) HandleFunc(kind string, fn func(ctx context.Context, payload []byte) error) {\n"
               "\tx.m.HandleFunc(kind, func(ctx context.Context, t *asynq.Task) error { return fn(ctx, t.Payload()) })\n}\n")
        routes = ("package app\n\nimport (\n\t\"context\"\n\n\t\"example.com/mail/queue\"\n)\n\n"
                  "func routes(mux *queue.Mux) {\n"
                  "\tmux.HandleFunc(\"email:deliver\", func(ctx context.Context, payload []byte) error {\n"
                  "\t\treturn deliver(ctx, payload)\n\t})\n}\n")
        line = 11
    else:
        lib = ("package app\n\nimport \"github.com/hibiken/asynq\"\n\ntype Task = asynq.Task\n\n"
               "type Worker struct {\n\tmux *asynq.ServeMux\n}\n")
        routes = ("package app\n\nimport \"context\"\n\nfunc (w *Worker) routes() {\n"
                  "\tw.mux.HandleFunc(\"email:deliver\", w.deliverEmail)\n}\n\n"
                  "func (w *Worker) deliverEmail(ctx context.Context, t *Task) error {\n\treturn deliver(ctx, t)\n}\n")
        line = 10
    mail = "package app\n\nfunc deliver(ctx context.Context, p []byte) error {\n\treturn send(p, 3)\n}\n"
    main = {"go.mod": "module example.com/mail\n", "queue/mux.go" if holder == "wrapper" else "app/worker.go": lib,
            "app/routes.go": routes, "app/mail.go": mail}
    found = _dc701(tmp_path, main, {"app/mail.go": mail.replace("send(p, 3)", "send(p, 5)")})
    assert [(path, line_) for path, line_, _, _ in found] == [("app/mail.go", 4)]
    assert f"asynq handler at app/routes.go:{line} (`return deliver(ctx," in found[0][3]


def test_go_a_function_literal_taking_an_asynq_task_is_a_job_handler(tmp_path) -> None:
    # Handlers kept in a map and registered in a loop, and a middleware's wrapped handler: each
    # literal takes the task, wherever it is registered.
    server = ("package app\n\nimport (\n\t\"context\"\n\n\t\"github.com/hibiken/asynq\"\n)\n\n"
              "var handlers = map[string]asynq.HandlerFunc{\n"
              "\t\"email:deliver\": func(ctx context.Context, t *asynq.Task) error {\n\t\treturn deliver(ctx, t)\n\t},\n}\n\n"
              "func logging(next asynq.Handler) asynq.Handler {\n"
              "\treturn asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {\n"
              "\t\trecord(t, 1)\n\t\treturn next.ProcessTask(ctx, t)\n\t})\n}\n")
    mail = "package app\n\nfunc deliver(ctx context.Context, t T) error {\n\treturn send(t, 3)\n}\n"
    rec = "package app\n\nfunc record(t T, n int) {\n\tcounts[t.Type()] += n\n}\n"
    main = {"go.mod": "module example.com/mail\n", "app/server.go": server, "app/mail.go": mail, "app/rec.go": rec}
    found = _dc701(tmp_path, main, {"app/mail.go": mail.replace("send(t, 3)", "send(t, 5)"),
                                    "app/rec.go": rec.replace("+= n", "+= n * 2")})
    assert [(path, line) for path, line, _, _ in found] == [("app/mail.go", 4), ("app/rec.go", 4)]
    assert "job handler at app/server.go:11 (`return deliver(ctx, t)`)" in found[0][3]
    assert "job handler at app/server.go:17 (`record(t, 1)`)" in found[1][3]


def test_go_a_handler_taking_the_task_under_an_aliased_import_is_a_job_handler(tmp_path) -> None:
    # `q "github.com/hibiken/asynq"`: the handler's file writes the task type as `*q.Task`; the
    # mux that registers it is in another file.
    server = ("package worker\n\nimport q \"github.com/hibiken/asynq\"\n\nfunc Routes(h *Handlers) *q.ServeMux {\n"
              "\tmux := q.NewServeMux()\n\tmux.HandleFunc(\"email:deliver\", h.Deliver)\n\treturn mux\n}\n")
    handlers = ("package worker\n\nimport (\n\t\"context\"\n\n\tq \"github.com/hibiken/asynq\"\n)\n\n"
                "type Handlers struct{}\n\nfunc (h *Handlers) Deliver(ctx context.Context, t *q.Task) error {\n"
                "\treturn send(t, 3)\n}\n")
    main = {"go.mod": "module example.com/mail\n", "worker/server.go": server, "worker/handlers.go": handlers}
    found = _dc701(tmp_path, main, {"worker/handlers.go": handlers.replace("send(t, 3)", "send(t, 5)")})
    assert [(path, line) for path, line, _, _ in found] == [("worker/handlers.go", 12)]
    assert "job handler" in found[0][3]


def test_a_helper_in_a_job_folder_is_background_code(tmp_path) -> None:
    # feedbin keeps its crawler's throttle next to the jobs: it names no job API.
    throttle = ("module FeedCrawler\n  class Throttle\n    def self.hosts\n      @hosts ||= ENV['HOSTS'].split(',')\n"
                "    end\n  end\nend\n")
    main = {"app/jobs/feed_crawler/lib/throttle.rb": throttle, "app/models/feed.rb": "class Feed\nend\n"}
    found = _dc701(tmp_path, main, {"app/jobs/feed_crawler/lib/throttle.rb": throttle.replace("','", "';'")})
    assert [(line, severity) for _, line, severity, _ in found] == [(4, "warning")]
    assert "code in the job folder `jobs/`" in found[0][3]


@pytest.mark.parametrize("folder, shown", [
    ("admin/src/main/java/x/scheduler/thread", "scheduler/"),  # xxl-job's scheduler threads
    ("job-worker/src/main/java/x/engine", "worker/"),          # a build module that is the worker
    ("admin/src/main/java/x/scheduler/openapi", None),          # an HTTP API kept beside them
    ("web/src/components/scheduler", None),                     # a UI component named for scheduling
    # Below a folder of jobs only, a folder named `api` or `rest` holds jobs and their helpers
    # (Rails' `app/jobs/api/` for the `Api::` namespace).
    ("app/src/main/java/x/jobs/api", "jobs/"),
    ("app/src/main/java/x/workers/rest", "workers/"),
])
def test_scheduler_and_worker_module_folders_are_job_folders(tmp_path, folder: str, shown: str | None) -> None:
    helper = "package x;\n\npublic class Registry {\n  static int interval() {\n    return 30;\n  }\n}\n"
    path = f"{folder}/Registry.java"
    found = _dc701(tmp_path, {path: helper, "README.md": "x\n"}, {path: helper.replace("30", "10")})
    if shown is None:
        assert found == []
    else:
        assert [(p, line) for p, line, _, _ in found] == [(path, 5)]
        assert f"code in the job folder `{shown}`" in found[0][3]


@pytest.mark.parametrize("caller", ["admin/src/main/java/x/scheduler/thread", "admin/src/main/java/x/scheduler/openapi"])
def test_an_http_api_beside_the_scheduler_reaches_nothing(tmp_path, caller: str) -> None:
    # xxl-job keeps its open API's controller under scheduler/: the HTTP requests run it, not a worker.
    calling = ("package x;\n\npublic class Dispatch {\n  int run(Registry registry) {\n"
               "    return registry.lookupInterval();\n  }\n}\n")
    registry = "package x;\n\npublic class Registry {\n  int lookupInterval() {\n    return 30;\n  }\n}\n"
    path = "admin/src/main/java/x/service/Registry.java"
    tick = ("package x;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\npublic class Tick {\n"
            "  @Scheduled(fixedDelay = 1000)\n  void tick() {\n  }\n}\n")  # the repository has jobs
    main = {f"{caller}/Dispatch.java": calling, path: registry, "admin/src/main/java/x/Tick.java": tick}
    found = _dc701(tmp_path, main, {path: registry.replace("30", "10")})
    assert [p for p, _, _, _ in found] == ([] if caller.endswith("openapi") else [path])


def test_a_repository_without_jobs_reads_nothing_more(tmp_path) -> None:
    main = {"app/models/import.rb": IMPORT, "app/controllers/imports_controller.rb":
            "class ImportsController\n  def revert\n    @import.revert_entries\n  end\nend\n"}
    changed = IMPORT.replace("entries.destroy_all\n    family.sync\n", "entries.destroy_all\n    family.sync_later\n")
    assert _dc701(tmp_path, main, {"app/models/import.rb": changed}) == []


def test_java_a_method_an_executor_task_of_the_same_file_calls(tmp_path) -> None:
    # apollo's release-history cleaner: the task submitted at start-up calls `this.clean(...)`.
    code = ("package x;\n\nimport java.util.concurrent.ExecutorService;\nimport java.util.concurrent.Executors;\n\n"
            "public class Svc {\n  private final ExecutorService ex = Executors.newSingleThreadExecutor();\n\n"
            "  void initialize() {\n    ex.submit(() -> {\n      this.cleanHistory(1);\n    });\n  }\n\n"
            "  private void cleanHistory(int n) {\n    int a = n;\n  }\n}\n")
    path = "src/main/java/x/Svc.java"
    found = _dc701(tmp_path, {path: code}, {path: code.replace("int a = n;", "int a = n + 1;")})
    assert [(line, severity) for _, line, severity, _ in found] == [(16, "warning")]
    assert "task run by an executor or thread at src/main/java/x/Svc.java:11 (`this.cleanHistory(1);`) calls it " \
        "through `cleanHistory`" in found[0][3]


@pytest.mark.parametrize("use", ["variable", "call", "reference"])
def test_java_a_variable_named_like_a_method_is_no_call_of_it(tmp_path, use: str) -> None:
    # PowerJob's processor logs its local `message`; the monitor's `Event.message()` is another thing.
    line = {"variable": "    String message = ctx.getJobParams();\n    log.warn(message);\n",
            "call": "    log.warn(event.message());\n",
            "reference": "    events.forEach(SlowLockEvent::message);\n"}[use]
    job = ("package x;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\npublic class Reporter {\n"
           f"  @Scheduled(fixedDelay = 1000)\n  void report() {{\n{line}  }}\n}}\n")
    event = "package x;\n\npublic class SlowLockEvent {\n  public String message() {\n    return \"slow \" + 1;\n  }\n}\n"
    main = {"src/main/java/x/Reporter.java": job, "src/main/java/x/SlowLockEvent.java": event}
    found = _dc701(tmp_path, main, {"src/main/java/x/SlowLockEvent.java": event.replace("1;", "2;")})
    if use == "variable":
        assert found == []
    else:
        assert [path for path, _, _, _ in found] == ["src/main/java/x/SlowLockEvent.java"]


@pytest.mark.parametrize("mapped", [True, False])
def test_java_a_web_endpoint_is_not_reached_by_name(tmp_path, mapped: bool) -> None:
    # thingsboard's processor calls its repository's `findByQuery`; the controller's method of
    # that name is called by Spring's dispatcher, never by a job.
    job = ("package x;\n\nimport org.springframework.scheduling.annotation.Scheduled;\n\npublic class Refresher {\n"
           "  @Scheduled(fixedDelay = 1000)\n  void refresh() {\n    repository.findByQuery(query);\n  }\n}\n")
    annotation = '  @GetMapping("/entities")\n' if mapped else ""
    controller = ("package x;\n\nimport org.springframework.web.bind.annotation.GetMapping;\n\n"
                  "public class EntityController {\n" + annotation +
                  "  public long findByQuery(String q) {\n    return service.count(q, 10);\n  }\n}\n")
    main = {"src/main/java/x/Refresher.java": job, "src/main/java/x/EntityController.java": controller}
    changed = {"src/main/java/x/EntityController.java": controller.replace("10", "20")}
    found = _dc701(tmp_path, main, changed)
    if mapped:
        assert found == []
    else:
        assert [path for path, _, _, _ in found] == ["src/main/java/x/EntityController.java"]


def test_typescript_a_service_function_a_bullmq_processor_calls(tmp_path) -> None:
    worker = ("import { Worker } from 'bullmq';\nimport { chargeInvoice } from '../billing';\n\n"
              "new Worker('billing', async (job) => {\n  await chargeInvoice(job.data.id);\n});\n")
    billing = "export async function chargeInvoice(id: string) {\n  return id;\n}\n"
    main = {"package.json": '{"name": "shop"}\n', "src/queues/billing.ts": worker, "src/billing.ts": billing}
    found = _dc701(tmp_path, main, {"src/billing.ts": billing.replace("return id;", "return id.trim();")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("src/billing.ts", 2, "warning")]
    # The worker's own region names the job, though all of queues/ is a job folder; the import line calls nothing.
    assert "BullMQ worker at src/queues/billing.ts:5 (`await chargeInvoice(job.data.id);`) calls it through " \
        "`chargeInvoice`" in found[0][3]


@pytest.mark.parametrize("wrapped", [True, False])
def test_typescript_a_worker_whose_handler_a_wrapper_returns(tmp_path, wrapped: bool) -> None:
    # useSend's campaign worker: `new Worker(q, createWorkerHandler(async (job) => ...))`. The
    # wrapper runs the function it is given, so that function is the worker's handler.
    handler = "async (job) => {\n  await renderCampaign(job.data.id);\n}"
    runner = f"createWorkerHandler({handler})" if wrapped else f"logged({handler}.toString())"
    worker = (f"import {{ Worker }} from 'bullmq';\n\nfunction renderCampaign(id: string) {{\n  return id;\n}}\n\n"
              f"export const worker = new Worker('campaigns', {runner});\n")
    main = {"package.json": '{"name": "mail"}\n', "src/server/campaign-service.ts": worker}
    found = _dc701(tmp_path, main, {"src/server/campaign-service.ts": worker.replace("return id;", "return id.trim();")})
    if wrapped:
        assert [(path, line) for path, line, _, _ in found] == [("src/server/campaign-service.ts", 4)]
        assert "BullMQ worker at src/server/campaign-service.ts:8" in found[0][3]
    else:  # a function turned into a string and logged is no handler
        assert found == []


@pytest.mark.parametrize("deferred", [True, False])
def test_typescript_work_handed_to_wait_until_is_background(tmp_path, deferred: bool) -> None:
    # dub's admin ban route deletes the user in `waitUntil(...)`: that runs after the response,
    # beside the next requests that touch the same rows.
    body = ("Promise.allSettled(ids.map((id) => removeWorkspace(id))).then(async () => {\n"
            "      await prisma.user.delete({ where: { id: 1 } });\n    })")
    call = f"waitUntil({body})" if deferred else f"await {body}"
    route = ("import { waitUntil } from '@vercel/functions';\n\nexport async function POST(ids: string[]) {\n"
             f"  {call};\n  return new Response('ok');\n}}\n")
    path = "app/api/admin/ban/route.ts"
    found = _dc701(tmp_path, {"package.json": '{"name": "links"}\n', path: route},
                   {path: route.replace("id: 1", "id: 2")})
    if deferred:
        assert [(p, line) for p, line, _, _ in found] == [(path, 5)]
        assert "deferred work (waitUntil)" in found[0][3]
    else:
        assert found == []


@pytest.mark.parametrize("owner", ["ReceiptsController < ApplicationController", "ReceiptsPresenter < Presenter"])
def test_ruby_a_controllers_action_is_not_reached_by_name(tmp_path, owner: str) -> None:
    # hcb's statement job calls an array's `reverse`; the receipts page's `reverse` action, which
    # calls the changed helper, is called by the router, never by a job.
    job = ("class StatementJob < ApplicationJob\n  def perform(transactions)\n"
           "    transactions.reverse.each { |t| t.touch }\n  end\nend\n")
    controller = (f"class {owner}\n  def reverse\n    build_streams(1)\n  end\n\n  private\n\n"
                  "  def build_streams(n)\n    [n, 10]\n  end\nend\n")
    path = "app/controllers/receipts_controller.rb"
    main = {"app/jobs/statement_job.rb": job, path: controller}
    found = _dc701(tmp_path, main, {path: controller.replace("10", "20")})
    if "Controller" in owner:
        assert found == []
    else:
        assert [(p, line) for p, line, _, _ in found] == [(path, 9)]


def test_typescript_a_worker_whose_handler_is_a_bound_method(tmp_path) -> None:
    # `new Worker(q, this.handle.bind(this))`: the method bound is the worker's handler.
    worker = ("import { Worker } from 'bullmq';\n\nfunction renderCampaign(id: string) {\n  return id;\n}\n\n"
              "export class CampaignWorker {\n  worker = new Worker('campaigns', this.handle.bind(this));\n\n"
              "  async handle(job) {\n    await renderCampaign(job.data.id);\n  }\n}\n")
    main = {"package.json": '{"name": "mail"}\n', "src/server/campaign-worker.ts": worker}
    found = _dc701(tmp_path, main, {"src/server/campaign-worker.ts": worker.replace("return id;", "return id.trim();")})
    assert [(path, line) for path, line, _, _ in found] == [("src/server/campaign-worker.ts", 4)]
    assert "BullMQ worker at src/server/campaign-worker.ts:11" in found[0][3]


@pytest.mark.parametrize("call, path", [
    ("ReportsController.export_all", "app/controllers/reports_controller.rb"),     # its class method calls the helper
    ("ReportsController.new.build_rows(3)", "app/controllers/reports_controller.rb"),  # the job builds the controller
    ("unit.build_rows(3)", "lib/reports_controller.rb"),  # not a Rails controller: any object a job is handed
    ("rows.build_rows(3)", "app/controllers/reports_controller.rb"),  # another object's method of that name
])
def test_ruby_a_controller_a_job_names_is_followed(tmp_path, call: str, path: str) -> None:
    controller = ("class ReportsController < ApplicationController\n  def show\n    render json: build_rows(1)\n  end\n\n"
                  "  def self.export_all\n    new.build_rows(2)\n  end\n\n  def build_rows(n)\n    [n, 10]\n  end\nend\n")
    job = f"class ExportJob < ApplicationJob\n  def perform(unit, rows)\n    {call}\n  end\nend\n"
    main = {"app/jobs/export_job.rb": job, path: controller}
    found = _dc701(tmp_path, main, {path: controller.replace("10", "20")})
    if call.startswith("rows."):
        assert found == []
    else:
        assert [(p, line) for p, line, _, _ in found] == [(path, 11)]
        assert f"app/jobs/export_job.rb:3 (`{call}`)" in found[0][3]


@pytest.mark.parametrize("owner, reached", [
    ("class View::Requests", False),
    ("class Request < ApplicationRecord", False),  # a model's class answers its enums and scopes
    ("class RequestsMailer < ApplicationMailer", True),
    ("module View::Requests\n  extend self", True),
    # The superclass may be a mailer or a CurrentAttributes class of the application's own.
    ("class Request < BaseNotifier", True),
    # The class hands the call to an instance: delegation to `new`, a Singleton's forwarding.
    ("class Request\n  class << self\n    delegate :statuses, to: :new\n  end\n", True),
    ("class Request\n  include Singleton\n  extend SingleForwardable\n  def_delegators :instance, :statuses\n", True),
])
def test_ruby_an_instance_method_is_not_called_on_a_class_name(tmp_path, owner: str, reached: bool) -> None:
    # human-essentials' reminder calls `Request.statuses` (the enum's), never the view object's
    # instance method `statuses`; a mailer's class answers its instance methods, and so does a
    # module that extends itself.
    job = ("class ReminderJob < ApplicationJob\n  def perform\n"
           "    Request.statuses.each_key { |s| s }\n  end\nend\n")
    view = f"{owner}\n  def statuses\n    [1, 10]\n  end\nend\n"
    path = "app/models/view/requests.rb"
    main = {"app/jobs/reminder_job.rb": job, path: view}
    found = _dc701(tmp_path, main, {path: view.replace("10", "20")})
    assert [p for p, _, _, _ in found] == ([path] if reached else [])


@pytest.mark.parametrize("declared", ["base", "branch", "none"])
def test_ruby_a_method_named_like_an_association_is_not_followed(tmp_path, declared: str) -> None:
    # human-essentials' mailer calls `request.item_requests` (Request has_many :item_requests);
    # the view object's new `item_requests` is another method of that name.
    job = "class NotifyJob < ApplicationJob\n  def perform(request)\n    request.item_requests.each(&:touch)\n  end\nend\n"
    model = "class Request < ApplicationRecord\nend\n"
    association = "class Request < ApplicationRecord\n  has_many :item_requests\nend\n"
    view = "class RequestInfo\n  def item_requests\n    [1, 10]\n  end\nend\n"
    path = "app/models/view/request_info.rb"
    main = {"app/jobs/notify_job.rb": job, "app/models/request.rb": association if declared == "base" else model,
            path: view}
    branch = {path: view.replace("10", "20")}
    if declared == "branch":  # a branch cannot silence the trail by declaring one
        branch["app/models/request.rb"] = association
    found = _dc701(tmp_path, main, branch)
    if declared == "base":
        assert [(p, severity) for p, _, severity, _ in found] == [(path, "info")]
        assert "`item_requests` is also the name of an association app/models/request.rb declares" in found[0][3]
    else:
        assert [(p, severity) for p, _, severity, _ in found] == [(path, "warning")]


def test_a_service_objects_entry_method_is_followed_by_its_class(tmp_path) -> None:
    # Callers write `ExecuteBridgeRequest.new.call`: `call` is too generic, the class is not.
    service = "class ExecuteBridgeRequest\n  def call(url)\n    HTTP.post(url, timeout: 15)\n  end\nend\n"
    job = "class BridgeJob < ApplicationJob\n  def perform(url)\n    ExecuteBridgeRequest.new.call(url)\n  end\nend\n"
    main = {"app/jobs/bridge_job.rb": job, "app/services/execute_bridge_request.rb": service}
    found = _dc701(tmp_path, main, {"app/services/execute_bridge_request.rb": service.replace("15", "5")})
    assert [(line, severity) for _, line, severity, _ in found] == [(3, "warning")]
    assert "calls it through `ExecuteBridgeRequest`" in found[0][3]


def test_a_method_reference_given_to_an_executor_runs_there(tmp_path) -> None:
    # apollo: `scheduleAtFixedRate(this::clearUnhealthy, …)`; the method itself and what it calls.
    code = ("package x;\n\nimport java.util.concurrent.ScheduledExecutorService;\n\npublic class Cleaner {\n"
            "  private ScheduledExecutorService ex;\n\n  void start() {\n"
            "    ex.scheduleAtFixedRate(this::clearUnhealthy, 0, 60, java.util.concurrent.TimeUnit.SECONDS);\n  }\n\n"
            "  void clearUnhealthy() {\n    long days = 1;\n  }\n}\n")
    path = "src/main/java/x/Cleaner.java"
    found = _dc701(tmp_path, {path: code}, {path: code.replace("long days = 1;", "long days = 2;")})
    assert [(line, severity) for _, line, severity, _ in found] == [(13, "warning")]
    assert "task run by an executor or thread" in found[0][3]


def test_a_spring_quartz_job_bean_is_a_quartz_job(tmp_path) -> None:
    code = ("package x;\n\npublic class ExecutionJob extends QuartzJobBean {\n"
            "  protected void executeInternal(Object context) {\n    run(30);\n  }\n}\n")
    path = "src/main/java/x/ExecutionJob.java"
    found = _dc701(tmp_path, {path: code}, {path: code.replace("run(30)", "run(60)")})
    assert [(line, severity) for _, line, severity, _ in found] == [(5, "warning")]
    assert "Quartz job" in found[0][3]


def test_files_in_job_paths_start_trails_too(tmp_path) -> None:
    task = "export class CleanupTask {\n  async perform() {\n    await deleteOldEvents(365);\n  }\n}\n"
    events = "export async function deleteOldEvents(days: number) {\n  return days;\n}\n"
    config = "job_paths:\n  - \"server/tasks/**\"\n"
    main = {".deploycheck/config.yaml": config, "server/tasks/CleanupTask.ts": task, "server/events.ts": events,
            "server/worker.ts": "import Queue from 'bull';\n"}
    found = _dc701(tmp_path, main, {"server/events.ts": events.replace("return days;", "return days * 2;")})
    assert [(path, line) for path, line, _, _ in found] == [("server/events.ts", 2)]
    assert "code in `job_paths` at server/tasks/CleanupTask.ts:3" in found[0][3]


def test_a_local_named_like_the_function_is_no_call(tmp_path) -> None:
    # feedbin: a job's `starred = Throttle.throttle!(…)` does not call the controller's `starred`.
    job = ("class ActionsPerform\n  include Sidekiq::Worker\n  def perform(user)\n"
           "    starred = Throttle.throttle!(user.id)\n    starred\n  end\nend\n")
    controller = "class EntriesController\n  def starred\n    @entries = 1\n  end\nend\n"
    main = {"app/jobs/actions_perform.rb": job, "app/controllers/entries_controller.rb": controller}
    found = _dc701(tmp_path, main, {"app/controllers/entries_controller.rb": controller.replace("= 1", "= 2")})
    assert found == []


def test_a_branch_cannot_make_a_name_too_common_to_follow(tmp_path) -> None:
    # On the base two files name `revert_entries`; the branch adds 30 more that mention it. The
    # base decides that the name is specific, so the job's call is still found.
    main = {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT}
    branch = {"app/models/import.rb": IMPORT.replace("entries.destroy_all\n    family.sync\n",
                                                     "entries.destroy_all\n    family.sync_later\n")}
    branch.update({f"app/models/noise_{i}.rb": f"class Noise{i}\n  # revert_entries\nend\n" for i in range(30)})
    found = _dc701(tmp_path, main, branch)
    assert [(path, line) for path, line, _, _ in found] == [("app/models/import.rb", 4)]
    assert "reached from background code: ActiveJob job" in found[0][3]


def test_a_search_cut_by_the_read_budget_is_reported(tmp_path, monkeypatch) -> None:
    # Fail closed: when the scan's budget of files to read runs out, "not reached" would be a guess.
    from deploycheck.rules.trees import reach

    monkeypatch.setattr(reach, "MAX_PARSED", 1)
    sync = "class Sync\n  def run_sync\n    Balance.new.persist_balances\n  end\nend\n"
    balance = "class Balance\n  def persist_balances\n    upsert_all(rows)\n  end\nend\n"
    main = {"app/jobs/sync_job.rb": "class SyncJob < ApplicationJob\n  def perform(s)\n    s.run_sync\n  end\nend\n",
            "app/models/sync.rb": sync, "app/models/balance.rb": balance}
    found = _dc701(tmp_path, main, {"app/models/balance.rb": balance.replace("upsert_all", "insert_all")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("app/models/balance.rb", 3, "warning")]
    assert "stopped at its limit of 1 files read per scan, so deploycheck cannot show that no job does" in found[0][3]


def test_a_file_naming_the_function_that_cannot_be_read_is_reported(tmp_path) -> None:
    # Fail closed: a file too large to read may hold the job that calls the changed method.
    # Padded with a comment past the scan's read limit (2 MB), it is never parsed.
    big_job = JOB + "#" + "x" * 2_100_000 + "\n"
    main = {"app/jobs/revert_import_job.rb": big_job, "app/models/import.rb": IMPORT}
    found = _dc701(tmp_path, main, {"app/models/import.rb": IMPORT.replace(
        "entries.destroy_all\n    family.sync\n", "entries.destroy_all\n    family.sync_later\n")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("app/models/import.rb", 4, "warning")]
    assert ("maybe reached from background code: app/jobs/revert_import_job.rb names `revert_entries` but it is "
            "larger than the scan reads, so deploycheck cannot show that no job calls `revert_entries`") in found[0][3]
    # The method no file calls stays unflagged: the unreadable file does not name it.
    changed = IMPORT.replace("  def publish_entries\n    family.sync\n", "  def publish_entries\n    family.sync_later\n")
    assert _dc701(tmp_path / "again", main, {"app/models/import.rb": changed}) == []


TRICKY_RUBY = ("module Billing::Sync\n  # we define\n  def self.charge_all\n  end\n  class Invoices::Runner\n    def call\n"
               "    end\n    def paid?\n    end\n  end\nend\n")
TRICKY_GO = ("package x\n\nvar f func()\n\nfunc (r *Runner) completeStep(s int) {\n\tgo func() { done() }()\n}\n\n"
             "func done() {}\n")


def _followed(language: str, source: bytes) -> set[str]:
    from deploycheck.rules.trees.parse import parse_bytes
    from deploycheck.rules.trees.reach import followed_name
    from deploycheck.rules.trees.units import chains_at

    p = parse_bytes(language, source)
    return {name for row in range(source.count(b"\n") + 1) for chain in chains_at(p, row)
            for k in range(1, len(chain) + 1) if (name := followed_name(chain[:k], p))}


def test_the_gate_lists_every_name_the_search_follows() -> None:
    # The gate skips the parser when no other file names what a file defines; that is sound only
    # if its patterns find every name the search would follow (measured on 4,479 real files too).
    from deploycheck.rules.trees.naming import defined_names

    assert _followed("ruby", TRICKY_RUBY.encode()) == {"charge_all", "Runner", "paid?"}
    assert defined_names("ruby", [TRICKY_RUBY]) >= {"charge_all", "Runner", "paid?"}
    assert _followed("go", TRICKY_GO.encode()) == {"completeStep", "done"}
    assert defined_names("go", [TRICKY_GO]) >= {"completeStep", "done"}
    sources = [path for path in Path(__file__).parents[1].rglob("*") if path.suffix in (".rb", ".go")]
    assert len(sources) > 20
    listed = 0
    for path in sources:
        language = "ruby" if path.suffix == ".rb" else "go"
        data = path.read_bytes()
        names = defined_names(language, [data.decode()])
        if names is not None:  # None: a definition it cannot read, the parser's turn
            listed += 1
            assert _followed(language, data) <= names, path
    assert listed > 0.8 * len(sources)
    assert defined_names("typescript", ["function charge() {}"]) is None  # methods have no keyword


def test_a_file_no_other_file_names_is_not_parsed(tmp_path) -> None:
    # A view helper in an app with jobs: no other Ruby file names its methods, so no job can reach
    # them; the scan passes without loading a parser (what keeps the pre-push hook cheap).
    import subprocess
    import sys

    helper = "module AccountsHelper\n  def summary_card(title)\n    render 'card', title: title\n  end\nend\n"
    repo = make_repo(tmp_path / "repo", {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT,
                                         "app/helpers/accounts_helper.rb": helper})
    make_branch(repo, "work", {"app/helpers/accounts_helper.rb": helper.replace("'card'", "'cards/card'")})
    script = ("import sys\nfrom deploycheck.analysis.pipeline import analyse\n"
              "found = analyse(base='main', cwd=sys.argv[1]).scan.active\n"
              "print(len(found), 'tree_sitter' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script, str(repo)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"]
    # A change in a method a job calls is parsed and flagged (the gate's names are held elsewhere).
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    make_branch(repo, "work2", {"app/models/import.rb": IMPORT.replace(
        "entries.destroy_all\n    family.sync\n", "entries.destroy_all\n    family.sync_later\n")})
    out = subprocess.run([sys.executable, "-c", script, str(repo)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "True"]


def test_each_file_of_a_many_file_change_gets_its_own_answer(tmp_path) -> None:
    # The first file's gate asks git for the names of every changed file at once; each file's
    # verdict must still be its own: reached, reached two calls deep, or named by no other file.
    helper = "module AccountsHelper\n  def summary_card(title)\n    render 'card', title: title\n  end\nend\n"
    sync = "class Sync\n  def run_sync\n    Balance.new.persist_balances\n  end\nend\n"
    balance = "class Balance\n  def persist_balances\n    upsert_all(rows)\n  end\nend\n"
    main = {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT, "app/helpers/accounts_helper.rb": helper,
            "app/jobs/sync_job.rb": "class SyncJob < ApplicationJob\n  def perform(s)\n    s.run_sync\n  end\nend\n",
            "app/models/sync.rb": sync, "app/models/balance.rb": balance}
    branch = {"app/helpers/accounts_helper.rb": helper.replace("'card'", "'cards/card'"),
              "app/models/balance.rb": balance.replace("upsert_all", "insert_all"),
              "app/models/import.rb": IMPORT.replace("  def publish_entries\n    family.sync\n",
                                                     "  def publish_entries\n    family.sync_later\n")}
    found = _dc701(tmp_path, main, branch)
    assert [(path, line) for path, line, _, _ in found] == [("app/models/balance.rb", 3)]
    assert "`run_sync` -> `persist_balances`" in found[0][3]


def test_go_an_unqualified_call_in_another_package_calls_that_packages_function(tmp_path) -> None:
    # woodpecker: `CreatePipeline(ctx)` in server/cron calls cron's own CreatePipeline, not the API's.
    cron = ("package cron\n\nimport \"time\"\n\nfunc Run() {\n\tgo func() {\n\t\tfor range time.Tick(time.Minute) {\n"
            "\t\t\tCreatePipeline(1)\n\t\t}\n\t}()\n}\n\nfunc CreatePipeline(n int) {}\n")
    api = "package api\n\nfunc CreatePipeline(n int) int {\n\treturn n + 1\n}\n"
    main = {"go.mod": "module example.com/ci\n", "server/cron/cron.go": cron, "server/api/pipeline.go": api}
    changed = {"server/api/pipeline.go": api.replace("n + 1", "n + 2")}
    assert _dc701(tmp_path, main, changed) == []
    # Called through its package's name, the API's function is reached.
    qualified = cron.replace("\t\t\tCreatePipeline(1)", "\t\t\tapi.CreatePipeline(1)").replace(
        "import \"time\"", "import (\n\t\"time\"\n\n\t\"example.com/ci/server/api\"\n)")
    found = _dc701(tmp_path / "again", {**main, "server/cron/cron.go": qualified}, changed)
    assert [(path, line) for path, line, _, _ in found] == [("server/api/pipeline.go", 4)]
    assert "at server/cron/cron.go:12 (`api.CreatePipeline(1)`)" in found[0][3]


def test_what_the_base_names_is_kept_per_base_and_the_gate_never_reads_it(tmp_path) -> None:
    # The hook keeps which base files name which functions under the git directory; the CI gate
    # (uncached) asks git every time, so a cache an untrusted run could write cannot hide a job.
    import json

    from deploycheck.rules.base import uncached

    repo = make_repo(tmp_path / "repo", {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT})
    make_branch(repo, "work", {"app/models/import.rb": IMPORT.replace(
        "entries.destroy_all\n    family.sync\n", "entries.destroy_all\n    family.sync_later\n")})

    def dc701() -> list[tuple[str, int]]:
        return [(f.path, f.line) for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC701"]

    assert dc701() == [("app/models/import.rb", 4)]
    kept = list((repo / ".git" / "deploycheck" / "trees-naming").glob("*-ruby-*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_text())["revert_entries"] == ["app/jobs/revert_import_job.rb",
                                                                                   "app/models/import.rb"]
    assert dc701() == [("app/models/import.rb", 4)]  # from the kept answers
    kept[0].write_text(json.dumps({"revert_entries": [], "Import": [], "publish_entries": []}))
    with uncached():
        assert dc701() == [("app/models/import.rb", 4)]
# A pipeline whose job handler is declared with the job library's handler type, far from where
# the queue registers it; its steps are module-private helpers (formbricks' response pipeline).
PIPELINE = ("import type { JobHandler } from '@acme/jobs';\nimport { handleIntegrations } from './integrations';\n\n"
            "const runFinished = async (data: Data) => {\n  await handleIntegrations(data);\n};\n\n"
            "export const processPipeline: JobHandler<Data> = async (data) => {\n  await runFinished(data);\n};\n")
INTEGRATIONS = ("import { writeRows } from './sheets';\n\nconst handleSheets = async (data: Data) => {\n"
                "  await writeRows(data);\n};\n\nexport const handleIntegrations = async (data: Data) => {\n"
                "  await handleSheets(data);\n};\n")
SHEETS = "export const writeRows = async (data: Data) => {\n  append(data, () => {});\n};\n"


def test_a_function_typed_as_a_job_handler_runs_in_the_job(tmp_path) -> None:
    main = {"package.json": '{"name": "app"}\n', "src/pipeline.ts": PIPELINE, "src/integrations.ts": INTEGRATIONS,
            "src/sheets.ts": SHEETS}
    found = _dc701(tmp_path, main, {"src/sheets.ts": SHEETS.replace("append(data, () => {});", "await append(data);")})
    assert [(path, line, severity) for path, line, severity, _ in found] == [("src/sheets.ts", 2, "warning")]
    # Four calls from the job, but two `git grep`s: a module's own helpers are followed in its file.
    assert "job handler at src/pipeline.ts:9 (`await runFinished(data);`) calls it through `runFinished` -> " \
        "`handleIntegrations` -> `handleSheets` -> `writeRows`" in found[0][3]


def test_an_exported_or_commonjs_helper_is_followed_through_other_files(tmp_path) -> None:
    # `runFinished` exported (or the module CommonJS): another file may call it, so it costs a call
    # depth like any other name, and the job handler is then four `git grep`s away: past the bound.
    for pipeline in (PIPELINE.replace("const runFinished", "export const runFinished"),
                     PIPELINE + "module.exports = { runFinished };\n"):
        integrations = INTEGRATIONS.replace("const handleSheets", "export const handleSheets")
        main = {"package.json": '{"name": "app"}\n', "src/pipeline.ts": pipeline, "src/integrations.ts": integrations,
                "src/sheets.ts": SHEETS}
        repo_dir = tmp_path / str(len(pipeline))
        found = _dc701(repo_dir, main, {"src/sheets.ts": SHEETS.replace("append(data, () => {});", "await append(data);")})
        assert found == []


# The worker app's entry names the queue library: the repository has jobs, so other files are searched.
WORKER_MAIN = {"apps/worker/src/main.ts": "import { Worker } from 'bullmq';\n\nexport const start = () => Worker;\n"}
BRIDGE = ("export class ExecuteBridgeRequest {\n  async execute(url: string) {\n    return this.callBridge(url);\n  }\n\n"
          "  private async callBridge(url: string) {\n    return got(url, { timeout: 15_000 });\n  }\n}\n")


def test_the_worker_app_of_a_monorepo_is_a_job_folder(tmp_path) -> None:
    # NestJS: the worker's module provides the use case; its own name is all the worker writes.
    module = "import { ExecuteBridgeRequest } from '@acme/generic';\n\nexport const PROVIDERS = [ExecuteBridgeRequest];\n"
    main = {"package.json": '{"name": "app"}\n', "apps/worker/src/shared.module.ts": module, **WORKER_MAIN,
            "libs/generic/src/execute-bridge-request.ts": BRIDGE}
    found = _dc701(tmp_path, main, {"libs/generic/src/execute-bridge-request.ts": BRIDGE.replace("15_000", "5_000")})
    assert [(line, severity) for _, line, severity, _ in found] == [(7, "warning")]
    # `this.send` in the changed class is a call of the changed method.
    assert "code in the job folder `worker/` at apps/worker/src/shared.module.ts:3 " \
        "(`export const PROVIDERS = [ExecuteBridgeRequest];`) calls it through `ExecuteBridgeRequest` -> `callBridge`" \
        in found[0][3]


def test_this_method_of_another_class_is_not_the_changed_function(tmp_path) -> None:
    # The worker's use case calls its own private `getWorkflow`; the API controller's method of the
    # same name is another function.
    use_case = ("export class SendMessage {\n  async execute(id: string) {\n    return this.getWorkflow(id);\n  }\n\n"
                "  private async getWorkflow(id: string) {\n    return id;\n  }\n}\n")
    controller = "export class WorkflowController {\n  async getWorkflow(id: string) {\n    return id;\n  }\n}\n"
    main = {"package.json": '{"name": "app"}\n', "apps/worker/src/send-message.ts": use_case, **WORKER_MAIN,
            "apps/api/src/workflow.controller.ts": controller}
    changed = {"apps/api/src/workflow.controller.ts": controller.replace("return id;", "return id.trim();")}
    assert _dc701(tmp_path, main, changed) == []
    # A bare call (no `this.`) of the same name is still read as one.
    bare = use_case.replace("this.getWorkflow(id)", "getWorkflow(id)")
    found = _dc701(tmp_path / "bare", {**main, "apps/worker/src/send-message.ts": bare}, changed)
    assert [(path, line) for path, line, _, _ in found] == [("apps/api/src/workflow.controller.ts", 3)]


def test_a_changed_module_private_function_is_looked_for_in_its_module_only(tmp_path) -> None:
    # Two modules each keep a private `fetchFromS3`; a job reaches the server one only. A change to
    # the other (called by nothing of its module) is not reached through the namesake.
    server = ("const fetchFromS3 = async (key: string) => key;\n\n"
              "export const getFileServerSide = async (key: string) => fetchFromS3(key);\n")
    client = ("const fetchFromS3 = async (key: string) => {\n  return fetch(key);\n};\n\n"
              "const getFileLegacy = async (key: string) => fetchFromS3(key);\n")
    job = "import { getFileServerSide } from '../upload/server';\n\nexport const run = async () => getFileServerSide('k');\n"
    main = {"package.json": '{"name": "app"}\n', "lib/jobs/send-email.ts": job, "lib/upload/server.ts": server,
            "lib/upload/client.ts": client, **WORKER_MAIN}
    changed = client.replace("return fetch(key);", "return fetch(`/base${key}`);")
    assert _dc701(tmp_path, main, {"lib/upload/client.ts": changed}) == []
    # Exported, any module may import it; but the server module's bare call is its own namesake's
    # (it declares `fetchFromS3` itself: session 29), so only a module without one reaches it.
    exported = changed.replace("const fetchFromS3", "export const fetchFromS3")
    base = {**main, "lib/upload/client.ts": exported.replace("return fetch(`/base${key}`);", "return fetch(key);")}
    assert _dc701(tmp_path / "exported", base, {"lib/upload/client.ts": exported}) == []
    importing = ("import { fetchFromS3 } from './client';\n\n"
                 "export const getFileServerSide = async (key: string) => fetchFromS3(key);\n")
    found = _dc701(tmp_path / "imported", {**base, "lib/upload/server.ts": importing}, {"lib/upload/client.ts": exported})
    assert [(path, line) for path, line, _, _ in found] == [("lib/upload/client.ts", 2)]


def test_a_function_handed_out_as_a_value_is_not_module_private(tmp_path) -> None:
    # outline: `export default traceFunction({...})(presentDocument)`: other modules import the
    # wrapped function under the same name, so the name is followed through them.
    presenter = ("async function presentDocument(doc: Doc) {\n  return { id: doc.id };\n}\n\n"
                 "export default traceFunction({ spanName: 'presenters' })(presentDocument);\n")
    processor = ("import { Worker } from 'bullmq';\nimport presentDocument from '../presenters/document';\n\n"
                 "new Worker('ws', async (job) => {\n  await presentDocument(job.data);\n});\n")
    main = {"package.json": '{"name": "app"}\n', "server/presenters/document.ts": presenter,
            "server/processors/websockets.ts": processor}
    found = _dc701(tmp_path, main, {"server/presenters/document.ts": presenter.replace(
        "{ id: doc.id }", "{ id: doc.id, numbered: doc.numbered }")})
    assert [(path, line) for path, line, _, _ in found] == [("server/presenters/document.ts", 2)]
    assert "BullMQ worker at server/processors/websockets.ts:5" in found[0][3]


@pytest.mark.parametrize("service", [
    "class ::BalanceService\n  def call(x)\n    upsert_all(rows)\n  end\nend\n",
    "class BalanceService\n  class << self\n    def call(x)\n      upsert_all(rows)\n    end\n  end\nend\n",
    "module ::Billing\n  class BalanceService\n    def self.call(x)\n      upsert_all(rows)\n    end\n  end\nend\n",
])
def test_a_service_objects_entry_method_in_every_ruby_spelling(tmp_path, service: str) -> None:
    # Red team, session 10: `class ::X` escaped the gate's pattern and `class << self` hid the
    # class's name from the search; both passed the gate with nothing flagged.
    job = "class SyncJob < ApplicationJob\n  def perform(x)\n    BalanceService.call(x)\n  end\nend\n"
    main = {"app/jobs/sync_job.rb": job, "app/services/balance_service.rb": service}
    found = _dc701(tmp_path, main, {"app/services/balance_service.rb": service.replace("upsert_all", "insert_all")})
    assert [path for path, _, _, _ in found] == ["app/services/balance_service.rb"]
    assert "calls it through `BalanceService`" in found[0][3]


def test_the_gate_leaves_definitions_it_cannot_read_to_the_parser() -> None:
    from deploycheck.rules.trees.naming import defined_names

    for text in ("class X\n  def\n  sync_all\n  end\nend\n", "class X\n  def (self).x\n  end\nend\n",
                 "# we def\nclass A\nend\n"):
        assert defined_names("ruby", [text]) is None, text
    for text in ("package x\n\nfunc (s *(Store)) Name() {}\n", "package x\n\nvar h = 1; func Name() {}\n",
                 "package x\n\nfunc\nName() {}\n"):
        assert defined_names("go", [text]) is None, text
    # What it reads, it lists; `.class`, `:class`, `class << self` and operators define no name.
    ruby = "class X\n  def ==(o)\n  end\n  class << self\n    def build_all\n    end\n  end\n  def y\n    self.class\n  end\nend\n"
    assert defined_names("ruby", [ruby]) == {"X", "build_all", "y"}
    go = "package x\n\nvar f =\n\tfunc() {}\n\ntype H struct {\n\tf func(x int) error\n}\n\nfunc A() {}\n"
    assert defined_names("go", [go]) == {"A"}


def test_go_a_dot_import_without_a_space(tmp_path) -> None:
    billing = "package billing\n\nfunc ChargeAll(ids []int) {\n\tfor _, id := range ids {\n\t\tstore.Put(id)\n\t}\n}\n"
    worker = ("package worker\n\nimport .\"example.com/app/billing\"\n\nfunc Run() {\n\tgo func() {\n\t\tChargeAll(nil)\n"
              "\t}()\n}\n")
    main = {"go.mod": "module example.com/app\n", "billing/billing.go": billing, "worker/worker.go": worker}
    found = _dc701(tmp_path, main, {"billing/billing.go": billing.replace("store.Put(id)", "store.Put(id + 1)")})
    assert [path for path, _, _, _ in found] == ["billing/billing.go"]


def test_a_base_that_moved_on_since_the_fork_is_not_read_for_callers(tmp_path) -> None:
    # Red team, session 10: names were looked up at the base's tip, so a file the base added after
    # the branch forked was "named" but missing at head, and reported as too large to read.
    from support.gitrepo import commit, git

    balance = "class Balance\n  def persist_balances\n    upsert_all(rows)\n  end\nend\n"
    job = "class SyncJob < ApplicationJob\n  def perform(s)\n    Balance.new.persist_balances\n  end\nend\n"
    repo = make_repo(tmp_path / "repo", {"app/jobs/sync_job.rb": job, "app/models/balance.rb": balance})
    make_branch(repo, "work", {"app/models/balance.rb": balance.replace("upsert_all", "insert_all")})
    git(repo, "checkout", "-q", "main")
    commit(repo, {"app/models/report.rb": "class Report\n  def run_report\n    Balance.new.persist_balances\n  end\nend\n"})
    git(repo, "checkout", "-q", "work")
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC701"]
    assert [(f.path, f.line) for f in found] == [("app/models/balance.rb", 3)]
    assert "reached from background code: ActiveJob job at app/jobs/sync_job.rb:3" in found[0].message


def test_a_trail_that_cannot_be_looked_for_is_said(tmp_path) -> None:
    # New-user trial, session 10: a job calls `rule.apply`; `apply` is too generic a name to
    # follow, and the scan said "this change does not touch jobs". Now a note says why it could
    # not tell (info: the policy's bound, not a finding that blocks), in a file the gate reads (its
    # class is named elsewhere, as a model's is), and the verdict claims no more than it found.
    job = "class RuleJob < ApplicationJob\n  def perform(rule)\n    rule.apply(ignore_attribute_locks: true)\n  end\nend\n"
    rule = "class Rule < ApplicationRecord\n  def apply(ignore_attribute_locks: false)\n    actions.each(&:apply)\n  end\nend\n"
    controller = "class RulesController < ApplicationController\n  def show\n    @rule = Rule.find(params[:id])\n  end\nend\n"
    repo = make_repo(tmp_path / "repo", {"app/jobs/rule_job.rb": job, "app/models/rule.rb": rule,
                                         "app/controllers/rules_controller.rb": controller})
    make_branch(repo, "work", {"app/models/rule.rb": rule.replace("actions.each(&:apply)", "actions.reverse_each(&:apply)")})
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.findings if f.rule == "DC701"]
    assert [(f.path, f.line, f.severity) for f in found] == [("app/models/rule.rb", 3, "info")]
    assert "`apply` is too common a method name to tell its callers apart" in found[0].message
    assert "check by hand whether a job calls it" in found[0].message


RUBY_SERVICE = ("module Billing\n  class Sync\n    def self.perform(id)\n      new.sync_rows(id)\n    end\n\n"
                "    class << self\n      def sync_later(id)\n        SyncJob.perform_async(id)\n      end\n    end\n\n"
                "    def sync_rows(id)\n      upsert_all(rows(id))\n    end\n  end\nend\n")
RUBY_SYNC_JOB = ("class SyncJob\n  include Sidekiq::Job\n\n  def perform(id)\n    Billing::Sync.perform(id)\n"
                 "    Billing::Sync.sync_later(id) if id.nil?\n  end\nend\n")


def test_ruby_methods_are_named_the_ruby_way_in_every_format(tmp_path) -> None:
    # New-user trial, session 10: findings said `Sync::perform`, which in Ruby names a constant
    # lookup, not a method. Ruby writes `Sync#perform` (instance) and `Sync.perform` (class method,
    # `def self.x` or `class << self`). Only the shown name changes: the unit is still found by its
    # key, so the search for callers still follows `sync_rows` to the job.
    from support.gate import dc

    changed = (RUBY_SERVICE.replace("new.sync_rows(id)", "new.sync_rows(id.to_i)")
               .replace("SyncJob.perform_async(id)", "SyncJob.perform_in(5, id)")
               .replace("upsert_all(rows(id))", "insert_all(rows(id))"))
    main = {"app/jobs/sync_job.rb": RUBY_SYNC_JOB, "app/models/billing/sync.rb": RUBY_SERVICE}
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", {"app/models/billing/sync.rb": changed,
                               "app/jobs/sync_job.rb": RUBY_SYNC_JOB.replace("if id.nil?", "if id.blank?")})
    expected = ["`SyncJob#perform`", "`Billing::Sync.perform`", "`Billing::Sync#sync_rows`", "`Billing::Sync.sync_later`"]
    for fmt in ("text", "json", "sarif", "github"):
        out = dc(repo, "scan", "--base", "main", "--format", fmt, env={"NO_COLOR": "1", "COLUMNS": "400"})
        assert out.returncode == 0, out.stderr
        text = out.stdout.replace("\\u0060", "`")
        for name in expected:
            assert name in text, (fmt, name)
        assert "::perform`" not in text and "::sync_rows`" not in text and "::self." not in text, fmt
    found = [f for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC701"]
    by_line = {(f.path, f.line): f.message for f in found}
    # `sync_rows` is reached from the job through the class method: followed by its key's name.
    assert "reached from background code: Sidekiq job at app/jobs/sync_job.rb:5" in by_line[("app/models/billing/sync.rb", 14)]
    assert "`Billing::Sync.sync_later` (reached" in by_line[("app/models/billing/sync.rb", 9)]  # `class << self`


def test_the_job_and_the_trail_are_fields_of_the_json_finding(tmp_path) -> None:
    # New-user trial, session 10: the job and the calls from it to the changed function were only
    # words inside the message. They are fields now (scan --format json, SARIF related locations),
    # named the language's way; the message keeps its words.
    import json

    from support.gate import dc
    from support.gitrepo import git

    job = "class SyncJob < ApplicationJob\n  def perform(sync)\n    sync.run_sync\n  end\nend\n"
    sync = "class Sync\n  def run_sync\n    Balance.new.persist_balances\n  end\nend\n"
    balance = "class Balance\n  def persist_balances\n    upsert_all(rows)\n  end\nend\n"
    main = {"app/jobs/sync_job.rb": job, "app/models/sync.rb": sync, "app/models/balance.rb": balance}
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", {"app/models/balance.rb": balance.replace("upsert_all(rows)", "insert_all(rows)")})
    out = dc(repo, "scan", "--base", "main", "--format", "json")
    assert out.returncode == 0, out.stderr
    [found] = [f for f in json.loads(out.stdout)["findings"] if f["rule"] == "DC701"]
    assert found["job"] == {"kind": "ActiveJob job", "path": "app/jobs/sync_job.rb", "line": 1, "name": "SyncJob"}
    assert found["trail"] == [
        {"path": "app/jobs/sync_job.rb", "line": 3, "name": "SyncJob#perform", "calls": "run_sync"},
        {"path": "app/models/sync.rb", "line": 3, "name": "Sync#run_sync", "calls": "persist_balances"},
    ]
    assert "calls it through `run_sync` -> `persist_balances`" in found["message"]
    sarif = json.loads(dc(repo, "scan", "--base", "main", "--format", "sarif").stdout)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "DC701"]
    assert [(r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"],
             r["message"]["text"]) for r in result["relatedLocations"]] == [
        ("app/jobs/sync_job.rb", 1, "ActiveJob job SyncJob"),
        ("app/jobs/sync_job.rb", 3, "SyncJob#perform calls run_sync"),
        ("app/models/sync.rb", 3, "Sync#run_sync calls persist_balances"),
    ]
    assert result["properties"]["trail"] == found["trail"]
    # A change inside the job itself names the job, with no trail to it.
    git(repo, "checkout", "-q", "main")
    make_branch(repo, "inside", {"app/jobs/sync_job.rb": job.replace("sync.run_sync", "sync.run_sync(true)")})
    out = dc(repo, "scan", "--base", "main", "--format", "json")
    [found] = [f for f in json.loads(out.stdout)["findings"] if f["rule"] == "DC701"]
    assert found["job"]["name"] == "SyncJob" and "trail" not in found


def test_go_a_call_through_a_standard_library_package_is_no_call_of_the_repositorys_name(tmp_path) -> None:
    # kratos 8121f21175: a watcher goroutine's `os.Stat(name)` was read as a call of a new
    # `pool.Stat` method of the repository.
    watcher = ("package watch\n\nimport (\n\t\"os\"\n)\n\nfunc Run(names []string) {\n\tgo func() {\n"
               "\t\tfor _, n := range names {\n\t\t\tos.Stat(n)\n\t\t}\n\t}()\n}\n")
    pool = "package pool\n\ntype Pool struct{ n int }\n\nfunc (p *Pool) Close() {}\n"
    main = {"go.mod": "module example.com/app\n", "watch/watch.go": watcher, "pool/pool.go": pool}
    # One parameter, as `os.Stat` takes: the number of arguments does not tell them apart.
    changed = {"pool/pool.go": pool + "\nfunc (p *Pool) Stat(name string) int {\n\treturn p.n\n}\n"}
    assert _dc701(tmp_path, main, changed) == []
    # A local that shadows the package's name may hold anything, the repository's pool too.
    shadowed = watcher.replace("\t\tfor _, n := range names {\n\t\t\tos.Stat(n)\n",
                               "\t\tos := pool.New()\n\t\tfor _, n := range names {\n\t\t\tos.Stat(n)\n")
    found = _dc701(tmp_path / "shadowed", {**main, "watch/watch.go": shadowed}, changed)
    assert [(path, line, severity) for path, line, severity, _ in found] == [("pool/pool.go", 7, "warning")]
    # A package of the repository bound to the same name is the repository's: its function
    # `Stat`, though never its type's method (a call on a package's name is no method call).
    own = watcher.replace("\t\"os\"\n", "\tos \"example.com/app/pool\"\n")
    function = {"pool/pool.go": pool + "\nfunc Stat(name string) int {\n\treturn 0\n}\n"}
    found = _dc701(tmp_path / "own", {**main, "watch/watch.go": own}, function)
    assert [(path, line, severity) for path, line, severity, _ in found] == [("pool/pool.go", 7, "warning")]
    assert _dc701(tmp_path / "own-method", {**main, "watch/watch.go": own}, changed) == []


def test_ruby_a_class_method_of_a_plain_class_is_not_called_on_an_object(tmp_path) -> None:
    # maybe 3f92fe0f6f: a job's `due_for_check_scope.limit(BATCH)` (an ActiveRecord relation's
    # `limit`) was read as a call of a changed `ApiRateLimiter.limit` class method.
    job = ("class HealthCheckJob < ApplicationJob\n  def perform\n    scope.limit(5).each(&:check!)\n"
           "    @other.limit(2)\n  end\nend\n")
    limiter = ("class ApiRateLimiter\n  def self.limit(key)\n    new(key)\n  end\n\n  def initialize(key)\n"
               "    @key = key\n  end\nend\n")
    changed = {"app/services/api_rate_limiter.rb": limiter.replace("    new(key)\n", "    key ? new(key) : nil\n")}
    main = {"app/jobs/health_check_job.rb": job, "app/services/api_rate_limiter.rb": limiter}
    assert _dc701(tmp_path, main, changed) == []
    # Called on the class (its constant, or `self.class`), it is reached.
    for n, call in enumerate(("ApiRateLimiter.limit(1)", "Api::ApiRateLimiter.limit(1)", "self.class.limit(1)")):
        caller = job.replace("    @other.limit(2)\n", f"    {call}\n")
        found = _dc701(tmp_path / str(n), {**main, "app/jobs/health_check_job.rb": caller}, changed)
        assert [(path, line) for path, line, _, _ in found] == [("app/services/api_rate_limiter.rb", 3)], call
    # A model's class method is a relation's method too (`scope.limit` may be `Post.limit`).
    model = limiter.replace("class ApiRateLimiter\n", "class ApiRateLimiter < ApplicationRecord\n")
    found = _dc701(tmp_path / "model", {**main, "app/services/api_rate_limiter.rb": model},
                   {"app/services/api_rate_limiter.rb": model.replace("    new(key)\n", "    key ? new(key) : nil\n")})
    assert [(path, line) for path, line, _, _ in found] == [("app/services/api_rate_limiter.rb", 3)]


def test_ruby_a_class_method_called_on_a_class_held_elsewhere_is_still_followed(tmp_path) -> None:
    # Session 11 read `x.limit(…)` as an object's `limit` whatever `x` is; a class held in a
    # variable named for it (`limiter_class`, `@klass`) or looked up by name (`constantize`,
    # `const_get`) calls the class method, and the session's start followed those calls.
    job = "class HealthCheckJob < ApplicationJob\n  def perform\n    CALL\n  end\nend\n"
    limiter = "class ApiRateLimiter\n  def self.limit(key)\n    new(key)\n  end\nend\n"
    changed = {"app/services/api_rate_limiter.rb": limiter.replace("    new(key)\n", "    key ? new(key) : nil\n")}
    calls = ("limiter_class.limit(1)", "@klass.limit(1)", "limiter_klass.limit(1)", "'ApiRateLimiter'.constantize.limit(1)",
             "Object.const_get(name).limit(1)", "name.safe_constantize.limit(1)")
    for n, call in enumerate(calls):
        main = {"app/jobs/health_check_job.rb": job.replace("CALL", call), "app/services/api_rate_limiter.rb": limiter}
        found = _dc701(tmp_path / str(n), main, changed)
        assert [(path, line) for path, line, _, _ in found] == [("app/services/api_rate_limiter.rb", 3)], call


def test_ruby_a_class_method_called_through_a_variable_given_the_class_is_still_followed(tmp_path) -> None:
    # A local or an injected dependency that the file sets to the class (`limiter = ApiRateLimiter`,
    # `def initialize(limiter: ApiRateLimiter)`) holds the class: `limiter.limit` calls the class method.
    limiter = "class ApiRateLimiter\n  def self.limit(key)\n    new(key)\n  end\nend\n"
    changed = {"app/services/api_rate_limiter.rb": limiter.replace("    new(key)\n", "    key ? new(key) : nil\n")}
    jobs = ("class HealthCheckJob < ApplicationJob\n  def perform\n    limiter = ApiRateLimiter\n    limiter.limit(1)\n  end\nend\n",
            "class HealthCheckJob < ApplicationJob\n  def initialize(limiter: Api::ApiRateLimiter)\n    @limiter = limiter\n"
            "  end\n\n  def perform\n    @limiter.limit(1)\n  end\nend\n",
            "class HealthCheckJob < ApplicationJob\n  LIMITER = ApiRateLimiter\n\n  def perform\n    @limiter ||= ApiRateLimiter\n"
            "    @limiter.limit(1)\n  end\nend\n")
    for n, job in enumerate(jobs):
        main = {"app/jobs/health_check_job.rb": job, "app/services/api_rate_limiter.rb": limiter}
        found = _dc701(tmp_path / str(n), main, changed)
        assert [(path, line) for path, line, _, _ in found] == [("app/services/api_rate_limiter.rb", 3)], job


@pytest.mark.parametrize("use", [
    "d.Valid = true",                 # a field written (photoprism 7f02d4efdb: `syncDate.Valid = true`)
    "d.Valid++",
    "if d.Valid && d.Count > 0 {\n\t\t\td.Count = 0\n\t\t}",  # an operand of an operator
    "_ = !d.Valid",
    "_ = d.Valid.Time",               # a selector's operand: a function value has no fields
    "_ = Date{Valid: true}",          # a struct literal's key names a field
])
def test_go_a_field_named_like_a_method_is_no_call_of_it(tmp_path, use: str) -> None:
    # A worker's field `Valid` (of a sql.NullTime-like struct) is not the session's method
    # `Valid`: where a function value cannot stand, the name calls nothing.
    worker = ("package sync\n\nfunc Start(d *Date) {\n\tgo func() {\n\t\t" + use + "\n\t}()\n}\n")
    session = "package sync\n\ntype Session struct{ n int }\n\nfunc (s *Session) Valid() bool {\n\treturn s.n > 0\n}\n"
    main = {"go.mod": "module example.com/app\n", "sync/worker.go": worker, "sync/session.go": session}
    changed = {"sync/session.go": session.replace("s.n > 0", "s.n > 1")}
    assert _dc701(tmp_path, main, changed) == []
    # The method called, or handed out as a value, is reached.
    for n, call in enumerate(["ok := d.Valid()", "run(d.Valid)", "ok := !d.Valid()"]):
        calling = {**main, "sync/worker.go": worker.replace(use, call)}
        found = _dc701(tmp_path / str(n), calling, changed)
        assert [(path, line, severity) for path, line, severity, _ in found] == [("sync/session.go", 6, "warning")]


def test_java_a_call_on_a_types_name_is_no_call_of_an_instance_method(tmp_path) -> None:
    # halo a56d1e2586: a reconciler's `ResourceUtils.getURL(path)` (Spring's static helper, under
    # its single-type import) was read as a call of the changed `Supplier#getURL`, an instance
    # method: a call written on a type's name only ever calls a static method.
    job = ("package x;\n\nimport org.springframework.util.ResourceUtils;\n\npublic class Loader {\n"
           "  @Scheduled(fixedRate = 1000)\n  public void load(String path) {\n    ResourceUtils.getURL(path);\n  }\n}\n")
    supplier = ("package x;\n\npublic class Supplier {\n  public String getURL(String request) {\n"
                "    return request;\n  }\n}\n")
    main = {"src/main/java/x/Loader.java": job, "src/main/java/x/Supplier.java": supplier}
    changed = {"src/main/java/x/Supplier.java": supplier.replace("return request;", "return request.trim();")}
    assert _dc701(tmp_path, main, changed) == []
    reached = [("src/main/java/x/Supplier.java", 5, "warning")]
    # Called on an object, it is reached.
    on_object = {**main, "src/main/java/x/Loader.java": job.replace("ResourceUtils.getURL", "supplier.getURL")}
    assert [(p, line, s) for p, line, s, _ in _dc701(tmp_path / "object", on_object, changed)] == reached
    # A name the file also binds to a variable may be the variable (it obscures the type): kept.
    shadowed = {**main, "src/main/java/x/Loader.java": job.replace("String path", "Supplier ResourceUtils")}
    assert [(p, line, s) for p, line, s, _ in _dc701(tmp_path / "shadowed", shadowed, changed)] == reached
    # A static method of that name is what a call on a type's name calls.
    static = supplier.replace("public String getURL", "public static String getURL")
    static_job = {**main, "src/main/java/x/Loader.java": job.replace("ResourceUtils", "Supplier").replace(
        "import org.springframework.util.Supplier;\n", ""), "src/main/java/x/Supplier.java": static}
    changed_static = {"src/main/java/x/Supplier.java": static.replace("return request;", "return request.trim();")}
    assert [(p, line, s) for p, line, s, _ in _dc701(tmp_path / "static", static_job, changed_static)] == reached


def test_java_an_interfaces_default_method_called_through_super_is_reached(tmp_path) -> None:
    # `Iface.super.getURL(p)` is written on an imported type's name but calls the interface's
    # default method on this object: an instance call, which a job's trail goes through.
    job = ("package x;\n\nimport y.Iface;\n\npublic class Loader implements Iface {\n"
           "  @Scheduled(fixedRate = 1000)\n  public void load(String path) {\n    Iface.super.getURL(path);\n  }\n}\n")
    iface = ("package y;\n\npublic interface Iface {\n  default String getURL(String request) {\n"
             "    return request;\n  }\n}\n")
    main = {"src/main/java/x/Loader.java": job, "src/main/java/y/Iface.java": iface}
    changed = {"src/main/java/y/Iface.java": iface.replace("return request;", "return request.trim();")}
    found = _dc701(tmp_path, main, changed)
    assert [(p, line, s) for p, line, s, _ in found] == [("src/main/java/y/Iface.java", 5, "warning")]
    assert "(`Iface.super.getURL(path);`) calls it through `getURL`" in found[0][3]


@pytest.mark.parametrize("header,body", [
    ("public class Loader extends Base", "Supplier.getURL(path);"),        # a superclass's field
    ("public class Loader implements Holder", "Supplier.getURL(path);"),   # an interface's constant
    ("public class Loader", "new Base() {\n      void go() { Supplier.getURL(path); }\n    }.go();"),  # anonymous
])
def test_java_a_field_inherited_from_another_file_obscures_a_types_name(tmp_path, header: str, body: str) -> None:
    # A field named like the imported type, declared by a supertype in another file, is what
    # `Supplier.getURL(path)` names there (a variable obscures a type): an instance call.
    supplier = ("package x;\n\npublic class Supplier {\n  public String getURL(String request) {\n"
                "    return request;\n  }\n}\n")
    job = (f"package z;\n\nimport x.Supplier;\n\n{header} {{\n  @Scheduled(fixedRate = 1000)\n"
           f"  public void load(String path) {{\n    {body}\n  }}\n}}\n")
    main = {"src/main/java/x/Supplier.java": supplier, "src/main/java/z/Loader.java": job,
            "src/main/java/z/Base.java": "package z;\n\nimport x.Supplier;\n\npublic class Base {\n"
                                         "  protected Supplier Supplier = new Supplier();\n}\n",
            "src/main/java/z/Holder.java": "package z;\n\nimport x.Supplier;\n\npublic interface Holder {\n"
                                           "  Supplier Supplier = new Supplier();\n}\n"}
    changed = {"src/main/java/x/Supplier.java": supplier.replace("return request;", "return request.trim();")}
    reached = [("src/main/java/x/Supplier.java", 5, "warning")]
    assert [(p, line, s) for p, line, s, _ in _dc701(tmp_path, main, changed)] == reached
    # No file declares such a field: the call is on the type, static, even in a subtype.
    unnamed = {**main, "src/main/java/z/Base.java": "package z;\n\npublic class Base {\n  protected int n;\n}\n",
               "src/main/java/z/Holder.java": "package z;\n\npublic interface Holder {\n  int N = 1;\n}\n"}
    assert _dc701(tmp_path / "unnamed", unnamed, changed) == []
