"""Answers to a checklist: the ``--answers FILE`` format, validation and the answer policy.

The same ``validate_answers`` runs in ``check`` (before anything is signed: any problem means
exit 2 and nothing written) and in ``verify`` (on a record's answers, against the base branch's
checklist and configuration: each problem fails the gate with its code).

Answers file, one entry per question id::

    shared-state: {answer: "yes", details: "decrements inventory.Product.stock"}
    sequential-assumption: {answer: "no"}
    concurrency-tested: {answer: "yes", details: "tests/test_inventory_concurrency.py"}
    rollback-safe: "yes"
    silent-failure: "Two workers processing orders for the same product at the same moment."

An entry is either the answer as text, or a mapping with ``answer`` and optional ``details``
and ``rebuttal`` (the author's explanation when an answer contradicts the findings). Unquoted
``yes``/``no`` are read as the words they are, and yes/no/n/a answers are lower-cased.

Policy (``.deploycheck/config.yaml``): ``policy.block`` entries refuse an answer
(``when: always``, ``high`` — only when a high-severity finding flags the change — or
``flagged``); ``policy.require_details`` entries demand details for an answer (``answer: any``
or ``"*"`` matches every answer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Sequence

from ..util import yamlload as Y
from .checklist import Checklist, Question
from ..config import Config, PolicyRule
from ..errors import ConfigError
from ..git.model import Finding
from ..rules.base import NOT_ANALYSED_ID as NOT_ANALYSED_RULE
from ..rules.base import SHARED_STATE_WORDS  # a job finding's words for "writes shared state"
from .testevidence import TEXT_CONCURRENCY, signs_of

INCOMPLETE = "incomplete-answers"
POLICY = "policy"
MAX_BYTES = 200_000
_ENTRY_KEYS = ("answer", "details", "rebuttal")
_WILDCARD = ("any", "*")
_WARNING_SEPARATOR = ": "  # a warning of validate_answers starts with its question id and this

_RUNNERS = {
    "pytest", "py.test", "python", "python3", "tox", "nox", "make", "npm", "npx", "yarn", "pnpm",
    "go", "cargo", "bundle", "rspec", "rake", "mvn", "gradle", "./gradlew", "bash", "sh", "uv",
    "poetry", "hatch", "just", "docker", "k6", "locust", "jest", "vitest", "mix", "dotnet", "bin/rails",
}
# Signs that a test exercises concurrency: threads, processes, tasks, several workers.

@dataclass(frozen=True)
class Answer:
    answer: str
    details: str | None = None
    rebuttal: str | None = None  # why the answer stands although it contradicts a finding
    warning: str | None = None  # what the tool warned about when the answer was given


@dataclass(frozen=True)
class Problem:
    code: str  # incomplete-answers | policy
    question: str | None
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Contradiction:
    question: str
    answer: str
    findings: tuple[Finding, ...]
    message: str

    def resolved_by(self, answer: Answer) -> bool:
        return is_sentence(answer.rebuttal or "")


def is_sentence(text: str, min_length: int = 20) -> bool:
    """"At least a sentence": ``min_length`` characters after trimming, and a space."""
    text = text.strip()
    return len(text) >= min_length and " " in text


# --- reading ----------------------------------------------------------------------------------


def _normalise(question: Question | None, text: str) -> str:
    if question is not None and question.free_text:
        return text
    return text.strip().lower()


def parse_answers(data: bytes | str, source: str, checklist: Checklist) -> dict[str, Answer]:
    """Read an answers file. Structural errors raise ConfigError (file, line, key); whether the
    answers are complete and allowed is ``validate_answers``'s job."""
    root = Y.compose(data, source, max_bytes=MAX_BYTES, max_depth=4)
    if root is None:
        raise ConfigError(f"{source} is empty. Give one answer per question: {', '.join(checklist.ids)}.")
    out: dict[str, Answer] = {}
    for qid, node in Y.as_map(root, source, "the answers file").items():
        question = checklist.question(qid)
        what = f"the answer to '{qid}'"
        if Y.kind(node) == "a mapping":
            m = Y.as_map(node, source, what, _ENTRY_KEYS, ("answer",))
            text = lambda key: Y.optional(m, key, lambda n: Y.as_str(n, source, f"{key} of {qid}")) or None  # noqa: E731, B023 - called before the loop moves on
            out[qid] = Answer(
                answer=_normalise(question, Y.as_str(m["answer"], source, what)),
                details=text("details"),
                rebuttal=text("rebuttal"),
            )
        else:
            out[qid] = Answer(_normalise(question, Y.as_str(node, source, what)))
    return out


# --- validation -------------------------------------------------------------------------------


def _path_tokens(details: str) -> list[str]:
    from .testevidence import PATH_LIKE

    tokens = []
    for raw in details.split():
        token = raw.strip("`'\"()[],;")
        token = token.split("::", 1)[0]  # pytest node id: tests/x.py::test_y
        if token.endswith(":") or token.endswith("."):
            token = token[:-1]
        if "://" not in token and PATH_LIKE.match(token):
            tokens.append(token[2:] if token.startswith("./") else token)
        elif "go test" in details and (m := _GO_PACKAGES.match(raw.strip("`'\"()[],;"))):
            # `go test -race ./dataservices/...`: the folder must exist (a new user's trial on
            # portainer, session 33, was taken at its word for a folder the repository lacks).
            tokens.append(m.group(1))
    return tokens


# A Go package pattern relative to the repository: `./store/...`, `./internal/queue`.
_GO_PACKAGES = re.compile(r"^\./((?!\.\.\.)[\w.-]+(?:/(?!\.\.\.)[\w.-]+)*?)(?:/\.\.\.)?$")


def _names_a_command(details: str) -> bool:
    words = [w.strip("`'\"()") for w in details.split()]
    return any(w in _RUNNERS for w in words)


def check_test_reference(details: str, head_file_exists: Callable[[str], bool]) -> str | None:
    """Why ``details`` do not name an existing test, or None when they do."""
    paths = _path_tokens(details)
    missing = [p for p in paths if not head_file_exists(p)]
    if missing:
        verb = "does" if len(missing) == 1 else "do"
        return (
            f"{', '.join(missing)} {verb} not exist in the head commit. Name a test file that is "
            "committed on this branch, or the command that runs the test."
        )
    if not paths and not _names_a_command(details):
        return (
            # Examples in more than Python's terms: a Java user was told of `pytest` alone (a new
            # user's trial on OpenRefine, session 31).
            "the details name no test file (e.g. tests/test_inventory_concurrency.py, "
            "src/test/java/app/InventoryConcurrencyTest.java, spec/jobs/reserve_job_spec.rb) and no command "
            "that runs one (e.g. `pytest -k concurrent`, `go test -race ./...`, `mvn test -Dtest=Inventory*`)."
        )
    return None


def concurrency_evidence_warning(details: str, head_file_text: Callable[[str], str | None]) -> str | None:
    """A warning when a named test file shows no sign of running anything concurrently."""
    quiet = []
    for path in _path_tokens(details):
        text = head_file_text(path)
        if text is not None and not TEXT_CONCURRENCY.search(text):
            quiet.append(path)
    if not quiet:
        return None
    # Only the text of a test in another language is searched: the record's "not checked (not
    # Python)" says that its test was not inspected further, which this warning must not contradict.
    only_text = " (its text only: tests not in Python are not inspected further)" if any(
        not path.endswith(".py") for path in quiet) else ""
    signs = sorted({signs_of(path) for path in quiet})
    return (
        f"{', '.join(quiet)} shows no sign of concurrency ({'; '.join(signs)}){only_text}; make sure the test "
        "really runs workers against the same data at the same time."
    )


def keep_warnings(answers: Mapping[str, Answer], warnings: Sequence[str]) -> dict[str, Answer]:
    """The answers with ``validate_answers``' warnings (``"<question id>: …"``) kept on the
    answer each is about, so the record shows the reviewer what the author was warned of.
    Both the walkthrough and ``check --answers`` store warnings through this one function."""
    by_question: dict[str, list[str]] = {}
    for warning in warnings:
        qid = warning.split(_WARNING_SEPARATOR, 1)[0]
        by_question.setdefault(qid, []).append(warning)
    return {
        qid: replace(a, warning=" ".join(by_question[qid])) if qid in by_question else a
        for qid, a in answers.items()
    }


def _matches(rule: PolicyRule, qid: str, answer: str) -> bool:
    return rule.question == qid and (rule.answer in _WILDCARD or rule.answer == answer)


def validate_answers(
    answers: Mapping[str, Answer],
    checklist: Checklist,
    findings: Sequence[Finding],
    config: Config,
    head_file_exists: Callable[[str], bool],
    head_file_text: Callable[[str], str | None],
) -> tuple[list[Problem], list[str]]:
    """Problems (codes ``incomplete-answers`` and ``policy``) and warnings, in checklist order.

    ``head_file_exists(path)`` says whether a path (file or folder) exists in the head commit;
    ``head_file_text(path)`` returns a file's text there, or None (missing, binary, a folder).
    """
    problems: list[Problem] = []
    warnings: list[str] = []

    def incomplete(qid: str | None, message: str) -> None:
        problems.append(Problem(INCOMPLETE, qid, message))

    for question in checklist.questions:
        qid = question.id
        given = answers.get(qid)
        if given is None:
            incomplete(qid, f"no answer to {qid} (\"{question.text}\").")
            continue
        answer = _normalise(question, given.answer)
        details = (given.details or "").strip()
        if question.free_text:
            if not is_sentence(answer, question.min_length):
                incomplete(
                    qid,
                    f"the answer to {qid} must be at least a sentence ({question.min_length} characters or "
                    f"more, with spaces); got {len(answer.strip())} characters.",
                )
            continue
        if answer not in question.choices:
            incomplete(qid, f"'{answer}' is not an allowed answer to {qid}; answer {', '.join(question.choices)}.")
            continue
        rule = question.details.get(answer)
        if rule is not None and not details:
            incomplete(qid, f"the answer '{answer}' to {qid} needs details: {rule.prompt}")
        elif rule is not None and rule.check == "test":
            why = check_test_reference(details, head_file_exists)
            if why:
                incomplete(qid, f"the answer '{answer}' to {qid}: {why}")
            else:
                # The word-level sign first (its wording is a contract of older records); then
                # what the test's syntax tree shows: the file and function exist, it uses the
                # flagged job and starts workers (testevidence.py).
                warning = concurrency_evidence_warning(details, head_file_text)
                if warning is None:
                    from .testevidence import weak_warning

                    warning = weak_warning(details, findings, head_file_exists, head_file_text)
                if warning:
                    warnings.append(f"{qid}{_WARNING_SEPARATOR}{warning}")
    for qid in answers:
        if checklist.question(qid) is None:
            incomplete(
                qid,
                f"'{qid}' is not a question of the {checklist.id} checklist (questions: {', '.join(checklist.ids)}). "
                "Check the spelling.",
            )
    for c in contradictions(answers, findings):
        if not c.resolved_by(answers[c.question]):
            incomplete(
                c.question,
                f"{c.message} Add a `rebuttal` (at least a sentence) explaining why the answer stands, or change it.",
            )
    problems.extend(_policy(answers, checklist, findings, config))
    return problems, warnings


def _policy(answers: Mapping[str, Answer], checklist: Checklist, findings: Sequence[Finding], config: Config) -> list[Problem]:
    flagged = any(f.flags for f in findings)
    high = any(f.flags and f.severity == "high" for f in findings)
    out = []
    for qid, given in answers.items():
        question = checklist.question(qid)
        if question is None or question.free_text:
            continue
        answer = _normalise(question, given.answer)
        for rule in config.block:
            applies = rule.when == "always" or (rule.when == "high" and high) or (rule.when == "flagged" and flagged)
            if applies and _matches(rule, qid, answer):
                condition = {"always": "", "high": " while a high-severity finding flags the change",
                             "flagged": " for a flagged change"}[rule.when]
                reason = f" ({rule.message})" if rule.message else ""
                out.append(Problem(
                    POLICY, qid,
                    f"the policy in {config.source} does not accept '{answer}' as the answer to {qid}{condition}{reason}. "
                    "Make the change safe so that another answer is true, or ask the owners of the configuration.",
                ))
        for rule in config.require_details:
            if _matches(rule, qid, answer) and not (given.details or "").strip():
                reason = f" ({rule.message})" if rule.message else ""
                out.append(Problem(
                    POLICY, qid,
                    f"the policy in {config.source} requires details for the answer '{answer}' to {qid}{reason}.",
                ))
    return out


# --- contradictions ---------------------------------------------------------------------------


def _where(findings: Sequence[Finding]) -> str:
    shown = [f"{f.rule} {f.name} at {f.location}" for f in findings[:3]]
    more = f" and {len(findings) - 3} more" if len(findings) > 3 else ""
    return ", ".join(shown) + more


def _checks(findings: Sequence[Finding]) -> list[tuple[str, tuple[str, ...], list[Finding], str]]:
    """Per question: the answers the findings contradict, those findings, and what they mean
    (see ``contradictions``)."""
    flagging = [f for f in findings if f.flags]
    # A file deploycheck could not read (DC001) is doubted for what it may hold, not for a hazard
    # found in it (errbit's trial was told a vendored bundle "is a read-modify-write"): said so
    # when no finding of code it read contradicts the answer too.
    unread = [f for f in flagging if f.rule == NOT_ANALYSED_RULE]
    read = [f for f in flagging if f.rule != NOT_ANALYSED_RULE]
    # A lock, an atomic or a transaction changed (DC252's mutex around a package's globals, in a
    # new user's trial signed "shared-state: no"): it exists because something is shared.
    shared = [f for f in read if f.category in ("shared-state", "concurrency") or f.severity == "high"
              or SHARED_STATE_WORDS in f.message]
    # Python's DC320 is filed under shared-state, its tree-language twins (DC355-DC358) under
    # concurrency: a lock taken away is the same claim to doubt whichever file it was in.
    overlap = [f for f in read if f.name == "lost-update" or (f.severity == "high" and f.category in ("shared-state", "concurrency"))]
    return [
        ("shared-state", ("no", "n/a"), shared or unread,
         "touches shared state or a known hazard" if shared else
         "was not read by deploycheck, so nothing shows that it touches no shared state"),
        ("sequential-assumption", ("no", "n/a"), overlap or unread,
         "is a read-modify-write that is only correct when runs do not overlap" if overlap else
         "was not read by deploycheck, so nothing shows that it is correct when runs overlap"),
        # "Not applicable" to testing under concurrent load, for a change to code that runs in
        # the background or to how runs coordinate: the one answer that skips saying why
        # (`no` asks for it). A new-user trial signed it beside a changed job unasked.
        ("concurrency-tested", ("n/a",),
         [f for f in flagging if f.category in ("job", "queue", "concurrency")],
         "runs in the background or decides how concurrent runs coordinate, so concurrent load applies to it"),
        ("rollback-safe", ("n/a",),
         [f for f in flagging if f.category == "migration"],
         "changes the database schema or data, so a rollback has to deal with it"),
        # "Yes" beside a migration that drops, rewrites or cannot reverse data (DC452's
        # `remove_column`): a rollback of the code does not bring it back (a new user's trial,
        # session 27, signed it unasked). An edited applied migration says nothing of its data.
        ("rollback-safe", ("yes",),
         [f for f in flagging if f.category == "migration" and f.severity == "high"
          and f.name != "applied-migration-edited"],
         "drops, rewrites or cannot reverse data, which a rollback of the code does not bring back"),
    ]


def evidence_against(qid: str, findings: Sequence[Finding]) -> list[Finding]:
    """The findings that would contradict some answer to ``qid``: the walkthrough shows them as
    the question's evidence, so it never says "no finding points at this question" and then
    calls an answer contradicted (a new user's trial, session 25)."""
    out: list[Finding] = []
    for question, _wrong, evidence, _meaning in _checks(findings):
        if question == qid:
            out += [f for f in evidence if f not in out]
    return out


def contradictions(answers: Mapping[str, Answer], findings: Sequence[Finding]) -> list[Contradiction]:
    """Answers that the findings contradict, for the walkthrough to challenge.

    - ``shared-state: no`` (or n/a) while a shared-state, concurrency (a lock, an atomic, a
      transaction changed) or high-severity finding flags the change, or a job finding says the
      job touches shared state (``SHARED_STATE_WORDS``, rules/base.py);
    - ``sequential-assumption: no`` (or n/a) while a lost update (rule name ``lost-update``, or any
      high-severity shared-state finding) or a removed or weakened safeguard (a high-severity
      concurrency finding: DC320's kin in Ruby, JS/TS, Go and Java/Kotlin, DC352, DC704) was found;
    - ``concurrency-tested: n/a`` while a job, queue or concurrency finding flags the change;
    - ``rollback-safe: n/a`` while a migration finding exists, and ``yes`` while a high one that
      drops, rewrites or cannot reverse data does.
    """
    out = []
    for qid, wrong, evidence, meaning in _checks(findings):
        given = answers.get(qid)
        if given is None or not evidence:
            continue
        answer = given.answer.strip().lower()
        if answer in wrong:
            out.append(Contradiction(
                qid, answer, tuple(evidence),
                f"the answer '{answer}' to {qid} contradicts the findings ({_where(evidence)}): the code {meaning}.",
            ))
    return out


def with_rebuttal(answer: Answer, rebuttal: str) -> Answer:
    return replace(answer, rebuttal=rebuttal)


def to_plain(answers: Mapping[str, Answer]) -> dict[str, dict[str, Any]]:
    """JSON-ready form (``log --format json``, reports)."""
    out: dict[str, dict[str, Any]] = {}
    for qid, a in answers.items():
        entry: dict[str, Any] = {"answer": a.answer}
        for key in ("details", "rebuttal", "warning"):
            if getattr(a, key):
                entry[key] = getattr(a, key)
        out[qid] = entry
    return out
