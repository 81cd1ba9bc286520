"""Readings from the new users' trials of session 26 (diaspora/diaspora, ory/keto), on real git
repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.gate import dc
from support.gitrepo import git, make_branch, make_repo
from support.scanning import CTFD_ATTEMPT, flagged_on_branch

from deploycheck.output.github import markdown_message
from deploycheck.rules.trees.parse import parse_bytes

BASE = """module Workers
  class Base
    include Sidekiq::Worker
  end
end
"""
RETRACTION = """module Workers
  class DeferredRetraction < Base
    sidekiq_options queue: :low

    def perform(user_id, target_id, target_type, recipients, opts)
      Retraction.for(user_id, target_id).defer_dispatch(recipients, opts)
    end
  end
end
"""
SIDEKIQ_YML = ":queues:\n  - high\n  - low\n"


@pytest.mark.parametrize("old, new, rule, severity", [
    # diaspora c6b53595: `perform` lost an argument, in a worker whose Sidekiq API comes from its base
    ("def perform(user_id, target_id, target_type, recipients, opts)", "def perform(user_id, target_id, recipients, opts)",
     "DC165", "warning"),
    ("queue: :low", "queue: :urgnet", "DC164", "high"),  # a queue config/sidekiq.yml does not list
])
def test_ruby_a_worker_that_inherits_its_job_api_is_a_job_file(tmp_path, old: str, new: str, rule: str, severity: str) -> None:
    files = {"app/workers/base.rb": BASE, "app/workers/deferred_retraction.rb": RETRACTION, "config/sidekiq.yml": SIDEKIQ_YML}
    found = flagged_on_branch(tmp_path, files, {"app/workers/deferred_retraction.rb": RETRACTION.replace(old, new)}, rule=rule)
    assert [(path, sev) for path, _line, _side, sev, _message in found] == [("app/workers/deferred_retraction.rb", severity)]


def test_ruby_a_plain_class_with_a_perform_method_is_no_job_file(tmp_path) -> None:
    service = "class Report < Struct\n  def perform(a, b)\n    a + b\n  end\nend\n"
    found = flagged_on_branch(tmp_path, {"app/services/report.rb": service},
                              {"app/services/report.rb": service.replace("perform(a, b)", "perform(a)")}, rule="DC165")
    assert found == []


def test_ruby_a_removed_worker_is_said_once_with_what_becomes_of_its_queued_jobs(tmp_path) -> None:
    # diaspora 90c5058f: the removed PublishToHub worker was reported for its class and for its
    # `perform`, and neither said that the jobs already queued for it fail.
    hub = "module Workers\n  class PublishToHub < Base\n    def perform(url)\n      Pubsub.publish(url)\n    end\n  end\nend\n"
    found = flagged_on_branch(tmp_path, {"app/workers/base.rb": BASE, "app/workers/publish_to_hub.rb": hub},
                              {"app/workers/publish_to_hub.rb": None})
    assert [(path, line, side) for path, line, side, *_ in found] == [("app/workers/publish_to_hub.rb", 2, "base")]
    assert "`Workers::PublishToHub`" in found[0][4] and "NameError" in found[0][4]


DISPATCHER = """class Dispatcher
  def deliver_to_remote(url)
    PublishToHub.perform_async(url)
  end
end
"""
HUB_WORKER = "class PublishToHub\n  include Sidekiq::Worker\n\n  def perform(url)\n  end\nend\n"


def test_ruby_the_same_job_enqueued_another_way_is_not_a_new_place(tmp_path) -> None:
    # diaspora: `perform_async(…)` made `perform_in(5.seconds, …)` was "new in deliver_to_remote:
    # one more place that starts that job"; it is the same place, with a delay.
    found = flagged_on_branch(tmp_path, {"app/models/dispatcher.rb": DISPATCHER, "app/workers/publish_to_hub.rb": HUB_WORKER},
                              {"app/models/dispatcher.rb": DISPATCHER.replace("perform_async(url)", "perform_in(5.seconds, url)")},
                              rule="DC715")
    assert [(path, line) for path, line, *_ in found] == [("app/models/dispatcher.rb", 3)]
    assert "enqueued with `perform_async` on the base" in found[0][4] and "one more place" not in found[0][4]


TRANSACTION = """package popx

func Run(c *Conn, postgres bool, fn F) error {
	if postgres {
		for i := 0; i < 3; i++ {
			if err := c.Transaction(func(tx *Conn) error { return fn(tx) }); err == nil {
				return nil
			}
		}
	}
	for i := 0; i < 10; i++ {
		if err := c.Transaction(func(tx *Conn) error { return fn(tx) }); err == nil {
			return nil
		}
	}
	return nil
}
"""
MERGED = """package popx

func Run(c *Conn, postgres bool, fn F) error {
	for i := 0; i < 10; i++ {
		if err := c.Transaction(func(tx *Conn) error { return fn(tx) }); err == nil {
			return nil
		}
	}
	return nil
}
"""


@pytest.mark.parametrize("head, severity", [
    (MERGED, "warning"),  # keto d0604815: two retry loops made one, each with its transaction
    (MERGED.replace("c.Transaction(func(tx *Conn) error { return fn(tx) })", "fn(c)"), "high"),  # none left
])
def test_go_a_transaction_left_in_the_function_is_no_high_removal(tmp_path, head: str, severity: str) -> None:
    found = flagged_on_branch(tmp_path, {"popx/transaction.go": TRANSACTION}, {"popx/transaction.go": head}, rule="DC357")
    assert {sev for *_, sev, _message in found} == {severity}


def test_go_1_26_new_of_a_value_parses() -> None:
    # keto's `new(int32(100))` (Go 1.26) was DC703 high: "does not parse as go".
    source = b'package x\n\nfunc f() *int32 {\n\tlimit := new(int32(100))\n\tname := new("x")\n\t_ = name\n\treturn limit\n}\n'
    p = parse_bytes("go", source)
    assert p.error_rows == set()
    assert p.text(p.root) == source.decode()  # the code's own text, not the spelling parsed
    broken = parse_bytes("go", b"package x\n\nfunc f() {\n\tv := new(int32(100)\n}\n")
    assert 4 in broken.error_rows  # a syntax error is still one


def test_a_missing_git_object_names_the_cause_and_the_fix(tmp_path) -> None:
    # diaspora's mirror lacked one image: `scan` printed git's whole command line and its error.
    repo = make_repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    make_branch(repo, "work", {"app.py": "x = 2\n", "logo.txt": "image\n"})
    blob = git(repo, "rev-parse", "work:logo.txt").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    proc = dc(repo, "scan", "--base", "main")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "lacks objects git needs" in proc.stderr and "git fetch --unshallow" in proc.stderr
    assert "--git-dir" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("text, markdown", [
    # the PR block showed `\`Workers::PublishToHub\`` literally on GitHub
    ("`Workers::PublishToHub` is reached", "`Workers::PublishToHub` is reached"),
    ("`a|b` and [x](http://e)", "`a\\|b` and \\[x\\](http\\://e)"),  # a cell's pipe; a link stays text
    ("a `</details>` b", "a `</details>` b"),  # inside a code span HTML is text
    ("one ` alone", "one \\` alone"),
])
def test_a_message_s_code_spans_stay_code_in_markdown(text: str, markdown: str) -> None:
    assert markdown_message(text, in_table=True) == markdown


def test_init_names_the_default_branch_origin_names(tmp_path) -> None:
    # diaspora's default branch is `develop`; init said "Commit these files on your main branch".
    repo = make_repo(tmp_path / "repo", {"README.md": "x\n"})
    git(repo, "update-ref", "refs/remotes/origin/develop", "HEAD")
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop")
    proc = dc(repo, "init")
    assert proc.returncode == 0, proc.stderr
    assert "Commit these files on your default branch (develop) first" in proc.stdout


# --- CTFd (Python), a new user's trial ------------------------------------------------------------

ATTEMPT = CTFD_ATTEMPT
CHECKED_THEN_INC = """from app.cache import cache


def attempt(account_id, max_tries):
    key = f"kpm_{account_id}"
    count = int(cache.get(key) or 0)
    if count >= max_tries:
        return "too many"
    result = submit(account_id)
    cache.inc(key)
    return result
"""


@pytest.mark.parametrize("head, line", [
    (CHECKED_THEN_INC, 6),  # CTFd 945aa547: the atomic reservation made get, check, then inc
    (CHECKED_THEN_INC.replace("    if count >= max_tries:\n        return \"too many\"\n", ""), None),  # nothing decided on the read
    (CHECKED_THEN_INC.replace("cache.inc(key)", "cache.inc(other_key)"), None),  # another counter
])
def test_python_a_counter_checked_then_incremented(tmp_path, head: str, line: int | None) -> None:
    found = flagged_on_branch(tmp_path, {"app/api.py": ATTEMPT}, {"app/api.py": head}, rule="DC303")
    assert [ln for _path, ln, *_ in found] == ([line] if line else [])
    if line:
        assert "The cache key in `key` is read with get(), compared (line 7)" in found[0][4]


MODEL = """from app.db import db


class Solves(db.Model):
    __table_args__ = (db.UniqueConstraint("challenge_id", "user_id"), {})
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(128), unique=True)
"""
DJANGO = """from django.db import models


class Solve(models.Model):
    challenge = models.ForeignKey("Challenge", on_delete=models.CASCADE)
    user = models.ForeignKey("User", on_delete=models.CASCADE)

    class Meta:
        unique_together = ("challenge", "user")
"""


@pytest.mark.parametrize("path, base, head, lines", [
    # CTFd: the solves' unique constraint deleted after signing passed the gate
    ("app/models.py", MODEL, MODEL.replace('(db.UniqueConstraint("challenge_id", "user_id"), {})', "({},)"), [5]),
    ("app/models.py", MODEL, MODEL.replace(", unique=True)", ")"), [7]),
    ("solves/models.py", DJANGO, DJANGO.replace('        unique_together = ("challenge", "user")\n', "        ordering = ['id']\n"), [9]),
    ("app/models.py", MODEL, MODEL.replace('"user_id")', '"user_id", "team_id")'), []),  # changed, still one
])
def test_python_a_unique_constraint_removed(tmp_path, path: str, base: str, head: str, lines: list[int]) -> None:
    found = flagged_on_branch(tmp_path, {path: base}, {path: head}, rule="DC320")
    assert [(ln, side) for _path, ln, side, *_ in found] == [(ln, "base") for ln in lines]
    assert all("no longer refuses a duplicate row" in message for *_, message in found)


def test_a_bundler_s_hashed_output_under_static_is_built_code(tmp_path) -> None:
    # CTFd e708b9d3: Vite's `statistics-CTPcKvQh.js` was parsed for minutes and flagged as jobs'
    # code; it is built output: DC001 says so and names the exclude that quiets it.
    bundle = "CTFd/themes/admin/static/assets/pages/statistics-CTPcKvQh.js"
    worker = "const { Worker } = require('bullmq')\nnew Worker('q', async job => job.data)\n"
    found = flagged_on_branch(tmp_path, {bundle: "setTimeout(function(){a()},1)\n", "src/worker.js": worker},
                              {bundle: "setTimeout(function(){b()},1)\n"}, rule=None)
    assert [path for path, *_ in found] == [bundle]  # one finding, DC001's (the words below are its own)
    assert "a bundler's hashed output under static/" in found[0][4] and "exclude it" in found[0][4]


def test_the_push_hook_init_writes_says_what_to_do_without_the_command(tmp_path) -> None:
    # CTFd: "Executable `deploycheck` not found" blocked every push, naming neither cause nor fix.
    import subprocess

    from deploycheck.commands import init

    proc = subprocess.run(init.PUSH_ENTRY, shell=True, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"},
                          cwd=tmp_path)
    assert proc.returncode == 1
    assert "deploycheck is not on PATH, so this push was not checked and is refused" in proc.stderr
    assert "activate the environment deploycheck is installed in" in proc.stderr


def test_init_names_git_s_signing_key_when_gpg_format_is_not_ssh(tmp_path) -> None:
    # CTFd: init said user.signingkey was unused (gpg.format not ssh), then told the user to run
    # `deploycheck init --key ~/.ssh/id_ed25519.pub`, a file that did not exist.
    import os
    import subprocess

    key = tmp_path / "signing"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    repo = make_repo(tmp_path / "repo", {"README.md": "x\n"})
    git(repo, "config", "user.signingkey", f"{key}.pub")
    proc = dc(repo, "init", env={"HOME": str(tmp_path / "home"), "GIT_CONFIG_NOSYSTEM": "1"})
    assert proc.returncode == 0, proc.stderr
    assert f"git config gpg.format ssh && deploycheck init   # or: deploycheck init --key {key}.pub" in proc.stdout
    assert "~/.ssh/id_ed25519.pub" not in proc.stdout
    assert os.path.exists(f"{key}.pub")
