"""The gate's decision: from (change, findings, records, trust) to a verdict. Pure.

The caller (commands/verify.py) gathers every input from git — the change, the records the
change adds or modifies, and the base branch's config, checklist and allowed signers — and
this module decides, so every rule of DESIGN.md "The gate" can be read in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

from .answers import validate_answers
from .checklist import Checklist
from .config import Config
from .errors import RecordError, SigningError
from .fingerprint import compare, fingerprint, path_key
from .model import Finding
from .record import NAMESPACE, RECORDS_DIR, Record, parse_record

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
class Evidence:
    """What the change shows, to check records against (all from the head commit)."""

    findings: Sequence[Finding]
    current_digests: dict[str, str]  # flagged path -> digest (see fingerprint.py)
    verify_signature: Callable[[bytes, str, str], object]  # (message, armored, namespace) -> public key
    head_file_exists: Callable[[str], bool]
    head_file_text: Callable[[str], str | None]


@dataclass
class RecordFile:
    path: str
    data: bytes | None  # None when it could not be read (deleted, a symlink, a folder)
    error: str | None = None  # why it was not read, when the reason is known (e.g. its size)


def _status_for(code: str) -> str:
    return {
        STALE: "stale", BAD_SIGNATURE: "bad-signature", UNTRUSTED: "untrusted",
        INCOMPLETE: "incomplete", POLICY: "policy", INVALID: "invalid",
    }[code]


def check_record(rf: RecordFile, trust: Trust, evidence: Evidence) -> RecordVerdict:
    """Every check of DESIGN.md step 3 for one record, collecting each problem it has."""
    from .signing import find_trusted_signer

    if rf.error is not None:
        return RecordVerdict(rf.path, "invalid", problems=[Problem(INVALID, rf.path, rf.error)])
    if rf.data is None or not rf.path.endswith(".yaml"):
        return RecordVerdict(rf.path, "invalid", problems=[Problem(
            INVALID, rf.path,
            f"{rf.path} is not a deploycheck record: only records written by deploycheck (`*.yaml` files) may be "
            f"added under {RECORDS_DIR}/.",
            f"Remove it with `git rm '{rf.path}'` and commit.",
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
        if record.signature.namespace != NAMESPACE:
            fail(BAD_SIGNATURE, f"{rf.path}: the signature block names namespace {record.signature.namespace!r}, not {NAMESPACE!r}.")
        if trust.signers is None:
            fail(UNTRUSTED, f"{rf.path}: signed by {record.signature.principal}, but {trust.signers_source} does not exist on "
                 "the base branch, so no signer is trusted.",
                 "Add the signer's public key to .deploycheck/allowed_signers in a commit on the base branch "
                 "(`deploycheck init` writes it), or pass `--allowed-signers FILE`.")
        else:
            signer, reason = find_trusted_signer(trust.signers, public_key, record.signature.principal, NAMESPACE, trust.now)
            if signer is None:
                fail(UNTRUSTED, f"{rf.path}: signer {record.signature.principal} is not trusted: {reason}.",
                     f"Ask a maintainer to add your key to {trust.signers_source} on the base branch, then " + RERUN[0].lower() + RERUN[1:])

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
    for path, reason in compare(recorded.files, evidence.current_digests):
        fail(STALE, f"{path}: {reason}", path=path)
    return verdict


def decide(
    flagged_files: list[str],
    record_files: list[RecordFile],
    trust: Trust | None,
    evidence: Evidence | None,
    notes: list[str] | None = None,
) -> Verdict:
    notes = list(notes or [])
    if not flagged_files or trust is None or evidence is None:
        return Verdict(ok=True, flagged_files=[], records=[], problems=[], notes=notes)
    verdicts = [check_record(rf, trust, evidence) for rf in record_files]
    problems = [p for v in verdicts for p in v.problems]
    valid = [v for v in verdicts if v.status == "valid"]
    junk = [v for v in verdicts if v.status == "invalid" and (v.record is None)]
    if valid and not junk:
        return Verdict(ok=True, flagged_files=flagged_files, records=verdicts, problems=[], notes=notes)
    if not verdicts:
        problems.append(Problem(
            MISSING, None,
            f"this change is flagged ({len(flagged_files)} file{'s' if len(flagged_files) != 1 else ''}: "
            f"{', '.join(path_key(p) for p in flagged_files)}) and adds no deploycheck record.",
            "Run `deploycheck` on this branch, answer the checklist, and commit the record it writes.",
        ))
    return Verdict(ok=False, flagged_files=flagged_files, records=verdicts, problems=problems, notes=notes)
