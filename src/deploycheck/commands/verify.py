"""`deploycheck verify`: the CI gate. Read-only: never prompts, never writes (but the CI summary)."""

from __future__ import annotations

from pathlib import Path

from ..analysis.pipeline import analyse
from ..gate.verification import gate_verdict
from ..output import report
from ..output.verdict import print_github, print_hook, print_text, verdict_json


def run(base: str | None, head: str | None, format: str, allowed_signers: Path | None, hook: bool,
        pr_title: str | None = None, pr_body: str | None = None) -> int:
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

        verdict, claims, reviews = pr_and_review_checks(ctx, verdict, allowed_signers, pr_title, pr_body)
    if format == "json":
        print(report.dumps({**verdict_json(ctx, verdict), "claims": [c.to_json() for c in claims],
                            "reviews": [r.to_json() for r in reviews]}))
    elif format == "github":
        print_github(ctx, verdict, claims)
    elif hook:
        print_hook(verdict)
    else:
        print_text(ctx, verdict, claims)
    return 0 if verdict.ok else 1
