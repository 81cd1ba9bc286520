"""Ruby, JavaScript/TypeScript, Go, Java/Kotlin and Lua read as syntax trees (tree-sitter).

The family's gates keep it cheap: ``may_analyse`` admits only non-test files of these
languages (a dict lookup; for a file without an extension, its `#!` line), and ``may_report`` only those whose text names a job API, that sit in
a job system's repository, in `job_paths` or in a job folder (`app/jobs/`, `workers/`), or that hold a Redis script. Only then is
``detect`` imported and tree-sitter loaded. See docs/design-notes.md for the choice of parser.
"""

from __future__ import annotations

from .langs import language_of_file


def __getattr__(name: str):
    # The rules' documentation is read only by the registry (`deploycheck rules`, the record), not
    # by a scan that the gates turn away: importing it would cost a git hook its text.
    if name == "RULES":
        from .rules import RULES

        return RULES
    raise AttributeError(name)


def may_analyse(ctx) -> bool:
    if language_of_file(ctx) is None:
        return False
    from ..paths import is_test_or_doc

    return not is_test_or_doc(ctx.path)


_LUA_HINTS = (b"redis.call", b"redis.pcall")
# hazards.HINTS, repeated so that the gate imports nothing more (tests/rules/test_trees.py compares them)
_PRIMITIVE_HINTS = (b"synchronized", b"volatile", b"atomic", b"concurrent", b"mutex", b"chan", b"lock",
                    b"blockingqueue", b"semaphore", b"countdownlatch", b"longadder", b"waitgroup", b"sync.")


def may_report(ctx) -> bool:
    return reads_itself(ctx) or _jobs_elsewhere(ctx, language_of_file(ctx))


def reads_itself(ctx) -> bool:
    """Whether the file may hold background code itself: it names a job API, sits in a job
    system's repository, in `job_paths` or a job folder, or holds a Redis script. Any other file
    of the family is read only for what a job elsewhere reaches of it (``_jobs_elsewhere``)."""
    language = language_of_file(ctx)
    changed = ctx.changed_lower()
    if any(h in changed for h in _LUA_HINTS):
        return True
    if language in ("go", "java", "kotlin") and any(h in changed for h in _PRIMITIVE_HINTS):
        return True
    if language == "go" and (b"map[" in changed or b"delete(" in changed):  # DC706: a map field written
        return True
    if ctx.settings.job_paths:
        from ...git import pathglob

        if pathglob.matches(ctx.path, ctx.settings.job_paths):
            return True
    if language != "lua":
        from .keywords import JOB_FOLDER, KEYWORDS

        if JOB_FOLDER.search(ctx.path):
            return True

        words = KEYWORDS.get(language or "", ()) + ("redis.call", "redis.pcall")
    else:
        words = ("redis.",)
    for text in _sides_lower(ctx, words):
        if any(w in text for w in words):
            return True
    from .manifest import job_system

    return job_system(ctx.settings) is not None


def _jobs_elsewhere(ctx, language: str | None) -> bool:
    """Whether another non-test file of the language family at head names a job API: then a
    job there may call what this file defines (rules/trees/reach.py reads it). One `git grep`
    per family and scan."""
    repo = ctx.repo
    if repo is None or language is None or language == "lua":
        return False
    from .keywords import FAMILY_GLOBS, KEYWORDS, family_of

    family = family_of(language)
    memo = ctx.settings.base_files.memo if ctx.settings.base_files is not None else {}
    key = ("trees.jobs-elsewhere", family)
    if key not in memo:
        from ...git import gitcmd
        from ..paths import is_test_or_doc

        patterns = [arg for word in KEYWORDS[language] for arg in ("-e", word)]
        proc = gitcmd.run(["grep", "-l", "-z", "-i", "-F", *patterns, repo.head_sha, "--", *FAMILY_GLOBS[family]],
                          repo.root, check=False)
        prefix = repo.head_sha + ":"
        memo[key] = proc.returncode == 0 and any(
            not is_test_or_doc(raw.decode("utf-8", "surrogateescape").removeprefix(prefix))
            for raw in proc.stdout.split(b"\0") if raw)
    return memo[key]


def _sides_lower(ctx, words: tuple[str, ...]):
    """The lower-cased texts the gate looks for ``words`` in: the head, then the base. The base's
    lines are the head's unchanged lines plus the removed ones, and no word spans a line break,
    so once the head is read the base can hold a word only when a removed line does: otherwise
    it is not read from git (a round trip per changed file)."""
    head = ctx.lower_text("head")
    if head:
        yield head
    if head is not None:
        removed = "\n".join(ctx.removed.values()).lower()
        if not any(w in removed for w in words):
            return
    base = ctx.lower_text("base")
    if base:
        yield base


def _detect(ctx):
    from .detect import detect

    return detect(ctx)


DETECTORS = (_detect,)
