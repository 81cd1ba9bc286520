"""Fail closed: code that may run and that deploycheck could not read flags the change (DC001),
and a branch cannot hide its diff behind its own .gitattributes (issue 15, "What the gate reads").

Every attack is a real repository: `main` holds a small shop, a branch changes it, and
`deploycheck verify --base main` must exit 1 and name the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from support.gitrepo import commit, git, make_branch, make_repo
from support.incident import JOB_BRANCH, JOB_MAIN, MODELS

HELPERS = "def total(items):\n    return sum(item.price for item in items)\n"
APP_JS = "export function total(items) {\n  return items.length;\n}\n"
# A job that read-modify-writes shared state: the Python rules flag it when they can read it.
JOB_BODY = '''from celery import shared_task

from .models import Product


@shared_task
def reserve_stock(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    product.stock = product.stock - quantity
    product.save()
'''


def dc(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deploycheck", *args], cwd=repo, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )


def verify(repo: Path) -> tuple[int, dict]:
    proc = dc(repo, "verify", "--base", "main", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def findings(repo: Path) -> list[dict]:
    proc = dc(repo, "scan", "--base", "main", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["findings"]


def not_analysed(repo: Path) -> dict[str, dict]:
    return {f["path"]: f for f in findings(repo) if f["rule"] == "DC001"}


@pytest.fixture()
def shop(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "shop", {
        "inventory/__init__.py": "",
        "inventory/models.py": MODELS,
        "inventory/jobs.py": JOB_MAIN,
        "inventory/helpers.py": HELPERS,
        "web/app.js": APP_JS,
    })


def assert_gate_fails_on(repo: Path, path: str, *words: str) -> dict:
    """verify exits 1 with ``path`` flagged, and DC001 on ``path`` says every one of ``words``."""
    code, doc = verify(repo)
    assert code == 1 and doc["flagged"] and path in doc["flagged_files"], doc
    found = not_analysed(repo)
    assert path in found, findings(repo)
    finding = found[path]
    assert finding["severity"] == "high" and not finding.get("suppressed")
    for word in words:
        assert word in finding["message"], finding["message"]
    return finding


# --- attributes from the branch cannot hide the diff (threat 1) ------------------------------


@pytest.mark.parametrize("attributes", ["*.py -diff\n", "*.py binary\n", "*.py diff=secret\n", "inventory/** -diff\n"])
def test_branch_gitattributes_cannot_turn_python_into_binary(shop: Path, attributes: str) -> None:
    make_branch(shop, "attack", {"inventory/jobs.py": JOB_BRANCH, ".gitattributes": attributes})
    assert (shop / ".gitattributes").read_text() == attributes  # checked out, and in the index
    code, doc = verify(shop)
    assert code == 1 and doc["flagged_files"] == ["inventory/jobs.py"]
    rules = {(f["rule"], f["path"]) for f in findings(shop)}
    assert ("DC301", "inventory/jobs.py") in rules  # the lost update is read and found
    assert not any(rule == "DC001" for rule, _ in rules)  # read, so not "not analysed"


def test_attributes_in_a_subfolder_and_in_the_index_only_are_ignored(shop: Path) -> None:
    make_branch(shop, "attack", {"inventory/jobs.py": JOB_BRANCH, "inventory/.gitattributes": "jobs.py binary\n"})
    (shop / "inventory" / ".gitattributes").unlink()  # only the index (and the commit) hold it now
    code, doc = verify(shop)
    assert code == 1 and doc["flagged_files"] == ["inventory/jobs.py"]
    assert any(f["rule"] == "DC301" for f in findings(shop))


def test_the_attribute_free_diff_equals_the_plain_diff_for_ordinary_files(shop: Path) -> None:
    # The fingerprint is computed from this diff: text files must keep their exact hunks.
    from deploycheck.git import gitcmd
    from deploycheck.git.change import diff_args, read_files
    from deploycheck.git.diffparse import parse_diff

    make_branch(shop, "work", {"inventory/jobs.py": JOB_BRANCH, "web/app.js": APP_JS + "// more\r\n",
                               "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary"})
    base, head = git(shop, "rev-parse", "main"), git(shop, "rev-parse", "HEAD")
    with gitcmd.stream(diff_args(base, head), str(shop)) as out:
        plain = list(parse_diff(out))
    pinned = read_files(str(shop), base, head)
    assert pinned == plain and [f.hunk_bytes for f in pinned] == [f.hunk_bytes for f in plain]
    assert [f.binary for f in pinned] == [False, True, False]  # content still decides


# --- files the analyser cannot read (threat 4) -----------------------------------------------


def test_python_file_over_the_size_limit_flags(shop: Path) -> None:
    padding = "# " + "x" * 98 + "\n"
    make_branch(shop, "attack", {"inventory/jobs.py": JOB_BODY + padding * 20_500})
    assert_gate_fails_on(shop, "inventory/jobs.py", "larger than the 2,000,000-byte limit")


def test_latin1_python_file_is_read_as_python_reads_it(shop: Path) -> None:
    # Before: decoded as UTF-8, the é made the parse fail and the file was skipped: PASS.
    source = b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + JOB_BODY.encode()
    make_branch(shop, "attack", {"inventory/jobs.py": source})
    code, doc = verify(shop)
    assert code == 1 and doc["flagged_files"] == ["inventory/jobs.py"]
    rules = {f["rule"] for f in findings(shop) if f["path"] == "inventory/jobs.py"}
    assert "DC301" in rules and "DC001" not in rules


def test_bytes_the_declared_encoding_cannot_decode_flag(shop: Path) -> None:
    source = b"# coding: ascii\n# caf\xe9\n" + JOB_BODY.encode()
    make_branch(shop, "attack", {"inventory/jobs.py": source})
    assert_gate_fails_on(shop, "inventory/jobs.py", "not valid ascii", "byte 21")


def test_invalid_utf8_flags(shop: Path) -> None:
    make_branch(shop, "attack", {"inventory/jobs.py": JOB_BODY.encode() + b"# \xff\n"})
    assert_gate_fails_on(shop, "inventory/jobs.py", "not valid utf-8")


def test_undecodable_file_the_python_gate_would_turn_away_still_flags(shop: Path) -> None:
    # No job, queue, lock or write word: the Python family's content gate (py_gate) skips such a
    # file without reading further, so the decoding failure must be reported before any gate.
    make_branch(shop, "attack", {"inventory/helpers.py": HELPERS.encode() + b"# \xff\n"})
    assert_gate_fails_on(shop, "inventory/helpers.py", "not valid utf-8")


def test_utf7_declaration_hiding_code_in_a_comment_flags(shop: Path) -> None:
    hidden = (
        b"# -*- coding: utf-7 -*-\n"
        b"from .models import Product\n\n\n"
        b"def reserve_stock(product_id, quantity):\n"
        b"    product = Product.objects.get(pk=product_id)\n"
        b"    # keep stock in sync+AAo-    product.stock = product.stock - quantity+AAo-    product.save()\n"
    )
    # Python itself runs the hidden lines: they are statements, not a comment.
    names = compile(hidden, "jobs.py", "exec").co_consts
    code_of_function = next(c for c in names if hasattr(c, "co_names"))
    assert "save" in code_of_function.co_names
    make_branch(shop, "attack", {"inventory/jobs.py": hidden})
    assert_gate_fails_on(shop, "inventory/jobs.py", "utf-7", "+AAo-")


def test_utf8_byte_order_mark_is_read(shop: Path) -> None:
    # Before: the BOM reached ast.parse as U+FEFF, the parse failed and the file was skipped.
    make_branch(shop, "attack", {"inventory/jobs.py": b"\xef\xbb\xbf" + JOB_BODY.encode()})
    rules = {f["rule"] for f in findings(shop) if f["path"] == "inventory/jobs.py"}
    assert "DC301" in rules and "DC001" not in rules
    assert verify(shop)[0] == 1


def test_crlf_python_file_is_read(shop: Path) -> None:
    make_branch(shop, "attack", {"inventory/jobs.py": JOB_BODY.replace("\n", "\r\n").encode()})
    rules = {f["rule"] for f in findings(shop) if f["path"] == "inventory/jobs.py"}
    assert "DC301" in rules and "DC001" not in rules


def test_lone_carriage_returns_flag(shop: Path) -> None:
    # Python splits lines on a lone CR, git does not: the whole job was one "line" of the diff,
    # the Python rules' line numbers fell outside it, and nothing was reported.
    source = JOB_BODY.replace("\n", "\r").encode()
    assert "save" in next(c for c in compile(source, "jobs.py", "exec").co_consts if hasattr(c, "co_names")).co_names
    make_branch(shop, "attack", {"inventory/jobs.py": source})
    assert_gate_fails_on(shop, "inventory/jobs.py", "lone carriage return")


def test_nesting_deeper_than_the_analyser_flags(shop: Path) -> None:
    deep = "    total = " + " + ".join(["quantity"] * 800) + "\n"
    source = JOB_BODY.replace("    product.save()\n", deep + "    product.save()\n")
    compile(source, "jobs.py", "exec")  # Python itself compiles it
    make_branch(shop, "attack", {"inventory/jobs.py": source})
    assert_gate_fails_on(shop, "inventory/jobs.py", "nests deeper", "recursion")


def test_syntax_error_flags_and_names_the_python_version(shop: Path) -> None:
    make_branch(shop, "attack", {"inventory/jobs.py": JOB_BODY + "def broken(:\n    pass\n"})
    finding = assert_gate_fails_on(
        shop, "inventory/jobs.py", f"Python {sys.version_info[0]}.{sys.version_info[1]}", "cannot parse", "project's Python",
    )
    assert finding["line"] == JOB_BODY.count("\n") + 1


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="`type X = int` parses on Python 3.12+")
def test_syntax_newer_than_the_running_python_flags(shop: Path) -> None:
    make_branch(shop, "attack", {"inventory/jobs.py": JOB_BODY + "type Quantity = int\n"})
    assert_gate_fails_on(shop, "inventory/jobs.py", "cannot parse", "run deploycheck in CI on the project's Python")


def test_nul_byte_in_a_python_file_flags(shop: Path) -> None:
    make_branch(shop, "attack", {"inventory/jobs.py": JOB_BODY.encode() + b"# \x00\n"})
    assert_gate_fails_on(shop, "inventory/jobs.py", "NUL byte")


def test_javascript_made_binary_by_one_nul_byte_flags(shop: Path) -> None:
    source = b"// \x00 node ignores this comment\n" + b"export async function reserve(db, id) {\n  await db.save(id);\n}\n"
    make_branch(shop, "attack", {"web/app.js": source})
    assert_gate_fails_on(shop, "web/app.js", "binary", "NUL byte at byte 3")


@pytest.mark.parametrize("terminator", ["\r", "\u2028"])
def test_javascript_code_after_a_comment_ending_in_a_lone_line_terminator_is_read(shop: Path, terminator: str) -> None:
    # Node ends a // comment at CR, U+2028 or U+2029 (and runs what follows); git ends lines at LF
    # only, so the packs saw one comment line and blanked the statement.
    source = (
        "export async function reserve(Product, id, qty) {\n"
        f"  // keep stock in sync{terminator}  await Product.decrement(\"stock\", {{ by: qty, where: {{ id }} }});\n"
        "}\n"
    )
    make_branch(shop, "attack", {"web/app.js": source})
    code, doc = verify(shop)
    assert code == 1 and doc["flagged_files"] == ["web/app.js"]
    assert [(f["rule"], f["line"]) for f in findings(shop)] == [("DC250", 2)]


def test_one_line_nine_megabyte_javascript_flags_and_stays_small(shop: Path) -> None:
    chunk = "await queue.add(job, {lock: true}); redis.set(k, v); "
    make_branch(shop, "attack", {"web/big.js": 'const s = "' + chunk * (9_000_000 // len(chunk)) + '";\n'})
    assert_gate_fails_on(shop, "web/big.js", "larger than the 2,000,000-byte limit")


def test_lexing_a_long_string_keeps_memory_linear_and_small() -> None:
    # Python's re kept state for every character of `(?:\\.|[^"\\\n])*`: one 9 MB string
    # literal cost 2.2 GB. Memory is measured, not time, so the test does not depend on speed.
    from deploycheck.rules.patterns.lex import lex

    text = 'const s = "' + "abc queue.add(x) " * 60_000 + '";\nconst t = `' + "y" * 1_000_000 + "`;\n"
    tracemalloc.start()
    try:
        lexed = lex(text, "c")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lexed.code.count("queue") == 0 and len(lexed.code) == len(text)
    assert peak < 30 * len(text), peak  # was ~240 bytes per character


# --- code that runs but is never read (threat 5) ---------------------------------------------


def test_python_symlink_to_a_non_python_file_flags(shop: Path) -> None:
    git(shop, "checkout", "-q", "-b", "attack")
    (shop / "inventory" / "reserve.txt").write_text(JOB_BODY)
    os.symlink("reserve.txt", shop / "inventory" / "reserve.py")
    commit(shop, message="alias")
    assert_gate_fails_on(shop, "inventory/reserve.py", "symbolic link", "reserve.txt")


def test_sourceless_pyc_flags(shop: Path) -> None:
    import importlib.util
    import marshal

    code = compile(JOB_BODY, "reserve.py", "exec")
    data = importlib.util.MAGIC_NUMBER + b"\x00" * 12 + marshal.dumps(code)
    make_branch(shop, "attack", {"inventory/reserve.pyc": data})
    assert_gate_fails_on(shop, "inventory/reserve.pyc", "compiled code (.pyc)")


def test_new_submodule_flags(shop: Path, tmp_path: Path) -> None:
    other = make_repo(tmp_path / "other", {"worker.py": JOB_BODY})
    sha = git(other, "rev-parse", "HEAD")
    git(shop, "checkout", "-q", "-b", "attack")
    git(shop, "update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/worker")
    git(shop, "commit", "-q", "-m", "add a submodule")
    finding = assert_gate_fails_on(shop, "vendor/worker", "git submodule", sha[:12])
    assert finding["category"] == "job"  # a path word says it is worker code
    assert "`git submodule update --init -- vendor/worker` checks it out" in finding["message"]


def test_a_moved_submodule_names_the_range_and_how_to_read_it(shop: Path, tmp_path: Path) -> None:
    # Cloudreve 8fe2889772: a bump said only where the submodule now is; the reviewer needs the
    # range the branch brings in, and the commands that show it in the submodule's own clone.
    other = make_repo(tmp_path / "other", {"worker.py": JOB_BODY})
    old = git(other, "rev-parse", "HEAD")
    commit(other, {"worker.py": JOB_BODY + "# moved on\n"}, "move on")
    new = git(other, "rev-parse", "HEAD")
    git(shop, "update-index", "--add", "--cacheinfo", f"160000,{old},vendor/worker")
    git(shop, "commit", "-q", "-m", "add a submodule")
    git(shop, "checkout", "-q", "-b", "bump")
    git(shop, "update-index", "--cacheinfo", f"160000,{new},vendor/worker")
    git(shop, "commit", "-q", "-m", "bump the submodule")
    finding = assert_gate_fails_on(shop, "vendor/worker", f"moved from commit {old[:12]} to {new[:12]}",
                                   "`git submodule update --init -- vendor/worker`",
                                   f"`git -C vendor/worker log -p {old[:12]}..{new[:12]}`",
                                   f"`deploycheck scan --base {old[:12]} --head {new[:12]}`")
    assert finding["severity"] == "high"  # said more clearly, flagged all the same


def test_executable_python_script_without_extension_flags(shop: Path) -> None:
    make_branch(shop, "attack", {"bin/reserve": "#!/usr/bin/env python3\n" + JOB_BODY})
    git(shop, "update-index", "--chmod=+x", "bin/reserve")
    git(shop, "commit", "-q", "-m", "executable")
    assert_gate_fails_on(shop, "bin/reserve", "executable script", "python3")


def test_ruby_script_without_extension_is_read_by_the_ruby_rules(shop: Path) -> None:
    # `#!/usr/bin/env ruby` names a language deploycheck reads: its rules read the script as a
    # `.rb` file, so what they find is reported (a Sidekiq job here) and DC001 has nothing to say.
    job = ("#!/usr/bin/env ruby\nclass ReserveJob\n  include Sidekiq::Job\n\n  def perform(id)\n"
           "    product = Product.find(id)\n  end\nend\n")
    make_branch(shop, "work", {"bin/reserve": job})
    found = findings(shop)
    assert "DC001" not in {f["rule"] for f in found}, found
    assert ("DC701", "bin/reserve") in {(f["rule"], f["path"]) for f in found}, found


def test_node_script_without_extension_is_read_by_the_javascript_rules(shop: Path) -> None:
    # Haraka's `bin/haraka` (`#!/usr/bin/env node`, no extension) starts its daemon. It is read as
    # a `.js` file: its BullMQ worker's concurrency change is found, and DC001 has nothing to say.
    worker = ("#!/usr/bin/env node\nconst { Worker } = require('bullmq')\n\n"
              "new Worker('reserve', async (job) => reserve(job.data), { concurrency: 1 })\n")
    commit(shop, {"bin/reserve": worker}, "script")
    make_branch(shop, "work", {"bin/reserve": worker.replace("concurrency: 1", "concurrency: 8")})
    git(shop, "update-index", "--chmod=+x", "bin/reserve")
    git(shop, "commit", "-q", "-m", "executable")
    found = findings(shop)
    assert "DC001" not in {f["rule"] for f in found}, found
    assert ("bin/reserve", 4) in {(f["path"], f["line"]) for f in found}, found


def test_ruby_script_under_a_path_the_ruby_rules_skip_still_flags(shop: Path) -> None:
    make_branch(shop, "attack", {"vendor/bin/reserve": "#!/usr/bin/env ruby\nputs 1\n"})
    assert_gate_fails_on(shop, "vendor/bin/reserve", "ruby", "no language's rules read it")


LFS_POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 1234\n"


def test_python_file_stored_as_a_git_lfs_pointer_flags(shop: Path) -> None:
    make_branch(shop, "attack", {"inventory/jobs.py": LFS_POINTER.format("a" * 64)})
    assert_gate_fails_on(shop, "inventory/jobs.py", "Git LFS pointer")


@pytest.mark.parametrize("line", ["*.py filter=lfs diff=lfs merge=lfs -text", "*.py working-tree-encoding=UTF-7"])
def test_attributes_that_change_the_checked_out_code_flag(shop: Path, line: str) -> None:
    make_branch(shop, "attack", {".gitattributes": line + "\n"})
    finding = assert_gate_fails_on(shop, ".gitattributes", "checkout filter or encoding")
    assert finding["category"] == "config"


def test_code_hidden_under_the_deploycheck_folder_is_scanned(shop: Path) -> None:
    # `.deploycheck/` was set aside whole, yet `from importlib import import_module` or
    # `require("./.deploycheck/reserve.js")` runs what is there.
    make_branch(shop, "attack", {".deploycheck/reserve.py": JOB_BODY, ".deploycheck/lib.js": b"// \x00\n"})
    code, doc = verify(shop)
    assert code == 1 and doc["flagged_files"] == [".deploycheck/lib.js", ".deploycheck/reserve.py"], doc
    assert not_analysed(shop)[".deploycheck/lib.js"]["message"].count("NUL byte") == 1


@pytest.mark.parametrize("path", ["web/build/reserve.js", "vendor/shop/reserve.ts", "web/reserve.min.js"])
def test_code_under_a_vendored_or_built_path_flags(shop: Path, path: str) -> None:
    # The packs skip these paths by convention; a branch could put its worker code there.
    source = 'export async function reserve(Product, id, qty) {\n  await Product.decrement("stock", { by: qty, where: { id } });\n}\n'
    make_branch(shop, "attack", {path: source})
    assert_gate_fails_on(shop, path, "vendored or built", "exclude it in the base branch")


@pytest.mark.parametrize("path, flags", [("doc/db/tables.sql", False), ("docs/schema/install.sql", False),
                                         ("docs/reserve.js", True), ("db/tables.sql", None)])
def test_a_schema_script_kept_with_the_documentation_is_not_unread_code(shop: Path, path: str, flags: bool | None) -> None:
    # xxl-job's `doc/db/tables_xxl_job.sql` is run by hand to install; JS under docs/ may be served.
    source = "CREATE TABLE job (id INT);\n" if path.endswith(".sql") else "export const x = 1;\n"
    make_branch(shop, "docs", {path: source})
    found = not_analysed(shop)
    if flags is None:
        assert path not in found  # read by the SQL pack, not skipped
    else:
        assert (path in found) is flags, found


def test_every_pack_code_extension_is_read_by_a_pack() -> None:
    from deploycheck.rules.not_analysed import CODE_EXTENSIONS, PACK_CODE_EXTENSIONS
    from deploycheck.rules.patterns.engine import packs_for

    assert PACK_CODE_EXTENSIONS <= CODE_EXTENSIONS
    assert [ext for ext in sorted(PACK_CODE_EXTENSIONS) if not packs_for(f"src/x.{ext}")] == []


# --- what stays quiet, and what cannot be silenced --------------------------------------------


def test_readable_changes_stay_unflagged(shop: Path) -> None:
    make_branch(shop, "work", {
        "inventory/helpers.py": HELPERS + "\n\ndef count(items):\n    return len(items)\n",
        "web/app.js": APP_JS + "export const VERSION = 2;\n",
        "bin/release": "#!/bin/sh\necho release\n",
        "docs/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00",
        "tests/test_broken.py": "def test_x(:\n",  # tests are analysed by no rule
    })
    code, doc = verify(shop)
    assert (code, doc["flagged"]) == (0, False), findings(shop)


def test_deleted_and_renamed_code_is_read(shop: Path) -> None:
    make_branch(shop, "work", {"inventory/jobs.py": None, "inventory/jobs_v2.py": JOB_BODY})
    assert "DC001" not in {f["rule"] for f in findings(shop)}


def test_an_inline_comment_cannot_silence_not_analysed(shop: Path) -> None:
    make_branch(shop, "attack", {"inventory/jobs.py": JOB_BODY + "def broken(:  # deploycheck: ignore[DC001] fine\n"})
    assert_gate_fails_on(shop, "inventory/jobs.py", "cannot parse")


def test_the_base_branch_may_exclude_an_opaque_path(shop: Path) -> None:
    commit(shop, {".deploycheck/config.yaml": "exclude:\n  - vendor/**\n"}, message="config")
    make_branch(shop, "work", {"vendor/blob.js": b"\x00\x01 generated\n"})
    code, doc = verify(shop)
    assert (code, doc["flagged"]) == (0, False), findings(shop)


# --- the record covers what could not be read --------------------------------------------------


def test_a_signed_record_covers_an_unread_file_and_any_later_edit_makes_it_stale(tmp_path: Path, key: Path) -> None:
    from support.incident import ANSWERS, incident_repo, write_answers

    repo = incident_repo(tmp_path, key)
    commit(repo, {"web/app.js": b"// \x00\nexport const reserve = () => 1;\n"}, message="opaque js")
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path, ANSWERS)), "--yes", "--key", str(key))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    commit(repo, message="deploycheck record")
    code, doc = verify(repo)
    assert code == 0 and sorted(doc["flagged_files"]) == ["inventory/jobs.py", "web/app.js"], doc
    commit(repo, {"web/app.js": b"// \x00\nexport const reserve = () => 2;\n"}, message="edit the opaque file")
    code, doc = verify(repo)
    assert code == 1 and any(p["code"] == "stale-record" and p["path"] == "web/app.js" for p in doc["problems"]), doc


MAPPER = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE mapper PUBLIC "-//mybatis.org//DTD Mapper 3.0//EN" '
          '"http://mybatis.org/dtd/mybatis-3-mapper.dtd">\n<mapper namespace="org.javaboy.vhr.mapper.MailSendLogMapper">\n'
          '    <update id="updateCount">\n        update mail_send_log set count=count+1 where msgId=#{msgId}\n'
          '    </update>\n</mapper>\n')


def test_a_changed_mybatis_mapper_is_read_not_reported_unread(tmp_path) -> None:
    # Session 16's new-user trial: the record stayed valid after the mapper's SQL changed. DC263
    # reads the statements (a write flagged); DC001 stays for a mapper too large to read.
    from support.scanning import flagged_on_branch

    path = "vhr-mapper/src/main/java/org/javaboy/vhr/mapper/MailSendLogMapper.xml"
    head = MAPPER.replace("count=count+1", "count=#{count}")
    assert flagged_on_branch(tmp_path, {path: MAPPER}, {path: head}, rule="DC001") == []
    found = flagged_on_branch(tmp_path / "read", {path: MAPPER}, {path: head}, rule="DC263")
    assert [(p, line) for p, line, *_ in found] == [(path, 5)] and "`updateCount` (update)" in found[0][4]
    big = MAPPER.replace("</mapper>", "    <!-- " + "x" * 2_100_000 + " -->\n</mapper>")
    found = flagged_on_branch(tmp_path / "big", {path: MAPPER}, {path: big}, rule="DC001")
    assert found and "MyBatis mapper too large to read" in found[0][4]
    other = "src/main/resources/logback.xml"
    assert flagged_on_branch(tmp_path / "plain", {other: "<configuration/>\n"}, {other: "<configuration debug=\"true\"/>\n"}, rule=None) == []
