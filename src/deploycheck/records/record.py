"""Records: one signed YAML file per assessed change in ``.deploycheck/records/``.

This module writes the body, attaches a signature that someone else made, splits and parses
records strictly, names them, and writes them atomically under a lock. It never signs or
verifies: ``deploycheck.records.signing`` does, over the bytes ``build_body`` returns.

**What is signed** (docs/design.md "Records") is the exact bytes of the body: everything before the
first line that starts with ``signature:`` at column 0, with CRLF normalised to LF. So
``sed '/^signature:/,$d' R.yaml`` prints exactly the signed bytes. The writer guarantees that
no body line starts with ``signature:``: the key appears only at the top level, once, and every
value is either a double-quoted one-line string (line breaks and control characters escaped) or
an indented literal block.

The writer quotes every string, so no YAML reader can take ``yes`` for a boolean or a sha for a
number. Multi-line text (details, rebuttals, the armored signature) is written as a literal
block (``|``) only after checking that reading it back yields the same text; otherwise it is a
double-quoted string with ``\\n`` escapes. Lone surrogates (non-UTF-8 bytes in a path) cannot be
stored in YAML; they are written as ``\\xNN`` text (``fingerprint.path_key``).

The reader is strict: size capped before parsing, composed safely by ``yamlload`` (no tags, no
aliases, no duplicate keys, bounded nesting), unknown keys and wrong types rejected, schema
version 1 only, and nothing may follow the signature block.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Iterator, Mapping, Sequence

from ..util import yamlload as Y
from ..checklist.answers import Answer
from ..errors import ConfigError, RecordError
from ..analysis.fingerprint import path_key
from ..git.model import CATEGORIES, SEVERITIES, Finding
from ..checklist.testevidence import ConcurrencyTest, TestRun

SCHEMA_VERSION = 1
from ..config import RECORDS_DIR  # noqa: E402  (re-exported: every reader of records names it from here)
NAMESPACE = "deploycheck-record-v1"
SIGNATURE_FORMAT = "sshsig"
MAX_BYTES = 1_000_000
MAX_DEPTH = 6  # answers -> id -> field is the deepest the schema goes (plus margin)
SIGNATURE_LINE = b"signature:"

BODY_KEYS = (
    "deploycheck_record", "id", "created", "author", "branch", "base", "tool",
    "fingerprint", "findings", "checklist", "answers",
)
# Keys added after format 1 shipped: optional, written after `answers` only when there is
# something to say, so that every older record keeps its exact bytes and still parses.
OPTIONAL_BODY_KEYS = ("concurrency_test", "test_run")
_CONCURRENCY_TEST_KEYS = ("name", "exists", "references_job", "concurrent", "evidence", "note")
_TEST_RUN_KEYS = ("command", "exit_status", "duration_seconds", "head_commit", "worktree_clean")
_DURATION = re.compile(r"^\d{1,9}(?:\.\d{1,6})?$")
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_FINDING_KEYS = (
    "rule", "name", "category", "severity", "path", "line", "end_line", "side", "message",
    "questions", "suppressed", "suppression_reason", "suppressed_by_author",
)
_OPTIONAL_FINDING_KEYS = ("suppressed", "suppression_reason", "suppressed_by_author")
_SIGNATURE_KEYS = ("format", "namespace", "principal", "key", "value")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CREATED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_FIX = "Records are written by `deploycheck`: run it again and commit the new record instead of editing one by hand."


# --- the model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Author:
    name: str
    email: str


@dataclass(frozen=True)
class BaseInfo:
    """Informational only: these change on every rebase and are never trusted."""

    ref: str
    merge_base: str
    head: str


@dataclass(frozen=True)
class ToolInfo:
    deploycheck: str
    git: str


@dataclass(frozen=True)
class FingerprintInfo:
    value: str
    files: dict[str, str]  # path -> digest, see deploycheck.analysis.fingerprint
    algorithm: str = "sha256"
    # The fingerprint's version (fingerprint.VERSION). Written only when it is not 1, so records
    # made before version 2 keep their exact bytes and still parse (the gate calls them stale).
    version: int = 1


@dataclass(frozen=True)
class ChecklistRef:
    id: str
    version: int
    digest: str


@dataclass(frozen=True)
class SignatureInfo:
    principal: str
    key: str  # e.g. "SHA256:…", a hint for humans; trust comes from allowed_signers
    value: str  # the armored SSHSIG, "-----BEGIN SSH SIGNATURE-----\n…\n-----END SSH SIGNATURE-----\n"
    format: str = SIGNATURE_FORMAT
    namespace: str = NAMESPACE


@dataclass(frozen=True)
class RecordBody:
    id: str
    created: str  # UTC, "YYYY-MM-DDTHH:MM:SSZ"
    author: Author
    branch: str
    base: BaseInfo
    tool: ToolInfo
    fingerprint: FingerprintInfo
    findings: tuple[Finding, ...]
    checklist: ChecklistRef
    answers: dict[str, Answer] = field(default_factory=dict)
    concurrency_test: ConcurrencyTest | None = None  # what the named concurrency test shows (testevidence.py)
    test_run: TestRun | None = None  # `check --run-tests` (testrun.py)


@dataclass(frozen=True)
class Record:
    body: RecordBody
    signature: SignatureInfo
    signed_bytes: bytes  # the body exactly as signed (LF line endings)
    source: str


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# --- writing ----------------------------------------------------------------------------------


def _storable(text: str) -> str:
    """``text`` without lone surrogates, which YAML cannot hold (see fingerprint.path_key)."""
    return path_key(text)


def _escape_char(ch: str) -> str:
    named = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
    if ch in named:
        return named[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quote(text: str) -> str:
    """A double-quoted YAML scalar on one line: backslash, quote, line breaks, control and
    format characters (bidi overrides, zero-width, BOM, NBSP…) escaped."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'  # the common case, and what the loop below gives for it
    return '"' + "".join(_escape_char(ch) for ch in _storable(text)) + '"'


def _literal(text: str, indent: str) -> str | None:
    """``text`` as a literal block scalar (header + lines), or None when that cannot round-trip."""
    if "\n" not in text:  # (checked first: _storable never adds or removes a line break)
        return None
    text = _storable(text)
    if any(ch != "\n" and (ch == "\t" or not ch.isprintable()) for ch in text):
        return None
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    first = next((ln for ln in body.split("\n") if ln.strip()), "")
    if not first:
        return None
    header = "|" + ("2" if first.startswith(" ") else "") + chomp
    lines = [(indent + ln) if ln else "" for ln in body.split("\n")]
    block = header + "\n" + "\n".join(lines) + "\n" + "\n" * (trailing - 1 if trailing > 1 else 0)
    if _read_back(block, indent) != text:
        return None
    return block


def _read_back(block: str, indent: str) -> str | None:
    import yaml

    probe = "k:\n" + " " * (len(indent) - 2) + "v: " + block if len(indent) > 2 else "v: " + block
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loaded = yaml.load(probe, Loader=loader_cls)  # noqa: S506 - safe loader, plain text we just made
    except yaml.YAMLError:
        return None
    while isinstance(loaded, dict) and len(loaded) == 1:
        loaded = next(iter(loaded.values()))
    return loaded if isinstance(loaded, str) else None


def _text(text: str, indent: str) -> str:
    """A string value: a literal block when it is multi-line and round-trips, else quoted."""
    return _literal(text, indent) or (quote(text) + "\n")


def _finding_lines(f: Finding) -> list[str]:
    q = quote
    lines = [
        f"  - rule: {q(f.rule)}\n",
        f"    name: {q(f.name)}\n",
        f"    category: {q(f.category)}\n",
        f"    severity: {q(f.severity)}\n",
        f"    path: {q(f.path)}\n",
        f"    line: {int(f.line)}\n",
        f"    end_line: {int(f.end_line)}\n",
        f"    side: {q(f.side)}\n",
        f"    message: {q(f.message)}\n",
        f"    questions: [{', '.join(q(x) for x in f.questions)}]\n",
    ]
    if f.suppressed:
        lines.append("    suppressed: true\n")
        lines.append(f"    suppression_reason: {q(f.suppression_reason or '')}\n")
    elif f.suppressed_by_author:  # an optional key: records written before it existed read as before
        lines.append("    suppressed_by_author: true\n")
        lines.append(f"    suppression_reason: {q(f.suppression_reason or '')}\n")
    return lines


def build_body(body: RecordBody) -> bytes:
    """The record body in its one canonical layout, as UTF-8 bytes with LF line endings."""
    data = _body_text(body).encode("utf-8")
    _check_body(data)
    return data


def _body_text(body: RecordBody) -> str:
    q = quote
    out = [
        f"deploycheck_record: {SCHEMA_VERSION}\n",
        f"id: {q(body.id)}\n",
        f"created: {q(body.created)}\n",
        "author:\n",
        f"  name: {q(body.author.name)}\n",
        f"  email: {q(body.author.email)}\n",
        f"branch: {q(body.branch)}\n",
        "base:\n",
        f"  ref: {q(body.base.ref)}\n",
        f"  merge_base: {q(body.base.merge_base)}\n",
        f"  head: {q(body.base.head)}\n",
        "tool:\n",
        f"  deploycheck: {q(body.tool.deploycheck)}\n",
        f"  git: {q(body.tool.git)}\n",
        "fingerprint:\n",
        f"  algorithm: {q(body.fingerprint.algorithm)}\n",
        f"  value: {q(body.fingerprint.value)}\n",
    ]
    if body.fingerprint.version != 1:
        out.append(f"  version: {int(body.fingerprint.version)}\n")
    files = body.fingerprint.files
    out.append("  files:\n" if files else "  files: {}\n")
    out.extend(f"    {q(path)}: {q(digest)}\n" for path, digest in sorted(files.items()))
    out.append("findings:\n" if body.findings else "findings: []\n")
    for finding in body.findings:
        out.extend(_finding_lines(finding))
    out += [
        "checklist:\n",
        f"  id: {q(body.checklist.id)}\n",
        f"  version: {int(body.checklist.version)}\n",
        f"  digest: {q(body.checklist.digest)}\n",
    ]
    out.append("answers:\n" if body.answers else "answers: {}\n")
    for qid, answer in body.answers.items():
        out.append(f"  {q(qid)}:\n")
        out.append(f"    answer: {_text(answer.answer, '      ')}")
        for key in ("details", "rebuttal", "warning"):
            value = getattr(answer, key)
            if value is not None:
                out.append(f"    {key}: {_text(value, '      ')}")
    out.extend(_evidence_lines(body))
    return "".join(out)


def _evidence_lines(body: RecordBody) -> list[str]:
    """The optional ``concurrency_test`` and ``test_run`` sections (inside the signed bytes)."""
    q, out = quote, []
    ct = body.concurrency_test
    if ct is not None:
        out += ["concurrency_test:\n", f"  name: {q(ct.name)}\n", f"  exists: {'true' if ct.exists else 'false'}\n"]
        for key in ("references_job", "concurrent"):
            value = getattr(ct, key)
            if value is not None:
                out.append(f"  {key}: {'true' if value else 'false'}\n")
        out.append("  evidence:\n" if ct.evidence else "  evidence: []\n")
        out.extend(f"    - {q(item)}\n" for item in ct.evidence)
        if ct.note is not None:
            out.append(f"  note: {q(ct.note)}\n")
    run = body.test_run
    if run is not None:
        out += [
            "test_run:\n",
            f"  command: {q(run.command)}\n",
            f"  exit_status: {int(run.exit_status)}\n",
            f"  duration_seconds: {run.duration_seconds:.3f}\n",
            f"  head_commit: {q(run.head_commit)}\n",
            f"  worktree_clean: {'true' if run.worktree_clean else 'false'}\n",
        ]
    return out


def _check_body(body: bytes) -> None:
    # The writer's own guarantee, checked rather than assumed: a body line starting with
    # `signature:` would make the signed bytes end early.
    if any(line.startswith(SIGNATURE_LINE) for line in body.split(b"\n")):
        raise RecordError("internal error: a record body line starts with `signature:`; refusing to write it.")
    if not body.endswith(b"\n"):
        raise RecordError("internal error: a record body must end with a line break.")


def signature_block(sig: SignatureInfo) -> bytes:
    text = (
        "signature:\n"
        f"  format: {quote(sig.format)}\n"
        f"  namespace: {quote(sig.namespace)}\n"
        f"  principal: {quote(sig.principal)}\n"
        f"  key: {quote(sig.key)}\n"
        f"  value: {_text(sig.value, '    ')}"
    )
    return text.encode("utf-8")


def attach_signature(body: bytes, signature: SignatureInfo) -> bytes:
    """The complete record file: the signed body bytes unchanged, then the signature block."""
    _check_body(body)
    return body + signature_block(signature)


# --- reading ----------------------------------------------------------------------------------


def split_record(data: bytes, source: str = "the record") -> tuple[bytes, bytes]:
    """(body, signature part): CRLF normalised to LF, split before the first line that starts
    with ``signature:``. The body is exactly what was signed."""
    _check_size(data, source)
    data = data.replace(b"\r\n", b"\n")
    if data.startswith(SIGNATURE_LINE):
        return b"", data
    at = data.find(b"\n" + SIGNATURE_LINE)
    if at < 0:
        raise RecordError(f"{source} has no `signature:` block{_what_it_is(data, source)}, so nothing vouches for it. {_FIX}")
    return data[: at + 1], data[at + 1 :]


def _what_it_is(data: bytes, source: str) -> str:
    """Why a file without a signature is no record, when it says more than the missing block:
    empty, not text, not YAML (the parser's line and message), or YAML but not a mapping."""
    if not data.strip():
        return " (the file is empty)"
    if b"\0" in data:
        return " (it is binary, not YAML text)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return " (it is not UTF-8 text)"
    try:
        node = Y.compose(data, source, error=RecordError)
    except RecordError as exc:
        found = re.search(r"(, line \d+)?: invalid YAML \((.*)\)\. Fix", exc.message)
        return f" (it is not valid YAML{found.group(1) or ''}: {found.group(2)})" if found else ""
    if node is not None and Y.kind(node) != "a mapping":
        return f" (it holds {Y.kind(node)}, not the YAML mapping a record is)"
    return ""


def _check_size(data: bytes, source: str) -> None:
    if len(data) > MAX_BYTES:
        raise RecordError(
            f"{source} is {len(data):,} bytes, over the limit of {MAX_BYTES:,} for a record, so it was not read. {_FIX}"
        )


def _wrap(exc: ConfigError) -> RecordError:
    return RecordError(exc.message)


def parse_record(data: bytes, source: str) -> Record:
    """Read a record strictly; every failure is a RecordError naming the file, line and cause."""
    _check_size(data, source)  # before anything else looks at the bytes
    if data.startswith(b"\xef\xbb\xbf"):
        raise RecordError(
            f"{source} starts with a byte-order mark (an editor added it), so its bytes are not the bytes "
            f"that were signed. Save it as UTF-8 without a BOM, or restore the committed file. {_FIX}"
        )
    body_bytes, sig_bytes = split_record(data, source)
    for bad, name in ((b"\r", "a carriage return outside a CRLF line ending"),
                      ("\u0085".encode(), "a NEL line break (U+0085)"),
                      ("\u2028".encode(), "a Unicode line separator (U+2028)"),
                      ("\u2029".encode(), "a Unicode paragraph separator (U+2029)")):
        if bad in body_bytes or bad in sig_bytes:
            raise RecordError(f"{source} contains {name}; YAML and line-based tools would read its lines differently. {_FIX}")
    body_lines = body_bytes.count(b"\n")
    tail = sig_bytes.split(b"\n")[1:]
    for offset, line in enumerate(tail):
        if line and not line.startswith(b"  "):
            raise RecordError(
                f"{source}, line {body_lines + 2 + offset}: content after the signature block "
                f"({_excerpt(line)}). Nothing may follow the signature. {_FIX}"
            )
    try:
        body = _parse_body(body_bytes, source)
        # Leading blank lines keep line numbers in errors true to the file.
        signature = _parse_signature(b"\n" * body_lines + sig_bytes, source)
    except ConfigError as exc:
        raise _wrap(exc) from None
    return Record(body=body, signature=signature, signed_bytes=body_bytes, source=source)


def parse_body(body_bytes: bytes, source: str) -> RecordBody:
    """Parse a body alone (e.g. to check ``build_body`` output before it is signed)."""
    try:
        return _parse_body(body_bytes.replace(b"\r\n", b"\n"), source)
    except ConfigError as exc:
        raise _wrap(exc) from None


def _excerpt(line: bytes) -> str:
    from ..util.safe import one_line

    return repr(one_line(line.decode("utf-8", "replace"), 60))


def _hex64(node: Any, source: str, what: str) -> str:
    value = Y.as_str(node, source, what)
    if not _HEX64.match(value):
        raise RecordError(f"{Y.where(source, node)}: {what} must be 64 lower-case hex digits (a SHA-256). {_FIX}")
    return value


def _one_of(node: Any, source: str, what: str, allowed: Sequence[str]) -> str:
    value = Y.as_str(node, source, what)
    if value not in allowed:
        raise RecordError(f"{Y.where(source, node)}: {what} must be one of {', '.join(allowed)}, not {value!r}. {_FIX}")
    return value


def _parse_body(data: bytes, source: str) -> RecordBody:
    root = Y.compose(data, source, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH, error=RecordError)
    if root is None:
        raise RecordError(f"{source} has an empty body. {_FIX}")
    top = Y.as_map(root, source, "the record", BODY_KEYS + OPTIONAL_BODY_KEYS, BODY_KEYS)
    version = Y.as_int(top["deploycheck_record"], source, "deploycheck_record")
    if version != SCHEMA_VERSION:
        raise RecordError(
            f"{Y.where(source, top['deploycheck_record'])}: record format {version} is not supported by this "
            f"deploycheck (it reads format {SCHEMA_VERSION}). Upgrade deploycheck, or re-run it to write a new record."
        )
    s = lambda node, what: Y.as_str(node, source, what)  # noqa: E731 - a one-line reader for the lines below
    created = s(top["created"], "created")
    if not _CREATED.match(created):
        raise RecordError(f"{Y.where(source, top['created'])}: created must be a UTC time like \"2026-11-28T10:15:00Z\", not {created!r}. {_FIX}")
    author = Y.as_map(top["author"], source, "author", ("name", "email"), ("name", "email"))
    base = Y.as_map(top["base"], source, "base", ("ref", "merge_base", "head"), ("ref", "merge_base", "head"))
    tool = Y.as_map(top["tool"], source, "tool", ("deploycheck", "git"), ("deploycheck", "git"))
    fp = Y.as_map(top["fingerprint"], source, "fingerprint", ("algorithm", "value", "version", "files"), ("algorithm", "value", "files"))
    _one_of(fp["algorithm"], source, "fingerprint.algorithm", ("sha256",))
    files = {
        path: _hex64(node, source, f"the digest of {path}")
        for path, node in Y.as_map(fp["files"], source, "fingerprint.files").items()
    }
    checklist = Y.as_map(top["checklist"], source, "checklist", ("id", "version", "digest"), ("id", "version", "digest"))
    return RecordBody(
        id=s(top["id"], "id"),
        created=created,
        author=Author(s(author["name"], "author.name"), s(author["email"], "author.email")),
        branch=s(top["branch"], "branch"),
        base=BaseInfo(s(base["ref"], "base.ref"), s(base["merge_base"], "base.merge_base"), s(base["head"], "base.head")),
        tool=ToolInfo(s(tool["deploycheck"], "tool.deploycheck"), s(tool["git"], "tool.git")),
        fingerprint=FingerprintInfo(
            _hex64(fp["value"], source, "fingerprint.value"), files,
            version=Y.optional(fp, "version", lambda n: Y.as_int(n, source, "fingerprint.version", minimum=1), 1),
        ),
        findings=tuple(_parse_finding(n, source) for n in Y.as_list(top["findings"], source, "findings")),
        checklist=ChecklistRef(
            s(checklist["id"], "checklist.id"),
            Y.as_int(checklist["version"], source, "checklist.version", minimum=1),
            _hex64(checklist["digest"], source, "checklist.digest"),
        ),
        answers={
            qid: _parse_answer(node, source, qid)
            for qid, node in Y.as_map(top["answers"], source, "answers").items()
        },
        concurrency_test=Y.optional(top, "concurrency_test", lambda n: _parse_concurrency_test(n, source)),
        test_run=Y.optional(top, "test_run", lambda n: _parse_test_run(n, source)),
    )


def _parse_concurrency_test(node: Any, source: str) -> ConcurrencyTest:
    m = Y.as_map(node, source, "concurrency_test", _CONCURRENCY_TEST_KEYS, ("name", "exists", "evidence"))
    flag = lambda key: Y.optional(m, key, lambda n: Y.as_bool(n, source, f"concurrency_test.{key}"))  # noqa: E731 - a one-line reader for the lines below
    return ConcurrencyTest(
        name=Y.as_str(m["name"], source, "concurrency_test.name", allow_empty=False),
        exists=Y.as_bool(m["exists"], source, "concurrency_test.exists"),
        references_job=flag("references_job"),
        concurrent=flag("concurrent"),
        evidence=tuple(Y.as_str_list(m["evidence"], source, "concurrency_test.evidence")),
        note=Y.optional(m, "note", lambda n: Y.as_str(n, source, "concurrency_test.note")),
    )


def _parse_test_run(node: Any, source: str) -> TestRun:
    m = Y.as_map(node, source, "test_run", _TEST_RUN_KEYS, _TEST_RUN_KEYS)
    duration = Y.as_str(m["duration_seconds"], source, "test_run.duration_seconds")
    if not _DURATION.match(duration) or m["duration_seconds"].style:
        raise RecordError(f"{Y.where(source, m['duration_seconds'])}: test_run.duration_seconds must be a number of seconds like 12.345, not {duration!r}. {_FIX}")
    head = Y.as_str(m["head_commit"], source, "test_run.head_commit")
    if not _SHA.match(head):
        raise RecordError(f"{Y.where(source, m['head_commit'])}: test_run.head_commit must be a full commit id (lower-case hex). {_FIX}")
    return TestRun(
        command=Y.as_str(m["command"], source, "test_run.command", allow_empty=False),
        exit_status=Y.as_int(m["exit_status"], source, "test_run.exit_status"),
        duration_seconds=float(duration),
        head_commit=head,
        worktree_clean=Y.as_bool(m["worktree_clean"], source, "test_run.worktree_clean"),
    )


def _parse_finding(node: Any, source: str) -> Finding:
    required = tuple(k for k in _FINDING_KEYS if k not in _OPTIONAL_FINDING_KEYS)
    m = Y.as_map(node, source, "a finding", _FINDING_KEYS, required)
    s = lambda key: Y.as_str(m[key], source, f"finding {key}")  # noqa: E731 - a one-line reader for the lines below
    suppressed = Y.optional(m, "suppressed", lambda n: Y.as_bool(n, source, "finding suppressed"), False)
    by_author = Y.optional(m, "suppressed_by_author", lambda n: Y.as_bool(n, source, "finding suppressed_by_author"), False)
    if suppressed and by_author:
        raise RecordError(f"{source}: a finding is both suppressed and suppressed_by_author; it can be only one. {_FIX}")
    return Finding(
        rule=s("rule"),
        name=s("name"),
        category=_one_of(m["category"], source, "finding category", CATEGORIES),
        severity=_one_of(m["severity"], source, "finding severity", SEVERITIES),
        path=s("path"),
        line=Y.as_int(m["line"], source, "finding line", minimum=0),
        end_line=Y.as_int(m["end_line"], source, "finding end_line", minimum=0),
        message=s("message"),
        questions=tuple(Y.as_str_list(m["questions"], source, "finding questions")),
        side=_one_of(m["side"], source, "finding side", ("head", "base")),
        suppressed=suppressed,
        suppression_reason=Y.optional(m, "suppression_reason", lambda n: Y.as_str(n, source, "suppression_reason")),
        suppressed_by_author=by_author,
    )


def _parse_answer(node: Any, source: str, qid: str) -> Answer:
    keys = ("answer", "details", "rebuttal", "warning")
    m = Y.as_map(node, source, f"the answer to {qid}", keys, ("answer",))
    opt = lambda key: Y.optional(m, key, lambda n: Y.as_str(n, source, f"{qid}.{key}"))  # noqa: E731 - a one-line reader for the lines below
    return Answer(Y.as_str(m["answer"], source, f"{qid}.answer"), opt("details"), opt("rebuttal"), opt("warning"))


def _parse_signature(data: bytes, source: str, namespace: str = NAMESPACE) -> SignatureInfo:
    """The signature block; ``namespace`` is the only one accepted (reviews use their own, review.py)."""
    root = Y.compose(data, source, max_bytes=MAX_BYTES, max_depth=3, error=RecordError)
    top = Y.as_map(root, source, "the signature part", ("signature",), ("signature",))
    m = Y.as_map(top["signature"], source, "signature", _SIGNATURE_KEYS, _SIGNATURE_KEYS)
    s = lambda key: Y.as_str(m[key], source, f"signature.{key}", allow_empty=False)  # noqa: E731 - a one-line reader for the lines below
    return SignatureInfo(
        format=_one_of(m["format"], source, "signature.format", (SIGNATURE_FORMAT,)),
        namespace=_one_of(m["namespace"], source, "signature.namespace", (namespace,)),
        principal=s("principal"),
        key=s("key"),
        value=s("value"),
    )


# --- reading many records fast ---------------------------------------------------------------
#
# `deploycheck log` reads every record in the tree; the strict reader above costs a YAML parse
# per record. Records are written in one canonical layout (build_body, signature_block), so a
# line reader for exactly that layout can take them apart far faster. Its result is accepted
# only when it provably equals what parse_record would return: writing it back with build_body
# gives exactly the same body bytes (parse_record reads back whatever build_body writes; the
# round-trip tests hold it to that), the signature block is rebuilt byte for byte, and every
# value passes the checks parse_record makes. Anything else -- another layout, a multi-line
# answer, an escape the writer never emits, a hostile file -- goes to parse_record, which
# reads it or names what is wrong with it.

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_FILE_LINE = re.compile(rf"^    ({_QUOTED}): ({_QUOTED})$")
_ANSWER_KEY = re.compile(rf"^  ({_QUOTED}):$")
_IN_LIST = re.compile(_QUOTED)
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_NAMED_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_ARMOR_LINE = re.compile(r"^(?:[A-Za-z0-9+/=]+|-----(?:BEGIN|END) SSH SIGNATURE-----)$")


class _NotCanonical(Exception):
    """The fast reader gives up; parse_record decides."""


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1)
    if len(code) > 1:
        return chr(int(code[1:], 16))
    if code not in _NAMED_ESCAPES:
        raise _NotCanonical()
    return _NAMED_ESCAPES[code]


def _unquote(text: str) -> str:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise _NotCanonical()
    inner = text[1:-1]
    return _ESCAPE.sub(_unescape, inner) if "\\" in inner else inner


class _Lines:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.at = 0

    def peek(self) -> str:
        return self.lines[self.at] if self.at < len(self.lines) else ""

    def take(self, prefix: str) -> str:
        line = self.peek()
        if not line.startswith(prefix):
            raise _NotCanonical()
        self.at += 1
        return line[len(prefix):]

    def text(self, prefix: str) -> str:
        return _unquote(self.take(prefix))

    def number(self, prefix: str) -> int:
        value = self.take(prefix)
        if not value.isdigit() or not value.isascii():
            raise _NotCanonical()
        return int(value)

    def exact(self, line: str) -> None:
        if self.take(line) != "":
            raise _NotCanonical()


def _canonical_finding(r: _Lines) -> Finding:
    rule = r.text("  - rule: ")
    name, category, severity, path = (r.text(f"    {k}: ") for k in ("name", "category", "severity", "path"))
    line, end_line = r.number("    line: "), r.number("    end_line: ")
    side, message = r.text("    side: "), r.text("    message: ")
    listed = r.take("    questions: ")
    if listed[:1] != "[" or listed[-1:] != "]":
        raise _NotCanonical()
    items = _IN_LIST.findall(listed[1:-1])
    if ", ".join(items) != listed[1:-1]:
        raise _NotCanonical()
    suppressed, by_author, reason = False, False, None
    if r.peek() == "    suppressed: true":
        r.at += 1
        suppressed, reason = True, r.text("    suppression_reason: ")
    elif r.peek() == "    suppressed_by_author: true":
        r.at += 1
        by_author, reason = True, r.text("    suppression_reason: ")
    questions = tuple(_unquote(q) for q in items)
    if category not in CATEGORIES or severity not in SEVERITIES or side not in ("head", "base") or not all(q.strip() for q in questions):
        raise _NotCanonical()
    return Finding(rule, name, category, severity, path, line, end_line, message, questions, side, suppressed, reason, by_author)


# The body's first lines, always the same keys in the same order: (prefix, quoted value?).
_HEAD_LINES = (
    (f"deploycheck_record: {SCHEMA_VERSION}", False), ("id: ", True), ("created: ", True),
    ("author:", False), ("  name: ", True), ("  email: ", True), ("branch: ", True), ("base:", False),
    ("  ref: ", True), ("  merge_base: ", True), ("  head: ", True), ("tool:", False),
    ("  deploycheck: ", True), ("  git: ", True), ("fingerprint:", False), ("  algorithm: ", True),
    ("  value: ", True),
)


def _canonical_body(text: str) -> RecordBody:
    r = _Lines(text)
    values = []
    for (prefix, quoted), line in zip(_HEAD_LINES, r.lines):
        if quoted and line.startswith(prefix):
            values.append(_unquote(line[len(prefix):]))
        elif quoted or line != prefix:
            raise _NotCanonical()
    if len(values) != 12:
        raise _NotCanonical()
    r.at = len(_HEAD_LINES)
    record_id, created, name, email, branch, ref, merge_base, head, version, git, algorithm, value = values
    author, base, tool = Author(name, email), BaseInfo(ref, merge_base, head), ToolInfo(version, git)
    fp_version = 1
    if r.peek().startswith("  version: "):
        fp_version = r.number("  version: ")
        if fp_version == 1:  # the writer never writes version 1
            raise _NotCanonical()
    files: dict[str, str] = {}
    if r.take("  files:") == "":
        while (m := _FILE_LINE.match(r.peek())) is not None:
            files[_unquote(m.group(1))] = _unquote(m.group(2))
            r.at += 1
    findings = []
    if r.take("findings:") == "":
        while r.peek().startswith("  - "):
            findings.append(_canonical_finding(r))
    r.exact("checklist:")
    checklist = ChecklistRef(r.text("  id: "), r.number("  version: "), r.text("  digest: "))
    answers: dict[str, Answer] = {}
    if r.take("answers:") == "":
        while (m := _ANSWER_KEY.match(r.peek())) is not None:
            r.at += 1
            answer = r.text("    answer: ")
            optional = [r.text(f"    {key}: ") if r.peek().startswith(f"    {key}: ") else None
                        for key in ("details", "rebuttal", "warning")]
            answers[_unquote(m.group(1))] = Answer(answer, *optional)
    concurrency_test = _canonical_concurrency_test(r) if r.peek() == "concurrency_test:" else None
    test_run = _canonical_test_run(r) if r.peek() == "test_run:" else None
    if r.at != len(r.lines) - 1 or r.peek() != "":
        raise _NotCanonical()
    if (
        not _CREATED.match(created) or algorithm != "sha256" or checklist.version < 1
        or not all(_HEX64.match(h) for h in (value, checklist.digest, *files.values()))
    ):
        raise _NotCanonical()
    return RecordBody(record_id, created, author, branch, base, tool, FingerprintInfo(value, files, algorithm, fp_version),
                      tuple(findings), checklist, answers, concurrency_test, test_run)


def _flag(r: _Lines, prefix: str) -> bool:
    value = r.take(prefix)
    if value not in ("true", "false"):
        raise _NotCanonical()
    return value == "true"


def _canonical_concurrency_test(r: _Lines) -> ConcurrencyTest:
    r.exact("concurrency_test:")
    name = r.text("  name: ")
    exists = _flag(r, "  exists: ")
    references = _flag(r, "  references_job: ") if r.peek().startswith("  references_job: ") else None
    concurrent = _flag(r, "  concurrent: ") if r.peek().startswith("  concurrent: ") else None
    evidence = []
    if r.take("  evidence:") == "":
        while r.peek().startswith("    - "):
            evidence.append(r.text("    - "))
    note = r.text("  note: ") if r.peek().startswith("  note: ") else None
    if not name.strip():
        raise _NotCanonical()
    return ConcurrencyTest(name, exists, references, concurrent, tuple(evidence), note)


def _canonical_test_run(r: _Lines) -> TestRun:
    r.exact("test_run:")
    command = r.text("  command: ")
    status = r.take("  exit_status: ")
    duration = r.take("  duration_seconds: ")
    head = r.text("  head_commit: ")
    clean = _flag(r, "  worktree_clean: ")
    if not re.fullmatch(r"-?[0-9]+", status) or not _DURATION.match(duration) or not _SHA.match(head) or not command.strip():
        raise _NotCanonical()
    return TestRun(command, int(status), float(duration), head, clean)


def _canonical_signature(text: str) -> SignatureInfo:
    r = _Lines(text)
    r.exact("signature:")
    fmt, namespace, principal, key = (r.text(f"  {k}: ") for k in ("format", "namespace", "principal", "key"))
    r.exact("  value: |")
    lines = []
    while r.peek().startswith("    "):
        lines.append(r.take("    "))
    if not lines or not all(_ARMOR_LINE.match(line) for line in lines) or r.at != len(r.lines) - 1 or r.peek() != "":
        raise _NotCanonical()
    if fmt != SIGNATURE_FORMAT or namespace != NAMESPACE or not principal.strip() or not key.strip():
        raise _NotCanonical()
    sig = SignatureInfo(principal=principal, key=key, value="\n".join(lines) + "\n", format=fmt, namespace=namespace)
    # A literal block of armor lines reads back as those lines: rebuild the block exactly.
    rebuilt = (
        f"signature:\n  format: {quote(fmt)}\n  namespace: {quote(namespace)}\n  principal: {quote(principal)}\n"
        f"  key: {quote(key)}\n  value: |\n" + "".join(f"    {line}\n" for line in lines)
    )
    if rebuilt != text:
        raise _NotCanonical()
    return sig


def read_record(data: bytes, source: str) -> Record:
    """What ``parse_record(data, source)`` returns (or raises), faster for records in the
    writer's canonical layout. For reading many records (``deploycheck log``)."""
    if len(data) <= MAX_BYTES and not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data:
        at = data.find(b"\n" + SIGNATURE_LINE)
        if at >= 0:
            body_bytes, sig_bytes = data[: at + 1], data[at + 1 :]
            try:
                text, sig_text = body_bytes.decode("utf-8"), sig_bytes.decode("utf-8")
                if not any(ch in text or ch in sig_text for ch in ("\x85", "\u2028", "\u2029", "\x00")):
                    body = _canonical_body(text)
                    signature = _canonical_signature(sig_text)
                    # (build_body's own check needs no repeating: no body line starts with
                    # "signature:", as the split above found the first such line.)
                    if _body_text(body) == text:
                        return Record(body=body, signature=signature, signed_bytes=body_bytes, source=source)
            except (_NotCanonical, UnicodeDecodeError, ValueError, RecordError):
                pass
    return parse_record(data, source)


# --- naming -----------------------------------------------------------------------------------


def slugify(branch: str, limit: int = 40) -> str:
    """``feature/Inventory_refactor`` -> ``feature-inventory-refactor``; never empty."""
    slug = re.sub(r"[^a-z0-9]+", "-", branch.lower()).strip("-")
    return slug[:limit].rstrip("-") or "change"


def record_name(date: str, branch: str, anchor: str, salt: int = 0) -> str:
    """``YYYY-MM-DD-<branch-slug>-<8 hex>.yaml``.

    The hex is SHA-256 of the branch name and its anchor (the branch's first commit, or the
    merge-base when it has none), so two branches with the same name, or the same branch name
    reused later, get different names; ``salt`` moves off a name that is already taken.
    """
    digest = hashlib.sha256(f"{branch}\0{anchor}\0{salt}".encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{date[:10]}-{slugify(branch)}-{digest}.yaml"


def choose_record_path(
    *,
    branch: str,
    anchor: str,
    created: str,
    added_records: Sequence[str],
    existing: Collection[str] = (),
) -> str:
    """Where ``check`` writes this branch's record (a repository-relative path).

    ``added_records`` are the record paths the change itself adds (from the diff): when there is
    exactly one, it is this branch's record and is replaced in place, so re-running ``check``
    never leaves two. Records already on the base are not in that list and are never touched.
    ``existing`` are the record paths present in the working tree, which a new name avoids.
    """
    if len(added_records) == 1:
        return added_records[0]
    if len(added_records) > 1:
        raise RecordError(
            f"this branch adds {len(added_records)} records ({', '.join(sorted(added_records))}); the gate accepts "
            "one record per change. Delete all but one with `git rm`, commit, and run deploycheck again."
        )
    taken = set(existing)
    for salt in range(1000):
        path = f"{RECORDS_DIR}/{record_name(created, branch, anchor, salt)}"
        if path not in taken:
            return path
    raise RecordError(f"could not find a free record name in {RECORDS_DIR}/; remove stray files there.")  # pragma: no cover


def branch_anchor(root: str, merge_base: str, head: str) -> str:
    """The first commit of the branch (oldest on head's first-parent line after the merge-base),
    or the merge-base when the branch has no commits of its own."""
    from ..git import gitcmd

    out = gitcmd.output(["rev-list", "--first-parent", f"{merge_base}..{head}", "--"], root)
    commits = out.split()
    return commits[-1] if commits else merge_base


def answers_in_order(answers: Mapping[str, Answer], order: Sequence[str]) -> dict[str, Answer]:
    """Answers in checklist order (then any others, sorted), so records read like the checklist."""
    out = {qid: answers[qid] for qid in order if qid in answers}
    out.update({qid: answers[qid] for qid in sorted(answers) if qid not in out})
    return out


# --- files ------------------------------------------------------------------------------------


# Test-only. `DEPLOYCHECK_TEST_PAUSE_AT=POINT:FILE` makes a record write stop at the named
# POINT, create FILE and wait there until the process is killed. It exists so that
# tests/authoring/test_concurrent_check.py can SIGKILL `check` at exactly each step of a write (before
# it, with half the bytes in the temporary file, before and after the rename, before staging)
# instead of at a random moment that a fast machine finishes before. Unset (always, outside
# that test) it costs one environment lookup per write and changes nothing.
PAUSE_ENV = "DEPLOYCHECK_TEST_PAUSE_AT"


def pause_point(point: str, flush: Callable[[], None] | None = None) -> None:
    spec = os.environ.get(PAUSE_ENV)
    if not spec:
        return
    wanted, _, marker = spec.partition(":")
    if wanted != point or not marker:
        return
    if flush is not None:
        flush()  # what was written so far is on disk when the test kills the process
    with open(marker, "w", encoding="utf-8"):
        pass
    while True:  # until SIGKILL
        time.sleep(60)


def write_record_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never
    part of it: a temporary file in the same folder, fsync, ``os.replace``. The temporary file
    is removed on any failure."""
    import tempfile

    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise RecordError(f"cannot create the folder {folder} for the record: {exc.strerror}. Check permissions.") from None
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o644)
            half = len(data) // 2
            fh.write(data[:half])
            pause_point("record-mid-write", fh.flush)
            fh.write(data[half:])
            fh.flush()
            os.fsync(fh.fileno())
        pause_point("record-before-replace")
        os.replace(tmp, path)
        tmp = None
        pause_point("record-after-replace")
    except OSError as exc:
        raise RecordError(
            f"cannot write the record {path}: {exc.strerror or exc}. Nothing was written; fix the cause "
            "(permissions, disk space, a folder in the way) and run deploycheck again."
        ) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    try:  # make the rename itself durable; not possible on every platform
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def git_dir(root: str) -> str:
    from ..git import gitcmd

    return gitcmd.output(["rev-parse", "--absolute-git-dir"], root)


@contextmanager
def record_lock(git_dir: str, timeout: float = 30.0) -> Iterator[str]:
    """Hold an exclusive lock on ``<git_dir>/deploycheck/lock`` while a record is chosen and written.

    Uses ``fcntl.flock`` (Linux, macOS, BSD): the kernel releases the lock when the process
    exits, so a crash never leaves a stale lock; the lock file itself stays in place (deleting it
    would let two processes lock different files). Where ``fcntl`` does not exist the lock is the
    existence of the file, created with ``O_CREAT|O_EXCL`` and removed on release.
    """
    folder = os.path.join(git_dir, "deploycheck")
    path = os.path.join(folder, "lock")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise RecordError(f"cannot create {folder} for the record lock: {exc.strerror}. Check permissions.") from None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]  # no fcntl module on Windows
    deadline = time.monotonic() + timeout
    if fcntl is None:  # pragma: no cover - Windows
        fd: int  # set by the loop, which ends only by break or raise
        while True:
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                break
            except FileExistsError:
                if time.monotonic() >= deadline:
                    raise RecordError(_busy(path, "")) from None
                time.sleep(0.05)
        try:
            os.write(fd, f"{os.getpid()}\n".encode())
            yield path
        finally:
            os.close(fd)
            os.unlink(path)
        return
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                    raise RecordError(_busy(path, holder)) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _busy(path: str, holder: str) -> str:
    who = f" (process {holder})" if holder.isdigit() else ""
    return (
        f"another deploycheck run{who} is writing a record in this repository and holds {path}. "
        "Wait for it to finish and run the command again."
    )
