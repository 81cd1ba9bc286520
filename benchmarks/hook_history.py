"""The git hook on a real repository's own history: `verify --hook` for each of its last N
first-parent commits (base: the commit's parent), as a developer pushing that commit would run it.

The synthetic hook project (run_all.py --only hook) has no jobs, so it cannot show what the
application scope costs (rules/trees/reach.py: calls followed from jobs). This can:

    python benchmarks/hook_history.py /path/to/clone --commits 25
    python benchmarks/hook_history.py /path/to/clone --vs /path/to/other/checkout/src

``--vs`` runs a second source tree (another version of deploycheck, with this interpreter)
on the same commits, alternating with this one, so machine load weighs on both alike. Each
figure is the median of ``--runs`` runs; CPU time (user + system, git included) is steadier than
wall time on a loaded machine. A commit's first hook on its base fills deploycheck's caches under
the git directory and later ones read them; ``--cold`` empties them before every run (a
branch's first hook on a new base, with no cache of any earlier base), ``--moved N`` keeps only
what a hook on the base N commits older left (a branch's first hook after pulling N commits:
rules/trees/kept.py carries those answers), without either the median is mostly warm runs. The clone is not touched: each commit is checked out in a
temporary worktree that is removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import ENV  # noqa: E402


def _timed(command: list[str], cwd: str, env: dict) -> tuple[int, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.returncode, wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", help="a clone of a real repository (its HEAD's history is used)")
    parser.add_argument("--commits", type=int, default=25, help="how many first-parent commits (default 25)")
    parser.add_argument("--runs", type=int, default=3, help="runs per commit and version (median; default 3)")
    parser.add_argument("--vs", help="a deploycheck source tree (its src/ folder) to compare with")
    parser.add_argument("--cold", action="store_true", help="empty deploycheck's caches before every run")
    parser.add_argument("--moved", type=int, metavar="N",
                        help="before every run, keep only the caches of a hook on the base N commits older "
                             "(a branch's first hook after pulling N commits; not timed)")
    args = parser.parse_args()

    repo = str(Path(args.repo).resolve())
    commits = subprocess.run(["git", "rev-list", "--first-parent", f"-{args.commits}", "HEAD"], cwd=repo,
                             capture_output=True, text=True, check=True).stdout.split()
    versions = {"this": dict(ENV)}
    if args.vs:
        versions["vs"] = {**ENV, "PYTHONPATH": str(Path(args.vs).resolve())}
    rows = []
    with tempfile.TemporaryDirectory(prefix="dc-hook-history-") as scratch:
        worktree = os.path.join(scratch, "wt")
        subprocess.run(["git", "worktree", "add", "-q", "--detach", worktree, commits[0]], cwd=repo, check=True)
        try:
            for sha in commits:
                subprocess.run(["git", "checkout", "-q", "--detach", sha], cwd=worktree, check=True)
                command = [sys.executable, "-m", "deploycheck", "verify", "--hook", "--base", f"{sha}^"]
                runs: dict[str, list] = {name: [] for name in versions}
                caches = os.path.join(subprocess.run(["git", "rev-parse", "--absolute-git-dir"], cwd=worktree,
                                                     capture_output=True, text=True).stdout.strip(), "deploycheck")
                for _ in range(args.runs):
                    for name, env in versions.items():
                        if args.cold or args.moved:
                            shutil.rmtree(caches, ignore_errors=True)
                        if args.moved:
                            earlier = [*command[:-1], f"{sha}~{args.moved + 1}"]
                            subprocess.run(earlier, cwd=worktree, env=env, capture_output=True)
                        runs[name].append(_timed(command, worktree, env))
                files = len(subprocess.run(["git", "diff", "--name-only", f"{sha}^", sha], cwd=worktree,
                                           capture_output=True, text=True).stdout.split())
                row = {"sha": sha[:10], "files": files}
                for name, results in runs.items():
                    row[name] = (results[0][0], statistics.median(r[1] for r in results), statistics.median(r[2] for r in results))
                rows.append(row)
                cells = "  ".join(f"{name}: exit {rc} wall {wall * 1000:5.0f} ms cpu {cpu * 1000:5.0f} ms"
                                  for name, (rc, wall, cpu) in ((n, row[n]) for n in versions))
                print(f"{row['sha']}  {files:4d} files  {cells}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", worktree], cwd=repo, check=False)
    for name in versions:
        quiet = [row for row in rows if row[name][0] == 0]
        if not quiet:
            continue
        walls, cpus = [row[name][1] * 1000 for row in quiet], [row[name][2] * 1000 for row in quiet]
        one_file = [row[name][2] * 1000 for row in quiet if row["files"] == 1]
        print(f"{name}: {len(quiet)} of {len(rows)} commits pass (exit 0): median wall {statistics.median(walls):.0f} ms, "
              f"median cpu {statistics.median(cpus):.0f} ms, max cpu {max(cpus):.0f} ms"
              + (f"; one-file commits: median cpu {statistics.median(one_file):.0f} ms" if one_file else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
