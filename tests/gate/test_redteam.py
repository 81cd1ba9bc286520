"""Issue 15, second red-team pass: ways to get `verify` to exit 0 for a risky change without a
trusted, current record. Each test is one attack, run end to end on a real repository with
real git (and real ssh-keygen where a record is signed); the attacker controls the branch under
test, its refs and its commits, never `main` or a trusted key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.dcflow import LOST_UPDATE_JOB, git_env
from support.gitrepo import commit, git

from support.dcflow import verify


def assert_blocked(proc) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


# --- git shows another history --------------------------------------------------------------


def test_a_pushed_replace_ref_for_mains_commit_does_not_change_what_the_gate_reads(attack) -> None:
    """`git replace MAIN FAKE`, FAKE being a commit with the branch's (risky) tree: every git
    command then sees FAKE for main, the merge-base's tree is the risky tree and the change
    looked empty (PASS, exit 0, in plain verify, --base main and the hook). A branch can push
    refs/replace/*, and a CI clone that fetches all refs (a mirror) has it."""
    repo = attack.repo
    fake = git(repo, "commit-tree", "-m", "main, as the attacker wants it", "attack^{tree}")
    git(repo, "replace", attack.main_sha, fake)
    assert git(repo, "rev-parse", "main^{tree}") == git(repo, "rev-parse", "attack^{tree}")  # the trick works on git
    for args in ((), ("--base", "main"), ("--hook",)):
        assert_blocked(verify(repo, *args))


# --- what the gate reads ----------------------------------------------------------------------

RESERVE_JS = 'export async function reserve(Product, id, qty) {\n  await Product.decrement("stock", { by: qty, where: { id } });\n}\n'


@pytest.mark.parametrize("path", [
    "web/Build/reserve.js", "Vendor/shop/reserve.ts", "web/reserve.MIN.js",  # the vendored/built fix, in another case
    "web/docs/reserve.js", "web/Docs/reserve.js", "web/readme-reserve.js", "jobs/CHANGELOG_sync.rb", "src/Latest.java",
])
def test_code_under_a_name_the_packs_skip_as_documentation_or_in_another_case_flags(attack, path: str) -> None:
    """The packs skip vendor/, build/, docs/ (and `*test.java`) case-insensitively; DC001 caught only
    the lower-case vendored/built spellings, so `web/Build/reserve.js` or `web/readme-reserve.js`
    holding a worker passed (exit 0, nothing flagged). Code named for a read-me or a change log is
    read since session 29 (and flagged for what it does)."""
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "hide", "main")
    commit(repo, {path: RESERVE_JS}, "worker")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    doc = json.loads(proc.stdout)
    assert doc["flagged_files"] == [path], doc


@pytest.mark.parametrize("path", ["web/reserve.test.js", "web/Tests/reserve.js", "types/shop.d.ts", ".github/actions/x/index.js",
                                  "web/fixtures/reserve.js", "src/LatestTest.java"])
def test_tests_declarations_and_ci_code_the_packs_skip_stay_quiet(attack, path: str) -> None:
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "quiet", "main")
    commit(repo, {path: RESERVE_JS}, "tests")
    proc = verify(repo, "--base", "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- what the gate trusts: the default branch ----------------------------------------------------


def _single_branch_ci_checkout(project, branch: str, tmp_path: Path) -> Path:
    """What actions/checkout (fetch-depth 1) and GitLab's branch pipelines hold: the pushed branch
    alone, shallow, no origin/HEAD."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    ci = tmp_path / f"ci-{branch}"
    git(tmp_path, "clone", "-q", "--single-branch", "--branch", branch, "--depth", "1", f"file://{project.remote}", str(ci))
    git(ci, "remote", "set-head", "origin", "-d", check=False)
    return ci


def test_a_branch_pushed_as_master_in_a_main_repository_is_not_its_own_base(attack, tmp_path: Path) -> None:
    """A push-event CI job of a branch named `master` (the repository's default is `main`) checks
    out that branch alone: the only default-branch name present was `master`, the branch itself,
    so the change was empty and verify passed (exit 0). The CI system states the default branch
    (GitHub's event payload, GitLab's CI_DEFAULT_BRANCH): that name is the default, fetched when
    missing."""
    git(attack.repo, "push", "-q", "--no-verify", "origin", "attack:master")
    ci = _single_branch_ci_checkout(attack, "master", tmp_path)
    payload = tmp_path / "push.json"
    payload.write_text(json.dumps({"ref": "refs/heads/master", "repository": {"default_branch": "main", "master_branch": "main"}}))
    proc = verify(ci, GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="push", GITHUB_EVENT_PATH=str(payload))
    assert_blocked(proc)
    assert "Base: origin/main (from GITHUB_EVENT_PATH repository.default_branch)" in proc.stdout
    ci2 = _single_branch_ci_checkout(attack, "master", tmp_path / "gitlab")
    proc = verify(ci2, GITLAB_CI="true", CI_DEFAULT_BRANCH="main", CI_COMMIT_BRANCH="master")
    assert_blocked(proc)
    assert "Base: origin/main (from CI_DEFAULT_BRANCH)" in proc.stdout


def test_the_default_branch_itself_still_passes_when_the_ci_names_it(attack, tmp_path: Path) -> None:
    ci = _single_branch_ci_checkout(attack, "main", tmp_path)
    proc = verify(ci, GITLAB_CI="true", CI_DEFAULT_BRANCH="main")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_default_branch_the_ci_names_but_that_cannot_be_found_is_exit_2(attack, tmp_path: Path) -> None:
    ci = _single_branch_ci_checkout(attack, "main", tmp_path)
    proc = verify(ci, CI_DEFAULT_BRANCH="trunk")
    assert proc.returncode == 2 and "default branch 'trunk' (from CI_DEFAULT_BRANCH) is not in this repository" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- commit graph -----------------------------------------------------------------------------


def _at(hour: int) -> dict[str, str]:
    return {"GIT_AUTHOR_DATE": f"2026-02-01T{hour:02d}:00:00Z", "GIT_COMMITTER_DATE": f"2026-02-01T{hour:02d}:00:00Z"}


def _commit_at(repo: Path, hour: int, message: str, *args: str) -> None:
    import subprocess

    env = {**git_env(), **_at(hour)}
    subprocess.run(["git", "commit", "-q", *args, "-m", message], cwd=repo, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_criss_cross_merge_that_re_resolves_a_reverted_file_is_not_measured_from_one_merge_base(attack) -> None:
    """main once held the risky job (M-1) and reverted it (M0); the attacker's earlier branch B1,
    forked at M-1, was merged into main (M1). The attack branch merges M0 into B1 and resolves
    the file to the risky text. merge-base(main, attack) is {B1, M0}; git picked B1, whose file
    is already the risky one, so the change looked empty (PASS), while `git merge attack` into
    main (over a virtual base of both) brings the risky job back."""
    repo = attack.repo
    git(repo, "checkout", "-q", "main")
    (repo / "inventory/jobs.py").write_text(LOST_UPDATE_JOB)
    git(repo, "add", "-A")
    _commit_at(repo, 1, "M-1: the job (later reverted)")
    git(repo, "rm", "-q", "inventory/jobs.py")
    _commit_at(repo, 2, "M0: revert it")
    m0 = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "b1", "HEAD~1")
    (repo / "NOTES.md").write_text("benign\n")
    git(repo, "add", "-A")
    _commit_at(repo, 3, "B1: benign")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "b1")
    assert not (repo / "inventory/jobs.py").exists()  # main is safe
    git(repo, "checkout", "-q", "-b", "criss", "b1")
    git(repo, "merge", "-q", "--no-ff", "--no-commit", m0, check=False)
    (repo / "inventory/jobs.py").write_text(LOST_UPDATE_JOB)
    git(repo, "add", "-A")
    _commit_at(repo, 5, "merge main")
    assert len(git(repo, "merge-base", "--all", "main", "criss").split()) == 2
    git(repo, "checkout", "-q", "-b", "merged", "main")
    git(repo, "merge", "-q", "--no-edit", "criss")
    assert (repo / "inventory/jobs.py").read_text() == LOST_UPDATE_JOB  # merging brings the job back
    git(repo, "checkout", "-q", "criss")
    proc = verify(repo, "--base", "main")
    assert proc.returncode == 2 and "2 merge-bases" in proc.stderr and "Merge main into the branch" in proc.stderr, proc.stdout + proc.stderr
    git(repo, "merge", "-q", "--no-edit", "main")  # the fix the message gives
    assert_blocked(verify(repo, "--base", "main"))


def test_a_python_script_without_extension_or_executable_bit_flags(attack) -> None:
    """`bin/reserve` with a `#!/usr/bin/env python3` line, mode 0644 (run as `python bin/reserve`
    from a Procfile or a cron line): DC001 asked for mode 0755, so the job passed unread."""
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "script", "main")
    commit(repo, {"bin/reserve": "#!/usr/bin/env python3\n" + LOST_UPDATE_JOB}, "script")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == ["bin/reserve"]
    commit(repo, {"bin/reserve": None, "bin/release": "#!/bin/sh\necho release\n", "bin/notes": "just text\n"}, "quiet")
    assert verify(repo, "--base", "main").returncode == 0


def test_an_extensionless_script_under_the_deploycheck_folder_is_scanned(attack) -> None:
    """Files under .deploycheck/ without a code extension were set aside unread, so the script
    check above never saw `.deploycheck/reserve` (a Python job run as `python .deploycheck/reserve`)."""
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "deck", "main")
    commit(repo, {".deploycheck/reserve": "#!/usr/bin/env python3\n" + LOST_UPDATE_JOB}, "script")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == [".deploycheck/reserve"]


def test_worker_configuration_under_the_deploycheck_folder_is_scanned(attack) -> None:
    """Every non-code file under .deploycheck/ was set aside as deploycheck's own, so a compose
    file a deploy applies from there (`docker compose -f .deploycheck/deploy/compose.yaml`)
    raised the worker concurrency unread; the same file under deploy/ is flagged."""
    repo = attack.repo
    compose = 'services:\n  worker:\n    environment:\n      CELERY_WORKER_CONCURRENCY: "16"\n'
    git(repo, "checkout", "-q", "-b", "deck-config", "main")
    commit(repo, {".deploycheck/deploy/compose.yaml": compose}, "compose")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == [".deploycheck/deploy/compose.yaml"]


@pytest.mark.parametrize("folder", ["records", "reviews"])
def test_code_in_the_records_or_reviews_folder_is_no_record_and_fails(attack, folder: str) -> None:
    """A code file among deploycheck's own files was scanned as code only (nothing to flag in
    it) and never seen by the record or review checks, so the gate passed with a file that is
    no record under .deploycheck/records/ (found after the second red-team pass)."""
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", f"hide-{folder}", "main")
    commit(repo, {f".deploycheck/{folder}/x.py": 'import os\nos.system("echo hi")\n'}, "hide")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    codes = {p["code"] for p in json.loads(proc.stdout)["problems"]}
    assert codes & {"invalid-record", "invalid-review"}, codes


def test_without_ci_variables_a_lone_branch_named_master_is_not_its_own_base(attack, tmp_path: Path) -> None:
    git(attack.repo, "push", "-q", "--no-verify", "origin", "attack:master")
    ci = _single_branch_ci_checkout(attack, "master", tmp_path)
    # A CI without GitHub's or GitLab's variables still sets CI: deploycheck then asks origin for
    # its HEAD (main), which the branch cannot change, instead of taking the lone `master`.
    proc = verify(ci, CI="true")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "origin's HEAD" in proc.stdout + proc.stderr


def test_a_folder_symlink_into_a_test_folder_flags(attack) -> None:
    """`inventory/workers -> ../tests/helpers`: production imports `inventory.workers.reserve`,
    stored as tests/helpers/reserve.py, which no rule reads (a test path); the symlink had no
    code extension, so nothing was flagged."""
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "link", "main")
    (repo / "tests/helpers").mkdir(parents=True)
    (repo / "tests/helpers/reserve.py").write_text(LOST_UPDATE_JOB)
    (repo / "inventory/workers").symlink_to("../tests/helpers")
    commit(repo, None, "workers")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == ["inventory/workers"]


def test_when_origin_cannot_say_its_head_a_lone_branch_is_an_error_not_its_own_base(attack, tmp_path: Path) -> None:
    """As above, but origin cannot be reached (moved, no credentials): deploycheck used to fall
    back to the lone `master`, the commit under test, and pass. Now it stops and says what to set."""
    git(attack.repo, "push", "-q", "--no-verify", "origin", "attack:master")
    ci = _single_branch_ci_checkout(attack, "master", tmp_path)
    git(ci, "remote", "set-url", "origin", str(tmp_path / "moved.git"))
    proc = verify(ci, CI="true")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cannot tell the default branch" in proc.stderr and "asking origin failed" in proc.stderr
    assert "DEPLOYCHECK_BASE" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("importer", [
    "from tests.helpers.reserve import reserve_stock\n",
    "from tests.helpers import reserve\n",
    "import tests.helpers.reserve as reserve\n",
])
def test_production_code_under_a_test_path_is_not_analysed(tmp_path: Path, importer: str) -> None:
    """No rule reads test paths; production code that imports a module under one ran it unread:
    a lost update moved into tests/helpers/ passed. Now the file is DC001 (not analysed)."""
    from support.dcflow import make_project

    project = make_project(tmp_path, {
        "inventory/jobs.py": importer,
        "tests/__init__.py": "", "tests/helpers/__init__.py": "",
        "tests/helpers/reserve.py": "def reserve_stock(pid, n):\n    pass\n",
    })
    repo = project.repo
    git(repo, "checkout", "-q", "-b", "attack")
    commit(repo, {"tests/helpers/reserve.py": LOST_UPDATE_JOB}, "test helper")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["flagged_files"] == ["tests/helpers/reserve.py"], proc.stdout
    from support.dcflow import dc_env, run_dc

    scan = run_dc(repo, "scan", "--base", "main", "--format", "json", env=dc_env())
    (finding,) = [f for f in json.loads(scan.stdout)["findings"] if f["path"] == "tests/helpers/reserve.py"]
    assert finding["rule"] == "DC001" and "production code imports it (inventory/jobs.py)" in finding["message"]


@pytest.mark.parametrize("used", [False, True])
def test_a_testing_module_imports_test_code_as_tests_do(tmp_path: Path, used: bool) -> None:
    """`app/testing.py` is test support, like a `testing/` folder (nautobot's apps/testing.py): the
    test code it imports runs in production only when production code imports it in turn."""
    from support.dcflow import dc_env, make_project, run_dc

    files = {"app/__init__.py": "", "app/testing.py": "from tests.helpers.reserve import reserve_stock\n",
             "tests/__init__.py": "", "tests/helpers/__init__.py": "",
             "tests/helpers/reserve.py": "def reserve_stock(pid, n):\n    pass\n"}
    # The documentation's build names the module it documents; no process runs that.
    files["mkdocs.yml"] = "nav:\n  - API: app.testing\n"
    if used:
        files["inventory/jobs.py"] = "from app.testing import reserve_stock\n"
    repo = make_project(tmp_path, files).repo
    git(repo, "checkout", "-q", "-b", "attack")
    commit(repo, {"tests/helpers/reserve.py": LOST_UPDATE_JOB}, "test helper")
    scan = run_dc(repo, "scan", "--base", "main", "--format", "json", env=dc_env())
    found = [f for f in json.loads(scan.stdout)["findings"] if f["path"] == "tests/helpers/reserve.py"]
    if used:
        assert [f["rule"] for f in found] == ["DC001"]
        assert "production code imports it (inventory/jobs.py, through app/testing.py)" in found[0]["message"]
    else:
        assert found == [] and scan.returncode == 0, scan.stdout


@pytest.mark.parametrize("imported", ["app", "lib"])
def test_each_testing_module_importing_test_code_is_followed(tmp_path: Path, imported: str) -> None:
    """Two `testing.py` modules import the same test helper and production code imports only one
    of them: whichever it is, the helper runs in production."""
    from support.dcflow import dc_env, make_project, run_dc

    helper = "from tests.helpers.reserve import reserve_stock\n"
    files = {"app/__init__.py": "", "app/testing.py": helper, "lib/__init__.py": "", "lib/testing.py": helper,
             "tests/__init__.py": "", "tests/helpers/__init__.py": "",
             "tests/helpers/reserve.py": "def reserve_stock(pid, n):\n    pass\n",
             "inventory/jobs.py": f"from {imported}.testing import reserve_stock\n"}
    repo = make_project(tmp_path, files).repo
    git(repo, "checkout", "-q", "-b", "attack")
    commit(repo, {"tests/helpers/reserve.py": LOST_UPDATE_JOB}, "test helper")
    scan = run_dc(repo, "scan", "--base", "main", "--format", "json", env=dc_env())
    found = [f for f in json.loads(scan.stdout)["findings"] if f["path"] == "tests/helpers/reserve.py"]
    assert [f["rule"] for f in found] == ["DC001"], scan.stdout
    assert f"production code imports it (inventory/jobs.py, through {imported}/testing.py)" in found[0]["message"]


def test_a_test_helper_no_production_code_imports_stays_quiet(attack) -> None:
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "tests-only", "main")
    commit(repo, {"tests/helpers/reserve.py": LOST_UPDATE_JOB, "tests/test_reserve.py": "from tests.helpers.reserve import reserve_stock\n"}, "tests")
    proc = verify(repo, "--base", "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- red team 3 ---

ROOT = Path(__file__).resolve().parents[2]
# A package that, once imported, leaves a mark in the checkout: what a branch can commit as
# `pip/`, `venv/` or `deploycheck/` at its root.
HIJACK = 'import pathlib\npathlib.Path(__file__).resolve().parents[1].joinpath("HIJACKED").write_text(__name__)\n'


def _hijacking_checkout(attack, tmp_path: Path) -> Path:
    """A CI-like clone of a branch that commits `pip/`, `venv/` and `deploycheck/` packages at its root."""
    repo = attack.repo
    commit(repo, {f"{name}/{part}": HIJACK for name in ("pip", "venv", "deploycheck") for part in ("__init__.py", "__main__.py")},
           "tooling")
    git(repo, "push", "-q", "--no-verify", "origin", "attack")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--branch", "attack", f"file://{attack.remote}", str(ci))
    return ci


def _install_commands(spec: str) -> list[tuple[str, dict[str, str]]]:
    """Every shipped CI install step, as a shell script and the variables its step sets."""
    import yaml

    from deploycheck.commands.init import template

    action = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"][1]
    workflow = yaml.safe_load(template("github-workflow.yml"))["jobs"]["deploycheck"]["steps"]
    (install,) = [s["run"] for s in workflow if s.get("name") == "Install deploycheck"]
    out = [(action["run"], {"DEPLOYCHECK_SPEC": spec, "DEPLOYCHECK_ACTION_PATH": spec}),
           (install.replace("__DEPLOYCHECK_PIP_SPEC__", spec), {})]
    for text in (template("gitlab-ci.yml"), (ROOT / "ci/gitlab/deploycheck.gitlab-ci.yml").read_text()):
        out.append((yaml.safe_load(text)["deploycheck"]["script"][0], {"DEPLOYCHECK_PIP_SPEC": spec}))
    return out


def test_the_shipped_ci_install_steps_never_run_code_from_the_branch(attack, tmp_path: Path) -> None:
    """The GitHub Action, the workflow `init` writes and both GitLab jobs ran `python -m venv` /
    `python -m pip` in the checkout of the branch under test, and `python -m` imports from the
    working directory first: a branch committing `pip/__main__.py` (or `venv/`) ran its own code
    in the gate's job, which could install a `deploycheck` that always passes."""
    import os
    import subprocess
    import sys

    ci = _hijacking_checkout(attack, tmp_path)
    env = {**git_env(), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "RUNNER_TEMP": str(tmp_path / "runner"), "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    (tmp_path / "runner").mkdir()
    for script, variables in _install_commands(str(tmp_path / "no-such-distribution")):
        subprocess.run(["bash", "-e", "-c", script], cwd=ci, env={**env, **variables},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert not (ci / "HIJACKED").exists(), f"the branch's {(ci / 'HIJACKED').read_text()} ran in: {script}"


def test_the_plain_pre_push_hook_never_runs_a_deploycheck_package_from_the_work_tree(attack, tmp_path: Path) -> None:
    """The hook's launcher ran `python -m deploycheck` in the work tree: a branch committing a
    `deploycheck/` package replaced the gate on the machine of whoever pushed it."""
    import sys

    from support.dcflow import remote_has, run_git

    from deploycheck.commands.hook import hook_script

    ci = _hijacking_checkout(attack, tmp_path)
    # Written as `deploycheck hook install` writes it (running that in `ci` would import the branch's package).
    hook = ci / ".git/hooks/pre-push"
    hook.write_text(hook_script("pre-push", sys.executable))
    hook.chmod(0o755)
    git(ci, "checkout", "-q", "-b", "again")
    proc = run_git(ci, "push", "origin", "again")
    assert not (ci / "HIJACKED").exists()
    assert proc.returncode != 0 and remote_has(attack, "again") is None, proc.stderr


def test_a_tag_pushed_to_a_branch_is_checked_by_the_plain_pre_push_hook(attack) -> None:
    """The hook skipped every line whose LOCAL ref is a tag, so `git push origin v1:refs/heads/x`
    put the risky commit on a branch unchecked (exit 0). A tag pushed as a tag is still skipped."""
    from support.dcflow import remote_has, run_dc, run_git

    repo = attack.repo
    assert run_dc(repo, "hook", "install").returncode == 0
    git(repo, "tag", "v1", "attack")
    proc = run_git(repo, "push", "origin", "v1:refs/heads/shipit")
    assert proc.returncode != 0 and remote_has(attack, "shipit") is None, proc.stderr
    assert "deploycheck: blocked" in proc.stderr
    assert run_git(repo, "push", "origin", "v1").returncode == 0  # a release tag: not a branch


@pytest.mark.parametrize("importer_path, importer", [
    ("inventory/jobs.py", "from tests.helpers import (\n    reserve,\n)\n"),  # isort's and black's wrapping
    ("inventory/jobs.py", "from tests.helpers import \\\n    reserve\n"),
    ("inventory/jobs.py", "import os; import tests.helpers.reserve\n"),
    ("inventory/jobs.py", "reserve = __import__('tests.helpers.reserve')\n"),
    ("inventory/jobs.py", "import importlib\nreserve = importlib.import_module('tests.helpers.reserve')\n"),
    ("inventory/celery.py", "from celery import Celery\napp = Celery('inventory', include=['tests.helpers.reserve'])\n"),
    ("Procfile", "worker: celery -A tests.helpers.reserve worker --concurrency 8\n"),
    ("deploy/crontab", "*/5 * * * * python tests/helpers/reserve.py\n"),
    ("pyproject.toml", '[project.scripts]\nreserve = "tests.helpers.reserve:reserve_stock"\n'),
])
def test_production_code_loading_a_test_module_in_any_form_flags(tmp_path: Path, importer_path: str, importer: str) -> None:
    """The import check of the second pass read one line at a time: an import wrapped in
    parentheses or after a backslash (as isort and black write long ones), after a `;`, a module
    named in a string (importlib, Celery's `include`), or named by a Procfile or crontab, let the
    lost update in tests/helpers/reserve.py run in production unread (exit 0)."""
    from support.dcflow import make_project

    project = make_project(tmp_path, {
        importer_path: importer, "tests/__init__.py": "", "tests/helpers/__init__.py": "",
        "tests/helpers/reserve.py": "def reserve_stock(pid, n):\n    pass\n",
    })
    git(project.repo, "checkout", "-q", "-b", "attack")
    commit(project.repo, {"tests/helpers/reserve.py": LOST_UPDATE_JOB}, "test helper")
    proc = verify(project.repo, "--base", "main", "--format", "json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["flagged_files"] == ["tests/helpers/reserve.py"], proc.stdout + proc.stderr


@pytest.mark.parametrize("importer_path, importer", [
    ("inventory/jobs.py", "from tests import (\n    helpers,\n)\n"),  # the package, not the changed module in it
    ("docs/testing.md", "Run `python tests/helpers/reserve.py` or import tests.helpers.reserve.\n"),
    ("tests/test_reserve.py", "from tests.helpers import (\n    reserve,\n)\n"),
    ("inventory/jobs.py", "# reserve stock, see tests\nRESERVE = 'reserve'\n"),
])
def test_a_test_module_production_code_does_not_load_stays_quiet(tmp_path: Path, importer_path: str, importer: str) -> None:
    from support.dcflow import make_project

    project = make_project(tmp_path, {
        importer_path: importer, "tests/__init__.py": "", "tests/helpers/__init__.py": "",
        "tests/helpers/reserve.py": "def reserve_stock(pid, n):\n    pass\n",
    })
    git(project.repo, "checkout", "-q", "-b", "attack")
    commit(project.repo, {"tests/helpers/reserve.py": LOST_UPDATE_JOB}, "test helper")
    proc = verify(project.repo, "--base", "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("importer_path, importer", [
    ("Makefile", "test:\n\tpytest tests/helpers/reserve.py\n"),
    ("noxfile.py", "def tests(session):\n    session.run('pytest', 'tests/helpers/reserve.py')\n"),
    ("inventory/jobs.py", "HELP = 'see tests.helpers.reserve for an example'\n"),
    (".gitlab-ci.yml", "smoke:\n  script:\n    - python tests/helpers/reserve.py\n"),
    ("runtests.py", "def main():\n    from tests import helpers\n"),  # a test runner (huey's runs its tests)
])
def test_tooling_that_only_runs_a_test_module_stays_quiet(tmp_path: Path, importer_path: str, importer: str) -> None:
    test_a_test_module_production_code_does_not_load_stays_quiet(tmp_path, importer_path, importer)


CLEANUP_JAVA = """\
package com.acme;

public class Cleanup {
    @Scheduled(fixedRate = 60000)
    public void purge() {
        repository.deleteExpired();
    }
}
"""


def test_a_java_unicode_escape_that_ends_a_comment_flags(attack, tmp_path: Path) -> None:
    """javac reads `\\u000a` as a line break before it reads comments: `// audit trail \\u000a
    repository.deleteAll();` runs deleteAll() in a @Scheduled job, while the tree rules (and a
    reviewer) saw a comment-only change: DC701 info, PASS (exit 0)."""
    import shutil
    import subprocess

    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "java", "main")
    path = "src/main/java/com/acme/Cleanup.java"
    commit(repo, {path: CLEANUP_JAVA}, "cleanup job")
    git(repo, "push", "-q", "--no-verify", "origin", "java:main")  # main holds the job
    git(repo, "checkout", "-q", "-b", "hidden")
    line = "        // audit trail \\u000a repository.deleteAll();\n"
    commit(repo, {path: CLEANUP_JAVA.replace("deleteExpired();\n", "deleteExpired();\n" + line)}, "comment")
    proc = verify(repo, "--base", "origin/main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == [path]
    from support.dcflow import dc_env, run_dc

    scan = run_dc(repo, "scan", "--base", "origin/main", "--format", "json", env=dc_env())
    (finding,) = [f for f in json.loads(scan.stdout)["findings"] if f["rule"] == "DC001"]
    assert finding["line"] == 7 and "\\u000a (a line break)" in finding["message"]
    if shutil.which("javac") and shutil.which("java"):  # proof that javac runs the "comment"
        (tmp_path / "T.java").write_text('public class T { public static void main(String[] a) {\n'
                                         + line.replace("repository.deleteAll()", 'System.out.println("ran")') + "} }\n")
        subprocess.run(["javac", "T.java"], cwd=tmp_path, check=True)
        assert subprocess.run(["java", "T"], cwd=tmp_path, stdout=subprocess.PIPE, text=True).stdout == "ran\n"


def test_java_escapes_that_javac_and_readers_agree_on_stay_quiet(attack) -> None:
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "java-text", "main")
    text = ('package com.acme;\n\npublic class Text {\n    static final String CAFE = "caf\\u00e9";\n'
            '    static final String RESET = "\\u001b[0m";\n    static final String LITERAL = "\\\\u0041";\n}\n')
    commit(repo, {"src/main/java/com/acme/Text.java": text}, "text")
    proc = verify(repo, "--base", "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_python_zipapp_flags(attack, tmp_path: Path) -> None:
    """`python bin/reserve.pyz` runs the Python source zipped inside; `.pyz` was no code
    extension, so a worker shipped that way passed unread (exit 0)."""
    import subprocess
    import sys
    import zipapp

    source = tmp_path / "app"
    source.mkdir()
    (source / "__main__.py").write_text('print("reserving")\n')
    archive = tmp_path / "reserve.pyz"
    zipapp.create_archive(source, archive, interpreter="/usr/bin/env python3")
    assert subprocess.run([sys.executable, str(archive)], stdout=subprocess.PIPE, text=True).stdout == "reserving\n"
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "zipapp", "main")
    commit(repo, {"bin/reserve.pyz": archive.read_bytes()}, "worker")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == ["bin/reserve.pyz"]


CHARGE_JOB_RB = """\
class ChargeJob
  include Sidekiq::Job

  def perform(id)
    invoice = Invoice.find(id)
    invoice.charge!
  end
end
"""
EMAIL_WORKER_TS = """\
import { Worker } from "bullmq";

async function sendEmail(job) {
  const user = await users.find(job.data.userId);
  await mailer.send(user.email, job.data.body);
}

new Worker("email", sendEmail, { connection });
"""


@pytest.mark.parametrize("path, base, anchor, added", [
    ("src/main/java/com/acme/Cleanup.java", CLEANUP_JAVA, "        repository.deleteExpired();\n",
     '        log.info("reserved {}", inventory.reserve(orderId, quantity));\n'),
    ("app/jobs/charge_job.rb", CHARGE_JOB_RB, "    invoice.charge!\n",
     '    Rails.logger.info("stock left: #{invoice.product.decrement!(:stock)}")\n'),
    ("src/workers/email.ts", EMAIL_WORKER_TS, "  await mailer.send(user.email, job.data.body);\n",
     '  console.log("left", await inventory.reserve(job.data.id, 1));\n'),
])
def test_a_logging_call_that_acts_is_no_logging_only_change(attack, path: str, base: str, anchor: str, added: str) -> None:
    """The tree rules prove "behaviour unchanged" by dropping logging statements whole, their
    arguments included: `log.info("reserved {}", inventory.reserve(orderId, quantity))` added to
    a @Scheduled job was "changed only in logging calls" (DC701 info) and passed (exit 0)."""
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "job", "main")
    commit(repo, {path: base}, "job")
    git(repo, "push", "-q", "--no-verify", "origin", "job:main")
    git(repo, "checkout", "-q", "-b", "log-acts")
    commit(repo, {path: base.replace(anchor, anchor + added)}, "more logging")
    proc = verify(repo, "--base", "origin/main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == [path]


def test_a_logging_call_that_only_reads_is_still_logging_only(attack) -> None:
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "job", "main")
    path = "src/main/java/com/acme/Cleanup.java"
    commit(repo, {path: CLEANUP_JAVA}, "job")
    git(repo, "push", "-q", "--no-verify", "origin", "job:main")
    git(repo, "checkout", "-q", "-b", "log-reads")
    added = '        log.info("purged for {} at {}", order.getId(), String.format("%d", limit));\n'
    commit(repo, {path: CLEANUP_JAVA.replace("deleteExpired();\n", "deleteExpired();\n" + added)}, "logging")
    proc = verify(repo, "--base", "origin/main")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_python_logging_call_that_acts_is_no_logging_only_change(tmp_path: Path) -> None:
    """The same for Python (py_equiv): `logger.info("audit %s", audit.record(pid, qty))` added to
    a Celery task was "changed only in logging" (DC101 info), PASS. A log line that only formats
    what it reads stays logging only."""
    from support.dcflow import MAIN_JOB, make_project

    project = make_project(tmp_path, {"inventory/jobs.py": MAIN_JOB})
    repo = project.repo
    anchor = '    Product.objects.filter(pk=pid).update(stock=F("stock") - qty)\n'
    git(repo, "checkout", "-q", "-b", "acts")
    commit(repo, {"inventory/jobs.py": MAIN_JOB.replace(anchor, anchor + '    logger.info("audit %s", audit.record(pid, qty))\n')}, "log")
    assert_blocked(verify(repo, "--base", "main"))
    git(repo, "checkout", "-q", "-b", "reads", "main")
    quiet = '    logger.info("reserved %s of %s at %s", qty, str(pid), ", ".join([job.name, job.get_id()]))\n'
    commit(repo, {"inventory/jobs.py": MAIN_JOB.replace(anchor, anchor + quiet)}, "log")
    proc = verify(repo, "--base", "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", ["bin/reserve.pyw", "inventory/fast_reserve.pyx", "bin/RESERVE.PY"])
def test_python_under_another_extension_flags(attack, path: str) -> None:
    """`python bin/reserve.pyw` runs it and Cython compiles `.pyx` into what is imported, but
    the Python rules read `*.py` only: these passed unread (exit 0)."""
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "ext", "main")
    commit(repo, {path: LOST_UPDATE_JOB}, "worker")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == [path]


def test_python_names_spelt_in_letters_python_folds_flag(attack) -> None:
    """Python folds identifiers with NFKC (PEP 3131): `product.ｓａｖｅ()` calls save(). Every
    pre-filter read the full-width letters as written, so the lost update in a helper passed as
    nothing flagged (exit 0); in plain letters it is DC301."""
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "wide", "main")
    helper = ("from inventory.models import Product\n\n\ndef reserve_stock(pid, n):\n"
              "    product = Product.ｏｂｊｅｃｔｓ.ｇｅｔ(pk=pid)\n    product.ｓｔｏｃｋ = product.ｓｔｏｃｋ - n\n    product.ｓａｖｅ()\n")
    commit(repo, {"inventory/helpers.py": helper}, "helper")
    import ast

    assert ast.dump(ast.parse(helper)).count("attr='save'") == 1  # what Python runs
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == ["inventory/helpers.py"]


def test_accented_names_and_wide_letters_in_strings_stay_readable(attack) -> None:
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "accents", "main")
    text = '# naïve café, ｗｉｄｅ\ndef prix_réduit(prix):\n    """ｓａｖｅ"""\n    return prix * 0.9  # ｘ\n'
    commit(repo, {"inventory/prices.py": text}, "prices")
    proc = verify(repo, "--base", "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", ["Rakefile", "config.ru"])
def test_ruby_that_no_rule_reads_flags(attack, path: str) -> None:
    """A rake task doing a lost update is flagged in lib/tasks/inventory.rake, but the Ruby rules
    read `.rb` and `.rake` only: the same task in the Rakefile (run by `rake inventory:reserve`
    from a crontab) passed unread (exit 0)."""
    task = ("namespace :inventory do\n  task :reserve, [:id, :qty] => :environment do |_t, args|\n"
            "    product = Product.find(args[:id])\n    product.stock = product.stock - args[:qty].to_i\n"
            "    product.save!\n  end\nend\n")
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "rake", "main")
    commit(repo, {"lib/tasks/inventory.rake": task}, "task")
    assert_blocked(verify(repo, "--base", "main"))  # where the Ruby rules read it
    git(repo, "checkout", "-q", "-b", "rakefile", "main")
    commit(repo, {path: task}, "task")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == [path]


def _gitlab_merge_request(project, branch: str, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A GitLab merge-request pipeline for ``branch``: its clone holds the source branch alone, and
    the base is CI_MERGE_REQUEST_DIFF_BASE_SHA, the merge-base GitLab computed."""
    from support.dcflow import dc_env

    git(project.repo, "push", "-q", "--no-verify", "origin", branch)
    clone = tmp_path / f"builds-{branch}"
    git(tmp_path, "clone", "-q", "--single-branch", "--branch", branch, f"file://{project.remote}", str(clone))
    diff_base = git(project.repo, "merge-base", "origin/main", branch)
    return clone, dc_env(CI="true", GITLAB_CI="true", CI_PIPELINE_SOURCE="merge_request_event",
                         CI_MERGE_REQUEST_DIFF_BASE_SHA=diff_base, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main",
                         CI_DEFAULT_BRANCH="main", CI_COMMIT_SHA=git(project.repo, "rev-parse", branch))


def test_a_gitlab_merge_request_cannot_replay_a_record_main_took_in_after_the_fork(tmp_path: Path) -> None:
    """main merged a refactor with its signed record, then reverted the refactor. A branch forked
    before that merge brings the same refactor back with a copy of the record. The replay check
    read the history of the base, which in a GitLab merge request is CI_MERGE_REQUEST_DIFF_BASE_SHA
    (the fork point), where the record never was: PASS (exit 0), and merging re-applies the
    reverted change. (`--base origin/main` refused it already.)"""
    from support.dcflow import make_project, run_dc

    project = make_project(tmp_path)
    fork = project.main_sha
    repo = project.repo
    project.flagged_branch("refactor")
    assert project.assess().returncode == 0
    git(repo, "commit", "-q", "-m", "record")
    record = git(repo, "diff", "--name-only", "HEAD~1", "HEAD")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "refactor")
    git(repo, "rm", "-q", "inventory/jobs.py")
    git(repo, "commit", "-q", "-m", "Revert the reservation refactor")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    git(repo, "checkout", "-q", "-b", "again", fork)
    git(repo, "checkout", "refactor", "--", "inventory/jobs.py", "tests/test_inventory_concurrency.py", record)
    git(repo, "commit", "-q", "-m", "bring the refactor back")
    clone, env = _gitlab_merge_request(project, "again", tmp_path)
    proc = run_dc(clone, "verify", "--format", "json", env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert [p["code"] for p in json.loads(proc.stdout)["problems"]] == ["invalid-record"]


def test_a_gitlab_merge_request_forked_before_a_key_was_removed_is_not_signed_by_it(tmp_path: Path) -> None:
    """main removes a (stolen) key from allowed_signers; a branch forked before that removal
    signs its risky change with the key. The GitLab gate read allowed_signers at
    CI_MERGE_REQUEST_DIFF_BASE_SHA, the fork point, which still trusted it: PASS (exit 0), so
    removing a key (the remedy docs/security-model.md gives for a stolen one) did not stop it."""
    from support.dcflow import make_project, run_dc

    project = make_project(tmp_path)
    repo = project.repo
    project.flagged_branch("stolen")
    assert project.assess().returncode == 0
    git(repo, "commit", "-q", "-m", "record")
    git(repo, "checkout", "-q", "main")
    commit(repo, {".deploycheck/allowed_signers": "# dev@example.com's key was stolen: removed\n"}, "Revoke a key")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    clone, env = _gitlab_merge_request(project, "stolen", tmp_path)
    proc = run_dc(clone, "verify", "--format", "json", env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert [p["code"] for p in json.loads(proc.stdout)["problems"]] == ["untrusted-signer"]


@pytest.mark.parametrize("codec", ["rot13", "base64", "zlib_codec"])
def test_a_coding_declaration_naming_a_codec_that_is_no_text_encoding_is_dc001_not_an_internal_error(attack, codec: str) -> None:
    """`# coding: rot13` names a codec Python has but will not read source with: deploycheck
    crashed on it (exit 2, "internal error (LookupError…)") instead of reporting the file."""
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "codec", "main")
    commit(repo, {"inventory/r.py": f"# coding: {codec}\nk = 1\n"}, "codec")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == ["inventory/r.py"]


def test_a_gitlab_merge_request_is_judged_by_the_targets_configuration_today(tmp_path: Path) -> None:
    """main excluded inventory/ when the branch forked and has since stopped: the GitLab gate read
    the configuration at CI_MERGE_REQUEST_DIFF_BASE_SHA (the fork point), still excluding it, and
    passed the risky job (exit 0)."""
    from support.dcflow import RISKY, make_project, run_dc

    project = make_project(tmp_path, {".deploycheck/config.yaml": 'exclude:\n  - "inventory/**"\n'})
    repo = project.repo
    git(repo, "checkout", "-q", "-b", "early")
    commit(repo, RISKY, "refactor")
    git(repo, "checkout", "-q", "main")
    commit(repo, {".deploycheck/config.yaml": "exclude: []\n"}, "Scan inventory/ again")
    git(repo, "push", "-q", "--no-verify", "origin", "main")
    clone, env = _gitlab_merge_request(project, "early", tmp_path)
    proc = run_dc(clone, "verify", "--format", "json", env=env)
    assert proc.returncode == 1 and json.loads(proc.stdout)["flagged_files"] == ["inventory/jobs.py"], proc.stdout + proc.stderr


# Found by red team 3 and left open (docs/security-model.md, "Third red-team pass").


def test_a_logging_call_whose_side_effect_takes_no_arguments_is_no_logging_only_change(tmp_path: Path) -> None:
    from support.dcflow import MAIN_JOB, make_project

    project = make_project(tmp_path, {"inventory/jobs.py": MAIN_JOB})
    anchor = '    Product.objects.filter(pk=pid).update(stock=F("stock") - qty)\n'
    git(project.repo, "checkout", "-q", "-b", "pop")
    commit(project.repo, {"inventory/jobs.py": MAIN_JOB.replace(anchor, anchor + '    logger.info("next %s", pending.pop())\n')}, "log")
    assert_blocked(verify(project.repo, "--base", "main"))


def test_a_test_module_loaded_through_its_packages_init_flags(tmp_path: Path) -> None:
    from support.dcflow import make_project

    project = make_project(tmp_path, {
        "inventory/jobs.py": "from tests.helpers import reserve_stock\n", "tests/__init__.py": "",
        "tests/helpers/__init__.py": "from .reserve import reserve_stock\n",
        "tests/helpers/reserve.py": "def reserve_stock(pid, n):\n    pass\n",
    })
    git(project.repo, "checkout", "-q", "-b", "attack")
    commit(project.repo, {"tests/helpers/reserve.py": LOST_UPDATE_JOB}, "test helper")
    assert_blocked(verify(project.repo, "--base", "main"))


@pytest.mark.xfail(strict=True, reason="the pre-commit framework hands a pre-push hook the first pushed ref only: "
                                       "`git push origin clean risky` checks `clean` (pre-commit's hook_impl, not deploycheck)")
def test_pre_commit_checks_every_ref_of_one_push(attack, tmp_path: Path) -> None:
    from support.dcflow import framework_pre_push, remote_has, run_git

    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "clean", "main")
    commit(repo, {"NOTES.md": "notes\n"}, "notes")
    env = framework_pre_push(repo, tmp_path / "pre-commit-home")
    alone = run_git(repo, "push", "origin", "attack", env=env)
    assert alone.returncode != 0 and remote_has(attack, "attack") is None  # the risky branch alone is blocked
    run_git(repo, "push", "origin", "clean", "attack", env=env)
    assert remote_has(attack, "attack") is None


def test_a_folder_symlink_with_a_dot_in_its_name_flags(attack) -> None:
    """`web/workers.d -> ../test/fixtures`: Node requires `./workers.d/reserve.js`, stored (and
    judged) as a test fixture, which no rule reads; the second pass flagged folder symlinks
    without an extension only, so this one passed (exit 0) while the same code at
    web/reserve.js is flagged."""
    reserve = ("export async function reserve(Product, id, qty) {\n  const p = await Product.findByPk(id);\n"
               "  p.stock = p.stock - qty;\n  await p.save();\n}\n")
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "plain", "main")
    commit(repo, {"web/reserve.js": reserve}, "worker")
    assert_blocked(verify(repo, "--base", "main"))
    git(repo, "checkout", "-q", "-b", "linked", "main")
    (repo / "test/fixtures").mkdir(parents=True)
    (repo / "test/fixtures/reserve.js").write_text(reserve)
    (repo / "web").mkdir(exist_ok=True)
    (repo / "web/workers.d").symlink_to("../test/fixtures")
    commit(repo, {"web/index.js": 'module.exports = require("./workers.d/reserve.js");\n'}, "worker")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == ["web/workers.d"]


def test_a_symlink_to_a_data_file_stays_quiet(attack) -> None:
    repo = attack.repo
    git(repo, "checkout", "-q", "-b", "data", "main")
    (repo / "config").mkdir()
    (repo / "config/prod.json").write_text("{}\n")
    (repo / "config/current.json").symlink_to("prod.json")
    commit(repo, None, "config")
    proc = verify(repo, "--base", "main")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("attributes", ["*.py -diff", "*.py binary", "inventory/*.py -diff"])
def test_branch_gitattributes_cannot_hide_the_production_import_of_a_test_module(tmp_path: Path, attributes: str) -> None:
    """The check that a changed test-path module is imported by production code searched with
    `git grep`, which reads the work tree's .gitattributes (the branch's): `*.py -diff` made every
    importer binary, so none was found and the lost update in tests/helpers/reserve.py passed
    (exit 0; the same before red team 3's rewrite, whose line search read "Binary file matches")."""
    from support.dcflow import make_project

    project = make_project(tmp_path, {
        "inventory/jobs.py": "from tests.helpers.reserve import reserve_stock\n", "tests/__init__.py": "",
        "tests/helpers/__init__.py": "", "tests/helpers/reserve.py": "def reserve_stock(pid, n):\n    pass\n",
    })
    git(project.repo, "checkout", "-q", "-b", "attack")
    commit(project.repo, {"tests/helpers/reserve.py": LOST_UPDATE_JOB, ".gitattributes": attributes + "\n"}, "helper")
    proc = verify(project.repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == ["tests/helpers/reserve.py"]


def test_a_javascript_name_written_with_unicode_escapes_flags(attack) -> None:
    """Node reads `p.\\u0073ave()` as `p.save()`; the pattern rules read the escape as written, so
    a lost update in web/reserve.js spelt with escapes passed (exit 0) where the plain one is
    flagged. Escapes inside strings stay quiet."""
    repo = attack.repo
    escaped = ("export async function reserve(Product, id, qty) {\n  const p = await Product.findByPk(id);\n"
               "  p.\\u0073tock = p.\\u0073tock - qty;\n  await p.\\u0073ave();\n}\n")
    git(repo, "checkout", "-q", "-b", "js-escapes", "main")
    commit(repo, {"web/reserve.js": escaped}, "worker")
    proc = verify(repo, "--base", "main", "--format", "json")
    assert_blocked(proc)
    assert json.loads(proc.stdout)["flagged_files"] == ["web/reserve.js"]
    git(repo, "checkout", "-q", "-b", "js-strings", "main")
    commit(repo, {"web/text.js": 'export const CAFE = "caf\\u00e9"; // \\u0041 in a comment\n'}, "text")
    assert verify(repo, "--base", "main").returncode == 0
