"""deploycheck against itself: eight `check` processes released at the same moment, and `check`
killed with SIGKILL mid-write. Real processes, real keys, real git."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from gitrepo import commit, git
from incident import ANSWERS, write_answers

from deploycheck import sshsig
from deploycheck.record import NAMESPACE, RECORDS_DIR, parse_record

# Waits for the start file, then runs deploycheck in this process: the imports and the
# interpreter start-up are done before the gun, so the eight runs really overlap.
RUNNER = """
import os, sys, time
import deploycheck.__main__ as entry
import deploycheck.cli, deploycheck.assess, deploycheck.verification  # warm the imports
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.0005)
sys.exit(entry.main(sys.argv[2:]))
"""


def _env() -> dict[str, str]:
    return dict(os.environ)


def _records(repo: Path) -> list[str]:
    return sorted(os.listdir(repo / RECORDS_DIR)) if (repo / RECORDS_DIR).is_dir() else []


def _check_args(repo: Path, answers: Path, key: Path, force: bool = True) -> list[str]:
    return ["check", "--base", "main", "--answers", str(answers), "--yes", "--key", str(key), *(["--force"] if force else [])]


def _valid(data: bytes, key: Path) -> bool:
    rec = parse_record(data, "r.yaml")
    signer = sshsig.verify_sshsig(rec.signed_bytes, rec.signature.value, NAMESPACE)
    return signer.openssh() == " ".join(Path(str(key) + ".pub").read_text().split()[:2])


def test_eight_checks_at_once_leave_one_verifiable_record(repo, key, tmp_path):
    answers = write_answers(tmp_path)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(go), *_check_args(repo, answers, key, force=False)],  # as a user types it
            cwd=repo, env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for _ in range(8)
    ]
    time.sleep(1.5)  # let all eight reach the start line
    go.write_text("go")
    results = [(p.wait(timeout=120), p.stdout.read().decode(), p.stderr.read().decode()) for p in procs]
    for code, out, err in results:
        assert code == 0, err + out
        assert "Traceback" not in err
    # Exactly one record, complete and signed; every run replaced the same file.
    names = _records(repo)
    assert len(names) == 1, names
    record = f"{RECORDS_DIR}/{names[0]}"
    assert _valid((repo / record).read_bytes(), key)
    assert all(f"Wrote {record}," in out for _, out, _ in results)
    assert git(repo, "diff", "--cached", "--name-only") == record
    # Nothing stray: no temporaries next to the record, only the lock and the job index cache
    # (eight concurrent builds, each written atomically) under .git/deploycheck.
    assert sorted(os.listdir(repo / ".git" / "deploycheck")) == ["jobindex", "lock"]
    index = os.listdir(repo / ".git" / "deploycheck" / "jobindex")
    assert "blobs.json" in index and all(n == "blobs.json" or (n.startswith("tree-") and n.endswith(".json")) for n in index)
    assert not (repo / ".git" / "index.lock").exists()
    commit(repo, message="deploycheck record")
    proc = subprocess.run([sys.executable, "-m", "deploycheck", "verify", "--base", "main", "--format", "json"],
                          cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["records"] == [{"path": record, "status": "valid", "signer": "dev@example.com"}]


def test_check_twice_before_committing_replaces_its_own_record(repo, key, tmp_path):
    answers = write_answers(tmp_path)
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-m", "deploycheck", *_check_args(repo, answers, key)],
                              cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr
    assert len(_records(repo)) == 1


def _wait_for_git(repo: Path) -> None:
    """A killed `check` may leave its `git add` child running; let it finish."""
    deadline = time.monotonic() + 10
    while (repo / ".git" / "index.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_sigkill_mid_write_leaves_the_old_record_or_a_new_complete_one(repo, key, tmp_path):
    answers = write_answers(tmp_path)
    first = subprocess.run([sys.executable, "-m", "deploycheck", *_check_args(repo, answers, key)],
                           cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert first.returncode == 0, first.stderr
    [name] = _records(repo)
    path = repo / RECORDS_DIR / name
    seen = {path.read_bytes()}
    other = write_answers(tmp_path, ANSWERS.replace("same product", "same product, twice"))
    rng = random.Random(7)
    tries = int(os.environ.get("DEPLOYCHECK_KILL_TRIES", "12"))
    killed_before_exit = 0
    for i in range(tries):
        proc = subprocess.Popen([sys.executable, "-m", "deploycheck", *_check_args(repo, other if i % 2 else answers, key)],
                                cwd=repo, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Spread the kills over the whole run (start-up, scan, signing, write, staging).
        time.sleep(rng.uniform(0.2, 1.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_before_exit += 1
        proc.wait()
        _wait_for_git(repo)
        names = _records(repo)
        assert [n for n in names if not n.startswith(".")] == [name], names  # never a second record
        data = path.read_bytes()
        assert _valid(data, key), f"try {i}: the record is not complete and signed"
        seen.add(data)
    assert killed_before_exit > 0
    # The next normal run removes temporaries a kill left behind and writes a good record.
    final = subprocess.run([sys.executable, "-m", "deploycheck", *_check_args(repo, answers, key)],
                           cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert final.returncode == 0, final.stderr
    assert _records(repo) == [name]
    assert _valid(path.read_bytes(), key)
    print(f"kill loop: {tries} tries, {killed_before_exit} killed mid-run, {len(seen)} distinct complete records seen")


def test_check_waits_for_another_git_holding_the_index_lock(repo, key, tmp_path):
    """An editor's or another run's git may hold .git/index.lock while `check` stages: the record
    is staged once the lock is released, instead of failing after signing."""
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "deploycheck", *_check_args(repo, write_answers(tmp_path), key)],
                            cwd=repo, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3)
    lock.unlink()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert time.monotonic() - started >= 3
    [name] = _records(repo)
    assert git(repo, "diff", "--cached", "--name-only") == f"{RECORDS_DIR}/{name}"
