"""The "Concurrency considerations" block for a pull request description. Pure text building."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from .answers import Answer
from .checklist import Checklist
from .github import markdown_text
from .model import Finding

HEADING = "### Concurrency considerations"


def _web_base(remote_url: str, head_sha: str) -> str | None:
    """https://host/owner/repo/blob/<sha>/ for GitHub/GitLab remotes (ssh or https), else None."""
    m = re.match(r"^(?:https://|git@|ssh://git@)([^/:]+)[/:](.+?)(?:\.git)?/?$", remote_url.strip())
    if not m or not re.fullmatch(r"[0-9a-f]{40,64}", head_sha):
        return None
    host, repo = m.group(1), m.group(2)
    if "github" in host:
        return f"https://{host}/{repo}/blob/{head_sha}/"
    if "gitlab" in host:
        return f"https://{host}/{repo}/-/blob/{head_sha}/"
    return None


def _where(f: Finding, web: str | None) -> str:
    label = f"{markdown_text(f.path)}:{f.line}"
    if f.side == "base":
        return f"`{label}` (removed)"
    if web:
        from urllib.parse import quote

        return f"[`{label}`]({web}{quote(f.path)}#L{f.line}-L{f.end_line})"
    return f"`{label}`"


def _answer_text(answer: Answer | None) -> str:
    if answer is None:
        return "_(not answered)_"
    text = f"**{markdown_text(answer.answer)}**"
    if answer.details:
        text += f" — {markdown_text(answer.details)}"
    if answer.rebuttal:
        text += f" _(answer kept despite a finding: {markdown_text(answer.rebuttal)})_"
    return text


def markdown_block(
    findings: Sequence[Finding],
    checklist: Checklist | None,
    answers: Mapping[str, Answer],
    *,
    base_ref: str,
    record_path: str | None,
    signer: str | None,
    fingerprint: str | None,
    verdict: str,
    web: str | None = None,
) -> str:
    active = [f for f in findings if not f.suppressed]
    flagged = [f for f in active if f.flags]
    lines = [HEADING, ""]
    if not flagged:
        lines.append("N/A — deploycheck found no change to jobs, queues or shared state in this branch.")
        return "\n".join(lines) + "\n"
    files = sorted({f.path for f in flagged})
    lines.append(
        f"deploycheck flagged {len(flagged)} finding{'s' if len(flagged) != 1 else ''} in "
        f"{len(files)} file{'s' if len(files) != 1 else ''} (compared with `{markdown_text(base_ref)}`)."
    )
    lines += ["", "| severity | rule | finding | where |", "|---|---|---|---|"]
    for f in active:
        lines.append(
            f"| {f.severity} | {markdown_text(f.rule)} {markdown_text(f.name)} | {markdown_text(f.message)} | {_where(f, web)} |"
        )
    suppressed = [f for f in findings if f.suppressed]
    if suppressed:
        lines += ["", "Suppressed in the code (visible on purpose):"]
        lines += [f"- {markdown_text(f.rule)} at {_where(f, web)}: {markdown_text(f.suppression_reason or '')}" for f in suppressed]
    if checklist is not None:
        lines += ["", f"Checklist `{markdown_text(checklist.id)}` v{checklist.version}:", ""]
        for q in checklist.questions:
            lines.append(f"- {markdown_text(q.text)} {_answer_text(answers.get(q.id))}")
    lines.append("")
    if record_path:
        lines.append(
            f"Signed by {markdown_text(signer or 'unknown')} · record `{markdown_text(record_path)}` · "
            f"fingerprint `{markdown_text((fingerprint or '')[:16])}` · {markdown_text(verdict)}"
        )
    else:
        lines.append(f"No signed record yet · {markdown_text(verdict)}")
    return "\n".join(lines) + "\n"


def markdown_for(ctx, checklist: Checklist, answers: Mapping[str, Answer], record_path: str) -> str:
    """The block printed by `check` right after it wrote ``record_path``."""
    from . import gitcmd
    from .fingerprint import file_digests, fingerprint

    remote = gitcmd.output(["config", "--get", "remote.origin.url"], ctx.change.repo_root, check=False)
    signer = gitcmd.output(["config", "user.email"], ctx.change.repo_root, check=False)
    return markdown_block(
        ctx.scan.findings, checklist, answers,
        base_ref=ctx.change.base_ref, record_path=record_path, signer=signer,
        fingerprint=fingerprint(file_digests(ctx.change.files, ctx.scan.flagged_files)),
        verdict="record written; commit it with the branch",
        web=_web_base(remote, ctx.change.head_sha),
    )
