"""The interactive checklist, end to end through a real pseudo-terminal (``ptydrive``), and the
walk logic itself driven by scripted input (``Prompter`` with a stream) — faster, for the rules.

The project is the incident of docs/design.md ("The incident"): on main a Celery task decrements stock with an F()
update; the branch replaces it with read, compute, save (DC301 lost-update, DC320 safeguard-
removed). Signing uses a real ed25519 key that main's ``.deploycheck/allowed_signers`` trusts.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from support.dcflow import BRANCH_JOB, MAIN_JOB, Project, git_env, make_project, run_dc
from support.gitrepo import commit, git
from support.ptydrive import Terminal

from deploycheck.checklist.answers import Answer
from deploycheck.checklist.checklist import load_builtin, parse_checklist
from deploycheck.config import Config, PolicyRule
from deploycheck.git.model import Finding
from deploycheck.records.record import parse_record

CONCURRENCY_TEST = """\
import threading

from inventory.jobs import reserve_stock


def test_two_workers_reserve_the_same_product():
    workers = [threading.Thread(target=reserve_stock, args=(1, 1)) for _ in range(8)]
"""
TEST_PATH = "tests/test_inventory_concurrency.py"

from support.ptydrive import Q_SHARED, Q_SEQUENTIAL, Q_TESTED, Q_ROLLBACK, DETAILS, ANSWER, MORE, CHALLENGE, EXPLANATION, SIGN  # noqa: E402 - the walkthrough's prompts
SILENT = "Two workers reserving the same product at the same moment sell stock twice."


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = make_project(tmp_path, {"inventory/jobs.py": MAIN_JOB})
    git(p.repo, "checkout", "-q", "-b", "feature")
    commit(p.repo, {"inventory/jobs.py": BRANCH_JOB, TEST_PATH: CONCURRENCY_TEST}, message="Refactor stock reservation")
    return p


def term(p: Project, *args: str, env_extra: dict[str, str] | None = None, key: Path | None = None) -> Terminal:
    env = {k: v for k, v in git_env().items() if k not in ("EDITOR", "VISUAL")}
    env.update({"COLUMNS": "100", "NO_COLOR": "1", "TERM": "xterm", **(env_extra or {})})
    return Terminal(["--key", str(key or p.key), *args], p.repo, env)


def records(p: Project) -> list[Path]:
    folder = p.repo / ".deploycheck" / "records"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def draft_file(p: Project, branch: str = "feature") -> Path:
    return p.repo / ".git" / "deploycheck" / "drafts" / f"{branch}.yaml"


def answer_all(t: Terminal) -> None:
    """Every question and the confirmation, answered as a careful author would."""
    t.answer(Q_SHARED, "yes")
    t.answer(DETAILS, "Product.stock")
    t.answer(Q_SEQUENTIAL, "yes")
    t.answer(DETAILS, "a row lock in the follow-up change")
    answer_rest(t)


def answer_rest(t: Terminal) -> None:
    """Questions 3-5 and the confirmation, answered as a careful author would."""
    t.answer(Q_TESTED, "yes")
    t.answer(DETAILS, TEST_PATH)
    sign_from_rollback(t)


def sign_from_rollback(t: Terminal) -> None:
    """Questions 4-5 and the confirmation, as ``answer_rest``."""
    t.answer(Q_ROLLBACK, "yes")
    t.answer(ANSWER, SILENT)
    t.answer(MORE, ".")
    t.answer(SIGN, "y")


def the_record(p: Project):
    (path,) = records(p)
    return parse_record(path.read_bytes(), str(path))


def test_scan_flags_the_incident(project: Project) -> None:
    """The walkthrough tests rely on DC301 seeing the refactor; check that it does."""
    import json

    proc = run_dc(project.repo, "scan", "--format", "json")
    found = {(f["rule"], f["line"], f.get("side", "head")) for f in json.loads(proc.stdout)["findings"]}
    assert ("DC301", 10, "head") in found
    assert json.loads(proc.stdout)["flagged"] is True


# --- through a real terminal --------------------------------------------------------------------


def test_full_walk_writes_a_signed_staged_record_that_verify_accepts(project: Project) -> None:
    p = project
    t = term(p)
    shown = t.answer(Q_SHARED, "yes")
    t.answer(DETAILS, "Product.stock, also written by the admin site")
    t.answer(Q_SEQUENTIAL, "yes")
    t.answer(DETAILS, "nothing yet: a row lock comes in the follow-up change")
    answer_rest(t)
    assert t.wait() == 0

    merge_base = git(p.repo, "merge-base", "main", "HEAD")[:8]
    head = git(p.repo, "rev-parse", "HEAD")[:8]
    lines = shown.splitlines()  # exact: no trailing spaces either
    glance = lines[: lines.index("Question 1 of 5 · shared-state") - 1]
    assert glance[:2] == [  # first, what the commit claims against what changed (issue 19)
        f"Claim vs change: commit {git(p.repo, 'rev-parse', 'HEAD')[:8]}'s message says 'Refactor', but `reserve_stock` changed from one",
        "atomic `F()` update to read / compute / save (DC320 safeguard-removed, DC301 lost-update).",
    ]
    assert glance[2:] == [
        "deploycheck: Background jobs, queues and shared state (checklist background-jobs v1)",
        f"Base: origin/main (default branch) · merge-base {merge_base} · head {head}",
        "",
        "Flagged files (1):",
        "  inventory/jobs.py",
        "",
        "inventory/jobs.py:9: DC101 job-code-changed [warning]",
        "  Celery task `reserve_stock` changed in statements that touch shared state (database, cache, files",
        "  or globals): several workers can run it at once, so check it under concurrency.",
        "     7 | @shared_task",
        "     8 | def reserve_stock(pid, qty):",
        "  >  9 |     product = Product.objects.get(pk=pid)",
        "  > 10 |     product.stock = product.stock - qty",
        "  > 11 |     product.save()",
        "",
        "inventory/jobs.py:9 (base): DC320 safeguard-removed [high]",
        "  The F() update of Product.stock was removed from `reserve_stock`: the value is no longer changed",
        "  atomically in the database, so concurrent workers can overwrite each other's update. (removed line",
        "  9 of the base version)",
        "    7 | @shared_task",
        "    8 | def reserve_stock(pid, qty):",
        '  > 9 |     Product.objects.filter(pk=pid).update(stock=F("stock") - qty)',
        "",
        "inventory/jobs.py:10: DC301 lost-update [high]",
        "  Product.stock is read, recomputed and saved without a lock or F() expression: two workers running",
        "  reserve_stock at once can overwrite each other's update.",
        "     8 | def reserve_stock(pid, qty):",
        "     9 |     product = Product.objects.get(pk=pid)",
        "  > 10 |     product.stock = product.stock - qty",
        "  > 11 |     product.save()",
        "",
        "3 findings; 5 questions follow. Ctrl-C stops at any prompt; your answers so far, a half-typed one",
        "too, are kept as a draft and offered next time.",
    ]
    # Evidence beside the question: the findings whose questions include shared-state.
    assert lines[lines.index("Evidence (3 findings):") + 1 :][:3] == [
        "  inventory/jobs.py:9: DC101 job-code-changed [warning]",
        "  inventory/jobs.py:9 (base): DC320 safeguard-removed [high]",
        "  inventory/jobs.py:10: DC301 lost-update [high]",
    ]
    (path,) = records(p)
    rel = path.relative_to(p.repo).as_posix()
    assert git(p.repo, "diff", "--cached", "--name-only") == rel
    assert f"Wrote {rel}, signed by dev@example.com, and staged" in t.text
    assert "### Concurrency considerations" in t.text
    record = the_record(p)
    assert {q: (a.answer, a.details) for q, a in record.body.answers.items()} == {
        "shared-state": ("yes", "Product.stock, also written by the admin site"),
        "sequential-assumption": ("yes", "nothing yet: a row lock comes in the follow-up change"),
        "concurrency-tested": ("yes", TEST_PATH),
        "rollback-safe": ("yes", None),
        "silent-failure": (SILENT, None),
    }
    assert not draft_file(p).exists()
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    verify = run_dc(p.repo, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_contradictions_are_challenged_rebuttal_kept_or_answer_changed(project: Project) -> None:
    p = project
    t = term(p)
    t.answer(Q_SHARED, "no")
    challenge = t.expect(CHALLENGE)
    assert "This answer contradicts the findings." in challenge
    said = " ".join(challenge.split())
    assert "The answer 'no' to shared-state contradicts the findings (DC101 job-code-changed at inventory/jobs.py:" in said
    assert "DC320 safeguard-removed at inventory/jobs.py:9" in said
    assert "  > 10 |     product.stock = product.stock - qty" in challenge  # the finding, shown again
    t.send("explain\r")
    t.answer(EXPLANATION, "short")  # not a sentence: asked again
    t.answer(EXPLANATION, "Product rows belong to one warehouse worker only, by routing.")
    t.answer(Q_SEQUENTIAL, "no")
    t.answer(CHALLENGE, "change")
    t.answer(Q_SEQUENTIAL, "yes")  # the changed answer
    t.answer(DETAILS, "a row lock in the follow-up change")
    answer_rest(t)
    assert t.wait() == 0
    assert "Please explain in at least a sentence" in t.text
    answers = the_record(p).body.answers
    assert answers["shared-state"] == Answer("no", None, "Product rows belong to one warehouse worker only, by routing.")
    assert answers["sequential-assumption"] == Answer("yes", "a row lock in the follow-up change")


def test_a_failed_signature_is_exit_2_with_the_fix_and_keeps_the_draft(project: Project) -> None:
    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = term(p)
    t.answer(Q_SHARED, "yes")
    t.answer(DETAILS, "Product.stock")
    p.key.unlink()  # the key disappears (an unplugged token, a moved file) before signing
    t.answer(Q_SEQUENTIAL, "yes")
    t.answer(DETAILS, "a row lock in the follow-up change")
    answer_rest(t)
    assert t.wait() == 2
    text = " ".join(t.text.split())
    assert f"deploycheck: error: The signing key {p.key} (from --key) does not exist or is not a file. Fix the path" in text
    assert records(p) == []
    assert len(parse_draft(draft_file(p).read_bytes(), "draft").answers) == 5


@pytest.mark.parametrize("agent", [False, True])
def test_a_public_key_without_its_private_key_fails_before_the_first_question(project: Project, agent: bool) -> None:
    # Two new users' trials (session 23) pointed user.signingkey at a `.pub` whose private key was
    # gone: the checklist asked all five questions, then signing failed. Now it stops first; with
    # the private key loaded into a real ssh-agent it asks, and signs through the agent.
    p = project
    public = Path(f"{p.key}.pub")
    hidden = p.key.with_name("moved-away")
    env = {"SSH_AUTH_SOCK": ""}
    if agent:
        started = subprocess.run(["ssh-agent", "-s", "-a", str(p.repo.parent / "agent.sock")], capture_output=True,
                                 text=True, check=True)
        pid = next(line.split("=")[1].split(";")[0] for line in started.stdout.split() if line.startswith("SSH_AGENT_PID="))
        env = {"SSH_AUTH_SOCK": str(p.repo.parent / "agent.sock")}
        subprocess.run(["ssh-add", "-q", str(p.key)], env={**os.environ, **env}, check=True, capture_output=True)
    p.key.rename(hidden)
    try:
        t = term(p, env_extra=env, key=public)
        if agent:
            answer_all(t)
            assert t.wait() == 0
            assert len(records(p)) == 1
        else:
            assert t.wait() == 2
            text = " ".join(t.text.split())
            assert f"The signing key {public}" in text and f"its private key {p.key} does not exist" in text
            assert "Nothing was asked yet" in text and Q_SHARED not in t.text
            assert records(p) == [] and not draft_file(p).exists()
    finally:
        if agent:
            subprocess.run(["kill", pid], check=False)


@pytest.mark.parametrize(
    "where, answered",
    [("first", 0), ("middle", 2), ("last", 5)],
)
def test_ctrl_c_writes_nothing_and_keeps_a_draft(project: Project, where: str, answered: int) -> None:
    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = term(p)
    if where != "first":
        t.answer(Q_SHARED, "yes")
        t.answer(DETAILS, "Product.stock")
        t.answer(Q_SEQUENTIAL, "yes")
        t.answer(DETAILS, "a row lock in the follow-up change")
    if where == "last":
        t.answer(Q_TESTED, "yes")
        t.answer(DETAILS, TEST_PATH)
        t.answer(Q_ROLLBACK, "yes")
        t.answer(ANSWER, SILENT)
        t.answer(MORE, ".")
        t.expect(SIGN)
    else:
        t.expect(Q_SHARED if where == "first" else Q_TESTED)
    t.interrupt()
    assert t.wait() == 130
    assert records(p) == []
    message = " ".join(t.text.split()).rsplit("deploycheck: ", 1)[1]
    if where == "last":  # at "Sign and write the record?"
        assert message == "interrupted before signing; nothing was written. Your answers are kept as a draft; run deploycheck again to resume."
    elif answered:
        assert message == f"interrupted; nothing was written. Your {answered} answers are kept in the draft {draft_file(p)}; run deploycheck again to resume."
    else:
        assert message == "interrupted; nothing was written. No answer was complete yet."
    assert "Traceback" not in t.text
    if answered:
        draft = parse_draft(draft_file(p).read_bytes(), "draft")
        assert len(draft.answers) == answered
    else:  # no answer given: no empty draft left behind (a new user's trial, session 25)
        assert not draft_file(p).exists()
    assert git(p.repo, "status", "--porcelain") == ""  # nothing in the work tree or the index


# Every other kind of prompt: the typed lines that lead to it, the prompt, and how many answers
# the draft holds when Ctrl-C comes there.
TO_DETAILS = [(Q_SHARED, "yes")]
TO_CHALLENGE = [(Q_SHARED, "no")]
TO_EXPLANATION = [*TO_CHALLENGE, (CHALLENGE, "explain")]
TO_CONTINUATION = [
    (Q_SHARED, "yes"), (DETAILS, "Product.stock"), (Q_SEQUENTIAL, "yes"), (DETAILS, "a row lock"),
    (Q_TESTED, "yes"), (DETAILS, TEST_PATH), (Q_ROLLBACK, "yes"), (ANSWER, SILENT),
]


def at_the_signing_prompt(p: Project) -> Terminal:
    """A real terminal walked through every question to just before "Sign and write the record?"."""
    t = term(p)
    for prompt, keys in TO_CONTINUATION:
        t.answer(prompt, keys)
    t.answer(MORE, ".")
    return t


@pytest.mark.parametrize(
    "typed, prompt, answered, half",
    [
        (TO_DETAILS, DETAILS, 0, ("shared-state", Answer("yes"))),
        (TO_CHALLENGE, CHALLENGE, 0, ("shared-state", Answer("no"))),
        (TO_EXPLANATION, EXPLANATION, 0, ("shared-state", Answer("no"))),
        (TO_CONTINUATION, MORE, 4, ("silent-failure", Answer(SILENT))),
    ],
    ids=["details", "challenge", "explanation", "multi-line continuation"],
)
def test_ctrl_c_at_every_other_prompt_writes_nothing_and_keeps_a_draft(
    project: Project, typed: list[tuple[str, str]], prompt: str, answered: int, half: tuple[str, Answer],
) -> None:
    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = term(p)
    for question, keys in typed:
        t.answer(question, keys)
    t.expect(prompt)
    t.interrupt()
    assert t.wait() == 130
    lines = t.text.splitlines()
    # The message starts on a line of its own, after the prompt where ^C was echoed.
    assert lines[-1].startswith("deploycheck: interrupted; nothing was written.")  # no "error:": the user chose to stop
    assert lines[-2].startswith(prompt)
    assert "Traceback" not in t.text
    assert records(p) == []
    draft = parse_draft(draft_file(p).read_bytes(), "draft")
    assert len(draft.answers) == answered
    # What was given for the question stopped at is kept too, as a half-given answer (session 17).
    assert draft.pending == dict([half]) and half[0] not in draft.answers
    assert f"the half-given answer to {half[0]} {'are' if answered else 'is'} kept in the draft" in " ".join(t.text.split())
    assert git(p.repo, "status", "--porcelain") == ""


def two_answers_then_ctrl_c(p: Project, shared: str, order: str) -> None:
    """A first session: yes to shared state and to sequential execution, then Ctrl-C at the third
    question, leaving a draft with two answers."""
    first = term(p)
    first.answer(Q_SHARED, "yes")
    first.answer(DETAILS, shared)
    first.answer(Q_SEQUENTIAL, "yes")
    first.answer(DETAILS, order)
    first.expect(Q_TESTED)
    first.interrupt()
    assert first.wait() == 130


def test_a_resumed_draft_survives_ctrl_c_at_the_offer_and_right_after_resuming(project: Project) -> None:
    from deploycheck.authoring.drafts import parse_draft

    p = project
    two_answers_then_ctrl_c(p, "Product.stock", "a row lock")
    kept = draft_file(p).read_bytes()

    at_offer = term(p)
    at_offer.expect("answers? [y/n] (y): ")
    ctrl_c_keeps_the_draft(at_offer, p, kept)

    # Resumed at question 3; back twice to the first answer, changed, then Ctrl-C: the second
    # answer (not asked again yet) stays.
    resumed = term(p)
    resumed.answer("answers? [y/n] (y): ", "y")
    resumed.answer(Q_TESTED, "back")
    resumed.answer("Does the logic assume sequential execution? [yes/no/n/a] (yes): ", "back")
    resumed.answer("Does this job touch shared state? [yes/no/n/a] (yes): ", "")
    resumed.expect(DETAILS + "Product.stock")  # the earlier details, in the line to edit
    resumed.send("Product.stock and the nightly import\r")  # typing replaces them
    resumed.expect("Does the logic assume sequential execution? [yes/no/n/a] (yes): ")
    resumed.interrupt()
    assert resumed.wait() == 130
    assert "Your 2 answers are kept in the draft" in resumed.text
    assert parse_draft(draft_file(p).read_bytes(), "draft").answers == {
        "shared-state": Answer("yes", "Product.stock and the nightly import"),
        "sequential-assumption": Answer("yes", "a row lock"),
    }
    assert records(p) == []


def test_a_declined_draft_survives_ctrl_c_before_any_new_answer(project: Project) -> None:
    """Declining "Resume the draft?" and stopping at the first question: nothing new was answered,
    so the declined draft stays, as it does for Ctrl-C at the offer itself. It was replaced by an
    empty one, with "No answer was complete yet" (new-user trial, session 15)."""
    p = project
    two_answers_then_ctrl_c(p, "Product.stock", "a row lock")
    kept = draft_file(p).read_bytes()

    declined = term(p)
    declined.answer("answers? [y/n] (y): ", "n")
    declined.expect(Q_SHARED)
    ctrl_c_keeps_the_draft(declined, p, kept)

    # One new answer after declining: that is the draft now, as the author chose to start over.
    again = term(p)
    again.answer("answers? [y/n] (y): ", "n")
    again.answer(Q_SHARED, "yes")
    again.answer(DETAILS, "Product.stock, also written by the checkout")
    again.expect(Q_SEQUENTIAL)
    assert ctrl_c_then_draft(again, p) == {"shared-state": Answer("yes", "Product.stock, also written by the checkout")}


def test_end_of_input_aborts_with_exit_1_and_keeps_a_draft(project: Project) -> None:
    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = term(p)
    t.answer(Q_SHARED, "yes")
    t.answer(DETAILS, "Product.stock")
    t.expect(Q_SEQUENTIAL)
    t.send("\x04")
    assert t.wait() == 1
    assert "input ended (Ctrl-D) before the checklist was complete; nothing was written." in t.text
    # At a terminal Ctrl-D is pressed on purpose: "Answer in a terminal" was odd advice there
    # (a new user's trial, session 23); resuming the draft is the way on.
    assert "run deploycheck again to resume" in " ".join(t.text.split())
    assert "Answer in a terminal" not in t.text
    assert "Traceback" not in t.text
    assert records(p) == []
    assert parse_draft(draft_file(p).read_bytes(), "draft").answers == {"shared-state": Answer("yes", "Product.stock")}


def test_end_of_input_at_the_first_question_leaves_no_draft(project: Project) -> None:
    # A new user's trial (bookwyrm): "No answer was complete yet", yet an empty draft was written.
    p = project
    t = term(p)
    t.expect(Q_SHARED)
    t.send("\x04")
    assert t.wait() == 1
    assert "No answer was complete yet." in " ".join(t.text.split())
    assert not draft_file(p).exists()
    assert records(p) == []


def test_resume_offers_the_draft_answers_as_defaults(project: Project) -> None:
    p = project
    two_answers_then_ctrl_c(p, "Product.stock, also written by the admin site", "a row lock in the follow-up change")

    t = term(p)
    offer = t.expect("answers? [y/n] (y): ")
    assert "Resume the draft from 20" in offer and "with 2 answers?" in offer
    t.send("y\r")
    # The walk goes on at the first question the draft has no answer to (issue 18).
    shown = t.expect(Q_TESTED)
    assert "Resuming at question 3 of 5: the draft's 2 answers are kept (type back to see or change one)." in shown
    assert "Question 1 of 5" not in shown and "Question 2 of 5" not in shown
    t.send("yes\r")
    t.answer(DETAILS, TEST_PATH)
    sign_from_rollback(t)
    assert t.wait() == 0
    answers = the_record(p).body.answers
    assert answers["shared-state"] == Answer("yes", "Product.stock, also written by the admin site")
    assert answers["sequential-assumption"] == Answer("yes", "a row lock in the follow-up change")
    assert not draft_file(p).exists()


def test_no_terminal_on_stdin_is_exit_2_naming_answers(project: Project) -> None:
    proc = subprocess.run(
        [*_python_m(), "--key", str(project.key)], cwd=project.repo, env=git_env(),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.returncode == 2
    assert "standard input is not a terminal" in proc.stderr
    assert "--answers FILE" in proc.stderr
    assert records(project) == [] and not draft_file(project).exists()


def _python_m() -> list[str]:
    import sys

    return [sys.executable, "-m", "deploycheck"]


def test_nothing_flagged_writes_nothing(tmp_path: Path) -> None:
    p = make_project(tmp_path, {"inventory/jobs.py": MAIN_JOB})
    git(p.repo, "checkout", "-q", "-b", "docs")
    commit(p.repo, {"README.md": "inventory service, documented\n"})
    t = term(p)
    assert t.wait() == 0
    assert "Nothing flagged" in t.text
    assert records(p) == [] and not draft_file(p, "docs").exists()
    assert git(p.repo, "status", "--porcelain") == ""
    assert "Concurrency considerations" not in t.text  # pr_field is warn by default


def test_nothing_flagged_says_the_pr_field_is_still_required(tmp_path: Path) -> None:
    # A new user's trial (session 27): "Nothing flagged" locally, then the gate failed on the
    # pull request's empty field, which the base's configuration requires.
    p = make_project(tmp_path, {"inventory/jobs.py": MAIN_JOB, ".deploycheck/config.yaml": "pr_field: required\n"})
    git(p.repo, "checkout", "-q", "-b", "docs")
    commit(p.repo, {"README.md": "inventory service, documented\n"})
    t = term(p)
    assert t.wait() == 0
    assert "Nothing flagged" in t.text
    assert 'still needs its "Concurrency considerations" field' in " ".join(t.text.split())


def test_a_valid_record_already_covers_the_change(project: Project) -> None:
    p = project
    assert p.assess().returncode == 0  # non-interactive: --answers, --yes
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    t = term(p)
    assert t.wait() == 0
    assert "A valid record already covers this change" in t.text
    assert "Does this job touch shared state?" not in t.text


def test_a_valid_record_says_where_unsigned_newer_answers_wait(project: Project) -> None:
    # errbit's trial (session 35): answers assessed again with --force, signing declined (the
    # draft kept them), then a plain run said only "Nothing to do".
    p = project
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    t = term(p, "--force")
    t.answer("Does this job touch shared state? [yes/no/n/a] (yes): ", "no")
    t.interrupt()
    assert t.wait() == 130
    again = term(p)
    assert again.wait() == 0
    flat = " ".join(again.text.split())
    assert "A valid record already covers this change" in flat
    assert "use --force to assess it again (your unsigned answers in the draft" in flat


def test_force_runs_the_checklist_although_nothing_is_flagged(tmp_path: Path) -> None:
    p = make_project(tmp_path, {"inventory/jobs.py": MAIN_JOB})
    git(p.repo, "checkout", "-q", "-b", "docs")
    commit(p.repo, {"README.md": "inventory service, documented\n"})
    t = term(p, "--force")
    shown = t.answer(Q_SHARED, "no")
    assert "Flagged files (0):" in shown
    assert "No finding points at this question directly" in shown
    t.answer(Q_SEQUENTIAL, "no")
    t.answer(Q_TESTED, "n/a")
    t.answer(Q_ROLLBACK, "yes")
    t.answer(ANSWER, "Nothing here runs in a worker; it only edits the README.")
    t.answer(MORE, ".")
    t.answer(SIGN, "y")
    assert t.wait() == 0
    record = the_record(p)
    assert record.body.answers["shared-state"] == Answer("no")
    assert record.body.fingerprint.files == {}
    assert "the checklist was answered anyway" in t.text


def test_force_assesses_again_when_a_valid_record_exists(project: Project) -> None:
    p = project
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    (before,) = records(p)
    t = term(p, "--force")
    # The record's answers are offered (issue 18): typing replaces one, Enter keeps it.
    t.answer("Does this job touch shared state? [yes/no/n/a] (yes): ", "yes")
    t.answer(DETAILS + "decrements inventory.Product.stock", "Product.stock, and the nightly stock import")
    t.answer("Does the logic assume sequential execution? [yes/no/n/a] (yes): ", "yes")
    t.answer(DETAILS + "read-modify-write", "a row lock in the follow-up change")
    t.answer("Has it been tested under concurrent load? [yes/no/n/a] (yes): ", "")
    t.answer(DETAILS + TEST_PATH, "")
    t.answer("Does the rollback procedure work without manual data correction? [yes/no/n/a] (yes): ", "")
    t.answer(ANSWER + "Two workers", SILENT)
    t.answer(MORE, ".")
    t.answer(SIGN, "y")
    assert t.wait() == 0
    assert "A valid record already covers this change" not in t.text
    assert records(p) == [before]  # this branch's record is replaced, not joined by a second one
    assert the_record(p).body.answers["shared-state"] == Answer("yes", "Product.stock, and the nightly stock import")
    assert git(p.repo, "diff", "--cached", "--name-only") == before.relative_to(p.repo).as_posix()


def test_no_stage_and_uncommitted_edits_to_a_flagged_file(project: Project) -> None:
    p = project
    job = p.repo / "inventory" / "jobs.py"
    job.write_text(BRANCH_JOB + "# still editing\n")
    t = term(p, "--no-stage")
    shown = t.answer(Q_SHARED, "yes")
    assert " ".join(shown.split()).startswith(
        "deploycheck: warning: inventory/jobs.py has uncommitted edits; the record covers committed work only."
    )
    t.answer(DETAILS, "Product.stock")
    t.answer(Q_SEQUENTIAL, "yes")
    t.answer(DETAILS, "a row lock in the follow-up change")
    answer_rest(t)
    assert t.wait() == 0
    (path,) = records(p)
    rel = path.relative_to(p.repo).as_posix()
    assert f"Wrote {rel}, signed by dev@example.com, not staged (--no-stage): `git add` it and commit it with your branch." in " ".join(t.text.split())
    assert git(p.repo, "diff", "--cached", "--name-only") == ""
    assert git(p.repo, "diff", "--name-only") == "inventory/jobs.py"  # the edit is still uncommitted
    assert git(p.repo, "ls-files", "--others") == rel
    # The record covers the committed change: once committed (the edit set aside), verify passes.
    git(p.repo, "checkout", "--", "inventory/jobs.py")
    git(p.repo, "add", rel)
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    assert run_dc(p.repo, "verify").returncode == 0


TEAM_CHECKLIST = """\
id: team
version: 3
title: "Team release questions"
questions:
  - id: queue-drained
    text: "Must the queue be drained before deploying?"
    help: "Old messages in the queue meet the new code."
    answers: ["yes", "no"]
    details:
      "yes": "Who drains it, and how?"
  - id: owner
    text: "Who watches the workers after the deploy?"
    answers: text
"""


def test_a_custom_checklist_is_asked_instead_of_the_default(tmp_path: Path) -> None:
    p = make_project(tmp_path, {
        "inventory/jobs.py": MAIN_JOB,
        ".deploycheck/checklists/team.yaml": TEAM_CHECKLIST,
        ".deploycheck/config.yaml": "checklists: [team]\n",
    })
    git(p.repo, "checkout", "-q", "-b", "feature")
    commit(p.repo, {"inventory/jobs.py": BRANCH_JOB})
    t = term(p)
    shown = t.answer("Must the queue be drained before deploying? [yes/no]: ", "yes")
    assert "Team release questions (checklist team v3)" in shown
    assert "Question 1 of 2 · queue-drained" in shown
    t.answer(DETAILS, "the on-call engineer pauses the beat schedule")
    t.answer(ANSWER, "The on-call engineer watches the worker dashboards.")
    t.answer(MORE, ".")
    t.answer(SIGN, "y")
    assert t.wait() == 0
    assert "Does this job touch shared state?" not in t.text
    record = the_record(p)
    assert (record.body.checklist.id, record.body.checklist.version) == ("team", 3)
    assert list(record.body.answers) == ["queue-drained", "owner"]
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    assert run_dc(p.repo, "verify").returncode == 0


def test_an_invalid_checklist_is_exit_2_naming_file_line_and_key(tmp_path: Path) -> None:
    broken = TEAM_CHECKLIST.replace("    answers: text\n", "    answer: text\n")
    p = make_project(tmp_path, {
        "inventory/jobs.py": MAIN_JOB,
        ".deploycheck/checklists/team.yaml": broken,
        ".deploycheck/config.yaml": "checklists: [team]\n",
    })
    git(p.repo, "checkout", "-q", "-b", "feature")
    commit(p.repo, {"inventory/jobs.py": BRANCH_JOB})
    t = term(p)
    assert t.wait() == 2
    text = " ".join(t.text.split())
    assert ".deploycheck/checklists/team.yaml (at " in text
    assert ", line 13: unknown key 'answer' in a question." in text
    assert records(p) == []


# --- the docs' session (docs/checklist.md) ------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
# What the author types in docs/checklist.md's transcript: a denial that is challenged, then the answers.
README_SESSION = [
    (Q_SHARED, "no"),
    (CHALLENGE, "change"),
    (Q_SHARED, "yes"),
    (DETAILS, "decrements inventory.Product.stock, which the checkout API also writes"),
    (Q_SEQUENTIAL, "yes"),
    (DETAILS, "nothing yet: the refactor reads, computes and saves; restore the F() update"),
    (Q_TESTED, "yes"),
    (DETAILS, TEST_PATH),
    (Q_ROLLBACK, "yes"),
    (ANSWER, SILENT),
    (MORE, "."),
    (SIGN, "y"),
]
# What differs from one run to the next: commit ids (main trusts a fresh key), the record's date.
SESSION_VOLATILE = [(r"\b[0-9a-f]{8}\b", "HEX8"), (r"\d{4}-\d\d-\d\d-feature-", "DATE-feature-")]


def _session_normalised(text: str) -> str:
    import re

    for pattern, replacement in SESSION_VOLATILE:
        text = re.sub(pattern, replacement, text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def test_the_readmes_checklist_session_is_what_a_terminal_shows(project: Project) -> None:
    """docs/checklist.md's transcript of `deploycheck` at a terminal is this session, replayed through a
    real pseudo-terminal at 100 columns. To refresh it after a change to what the walkthrough
    prints, set DEPLOYCHECK_SESSION_OUT=FILE, run this test, and paste FILE into docs/checklist.md."""
    import os

    t = term(project)
    for prompt, keys in README_SESSION:
        t.answer(prompt, keys)
    assert t.wait() == 0
    session = "$ deploycheck\n" + t.text.strip("\n") + "\n"
    if os.environ.get("DEPLOYCHECK_SESSION_OUT"):
        Path(os.environ["DEPLOYCHECK_SESSION_OUT"]).write_text(session)
    checklist_doc = (ROOT / "docs" / "checklist.md").read_text(encoding="utf-8")
    shown = checklist_doc.split("```text\n$ deploycheck\n", 1)[1].split("\n```\n", 1)[0]
    assert _session_normalised("$ deploycheck\n" + shown) == _session_normalised(session), (
        "docs/checklist.md's checklist session is out of date: see this test's docstring"
    )


def test_the_walkthrough_asks_the_terminal_for_no_cursor_position(project: Project) -> None:
    # A new user's trial through `script -qc`, whose terminal answers no cursor-position request:
    # prompt_toolkit printed "your terminal doesn't support cursor position requests (CPR)" at
    # every prompt. The walkthrough places nothing below the cursor, so it asks for none.
    t = term(project)
    for prompt, keys in README_SESSION[:3]:
        t.answer(prompt, keys)
    assert t.screen.asked == 0
    t.close()


# --- a half-given answer survives Ctrl-C and end of input (session 17's new-user trial) ----------

FIRST_LINE = "Two workers reserving the same product at the same moment"
SECOND_LINE = "sell its stock twice."
WHY_UNTESTED = "A load test runs in staging before every release"
RESUME = "? [y/n] (y): "  # "Resume the draft from ... with ...?"


def first_four(t: Terminal) -> None:
    for prompt, keys in TO_CONTINUATION[:-1]:
        t.answer(prompt, keys)


def test_lines_typed_for_a_free_text_answer_survive_ctrl_c_and_are_offered_to_finish(project: Project) -> None:
    """A sentence typed on the first line, then Ctrl-C at `...:`: the line was lost (the draft had
    nothing for silent-failure). It is kept as the question's half-given answer, not as an answer,
    and the next run offers it in the line: Enter takes it, more lines and `.` finish it."""
    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = term(p)
    first_four(t)
    t.answer(ANSWER, FIRST_LINE)
    t.expect(MORE)
    t.interrupt()
    assert t.wait() == 130
    assert (
        "interrupted; nothing was written. Your 4 answers and the half-given answer to silent-failure are kept "
        f"in the draft {draft_file(p)}; run deploycheck again to resume."
    ) in " ".join(t.text.split())
    draft = parse_draft(draft_file(p).read_bytes(), "draft")
    assert len(draft.answers) == 4 and "silent-failure" not in draft.answers  # not an answer
    assert draft.pending == {"silent-failure": Answer(FIRST_LINE)}

    again = term(p)
    assert "with 4 answers and a half-given one?" in again.answer(RESUME, "y")
    shown = " ".join(again.expect(ANSWER + FIRST_LINE).split())
    assert "Resuming at question 5 of 5: the draft's 4 answers are kept" in shown
    assert "Before stopping you had begun this answer: it stands in the line as typed; Enter takes it" in shown
    again.send("\r")  # Enter takes the line typed before
    again.answer(MORE, SECOND_LINE)
    again.answer(MORE, ".")
    again.answer(SIGN, "y")
    assert again.wait() == 0
    assert the_record(p).body.answers["silent-failure"] == Answer(FIRST_LINE + "\n" + SECOND_LINE)
    assert not draft_file(p).exists()


def test_lines_typed_before_ctrl_d_are_kept_and_offered_whole(project: Project) -> None:
    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = term(p)
    first_four(t)
    t.answer(ANSWER, FIRST_LINE)
    t.answer(MORE, SECOND_LINE)
    t.expect(MORE)
    t.send("\x04")
    assert t.wait() == 1
    assert "Your 4 answers and the half-given answer to silent-failure are kept in the draft" in " ".join(t.text.split())
    assert parse_draft(draft_file(p).read_bytes(), "draft").pending == {"silent-failure": Answer(FIRST_LINE + "\n" + SECOND_LINE)}

    again = term(p)
    again.answer(RESUME, "y")
    again.expect(ANSWER + FIRST_LINE)
    again.expect(SECOND_LINE)
    again.send("\r")  # both lines stand in the line; Enter takes them
    again.answer(MORE, ".")
    again.answer(SIGN, "y")
    assert again.wait() == 0
    assert the_record(p).body.answers["silent-failure"] == Answer(FIRST_LINE + "\n" + SECOND_LINE)


def _typing_why_untested(p: Project) -> Terminal:
    """A walk at `Details:` of `no` to concurrency-tested, the details typed, Enter not pressed."""
    t = term(p)
    for prompt, keys in TO_CONTINUATION[:4]:
        t.answer(prompt, keys)
    t.answer(Q_TESTED, "no")
    t.expect(DETAILS)
    t.send(WHY_UNTESTED)
    t.expect(WHY_UNTESTED)
    return t


def test_a_choice_whose_details_were_being_typed_survives_ctrl_c_and_enter_finishes_it(project: Project) -> None:
    """`no` to concurrency-tested, then Ctrl-C at `Details:`: the choice was lost. The choice and
    the details typed (Enter not pressed yet) are kept; stopping again at the offered choice
    before touching it keeps them whole; Enter at each prompt finishes the answer."""
    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = _typing_why_untested(p)
    t.interrupt()
    assert t.wait() == 130
    assert "Your 2 answers and the half-given answer to concurrency-tested are kept" in " ".join(t.text.split())
    draft = parse_draft(draft_file(p).read_bytes(), "draft")
    assert list(draft.answers) == ["shared-state", "sequential-assumption"]
    assert draft.pending == {"concurrency-tested": Answer("no", WHY_UNTESTED)}

    stopped = term(p)
    assert "with 2 answers and a half-given one?" in stopped.answer(RESUME, "")
    stopped.expect(Q_TESTED + "no")  # the choice stands in the line
    stopped.interrupt()
    assert stopped.wait() == 130
    assert parse_draft(draft_file(p).read_bytes(), "draft").pending == {"concurrency-tested": Answer("no", WHY_UNTESTED)}

    done = term(p)
    done.answer(RESUME, "")
    done.answer(Q_TESTED + "no", "")  # Enter takes the choice...
    done.answer(DETAILS + WHY_UNTESTED, "")  # ...and the details typed before
    sign_from_rollback(done)
    assert done.wait() == 0
    answers = the_record(p).body.answers
    assert answers["concurrency-tested"].answer == "no" and answers["concurrency-tested"].details == WHY_UNTESTED
    assert not draft_file(p).exists()


def test_a_closed_terminal_keeps_the_half_given_answer_as_ctrl_c_does(project: Project) -> None:
    """The trial on dawarich (session 20): the terminal closed (SIGHUP) while the details were
    being typed, and the half-given answer was lost, as the process ended at once. A hang-up now
    stops the prompt as Ctrl-C does: the choice and the details typed are kept in the draft."""
    import os
    import time

    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = _typing_why_untested(p)
    os.close(t.fd)  # the terminal window closes: the kernel hangs up on the session
    deadline = time.monotonic() + 60
    while (ended := os.waitpid(t.pid, os.WNOHANG))[0] == 0:
        assert time.monotonic() < deadline, "deploycheck did not end after the hang-up"
        time.sleep(0.05)
    t.status = os.waitstatus_to_exitcode(ended[1])
    assert t.status == 1, t.text  # as at the end of input: the answers and the half-given one are kept
    draft = parse_draft(draft_file(p).read_bytes(), "draft")
    assert list(draft.answers) == ["shared-state", "sequential-assumption"]
    assert draft.pending == {"concurrency-tested": Answer("no", WHY_UNTESTED)}


def test_a_request_to_stop_keeps_the_half_given_answer_as_ctrl_c_does(project: Project) -> None:
    """A new user's trial on OpenRefine (session 31): `kill` (SIGTERM) while the details were being
    typed ended the process at once, and the next run resumed at the question with an empty
    line. SIGTERM now stops the prompt as Ctrl-C and a hang-up do: the choice and the details
    typed are kept in the draft, and the exit says it was interrupted."""
    import os
    import signal

    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = _typing_why_untested(p)
    os.kill(t.pid, signal.SIGTERM)
    assert t.wait() == 130, t.text
    draft = parse_draft(draft_file(p).read_bytes(), "draft")
    assert list(draft.answers) == ["shared-state", "sequential-assumption"]
    assert draft.pending == {"concurrency-tested": Answer("no", WHY_UNTESTED)}


def test_an_explanation_being_typed_survives_ctrl_c_and_is_offered_again(project: Project) -> None:
    from deploycheck.authoring.drafts import parse_draft

    p = project
    t = term(p)
    for prompt, keys in TO_EXPLANATION:
        t.answer(prompt, keys)
    t.expect(EXPLANATION)
    t.send("Each product row is reserved by one worker")
    t.expect("one worker")
    t.interrupt()
    assert t.wait() == 130
    assert parse_draft(draft_file(p).read_bytes(), "draft").pending == {
        "shared-state": Answer("no", None, "Each product row is reserved by one worker"),
    }
    again = term(p)
    assert "with a half-given answer?" in again.answer(RESUME, "y")
    again.answer(Q_SHARED + "no", "")
    again.answer("Change or explain? [change/explain] (explain): ", "")
    again.expect(EXPLANATION + "Each product row is reserved by one worker")
    again.send(LEFT + RIGHT + " at a time.\r")  # an arrow key first: typing then adds to it
    again.expect(Q_SEQUENTIAL)
    assert ctrl_c_then_draft(again, p) == {"shared-state": Answer("no", None, "Each product row is reserved by one worker at a time.")}


# --- the terminal prompts: editing, moves, editor, defaults (issue 18, point 4) -------------------

LEFT, RIGHT, UP, DOWN, BACKSPACE = "\x1b[D", "\x1b[C", "\x1b[A", "\x1b[B", "\x7f"


def ctrl_c_keeps_the_draft(t: Terminal, p: Project, kept: bytes) -> None:
    """Ctrl-C at the prompt just shown leaves the draft byte for byte as ``kept``, and says so."""
    t.interrupt()
    assert t.wait() == 130
    assert f"The draft {draft_file(p)} is kept as it was; run deploycheck again to resume it." in " ".join(t.text.split())
    assert draft_file(p).read_bytes() == kept


def ctrl_c_then_draft(t: Terminal, p: Project) -> dict[str, Answer]:
    """Ctrl-C at the prompt just shown; the draft's answers (Ctrl-C keeps them)."""
    from deploycheck.authoring.drafts import parse_draft

    t.interrupt()
    assert t.wait() == 130
    assert "Traceback" not in t.text
    return parse_draft(draft_file(p).read_bytes(), "draft").answers


def test_arrow_keys_choose_and_edit_the_line_instead_of_printing_escapes(project: Project) -> None:
    p = project
    t = term(p)
    t.expect(Q_SHARED)
    t.send(DOWN + DOWN + UP + "\r")  # Up/Down go through the choices: yes, no, back to yes
    t.expect(DETAILS)
    assert Q_SHARED + "yes\n" in t.text
    t.send("Product.stck" + LEFT * 2 + "o\r")  # fix a typo in the middle of the line
    t.expect(Q_SEQUENTIAL)
    assert "Details: Product.stock" in t.text
    assert "^[[D" not in t.text and "[D" not in t.text
    assert ctrl_c_then_draft(t, p) == {"shared-state": Answer("yes", "Product.stock")}


def test_y_and_yes_in_any_case_are_accepted_wherever_yes_is(project: Project) -> None:
    p = project
    t = term(p)
    t.answer(Q_SHARED, "y")
    t.answer(DETAILS, "Product.stock")
    t.answer(Q_SEQUENTIAL, "Y")
    t.answer(DETAILS, "a row lock in the follow-up change")
    t.answer(Q_TESTED, "YES")
    t.answer(DETAILS, TEST_PATH)
    t.answer(Q_ROLLBACK, "Yes")
    t.answer(ANSWER, SILENT)
    t.answer(MORE, ".")
    t.answer(SIGN, "yes")  # [y/n] takes yes as well as y
    assert t.wait() == 0
    answers = the_record(p).body.answers
    assert [answers[q].answer for q in ("shared-state", "sequential-assumption", "concurrency-tested", "rollback-safe")] == ["yes"] * 4
    assert "Please answer" not in t.text


def test_back_returns_to_the_previous_question_with_its_answer_as_default(project: Project) -> None:
    p = project
    t = term(p)
    t.answer(Q_SHARED, "yes")
    t.answer(DETAILS, "Product.stock")
    t.answer(Q_SEQUENTIAL, "back")
    t.answer("Does this job touch shared state? [yes/no/n/a] (yes): ", "")  # Enter keeps it
    t.expect(DETAILS + "Product.stock")  # the earlier details stand in the line, to edit
    t.send(LEFT + RIGHT + " and the nightly import\r")  # an arrow key first: then typing adds to them
    t.expect(Q_SEQUENTIAL)
    assert ctrl_c_then_draft(t, p) == {"shared-state": Answer("yes", "Product.stock and the nightly import")}


def test_help_shows_the_questions_help_and_evidence_then_asks_again(project: Project) -> None:
    p = project
    t = term(p)
    t.answer(Q_SHARED, "help")
    shown = t.expect(Q_SHARED)
    assert "Help · shared-state" in shown
    assert "Shared state is anything another worker, process or request can read or write" in " ".join(shown.split())
    assert "  > 10 |     product.stock = product.stock - qty" in shown  # the evidence, in full
    t.send("yes\r")
    t.expect(DETAILS)
    assert ctrl_c_then_draft(t, p) == {}


def test_review_shows_every_answer_and_edits_one_by_number(project: Project) -> None:
    p = project
    t = term(p)
    t.answer(Q_SHARED, "yes")
    t.answer(DETAILS, "Product.stock")
    t.answer(Q_SEQUENTIAL, "yes")
    t.answer(DETAILS, "a row lock in the follow-up change")
    t.answer(Q_TESTED, "review")
    review = t.expect("Edit which answer? Type its number, or Enter to go on at question 3: ")
    assert "  1. shared-state: yes · Product.stock" in review
    assert "  3. concurrency-tested: (not answered yet)" in review
    t.send("1\r")
    t.answer("Does this job touch shared state? [yes/no/n/a] (yes): ", "")
    t.answer(DETAILS + "Product.stock", "Product.stock and the nightly import")  # typing replaces the earlier details
    review = t.expect("Enter to go on at question 3: ")
    assert "  1. shared-state: yes · Product.stock and the nightly import" in review
    t.send("\r")
    answer_rest(t)
    assert t.wait() == 0
    answers = the_record(p).body.answers
    assert answers["shared-state"] == Answer("yes", "Product.stock and the nightly import")
    assert list(answers) == ["shared-state", "sequential-assumption", "concurrency-tested", "rollback-safe", "silent-failure"]


def test_review_shows_an_explained_answer_with_its_explanation(project: Project) -> None:
    """An answer kept despite the findings is listed with its explanation, as the answers' table
    shows it: a bare "no" read as if the challenge had never been answered (new-user trial, session 15)."""
    p = project
    t = term(p)
    t.answer(Q_SHARED, "no")
    t.answer(CHALLENGE, "explain")
    t.answer(EXPLANATION, "Product rows belong to one warehouse worker only, by routing.")
    t.answer(Q_SEQUENTIAL, "review")
    review = t.expect("Edit which answer? Type its number, or Enter to go on at question 2: ")
    assert "  1. shared-state: no · kept despite the findings: Product rows belong to" in review
    t.send("\r")
    t.expect(Q_SEQUENTIAL)
    assert ctrl_c_then_draft(t, p) == {
        "shared-state": Answer("no", rebuttal="Product rows belong to one warehouse worker only, by routing.")
    }


def test_back_at_the_explanation_leaves_explain_to_change_the_answer(project: Project) -> None:
    p = project
    t = term(p)
    t.answer(Q_SHARED, "no")
    t.answer(CHALLENGE, "explain")
    t.answer(EXPLANATION, "back")  # before: no way out but Ctrl-C
    t.answer(Q_SHARED, "yes")
    t.answer(DETAILS, "Product.stock")
    t.expect(Q_SEQUENTIAL)
    assert ctrl_c_then_draft(t, p) == {"shared-state": Answer("yes", "Product.stock")}


def test_a_rejected_answer_comes_back_as_typed_to_edit(project: Project) -> None:
    p = project
    t = term(p)
    for prompt, keys in TO_CONTINUATION[:-1]:
        t.answer(prompt, keys)
    t.answer(ANSWER, "Two workers")
    t.answer(MORE, ".")
    t.expect("Not accepted: ")
    again = t.expect(ANSWER)
    t.expect("Two workers")  # in the line again, not a default that Enter would re-send
    assert "(Two workers)" not in again
    t.send(BACKSPACE * len("workers") + "workers reserving the same product at once sell it twice.\r")
    t.answer(MORE, ".")
    t.answer(SIGN, "y")
    assert t.wait() == 0
    assert the_record(p).body.answers["silent-failure"] == Answer("Two workers reserving the same product at once sell it twice.")


def test_no_typed_as_the_details_of_yes_changes_the_answer(project: Project) -> None:
    """A new user's trial: "yes" to concurrency-tested, a test file that does not exist (refused),
    then "no" to change their mind, which was refused twice as details naming no test file."""
    p = project
    t = term(p)
    for prompt, keys in TO_CONTINUATION[:5]:
        t.answer(prompt, keys)
    t.answer(DETAILS, "tests/test_not_written_yet.py")
    refused = " ".join(t.expect(DETAILS).split())
    assert "Not accepted: tests/test_not_written_yet.py does not exist in the head commit." in refused
    assert "To change the answer 'yes', type no or n/a here, or back to answer the question again." in refused
    t.send("no\r")  # typing replaces the refused path standing in the line
    t.expect("Changed the answer from 'yes' to 'no'")
    t.answer(DETAILS, "no load rig yet; the follow-up change adds one")  # the details "no" asks for
    sign_from_rollback(t)
    assert t.wait() == 0
    assert the_record(p).body.answers["concurrency-tested"] == Answer("no", "no load rig yet; the follow-up change adds one")


def test_editor_writes_a_long_answer_through_a_temporary_file(project: Project, tmp_path: Path) -> None:
    p = project
    seen = tmp_path / "editor-saw"
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        f'echo "$1" > {seen}\n'
        f'cp "$1" {seen}.text\n'
        "printf 'Two workers reserving the same product at once sell stock twice.\\n# a comment line\\nNobody notices until the count.\\n' > \"$1\"\n"
    )
    editor.chmod(0o755)
    t = term(p, env_extra={"EDITOR": str(editor)})
    for prompt, keys in TO_CONTINUATION[:-1]:
        t.answer(prompt, keys)
    t.answer(ANSWER, ":e")
    t.answer(SIGN, "y")  # no continuation lines: the editor's text is the whole answer
    assert t.wait() == 0
    assert the_record(p).body.answers["silent-failure"] == Answer(
        "Two workers reserving the same product at once sell stock twice.\nNobody notices until the count."
    )
    used = Path(seen.read_text().strip())
    assert not used.exists()  # the temporary file is removed
    assert "# Write the answer above" in Path(f"{seen}.text").read_text()


def test_without_an_editor_the_line_prompt_stays(project: Project) -> None:
    p = project
    t = term(p)
    for prompt, keys in TO_CONTINUATION[:-1]:
        t.answer(prompt, keys)
    t.answer(ANSWER, ":e")
    t.expect("No editor is set: set VISUAL or EDITOR")
    t.answer(ANSWER, SILENT)
    t.answer(MORE, ".")
    t.answer(SIGN, "y")
    assert t.wait() == 0
    assert the_record(p).body.answers["silent-failure"] == Answer(SILENT)


def test_a_stale_records_answers_are_the_defaults_never_taken_unasked(project: Project) -> None:
    p = project
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    (record,) = records(p)
    signer = the_record(p).signature.principal
    commit(p.repo, {"inventory/jobs.py": BRANCH_JOB + "    return product.stock\n"}, message="Return the stock")
    t = term(p)
    shown = t.expect("Does this job touch shared state? [yes/no/n/a] (yes): ")
    # whose answers they are: a teammate pressing Enter signs them as theirs (a new user's trial, session 25)
    assert (
        f"This branch's earlier record {record.relative_to(p.repo).as_posix()} no longer covers the change: inventory/jobs.py "
        f"changed since it was signed. Its answers (given by {signer}) are offered as the defaults: press Enter to keep "
        "one, or type a new answer; the record you sign makes each of them yours."
    ) in " ".join(shown.split())
    t.send("\r")
    t.answer(DETAILS + "decrements inventory.Product.stock", "")  # in the line; Enter keeps it
    t.expect("Does the logic assume sequential execution? [yes/no/n/a] (yes): ")
    # Only the answer given again is in the draft: the record's other answers were not accepted.
    assert ctrl_c_then_draft(t, p) == {"shared-state": Answer("yes", "decrements inventory.Product.stock")}


def test_a_file_flagged_since_the_record_is_named_with_its_findings_before_the_questions(project: Project) -> None:
    """A new user's trial: a file flagged after the record was signed, and Enter seven
    times re-signed the record's answers without the new finding ever being mentioned."""
    p = project
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    (record,) = records(p)
    rel = record.relative_to(p.repo).as_posix()
    commit(p.repo, {"inventory/restock.py": BRANCH_JOB.replace("reserve_stock", "restock")}, message="Restocking")
    t = term(p)
    shown = t.expect("Does this job touch shared state? [yes/no/n/a] (yes): ")
    said = " ".join(shown.split())
    assert f"This branch's earlier record {rel} no longer covers the change: inventory/restock.py is newly flagged." in said
    lines = shown.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("New since "))
    assert " ".join(" ".join(lines[at:at + 3]).split()) == (
        f"New since {rel} was signed (2 findings): its answers did not consider them. Answer each question for them "
        "too: an answer kept with Enter is signed as covering them."
    )
    assert lines[at + 3:at + 6] == [
        "  inventory/restock.py:7: DC101 job-code-changed [warning]",
        "  inventory/restock.py:10: DC301 lost-update [high]",
        "",
    ]
    # and beside each question's evidence, after the findings the record showed
    assert "  inventory/restock.py:10: DC301 lost-update [high] (new since the earlier record)" in lines
    assert "  inventory/jobs.py:10: DC301 lost-update [high]" in lines
    t.interrupt()
    assert t.wait() == 130


def test_check_force_over_a_valid_record_offers_its_answers_and_enter_keeps_each(project: Project) -> None:
    """Issue 18, point 4: `check --force` over a record that still covers the change asks
    again with every earlier answer offered; Enter through all of them signs the same answers."""
    p = project
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    (record,) = records(p)
    earlier = the_record(p).body.answers
    signer = the_record(p).signature.principal
    t = term(p, "--force")
    shown = t.expect("Does this job touch shared state? [yes/no/n/a] (yes): ")
    assert (
        f"This branch's record {record.relative_to(p.repo).as_posix()} still covers the change; you asked to assess it "
        f"again (--force). Its answers (given by {signer}) are offered as the defaults: press Enter to keep one, or type "
        "a new answer; the record you sign makes each of them yours."
    ) in " ".join(shown.split())
    t.send("\r")
    t.answer(DETAILS + "decrements inventory.Product.stock", "")
    t.answer("Does the logic assume sequential execution? [yes/no/n/a] (yes): ", "")
    t.answer(DETAILS + "read-modify-write of stock", "")
    t.answer("Has it been tested under concurrent load? [yes/no/n/a] (yes): ", "")
    t.answer(DETAILS + TEST_PATH, "")
    t.answer("Does the rollback procedure work without manual data correction? [yes/no/n/a] (yes): ", "")
    t.answer(ANSWER + "Two workers processing orders", "")  # one line: Enter keeps it, no "..." to end
    # The record's answer stands in the line, not a draft's (new-user trial, session 15)
    said = " ".join(t.text.split())
    assert "Enter on the first line keeps the earlier answer" in said and "the draft's answer" not in said
    t.answer(SIGN, "y")
    assert t.wait() == 0
    assert MORE not in t.text
    assert records(p) == [record]  # the branch's record, replaced
    assert the_record(p).body.answers == earlier
    assert earlier["silent-failure"] == Answer("Two workers processing orders for the same product at the same moment.")


def test_back_and_review_at_the_signing_prompt_reopen_the_answers(project: Project) -> None:
    """Issue 18: the walkthrough's moves work at "Sign and write the record?" too, and no answer is lost."""
    p = project
    t = at_the_signing_prompt(p)
    t.answer(SIGN, "review")
    review = t.expect("Edit which answer? Type its number, or Enter to finish: ")
    assert "  1. shared-state: yes · Product.stock" in review
    assert "  5. silent-failure: " + SILENT[:49] in review
    t.send("1\r")
    t.answer("Does this job touch shared state? [yes/no/n/a] (yes): ", "")
    t.answer(DETAILS + "Product.stock", "Product.stock and the nightly import")
    t.answer("Enter to finish: ", "")
    t.answer(SIGN, "back")  # back: the review again, as at a question
    t.answer("Enter to finish: ", "")
    t.answer(SIGN, "maybe")
    t.expect("Please answer y or n.")
    t.answer(SIGN, "y")
    assert t.wait() == 0
    answers = the_record(p).body.answers
    assert answers["shared-state"] == Answer("yes", "Product.stock and the nightly import")
    assert answers["sequential-assumption"] == Answer("yes", "a row lock")
    assert answers["silent-failure"] == Answer(SILENT)
    assert len(answers) == 5 and not draft_file(p).exists()


def test_ctrl_c_in_the_review_opened_at_the_signing_prompt_keeps_every_answer(project: Project) -> None:
    p = project
    t = at_the_signing_prompt(p)
    t.answer(SIGN, "help")
    assert "back or review: every answer, any of them edited by its number." in " ".join(t.expect(SIGN).split())
    t.send("back\r")
    t.expect("Enter to finish: ")
    answers = ctrl_c_then_draft(t, p)
    assert "interrupted; nothing was written. Your 5 answers are kept in the draft" in " ".join(t.text.split())
    assert len(answers) == 5 and records(p) == []


def test_declining_to_sign_says_where_the_answers_are_and_the_next_run_offers_them(project: Project) -> None:
    # Session 16's new-user trial: "Not signed; nothing was written." alone read as if the five
    # answers were lost, though the draft held them and the next run offered them.
    p = project
    t = at_the_signing_prompt(p)
    t.answer(SIGN, "n")
    assert t.wait() == 1
    said = " ".join(t.text.split())
    assert f"Not signed; nothing was written. Your 5 answers are kept in the draft {draft_file(p)}; run deploycheck again to resume." in said
    assert said.count("Not signed") == 1 and records(p) == []
    again = term(p)
    assert "with 5 answers?" in again.answer("answers? [y/n] (y): ", "")
    again.answer(SIGN, "y")
    assert again.wait() == 0
    assert the_record(p).body.answers["sequential-assumption"] == Answer("yes", "a row lock")


def test_a_complete_draft_beside_a_stale_record_is_not_told_the_record_s_answers_are_offered(project: Project) -> None:
    # argo's trial (session 36): "Every answer is in the draft: sign them" was followed by the stale
    # record's "Its answers are offered as the defaults: press Enter to keep one", and no question came.
    p = project
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "record")
    job = p.repo / "inventory" / "jobs.py"
    commit(p.repo, {"inventory/jobs.py": job.read_text() + "\n# one more change\n"}, message="more")
    t = term(p)
    for prompt, _keys in TO_CONTINUATION:  # Enter keeps each of the stale record's answers
        t.answer(prompt.removesuffix(": ") if prompt.endswith("]: ") else prompt, "")
    t.answer(SIGN, "n")  # the kept one-line answer asks for no continuation
    assert t.wait() == 1
    again = term(p)
    again.answer("answers? [y/n] (y): ", "y")
    shown = " ".join(again.expect(SIGN).split())
    assert "Every answer is in the draft: sign them" in shown
    assert "offered as the defaults" not in shown and "The record you sign replaces it, with the draft's answers." in shown
    again.send("y\r")
    assert again.wait() == 0


def test_a_draft_with_every_answer_resumes_at_the_signing_prompt(project: Project, tmp_path: Path) -> None:
    """A failed signature keeps all five answers in the draft; the next run asks no question
    again: it shows the answers and asks before signing (review still reaches them)."""
    import shutil

    p = project
    spare = tmp_path / "spare-key"
    shutil.copy(p.key, spare)
    t = at_the_signing_prompt(p)
    p.key.unlink()
    t.answer(SIGN, "y")
    assert t.wait() == 2
    shutil.copy(spare, p.key)
    again = term(p)
    again.answer("answers? [y/n] (y): ", "y")
    shown = again.expect(SIGN)
    assert "Every answer is in the draft: sign them, or type review to change one." in shown
    assert "Question 1 of 5" not in shown and "Your answers" in shown
    again.send("y\r")
    assert again.wait() == 0
    assert the_record(p).body.answers["sequential-assumption"] == Answer("yes", "a row lock")


def test_a_draft_for_a_changed_change_is_asked_again_from_the_first_question(project: Project) -> None:
    """A draft made before the flagged files changed is checked answer by answer (defaults only)."""
    p = project
    two_answers_then_ctrl_c(p, "Product.stock", "a row lock")
    commit(p.repo, {"inventory/jobs.py": BRANCH_JOB + "    return product.stock\n"}, message="Return the stock")
    t = term(p)
    offer = " ".join(t.answer("answers? [y/n] (y): ", "y").split())
    assert "The flagged files have changed since the draft was saved: check each answer again." in offer
    shown = " ".join(t.expect("Does this job touch shared state? [yes/no/n/a] (yes): ").split())
    assert "The draft's answers are the defaults: press Enter to keep one, or type a new answer." in shown
    t.send("\r")
    t.expect(DETAILS + "Product.stock")
    t.interrupt()
    assert t.wait() == 130


def test_the_prompt_library_is_loaded_only_by_the_walkthrough_at_a_terminal(project: Project) -> None:
    """prompt_toolkit costs ~200 ms to import: verify, scan and `check --answers` never load it,
    nor does importing the walkthrough's modules."""
    import sys

    code = (
        "import sys, runpy\n"
        "sys.argv = ['deploycheck'] + sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_module('deploycheck', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED', any(m.split('.')[0] == 'prompt_toolkit' for m in sys.modules), file=sys.stderr)\n"
    )
    answers = str(project.write_answers())
    for args in (["verify"], ["scan", "--format", "json"], ["check", "--answers", answers, "--yes", "--key", str(project.key)]):
        proc = subprocess.run([sys.executable, "-c", code, *args], cwd=project.repo, env=git_env(),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "LOADED False" in proc.stderr, (args, proc.stderr)
    proc = subprocess.run([sys.executable, "-c", "import sys, deploycheck.authoring.walkthrough, deploycheck.authoring.prompts; "
                           "print('prompt_toolkit' in sys.modules)"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.strip() == "False"


# --- the walk logic, driven by scripted input ---------------------------------------------------


def finding(rule: str, name: str, category: str, severity: str, line: int, questions: tuple[str, ...]) -> Finding:
    return Finding(rule, name, category, severity, "inventory/jobs.py", line, line, f"{name} here.", questions)


LOST_UPDATE = finding("DC301", "lost-update", "shared-state", "high", 10, ("shared-state", "sequential-assumption"))
MIGRATION = Finding(
    "DC501", "irreversible-migration", "migration", "high", "shop/migrations/0002_drop.py", 12, 12,
    "The migration drops a column and cannot be reversed.", ("rollback-safe",),
)


def make_walk(script: str, findings=(LOST_UPDATE,), files=None, config=Config(), checklist=None, previous=None):
    """A walk whose typed lines are ``script``, and the screen it prints on."""
    from rich.console import Console

    from deploycheck.authoring.walkthrough import Prompter, Walk

    files = {TEST_PATH: CONCURRENCY_TEST} if files is None else files
    screen = io.StringIO()
    console = Console(file=screen, width=100, markup=False, highlight=False, emoji=False, color_system=None)
    walk = Walk(
        checklist or load_builtin("background-jobs"), findings, config,
        lambda path: path in files, files.get, Prompter(console, io.StringIO(script)), previous=previous,
    )
    return walk, screen


def scripted_walk(script: str, **kwargs):
    """Run the walk with ``script`` as the typed lines; return (answers, transcript)."""
    walk, screen = make_walk(script, **kwargs)
    return walk.run(), screen.getvalue()


GOOD_TAIL = f"yes\n{TEST_PATH}\nyes\n{SILENT}\n.\n"


def test_scripted_walk_collects_answers_in_checklist_order() -> None:
    answers, screen = scripted_walk("yes\nProduct.stock\nYES\nrow lock\n" + GOOD_TAIL)
    assert answers == {
        "shared-state": Answer("yes", "Product.stock"),
        "sequential-assumption": Answer("yes", "row lock"),  # choices are case-insensitive
        "concurrency-tested": Answer("yes", TEST_PATH),
        "rollback-safe": Answer("yes"),
        "silent-failure": Answer(SILENT),
    }
    assert "Your answers" in screen


def test_scripted_invalid_choice_is_asked_again() -> None:
    answers, screen = scripted_walk("maybe\nyes\nProduct.stock\nyes\nrow lock\n" + GOOD_TAIL)
    assert "Please answer with one of the choices in square brackets." in screen
    assert answers["shared-state"] == Answer("yes", "Product.stock")


def test_rollback_na_with_a_migration_is_challenged_and_in_focus() -> None:
    script = f"yes\nshop.Order rows\nno\nno\nwe have no worker test rig yet\nn/a\nchange\nno\nre-add the column from the backup\n{SILENT}\n.\n"
    answers, screen = scripted_walk(script, findings=(MIGRATION,))
    screen = " ".join(screen.split())
    assert "In focus: rollback-safe is the question in focus for this change's migration findings." in screen
    assert "The answer 'n/a' to rollback-safe contradicts the findings (DC501 irreversible-migration" in screen
    assert answers["rollback-safe"] == Answer("no", "re-add the column from the backup")
    # only rollback-safe has the migration as evidence, and is the only question put in focus
    assert screen.count("In focus:") == 1


def test_test_details_must_name_an_existing_test_and_quiet_tests_warn_inline() -> None:
    files = {TEST_PATH: CONCURRENCY_TEST, "tests/test_plain.py": "def test_one():\n    assert True\n"}
    script = (
        "yes\nProduct.stock\nyes\nrow lock\n"
        "yes\ntests/test_missing.py\ntests/test_plain.py\n"  # a missing file is refused at once
        f"yes\n{SILENT}\n.\n"
    )
    answers, screen = scripted_walk(script, files=files)
    flat = " ".join(screen.split())
    assert "Not accepted: tests/test_missing.py does not exist in the head commit. Name a test file" in flat
    # The warning shows as the answer is given, before the next question, and is kept.
    assert flat.index("Warning: concurrency-tested: tests/test_plain.py shows no sign of concurrency") < flat.index("Question 4 of 5")
    assert answers["concurrency-tested"].details == "tests/test_plain.py"
    assert answers["concurrency-tested"].warning.startswith("concurrency-tested: tests/test_plain.py shows no sign")


def test_a_bare_answer_typed_as_details_changes_the_answer_and_a_refusal_says_how() -> None:
    script = (
        "yes\nProduct.stock\nyes\nrow lock\n"
        "yes\ntests/test_missing.py\nn\nno rig yet\n"  # a letter as at the choice prompt
        f"no\nN/A\n{SILENT}\n.\n"  # n/a needs no details: the walk goes on
    )
    answers, screen = scripted_walk(script)
    flat = " ".join(screen.split())
    assert "To change the answer 'yes', type no or n/a here, or back to answer the question again." in flat
    assert "Changed the answer from 'yes' to 'no': 'n' answers the question; it is not details for 'yes'." in flat
    assert "Changed the answer from 'no' to 'n/a'" in flat
    assert answers["concurrency-tested"] == Answer("no", "no rig yet")
    assert answers["rollback-safe"] == Answer("n/a")


def test_the_answer_itself_typed_as_its_details_is_refused() -> None:
    # Tusky's trial answered "no", typed `no` again as the details, and signed "no — no".
    script = (
        "yes\nProduct.stock\nyes\nrow lock\n"
        "no\nNo\nno rig yet\n"  # the answer itself, in any case, is no details
        f"yes\n{SILENT}\n.\n"
    )
    answers, screen = scripted_walk(script)
    flat = " ".join(screen.split())
    assert "Not accepted: 'No' is the answer itself, not details:" in flat
    assert answers["concurrency-tested"] == Answer("no", "no rig yet")


def test_free_text_must_be_a_sentence_and_may_span_lines() -> None:
    script = "yes\nProduct.stock\nyes\nrow lock\n" + f"yes\n{TEST_PATH}\nyes\n" + "too short\n.\nTwo workers,\nsame product.\n.\n"
    answers, screen = scripted_walk(script)
    assert "Not accepted: the answer to silent-failure must be at least a sentence" in " ".join(screen.split())
    assert answers["silent-failure"] == Answer("Two workers,\nsame product.")


def test_policy_block_refuses_an_answer_inline() -> None:
    config = Config(block=(PolicyRule("concurrency-tested", "no", "high", "test it first"),), source=".deploycheck/config.yaml")
    script = "yes\nProduct.stock\nyes\nrow lock\n" + f"no\nno rig\nyes\n{TEST_PATH}\nyes\n{SILENT}\n.\n"
    answers, screen = scripted_walk(script, config=config)
    assert "does not accept 'no' as the answer to concurrency-tested while a high-severity finding flags the change" in " ".join(screen.split())
    assert answers["concurrency-tested"] == Answer("yes", TEST_PATH)


def test_policy_required_details_are_asked_for() -> None:
    config = Config(require_details=(PolicyRule("rollback-safe", "yes", "always", "name the runbook"),))
    script = "yes\nProduct.stock\nyes\nrow lock\n" + f"yes\n{TEST_PATH}\nyes\nrunbook 12\n{SILENT}\n.\n"
    answers, screen = scripted_walk(script, config=config)
    assert "Details for 'yes': The policy asks for details with this answer (name the runbook)." in screen
    assert answers["rollback-safe"] == Answer("yes", "runbook 12")


def test_previous_answers_are_defaults_and_end_of_input_raises() -> None:
    previous = {"shared-state": Answer("yes", "Product.stock"), "silent-failure": Answer(SILENT)}
    walk, screen = make_walk("\n\nyes\n", previous=previous)
    with pytest.raises(EOFError):
        walk.run()
    assert walk.answers == {"shared-state": Answer("yes", "Product.stock")}  # what the draft keeps
    assert "Does this job touch shared state? [yes/no/n/a] (yes): " in screen.getvalue()


@pytest.mark.parametrize(
    "tail, half",
    [
        (f"{SILENT}\nand nobody notices\n", {"silent-failure": Answer(SILENT + "\nand nobody notices")}),
        ("no\n", {"concurrency-tested": Answer("no")}),  # its details never came
    ],
    ids=["free-text lines", "a choice awaiting details"],
)
def test_end_of_input_mid_answer_keeps_what_was_given_as_the_questions_half_given_answer(tail: str, half: dict[str, Answer]) -> None:
    head = "yes\nProduct.stock\nyes\nrow lock\n"
    if "silent-failure" in half:
        head += f"yes\n{TEST_PATH}\nyes\n"
    walk, _ = make_walk(head + tail)
    with pytest.raises(EOFError):
        walk.run()
    assert walk.pending == half and not set(half) & set(walk.answers)  # kept, but not as an answer


def test_a_resumed_half_typed_line_goes_on_where_it_stopped(project: Project) -> None:
    """A new user's trial (session 27): "Nothing is shared bet" stopped with Ctrl-C, resumed, and
    "ween runs…" typed after it was signed as "ween runs…": typing replaced the half-typed text."""
    p = project
    t = term(p)
    t.answer(Q_SHARED, "yes")
    t.expect(DETAILS)
    t.send("Product.stock is shared bet")
    t.expect("Product.stock is shared bet")
    t.interrupt()
    assert t.wait() == 130
    again = term(p)
    again.answer(RESUME, "y")
    again.answer(Q_SHARED, "")  # Enter takes the choice that stands in the line
    again.expect(DETAILS + "Product.stock is shared bet")
    again.send("ween the workers\r")
    again.answer(Q_SEQUENTIAL, "yes")
    again.answer(DETAILS, "a row lock in the follow-up change")
    answer_rest(again)
    assert again.wait() == 0
    assert the_record(p).body.answers["shared-state"] == Answer("yes", "Product.stock is shared between the workers")


def test_a_half_typed_choice_is_kept_and_resumed_in_its_line(project: Project) -> None:
    """Tusky's trial (session 35): `ye` typed at a choice, then Ctrl-C; the draft hint promises a
    half-typed answer is kept, and the draft held nothing of it."""
    p = project
    t = term(p)
    t.expect(Q_SHARED)
    t.send("ye")
    t.expect("ye")
    t.interrupt()
    assert t.wait() == 130
    again = term(p)
    again.answer(RESUME, "y")
    again.expect("Before stopping you had begun typing 'ye' at this question")
    again.answer(Q_SHARED + "ye", "s")  # typing goes on from its end
    again.answer(DETAILS, "Product.stock")
    again.answer(Q_SEQUENTIAL, "yes")
    again.answer(DETAILS, "a row lock in the follow-up change")
    answer_rest(again)
    assert again.wait() == 0
    assert the_record(p).body.answers["shared-state"] == Answer("yes", "Product.stock")


def test_stopping_at_an_earlier_answers_details_keeps_no_half_given_answer() -> None:
    """Enter on an earlier answer, then stop at its details: nothing new was typed, so nothing is
    kept to resume at (the answer itself is the draft's); without an earlier answer it is kept."""
    earlier = {"shared-state": Answer("yes", "Product.stock")}
    walk, _ = make_walk("\n", previous=earlier)
    with pytest.raises(EOFError):
        walk.run()
    assert walk.pending == {}
    walk, _ = make_walk("yes\n")
    with pytest.raises(EOFError):
        walk.run()
    assert walk.pending == {"shared-state": Answer("yes")}


def test_a_half_given_answer_is_asked_at_its_question_and_dropped_once_answered() -> None:
    walk, screen = make_walk(f"yes\n{TEST_PATH}\nyes\n{SILENT}\n.\n", previous=None)
    walk.answers = {"shared-state": Answer("yes", "Product.stock"), "sequential-assumption": Answer("yes", "row lock")}
    walk.pending = {"shared-state": Answer("no")}  # begun while editing an answer (review): resumed there
    assert walk.resume_at() == 0 and walk.first_unanswered() == 2
    walk.pending = {"concurrency-tested": Answer("no", "a load test")}
    assert walk.resume_at() == 2
    answers = walk.run()
    assert ("Before stopping you had begun this answer ('no', details as typed): its choice stands in the line; "
            "Enter takes it, then its details, as typed, stand in theirs, where typing goes on from their end "
            "(Ctrl-U clears them to type anew).") in " ".join(screen.getvalue().split())
    assert answers["concurrency-tested"] == Answer("yes", TEST_PATH) and walk.pending == {}


def test_a_half_given_choice_that_asks_no_details_is_not_told_of_details() -> None:
    """`no` to shared-state asks for no details: a new user's trial (session 37) was told "then its
    details are asked" at it, and none were."""
    from deploycheck.authoring.walkthrough import _begun_note

    shared = load_builtin("background-jobs").questions[0]
    assert _begun_note(shared, Answer("no")).endswith("its choice stands in the line; Enter takes it.")
    assert _begun_note(shared, Answer("yes")).endswith("Enter takes it, then its details are asked.")


def test_a_resumed_free_text_answer_is_kept_with_enter_or_replaced() -> None:
    head = "yes\nProduct.stock\nyes\nrow lock\n" + f"yes\n{TEST_PATH}\nyes\n"
    previous = {"silent-failure": Answer("Two workers,\nsame product.")}
    answers, screen = scripted_walk(head + "\n", previous=previous)
    assert answers["silent-failure"] == Answer("Two workers,\nsame product.")
    assert "Answer (Two workers,\\nsame product.): " in screen
    answers, _ = scripted_walk(head + f"{SILENT}\n.\n", previous=previous)
    assert answers["silent-failure"] == Answer(SILENT)


def test_untrusted_text_is_shown_inert() -> None:
    hostile = Finding("DC301", "lost-update", "shared-state", "high", "inv/\x1b[2Jjobs.py", 3, 3, "msg \x1b]0;pwn\x07", ("shared-state",))
    answers, screen = scripted_walk("yes\n\x1b[31mred\nyes\nrow lock\n" + GOOD_TAIL, findings=(hostile,))
    assert "\x1b" not in screen
    assert "inv/\\x1b[2Jjobs.py" in screen
    assert answers["shared-state"].details == "\x1b[31mred"  # stored as typed; the record escapes it


def test_a_checklist_from_a_file_drives_the_walk() -> None:
    checklist = parse_checklist(TEAM_CHECKLIST, "team.yaml", "team")
    answers, screen = scripted_walk("no\nNobody needs to watch, it is a no-op job.\n.\n", checklist=checklist)
    assert answers == {"queue-drained": Answer("no"), "owner": Answer("Nobody needs to watch, it is a no-op job.")}
    assert "Must the queue be drained before deploying? [yes/no]: no" in screen


def test_the_answers_table_never_folds_a_path_while_it_can_fit() -> None:
    """The Answer column yields what the longest word of the details needs; folding mid-word
    is left for a terminal too narrow for the word at all."""
    from rich.console import Console

    from deploycheck.authoring.walkthrough import summary_table

    answers = {
        "shared-state": Answer("yes", "decrements inventory.Product.stock, which the checkout API also writes"),
        "concurrency-tested": Answer("yes", TEST_PATH),
        "silent-failure": Answer(SILENT),
    }

    def shown(width: int) -> list[str]:
        screen = io.StringIO()
        console = Console(file=screen, width=width, markup=False, highlight=False, emoji=False, color_system=None)
        console.print(summary_table(load_builtin("background-jobs"), answers, width))
        return [line.rstrip() for line in screen.getvalue().splitlines()]

    assert shown(100)[4:] == [
        "│ shared-state          │ yes                                │ decrements inventory.Product.stock, │",
        "│                       │                                    │ which the checkout API also writes  │",
        "│ sequential-assumption │ (not answered)                     │                                     │",
        "│ concurrency-tested    │ yes                                │ tests/test_inventory_concurrency.py │",
        "│ rollback-safe         │ (not answered)                     │                                     │",
        "│ silent-failure        │ Two workers reserving the same     │                                     │",
        "│                       │ product at the same moment sell    │                                     │",
        "│                       │ stock twice.                       │                                     │",
        "└───────────────────────┴────────────────────────────────────┴─────────────────────────────────────┘",
    ]
    assert "│ concurrency-tested    │ yes            │ tests/test_inventory_concurrency.py │" in shown(80)
    # 60 columns leave 27 for two cells: the 35-character path has to fold (the last resort),
    # and the Answer column keeps only the width of its longest word.
    narrow = shown(60)
    at = narrow.index("│ concurrency-tested    │ yes       │ tests/test_inventory │")
    assert narrow[at + 1] == "│                       │           │ _concurrency.py      │"


def test_scripted_shortcuts_and_moves_take_the_same_path() -> None:
    """The scripted prompter accepts what the terminal one does: letters for choices, and the
    moves back and help (review is driven through the terminal above)."""
    script = "help\ny\nProduct.stock\nback\n\n\nY\nrow lock\n" + f"yes\n{TEST_PATH}\nyes\n{SILENT}\n.\n"
    answers, screen = scripted_walk(script)
    assert "Help · shared-state" in screen
    assert screen.count("Does this job touch shared state? [yes/no/n/a]") == 3  # help, then back
    assert "Does this job touch shared state? [yes/no/n/a] (yes): " in screen
    assert answers["shared-state"] == Answer("yes", "Product.stock")
    assert answers["sequential-assumption"] == Answer("yes", "row lock")


def test_a_scripted_yes_no_takes_yes_and_no() -> None:
    from rich.console import Console

    from deploycheck.authoring.walkthrough import Prompter

    console = Console(file=io.StringIO(), width=100, markup=False, highlight=False, emoji=False, color_system=None)
    replies = [Prompter(console, io.StringIO(typed + "\n")).confirm("Sign?") for typed in ("y", "Y", "yes", "YES", "n", "No")]
    assert replies == [True, True, True, True, False, False]


def test_a_scripted_confirmation_takes_moves_only_when_asked() -> None:
    from rich.console import Console

    from deploycheck.authoring.prompts import Move
    from deploycheck.authoring.walkthrough import Prompter

    screen = io.StringIO()
    console = Console(file=screen, width=100, markup=False, highlight=False, emoji=False, color_system=None)
    with pytest.raises(Move) as move:
        Prompter(console, io.StringIO("review\n")).confirm("Sign?", moves=True)
    assert move.value.kind == "review"
    assert Prompter(console, io.StringIO("back\ny\n")).confirm("Sign?") is True  # without moves: not an answer
    assert "Please answer y or n." in screen.getvalue()


def test_a_resumed_answer_is_taken_only_when_the_walk_would_accept_it() -> None:
    walk, _ = make_walk("")
    taken = walk.take({
        "shared-state": Answer("no"),  # contradicts the lost update, with no explanation: asked again
        "sequential-assumption": Answer("yes", "row lock"),
        "concurrency-tested": Answer("yes", "tests/missing.py"),  # names no test at head: asked again
        "silent-failure": Answer(SILENT),
    })
    assert taken == ["sequential-assumption", "silent-failure"]
    assert walk.first_unanswered() == 0
    explained = make_walk("")[0]
    assert explained.take({"shared-state": Answer("no", None, "Rows belong to one worker only, by routing.")}) == ["shared-state"]
    assert explained.first_unanswered() == 1


def test_a_dumb_terminal_asks_again_with_an_empty_line(project: Project) -> None:
    # New-user trial, session 10: at TERM=dumb (Emacs' shell, some IDE consoles) the rejected
    # answer stood invisibly in the line and every later answer was appended to it: only Ctrl-C
    # got out. Now the question is asked again with an empty line.
    p = project
    t = term(p, env_extra={"TERM": "dumb"})
    t.answer(Q_SHARED, "x")
    t.expect("Please answer with one of the choices")
    t.answer(Q_SHARED, "y")
    t.answer(DETAILS, "Product.stock")
    t.expect(Q_SEQUENTIAL)
    assert ctrl_c_then_draft(t, p) == {"shared-state": Answer("yes", "Product.stock")}


def test_a_rejected_choice_is_not_left_in_the_line(project: Project) -> None:
    # New-user trial, session 26 (diaspora): after "maybe" was refused, the question came back
    # with "maybe" still typed, so Enter refused it again and "y" made "maybey".
    p = project
    t = term(p)
    t.answer(Q_SHARED, "maybe")
    t.expect("Please answer with one of the choices")
    t.answer(Q_SHARED, "y")
    t.answer(DETAILS, "Product.stock")
    t.expect(Q_SEQUENTIAL)
    assert ctrl_c_then_draft(t, p) == {"shared-state": Answer("yes", "Product.stock")}


@pytest.mark.parametrize("quiet", [True, False])
def test_after_ctrl_c_an_object_the_interrupt_left_half_built_prints_nothing(quiet: bool) -> None:
    # CI, session 15: Ctrl-C landed while prompt_toolkit built its event loop at TERM=dumb; the
    # half-built loop's destructor failed at exit and Python printed "Exception ignored" with a
    # traceback, and a warning about the coroutine never run. After exit 130 stderr says one line.
    import sys

    script = ("import warnings, deploycheck.__main__ as m\n"
              "class HalfBuiltLoop:\n    def __del__(self):\n        raise AttributeError('_signal_handlers')\n"
              "loop = HalfBuiltLoop()\n" + ("m.quiet_teardown()\n" if quiet else "") +
              "warnings.warn('coroutine never awaited', RuntimeWarning)\ndel loop\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert (done.stderr == "") is quiet, done.stderr


def test_a_record_signed_with_an_untrusted_key_offers_its_answers_when_signing_again(project: Project) -> None:
    """A new user's trial (session 28): a record signed with a key the base does not trust still
    covers the change; signing again with the trusted key asked all five questions from scratch."""
    from support.dcflow import make_key

    p = project
    other, _ = make_key(p.repo.parent / "other")
    t = term(p, key=other)
    answer_all(t)
    assert t.wait() == 0
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    assert run_dc(p.repo, "verify", "--base", "main").returncode == 1
    again = term(p)
    shown = " ".join(again.expect(Q_SHARED.replace("]: ", "] (yes): ")).split())
    assert "still covers the change, but the gate does not accept it" in shown
    again.send("\r")  # Enter keeps the untrusted record's answer, and each detail after it
    again.answer(DETAILS, "")
    again.answer(Q_SEQUENTIAL.replace("]: ", "] (yes): "), "")
    again.answer(DETAILS, "")
    again.answer(Q_TESTED.replace("]: ", "] (yes): "), "")
    again.answer(DETAILS, "")
    again.answer(Q_ROLLBACK.replace("]: ", "] (yes): "), "")
    again.answer(ANSWER, "")
    again.answer(SIGN, "y")
    assert again.wait() == 0
    assert the_record(p).body.answers["sequential-assumption"] == Answer("yes", "a row lock in the follow-up change")
    git(p.repo, "commit", "-q", "-am", "Record the assessment again")
    assert run_dc(p.repo, "verify", "--base", "main").returncode == 0


def test_ctrl_c_inside_a_callback_python_cannot_raise_from_prints_no_traceback() -> None:
    """A fresh clone's CI (session 28): Ctrl-C at a dumb terminal landed in a weak reference's
    callback during garbage collection; Python printed "Exception ignored" with a traceback. The
    entry point's hook keeps that one quiet, and leaves any other error to Python."""
    from types import SimpleNamespace

    from deploycheck.__main__ import _quiet_interrupt

    seen: list = []
    _quiet_interrupt(SimpleNamespace(exc_type=KeyboardInterrupt), seen.append)
    _quiet_interrupt(SimpleNamespace(exc_type=ValueError), seen.append)
    assert [u.exc_type for u in seen] == [ValueError]


def test_a_go_package_pattern_in_the_test_command_must_exist() -> None:
    # portainer (a new user's trial, session 33): `go test -race ./dataservices/...` was signed as the
    # concurrency test though the repository has no such folder.
    files = {"store": "", "store/store_race_test.go": "package store\n"}
    script = (
        "yes\nProduct.stock\nyes\nrow lock\n"
        "yes\ngo test -race ./dataservices/...\ngo test -race ./store/...\n"
        f"yes\n{SILENT}\n.\n"
    )
    answers, screen = scripted_walk(script, files=files)
    flat = " ".join(screen.split())
    assert "Not accepted: dataservices does not exist in the head commit." in flat
    assert answers["concurrency-tested"].details == "go test -race ./store/..."
