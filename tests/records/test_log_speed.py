"""`deploycheck log` over many records: the canonical fast reader agrees with the strict one,
reading in two processes changes nothing, and the direct output is exactly Rich's."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.gitrepo import commit, make_repo
from support.records import EXPECTED_BODY, SIG, full, make_body
from deploycheck.util import plain
from deploycheck.checklist.answers import Answer
from deploycheck.analysis import pipeline as common
from deploycheck.commands import log
from deploycheck.errors import RecordError
from deploycheck.git.model import Finding
from deploycheck.records.record import _canonical_body, attach_signature, build_body, parse_record, read_record


def same_outcome(data: bytes) -> None:
    """read_record returns what parse_record returns, or raises the same error."""
    try:
        expected = parse_record(data, "R.yaml")
    except RecordError as exc:
        with pytest.raises(RecordError) as info:
            read_record(data, "R.yaml")
        assert info.value.message == exc.message
        return
    assert read_record(data, "R.yaml") == expected


def test_canonical_record_is_read_by_the_fast_reader() -> None:
    assert _canonical_body(EXPECTED_BODY) == make_body()
    assert read_record(full(), "R.yaml") == parse_record(full(), "R.yaml")


HOSTILE = [
    full().replace(b'"yes"', b"yes"),  # a plain scalar where the writer quotes
    full().replace(b"  files:\n", b"  files:\n    \"a\": \"" + b"ab" * 32 + b"\"\n"),  # out of order
    full().replace(b"line: 14", b"line: 014"),
    full().replace(b"line: 14", b"line: -1"),
    full().replace(b'category: "shared-state"', b'category: "bogus"'),
    full().replace(b'created: "2026-11-28T10:15:00Z"', b'created: "yesterday"'),
    full().replace(b"version: 1", b"version: 0"),
    full().replace(b'"sha256"', b'"md5"'),
    full().replace(b"\n", b"\r\n"),
    b"\xef\xbb\xbf" + full(),
    full() + b"\n\n",
    full() + b"extra: 1\n",
    full().replace(b'principal: "dev@example.com"', b'principal: " "'),
    full().replace(b'namespace: "deploycheck-record-v1"', b'namespace: "git"'),
    full().replace(b"    -----END SSH SIGNATURE-----\n", b"    -----END SSH SIGNATURE-----\n    \n"),
    full().replace(b"U1NIU0lHAAAAAQ==", b"U1NIU0lH AAAAAQ=="),
    full().replace(b'answer: "yes"', b'answer: "y\\x41s"'),
    full().replace(b'answer: "yes"', b'answer: "y\\ees"'),  # an escape the writer never writes
    full().replace(b'answer: "yes"', b'answer: "y"es"'),
    full().replace(b'id: "', b'id: &a "'),
    full().replace(b"findings:\n", b"findings:\n  - *a\n"),
    full().replace(b"deploycheck_record: 1", b"deploycheck_record: 2"),
    full().replace(b"checklist:\n", b"checklist:\nchecklist:\n"),
    full()[:-20],
    b"",
    b"signature:\n",
]


@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
def test_anything_unusual_gets_the_strict_readers_answer(data) -> None:
    same_outcome(data)


def test_multi_line_answers_and_escapes_round_trip_through_either_reader() -> None:
    body = make_body(
        author=dataclasses.replace(make_body().author, name="Zoë \"Z\" O'Neil\t\u202e"),
        findings=(Finding("DC101", "job", "job", "info", "a b/é.py", 0, 0, "m \\ \"q\"", (), side="base",
                          suppressed=True, suppression_reason="reviewed, ok"),),
        answers={"shared-state": Answer("no", details="line one\nline two\n"), "x": Answer("\x00\x85 ,\"")},
    )
    same_outcome(attach_signature(build_body(body), SIG))


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
findings = st.builds(
    Finding, rule=texts, name=texts, category=st.sampled_from(["job", "queue", "config"]),
    severity=st.sampled_from(["info", "warning", "high"]), path=texts, line=st.integers(0, 10**6),
    end_line=st.integers(0, 10**6), message=texts, questions=st.lists(texts, max_size=3).map(tuple),
    side=st.sampled_from(["head", "base"]), suppressed=st.booleans(),
).map(lambda f: plain.replace(f, suppression_reason="why" if f.suppressed else None))
answers = st.builds(Answer, texts, st.none() | texts, st.none() | texts, st.none() | texts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    branch=texts, name=texts, files=st.dictionaries(texts, st.just("ab" * 32), max_size=3),
    found=st.lists(findings, max_size=3), answered=st.dictionaries(texts, answers, max_size=3),
)
def test_any_record_the_writer_makes_reads_the_same_either_way(branch, name, files, found, answered) -> None:
    base = make_body()
    body = dataclasses.replace(
        base, branch=branch, author=dataclasses.replace(base.author, name=name),
        fingerprint=dataclasses.replace(base.fingerprint, files=files), findings=tuple(found), answers=answered,
    )
    same_outcome(attach_signature(build_body(body), SIG))


# --- the command ------------------------------------------------------------------------------


def record_bytes(i: int, **changes) -> bytes:
    return attach_signature(build_body(make_body(id=f"r{i}", created=f"2026-11-{10 + i}T10:00:00Z", **changes)), SIG)


@pytest.fixture
def records_repo(tmp_path):
    files = {f".deploycheck/records/2026-11-{10 + i}-r{i}.yaml": record_bytes(i) for i in range(5)}
    files[".deploycheck/records/2026-11-20-long.yaml"] = record_bytes(
        20, answers={"silent-failure": Answer("x" * 150, details="é" * 100)}, branch="a-very-long-branch-" * 4,
    )
    files[".deploycheck/records/broken.yaml"] = b"deploycheck_record: 1\n"
    files["other/notes.txt"] = b"not a record\n"
    return make_repo(tmp_path / "repo", files)


def rich_reference(lines) -> str:
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    con = Console(file=buf, markup=False, highlight=False, emoji=False, width=100, soft_wrap=False)
    for line, style in lines:
        con.print(Text(line, style=style) if style else Text(line))
    return buf.getvalue()


def run_log(repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deploycheck", "log", *args], cwd=repo,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_log_text_is_exactly_what_rich_prints(records_repo, monkeypatch) -> None:
    monkeypatch.chdir(records_repo)
    proc = run_log(records_repo)
    assert proc.returncode == 0 and proc.stderr == ""
    lines = log._lines(log.load_entries(str(records_repo), None))
    assert proc.stdout == rich_reference(lines)
    out = proc.stdout.splitlines()
    assert out[:11] == [  # long lines wrapped by Rich at 100 columns, the rest written directly
        "2026-11-30T10:00:00Z  dev@example.com  branch ",
        "a-very-long-branch-" * 4 + "  [NOT VERIFIED]",  # (the test's signature is a placeholder)
        "  not verified: the signature does not verify",
        "  record: .deploycheck/records/2026-11-20-long.yaml",
        "  flagged: inventory/jobs.py",
        "  findings: DC301 lost-update",
        "  silent-failure: ",
        "x" * 100,
        "x" * 50 + " — ",
        "é" * 100,
        "2026-11-14T10:00:00Z  dev@example.com  branch inventory-refactor  [NOT VERIFIED]",
    ]
    assert out[-3].startswith(".deploycheck/records/broken.yaml: unreadable record: .deploycheck/records/broken.yaml has no ")
    assert out.count("  shared-state: yes — decrements inventory.Product.stock") == 5


def test_log_json_and_path_filter(records_repo) -> None:
    doc = json.loads(run_log(records_repo, "--format", "json").stdout)
    assert [r["path"].rsplit("/", 1)[1] for r in doc["records"]] == [
        "2026-11-20-long.yaml", *(f"2026-11-{10 + i}-r{i}.yaml" for i in reversed(range(5))), "broken.yaml",
    ]
    assert doc["records"][1]["answers"]["shared-state"] == {"answer": "yes", "details": "decrements inventory.Product.stock"}
    filtered = json.loads(run_log(records_repo, "--path", "inventory/./jobs.py", "--format", "json").stdout)
    assert len(filtered["records"]) == 6
    assert json.loads(run_log(records_repo, "--path", "nope.py", "--format", "json").stdout) == {"version": 1, "records": []}
    assert run_log(records_repo, "--path", "nope.py").stdout == "No deploycheck records that assessed changes to nope.py in HEAD's tree (.deploycheck/records/).\n"


def test_two_processes_read_the_same_entries(records_repo, monkeypatch) -> None:
    if common._workers() < 2:
        pytest.skip("needs two cores and fork")
    commit(records_repo, {f".deploycheck/records/x{i}.yaml": record_bytes(i % 9) for i in range(30)}, "more")
    monkeypatch.setattr(log, "PARALLEL_MIN_RECORDS", 2)
    monkeypatch.setenv("DEPLOYCHECK_WORKERS", "1")
    one = log.load_entries(str(records_repo), None)
    monkeypatch.delenv("DEPLOYCHECK_WORKERS")
    assert log.load_entries(str(records_repo), None) == one
    assert len(one) == 37


def test_json_document_is_exactly_report_dumps(records_repo) -> None:
    from deploycheck.output.report import dumps

    entries = log.load_entries(str(records_repo), None)
    entries[0]["branch"] = "bidi \u202e and C1 \u009b and nl \n and quote \" and é"
    texts = [log._entry_json(e) for e in entries]
    assert log.json_document(texts) == dumps({"version": 1, "records": entries})
    assert log.json_document([]) == dumps({"version": 1, "records": []})
    assert log.load_entries(str(records_repo), None, as_json=True) == [log._entry_json(e) for e in log.load_entries(str(records_repo), None)]
