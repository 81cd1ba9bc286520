"""The change fingerprint over real diffs of real repositories (docs/design.md "The fingerprint";
the byte format: docs/records.md "Fingerprint format")."""

from __future__ import annotations

import hashlib
from pathlib import Path

from support.gitrepo import commit, git, make_branch, make_repo

from deploycheck.git.change import read_files
from deploycheck.analysis.fingerprint import compare, file_bytes, file_digest, file_digests, fingerprint, path_key

JOB = "".join(f"line {i}\n" for i in range(1, 31))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_of(repo: Path, base: str = "main", head: str = "HEAD"):
    mb = git(repo, "merge-base", base, head)
    return {fc.path: fc for fc in read_files(str(repo), mb, git(repo, "rev-parse", head))}


def test_digest_is_removed_then_added_lines_per_hunk_without_numbers(tmp_path):
    repo = make_repo(tmp_path / "r", {"jobs.py": JOB})
    make_branch(repo, "work", {"jobs.py": JOB.replace("line 3\n", "line three\n").replace("line 20\n", "")})
    fc = files_of(repo)["jobs.py"]
    # (without the files' text every scope is "?"; see the scope tests below)
    assert file_bytes(fc) == b"@-?\n-line 3\n@+?\n+line three\n@-?\n-line 20\n"
    assert file_digest(fc) == sha(b"@-?\n-line 3\n@+?\n+line three\n@-?\n-line 20\n")


def test_added_file_includes_its_mode(tmp_path):
    repo = make_repo(tmp_path / "r")
    make_branch(repo, "work", {"jobs.py": "a\nb\n"})
    assert file_bytes(files_of(repo)["jobs.py"]) == b"mode 0 100644\n@+?\n+a\n+b\n"


def test_rebase_onto_moved_base_keeps_the_digest(tmp_path):
    repo = make_repo(tmp_path / "r", {"jobs.py": JOB, "other.py": "x\n"})
    make_branch(repo, "work", {"jobs.py": JOB.replace("line 25\n", "line 25 changed\n")})
    before = files_of(repo)["jobs.py"]
    git(repo, "checkout", "-q", "main")
    commit(repo, {"jobs.py": "header\n" * 5 + JOB, "other.py": "y\n"}, "base moves")
    git(repo, "checkout", "-q", "work")
    git(repo, "rebase", "-q", "main")
    after = files_of(repo)["jobs.py"]
    assert after.hunks[0].new_start == before.hunks[0].new_start + 5  # line numbers did move
    assert file_digest(after) == file_digest(before)


def test_edit_to_unflagged_file_keeps_the_fingerprint_of_flagged_files(tmp_path):
    repo = make_repo(tmp_path / "r", {"jobs.py": JOB, "README.md": "hi\n"})
    make_branch(repo, "work", {"jobs.py": JOB + "new\n", "README.md": "hello\n"})
    before = file_digests(files_of(repo).values(), ["jobs.py"])
    commit(repo, {"README.md": "hello again\n", "docs/x.md": "more\n"})
    after = file_digests(files_of(repo).values(), ["jobs.py"])
    assert list(after) == ["jobs.py"]
    assert after == before and fingerprint(after) == fingerprint(before)
    assert compare(before, after) == []


def test_whitespace_only_edit_to_flagged_file_changes_its_digest(tmp_path):
    repo = make_repo(tmp_path / "r", {"jobs.py": JOB})
    make_branch(repo, "work", {"jobs.py": JOB.replace("line 5\n", "    x = 1\n")})
    before = file_digests(files_of(repo).values(), ["jobs.py"])
    commit(repo, {"jobs.py": JOB.replace("line 5\n", "        x = 1\n")})
    after = file_digests(files_of(repo).values(), ["jobs.py"])
    assert after["jobs.py"] != before["jobs.py"]
    assert compare(before, after) == [("jobs.py", "changed since the record was signed")]


def test_crlf_and_lf_lines_digest_alike_only_one_trailing_cr_is_stripped(tmp_path):
    repo = make_repo(tmp_path / "r", {"README.md": "x\n"})
    make_branch(repo, "work", {
        "lf.py": b"a = 1\nb = 2\n",
        "crlf.py": b"a = 1\r\nb = 2\r\n",
        "double.py": b"a = 1\r\r\nb = 2\r\n",
    })
    fcs = files_of(repo)
    assert file_digest(fcs["lf.py"]) == file_digest(fcs["crlf.py"]) == sha(b"mode 0 100644\n@+?\n+a = 1\n+b = 2\n")
    assert file_bytes(fcs["double.py"]) == b"mode 0 100644\n@+?\n+a = 1\r\n+b = 2\n"


def test_non_utf8_bytes_are_hashed_raw(tmp_path):
    repo = make_repo(tmp_path / "r", {"README.md": "x\n"})
    make_branch(repo, "work", {"latin1.py": b"name = 'caf\xe9'\n", "utf8.py": "name = 'café'\n"})
    fcs = files_of(repo)
    assert file_digest(fcs["latin1.py"]) == sha(b"mode 0 100644\n@+?\n+name = 'caf\xe9'\n")
    assert file_digest(fcs["utf8.py"]) == sha("mode 0 100644\n@+?\n+name = 'café'\n".encode())


def test_chmod_of_a_flagged_file_changes_its_digest(tmp_path):
    repo = make_repo(tmp_path / "r", {"run.sh": "echo hi\n"})
    git(repo, "checkout", "-q", "-b", "work")
    git(repo, "update-index", "--chmod=+x", "run.sh")
    git(repo, "commit", "-q", "-m", "chmod")
    fc = files_of(repo)["run.sh"]
    assert file_bytes(fc) == b"mode 100644 100755\n"


def test_binary_files_use_their_blob_ids(tmp_path):
    repo = make_repo(tmp_path / "r", {"img.bin": b"\x00\x01old"})
    old = git(repo, "rev-parse", "HEAD:img.bin")
    make_branch(repo, "work", {"img.bin": b"\x00\x01new"})
    new = git(repo, "rev-parse", "HEAD:img.bin")
    fc = files_of(repo)["img.bin"]
    assert fc.binary
    assert file_bytes(fc) == f"binary {old} {new}\n".encode()


def test_fingerprint_is_over_sorted_pairs():
    pairs = {"b.py": "2" * 64, "a.py": "1" * 64}
    expected = sha(b"a.py\0" + b"1" * 64 + b"\n" + b"b.py\0" + b"2" * 64 + b"\n")
    assert fingerprint(pairs) == expected
    assert fingerprint(list(reversed(list(pairs.items())))) == expected


def test_compare_names_new_changed_and_dropped_files_but_not_quiet_unchanged_ones():
    recorded = {"a.py": "1" * 64, "b.py": "2" * 64, "gone.py": "3" * 64, "quiet.py": "5" * 64, "edited.py": "6" * 64}
    current = {"a.py": "1" * 64, "b.py": "9" * 64, "c.py": "4" * 64}
    # quiet.py and edited.py: still changed by the branch, no longer flagged; gone.py: put back
    assert [(path, reason.split(" (")[0].split(":")[0]) for path, reason in
            compare(recorded, current, {"quiet.py": "5" * 64, "edited.py": "7" * 64})] == [
        ("b.py", "changed since the record was signed"),
        ("c.py", "flagged now, but not covered by the record"),
        ("edited.py", "changed since the record was signed"),
        ("gone.py", "no longer changed by the branch"),
    ]


def test_path_key_keeps_non_utf8_paths_storable():
    assert path_key("jobs/caf\udce9.py") == "jobs/caf\\xe9.py"
    assert path_key("jobs/café.py") == "jobs/café.py"


def test_final_line_break_of_an_added_line_is_not_in_the_digest_but_an_unchanged_last_line_is(tmp_path):
    """The documented limit: git's "\\ No newline at end of file" marker is not hashed."""
    repo = make_repo(tmp_path / "r", {"jobs.py": "a\nb\n"})
    make_branch(repo, "work", {"jobs.py": "a\nB"})
    without = file_digest(files_of(repo)["jobs.py"])
    commit(repo, {"jobs.py": "a\nB\n"})
    assert file_digest(files_of(repo)["jobs.py"]) == without
    # The same edit to a last line that the branch had left alone adds it to the diff: stale.
    repo2 = make_repo(tmp_path / "r2", {"jobs.py": "a\nb"})
    make_branch(repo2, "work", {"jobs.py": "A\nb"})
    before = file_digest(files_of(repo2)["jobs.py"])
    commit(repo2, {"jobs.py": "A\nb\n"})
    assert file_bytes(files_of(repo2)["jobs.py"]) == b"@-?\n-a\n-b\n@+?\n+A\n+b\n"
    assert file_digest(files_of(repo2)["jobs.py"]) != before


# --- where each change sits (fingerprint version 2, issue 15) -------------------------------

SHOP = '''\
import threading

LOCK = threading.Lock()


class Stock:
    def audit_stock(self, product):
        with LOCK:
            return product.stock

    def reserve_stock(self, product, quantity):
        with LOCK:
            product.stock -= quantity
'''


def scoped_digests(repo: Path, paths: list[str]) -> dict[str, str]:
    from deploycheck.git.gitcmd import BlobReader

    with BlobReader(str(repo)) as objects:
        return file_digests(files_of(repo).values(), paths, objects.read)


def test_the_same_edit_moved_into_another_function_changes_the_digest(tmp_path):
    """Security review finding 6: dropping the lock in read-only audit_stock, then moving the
    identical -/+ pair into reserve_stock, kept the digest (content only) and so the record."""
    drop_in_audit = SHOP.replace("        with LOCK:\n            return", "        if True:\n            return")
    drop_in_reserve = SHOP.replace("        with LOCK:\n            product", "        if True:\n            product")
    repo = make_repo(tmp_path / "r", {"shop.py": SHOP})
    make_branch(repo, "work", {"shop.py": drop_in_audit})
    signed = scoped_digests(repo, ["shop.py"])
    unscoped = file_digest(files_of(repo)["shop.py"])
    commit(repo, {"shop.py": drop_in_reserve}, "move the edit")
    moved = files_of(repo)["shop.py"]
    assert file_digest(moved) == unscoped  # the content alone is identical: version 1 could not tell
    assert scoped_digests(repo, ["shop.py"]) != signed
    assert compare(signed, scoped_digests(repo, ["shop.py"])) == [("shop.py", "changed since the record was signed")]


def test_scopes_survive_a_rebase_that_moves_and_edits_the_rest_of_the_file(tmp_path):
    edited = SHOP.replace("            product.stock -= quantity\n", "            product.stock -= quantity\n            product.save()\n")
    repo = make_repo(tmp_path / "r", {"shop.py": SHOP, "other.py": "x\n"})
    make_branch(repo, "work", {"shop.py": edited})
    before = scoped_digests(repo, ["shop.py"])
    git(repo, "checkout", "-q", "main")
    base_moves = "# header\n" * 7 + SHOP.replace("return product.stock", "return int(product.stock)")
    commit(repo, {"shop.py": base_moves, "other.py": "y\n"}, "base moves and edits another function")
    git(repo, "checkout", "-q", "work")
    git(repo, "rebase", "-q", "main")
    assert scoped_digests(repo, ["shop.py"]) == before


def test_the_same_edit_moved_between_javascript_functions_changes_the_digest(tmp_path):
    js = "function audit() {\n  lock();\n  read();\n}\n\nfunction reserve() {\n  lock();\n  write();\n}\n"
    repo = make_repo(tmp_path / "r", {"jobs.js": js})
    make_branch(repo, "work", {"jobs.js": js.replace("  lock();\n  read();", "  read();")})
    signed = scoped_digests(repo, ["jobs.js"])
    commit(repo, {"jobs.js": js.replace("  lock();\n  write();", "  write();")}, "move")
    assert scoped_digests(repo, ["jobs.js"]) != signed


def test_line_scopes_python_names_enclosing_defs_and_ignores_comments_and_blank_lines():
    from deploycheck.analysis.fingerprint import line_scopes

    text = b"class A:\n    def f(self):\n# a comment at column 0\n\n        x = 1\n    async def g(self):\n        y = 2\nz = 3\n"
    assert line_scopes(text, python=True) == [
        b"", b"class A", b"class A\0def f", b"class A\0def f", b"class A\0def f", b"class A", b"class A\0def g", b"", b"",
    ]


def test_line_scopes_other_files_chain_less_indented_lines():
    from deploycheck.analysis.fingerprint import line_scopes

    text = b"jobs:\n  nightly:\n    lock: true\n  hourly:\n    lock: true\n"
    scopes = line_scopes(text, python=False)
    assert scopes[2] == b"jobs:\0nightly:" and scopes[4] == b"jobs:\0hourly:"
