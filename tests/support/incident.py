"""The inventory incident as files, shared by tests: main has the atomic F() update, the branch
has the "minor refactor, no behavioral changes" that turns it into get / modify / save."""

from __future__ import annotations

import subprocess
from pathlib import Path

from deploycheck.demo import project as demo
from support.gitrepo import commit, git, make_branch, make_repo

# The files are the demo's (deploycheck.demo.project): the incident is written once. The branch's
# version here keeps the author's claim as a comment, as the postmortem's commit did.
MODELS, JOB_MAIN, CONCURRENCY_TEST = demo.MODELS, demo.JOB_MAIN, demo.CONCURRENCY_TEST
JOB_BRANCH = demo.JOB_BRANCH.replace(
    "    product = Product", "    # minor refactor, no behavioral changes\n    product = Product", 1
)

ANSWERS = '''shared-state: {answer: "yes", details: "decrements inventory.Product.stock, also written by the checkout API"}
sequential-assumption: {answer: "yes", details: "none yet: the refactor read-modify-writes; fixed with select_for_update in a follow-up"}
concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}
rollback-safe: "yes"
silent-failure: "Two workers processing orders for the same product at the same moment."
'''


def keygen(path: Path, kind: str = "ed25519", comment: str = "dev@example.com") -> Path:
    args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", comment, "-f", str(path)]
    if kind == "rsa":
        args[4:4] = ["-b", "3072"]
    subprocess.run(args, check=True, stdin=subprocess.DEVNULL)
    return path


def signer_line(key: Path, principal: str = "dev@example.com", options: str = "") -> str:
    kind, blob = Path(str(key) + ".pub").read_text().split()[:2]
    return f"{principal} {options + ' ' if options else ''}{kind} {blob}\n"


def incident_repo(tmp_path: Path, key: Path | None = None, signers: str | None = None, extra_main: dict | None = None) -> Path:
    """main with the shop (and allowed_signers for ``key``); branch `refactor` with the refactor."""
    files = {
        "inventory/__init__.py": "",
        "inventory/models.py": MODELS,
        "inventory/jobs.py": JOB_MAIN,
        "tests/test_inventory_concurrency.py": CONCURRENCY_TEST,
    }
    if key is not None or signers is not None:
        files[".deploycheck/allowed_signers"] = signers if signers is not None else signer_line(key)  # type: ignore[arg-type]  # key is set when signers is not
    files.update(extra_main or {})
    repo = make_repo(tmp_path / "shop", files)
    make_branch(repo, "refactor", {"inventory/jobs.py": JOB_BRANCH}, message="minor refactor, no behavioral changes")
    return repo


def write_answers(tmp_path: Path, text: str = ANSWERS) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    return path


__all__ = ["commit", "git", "incident_repo", "keygen", "signer_line", "write_answers"]
