"""Renderers for scan results and rule documentation: text (Rich), json, sarif, github, markdown.

The ``render_*``/``scan_*`` functions are pure: data in, a document or renderables out. The
``print_*`` functions are the edges that read source lines from git objects and write to
stdout (and, for GitHub, the step summary). Untrusted text (paths, messages, source lines,
refs) is always made inert with ``safe.inert`` and wrapped in ``rich.text.Text``; Rich markup
is never interpreted.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Sequence
from urllib.parse import quote

from .. import __version__
from ..git.model import Change, FileChange, Finding
from ..util.safe import inert
from ..analysis.scan import MAX_TEXT_BYTES, ScanResult

if TYPE_CHECKING:  # Rich is imported only where output is rendered
    from rich.console import RenderableType

    from ..gate.prfield import Claim
    from ..rules.base import Rule

SCHEMA_VERSION = 1
# Where SARIF viewers send users for more about the tool (same URL as `deploycheck init` writes).
INFORMATION_URI = "https://github.com/deploycheck/deploycheck"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"info": "note", "warning": "warning", "high": "error"}
FINGERPRINT_KEY = "deploycheck/v1"

CONTEXT_LINES = 2  # source lines shown before and after a finding
MAX_MARKED_LINES = 8  # a longer finding shows its first lines and a count of the rest
MAX_SOURCE_CHARS = 240  # a minified line is cut, not printed whole
SEVERITY_STYLE = {"high": "bold red", "warning": "yellow", "info": "cyan"}
NOTHING_FLAGGED = "Nothing flagged: deploycheck found no change to jobs, queues or shared state."
# Said of the merge base, not the base: a branch the base already contains (an old one, behind it)
# differs from the base in thousands of files and brings none of them (a new user's trial, session 34).
NOTHING_TO_CHECK = ("Nothing to check: the head brings no change the base does not already hold (no file differs "
                    "between their merge base and the head: on the default branch itself or on a branch the base "
                    "already contains, switch to your branch, or name another base with --base).")
# How every output names a suppression comment that the change under test added (not honoured).
AUTHOR_SUPPRESSED = "suppressed by the author"


def author_suppression_note(finding: Finding) -> str:
    """``suppressed by the author in this change (REASON); not honoured: ...`` for a finding
    whose suppression comment the change itself added; "" for any other finding."""
    if not finding.suppressed_by_author:
        return ""
    return (
        f"{AUTHOR_SUPPRESSED} in this change ({finding.suppression_reason or '(no reason given)'}); "
        "not honoured: only a suppression the base branch already holds is"
    )


# --------------------------------------------------------------------------------------- json


def scan_json(result: ScanResult) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "base": result.change.merge_base,
        "head": result.change.head_sha,
        "flagged": result.flagged,
        "checklists": result.checklists,
        "findings": [f.to_json() for f in result.findings],
    }


def dumps(document: Any) -> str:
    from ..util.safe import json_controls_escaped

    return json_controls_escaped(json.dumps(document, indent=2, ensure_ascii=False))


# ------------------------------------------------------------------------- shared wording


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def base_line(change: Change) -> str:
    """``Base: origin/main (from GITHUB_BASE_REF) · merge-base 1a2b3c4d · head 5e6f7a8b``."""
    # origin/HEAD is chosen as itself: "(from origin/HEAD)" after its own name said nothing.
    how = "default branch" if change.base_source in ("default", change.base_ref) else f"from {change.base_source}"
    return (
        f"Base: {inert(change.base_ref, keep_newlines=False)} ({how}) · "
        f"merge-base {change.merge_base[:8]} · head {change.head_sha[:8]}"
    )


ASSESS = "Run `deploycheck` to assess."


def verdict(result: ScanResult, esc: Callable[[object], str] | None = None, next_step: str = ASSESS) -> str:
    """The one-line conclusion shared by the text, github and summary outputs; ``esc`` escapes
    the checklist names (configuration text) for the format, made inert for a terminal by default."""
    if result.flagged:
        count = sum(1 for f in result.findings if f.flags)
        files = len(result.flagged_files)
        escape = esc or (lambda text: inert(text, keep_newlines=False))
        names = [escape(name) for name in result.checklists or ["background-jobs"]]
        which = " and ".join(names) + (" checklist" if len(names) == 1 else " checklists")
        verb = "needs" if count == 1 else "need"
        by_author = sum(1 for f in result.findings if f.suppressed_by_author)
        counted = f" ({by_author} {AUTHOR_SUPPRESSED}, still counted)" if by_author else ""
        # The list above also shows informational findings: counted apart, so that the numbers
        # add up (a new user's trial read "13 findings" over a list of 15).
        context = shown_as_context(result.active)
        shown = f" ({_plural(context, 'more finding')} shown as context)" if context else ""
        return (
            f"Flagged: {_plural(count, 'finding')}{counted} in {_plural(files, 'file')} {verb} the {which}{shown}."
            + (f" {next_step}" if next_step else "")
        )
    context = shown_as_context(result.active)
    suppressed = sum(1 for f in result.findings if f.suppressed)
    if not result.change.files and not result.findings:
        # On the default branch itself the head is the merge-base: "nothing flagged" would read
        # as a verdict on work that was never compared.
        return NOTHING_TO_CHECK
    if not context and not suppressed:
        return NOTHING_FLAGGED
    notes = []
    if context:
        notes.append(f"{_plural(context, 'informational finding')} shown as context")
    if suppressed:
        notes.append(f"{suppressed} suppressed")
    return f"Nothing flagged: no risky change to jobs, queues or shared state ({'; '.join(notes)})."


def shown_as_context(active: Iterable[Finding]) -> int:
    """How many of the active findings are informational, shown beside the flagged ones as
    context (an `info` finding never flags): the one count scan and verify say."""
    return sum(1 for f in active if f.severity == "info")


def location(finding: Finding) -> str:
    """``path:line``, marked when the line number refers to the base version (a removed line)."""
    return finding.location


def removed_note(finding: Finding) -> str:
    span = (
        f"line {finding.line}"
        if finding.end_line <= finding.line
        else f"lines {finding.line}-{finding.end_line}"
    )
    return f"removed {span} of the base version"


# ---------------------------------------------------------------------------- source lines

Sources = dict[tuple[str, str], "list[str] | None"]  # (path, side) -> the file's lines


def _decode_lines(data: bytes | None) -> list[str] | None:
    if data is None or b"\x00" in data[:8000]:
        return None
    # Split on "\n" only, as git numbers lines: str.splitlines() would also split on form
    # feeds, \x1c-\x1e, NEL and U+2028 and shift every line number after them.
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def changed_lines(result: ScanResult) -> dict[tuple[str, str], set[int]]:
    """(path, side) -> the line numbers the change added to that file ("head") or removed from it
    ("base"): the frame marks those of a long finding (``_frame``)."""
    out: dict[tuple[str, str], set[int]] = {}
    shown = {f.path for f in result.findings}  # only files a frame is drawn for: lines are parsed lazily
    for fc in result.change.files:
        if fc.path not in shown:
            continue
        out[(fc.path, "head")] = {line.number for line in fc.added_lines()}
        out[(fc.path, "base")] = {line.number for line in fc.removed_lines()}
    return out


def read_sources(result: ScanResult, read_blob: Callable[[str], bytes | None]) -> Sources:
    """The lines of every file version a finding points at, from git objects (never the work tree).

    Head findings read the change's head blob, base findings the base blob.
    """
    files = {fc.path: fc for fc in result.change.files}
    sources: Sources = {}
    for finding in result.findings:
        key = (finding.path, finding.side)
        if key in sources:
            continue
        fc = files.get(finding.path)
        blob = None
        if fc is not None and not fc.binary:
            if finding.side == "base":
                blob = fc.old_blob if fc.old_path is not None else None
            else:
                blob = fc.new_blob if fc.new_path is not None else None
        sources[key] = _decode_lines(read_blob(blob)) if blob else None
    return sources


# ------------------------------------------------------------------------------------ text


def _badge(severity: str) -> "Any":
    from rich.text import Text

    return Text(f"[{inert(severity)}]", style=SEVERITY_STYLE.get(severity, ""))


def _heading(finding: Finding) -> "Any":
    from rich.text import Text

    text = Text()
    text.append(inert(location(finding), keep_newlines=False), style="bold")
    text.append(": ")
    text.append(inert(finding.rule, keep_newlines=False), style="bold")
    text.append(f" {inert(finding.name, keep_newlines=False)} ")
    text.append_text(_badge(finding.severity))
    if finding.suppressed_by_author:
        text.append(f" [{AUTHOR_SUPPRESSED}]", style="bold yellow")
    return text


def _frame(finding: Finding, lines: list[str], changed: Collection[int] | None = None) -> list["Any"]:
    """The source around a finding: numbered lines, ``>`` on the finding's own lines. With
    ``changed`` (the lines the change added, or removed for a base finding), a finding that spans
    many lines marks only its changed ones and its first and last, with their context, and folds
    the unchanged stretches between them (a function changed at its first and last line is not
    shown as 80 changed lines; a new-user trial)."""
    from rich.text import Text

    first = max(1, finding.line)
    last = max(first, min(finding.end_line, len(lines)))
    if first > len(lines):
        return []
    entries: list[int | str] = []  # line numbers to show, and notes for what is folded
    hits = sorted({first, last} | {n for n in (changed or ()) if first < n < last})
    if changed is None or len(hits) == last - first + 1:  # one stretch: its first lines, then a count of the rest
        marked = set(range(first, min(last, first + MAX_MARKED_LINES - 1) + 1))
        for number in range(max(1, first - CONTEXT_LINES), min(len(lines), last + CONTEXT_LINES) + 1):
            if number == max(marked) + 1 and number <= last:
                entries.append(f"… {_plural(last - max(marked), 'more line')}")
            if not max(marked) < number <= last:
                entries.append(number)
    else:
        marked = set(hits[:MAX_MARKED_LINES])
        numbers = sorted({n for hit in marked for n in range(hit - CONTEXT_LINES, hit + CONTEXT_LINES + 1) if 1 <= n <= len(lines)})
        for number in numbers:
            if entries and number > entries[-1] + 1:  # type: ignore[operator]  # the last entry is a number here
                entries.append("…")
            entries.append(number)
        if len(hits) > len(marked):
            entries.append(f"… {_plural(len(hits) - len(marked), 'more changed line')}")
    width = len(str(max(n for n in entries if isinstance(n, int))))
    out = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(Text(f"    {'':>{width}} | {entry}", style="dim"))
            continue
        source = inert(lines[entry - 1].rstrip("\r"))
        if len(source) > MAX_SOURCE_CHARS:
            source = source[: MAX_SOURCE_CHARS - 1] + "…"
        gutter = f"  {'>' if entry in marked else ' '} {entry:>{width}} |"
        row = Text(gutter + (" " if source else ""), style="bold" if entry in marked else "dim")
        row.append(source)
        out.append(row)
    return out


# Public names for the pieces the walkthrough reuses beside each question.
finding_heading = _heading
source_frame = _frame


def _paragraph(text: str, width: int, style: str = "") -> list["Any"]:
    """A message indented by two spaces, wrapped to ``width`` without trailing spaces."""
    import textwrap

    from rich.text import Text

    lines = textwrap.wrap(inert(text, keep_newlines=False), max(20, width - 2), break_on_hyphens=False) or [""]
    return [Text("  " + line, style=style) for line in lines]


def render_scan_text(result: ScanResult, sources: Sources | None = None, width: int = 100, next_step: str = ASSESS,
                     hint: bool = False) -> list["RenderableType"]:
    """What `deploycheck scan` prints, as Rich Text lines (print them with ``soft_wrap=True``)."""
    from rich.text import Text

    sources = sources or {}
    changed = changed_lines(result)
    out: list[Any] = [Text(base_line(result.change), style="dim"), Text("")]
    for finding in result.active:
        out.append(_heading(finding))
        message = finding.message
        if finding.side == "base":
            message += f" ({removed_note(finding)})"
        out.extend(_paragraph(message, width))
        if finding.suppressed_by_author:
            out.extend(_paragraph(f"Note: {author_suppression_note(finding)}.", width))
        lines = sources.get((finding.path, finding.side))
        if lines:
            out.extend(_frame(finding, lines, changed.get((finding.path, finding.side))))
        out.append(Text(""))
    suppressed = [f for f in result.findings if f.suppressed]
    if suppressed:
        out.append(Text(f"Suppressed ({len(suppressed)}), not counted:", style="bold"))
        for finding in suppressed:
            row = _heading(finding)
            row.append(f" suppressed ({inert(finding.suppression_reason or '(no reason given)', keep_newlines=False)})", style="dim")
            out.append(row)
            out.extend(_paragraph(finding.message, width))
        out.append(Text(""))
    out.append(Text(verdict(result, next_step=next_step), style="bold red" if result.flagged else "bold green"))
    if hint and not result.findings:
        # A new user's trial (session 28) took "no change to jobs" on atproto, whose daemons and
        # in-process queues no job library names, as a verdict on its background code.
        from ..rules.paths import is_test_or_doc

        if any(_SOURCE.search(fc.path) and not is_test_or_doc(fc.path) for fc in result.change.files):
            out.extend(_paragraph(NOT_RECOGNISED_HINT, width, style="dim"))
    return out


_SOURCE = re.compile(r"\.(?:py|rb|rake|[cm]?[jt]sx?|go|java|kts?|scala|groovy)$")
NOT_RECOGNISED_HINT = ("deploycheck knows background work by its job libraries, schedulers, threads and job folders "
                       "(docs/rules.md). Code that runs in the background otherwise (an in-process queue, a daemon's "
                       "loop) is read as background code once its folder is listed under `job_paths` in "
                       ".deploycheck/config.yaml (docs/configuration.md).")


def print_scan_text(result: ScanResult, read_blob: Callable[[str], bytes | None] | None = None, next_step: str = ASSESS,
                    hint: bool = False) -> None:
    """Print the text report; source lines come from ``read_blob`` or a BlobReader on the repo.
    ``hint``: after "Nothing flagged" over changed code, say how background work is recognised
    (`scan` without `job_paths` configured: NOT_RECOGNISED_HINT)."""
    if read_blob is None and result.findings:
        from ..git.gitcmd import BlobReader

        with BlobReader(result.change.repo_root) as blobs:
            sources = read_sources(result, lambda oid: blobs.read(oid, MAX_TEXT_BYTES))
    else:
        sources = read_sources(result, read_blob) if read_blob else {}
    from .console import out

    print_lines(render_scan_text(result, sources, out().width, next_step, hint))


def print_lines(renderables: Iterable["RenderableType"]) -> None:
    """Print lines to stdout unwrapped: renderers wrap their own paragraphs, so ``path:line`` and
    source lines are never broken and nothing gets trailing padding. A line of text Rich would
    print unchanged is written directly (``console.prints_unchanged``)."""
    from rich.text import Text

    from .console import out, prints_unchanged

    console = out()
    unchanged = prints_unchanged(console)
    pending: list[str] = []
    for renderable in renderables:
        # (console.print joins the Texts it is given with its own `end` and `justify`, so a Text's
        # own settings do not change what it prints)
        if unchanged is not None and isinstance(renderable, Text) and unchanged(renderable.plain):
            pending.append(renderable.plain + "\n")
            continue
        if pending:
            console.file.write("".join(pending))
            pending = []
        console.print(renderable, soft_wrap=True)
    if pending:
        console.file.write("".join(pending))
    console.file.flush()


# ----------------------------------------------------------------------------------- sarif


# A paragraph of an Example / Use instead section that reads as a sentence ("Keep the change,
# and …", "Release 1: …") rather than code ("PROCESSED = Counter()", "DELETE FROM sessions;").
_PROSE = re.compile(r"^[A-Z][a-z]+,? [a-z0-9`(]")
_FENCE_LANGUAGE = {"jvm": "java", "config": "", "worker-config": ""}


def _example_markdown(text: str, languages: tuple[str, ...]) -> str:
    """Prose paragraphs as text, runs of code paragraphs as one fenced block each."""
    body = text.strip("\n")
    if "```" in body:  # already Markdown
        return body
    lang = _FENCE_LANGUAGE.get(languages[0], languages[0]) if languages else ""
    blocks: list[str] = []
    code: list[str] = []
    for paragraph in body.split("\n\n"):
        if _PROSE.match(paragraph):
            if code:
                blocks.append(f"```{lang}\n" + "\n\n".join(code) + "\n```")
                code = []
            blocks.append(paragraph)
        else:
            code.append(paragraph)
    if code:
        blocks.append(f"```{lang}\n" + "\n\n".join(code) + "\n```")
    return "\n\n".join(blocks)


def rule_sections(rule: "Rule") -> list[tuple[str, str]]:
    """(title, body) for each documentation section, in ruff's order."""
    from ..rules.base import DOC_SECTIONS, DOC_TITLES

    return [(DOC_TITLES[key], getattr(rule, key).strip("\n")) for key in DOC_SECTIONS]


def rule_doc_markdown(rule: "Rule", level: int = 2) -> str:
    """The documentation sections as Markdown, each under a heading of ``level`` (SARIF's help
    uses 2; docs/rules.md, where each rule has its own section, 3)."""
    from ..rules.base import DOC_TITLES

    code_titles = (DOC_TITLES["example"], DOC_TITLES["use_instead"])
    parts = []
    for title, body in rule_sections(rule):
        if title in code_titles and body:
            body = _example_markdown(body, rule.languages)
        parts.append(f"{'#' * level} {title}\n\n{body or 'None known.'}")
    return "\n\n".join(parts) + "\n"


def rule_doc_text(rule: "Rule") -> str:
    return "\n\n".join(f"{title}\n{body or 'None known.'}" for title, body in rule_sections(rule)) + "\n"


def _descriptor(rule: "Rule") -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what_it_does.strip() or rule.summary},
        "help": {"text": rule_doc_text(rule), "markdown": rule_doc_markdown(rule)},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(rule.severity, "warning")},
        "properties": {
            "tags": [rule.category],
            "category": rule.category,
            "severity": rule.severity,
            "questions": list(rule.questions),
        },
    }


def _fallback_descriptor(finding: Finding) -> dict[str, Any]:
    """For a finding whose rule is not in the registry (should not happen; keeps ruleIndex valid)."""
    return {
        "id": finding.rule,
        "name": finding.name,
        "shortDescription": {"text": finding.name},
        "fullDescription": {"text": finding.name},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(finding.severity, "warning")},
        "properties": {"tags": [finding.category], "category": finding.category},
    }


def head_anchor(finding: Finding, fc: FileChange | None) -> int:
    """Where a base-side finding (removed lines) sits in the head version: the new-side start of
    the hunk that removed its first line (with -U0, the head line replacing it, or the one just
    above a pure deletion); 1 when the file was deleted or no hunk holds the line."""
    if fc is None or fc.new_path is None:
        return 1
    for hunk in fc.hunks:
        if hunk.old_start <= finding.line < hunk.old_start + max(1, hunk.old_count):
            return max(1, hunk.new_start)
    return 1


def _uri(path: str) -> str:
    """A relative URI reference for a repository path (percent-encoded UTF-8, ``/`` kept)."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def fingerprint(finding: Finding) -> str:
    """Stable across line shifts: rule, path and message only."""
    data = "\0".join((finding.rule, finding.path, finding.message)).encode("utf-8", "surrogateescape")
    return hashlib.sha256(data).hexdigest()


def scan_sarif(result: ScanResult, rules: Iterable["Rule"] | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run, in the subset GitHub code scanning accepts.

    GitHub can only show a result on a line of the analysed (head) commit, so a base-side
    finding (a removed safeguard) is reported at the head line where the deletion happened
    (``head_anchor``) with the removed lines named in the message. Identical (rule, path, message) triples get an occurrence suffix in their
    fingerprint so that GitHub does not merge them into one alert.
    """
    if rules is None:
        from ..rules import all_rules

        rules = all_rules().values()
    descriptors = [_descriptor(rule) for rule in rules]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    files = {fc.path: fc for fc in result.change.files}
    seen: dict[str, int] = {}
    results = []
    for finding in result.findings:
        if finding.rule not in index:
            index[finding.rule] = len(descriptors)
            descriptors.append(_fallback_descriptor(finding))
        message = finding.message
        if finding.side == "base":
            fc = files.get(finding.path)
            gone = fc is not None and fc.new_path is None
            message += f" ({removed_note(finding)}{'; the file is deleted in this change' if gone else ''})"
            start = end = head_anchor(finding, fc)
        else:
            start = max(1, finding.line)
            end = max(start, finding.end_line)
        digest = fingerprint(finding)
        seen[digest] = seen.get(digest, 0) + 1
        if seen[digest] > 1:
            digest = f"{digest}:{seen[digest]}"
        entry: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": SARIF_LEVEL.get(finding.severity, "warning"),
            "message": {"text": message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(finding.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": start, "endLine": end},
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: digest},
            "properties": {
                "name": finding.name,
                "category": finding.category,
                "severity": finding.severity,
                "questions": list(finding.questions),
                "side": finding.side,
                "line": finding.line,
                "endLine": finding.end_line,
            },
        }
        if finding.job is not None or finding.trail:
            entry["properties"].update(_job_properties(finding))
            entry["relatedLocations"] = _related_locations(finding)
        if finding.suppressed:
            reason = inert(finding.suppression_reason or "(no reason given)", keep_newlines=False)
            entry["suppressions"] = [{"kind": "inSource", "justification": reason}]
        elif finding.suppressed_by_author:
            # Not a SARIF suppression: a viewer would hide or dismiss the result, and the gate
            # does not honour it. The message and the properties say what the author wrote.
            entry["message"]["text"] += f" [{author_suppression_note(finding)}]"
            entry["properties"]["suppressedByAuthor"] = True
            entry["properties"]["suppressionReason"] = finding.suppression_reason or "(no reason given)"
        entry["message"]["text"] = _sarif_message(entry["message"]["text"])
        results.append(entry)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "deploycheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _root_uri(result.change.repo_root)}},
                "results": results,
                "properties": {
                    "base": result.change.merge_base,
                    "head": result.change.head_sha,
                    "flagged": result.flagged,
                    "checklists": list(result.checklists),
                },
            }
        ],
    }


def _job_properties(finding: Finding) -> dict[str, Any]:
    """The finding's ``job`` and ``trail`` fields, as in the JSON output."""
    data = finding.to_json()
    return {key: data[key] for key in ("job", "trail") if key in data}


# SARIF reads `[text](id)` in a message as a link to a related location: a name written with
# brackets (a JS computed member) must stay text.
_SARIF_LINK_CHARS = re.compile(r"([\\\[\]])")


def _sarif_text(text: object) -> str:
    return _SARIF_LINK_CHARS.sub(r"\\\1", inert(text, keep_newlines=False))


def _sarif_message(text: str) -> str:
    """A result's message as a viewer may show it: it quotes paths, code and an author's reason,
    so control characters and bidi overrides are made visible (as in the related locations: the
    document's JSON escapes keep the characters, and a viewer would colour, hide or reorder the
    text around them). Where it then holds `](`, every backslash and bracket is escaped too
    (SARIF's own escapes, which a viewer shows as the plain characters): a viewer would render
    `[x](1)` as a link to a related location and `[x](https://…)` as one off the page."""
    text = inert(text, keep_newlines=False)
    return _SARIF_LINK_CHARS.sub(r"\\\1", text) if "](" in text else text


def _related_locations(finding: Finding) -> list[dict[str, Any]]:
    """Where the job is, then each step of the trail from it down, as SARIF related locations
    (a viewer lists them beside the result, each a link to its line)."""
    places = []
    if finding.job is not None:
        job = finding.job
        places.append((job["path"], job["line"], f"{job['kind']}" + (f" {job['name']}" if job.get("name") else "")))
    for step in finding.trail or ():
        what = step.get("name") or "top-level code"
        places.append((step["path"], step["line"], f"{what} calls {step['calls']}" if step.get("calls") else what))
    return [{"id": number, "message": {"text": _sarif_text(text)},
             "physicalLocation": {"artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
                                  "region": {"startLine": max(1, int(line))}}}
            for number, (path, line, text) in enumerate(places, start=1)]


def _root_uri(root: str) -> str:
    from pathlib import Path

    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


# ---------------------------------------------------------------------------------- github


def github_commands(result: ScanResult) -> list[str]:
    """One workflow command per finding; suppressed ones as notices, so they stay visible."""
    from .github import COMMAND_FOR_SEVERITY, workflow_command

    files = {fc.path: fc for fc in result.change.files}
    lines = []
    for finding in result.findings:
        title = f"{finding.rule} {finding.name}"
        message = finding.message
        line: int | None = max(1, finding.line)
        end: int | None = max(1, finding.line, finding.end_line)  # max(line, end_line)
        if finding.side == "base":
            # Annotations can only sit on head lines: the one where the deletion happened, with
            # the removed lines named; a deleted file gets a file-level annotation.
            fc = files.get(finding.path)
            exists = fc is None or fc.new_path is not None
            message += f" ({removed_note(finding)})"
            line = end = head_anchor(finding, fc) if exists else None
        command = COMMAND_FOR_SEVERITY.get(finding.severity, "warning")
        if finding.suppressed:
            command = "notice"
            title += " (suppressed)"
            message += f" [suppressed: {finding.suppression_reason or '(no reason given)'}]"
        elif finding.suppressed_by_author:
            title += f" ({AUTHOR_SUPPRESSED})"
            message += f" [{author_suppression_note(finding)}]"
        lines.append(workflow_command(command, message, file=finding.path, line=line, end_line=end, title=title))
    return lines


def scan_summary_markdown(result: ScanResult) -> str:
    """The step-summary section for a scan: verdict, then a table of findings."""
    from .github import markdown_message, markdown_table, markdown_text

    parts = ["### deploycheck scan", "", verdict(result, markdown_text), "", markdown_text(base_line(result.change))]
    if result.active:
        rows = [
            [
                markdown_text(f.severity),
                markdown_text(f"{f.rule} {f.name}" + (f" ({AUTHOR_SUPPRESSED})" if f.suppressed_by_author else "")),
                markdown_text(location(f)),
                markdown_message(
                    f.message + (f" ({removed_note(f)})" if f.side == "base" else "")
                    + (f" [{author_suppression_note(f)}]" if f.suppressed_by_author else ""), in_table=True
                ),
            ]
            for f in result.active
        ]
        parts += ["", markdown_table(["Severity", "Rule", "Location", "Message"], rows)]
    suppressed = [f for f in result.findings if f.suppressed]
    if suppressed:
        rows = [
            [
                markdown_text(f"{f.rule} {f.name}"),
                markdown_text(location(f)),
                markdown_text(f.suppression_reason or "(no reason given)"),
                markdown_text(f.message),
            ]
            for f in suppressed
        ]
        parts += ["", "Suppressed (not counted):", "", markdown_table(["Rule", "Location", "Reason", "Message"], rows)]
    return "\n".join(parts) + "\n"


def print_github_scan(result: ScanResult, claims: Sequence[Claim] = ()) -> None:
    from .github import append_step_summary, workflow_command

    from ..gate.prfield import said

    # First, as `verify --format github` and the text output put them: what the author said
    # against what changed.
    for line in said(claims):
        sys.stdout.write(workflow_command("warning", line, title="deploycheck: claim vs change") + "\n")
    for line in github_commands(result):
        sys.stdout.write(line + "\n")
    sys.stdout.write(verdict(result) + "\n")
    sys.stdout.flush()
    append_step_summary(scan_summary_markdown(result))


# ----------------------------------------------------------------------------------- rules


def rules_json(rules: Iterable["Rule"]) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "name": r.name,
            "category": r.category,
            "severity": r.severity,
            "summary": r.summary,
            "questions": list(r.questions),
            "languages": list(r.languages),
        }
        for r in rules
    ]


def render_rules_table(rules: Iterable["Rule"], width: int = 100) -> list["RenderableType"]:
    """`deploycheck rules`: aligned columns; the summary wraps under itself, no trailing spaces."""
    import textwrap

    from rich.text import Text

    columns = ("id", "name", "category", "severity")
    rows = [(r.id, r.name, r.category, r.severity, r.summary) for r in rules]
    widths = [max([len(c)] + [len(row[i]) for row in rows]) for i, c in enumerate(columns)]
    indent = sum(widths) + 2 * len(widths)
    summary_width = max(30, width - indent)

    def cells(values: tuple[str, ...]) -> str:
        return "".join(f"{v:<{w}}  " for v, w in zip(values, widths))

    out: list[Any] = [Text(cells(columns) + "summary", style="bold")]
    for *fixed, summary in rows:
        wrapped = textwrap.wrap(summary, summary_width) or [""]
        line = Text(cells(tuple(fixed)))
        line.stylize(SEVERITY_STYLE.get(fixed[3], ""), indent - widths[3] - 2, indent - 2)
        line.append(wrapped[0])
        line.rstrip()
        out.append(line)
        out.extend(Text(" " * indent + more) for more in wrapped[1:])
    return out


def render_rules_markdown(rules: Iterable["Rule"] | None = None) -> str:
    """A Markdown table of every rule, embedded in docs/rules.md (a test keeps the two in sync)."""
    from .github import markdown_text

    if rules is None:
        from ..rules import all_rules

        rules = all_rules().values()
    lines = ["| Rule | Name | Category | Severity | Summary |", "|---|---|---|---|---|"]
    for r in rules:
        lines.append(f"| {r.id} | `{r.name}` | {r.category} | {r.severity} | {markdown_text(r.summary)} |")
    return "\n".join(lines) + "\n"


def render_explain(rule: "Rule") -> list["RenderableType"]:
    """`deploycheck explain`: the rule's facts, then its documentation in ruff's sections."""
    from rich.text import Text

    out: list[Any] = [Text(f"{rule.id} {rule.name}", style="bold")]
    facts = f"Category: {rule.category} · Default severity: {rule.severity}"
    if rule.languages:
        facts += f" · Languages: {', '.join(rule.languages)}"
    out.append(Text(facts))
    out.append(Text(f"Checklist questions: {', '.join(rule.questions) or 'none'}"))
    out.append(Text(f"Summary: {rule.summary}"))
    for title, body in rule_sections(rule):
        out.append(Text(""))
        out.append(Text(title, style="bold underline"))
        out.append(Text(body or "None known."))
    return out
