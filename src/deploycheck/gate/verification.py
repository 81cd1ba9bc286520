"""Gather the gate's inputs from git — all trust from the base ref — and ask gate.decide.

Shared by `verify`, `check` (is there already a valid record?) and `summary`.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator

from pathlib import Path

from ..git import gitcmd
from ..git.model import ADDED
from ..checklist.checklist import applicable, load_checklists
from ..analysis.pipeline import Context
from ..analysis.fingerprint import file_digests, path_key
from .decision import BaseRecords, Evidence, RecordFile, Trust, Verdict, decide
from ..records.record import MAX_BYTES, RECORDS_DIR

DECK_NOTES = {
    ".deploycheck/config.yaml": "configuration",
    ".deploycheck/allowed_signers": "trusted signers",
    ".deploycheck/checklists/": "checklists",
}


def target_tip(ctx: Context) -> str | None:
    """``change.gitlab_target_tip`` of the context's change."""
    from ..git.change import gitlab_target_tip

    return gitlab_target_tip(ctx.change)


def load_trust(ctx: Context, allowed_signers: Path | None = None) -> Trust:
    """Signers, config and checklist as the BASE branch has them: a branch cannot vouch for itself."""
    from ..records.signing import AllowedSigners, parse_allowed_signers, read_allowed_signers

    root, base = ctx.change.repo_root, ctx.change.base_sha
    if allowed_signers is not None:
        signers: AllowedSigners | None = read_allowed_signers(allowed_signers)
        source = str(allowed_signers)
    else:
        source = f"{ctx.config.allowed_signers} (at {ctx.change.base_ref})"
        tip = target_tip(ctx)
        if tip is not None:  # the target branch's signers today, not those of the fork point
            base = tip
            source = f"{ctx.config.allowed_signers} (at origin/{_target_name()})"
        data = gitcmd.show_file(base, ctx.config.allowed_signers, root)
        signers = None if data is None else parse_allowed_signers(data.decode("utf-8", "replace"), source)
    checklists = applicable(load_checklists(root, target_tip(ctx) or ctx.change.base_sha, ctx.config.checklists), ctx.scan.active)
    return Trust(signers=signers, signers_source=source, config=ctx.config, checklist=checklists[0] if checklists else None)


def change_digests(ctx: Context) -> dict[str, str]:
    """The flagged files' digests (fingerprint version 2), each side's content read from git
    for the scopes: the one way `check`, `verify`, the summary and the drafts compute them."""
    return _digests(ctx, ctx.scan.flagged_files)


def digests_of(ctx: Context, paths: Iterable[str]) -> dict[str, str]:
    """The digests of the files of the change among ``paths`` (as records write them), flagged or
    not: a recorded file the scan no longer flags is still held to what the record signed."""
    wanted = set(paths)
    return _digests(ctx, [fc.path for fc in ctx.change.files if path_key(fc.path) in wanted])


def _digests(ctx: Context, paths: list[str]) -> dict[str, str]:
    """``file_digests`` of the change's files at ``paths``, their blobs read in one git process."""
    from ..git.gitcmd import BlobReader

    if not paths:
        return {}
    with BlobReader(ctx.change.repo_root) as objects:
        return file_digests(ctx.change.files, paths, objects.read)


def history_blobs(root: str, base: str, folder: str, max_size: int) -> "Iterator[tuple[str, bytes]]":
    """(path, content) of every file version the base branch has ever held under ``folder`` (any
    commit of its history, merges included: `-m`, so that an "evil merge" counts too), each blob
    once; submodules, deletions and blobs over ``max_size`` are skipped."""
    from ..git.gitcmd import BlobStream

    log = gitcmd.run(
        ["log", "-m", "--format=", "--raw", "-z", "--no-abbrev", "--no-renames", "--full-history", base, "--", folder + "/"],
        root,
    ).stdout
    blobs: dict[str, str] = {}  # blob id -> a path it had on the base
    tokens = iter(log.split(b"\0"))
    for token in tokens:  # ":OLDMODE NEWMODE OLD NEW STATUS", then the path
        fields = token.strip().split()
        if len(fields) != 5 or not fields[0].startswith(b":"):
            continue
        raw_path = next(tokens, b"")
        if fields[2] != b"160000" and set(fields[3]) != {ord("0")}:
            blobs.setdefault(fields[3].decode(), raw_path.decode("utf-8", "surrogateescape"))
    with BlobStream(root, list(blobs), max_size=max_size) as stream:
        for oid, path in blobs.items():
            found, data = stream.take(oid)
            if found and data is not None:  # over the size limit: nothing there to replay
                yield path, data


def base_records(ctx: Context) -> BaseRecords:
    """Every record file the base branch has ever held under .deploycheck/records/ (any
    depth, any commit of its history, so that deleting a record on the base does not free it
    for reuse): each one's signed body and signature, so that none of them can count again under
    a new name (docs/design.md "Records": records count once). Read only when the change touches a
    record."""
    from .decision import record_identities

    known = BaseRecords()
    tip = target_tip(ctx)
    for commit in [ctx.change.base_sha] + ([tip] if tip else []):
        for path, data in history_blobs(ctx.change.repo_root, commit, RECORDS_DIR, MAX_BYTES):
            for identity in record_identities(data):
                known.identities.setdefault(identity, path)
    return known


def _target_name() -> str:
    from ..git.change import _env
    from ..util.safe import inert

    return inert(_env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME") or "", keep_newlines=False)


def record_files(ctx: Context) -> list[RecordFile]:
    """Every file under .deploycheck/records/ that the change adds, modifies or deletes. Records
    already on the base never count; rewriting or deleting one is a problem of its own
    (gate.check_record)."""
    out = []
    root = ctx.change.repo_root
    for fc in ctx.deck_files:
        if not fc.path.startswith(RECORDS_DIR + "/"):
            continue
        if fc.new_path is None:
            out.append(RecordFile(fc.path, None, change="deleted"))
            continue
        if fc.old_path is not None:
            out.append(RecordFile(fc.path, None, change="modified"))
            continue
        if fc.kind == "file" and fc.new_blob is not None:
            size = int(gitcmd.output(["cat-file", "-s", fc.new_blob], root))
            if size > MAX_BYTES:  # never read a hostile 30 MB "record" into memory
                out.append(RecordFile(fc.path, None, f"{fc.path} is {size:,} bytes, over the limit of {MAX_BYTES:,} for a record, so it was not read."))
                continue
            out.append(RecordFile(fc.path, gitcmd.show_file(ctx.change.head_sha, fc.path, root)))
        else:
            out.append(RecordFile(fc.path, None))
    return sorted(out, key=lambda rf: rf.path)


def deck_notes(ctx: Context) -> list[str]:
    notes = []
    for fc in ctx.deck_files:
        for prefix, what in DECK_NOTES.items():
            if fc.path == prefix or (prefix.endswith("/") and fc.path.startswith(prefix)):
                verb, thing = ("adds", "file") if fc.status == ADDED else ("edits", "edit")
                notes.append(
                    f"this change {verb} {fc.path} ({what}); the gate reads {what} from the base branch, "
                    f"so the {thing} takes effect after merge."
                )
    return notes


def repository_path(path: str) -> str:
    """``./tests/x.py`` -> ``tests/x.py``; a leading dot of a name (``.ci/x.py``) stays. A path
    that leaves the repository (``../x.py``, ``/x.py``) names nothing in it: ``""``."""
    clean = path.strip()
    while clean.startswith("./"):
        clean = clean[2:]
    if clean.startswith(("../", "/")) or "/../" in clean:
        return ""
    return clean


def head_reader(ctx: Context):
    root, head = ctx.change.repo_root, ctx.change.head_sha

    def exists(path: str) -> bool:
        clean = repository_path(path)
        return bool(clean) and gitcmd.run(["cat-file", "-e", f"{head}:{clean}"], root, check=False).returncode == 0

    def text(path: str) -> str | None:
        clean = repository_path(path)
        data = gitcmd.show_file(head, clean, root) if clean else None
        if data is None or b"\0" in data[:8000]:
            return None
        return data.decode("utf-8", "replace")

    return exists, text


def require_usable_signers(trust: Trust) -> None:
    """The gate's trust list must hold at least one usable line when it has any: a file whose
    every line is malformed is a broken configuration (exit 2), not a verdict about a record."""
    from ..errors import SigningError

    signers = trust.signers
    problems = getattr(signers, "problems", [])
    if signers is not None and len(signers) == 0 and problems:
        shown = " ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        raise SigningError(
            f"{trust.signers_source} has no usable line, so no record can be trusted: {shown} Fix the file on the "
            "base branch (one line per signer: `dev@example.com ssh-ed25519 AAAA…`), or pass `--allowed-signers FILE`."
        )


def evaluate(ctx: Context, allowed_signers: Path | None = None, *, strict_trust: bool = False,
             used_records: dict[str, str] | None = None) -> Verdict:
    """The verdict; ``strict_trust`` (the gate) also refuses an allowed_signers file with no usable line.
    ``used_records``: identities (``record_identities``) of records that count as used besides the
    base's, each with its path (those an earlier pull request of a merge group adds)."""
    from ..records.sshsig import verify_sshsig

    flagged = ctx.scan.flagged_files
    notes = deck_notes(ctx)
    records = record_files(ctx)
    if not flagged and not records:
        return decide([], [], None, None, notes)
    # Records are checked on an unflagged change too: a forged or replayed record must fail the
    # gate wherever it is added, not only where one is required (issue 15).
    trust = load_trust(ctx, allowed_signers)
    if strict_trust:
        require_usable_signers(trust)
    # A line the trust list ignores is said, though others are usable: a new user's README line
    # appended an e-mail address with no key, and nothing told them (a trial, session 27).
    notes = [*notes, *getattr(trust.signers, "problems", [])]
    exists, text = head_reader(ctx)
    known = base_records(ctx) if records else BaseRecords()
    for identity, path in (used_records or {}).items():
        known.identities.setdefault(identity, path)
    evidence = Evidence(ctx.scan.active, change_digests(ctx), verify_sshsig, exists, text,
                        change_digests=lambda paths: digests_of(ctx, paths), base_records=known)
    return decide(flagged, records, trust, evidence, notes)


def gate_verdict(ctx: Context, allowed_signers: Path | None, used_records: dict[str, str] | None = None) -> Verdict:
    """The verdict `verify` and the push hook give: trust read strictly from the base ref."""
    return evaluate(ctx, allowed_signers, strict_trust=True, used_records=used_records)
