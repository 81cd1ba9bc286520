"""The gate's decision: from (change, findings, records, trust) to a verdict. Pure.

The caller (gate/verification.py) gathers every input from git — the change, the records the
change adds or modifies, and the base branch's config, checklist and allowed signers — and
this module decides, so every rule of docs/design.md "The gate" can be read in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from ..checklist.answers import validate_answers
from ..checklist.checklist import Checklist
from ..config import Config
from ..errors import RecordError, SigningError
from ..analysis.fingerprint import VERSION as FINGERPRINT_VERSION
from ..analysis.fingerprint import compare, fingerprint, path_key
from ..git.model import Finding
from ..records.record import NAMESPACE, RECORDS_DIR, Record, parse_record

if TYPE_CHECKING:
    from ..records.sshsig import PublicKey

MISSING, STALE, BAD_SIGNATURE, UNTRUSTED = "missing-record", "stale-record", "bad-signature", "untrusted-signer"
INCOMPLETE, POLICY, INVALID = "incomplete-answers", "policy", "invalid-record"
RERUN = "Run `deploycheck` on this branch and commit the updated record."


@dataclass(frozen=True)
class Problem:
    code: str
    path: str | None  # the flagged file or the record the problem is about
    message: str
    fix: str = RERUN

    def to_json(self) -> dict:
        return {"code": self.code, "path": self.path, "message": self.message, "fix": self.fix}


@dataclass
class RecordVerdict:
    path: str
    status: str  # valid | stale | bad-signature | untrusted | incomplete | policy | invalid
    signer: str | None = None
    problems: list[Problem] = field(default_factory=list)
    record: Record | None = None

    def to_json(self) -> dict:
        return {"path": self.path, "status": self.status, "signer": self.signer}


@dataclass
class Verdict:
    ok: bool
    flagged_files: list[str]
    records: list[RecordVerdict]
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)  # e.g. ".deploycheck/ changes take effect after merge"


@dataclass
class Trust:
    """What the base branch (or CI's --allowed-signers) says; never taken from the branch."""

    signers: Sequence | None  # parsed allowed_signers, None when there is none
    signers_source: str
    config: Config
    checklist: Checklist | None  # the checklist that applies to this change
    now: datetime | None = None


@dataclass
class BaseRecords:
    """The identities (``record_identities``) of every record the base branch holds or held,
    each with a path it had there."""

    identities: dict[str, str] = field(default_factory=dict)


@dataclass
class Evidence:
    """What the change shows, to check records against (all from the head commit)."""

    findings: Sequence[Finding]
    current_digests: dict[str, str]  # flagged path -> digest (see fingerprint.py)
    verify_signature: Callable[[bytes, str, str], PublicKey]  # (message, armored, namespace) -> public key
    head_file_exists: Callable[[str], bool]
    head_file_text: Callable[[str], str | None]
    # path -> digest of the given paths that the change touches, flagged or not (fingerprint.py).
    # No default: a recorded path missing from its answer counts as put back to the base's text.
    change_digests: Callable[[Iterable[str]], dict[str, str]]
    base_records: BaseRecords = field(default_factory=BaseRecords)


@dataclass
class RecordFile:
    path: str
    data: bytes | None  # None when it could not be read (deleted, a symlink, a folder)
    error: str | None = None  # why it was not read, when the reason is known (e.g. its size)
    change: str = "added"  # added | modified | deleted: what the change did to the file


# Problems that say a record does not verify (rather than that it is out of date or its answers
# fall short): these fail the gate even on a change that needs no record.
INTEGRITY = (BAD_SIGNATURE, UNTRUSTED, INVALID)


def record_identities(data: bytes) -> list[str]:
    """What makes a record the same record under any name: the SHA-256 of its signed body (the
    bytes before ``signature:``, CRLF as LF) and of its decoded signature blob. Either one
    already on the base means the file is a copy, however it was renamed or its unsigned
    ``key:`` line edited (a signature can be re-encoded, and ECDSA ones re-made, over the same
    body; the body cannot change without breaking every signature)."""
    import hashlib

    from ..records.record import SIGNATURE_LINE, read_record
    from ..records.sshsig import dearmor

    text = data.replace(b"\r\n", b"\n")
    at = -1 if text.startswith(SIGNATURE_LINE) else text.find(b"\n" + SIGNATURE_LINE)
    if at < 0 and not text.startswith(SIGNATURE_LINE):
        return []  # no signature block: nothing to be a copy of
    out = ["body:" + hashlib.sha256(text[: at + 1]).hexdigest()]
    try:
        blob = dearmor(read_record(data, "record").signature.value)
    except (RecordError, SigningError):
        return out  # not a readable record: only the body can match
    out.append("signature:" + hashlib.sha256(blob).hexdigest())
    return out


def _status_for(code: str) -> str:
    return {
        STALE: "stale", BAD_SIGNATURE: "bad-signature", UNTRUSTED: "untrusted",
        INCOMPLETE: "incomplete", POLICY: "policy", INVALID: "invalid",
    }[code]


def check_record(rf: RecordFile, trust: Trust, evidence: Evidence) -> RecordVerdict:
    """Every check of docs/design.md "The gate", step 3, for one record, collecting each problem it has."""
    from ..records.signing import ANOTHER_KEY, find_trusted_signer

    if rf.change != "added":
        # Records on the base are the audit trail: never rewritten, never removed by a branch.
        verb = "deletes" if rf.change == "deleted" else "rewrites"
        return RecordVerdict(rf.path, "invalid", problems=[Problem(
            INVALID, rf.path,
            f"this change {verb} {rf.path}, a record already on the base branch; records on the base are the audit "
            "trail and are never modified or removed by a branch.",
            f"Restore it with `git checkout <base> -- '{rf.path}'` and commit; to assess this change, run "
            "`deploycheck`, which writes a new record. (Pruning old records is done on the base branch itself.)",
        )])
    if rf.error is not None:
        return RecordVerdict(rf.path, "invalid", problems=[Problem(INVALID, rf.path, rf.error)])
    if "/" in rf.path[len(RECORDS_DIR) + 1:]:
        return RecordVerdict(rf.path, "invalid", problems=[Problem(
            INVALID, rf.path,
            f"{rf.path} is in a subfolder of {RECORDS_DIR}/; deploycheck writes records directly in {RECORDS_DIR}/ "
            "and reads no others.",
            f"Remove it with `git rm '{rf.path}'` and commit; run `deploycheck` to write this change's record.",
        )])
    if rf.data is None or not rf.path.endswith(".yaml"):
        return RecordVerdict(rf.path, "invalid", problems=[Problem(
            INVALID, rf.path,
            f"{rf.path} is not a deploycheck record: only records written by deploycheck (`*.yaml` files) may be "
            f"added under {RECORDS_DIR}/.",
            f"Remove it with `git rm '{rf.path}'` and commit.",
        )])
    for identity in record_identities(rf.data):
        original = evidence.base_records.identities.get(identity)
        if original is not None:
            what = "signed body" if identity.startswith("body:") else "signature"
            return RecordVerdict(rf.path, "invalid", problems=[Problem(
                INVALID, rf.path,
                f"{rf.path} has the same {what} as {original}, a record the base branch already holds: a record "
                "counts for the one change it was made for, never again under another name.",
                f"Remove it with `git rm '{rf.path}'`, run `deploycheck` on this branch and commit the new record.",
            )])
    try:
        record = parse_record(rf.data, rf.path)
    except RecordError as exc:
        return RecordVerdict(rf.path, "invalid", problems=[Problem(INVALID, rf.path, exc.message)])
    verdict = RecordVerdict(rf.path, "valid", signer=record.signature.principal, record=record)

    def fail(code: str, message: str, fix: str = RERUN, path: str | None = rf.path) -> None:
        verdict.problems.append(Problem(code, path, message, fix))
        if verdict.status == "valid":
            verdict.status = _status_for(code)

    # Signature over the exact body bytes, then trust by exact key, namespace, time, principal.
    try:
        public_key = evidence.verify_signature(record.signed_bytes, record.signature.value, NAMESPACE)
    except SigningError as exc:
        fail(BAD_SIGNATURE, f"{rf.path}: the signature does not verify: {exc.message}",
             "The record was changed after it was signed. " + RERUN)
        public_key = None
    if public_key is not None:
        made_by = public_key.fingerprint()
        if record.signature.key != made_by:
            # The key line is not signed; a hint that disagrees with the signature misleads a
            # reader of the record or of `deploycheck log`, so it is refused rather than ignored.
            fail(BAD_SIGNATURE, f"{rf.path}: signature.key says {record.signature.key}, but the signature was made by "
                 f"{made_by}; the unsigned key line was edited.",
                 "The record was changed after it was signed. " + RERUN)
        if record.signature.namespace != NAMESPACE:
            fail(BAD_SIGNATURE, f"{rf.path}: the signature block names namespace {record.signature.namespace!r}, not {NAMESPACE!r}.")
        if trust.signers is None:
            fail(UNTRUSTED, f"{rf.path}: signed by {record.signature.principal}, but {trust.signers_source} does not exist on "
                 "the base branch, so no signer is trusted.",
                 "Add the signer's public key to .deploycheck/allowed_signers in a commit on the base branch "
                 "(`deploycheck init` writes it), or pass `--allowed-signers FILE`. If that file is on another "
                 "branch (a local branch not pushed, while origin/HEAD names another), compare with it: "
                 "`--base BRANCH` or DEPLOYCHECK_BASE=BRANCH, naming that branch (your local `main` or `develop`).")
        else:
            signer, reason = find_trusted_signer(trust.signers, public_key, record.signature.principal, NAMESPACE, trust.now)
            if signer is None:
                # Trust is read from the base at every run, so the record passes as it is once the
                # line is there: asking for a new record sent authors through the checklist again
                # for nothing (session 16's new-user trial).
                fail(UNTRUSTED, f"{rf.path}: signer {record.signature.principal} is not trusted: {reason}.",
                     "Sign again with the key trusted for that identity, or under your own identity: "
                     "`deploycheck --key PATH`, and commit that record." if ANOTHER_KEY in reason else
                     f"Ask a maintainer to add the line for your key to {trust.signers_source} on the base branch; "
                     "once it is there this record passes as it is, so run the check again (no new record is "
                     "needed). Or sign with a key already trusted there: `deploycheck --key PATH`, and commit that record.")

    # Answers against the base branch's checklist and policy.
    if trust.checklist is not None:
        if record.body.checklist.id != trust.checklist.id:
            fail(INCOMPLETE, f"{rf.path}: answers checklist '{record.body.checklist.id}', but this change needs "
                 f"'{trust.checklist.id}'.")
        problems, _warnings = validate_answers(
            record.body.answers, trust.checklist, evidence.findings, trust.config,
            evidence.head_file_exists, evidence.head_file_text,
        )
        for p in problems:
            fail(p.code, f"{rf.path}: {p.message}")

    # The fingerprint: every flagged file of the change must carry the digest the record signed.
    recorded = record.body.fingerprint
    if recorded.value != fingerprint(recorded.files):
        fail(INVALID, f"{rf.path}: fingerprint.value is not the fingerprint of the digests listed in "
             "fingerprint.files, so the record contradicts itself.")
    if recorded.version != FINGERPRINT_VERSION:
        fail(STALE, f"{rf.path}: the record's fingerprint is version {recorded.version}; this deploycheck uses version "
             f"{FINGERPRINT_VERSION}, which also binds where each change sits (the function it is in), so the record "
             "cannot show that it covers this change.")
    quiet = [path for path in recorded.files if path not in evidence.current_digests]
    stale = compare(recorded.files, evidence.current_digests, evidence.change_digests(quiet) if quiet else None)
    if recorded.version == FINGERPRINT_VERSION:
        for path, reason in stale:
            fail(STALE, f"{path}: {reason}", path=path)
    # The findings: a `high` finding the author was not shown was not assessed. (A file already
    # stale above says so once.)
    for finding in unshown_high(record.body.findings, evidence.findings):
        if any(path_key(finding.path) == path for path, _ in stale):
            continue
        fail(STALE, f"{path_key(finding.path)}:{finding.line}: {finding.rule} {finding.name} (high) is not among the findings "
             f"the record showed its author: {finding.message}", path=finding.path)
    return verdict


def unshown_high(shown: Sequence[Finding], current: Sequence[Finding]) -> list[Finding]:
    """The current unsuppressed ``high`` findings beyond those the record showed, counted per
    (rule, path, side): line numbers move on every rebase, so they are not compared."""
    return _beyond(shown, current, lambda f: f.severity == "high" and not f.suppressed)


def unshown_flagging(shown: Sequence[Finding], current: Sequence[Finding]) -> list[Finding]:
    """The current findings that flag the change beyond those the record showed, counted as
    ``unshown_high`` counts: what a record re-used as the checklist's defaults never answered for."""
    return _beyond(shown, current, lambda f: f.flags)


def _beyond(shown: Sequence[Finding], current: Sequence[Finding], counts: Callable[[Finding], bool]) -> list[Finding]:
    """The findings of ``current`` that ``counts``, beyond as many of ``shown`` per (rule, path, side)."""
    from collections import Counter

    def key(f: Finding) -> tuple[str, str, str]:
        return f.rule, path_key(f.path), f.side

    left = Counter(key(f) for f in shown if counts(f))
    out = []
    for f in sorted(current, key=lambda f: (f.path, f.line, f.rule)):
        if not counts(f):
            continue
        if left[key(f)] > 0:
            left[key(f)] -= 1
        else:
            out.append(f)
    return out


def uncovered_files(verdict: Verdict) -> list[str]:
    """The flagged files of a failed ``verdict`` that its records do not cover: the ones a stale
    record names, when that is all that is wrong with the change; every flagged file otherwise (no
    record, or one that does not verify, covers none)."""
    flagged = {path_key(p) for p in verdict.flagged_files}
    if not verdict.records or not verdict.problems or any(
            p.code != STALE or p.path is None or path_key(p.path) not in flagged for p in verdict.problems):
        return list(verdict.flagged_files)
    named = {path_key(p.path) for p in verdict.problems if p.path is not None}
    return [p for p in verdict.flagged_files if path_key(p) in named]


def decide(
    flagged_files: list[str],
    record_files: list[RecordFile],
    trust: Trust | None,
    evidence: Evidence | None,
    notes: list[str] | None = None,
) -> Verdict:
    notes = list(notes or [])
    if trust is None or evidence is None or (not flagged_files and not record_files):
        return Verdict(ok=True, flagged_files=[], records=[], problems=[], notes=notes)
    verdicts = [check_record(rf, trust, evidence) for rf in record_files]
    if not flagged_files:
        # Nothing needs a record, but every record the change adds must still verify: a forged,
        # replayed or untrusted record would otherwise sit in the audit trail as if it did.
        problems = [p for v in verdicts for p in v.problems if p.code in INTEGRITY]
        return Verdict(ok=not problems, flagged_files=[], records=verdicts, problems=problems, notes=notes)
    problems = [p for v in verdicts for p in v.problems]
    valid = [v for v in verdicts if v.status == "valid"]
    # Every record the change touches must be valid, not just one of them: a forged record beside
    # a good one would otherwise pass, and `deploycheck log` would list it as signed.
    if valid and len(valid) == len(verdicts):
        return Verdict(ok=True, flagged_files=flagged_files, records=verdicts, problems=[], notes=notes)
    if not verdicts:
        problems.append(Problem(
            MISSING, None,
            f"this change is flagged ({len(flagged_files)} file{'s' if len(flagged_files) != 1 else ''}: "
            f"{', '.join(path_key(p) for p in flagged_files)}) and adds no deploycheck record.",
            "Run `deploycheck` on this branch, answer the checklist, and commit the record it writes.",
        ))
    return Verdict(ok=False, flagged_files=flagged_files, records=verdicts, problems=problems, notes=notes)
