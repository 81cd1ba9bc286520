"""`deploycheck scan` with plain arguments runs without Typer (commands/scan.run_args); its
answers must be the full CLI's, byte for byte, and anything else must reach the full CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support.gitrepo import make_branch, make_repo
from deploycheck.commands.scan import run_args

JOB = "from celery import shared_task\n\n\n@shared_task\ndef reserve(pid):\n    p = Product.objects.get(pk=pid)\n"

# Runs one argument list through __main__ (the fast path) or straight through Typer (cli.run).
PROBE = (
    "import sys\n"
    "from deploycheck.__main__ import main\n"
    "args = sys.argv[2:]\n"
    "if sys.argv[1] == 'fast':\n"
    "    code = main(args)\n"
    "else:\n"
    "    from deploycheck import cli\n"
    "    try:\n"
    "        code = cli.run(args)\n"
    "    except Exception as exc:  # as __main__ reports it\n"
    "        print(f'deploycheck: error: {exc.message}', file=sys.stderr)\n"
    "        code = exc.exit_code\n"
    "print('TYPER', 'typer' in sys.modules, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("scan") / "r", {"shop/tasks.py": JOB, "README.md": "x\n"})
    make_branch(repo, "work", {"shop/tasks.py": JOB + "    p.stock = p.stock - 1\n    p.save()\n", "README.md": "y\n"})
    return repo


def _run(repo: Path, way: str, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, way, *args], cwd=repo, capture_output=True, text=True)


@pytest.mark.parametrize("args", [
    ["scan", "--base", "main"],
    ["scan", "--base=main", "--format", "json"],
    ["scan", "--format=sarif", "--base", "main"],
    ["scan", "--base", "main", "--fail-on-findings", "--format", "github"],
    ["scan", "--base", "nope"],  # an error: the same message and exit code
])
def test_the_fast_path_answers_as_the_full_cli(repo: Path, args: list[str]) -> None:
    fast, full = _run(repo, "fast", args), _run(repo, "full", args)
    assert fast.stdout == full.stdout
    assert fast.returncode == full.returncode
    assert fast.stderr.replace("TYPER False", "TYPER True") == full.stderr
    assert "TYPER False" in fast.stderr, fast.stderr


@pytest.mark.parametrize("args", [
    ["--help"], ["--format", "JSON"], ["--base"], ["--base", "a", "--base", "b"], ["extra"], ["--no-fail-on-findings"],
    ["--base", "--head", "x"],
])
def test_anything_else_goes_to_the_full_cli(args: list[str]) -> None:
    assert run_args(args) is None
