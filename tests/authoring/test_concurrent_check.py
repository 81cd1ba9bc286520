"""deploycheck against itself: eight `check` processes released at the same moment, and `check`
killed with SIGKILL mid-write. Real processes, real keys, real git."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from support.gitrepo import commit, git
from support.incident import ANSWERS, write_answers

from deploycheck.records import sshsig
from deploycheck.records.record import NAMESPACE, PAUSE_ENV, RECORDS_DIR, parse_record

# Waits for the start file, then runs deploycheck in this process: the imports and the
# interpreter start-up are done before the gun, so the eight runs really overlap.
RUNNER = """
import os, sys, time
import deploycheck.__main__ as entry
import deploycheck.cli, deploycheck.authoring.assess, deploycheck.gate.verification  # warm the imports
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


# Each step of a record write, in order (record.pause_point): a kill at one of the first three
# must leave the old record, at the last two the complete new one.
KILL_POINTS = ("record-before-write", "record-mid-write", "record-before-replace", "record-after-replace", "record-before-stage")


def _kill_at(repo: Path, args: list[str], point: str, marker: Path) -> None:
    """Run `deploycheck check` until it reaches ``point`` (it creates ``marker`` there and waits)
    and SIGKILL it: the kill lands at that step whatever the machine's speed."""
    env = {**os.environ, PAUSE_ENV: f"{point}:{marker}"}
    proc = subprocess.Popen([sys.executable, "-m", "deploycheck", *args], cwd=repo, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300  # a safety net for a hung run, not a timing assumption
        while not marker.exists():
            assert proc.poll() is None, f"check ended before {point}: {proc.stderr.read().decode()}"  # type: ignore[union-attr]  # stderr=PIPE
            assert time.monotonic() < deadline, f"check never reached {point}"
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()  # type: ignore[union-attr]  # stderr=PIPE


def test_sigkill_mid_write_leaves_the_old_record_or_a_new_complete_one(repo, key, tmp_path):
    answers = write_answers(tmp_path)
    first = subprocess.run([sys.executable, "-m", "deploycheck", *_check_args(repo, answers, key)],
                           cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert first.returncode == 0, first.stderr
    [name] = _records(repo)
    path = repo / RECORDS_DIR / name
    (tmp_path / "other").mkdir()  # a second answers file: each run's record differs from the last
    other = write_answers(tmp_path / "other", ANSWERS.replace("same product", "same product, twice"))
    for i, point in enumerate(KILL_POINTS * 2):  # each step once with each set of answers
        before = path.read_bytes()
        _kill_at(repo, _check_args(repo, other if i % 2 == 0 else answers, key), point, tmp_path / f"reached-{i}")
        _wait_for_git(repo)
        names = _records(repo)
        assert [n for n in names if not n.startswith(".")] == [name], names  # never a second record
        data = path.read_bytes()
        assert _valid(data, key), f"{point}: the record is not complete and signed"
        replaced = KILL_POINTS.index(point) >= KILL_POINTS.index("record-after-replace")
        assert (data != before) == replaced, f"{point}: expected the {'new' if replaced else 'old'} record"
        if point == "record-mid-write":  # the half-written temporary is there, beside the intact record
            assert any(n.startswith(".") and n.endswith(".tmp") for n in names), names
    # The next normal run removes temporaries a kill left behind and writes a good record.
    final = subprocess.run([sys.executable, "-m", "deploycheck", *_check_args(repo, answers, key)],
                           cwd=repo, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert final.returncode == 0, final.stderr
    assert _records(repo) == [name]
    assert _valid(path.read_bytes(), key)


def test_check_waits_for_another_git_holding_the_index_lock(repo, key, tmp_path):
    """An editor's or another run's git may hold .git/index.lock while `check` stages: the record
    is staged once the lock is released, instead of failing after signing."""
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    proc = subprocess.Popen([sys.executable, "-m", "deploycheck", *_check_args(repo, write_answers(tmp_path), key)],
                            cwd=repo, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Until the record is written, staging has not begun; once it is, `check` must still be
    # running, waiting for the lock (the deadline only keeps a broken run from hanging the suite).
    deadline = time.monotonic() + 120
    while not [n for n in _records(repo) if not n.startswith(".")] and proc.poll() is None:
        assert time.monotonic() < deadline, "no record was written"
        time.sleep(0.05)
    assert proc.poll() is None, "check ended while the index was locked"
    lock.unlink()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    [name] = _records(repo)
    assert git(repo, "diff", "--cached", "--name-only") == f"{RECORDS_DIR}/{name}"
