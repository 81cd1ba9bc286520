"""The pull request's own words, checked against the change (issue 19, part 1).

Two checks, both about what the author *says* the change is:

- the "Concurrency considerations" field of the PR description (a Markdown heading or a bold
  label, any case) must be there; ``N/A`` is accepted only when nothing is flagged; a flagged
  change needs at least a sentence, or the block `deploycheck summary` prints;
- a *claim* that the change is harmless ("refactor", "no behavioural change", "cleanup",
  "minor", "N/A" …) in the title, the description or a commit message of the change is
  contradicted when the change has flagged findings, and deploycheck says so first, naming
  what changed (a problem with ``pr_field: required``; one in a commit message is settled by
  the description carrying deploycheck's block). The same evidence decides as everywhere else: DC101 is only reported when
  rules/python/equiv.py cannot prove the behaviour unchanged, DC320/DC301 name the safeguard
  removed and the lost update.

The base branch's config decides how strict the gate is (``pr_field: required | warn | off``,
default ``warn``). The decisions (``find_field``, ``field_problem``, ``find_claims``,
``what_changed``) are pure; reading the PR text from CI is at the edge (``read_pr_text``).
"""

from __future__ import annotations

import os
import re

from ..errors import UsageError
from ..util.plain import Plain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Mapping, Sequence

    from ..git.model import Finding

FIELD = "Concurrency considerations"
PR_FIELD, PR_CLAIM = "pr-field", "pr-claim"
MAX_TEXT_BYTES = 1_000_000  # a title or description; GitHub caps a body at 65,536 characters
MAX_EVENT_BYTES = 25_000_000  # the whole GitHub event payload (it carries much more than the PR)
MAX_COMMITS = 1000
MAX_COMMIT_MESSAGE = 65_536
FIX_FIELD = (
    'Edit the pull request description: under a "Concurrency considerations" heading, paste the block '
    "`deploycheck summary` prints (or say in a sentence what this change does to concurrent workers). "
    "Editing the description re-runs the check."
)
GITLAB = "GitLab CI_MERGE_REQUEST_TITLE/CI_MERGE_REQUEST_DESCRIPTION"
# GitLab starts no pipeline when a merge request's title or description is edited, and a retried
# job keeps the variables its pipeline was created with, so the old text: only a new pipeline
# reads the edit (a new-user trial on GitLab was told that editing re-runs the check).
GITLAB_RERUN = ("GitLab does not re-run the pipeline on an edit, and a retried job still sees the old text: "
                "run a new pipeline for the merge request (its Pipelines tab, Run pipeline) or push a commit.")


class PrText(Plain):
    _fields = ("title", "body", "source", "truncated")

    def __init__(self, title: str, body: str, source: str, truncated: bool = False) -> None:
        self.title, self.body, self.source = title, body, source
        self.truncated = truncated  # GitLab cuts CI_MERGE_REQUEST_DESCRIPTION at 2,700 characters


def rerun_hint(fix: str, pr: PrText | None) -> str:
    """``fix`` (an edit of the title or description) with what re-runs the check made true for
    where the text came from."""
    if pr is None or pr.source != GITLAB:
        return fix
    for said, then in ((" Editing the description re-runs the check.", " "), ("; editing it re-runs the check.", ". ")):
        if fix.endswith(said):
            return fix[:-len(said)] + then + GITLAB_RERUN
    return f"{fix} {GITLAB_RERUN}"


class Claim(Plain):
    _fields = ("source", "where", "phrases", "commit", "message")

    def __init__(self, source: str, where: str, phrases: tuple[str, ...], commit: str | None = None, message: str = "") -> None:
        self.source = source  # title | description | field | commit
        self.where = where  # "the title", "commit 1a2b3c4d's message": for sentences
        self.phrases = phrases  # the words that claim the change is harmless, strongest first
        self.commit = commit
        self.message = message  # "" when nothing contradicts it; else the plain-words statement

    @property
    def said(self) -> str:
        first, rest = f"'{self.phrases[0]}'", ", ".join(f"'{p}'" for p in self.phrases[1:])
        return f"{first} ({rest})" if rest else first

    def to_json(self) -> dict:
        return {"source": self.source, "commit": self.commit, "phrases": list(self.phrases),
                "contradicted": bool(self.message), "message": self.message}


# --- reading the PR text (the edge) -------------------------------------------------------------


def _too_big(what: str, size: int, fix: str) -> UsageError:
    return UsageError(f"{what} is {size:,} bytes, over the {MAX_TEXT_BYTES:,} deploycheck reads, so it was not read. {fix}")


def _text_value(value: object, what: str, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UsageError(f"{where}: {what} is not text. Run in a pull_request workflow, or pass --pr-title/--pr-body.")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise _too_big(f"{where}: {what}", len(value.encode("utf-8", "surrogatepass")), "Shorten the pull request description.")
    return value


def _github(env: Mapping[str, str]) -> PrText | None:
    path = env.get("GITHUB_EVENT_PATH", "").strip()
    event_name = env.get("GITHUB_EVENT_NAME", "").strip()
    if event_name and not event_name.startswith("pull_request"):
        return None  # a push or schedule run: there is no pull request to read
    fix = ("deploycheck reads the pull request's title and description from it; run the workflow on "
           "`pull_request`, pass --pr-title/--pr-body, or set `pr_field: off` in the base branch's config.")
    if not path:
        if event_name:
            # A pull request run whose payload is not passed on (a container step that drops the
            # environment): its text would go unchecked, as if there were no pull request.
            raise UsageError(f"GITHUB_EVENT_NAME is {event_name}, but GITHUB_EVENT_PATH is not set. {fix}")
        return None
    import json

    try:
        size = os.path.getsize(path)
        if size > MAX_EVENT_BYTES:
            raise UsageError(f"GITHUB_EVENT_PATH ({path}) is {size:,} bytes, over the {MAX_EVENT_BYTES:,} deploycheck reads. {fix}")
        with open(path, "rb") as fh:
            event = json.loads(fh.read(MAX_EVENT_BYTES + 1))
    except OSError as exc:
        raise UsageError(f"GITHUB_EVENT_PATH names {path}, which cannot be read ({exc.strerror}). {fix}") from None
    except (ValueError, RecursionError):
        raise UsageError(f"GITHUB_EVENT_PATH ({path}) is not a JSON event payload. {fix}") from None
    pr = event.get("pull_request") if isinstance(event, dict) else None
    if pr is None and not event_name:
        return None  # not a pull request event (the payload of a push has no pull_request)
    if not isinstance(pr, dict):
        raise UsageError(f"GITHUB_EVENT_PATH ({path}) has no pull_request object although the event is {event_name or 'unknown'}. {fix}")
    where = "GITHUB_EVENT_PATH pull_request"
    return PrText(_text_value(pr.get("title"), "the title", where), _text_value(pr.get("body"), "the description", where), where)


def _gitlab(env: Mapping[str, str]) -> PrText | None:
    if not env.get("CI_MERGE_REQUEST_IID", "").strip() and "CI_MERGE_REQUEST_TITLE" not in env:
        return None
    where = GITLAB
    title = _text_value(env.get("CI_MERGE_REQUEST_TITLE", ""), "the title", where)
    body = _text_value(env.get("CI_MERGE_REQUEST_DESCRIPTION", ""), "the description", where)
    truncated = env.get("CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED", "").strip().lower() == "true"
    return PrText(title, body, where, truncated)


def _read_body_file(path: str) -> str:
    fix = "Pass a readable text file of at most 1 MB to --pr-body."
    try:
        size = os.path.getsize(path)
        if size > MAX_TEXT_BYTES:
            raise _too_big(f"--pr-body {path}", size, fix)
        with open(path, "rb") as fh:
            data = fh.read(MAX_TEXT_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read the --pr-body file {path}: {exc.strerror}. {fix}") from None
    if len(data) > MAX_TEXT_BYTES:  # it grew (or is a pipe): still not read whole
        raise _too_big(f"--pr-body {path}", len(data), fix)
    return data.decode("utf-8", "replace")


def read_pr_text(pr_title: str | None = None, pr_body: str | None = None, env: Mapping[str, str] | None = None) -> PrText | None:
    """The pull request's title and description: ``--pr-title``/``--pr-body FILE`` first, then
    GitHub's event payload (pull_request events only), then GitLab's merge request variables.
    None outside a pull/merge request pipeline. Unreadable or oversized input: UsageError (exit 2)."""
    env = os.environ if env is None else env
    if pr_title is not None or pr_body is not None:
        title = _text_value(pr_title or "", "--pr-title", "the command line")
        return PrText(title, _read_body_file(pr_body) if pr_body is not None else "", "--pr-title/--pr-body")
    return _github(env) or _gitlab(env)


def commit_messages(root: str, merge_base: str, head: str) -> list[tuple[str, str]]:
    """(sha, message) of every commit of the change, newest first, bounded in count and size."""
    from ..git import gitcmd

    out = gitcmd.run(["log", f"--max-count={MAX_COMMITS}", "--format=%H%x00%B%x00", f"{merge_base}..{head}"], root).stdout
    parts = out.split(b"\0")
    messages = []
    for sha, message in zip(parts[0::2], parts[1::2]):
        text = message[:MAX_COMMIT_MESSAGE].decode("utf-8", "replace")
        messages.append((sha.strip().decode("ascii", "replace"), text))
    return messages


def commit_files(root: str, merge_base: str, head: str) -> dict[str, frozenset[str] | None] | None:
    """The paths each commit of the change touches (a rename as both paths), so that a commit's
    claim is held against the findings in its own files; None (a merge commit) means "all of
    the change", as a merge brings in everything. None for the whole map when git's answer
    cannot be read: every claim is then held against every finding, as before."""
    from ..git import gitcmd

    out = gitcmd.run(["log", f"--max-count={MAX_COMMITS}", "--format=%x01%H%x00%P", "--name-only",
                      "--no-renames", "-z", f"{merge_base}..{head}"], root).stdout
    files: dict[str, frozenset[str] | None] = {}
    for chunk in out.split(b"\x01")[1:]:
        fields = chunk.split(b"\0", 2)
        if len(fields) != 3 or not re.fullmatch(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?", fields[0]):
            return None  # a path holding \x01 split a record: attribute nothing rather than guess
        sha, parents, names = fields
        paths = frozenset(n.decode("utf-8", "surrogateescape") for n in names.lstrip(b"\n").split(b"\0") if n)
        files[sha.decode("ascii")] = None if len(parents.split()) > 1 else paths
    return files


# --- the field (pure) ---------------------------------------------------------------------------

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BOLD = re.compile(r"^[ \t]*(\*\*|__)[ \t]*([^*_]+?)[ \t]*:?[ \t]*\1[ \t]*:?[ \t]*(.*)$")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_NA = re.compile(r"^[\s>*_`-]*(?:n/?a|not applicable|none)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")
BLOCK_MARKS = ("deploycheck flagged", "deploycheck found no change")


def _label(text: str) -> str:
    return " ".join(text.strip().strip("*_:").split()).lower()


def find_field(body: str) -> str | None:
    """The text under the "Concurrency considerations" heading or bold label (HTML comments
    removed), or None when the description has no such field."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading and _label(heading.group(2)) == FIELD.lower():
            level = len(heading.group(1))
            taken = []
            for later in lines[number + 1:]:
                other = _HEADING.match(later)
                if other and len(other.group(1)) <= level:
                    break
                taken.append(later)
            return _COMMENT.sub("", "\n".join(taken)).strip()
        bold = _BOLD.match(line)
        if bold and _label(bold.group(2)) == FIELD.lower():
            taken = [bold.group(3)]
            for later in lines[number + 1:]:
                if _HEADING.match(later) or _BOLD.match(later):
                    break
                taken.append(later)
            return _COMMENT.sub("", "\n".join(taken)).strip()
    return None


def is_na(field: str) -> bool:
    return bool(_NA.match(field))


def field_problem(pr: PrText, flagged_files: Sequence[str]) -> str | None:
    """Why the field does not do its job, or None when it does."""
    field = find_field(pr.body)
    name = f'"{FIELD}"'
    # Nothing flagged: `N/A` is the whole answer needed, and the problem says so.
    enough = "" if flagged_files else "; `N/A` is enough, as nothing is flagged"
    if field is None:
        cut = " (GitLab passed only the first 2,700 characters of the description: put the field near the top)" if pr.truncated else ""
        return f"the pull request description has no {name} field (a heading or a bold label){cut}{enough}."
    if not field:
        return f"the {name} field of the pull request description is empty (an HTML comment does not count){enough}."
    if not flagged_files:
        return None
    files = ", ".join(flagged_files[:5]) + (" …" if len(flagged_files) > 5 else "")
    if is_na(field):
        return (f"the {name} field says N/A, but deploycheck flagged this change ({files}); N/A is accepted only "
                "when nothing is flagged.")
    if any(mark in field.lower() for mark in BLOCK_MARKS):
        return None
    if len(_WORD.findall(field)) < 5:
        return (f"the {name} field says only {_quote(field, 60)}; for a flagged change ({files}) it needs at least a "
                "sentence on what the change does to concurrent workers, or the block `deploycheck summary` prints.")
    return None


def _quote(text: str, limit: int) -> str:
    from ..util.safe import one_line

    return "'" + one_line(" ".join(text.split()), limit) + "'"


# --- claims (pure) ------------------------------------------------------------------------------

CLAIM_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\bno\s+(?:behaviou?r(?:al)?|functional(?:ity)?|logic(?:al)?|user[\s-]visible)\s+(?:changes?|differences?)\b",
    # … and said as what the change should not do (autolab's "This shouldn't introduce any
    # functionality differences", which removed a `FOR UPDATE`: a new user's trial, session 31).
    r"\bbehaviou?r\s+(?:is\s+)?(?:unchanged|preserved|identical)\b"
    r"|\b(?:should(?:n['\u2019]?t|\s+not)|does(?:n['\u2019]?t|\s+not)|wo(?:n['\u2019]?t|\s+not)|will\s+not)\s+"
    r"(?:introduce\s+|cause\s+)?(?:any\s+)?(?:change\s+(?:any\s+|the\s+)?behaviou?r"
    r"|(?:behaviou?r(?:al)?|functional(?:ity)?)\s+(?:changes?|differences?))\b",
    r"\bnon[\s-]functional\s+changes?\b",
    r"\brefactor(?:s|ed|ing)?\b",
    r"\bclean[\s-]?ups?\b",
    r"\bminor\b",
))
# The first three say outright that nothing changes; the last three are also plain words of a
# commit body's prose ("cleanups run LIFO", "a minor version", "since the refactor in #12"), so
# they count where the author names the change: a title, a description, a commit's subject.
_STRONG = 3
# A word of code, not prose: in backticks, or joined to a name (`t.Cleanup(…)`, `minor_version`).
# A conventional commit's type (`refactor(worker): …`) is the author's word, not a call; a name of
# three or more hyphenated words (Dependabot's `minor-and-patch` group, a `cleanup-expired-sessions`
# task) is a name; Markdown's `_italics_` are prose.
_CODE = re.compile(r"`[^`\n]*`|\w+(?:(?:\.|::)[^\W_]\w*)+|\b[^\W_]+(?:_[^\W_]+)+\b|\w+(?:-\w+){2,}"
                   r"|\w+\((?![\w ./-]*\)!?:)")
# Markdown's emphasis marks (`_No behavioural change._`, `**minor**`) around prose.
_EMPHASIS = re.compile(r"(?<![^\W_])_+|_+(?![^\W_])|\*+")
# A commit body's words about this change (`Pure refactor: …`, `This refactor moves …`), unlike its
# plain mentions ("since the refactor in #12", "cleanups run LIFO").
_THIS_CHANGE = re.compile(r"(?:^|[.!?:]\s+|\n)\s*(?:this|pure(?:ly)?|just|only|a\s+(?:small|simple|pure|minor))\s+"
                          r"(?:an?\s+)?(?:minor\s+)?(refactor(?:ing)?|clean[\s-]?up)\b", re.IGNORECASE)


# "Cleanup" naming a feature, not the change: a kind of cleanup before it (hawkBit's "Auto cleanup:
# run tasks on every node", a new user's trial, session 24), or the noun before what does it
# ("the cleanup scheduler", "session clean-up job") after another word: at the start, "Cleanup
# workers and …" is the verb (a red-team case). The verb ("Clean up the jobs") stays a claim.
_CLEANUP_FEATURE = re.compile(
    r"\b(?:auto(?:matic|mated)?|scheduled|periodic|background|nightly|daily|hourly|session|cache|disk|log|token"
    r"|orphan(?:ed)?|expired|stale|temp|tmp|file|storage|queue|job|action|database|db)[\s-]+clean[\s-]?ups?\b"
    r"|(?<=\w )clean-?ups?[\s-]+(?:tasks?|jobs?|schedulers?|workers?|actions?|polic(?:y|ies)|intervals?|services?|crons?"
    r"|process(?:es)?|handlers?|threads?|period|delay|runs?|routines?|hooks?)\b"
    # The object of a verb that changes how it runs: atproto's "Serialize stale test port cleanup"
    # (a new user's trial, session 28) says what the change does to a cleanup, not that it is one.
    # Only verbs that are no nouns: "Guard clause cleanup", "Retry logic cleanup" and "Order model
    # cleanup" call the change a cleanup (the red team of session 28); not across "and", a comma,
    # a slash or a dash ("Fix typos / cleanup" is two things done).
    # What it cleans up at run time, left behind by work that stopped: rclone's "serve s3: clean up
    # abandoned multipart uploads" (a new user's trial, session 40) names the feature. Only a thing
    # that exists at run time, at most two words after the adjective: "leftover locking code",
    # "stale feature flags" and "dangling promises" stay claims (the red team of session 40).
    r"|\bclean[\s-]?up\s+(?:the\s+|any\s+|all\s+)?(?:abandoned|expired|stale|orphan(?:ed)?|dangling|leftover"
    r"|unfinished|incomplete|idle|inactive|timed[\s-]out)\s+(?:[\w-]+\s+){0,2}?(?:uploads?|sessions?|tokens?"
    r"|files?|records?|rows?|entries|jobs?|tasks?|messages?|connections?|containers?|volumes?|snapshots?"
    r"|backups?|carts?|orders?|reservations?|accounts?|users?|notifications?|attachments?|blobs?|chunks?"
    r"|leases?|locks?|processes|pids?|sockets?|directories|dirs?|keys?|invitations?|invites?|trials?"
    r"|subscriptions?|devices?|webhooks?|deliveries|transfers?|downloads?|imports?\s+(?:jobs?|runs?)|runs?)\b"
    r"|\b(?:seriali[sz]e|paralleli[sz]e|fix|await|throttle|debounce|reorder)"
    r"\b(?:(?!\band\b|\bplus\b|\s[-\u2013\u2014]\s)[^.:;!?,&+/\n]){0,60}?\bclean[\s-]?ups?\b", re.IGNORECASE)
_CLEANUP = 4  # CLAIM_PATTERNS' index of "cleanup"


def _claims(text: str, weak: bool = True, spelled: re.Pattern | None = None) -> dict[int, str]:
    """The harmless-sounding phrase of ``text`` for each pattern of CLAIM_PATTERNS (its index),
    whitespace collapsed. Code is not read (see _CODE), nor a changed class's name spelled out in
    words (``spelled``, from ``spelled_names``); ``weak``: the plain words count too, else only
    when they speak of this change (_THIS_CHANGE)."""
    prose = _CODE.sub(" ", _EMPHASIS.sub(" ", text))
    if spelled is not None:
        prose = spelled.sub(" ", prose)
    out = {}
    for index, pattern in enumerate(CLAIM_PATTERNS[: None if weak else _STRONG]):
        if m := pattern.search(_CLEANUP_FEATURE.sub(" ", prose) if index == _CLEANUP else prose):
            out[index] = " ".join(m.group(0).split())
    if not weak and (m := _THIS_CHANGE.search(prose)):
        word = " ".join(m.group(1).split())
        out.setdefault(next(i for i, p in enumerate(CLAIM_PATTERNS) if p.fullmatch(word)), word)
    return out


def claims_in(text: str, weak: bool = True, spelled: re.Pattern | None = None) -> tuple[str, ...]:
    """The harmless-sounding phrases of ``text``, strongest first (the order of CLAIM_PATTERNS);
    "N/A" is left out (it claims something only as the field's answer)."""
    found = _claims(text, weak, spelled)
    return tuple(found[i] for i in sorted(found))


_CLAIM_WORDS = frozenset({"clean", "up", "cleanup", "cleanups", "refactor", "refactoring", "minor", "tidy", "no", "behavior",
                          "behaviour", "change", "changes"})
_CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_KINDS = r"(?:worker|job|service|task|handler|consumer)s?"


def spelled_names(names: Iterable[str]) -> re.Pattern | None:
    """A pattern of the class names among ``names`` (`CleanupEmptyTrialsWorker#perform`) spelled
    out in words, any case, with the kind at its end named by another word: "Cleanup empty trials
    worker" names loomio's new job, it says nothing of the change (a new user's trial, session 39).
    None when no name has two words."""
    spelled = set()
    for name in names:
        for part in re.split(r"#|::|\.", name):
            words = _CAMEL_WORD.findall(part)
            if len(words) >= 2 and part[:1].isupper():
                stem = words[:-1] if re.fullmatch(_KINDS, words[-1], re.IGNORECASE) else words
                if all(w.lower() in _CLAIM_WORDS for w in stem):
                    continue  # `CleanUp`, `CleanupService`: the name is the claim's own words (the red team of session 39)
                kind = rf"[\s_-]*{_KINDS}" if stem is not words else ""
                spelled.add(r"[\s_-]*".join(re.escape(w) for w in stem) + kind)
    if not spelled:
        return None
    return re.compile(r"\b(?:" + "|".join(sorted(spelled, key=len, reverse=True)) + r")\b", re.IGNORECASE)


# The subject git (`git merge`, `git pull`), GitHub ("Merge pull request #12 from org/branch") or
# actions/checkout's merge ref write for a merge: it names branches, tags and commits, so a branch
# called `refactor-jobs` would read as the author saying "refactor". Only the whole subject in one
# of those forms is left out; whatever the author wrote (an edited subject, the body, where GitHub
# and GitLab put the pull request's title) is read as always.
_QUOTED = r"'[^'\n]*'"
_MERGED = rf"(?:(?:remote-tracking )?branch(?:es)?|tags?|commits?) {_QUOTED}(?:(?:, | and ){_QUOTED})*"
_GENERATED_MERGE = re.compile(
    rf"Merge (?:{_MERGED}(?:(?:, | and ){_MERGED})*(?: of \S+)?(?: into (?:{_QUOTED}|\S+))?"
    r"|pull request #\d+ from \S+"
    r"|[0-9a-f]{7,64} into [0-9a-f]{7,64})[ \t]*"
)


def _authored(message: str) -> str:
    """A commit message without the merge subject git or the forge generated (see above)."""
    subject, _, rest = message.partition("\n")
    return rest if _GENERATED_MERGE.fullmatch(subject.rstrip("\r")) else message


_UNTICKED = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+\[ \]\s")
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")


def _without_field(body: str) -> str:
    """The description minus deploycheck's own block and HTML comments: a pasted table of
    findings or the template's hint must not read as the author's claim."""
    text = _COMMENT.sub("", body)
    field = find_field(body)
    if field and any(mark in field.lower() for mark in BLOCK_MARKS):
        text = text.replace(field, "")  # the pasted block quotes findings and answers, not the author's claim
    quoted = ("|", "**Claim vs change:**", "Claim vs change:")  # table rows; deploycheck quoting a claim back
    return "\n".join(line for line in _without_unticked(text.splitlines()) if not line.lstrip().startswith(quoted))


def _without_unticked(lines: list[str]) -> list[str]:
    """The lines without a template's unticked choices (`- [ ] Refactor` under "What type of Pull
    Request is this?"), what the author did not say, nor the lines an unticked choice wraps onto
    (indented below it: "(…; no functional changes)"); a ticked one (`- [x] Refactor`) is said.
    A new user's trial on bookwyrm, session 25: every flagged pull request failed on its own
    template; a red-team case wrapped the choice."""
    out: list[str] = []
    item: int | None = None  # the indentation of the unticked item being skipped
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if _UNTICKED.match(line):
            item = indent
            continue
        if item is not None and line.strip() and indent > item and not _LIST_ITEM.match(line):
            continue
        item = None
        out.append(line)
    return out


def find_claims(pr: PrText | None, commits: Iterable[tuple[str, str]], spelled: re.Pattern | None = None) -> list[Claim]:
    out: list[Claim] = []
    if pr is not None:
        # "N/A" counts only as the field's whole answer: elsewhere ("Screenshots: N/A") it claims nothing.
        for source, where, text in (("title", "the title", pr.title), ("description", "the description", _without_field(pr.body))):
            phrases = claims_in(text, spelled=spelled)
            if phrases:
                out.append(Claim(source, where, phrases))
        field = find_field(pr.body)
        if field is not None and is_na(field):
            out.append(Claim("field", f'the "{FIELD}" field', ("N/A",)))
    for sha, message in commits:
        subject, _, body = _authored(message).strip().partition("\n")
        found = {**_claims(body, weak=False, spelled=spelled), **_claims(subject, spelled=spelled)}  # the subject's first
        phrases = tuple(found[i] for i in sorted(found))
        if phrases:
            out.append(Claim("commit", f"commit {sha[:8]}'s message", phrases, commit=sha))
    return out


_NAME = re.compile(r"`([^`\n]{1,80})`")


def _function(f: Finding) -> str | None:
    if f.message.startswith("top-level code"):
        return None  # its first quoted name is what the code is ("the job folder `jobs/`"), not a function
    m = _NAME.search(f.message)
    return m.group(1) if m else None


def what_changed(findings: Sequence[Finding]) -> str:
    """What the flagged findings say changed, in plain words, most telling first; "" when
    nothing is flagged."""
    flagged = [f for f in findings if f.flags and not f.suppressed]
    if not flagged:
        return ""
    parts: list[tuple[str, str]] = []  # (what a finding says, its file)
    removed = [f for f in flagged if f.rule == "DC320"]
    lost = [f for f in flagged if f.rule == "DC301"]
    for f in removed:
        fn = _function(f)
        atomic = "F()" in f.message
        same = [g for g in lost if g.path == f.path and (fn is None or fn in g.message)]
        if atomic and same and fn:
            parts.append((f"`{fn}` changed from one atomic `F()` update to read / compute / save "
                          f"({f.rule} {f.name}, {same[0].rule} {same[0].name})", f.path))
            lost = [g for g in lost if g not in same]
        else:
            parts.append((f"{f.message.rstrip('.')} ({f.rule} {f.name})", f.path))
    for f in lost + [f for f in flagged if f.severity == "high" and f.rule not in ("DC320", "DC301")]:
        if f.rule == "DC001":  # its message says "this file": a claim line has no finding's path beside it
            parts.append((f"deploycheck could not analyse {f.path}: {_unread_reason(f.message)} ({f.rule} {f.name})", f.path))
        else:
            parts.append((f"{f.message.rstrip('.')} ({f.rule} {f.name})", f.path))
    if not parts:
        for f in flagged:
            fn = _function(f)
            # The background-code rules' own messages carry the whole trail from the job (a
            # 900-character claim line in a Ruby trial): the claim needs the function and file.
            # Top-level code has no function to name: the file is named instead (linkwarden's
            # worker folder, a new user's trial, session 37, had the whole message pasted in).
            where = f"`{fn}` in {f.path}" if fn else f"code in {f.path}"
            if f.rule == "DC701" and f.message.startswith("New background code"):
                parts.append((f"{where} is new code that runs in the background ({f.rule} {f.name})", f.path))
            elif f.rule in ("DC101", "DC701"):
                # A removal stays one (the red team of session 37: a deleted worker file "changed").
                verb = "lost lines" if not fn and ("removed lines" in f.message or f.message.startswith(
                    "Background code removed")) else "changed"
                parts.append((f"{where} {verb} in a way deploycheck cannot prove leaves its behaviour "
                              f"unchanged ({f.rule} {f.name})", f.path))
            else:
                parts.append((f"{f.message.rstrip('.')} ({f.rule} {f.name})", f.path))
    said = _merged(_per_rule_and_file(parts))
    shown = said[:3]
    more = f"; and {len(said) - 3} more" if len(said) > 3 else ""
    text = "; ".join(shown) + more
    # It follows "…, but": a message's opening article ("The lock …") would start a sentence
    # there; a name (`Product.stock`) keeps its capital.
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first in _ARTICLES else text


_ARTICLES = frozenset({"The", "A", "An", "This", "These", "Its", "It", "No", "Nothing"})
# Where DC001's message goes on from why the file was not read to what to do about it
# (rules/not_analysed.py): the reason itself may hold sentences (Python's "invalid syntax. Perhaps …").
_UNREAD_ADVICE = (". Nothing in it was checked", ". It looks like a browser asset", ", yet it runs")


def _unread_reason(message: str) -> str:
    reason = message.partition(": ")[2]
    cut = min((i for i in (reason.find(a) for a in _UNREAD_ADVICE) if i >= 0), default=len(reason))
    return reason[:cut].rstrip(".")


def _per_rule_and_file(parts: list[tuple[str, str]]) -> list[str]:
    """Findings of one rule in one file said in one phrase where their words differ in one place
    only (``_one_phrase``): "concurrency control changed in x.go (sync.Mutex and .Lock())", not
    the phrase once per match (a new user's trial read "concurrency control changed in
    X (sync.Mutex) and concurrency control changed in X (.Lock())")."""
    clusters: dict[tuple[str, str], list[list[str]]] = {}
    order: list[tuple[tuple[str, str], int]] = []
    for text, path in dict.fromkeys(parts):
        key = (text.rpartition(" (")[2], path)  # the rule, as each part ends: "(DC252 name)"
        groups = clusters.setdefault(key, [])
        joined = next((g for g in groups if _one_phrase([*g, text]) is not None), None)
        if joined is not None:
            joined.append(text)
        else:
            groups.append([text])
            order.append((key, len(groups) - 1))
    return [_one_phrase(group) or group[0] for group in (clusters[key][at] for key, at in order)]


# Where a phrase's common words may end before, and start after, what differs between findings:
# at a bracket, a backtick or a space, so that no name is cut in two.
_BEFORE, _AFTER = "(` ", ")` "
_VERBS = {" was ": " were ", " is ": " are ", " has ": " have "}


def _one_phrase(texts: list[str]) -> str | None:
    """``texts`` as one phrase: their common start and end once, what differs listed between
    them ("a, b and c"); the text itself when there is one; None when they differ in more than a
    short bracketed, quoted or spaced-off part (a clause of its own, unbalanced brackets)."""
    texts = list(dict.fromkeys(texts))
    if len(texts) == 1:
        return texts[0]
    head = os.path.commonprefix(texts)
    ends = os.path.commonprefix([t[::-1] for t in texts])[::-1]
    tail = ends[max(0, len(head) + len(ends) - min(len(t) for t in texts)):]  # never overlapping the head
    best: tuple[str, list[str], str] | None = None
    for i in (i for i in range(len(head) + 1) if i == 0 or head[i - 1] in _BEFORE):
        for j in (j for j in range(len(tail) + 1) if j == len(tail) or tail[j] in _AFTER):
            start, end = head[:i], tail[j:]
            if start.endswith("`") and end.startswith("`"):  # the names keep their backticks
                start, end = start[:-1], end[1:]
            if not start and not end or best is not None and len(start) + len(end) <= len(best[0]) + len(best[2]):
                continue  # the most words in common wins: what differs is then the least
            middles = list(dict.fromkeys(t[len(start):len(t) - len(end)] for t in texts))
            if all(_a_part(m) for m in middles):
                best = start, middles, end
    if best is None:
        return None
    start, middles, end = best
    if len(middles) > 5:  # a file's twelve functions would make the line the claim was kept short for
        middles = [*middles[:4], f"{len(middles) - 4} more"]
    verb = next((v for v in _VERBS if end.startswith(v)), None)
    if verb is not None:  # "`WATCH` and `MULTI` were removed"
        end = _VERBS[verb] + end[len(verb):]
    return start + ", ".join(middles[:-1]) + " and " + middles[-1] + end


def _a_part(text: str) -> bool:
    """Whether ``text`` can be one item of a list inside a phrase: short, one line, not a clause
    of its own (no ": "), its brackets and backticks balanced."""
    if not 0 < len(text.strip()) <= 80 or "\n" in text or ": " in text or text.count("`") % 2:
        return False
    depth = 0
    for ch in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _merged(parts: list[str]) -> list[str]:
    """Findings that give the same consequence said once: "`WATCH` was removed from `f` and
    `MULTI` was removed from `f`: the transaction no longer aborts … (DC320 x, DC320 x)" instead of
    the consequence twice (a new-user trial found a 700-character line). A part said twice word
    for word (a Go function in a job folder with lines removed and others added is two DC701
    findings, one per side of the diff, and both read "`f` in x.go changed in a way …") is said
    once: merged as two, its text has no ": " to split on and came out three times over."""
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for part in dict.fromkeys(parts):
        body, _, rule = part.rpartition(" (")
        what, sep, why = body.partition(": ")
        groups.setdefault(why if sep and rule else part, []).append((part, what, rule.rstrip(")")))
    out = []
    for why, items in groups.items():
        if len(items) == 1:
            out.append(items[0][0])
        else:
            rules = ", ".join(dict.fromkeys(rule for _, _, rule in items))
            out.append(" and ".join(what for _, what, _ in items) + f": {why} ({rules})")
    return out


def contradict(claims: Sequence[Claim], findings: Sequence[Finding],
               commit_paths: Mapping[str, frozenset[str] | None] | None = None) -> list[Claim]:
    """``claims`` with ``message`` set where the flagged findings contradict them. A commit's
    claim is held against the findings in the files that commit touches (``commit_paths``, from
    `commit_files`): "commit X says 'refactor'" must not name a job another commit changed."""
    out = []
    for c in claims:
        own = findings
        touched = commit_paths.get(c.commit) if commit_paths is not None and c.commit else None
        if c.source == "commit" and touched is not None:
            own = [f for f in findings if f.path in touched]
        changed = what_changed(own)
        out.append(Claim(c.source, c.where, c.phrases, c.commit, f"{c.where} says {c.said}, but {changed}.")
                   if changed else c)
    return out


def shown_claims(ctx) -> list[Claim]:
    """The claims for `scan`, `summary` and the walkthrough: the commit messages, and the PR's
    title and description when this runs in a pull request pipeline (unreadable PR text is left
    out here; `verify` reports it)."""
    if not ctx.scan.flagged:
        return []
    pr = None
    if ctx.config.pr_field != "off":
        try:
            pr = read_pr_text()
        except UsageError:
            pr = None
    return change_claims(ctx, pr)


def said(claims: Sequence[Claim]) -> list[str]:
    """The contradicted claims in plain words, for people: claims that the same change
    contradicts are one sentence ("the title says 'refactor', and commit 1a2b3c4d's message says
    'cleanup', but …"), so a long consequence is not repeated for every place that made the claim.
    The JSON keeps one entry per claim."""
    by_change: dict[str, list[Claim]] = {}
    for c in claims:
        if c.message:  # `contradict` writes "<where> says <said>, but <what changed>."
            by_change.setdefault(c.message.removeprefix(f"{c.where} says {c.said}, but "), []).append(c)
    out = []
    for rest, group in by_change.items():
        if len(group) == 1:
            out.append(group[0].message)
        else:
            out.append(", and ".join(f"{c.where} says {c.said}" for c in group) + ", but " + rest)
    return out


def claim_lines(claims: Sequence[Claim]) -> list[str]:
    """One terminal-safe line per contradicted change, for text outputs."""
    from ..util.safe import inert

    return ["Claim vs change: " + inert(line, keep_newlines=False) for line in said(claims)]


def change_claims(ctx, pr: PrText | None) -> list[Claim]:
    """The claims of the change's title, description and commit messages, checked against its
    findings."""
    commits = commit_messages(ctx.change.repo_root, ctx.change.merge_base, ctx.change.head_sha)
    names = [name for f in ctx.scan.active if f.flags and (name := _function(f))]
    claims = find_claims(pr, commits, spelled_names(names))
    paths = commit_files(ctx.change.repo_root, ctx.change.merge_base, ctx.change.head_sha) if any(
        c.source == "commit" for c in claims) else None
    return contradict(claims, ctx.scan.active, paths)


# --- the gate's part ----------------------------------------------------------------------------


def has_block(pr: PrText) -> bool:
    """Whether the description's field holds the block `deploycheck summary` prints, which
    states what changed (and quotes each contradicted claim back)."""
    field = find_field(pr.body)
    return field is not None and any(mark in field.lower() for mark in BLOCK_MARKS)


# A title's conventional-commit type that claims (`refactor:`, `refactor(worker)!:`).
# A gitmoji may lead it (`♻️ refactor: …`, `:recycle: refactor: …`).
_TYPE_ONLY = re.compile(r"^\s*(?:(?::[a-z0-9_+-]+:|[^\w\s(]+)\s*)?refactor(?:\([^)\n]*\))?!?:\s*", re.IGNORECASE)


def claim_problem(c: Claim, pr: PrText | None) -> tuple[str, str] | None:
    """(message, fix) when a contradicted claim fails a gate that requires the field: one in the
    title or description until that text is edited (a title's conventional `refactor:` type
    alone, as a commit's word); one in a commit message until the
    description carries deploycheck's block (history need not be rewritten for a word, but the
    pull request must then say what changed). Outside a pull request pipeline: None."""
    if not c.message or pr is None:
        return None
    # A conventional commit's type (`refactor(api): …`) that a team's rules may require, and
    # nothing else of the title claiming: like a commit's word, answered by the description.
    type_only = c.source == "title" and _TYPE_ONLY.match(pr.title) is not None \
        and not _claims(_TYPE_ONLY.sub("", pr.title))
    if c.source in ("title", "description", "field") and not type_only:
        if c.source == "title":
            # A title is one line: the block `deploycheck summary` prints cannot go there.
            return c.message, rerun_hint("Reword the pull request title so it says what changed; editing it re-runs the check.", pr)
        return c.message, rerun_hint("Edit the pull request description so it says what changed (paste "
                                     "`deploycheck summary`); editing it re-runs the check.", pr)
    if has_block(pr):
        return None
    reword = "the title" if type_only else "the commit message"
    return c.message, rerun_hint(f'Paste the block `deploycheck summary` prints under "{FIELD}" in the pull request '
                                 f"description (it states what changed), or reword {reword}.", pr)


def pr_checks(ctx, verdict, pr: PrText | None, claims: Sequence[Claim]):
    """``verdict`` with the PR field's and the claims' problems (``pr_field: required``) or notes
    (``warn``) added. Every contradicted claim is also shown first by the caller."""
    from .decision import Problem, Verdict

    mode = ctx.config.pr_field
    if mode == "off":
        return verdict
    problems, notes = [], []
    for c in claims:
        found = claim_problem(c, pr) if mode == "required" else None
        if found is not None:
            problems.append(Problem(PR_CLAIM, None, *found))
    if pr is None:
        if mode == "required":  # CI checks it on every pull request, a quiet one too ("N/A" is enough there)
            notes.append(f'pr_field is required, but no pull request text was found (not a pull/merge request pipeline), so the '
                         f'"{FIELD}" field was not checked; pass --pr-body FILE to check it here.')
    else:
        problem = field_problem(pr, ctx.scan.flagged_files)
        if problem is not None:
            if mode == "required":
                problems.append(Problem(PR_FIELD, None, problem, rerun_hint(FIX_FIELD, pr)))
            else:
                notes.append(problem + " (pr_field: warn)")
    if not problems and not notes:
        return verdict
    return Verdict(ok=verdict.ok and not problems, flagged_files=verdict.flagged_files, records=verdict.records,
                   problems=problems + verdict.problems, notes=[*notes, *verdict.notes])
