"""The CI gate against the threat list: real repositories, real keys, real ssh-keygen."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from support.gitrepo import commit, git
from support.incident import ANSWERS, JOB_BRANCH, incident_repo, keygen, signer_line, write_answers
from support.gate import dc, sign_record
from support.incident import JOB_MAIN as JOB_MAIN_TEXT


def verify_json(repo: Path, *extra: str) -> tuple[int, dict]:
    proc = dc(repo, "verify", "--base", "main", "--format", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def codes(doc: dict) -> list[str]:
    return sorted({p["code"] for p in doc["problems"]})


def test_no_record_is_missing_record(repo):
    code, doc = verify_json(repo)
    assert code == 1 and doc["flagged"] and doc["flagged_files"] == ["inventory/jobs.py"]
    assert codes(doc) == ["missing-record"] and doc["records"] == []


def test_signed_record_passes(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    code, doc = verify_json(repo)
    assert code == 0 and doc["ok"] and doc["problems"] == []
    assert doc["records"] == [{"path": path, "status": "valid", "signer": "dev@example.com"}]


def test_record_verifies_with_plain_ssh_keygen(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    record = (repo / path).read_bytes()
    body = subprocess.run(["sed", "/^signature:/,$d", str(repo / path)], capture_output=True, check=True).stdout
    armored = record.decode().split("value: |\n", 1)[1]
    sig = tmp_path / "R.sig"
    sig.write_text("".join(line[4:] + "\n" for line in armored.splitlines()))
    signers = tmp_path / "allowed_signers"
    signers.write_text(signer_line(key))
    proc = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "dev@example.com", "-n", "deploycheck-record-v1", "-s", str(sig)],
        input=body, capture_output=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_answer_edited_after_signing(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    text = (repo / path).read_text().replace('answer: "yes"', 'answer: "no"', 1)
    commit(repo, {path: text}, message="tamper")
    code, doc = verify_json(repo)
    assert code == 1 and "bad-signature" in codes(doc)


def test_one_signature_byte_changed(repo, key, tmp_path):
    import base64

    path = sign_record(repo, key, tmp_path)
    text = (repo / path).read_text()
    head, _, rest = text.partition("-----BEGIN SSH SIGNATURE-----\n")
    b64, _, tail = rest.partition("    -----END SSH SIGNATURE-----")
    blob = bytearray(base64.b64decode("".join(line.strip() for line in b64.splitlines())))
    blob[-5] ^= 0x01
    encoded = base64.b64encode(bytes(blob)).decode()
    lines = "".join(f"    {encoded[i:i + 70]}\n" for i in range(0, len(encoded), 70))
    commit(repo, {path: head + "-----BEGIN SSH SIGNATURE-----\n" + lines + "    -----END SSH SIGNATURE-----" + tail}, message="flip")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["bad-signature"]


def test_flagged_file_edited_after_signing(repo, key, tmp_path):
    sign_record(repo, key, tmp_path)
    commit(repo, {"inventory/jobs.py": JOB_BRANCH.replace("product.save()", "product.save(update_fields=['stock'])")}, message="more")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["stale-record"]
    assert [p["path"] for p in doc["problems"]] == ["inventory/jobs.py"]


def test_whitespace_only_edit_makes_record_stale(repo, key, tmp_path):
    sign_record(repo, key, tmp_path)
    commit(repo, {"inventory/jobs.py": JOB_BRANCH.replace("    product.save()", "    product.save() ")}, message="ws")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["stale-record"]


def test_new_flagged_file_makes_record_stale(repo, key, tmp_path):
    sign_record(repo, key, tmp_path)
    commit(repo, {"inventory/restock.py": JOB_BRANCH.replace("reserve_stock", "restock").replace("- quantity", "+ quantity")}, message="new job")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["stale-record"]
    assert [p["path"] for p in doc["problems"]] == ["inventory/restock.py"]


def test_edit_to_unflagged_file_keeps_record_valid(repo, key, tmp_path):
    sign_record(repo, key, tmp_path)
    commit(repo, {"README.md": "docs changed\n"}, message="docs")
    code, doc = verify_json(repo)
    assert code == 0, doc


def test_rebase_onto_moved_base_keeps_record_valid(repo, key, tmp_path):
    sign_record(repo, key, tmp_path)
    git(repo, "checkout", "-q", "main")
    commit(repo, {"inventory/views.py": "def index(request):\n    return None\n"}, message="main moves on")
    git(repo, "checkout", "-q", "refactor")
    git(repo, "rebase", "-q", "main")
    code, doc = verify_json(repo)
    assert code == 0, doc


def test_record_copied_from_another_branch(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    record = (repo / path).read_bytes()
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "other")
    other_job = JOB_BRANCH.replace("product.stock - quantity", "product.stock - 2 * quantity")
    commit(repo, {"inventory/jobs.py": other_job, path: record}, message="copied record")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["stale-record"]


def test_old_record_on_base_is_not_reused(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge refactor", "refactor")
    git(repo, "checkout", "-q", "-b", "again")
    restock = JOB_BRANCH.replace("reserve_stock", "restock").replace("- quantity", "+ quantity")
    commit(repo, {"inventory/restock.py": restock}, message="another change")
    code, doc = verify_json(repo)
    # The record lives on main now: it never counts for a new change.
    assert code == 1 and "missing-record" in codes(doc), doc
    assert (repo / path).exists()


def test_branch_adding_its_own_key_is_not_trusted(repo, tmp_path):
    rogue = keygen(tmp_path / "rogue")
    commit(repo, {".deploycheck/allowed_signers": signer_line(rogue, "rogue@example.com")}, message="trust me")
    git(repo, "config", "user.email", "rogue@example.com")
    sign_record(repo, rogue, tmp_path)
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["untrusted-signer"]
    assert any("allowed_signers" in n and "after merge" in n for n in doc["notes"])


def test_a_record_signed_with_another_key_under_a_trusted_identity_is_not_told_to_trust_that_key(repo, tmp_path):
    # A new user's trial (session 30): bob signed with his key while git's user.email was alice's.
    # The fix offered a line trusting bob's key as alice, which would give bob her identity.
    other = keygen(tmp_path / "bob")
    sign_record(repo, other, tmp_path)
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["untrusted-signer"]
    (problem,) = doc["problems"]
    assert "with another key" in problem["message"] and "Sign with dev@example.com's own key" in problem["message"]
    assert problem["fix"].startswith("Sign again with the key trusted for that identity, or under your own identity")
    assert "Ask a maintainer to add the line" not in problem["fix"]


def test_a_record_by_a_key_the_base_trusts_later_passes_as_it_is(tmp_path, key):
    # Session 16's new-user trial: the fix said to run `deploycheck` again and commit an updated
    # record, but once the base trusts the key the record that was refused passes unchanged.
    repo = incident_repo(tmp_path, signers="# nobody yet\n")
    record = sign_record(repo, key, tmp_path)
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["untrusted-signer"]
    (problem,) = doc["problems"]
    assert "this record passes as it is, so run the check again (no new record is needed)" in problem["fix"]
    assert "commit the updated record" not in problem["fix"]
    git(repo, "checkout", "-q", "main")
    commit(repo, {".deploycheck/allowed_signers": signer_line(key)}, message="trust dev")
    git(repo, "checkout", "-q", "refactor")
    code, doc = verify_json(repo)
    assert code == 0 and doc["record"] == record


def test_a_signer_line_the_gate_ignores_is_said_beside_the_usable_ones(tmp_path, key):
    # A new user's trial (session 27): the README's line appended an address with no key (the
    # key file was missing); the gate passed on the other line and never said so.
    repo = incident_repo(tmp_path, signers=signer_line(key) + "nu27b@example.com \n")
    sign_record(repo, key, tmp_path)
    code, doc = verify_json(repo)
    assert code == 0 and doc["problems"] == []
    assert [n for n in doc["notes"] if "allowed_signers (at main):2:" in n and "This line is ignored" in n]


def test_branch_disabling_rules_in_its_own_config_has_no_effect(repo):
    commit(repo, {".deploycheck/config.yaml": "rules:\n  disable: [DC301, lost-update]\n"}, message="switch it off")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["missing-record"]


def test_signature_made_for_namespace_git_is_rejected(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    text = (repo / path).read_text()
    body = text[: text.index("signature:")]
    msg = tmp_path / "body"
    msg.write_text(body)
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-f", str(key), "-n", "git", str(msg)], check=True, capture_output=True)
    armored = (tmp_path / "body.sig").read_text()
    block = text[text.index("signature:"):].split("  value: |\n")[0]
    forged = body + block + "  value: |\n" + "".join("    " + ln + "\n" for ln in armored.splitlines())
    commit(repo, {path: forged}, message="git namespace")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["bad-signature"]
    assert any("namespace" in p["message"] for p in doc["problems"])


def test_expired_key_is_untrusted(tmp_path, key):
    repo = incident_repo(tmp_path, signers=signer_line(key, options='valid-before="20200101Z"'))
    sign_record(repo, key, tmp_path)
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["untrusted-signer"]
    assert any("expired" in p["message"] for p in doc["problems"])


def test_principal_differs_from_signers_principal(tmp_path, key):
    repo = incident_repo(tmp_path, signers=signer_line(key, principal="lead@example.com"))
    sign_record(repo, key, tmp_path)  # signs as dev@example.com (git user.email)
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["untrusted-signer"]
    assert any("principal" in p["message"] for p in doc["problems"])


def test_junk_file_under_records_fails(repo, key, tmp_path):
    sign_record(repo, key, tmp_path)
    commit(repo, {".deploycheck/records/notes.txt": "trust me\n"}, message="junk")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"]
    assert {r["path"]: r["status"] for r in doc["records"]}[".deploycheck/records/notes.txt"] == "invalid"


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("deploycheck_record: 1\ndeploycheck_record: 1\nsignature:\n  format: sshsig\n", "duplicate key"),
        ("a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\nsignature:\n  format: sshsig\n", "aliases"),
        ("deploycheck_record: !!python/object:os.system x\nsignature:\n  format: sshsig\n", "tag"),
        ("x: " + "A" * 30_000_000 + "\nsignature:\n", "over the limit"),
    ],
    ids=["duplicate-keys", "alias-bomb", "python-tag", "30MB"],
)
def test_hostile_record_files_are_invalid(repo, content, fragment):
    commit(repo, {".deploycheck/records/evil.yaml": content}, message="evil")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"]
    assert fragment in doc["problems"][0]["message"]


def test_incomplete_answers_in_record_are_reported(repo, key, tmp_path):
    answers = ANSWERS.replace('concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}', 'concurrency-tested: {answer: "no", details: "staging has one worker so we cannot"}')
    sign_record(repo, key, tmp_path, answers)
    code, doc = verify_json(repo)
    assert code == 0, doc  # no policy configured on main: a "no" is allowed with details


def test_policy_from_base_config_blocks(tmp_path, key):
    repo = incident_repo(tmp_path, key, extra_main={
        ".deploycheck/config.yaml": "policy:\n  block:\n    - {question: concurrency-tested, answer: \"no\", when: high}\n",
    })
    answers = ANSWERS.replace('concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}', 'concurrency-tested: {answer: "no", details: "staging has one worker so we cannot"}')
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path, answers)), "--yes", "--key", str(key))
    assert proc.returncode == 2 and "concurrency-tested" in proc.stderr and not list((repo / ".deploycheck").glob("records/*"))


def test_check_refuses_bad_answers_and_writes_nothing(repo, key, tmp_path):
    answers = ANSWERS.replace("tests/test_inventory_concurrency.py", "tests/test_does_not_exist.py")
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path, answers)), "--yes", "--key", str(key))
    assert proc.returncode == 2 and "test_does_not_exist.py" in proc.stderr
    assert not (repo / ".deploycheck" / "records").exists()
    missing = "\n".join(ln for ln in ANSWERS.splitlines() if not ln.startswith("rollback-safe"))
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path, missing)), "--yes", "--key", str(key))
    assert proc.returncode == 2 and "rollback-safe" in proc.stderr


def test_rerun_replaces_the_branch_record(repo, key, tmp_path):
    first = sign_record(repo, key, tmp_path)
    commit(repo, {"inventory/jobs.py": JOB_BRANCH + "\n"}, message="edit")
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path)), "--yes", "--key", str(key))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (repo / ".deploycheck" / "records").iterdir()) == [Path(first).name]
    commit(repo, message="updated record")
    assert verify_json(repo)[0] == 0


def test_no_terminal_and_no_answers_is_exit_2(repo):
    proc = dc(repo, "check", "--base", "main")
    assert proc.returncode == 2 and "--answers" in proc.stderr and "Traceback" not in proc.stderr


def test_allowed_signers_from_ci_replaces_base_list(tmp_path, key):
    repo = incident_repo(tmp_path)  # no allowed_signers on main
    sign_record(repo, key, tmp_path)
    assert codes(verify_json(repo)[1]) == ["untrusted-signer"]
    org = tmp_path / "org_signers"
    org.write_text(signer_line(key))
    assert verify_json(repo, "--allowed-signers", str(org))[0] == 0


@pytest.fixture
def agent(tmp_path):
    """A real ssh-agent for this test only."""
    out = subprocess.run(["ssh-agent", "-s", "-a", str(tmp_path / "agent.sock")], capture_output=True, text=True, check=True).stdout
    env = dict(line.split(";", 1)[0].split("=", 1) for line in out.splitlines() if line.startswith(("SSH_AUTH_SOCK=", "SSH_AGENT_PID=")))
    yield env
    subprocess.run(["kill", env["SSH_AGENT_PID"]], check=False)


def test_key_held_only_by_ssh_agent_signs_a_record_ci_accepts(repo, key, tmp_path, agent):
    import os

    subprocess.run(["ssh-add", "-q", str(key)], env={**os.environ, **agent}, check=True, capture_output=True)
    key.unlink()  # only the agent has the private key now
    public = Path(str(key) + ".pub").read_text().split()
    # The user's git is configured for SSH signing with the public key, as for signed commits.
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "user.signingkey", f"key::{public[0]} {public[1]}")
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path)), "--yes", env=agent)
    assert proc.returncode == 0, proc.stderr
    commit(repo, message="record signed through the agent")
    code, doc = verify_json(repo)
    assert code == 0 and doc["records"][0]["signer"] == "dev@example.com"


def test_existing_default_key_in_home_is_found(repo, tmp_path, _isolated_home):
    ssh_dir = _isolated_home / ".ssh"
    ssh_dir.mkdir()
    home_key = keygen(ssh_dir / "id_ed25519")
    commit_signers = signer_line(home_key)
    git(repo, "checkout", "-q", "main")
    commit(repo, {".deploycheck/allowed_signers": commit_signers}, message="trust the home key")
    git(repo, "checkout", "-q", "refactor")
    git(repo, "rebase", "-q", "main")
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path)), "--yes")
    assert proc.returncode == 0, proc.stderr
    commit(repo, message="record")
    assert verify_json(repo)[0] == 0


# --- codes that only a signed record can carry: the signer bypassed `check`, or main moved on ----


def resign(repo: Path, path: str, key: Path, tmp_path: Path, edit) -> None:
    """Edit a record's body with ``edit`` and sign it again with real ssh-keygen, as an author
    who bypasses `deploycheck check` could; commit the result."""
    text = (repo / path).read_text()
    body, block = text[: text.index("signature:")], text[text.index("signature:"):].split("  value: |\n")[0]
    body = edit(body)
    message = tmp_path / "resigned-body"
    message.write_text(body)
    Path(str(message) + ".sig").unlink(missing_ok=True)
    subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-f", str(key), "-n", "deploycheck-record-v1", str(message)],
                   check=True, capture_output=True)
    armored = Path(str(message) + ".sig").read_text()
    commit(repo, {path: body + block + "  value: |\n" + "".join("    " + ln + "\n" for ln in armored.splitlines())},
           message="re-signed by hand")


def test_signed_record_missing_an_answer_is_incomplete_answers(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    resign(repo, path, key, tmp_path, lambda body: body.replace('  "rollback-safe":\n    answer: "yes"\n', ""))
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["incomplete-answers"]
    (problem,) = doc["problems"]
    assert problem["path"] == path and "no answer to rollback-safe" in problem["message"]
    assert doc["records"] == [{"path": path, "status": "incomplete", "signer": "dev@example.com"}]


def test_policy_added_on_main_after_signing_is_policy(repo, key, tmp_path):
    answers = ANSWERS.replace('concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}',
                              'concurrency-tested: {answer: "no", details: "staging has one worker so we cannot"}')
    path = sign_record(repo, key, tmp_path, answers)
    assert verify_json(repo)[0] == 0  # no policy on main yet: a "no" with details is recorded
    git(repo, "checkout", "-q", "main")
    commit(repo, {".deploycheck/config.yaml": 'policy:\n  block:\n    - {question: concurrency-tested, answer: "no"}\n'},
           message="never accept untested concurrency")
    git(repo, "checkout", "-q", "refactor")
    git(repo, "rebase", "-q", "main")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["policy"]
    assert doc["records"] == [{"path": path, "status": "policy", "signer": "dev@example.com"}]
    assert "concurrency-tested" in doc["problems"][0]["message"]


def test_fingerprint_value_that_contradicts_its_files_is_invalid_record(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)

    def edit(body: str) -> str:
        value = body.split('  value: "', 1)[1][:64]
        return body.replace(value, "0" * 64, 1)

    resign(repo, path, key, tmp_path, edit)
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"]
    assert "fingerprint.value is not the fingerprint" in doc["problems"][0]["message"]


def test_concurrency_test_in_a_dot_folder_is_found(repo, key, tmp_path):
    git(repo, "mv", "tests", ".tests")
    commit(repo, message="tests in a dot folder")
    answers = ANSWERS.replace("tests/test_inventory_concurrency.py", ".tests/test_inventory_concurrency.py")
    sign_record(repo, key, tmp_path, answers)
    assert verify_json(repo)[0] == 0


def test_check_warns_before_signing_with_a_key_main_does_not_trust(repo, tmp_path):
    stranger = keygen(tmp_path / "stranger")
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path)), "--yes", "--key", str(stranger))
    assert proc.returncode == 0, proc.stderr
    stderr = " ".join(proc.stderr.split())  # Rich wraps the warning
    assert f"{stranger} (ssh-ed25519 SHA256:" in stderr and "is not trusted for 'dev@example.com'" in stderr
    line = f"dev@example.com {' '.join(Path(str(stranger) + '.pub').read_text().split()[:2])}"
    # dev@example.com is trusted with another key: no line giving this key that identity is offered
    # (a new user's trial, session 30); the way out is the identity's key or one's own identity.
    assert stderr.count(line) == 0 and "with another key" in stderr and "will reject the record until then" in stderr
    # Said again where the run ends, beside the record it wrote (a new user's trial, session 31).
    assert "The base branch does not trust the key it was signed with: `deploycheck verify` will reject it" in " ".join(
        proc.stdout.split())
    commit(repo, message="record by a stranger")
    assert codes(verify_json(repo)[1]) == ["untrusted-signer"]


def test_check_warns_when_main_has_no_allowed_signers(tmp_path, key):
    repo = incident_repo(tmp_path)
    proc = dc(repo, "check", "--base", "main", "--answers", str(write_answers(tmp_path)), "--yes", "--key", str(key))
    assert proc.returncode == 0, proc.stderr
    assert "will not trust any record yet" in " ".join(proc.stderr.split())


def github_errors(repo: Path) -> list[str]:
    proc = dc(repo, "verify", "--base", "main", "--format", "github")
    assert proc.returncode == 1, proc.stderr
    return [line.split("::", 2)[1] for line in proc.stdout.splitlines() if line.startswith("::error ")]


def test_github_annotations_sit_on_the_flagged_lines_or_the_record(repo, key, tmp_path):
    assert github_errors(repo) == [
        "error file=inventory/jobs.py,line=8,endLine=11,title=deploycheck missing-record",
        "error file=inventory/jobs.py,line=10,endLine=11,title=deploycheck missing-record",
    ]
    path = sign_record(repo, key, tmp_path)
    commit(repo, {"inventory/jobs.py": JOB_BRANCH.replace("    product.save()", "    product.save() ")}, message="ws")
    assert github_errors(repo) == [
        "error file=inventory/jobs.py,line=8,endLine=11,title=deploycheck stale-record",
        "error file=inventory/jobs.py,line=10,endLine=11,title=deploycheck stale-record",
    ]
    text = (repo / path).read_text().replace('answer: "yes"', 'answer: "no"', 1)
    commit(repo, {path: text, "inventory/jobs.py": JOB_BRANCH}, message="tamper, and undo the edit")
    # (the tampered "no" also contradicts the lost update: a second problem of the record)
    assert github_errors(repo) == [
        f"error file={path},title=deploycheck bad-signature",
        f"error file={path},title=deploycheck incomplete-answers",
    ]


def test_the_docs_verify_by_hand_commands_verify_a_real_record(repo, key, tmp_path):
    records_doc = (Path(__file__).resolve().parents[2] / "docs" / "records.md").read_text()
    section = records_doc.split("### Verifying a record by hand", 1)[1]
    script = section.split("```sh\n", 1)[1].split("```", 1)[0]
    assert script.startswith("R=.deploycheck/records/")
    path = sign_record(repo, key, tmp_path)
    script = f"R={path}\n" + script.split("\n", 1)[1]  # the docs' example name -> this record
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith('Good "deploycheck-record-v1" signature for dev@example.com with ED25519 key SHA256:')


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()}


def test_verify_writes_nothing_and_never_prompts(repo, key, tmp_path):
    # The pre-push hook may keep the job index's cache under .git/deploycheck/jobindex (a cache
    # of what the repository's files say, never the work tree); the CI gate writes nothing.
    cache = ".git/deploycheck/jobindex"
    for signed in (False, True):
        if signed:
            sign_record(repo, key, tmp_path)
        before = _snapshot(repo)
        for args in ((), ("--format", "json"), ("--hook",)):
            proc = dc(repo, "verify", "--base", "main", *args)  # stdin is /dev/null: a prompt would fail
            assert proc.returncode == (0 if signed else 1), proc.stderr
            if args != ("--hook",):
                assert _snapshot(repo) == before, args
        outside = lambda snapshot: {k: v for k, v in snapshot.items() if not k.startswith(cache)}  # noqa: E731 - a one-line filter
        assert outside(_snapshot(repo)) == outside(before)


# --- records count once, bind where the change sits, and all verify (issue 15) --------------

TWO_TASKS = '''from celery import shared_task

from .models import Product


@shared_task
def audit_stock(product_id):
    product = Product.objects.select_for_update().get(pk=product_id)
    return product.stock


@shared_task
def reserve_stock(product_id, quantity):
    product = Product.objects.select_for_update().get(pk=product_id)
    product.stock = product.stock - quantity
    product.save()
'''
LOCKED = "    product = Product.objects.select_for_update().get(pk=product_id)\n"
UNLOCKED = "    product = Product.objects.get(pk=product_id)\n"


def drop_lock_in(function: str) -> str:
    head, _, tail = TWO_TASKS.partition(f"def {function}(")
    return head + f"def {function}(" + tail.replace(LOCKED, UNLOCKED, 1)


def two_task_repo(tmp_path: Path, key: Path) -> Path:
    repo = incident_repo(tmp_path, key, extra_main={"inventory/jobs.py": TWO_TASKS})
    git(repo, "checkout", "-q", "-b", "attack", "main")
    return repo


def test_the_same_edit_moved_into_another_function_makes_the_record_stale(tmp_path, key):
    """Security review finding 6: the record for dropping the lock in read-only audit_stock
    stayed valid once the identical -/+ pair moved into reserve_stock."""
    repo = two_task_repo(tmp_path, key)
    commit(repo, {"inventory/jobs.py": drop_lock_in("audit_stock")}, message="drop the lock in the audit")
    sign_record(repo, key, tmp_path)
    assert verify_json(repo)[0] == 0
    commit(repo, {"inventory/jobs.py": drop_lock_in("reserve_stock")}, message="move the edit")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["stale-record"]
    assert [p["path"] for p in doc["problems"]] == ["inventory/jobs.py"]


def test_a_copy_of_a_base_record_under_a_new_name_does_not_count(repo, key, tmp_path):
    """Finding 7: main reverted a change but kept its record; a branch re-applies the change
    and copies the record under a new name."""
    path = sign_record(repo, key, tmp_path)
    record = (repo / path).read_bytes()
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge refactor", "refactor")
    commit(repo, {"inventory/jobs.py": JOB_MAIN_TEXT}, message="revert the refactor")
    git(repo, "checkout", "-q", "-b", "again")
    copy = path.replace(".yaml", "-again.yaml")
    commit(repo, {"inventory/jobs.py": JOB_BRANCH, copy: record}, message="re-apply with the old record")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"]
    assert f"same signed body as {path}" in doc["problems"][0]["message"]


def test_a_base_record_with_only_its_key_line_edited_does_not_count(repo, key, tmp_path):
    """Finding 7: "modifying" a record by editing only the unsigned `key:` line."""
    path = sign_record(repo, key, tmp_path)
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge refactor", "refactor")
    commit(repo, {"inventory/jobs.py": JOB_MAIN_TEXT}, message="revert the refactor")
    git(repo, "checkout", "-q", "-b", "again")
    text = (repo / path).read_text()
    edited = text.replace('  key: "SHA256:', '  key: "SHA256:x', 1)
    commit(repo, {"inventory/jobs.py": JOB_BRANCH, path: edited}, message="touch the record")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"]
    assert "rewrites" in doc["problems"][0]["message"]
    # and the same edit as a new file: a copy, whatever its key line says
    git(repo, "checkout", "-q", "main", "--", path)
    commit(repo, {path.replace(".yaml", "-2.yaml"): edited}, message="as a new file")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"] and "same signed body" in doc["problems"][0]["message"]


def test_a_key_hint_that_disagrees_with_the_signature_is_bad_signature(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    other = keygen(tmp_path / "other")
    from deploycheck.records.sshsig import public_key_from_openssh

    wrong = public_key_from_openssh(Path(str(other) + ".pub").read_text()).fingerprint()
    text = (repo / path).read_text()
    start = text.index('  key: "') + len('  key: "')
    commit(repo, {path: text[:start] + wrong + text[text.index('"', start):]}, message="edit the hint")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["bad-signature"]
    assert "the unsigned key line was edited" in doc["problems"][0]["message"]


def test_a_forged_record_beside_a_valid_one_fails(repo, key, tmp_path):
    """Finding 9: a record whose signature does not verify, next to a valid one, passed."""
    path = sign_record(repo, key, tmp_path)
    forged = (repo / path).read_text().replace('answer: "yes"', 'answer: "no"', 1)
    commit(repo, {path.replace(".yaml", "-forged.yaml"): forged}, message="forged")
    code, doc = verify_json(repo)
    assert code == 1 and "bad-signature" in codes(doc)
    assert sorted(r["status"] for r in doc["records"]) == ["bad-signature", "valid"]


def test_a_forged_record_on_an_unflagged_change_fails(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    forged = (repo / path).read_text().replace('answer: "yes"', 'answer: "no"', 1)
    git(repo, "checkout", "-q", "-b", "docs", "main")
    commit(repo, {"README.md": "docs\n", path: forged}, message="docs and a forged record")
    code, doc = verify_json(repo)
    assert code == 1 and not doc["flagged"] and codes(doc) == ["bad-signature"]
    # the hook's fast path gives the same verdict
    hook = dc(repo, "verify", "--hook", "--base", "main")
    assert hook.returncode == 1 and "a record this push adds, rewrites or deletes does not verify (bad-signature)" in hook.stderr
    text = dc(repo, "verify", "--base", "main")
    assert text.returncode == 1 and "FAIL: nothing is flagged, but a record this change adds" in text.stdout


def test_a_record_of_another_change_on_an_unflagged_change_is_stale_but_not_needed(repo, key, tmp_path):
    # Copied onto a branch that does not change the files it signed, a record describes another
    # change (it is bound to exactly the one it was signed for, session 24), but nothing here
    # needs a record: only a forged or untrusted one fails an unflagged change.
    path = sign_record(repo, key, tmp_path)
    record = (repo / path).read_bytes()
    git(repo, "checkout", "-q", "-b", "docs", "main")
    commit(repo, {"README.md": "docs\n", path: record}, message="docs and a record")
    code, doc = verify_json(repo)
    assert code == 0 and not doc["flagged"] and doc["records"][0]["status"] == "stale"


def test_deleting_a_record_from_the_base_fails(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge refactor", "refactor")
    git(repo, "checkout", "-q", "-b", "cleanup")
    git(repo, "rm", "-q", path)
    commit(repo, {"README.md": "tidy\n"}, message="remove an old record")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"]
    assert doc["problems"][0]["path"] == path and "deletes" in doc["problems"][0]["message"]


def test_a_record_in_a_subfolder_of_records_fails(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    record = (repo / path).read_bytes()
    nested = path.replace("records/", "records/old/")
    commit(repo, {nested: record}, message="nested copy")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"] and doc["problems"][0]["path"] == nested


def test_an_old_format_record_is_stale_with_a_clear_message(repo, key, tmp_path):
    """A record made before fingerprint version 2 (no `version:` line) still parses; the gate
    calls it stale and says why."""
    path = sign_record(repo, key, tmp_path)
    resign(repo, path, key, tmp_path, lambda body: body.replace("  version: 2\n", "", 1))
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["stale-record"]
    assert "fingerprint is version 1" in doc["problems"][0]["message"]


def test_a_high_finding_the_record_did_not_show_makes_it_stale(repo, key, tmp_path):
    path = sign_record(repo, key, tmp_path)
    resign(repo, path, key, tmp_path, lambda body: body.split("findings:\n", 1)[0] + "findings: []\n"
           + "checklist:\n" + body.split("\nchecklist:\n", 1)[1])
    code, doc = verify_json(repo)
    assert code == 1 and "stale-record" in codes(doc)
    assert any("is not among the findings the record showed" in p["message"] for p in doc["problems"])


def test_the_docs_recipe_verifies_a_crlf_record_that_the_gate_accepts(repo, key, tmp_path):
    """Finding 12: the by-hand ssh-keygen recipe (docs/records.md) failed on a CRLF record deploycheck accepts."""
    records_doc = (Path(__file__).resolve().parents[2] / "docs" / "records.md").read_text()
    script = records_doc.split("### Verifying a record by hand", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    path = sign_record(repo, key, tmp_path)
    commit(repo, {path: (repo / path).read_bytes().replace(b"\n", b"\r\n")}, message="CRLF")
    assert verify_json(repo)[0] == 0
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", f"R={path}\n" + script.split("\n", 1)[1]],
                          cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith('Good "deploycheck-record-v1" signature for dev@example.com')


# --- the pure decision, in process (gate.decide / check_record) -----------------------------


def _unit_setup(tmp_path: Path, *, version: int = 2, findings: tuple = (), key_hint: str | None = None,
                files: dict | None = None, name: str = "unit_key"):
    """A real signed record (pure-Python signer, real key from ssh-keygen) and the trust and
    evidence for a change whose one flagged file has digest H."""
    import dataclasses

    from support.records import make_body

    from deploycheck.config import Config
    from deploycheck.analysis.fingerprint import fingerprint
    from deploycheck.gate.decision import Evidence, Trust
    from deploycheck.records.record import NAMESPACE, FingerprintInfo, SignatureInfo, attach_signature, build_body
    from deploycheck.records.signing import parse_allowed_signers
    from deploycheck.records.sshsig import public_key_from_openssh, sign_with_private_key, verify_sshsig

    key = keygen(tmp_path / name)
    files = files or {"inventory/jobs.py": "ab" * 32}
    body = dataclasses.replace(make_body(), findings=findings,
                               fingerprint=FingerprintInfo(fingerprint(files), files, version=version))
    data = build_body(body)
    armored = sign_with_private_key(data, key.read_bytes(), NAMESPACE)
    hint = key_hint or public_key_from_openssh(Path(str(key) + ".pub").read_text()).fingerprint()
    record = attach_signature(data, SignatureInfo(principal="dev@example.com", key=hint, value=armored))
    trust = Trust(signers=parse_allowed_signers(signer_line(key), "allowed_signers"), signers_source="allowed_signers",
                  config=Config(), checklist=None)
    evidence = Evidence([], dict(files), verify_sshsig, lambda p: True, lambda p: None,
                        change_digests=lambda paths: {p: files[p] for p in paths if p in files})
    return record, trust, evidence


def _high(path: str = "inventory/jobs.py", rule: str = "DC301", line: int = 9):
    from deploycheck.git.model import Finding

    return Finding(rule, "lost-update", "shared-state", "high", path, line, line, "read, changed, saved", ("shared-state",))


def test_unit_valid_record_passes_and_a_copy_known_to_the_base_does_not(tmp_path):
    from deploycheck.gate.decision import BaseRecords, RecordFile, decide, record_identities

    record, trust, evidence = _unit_setup(tmp_path)
    assert decide(["inventory/jobs.py"], [RecordFile(".deploycheck/records/a.yaml", record)], trust, evidence).ok
    body_id = record_identities(record)[0]
    evidence.base_records = BaseRecords({body_id: ".deploycheck/records/old.yaml"})
    verdict = decide(["inventory/jobs.py"], [RecordFile(".deploycheck/records/a.yaml", record)], trust, evidence)
    assert not verdict.ok and [p.code for p in verdict.problems] == ["invalid-record"]
    assert "same signed body as .deploycheck/records/old.yaml" in verdict.problems[0].message
    # the signature alone is enough to recognise a copy
    evidence.base_records = BaseRecords({record_identities(record)[1]: ".deploycheck/records/old.yaml"})
    verdict = decide(["inventory/jobs.py"], [RecordFile(".deploycheck/records/a.yaml", record)], trust, evidence)
    assert not verdict.ok and "same signature as" in verdict.problems[0].message


def test_unit_record_identities_ignore_crlf_and_the_key_line(tmp_path):
    from deploycheck.gate.decision import record_identities

    record, _, _ = _unit_setup(tmp_path)
    edited = record.replace(b'  key: "SHA256:', b'  key: "SHA256:zz', 1)
    assert record_identities(record) == record_identities(record.replace(b"\n", b"\r\n")) == record_identities(edited)
    assert len(record_identities(record)) == 2


def test_unit_key_hint_that_is_not_the_signing_key_is_bad_signature(tmp_path):
    from deploycheck.gate.decision import RecordFile, check_record

    record, trust, evidence = _unit_setup(tmp_path, key_hint="SHA256:not-the-key")
    verdict = check_record(RecordFile(".deploycheck/records/a.yaml", record), trust, evidence)
    assert verdict.status == "bad-signature" and "SHA256:not-the-key" in verdict.problems[0].message


def test_unit_fingerprint_version_1_is_stale(tmp_path):
    from deploycheck.gate.decision import RecordFile, check_record

    record, trust, evidence = _unit_setup(tmp_path, version=1)
    verdict = check_record(RecordFile(".deploycheck/records/a.yaml", record), trust, evidence)
    assert verdict.status == "stale" and [p.code for p in verdict.problems] == ["stale-record"]
    assert "fingerprint is version 1" in verdict.problems[0].message


def test_unit_a_new_high_finding_makes_the_record_stale_naming_it(tmp_path):
    from deploycheck.gate.decision import RecordFile, check_record

    record, trust, evidence = _unit_setup(tmp_path, findings=(_high(line=3),))
    evidence.findings = [_high(line=40)]  # the same finding after a rebase moved it: still shown
    assert check_record(RecordFile(".deploycheck/records/a.yaml", record), trust, evidence).status == "valid"
    evidence.findings = [_high(line=40), _high(line=55)]  # a second one the author never saw
    verdict = check_record(RecordFile(".deploycheck/records/a.yaml", record), trust, evidence)
    assert verdict.status == "stale"
    assert verdict.problems[0].message.startswith("inventory/jobs.py:55: DC301 lost-update (high) is not among")


def test_unit_every_record_must_verify_flagged_or_not(tmp_path):
    from deploycheck.gate.decision import RecordFile, decide

    record, trust, evidence = _unit_setup(tmp_path)
    forged = record.replace(b'answer: "yes"', b'answer: "no"', 1)
    files = [RecordFile(".deploycheck/records/a.yaml", record), RecordFile(".deploycheck/records/b.yaml", forged)]
    assert not decide(["inventory/jobs.py"], files, trust, evidence).ok
    unflagged = decide([], files, trust, evidence)
    assert not unflagged.ok and [p.code for p in unflagged.problems] == ["bad-signature"]
    # a record that is only out of date does not fail a change that needs none
    evidence.current_digests = {"inventory/jobs.py": "cd" * 32}
    assert decide([], files[:1], trust, evidence).ok


def test_unit_base_records_deleted_rewritten_or_nested_are_invalid(tmp_path):
    from deploycheck.gate.decision import RecordFile, decide

    record, trust, evidence = _unit_setup(tmp_path)
    for rf in (RecordFile(".deploycheck/records/old.yaml", None, change="deleted"),
               RecordFile(".deploycheck/records/old.yaml", None, change="modified"),
               RecordFile(".deploycheck/records/sub/a.yaml", record)):
        verdict = decide([], [rf], trust, evidence)
        assert not verdict.ok and [p.code for p in verdict.problems] == ["invalid-record"], rf


def test_unit_two_records_each_covering_one_flagged_file_do_not_add_up(tmp_path):
    from deploycheck.gate.decision import RecordFile, decide
    from deploycheck.records.signing import parse_allowed_signers

    jobs, mail = {"inventory/jobs.py": "ab" * 32}, {"inventory/mail.py": "cd" * 32}
    first, trust, evidence = _unit_setup(tmp_path, files=jobs, name="k1")
    second, _, _ = _unit_setup(tmp_path, files=mail, name="k2")
    trust.signers = parse_allowed_signers(signer_line(tmp_path / "k1") + signer_line(tmp_path / "k2"), "allowed_signers")
    evidence.current_digests = {**jobs, **mail}
    verdict = decide(sorted(evidence.current_digests), [RecordFile(".deploycheck/records/a.yaml", first),
                                                         RecordFile(".deploycheck/records/b.yaml", second)], trust, evidence)
    assert not verdict.ok and sorted(v.status for v in verdict.records) == ["stale", "stale"]


def test_a_record_that_main_once_held_only_through_a_merge_and_then_deleted_does_not_count(repo, key, tmp_path):
    """The base's whole history counts, merge commits included: deleting a record on main (or
    bringing it in only by an "evil merge") does not free it for reuse."""
    path = sign_record(repo, key, tmp_path)
    record = (repo / path).read_bytes()
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "side")
    commit(repo, {"README.md": "side\n"}, message="side")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "side")
    commit(repo, {path: record}, message="merge side (and a record no parent had)")
    git(repo, "rm", "-q", path)
    commit(repo, message="drop the record")
    git(repo, "checkout", "-q", "-b", "again")
    commit(repo, {"inventory/jobs.py": JOB_BRANCH, path.replace(".yaml", "-x.yaml"): record}, message="reuse it")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"] and f"same signed body as {path}" in doc["problems"][0]["message"]


def test_a_record_symlink_pointing_at_a_valid_record_is_invalid(repo, key, tmp_path):
    import os

    path = sign_record(repo, key, tmp_path)
    os.symlink(Path(path).name, repo / ".deploycheck/records/link.yaml")
    git(repo, "add", ".deploycheck/records/link.yaml")
    commit(repo, message="a link to the record")
    code, doc = verify_json(repo)
    assert code == 1 and codes(doc) == ["invalid-record"]
    assert {r["path"]: r["status"] for r in doc["records"]} == {path: "valid", ".deploycheck/records/link.yaml": "invalid"}


RESTOCK = '''from celery import shared_task

from .models import Product


@shared_task
def restock(product_id, quantity):
    product = Product.objects.get(pk=product_id)
    product.stock = product.stock + quantity
    product.save()
'''


@pytest.mark.parametrize("edit, stale", [
    ("# safe again: one atomic update\n" + JOB_MAIN_TEXT, True),  # still in the change, edited since signing
    # back to the base's text: the change no longer includes it, and the rest of it was signed
    # as a change that did (a new user's trial, session 24: a queue-region move's consumer half
    # reverted, the producer half still signed)
    (JOB_MAIN_TEXT, True),
])
def test_a_recorded_file_edited_until_it_is_no_longer_flagged_makes_the_record_stale(tmp_path, key, edit, stale):
    """A new user's trial (session 23, openmeter): after signing, a one-line edit put a long-held
    lock back, the file dropped out of the flagged set, and `verify` passed on the record whose
    answers described the other version, because another file kept the change flagged."""
    repo = incident_repo(tmp_path, key)
    commit(repo, {"inventory/restock.py": RESTOCK}, message="restock task")  # flagged too
    sign_record(repo, key, tmp_path)
    assert verify_json(repo)[0] == 0
    commit(repo, {"inventory/jobs.py": edit}, message="edit after signing")
    code, doc = verify_json(repo)
    if stale:
        assert code == 1 and codes(doc) == ["stale-record"]
        assert [p["path"] for p in doc["problems"]] == ["inventory/jobs.py"]
        assert ("no longer changed by the branch" if edit == JOB_MAIN_TEXT else "no longer flagged") \
            in doc["problems"][0]["message"]
    else:
        assert code == 0, doc
