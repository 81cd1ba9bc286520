"""`.deploycheck/config.yaml` as `deploycheck scan` applies it, end to end in real repositories:
exclude globs, rules named wrongly (warned about, never silently ignored), a branch's own config
edit (used only once merged), and inline suppressions kept visible in the JSON document."""

from __future__ import annotations

import json
from pathlib import Path

from deploycheck.__main__ import main
from support.gitrepo import commit, git, make_branch, make_repo
from support.incident import JOB_BRANCH as HEAD_TASK
from support.incident import JOB_MAIN as BASE_TASK

def project(tmp_path: Path, config: str | None, head: str = HEAD_TASK, branch_config: str | None = None) -> Path:
    files = {"inventory/jobs.py": BASE_TASK}
    if config is not None:
        files[".deploycheck/config.yaml"] = config
    repo = make_repo(tmp_path / "repo", files)
    changed = {"inventory/jobs.py": head}
    if branch_config is not None:
        changed[".deploycheck/config.yaml"] = branch_config
    make_branch(repo, "refactor", changed)
    return repo


def scan_json(repo: Path, monkeypatch, capsys) -> tuple[int, dict, str]:
    monkeypatch.chdir(repo)
    code = main(["scan", "--format", "json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), " ".join(err.split())


def rules_of(doc: dict) -> list[tuple[str, int, str]]:
    return [(f["rule"], f["line"], f.get("side", "head")) for f in doc["findings"]]


def test_without_config_the_incident_is_flagged(tmp_path, monkeypatch, capsys):
    code, doc, err = scan_json(project(tmp_path, None), monkeypatch, capsys)
    assert (code, doc["flagged"], err) == (0, True, "")
    assert rules_of(doc) == [("DC101", 8, "head"), ("DC320", 9, "base"), ("DC301", 10, "head")]


def test_exclude_glob_on_the_base_branch_leaves_the_file_unscanned(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path, "exclude: ['inventory/**']\n")
    code, doc, err = scan_json(repo, monkeypatch, capsys)
    assert (code, doc["flagged"], doc["findings"], doc["checklists"], err) == (0, False, [], [], "")
    monkeypatch.chdir(repo)
    assert main(["scan", "--fail-on-findings"]) == 0


def test_exclude_glob_that_does_not_match_changes_nothing(tmp_path, monkeypatch, capsys):
    code, doc, err = scan_json(project(tmp_path, "exclude: ['docs/**', 'inventory/*.txt']\n"), monkeypatch, capsys)
    assert rules_of(doc) == [("DC101", 8, "head"), ("DC320", 9, "base"), ("DC301", 10, "head")]


def test_rules_named_wrongly_are_warned_about_not_silently_ignored(tmp_path, monkeypatch, capsys):
    config = "rules:\n  disable: [DC999, dc320, lost-update]\n  severity:\n    job-code-changd: info\n"
    code, doc, err = scan_json(project(tmp_path, config), monkeypatch, capsys)
    # lost-update (exact name) is disabled; dc320 (wrong case) is not, and is named in the warning
    assert code == 0 and rules_of(doc) == [("DC101", 8, "head"), ("DC320", 9, "base")]
    base = git(tmp_path / "repo", "rev-parse", "main")[:12]
    source = f".deploycheck/config.yaml (at {base})"
    assert err == (
        f"deploycheck: warning: {source} names 'DC999' in rules.disable, which is not a rule of this deploycheck, "
        "so it has no effect: `deploycheck rules` lists the rule ids and names. "
        f"deploycheck: warning: {source} names 'dc320' in rules.disable, which is not a rule of this deploycheck, "
        "so it has no effect: write it as 'DC320'. "
        f"deploycheck: warning: {source} names 'job-code-changd' in rules.severity, which is not a rule of this "
        "deploycheck, so it has no effect: `deploycheck rules` lists the rule ids and names."
    )


def test_a_branch_edit_to_the_config_takes_effect_once_merged_and_says_so(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path, None, branch_config="exclude: ['inventory/**']\n")
    code, doc, err = scan_json(repo, monkeypatch, capsys)
    assert code == 0 and rules_of(doc) == [("DC101", 8, "head"), ("DC320", 9, "base"), ("DC301", 10, "head")]
    # the first setup adds the file: it is not called an edit (a new user's trial, session 25)
    assert err == (
        "deploycheck: warning: this change adds .deploycheck/config.yaml; the scan used the base branch's "
        "configuration (none: the defaults), so the file takes effect once it is merged (as it does for "
        "`deploycheck verify`)."
    )
    edited = project(tmp_path / "edited", "exclude: []\n", branch_config="exclude: ['inventory/**']\n")
    code, doc, err = scan_json(edited, monkeypatch, capsys)
    assert err == (
        "deploycheck: warning: this change edits .deploycheck/config.yaml; the scan used the base branch's "
        "version, so the edit takes effect once it is merged (as it does for `deploycheck verify`)."
    )
    # once merged, the same config excludes the file
    git(repo, "checkout", "-q", "main")
    commit(repo, {".deploycheck/config.yaml": "exclude: ['inventory/**']\n"}, "config")
    git(repo, "checkout", "-q", "refactor")
    git(repo, "rebase", "-q", "main")
    code, doc, err = scan_json(repo, monkeypatch, capsys)
    assert (doc["findings"], err) == ([], "")


def test_a_suppression_the_branch_adds_is_shown_with_its_reason_and_not_honoured(tmp_path, monkeypatch, capsys):
    head = HEAD_TASK.replace(
        "    product.stock = product.stock - quantity\n",
        "    # deploycheck: ignore[DC301] reserve_stock runs on the single-worker 'serial' queue\n"
        "    product.stock = product.stock - quantity\n",
    )
    code, doc, err = scan_json(project(tmp_path, None, head=head), monkeypatch, capsys)
    dc301 = [f for f in doc["findings"] if f["rule"] == "DC301"]
    assert [(f["line"], f.get("suppressed"), f["suppressed_by_author"], f["suppression_reason"]) for f in dc301] == [
        (11, None, True, "reserve_stock runs on the single-worker 'serial' queue")
    ]
    assert doc["flagged"] is True


def test_removing_a_configured_lock_wrapper_is_reported_whatever_its_name(tmp_path, monkeypatch, capsys):
    # `guarded` holds none of the words the safeguard rules look for first ("lock", "atomic", …):
    # only the base branch's lock_wrappers says it is a lock. Its removal must still be reported.
    base = 'from util import guarded\n\n\ndef sync_totals(store):\n    with guarded("totals"):\n        store.write(store.read())\n'
    head = "from util import guarded\n\n\ndef sync_totals(store):\n    store.write(store.read())\n"
    found = {}
    for wrappers in ("[guarded]", "[]"):
        repo = make_repo(tmp_path / wrappers, {".deploycheck/config.yaml": f"lock_wrappers: {wrappers}\n", "shop/sync.py": base})
        make_branch(repo, "refactor", {"shop/sync.py": head})
        code, doc, _ = scan_json(repo, monkeypatch, capsys)
        found[wrappers] = (code, rules_of(doc))
    assert found == {"[guarded]": (0, [("DC320", 5, "base")]), "[]": (0, [])}
