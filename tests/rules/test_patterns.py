"""Pattern packs (rules DC150-199, 250-299, 350-399, 450-499, 500-599): pack schema, lexers,
multi-document YAML, scenario repositories and speed.

Exact lines for every rule are pinned by the annotated examples in tests/rule_examples/
(run by test_rule_examples.py); this file checks that every one of these rules has both kinds of
example, and runs whole scenarios through the real scan.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.analysis.pipeline import analyse
from deploycheck.git.model import FileChange
from deploycheck.rules import all_rules
from deploycheck.rules.base import DOC_SECTIONS, DetectorSettings
from deploycheck.rules.patterns.engine import OWNED_RANGES, PackError, detect, is_test_or_doc, load_packs, pack_names, parse_pack
from deploycheck.rules.patterns.checks import compose_documents
from deploycheck.rules.patterns.lex import lex
from deploycheck.analysis.scan import file_context


def my_rules():
    return [pr.rule for pack in load_packs() for pr in pack.rules]


def scan(tmp_path: Path, base: dict, head: dict):
    repo = make_repo(tmp_path / "repo", {"README.md": "shop\n", **base})
    make_branch(repo, "work", head)
    return analyse(base="main", cwd=str(repo)).scan


def summary(result) -> list[tuple]:
    return [(f.path, f.line, f.side, f.rule, f.severity) for f in result.active]


# --- the packs ------------------------------------------------------------------------------


def test_shipped_packs_load_from_package_data() -> None:
    assert pack_names() == ["go.yaml", "javascript.yaml", "jvm.yaml", "mybatis.yaml", "ruby.yaml", "spring.yaml", "sql.yaml", "worker-config.yaml"]
    assert [p.name for p in load_packs()] == ["go", "javascript", "jvm", "mybatis", "ruby", "spring", "sql", "worker-config"]
    assert len(my_rules()) == 73  # + DC168 sidekiq-process-setting-changed, DC456 rails-unique-index-added, DC172 jvm-workmanager-scheduling, DC527 rails-queue-setting-changed, DC525 go-consumer-delivery-changed, DC526 go-message-ack-removed, DC455 jvm-sql-migration-destructive, DC524 sidekiq-queues-changed, DC523 job-library-gem-changed, DC167 ruby-job-callback-changed, DC264 ruby-per-thread-state, DC522 resque-pool-workers-changed, DC362 spring-bean-made-shared, DC515, DC516, DC359 go-orm-lost-update, DC517 solid-queue-processes-changed, DC263 mybatis-write-changed, DC360, DC164, DC165, DC518, DC519, DC166, DC520, DC521, DC361, DC454


def test_every_rule_is_documented_registered_and_in_its_range() -> None:
    registry = all_rules()
    for rule in my_rules():
        assert registry[rule.id] is rule
        number = int(rule.id[2:])
        assert any(lo <= number <= hi for lo, hi in OWNED_RANGES), rule.id
        for section in DOC_SECTIONS:
            assert len(getattr(rule, section).strip()) > 10, f"{rule.id} {section}"
        assert rule.summary and rule.questions
        if rule.category == "config":
            assert rule.severity == "warning" and rule.questions[:2] == ("sequential-assumption", "concurrency-tested")
        if rule.category == "migration":
            assert rule.severity == "high" and "rollback-safe" in rule.questions
    names = [r.name for r in registry.values()]
    assert len(names) == len(set(names))


def test_every_rule_has_a_positive_and_a_negative_example() -> None:
    from support.rule_examples import all_annotations

    table = all_annotations()
    missing = [(r.id, kind) for r in my_rules() for kind in ("error", "ok") if not table.get(r.id, {}).get(kind)]
    assert missing == []


MINIMAL_RULE = """
  - id: DC150
    name: x-rule
    category: job
    severity: info
    questions: [shared-state]
    summary: s
    what_it_does: a
    why_bad: b
    known_problems: c
    example: d
    use_instead: e
    message: m
"""


def pack(rule_extra: str = "    patterns:\n      - {regex: 'x', contains: [x]}\n", head: str = "pack: t\nfiles:\n  - {extensions: [.js], lexer: c}\n") -> str:
    return head + "rules:" + MINIMAL_RULE + rule_extra


def test_a_minimal_pack_parses() -> None:
    parsed = parse_pack(pack(), "t.yaml")
    assert parsed.name == "t" and parsed.keywords == ("x",)
    assert parsed.rules[0].rule.languages == ("t",)


@pytest.mark.parametrize(
    "text, message",
    [
        (pack("    patterns:\n      - {regex: '(unclosed', contains: [x]}\n"), "t.yaml, line 18: invalid regular expression (missing ), unterminated subpattern at position 0)."),
        (pack("    patterns:\n      - {regex: 'x', contains: [X]}\n"), "t.yaml, line 18: contains must list at least one lower-case substring for the pre-filter."),
        (pack("    patterns:\n      - {regex: 'x', contains: [x], colour: red}\n"), "t.yaml, line 18: unknown key 'colour' in a pattern. Allowed keys: regex, contains, in_strings, requires, excludes, message, statement, typed_atomics."),
        (pack("    check: nope\n    contains: [x]\n"), "t.yaml, line 17: unknown check 'nope'; known:"),
        (pack("    check: sql-unbounded\n"), "t.yaml, line 5: rule DC150 has a check, so it needs 'contains' keywords for the pre-filter."),
        (pack(""), "t.yaml, line 5: rule DC150 needs patterns or a check."),
        (pack("    patterns:\n      - {regex: 'x', contains: [x], requires: [$nothing]}\n"), "t.yaml, line 18: '$nothing' does not name an entry of 'shared'."),
        (pack().replace("id: DC150", "id: DC301"), "t.yaml, line 5: rule id 'DC301' is not DC + three digits in this family's ranges"),
        (pack().replace("category: job", "category: jobs"), "t.yaml, line 7: category 'jobs' is not one of job, queue"),
        (pack().replace("questions: [shared-state]", "questions: [shared]"), "t.yaml, line 9: question id 'shared' is not one of shared-state"),
        (pack().replace("    use_instead: e\n", ""), "t.yaml, line 5: a rule is missing the required key 'use_instead'."),
        (pack().replace("name: x-rule", "name: X_Rule"), "t.yaml, line 6: rule name 'X_Rule' must be kebab-case."),
        (pack(head="pack: t\nfiles:\n  - {extensions: [.js], lexer: cobol}\n"), "t.yaml, line 3: unknown lexer 'cobol'; use one of c, hash, python, ruby, sql, xml."),
        (pack(head="pack: t\nfiles:\n  - {extensions: [js], lexer: c}\n"), "t.yaml, line 3: extension 'js' must start with a dot."),
        (pack(head="pack: &a t\nfiles:\n  - {extensions: [.js], lexer: *a}\n"), "t.yaml, line 1: YAML aliases (*name) are not allowed. Write the value out in full."),
        (pack(head="pack: t\npack: u\nfiles: []\n"), "t.yaml, line 2: duplicate key 'pack'. Keep one of them."),
        ("pack: t\nfiles: []\nrules: []\n", "t.yaml, line 3: a pack needs at least one rule."),
    ],
)
def test_malformed_packs_fail_loudly(text: str, message: str) -> None:
    with pytest.raises(PackError) as info:
        parse_pack(text, "t.yaml")
    assert info.value.message.startswith(message), info.value.message


# --- lexers ---------------------------------------------------------------------------------


def test_c_lexer_blanks_comments_and_strings_and_keeps_lines() -> None:
    text = 'q.add("new Worker(") // new Worker(\n/* queue.add(\n*/ x = `a\nb` + \'it\\\'s\'\n'
    out = lex(text, "c")
    assert out.code == 'q.add("           ")               \n             \n   x = ` \n ` + \'     \'\n'
    assert out.nocomment == 'q.add("new Worker(")               \n             \n   x = `a\nb` + \'it\\\'s\'\n'
    assert len(out.code) == len(text) and out.code.count("\n") == text.count("\n")


def test_ruby_lexer_handles_begin_end_heredoc_and_comments() -> None:
    text = "include Sidekiq::Worker # note\n=begin\nperform_async\n=end\nexecute <<~SQL\n  DROP TABLE x\nSQL\ns = 'perform_async'\n"
    out = lex(text, "ruby")
    assert out.code.splitlines() == [
        "include Sidekiq::Worker       ", "      ", "             ", "    ", "execute <<~SQL", "              ", "   ", "s = '             '",
    ]
    assert out.nocomment.splitlines()[5] == "  DROP TABLE x"


def test_python_sql_and_hash_lexers() -> None:
    py = lex('"""worker_concurrency = 8"""\nx = {"worker_concurrency": 1}  # worker_concurrency = 2\n', "python")
    assert py.nocomment == '                            \nx = {"worker_concurrency": 1}' + " " * 26 + "\n"
    sql = lex("DROP TABLE a; -- DROP TABLE b\nINSERT INTO t VALUES ('x;''y'); /* TRUNCATE c */\n", "sql")
    assert sql.code == "DROP TABLE a;" + " " * 16 + "\nINSERT INTO t VALUES ('     ');" + " " * 17 + "\n"
    sh = lex("worker: celery worker -c 1  # was -c 4\n# whole line\nurl: http://x/#frag\n", "hash")
    assert sh.code == "worker: celery worker -c 1            \n            \nurl: http://x/#frag\n"


@pytest.mark.parametrize(
    "path, excluded",
    [
        ("README.md", True), ("docs/deploy.yaml", True), ("tests/workers/test_x.rb", True), ("spec/jobs/x_spec.rb", True),
        ("src/worker.test.ts", True), ("src/__tests__/worker.ts", True), ("pkg/worker_test.go", True),
        ("src/test/java/shop/StockTest.java", True), ("node_modules/bull/index.js", True), ("types/q.d.ts", True),
        (".github/workflows/ci.yml", True), ("src/worker.ts", False), ("Procfile", False), ("app/workers/x.rb", False),
        ("db/migrate/2026_x.rb", False), ("deploy/k8s/worker.yaml", False),
        ("core/src/testFixtures/java/org/x/TestService.java", True), ("app/src/integrationTest/kotlin/X.kt", True),
        ("core/src/main/java/org/x/testFixtures.java", False),
        ("src/main/java/org/x/testhelper/TestHelper.java", True), ("pkg/testutil/clock.go", True),
        ("jest.config.js", True), ("packages/q/vitest.config.mts", True), (".eslintrc.js", True), (".releaserc", True),
        ("release.config.cjs", True), ("next.config.js", False), ("webpack.config.js", False), ("src/testing/x.go", False),
        ("lib/attestation/x.rb", False), ("apps/api/src/services/queues/snapshot.service.mock.ts", True),
        ("src/mockup.ts", False), ("src/mock-server.ts", False),
        # swag's generated docs/docs.go is compiled into the binary once main imports it
        ("docs/swagger/docs.go", False), ("docs/conf.py", True), ("docs/x_test.go", True),
    ],
)
def test_tests_docs_ci_and_vendored_code_are_never_analysed(path: str, excluded: bool) -> None:
    assert is_test_or_doc(path) is excluded


# --- multi-document YAML --------------------------------------------------------------------


def test_compose_documents_reads_every_document_safely() -> None:
    docs = compose_documents("kind: A\n---\nkind: B\n", "m.yaml")
    assert [d.value[0][1].value for d in docs] == ["A", "B"]
    assert [d.start_mark.line for d in docs] == [0, 2]
    assert compose_documents("a: &x [1]\nb: *x\n", "m.yaml") is None  # aliases refused
    assert compose_documents("a: !!python/object:os.system x\n", "m.yaml") is None  # tags refused
    assert compose_documents("a: b\na: c\n", "m.yaml") is None  # duplicate keys refused
    assert compose_documents("replicas: {{ .Values.n }}\n", "m.yaml") is None  # templates are not YAML
    assert compose_documents("x: " + "y" * 1_000_001, "m.yaml") is None  # size cap
    assert compose_documents("[" * 40 + "]" * 40, "m.yaml") is None  # depth cap


# --- scenarios: real repositories -----------------------------------------------------------

SIDEKIQ_BASE = """class ReserveStockWorker
  include Sidekiq::Worker

  def perform(product_id, qty)
    Product.update_counters(product_id, stock: -qty)
  end
end
"""
SIDEKIQ_HEAD = """class ReserveStockWorker
  include Sidekiq::Worker

  def perform(product_id, qty)
    product = Product.find(product_id)
    product.update!(stock: product.stock - qty)
  end
end
"""


def test_sidekiq_worker_refactor_into_a_lost_update(tmp_path: Path) -> None:
    path = "app/workers/reserve_stock_worker.rb"
    result = scan(tmp_path, {path: SIDEKIQ_BASE}, {path: SIDEKIQ_HEAD})
    assert summary(result) == [
        (path, 5, "base", "DC355", "high"),
        (path, 5, "head", "DC701", "warning"),  # the tree rules: the job's perform changed
        (path, 6, "head", "DC261", "warning"),
        (path, 6, "head", "DC351", "high"),
    ]
    assert result.flagged and result.has_high and result.checklists == ["background-jobs"]
    lost = next(f for f in result.active if f.rule == "DC351")
    assert lost.message == (
        "lost update in app/workers/reserve_stock_worker.rb: product.stock is computed from a value read "
        "earlier (find on line 5) and saved without a lock or an atomic update."
    )
    assert lost.to_json()["questions"] == ["shared-state", "sequential-assumption", "concurrency-tested"]
    removed = next(f for f in result.active if f.rule == "DC355")
    assert removed.to_json()["side"] == "base"
    assert removed.message.startswith("update_counters removed from app/workers/reserve_stock_worker.rb")


def test_bullmq_worker(tmp_path: Path) -> None:
    worker = (
        'import { Worker } from "bullmq";\n'
        'import { Order } from "./models";\n'
        "\n"
        'export const worker = new Worker("receipts", async (job) => {\n'
        '  await Order.update({ receiptSent: true }, { where: { id: job.data.id } });\n'
        "});\n"
    )
    result = scan(tmp_path, {}, {"src/receipts.worker.ts": worker})
    assert summary(result) == [
        ("src/receipts.worker.ts", 4, "head", "DC150", "info"),
        ("src/receipts.worker.ts", 4, "head", "DC701", "warning"),  # the tree rules: a new worker
        ("src/receipts.worker.ts", 5, "head", "DC260", "warning"),
    ]
    assert result.flagged
    assert next(f for f in result.active if f.rule == "DC260").message == (
        "src/receipts.worker.ts runs as a background worker and writes shared state (Order.update): "
        "several jobs may write the same rows at the same time."
    )


def test_rails_migration(tmp_path: Path) -> None:
    migration = (
        "class DropLegacyStatus < ActiveRecord::Migration[7.1]\n"
        "  def change\n"
        "    remove_column :orders, :legacy_status, :string\n"
        "  end\n"
        "end\n"
    )
    path = "db/migrate/20260301120000_drop_legacy_status.rb"
    result = scan(tmp_path, {}, {path: migration})
    assert summary(result) == [(path, 3, "head", "DC452", "high")]
    finding = result.active[0].to_json()
    assert finding["category"] == "migration" and finding["questions"] == ["rollback-safe", "silent-failure"]


def test_procfile_concurrency_change_names_old_and_new_values(tmp_path: Path) -> None:
    base = "web: gunicorn shop.wsgi\nworker: celery -A shop worker -c 1\n"
    head = "web: gunicorn shop.wsgi\nworker: celery -A shop worker -c 8\n"
    result = scan(tmp_path, {"Procfile": base}, {"Procfile": head})
    assert [f.to_json() for f in result.active] == [
        {
            "rule": "DC500", "name": "worker-concurrency-changed", "category": "config", "severity": "warning",
            "path": "Procfile", "line": 2, "end_line": 2,
            "message": "celery worker concurrency changed from 1 to 8 in Procfile: jobs that were serialised will now run in parallel.",
            "questions": ["sequential-assumption", "concurrency-tested"],
        }
    ]
    assert result.flagged


def test_dramatiq_jobs_at_once_are_processes_times_threads(tmp_path: Path) -> None:
    # The number of jobs at once comes from envparity's reading of the whole command.
    path = "bin/worker.sh"
    new = scan(tmp_path / "new", {}, {path: "#!/bin/sh\nexec dramatiq shop.tasks --processes 2 --threads 4\n"})
    assert [(f.line, f.rule, f.message) for f in new.active] == [
        (2, "DC500", "dramatiq processes set to 2 and threads set to 4 in bin/worker.sh: up to 8 jobs may run at the same time."),
    ]
    base = "#!/bin/sh\nexec dramatiq shop.tasks \\\n  --processes 2 --threads 1\n"
    head = "#!/bin/sh\nexec dramatiq shop.tasks \\\n  --processes 2 --threads 4\n"
    changed = scan(tmp_path / "changed", {path: base}, {path: head})
    assert [(f.line, f.rule, f.message) for f in changed.active] == [
        (3, "DC500", "dramatiq threads changed from 1 to 4 in bin/worker.sh: more jobs will now run at the same time."),
    ]


def test_procfile_reformatting_without_a_new_value_is_not_a_change(tmp_path: Path) -> None:
    base = "worker: celery -A shop worker -c 4\n"
    head = "worker: celery -A shop  worker --concurrency=4\n"
    assert scan(tmp_path, {"Procfile": base}, {"Procfile": head}).active == []


K8S = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: queue-consumer
spec:
  replicas: {consumer}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
spec:
  replicas: {web}
"""


def test_k8s_worker_deployment_replicas_change(tmp_path: Path) -> None:
    path = "k8s/consumer.yaml"
    result = scan(tmp_path, {path: K8S.format(consumer=1, web=2)}, {path: K8S.format(consumer=3, web=5)})
    assert summary(result) == [(path, 6, "head", "DC507", "warning")]
    assert result.active[0].message == (
        "replicas of Deployment 'queue-consumer' changed from 1 to 3 in k8s/consumer.yaml: "
        "jobs that were serialised will now run in parallel."
    )


def test_celery_settings_reformatted_removed_and_changed(tmp_path: Path) -> None:
    base = "worker_concurrency = 2\ntask_acks_late = True\nworker_prefetch_multiplier = 1\n"
    head = "worker_concurrency=2\nworker_prefetch_multiplier = 4\n"
    result = scan(tmp_path, {"shop/celeryconfig.py": base}, {"shop/celeryconfig.py": head})
    assert [(f.line, f.side, f.rule, f.message) for f in result.active] == [
        (2, "head", "DC502", "Celery worker_prefetch_multiplier changed from 1 to 4 in shop/celeryconfig.py: jobs that were serialised will now run in parallel."),
        (2, "base", "DC503", "Celery task_acks_late (was True) removed from shop/celeryconfig.py: the default delivery behaviour now applies."),
    ]


def test_harmless_look_alikes_are_not_flagged(tmp_path: Path) -> None:
    files = {
        "src/scheduler.js": (
            "// TODO: move this to a BullMQ worker: new Worker('x') and queue.add(job)\n"
            "const queue = [];\n"
            "const worker = { busy: false };\n"
            "function schedule(job) {\n"
            "  queue.push(job);\n"
            "  const note = 'product.stock = product.stock - 1; channel.consume(q)';\n"
            "  worker.busy = !worker.busy;\n"
            "  return `cron.schedule(${job})`;\n"
            "}\n"
        ),
        "README.md": "Run `worker: celery -A shop worker -c 8` in your Procfile.\n",
        "docs/k8s/worker.yaml": "kind: Deployment\nmetadata: {name: worker}\nspec:\n  replicas: 9\n",
        "spec/workers/reserve_spec.rb": "class W\n  include Sidekiq::Worker\n  def perform(p) = p.update!(stock: p.stock - 1)\nend\n",
        "src/workers/dedupe_test.go": "package workers\nfunc T() { m := map[string]int{}; go func() { m[\"a\"]++ }() }\n",
        "db/seeds/reset.sql": "DELETE FROM carts;\n",
        "app/models/order.rb": "class Order < ApplicationRecord\n  # include Sidekiq::Worker\n  def total = items.sum(&:price)\nend\n",
        "deploy/web.yaml": "kind: Deployment\nmetadata:\n  name: storefront\nspec:\n  replicas: 4\n",
    }
    result = scan(tmp_path, {}, files)
    assert result.findings == []
    assert not result.flagged


# --- speed ----------------------------------------------------------------------------------


def _synthetic_change(count: int) -> list[FileChange]:
    kinds = [
        ("src/app/module{}.js", "const total = compute(items, options);"),
        ("pkg/svc/handler{}.go", "return fmt.Sprintf(\"%s\", name)"),
        ("app/models/model{}.rb", "has_many :line_items"),
        ("src/main/java/x/Service{}.java", "return repository.findAll();"),
        ("docs/page{}.md", "Run the worker with -c 8 and more replicas."),
        ("assets/logo{}.svg", "<svg viewBox=\"0 0 10 10\"></svg>"),
        ("config/settings{}.yaml", "log_level: info"),
        ("lib/util{}.py", "return sorted(values)"),
    ]
    out = []
    for i in range(count):
        pattern, text = kinds[i % len(kinds)]
        path = pattern.format(i)
        diff = f"@@ -1 +1 @@\n-old line\n+{text}\n".encode()
        out.append(FileChange(path, path, "modified", "100644", "100644", "a" * 40, "b" * 40, hunk_bytes=diff))
    return out


def test_five_thousand_non_matching_files_read_nothing() -> None:
    # How long it takes is measured in benchmarks/ (run_all.py), never asserted here: a bound on
    # time fails on a loaded machine. What makes it cheap is asserted: no file is read.
    reads: list[str] = []

    def read_blob(oid: str) -> bytes | None:
        reads.append(oid)
        return b"x\n"

    load_packs()  # loading the packs once is start-up cost, not per-file cost
    detect(file_context(_synthetic_change(1)[0], DetectorSettings(), read_blob))
    contexts = [file_context(fc, DetectorSettings(), read_blob) for fc in _synthetic_change(5000)]
    findings = [f for ctx in contexts for f in detect(ctx)]
    assert findings == [] and reads == []


def _admitted_rule_by_rule(pack, added_low: str, removed_low: str) -> list:
    """What the engine admitted before it looked for each keyword once per pack: every rule's
    own test, one rule at a time (the reference the faster `_admitted` must agree with)."""
    if not any(k in added_low or k in removed_low for k in pack.keywords):
        return []
    out = []
    for pr in pack.rules:
        low = added_low if pr.side == "head" else removed_low
        if "removed" in pr.messages:
            low = added_low + "\n" + removed_low
        if pr.check is None and not any(k in low for k in pr.contains):
            continue
        if pr.check is not None and not any(k in added_low or k in removed_low for k in pr.contains):
            continue
        out.append(pr)
    return out


def test_rules_admitted_once_per_pack_agree_with_each_rules_own_test() -> None:
    from deploycheck.rules.patterns.engine import _admitted

    for pack in load_packs():
        words = pack.keywords
        cases = [("", ""), ("x = 1", "y = 2")]
        for i, word in enumerate(words):
            other = words[(i * 7 + 3) % len(words)]
            cases += [(f"a {word} b", ""), ("", f"a {word} b"), (word, other), (other + "\n" + word, word[:-1]),
                      (word[: len(word) // 2], word[len(word) // 2:])]  # a word split across the join
        for added, removed in cases:
            assert _admitted(pack, added, removed) == _admitted_rule_by_rule(pack, added, removed), (pack.name, added, removed)


# --- DC509: the schedule files of Ruby job libraries ------------------------------------------

SIDEKIQ_SCHEDULER = (":concurrency: 5\n:scheduler:\n  :schedule:\n    expire_carts:\n      every: '15m'\n"
                     "      class: ExpireCartsJob\n")


def test_dc509_reads_sidekiq_schedulers_schedule_inside_sidekiq_yml(tmp_path) -> None:
    result = scan(tmp_path, {"config/sidekiq.yml": SIDEKIQ_SCHEDULER},
                  {"config/sidekiq.yml": SIDEKIQ_SCHEDULER.replace("'15m'", "'1m'")})
    assert [(p, line, rule) for p, line, _side, rule, _sev in summary(result)] == [("config/sidekiq.yml", 5, "DC509")]
    assert "schedule of `scheduler.schedule.expire_carts` (ExpireCartsJob) changed from 15m to 1m" in result.active[0].message


@pytest.mark.parametrize("key, flagged", [
    ("SubscriptionPlacementJob", True),  # sidekiq-scheduler runs the class the entry is keyed by
    ("Billing::SyncJob", True),
    ("placement_reminder", False),  # a name that is no class, and no `class:`: not a task
])
def test_dc509_reads_sidekiq_scheduler_entries_keyed_by_their_class(tmp_path, key: str, flagged: bool) -> None:
    # openfoodnetwork (a new user's trial, session 23): `SubscriptionPlacementJob: every: "5m"` ->
    # "1m" in config/sidekiq_scheduler.yml passed as "Nothing flagged", though the job places orders.
    schedule = f":scheduler:\n  :schedule:\n    {key}:\n      every: \"5m\"\n"
    result = scan(tmp_path, {"config/sidekiq_scheduler.yml": schedule},
                  {"config/sidekiq_scheduler.yml": schedule.replace('"5m"', '"1m"')})
    assert [(p, line, rule) for p, line, _side, rule, _sev in summary(result)] == (
        [("config/sidekiq_scheduler.yml", 4, "DC509")] if flagged else [])
    if flagged:
        assert f"schedule of `scheduler.schedule.{key}` ({key}) changed from 5m to 1m" in result.active[0].message


def test_dc509_a_schedule_file_that_is_not_valid_yaml_is_read_line_by_line(tmp_path) -> None:
    broken = "sync_stock:\n  cron: \"*/15 * * * *\"\n  class: SyncStockJob\n  args: [unclosed\n"
    result = scan(tmp_path, {"config/schedule.yml": broken},
                  {"config/schedule.yml": broken.replace("*/15 * * * *", "* * * * *")})
    assert [(p, line, rule) for p, line, _side, rule, _sev in summary(result)] == [("config/schedule.yml", 2, "DC509")]
    assert "not valid YAML" in result.active[0].message


def test_dc509_a_schedule_only_moved_or_a_task_removed_is_not_flagged(tmp_path) -> None:
    two = "a:\n  cron: '0 * * * *'\n  class: A\nb:\n  cron: '5 * * * *'\n  class: B\n"
    result = scan(tmp_path, {"config/schedule.yml": two},
                  {"config/schedule.yml": "b:\n  cron: '5 * * * *'\n  class: B\n"})
    assert summary(result) == []


# --- DC509: whenever's schedule and the code that loads Sidekiq's ---------------------------

WHENEVER = ('set :output, "log/cron.log"\n\nevery 4.hours do\n  rake "db2fog:backup"\nend\n\n'
            'every 1.day, at: "4:30 am" do\n  runner "OrderCycle.close_all!"\nend\n')


@pytest.mark.parametrize("after, expected", [
    (WHENEVER.replace("every 4.hours do", "every 1.hour do"), [(3, "changed from every 4.hours to every 1.hour")]),
    (WHENEVER.replace('  runner "OrderCycle.close_all!"\n', '  runner "OrderCycle.close_all!"\n  rake "stock:sync"\n'),
     [(9, 'new schedule every 1.day, at: "4:30 am" for `rake "stock:sync"`')]),
    (WHENEVER.replace("every 4.hours do\n", "# nightly backups\nevery 4.hours do\n"), []),  # moved only
    (WHENEVER.replace('every 4.hours do\n  rake "db2fog:backup"\nend\n', ""), []),  # removed: no longer runs
])
def test_dc509_reads_whenevers_schedule(tmp_path, after: str, expected: list) -> None:
    # issue 17 names whenever's schedules; a new user's trial (openfoodnetwork b61f6ab4) removed
    # its backups from config/schedule.rb, and DC509's docs said the file was not read.
    result = scan(tmp_path, {"config/schedule.rb": WHENEVER}, {"config/schedule.rb": after})
    found = [(f.line, f.message) for f in result.active if f.rule == "DC509"]
    assert [line for line, _ in found] == [line for line, _ in expected]
    for (_, message), (_, says) in zip(found, expected):
        assert says in message


INITIALIZER = ('Sidekiq.configure_server do |config|\n  config.on(:startup) do\n'
               '    Sidekiq.schedule = YAML.load_file(Rails.root.join("config/sidekiq_scheduler.yml"))\n'
               '    SidekiqScheduler::Scheduler.instance.reload_schedule!\n  end\nend\n')


@pytest.mark.parametrize("path, flagged", [("config/initializers/sidekiq.rb", True), ("app/services/schedules.rb", False)])
def test_dc509_a_line_loading_the_sidekiq_schedule_removed_is_flagged(tmp_path, path: str, flagged: bool) -> None:
    # The trial deleted `reload_schedule!` after signing: the gate passed, though no schedule loads.
    result = scan(tmp_path, {path: INITIALIZER},
                  {path: INITIALIZER.replace("    SidekiqScheduler::Scheduler.instance.reload_schedule!\n", "")})
    found = [(f.path, f.line, f.side) for f in result.active if f.rule == "DC509"]
    assert found == ([(path, 4, "base")] if flagged else [])
