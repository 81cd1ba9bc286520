"""The signature checks `deploycheck log` has already made, kept between runs.

Checking an SSH signature costs about 0.1 ms of CPU; `log` checks every record on every run,
so a history of thousands of records spends most of its time re-checking signatures it checked
before. This cache remembers the outcome of ``sshsig.verify_sshsig`` -- the signing key, or why
the signature does not verify -- and nothing else:

- The key of an entry is the SHA-256 of exactly what is verified (namespace, signed bytes,
  armored signature), so an outcome can only be reused for the same bytes: a record that is
  changed in any way is a miss and is checked again. (Not the git blob id: the outcome should
  not depend on SHA-1 or on how the record was parsed out of its file.)
- Whether the key is *trusted* is never cached: the principal, the namespaces and the
  valid-after/valid-before window of today's allowed_signers are matched on every run (a key
  can expire without any file changing).
- The whole file belongs to one deploycheck version and one allowed_signers content (its
  SHA-256): when either differs the file is ignored and rewritten, so a changed trust file or
  a changed verifier starts from nothing.
- It lives in the repository's git directory (``git rev-parse --git-common-dir``), which no
  branch, commit or record can write, never in the work tree. Whoever can write the git
  directory can already replace hooks and objects, so the file is not signed; it carries a
  digest of its entries so that a torn or damaged file is ignored (never partly used), and it
  is replaced atomically (a temporary file in the same folder, then ``os.replace``).
- Anything unusual -- unreadable, too large, not the expected shape -- means an empty cache:
  every record is then verified as if there were no cache. Failing to write it changes nothing
  but speed.
"""

from __future__ import annotations

import hashlib
import json
import os

from .. import __version__

FORMAT = "deploycheck-log-signatures 1"
FILE_NAME = "log-signatures.json"
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 100_000  # beyond this, only the current run's records are kept

# How many signatures were taken from the cache / checked, in this process (for tests).
STATS = {"cached": 0, "checked": 0}


def entry_key(namespace: str, signed: bytes, armored: str) -> str:
    """The cache key of one signature check: a digest of all of its inputs."""
    h = hashlib.sha256()
    for part in (namespace.encode("utf-8", "surrogateescape"), signed, armored.encode("utf-8", "surrogateescape")):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def cache_path(root: str) -> str | None:
    """``<git common dir>/deploycheck/log-signatures.json``; None when git cannot say."""
    from ..git import gitcmd

    try:
        proc = gitcmd.run(["rev-parse", "--git-common-dir"], root, check=False)
    except Exception:  # noqa: BLE001 - no cache is always a safe answer
        return None
    if proc.returncode != 0:
        return None
    common = proc.stdout.decode("utf-8", "surrogateescape").strip()
    if not common:
        return None
    return os.path.join(root, common, "deploycheck", FILE_NAME)


def _header(signers_digest: str) -> dict:
    return {"format": FORMAT, "deploycheck": __version__, "allowed_signers": signers_digest}


def _valid_entry(value: object) -> bool:
    # ["ok", "<key type> <base64 blob>"] or ["bad", "<why the signature does not verify>"]
    return (
        isinstance(value, list) and len(value) == 2 and value[0] in ("ok", "bad")
        and isinstance(value[1], str)
    )


def load(path: str | None, signers_digest: str) -> dict[str, list]:
    """The cached outcomes for this allowed_signers content and this deploycheck; {} whenever
    the file is missing, unreadable, damaged or made for anything else."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return {}
        first, sep, rest = data.partition(b"\n")
        if not sep:
            return {}
        header = json.loads(first)
        if not isinstance(header, dict) or header.get("entries_sha256") != hashlib.sha256(rest).hexdigest():
            return {}
        if {k: header.get(k) for k in ("format", "deploycheck", "allowed_signers")} != _header(signers_digest):
            return {}
        entries = json.loads(rest)
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return {}
    if not isinstance(entries, dict) or not all(isinstance(k, str) and len(k) == 64 and _valid_entry(v) for k, v in entries.items()):
        return {}
    return entries


def save(path: str | None, signers_digest: str, old: dict[str, list], new: dict[str, list], used: set[str]) -> None:
    """Add ``new`` outcomes to the file (atomically); keep the old ones unless the file would
    grow past MAX_ENTRIES, then keep only those this run used. Never raises."""
    if path is None or not new:
        return
    merged = dict(old) if len(old) + len(new) <= MAX_ENTRIES else {k: v for k, v in old.items() if k in used}
    merged.update(new)
    body = json.dumps(merged, separators=(",", ":"), sort_keys=True).encode()
    header = dict(_header(signers_digest), entries_sha256=hashlib.sha256(body).hexdigest())
    from ..util.cachefile import write_best_effort

    # A read-only or full disk only costs the next run its speed.
    write_best_effort(path, json.dumps(header, sort_keys=True).encode() + b"\n" + body)
