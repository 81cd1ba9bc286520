"""The "Concurrency considerations" block for a pull request description. Pure text building."""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from ..checklist.answers import Answer
from ..checklist.checklist import Checklist
from .github import markdown_code, markdown_message, markdown_text
from ..util.safe import one_line
from ..git.model import Finding

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


class _Style:
    """How the block is written: Markdown for the PR description, or plain text for a terminal."""

    def __init__(self, markdown: bool, unanswered: str = "(not answered)") -> None:
        self.markdown = markdown
        self.unanswered = unanswered

    def esc(self, text: object) -> str:
        return markdown_text(text) if self.markdown else one_line(text, 2000)

    def message(self, text: object, *, in_table: bool = True) -> str:
        return markdown_message(text, in_table=in_table) if self.markdown else self.esc(text)

    def code(self, text: object, *, in_table: bool = False) -> str:
        return markdown_code(text, in_table=in_table) if self.markdown else self.esc(text)

    def strong(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def where(self, f: Finding, web: str | None, *, in_table: bool = True) -> str:
        label = f"{f.path}:{f.line}"
        if f.side == "base":
            return f"{self.code(label, in_table=in_table)} (removed)"
        if web and self.markdown:
            from urllib.parse import quote

            # quote() leaves no `(`, `)`, space or newline that could end the link target.
            target = quote(f"{web}{f.path}".encode("utf-8", "surrogateescape"), safe="/:") + f"#L{f.line}-L{f.end_line}"
            return f"[{self.code(label, in_table=in_table)}]({target})"
        return self.code(label, in_table=in_table)

    def lines(self, text: object) -> str:
        """Text over several lines inside a list item: each line escaped on its own, joined by a
        Markdown hard line break (a backslash at the end of the line) and indented to stay in
        the item; plain text keeps the lines, indented. Blank lines are dropped (they would end
        the item)."""
        parts = [line for line in str(text).split("\n") if line.strip()] or [""]
        if self.markdown:
            return "\\\n  ".join(self.esc(line) for line in parts)
        return "\n    ".join(self.esc(line) for line in parts)

    def answer(self, answer: Answer | None) -> str:
        if answer is None:
            return self.unanswered
        text = self.strong(self.lines(answer.answer))
        if answer.details:
            text += f" — {self.lines(answer.details)}"
        if answer.rebuttal:
            text += f" (answer kept despite a finding: {self.lines(answer.rebuttal)})"
        return text


def _message(f: Finding) -> str:
    """The finding's message, with the suppression comment its author added (not honoured)."""
    from .report import author_suppression_note

    note = author_suppression_note(f)
    return f"{f.message} [{note}]" if note else f.message


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
    markdown: bool = True,
    unanswered: str = "(not answered)",
    concurrency_test: Any = None,
    test_run: Any = None,
) -> str:
    """The block in Markdown (default) or, with ``markdown=False``, as plain text. The record's
    ``concurrency_test`` and ``test_run`` follow the answers, a weak one in bold (testrun.py)."""
    st = _Style(markdown, unanswered)
    active = [f for f in findings if not f.suppressed]
    flagged = [f for f in active if f.flags]
    lines = [HEADING if markdown else HEADING.lstrip("# "), ""]
    if not flagged and not answers:
        lines.append("N/A — deploycheck found no change to jobs, queues or shared state in this branch.")
        return "\n".join(lines) + "\n"
    if flagged:
        files = sorted({f.path for f in flagged})
        lines.append(
            f"deploycheck flagged {len(flagged)} finding{'s' if len(flagged) != 1 else ''} in "
            f"{len(files)} file{'s' if len(files) != 1 else ''} (compared with {st.code(base_ref)})."
            # the table lists every active finding: say what the rows beyond the count are
            + (f" {_context_note(len(active) - len(flagged))}" if len(active) > len(flagged) else "")
        )
    else:  # `check --force`: the author answered the checklist although nothing was flagged
        lines.append(
            f"deploycheck found no change to jobs, queues or shared state (compared with {st.code(base_ref)}); "
            "the checklist was answered anyway."
        )
    if active and markdown:
        lines += ["", "| severity | rule | finding | where |", "|---|---|---|---|"]
        lines += [
            f"| {st.esc(f.severity)} | {st.esc(f.rule)} {st.esc(f.name)} | {st.message(_message(f))} | {st.where(f, web)} |"
            for f in active
        ]
    elif active:
        lines.append("")
        lines += [f"- {st.esc(f.severity)} {st.esc(f.rule)} {st.esc(f.name)} at {st.where(f, None, in_table=False)}: {st.message(_message(f), in_table=False)}" for f in active]
    suppressed = [f for f in findings if f.suppressed]
    if suppressed:
        lines += ["", "Suppressed in the code (visible on purpose):"]
        lines += [f"- {st.esc(f.rule)} at {st.where(f, web, in_table=False)}: {st.esc(f.suppression_reason or '')}" for f in suppressed]
    if checklist is not None:
        lines += ["", f"Checklist {st.code(checklist.id)} v{checklist.version}:", ""]
        lines += [f"- {st.esc(q.text)} {st.answer(answers.get(q.id))}" for q in checklist.questions]
    if concurrency_test is not None or test_run is not None:
        from ..gate.testrun import evidence_lines

        lines.append("")
        lines += [st.strong(st.esc(line)) if weak else st.esc(line) for line, weak in evidence_lines(concurrency_test, test_run)]
    lines.append("")
    if record_path:
        lines.append(
            f"Signed by {st.esc(signer or 'unknown')} · record {st.code(record_path)} · "
            f"fingerprint {st.code((fingerprint or '')[:16])} · {st.esc(verdict)}"
        )
    else:
        lines.append(f"No signed record yet · {st.esc(verdict)}")
    return "\n".join(lines) + "\n"


def markdown_for(ctx, checklist: Checklist, answers: Mapping[str, Answer], record_path: str, signer: str,
                 test_run: Any = None) -> str:
    """The block printed by `check` right after it wrote ``record_path``, signed by ``signer``
    (the principal in the record's signature block, which need not be git's user.email)."""
    from ..git import gitcmd
    from ..git.change import shown_ref
    from ..analysis.fingerprint import fingerprint
    from ..gate.testrun import concurrency_test
    from ..gate.verification import change_digests

    remote = gitcmd.output(["config", "--get", "remote.origin.url"], ctx.change.repo_root, check=False)
    return markdown_block(
        ctx.scan.findings, checklist, answers,
        base_ref=shown_ref(ctx.change.repo_root, ctx.change.base_ref), record_path=record_path, signer=signer,
        fingerprint=fingerprint(change_digests(ctx)),
        verdict="record written; commit it with the branch",
        web=_web_base(remote, ctx.change.head_sha),
        concurrency_test=concurrency_test(ctx, answers), test_run=test_run,
    )


def _context_note(n: int) -> str:
    """The findings shown that do not flag the change (info), so that the count and the rows agree."""
    return f"{n} more {'is' if n == 1 else 'are'} context (info) and need{'s' if n == 1 else ''} no answer."
