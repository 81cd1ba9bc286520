"""Suppression comments and the gate: a `deploycheck: ignore[...]` comment that the change under
test adds is shown as "suppressed by the author" in every output and in the record, and the
change stays flagged; one the base branch already holds keeps working. Real repositories, run
end to end through `deploycheck scan/verify/summary/check/log`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.gitrepo import commit, git, make_branch, make_repo
from support.incident import JOB_BRANCH, JOB_MAIN, MODELS, incident_repo, keygen, write_answers

from deploycheck.git.model import FileChange, Hunk, Line
from deploycheck.records.record import parse_record, read_record
from deploycheck.rules.base import DetectorSettings, FileContext

# A new Celery task with a lost update, every line of it silenced by its own author.
NEW_TASK = '''from celery import shared_task

from .models import Product


@shared_task  # deploycheck: ignore[ALL] reviewed
def restock(product_id, quantity):  # deploycheck: ignore[ALL] reviewed
    product = Product.objects.get(pk=product_id)  # deploycheck: ignore[ALL] reviewed
    product.stock = product.stock + quantity  # deploycheck: ignore[ALL] reviewed
    product.save()  # deploycheck: ignore[ALL] reviewed
'''


def _run(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    for var in ("GITHUB_STEP_SUMMARY", "GITHUB_BASE_REF", "GITHUB_ACTIONS", "DEPLOYCHECK_BASE"):
        if env is None or var not in env:
            full.pop(var, None)
    return subprocess.run([sys.executable, "-m", "deploycheck", *args], cwd=repo, env=full, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)


def _scan(repo: Path) -> dict:
    proc = _run(repo, "scan", "--base", "main", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _shop(tmp_path: Path, main: dict[str, str], branch: dict[str, str | None]) -> Path:
    repo = make_repo(tmp_path / "shop", {"inventory/__init__.py": "", "inventory/models.py": MODELS, **main})
    make_branch(repo, "work", branch)
    return repo


def test_ignore_all_added_by_the_branch_leaves_a_new_lost_update_task_flagged(tmp_path):
    repo = _shop(tmp_path, {}, {"inventory/restock.py": NEW_TASK})
    doc = _scan(repo)
    assert doc["flagged"] is True
    high = [f for f in doc["findings"] if f["severity"] == "high"]
    assert high and all(f["suppressed_by_author"] and "suppressed" not in f for f in high)
    assert all(f["suppression_reason"] == "reviewed" for f in doc["findings"])
    # The gate still wants a record.
    verify = _run(repo, "verify", "--base", "main", "--format", "json")
    assert verify.returncode == 1, verify.stdout
    assert [p["code"] for p in json.loads(verify.stdout)["problems"]] == ["missing-record"]
    # Every output shows the comment as the author's, never as an honoured suppression.
    text = _run(repo, "scan", "--base", "main").stdout
    assert "[suppressed by the author]" in text and "Suppressed (" not in text
    assert "still counted" in text.splitlines()[-1] and text.splitlines()[-1].startswith("Flagged:")
    sarif = json.loads(_run(repo, "scan", "--base", "main", "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert results and not any("suppressions" in r for r in results)
    assert all(r["properties"]["suppressedByAuthor"] is True for r in results)
    summary_file = tmp_path / "summary.md"
    github = _run(repo, "scan", "--base", "main", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary_file)}).stdout
    assert any(line.startswith("::error ") and "(suppressed by the author)" in line for line in github.splitlines())
    assert "suppressed by the author" in summary_file.read_text()
    for fmt in ("markdown", "text"):
        block = _run(repo, "summary", "--base", "main", "--format", fmt).stdout
        assert "N/A" not in block and "suppressed by the author in this change (reviewed)" in block, block


@pytest.mark.parametrize("comment", [
    "# deploycheck: ignore[lost-update] by rule name",
    "# deploycheck: ignore[DC301, DC101, DC320] by several ids",
])
def test_a_comment_the_branch_adds_to_a_line_it_modifies_is_not_honoured(tmp_path, comment):
    head = JOB_BRANCH.replace("product.stock - quantity", "product.stock - quantity  " + comment)
    repo = incident_repo(tmp_path)
    commit(repo, {"inventory/jobs.py": head}, "silence it")
    doc = _scan(repo)
    [dc301] = [f for f in doc["findings"] if f["rule"] == "DC301"]
    assert (dc301.get("suppressed"), dc301["suppressed_by_author"], doc["flagged"]) == (None, True, True)


def test_a_suppression_inside_a_string_literal_the_branch_adds_is_not_honoured(tmp_path):
    head = JOB_BRANCH.replace(
        "    product.stock = product.stock - quantity\n",
        '    note = "deploycheck: ignore[ALL] not a comment at all"\n    product.stock = product.stock - quantity\n',
    )
    repo = incident_repo(tmp_path)
    commit(repo, {"inventory/jobs.py": head}, "a string that reads like a suppression")
    [dc301] = [f for f in _scan(repo)["findings"] if f["rule"] == "DC301"]
    assert dc301["suppressed_by_author"] is True and "suppressed" not in dc301


def test_a_base_comment_above_a_line_the_branch_rewrites_is_not_honoured(tmp_path):
    """The base suppressed DC301 for the line below the comment; the branch puts new code there."""
    base = JOB_MAIN.replace(
        "    Product.objects.filter",
        "    # deploycheck: ignore[DC301] reserve_stock runs on the serial queue\n    Product.objects.filter",
    )
    head = base.replace(
        '    Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)\n',
        "    product.stock = product.stock - quantity\n    product.save()\n",
    ).replace("def reserve_stock(product_id, quantity):\n", "def reserve_stock(product_id, quantity):\n    product = Product.objects.get(pk=product_id)\n")
    repo = _shop(tmp_path, {"inventory/jobs.py": base}, {"inventory/jobs.py": head})
    doc = _scan(repo)
    [dc301] = [f for f in doc["findings"] if f["rule"] == "DC301"]
    assert head.split("\n")[dc301["line"] - 2].lstrip().startswith("# deploycheck: ignore[DC301]")
    assert dc301["suppressed_by_author"] is True and doc["flagged"] is True


def test_a_suppression_the_base_holds_keeps_working(tmp_path):
    """The base says removing the F() update is fine (it moves to another service): honoured."""
    base = JOB_MAIN.replace(' - quantity)\n', ' - quantity)  # deploycheck: ignore[DC320] stock moves to the ledger\n')
    head = base.replace('    Product.objects.filter(pk=product_id).update(stock=F("stock") - quantity)', "    ledger.reserve(product_id, quantity)")
    repo = _shop(tmp_path, {"inventory/jobs.py": base}, {"inventory/jobs.py": head})
    doc = _scan(repo)
    [dc320] = [f for f in doc["findings"] if f["rule"] == "DC320"]
    assert (dc320["suppressed"], dc320["suppression_reason"], "suppressed_by_author" in dc320) == (
        True, "stock moves to the ledger", False)
    text = _run(repo, "scan", "--base", "main").stdout
    assert "Suppressed (1), not counted:" in text


def test_a_branch_config_cannot_disable_regrade_or_exclude_what_it_flags(tmp_path):
    """Configuration comes from the base: a branch that adds `rules.disable`, a severity
    re-grade and an `exclude` for its own file is still flagged and still fails the gate."""
    repo = _shop(tmp_path, {}, {
        "inventory/restock.py": NEW_TASK.replace("  # deploycheck: ignore[ALL] reviewed", ""),
        ".deploycheck/config.yaml": (
            "exclude: ['inventory/**']\nrules:\n  disable: [DC301, lost-update, DC101]\n  severity:\n    DC301: info\n"
        ),
    })
    doc = _scan(repo)
    assert doc["flagged"] is True and any(f["rule"] == "DC301" and f["severity"] == "high" for f in doc["findings"])
    assert _run(repo, "verify", "--base", "main").returncode == 1


def test_the_record_keeps_the_authors_suppression_and_verify_passes_with_it(tmp_path):
    key = keygen(tmp_path / "id_ed25519")
    repo = incident_repo(tmp_path, key)
    head = JOB_BRANCH.replace("product.stock - quantity\n", "product.stock - quantity  # deploycheck: ignore[DC301] I promise\n")
    commit(repo, {"inventory/jobs.py": head}, "silence it")
    check = _run(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path)), "--yes", "--key", str(key))
    assert check.returncode == 0, check.stderr
    assert "suppressed by the author in this change (I promise)" in check.stdout  # the PR block
    commit(repo, message="record")
    [name] = git(repo, "ls-files", ".deploycheck/records").split()
    data = (repo / name).read_bytes()
    assert b'    suppressed_by_author: true\n    suppression_reason: "I promise"\n' in data
    record = parse_record(data, name)
    assert record == read_record(data, name)  # the fast reader agrees
    [dc301] = [f for f in record.body.findings if f.rule == "DC301"]
    assert (dc301.suppressed, dc301.suppressed_by_author, dc301.suppression_reason) == (False, True, "I promise")
    assert _run(repo, "verify", "--base", "main").returncode == 0
    [entry] = json.loads(_run(repo, "log", "--format", "json").stdout)["records"]
    assert any(f.get("suppressed_by_author") for f in entry["findings"])


def test_a_record_cannot_claim_both_kinds_of_suppression(tmp_path):
    from deploycheck.errors import RecordError
    from support.records import full, make_body

    from deploycheck.git.model import Finding

    both = Finding("DC301", "lost-update", "shared-state", "high", "a.py", 1, 1, "m", (), suppressed=True,
                   suppression_reason="r")
    data = full(make_body(findings=(both,))).replace(b"    suppressed: true\n", b"    suppressed: true\n    suppressed_by_author: true\n")
    with pytest.raises(RecordError, match="both suppressed and suppressed_by_author"):
        parse_record(data, "R.yaml")


# --- which head lines count as held by the base (pure: the -U0 hunks and both texts) ---------

BASE = ["a", "# deploycheck: ignore[ALL] ok", "covered", "b", "c"]


def _held_by_base(ctx: FileContext, comment: int, covered: int) -> bool:
    from deploycheck.analysis.scan import _held_by_base

    return _held_by_base(ctx, comment, covered)


def _ctx(head: list[str], hunks: list[Hunk]) -> FileContext:
    fc = FileChange("f.py", "f.py", "modified", "100644", "100644", "1" * 40, "2" * 40)
    fc.hunks = hunks
    return FileContext("f.py", fc, lambda: "\n".join(head) + "\n", lambda: "\n".join(BASE) + "\n", DetectorSettings((), ()))


def test_held_when_comment_and_covered_line_are_unchanged_and_adjacent():
    head = ["new", *BASE]
    ctx = _ctx(head, [Hunk(0, 0, 1, 1, [], [Line(1, "new")])])
    assert _held_by_base(ctx, 3, 4) and _held_by_base(ctx, 3, 3)


def test_not_held_when_a_line_is_inserted_under_the_comment():
    head = ["a", "# deploycheck: ignore[ALL] ok", "inserted", "covered", "b", "c"]
    ctx = _ctx(head, [Hunk(2, 0, 3, 1, [], [Line(3, "inserted")])])
    assert not _held_by_base(ctx, 2, 3)


def test_not_held_when_a_removal_moves_another_line_under_the_comment():
    head = ["a", "# deploycheck: ignore[ALL] ok", "b", "c"]  # "covered" removed: "b" moved up
    ctx = _ctx(head, [Hunk(3, 1, 2, 0, [Line(3, "covered")], [])])
    assert not _held_by_base(ctx, 2, 3)
    assert _held_by_base(ctx, 2, 2)  # the comment line itself is still the base's


def test_not_held_in_an_added_or_deleted_file():
    ctx = _ctx(BASE, [])
    ctx.file.old_path = None
    assert not _held_by_base(ctx, 2, 3)


def test_the_walkthrough_shows_the_authors_suppression_beside_the_evidence():
    from deploycheck.git.model import Finding
    from deploycheck.authoring.walkthrough import finding_block

    finding = Finding("DC301", "lost-update", "shared-state", "high", "inventory/jobs.py", 2, 2, "stock is lost",
                      ("shared-state",), suppression_reason="I promise", suppressed_by_author=True)
    lines = [text.plain for text in finding_block(finding, {("inventory/jobs.py", "head"): ["a", "b", "c"]}, 200)]
    assert lines[0] == "inventory/jobs.py:2: DC301 lost-update [high] [suppressed by the author]"
    assert lines[2] == ("  Note: suppressed by the author in this change (I promise); not honoured: only a suppression "
                        "the base branch already holds is.")
