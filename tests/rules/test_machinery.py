"""DC701's scope in a job system's own repository (rules/trees/machinery.py), on real git
repositories: the burden of proof holds for the worker machinery (evidence in the changed unit's
tree on either side), other units are `info`, and example programs are read as application code."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse
from deploycheck.rules.trees.machinery import words

QUARTZ_POM = "<project><groupId>org.quartz-scheduler</groupId><artifactId>quartz</artifactId></project>\n"
SIDEKIQ_GEMSPEC = 'Gem::Specification.new do |gem|\n  gem.name = "sidekiq"\nend\n'
BULLMQ_PACKAGE = '{"name": "bullmq", "version": "5.0.0"}\n'
ASYNQ_GO_MOD = "module github.com/hibiken/asynq\n\ngo 1.22\n"


def _dc701(tmp_path: Path, main: dict, branch: dict) -> list[tuple[int, str]]:
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", branch)
    found = analyse(base="main", cwd=str(repo)).scan.active
    return [(f.line, f.severity, f.message) for f in found if f.rule == "DC701"]


JAVA = """package org.quartz.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

public class QuartzScheduler {
    private final Map<String, Object> seen;
    private boolean paused;

    public QuartzScheduler() {
        this.seen = new java.util.HashMap<>();
    }

    private boolean shouldCheckForUpdates() {
        return Boolean.getBoolean("org.quartz.checker.skip");
    }

    public void standby() {
        paused = true;
    }

    public synchronized void halt() {
        seen.clear();
    }

    private String stateSql(String table) {
        return "UPDATE " + table + " SET S = ? WHERE N = ?";
    }

    private java.util.List<Class<?>> allowed() {
        return java.util.List.of(ConcurrentHashMap.class);
    }

    private void tag(String id) {
        org.slf4j.MDC.put("id", id);
    }
}
"""


@pytest.mark.parametrize("old, new, expected", [
    # No thread, lock, SQL, field write or scheduling name on either side: not worker machinery.
    ('"org.quartz.checker.skip"', '"org.quartz.checker.enable"', "info"),
    ("ConcurrentHashMap.class", "java.util.HashMap.class", "info"),  # a class literal names a type only
    ('MDC.put("id", id)', 'MDC.put("job", id)', "info"),  # a static call on a class writes no field
    ("this.seen = new java.util.HashMap<>();", "this.seen = new java.util.TreeMap<>();", "info"),  # constructing
    ("paused = true;", "paused = !paused;", "warning"),  # a field write outside the constructor
    ("seen.clear();", "seen.remove(null);", "warning"),  # `synchronized`
    ('" SET S = ? WHERE N = ?"', '" SET S = ? WHERE N = ? AND V = ?"', "warning"),  # SQL built by concatenation
])
def test_java_worker_machinery_by_evidence_on_either_side(tmp_path, old, new, expected) -> None:
    assert old in JAVA
    path = "src/main/java/org/quartz/core/QuartzScheduler.java"
    found = _dc701(tmp_path, {"pom.xml": QUARTZ_POM, path: JAVA}, {path: JAVA.replace(old, new)})
    assert [severity for _, severity, _ in found] == [expected]
    if expected == "info":
        assert found[0][2].endswith(
            "so it is not read as worker machinery (the code that fetches, runs, retries, locks or schedules "
            "jobs): context, no checklist answer needed for it.")
    else:
        # The message says what "worker machinery" is and why this unit is some, in words a
        # reader who never saw the rule follows (a new-user trial read "Worker machinery of the
        # job system: the name `x`" as a riddle).
        evidence = {"paused = true;": "a write to `paused`",
                    "seen.clear();": "`seen.remove` changes a field",
                    '" SET S = ? WHERE N = ?"': "the name `stateSql` (the word `state` is in deploycheck's "
                                                "scheduling, retry and locking vocabulary)"}[old]
        assert found[0][2].endswith(
            " It is read as worker machinery of the job system (the code that fetches, runs, retries, locks or "
            f"schedules jobs); the evidence: {evidence}.")


def test_evidence_on_the_base_side_alone_keeps_the_burden(tmp_path) -> None:
    # The branch removes the `synchronized`: the head has no evidence, the base has.
    code = "package org.quartz;\n\npublic class Board {\n    public synchronized int size(int n) {\n        return n;\n    }\n}\n"
    path = "src/main/java/org/quartz/Board.java"
    found = _dc701(tmp_path, {"pom.xml": QUARTZ_POM, path: code},
                   {path: code.replace("public synchronized int size", "public int size")})
    assert [severity for _, severity, _ in found] == ["warning"]
    assert "`synchronized`" in found[0][2]


def test_a_pure_computation_of_a_schedule_class_is_machinery(tmp_path) -> None:
    # A cron computation writes nothing and locks nothing, yet decides when jobs run.
    code = "package org.quartz;\n\npublic class CronExpression {\n    int next(int s) {\n        return s + 1;\n    }\n}\n"
    path = "src/main/java/org/quartz/CronExpression.java"
    found = _dc701(tmp_path, {"pom.xml": QUARTZ_POM, path: code}, {path: code.replace("s + 1", "s + 2")})
    assert [(line, severity) for line, severity, _ in found] == [(5, "warning")]
    assert "CronExpression" in found[0][2]


def test_examples_of_a_job_system_are_read_as_application_code(tmp_path) -> None:
    path = "examples/src/main/java/org/quartz/examples/Hello.java"
    code = "package x;\n\npublic class Hello {\n    private int runs;\n    void go() {\n        runs = 1;\n    }\n}\n"
    found = _dc701(tmp_path, {"pom.xml": QUARTZ_POM, path: code}, {path: code.replace("runs = 1", "runs = 2")})
    assert found == []  # no background region in it: an application's plain code


def test_a_file_the_branch_adds_to_examples_stays_the_job_systems(tmp_path) -> None:
    # A folder name must not be a way around the rule: code added there is still the job system's.
    path = "examples/src/main/java/org/quartz/Pool.java"
    code = "package x;\n\npublic class Pool {\n    private int runs;\n    void go() {\n        runs = 1;\n    }\n}\n"
    found = _dc701(tmp_path, {"pom.xml": QUARTZ_POM}, {path: code})
    assert "warning" in [severity for _, severity, _ in found]


RUBY = """module Sidekiq
  class Config
    def initialize
      @count = 0
    end

    def label(name)
      "label:" + name
    end

    def queue_label(name)
      "queue:" + name
    end

    def bump
      @count += 1
    end

    def self.attr(name)
      define_method(name) { 1 }
    end
  end
end
"""


@pytest.mark.parametrize("old, new, expected", [
    ('"queue:" + name', '"queue:" + name.to_s', "warning"),  # the name `queue_label`
    ('"label:" + name', '"label:" + name.to_s', "info"),  # a pure helper
    ("@count = 0", "@count = 1", "info"),  # initialize: nobody else sees the object yet
    ("@count += 1", "@count += 2", "warning"),  # an instance variable outlives the call
    ("define_method(name) { 1 }", "define_method(name) { 2 }", "warning"),  # the class is shared state
])
def test_ruby_worker_machinery(tmp_path, old, new, expected) -> None:
    path = "lib/sidekiq/config.rb"
    found = _dc701(tmp_path, {"sidekiq.gemspec": SIDEKIQ_GEMSPEC, path: RUBY}, {path: RUBY.replace(old, new)})
    assert [severity for _, severity, _ in found] == [expected]


TS = """export class Scheduler {
  private running = false;

  constructor(private name: string) {
    this.running = false;
  }

  title(): string {
    return `scheduler ${this.name}`;
  }

  halt(): void {
    this.running = false;
  }
}
"""


@pytest.mark.parametrize("old, new, expected", [
    ("`scheduler ${this.name}`", "`scheduler: ${this.name}`", "info"),
    ("    this.running = false;\n  }\n\n  title", "    this.running = true;\n  }\n\n  title", "info"),  # constructor
    ("    this.running = false;\n  }\n}", "    this.running = true;\n  }\n}", "warning"),  # a field write
])
def test_typescript_worker_machinery(tmp_path, old, new, expected) -> None:
    assert old in TS
    path = "src/classes/scheduler.ts"
    found = _dc701(tmp_path, {"package.json": BULLMQ_PACKAGE, path: TS}, {path: TS.replace(old, new)})
    assert [severity for _, severity, _ in found] == [expected]


GO = """package asynq

var total int

func describe(name string) string {
	return "task " + name
}

func (s *Server) drain(ch chan int) int {
	return <-ch
}
"""


@pytest.mark.parametrize("old, new, expected", [
    ('"task " + name', '"task: " + name', "info"),
    ("return <-ch", "v := <-ch\n\treturn v + 0", "warning"),  # a channel receive
    ('return "task " + name', 'total = 1\n\treturn "task " + name', "warning"),  # a package variable written
    ('return "task " + name', 'n := 1\n\treturn "task " + name[n:]', "info"),  # a local is no shared state
])
def test_go_worker_machinery(tmp_path, old, new, expected) -> None:
    found = _dc701(tmp_path, {"go.mod": ASYNQ_GO_MOD, "server.go": GO}, {"server.go": GO.replace(old, new)})
    assert [severity for _, severity, _ in found] == [expected]


def test_application_code_keeps_its_regions_policy(tmp_path) -> None:
    # Outside a job system's repository the scope is the background regions, as before: a
    # Runnable's body is flagged although it writes nothing and names no scheduling word.
    code = ("package shop;\n\npublic class Mail implements Runnable {\n    public void run() {\n"
            "        int n = \"a\".length();\n    }\n}\n")
    path = "src/main/java/shop/Mail.java"
    found = _dc701(tmp_path, {"pom.xml": "<project><artifactId>shop</artifactId></project>\n", path: code},
                   {path: code.replace('"a".length()', '"ab".length()')})
    assert [severity for _, severity, _ in found] == ["warning"]


def test_words_split_names_the_way_they_are_written() -> None:
    assert words("lockAtMostFor") == ["lock", "at", "most", "for"]
    assert words("MAX_RETRIES") == ["max", "retries"]
    assert words("HTTPRetryPolicy") == ["http", "retry", "policy"]
    assert words("IllegalStateException") == ["illegal", "state", "exception"]


def test_a_typescript_type_declaration_runs_nothing(tmp_path) -> None:
    # Type aliases and interfaces are erased by the compiler: even in the worker's own types file.
    code = ("export type Processor<T = any> = (job: T) => Promise<void>;\n\n"
            "export interface WorkerOptions {\n  concurrency: number;\n}\n\n"
            "export enum Priority {\n  High = 1,\n}\n")
    changed = (code.replace("Processor<T = any>", "Processor<T = any, R = void>").replace("Promise<void>", "Promise<R>")
               .replace("concurrency: number;", "concurrency?: number;").replace("High = 1", "High = 2"))
    found = _dc701(tmp_path, {"package.json": BULLMQ_PACKAGE, "src/types.ts": code}, {"src/types.ts": changed})
    assert [(line, severity) for line, severity, _ in found] == [(1, "info"), (4, "info"), (8, "warning")]
    assert "compiler erases it" in found[0][2]


GO_IMPORTS = 'package asynq\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc name() string {\n\treturn fmt.Sprint(time.Second)\n}\n'


def test_go_imports_reordered_run_nothing_but_a_new_import_is_code(tmp_path) -> None:
    # Since Go 1.21 packages initialise in import-path order: the same imports reordered change
    # nothing; a different set may run another package's init().
    reordered = GO_IMPORTS.replace('\t"fmt"\n\t"time"\n', '\t"time"\n\n\t"fmt"\n')
    assert _dc701(tmp_path / "a", {"go.mod": ASYNQ_GO_MOD, "x.go": GO_IMPORTS}, {"x.go": reordered}) == []
    added = GO_IMPORTS.replace('\t"time"\n', '\t"time"\n\t_ "net/http/pprof"\n')
    found = _dc701(tmp_path / "b", {"go.mod": ASYNQ_GO_MOD, "x.go": GO_IMPORTS}, {"x.go": added})
    assert [(line, severity) for line, severity, _ in found] == [(6, "warning")]


SOLID_QUEUE_GEMSPEC = 'Gem::Specification.new do |spec|\n  spec.name = "solid_queue"\nend\n'


def test_the_job_systems_own_name_is_no_evidence(tmp_path) -> None:
    # Every file of solid_queue sits in `module SolidQueue`: "queue" there says nothing.
    code = "module SolidQueue\n  class Deprecator\n    def note(text)\n      text.upcase\n    end\n  end\nend\n"
    path = "lib/solid_queue/deprecator.rb"
    found = _dc701(tmp_path, {"solid_queue.gemspec": SOLID_QUEUE_GEMSPEC, path: code},
                   {path: code.replace("text.upcase", "text.downcase")})
    assert [severity for _, severity, _ in found] == ["info"]


def test_word_stems_and_ruby_column_symbols_count(tmp_path) -> None:
    # `claimable` is a claim; `locked: false` names a lock column the query now filters on.
    code = ("module SolidQueue\n  class Job\n    scope :claimable, -> { where(finished_at: nil) }\n"
            "    scope :listed, -> { where(finished_at: nil) }\n  end\nend\n")
    path = "app/models/solid_queue/job.rb"
    main = {"solid_queue.gemspec": SOLID_QUEUE_GEMSPEC, path: code}
    found = _dc701(tmp_path / "a", main, {path: code.replace("where(finished_at: nil) }\n    scope :listed",
                                                             "where(finished_at: nil, id: 1) }\n    scope :listed")})
    assert [severity for _, severity, _ in found] == ["warning"]
    changed = code.replace("scope :listed, -> { where(finished_at: nil) }", "scope :listed, -> { where(locked: false) }")
    found = _dc701(tmp_path / "b", main, {path: changed})
    assert [severity for _, severity, _ in found] == ["warning"]


def test_a_terminal_ui_serves_people_like_the_web_ui(tmp_path) -> None:
    code = "module Sidekiq\n  class Tab\n    def retries_title\n      'Retries'\n    end\n  end\nend\n"
    path = "lib/sidekiq/tui/tab.rb"
    found = _dc701(tmp_path, {"sidekiq.gemspec": SIDEKIQ_GEMSPEC, path: code}, {path: code.replace("'Retries'", "'Retry'")})
    assert found == []


@pytest.mark.parametrize("path, ui", [
    ("lib/sidekiq/tui.rb", True), ("lib/resque/web_runner.rb", True), ("lib/sidekiq/web.rb", True),
    ("lib/sidekiq/webhooks.rb", False), ("lib/sidekiq/tuning.rb", False),
])
def test_a_file_that_is_a_ui_on_its_own_serves_people(tmp_path, path: str, ui: bool) -> None:
    # The same field write is machinery evidence anywhere else in the job system's code.
    code = "module Sidekiq\n  class Screen\n    def style(s)\n      @style = s\n    end\n  end\nend\n"
    found = _dc701(tmp_path, {"sidekiq.gemspec": SIDEKIQ_GEMSPEC, path: code}, {path: code.replace("= s", "= s.to_s")})
    assert [severity for _, severity, _ in found] == ([] if ui else ["warning"])


def test_a_ui_file_the_branch_adds_is_still_the_job_systems_code(tmp_path) -> None:
    # A file name must not be a way around the rule: only a UI file the base already had is UI.
    code = "module Sidekiq\n  class Screen\n    def style(s)\n      @style = s\n    end\n  end\nend\n"
    found = _dc701(tmp_path, {"sidekiq.gemspec": SIDEKIQ_GEMSPEC}, {"lib/sidekiq/tui.rb": code})
    assert "warning" in [severity for _, severity, _ in found]


def test_code_replaced_by_a_comment_is_judged_on_the_base(tmp_path) -> None:
    # A hunk that removes a statement and adds only a comment has no head code to judge: the
    # removal itself is the change (it used to read as a comment-only change, `info`).
    code = ("package org.quartz;\n\npublic class Retrier {\n    private final java.util.Queue<Object> failed = "
            "new java.util.ArrayDeque<>();\n\n    void onFailure(Object r) {\n        failed.add(r);\n    }\n}\n")
    path = "src/main/java/org/quartz/Retrier.java"
    changed = code.replace("        failed.add(r);\n", "        // the seek redelivers it: no re-queue\n")
    found = _dc701(tmp_path, {"pom.xml": QUARTZ_POM, path: code}, {path: changed})
    assert ("warning", 7) in [(severity, line) for line, severity, _ in found if "removed lines" in _]


def test_a_job_librarys_job_filters_run_in_its_workers(tmp_path) -> None:
    # `filters/` is a dashboard folder only in a Rails engine's `app/filters/`.
    code = ("package org.jobrunr.jobs.filters;\n\npublic class RetryFilter {\n    int retries(int n) {\n"
            "        return n;\n    }\n}\n")
    path = "core/src/main/java/org/jobrunr/jobs/filters/RetryFilter.java"
    pom = "<project><artifactId>jobrunr</artifactId></project>\n"
    found = _dc701(tmp_path, {"pom.xml": pom, path: code}, {path: code.replace("return n;", "return n + 1;")})
    assert [severity for _, severity, _ in found] == ["warning"]


def test_go_named_imports_show_where_they_are_used(tmp_path) -> None:
    # The compiler makes a file use every named import: the use is judged in its unit.
    added = GO_IMPORTS.replace('\t"time"\n', '\t"time"\n\t"strings"\n').replace(
        "fmt.Sprint(time.Second)", "strings.ToLower(fmt.Sprint(time.Second))")
    found = _dc701(tmp_path, {"go.mod": ASYNQ_GO_MOD, "x.go": GO_IMPORTS}, {"x.go": added})
    assert [(line, severity) for line, severity, _ in found] == [(10, "info")]  # `name`; no import finding


TS_IMPORTS = "import { a } from './a';\nimport { b } from \"./b\";\n\nexport function run(): number {\n  return a + b;\n}\n"


@pytest.mark.parametrize("head, expected", [
    # Same modules loaded in the same order: only the names bound changed, shown where used.
    ("import { a, c } from './a';\nimport { b } from './b';\n", []),
    # `import type` is erased by the compiler.
    ("import { a } from './a';\nimport { b } from \"./b\";\nimport type { Q } from './queue';\n", []),
    # A module loaded for the first time runs its top level; another order runs them in another order.
    ("import { a } from './a';\nimport { b } from \"./b\";\nimport './register';\n", ["warning"]),
    ("import { b } from \"./b\";\nimport { a } from './a';\n", ["warning", "warning"]),
])
def test_typescript_imports_run_the_modules_they_load(tmp_path, head, expected) -> None:
    changed = head + TS_IMPORTS.split("\n\n", 1)[1].join(["\n", ""])
    found = _dc701(tmp_path, {"package.json": BULLMQ_PACKAGE, "src/run.ts": TS_IMPORTS}, {"src/run.ts": changed})
    assert [severity for _, severity, _ in found if severity == "warning"] == expected


def test_ruby_requires_in_the_same_order_run_nothing_new(tmp_path) -> None:
    code = "require 'json'\nrequire_relative 'fetch'\n\nmodule Sidekiq\nend\n"
    path = "lib/sidekiq/boot.rb"
    main = {"sidekiq.gemspec": SIDEKIQ_GEMSPEC, path: code}
    assert _dc701(tmp_path / "a", main, {path: code.replace("require 'json'", 'require "json"')}) == []
    found = _dc701(tmp_path / "b", main, {path: code.replace("require 'json'\n", "require 'json'\nrequire 'oj'\n")})
    assert [severity for _, severity, _ in found] == ["warning"]


def test_a_helper_that_machinery_of_its_file_uses_is_machinery(tmp_path) -> None:
    # A neutral helper of a synchronized method decides what the lock protects; one nothing uses
    # in the file is judged on its own.
    code = ("package org.quartz;\n\npublic class Board {\n    public synchronized int take() {\n        return choose();\n"
            "    }\n\n    private int choose() {\n        return 1;\n    }\n\n    private int other() {\n        return 1;\n    }\n}\n")
    path = "src/main/java/org/quartz/Board.java"
    main = {"pom.xml": QUARTZ_POM, path: code}
    found = _dc701(tmp_path / "a", main, {path: code.replace("        return 1;\n    }\n\n    private int other",
                                                             "        return 2;\n    }\n\n    private int other")})
    assert [(line, severity) for line, severity, _ in found] == [(9, "warning")]
    assert "`take(0)` of the same file, which is machinery, uses it" in found[0][2]
    found = _dc701(tmp_path / "b", main, {path: code.replace("        return 1;\n    }\n}", "        return 2;\n    }\n}")})
    assert [(line, severity) for line, severity, _ in found] == [(13, "info")]


# Red team 4: changes to how workers share state, lock or wait that read as `info` before.
RUBY_BAG = "module Sidekiq\n  class Bag\n    HANDLERS = {}\n\n    def take(x)\n      {}\n    end\n  end\nend\n"
GO_BOARD = "package asynq\n\nfunc (s *Server) take(id string, f func()) {\n\tprintln(id)\n}\n"
JS_BOARD = "export class Board {\n  take(id, key, value) {\n    return id;\n  }\n}\n"
JAVA_BOARD = ("package org.quartz;\n\npublic class Board {\n    private final Object[] slots = new Object[8];\n"
              "    private final java.util.List<Object> done = new java.util.ArrayList<>();\n\n"
              "    public void take(int i) {\n        int k = i;\n    }\n}\n")


@pytest.mark.parametrize("files, path, body", [
    ({"sidekiq.gemspec": SIDEKIQ_GEMSPEC}, "lib/sidekiq/bag.rb", "@mu.synchronize { x }"),  # Ruby's lock
    ({"sidekiq.gemspec": SIDEKIQ_GEMSPEC}, "lib/sidekiq/bag.rb", "@items.shift"),
    ({"sidekiq.gemspec": SIDEKIQ_GEMSPEC}, "lib/sidekiq/bag.rb", "@items << x"),
    ({"sidekiq.gemspec": SIDEKIQ_GEMSPEC}, "lib/sidekiq/bag.rb", "@items.uniq!"),
    ({"sidekiq.gemspec": SIDEKIQ_GEMSPEC}, "lib/sidekiq/bag.rb", "HANDLERS[x] = 1"),  # a constant's hash
    ({"sidekiq.gemspec": SIDEKIQ_GEMSPEC}, "lib/sidekiq/bag.rb", "items = @items\n      items << x"),  # an alias
    ({"go.mod": ASYNQ_GO_MOD}, "server.go", "s.open.Store(false)"),  # Go's capitalised mutators
    ({"go.mod": ASYNQ_GO_MOD}, "server.go", "s.wg.Done()"),
    ({"go.mod": ASYNQ_GO_MOD}, "server.go", "delete(s.pending, id)"),
    ({"go.mod": ASYNQ_GO_MOD}, "server.go", "close(s.done)"),
    ({"go.mod": ASYNQ_GO_MOD}, "server.go", "time.AfterFunc(time.Second, f)"),
    ({"go.mod": ASYNQ_GO_MOD}, "server.go", "m := s.pending\n\tm[id] = 1"),  # an alias of a field
    ({"go.mod": ASYNQ_GO_MOD}, "server.go", "s.mu.RLock()\n\tdefer s.mu.RUnlock()"),  # Go's capitalised lock calls
    ({"go.mod": ASYNQ_GO_MOD}, "server.go", "s.Lock()"),
    ({"go.mod": ASYNQ_GO_MOD}, "server.go", "defer func() { _ = recover() }()"),  # a goroutine's panic kept
    ({"package.json": BULLMQ_PACKAGE}, "src/board.js", "delete this.active[id];"),
    ({"package.json": BULLMQ_PACKAGE}, "src/board.js", "this[key] = value;"),
    ({"package.json": BULLMQ_PACKAGE}, "src/board.js", "setImmediate(() => value(id));"),
    ({"package.json": BULLMQ_PACKAGE}, "src/board.js", "process.nextTick(value, id);"),
    ({"package.json": BULLMQ_PACKAGE}, "src/board.js", "const { active } = this;\n    active.push(id);"),
    ({"package.json": BULLMQ_PACKAGE}, "src/board.js", "Promise.all([value(), key()]);"),
    ({"pom.xml": QUARTZ_POM}, "src/main/java/org/quartz/Board.java", "slots[i] = null;"),  # an array element
    ({"pom.xml": QUARTZ_POM}, "src/main/java/org/quartz/Board.java", "java.util.List<Object> l = this.done;\n        l.add(i);"),
])
def test_mutations_and_concurrency_calls_of_every_language_are_evidence(tmp_path, files, path, body) -> None:
    code = {"lib/sidekiq/bag.rb": RUBY_BAG, "server.go": GO_BOARD, "src/board.js": JS_BOARD,
            "src/main/java/org/quartz/Board.java": JAVA_BOARD}[path]
    plain = {"lib/sidekiq/bag.rb": "      {}\n", "server.go": "\tprintln(id)\n", "src/board.js": "    return id;\n",
             "src/main/java/org/quartz/Board.java": "        int k = i;\n"}[path]
    indent = plain[: len(plain) - len(plain.lstrip())]
    found = _dc701(tmp_path, {**files, path: code}, {path: code.replace(plain, indent + body + "\n")})
    assert [severity for _, severity, _ in found] == ["warning"]


@pytest.mark.parametrize("body", [
    'name := s.name\n\tname = strings.TrimSpace(name)\n\tprintln(name)',  # a local rebound, no field written
    'v := strings.ReplaceAll(id, "-", "")\n\tprintln(v)',  # a package's function, not a field's method
])
def test_go_a_local_rebound_or_a_package_function_is_no_field_write(tmp_path, body: str) -> None:
    code = GO_BOARD.replace("package asynq\n", 'package asynq\n\nimport "strings"\n')
    found = _dc701(tmp_path, {"go.mod": ASYNQ_GO_MOD, "server.go": code},
                   {"server.go": code.replace("\tprintln(id)\n", "\t" + body + "\n")})
    assert [severity for _, severity, _ in found] == ["info"]


def test_a_blank_identifier_or_a_method_local_object_is_no_field(tmp_path) -> None:
    found = _dc701(tmp_path, {"go.mod": ASYNQ_GO_MOD, "server.go": GO_BOARD},
                   {"server.go": GO_BOARD.replace("\tprintln(id)\n", "\t_ = id\n")})
    assert [severity for _, severity, _ in found] == ["info"]


def test_a_changed_call_of_same_file_machinery_is_machinery(tmp_path) -> None:
    # `mark` writes a field; `handle` calling it once more changes what workers share, while a
    # change in `handle` that calls it as before is judged on its own.
    code = ("package org.quartz;\n\npublic class Desk {\n    private int marks;\n\n    private void mark() {\n"
            "        marks++;\n    }\n\n    public int handle(int o) {\n        mark();\n        return o;\n    }\n}\n")
    path = "src/main/java/org/quartz/Desk.java"
    main = {"pom.xml": QUARTZ_POM, path: code}
    found = _dc701(tmp_path / "a", main, {path: code.replace("        mark();\n", "        mark();\n        mark();\n")})
    assert [severity for _, severity, _ in found] == ["warning"]
    assert "its uses of `mark`" in found[0][2]
    found = _dc701(tmp_path / "b", main, {path: code.replace("return o;", "return o + 1;")})
    assert [severity for _, severity, _ in found] == ["info"]


def test_an_await_added_or_removed_is_machinery(tmp_path) -> None:
    code = "export async function close(flush: () => Promise<void>): Promise<number> {\n  await flush();\n  return 1;\n}\n"
    main = {"package.json": BULLMQ_PACKAGE, "src/close.ts": code}
    found = _dc701(tmp_path / "a", main, {"src/close.ts": code.replace("  await flush();", "  flush();")})
    assert [severity for _, severity, _ in found] == ["warning"]
    found = _dc701(tmp_path / "b", main, {"src/close.ts": code.replace("return 1;", "return 2;")})
    assert [severity for _, severity, _ in found] == ["info"]


def test_imports_that_rebind_a_name_unchanged_code_uses_are_code(tmp_path) -> None:
    # Same modules in the same order, but the name `go` (JS) or `backoff` (Go) that unchanged
    # lines call is bound to another export or package.
    js = "import { serial as go } from './runner';\n\nexport function drain(jobs) {\n  return go(jobs);\n}\n"
    found = _dc701(tmp_path / "a", {"package.json": BULLMQ_PACKAGE, "src/drain.js": js},
                   {"src/drain.js": js.replace("serial as go", "parallel as go")})
    assert [(line, severity) for line, severity, _ in found] == [(1, "warning")]
    go = ('package asynq\n\nimport (\n\t"time"\n\n\t"github.com/hibiken/asynq/internal/backoff"\n)\n\n'
          "func wait(n int) time.Duration {\n\treturn backoff.Next(n)\n}\n")
    found = _dc701(tmp_path / "b", {"go.mod": ASYNQ_GO_MOD, "retry.go": go},
                   {"retry.go": go.replace("internal/backoff", "internal/fastbackoff")})
    assert [(line, severity) for line, severity, _ in found] == [(6, "warning")]


def test_code_on_the_line_of_a_typescript_interface_is_judged(tmp_path) -> None:
    code = "import { boot } from './boot';\n\nexport interface Opts { n: number }\n"
    found = _dc701(tmp_path, {"package.json": BULLMQ_PACKAGE, "src/opts.ts": code},
                   {"src/opts.ts": code.replace("number }\n", "number } boot(50);\n")})
    assert [(line, severity) for line, severity, _ in found] == [(3, "warning")]
