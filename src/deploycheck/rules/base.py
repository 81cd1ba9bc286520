"""What a rule is, and what a detector is given to look at.

A rule is data (id, name, category, severity, the questions it is evidence for, and its
documentation in ruff's sections). A detector is a function ``(FileContext) -> Iterable[Finding]``
that reports findings for one or more rules; ``deploycheck.analysis.scan`` runs every detector over every
changed file and applies configuration and inline suppressions afterwards.
"""

from __future__ import annotations

from functools import cached_property

from ..git.model import FileChange, Finding
from ..util.plain import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .patterns.lex import Lexed
    from typing import Callable, Iterable

DOC_SECTIONS = ("what_it_does", "why_bad", "known_problems", "example", "use_instead")
DOC_TITLES = {
    "what_it_does": "What it does",
    "why_bad": "Why is this bad?",
    "known_problems": "Known problems",
    "example": "Example",
    "use_instead": "Use instead",
}


def rule_docs(what_it_does: str, why_bad: str, known_problems: str, example: str, use_instead: str) -> dict[str, str]:
    """A rule's documentation sections written as indented triple-quoted strings beside the rule,
    dedented: prose sections lose their surrounding blank lines, code sections keep their
    leading spaces (``deploycheck explain`` prints them as written)."""
    from textwrap import dedent

    return {
        "what_it_does": dedent(what_it_does).strip(),
        "why_bad": dedent(why_bad).strip(),
        "known_problems": dedent(known_problems).strip(),
        "example": dedent(example).strip("\n"),
        "use_instead": dedent(use_instead).strip("\n"),
    }


class Rule(Frozen):
    _fields = (
        "id", "name", "category", "severity", "questions", "summary", "what_it_does", "why_bad", "known_problems",
        "example", "use_instead", "languages",
    )

    def __init__(
        self,
        id: str,  # stable, never reused: DC + three digits
        name: str,  # kebab-case name of the pattern, e.g. "lost-update"
        category: str,  # one of model.CATEGORIES
        severity: str,  # default severity: info | warning | high
        questions: tuple[str, ...],  # checklist question ids this rule is evidence for
        summary: str,  # one line for `deploycheck rules`
        what_it_does: str,
        why_bad: str,
        known_problems: str,
        example: str,
        use_instead: str,
        languages: tuple[str, ...] = (),  # informational: "python", "javascript", "config", …
    ) -> None:
        self.id, self.name, self.category, self.severity, self.questions = id, name, category, severity, questions
        self.summary, self.what_it_does, self.why_bad, self.known_problems = summary, what_it_does, why_bad, known_problems
        self.example, self.use_instead, self.languages = example, use_instead, languages

    def finding(
        self,
        path: str,
        line: int,
        message: str,
        end_line: int | None = None,
        *,
        side: str = "head",
        severity: str | None = None,
        job: dict | None = None,
        trail: tuple[dict, ...] | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            name=self.name,
            category=self.category,
            severity=severity or self.severity,
            path=path,
            line=line,
            end_line=end_line if end_line is not None else line,
            message=message,
            questions=self.questions,
            side=side,
            job=job,
            trail=trail,
        )


# How a job finding says that the changed code writes shared state (rules/python/jobs.py, DC101
# and DC104). The checklist challenges a "no" to shared-state beside a finding that says so
# (checklist/answers.py), so both read these words from here.
SHARED_STATE_WORDS = "shared state (database, cache, files or globals)"
# The rule of a changed file deploycheck could not read (rules/not_analysed.py); the checklist
# doubts an answer beside it for what the file may hold, not for a hazard found in it.
NOT_ANALYSED_ID = "DC001"


class FileContext:
    """Everything a detector may look at for one changed file.

    ``added`` maps head line numbers to the added lines' text; ``removed`` maps base line numbers
    to the removed lines' text (both built on first use). ``head_text()``/``base_text()`` return
    the whole file on that side (read lazily from git objects, never from the working tree; None
    when that side is absent, binary, or too large). Detectors must report only lines in
    ``added`` (side "head") or in ``removed`` (side "base"), but may read the whole file for
    context. For speed, a detector should first reject files it cannot match by path and by
    ``changed_lower()`` (the raw changed lines, lower-cased bytes) before touching lines or ASTs.
    """

    def __init__(
        self,
        path: str,
        file: FileChange,
        head_text: Callable[[], str | None],
        base_text: Callable[[], str | None],
        settings: DetectorSettings,
        repo: RepoAt | None = None,
    ) -> None:
        self.path, self.file, self.head_text, self.base_text, self.settings = path, file, head_text, base_text, settings
        self.repo = repo  # the repository at head, for rules that look beyond this file (None: per file only)
        self.cache: dict = {}  # detectors may memoise per-file work here

    @cached_property
    def added(self) -> dict[int, str]:
        return {line.number: line.text for line in self.file.added_lines()}

    @cached_property
    def removed(self) -> dict[int, str]:
        return {line.number: line.text for line in self.file.removed_lines()}

    def lower_text(self, side: str) -> str | None:
        """``head_text()`` or ``base_text()`` lower-cased, memoised (several pre-filters read it)."""
        key = ("lower-text", side)
        if key not in self.cache:
            text = self.head_text() if side == "head" else self.base_text()
            self.cache[key] = text.lower() if text else None
        return self.cache[key]

    def lexed(self, side: str, lexer: str) -> Lexed | None:
        """One side's whole text lexed (rules/patterns/lex.py: comments, and strings, blanked),
        memoised per lexer and side; None when the text is not available. The pattern packs'
        view and the re-commented lines of rules/realigned.py read the same one."""
        key = ("patterns.lexed", lexer, side)
        if key not in self.cache:
            from .patterns.lex import lex

            text = self.head_text() if side == "head" else self.base_text()
            self.cache[key] = lex(text.replace("\r\n", "\n"), lexer) if text is not None else None
        return self.cache[key]

    def changed_lower(self) -> bytes:
        """The file's hunks as raw bytes, lower-cased: a cheap pre-filter for substrings."""
        if "changed_lower" not in self.cache:
            self.cache["changed_lower"] = self.file.hunk_bytes.lower()
        return self.cache["changed_lower"]


def scan_memo(ctx: FileContext) -> dict:
    """Facts one scan learns once for all its files (the base's, or the repository's at head):
    kept with the base's files when the scan has them, else with the one file's context."""
    base_files = ctx.settings.base_files
    return base_files.memo if base_files is not None else ctx.cache  # type: ignore[attr-defined]


class RepoAt:
    """The repository a change belongs to, at its head commit: what a detector needs to look at
    files the change did not touch (rules/python/repo_index.py builds the job context from it)."""

    __slots__ = ("root", "head_sha", "read_blob", "job_paths")
    # Whether the job index may use the git directory's cache. The CI gate (`deploycheck verify`)
    # neither writes nor reads it (``uncached``): the gate trusts only what the repository says,
    # and a CI cache restored from a run an untrusted branch could influence would otherwise
    # hide jobs. The pre-push hook and the other commands use it (docs/security-model.md).
    write_cache = True
    read_cache = True

    def __init__(self, root: str, head_sha: str, read_blob: Callable[[str], bytes | None], job_paths: tuple[str, ...] = ()) -> None:
        self.root, self.head_sha, self.read_blob, self.job_paths = root, head_sha, read_blob, job_paths


class uncached:
    """``with uncached(): ...``: the job index is built from the repository alone while it
    lasts, its cache neither read nor written (see RepoAt)."""

    def __enter__(self) -> None:
        self._was = (RepoAt.write_cache, RepoAt.read_cache)
        RepoAt.write_cache = RepoAt.read_cache = False

    def __exit__(self, *exc: object) -> None:
        RepoAt.write_cache, RepoAt.read_cache = self._was


class DetectorSettings(Frozen):
    """The parts of configuration detectors read (from the base branch's config)."""

    _fields = ("job_paths", "lock_wrappers")

    def __init__(
        self, job_paths: tuple[str, ...] = (), lock_wrappers: tuple[str, ...] = (), base_files: object = None
    ) -> None:
        self.job_paths = job_paths  # extra globs whose files are job/worker code
        self.lock_wrappers = lock_wrappers  # project names acting as locks/transactions, e.g. traced_atomic
        # deploycheck.git.basefiles.BaseFiles: the base commit's files, read on demand (a package
        # manifest says whether the repository is a job system). Not a field: not compared.
        self.base_files = base_files


if TYPE_CHECKING:
    Detector = Callable[[FileContext], Iterable[Finding]]
