"""Answer drafts: an interrupted checklist is kept so the next run can resume it.

A draft lives in git's own folder, never in the work tree, so it is not committed or staged by
accident: ``$(git rev-parse --git-path deploycheck)/drafts/<branch-slug>.yaml`` (per worktree,
since ``--git-path`` resolves there). It holds the answers given so far, in the layout a record
uses for answers, plus when it was saved, the checklist it answers and the change fingerprint it
was made for. ``pending`` (optional, in the same layout) holds what was typed for a question whose
answer was not finished when the author stopped (the lines of a free-text answer before its
``.``, a choice whose details were not given yet): offered at that question on resume, never an
answer (not counted, not signed, not skipped). A draft without it (older ones) reads as before.
It is written atomically (``record.write_record_atomic``), replaced after every answer, and
deleted once a record is written.

A draft is a convenience, not evidence: nothing in it is signed or trusted. It is read back with
the strict loader; a damaged or foreign draft is ignored (with a warning), never an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from ..util import yamlload as Y
from ..checklist.answers import Answer
from ..errors import ConfigError

SCHEMA_VERSION = 1
MAX_BYTES = 200_000
_REQUIRED_KEYS = ("deploycheck_draft", "saved", "branch", "checklist", "checklist_version", "fingerprint", "answers")
_TOP_KEYS = (*_REQUIRED_KEYS, "pending")
_ANSWER_KEYS = ("answer", "details", "rebuttal", "warning")


@dataclass(frozen=True)
class Draft:
    saved: str  # UTC, 2026-01-01T12:00:00Z
    branch: str
    checklist: str
    checklist_version: int
    fingerprint: str
    answers: dict[str, Answer] = field(default_factory=dict)
    pending: dict[str, Answer] = field(default_factory=dict)  # half-given answers, by question


# --- pure: text <-> Draft ------------------------------------------------------------------------


def render_draft(draft: Draft) -> bytes:
    """The draft as YAML; every string quoted (or a literal block), as in records."""
    from ..records.record import quote

    out = [
        f"deploycheck_draft: {SCHEMA_VERSION}\n",
        f"saved: {quote(draft.saved)}\n",
        f"branch: {quote(draft.branch)}\n",
        f"checklist: {quote(draft.checklist)}\n",
        f"checklist_version: {int(draft.checklist_version)}\n",
        f"fingerprint: {quote(draft.fingerprint)}\n",
        "answers:\n" if draft.answers else "answers: {}\n",
    ]
    _render_answers(out, draft.answers)
    if draft.pending:  # only when there is one: a draft without it reads as it always did
        out.append("pending:\n")
        _render_answers(out, draft.pending)
    return "".join(out).encode("utf-8")


def _render_answers(out: list[str], answers: dict[str, Answer]) -> None:
    from ..records.record import _text, quote

    for qid, answer in answers.items():
        out.append(f"  {quote(qid)}:\n")
        out.append(f"    answer: {_text(answer.answer, '      ')}")
        for key in _ANSWER_KEYS[1:]:
            value = getattr(answer, key)
            if value is not None:
                out.append(f"    {key}: {_text(value, '      ')}")


def parse_draft(data: bytes, source: str) -> Draft:
    """Read a draft strictly; any damage raises ConfigError naming the file and line."""
    root = Y.compose(data, source, max_bytes=MAX_BYTES, max_depth=4)
    if root is None:
        raise ConfigError(f"{source} is empty.")
    top = Y.as_map(root, source, "the draft", _TOP_KEYS, _REQUIRED_KEYS)
    if Y.as_int(top["deploycheck_draft"], source, "deploycheck_draft") != SCHEMA_VERSION:
        raise ConfigError(f"{Y.where(source, top['deploycheck_draft'])}: unknown draft version.")
    answers = _parse_answers(top["answers"], source, "answers")
    pending = _parse_answers(top["pending"], source, "pending") if "pending" in top else {}
    s = lambda key: Y.as_str(top[key], source, key)  # noqa: E731 - a one-line reader for the lines below
    return Draft(
        saved=s("saved"),
        branch=s("branch"),
        checklist=s("checklist"),
        checklist_version=Y.as_int(top["checklist_version"], source, "checklist_version", minimum=1),
        fingerprint=s("fingerprint"),
        answers=answers,
        pending=pending,
    )


def _parse_answers(node: object, source: str, what: str) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for qid, entry in Y.as_map(node, source, what).items():
        m = Y.as_map(entry, source, f"the {'half-given ' if what == 'pending' else ''}answer to {qid}", _ANSWER_KEYS, ("answer",))
        opt = lambda key: Y.optional(m, key, lambda n: Y.as_str(n, source, f"{qid}.{key}"))  # noqa: E731, B023 - called before the loop moves on
        answers[qid] = Answer(Y.as_str(m["answer"], source, f"{qid}.answer"), opt("details"), opt("rebuttal"), opt("warning"))
    return answers


# --- the edges: where drafts live ----------------------------------------------------------------


def drafts_dir(root: str) -> Path:
    """``<git dir>/deploycheck/drafts``, resolved by git so worktrees get their own."""
    from ..git import gitcmd

    rel = gitcmd.output(["rev-parse", "--git-path", "deploycheck"], root)
    return Path(root, rel) / "drafts"


def draft_path(root: str, branch: str) -> Path:
    from ..records.record import slugify

    return drafts_dir(root) / f"{slugify(branch)}.yaml"


def save_draft(root: str, draft: Draft) -> Path:
    from ..records.record import write_record_atomic

    path = draft_path(root, draft.branch)
    write_record_atomic(path, render_draft(draft))
    return path


def load_draft(root: str, branch: str) -> Draft | None:
    """The branch's draft, or None when there is none or it cannot be used (then a warning)."""
    from ..output.console import warn

    path = draft_path(root, branch)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        warn(f"cannot read the draft {path}: {exc.strerror}; starting the checklist afresh.")
        return None
    try:
        draft = parse_draft(data, str(path))
    except ConfigError as exc:
        warn(f"ignoring a damaged draft ({exc.message}); starting the checklist afresh.")
        return None
    if draft.branch != branch:  # two branch names with the same slug
        return None
    return draft


def delete_draft(root: str, branch: str) -> bool:
    """Remove the branch's draft (a record was written); True when there was one."""
    try:
        os.unlink(draft_path(root, branch))
        return True
    except FileNotFoundError:
        return False


def discard(root: str) -> bool:
    """A record was written for the current branch: its draft has served its purpose."""
    from .assess import branch_name

    return delete_draft(root, branch_name(root))
