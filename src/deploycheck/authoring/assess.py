"""Turn answers into a signed record on disk: the one path both `check --answers` and the
interactive walkthrough end in. I/O lives here (git, keys, files); decisions are elsewhere."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..git import gitcmd
from .. import __version__
from ..checklist.answers import Answer, validate_answers
from ..checklist.checklist import Checklist, checklist_digest
from ..analysis.pipeline import Context
from ..errors import ConfigError
from ..analysis.fingerprint import VERSION as FINGERPRINT_VERSION
from ..analysis.fingerprint import fingerprint
from ..records.record import (
    Author, BaseInfo, ChecklistRef, FingerprintInfo, RecordBody, SignatureInfo, ToolInfo,
    answers_in_order, attach_signature, branch_anchor, build_body, choose_record_path, git_dir,
    pause_point, record_lock, record_name, utc_now, write_record_atomic,
)
from ..records.record import RECORDS_DIR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..checklist.testevidence import TestRun
    from ..records.signing import KeySpec


@dataclass
class Written:
    path: str  # repository-relative
    staged: bool
    signer: str


def branch_name(root: str) -> str:
    name = gitcmd.run(["symbolic-ref", "--quiet", "--short", "HEAD"], root, check=False).stdout.decode("utf-8", "replace").strip()
    if name:
        return name
    for var in ("GITHUB_HEAD_REF", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_REF_NAME"):
        if os.environ.get(var):
            return os.environ[var]
    return "detached-" + gitcmd.output(["rev-parse", "--short=8", "HEAD"], root)


def validate(ctx: Context, checklist: Checklist, answers: Mapping[str, Answer]) -> list[str]:
    """Raise ConfigError (exit 2, nothing written) when the answers do not pass; return warnings."""
    from ..gate.verification import head_reader

    exists, text = head_reader(ctx)
    problems, warnings = validate_answers(answers, checklist, ctx.scan.active, ctx.config, exists, text)
    if problems:
        listing = " ".join(f"({i}) {p.message}" for i, p in enumerate(problems, 1))
        raise ConfigError(
            f"the answers cannot be recorded: {listing} Fix the answers and run deploycheck again; nothing was written."
        )
    return warnings


def build_record_body(ctx: Context, checklist: Checklist, answers: Mapping[str, Answer], principal: str,
                      test_run: "TestRun | None" = None) -> tuple[RecordBody, str]:
    root, change = ctx.change.repo_root, ctx.change
    from ..gate.verification import change_digests

    digests = change_digests(ctx)
    name = gitcmd.output(["config", "user.name"], root, check=False) or "unknown"
    git_version = gitcmd.output(["version"], root).replace("git version ", "")
    from ..gate.testrun import concurrency_test

    body = RecordBody(
        id=uuid.uuid4().hex,
        created=utc_now(),
        author=Author(name=name, email=principal),
        branch=branch_name(root),
        base=BaseInfo(ref=change.base_ref, merge_base=change.merge_base, head=change.head_sha),
        tool=ToolInfo(deploycheck=__version__, git=git_version),
        fingerprint=FingerprintInfo(value=fingerprint(digests), files=digests, version=FINGERPRINT_VERSION),
        findings=tuple(ctx.scan.findings),
        checklist=ChecklistRef(id=checklist.id, version=checklist.version, digest=checklist_digest(checklist)),
        answers=answers_in_order(answers, [q.id for q in checklist.questions]),
        concurrency_test=concurrency_test(ctx, answers),
        test_run=test_run,
    )
    return body, branch_name(root)


def sign_and_write(ctx: Context, checklist: Checklist, answers: Mapping[str, Answer], key_arg: str | None, stage: bool,
                   test_run: "TestRun | None" = None) -> Written:
    """Sign the record with the author's key and write it atomically under a lock; stage it."""
    from ..records.signing import discover_signing_key, sign

    root = ctx.change.repo_root
    key = discover_signing_key(key_arg, Path(root))
    principal = key.principal or gitcmd.output(["config", "user.email"], root, check=False)
    if not principal:
        raise ConfigError(
            "no signer identity: git's user.email is not set. Run `git config user.email you@example.com` and try again."
        )
    body, branch = build_record_body(ctx, checklist, answers, principal, test_run)
    data = build_body(body)
    armored = sign(data, key)
    fingerprint_hint = key.public_key.fingerprint() if key.public_key is not None else "unknown"
    signed = attach_signature(data, SignatureInfo(principal=principal, key=fingerprint_hint, value=armored))
    with record_lock(git_dir(root)):
        anchor = branch_anchor(root, ctx.change.merge_base, ctx.change.head_sha)
        # Only records this branch added: a base record it rewrote is never written over again
        # (the gate reports the rewrite; a new record is written beside it).
        added = [fc.path for fc in ctx.deck_files
                 if fc.path.startswith(RECORDS_DIR + "/") and fc.new_path is not None and fc.old_path is None]
        if not added:
            # A record that an earlier or concurrent `check` on this branch wrote but nobody has
            # committed yet is this branch's record too: replace it rather than add a second.
            added = _uncommitted_own_records(root, ctx.change.base_sha, branch, anchor)
        existing = set()
        records_dir = Path(root) / RECORDS_DIR
        if records_dir.is_dir():
            _remove_stale_temporaries(records_dir)
            existing = {f"{RECORDS_DIR}/{p.name}" for p in records_dir.iterdir()}
        rel = choose_record_path(
            branch=branch,
            anchor=anchor,
            created=body.created,
            added_records=added,
            existing=existing,
        )
        os.makedirs(os.path.join(root, RECORDS_DIR), exist_ok=True)
        pause_point("record-before-write")
        write_record_atomic(os.path.join(root, rel), signed)
        staged = False
        if stage:
            pause_point("record-before-stage")
            _stage(root, rel)
            staged = True
    return Written(path=rel, staged=staged, signer=principal)


def _stage(root: str, rel: str, patience: float = 10.0) -> None:
    """`git add` the record (``--force``: it is this run's own file, meant to be tracked, even
    where the ignore rules exclude dotfiles such as `.deploycheck/`). Another git process (a concurrent `check`'s `git status`, an editor)
    may hold .git/index.lock for a moment: wait for it rather than fail after signing."""
    import time

    deadline = time.monotonic() + patience
    while True:
        proc = gitcmd.run(["add", "--force", "--", rel], root, check=False)
        if proc.returncode == 0:
            return
        if b"index.lock" not in proc.stderr or time.monotonic() >= deadline:
            gitcmd.run(["add", "--force", "--", rel], root)  # raises GitError with git's message
            return
        time.sleep(0.05)


def _uncommitted_own_records(root: str, base_sha: str, branch: str, anchor: str) -> list[str]:
    """Records in the working tree named for this branch and its anchor (any date, first salt)
    that the base does not have: what an earlier uncommitted `check` of this branch wrote."""
    suffix = record_name("0000-00-00", branch, anchor)[len("0000-00-00"):]  # "-<slug>-<hex>.yaml"
    records_dir = Path(root) / RECORDS_DIR
    if not records_dir.is_dir():
        return []
    out = []
    for entry in records_dir.iterdir():
        if len(entry.name) != 10 + len(suffix) or not entry.name.endswith(suffix) or entry.is_symlink() or not entry.is_file():
            continue
        rel = f"{RECORDS_DIR}/{entry.name}"
        on_base = gitcmd.run(["cat-file", "-e", f"{base_sha}:{rel}"], root, check=False).returncode == 0
        if not on_base:
            out.append(rel)
    return sorted(out)


def _remove_stale_temporaries(records_dir: Path) -> None:
    """Remove ``.<record>.<random>.tmp`` files that a killed run left (write_record_atomic's
    temporaries). Only called under the record lock, so no other writer owns them."""
    for entry in records_dir.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp") and ".yaml." in entry.name and entry.is_file():
            try:
                entry.unlink()
            except OSError:
                pass


def signing_key_for(ctx: Context, key_arg: str | None) -> "KeySpec":
    """The key `check` will sign with, found before the first question, and able to sign
    (records/signing.py ``ensure_can_sign``: a key that cannot sign costs no answers)."""
    from ..records.signing import discover_signing_key, ensure_can_sign

    key = discover_signing_key(key_arg, Path(ctx.change.repo_root))
    ensure_can_sign(key)
    return key


def trust_warning_for(ctx: Context, key: "KeySpec") -> str | None:
    """Warn before signing when the key is not in the base branch's allowed_signers."""
    from ..records.signing import trust_warning
    from ..gate.verification import load_trust

    root = ctx.change.repo_root
    trust = load_trust(ctx)
    principal = key.principal or gitcmd.output(["config", "user.email"], root, check=False)
    if trust.signers is None:
        return (
            f"there is no {ctx.config.allowed_signers} on the base branch ({ctx.change.base_ref}), so `deploycheck verify` "
            "will not trust any record yet. Add your public key there in a commit on the base branch "
            f"(`deploycheck init` does it): `{principal} {key.public_key.openssh() if key.public_key else 'ssh-ed25519 AAAA…'}`."
        )
    return trust_warning(key, trust.signers, principal)
