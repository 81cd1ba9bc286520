"""allowed_signers parsing and trust decisions, checked against `ssh-keygen -Y verify`."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from support.counting import Counted

from deploycheck.errors import SigningError
from deploycheck.records.signing import (
    KeySpec,
    DEFAULT_NAMESPACE,
    AllowedSigners,
    find_trusted_signer,
    match_pattern,
    match_pattern_list,
    parse_allowed_signers,
    parse_allowed_signers_time,
    read_allowed_signers,
    trust_warning,
)
from deploycheck.records.sshsig import public_key_from_openssh, verify_sshsig

SOURCE = ".deploycheck/allowed_signers"
MESSAGE = b"record body\n"
NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _no_real_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> dict[str, object]:
    """Two ed25519 keys, and a signature over MESSAGE by the first (made by ssh-keygen)."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    folder = tmp_path_factory.mktemp("signers")
    for name in ("dev", "other"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(folder / name)],
            check=True,
            stdin=subprocess.DEVNULL,
        )
    (folder / "msg").write_bytes(MESSAGE)
    subprocess.run(
        ["ssh-keygen", "-Y", "sign", "-n", DEFAULT_NAMESPACE, "-f", str(folder / "dev"), str(folder / "msg")],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    return {
        "folder": folder,
        "key": public_key_from_openssh((folder / "dev.pub").read_text()),
        "other": public_key_from_openssh((folder / "other.pub").read_text()),
        "sig": folder / "msg.sig",
    }


# --------------------------------------------------------------------------------------------
# Same decision as ssh-keygen for the same file

CASES = [
    ("dev@example.com {key}", "dev@example.com", True),
    ("dev@example.com {key}", "other@example.com", False),
    ("DEV@example.com {key}", "dev@example.com", False),
    ("alice@example.com,dev@example.com {key}", "dev@example.com", True),
    ("*@example.com {key}", "dev@example.com", True),
    ("*@example.com {key}", "dev@example.org", False),
    ("d?v@example.com {key}", "dev@example.com", True),
    ("* {key}", "anyone", True),
    ("*@example.com,!dev@example.com {key}", "dev@example.com", False),
    ("!dev@example.com,*@example.com {key}", "ops@example.com", True),
    ('"dev@example.com,release team" {key}', "release team", True),
    ("  dev@example.com \t {key}  a comment with spaces", "dev@example.com", True),
    ("# a comment\n\ndev@example.com {key}", "dev@example.com", True),
    ("dev@example.com {key}\r\n", "dev@example.com", True),
    ("dev@example.com {other}\ndev@example.com {key}", "dev@example.com", True),
    ('dev@example.com namespaces="git" {key}', "dev@example.com", False),
    ('dev@example.com namespaces="git,deploycheck-*" {key}', "dev@example.com", True),
    ('dev@example.com namespaces="*,!deploycheck-record-v1" {key}', "dev@example.com", False),
    ('dev@example.com namespaces="git" {key}\ndev@example.com {key}', "dev@example.com", True),
    ("dev@example.com namespaces=git {key}", "dev@example.com", False),  # ssh-keygen needs quotes
    ('dev@example.com valid-after="20000101" {key}', "dev@example.com", True),
    ('dev@example.com valid-after="20990101Z" {key}', "dev@example.com", False),
    ('dev@example.com valid-before="20000101120000" {key}', "dev@example.com", False),
    ('dev@example.com valid-before="209912312359UTC" {key}', "dev@example.com", True),
    ('dev@example.com valid-after="20000101",valid-before="20990101" {key}', "dev@example.com", True),
    ('dev@example.com valid-before="20000101",valid-after="20990101" {key}', "dev@example.com", False),
    ('dev@example.com VALID-AFTER="20000101" {key}', "dev@example.com", True),
    ('dev@example.com valid-after="2000" {key}', "dev@example.com", False),
    ("dev@example.com cert-authority {key}", "dev@example.com", False),
    ("dev@example.com no-touch-required {key}", "dev@example.com", False),
    ('dev@example.com namespaces="a",namespaces="b" {key}', "dev@example.com", False),
    ("dev@example.com", "dev@example.com", False),
]


@pytest.mark.parametrize(("text", "principal", "trusted"), CASES)
def test_same_decision_as_ssh_keygen(signed, tmp_path, text, principal, trusted):
    content = text.format(key=signed["key"].openssh(), other=signed["other"].openssh())
    path = tmp_path / "allowed_signers"
    path.write_bytes(content.encode())
    result = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(path), "-I", principal, "-n", DEFAULT_NAMESPACE, "-s", str(signed["sig"])],
        input=MESSAGE,
        capture_output=True,
    )
    assert (result.returncode == 0) is trusted, result.stderr  # the table itself is right

    signer_key = verify_sshsig(MESSAGE, signed["sig"].read_text(), DEFAULT_NAMESPACE)
    signer, reason = find_trusted_signer(parse_allowed_signers(content, SOURCE), signer_key, principal, DEFAULT_NAMESPACE)
    assert (signer is not None) is trusted, reason


# --------------------------------------------------------------------------------------------
# Parsing details


def test_parses_fields(signed):
    text = (
        "# team\n"
        f'alice@example.com,"bob smith" namespaces="deploycheck-*,git",valid-after="20250101Z",'
        f'valid-before="20270101Z" {signed["key"].openssh()} alice laptop\n'
        "\n"
        f"ops@example.com {signed['other'].openssh()}\n"
    )
    signers = parse_allowed_signers(text, SOURCE)

    assert isinstance(signers, AllowedSigners) and signers.problems == []
    first, second = signers
    assert first.principals == "alice@example.com,bob smith"
    assert first.public_key == signed["key"]
    assert first.namespaces == "deploycheck-*,git"
    assert first.valid_after == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert first.valid_before == datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert (first.source, first.line, first.location) == (SOURCE, 2, f"{SOURCE}:2")
    assert first.allows_principal("bob smith") and not first.allows_principal("bob")
    assert (second.line, second.namespaces, second.valid_after) == (4, None, None)


def test_cert_authority_line_is_ignored_with_a_message_and_others_still_parse(signed):
    text = (
        f"ca@example.com cert-authority {signed['other'].openssh()}\n"
        f"dev@example.com {signed['key'].openssh()}\n"
    )
    signers = parse_allowed_signers(text, SOURCE)

    assert [s.line for s in signers] == [2]
    assert signers.problems == [
        f"{SOURCE}:1: cert-authority lines (trusting every certificate an SSH CA issues) are not "
        "supported; list each signer's own public key instead. This line is ignored."
    ]
    signer, reason = find_trusted_signer(signers, signed["other"], "ca@example.com", DEFAULT_NAMESPACE, NOW)
    assert signer is None
    assert reason.startswith("key not in allowed_signers: the line for ssh-ed25519 SHA256:")
    assert f"{SOURCE}:1: cert-authority" in reason


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("dev@example.com", "expected `principals [options] key-type base64-key`"),
        ("dev@example.com ssh-ed25519", "invalid public key: 'ssh-ed25519' is not an SSH public key"),
        ("dev@example.com ssh-ed25519 AAAA!!!", "invalid public key: The ssh-ed25519 public key 'AAAA!!!' is not valid base64"),
        ("dev@example.com ssh-dss AAAAB3NzaC1kc3M=", "DSA keys are not supported"),
        ("dev@example.com ecdsa-sha2-nistp256-cert-v01@openssh.com AAAA", "SSH certificates"),
        ('dev@example.com namespaces="git {key}', "unterminated quote in the options"),
        ('"dev@example.com {key}', "unterminated quote in the principals field"),
        ("dev@example.com namespaces=git {key}", 'the value of namespaces= must be in double quotes, e.g. namespaces="…"'),
        ('dev@example.com valid-after="tomorrow" {key}', 'valid-after="tomorrow" is not a valid time; write it as YYYYMMDD'),
        ('dev@example.com valid-after="20251301" {key}', 'valid-after="20251301" is not a valid time'),
        ('dev@example.com valid-before="20250101",valid-after="20260101" {key}', "valid-before is not later than valid-after"),
        ('dev@example.com valid-after="20250101",valid-after="20260101" {key}', "more than one valid-after= option"),
        ("dev@example.com restrict {key}", "unknown option 'restrict'"),
        ('dev@example.com namespaces="git", {key}', "the options end with a comma"),
        ('dev@example.com namespaces="git"x {key}', "unexpected text 'x' after an option"),
        ('dev@example.com namespaces="git"', "the public key is missing after the options"),
    ],
)
def test_malformed_lines_are_reported_with_file_and_line(signed, line, fragment):
    text = "# header\n" + line.format(key=signed["key"].openssh()) + "\n" + f"ok@example.com {signed['other'].openssh()}\n"
    signers = parse_allowed_signers(text, SOURCE)

    assert [s.line for s in signers] == [3]
    assert len(signers.problems) == 1
    problem = signers.problems[0]
    assert problem.startswith(f"{SOURCE}:2: ")
    assert fragment in problem
    assert problem.endswith("This line is ignored.")


def test_key_type_mismatch_is_reported(signed):
    blob = signed["key"].openssh().split()[1]
    signers = parse_allowed_signers(f"dev@example.com ssh-rsa {blob}\n", SOURCE)
    assert not signers
    assert "says 'ssh-rsa' but its data is a 'ssh-ed25519' key" in signers.problems[0]


def test_read_allowed_signers_from_disk(signed, tmp_path):
    path = tmp_path / "signers"
    path.write_text(f"dev@example.com {signed['key'].openssh()}\n")
    assert [s.public_key for s in read_allowed_signers(path)] == [signed["key"]]
    assert read_allowed_signers(path).source == str(path)
    with pytest.raises(SigningError, match="Cannot read the allowed signers file .*missing.*--allowed-signers"):
        read_allowed_signers(tmp_path / "missing")


# --------------------------------------------------------------------------------------------
# Trust decisions and their reasons


def _signers(signed, options: str = "", principals: str = "dev@example.com") -> AllowedSigners:
    return parse_allowed_signers(f"{principals} {options} {signed['key'].openssh()}\n", SOURCE)


def test_reason_key_not_listed(signed):
    signer, reason = find_trusted_signer(_signers(signed, principals="ops@example.com"), signed["other"],
                                         "dev@example.com", DEFAULT_NAMESPACE, NOW)
    assert signer is None
    assert reason.startswith(f"key not in allowed_signers: {signed['other']} is not listed in {SOURCE}")
    assert f"`dev@example.com {signed['other'].openssh()}`" in reason


def test_reason_key_not_the_principal_s(signed):
    # bob's key with alice's git e-mail (a new user's trial, session 30): the advice was a line
    # giving bob's key alice's identity. The principal is trusted with another key: say so.
    signer, reason = find_trusted_signer(_signers(signed), signed["other"], "dev@example.com", DEFAULT_NAMESPACE, NOW)
    assert signer is None
    assert "trusts 'dev@example.com' with another key (allowed_signers line 1)" in reason or \
        "trusts 'dev@example.com' with another key (" in reason
    assert "Sign with dev@example.com's own key" in reason
    assert f"`dev@example.com {signed['other'].openssh()}`" not in reason


def test_reason_principal(signed):
    signer, reason = find_trusted_signer(
        _signers(signed, principals="*@example.com,!eve@example.com"), signed["key"], "eve@example.com", DEFAULT_NAMESPACE, NOW
    )
    assert signer is None
    assert reason == (
        f"principal 'eve@example.com' not allowed for this key: {SOURCE}:1 lists it for "
        "'*@example.com,!eve@example.com'"
    )


def test_reason_namespace(signed):
    signer, reason = find_trusted_signer(_signers(signed, 'namespaces="git"'), signed["key"], "dev@example.com", DEFAULT_NAMESPACE, NOW)
    assert signer is None
    assert reason == f"namespace not allowed: {SOURCE}:1 limits this key to namespaces 'git', not 'deploycheck-record-v1'"


def test_reason_expired_and_not_yet_valid(signed):
    signers = _signers(signed, 'valid-after="20260101Z",valid-before="20270101Z"')

    assert find_trusted_signer(signers, signed["key"], "dev@example.com", DEFAULT_NAMESPACE, NOW)[0] is signers[0]
    early = find_trusted_signer(signers, signed["key"], "dev@example.com", DEFAULT_NAMESPACE, datetime(2025, 12, 31, 23, 59, tzinfo=timezone.utc))
    late = find_trusted_signer(signers, signed["key"], "dev@example.com", DEFAULT_NAMESPACE, datetime(2027, 1, 1, 0, 0, 1, tzinfo=timezone.utc))

    assert early == (None, f"key not yet valid: {SOURCE}:1 trusts it from 2026-01-01 00:00:00 UTC (valid-after)")
    assert late == (None, f"key expired on 2027-01-01 00:00:00 UTC (valid-before in {SOURCE}:1)")


def test_validity_bounds_are_inclusive_like_openssh(signed):
    signers = _signers(signed, 'valid-after="20260101Z",valid-before="20270101Z"')
    for moment in (datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2027, 1, 1, tzinfo=timezone.utc)):
        assert find_trusted_signer(signers, signed["key"], "dev@example.com", DEFAULT_NAMESPACE, moment)[0] is not None


def test_reason_comes_from_the_line_that_got_furthest(signed):
    text = (
        f"dev@example.com namespaces=\"git\" {signed['key'].openssh()}\n"
        f"ops@example.com {signed['key'].openssh()}\n"
    )
    signer, reason = find_trusted_signer(parse_allowed_signers(text, SOURCE), signed["key"], "dev@example.com", DEFAULT_NAMESPACE, NOW)
    assert signer is None and reason.startswith("namespace not allowed")


def test_success_names_the_line(signed):
    signers = _signers(signed)
    assert find_trusted_signer(signers, signed["key"], "dev@example.com", DEFAULT_NAMESPACE) == (signers[0], f"trusted by {SOURCE}:1")


def test_works_on_a_plain_list(signed):
    signers = list(_signers(signed))
    assert find_trusted_signer(signers, signed["key"], "dev@example.com", DEFAULT_NAMESPACE, NOW)[0] is signers[0]
    assert "not listed in allowed_signers" in find_trusted_signer(signers, signed["other"], "x", DEFAULT_NAMESPACE, NOW)[1]


# --------------------------------------------------------------------------------------------
# Times and patterns


def test_times_in_utc_and_local_time(monkeypatch):
    assert parse_allowed_signers_time("20260102") .tzinfo is not None
    assert parse_allowed_signers_time("20260102Z") == datetime(2026, 1, 2, tzinfo=timezone.utc)
    assert parse_allowed_signers_time("202601021530z") == datetime(2026, 1, 2, 15, 30, tzinfo=timezone.utc)
    assert parse_allowed_signers_time("20260102153045UTC") == datetime(2026, 1, 2, 15, 30, 45, tzinfo=timezone.utc)

    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        local = parse_allowed_signers_time("20260102")
        assert local == datetime(2026, 1, 1, 15, 0, tzinfo=timezone.utc)  # midnight in Tokyo (UTC+9)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("value", ["", "2026", "202601021", "2026010Z", "2026-01-02", "2026０102", "20260230", "Z", "UTC"])
def test_invalid_times(value):
    with pytest.raises(ValueError):
        parse_allowed_signers_time(value)


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("dev@example.com", "dev@example.com", True),
        ("dev@example.com", "*", True),
        ("", "*", True),
        ("", "", True),
        ("a", "", False),
        ("dev@example.com", "*@example.com", True),
        ("dev@example.com", "*@*.com", True),
        ("dev@example.com", "d?v@*", True),
        ("dv@example.com", "d?v@*", False),
        ("dev@example.com", "*example", False),
        ("abcabc", "*abc", True),
        ("aaa", "a*a*a*a", False),
        ("Dev", "dev", False),
    ],
)
def test_match_pattern(text, pattern, expected):
    assert match_pattern(text, pattern) is expected


def test_match_pattern_list_negation_wins():
    assert match_pattern_list("dev@example.com", "*@example.com,!dev@example.com") == -1
    assert match_pattern_list("dev@example.com", "!dev@example.com,*") == -1
    assert match_pattern_list("ops@example.com", "*@example.com,!dev@example.com") == 1
    assert match_pattern_list("ops@example.org", "*@example.com") == 0
    assert match_pattern_list("x", "y," + "x" * 1023) == 0


def test_pathological_patterns_take_polynomial_work():
    # A backtracking matcher takes exponential steps on `*a*a…b` against `aaaa…`; OpenSSH's single
    # backtrack point keeps it within text × pattern reads. Counted, not timed: the machine's speed
    # decides nothing.
    Counted.reads = 0
    text, pattern = Counted("a" * 2000), Counted("*a" * 100 + "b")
    assert not match_pattern(text, pattern)
    assert Counted.reads <= 4 * len(text) * len(pattern)


def test_large_file_parses_whole(signed):
    line = f"dev{{}}@example.com namespaces=\"deploycheck-*\" {signed['key'].openssh()}\n"
    text = "".join(line.format(i) for i in range(5000))
    signers = parse_allowed_signers(text, SOURCE)
    assert len(signers) == 5000
    assert find_trusted_signer(signers, signed["key"], "dev4999@example.com", DEFAULT_NAMESPACE, NOW)[0].line == 5000


def test_trust_warning_before_signing(signed):
    signers = _signers(signed)
    trusted = KeySpec(source="--key", path=None, public_key=signed["key"])
    stranger = KeySpec(source="--key", path=None, public_key=signed["other"])
    unknown = KeySpec(source="--key", path=Path("/keys/old.pem"), public_key=None)

    assert trust_warning(trusted, signers, "dev@example.com", now=NOW) is None
    warning = trust_warning(stranger, signers, "dev@example.com", now=NOW)
    assert warning.startswith(f"The ssh-agent key ({signed['other']}) from --key is not trusted for 'dev@example.com'")
    assert "with another key" in warning and f"`dev@example.com {signed['other'].openssh()}`" not in warning
    warning = trust_warning(stranger, signers, "new@other.org", now=NOW)
    # The line to add, once (the new-user trial of session 16 found it printed twice).
    assert warning.count(f"`new@other.org {signed['other'].openssh()}`") == 1 and warning.endswith("until then.")
    assert "principal 'ops@example.com' not allowed" in trust_warning(trusted, signers, "ops@example.com", now=NOW)
    assert "its public key is unknown" in trust_warning(unknown, signers, "dev@example.com")
