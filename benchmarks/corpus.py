"""Detection measured on the real-commit corpus (tests/corpus/*.yaml).

For every labelled commit, runs the installed deploycheck as a user would,
``deploycheck scan --base <parent> --head <commit> --format json``, inside a clone of the
repository, and compares what it flagged with the label:

    python benchmarks/corpus.py                       # every tests/corpus/*.yaml
    python benchmarks/corpus.py --language python --set labelled --json out.json
    python benchmarks/corpus.py --files tests/corpus/python-labelled-a.yaml

The repositories are never downloaded here: each must already be a fetched mirror under
``--mirrors`` (``owner+name/…``, holding a bare git directory). Entries of repositories that are
not there are counted and listed as "not fetched", never dropped. Each repository gets one
scratch clone under ``benchmarks/.work/corpus/`` (``git clone --no-checkout --shared``: no
network, no copy of the objects), reused by later runs. `deploycheck scan` reads the change and
the files from git objects, so it needs no checkout; but git reads `.gitattributes` from the
work tree, so an entry whose head commit contains any is scanned in a worktree at that commit
holding those files, as a user's clone would. ``--checkout`` scans every entry in a full
checkout instead, to compare (it fails where the mirror lacks a large blob of the commit).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from _common import WORK, deploycheck_cmd

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SCRATCH = WORK / "corpus"
MAX_JOBS = 2  # the machine is shared: never more than two scans at once
WORKTREE_LOCK = threading.Lock()  # `git worktree add/remove` in one clone, one at a time

# Outcomes of one entry. Only "flagged" and "not flagged" enter the rates; the others are
# counted and listed on their own.
FLAGGED, QUIET, ERROR, TIMEOUT, NOT_FETCHED = "flagged", "not flagged", "error", "timeout", "not fetched"

# The scan runs with the caller's environment minus what would point git or deploycheck at
# another repository or another base than the entry's.
ENV = {
    **{k: v for k, v in os.environ.items()
       if not k.startswith("GIT_") and k not in ("DEPLOYCHECK_BASE", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF")},
    "GIT_TERMINAL_PROMPT": "0",  # a missing object must fail, not ask for credentials
    "NO_COLOR": "1",
}


class BadInput(Exception):
    """A label file or an option that cannot be used: exit 2 with its message."""


# ------------------------------------------------------------------------------ label files


def label_files(args: argparse.Namespace) -> list[Path]:
    files = [Path(f) for f in args.files] if args.files else sorted(CORPUS.glob("*.yaml"))
    if not files:
        raise BadInput(f"no label files in {CORPUS}: write one (see tests/corpus/README.md) or pass --files.")
    return files


def load_entries(files: list[Path], language: str | None, set_: str | None) -> tuple[list[dict], list[tuple[Path, str]]]:
    """The entries of every file that matches --language/--set, and (file, sha256) of those files."""
    entries, digests = [], []
    for path in files:
        try:
            data = path.read_bytes()
            doc = yaml.safe_load(data)
        except (OSError, yaml.YAMLError) as exc:
            raise BadInput(f"cannot read {path}: {str(exc).splitlines()[0]}. Fix the file or leave it out with --files.") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            raise BadInput(f"{path} has no 'entries' list: see tests/corpus/README.md for the format.")
        if (language and doc.get("language") != language) or (set_ and doc.get("set") != set_):
            continue
        digests.append((path, hashlib.sha256(data).hexdigest()))
        group = f"{doc.get('language')}-{doc.get('set')}"
        for i, entry in enumerate(doc["entries"]):
            missing = [k for k in ("repo", "commit", "parent", "label") if not isinstance(entry.get(k), str)]
            if missing or entry["label"] not in ("positive", "negative"):
                raise BadInput(f"{path} entry {i + 1}: needs repo, commit, parent and a label positive|negative (got {entry!r:.120}).")
            hazards = []
            for h in entry.get("hazard") or []:
                where, _, line = str(h).rpartition(":")
                if not where or not line.isdigit():
                    raise BadInput(f"{path} entry {i + 1}: hazard {h!r} is not path:line.")
                hazards.append((where, int(line)))
            entries.append({**entry, "file": path.name, "group": group, "hazards": hazards})
    return entries, digests


# ------------------------------------------------------------------------------- repositories


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=check)


def find_git_dir(mirrors: Path, repo: str) -> Path | None:
    """The bare git directory of a fetched mirror: ``owner+name`` itself or a folder below it."""
    level = [mirrors / repo.replace("/", "+")]
    for _ in range(4):  # owner+name, then up to three folders down; never into a git directory
        for folder in level:
            if (folder / "HEAD").is_file() and (folder / "objects").is_dir():
                return folder
        level = sorted(child for folder in level if folder.is_dir() for child in folder.iterdir() if child.is_dir())
    return None


def scratch_clone(git_dir: Path, repo: str) -> Path:
    """One clone per repository that borrows the mirror's objects; reused while it still does."""
    clone = SCRATCH / repo.replace("/", "+")
    alternates = clone / ".git" / "objects" / "info" / "alternates"
    objects = str((git_dir / "objects").resolve())
    if alternates.is_file() and alternates.read_text().strip() == objects:
        return clone
    shutil.rmtree(clone, ignore_errors=True)
    clone.parent.mkdir(parents=True, exist_ok=True)
    git(SCRATCH, "clone", "--quiet", "--no-checkout", "--shared", str(git_dir), str(clone))
    return clone


def prepare(entries: list[dict], mirrors: Path) -> dict[str, Path]:
    """Scratch clones of the fetched repositories; marks the entries that cannot run."""
    clones: dict[str, Path] = {}
    failed: dict[str, str] = {}
    for repo in sorted({e["repo"] for e in entries}):
        git_dir = find_git_dir(mirrors, repo)
        if git_dir is None:
            continue
        try:
            clones[repo] = scratch_clone(git_dir, repo)
        except subprocess.CalledProcessError as exc:
            failed[repo] = f"cannot clone {git_dir}: {one_line(exc)}"
    for entry in entries:
        clone = clones.get(entry["repo"])
        if entry["repo"] in failed:
            entry["outcome"], entry["message"] = ERROR, failed[entry["repo"]]
            continue
        if clone is None:
            entry["outcome"], entry["message"] = NOT_FETCHED, f"no mirror of {entry['repo']} under {mirrors}"
            continue
        for key in ("commit", "parent"):
            if git(clone, "cat-file", "-e", f"{entry[key]}^{{commit}}", check=False).returncode != 0:
                entry["outcome"] = NOT_FETCHED
                entry["message"] = f"{key} {entry[key][:12]} is not in the fetched snapshot (fetch it again)"
                break
        else:
            first = git(clone, "rev-parse", f"{entry['commit']}^1", check=False).stdout.strip()
            if first != entry["parent"]:
                entry["outcome"], entry["message"] = ERROR, "label file: parent is not the commit's first parent"
    return clones


def gitattributes(clone: Path, commit: str) -> list[str]:
    names = git(clone, "ls-tree", "-r", "--name-only", commit).stdout.splitlines()
    return [n for n in names if n == ".gitattributes" or n.endswith("/.gitattributes")]


def one_line(exc: subprocess.CalledProcessError) -> str:
    return " / ".join(ln.strip() for ln in (exc.stderr or "").splitlines() if ln.strip()) or str(exc)


# ------------------------------------------------------------------------------------ scanning


def run_scan(cwd: Path, entry: dict, timeout: float) -> tuple[int | None, str, str, float]:
    """(exit code or None on timeout, stdout, stderr, seconds). Its own process group, so that a
    timeout also ends the git processes deploycheck started."""
    cmd = deploycheck_cmd("scan", "--base", entry["parent"], "--head", entry["commit"], "--format", "json")
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out, err, time.monotonic() - start
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err, time.monotonic() - start


def scan_entry(entry: dict, clone: Path, timeout: float, checkout: bool) -> None:
    """Fills the entry's outcome, message, findings and hazard_hit."""
    worktree = None
    try:
        attributes = gitattributes(clone, entry["commit"])
        if checkout or attributes:
            worktree = SCRATCH / "worktrees" / f"{entry['repo'].replace('/', '+')}-{entry['commit'][:12]}"
            with WORKTREE_LOCK:
                git(clone, "worktree", "remove", "--force", str(worktree), check=False)
                shutil.rmtree(worktree, ignore_errors=True)
                if checkout:
                    git(clone, "worktree", "add", "--quiet", "--detach", str(worktree), entry["commit"])
                else:  # only what git reads from a work tree when it diffs two commits
                    git(clone, "worktree", "add", "--quiet", "--detach", "--no-checkout", str(worktree), entry["commit"])
                    git(worktree, "checkout", "--quiet", entry["commit"], "--", *attributes)
    except subprocess.CalledProcessError as exc:
        entry["outcome"], entry["message"] = ERROR, f"cannot check out the commit: {one_line(exc)}"
        return
    try:
        code, out, err, seconds = run_scan(worktree or clone, entry, timeout)
    finally:
        if worktree is not None:
            with WORKTREE_LOCK:
                git(clone, "worktree", "remove", "--force", str(worktree), check=False)
    entry["seconds"] = round(seconds, 2)
    entry["checkout"] = worktree is not None
    if code is None:
        entry["outcome"], entry["message"] = TIMEOUT, f"no answer within {timeout:g} s"
        return
    try:
        report = json.loads(out) if code == 0 else None
    except ValueError:
        report = None
    if report is None:
        lines = [ln.strip() for ln in err.splitlines() if ln.strip()]
        entry["outcome"] = ERROR
        if code == 0:
            entry["message"] = "exit 0, but the output is not JSON"
        else:  # deploycheck's cause is one line; after a traceback, the last line names the exception
            entry["message"] = f"exit {code}: " + (lines[-1] if lines else "no message on stderr")
        return
    flagging = [f for f in report["findings"]
                if f["severity"] in ("warning", "high") and not f.get("suppressed")]
    entry["outcome"] = FLAGGED if report["flagged"] else QUIET
    entry["findings"] = [f"{f['rule']} {f['severity']} {f['path']}:{f['line']}"
                         + (" (base)" if f.get("side", "head") != "head" else "") for f in flagging]
    entry["messages"] = [f["message"] for f in flagging]  # for reading a run's findings, not for its figures
    entry["hazard_hit"] = any(
        f.get("side", "head") == "head" and f["path"] == path
        and f["line"] <= line <= (f.get("end_line") or f["line"])
        for f in flagging for path, line in entry["hazards"]
    )


# ------------------------------------------------------------------------------------ reporting


def rate(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def summary_row(name: str, entries: list[dict]) -> list[str]:
    scanned = [e for e in entries if e["outcome"] in (FLAGGED, QUIET)]
    pos = [e for e in scanned if e["label"] == "positive"]
    neg = [e for e in scanned if e["label"] == "negative"]
    with_lines = [e for e in pos if e["hazards"]]

    def count(outcome: str) -> str:
        return str(sum(e["outcome"] == outcome for e in entries))

    return [
        name,
        f"{len(pos)}/{sum(e['label'] == 'positive' for e in entries)}",
        rate(sum(e["outcome"] == FLAGGED for e in pos), len(pos)),
        f"{len(neg)}/{sum(e['label'] == 'negative' for e in entries)}",
        rate(sum(e["outcome"] == FLAGGED for e in neg), len(neg)),
        rate(sum(e["hazard_hit"] for e in with_lines), len(with_lines)),
        count(ERROR), count(TIMEOUT), count(NOT_FETCHED),
    ]


def print_table(title: str, rows: list[list[str]]) -> None:
    head = ["", "positives", "flag recall", "negatives", "false flags", "hazard at the line",
            "errors", "timeouts", "not fetched"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    print(f"\n{title}")
    for row in [head, *rows]:
        print("  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))


def print_list(title: str, entries: list[dict], detail) -> None:
    if not entries:
        return
    print(f"\n{title} ({len(entries)})")
    for e in entries:
        print(f"  {e['repo']} {e['commit'][:10]}  {detail(e)}")


def report(entries: list[dict]) -> None:
    groups = sorted({e["group"] for e in entries})
    print_table("Per language and set (positives/negatives: scanned/labelled; rates over the scanned)",
                [summary_row(g, [e for e in entries if e["group"] == g]) for g in groups])
    repos = sorted({e["repo"] for e in entries})
    print_table("Per repository", [summary_row(r, [e for e in entries if e["repo"] == r]) for r in repos])
    print_list("Missed positives", [e for e in entries if e["label"] == "positive" and e["outcome"] == QUIET],
               lambda e: e.get("reason", ""))
    print_list("Positives flagged, but not at a hazard line",
               [e for e in entries if e["label"] == "positive" and e["outcome"] == FLAGGED and e["hazards"] and not e["hazard_hit"]],
               lambda e: "hazard " + ", ".join(f"{p}:{n}" for p, n in e["hazards"]) + " / flagged " + "; ".join(e["findings"]))
    print_list("False-flagged negatives", [e for e in entries if e["label"] == "negative" and e["outcome"] == FLAGGED],
               lambda e: f"{e.get('reason', '')} / flagged " + "; ".join(e["findings"]))
    print_list("Errors", [e for e in entries if e["outcome"] == ERROR], lambda e: e["message"])
    print_list("Timeouts", [e for e in entries if e["outcome"] == TIMEOUT], lambda e: e["message"])
    print_list("Not fetched", [e for e in entries if e["outcome"] == NOT_FETCHED], lambda e: e["message"])
    missing = sorted({e["repo"] for e in entries if e["outcome"] == NOT_FETCHED and e["message"].startswith("no mirror")})
    if missing:
        print("\nFetch these first (the search tool's fetch verb, source github:owner/name): " + ", ".join(missing))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", nargs="+", metavar="YAML", help="label files (default: tests/corpus/*.yaml)")
    parser.add_argument("--language", help="only files of this language (python, ruby, js, go, jvm)")
    parser.add_argument("--set", dest="set_", metavar="SET", help="only files of this set (labelled, introducing)")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"), help="where the fetched repositories are (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=MAX_JOBS, help=f"scans at once, 1 to {MAX_JOBS} (default: {MAX_JOBS})")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per commit before it counts as a timeout (default: %(default)s)")
    parser.add_argument("--checkout", action="store_true", help="scan every entry in a worktree checked out at its commit")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every entry's result here")
    args = parser.parse_args(argv)
    try:
        if not 1 <= args.jobs <= MAX_JOBS:
            raise BadInput(f"--jobs must be 1 to {MAX_JOBS} (the machine is shared).")
        files = label_files(args)
        entries, digests = load_entries(files, args.language, args.set_)
    except BadInput as exc:
        print(f"corpus.py: {exc}", file=sys.stderr)
        return 2
    if not entries:
        print("corpus.py: no entries match --files/--language/--set.", file=sys.stderr)
        return 2

    version = subprocess.run(deploycheck_cmd("--version"), capture_output=True, text=True, env=ENV).stdout.strip()
    print(f"{version or 'deploycheck (version unknown)'}; {len(entries)} entries")
    for path, digest in digests:
        shown = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        print(f"sha256 {digest}  {shown}")

    clones = prepare(entries, args.mirrors)
    todo = [e for e in entries if "outcome" not in e]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for _ in pool.map(lambda e: scan_entry(e, clones[e["repo"]], args.timeout, args.checkout), todo):
            pass
    print(f"{len(todo)} scans in {time.monotonic() - started:.0f} s ({args.jobs} at a time)")
    report(entries)

    if args.json:
        keep = ("file", "group", "repo", "commit", "parent", "label", "hazard", "reason", "outcome", "message",
                "findings", "messages", "hazard_hit", "seconds", "checkout")
        results = [{k: e[k] for k in keep if k in e} for e in entries]
        args.json.write_text(json.dumps({"deploycheck": version, "files": {str(p): d for p, d in digests},
                                         "entries": results}, indent=2) + "\n")
        print(f"\nPer-entry results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
