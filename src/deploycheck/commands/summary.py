"""`deploycheck summary`: the PR block for the branch's current record."""

from __future__ import annotations

from .common import analyse


def run(base: str | None, format: str) -> int:
    from .. import gitcmd
    from ..summary import _web_base, markdown_block
    from ..verification import evaluate, load_trust

    ctx = analyse(base)
    verdict = evaluate(ctx)
    checklist = load_trust(ctx).checklist if ctx.scan.flagged else None
    record = next((r.record for r in verdict.records if r.status == "valid"), None)
    if record is None:
        record = next((r.record for r in verdict.records if r.record is not None), None)
    if verdict.ok and verdict.flagged_files:
        state = "verify: PASS"
    elif verdict.ok:
        state = "verify: PASS (nothing flagged)"
    else:
        state = "verify: FAIL (" + ", ".join(sorted({p.code for p in verdict.problems})) + ")"
    remote = gitcmd.output(["config", "--get", "remote.origin.url"], ctx.change.repo_root, check=False)
    text = markdown_block(
        record.body.findings if record else ctx.scan.findings,
        checklist,
        record.body.answers if record else {},
        base_ref=ctx.change.base_ref,
        record_path=next((r.path for r in verdict.records if r.record is record), None) if record else None,
        signer=record.signature.principal if record else None,
        fingerprint=record.body.fingerprint.value if record else None,
        verdict=state,
        web=_web_base(remote, ctx.change.head_sha) if format == "markdown" else None,
        markdown=format == "markdown",
    )
    if format == "markdown":
        print(text, end="")  # untrusted text is already Markdown-escaped; meant for pasting
        return 0
    from rich.text import Text

    from ..console import out

    heading, _, rest = text.partition("\n")
    out().print(Text(heading, style="bold"))
    out().print(Text(rest.rstrip("\n")), soft_wrap=True)  # already inert; never parsed as markup
    return 0
