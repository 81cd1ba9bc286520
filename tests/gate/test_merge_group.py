"""`verify --merge-group` (issue 18, merge queues): a GitHub merge group is a first-parent chain of
commits on the base branch's tip, one per pull request (a merge or a squash commit). Each commit is
checked as its own change against its own record, every one trusted as the group's base has it.

Real repositories, real `deploycheck check` signing with real ssh-keygen keys; the group is built
with git the way GitHub builds it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.dcflow import CONCURRENCY_TEST, LOST_UPDATE_JOB, Project, dc_env, make_key, make_project, run_dc
from support.gitrepo import commit, git

RESTOCK_JOB = LOST_UPDATE_JOB.replace("reserve_stock", "restock").replace("product.stock - n", "product.stock + n")
# Two pull requests, each flagged in a file of its own.
PULL_REQUESTS = {"a": {"inventory/jobs.py": LOST_UPDATE_JOB}, "b": {"inventory/restock.py": RESTOCK_JOB}}


@dataclass
class Queue:
    project: Project
    base: str  # the base branch's tip the group is built on (merge_group.base_sha)

    @property
    def repo(self) -> Path:
        return self.project.repo

    def pull_request(self, name: str, files: dict, *, record: bool = True, key: Path | None = None, start: str = "main") -> str:
        """Branch ``name`` off ``start`` with ``files`` and, when asked, the record `deploycheck`
        writes for it (signed with ``key``, the project's by default)."""
        git(self.repo, "checkout", "-q", "-b", name, start)
        commit(self.repo, files, f"PR {name}")
        if record:
            proc = run_dc(self.repo, "check", "--base", "main", "--answers", str(self.project.write_answers()), "--yes",
                          "--key", str(key or self.project.key), env=dc_env())
            assert proc.returncode == 0, proc.stdout + proc.stderr
            git(self.repo, "commit", "-q", "-m", f"deploycheck record for {name}")
        return git(self.repo, "rev-parse", "HEAD")

    def group(self, *names: str, squash: bool = False, rebase: bool = False) -> str:
        """The merge group GitHub builds: from the base, one commit per pull request (merge or
        squash), or each pull request's commits replayed on it (rebase)."""
        git(self.repo, "checkout", "-q", "--detach", self.base)
        for number, name in enumerate(names, 1):
            if rebase:
                git(self.repo, "cherry-pick", "--allow-empty", f"main..{name}")
            elif squash:
                git(self.repo, "merge", "-q", "--squash", name)
                git(self.repo, "commit", "-q", "-m", f"PR {name} (#{number})")
            else:
                git(self.repo, "merge", "-q", "--no-ff", "-m", f"Merge pull request #{number} from shop/{name}", name)
        return git(self.repo, "rev-parse", "HEAD")

    def verify(self, *args: str, base: str | None = None) -> tuple[int, dict]:
        proc = run_dc(self.repo, "verify", "--merge-group", "--base", base or self.base, "--format", "json", *args, env=dc_env())
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode in (0, 1), proc.stdout + proc.stderr
        return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def queue(tmp_path: Path) -> Queue:
    # the test the answers name is on main, so that every pull request's answers hold
    project = make_project(tmp_path, {"tests/test_inventory_concurrency.py": CONCURRENCY_TEST})
    return Queue(project, project.main_sha)


def _codes(doc: dict, step: int) -> list[str]:
    return [p["code"] for p in doc["steps"][step - 1]["problems"]]


@pytest.mark.parametrize("squash", [False, True], ids=["merge-commits", "squash-commits"])
def test_a_group_of_two_flagged_pull_requests_each_with_its_record_passes(queue: Queue, squash: bool) -> None:
    for name, files in PULL_REQUESTS.items():
        queue.pull_request(name, files)
    head = queue.group("a", "b", squash=squash)
    code, doc = queue.verify()
    assert code == 0, doc
    assert (doc["ok"], doc["merge_group"], doc["base"], doc["head"], doc["flagged"]) == (True, True, queue.base, head, True)
    assert doc["flagged_files"] == ["inventory/jobs.py", "inventory/restock.py"]
    steps = doc["steps"]
    assert [s["kind"] for s in steps] == (["commit", "commit"] if squash else ["merge", "merge"])
    assert [s["parent"] for s in steps] == [queue.base, steps[0]["commit"]] and steps[1]["commit"] == head
    assert [s["flagged_files"] for s in steps] == [["inventory/jobs.py"], ["inventory/restock.py"]]
    assert [(s["ok"], [r["status"] for r in s["records"]]) for s in steps] == [(True, ["valid"]), (True, ["valid"])]
    assert doc["record"] == steps[0]["record"] and doc["problems"] == []
    # The combined change matches neither record: what the queue failed on before --merge-group.
    plain = run_dc(queue.repo, "verify", "--base", queue.base, "--format", "json", env=dc_env())
    assert plain.returncode == 1 and {p["code"] for p in json.loads(plain.stdout)["problems"]} == {"stale-record"}


def test_a_rebase_group_checks_each_pull_requests_commits_together_up_to_its_record(queue: Queue) -> None:
    """A queue that rebases puts each pull request's commits in the group, the record after the
    code: the code commit alone has no record, and with the commits up to its record it is
    exactly the change the record was signed for."""
    for name, files in PULL_REQUESTS.items():
        queue.pull_request(name, files)
    head = queue.group("a", "b", rebase=True)
    code, doc = queue.verify()
    assert code == 0, doc
    assert [(s["step"], s["last_step"], s["kind"], s["ok"]) for s in doc["steps"]] == [(1, 2, "commits", True), (3, 4, "commits", True)]
    assert doc["steps"][1]["commit"] == head and len(doc["steps"][1]["commits"]) == 2


def test_a_rebase_group_cannot_cover_one_pull_requests_code_with_the_next_ones_record(queue: Queue) -> None:
    """a's code has no record; b's record follows it in the group. The combined change holds a's
    flagged file, which b's record does not cover: a's step fails as missing its record."""
    queue.pull_request("a", PULL_REQUESTS["a"], record=False)
    queue.pull_request("b", PULL_REQUESTS["b"])
    queue.group("a", "b", rebase=True)
    code, doc = queue.verify()
    assert code == 1
    assert [(s["step"], s["last_step"], s["ok"]) for s in doc["steps"]] == [(1, 1, False), (2, 3, True)]
    assert _codes(doc, 1) == ["missing-record"]
    text = run_dc(queue.repo, "verify", "--merge-group", "--base", queue.base, env=dc_env())
    assert "3 first-parent commits" in text.stdout and "Steps 2-3/3 (" in text.stdout
    assert text.stdout.rstrip().endswith('FAIL: 1 of the 2 changes of the merge group fails: step 1/3 (' + doc["steps"][0]["commit"][:12] + ' "PR a").')


def test_a_pull_request_without_a_record_fails_and_its_step_is_named(queue: Queue) -> None:
    queue.pull_request("a", PULL_REQUESTS["a"])
    queue.pull_request("b", PULL_REQUESTS["b"], record=False)
    queue.group("a", "b")
    code, doc = queue.verify()
    assert code == 1
    assert [s["ok"] for s in doc["steps"]] == [True, False]
    assert _codes(doc, 2) == ["missing-record"]
    (problem,) = doc["problems"]
    assert problem["step"] == 2 and problem["message"].startswith('step 2/2 (') and "Merge pull request #2 from shop/b" in problem["message"]
    assert "that pull request's branch" in problem["fix"] and doc["record"] is None
    report = queue.repo.parent / "codequality.json"
    text = run_dc(queue.repo, "verify", "--merge-group", "--base", queue.base, "--codequality", str(report), env=dc_env())
    assert text.returncode == 1
    issues = json.loads(report.read_text())
    assert issues and {i["location"]["path"] for i in issues} == {"inventory/restock.py"}
    assert all(i["description"].startswith("missing-record: step 2/2 (") for i in issues)
    assert 'FAIL: 1 of the 2 changes of the merge group fails: step 2/2 (' in text.stdout


def test_a_pull_request_that_adds_a_signer_cannot_vouch_for_a_later_one(queue: Queue, tmp_path: Path) -> None:
    """PR a adds mallory's key to allowed_signers (unflagged, it needs no record); PR b's record is
    signed by mallory. Merged one after the other, b's would be trusted; in one group it is not:
    every step is trusted as the group's base has it."""
    mallory, public = make_key(tmp_path / "mallory")
    signers = (queue.repo / ".deploycheck/allowed_signers").read_text() + f"dev@example.com {public}\n"
    queue.pull_request("a", {".deploycheck/allowed_signers": signers}, record=False)
    queue.pull_request("b", PULL_REQUESTS["b"], key=mallory)
    queue.group("a", "b")
    code, doc = queue.verify()
    assert code == 1
    assert doc["steps"][0]["ok"] is True and "trusted signers" in " ".join(doc["steps"][0]["notes"])
    assert "untrusted-signer" in _codes(doc, 2)
    # the step's note reaches a GitHub run too, as a notice naming the step
    github = run_dc(queue.repo, "verify", "--merge-group", "--base", queue.base, "--format", "github", env=dc_env())
    notices = [line for line in github.stdout.splitlines() if line.startswith("::notice title=deploycheck%3A note::step 1/2 (")]
    assert notices and "trusted signers" in notices[0], github.stdout
    # The control: on a base that already has a's signers, b's record is trusted.
    code, doc = queue.verify(base=doc["steps"][0]["commit"])
    assert code == 0 and len(doc["steps"]) == 1, doc


def test_a_step_that_is_not_its_pull_requests_change_fails_with_the_queue_fix(queue: Queue) -> None:
    """The queue resolved a conflict in b's merge (here: an edit to the flagged job in the merge
    commit itself): the step no longer makes the change b's record was signed for."""
    for name, files in PULL_REQUESTS.items():
        queue.pull_request(name, files)
    queue.group("a", "b")
    (queue.repo / "inventory/restock.py").write_text(RESTOCK_JOB + "    product.refresh_from_db()\n")
    git(queue.repo, "commit", "-q", "-a", "--amend", "--no-edit")
    code, doc = queue.verify()
    assert code == 1
    assert doc["steps"][0]["ok"] is True
    codes = _codes(doc, 2)
    assert codes[0] == "merge-group-step-differs" and "stale-record" in codes
    differs = doc["steps"][1]["problems"][0]
    assert "step 2/2" in differs["message"] and "rebase the pull request" in differs["fix"].lower()
    assert "queue it alone" in differs["fix"]


def test_a_record_an_earlier_step_adds_does_not_count_again_later(queue: Queue) -> None:
    """b also carries a copy of a's record under another name: records count once, also within
    one group (a's record is not on the base yet, so only the group's own bookkeeping knows it)."""
    queue.pull_request("a", PULL_REQUESTS["a"])
    record = git(queue.repo, "diff", "--name-only", "main", "a", "--", ".deploycheck/records/")
    copy = (queue.repo / record).read_text()
    queue.pull_request("b", PULL_REQUESTS["b"])
    commit(queue.repo, {".deploycheck/records/copied.yaml": copy}, "a record")
    queue.group("a", "b")
    code, doc = queue.verify()
    assert code == 1 and doc["steps"][0]["ok"] is True
    statuses = {r["path"]: r["status"] for r in doc["steps"][1]["records"]}
    assert statuses[".deploycheck/records/copied.yaml"] == "invalid" and list(statuses.values()).count("valid") == 1
    assert any(p["message"].startswith(f".deploycheck/records/copied.yaml has the same signed body as {record}")
               for p in doc["steps"][1]["problems"]), doc["steps"][1]["problems"]


def test_a_group_of_one_and_an_empty_group(queue: Queue) -> None:
    queue.pull_request("a", PULL_REQUESTS["a"])
    queue.group("a")
    code, doc = queue.verify()
    assert code == 0 and [s["ok"] for s in doc["steps"]] == [True]
    code, doc = queue.verify(base=git(queue.repo, "rev-parse", "HEAD"))
    assert code == 0 and doc["steps"] == [] and doc["flagged"] is False


def test_a_chain_that_does_not_reach_its_base_by_first_parents_fails_closed(queue: Queue) -> None:
    """The base is in the head's history, but only through a second parent (the group was built
    on an older commit and the base merged into it): no step is the base's child, so the group
    cannot be split into its pull requests. Exit 1, never a pass."""
    queue.pull_request("a", PULL_REQUESTS["a"])
    git(queue.repo, "checkout", "-q", "main")
    new_base = commit(queue.repo, {"README.md": "inventory service, v2\n"}, "docs")
    queue.group("a")  # on the old base
    git(queue.repo, "merge", "-q", "--no-ff", "-m", "Merge main", new_base)
    code, doc = queue.verify(base=new_base)
    assert code == 1 and doc["ok"] is False and doc["steps"] == []
    (problem,) = doc["problems"]
    assert problem["code"] == "merge-group-shape" and "first parent is not the base" in problem["message"]


def test_a_base_that_is_not_in_the_groups_history_is_exit_2(queue: Queue) -> None:
    queue.pull_request("a", PULL_REQUESTS["a"])
    git(queue.repo, "checkout", "-q", "-b", "elsewhere", "main")
    other = commit(queue.repo, {"README.md": "elsewhere\n"}, "elsewhere")
    head = queue.group("a")
    proc = run_dc(queue.repo, "verify", "--merge-group", "--base", other, "--head", head, env=dc_env())
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert f"base {other[:12]} is not an ancestor of its head {head[:12]}" in proc.stderr
    assert "fetch-depth: 0" in proc.stderr and "merge_group.base_sha" in proc.stderr
    missing = run_dc(queue.repo, "verify", "--merge-group", "--base", "mian", env=dc_env())
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.parametrize("args,needle", [
    (("--hook",), "--hook"),
    (("--pr-body", "body.md"), "--pr-body"),
    (("--pr-title", "Reserve stock"), "--pr-title"),
])
def test_options_that_name_one_pull_request_or_a_push_are_refused(queue: Queue, args: tuple[str, ...], needle: str) -> None:
    proc = run_dc(queue.repo, "verify", "--merge-group", *args, env=dc_env())
    assert proc.returncode == 2 and needle in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_the_base_comes_from_the_merge_group_event(queue: Queue, tmp_path: Path) -> None:
    """In a merge_group run the base is the event's merge_group.base_sha, never a branch the
    group's commits could name; the github format names the failing step."""
    for name, files in PULL_REQUESTS.items():
        queue.pull_request(name, files, record=name == "a")
    head = queue.group("a", "b")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"merge_group": {"base_sha": queue.base, "head_sha": head,
                                                 "base_ref": "refs/heads/main", "head_ref": "refs/heads/gh-readonly-queue/main/pr-2"},
                                 "repository": {"default_branch": "main"}}))
    summary = tmp_path / "summary.md"
    env = dc_env(GITHUB_EVENT_NAME="merge_group", GITHUB_EVENT_PATH=str(event), GITHUB_STEP_SUMMARY=str(summary), CI="true")
    proc = run_dc(queue.repo, "verify", "--merge-group", "--format", "github", "--json-file", str(tmp_path / "v.json"), env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = json.loads((tmp_path / "v.json").read_text())
    assert doc["base"] == queue.base and [s["ok"] for s in doc["steps"]] == [True, False]
    assert "::error file=inventory/restock.py" in proc.stdout and "step 2/2 (" in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("FAIL: 1 of the 2 changes of the merge group fails")
    assert "## deploycheck verify (merge group)" in summary.read_text()
