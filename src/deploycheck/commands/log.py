"""`deploycheck log`: the audit trail — who assessed which change, what they answered and saw."""

from __future__ import annotations

import os

from ..git import gitcmd
from ..errors import RecordError
from ..records.record import RECORDS_DIR


def _records_at_head(root: str) -> list[tuple[str, str]]:
    """(path, blob id) of every record file in HEAD's tree."""
    out = gitcmd.run(["ls-tree", "-r", "-z", "HEAD", "--", RECORDS_DIR + "/"], root).stdout
    entries = []
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _, path = item.partition(b"\t")
        mode, kind, oid = meta.split()
        if kind == b"blob" and path.endswith(b".yaml"):
            entries.append((path.decode("utf-8", "surrogateescape"), oid.decode()))
    return entries


# At least this many records are read by two processes (see util/parallel.py).
PARALLEL_MIN_RECORDS = 200


class LogTrust:
    """Today's trusted signers, as the gate would read them: the base (default) branch's
    allowed_signers. ``signers`` is None when there is none, with ``source`` saying why."""

    def __init__(self, signers, source: str, digest: str = "none") -> None:
        self.signers, self.source = signers, source
        # SHA-256 of the allowed_signers bytes: the signature cache is valid for one content.
        self.digest = digest


def load_log_trust(root: str, base_rev: str | None = None) -> LogTrust:
    """The default branch's allowed_signers (resolved as `verify` resolves a base, with
    ``base_rev`` as its --base). Never the one at HEAD: a branch must not be able to vouch for
    its own records. A --base that does not resolve is an error (exit 2), as in scan and verify."""
    from ..git.change import resolve_base
    from ..errors import DeployCheckError
    from ..git.gitcmd import BlobReader
    from ..records.signing import parse_allowed_signers
    from ..analysis.pipeline import config_at

    try:
        with BlobReader(root) as objects:
            base = resolve_base(root, base_rev, objects)
            where = config_at(objects, base.sha).allowed_signers
            data = objects.blob(base.sha, where)
    except DeployCheckError as exc:
        if base_rev is not None:
            raise
        return LogTrust(None, f"no trusted signers could be read ({exc.message})")
    source = f"{where} (at {base.ref})"
    if data is None:
        return LogTrust(None, f"{source} does not exist")
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    return LogTrust(parse_allowed_signers(data.decode("utf-8", "replace"), source), source, digest)


class SignatureChecks:
    """The outcomes of ``verify_sshsig`` for this run: taken from the cache (``logcache``) when
    it holds the same signature over the same bytes, else checked and remembered in ``new``."""

    def __init__(self, cached: dict[str, list]) -> None:
        self.cached = cached
        self.new: dict[str, list] = {}
        self.used: set[str] = set()
        # The last record's (cache key, new outcome or None when it came from the cache): how
        # a forked reader hands what it learnt back to the parent, which writes the cache.
        self.last: tuple[str, list | None] | None = None
        self._keys: dict[str, object] = {}
        self._fingerprints: dict[bytes, str] = {}

    def learn(self, last: tuple[str, list | None] | None) -> None:
        if last is not None:
            if last[1] is None:
                self.used.add(last[0])
            else:
                self.new[last[0]] = last[1]

    def signing_key(self, record):
        """``verify_sshsig(record.signed_bytes, record.signature.value, NAMESPACE)``."""
        from ..records import logcache
        from ..errors import SigningError
        from ..records.record import NAMESPACE
        from ..records.sshsig import verify_sshsig

        key_id = logcache.entry_key(NAMESPACE, record.signed_bytes, record.signature.value)
        outcome = self.cached.get(key_id)
        if outcome is None:
            logcache.STATS["checked"] += 1
            try:
                key = verify_sshsig(record.signed_bytes, record.signature.value, NAMESPACE)
            except SigningError as exc:
                self.last = (key_id, ["bad", exc.message])
                raise
            self.last = (key_id, ["ok", key.openssh()])
            return key
        logcache.STATS["cached"] += 1
        self.last = (key_id, None)
        if outcome[0] == "bad":
            raise SigningError(outcome[1])
        key = self._keys.get(outcome[1])
        if key is None:
            from ..records.sshsig import public_key_from_openssh

            key = self._keys[outcome[1]] = public_key_from_openssh(outcome[1])
        return key

    def fingerprint(self, key) -> str:
        """``key.fingerprint()``, computed once per key (records mostly share a few keys)."""
        fp = self._fingerprints.get(key.blob)
        if fp is None:
            fp = self._fingerprints[key.blob] = key.fingerprint()
        return fp


def verification(record, trust: LogTrust | None, checks: SignatureChecks | None = None) -> str | None:
    """None when the record's signature verifies and today's trusted signers trust its key for
    its principal (and its unsigned key line names that key); otherwise why not, as ``SHORT:
    details`` (the text report shows SHORT only: a long line costs a Rich wrap per record)."""
    from ..errors import SigningError
    from ..records.record import NAMESPACE
    from ..records.signing import find_trusted_signer
    from ..records.sshsig import verify_sshsig

    try:
        key = checks.signing_key(record) if checks is not None else verify_sshsig(record.signed_bytes, record.signature.value, NAMESPACE)
    except SigningError as exc:
        return f"the signature does not verify: {exc.message}"
    fingerprint = checks.fingerprint(key) if checks is not None else key.fingerprint()
    if record.signature.key != fingerprint:
        return f"signature.key is not the signing key: it says {record.signature.key}, the signature was made by {fingerprint}"
    if trust is None or trust.signers is None:
        why = trust.source if trust is not None else "no allowed_signers was read"
        return f"no signer is trusted: {why}"
    signer, reason = find_trusted_signer(trust.signers, key, record.signature.principal, NAMESPACE)
    return None if signer is not None else f"signer not trusted today: {reason}"


def _entry(path: str, data: bytes, wanted: str | None, trust: LogTrust | None = None, checks: SignatureChecks | None = None,
           reviews: dict | None = None) -> dict | None:
    from ..records.record import read_record

    try:
        record = read_record(data, path)
    except RecordError as exc:
        return {"path": path, "valid": False, "error": exc.message} if wanted is None else None
    body = record.body
    files = sorted(body.fingerprint.files)
    if wanted is not None and wanted not in files and not any(f.path == wanted for f in body.findings):
        return None
    problem = verification(record, trust, checks)
    entry = {
        "path": path,
        "valid": True,
        # Whether the signature verifies against today's allowed_signers of the default branch:
        # `signer` is only what the record claims until this says so.
        "verified": problem is None,
        "verification": problem or "verified",
        "id": body.id,
        "created": body.created,
        "signer": record.signature.principal,
        "author": {"name": body.author.name, "email": body.author.email},
        "branch": body.branch,
        "flagged_files": files,
        "findings": [f.to_json() for f in body.findings],
        "checklist": body.checklist.id,
        "answers": {qid: {k: v for k, v in vars(a).items() if v is not None} for qid, a in body.answers.items()},
    }
    # Issue 19: what the named concurrency test showed and the recorded test run, when the record has them.
    if body.concurrency_test is not None:
        ct = body.concurrency_test
        entry["concurrency_test"] = {"name": ct.name, "exists": ct.exists, "references_job": ct.references_job,
                                     "concurrent": ct.concurrent, "evidence": list(ct.evidence), "note": ct.note,
                                     "weak": ct.weak, "summary": ct.describe()}
    if body.test_run is not None:
        run = body.test_run
        entry["test_run"] = {"command": run.command, "exit_status": run.exit_status,
                             "duration_seconds": round(run.duration_seconds * 1000) / 1000,
                             "head_commit": run.head_commit, "worktree_clean": run.worktree_clean}
    if reviews:  # who co-signed exactly these bytes (review.py); absent when nobody did
        from ..gate.review import record_digest

        found = reviews.get(record_digest(data))
        if found:
            entry["reviews"] = found
    return entry


def load_entries(root: str, path_filter: str | None, *, as_json: bool = False, trust: LogTrust | None = None,
                 reviews: dict | None = None) -> list:
    """The records' entries, newest first; with ``as_json``, each as its JSON text instead (made
    where the record was read, so that two processes share the encoding too)."""
    from ..analysis.fingerprint import path_key
    from ..git.gitcmd import BlobStream
    from ..util.parallel import in_two_processes

    wanted = path_key(os.path.normpath(path_filter)) if path_filter else None
    from ..records import logcache

    digest = trust.digest if trust is not None else "none"
    cache_file = logcache.cache_path(root)
    cached = logcache.load(cache_file, digest)

    def read(records: list[tuple[str, str]]) -> list[tuple[tuple[tuple[str, str], dict | str] | None, tuple | None]]:
        # Every blob id is known up front: one streamed `git cat-file`, no round trip per record.
        out: list[tuple[tuple[tuple[str, str], dict | str] | None, tuple | None]] = []
        checks = SignatureChecks(cached)
        with BlobStream(root, [oid for _, oid in records]) as blobs:
            for path, oid in records:
                checks.last = None
                entry = _entry(path, blobs.take(oid)[1] or b"", wanted, trust, checks, reviews)
                if entry is None:
                    out.append((None, checks.last))
                else:
                    key = (entry.get("created", ""), entry["path"])
                    out.append(((key, _entry_json(entry) if as_json else entry), checks.last))
        return out

    results = in_two_processes(_records_at_head(root), read, PARALLEL_MIN_RECORDS)
    learnt = SignatureChecks(cached)
    for _, last in results:
        learnt.learn(last)
    logcache.save(cache_file, digest, cached, learnt.new, learnt.used)
    done = [e for e, _ in results if e is not None]
    done.sort(key=lambda e: e[0], reverse=True)
    return [value for _, value in done]


def _entry_json(entry: dict) -> str:
    """One entry as it appears in the --format json document (an item of a list nested twice):
    ``json.dumps(entry, indent=2, ensure_ascii=False)`` indented by four more spaces. With an
    indent, json.dumps runs its pure-Python encoder (about 45 us a record); this lays out the
    same text with the C string encoder, and leaves anything but str/int/bool/None to json."""
    import json

    try:
        return _indented(entry, "    ", json.encoder.encode_basestring)
    except _Unusual:
        return json.dumps(entry, indent=2, ensure_ascii=False).replace("\n", "\n    ")


class _Unusual(Exception):
    """A value _indented leaves to json.dumps."""


def _indented(value, pad: str, string) -> str:
    if type(value) is str:
        return string(value)
    if type(value) is dict:
        if not value:
            return "{}"
        inner = pad + "  "
        if not all(type(k) is str for k in value):
            raise _Unusual()
        items = [f"{inner}{string(k)}: {_indented(v, inner, string)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if type(value) in (list, tuple):
        if not value:
            return "[]"
        inner = pad + "  "
        return "[\n" + ",\n".join(inner + _indented(v, inner, string) for v in value) + "\n" + pad + "]"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if type(value) is int:
        return int.__repr__(value)
    raise _Unusual()


def json_document(entry_texts: list[str]) -> str:
    """``report.dumps({"version": 1, "records": entries})``, from the entries' texts:
    ``json.dumps(..., indent=2)`` lays a list of objects out exactly this way."""
    from ..util.safe import json_controls_escaped

    if not entry_texts:
        return json_controls_escaped('{\n  "version": 1,\n  "records": []\n}')
    items = ",\n    ".join(entry_texts)
    return json_controls_escaped('{\n  "version": 1,\n  "records": [\n    ' + items + "\n  ]\n}")


CONTINUED = "      "  # the further lines of an answer, details, rebuttal or warning


def _lines(entries: list[dict]) -> list[tuple[str, str | None]]:
    """The text report as (line, style) pairs."""
    from ..util.safe import inert, inert_lines, one_line

    out: list[tuple[str, str | None]] = []
    for e in entries:
        if not e["valid"]:
            out.append((f"{inert(e['path'], keep_newlines=False)}: unreadable record: {one_line(e['error'], 300)}", "red"))
            continue
        mark = "verified" if e["verified"] else "NOT VERIFIED"
        out.append((f"{e['created']}  {inert(e['signer'], keep_newlines=False)}  branch {inert(e['branch'], keep_newlines=False)}  [{mark}]",
                    "bold" if e["verified"] else "bold red"))
        if not e["verified"]:
            out.append((f"  not verified: {e['verification'].split(':', 1)[0]}", "red"))
        out.append((f"  record: {inert(e['path'], keep_newlines=False)}", None))
        for r in e.get("reviews", []):
            out.append((f"  reviewed by {inert(r['reviewer'], keep_newlines=False)} [{'verified' if r['verified'] else 'NOT VERIFIED'}]", None))
        out.append((f"  flagged: {', '.join(inert(p, keep_newlines=False) for p in e['flagged_files']) or '(none)'}", None))
        rules = sorted({one_line(f"{f['rule']} {f['name']}", 160) for f in e["findings"]})
        if rules:
            out.append((f"  findings: {'; '.join(rules)}", None))
        for qid, a in e["answers"].items():
            # An answer over several lines is shown over several lines, each continued at CONTINUED.
            said = inert_lines(a["answer"], 160)
            if a.get("details"):
                details = inert_lines(a["details"], 160)
                said = [*said[:-1], f"{said[-1]} — {details[0]}", *details[1:]]
            out.append((f"  {inert(qid, keep_newlines=False)}: {said[0]}", None))
            out.extend((CONTINUED + line, None) for line in said[1:])
            # What the author said against a finding, and what the tool warned: a postmortem needs both.
            for key, label in (("rebuttal", "kept despite the findings"), ("warning", "warned")):
                if a.get(key):
                    first, *more = inert_lines(a[key], 300)
                    out.append((f"    {label}: {first}", None))
                    out.extend((CONTINUED + line, None) for line in more)
        if e.get("concurrency_test"):
            out.append((f"  concurrency test: {one_line(e['concurrency_test']['summary'], 400)}", "yellow" if e["concurrency_test"]["weak"] else None))
        if e.get("test_run"):
            run = e["test_run"]
            out.append((f"  test run: {one_line(run['command'], 200)} exit {run['exit_status']} at {run['head_commit'][:12]}"
                        f"{'' if run['worktree_clean'] else ' (uncommitted edits)'}", None))
    # Why no signer is trusted, said once after the records (each says only "no signer is
    # trusted"): a new user's trial could not tell which base's allowed_signers was read.
    untrusted = sorted({e["verification"] for e in entries if e["valid"] and not e["verified"]
                        and e["verification"].startswith("no signer is trusted:")})
    for why in untrusted:
        out.append((f"Not verified: {one_line(why, 400)}. Name the base whose allowed_signers trusts the signers "
                    "with --base (as verify does), or add them there.", "red"))
    return out


def print_lines(lines: list[tuple[str, str | None]]) -> None:
    """Print through Rich; straight to stdout when Rich would print exactly the same: no colour
    or terminal, and every line printable text that fits the width (so nothing is wrapped).
    Thousands of records make tens of thousands of lines: Rich takes seconds for them."""
    from rich.text import Text

    from ..output.console import out, prints_unchanged

    con = out()
    unchanged = prints_unchanged(con)
    pending: list[str] = []
    for line, style in lines:
        if unchanged is not None and unchanged(line):
            pending.append(line + "\n")
            continue
        if pending:
            con.file.write("".join(pending))
            pending = []
        con.print(Text(line, style=style) if style else Text(line))
    if pending:
        con.file.write("".join(pending))
    con.file.flush()


def _from_root(path: str, root: str, cwd: str) -> str:
    """``--path`` read as git reads a path argument: relative to the current folder (`log --path
    jobs.py` in `inventory/`), or absolute. Records name files from the repository's root, so
    from a subfolder a path as typed there matched nothing and the log said no one had assessed
    the file (session 16's new-user trial)."""
    if os.path.isabs(path):
        # The folder resolved as git resolves the root (symlinks), not the file: a tracked
        # symlink is recorded under its own name.
        folder = os.path.realpath(os.path.dirname(path))
        rel = os.path.relpath(os.path.join(folder, os.path.basename(path)), os.path.realpath(root))
    else:
        rel = os.path.join(gitcmd.output(["rev-parse", "--show-prefix"], cwd).strip(), path)
    return os.path.normpath(rel).replace(os.sep, "/")


def run(path: str | None, format: str, base: str | None = None) -> int:
    root = gitcmd.toplevel(os.getcwd())
    if path:
        path = _from_root(path, root, os.getcwd())
    has_head = gitcmd.resolve("HEAD", root) is not None
    trust = load_log_trust(root, base) if has_head else None
    from ..gate.review import reviews_at_head

    reviews = reviews_at_head(root, trust) if has_head else {}
    if format == "json":
        print(json_document(load_entries(root, path, as_json=True, trust=trust, reviews=reviews) if has_head else []))
        return 0
    entries = load_entries(root, path, trust=trust, reviews=reviews) if has_head else []
    if not entries:
        from ..util.safe import inert

        what = f" that assessed changes to {inert(path)}" if path else ""
        print_lines([(f"No deploycheck records{what} in HEAD's tree ({RECORDS_DIR}/).", None)])
        return 0
    print_lines(_lines(entries))
    return 0
