"""`deploycheck summary` (the PR block for the branch's record) and `deploycheck log` (the audit
trail), run as a user runs them, on a real repository with a real signed record.

The author denies shared state and keeps the answer with a rebuttal: the block and the log must
both show the rebuttal beside the answer, because that is what a reviewer or a postmortem needs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support.dcflow import ANSWERS, Project, git_env, make_project, run_dc
from support.gitrepo import commit, git

REBUTTAL = "Each product belongs to one warehouse worker, by routing."
DENYING = ANSWERS.replace(
    'shared-state: {answer: "yes", details: "decrements inventory.Product.stock"}',
    f'shared-state: {{answer: "no", rebuttal: "{REBUTTAL}"}}',
)
DC101 = (
    "Celery task `reserve_stock` is new and touches shared state (database, cache, files or globals): a new "
    "background job runs many times at once and in an order nobody chose; answer the checklist for it."
)
DC301 = (
    "Product.stock is read, recomputed and saved without a lock or F() expression: two workers running "
    "reserve\\_stock at once can overwrite each other's update."
)


def assess(p: Project, answers: str = DENYING) -> str:
    """`check --answers --yes`, then commit the record; return the record's path."""
    path = p.repo.parent / "answers.yaml"
    path.write_text(answers)
    proc = run_dc(p.repo, "check", "--answers", str(path), "--yes", "--key", str(p.key))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = git(p.repo, "diff", "--cached", "--name-only")
    git(p.repo, "commit", "-q", "-m", "Concurrency record")
    return record


@pytest.fixture
def assessed(tmp_path: Path) -> tuple[Project, str]:
    p = make_project(tmp_path)
    p.flagged_branch()
    return p, assess(p)


def test_the_block_names_the_branch_origin_head_points_at(assessed: tuple[Project, str]) -> None:
    # With origin/HEAD set (as `git clone` sets it), the base is found through it; the block said
    # "compared with `origin/HEAD`", which tells a reviewer nothing (new-user trial).
    p, _record = assessed
    git(p.repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    proc = run_dc(p.repo, "summary")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(compared with `origin/main`)." in proc.stdout and "origin/HEAD" not in proc.stdout


def test_summary_markdown_links_each_finding_to_its_line(assessed: tuple[Project, str]) -> None:
    p, record = assessed
    git(p.repo, "remote", "set-url", "origin", "git@github.com:shop/inventory.git")
    head = git(p.repo, "rev-parse", "HEAD")
    proc = run_dc(p.repo, "summary")
    assert (proc.returncode, proc.stderr) == (0, "")
    blob = f"https://github.com/shop/inventory/blob/{head}/inventory/jobs.py"
    digest = re.search(r'^fingerprint:\n  algorithm: "sha256"\n  value: "([0-9a-f]{16})', (p.repo / record).read_text(), re.M)[1]
    lines = proc.stdout.splitlines()
    # Right under the heading: the commit's "no behavioural change" against what changed (issue 19).
    assert lines.pop(2) == (f"**Claim vs change:** commit {git(p.repo, 'rev-parse', 'HEAD~1')[:8]}'s message says "
                            f"'no behavioural change' ('Refactor'), but {DC301[:-1]} (DC301 lost-update).")
    assert lines.pop(2) == ""
    assert lines == [
        "### Concurrency considerations",
        "",
        "deploycheck flagged 2 findings in 1 file (compared with `origin/main`).",
        "",
        "| severity | rule | finding | where |",
        "|---|---|---|---|",
        f"| warning | DC101 job-code-changed | {DC101} | [`inventory/jobs.py:6`]({blob}#L6-L10) |",
        f"| high | DC301 lost-update | {DC301} | [`inventory/jobs.py:9`]({blob}#L9-L10) |",
        "",
        "Checklist `background-jobs` v1:",
        "",
        f"- Does this job touch shared state? **no** (answer kept despite a finding: {REBUTTAL})",
        "- Does the logic assume sequential execution? **yes** — read-modify-write of stock; guarded by a row lock in the follow-up",
        "- Has it been tested under concurrent load? **yes** — tests/test\\_inventory\\_concurrency.py",
        "- Does the rollback procedure work without manual data correction? **yes**",
        "- What would have to be true about the execution environment for this to fail silently? "
        "**Two workers processing orders for the same product at the same moment.**",
        "",
        # what the named test shows at head (issue 19): it uses the job and runs it concurrently
        "Concurrency test: tests/test\\_inventory\\_concurrency.py references the flagged job and runs it concurrently "
        "(imports inventory.jobs.reserve\\_stock (line 2); uses reserve\\_stock (line 6); "
        "calls deploycheck.testing.run\\_concurrently (line 6)).",
        "",
        f"Signed by dev@example.com · record `{record}` · fingerprint `{digest}` · verify: PASS",
    ]


def test_summary_text_and_a_stale_record(assessed: tuple[Project, str]) -> None:
    p, record = assessed
    text = run_dc(p.repo, "summary", "--format", "text", env={**git_env(), "COLUMNS": "300"})
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert lines.pop(2).startswith("Claim vs change: commit ") and lines.pop(2) == ""  # issue 19
    assert lines[:3] == ["Concurrency considerations", "", "deploycheck flagged 2 findings in 1 file (compared with origin/main)."]
    assert lines[4] == (
        "- warning DC101 job-code-changed at inventory/jobs.py:6: " + DC101.replace("\\", "")
    )
    assert f"- Does this job touch shared state? no (answer kept despite a finding: {REBUTTAL})" in lines
    assert lines[-1].startswith(f"Signed by dev@example.com · record {record} · fingerprint ")
    assert lines[-1].endswith(" · verify: PASS")
    # An edit to the flagged file after signing: the block still shows the record, and says it is stale.
    commit(p.repo, {"inventory/jobs.py": (p.repo / "inventory/jobs.py").read_text() + "# later edit\n"})
    stale = run_dc(p.repo, "summary")
    assert stale.returncode == 0
    assert stale.stdout.splitlines()[-1].endswith(" · verify: FAIL (stale-record)")


def test_summary_without_a_record_and_when_nothing_is_flagged(tmp_path: Path) -> None:
    p = make_project(tmp_path)
    p.flagged_branch()
    proc = run_dc(p.repo, "summary")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[-1] == "No signed record yet · verify: FAIL (missing-record)"
    git(p.repo, "checkout", "-q", "-b", "docs", "main")
    commit(p.repo, {"README.md": "inventory service, documented\n"})
    proc = run_dc(p.repo, "summary")
    assert (proc.returncode, proc.stdout) == (
        0,
        "### Concurrency considerations\n\n"
        "N/A — deploycheck found no change to jobs, queues or shared state in this branch.\n",
    )


def test_log_shows_who_answered_what_with_the_rebuttal(assessed: tuple[Project, str]) -> None:
    p, record = assessed
    wide = {**git_env(), "COLUMNS": "300"}  # the concurrency-test line is long
    proc = run_dc(p.repo, "log", env=wide)
    assert (proc.returncode, proc.stderr) == (0, "")
    created = json.loads(run_dc(p.repo, "log", "--format", "json").stdout)["records"][0]["created"]
    expected = [
        f"{created}  dev@example.com  branch feature  [verified]",
        f"  record: {record}",
        "  flagged: inventory/jobs.py",
        "  findings: DC101 job-code-changed; DC301 lost-update",
        "  shared-state: no",
        f"    kept despite the findings: {REBUTTAL}",
        "  sequential-assumption: yes — read-modify-write of stock; guarded by a row lock in the follow-up",
        "  concurrency-tested: yes — tests/test_inventory_concurrency.py",
        "  rollback-safe: yes",
        "  silent-failure: Two workers processing orders for the same product at the same moment.",
        # what the named test showed at head (issue 19)
        "  concurrency test: tests/test_inventory_concurrency.py references the flagged job and runs it concurrently "
        "(imports inventory.jobs.reserve_stock (line 2); uses reserve_stock (line 6); "
        "calls deploycheck.testing.run_concurrently (line 6)).",
    ]
    assert proc.stdout.splitlines() == expected
    # --path answers "who assessed changes to this file"; ./ and folders are normalised.
    assert run_dc(p.repo, "log", "--path", "./inventory/jobs.py", env=wide).stdout.splitlines() == expected
    none = run_dc(p.repo, "log", "--path", "README.md", env=wide)
    assert (none.returncode, none.stdout) == (
        0, "No deploycheck records that assessed changes to README.md in HEAD's tree (.deploycheck/records/).\n"
    )
    doc = json.loads(run_dc(p.repo, "log", "--format", "json").stdout)
    (entry,) = doc["records"]
    assert entry["answers"]["shared-state"] == {"answer": "no", "rebuttal": REBUTTAL}
    assert (entry["path"], entry["signer"], entry["branch"], entry["flagged_files"]) == (
        record, "dev@example.com", "feature", ["inventory/jobs.py"],
    )
    assert [(f["rule"], f["line"]) for f in entry["findings"]] == [("DC101", 6), ("DC301", 9)]


def test_log_path_is_read_from_the_current_folder_as_git_reads_paths(assessed: tuple[Project, str]) -> None:
    # Session 16's new-user trial: in a subfolder, `log --path` with the path as typed there (or
    # an absolute one) said "No deploycheck records": records name files from the root.
    p, record = assessed
    folder = p.repo / "inventory"
    for typed in ("jobs.py", "./jobs.py", str(folder / "jobs.py")):
        doc = json.loads(run_dc(folder, "log", "--path", typed, "--format", "json").stdout)
        assert [e["path"] for e in doc["records"]] == [record], typed
    proc = run_dc(folder, "log", "--path", "../README.md")
    assert (proc.returncode, proc.stdout) == (
        0, "No deploycheck records that assessed changes to README.md in HEAD's tree (.deploycheck/records/).\n"
    )
    # From the root, a root-relative path stays what it was.
    doc = json.loads(run_dc(p.repo, "log", "--path", "inventory/jobs.py", "--format", "json").stdout)
    assert [e["path"] for e in doc["records"]] == [record]


def test_log_lists_records_of_every_merged_branch_newest_first(assessed: tuple[Project, str]) -> None:
    p, first = assessed
    git(p.repo, "checkout", "-q", "main")
    git(p.repo, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    git(p.repo, "push", "-q", "origin", "main")
    git(p.repo, "checkout", "-q", "-b", "second")
    job = (p.repo / "inventory/jobs.py").read_text()
    commit(p.repo, {"inventory/jobs.py": job.replace("product.stock - n", "product.stock - abs(n)")})
    second = assess(p, ANSWERS)
    git(p.repo, "checkout", "-q", "main")
    git(p.repo, "merge", "-q", "--no-ff", "-m", "Merge second", "second")
    git(p.repo, "push", "-q", "origin", "main")  # log reads the remote's main, as CI does
    doc = json.loads(run_dc(p.repo, "log", "--path", "inventory/jobs.py", "--format", "json").stdout)
    assert [(r["path"], r["branch"]) for r in doc["records"]] == [(second, "second"), (first, "feature")]


# --- which records verify today (issue 15, finding 9) ---------------------------------------


def test_log_marks_records_that_do_not_verify_against_mains_allowed_signers(assessed: tuple[Project, str]) -> None:
    """`log` listed a forged record as signed by whoever it named. Now each entry says whether
    its signature verifies against main's allowed_signers today, and why not."""
    p, record = assessed
    git(p.repo, "checkout", "-q", "main")
    git(p.repo, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    text = (p.repo / record).read_text()
    forged = record.replace(".yaml", "-forged.yaml")
    hinted = record.replace(".yaml", "-hint.yaml")
    commit(p.repo, {
        forged: text.replace('answer: "no"', 'answer: "yes"', 1),
        hinted: text.replace('  key: "SHA256:', '  key: "SHA256:zz', 1),
    }, "records nobody signed")
    git(p.repo, "push", "-q", "origin", "main")  # log reads the remote's main, as CI does
    doc = json.loads(run_dc(p.repo, "log", "--format", "json").stdout)
    by_path = {r["path"]: r for r in doc["records"]}
    assert (by_path[record]["verified"], by_path[record]["verification"]) == (True, "verified")
    assert by_path[forged]["verified"] is False
    assert by_path[forged]["verification"].startswith("the signature does not verify")
    assert by_path[hinted]["verified"] is False and "it says SHA256:zz" in by_path[hinted]["verification"]
    lines = run_dc(p.repo, "log", env={**git_env(), "COLUMNS": "300"}).stdout.splitlines()
    heads = [line for line in lines if line.startswith("20")]
    assert sum(line.endswith("  [NOT VERIFIED]") for line in heads) == 2
    assert sum(line.endswith("  [verified]") for line in heads) == 1
    # A key main stops trusting: its records are no longer verified (today's list decides).
    commit(p.repo, {".deploycheck/allowed_signers": "# nobody\n"}, "revoke")
    git(p.repo, "push", "-q", "origin", "main")
    doc = json.loads(run_dc(p.repo, "log", "--format", "json").stdout)
    entry = next(r for r in doc["records"] if r["path"] == record)
    assert entry["verified"] is False and entry["verification"].startswith("signer not trusted today")


def test_log_says_once_which_bases_signers_it_read_when_none_is_trusted(assessed: tuple[Project, str]) -> None:
    # A new user's trial (session 34): "[NOT VERIFIED] not verified: no signer is trusted", with no
    # word of the branch whose allowed_signers was read; verify names it.
    p, _record = assessed
    git(p.repo, "checkout", "-q", "main")
    git(p.repo, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    git(p.repo, "rm", "-q", ".deploycheck/allowed_signers")
    git(p.repo, "commit", "-q", "-m", "no signers")
    git(p.repo, "push", "-q", "origin", "main")
    lines = run_dc(p.repo, "log", env={**git_env(), "COLUMNS": "300"}).stdout.splitlines()
    said = [line for line in lines if line.startswith("Not verified: ")]
    assert said == ["Not verified: no signer is trusted: .deploycheck/allowed_signers (at origin/main) does not exist. "
                    "Name the base whose allowed_signers trusts the signers with --base (as verify does), or add them there."]


def test_log_trusts_mains_signers_not_the_branchs(assessed: tuple[Project, str], tmp_path: Path) -> None:
    from support.dcflow import make_key

    p, record = assessed
    key, public = make_key(tmp_path / "mallory")
    commit(p.repo, {".deploycheck/allowed_signers": f"mallory@example.com {public}\n"}, "trust myself")
    answers = p.repo.parent / "answers.yaml"
    commit(p.repo, {"inventory/jobs.py": (p.repo / "inventory/jobs.py").read_text() + "# more\n"})
    proc = run_dc(p.repo, "check", "--answers", str(answers), "--yes", "--key", str(key), "--force")
    assert proc.returncode == 0, proc.stderr
    git(p.repo, "commit", "-q", "-m", "mallory's record")
    doc = json.loads(run_dc(p.repo, "log", "--format", "json").stdout)
    (entry,) = doc["records"]
    assert entry["verified"] is False and "not trusted" in entry["verification"]


MULTI_LINE = ANSWERS.replace(
    'sequential-assumption: {answer: "yes", details: "read-modify-write of stock; guarded by a row lock in the follow-up"}',
    'sequential-assumption: {answer: "yes", details: "read-modify-write of stock;\\nguarded by a row lock in the follow-up"}',
).replace(
    'silent-failure: "Two workers processing orders for the same product at the same moment."',
    'silent-failure: "Two workers processing orders for the same product at the same moment.\\n\\n'
    '[bold]Nobody[/bold] notices \\e[31m until *the* count."',
)


def test_log_and_summary_show_a_multi_line_answer_as_lines_and_inert(tmp_path: Path) -> None:
    """Issue 18, point 5: an answer written over several lines is shown over several lines
    (never a literal \\n), each made inert: no Rich markup, no terminal escape, Markdown escaped."""
    p = make_project(tmp_path)
    p.flagged_branch()
    assess(p, MULTI_LINE)
    log = run_dc(p.repo, "log", env={**git_env(), "COLUMNS": "300"})
    assert log.returncode == 0, log.stderr
    lines = log.stdout.splitlines()
    at = lines.index("  sequential-assumption: yes — read-modify-write of stock;")
    assert lines[at + 1] == "      guarded by a row lock in the follow-up"
    at = lines.index("  silent-failure: Two workers processing orders for the same product at the same moment.")
    assert lines[at + 1] == "      [bold]Nobody[/bold] notices \\x1b[31m until *the* count."  # the blank line dropped
    assert "\\n" not in log.stdout and "\x1b" not in log.stdout
    summary = run_dc(p.repo, "summary").stdout
    assert (
        "**Two workers processing orders for the same product at the same moment.\\\n"
        "  \\[bold\\]Nobody\\[/bold\\] notices \\\\x1b\\[31m until \\*the\\* count.**"
    ) in summary
    text = run_dc(p.repo, "summary", "--format", "text").stdout
    assert "Two workers processing orders for the same product at the same moment.\n    [bold]Nobody[/bold] notices \\x1b[31m" in text
