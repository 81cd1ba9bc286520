"""Independent, co-signed reviews (issue 19 part 2): real repositories, real ssh-keygen keys,
`deploycheck review` and `deploycheck verify` in their own processes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from support.gitrepo import commit, git
from support.incident import incident_repo, keygen, signer_line
from support.gate import CLEAN_ENV, REVIEW_ANSWERS, dc, run_review, sign_record, team_repo

from deploycheck.gate.review import ReviewAnswer, answer_problems, required_count

@pytest.fixture
def reviewer(tmp_path) -> Path:
    return keygen(tmp_path / "reviewer", comment="rev@example.com")


def review_and_commit(repo: Path, key: Path, tmp_path: Path) -> str:
    proc = run_review(repo, key, tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    path = git(repo, "diff", "--cached", "--name-only")
    assert path.startswith(".deploycheck/reviews/") and path.endswith(".yaml")
    commit(repo, message="review")
    return path


def verify(repo: Path):
    proc = dc(repo, "verify", "--base", "main", "--format", "json", env=CLEAN_ENV)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def codes(doc: dict) -> list[str]:
    return sorted({p["code"] for p in doc["problems"]})


def test_required_review_missing(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    code, doc = verify(repo)
    assert code == 1 and codes(doc) == ["missing-review"]
    text = " ".join(dc(repo, "verify", "--base", "main", env=CLEAN_ENV).stdout.split())
    assert "covers the change, but the pull request or its review falls short" in text


def test_independent_review_passes_and_is_shown(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    path = review_and_commit(repo, key=reviewer, tmp_path=tmp_path)
    code, doc = verify(repo)
    assert code == 0 and doc["ok"], doc["problems"]
    assert any(n.startswith("reviewed by rev@example.com") for n in doc["notes"])
    assert doc["reviews"] == [{"path": path, "status": "valid", "reviewer": "rev@example.com"}]
    assert f"Reviewed by rev@example.com · {path} · valid" in dc(repo, "summary", "--base", "main", "--format", "text", env=CLEAN_ENV).stdout
    log = dc(repo, "log", env=CLEAN_ENV).stdout
    assert "reviewed by rev@example.com [verified]" in log
    entry = json.loads(dc(repo, "log", "--format", "json", env=CLEAN_ENV).stdout)["records"][0]
    assert entry["reviews"][0]["reviewer"] == "rev@example.com" and entry["reviews"][0]["verified"]


def test_review_verifies_with_plain_ssh_keygen(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    path = review_and_commit(repo, reviewer, tmp_path)
    text = (repo / path).read_text()
    body, _, rest = text.partition("\nsignature:\n")
    armored = "".join(line[4:] + "\n" for line in rest.splitlines() if line.startswith("    "))
    (tmp_path / "R.sig").write_text(armored)
    (tmp_path / "signers").write_text(signer_line(reviewer, "rev@example.com"))
    proc = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "signers"), "-I", "rev@example.com",
                           "-n", "deploycheck-review-v1", "-s", str(tmp_path / "R.sig")],
                          input=(body + "\n").encode(), capture_output=True)
    assert proc.returncode == 0, proc.stderr


def test_author_cannot_review_own_record(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    proc = run_review(repo, key, tmp_path)  # the author's key
    assert proc.returncode == 2 and "a review must come from someone else" in proc.stderr
    proc = run_review(repo, reviewer, tmp_path, email="dev@example.com")  # another key, the author's identity
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def _forge_self_review(repo: Path, key: Path, record_path: str, principal: str) -> str:
    """A review signed by the author's key, written with the library (the command refuses)."""
    from deploycheck.records.record import SignatureInfo, attach_signature, read_record
    from deploycheck.gate.review import REVIEW_NAMESPACE, ReviewBody, build_body, record_digest, review_name
    from deploycheck.records.signing import discover_signing_key, sign

    data = (repo / record_path).read_bytes()
    record = read_record(data, record_path)
    answers = {"read-with-workers": ReviewAnswer("yes"), "silent-failure": ReviewAnswer("two workers at once, surely"),
               **{f"agree-{q}": ReviewAnswer("yes") for q in record.body.answers}}
    body = build_body(ReviewBody("1" * 32, "2026-12-03T00:00:00Z", "Dev", principal, record_path, record_digest(data),
                                 record.body.fingerprint.value, record.signature.principal, (), answers))
    spec = discover_signing_key(str(key), repo)
    signed = attach_signature(body, SignatureInfo(principal, spec.public_key.fingerprint(), sign(body, spec, REVIEW_NAMESPACE),
                                                  namespace=REVIEW_NAMESPACE))
    rel = review_name(record_path, principal + "x")
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_bytes(signed)
    commit(repo, message="self review")
    return rel


def test_self_review_by_the_authors_key_fails_the_gate(tmp_path, key, reviewer):
    signers = signer_line(key) + signer_line(key, "rev@example.com") + signer_line(reviewer, "rev@example.com")
    repo = incident_repo(tmp_path, signers=signers, extra_main={".deploycheck/config.yaml": "review: {required_for: high}\n"})
    record = sign_record(repo, key, tmp_path)
    _forge_self_review(repo, key, record, "rev@example.com")  # the author's key under another trusted name
    code, doc = verify(repo)
    assert code == 1 and codes(doc) == ["missing-review", "self-review"]


def test_edit_after_review_makes_it_stale(tmp_path, key, reviewer):
    from support.incident import JOB_BRANCH

    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    review_and_commit(repo, reviewer, tmp_path)
    commit(repo, {"inventory/jobs.py": JOB_BRANCH + "    product.refresh_from_db()\n"}, message="more")
    sign_record(repo, key, tmp_path)  # the author re-signs: a new record the review never saw
    code, doc = verify(repo)
    assert code == 1 and codes(doc) == ["missing-review", "stale-review"]
    [stale] = [p for p in doc["problems"] if p["code"] == "stale-review"]
    assert stale["fix"].startswith("Ask rev@example.com to run `deploycheck review` on this branch again")


def test_untrusted_reviewer(tmp_path, key, reviewer):
    repo = incident_repo(tmp_path, key, extra_main={".deploycheck/config.yaml": "review: {required_for: flagged}\n"})
    sign_record(repo, key, tmp_path)
    review_and_commit(repo, reviewer, tmp_path)
    code, doc = verify(repo)
    assert code == 1 and codes(doc) == ["missing-review", "untrusted-reviewer"]


def test_reviewer_key_limited_to_the_record_namespace_is_untrusted(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer, reviewer_options='namespaces="deploycheck-record-v1"')
    sign_record(repo, key, tmp_path)
    review_and_commit(repo, reviewer, tmp_path)
    code, doc = verify(repo)
    assert "untrusted-reviewer" in codes(doc) and "namespace not allowed" in json.dumps(doc)


def test_edited_review_answer_is_invalid(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    path = review_and_commit(repo, reviewer, tmp_path)
    text = (repo / path).read_text().replace('answer: "no"', 'answer: "yes"')
    commit(repo, {path: text}, message="tamper")
    code, doc = verify(repo)
    assert code == 1 and "invalid-review" in codes(doc) and "does not verify" in json.dumps(doc)


def test_review_already_on_the_base_never_counts_again(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    path = review_and_commit(repo, reviewer, tmp_path)
    data = (repo / path).read_bytes()
    git(repo, "checkout", "-q", "main")
    commit(repo, {".deploycheck/reviews/old.yaml": data}, message="an old review lands on main")
    git(repo, "checkout", "-q", "refactor")
    git(repo, "merge", "-q", "--no-edit", "main")
    code, doc = verify(repo)  # the branch's own copy, under its first name, is now a replay
    assert code == 1 and "invalid-review" in codes(doc) and "already holds" in json.dumps(doc)


def test_hostile_review_file_is_invalid_never_a_traceback(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    commit(repo, {".deploycheck/reviews/x.yaml": "deploycheck_review: 1\n\x1b[2Jsignature: &a [*a]\n"}, message="junk")
    proc = dc(repo, "verify", "--base", "main", env=CLEAN_ENV)
    assert proc.returncode == 1 and "invalid-review" in proc.stdout and "\x1b" not in proc.stdout and "Traceback" not in proc.stderr


def test_review_without_a_valid_record_is_exit_2(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    proc = run_review(repo, reviewer, tmp_path)
    assert proc.returncode == 2 and "no valid, current record" in proc.stderr


def test_review_needs_a_terminal_or_answers(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    proc = dc(repo, "review", "--base", "main", "--key", str(reviewer), env=CLEAN_ENV)
    assert proc.returncode == 2 and "--answers FILE" in proc.stderr


def test_config_rejects_bad_review_settings(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer, config="review: {required_for: always}\n")
    proc = dc(repo, "verify", "--base", "main", env=CLEAN_ENV)
    assert proc.returncode == 2 and "review.required_for" in proc.stderr


# --- pure decisions -----------------------------------------------------------------------------


def test_answer_problems():
    record = {"shared-state": object()}
    good = {"read-with-workers": ReviewAnswer("yes"), "agree-shared-state": ReviewAnswer("yes"),
            "silent-failure": ReviewAnswer("two pods at once")}
    assert answer_problems(good, record) == []
    assert answer_problems({**good, "agree-shared-state": ReviewAnswer("no")}, record)[0].endswith("without saying why (details).")
    assert "must be 'yes'" in answer_problems({**good, "read-with-workers": ReviewAnswer("no")}, record)[0]
    assert "unknown question id" in answer_problems({**good, "extra": ReviewAnswer("x")}, record)[0]


def test_required_count():
    from deploycheck.config import parse_config_text
    from deploycheck.git.model import Finding

    high = Finding("DC301", "lost-update", "shared-state", "high", "a.py", 1, 1, "m", ("shared-state",))
    warning = Finding("DC101", "job-code-changed", "job", "warning", "a.py", 1, 1, "m", ("shared-state",))
    assert required_count(parse_config_text(""), [high], True) == 0
    assert required_count(parse_config_text("review: {required_for: high, count: 2}"), [high], True) == 2
    assert required_count(parse_config_text("review: {required_for: high}"), [warning], True) == 0
    assert required_count(parse_config_text("review: {required_for: flagged}"), [warning], True) == 1


def test_review_at_a_terminal(tmp_path, key, reviewer):
    import os

    from support.ptydrive import Terminal

    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    git(repo, "config", "user.email", "rev@example.com")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(COLUMNS="100", NO_COLOR="1", TERM="xterm")
    t = Terminal(["review", "--base", "main", "--key", str(reviewer)], repo, env)
    shown = t.answer("Did you read the flagged lines with several workers running them at once in mind? [yes/no]: ", "yes")
    assert "Claim vs change: commit" in shown and "DC301 lost-update" in shown and "shared-state: yes" in shown
    t.answer("Do you agree with the author's answer to 'shared-state'? [yes/no]: ", "no")
    t.answer("Why not?: ", "the checkout API writes it too")
    for qid in ("sequential-assumption", "concurrency-tested", "rollback-safe", "silent-failure"):
        t.answer(f"Do you agree with the author's answer to '{qid}'? [yes/no]: ", "yes")
    t.answer("What would make this change fail silently in production? (a line with only . ends the answer): ", "Two pods at once.")
    t.answer("...: ", ".")
    t.answer("Sign and write the review? [y/n] (y): ", "y")
    assert t.wait() == 0, t.text
    git(repo, "config", "user.email", "dev@example.com")
    commit(repo, message="review")
    assert verify(repo)[0] == 0


def test_branch_cannot_switch_reviews_or_the_pr_field_off_for_itself(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer, config="review: {required_for: high}\npr_field: required\n")
    commit(repo, {".deploycheck/config.yaml": "review: {required_for: never}\npr_field: off\n"}, message="relax")
    sign_record(repo, key, tmp_path)
    body = tmp_path / "body.md"
    body.write_text("No field.")
    proc = dc(repo, "verify", "--base", "main", "--format", "json", "--pr-body", str(body), env=CLEAN_ENV)
    assert proc.returncode == 1 and sorted({p["code"] for p in json.loads(proc.stdout)["problems"]}) == ["missing-review", "pr-claim", "pr-field"]


def test_a_review_on_an_unflagged_change_is_named_in_the_headline(tmp_path, key, reviewer):
    repo = team_repo(tmp_path, key, reviewer)
    git(repo, "checkout", "-q", "-b", "docs", "main")
    commit(repo, {"README.md": "docs\n", ".deploycheck/reviews/x.yaml": "not a review\n"}, message="docs")
    proc = dc(repo, "verify", "--base", "main", env=CLEAN_ENV)
    assert proc.returncode == 1 and "FAIL: nothing is flagged, but a review this change adds" in " ".join(proc.stdout.split())


@pytest.mark.parametrize("answers, fragment", [
    ("read-with-workers: [yes]\n", "must be a mapping"),
    (REVIEW_ANSWERS.replace('read-with-workers: "yes"', 'read-with-workers: "no"'), "read-with-workers must be 'yes'"),
    (REVIEW_ANSWERS.replace('agree-shared-state: "yes"', 'agree-shared-state: "no"'), "without saying why"),
    ("{{{\n", "line"),
])
def test_bad_review_answers_write_nothing(tmp_path, key, reviewer, answers, fragment):
    repo = team_repo(tmp_path, key, reviewer)
    sign_record(repo, key, tmp_path)
    proc = run_review(repo, reviewer, tmp_path, answers=answers)
    assert proc.returncode == 2 and fragment in proc.stderr and "Traceback" not in proc.stderr
    assert not (repo / ".deploycheck" / "reviews").exists()
