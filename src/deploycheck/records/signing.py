"""Signing records with SSH keys: SSHSIG sign/verify, key discovery and allowed signers.

* Verification is pure Python (``deploycheck.records.sshsig``), independent of the OpenSSH installed.
* Signing shells out to ``ssh-keygen -Y sign`` exactly as git does, so ssh-agent, FIDO keys
  and passphrase prompts work; when OpenSSH is missing or older than 8.1 a built-in signer
  (``cryptography``) signs with unencrypted key files.
* Trust comes from an allowed_signers file in the format of git's
  ``gpg.ssh.allowedSignersFile`` / ``ssh-keygen -Y verify``.

Nothing here prints: functions return data, and problems that do not stop the work are
returned as strings. ``cryptography`` and YAML are never imported at module level.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from deploycheck.errors import SigningError
from deploycheck.records.sshsig import (
    KEY_TYPES,
    MAX_KEY_FILE_BYTES,
    SIGNING_HASH,
    PublicKey,
    SshSignature,
    parse_sshsig,
    public_key_from_openssh,
    public_key_from_private_key_file,
    sign_with_private_key,
    verify_sshsig,
)

__all__ = [
    "DEFAULT_NAMESPACE",
    "AllowedSigner",
    "AllowedSigners",
    "KeySpec",
    "PublicKey",
    "SshSignature",
    "discover_signing_key",
    "find_trusted_signer",
    "match_pattern",
    "match_pattern_list",
    "parse_allowed_signers",
    "parse_allowed_signers_time",
    "parse_sshsig",
    "public_key_from_openssh",
    "read_allowed_signers",
    "sign",
    "ssh_keygen_supports_sshsig",
    "trust_warning",
    "verify_sshsig",
]

DEFAULT_NAMESPACE = "deploycheck-record-v1"
SIGNING_KEY_ENV = "DEPLOYCHECK_SIGNING_KEY"
DEFAULT_KEY_NAMES = ("id_ed25519", "id_ecdsa", "id_rsa")
MAX_ALLOWED_SIGNERS_BYTES = 4 * 1024 * 1024

Backend = Literal["auto", "ssh-keygen", "python"]

_CONFIGURE_HINT = (
    "pass `--key ~/.ssh/id_ed25519` (a key file, or `key::ssh-ed25519 AAAA…` for a key held by "
    f"ssh-agent), set {SIGNING_KEY_ENV}, or configure git's SSH signing: "
    "`git config gpg.format ssh; git config user.signingkey ~/.ssh/id_ed25519`"
)


# --------------------------------------------------------------------------------------------
# OpenSSH pattern lists (match.c)

_MAX_SUBPATTERN = 1023  # OpenSSH copies each subpattern into a 1024-byte buffer


def match_pattern(text: str, pattern: str) -> bool:
    """OpenSSH's ``match_pattern``: ``*`` matches any run of characters, ``?`` any one.

    Iterative with a single backtrack point, so hostile patterns cannot blow up the run time.
    """
    t = p = 0
    star_p = star_t = -1
    while t < len(text):
        if p < len(pattern) and (pattern[p] == "?" or pattern[p] == text[t]):
            t += 1
            p += 1
        elif p < len(pattern) and pattern[p] == "*":
            star_p, star_t = p, t
            p += 1
        elif star_p != -1:
            p = star_p + 1
            star_t += 1
            t = star_t
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)


def match_pattern_list(text: str, patterns: str) -> int:
    """OpenSSH's ``match_pattern_list`` (case-sensitive).

    ``patterns`` is comma-separated; a leading ``!`` negates a subpattern. Returns -1 when a
    negated subpattern matches (which wins over everything), 1 on a positive match, else 0.
    """
    got_positive = 0
    for sub in patterns.split(","):
        negated = sub.startswith("!")
        if negated:
            sub = sub[1:]
        if len(sub) >= _MAX_SUBPATTERN:
            return 0
        if match_pattern(text, sub):
            if negated:
                return -1
            got_positive = 1
    return got_positive


# --------------------------------------------------------------------------------------------
# allowed_signers


@dataclass(frozen=True)
class AllowedSigner:
    """One usable line of an allowed_signers file."""

    principals: str  # OpenSSH pattern list, e.g. "alice@example.com,*@ops.example.com,!bob@x"
    public_key: PublicKey
    namespaces: str | None  # pattern list from namespaces="…"; None allows every namespace
    valid_after: datetime | None  # timezone-aware
    valid_before: datetime | None
    source: str
    line: int

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}"

    def allows_principal(self, principal: str) -> bool:
        return match_pattern_list(principal, self.principals) == 1

    def allows_namespace(self, namespace: str) -> bool:
        return self.namespaces is None or match_pattern_list(namespace, self.namespaces) == 1


class AllowedSigners(list[AllowedSigner]):
    """The usable lines of an allowed_signers file, plus what was wrong with the others.

    ``problems`` holds one message per ignored line (``FILE:LINE: cause. fix.``), like
    ssh-keygen, which logs and skips lines it cannot use. ``ignored_keys`` maps the public key
    of an ignored line (when it could be read) to its problem, so that a signer whose only
    line was ignored is told why rather than "not in allowed_signers".
    """

    def __init__(self, signers: Sequence[AllowedSigner] = (), source: str = "") -> None:
        super().__init__(signers)
        self.source = source
        self.problems: list[str] = []
        self.ignored_keys: dict[PublicKey, str] = {}


class _LineError(Exception):
    def __init__(self, message: str, key: PublicKey | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


_TIME_FORMAT_HINT = (
    'write it as YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with a trailing Z for UTC, in '
    'quotes, e.g. valid-before="20271231Z"'
)


def parse_allowed_signers_time(value: str) -> datetime:
    """Parse a ``valid-after``/``valid-before`` time as OpenSSH does (misc.c parse_absolute_time).

    ``YYYYMMDD``, ``YYYYMMDDHHMM`` or ``YYYYMMDDHHMMSS``; a trailing ``Z`` or ``UTC`` means UTC,
    otherwise the time is local time of the machine that verifies — the same rule as
    ``ssh-keygen -Y verify``. CI runners usually run in UTC, so prefer the ``Z`` form.
    Returns a timezone-aware datetime; raises ValueError.
    """
    text = value
    utc = False
    if len(text) > 1 and text[-1] in "zZ":
        utc, text = True, text[:-1]
    elif len(text) > 3 and text[-3:].upper() == "UTC":
        utc, text = True, text[:-3]
    if len(text) not in (8, 12, 14) or not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f"invalid time {value!r}")
    year, month, day = int(text[0:4]), int(text[4:6]), int(text[6:8])
    hour = int(text[8:10]) if len(text) >= 12 else 0
    minute = int(text[10:12]) if len(text) >= 12 else 0
    second = int(text[12:14]) if len(text) == 14 else 0
    naive = datetime(year, month, day, hour, minute, second)  # raises ValueError when invalid
    if utc:
        return naive.replace(tzinfo=timezone.utc)
    try:
        return naive.astimezone()  # a naive datetime is read as local time
    except (OverflowError, OSError):
        raise ValueError(f"time {value!r} is out of range") from None


def _take_principals(line: str) -> tuple[str, str]:
    """The first field of a line and the rest, as OpenSSH's ``strdelimw`` splits them.

    The field ends at whitespace; double quotes group text that contains spaces. Raises
    ValueError on an unterminated quote. Scans with ``re``/``find``, not a character loop, so
    a hostile multi-megabyte line costs milliseconds.
    """
    i = _PRINCIPALS_PREFIX.match(line).end()  # type: ignore[union-attr]  # callers pass lines that start with it
    field = line[:i]
    if i < len(line) and line[i] == '"':
        end = line.find('"', i + 1)
        if end == -1:
            raise ValueError("unterminated quote in the principals field")
        field += line[i + 1 : end]
        i = end + 1  # OpenSSH ends the field at the closing quote
    return field, line[i:].lstrip(" \t")


_PRINCIPALS_PREFIX = re.compile(r'[^ \t"]*')


def _take_options(text: str) -> tuple[str, str]:
    """Split ``opts rest`` where opts ends at unquoted whitespace (sshkey_advance_past_options)."""
    quoted = False
    i = 0
    while i < len(text) and (quoted or text[i] not in " \t"):
        if text[i] == "\\" and text[i + 1 : i + 2] == '"':
            i += 1
        elif text[i] == '"':
            quoted = not quoted
        i += 1
    if quoted:
        raise ValueError("unterminated quote in the options")
    return text[:i], text[i:].lstrip(" \t")


def _dequote(text: str, name: str) -> tuple[str, str]:
    """OpenSSH's ``opt_dequote``: a double-quoted value (``\\"`` escapes a quote)."""
    if not text.startswith('"'):
        raise ValueError(f'the value of {name}= must be in double quotes, e.g. {name}="…"')
    out: list[str] = []
    i = 1
    while i < len(text) and text[i] != '"':
        if text[i] == "\\" and text[i + 1 : i + 2] == '"':
            i += 1
        out.append(text[i])
        i += 1
    if i >= len(text):
        raise ValueError(f"the value of {name}= has no closing quote")
    return "".join(out), text[i + 1 :]


@dataclass
class _Options:
    cert_authority: bool = False
    namespaces: str | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None


def _parse_options(text: str) -> _Options:
    """OpenSSH's ``sshsigopt_parse``; raises ValueError naming the bad option."""
    options = _Options()
    rest = text
    while rest:
        lower = rest.lower()
        if lower.startswith("cert-authority") and rest[len("cert-authority") :][:1] in ("", ","):
            options.cert_authority = True
            rest = rest[len("cert-authority") :]
        elif lower.startswith("namespaces="):
            if options.namespaces is not None:
                raise ValueError('more than one namespaces= option')
            options.namespaces, rest = _dequote(rest[len("namespaces=") :], "namespaces")
        elif lower.startswith(("valid-after=", "valid-before=")):
            name = "valid-after" if lower.startswith("valid-after=") else "valid-before"
            if getattr(options, name.replace("-", "_")) is not None:
                raise ValueError(f"more than one {name}= option")
            value, rest = _dequote(rest[len(name) + 1 :], name)
            try:
                moment = parse_allowed_signers_time(value)
            except ValueError:
                message = f'{name}="{value}" is not a valid time; {_TIME_FORMAT_HINT}'
                raise ValueError(message) from None
            setattr(options, name.replace("-", "_"), moment)
        else:
            bad = rest.split(",", 1)[0]
            raise ValueError(
                f"unknown option {bad!r} (allowed: namespaces=, valid-after=, valid-before=)"
            )
        if not rest:
            break
        if not rest.startswith(","):
            raise ValueError(
                f"unexpected text {rest[:20]!r} after an option; separate options with commas"
            )
        rest = rest[1:]
        if not rest:
            raise ValueError("the options end with a comma")
    if (
        options.valid_after is not None
        and options.valid_before is not None
        and options.valid_before <= options.valid_after
    ):
        raise ValueError("valid-before is not later than valid-after")
    return options


def _starts_with_key(text: str) -> bool:
    first = text.split(None, 1)[0] if text.strip() else ""
    return first in KEY_TYPES or first.endswith("-cert-v01@openssh.com") or first == "ssh-dss"


def _parse_line(text: str) -> tuple[str, PublicKey, _Options]:
    try:
        principals, rest = _take_principals(text)
    except ValueError as exc:
        raise _LineError(f"{exc}. Close the quote around the principals.") from None
    if not principals or not rest:
        raise _LineError(
            "expected `principals [options] key-type base64-key`, e.g. "
            "`dev@example.com ssh-ed25519 AAAA…`"
        )
    options_text = ""
    if not _starts_with_key(rest):
        try:
            options_text, rest = _take_options(rest)
        except ValueError as exc:
            raise _LineError(f"{exc}. Close the quote.") from None
        if not rest:
            raise _LineError(
                "the public key is missing after the options; add the key (`ssh-ed25519 AAAA…`)"
                " after the options, separated by a space"
            )
    try:
        key = public_key_from_openssh(rest)
    except SigningError as exc:
        raise _LineError(f"invalid public key: {exc.message}") from None
    try:
        options = _parse_options(options_text)
    except ValueError as exc:
        raise _LineError(f"bad options: {exc}.", key) from None
    if options.cert_authority:
        raise _LineError(
            "cert-authority lines (trusting every certificate an SSH CA issues) are not "
            "supported; list each signer's own public key instead",
            key,
        )
    return principals, key, options


def parse_allowed_signers(text: str, source: str) -> AllowedSigners:
    """Parse an allowed_signers file (git's ``gpg.ssh.allowedSignersFile`` format).

    Each line: ``principals [options] key-type base64-key [comment]``; ``#`` comments and
    blank lines are skipped. Principals are a comma-separated OpenSSH pattern list (``*``,
    ``?``, ``!`` negation; quote the field if it contains spaces). Options: ``namespaces="…"``,
    ``valid-after="…"``, ``valid-before="…"`` (values quoted, as ssh-keygen requires).
    Lines that cannot be used are skipped, as ssh-keygen does, and described in
    ``.problems`` with the file and line number; ``cert-authority`` lines are among them.
    """
    if len(text) > MAX_ALLOWED_SIGNERS_BYTES:
        raise SigningError(
            f"The allowed signers file {source} is larger than "
            f"{MAX_ALLOWED_SIGNERS_BYTES // (1024 * 1024)} MiB; it is probably not an "
            "allowed_signers file. Replace it with one line per signer: `dev@example.com ssh-ed25519 AAAA…`."
        )
    signers = AllowedSigners(source=source)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip(" \t\r\n")
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_KEY_FILE_BYTES:  # no key line is this long; do not parse it
            signers.problems.append(
                f"{source}:{number}: the line is {len(line):,} characters long, too long for a signer's key. This line is ignored."
            )
            continue
        try:
            principals, key, options = _parse_line(line)
        except _LineError as exc:
            message = f"{source}:{number}: {exc.message.rstrip('.')}. This line is ignored."
            signers.problems.append(message)
            if exc.key is not None:
                signers.ignored_keys.setdefault(exc.key, message)
            continue
        signers.append(
            AllowedSigner(
                principals=principals,
                public_key=key,
                namespaces=options.namespaces,
                valid_after=options.valid_after,
                valid_before=options.valid_before,
                source=source,
                line=number,
            )
        )
    return signers


def read_allowed_signers(path: Path, source: str | None = None) -> AllowedSigners:
    """Read and parse an allowed_signers file from disk (``--allowed-signers FILE``)."""
    label = source or str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ALLOWED_SIGNERS_BYTES + 1)
    except OSError as exc:
        raise SigningError(
            f"Cannot read the allowed signers file {label}: {exc.strerror or exc}. Check the "
            "path given with `--allowed-signers`, or create the file with one line per signer: "
            "`dev@example.com ssh-ed25519 AAAA…`."
        ) from None
    if len(data) > MAX_ALLOWED_SIGNERS_BYTES:
        raise SigningError(
            f"The allowed signers file {label} is larger than "
            f"{MAX_ALLOWED_SIGNERS_BYTES // (1024 * 1024)} MiB; it is probably not an "
            "allowed_signers file. Check the path."
        )
    return parse_allowed_signers(data.decode("utf-8", errors="replace"), label)


def _format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _as_aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo is not None else now.astimezone()


# Said when the principal is trusted with a different key (find_trusted_signer): the fix is then
# another key or identity, not a new line for this key.
ANOTHER_KEY = "with another key"


def find_trusted_signer(
    signers: Sequence[AllowedSigner],
    public_key: PublicKey,
    principal: str,
    namespace: str,
    now: datetime | None = None,
) -> tuple[AllowedSigner | None, str]:
    """Find the allowed_signers line that trusts ``public_key`` as ``principal`` in ``namespace``.

    A line trusts the signature when its key is exactly ``public_key``, ``principal`` matches
    its principals pattern list, its ``namespaces`` (if any) allow ``namespace``, and ``now``
    (default: the current time; a naive datetime is local time) lies within
    ``valid-after``/``valid-before`` (both inclusive, as in OpenSSH). Returns the first such
    line and a note naming it, or None and the reason the closest line failed.
    """
    moment = _as_aware(now)
    source = getattr(signers, "source", "") or "allowed_signers"
    candidates = [signer for signer in signers if signer.public_key == public_key]
    if not candidates:
        ignored = getattr(signers, "ignored_keys", {}).get(public_key)
        if ignored:
            return None, (
                f"key not in allowed_signers: the line for {public_key} was ignored — {ignored}"
            )
        own = next((signer for signer in signers if signer.allows_principal(principal)), None)
        if own is not None:
            # The principal is trusted with another key: this key is someone else's, or a new
            # one of theirs. Adding it under the principal's name would give whoever holds it
            # their identity (a new user's trial, session 30: bob's key, alice's git e-mail).
            return None, (
                f"key not in allowed_signers: {public_key} is not listed in {source}, which trusts "
                f"{principal!r} {ANOTHER_KEY} ({own.location}). Sign with {principal}'s own key "
                f"(`--key`), or set your own identity (git config user.email) if the key is yours; "
                f"add a line for this key under {principal!r} only if it is their new key"
            )
        return None, (
            f"key not in allowed_signers: {public_key} is not listed in {source}; add a line "
            f"`{principal} {public_key.openssh()}` there (on the base branch)"
        )

    best_stage, best_reason = -1, ""
    for signer in candidates:
        if not signer.allows_principal(principal):
            stage, reason = 0, (
                f"principal {principal!r} not allowed for this key: {signer.location} lists "
                f"it for {signer.principals!r}"
            )
        elif not signer.allows_namespace(namespace):
            stage, reason = 1, (
                f"namespace not allowed: {signer.location} limits this key to namespaces "
                f"{signer.namespaces!r}, not {namespace!r}"
            )
        elif signer.valid_after is not None and moment < signer.valid_after:
            stage, reason = 2, (
                f"key not yet valid: {signer.location} trusts it from "
                f"{_format_time(signer.valid_after)} (valid-after)"
            )
        elif signer.valid_before is not None and moment > signer.valid_before:
            stage, reason = 2, (
                f"key expired on {_format_time(signer.valid_before)} "
                f"(valid-before in {signer.location})"
            )
        else:
            return signer, f"trusted by {signer.location}"
        if stage > best_stage:
            best_stage, best_reason = stage, reason
    return None, best_reason


def trust_warning(
    key: KeySpec,
    signers: Sequence[AllowedSigner],
    principal: str,
    namespace: str = DEFAULT_NAMESPACE,
    now: datetime | None = None,
) -> str | None:
    """A warning for `check` when ``key`` would not be trusted as ``principal``, else None."""
    source = getattr(signers, "source", "") or "allowed_signers"
    if key.public_key is None:
        return (
            f"Cannot check {key.describe()} against {source} before signing: its public key is "
            "unknown (the key file is passphrase-protected PEM with no `.pub` next to it). "
            "Create one with `ssh-keygen -y -f KEYFILE > KEYFILE.pub`."
        )
    signer, reason = find_trusted_signer(signers, key.public_key, principal, namespace, now)
    if signer is not None:
        return None
    described = key.describe()
    line = f"{principal} {key.public_key.openssh()}"
    # The reason may already give the line to add (a key not listed at all): said once.
    until = ("until then." if line in reason or ANOTHER_KEY in reason else
             f"until the base branch's allowed signers contain a line such as `{line}`.")
    return (
        f"{described[:1].upper()}{described[1:]} is not trusted for {principal!r} by {source} "
        f"({reason}). `deploycheck verify` will reject the record {until}"
    )


# --------------------------------------------------------------------------------------------
# Keys


@dataclass(frozen=True)
class KeySpec:
    """The key to sign with, and where it came from.

    ``path`` is a private key file, or a ``.pub`` file whose private half is held by ssh-agent
    (or sits next to it without the suffix); it is None for a literal ``key::`` public key,
    which must be in ssh-agent. ``public_key`` is known whenever it can be read without a
    passphrase, so callers can check it against allowed_signers before signing.
    """

    source: str  # e.g. "--key", "DEPLOYCHECK_SIGNING_KEY", "git config user.signingkey"
    path: Path | None
    public_key: PublicKey | None
    principal: str | None = None  # default signer identity: git's user.email

    @property
    def is_literal(self) -> bool:
        return self.path is None

    def describe(self) -> str:
        what = str(self.path) if self.path is not None else "the ssh-agent key"
        if self.public_key is not None:
            what += f" ({self.public_key})"
        return f"{what} from {self.source}"


def _home() -> Path:
    home = os.environ.get("HOME")
    return Path(home) if home else Path.home()


def _expand_user(value: str) -> str:
    if value == "~" or value.startswith("~/"):
        return str(_home()) + value[1:]
    return os.path.expanduser(value)


def _looks_like_literal_key(value: str) -> bool:
    if value.startswith("key::"):
        return True
    first = value.split(None, 1)[0] if value.strip() else ""
    return first in KEY_TYPES and len(value.split()) >= 2


def _read_small(path: Path, source: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise SigningError(
            f"Cannot read the signing key {path} (from {source}): {exc.strerror or exc}. "
            f"Check the path and its permissions, or {_CONFIGURE_HINT}."
        ) from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise SigningError(
            f"The signing key {path} (from {source}) is larger than any SSH key file; it is "
            f"probably the wrong file. Point to the key itself: {_CONFIGURE_HINT}."
        )
    return data


def _public_key_for_file(path: Path, source: str) -> PublicKey | None:
    """The public key of a key file (public or private), if it can be read without a passphrase."""
    data = _read_small(path, source)
    text = data.decode("utf-8", errors="replace").strip()
    if path.name.endswith(".pub") or _looks_like_literal_key(text):
        try:
            return public_key_from_openssh(text.splitlines()[0] if text else "")
        except SigningError as exc:
            raise SigningError(
                f"The public key file {path} (from {source}) is not usable: {exc.message}"
            ) from None
    public = public_key_from_private_key_file(data)
    if public is not None:
        return public
    pub_path = path.with_name(path.name + ".pub")
    if pub_path.is_file():
        try:
            return public_key_from_openssh(_read_small(pub_path, source).decode("utf-8", "replace"))
        except SigningError as exc:
            raise SigningError(
                f"The public key file {pub_path} next to the signing key (from {source}) is not "
                f"usable: {exc.message}"
            ) from None
    return _public_key_from_pem(data)


def _public_key_from_pem(data: bytes) -> PublicKey | None:
    """The public key of an unencrypted PEM private key (old `ssh-keygen -m PEM` files)."""
    if b"-----BEGIN" not in data or b"ENCRYPTED" in data:
        return None
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        private = serialization.load_pem_private_key(data, password=None)
        line = private.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        return public_key_from_openssh(line.decode("ascii"))
    except (ValueError, TypeError, UnsupportedAlgorithm, SigningError):
        return None


def _key_from_value(value: str, source: str, base_dir: Path, principal: str | None) -> KeySpec:
    """A KeySpec from a `--key`-style value: `key::…`, a literal `ssh-… AAAA…`, or a path."""
    value = value.strip()
    if not value:
        raise SigningError(f"The signing key from {source} is empty. To fix, {_CONFIGURE_HINT}.")
    if _looks_like_literal_key(value):
        try:
            public = public_key_from_openssh(value)
        except SigningError as exc:
            raise SigningError(
                f"The signing key from {source} is not usable: {exc.message}"
            ) from None
        return KeySpec(source=source, path=None, public_key=public, principal=principal)
    path = Path(_expand_user(value))
    if not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        raise SigningError(
            f"The signing key {path} (from {source}) does not exist or is not a file. Fix the "
            f"path, or {_CONFIGURE_HINT}."
        )
    return KeySpec(
        source=source,
        path=path,
        public_key=_public_key_for_file(path, source),
        principal=principal,
    )


def _git_env() -> dict[str, str]:
    from ..git.gitcmd import clean_env  # one list of the variables git exports inside hooks

    return clean_env()


def unused_git_signing_key(repo_dir: Path) -> str | None:
    """git's ``user.signingkey`` when git would not use it as an SSH key (``gpg.format`` is not
    ``ssh``): a user who set it expects it found, and "no key found" alone sends them looking."""
    if _git_config("gpg.format", Path(repo_dir)) == "ssh":
        return None
    return _git_config("user.signingkey", Path(repo_dir))


def _git_config(name: str, repo_dir: Path) -> str | None:
    """``git config --get NAME`` in repo_dir (repository, global and system config), or None."""
    try:
        proc = subprocess.run(
            ["git", "config", "--get", name],
            cwd=repo_dir,
            env=_git_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    value = proc.stdout.decode("utf-8", errors="replace").strip()
    return value or None


def _run_default_key_command(command: str, repo_dir: Path) -> str:
    """Run git's ``gpg.ssh.defaultKeyCommand`` (split on whitespace, no shell, as git does)."""
    source = f"git config gpg.ssh.defaultKeyCommand ({command!r})"
    argv = command.split()
    try:
        proc = subprocess.run(
            argv,
            cwd=repo_dir,
            env=_git_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SigningError(
            f"Running {source} failed: {exc}. Fix the command, or {_CONFIGURE_HINT}."
        ) from None
    stdout = proc.stdout.decode("utf-8", errors="replace")
    first = stdout.splitlines()[0].strip() if stdout.strip() else ""
    if proc.returncode != 0 or not _looks_like_literal_key(first):
        stderr = proc.stderr.decode("utf-8", errors="replace").strip()
        if proc.returncode:
            detail = f"exit status {proc.returncode}"
        else:
            detail = "no `key::` or `ssh-` key on its first line"
        if stderr:
            detail += f": {stderr.splitlines()[-1][:200]}"
        raise SigningError(
            f"{source} returned no key ({detail}). Make the command print "
            f"`key::ssh-ed25519 AAAA…` on its first line, or {_CONFIGURE_HINT}."
        )
    return first


def discover_signing_key(explicit: str | None, repo_dir: Path) -> KeySpec:
    """Find the key to sign with.

    Order: ``explicit`` (``--key``: a path or ``key::…``), ``$DEPLOYCHECK_SIGNING_KEY``, git's
    SSH signing configuration (``gpg.format=ssh`` with ``user.signingkey``, or else
    ``gpg.ssh.defaultKeyCommand``), then ``$HOME/.ssh/id_ed25519``, ``id_ecdsa``, ``id_rsa``.
    A configured key that does not exist is an error, never skipped. The principal defaults
    to git's ``user.email``.
    """
    repo_dir = Path(repo_dir)
    principal = _git_config("user.email", repo_dir)
    if explicit:
        return _key_from_value(explicit, "--key", repo_dir, principal)
    from_env = os.environ.get(SIGNING_KEY_ENV, "").strip()
    if from_env:
        return _key_from_value(from_env, SIGNING_KEY_ENV, Path.cwd(), principal)
    if _git_config("gpg.format", repo_dir) == "ssh":
        configured = _git_config("user.signingkey", repo_dir)
        if configured:
            return _key_from_value(configured, "git config user.signingkey", repo_dir, principal)
        command = _git_config("gpg.ssh.defaultKeyCommand", repo_dir)
        if command:
            literal = _run_default_key_command(command, repo_dir)
            source = "git config gpg.ssh.defaultKeyCommand"
            return _key_from_value(literal, source, repo_dir, principal)
    ssh_dir = _home() / ".ssh"
    for name in DEFAULT_KEY_NAMES:
        candidate = ssh_dir / name
        if candidate.is_file():
            return KeySpec(
                source=f"default key ~/.ssh/{name}",
                path=candidate,
                public_key=_public_key_for_file(candidate, f"~/.ssh/{name}"),
                principal=principal,
            )
    unused = unused_git_signing_key(repo_dir)
    not_ssh = (f"git's user.signingkey ({unused}) is not used because gpg.format is not `ssh` (run "
               "`git config gpg.format ssh` if it is an SSH key)" if unused else "git is not configured for SSH signing")
    raise SigningError(
        f"No SSH signing key found: none was given, {SIGNING_KEY_ENV} is not set, {not_ssh}, "
        f"and there is no {ssh_dir}/id_ed25519, id_ecdsa or id_rsa. "
        f"To fix, {_CONFIGURE_HINT} (create a key first with `ssh-keygen -t ed25519` if you "
        "have none)."
    )


def ensure_can_sign(key: KeySpec) -> None:
    """Raise SigningError, before the checklist asks anything, when ``key`` cannot sign: it is a
    public key whose private key file is not beside it, and ssh-agent does not hold it (two new
    users' trials in session 23 learnt it only after all five answers). A private key file, or a
    key the agent holds, passes; a passphrase is asked only when signing."""
    if key.path is not None and not key.path.name.endswith(".pub"):
        return
    private = key.path.with_name(key.path.name[: -len(".pub")]) if key.path is not None else None
    if private is not None and private.is_file():
        return
    held = _agent_keys()
    if key.public_key is not None and held is not None and key.public_key in held:
        return
    if key.public_key is None and held:
        return  # which key it is cannot be told: signing will say
    where = f"its private key {private} does not exist" if private is not None else "it is a public key only"
    agent = ("no ssh-agent is reachable (SSH_AUTH_SOCK is unset or stale)" if held is None
             else "ssh-agent does not hold it")
    raise SigningError(
        f"The signing key {key.describe()} cannot sign: {where}, and {agent}. Nothing was asked yet. To fix, "
        "point `--key` (or git's user.signingkey) at the private key file, or load it with `ssh-add PRIVATE_KEY_FILE`."
    )


def _agent_keys() -> set[PublicKey] | None:
    """The public keys ssh-agent holds (`ssh-add -L`); None when no agent answers."""
    if not os.environ.get("SSH_AUTH_SOCK"):
        return None
    try:
        proc = subprocess.run(["ssh-add", "-L"], stdin=subprocess.DEVNULL, capture_output=True, timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode not in (0, 1):  # 1: an agent with no keys ("The agent has no identities.")
        return None
    keys = set()
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        try:
            keys.add(public_key_from_openssh(line))
        except SigningError:
            continue
    return keys


# --------------------------------------------------------------------------------------------
# Signing


@functools.lru_cache(maxsize=8)
def _probe_ssh_keygen(executable: str) -> bool:
    try:
        proc = subprocess.run(
            [executable, "-Y", "deploycheck-probe"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=15,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    output = (proc.stdout + proc.stderr).decode("utf-8", errors="replace")
    # OpenSSH 8.1+ knows -Y and complains about the operation; older ones reject the option.
    return "Unsupported operation for -Y" in output or "-Y sign" in output


def ssh_keygen_supports_sshsig() -> bool:
    """Whether an ``ssh-keygen`` with ``-Y sign`` (OpenSSH 8.1 or later) is on PATH."""
    executable = shutil.which("ssh-keygen")
    return executable is not None and _probe_ssh_keygen(executable)


def sign(
    message: bytes,
    key: KeySpec,
    namespace: str = DEFAULT_NAMESPACE,
    *,
    backend: Backend = "auto",
) -> str:
    """Sign ``message`` with ``key``; return the armored SSHSIG (sha512), ending in a newline.

    ``backend="auto"`` uses ``ssh-keygen -Y sign`` when OpenSSH 8.1+ is installed and the
    built-in signer otherwise; ``"ssh-keygen"`` and ``"python"`` force one. The signature is
    verified before it is returned, and must come from ``key.public_key`` when that is known.
    """
    if backend not in ("auto", "ssh-keygen", "python"):
        raise ValueError(f"unknown signing backend {backend!r}")
    if backend == "ssh-keygen" or (backend == "auto" and ssh_keygen_supports_sshsig()):
        executable = shutil.which("ssh-keygen")
        if executable is None or not _probe_ssh_keygen(executable):
            raise SigningError(
                "Signing with ssh-keygen needs OpenSSH 8.1 or later on PATH (`ssh-keygen -Y "
                "sign`). Install or upgrade OpenSSH, or sign with a plain key file using the "
                "built-in signer."
            )
        armored = _sign_with_ssh_keygen(executable, message, key, namespace)
    else:
        armored = _sign_in_python(message, key, namespace)

    try:
        signer = verify_sshsig(message, armored, namespace)
    except SigningError as exc:
        raise SigningError(
            f"The signature just made with {key.describe()} cannot be used: {exc.message}"
        ) from None
    if key.public_key is not None and signer != key.public_key:
        raise SigningError(
            f"The signature was made by {signer}, not by the expected key {key.public_key} "
            f"({key.describe()}): the private key and its public key do not belong together, or "
            "ssh-agent holds a different key. Point `--key` at the right private key file."
        )
    return armored


def _sign_in_python(message: bytes, key: KeySpec, namespace: str) -> str:
    if key.path is None:
        raise SigningError(
            f"{key.describe()} is held by ssh-agent, which the built-in signer cannot use; "
            "signing with ssh-agent needs OpenSSH 8.1 or later (`ssh-keygen -Y sign`). Install "
            "it, or pass a private key file with `--key`."
        )
    path = key.path
    if path.name.endswith(".pub"):
        private = path.with_name(path.name[: -len(".pub")])
        if not private.is_file():
            raise SigningError(
                f"{path} is a public key and its private key {private} does not exist; the "
                "built-in signer cannot use ssh-agent. Install OpenSSH 8.1 or later, or pass "
                "the private key file with `--key`."
            )
        path = private
    data = _read_small(path, key.source)
    return sign_with_private_key(message, data, namespace, key_name=f"The signing key {path}")


def _have_terminal() -> bool:
    """Whether this process has a controlling terminal that ssh-keygen could prompt on."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


def _could_ask_passphrase() -> bool:
    """Whether ssh-keygen had a way to ask for a passphrase: a terminal, or an askpass program
    (OpenSSH uses one when SSH_ASKPASS_REQUIRE=force, or with a display and no terminal)."""
    env = os.environ
    return (
        _have_terminal()
        or env.get("SSH_ASKPASS_REQUIRE") == "force"
        or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    )


def _ssh_keygen_failure(key: KeySpec, returncode: int, stderr: str) -> SigningError:
    lines = [line for line in stderr.splitlines() if line.strip()]
    relevant = [
        line
        for line in lines
        if not line.startswith(("Signing file", "Signing data", "Write signature"))
    ]
    detail = relevant[-1].strip() if relevant else f"exit status {returncode}"
    lower = stderr.lower()
    what = key.describe()
    if ("incorrect passphrase" in lower or "bad passphrase" in lower) and not _could_ask_passphrase():
        # ssh-keygen reads a passphrase from /dev/tty; without one it tries an empty passphrase
        # and reports it as wrong, although nobody was asked.
        cause = (
            f"{what} is protected by a passphrase and no terminal was available to ask for it "
            "(a git hook, CI or a pipe)"
        )
        fix = (
            "load the key into ssh-agent first (`eval \"$(ssh-agent -s)\"` then `ssh-add KEYFILE`; "
            "deploycheck then signs through the agent), or run deploycheck in a terminal"
        )
    elif "incorrect passphrase" in lower or "bad passphrase" in lower:
        cause = f"the passphrase for {what} was wrong"
        fix = "run the command again and type the key's passphrase, or load the key with `ssh-add`"
    elif "agent refused" in lower:
        cause = (
            f"ssh-agent refused to sign with {what} (a confirmation was declined or a FIDO key "
            "was not touched)"
        )
        fix = "run the command again and confirm or touch the key when asked"
    elif "couldn't get agent socket" in lower or "could not connect to agent" in lower or (
        "agent" in lower and "communication" in lower
    ):
        cause = (
            f"signing with {what} needs ssh-agent, but no agent is reachable (SSH_AUTH_SOCK is "
            "unset or stale)"
        )
        fix = (
            "start ssh-agent and `ssh-add` the private key, or pass the private key file with "
            "`--key`"
        )
    elif any(
        marker in lower
        for marker in ("no private key found", "not found in agent", "couldn't find key in agent")
    ):
        cause = f"ssh-agent does not hold the private key for {what}"
        fix = "load it with `ssh-add PRIVATE_KEY_FILE`, or pass the private key file with `--key`"
    elif "no such file" in lower:
        cause = f"the key file for {what} does not exist"
        fix = f"fix the path, or {_CONFIGURE_HINT}"
    elif "invalid format" in lower or "error in libcrypto" in lower:
        cause = f"ssh-keygen cannot read {what}"
        fix = "check it with `ssh-keygen -y -f KEYFILE`, or pass another key with `--key`"
    else:
        cause = f"ssh-keygen could not sign with {what}"
        fix = "check the key with `ssh-keygen -y -f KEYFILE`, or pass another key with `--key`"
    return SigningError(f"Signing failed: {cause} (ssh-keygen: {detail}). To fix, {fix}.")


# Asked for explicitly, as docs/design.md "Records" pins it (SSHSIG with sha512). OpenSSH 8.1-8.8
# ignore `-O` options when signing (sha512 is their only choice); a build that parses them but
# does not know `hashalg=` says so before it loads the key, so retrying without the option never
# prompts twice.
HASHALG_OPTION = ("-O", f"hashalg={SIGNING_HASH}")


def _sign_with_ssh_keygen(executable: str, message: bytes, key: KeySpec, namespace: str) -> str:
    armored = _run_ssh_keygen_sign(executable, message, key, namespace, HASHALG_OPTION)
    if armored is None:
        armored = _run_ssh_keygen_sign(executable, message, key, namespace, ())
    assert armored is not None
    hash_algorithm = parse_sshsig(armored).hash_algorithm
    if hash_algorithm != SIGNING_HASH:
        raise SigningError(
            f"ssh-keygen signed with {hash_algorithm}, but deploycheck records are signed with {SIGNING_HASH}. "
            "Upgrade OpenSSH (8.1 or later signs with sha512), or sign with a plain key file "
            "using the built-in signer."
        )
    return armored


def _run_ssh_keygen_sign(
    executable: str, message: bytes, key: KeySpec, namespace: str, options: Sequence[str]
) -> str | None:
    """``ssh-keygen -Y sign``; None when it rejected ``options`` (and did nothing else)."""
    with tempfile.TemporaryDirectory(prefix="deploycheck-sign-") as tmp:
        workdir = Path(tmp)
        message_file = workdir / "message"
        message_file.write_bytes(message)
        args = [executable, "-q", "-Y", "sign", "-n", namespace, *options]  # -q: no "Signing file …" chatter
        if key.path is None:
            assert key.public_key is not None  # literal keys always carry their public key
            key_file = workdir / "key.pub"
            key_file.write_text(key.public_key.openssh() + "\n", encoding="ascii")
            args += ["-U", "-f", str(key_file)]
        else:
            args += ["-f", str(key.path)]
        args.append(str(message_file))
        is_fido = key.public_key is not None and key.public_key.key_type.startswith("sk-")
        try:
            proc = subprocess.run(
                args,
                stdin=None,  # passphrase and PIN prompts read the terminal themselves
                stdout=subprocess.PIPE,
                # A FIDO key prints "Confirm user presence…" on stderr: let the user see it.
                stderr=None if is_fido else subprocess.PIPE,
            )
        except OSError as exc:
            raise SigningError(
                f"Could not run {executable}: {exc}. Reinstall OpenSSH, or make sure "
                "`ssh-keygen` on PATH is executable."
            ) from None
        stderr = (proc.stderr or b"").decode("utf-8", errors="replace")
        signature_file = workdir / "message.sig"
        if proc.returncode != 0 or not signature_file.is_file():
            if options and 'invalid option "hashalg' in stderr.lower():
                return None
            raise _ssh_keygen_failure(key, proc.returncode, stderr)
        try:
            return signature_file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise SigningError(
                f"ssh-keygen wrote an unreadable signature ({exc}). Check that OpenSSH works: "
                "`ssh-keygen -Y sign -n test -f KEYFILE somefile`."
            ) from None
