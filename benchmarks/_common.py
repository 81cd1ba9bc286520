"""Helpers shared by the benchmarks: building synthetic repositories and timing commands."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(__file__).parent / ".work"
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, text=True).stdout.strip()


def fast_import_branch(repo: Path, files: int, lines: int = 40, *, python_share: float = 0.5) -> None:
    """A repository whose `feature` branch modifies ``files`` files (built with git fast-import)."""
    if (repo / ".git").exists():
        return
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    out: list[bytes] = []

    def blob_cmd(path: str, text: str) -> None:
        data = text.encode()
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    def body(i: int, variant: str) -> str:
        rows = [f"def handler_{i}_{j}(x):\n    return x + {j}  # {variant}\n" for j in range(lines // 2)]
        return "".join(rows)

    def path(i: int) -> str:
        ext = "py" if (i % 100) < python_share * 100 else "txt"
        return f"pkg{i % 50}/module_{i}.{ext}"

    for branch, parent, variant in (("main", None, "base"), ("feature", "main", "head")):
        out.append(f"commit refs/heads/{branch}\ncommitter Bench <b@e> 1700000000 +0000\ndata 4\nwork\n".encode())
        if parent:
            out.append(f"from refs/heads/{parent}\n".encode())
        for i in range(files):
            blob_cmd(path(i), body(i, variant))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=ENV, input=b"".join(out), check=True)
    git(repo, "checkout", "-q", "feature")


def median_times(commands: dict[str, list[str]], cwd: Path, runs: int = 5) -> dict[str, float]:
    """Run the commands alternately ``runs`` times; return each one's median wall time in seconds."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def peak_rss_mb(cmd: list[str], cwd: Path) -> float:
    """Peak resident memory of one run of ``cmd`` (via a wrapper measuring its own child)."""
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], cwd=cwd, env=ENV, capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)
