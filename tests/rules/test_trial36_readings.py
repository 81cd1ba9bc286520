"""Readings from session 36's new users' trials (thelounge, argo, homebox) and its red team, on real
git repositories: each case fails without its change."""

from __future__ import annotations

import pytest

from deploycheck.git.model import Finding
from deploycheck.hooks.warn import warning_line
from support.scanning import flagged_on_branch

# --- thelounge (TypeScript) ----------------------------------------------------------------------------

# Its message storage, declared in `job_paths`, lost a class: "a job already queued for it fails
# when a worker takes it (in Ruby a NameError …)" of in-process TypeScript code.
STORAGE = """export class Deferred {
  resolve() {
    return 1
  }
}

export class Storage {
  index() {
    return 2
  }
}
"""


def test_removed_code_in_job_paths_is_not_told_it_is_a_queued_ruby_job(tmp_path) -> None:
    path = "server/plugins/messageStorage/sqlite.ts"
    after = STORAGE.split("export class Storage")[0].replace("export class Deferred", "export class Storage")
    found = flagged_on_branch(tmp_path, {".deploycheck/config.yaml": "job_paths: ['server/plugins/messageStorage/**']\n",
                                         path: STORAGE}, {path: after.replace("return 1", "return 2")})
    removed = [message for _, _, side, _, message in found if side == "base" and message.startswith("Background code removed")]
    assert removed, found
    assert all("NameError" not in m and "If work is queued or scheduled by its name" in m
               and "check that nothing relied on what it did" in m for m in removed), removed


@pytest.mark.parametrize("side, shown", [("base", "server/clientManager.ts:91 (base) DC356"),
                                         ("head", "server/clientManager.ts:91 DC356")])
def test_the_commit_warning_marks_a_removed_line_s_number(side, shown) -> None:
    # thelounge: the pre-commit warning named `clientManager.ts:91`, a removed line, as if at head.
    found = Finding("DC356", "lock-removed", "locking", "high", "server/clientManager.ts", 91, 91, "m", side=side)
    line = warning_line([found])
    assert line is not None and f"({shown} lock-removed)" in line
