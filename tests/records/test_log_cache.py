"""`deploycheck log`'s cache of signature checks (``deploycheck.records.logcache``), through real git
repositories and real ssh-keygen keys: a second run takes the outcomes from the cache, a damaged
cache is ignored, a changed allowed_signers starts it afresh, and nothing the cache holds can make
a record look verified that does not verify today."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.dcflow import ANSWERS, Project, make_key, make_project, run_dc
from support.gitrepo import commit, git
from deploycheck.records import logcache
from deploycheck.commands import log


def cache_file(repo: Path) -> Path:
    return repo / ".git" / "deploycheck" / logcache.FILE_NAME


def merged(tmp_path: Path) -> tuple[Project, str]:
    """A project whose main holds one signed record (signed by the key main trusts)."""
    p = make_project(tmp_path)
    p.flagged_branch()
    path = p.repo.parent / "answers.yaml"
    path.write_text(ANSWERS)
    proc = run_dc(p.repo, "check", "--answers", str(path), "--yes", "--key", str(p.key))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = git(p.repo, "diff", "--cached", "--name-only")
    git(p.repo, "commit", "-q", "-m", "Concurrency record")
    git(p.repo, "checkout", "-q", "main")
    git(p.repo, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    # These tests commit straight to main; with no remote, `log` reads that local main (with one,
    # it would read origin/main, which these commits never reach).
    git(p.repo, "remote", "remove", "origin")
    return p, record


def log_json(repo: Path) -> dict[str, dict]:
    proc = run_dc(repo, "log", "--format", "json")
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    return {r["path"]: r for r in json.loads(proc.stdout)["records"]}


def in_process(repo: Path) -> tuple[dict[str, dict], dict[str, int]]:
    """`log`'s entries read in this process, and how many signatures came from the cache."""
    logcache.STATS.update(cached=0, checked=0)
    root = str(repo)
    entries = log.load_entries(root, None, trust=log.load_log_trust(root))
    return {e["path"]: e for e in entries}, dict(logcache.STATS)


def test_a_second_run_takes_the_signature_check_from_the_cache_in_the_git_dir(tmp_path: Path) -> None:
    p, record = merged(tmp_path)
    assert not cache_file(p.repo).exists()
    assert log_json(p.repo)[record]["verified"] is True
    # The cache is in the git directory, bound to main's allowed_signers; the work tree is clean.
    header, _, body = cache_file(p.repo).read_bytes().partition(b"\n")
    signers = git(p.repo, "show", "main:.deploycheck/allowed_signers") + "\n"
    assert json.loads(header)["allowed_signers"] == hashlib.sha256(signers.encode()).hexdigest()
    assert [v[0] for v in json.loads(body).values()] == ["ok"]
    assert git(p.repo, "status", "--porcelain") == ""
    entries, stats = in_process(p.repo)
    assert entries[record]["verified"] is True
    assert stats == {"cached": 1, "checked": 0}


def test_a_worktree_shares_the_cache_of_the_common_git_dir(tmp_path: Path) -> None:
    p, record = merged(tmp_path)
    git(p.repo, "worktree", "add", "-q", str(tmp_path / "other"), "-b", "other")
    assert log_json(tmp_path / "other")[record]["verified"] is True
    assert cache_file(p.repo).exists()
    assert not (tmp_path / "other" / "deploycheck").exists()
    assert in_process(p.repo)[1] == {"cached": 1, "checked": 0}


@pytest.mark.parametrize("damage", ["truncated", "garbage", "entries-edited", "header-only", "a-folder", "empty"])
def test_a_damaged_cache_is_ignored_and_replaced(tmp_path: Path, damage: str) -> None:
    """A forged record's cached outcome is "bad"; a cache edited to say "ok" for it (without
    its digest) or damaged any other way is ignored: every signature is checked again."""
    p, record = merged(tmp_path)
    text = (p.repo / record).read_text()
    forged = record.replace(".yaml", "-forged.yaml")
    commit(p.repo, {forged: text.replace('answer: "yes"', 'answer: "no"', 1)}, "a record nobody signed")
    first = log_json(p.repo)
    assert (first[record]["verified"], first[forged]["verified"]) == (True, False)
    path = cache_file(p.repo)
    data = path.read_bytes()
    header, _, body = data.partition(b"\n")
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff not json \n {[")
    elif damage == "entries-edited":
        entries = json.loads(body)
        public = p.public_key
        path.write_bytes(header + b"\n" + json.dumps({k: ["ok", public] for k in entries}).encode())
    elif damage == "header-only":
        path.write_bytes(header)
    elif damage == "a-folder":
        path.unlink()
        path.mkdir()
    else:
        path.write_bytes(b"")
    entries, stats = in_process(p.repo)
    assert (entries[record]["verified"], entries[forged]["verified"]) == (True, False)
    assert entries[forged]["verification"].startswith("the signature does not verify")
    assert stats == {"cached": 0, "checked": 2}
    again = log_json(p.repo)
    assert (again[record]["verified"], again[forged]["verified"]) == (True, False)
    if damage != "a-folder":  # a folder in the way is left alone: no cache, only slower
        assert in_process(p.repo)[1] == {"cached": 2, "checked": 0}


def test_a_changed_allowed_signers_starts_the_cache_afresh(tmp_path: Path) -> None:
    p, record = merged(tmp_path)
    log_json(p.repo)
    _, other = make_key(tmp_path / "other")
    commit(p.repo, {".deploycheck/allowed_signers": f"dev@example.com {p.public_key}\nops@example.com {other}\n"}, "trust ops too")
    entries, stats = in_process(p.repo)
    assert entries[record]["verified"] is True
    assert stats == {"cached": 0, "checked": 1}
    header = json.loads(cache_file(p.repo).read_bytes().partition(b"\n")[0])
    assert header["allowed_signers"] == hashlib.sha256((p.repo / ".deploycheck/allowed_signers").read_bytes()).hexdigest()
    assert in_process(p.repo)[1] == {"cached": 1, "checked": 0}


def test_a_record_that_stops_verifying_is_never_shown_verified(tmp_path: Path) -> None:
    """The cache holds "this signature over these bytes was made by key K" and nothing more:
    an edited record is a miss and fails, and the key line, the principal and today's trust are
    checked on every run, cached or not."""
    p, record = merged(tmp_path)
    assert log_json(p.repo)[record]["verified"] is True
    text = (p.repo / record).read_text()
    # Same signed bytes and signature (a cache hit), other unsigned claims.
    commit(p.repo, {record: text.replace('  principal: "dev@example.com"', '  principal: "boss@example.com"', 1)}, "claim another signer")
    entries, stats = in_process(p.repo)
    assert stats == {"cached": 1, "checked": 0}
    assert entries[record]["verified"] is False and entries[record]["verification"].startswith("signer not trusted today")
    commit(p.repo, {record: text.replace('  key: "SHA256:', '  key: "SHA256:zz', 1)}, "claim another key")
    entries, stats = in_process(p.repo)
    assert stats == {"cached": 1, "checked": 0}
    assert entries[record]["verified"] is False and "it says SHA256:zz" in entries[record]["verification"]
    # An edited body is other bytes: checked again, and it fails.
    commit(p.repo, {record: text.replace('answer: "yes"', 'answer: "no"', 1)}, "edit an answer")
    entries, stats = in_process(p.repo)
    assert stats == {"cached": 0, "checked": 1}
    assert entries[record]["verified"] is False and entries[record]["verification"].startswith("the signature does not verify")
    # Back to the signed text (cached "ok"), but main no longer trusts the key: not verified.
    commit(p.repo, {record: text, ".deploycheck/allowed_signers": "# nobody\n"}, "restore the record, revoke the key")
    doc = log_json(p.repo)
    assert doc[record]["verified"] is False and doc[record]["verification"].startswith("signer not trusted today")
    proc = run_dc(p.repo, "log")
    assert "[NOT VERIFIED]" in proc.stdout and "[verified]" not in proc.stdout


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=6))
def test_an_entrys_json_text_is_exactly_json_dumps_indent_2(entry: dict) -> None:
    expected = json.dumps(entry, indent=2, ensure_ascii=False).replace("\n", "\n    ")
    assert log._entry_json(entry) == expected
