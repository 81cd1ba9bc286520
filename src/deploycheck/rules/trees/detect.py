"""The tree detectors: background code changed (DC701), Redis scripts changed (DC702), and files
that could not be parsed (DC703). Imported only after the family's gates admitted a file."""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from ...git.model import ADDED, DELETED, MODIFIED
from ..base import SHARED_STATE_WORDS
from ..paths import served_to_browsers
from ..realigned import realigned
from .background import CLASS_HEADER, job_of, regions, runs_in_page, server_module
from .dbjobs import defined_functions, job_sql_changed, schedules, sql_file_job_changes, unscheduled
from .keywords import (JOB_PATHS_CODE, NOT_WORKER_CODE, at_once_hints, channel_hints, lock_wrapper_calls, OWN_HELPER_LANGUAGES, own_lock_helpers, floating_hints, listener_hints, guard_hints, in_job_paths, java_field_write_hints, js_lock_hints, lock_hints, js_producer_hints, go_producer_hints, loaded_by_a_job, scheduled_folder, tunable_hints, pool_hints, in_transaction_hints, job_folder_code, job_route,
                       jobs_elsewhere, reads_itself, retry_hints, scan_memo, shutdown_hints, singleton_hints,
                       transaction_block_hints, FAMILY_GLOBS, family_of)
from .langs import is_sql_file, language_of_file
from .manifest import declared_names, example_code, job_system, uninstalled_script
from .moved import moved_counterpart, rebound
from .parse import MAX_PARSE_BYTES, STRING_LITERALS, Parsed, Unreadable, nodes_of, parse_bytes, parsed, walk
from .beans import pool_lifecycle, shutdown_changed, singleton_state
from .checkact import check_then_act, concurrent_map_check_then_put, go_check_then_act, guarded_field_write, new_in_head
from .retry import retried_changes
from .enqueue import enqueued_in_transaction
from .naming import followable, producer_hints
from .producer import producer_changes
from .guard import guards_changed
from .jvm import is_logger_declaration
from .hazards import (HINTS, LANGUAGES, capacity_flows, js_work_under_a_lock, lock_calls_changed, reworded_lines,
                      weakened, work_under_a_lock)
from .rules import (ACTIVITY_OPTIONS_CHANGED, BACKGROUND_CODE_CHANGED, CHECK_THEN_ACT, CONTINUATION_HOISTED,
                    DATABASE_JOB_SQL_CHANGED, ENQUEUED_IN_TRANSACTION, GUARD_CHANGED, PRIMITIVE_WEAKENED, PRODUCER_CHANGED, REDIS_SCRIPT_CHANGED,
                    SHUTDOWN_HOOK_CHANGED, SINGLETON_STATE_CHANGED, SOURCE_NOT_PARSED, TRANSACTION_RETRY_CHANGED,
                    LISTENER_MULTIPLICITY_CHANGED, TUNABLE_CHANGED, UNAWAITED_ASYNC_CALL, UNGUARDED_MAP_WRITE, WORKFLOW_NONDETERMINISM)
from .sharedmap import (construction_only, ruby_class_state_writes, unguarded_map_writes, unguarded_rand_draws,
                        unsafe_static_writes, volatile_uses)
from .pipelined import awaits_at_once, pipelined
from .units import (CONTAINERS, FUNCTIONS, all_units, chains_at, describe, is_directive, node_name, proof_of_no_change, proof_with_renames, qualname,
                    shown_code, shown_name, units_at)


CHECK_ACT_LANGUAGES = ("ruby", "javascript", "typescript", "tsx")
OVERLOADING = ("java", "kotlin")
MACHINERY_LANGUAGES = ("java", "kotlin", "javascript", "typescript", "tsx", "ruby", "go")
GO_CHECK_ACT_HINTS = (b"has", b"exist", b"present", b"taken", b"duplicate")
CHECK_ACT_HINTS = (b"create", b"insert", b"save", b"exist", b"find", b"count", b"any?", b"present?", b"none?",
                   b"empty?", b"blank?", b"first", b"size")


def _deleted_only(ctx, language: str) -> dict[int, str]:
    """Removed lines of the hunks that add no code: a replaced line is judged on the head, but
    code replaced by comments or blank lines only has nothing on the head to be judged by. Nor
    has code beside a line only realigned or re-commented (rules/realigned.py), which the head
    does not judge: alaveteli's `retry_on …` removed under `queue_as :default # masking` was
    in no finding once the comment alone no longer counted (session 34)."""
    same_head, same_base = _realigned_rows(ctx, "head", language), _realigned_rows(ctx, "base", language)
    out: dict[int, str] = {}
    for hunk in ctx.file.hunks:
        added = [line for line in hunk.added if line.number not in same_head]
        removed = [line for line in hunk.removed if line.number not in same_base]
        if added and not (_no_code(ctx, "head", language, added) and not _no_code(ctx, "base", language, removed)):
            continue
        out.update((line.number, line.text) for line in removed)
    return out


def _left_background(ctx, language: str) -> dict[int, str]:
    """Removed lines of replaced hunks that ran in a background region of the base (a goroutine,
    a job's method) when none of the code replacing them runs in one: the work no longer leaves the
    request (ente's upload, taken out of its `go func()` to run inline), which the head's lines
    alone do not show. Only where regions are what make code background: a job folder, a job
    system's own source or `job_paths` reads all of a file on the head."""
    if ctx.file.status != MODIFIED or job_system(ctx.settings) is not None or in_job_paths(ctx.settings, ctx.path) \
            or job_folder_code(ctx.path) or not reads_itself(ctx):
        return {}
    base, head = parsed(ctx, "base", language), parsed(ctx, "head", language)
    if not isinstance(base, Parsed) or not isinstance(head, Parsed):
        return {}
    before = regions(base)
    if not before:
        return {}
    after = regions(head)
    out: dict[int, str] = {}
    for hunk in ctx.file.hunks:
        if not hunk.added or not hunk.removed:
            continue
        if any(any(s[0] <= line.number - 1 <= s[1] for s in after) for line in hunk.added):
            continue  # background on the head too: judged there
        out.update((line.number, line.text) for line in hunk.removed
                   if any(s[0] <= line.number - 1 <= s[1] for s in before))
    return out


def _no_code(ctx, side: str, language: str, lines) -> bool:
    """Whether ``lines`` of ``side`` hold only blanks and comments."""
    p = parsed(ctx, side, language)
    return isinstance(p, Parsed) and all(not line.text.strip() or _comment_only(p, line.number, line.text)
                                         for line in lines)


# A Go file built only under a test tag (`//go:build e2etest`, `//go:build integration`): no
# production build compiles it (pocket-id's database seeding for its end-to-end tests). The tag
# is one word naming a test suite, whole or as a part between underscores: a word that only
# holds the letters (`attestation`, `contest`, `latest`) may be a production build's tag.
_GO_BUILD_LINE = re.compile(r"^//go:build[ \t]+(\w+)[ \t]*$", re.MULTILINE)
_GO_TEST_TAG = re.compile(r"(?:\w+_)?(?:e2e|integration|(?:e2e|integration|unit|acceptance|functional|smoke)?_?tests?)"
                          r"(?:_\w+)?", re.IGNORECASE)


def _test_build_only(ctx) -> bool:
    """Whether each side the file has is built only under a test tag (the constraint stands
    before the package clause, as the compiler requires)."""
    texts = ([ctx.head_text()] if ctx.file.status != DELETED else []) + ([ctx.base_text()] if ctx.file.status != ADDED else [])
    if not texts or any(not t for t in texts):
        return False  # a side that cannot be read is not known to be a test's
    for text in texts:
        text = text[:4096]
        match, package = _GO_BUILD_LINE.search(text), re.search(r"^package\s", text, re.MULTILINE)
        if match is None or package is None or package.start() < match.start() \
                or not _GO_TEST_TAG.fullmatch(match.group(1)):
            return False
    return True


def detect(ctx):
    language = language_of_file(ctx)
    if language is None:
        if is_sql_file(ctx.path):
            yield from _sql_file(ctx)
        return
    if language == "go" and _test_build_only(ctx):
        return
    system = job_system(ctx.settings)
    by_path = in_job_paths(ctx.settings, ctx.path)
    itself = reads_itself(ctx)
    yield from _temporal_options(ctx, language)
    yield from _lock_wrappers(ctx)
    if language == "go" and ctx.added and ctx.removed:
        yield from _locked_accessors(ctx)
    if not ctx.added and ctx.removed and ctx.file.status != DELETED and language in ("java", "kotlin"):
        # Lines only removed: the head side is not read below, but a shutdown hook may be gone
        # from it (shenyu's log client stopped registering its own JVM hook).
        head = parsed(ctx, "head", language)
        if isinstance(head, Parsed):
            yield from _beans(ctx, head, language)
    if not ctx.added and ctx.removed and ctx.file.status != DELETED and language in ("javascript", "typescript", "tsx") \
            and js_producer_hints(ctx):
        # Lines only removed from an enqueue (a wrapped call's `jobId:`): what it hands on changed.
        head = parsed(ctx, "head", language)
        if isinstance(head, Parsed):
            yield from _queue_producer(ctx, head, {})
    for side, lines in (("head", _added_code(ctx, language)),
                        ("base", {**_deleted_only(ctx, language), **_left_background(ctx, language)})):
        if not lines or (side == "base" and language == "go" and _go_package_gone(ctx)):
            continue
        p = parsed(ctx, side, language)
        if p is None:
            continue
        first, last = min(lines), max(lines)
        if isinstance(p, Unreadable):
            yield SOURCE_NOT_PARSED.finding(
                ctx.path, first, f"{ctx.path} could not be analysed as {language}: {p.reason}. Review it by hand.",
                last, side=side)
            return
        broken = sorted(p.error_rows & set(lines))
        if broken:
            yield SOURCE_NOT_PARSED.finding(
                ctx.path, broken[0],
                f"{ctx.path} does not parse as {language} at line {broken[0]} (a syntax error, or syntax newer "
                "than deploycheck's grammar): the change there was not analysed. Review it by hand.",
                broken[-1], side=side)
        if language == "lua":
            yield from _lua_findings(ctx, p, lines, side, system, whole_file=True)
            continue
        if side == "head" and ctx.file.status != ADDED and guard_hints(ctx):
            base = parsed(ctx, "base", language)
            if isinstance(base, Parsed):
                for where, line, message in guards_changed(p, base, ctx.added, ctx.removed):
                    yield GUARD_CHANGED.finding(ctx.path, line, message, side=where)
        if side == "head":
            yield from _beans(ctx, p, language)
        if side == "head" and language == "ruby" and producer_hints(ctx):
            yield from _producer(ctx, p, lines)
        if side == "head" and (language in ("javascript", "typescript", "tsx") and js_producer_hints(ctx)
                               or language == "go" and go_producer_hints(ctx)):
            yield from _queue_producer(ctx, p, lines)
        if side == "head" and language in ("javascript", "typescript") and floating_hints(ctx) \
                and not ctx.path.endswith((".jsx", ".tsx")) and not NOT_WORKER_CODE.search(ctx.path) \
                and not served_to_browsers(ctx.path):
            yield from _floating(ctx, p, lines)
        if side == "head" and listener_hints(ctx) and (base := _base_tree(ctx, language)) is not None:
            from .listeners import listener_changes

            for line, message in listener_changes(p, base, _code_rows(p, lines)):
                yield LISTENER_MULTIPLICITY_CHANGED.finding(ctx.path, line, message)
        if side == "head" and language == "go" and retry_hints(ctx):
            code = _code_rows(p, lines)
            for first, last, message in retried_changes(p, lines, code):
                yield TRANSACTION_RETRY_CHANGED.finding(ctx.path, first, message, last)
        for first, last, message in job_sql_changed(p, lines, _job_callers_elsewhere(ctx, p.text(p.root))):
            yield DATABASE_JOB_SQL_CHANGED.finding(ctx.path, first, message, last, side=side)
        if side == "head" and at_once_hints(ctx) and (base := _base_tree(ctx, language)) is not None:
            # Awaits made at once race wherever they run, as a check-then-create does.
            for line, message in awaits_at_once(p, base, lines):
                yield CONTINUATION_HOISTED.finding(ctx.path, line, message)
        # A check-then-create races wherever it runs: two requests, as much as two workers.
        if side == "head" and language in CHECK_ACT_LANGUAGES and any(h in ctx.changed_lower() for h in CHECK_ACT_HINTS):
            for line, message in new_in_head(check_then_act, p, lines, lambda: _base_tree(ctx, language)):
                yield CHECK_THEN_ACT.finding(ctx.path, line, message)
        if side == "head" and language == "go" and any(h in ctx.changed_lower() for h in GO_CHECK_ACT_HINTS):
            for line, message in new_in_head(go_check_then_act, p, lines, lambda: _base_tree(ctx, language)):
                yield CHECK_THEN_ACT.finding(ctx.path, line, message)
        if side == "head" and language == "java" and java_field_write_hints(ctx):
            for line, message in new_in_head(guarded_field_write, p, lines, lambda: _base_tree(ctx, language)):
                yield CHECK_THEN_ACT.finding(ctx.path, line, message)
        if side == "head" and language in ("javascript", "typescript", "tsx", "go", "ruby") and tunable_hints(ctx):
            from .tunables import tunables_changed

            for line, message in tunables_changed(p, _base_tree(ctx, language), set(lines)):
                yield TUNABLE_CHANGED.finding(ctx.path, line, message)
        # A lock, a concurrent type or a `volatile` says its author meant threads, wherever it is:
        # in a JVM or Go server every request is one (openhab's script engine registry, apps-q).
        yield from _weakened(ctx, p, lines, side)
        if side == "head" and language in ("javascript", "typescript", "tsx") and js_lock_hints(ctx):
            code = _code_rows(p, lines)
            for line, message in js_work_under_a_lock(p, {n: t for n, t in lines.items()
                                                          if n in code and not _JS_LOG_LINE.match(t)}):
                yield PRIMITIVE_WEAKENED.finding(ctx.path, line, message, severity="warning")
        if side == "head" and language in ("go", "java", "kotlin"):
            yield from _own_lock_changed(ctx, p, lines)
            if ctx.file.status != ADDED and lock_hints(ctx):
                if language == "go":
                    _ask_go_builtins(ctx, p)
                code = _code_rows(p, lines)
                for line, message in work_under_a_lock(p, {n: t for n, t in lines.items() if n in code},
                                                       reworded_lines(ctx.removed)):
                    yield PRIMITIVE_WEAKENED.finding(ctx.path, line, message, severity="warning")
            if language != "kotlin" and ctx.file.status != ADDED and (base := _base_tree(ctx, language)) is not None:
                for first, last, message in lock_calls_changed(p, base, lines):
                    yield PRIMITIVE_WEAKENED.finding(ctx.path, first, message, last, severity="warning")
            # A channel's capacity passed in or named as a constant: its `make` line says nothing.
            if channel_hints(ctx) and (base := _base_tree(ctx, language)) is not None:
                for line, message in capacity_flows(p, base, lines):
                    yield PRIMITIVE_WEAKENED.finding(ctx.path, line, message, severity="warning")
        if not itself and (loader := loaded_by_a_job(ctx) or scheduled_folder(ctx)):
            yield from _background(ctx, p, lines, side, system, loader)
            continue
        if not itself:  # read only for what a job of another file reaches of it
            # The file's own background code, found though it names no job API (a server's
            # `setInterval`, a fire-and-forget `setTimeout`): a trail starts there, and so its
            # own changed lines are background code too, not only the functions it reaches. Only
            # in a JS file that shows itself a server's (`require`, `module.exports`, Node's
            # modules): a page's or a component's timers run in the browser. Read whether or not
            # another file names a job API: jellyseerr's Plex sync loop was read only once some
            # file of the repository said "cron" (a new user's trial, session 32).
            own = [(first, last) for first, last, _ in regions(p)] if (
                language not in ("javascript", "typescript", "tsx") or server_module(p)) else []
            in_own = any(first <= number - 1 <= last for number in lines for first, last in own)
            elsewhere = jobs_elsewhere(ctx, language)
            if not elsewhere and not in_own:
                continue  # admitted by another gate (DC709's): no job here to reach it
            if elsewhere:
                _prefetch_reached(ctx, p, lines)
            if in_own or (elsewhere and any(_reached_by(ctx, p, number - 1) for number in lines)):
                # else the other side is never parsed
                yield from _background(ctx, p, lines, side, system, by_path)
            elif note := _not_followed(ctx, p, lines, side):
                # Not "nothing here": a trail from a job could not be looked for. Said, not flagged.
                yield note
            continue
        # A module a job loads, or a task folder's, that names a job API itself but defines no job
        # (a `tasks/` module with an unawaited async call) is still the job's as a whole, as a job
        # folder's helper is.
        whole = by_path or (not regions(p) and (loaded_by_a_job(ctx) or scheduled_folder(ctx)))
        yield from _background(ctx, p, lines, side, system, whole)
        if side == "head" and language in ("go", "java", "kotlin") and b"temporal" in p.source:
            yield from _nondeterministic(ctx, p, language, lines)
        yield from _lua_in_strings(ctx, p, lines, side)
        if side == "head" and language in CHECK_ACT_LANGUAGES and transaction_block_hints(ctx):
            # A Ruby method of the repository that enqueues counts as an enqueue (openfoodnetwork's
            # `WebhookService.create_webhook_job` inside the transaction of the job opening an order
            # cycle: a new user's trial).
            helpers = _used_producers(ctx)[0] if language == "ruby" and producer_hints(ctx) else {}
            if helpers or in_transaction_hints(ctx):
                for line, message in enqueued_in_transaction(p, lines, helpers):
                    yield ENQUEUED_IN_TRANSACTION.finding(ctx.path, line, message)
        if side == "head" and language in ("javascript", "typescript", "tsx") and ctx.file.status != ADDED:
            base = parsed(ctx, "base", language)
            if isinstance(base, Parsed):
                for line, message in pipelined(p, base, lines):
                    yield CONTINUATION_HOISTED.finding(ctx.path, line, message)
        if side == "head" and language == "go":
            for line, message in unguarded_map_writes(p, lines, _named_in_package(ctx, p)) + unguarded_rand_draws(p, lines):
                yield UNGUARDED_MAP_WRITE.finding(ctx.path, line, message)
        if side == "head" and language == "ruby" and b"@" in p.source and not _RUN_ONCE_RUBY.search(ctx.path):
            for line, message in new_in_head(ruby_class_state_writes, p, lines, lambda: _base_tree(ctx, language)):
                yield UNGUARDED_MAP_WRITE.finding(ctx.path, line, message)
        if side == "head" and language == "java" and b"volatile" in p.source:
            code = _code_rows(p, lines)
            for line, message in volatile_uses(p, {n: t for n, t in lines.items() if n in code}, reworded_lines(ctx.removed)):
                yield PRIMITIVE_WEAKENED.finding(ctx.path, line, message, severity="warning")
        if side == "head" and language == "java":
            for line, message in unsafe_static_writes(p, lines):
                yield UNGUARDED_MAP_WRITE.finding(ctx.path, line, message)
            for line, message in new_in_head(concurrent_map_check_then_put, p, lines,
                                             lambda: _base_tree(ctx, language)):
                yield CHECK_THEN_ACT.finding(ctx.path, line, message)


# Ruby run once, by one process: a schema migration's `def self.up`, a maintenance script.
_RUN_ONCE_RUBY = re.compile(r"(?:^|/)(?:db/migrate|script)/")
_COMMENT_LINE = re.compile(r"^\s*(?://|#|\*|/\*)")


def _lock_wrappers(ctx):
    """DC704 for a call of one of the project's `lock_wrappers` (.deploycheck/config.yaml) added
    (a warning) or removed while the file now calls it fewer times (high); of a helper of the
    file's own that takes a lock around what it runs (``own_lock_helpers``), removed (high). Portainer's handlers
    run their read-modify-writes in `DataStore.UpdateTx(…)`; named there, its removal is a lock's
    (a new user's trial, session 33: the setting was read by the Python rules only). loomio's
    `with_demo_queue_lock` takes `pg_advisory_lock` and yields: its removal is one too, unnamed
    (a new user's trial, session 39)."""
    configured = tuple(ctx.settings.lock_wrappers)
    own = {} if language_of_file(ctx) not in OWN_HELPER_LANGUAGES else \
        {**own_lock_helpers(ctx, "base"), **own_lock_helpers(ctx, "head")}
    own = {name: lock for name, lock in own.items() if name not in configured}
    if configured:
        yield from _wrapper_calls_changed(ctx, configured, lambda name: (
            f"`{name}`, which .deploycheck/config.yaml names a lock or transaction helper (`lock_wrappers`), is"))
    if own:
        yield from _wrapper_calls_changed(ctx, tuple(own), lambda name: (
            f"`{name}`, a helper of this file that takes a lock (`{own[name]}`) around what it is handed, is"), own=True)


def _locked_accessors(ctx):
    """DC704 for a Go field read swapped for the method that reads it under its lock, or back
    (rules/trees/accessors.py); the method is looked for in the file's package at head."""
    import posixpath

    from ...git import gitcmd
    from .accessors import accessor_findings, held_at, method_body, swaps

    hunks = [({line.number: line.text for line in h.removed}, {line.number: line.text for line in h.added})
             for h in ctx.file.hunks if h.removed and h.added]
    candidates = swaps(hunks)
    repo = ctx.repo
    if not candidates or repo is None:
        return
    folder = posixpath.dirname(ctx.path)

    def find(method: str) -> str | None:
        key = ("trees.accessor", folder, method)
        memo = scan_memo(ctx)
        if key not in memo:
            memo[key] = None
            listing = gitcmd.run(["grep", "-l", "-E", rf"^func \([^)]*\) {re.escape(method)}\(\)", repo.head_sha, "--",
                                  f"{folder}/*.go" if folder else "*.go"], repo.root, check=False)
            for hit in listing.stdout.decode("utf-8", "surrogateescape").splitlines():
                path = hit.partition(":")[2]
                if posixpath.dirname(path) != folder or path.endswith("_test.go"):
                    continue
                source = repo.read_blob(f"{repo.head_sha}:{path}")
                body = method_body(source.decode("utf-8", "replace"), method) if source is not None else None
                if body is not None:
                    memo[key] = body
                    break
        return memo[key]

    head = (ctx.head_text() or "").splitlines()
    for severity, line, message in accessor_findings(candidates, find, lambda at, receiver, lock: held_at(head, at, receiver, lock)):
        yield PRIMITIVE_WEAKENED.finding(ctx.path, line, message, severity=severity)


def _wrapper_calls_changed(ctx, names: tuple[str, ...], told, own: bool = False):
    """DC704 for calls of the lock helpers ``names`` added or removed; ``told`` opens the message."""
    def calls(text: str | None) -> Counter:
        """How often each wrapper is called in one side's whole text (read once per side)."""
        return Counter(name for _, name in lock_wrapper_calls(ctx, dict(enumerate((text or "").splitlines())), names, own))

    added = lock_wrapper_calls(ctx, {n: t for n, t in ctx.added.items() if not _COMMENT_LINE.match(t)}, names, own)
    removed = lock_wrapper_calls(ctx, {n: t for n, t in ctx.removed.items() if not _COMMENT_LINE.match(t)}, names, own)
    if not added and not removed:
        return
    head, base = calls(ctx.head_text()), calls(ctx.base_text())
    fewer = {name for _, name in removed if head[name] < base[name]}
    more = {name for _, name in added if head[name] > base[name]}
    for line, name in added if not own else ():  # an own helper's new call: the lock's own rules read the helper
        if name in more:
            more.discard(name)
            yield PRIMITIVE_WEAKENED.finding(ctx.path, line, (
                f"{told(name)} called here now: what runs inside it is serialised, and callers may wait or deadlock."),
                severity="warning")
    for line, name in removed:
        if name in fewer:
            fewer.discard(name)
            yield PRIMITIVE_WEAKENED.finding(ctx.path, line, (
                f"{told(name)} no longer called here: the code it protected may now race when requests, goroutines "
                "or workers run at the same time."), side="base", severity="high")


def _go_package_gone(ctx) -> bool:
    """A deleted Go file whose package (its folder) the head no longer has and no Go file of the
    head imports: nothing can run what it held. OpenList deleted an unused FUSE stub whose `Release`
    method the search had matched, by name, to a semaphore's in an upload goroutine (apps-q)."""
    if ctx.repo is None or ctx.file.status != DELETED or "/" not in ctx.path:
        return False
    from ...git import gitcmd

    folder = ctx.path.rpartition("/")[0]
    memo = scan_memo(ctx)
    if ("trees.go-package-gone", folder) in memo:
        return memo[("trees.go-package-gone", folder)]
    root, head = ctx.repo.root, ctx.repo.head_sha
    gone = not gitcmd.run(["ls-tree", "--name-only", head, "--", folder + "/"], root, check=False).stdout.strip()
    if gone:
        parts, module = folder.split("/"), None
        for depth in range(len(parts) - 1, -1, -1):  # the nearest go.mod above names the module
            manifest = ctx.repo.read_blob(f"{head}:" + "/".join(parts[:depth] + ["go.mod"]))
            if manifest is not None:
                declared = declared_names("go.mod", manifest)
                module = "/".join([declared[0].strip('"'), *parts[depth:]]) if declared else None
                break
        gone = module is not None and gitcmd.run(
            ["grep", "-l", "-F", f'"{module}"', head, "--", "*.go"], root, check=False).returncode == 1
    memo[("trees.go-package-gone", folder)] = gone
    return gone


def _sql_file(ctx):
    """DC716 in a `.sql` file: its added lines on the head, and the lines of hunks that only remove
    on the base (a `for update skip locked` dropped from a scheduled function)."""
    removed_only = {line.number: line.text for hunk in ctx.file.hunks if not hunk.added for line in hunk.removed}
    for side, lines, text in (("head", ctx.added, ctx.head_text), ("base", removed_only, ctx.base_text)):
        source = text() if lines else None
        if source is not None:
            for first, last, message in sql_file_job_changes(source, lines, _job_callers_elsewhere(ctx, source)):
                yield DATABASE_JOB_SQL_CHANGED.finding(ctx.path, first, message, last, side=side)


# Job SQL in other files is looked for in this many at most (the files that call pg_cron's
# scheduler: a handful of migrations in an application that uses it).
MAX_JOB_SQL_FILES = 200


def _job_callers_elsewhere(ctx, text: str) -> dict[str, str]:
    """The database functions ``text`` defines that pg_cron calls run in another file of the
    repository at head (a later migration replacing the function an earlier one scheduled), by
    lower-case name, with where. One `git grep` per scan, and only for a file that defines one."""
    defined = defined_functions(text)
    if not defined or ctx.repo is None:
        return {}
    memo = scan_memo(ctx)
    if "trees.job-callers" not in memo:
        from ...git import gitcmd
        from ..paths import is_test_or_doc

        found_in: list[tuple[str, list]] = []
        dropped: Counter[str] = Counter()
        paths = gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, ["cron.schedule", "cron.alter_job", "cron.unschedule"],
                                  ignore_case=True, what="pg_cron schedules")
        for path in [path for path in paths if not is_test_or_doc(path)][:MAX_JOB_SQL_FILES]:
            data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
            if data is None or len(data) > MAX_PARSE_BYTES:
                continue
            text, sql = data.decode("utf-8", "replace"), is_sql_file(path)
            found_in.append((path, schedules(text, sql)))
            if sql:  # a migration has no way back: its unschedule stands (a code file's may be a `down`'s)
                dropped.update(unscheduled(text))
        made = Counter(schedule.job for _path, listed in found_in for schedule in listed if schedule.job)
        callers: dict[str, tuple[str, int]] = {}
        for path, listed in found_in:
            for schedule in listed:
                if schedule.job is not None and dropped[schedule.job] >= made[schedule.job]:
                    continue  # unscheduled as often as it was scheduled: no job runs it now
                for name in schedule.calls:
                    callers.setdefault(name, (path, schedule.line))
        memo["trees.job-callers"] = callers
    found: dict[str, tuple[str, int]] = memo["trees.job-callers"]
    return {name: f"the pg_cron schedule at {found[name][0]}:{found[name][1]}" for name in defined
            if name in found and found[name][0] != ctx.path}


def _named_in_package(ctx, p: Parsed) -> frozenset[str]:
    """The methods DC706 would pass over as called only while building their value
    (sharedmap.construction_only) that another non-test file of the file's Go package (its
    folder) names: a call there may come once the value is shared. A name too common to look
    up counts as named there, as does every name when there is no repository to ask."""
    from .naming import files_naming

    names = sorted({name for _kind, name in construction_only(p)})
    if not names:
        return frozenset()
    if ctx.repo is None:
        return frozenset(names)
    folder = ctx.path.rpartition("/")[0]
    memo = scan_memo(ctx)
    return frozenset(name for name, paths in files_naming(ctx, "go", names).items()
                     if ("trees.common", "go", name) in memo
                     or any(path != ctx.path and path.rpartition("/")[0] == folder for path in paths))


def _producer(ctx, p: Parsed, lines: dict[int, str]):
    """Ruby code that enqueues a job changed (rules/trees/producer.py), in any application:
    requests and jobs alike start jobs."""
    base = _base_tree(ctx, "ruby")
    code = _code_rows(p, lines)
    known, alternatives = _used_producers(ctx)
    for first, last, message in producer_changes(p, base, lines, code, known, alternatives, ctx.path):
        yield PRODUCER_CHANGED.finding(ctx.path, first, message, last)


def _used_producers(ctx) -> tuple[dict[str, tuple[str, int, str]], dict[str, list[tuple[str, int, str]]]]:
    """The Ruby producer methods of the repository (naming.producers) that this file names, and
    those of them more than one file's method bears; once per file."""
    from .naming import files_naming, producer_alternatives, producers

    if "trees.used-producers" in ctx.cache:
        return ctx.cache["trees.used-producers"]
    known = producers(ctx) if ctx.repo is not None else {}
    if known:
        # Only names this file uses, and not those too common to tell apart (more than
        # naming.MAX_FILES files name them: `parse` is an HTTP response's as well as a crawler's).
        used = sorted(set(known) & set(re.findall(r"[A-Za-z_]\w*[?!]?", ctx.head_text() or "")))
        named = files_naming(ctx, "ruby", used)
        known = {name: known[name] for name in used if named[name]}
    alternatives = {name: wheres for name, wheres in producer_alternatives(ctx).items() if name in known} if known else {}
    ctx.cache["trees.used-producers"] = (known, alternatives)
    return known, alternatives


def _base_tree(ctx, language: str) -> Parsed | None:
    """The base side's tree when the file was there and parses, else None."""
    base = parsed(ctx, "base", language) if ctx.file.status != ADDED else None
    return base if isinstance(base, Parsed) else None


def _added_code(ctx, language: str) -> dict[int, str]:
    """The added lines less those only realigned (rules/realigned.py): a formatter's spacing
    (nakama's `x = ""  // …` -> `x = "" // …` in a function that retries transactions) changes
    no behaviour. Lua is left whole (its comments are not C's)."""
    same = _realigned_rows(ctx, "head", language)
    return {n: text for n, text in ctx.added.items() if n not in same} if same else ctx.added


def _realigned_rows(ctx, side: str, language: str) -> frozenset[int]:
    """The changed lines of ``side`` only realigned or re-commented (rules/realigned.py), lexed
    as Ruby or as C-like code; none for Lua, whose comments are neither."""
    return frozenset() if language == "lua" else realigned(ctx, side, "ruby" if language == "ruby" else "c")


def _removed_code(ctx) -> dict[int, str]:
    """The removed lines less those only realigned (Java and Kotlin: rules/realigned.py)."""
    same = realigned(ctx, "base", "c")
    return {n: text for n, text in ctx.removed.items() if n not in same} if same else ctx.removed


def _code_rows(p: Parsed, lines: dict[int, str]) -> set[int]:
    """The changed lines that hold code: not blank outside strings, not only a comment."""
    return {n for n, text in lines.items() if not _blank_outside_strings(p, n, text) and not _comment_only(p, n, text)}


def _queue_producer(ctx, p: Parsed, lines: dict[int, str]):
    """JS/TS or Go code that hands work to a job queue changed (rules/trees/jsproducer.py, with
    rules/trees/goproducer.py's enqueues for Go)."""
    from .goproducer import go_enqueue
    from .jsproducer import _enqueue, producer_changes

    base = _base_tree(ctx, p.language)
    code = _code_rows(p, lines)
    # Lines only removed touch the head where they were (`jobId: …` dropped from a wrapped call).
    code |= {h.new_start + d for h in ctx.file.hunks if h.new_count == 0 for d in (0, 1)}
    for first, last, message in producer_changes(p, base, code, go_enqueue if p.language == "go" else _enqueue):
        yield PRODUCER_CHANGED.finding(ctx.path, first, message, last)


def _floating(ctx, p: Parsed, lines: dict[int, str]):
    """JS/TS: a new call of the file's async function whose promise is dropped (rules/trees/floating.py)."""
    from .floating import floating_calls, imported_async
    from .reach import head_tree

    if runs_in_page(p):  # an Angular component's `this.load()`: the page's work, one user's
        return

    def read(path: str) -> Parsed | None:
        # A missing candidate (`./m` tried as `./m.ts`, `./m.js`, …) costs no share of the
        # search's parse budget; each path is looked for once per scan, whichever file imports it.
        key = ("trees.imported-module", path)
        memo = scan_memo(ctx)
        if key not in memo:
            found = ctx.repo is not None and ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}") is not None
            memo[key] = head_tree(ctx, path) if found else None
        return memo[key]

    imported = imported_async(p, ctx.path, read)
    for line, message in floating_calls(p, _base_tree(ctx, p.language), _code_rows(p, lines), imported):
        yield UNAWAITED_ASYNC_CALL.finding(ctx.path, line, message)


# --- DC713 ------------------------------------------------------------------------------------


def _temporal_options(ctx, language: str):
    """Temporal's timeouts, retries, task queues and worker concurrency changed (rules/trees/
    temporal.py), in a file that existed before and uses Temporal on either side; once per
    file, before the sides are read one by one (a removed setting may be all that changed)."""
    from .temporal import CONSEQUENCES, HINTS, REMOVED, options_changed, uses_temporal

    if language not in ("javascript", "typescript", "tsx", "go", "java", "kotlin") or ctx.file.status != MODIFIED:
        return
    changed = ctx.changed_lower()
    if not any(h.encode() in changed for h in HINTS):
        return
    head, base = parsed(ctx, "head", language), parsed(ctx, "base", language)
    if not isinstance(head, Parsed) or not isinstance(base, Parsed):
        return  # the sides' own DC703 says so
    if not uses_temporal(head.source) and not uses_temporal(base.source):
        return
    said: set[tuple[str, int]] = set()
    for side, line, kind, name, old, new in options_changed(head, base, set(ctx.added), set(ctx.removed)):
        if (side, line) in said:
            continue  # `retry: { maximumAttempts: 5 }`: the innermost setting of the line speaks for it
        said.add((side, line))
        if old is not None and new is not None:
            message = f"Temporal setting {name} changed from {_shown(old)} to {_shown(new)} in {ctx.path}: {CONSEQUENCES[kind]}."
        elif new is not None:
            message = f"Temporal setting {name} set to {_shown(new)} in {ctx.path}: {CONSEQUENCES[kind]}."
        elif not uses_temporal(head.source):
            # The file no longer uses Temporal at all: no SDK default applies here (a new user's
            # trial, session 24, read "the workflow's own task queue now applies" of a service that
            # had moved to Kafka).
            message = (f"Temporal setting {name} (was {_shown(old or '')}) removed from {ctx.path}, which no longer "
                       "uses Temporal: the work it configured is not started or run through Temporal from here any "
                       "more. Say in the checklist what runs it now, and what happens to workflows and activities "
                       "already queued or running when this is deployed.")
        else:
            message = f"Temporal setting {name} (was {_shown(old or '')}) removed from {ctx.path}: {REMOVED[kind]}."
        yield ACTIVITY_OPTIONS_CHANGED.finding(ctx.path, line, message, side=side)


def _nondeterministic(ctx, p: Parsed, language: str, lines: dict[int, str]):
    """DC714: what a Go or Java/Kotlin workflow must not call, on its added lines."""
    from .temporal import nondeterministic

    for line, call, instead in nondeterministic(p, _base_tree(ctx, language), set(lines), regions(p)):
        yield WORKFLOW_NONDETERMINISM.finding(
            ctx.path, line,
            f"{call} in a Temporal workflow in {ctx.path}: it gives another answer when the workflow is replayed "
            f"(after a restart or this deploy), so running workflows can fail with a non-determinism error; "
            f"use {instead}.")


def _shown(value: str) -> str:
    """A value as written, on one line and short, in a code span."""
    return f"`{shown_code(value, 60)}`"


# --- DC710, DC711 -----------------------------------------------------------------------------


def _beans(ctx, p: Parsed, language: str):
    """Spring beans' shared fields and shutdown hooks (rules/trees/beans.py), in any application:
    requests share a singleton and every deploy stops it, jobs or not."""
    singleton, shutdown, pools = singleton_hints(ctx), shutdown_hints(ctx), pool_hints(ctx)
    if not singleton and not shutdown and not pools:
        return
    base = _base_tree(ctx, language)
    if singleton:
        for first, last, message in singleton_state(p, base, ctx.added):
            yield SINGLETON_STATE_CHANGED.finding(ctx.path, first, message, last)
    if shutdown:
        code = (_code_rows(p, _added_code(ctx, language)), _code_rows(base, _removed_code(ctx)) if base is not None
                else set(ctx.removed))
        for side, first, last, message in shutdown_changed(p, base, ctx.added, ctx.removed, code):
            yield SHUTDOWN_HOOK_CHANGED.finding(ctx.path, first, message, last, side=side)
    if pools:
        for side, first, last, message in pool_lifecycle(p, base, ctx.added):
            yield SHUTDOWN_HOOK_CHANGED.finding(ctx.path, first, message, last, side=side)


# --- DC701 ------------------------------------------------------------------------------------


# Lines inside these run nothing (Java and Kotlin imports and package lines only name types).
_INERT = {"java": {"import_declaration", "package_declaration"}, "kotlin": {"import_header", "import_list",
                                                                            "package_header"}}


def _bindings(p: Parsed, node) -> set[tuple]:
    """The names an import statement binds: (local names, what is bound). A JS specifier binds a
    local name to one export of a module; a Go import binds its package name (the explicit one,
    or the spellings ``go_package_names`` gives an unnamed import) to an import path."""
    from .machinery import go_package_names

    out: set[tuple] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if p.language == "go" and n.type == "import_spec":
            name, path = n.child_by_field_name("name"), n.child_by_field_name("path")
            target = p.text(path).strip('"`') if path is not None else p.text(n)
            if name is None:
                out.add((frozenset(go_package_names(target)), target))
            elif p.text(name) not in ("_", "."):
                out.add((frozenset({p.text(name)}), target))
            continue
        if p.language in ("javascript", "typescript", "tsx") and node.type == "import_statement":
            source = node.child_by_field_name("source")
            where = p.text(source).strip("'\"`") if source is not None else ""
            if n.type == "import_specifier":
                name, alias = n.child_by_field_name("name"), n.child_by_field_name("alias")
                out.add((frozenset({p.text(alias or name)}), where, p.text(name)))
                continue
            if n.type == "namespace_import" or (n.type == "identifier" and n.parent is not None
                                                and n.parent.type == "import_clause"):
                out.add((frozenset({p.text(n).split()[-1]}), where, "*" if n.type == "namespace_import" else "default"))
                continue
        stack.extend(n.children)
    return out


def _used_outside(p: Parsed, names: set[str], skip: set[int]) -> bool:
    """Whether any of ``names`` occurs as an identifier on a row (1-based) not in ``skip``."""
    stack = [p.root]
    while stack:
        n = stack.pop()
        if n.start_point[0] + 1 in skip and n.end_point[0] + 1 in skip:
            continue
        if n.child_count == 0 and "identifier" in n.type and p.text(n) in names and n.start_point[0] + 1 not in skip:
            return True
        stack.extend(n.children)
    return False


def _imports(p: Parsed) -> tuple[list, list[str]]:
    """The file's top-level import statements and what of them runs: the modules they load, in
    the order loaded (Ruby `require`/`require_relative` of a plain string, JS/TS `import … from`
    other than `import type`, which the compiler erases), or Go's blank and dot imports, sorted
    (since Go 1.21 packages initialise in import-path order). What an import only names (a JS
    specifier, a Go named import, which the compiler requires the file to use) shows where it is
    used, in the units that are judged themselves."""
    nodes, runs = [], []
    for child in p.root.children:
        if p.language == "go" and child.type == "import_declaration":
            nodes.append(child)
            stack = [child]
            while stack:
                n = stack.pop()
                if n.type == "import_spec":
                    name = n.child_by_field_name("name")
                    if name is not None and p.text(name) in ("_", "."):
                        runs.append(p.text(n))
                else:
                    stack.extend(n.children)
        elif p.language in ("javascript", "typescript", "tsx") and child.type == "import_statement":
            nodes.append(child)
            if not any(c.type == "type" for c in child.children) and not _type_only_import(p, child):
                source = child.child_by_field_name("source") or next(
                    (c for c in child.children if c.type == "string"), None)
                runs.append(p.text(source).strip("'\"`") if source is not None else p.text(child))
        elif p.language == "ruby" and child.type == "call":
            method, args = child.child_by_field_name("method"), child.child_by_field_name("arguments")
            if (method is not None and p.text(method) in ("require", "require_relative") and args is not None
                    and child.child_by_field_name("receiver") is None and len(args.named_children) == 1
                    and args.named_children[0].type == "string" and "interpolation" not in {
                        c.type for c in args.named_children[0].children}):
                nodes.append(child)
                runs.append(p.text(method) + " " + p.text(args.named_children[0]).strip("'\""))
    return nodes, (sorted(runs) if p.language == "go" else runs)


# TypeScript erases an import whose names the file uses only as types, as it erases `import type`
# (linkwarden's worker moved its types' import to `@linkwarden/types/global`, a new user's trial,
# session 37: flagged in the one file that annotated a local with them, not in the others). A name
# read as a value anywhere (`new Link()`, `{ Link }`, `export { Link }`, JSX) keeps its import.
_TS_VALUE_NAMES = frozenset({"identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern"})


def _ts_type_only(p: Parsed) -> frozenset[str]:
    """The names the file's TypeScript imports bind that it uses nowhere as a value."""
    if p.language not in ("typescript", "tsx"):
        return frozenset()
    memo = p.memo.get("detect.ts-type-only")
    if memo is None:
        statements = [c for c in p.root.children if c.type == "import_statement"]
        bound = {name for node in statements for names, *_ in _bindings(p, node) for name in names}
        spans = [(c.start_byte, c.end_byte) for c in statements]
        values = {p.text(n) for n in nodes_of(p, _TS_VALUE_NAMES)
                  if not any(a <= n.start_byte < b for a, b in spans)} if bound else set()
        memo = p.memo["detect.ts-type-only"] = frozenset(bound - values)
    return memo


def _type_only_import(p: Parsed, statement) -> bool:
    """Whether a TypeScript import statement binds names and every one is used only as a type."""
    if p.language not in ("typescript", "tsx"):
        return False
    bound = {name for names, *_ in _bindings(p, statement) for name in names}
    return bool(bound) and bound <= _ts_type_only(p)


def _inert_rows(p: Parsed, other: Parsed | None = None, changed: set[int] = frozenset()) -> set[int]:  # type: ignore[assignment]
    """Changed rows that run nothing: Java/Kotlin package and import lines, and the import
    statements of a file whose imports still load the same modules (``_imports``) and bind every
    name that unchanged lines (rows not in ``changed``) use as before: a name bound to another
    export or package, or bound or unbound by the branch, changes what those lines call."""
    rows: set[int] = set()
    kinds = _INERT.get(p.language, set())
    for child in p.root.children:
        if child.type in kinds:
            rows.update(range(child.start_point[0] + 1, child.end_point[0] + 2))
    if other is not None and p.language in ("go", "javascript", "typescript", "tsx", "ruby"):
        nodes, runs = _imports(p)
        theirs, their_runs = _imports(other)
        if nodes and runs == their_runs:
            mine = {b for node in nodes for b in _bindings(p, node)}
            differ = mine ^ {b for node in theirs for b in _bindings(other, node)}
            names = {name for binding in differ for name in binding[0]} - (_ts_type_only(p) & _ts_type_only(other))
            import_rows = {r for node in nodes for r in range(node.start_point[0] + 1, node.end_point[0] + 2)}
            if names and _used_outside(p, names, set(changed) | import_rows):
                return rows
            for node in nodes:
                rows.update(range(node.start_point[0] + 1, node.end_point[0] + 2))
    return rows


def _blank_outside_strings(p: Parsed, number: int, text: str) -> bool:
    """A blank changed line carries no token, unless it sits inside a string (a Lua script, say)."""
    if text.strip():
        return False
    node = p.root.descendant_for_point_range((number - 1, 0), (number - 1, 0))
    while node is not None:
        if node.type in STRING_LITERALS:
            return False
        node = node.parent
    return True


def _comment_only(p: Parsed, number: int, text: str) -> bool:
    """Whether changed line ``number`` holds nothing but (part of) a comment that changes nothing
    that runs (not a directive)."""
    if is_directive(text, p):
        return False
    raw = text.encode("utf-8", "surrogateescape")
    start, end = len(raw) - len(raw.lstrip()), len(raw.rstrip())
    if start >= end:
        return False
    node = p.root.descendant_for_point_range((number - 1, start), (number - 1, end))
    return node is not None and "comment" in node.type


def _scope_name(p: Parsed, number: int, text: str) -> str | None:
    """The name of the Rails scope (`scope :name, ...`) around changed line ``number``, if any.
    A scope builds a query: it reads, and whether that matters depends on who runs it."""
    if p.language != "ruby":
        return None
    raw = text.encode("utf-8", "surrogateescape")
    col = len(raw) - len(raw.lstrip())
    node = p.root.descendant_for_point_range((number - 1, col), (number - 1, col))
    while node is not None:
        if node.type == "call":
            method, args = node.child_by_field_name("method"), node.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if method is not None and p.text(method) == "scope" and first is not None and first.type == "simple_symbol":
                return p.text(first).lstrip(":")
        node = node.parent
    return None


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[?!]?")


def _called_only_by_people(ctx, name: str) -> bool:
    """Whether every file at head that names ``name``, other than the file defining it and
    tests or docs, is web UI or dashboard code (``NOT_WORKER_CODE``): then what it defines
    serves people, not workers, like the UI itself. A name nothing else mentions may be called
    by the users of the job system: not UI code."""
    repo = ctx.repo
    if repo is None or not _WORD.fullmatch(name):
        return False
    memo = scan_memo(ctx)
    key = ("trees.named-by", name)
    if key not in memo:
        from ...git import gitcmd

        memo[key] = gitcmd.grep_files(repo.root, repo.head_sha, [name], words=True, what=f"the users of `{name}`")
    from ..paths import is_test_or_doc

    callers = [path for path in memo[key] if path != ctx.path and not is_test_or_doc(path)]
    return bool(callers) and all(NOT_WORKER_CODE.search(path) for path in callers)


def _background(ctx, p: Parsed, lines: dict[int, str], side: str, system: str | None, by_path: bool | str):
    """``by_path``: the file is background code as a whole, for the reason given (True: it is
    in `job_paths`)."""
    whole = None
    # An application's code outside background regions may still run in a job of another file.
    follow_calls = system is None and ctx.repo is not None and p.language != "lua"
    if system and NOT_WORKER_CODE.search(ctx.path) and ctx.file.old_path == ctx.file.new_path:
        # Only a web file that was already there: code added or moved into such a folder by the
        # branch is still background code (a folder name must not be a way around the rule).
        system = None
    if system and ctx.file.old_path == ctx.file.new_path and example_code(ctx.path):
        # Example programs of the job system are its users' code, not its own: read them like an
        # application's (a file added or moved there by the branch stays the job system's).
        system = None
    if system and uninstalled_script(ctx.settings, ctx.path):
        # Scripts of the repository that the package never installs (load tests, benchmarks)
        # are read like an application's code: background where they define jobs.
        system = None
    other = parsed(ctx, "base" if side == "head" else "head", p.language) if ctx.file.status != ADDED else None
    inert = _inert_rows(p, other if isinstance(other, Parsed) else None, set(lines))
    lines = {n: t for n, t in lines.items() if n not in inert and not _blank_outside_strings(p, n, t)}
    if system:
        whole = f"source of the job system {system}, this repository"
        # A query scope the repository uses only from its web UI serves people, as the UI does.
        names = {n: _scope_name(p, n, t) for n, t in lines.items()}
        people = {name for name in set(names.values()) if name and _called_only_by_people(ctx, name)}
        lines = {n: t for n, t in lines.items() if names[n] not in people}
    elif by_path:
        whole = by_path if isinstance(by_path, str) else JOB_PATHS_CODE
    elif (folder := job_folder_code(ctx.path, p.source)) and not NOT_WORKER_CODE.search(ctx.path) and (
            not regions(p) or job_route(ctx.path)):
        # A helper kept next to the jobs: all of it is theirs. A file that defines jobs itself is
        # read by its regions, as anywhere else; not the route jobs are posted to, which runs whole.
        whole = folder
    # A class new on the head (in a new file or beside others): its @Scheduled or listener methods
    # are new background code themselves, and its declaration says nothing more; the header is a
    # region only of a class that was there (a `@Component` taken away or added).
    # A Go job folder's file that defines jobs is read by its regions; its package-level
    # declarations (goatcounter's table of cron tasks with their intervals, an interval constant)
    # are how those jobs run, and are the folder's code.
    folder_top = job_folder_code(ctx.path, p.source) if not whole and p.language == "go" \
        and not NOT_WORKER_CODE.search(ctx.path) else None
    spans = [] if whole else [s for s in regions(p) if not (
        side == "head" and s[2].startswith(CLASS_HEADER) and _new_class(p, other, s[0]))]
    if not whole and not spans and not follow_calls:
        return
    if not whole and follow_calls:
        _prefetch_reached(ctx, p, [n for n in lines if not any(s[0] <= n - 1 <= s[1] for s in spans)])
    groups: dict[str, list] = {}
    unreached: dict[int, str] = {}  # the changed lines no trail reached
    for number in sorted(lines):
        row = number - 1
        job, trail = None, None  # as data, beside the words (Finding.job, Finding.trail)
        if whole:
            what = whole
        else:
            inside = [s for s in spans if s[0] <= row <= s[1]]
            readers = [] if inside else _regions_reading_rebound(ctx, p, row, spans)
            if inside or readers:
                span = min(inside or readers, key=lambda s: s[1] - s[0])
                job = job_of(p, ctx.path, span)
                what = span[2] if inside else _read_by(job)
            elif folder_top and not any(c.type in FUNCTIONS and not _go_init(c, p) for c in units_at(p, row)):
                what = folder_top
            else:
                by = _reached_by(ctx, p, row) if follow_calls else None
                if by is None:
                    unreached[number] = lines[number]
                    continue
                what, data = by
                if data is not None:
                    job, trail = data
        for chain in chains_at(p, row):
            key = qualname(chain, p)
            if key not in groups:
                groups[key] = [chain[-1] if chain else None, what, [], shown_name(chain, p), job, trail]
            if number not in groups[key][2]:
                groups[key][2].append(number)
    machinery = system if system is not None and whole is not None and p.language in MACHINERY_LANGUAGES else None
    regions_here = regions(p) if machinery else []
    found = list(_judged(ctx, p, side, groups, lines, machinery, regions_here))
    if follow_calls and unreached and (note := _not_followed(ctx, p, unreached, side)):
        found.append(note)
    # One finding per line is kept: when units share a line, the one that is flagged speaks for it.
    first_line: dict[int, int] = {}
    for f in found:
        first_line.setdefault(f.line, len(first_line))
    yield from sorted(found, key=lambda f: (first_line[f.line], f.severity == "info"))


def _new_class(p: Parsed, base, row: int) -> bool:
    """Whether the class declared on the head's ``row`` is not in ``base`` (absent: a new file)."""
    return not isinstance(base, Parsed) or qualname(units_at(p, row), p) not in all_units(base)


def _signature_only(node) -> bool:
    """A Java/Kotlin method or TS method signature without a body."""
    return node.type in ("method_declaration", "function_declaration", "method_signature",
                         "abstract_method_signature") and node.child_by_field_name("body") is None and not any(
        c.type in ("function_body", "block") for c in node.children)


# A data-access interface's method whose body the framework writes from its annotation: Room's
# and Spring Data's `@Query("UPDATE …")`, `@Insert`, `@Delete`, `@Modifying`, MyBatis's `@Update`.
# What runs is the annotation's SQL (nextcloud's `FileSystemDao.markFileAsUploaded`, which the
# auto-upload worker calls, lost a WHERE clause with "Nothing flagged": a new user's trial,
# session 40).
_GENERATED_FROM = re.compile(r"@(?:[\w.]+\.)?(?:Query|RawQuery|Insert|Update|Upsert|Delete|Modifying|Select|Procedure"
                             r"|SqlQuery|SqlUpdate|Transaction)\b")


def _runs_its_annotation(node, p: Parsed) -> bool:
    """Whether a Java/Kotlin method without a body is one whose annotation the framework runs."""
    if p.language not in ("java", "kotlin"):
        return False
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    return modifiers is not None and _GENERATED_FROM.search(p.text(modifiers)) is not None


def _followed_names(ctx, p: Parsed, row: int):
    """The names rules/trees/reach.py follows for the units around ``row``, innermost last; an
    abstract or interface method has none: nothing of it runs. A name the module binds at its top
    level to a value (a Go constant or variable, a JS/TS `require` or `import`) and that the other
    side binds to something else is followed through the functions of its file that use it (for
    Go, of its package's files): its value is theirs (ente's rollout percentage, read by the
    mailer a cron job runs; Wiki.js's `pipeline`, now imported from another module); a JS/TS
    re-export so rebound, by its exported name. A name only added or removed is not: the
    functions that start or stop using it changed themselves."""
    from .reach import exported_function, followed_name, go_package_method, ruby_scope

    for chain in chains_at(p, row):
        if chain and (not _signature_only(chain[-1]) or _runs_its_annotation(chain[-1], p)):
            name = followed_name(chain, p, ctx.path) or ruby_scope(p, row) or go_package_method(chain, p)
            if name:
                yield name
                continue
        elif not chain and (assigned := exported_function(p, row)) is not None:
            yield assigned[0]  # `exports.radius = function (…) {…}`
            continue
        rebound = _rebound_at(ctx, p, row, chain)
        for user in _users_of_top_level(p, rebound):
            name = followed_name(user, p, ctx.path)
            if name:
                yield name
        if p.language == "go" and rebound:
            yield from _package_readers(ctx, rebound)
        if p.language in ("java", "kotlin"):
            # Other classes write a constant's own name (`MailConstants.MAIL_QUEUE_NAME` in a
            # listener's annotation): it is followed as a function's would be.
            yield from (name for name in sorted(rebound) if followable(name))
    # A re-export bound to another module's value (`export { pipeline } from 'stream'`): its
    # users import it from this module, in other files; they are found by its exported name.
    yield from (name for name in _rebound_at(ctx, p, row, [], _reexports) if followable(name))


def _package_readers(ctx, names: frozenset[str]):
    """The followed names of the functions in the other files of a Go package that read any of
    ``names``, package-level names of the changed file: the files of a package share them (a
    constant in `consts.go`, read by the mailer in `warnings.go` that a cron job runs)."""
    from .naming import files_naming
    from .reach import followed_name, head_tree

    if ctx.repo is None:
        return
    folder = ctx.path.rpartition("/")[0]
    paths = {path for found in files_naming(ctx, "go", sorted(names)).values() for path in found
             if path != ctx.path and path.rpartition("/")[0] == folder}
    for path in sorted(paths):
        other = head_tree(ctx, path)
        if other is None:
            continue  # no trail through it: the trail the rule reads without it stays
        for user in _users_of_top_level(other, names):
            name = followed_name(user, other, path)
            if name:
                yield name


def _read_by(job: dict) -> str:
    """What a top-level value is to the background code of its file that reads it: not that code
    itself (a Go constant was called "method of a queue type", session 16's new-user trial)."""
    who = f"`{job['name']}`, " if job.get("name") else ""
    return f"a value read by background code: {who}{job['kind']}, line {job['line']}"


def _regions_reading_rebound(ctx, p: Parsed, row: int, spans: list) -> list:
    """The background regions written at the top level that read a name the declaration on
    ``row`` binds to another value than the base did (`new Worker('mail', handler)` once
    `handler` is imported from another module): no function stands between them to follow."""
    names = _rebound_at(ctx, p, row, units_at(p, row)) if spans else frozenset()
    if not names:
        return []
    bindings = _top_level_bindings(p)
    first, last = min(bindings[n][0] for n in names), max(bindings[n][1] for n in names)
    rows = {n.start_point[0] for n in walk(p.root) if n.type in _NAME_NODES and p.text(n) in names
            and not first <= n.start_point[0] <= last}
    return [s for s in spans if any(s[0] <= r <= s[1] for r in rows)]


def _rebound_at(ctx, p: Parsed, row: int, chain: list, bindings=None) -> frozenset[str]:
    """The names a top-level declaration on the head's ``row`` binds to another value than the
    base binds them to (none for a function's declaration, or in a file one side of which is
    absent); ``bindings`` reads a tree's bindings (``_top_level_bindings`` unless told)."""
    bindings = bindings or _top_level_bindings
    # A class or module around it is no function (a Ruby constant in `class Throttle`).
    if ctx.file.status != MODIFIED or sum(u.type not in CONTAINERS for u in chain) > 1 \
            or p is not parsed(ctx, "head", p.language):
        return frozenset()  # the head's binding is what runs: the base's line says the same again
    mine = bindings(p)
    here = {name for name, (first, last, _value) in mine.items() if first <= row <= last}
    if not here:
        return frozenset()
    other = parsed(ctx, "base", p.language)
    if not isinstance(other, Parsed):
        return frozenset()
    theirs = bindings(other)
    return frozenset(name for name in here if name in theirs and theirs[name][2] != mine[name][2])


def _reexports(p: Parsed) -> dict[str, tuple[int, int, str]]:
    """Each name a JS/TS module re-exports from another (`export { a, b as c } from 'm'`), with
    the rows of the statement and the module and export it stands for."""
    if "detect.reexports" in p.memo:
        return p.memo["detect.reexports"]
    out: dict[str, tuple[int, int, str]] = {}
    for node in p.root.named_children if p.language in _JS else ():
        source = node.child_by_field_name("source") if node.type == "export_statement" else None
        if source is None or any(c.type == "type" for c in node.children):
            continue  # `export type { T } from 'm'` is erased
        for spec in walk(node):
            if spec.type == "export_specifier":
                name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                if name is not None:
                    out[p.text(alias or name)] = (node.start_point[0], node.end_point[0],
                                                  p.text(source).strip("'\"`") + ":" + p.text(name))
    p.memo["detect.reexports"] = out
    return out


def _top_level_bindings(p: Parsed) -> dict[str, tuple[int, int, str]]:
    """Each name the module binds at its top level to a value, with the rows of its declaration
    and what it is bound to: a Go constant's or variable's value, a JS/TS import's module and
    export, a top-level `const`'s value (not a function's: that is followed by its own name)."""
    if "detect.top_level" in p.memo:
        return p.memo["detect.top_level"]
    out: dict[str, tuple[int, int, str]] = {}
    for node in p.root.named_children:
        if node.type == "export_statement" and node.named_children:
            node = node.named_children[-1]
        rows = (node.start_point[0], node.end_point[0])
        if p.language == "go" and node.type in ("const_declaration", "var_declaration"):
            for spec in walk(node):
                if spec.type in ("const_spec", "var_spec"):
                    value = spec.child_by_field_name("value")
                    if value is not None and any(v.type == "composite_literal" for v in value.named_children):
                        # A table of data (photoprism's stop words, country names): its entries
                        # are content the functions look up, not a setting of how they run.
                        continue
                    for name in spec.children_by_field_name("name"):
                        out[p.text(name)] = (spec.start_point[0], spec.end_point[0], p.text(value) if value else p.text(spec))
        elif p.language in _JS and node.type == "import_statement":
            for names, *bound in _bindings(p, node):
                for name in names:
                    out[name] = (*rows, ":".join(bound))
        elif p.language == "ruby" and node.type in ("class", "module", "assignment"):
            out.update(_ruby_constants(p, node))
        elif p.language in ("java", "kotlin"):
            out.update(_jvm_constants(p, node))
        elif p.language in _JS and node.type in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                value, pattern = declarator.child_by_field_name("value"), declarator.child_by_field_name("name")
                if declarator.type != "variable_declarator" or pattern is None \
                        or (value is not None and value.type in _FUNCTION_VALUES):
                    continue
                shown = p.text(value) if value is not None else ""
                for n in walk(pattern):
                    if n.type in ("identifier", "shorthand_property_identifier_pattern"):
                        out[p.text(n)] = (declarator.start_point[0], declarator.end_point[0], shown)
    p.memo["detect.top_level"] = out
    return out


def _ruby_constants(p: Parsed, node) -> dict[str, tuple[int, int, str]]:
    """The constants a Ruby file assigns at its top level or in the bodies of its classes and
    modules (`LIMIT = 5` in `class Throttle`), with the rows and the value. A list or a hash
    (`STATES = %w[pending done]`) is a table of data, as in Go."""
    out: dict[str, tuple[int, int, str]] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "assignment":
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            data = right is not None and (right.type in _RUBY_TABLES or (
                right.type == "call" and (right.child_by_field_name("receiver") or right).type in _RUBY_TABLES))
            if left is not None and left.type == "constant" and right is not None and not data:
                out[p.text(left)] = (n.start_point[0], n.end_point[0], p.text(right))
        elif n.type in ("class", "module", "body_statement"):
            stack.extend(c for c in n.named_children if c.type in ("class", "module", "body_statement", "assignment"))
    return out


def _jvm_constants(p: Parsed, node) -> dict[str, tuple[int, int, str]]:
    """The constants a Java or Kotlin declaration holds, its nested classes' too: a `static`
    field with an initializer, an interface's field, a Kotlin `const val` (vhr's `MailConstants.MAIL_QUEUE_NAME`, read
    by a `@RabbitListener`; a `@Scheduled` class's batch size), and a Kotlin property with an
    initializer at the top level or in an object or companion object (`companion object { val
    TTL = Duration.ofMinutes(5) }`: Kotlin's static field, `const` only for a primitive or a
    string). An array or a collection built in place is a table of data, as in Go; a logger
    (`LoggerFactory.getLogger(…)`) says where lines are logged, not how the code runs."""
    from .jvm import modifiers

    out: dict[str, tuple[int, int, str]] = {}
    # Each node with whether a Kotlin property there is one per program (the top level, an object).
    stack = [(node, True)]
    while stack:
        n, static = stack.pop()
        if n.type in ("field_declaration", "constant_declaration", "property_declaration"):
            mods = modifiers(n)
            words = set(p.text(mods).split()) if mods is not None else set()
            initialized = any(c.type in ("=", "property_delegate") for c in n.children)
            # A static field's initializer is its value from class load on, final or not (Taier's
            # static client cache, whose expiry changed): its readers see the new one.
            constant = (n.type == "constant_declaration" or (n.type == "field_declaration" and "static" in words)
                        or (n.type == "property_declaration" and ("const" in words or (static and initialized))))
            if not constant:
                continue
            declarators = [d for d in n.named_children if d.type in ("variable_declarator", "variable_declaration")]
            value = n.child_by_field_name("value") or next(
                (c for c in reversed(n.named_children) if c.type not in ("modifiers", "variable_declaration")), None)
            for d in declarators:
                named = d.child_by_field_name("name") or next((c for c in d.named_children if c.type == "identifier"), None)
                shown = d.child_by_field_name("value") or (value if n.type == "property_declaration" else None)
                if named is None or shown is None or _jvm_table(p, shown) or _JVM_LOGGERS.search(p.text(shown)):
                    continue
                out[p.text(named)] = (n.start_point[0], n.end_point[0], p.text(shown))
        elif n.type in ("class_declaration", "interface_declaration", "enum_declaration", "object_declaration",
                        "companion_object", "class_body", "interface_body", "enum_body", "enum_body_declarations"):
            # A class's own properties are each object's; an object's, a companion's, one.
            inner = n.type in ("object_declaration", "companion_object") or (static and n.type.endswith("body"))
            stack.extend((c, inner) for c in n.named_children)
    return out


# A logger's initializer: which logger the lines go to.
_JVM_LOGGERS = re.compile(r"^\s*(?:\w+\.)*(?:LoggerFactory|LogManager|Logger|LogFactory|KotlinLogging)\s*\.\s*"
                          r"(?:getLogger|getLog|getFormatterLogger|logger)\b")


_JVM_TABLE_CALLS = re.compile(r"^(?:List|Set|Map|Arrays)\.(?:of|asList|ofEntries)\s*\(|^(?:listOf|setOf|mapOf|arrayOf|mutableListOf|mutableSetOf|mutableMapOf|hashMapOf)\s*\(")


def _jvm_table(p: Parsed, value) -> bool:
    return value.type in ("array_initializer", "array_creation_expression", "collection_literal") \
        or _JVM_TABLE_CALLS.match(p.text(value)) is not None


_RUBY_TABLES = frozenset({"array", "hash", "string_array", "symbol_array"})
_JS = frozenset({"javascript", "typescript", "tsx"})
_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function", "generator_function", "class"})


# The nodes that hold a bound name where it is read: a Ruby constant is a `constant`, a Kotlin
# name a `simple_identifier` in some versions of its grammar.
_NAME_NODES = frozenset({"identifier", "constant", "simple_identifier"})


def _users_of_top_level(p: Parsed, names: frozenset[str]) -> list[list]:
    """The unit chains of the file whose code names any of ``names``."""
    if not names:
        return []
    memo = p.memo.setdefault("detect.top_level_users", {})
    if names not in memo:
        memo[names] = [units_at(p, nodes[0].start_point[0]) for nodes in all_units(p).values()
                       if any(n.type in _NAME_NODES and p.text(n) in names for node in nodes for n in walk(node)
                              if n is not node.child_by_field_name("name"))]
    return memo[names]


def _prefetch_reached(ctx, p: Parsed, lines) -> None:
    """Look for the jobs that reach every changed function of the file in one search."""
    from .reach import prefetch

    prefetch(ctx, p.language, sorted({name for number in lines for name in _followed_names(ctx, p, number - 1)}))


# Constructors run where their class is built (`Alert.new`), and web controllers and UI
# components serve requests: a note on them would say nothing a reader needs.
_NO_NOTE_NAMES = frozenset({"initialize", "constructor", "new", "init"})
_NO_NOTE_PATHS = re.compile(r"(?:^|/)components/", re.IGNORECASE)
# Go's `func main()` of package main runs once when the program starts, and no other package can
# call it: it was "too common a method name to tell its callers apart" (a new user's trial,
# CasaOS). Not Java's or Kotlin's `main`, which any class may call (a Quartz job calling a tool's
# `main`: the red team of session 34).
_GO_MAIN_PACKAGE = re.compile(rb"^package\s+main\b", re.MULTILINE)


def _go_entry_point(unit, p: Parsed) -> bool:
    return p.language == "go" and unit.type == "function_declaration" and bool(_GO_MAIN_PACKAGE.search(p.source))


def _not_followed(ctx, p: Parsed, lines: dict[int, str], side: str):
    """An `info` DC701 at the first changed unit whose callers the search could not look for,
    saying why; None when there is none (or on the base side, or in code that serves people)."""
    from .reach import called_name, not_followed

    if side != "head" or NOT_WORKER_CODE.search(ctx.path) or _NO_NOTE_PATHS.search(ctx.path):
        return None
    code = _code_rows(p, lines)
    # At a line of code: a blank line (a new user's trial saw the marker on one) or a comment
    # (ActivityPub's trial: the note stood on a comment, the fix 17 lines below) is no place to point at.
    for number in sorted(n for n in lines if n in code) or sorted(lines):
        if not p.line(number - 1).strip():
            continue
        for chain in chains_at(p, number - 1):
            name = called_name(chain[-1], p) if chain else None
            if not chain or _signature_only(chain[-1]) or name in _NO_NOTE_NAMES \
                    or (name == "main" and _go_entry_point(chain[-1], p)):
                continue
            if why := not_followed(ctx, p.language, chain, p):
                return BACKGROUND_CODE_CHANGED.finding(
                    ctx.path, number,
                    f"{shown_name(chain, p)} is not followed to the jobs that may call it: {why}, so deploycheck cannot "
                    "tell whether a job runs it (docs/limitations.md). Not flagged: check by hand whether a job "
                    "calls it; if this file runs in the background, list its folder under `job_paths` in "
                    ".deploycheck/config.yaml and deploycheck reads it as background code.", side=side, severity="info")
    return None


def _reached_by(ctx, p: Parsed, row: int) -> tuple[str, tuple | None] | None:
    """How a job of another file reaches the function around ``row`` (rules/trees/reach.py), in
    words, with the job and the trail as data (None for a "maybe reached")."""
    from .reach import reached, trail_of

    for name in _followed_names(ctx, p, row):
        how = reached(ctx, p.language, name)
        if how:
            return how, trail_of(ctx, p.language, name)
    return None


def _judged(ctx, p: Parsed, side: str, groups: dict, lines: dict, machinery: str | None, regions_here):
    """DC701 per changed unit; ``machinery``: the job system whose own source this is, when the
    worker-machinery scope applies (rules/trees/machinery.py)."""
    # A deleted file's class and its methods are one removal: said once, at the outermost unit
    # (diaspora's removed workers were reported twice each, the class and its `perform`).
    deleted = [node for node, *_ in groups.values() if node is not None and "class" in node.type] \
        if ctx.file.status == DELETED and moved_counterpart(ctx, p.language) is None else []
    for key, (node, what, changed, shown, job, trail) in groups.items():
        if node is not None and any(o.id != node.id and (o.start_byte <= node.start_byte and node.end_byte <= o.end_byte
                                                         or node.start_byte <= o.start_byte and o.end_byte <= node.end_byte)
                                    for o in deleted):
            continue  # inside a removed class, or a module around one: the class says it
        if all(_comment_only(p, n, lines[n]) for n in changed):
            # Only comment lines of this unit changed; any code of it that changed lies in a
            # nested unit (reported there) or in code the rules above set aside.
            verdict = "comments"
        elif p.language in ("typescript", "tsx") and node is not None and node.type in _TYPE_ONLY_UNITS \
                and _alone_on_rows(node, changed):
            verdict = "types"
        elif _generated_beside_its_source(ctx, p):
            verdict = "generated"
        else:
            verdict = _verdict(ctx, p, side, key, node)
            if (machinery and not verdict.startswith(("same:", "moved:")) and verdict != "unreferenced"
                    and not _is_machinery(ctx, p, side, key, node, changed, regions_here, machinery)):
                verdict = "not machinery"  # a proof, when there is one, says more than the scope
        severity = "info" if verdict.startswith(("same:", "moved:")) or verdict in (
            "comments", "new logger", "unreferenced", "not machinery", "types", "generated", "empty") else "warning"
        if verdict == "gone" and node is not None and _VALUE_UNIT.search(node.type):
            verdict = "gone value"  # a constant or field: nothing is queued under its name
        message = _message(shown, what, verdict, side, p.language)
        if renamed := _persisted_class_moved(ctx, p, node, what, side):
            message, severity = message + renamed, "warning"
        why = ctx.cache.get(("trees.machinery", side), {}).get(key) if machinery else None
        if why and severity == "warning":
            from .machinery import explained

            message += f" It is read as worker machinery of the job system ({MACHINERY_MEANS}); the evidence: {explained(why)}."
        if severity == "warning" and (write := _STORE_WRITE.search("\n".join(lines[n] for n in changed if n in lines))):
            # Said in the words the checklist reads (answers._checks): a "no" to shared-state is
            # then challenged. conductor's decider-queue change (`queueDAO.remove(…)`, then
            # `push`) was signed "shared-state: no" unasked (a new user's trial, session 28).
            message += f" Its changed lines touch {SHARED_STATE_WORDS}: `{' '.join(write.group(0).split())}`."
        if side == "head" and severity == "warning" and (gone := _removed_beside(ctx, p, key, changed)):
            # Without line numbers: a message is part of a SARIF alert's fingerprint.
            message += " Removed from it as well: " + "; ".join(
                f"`{shown_code(text)}`" for _, text in gone[:3]) + (f" and {len(gone) - 3} more" if len(gone) > 3 else "") + "."
        yield BACKGROUND_CODE_CHANGED.finding(ctx.path, changed[0], message, changed[-1], side=side, severity=severity,
                                              job=job, trail=trail)


# Job kinds whose queued runs name their class in full, kept across deploys: WorkManager keeps
# each request's worker class name in its database, Quartz's JDBC store each job's class.
_PERSISTED_BY_CLASS = re.compile(r"\bWorkManager worker\b|\bQuartz job\b|\(a `(?:Coroutine|Listenable|Rx\d?)?Worker`\)")
_JVM_PACKAGE = re.compile(rb"^\s*package\s+([\w.]+)", re.MULTILINE)


def _persisted_class_moved(ctx, p: Parsed, node, what: str, side: str) -> str | None:
    """What to add to the finding of a WorkManager worker or Quartz job class whose file moved to
    another package, or None. Tusky moved `NotificationWorker` to a `worker` package; the periodic
    work queued under the old name then failed to start, and the finding said only "removed
    lines" (a new user's trial, session 35)."""
    if p.language not in ("java", "kotlin") or node is None or "class" not in node.type \
            or not _PERSISTED_BY_CLASS.search(what) or ctx.file.status not in (ADDED, DELETED):
        return None
    moved = moved_counterpart(ctx, p.language)
    if moved is not None:
        other: bytes | None = moved[1].source
    else:  # rewritten as it moved: the file of the same name on the other side
        files = ctx.settings.base_files
        wanted = "deleted" if ctx.file.status == ADDED else "added"
        same = [blob for status, path, blob in (files.whole_files if files is not None else ())
                if status == wanted and path.rpartition("/")[2] == ctx.path.rpartition("/")[2]]
        other = files.read_object(same[0]) if len(same) == 1 and files is not None else None
    if not other:
        return None
    before, after = (other, p.source) if side == "head" else (p.source, other)
    old, new = _JVM_PACKAGE.search(before), _JVM_PACKAGE.search(after)
    if old is None or new is None or old.group(1) == new.group(1):
        return None
    name = node_name(node, p)
    return (f" Its full name changes from `{old.group(1).decode()}.{name}` to `{new.group(1).decode()}.{name}`: work "
            "queued under the old name by the running version (a periodic request kept with KEEP, a stored trigger) "
            "fails to start, so keep a class at the old name, or map it in a factory, until none is queued.")


# A JS/TS line that only logs (`console.log(…)`, `logger.info(…)`, `this.logger.warn(…)`).
_JS_LOG_LINE = re.compile(r"^\s*(?:await\s+)?(?:console|(?:this\.)?(?:logger|log))\.\w+\(")


def _go_init(unit, p: Parsed) -> bool:
    """A Go package's `func init()`: run once at start-up, as its package-level declarations are
    (a job folder's tasks registered there)."""
    name = unit.child_by_field_name("name") if unit.type == "function_declaration" else None
    return name is not None and p.text(name) == "init"


def _removed_beside(ctx, p: Parsed, key: str, changed: list[int]) -> list[tuple[int, str]]:
    """The base's lines of the unit ``key`` that the hunks of the head's ``changed`` lines removed,
    in hunks that remove more lines of code than they add, and that no added line resembles, holds
    (a call joined onto one line) or moves elsewhere: a unit judged on the head shows its new lines,
    and a line taken out beside them (a job's `unique :…` or `retry_on` dropped where a comment was
    added to the line above) would be in no finding at all (a new user's trial, session 30)."""
    rows = set(changed)
    out = []
    for hunk in ctx.file.hunks:
        if not hunk.removed or not any(line.number in rows for line in hunk.added):
            continue
        code_added = [line for line in hunk.added if _code_text(line.text)]
        code_removed = [line for line in hunk.removed if _code_text(line.text)]
        if len(code_removed) <= len(code_added):
            continue  # each removed line may be the one replaced: the head's lines show it
        if "trees.moved-lines" not in ctx.cache:  # once per file, not per unit
            ctx.cache["trees.moved-lines"] = {" ".join(text.split()) for text in ctx.added.values()}
        moved, base = ctx.cache["trees.moved-lines"], _base_tree(ctx, p.language)
        added = [" ".join(line.text.split()) for line in hunk.added]
        joined = "".join("".join(a.split()) for a in added)
        for line in code_removed:
            text = " ".join(line.text.split())
            if text in moved or "".join(text.split()) in joined \
                    or any(SequenceMatcher(None, text, a).ratio() >= 0.6 for a in added):
                continue
            if base is not None and qualname(units_at(base, line.number - 1), base) != key:
                continue  # another unit's line (a function deleted beside this one)
            out.append((line.number, line.text))
    return out


def _code_text(text: str) -> bool:
    """Whether a line holds more than blanks, a comment or a closing bracket."""
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith(("#", "//", "/*", "*", "--")) and stripped.strip("})];,") != ""


# Units that hold a value rather than code: a constant, a variable, a field, a property.
_VALUE_UNIT = re.compile(r"declarator|field|const_spec|var_spec|property_declaration|^assignment$|constant")


# A write through an object named for a store: a repository, DAO, database handle, queue, cache,
# Redis client or transaction (`queueDAO.push(…)`, `this.repo.save(x)`, `tx.Exec(…)`, Ruby's
# `Redis.current.incr`). Named so by the application, whatever the library; a request's context
# (`ctx.Set(…)`) is not one. Knex's table calls (`tx('triggers').update(…)`, `knex('queued').where(…)
# .del()`: Mailtrain's trigger loop, a new user's trial, session 29) and Prisma's models
# (`prisma.order.update(…)`) name the table they write.
_STORE_WRITE = re.compile(
    r"\b(?!(?i:ctx|context)\b)\w*(?i:repo|repository|dao|db|database|store|queue|cache|redis|tx|txn|session|mapper|entitymanager)"
    r"\s*(?:\?\.|\.|::|->)\s*(?i:save|update|insert|upsert|delete|remove|push|pop|enqueue|publish|set|incr|decr|put"
    r"|create|destroy|exec|execute|add|lpush|rpush|zadd|hset|persist|merge)\w*\s*[(\s]"
    r"|\b(?:knex|db|tx|trx)\s*\(\s*['\"`][\w.]+['\"`]\s*\)[^;\n]*?\.(?:insert|update|del|delete|increment|decrement"
    r"|upsert|merge)\s*\("
    r"|\b(?:prisma|tx)\.\w+\.(?:create|update|upsert|delete)(?:Many)?\s*\(")


# Go's convention for generated files (ent, sqlc, protoc, wire, stringer): the header line
# `// Code generated … DO NOT EDIT.` before the package clause. A change that regenerates them
# also edits what they are generated from: a schema, a query, a .proto, wire.go (a new user's trial
# on dex, session 25: six "new background code" warnings in ent's output beside its schema).
_GENERATED_HEADER = re.compile(rb"^// Code generated .* DO NOT EDIT\.$", re.M)
_GENERATED_NAME = re.compile(r"(?:\.pb|_gen|\.gen|_string|_mock|_enum|zz_generated[\w.]*)\.go$|(?:^|/)wire_gen\.go$")


def _generated_beside_its_source(ctx, p: Parsed) -> bool:
    """Whether a Go file that says it is generated changes beside a file it may be generated
    from: one that is not Go, a Go file in another folder, or a Go file of its folder not named
    like generated output. Generated output changed alone stays background code (a generator's
    new version, a hand edit)."""
    if p.language != "go":
        return False
    if "detect.generated" not in p.memo:  # asked once per changed unit: answered once per side
        p.memo["detect.generated"] = _generated_with_source(ctx, p)
    return p.memo["detect.generated"]


def _generated_with_source(ctx, p: Parsed) -> bool:
    package = p.source.find(b"\npackage ")
    if not _GENERATED_HEADER.search(p.source[: package if package > 0 else 4096]):
        return False
    base_files = ctx.settings.base_files
    touched = base_files.touched if base_files is not None else None
    if not touched:
        return False
    folder = ctx.path.rpartition("/")[0]
    return any(path != ctx.path and (not path.endswith(".go") or path.rpartition("/")[0] != folder
                                     or not _GENERATED_NAME.search(path))
               and not path.endswith("_test.go") and not path.startswith(".deploycheck/")
               for path in touched)


def _is_machinery(ctx, p: Parsed, side: str, key: str, node, changed: list[int], spans, system: str) -> bool:
    """Whether a changed unit of a job system's own source is its worker machinery
    (rules/trees/machinery.py): inside a background region, or evidence on either side."""
    if any(s[0] <= n - 1 <= s[1] for s in spans for n in changed):
        return True
    from .machinery import (called_by_machinery, calls_to_machinery_changed, evidence, machinery_name,
                            suspensions_changed)

    found = evidence(node, p) or machinery_name(ctx.path, units_at(p, changed[0] - 1), p, system, node_name)
    if found is None and node is not None:
        found = called_by_machinery(node, p, all_units(p), node_name)
        other = parsed(ctx, "base" if side == "head" else "head", p.language)
        if found is None and isinstance(other, Parsed):
            for theirs in all_units(other).get(key, []):
                found = (evidence(theirs, other) or called_by_machinery(theirs, other, all_units(other), node_name)
                         or calls_to_machinery_changed(node, p, theirs, other, node_name)
                         or suspensions_changed(node, p, theirs, other))
                if found:
                    break
    if found:
        ctx.cache.setdefault(("trees.machinery", side), {})[key] = found
    return found is not None


# TypeScript declarations that only describe types: the compiler erases them, nothing of them runs.
_TYPE_ONLY_UNITS = {"interface_declaration", "type_alias_declaration"}


def _alone_on_rows(node, changed: list[int]) -> bool:
    """Whether nothing but ``node`` (with its `export`) and comments sits on the changed rows: code
    written on an interface's line is no part of the interface."""
    while node.parent is not None and node.parent.type == "export_statement":
        node = node.parent
    siblings = node.parent.children if node.parent is not None else []
    return not any(
        c.id != node.id and "comment" not in c.type and c.type != ";"
        and any(c.start_point[0] <= n - 1 <= c.end_point[0] for n in changed) for c in siblings)


def _class_defined_elsewhere(ctx, node, p: Parsed) -> bool:
    """Whether the class (or type) ``node`` of a deleted file is declared in a file at head."""
    if "class" not in node.type and node.type not in ("type_declaration", "type_spec") or ctx.repo is None:
        return False
    name = re.split(r"[.:]", node_name(node, p))[-1]
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        return False
    from ...git import gitcmd

    memo = scan_memo(ctx)
    key = ("trees.class-at-head", name)
    if key not in memo:
        pattern = rf"(^|[^A-Za-z0-9_])(class|type|interface|object)[[:space:]]+([A-Za-z0-9_]+::)*{name}([^A-Za-z0-9_]|$)"
        memo[key] = bool(gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, [pattern], list(FAMILY_GLOBS[family_of(p.language)]),
                                           extended=True, what=f"the class {name}"))
    return memo[key]


def _verdict(ctx, p: Parsed, side: str, key: str, node) -> str:
    moved = moved_counterpart(ctx, p.language) if ctx.file.status in (ADDED, DELETED) else None
    if moved is not None and _placed(ctx, ctx.path) != _placed(ctx, moved[0]):
        moved = None  # into or out of a job folder or `job_paths`: whether it runs as a job may have changed
    if ctx.file.status == ADDED and moved is None:
        if node is not None and _empty_base_class(ctx, node, p):
            return "empty"
        return "new" if node is not None else "changed"
    if ctx.file.status == DELETED and moved is None and node is not None:
        # The whole file: no other side to compare with. Gone, unless its class is still defined
        # in another file at head (merged into one: the red team of session 26).
        return "changed" if _class_defined_elsewhere(ctx, node, p) else "gone"
    # The other half of a whole-file move stands for the other side.
    other = moved[1] if moved is not None else parsed(ctx, "base" if side == "head" else "head", p.language)
    if not isinstance(other, Parsed):
        return "changed"  # the other side is absent or unreadable: no proof
    if node is None:
        candidates, mine = [other.root], p.root
    else:
        candidates = all_units(other).get(key, [])
        if not candidates and moved is not None and (renamed := _renamed_class_key(ctx, key, p, other, side)):
            candidates = all_units(other).get(renamed, [])
        if not candidates:
            if side == "head":
                # A logger field added beside the logging calls that use it runs nothing
                # (spring-boot-admin's sample Quartz jobs, apps-u 5ac6a562).
                if _empty_base_class(ctx, node, p):
                    return "empty"
                return "new logger" if is_logger_declaration(node, p) else "new"
            if p.language == "ruby" and _declared_by_a_macro(other, key):
                return "changed"
            return "unreferenced" if _removed_unreferenced(ctx, node, p) else "gone"
        mine = node
        if p.language not in OVERLOADING:
            candidates = candidates[:1]  # elsewhere a later definition of a name replaces the first
    if p.language == "go":
        _ask_go_builtins(ctx, p, other)
    for theirs in candidates:
        # Java and Kotlin overloads of one arity share a name: the unit is unchanged when any
        # of them proves the same (the proof compares parameter types, and no class declares
        # one signature twice).
        pair = (theirs, other, mine, p) if side == "head" else (mine, p, theirs, other)
        proof = proof_with_renames(*pair)
        if proof and moved is not None and (names := rebound(ctx, side, node, p, moved)):
            # The same text, but in another folder it names other code (`./db`, the package's `save`).
            return f"rebound:{moved[0]}:{', '.join(names[:4])}"
        if proof:
            return f"moved:{moved[0]}:{describe(proof)}" if moved is not None else f"same:{describe(proof)}"
        if p.language == "ruby" and (swap := _empty_superclass_between(ctx, *pair)):
            return f"same:{swap}"  # a git grep, asked only of a Ruby class the proof could not clear
    return "changed"


# Ruby class macros that define an instance method named by their first symbol (`has_many
# :users`, `alias_method :new, :old`), or by each symbol before the options (`attr_reader :a, :b`,
# `delegate :a, :b, to: :owner` without a `prefix:`); `scope :x` defines a class method.
_RUBY_FIRST_NAMED = ("has_many", "has_one", "belongs_to", "has_and_belongs_to_many", "alias_method", "define_method",
                     "attribute")
_RUBY_ALL_NAMED = ("attr_reader", "attr_accessor", "delegate")
_RUBY_MACRO = re.compile(rf"^[ \t]*(?P<macro>{'|'.join(_RUBY_FIRST_NAMED + _RUBY_ALL_NAMED)}|scope)\b[ \t(]*(?P<args>.*)$", re.M)


def _declared_by_a_macro(head: Parsed, key: str) -> bool:
    """Whether a Ruby method ``key`` (`User#authorised_applications`) removed as a `def` is
    declared at head by a class macro that defines that name: it still answers, with other code
    (signon's `has_many :authorised_applications` replaced the method, and DC701 told it to keep a
    stub for queued jobs; a new user's trial, session 41). Read as changed, not gone. Not a
    `delegate`'s target (`to: :x` calls `x`), a prefixed delegate's names, a writer, nor a
    `scope` for an instance method (the red team of session 41)."""
    last = key.rsplit("::", 1)[-1]  # `User::name`; a class method's key ends `self.name` (units.qualname)
    instance = not last.startswith("self.") and "<<" not in key
    name = re.split(r"[#.]", last)[-1].split("(")[0]
    if not re.fullmatch(r"\w+[?!]?", name):
        return False
    for m in _RUBY_MACRO.finditer(head.source.decode("utf-8", "replace")):
        macro, args = m.group("macro"), m.group("args")
        if macro == "scope":
            if not instance and re.match(rf":{re.escape(name)}\b", args):
                return True
            continue
        if not instance:
            continue
        positional = re.split(r"\b\w+:(?!:)|=>", args)[0]  # the names before the options
        symbols = re.findall(r":(\w+[?!]?)", positional)
        if macro == "delegate" and re.search(r"\bprefix:", args):
            continue
        named = symbols[:1] if macro in _RUBY_FIRST_NAMED else symbols
        if name in named:
            return True
    return False


_TOP_TYPES = frozenset({"class", "module", "class_declaration", "object_declaration", "interface_declaration",
                        "enum_declaration", "record_declaration"})


def _renamed_class_key(ctx, key: str, p: Parsed, other: Parsed, side: str) -> str | None:
    """``key`` with its file's one top-level class renamed as the file was moved, when no file at
    head names the old class any more (pdc_describe's `FormResourceDecorator` became
    `FormResourcePresenter` in a file moved to app/presenters, and each of its unchanged methods
    was background code removed and added, apps-ab 0b85468e); None otherwise. A class some file
    still names is no rename: that caller now fails."""
    def top(tree: Parsed) -> list[str]:
        return [node_name(n, tree) for n in tree.root.named_children if n.type in _TOP_TYPES]

    # Not a job's class or namespace: queued, scheduled and retrying jobs name the old class, and
    # die once it is gone (the red team of session 35: a Sidekiq worker's module renamed as
    # Zeitwerk asks when the file moves read as "moved, the same code runs").
    if regions(p) or regions(other):
        return None
    mine, theirs = top(p), top(other)
    if len(mine) != 1 or len(theirs) != 1 or mine[0] == theirs[0] or ctx.repo is None \
            or not (key == mine[0] or key.startswith(mine[0] + "::")) or not re.fullmatch(r"[A-Za-z_]\w*", theirs[0] + mine[0]):
        return None
    return None if _named_at_head(ctx, theirs[0] if side == "head" else mine[0]) else theirs[0] + key[len(mine[0]):]


def _empty_ruby_class(node) -> bool:
    """A Ruby class with nothing in its body (`class ApplicationJob < ActiveJob::Base; end`)."""
    return node.type == "class" and not any(c.type == "body_statement" or c.is_named and c.type not in (
        "constant", "scope_resolution", "superclass", "comment") for c in node.children)


def _empty_base_class(ctx, node, p: Parsed) -> bool:
    """An empty Ruby class that other classes of the repository inherit: a base, which runs
    nothing of its own. An empty class nothing inherits may be a job of its own, running what its
    superclass does (`class UrgentExportJob < ExportJob; end`)."""
    named = node.child_by_field_name("name") if p.language == "ruby" and _empty_ruby_class(node) else None
    if named is None or ctx.repo is None or not re.fullmatch(r"[A-Z]\w*", p.text(named)):
        return False
    from ...git import gitcmd

    pattern = rf"<[[:space:]]*(::)?{p.text(named)}([[:space:];]|$)"
    return any(path != ctx.path for path in gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, [pattern], ["*.rb"],
                                                                extended=True, what=f"subclasses of {p.text(named)}"))


def _empty_superclass_between(ctx, base_node, base: Parsed, head_node, head: Parsed) -> str | None:
    """How a Ruby class that changed only its superclass, to an empty class of the repository
    that subclasses the old one, keeps its behaviour (upcase's jobs moved from `ActiveJob::Base`
    to a new, empty `ApplicationJob`: five warnings, a new user's trial, session 34); None
    otherwise."""
    if base_node.type != "class" or head_node.type != "class":
        return None
    old, new = base_node.child_by_field_name("superclass"), head_node.child_by_field_name("superclass")
    if old is None or new is None:
        return None
    before = base.source[base_node.start_byte:old.start_byte] + base.source[old.end_byte:base_node.end_byte]
    after = head.source[head_node.start_byte:new.start_byte] + head.source[new.end_byte:head_node.end_byte]
    old_name, new_name = base.text(old).lstrip("<").strip(), head.text(new).lstrip("<").strip()
    if old_name == new_name or before.split() != after.split() or not re.fullmatch(r"[A-Z]\w*", new_name) \
            or ctx.repo is None:
        return None
    from ...git import gitcmd

    pattern = rf"^[[:space:]]*class[[:space:]]+{new_name}[[:space:]]*<[[:space:]]*(::)?{re.escape(old_name)}([[:space:];]|$)"
    for path in gitcmd.grep_files(ctx.repo.root, ctx.repo.head_sha, [pattern], ["*.rb"], extended=True,
                                  what=f"the class {new_name}")[:3]:
        data = ctx.repo.read_blob(f"{ctx.repo.head_sha}:{path}")
        other = parse_bytes("ruby", data) if data else None
        if isinstance(other, Parsed) and any(
                _empty_ruby_class(n) and (named := n.child_by_field_name("name")) is not None and other.text(named) == new_name
                for n in nodes_of(other, frozenset({"class"}))):
            return f"its superclass, now `{new_name}`, an empty subclass of `{old_name}` ({path})"
    return None


def _placed(ctx, path: str) -> tuple[str | None, bool]:
    """What a path alone makes of its code: a job folder's, a `job_paths` file's."""
    return job_folder_code(path), in_job_paths(ctx.settings, path)


def _ask_go_builtins(ctx, *trees: Parsed) -> None:
    """Let the logging proof (units._acts) ask whether `len`/`cap` are Go's built-ins in this
    file's package: asked only when a logging call's arguments call one, then once per file."""
    if all("go.builtins" in t.memo for t in trees):
        return
    trusted: list[bool] = []

    def go_builtins() -> bool:
        if not trusted:
            trusted.append(_go_builtins_trusted(ctx))
        return trusted[0]

    for t in trees:
        t.memo["go.builtins"] = go_builtins


def _go_builtins_trusted(ctx) -> bool:
    """Whether `len`/`cap` in this file's package mean Go's built-ins on both sides. Each `.go`
    file of the folder (tests and every build tag included) is parsed: a built-in can only be
    called, so any other `len`/`cap` identifier (`func len(…)`, a variable, a parameter, an import
    name) is a binding that shadows it in the package. Comments are no identifiers. A file that
    cannot be read or parsed counts as shadowing."""
    import posixpath

    from ...git import gitcmd
    from .parse import parse_bytes

    repo = ctx.repo
    base = ctx.settings.base_files.rev if ctx.settings.base_files is not None else None
    if repo is None or not base:
        return False
    folder = posixpath.dirname(ctx.path)
    for rev in (repo.head_sha, base):
        listing = gitcmd.run(["ls-tree", "-z", "--name-only", rev, "--", f"{folder}/" if folder else "."], repo.root, check=False)
        if listing.returncode != 0:
            return False
        for path in listing.stdout.decode("utf-8", "surrogateescape").split("\0"):
            if not path.endswith(".go"):
                continue
            data = repo.read_blob(f"{rev}:{path}")
            if data is None:
                return False
            if b"len" not in data and b"cap" not in data:
                continue  # names neither: nothing to parse
            tree = parse_bytes("go", data)
            if not isinstance(tree, Parsed) or _binds_len_or_cap(tree):
                return False
    return True


def _binds_len_or_cap(p: Parsed) -> bool:
    stack = [p.root]
    while stack:
        n = stack.pop()
        if n.type in ("identifier", "field_identifier", "type_identifier", "package_identifier") and p.text(n) in ("len", "cap"):
            parent = n.parent
            called = parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == n
            if not called or n.type != "identifier":
                if n.type == "field_identifier":
                    continue  # a method or struct field named len: reached through a value, never bare
                return True
        stack.extend(n.children)
    return False


def _removed_unreferenced(ctx, node, p: Parsed) -> bool:
    """A Java/Kotlin method removed outright that no caller can have been left: private (Java's
    package-private too), no annotation a framework may call it for, no name the JVM or a
    framework looks up, and no Java or Kotlin file at head, tests included, names it (a caller
    would not compile; a reflective lookup would name it in a string)."""
    from .jvm import hidden_method

    name = hidden_method(node, p)
    return ctx.repo is not None and name is not None and not _named_at_head(ctx, name, ("*.java", "*.kt", "*.kts"))


def _named_at_head(ctx, name: str, pathspec: tuple[str, ...] = ()) -> bool:
    """Whether a file at head (of ``pathspec``; any, tests and docs included, when empty) holds
    the word ``name``. A failed search counts as named. Once per name, files and scan."""
    memo = scan_memo(ctx)
    key = ("trees.named-at-head", name, pathspec)
    if key not in memo:
        from ...git import gitcmd

        proc = gitcmd.run(["grep", "-q", "-w", "-F", "-e", name, ctx.repo.head_sha, "--", *pathspec],
                          ctx.repo.root, check=False)
        memo[key] = proc.returncode != 1  # 1: no match
    return memo[key]


# Background work that runs in the process and is queued nowhere (rules/trees/background.py's
# kinds): a timer, a loop, a goroutine, a thread or executor task, a promise left running.
_IN_PROCESS = re.compile(r"\b(?:timer|interval|ticker|loop|goroutine|thread|executor|deferred work|continuation|"
                         r"setInterval|setTimeout|started by the code|Runnable|Callable|cron job|scheduled (?:task|function))\b"
                         r"|@(?:Scheduled|Async)\b", re.IGNORECASE)


# What "worker machinery" means, for a reader who never saw the rule's documentation.
MACHINERY_MEANS = "the code that fetches, runs, retries, locks or schedules jobs"


def _message(shown: str, what: str, verdict: str, side: str, language: str = "") -> str:
    name = f"`{shown}`" if shown != "(top level)" else "top-level code"
    if verdict == "new":
        return f"New background code: {name} ({what}). New code that runs in the background is always flagged: answer the checklist for it."
    if verdict == "unreferenced":
        return (f"Background code removed: {name} ({what}). It was not public and no Java or Kotlin file at head "
                "names it (tests included), so no caller is left: a remaining one would not compile.")
    if verdict == "gone" and _IN_PROCESS.search(what):
        # scrypted's removed stats timer (a new user's trial, session 34) was told to keep a stub
        # for the jobs queued for it: a timer, a loop or a thread is queued nowhere.
        return (f"Background code removed: {name} ({what}). What it did in the background stops with this deploy: "
                "check that nothing relied on it (a cleanup, a refresh, a watchdog, a health check), and that "
                "whatever it started or held is still stopped or released.")
    if verdict == "gone" and "job_paths" in what:
        # thelounge's message storage, declared in `job_paths` (a new user's trial, session 36),
        # runs in the process: what such code is, only its team knows.
        return (f"Background code removed: {name} ({what}). If work is queued or scheduled by its name, a job "
                "already queued for it fails when a worker takes it: keep a stub, or drain what names it, until "
                "the old code's jobs are gone. Either way, check that nothing relied on what it did in the background.")
    if verdict == "gone" and what.startswith("reached from"):
        # A helper the job calls is named by no queued work: its callers are (signon's model
        # method, told to keep a stub for queued jobs; a new user's trial, session 41).
        call = "a NoMethodError" if language == "ruby" else "a failure"
        return (f"Background code removed: {name} ({what}). Background code that still calls it fails there ({call} "
                "when the job runs), and what it did is no longer done for the job: check both.")
    if verdict == "gone":
        # Ruby's consequence only in Ruby: linkwarden's TypeScript helpers were told of a NameError
        # (a new user's trial, session 37).
        ruby = " (in Ruby a NameError, retried, then dead)" if language == "ruby" else ""
        return (f"Background code removed: {name} ({what}); queued work and schedules may still name it: a job "
                f"already queued for it fails when a worker takes it{ruby}, so "
                "keep a stub, or drain what names it, until the old code's jobs are gone.")
    if verdict == "gone value":
        # atproto's Ozone daemon lost a lock-id constant: "a job already queued for it fails"
        # (a new user's trial, session 28) said nothing true of a value.
        return (f"Background code removed: {name} ({what}), a value background code read: whatever read it "
                "now reads something else (or fails to build), so check that the change it belongs to keeps "
                "its meaning for runs already under way.")
    if verdict == "comments":
        return f"{name} ({what}): only comment lines changed here, which run nothing."
    if verdict == "empty":
        return f"New background code: {name} ({what}) is an empty class: nothing of it runs, and a class that inherits it runs as before."
    if verdict == "new logger":
        return f"New logger in background code: {name} ({what}). It only names or makes a logger, which runs nothing else."
    if verdict == "types":
        return f"{name} ({what}) is a TypeScript type declaration: the compiler erases it, so nothing of it runs."
    if verdict == "generated":
        return (f"{name} ({what}) is generated code (`// Code generated … DO NOT EDIT.`), regenerated beside the "
                "source this change edits: read that source's findings; context, no checklist answer needed for it.")
    if verdict == "not machinery":
        return (f"{name} ({what}) changed, but on neither side does it use a thread, lock, transaction, SQL, "
                "a field write or a scheduling/retry/locking name, so it is not read as worker machinery "
                f"({MACHINERY_MEANS}): context, no checklist answer needed for it.")
    if verdict.startswith("same:"):
        return (f"{name} ({what}) changed only in {verdict[5:]}: its syntax tree is otherwise identical, so its "
                "behaviour is unchanged.")
    if verdict.startswith("moved:"):
        other, _, proof = verdict[6:].rpartition(":")
        where = f"moved here from {other}" if side == "head" else f"moved to {other}"
        return (f"{name} ({what}) {where}, and changed at most in {proof}: the same code runs. Whether what "
                "runs it still finds it there (an import, an autoloader, a component scan) is read in those files.")
    if verdict.startswith("rebound:"):
        other, _, names = verdict[8:].partition(":")
        where = f"moved here from {other}" if side == "head" else f"moved to {other}"
        return (f"{name} ({what}) {where} with the same text, but from its new folder it uses other code than "
                f"before ({names}: a relative import, the package's own names or the file's folder): answer "
                "the checklist for it.")
    where = "removed lines" if side == "base" else "changed lines"
    return (f"{name} ({what}): {where} in background code, and deploycheck cannot prove its behaviour unchanged "
            "(only comments, logging calls or formatting would be): answer the checklist for it.")


# --- DC704 ------------------------------------------------------------------------------------


def _weakened(ctx, p: Parsed, lines: dict[int, str], side: str):
    if p.language not in LANGUAGES or not any(h in ctx.changed_lower() for h in HINTS):
        return
    other = parsed(ctx, "base" if side == "head" else "head", p.language)
    if not isinstance(other, Parsed):
        return
    for first, last, severity, message in weakened(p, other, lines, side):
        yield PRIMITIVE_WEAKENED.finding(ctx.path, first, message, last, side=side, severity=severity)


# An application's own lock: the method that takes or gives back a type named for one (dex's
# Kubernetes refresh-token lock polls an annotation up to N times: a new user's trial, session 25,
# raised N from 60 to 200).
_LOCK_METHODS = frozenset({"lock", "unlock", "trylock", "rlock", "runlock", "acquire", "tryacquire", "release",
                           "lockinterruptibly", "obtain"})
_LOCK_TYPE = re.compile(r"(?i)lock|mutex|lease|semaphore|latch")


def _own_lock_changed(ctx, p: Parsed, lines: dict[int, str]):
    """DC704 (warning) for each changed method of an application's own lock whose behaviour the
    proof cannot show unchanged."""
    seen: set[str] = set()
    for number in sorted(lines):
        chain = units_at(p, number - 1)
        if not chain or chain[-1].type not in ("method_declaration", "function_declaration"):
            continue
        name = qualname(chain, p)
        owner, _, method = name.rpartition(".") if "." in name else name.rpartition("::")
        owner, method = owner.rpartition("::")[2], method.split("(")[0]  # Java's `RedisLock::tryLock(2)`
        if name in seen or method.lower() not in _LOCK_METHODS or not _LOCK_TYPE.search(owner):
            continue
        seen.add(name)
        base = _base_tree(ctx, p.language)  # parsed once per file (parse.parsed)
        if base is not None and any(proof_of_no_change(b, base, chain[-1], p) is not None
                                    for b in all_units(base).get(name, [])):
            continue
        node = chain[-1]
        yield PRIMITIVE_WEAKENED.finding(
            ctx.path, number,
            f"`{name}` is the application's own lock, and it changed: how long a caller waits for it, whether "
            "two can hold it at once, and when it is given back may change. Say in the checklist what still "
            "makes it exclusive.", node.end_point[0] + 1, severity="warning")


# --- DC702 ------------------------------------------------------------------------------------

_REDIS_CALLS = ("redis.call", "redis.pcall")


def _redis_commands(p: Parsed, rows: set[int] | None, offset: int = 0) -> list[str]:
    """The Redis commands the script calls (on ``rows`` only, when given), in order, once each."""
    aliases = set(_REDIS_CALLS)
    found: list[str] = []
    stack = [p.root]
    calls = []
    while stack:
        n = stack.pop()
        if n.type == "variable_declaration" or n.type == "assignment_statement":
            text = p.text(n)
            if "=" in text and text.split("=", 1)[1].strip() in _REDIS_CALLS:
                aliases.add(text.split("=", 1)[0].replace("local", "").strip())
        if n.type == "function_call":
            calls.append(n)
        stack.extend(reversed(n.children))
    for n in calls:
        name = n.child_by_field_name("name")
        if name is None or p.text(name) not in aliases:
            continue
        if rows is not None and not any(r + offset + 1 in rows for r in range(n.start_point[0], n.end_point[0] + 1)):
            continue
        args = n.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_child_count else None
        command = p.text(first).strip("'\"").upper() if first is not None and first.type == "string" else "(computed)"
        if command not in found:
            found.append(command)
    return found


def _lua_findings(ctx, p: Parsed, lines, side: str, system: str | None, whole_file: bool, offset: int = 0,
                  where: str | None = None):
    everything = _redis_commands(p, None)
    if whole_file and not everything and not system:
        return  # a .lua file that never calls Redis, outside a job system: not a Redis script
    changed = [n for n in sorted(lines)]
    at_changed = _redis_commands(p, set(changed), offset)
    if whole_file and ctx.file.status != ADDED:
        other = parsed(ctx, "base" if side == "head" else "head", "lua")
        if isinstance(other, Parsed) and proof_of_no_change(other.root, other, p.root, p):
            yield REDIS_SCRIPT_CHANGED.finding(
                ctx.path, min(lines), f"Redis script {ctx.path} changed only in comments or formatting: its syntax "
                "tree is otherwise identical.", max(lines), side=side, severity="info")
            return
    locks = " It handles locks." if "lock" in p.source.decode("utf-8", "replace").lower() else ""
    what = where or f"Redis script {ctx.path}"
    yield REDIS_SCRIPT_CHANGED.finding(
        ctx.path, changed[0],
        f"{what} changed: it runs atomically on Redis state that every worker shares. The changed lines call "
        f"{', '.join(at_changed) or 'no Redis command directly'}; the script calls "
        f"{', '.join(everything[:12]) or 'no Redis command'}{'…' if len(everything) > 12 else ''}.{locks}",
        changed[-1], side=side)


def _lua_in_strings(ctx, p: Parsed, lines: dict[int, str], side: str):
    if b"redis.call" not in p.source and b"redis.pcall" not in p.source:
        return  # no string of the file can hold a script: no walk of its tree
    stack = [p.root]
    while stack:
        n = stack.pop()
        if n.type in STRING_LITERALS:
            first, last = n.start_point[0] + 1, n.end_point[0] + 1
            hit = [x for x in lines if first <= x <= last]
            if hit and n.end_byte - n.start_byte < 200_000:
                text = p.source[n.start_byte : n.end_byte]
                if b"redis.call" in text or b"redis.pcall" in text:
                    # Blank the delimiters in place so rows stay those of the host file.
                    body = b" " + text[1:-1] + b" " if len(text) > 1 else text
                    lua = parse_bytes("lua", body)
                    if isinstance(lua, Parsed):
                        yield from _lua_findings(ctx, lua, {x: lines[x] for x in hit}, side, None, False,
                                                 offset=n.start_point[0],
                                                 where=f"The Lua script in the string at line {first}")
            continue
        stack.extend(n.children)
