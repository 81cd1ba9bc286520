"""Answer drafts: exact file format, strict reading, and where they live in real repositories
(including a linked worktree)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gitrepo import git, make_repo

from deploycheck.checklist.answers import Answer
from deploycheck.authoring.drafts import (
    Draft, delete_draft, discard, draft_path, load_draft, parse_draft, render_draft, save_draft,
)
from deploycheck.errors import ConfigError

DRAFT = Draft(
    saved="2026-01-02T03:04:05Z",
    branch="feature/Stock_refactor",
    checklist="background-jobs",
    checklist_version=1,
    fingerprint="ab" * 32,
    answers={
        "shared-state": Answer("no", None, 'Rows are "owned" by one worker.'),
        "concurrency-tested": Answer("yes", "tests/test_plain.py", None, "tests/test_plain.py shows no sign of concurrency"),
        "silent-failure": Answer("Two workers,\nthe same product."),
    },
)


def test_render_is_the_exact_documented_layout() -> None:
    assert render_draft(DRAFT).decode() == (
        "deploycheck_draft: 1\n"
        'saved: "2026-01-02T03:04:05Z"\n'
        'branch: "feature/Stock_refactor"\n'
        'checklist: "background-jobs"\n'
        "checklist_version: 1\n"
        f'fingerprint: "{"ab" * 32}"\n'
        "answers:\n"
        '  "shared-state":\n'
        '    answer: "no"\n'
        '    rebuttal: "Rows are \\"owned\\" by one worker."\n'
        '  "concurrency-tested":\n'
        '    answer: "yes"\n'
        '    details: "tests/test_plain.py"\n'
        '    warning: "tests/test_plain.py shows no sign of concurrency"\n'
        '  "silent-failure":\n'
        "    answer: |-\n"
        "      Two workers,\n"
        "      the same product.\n"
    )


def test_round_trip_keeps_every_answer_exactly() -> None:
    hostile = Draft("2026-01-02T03:04:05Z", "b", "c", 2, "f", {"q": Answer("yes", "\x1b[2J\ttab  ", "signature: x\n- y")})
    for draft in (DRAFT, hostile, Draft("2026-01-02T03:04:05Z", "b", "c", 1, "f", {})):
        assert parse_draft(render_draft(draft), "d.yaml") == draft


def test_a_half_given_answer_is_kept_apart_from_the_answers_and_an_older_draft_still_reads() -> None:
    """Session 17: what was typed for a question not finished is the draft's ``pending``, in the
    answers' layout after them; a draft without it (every draft before) reads with none."""
    half = Draft("2026-01-02T03:04:05Z", "b", "c", 1, "f", {"shared-state": Answer("yes", "Product.stock")},
                 {"silent-failure": Answer("Two workers,\nthe same"), "concurrency-tested": Answer("no", "a load test", "why")})
    text = render_draft(half).decode()
    assert text.endswith(
        "answers:\n"
        '  "shared-state":\n'
        '    answer: "yes"\n'
        '    details: "Product.stock"\n'
        "pending:\n"
        '  "silent-failure":\n'
        "    answer: |-\n"
        "      Two workers,\n"
        "      the same\n"
        '  "concurrency-tested":\n'
        '    answer: "no"\n'
        '    details: "a load test"\n'
        '    rebuttal: "why"\n'
    )
    assert parse_draft(text.encode(), "d.yaml") == half
    older = render_draft(DRAFT)  # no pending: the layout every earlier draft has
    assert b"pending" not in older
    assert parse_draft(older, "d.yaml").pending == {}
    assert parse_draft(older, "d.yaml").answers == DRAFT.answers
    pending_only = Draft("2026-01-02T03:04:05Z", "b", "c", 1, "f", {}, {"q": Answer("no")})
    assert parse_draft(render_draft(pending_only), "d.yaml") == pending_only


@pytest.mark.parametrize(
    "text, message",
    [
        ("deploycheck_draft: 2\nsaved: x\nbranch: b\nchecklist: c\nchecklist_version: 1\nfingerprint: f\nanswers: {}\n",
         "d.yaml, line 1: unknown draft version."),
        ("deploycheck_draft: 1\nsaved: x\nbranch: b\nchecklist: c\nchecklist_version: 1\nfingerprint: f\nanswers: {}\nextra: 1\n",
         "d.yaml, line 8: unknown key 'extra' in the draft."),
        ("deploycheck_draft: 1\nsaved: x\nbranch: b\nchecklist: c\nchecklist_version: 1\nfingerprint: f\nanswers:\n  q: {answer: yes, note: x}\n",
         "d.yaml, line 8: unknown key 'note' in the answer to q."),
        ("deploycheck_draft: 1\nsaved: x\nbranch: b\nchecklist: c\nchecklist_version: 1\nfingerprint: f\nanswers: {}\npending:\n  q: {details: x}\n",
         "d.yaml, line 9: the half-given answer to q is missing the required key 'answer'."),
        ("", "d.yaml is empty."),
    ],
)
def test_damaged_drafts_are_refused_with_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_draft(text.encode(), "d.yaml")
    assert err.value.message.startswith(message)


def test_save_load_delete_in_a_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    path = save_draft(str(repo), DRAFT)
    assert path == repo / ".git" / "deploycheck" / "drafts" / "feature-stock-refactor.yaml"
    assert path.read_bytes() == render_draft(DRAFT)
    assert load_draft(str(repo), "feature/Stock_refactor") == DRAFT
    assert load_draft(str(repo), "feature/stock-refactor") is None  # same slug, another branch
    assert git(repo, "status", "--porcelain") == ""  # never in the work tree
    assert delete_draft(str(repo), "feature/Stock_refactor") is True
    assert delete_draft(str(repo), "feature/Stock_refactor") is False
    assert load_draft(str(repo), "feature/Stock_refactor") is None


def test_discard_removes_the_current_branchs_draft(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    git(repo, "checkout", "-q", "-b", "feature/Stock_refactor")
    save_draft(str(repo), DRAFT)
    assert discard(str(repo)) is True
    assert not draft_path(str(repo), DRAFT.branch).exists()


def test_a_damaged_draft_is_ignored_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "repo")
    path = draft_path(str(repo), "main")
    path.parent.mkdir(parents=True)
    path.write_text("deploycheck_draft: [unclosed\n")
    assert load_draft(str(repo), "main") is None
    err = "".join(capsys.readouterr().err.split())  # Rich may wrap the long path anywhere
    assert f"deploycheck:warning:ignoringadamageddraft({path},line2:invalidYAML" in err
    assert err.endswith(";startingthechecklistafresh.")


def test_each_worktree_keeps_its_own_drafts(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", "-b", "feature/Stock_refactor", str(other))
    path = save_draft(str(other), DRAFT)
    assert path.resolve() == (repo / ".git" / "worktrees" / "other" / "deploycheck" / "drafts" / "feature-stock-refactor.yaml").resolve()
    assert load_draft(str(other), DRAFT.branch) == DRAFT
    assert load_draft(str(repo), DRAFT.branch) is None
