"""Mutated records committed in a real repository: `deploycheck verify` fails the gate with a
problem code (exit 1) and never prints a traceback.

The expected outcome of each mutation comes from the in-process oracle (parse_record and
verify_sshsig): a mutation that happens to leave the signed bytes and a valid signature intact
must pass, every other one must fail with one of the gate's problem codes.
"""

from __future__ import annotations

import json
import random
import re

import pytest
from support.fuzzkit import YAML_SNIPPETS
from support.gitrepo import commit, git
from support.incident import incident_repo, keygen
from support.gate import dc, sign_record

from deploycheck.records import sshsig
from deploycheck.errors import RecordError, SigningError
from deploycheck.records.record import NAMESPACE, parse_record

CODES = {"missing-record", "stale-record", "bad-signature", "untrusted-signer", "incomplete-answers", "policy", "invalid-record"}


def _mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["flip", "truncate", "snippet", "delete", "byte"])
        pos = rng.randrange(len(out) + 1)
        if op == "flip" and out:
            out[min(pos, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif op == "byte" and out:
            out[min(pos, len(out) - 1)] = rng.randrange(256)
        elif op == "truncate":
            del out[pos:]
        elif op == "delete":
            del out[pos : pos + rng.randint(1, 40)]
        else:
            out[pos:pos] = rng.choice(YAML_SNIPPETS)
    return bytes(out)


def _oracle_valid(data: bytes, original_body: bytes) -> bool:
    try:
        rec = parse_record(data, "r.yaml")
        sshsig.verify_sshsig(rec.signed_bytes, rec.signature.value, NAMESPACE)
    except (RecordError, SigningError):
        return False
    return rec.signed_bytes == original_body


def _verify(repo) -> tuple[int, dict, str]:
    proc = dc(repo, "verify", "--base", "main", "--format", "json")
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


@pytest.fixture(scope="module")
def signed_repo(tmp_path_factory):
    """One signed record, made once; each test clones it. Runs before the per-test isolation of
    conftest, so it isolates $HOME and git's configuration itself."""
    tmp = tmp_path_factory.mktemp("e2e")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(tmp / ".gitconfig"))
        mp.delenv("DEPLOYCHECK_SIGNING_KEY", raising=False)
        mp.delenv("SSH_AUTH_SOCK", raising=False)
        key = keygen(tmp / "id_ed25519")
        repo = incident_repo(tmp, key)
        path = sign_record(repo, key, tmp)
    return repo, path, (repo / path).read_bytes()


FIXED = {
    "byte-order mark": lambda d: b"\xef\xbb\xbf" + d,
    "bare carriage returns": lambda d: d.replace(b"\n", b"\r", 5),
    "truncated mid-signature": lambda d: d[: d.index(b"-----END")],
    "NUL byte": lambda d: d.replace(b"answers:", b"answers:\x00", 1),
    "invalid UTF-8": lambda d: d.replace(b'answer: "yes"', b'answer: "y\xffs"', 1),
    "python tag in body": lambda d: d.replace(b"answers:\n", b"evil: !!python/object/apply:os.system ['id']\nanswers:\n", 1),
    "alias bomb": lambda d: d.replace(b"answers:\n", b"a: &a [x, x]\nb: [*a, *a]\nanswers:\n", 1),
    "content after signature": lambda d: d + b"extra: 1\n",
    "2 MB record": lambda d: d + b"  " + b"x" * (2 * 1024 * 1024) + b"\n",
    "empty file": lambda d: b"",
    "signature block only": lambda d: d[d.index(b"signature:"):],
    "principal changed": lambda d: d.replace(b'principal: "dev@example.com"', b'principal: "root@example.com"', 1),
}


@pytest.mark.parametrize("name", sorted(FIXED))
def test_hostile_record_fails_the_gate_with_a_code(signed_repo, name, tmp_path):
    repo, path, original = signed_repo
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-local", str(repo), str(clone))
    git(clone, "checkout", "-q", "refactor")
    git(clone, "branch", "-q", "main", "origin/main")
    commit(clone, {path: FIXED[name](original)}, message=f"hostile record: {name}")
    code, doc, _ = _verify(clone)
    assert code == 1 and not doc["ok"]
    assert doc["problems"] and {p["code"] for p in doc["problems"]} <= CODES
    assert {p["code"] for p in doc["problems"]} & {"invalid-record", "bad-signature", "untrusted-signer"}


def test_randomly_mutated_records_fail_the_gate_or_are_byte_identical(signed_repo, tmp_path):
    repo, path, original = signed_repo
    body = parse_record(original, "r").signed_bytes
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-local", str(repo), str(clone))
    git(clone, "checkout", "-q", "refactor")
    git(clone, "branch", "-q", "main", "origin/main")
    rng = random.Random(20260101)
    tried = 0
    for _ in range(8):
        mutated = _mutate(rng, original)
        commit(clone, {path: mutated}, message="mutated record")
        code, doc, stderr = _verify(clone)
        tried += 1
        if _oracle_valid(mutated, body):
            assert code == 0 and doc["ok"], (mutated, doc)
        else:
            assert code == 1 and not doc["ok"], (mutated, doc)
            codes = {p["code"] for p in doc["problems"]}
            assert codes and codes <= CODES, doc
    print(f"fuzz: verify end-to-end: {tried} mutated records")


# --- hostile configuration files through the command line: exit 2 and one readable line ---------

CHECKLIST_CONFIG = b"checklists: [custom]\n"


@pytest.fixture(scope="module")
def hostile_inputs_repo(tmp_path_factory):
    """The incident (unsigned) and, per hostile input and per file the gate reads from the base,
    a base branch `<file>-<n>` that is main plus that file. Built once: it is only read."""
    from support.fuzzkit import HOSTILE

    tmp = tmp_path_factory.mktemp("hostile-inputs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(tmp / ".gitconfig"))
        key = keygen(tmp / "id_ed25519")
        repo = incident_repo(tmp, key)
        for n, case in enumerate(sorted(HOSTILE)):
            data = HOSTILE[case][0]
            for kind, files in (
                ("config", {".deploycheck/config.yaml": data}),
                ("checklist", {".deploycheck/config.yaml": CHECKLIST_CONFIG, ".deploycheck/checklists/custom.yaml": data}),
            ):
                git(repo, "checkout", "-q", "-b", f"{kind}-{n}", "main")
                commit(repo, files, message=f"hostile {kind}: {case}")
        git(repo, "checkout", "-q", "refactor")
    return repo, key, HOSTILE


def _exit_2(capsys, *args: str) -> str:
    """Run deploycheck in this process (the real command line and error boundary, real git);
    it must exit 2 with one line on stderr and no verdict. Returns that line."""
    from deploycheck.__main__ import main

    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert err.startswith("deploycheck: error: ") and err.count("\n") == 1, err
    assert "internal error" not in err and "Traceback" not in err, err
    assert "PASS" not in out
    return err


def test_hostile_answers_files_config_and_checklists_are_exit_2_with_a_message(hostile_inputs_repo, tmp_path, capsys, monkeypatch):
    repo, key, hostile = hostile_inputs_repo
    monkeypatch.chdir(repo)
    tried = 0
    for n, case in enumerate(sorted(hostile)):
        data, words = hostile[case]
        answers = tmp_path / f"answers-{n}.yaml"
        answers.write_bytes(data)
        err = _exit_2(capsys, "check", "--base", "main", "--answers", str(answers), "--yes", "--key", str(key))
        assert str(answers) in err and re.search(words, err, re.I), (case, err)
        assert not (repo / ".deploycheck" / "records").exists()  # nothing was written
        for kind, where in (("config", ".deploycheck/config.yaml"), ("checklist", ".deploycheck/checklists/custom.yaml")):
            err = _exit_2(capsys, "verify", "--base", f"{kind}-{n}")
            assert where in err and re.search(words, err, re.I), (case, kind, err)
        tried += 3
    print(f"fuzz: command line, hostile answers/config/checklist files: {tried} runs")
