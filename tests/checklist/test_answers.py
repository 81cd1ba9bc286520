"""Answers: the --answers file, every validation path, the policy, and contradictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.gitrepo import make_repo

from deploycheck.git import gitcmd
from deploycheck.checklist.answers import (
    Answer,
    Problem,
    contradictions,
    parse_answers,
    to_plain,
    validate_answers,
)
from deploycheck.checklist.checklist import load_builtin
from deploycheck.config import Config, parse_config_text
from deploycheck.errors import ConfigError
from deploycheck.git.model import Finding
from deploycheck.rules.base import SHARED_STATE_WORDS

CHECKLIST = load_builtin("background-jobs")
DESIGN_EXAMPLE = """\
shared-state: {answer: "yes", details: "decrements inventory.Product.stock"}
sequential-assumption: {answer: "no"}
concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}
rollback-safe: "yes"
silent-failure: "Two workers processing orders for the same product at the same moment."
"""
CONCURRENT_TEST = """\
from concurrent.futures import ThreadPoolExecutor

from inventory.jobs import job as reserve

def test_two_workers_do_not_lose_updates():
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(reserve, range(100)))
    assert stock() == 0
"""
PLAIN_TEST = "def test_reserve():\n    reserve(1)\n    assert stock() == 99\n"
JOB = Finding("DC101", "job-changed", "job", "warning", "inventory/jobs.py", 3, 3, "job changed", ("shared-state",))
LOST = Finding("DC301", "lost-update", "shared-state", "high", "inventory/jobs.py", 14, 17, "read-modify-write", ("shared-state",))
STATE = Finding("DC201", "shared-write", "shared-state", "warning", "inventory/jobs.py", 8, 8, "writes a shared row", ("shared-state",))
MIGRATION = Finding("DC501", "irreversible-migration", "migration", "high", "app/migrations/0002.py", 5, 9, "drops a column", ("rollback-safe",))


@pytest.fixture(scope="module")
def head(tmp_path_factory):
    repo = make_repo(tmp_path_factory.mktemp("repo") / "r", {
        "tests/test_inventory_concurrency.py": CONCURRENT_TEST,
        "tests/test_plain.py": PLAIN_TEST,
        "spec/jobs/geocoding_job_spec.rb": "describe GeocodingJob do\n  it 'geocodes' do\n    expect(1).to eq(1)\n  end\nend\n",
        "inventory/jobs.py": "def job():\n    pass\n",
        "worker/task/refresh_test.go": "package task\n\nfunc TestRefresh(t *testing.T) {\n\trefresh(ctx)\n}\n",
    })
    root = str(repo)

    def exists(path: str) -> bool:
        return gitcmd.run(["cat-file", "-e", f"HEAD:{path}"], root, check=False).returncode == 0

    def text(path: str) -> str | None:
        data = gitcmd.show_file("HEAD", path, root)
        return None if data is None else data.decode("utf-8", "replace")

    return exists, text


def good() -> dict[str, Answer]:
    return parse_answers(DESIGN_EXAMPLE, "answers.yaml", CHECKLIST)


def check(head, answers, findings=(JOB,), config: Config | None = None):
    problems, warnings = validate_answers(answers, CHECKLIST, list(findings), config or Config(), *head)
    return [(p.code, p.question, p.message) for p in problems], warnings


def changed(**entries: Answer) -> dict[str, Answer]:
    answers = good()
    answers.update(entries)
    return answers


# --- the file ---------------------------------------------------------------------------------


def test_design_example_parses_exactly():
    assert good() == {
        "shared-state": Answer("yes", "decrements inventory.Product.stock"),
        "sequential-assumption": Answer("no"),
        "concurrency-tested": Answer("yes", "tests/test_inventory_concurrency.py"),
        "rollback-safe": Answer("yes"),
        "silent-failure": Answer("Two workers processing orders for the same product at the same moment."),
    }


def test_unquoted_and_capitalised_answers_are_words():
    answers = parse_answers(
        "shared-state: Yes\nsequential-assumption: {answer: NO}\nrollback-safe: N/A\nsilent-failure: Yes, If Two Run\n",
        "a.yaml", CHECKLIST,
    )
    assert [a.answer for a in answers.values()] == ["yes", "no", "n/a", "Yes, If Two Run"]


@pytest.mark.parametrize("text, expected", [
    ("- yes\n", "a.yaml, line 1: the answers file must be a mapping of keys to values, not a list."),
    ("shared-state:\n", "a.yaml, line 1: the answer to 'shared-state' must be text, not null."),
    ("shared-state: {answer: yes, approved: yes}\n", "a.yaml, line 1: unknown key 'approved' in the answer to 'shared-state'. Allowed keys: answer, details, rebuttal."),
    ("shared-state: {details: x}\n", "a.yaml, line 1: the answer to 'shared-state' is missing the required key 'answer'."),
    ("shared-state: yes\nshared-state: no\n", "a.yaml, line 2: duplicate key 'shared-state'. Keep one of them."),
    ("shared-state: !!python/name:os.system yes\n", "a.yaml, line 1: tag 'tag:yaml.org,2002:python/name:os.system' is not allowed here. Use a plain value."),
    ("", "a.yaml is empty. Give one answer per question: shared-state, sequential-assumption, concurrency-tested, rollback-safe, silent-failure."),
])
def test_structural_errors_name_file_line_and_key(text, expected):
    with pytest.raises(ConfigError) as info:
        parse_answers(text, "a.yaml", CHECKLIST)
    assert info.value.message == expected


# --- validation ---------------------------------------------------------------------------------


def test_complete_answers_pass(head):
    assert check(head, good()) == ([], [])


def test_missing_and_unknown_answers(head):
    answers = good()
    del answers["rollback-safe"]
    answers["shared_state"] = Answer("yes")
    assert check(head, answers)[0] == [
        ("incomplete-answers", "rollback-safe", 'no answer to rollback-safe ("Does the rollback procedure work without manual data correction?").'),
        ("incomplete-answers", "shared_state", "'shared_state' is not a question of the background-jobs checklist (questions: shared-state, "
         "sequential-assumption, concurrency-tested, rollback-safe, silent-failure). Check the spelling."),
    ]


def test_answer_not_allowed(head):
    assert check(head, changed(**{"rollback-safe": Answer("probably")}))[0] == [
        ("incomplete-answers", "rollback-safe", "'probably' is not an allowed answer to rollback-safe; answer yes, no, n/a."),
    ]


@pytest.mark.parametrize("qid, answer, prompt", [
    ("shared-state", "yes", "Which state does it touch, and who else writes it (other jobs, web requests, admins)?"),
    ("sequential-assumption", "yes", "What enforces the order or the one-at-a-time execution (a lock, a single-worker queue, a unique constraint)?"),
    ("concurrency-tested", "yes", "Which test file or command shows it (e.g. tests/test_inventory_concurrency.py)?"),
    ("concurrency-tested", "no", "Why is it acceptable to merge without one?"),
    ("rollback-safe", "no", "Which manual steps would a rollback need?"),
])
def test_details_required(head, qid, answer, prompt):
    problems, _ = check(head, changed(**{qid: Answer(answer, details="   ")}))
    assert problems == [("incomplete-answers", qid, f"the answer '{answer}' to {qid} needs details: {prompt}")]


@pytest.mark.parametrize("text, length", [("Two workers.", 12), ("Twoworkersatthesametimeeverywhere", 33)])
def test_silent_failure_must_be_a_sentence(head, text, length):
    problems, _ = check(head, changed(**{"silent-failure": Answer(text)}))
    assert problems == [("incomplete-answers", "silent-failure",
                         f"the answer to silent-failure must be at least a sentence (20 characters or more, with spaces); got {length} characters.")]


def test_concurrency_test_file_must_exist_in_head(head):
    problems, _ = check(head, changed(**{"concurrency-tested": Answer("yes", "tests/test_missing.py")}))
    assert problems == [("incomplete-answers", "concurrency-tested",
                         "the answer 'yes' to concurrency-tested: tests/test_missing.py does not exist in the head "
                         "commit. Name a test file that is committed on this branch, or the command that runs the test.")]


@pytest.mark.parametrize("details", [
    "pytest -k concurrent",
    "`pytest tests/test_inventory_concurrency.py::test_two_workers_do_not_lose_updates -n 4`",
    "./tests/test_inventory_concurrency.py, with 8 threads.",
    "make load-test",
])
def test_commands_and_paths_that_exist_are_accepted(head, details):
    assert check(head, changed(**{"concurrency-tested": Answer("yes", details)})) == ([], [])


def test_path_inside_a_command_is_checked(head):
    problems, _ = check(head, changed(**{"concurrency-tested": Answer("yes", "pytest tests/test_race.py -k concurrent")}))
    assert [p[2].split(" does not")[0] for p in problems] == ["the answer 'yes' to concurrency-tested: tests/test_race.py"]


def test_details_that_name_no_test_at_all(head):
    problems, _ = check(head, changed(**{"concurrency-tested": Answer("yes", "I ran it a few times locally")}))
    assert problems == [("incomplete-answers", "concurrency-tested",
                         "the answer 'yes' to concurrency-tested: the details name no test file "
                         "(e.g. tests/test_inventory_concurrency.py, src/test/java/app/InventoryConcurrencyTest.java, "
                         "spec/jobs/reserve_job_spec.rb) and no command that runs one (e.g. `pytest -k concurrent`, "
                         "`go test -race ./...`, `mvn test -Dtest=Inventory*`).")]


def test_warning_when_the_named_test_shows_no_concurrency(head):
    problems, warnings = check(head, changed(**{"concurrency-tested": Answer("yes", "tests/test_plain.py")}))
    assert problems == []
    assert warnings == [
        "concurrency-tested: tests/test_plain.py shows no sign of concurrency (threads, processes, asyncio.gather, "
        "several workers); make sure the test really runs workers against the same data at the same time."
    ]


def test_the_warning_on_a_test_in_another_language_says_only_its_text_was_read(head):
    # The trial on dawarich: a spec named as the test got this warning while the record said "not
    # checked (not Python)"; the warning now says what it read.
    _problems, warnings = check(head, changed(**{"concurrency-tested": Answer("yes", "spec/jobs/geocoding_job_spec.rb")}))
    assert warnings == [
        "concurrency-tested: spec/jobs/geocoding_job_spec.rb shows no sign of concurrency (threads, a thread pool, "
        "several workers) (its text only: tests not in Python are not inspected further); make sure "
        "the test really runs workers against the same data at the same time."
    ]


def test_the_warning_names_the_signs_of_the_tests_own_language(head):
    # A new user's trial (convoy): a Go test was told it showed no `asyncio.gather`.
    _problems, warnings = check(head, changed(**{"concurrency-tested": Answer("yes", "worker/task/refresh_test.go")}))
    assert warnings == [
        "concurrency-tested: worker/task/refresh_test.go shows no sign of concurrency (goroutines, a WaitGroup, "
        "errgroup, t.Parallel, several workers) (its text only: tests not in Python are not inspected further); "
        "make sure the test really runs workers against the same data at the same time."
    ]


# --- policy -------------------------------------------------------------------------------------

POLICY = """\
policy:
  block:
    - {question: concurrency-tested, answer: "no", when: high, message: "high-risk changes need a concurrency test"}
    - {question: rollback-safe, answer: "no"}
    - {question: shared-state, answer: "n/a", when: flagged}
  require_details:
    - {question: sequential-assumption, answer: "no"}
    - {question: rollback-safe, answer: any}
"""


def test_policy_block_and_require_details(head):
    config = parse_config_text(POLICY, ".deploycheck/config.yaml")
    answers = changed(**{
        "concurrency-tested": Answer("no", "single worker queue"),
        "rollback-safe": Answer("no", "restore the stock column from the backup"),
    })
    problems, _ = check(head, answers, [JOB, LOST], config)
    assert problems == [
        ("incomplete-answers", "sequential-assumption",
         "the answer 'no' to sequential-assumption contradicts the findings (DC301 lost-update at inventory/jobs.py:14): the code is a "
         "read-modify-write that is only correct when runs do not overlap. Add a `rebuttal` (at least a sentence) explaining "
         "why the answer stands, or change it."),
        ("policy", "sequential-assumption", "the policy in .deploycheck/config.yaml requires details for the answer 'no' to sequential-assumption."),
        ("policy", "concurrency-tested",
         "the policy in .deploycheck/config.yaml does not accept 'no' as the answer to concurrency-tested while a high-severity "
         "finding flags the change (high-risk changes need a concurrency test). Make the change safe so that another answer is "
         "true, or ask the owners of the configuration."),
        ("policy", "rollback-safe",
         "the policy in .deploycheck/config.yaml does not accept 'no' as the answer to rollback-safe. Make the change safe so "
         "that another answer is true, or ask the owners of the configuration."),
    ]


def test_policy_when_high_does_not_apply_without_a_high_finding(head):
    config = parse_config_text(POLICY, ".deploycheck/config.yaml")
    answers = changed(**{"concurrency-tested": Answer("no", "single worker queue"),
                         "sequential-assumption": Answer("no", "each message is independent"),
                         "rollback-safe": Answer("yes", "the new column is nullable")})
    assert check(head, answers, [JOB], config) == ([], [])
    problems, _ = check(head, {**answers, "shared-state": Answer("n/a")}, [JOB], config)
    assert [p[:2] for p in problems] == [("policy", "shared-state")]


# --- contradictions -------------------------------------------------------------------------------


def test_contradictions_and_rebuttals(head):
    answers = changed(**{
        "shared-state": Answer("no"),
        "sequential-assumption": Answer("no"),
        "rollback-safe": Answer("n/a"),
    })
    found = contradictions(answers, [JOB, LOST, MIGRATION])
    assert [(c.question, c.answer, [f.rule for f in c.findings]) for c in found] == [
        ("shared-state", "no", ["DC301", "DC501"]),
        ("sequential-assumption", "no", ["DC301"]),
        ("rollback-safe", "n/a", ["DC501"]),
    ]
    assert found[0].message == (
        "the answer 'no' to shared-state contradicts the findings (DC301 lost-update at inventory/jobs.py:14, "
        "DC501 irreversible-migration at app/migrations/0002.py:5): the code touches shared state or a known hazard."
    )
    problems, _ = check(head, answers, [JOB, LOST, MIGRATION])
    assert [p[:2] for p in problems] == [("incomplete-answers", q) for q in ("shared-state", "sequential-assumption", "rollback-safe")]

    rebutted = {qid: Answer(a.answer, a.details, rebuttal="The stock row is locked with select_for_update upstream.")
                for qid, a in answers.items()}
    assert check(head, rebutted, [JOB, LOST, MIGRATION]) == ([], [])
    short = changed(**{"shared-state": Answer("no", rebuttal="trust me")})
    assert [p[:2] for p in check(head, short, [STATE])[0]] == [("incomplete-answers", "shared-state")]


def test_a_no_to_shared_state_beside_a_changed_lock_is_challenged():
    # A new user's trial (convoy): ten DC252 findings around package-level globals guarded by a new
    # mutex, and "shared-state: no" signed unchallenged.
    lock = Finding("DC252", "go-concurrency-control-changed", "concurrency", "warning", "metrics.go", 12, 12,
                   "concurrency control changed in metrics.go (.Lock())")
    found = contradictions({"shared-state": Answer("no")}, [lock])
    assert [(c.question, [f.rule for f in c.findings]) for c in found] == [("shared-state", ["DC252"])]


def test_yes_to_rollback_safe_beside_a_migration_that_destroys_data_is_challenged():
    # A new user's trial (session 27): "yes" beside DC452's `remove_column` was accepted unasked.
    edited = Finding("DC405", "applied-migration-edited", "migration", "high", "app/migrations/0001.py", 1, 1, "edited",
                     ("rollback-safe",))
    added = Finding("DC163", "job-enqueued", "migration", "warning", "db/migrate/1_add.rb", 3, 3, "adds a column",
                    ("rollback-safe",))
    found = contradictions({"rollback-safe": Answer("yes")}, [MIGRATION, edited, added])
    assert [(c.question, c.answer, [f.rule for f in c.findings]) for c in found] == [("rollback-safe", "yes", ["DC501"])]
    assert "a rollback of the code does not bring back" in found[0].message
    assert contradictions({"rollback-safe": Answer("yes")}, [edited, added]) == []


def test_no_contradiction_without_evidence_or_for_suppressed_findings():
    answers = {"shared-state": Answer("no"), "sequential-assumption": Answer("no"), "rollback-safe": Answer("n/a")}
    assert contradictions(answers, [JOB]) == []
    quiet = Finding("DC301", "lost-update", "shared-state", "high", "a.py", 1, 1, "m", suppressed=True)
    assert contradictions(answers, [quiet]) == []


def test_problem_and_plain_forms():
    assert str(Problem("policy", "x", "msg")) == "msg"
    assert to_plain({"a": Answer("yes", details="d", warning="w")}) == {"a": {"answer": "yes", "details": "d", "warning": "w"}}


def test_answers_file_on_disk_round_trip(tmp_path: Path):
    path = tmp_path / "answers.yaml"
    path.write_bytes(DESIGN_EXAMPLE.replace("\n", "\r\n").encode())
    assert parse_answers(path.read_bytes(), str(path), CHECKLIST) == good()


def test_a_no_beside_a_job_that_touches_shared_state_is_challenged(tmp_path: Path):
    """A new-user trial answered "no" to shared-state next to DC101's "touches shared state
    (database…)" and nothing asked why. The wording is the rule's own, read from a real scan."""
    from support.dcflow import BRANCH_JOB, MAIN_JOB, dc_env, run_dc
    from support.gitrepo import commit, git, make_repo

    repo = make_repo(tmp_path / "r", {"inventory/__init__.py": "", "inventory/jobs.py": MAIN_JOB})
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"inventory/jobs.py": BRANCH_JOB.replace("product.save()", "product.save()\n    product.note = 'x'")})
    scan = json.loads(run_dc(repo, "scan", "--base", "main", "--format", "json", env=dc_env()).stdout)
    job = [Finding(f["rule"], f["name"], f["category"], f["severity"], f["path"], f["line"], f["end_line"], f["message"],
                   tuple(f["questions"])) for f in scan["findings"] if f["rule"] == "DC101"]
    assert job and all(SHARED_STATE_WORDS in f.message and f.category != "shared-state" for f in job)
    (found,) = contradictions({"shared-state": Answer("no")}, job)
    assert found.question == "shared-state" and found.findings == tuple(job)
    assert contradictions({"shared-state": Answer("yes")}, job) == []


RUBY_JOB_MAIN = """\
class DigestJob < ApplicationJob
  def perform(id)
    Digest.transaction do
      digest = Digest.lock.find(id)
      return if digest.processed_at

      digest.update!(processed_at: Time.zone.now)
    end
  end
end
"""


def _ruby_job_branch(tmp_path: Path, head: str, message: str = "change"):
    """A real repository whose branch commits ``head`` over RUBY_JOB_MAIN, a key its
    allowed_signers trusts, and the findings of a real scan of the branch."""
    from support.dcflow import dc_env, make_key, run_dc
    from support.gitrepo import commit, git, make_repo

    key, public = make_key(tmp_path / "keys")
    repo = make_repo(tmp_path / "r", {"app/jobs/digest_job.rb": RUBY_JOB_MAIN,
                                      ".deploycheck/allowed_signers": f"dev@example.com {public}\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"app/jobs/digest_job.rb": head}, message=message)
    scan = json.loads(run_dc(repo, "scan", "--base", "main", "--format", "json", env=dc_env()).stdout)
    found = [Finding(f["rule"], f["name"], f["category"], f["severity"], f["path"], f["line"], f["end_line"],
                     f["message"], tuple(f["questions"])) for f in scan["findings"]]
    return repo, key, found


def _refused(repo: Path, key, answers: Path) -> str:
    """`check --answers` as a user runs it, refused (exit 2, no record): its error text on one line."""
    from support.dcflow import dc_env, run_dc

    refused = run_dc(repo, "check", "--base", "main", "--answers", str(answers), "--yes", "--key", str(key), env=dc_env())
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert not list((repo / ".deploycheck").glob("records/*.yaml"))
    return " ".join(refused.stderr.split())


def test_a_no_to_sequential_beside_a_removed_ruby_lock_is_challenged(tmp_path: Path):
    """A new-user trial (session 17) took a row lock out of a Sidekiq job in a commit saying "no
    behaviour change", answered "no" to sequential-assumption, and nothing asked why: DC355 is
    filed under concurrency, where Python's DC320 for the same removal is under shared-state. The
    findings come from a real scan; the answers go through `check --answers` as a user's would."""
    repo, key, found = _ruby_job_branch(tmp_path, RUBY_JOB_MAIN.replace("Digest.lock.find", "Digest.find"),
                                        message="Minor refactor, no behaviour change")
    removed = [f for f in found if f.rule == "DC355"]
    assert removed and all(f.category == "concurrency" and f.severity == "high" for f in removed)
    (challenged,) = contradictions({"sequential-assumption": Answer("no")}, removed)
    assert challenged.question == "sequential-assumption" and challenged.findings == tuple(removed)
    assert contradictions({"sequential-assumption": Answer("yes", "the row lock")}, removed) == []

    answers = _digest_answers(tmp_path, sequential='{answer: "no"}', tested='{answer: "no", details: "no multi-worker test"}')
    assert "the answer 'no' to sequential-assumption contradicts the findings (DC355" in _refused(repo, key, answers)


def test_na_to_concurrency_tested_beside_a_changed_job_is_challenged(tmp_path: Path):
    """A new-user trial (session 17) answered "n/a" to concurrency-tested beside a changed job: the
    one answer that skips saying why (`no` asks for details). A real scan, then `check --answers`."""
    repo, key, found = _ruby_job_branch(tmp_path, RUBY_JOB_MAIN.replace("Digest.lock.find", "Digest.lock.find_by!"))
    flagged = [f for f in found if f.severity in ("warning", "high")]
    assert any(f.category == "job" for f in flagged)
    (challenged,) = contradictions({"concurrency-tested": Answer("n/a")}, flagged)
    assert challenged.question == "concurrency-tested"
    assert contradictions({"concurrency-tested": Answer("no", "no multi-worker test")}, flagged) == []

    answers = _digest_answers(tmp_path, sequential='{answer: "yes", details: "the row lock"}', tested='{answer: "n/a"}')
    assert "the answer 'n/a' to concurrency-tested contradicts the findings" in _refused(repo, key, answers)


def _digest_answers(tmp_path: Path, sequential: str, tested: str) -> Path:
    """An answers file for the digest job's branch, with the two answers these tests vary."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        'shared-state: {answer: "yes", details: "digests.processed_at"}\n'
        f"sequential-assumption: {sequential}\n"
        f"concurrency-tested: {tested}\n"
        'rollback-safe: {answer: "yes"}\n'
        'silent-failure: {answer: "Two workers on the same digest would both process it."}\n'
    )
    return answers


def test_every_finding_that_can_contradict_an_answer_is_shown_as_the_question_s_evidence():
    # A new user's trial (bookwyrm): "No finding points at this question directly" for
    # shared-state, then "This answer contradicts the findings (DC201 locking-changed …)".
    from deploycheck.authoring.walkthrough import evidence_for
    from deploycheck.checklist.answers import Answer, contradictions

    lock = Finding("DC201", "locking-changed", "concurrency", "warning", "app/base.py", 66, 66, "a lock changed",
                   ("sequential-assumption", "concurrency-tested"))
    checklist = CHECKLIST
    for question in checklist.questions:
        evidence, _focus = evidence_for(question, checklist, [lock])
        contradicted = contradictions({question.id: Answer("no" if question.id != "concurrency-tested" else "n/a")}, [lock])
        for c in contradicted:
            assert all(any(f is e for e in evidence) for f in c.findings), question.id
    shared = next(q for q in checklist.questions if q.id == "shared-state")
    assert evidence_for(shared, checklist, [lock])[0] == [lock]
    # context needs no answer: it is no question's evidence (the nightscout trial saw it under each)
    context = Finding("DC701", "background-code-changed", "job", "info", "lib/server/profile.js", 8, 8,
                      "not followed to the jobs that may call it", ("shared-state", "silent-failure"))
    assert evidence_for(shared, checklist, [lock, context])[0] == [lock]


def test_an_unread_file_is_doubted_for_what_it_may_hold_not_as_a_hazard_found() -> None:
    # errbit (a new user's trial, session 35): "n/a" to sequential-assumption beside a vendored
    # bundle deploycheck could not read was refused because the code "is a read-modify-write".
    unread = Finding("DC001", "not-analysed", "shared-state", "high", "vendor/javascript/popper.js", 1, 1,
                     "deploycheck could not analyse this file", ("shared-state",))
    answers = changed(**{"shared-state": Answer("no"), "sequential-assumption": Answer("n/a")})
    found = contradictions(answers, [unread])
    assert [(c.question, c.message.rpartition(": the code ")[2]) for c in found] == [
        ("shared-state", "was not read by deploycheck, so nothing shows that it touches no shared state."),
        ("sequential-assumption", "was not read by deploycheck, so nothing shows that it is correct when runs overlap."),
    ]
    # beside a hazard found in code it read, that hazard is what the answer is doubted for
    found = contradictions(answers, [unread, LOST])
    assert [[f.rule for f in c.findings] for c in found] == [["DC301"], ["DC301"]]
