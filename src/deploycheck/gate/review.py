"""An independent reviewer's co-signature on a record (issue 19, part 2).

A review is one YAML file in ``.deploycheck/reviews/``, written by `deploycheck review`:

    deploycheck_review: 1
    id, created, reviewer {name, email},
    record {path, sha256, fingerprint, signer}   # what was reviewed, bound by content
    claims: [...]                                # the claims check the reviewer was shown
    answers: {read-with-workers, agree-<question>…, silent-failure}
    signature: {format, namespace: deploycheck-review-v1, principal, key, value}

It follows every rule a record follows (record.py): the signed bytes are the exact body before
``signature:`` (CRLF as LF), so ``ssh-keygen -Y verify`` checks it by hand; strict parsing
(safe YAML, unknown keys and wrong types refused, size capped, nothing after the signature);
trust by exact key from the BASE branch's allowed_signers, in the review's own namespace; only
reviews the change adds count, and one whose content the base already holds never does.

It is bound to the record's exact bytes (``record.sha256``: SHA-256 of the record file, CRLF as
LF, so the signed body *and* its signature) and to the change's fingerprint: a new record, a
re-signed one or a later edit to a flagged file makes the review stale. Signing uses the same
key discovery and signer as records (signing.py); the author's own key or principal cannot
review their own record.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..util import yamlload as Y
from ..errors import ConfigError, RecordError, SigningError

REVIEWS_DIR = ".deploycheck/reviews"
REVIEW_NAMESPACE = "deploycheck-review-v1"
SCHEMA_VERSION = 1
MAX_BYTES = 1_000_000
MISSING_REVIEW, SELF_REVIEW, STALE_REVIEW = "missing-review", "self-review", "stale-review"
UNTRUSTED_REVIEWER, INVALID_REVIEW = "untrusted-reviewer", "invalid-review"
BODY_KEYS = ("deploycheck_review", "id", "created", "reviewer", "record", "claims", "answers")
READ_WITH_WORKERS, SILENT_FAILURE, AGREE = "read-with-workers", "silent-failure", "agree-"
RERUN = "Ask a reviewer (not the author) to run `deploycheck review` on this branch and commit the file it writes."
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CREATED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@dataclass(frozen=True)
class ReviewAnswer:
    answer: str
    details: str | None = None


@dataclass(frozen=True)
class ReviewBody:
    id: str
    created: str
    reviewer_name: str
    reviewer_email: str
    record_path: str
    record_sha256: str
    fingerprint: str
    record_signer: str
    claims: tuple[str, ...]
    answers: dict[str, ReviewAnswer] = field(default_factory=dict)


@dataclass(frozen=True)
class Review:
    body: ReviewBody
    signature: Any  # record.SignatureInfo, in REVIEW_NAMESPACE
    signed_bytes: bytes


def record_digest(data: bytes) -> str:
    """What a review binds: the record file's exact bytes (body and signature), CRLF as LF."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


# --- questions (pure) ---------------------------------------------------------------------------


def questions(record_answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(id, text) of what the reviewer answers, for a record with ``record_answers``."""
    out = [(READ_WITH_WORKERS, "Did you read the flagged lines with several workers running them at once in mind?")]
    out += [(AGREE + qid, f"Do you agree with the author's answer to '{qid}'?") for qid in record_answers]
    out.append((SILENT_FAILURE, "What would make this change fail silently in production?"))
    return out


def answer_problems(answers: Mapping[str, ReviewAnswer], record_answers: Mapping[str, Any]) -> list[str]:
    """What is missing or unacceptable in the reviewer's answers (empty: complete)."""
    out = []
    read = answers.get(READ_WITH_WORKERS)
    if read is None or read.answer.strip().lower() != "yes":
        out.append(f"{READ_WITH_WORKERS} must be 'yes': a review that did not read the flagged lines with concurrent workers in mind is no review.")
    for qid in record_answers:
        given = answers.get(AGREE + qid)
        if given is None or given.answer.strip().lower() not in ("yes", "no"):
            out.append(f"{AGREE + qid} must be 'yes' or 'no'.")
        elif given.answer.strip().lower() == "no" and not (given.details or "").strip():
            out.append(f"{AGREE + qid} is 'no' without saying why (details).")
    silent = answers.get(SILENT_FAILURE)
    if silent is None or len(silent.answer.split()) < 3:
        out.append(f"{SILENT_FAILURE} needs an answer of at least a few words.")
    unknown = sorted(set(answers) - {q for q, _ in questions(record_answers)})
    if unknown:
        out.append(f"unknown question id {unknown[0]!r}; the questions are: {', '.join(q for q, _ in questions(record_answers))}.")
    return out


def required_count(config: Any, findings: Sequence[Any], flagged: bool) -> int:
    """How many independent reviews the base branch's config asks of this change (0: none)."""
    when = config.review_required_for
    if when == "flagged" and flagged:
        return config.review_count
    if when == "high" and any(f.severity == "high" and f.flags and not f.suppressed for f in findings):
        return config.review_count
    return 0


# --- writing and reading ------------------------------------------------------------------------


def build_body(body: ReviewBody) -> bytes:
    from ..records.record import quote

    lines = [
        f"deploycheck_review: {SCHEMA_VERSION}",
        f"id: {quote(body.id)}",
        f"created: {quote(body.created)}",
        "reviewer:",
        f"  name: {quote(body.reviewer_name)}",
        f"  email: {quote(body.reviewer_email)}",
        "record:",
        f"  path: {quote(body.record_path)}",
        f"  sha256: {quote(body.record_sha256)}",
        f"  fingerprint: {quote(body.fingerprint)}",
        f"  signer: {quote(body.record_signer)}",
        "claims:" + ("" if body.claims else " []"),
        *[f"  - {quote(c)}" for c in body.claims],
        "answers:",
    ]
    for qid, a in body.answers.items():
        lines.append(f"  {quote(qid)}:")
        lines.append(f"    answer: {quote(a.answer)}")
        if a.details is not None:
            lines.append(f"    details: {quote(a.details)}")
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")


def _layout(data: bytes, source: str) -> tuple[bytes, bytes]:
    from ..records.record import split_record

    if len(data) > MAX_BYTES:
        raise RecordError(f"{source} is {len(data):,} bytes, over the limit of {MAX_BYTES:,} for a review, so it was not read.")
    if data.startswith(b"\xef\xbb\xbf"):
        raise RecordError(f"{source} starts with a byte-order mark, so its bytes are not the bytes that were signed.")
    body, sig = split_record(data, source)
    for bad in (b"\r", "\u0085".encode(), "\u2028".encode(), "\u2029".encode()):
        if bad in body or bad in sig:
            raise RecordError(f"{source} contains a line break other than LF or CRLF; line-based tools would read it differently.")
    for line in sig.split(b"\n")[1:]:
        if line and not line.startswith(b"  "):
            raise RecordError(f"{source}: content after the signature block. Nothing may follow the signature.")
    return body, sig


def parse_review(data: bytes, source: str) -> Review:
    """Read a review strictly; every failure is a RecordError naming the file and the cause."""
    from ..records.record import _parse_signature

    body_bytes, sig_bytes = _layout(data, source)
    try:
        body = _parse_body(body_bytes, source)
        signature = _parse_signature(b"\n" * body_bytes.count(b"\n") + sig_bytes, source, REVIEW_NAMESPACE)
    except ConfigError as exc:
        raise RecordError(exc.message) from None
    return Review(body, signature, body_bytes)


def _parse_body(data: bytes, source: str) -> ReviewBody:
    root = Y.compose(data, source, max_bytes=MAX_BYTES, max_depth=5, error=RecordError)
    top = Y.as_map(root, source, "the review", BODY_KEYS, BODY_KEYS, error=RecordError)
    s = lambda node, what: Y.as_str(node, source, what, error=RecordError)  # noqa: E731 - a one-line reader for the lines below
    if s(top["deploycheck_review"], "deploycheck_review") != str(SCHEMA_VERSION):
        raise RecordError(f"{Y.where(source, top['deploycheck_review'])}: deploycheck_review must be {SCHEMA_VERSION}.")
    reviewer = Y.as_map(top["reviewer"], source, "reviewer", ("name", "email"), ("name", "email"), error=RecordError)
    rec = Y.as_map(top["record"], source, "record", ("path", "sha256", "fingerprint", "signer"),
                   ("path", "sha256", "fingerprint", "signer"), error=RecordError)
    for key in ("sha256", "fingerprint"):
        if not _HEX64.match(s(rec[key], f"record.{key}")):
            raise RecordError(f"{Y.where(source, rec[key])}: record.{key} must be 64 lowercase hex digits.")
    created = s(top["created"], "created")
    if not _CREATED.match(created):
        raise RecordError(f"{Y.where(source, top['created'])}: created must be a UTC time like 2026-12-03T23:59:00Z.")
    claims = tuple(Y.as_str(n, source, "a claim", error=RecordError) for n in Y.as_list(top["claims"], source, "claims", error=RecordError))
    answers = {}
    for key, node in Y.as_map(top["answers"], source, "answers", error=RecordError).items():
        m = Y.as_map(node, source, f"the answer to {key}", ("answer", "details"), ("answer",), error=RecordError)
        details = Y.optional(m, "details", lambda n: s(n, f"{key}.details"))  # noqa: B023 - Y.optional calls it at once
        answers[key] = ReviewAnswer(s(m["answer"], f"{key}.answer"), details)
    return ReviewBody(
        id=s(top["id"], "id"), created=created, reviewer_name=s(reviewer["name"], "reviewer.name"),
        reviewer_email=s(reviewer["email"], "reviewer.email"), record_path=s(rec["path"], "record.path"),
        record_sha256=s(rec["sha256"], "record.sha256"), fingerprint=s(rec["fingerprint"], "record.fingerprint"),
        record_signer=s(rec["signer"], "record.signer"), claims=claims, answers=answers,
    )


def identities(data: bytes) -> list[str]:
    """What makes a review the same review under any name: its signed body, and its signature."""
    from ..records.sshsig import dearmor

    text = data.replace(b"\r\n", b"\n")
    at = text.find(b"\nsignature:")
    if at < 0:
        return []
    out = ["body:" + hashlib.sha256(text[: at + 1]).hexdigest()]
    try:
        out.append("signature:" + hashlib.sha256(dearmor(parse_review(data, "review").signature.value)).hexdigest())
    except (RecordError, SigningError):
        pass
    return out


def review_name(record_path: str, principal: str) -> str:
    """``<record file stem>.<8 hex of the reviewer's principal>.yaml``: one file per reviewer and record."""
    stem = record_path.rsplit("/", 1)[-1]
    stem = stem[:-5] if stem.endswith(".yaml") else stem
    return f"{REVIEWS_DIR}/{stem}.{hashlib.sha256(principal.strip().lower().encode()).hexdigest()[:8]}.yaml"


# --- the gate's part ----------------------------------------------------------------------------


@dataclass
class ReviewVerdict:
    path: str
    status: str  # valid | stale | self | untrusted | invalid
    reviewer: str | None = None
    key: str | None = None
    problems: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"path": self.path, "status": self.status, "reviewer": self.reviewer}


@dataclass
class ReviewInputs:
    """What a review is checked against, gathered from git by ``gather``."""

    files: list  # verification.RecordFile for each file under REVIEWS_DIR the change touches
    records: dict  # path -> (record bytes, Record, signer public key) of the valid records the change adds
    fingerprint: str  # the current change's fingerprint
    base_identities: dict  # identity -> a path it had on the base
    signers: Any
    signers_source: str


def check_review(rf: Any, inputs: ReviewInputs, verify_signature: Any, now: Any = None) -> ReviewVerdict:
    """Every rule for one review file; its problems (gate.Problem) in ``problems``."""
    from .decision import Problem
    from ..records.signing import find_trusted_signer

    def verdict(status: str, code: str, message: str, fix: str = RERUN, **kw: Any) -> ReviewVerdict:
        return ReviewVerdict(rf.path, status, problems=[Problem(code, rf.path, message, fix)], **kw)

    if rf.change != "added":
        verb = "deletes" if rf.change == "deleted" else "rewrites"
        return verdict("invalid", INVALID_REVIEW, f"this change {verb} {rf.path}, a review already on the base branch; "
                       "reviews on the base are the audit trail.", f"Restore it with `git checkout <base> -- '{rf.path}'` and commit.")
    if rf.error is not None:
        return verdict("invalid", INVALID_REVIEW, rf.error)
    if rf.data is None or "/" in rf.path[len(REVIEWS_DIR) + 1:] or not rf.path.endswith(".yaml"):
        return verdict("invalid", INVALID_REVIEW, f"{rf.path} is not a deploycheck review: only `*.yaml` files written by "
                       f"`deploycheck review` may be added directly under {REVIEWS_DIR}/.", f"Remove it with `git rm '{rf.path}'` and commit.")
    for identity in identities(rf.data):
        if identity in inputs.base_identities:
            return verdict("invalid", INVALID_REVIEW, f"{rf.path} has the same content as {inputs.base_identities[identity]}, a "
                           "review the base branch already holds: a review counts once, for the record it was made for.")
    try:
        review = parse_review(rf.data, rf.path)
    except RecordError as exc:
        return verdict("invalid", INVALID_REVIEW, exc.message)
    principal = review.signature.principal
    try:
        key = verify_signature(review.signed_bytes, review.signature.value, REVIEW_NAMESPACE)
    except SigningError as exc:
        return verdict("invalid", INVALID_REVIEW, f"{rf.path}: the signature does not verify: {exc.message}", reviewer=principal)
    if review.signature.key != key.fingerprint():
        return verdict("invalid", INVALID_REVIEW, f"{rf.path}: signature.key says {review.signature.key}, but the signature "
                       f"was made by {key.fingerprint()}; the unsigned key line was edited.", reviewer=principal)
    if inputs.signers is None:
        return verdict("untrusted", UNTRUSTED_REVIEWER, f"{rf.path}: signed by {principal}, but {inputs.signers_source} does not "
                       "exist on the base branch, so no reviewer is trusted.", reviewer=principal)
    signer, reason = find_trusted_signer(inputs.signers, key, principal, REVIEW_NAMESPACE, now)
    if signer is None:
        return verdict("untrusted", UNTRUSTED_REVIEWER, f"{rf.path}: reviewer {principal} is not trusted: {reason}.",
                       f"Ask a maintainer to add the reviewer's key to {inputs.signers_source} on the base branch.", reviewer=principal)
    again = (f"Ask {principal} to run `deploycheck review` on this branch again (it replaces the file), or remove it "
             f"with `git rm '{rf.path}'` and commit.")
    bound = next(((path, rec) for path, rec in inputs.records.items() if record_digest(rec[0]) == review.body.record_sha256), None)
    if bound is None:
        return verdict("stale", STALE_REVIEW, f"{rf.path}: reviews a record this change no longer has in that form "
                       f"({review.body.record_path}, sha256 {review.body.record_sha256[:12]}); the record was re-signed, "
                       "replaced or is not valid.", again, reviewer=principal)
    if review.body.fingerprint != inputs.fingerprint:
        return verdict("stale", STALE_REVIEW, f"{rf.path}: the change was edited after {principal} reviewed it (the fingerprint "
                       "differs).", again, reviewer=principal)
    _, (_, record, record_key) = bound
    own = {record.signature.principal.strip().lower(), record.body.author.email.strip().lower()}
    if key == record_key or principal.strip().lower() in own:
        return verdict("self", SELF_REVIEW, f"{rf.path}: {principal} reviews a record signed by "
                       f"{record.signature.principal} with {'the same key' if key == record_key else 'the same identity'}: "
                       "a review must come from someone other than the author.", reviewer=principal)
    problems = answer_problems(review.body.answers, record.body.answers)
    if problems:
        return verdict("invalid", INVALID_REVIEW, f"{rf.path}: {' '.join(problems)}", reviewer=principal)
    return ReviewVerdict(rf.path, "valid", reviewer=principal, key=key.fingerprint())


def decide_reviews(files: Sequence[Any], inputs: ReviewInputs, needed: int, verify_signature: Any,
                   record_ok: bool) -> tuple[list[ReviewVerdict], list]:
    """(each review's verdict, the problems): every review the change adds must be valid, and
    ``needed`` of them by distinct keys and principals (when the record itself is valid)."""
    from .decision import Problem

    verdicts = [check_review(rf, inputs, verify_signature) for rf in files]
    problems = [p for v in verdicts for p in v.problems]
    valid = [v for v in verdicts if v.status == "valid"]
    distinct = min(len({v.key for v in valid}), len({(v.reviewer or "").lower() for v in valid}))
    if needed and distinct < needed and record_ok:
        problems.append(Problem(MISSING_REVIEW, None,
                                f"the base branch's config requires {needed} independent review{'s' if needed != 1 else ''} "
                                f"of this change's record and it has {distinct} valid one{'s' if distinct != 1 else ''}.", RERUN))
    return verdicts, problems


def _base_identities(ctx: Any) -> dict[str, str]:
    """The identities of every review the base branch holds or held (any commit of its history)."""
    from .verification import history_blobs, target_tip

    known: dict[str, str] = {}
    tip = target_tip(ctx)  # a GitLab merge request's base is its fork point: the target's history too
    for commit in [ctx.change.base_sha] + ([tip] if tip else []):
        for path, data in history_blobs(ctx.change.repo_root, commit, REVIEWS_DIR, MAX_BYTES):
            for identity in identities(data):
                known.setdefault(identity, path)
    return known


def review_files(ctx: Any) -> list:
    """Every file under REVIEWS_DIR the change adds, modifies or deletes, read from the head."""
    from ..git import gitcmd
    from .decision import RecordFile

    out = []
    for fc in ctx.deck_files:
        if not fc.path.startswith(REVIEWS_DIR + "/"):
            continue
        if fc.new_path is None or fc.old_path is not None:
            out.append(RecordFile(fc.path, None, change="deleted" if fc.new_path is None else "modified"))
        elif fc.kind == "file" and fc.new_blob is not None:
            size = int(gitcmd.output(["cat-file", "-s", fc.new_blob], ctx.change.repo_root))
            if size > MAX_BYTES:
                out.append(RecordFile(fc.path, None, f"{fc.path} is {size:,} bytes, over the limit of {MAX_BYTES:,} for a review, so it was not read."))
            else:
                out.append(RecordFile(fc.path, gitcmd.show_file(ctx.change.head_sha, fc.path, ctx.change.repo_root)))
        else:
            out.append(RecordFile(fc.path, None))
    return sorted(out, key=lambda rf: rf.path)


def valid_records(ctx: Any, verdict: Any) -> dict:
    """path -> (bytes, Record, signer key) for each valid record the change adds."""
    from ..records.record import NAMESPACE
    from ..records.sshsig import verify_sshsig
    from .verification import record_files

    valid = {rv.path: rv.record for rv in verdict.records if rv.status == "valid" and rv.record is not None}
    out = {}
    for rf in record_files(ctx):
        if rf.path in valid and rf.data is not None:
            record = valid[rf.path]
            out[rf.path] = (rf.data, record, verify_sshsig(record.signed_bytes, record.signature.value, NAMESPACE))
    return out


def gather(ctx: Any, verdict: Any, allowed_signers: Any = None) -> tuple[list, ReviewInputs]:
    from ..analysis.fingerprint import fingerprint
    from .verification import change_digests, load_trust

    files = review_files(ctx)
    trust = load_trust(ctx, allowed_signers)
    inputs = ReviewInputs(files, valid_records(ctx, verdict), fingerprint(change_digests(ctx)),
                          _base_identities(ctx) if files else {}, trust.signers, trust.signers_source)
    return files, inputs


def review_checks(ctx: Any, verdict: Any, allowed_signers: Any = None) -> tuple[Any, list[ReviewVerdict]]:
    """``verdict`` with the review rules applied (see ``decide_reviews``), and each review's verdict."""
    from .decision import Verdict
    from ..records.sshsig import verify_sshsig

    needed = required_count(ctx.config, ctx.scan.active, ctx.scan.flagged)
    if not needed and not any(fc.path.startswith(REVIEWS_DIR + "/") for fc in ctx.deck_files):
        return verdict, []
    files, inputs = gather(ctx, verdict, allowed_signers)
    record_ok = verdict.ok and bool(inputs.records)
    reviews, problems = decide_reviews(files, inputs, needed, verify_sshsig, record_ok)
    if not problems:
        return verdict, reviews
    return Verdict(ok=False, flagged_files=verdict.flagged_files, records=verdict.records,
                   problems=verdict.problems + problems, notes=verdict.notes), reviews


def pr_and_review_checks(ctx: Any, verdict: Any, allowed_signers: Any, pr_title: str | None, pr_body: str | None) -> tuple[Any, list, list]:
    """What `verify` adds to the record gate (issue 19): reviews, then the PR's own words.
    Returns (verdict, claims, reviews)."""
    from .prfield import change_claims, pr_checks, read_pr_text

    verdict, reviews = review_checks(ctx, verdict, allowed_signers)
    for rv in reviews:
        if rv.status == "valid":
            verdict.notes.append(f"reviewed by {rv.reviewer} ({rv.path})")
    from ..errors import UsageError

    explicit = pr_title is not None or pr_body is not None
    pr = None
    if ctx.config.pr_field != "off" or explicit:
        try:
            pr = read_pr_text(pr_title, pr_body)
        except UsageError as exc:
            if explicit or ctx.config.pr_field == "required":
                raise  # exit 2: a required check that cannot read its input never passes
            verdict.notes.append(f"the pull request text was not checked (pr_field: warn): {exc.message}")
    claims = change_claims(ctx, pr) if ctx.scan.flagged else []
    return pr_checks(ctx, verdict, pr, claims), claims, reviews


# --- the audit trail (`deploycheck log`) ---------------------------------------------------------


def reviews_at_head(root: str, trust: Any) -> dict[str, list[dict]]:
    """record sha256 -> the reviews in HEAD's tree that bind it: reviewer, path, and whether the
    signature verifies and today's trusted signers (``trust``, log.LogTrust) trust it."""
    from ..git import gitcmd
    from ..git.gitcmd import BlobStream
    from ..records.signing import find_trusted_signer
    from ..records.sshsig import verify_sshsig

    listing = gitcmd.run(["ls-tree", "-r", "-z", "HEAD", "--", REVIEWS_DIR + "/"], root).stdout
    entries = []
    for item in listing.split(b"\0"):
        meta, _, raw_path = item.partition(b"\t")
        if item and meta.split()[1:2] == [b"blob"] and raw_path.endswith(b".yaml"):
            entries.append((raw_path.decode("utf-8", "surrogateescape"), meta.split()[2].decode()))
    out: dict[str, list[dict]] = {}
    if not entries:
        return out
    with BlobStream(root, [oid for _, oid in entries], max_size=MAX_BYTES) as blobs:
        for path, oid in entries:
            found, data = blobs.take(oid)
            try:
                review = parse_review(data or b"", path)
                key = verify_sshsig(review.signed_bytes, review.signature.value, REVIEW_NAMESPACE)
            except (RecordError, SigningError) as exc:
                out.setdefault("unreadable", []).append({"path": path, "reviewer": None, "verified": False, "verification": exc.message})
                continue
            signers = getattr(trust, "signers", None)
            signer, reason = (find_trusted_signer(signers, key, review.signature.principal, REVIEW_NAMESPACE)
                              if signers is not None else (None, "no signer is trusted"))
            ok = signer is not None and review.signature.key == key.fingerprint()
            out.setdefault(review.body.record_sha256, []).append({
                "path": path, "reviewer": review.signature.principal, "created": review.body.created,
                "verified": ok, "verification": "verified" if ok else (reason if signer is None else "signature.key is not the signing key"),
                "answers": {q: {k: v for k, v in vars(a).items() if v is not None} for q, a in review.body.answers.items()},
            })
    return out
