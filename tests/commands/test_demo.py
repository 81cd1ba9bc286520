"""`deploycheck demo`, run as a user runs it: its own process, no terminal, a fresh HOME."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.gitrepo import git

FLAGGED_LINE = 9  # `product = Product.objects.get(pk=product_id)` in demo_project.JOB_BRANCH


def demo_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    env.update(TMPDIR=str(tmpdir), COLUMNS="200", **extra)
    return env


def run_demo(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploycheck", "demo", *args],
        cwd=tmp_path, env=env or demo_env(tmp_path), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
    )


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def positions(stdout: str, patterns: list[str]) -> list[int]:
    """Where each regex first matches, searching each after the previous one (-1: missing)."""
    found, start = [], 0
    for pattern in patterns:
        m = re.compile(pattern, re.M).search(stdout, start)
        found.append(m.start() if m else -1)
        start = m.end() if m else start
    return found


EXPECTED_IN_ORDER = [
    r"^── Step 1/7 · The shop and its \"minor refactor\"$",
    r"^Branch inventory-refactor, commit \"minor refactor, no behavioral changes\", changes inventory/jobs\.py:$",
    r"^── Step 2/7 · The scan finds the hazard in the diff\n\$ deploycheck scan --base main$",
    rf"^inventory/jobs\.py:{FLAGGED_LINE}: DC301 lost-update \[high\]$",
    r"^The incident, reproduced: the refactor's get / modify / save and main's atomic UPDATE, in plain sqlite3, ",
    r"^  refactor: 8 workers reserved 1 each from stock 100: stock is 99, expected 92 — 7 updates lost$",
    r"^  main:     8 workers reserved 1 each from stock 100: stock is 92, expected 92 — none lost$",
    r"^── Step 3/7 · The CI gate fails: no record\n\$ deploycheck verify --base main$",
    r"^FAIL: the change is flagged and has no valid, current, signed record \(1 problem\)\.$",
    r"^  \[missing-record\] ",
    r"^Exit status 1: the branch changes a flagged file and adds no signed record",
    r"^── Step 4/7 · The checklist, with the findings as evidence\n\$ deploycheck$",
    r"^Standard input is not a terminal, so the demo answers the checklist from its built-in answers file ",
    r"^  concurrency-tested: \{answer: \"yes\", details: \"tests/test_inventory_concurrency\.py\"\}$",
    r"^── Step 5/7 · A record signed with the demo key, committed with the branch$",
    r"^Wrote \.deploycheck/records/[0-9]{4}-[0-9]{2}-[0-9]{2}-inventory-refactor-[0-9a-f]{8}\.yaml, signed by dev@example\.com \(ed25519, SSHSIG\), and committed it:$",
    r"^  signature:$",
    r"^── Step 6/7 · The CI gate passes\n\$ deploycheck verify --base main$",
    r"^PASS: \.deploycheck/records/\S+\.yaml \(signed by dev@example\.com\) covers every flagged file\.$",
    r"^Exit status 0: ",
    r"^── Step 7/7 · The block for the pull request description\n\$ deploycheck summary --base main$",
    r"^### Concurrency considerations$",
    r"^\| high \| DC301 lost-update \| .* \| `inventory/jobs\.py:9` \|$",
    r"^Signed by dev@example\.com · record `\.deploycheck/records/\S+\.yaml` · fingerprint `[0-9a-f]{16}` · verify: PASS$",
    r"^Done; the demo repository and its key have been removed\.$",
]


def test_demo_without_a_terminal_replays_the_incident_and_leaves_nothing_behind(tmp_path, _isolated_home):
    home_before = snapshot(_isolated_home)
    proc = run_demo(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert positions(proc.stdout, EXPECTED_IN_ORDER) == sorted(positions(proc.stdout, EXPECTED_IN_ORDER))
    assert -1 not in positions(proc.stdout, EXPECTED_IN_ORDER), proc.stdout
    assert list((tmp_path / "tmpdir").iterdir()) == []
    assert snapshot(_isolated_home) == home_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmpdir"]


def test_keep_leaves_a_repository_whose_gate_passes(tmp_path):
    kept = tmp_path / "kept"
    proc = run_demo(tmp_path, "--keep", str(kept))
    assert proc.returncode == 0, proc.stderr
    assert f"The demo repository is kept in {kept} (the throwaway key is in .git/deploycheck-demo/key/)." in proc.stdout
    verify = subprocess.run(
        [sys.executable, "-m", "deploycheck", "verify", "--base", "main"], cwd=kept, env=demo_env(tmp_path),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert re.search(r"^PASS: \.deploycheck/records/\S+\.yaml \(signed by dev@example\.com\) covers every flagged file\.$", verify.stdout, re.M)
    assert git(kept, "rev-parse", "--abbrev-ref", "HEAD") == "inventory-refactor"
    assert git(kept, "log", "--format=%s", "main..HEAD").splitlines() == [
        "Add the deploycheck record", "minor refactor, no behavioral changes",
    ]
    assert git(kept, "log", "--format=%s", "main").splitlines() == [
        "Trust the demo key for deploycheck records", "Shop: reserve stock with an atomic F() update",
    ]
    assert git(kept, "status", "--porcelain") == ""
    assert (kept / ".git/deploycheck-demo/key/demo_ed25519").is_file()
    assert list((tmp_path / "tmpdir").iterdir()) == []


def test_keep_refuses_a_folder_with_files(tmp_path):
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine\n")
    proc = run_demo(tmp_path, "--keep", str(kept))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"deploycheck: error: --keep {kept}: the folder is not empty, and the demo never writes into a folder that holds files.")
    assert [p.name for p in kept.iterdir()] == ["notes.txt"]


def test_the_users_git_configuration_hooks_and_keys_are_not_used(tmp_path, _isolated_home):
    """A global config that signs commits, runs a failing hook on every commit and points at a
    missing signing key must not reach the demo; neither must deploycheck's own variables."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("pre-commit", "commit-msg", "post-checkout"):
        (hooks / name).write_text("#!/bin/sh\necho hook ran >&2\nexit 1\n")
        (hooks / name).chmod(0o755)
    (_isolated_home / ".gitconfig").write_text(
        f"[core]\n\thooksPath = {hooks}\n[commit]\n\tgpgsign = true\n[gpg]\n\tformat = ssh\n"
        f"[user]\n\tsigningkey = {tmp_path}/missing-key\n\temail = someone@else.example\n"
        f"[init]\n\ttemplateDir = {tmp_path}/no-such-templates\n\tdefaultBranch = trunk\n"
    )
    env = demo_env(
        tmp_path, DEPLOYCHECK_SIGNING_KEY=str(tmp_path / "missing-key"), DEPLOYCHECK_BASE="no-such-branch",
        GIT_DIR=str(tmp_path / "not-a-repo"),
    )
    proc = run_demo(tmp_path, "--keep", str(tmp_path / "kept"), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "hook ran" not in proc.stdout + proc.stderr
    assert "signed by dev@example.com (ed25519, SSHSIG)" in proc.stdout


def test_works_without_openssh(tmp_path):
    """No ssh-keygen on PATH: the key is made and the record signed in pure Python."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git"))
    env = demo_env(tmp_path, PATH=str(bin_dir))
    proc = run_demo(tmp_path, "--keep", str(tmp_path / "kept"), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^PASS: \.deploycheck/records/\S+\.yaml \(signed by dev@example\.com\) covers every flagged file\.$", proc.stdout, re.M)
    private = (tmp_path / "kept/.git/deploycheck-demo/key/demo_ed25519").read_text()
    assert private.startswith("-----BEGIN OPENSSH PRIVATE KEY-----\n")


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH")
def test_the_readmes_recipe_verifies_the_record_with_ssh_keygen(tmp_path):
    """docs/records.md's "Verifying a record by hand", run verbatim (but for the record's name) in a
    kept demo repository: OpenSSH alone accepts the record."""
    kept = tmp_path / "kept"
    assert run_demo(tmp_path, "--keep", str(kept)).returncode == 0
    (record,) = (kept / ".deploycheck/records").iterdir()
    records_doc = (Path(__file__).resolve().parents[2] / "docs" / "records.md").read_text()
    recipe = records_doc.split("### Verifying a record by hand", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert recipe.startswith("R=.deploycheck/records/")
    script = re.sub(r"^R=\S+", f"R=.deploycheck/records/{record.name}", recipe)
    proc = subprocess.run(["sh", "-c", script], cwd=kept, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.startswith('Good "deploycheck-record-v1" signature for dev@example.com with ED25519 key SHA256:')


def test_at_a_terminal_the_demo_runs_the_real_walkthrough(tmp_path):
    """With a terminal, step 4 is the interactive checklist; the answers typed end up signed."""
    from support.ptydrive import Terminal

    term = Terminal(["demo", "--keep", str(tmp_path / "kept")], cwd=tmp_path, env=demo_env(tmp_path))
    try:
        term.answer("Does this job touch shared state?", "no")
        term.expect("This answer contradicts the findings.")
        term.answer("Change or explain?", "change")
        term.answer("Does this job touch shared state?", "yes")
        term.answer("Details", "decrements inventory.Product.stock")
        term.answer("Does the logic assume sequential execution?", "yes")
        term.answer("Details", "read-modify-write of stock; needs select_for_update")
        term.answer("Has it been tested under concurrent load?", "yes")
        term.answer("Details", "tests/test_inventory_concurrency.py")
        term.answer("Does the rollback procedure work without manual data correction?", "yes")
        term.answer("Answer", "Two workers reserving the same product at the same moment.")
        term.answer("...", ".")
        term.expect("PASS: .deploycheck/records/")
        assert term.wait() == 0, term.text
    finally:
        term.close()
    assert "Standard input is not a terminal" not in term.text
    (record,) = (tmp_path / "kept/.deploycheck/records").iterdir()
    assert '    details: "read-modify-write of stock; needs select_for_update"\n' in record.read_text()
    assert not (tmp_path / "kept/.git/deploycheck/drafts").exists() or not any((tmp_path / "kept/.git/deploycheck/drafts").iterdir())


def _interrupted_at_the_second_question(tmp_path, args: list[str]) -> str:
    """The demo in a real terminal: the first question answered, Ctrl-C at the second; what the
    terminal showed (the demo exits 130)."""
    from support.ptydrive import Terminal

    term = Terminal(args, cwd=tmp_path, env=demo_env(tmp_path))
    try:
        term.answer("Does this job touch shared state?", "yes")
        term.answer("Details", "decrements inventory.Product.stock")
        term.expect("Does the logic assume sequential execution?")
        term.interrupt()
        assert term.wait() == 130, term.text
    finally:
        term.close()
    return term.text


def test_ctrl_c_in_the_demos_checklist_does_not_promise_a_draft_the_demo_removes(tmp_path):
    """Stopped at a question, the walkthrough said the answers were kept in a draft inside the
    demo's temporary folder and to run deploycheck again to resume; the demo then removed that
    folder. It now says the draft goes with the folder, and how to keep one."""
    said = " ".join(_interrupted_at_the_second_question(tmp_path, ["demo"]).split())
    assert "kept in the draft" not in said and "run deploycheck again to resume" not in said, said
    assert ("deploycheck: interrupted; nothing was written. The demo's temporary folder, with the draft of "
            "your answers, is removed as the demo ends; run `deploycheck demo` to start again, or "
            "`deploycheck demo --keep DIR` to keep the repository (then `cd DIR && deploycheck` resumes a stopped "
            "checklist).") in said
    assert list((tmp_path / "tmpdir").iterdir()) == []  # and the folder is indeed gone


def test_ctrl_c_in_a_kept_demo_names_the_draft_that_stays(tmp_path):
    kept = tmp_path / "kept"
    text = _interrupted_at_the_second_question(tmp_path, ["demo", "--keep", str(kept)])
    (draft,) = (kept / ".git/deploycheck/drafts").iterdir()
    assert "Your 1 answer is kept in the draft" in " ".join(text.split())
    assert "decrements inventory.Product.stock" in draft.read_text()
