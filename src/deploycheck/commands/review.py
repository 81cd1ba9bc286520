"""`deploycheck review`: an independent reviewer reads the record and co-signs it (review.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UsageError
from ..analysis.pipeline import analyse


def parse_answers(data: bytes, source: str) -> dict:
    """The reviewer's answers file: ``id: "text"`` or ``id: {answer: "…", details: "…"}``."""
    from ..util import yamlload as Y
    from ..gate.review import ReviewAnswer

    root = Y.compose(data, source)
    out = {}
    for qid, node in Y.as_map(root, source, "the review answers").items():
        if isinstance(getattr(node, "value", None), str):
            out[qid] = ReviewAnswer(Y.as_str(node, source, qid, allow_empty=False))
        else:
            m = Y.as_map(node, source, f"the answer to {qid}", ("answer", "details"), ("answer",))
            out[qid] = ReviewAnswer(Y.as_str(m["answer"], source, f"{qid}.answer", allow_empty=False),
                                    Y.optional(m, "details", lambda n: Y.as_str(n, source, f"{qid}.details")))  # noqa: B023 - Y.optional calls it at once
    return out


def _show(ctx: Any, record_path: str, record: Any, claims: list, checklist: Any) -> None:
    from rich.text import Text

    from ..output import report
    from ..output.console import out
    from ..util.safe import inert, inert_lines

    con = out()
    from ..gate.prfield import claim_lines

    for line in claim_lines(claims):
        con.print(Text(line, style="bold yellow"), soft_wrap=True)
    report.print_scan_text(ctx.scan)
    con.print(Text(f"Record {inert(record_path, keep_newlines=False)}, signed by {inert(record.signature.principal, keep_newlines=False)}. "
                   "The author's answers:", style="bold"))
    texts = {q.id: q.text for q in checklist.questions} if checklist is not None else {}
    for qid, answer in record.body.answers.items():
        # An answer written over several lines is shown over several lines (never a literal \n).
        said = inert_lines(answer.answer, 2000)
        for more, prefix in ((answer.details, " — "), (answer.rebuttal, " (kept despite a finding: ")):
            if more:
                extra = inert_lines(more, 2000)
                said = [*said[:-1], said[-1] + prefix + extra[0], *extra[1:]]
        if answer.rebuttal:
            said[-1] += ")"
        con.print(Text(inert(texts.get(qid, qid), keep_newlines=False), style="dim"))
        con.print(Text(f"  {inert(qid, keep_newlines=False)}: " + "\n      ".join(said)), soft_wrap=True)
    from ..gate.testrun import evidence_lines

    for line, weak in evidence_lines(record.body.concurrency_test, record.body.test_run):  # issue 19: a weak test, as such
        con.print(Text(inert(line, keep_newlines=False), style="bold yellow" if weak else ""), soft_wrap=True)


def _ask(record_answers: Any) -> dict:
    from ..output.console import out
    from ..gate.review import AGREE, READ_WITH_WORKERS, ReviewAnswer, questions
    from ..authoring.prompts import END_OF_TEXT
    from ..authoring.walkthrough import Prompter

    prompter = Prompter(out())
    answers = {}
    for qid, text in questions(record_answers):
        if qid == READ_WITH_WORKERS or qid.startswith(AGREE):
            answer = prompter.choice(text, ["yes", "no"])
            details = prompter.line("Why not?") if (answer == "no" and qid.startswith(AGREE)) else None
            answers[qid] = ReviewAnswer(answer, details)
        else:
            # Worded as the checklist words it (walkthrough.py), so a reviewer who signed records knows it.
            answers[qid] = ReviewAnswer(prompter.lines(f"{text} (a line with only {END_OF_TEXT} ends the answer)"))
    return answers


def _confirm() -> bool:
    from ..output.console import out
    from ..errors import Aborted, Interrupted
    from ..authoring.walkthrough import Prompter

    try:
        return Prompter(out()).confirm("Sign and write the review?", default=True)
    except KeyboardInterrupt:
        raise Interrupted("interrupted before signing; nothing was written.") from None
    except EOFError:
        raise Aborted("input ended before signing; nothing was written.") from None


def _ask_all(record_answers: Any) -> dict:
    """The questions at the terminal; Ctrl-C or end of input write nothing."""
    from ..errors import Aborted, Interrupted

    try:
        return _ask(record_answers)
    except KeyboardInterrupt:
        raise Interrupted("interrupted; nothing was written.") from None
    except EOFError:
        raise Aborted("input ended before the review was complete; nothing was written. "
                      "Answer in a terminal, or pass `--answers FILE`.") from None


def _pick_record(ctx: Any) -> tuple[str, bytes, Any, Any]:
    from ..gate.review import valid_records
    from ..util.safe import inert
    from ..gate.verification import evaluate

    verdict = evaluate(ctx)
    records = valid_records(ctx, verdict) if verdict.ok else {}
    if not records:
        codes = ", ".join(sorted({p.code for p in verdict.problems})) or "no record"
        raise UsageError(
            f"there is no valid, current record on this branch to review ({inert(codes, keep_newlines=False)}). "
            "The author runs `deploycheck` and commits the record first; then run `deploycheck review`."
        )
    path = sorted(records)[-1]  # records are named by date: the newest
    data, record, key = records[path]
    return path, data, record, key


def run(base: str | None, answers: Path | None, key: str | None, yes: bool, no_stage: bool) -> int:
    import os
    import uuid

    from rich.text import Text

    from ..git import gitcmd
    from ..output.console import out, warn
    from ..analysis.fingerprint import fingerprint
    from ..gate.prfield import change_claims, read_pr_text
    from ..records.record import SignatureInfo, attach_signature, utc_now, write_record_atomic
    from ..gate.review import (REVIEW_NAMESPACE, ReviewBody, answer_problems, build_body, parse_review,
                          record_digest, required_count, review_name)
    from ..util.safe import inert
    from ..records.signing import discover_signing_key, find_trusted_signer, sign
    from ..gate.verification import change_digests, load_trust

    gitcmd.work_tree(os.getcwd(), "review", "writes the signed review into the work tree and stages it for you to commit")
    ctx = analyse(base)
    con = out()
    if not ctx.scan.flagged:
        con.print(Text("Nothing flagged: this change needs no review by deploycheck."))
        return 0
    record_path, record_data, record, record_key = _pick_record(ctx)
    if answers is None and not sys.stdin.isatty():
        raise UsageError("the review needs answers, but standard input is not a terminal. Run `deploycheck review` in a "
                         "terminal, or pass the answers with `deploycheck review --answers FILE --yes` (docs/review.md).")
    root = ctx.change.repo_root
    signing_key = discover_signing_key(key, Path(root))
    principal = signing_key.principal or gitcmd.output(["config", "user.email"], root, check=False)
    if not principal:
        raise ConfigError("no reviewer identity: git's user.email is not set. Run `git config user.email you@example.com`.")
    own = {record.signature.principal.strip().lower(), record.body.author.email.strip().lower()}
    if signing_key.public_key == record_key or principal.strip().lower() in own:
        raise UsageError(f"{inert(principal, keep_newlines=False)} signed this record ({inert(record_path, keep_newlines=False)}); "
                         "a review must come from someone else, with their own key.")
    trust = load_trust(ctx)
    if trust.signers is not None and signing_key.public_key is not None:
        signer, reason = find_trusted_signer(trust.signers, signing_key.public_key, principal, REVIEW_NAMESPACE)
        if signer is None:
            warn(f"`deploycheck verify` will not trust this review yet: {reason}.")
    if required_count(ctx.config, ctx.scan.active, ctx.scan.flagged) == 0:
        warn("the base branch's config does not require a review of this change; it is recorded all the same.")
    try:
        pr = read_pr_text()
    except UsageError:
        pr = None  # the claims of the commit messages are still shown
    claims = change_claims(ctx, pr)
    _show(ctx, record_path, record, claims, trust.checklist)
    if answers is None:
        given = _ask_all(record.body.answers)
    else:
        try:
            data = answers.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read the answers file {answers}: {exc.strerror}. Check the path passed to --answers.") from None
        given = parse_answers(data, str(answers))
    problems = answer_problems(given, record.body.answers)
    if problems:
        raise ConfigError("the review cannot be signed: " + " ".join(problems) + " Nothing was written.")
    if not yes and sys.stdin.isatty() and not _confirm():
        con.print(Text("Not signed; nothing was written."))
        return 1
    name = gitcmd.output(["config", "user.name"], root, check=False) or "unknown"
    body = ReviewBody(
        id=uuid.uuid4().hex, created=utc_now(), reviewer_name=name, reviewer_email=principal,
        record_path=record_path, record_sha256=record_digest(record_data), fingerprint=fingerprint(change_digests(ctx)),
        record_signer=record.signature.principal, claims=tuple(c.message for c in claims if c.message),
        answers={q: given[q] for q in sorted(given)},
    )
    data = build_body(body)
    armored = sign(data, signing_key, REVIEW_NAMESPACE)
    hint = signing_key.public_key.fingerprint() if signing_key.public_key is not None else "unknown"
    signed = attach_signature(data, SignatureInfo(principal=principal, key=hint, value=armored, namespace=REVIEW_NAMESPACE))
    parse_review(signed, "the review just written")  # the writer's output must read back
    rel = review_name(record_path, principal)
    write_record_atomic(os.path.join(root, rel), signed)
    if not no_stage:
        gitcmd.run(["add", "--", rel], root)
    staged = "and staged it. Commit it with the branch." if not no_stage else "not staged (--no-stage): `git add` it and commit it."
    con.print(Text(f"Wrote {inert(rel, keep_newlines=False)}, the review of {inert(record_path, keep_newlines=False)} signed by "
                   f"{inert(principal, keep_newlines=False)}, {staged}", style="green"))
    return 0
