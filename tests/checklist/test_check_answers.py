"""`deploycheck check --answers FILE`: at a terminal without --yes it shows the answers and asks
before signing, as the walkthrough does; without a terminal it signs (scripts, hooks, CI); and a
warning about the answers is kept in the record as the walkthrough keeps it.

Real repositories, a real ed25519 key and a real pseudo-terminal (``ptydrive``); no mocks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.dcflow import ANSWERS, FLAGGED_FILES, Project, git_env, make_project
from support.gitrepo import commit, git
from support.ptydrive import Terminal

from deploycheck.checklist.answers import Answer
from deploycheck.records.record import parse_record

SIGN = "Sign and write the record? [y/n] (y): "
QUIET_TEST = "tests/test_reserve.py"  # a test that runs nothing concurrently
QUIET_WARNING = (
    f"concurrency-tested: {QUIET_TEST} shows no sign of concurrency (threads, processes, asyncio.gather, "
    "several workers); make sure the test really runs workers against the same data at the same time."
)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = make_project(tmp_path)
    git(p.repo, "checkout", "-q", "-b", "feature")
    commit(p.repo, {**FLAGGED_FILES, QUIET_TEST: "def test_reserve():\n    assert True\n"}, message="Refactor stock reservation")
    return p


def answers_file(p: Project, text: str = ANSWERS) -> Path:
    path = p.repo.parent / "answers.yaml"
    path.write_text(text)
    return path


def quiet_answers(p: Project) -> Path:
    return answers_file(p, ANSWERS.replace("tests/test_inventory_concurrency.py", QUIET_TEST))


def term(p: Project, *args: str, columns: int = 100) -> Terminal:
    env = git_env()
    env.update(COLUMNS=str(columns), NO_COLOR="1", TERM="xterm")
    return Terminal(["check", "--key", str(p.key), *args], p.repo, env, columns=columns)


def records(p: Project) -> list[Path]:
    folder = p.repo / ".deploycheck" / "records"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def the_answers(p: Project) -> dict[str, Answer]:
    (path,) = records(p)
    return parse_record(path.read_bytes(), str(path)).body.answers


def flat(text: str) -> str:
    return " ".join(text.split())


# The answers shown before the question at 80 columns: the Answer column gives the Details
# column the width the test's path needs, so the path is never folded in the middle.
TABLE_AT_80 = """\
Your answers
┏━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Question              ┃ Answer         ┃ Details                             ┃
┡━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ shared-state          │ yes            │ decrements inventory.Product.stock  │
│ sequential-assumption │ yes            │ read-modify-write of stock; guarded │
│                       │                │ by a row lock in the follow-up      │
│ concurrency-tested    │ yes            │ tests/test_inventory_concurrency.py │
│ rollback-safe         │ yes            │                                     │
│ silent-failure        │ Two workers    │                                     │
│                       │ processing     │                                     │
│                       │ orders for the │                                     │
│                       │ same product   │                                     │
│                       │ at the same    │                                     │
│                       │ moment.        │                                     │
└───────────────────────┴────────────────┴─────────────────────────────────────┘

Sign and write the record? [y/n] (y): \
"""


def test_at_a_terminal_the_answers_are_shown_and_yes_signs(project: Project) -> None:
    p = project
    t = term(p, "--answers", str(answers_file(p)), columns=80)
    shown = t.answer(SIGN, "y")
    assert t.wait() == 0
    # `check --answers` is the assessment: its scan verdict does not ask to run deploycheck
    after_scan = shown.split("background-jobs checklist.\n\n", 1)[1]
    assert "\n".join(line.rstrip() for line in after_scan.split("\n")) == TABLE_AT_80.rstrip(" ")
    (path,) = records(p)
    rel = path.relative_to(p.repo).as_posix()
    assert f"Wrote {rel}, signed by dev@example.com, and staged it." in flat(t.text)
    assert the_answers(p)["rollback-safe"] == Answer("yes")


def test_at_a_terminal_no_signs_nothing_and_exits_1(project: Project) -> None:
    p = project
    t = term(p, "--answers", str(answers_file(p)))
    t.answer(SIGN, "n")
    assert t.wait() == 1
    assert t.text.rstrip().splitlines()[-1] == "Not signed; nothing was written."
    assert records(p) == []
    assert git(p.repo, "status", "--porcelain") == ""


def test_at_a_terminal_ctrl_c_at_the_confirmation_signs_nothing_and_exits_130(project: Project) -> None:
    p = project
    path = answers_file(p)
    t = term(p, "--answers", str(path))
    t.expect(SIGN)
    t.interrupt()
    assert t.wait() == 130
    message = flat(t.text).rsplit("deploycheck: ", 1)[1]
    assert message == (
        f"interrupted before signing; nothing was written. The answers in {path} are unchanged; "
        "run deploycheck again to sign them."
    )
    assert "Traceback" not in t.text
    assert records(p) == []
    assert git(p.repo, "status", "--porcelain") == ""


def test_at_a_terminal_yes_signs_without_asking(project: Project) -> None:
    p = project
    t = term(p, "--answers", str(answers_file(p)), "--yes")
    assert t.wait() == 0
    assert "Sign and write the record?" not in t.text
    assert "Your answers" not in t.text
    assert len(records(p)) == 1


def test_without_a_terminal_the_answers_are_signed_without_asking(project: Project) -> None:
    """docs/configuration.md, 'Answers file': scripts and hooks have nobody to ask."""
    p = project
    proc = subprocess.run(
        [sys.executable, "-m", "deploycheck", "check", "--answers", str(answers_file(p)), "--key", str(p.key)],
        cwd=p.repo, env=git_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Sign and write the record?" not in proc.stdout
    (path,) = records(p)
    assert f"Wrote {path.relative_to(p.repo).as_posix()}, signed by dev@example.com, and staged it." in flat(proc.stdout)


def test_a_quiet_concurrency_test_is_warned_about_and_the_warning_is_kept_in_the_record(project: Project) -> None:
    p = project
    proc = subprocess.run(
        [sys.executable, "-m", "deploycheck", "check", "--answers", str(quiet_answers(p)), "--yes", "--key", str(p.key)],
        cwd=p.repo, env=git_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"deploycheck: warning: {QUIET_WARNING}" in flat(proc.stderr)
    assert the_answers(p)["concurrency-tested"] == Answer("yes", QUIET_TEST, None, QUIET_WARNING)
    # The others carry no warning.
    assert [qid for qid, a in the_answers(p).items() if a.warning] == ["concurrency-tested"]


def test_the_stored_warning_is_the_one_the_walkthrough_stores() -> None:
    """One function attaches warnings for both paths; a question's warnings are joined."""
    from deploycheck.checklist.answers import keep_warnings

    answers = {"shared-state": Answer("yes", "x"), "concurrency-tested": Answer("yes", QUIET_TEST)}
    assert keep_warnings(answers, [QUIET_WARNING, "concurrency-tested: second."]) == {
        "shared-state": Answer("yes", "x"),
        "concurrency-tested": Answer("yes", QUIET_TEST, None, QUIET_WARNING + " concurrency-tested: second."),
    }


def test_a_broken_answers_file_fails_before_the_scan_is_printed(project: Project) -> None:
    """Found by a new-user trial: the error came after 40 lines of findings."""
    p = project
    proc = subprocess.run(
        [sys.executable, "-m", "deploycheck", "check", "--answers", str(answers_file(p, "shared-state: [yes\n")), "--key", str(p.key), "--yes"],
        cwd=p.repo, env=git_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.returncode == 2
    assert "invalid YAML" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""  # no findings printed above the error
    assert records(p) == []


def test_the_block_printed_after_signing_says_claim_vs_change_as_summary_does(project: Project) -> None:
    """Found by a new-user trial: `summary` said it, the block `check` prints did not."""
    p = project  # its commit message says "Refactor stock reservation"
    proc = subprocess.run(
        [sys.executable, "-m", "deploycheck", "check", "--answers", str(answers_file(p)), "--key", str(p.key)],
        cwd=p.repo, env=git_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    block = proc.stdout[proc.stdout.index("## Concurrency considerations"):]
    assert "**Claim vs change:** commit " in block and "says 'Refactor', but" in block
    summary = subprocess.run([sys.executable, "-m", "deploycheck", "summary"], cwd=p.repo, env=git_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    claim = next(line for line in block.splitlines() if line.startswith("**Claim vs change:**"))
    assert claim in summary.stdout, summary.stdout + summary.stderr


def test_a_reader_that_goes_away_still_gets_the_record_written(project: Project) -> None:
    # A new user's trial: `deploycheck check --answers F --yes | head -2` ended with no record,
    # exit 1 and nothing on stderr (Rich exits on a broken pipe). The record is what the command
    # is for; the report is dropped. Here stdout is a pipe whose reader has already gone, so the
    # first write fails, as in the trial, whatever the machine's speed.
    p = project
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "deploycheck", "check", "--key", str(p.key),
                               "--answers", str(answers_file(p)), "--yes"],
                              cwd=p.repo, env=git_env(), stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert len(records(p)) == 1, proc.stderr
    assert proc.returncode == 0 and proc.stderr == ""
