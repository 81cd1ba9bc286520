"""Issue 19, part 3: the named concurrency test checked at head (testevidence.py), `check
--run-tests` and the base branch's `require_test_run` (testrun.py). Real repositories, real
ssh-keygen keys, deploycheck in its own processes; the walkthrough through a real terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from support.dcflow import ANSWERS, FLAGGED_FILES, LOST_UPDATE_JOB, Project, git_env, make_project, run_dc, verify
from support.gitrepo import commit, git
from support.ptydrive import Terminal

from deploycheck.errors import RecordError
from deploycheck.git.model import Finding
from deploycheck.records.record import parse_body, parse_record
from deploycheck.checklist.testevidence import NOT_PYTHON, assess, flagged_jobs, module_names, named_test

JOB = Finding("DC301", "lost-update", "shared-state", "high", "shop/inventory.py", 6, 8,
              "Product.stock is read, recomputed and saved: two workers running `reserve_stock` at once can lose an update.",
              ("shared-state",))
JOB_SOURCE = "import sqlite3\n\n\ndef helper():\n    pass\n\n\ndef reserve_stock(pid, n):\n    pass\n"
TEST = "tests/test_inventory.py"


def check(test_source: str, details: str, path: str = TEST):
    files = {"shop/inventory.py": JOB_SOURCE, path: test_source}
    return assess(details, [JOB], lambda p: p in files, files.get)


# --- what the syntax tree shows ---------------------------------------------------------------


def test_a_test_that_imports_the_job_and_runs_it_concurrently_is_strong() -> None:
    found = check(
        "from deploycheck.testing import run_concurrently\nfrom shop.inventory import reserve_stock\n\n\n"
        "def test_reserve_concurrently():\n    run_concurrently(reserve_stock, 1, 1, workers=8).raise_first()\n",
        f"{TEST}::test_reserve_concurrently",
    )
    assert found is not None and not found.weak
    assert (found.exists, found.references_job, found.concurrent) == (True, True, True)
    assert found.evidence == ("imports shop.inventory.reserve_stock (line 2)", "uses reserve_stock (line 6)",
                              "calls deploycheck.testing.run_concurrently (line 6)")


def test_a_missing_function_is_weak_although_the_file_exists() -> None:
    found = check("def test_other():\n    pass\n", f"`{TEST}::test_reserve_concurrently`, 8 workers")
    assert found is not None and found.weak and not found.exists
    assert found.describe() == (f"weak: {TEST}::test_reserve_concurrently does not exist at the head commit "
                                f"({TEST} has no test_reserve_concurrently).")


def test_a_test_that_never_touches_the_job_is_weak() -> None:
    found = check("import threading\n\n\ndef test_x():\n    threading.Thread(target=print).start()\n", f"{TEST}::test_x")
    assert found is not None and found.weak
    assert (found.references_job, found.concurrent) == (False, True)
    assert "does not reference the flagged job" in found.describe()


def test_threads_imported_but_not_used_by_the_named_test_are_not_concurrency() -> None:
    found = check(
        "import threading\n\nfrom shop import inventory\n\n\ndef test_once():\n    inventory.reserve_stock(1, 1)\n\n\n"
        "def test_other():\n    threading.Thread(target=print).start()\n",
        f"{TEST}::test_once",
    )
    assert found is not None and found.weak
    assert (found.references_job, found.concurrent) == (True, False)
    assert found.describe().startswith(f"weak: {TEST}::test_once runs nothing concurrently")


@pytest.mark.parametrize("source", [
    "from threading import Thread as T\nfrom shop.inventory import reserve_stock\n\n\ndef test_x():\n    T(target=reserve_stock).start()\n",
    "import concurrent.futures as cf\nimport shop.inventory\n\n\ndef test_x():\n    with cf.ThreadPoolExecutor() as ex:\n        ex.map(shop.inventory.reserve_stock, [1])\n",
    "import asyncio\nfrom shop.inventory import reserve_stock\n\n\nasync def test_x():\n    await asyncio.gather(reserve_stock(1, 1), reserve_stock(1, 1))\n",
    "import multiprocessing\nfrom shop.inventory import reserve_stock\n\n\ndef test_x():\n    multiprocessing.get_context('spawn').Process(target=reserve_stock).start()\n",
])
def test_each_kind_of_worker_counts_through_aliases(source: str) -> None:
    found = check(source, f"{TEST}::test_x")
    assert found is not None and (found.references_job, found.concurrent) == (True, True), found


def test_a_method_whose_helper_starts_the_workers_counts() -> None:
    source = (
        "import threading\nimport unittest\n\nfrom shop.inventory import reserve_stock\n\n\n"
        "def start_all(n):\n    return [threading.Barrier(n)]\n\n\n"
        "class ReserveTest(unittest.TestCase):\n"
        "    def _spawn(self):\n        return start_all(8)\n\n"
        "    def test_parallel(self):\n        self._spawn()\n        reserve_stock(1, 1)\n"
    )
    found = check(source, f"{TEST}::ReserveTest::test_parallel[sqlite]")
    assert found is not None and not found.weak
    assert "calls threading.Barrier (line 8)" in found.evidence


def test_another_languages_test_whose_text_shows_no_concurrency_is_weak() -> None:
    # A new user's trial (session 23, openmeter): the prompt warned that the Go test showed no
    # sign of concurrency, but the pull request's block said only "not checked (not Python)".
    source = "func TestInvoiceCollection(t *testing.T) {\n\tsvc.Collect(ctx, id)\n}\n"
    found = check(source, "test/billing/invoice_test.go", path="test/billing/invoice_test.go")
    assert found is not None and found.weak and found.concurrent is False
    assert found.describe() == ("weak: test/billing/invoice_test.go shows no sign of concurrency in its text (goroutines, "
                                "a WaitGroup, errgroup, t.Parallel, several workers; not Python, so read as text only).")


def test_another_language_is_not_checked_and_not_called_weak() -> None:
    found = check("test('reserve', () => Promise.all([a(), b()]))\n", "spec/reserve.test.js", path="spec/reserve.test.js")
    assert found is not None and not found.weak and found.note == NOT_PYTHON
    assert found.describe() == f"spec/reserve.test.js: {NOT_PYTHON}."


def test_a_command_alone_is_the_authors_word() -> None:
    assert check("", "`pytest -k concurrent -n 4`") is None
    assert check("", "e.g. the load test in CI") is None  # "e.g." names no file
    assert named_test("ran tests/test_inventory.py::test_x[a-b]. twice") == ("tests/test_inventory.py::test_x[a-b]", TEST, ["test_x"])


def test_the_job_is_the_function_around_each_flagged_line_and_its_module() -> None:
    assert module_names("src/shop/inventory.py") == ("src.shop.inventory", "shop.inventory", "inventory")
    assert module_names("shop/__init__.py") == ("shop",)
    (job,) = flagged_jobs([JOB], {"shop/inventory.py": JOB_SOURCE}.get)
    assert job.functions == ("reserve_stock",)


# --- the record -------------------------------------------------------------------------------


def body_with(extra: str) -> bytes:
    return (
        'deploycheck_record: 1\nid: "x"\ncreated: "2026-12-04T00:00:00Z"\nauthor:\n  name: "a"\n  email: "a@x"\n'
        'branch: "f"\nbase:\n  ref: "main"\n  merge_base: "' + "0" * 40 + '"\n  head: "' + "1" * 40 + '"\n'
        'tool:\n  deploycheck: "1"\n  git: "2"\nfingerprint:\n  algorithm: "sha256"\n  value: "' + "a" * 64 + '"\n'
        '  files: {}\nfindings: []\nchecklist:\n  id: "c"\n  version: 1\n  digest: "' + "b" * 64 + '"\nanswers: {}\n'
        + extra
    ).encode()


def test_the_record_reads_the_new_sections_strictly_and_older_records_without_them() -> None:
    assert parse_body(body_with(""), "old").test_run is None  # a record from before the fields
    good = body_with(
        'concurrency_test:\n  name: "t.py"\n  exists: true\n  evidence: []\n  note: "not checked (not Python)"\n'
        'test_run:\n  command: "pytest"\n  exit_status: -9\n  duration_seconds: 12.5\n  head_commit: "' + "1" * 40
        + '"\n  worktree_clean: true\n'
    )
    body = parse_body(good, "new")
    assert body.test_run.exit_status == -9 and body.concurrency_test.note == NOT_PYTHON
    for bad in (b"  worktree_clean: true\n", b"  duration_seconds: 12.5\n", b'  evidence: []\n'):
        with pytest.raises(RecordError):
            parse_body(good.replace(bad, bad + b"  extra: 1\n" if bad == b'  evidence: []\n' else b"", 1), "bad")
    with pytest.raises(RecordError, match="duration_seconds must be a number"):
        parse_body(good.replace(b"12.5", b'"12.5"'), "bad")
    with pytest.raises(RecordError, match="head_commit must be a full commit id"):
        parse_body(good.replace(b'head_commit: "1', b'head_commit: "Z'), "bad")


# --- end to end: check --run-tests, require_test_run ------------------------------------------

STRONG_TEST = (
    "from deploycheck.testing import run_concurrently\nfrom inventory.jobs import reserve_stock\n\n\n"
    "def test_two_workers_reserve_the_same_product():\n    run_concurrently(reserve_stock, 1, 1, workers=2)\n"
)
PASS = f"{sys.executable} -c 'import sys; sys.exit(0)'"
FAIL = f"{sys.executable} -c 'import sys; print(\"1 failed\"); sys.exit(1)'"


def project_with(tmp_path: Path, config: str | None = None) -> Project:
    p = make_project(tmp_path, {".deploycheck/config.yaml": config} if config else None)
    git(p.repo, "checkout", "-q", "-b", "feature")
    commit(p.repo, FLAGGED_FILES, message="Refactor stock reservation")
    return p


def check_cmd(p: Project, *args: str):
    answers = p.repo.parent / "answers.yaml"
    answers.write_text(ANSWERS)
    return run_dc(p.repo, "check", "--answers", str(answers), "--yes", "--key", str(p.key), *args)


def the_record(p: Project):
    (path,) = sorted((p.repo / ".deploycheck" / "records").glob("*.yaml"))
    return path, parse_record(path.read_bytes(), str(path))


def test_check_records_the_run_and_the_test_as_committed_at_head(tmp_path: Path) -> None:
    p = project_with(tmp_path)
    # The work tree's copy would look strong; the committed one (dcflow's) is what counts.
    committed = (p.repo / "tests/test_inventory_concurrency.py").read_text()
    (p.repo / "tests/test_inventory_concurrency.py").write_text("def test_nothing():\n    pass\n")
    proc = check_cmd(p, "--run-tests", FAIL)
    (p.repo / "tests/test_inventory_concurrency.py").write_text(committed)
    assert proc.returncode == 0, proc.stderr
    assert "1 failed" in proc.stdout  # the output's tail is shown
    assert "failed (exit status 1)" in " ".join(proc.stderr.split())
    assert "with uncommitted edits in the work tree" in " ".join(proc.stderr.split())
    path, record = the_record(p)
    run = record.body.test_run
    assert (run.command, run.exit_status, run.head_commit, run.worktree_clean) == (FAIL, 1, git(p.repo, "rev-parse", "HEAD"), False)
    ct = record.body.concurrency_test
    assert (ct.name, ct.exists, ct.references_job, ct.concurrent) == ("tests/test_inventory_concurrency.py", True, True, True)
    # Both sections are signed: the signed bytes (everything before `signature:`) hold them.
    assert b"test_run:\n" in record.signed_bytes and b"concurrency_test:\n" in record.signed_bytes


def test_a_weak_test_is_shown_to_the_author_and_in_the_summary(tmp_path: Path) -> None:
    p = project_with(tmp_path)
    # Threads, but not the job: the words look right, the syntax tree shows what is missing.
    commit(p.repo, {"tests/test_inventory_concurrency.py": "import threading\n\n\ndef test_once():\n    threading.Thread(target=print).start()\n"}, message="test")
    proc = check_cmd(p)
    assert proc.returncode == 0, proc.stderr
    assert "weak: tests/test_inventory_concurrency.py does not reference the flagged job" in " ".join(proc.stderr.split())
    git(p.repo, "commit", "-qm", "record")
    summary = run_dc(p.repo, "summary")
    assert "**Concurrency test: weak: tests/test\\_inventory\\_concurrency.py does not reference" in summary.stdout


def tamper(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def test_the_base_requires_a_passing_run_for_high_findings(tmp_path: Path) -> None:
    p = project_with(tmp_path, "require_test_run: high\n")
    assert check_cmd(p).returncode == 0
    git(p.repo, "commit", "-qm", "record")
    proc = verify(p.repo, "--base", "main")
    assert proc.returncode == 1
    assert "[missing-test-run]" in proc.stdout and "require_test_run: high" in " ".join(proc.stdout.split())
    assert "--run-tests" in " ".join(proc.stdout.split())  # the fix names the way out
    assert run_dc(p.repo, "summary").stdout.rstrip().endswith("verify: FAIL (missing-test-run)")
    # The pre-push hook leaves it to CI, as it does reviews: a push may precede the passing run.
    assert verify(p.repo, "--base", "main", "--head", "HEAD", "--hook").returncode == 0
    # A failing run does not count.
    assert check_cmd(p, "--force", "--run-tests", FAIL).returncode == 0
    git(p.repo, "commit", "-qm", "record")
    proc = verify(p.repo, "--base", "main")
    assert proc.returncode == 1 and "[failed-test-run]" in proc.stdout
    # A passing run at the record's head commit does.
    assert check_cmd(p, "--force", "--run-tests", PASS).returncode == 0
    git(p.repo, "commit", "-qm", "record")
    proc = verify(p.repo, "--base", "main")
    assert proc.returncode == 0, proc.stdout
    # Editing the recorded result breaks the signature.
    path, _ = the_record(p)
    tamper(path, b"  exit_status: 0\n", b"  exit_status: 0 \n")
    commit(p.repo, message="edit")
    assert verify(p.repo, "--base", "main").returncode == 1


def test_the_rule_is_read_from_the_base_never_from_the_branch(tmp_path: Path) -> None:
    p = project_with(tmp_path, "require_test_run: high\n")
    commit(p.repo, {".deploycheck/config.yaml": "require_test_run: never\n"}, message="relax")
    assert check_cmd(p).returncode == 0
    git(p.repo, "commit", "-qm", "record")
    assert "[missing-test-run]" in verify(p.repo, "--base", "main").stdout
    # ...and a branch cannot impose it on itself either: the base says never.
    q = project_with(tmp_path / "other")
    commit(q.repo, {".deploycheck/config.yaml": "require_test_run: high\n"}, message="stricter")
    assert check_cmd(q).returncode == 0
    git(q.repo, "commit", "-qm", "record")
    assert verify(q.repo, "--base", "main").returncode == 0


def test_the_base_configs_test_command_runs_when_no_option_is_given(tmp_path: Path) -> None:
    p = project_with(tmp_path, f'test_command: "{PASS}"\nrequire_test_run: flagged\n')
    assert check_cmd(p).returncode == 0
    _, record = the_record(p)
    assert record.body.test_run.command == PASS and record.body.test_run.exit_status == 0
    git(p.repo, "commit", "-qm", "record")
    assert verify(p.repo, "--base", "main").returncode == 0
    # `log` keeps both for the postmortem.
    import json

    entry = json.loads(run_dc(p.repo, "log", "--format", "json").stdout)["records"][0]
    assert entry["test_run"]["command"] == PASS and entry["test_run"]["exit_status"] == 0
    assert entry["concurrency_test"]["weak"] is False
    text = run_dc(p.repo, "log", env={**git_env(), "COLUMNS": "300"}).stdout
    assert f"  test run: {PASS} exit 0 at " in text and "  concurrency test: tests/test_inventory_concurrency.py references" in text
    # When the base names the command, a passing run of another one does not count.
    assert check_cmd(p, "--force", "--run-tests", f"{sys.executable} -c pass").returncode == 0
    git(p.repo, "commit", "-qm", "record")
    proc = verify(p.repo, "--base", "main")
    assert proc.returncode == 1 and "[failed-test-run]" in proc.stdout and "not of the test_command" in " ".join(proc.stdout.split())


@pytest.mark.parametrize("command, expected", [
    ("", "--run-tests is empty"),
    ("no-such-test-runner-19 -q", "the command 'no-such-test-runner-19' was not found"),
    ("pytest 'unbalanced", "cannot split"),
    (f"{sys.executable} -c 'import time; time.sleep(120)'", "did not finish within 1 seconds and was stopped"),
])
def test_bad_test_commands_exit_2_with_one_line_and_write_nothing(tmp_path: Path, command: str, expected: str) -> None:
    p = project_with(tmp_path)
    proc = check_cmd(p, "--run-tests", command, "--test-timeout", "1")
    assert proc.returncode == 2, proc.stderr
    assert expected in " ".join(proc.stderr.split()) and "Traceback" not in proc.stderr
    assert not (p.repo / ".deploycheck" / "records").exists()


def test_at_a_terminal_a_command_that_cannot_run_stops_before_the_first_question(tmp_path: Path) -> None:
    p = project_with(tmp_path)
    env = {**git_env(), "COLUMNS": "100", "NO_COLOR": "1", "TERM": "xterm"}
    t = Terminal(["--key", str(p.key), "--run-tests", "no-such-test-runner-19"], p.repo, env)
    assert t.wait() == 2
    assert "was not found" in t.text and "Does this job touch shared state?" not in t.text


def test_the_walkthrough_shows_a_weak_test_as_the_answer_is_given(tmp_path: Path) -> None:
    p = make_project(tmp_path)
    git(p.repo, "checkout", "-q", "-b", "feature")
    commit(p.repo, {"inventory/jobs.py": LOST_UPDATE_JOB, "tests/test_once.py": "import threading\n\n\ndef test_once():\n    threading.Thread(target=print).start()\n"})
    env = {**git_env(), "COLUMNS": "100", "NO_COLOR": "1", "TERM": "xterm"}
    t = Terminal(["--key", str(p.key)], p.repo, env)
    t.answer("Does this job touch shared state? [yes/no/n/a]: ", "yes\n")
    t.answer("Details: ", "Product.stock\n")
    t.answer("Does the logic assume sequential execution? [yes/no/n/a]: ", "yes\n")
    t.answer("Details: ", "nothing yet\n")
    t.answer("Has it been tested under concurrent load? [yes/no/n/a]: ", "yes\n")
    shown = t.answer("Details: ", "tests/test_once.py::test_once\n")
    shown = t.expect("Does the rollback procedure")
    t.close()
    flat = " ".join(shown.split())
    assert "Warning: concurrency-tested: weak: tests/test_once.py::test_once does not reference the flagged job" in flat


def test_the_docs_sqlite3_example_is_a_strong_concurrency_test_of_the_job() -> None:
    """The test docs/testing.md tells a team to write passes the check it documents."""
    docs = (Path(__file__).resolve().parents[2] / "docs/testing.md").read_text(encoding="utf-8")
    example = docs.split("<!-- sqlite3-example -->\n```python\n", 1)[1].split("```", 1)[0]
    files = {"inventory/jobs.py": "def reserve_stock(path, product_id, quantity):\n    pass\n",
             "tests/test_inventory_concurrency.py": example}
    job = Finding("DC301", "lost-update", "shared-state", "high", "inventory/jobs.py", 2, 2, "read-modify-write", ("shared-state",))
    found = assess("tests/test_inventory_concurrency.py::test_reservations_under_concurrency_keep_every_decrement",
                   [job], files.__contains__, files.get)
    assert found is not None and not found.weak, found


def test_the_reviewer_is_shown_a_weak_concurrency_test_as_such(tmp_path: Path, key: Path) -> None:
    from support.incident import keygen
    from support.gate import run_review, sign_record, team_repo

    reviewer = keygen(tmp_path / "reviewer", comment="rev@example.com")
    repo = team_repo(tmp_path, key, reviewer)
    # On the branch, the named test runs threads but never the job.
    commit(repo, {"tests/test_inventory_concurrency.py": "import threading\n\n\ndef test_parallel():\n    threading.Thread(target=print).start()\n"})
    sign_record(repo, key, tmp_path)
    proc = run_review(repo, reviewer, tmp_path)
    assert proc.returncode == 0, proc.stderr
    shown = " ".join(proc.stdout.split())
    assert ("Concurrency test: weak: tests/test_inventory_concurrency.py does not reference the flagged job "
            "(no import of its module, no use of its function) (calls threading.Thread (line 5)).") in shown


def test_the_fast_reader_of_log_reads_the_new_sections_as_the_strict_one_does() -> None:
    from deploycheck.records.record import SignatureInfo, _canonical_body, attach_signature, build_body, read_record

    good = body_with(
        'concurrency_test:\n  name: "t.py::x"\n  exists: true\n  references_job: false\n  concurrent: true\n'
        '  evidence:\n    - "calls threading.Thread (line 3)"\n'
        'test_run:\n  command: "pytest -q"\n  exit_status: 1\n  duration_seconds: 2.500\n  head_commit: "' + "1" * 40
        + '"\n  worktree_clean: false\n'
    )
    body = parse_body(good, "r")
    assert build_body(body) == good  # the canonical layout
    assert _canonical_body(good.decode()) == body  # the fast path, not the fallback
    armor = "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"
    data = attach_signature(good, SignatureInfo(principal="a@x", key="SHA256:x", value=armor))
    assert read_record(data, "r") == parse_record(data, "r")
