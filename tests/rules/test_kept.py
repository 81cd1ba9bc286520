"""Answers about a base that the hooks keep and carry to the next base (rules/trees/kept.py) are
what git answers when asked anew: which files hold job code, which files name a function."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support.gitrepo import commit, git, make_branch, make_repo
from deploycheck.analysis.pipeline import analyse

JOB = "class RevertImportJob < ApplicationJob\n  def perform(import)\n    import.revert_entries\n  end\nend\n"
IMPORT = ("class Import < ApplicationRecord\n  def revert_entries\n    entries.destroy_all\n  end\n\n"
          "  def publish_entries\n    family.sync\n  end\nend\n")
CHANGED = IMPORT.replace("entries.destroy_all\n", "entries.delete_all\n")
WEIRD = "app/models/odd [name]*.rb"


def _dc701(repo: Path) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in analyse(base="main", cwd=str(repo)).scan.active if f.rule == "DC701"]


def _kept(repo: Path, folder: str, base: str) -> dict:
    files = list((repo / ".git" / "deploycheck" / folder).glob(f"{base}-ruby-*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text())


def _next_base(repo: Path, files: dict) -> str:
    """Move main on with ``files`` and start a new branch from it that makes the same change."""
    git(repo, "checkout", "-q", "main")
    base = commit(repo, files, "main moves on")
    git(repo, "checkout", "-q", "-b", f"work-{base[:7]}")
    commit(repo, {"app/models/import.rb": CHANGED})
    return base


def test_an_answer_carried_to_the_next_base_is_what_git_answers_anew(tmp_path) -> None:
    repo = make_repo(tmp_path / "repo", {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT,
                                         "app/models/family.rb": "class Family\n  def publish_entries; end\nend\n",
                                         WEIRD: "class Odd\n  def go\n    Import.new.publish_entries\n  end\nend\n",
                                         "lib/tasks/old.rake": "task :old do\n  Import.first.revert_entries\nend\n"})
    first = git(repo, "rev-parse", "main").strip()
    make_branch(repo, "work", {"app/models/import.rb": CHANGED})
    assert _dc701(repo) == [("app/models/import.rb", 3)]
    asked_first = _kept(repo, "trees-naming", first)
    assert asked_first["publish_entries"] == sorted(["app/models/family.rb", "app/models/import.rb", WEIRD])

    # Main moves on: the job moves to a worker, a file stops naming a function and another starts,
    # a file is removed, one with glob characters in its name changes.
    second = _next_base(repo, {
        "app/jobs/revert_import_job.rb": None,
        "app/workers/revert_worker.rb": JOB.replace("RevertImportJob < ApplicationJob", "RevertWorker\n  include Sidekiq::Job"),
        "app/models/family.rb": "class Family\n  def publish_all; end\nend\n",
        "app/models/account.rb": "class Account\n  def publish_entries\n    1\n  end\nend\n",
        "lib/tasks/old.rake": None,
        WEIRD: "class Odd\n  def go\n    2\n  end\nend\n"})
    assert _dc701(repo) == [("app/models/import.rb", 3)]
    carried = {folder: _kept(repo, folder, second) for folder in ("trees-naming", "trees-job-files")}
    assert carried["trees-job-files"] == {"job code": ["app/workers/revert_worker.rb"]}
    assert carried["trees-naming"]["publish_entries"] == ["app/models/account.rb", "app/models/import.rb"]
    # Carried, not asked anew: it holds every name the first base was asked about.
    assert set(asked_first) <= set(carried["trees-naming"])

    shutil.rmtree(repo / ".git" / "deploycheck")
    assert _dc701(repo) == [("app/models/import.rb", 3)]
    anew = {folder: _kept(repo, folder, second) for folder in ("trees-naming", "trees-job-files")}
    assert anew["trees-job-files"] == carried["trees-job-files"]
    assert {name: carried["trees-naming"][name] for name in anew["trees-naming"]} == anew["trees-naming"]


def test_a_base_that_loses_its_last_job_carries_no_job_code(tmp_path) -> None:
    repo = make_repo(tmp_path / "repo", {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT})
    make_branch(repo, "work", {"app/models/import.rb": CHANGED})
    assert _dc701(repo) == [("app/models/import.rb", 3)]
    second = _next_base(repo, {"app/jobs/revert_import_job.rb": None})
    assert _dc701(repo) == []
    assert _kept(repo, "trees-job-files", second) == {"job code": []}


def test_an_answer_kept_for_a_commit_this_repository_lacks_is_not_carried(tmp_path) -> None:
    # The earlier base may be gone (a shallow fetch, a gc after a force-push): git is asked anew.
    repo = make_repo(tmp_path / "repo", {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT})
    make_branch(repo, "work", {"app/models/import.rb": CHANGED})
    assert _dc701(repo) == [("app/models/import.rb", 3)]
    for folder in ("trees-naming", "trees-job-files"):
        [kept] = (repo / ".git" / "deploycheck" / folder).glob("*.json")
        lost = kept.with_name("f" * 40 + kept.name[40:])
        lost.write_text(json.dumps({"revert_entries": [], "job code": []}))
        kept.unlink()
    assert _dc701(repo) == [("app/models/import.rb", 3)]


def test_a_changed_path_git_may_respell_is_asked_anew(tmp_path) -> None:
    # git on macOS composes every argument (core.precomposeUnicode): a changed path that a commit
    # spells decomposed, given as a pathspec, would name no file there. Such a move is asked anew;
    # a composed one is carried. A name only the kept answer holds tells the two apart.
    repo = make_repo(tmp_path / "repo", {"app/jobs/revert_import_job.rb": JOB, "app/models/import.rb": IMPORT})
    make_branch(repo, "work", {"app/models/import.rb": CHANGED})
    assert _dc701(repo) == [("app/models/import.rb", 3)]
    for spelled, carried in (("caf\u00e9", True), ("cafe\u0301", False)):
        [kept] = (repo / ".git" / "deploycheck" / "trees-naming").glob(
            git(repo, "rev-parse", "main") + "-ruby-*.json")
        kept.write_text(json.dumps({**json.loads(kept.read_text()), "only_kept": ["app/models/import.rb"]}))
        base = _next_base(repo, {f"app/workers/{spelled}.rb": JOB.replace("RevertImportJob", f"W{len(spelled)}")})
        assert _dc701(repo) == [("app/models/import.rb", 3)]
        assert ("only_kept" in _kept(repo, "trees-naming", base)) is carried, spelled
        assert f"app/workers/{spelled}.rb" in _kept(repo, "trees-job-files", base)["job code"]
