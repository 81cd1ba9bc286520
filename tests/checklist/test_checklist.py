"""Checklists: the built-in background-jobs checklist, the strict schema, custom checklists read
from a git revision, and the packaged copy inside the wheel."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.gitrepo import git, make_branch, make_repo

from deploycheck.checklist.checklist import (
    DetailRule,
    applicable,
    builtin_ids,
    checklist_digest,
    load_builtin,
    load_checklists,
    parse_checklist,
)
from deploycheck.errors import ConfigError
from deploycheck.git.model import CATEGORIES, Finding

REPO = Path(__file__).resolve().parents[2]
TEXTS = {
    "shared-state": "Does this job touch shared state?",
    "sequential-assumption": "Does the logic assume sequential execution?",
    "concurrency-tested": "Has it been tested under concurrent load?",
    "rollback-safe": "Does the rollback procedure work without manual data correction?",
    "silent-failure": "What would have to be true about the execution environment for this to fail silently?",
}


def finding(category: str, severity: str = "warning", **kw) -> Finding:
    return Finding("DC900", "x", category, severity, "a.py", 1, 1, "m", **kw)


def test_builtin_background_jobs_checklist():
    c = load_builtin("background-jobs")
    assert (c.id, c.version) == ("background-jobs", 1)
    assert {q.id: q.text for q in c.questions} == TEXTS
    assert list(c.ids) == list(TEXTS)
    assert sorted(c.applies_to) == sorted(CATEGORIES)
    assert c.focus == {"migration": ("rollback-safe",)}
    by_id = {q.id: q for q in c.questions}
    assert by_id["shared-state"].choices == ("yes", "no", "n/a")
    assert list(by_id["shared-state"].details) == ["yes"]
    assert by_id["sequential-assumption"].details["yes"].prompt.startswith("What enforces the order")
    assert by_id["concurrency-tested"].details["yes"] == DetailRule(
        "Which test file or command shows it (e.g. tests/test_inventory_concurrency.py)?", "test")
    assert by_id["concurrency-tested"].details["no"].check is None
    assert list(by_id["rollback-safe"].details) == ["no"]
    assert by_id["silent-failure"].free_text and by_id["silent-failure"].min_length == 20
    assert all(w in by_id["shared-state"].help for w in ("database rows", "counters", "cache", "files", "external APIs"))
    assert "several\nworkers" in by_id["concurrency-tested"].help and "asserts the invariant" in by_id["concurrency-tested"].help
    assert builtin_ids() == ["background-jobs"]


def test_digest_is_sha256_of_canonical_question_texts():
    c = load_builtin("background-jobs")
    canonical = json.dumps([[k, v] for k, v in TEXTS.items()], ensure_ascii=False, separators=(",", ":"))
    assert checklist_digest(c) == hashlib.sha256(canonical.encode()).hexdigest()


def test_applies_and_focus_follow_flagging_findings():
    c = load_builtin("background-jobs")
    assert applicable([c], [finding("migration")]) == [c]
    assert c.in_focus([finding("migration"), finding("job")]) == ("rollback-safe",)
    assert applicable([c], [finding("job", "info")]) == []
    assert applicable([c], [finding("job", suppressed=True)]) == []
    assert c.in_focus([finding("job", "high")]) == ()


GOOD = """\
id: team
version: 3
questions:
  - id: feature-flag
    text: "Is it behind a feature flag?"
    answers: [yes, no]
    details:
      no: "Why not?"
"""


@pytest.mark.parametrize("text, expected", [
    (GOOD.replace("version: 3", "version: 3\nowner: me"), "x.yaml, line 3: unknown key 'owner' in the checklist. Allowed keys: id, version, title, applies_to, focus, questions."),
    (GOOD.replace("version: 3\n", ""), "x.yaml, line 1: the checklist is missing the required key 'version'."),
    (GOOD.replace("version: 3", "version: three"), "x.yaml, line 2: version must be a whole number, not a single value."),
    (GOOD.replace("[yes, no]", "[yes, maybe]"), "x.yaml, line 6: answers of question 'feature-flag' may be yes, no and n/a (or `answers: text` for free text), not 'maybe'."),
    (GOOD.replace("[yes, no]", "free"), "x.yaml, line 6: answers of question 'feature-flag' must be a list such as [\"yes\", \"no\", \"n/a\"] or the word `text` for a free-text answer."),
    (GOOD.replace("      no:", "      n/a:"), "x.yaml, line 8: details of question 'feature-flag' are keyed by an allowed answer (yes, no), not 'n/a'."),
    (GOOD.replace("id: feature-flag", "id: Feature Flag"), "x.yaml, line 4: question id 'Feature Flag' must be lower-case letters, digits and dashes (at most 63 characters), e.g. shared-state."),
    (GOOD + GOOD[GOOD.index("  - id"):], "x.yaml, line 9: question id 'feature-flag' appears twice. Each id must be unique."),
    (GOOD + "focus:\n  migration: [nope]\n", "x.yaml, line 10: focus.migration names 'nope', which is not a question of this checklist."),
    (GOOD + "applies_to: [jobs]\n", "x.yaml, line 9: applies_to names an unknown finding category 'jobs'. Known: job, queue, shared-state, concurrency, migration, config."),
    (GOOD.replace('"Why not?"', "{prompt: Why, check: lint}"), "x.yaml, line 8: check of details of question 'feature-flag' for 'no' must be one of test, not 'lint'."),
    ("id: team\nversion: 1\nquestions: []\n", "x.yaml, line 3: questions must not be empty."),
    ("", "x.yaml is empty. A checklist needs id, version and questions."),
    (GOOD.replace("id: team", "id: other"), "x.yaml, line 1: the checklist's id is 'other' but its file is named team.yaml. Make them the same."),
])
def test_schema_errors_name_file_line_and_key(text, expected):
    with pytest.raises(ConfigError) as info:
        parse_checklist(text, "x.yaml", expected_id="team")
    assert info.value.message == expected


def test_good_custom_checklist_parses():
    c = parse_checklist(GOOD, "x.yaml", "team")
    assert c.questions[0].choices == ("yes", "no")
    assert c.questions[0].details == {"no": DetailRule("Why not?")}
    assert c.applies_to == CATEGORIES and c.title == "team"


def test_custom_checklists_are_read_from_the_given_revision(tmp_path):
    repo = make_repo(tmp_path / "r", {".deploycheck/checklists/team.yaml": GOOD})
    base = git(repo, "rev-parse", "HEAD")
    make_branch(repo, "work", {".deploycheck/checklists/team.yaml": GOOD.replace("version: 3", "version: 4")})
    at_base = load_checklists(str(repo), base, ["team", "background-jobs"])
    assert [(c.id, c.version) for c in at_base] == [("team", 3), ("background-jobs", 1)]
    assert at_base[0].source == f".deploycheck/checklists/team.yaml (at {base[:12]})"
    assert load_checklists(str(repo), "HEAD", ["team"])[0].version == 4


def test_repository_checklist_replaces_the_builtin_of_the_same_id(tmp_path):
    mine = GOOD.replace("id: team", "id: background-jobs")
    repo = make_repo(tmp_path / "r", {".deploycheck/checklists/background-jobs.yaml": mine})
    assert load_checklists(str(repo), "HEAD", ["background-jobs"])[0].version == 3


def test_unknown_checklist_names_what_exists(tmp_path):
    repo = make_repo(tmp_path / "r", {".deploycheck/checklists/team.yaml": GOOD})
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(ConfigError) as info:
        load_checklists(str(repo), head, ["teams"])
    assert info.value.message == (
        f"checklist 'teams' named in the config's `checklists:` is neither built in (background-jobs) nor in "
        f".deploycheck/checklists/ at {head[:12]} (found: team). Fix the name, or commit "
        ".deploycheck/checklists/teams.yaml to the base branch."
    )
    with pytest.raises(ConfigError) as info:
        load_checklists(str(repo), head, ["../../etc/passwd"])
    assert info.value.message.startswith("checklist name '../../etc/passwd' in the config's `checklists:` is not valid")
    with pytest.raises(ConfigError) as info:
        load_builtin("nope")
    assert info.value.message.startswith("there is no built-in checklist 'nope' (built in: background-jobs).")


def test_pyproject_ships_the_checklists_folder_inside_the_package():
    import tomllib

    meta = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert meta["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["checklists"] == "deploycheck/checklists"
    assert (REPO / "checklists" / "background-jobs.yaml").is_file()


PROBE = """
import deploycheck, deploycheck.checklist.checklist as c
ck = c.load_builtin("background-jobs")
print(deploycheck.__file__)
print([str(d) for d in c._builtin_dirs()])
print(ck.id, len(ck.questions))
"""


def test_built_wheel_loads_its_packaged_checklist(tmp_path):
    """Build the real wheel once (about 3 s) and load the checklist from the unpacked wheel only."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(REPO)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300,
    )
    if proc.returncode != 0 and b"hatchling" in proc.stdout and b"No matching distribution" in proc.stdout:
        pytest.skip("hatchling is not available offline to build the wheel")
    assert proc.returncode == 0, proc.stdout.decode()
    (wheel,) = (tmp_path / "dist").glob("deploycheck-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        assert "deploycheck/checklists/background-jobs.yaml" in zf.namelist()
        zf.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, stdout=subprocess.PIPE, check=True)
    lines = out.stdout.decode().splitlines()
    assert lines[0] == str(site / "deploycheck" / "__init__.py")
    assert lines[1] == repr([str(site / "deploycheck" / "checklists")])
    assert lines[2] == "background-jobs 5"
