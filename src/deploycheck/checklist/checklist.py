"""Checklists: the questions asked before a flagged change merges, loaded and validated strictly.

Built-in checklists are YAML files in the repository's top-level ``checklists/`` folder, shipped
inside the wheel as ``deploycheck/checklists/``. A repository adds its own (or replaces a
built-in one of the same id) in ``.deploycheck/checklists/<id>.yaml``; those are read from a
git revision — the gate reads them from the base ref, so a branch cannot rewrite its own
questions. The configuration's ``checklists:`` key chooses which ones apply.

Checklist file format (every key but ``title``, ``applies_to``, ``focus`` and a question's
``help``, ``details`` and ``min_length`` is required)::

    id: background-jobs            # the file name without .yaml
    version: 1                     # bump when a question changes
    title: "Background jobs, queues and shared state"
    applies_to: [job, queue, shared-state, concurrency, config, migration]
    focus: {migration: [rollback-safe]}   # finding category -> questions in focus
    questions:
      - id: shared-state
        text: "Does this job touch shared state?"
        help: "..."
        answers: ["yes", "no", "n/a"]      # or `text` for a free-text answer
        details:                           # answer -> what the details must say
          "yes": "Which state, and who else writes it?"
          # or {prompt: "...", check: test}: the details must name an existing test
      - id: silent-failure
        text: "..."
        answers: text
        min_length: 20                     # free text: this many characters and a space

A free-text answer must be "at least a sentence": ``min_length`` characters (20 unless set)
after trimming, and at least one space.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..util import yamlload as Y
from ..errors import ConfigError
from ..git.model import CATEGORIES, Finding

CUSTOM_DIR = ".deploycheck/checklists"
CHOICES = ("yes", "no", "n/a")
DEFAULT_MIN_LENGTH = 20
DETAIL_CHECKS = ("test",)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_TOP_KEYS = ("id", "version", "title", "applies_to", "focus", "questions")
_QUESTION_KEYS = ("id", "text", "help", "answers", "details", "min_length")
MAX_BYTES = 200_000


@dataclass(frozen=True)
class DetailRule:
    """Details an answer must carry: what to ask for, and an optional machine check."""

    prompt: str
    check: str | None = None  # "test": the details must name a test file or command


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    help: str = ""
    choices: tuple[str, ...] = CHOICES  # empty: free text
    details: dict[str, DetailRule] = field(default_factory=dict)
    min_length: int = DEFAULT_MIN_LENGTH

    @property
    def free_text(self) -> bool:
        return not self.choices


@dataclass(frozen=True)
class Checklist:
    id: str
    version: int
    title: str
    questions: tuple[Question, ...]
    applies_to: tuple[str, ...] = CATEGORIES
    focus: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""

    def question(self, qid: str) -> Question | None:
        for q in self.questions:
            if q.id == qid:
                return q
        return None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def applies(self, findings: Iterable[Finding]) -> bool:
        """Whether a finding that flags the change has a category this checklist covers."""
        return any(f.flags and f.category in self.applies_to for f in findings)

    def in_focus(self, findings: Iterable[Finding]) -> tuple[str, ...]:
        """Question ids put in focus by the categories of the flagging findings, in checklist order."""
        wanted = {qid for f in findings if f.flags for qid in self.focus.get(f.category, ())}
        return tuple(q for q in self.ids if q in wanted)


def checklist_digest(checklist: Checklist) -> str:
    """SHA-256 (hex) over the canonical question texts: the UTF-8 of the compact JSON list
    ``[[id, text], ...]`` in checklist order. A record keeps it so a reader can tell whether the
    questions its answers reply to are still the questions asked."""
    canonical = json.dumps([[q.id, q.text] for q in checklist.questions], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- parsing --------------------------------------------------------------------------------


def _ident(node: Any, source: str, what: str) -> str:
    value = Y.as_str(node, source, what, allow_empty=False)
    if not _ID.match(value):
        raise ConfigError(
            f"{Y.where(source, node)}: {what} '{value}' must be lower-case letters, digits and dashes "
            "(at most 63 characters), e.g. shared-state."
        )
    return value


def _question(node: Any, source: str) -> Question:
    m = Y.as_map(node, source, "a question", _QUESTION_KEYS, ("id", "text", "answers"))
    qid = _ident(m["id"], source, "question id")
    what = f"question '{qid}'"
    text = Y.as_str(m["text"], source, f"text of {what}", allow_empty=False)
    help_text = Y.optional(m, "help", lambda n: Y.as_str(n, source, f"help of {what}"), "")
    answers_node = m["answers"]
    choices: tuple[str, ...]
    if Y.kind(answers_node) == "a list":
        choices = tuple(c.lower() for c in Y.as_str_list(answers_node, source, f"answers of {what}"))
        for item, choice in zip(Y.as_list(answers_node, source, "answers"), choices):
            if choice not in CHOICES:
                raise ConfigError(
                    f"{Y.where(source, item)}: answers of {what} may be yes, no and n/a (or `answers: text` "
                    f"for free text), not '{choice}'."
                )
        if not choices:
            raise ConfigError(f"{Y.where(source, answers_node)}: answers of {what} must not be empty.")
    else:
        if Y.as_str(answers_node, source, f"answers of {what}") != "text":
            raise ConfigError(
                f"{Y.where(source, answers_node)}: answers of {what} must be a list such as [\"yes\", \"no\", \"n/a\"] "
                "or the word `text` for a free-text answer."
            )
        choices = ()
    details: dict[str, DetailRule] = {}
    if "details" in m:
        if not choices:
            raise ConfigError(
                f"{Y.where(source, m['details'])}: {what} takes free text, so `details` has no answers to "
                "attach to. Remove it."
            )
        Y.as_map(m["details"], source, f"details of {what}")  # a clear error when not a mapping
        for key_node, value in m["details"].value:
            answer = key_node.value.lower()
            if answer not in choices:
                raise ConfigError(
                    f"{Y.where(source, key_node)}: details of {what} are keyed by an allowed answer "
                    f"({', '.join(choices)}), not '{key_node.value}'."
                )
            details[answer] = _detail_rule(value, source, f"details of {what} for '{answer}'")
    min_length = Y.optional(m, "min_length", lambda n: Y.as_int(n, source, f"min_length of {what}", minimum=1), DEFAULT_MIN_LENGTH)
    if "min_length" in m and choices:
        raise ConfigError(f"{Y.where(source, m['min_length'])}: min_length applies only to free-text questions (`answers: text`).")
    return Question(qid, text, help_text, choices, details, min_length)


def _detail_rule(node: Any, source: str, what: str) -> DetailRule:
    if Y.kind(node) != "a mapping":
        return DetailRule(Y.as_str(node, source, what, allow_empty=False))
    m = Y.as_map(node, source, what, ("prompt", "check"), ("prompt",))
    check = Y.optional(m, "check", lambda n: Y.as_str(n, source, f"check of {what}"))
    if check is not None and check not in DETAIL_CHECKS:
        raise ConfigError(f"{Y.where(source, m['check'])}: check of {what} must be one of {', '.join(DETAIL_CHECKS)}, not '{check}'.")
    return DetailRule(Y.as_str(m["prompt"], source, f"prompt of {what}", allow_empty=False), check)


def parse_checklist(data: bytes | str, source: str, expected_id: str | None = None) -> Checklist:
    """Validate a checklist file; every error names the file, the line and the key."""
    root = Y.compose(data, source, max_bytes=MAX_BYTES, max_depth=8)
    if root is None:
        raise ConfigError(f"{source} is empty. A checklist needs id, version and questions.")
    top = Y.as_map(root, source, "the checklist", _TOP_KEYS, ("id", "version", "questions"))
    cid = _ident(top["id"], source, "checklist id")
    if expected_id is not None and cid != expected_id:
        raise ConfigError(
            f"{Y.where(source, top['id'])}: the checklist's id is '{cid}' but its file is named "
            f"{expected_id}.yaml. Make them the same."
        )
    version = Y.as_int(top["version"], source, "version", minimum=1)
    title = Y.optional(top, "title", lambda n: Y.as_str(n, source, "title"), cid)
    applies = Y.optional(top, "applies_to", lambda n: tuple(Y.as_str_list(n, source, "applies_to")), CATEGORIES)
    for category in applies:
        if category not in CATEGORIES:
            raise ConfigError(f"{Y.where(source, top['applies_to'])}: applies_to names an unknown finding category '{category}'. Known: {', '.join(CATEGORIES)}.")
    questions_node = Y.as_list(top["questions"], source, "questions")
    if not questions_node:
        raise ConfigError(f"{Y.where(source, top['questions'])}: questions must not be empty.")
    questions = tuple(_question(q, source) for q in questions_node)
    seen: set[str] = set()
    for node, q in zip(questions_node, questions):
        if q.id in seen:
            raise ConfigError(f"{Y.where(source, node)}: question id '{q.id}' appears twice. Each id must be unique.")
        seen.add(q.id)
    focus: dict[str, tuple[str, ...]] = {}
    if "focus" in top:
        for category, value in Y.as_map(top["focus"], source, "focus", CATEGORIES).items():
            ids = tuple(Y.as_str_list(value, source, f"focus.{category}"))
            for qid in ids:
                if qid not in seen:
                    raise ConfigError(f"{Y.where(source, value)}: focus.{category} names '{qid}', which is not a question of this checklist.")
            focus[category] = ids
    return Checklist(cid, version, title, questions, tuple(applies), focus, source)


# --- loading --------------------------------------------------------------------------------


def _builtin_dirs() -> list[Any]:
    """Where built-in checklists live: inside the installed package (wheel), then the source
    tree's top-level ``checklists/`` (editable install)."""
    from importlib import resources

    dirs: list[Any] = []
    try:
        packaged = resources.files("deploycheck") / "checklists"
        if packaged.is_dir():
            dirs.append(packaged)
    except (ModuleNotFoundError, OSError):  # pragma: no cover - the package is always importable
        pass
    source_tree = Path(__file__).resolve().parents[3] / "checklists"
    if source_tree.is_dir():
        dirs.append(source_tree)
    return dirs


def builtin_ids() -> list[str]:
    ids = {p.name[: -len(".yaml")] for d in _builtin_dirs() for p in d.iterdir() if p.name.endswith(".yaml")}
    return sorted(i for i in ids if _ID.match(i))


def load_builtin(checklist_id: str) -> Checklist:
    if _ID.match(checklist_id):
        for folder in _builtin_dirs():
            candidate = folder / f"{checklist_id}.yaml"
            if candidate.is_file():
                return parse_checklist(candidate.read_bytes(), f"built-in checklist {checklist_id}.yaml", checklist_id)
    raise ConfigError(
        f"there is no built-in checklist '{checklist_id}' (built in: {', '.join(builtin_ids()) or 'none'}). "
        f"Fix the name in the config's `checklists:` or add {CUSTOM_DIR}/{checklist_id}.yaml."
    )


def custom_ids(root: str, rev: str) -> list[str]:
    """Ids of the checklists in ``.deploycheck/checklists/`` as committed at ``rev``."""
    from ..git import gitcmd

    proc = gitcmd.run(["ls-tree", "-z", "--name-only", "--end-of-options", rev, f"{CUSTOM_DIR}/"], root, check=False)
    if proc.returncode != 0:
        return []
    names = [n.decode("utf-8", "surrogateescape").rsplit("/", 1)[-1] for n in proc.stdout.split(b"\0") if n]
    return sorted(n[: -len(".yaml")] for n in names if n.endswith(".yaml") and _ID.match(n[: -len(".yaml")]))


def load_checklists(root: str, rev: str, ids: Sequence[str]) -> list[Checklist]:
    """The checklists named by ``ids``: the repository's own at ``rev`` first, else built-in."""
    from ..git import gitcmd

    out = []
    for checklist_id in ids:
        if not _ID.match(checklist_id):
            raise ConfigError(
                f"checklist name '{checklist_id}' in the config's `checklists:` is not valid: use lower-case "
                "letters, digits and dashes, e.g. background-jobs."
            )
        path = f"{CUSTOM_DIR}/{checklist_id}.yaml"
        data = gitcmd.show_file(rev, path, root)
        if data is not None:
            out.append(parse_checklist(data, f"{path} (at {rev[:12]})", checklist_id))
            continue
        if checklist_id in builtin_ids():
            out.append(load_builtin(checklist_id))
            continue
        custom = custom_ids(root, rev)
        raise ConfigError(
            f"checklist '{checklist_id}' named in the config's `checklists:` is neither built in "
            f"({', '.join(builtin_ids())}) nor in {CUSTOM_DIR}/ at {rev[:12]}"
            f"{' (found: ' + ', '.join(custom) + ')' if custom else ''}. Fix the name, or commit "
            f"{path} to the base branch."
        )
    return out


def applicable(checklists: Iterable[Checklist], findings: Sequence[Finding]) -> list[Checklist]:
    """The checklists that the flagging findings make apply, in the given order."""
    return [c for c in checklists if c.applies(findings)]
