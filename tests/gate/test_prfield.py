"""The pull request's "Concurrency considerations" field and its claims, against the diff
(issue 19 part 1): real repositories, real keys, `deploycheck verify` in its own process with
GitHub event payloads, GitLab variables and --pr-body; the pure decisions in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.gitrepo import commit, git, make_branch, make_repo
from support.incident import incident_repo
from support.gate import PR_CLEAN_ENV, PR_GOOD_BODY, PR_REQUIRED, dc, github_env, sign_record, verify_pr

from deploycheck.git.model import Finding
from deploycheck.gate.prfield import PrText, claims_in, contradict, field_problem, find_claims, find_field, what_changed

REQUIRED, GOOD_BODY, CLEAN_ENV = PR_REQUIRED, PR_GOOD_BODY, PR_CLEAN_ENV


@pytest.fixture
def claiming(tmp_path, key) -> Path:
    """pr_field: required; the branch's commit says "minor refactor, no behavioral changes"."""
    return incident_repo(tmp_path, key, extra_main=REQUIRED)


@pytest.fixture
def strict(claiming) -> Path:
    """pr_field: required; the branch's commit claims nothing."""
    git(claiming, "commit", "--amend", "-q", "-m", "Reserve stock by reading the product first")
    return claiming


verify = verify_pr


def codes(doc: dict) -> list[str]:
    return sorted({p["code"] for p in doc["problems"]})


# --- end to end ---------------------------------------------------------------------------------


def test_github_description_without_the_field_fails_when_required(strict, key, tmp_path):
    sign_record(strict, key, tmp_path)
    code, doc = verify(strict, github_env(tmp_path, "Speed up reservations", "Faster."))
    assert code == 1 and codes(doc) == ["pr-field"]
    assert "no \"Concurrency considerations\" field" in doc["problems"][0]["message"]


def test_github_description_with_the_field_passes(strict, key, tmp_path):
    sign_record(strict, key, tmp_path)
    code, doc = verify(strict, github_env(tmp_path, "Speed up reservations", GOOD_BODY))
    assert code == 0 and doc["ok"], doc["problems"]


def test_commit_claim_fails_until_the_description_carries_the_summary_block(claiming, key, tmp_path):
    sign_record(claiming, key, tmp_path)
    code, doc = verify(claiming, github_env(tmp_path, "Speed up reservations", GOOD_BODY))
    assert code == 1 and codes(doc) == ["pr-claim"]
    [claim] = [c for c in doc["claims"] if c["source"] == "commit"]
    assert claim["contradicted"] and claim["phrases"][0] == "no behavioral changes"
    assert doc["problems"][0]["message"] == claim["message"]
    assert doc["problems"][0]["fix"].startswith("Paste the block `deploycheck summary` prints")
    block = dc(claiming, "summary", "--base", "main", env=CLEAN_ENV).stdout
    assert "Claim vs change" in block  # the block quotes the commit's claim back, naming what changed
    code, doc = verify(claiming, github_env(tmp_path, "Speed up reservations", "Intro.\n\n" + block))
    assert code == 0, doc["problems"]  # and its quotes, table and answers are not read as new claims


def test_an_unticked_template_choice_is_no_claim_and_a_ticked_one_is(strict, key, tmp_path):
    # A new user's trial (bookwyrm): the repository's template lists `- [ ] Refactor` under "What
    # type of Pull Request is this?", and every flagged pull request failed on it.
    sign_record(strict, key, tmp_path)
    template = "## What type of Pull Request is this?\n\n- [ ] Bug Fix\n- [ ] Refactor\n* [ ] Minor fix\n\n"
    code, doc = verify(strict, github_env(tmp_path, "Speed up reservations", template + GOOD_BODY))
    assert code == 0, doc["problems"]
    ticked = template.replace("- [ ] Refactor", "- [x] Refactor")
    code, doc = verify(strict, github_env(tmp_path, "Speed up reservations", ticked + GOOD_BODY))
    assert code == 1 and codes(doc) == ["pr-claim"]
    assert doc["problems"][0]["message"].startswith("the description says 'Refactor'")


def test_harmless_title_on_a_flagged_change_is_named_first(strict, key, tmp_path):
    sign_record(strict, key, tmp_path)
    env = github_env(tmp_path, "Minor refactor, no behavioral changes", GOOD_BODY)
    code, doc = verify(strict, env)
    assert code == 1 and codes(doc) == ["pr-claim"]
    message = doc["problems"][0]["message"]
    assert message.startswith("the title says 'no behavioral changes'")
    assert "`reserve_stock` changed from one atomic `F()` update to read / compute / save" in message
    text = dc(strict, "verify", "--base", "main", env={**CLEAN_ENV, **env}).stdout
    assert text.splitlines()[0].startswith("Claim vs change: the title says 'no behavioral changes'")


def test_the_same_change_contradicting_the_title_and_a_commit_is_said_once(claiming, key, tmp_path):
    # One sentence names both claims; the long "but …" is not repeated for each (new-user trial).
    sign_record(claiming, key, tmp_path)
    env = {**CLEAN_ENV, **github_env(tmp_path, "Minor refactor, no behavioral changes", GOOD_BODY)}
    doc = json.loads(dc(claiming, "verify", "--base", "main", "--format", "json", env=env).stdout)
    assert [c["source"] for c in doc["claims"] if c["contradicted"]] == ["title", "commit"]  # JSON: one per claim
    annotations = [line for line in dc(claiming, "verify", "--base", "main", "--format", "github", env=env).stdout.splitlines()
                   if "claim vs change" in line]
    assert len(annotations) == 1
    assert "the title says 'no behavioral changes'" in annotations[0] and ", and commit " in annotations[0]
    assert annotations[0].count("changed from one atomic") == 1
    text = dc(claiming, "verify", "--base", "main", env=env).stdout
    assert sum(line.startswith("Claim vs change:") for line in text.splitlines()) == 1


def test_a_claims_error_is_one_annotation_per_claim_on_no_file(claiming, key, tmp_path):
    # About the pull request's text: not repeated on every flagged line (new-user trial).
    sign_record(claiming, key, tmp_path)
    env = {**CLEAN_ENV, **github_env(tmp_path, "Minor refactor, no behavioral changes", GOOD_BODY)}
    out = dc(claiming, "verify", "--base", "main", "--format", "github", env=env).stdout.splitlines()
    errors = [line for line in out if line.startswith("::error") and "deploycheck pr-claim" in line]
    doc = json.loads(dc(claiming, "verify", "--base", "main", "--format", "json", env=env).stdout)
    problems = [p for p in doc["problems"] if p["code"] == "pr-claim"]
    assert len(problems) == 2  # the title's and the commit's, each with its own fix
    assert len(errors) == len(problems) and not any("file=" in line.split("::")[1] for line in errors)


def test_commit_claims_without_pr_text_are_shown_but_do_not_fail(claiming, key, tmp_path):
    sign_record(claiming, key, tmp_path)
    code, doc = verify(claiming, {})
    assert code == 0 and doc["claims"][0]["contradicted"]


def test_gitlab_na_on_a_flagged_change_fails(strict, key, tmp_path):
    sign_record(strict, key, tmp_path)
    env = {"CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_TITLE": "Stock",
           "CI_MERGE_REQUEST_DESCRIPTION": "**Concurrency considerations:** N/A"}
    code, doc = verify(strict, env)
    assert code == 1 and codes(doc) == ["pr-claim", "pr-field"]
    assert any("says N/A, but deploycheck flagged" in p["message"] for p in doc["problems"])


def test_pr_body_file_anywhere(strict, key, tmp_path):
    sign_record(strict, key, tmp_path)
    body = tmp_path / "body.md"
    body.write_text(GOOD_BODY)
    assert verify(strict, {}, "--pr-title", "Stock", "--pr-body", str(body))[0] == 0
    body.write_text("## Concurrency considerations\n\nok\n")
    code, doc = verify(strict, {}, "--pr-title", "Stock", "--pr-body", str(body))
    assert code == 1 and "says only 'ok'" in doc["problems"][0]["message"]


def test_default_warn_mode_notes_but_passes(repo, key, tmp_path):
    sign_record(repo, key, tmp_path)
    code, doc = verify(repo, github_env(tmp_path, "Minor refactor", "No field here."))
    assert code == 0 and doc["ok"]
    assert any("no \"Concurrency considerations\" field" in n for n in doc["notes"])


def test_off_mode_reads_nothing(tmp_path, key):
    repo = incident_repo(tmp_path, key, extra_main={".deploycheck/config.yaml": "pr_field: off\n"})
    sign_record(repo, key, tmp_path)
    env = {"GITHUB_EVENT_PATH": str(tmp_path / "missing.json"), "GITHUB_EVENT_NAME": "pull_request"}
    assert verify(repo, env)[0] == 0


def test_template_comment_alone_is_an_empty_field(strict, key, tmp_path):
    from deploycheck.commands.init import template

    sign_record(strict, key, tmp_path)
    code, doc = verify(strict, github_env(tmp_path, "Stock", template("pull_request_template.md")))
    assert code == 1 and "is empty" in doc["problems"][0]["message"]


@pytest.mark.parametrize("setup, fragment", [
    (lambda t: {"GITHUB_EVENT_PATH": str(t / "nope.json"), "GITHUB_EVENT_NAME": "pull_request"}, "cannot be read"),
    (lambda t: (t / "bad.json").write_text("{not json") and {"GITHUB_EVENT_PATH": str(t / "bad.json"), "GITHUB_EVENT_NAME": "pull_request"}, "not a JSON event payload"),
    (lambda t: (t / "e.json").write_text('{"pull_request": {"title": 5}}') and {"GITHUB_EVENT_PATH": str(t / "e.json")}, "not text"),
    (lambda t: github_env(t, "x", "y" * 1_000_001), "over the 1,000,000"),
    # A pull request run that lost its payload: the field would have gone unchecked, with a note only.
    (lambda t: {"GITHUB_EVENT_PATH": "", "GITHUB_EVENT_NAME": "pull_request_target"}, "GITHUB_EVENT_PATH is not set"),
])
def test_bad_pr_input_is_exit_2_with_one_clear_line(strict, key, tmp_path, setup, fragment):
    sign_record(strict, key, tmp_path)
    proc = dc(strict, "verify", "--base", "main", env={**CLEAN_ENV, **setup(tmp_path)})
    assert proc.returncode == 2 and fragment in proc.stderr and "Traceback" not in proc.stderr
    assert "PASS" not in proc.stdout


def test_unreadable_payload_in_warn_mode_is_a_note(repo, key, tmp_path):
    sign_record(repo, key, tmp_path)
    code, doc = verify(repo, {"GITHUB_EVENT_PATH": str(tmp_path / "nope.json"), "GITHUB_EVENT_NAME": "pull_request"})
    assert code == 0 and any("was not checked (pr_field: warn)" in n for n in doc["notes"])


def test_huge_pr_body_file_is_exit_2(strict, key, tmp_path):
    sign_record(strict, key, tmp_path)
    big = tmp_path / "big.md"
    big.write_bytes(b"## Concurrency considerations\n" + b"a" * 1_100_000)
    proc = dc(strict, "verify", "--base", "main", "--pr-body", str(big), env=CLEAN_ENV)
    assert proc.returncode == 2 and "over the 1,000,000" in proc.stderr and "Traceback" not in proc.stderr


def test_push_event_has_no_pr_text(strict, key, tmp_path):
    sign_record(strict, key, tmp_path)
    code, doc = verify(strict, github_env(tmp_path, "t", "b", name="push"))
    assert code == 0 and any("no pull request text was found" in n for n in doc["notes"])


def test_hostile_title_is_inert(strict, key, tmp_path):
    sign_record(strict, key, tmp_path)
    env = github_env(tmp_path, "\x1b]0;pwned\x07\x1b[2J refactor\u202e", GOOD_BODY)
    for fmt in ("text", "json", "github"):
        proc = dc(strict, "verify", "--base", "main", "--format", fmt, env={**CLEAN_ENV, **env})
        assert proc.returncode == 1 and "\x1b" not in proc.stdout and "\u202e" not in proc.stdout
        assert "the title says 'refactor'" in proc.stdout


def test_scan_json_lists_claims(repo):
    proc = dc(repo, "scan", "--base", "main", "--format", "json", env=CLEAN_ENV)
    doc = json.loads(proc.stdout)
    assert doc["claims"][0]["source"] == "commit" and doc["claims"][0]["contradicted"]
    text = dc(repo, "scan", "--base", "main", env=CLEAN_ENV).stdout
    assert text.startswith("Claim vs change: commit ")


def test_scan_github_warns_of_a_contradicted_claim_first_as_verify_does(repo, tmp_path):
    # New-user trial (session 19): `scan --format github` showed the findings but not the claim
    # its text output and `verify --format github` put first.
    env = {**CLEAN_ENV, "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    lines = dc(repo, "scan", "--base", "main", "--format", "github", env=env).stdout.splitlines()
    verified = dc(repo, "verify", "--base", "main", "--format", "github", env=env).stdout.splitlines()
    assert lines[0].startswith("::warning title=deploycheck%3A claim vs change::commit ") and lines[0] == verified[0]
    assert sum("claim vs change" in line for line in lines) == 1


def test_a_commits_claim_is_held_against_the_findings_in_its_own_files(strict):
    # A new-user trial on bullmq: "refactor(lua): rename …" touched only a Lua script, yet the
    # claim line said that commit's 'refactor' was contradicted by a Worker change another commit
    # made. A claim now speaks for the files its commit touches.
    tidy = commit(strict, {"README.md": "shop\n\nRun `make test`.\n"}, "Minor cleanup of the README")
    text = dc(strict, "scan", "--base", "main", env=CLEAN_ENV).stdout
    assert "Claim vs change" not in text  # the README commit's claim names nothing flagged
    commit(strict, {"inventory/jobs.py": (strict / "inventory" / "jobs.py").read_text() + "\n# tidy\n"},
           "refactor: tidy the job module")
    claims = json.loads(dc(strict, "scan", "--base", "main", "--format", "json", env=CLEAN_ENV).stdout)["claims"]
    assert [(c["commit"] == tidy, c["phrases"], c["contradicted"]) for c in claims] == [
        (False, ["refactor"], True), (True, ["cleanup", "Minor"], False)]
    lines = [line for line in dc(strict, "scan", "--base", "main", env=CLEAN_ENV).stdout.splitlines()
             if line.startswith("Claim vs change")]
    assert len(lines) == 1 and "'refactor', but " in lines[0] and "reserve_stock" in lines[0]


def test_a_merge_commits_claim_covers_the_whole_change():
    claims = [c for c in find_claims(None, [("m" * 40, "Merge the cleanup"), ("c" * 40, "cleanup")])]
    flagged = [_f("DC301", "high", "Product.stock is read and saved.")]
    paths = {"m" * 40: None, "c" * 40: frozenset({"README.md"})}
    assert [bool(c.message) for c in contradict(claims, flagged, paths)] == [True, False]
    assert [bool(c.message) for c in contradict(claims, flagged)] == [True, True]  # no map: every finding


def test_the_branch_names_in_gits_own_merge_subject_are_no_claim(strict, key, tmp_path):
    # New-user trial (session 19, Flowise): merging main into a branch named
    # `refactor-schedule-after-run` failed the gate with "commit …'s message says 'refactor'", and
    # the fix offered was to reword the merge commit. Git wrote that subject from the branch names;
    # the author claimed nothing. The incident's branch is called `refactor`.
    sign_record(strict, key, tmp_path)
    git(strict, "checkout", "-q", "main")
    commit(strict, {"README.md": "shop\n"}, "Add a README")
    git(strict, "checkout", "-q", "refactor")
    git(strict, "merge", "-q", "--no-edit", "main")
    assert git(strict, "log", "-1", "--format=%s").strip() == "Merge branch 'main' into refactor"
    code, doc = verify(strict, github_env(tmp_path, "Speed up reservations", GOOD_BODY))
    assert code == 0 and doc["claims"] == [], doc["problems"]


@pytest.mark.parametrize("subject", [
    "Merge branch 'main' into refactor",
    "Merge remote-tracking branch 'origin/main' into minor-cleanup",
    "Merge branches 'refactor-a' and 'cleanup-b' into feature",
    "Merge branch 'minor', remote-tracking branch 'origin/refactor' and commit 'abc1234'",
    "Merge branch 'main' of github.com:org/shop into refactor",
    "Merge branch 'refactor-jobs' into 'main'",
    "Merge pull request #12 from org/refactor-jobs",
    "Merge tag 'v1.2-cleanup'",
])
def test_a_generated_merge_subject_claims_nothing_and_its_body_still_does(subject):
    assert find_claims(None, [("m" * 40, subject)]) == []
    [claim] = find_claims(None, [("m" * 40, f"{subject}\n\nMinor refactor of the jobs\n")])
    assert claim.phrases == ("refactor", "Minor")  # GitHub and GitLab put the pull request's title there


def test_a_merge_subject_the_author_wrote_is_read():
    assert [c.phrases for c in find_claims(None, [("m" * 40, "Merge branch 'main' into x: minor cleanup")])] == [
        ("cleanup", "minor")]
    assert [c.phrases for c in find_claims(None, [("m" * 40, "Merge the refactor")])] == [("refactor",)]


def test_edited_description_reruns_the_workflow():
    from deploycheck.commands.init import template

    assert "types: [opened, synchronize, reopened, edited]" in template("github-workflow.yml")


def test_init_pr_template_requires_the_field(tmp_path):
    from support.gitrepo import make_repo

    repo = make_repo(tmp_path / "r", {"README.md": "x\n"})
    proc = dc(repo, "init", "--pr-template", input="n\n")
    assert proc.returncode == 0, proc.stderr
    assert "\npr_field: required\n" in (repo / ".deploycheck/config.yaml").read_text()


# --- pure decisions -----------------------------------------------------------------------------


@pytest.mark.parametrize("body, expected", [
    ("## Concurrency considerations\n\ntext\n## Next\nmore", "text"),
    ("### CONCURRENCY CONSIDERATIONS ###\nx\n#### sub\ny", "x\n#### sub\ny"),
    ("**Concurrency considerations:** inline words\nnext line\n**Testing:** t", "inline words\nnext line"),
    ("__Concurrency considerations__\n<!-- hint -->\n", ""),
    ("Concurrency considerations: not a heading", None),
    ("", None),
])
def test_find_field(body, expected):
    assert find_field(body) == expected


def _f(rule: str, severity: str, message: str, name: str = "x") -> Finding:
    return Finding(rule=rule, name=name, category="shared-state", severity=severity, path="jobs.py", line=3,
                   end_line=3, message=message, questions=("shared-state",))


def test_na_is_accepted_only_when_nothing_is_flagged():
    pr = PrText("t", "## Concurrency considerations\nN/A — no jobs touched\n", "test")
    assert field_problem(pr, []) is None
    assert "says N/A" in field_problem(pr, ["jobs.py"])


def test_claims_strongest_first_and_no_stray_na():
    assert claims_in("Minor cleanup; no functional change. Screenshots: N/A") == ("no functional change", "cleanup", "Minor")
    assert claims_in("Add a worker") == ()


def test_a_claim_said_as_what_the_change_should_not_do():
    # A new user's trial (autolab 53e7bf3e, session 31): "This shouldn't introduce any
    # functionality differences" in the body of a commit that removed a `FOR UPDATE` was no claim.
    assert claims_in("Use with_lock. This shouldn't introduce any functionality differences.") == (
        "shouldn't introduce any functionality differences",)
    assert claims_in("No functional differences; does not change behaviour") == (
        "No functional differences", "does not change behaviour")
    assert claims_in("This should fix the differences in behaviour between workers") == ()


def test_code_in_a_message_claims_nothing():
    # A new user's trial (convoy 6f19f69b): Go's `t.Cleanup` in a commit body failed an honest PR as a
    # "Cleanup" claim.
    assert claims_in("released it in a t.Cleanup registered later; see `cleanup()` and minor_version") == ()
    assert claims_in("Foo::Refactor and refactor_jobs() moved") == ()


def test_plain_words_of_a_commit_body_are_not_claims_but_its_subject_and_strong_phrases_are():
    body = "fix(dataplane): rewrite rollup days\n\nThe unlock is registered first; cleanups run LIFO. A minor version bump.\n"
    assert find_claims(None, [("a" * 40, body)]) == []
    claims = find_claims(None, [("b" * 40, "Minor cleanup of the sync job\n\nNo behavioural change.\n"),
                                ("c" * 40, "Move the sync job\n\nThe refactor keeps the order; behaviour unchanged.\n")])
    assert [c.phrases for c in claims] == [("No behavioural change", "cleanup", "Minor"), ("behaviour unchanged",)]


def test_a_body_that_mentions_a_refactoring_before_calling_this_change_one_still_claims_it():
    # The first version searched the whole message again for each phrase it had found: the body's
    # earlier "the refactoring in #12" came first, was not a claim, and hid "This refactor".
    claims = find_claims(None, [("d" * 40, "Extract helper\n\nSince the refactoring in #12 it moved. This refactor moves the lock.\n")])
    assert [c.phrases for c in claims] == [("refactor",)]


def test_dc101_alone_says_the_proof_failed():
    said = what_changed([_f("DC101", "warning", "Celery task `sync` changed in statements that touch shared state.")])
    assert said.startswith("`sync` in jobs.py changed in a way deploycheck cannot prove leaves its behaviour unchanged")


def test_dc701_says_the_function_not_its_trail():
    trail = ("(reached from background code: ActiveJob job at app/jobs/notify_job.rb:5 (`Mailer.confirm(r)."
             "deliver_later`) calls it through `confirm` -> `item_requests`)")
    new = _f("DC701", "warning", f"New background code: `View::Info#item_requests` {trail}. New code that runs "
             "in the background is always flagged: answer the checklist for it.", "background-code-changed")
    changed = _f("DC701", "warning", f"`Import#revert` {trail}: changed lines in background code, and deploycheck "
                 "cannot prove its behaviour unchanged.", "background-code-changed")
    assert what_changed([new]) == ("`View::Info#item_requests` in jobs.py is new code that runs in the background "
                                   "(DC701 background-code-changed)")
    said = what_changed([changed, new])
    assert said.startswith("`Import#revert` in jobs.py changed in a way deploycheck cannot prove leaves its behaviour")
    assert "reached from" not in said and len(said) < 300


def test_dc701_top_level_code_is_not_named_by_its_folder():
    top = _f("DC701", "warning", "top-level code (code in the job folder `job/`): removed lines in background code, "
             "and deploycheck cannot prove its behaviour unchanged.", "background-code-changed")
    said = what_changed([top])
    assert "`job/`" not in said.split("(code in")[0] and said.startswith("code in jobs.py")
    # linkwarden (a new user's trial, session 37): the whole message was pasted into the claim's
    # sentence, "… answer the checklist for it (DC701 …)".
    assert said == ("code in jobs.py lost lines in a way deploycheck cannot prove leaves its behaviour unchanged "
                    "(DC701 background-code-changed)")


def test_a_removed_top_level_worker_is_said_to_lose_lines():
    # The red team of session 37: a deleted worker file's claim sentence said it "changed".
    gone = _f("DC701", "warning", "top-level code (code in the job folder `worker/`): removed lines in background "
              "code, and deploycheck cannot prove its behaviour unchanged.", "background-code-changed")
    assert what_changed([gone]).startswith("code in jobs.py lost lines in a way deploycheck cannot prove")


def test_nothing_flagged_contradicts_nothing():
    claims = find_claims(PrText("refactor", "", "t"), [])
    assert contradict(claims, [_f("DC001", "info", "context")])[0].message == ""


def test_claim_problem_decides_by_source_and_block():
    from deploycheck.gate.prfield import Claim, claim_problem

    said = "commit 1a2b3c4d's message says 'refactor', but it changed."
    commit_claim = Claim("commit", "commit 1a2b3c4d's message", ("refactor",), "1a2b3c4d", said)
    title_claim = Claim("title", "the title", ("refactor",), None, "the title says 'refactor', but it changed.")
    plain = PrText("t", "## Concurrency considerations\nA sentence of five words or more here.\n", "test")
    pasted = PrText("t", "## Concurrency considerations\n\ndeploycheck flagged 1 finding in 1 file.\n", "test")
    assert claim_problem(commit_claim, plain)[0] == said
    assert claim_problem(commit_claim, pasted) is None
    assert claim_problem(commit_claim, None) is None
    assert claim_problem(title_claim, pasted)[1].startswith("Reword the pull request title")
    assert claim_problem(Claim("title", "the title", ("minor",)), plain) is None  # not contradicted


def test_a_conventional_refactor_type_in_the_title_is_answered_by_the_block():
    # Amplication's contributing rules require `refactor:` titles (trial 22): the type alone is a
    # commit's word, answered by the description's block; a title that says more stays the title's.
    from deploycheck.gate.prfield import Claim, claim_problem

    pasted = "## Concurrency considerations\n\ndeploycheck flagged 1 finding in 1 file.\n"
    plain = "## Concurrency considerations\nA sentence of five words or more here.\n"
    claim = Claim("title", "the title", ("refactor",), None, "the title says 'refactor', but it changed.")
    for title in ("refactor: read build data from shared storage", "refactor(build)!: shared storage"):
        assert claim_problem(claim, PrText(title, pasted, "test")) is None
        assert claim_problem(claim, PrText(title, plain, "test"))[1].startswith("Paste the block")
    for title in ("refactor: minor cleanup of the build", "Refactor the build runner"):
        assert claim_problem(claim, PrText(title, pasted, "test"))[1].startswith("Reword the pull request title")


def test_a_file_not_analysed_is_named_in_the_claim_line():
    said = what_changed([_f("DC001", "high", "deploycheck could not analyse this file: it is 2,100,000 bytes, over the "
                                             "limit. Nothing in it was checked, so review it by hand.", "not-analysed")])
    assert said.startswith("deploycheck could not analyse jobs.py: it is 2,100,000 bytes, over the limit (DC001")
    assert "this file" not in said


def test_one_consequence_said_once_and_no_capital_after_but():
    why = "the optimistic transaction no longer aborts when another client changes the watched keys"
    said = what_changed([
        _f("DC320", "high", f"`WATCH` (`pipe.watch()`) was removed from `Worker.start_jobs`: {why}.", "safeguard-removed"),
        _f("DC320", "high", f"`MULTI` (`pipe.multi()`) was removed from `Worker.start_jobs`: {why}.", "safeguard-removed"),
    ])
    assert said == (  # one rule in one file: said once, what differs listed (session 32)
        "`WATCH` (`pipe.watch()`) and `MULTI` (`pipe.multi()`) were removed "
        f"from `Worker.start_jobs`: {why} (DC320 safeguard-removed)"
    )
    assert what_changed([_f("DC301", "high", "The balance is read and saved.", "lost-update")]).startswith("the balance")
    assert what_changed([_f("DC301", "high", "Product.stock is read and saved.", "lost-update")]).startswith("Product.stock")


GO_CACHE = "package cache\n\ntype Cache struct {\n\titems map[string]string\n}\n\nfunc (c *Cache) Put(k, v string) {\n\tc.items[k] = v\n}\n"
GO_LOCKED = GO_CACHE.replace("package cache\n", 'package cache\n\nimport "sync"\n').replace(
    "\titems", "\tmu    sync.Mutex\n\titems").replace("\tc.items[k] = v", "\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.items[k] = v")


def test_findings_of_one_rule_in_one_file_are_one_phrase_of_the_claim(tmp_path):
    """A new user's trial (dendrite's a2706e64 shows it): "concurrency control changed in X (sync.Mutex) and concurrency
    control changed in X (.Lock())", the same phrase once per match of the rule in the file."""
    from support.gitrepo import make_branch, make_repo

    repo = make_repo(tmp_path / "repo", {"cache/cache.go": GO_CACHE})
    make_branch(repo, "work", {"cache/cache.go": GO_LOCKED}, message="Refactor the cache")
    scanned = dc(repo, "scan", "--base", "main", "--format", "json", env=PR_CLEAN_ENV)
    found = json.loads(scanned.stdout)
    assert [f["message"].split(":")[0] for f in found["findings"] if f["rule"] == "DC252"] == [
        "concurrency control changed in cache/cache.go (sync.Mutex)", "concurrency control changed in cache/cache.go (.Lock())"]
    (claim,) = found["claims"]
    assert ("but concurrency control changed in cache/cache.go (sync.Mutex and .Lock()): how goroutines and workers "
            "interact changes (waits, deadlocks, ordering) (DC252 go-concurrency-control-changed); ") in claim["message"]
    assert claim["message"].count("concurrency control changed") == 1
    text = dc(repo, "scan", "--base", "main", env={**PR_CLEAN_ENV, "COLUMNS": "400"}).stdout
    assert text.splitlines()[0].startswith("Claim vs change: commit ") and text.count("concurrency control changed in") == 3


def test_findings_of_one_rule_are_one_phrase_only_where_they_differ_in_one_short_part():
    why = "how goroutines and workers interact changes (waits, deadlocks, ordering)"
    lock = [_f("DC252", "warning", f"concurrency control changed in jobs.py ({m}): {why}.", "go-cc") for m in ("mu.Lock()", "mu.RLock()", "sync.Map")]
    assert what_changed(lock) == f"concurrency control changed in jobs.py (mu.Lock(), mu.RLock() and sync.Map): {why} (DC252 go-cc)"
    many = [_f("DC701", "warning", f"`f{n}` (reached from background code): changed lines in background code.", "bg") for n in range(7)]
    assert what_changed(many).startswith("`f0`, `f1`, `f2`, `f3` and 3 more in jobs.py changed in a way deploycheck cannot prove")
    # Two sentences of one rule that share no short differing part stay two phrases.
    weakened = [_f("DC704", "warning", "`Cache` now uses `Mutex`: the state is shared.", "weak"),
                _f("DC704", "warning", "`c.mu.Lock(…)` in `Cache.Put` takes a new lock: what it makes exclusive changed.", "weak")]
    assert what_changed(weakened) == ("`Cache` now uses `Mutex`: the state is shared (DC704 weak); `c.mu.Lock(…)` in `Cache.Put` "
                                      "takes a new lock: what it makes exclusive changed (DC704 weak)")
    # Another file: its own phrase, the consequence said once as before.
    other = Finding(rule="DC252", name="go-cc", category="concurrency", severity="warning", path="other.go", line=3, end_line=3,
                    message=f"concurrency control changed in other.go (sync.Mutex): {why}.", questions=("shared-state",))
    assert what_changed([*lock[:2], other]) == (
        f"concurrency control changed in jobs.py (mu.Lock() and mu.RLock()) and concurrency control changed in other.go "
        f"(sync.Mutex): {why} (DC252 go-cc)")


def test_a_note_reaches_the_github_output_and_its_step_summary(repo, key, tmp_path):
    """pr_field: warn notes a description without the field. The text and JSON outputs said so;
    `--format github`, the workflow's own format, printed nothing, so the pull request's checks
    passed with no trace of it."""
    sign_record(repo, key, tmp_path)
    summary = tmp_path / "summary.md"
    summary.write_text("")
    env = {**CLEAN_ENV, **github_env(tmp_path, "Stock", "Speeds up reservations."), "GITHUB_STEP_SUMMARY": str(summary)}
    proc = dc(repo, "verify", "--base", "main", "--format", "github", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (notice,) = [line for line in proc.stdout.splitlines() if line.startswith("::notice")]
    assert notice.startswith("::notice title=deploycheck%3A note::the pull request description has no \"Concurrency considerations\" field")
    assert notice.endswith("(pr_field: warn)")
    assert "- Note: the pull request description has no \"Concurrency considerations\" field" in summary.read_text()


def test_an_unflagged_change_failing_only_on_the_field_is_not_blamed_on_a_record(strict, tmp_path):
    # A docs-only pull request without the field fails a `required` gate; the verdict line must
    # name the description, not "a record this change adds … does not verify": there is no record.
    git(strict, "switch", "-q", "-c", "docs", "main")
    (strict / "NOTES.md").write_text("How to run the shop locally.\n")
    git(strict, "add", "NOTES.md")
    git(strict, "commit", "-q", "-m", "Docs: how to run the shop")
    body = tmp_path / "body.md"
    body.write_text("Docs only.\n")
    proc = dc(strict, "verify", "--base", "main", "--pr-body", str(body), env=CLEAN_ENV)
    text = " ".join(proc.stdout.split())
    assert proc.returncode == 1, proc.stderr
    assert "FAIL: nothing is flagged, but the pull request description falls short (1 problem)." in text
    assert "record" not in text.split("FAIL:")[1].split(".")[0]


def test_a_claim_in_the_title_is_fixed_by_rewording_the_title_not_by_pasting_a_block_into_it(strict, key, tmp_path):
    sign_record(strict, key, tmp_path)
    code, doc = verify(strict, github_env(tmp_path, "Refactor stock reservation", GOOD_BODY))
    [problem] = [p for p in doc["problems"] if p["code"] == "pr-claim"]
    assert code == 1 and problem["message"].startswith("the title says 'Refactor'")
    assert problem["fix"].startswith("Reword the pull request title") and "paste" not in problem["fix"]


def test_a_missing_field_on_a_change_with_nothing_flagged_says_n_a_is_enough(tmp_path):
    from deploycheck.gate.prfield import PrText, field_problem

    missing = field_problem(PrText("Fix typo", "Just docs.", "test"), [])
    assert missing is not None and "`N/A` is enough, as nothing is flagged" in missing
    flagged = field_problem(PrText("Fix typo", "Just docs.", "test"), ["inventory/jobs.py"])
    assert flagged is not None and "N/A" not in flagged



def test_a_function_changed_on_both_sides_of_the_diff_is_named_once_in_the_claim(tmp_path):
    # A new-user trial on goatcounter: a "minor refactor, no behaviour change" of a Go function in
    # the job folder `cron/` removed some lines and added others, so DC701 flagged it twice (the
    # head's lines and the base's). The claim line said "`updateHitCounts` … changed in a way …
    # and `updateHitCounts` … changed in a way …: `updateHitCounts` … (DC701 …) (DC701 …)".
    from support.gitrepo import make_branch, make_repo

    base = ("package cron\n\nfunc updateCounts(db DB, n int) error {\n\tins := db.Bulk()\n\ttotal := n * 2\n"
            "\tfor i := 0; i < 3; i++ {\n\t\tins.Values(i, total)\n\t}\n\treturn ins.Finish()\n}\n")
    head = ("package cron\n\nfunc updateCounts(db DB, n int) error {\n\ttotal := n * 2\n"
            "\tfor i := 0; i < 3; i++ {\n\t\tcur := db.Get(i)\n\t\tdb.Set(i, cur+total)\n\t}\n\treturn nil\n}\n")
    repo = make_repo(tmp_path / "app", {"cron/count.go": base})
    make_branch(repo, "feature", {"cron/count.go": head}, "minor refactor, no behaviour change")
    doc = json.loads(dc(repo, "scan", "--base", "main", "--format", "json", env=CLEAN_ENV).stdout)
    assert sorted(f.get("side", "head") for f in doc["findings"] if f["rule"] == "DC701") == ["base", "head"]
    [claim] = doc["claims"]
    assert claim["message"].endswith(", but `updateCounts` in cron/count.go changed in a way deploycheck cannot "
                                     "prove leaves its behaviour unchanged (DC701 background-code-changed).")
    text = dc(repo, "scan", "--base", "main", env=CLEAN_ENV).stdout
    said = text[:text.index("\nBase: ")]  # the claim, however the terminal width wrapped it
    assert said.startswith("Claim vs change: ") and said.count("updateCounts") == 1


def test_on_gitlab_the_fix_says_to_run_a_new_pipeline_not_that_an_edit_re_runs_it(claiming, key, tmp_path):
    # A new-user trial on GitLab (piggymetrics) was told "editing it re-runs the check": GitLab
    # starts no pipeline when a merge request's title or description is edited, and a retried job
    # keeps its pipeline's old CI_MERGE_REQUEST_* text. GitHub's `edited` trigger does re-run it.
    sign_record(claiming, key, tmp_path)
    gitlab = {"CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_TITLE": "Refactor stock reservation",
              "CI_MERGE_REQUEST_DESCRIPTION": "## Concurrency considerations\n\nok\n"}
    code, doc = verify(claiming, gitlab)
    fixes = [(p["code"], p["fix"]) for p in doc["problems"]]
    assert code == 1 and sorted(c for c, _ in fixes) == ["pr-claim", "pr-claim", "pr-field"]  # title, commit, field
    for _, fix in fixes:
        assert "re-runs the check" not in fix and fix.endswith("run a new pipeline for the merge request (its Pipelines "
                                                               "tab, Run pipeline) or push a commit.") and ".." not in fix
    code, doc = verify(claiming, github_env(tmp_path, "Refactor stock reservation", "## Concurrency considerations\n\nok\n"))
    assert code == 1 and not any("GitLab" in p["fix"] for p in doc["problems"])
    assert [p["fix"].endswith("re-runs the check.") for p in doc["problems"] if p["code"].startswith("pr-")].count(True) == 2


def test_a_quiet_branch_says_the_field_was_not_checked_when_it_is_required(strict, tmp_path):
    # The trial on dawarich (session 20): a quiet branch passed locally with no word, then failed
    # in CI for its missing field ("N/A is enough"). Locally the note now says it was not checked.
    git(strict, "switch", "-q", "-c", "docs-only", "main")
    (strict / "NOTES.md").write_text("A note.\n")
    git(strict, "add", "NOTES.md")
    git(strict, "commit", "-q", "-m", "Add a note")
    code, doc = verify(strict, {})
    assert code == 0
    assert any("no pull request text was found" in n for n in doc["notes"])


@pytest.mark.parametrize("title, phrases", [
    # hawkBit's feature is called "auto cleanup" (a new user's trial, session 24): a title that
    # says what changed failed the gate as a "cleanup" claim, however it was worded.
    ("Auto cleanup: run tasks on every node without the cluster lock", ()),
    ("Run auto-cleanup tasks on every node", ()),
    ("Simplify the session clean-up job", ()),
    ("Fix the cleanup scheduler's lock", ()),
    # atproto (a new user's trial, session 28): what the change does to a cleanup
    ("Serialize stale test port cleanup", ()),
    ("Debounce the upload cleanup", ()),
    ("Fix typos and cleanup", ("cleanup",)),
    ("Fix lint, cleanup", ("cleanup",)),
    # rclone (a new user's trial, session 40): what it cleans up at run time
    ("serve s3: clean up abandoned multipart uploads", ()),
    ("Clean up expired sessions every hour", ()),
    ("clean up stale code", ("clean up",)),
    ("Clean up unused imports", ("Clean up",)),
    # the red team of session 40: code, not run-time things
    ("Clean up leftover locking code in the stock sync", ("Clean up",)),
    ("Clean up leftover feature flags", ("Clean up",)),
    ("Clean up dangling promises in the worker", ("Clean up",)),
    ("Clean up orphaned helpers", ("Clean up",)),
    ("clean up stale logic in OrderSync", ("clean up",)),
    # the change called a cleanup stays a claim
    ("Clean up the jobs", ("Clean up",)),
    ("Code cleanup in workers", ("cleanup",)),
    ("Cleanup", ("Cleanup",)),
])
def test_cleanup_naming_a_feature_is_no_claim(title, phrases):
    assert claims_in(title) == phrases


@pytest.mark.parametrize("subject, phrases", [
    # loomio (a new user's trial, session 39): the title and the commit named the new job
    # `CleanupEmptyTrialsWorker` in words, and failed the gate as a 'Cleanup' claim.
    ("Cleanup empty trials worker", []),
    ("Add the cleanup empty trials job", []),
    # the change called a cleanup stays a claim, beside the job's name too
    ("Cleanup workers", ["Cleanup"]),
    ("Minor cleanup: cleanup empty trials worker", ["cleanup", "Minor"]),
])
def test_a_new_job_s_name_spelled_in_words_is_no_claim(tmp_path, subject, phrases):
    worker = """class CleanupEmptyTrialsWorker
  include Sidekiq::Job

  def perform
    Group.where(trial: true, memberships_count: 0).find_each(&:destroy)
  end
end
"""
    repo = make_repo(tmp_path / "repo", {"README.md": "app\n"})
    make_branch(repo, "work", {"app/workers/cleanup_empty_trials_worker.rb": worker}, message=subject)
    scanned = json.loads(dc(repo, "scan", "--base", "main", "--format", "json", env=CLEAN_ENV).stdout)
    assert scanned["flagged"]
    assert [c["phrases"] for c in scanned["claims"]] == ([phrases] if phrases else [])


def test_a_name_made_of_the_claim_s_own_words_is_still_a_claim():
    # The red team of session 39: a Go method `CleanUp` that lost its lock erased every "clean up"
    # from the title and commits, and the gate's claim with it.
    from deploycheck.gate.prfield import spelled_names

    spelled = spelled_names(["Janitor.CleanUp", "CleanupService#call", "CleanUpWorker"])
    assert spelled is None
    assert claims_in("Clean up the session janitor", spelled=spelled) == ("Clean up",)
    spelled = spelled_names(["Janitor.CleanUp", "CleanupEmptyTrialsWorker"])
    assert claims_in("Clean up session janitor", spelled=spelled) == ("Clean up",)
    assert claims_in("Cleanup empty trials worker", spelled=spelled) == ()
