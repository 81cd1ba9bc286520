"""Helpers shared by the benchmarks: building synthetic repositories and timing commands.

Every repository is built once under ``benchmarks/.work/`` (gitignored) with ``git fast-import``
and reused by later runs; delete the folder to rebuild.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

WORK = Path(__file__).parent / ".work"
# Bytecode is cached as after a normal install (this sandbox sets PYTHONDONTWRITEBYTECODE).
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "DEPLOYCHECK_BASE", "PYTHONDONTWRITEBYTECODE")},
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "NO_COLOR": "1",
}
BUILD_MARK = ".bench-built"  # written last: a repository without it was interrupted and is rebuilt


def git(repo: Path, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, input=input)
    return proc.stdout.decode().strip()


def deploycheck_cmd(*args: str) -> list[str]:
    """deploycheck as users run it: the console script installed beside this Python."""
    script = Path(sys.executable).with_name("deploycheck")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "deploycheck", *args]


def _fresh(repo: Path) -> bool:
    """True when ``repo`` must be (re)built; clears a half-built one."""
    if (repo / ".git" / BUILD_MARK).exists():
        return False
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "commit.gpgsign", "false")
    return True


def _done(repo: Path) -> None:
    (repo / ".git" / BUILD_MARK).write_text("ok\n")


def _blob(path: str, data: bytes) -> bytes:
    return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"


def _commit(branch: str, parent: str | None, message: str, when: int) -> bytes:
    msg = message.encode()
    out = f"commit refs/heads/{branch}\ncommitter Bench <bench@example.com> {when} +0000\ndata {len(msg)}\n".encode() + msg + b"\n"
    if parent:
        out += f"from {parent}\n".encode()
    return out


def fast_import(repo: Path, stream: list[bytes]) -> None:
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=ENV, input=b"".join(stream), check=True)


def fast_import_branch(repo: Path, files: int, lines: int = 40, *, python_share: float = 0.5) -> None:
    """A repository whose `feature` branch rewrites ``files`` files (built with git fast-import)."""
    if not _fresh(repo):
        return
    out: list[bytes] = []

    def body(i: int, variant: str) -> str:
        rows = [f"def handler_{i}_{j}(x):\n    return x + {j}  # {variant}\n" for j in range(lines // 2)]
        return "".join(rows)

    def path(i: int) -> str:
        ext = "py" if (i % 100) < python_share * 100 else "txt"
        return f"pkg{i % 50}/module_{i}.{ext}"

    for branch, parent, variant in (("main", None, "base"), ("feature", "refs/heads/main", "head")):
        out.append(_commit(branch, parent, "work", 1700000000))
        for i in range(files):
            out.append(_blob(path(i), body(i, variant).encode()))
    fast_import(repo, out)
    git(repo, "checkout", "-q", "feature")
    _done(repo)


# --- a realistic mixed branch ----------------------------------------------------------------
#
# A large refactoring branch: Python, JavaScript, YAML and Markdown files, each edited in three
# places (a renamed call, a changed constant, an added line). One Python file in 200 is a
# Celery task whose edit introduces a lost update, one in 20 mentions tasks (so the Python rules
# parse it), and one JavaScript file in 200 is a BullMQ worker: the scanner has real findings to
# report and real files to parse, as on a real branch; everything else is ordinary code that the
# pre-filters must dismiss cheaply.


def _py(i: int, head: bool) -> str:
    name = "compute_total" if head else "compute_sum"
    rows = [
        '"""Helpers for the reporting service."""\n\nimport logging\nfrom decimal import Decimal\n\n',
        f"LOG = logging.getLogger(__name__)\nPAGE_SIZE = {50 if head else 20}\n\n\n",
    ]
    for j in range(8):
        rows.append(
            f"def {name}_{j}(rows, scale={j + 1}):\n"
            f"    total = Decimal(0)\n"
            f"    for row in rows:\n"
            f"        total = total + Decimal(row['amount_{j}']) * scale\n"
            + ("    LOG.debug('total %s', total)\n" if head and j == 5 else "")
            + "    return total\n\n\n"
        )
    if i % 20 == 10:
        rows.append("from .tasks import notify_task\n\n\ndef announce(total):\n    notify_task.delay(str(total))\n")
    if i % 200 == 0:
        rows.append(
            "from celery import shared_task\nfrom shop.models import Product\n\n\n@shared_task\n"
            f"def reserve_{i}(pid, n):\n    product = Product.objects.get(pk=pid)\n"
            + ("    product.stock = product.stock - n\n    product.save()\n" if head else
               "    Product.objects.filter(pk=pid).update(stock=F('stock') - n)\n")
        )
    return "".join(rows)


def _js(i: int, head: bool) -> str:
    rows = [f"import {{ format }} from './format';\n\nconst LIMIT = {100 if head else 10};\n\n"]
    for j in range(8):
        rows.append(
            f"export function render{j}(items) {{\n"
            f"  const out = [];\n"
            f"  for (const item of items) {{\n"
            f"    out.push({'formatItem' if head and j == 2 else 'format'}(item, {j}));\n"
            + ("    if (out.length > LIMIT) break;\n" if head and j == 6 else "")
            + "  }\n  return out;\n}\n\n"
        )
    if i % 200 == 2:
        rows.append(
            "import { Worker } from 'bullmq';\n"
            f"export const worker{i} = new Worker('emails', async (job) => send(job.data)"
            + (", { concurrency: 8 });\n" if head else ");\n")
        )
    return "".join(rows)


def _yaml(i: int, head: bool) -> str:
    rows = [f"service: reporting-{i}\nowner: team-{i % 7}\n"]
    for j in range(12):
        rows.append(f"section_{j}:\n  enabled: {'false' if head and j == 3 else 'true'}\n  timeout: {30 + j}\n")
        if head and j == 8:
            rows.append("  retries: 2\n")
    rows.append(f"labels: [a, b, {'d' if head else 'c'}]\n")
    return "".join(rows)


def _md(i: int, head: bool) -> str:
    rows = [f"# Module {i}\n\n"]
    for j in range(15):
        word = "reviewed" if head and j in (2, 9) else "written"
        rows.append(f"Paragraph {j} of the notes, {word} for release {i % 13}.\n\n")
    if head:
        rows.append("See also the runbook.\n")
    return "".join(rows)


KINDS: tuple[tuple[str, Callable[[int, bool], str]], ...] = (
    ("py", _py), ("py", _py), ("js", _js), ("py", _py), ("yaml", _yaml),
    ("md", _md), ("py", _py), ("js", _js), ("yaml", _yaml), ("md", _md),
)


def mixed_path(i: int) -> tuple[str, Callable[[int, bool], str]]:
    ext, make = KINDS[i % len(KINDS)]
    folder = {"py": "app", "js": "web/src", "yaml": "config", "md": "docs"}[ext]
    return f"{folder}/area{i % 40}/part_{i}.{ext}", make


def mixed_branch(repo: Path, files: int, untouched: int = 0) -> None:
    """`main` with ``files + untouched`` files; `feature` edits the first ``files`` of them."""
    if not _fresh(repo):
        return
    out = [_commit("main", None, "base", 1700000000)]
    for i in range(files + untouched):
        path, make = mixed_path(i)
        out.append(_blob(path, make(i, False).encode()))
    out.append(_commit("feature", "refs/heads/main", "refactor", 1700000100))
    for i in range(files):
        path, make = mixed_path(i)
        out.append(_blob(path, make(i, True).encode()))
    fast_import(repo, out)
    git(repo, "checkout", "-q", "feature")
    _done(repo)


# --- repositories for the hook and the gate --------------------------------------------------

HOOK_BRANCHES = ("quiet", "flagged", "recorded")

LOST_UPDATE = (
    "from celery import shared_task\n\nfrom shop.models import Product\n\n\n@shared_task\n"
    "def reserve_stock(pid, n):\n    product = Product.objects.get(pk=pid)\n"
    "    product.stock = product.stock - n\n    product.save()\n"
)

ANSWERS = (
    'shared-state: {answer: "yes", details: "decrements shop.Product.stock"}\n'
    'sequential-assumption: {answer: "yes", details: "read-modify-write; a row lock follows"}\n'
    'concurrency-tested: {answer: "yes", details: "tests/test_stock.py"}\n'
    'rollback-safe: "yes"\n'
    'silent-failure: "Two workers reserving the same product at the same moment."\n'
)


def make_key(directory: Path) -> tuple[Path, str]:
    """A throwaway ed25519 key: (private key path, `type base64` public key)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = directory / "id_ed25519"
    if not key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bench@example.com", "-f", str(key)],
                       check=True, stdout=subprocess.DEVNULL)
    return key, " ".join((directory / "id_ed25519.pub").read_text().split()[:2])


def _write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)


def _commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def project_repo(repo: Path, project_files: int = 300, *, initialised: bool = False) -> Path:
    """A small service: ``project_files`` ordinary files on `main`, a key the main branch trusts,
    and three branches: `quiet` (a commit touching nothing risky), `flagged` (a lost update, no
    record) and `recorded` (the same lost update with a valid signed record). With
    ``initialised``, `main` also holds the `.deploycheck/config.yaml` that `deploycheck init`
    writes (every branch then reads it: a YAML parse on each run). Returns the key."""
    key, public = make_key(repo.parent / f"{repo.name}-key")
    if not _fresh(repo):
        return key
    out = [_commit("main", None, "base", 1700000000)]
    for i in range(project_files):
        path, make = mixed_path(i)
        out.append(_blob(path, make(i * 200 + 1, False).encode()))  # never a task or worker
    out.append(_blob(".deploycheck/allowed_signers", f"bench@example.com {public}\n".encode()))
    if initialised:
        from deploycheck.commands.init import template

        out.append(_blob(".deploycheck/config.yaml", template("config.yaml").encode()))
    out.append(_blob("shop/models.py", b"from django.db import models\n\n\nclass Product(models.Model):\n    stock = models.IntegerField()\n"))
    out.append(_blob("tests/test_stock.py", b"def test_two_workers():\n    pass\n"))
    fast_import(repo, out)
    git(repo, "checkout", "-q", "-f", "main")
    git(repo, "config", "user.name", "Bench")
    git(repo, "config", "user.email", "bench@example.com")
    # quiet: a docs fix, a renamed helper and a constant, in Python, JavaScript and Markdown.
    git(repo, "checkout", "-q", "-b", "quiet")
    quiet = {p: make(i * 200 + 1, True) for i in (0, 2, 5) for p, make in [mixed_path(i)]}
    _write(repo, quiet)
    _commit_all(repo, "Rename helpers; raise page size")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "flagged")
    _write(repo, {"shop/jobs.py": LOST_UPDATE, **quiet})
    _commit_all(repo, "Refactor stock reservation")
    git(repo, "checkout", "-q", "-b", "recorded")
    answers = repo.parent / f"{repo.name}-answers.yaml"
    answers.write_text(ANSWERS)
    subprocess.run(deploycheck_cmd("check", "--base", "main", "--answers", str(answers), "--yes", "--key", str(key)),
                   cwd=repo, env=ENV, check=True, capture_output=True)
    git(repo, "commit", "-q", "-m", "Record the assessment")
    git(repo, "checkout", "-q", "quiet")
    _done(repo)
    return key


def log_repo(repo: Path, records: int) -> None:
    """A repository whose HEAD holds ``records`` signed records: one real record signed with a
    throwaway key, copied under different names in one fast-imported commit. Each copy gets its
    own ``id`` (so every copy is a distinct blob to read and parse, as real records are; the
    changed id voids the copy's signature, so `log` reports each copy as not verified, after
    checking its signature as it checks every record's: about 0.14 ms of CPU per record)."""
    if (repo / ".git" / BUILD_MARK).exists():
        return
    seed = repo.parent / f"{repo.name}-seed"
    project_repo(seed, project_files=5)
    git(seed, "checkout", "-q", "recorded")
    path = git(seed, "ls-tree", "-r", "--name-only", "HEAD", "--", ".deploycheck/records/").splitlines()[0]
    data = (seed / path).read_bytes()
    git(seed, "checkout", "-q", "quiet")
    _fresh(repo)
    out = [_commit("main", None, "records", 1700000000)]
    original = re.search(rb'(?m)^id: "[0-9a-f]{32}"$', data)
    assert original is not None, "the record has no id line"
    for i in range(records):
        copy = data.replace(original.group(0), f'id: "{i:032x}"'.encode(), 1)
        out.append(_blob(f".deploycheck/records/2026-11-{1 + i % 28:02d}-branch-{i}-{i:08x}.yaml", copy))
    fast_import(repo, out)
    git(repo, "checkout", "-q", "-f", "main")
    _done(repo)


# --- measuring -----------------------------------------------------------------------------


def median_times(commands: dict[str, list[str]], cwd: Path, runs: int = 5, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run the commands alternately ``runs`` times (after one warm-up each); median wall times in s."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            if round_:  # the first round warms the page cache and .pyc files
                samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def exit_code(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> int:
    return subprocess.run(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


_SELF_RSS = (
    "import resource, sys\n"
    "try:\n"
    "{body}"
    "finally:\n"
    "    open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
)
_RUN_MAIN = "    from deploycheck.__main__ import main\n    main(sys.argv[2:])\n"


def peak_rss_mb(args: list[str], cwd: Path, code: str | None = None) -> float:
    """Peak resident memory of the deploycheck process itself (git children not counted): the
    command line ``args``, or the one-line Python statement ``code`` when given."""
    body = f"    {code}\n" if code else _RUN_MAIN
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as fh:
        subprocess.run([sys.executable, "-c", _SELF_RSS.format(body=body), fh.name, *args], cwd=cwd, env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        return int(Path(fh.name).read_text() or 0) / 1024


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
