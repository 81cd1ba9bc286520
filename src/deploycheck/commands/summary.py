"""`deploycheck summary`: the PR block for the branch's current record."""

from __future__ import annotations

from ..analysis.pipeline import analyse


def run(base: str | None, format: str, github_comment: bool = False, allow_forks: bool = False,
        allowed_signers=None) -> int:
    if github_comment and format != "markdown":
        from ..errors import UsageError

        raise UsageError("--github-comment posts the Markdown block: drop --format text.")
    from ..git import gitcmd
    from ..git.change import shown_ref
    from ..output.summary import _web_base, markdown_block
    from ..gate.verification import evaluate, load_trust

    from ..gate.testrun import apply as test_run_rule

    ctx = analyse(base)
    verdict = test_run_rule(ctx, evaluate(ctx, allowed_signers))  # as `verify` says it (require_test_run)
    checklist = load_trust(ctx, allowed_signers).checklist if ctx.scan.flagged else None
    record = next((r.record for r in verdict.records if r.status == "valid"), None)
    if record is None:
        record = next((r.record for r in verdict.records if r.record is not None), None)
    if verdict.ok and verdict.flagged_files:
        state = "verify: PASS"
    elif verdict.ok:
        state = "verify: PASS (nothing flagged)"
    else:
        state = "verify: FAIL (" + ", ".join(sorted({p.code for p in verdict.problems})) + ")"
    if github_comment:
        # The comment sits beside the check's status: its verdict line is the gate's own (the
        # pull request's text and reviews included), never a friendlier one.
        from ..gate.review import pr_and_review_checks
        from .verify import gate_verdict

        gate, _, _ = pr_and_review_checks(ctx, gate_verdict(ctx, allowed_signers), allowed_signers, None, None)
        state = ("verify: PASS" + ("" if gate.flagged_files else " (nothing flagged)") if gate.ok
                 else "verify: FAIL (" + ", ".join(sorted({p.code for p in gate.problems})) + ")")
    remote = gitcmd.output(["config", "--get", "remote.origin.url"], ctx.change.repo_root, check=False)
    unanswered = "(not answered)"
    pending = _uncommitted_records(ctx.change.repo_root) if record is None and ctx.scan.flagged else []
    if pending:
        from ..output.console import warn

        unanswered = "(record not committed yet)"
        warn(f"the record {pending[0]} is not committed yet, and `summary` reads committed records only: "
             "commit it, then run `deploycheck summary` again.")
    text = markdown_block(
        record.body.findings if record else ctx.scan.findings,
        checklist,
        record.body.answers if record else {},
        base_ref=shown_ref(ctx.change.repo_root, ctx.change.base_ref),
        record_path=next((r.path for r in verdict.records if r.record is record), None) if record else None,
        signer=record.signature.principal if record else None,
        fingerprint=record.body.fingerprint.value if record else None,
        verdict=state,
        web=_web_base(remote, ctx.change.head_sha) if format == "markdown" else None,
        markdown=format == "markdown",
        unanswered=unanswered,
        concurrency_test=record.body.concurrency_test if record else None,
        test_run=record.body.test_run if record else None,
    )
    text = _with_claims_and_reviews(ctx, verdict, text, format == "markdown")
    if format == "markdown":
        print(text, end="")  # untrusted text is already Markdown-escaped; meant for pasting
        if github_comment:
            import sys

            from ..output.ghaction import comment_from_env

            sys.stdout.flush()
            print(f"deploycheck: {comment_from_env(text, allow_forks)}", file=sys.stderr)
        return 0
    from rich.text import Text

    from ..output.console import out

    heading, _, rest = text.partition("\n")
    out().print(Text(heading, style="bold"))
    out().print(Text(rest.rstrip("\n")), soft_wrap=True)  # already inert; never parsed as markup
    return 0


def _escape(markdown: bool):
    """A line's escaping: Markdown keeps its code spans as code (output.github.markdown_message)."""
    from ..output.github import markdown_message
    from ..util.safe import one_line

    return markdown_message if markdown else (lambda t: one_line(t, 2000))


def with_claims(ctx, text: str, markdown: bool) -> str:
    """The block with what the title, description or commits claim against what changed first,
    right under the heading: the same in `summary` and in the block `check` prints after signing."""
    from ..gate.prfield import said, shown_claims

    lines = said(shown_claims(ctx))
    if lines:
        esc = _escape(markdown)
        heading, _, rest = text.partition("\n\n")
        shown = [("**Claim vs change:** " if markdown else "Claim vs change: ") + esc(line) for line in lines]
        text = heading + "\n\n" + "\n\n".join(shown) + "\n\n" + rest
    return text


def _with_claims_and_reviews(ctx, verdict, text: str, markdown: bool) -> str:
    """``with_claims``, and who reviewed the record last (issue 19)."""
    from ..gate.review import review_checks

    esc = _escape(markdown)
    text = with_claims(ctx, text, markdown)
    _, reviews = review_checks(ctx, verdict)
    for rv in reviews:
        state = "valid" if rv.status == "valid" else f"{rv.status}: {rv.problems[0].code}" if rv.problems else rv.status
        text += f"Reviewed by {esc(rv.reviewer or 'unknown')} · {esc(rv.path)} · {esc(state)}\n"
    return text


def _uncommitted_records(root: str) -> list[str]:
    """Records in the working tree (staged or not) that HEAD does not have: what `check` wrote."""
    from ..git import gitcmd
    from ..records.record import RECORDS_DIR

    out = gitcmd.run(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", RECORDS_DIR], root, check=False).stdout
    return sorted(e[3:].decode("utf-8", "surrogateescape") for e in out.split(b"\0") if len(e) > 3 and e[:2] in (b"A ", b"??", b"AM"))
