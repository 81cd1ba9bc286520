"""`check --force` with a key the base branch does not trust, over a valid record (new-user
trial 22): the valid record is kept and nothing is asked, instead of being replaced by a record
the gate rejects after only a warning. Real git, real ssh-keygen keys, the real CLI."""

from __future__ import annotations

from support.dcflow import make_key, make_project, run_dc
from support.gitrepo import git


def test_force_with_an_untrusted_key_keeps_the_valid_record(tmp_path) -> None:
    p = make_project(tmp_path)
    p.flagged_branch()
    assert p.assess().returncode == 0
    git(p.repo, "commit", "-q", "-m", "Record the assessment")
    folder = p.repo / ".deploycheck" / "records"
    before = {f.name: f.read_bytes() for f in folder.glob("*.yaml")}
    other, _ = make_key(tmp_path / "other")
    proc = run_dc(p.repo, "check", "--answers", str(p.write_answers()), "--yes", "--force", "--key", str(other))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    said = " ".join(proc.stderr.split())
    assert "is not trusted" in said and "A valid record already covers this change" in said
    assert "--force would replace it with one the gate rejects" in said and "Traceback" not in said
    assert {f.name: f.read_bytes() for f in folder.glob("*.yaml")} == before
    assert run_dc(p.repo, "verify", "--base", "main").returncode == 0
    # With the trusted key, --force assesses again as before.
    assert run_dc(p.repo, "check", "--answers", str(p.write_answers()), "--yes", "--force", "--key",
                  str(p.key)).returncode == 0
