"""The tree rules (rules/trees) on real git repositories: job systems recognised from the base's
manifest, the proof of an unchanged behaviour, Redis scripts, and fail-closed parsing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse
from deploycheck.rules import TREE_EXTENSIONS
from deploycheck.rules.trees.langs import EXTENSIONS
from deploycheck.rules.trees.manifest import matches

ASYNQ_GO_MOD = "module github.com/hibiken/asynq\n\ngo 1.22\n"
PROCESSOR = """package asynq

import "time"

func (p *processor) backoff(n int) time.Duration {
	return time.Duration(n) * time.Second
}
"""


def _findings(tmp_path: Path, main: dict, branch: dict, rule: str | None = None) -> list:
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", branch)
    found = analyse(base="main", cwd=str(repo)).scan.active
    return [f for f in found if rule is None or f.rule == rule]


def test_tree_extensions_agree_with_the_registry_gate() -> None:
    assert set(TREE_EXTENSIONS) == set(EXTENSIONS)


def test_job_system_names() -> None:
    assert [matches(n) for n in ("sidekiq", "spring-kafka-dist", "agenda-monorepo", "github.com/RichardKnop/machinery/v2",
                                 "quartz-scheduler", "github.com/riverqueue/river", "bullmq-pro", "cron-parser",
                                 "my-app", "amqp-connection-manager")] == [
        "sidekiq", "spring-kafka", "agenda", "github.com/richardknop/machinery", "quartz", "github.com/riverqueue/river",
        "bullmq", None, None, "amqp-connection-manager"]


def test_job_system_source_change_is_flagged(tmp_path) -> None:
    changed = PROCESSOR.replace("time.Duration(n) * time.Second", "time.Duration(n) * time.Second / 2")
    findings = _findings(tmp_path, {"go.mod": ASYNQ_GO_MOD, "processor.go": PROCESSOR}, {"processor.go": changed}, "DC701")
    assert [(f.rule, f.line, f.severity) for f in findings] == [("DC701", 6, "warning")]
    assert "job system" in findings[0].message and "processor.backoff" in findings[0].message


def test_same_change_outside_a_job_system_has_no_finding(tmp_path) -> None:
    changed = PROCESSOR.replace("time.Duration(n) * time.Second", "time.Duration(n) * time.Second / 2")
    findings = _findings(tmp_path, {"go.mod": "module example.com/shop\n", "processor.go": PROCESSOR},
                         {"processor.go": changed}, "DC701")
    assert findings == []


def test_job_system_tests_have_no_finding(tmp_path) -> None:
    test_file = "package asynq\n\nfunc helper() int { return 1 }\n"
    findings = _findings(tmp_path, {"go.mod": ASYNQ_GO_MOD, "processor_test.go": test_file},
                         {"processor_test.go": test_file.replace("1", "2")})
    assert findings == []


def test_the_branch_cannot_rename_its_way_out_of_the_job_system(tmp_path) -> None:
    # The manifest is read on the base: renaming the module on the branch changes nothing.
    changed = PROCESSOR.replace("time.Second", "time.Millisecond")
    findings = _findings(tmp_path, {"go.mod": ASYNQ_GO_MOD, "processor.go": PROCESSOR},
                         {"go.mod": "module example.com/other\n", "processor.go": changed}, "DC701")
    assert [f.severity for f in findings] == ["warning"]


def test_comment_and_logging_only_change_is_info_and_says_so(tmp_path) -> None:
    changed = PROCESSOR.replace("\treturn time.Duration", "\t// backoff grows linearly\n\tlog.Printf(\"backoff %d\", n)\n\treturn time.Duration")
    findings = _findings(tmp_path, {"go.mod": ASYNQ_GO_MOD, "processor.go": PROCESSOR}, {"processor.go": changed}, "DC701")
    assert [(f.rule, f.severity) for f in findings] == [("DC701", "info")]
    assert "logging calls" in findings[0].message


def test_gemspec_names_a_ruby_job_system(tmp_path) -> None:
    gemspec = 'Gem::Specification.new do |gem|\n  gem.name = "sidekiq"\nend\n'
    base = "module Sidekiq\n  class Fetcher\n    def fetch\n      1\n    end\n  end\nend\n"
    findings = _findings(tmp_path, {"sidekiq.gemspec": gemspec, "lib/sidekiq/fetch.rb": base},
                         {"lib/sidekiq/fetch.rb": base.replace("      1", "      2")}, "DC701")
    assert [(f.line, f.severity) for f in findings] == [(4, "warning")]
    assert "`Sidekiq::Fetcher#fetch`" in findings[0].message  # Ruby's name for an instance method


def test_job_system_web_ui_has_no_finding(tmp_path) -> None:
    gemspec = 'Gem::Specification.new do |gem|\n  gem.name = "sidekiq"\nend\n'
    base = "module Sidekiq\n  class WebApp\n    def title\n      'a'\n    end\n  end\nend\n"
    findings = _findings(tmp_path, {"sidekiq.gemspec": gemspec, "lib/sidekiq/web/app.rb": base},
                         {"lib/sidekiq/web/app.rb": base.replace("'a'", "'b'")})
    assert findings == []


def test_typescript_type_only_change_is_info(tmp_path) -> None:
    package = json.dumps({"name": "bullmq", "version": "5.0.0"})
    base = "export function id(job: Job): string {\n  return job.id as string;\n}\n"
    head = "export function id(job: Job | null): string {\n  return job!.id as unknown as string;\n}\n"
    findings = _findings(tmp_path, {"package.json": package, "src/job.ts": base}, {"src/job.ts": head}, "DC701")
    assert [(f.severity, "type annotations" in f.message) for f in findings] == [("info", True)]


def test_lua_script_change_names_the_redis_commands(tmp_path) -> None:
    base = 'local rcall = redis.call\nif rcall("GET", KEYS[1]) == ARGV[1] then\n  return rcall("DEL", KEYS[1])\nend\nreturn 0\n'
    head = 'local rcall = redis.call\nreturn rcall("DEL", KEYS[1])\n'
    findings = _findings(tmp_path, {"src/commands/release.lua": base}, {"src/commands/release.lua": head}, "DC702")
    assert [(f.rule, f.line, f.severity) for f in findings] == [("DC702", 2, "warning")]
    assert "changed lines call DEL" in findings[0].message and "GET" not in findings[0].message.split(";")[0]
    assert "locks" not in findings[0].message.lower() or "lock" in head.lower()


def test_lua_comment_only_change_is_info(tmp_path) -> None:
    base = 'return redis.call("DEL", KEYS[1])\n'
    head = '-- deletes the key\nreturn redis.call("DEL", KEYS[1])\n'
    findings = _findings(tmp_path, {"s.lua": base}, {"s.lua": head}, "DC702")
    assert [f.severity for f in findings] == ["info"]


def test_a_huge_one_line_bundle_is_reported_not_parsed(tmp_path) -> None:
    # 9 MB on one line in a job system's repository: never parsed whole, reported as not analysed.
    package = json.dumps({"name": "bullmq"})
    bundle = "var a=" + "1+" * 4_500_000 + "1;\n"
    repo = make_repo(tmp_path / "repo", {"package.json": package, "dist2/worker.js": "var a=1;\n"})
    make_branch(repo, "work", {"dist2/worker.js": bundle})
    script = (
        "import json, resource, sys\n"
        "from deploycheck.analysis.pipeline import analyse\n"
        f"found = analyse(base='main', cwd={str(repo)!r}).scan.active\n"
        "print(json.dumps({'rules': [(f.rule, f.severity) for f in found if f.rule == 'DC703'],"
        " 'tree_sitter': 'tree_sitter' in sys.modules,"
        " 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))\n"
    )
    out = json.loads(subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout)
    assert out["rules"] == [["DC703", "high"]]
    assert out["rss_mb"] < 400, out


def test_over_the_parse_limit_is_reported(tmp_path) -> None:
    package = json.dumps({"name": "bullmq"})
    big = "var a = [" + "1," * 600_000 + "1];\n"  # 1.2 MB: read by the scan, over the parse limit
    findings = _findings(tmp_path, {"package.json": package, "lib/x.js": "var a = 1;\n"}, {"lib/x.js": big}, "DC703")
    assert [(f.severity, "parse limit" in f.message) for f in findings] == [("high", True)]


def test_no_tree_sitter_for_a_change_without_job_code(tmp_path) -> None:
    # The hook's budget: a plain TypeScript change in an ordinary repository loads no grammar.
    repo = make_repo(tmp_path / "repo", {"package.json": json.dumps({"name": "shop"}), "src/a.ts": "export const a = 1;\n",
                                         "README.md": "x\n"})
    make_branch(repo, "work", {"src/a.ts": "export const a = 2;\n", "README.md": "y\n"})
    script = (
        "import sys\n"
        "from deploycheck.analysis.pipeline import analyse\n"
        f"found = analyse(base='main', cwd={str(repo)!r}).scan.active\n"
        "print(len(found), 'tree_sitter' in sys.modules, 'deploycheck.rules.trees.detect' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout.split()
    assert out == ["0", "False", "False"]


def test_gate_hints_agree_with_the_detectors() -> None:
    from deploycheck.rules import trees
    from deploycheck.rules.trees import hazards

    assert trees._PRIMITIVE_HINTS == hazards.HINTS
    assert trees.keywords._RUBY_PRIMITIVE_HINTS == hazards.RUBY_HINTS


def test_concurrent_map_to_hash_map_is_high_also_when_another_field_gains_one(tmp_path) -> None:
    base = ("class Registry {\n    private final Map<String, Job> jobs = new ConcurrentHashMap<>();\n"
            "    private final Map<String, Job> names = new HashMap<>();\n}\n")
    weakened = base.replace("new ConcurrentHashMap<>()", "new HashMap<>()")
    found = _findings(tmp_path / "a", {"src/main/java/Registry.java": base}, {"src/main/java/Registry.java": weakened}, "DC704")
    assert [(f.line, f.severity) for f in found] == [(2, "high")]
    assert "`ConcurrentHashMap`" in found[0].message
    swapped = base.replace("new ConcurrentHashMap<>()", "new HashMap<>()").replace(
        "names = new HashMap<>()", "names = new ConcurrentHashMap<>()")
    # Given to another field both sides hold: the file has as many as before, but `jobs` is a plain
    # map now, whatever `names` became (session 24; a red-team case moved `synchronized` from the
    # writer to the reader). Moved into a unit new on the head (a helper extracted) is not reported.
    moved = _findings(tmp_path / "b", {"src/main/java/Registry.java": base},
                      {"src/main/java/Registry.java": swapped}, "DC704")
    assert [(f.line, f.severity) for f in moved] == [(2, "high")]
    assert "which `Registry::names` gained instead" in moved[0].message
    extracted = base.replace("    private final Map<String, Job> jobs = new ConcurrentHashMap<>();\n",
                             "    private final Map<String, Job> jobs = newJobs();\n"
                             "    private static Map<String, Job> newJobs() { return new ConcurrentHashMap<>(); }\n")
    assert _findings(tmp_path / "c", {"src/main/java/Registry.java": base},
                     {"src/main/java/Registry.java": extracted}, "DC704") == []


def test_check_then_save_of_a_new_record_is_reported_at_the_save(tmp_path) -> None:
    job = ("class SubscribeJob\n  include Sidekiq::Job\n  def perform(id)\n"
           "    existing = Subscription.find_by(user_id: id)\n    return if existing\n"
           "    sub = Subscription.new(user_id: id)\n    sub.save!\n  end\nend\n")
    found = _findings(tmp_path, {"README.md": "x\n"}, {"app/jobs/subscribe_job.rb": job}, "DC705")
    assert [(f.line, f.severity) for f in found] == [(7, "warning")]
    assert "Subscription.find_by" in found[0].message


def test_an_update_of_a_read_row_is_not_check_then_create(tmp_path) -> None:
    job = ("class CountJob\n  include Sidekiq::Job\n  def perform(id)\n"
           "    counter = Counter.find_by(id: id)\n    counter.save!\n  end\nend\n")
    assert _findings(tmp_path, {"README.md": "x\n"}, {"app/jobs/count_job.rb": job}, "DC705") == []


def test_code_moved_into_a_web_folder_is_still_background_code(tmp_path) -> None:
    # The web-UI exception must not let a branch hide worker code by where it puts it.
    gemspec = 'Gem::Specification.new do |gem|\n  gem.name = "sidekiq"\nend\n'
    code = "module Sidekiq\n  class Fetcher\n    def fetch\n      1\n    end\n  end\nend\n"
    found = _findings(tmp_path, {"sidekiq.gemspec": gemspec, "lib/sidekiq/fetch.rb": code},
                      {"lib/sidekiq/fetch.rb": None, "lib/sidekiq/web/fetch.rb": code.replace("      1", "      2")},
                      "DC701")
    assert "lib/sidekiq/web/fetch.rb" in {f.path for f in found}
    assert all(f.severity == "warning" for f in found)


SIDEKIQ_GEMSPEC = 'Gem::Specification.new do |gem|\n  gem.name = "sidekiq"\n  gem.executables = ["sidekiq"]\nend\n'
SCRIPT = "#!/usr/bin/env ruby\nrequire 'sidekiq'\nputs 1\n"


def test_a_script_the_gem_does_not_install_is_read_as_application_code(tmp_path) -> None:
    # bin/load is a developer's load test: no user of the gem runs it, so top-level code there is
    # not the job system's source; the command the gem installs (bin/sidekiq) is.
    main = {"sidekiq.gemspec": SIDEKIQ_GEMSPEC, "bin/load": SCRIPT, "bin/sidekiq": SCRIPT}
    found = _findings(tmp_path, main, {"bin/load": SCRIPT.replace("1", "2"), "bin/sidekiq": SCRIPT.replace("1", "2")})
    assert [(f.rule, f.path, f.line) for f in found] == [("DC701", "bin/sidekiq", 3)]


def test_a_gemspec_that_computes_its_executables_installs_every_script_of_its_bindir(tmp_path) -> None:
    gemspec = SIDEKIQ_GEMSPEC.replace('["sidekiq"]', "spec.files.grep(%r{^exe/}) { |f| File.basename(f) }").replace(
        "  gem.executables", '  gem.bindir = "exe"\n  gem.executables')
    main = {"sidekiq.gemspec": gemspec, "exe/load": SCRIPT, "bin/load": SCRIPT}
    found = _findings(tmp_path, main, {"exe/load": SCRIPT.replace("1", "2"), "bin/load": SCRIPT.replace("1", "2")})
    assert [(f.rule, f.path) for f in found] == [("DC701", "exe/load")]


def test_the_gate_reads_the_base_only_when_a_removed_line_could_name_a_job(tmp_path) -> None:
    # The base is the head's unchanged lines plus the removed ones: when neither the head nor a
    # removed line holds a gate word, the base holds none either and is not read from git. The
    # answers must be those of reading both sides whole.
    from deploycheck.analysis.scan import file_context
    from deploycheck.git.change import compute_change
    from deploycheck.git.gitcmd import BlobReader
    from deploycheck.rules import trees
    from deploycheck.rules.base import DetectorSettings
    from deploycheck.rules.trees.keywords import KEYWORDS

    assert not [w for words in KEYWORDS.values() for w in words if "\n" in w]
    worker = "import { Worker } from 'bullmq';\nexport const w = new Worker('mail', send);\n"
    main = {"src/plain.ts": "export const a = 1;\nexport const b = 2;\n", "src/gone.ts": worker + "export const c = 3;\n",
            "src/kept.ts": worker + "export const d = 4;\n", "README.md": "x\n"}
    repo = make_repo(tmp_path / "repo", main)
    make_branch(repo, "work", {"src/plain.ts": "export const a = 1;\nexport const b = 5;\n",
                               "src/gone.ts": "export const c = 3;\n", "src/kept.ts": worker + "export const d = 6;\n"})
    with BlobReader(str(repo)) as objects:
        change, _ = compute_change(str(repo), "main", None, objects)
        answers, bases_read = {}, set()
        for fc in change.files:
            def read(name: str, fc=fc):
                if name == fc.old_blob:
                    bases_read.add(fc.path)
                return objects.read(name)

            ctx = file_context(fc, DetectorSettings(), read)
            answers[fc.path] = trees.may_report(ctx)
            read_by_gate = fc.path in bases_read
            whole = [ctx.lower_text(side) or "" for side in ("head", "base")]
            words = KEYWORDS["typescript"] + ("redis.call", "redis.pcall")
            assert answers[fc.path] == any(w in text for text in whole for w in words), fc.path
            if fc.path == "src/plain.ts":
                assert not read_by_gate
    assert answers == {"src/gone.ts": True, "src/kept.ts": True, "src/plain.ts": False}


GOOD_JOB_GEMSPEC = 'Gem::Specification.new do |gem|\n  gem.name = "good_job"\nend\n'
FILTERABLE = ("module GoodJob\n  module Filterable\n    extend ActiveSupport::Concern\n\n    included do\n"
              "      # Records in display order.\n      scope :display_all, ->(after: nil) { order(:created_at) }\n"
              "      scope :claimable, -> { where(finished_at: nil) }\n    end\n  end\nend\n")


def test_a_scope_only_the_web_ui_uses_is_not_worker_code(tmp_path) -> None:
    # In the job system's own repository a query scope its dashboard alone uses serves people;
    # one a worker uses is the worker's query. Comment lines around them run nothing.
    main = {"good_job.gemspec": GOOD_JOB_GEMSPEC, "app/models/concerns/good_job/filterable.rb": FILTERABLE,
            "app/filters/good_job/jobs_filter.rb": "class JobsFilter\n  def records = Job.display_all\nend\n",
            "lib/good_job/scheduler.rb": "class Scheduler\n  def next_job = Job.claimable.first\nend\n"}
    changed = FILTERABLE.replace("order(:created_at)", "order(:created_at, :id)").replace(
        "Records in display order.", "Records in display order, oldest first.")
    found = _findings(tmp_path / "a", main, {"app/models/concerns/good_job/filterable.rb": changed}, "DC701")
    assert [(f.line, f.severity) for f in found] == [(6, "info")]
    assert "only comment lines changed" in found[0].message
    worker = FILTERABLE.replace("where(finished_at: nil)", "where(finished_at: nil, locked: false)")
    found = _findings(tmp_path / "b", main, {"app/models/concerns/good_job/filterable.rb": worker}, "DC701")
    assert [(f.line, f.severity) for f in found] == [(8, "warning")]


def test_a_magic_comment_is_not_a_comment_only_change(tmp_path) -> None:
    # `# frozen_string_literal: true` changes what the interpreter does with every string.
    main = {"good_job.gemspec": GOOD_JOB_GEMSPEC, "lib/good_job/notifier.rb": "module GoodJob\n  X = 'a'\nend\n"}
    found = _findings(tmp_path, main, {"lib/good_job/notifier.rb": "# frozen_string_literal: true\nmodule GoodJob\n  X = 'a'\nend\n"},
                      "DC701")
    assert [(f.line, f.severity) for f in found] == [(1, "warning")]


def test_a_tagged_template_with_an_object_type_argument_parses(tmp_path) -> None:
    # outline fa1b529bef: styled-components' `styled.div<{ $on: boolean }>`…`` is valid TypeScript
    # that tree-sitter-typescript 0.23 recovers with a zero-width `!`; it was reported as unparsed.
    package = json.dumps({"name": "bullmq"})
    base = "export const gap = 1;\n"
    styled = ("export const gap = 1;\nexport const Row = styled.div<{ $on: boolean }>`\n"
              "  opacity: ${(props) => (props.$on ? 1 : 0)};\n`;\n")
    findings = _findings(tmp_path, {"package.json": package, "src/row.tsx": base}, {"src/row.tsx": styled})
    assert [f.rule for f in findings if f.rule == "DC703"] == []
    assert [(f.rule, f.line) for f in findings if f.rule == "DC701"] == [("DC701", 2)]
    # A real syntax error beside it is still reported.
    broken = styled + "export const bad = f(;\n"
    findings = _findings(tmp_path / "broken", {"package.json": package, "src/row.tsx": base}, {"src/row.tsx": broken},
                         "DC703")
    assert [(f.severity, f.line) for f in findings] == [("high", 5)]


def test_a_const_type_parameter_in_an_object_type_s_call_signature_parses(tmp_path) -> None:
    # atproto 825dd9be (a new user's trial, session 28): TypeScript 5's `const` type parameters in
    # a call signature of a variable's object type, which tree-sitter-typescript 0.23 cannot read,
    # were reported as high (DC703). The type is erased; the initializer that runs is read.
    package = json.dumps({"name": "bullmq"})
    base = "export const gap = 1;\n"
    typed = ("export const gap = 1;\nexport const string: {\n  (): StringSchema<unknown>\n"
             "  <const T extends Options>(\n    options: T,\n  ): StringSchema<T>\n"
             "} = memoized((options: Options = {}) => new StringSchema(options))\n")
    findings = _findings(tmp_path, {"package.json": package, "src/string.ts": base}, {"src/string.ts": typed}, "DC703")
    assert findings == []
    # Broken code that runs, in the initializer, is still reported.
    broken = typed.replace("new StringSchema(options))", "new StringSchema(options;)")
    findings = _findings(tmp_path / "broken", {"package.json": package, "src/string.ts": base},
                         {"src/string.ts": broken}, "DC703")
    assert [f.severity for f in findings] == ["high"]


_STORE = ("package cache\n\ntype store struct {\n\tm map[string]int\n}\n\n{ctor}\n"
          "func (s *store) Close() {\n\tgo s.flush()\n}\n\nfunc (s *store) add(k string) {\n\ts.m[k] = 1\n}\n")
_CONSTRUCTORS = {
    # Only while building: nothing else can hold `s` yet.
    "building": "func newStore() *store {\n\ts := &store{m: map[string]int{}}\n\ts.add(\"x\")\n\treturn s\n}\n",
    # A registry's iteration calls its callback before the constructor returns (memos' resolver).
    "iteration": ("func newStore() *store {\n\ts := &store{m: map[string]int{}}\n"
                  "\tregistry.RangeFiles(func(f File) bool {\n\t\ts.add(f.Name())\n\t\treturn true\n\t})\n\treturn s\n}\n"),
    # The constructor starts a goroutine that keeps calling `add` after it returned.
    "goroutine": ("func newStore() *store {\n\ts := &store{m: map[string]int{}}\n\tgo s.loop()\n\treturn s\n}\n\n"
                  "func (s *store) loop() {\n\tfor k := range keys {\n\t\ts.add(k)\n\t}\n}\n"),
    "go literal": ("func newStore() *store {\n\ts := &store{m: map[string]int{}}\n\tgo func() {\n"
                   "\t\tfor k := range keys {\n\t\t\ts.add(k)\n\t\t}\n\t}()\n\treturn s\n}\n"),
    # A callback and a method value run whenever whoever holds them calls them.
    "callback": ("func newStore() *store {\n\ts := &store{m: map[string]int{}}\n\ts.add(\"x\")\n"
                 "\ttime.AfterFunc(time.Minute, func() { s.add(\"y\") })\n\treturn s\n}\n"),
    "method value": ("func newStore() *store {\n\ts := &store{m: map[string]int{}}\n\ts.add(\"x\")\n"
                     "\tsubscribe(s.add)\n\treturn s\n}\n"),
    # The constructor of a child calls it on the parent, which others already hold.
    "on a parameter": ("func newStore(parent *store) *store {\n\tparent.add(\"child\")\n"
                       "\treturn &store{m: map[string]int{}}\n}\n"),
    # Built with new(), and through `var`: still the value being built.
    "new": "func newStore() *store {\n\tvar s = new(store)\n\ts.add(\"x\")\n\treturn s\n}\n",
    # Another file of the package calls it on a value a goroutine holds.
    "other file": "func newStore() *store {\n\ts := &store{m: map[string]int{}}\n\ts.add(\"x\")\n\treturn s\n}\n",
}


@pytest.mark.parametrize("how", sorted(_CONSTRUCTORS))
def test_go_a_method_called_later_than_construction_writes_a_shared_map(tmp_path, how: str) -> None:
    store = _STORE.replace("{ctor}", _CONSTRUCTORS[how])
    main = {"go.mod": "module example.com/c\n", "cache/store.go": store}
    if how == "other file":
        main["cache/run.go"] = ("package cache\n\nfunc (s *store) Run() {\n\tgo func() {\n"
                                "\t\tfor k := range keys {\n\t\t\ts.add(k)\n\t\t}\n\t}()\n}\n")
        # Another package's file naming `add` cannot call the unexported method.
        main["other/add.go"] = "package other\n\nfunc (c *counter) Bump() {\n\tc.add(1)\n}\n"
    found = _findings(tmp_path, main, {"cache/store.go": store.replace("s.m[k] = 1", "s.m[k] = 2")}, "DC706")
    line = store.splitlines().index("\ts.m[k] = 1") + 1
    assert [(f.path, f.line) for f in found] == ([] if how in ("building", "iteration", "new") else [("cache/store.go", line)])


def test_go_a_method_only_another_packages_file_names_is_still_construction_only(tmp_path) -> None:
    store = _STORE.replace("{ctor}", _CONSTRUCTORS["building"])
    main = {"go.mod": "module example.com/c\n", "cache/store.go": store,
            "other/add.go": "package other\n\nfunc (c *counter) Bump() {\n\tc.add(1)\n}\n"}
    assert _findings(tmp_path, main, {"cache/store.go": store.replace("s.m[k] = 1", "s.m[k] = 2")}, "DC706") == []
