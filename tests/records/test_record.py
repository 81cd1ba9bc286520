"""Records: the exact layout, the signed-bytes contract (with real sed and ssh-keygen), the strict
reader against hostile files, naming, atomic writes and the lock."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.gitrepo import commit, git, make_branch, make_repo

from deploycheck.checklist.answers import Answer
from deploycheck.errors import RecordError
from deploycheck.git.model import Finding
from deploycheck.records.record import (
    MAX_BYTES,
    Author,
    FingerprintInfo,
    answers_in_order,
    attach_signature,
    branch_anchor,
    build_body,
    choose_record_path,
    parse_body,
    parse_record,
    quote,
    record_lock,
    record_name,
    slugify,
    split_record,
    write_record_atomic,
)

from support.records import H, SIG, make_body, EXPECTED_BODY, EXPECTED_SIGNATURE, full  # noqa: E402 - shared with other tests


def rejects(data: bytes) -> str:
    with pytest.raises(RecordError) as info:
        parse_record(data, "R.yaml")
    return info.value.message


# --- layout and round trip ------------------------------------------------------------------


def test_body_layout_is_exact_and_every_string_is_quoted():
    assert build_body(make_body()).decode() == EXPECTED_BODY
    assert full()[len(EXPECTED_BODY):].decode() == EXPECTED_SIGNATURE


def test_round_trip_of_everything_the_writer_can_hold():
    body = make_body(
        branch="feature/yes",
        author=Author("Zoë \"Z\" O'Neil", ""),
        findings=(
            Finding("DC101", "job-changed", "job", "info", "a b/é.py", 0, 0, "m", (), side="base",
                    suppressed=True, suppression_reason="reviewed: single worker queue"),
        ),
        answers={
            "shared-state": Answer("no", details="line one\nline two\n", rebuttal="  indented first\nthen not",
                                   warning="tabs\tand \x1b[31mescapes\u202e and NEL\x85 and ls\u2028"),
            "rollback-safe": Answer("yes", details="trailing blank lines\n\n\n"),
            "concurrency-tested": Answer("n/a", details="no newline at the end\nsecond"),
            "silent-failure": Answer("null"),
            "sequential-assumption": Answer("true", details="~"),
        },
    )
    data = full(body)
    record = parse_record(data, "R.yaml")
    assert record.body == body
    assert record.signature == SIG
    assert record.signed_bytes == build_body(body)
    assert parse_body(build_body(body), "R.yaml") == body


def test_multi_line_text_is_a_literal_block_and_control_characters_are_escaped():
    body = make_body(answers={"shared-state": Answer("yes", "orders table\nwritten by the API too\n",
                                                     warning="bell\x07")})
    text = build_body(body).decode()
    assert text.endswith(
        '  "shared-state":\n'
        "    answer: \"yes\"\n"
        "    details: |\n"
        "      orders table\n"
        "      written by the API too\n"
        '    warning: "bell\\x07"\n'
    )


def test_quote_escapes_what_could_hide_or_break_lines():
    assert quote('a"b\\c\nd\te\rf') == '"a\\"b\\\\c\\nd\\te\\rf"'
    assert quote("\u202e\ufeff\u00a0\U000e0001") == '"\\u202e\\ufeff\\xa0\\U000e0001"'
    assert quote("café ✓ 🚀") == '"café ✓ 🚀"'
    assert quote("caf\udce9") == '"caf\\\\xe9"'  # non-UTF-8 byte kept visible as text


def test_answers_in_checklist_order():
    answers = {"z": Answer("yes"), "silent-failure": Answer("x"), "shared-state": Answer("no")}
    assert list(answers_in_order(answers, ["shared-state", "silent-failure"])) == ["shared-state", "silent-failure", "z"]


# --- what is signed ---------------------------------------------------------------------------


def sed_body(path: Path) -> bytes:
    return subprocess.run(["sed", "/^signature:/,$d", str(path)], check=True, stdout=subprocess.PIPE).stdout


def test_sed_yields_exactly_the_signed_bytes_even_with_a_hostile_answer(tmp_path):
    hostile = make_body(answers={
        "shared-state": Answer("yes", details="one\nsignature: x\n"),
        "rollback-safe": Answer("\nsignature: x"),
        "silent-failure": Answer("signature:\n  format: sshsig"),
    })
    body = build_body(hostile)
    assert not any(line.startswith(b"signature:") for line in body.split(b"\n"))
    path = tmp_path / "R.yaml"
    path.write_bytes(attach_signature(body, SIG))
    assert sed_body(path) == body
    assert split_record(path.read_bytes()) == (body, EXPECTED_SIGNATURE.encode())
    assert parse_record(path.read_bytes(), "R.yaml").body == hostile


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH")
def test_a_record_verifies_with_the_design_documents_sed_and_ssh_keygen_command(tmp_path):
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(key)], check=True)
    body = build_body(make_body())
    message = tmp_path / "body"
    message.write_bytes(body)
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", "deploycheck-record-v1", str(message)],
                   check=True, stderr=subprocess.DEVNULL)
    armored = (tmp_path / "body.sig").read_text()
    record = tmp_path / "R.yaml"
    record.write_bytes(attach_signature(body, dataclasses.replace(SIG, value=armored)))
    parsed = parse_record(record.read_bytes(), "R.yaml")
    (tmp_path / "R.sig").write_text(parsed.signature.value)
    (tmp_path / "allowed_signers").write_text(f"dev@example.com {(tmp_path / 'id_ed25519.pub').read_text()}")
    proc = subprocess.run(
        "sed '/^signature:/,$d' R.yaml | ssh-keygen -Y verify -f allowed_signers -I dev@example.com "
        "-n deploycheck-record-v1 -s R.sig",
        shell=True, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    assert proc.returncode == 0, proc.stdout
    assert parsed.signed_bytes == body


def test_crlf_file_still_parses_to_the_lf_signed_bytes():
    data = full()
    record = parse_record(data.replace(b"\n", b"\r\n"), "R.yaml")
    assert record.signed_bytes == build_body(make_body())
    assert record.signature == SIG


# --- hostile and broken records ---------------------------------------------------------------


def test_size_cap_is_hit_before_parsing():
    huge = b"deploycheck_record: 1\n" + b"# padding\n" * 3_000_000  # 30 MB
    assert rejects(huge).startswith(f"R.yaml is {len(huge):,} bytes, over the limit of {MAX_BYTES:,} for a record")


def test_duplicate_keys():
    data = full().replace(b"branch: ", b"branch: \"x\"\nbranch: ", 1)
    assert rejects(data).startswith("R.yaml, line 8: duplicate key 'branch'")


def test_billion_laughs_alias_bomb():
    bomb = textwrap.dedent("""\
        a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
        """).encode()
    message = rejects(bomb + EXPECTED_SIGNATURE.encode())
    assert "YAML aliases (*name) are not allowed" in message


def test_python_object_tag():
    data = full().replace(b'branch: "inventory-refactor"', b"branch: !!python/object/apply:os.system ['echo hi']")
    assert rejects(data).startswith("R.yaml, line 7: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed")


def test_unknown_key():
    data = full().replace(b"branch:", b"approved: \"yes\"\nbranch:", 1)
    assert rejects(data).startswith("R.yaml, line 7: unknown key 'approved' in the record.")


def test_unknown_key_inside_an_answer():
    data = full().replace(b'    answer: "yes"\n', b'    answer: "yes"\n    approved_by: "boss"\n', 1)
    assert rejects(data).startswith("R.yaml, line 38: unknown key 'approved_by' in the answer to shared-state.")


def test_wrong_types():
    assert rejects(full().replace(b"    line: 14", b'    line: "14"')).startswith(
        "R.yaml, line 26: finding line must be a whole number")
    assert rejects(full().replace(b'  name: "Dev Example"', b"  name: [Dev]")).startswith(
        "R.yaml, line 5: author.name must be text, not a list.")
    assert rejects(full().replace(b'  value: "' + b"f" * 64, b'  value: "' + b"F" * 64)).startswith(
        "R.yaml, line 17: fingerprint.value must be 64 lower-case hex digits")
    assert rejects(full().replace(b'severity: "high"', b'severity: "critical"')).startswith(
        "R.yaml, line 24: finding severity must be one of info, warning, high, not 'critical'.")
    assert rejects(full().replace(b'created: "2026-11-28T10:15:00Z"', b"created: 2026-11-28")).startswith(
        "R.yaml, line 3: created must be a UTC time")


def test_missing_key_and_schema_version():
    assert rejects(full().replace(b'branch: "inventory-refactor"\n', b"")).startswith(
        "R.yaml, line 1: the record is missing the required key 'branch'.")
    assert rejects(full().replace(b"deploycheck_record: 1", b"deploycheck_record: 2")).startswith(
        "R.yaml, line 1: record format 2 is not supported by this deploycheck (it reads format 1).")


def test_trailing_content_after_the_signature_block():
    message = rejects(full() + b"approved: yes\n")
    assert message.startswith("R.yaml, line 50: content after the signature block ('approved: yes'). Nothing may follow the signature.")
    assert rejects(full() + b"---\nother: 1\n").startswith("R.yaml, line 50: content after the signature block ('---')")
    # A second key inside the block, or a second signature, is no better.
    assert "unknown key 'extra' in signature" in rejects(full() + b"  extra: 1\n")
    assert rejects(full() + EXPECTED_SIGNATURE.encode()).startswith(
        "R.yaml, line 50: content after the signature block ('signature:')")


def test_blank_lines_at_the_end_are_accepted():
    assert parse_record(full() + b"\n\n", "R.yaml").signature == SIG


def test_missing_or_malformed_signature_block():
    assert rejects(build_body(make_body())).startswith("R.yaml has no `signature:` block, so nothing vouches")
    # A file that is no record at all says what it is instead (found by a new-user trial).
    assert rejects(b"").startswith("R.yaml has no `signature:` block (the file is empty)")
    assert rejects(b"version: [1\nchange: 2\n").startswith(
        "R.yaml has no `signature:` block (it is not valid YAML, line 2: did not find expected ',' or ']')")
    assert rejects(b"- 1\n- 2\n").startswith("R.yaml has no `signature:` block (it holds a list, not the YAML mapping")
    assert rejects(b"\x89PNG\x00\x01").startswith("R.yaml has no `signature:` block (it is binary, not YAML text)")
    assert rejects(build_body(make_body()) + b"signature: none\n").startswith(
        "R.yaml, line 41: signature must be a mapping of keys to values, not a single value.")
    assert rejects(full().replace(b'namespace: "deploycheck-record-v1"', b'namespace: "git"')).startswith(
        "R.yaml, line 43: signature.namespace must be one of deploycheck-record-v1, not 'git'.")


def test_byte_order_mark_is_refused():
    assert rejects(b"\xef\xbb\xbf" + full()).startswith(
        "R.yaml starts with a byte-order mark (an editor added it), so its bytes are not the bytes that were signed.")


def test_stray_line_breaks_that_yaml_and_sed_disagree_on_are_refused():
    data = full().replace(b'  ref: "origin/main"', b'  ref: "origin/main"\rsignature: x')
    assert rejects(data).startswith("R.yaml contains a carriage return outside a CRLF line ending")
    data = full().replace(b'"Dev Example"', '"Dev\u2028Example"'.encode())
    assert rejects(data).startswith("R.yaml contains a Unicode line separator (U+2028)")


def test_not_utf8_and_nul():
    assert "is not valid UTF-8" in rejects(full().replace(b"Dev Example", b"Dev \xff"))
    assert "contains a NUL byte" in rejects(full().replace(b"Dev Example", b"Dev\x00"))


def test_nesting_is_bounded():
    deep = b"answers: " + b"[" * 50 + b"]" * 50 + b"\n"
    data = full().replace(b"answers:\n", deep + b"x_answers:\n")
    assert "nested more than 6 levels deep" in rejects(data)


# --- naming -----------------------------------------------------------------------------------


def test_slug_and_name():
    assert slugify("feature/Inventory_refactor!") == "feature-inventory-refactor"
    assert slugify("///") == "change"
    assert slugify("x" * 80) == "x" * 40
    name = record_name("2026-11-28T10:15:00Z", "inventory-refactor", "a" * 40)
    assert name.startswith("2026-11-28-inventory-refactor-") and name.endswith(".yaml") and len(name) == len("2026-11-28-inventory-refactor-12345678.yaml")
    assert name == record_name("2026-11-28", "inventory-refactor", "a" * 40)  # deterministic
    assert name != record_name("2026-11-28", "inventory-refactor", "b" * 40)  # same name, other branch
    assert name != record_name("2026-11-28", "inventory/refactor", "a" * 40)  # same slug, other branch


def test_choose_record_path_reuses_the_branchs_own_record():
    own = ".deploycheck/records/2026-11-01-x-11111111.yaml"
    assert choose_record_path(branch="x", anchor="a", created="2026-11-28", added_records=[own]) == own
    fresh = choose_record_path(branch="x", anchor="a", created="2026-11-28T00:00:00Z", added_records=[])
    assert fresh == ".deploycheck/records/" + record_name("2026-11-28", "x", "a")
    taken = choose_record_path(branch="x", anchor="a", created="2026-11-28", added_records=[], existing={fresh})
    assert taken == ".deploycheck/records/" + record_name("2026-11-28", "x", "a", salt=1)
    with pytest.raises(RecordError) as info:
        choose_record_path(branch="x", anchor="a", created="2026-11-28", added_records=[own, fresh])
    assert info.value.message.startswith("this branch adds 2 records")


def test_branch_anchor_is_the_first_commit_of_the_branch(tmp_path):
    repo = make_repo(tmp_path / "r")
    base = git(repo, "rev-parse", "HEAD")
    first = make_branch(repo, "work", {"a.py": "1\n"})
    commit(repo, {"b.py": "2\n"})
    assert branch_anchor(str(repo), base, "HEAD") == first
    assert branch_anchor(str(repo), base, base) == base


# --- files ------------------------------------------------------------------------------------


def test_atomic_write_creates_and_replaces(tmp_path):
    path = tmp_path / ".deploycheck" / "records" / "r.yaml"
    write_record_atomic(path, b"one\n")
    write_record_atomic(path, b"two\n")
    assert path.read_bytes() == b"two\n"
    assert os.listdir(path.parent) == ["r.yaml"]
    assert (path.stat().st_mode & 0o777) == 0o644


def test_atomic_write_failure_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "records" / "r.yaml"
    (path / "inside").mkdir(parents=True)  # a non-empty folder where the file should be
    with pytest.raises(RecordError) as info:
        write_record_atomic(path, b"data\n")
    assert info.value.message.startswith(f"cannot write the record {path}: ")
    assert "Nothing was written" in info.value.message
    assert sorted(os.listdir(path.parent)) == ["r.yaml"]
    assert os.listdir(path) == ["inside"]


HOLDER = """
import sys
from deploycheck.records.record import record_lock
with record_lock(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_lock_excludes_a_second_process_and_is_released(tmp_path):
    git_dir = tmp_path / ".git"
    git_dir.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(git_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"locked\n"
        with pytest.raises(RecordError) as info:
            with record_lock(str(git_dir), timeout=0.2):
                pass
        assert info.value.message.startswith(f"another deploycheck run (process {holder.pid}) is writing a record")
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    with record_lock(str(git_dir), timeout=2) as lock_path:
        assert lock_path == str(git_dir / "deploycheck" / "lock")
        assert Path(lock_path).read_text() == f"{os.getpid()}\n"


def test_fingerprint_version_is_written_after_the_value_and_read_back_by_both_readers():
    from deploycheck.records.record import read_record

    body = make_body(fingerprint=FingerprintInfo("f" * 64, {"inventory/jobs.py": H}, version=2))
    data = full(body)
    assert f'  value: "{"f" * 64}"\n  version: 2\n  files:\n'.encode() in data
    assert parse_record(data, "R.yaml").body == body == read_record(data, "R.yaml").body


def test_a_record_without_a_fingerprint_version_is_version_1_and_keeps_its_bytes():
    from deploycheck.records.record import read_record

    data = full()
    assert b"version: 2" not in data and data.startswith(EXPECTED_BODY.encode())
    assert parse_record(data, "R.yaml").body.fingerprint.version == 1 == read_record(data, "R.yaml").body.fingerprint.version


def test_fingerprint_version_must_be_a_positive_integer():
    data = full().replace(b'  files:\n', b'  version: "two"\n  files:\n', 1)
    assert "fingerprint.version" in rejects(data)
