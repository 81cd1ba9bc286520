"""`deploycheck verify`: the CI gate. Read-only: never prompts, never writes (but the CI summary
and the report files it is asked for)."""

from __future__ import annotations

from pathlib import Path

from ..analysis.pipeline import analyse
from ..gate.verification import gate_verdict
from ..output import report
from ..output.verdict import codequality_issues, print_github, print_hook, print_text, verdict_json


def run(base: str | None, head: str | None, format: str, allowed_signers: Path | None, hook: bool,
        pr_title: str | None = None, pr_body: str | None = None, json_file: Path | None = None,
        codequality: Path | None = None) -> int:
    if hook and base is None and head is None:
        from ..hooks.range import pushed_range

        base, head = pushed_range()
    from contextlib import nullcontext

    from ..rules.base import uncached

    # The CI gate writes nothing and trusts no cache: it builds the job index from the
    # repository. The pre-push hook uses the cache (under .git/deploycheck/jobindex, never the
    # work tree): without it every push would rebuild the index of the whole repository.
    with nullcontext() if hook else uncached():
        ctx = analyse(base, head)
    verdict = gate_verdict(ctx, allowed_signers)
    claims: list = []
    reviews: list = []
    if not hook:  # a push is no pull request, and its review comes after it (issue 19)
        from ..gate.review import pr_and_review_checks
        from ..gate.testrun import apply as test_run_rule

        # require_test_run, from the base's config: a merge condition, like reviews; a push
        # of work in progress may precede the passing run.
        verdict = test_run_rule(ctx, verdict)

        verdict, claims, reviews = pr_and_review_checks(ctx, verdict, allowed_signers, pr_title, pr_body)
    document = {**verdict_json(ctx, verdict), "claims": [c.to_json() for c in claims],
                "reviews": [r.to_json() for r in reviews]}
    # The extra reports are written before the verdict is printed: a file that cannot be
    # written is bad input (exit 2), never a gate result that CI would read as a pass.
    if json_file is not None:
        _write_report(json_file, report.dumps(document) + "\n", "--json-file")
    if codequality is not None:
        _write_report(codequality, report.dumps(codequality_issues(ctx, verdict)) + "\n", "--codequality")
    if format == "json":
        print(report.dumps(document))
    elif format == "github":
        print_github(ctx, verdict, claims)
    elif hook:
        print_hook(verdict)
    else:
        print_text(ctx, verdict, claims)
    if not hook:  # the verdict is about commits; say when the checkout holds edits it did not see
        from ..records.worktree import uncommitted_edits, uncommitted_note
        from ..output.console import warn

        edited = uncommitted_edits(ctx)
        if edited:
            warn(uncommitted_note(edited))
    return 0 if verdict.ok else 1


def _write_report(path: Path, text: str, option: str) -> None:
    from ..errors import UsageError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot write it ({exc.strerror or exc}). Name a file in a folder that exists and is writable.") from None
