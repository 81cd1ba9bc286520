"""The GitHub Action and the workflow `init --ci github` writes (issue 18, CI integration): the
caller's Python, pinned actions, step outputs, merge queues, the sticky pull request comment
(against a real local HTTP server playing GitHub's API), and GitLab's Code Quality report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from support.dcflow import CONCURRENCY_TEST, LOST_UPDATE_JOB, Project, git_env, make_key, make_project, run_dc, pushed_flagged_branch
from deploycheck.output import ghaction
from deploycheck.commands.init import template
from support.gitrepo import commit, git

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
PINNED = re.compile(r"^(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)@(?P<sha>[0-9a-f]{40})\s+#\s*(?P<tag>v\d+\.\d+\.\d+)\s*$")
USES = re.compile(r"^\s*#?\s*-?\s*uses:\s*(?P<rest>.+?)\s*$")


def _uses_lines(text: str) -> list[str]:
    """Every `uses:` of a workflow or action, also in comments (a commented-out step is an
    instruction to the user to enable it as written)."""
    return [m.group("rest") for line in text.splitlines() if (m := USES.match(line))]


def _generated_workflow(tmp_path: Path) -> str:
    from support.gitrepo import make_repo

    repo = make_repo(tmp_path / "repo")
    proc = run_dc(repo, "init", "--ci", "github", "--install-spec", "deploycheck==0.1.0")
    assert proc.returncode == 0, proc.stderr
    return (repo / ".github/workflows/deploycheck.yml").read_text()


# --- pinning ------------------------------------------------------------------------------


def test_every_action_used_is_pinned_by_full_commit_with_its_tag(tmp_path: Path) -> None:
    """action.yml, the workflow `init --ci github` writes and docs/ci.md: `owner/name@<40 hex> # vX.Y.Z`,
    and one commit per action everywhere (a tag moved in one place only would show)."""
    seen: dict[str, set[tuple[str, str]]] = {}
    sources = {"action.yml": ACTION.read_text(), "generated workflow": _generated_workflow(tmp_path)}
    for name, text in sources.items():
        uses = _uses_lines(text)
        assert uses, name
        for rest in uses:
            if rest.startswith("<owner>/deploycheck@"):  # the usage example for this action itself
                continue
            m = PINNED.match(rest)
            assert m, f"{name}: `uses: {rest}` is not pinned to a full commit id with its tag in a comment"
            seen.setdefault(m["action"], set()).add((m["sha"], m["tag"]))
    assert {"actions/checkout", "actions/setup-python", "actions/cache"} <= set(seen)
    assert all(len(pins) == 1 for pins in seen.values()), seen
    docs = (ROOT / "docs/ci.md").read_text()
    for action, pins in seen.items():
        ((sha, tag),) = pins
        for rest in _uses_lines(docs):
            if rest.startswith(action + "@"):
                assert rest.startswith(f"{action}@{sha}") and tag in rest, f"docs/ci.md: {rest}"


def test_an_unpinned_use_is_caught() -> None:
    """The check itself: a tag, a short id or a missing tag comment do not pass."""
    for rest in ("actions/checkout@v4", "actions/checkout@11d5960", "actions/checkout@" + "a" * 40,
                 "actions/checkout@" + "A" * 40 + " # v4.0.0"):
        assert not PINNED.match(rest), rest
    assert PINNED.match("actions/checkout@" + "a" * 40 + " # v6.1.0")


# --- the action: the caller's Python --------------------------------------------------------


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def _step(step_id_or_name: str) -> dict:
    steps = _action()["runs"]["steps"]
    return next(s for s in steps if s.get("id") == step_id_or_name or s.get("name") == step_id_or_name)


def test_the_action_sets_up_python_only_when_asked_and_never_changes_path() -> None:
    action = _action()
    assert set(action["inputs"]) == {"version", "base", "allowed-signers", "python-version", "cache", "comment",
                                     "comment-on-forks", "github-token"}
    assert action["inputs"]["python-version"]["default"] == ""
    setups = [s for s in action["runs"]["steps"] if str(s.get("uses", "")).startswith("actions/setup-python@")]
    assert len(setups) == 1
    assert setups[0]["if"] == "inputs.python-version != ''"
    assert setups[0]["with"]["update-environment"] is False  # later steps keep the caller's PATH
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"]  # inputs only through env
            # nothing is exported to later steps of the caller's job
            assert "GITHUB_PATH" not in step["run"] and "GITHUB_ENV" not in step["run"]


def test_the_action_requires_the_python_deploycheck_supports() -> None:
    requires = re.search(r'requires-python\s*=\s*">=(\d+)\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert requires
    assert f"sys.version_info < ({requires[1]}, {requires[2]})" in _step("python")["run"]


def _run_step(step: dict, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # As the runner runs a composite's bash step.
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIM` blocks."""
    values: dict[str, str] = {}
    lines = path.read_text().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
            i += 1
        else:
            i += 1
    return values


def test_the_python_step_uses_the_python_on_path_and_refuses_an_old_one(tmp_path: Path) -> None:
    step = _step("python")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "github_output"
    out.write_text("")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GITHUB_OUTPUT": str(out), "RUNNER_OS": "Linux",
           "DEPLOYCHECK_SETUP_PYTHON": "", "DEPLOYCHECK_SPEC": "deploycheck>=0.1,<0.2", "DEPLOYCHECK_ACTION_PATH": "/a"}
    python3 = bin_dir / "python3"
    python3.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python3.chmod(0o755)
    proc = _run_step(step, tmp_path, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    values = _outputs(out)
    assert values["path"] == str(python3)
    assert re.fullmatch(r"deploycheck-pip-Linux-[0-9a-f]{32}", values["cache-key"])  # no comma from the spec
    # An interpreter older than deploycheck supports (stand-in: one whose version check fails).
    python3.write_text("#!/bin/sh\nexit 1\n")
    out.write_text("")
    proc = _run_step(step, tmp_path, env)
    assert proc.returncode == 2
    assert proc.stdout.startswith("::error title=deploycheck::deploycheck needs Python 3.10 or newer")
    assert "python-version" in proc.stdout and out.read_text() == ""
    # The Python setup-python installed (python-version input) wins over PATH.
    python3.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    proc = _run_step(step, tmp_path, {**env, "DEPLOYCHECK_SETUP_PYTHON": sys.executable})
    assert proc.returncode == 0, proc.stderr
    assert _outputs(out)["path"] == sys.executable


# --- the action: outputs ------------------------------------------------------------------




def _checkout(project: Project, tmp_path: Path, onto: str = "origin/main") -> Path:
    """actions/checkout with fetch-depth 0: a full clone with the tested merge commit detached."""
    clone = tmp_path / "runner" / "work"
    git(tmp_path, "clone", "-q", str(project.remote), str(clone))
    git(clone, "checkout", "-q", "--detach", onto)
    git(clone, "merge", "-q", "--no-ff", "--no-edit", "-m", "Merge feature", "origin/feature")
    return clone


def _pr_env(tmp_path: Path, project: Project, head_sha: str, *, head_repo: str | None = "shop/inventory") -> dict[str, str]:
    event = {
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "title": "Reserve stock",
            "body": "",
            "base": {"ref": "main", "sha": project.main_sha, "repo": {"full_name": "shop/inventory"}},
            "head": {"ref": "feature", "sha": head_sha, "repo": {"full_name": head_repo} if head_repo else None},
        },
        "repository": {"full_name": "shop/inventory", "default_branch": "main"},
    }
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    (runner / "event.json").write_text(json.dumps(event))
    (runner / "summary.md").write_text("")
    (runner / "output").write_text("")
    return {**git_env(), "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(runner / "event.json"), "GITHUB_BASE_REF": "main", "GITHUB_REPOSITORY": "shop/inventory",
            "GITHUB_STEP_SUMMARY": str(runner / "summary.md"), "GITHUB_OUTPUT": str(runner / "output")}


def _venv_shim(runner_temp: Path) -> None:
    """$RUNNER_TEMP/deploycheck-venv as the install step leaves it, running this checkout."""
    bin_dir = runner_temp / "deploycheck-venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, args in (("deploycheck", "-m deploycheck "), ("python", "")):
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" {args}"$@"\n')
        shim.chmod(0o755)


def test_the_verify_step_sets_ok_flagged_and_record_from_the_json_verdict(tmp_path: Path) -> None:
    project, head = pushed_flagged_branch(tmp_path, with_record=True)
    clone = _checkout(project, tmp_path)
    env = _pr_env(tmp_path, project, head)
    runner_temp = tmp_path / "runner" / "temp"
    _venv_shim(runner_temp)
    env.update(RUNNER_TEMP=str(runner_temp), DEPLOYCHECK_INPUT_BASE="", DEPLOYCHECK_INPUT_ALLOWED_SIGNERS="")
    # a stale verdict of an earlier run in the same RUNNER_TEMP must not leak into the outputs
    (runner_temp / "deploycheck-verdict.json").write_text('{"ok": true, "flagged": false, "record": "old.yaml"}')
    proc = _run_step(_step("verify"), clone, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("PASS: ")  # the annotations' format still
    record = git(clone, "diff", "--name-only", "origin/main", "HEAD", "--", ".deploycheck/records/")
    assert _outputs(Path(env["GITHUB_OUTPUT"])) == {"ok": "true", "flagged": "true", "record": record}
    verdict = json.loads((runner_temp / "deploycheck-verdict.json").read_text())
    assert verdict["record"] == record and verdict["ok"] is True  # the field added to the JSON

    # The same branch judged against a signers file that does not trust the author: a failed gate.
    Path(env["GITHUB_OUTPUT"]).write_text("")
    _, other = make_key(tmp_path / "org")
    org = tmp_path / "org_signers"
    org.write_text(f"lead@example.com {other}\n")
    proc = _run_step(_step("verify"), clone, {**env, "DEPLOYCHECK_INPUT_ALLOWED_SIGNERS": str(org)})
    assert proc.returncode == 1
    assert _outputs(Path(env["GITHUB_OUTPUT"])) == {"ok": "false", "flagged": "true", "record": ""}

    # Bad input (exit 2, no verdict written): ok is false and flagged is unknown.
    Path(env["GITHUB_OUTPUT"]).write_text("")
    proc = _run_step(_step("verify"), clone, {**env, "DEPLOYCHECK_INPUT_BASE": "no-such-branch"})
    assert proc.returncode == 2
    assert _outputs(Path(env["GITHUB_OUTPUT"])) == {"ok": "false", "flagged": "", "record": ""}


def test_a_hostile_record_path_cannot_set_another_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.write_text("")
    verdict = tmp_path / "verdict.json"
    verdict.write_text(json.dumps({"ok": True, "flagged": True, "record": "r.yaml\nok<<EOF\nfalse\nEOF\nflagged=x\x1b[31m"}))
    values = ghaction.write_outputs(str(verdict), str(out))
    parsed = _outputs(out)
    assert set(parsed) == {"ok", "flagged", "record"}
    assert parsed["ok"] == "true" and parsed["flagged"] == "true"
    assert parsed["record"] == values["record"] == "r.yaml\\nok<<EOF\\nfalse\\nEOF\\nflagged=x\\x1b[31m"


# --- merge queues ---------------------------------------------------------------------------


def _merge_group_env(tmp_path: Path, base_sha: str, base_ref: str, head_sha: str) -> dict[str, str]:
    event = {
        "action": "checks_requested",
        "merge_group": {"head_sha": head_sha, "head_ref": f"refs/heads/gh-readonly-queue/{base_ref}/pr-7-{base_sha}",
                        "base_sha": base_sha, "base_ref": f"refs/heads/{base_ref}"},
        "repository": {"full_name": "shop/inventory", "default_branch": "main"},
    }
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    (runner / "event.json").write_text(json.dumps(event))
    # GitHub sets no GITHUB_BASE_REF for merge_group: the base is in the payload only.
    return {**git_env(), "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "merge_group",
            "GITHUB_EVENT_PATH": str(runner / "event.json"), "GITHUB_REF": event["merge_group"]["head_ref"]}


def test_a_merge_group_is_compared_with_the_groups_base_commit(tmp_path: Path) -> None:
    project, _ = pushed_flagged_branch(tmp_path, with_record=True)
    clone = _checkout(project, tmp_path)
    head = git(clone, "rev-parse", "HEAD")
    env = _merge_group_env(tmp_path, project.main_sha, "main", head)
    proc = run_dc(clone, "verify", "--format", "json", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    verdict = json.loads(proc.stdout)
    assert (verdict["base"], verdict["ok"], verdict["flagged"]) == (project.main_sha, True, True)
    # pr_field cannot be checked in a queue run (no pull request in the payload): no failure for it
    assert [c["code"] for c in verdict["problems"]] == []


def test_a_merge_group_into_another_branch_trusts_that_branchs_signers_not_the_default_branchs(tmp_path: Path) -> None:
    """The queue targets `release`, whose signers do not trust the author; the default branch's
    do. The base comes from the event (merge_group.base_sha), so the record is untrusted."""
    project = make_project(tmp_path)
    _, lead = make_key(tmp_path / "lead")
    git(project.repo, "checkout", "-q", "-b", "release")
    release_sha = commit(project.repo, {".deploycheck/allowed_signers": f"lead@example.com {lead}\n"}, "release signers")
    git(project.repo, "push", "-q", "origin", "release")
    project.flagged_branch()
    assert project.assess().returncode == 0
    git(project.repo, "commit", "-q", "-m", "Concurrency record")
    git(project.repo, "push", "-q", "origin", "feature")
    clone = _checkout(project, tmp_path, onto="origin/release")
    env = _merge_group_env(tmp_path, release_sha, "release", git(clone, "rev-parse", "HEAD"))
    proc = run_dc(clone, "verify", "--format", "json", env=env)
    verdict = json.loads(proc.stdout)
    assert verdict["base"] == release_sha
    assert proc.returncode == 1, proc.stdout
    assert "untrusted-signer" in [p["code"] for p in verdict["problems"]]


def test_the_actions_verify_step_checks_a_merge_group_pull_request_by_pull_request(tmp_path: Path) -> None:
    """On `merge_group` the action passes --merge-group: a group of two flagged pull requests,
    each with its own record, passes (the combined change matches neither record)."""
    project = make_project(tmp_path, {"tests/test_inventory_concurrency.py": CONCURRENCY_TEST})  # the answers name it
    project.flagged_branch("first")
    assert project.assess().returncode == 0
    git(project.repo, "commit", "-q", "-m", "Concurrency record")
    git(project.repo, "checkout", "-q", "-b", "second", "main")
    commit(project.repo, {"inventory/restock.py": LOST_UPDATE_JOB.replace("reserve_stock", "restock")}, "Restock job")
    assert project.assess().returncode == 0
    git(project.repo, "commit", "-q", "-m", "Concurrency record")
    git(project.repo, "checkout", "-q", "--detach", "main")
    for number, branch in enumerate(("first", "second"), 1):
        git(project.repo, "merge", "-q", "--no-ff", "-m", f"Merge pull request #{number} from shop/{branch}", branch)
    head = git(project.repo, "rev-parse", "HEAD")
    env = _merge_group_env(tmp_path, project.main_sha, "main", head)
    runner_temp = tmp_path / "runner" / "temp"
    _venv_shim(runner_temp)
    (tmp_path / "runner" / "output").write_text("")
    env.update(RUNNER_TEMP=str(runner_temp), DEPLOYCHECK_INPUT_BASE="", DEPLOYCHECK_INPUT_ALLOWED_SIGNERS="",
               GITHUB_OUTPUT=str(tmp_path / "runner" / "output"), GITHUB_STEP_SUMMARY=str(tmp_path / "runner" / "summary.md"))
    proc = _run_step(_step("verify"), project.repo, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    verdict = json.loads((runner_temp / "deploycheck-verdict.json").read_text())
    assert verdict["merge_group"] is True and [s["ok"] for s in verdict["steps"]] == [True, True]
    assert _outputs(tmp_path / "runner" / "output")["ok"] == "true"
    # The same group, checked as one change (a pull_request run's way): neither record matches it.
    plain = run_dc(project.repo, "verify", "--format", "json", env=env)
    assert plain.returncode == 1, plain.stdout


def test_the_generated_workflow_runs_on_merge_groups_and_caches_pip(tmp_path: Path) -> None:
    workflow = yaml.safe_load(_generated_workflow(tmp_path))
    on = workflow[True] if True in workflow else workflow["on"]
    assert set(on) == {"pull_request", "merge_group"}
    assert workflow["permissions"] == {"contents": "read"}  # the comment's write permission is opt-in
    steps = workflow["jobs"]["deploycheck"]["steps"]
    cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache@"))
    assert cache["with"]["path"] == "~/.cache/pip"
    assert "hashFiles('.github/workflows/deploycheck.yml')" in cache["with"]["key"]
    assert [s.get("run") for s in steps][-2:] == ["deploycheck verify --format github",
                                                  "deploycheck verify --format github --merge-group"]


# --- the sticky comment: the decision -------------------------------------------------------


def _event(head_repo: object = "shop/inventory", number: object = 7) -> dict:
    return {"pull_request": {"number": number, "base": {"repo": {"full_name": "shop/inventory"}},
                             "head": {"repo": {"full_name": head_repo}} if head_repo is not None else {"repo": None}}}


@pytest.mark.parametrize("name,event,allow,post", [
    ("pull_request", _event(), False, True),
    ("pull_request", _event("mallory/inventory"), False, False),
    ("pull_request", _event("mallory/inventory"), True, True),
    ("pull_request", _event(None), False, False),  # a deleted fork is a fork
    ("pull_request_target", _event(), False, False),  # a write token in the base's context: never
    ("merge_group", {"merge_group": {"base_sha": "a" * 40}}, False, False),
    ("push", {}, False, False),
    ("pull_request", _event(number="7"), False, False),
    ("pull_request", _event(number=True), False, False),
    ("pull_request", {"pull_request": {"number": 7, "base": {"repo": {"full_name": "../../x"}}}}, False, False),
])
def test_when_the_comment_is_written(name: str, event: dict, allow: bool, post: bool) -> None:
    decided = ghaction.plan({"GITHUB_EVENT_NAME": name}, event, allow_forks=allow)
    assert decided.post is post, decided.reason
    if post:
        assert (decided.repo, decided.number) == ("shop/inventory", 7)
    else:
        assert decided.reason.startswith("no comment: ")


def test_the_body_starts_with_the_marker_and_defuses_mentions() -> None:
    text = ghaction.body("### Concurrency considerations\n\nasked @octo-org/admins and @alice; mail a@b.c\n")
    assert text.split("\n", 1)[0] == ghaction.MARKER
    assert "@octo-org" not in text and "@alice" not in text and "@\u200bocto-org/admins" in text
    assert len(ghaction.body("x" * 100_000)) < 65_536


# --- the sticky comment: against a local server that plays GitHub's API ----------------------


class FakeGitHub:
    """Issue comments of one pull request, over real HTTP; every request is recorded."""

    def __init__(self) -> None:
        self.comments: list[dict] = []
        self.requests: list[tuple[str, str, str, dict | None]] = []
        self.fail: int | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def _reply(self, code: int, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append((method, self.path, self.headers.get("Authorization", ""), payload))
                if fake.fail:
                    return self._reply(fake.fail, {"message": "Resource not accessible by integration"})
                m = re.fullmatch(r"/repos/shop/inventory/issues/7/comments\?per_page=100&page=(\d+)", self.path)
                if method == "GET" and m:
                    page = int(m[1])
                    return self._reply(200, fake.comments[(page - 1) * 100 : page * 100])
                if method == "POST" and self.path == "/repos/shop/inventory/issues/7/comments":
                    comment = {"id": 1000 + len(fake.comments), "body": payload["body"], "user": {"login": "github-actions[bot]"}}
                    fake.comments.append(comment)
                    return self._reply(201, comment)
                m = re.fullmatch(r"/repos/shop/inventory/issues/comments/(\d+)", self.path)
                if method == "PATCH" and m:
                    comment = next(c for c in fake.comments if c["id"] == int(m[1]))
                    comment["body"] = payload["body"]
                    return self._reply(200, comment)
                return self._reply(404, {"message": "Not Found"})

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeGitHub":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_one_sticky_comment_is_created_then_updated_in_place() -> None:
    with FakeGitHub() as gh:
        # someone else's comment carrying the marker is not ours to update
        gh.comments.append({"id": 1, "body": ghaction.MARKER + "\nfake verdict: PASS", "user": {"login": "mallory"}})
        gh.comments += [{"id": 10 + i, "body": f"comment {i}", "user": {"login": "bob"}} for i in range(120)]
        assert ghaction.post_sticky(gh.url, "t0ken", "shop/inventory", 7, ghaction.body("first\n")) == "created"
        assert ghaction.post_sticky(gh.url, "t0ken", "shop/inventory", 7, ghaction.body("second\n")) == "updated"
        assert ghaction.post_sticky(gh.url, "t0ken", "shop/inventory", 7, ghaction.body("second\n")) == "unchanged"
        ours = [c for c in gh.comments if c["user"]["login"] == "github-actions[bot]"]
        assert [c["body"] for c in ours] == [ghaction.MARKER + "\nsecond\n"]
        assert gh.comments[0]["body"] == ghaction.MARKER + "\nfake verdict: PASS"
        assert {auth for _, _, auth, _ in gh.requests} == {"Bearer t0ken"}
        # the comments were read page by page (121 before ours, so ours is on page 2)
        assert [(m, p) for m, p, _, _ in gh.requests][-2:] == [
            ("GET", "/repos/shop/inventory/issues/7/comments?per_page=100&page=1"),
            ("GET", "/repos/shop/inventory/issues/7/comments?per_page=100&page=2"),
        ]


def test_an_api_refusal_is_one_line_with_the_fix_and_the_token_never_goes_in_clear() -> None:
    from deploycheck.errors import UsageError

    with FakeGitHub() as gh:
        gh.fail = 403
        with pytest.raises(UsageError, match=r"HTTP 403 \(the token needs `pull-requests: write`"):
            ghaction.post_sticky(gh.url, "t0ken", "shop/inventory", 7, ghaction.body("x\n"))
    with pytest.raises(UsageError, match="not https"):
        ghaction.post_sticky("http://api.example.com", "t0ken", "shop/inventory", 7, "x")


def _hostile_record(tmp_path: Path) -> tuple[Project, str]:
    """A flagged branch whose record answers with text that tries to fake the marker, mention a
    team, add a link and close an HTML comment."""
    project = make_project(tmp_path)
    project.flagged_branch()
    answers = project.repo.parent / "hostile.yaml"
    hostile = "--> <!-- deploycheck:summary --> @octo-org/admins [ok](https://evil.example) </details>"
    answers.write_text(
        'shared-state: {answer: "yes", details: "decrements stock"}\n'
        'sequential-assumption: {answer: "yes", details: "row lock"}\n'
        'concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}\n'
        'rollback-safe: "yes"\n'
        f"silent-failure: {json.dumps(hostile)}\n"
    )
    proc = run_dc(project.repo, "check", "--answers", str(answers), "--yes", "--key", str(project.key))
    assert proc.returncode == 0, proc.stderr
    git(project.repo, "commit", "-q", "-m", "Concurrency record")
    git(project.repo, "push", "-q", "origin", "feature")
    return project, git(project.repo, "rev-parse", "HEAD")


def test_summary_github_comment_posts_the_block_with_hostile_text_inert(tmp_path: Path) -> None:
    project, head = _hostile_record(tmp_path)
    clone = _checkout(project, tmp_path)
    env = _pr_env(tmp_path, project, head)
    with FakeGitHub() as gh:
        env.update(GITHUB_API_URL=gh.url, GITHUB_TOKEN="t0ken")
        proc = run_dc(clone, "summary", "--github-comment", env=env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.strip() == "deploycheck: created the deploycheck comment on pull request #7"
        ((comment,),) = [gh.comments]
        body = comment["body"]
        assert body == ghaction.body(proc.stdout)  # the block `summary` prints, behind the marker
        assert body.count(ghaction.MARKER) == 1 and body.startswith(ghaction.MARKER + "\n")
        rest = body.split("\n", 1)[1]
        assert "-->" not in rest and "<!--" not in rest and "</details>" not in rest and "](https://" not in rest
        assert "@octo-org" not in rest and "&lt;\\!-- deploycheck:summary --&gt;" in rest
        assert "verify: PASS" in body
        # the next push updates the same comment
        proc = run_dc(clone, "summary", "--github-comment", env=env)
        assert proc.returncode == 0 and "unchanged the deploycheck comment" in proc.stderr
        assert len(gh.comments) == 1

        # a fork's pull request: no request at all, unless allowed
        gh.requests.clear()
        fork_env = _pr_env(tmp_path, project, head, head_repo="mallory/inventory")
        fork_env.update(GITHUB_API_URL=gh.url, GITHUB_TOKEN="t0ken")
        proc = run_dc(clone, "summary", "--github-comment", env=fork_env)
        assert proc.returncode == 0
        assert "no comment: the pull request comes from a fork" in proc.stderr and gh.requests == []
        assert run_dc(clone, "summary", "--github-comment", "--allow-forks", env=fork_env).returncode == 0
        assert gh.requests != []


def test_summary_github_comment_without_a_token_is_exit_2_with_the_fix(tmp_path: Path) -> None:
    project, head = pushed_flagged_branch(tmp_path, with_record=True)
    clone = _checkout(project, tmp_path)
    env = _pr_env(tmp_path, project, head)
    env.pop("GITHUB_TOKEN", None)
    proc = run_dc(clone, "summary", "--github-comment", env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("deploycheck: error: --github-comment: no token.")
    assert "Traceback" not in proc.stderr


def test_the_actions_comment_step_gets_the_token_and_the_verify_step_does_not() -> None:
    verify, comment = _step("verify"), _step("Comment the summary on the pull request (comment input only)")
    assert "GITHUB_TOKEN" not in verify["env"] and "github-token" not in json.dumps(verify)
    assert comment["env"]["GITHUB_TOKEN"] == "${{ inputs.github-token }}"
    assert "inputs.comment == 'true'" in comment["if"] and "!cancelled()" in comment["if"]
    assert "--allow-forks" in comment["run"] and "DEPLOYCHECK_COMMENT_ON_FORKS" in comment["run"]


# --- GitLab Code Quality ----------------------------------------------------------------------


def test_verify_writes_a_gitlab_code_quality_report(tmp_path: Path) -> None:
    project, head = pushed_flagged_branch(tmp_path, with_record=False)
    report = tmp_path / "gl-code-quality-report.json"
    env = {**git_env(), "CI_MERGE_REQUEST_DIFF_BASE_SHA": project.main_sha}
    proc = run_dc(project.repo, "verify", "--codequality", str(report), env=env)
    assert proc.returncode == 1
    assert "FAIL" in proc.stdout  # the text output is still printed for the job log
    issues = json.loads(report.read_text())
    assert issues and all(set(i) == {"description", "check_name", "fingerprint", "severity", "location"} for i in issues)
    assert {(i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues} == {("inventory/jobs.py", 6), ("inventory/jobs.py", 9)}
    assert all(i["check_name"].startswith("deploycheck missing-record DC") and i["severity"] == "major" for i in issues)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    # a passing change: an empty report (GitLab then shows the issues as resolved)
    assert project.assess().returncode == 0
    git(project.repo, "commit", "-q", "-m", "Concurrency record")
    proc = run_dc(project.repo, "verify", "--codequality", str(report), env=env)
    assert proc.returncode == 0, proc.stdout
    assert json.loads(report.read_text()) == []


def test_code_quality_report_keeps_hostile_paths_inert(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    git(project.repo, "checkout", "-q", "-b", "feature")
    from support.dcflow import LOST_UPDATE_JOB

    hostile = "inventory/jobs\u202e\x1b[31m\"].py"
    commit(project.repo, {hostile: LOST_UPDATE_JOB}, "job")
    report = tmp_path / "cq.json"
    proc = run_dc(project.repo, "verify", "--base", "main", "--codequality", str(report))
    assert proc.returncode == 1, proc.stderr
    raw = report.read_text()
    assert "\x1b" not in raw and "\u202e" not in raw  # escaped as \u001b / \u202e
    issues = json.loads(raw)
    assert {i["location"]["path"] for i in issues} == {hostile}  # the exact path, once decoded


def test_an_unwritable_report_file_is_exit_2_not_a_gate_result(tmp_path: Path) -> None:
    project, _ = pushed_flagged_branch(tmp_path, with_record=True)
    for option in ("--codequality", "--json-file"):
        proc = run_dc(project.repo, "verify", "--base", "main", option, str(tmp_path / "missing" / "x.json"))
        assert proc.returncode == 2, proc.stdout
        assert proc.stderr.startswith(f"deploycheck: error: {option} ") and "cannot write it" in proc.stderr
        assert proc.stdout == ""


@pytest.mark.parametrize("text", [
    template("gitlab-ci.yml"),
    (ROOT / "ci/gitlab/deploycheck.gitlab-ci.yml").read_text(),
], ids=["init-template", "include-file"])
def test_the_gitlab_job_saves_the_code_quality_report(text: str) -> None:
    job = yaml.safe_load(text)["deploycheck"]
    assert job["script"][-1] == "deploycheck verify --codequality gl-code-quality-report.json"
    assert job["artifacts"] == {"when": "always", "reports": {"codequality": "gl-code-quality-report.json"}}


def test_the_comments_verdict_line_is_the_gates(tmp_path: Path) -> None:
    """The comment sits beside the check: with the CI-held signers file the gate uses (which does
    not trust the author), the comment says FAIL, as the check does, not the base branch's PASS."""
    project, head = pushed_flagged_branch(tmp_path, with_record=True)
    clone = _checkout(project, tmp_path)
    env = _pr_env(tmp_path, project, head)
    _, other = make_key(tmp_path / "org")
    org = tmp_path / "org_signers"
    org.write_text(f"lead@example.com {other}\n")
    with FakeGitHub() as gh:
        env.update(GITHUB_API_URL=gh.url, GITHUB_TOKEN="t0ken")
        gate = run_dc(clone, "verify", "--allowed-signers", str(org), env=env)
        assert gate.returncode == 1
        proc = run_dc(clone, "summary", "--github-comment", "--allowed-signers", str(org), env=env)
        assert proc.returncode == 0, proc.stderr
        ((comment,),) = [gh.comments]
        assert "verify: FAIL (untrusted-signer)" in comment["body"]
        assert "verify: PASS" not in comment["body"]


def test_the_pip_cache_is_opt_in_and_stays_under_runner_temp() -> None:
    action = _action()
    assert action["inputs"]["cache"]["default"] == "false"
    cache = next(s for s in action["runs"]["steps"] if str(s.get("uses", "")).startswith("actions/cache@"))
    assert cache["if"] == "inputs.cache == 'true'"
    assert cache["with"] == {"path": "${{ runner.temp }}/deploycheck-pip-cache", "key": "${{ steps.python.outputs.cache-key }}"}
    # pip uses that folder for deploycheck's install only (the caller's ~/.cache/pip is left alone)
    assert _step("Install deploycheck")["env"]["PIP_CACHE_DIR"] == "${{ runner.temp }}/deploycheck-pip-cache"
