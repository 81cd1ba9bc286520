"""GitHub Actions output: workflow commands (annotations) and the job's step summary.

Shared by `scan --format github` and `verify --format github`. Everything here is text in,
text out, except ``append_step_summary``, which appends to the file GitHub names in
``GITHUB_STEP_SUMMARY``.

Workflow commands are parsed by the runner line by line (``::error file=…,line=…::message``),
so untrusted text must never be able to end the line or the property list: GitHub's own
escaping is applied (``%`` ``\\r`` ``\\n`` in the message; also ``:`` and ``,`` in property
values), after control characters have been made visible with ``safe.inert`` so that a finding
cannot colour or rewrite the log either.
"""

from __future__ import annotations

import os
import re

from ..util.safe import inert

# severity -> workflow command
COMMAND_FOR_SEVERITY = {"high": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """GitHub's escaping for the message part of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub's escaping for a property value (``file=``, ``title=``, …) of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: object) -> str:
    """One workflow command line, e.g. ``::error file=a.py,line=3,title=DC301 lost-update::msg``.

    Properties whose value is None are left out; ``end_line`` is written ``endLine`` (GitHub's
    name). Untrusted values are made inert and escaped here, so callers pass raw text: THE
    escaping for workflow commands. A property is one line (a line break in a file name is
    shown as ``\\n``); the message may span lines (GitHub's ``%0A``).
    """
    parts = []
    for key, value in properties.items():
        if value is None:
            continue
        name = "endLine" if key == "end_line" else "endColumn" if key == "end_column" else key
        parts.append(f"{name}={escape_property(inert(value, keep_newlines=False))}")
    props = " " + ",".join(parts) if parts else ""
    return f"::{command}{props}::{escape_data(inert(message))}"


# Characters with a meaning in GitHub-flavoured Markdown inline text; escaped with a backslash.
_MARKDOWN_SPECIAL = set("\\`*_[]|~!#")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# GitHub turns bare `https://…` and `www.…` into live links (the autolink extension): a
# backslash before the `:` or the `.` keeps the text and breaks the link.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z]):(?=//)|(?<=\bwww)\.")


def markdown_text(text: object) -> str:
    """THE escaping of untrusted text for Markdown (a table cell or a line of a paragraph):
    the PR block, `summary`, and the GitHub step summary all use it (or ``markdown_code``).

    Control characters and line breaks become visible escapes (a cell cannot span lines, and
    nothing can smuggle terminal sequences); Markdown and HTML syntax is escaped so that a
    message cannot add a link (not even a bare URL), an image, a table column, raw HTML such
    as ``</details>`` or a code span.
    """
    out = []
    for ch in inert(text, keep_newlines=False):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _MARKDOWN_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return _AUTOLINK.sub(lambda m: "\\" + m.group(0), "".join(out))


def markdown_code(text: object, *, in_table: bool = False) -> str:
    """Untrusted text as one Markdown code span (a path, a ref): shown exactly, never parsed.

    Inside a code span backslash escapes do not work and HTML is not HTML, so the text is only
    made inert (controls and line breaks visible) and fenced with more backticks than it holds
    in a row; in a table cell a ``|`` must still be written ``\\|`` (GitHub splits cells first).
    """
    s = inert(text, keep_newlines=False)
    if not s:
        return "` `"  # two backticks alone are not a code span
    if in_table:
        s = s.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ") and s.strip()) else ""
    return f"{fence}{pad}{s}{pad}{fence}"


# A code span a message writes (`Workers::PublishToHub`): one line, no backtick inside.
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def markdown_message(text: object, *, in_table: bool = False) -> str:
    """A finding's message for Markdown: its own code spans (`name`) shown as code, through
    ``markdown_code`` (exactly, never parsed), and the text between them through ``markdown_text``.
    Escaping every backtick showed GitHub readers the backslashes and backticks literally (a new
    user's trial, session 26); a span cannot smuggle Markdown either way, since its content is
    never parsed."""
    s = inert(text, keep_newlines=False)
    out, at = [], 0
    for m in _CODE_SPAN.finditer(s):
        out.append(markdown_text(s[at:m.start()]))
        out.append(markdown_code(m.group(1), in_table=in_table))
        at = m.end()
    out.append(markdown_text(s[at:]))
    return "".join(out)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; cells must already be escaped (``markdown_text``) by the caller."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def step_summary_path() -> str | None:
    value = os.environ.get("GITHUB_STEP_SUMMARY", "")
    return value or None


def append_step_summary(markdown: str, path: str | None = None) -> bool:
    """Append ``markdown`` to the job summary file (never overwrite: other steps write there too).

    Returns whether something was written: False when ``GITHUB_STEP_SUMMARY`` is not set. A file
    that cannot be written is a warning, not a failure: the annotations are already printed and
    the exit status must reflect the findings, not the summary.
    """
    target = path or step_summary_path()
    if not target:
        return False
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    try:
        with open(target, "a", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
            fh.write("\n" + text)
    except OSError as exc:
        from .console import warn

        warn(f"could not append to GITHUB_STEP_SUMMARY ({target}): {exc.strerror or exc}")
        return False
    return True
