"""The Python rules end to end on real repositories, plus what the annotated examples cannot
show: exact messages and JSON of the canonical incident, unparsable files, parse-once caching,
the substring pre-filter, suppressions and deleted files."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from support.gitrepo import commit, git, make_branch, make_repo

from deploycheck.analysis.pipeline import analyse
from deploycheck.git.model import FileChange
from deploycheck.rules.python import family as python_rules
from deploycheck.rules.base import DetectorSettings, FileContext
from support.incident import JOB_MAIN

# The incident of support/incident.py, without the models import (the file stands alone here).
BASE_TASK = JOB_MAIN.replace("from .models import Product\n\n", "")
HEAD_TASK = BASE_TASK.replace(
    '    Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)\n',
    "    product = Product.objects.get(pk=product_id)\n    product.stock = product.stock - quantity\n    product.save()\n",
)


def _scan(tmp_path: Path, base: dict, head: dict, config: str | None = None):
    files = {"README.md": "x\n", **base}
    if config is not None:
        files[".deploycheck/config.yaml"] = config
    repo = make_repo(tmp_path / "repo", files)
    make_branch(repo, "work", head)
    return analyse(base="main", cwd=str(repo)).scan


def test_canonical_incident_exact_findings(tmp_path: Path) -> None:
    scan = _scan(tmp_path, {"inventory/jobs.py": BASE_TASK}, {"inventory/jobs.py": HEAD_TASK})
    got = [f.to_json() for f in scan.findings]
    assert got == [
        {
            "rule": "DC101", "name": "job-code-changed", "category": "job", "severity": "warning",
            "path": "inventory/jobs.py", "line": 7, "end_line": 9,
            "message": "Celery task `reserve_stock` changed in statements that touch shared state (database, cache, "
            "files or globals): several workers can run it at once, so check it under concurrency.",
            "questions": ["shared-state", "sequential-assumption", "concurrency-tested"],
        },
        {
            "rule": "DC320", "name": "safeguard-removed", "category": "shared-state", "severity": "high",
            "path": "inventory/jobs.py", "line": 7, "end_line": 7,
            "message": "The F() update of Product.stock was removed from `reserve_stock`: the value is no longer "
            "changed atomically in the database, so concurrent workers can overwrite each other's update.",
            "questions": ["shared-state", "sequential-assumption", "concurrency-tested"], "side": "base",
        },
        {
            "rule": "DC301", "name": "lost-update", "category": "shared-state", "severity": "high",
            "path": "inventory/jobs.py", "line": 8, "end_line": 9,
            "message": "Product.stock is read, recomputed and saved without a lock or F() expression: two workers "
            "running reserve_stock at once can overwrite each other's update.",
            "questions": ["shared-state", "sequential-assumption", "concurrency-tested"],
        },
    ]
    assert scan.flagged and scan.has_high and scan.flagged_files == ["inventory/jobs.py"]


def test_reverse_of_the_incident_is_a_warning_not_high(tmp_path: Path) -> None:
    """Replacing the read-modify-write by an F() update is concurrency control changed: warning only."""
    scan = _scan(tmp_path, {"inventory/jobs.py": HEAD_TASK}, {"inventory/jobs.py": BASE_TASK})
    assert [(f.rule, f.line, f.side, f.severity) for f in scan.findings] == [
        ("DC101", 7, "head", "warning"),
        ("DC202", 7, "head", "warning"),
    ]


def test_inline_suppression_is_found_on_the_reported_line(tmp_path: Path) -> None:
    head = HEAD_TASK.replace(
        "    product.stock = product.stock - quantity\n",
        "    product.stock = product.stock - quantity  # deploycheck: ignore[DC301] single worker queue\n",
    )
    scan = _scan(tmp_path, {"inventory/jobs.py": BASE_TASK}, {"inventory/jobs.py": head})
    dc301 = [f for f in scan.findings if f.rule == "DC301"]
    # Found with its reason; the branch wrote it, so it is not honoured (tests/rules/test_suppressions.py).
    assert [(f.line, f.suppressed, f.suppressed_by_author, f.suppression_reason) for f in dc301] == [
        (8, False, True, "single worker queue")
    ]


def test_config_can_disable_and_regrade_python_rules(tmp_path: Path) -> None:
    config = "rules:\n  disable: [safeguard-removed]\n  severity:\n    DC101: info\n"
    scan = _scan(tmp_path, {"inventory/jobs.py": BASE_TASK}, {"inventory/jobs.py": HEAD_TASK}, config)
    assert [(f.rule, f.severity) for f in scan.findings] == [("DC101", "info"), ("DC301", "high")]


UNPARSABLE = {
    "legacy/py2.py": "from celery import shared_task\n\n@shared_task\ndef old(x):\n    print 'x', x\n    p = P.objects.get(pk=x)\n    p.n -= 1\n    p.save()\n",
    "legacy/broken.py": "def reserve(:\n    product.save()\n",
    "legacy/latin1.py": b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\ndef f(p):\n    p.n -= 1\n    p.save()\n",
}


def test_unparsable_files_are_reported_as_not_analysed_without_crashing(tmp_path: Path) -> None:
    # Issue 15 (fail closed): a file the Python rules had to read and could not parse is DC001,
    # never a silent skip; a latin-1 file is decoded as Python decodes it and is read. Since the
    # job index could not read py2.py (it names a task), it cannot tell whether latin1.py's new
    # f runs in the background: DC104 says so (fail closed) instead of passing it as unreached.
    scan = _scan(tmp_path, {}, UNPARSABLE)
    assert [(f.rule, f.path, f.line, f.severity) for f in scan.findings] == [
        ("DC001", "legacy/broken.py", 1, "high"), ("DC104", "legacy/latin1.py", 3, "warning"),
        ("DC001", "legacy/py2.py", 5, "high"),
    ]


def test_unparsable_edited_migration_is_still_reported(tmp_path: Path) -> None:
    path = "shop/migrations/0003_x.py"
    scan = _scan(tmp_path, {path: "operations = [\n"}, {path: "operations = [ (\n"})
    assert [(f.rule, f.line, f.side) for f in scan.findings] == [("DC001", 1, "head"), ("DC405", 1, "head")]


def test_deleted_file_reports_nothing_from_python_rules(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"inventory/jobs.py": BASE_TASK})
    git(repo, "checkout", "-q", "-b", "work")
    git(repo, "rm", "-q", "inventory/jobs.py")
    commit(repo, message="remove jobs")
    scan = analyse(base="main", cwd=str(repo)).scan
    assert [(f.rule, f.side, f.severity) for f in scan.findings] == [("DC101", "base", "warning")]


def _context(path: str, head: str, base: str | None, added: list[int], removed: list[int]) -> FileContext:
    """A FileContext for one hunk replacing base lines ``removed`` by head lines ``added``."""
    head_lines, base_lines = head.splitlines(), (base or "").splitlines()
    old = f"{removed[0]},{len(removed)}" if removed else f"{added[0] - 1},0"
    new = f"{added[0]},{len(added)}" if added else f"{removed[0] - 1},0"
    body = [f"-{base_lines[n - 1]}" for n in removed] + [f"+{head_lines[n - 1]}" for n in added]
    hunk = "\n".join([f"@@ -{old} +{new} @@", *body]) + "\n"
    fc = FileChange(path, path, "modified", "100644", "100644", "a" * 40, "b" * 40, hunk_bytes=hunk.encode())
    return FileContext(path=path, file=fc, head_text=lambda: head, base_text=lambda: base, settings=DetectorSettings())


def _count_parses(monkeypatch) -> list[int]:
    calls = [0]
    real = ast.parse

    def counting(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    return calls


def test_each_side_is_parsed_once_for_all_detectors(monkeypatch) -> None:
    calls = _count_parses(monkeypatch)
    ctx = _context("inventory/jobs.py", HEAD_TASK, BASE_TASK, [7, 8, 9], [7])
    findings = [f for detect in python_rules.DETECTORS for f in detect(ctx)]
    assert sorted((f.rule, f.side) for f in findings) == [("DC101", "head"), ("DC301", "head"), ("DC320", "base")]
    assert calls[0] == 2


def test_files_without_trigger_words_are_not_parsed(monkeypatch) -> None:
    calls = _count_parses(monkeypatch)
    text = "def area(w, h):\n    return w * h\n"
    ctx = _context("geometry/shapes.py", text, "def area(w, h):\n    return h * w\n", [2], [2])
    assert [f for detect in python_rules.DETECTORS for f in detect(ctx)] == []
    assert calls[0] == 0


def test_content_gate_turns_away_ordinary_code_and_the_family_is_not_run() -> None:
    from deploycheck.rules.python import gate as py_gate
    from deploycheck.rules import detectors_for, detectors_for_file

    text = "def area(w, h):\n    return w * h\n"
    ctx = _context("geometry/shapes.py", text, "def area(w, h):\n    return h * w\n", [2], [2])
    assert py_gate.may_report(ctx) is False
    assert not set(python_rules.DETECTORS) & set(detectors_for_file(ctx))
    assert set(python_rules.DETECTORS) <= set(detectors_for(ctx.path))  # the path alone admits it


def test_content_gate_admits_every_kind_of_file_a_python_detector_reads() -> None:
    from deploycheck.rules.python import gate as py_gate

    plain = "def area(w, h):\n    return w * h\n"
    cases = {
        # (path, head, base, added, removed): why a detector must see it
        "a changed migration": ("shop/migrations/0002_x.py", plain, plain.replace("w * h", "h * w"), [2], [2]),
        "a management command": ("shop/management/commands/sync.py", plain, plain.replace("w * h", "h * w"), [2], [2]),
        "a file that defines a task": ("shop/tasks.py", "# celery\n" + plain, "# celery\n" + plain.replace("w * h", "h * w"), [3], [3]),
        "a changed line that touches a lock": ("shop/s.py", "def f(q):\n    return q.select_for_update()\n", "def f(q):\n    return q\n", [2], [2]),
        "an added enqueue": ("shop/v.py", "def f(t):\n    t.delay(1)\n", "def f(t):\n    pass\n", [2], [2]),
        "a write that could race": ("shop/w.py", "def f(o):\n    o.save()\n", "def f(o):\n    pass\n", [2], [2]),
        "a job removed outright": ("shop/gone.py", "x = 1\n", "x = 1\n@shared_task\ndef t():\n    pass\n", [], [2, 3, 4]),
    }
    for why, (path, head, base, added, removed) in cases.items():
        assert py_gate.may_report(_context(path, head, base, added, removed)), why
    tests_only = _context("tests/test_jobs.py", "# celery\n" + plain, "# celery\n" + plain, [3], [3])
    assert py_gate.may_report(tests_only) is False  # tests never flag


def test_a_configured_lock_wrapper_in_the_changed_lines_passes_the_gate() -> None:
    from deploycheck.rules.python import gate as py_gate

    head, base = "def f():\n    with guarded():\n        pass\n", "def f():\n    pass\n"
    ctx = _context("shop/s.py", head, base, [2, 3], [2])
    assert py_gate.may_report(ctx) is False
    wrapped = FileContext(path=ctx.path, file=ctx.file, head_text=ctx.head_text, base_text=ctx.base_text,
                          settings=DetectorSettings(lock_wrappers=("guarded",)))
    assert py_gate.may_report(wrapped) is True


def test_scan_json_of_the_incident_matches_the_contract(tmp_path: Path) -> None:
    from deploycheck.output import report

    scan = _scan(tmp_path, {"inventory/jobs.py": BASE_TASK}, {"inventory/jobs.py": HEAD_TASK})
    document = json.loads(report.dumps(report.scan_json(scan)))
    assert document["flagged"] is True
    assert document["checklists"] == ["background-jobs"]
    assert [(f["rule"], f["line"], f.get("side", "head")) for f in document["findings"]] == [
        ("DC101", 7, "head"), ("DC320", 7, "base"), ("DC301", 8, "head"),
    ]


COUNTER_BASE = '''import redis

r = redis.Redis()


class Tally:
    def __init__(self):
        self.n = 0

    def incr(self):
        self.n += 1


def hit(key):
    return r.incr(key)


def count(words, tally):
    for word in words:
        tally.incr()
    return tally.n
'''

COUNTER_HEAD = '''import redis

r = redis.Redis()


class Tally:
    def __init__(self):
        self.n = 0

    def incr(self):
        self.n += 1


def hit(key):
    used = int(r.get(key) or 0)
    r.set(key, used + 1)
    return used + 1


def count(words, tally):
    return len(words)
'''


def test_redis_counter_added_is_a_warning_and_removed_is_a_safeguard(tmp_path: Path) -> None:
    added = _scan(tmp_path / "added", {"rate/limit.py": COUNTER_HEAD}, {"rate/limit.py": COUNTER_BASE})
    assert [(f.rule, f.severity, f.side, f.line, f.message) for f in added.findings] == [
        ("DC202", "warning", "head", 15, "The atomic `r.incr()` was added in `hit`: this changes how concurrent "
         "workers interact (waits, deadlocks, ordering), so test it under concurrency."),
    ]  # tally.incr() on line 20 is a local object's method: not a counter on shared state
    removed = _scan(tmp_path / "removed", {"rate/limit.py": COUNTER_BASE}, {"rate/limit.py": COUNTER_HEAD})
    assert [(f.rule, f.severity, f.side, f.line) for f in removed.findings] == [
        ("DC303", "high", "head", 15),
        ("DC320", "high", "base", 15),  # the removed tally.incr() (base line 20) is not a safeguard
    ]


THREADED = '''import threading

SEEN = {}


def noop():
    pass


def record(key):
    SEEN[key] = SEEN.get(key, 0) + 1


def start(keys):
    for k in keys:
        threading.Thread(target=record, args=(k,)).start()
'''


def test_global_updated_by_a_thread_target_without_trigger_words(tmp_path: Path) -> None:
    """No save/write/+= anywhere in the file: the item assignment alone must get it analysed."""
    scan = _scan(tmp_path, {"cache/memo.py": "def noop():\n    pass\n"}, {"cache/memo.py": THREADED})
    assert [(f.rule, f.severity, f.line, f.end_line, f.message) for f in scan.findings if f.rule == "DC305"] == [
        ("DC305", "high", 11, 11, "The module-level SEEN is read and updated in place by thread record: concurrent "
         "runs can lose updates, and each worker process only changes its own copy."),
    ]
    guarded = THREADED.replace("SEEN = {}\n", "SEEN = {}\nGUARD = threading.Lock()\n").replace(
        "    SEEN[key] = SEEN.get(key, 0) + 1\n", "    with GUARD:\n        SEEN[key] = SEEN.get(key, 0) + 1\n"
    )
    scan = _scan(tmp_path / "guarded", {"cache/memo.py": "def noop():\n    pass\n"}, {"cache/memo.py": guarded})
    assert [f.rule for f in scan.findings if f.rule == "DC305"] == []


def test_a_none_check_of_a_maybe_read_pairs_with_a_create_through_the_model() -> None:
    """`x = M.objects.filter(...).first(); if x is None: M.objects.create(...)`: the check names
    the model M (mypy found it recorded the (model, how) pair instead, so only a create assigned
    back to x was paired with the check)."""
    head = (
        "from celery import shared_task\n\nfrom shop.models import Invoice\n\n\n@shared_task\n"
        "def make_invoice(order_id):\n"
        "    invoice = Invoice.objects.filter(order_id=order_id).first()\n"
        "    if invoice is None:\n"
        "        Invoice.objects.create(order_id=order_id)\n"
    )
    ctx = _context("shop/tasks.py", head, None, list(range(1, 11)), [])
    found = [(f.rule, f.line) for detect in python_rules.DETECTORS for f in detect(ctx) if f.rule == "DC310"]
    assert found == [("DC310", 9)]
